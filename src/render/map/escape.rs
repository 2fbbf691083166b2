//! Escaping of text placed in DOT: every id and attribute value of a map is a quoted DOT string built here.
//!
//! graphviz-rust's printer writes ids verbatim and its `esc` helper does not escape quotes, so a company called
//! `Acme "Best" <b>` would otherwise end the string early. [`escape_dot_string`] makes any text safe inside `"…"`;
//! [`escape_text`] also protects `&` for attributes Graphviz treats as text (labels, tooltips), and [`safe_url`]
//! keeps only link targets that cannot run script nor break the SVG attribute Graphviz copies them into.

/// Escapes `s` for use between the double quotes of a quoted DOT id.
///
/// Backslashes are doubled (so `\N` or `\G` in a name is not expanded and a trailing `\` cannot escape the closing
/// quote), quotes are backslash-escaped, a line break becomes Graphviz's `\n` escape (a new centred line), a carriage
/// return is dropped, and every other control character becomes a space.
pub fn escape_dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text shown to the reader (labels, tooltips): `&` becomes `&amp;`, since Graphviz decodes entities in text,
/// then the result is made safe with [`escape_dot_string`]. `<` and `>` need nothing here: Graphviz escapes them when it
/// writes SVG, and no HTML-like labels are used.
pub fn escape_text(s: &str) -> String {
    escape_dot_string(&s.replace('&', "&amp;"))
}

/// A link target fit for a node or edge `URL`, or `None`.
///
/// Only `http:`, `https:` and `urn:` targets are kept (no `javascript:`). Graphviz 2.43 copies URLs into the SVG without
/// escaping them, so characters that would end or break the XML attribute are percent-encoded and `&` is written
/// `&amp;` (which Graphviz leaves as it is).
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("urn:")) {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' | '\'' | '<' | '>' | '\\' | ' ' | '`' | '{' | '}' | '|' | '^' => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(escape_dot_string(input), expected, "input {input:?}");
    }

    #[test]
    fn escapes_what_breaks_a_quoted_id() {
        check("plain", "plain");
        check(r#"Acme "Best""#, r#"Acme \"Best\""#);
        check(r"back\slash", r"back\\slash");
        check(r"trailing\", r"trailing\\");
        check(r"\N\G", r"\\N\\G");
        check("two\nlines", r"two\nlines");
        check("crlf\r\nend", r"crlf\nend");
        check("tab\there\0nul", "tab here nul");
        check("{braces} [brackets]; a -> b", "{braces} [brackets]; a -> b");
        check("<script>alert(1)</script>", "<script>alert(1)</script>");
        check("네이버 腾讯", "네이버 腾讯");
    }

    #[test]
    fn text_escapes_ampersands_first() {
        assert_eq!(escape_text("R&D \"lab\""), r#"R&amp;D \"lab\""#);
        assert_eq!(escape_text("&amp;"), "&amp;amp;");
    }

    #[test]
    fn urls_are_filtered_and_encoded() {
        assert_eq!(safe_url("https://e.com/a?x=1&y=2").as_deref(), Some("https://e.com/a?x=1&amp;y=2"));
        assert_eq!(safe_url(r#"http://e.com/"q"<b>"#).as_deref(), Some("http://e.com/%22q%22%3Cb%3E"));
        assert_eq!(safe_url("urn:isbn:123").as_deref(), Some("urn:isbn:123"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,<script>"), None);
        assert_eq!(safe_url(""), None);
    }
}
