//! Query and update text as the server and the command line take it: the nesting guard first, then the parser
//! and the algebra depth check, on a thread with the stack mvkg evaluates on. Any input must end in a value or an
//! error, never a crash.
#![no_main]

#[path = "../../src/query/guard.rs"]
#[allow(dead_code)]
mod guard;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if guard::check_nesting(text).is_err() {
        return;
    }
    let text = text.to_owned();
    std::thread::Builder::new()
        .stack_size(guard::EVAL_STACK_BYTES)
        .spawn(move || {
            let parser = spargebra::SparqlParser::new()
                .with_prefix("mv", "https://w3id.org/mvkg/ontology#")
                .expect("valid prefix");
            if let Ok(q) = parser.clone().parse_query(&text) {
                let pattern = match &q {
                    spargebra::Query::Select { pattern, .. }
                    | spargebra::Query::Construct { pattern, .. }
                    | spargebra::Query::Describe { pattern, .. }
                    | spargebra::Query::Ask { pattern, .. } => pattern,
                };
                let _ = guard::check_depth(pattern);
                let _ = q.to_string();
            }
            if let Ok(u) = parser.parse_update(&text) {
                for op in &u.operations {
                    if let spargebra::GraphUpdateOperation::DeleteInsert { pattern, .. } = op {
                        let _ = guard::check_depth(pattern);
                    }
                }
            }
        })
        .expect("thread")
        .join()
        .expect("no panic");
});
