//! Builds the petgraph [`Projection`] from the store, through SPARQL only (so it works the same over any
//! SPARQL-speaking store), and keeps a persisted copy beside the store that is rebuilt whenever the store changes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use oxigraph::model::Term;

use crate::error::Result;
use crate::graph::{persist, AmountScope, Edge, EdgeKind, Node, NodeKind, Projection, SourceRef};
use crate::query::{run, QueryRequest};
use crate::store::Kg;

/// File name of the persisted projection inside the store directory.
const FILE: &str = "mvkg-projection.bin";
/// Bumped when the projection's rules change, so old files are rebuilt. (The file layout has its own version, in
/// [`persist`].) 3: the columnar layout replaced postcard. 5: amounts carry their scope (mv:amountScope). 6: events
/// also cite the exchange-rate table of a curated USD value (mv:fxSource).
const FORMAT_VERSION: u32 = 6;

/// Where the projection came from, for `--verbose` output and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Built,
    Cached,
}

/// The projection of the store: read from the persisted file when it is in step with the store, else built and
/// saved.
pub fn projection(kg: &Kg) -> Result<(Projection, Origin)> {
    let path = kg.path().join(FILE);
    let generation = kg.generation();
    if kg.path().is_dir() && !generation.is_empty() {
        if let Some(p) = read_persisted(&path, &generation) {
            return Ok((p, Origin::Cached));
        }
    }
    let p = build(kg)?;
    if kg.path().is_dir() && !generation.is_empty() {
        // A read-only store directory may refuse the file: the projection is then rebuilt next time.
        let _ = write_persisted(&path, &generation, &p);
    }
    Ok((p, Origin::Built))
}

/// The persisted projection of the store directory `store` when it is in step with the store, without opening the
/// store: the same test [`projection`] makes (the file was written for the store's current generation stamp, which
/// every write through mvkg changes, and passes its checksum). `None` when there is no store, no file, or a stale
/// or damaged one: then open the store and call [`projection`], which rebuilds it.
///
/// Only the edges whose kind `keep` accepts are loaded (see [`persist::decode_edges`]); pass `|_| true` for all.
pub fn cached(store: &Path, keep: impl Fn(EdgeKind) -> bool) -> Option<Projection> {
    let file = cached_file(store)?;
    persist::decode_edges(&file.bytes, FORMAT_VERSION, &file.generation, keep)
}

/// The persisted projection file of the store directory `store`, read but not decoded, when it was written for
/// the store's current generation (the test of [`cached`], without opening the store). Its [`CachedFile::columns`]
/// answer the questions that need only some columns without building the graph.
pub fn cached_file(store: &Path) -> Option<CachedFile> {
    if !crate::store::exists(store) {
        return None;
    }
    let generation = crate::store::generation_at(store);
    if generation.is_empty() {
        return None;
    }
    let bytes = fs::read(store.join(FILE)).ok()?;
    persist::is_current(&bytes, FORMAT_VERSION, &generation).then_some(CachedFile { bytes, generation })
}

/// A persisted projection file in step with its store; see [`cached_file`].
pub struct CachedFile {
    bytes: Vec<u8>,
    generation: String,
}

impl CachedFile {
    /// The file's columns, checked; `None` when the file is damaged (then [`projection`] rebuilds it).
    pub fn columns(&self) -> Option<persist::Columns<'_>> {
        persist::Columns::open(&self.bytes, FORMAT_VERSION, &self.generation)
    }
}

fn read_persisted(path: &Path, generation: &str) -> Option<Projection> {
    let bytes = fs::read(path).ok()?;
    persist::decode(&bytes, FORMAT_VERSION, generation)
}

fn write_persisted(path: &Path, generation: &str, p: &Projection) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let bytes = persist::encode(p, FORMAT_VERSION, generation);
    let mut w = BufWriter::new(fs::File::create(&tmp)?);
    w.write_all(&bytes)?;
    w.flush()?;
    drop(w);
    fs::rename(&tmp, path)
}

type Row = Vec<Option<String>>;

fn select(kg: &Kg, q: &str) -> Result<Vec<Row>> {
    let (_, rows) = run(kg, &QueryRequest::new(q, "graph projection"))?.into_solutions()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|t| match t {
                    Some(Term::NamedNode(n)) => Some(n.into_string()),
                    Some(Term::Literal(l)) => Some(l.value().to_owned()),
                    Some(Term::BlankNode(b)) => Some(format!("_:{}", b.as_str())),
                    _ => None,
                })
                .collect()
        })
        .collect())
}

