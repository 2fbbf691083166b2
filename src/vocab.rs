//! Namespaces of the mvkg vocabulary and the prefixes predeclared in every query.

/// The ontology namespace (classes and properties).
pub const MV: &str = "https://w3id.org/mvkg/ontology#";
/// Entities: organisations, people, products, events, claims.
pub const MVD: &str = "https://w3id.org/mvkg/id/";
/// Technology concepts.
pub const TECH: &str = "https://w3id.org/mvkg/tech/";
/// Countries by ISO 3166-1 alpha-2 code.
pub const COUNTRY: &str = "https://w3id.org/mvkg/country/";
/// Sources, which are also the names of the graphs holding what they state.
pub const SRC: &str = "https://w3id.org/mvkg/source/";
/// The graph holding the ontology.
pub const ONTOLOGY_GRAPH: &str = "https://w3id.org/mvkg/graph/ontology";

/// The graph mvkg maintains as the set union of every named (source) graph; with the store's default graph it
/// makes the default graph of every query. A fact stated by several sources is in several source graphs but only
/// once here, so counts and sums are not multiplied.
pub const UNION_GRAPH: &str = "https://w3id.org/mvkg/graph/union";

/// Prefixes known to every query, in the order `mvkg prefixes` lists them.
pub const PREFIXES: &[(&str, &str)] = &[
    ("mv", MV),
    ("mvd", MVD),
    ("tech", TECH),
    ("country", COUNTRY),
    ("src", SRC),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("schema", "https://schema.org/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("org", "http://www.w3.org/ns/org#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
];

/// Shortens an IRI with the longest matching predeclared prefix (`mvd:naver`), or returns it in angle brackets.
pub fn compact(iri: &str) -> String {
    let best = PREFIXES.iter().filter(|(_, ns)| iri.starts_with(ns)).max_by_key(|(_, ns)| ns.len());
    match best {
        Some((p, ns)) => {
            let local = &iri[ns.len()..];
            if !local.is_empty()
                && local.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))
                && !local.ends_with('.')
            {
                format!("{p}:{local}")
            } else {
                format!("<{iri}>")
            }
        }
        None => format!("<{iri}>"),
    }
}

/// Expands `prefix:local` with a predeclared prefix; `None` when the prefix is unknown.
pub fn expand(curie: &str) -> Option<String> {
    let (p, local) = curie.split_once(':')?;
    if local.starts_with("//") {
        return None;
    }
    PREFIXES.iter().find(|(name, _)| *name == p).map(|(_, ns)| format!("{ns}{local}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_expand() {
        let check = |iri: &str, short: &str| {
            assert_eq!(compact(iri), short);
            if !short.starts_with('<') {
                assert_eq!(expand(short).as_deref(), Some(iri));
            }
        };
        check("https://w3id.org/mvkg/id/naver-z", "mvd:naver-z");
        check("https://w3id.org/mvkg/ontology#Company", "mv:Company");
        check("http://www.w3.org/2000/01/rdf-schema#label", "rdfs:label");
        check("http://example.com/x", "<http://example.com/x>");
        check("https://w3id.org/mvkg/id/a/b", "<https://w3id.org/mvkg/id/a/b>");
        assert_eq!(expand("http://example.com"), None);
        assert_eq!(expand("nope:x"), None);
    }
}
