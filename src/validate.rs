//! Validation: shape rules written as SPARQL SELECTs in `queries/checks/`, run over the store or over files
//! before they are loaded. Each result row is one violation; a rule selects `?node` and `?message`, and may select
//! `?graph` (the source graph concerned) and `?ref` (a referenced IRI that must exist).

use std::collections::BTreeSet;
use std::path::Path;

use oxigraph::model::Term;
use serde::Serialize;

use crate::error::Result;
use crate::load::{self, bundled, LoadInput};
use crate::query::{self, QueryRequest};
use crate::store::{Access, Kg};
use crate::vocab::compact;

/// How bad a broken rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The data is wrong: validation fails.
    Error,
    /// A known gap that stays visible but does not fail validation.
    Warning,
}

/// One rule.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    pub name: String,
    pub title: String,
    pub severity: Severity,
    #[serde(skip)]
    pub text: String,
}

/// One broken rule at one node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Violation {
    pub severity: Severity,
    pub rule: String,
    pub node: String,
    pub message: String,
    /// `file:line:column` of the node's first mention, when validating files.
    pub position: Option<String>,
    pub graph: Option<String>,
}

/// The outcome of a validation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub rules: usize,
    pub violations: Vec<Violation>,
    /// Rules that broke more often than the cap allowed: only their first violations are listed.
    pub truncated: Vec<Truncated>,
}

/// A rule whose violations were cut at the cap: `shown` are listed, and there are more (not counted further).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Truncated {
    pub rule: String,
    pub severity: Severity,
    pub shown: usize,
}

impl Report {
    /// No error-level violation (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors() == 0 && !self.truncated.iter().any(|t| t.severity == Severity::Error)
    }

    /// Error-level violations listed (a truncated rule has more).
    pub fn errors(&self) -> usize {
        self.violations.iter().filter(|v| v.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.violations.len() - self.errors()
    }
}

/// The bundled rules.
pub fn rules() -> Vec<Rule> {
    bundled::check_files()
        .iter()
        .map(|(file, text)| {
            let header = |key: &str| {
                text.lines().find_map(|l| {
                    l.trim_start_matches('#')
                        .trim()
                        .strip_prefix(key)
                        .map(|t| t.trim_start_matches(':').trim().to_owned())
                })
            };
            let severity = match header("severity").as_deref() {
                Some("warning") => Severity::Warning,
                _ => Severity::Error,
            };
            Rule {
                name: file.trim_end_matches(".rq").to_owned(),
                title: header("title").unwrap_or_default(),
                severity,
                text: (*text).to_owned(),
            }
        })
        .collect()
}

/// Runs every rule over the store, listing at most `max_per_rule` violations of each (`None`: all).
pub fn validate_store(kg: &Kg, max_per_rule: Option<usize>) -> Result<Report> {
    run_rules(kg, None, max_per_rule)
}

/// Validates files before loading: they are parsed (a syntax error is reported with its position) into a
/// scratch in-memory store with the bundled ontology, and the rules run there. References to entities that exist
/// in `existing` (the user's store) are not reported as dangling.
pub fn validate_files(
    paths: &[&Path],
    format: Option<&str>,
    existing: Option<&Kg>,
    max_per_rule: Option<usize>,
) -> Result<Report> {
    let scratch = Kg::in_memory()?;
    let mut inputs = Vec::new();
    if let Some(first) = bundled::inputs()?.into_iter().next() {
        inputs.push(first); // the ontology
    }
    let mut texts = Vec::new();
    for p in paths {
        inputs.push(LoadInput::file(p, format, None)?);
        let text = std::fs::read_to_string(p).map_err(|source| crate::Error::Read { path: p.to_path_buf(), source })?;
        texts.push((p.display().to_string(), text));
    }
    load::load(&scratch, inputs, None)?;
    let mut report = run_rules(&scratch, existing, max_per_rule)?;
    for v in &mut report.violations {
        v.position = locate(&texts, &v.node, v.graph.as_deref());
    }
    Ok(report)
}

