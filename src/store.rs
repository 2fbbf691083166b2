//! The persistent store: an embedded oxigraph database on RocksDB, and the only module that names oxigraph's
//! storage types.
//!
//! A store is a directory. Read-only opens may run side by side and next to one writer; a second writer is refused
//! with [`Error::StoreLocked`] instead of RocksDB's raw lock message. A store that does not exist yet is built from
//! the bundled data in a temporary directory next to it and moved into place, so a crash during the first use never
//! leaves a half-loaded store behind.

use std::fs::{self, File};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedNodeRef, Quad};
use oxigraph::store::{StorageError, Store};

use crate::error::{Error, Result};

mod update;

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

/// The prefix of a generation stamp written before a write commits: while it is there, the store may hold data
/// newer than any projection, so nothing is cached under it. The write replaces it with the plain stamp once it
/// has committed (or failed); a writer killed in between leaves it, and the next reader or writer that finds no
/// writer holding [`WRITE_LOCK_FILE`] settles it to a fresh stamp. So no crash can leave a stamp that names data
/// the store does not hold.
const PENDING: &str = "pending-";

/// The file a writer holds an exclusive lock on from marking the stamp pending until it has settled it.
const WRITE_LOCK_FILE: &str = "mvkg-write.lock";

/// An open knowledge graph store.
pub struct Kg {
    store: Store,
    path: PathBuf,
    access: Access,
    /// The generation the data this handle sees belongs to: read before the store was opened (a read-only handle
    /// sees the store as it was then), and set by this handle's own writes.
    generation: Mutex<String>,
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
        // The stamp is read before opening: the data a read-only handle sees can only be as new as the stamp or
        // newer, and a newer store has another stamp, so a projection cached under this one is never stale.
        let generation = Mutex::new(generation_at(path));
        let store = match access {
            Access::Read => Store::open_read_only(path),
            Access::Write => Store::open(path),
        }
        .map_err(|e| storage_error(path, &e))?;
        if access == Access::Write {
            // This process now holds the store's only write lock: whatever a killed or failed run left behind can go.
            remove_leftovers(path);
        }
        Ok(Kg { store, path: path.to_owned(), access, generation })
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
        Ok(Kg { store, path: PathBuf::from(":memory:"), access: Access::Write, generation: Mutex::default() })
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

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// An opaque stamp of the data this handle sees; it changes whenever mvkg writes to the store. Empty when no
    /// stamp can be trusted (an in-memory store, or a write under way when the store was opened).
    pub fn generation(&self) -> String {
        self.generation.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Starts a write: takes the write lock and marks the stamp pending before anything changes, so that a crash
    /// at any later point leaves a stamp no cache trusts. Dropping the guard settles the stamp.
    pub(crate) fn begin_write(&self) -> Result<WriteGuard<'_>> {
        if self.path == Path::new(":memory:") {
            return Ok(WriteGuard { kg: self, lock: None, stamp: String::new() });
        }
        let err = |e: std::io::Error| storage_error(&self.path, &e);
        let lock = File::options().create(true).truncate(false).write(true).open(self.path.join(WRITE_LOCK_FILE));
        let lock = lock.map_err(err)?;
        lock.lock().map_err(err)?;
        let stamp = new_stamp();
        write_synced(&self.path.join(GENERATION_FILE), &format!("{PENDING}{stamp}")).map_err(err)?;
        Ok(WriteGuard { kg: self, lock: Some(lock), stamp })
    }

    /// Streams quads into the store through the bulk loader and commits only when every quad was read: an error
    /// from the iterator (a syntax error in a file) leaves the store untouched.
    pub(crate) fn bulk_load(&self, quads: impl Iterator<Item = Result<Quad>>) -> Result<()> {
        let _write = self.begin_write()?;
        let loaded = (|| {
            let mut loader = self.store.bulk_loader();
            match loader.load_ok_quads::<Error, LoadFail>(quads) {
                Ok(()) => {}
                Err(LoadFail::Input(e)) => return Err(e),
                Err(LoadFail::Storage(e)) => return Err(storage_error(&self.path, &e)),
            }
            loader.commit().map_err(|e| storage_error(&self.path, &e))
        })();
        if loaded.is_err() {
            // The loader stages its files in the store directory and leaves them when it fails.
            remove_staging(&self.path);
        }
        loaded
    }

