//! The one output-format enum shared by `--format`, `-o FILE.ext` and HTTP `Accept`.

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

use crate::error::{Error, Result};

/// A way to print results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// An aligned text table.
    Table,
    /// SPARQL results (JSON, XML, CSV, TSV) for solutions and booleans.
    Results(QueryResultsFormat),
    /// RDF for graphs.
    Rdf(RdfFormat),
    /// Plain JSON of the library's result types (analytics).
    Json,
    /// Plain CSV of the library's result rows (analytics).
    Csv,
}

impl OutputFormat {
    /// A name given to `--format`.
    pub fn from_name(name: &str) -> Result<OutputFormat> {
        let lower = name.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "table" => OutputFormat::Table,
            "json" => OutputFormat::Results(QueryResultsFormat::Json),
            "xml" => OutputFormat::Results(QueryResultsFormat::Xml),
            "csv" => OutputFormat::Results(QueryResultsFormat::Csv),
            "tsv" => OutputFormat::Results(QueryResultsFormat::Tsv),
            _ => match crate::load::parse_rdf_format(&lower) {
                Ok(f) => OutputFormat::Rdf(f),
                Err(_) => {
                    return Err(Error::Format(format!(
                        "Unknown output format `{name}`: use table, csv, tsv, json, xml for solutions, or turtle, \
                         ntriples, nquads, trig, jsonld, rdfxml for graphs"
                    )))
                }
            },
        })
    }

    /// The format a file name's extension asks for.
    pub fn from_extension(ext: &str) -> Option<OutputFormat> {
        let lower = ext.to_ascii_lowercase();
        match lower.as_str() {
            "txt" => Some(OutputFormat::Table),
            "srj" | "json" => Some(OutputFormat::Results(QueryResultsFormat::Json)),
            "srx" | "xml" => Some(OutputFormat::Results(QueryResultsFormat::Xml)),
            "csv" => Some(OutputFormat::Results(QueryResultsFormat::Csv)),
            "tsv" => Some(OutputFormat::Results(QueryResultsFormat::Tsv)),
            "jsonld" => Some(OutputFormat::Rdf(crate::load::jsonld())),
            _ => RdfFormat::from_extension(&lower).map(OutputFormat::Rdf),
        }
    }

    /// The format an HTTP media type asks for.
    pub fn from_media_type(media_type: &str) -> Option<OutputFormat> {
        let base = media_type.split(';').next().unwrap_or_default().trim();
        if base == "text/plain" {
            return None;
        }
        QueryResultsFormat::from_media_type(base)
            .map(OutputFormat::Results)
            .or_else(|| RdfFormat::from_media_type(base).map(OutputFormat::Rdf))
    }

    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            OutputFormat::Table => "text/plain; charset=utf-8",
            OutputFormat::Results(f) => f.media_type(),
            OutputFormat::Rdf(f) => f.media_type(),
            OutputFormat::Json => "application/json",
            OutputFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    /// For analytics output: the machine formats collapse to plain JSON and CSV.
    pub fn for_rows(self) -> OutputFormat {
        match self {
            OutputFormat::Results(QueryResultsFormat::Json) | OutputFormat::Json => OutputFormat::Json,
            OutputFormat::Results(QueryResultsFormat::Csv)
            | OutputFormat::Results(QueryResultsFormat::Tsv)
            | OutputFormat::Csv => OutputFormat::Csv,
            _ => OutputFormat::Table,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_extensions_and_media_types_agree() {
        let check = |name: &str, ext: &str, media: &str| {
            let f = OutputFormat::from_name(name).unwrap();
            assert_eq!(OutputFormat::from_extension(ext), Some(f), "{ext}");
            assert_eq!(OutputFormat::from_media_type(media), Some(f), "{media}");
            assert!(f.media_type().starts_with(media), "{name}");
        };
        check("json", "srj", "application/sparql-results+json");
        check("xml", "srx", "application/sparql-results+xml");
        check("csv", "csv", "text/csv");
        check("tsv", "tsv", "text/tab-separated-values");
        check("turtle", "ttl", "text/turtle");
        check("ntriples", "nt", "application/n-triples");
        check("nquads", "nq", "application/n-quads");
        check("trig", "trig", "application/trig");
        check("jsonld", "jsonld", "application/ld+json");
        check("rdfxml", "rdf", "application/rdf+xml");
        assert!(OutputFormat::from_name("yaml").unwrap_err().to_string().contains("Unknown output format `yaml`"));
    }
}
