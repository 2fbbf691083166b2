//! Turns parsed command-line arguments into library calls and prints their results. The only code besides the
//! server that reads the environment or writes to the terminal.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::CommandFactory;
use indicatif::{ProgressBar, ProgressStyle};

use mvkg::load::{self, LoadInput};
use mvkg::query::{self, catalog, QueryRequest};
use mvkg::render::results::write_outcome;
use mvkg::render::table::{write_csv, write_table, Rows};
use mvkg::render::OutputFormat;
use mvkg::store::{self, Access, Initial, Kg};
use mvkg::{stats, validate, vocab};

use crate::cli::{Args, Command, Shell};

mod analyst;

/// Where output goes: standard output or a file.
pub struct Out {
    writer: Box<dyn Write>,
    terminal: bool,
}

impl Out {
    fn open(path: Option<&Path>) -> Result<Out> {
        match path {
            Some(p) if p != Path::new("-") => {
                let f = File::create(p).with_context(|| format!("Cannot create {}", p.display()))?;
                Ok(Out { writer: Box::new(BufWriter::new(f)), terminal: false })
            }
            _ => {
                let terminal = io::stdout().is_terminal();
                Ok(Out { writer: Box::new(BufWriter::new(io::stdout().lock())), terminal })
            }
        }
    }

