//! Loading RDF into the store: format detection, parsing with positions, and all-or-nothing commits.
//!
//! Every input is parsed while it streams into oxigraph's bulk loader, which stages the data in files and only
//! makes it visible at commit: a syntax error on the last line of the last file leaves the store exactly as it was.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::Kg;

pub mod bundled;

/// One thing to load.
pub struct LoadInput {
    /// How errors and summaries name it (a path, or `<stdin>`).
    pub name: String,
    pub data: InputData,
    pub format: RdfFormat,
    /// Graph for the triples of a triple format (or the default-graph part of a quad format).
    pub graph: Option<String>,
}

/// Where the bytes come from.
pub enum InputData {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

impl LoadInput {
    /// A file, its format chosen by `format` (a name or media type) or else by its extension.
    pub fn file(path: &Path, format: Option<&str>, graph: Option<&str>) -> Result<LoadInput> {
        if path.is_dir() {
            return Err(Error::Format(format!(
                "{} is a directory, not an RDF file; name the files in it (for example {}/*.ttl)",
                path.display(),
                path.display()
            )));
        }
        let format = match format {
            Some(f) => parse_rdf_format(f)?,
            None => format_from_path(path)?,
        };
        Ok(LoadInput {
            name: path.display().to_string(),
            data: InputData::Path(path.to_owned()),
            format,
            graph: graph.map(str::to_owned),
        })
    }

    /// In-memory bytes.
    pub fn bytes(name: &str, bytes: Vec<u8>, format: RdfFormat, graph: Option<&str>) -> LoadInput {
        LoadInput { name: name.to_owned(), data: InputData::Bytes(bytes), format, graph: graph.map(str::to_owned) }
    }
}

/// The RDF formats by the names `--format` accepts.
pub const RDF_FORMAT_NAMES: &[(&str, RdfFormat)] = &[
    ("turtle", RdfFormat::Turtle),
    ("ttl", RdfFormat::Turtle),
    ("trig", RdfFormat::TriG),
    ("ntriples", RdfFormat::NTriples),
    ("nt", RdfFormat::NTriples),
    ("nquads", RdfFormat::NQuads),
    ("nq", RdfFormat::NQuads),
    ("rdfxml", RdfFormat::RdfXml),
    ("rdf", RdfFormat::RdfXml),
    ("n3", RdfFormat::N3),
];

/// Parses a format name (`turtle`, `trig`, `jsonld`, ...), an extension or a media type.
pub fn parse_rdf_format(name: &str) -> Result<RdfFormat> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, f)) = RDF_FORMAT_NAMES.iter().find(|(n, _)| *n == lower) {
        return Ok(*f);
    }
    if lower == "jsonld" || lower == "json-ld" {
        return Ok(jsonld());
    }
    RdfFormat::from_extension(&lower).or_else(|| RdfFormat::from_media_type(&lower)).ok_or_else(|| {
        Error::Format(format!("Unknown RDF format `{name}`: use turtle, trig, ntriples, nquads, rdfxml, jsonld or n3"))
    })
}

/// Picks the format from a file's extension.
pub fn format_from_path(path: &Path) -> Result<RdfFormat> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let found = match ext.as_str() {
        "json" => Some(jsonld()),
        "owl" | "xml" => Some(RdfFormat::RdfXml),
        e => RdfFormat::from_extension(e),
    };
    found.ok_or_else(|| {
        Error::Format(format!(
            "Cannot tell the RDF format of {} from its extension; pass --format \
             (turtle, trig, ntriples, nquads, rdfxml, jsonld)",
            path.display()
        ))
    })
}

/// What a load added.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct LoadSummary {
    /// Quads read per input, in input order.
    pub files: Vec<(String, u64)>,
    /// Quads read per graph (`default` for the default graph).
    pub graphs: BTreeMap<String, u64>,
    pub total: u64,
}

/// Callback receiving the running count of quads read.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// Loads every input in one all-or-nothing transaction.
pub fn load(kg: &Kg, inputs: Vec<LoadInput>, progress: Option<Progress>) -> Result<LoadSummary> {
    let counts = Arc::new(Mutex::new(LoadSummary::default()));
    let quads = quads_of(inputs, Arc::clone(&counts), progress);
    kg.bulk_load(quads)?;
    let summary = counts.lock().map(|s| s.clone()).unwrap_or_default();
    Ok(summary)
}

/// Parses every input fully without touching any store, returning the quads (for validation of files).
pub fn parse_all(inputs: Vec<LoadInput>) -> Result<Vec<Quad>> {
    let counts = Arc::new(Mutex::new(LoadSummary::default()));
    quads_of(inputs, counts, None).filter(|q| !q.as_ref().is_ok_and(Kg::is_union)).collect()
}

