//! The RDF parsers as `mvkg load` and `mvkg validate` call them (`rename_blank_nodes`, streaming from a reader):
//! the first byte picks the format, the rest is the document. Every input ends in quads or a syntax error with a
//! position, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oxrdfio::{RdfFormat, RdfParser};

const FORMATS: [RdfFormat; 6] =
    [RdfFormat::Turtle, RdfFormat::TriG, RdfFormat::NTriples, RdfFormat::NQuads, RdfFormat::RdfXml, RdfFormat::N3];

fuzz_target!(|data: &[u8]| {
    let Some((first, doc)) = data.split_first() else { return };
    let format = FORMATS[usize::from(*first) % FORMATS.len()];
    let parser = RdfParser::from_format(format).rename_blank_nodes();
    for q in parser.for_reader(doc).take(10_000) {
        if q.is_err() {
            break;
        }
    }
});
