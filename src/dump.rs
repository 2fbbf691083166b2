//! Writing the whole store out, as N-Quads or TriG, so that loading the dump into a fresh store gives back an
//! isomorphic dataset.

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};

use crate::error::{Error, Result};
use crate::store::Kg;
use crate::vocab::PREFIXES;

/// Writes every quad; returns how many.
pub fn dump(kg: &Kg, format: RdfFormat, out: &mut impl Write) -> Result<usize> {
    if !format.supports_datasets() {
        return Err(Error::Format(format!(
            "A dump keeps the graphs of every fact, so it is written as nquads or trig, not {}",
            format.name()
        )));
    }
    let mut ser = RdfSerializer::from_format(format);
    if format == RdfFormat::TriG {
        for (p, iri) in PREFIXES {
            ser = ser.with_prefix(*p, *iri).map_err(|e| Error::Format(e.to_string()))?;
        }
    }
    let mut w = ser.for_writer(out);
    let mut n = 0;
    for q in kg.inner().iter() {
        let q = q.map_err(|e| kg.storage_error(&e))?;
        if Kg::is_union(&q) {
            continue;
        }
        w.serialize_quad(&q)?;
        n += 1;
    }
    w.finish()?;
    Ok(n)
}
