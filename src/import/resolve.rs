//! Entity and event resolution: which organisation a row names, which deal it reports, matched against what the
//! store already holds (curated data and earlier imports) and against the other rows of the same import.
//!
//! **Organisations.** Two names match when their keys are equal: the name normalised as search does
//! ([`crate::analytics::search::normalize`]: Unicode compatibility forms, no diacritics, lower case), then every run
//! of characters other than letters and digits turned into one hyphen ("Oculus VR" and "oculus-vr" both give
//! `oculus-vr`). A mention resolves, in this order, to
//! 1. the organisation that carries its Crunchbase permalink (`mv:crunchbasePermalink`), confidence 1.0;
//! 2. the one organisation whose `rdfs:label` (0.9) or `skos:altLabel` (0.8) matches its name, when the two
//!    countries do not contradict (both known and different) and the candidate carries no other permalink; a
//!    country known on both sides and equal adds 0.05. A name-only mention also matches the organisations this
//!    import creates from permalinked rows;
//! 3. otherwise a new organisation: `mvd:cb-<permalink>`, or `mvd:imp-<key>` for a name alone.
//!
//! When step 2 finds several candidates, none is chosen: the mention becomes a new organisation and the candidates
//! are listed in the report. A match is recorded as data: the existing IRI is used, and the import's graph adds the
//! permalink (`mv:crunchbasePermalink`) and the table's name (`skos:altLabel`) to it, so every command sees one
//! organisation.
//!
//! **Events.** Within an import a funding round is the key (investee, date, amount) and an acquisition the pair
//! (acquirer, target); rows with the same key are one event (`mvd:ev-imp-<hash of the key>`, so a re-import makes
//! the same IRIs). Such an event is the same deal as an event already in the store that was not made by an import
//! when the kind and the parties agree (same acquirer and target; same investee, and at least one shared investor
//! when both name investors) and the dates are at most [`WINDOW_DAYS`] apart (or either is undated); with several
//! candidates the closest date wins, and a tie is left unlinked. The import then states its values on the
//! existing event, in its own graph, so disagreeing dates and amounts stay side by side (`disputed-facts`).

use std::collections::{BTreeMap, HashMap, HashSet};

use oxigraph::model::Term;
use serde::Serialize;

use super::model::{DateValue, Mention};
use crate::analytics::search::normalize;
use crate::error::Result;
use crate::query::{for_each_solution, QueryRequest};
use crate::store::Kg;
use crate::vocab::{MV, MVD};

/// Two dated reports of one deal are at most this many days apart.
pub const WINDOW_DAYS: i64 = 31;

/// The comparison key of a name: normalised, then runs of non-alphanumerics as one hyphen.
pub fn name_key(name: &str) -> String {
    let n = normalize(name);
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// An IRI-safe slug of a key: itself when ASCII, else a hash.
pub fn slug(key: &str) -> String {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        key.to_owned()
    } else {
        format!("h{}", &super::hex_sha256(key.as_bytes())[..16])
    }
}

/// An organisation in the store.
#[derive(Clone, Debug, Default)]
pub struct ExistingOrg {
    pub label: Option<String>,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub permalinks: Vec<String>,
    /// Whether `label` is the English one.
    pub label_en: bool,
}

/// A deal in the store.
#[derive(Clone, Debug)]
pub struct ExistingEvent {
    pub iri: String,
    pub acquisition: bool,
    /// Investee or target.
    pub subject: String,
    /// Investors or acquirer.
    pub others: Vec<String>,
    pub date: Option<i64>,
}

/// What the store holds that an import resolves against.
#[derive(Debug, Default)]
pub struct Existing {
    pub orgs: HashMap<String, ExistingOrg>,
    /// Name key -> (IRI, matched by label rather than alias).
    pub by_name: HashMap<String, Vec<(String, bool)>>,
    pub by_permalink: HashMap<String, String>,
    /// Curated (non-imported) events by subject.
    pub events: HashMap<String, Vec<ExistingEvent>>,
    /// IRIs of every event in the store.
    pub event_iris: HashSet<String>,
    /// ISO 3166 alpha-2 code -> country IRI, for the declared countries.
    pub countries: HashMap<String, String>,
    /// Name key of a country's labels -> alpha-2 code.
    pub country_names: HashMap<String, String>,
    /// Imported table graphs -> their SHA-256.
    pub sha256: HashMap<String, String>,
    /// Imported table graph -> the source graphs that came in through it.
    pub via: HashMap<String, Vec<String>>,
}

