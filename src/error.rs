//! Typed errors of the library: one variant per failure a caller can act on, each message saying what and where.

use std::path::PathBuf;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Another process holds the store open for writing.
    #[error(
        "The store at {} is in use by another process that is writing to it (mvkg load, update, init or serve); \
         wait for it to finish, or pass --store PATH to use another store",
        path.display()
    )]
    StoreLocked { path: PathBuf },

    /// The store does not exist (read-only commands never create one except by bootstrap).
    #[error("No store at {}: run `mvkg init` to create it", path.display())]
    StoreMissing { path: PathBuf },

    /// Any other failure of the storage layer.
    #[error("Store error at {}: {message}", path.display())]
    Storage { path: PathBuf, message: String },

    /// A syntax error in an RDF file, with its position.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax { file: String, line: u64, column: u64, message: String },

    /// The file could not be read.
    #[error("Cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The RDF or results format could not be chosen or is unknown.
    #[error("{0}")]
    Format(String),

    /// A SPARQL query or update did not parse.
    #[error("SPARQL syntax error in {origin}: {message}")]
    SparqlSyntax { origin: String, message: String },

    /// A query failed while running.
    #[error("Query failed: {0}")]
    Evaluation(String),

    /// A query returned more rows than the caller allows.
    #[error("The result has more than {limit} rows, the limit here; add a LIMIT or narrow the query")]
    TooManyRows { limit: usize },

    /// The request asks for something this instance does not allow (remote calls, updates).
    #[error("{0}")]
    Forbidden(String),

    /// A query was stopped because it held more memory than its budget.
    #[error(
        "Query cancelled: it held more than {} MiB of memory, the limit here; narrow it (a LIMIT does not help \
         an ORDER BY or GROUP BY, a more selective pattern does)",
        limit >> 20
    )]
    MemoryLimit { limit: usize },

    /// A query was stopped by its time limit.
    #[error("Query cancelled: it ran longer than the {seconds} s timeout")]
    Timeout { seconds: f64 },

    /// A named query does not exist.
    #[error("No named query `{name}`; `mvkg queries` lists them")]
    UnknownQuery { name: String },

    /// A query parameter is malformed or unknown.
    #[error("Parameter {name}: {message}")]
    Parameter { name: String, message: String },

    /// An entity name did not resolve to exactly one entity.
    #[error("{0}")]
    Entity(String),

    /// A mapping file (`mvkg import --mapping`) is malformed: the position and the offending key or value.
    #[error("{file}:{line}:{column}: {message}")]
    Mapping { file: String, line: u64, column: u64, message: String },

    /// A table cannot be imported at all (no profile fits its header, a CSV syntax error); nothing was written.
    #[error("{file}:{line}: {message}")]
    Import { file: String, line: u64, message: String },

    /// Writing output failed.
    #[error("Cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
