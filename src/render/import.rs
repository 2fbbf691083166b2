//! The import report as terminal tables or JSON.

use std::io::Write;

use super::table::{write_table, Rows};
use crate::error::Result;
use crate::import::Report;
use crate::vocab::compact;

/// How many merges, ambiguities and flags the text report lists one by one (JSON lists them all).
pub const LISTED: usize = 20;

/// Writes the report as aligned tables.
pub fn write_text(r: &Report, width: Option<u16>, out: &mut impl Write) -> Result<()> {
    let headline = if r.dry_run {
        "Dry run: nothing was written; this is what the import would do."
    } else if r.committed {
        "Import committed."
    } else {
        "Nothing changed: every file was imported before with the same bytes."
    };
    writeln!(out, "{headline}")?;
    let mut files =
        Rows::new(&["file", "profile", "encoding", "line endings", "rows", "skipped", "blank", "status", "graph"]);
    for f in &r.files {
        files.push(vec![
            f.file.clone(),
            f.profile.clone(),
            format!("{} ({})", f.encoding, f.encoding_because),
            f.line_endings.clone(),
            f.rows.to_string(),
            f.skipped.to_string(),
            f.blank.to_string(),
            format!("{:?}", f.status).to_lowercase(),
            compact(&f.graph),
        ]);
    }
    write_table(&files, width, out)?;
    let mut totals = Rows::new(&["", "count"]);
    let mut add = |what: &str, n: usize| totals.push(vec![what.to_owned(), n.to_string()]);
    add("rows read", r.rows);
    add("events (rounds and acquisitions)", r.events);
    add("  new to the store", r.events_created);
    add("  linked to curated events", r.events_linked.len());
    add("  rounds joined from several rows", r.rounds_joined);
    add("organisations", r.organizations);
    add("  new to the store", r.organizations_created);
    add("  merged with existing ones", r.organizations_merged.len());
    add("  ambiguous names (not merged)", r.ambiguous.len());
    add("flagged values and rows", r.flags.len());
    add("quads", r.quads);
    add("graphs replaced", r.graphs_replaced.len());
    write_table(&totals, width, out)?;

    let more = |out: &mut dyn Write, n: usize| -> Result<()> {
        if n > LISTED {
            writeln!(out, "… and {} more (--format json lists them all)", n - LISTED)?;
        }
        Ok(())
    };
    if !r.organizations_merged.is_empty() {
        writeln!(out, "Merged with existing organisations:")?;
        let mut t = Rows::new(&["name in the table", "organisation", "rule", "confidence"]);
        for m in r.organizations_merged.iter().take(LISTED) {
            t.push(vec![
                m.name.clone(),
                format!("{} ({})", m.label, compact(&m.iri)),
                m.rule.clone(),
                format!("{:.2}", m.confidence),
            ]);
        }
        write_table(&t, width, out)?;
        more(out, r.organizations_merged.len())?;
    }
    if !r.events_linked.is_empty() {
        writeln!(out, "Deals already in the store (the table's values added beside the existing ones):")?;
        let mut t = Rows::new(&["file:line", "event"]);
        for l in r.events_linked.iter().take(LISTED) {
            t.push(vec![format!("{}:{}", l.file, l.line), compact(&l.event)]);
        }
        write_table(&t, width, out)?;
        more(out, r.events_linked.len())?;
    }
    if !r.ambiguous.is_empty() {
        writeln!(out, "Ambiguous names, not merged (a new organisation was made for each):")?;
        let mut t = Rows::new(&["file:line", "name", "candidates", "created"]);
        for a in r.ambiguous.iter().take(LISTED) {
            let c: Vec<String> = a.candidates.iter().map(|(i, l)| format!("{l} ({})", compact(i))).collect();
            t.push(vec![format!("{}:{}", a.file, a.line), a.name.clone(), c.join("; "), compact(&a.created)]);
        }
        write_table(&t, width, out)?;
        more(out, r.ambiguous.len())?;
    }
    if !r.countries_left_out.is_empty() {
        let list: Vec<String> = r.countries_left_out.iter().map(|(c, n)| format!("{c} ({n})")).collect();
        writeln!(out, "Countries left out (not declared in the store or not recognised): {}", list.join(", "))?;
    }
    if !r.flags.is_empty() {
        writeln!(out, "Flags by reason:")?;
        let mut t = Rows::new(&["reason: action", "rows"]);
        for (reason, n) in r.flag_summary() {
            t.push(vec![reason, n.to_string()]);
        }
        write_table(&t, width, out)?;
        let mut t = Rows::new(&["file:line", "column", "value", "reason", "action"]);
        for f in r.flags.iter().take(LISTED) {
            t.push(vec![
                format!("{}:{}", f.file, f.line),
                f.column.clone(),
                f.value.chars().take(60).collect(),
                f.reason.clone(),
                f.action.clone(),
            ]);
        }
        write_table(&t, width, out)?;
        more(out, r.flags.len())?;
    }
    Ok(())
}

/// Writes the report as pretty JSON.
pub fn write_json(r: &Report, out: &mut impl Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, r).map_err(|e| crate::error::Error::Io(e.into()))?;
    writeln!(out)?;
    Ok(())
}
