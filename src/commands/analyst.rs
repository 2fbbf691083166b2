//! The analyst commands over the graph projection: search, show, path, neighbors, rank, exposure, coinvest,
//! communities, timeline and map. Each one resolves its arguments, calls one library function and prints the result
//! as a table, JSON or CSV.

use std::io::Write;
use std::mem::ManuallyDrop;

use anyhow::{bail, Context, Result};
use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use mvkg::analytics::deals::Deals;
use mvkg::analytics::{coinvest, communities, exposure, neighbors, paths, profile, rank, search, timeline};
use mvkg::graph::{EdgeKind, Projection};
use mvkg::query::project;
use mvkg::render::map;
use mvkg::render::table::{write_csv, write_table, Rows};
use mvkg::render::OutputFormat;
use mvkg::store::Access;
use mvkg::{validate, vocab};

use super::{Ctx, Out};
use crate::cli::{CoinvestBy, GraphOut, MapKindArg, Period, RankBy};

/// Loads the projection (persisted beside the store, rebuilt when the store changed), cut at `--as-of`.
pub fn projection(ctx: &Ctx, as_of: Option<&str>) -> Result<ManuallyDrop<Projection>> {
    projection_of(ctx, as_of, |_| true)
}

/// [`projection`] for a command that reads only the edges whose kind `keep` accepts: from a fresh persisted
/// projection only those are loaded (the others may be present when the projection had to be built).
///
/// A fresh persisted projection is read without opening the store. The projection is never freed: the process ends
/// right after the command, and freeing a million-edge graph piece by piece would only delay the exit.
pub fn projection_of(
    ctx: &Ctx,
    as_of: Option<&str>,
    keep: impl Fn(EdgeKind) -> bool,
) -> Result<ManuallyDrop<Projection>> {
    if let Some(d) = as_of {
        if !validate::is_valid_date(d) {
            bail!("--as-of takes a date as YYYY-MM-DD, not `{d}`");
        }
    }
    let p = match project::cached(&ctx.store, keep) {
        Some(p) => p,
        None => project::projection(&ctx.open(Access::Read)?)?.0,
    };
    Ok(ManuallyDrop::new(match as_of {
        Some(d) => {
            let cut = p.filtered(&[], Some(d));
            std::mem::forget(p);
            cut
        }
        None => p,
    }))
}

/// Resolves a name, alias, `prefix:local` or `<IRI>` to a node.
pub fn resolve(p: &Projection, name: &str) -> Result<NodeIndex> {
    Ok(search::resolve(p, name)?)
}

fn kinds(names: &[String], default: &[EdgeKind]) -> Result<Vec<EdgeKind>> {
    if names.is_empty() {
        return Ok(default.to_vec());
    }
    names
        .iter()
        .map(|n| {
            EdgeKind::from_name(n.trim()).with_context(|| {
                let all: Vec<&str> = EdgeKind::ALL.iter().map(|k| k.name()).collect();
                format!("Unknown link kind `{n}`; use one of: {}", all.join(", "))
            })
        })
        .collect()
}

enum Fmt {
    Table,
    Json,
    Csv,
}

fn fmt(name: Option<&str>) -> Result<Fmt> {
    Ok(match name.map(OutputFormat::from_name).transpose()?.map(OutputFormat::for_rows) {
        None | Some(OutputFormat::Table) => Fmt::Table,
        Some(OutputFormat::Json) => Fmt::Json,
        Some(OutputFormat::Csv) => Fmt::Csv,
        Some(_) => bail!("Graph commands print table, json or csv"),
    })
}

