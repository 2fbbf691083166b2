//! SPARQL results: solutions and booleans in the W3C results formats or as a table, graphs in any RDF format.

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};

use crate::error::{Error, Result};
use crate::query::Outcome;
use crate::render::table::{write_table, Rows};
use crate::render::OutputFormat;
use crate::vocab::{compact, PREFIXES};

/// How a term reads in a table: IRIs shortened with the known prefixes, literals as their text.
pub fn term_cell(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => compact(n.as_str()),
        Term::Literal(l) => l.value().to_owned(),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

/// Writes a query outcome. `width` is the terminal width for tables.
pub fn write_outcome(outcome: &Outcome, format: OutputFormat, width: Option<u16>, out: &mut impl Write) -> Result<()> {
    match (outcome, format) {
        (Outcome::Solutions { variables, rows }, OutputFormat::Table) => {
            let mut t = Rows { header: variables.clone(), rows: Vec::new() };
            for r in rows {
                t.push(r.iter().map(|c| c.as_ref().map(term_cell).unwrap_or_default()).collect());
            }
            write_table(&t, width, out)?;
            writeln!(out, "{} row{}", rows.len(), if rows.len() == 1 { "" } else { "s" })?;
            Ok(())
        }
        (Outcome::Solutions { variables, rows }, f) => {
            let f = results_format(f, "solutions")?;
            let vars: Vec<Variable> = variables.iter().map(|v| Variable::new_unchecked(v.as_str())).collect();
            let mut w =
                QueryResultsSerializer::from_format(f).serialize_solutions_to_writer(&mut *out, vars.clone())?;
            for r in rows {
                w.serialize(
                    vars.iter().zip(r.iter()).filter_map(|(v, t)| t.as_ref().map(|t| (v.as_ref(), t.as_ref()))),
                )?;
            }
            w.finish()?;
            Ok(())
        }
        (Outcome::Boolean(b), OutputFormat::Table) => {
            writeln!(out, "{}", if *b { "yes" } else { "no" })?;
            Ok(())
        }
        (Outcome::Boolean(b), f) => {
            let f = results_format(f, "a boolean")?;
            QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(&mut *out, *b)?;
            Ok(())
        }
        (Outcome::Graph(triples), OutputFormat::Table) => {
            let mut t = Rows::new(&["subject", "predicate", "object"]);
            for tr in triples {
                t.push(vec![
                    term_cell(&tr.subject.clone().into()),
                    compact(tr.predicate.as_str()),
                    term_cell(&tr.object),
                ]);
            }
            write_table(&t, width, out)?;
            writeln!(out, "{} triple{}", triples.len(), if triples.len() == 1 { "" } else { "s" })?;
            Ok(())
        }
        (Outcome::Graph(triples), f) => {
            let f = match f {
                OutputFormat::Rdf(f) => f,
                OutputFormat::Results(QueryResultsFormat::Json) | OutputFormat::Json => crate::load::jsonld(),
                OutputFormat::Results(QueryResultsFormat::Xml) => RdfFormat::RdfXml,
                _ => {
                    return Err(Error::Format(
                        "A graph result is written as turtle, ntriples, nquads, trig, jsonld or rdfxml".into(),
                    ))
                }
            };
            let mut ser = RdfSerializer::from_format(f);
            for (p, iri) in PREFIXES {
                ser = ser.with_prefix(*p, *iri).map_err(|e| Error::Format(e.to_string()))?;
            }
            let mut w = ser.for_writer(&mut *out);
            for tr in triples {
                w.serialize_triple(tr)?;
            }
            w.finish()?;
            Ok(())
        }
    }
}

fn results_format(f: OutputFormat, what: &str) -> Result<QueryResultsFormat> {
    match f {
        OutputFormat::Results(f) => Ok(f),
        OutputFormat::Json => Ok(QueryResultsFormat::Json),
        OutputFormat::Csv => Ok(QueryResultsFormat::Csv),
        _ => Err(Error::Format(format!("{what} are written as table, csv, tsv, json or xml, not as an RDF format"))),
    }
}

/// The statements of a query result, for drawing as a map: a CONSTRUCT's triples, or the rows of a SELECT of
/// `?s ?p ?o`. IRIs are labelled from the projection when it knows them.
pub fn map_triples(outcome: &Outcome, p: &crate::graph::Projection) -> Result<Vec<crate::render::map::MapTriple>> {
    use crate::render::map::{MapTerm, MapTriple};
    let term = |t: &Term| -> MapTerm {
        match t {
            Term::NamedNode(n) => {
                let label = p.node(n.as_str()).map(|i| p.graph[i].label.clone()).unwrap_or_default();
                MapTerm::iri(n.as_str(), &label)
            }
            Term::Literal(l) => MapTerm::literal(l.value()),
            other => MapTerm::literal(&other.to_string()),
        }
    };
    let predicate = |iri: &str| MapTerm::iri(iri, &compact(iri));
    match outcome {
        Outcome::Graph(triples) => Ok(triples
            .iter()
            .map(|t| MapTriple {
                subject: term(&t.subject.clone().into()),
                predicate: predicate(t.predicate.as_str()),
                object: term(&t.object),
            })
            .collect()),
        Outcome::Solutions { variables, rows } => {
            let col = |n: &str| variables.iter().position(|v| v == n);
            let (Some(s), Some(pi), Some(o)) = (col("s"), col("p"), col("o")) else {
                return Err(Error::Format("A map is drawn from a CONSTRUCT, or from a SELECT of ?s ?p ?o".into()));
            };
            Ok(rows
                .iter()
                .filter_map(|r| {
                    let (Some(st), Some(Term::NamedNode(pt)), Some(ot)) = (&r[s], &r[pi], &r[o]) else { return None };
                    Some(MapTriple { subject: term(st), predicate: predicate(pt.as_str()), object: term(ot) })
                })
                .collect())
        }
        Outcome::Boolean(_) => {
            Err(Error::Format("A map is drawn from a CONSTRUCT, or from a SELECT of ?s ?p ?o, not from an ASK".into()))
        }
    }
}
