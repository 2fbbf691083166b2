//! The HTTP request reader of `mvkg serve` on arbitrary bytes: a request or a `ReadError`, never a panic, and never
//! more body than the limit allows.
#![no_main]

#[path = "../../src/server/wire.rs"]
#[allow(dead_code)]
mod wire;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut reader = std::io::Cursor::new(data);
    // Requests on one kept-alive connection follow each other: read until the bytes or the connection end.
    for _ in 0..8 {
        match wire::read_request(&mut reader, 1024, |_, _| Ok(())) {
            Ok((req, keep_alive)) => {
                assert!(req.body.len() <= 1024);
                let _ = req.params();
                if !keep_alive {
                    break;
                }
            }
            Err(_) => break,
        }
    }
});
