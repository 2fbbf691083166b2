#![doc = include_str!("../README.md")]

pub mod analytics;
pub mod dump;
pub mod error;
pub mod graph;
pub mod import;
pub mod load;
pub mod memory;
pub mod query;
pub mod render;
pub mod server;
pub mod stats;
pub mod store;
pub mod validate;
pub mod vocab;

pub use error::{Error, Result};
pub use store::{Access, Initial, Kg};