/// Loads the bundled ontology and dataset.
pub fn load_bundled(kg: &Kg) -> Result<LoadSummary> {
    load(kg, bundled::inputs()?, None)
}

/// A lazy iterator over the quads of all inputs that keeps the summary up to date.
fn quads_of(
    inputs: Vec<LoadInput>,
    counts: Arc<Mutex<LoadSummary>>,
    progress: Option<Progress>,
) -> impl Iterator<Item = Result<Quad>> {
    let mut seen: u64 = 0;
    inputs.into_iter().flat_map(move |input| {
        let name = input.name.clone();
        let counts = Arc::clone(&counts);
        if let Ok(mut c) = counts.lock() {
            c.files.push((name.clone(), 0));
        }
        let parsed: Box<dyn Iterator<Item = Result<Quad>>> = match open_quads(input) {
            Ok(it) => it,
            Err(e) => Box::new(std::iter::once(Err(e))),
        };
        let progress = progress.clone();
        let union = NamedNode::new_unchecked(crate::vocab::UNION_GRAPH);
        parsed.flat_map(move |q| {
            let q = match q {
                Ok(q) => q,
                Err(e) => return vec![Err(e)],
            };
            seen += 1;
            if let Ok(mut c) = counts.lock() {
                let g = match &q.graph_name {
                    GraphName::DefaultGraph => "default".to_owned(),
                    GraphName::NamedNode(n) => n.as_str().to_owned(),
                    GraphName::BlankNode(b) => format!("_:{}", b.as_str()),
                };
                *c.graphs.entry(g).or_default() += 1;
                if let Some(last) = c.files.last_mut() {
                    last.1 += 1;
                }
                c.total += 1;
            }
            if let Some(p) = &progress {
                if seen.is_multiple_of(10_000) {
                    p(seen);
                }
            }
            if Kg::is_union(&q) {
                return vec![Err(Error::Format(format!(
                    "{name}: the graph <{}> is kept by mvkg (each sourced fact once) and cannot be loaded; put \
                     the facts in a source graph",
                    crate::vocab::UNION_GRAPH
                )))];
            }
            // Facts of the default graph are queried where they are; only source graphs are merged.
            if q.graph_name.is_default_graph() {
                return vec![Ok(q)];
            }
            let copy = Quad::new(q.subject.clone(), q.predicate.clone(), q.object.clone(), union.clone());
            vec![Ok(q), Ok(copy)]
        })
    })
}

fn open_quads(input: LoadInput) -> Result<Box<dyn Iterator<Item = Result<Quad>>>> {
    let mut parser = RdfParser::from_format(input.format).rename_blank_nodes();
    if let Some(g) = &input.graph {
        let node = NamedNode::new(g.as_str()).map_err(|e| Error::Format(format!("Invalid --graph IRI <{g}>: {e}")))?;
        parser = parser.with_default_graph(node);
    }
    let reader: Box<dyn Read> = match input.data {
        InputData::Path(p) => {
            let f = File::open(&p).map_err(|source| Error::Read { path: p.clone(), source })?;
            Box::new(BufReader::with_capacity(1 << 20, f))
        }
        InputData::Bytes(b) => Box::new(std::io::Cursor::new(b)),
    };
    let name = input.name;
    Ok(Box::new(parser.for_reader(reader).map(move |r| r.map_err(|e| parse_error(&name, e)))))
}

fn parse_error(file: &str, e: RdfParseError) -> Error {
    match e {
        RdfParseError::Io(source) => Error::Read { path: PathBuf::from(file), source },
        RdfParseError::Syntax(s) => {
            let message = s.to_string();
            let (line, column) = s
                .location()
                .map(|r| (r.start.line + 1, r.start.column + 1))
                .or_else(|| locate_quoted(Path::new(file), &message))
                .unwrap_or((0, 0));
            Error::Syntax { file: file.to_owned(), line, column, message }
        }
    }
}

/// Where a parser that gives no position (RDF/XML) went wrong, found by the first value its message quotes
/// (`error while parsing IRI 'bad iri'`): the 1-based line and column of that value's first occurrence in the file.
/// `None` when the message quotes nothing or the file is not readable (standard input).
fn locate_quoted(path: &Path, message: &str) -> Option<(u64, u64)> {
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    let needle = &message[start..start + len];
    if needle.is_empty() || !path.is_file() {
        return None;
    }
    let text = std::fs::read(path).ok()?;
    let at = text.windows(needle.len()).position(|w| w == needle.as_bytes())?;
    let before = &text[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() as u64 + 1;
    Some((line, column))
}

/// The JSON-LD format (plain profile).
pub fn jsonld() -> RdfFormat {
    RdfFormat::from_extension("jsonld").expect("oxigraph knows JSON-LD")
}