/// Prints rows as a table or CSV, or the value as JSON.
fn emit(out: &mut Out, f: &Fmt, rows: &Rows, json: &impl Serialize) -> Result<()> {
    match f {
        Fmt::Json => {
            serde_json::to_writer_pretty(&mut *out, json)?;
            writeln!(out)?;
        }
        Fmt::Csv => write_csv(rows, out)?,
        Fmt::Table => {
            let w = out.width();
            write_table(rows, w, out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `$150M`, `$1.5B`, `$980K`.
pub fn money(v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(v) if v >= 1e9 => format!("${:.2}B", v / 1e9).replace(".00B", "B"),
        Some(v) if v >= 1e6 => format!("${:.1}M", v / 1e6).replace(".0M", "M"),
        Some(v) if v >= 1e3 => format!("${:.0}K", v / 1e3),
        Some(v) => format!("${v:.0}"),
    }
}

/// The source a cell names: the earliest dated one (undated pages only when no source is dated), then how many more.
fn source_text(p: &Projection, sources: &[String]) -> String {
    let issued = |s: &String| p.sources.get(s).and_then(|r| r.issued.as_deref());
    let shown = sources
        .iter()
        .filter(|s| issued(s).is_some())
        .min_by(|a, b| issued(a).cmp(&issued(b)).then_with(|| a.cmp(b)))
        .or_else(|| sources.first());
    let first = shown.map(|s| match p.sources.get(s) {
        Some(r) => {
            let mut t = r.title.clone().unwrap_or_else(|| vocab::compact(s));
            if let Some(pubr) = &r.publisher {
                t.push_str(&format!(" ({pubr}"));
                if let Some(d) = &r.issued {
                    t.push_str(&format!(", {d}"));
                }
                t.push(')');
            }
            t
        }
        None => vocab::compact(s),
    });
    match (first, sources.len()) {
        (None, _) => String::new(),
        (Some(f), 1) => f,
        (Some(f), n) => format!("{f} +{} more", n - 1),
    }
}

pub fn search_cmd(ctx: &Ctx, text: &str, limit: usize, o: &GraphOut) -> Result<()> {
    // Search reads names only.
    let p = projection_of(ctx, o.as_of.as_deref(), |_| false)?;
    let hits = search::search(&p, text, limit);
    let mut rows = Rows::new(&["label", "kind", "iri", "matched", "match"]);
    for h in &hits {
        rows.push(vec![
            h.label.clone(),
            h.kind.name().to_owned(),
            vocab::compact(&h.iri),
            h.matched.clone(),
            format!("{:?}", h.quality).to_lowercase(),
        ]);
    }
    let mut out = Out::open(None)?;
    if hits.is_empty() && matches!(fmt(o.format.as_deref())?, Fmt::Table) {
        writeln!(out, "No entity matches `{text}`")?;
        return Ok(());
    }
    emit(&mut out, &fmt(o.format.as_deref())?, &rows, &hits)
}

pub fn show_cmd(ctx: &Ctx, entity: &str, o: &GraphOut) -> Result<()> {
    let p = projection(ctx, o.as_of.as_deref())?;
    let n = resolve(&p, entity)?;
    let pr = profile::profile(&p, n).context("entity vanished from the projection")?;
    let f = fmt(o.format.as_deref())?;
    let mut out = Out::open(None)?;
    let links = |title: &str, list: &[profile::Link]| -> Rows {
        let mut r = Rows::new(&[title, "relation", "date", "amount", "stake", "detail", "source"]);
        for l in list {
            r.push(vec![
                l.other.label.clone(),
                format!("{}{}", l.relation, if l.lead { " (lead)" } else { "" }),
                l.date.clone().unwrap_or_default(),
                l.amount_text(money),
                l.stake.map(|s| format!("{s}%")).unwrap_or_default(),
                l.detail.clone().unwrap_or_default(),
                source_text(&p, &l.sources),
            ]);
        }
        r
    };
    match f {
        Fmt::Json => {
            serde_json::to_writer_pretty(&mut out, &pr)?;
            writeln!(out)?;
        }
        Fmt::Csv => {
            let mut all =
                Rows::new(&["section", "other", "relation", "date", "amount_usd", "stake", "detail", "sources"]);
            for (section, list) in [
                ("investments-in", &pr.investments_in),
                ("investments-out", &pr.investments_out),
                ("owners", &pr.owners),
                ("holdings", &pr.holdings),
                ("memberships", &pr.memberships),
                ("partners", &pr.partners),
                ("other", &pr.other),
            ] {
                for l in list {
                    all.push(vec![
                        section.to_owned(),
                        l.other.iri.clone(),
                        l.relation.clone(),
                        l.date.clone().unwrap_or_default(),
                        l.amount_usd.map(|v| format!("{v}")).unwrap_or_default(),
                        l.stake.map(|v| format!("{v}")).unwrap_or_default(),
                        l.detail.clone().unwrap_or_default(),
                        l.sources.join(" "),
                    ]);
                }
            }
            write_csv(&all, &mut out)?;
        }
        Fmt::Table => {
            let w = out.width();
            writeln!(out, "{}  ({})", pr.entity.label, vocab::compact(&pr.entity.iri))?;
            writeln!(out, "types:    {}", pr.types.join(", "))?;
            if !pr.aliases.is_empty() {
                writeln!(out, "aliases:  {}", pr.aliases.join(" · "))?;
            }
            writeln!(out, "country:  {}", pr.country.clone().unwrap_or_else(|| "-".into()))?;
            if !pr.technologies.is_empty() {
                let t: Vec<String> = pr
                    .technologies
                    .iter()
                    .map(|(t, l)| match l {
                        Some(l) => format!("{} [{}]", t.label, exposure::layer_name(*l)),
                        None => t.label.clone(),
                    })
                    .collect();
                writeln!(out, "technologies: {}", t.join(", "))?;
            }
            if !pr.products.is_empty() {
                let names: Vec<&str> = pr.products.iter().map(|n| n.label.as_str()).collect();
                writeln!(out, "products: {}", names.join(", "))?;
            }
            for (title, list) in [
                ("Invested in or acquired by", &pr.investments_in),
                ("Invests in or acquired", &pr.investments_out),
                ("Owners and parents", &pr.owners),
                ("Holdings and subsidiaries", &pr.holdings),
                ("Memberships", &pr.memberships),
                ("Partners", &pr.partners),
                ("Other links", &pr.other),
            ] {
                if !list.is_empty() {
                    writeln!(out, "\n{title}")?;
                    write_table(&links("with", list), w, &mut out)?;
                }
            }
            if !pr.sources.is_empty() {
                writeln!(out, "\nSources")?;
                let mut r = Rows::new(&["source", "publisher", "date", "url"]);
                for s in &pr.sources {
                    r.push(vec![
                        s.title.clone().unwrap_or_else(|| vocab::compact(&s.iri)),
                        s.publisher.clone().unwrap_or_default(),
                        s.issued.clone().unwrap_or_default(),
                        s.url.clone().unwrap_or_default(),
                    ]);
                }
                write_table(&r, w, &mut out)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

pub struct PathArgs<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub k: usize,
    pub via: &'a [String],
    pub directed: bool,
    pub max_hops: Option<usize>,
}

pub fn find_paths(p: &Projection, a: &PathArgs) -> Result<(Vec<paths::Path>, NodeIndex, NodeIndex)> {
    let from = resolve(p, a.from)?;
    let to = resolve(p, a.to)?;
    let cfg =
        paths::PathConfig { kinds: kinds(a.via, &EdgeKind::relational())?, directed: a.directed, max_hops: a.max_hops };
    // One search walks the projection; Yen's k shortest runs many, which pay for building the flat adjacency.
    let found = if a.k <= 1 {
        paths::shortest_path(p, from, to, &cfg).into_iter().collect()
    } else {
        paths::Adjacency::new(p).k_shortest_paths(from, to, a.k, &cfg)
    };
    Ok((found, from, to))
}

pub fn path_cmd(ctx: &Ctx, a: &PathArgs, o: &GraphOut) -> Result<()> {
    let p = projection(ctx, o.as_of.as_deref())?;
    let (found, from, to) = find_paths(&p, a)?;
    if found.is_empty() {
        bail!(
            "No path from {} to {} over {}{}{}",
            p.graph[from].label,
            p.graph[to].label,
            if a.via.is_empty() { "the relational links".to_owned() } else { a.via.join(", ") },
            if a.directed { ", following link directions" } else { "" },
            a.max_hops.map(|h| format!(" within {h} hops")).unwrap_or_default()
        );
    }
    let mut rows = Rows::new(&["path", "from", "relation", "to", "date", "amount", "source"]);
    for (i, path) in found.iter().enumerate() {
        for h in path {
            let e = &p.graph[h.edge];
            let (s, t) = (&p.graph[h.from], &p.graph[h.to]);
            let rel = if h.forward { format!("─{}→", e.kind.name()) } else { format!("←{}─", e.kind.name()) };
            rows.push(vec![
                (i + 1).to_string(),
                s.label.clone(),
                rel,
                t.label.clone(),
                e.date.clone().unwrap_or_default(),
                money(e.amount_usd),
                source_text(&p, &e.sources),
            ]);
        }
    }
    let json: Vec<Vec<paths::HopDetail>> = found.iter().map(|path| paths::describe(&p, path)).collect();
    let mut out = Out::open(None)?;
    emit(&mut out, &fmt(o.format.as_deref())?, &rows, &json)
}

pub fn neighbors_cmd(ctx: &Ctx, entity: &str, hops: usize, via: &[String], o: &GraphOut) -> Result<()> {
    let p = projection(ctx, o.as_of.as_deref())?;
    let n = resolve(&p, entity)?;
    let cfg = neighbors::NeighborConfig { hops, kinds: kinds(via, &[])?, directed: false };
    let nb = neighbors::neighborhood(&p, n, &cfg);
    let f = fmt(o.format.as_deref())?;
    let mut rows = Rows::new(&["distance", "label", "kind", "iri"]);
    for x in &nb.nodes {
        rows.push(vec![x.distance.to_string(), x.label.clone(), x.kind.name().to_owned(), vocab::compact(&x.iri)]);
    }
    let mut out = Out::open(None)?;
    if let Fmt::Table = f {
        let counts: Vec<String> = nb.edge_counts.iter().map(|c| format!("{} {}", c.count, c.kind.name())).collect();
        writeln!(out, "{} entities within {hops} hop(s); links: {}", nb.nodes.len(), counts.join(", "))?;
    }
    emit(&mut out, &f, &rows, &nb)
}

fn rank_filter(types: &[String], top: usize) -> Result<rank::RankFilter> {
    rank::RankFilter::from_names(types, top).map_err(|e| anyhow::anyhow!(e.replace("Unknown type", "Unknown --type")))
}

pub fn rank_cmd(ctx: &Ctx, by: RankBy, types: &[String], top: usize, via: &[String], o: &GraphOut) -> Result<()> {
    let filter = rank_filter(types, top)?;
    let default: Vec<EdgeKind> = EdgeKind::ALL.into_iter().filter(|k| *k != EdgeKind::LocatedIn).collect();
    let ks = kinds(via, &default)?;
    let reads: &[EdgeKind] = if let RankBy::Capital = by { &rank::CAPITAL_KINDS } else { &ks };
    let f = fmt(o.format.as_deref())?;
    if let (RankBy::Capital, None) = (by, &o.as_of) {
        // Answered from the persisted file's columns when it is fresh, without building the graph.
        if let Some(file) = project::cached_file(&ctx.store) {
            if let Some(c) = file.columns() {
                let deals = Deals::from_columns(&c, |k| rank::CAPITAL_KINDS.contains(&k));
                return print_capital(&rank::capital_of(&deals, &c, &filter), &f);
            }
        }
    }
    let p = projection_of(ctx, o.as_of.as_deref(), |k| reads.is_empty() || reads.contains(&k))?;
    let mut out = Out::open(None)?;
    match by {
        RankBy::Pagerank | RankBy::Betweenness => {
            let scores = match by {
                RankBy::Pagerank => rank::pagerank(&p, &rank::PageRankConfig { kinds: ks, ..Default::default() }),
                _ => rank::betweenness(&p, &rank::BetweennessConfig { kinds: ks, undirected: true, sources: None }),
            };
            let r = rank::ranking(&p, &scores.scores, &filter);
            let mut rows = Rows::new(&["rank", "label", "kind", "score", "iri"]);
            for (i, x) in r.iter().enumerate() {
                rows.push(vec![
                    (i + 1).to_string(),
                    x.label.clone(),
                    x.kind.name().to_owned(),
                    format!("{:.6}", x.score),
                    vocab::compact(&x.iri),
                ]);
            }
            emit(&mut out, &f, &rows, &r)
        }
        RankBy::Degree => {
            let r = rank::degree(&p, &ks, &filter);
            let mut rows = Rows::new(&["rank", "label", "kind", "in", "out", "total", "iri"]);
            for (i, x) in r.iter().enumerate() {
                rows.push(vec![
                    (i + 1).to_string(),
                    x.label.clone(),
                    x.kind.name().to_owned(),
                    x.in_degree.to_string(),
                    x.out_degree.to_string(),
                    x.total.to_string(),
                    vocab::compact(&x.iri),
                ]);
            }
            emit(&mut out, &f, &rows, &r)
        }
        RankBy::Capital => print_capital(&rank::capital(&p, &filter), &f),
    }
}

/// The capital ranking as a table, CSV or JSON on standard output.
fn print_capital(r: &[rank::Capital], f: &Fmt) -> Result<()> {
    let mut out = Out::open(None)?;
    let mut rows =
        Rows::new(&["rank", "investor", "rounds", "led", "with amount", "attributed", "rounds' total", "iri"]);
    for (i, x) in r.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            x.label.clone(),
            x.rounds.to_string(),
            x.deals_led.to_string(),
            x.rounds_with_amount.to_string(),
            money(Some(x.attributed_usd)),
            money(Some(x.total_round_usd)),
            vocab::compact(&x.iri),
        ]);
    }
    if let Fmt::Table = f {
        writeln!(
            out,
            "Rounds are counted once per investor; `attributed` splits each round's amount equally among its \
             investors, `rounds' total` adds up the sizes of the rounds joined (overlaps between investors)."
        )?;
    }
    emit(&mut out, f, &rows, &r)
}

pub fn exposure_cmd(ctx: &Ctx, investor: &str, o: &GraphOut) -> Result<()> {
    let p = projection(ctx, o.as_of.as_deref())?;
    let n = resolve(&p, investor)?;
    let ex = exposure::exposure(&p, n, &exposure::ExposureConfig::default()).context("entity vanished")?;
    let f = fmt(o.format.as_deref())?;
    let chain_text = |chain: &[paths::Hop]| -> String {
        let mut s = String::new();
        for (i, h) in chain.iter().enumerate() {
            if i == 0 {
                s.push_str(&p.graph[h.from].label);
            }
            let kind = p.graph[h.edge].kind.name();
            s.push_str(&if h.forward { format!(" ─{kind}→ ") } else { format!(" ←{kind}─ ") });
            s.push_str(&p.graph[h.to].label);
        }
        s
    };
    let mut rows = Rows::new(&["company", "country", "direct", "controlled", "technologies", "chain"]);
    for h in &ex.holdings {
        rows.push(vec![
            h.company.label.clone(),
            h.country.clone().unwrap_or_default(),
            if h.direct { "yes" } else { "look-through" }.to_owned(),
            if h.controlled { "yes" } else { "" }.to_owned(),
            h.technologies.iter().map(|t| t.label.as_str()).collect::<Vec<_>>().join(", "),
            h.chains.first().map(|c| chain_text(c)).unwrap_or_default(),
        ]);
    }
    let mut out = Out::open(None)?;
    if let Fmt::Table = f {
        let w = out.width();
        writeln!(
            out,
            "Exposure of {} ({} holdings, {} vehicles)",
            ex.investor.label,
            ex.holdings.len(),
            ex.vehicles.len()
        )?;
        write_table(&rows, w, &mut out)?;
        for (title, buckets) in
            [("By technology", &ex.by_technology), ("By layer", &ex.by_layer), ("By country", &ex.by_country)]
        {
            writeln!(out, "\n{title}")?;
            let mut r = Rows::new(&["", "companies", "examples"]);
            for b in buckets {
                let names: Vec<&str> = b.members.iter().take(5).map(|m| m.company.label.as_str()).collect();
                r.push(vec![b.label.clone(), b.companies.to_string(), names.join(", ")]);
            }
            write_table(&r, w, &mut out)?;
        }
        out.flush()?;
        return Ok(());
    }
    emit(&mut out, &f, &rows, &ex)
}

pub fn coinvest_cmd(ctx: &Ctx, entity: &str, by: CoinvestBy, top: Option<usize>, o: &GraphOut) -> Result<()> {
    // Answered from the persisted file's columns when it is fresh and the name designates one node there;
    // otherwise (and for every error message) from the projection.
    let file = if o.as_of.is_none() { project::cached_file(&ctx.store) } else { None };
    let columns = file.as_ref().and_then(|f| f.columns());
    let f = fmt(o.format.as_deref())?;
    let mut out = Out::open(None)?;
    let deal_kinds = |k: EdgeKind| coinvest::DEAL_KINDS.contains(&k);
    let found = columns.as_ref().and_then(|c| Some((c, search::resolve_in(c, entity)?)));
    match by {
        CoinvestBy::Round => {
            let co = match found {
                Some((c, n)) => coinvest::coinvestors_of(&Deals::from_columns(c, deal_kinds), c, n, top),
                None => {
                    let p = projection_of(ctx, o.as_of.as_deref(), deal_kinds)?;
                    let n = resolve(&p, entity)?.index();
                    coinvest::coinvestors_of(&Deals::of(&p, deal_kinds), &*p, n, top)
                }
            };
            let mut rows = Rows::new(&["co-investor", "shared deals", "deals"]);
            for c in &co {
                let deals: Vec<String> = c
                    .deals
                    .iter()
                    .map(|d| {
                        format!("{} {} {}", d.investee.label, d.date.clone().unwrap_or_default(), money(d.amount_usd))
                            .trim()
                            .to_owned()
                    })
                    .collect();
                rows.push(vec![c.investor.label.clone(), c.shared.to_string(), deals.join("; ")]);
            }
            emit(&mut out, &f, &rows, &co)
        }
        CoinvestBy::Company => {
            let co = match found {
                Some((c, n)) => coinvest::cobackers_of(&Deals::from_columns(c, deal_kinds), c, n, top),
                None => {
                    let p = projection_of(ctx, o.as_of.as_deref(), deal_kinds)?;
                    let n = resolve(&p, entity)?.index();
                    coinvest::cobackers_of(&Deals::of(&p, deal_kinds), &*p, n, top)
                }
            };
            let mut rows = Rows::new(&["co-investor", "shared companies", "companies"]);
            for c in &co {
                let names: Vec<&str> = c.companies.iter().map(|n| n.label.as_str()).collect();
                rows.push(vec![c.investor.label.clone(), c.shared.to_string(), names.join("; ")]);
            }
            emit(&mut out, &f, &rows, &co)
        }
    }
}

pub fn communities_cmd(ctx: &Ctx, via: &[String], min_size: usize, o: &GraphOut) -> Result<()> {
    let p = projection(ctx, o.as_of.as_deref())?;
    let cfg = communities::CommunityConfig { kinds: kinds(via, &EdgeKind::relational())?, ..Default::default() };
    let c = communities::communities(&p, &cfg);
    let mut rows = Rows::new(&["community", "size", "dominant technology", "dominant country", "members"]);
    for x in c.communities.iter().filter(|x| x.size >= min_size) {
        let members: Vec<&str> = x.members.iter().take(8).map(|m| m.label.as_str()).collect();
        rows.push(vec![
            x.id.to_string(),
            x.size.to_string(),
            x.dominant_technology.as_ref().map(|d| format!("{} ({})", d.label, d.count)).unwrap_or_default(),
            x.dominant_country.as_ref().map(|d| format!("{} ({})", d.label, d.count)).unwrap_or_default(),
            format!("{}{}", members.join(", "), if x.size > 8 { ", …" } else { "" }),
        ]);
    }
    let f = fmt(o.format.as_deref())?;
    let mut out = Out::open(None)?;
    if let Fmt::Table = f {
        writeln!(out, "{} communities, modularity {:.3}", c.communities.len(), c.modularity)?;
    }
    emit(&mut out, &f, &rows, &c)
}

pub fn timeline_cmd(ctx: &Ctx, by: Period, tech: Option<&str>, country: Option<&str>, o: &GraphOut) -> Result<()> {
    let p = projection(ctx, o.as_of.as_deref())?;
    let technology = tech.map(|t| resolve(&p, t)).transpose()?;
    let cfg = timeline::TimelineConfig {
        granularity: match by {
            Period::Year => timeline::Granularity::Year,
            Period::Quarter => timeline::Granularity::Quarter,
        },
        technology,
        country: country.map(str::to_ascii_uppercase),
        ..Default::default()
    };
    let t = timeline::timeline(&p, &cfg);
    let mut rows = Rows::new(&["period", "deals", "with amount", "capital"]);
    for r in &t.rows {
        rows.push(vec![
            r.period.clone(),
            r.deals.to_string(),
            r.deals_with_amount.to_string(),
            money(Some(r.capital_usd)),
        ]);
    }
    let f = fmt(o.format.as_deref())?;
    let mut out = Out::open(None)?;
    if let (Fmt::Table, true) = (&f, t.undated > 0) {
        writeln!(out, "{} undated deal(s) left out", t.undated)?;
    }
    emit(&mut out, &f, &rows, &t)
}

/// Everything `mvkg map` takes.
pub struct MapArgs {
    pub kind: MapKindArg,
    pub targets: Vec<String>,
    pub output: std::path::PathBuf,
    pub format: Option<String>,
    pub layout: Option<String>,
    pub hops: usize,
    pub filter: map::MapFilter,
    pub max_nodes: usize,
}

pub fn map_cmd(ctx: &Ctx, a: MapArgs) -> Result<()> {
    let as_of = a.filter.as_of.clone();
    let p = projection(ctx, as_of.as_deref())?;
    let need = |n: usize, what: &str| -> Result<()> {
        if a.targets.len() != n {
            bail!("`mvkg map {}` takes {what}", format!("{:?}", a.kind).to_lowercase());
        }
        Ok(())
    };
    let kind = match a.kind {
        MapKindArg::Ecosystem => map::MapKind::Ecosystem,
        MapKindArg::Investments => map::MapKind::Investments,
        MapKindArg::Country => map::MapKind::Country,
        MapKindArg::Ego => {
            need(1, "one entity")?;
            map::MapKind::Ego { center: resolve(&p, &a.targets[0])?, hops: a.hops }
        }
        MapKindArg::Path => {
            need(2, "two entities")?;
            let args =
                PathArgs { from: &a.targets[0], to: &a.targets[1], k: 3, via: &[], directed: false, max_hops: None };
            let (found, from, to) = find_paths(&p, &args)?;
            if found.is_empty() {
                bail!("No path from {} to {}", p.graph[from].label, p.graph[to].label);
            }
            map::MapKind::Path { paths: found.iter().map(|path| path.iter().map(|h| h.edge).collect()).collect() }
        }
        MapKindArg::Query => {
            need(1, "one query file or named query")?;
            map::MapKind::Triples { triples: super::query_triples(ctx, &a.targets[0], &p)? }
        }
    };
    let mut tech_filter = a.filter;
    if let Some(t) = &tech_filter.tech {
        let n = resolve(&p, t)?;
        tech_filter.tech = Some(p.graph[n].iri.clone());
    }
    let opts = map::MapOptions { max_nodes: a.max_nodes, ..Default::default() };
    let doc = map::build_map(&p, &kind, &tech_filter, &opts);
    let format = match &a.format {
        Some(f) => map::OutputFormat::from_extension(f)
            .with_context(|| format!("Unknown map format `{f}`: dot, svg, png or pdf"))?,
        None => {
            let ext = a.output.extension().and_then(|e| e.to_str()).unwrap_or_default();
            map::OutputFormat::from_extension(ext).with_context(|| {
                format!(
                    "Cannot tell the map format from `{}`; use .dot, .svg, .png or .pdf or pass --format",
                    a.output.display()
                )
            })?
        }
    };
    let layout = match &a.layout {
        Some(l) => map::Layout::from_name(l)
            .with_context(|| format!("Unknown layout `{l}`: dot, neato, sfdp, fdp or circo"))?,
        None => doc.layout,
    };
    let mut buf = Vec::new();
    map::render(&doc.dot, format, layout, &mut buf)?;
    std::fs::write(&a.output, buf).with_context(|| format!("Cannot write {}", a.output.display()))?;
    ctx.say(&format!(
        "Wrote {} ({} map, {} layout): {} nodes, {} links; {}",
        a.output.display(),
        doc.kind,
        layout.name(),
        doc.nodes.len(),
        doc.edges.len(),
        doc.reduction
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mvkg::graph::SourceRef;

    #[test]
    fn a_cell_names_the_earliest_dated_source() {
        let mut p = Projection::new();
        for (iri, issued) in
            [("src:a-undated", None), ("src:b-late", Some("2021-12-08")), ("src:c-early", Some("2021-11-20"))]
        {
            let r = SourceRef {
                iri: iri.to_owned(),
                title: Some(iri.trim_start_matches("src:").to_owned()),
                publisher: Some("P".to_owned()),
                url: None,
                issued: issued.map(str::to_owned),
            };
            p.sources.insert(iri.to_owned(), r);
        }
        let all: Vec<String> = ["src:a-undated", "src:b-late", "src:c-early"].map(str::to_owned).to_vec();
        assert_eq!(source_text(&p, &all), "c-early (P, 2021-11-20) +2 more");
        assert_eq!(source_text(&p, &all[..1]), "a-undated (P)");
        assert_eq!(source_text(&p, &[]), "");
    }
}