/// The (first, second) column pairs of a two-column SELECT, rows with either unbound skipped.
fn pairs(kg: &Kg, q: &str) -> Result<Vec<(String, String)>> {
    Ok(select(kg, q)?
        .into_iter()
        .filter_map(|mut r| {
            let b = r.get_mut(1)?.take()?;
            let a = r.get_mut(0)?.take()?;
            Some((a, b))
        })
        .collect())
}

fn get(r: &Row, i: usize) -> Option<&str> {
    r.get(i).and_then(|v| v.as_deref())
}

fn num(r: &Row, i: usize) -> Option<f64> {
    get(r, i).and_then(|v| v.parse().ok())
}

/// The date of each event: the earliest date its sources give, where a date a source gives only to the month or the
/// year (`coarse`: event, date, precision) does not count when another source gives a date inside that month or year,
/// which says more. (A month-precise date is written as the month's first day: without this rule it would win.)
fn event_dates(dates: &[(String, String)], coarse: &[(&str, &str, &str)]) -> HashMap<String, String> {
    let mut by_event: HashMap<&str, Vec<&str>> = HashMap::new();
    for (ev, d) in dates {
        by_event.entry(ev.as_str()).or_default().push(d.as_str());
    }
    let mut period: HashMap<(&str, &str), usize> = HashMap::new();
    for &(ev, d, precision) in coarse {
        let len = match precision {
            "month" => 7,
            "year" => 4,
            _ => continue,
        };
        // Given coarsely by one source and finely by none: the coarsest reading decides whether it is refined.
        period.entry((ev, d)).and_modify(|l| *l = (*l).min(len)).or_insert(len);
    }
    by_event
        .into_iter()
        .filter_map(|(ev, ds)| {
            let refined = |d: &str| {
                period.get(&(ev, d)).is_some_and(|&len| {
                    ds.iter().any(|o| *o != d && o.get(..len).is_some_and(|p| Some(p) == d.get(..len)))
                })
            };
            let best = ds.iter().copied().filter(|d| !refined(d)).min().or_else(|| ds.iter().copied().min())?;
            Some((ev.to_owned(), best.to_owned()))
        })
        .collect()
}

