//! The persistent store: an embedded oxigraph database on RocksDB, and the only module that names oxigraph's
//! storage types.
//!
//! A store is a directory. Read-only opens may run side by side and next to one writer; a second writer is refused
//! with [`Error::StoreLocked`] instead of RocksDB's raw lock message. A store that does not exist yet is built from
//! the bundled data in a temporary directory next to it and moved into place, so a crash during the first use never
//! leaves a half-loaded store behind.

use std::fs;
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedNodeRef, Quad};
use oxigraph::store::{StorageError, Store};

use crate::error::{Error, Result};

/// How a command needs the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Queries only; many readers may share the store, also while a writer works.
    Read,
    /// Loads and updates; one writer at a time.
    Write,
}

/// What to put into a store that is being created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initial {
    /// The bundled ontology and dataset.
    Bundled,
    /// Nothing.
    Empty,
}

/// The name of the file inside the store directory that changes on every write made through mvkg. The graph
/// projection records it, so a stale projection is detected and rebuilt.
const GENERATION_FILE: &str = "mvkg-generation";

/// An open knowledge graph store.
pub struct Kg {
    store: Store,
    path: PathBuf,
    access: Access,
}

impl std::fmt::Debug for Kg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kg").field("path", &self.path).field("access", &self.access).finish()
    }
}

impl Kg {
    /// Opens the store at `path`; creates it from the bundled data first when it does not exist yet.
    pub fn open(path: &Path, access: Access) -> Result<Kg> {
        if !exists(path) {
            create(path, Initial::Bundled)?;
        }
        Kg::open_existing(path, access)
    }

    /// Opens an existing store, never creating one.
    pub fn open_existing(path: &Path, access: Access) -> Result<Kg> {
        if !exists(path) {
            return Err(Error::StoreMissing { path: path.to_owned() });
        }
        let store = match access {
            Access::Read => Store::open_read_only(path),
            Access::Write => Store::open(path),
        }
        .map_err(|e| storage_error(path, &e))?;
        Ok(Kg { store, path: path.to_owned(), access })
    }

    /// (Re)creates the store at `path`. With `force`, an existing store is replaced — but only once the new one is
    /// complete; without it, an existing store is an error.
    pub fn init(path: &Path, initial: Initial, force: bool) -> Result<Kg> {
        if exists(path) && !force {
            return Err(Error::Storage {
                path: path.to_owned(),
                message: "a store already exists here; pass --force to rebuild it".into(),
            });
        }
        create(path, initial)?;
        Kg::open_existing(path, Access::Write)
    }

    /// An in-memory store, for validating files before they are loaded and for tests.
    pub fn in_memory() -> Result<Kg> {
        let store = Store::new().map_err(|e| storage_error(Path::new(":memory:"), &e))?;
        Ok(Kg { store, path: PathBuf::from(":memory:"), access: Access::Write })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    pub(crate) fn inner(&self) -> &Store {
        &self.store
    }

    pub(crate) fn storage_error(&self, e: &dyn std::error::Error) -> Error {
        storage_error(&self.path, e)
    }

    /// Number of quads in the store, not counting mvkg's union graph.
    pub fn len(&self) -> Result<usize> {
        let all = self.store.len().map_err(|e| storage_error(&self.path, &e))?;
        Ok(all - self.union_len()?)
    }

    fn union_node() -> NamedNodeRef<'static> {
        NamedNodeRef::new_unchecked(crate::vocab::UNION_GRAPH)
    }