fn iri(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

fn lit(t: &Option<Term>) -> Option<String> {
    match t {
        Some(Term::Literal(l)) => Some(l.value().to_owned()),
        _ => None,
    }
}

fn select(kg: &Kg, text: &str, mut each: impl FnMut(&[Option<Term>])) -> Result<()> {
    for_each_solution(kg, &QueryRequest::new(text, "mvkg import"), |_, row| {
        each(&row);
        true
    })
}

impl Existing {
    /// Reads what earlier imports recorded: each imported table's SHA-256 and the graphs that came in through it.
    pub fn load_imports(kg: &Kg) -> Result<Existing> {
        let mut ex = Existing::default();
        select(kg, "SELECT ?g ?h WHERE { GRAPH ?g { ?g mv:sha256 ?h } }", |r| {
            if let (Some(g), Some(h)) = (iri(&r[0]), lit(&r[1])) {
                ex.sha256.insert(g, h);
            }
        })?;
        select(kg, "SELECT ?n ?g WHERE { GRAPH ?n { ?n mv:importedVia ?g } }", |r| {
            if let (Some(n), Some(g)) = (iri(&r[0]), iri(&r[1])) {
                ex.via.entry(g).or_default().push(n);
            }
        })?;
        Ok(ex)
    }

    /// Reads organisations, countries and deals from every graph except `replaced` (the graphs this import
    /// replaces: what only they state is not "existing").
    pub fn load_content(&mut self, kg: &Kg, replaced: &HashSet<String>) -> Result<()> {
        let kept = |g: &Option<Term>| iri(g).is_some_and(|g| !replaced.contains(&g));
        const ORG_TYPES: &[&str] =
            &["Organization", "Company", "Investor", "GovernmentBody", "Alliance", "EducationBody"];
        let mut typed: HashSet<String> = HashSet::new();
        select(
            kg,
            "SELECT ?o ?p ?v ?g WHERE { \
               VALUES ?p { rdf:type rdfs:label skos:altLabel mv:country mv:crunchbasePermalink } GRAPH ?g { ?o ?p ?v } }",
            |r| {
                if !kept(&r[3]) {
                    return;
                }
                let (Some(o), Some(p)) = (iri(&r[0]), iri(&r[1])) else { return };
                let local = p.rsplit(['#', '/']).next().unwrap_or_default().to_owned();
                if local == "type" {
                    if let Some(t) = iri(&r[2]) {
                        if t.strip_prefix(MV).is_some_and(|l| ORG_TYPES.contains(&l)) {
                            typed.insert(o);
                        }
                    }
                    return;
                }
                let org = self.orgs.entry(o).or_default();
                let Some(v) = iri(&r[2]).or_else(|| lit(&r[2])) else { return };
                match local.as_str() {
                    "label" => {
                        // The English label is the label; the others (other languages) are aliases for matching.
                        let english = matches!(&r[2], Some(Term::Literal(l)) if l.language() == Some("en"));
                        if org.label.is_none() || (english && !org.label_en) {
                            if let Some(old) = org.label.replace(v) {
                                org.aliases.push(old);
                            }
                            org.label_en = english;
                        } else if org.label.as_ref() != Some(&v) && !org.aliases.contains(&v) {
                            org.aliases.push(v);
                        }
                    }
                    "altLabel" => {
                        if !org.aliases.contains(&v) {
                            org.aliases.push(v)
                        }
                    }
                    "country" => org.country = v.rsplit('/').next().map(str::to_owned),
                    _ => {
                        if !org.permalinks.contains(&v) {
                            org.permalinks.push(v)
                        }
                    }
                }
            },
        )?;
        self.orgs.retain(|o, _| typed.contains(o));
        for (o, org) in &self.orgs {
            if let Some(l) = &org.label {
                self.by_name.entry(name_key(l)).or_default().push((o.clone(), true));
            }
            for a in &org.aliases {
                self.by_name.entry(name_key(a)).or_default().push((o.clone(), false));
            }
            for p in &org.permalinks {
                self.by_permalink.insert(p.clone(), o.clone());
            }
        }
        for v in self.by_name.values_mut() {
            v.sort();
            v.dedup_by(|a, b| {
                a.0 == b.0 && {
                    b.1 |= a.1;
                    true
                }
            });
        }
        select(
            kg,
            "SELECT ?c ?code ?l WHERE { ?c a mv:Country ; mv:iso3166 ?code . OPTIONAL { ?c rdfs:label|skos:altLabel ?l } }",
            |r| {
                let (Some(c), Some(code)) = (iri(&r[0]), lit(&r[1])) else { return };
                self.countries.insert(code.clone(), c);
                if let Some(l) = lit(&r[2]) {
                    let l = l.trim_end_matches(" (the)");
                    self.country_names.insert(name_key(l), code);
                }
            },
        )?;
        let mut events: HashMap<String, ExistingEvent> = HashMap::new();
        select(
            kg,
            "SELECT ?e ?k ?s ?o ?d ?g WHERE { GRAPH ?g { \
               { ?e a mv:Acquisition ; mv:target ?s . OPTIONAL { ?e mv:acquirer ?o } BIND(\"a\" AS ?k) } UNION \
               { ?e a mv:Investment ; mv:investee ?s . OPTIONAL { ?e mv:investor ?o } BIND(\"i\" AS ?k) } \
               OPTIONAL { ?e mv:date ?d } } }",
            |r| {
                if !kept(&r[5]) {
                    return;
                }
                let (Some(e), Some(k), Some(s)) = (iri(&r[0]), lit(&r[1]), iri(&r[2])) else { return };
                let date = lit(&r[4]).and_then(|d| super::model::parse_date(&d, "iso")).map(|d| d.days());
                let ev = events.entry(e.clone()).or_insert_with(|| ExistingEvent {
                    iri: e,
                    acquisition: k == "a",
                    subject: s,
                    others: Vec::new(),
                    date,
                });
                if let Some(o) = iri(&r[3]) {
                    if !ev.others.contains(&o) {
                        ev.others.push(o);
                    }
                }
                if let Some(d) = date {
                    ev.date = Some(ev.date.map_or(d, |x| x.min(d)));
                }
            },
        )?;
        let imported = format!("{MVD}ev-imp-");
        for (iri, ev) in events {
            self.event_iris.insert(iri.clone());
            if !iri.starts_with(&imported) {
                self.events.entry(ev.subject.clone()).or_default().push(ev);
            }
        }
        for v in self.events.values_mut() {
            v.sort_by(|a, b| a.iri.cmp(&b.iri));
        }
        Ok(())
    }

    /// The alpha-2 code of a country cell (alpha-3 or alpha-2 code, or an English name), and whether the store
    /// declares that country. `None` when the cell names no country we know.
    pub fn country(&self, raw: &str) -> Option<(String, bool)> {
        let t = raw.trim();
        let code = if t.len() == 3 && t.chars().all(|c| c.is_ascii_uppercase()) {
            let i = super::iso3::ISO3_TO_ISO2.binary_search_by(|(a3, _)| (*a3).cmp(t)).ok()?;
            super::iso3::ISO3_TO_ISO2[i].1.to_owned()
        } else if t.len() == 2 && t.chars().all(|c| c.is_ascii_uppercase()) {
            t.to_owned()
        } else {
            let key = name_key(t);
            let key = key.strip_prefix("the-").unwrap_or(&key);
            let alias = match key {
                "great-britain" | "uk" | "england" | "scotland" | "wales" => Some("GB"),
                "usa" | "us" | "united-states-of-america" => Some("US"),
                "korea" | "republic-of-korea" => Some("KR"),
                _ => None,
            };
            match alias {
                Some(c) => c.to_owned(),
                None => self.country_names.get(key)?.clone(),
            }
        };
        let declared = self.countries.contains_key(&code);
        Some((code, declared))
    }
}

/// How a mention was resolved to an existing organisation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrgMatch {
    /// The name (or permalink) as the table writes it.
    pub name: String,
    pub iri: String,
    pub label: String,
    /// `permalink`, `label`, `alias`, with `+country` when the countries agree.
    pub rule: String,
    pub confidence: f64,
}

