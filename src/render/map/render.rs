//! Running Graphviz: DOT text in, SVG, PNG or PDF out.
//!
//! The `dot` program is run as `dot -K<layout> -T<format>` with the DOT on its standard input. DOT output needs no
//! Graphviz at all; the other formats fail with [`MapError::GraphvizMissing`] when it is not installed.

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

/// The output formats of a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutputFormat {
    Dot,
    Svg,
    Png,
    Pdf,
}

impl OutputFormat {
    pub const ALL: [OutputFormat; 4] = [OutputFormat::Dot, OutputFormat::Svg, OutputFormat::Png, OutputFormat::Pdf];

    /// The Graphviz `-T` name, also the usual file extension.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Dot => "dot",
            OutputFormat::Svg => "svg",
            OutputFormat::Png => "png",
            OutputFormat::Pdf => "pdf",
        }
    }

    /// From a file extension, any case, without the dot: `svg`, `gv`, …
    pub fn from_extension(ext: &str) -> Option<OutputFormat> {
        let ext = ext.to_ascii_lowercase();
        if ext == "gv" {
            return Some(OutputFormat::Dot);
        }
        OutputFormat::ALL.into_iter().find(|f| f.name() == ext)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            OutputFormat::Dot => "text/vnd.graphviz",
            OutputFormat::Svg => "image/svg+xml",
            OutputFormat::Png => "image/png",
            OutputFormat::Pdf => "application/pdf",
        }
    }

    /// From a media type, ignoring parameters (`image/svg+xml; charset=utf-8`).
    pub fn from_media_type(media_type: &str) -> Option<OutputFormat> {
        let base = media_type.split(';').next()?.trim().to_ascii_lowercase();
        OutputFormat::ALL.into_iter().find(|f| f.media_type() == base)
    }
}

/// The Graphviz layout engines a map can be drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Layout {
    /// Layered, top to bottom: bands and clusters, but slow with curved edges on large maps.
    Dot,
    /// Spring model: good up to a few hundred nodes.
    Neato,
    /// Multiscale force-directed: fast on large maps; ignores clusters.
    Sfdp,
    /// Force-directed with clusters.
    Fdp,
    /// Circular.
    Circo,
}

impl Layout {
    pub const ALL: [Layout; 5] = [Layout::Dot, Layout::Neato, Layout::Sfdp, Layout::Fdp, Layout::Circo];

