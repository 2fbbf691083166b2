//! Finding entities by name: ranked search over labels and aliases, and resolution of a user's name or IRI to one
//! node.
//!
//! Names are compared after [`normalize`]: compatibility decomposition (NFKD, so full-width letters and ligatures
//! become plain ones), removal of the diacritical marks of Latin, Greek and Cyrillic letters, recomposition (NFC, so
//! Hangul syllables come back whole) and lower-casing. "Nïantic", "NIANTIC" and "ｎｉａｎｔｉｃ" all become
//! "niantic", while Korean, Chinese and Japanese names (kana voicing marks included) keep their meaning. Only the
//! diacritical-mark blocks are dropped, not every combining mark, because the vowel signs of Indic and Thai scripts
//! are combining marks too and carry meaning.

use std::collections::BTreeMap;

use petgraph::stable_graph::NodeIndex;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::graph::persist::Columns;
use crate::graph::{NodeKind, Projection};

/// How well a name matches the query, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MatchQuality {
    /// The whole name is the query.
    Exact,
    /// The name starts with the query.
    Prefix,
    /// A word of the name (after a space or punctuation) starts with the query.
    WordPrefix,
    /// The query occurs somewhere inside the name.
    Substring,
}

/// One search result: a node and the best of its names for the query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    pub node: NodeIndex,
    pub iri: String,
    pub label: String,
    pub kind: NodeKind,
    /// The name that matched, as written in the data (the label or one alias).
    pub matched: String,
    pub quality: MatchQuality,
}

/// Why a name did not resolve to exactly one node.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize)]
#[non_exhaustive]
pub enum ResolveError {
    /// No node has this IRI, label or alias. `suggestions` are (IRI, label) pairs of near names, best first.
    #[error("No entity is named `{query}`{}", did_you_mean(.suggestions))]
    NotFound { query: String, suggestions: Vec<(String, String)> },
    /// Several nodes have this label or alias; `candidates` are their (IRI, label) pairs sorted by label.
    #[error("`{query}` names {} entities: {}; give an IRI", .candidates.len(), list(.candidates))]
    Ambiguous { query: String, candidates: Vec<(String, String)> },
}

fn list(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(iri, label)| format!("{label} <{iri}>")).collect::<Vec<_>>().join(", ")
}

fn did_you_mean(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}", list(pairs))
    }
}

/// How many suggestions a [`ResolveError::NotFound`] carries at most.
const SUGGESTIONS: usize = 5;

