//! Output: one file per format family. Every renderer writes to a `&mut impl io::Write`, so tests capture output
//! in a `Vec<u8>` and the CLI and the server share the same code.

pub mod format;
pub mod import;
pub mod map;
pub mod results;
pub mod table;

pub use format::OutputFormat;