    /// Whether a named graph holds any data (the Graph Store Protocol's "exists").
    pub(crate) fn has_graph(&self, graph: &NamedNode) -> Result<bool> {
        self.store.contains_named_graph(graph).map_err(|e| storage_error(&self.path, &e))
    }

    /// Writes `quads` (all in `graph`) in one transaction, first emptying the graph when `replace`, with the union
    /// graph kept in step in the same transaction. Returns whether the graph existed before.
    pub(crate) fn write_graph(&self, graph: &GraphName, quads: &[Quad], replace: bool) -> Result<bool> {
        let existed = match graph {
            GraphName::NamedNode(n) => self.has_graph(n)?,
            _ => true,
        };
        let replace: Vec<GraphName> = if replace { vec![graph.clone()] } else { Vec::new() };
        self.write_graphs(&replace, quads, graph)?;
        Ok(existed)
    }

    /// In one transaction: empties each graph of `replace`, then inserts `quads`, creating `declare` when it is a
    /// named graph even if `quads` is empty; the union graph changes in the same transaction.
    pub(crate) fn write_graphs(&self, replace: &[GraphName], quads: &[Quad], declare: &GraphName) -> Result<()> {
        let _write = self.begin_write()?;
        let err = |e: StorageError| storage_error(&self.path, &e);
        let mut t = self.store.start_transaction().map_err(err)?;
        let mut w = update::Writer::new(&mut t, &self.path);
        for g in replace {
            w.clear(g.as_ref())?;
        }
        if let GraphName::NamedNode(n) = declare {
            w.declare(n.as_ref())?;
        }
        for q in quads {
            w.insert(q)?;
        }
        t.commit().map_err(err)
    }

    /// In one transaction: empties each named graph of `replace`, then inserts `quads` (quads of the default graph
    /// are left out), the union graph in step: how an import replaces the graphs of a table's older version.
    pub(crate) fn replace_graphs(&self, replace: &[NamedNode], quads: &[Quad]) -> Result<()> {
        let replace: Vec<GraphName> = replace.iter().cloned().map(GraphName::from).collect();
        let named: Vec<Quad> = quads.iter().filter(|q| !q.graph_name.is_default_graph()).cloned().collect();
        self.write_graphs(&replace, &named, &GraphName::DefaultGraph)
    }

    /// Removes a named graph and its data (and the union triples no other graph states); returns whether it existed.
    pub(crate) fn drop_graph(&self, graph: &NamedNode) -> Result<bool> {
        if !self.has_graph(graph)? {
            return Ok(false);
        }
        let _write = self.begin_write()?;
        let err = |e: StorageError| storage_error(&self.path, &e);
        let mut t = self.store.start_transaction().map_err(err)?;
        update::Writer::new(&mut t, &self.path).drop_graph(graph.as_ref())?;
        t.commit().map_err(err)?;
        Ok(true)
    }

    /// Runs a parsed SPARQL update in one transaction, keeping the union graph in step (see [`update`]).
    pub(crate) fn apply_update(&self, parsed: &spargebra::Update, remote: bool) -> Result<()> {
        let _write = self.begin_write()?;
        let err = |e: StorageError| storage_error(&self.path, &e);
        let mut t = self.store.start_transaction().map_err(err)?;
        update::run(&mut t, &self.path, parsed, remote)?;
        t.commit().map_err(err)
    }

