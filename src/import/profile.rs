//! What the columns of a table mean: the built-in profiles of known exports, recognised from the header row, and
//! mapping files (TOML) that describe any other CSV or TSV.
//!
//! A profile names the kind of rows (organisations, investments, acquisitions), the column of each role, the date
//! format, and the table as a source (title, publisher, licence, URL, date). A mapping file is the same thing
//! written by hand; its keys are checked (an unknown key, a missing column or a bad value is an error naming the
//! file, line and key).

use std::path::Path;

use serde::Deserialize;

use super::decode::Encoding;
use crate::error::{Error, Result};

/// What one row of a table describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableKind {
    /// One organisation per row.
    Organizations,
    /// One investor's part in a funding round per row, or one round per row.
    Investments,
    /// One acquisition per row.
    Acquisitions,
}

/// The column (header name) of each role; roles a table lacks are `None`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Organisation tables: the organisation's name, permalink and country.
    pub name: Option<String>,
    pub permalink: Option<String>,
    pub country: Option<String>,
    pub investor: Option<String>,
    pub investor_permalink: Option<String>,
    pub investor_country: Option<String>,
    pub investee: Option<String>,
    pub investee_permalink: Option<String>,
    pub investee_country: Option<String>,
    pub acquirer: Option<String>,
    pub acquirer_permalink: Option<String>,
    pub acquirer_country: Option<String>,
    pub target: Option<String>,
    pub target_permalink: Option<String>,
    pub target_country: Option<String>,
    pub date: Option<String>,
    /// A year column checked against the date column.
    pub year: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub round_type: Option<String>,
    /// A column that says whether the row's investor led the round (yes/true/1/x/lead).
    pub lead: Option<String>,
    pub status: Option<String>,
    /// One URL, or several separated by ", ", naming the row's sources.
    pub source_url: Option<String>,
    /// The titles of those sources, in the same order.
    pub source_title: Option<String>,
}

/// A table as a source document.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMeta {
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub license: Option<String>,
    pub url: Option<String>,
    /// When the table was published: YYYY-MM-DD, YYYY-MM or YYYY.
    pub issued: Option<String>,
}

/// How to read one table.
#[derive(Clone, Debug)]
pub struct Profile {
    /// The profile's name (`crunchbase-rounds`), or `mapping` for a mapping file.
    pub name: String,
    pub kind: TableKind,
    pub columns: Columns,
    /// `iso` (YYYY-MM-DD, YYYY-MM, YYYY) or a pattern of %d, %m, %Y and literal characters such as `%d/%m/%Y`.
    pub date_format: String,
    /// Currency of amounts when the table has no currency column (ISO 4217).
    pub default_currency: Option<String>,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub source: SourceMeta,
    /// The header this profile is recognised by (built-in profiles only).
    pub header: &'static [&'static str],
}

/// A mapping file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    kind: TableKind,
    #[serde(default)]
    date_format: Option<String>,
    #[serde(default)]
    default_currency: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    source: SourceMeta,
    columns: Columns,
}

/// Reads a mapping file.
pub fn read_mapping(path: &Path) -> Result<Profile> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    parse_mapping(&text, &path.display().to_string())
}

/// Parses mapping text; `origin` names it in errors.
pub fn parse_mapping(text: &str, origin: &str) -> Result<Profile> {
    let at = |span: Option<std::ops::Range<usize>>| -> (u64, u64) {
        let Some(span) = span else { return (0, 0) };
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() as u64 + 1;
        let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u64 + 1;
        (line, column)
    };
    let file: MappingFile = toml::from_str(text).map_err(|e| {
        let (line, column) = at(e.span());
        let message = e.message().trim().to_owned();
        Error::Mapping { file: origin.to_owned(), line, column, message }
    })?;
    // Positions of keys for our own checks: the line where `key =` is written.
    let key_at = |key: &str| -> (u64, u64) {
        for (i, l) in text.lines().enumerate() {
            let t = l.trim_start();
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
                return (i as u64 + 1, (l.len() - t.len()) as u64 + 1);
            }
        }
        (0, 0)
    };
    let bad = |key: &str, message: String| {
        let (line, column) = key_at(key);
        Error::Mapping { file: origin.to_owned(), line, column, message: format!("key `{key}`: {message}") }
    };
    let encoding =
        match &file.encoding {
            None => None,
            Some(e) => Some(Encoding::parse(e).ok_or_else(|| {
                bad("encoding", format!("unknown encoding `{e}`; use utf-8, mac-roman or windows-1252"))
            })?),
        };
    let delimiter = match file.delimiter.as_deref() {
        None => None,
        Some("\\t" | "\t" | "tab") => Some(b'\t'),
        Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
        Some(d) => return Err(bad("delimiter", format!("`{d}` is not one character (use \",\", \";\" or \"\\t\")"))),
    };
    let date_format = file.date_format.unwrap_or_else(|| "iso".into());
    if date_format != "iso" && !date_format.contains("%Y") {
        return Err(bad("date_format", format!("`{date_format}` has no %Y; use iso or a pattern such as %d/%m/%Y")));
    }
    if let Some(c) = &file.default_currency {
        if c.len() != 3 || !c.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(bad("default_currency", format!("`{c}` is not an ISO 4217 code such as USD")));
        }
    }
    let c = &file.columns;
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(bad("kind", format!("a table of this kind needs {what} in [columns]")))
        }
    };
    match file.kind {
        TableKind::Organizations => need(c.name.is_some(), "`name`")?,
        TableKind::Investments => need(c.investee.is_some(), "`investee`")?,
        TableKind::Acquisitions => need(c.acquirer.is_some() && c.target.is_some(), "`acquirer` and `target`")?,
    }
    Ok(Profile {
        name: "mapping".into(),
        kind: file.kind,
        columns: file.columns,
        date_format,
        default_currency: file.default_currency,
        encoding,
        delimiter,
        source: file.source,
        header: &[],
    })
}

