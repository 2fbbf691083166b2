//! The catalog of named queries: the `queries/*.rq` files, each opening with a header comment.
//!
//! ```text
//! # title: Investors in a company
//! # description: Every investor in the company's rounds, with amount, date and source.
//! # param: company entity The company, by name, alias or IRI
//! # param: since date? Only rounds on or after this date
//! # example: mvkg query investors-in --param company=Zepeto
//! ```
//!
//! A parameter's type is one of `iri`, `entity`, `string`, `integer`, `decimal`, `date`, `auto`; a trailing `?`
//! makes it optional (its variable then stays unbound).

use serde::Serialize;

use crate::error::{Error, Result};
use crate::load::bundled;
use crate::query::{param_term, ParamKind, QueryRequest};
use crate::store::Kg;

/// One parameter of a named query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamSpec {
    pub name: String,
    pub kind: ParamKind,
    pub optional: bool,
    pub description: String,
}

/// A named query with its header.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedQuery {
    pub name: String,
    pub title: String,
    pub description: String,
    pub params: Vec<ParamSpec>,
    pub example: Option<String>,
    #[serde(skip)]
    pub text: String,
}

/// Reads the header of a query file. `name` is the file name without `.rq`.
pub fn parse_header(name: &str, text: &str) -> Result<NamedQuery> {
    let bad = |message: String| Error::Format(format!("queries/{name}.rq: {message}"));
    let mut q = NamedQuery {
        name: name.to_owned(),
        title: String::new(),
        description: String::new(),
        params: Vec::new(),
        example: None,
        text: text.to_owned(),
    };
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            if line.trim().is_empty() {
                continue;
            }
            break;
        };
        let Some((key, value)) = comment.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "title" => q.title = value.to_owned(),
            "description" => {
                if !q.description.is_empty() {
                    q.description.push(' ');
                }
                q.description.push_str(value);
            }
            "example" => q.example = Some(value.to_owned()),
            "param" => {
                let mut parts = value.splitn(3, char::is_whitespace);
                let pname = parts.next().unwrap_or_default().trim_start_matches('?');
                let kind_text = parts.next().unwrap_or("auto");
                let description = parts.next().unwrap_or_default().trim().to_owned();
                let optional = kind_text.ends_with('?');
                let kind = ParamKind::parse(kind_text.trim_end_matches('?'))
                    .ok_or_else(|| bad(format!("line {}: unknown parameter type `{kind_text}`", i + 1)))?;
                if pname.is_empty() {
                    return Err(bad(format!("line {}: parameter without a name", i + 1)));
                }
                q.params.push(ParamSpec { name: pname.to_owned(), kind, optional, description });
            }
            _ => {}
        }
    }
    if q.title.is_empty() {
        return Err(bad("the header has no `# title:` line".into()));
    }
    Ok(q)
}

/// Every bundled named query, sorted by name.
pub fn catalog() -> Result<Vec<NamedQuery>> {
    let mut out: Vec<NamedQuery> = bundled::query_files()
        .iter()
        .map(|(file, text)| parse_header(file.trim_end_matches(".rq"), text))
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The named query called `name`.
pub fn find(name: &str) -> Result<NamedQuery> {
    catalog()?.into_iter().find(|q| q.name == name).ok_or_else(|| Error::UnknownQuery { name: name.to_owned() })
}

/// Binds raw `NAME=VALUE` parameters to a named query, checking names, types and required parameters.
pub fn bind(kg: Option<&Kg>, q: &NamedQuery, raw: &[(String, String)]) -> Result<QueryRequest> {
    let mut req = QueryRequest::new(&q.text, &format!("named query {}", q.name));
    for (name, value) in raw {
        let spec = q.params.iter().find(|p| &p.name == name).ok_or_else(|| Error::Parameter {
            name: name.clone(),
            message: format!(
                "`{}` takes no such parameter; it takes: {}",
                q.name,
                if q.params.is_empty() {
                    "none".to_owned()
                } else {
                    q.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                }
            ),
        })?;
        req.params.push((name.clone(), param_term(kg, name, value, spec.kind)?));
    }
    for p in &q.params {
        if !p.optional && !raw.iter().any(|(n, _)| n == &p.name) {
            return Err(Error::Parameter {
                name: p.name.clone(),
                message: format!("`{}` needs --param {}=… ({})", q.name, p.name, p.description),
            });
        }
    }
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_read() {
        let q = parse_header(
            "x",
            "# title: T\n# description: one\n# description: two\n# param: company entity The company\n\
             # param: since date? From\n# example: mvkg query x\nSELECT * {}",
        )
        .unwrap();
        assert_eq!(q.title, "T");
        assert_eq!(q.description, "one two");
        assert_eq!(q.example.as_deref(), Some("mvkg query x"));
        assert_eq!(
            q.params,
            vec![
                ParamSpec {
                    name: "company".into(),
                    kind: ParamKind::Entity,
                    optional: false,
                    description: "The company".into()
                },
                ParamSpec { name: "since".into(), kind: ParamKind::Date, optional: true, description: "From".into() },
            ]
        );
    }

    #[test]
    fn header_errors_name_the_file() {
        let e = parse_header("bad", "# param: x wrongtype\n# title: t\n").unwrap_err();
        assert_eq!(e.to_string(), "queries/bad.rq: line 1: unknown parameter type `wrongtype`");
        let e = parse_header("none", "SELECT * {}").unwrap_err();
        assert_eq!(e.to_string(), "queries/none.rq: the header has no `# title:` line");
    }

    #[test]
    fn every_bundled_query_has_a_header_and_parses() {
        for q in catalog().unwrap() {
            assert!(!q.description.is_empty(), "{} has no description", q.name);
            crate::query::check_query(&q.text, &q.name).unwrap();
        }
    }
}