/// A name with several candidates, none chosen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ambiguity {
    pub name: String,
    pub file: String,
    pub line: u64,
    /// (IRI, label) of each candidate.
    pub candidates: Vec<(String, String)>,
    /// The organisation created instead.
    pub created: String,
}

/// An organisation an import refers to.
#[derive(Clone, Debug)]
pub struct Org {
    pub iri: String,
    /// Already in the store before the import.
    pub existing: bool,
    /// The store's label and aliases (existing) or nothing.
    pub known_names: Vec<String>,
    pub known_permalinks: Vec<String>,
}

/// Resolves mentions to organisations, remembering what it decided.
#[derive(Debug, Default)]
pub struct Resolver {
    pub orgs: Vec<Org>,
    by_iri: HashMap<String, usize>,
    /// Organisations this import created, by name key (from permalinked rows and names).
    created_by_name: HashMap<String, Vec<usize>>,
    created_country: HashMap<usize, String>,
    pub matches: BTreeMap<(String, String), OrgMatch>,
    pub ambiguities: Vec<Ambiguity>,
    seen_ambiguous: HashSet<(String, String)>,
    /// Permalink -> the organisation it resolved to in this import.
    permalinks: HashMap<String, usize>,
}

impl Resolver {
    fn intern(&mut self, iri: &str, ex: &Existing) -> usize {
        if let Some(&i) = self.by_iri.get(iri) {
            return i;
        }
        let (existing, known_names, known_permalinks) = match ex.orgs.get(iri) {
            Some(o) => (true, o.label.iter().chain(&o.aliases).cloned().collect(), o.permalinks.clone()),
            None => (false, Vec::new(), Vec::new()),
        };
        self.orgs.push(Org { iri: iri.to_owned(), existing, known_names, known_permalinks });
        self.by_iri.insert(iri.to_owned(), self.orgs.len() - 1);
        self.orgs.len() - 1
    }

