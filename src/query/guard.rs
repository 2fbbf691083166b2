//! Limits checked on SPARQL text before it reaches the parser, and the thread that parses and evaluates it.
//!
//! spargebra's parser and oxigraph's evaluator recurse once (or several times) per level of nesting, so a query of
//! a few thousand nested braces overflows any thread's stack and aborts the whole process (a server included). Two
//! defences: [`check_nesting`] refuses text nested deeper than [`MAX_NESTING`] before it is parsed, with the line
//! and column where the limit was crossed; and [`on_big_stack`] runs parsing and evaluation on a thread whose stack
//! is sized for that bound with a wide margin, also for operator chains (`1+1+…`), which nest the parsed expression
//! without any bracket. The parsed algebra's depth is checked as well ([`check_depth`]).
//!
//! This file depends on spargebra alone (no store, no crate error type), so the fuzz targets in `fuzz/` include it
//! as it is.

/// The deepest nesting of `{`, `(` and `[` accepted in a query or update. Hand-written and generated queries stay
/// far below it (the deepest named query nests 6 levels).
pub const MAX_NESTING: usize = 128;

/// The deepest parsed algebra accepted (patterns and expressions together): operator chains such as
/// `1 + 1 + … + 1` nest the expression tree one level per operator without any bracket.
pub const MAX_ALGEBRA_DEPTH: usize = 2_000;

/// The stack of the threads that parse and evaluate queries and updates. Only the pages a query touches are
/// committed, so the reservation costs address space, not memory.
pub const EVAL_STACK_BYTES: usize = 256 << 20;

