//! The `mvkg` binary: parse arguments, dispatch, print the error chain once.

mod cli;
mod commands;

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;

/// The system allocator with a byte count per query evaluation, so each can be held to a memory budget
/// (`mvkg::memory`).
#[global_allocator]
static ALLOCATOR: mvkg::memory::CountingAllocator = mvkg::memory::CountingAllocator;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`mvkg dump | head`) is not an error.
            if e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == ErrorKind::BrokenPipe))
                || e.chain().any(|c| {
                    matches!(c.downcast_ref::<mvkg::Error>(), Some(mvkg::Error::Io(io)) if io.kind() == ErrorKind::BrokenPipe)
                })
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