fn run_rules(kg: &Kg, existing: Option<&Kg>, max_per_rule: Option<usize>) -> Result<Report> {
    let rules = rules();
    let mut violations = BTreeSet::new();
    let mut truncated = Vec::new();
    for rule in &rules {
        let req = QueryRequest::new(&rule.text, &format!("check {}", rule.name));
        let mut found = BTreeSet::new();
        let mut failure = None;
        let mut over = false;
        query::for_each_solution(kg, &req, |vars, row| {
            let col = |name: &str| vars.iter().position(|v| v == name);
            let get = |name: &str| col(name).and_then(|i| row.get(i).cloned().flatten());
            if let (Some(r), Some(store)) = (get("ref"), existing) {
                match exists_in(store, &r) {
                    Ok(true) => return true,
                    Ok(false) => {}
                    Err(e) => {
                        failure = Some(e);
                        return false;
                    }
                }
            }
            let v = Violation {
                severity: rule.severity,
                rule: rule.name.clone(),
                node: get("node").map(|t| term_text(&t)).unwrap_or_default(),
                message: get("message").map(|t| compact_iris_in(&term_text(&t))).unwrap_or_default(),
                position: None,
                graph: get("graph").map(|t| term_text(&t)),
            };
            if max_per_rule.is_some_and(|cap| found.len() >= cap && !found.contains(&v)) {
                over = true;
                return false;
            }
            found.insert(v);
            true
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if over {
            truncated.push(Truncated { rule: rule.name.clone(), severity: rule.severity, shown: found.len() });
        }
        violations.extend(found);
    }
    Ok(Report { rules: rules.len(), violations: violations.into_iter().collect(), truncated })
}

fn exists_in(kg: &Kg, t: &Term) -> Result<bool> {
    let req = QueryRequest::new("ASK { ?r a ?type }", "reference check").param("r", t.clone());
    Ok(matches!(query::run(kg, &req)?, query::Outcome::Boolean(true)))
}

fn term_text(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => compact(n.as_str()),
        Term::Literal(l) => l.value().to_owned(),
        other => other.to_string(),
    }
}

/// A message with every `<iri>` in it written with the predeclared prefixes where one fits (`<…/terms/title>` →
/// `dcterms:title`), so rules can name properties without repeating the prefix table.
fn compact_iris_in(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open + 1..].find(['>', ' ', '<']).map(|i| open + 1 + i) {
            Some(close) if rest.as_bytes()[close] == b'>' && rest[open + 1..close].contains("://") => {
                out.push_str(&compact(&rest[open + 1..close]));
                rest = &rest[close + 1..];
            }
            _ => {
                out.push('<');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Finds where a node is written in the files: `file:line:column`. With the source graph a violation concerns, the
/// node's first mention inside that graph's block (from the line that opens it); otherwise, or when the graph's block
/// is not found, its first mention anywhere.
fn locate(texts: &[(String, String)], node: &str, graph: Option<&str>) -> Option<String> {
    let at = |file: &str, (line, col): (usize, usize)| format!("{file}:{}:{}", line + 1, col + 1);
    if let Some(graph) = graph {
        for (file, text) in texts {
            let opening = mentions(text, graph)
                .find(|&(line, _, end)| text.lines().nth(line).is_some_and(|l| l[end..].trim_start().starts_with('{')));
            if let Some((from, _, _)) = opening {
                if let Some((line, start, _)) = mentions(text, node).find(|&(line, _, _)| line >= from) {
                    let col = text.lines().nth(line).map_or(0, |l| l[..start].chars().count());
                    return Some(at(file, (line, col)));
                }
            }
        }
    }
    texts.iter().find_map(|(file, text)| {
        let (line, start, _) = mentions(text, node).next()?;
        let col = text.lines().nth(line).map_or(0, |l| l[..start].chars().count());
        Some(at(file, (line, col)))
    })
}

/// Every mention of a node (`prefix:local` with the file's prefixes, or `<iri>`) in a text, in order, as (line
/// index, byte start, byte end) within the line.
fn mentions<'t>(text: &'t str, node: &str) -> impl Iterator<Item = (usize, usize, usize)> + 't {
    let full = crate::vocab::expand(node).unwrap_or_else(|| node.trim_matches(['<', '>']).to_owned());
    let mut needles = vec![format!("<{full}>")];
    for (prefix, ns) in declared_prefixes(text) {
        if let Some(local) = full.strip_prefix(ns.as_str()) {
            needles.push(format!("{prefix}:{local}"));
        }
    }
    text.lines().enumerate().flat_map(move |(i, line)| {
        let mut found = Vec::new();
        for n in &needles {
            let mut from = 0;
            while let Some(at) = line[from..].find(n.as_str()) {
                let start = from + at;
                let end = start + n.len();
                let before_ok = start == 0 || !is_name_char(line[..start].chars().next_back().unwrap_or(' '));
                let after_ok = end >= line.len() || !is_name_char(line[end..].chars().next().unwrap_or(' '));
                if before_ok && after_ok {
                    found.push((i, start, end));
                }
                from = end;
            }
        }
        found.sort_unstable();
        found
    })
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || c == ':'
}

fn declared_prefixes(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest =
                l.strip_prefix("@prefix").or_else(|| l.strip_prefix("PREFIX")).or_else(|| l.strip_prefix("prefix"))?;
            let (name, iri) = rest.trim().split_once(':')?;
            let iri = iri.trim().strip_prefix('<')?.split('>').next()?;
            Some((name.trim().to_owned(), iri.to_owned()))
        })
        .collect()
}

