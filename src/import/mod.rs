//! `mvkg import`: deal tables (CSV, TSV) merged into the sourced graph, resolved against what the store holds,
//! never double-counted, in one all-or-nothing write.
//!
//! The pipeline: [`decode`] turns bytes into text (encoding and line endings detected and reported), a
//! [`profile`] says what each column means (a built-in profile recognised from the header row, or a mapping file),
//! [`model`] reads each row into organisations, dates and amounts (flagging every doubtful value with its line),
//! [`resolve`] finds the organisations and deals the store already knows, and this module writes the quads: one
//! graph per imported table (described as an `mv:Source` with its publisher, licence, retrieval date and SHA-256),
//! or, for a row that cites its own news sources, one graph per cited source. Investor rows of one round become
//! one `mv:Investment` with several `mv:investor`s; the round's amount is stated once.
//!
//! A table whose bytes were imported before (same SHA-256 in the store) is left as it is; a newer version of it
//! replaces its graph, and the graphs of the sources that came in through it, in the same transaction as
//! everything else. `dry_run` computes the same report and writes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::load::Progress;
use crate::store::Kg;
use crate::vocab::{MV, MVD};

pub mod decode;
mod iso3;
pub mod model;
pub mod profile;
pub mod resolve;

use model::{DateValue, Flag, Row, RowReader};
use profile::{Profile, TableKind};
use resolve::{Existing, Resolver};

/// Graphs of imported tables and of the sources their rows cite live under this namespace.
pub const IMPORT_NS: &str = "https://w3id.org/mvkg/source/import/";

/// How to import.
#[derive(Clone, Default)]
pub struct Options {
    /// A built-in profile to use for every file instead of recognising one from the header.
    pub profile: Option<String>,
    /// A mapping file for every file.
    pub mapping: Option<PathBuf>,
    /// Compute the report, write nothing.
    pub dry_run: bool,
    /// The day of the import (retrieval date, and the limit past which a date is in the future).
    pub today: Option<DateValue>,
    /// Called with the running count of rows read.
    pub progress: Option<Progress>,
}

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// First import of this table.
    New,
    /// A newer version of a table imported before: its graph is replaced.
    Replaced,
    /// The same bytes were imported before: nothing changes.
    Unchanged,
}

/// One file of an import.
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub profile: String,
    pub encoding: String,
    /// Why that encoding.
    pub encoding_because: String,
    pub line_endings: String,
    pub sha256: String,
    pub graph: String,
    pub status: FileStatus,
    /// Data rows (not counting the header).
    pub rows: usize,
    /// Rows skipped as a whole (each has a flag).
    pub skipped: usize,
    /// Rows whose every cell is empty (trailing separators of a spreadsheet export), not counted in `rows`.
    pub blank: usize,
}

/// An imported deal found to be one already in the store.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventLink {
    pub file: String,
    pub line: u64,
    pub event: String,
}

/// The outcome of an import.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub dry_run: bool,
    /// Whether the store was written (false for a dry run and when every file was unchanged).
    pub committed: bool,
    pub files: Vec<FileReport>,
    pub rows: usize,
    /// Events (funding rounds and acquisitions) this import describes.
    pub events: usize,
    /// Of which new to the store.
    pub events_created: usize,
    /// Of which deals the store already held from curated sources (linked, not duplicated).
    pub events_linked: Vec<EventLink>,
    /// Rounds described by more than one row (investor rows of one round, a round in two tables).
    pub rounds_joined: usize,
    pub organizations: usize,
    pub organizations_created: usize,
    /// Mentions resolved to organisations that were in the store before.
    pub organizations_merged: Vec<resolve::OrgMatch>,
    pub ambiguous: Vec<resolve::Ambiguity>,
    /// Country codes the rows give that the store does not declare (left out), with their counts.
    pub countries_left_out: BTreeMap<String, usize>,
    pub flags: Vec<Flag>,
    /// Quads written (or that would be written).
    pub quads: usize,
    /// Graphs emptied first (newer versions of tables imported before).
    pub graphs_replaced: Vec<String>,
}

