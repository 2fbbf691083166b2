//! The integration tests: one binary, one module per feature. They run the real `mvkg` binary on real
//! RocksDB-backed stores in temporary directories.

mod analyst;
mod common;
mod core;
mod import;
mod named_queries;
mod query;
mod reliability;
mod server;
mod validate;
