//! Rows to records: each cell read by its role, every doubtful value flagged with its file, line and column.
//!
//! Values that cannot be trusted are never loaded as if they were fine and never dropped silently: an Excel error
//! (`#NAME?`), an unparseable or implausible date (before 1950, after today, or disagreeing with the row's year
//! column), a negative, zero, unparseable or undisclosed amount each become a [`Flag`] saying what was done (the
//! value left out, or the row skipped). A date given only to the month or year keeps that precision.

use serde::Serialize;

use super::profile::{Profile, TableKind};

/// How precisely a date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Month,
    Year,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }
}

/// A calendar date with its precision (a month-precise date is stored as the first of the month).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateValue {
    pub y: i32,
    pub m: u32,
    pub d: u32,
    pub precision: Precision,
}

impl DateValue {
    pub fn day(y: i32, m: u32, d: u32) -> DateValue {
        DateValue { y, m, d, precision: Precision::Day }
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    pub fn days(&self) -> i64 {
        let (y, m, d) = (self.y as i64 - i64::from(self.m <= 2), self.m as i64, self.d as i64);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a count of days since 1970-01-01.
    pub fn from_days(z: i64) -> DateValue {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        DateValue::day(y, m, d)
    }

    /// Today (UTC).
    pub fn today() -> DateValue {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        DateValue::from_days((secs / 86_400) as i64)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn make(y: i32, m: Option<u32>, d: Option<u32>) -> Option<DateValue> {
    match (m, d) {
        (None, _) => Some(DateValue { y, m: 1, d: 1, precision: Precision::Year }),
        (Some(m), None) if (1..=12).contains(&m) => Some(DateValue { y, m, d: 1, precision: Precision::Month }),
        (Some(m), Some(d)) if (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) => {
            Some(DateValue::day(y, m, d))
        }
        _ => None,
    }
}

/// Parses a date cell by `format` (`iso`, or a pattern of `%d`, `%m`, `%Y` and literal characters). Whatever the
/// format, a bare four-digit year is a year-precise date and `YYYY-MM` a month-precise one.
pub fn parse_date(raw: &str, format: &str) -> Option<DateValue> {
    let s = raw.trim();
    let num = |t: &str, max: usize| -> Option<u32> {
        if t.is_empty() || t.len() > max || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let parts: Vec<&str> = s.split('-').collect();
    let iso = match parts.as_slice() {
        [y] if y.len() == 4 => num(y, 4).and_then(|y| make(y as i32, None, None)),
        [y, m] if y.len() == 4 && m.len() == 2 => make(num(y, 4)? as i32, Some(num(m, 2)?), None),
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 && format == "iso" => {
            make(num(y, 4)? as i32, Some(num(m, 2)?), Some(num(d, 2)?))
        }
        _ => None,
    };
    if iso.is_some() || format == "iso" {
        return iso;
    }
    // A pattern: walk it, reading digits for each field and matching literal characters.
    let (mut y, mut m, mut d) = (None, None, None);
    let mut rest = s;
    let mut pat = format.chars().peekable();
    while let Some(c) = pat.next() {
        if c == '%' {
            let field = pat.next()?;
            let max = if field == 'Y' { 4 } else { 2 };
            let len = rest.bytes().take(max).take_while(u8::is_ascii_digit).count();
            let v = num(&rest[..len], max)?;
            rest = &rest[len..];
            match field {
                'Y' if len == 4 => y = Some(v as i32),
                'm' => m = Some(v),
                'd' => d = Some(v),
                _ => return None,
            }
        } else {
            rest = rest.strip_prefix(c)?;
        }
    }
    if !rest.is_empty() {
        return None;
    }
    make(y?, m, if m.is_some() { d } else { None })
}

/// What an amount cell holds.
#[derive(Clone, Debug, PartialEq)]
pub enum AmountCell {
    Empty,
    Undisclosed,
    /// A number, with the currency its symbol names (`$` USD, `€` EUR, `£` GBP, `¥` JPY).
    Value(f64, Option<&'static str>),
    Bad,
}

/// Parses "2000000", "$2,000,000,000", "1.5e6", "Undisclosed amount".
pub fn parse_amount(raw: &str) -> AmountCell {
    let s = raw.trim();
    if s.is_empty() {
        return AmountCell::Empty;
    }
    if s.to_lowercase().starts_with("undisclosed") {
        return AmountCell::Undisclosed;
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r.trim_start()),
        None => (false, s),
    };
    let symbols = [("$", "USD"), ("US$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY")];
    let mut currency = None;
    let mut body = s;
    for (sym, code) in symbols.iter().rev() {
        if let Some(r) = s.strip_prefix(sym) {
            currency = Some(*code);
            body = r.trim_start();
            break;
        }
    }
    let digits: String = body.chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return AmountCell::Bad;
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => AmountCell::Value(if neg { -v } else { v }, currency),
        _ => AmountCell::Bad,
    }
}

/// An amount as `xsd:decimal` text: `2000000000.0`.
pub fn decimal(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e17 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// The header and trimmed value of a role's cell, when the table has that column.
fn cell_of<'r>(
    index: &std::collections::HashMap<String, usize>,
    cells: &'r csv::StringRecord,
    col: Option<&'r str>,
) -> Option<(&'r str, &'r str)> {
    let name = col?;
    let v = cells.get(*index.get(name)?)?.trim();
    Some((name, v))
}

/// Excel's error values, which replace a cell whose text Excel took for a formula.
const EXCEL_ERRORS: &[&str] = &["#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"];

/// A thing a row says that could not be taken as it stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flag {
    pub file: String,
    pub line: u64,
    /// The header of the cell, or empty for the row as a whole.
    pub column: String,
    pub value: String,
    pub reason: String,
    /// What the importer did: "value left out", "row skipped", "USD assumed", "kept".
    pub action: String,
}

/// What a row names as an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mention {
    pub name: Option<String>,
    /// The Crunchbase permalink (last path segment, lower case).
    pub permalink: Option<String>,
    /// The country cell as written (ISO 3166 alpha-3 or alpha-2 code, or a name).
    pub country: Option<String>,
    /// A role that makes it an investor (else a company).
    pub investor: bool,
}

/// A source a row cites.
#[derive(Clone, Debug, PartialEq)]
pub struct Cited {
    pub url: String,
    pub title: Option<String>,
}

/// One row, read.
#[derive(Clone, Debug)]
pub struct Row {
    pub line: u64,
    /// The organisation of an organisation table; the investee or target of a deal.
    pub subject: Mention,
    /// The investor or acquirer.
    pub other: Option<Mention>,
    pub lead: bool,
    pub date: Option<DateValue>,
    pub amount: Option<(f64, String)>,
    pub round_type: Option<String>,
    pub status: Option<&'static str>,
    pub cites: Vec<Cited>,
}

/// Reads the cells of one table into rows and flags.
pub struct RowReader<'a> {
    pub profile: &'a Profile,
    pub file: &'a str,
    pub today: DateValue,
    /// Header name -> column index.
    pub index: std::collections::HashMap<String, usize>,
}

impl RowReader<'_> {
    /// The index of a role's column; a mapping naming a column the header lacks is an error.
    pub fn check_columns(&self) -> Result<(), String> {
        let c = &self.profile.columns;
        let all = [
            &c.name,
            &c.permalink,
            &c.country,
            &c.investor,
            &c.investor_permalink,
            &c.investor_country,
            &c.investee,
            &c.investee_permalink,
            &c.investee_country,
            &c.acquirer,
            &c.acquirer_permalink,
            &c.acquirer_country,
            &c.target,
            &c.target_permalink,
            &c.target_country,
            &c.date,
            &c.year,
            &c.amount,
            &c.currency,
            &c.round_type,
            &c.lead,
            &c.status,
            &c.source_url,
            &c.source_title,
        ];
        for name in all.into_iter().flatten() {
            if !self.index.contains_key(name) {
                let mut have: Vec<&String> = self.index.keys().collect();
                have.sort();
                return Err(format!("the mapping names column `{name}`, which the header lacks (it has {have:?})"));
            }
        }
        Ok(())
    }

