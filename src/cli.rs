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

    /// Import deal tables (CSV, TSV): organisations, funding rounds and acquisitions, resolved against the store
    #[command(after_help = "Examples:\n  mvkg import crunchbase-rounds.csv investments.csv\n  \
                            mvkg import my-deals.csv --mapping my-deals.toml --dry-run\n  \
                            mvkg import acquisitions.csv --format json > report.json\n\n\
                            Built-in profiles (recognised from the header row): crunchbase-companies, crunchbase-rounds, \
                            crunchbase-acquisitions, crunchbase-investments, tech-giants-acquisitions, \
                            tech-giants-acquired, tech-giants-acquiring. All files are one transaction: exit status 0 \
                            when it committed (or nothing needed to change), non-zero with the store unchanged.")]
    Import {
        /// CSV or TSV files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Use this built-in profile for every file instead of recognising one from the header
        #[arg(long, value_name = "NAME", conflicts_with = "mapping")]
        profile: Option<String>,
        /// A mapping file (TOML) describing the columns of every file (see data/examples/deals.toml)
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Report what the import would do, and write nothing
        #[arg(long)]
        dry_run: bool,
        /// table or json
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
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
        /// Cancel the query once it holds more than this many MiB of memory
        #[arg(long, value_name = "MIB")]
        max_memory: Option<usize>,
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

    /// Verify the store itself: the union graph holds exactly the distinct triples of the source graphs, and the
    /// generation stamp is settled (exit status 1 when not)
    #[command(after_help = "Example:\n  mvkg check   # after a crash or a full disk, before trusting the store again")]
    Check,

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
        /// List at most N violations of each rule (a rule broken more often is reported as cut, and the check
        /// stops there); 0 lists all
        #[arg(long = "max-per-rule", value_name = "N", default_value_t = 1000)]
        max_per_rule: usize,
    },

    /// Find entities by name, alias or label in any language (case- and accent-insensitive)
    #[command(
        after_help = "Examples:\n  mvkg search zepeto\n  mvkg search 네이버\n  mvkg search softbank --format json"
    )]
    Search {
        /// Text to look for
        text: String,
        /// How many results at most
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Profile of an entity, with the sources of every fact
    ///
    /// Types, country, technologies and layers, products, investments in and out, owners, holdings, memberships,
    /// partners, and the sources of all of it.
    #[command(after_help = "Examples:\n  mvkg show Zepeto\n  mvkg show mvd:softbank-vision-fund-2 --format json")]
    Show {
        /// Name, alias or IRI (prefix:local or <…>)
        entity: String,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Shortest paths between two entities, each hop with relation, date, amount and source
    #[command(
        after_help = "Examples:\n  mvkg path SoftBank Zepeto\n  mvkg path Tencent \"Epic Games\" --k 3 --via invests-in,subsidiary-of,holds-stake-in\n  \
                            mvkg path Sony Roblox --directed --max-hops 4"
    )]
    Path {
        /// Where the path starts: a name, an alias, `prefix:local` or an IRI
        from: String,
        /// Where it ends, named the same way
        to: String,
        /// How many paths (shortest first)
        #[arg(long, default_value_t = 1)]
        k: usize,
        /// Link kinds to walk, comma-separated (invests-in, acquires, holds-stake-in, subsidiary-of, member-of, develops,
        /// uses-technology, partners-with, located-in, funds) [default: all but located-in and uses-technology]
        #[arg(long, value_delimiter = ',', value_name = "KINDS")]
        via: Vec<String>,
        /// Follow links only in their direction (investor → investee)
        #[arg(long)]
        directed: bool,
        /// Longest path to consider
        #[arg(long, value_name = "N")]
        max_hops: Option<usize>,
        #[command(flatten)]
        out: GraphOut,
    },

    /// The neighbourhood of an entity, with relation counts per kind
    #[command(
        after_help = "Examples:\n  mvkg neighbors Naver --hops 2\n  mvkg neighbors Tencent --via invests-in,acquires"
    )]
    Neighbors {
        /// Name, alias or IRI (prefix:local or <…>)
        entity: String,
        /// How many links away
        #[arg(long, default_value_t = 1)]
        hops: usize,
        /// Link kinds to walk, comma-separated [default: all]
        #[arg(long, value_delimiter = ',', value_name = "KINDS")]
        via: Vec<String>,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Who matters: rank entities by PageRank, betweenness, degree or capital
    #[command(
        after_help = "Examples:\n  mvkg rank --by pagerank --top 10\n  mvkg rank --by capital --type investor\n  \
                            mvkg rank --by betweenness --type company --format csv\n\n\
                            Capital never counts a round once per co-investor: `rounds` counts distinct rounds joined, \
                            `attributed_usd` splits each round's amount equally among its investors, and \
                            `total_round_usd` (the sizes of the rounds joined) is informative only."
    )]
    Rank {
        /// Measure
        #[arg(long, value_enum, default_value = "pagerank")]
        by: RankBy,
        /// Only these node kinds or types (organization, product, technology, person, country, programme; or a type
        /// such as Company, Investor, GovernmentBody), comma-separated
        #[arg(long = "type", value_delimiter = ',', value_name = "TYPES")]
        types: Vec<String>,
        /// How many
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Link kinds that count, comma-separated [default: all but located-in]
        #[arg(long, value_delimiter = ',', value_name = "KINDS")]
        via: Vec<String>,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Direct and look-through holdings of an investor, by technology, layer and country
    #[command(after_help = "Examples:\n  mvkg exposure \"SoftBank Group\"\n  mvkg exposure Tencent --format json")]
    Exposure {
        /// The investor: a name, an alias, `prefix:local` or an IRI
        investor: String,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Co-investors of an entity: the deals they share, or the companies they both back
    #[command(
        after_help = "Examples:\n  mvkg coinvest \"SoftBank Vision Fund 2\"\n  mvkg coinvest Sequoia --format csv\n  \
                            mvkg coinvest Tencent --by company --top 20"
    )]
    Coinvest {
        /// The investor: a name, an alias, `prefix:local` or an IRI
        entity: String,
        /// `round`: investors in the same rounds (events); `company`: investors in the same companies, in any round
        #[arg(long, value_enum, default_value = "round")]
        by: CoinvestBy,
        /// Only the N co-investors sharing the most (default: all)
        #[arg(long, value_name = "N")]
        top: Option<usize>,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Clusters of the ecosystem (Louvain), with members, dominant technology and country
    #[command(
        after_help = "Examples:\n  mvkg communities\n  mvkg communities --via invests-in,acquires,holds-stake-in --format json"
    )]
    Communities {
        /// Link kinds that count, comma-separated [default: all but located-in and uses-technology]
        #[arg(long, value_delimiter = ',', value_name = "KINDS")]
        via: Vec<String>,
        /// Smallest community to list
        #[arg(long, default_value_t = 2)]
        min_size: usize,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Deals and capital over time (each deal counted once)
    #[command(
        after_help = "Examples:\n  mvkg timeline\n  mvkg timeline --by quarter --country KR\n  mvkg timeline --tech tech:virtual-world"
    )]
    Timeline {
        /// Period
        #[arg(long, value_enum, default_value = "year")]
        by: Period,
        /// Only deals whose investee uses this technology (name or IRI)
        #[arg(long, value_name = "TECH")]
        tech: Option<String>,
        /// Only deals whose investee is in this country (ISO code, e.g. KR)
        #[arg(long, value_name = "CODE")]
        country: Option<String>,
        #[command(flatten)]
        out: GraphOut,
    },

    /// Draw an ecosystem map: DOT, SVG, PNG or PDF
    #[command(
        after_help = "Examples:\n  mvkg map ecosystem -o ecosystem.svg\n  mvkg map investments --since 2021-01-01 --min-amount 100000000 -o deals.svg\n  \
                            mvkg map country --country KR -o korea.pdf\n  mvkg map ego Zepeto --hops 2 -o zepeto.png\n  \
                            mvkg map path SoftBank Zepeto -o path.svg\n  mvkg map query my-construct.rq -o mine.svg\n\n\
                            Rendering uses Graphviz (`apt-get install graphviz`); `-o map.dot` works without it."
    )]
    Map {
        /// Kind of map
        #[arg(value_enum)]
        kind: MapKindArg,
        /// The entity (ego), the two entities (path) or the query file or named query (query)
        #[arg(value_name = "TARGET")]
        targets: Vec<String>,
        /// Output file; the extension picks the format (.dot, .svg, .png, .pdf)
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
        /// dot, svg, png or pdf, instead of the extension
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Graphviz layout engine: dot, neato, sfdp, fdp, circo [default: per kind]
        #[arg(long, value_name = "ENGINE")]
        layout: Option<String>,
        /// Hops around the entity (ego)
        #[arg(long, default_value_t = 1)]
        hops: usize,
        /// Only entities of this country (ISO code)
        #[arg(long, value_name = "CODE")]
        country: Option<String>,
        /// Only entities using this technology (name or IRI)
        #[arg(long, value_name = "TECH")]
        tech: Option<String>,
        /// Only entities in this value-chain layer (1 Experience … 7 Infrastructure)
        #[arg(long, value_name = "RANK")]
        layer: Option<u8>,
        /// Only facts dated on or before this date
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Only deals on or after this date (investments)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only deals on or before this date (investments)
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Only deals of at least this many USD (investments)
        #[arg(long, value_name = "USD")]
        min_amount: Option<f64>,
        /// Largest number of nodes before the map is reduced (top nodes by degree)
        #[arg(long, default_value_t = 400)]
        max_nodes: usize,
    },

    /// Serve the SPARQL 1.1 endpoint, the named queries and the web explorer over HTTP
    #[command(after_help = "Examples:\n  mvkg serve                                  # http://127.0.0.1:7878/\n  \
                            mvkg serve --bind 0.0.0.0:8080 --timeout 10\n  \
                            MVKG_TOKEN=s3cret mvkg serve --allow-update   # writes need 'Authorization: Bearer s3cret'\n\n\
                            Routes: / (explorer), /search, /entity?iri=…, /query, /maps, /map?kind=…&format=svg,\n\
                            /sparql (SPARQL 1.1 Protocol: GET or POST, JSON/XML/CSV/TSV or any RDF format by Accept),\n\
                            /queries and /queries/NAME?param=value (named queries), /store?graph=IRI (Graph Store),\n\
                            /update (with --allow-update). Read-only unless --allow-update; SERVICE and LOAD reach no \
                            remote URL unless --allow-remote.")]
    Serve {
        /// Address and port to listen on
        #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
        bind: String,
        /// Stop a query after this many seconds (answered 503)
        #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
        timeout: f64,
        /// Refuse results with more rows (or triples) than this (answered 422, never cut silently)
        #[arg(long, default_value_t = 100_000, value_name = "ROWS")]
        max_rows: usize,
        /// Refuse responses larger than this many bytes (answered 422)
        #[arg(long, default_value_t = 64 << 20, value_name = "BYTES")]
        max_response_bytes: usize,
        /// Refuse request bodies larger than this many bytes (answered 413)
        #[arg(long, default_value_t = 16 << 20, value_name = "BYTES")]
        max_body_bytes: usize,
        /// Evaluate at most this many requests at once; more are answered 503
        #[arg(long, default_value_t = 8, value_name = "N")]
        max_concurrent: usize,
        /// Cancel a query holding more than this many MiB of memory (answered 422); with --max-concurrent this bounds
        /// what queries can take: 8 x 1024 MiB by default
        #[arg(long, default_value_t = 1024, value_name = "MIB")]
        max_query_memory: usize,
        /// Accept SPARQL Update and Graph Store writes (they need the bearer token)
        #[arg(long)]
        allow_update: bool,
        /// The bearer token writes must carry
        #[arg(long, env = "MVKG_TOKEN", hide_env_values = true, value_name = "TOKEN")]
        token: Option<String>,
        /// Let SERVICE and LOAD fetch remote URLs
        #[arg(long)]
        allow_remote: bool,
        /// Keep at most this many connections open; more are answered 503 and closed
        #[arg(long, default_value_t = 256, value_name = "N")]
        max_connections: usize,
        /// Keep at most this many connections open from one address (so one client cannot take them all)
        #[arg(long, default_value_t = 32, value_name = "N")]
        max_connections_per_address: usize,
        /// Seconds a client has to send a request's line and headers (slower clients get 408); request bodies get
        /// 60 s
        #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
        request_timeout: f64,
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

/// Options shared by the graph commands.
#[derive(Debug, clap::Args)]
pub struct GraphOut {
    /// table, json or csv
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Keep only facts dated on or before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// Ranking measures.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RankBy {
    Pagerank,
    Betweenness,
    Degree,
    Capital,
}

/// What co-investors share.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CoinvestBy {
    Round,
    Company,
}

/// Timeline periods.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Period {
    Year,
    Quarter,
}

/// Map kinds.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MapKindArg {
    Ecosystem,
    Investments,
    Country,
    Ego,
    Path,
    Query,
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