    /// The Graphviz `-K` name.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Dot => "dot",
            Layout::Neato => "neato",
            Layout::Sfdp => "sfdp",
            Layout::Fdp => "fdp",
            Layout::Circo => "circo",
        }
    }

    pub fn from_name(name: &str) -> Option<Layout> {
        let name = name.to_ascii_lowercase();
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// Why a map could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    #[error(
        "Graphviz is needed for {format} output but `{program}` was not found: install it (`apt-get install graphviz`, \
         `brew install graphviz`) or write DOT"
    )]
    GraphvizMissing { program: String, format: &'static str },
    #[error("Graphviz `{program} -K{layout} -T{format}` failed ({status}): {stderr}")]
    Graphviz { program: String, layout: &'static str, format: &'static str, status: String, stderr: String },
    #[error("Cannot run Graphviz `{program}`")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    #[error("Cannot write the map")]
    Io(#[from] io::Error),
}

/// Writes `dot` to `out` in `format`, laid out by `layout`. DOT is written as it is; the other formats run the
/// Graphviz `dot` program found on the `PATH`.
pub fn render(dot: &str, format: OutputFormat, layout: Layout, out: &mut impl Write) -> Result<(), MapError> {
    render_with(OsStr::new("dot"), dot, format, layout, out)
}

/// [`render`] with the Graphviz program named.
pub(super) fn render_with(
    program: &OsStr,
    dot: &str,
    format: OutputFormat,
    layout: Layout,
    out: &mut impl Write,
) -> Result<(), MapError> {
    if format == OutputFormat::Dot {
        out.write_all(dot.as_bytes())?;
        return Ok(());
    }
    let name = program.to_string_lossy().into_owned();
    let mut child = Command::new(program)
        .arg(format!("-K{}", layout.name()))
        .arg(format!("-T{}", format.name()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => MapError::GraphvizMissing { program: name.clone(), format: format.name() },
            _ => MapError::Spawn { program: name.clone(), source },
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let mut stdout = child.stdout.take().expect("stdout is piped");
    // Feed and drain on separate threads so that neither pipe can fill up and stall Graphviz.
    let (written, errors, output) = std::thread::scope(|s| {
        let writer = s.spawn(move || stdin.write_all(dot.as_bytes()));
        let errors = s.spawn(move || {
            let mut text = String::new();
            stderr.read_to_string(&mut text).map(|_| text)
        });
        let mut output = Vec::new();
        let read = stdout.read_to_end(&mut output).map(|_| output);
        (writer.join().expect("writer thread"), errors.join().expect("stderr thread"), read)
    });
    let status = child.wait().map_err(|source| MapError::Spawn { program: name.clone(), source })?;
    let stderr = errors.unwrap_or_default();
    if !status.success() {
        return Err(MapError::Graphviz {
            program: name,
            layout: layout.name(),
            format: format.name(),
            status: status.to_string(),
            stderr: stderr.trim().to_owned(),
        });
    }
    written.map_err(|source| MapError::Spawn { program: name.clone(), source })?;
    out.write_all(&output.map_err(|source| MapError::Spawn { program: name, source })?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "digraph \"g\" { \"a\" -> \"b\" }\n";

    #[test]
    fn formats_from_extension_and_media_type() {
        for (ext, f) in [("svg", OutputFormat::Svg), ("PNG", OutputFormat::Png), ("gv", OutputFormat::Dot)] {
            assert_eq!(OutputFormat::from_extension(ext), Some(f));
        }
        assert_eq!(OutputFormat::from_extension("jpg"), None);
        for f in OutputFormat::ALL {
            assert_eq!(OutputFormat::from_extension(f.name()), Some(f));
            assert_eq!(OutputFormat::from_media_type(f.media_type()), Some(f));
        }
        assert_eq!(OutputFormat::from_media_type("image/svg+xml; charset=utf-8"), Some(OutputFormat::Svg));
        for l in Layout::ALL {
            assert_eq!(Layout::from_name(l.name()), Some(l));
        }
        assert_eq!(Layout::from_name("twopi"), None);
    }

    #[test]
    fn dot_output_needs_no_graphviz() {
        let mut out = Vec::new();
        render_with(OsStr::new("/nonexistent/dot"), TINY, OutputFormat::Dot, Layout::Dot, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), TINY);
    }

    #[test]
    fn missing_graphviz_says_to_install_it() {
        let mut out = Vec::new();
        let err =
            render_with(OsStr::new("/nonexistent/dot"), TINY, OutputFormat::Svg, Layout::Dot, &mut out).unwrap_err();
        assert!(matches!(err, MapError::GraphvizMissing { .. }));
        assert_eq!(
            err.to_string(),
            "Graphviz is needed for svg output but `/nonexistent/dot` was not found: install it \
             (`apt-get install graphviz`, `brew install graphviz`) or write DOT"
        );
        assert!(out.is_empty());
    }

    #[test]
    fn graphviz_errors_are_reported() {
        let mut out = Vec::new();
        let err = render("digraph { a -> }", OutputFormat::Svg, Layout::Dot, &mut out).unwrap_err();
        let MapError::Graphviz { layout, format, stderr, .. } = &err else { panic!("unexpected error {err:?}") };
        assert_eq!((*layout, *format), ("dot", "svg"));
        assert!(stderr.contains("syntax error"), "{stderr}");
    }

    #[test]
    fn every_layout_renders_svg() {
        for layout in Layout::ALL {
            let mut out = Vec::new();
            render(TINY, OutputFormat::Svg, layout, &mut out).unwrap();
            let svg = String::from_utf8(out).unwrap();
            assert_eq!(svg.matches("class=\"node\"").count(), 2, "{layout:?}");
        }
    }
}