    /// Number of distinct facts (triples of the union graph).
    pub fn union_len(&self) -> Result<usize> {
        let mut n = 0;
        for q in self.store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(Self::union_node()))) {
            q.map_err(|e| storage_error(&self.path, &e))?;
            n += 1;
        }
        Ok(n)
    }

    /// Whether a quad belongs to the union graph.
    pub(crate) fn is_union(q: &Quad) -> bool {
        matches!(&q.graph_name, oxigraph::model::GraphName::NamedNode(n) if n.as_str() == crate::vocab::UNION_GRAPH)
    }

    /// Brings the union graph in step with the source graphs after an arbitrary update: adds what is new and
    /// removes what no source graph states any more.
    pub(crate) fn resync_union(&self) -> Result<()> {
        let u = crate::vocab::UNION_GRAPH;
        let add =
            format!("INSERT {{ GRAPH <{u}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{u}>) }}");
        let remove = format!(
            "DELETE {{ GRAPH <{u}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{u}> {{ ?s ?p ?o }} \
             FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{u}>) }} }}"
        );
        for text in [add, remove] {
            oxigraph::sparql::SparqlEvaluator::new()
                .parse_update(&text)
                .map_err(|e| Error::Evaluation(e.to_string()))?
                .on_store(&self.store)
                .execute()
                .map_err(|e| Error::Evaluation(e.to_string()))?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// An opaque stamp that changes whenever mvkg writes to the store.
    pub fn generation(&self) -> String {
        generation_at(&self.path)
    }

    /// Records that the store changed (called after every successful write).
    pub(crate) fn bump_generation(&self) -> Result<()> {
        if self.path == Path::new(":memory:") {
            return Ok(());
        }
        let stamp = new_stamp();
        fs::write(self.path.join(GENERATION_FILE), stamp).map_err(|e| storage_error(&self.path, &e))
    }

    /// Streams quads into the store through the bulk loader and commits only when every quad was read: an error
    /// from the iterator (a syntax error in a file) leaves the store untouched.
    pub(crate) fn bulk_load(&self, quads: impl Iterator<Item = Result<Quad>>) -> Result<()> {
        let mut loader = self.store.bulk_loader();
        match loader.load_ok_quads::<Error, LoadFail>(quads) {
            Ok(()) => {}
            Err(LoadFail::Input(e)) => return Err(e),
            Err(LoadFail::Storage(e)) => return Err(storage_error(&self.path, &e)),
        }
        loader.commit().map_err(|e| storage_error(&self.path, &e))
    }

    /// Whether a named graph holds any data (the Graph Store Protocol's "exists").
    pub(crate) fn has_graph(&self, graph: &NamedNode) -> Result<bool> {
        self.store.contains_named_graph(graph).map_err(|e| storage_error(&self.path, &e))
    }

    /// Writes `quads` (all in `graph`) in one transaction, first emptying the graph when `replace`; then brings the
    /// union graph in step and records the change. Returns whether the graph existed before.
    pub(crate) fn write_graph(&self, graph: &GraphName, quads: &[Quad], replace: bool) -> Result<bool> {
        let err = |e: StorageError| storage_error(&self.path, &e);
        let existed = match graph {
            GraphName::NamedNode(n) => self.has_graph(n)?,
            _ => true,
        };
        let mut t = self.store.start_transaction().map_err(err)?;
        if replace {
            t.clear_graph(graph).map_err(err)?;
        }
        if let GraphName::NamedNode(n) = graph {
            t.insert_named_graph(n);
        }
        t.extend(quads.iter());
        t.commit().map_err(err)?;
        self.after_write()?;
        Ok(existed)
    }

    /// In one transaction: empties each graph of `replace`, then inserts `quads` (named graphs only).
    pub(crate) fn write_graphs(&self, replace: &[NamedNode], quads: &[Quad]) -> Result<()> {
        let err = |e: StorageError| storage_error(&self.path, &e);
        let mut t = self.store.start_transaction().map_err(err)?;
        for g in replace {
            t.clear_graph(GraphNameRef::NamedNode(g.as_ref())).map_err(err)?;
        }
        t.extend(quads.iter().filter(|q| !q.graph_name.is_default_graph()));
        t.commit().map_err(err)?;
        self.after_write()
    }

    /// Removes a named graph and its data; returns whether it existed.
    pub(crate) fn drop_graph(&self, graph: &NamedNode) -> Result<bool> {
        if !self.has_graph(graph)? {
            return Ok(false);
        }
        self.store.remove_named_graph(graph).map_err(|e| storage_error(&self.path, &e))?;
        self.after_write()?;
        Ok(true)
    }

    fn after_write(&self) -> Result<()> {
        self.resync_union()?;
        self.bump_generation()
    }

    /// Flushes pending writes to disk.
    pub fn flush(&self) -> Result<()> {
        if self.access == Access::Write && self.path != Path::new(":memory:") {
            self.store.flush().map_err(|e| storage_error(&self.path, &e))?;
        }
        Ok(())
    }
}

/// Why a bulk load stopped: bad input, or the storage layer.
enum LoadFail {
    Input(Error),
    Storage(StorageError),
}

impl From<Error> for LoadFail {
    fn from(e: Error) -> Self {
        LoadFail::Input(e)
    }
}

impl From<StorageError> for LoadFail {
    fn from(e: StorageError) -> Self {
        LoadFail::Storage(e)
    }
}

/// The generation stamp of the store directory at `path` (see [`Kg::generation`]), read without opening the store;
/// empty when there is none.
pub fn generation_at(path: &Path) -> String {
    fs::read_to_string(path.join(GENERATION_FILE)).unwrap_or_default()
}

/// Whether a store directory exists at `path`.
pub fn exists(path: &Path) -> bool {
    path.join("CURRENT").is_file()
}

fn new_stamp() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{now}-{}", std::process::id())
}

/// Builds a store in a sibling temporary directory, then moves it into place.
fn create(path: &Path, initial: Initial) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| storage_error(path, &e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    let tmp = parent.join(format!(".{name}.building-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| storage_error(&tmp, &e))?;
    }
    let built = (|| -> Result<()> {
        let store = Store::open(&tmp).map_err(|e| storage_error(&tmp, &e))?;
        let kg = Kg { store, path: tmp.clone(), access: Access::Write };
        if initial == Initial::Bundled {
            crate::load::load_bundled(&kg)?;
        }
        kg.flush()?;
        fs::write(tmp.join(GENERATION_FILE), new_stamp()).map_err(|e| storage_error(&tmp, &e))?;
        Ok(())
    })();
    if let Err(e) = built {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if exists(path) {
        // Refuse to replace a store that a writer holds.
        if let Err(e) = Store::open(path) {
            let _ = fs::remove_dir_all(&tmp);
            return Err(storage_error(path, &e));
        }
        fs::remove_dir_all(path).map_err(|e| storage_error(path, &e))?;
    } else if path.exists() && path.read_dir().map(|mut d| d.next().is_some()).unwrap_or(true) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(Error::Storage {
            path: path.to_owned(),
            message: "the directory exists and is not an mvkg store; choose another --store path".into(),
        });
    } else if path.exists() {
        fs::remove_dir(path).map_err(|e| storage_error(path, &e))?;
    }
    fs::rename(&tmp, path).map_err(|e| storage_error(path, &e))?;
    Ok(())
}

/// Turns a storage error into ours, recognising RocksDB's lock failure.
fn storage_error(path: &Path, e: &dyn std::error::Error) -> Error {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    if message.contains("lock file") || message.contains("LOCK") || message.contains("Resource temporarily unavailable")
    {
        return Error::StoreLocked { path: path.to_owned() };
    }
    Error::Storage { path: path.to_owned(), message }
}