/// Refuses SPARQL text nested deeper than [`MAX_NESTING`]: the message names the line and column where it gets too
/// deep. Brackets inside strings, IRIs and comments do not count.
pub fn check_nesting(text: &str) -> Result<(), String> {
    let b = text.as_bytes();
    let (mut i, mut depth, mut line, mut line_start) = (0usize, 0usize, 1usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            q @ (b'"' | b'\'') => {
                let long = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
                i += if long { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    if b[i] == q && (!long || (b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q)) {
                        i += if long { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'<' => {
                // An IRI reference runs to `>` without spaces or brackets; otherwise `<` is an operator.
                let end = b[i + 1..]
                    .iter()
                    .position(|c| matches!(c, b'>' | b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'}' | b'"' | b'<'))
                    .map(|p| i + 1 + p);
                if let Some(e) = end.filter(|e| b[*e] == b'>') {
                    i = e + 1;
                    continue;
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let column = String::from_utf8_lossy(&b[line_start..i]).chars().count() + 1;
                    return Err(format!(
                        "line {line}, column {column}: brackets nested more than {MAX_NESTING} levels deep, the limit \
                         here; flatten the query"
                    ));
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// Refuses a parsed pattern whose algebra is deeper than [`MAX_ALGEBRA_DEPTH`]. The walk itself stops at the limit,
/// so it never recurses deeper than that.
pub fn check_depth(pattern: &spargebra::algebra::GraphPattern) -> Result<(), String> {
    if pattern_depth(pattern, 0) > MAX_ALGEBRA_DEPTH {
        return Err(format!(
            "the query nests more than {MAX_ALGEBRA_DEPTH} operations (patterns and operators) deep, the limit \
             here; flatten it"
        ));
    }
    Ok(())
}

/// Depth of a graph pattern, counting nested patterns and expressions, stopping once past the limit.
pub fn pattern_depth(p: &spargebra::algebra::GraphPattern, at: usize) -> usize {
    use spargebra::algebra::GraphPattern as G;
    if at > MAX_ALGEBRA_DEPTH {
        return at;
    }
    let next = at + 1;
    match p {
        G::Bgp { .. } | G::Path { .. } | G::Values { .. } => next,
        G::Join { left, right } | G::Union { left, right } | G::Minus { left, right } | G::Lateral { left, right } => {
            pattern_depth(left, next).max(pattern_depth(right, next))
        }
        G::LeftJoin { left, right, expression } => pattern_depth(left, next)
            .max(pattern_depth(right, next))
            .max(expression.as_ref().map_or(next, |e| expression_depth(e, next))),
        G::Filter { expr, inner } => expression_depth(expr, next).max(pattern_depth(inner, next)),
        G::Extend { inner, expression, .. } => pattern_depth(inner, next).max(expression_depth(expression, next)),
        G::OrderBy { inner, expression } => {
            let mut d = pattern_depth(inner, next);
            for e in expression {
                match e {
                    spargebra::algebra::OrderExpression::Asc(e) | spargebra::algebra::OrderExpression::Desc(e) => {
                        d = d.max(expression_depth(e, next))
                    }
                }
            }
            d
        }
        G::Group { inner, aggregates, .. } => {
            let mut d = pattern_depth(inner, next);
            for (_, a) in aggregates {
                if let spargebra::algebra::AggregateExpression::FunctionCall { expr, .. } = a {
                    d = d.max(expression_depth(expr, next));
                }
            }
            d
        }
        G::Service { inner, .. }
        | G::Graph { inner, .. }
        | G::Project { inner, .. }
        | G::Distinct { inner }
        | G::Reduced { inner }
        | G::Slice { inner, .. } => pattern_depth(inner, next),
    }
}

/// Depth of an expression, stopping once past the limit.
pub fn expression_depth(e: &spargebra::algebra::Expression, at: usize) -> usize {
    use spargebra::algebra::Expression as E;
    if at > MAX_ALGEBRA_DEPTH {
        return at;
    }
    let next = at + 1;
    match e {
        E::Or(a, b)
        | E::And(a, b)
        | E::Equal(a, b)
        | E::SameTerm(a, b)
        | E::Greater(a, b)
        | E::GreaterOrEqual(a, b)
        | E::Less(a, b)
        | E::LessOrEqual(a, b)
        | E::Add(a, b)
        | E::Subtract(a, b)
        | E::Multiply(a, b)
        | E::Divide(a, b) => expression_depth(a, next).max(expression_depth(b, next)),
        E::In(a, list) => list.iter().fold(expression_depth(a, next), |d, x| d.max(expression_depth(x, next))),
        E::UnaryPlus(a) | E::UnaryMinus(a) | E::Not(a) => expression_depth(a, next),
        E::If(a, b, c) => expression_depth(a, next).max(expression_depth(b, next)).max(expression_depth(c, next)),
        E::Coalesce(list) | E::FunctionCall(_, list) => list.iter().fold(next, |d, x| d.max(expression_depth(x, next))),
        E::Exists(p) => pattern_depth(p, next),
        _ => next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        format!("SELECT * WHERE {}?s ?p ?o {}", "{ ".repeat(n), "} ".repeat(n))
    }

    #[test]
    fn nesting_up_to_the_limit_passes_and_beyond_is_refused_with_its_position() {
        // One level is the WHERE clause itself.
        assert!(check_nesting(&nested(MAX_NESTING)).is_ok());
        let e = check_nesting(&nested(MAX_NESTING + 1)).unwrap_err();
        assert_eq!(
            e,
            "line 1, column 272: brackets nested more than 128 levels deep, the limit here; flatten the query"
        );
    }

    #[test]
    fn brackets_in_strings_iris_and_comments_do_not_count() {
        let deep = "{".repeat(500);
        let q = format!(
            "SELECT * WHERE {{ ?s ?p \"{deep}\" . ?s ?p '''{deep}\n''' . ?s <urn:x{{> ?o # {deep}\n FILTER(?o < 3) }}"
        );
        assert!(check_nesting(&q).is_ok());
    }

    #[test]
    fn the_position_counts_lines() {
        let q = format!("SELECT *\nWHERE\n{}", "(".repeat(200));
        let e = check_nesting(&q).unwrap_err();
        assert!(e.contains("line 3, column 129"), "{e}");
    }
}