/// True for the combining marks that only decorate a letter: the Unicode blocks of combining diacritical marks.
fn is_diacritic(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// The form in which names are compared: NFKD, diacritics dropped, NFC, lower case, runs of white space collapsed
/// to one space and trimmed.
pub fn normalize(text: &str) -> String {
    let bare: String = text.nfkd().filter(|c| !is_diacritic(*c)).collect();
    let lower = bare.nfc().collect::<String>().to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How `name` (normalized) matches `query` (normalized, not empty), if at all.
fn quality(name: &str, query: &str) -> Option<MatchQuality> {
    if name == query {
        return Some(MatchQuality::Exact);
    }
    let mut best = None;
    for (at, _) in name.match_indices(query) {
        if at == 0 {
            return Some(MatchQuality::Prefix);
        }
        let before = name[..at].chars().next_back();
        if before.is_some_and(|c| !c.is_alphanumeric()) {
            best = Some(MatchQuality::WordPrefix);
        } else if best.is_none() {
            best = Some(MatchQuality::Substring);
        }
    }
    best
}

/// The normalized names of every node, built once and queried many times (the server keeps one).
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    /// (node, position of the name: 0 for the label, 1 + i for alias i, normalized name).
    names: Vec<(NodeIndex, usize, String)>,
}

impl SearchIndex {
    pub fn new(p: &Projection) -> SearchIndex {
        let mut names = Vec::new();
        for node in p.graph.node_indices() {
            let n = &p.graph[node];
            names.push((node, 0, normalize(&n.label)));
            for (i, alias) in n.aliases.iter().enumerate() {
                names.push((node, i + 1, normalize(alias)));
            }
        }
        SearchIndex { names }
    }

    /// The nodes whose label or an alias contains `text`, best match first, then by label and IRI; at most `limit`.
    /// An empty (or blank) query finds nothing.
    pub fn search(&self, p: &Projection, text: &str, limit: usize) -> Vec<Hit> {
        let query = normalize(text);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        // Best (quality, name position) per node: the label wins over an alias of equal quality.
        let mut best: BTreeMap<NodeIndex, (MatchQuality, usize)> = BTreeMap::new();
        for (node, pos, name) in &self.names {
            let Some(q) = quality(name, &query) else {
                continue;
            };
            let entry = best.entry(*node).or_insert((q, *pos));
            if (q, *pos) < *entry {
                *entry = (q, *pos);
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .filter_map(|(node, (quality, pos))| {
                let n = p.graph.node_weight(node)?;
                let matched = if pos == 0 { n.label.clone() } else { n.aliases.get(pos - 1)?.clone() };
                Some(Hit { node, iri: n.iri.clone(), label: n.label.clone(), kind: n.kind, matched, quality })
            })
            .collect();
        hits.sort_by(|a, b| {
            a.quality.cmp(&b.quality).then_with(|| a.label.cmp(&b.label)).then_with(|| a.iri.cmp(&b.iri))
        });
        hits.truncate(limit);
        hits
    }

    /// The one node that `name_or_iri` designates: a node with that IRI (written bare, as `<IRI>` or as
    /// `prefix:local` with mvkg's prefixes), else the single node with that label or alias (compared normalized).
    pub fn resolve(&self, p: &Projection, name_or_iri: &str) -> Result<NodeIndex, ResolveError> {
        let trimmed = name_or_iri.trim().trim_start_matches('<').trim_end_matches('>');
        if let Some(node) = p.node(trimmed).or_else(|| crate::vocab::expand(trimmed).and_then(|iri| p.node(&iri))) {
            return Ok(node);
        }
        let query = normalize(trimmed);
        let mut exact: Vec<NodeIndex> =
            self.names.iter().filter(|(_, _, name)| !query.is_empty() && *name == query).map(|(n, _, _)| *n).collect();
        exact.sort();
        exact.dedup();
        let pair = |n: NodeIndex| (p.graph[n].iri.clone(), p.graph[n].label.clone());
        match exact.as_slice() {
            [one] => Ok(*one),
            [] => Err(ResolveError::NotFound {
                query: trimmed.to_owned(),
                suggestions: self.suggestions(p, &query).into_iter().map(pair).collect(),
            }),
            many => {
                let mut candidates: Vec<(String, String)> = many.iter().map(|n| pair(*n)).collect();
                candidates.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                Err(ResolveError::Ambiguous { query: trimmed.to_owned(), candidates })
            }
        }
    }

    /// Near names for a query that matched nothing exactly: search hits first, else names within a small edit
    /// distance (a quarter of the query's length, at least one), closest first.
    fn suggestions(&self, p: &Projection, query: &str) -> Vec<NodeIndex> {
        if query.is_empty() {
            return Vec::new();
        }
        let hits = self.search(p, query, SUGGESTIONS);
        if !hits.is_empty() {
            return hits.into_iter().map(|h| h.node).collect();
        }
        let q: Vec<char> = query.chars().collect();
        let budget = (q.len() / 4).max(1);
        let mut best: BTreeMap<NodeIndex, usize> = BTreeMap::new();
        for (node, _, name) in &self.names {
            if let Some(d) = edit_distance(&q, name, budget) {
                let e = best.entry(*node).or_insert(d);
                *e = (*e).min(d);
            }
        }
        let mut near: Vec<(usize, NodeIndex)> = best.into_iter().map(|(n, d)| (d, n)).collect();
        near.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| super::by_label(p, a.1, b.1)));
        near.into_iter().take(SUGGESTIONS).map(|(_, n)| n).collect()
    }
}

/// The node `name_or_iri` designates in a persisted projection's columns by the rule of
/// [`SearchIndex::resolve`], when that rule finds exactly one node; `None` when it finds none or several (the
/// caller then resolves on the projection, whose error explains and suggests). Reads the columns in place: no
/// index is built, and names written in ASCII are compared without being normalized first.
pub fn resolve_in(c: &Columns<'_>, name_or_iri: &str) -> Option<usize> {
    let trimmed = name_or_iri.trim().trim_start_matches('<').trim_end_matches('>');
    if let Some(node) = c.node(trimmed).or_else(|| crate::vocab::expand(trimmed).and_then(|iri| c.node(&iri))) {
        return Some(node);
    }
    let query = normalize(trimmed);
    if query.is_empty() {
        return None;
    }
    let mut found = None;
    for node in 0..c.node_count() {
        if std::iter::once(c.label(node)).chain(c.aliases(node)).any(|name| normalizes_to(name, &query)) {
            if found.is_some() {
                return None;
            }
            found = Some(node);
        }
    }
    found
}

/// `normalize(name) == query`, without normalizing an ASCII name: for ASCII, [`normalize`] only lower-cases and
/// collapses white space.
fn normalizes_to(name: &str, query: &str) -> bool {
    if !name.is_ascii() {
        return normalize(name) == query;
    }
    let mut q = query.bytes();
    for (i, word) in name.split_whitespace().enumerate() {
        if i > 0 && q.next() != Some(b' ') {
            return false;
        }
        if !word.bytes().all(|b| q.next() == Some(b.to_ascii_lowercase())) {
            return false;
        }
    }
    q.next().is_none()
}

/// Levenshtein distance between `a` and `b` in characters, or `None` when it exceeds `budget`.
fn edit_distance(a: &[char], b: &str, budget: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > budget {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|m| *m > budget) {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= budget)
}

/// Searches `p` for `text`; see [`SearchIndex::search`]. Builds the index on every call: keep a [`SearchIndex`]
/// for repeated queries.
pub fn search(p: &Projection, text: &str, limit: usize) -> Vec<Hit> {
    SearchIndex::new(p).search(p, text, limit)
}

/// Resolves a name or IRI to one node; see [`SearchIndex::resolve`].
pub fn resolve(p: &Projection, name_or_iri: &str) -> Result<NodeIndex, ResolveError> {
    SearchIndex::new(p).resolve(p, name_or_iri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{ix, Fx};
    use MatchQuality::*;

    /// Names chosen to exercise each match quality for the query "meta" and friends.
    fn names() -> Projection {
        Fx::new()
            .node("meta", NodeKind::Organization, "Meta Platforms")
            .aliases("meta", &["Meta", "Facebook"])
            .node("metaverse", NodeKind::Technology, "Metaverse")
            .node("hm", NodeKind::Organization, "Horizon Meta")
            .node("zm", NodeKind::Organization, "Zmeta Labs")
            .node("am", NodeKind::Organization, "Another-Meta")
            .node("ss", NodeKind::Organization, "Samsung Electronics")
            .aliases("ss", &["삼성전자"])
            .node("tc", NodeKind::Organization, "Tencent")
            .aliases("tc", &["腾讯", "騰訊"])
            .node("ni", NodeKind::Organization, "Nïantic")
            .node("cm", NodeKind::Organization, "Crème Brûlée Studio")
            .node("bd", NodeKind::Organization, "Bandai Namco")
            .aliases("bd", &["バンダイナムコ"])
            .node("u1", NodeKind::Organization, "Unity")
            .node("u2", NodeKind::Product, "Unity")
            .done()
    }

    fn check(query: &str, limit: usize, expected: &[(&str, MatchQuality)]) {
        let p = names();
        let got: Vec<(String, MatchQuality)> =
            search(&p, query, limit).into_iter().map(|h| (h.iri, h.quality)).collect();
        let want: Vec<(String, MatchQuality)> = expected.iter().map(|(i, q)| (i.to_string(), *q)).collect();
        assert_eq!(got, want, "search {query:?}");
    }

    #[test]
    fn ranking() {
        // "meta": Meta Platforms has the alias "Meta" (exact); Metaverse starts with it (prefix); Another-Meta and
        // Horizon Meta have it as a word (ordered by label); Zmeta Labs only inside a word.
        check(
            "meta",
            10,
            &[("meta", Exact), ("metaverse", Prefix), ("am", WordPrefix), ("hm", WordPrefix), ("zm", Substring)],
        );
        check("META", 2, &[("meta", Exact), ("metaverse", Prefix)]);
        check("  meta   platforms ", 10, &[("meta", Exact)]);
        check("face", 10, &[("meta", Prefix)]);
        check("platforms", 10, &[("meta", WordPrefix)]);
        check("", 10, &[]);
        check("   ", 10, &[]);
        check("meta", 0, &[]);
        check("nothing like it", 10, &[]);
    }

    #[test]
    fn accents_width_and_scripts() {
        check("niantic", 10, &[("ni", Exact)]);
        check("NIÄNTIC", 10, &[("ni", Exact)]);
        check("ｎｉａｎｔｉｃ", 10, &[("ni", Exact)]);
        check("creme brulee", 10, &[("cm", Prefix)]);
        check("brulee", 10, &[("cm", WordPrefix)]);
        check("삼성", 10, &[("ss", Prefix)]);
        check("전자", 10, &[("ss", Substring)]);
        check("腾讯", 10, &[("tc", Exact)]);
        check("騰訊", 10, &[("tc", Exact)]);
        check("ナムコ", 10, &[("bd", Substring)]);
        // The voicing mark of ダ is kept: "タ" (without it) does not match "バンダイナムコ".
        check("バンタ", 10, &[]);
    }

    #[test]
    fn normalize_cases() {
        for (input, want) in [
            ("Nïantic", "niantic"),
            ("  A   B ", "a b"),
            ("ＡＢＣ", "abc"),
            ("ﬁnance", "finance"),
            ("삼성전자", "삼성전자"),
            ("Ωmega", "ωmega"),
            ("हिन्दी", "हिन्दी"),
        ] {
            assert_eq!(normalize(input), want, "normalize {input:?}");
        }
    }

    fn check_resolve(query: &str, expected: Result<&str, ResolveError>) {
        let p = names();
        let got = resolve(&p, query).map(|n| p.graph[n].iri.clone());
        assert_eq!(got, expected.map(str::to_owned), "resolve {query:?}");
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn resolution() {
        check_resolve("meta", Ok("meta"));
        check_resolve("hm", Ok("hm"));
        check_resolve("Facebook", Ok("meta"));
        check_resolve(" horizon META ", Ok("hm"));
        check_resolve("騰訊", Ok("tc"));
        check_resolve("NIANTIC", Ok("ni"));
        check_resolve(
            "unity",
            Err(ResolveError::Ambiguous {
                query: "unity".into(),
                candidates: pairs(&[("u1", "Unity"), ("u2", "Unity")]),
            }),
        );
        // Not a name, but a prefix of some: the search hits are the suggestions.
        check_resolve(
            "horizon",
            Err(ResolveError::NotFound { query: "horizon".into(), suggestions: pairs(&[("hm", "Horizon Meta")]) }),
        );
        // Typos: "tencnet" swaps two letters of "tencent", two edits, beyond the budget of max(1, 7 / 4) = 1: no
        // suggestion. "tencet" is one deletion away: suggested.
        check_resolve("tencnet", Err(ResolveError::NotFound { query: "tencnet".into(), suggestions: vec![] }));
        check_resolve(
            "tencet",
            Err(ResolveError::NotFound { query: "tencet".into(), suggestions: pairs(&[("tc", "Tencent")]) }),
        );
        check_resolve("", Err(ResolveError::NotFound { query: "".into(), suggestions: vec![] }));
    }

    #[test]
    fn iri_beats_names_and_index_is_reusable() {
        let p = names();
        let index = SearchIndex::new(&p);
        assert_eq!(index.resolve(&p, "metaverse"), Ok(ix(&p, "metaverse")));
        assert_eq!(index.search(&p, "meta", 1).len(), 1);
        let hit = &index.search(&p, "facebook", 1)[0];
        assert_eq!((hit.label.as_str(), hit.matched.as_str()), ("Meta Platforms", "Facebook"));
    }

    #[test]
    fn error_messages() {
        let e =
            ResolveError::Ambiguous { query: "unity".into(), candidates: pairs(&[("u1", "Unity"), ("u2", "Unity")]) };
        assert_eq!(e.to_string(), "`unity` names 2 entities: Unity <u1>, Unity <u2>; give an IRI");
        let e = ResolveError::NotFound { query: "x".into(), suggestions: vec![] };
        assert_eq!(e.to_string(), "No entity is named `x`");
        let e = ResolveError::NotFound { query: "x".into(), suggestions: pairs(&[("a", "A")]) };
        assert_eq!(e.to_string(), "No entity is named `x`; did you mean A <a>");
    }

    #[test]
    fn edit_distance_cases() {
        let d = |a: &str, b: &str, budget| edit_distance(&a.chars().collect::<Vec<_>>(), b, budget);
        assert_eq!(d("kitten", "sitting", 3), Some(3));
        assert_eq!(d("kitten", "sitting", 2), None);
        assert_eq!(d("", "ab", 2), Some(2));
        assert_eq!(d("삼성", "삼정", 1), Some(1));
    }
}
