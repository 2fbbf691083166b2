//! Bytes to text: the encoding and the line endings of a table, detected and named, never guessed silently.
//!
//! The rule, in order: a UTF-8 byte-order mark means UTF-8 (the mark is dropped); bytes that are valid UTF-8 are
//! UTF-8; otherwise a file whose lines end in CR alone (the classic Mac OS convention, as in the Crunchbase export
//! of 2013) is Mac Roman, and any other file is Windows-1252. A mapping file or `--encoding` in it can force one.
//! The report names the encoding used and why, so a wrong guess is visible. Line endings (LF, CRLF, CR, or mixed)
//! are normalised to LF before the CSV reader sees the text, so line numbers count what an editor shows.

use serde::Serialize;

/// A text encoding the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    MacRoman,
    Windows1252,
}

impl Encoding {
    /// The name used in reports and mapping files.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8 with BOM",
            Encoding::MacRoman => "mac-roman",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// Parses a name from a mapping file.
    pub fn parse(name: &str) -> Option<Encoding> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "mac-roman" | "macroman" | "macintosh" => Some(Encoding::MacRoman),
            "windows-1252" | "cp1252" | "latin-1" | "latin1" | "iso-8859-1" => Some(Encoding::Windows1252),
            _ => None,
        }
    }
}

/// How lines end in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineEnding {
    Lf,
    Crlf,
    Cr,
    Mixed,
    /// A single line without terminator.
    None,
}

impl LineEnding {
    pub fn name(self) -> &'static str {
        match self {
            LineEnding::Lf => "LF",
            LineEnding::Crlf => "CRLF",
            LineEnding::Cr => "CR",
            LineEnding::Mixed => "mixed",
            LineEnding::None => "none",
        }
    }
}

/// A decoded table text with what was detected.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The text with every line ending turned into LF.
    pub text: String,
    pub encoding: Encoding,
    pub line_ending: LineEnding,
    /// Why this encoding: "byte-order mark", "valid UTF-8", "not UTF-8, CR line endings", "forced by the mapping".
    pub because: &'static str,
}

/// Counts the line endings of raw bytes.
pub fn line_ending(bytes: &[u8]) -> LineEnding {
    let (mut lf, mut crlf, mut cr) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                crlf += 1;
                i += 1;
            }
            b'\r' => cr += 1,
            b'\n' => lf += 1,
            _ => {}
        }
        i += 1;
    }
    match (lf > 0, crlf > 0, cr > 0) {
        (false, false, false) => LineEnding::None,
        (true, false, false) => LineEnding::Lf,
        (false, true, false) => LineEnding::Crlf,
        (false, false, true) => LineEnding::Cr,
        _ => LineEnding::Mixed,
    }
}

/// Decodes `bytes`, detecting the encoding unless `forced`.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> Result<Decoded, String> {
    let ending = line_ending(bytes);
    let (text, encoding, because) = match forced {
        Some(Encoding::Utf8 | Encoding::Utf8Bom) => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let text = std::str::from_utf8(body)
                .map_err(|e| format!("not valid UTF-8 at byte {} although the mapping says utf-8", e.valid_up_to()))?;
            let enc = if body.len() < bytes.len() { Encoding::Utf8Bom } else { Encoding::Utf8 };
            (text.to_owned(), enc, "forced by the mapping")
        }
        Some(e @ (Encoding::MacRoman | Encoding::Windows1252)) => (single_byte(bytes, e), e, "forced by the mapping"),
        None => {
            if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                let text = std::str::from_utf8(body).map_err(|e| {
                    format!("starts with a UTF-8 byte-order mark but byte {} is not UTF-8", e.valid_up_to() + 3)
                })?;
                (text.to_owned(), Encoding::Utf8Bom, "byte-order mark")
            } else if let Ok(text) = std::str::from_utf8(bytes) {
                (text.to_owned(), Encoding::Utf8, "valid UTF-8")
            } else if ending == LineEnding::Cr {
                (single_byte(bytes, Encoding::MacRoman), Encoding::MacRoman, "not UTF-8, CR line endings")
            } else {
                (single_byte(bytes, Encoding::Windows1252), Encoding::Windows1252, "not UTF-8, not CR line endings")
            }
        }
    };
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text };
    Ok(Decoded { text, encoding, line_ending: ending, because })
}