    /// Terminal width for tables, when writing to a terminal.
    fn width(&self) -> Option<u16> {
        if self.terminal {
            comfy_table::Table::new().width().or(Some(100))
        } else {
            None
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// The store directory: `--store`/`MVKG_STORE`, else the XDG data directory.
pub fn store_path(arg: Option<PathBuf>) -> PathBuf {
    if let Some(p) = arg {
        return p;
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("mvkg").join("store")
}

struct Ctx {
    store: PathBuf,
    quiet: bool,
}

impl Ctx {
    fn say(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    /// Opens the store, creating it from the bundled data on first use.
    fn open(&self, access: Access) -> Result<Kg> {
        if !store::exists(&self.store) {
            self.say(&format!("Creating the store at {} from the bundled data…", self.store.display()));
            let started = Instant::now();
            drop(Kg::init(&self.store, Initial::Bundled, false)?);
            self.say(&format!("Created in {:.1} s.", started.elapsed().as_secs_f64()));
        }
        Ok(Kg::open_existing(&self.store, access)?)
    }
}

/// Runs one command.
pub fn run(args: Args) -> Result<()> {
    let ctx = Ctx { store: store_path(args.store), quiet: args.quiet };
    match args.command {
        Command::Init { force, empty } => init(&ctx, force, empty),
        Command::Load { files, format, graph } => load_files(&ctx, &files, format.as_deref(), graph.as_deref()),
        Command::Import { files, profile, mapping, dry_run, format } => {
            import_files(&ctx, &files, profile, mapping, dry_run, format.as_deref())
        }
        Command::Query { query, file, params, format, output, timeout, max_memory } => {
            let limits = (timeout, max_memory.map(|m| m.saturating_mul(1 << 20)));
            run_query(&ctx, query, file, &params, format.as_deref(), output.as_deref(), limits)
        }
        Command::Queries { format } => list_queries(format.as_deref()),
        Command::Update { update, file } => run_update(&ctx, update, file),
        Command::Dump { format, output } => dump(&ctx, format.as_deref(), output.as_deref()),
        Command::Stats { format } => show_stats(&ctx, format.as_deref()),
        Command::Check => {
            let kg = ctx.open(Access::Read)?;
            let problems = kg.check()?;
            if !problems.is_empty() {
                bail!("The store at {} is not consistent:\n{}", ctx.store.display(), problems.join("\n"));
            }
            ctx.say(&format!(
                "The store at {} is consistent: union graph and generation stamp check out",
                ctx.store.display()
            ));
            Ok(())
        }
        Command::Validate { files, format, output_format, max_per_rule } => {
            let cap = (max_per_rule > 0).then_some(max_per_rule);
            run_validate(&ctx, &files, format.as_deref(), output_format.as_deref(), cap)
        }
        Command::Search { text, limit, out } => analyst::search_cmd(&ctx, &text, limit, &out),
        Command::Show { entity, out } => analyst::show_cmd(&ctx, &entity, &out),
        Command::Path { from, to, k, via, directed, max_hops, out } => {
            let a = analyst::PathArgs { from: &from, to: &to, k, via: &via, directed, max_hops };
            analyst::path_cmd(&ctx, &a, &out)
        }
        Command::Neighbors { entity, hops, via, out } => analyst::neighbors_cmd(&ctx, &entity, hops, &via, &out),
        Command::Rank { by, types, top, via, out } => analyst::rank_cmd(&ctx, by, &types, top, &via, &out),
        Command::Exposure { investor, out } => analyst::exposure_cmd(&ctx, &investor, &out),
        Command::Coinvest { entity, by, top, out } => analyst::coinvest_cmd(&ctx, &entity, by, top, &out),
        Command::Communities { via, min_size, out } => analyst::communities_cmd(&ctx, &via, min_size, &out),
        Command::Timeline { by, tech, country, out } => {
            analyst::timeline_cmd(&ctx, by, tech.as_deref(), country.as_deref(), &out)
        }
        Command::Map {
            kind,
            targets,
            output,
            format,
            layout,
            hops,
            country,
            tech,
            layer,
            as_of,
            since,
            until,
            min_amount,
            max_nodes,
        } => analyst::map_cmd(
            &ctx,
            analyst::MapArgs {
                kind,
                targets,
                output,
                format,
                layout,
                hops,
                filter: mvkg::render::map::MapFilter { country, tech, layer, as_of, since, until, min_amount },
                max_nodes,
            },
        ),
        Command::Serve {
            bind,
            timeout,
            max_rows,
            max_response_bytes,
            max_body_bytes,
            max_concurrent,
            max_query_memory,
            allow_update,
            token,
            allow_remote,
            max_connections,
            max_connections_per_address,
            request_timeout,
        } => {
            if !(request_timeout > 0.0 && request_timeout.is_finite()) {
                bail!("--request-timeout must be a positive number of seconds, not {request_timeout}");
            }
            if max_connections == 0 || max_connections_per_address == 0 {
                bail!("--max-connections and --max-connections-per-address must be at least 1");
            }
            let limits = mvkg::server::http::Limits {
                max_connections,
                max_per_address: max_connections_per_address,
                head_timeout: Duration::from_secs_f64(request_timeout),
                ..mvkg::server::http::Limits::default()
            };
            if !(timeout > 0.0 && timeout.is_finite()) {
                bail!("--timeout must be a positive number of seconds, not {timeout}");
            }
            if max_concurrent == 0 {
                bail!("--max-concurrent must be at least 1");
            }
            let addr: std::net::SocketAddr = bind
                .parse()
                .with_context(|| format!("--bind takes ADDRESS:PORT, e.g. 127.0.0.1:7878, not `{bind}`"))?;
            let config = mvkg::server::Config {
                timeout: Duration::from_secs_f64(timeout),
                max_rows,
                max_response_bytes,
                max_body_bytes,
                max_concurrent,
                max_query_memory: max_query_memory.saturating_mul(1 << 20),
                allow_update,
                token,
                remote: allow_remote,
            };
            if !store::exists(&ctx.store) {
                ctx.say(&format!("Creating the store at {} from the bundled data…", ctx.store.display()));
            }
            let app = std::sync::Arc::new(mvkg::server::App::open(&ctx.store, config)?);
            ctx.say(&format!(
                "mvkg serving {} ({}) on http://{addr}/ — SPARQL at http://{addr}/sparql; Ctrl-C stops",
                ctx.store.display(),
                if allow_update { "read-write, writes need the token" } else { "read-only" }
            ));
            // Build the projection before the first visitor asks for it.
            if let Err(e) = app.graph() {
                ctx.say(&format!("warning: the graph projection could not be built: {e}"));
            }
            mvkg::server::http::serve(app, addr, limits, |line| eprintln!("{line}"))
                .with_context(|| format!("Cannot serve on {addr}"))?;
            Ok(())
        }
        Command::Prefixes => {
            let mut out = Out::open(None)?;
            for (p, iri) in vocab::PREFIXES {
                writeln!(out, "PREFIX {p}: <{iri}>")?;
            }
            out.flush()?;
            Ok(())
        }
        Command::Completions { shell } => {
            let mut cmd = Args::command();
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
                Shell::Elvish => clap_complete::Shell::Elvish,
                Shell::Powershell => clap_complete::Shell::PowerShell,
            };
            clap_complete::generate(shell, &mut cmd, "mvkg", &mut io::stdout());
            Ok(())
        }
        Command::Man => {
            clap_mangen::Man::new(Args::command()).render(&mut io::stdout())?;
            Ok(())
        }
    }
}

fn init(ctx: &Ctx, force: bool, empty: bool) -> Result<()> {
    let started = Instant::now();
    let initial = if empty { Initial::Empty } else { Initial::Bundled };
    let kg = Kg::init(&ctx.store, initial, force)?;
    let n = kg.len()?;
    ctx.say(&format!(
        "Created {} store at {} with {} quads in {:.1} s",
        if empty { "an empty" } else { "the bundled" },
        ctx.store.display(),
        n,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// A progress callback that shows on `bar` how many `what` were read and how fast.
fn counting(bar: &Option<ProgressBar>, what: &'static str) -> Option<load::Progress> {
    bar.clone().map(|b| {
        let start = Instant::now();
        Arc::new(move |n: u64| {
            let rate = n as f64 / start.elapsed().as_secs_f64().max(1e-3);
            b.set_message(format!("{n} {what} read ({rate:.0}/s)"));
        }) as load::Progress
    })
}

fn progress_bar(ctx: &Ctx, total_bytes: u64) -> Option<ProgressBar> {
    if ctx.quiet || !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("reading {:.1} MB…", total_bytes as f64 / 1e6));
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

fn load_files(ctx: &Ctx, files: &[PathBuf], format: Option<&str>, graph: Option<&str>) -> Result<()> {
    let mut inputs = Vec::new();
    let mut bytes = 0;
    for f in files {
        if f == Path::new("-") {
            let fmt = format.context("Reading standard input needs --format")?;
            let mut buf = Vec::new();
            io::stdin().read_to_end(&mut buf)?;
            bytes += buf.len() as u64;
            inputs.push(LoadInput::bytes("<stdin>", buf, load::parse_rdf_format(fmt)?, graph));
        } else {
            let meta = std::fs::metadata(f).with_context(|| format!("Cannot read {}", f.display()))?;
            bytes += meta.len();
            inputs.push(LoadInput::file(f, format, graph)?);
        }
    }
    let kg = ctx.open(Access::Write)?;
    let started = Instant::now();
    let bar = progress_bar(ctx, bytes);
    let progress = counting(&bar, "quads");
    let result = load::load(&kg, inputs, progress);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let summary = result?;
    after_commit(ctx, &kg);
    let secs = started.elapsed().as_secs_f64();
    if !ctx.quiet {
        eprintln!(
            "Loaded {} quads from {} file{} in {:.2} s ({:.0} quads/s)",
            summary.total,
            summary.files.len(),
            if summary.files.len() == 1 { "" } else { "s" },
            secs,
            summary.total as f64 / secs.max(1e-6)
        );
        let mut graphs: Vec<(&String, &u64)> = summary.graphs.iter().collect();
        graphs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (g, n) in graphs.iter().take(10) {
            let name = if *g == "default" { "default graph".to_owned() } else { vocab::compact(g) };
            eprintln!("  {n:>10}  {name}");
        }
        if graphs.len() > 10 {
            eprintln!("  … and {} more graphs", graphs.len() - 10);
        }
    }
    Ok(())
}

fn import_files(
    ctx: &Ctx,
    files: &[PathBuf],
    profile: Option<String>,
    mapping: Option<PathBuf>,
    dry_run: bool,
    format: Option<&str>,
) -> Result<()> {
    let json = match format {
        None | Some("table") => false,
        Some("json") => true,
        Some(f) => bail!("Unknown report format `{f}`: use table or json"),
    };
    let bytes = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let kg = ctx.open(if dry_run { Access::Read } else { Access::Write })?;
    let started = Instant::now();
    let bar = progress_bar(ctx, bytes);
    let progress = counting(&bar, "rows");
    let opts = mvkg::import::Options { profile, mapping, dry_run, today: None, progress };
    let result = mvkg::import::import(&kg, files, &opts);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = result?;
    kg.flush()?;
    let mut out = Out::open(None)?;
    if json {
        mvkg::render::import::write_json(&report, &mut out)?;
    } else {
        let width = out.width();
        mvkg::render::import::write_text(&report, width, &mut out)?;
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64();
    ctx.say(&format!("{} rows in {:.2} s ({:.0} rows/s)", report.rows, secs, report.rows as f64 / secs.max(1e-6)));
    Ok(())
}

fn output_format(format: Option<&str>, output: Option<&Path>, default: OutputFormat) -> Result<OutputFormat> {
    if let Some(f) = format {
        return Ok(OutputFormat::from_name(f)?);
    }
    if let Some(p) = output {
        if let Some(ext) = p.extension().and_then(|e| e.to_str()) {
            return OutputFormat::from_extension(ext)
                .with_context(|| format!("Cannot tell the output format from `.{ext}`; pass --format"));
        }
    }
    Ok(default)
}

fn run_query(
    ctx: &Ctx,
    query: Option<String>,
    file: Option<PathBuf>,
    params: &[(String, String)],
    format: Option<&str>,
    output: Option<&Path>,
    (timeout, max_memory): (Option<f64>, Option<usize>),
) -> Result<()> {
    let kg = ctx.open(Access::Read)?;
    let read_file =
        |p: &Path| std::fs::read_to_string(p).with_context(|| format!("Cannot read query file {}", p.display()));
    let mut req = match (query, file) {
        (_, Some(f)) => QueryRequest::new(&read_file(&f)?, &f.display().to_string()),
        (Some(q), None) => {
            if let Ok(named) = catalog::find(&q) {
                catalog::bind(Some(&kg), &named, params)?
            } else if (q.ends_with(".rq") || q.ends_with(".sparql")) && Path::new(&q).is_file() {
                QueryRequest::new(&read_file(Path::new(&q))?, &q)
            } else if !q.contains(char::is_whitespace) && !q.contains('{') {
                bail!("No named query `{q}` and no such query file; `mvkg queries` lists the named queries");
            } else {
                QueryRequest::new(&q, "inline query")
            }
        }
        (None, None) => {
            if io::stdin().is_terminal() {
                bail!("Give a query: inline text, a named query, --file FILE, or on standard input");
            }
            let mut text = String::new();
            io::stdin().read_to_string(&mut text)?;
            QueryRequest::new(&text, "standard input")
        }
    };
    if !req.origin.starts_with("named query") {
        for (name, value) in params {
            req.params.push((name.clone(), query::param_term(Some(&kg), name, value, query::ParamKind::Auto)?));
        }
    }
    if let Some(t) = timeout {
        if !(t > 0.0 && t.is_finite()) {
            bail!("--timeout must be a positive number of seconds, not {t}");
        }
        req.timeout = Some(Duration::from_secs_f64(t));
    }
    req.max_memory = max_memory;
    // On the command line the user is the one asking: SERVICE may reach the endpoints they name.
    req.remote = true;
    let outcome = query::run(&kg, &req)?;
    let mut out = Out::open(output)?;
    let default = if out.terminal {
        OutputFormat::Table
    } else {
        match outcome {
            query::Outcome::Graph(_) => OutputFormat::Rdf(oxigraph::io::RdfFormat::Turtle),
            _ => OutputFormat::Results(oxigraph::sparql::results::QueryResultsFormat::Csv),
        }
    };
    let format = output_format(format, output, default)?;
    let width = out.width();
    write_outcome(&outcome, format, width, &mut out)?;
    out.flush()?;
    Ok(())
}

fn list_queries(format: Option<&str>) -> Result<()> {
    let queries = catalog::catalog()?;
    let mut out = Out::open(None)?;
    let format = output_format(format, None, OutputFormat::Table)?.for_rows();
    if format == OutputFormat::Json {
        serde_json::to_writer_pretty(&mut out, &queries)?;
        writeln!(out)?;
    } else {
        let mut rows = Rows::new(&["name", "title", "parameters"]);
        for q in &queries {
            let params: Vec<String> =
                q.params.iter().map(|p| format!("{}{}", p.name, if p.optional { "?" } else { "" })).collect();
            rows.push(vec![q.name.clone(), q.title.clone(), params.join(", ")]);
        }
        if format == OutputFormat::Csv {
            write_csv(&rows, &mut out)?;
        } else {
            let w = out.width();
            write_table(&rows, w, &mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Flushes a store after a committed write. The data is already durable in RocksDB's log, so a failure here (a full
/// disk) is a warning, never an error: the write succeeded.
fn after_commit(ctx: &Ctx, kg: &Kg) {
    if let Err(e) = kg.flush() {
        ctx.say(&format!(
            "warning: the write was committed, but flushing it to the store's tables failed ({e}); it \
                          is kept in the write-ahead log and applied when the store is next opened"
        ));
    }
}

fn run_update(ctx: &Ctx, update: Option<String>, file: Option<PathBuf>) -> Result<()> {
    let (text, origin) = match (update, file) {
        (_, Some(f)) => (
            std::fs::read_to_string(&f).with_context(|| format!("Cannot read {}", f.display()))?,
            f.display().to_string(),
        ),
        (Some(u), None) => (u, "inline update".to_owned()),
        (None, None) => bail!("Give an update: inline text or --file FILE"),
    };
    let kg = ctx.open(Access::Write)?;
    query::update(&kg, &text, &origin)?;
    // Committed: from here on nothing may turn the exit status into a failure. (No quad counts either: counting
    // scans the whole store, which would make a one-triple update on a large store cost seconds.)
    after_commit(ctx, &kg);
    ctx.say("Update applied");
    Ok(())
}

fn dump(ctx: &Ctx, format: Option<&str>, output: Option<&Path>) -> Result<()> {
    let kg = ctx.open(Access::Read)?;
    let f = match format {
        Some(f) => load::parse_rdf_format(f)?,
        None => match output.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
            Some(ext) => load::parse_rdf_format(ext)?,
            None => oxigraph::io::RdfFormat::NQuads,
        },
    };
    let mut out = Out::open(output)?;
    let n = mvkg::dump::dump(&kg, f, &mut out)?;
    out.flush()?;
    ctx.say(&format!("Dumped {n} quads"));
    Ok(())
}

fn show_stats(ctx: &Ctx, format: Option<&str>) -> Result<()> {
    let kg = ctx.open(Access::Read)?;
    let s = stats::stats(&kg)?;
    let mut out = Out::open(None)?;
    match output_format(format, None, OutputFormat::Table)?.for_rows() {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &s)?;
            writeln!(out)?;
        }
        _ => {
            writeln!(out, "store:    {}", kg.path().display())?;
            writeln!(out, "quads:    {}", s.quads)?;
            writeln!(out, "graphs:   {}", s.graphs)?;
            writeln!(out, "sources:  {}", s.sources)?;
            writeln!(
                out,
                "events:   {} to {}",
                s.first_event.as_deref().unwrap_or("-"),
                s.last_event.as_deref().unwrap_or("-")
            )?;
            let mut rows = Rows::new(&["class", "instances"]);
            for (c, n) in &s.classes {
                rows.push(vec![c.clone(), n.to_string()]);
            }
            let w = out.width();
            write_table(&rows, w, &mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn run_validate(
    ctx: &Ctx,
    files: &[PathBuf],
    format: Option<&str>,
    output_format_name: Option<&str>,
    max_per_rule: Option<usize>,
) -> Result<()> {
    let report = if files.is_empty() {
        let kg = ctx.open(Access::Read)?;
        validate::validate_store(&kg, max_per_rule)?
    } else {
        let existing = validate::existing_store(&ctx.store);
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        validate::validate_files(&paths, format, existing.as_ref(), max_per_rule)?
    };
    let mut out = Out::open(None)?;
    match output_format(output_format_name, None, OutputFormat::Table)?.for_rows() {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        _ => {
            if report.violations.is_empty() {
                writeln!(out, "OK: {} rules, no violations", report.rules)?;
            } else {
                let mut rows = Rows::new(&["severity", "rule", "node", "problem", "where"]);
                for v in &report.violations {
                    rows.push(vec![
                        format!("{:?}", v.severity).to_lowercase(),
                        v.rule.clone(),
                        v.node.clone(),
                        v.message.clone(),
                        v.position.clone().or_else(|| v.graph.clone()).unwrap_or_default(),
                    ]);
                }
                let w = out.width();
                write_table(&rows, w, &mut out)?;
                for t in &report.truncated {
                    writeln!(
                        out,
                        "{}: only the first {} violations are listed; there are more (--max-per-rule 0 lists all)",
                        t.rule, t.shown
                    )?;
                }
                let more =
                    |severity| if report.truncated.iter().any(|t| t.severity == severity) { " or more" } else { "" };
                let (more_errors, more_warnings) = (more(validate::Severity::Error), more(validate::Severity::Warning));
                writeln!(
                    out,
                    "{}: {} error(s){more_errors}, {} warning(s){more_warnings} from {} rules",
                    if report.is_ok() { "OK" } else { "FAILED" },
                    report.errors(),
                    report.warnings(),
                    report.rules
                )?;
            }
        }
    }
    out.flush()?;
    if !report.is_ok() {
        std::process::exit(1);
    }
    Ok(())
}

/// Runs a query file or named query for `mvkg map query` and turns its result into statements to draw.
fn query_triples(ctx: &Ctx, target: &str, p: &mvkg::graph::Projection) -> Result<Vec<mvkg::render::map::MapTriple>> {
    let kg = ctx.open(Access::Read)?;
    let req = if let Ok(named) = catalog::find(target) {
        catalog::bind(Some(&kg), &named, &[])?
    } else {
        let text = std::fs::read_to_string(target).with_context(|| format!("Cannot read query file {target}"))?;
        QueryRequest::new(&text, target)
    };
    Ok(mvkg::render::results::map_triples(&query::run(&kg, &req)?, p)?)
}