fn col(s: &str) -> Option<String> {
    Some(s.to_owned())
}

const CB_COMPANIES: &[&str] = &[
    "permalink",
    "name",
    "category_code",
    "funding_total_usd",
    "status",
    "country_code",
    "state_code",
    "region",
    "city",
    "funding_rounds",
    "founded_at",
    "founded_month",
    "founded_quarter",
    "founded_year",
    "first_funding_at",
    "last_funding_at",
    "last_milestone_at",
];
const CB_ROUNDS: &[&str] = &[
    "company_permalink",
    "company_name",
    "company_category_code",
    "company_country_code",
    "company_state_code",
    "company_region",
    "company_city",
    "funding_round_type",
    "funded_at",
    "funded_month",
    "funded_quarter",
    "funded_year",
    "raised_amount_usd",
];
const CB_ACQUISITIONS: &[&str] = &[
    "company_permalink",
    "company_name",
    "company_category_code",
    "company_country_code",
    "company_state_code",
    "company_region",
    "company_city",
    "acquirer_permalink",
    "acquirer_name",
    "acquirer_category_code",
    "acquirer_country_code",
    "acquirer_state_code",
    "acquirer_region",
    "acquirer_city",
    "acquired_at",
    "acquired_month",
    "acquired_quarter",
    "acquired_year",
    "price_amount",
    "price_currency_code",
];
const CB_INVESTMENTS: &[&str] = &["company_name", "investor_name", "funded_when", "amount_usd"];
const TG_ACQUISITIONS: &[&str] = &[
    "Acquisitions ID",
    "Acquired Company",
    "Acquiring Company",
    "Year of acquisition announcement",
    "Deal announced on",
    "Price",
    "Status",
    "Terms",
    "Acquisition Profile",
    "News",
    "News Link",
];
const TG_ACQUIRED: &[&str] = &[
    "Company",
    "CrunchBase Profile",
    "Image",
    "Tagline",
    "Year Founded",
    "Market Categories",
    "Address (HQ)",
    "City (HQ)",
    "State / Region (HQ)",
    "Country (HQ)",
    "Description",
    "Homepage",
    "Twitter",
    "Acquired by",
    "Acquisitions ID",
    "API",
];
const TG_ACQUIRING: &[&str] = &[
    "Acquiring Company",
    "CrunchBase Profile",
    "Image",
    "Tagline",
    "Market Categories",
    "Year Founded",
    "IPO",
    "Founders",
    "Number of Employees",
    "Number of Employees (year of last update)",
    "Total Funding ($)",
    "Number of Acquisitions",
    "Board Members",
    "Address (HQ)",
    "City (HQ)",
    "State / Region (HQ)",
    "Country (HQ)",
    "Description",
    "Homepage",
    "Twitter",
    "Acquired Companies",
    "Acquisitions ID",
    "API",
];

fn crunchbase_2013(what: &str) -> SourceMeta {
    SourceMeta {
        title: Some(format!("Crunchbase export of October 2013: {what}")),
        publisher: Some("Crunchbase (export republished by Dan Nguyen, datahoarder/crunchbase-october-2013)".into()),
        license: Some("CC-BY (Crunchbase's terms before December 2013; attribution: crunchbase.com)".into()),
        url: Some("https://github.com/datahoarder/crunchbase-october-2013".into()),
        issued: Some("2013-10".into()),
    }
}

fn tech_giants(what: &str) -> SourceMeta {
    SourceMeta {
        title: Some(format!("Tech Giants Acquisitions: {what}")),
        publisher: Some("Alice Corona (alicecorona.nl), compiled from Crunchbase".into()),
        license: Some("CC BY-SA 4.0".into()),
        url: Some("https://github.com/ali-ce/datasets/tree/master/Tech-Giants-Acquisitions".into()),
        issued: Some("2017-04-22".into()),
    }
}

