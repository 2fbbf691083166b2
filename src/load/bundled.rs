//! The bundled ontology, dataset, named queries and validation rules, compiled into the binary so that mvkg works
//! from any directory. `build.rs` lists the files of `data/` and `queries/`.

use oxigraph::io::RdfFormat;

use crate::error::Result;
use crate::load::LoadInput;
use crate::vocab::ONTOLOGY_GRAPH;

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The bundled data files as (file name, contents), in load order: the ontology first.
pub fn data_files() -> &'static [(&'static str, &'static str)] {
    DATA_FILES
}

/// The bundled named queries as (file name, contents).
pub fn query_files() -> &'static [(&'static str, &'static str)] {
    QUERY_FILES
}

/// The bundled validation rules as (file name, contents).
pub fn check_files() -> &'static [(&'static str, &'static str)] {
    CHECK_FILES
}

/// Load inputs for the bundled data: `ontology.ttl` into the ontology graph, every TriG file as it is.
pub fn inputs() -> Result<Vec<LoadInput>> {
    DATA_FILES
        .iter()
        .map(|(name, text)| {
            let display = format!("data/{name}");
            if name.ends_with(".ttl") {
                Ok(LoadInput::bytes(&display, text.as_bytes().to_vec(), RdfFormat::Turtle, Some(ONTOLOGY_GRAPH)))
            } else {
                Ok(LoadInput::bytes(&display, text.as_bytes().to_vec(), RdfFormat::TriG, None))
            }
        })
        .collect()
}
