//! Aligned text tables and plain CSV/JSON for row-shaped results.

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};

use crate::error::Result;

/// A header and rows of cells: the common shape of every tabular output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Rows {
    pub fn new(header: &[&str]) -> Rows {
        Rows { header: header.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
}

/// Writes an aligned table. `width` is the terminal width to wrap cells to, if known.
pub fn write_table(rows: &Rows, width: Option<u16>, out: &mut impl Write) -> Result<()> {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t.set_header(rows.header.clone());
    for r in &rows.rows {
        t.add_row(r.clone());
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// Writes RFC 4180 CSV.
pub fn write_csv(rows: &Rows, out: &mut impl Write) -> Result<()> {
    let line = |cells: &[String]| -> String { cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",") };
    write!(out, "{}\r\n", line(&rows.header))?;
    for r in &rows.rows {
        write!(out, "{}\r\n", line(r))?;
    }
    Ok(())
}

fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut r = Rows::new(&["a", "b"]);
        r.push(vec!["x,y".into(), "say \"hi\"".into()]);
        r.push(vec!["plain".into(), "line\nbreak".into()]);
        let mut out = Vec::new();
        write_csv(&r, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\nplain,\"line\nbreak\"\r\n");
    }

    #[test]
    fn table_has_header_and_cells() {
        let mut r = Rows::new(&["name", "n"]);
        r.push(vec!["Naver Z".into(), "2".into()]);
        let mut out = Vec::new();
        write_table(&r, None, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 5, "{s}");
        assert!(lines[1].contains("name") && lines[1].contains(" n "), "{s}");
        assert!(lines[3].contains("Naver Z") && lines[3].contains(" 2 "), "{s}");
    }
}
