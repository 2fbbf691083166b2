//! The command line, as clap derive types only. `build.rs` includes this file to generate shell completions and
//! the man page; `commands.rs` turns these values into library calls.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// mvkg: a sourced knowledge graph of the metaverse industry.
///
/// Companies, investors, governments, technologies, products, policies and investments in an embedded RDF store,
/// questioned in SPARQL or with one-line analyst commands, every fact traced to its source. The first command
/// creates the default store from the bundled data.
#[derive(Debug, Parser)]
#[command(name = "mvkg", version, propagate_version = true, max_term_width = 110)]
#[command(after_help = "Examples:\n  mvkg stats\n  mvkg query investors-in --param company=Zepeto\n  \
                        mvkg query 'SELECT ?c WHERE { ?c a mv:Company } LIMIT 5'\n  mvkg load my-deals.ttl --graph https://example.org/my-source")]
pub struct Args {
    /// Store directory [default: $XDG_DATA_HOME/mvkg/store or ~/.local/share/mvkg/store]
    #[arg(long, global = true, env = "MVKG_STORE", value_name = "PATH")]
    pub store: Option<PathBuf>,

    /// Print nothing but results and errors (no progress, no summaries)
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store: from the bundled data, or empty
    #[command(after_help = "Examples:\n  mvkg init\n  mvkg init --force          # rebuild from the bundled data\n  \
                            mvkg --store ./my-store init --empty")]
    Init {
        /// Replace an existing store (the old one stays until the new one is complete)
        #[arg(long)]
        force: bool,
        /// Create the store without the bundled data
        #[arg(long)]
        empty: bool,
    },

    /// Load RDF files into the store, all or nothing
    #[command(after_help = "Examples:\n  mvkg load deals.ttl\n  mvkg load a.nq b.trig\n  \
                            mvkg load export.txt --format ntriples --graph https://example.org/source/export")]
    Load {
        /// Files to load (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD), or - for standard input
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Format of every file, instead of guessing from the extension
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Put the triples of triple formats into this named graph (the source's IRI)
        #[arg(long, value_name = "IRI")]
        graph: Option<String>,
    },

    /// Run a SPARQL query: inline text, a file, or a named query
    #[command(after_help = "Examples:\n  mvkg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'\n  \
                            mvkg query investors-in --param company=Zepeto --format csv\n  \
                            mvkg query my-query.rq -o result.json\n  \
                            mvkg query 'SELECT ?l WHERE { ?e rdfs:label ?l }' --param e=mvd:naver-z\n\n\
                            Prefixes mv:, mvd:, tech:, country:, src:, rdf:, rdfs:, xsd:, owl:, skos:, schema:, prov:, \
                            dcterms:, org:, foaf: are predeclared (mvkg prefixes). The default graph is the union of \
                            all graphs; GRAPH ?source {…} tells which source states a fact.")]
    Query {
        /// Query text, the name of a named query (mvkg queries), or a .rq file
        #[arg(value_name = "QUERY")]
        query: Option<String>,
        /// Read the query from this file
        #[arg(long, short = 'f', value_name = "FILE", conflicts_with = "query")]
        file: Option<PathBuf>,
        /// Bind ?NAME to VALUE (an IRI as <…> or prefix:local, a number, a date, or text)
        #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
        params: Vec<(String, String)>,
        /// Output format: table, csv, tsv, json, xml (solutions); turtle, ntriples, nquads, trig, jsonld, rdfxml (graphs)
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Write to this file; its extension picks the format
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Cancel the query after this many seconds
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
    },

    /// List the named queries with their parameters
    #[command(after_help = "Example:\n  mvkg queries\n  mvkg queries --format json")]
    Queries {
        /// table, csv or json
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
    },

    /// Run a SPARQL update, atomically
    #[command(
        after_help = "Examples:\n  mvkg update 'INSERT DATA { GRAPH src:mine { mvd:x rdfs:label \"X\"@en } }'\n  \
                            mvkg update --file fix.ru"
    )]
    Update {
        /// Update text
        #[arg(value_name = "UPDATE")]
        update: Option<String>,
        /// Read the update from this file
        #[arg(long, short = 'f', value_name = "FILE", conflicts_with = "update")]
        file: Option<PathBuf>,
    },

    /// Write the whole store as N-Quads or TriG
    #[command(after_help = "Examples:\n  mvkg dump > all.nq\n  mvkg dump -o backup.trig")]
    Dump {
        /// nquads or trig
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Write to this file; its extension picks the format
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },

    /// Count quads, graphs, sources, instances per class and the date range of events
    #[command(after_help = "Example:\n  mvkg stats --format json")]
    Stats {
        /// table or json
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
    },

    /// Check the store, or files before loading them, against the rules in queries/checks
    #[command(after_help = "Examples:\n  mvkg validate\n  mvkg validate new-deals.trig\n\n\
                            Exit status 1 when a rule is broken; each violation names the rule, the node and, for \
                            files, the position.")]
    Validate {
        /// Files to check instead of the store
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Format of every file, instead of guessing from the extension
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// table or json
        #[arg(long = "output-format", value_name = "FORMAT")]
        output_format: Option<String>,
    },

    /// List the predeclared prefixes
    #[command(after_help = "Example:\n  mvkg prefixes > prefixes.rq   # paste into other SPARQL tools")]
    Prefixes,

    /// Print shell completions
    #[command(after_help = "Example:\n  mvkg completions bash > /etc/bash_completion.d/mvkg")]
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },

    /// Print the man page (roff)
    #[command(after_help = "Example:\n  mvkg man > mvkg.1 && man ./mvkg.1")]
    Man,
}

/// Shells that completions exist for.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    let (name, value) = s.split_once('=').ok_or_else(|| format!("`{s}` is not NAME=VALUE"))?;
    let name = name.trim().trim_start_matches(['?', '$']);
    if name.is_empty() {
        return Err(format!("`{s}` has an empty parameter name"));
    }
    Ok((name.to_owned(), value.to_owned()))
}
