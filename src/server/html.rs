//! HTML building blocks of the explorer: escaping, links and the page frame. Pages are plain server-rendered HTML
//! with one stylesheet and no scripts beyond a few lines inline, so they work offline and without a build step.

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for a query string.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A query string from pairs, empty values left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The explorer's link to an entity.
pub fn entity_href(iri: &str) -> String {
    format!("/entity?iri={}", enc(iri))
}

/// A link to an entity with its label.
pub fn entity_link(iri: &str, label: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(&entity_href(iri)), esc(if label.is_empty() { iri } else { label }))
}

/// An outside link, only for http(s) URLs; anything else is shown as text.
pub fn outside_link(url: &str, text: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", esc(url), esc(text))
    } else {
        esc(text)
    }
}

/// A whole page: navigation, title and body.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · mvkg</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\n<body>\
         <header><nav><a class=\"brand\" href=\"/\">mvkg</a> <a href=\"/query\">Query</a> <a href=\"/maps\">Maps</a> \
         <a href=\"/sparql\">SPARQL endpoint</a> \
         <form class=\"search\" action=\"/search\" method=\"get\" role=\"search\">\
         <input type=\"search\" name=\"q\" placeholder=\"Search companies, technologies, people…\" aria-label=\"Search\">\
         <button type=\"submit\">Search</button></form></nav></header>\n<main>\n<h1>{t}</h1>\n{body}\n</main>\n\
         <footer>mvkg, a sourced knowledge graph of the metaverse industry. Every fact links to its source.</footer>\
         </body></html>\n",
        t = esc(title),
    )
}

/// A table from a header and rows of ready HTML cells.
pub fn table(id: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!("<table id=\"{}\"><thead><tr>", esc(id));
    for h in header {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{c}</td>"));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// The stylesheet of every page.
pub const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d2430;background:#fafbfc}\
header{background:#1d2430;padding:.5rem 1rem}header nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}\
header a{color:#e8edf5;text-decoration:none}header a.brand{font-weight:700;font-size:1.2rem}\
form.search{margin-left:auto;display:flex;gap:.3rem}form.search input{width:22rem;max-width:60vw}\
main{padding:1rem 2rem;max-width:80rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}\
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #d5dae3;padding:.25rem .5rem;\
text-align:left;vertical-align:top}th{background:#eef1f6}tr:nth-child(even) td{background:#f5f7fa}\
.muted{color:#667085}.error{background:#fdecea;border:1px solid #f5c2bd;padding:.6rem;white-space:pre-wrap}\
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.9rem}\
.map{overflow:auto;border:1px solid #d5dae3;background:#fff;max-height:80vh}.map svg{max-width:none}\
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dl.facts dt{font-weight:600}\
fieldset{border:1px solid #d5dae3;margin:.6rem 0}label{margin-right:.8rem}\
footer{padding:1rem 2rem;color:#667085;font-size:.85rem}ul.hits li{margin:.2rem 0}\
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(enc("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(query_string(&[("q", "x y"), ("empty", ""), ("n", "2")]), "q=x+y&n=2");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(outside_link("javascript:alert(1)", "x"), "x");
        assert_eq!(
            outside_link("https://e.org/?a=1&b=2", "e"),
            "<a href=\"https://e.org/?a=1&amp;b=2\" rel=\"noopener noreferrer\">e</a>"
        );
    }
}