/// Builds the projection by querying the store.
pub fn build(kg: &Kg) -> Result<Projection> {
    let mut p = Projection::new();

    // Nodes, with the most specific kind: a class list in priority order.
    let typed = select(
        kg,
        "SELECT ?e ?class WHERE {
           VALUES ?class { mv:Organization mv:Company mv:Investor mv:GovernmentBody mv:Alliance mv:EducationBody
                           mv:Person mv:Product mv:Technology mv:Country mv:Policy }
           ?e a ?class . FILTER(isIRI(?e)) }",
    )?;
    let mut kinds: BTreeMap<String, (NodeKind, BTreeSet<String>)> = BTreeMap::new();
    for r in typed {
        let (Some(e), Some(class)) = (get(&r, 0), get(&r, 1)) else {
            continue;
        };
        let local = class.rsplit('#').next().unwrap_or(class).to_owned();
        let kind = match local.as_str() {
            "Person" => NodeKind::Person,
            "Product" => NodeKind::Product,
            "Technology" => NodeKind::Technology,
            "Country" => NodeKind::Country,
            "Policy" => NodeKind::Programme,
            _ => NodeKind::Organization,
        };
        let entry = kinds.entry(e.to_owned()).or_insert((kind, BTreeSet::new()));
        // An organisation type wins over a product typing of the same IRI; otherwise the first seen.
        if kind == NodeKind::Organization {
            entry.0 = kind;
        }
        entry.1.insert(local);
    }
    let labels = select(
        kg,
        "SELECT ?e ?l (LANG(?l) AS ?lang) ?pref WHERE {
           { ?e rdfs:label ?l BIND(1 AS ?pref) } UNION { ?e skos:prefLabel ?l BIND(2 AS ?pref) }
           UNION { ?e skos:altLabel ?l BIND(3 AS ?pref) } FILTER(isIRI(?e)) }",
    )?;
    let mut names: HashMap<String, Vec<(u8, String)>> = HashMap::new();
    for r in labels {
        let (Some(e), Some(l)) = (get(&r, 0), get(&r, 1)) else {
            continue;
        };
        if !kinds.contains_key(e) {
            continue;
        }
        let lang = get(&r, 2).unwrap_or("");
        let pref = get(&r, 3).and_then(|v| v.parse::<u8>().ok()).unwrap_or(3);
        // Rank: English rdfs:label first, then any rdfs:label, then the rest.
        let rank = match (pref, lang.starts_with("en")) {
            (1, true) => 0,
            (1, false) if lang.is_empty() => 1,
            (2, true) => 2,
            (1, false) => 3,
            _ => 4,
        };
        names.entry(e.to_owned()).or_default().push((rank, l.to_owned()));
    }
    let countries = select(
        kg,
        "SELECT ?e ?code WHERE { ?e mv:country ?c . OPTIONAL { ?c mv:iso3166 ?iso } BIND(COALESCE(STR(?iso), REPLACE(STR(?c), \"^.*/\", \"\")) AS ?code) }",
    )?;
    let mut country_of: HashMap<String, String> = HashMap::new();
    for r in countries {
        if let (Some(e), Some(c)) = (get(&r, 0), get(&r, 1)) {
            country_of.entry(e.to_owned()).or_insert_with(|| c.to_owned());
        }
    }
    let layers = select(kg, "SELECT ?t ?rank WHERE { ?t mv:layer ?l . ?l mv:layerRank ?rank }")?;
    let mut layer_of: HashMap<String, u8> = HashMap::new();
    for r in layers {
        if let (Some(t), Some(rank)) = (get(&r, 0), num(&r, 1)) {
            let rank = rank as u8;
            layer_of.entry(t.to_owned()).and_modify(|v| *v = (*v).min(rank)).or_insert(rank);
        }
    }
    for (iri, (kind, types)) in &kinds {
        let mut all = names.remove(iri).unwrap_or_default();
        all.sort();
        all.dedup_by(|a, b| a.1 == b.1);
        let label = all.first().map(|(_, l)| l.clone()).unwrap_or_else(|| crate::vocab::compact(iri));
        let mut node = Node::new(iri, *kind, &label);
        node.aliases = all.into_iter().skip(1).map(|(_, l)| l).filter(|l| l != &label).collect();
        node.types = types.iter().cloned().collect();
        node.country = if *kind == NodeKind::Country {
            Some(iri.rsplit('/').next().unwrap_or_default().to_owned())
        } else {
            country_of.get(iri).cloned()
        };
        node.layer = layer_of.get(iri).copied();
        p.add_node(node);
    }
    // Retired IRIs (`owl:sameAs` the kept one, data/CONVENTIONS.md) still find their node.
    for (retired, kept) in pairs(kg, "SELECT ?r ?k WHERE { ?r owl:sameAs ?k FILTER(isIRI(?r) && isIRI(?k)) }")? {
        p.add_retired_iri(&retired, &kept);
    }

    // Sources of events and of plain facts: the graphs that state the event, those that give the USD value an
    // edge carries (src:mvkg-curation for the curators' own conversions, cited as "mvkg curation"), and the
    // exchange-rate table such a conversion was computed from (mv:fxSource), so "mvkg curation" is cited with
    // what it was derived from.
    let event_sources = select(
        kg,
        "SELECT DISTINCT ?ev ?g WHERE { VALUES ?c { mv:Investment mv:Acquisition mv:Stake mv:Policy mv:Membership mv:Partnership }
           { GRAPH ?g { ?ev a ?c } } UNION { ?ev a ?c . GRAPH ?g { ?ev mv:amountUSD ?usd } }
           UNION { ?ev a ?c ; mv:fxSource ?g } }",
    )?;
    let mut sources_of: HashMap<String, Vec<String>> = HashMap::new();
    for r in event_sources {
        if let (Some(ev), Some(g)) = (get(&r, 0), get(&r, 1)) {
            sources_of.entry(ev.to_owned()).or_default().push(g.to_owned());
        }
    }
    for v in sources_of.values_mut() {
        v.sort();
        v.dedup();
    }
    let srcs = |ev: &str| sources_of.get(ev).cloned().unwrap_or_default();

    let add = |p: &mut Projection, from: &str, to: &str, e: Edge| {
        p.add_edge(from, to, e);
    };

    // What each event's amount measures (mv:amountScope; one per event, which validation checks: the first in IRI
    // order if not), and whose share a participant's share is (mv:shareOf).
    let mut scope_of: HashMap<String, AmountScope> = HashMap::new();
    for (ev, s) in pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:amountScope ?x } ORDER BY ?ev ?x")? {
        let scope = if s.ends_with("ParticipantShare") {
            AmountScope::ParticipantShare
        } else if s.ends_with("CumulativeTotal") {
            AmountScope::CumulativeTotal
        } else {
            AmountScope::RoundTotal
        };
        scope_of.entry(ev).or_insert(scope);
    }
    let share_of: HashSet<(String, String)> =
        pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:shareOf ?x }")?.into_iter().collect();
    let named_share: HashSet<&str> = share_of.iter().map(|(ev, _)| ev.as_str()).collect();
    let scope = |ev: &str| scope_of.get(ev).copied().unwrap_or_default();

    // Investments: one edge per (event, investor, investee), carrying the whole round: the smallest USD amount and
    // date the sources give, the smallest round type, and whether this investor is named lead. A participant's
    // share (mv:ParticipantShare) is carried by that participant's edge only: the other investors' edges of the
    // round have no amount. Each property is read
    // by its own scan and joined here: one SPARQL query joining them with three OPTIONALs took 50 s on half a million
    // rounds. Edges come in (event, investor, investee) order.
    let investees = pairs(kg, "SELECT ?ev ?x WHERE { ?ev a mv:Investment ; mv:investee ?x }")?;
    let named = pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:investor ?x }")?;
    let leads = pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:leadInvestor ?x }")?;
    let amounts = pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:amountUSD ?x }")?;
    let dates = pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:date ?x }")?;
    let coarse = select(
        kg,
        "SELECT ?ev ?x ?p WHERE { GRAPH ?g { ?ev mv:datePrecision ?p . ?ev mv:date ?x } FILTER(?p != \"day\") }",
    )?;
    let coarse: Vec<(&str, &str, &str)> =
        coarse.iter().filter_map(|r| Some((get(r, 0)?, get(r, 1)?, get(r, 2)?))).collect();
    let date_of = event_dates(&dates, &coarse);
    let round_types = pairs(kg, "SELECT ?ev ?x WHERE { ?ev mv:roundType ?x }")?;
    let mut investors_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (ev, x) in named.iter().chain(&leads) {
        investors_of.entry(ev.as_str()).or_default().push(x.as_str());
    }
    for v in investors_of.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let lead_pairs: HashSet<(&str, &str)> = leads.iter().map(|(e, x)| (e.as_str(), x.as_str())).collect();
    let mut amount_of: HashMap<&str, f64> = HashMap::new();
    for (ev, x) in &amounts {
        if let Ok(v) = x.parse::<f64>() {
            amount_of.entry(ev.as_str()).and_modify(|m| *m = m.min(v)).or_insert(v);
        }
    }
    let smallest = |rows: &'_ [(String, String)]| -> HashMap<String, String> {
        let mut m: HashMap<String, String> = HashMap::new();
        for (ev, x) in rows {
            match m.get_mut(ev) {
                Some(cur) if x < cur => *cur = x.clone(),
                Some(_) => {}
                None => {
                    m.insert(ev.clone(), x.clone());
                }
            }
        }
        m
    };
    let round_of = smallest(&round_types);
    let mut triples: Vec<(&str, &str, &str)> = Vec::new();
    for (ev, investee) in &investees {
        for investor in investors_of.get(ev.as_str()).map(Vec::as_slice).unwrap_or_default() {
            triples.push((ev.as_str(), investor, investee.as_str()));
        }
    }
    triples.sort_unstable();
    triples.dedup();
    for (ev, from, to) in triples {
        let mut e = Edge::new(EdgeKind::InvestsIn);
        e.event = Some(ev.to_owned());
        e.amount_scope = scope(ev);
        // Whose share: the investor mv:shareOf names, else the event's only investor.
        let own = e.amount_scope != AmountScope::ParticipantShare
            || share_of.contains(&(ev.to_owned(), from.to_owned()))
            || (!named_share.contains(ev) && investors_of.get(ev).is_some_and(|v| v.len() == 1));
        e.amount_usd = amount_of.get(ev).copied().filter(|_| own);
        e.date = date_of.get(ev).cloned();
        e.detail = round_of.get(ev).cloned();
        e.lead = lead_pairs.contains(&(ev, from));
        e.sources = srcs(ev);
        add(&mut p, from, to, e);
    }
    let acq = select(
        kg,
        "SELECT ?ev ?a ?t (MIN(?usd) AS ?amount) (SAMPLE(?st) AS ?status) WHERE {
           ?ev a mv:Acquisition ; mv:acquirer ?a ; mv:target ?t .
           OPTIONAL { ?ev mv:amountUSD ?usd } OPTIONAL { ?ev mv:status ?st }
         } GROUP BY ?ev ?a ?t",
    )?;
    for r in acq {
        let (Some(ev), Some(from), Some(to)) = (get(&r, 0), get(&r, 1), get(&r, 2)) else {
            continue;
        };
        let mut e = Edge::new(EdgeKind::Acquires);
        e.event = Some(ev.to_owned());
        e.amount_usd = num(&r, 3);
        e.amount_scope = scope(ev);
        e.date = date_of.get(ev).cloned();
        e.detail = get(&r, 4).map(str::to_owned);
        e.sources = srcs(ev);
        add(&mut p, from, to, e);
    }
    let stakes = select(
        kg,
        "SELECT ?ev ?h ?c (MAX(?pct) AS ?stake) (MIN(?usd) AS ?amount) WHERE {
           ?ev a mv:Stake ; mv:holder ?h ; mv:heldIn ?c .
           OPTIONAL { ?ev mv:stakePercent ?pct } OPTIONAL { ?ev mv:amountUSD ?usd }
         } GROUP BY ?ev ?h ?c",
    )?;
    for r in stakes {
        let (Some(ev), Some(from), Some(to)) = (get(&r, 0), get(&r, 1), get(&r, 2)) else {
            continue;
        };
        let mut e = Edge::new(EdgeKind::HoldsStakeIn);
        e.event = Some(ev.to_owned());
        e.stake = num(&r, 3);
        e.date = date_of.get(ev).cloned();
        e.amount_usd = num(&r, 4);
        e.amount_scope = scope(ev);
        e.sources = srcs(ev);
        add(&mut p, from, to, e);
    }
    let members =
        select(kg, "SELECT DISTINCT ?ev ?m ?a WHERE { ?ev a mv:Membership ; mv:member ?m ; mv:memberOf ?a }")?;
    for r in members {
        let (Some(ev), Some(from), Some(to)) = (get(&r, 0), get(&r, 1), get(&r, 2)) else {
            continue;
        };
        let mut e = Edge::new(EdgeKind::MemberOf);
        e.event = Some(ev.to_owned());
        e.date = date_of.get(ev).cloned();
        e.sources = srcs(ev);
        add(&mut p, from, to, e);
    }
    let partners =
        select(kg, "SELECT DISTINCT ?ev ?a ?b WHERE { ?ev a mv:Partnership ; mv:partner ?a, ?b . FILTER(?a != ?b) }")?;
    for r in partners {
        let (Some(ev), Some(from), Some(to)) = (get(&r, 0), get(&r, 1), get(&r, 2)) else {
            continue;
        };
        let mut e = Edge::new(EdgeKind::PartnersWith);
        e.event = Some(ev.to_owned());
        e.date = date_of.get(ev).cloned();
        e.sources = srcs(ev);
        add(&mut p, from, to, e);
    }
    let policies = select(
        kg,
        "SELECT ?ev ?issuer ?b (MIN(?usd) AS ?amount) WHERE { ?ev a mv:Policy .
           OPTIONAL { ?ev mv:issuedBy ?issuer } OPTIONAL { ?ev mv:beneficiary ?b }
           OPTIONAL { ?ev mv:amountUSD ?usd } } GROUP BY ?ev ?issuer ?b",
    )?;
    let mut seen_issuer: BTreeSet<(String, String)> = BTreeSet::new();
    for r in policies {
        let Some(ev) = get(&r, 0) else { continue };
        if let Some(issuer) = get(&r, 1) {
            if seen_issuer.insert((issuer.to_owned(), ev.to_owned())) {
                let mut e = Edge::new(EdgeKind::Funds);
                e.event = Some(ev.to_owned());
                e.amount_usd = num(&r, 3);
                e.amount_scope = scope(ev);
                e.date = date_of.get(ev).cloned();
                e.sources = srcs(ev);
                add(&mut p, issuer, ev, e);
            }
        }
        if let Some(b) = get(&r, 2) {
            let mut e = Edge::new(EdgeKind::Funds);
            e.event = Some(ev.to_owned());
            e.date = date_of.get(ev).cloned();
            e.sources = srcs(ev);
            add(&mut p, ev, b, e);
        }
    }

    // Plain facts, each with the graphs that state it.
    let facts = select(
        kg,
        "SELECT ?s ?p ?o ?g WHERE {
           VALUES ?p { mv:subsidiaryOf mv:developer mv:technology mv:country }
           GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o)) }",
    )?;
    let mut grouped: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for r in facts {
        let (Some(s), Some(pr), Some(o), Some(g)) = (get(&r, 0), get(&r, 1), get(&r, 2), get(&r, 3)) else {
            continue;
        };
        grouped.entry((s.to_owned(), pr.to_owned(), o.to_owned())).or_default().push(g.to_owned());
    }
    for ((s, pr, o), graphs) in grouped {
        let local = pr.rsplit('#').next().unwrap_or(&pr);
        let (kind, from, to) = match local {
            "subsidiaryOf" => (EdgeKind::SubsidiaryOf, &s, &o),
            "developer" => (EdgeKind::Develops, &o, &s),
            "technology" => (EdgeKind::UsesTechnology, &s, &o),
            "country" => (EdgeKind::LocatedIn, &s, &o),
            _ => continue,
        };
        // Events carry mv:technology and mv:country too; only entities make edges.
        if p.node(from).is_none() {
            continue;
        }
        let mut e = Edge::new(kind);
        let mut graphs = graphs;
        graphs.sort();
        graphs.dedup();
        e.sources = graphs;
        add(&mut p, from, to, e);
    }

    // The bibliography.
    let sources = select(
        kg,
        "SELECT ?s (SAMPLE(?t) AS ?title) (SAMPLE(?pub) AS ?publisher) (SAMPLE(?u) AS ?url) (SAMPLE(?i) AS ?issued) WHERE {
           ?s a mv:Source . OPTIONAL { ?s dcterms:title ?t } OPTIONAL { ?s dcterms:publisher ?pub }
           OPTIONAL { ?s schema:url ?u } OPTIONAL { ?s dcterms:issued ?i } } GROUP BY ?s",
    )?;
    for r in sources {
        let Some(s) = get(&r, 0) else { continue };
        p.sources.insert(
            s.to_owned(),
            SourceRef {
                iri: s.to_owned(),
                title: get(&r, 1).map(str::to_owned),
                publisher: get(&r, 2).map(str::to_owned),
                url: get(&r, 3).map(str::to_owned),
                issued: get(&r, 4).map(str::to_owned),
            },
        );
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(rows: &[(&str, &str)]) -> Vec<(String, String)> {
        rows.iter().map(|(e, d)| ((*e).to_owned(), (*d).to_owned())).collect()
    }

    #[test]
    fn a_date_given_to_the_month_yields_to_a_day_inside_it() {
        let d = dates(&[
            ("docomo", "2021-11-01"),
            ("docomo", "2021-11-15"),
            ("sony", "2020-01-01"),
            ("sony", "2020-07-01"),
            ("sony", "2020-07-09"),
            ("disputed", "2021-10-22"),
            ("disputed", "2021-11-01"),
            ("plain", "2019-05-28"),
            ("plain", "2019-05-01"),
        ]);
        let coarse = [
            ("docomo", "2021-11-01", "month"),
            ("sony", "2020-01-01", "year"),
            ("sony", "2020-07-01", "month"),
            ("disputed", "2021-11-01", "month"),
        ];
        let got = event_dates(&d, &coarse);
        assert_eq!(got["docomo"], "2021-11-15");
        assert_eq!(got["sony"], "2020-07-09");
        // A day outside the month is another report, not a refinement: the earliest stands.
        assert_eq!(got["disputed"], "2021-10-22");
        // Without a precision, the first of the month is a day like any other.
        assert_eq!(got["plain"], "2019-05-01");
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn two_coarse_dates_that_refine_each_other_fall_back_to_the_earliest() {
        let d = dates(&[("e", "2021-11-15"), ("e", "2021-11-01")]);
        let got = event_dates(&d, &[("e", "2021-11-15", "month"), ("e", "2021-11-01", "month")]);
        assert_eq!(got["e"], "2021-11-01");
    }
}