impl Report {
    /// Flag counts by reason, most frequent first.
    pub fn flag_summary(&self) -> Vec<(String, usize)> {
        let mut by: BTreeMap<String, usize> = BTreeMap::new();
        for f in &self.flags {
            let reason = if f.reason.starts_with("the date's year disagrees") {
                "the date's year disagrees with the year column".to_owned()
            } else if f.reason.starts_with("no currency for amount") {
                "no currency for the amount".to_owned()
            } else if f.reason.contains("titles for") {
                "titles cannot be paired with links".to_owned()
            } else {
                f.reason.clone()
            };
            *by.entry(format!("{reason}: {}", f.action)).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = by.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// Lower-case hexadecimal SHA-256.
pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// One table, read and ready to map.
struct Table {
    name: String,
    profile: Profile,
    graph: String,
    sha256: String,
    rows: Vec<Row>,
    report: usize,
}

fn nn(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

fn mv(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{MV}{local}"))
}

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const SKOS_ALT: &str = "http://www.w3.org/2004/02/skos/core#altLabel";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const DCT: &str = "http://purl.org/dc/terms/";
const SCHEMA_URL: &str = "https://schema.org/url";

fn typed(value: &str, datatype: &str) -> Term {
    Literal::new_typed_literal(value, nn(&format!("{XSD}{datatype}"))).into()
}

fn en(value: &str) -> Term {
    Literal::new_language_tagged_literal_unchecked(value, "en").into()
}

fn plain(value: &str) -> Term {
    Literal::new_simple_literal(value).into()
}

/// Collects quads, each once per graph.
#[derive(Default)]
struct Quads {
    seen: HashSet<Quad>,
    list: Vec<Quad>,
}

impl Quads {
    fn add(&mut self, s: &NamedNode, p: NamedNode, o: Term, g: &NamedNode) {
        let q = Quad::new(NamedOrBlankNode::NamedNode(s.clone()), p, o, g.clone());
        if self.seen.insert(q.clone()) {
            self.list.push(q);
        }
    }
}

/// A date as `xsd:date`, `xsd:gYearMonth` or `xsd:gYear` text for a source's `dcterms:issued`.
fn issued_term(s: &str) -> Option<Term> {
    let d = model::parse_date(s, "iso")?;
    Some(match d.precision {
        model::Precision::Day => typed(&d.iso(), "date"),
        model::Precision::Month => typed(&d.iso()[..7], "gYearMonth"),
        model::Precision::Year => typed(&d.iso()[..4], "gYear"),
    })
}

/// Imports `files` into `kg` in one transaction (or, with `dry_run`, reports what would happen).
pub fn import(kg: &Kg, files: &[PathBuf], opts: &Options) -> Result<Report> {
    let today = opts.today.unwrap_or_else(DateValue::today);
    let mapping = opts.mapping.as_deref().map(profile::read_mapping).transpose()?;
    let forced = match &opts.profile {
        None => None,
        Some(name) => Some(profile::by_name(name).ok_or_else(|| {
            let names: Vec<String> = profile::builtin().into_iter().map(|p| p.name).collect();
            Error::Format(format!("Unknown import profile `{name}`; the built-in profiles are {}", names.join(", ")))
        })?),
    };
    let mut ex = Existing::load_imports(kg)?;
    let mut report = Report { dry_run: opts.dry_run, ..Report::default() };
    let mut tables: Vec<Table> = Vec::new();
    let mut seen_sha: HashMap<String, String> = HashMap::new();
    let mut read_so_far = 0u64;

    for path in files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.clone(), source })?;
        let sha = hex_sha256(&bytes);
        let chosen = forced.clone().or_else(|| mapping.clone());
        let decoded = decode::decode(&bytes, chosen.as_ref().and_then(|p| p.encoding))
            .map_err(|message| Error::Import { file: name.clone(), line: 1, message })?;
        let delimiter = chosen.as_ref().and_then(|p| p.delimiter).unwrap_or_else(|| sniff_delimiter(&decoded.text));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(decoded.text.as_bytes());
        let mut records = reader.records();
        let header: Vec<String> = match records.next() {
            Some(Ok(h)) => h.iter().map(|s| s.trim().to_owned()).collect(),
            Some(Err(e)) => return Err(csv_error(&name, &e)),
            None => return Err(Error::Import { file: name, line: 1, message: "the file is empty".into() }),
        };
        let profile = match chosen {
            Some(p) => p,
            None => profile::recognise(&header).ok_or_else(|| Error::Import {
                file: name.clone(),
                line: 1,
                message: format!(
                    "no built-in profile has this header ({}); pass --profile NAME or --mapping FILE",
                    header.join(", ")
                ),
            })?,
        };
        let graph = format!("{IMPORT_NS}{}", graph_slug(&profile, path));
        let status = match ex.sha256.get(&graph) {
            Some(h) if *h == sha => FileStatus::Unchanged,
            Some(_) => FileStatus::Replaced,
            None => FileStatus::New,
        };
        let mut file_report = FileReport {
            file: name.clone(),
            profile: profile.name.clone(),
            encoding: decoded.encoding.name().to_owned(),
            encoding_because: decoded.because.to_owned(),
            line_endings: decoded.line_ending.name().to_owned(),
            sha256: sha.clone(),
            graph: graph.clone(),
            status: status.clone(),
            rows: 0,
            skipped: 0,
            blank: 0,
        };
        if let Some(other) = seen_sha.get(&sha) {
            return Err(Error::Import {
                file: name,
                line: 0,
                message: format!("the same bytes as {other}, given earlier in this import"),
            });
        }
        seen_sha.insert(sha.clone(), name.clone());
        if tables.iter().any(|t| t.graph == graph) {
            return Err(Error::Import {
                file: name,
                line: 0,
                message: format!(
                    "another file of this import also maps to the graph <{graph}>; import them separately"
                ),
            });
        }
        if status == FileStatus::Unchanged {
            report.files.push(file_report);
            continue;
        }
        let index: HashMap<String, usize> = header.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
        let rr = RowReader { profile: &profile, file: &name, today, index };
        rr.check_columns().map_err(|message| Error::Import { file: name.clone(), line: 1, message })?;
        let mut rows = Vec::new();
        for rec in records {
            let rec = rec.map_err(|e| csv_error(&name, &e))?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.iter().all(|c| c.trim().is_empty()) {
                file_report.blank += 1;
                continue;
            }
            file_report.rows += 1;
            read_so_far += 1;
            if let Some(p) = &opts.progress {
                if read_so_far.is_multiple_of(5_000) {
                    p(read_so_far);
                }
            }
            if rec.len() != header.len() {
                report.flags.push(Flag {
                    file: name.clone(),
                    line,
                    column: String::new(),
                    value: String::new(),
                    reason: format!("{} fields where the header has {}", rec.len(), header.len()),
                    action: "row skipped".into(),
                });
                file_report.skipped += 1;
                continue;
            }
            match rr.row(line, &rec, &mut report.flags) {
                Some(r) => rows.push(r),
                None => file_report.skipped += 1,
            }
        }
        report.rows += file_report.rows;
        report.files.push(file_report);
        let at = report.files.len() - 1;
        tables.push(Table { name, profile, graph, sha256: sha, rows, report: at });
    }

    if tables.is_empty() {
        return Ok(report);
    }
    let mut replace: BTreeSet<String> = BTreeSet::new();
    for t in &tables {
        if report.files[t.report].status == FileStatus::Replaced {
            replace.insert(t.graph.clone());
            for n in ex.via.get(&t.graph).into_iter().flatten() {
                replace.insert(n.clone());
            }
        }
    }
    ex.load_content(kg, &replace.iter().cloned().collect())?;
    let quads = build(&ex, &tables, today, &mut report);
    report.quads = quads.len();
    report.graphs_replaced = replace.iter().cloned().collect();
    if !opts.dry_run {
        let replace: Vec<NamedNode> = replace.iter().map(|g| nn(g)).collect();
        kg.replace_graphs(&replace, &quads)?;
        report.committed = true;
    }
    Ok(report)
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    Error::Import { file: file.to_owned(), line, message: format!("CSV error: {e}") }
}

/// Comma, tab or semicolon: whichever the header line holds most of.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    [b',', b'\t', b';'].into_iter().max_by_key(|d| first.bytes().filter(|b| b == d).count()).unwrap_or(b',')
}