/// Whether `s` is a valid `YYYY-MM-DD` date of the proleptic Gregorian calendar.
pub fn is_valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| s.get(r).filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?.parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Opens the store read-only for the reference check, if it exists.
pub fn existing_store(path: &Path) -> Option<Kg> {
    if crate::store::exists(path) {
        Kg::open_existing(path, Access::Read).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for (s, ok) in [
            ("2021-11-23", true),
            ("2020-02-29", true),
            ("2021-02-29", false),
            ("1900-02-29", false),
            ("2000-02-29", true),
            ("2021-13-01", false),
            ("2021-00-10", false),
            ("2021-04-31", false),
            ("21-04-01", false),
            ("2021/04/01", false),
            ("2021-4-1", false),
        ] {
            assert_eq!(is_valid_date(s), ok, "{s}");
        }
    }

    #[test]
    fn locate_finds_prefixed_and_full_forms() {
        let texts = vec![(
            "a.trig".to_owned(),
            "@prefix mvd: <https://w3id.org/mvkg/id/> .\nmvd:naver-zz a 1 .\n  mvd:naver-z a 2 .\n".to_owned(),
        )];
        assert_eq!(locate(&texts, "mvd:naver-z", None).as_deref(), Some("a.trig:3:3"));
        let texts = vec![("b.nt".to_owned(), "<https://w3id.org/mvkg/id/x> <p> <o> .\n".to_owned())];
        assert_eq!(locate(&texts, "mvd:x", None).as_deref(), Some("b.nt:1:1"));
        assert_eq!(locate(&texts, "mvd:y", None), None);
    }

    #[test]
    fn messages_name_iris_with_prefixes() {
        assert_eq!(
            compact_iris_in("3 facts (first: <http://purl.org/dc/terms/description>) a < b <x> <https://e.org/a b>"),
            "3 facts (first: dcterms:description) a < b <x> <https://e.org/a b>"
        );
        assert_eq!(compact_iris_in("<https://example.org/x>"), "<https://example.org/x>");
    }

    #[test]
    fn locate_prefers_the_mention_inside_the_graph_concerned() {
        let text = "@prefix src: <https://w3id.org/mvkg/source/> .\n@prefix mvd: <https://w3id.org/mvkg/id/> .\n\
                    src:a {\n  mvd:x mvd:cites src:b .\n}\n\nsrc:b {\n  src:b a 1 .\n  mvd:x a 2 .\n}\n";
        let texts = vec![
            ("first.trig".to_owned(), "@prefix mvd: <https://w3id.org/mvkg/id/> .\nmvd:x a 0 .\n".to_owned()),
            ("c.trig".to_owned(), text.to_owned()),
        ];
        // src:b is first written inside src:a's block; its own block opens on line 7.
        assert_eq!(locate(&texts, "src:b", None).as_deref(), Some("c.trig:4:19"));
        assert_eq!(locate(&texts, "src:b", Some("src:b")).as_deref(), Some("c.trig:7:1"));
        assert_eq!(locate(&texts, "mvd:x", Some("src:b")).as_deref(), Some("c.trig:9:3"));
        assert_eq!(locate(&texts, "mvd:x", Some("src:a")).as_deref(), Some("c.trig:4:3"));
        // A graph whose block is not in the files: the first mention anywhere.
        assert_eq!(locate(&texts, "mvd:x", Some("src:zz")).as_deref(), Some("first.trig:2:1"));
    }
}