    /// The organisation a mention names; `country` is its resolved alpha-2 code.
    pub fn resolve(&mut self, m: &Mention, country: Option<&str>, ex: &Existing, file: &str, line: u64) -> usize {
        let key = m.name.as_deref().map(name_key).filter(|k| !k.is_empty());
        let shown = m.name.clone().or_else(|| m.permalink.clone()).unwrap_or_default();
        if let Some(p) = &m.permalink {
            if let Some(&i) = self.permalinks.get(p) {
                return i;
            }
            let i = self.resolve_new_permalink(m, p, key.as_deref(), &shown, country, ex, file, line);
            self.permalinks.insert(p.clone(), i);
            return i;
        }
        self.resolve_name(m, key.as_deref(), &shown, country, ex, file, line)
    }

    #[allow(clippy::too_many_arguments)]
    fn resolve_new_permalink(
        &mut self,
        m: &Mention,
        p: &str,
        key: Option<&str>,
        shown: &str,
        country: Option<&str>,
        ex: &Existing,
        file: &str,
        line: u64,
    ) -> usize {
        if let Some(iri) = ex.by_permalink.get(p) {
            let iri = iri.clone();
            self.record(shown, &iri, "permalink", 1.0, ex);
            return self.intern(&iri, ex);
        }
        let minted = format!("{MVD}cb-{}", slug(p));
        if let Some(&i) = self.by_iri.get(&minted) {
            return i;
        }
        self.resolve_name(m, key, shown, country, ex, file, line)
    }