    /// Checks that the union graph holds exactly the distinct triples of the other named graphs and that the
    /// generation stamp is settled; returns the problems found (empty when the store is consistent).
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = update::check_union(&self.store, &self.path)?;
        if self.path != Path::new(":memory:") {
            let raw = fs::read_to_string(self.path.join(GENERATION_FILE)).unwrap_or_default();
            if raw.is_empty() {
                problems.push("the generation stamp is missing: cached projections are never used".into());
            } else if raw.starts_with(PENDING) {
                problems.push("the generation stamp is pending: a write is under way or was killed".into());
            }
        }
        Ok(problems)
    }

    /// Flushes pending writes to disk.
    pub fn flush(&self) -> Result<()> {
        if self.access == Access::Write && self.path != Path::new(":memory:") {
            self.store.flush().map_err(|e| storage_error(&self.path, &e))?;
        }
        Ok(())
    }
}

/// A write under way (see [`Kg::begin_write`]). Dropping it settles the generation stamp to the new value, whether
/// the write committed or failed: either way no cache made before it is trusted afterwards. A failure to settle is
/// ignored: the stamp then stays pending, which is safe, and the next reader or writer settles it.
pub(crate) struct WriteGuard<'a> {
    kg: &'a Kg,
    lock: Option<File>,
    stamp: String,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        let Some(lock) = self.lock.take() else {
            return;
        };
        fault_point("before-settle");
        if write_synced(&self.kg.path.join(GENERATION_FILE), &self.stamp).is_ok() {
            if let Ok(mut g) = self.kg.generation.lock() {
                g.clone_from(&self.stamp);
            }
        }
        drop(lock);
    }
}

/// A test hook of debug builds only (release binaries carry none): when `MVKG_FAULT` names this point, the process
/// aborts here, as a `kill -9` would stop it. The crash tests use it to stop a write between its commit and the
/// step after it.
#[cfg(debug_assertions)]
fn fault_point(name: &str) {
    if std::env::var("MVKG_FAULT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
fn fault_point(_: &str) {}

/// Writes a small file and syncs it to disk.
fn write_synced(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Removes what failed or killed runs leave in a store directory: the bulk loader's staging files and all but the
/// two newest of RocksDB's rotated info logs. Only called by the holder of the write lock.
fn remove_leftovers(path: &Path) {
    remove_staging(path);
    let Ok(dir) = fs::read_dir(path) else {
        return;
    };
    let mut old_logs: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("LOG.old.")))
        .collect();
    // The names end in a microsecond timestamp of equal width, so the newest sort last.
    old_logs.sort();
    let keep = old_logs.len().saturating_sub(2);
    for p in &old_logs[..keep] {
        let _ = fs::remove_file(p);
    }
}

/// Removes the bulk loader's staging files (`bulk-*.sst`) from a store directory.
fn remove_staging(path: &Path) {
    let Ok(dir) = fs::read_dir(path) else {
        return;
    };
    for p in dir.filter_map(|e| e.ok().map(|e| e.path())) {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            let _ = fs::remove_file(&p);
        }
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
/// empty when there is none or when a write is under way. A pending stamp that no writer holds any more (a writer
/// was killed between marking and settling it) is settled here to a fresh one.
pub fn generation_at(path: &Path) -> String {
    let file = path.join(GENERATION_FILE);
    let stamp = fs::read_to_string(&file).unwrap_or_default();
    if !stamp.starts_with(PENDING) {
        return stamp;
    }
    let Ok(lock) = File::options().write(true).open(path.join(WRITE_LOCK_FILE)) else {
        return String::new();
    };
    if lock.try_lock().is_err() {
        return String::new();
    }
    let again = fs::read_to_string(&file).unwrap_or_default();
    if !again.starts_with(PENDING) {
        return again;
    }
    let fresh = new_stamp();
    if write_synced(&file, &fresh).is_ok() {
        fresh
    } else {
        String::new()
    }
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
        let kg = Kg { store, path: tmp.clone(), access: Access::Write, generation: Mutex::default() };
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