/// The graph name of a table: the built-in profile's name, or the file's stem as a slug.
fn graph_slug(profile: &Profile, path: &Path) -> String {
    if profile.name != "mapping" {
        return profile.name.clone();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let key = resolve::name_key(&stem);
    resolve::slug(if key.is_empty() { "table" } else { &key })
}

/// The host of a URL, as the publisher of a cited page.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let h = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    h.strip_prefix("www.").unwrap_or(h).to_owned()
}

/// Builds every quad of the import and fills the report's counts.
fn build(ex: &Existing, tables: &[Table], today: DateValue, report: &mut Report) -> Vec<Quad> {
    let mut res = Resolver::default();
    let mut countries_left: BTreeMap<String, usize> = BTreeMap::new();
    let mut country_of = |raw: &Option<String>| -> Option<(String, Option<String>)> {
        let raw = raw.as_ref()?;
        match ex.country(raw) {
            Some((code, true)) => Some((code.clone(), ex.countries.get(&code).cloned())),
            Some((code, false)) => {
                *countries_left.entry(code.clone()).or_default() += 1;
                Some((code, None))
            }
            None => {
                *countries_left.entry(raw.clone()).or_default() += 1;
                None
            }
        }
    };

    // Resolve mentions: permalinked ones first (they define identities), then names alone.
    type Resolved = (usize, Option<String>);
    let mut resolved: HashMap<(usize, usize, bool), Resolved> = HashMap::new();
    for pass in [true, false] {
        for (ti, t) in tables.iter().enumerate() {
            for (ri, r) in t.rows.iter().enumerate() {
                for (is_other, m) in [(false, Some(&r.subject)), (true, r.other.as_ref())] {
                    let Some(m) = m else { continue };
                    if m.permalink.is_some() != pass {
                        continue;
                    }
                    let country = country_of(&m.country);
                    let code = country.as_ref().map(|(c, _)| c.as_str());
                    let org = res.resolve(m, code, ex, &t.name, r.line);
                    resolved.insert((ti, ri, is_other), (org, country.and_then(|(_, iri)| iri)));
                }
            }
        }
    }

    let mut q = Quads::default();
    let retrieved = typed(&today.iso(), "date");
    let rdf_type = nn(RDF_TYPE);
    let label = nn(RDFS_LABEL);
    // Which organisations have been described in which graph, and the permalinks and names given to existing ones.
    let mut described: HashSet<(usize, String)> = HashSet::new();
    // Event identity: key -> (IRI, rows joined).
    let mut event_rows: HashMap<String, usize> = HashMap::new();
    let mut event_iri_of_key: HashMap<String, String> = HashMap::new();
    let mut linked: HashSet<String> = HashSet::new();
    let mut orgs_used: BTreeSet<usize> = BTreeSet::new();

    for (ti, t) in tables.iter().enumerate() {
        let g = nn(&t.graph);
        let p = &t.profile;
        let file_name = Path::new(&t.name).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let fr = &report.files[t.report];
        // The table as a source.
        q.add(&g, rdf_type.clone(), mv("Source").into(), &g);
        let url = p.source.url.clone().unwrap_or_else(|| {
            let abs = std::fs::canonicalize(&t.name).unwrap_or_else(|_| PathBuf::from(&t.name));
            format!("file://{}", abs.display()).replace(' ', "%20")
        });
        if let Ok(u) = NamedNode::new(url.as_str()) {
            q.add(&g, nn(SCHEMA_URL), u.into(), &g);
        }
        let title = p.source.title.clone().unwrap_or_else(|| format!("Table {file_name}"));
        q.add(&g, nn(&format!("{DCT}title")), en(&title), &g);
        let publisher = p.source.publisher.clone().unwrap_or_else(|| "not stated (imported table)".into());
        q.add(&g, nn(&format!("{DCT}publisher")), plain(&publisher), &g);
        if let Some(l) = &p.source.license {
            q.add(&g, nn(&format!("{DCT}license")), plain(l), &g);
        }
        if let Some(i) = p.source.issued.as_deref().and_then(issued_term) {
            q.add(&g, nn(&format!("{DCT}issued")), i, &g);
        }
        q.add(&g, mv("retrieved"), retrieved.clone(), &g);
        q.add(&g, mv("sha256"), plain(&t.sha256), &g);
        q.add(&g, mv("sourceKind"), mv("ReferenceWork").into(), &g);
        let description = format!(
            "Imported by mvkg import from {file_name} (profile {}, {} by {}, {} line endings, {} rows).",
            p.name, fr.encoding, fr.encoding_because, fr.line_endings, fr.rows
        );
        q.add(&g, nn(&format!("{DCT}description")), en(&description), &g);

        for (ri, r) in t.rows.iter().enumerate() {
            // The graphs this row's facts go to: the sources it cites, else the table.
            let graphs: Vec<NamedNode> = if r.cites.is_empty() {
                vec![g.clone()]
            } else {
                r.cites
                    .iter()
                    .map(|c| {
                        let n = nn(&format!("{IMPORT_NS}news-{}", &hex_sha256(c.url.as_bytes())[..16]));
                        q.add(&n, rdf_type.clone(), mv("Source").into(), &n);
                        q.add(&n, nn(SCHEMA_URL), nn(&c.url).into(), &n);
                        q.add(&n, nn(&format!("{DCT}title")), en(c.title.as_deref().unwrap_or(&c.url)), &n);
                        q.add(&n, nn(&format!("{DCT}publisher")), plain(&host(&c.url)), &n);
                        q.add(&n, mv("sourceKind"), mv("SecondarySource").into(), &n);
                        q.add(&n, mv("importedVia"), g.clone().into(), &n);
                        n
                    })
                    .collect()
            };
            let (subj, subj_country) = resolved[&(ti, ri, false)].clone();
            let other = r.other.as_ref().map(|_| resolved[&(ti, ri, true)].clone());
            let mut describe = |org: usize, m: &model::Mention, country: &Option<String>, q: &mut Quads| {
                orgs_used.insert(org);
                let o = &res.orgs[org];
                let s = nn(&o.iri);
                for gr in &graphs {
                    if !described.insert((org, format!("{}|{:?}|{:?}", gr.as_str(), m.name, m.permalink))) {
                        continue;
                    }
                    if !o.existing {
                        let ty = if m.investor { "Investor" } else { "Company" };
                        q.add(&s, rdf_type.clone(), mv(ty).into(), gr);
                        if let Some(n) = &m.name {
                            q.add(&s, label.clone(), en(n), gr);
                        }
                    } else if let Some(n) = &m.name {
                        if !o.known_names.contains(n) {
                            q.add(&s, nn(SKOS_ALT), en(n), gr);
                        }
                    }
                    if let Some(c) = country {
                        if !o.existing {
                            q.add(&s, mv("country"), nn(c).into(), gr);
                        }
                    }
                    if let Some(pl) = &m.permalink {
                        if !o.known_permalinks.contains(pl) {
                            q.add(&s, mv("crunchbasePermalink"), plain(pl), gr);
                        }
                    }
                }
            };
            describe(subj, &r.subject, &subj_country, &mut q);
            if let (Some((o, oc)), Some(m)) = (&other, &r.other) {
                describe(*o, m, oc, &mut q);
            }
            if p.kind == TableKind::Organizations {
                continue;
            }
            // The event.
            let acquisition = p.kind == TableKind::Acquisitions;
            let subject_iri = res.orgs[subj].iri.clone();
            let other_iri = other.as_ref().map(|(o, _)| res.orgs[*o].iri.clone());
            let key = if acquisition {
                format!("acquisition|{}|{}", other_iri.clone().unwrap_or_default(), subject_iri)
            } else {
                format!(
                    "investment|{}|{}|{}",
                    subject_iri,
                    r.date.map(|d| d.iso()).unwrap_or_default(),
                    r.amount.as_ref().map(|(a, c)| format!("{} {c}", model::decimal(*a))).unwrap_or_default()
                )
            };
            *event_rows.entry(key.clone()).or_default() += 1;
            let event = match event_iri_of_key.get(&key) {
                Some(e) => e.clone(),
                None => {
                    let others: Vec<String> = other_iri.iter().cloned().collect();
                    let e = match resolve::link_event(ex, acquisition, &subject_iri, &others, r.date) {
                        Some(found) => {
                            if linked.insert(found.iri.clone()) {
                                report.events_linked.push(EventLink {
                                    file: t.name.clone(),
                                    line: r.line,
                                    event: found.iri.clone(),
                                });
                            }
                            found.iri.clone()
                        }
                        None => format!("{MVD}ev-imp-{}", &hex_sha256(key.as_bytes())[..16]),
                    };
                    event_iri_of_key.insert(key.clone(), e.clone());
                    e
                }
            };
            let e = nn(&event);
            // Events found in the curated data keep their own labels.
            let own = event.starts_with(&format!("{MVD}ev-imp-"));
            let subject_name = r.subject.name.clone().or_else(|| r.subject.permalink.clone()).unwrap_or_default();
            for gr in &graphs {
                if acquisition {
                    let acquirer = r.other.as_ref().and_then(|m| m.name.clone().or_else(|| m.permalink.clone()));
                    q.add(&e, rdf_type.clone(), mv("Acquisition").into(), gr);
                    if let (Some(a), true) = (&acquirer, own) {
                        q.add(&e, label.clone(), en(&format!("{a} acquires {subject_name}")), gr);
                    }
                    q.add(&e, mv("target"), nn(&subject_iri).into(), gr);
                    if let Some(a) = &other_iri {
                        q.add(&e, mv("acquirer"), nn(a).into(), gr);
                    }
                } else {
                    q.add(&e, rdf_type.clone(), mv("Investment").into(), gr);
                    if own {
                        let when = r.date.map(|d| format!(", {}", d.iso())).unwrap_or_default();
                        q.add(&e, label.clone(), en(&format!("{subject_name} funding round{when}")), gr);
                    }
                    q.add(&e, mv("investee"), nn(&subject_iri).into(), gr);
                    if let Some(a) = &other_iri {
                        q.add(&e, mv("investor"), nn(a).into(), gr);
                        if r.lead {
                            q.add(&e, mv("leadInvestor"), nn(a).into(), gr);
                        }
                    }
                    if let Some(rt) = &r.round_type {
                        q.add(&e, mv("roundType"), plain(rt), gr);
                    }
                }
                if let Some(d) = r.date {
                    q.add(&e, mv("date"), typed(&d.iso(), "date"), gr);
                    q.add(&e, mv("datePrecision"), plain(d.precision.name()), gr);
                }
                if let Some((a, cur)) = &r.amount {
                    q.add(&e, mv("amount"), typed(&model::decimal(*a), "decimal"), gr);
                    // A table's amount is the round's size or the deal's price (repeated on each investor's row
                    // in the investments table, stated once here), never one participant's part.
                    q.add(&e, mv("amountScope"), mv("RoundTotal").into(), gr);
                    q.add(&e, mv("currency"), plain(cur), gr);
                    if cur == "USD" {
                        q.add(&e, mv("amountUSD"), typed(&model::decimal(*a), "decimal"), gr);
                    }
                }
                if let Some(s) = r.status {
                    q.add(&e, mv("status"), plain(s), gr);
                }
            }
        }
    }
    let events: BTreeSet<&String> = event_iri_of_key.values().collect();
    report.events = events.len();
    report.events_created = events.iter().filter(|e| !ex.event_iris.contains(**e)).count();
    report.rounds_joined = {
        // Keys that several rows described, counted once per event.
        let mut joined: BTreeSet<&String> = BTreeSet::new();
        for (k, n) in &event_rows {
            if *n > 1 && k.starts_with("investment|") {
                joined.insert(&event_iri_of_key[k]);
            }
        }
        joined.len()
    };
    report.organizations = orgs_used.len();
    report.organizations_created = orgs_used.iter().filter(|o| !res.orgs[**o].existing).count();
    report.organizations_merged = res.matches.into_values().collect();
    report.ambiguous = res.ambiguities;
    report.countries_left_out = countries_left;
    q.list
}