fn single_byte(bytes: &[u8], e: Encoding) -> String {
    let table = match e {
        Encoding::MacRoman => &MAC_ROMAN,
        _ => &WINDOWS_1252,
    };
    bytes.iter().map(|&b| if b < 0x80 { b as char } else { table[(b - 0x80) as usize] }).collect()
}

/// Mac OS Roman, bytes 0x80 to 0xFF (Apple's ROMAN.TXT; 0xDB is the euro sign, 0xF0 the Apple logo).
const MAC_ROMAN: [char; 128] = [
    'Ä', 'Å', 'Ç', 'É', 'Ñ', 'Ö', 'Ü', 'á', 'à', 'â', 'ä', 'ã', 'å', 'ç', 'é', 'è', // 0x80
    'ê', 'ë', 'í', 'ì', 'î', 'ï', 'ñ', 'ó', 'ò', 'ô', 'ö', 'õ', 'ú', 'ù', 'û', 'ü', // 0x90
    '†', '°', '¢', '£', '§', '•', '¶', 'ß', '®', '©', '™', '´', '¨', '≠', 'Æ', 'Ø', // 0xA0
    '∞', '±', '≤', '≥', '¥', 'µ', '∂', '∑', '∏', 'π', '∫', 'ª', 'º', 'Ω', 'æ', 'ø', // 0xB0
    '¿', '¡', '¬', '√', 'ƒ', '≈', '∆', '«', '»', '…', '\u{A0}', 'À', 'Ã', 'Õ', 'Œ', 'œ', // 0xC0
    '–', '—', '“', '”', '‘', '’', '÷', '◊', 'ÿ', 'Ÿ', '⁄', '€', '‹', '›', 'ﬁ', 'ﬂ', // 0xD0
    '‡', '·', '‚', '„', '‰', 'Â', 'Ê', 'Á', 'Ë', 'È', 'Í', 'Î', 'Ï', 'Ì', 'Ó', 'Ô', // 0xE0
    '\u{F8FF}', 'Ò', 'Ú', 'Û', 'Ù', 'ı', 'ˆ', '˜', '¯', '˘', '˙', '˚', '¸', '˝', '˛', 'ˇ', // 0xF0
];

/// Windows-1252, bytes 0x80 to 0xFF (the five unassigned bytes map to the C1 controls, as browsers do).
const WINDOWS_1252: [char; 128] = {
    let mut t = ['\0'; 128];
    let c1: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', //
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    let mut i = 0;
    while i < 128 {
        t[i] = if i < 32 {
            c1[i]
        } else {
            match char::from_u32(0x80 + i as u32) {
                Some(c) => c,
                None => '\u{FFFD}',
            }
        };
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        let check = |bytes: &[u8], text: &str, enc: Encoding, end: LineEnding| {
            let d = decode(bytes, None).unwrap();
            assert_eq!((d.text.as_str(), d.encoding, d.line_ending), (text, enc, end));
        };
        check(b"a,b\nc,d\n", "a,b\nc,d\n", Encoding::Utf8, LineEnding::Lf);
        check(b"\xEF\xBB\xBFa\r\nb\r\n", "a\nb\n", Encoding::Utf8Bom, LineEnding::Crlf);
        check(b"Cond\x8E Nast\rX\xAA\r", "Condé Nast\nX™\n", Encoding::MacRoman, LineEnding::Cr);
        check(b"caf\xE9\n\x80\n", "café\n€\n", Encoding::Windows1252, LineEnding::Lf);
        check(b"a\nb\r\nc\r", "a\nb\nc\n", Encoding::Utf8, LineEnding::Mixed);
        assert_eq!(decode(b"caf\x8E", Some(Encoding::MacRoman)).unwrap().text, "café");
        assert!(decode(b"caf\xE9", Some(Encoding::Utf8)).is_err());
    }
}
