//! Build script: embeds the bundled data and queries, and generates shell completions and a man page from the
//! clap definitions in `src/cli.rs`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use clap::CommandFactory;

#[allow(dead_code)]
#[path = "src/cli.rs"]
mod cli;

fn list(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)))
                .collect()
        })
        .unwrap_or_default();
    // The ontology loads first, then the rest by name.
    files.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "ontology.ttl"), p.clone()));
    files
}

/// The table of `files` (under the crate root, at `dir`), each embedded by a path relative to `CARGO_MANIFEST_DIR` as
/// the crate sees it when it compiles: a target directory shared by several checkouts (CI clones) shares this
/// build script's output, so it must not name one checkout's absolute paths.
fn table(name: &str, dir: &str, files: &[PathBuf]) -> String {
    let mut out = format!("static {name}: &[(&str, &str)] = &[\n");
    for f in files {
        let file = f.file_name().unwrap().to_string_lossy();
        let _ = writeln!(
            out,
            "    ({file:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            format!("/{dir}/{file}")
        );
    }
    out.push_str("];\n");
    out
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=data");
    println!("cargo:rerun-if-changed=queries");
    println!("cargo:rerun-if-changed=queries/checks");
    println!("cargo:rerun-if-changed=src/cli.rs");

    let data = list(&root.join("data"), &["ttl", "trig"]);
    let queries = list(&root.join("queries"), &["rq"]);
    let checks = list(&root.join("queries/checks"), &["rq"]);
    let mut code = String::new();
    code.push_str(&table("DATA_FILES", "data", &data));
    code.push_str(&table("QUERY_FILES", "queries", &queries));
    code.push_str(&table("CHECK_FILES", "queries/checks", &checks));
    fs::write(out.join("bundled.rs"), code).unwrap();

    // Completions and man page, next to the build output (copied into target/ by `mvkg completions`/`mvkg man`
    // at run time, which print them from the same definitions).
    let mut cmd = cli::Args::command();
    let gen_dir = out.join("completions");
    fs::create_dir_all(&gen_dir).unwrap();
    for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
        clap_complete::generate_to(shell, &mut cmd, "mvkg", &gen_dir).unwrap();
    }
    let man = clap_mangen::Man::new(cmd);
    let mut buf = Vec::new();
    man.render(&mut buf).unwrap();
    fs::write(out.join("mvkg.1"), buf).unwrap();
}