/// The built-in profiles, by name.
pub fn builtin() -> Vec<Profile> {
    let base = |name: &str, kind, header, columns, source| Profile {
        name: name.into(),
        kind,
        columns,
        date_format: "iso".into(),
        default_currency: None,
        encoding: None,
        delimiter: Some(b','),
        source,
        header,
    };
    let mut v = vec![
        base(
            "crunchbase-companies",
            TableKind::Organizations,
            CB_COMPANIES,
            Columns {
                name: col("name"),
                permalink: col("permalink"),
                country: col("country_code"),
                ..Columns::default()
            },
            crunchbase_2013("companies"),
        ),
        base(
            "crunchbase-rounds",
            TableKind::Investments,
            CB_ROUNDS,
            Columns {
                investee: col("company_name"),
                investee_permalink: col("company_permalink"),
                investee_country: col("company_country_code"),
                round_type: col("funding_round_type"),
                date: col("funded_at"),
                year: col("funded_year"),
                amount: col("raised_amount_usd"),
                ..Columns::default()
            },
            crunchbase_2013("funding rounds"),
        ),
        base(
            "crunchbase-acquisitions",
            TableKind::Acquisitions,
            CB_ACQUISITIONS,
            Columns {
                target: col("company_name"),
                target_permalink: col("company_permalink"),
                target_country: col("company_country_code"),
                acquirer: col("acquirer_name"),
                acquirer_permalink: col("acquirer_permalink"),
                acquirer_country: col("acquirer_country_code"),
                date: col("acquired_at"),
                year: col("acquired_year"),
                amount: col("price_amount"),
                currency: col("price_currency_code"),
                ..Columns::default()
            },
            crunchbase_2013("acquisitions"),
        ),
        base(
            "crunchbase-investments",
            TableKind::Investments,
            CB_INVESTMENTS,
            Columns {
                investee: col("company_name"),
                investor: col("investor_name"),
                date: col("funded_when"),
                amount: col("amount_usd"),
                ..Columns::default()
            },
            SourceMeta {
                title: Some("Crunchbase investments (investor to company rows, 2013)".into()),
                publisher: Some("holmesjoli/crunchbase on GitHub (data from Crunchbase)".into()),
                license: Some("none stated by the repository; the rows are Crunchbase data of 2013".into()),
                url: Some("https://github.com/holmesjoli/crunchbase".into()),
                issued: Some("2022-03-22".into()),
            },
        ),
        base(
            "tech-giants-acquisitions",
            TableKind::Acquisitions,
            TG_ACQUISITIONS,
            Columns {
                target: col("Acquired Company"),
                acquirer: col("Acquiring Company"),
                year: col("Year of acquisition announcement"),
                date: col("Deal announced on"),
                amount: col("Price"),
                status: col("Status"),
                source_url: col("News Link"),
                source_title: col("News"),
                ..Columns::default()
            },
            tech_giants("acquisitions"),
        ),
        base(
            "tech-giants-acquired",
            TableKind::Organizations,
            TG_ACQUIRED,
            Columns {
                name: col("Company"),
                permalink: col("CrunchBase Profile"),
                country: col("Country (HQ)"),
                ..Columns::default()
            },
            tech_giants("acquired companies"),
        ),
        base(
            "tech-giants-acquiring",
            TableKind::Organizations,
            TG_ACQUIRING,
            Columns {
                name: col("Acquiring Company"),
                permalink: col("CrunchBase Profile"),
                country: col("Country (HQ)"),
                ..Columns::default()
            },
            tech_giants("acquiring companies"),
        ),
    ];
    for p in &mut v {
        // Crunchbase's amounts are in US dollars unless a currency column says otherwise.
        if p.name.starts_with("crunchbase-") {
            p.default_currency = Some("USD".into());
        }
        if p.name == "tech-giants-acquisitions" {
            p.date_format = "%d/%m/%Y".into();
            p.default_currency = Some("USD".into());
        }
    }
    v
}

/// The built-in profile of this name.
pub fn by_name(name: &str) -> Option<Profile> {
    builtin().into_iter().find(|p| p.name == name)
}

/// The built-in profile whose header is exactly `header` (cells trimmed).
pub fn recognise(header: &[String]) -> Option<Profile> {
    builtin()
        .into_iter()
        .find(|p| p.header.len() == header.len() && p.header.iter().zip(header).all(|(a, b)| *a == b.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_errors_name_line_and_key() {
        let err = |text: &str| parse_mapping(text, "m.toml").unwrap_err().to_string();
        assert_eq!(
            err("kind = \"investments\"\n[columns]\ninvestee = \"Company\"\ninvestr = \"Investor\"\n"),
            "m.toml:4:1: unknown field `investr`, expected one of `name`, `permalink`, `country`, `investor`, \
             `investor_permalink`, `investor_country`, `investee`, `investee_permalink`, `investee_country`, `acquirer`, \
             `acquirer_permalink`, `acquirer_country`, `target`, `target_permalink`, `target_country`, `date`, \
             `year`, `amount`, `currency`, `round_type`, `lead`, `status`, `source_url`, `source_title`"
        );
        assert_eq!(
            err("kind = \"investments\"\ndate_format = \"%d.%m\"\n[columns]\ninvestee = \"Company\"\n"),
            "m.toml:2:1: key `date_format`: `%d.%m` has no %Y; use iso or a pattern such as %d/%m/%Y"
        );
        assert!(err("kind = \"deals\"\n[columns]\n").starts_with("m.toml:1:8: unknown variant `deals`"));
    }
}