    #[allow(clippy::too_many_arguments)]
    fn resolve_name(
        &mut self,
        m: &Mention,
        key: Option<&str>,
        shown: &str,
        country: Option<&str>,
        ex: &Existing,
        file: &str,
        line: u64,
    ) -> usize {
        let key = key.map(str::to_owned);
        let shown = shown.to_owned();
        // Candidates by name among existing organisations (and, for a name alone, those this import created).
        let mut cands: Vec<(String, bool)> = Vec::new();
        if let Some(k) = &key {
            for (iri, by_label) in ex.by_name.get(k).into_iter().flatten() {
                let org = &ex.orgs[iri];
                let contradicts = matches!((country, &org.country), (Some(a), Some(b)) if a != b);
                let other_permalink =
                    m.permalink.as_ref().is_some_and(|p| !org.permalinks.is_empty() && !org.permalinks.contains(p));
                if !contradicts && !other_permalink {
                    cands.push((iri.clone(), *by_label));
                }
            }
            if m.permalink.is_none() {
                for &i in self.created_by_name.get(k).into_iter().flatten() {
                    let c = self.created_country.get(&i).map(String::as_str);
                    let contradicts = matches!((country, c), (Some(a), Some(b)) if a != b);
                    let iri = &self.orgs[i].iri;
                    if !contradicts && !cands.iter().any(|(x, _)| x == iri) {
                        cands.push((iri.clone(), true));
                    }
                }
            }
        }
        let minted = match (&m.permalink, &key) {
            (Some(p), _) => format!("{MVD}cb-{}", slug(p)),
            (None, Some(k)) => format!("{MVD}imp-{}", slug(k)),
            (None, None) => format!("{MVD}imp-unnamed"),
        };
        if cands.len() == 1 {
            let (iri, by_label) = cands.remove(0);
            if ex.orgs.contains_key(&iri) {
                let agree = country.is_some() && ex.orgs[&iri].country.as_deref() == country;
                let (rule, conf) = if by_label { ("label", 0.9) } else { ("alias", 0.8) };
                let rule = if agree { format!("{rule}+country") } else { rule.to_owned() };
                self.record(&shown, &iri, &rule, conf + if agree { 0.05 } else { 0.0 }, ex);
            }
            let i = self.intern(&iri, ex);
            if let Some(k) = &key {
                if !self.orgs[i].existing {
                    let list = self.created_by_name.entry(k.clone()).or_default();
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
            return i;
        }
        if cands.len() > 1 && !cands.iter().any(|(iri, _)| *iri == minted) {
            let seen = (shown.clone(), minted.clone());
            if self.seen_ambiguous.insert(seen) {
                let mut candidates: Vec<(String, String)> = cands
                    .iter()
                    .map(|(iri, _)| {
                        let label = ex.orgs.get(iri).and_then(|o| o.label.clone()).unwrap_or_else(|| shown.clone());
                        (iri.clone(), label)
                    })
                    .collect();
                candidates.sort();
                self.ambiguities.push(Ambiguity {
                    name: shown.clone(),
                    file: file.to_owned(),
                    line,
                    candidates,
                    created: minted.clone(),
                });
            }
        }
        let i = self.intern(&minted, ex);
        if let Some(k) = &key {
            let list = self.created_by_name.entry(k.clone()).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
        if let Some(c) = country {
            self.created_country.entry(i).or_insert_with(|| c.to_owned());
        }
        i
    }

    fn record(&mut self, name: &str, iri: &str, rule: &str, confidence: f64, ex: &Existing) {
        let label = ex.orgs.get(iri).and_then(|o| o.label.clone()).unwrap_or_default();
        self.matches.entry((name.to_owned(), iri.to_owned())).or_insert_with(|| OrgMatch {
            name: name.to_owned(),
            iri: iri.to_owned(),
            label,
            rule: rule.to_owned(),
            confidence,
        });
    }
}

/// The existing, non-imported event an imported deal is, if any (see the module documentation).
pub fn link_event<'a>(
    ex: &'a Existing,
    acquisition: bool,
    subject: &str,
    others: &[String],
    date: Option<DateValue>,
) -> Option<&'a ExistingEvent> {
    let days = date.map(|d| d.days());
    let mut best: Vec<(i64, &ExistingEvent)> = Vec::new();
    for ev in ex.events.get(subject).into_iter().flatten() {
        if ev.acquisition != acquisition {
            continue;
        }
        let parties = if acquisition {
            others.iter().any(|o| ev.others.contains(o))
        } else {
            others.is_empty() || ev.others.is_empty() || others.iter().any(|o| ev.others.contains(o))
        };
        if !parties {
            continue;
        }
        let gap = match (days, ev.date) {
            (Some(a), Some(b)) => (a - b).abs(),
            _ => 0,
        };
        if gap <= WINDOW_DAYS {
            best.push((gap, ev));
        }
    }
    best.sort_by_key(|(g, _)| *g);
    match best.as_slice() {
        [] => None,
        [(_, ev)] => Some(ev),
        [(g1, ev), (g2, _), ..] if g1 < g2 => Some(ev),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(name_key("Oculus VR"), "oculus-vr");
        assert_eq!(name_key("  Condé  Nast, Inc. "), "conde-nast-inc");
        assert_eq!(name_key("#waywire"), "waywire");
        assert_eq!(slug("oculus-vr"), "oculus-vr");
        assert!(slug("네이버").starts_with('h'));
    }
}