    /// Reads one record; `None` when the row is skipped (a flag says why).
    pub fn row<'s>(&'s self, line: u64, cells: &'s csv::StringRecord, flags: &mut Vec<Flag>) -> Option<Row> {
        let c = &self.profile.columns;
        let mut flag = |column: &str, value: &str, reason: String, action: &str| {
            flags.push(Flag {
                file: self.file.to_owned(),
                line,
                column: column.to_owned(),
                value: value.to_owned(),
                reason,
                action: action.to_owned(),
            })
        };
        let index = &self.index;
        let cell = |col: &'s Option<String>| -> Option<(&'s str, &'s str)> { cell_of(index, cells, col.as_deref()) };
        let text = |col: &'s Option<String>, flag: &mut dyn FnMut(&str, &str, String, &str)| -> Option<String> {
            let (name, v) = cell(col)?;
            if v.is_empty() {
                return None;
            }
            if EXCEL_ERRORS.contains(&v) {
                flag(name, v, "Excel error value instead of the text".into(), "value left out");
                return None;
            }
            Some(v.to_owned())
        };
        let permalink = |col: &'s Option<String>| -> Option<String> {
            let (_, v) = cell(col)?;
            let seg = v.trim_end_matches('/').rsplit('/').next()?.trim().to_lowercase();
            (!seg.is_empty()).then_some(seg)
        };
        let mention = |name: Option<String>, p: &'s Option<String>, country: &'s Option<String>, investor: bool| {
            let permalink = permalink(p);
            if name.is_none() && permalink.is_none() {
                return None;
            }
            let country = cell(country).map(|(_, v)| v.to_owned()).filter(|v| !v.is_empty());
            Some(Mention { name, permalink, country, investor })
        };
        let kind = self.profile.kind;
        let (subject, other) = match kind {
            TableKind::Organizations => {
                let name = text(&c.name, &mut flag);
                (mention(name, &c.permalink, &c.country, false), None)
            }
            TableKind::Investments => {
                let name = text(&c.investee, &mut flag);
                let investor = text(&c.investor, &mut flag);
                (
                    mention(name, &c.investee_permalink, &c.investee_country, false),
                    mention(investor, &c.investor_permalink, &c.investor_country, true),
                )
            }
            TableKind::Acquisitions => {
                let target = text(&c.target, &mut flag);
                let acquirer = text(&c.acquirer, &mut flag);
                (
                    mention(target, &c.target_permalink, &c.target_country, false),
                    mention(acquirer, &c.acquirer_permalink, &c.acquirer_country, false),
                )
            }
        };
        let role = match kind {
            TableKind::Organizations => "organisation",
            TableKind::Investments => "investee",
            TableKind::Acquisitions => "target",
        };
        let Some(subject) = subject else {
            flag("", "", format!("no {role} name or permalink"), "row skipped");
            return None;
        };
        let other_needed = match kind {
            TableKind::Investments => c.investor.is_some() || c.investor_permalink.is_some(),
            TableKind::Acquisitions => true,
            TableKind::Organizations => false,
        };
        if other_needed && other.is_none() {
            let who = if kind == TableKind::Acquisitions { "acquirer" } else { "investor" };
            flag("", "", format!("no {who} name or permalink"), "row skipped");
            return None;
        }

        // The date, checked against the year column and the plausible range.
        let mut date = None;
        if let Some((name, v)) = cell(&c.date) {
            if v.is_empty() {
                flag(name, v, "no date".into(), "event left undated");
            } else {
                match parse_date(v, &self.profile.date_format) {
                    None => flag(
                        name,
                        v,
                        format!("not a date in the format {}", self.profile.date_format),
                        "value left out",
                    ),
                    Some(d) if d.y < 1950 => flag(name, v, "implausible date: before 1950".into(), "value left out"),
                    Some(d) if d > self.today => {
                        flag(name, v, "implausible date: in the future".into(), "value left out")
                    }
                    Some(d) => {
                        let year = cell(&c.year).and_then(|(_, y)| y.parse::<i32>().ok());
                        match year {
                            Some(y) if y != d.y => {
                                let col = c.year.as_deref().unwrap_or_default();
                                flag(
                                    name,
                                    v,
                                    format!("the date's year disagrees with column {col} ({y})"),
                                    "value left out",
                                )
                            }
                            _ => date = Some(d),
                        }
                    }
                }
            }
        }

        // The amount and its currency.
        let mut amount = None;
        if let Some((name, v)) = cell(&c.amount) {
            match parse_amount(v) {
                AmountCell::Empty => {}
                AmountCell::Undisclosed => flag(name, v, "amount undisclosed".into(), "no amount recorded"),
                AmountCell::Bad => flag(name, v, "not an amount".into(), "value left out"),
                AmountCell::Value(x, _) if x < 0.0 => flag(name, v, "negative amount".into(), "value left out"),
                AmountCell::Value(0.0, _) => {
                    flag(name, v, "zero amount (unknown rather than free)".into(), "value left out")
                }
                AmountCell::Value(x, symbol) => {
                    let column = cell(&c.currency).map(|(_, v)| v.to_ascii_uppercase()).filter(|v| !v.is_empty());
                    let valid = |cur: &str| cur.len() == 3 && cur.chars().all(|c| c.is_ascii_uppercase());
                    match (column, symbol, &self.profile.default_currency) {
                        (Some(cur), _, _) if valid(&cur) => amount = Some((x, cur)),
                        (Some(cur), _, _) => {
                            let col = c.currency.as_deref().unwrap_or_default();
                            flag(col, &cur, "not an ISO 4217 currency code".into(), "amount left out")
                        }
                        (None, Some(sym), _) => amount = Some((x, sym.to_owned())),
                        (None, None, Some(default)) => {
                            if c.currency.is_some() {
                                let col = c.currency.as_deref().unwrap_or_default();
                                flag(
                                    col,
                                    "",
                                    format!("no currency for amount {v}"),
                                    &format!("{default} assumed from the profile"),
                                );
                            }
                            amount = Some((x, default.clone()));
                        }
                        (None, None, None) => flag(name, v, "amount without a currency".into(), "value left out"),
                    }
                }
            }
        }

        let lead = cell(&c.lead)
            .is_some_and(|(_, v)| matches!(v.to_ascii_lowercase().as_str(), "yes" | "y" | "true" | "1" | "x" | "lead"));
        let round_type = cell(&c.round_type).map(|(_, v)| v.to_owned()).filter(|v| !v.is_empty());
        let status = match cell(&c.status).map(|(_, v)| v.to_ascii_lowercase()) {
            Some(s) if s == "complete" || s == "completed" || s == "closed" => Some("completed"),
            Some(s) if s == "pending" || s == "announced" => Some("announced"),
            Some(s) if s == "terminated" || s == "cancelled" || s == "canceled" => Some("terminated"),
            _ => None,
        };
        let cites = self.cites(line, &mut flag, cell(&c.source_url), cell(&c.source_title));
        Some(Row { line, subject, other, lead, date, amount, round_type, status, cites })
    }

    /// The sources a row cites: URLs separated by ", ", titles paired with them when the counts agree.
    fn cites(
        &self,
        _line: u64,
        flag: &mut dyn FnMut(&str, &str, String, &str),
        urls: Option<(&str, &str)>,
        titles: Option<(&str, &str)>,
    ) -> Vec<Cited> {
        let Some((ucol, uval)) = urls else { return Vec::new() };
        let list: Vec<String> = uval.split(", ").map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned).collect();
        let mut out = Vec::new();
        for u in &list {
            if (u.starts_with("http://") || u.starts_with("https://"))
                && oxigraph::model::NamedNode::new(u.as_str()).is_ok()
            {
                out.push(Cited { url: u.clone(), title: None });
            } else {
                flag(ucol, u, "not an http(s) URL usable as an IRI".into(), "source left out");
            }
        }
        if let Some((tcol, tval)) = titles.filter(|(_, t)| !t.is_empty()) {
            let parts: Vec<&str> = tval.split(", ").collect();
            if out.len() == 1 {
                out[0].title = Some(tval.to_owned());
            } else if parts.len() == out.len() {
                for (c, t) in out.iter_mut().zip(parts) {
                    c.title = Some(t.trim().to_owned());
                }
            } else if !out.is_empty() {
                flag(
                    tcol,
                    tval,
                    format!("{} titles for {} links: cannot pair them", parts.len(), out.len()),
                    "links titled by their URL",
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let check = |raw: &str, fmt: &str, want: Option<(&str, Precision)>| {
            let got = parse_date(raw, fmt).map(|d| (d.iso(), d.precision));
            assert_eq!(got, want.map(|(s, p)| (s.to_owned(), p)), "{raw} as {fmt}");
        };
        check("2013-06-17", "iso", Some(("2013-06-17", Precision::Day)));
        check("2013-06", "iso", Some(("2013-06-01", Precision::Month)));
        check("2013", "%d/%m/%Y", Some(("2013-01-01", Precision::Year)));
        check("25/03/2014", "%d/%m/%Y", Some(("2014-03-25", Precision::Day)));
        check("1/02/2012", "%d/%m/%Y", Some(("2012-02-01", Precision::Day)));
        check("3//07/2011", "%d/%m/%Y", None);
        check("31/02/2012", "%d/%m/%Y", None);
        check("2013-13-01", "iso", None);
        check("June 2013", "iso", None);
        for z in [-800_000, -1, 0, 1, 16_000, 20_000] {
            assert_eq!(DateValue::from_days(z).days(), z);
        }
        assert_eq!(DateValue::day(2014, 3, 26).days() - DateValue::day(2014, 3, 25).days(), 1);
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("$2,000,000,000"), AmountCell::Value(2e9, Some("USD")));
        assert_eq!(parse_amount("16000000"), AmountCell::Value(16e6, None));
        assert_eq!(parse_amount("Undisclosed amount"), AmountCell::Undisclosed);
        assert_eq!(parse_amount("-5"), AmountCell::Value(-5.0, None));
        assert_eq!(parse_amount("about 5M"), AmountCell::Bad);
        assert_eq!(parse_amount(""), AmountCell::Empty);
        assert_eq!(decimal(2e9), "2000000000.0");
        assert_eq!(decimal(1.5), "1.5");
    }
}
