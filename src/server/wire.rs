//! Reading an HTTP/1.1 request from bytes: the request line and headers (parsed by `httparse`), then the body by
//! `Content-Length` or chunked transfer coding, with every malformed or dangerous shape turned into a [`ReadError`]
//! (the socket side in [`super::http`] answers it). No sockets and no clocks here, and nothing from the rest of the
//! crate, so tests and the fuzz target in `fuzz/` feed it any bytes.

use std::io::{self, BufRead, Read};

/// The largest request head (request line and headers) accepted.
pub const MAX_HEAD_BYTES: usize = 64 << 10;

/// An HTTP request as the handler sees it: the body is already read (at most `max_body_bytes` + 1 bytes of it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub method: String,
    /// The path, percent-encoded as received, without the query string.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A GET of `target` (path and query string), as a test or a link would send it.
    pub fn get(target: &str) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request { method: "GET".into(), path: path.into(), query: query.into(), ..Request::default() }
    }

    /// A POST of `body` with a content type.
    pub fn post(target: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Request {
        let mut r = Request::get(target);
        r.method = "POST".into();
        r.body = body.into();
        r.header("content-type", content_type)
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// The first value of a header (name in any case).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The decoded query-string parameters, in order.
    pub fn params(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes()).into_owned().collect()
    }

    /// The first value of a query-string parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.params().into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The media type of the body, without parameters, in lower case.
    pub fn content_type(&self) -> Option<String> {
        self.header_value("content-type")
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
    }
}

/// Why a request could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The connection closed before a request started (not an error to answer).
    Closed,
    /// The head or the body did not arrive in time: 408.
    Timeout,
    /// A malformed request: 400 with the reason.
    Bad(String),
    /// The head is too large: 431.
    HeadTooLarge,
    /// The declared body is larger than allowed: 413.
    BodyTooLarge,
}

/// Reads one request: its head (at most [`MAX_HEAD_BYTES`]), then at most `max_body` + 1 bytes of its body, so the
/// handler can tell an oversized body. `on_head` is called between head and body (it starts the body's clock), told
/// whether the client waits for `100 Continue`. Returns the request and whether the connection may stay open.
pub fn read_request<R: BufRead>(
    reader: &mut R,
    max_body: usize,
    mut on_head: impl FnMut(&mut R, bool) -> io::Result<()>,
) -> Result<(Request, bool), ReadError> {
    let head = read_head(reader)?;
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(ReadError::Bad("the request head is incomplete".into())),
        Err(httparse::Error::TooManyHeaders) => return Err(ReadError::HeadTooLarge),
        Err(e) => return Err(ReadError::Bad(format!("the request head does not parse ({e})"))),
    }
    let method = parsed.method.unwrap_or_default().to_owned();
    let target = parsed.path.unwrap_or_default();
    let version = parsed.version.unwrap_or(1);
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).trim().to_owned()))
        .collect();
    let (path, query) = split_target(target)?;
    let values = |name: &'static str| header_values(&headers, name);
    let connection = values("connection").collect::<Vec<_>>().join(",").to_ascii_lowercase();
    let keep_alive = if version == 0 { connection.contains("keep-alive") } else { !connection.contains("close") };

    let lengths: Vec<&str> = values("content-length").flat_map(|v| v.split(',')).map(str::trim).collect();
    let chunked = values("transfer-encoding").any(|_| true);
    if chunked && !lengths.is_empty() {
        return Err(ReadError::Bad("both Transfer-Encoding and Content-Length are given".into()));
    }
    let length = match lengths.as_slice() {
        [] => None,
        [first, rest @ ..] => {
            if rest.iter().any(|l| l != first) {
                return Err(ReadError::Bad("several different Content-Length values".into()));
            }
            if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ReadError::Bad(format!("Content-Length `{first}` is not a number")));
            }
            Some(first.parse::<u64>().map_err(|_| ReadError::BodyTooLarge)?)
        }
    };
    if chunked {
        let te = values("transfer-encoding").collect::<Vec<_>>().join(",").to_ascii_lowercase();
        if te.split(',').map(str::trim).collect::<Vec<_>>() != ["chunked"] {
            return Err(ReadError::Bad(format!("Transfer-Encoding `{te}` is not supported; use chunked")));
        }
    }
    if length.is_some_and(|l| l > max_body as u64) {
        return Err(ReadError::BodyTooLarge);
    }
    let expects = values("expect").any(|v| v.eq_ignore_ascii_case("100-continue"));
    let has_body = chunked || length.is_some_and(|l| l > 0);
    on_head(reader, expects && has_body && version == 1).map_err(|_| ReadError::Closed)?;
    let body = if chunked {
        read_chunked(reader, max_body)?
    } else if let Some(len) = length {
        let mut body = Vec::with_capacity(len.min(1 << 20) as usize);
        reader.take(len).read_to_end(&mut body).map_err(io_error)?;
        if (body.len() as u64) < len {
            return Err(ReadError::Bad("the body is shorter than its Content-Length".into()));
        }
        body
    } else {
        Vec::new()
    };
    Ok((Request { method, path, query, headers, body }, keep_alive))
}

/// Every value of a header (names are lower case).
fn header_values<'a>(headers: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    headers.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn io_error(e: io::Error) -> ReadError {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ReadError::Timeout,
        _ => ReadError::Closed,
    }
}

/// The bytes of a request head, up to and including the empty line; blank lines before it are skipped.
fn read_head<R: BufRead>(reader: &mut R) -> Result<Vec<u8>, ReadError> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .by_ref()
            .take((MAX_HEAD_BYTES + 1 - head.len()) as u64)
            .read_until(b'\n', &mut head)
            // Nothing sent yet (an idle kept-alive connection): close without an answer.
            .map_err(|e| if head.is_empty() { ReadError::Closed } else { io_error(e) })?;
        if n == 0 {
            return Err(if head.is_empty() {
                ReadError::Closed
            } else {
                ReadError::Bad("the connection closed mid-request".into())
            });
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(ReadError::HeadTooLarge);
        }
        if !head.ends_with(b"\n") {
            continue;
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                // Blank lines before a request line are allowed (RFC 9112, 2.2).
                head.clear();
                continue;
            }
            return Ok(head);
        }
    }
}

/// A chunked body, at most `max_body` + 1 bytes kept (the handler answers 413 beyond `max_body`).
fn read_chunked<R: BufRead>(reader: &mut R, max_body: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let mut line = Vec::new();
        reader.by_ref().take(1024).read_until(b'\n', &mut line).map_err(io_error)?;
        if !line.ends_with(b"\n") {
            return Err(ReadError::Bad("a chunk size line is malformed".into()));
        }
        let text = String::from_utf8_lossy(&line);
        let size = text.trim().split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| ReadError::Bad(format!("chunk size `{size}` is not hexadecimal")))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                let mut t = Vec::new();
                reader.by_ref().take(8192).read_until(b'\n', &mut t).map_err(io_error)?;
                if t.is_empty() || t == b"\r\n" || t == b"\n" {
                    return Ok(body);
                }
            }
        }
        if body.len().saturating_add(size) > max_body {
            return Err(ReadError::BodyTooLarge);
        }
        let start = body.len();
        reader.by_ref().take(size as u64).read_to_end(&mut body).map_err(io_error)?;
        if body.len() - start < size {
            return Err(ReadError::Bad("the connection closed inside a chunk".into()));
        }
        let mut end = [0u8; 2];
        reader.read_exact(&mut end).map_err(io_error)?;
        if &end != b"\r\n" {
            return Err(ReadError::Bad("a chunk does not end with CRLF".into()));
        }
    }
}

/// Splits an origin-form (`/path?query`) or absolute-form (`http://host/path?query`) target.
fn split_target(target: &str) -> Result<(String, String), ReadError> {
    let rest = if let Some(after) = target.strip_prefix("http://").or_else(|| target.strip_prefix("https://")) {
        after.find('/').map_or("/", |i| &after[i..])
    } else if target.starts_with('/') || target == "*" {
        target
    } else {
        return Err(ReadError::Bad(format!(
            "the request target `{}` is not a path",
            target.chars().take(100).collect::<String>()
        )));
    };
    Ok(match rest.split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (rest.to_owned(), String::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &[u8], max_body: usize) -> Result<(Request, bool), ReadError> {
        let mut r = std::io::Cursor::new(raw.to_vec());
        read_request(&mut r, max_body, |_, _| Ok(()))
    }

    #[test]
    fn reads_a_get_with_its_query() {
        let (req, keep) =
            read(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n", 10).unwrap();
        assert_eq!((req.method.as_str(), req.path.as_str(), req.query.as_str()), ("GET", "/sparql", "query=ASK%7B%7D"));
        assert_eq!(req.header_value("accept"), Some("text/csv"));
        assert!(keep);
    }

    #[test]
    fn reads_bodies_by_length_and_chunked() {
        let (req, _) = read(b"POST /sparql HTTP/1.1\r\nContent-Length: 3\r\n\r\nASKextra", 10).unwrap();
        assert_eq!(req.body, b"ASK");
        let (req, _) =
            read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nASK\r\n2;x=y\r\n{}\r\n0\r\n\r\n", 10)
                .unwrap();
        assert_eq!(req.body, b"ASK{}");
    }

    #[test]
    fn refuses_smuggling_and_oversize() {
        let both = read(b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nASK", 10);
        assert_eq!(both.unwrap_err(), ReadError::Bad("both Transfer-Encoding and Content-Length are given".into()));
        let two = read(b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nASKx", 10);
        assert_eq!(two.unwrap_err(), ReadError::Bad("several different Content-Length values".into()));
        assert_eq!(read(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 10).unwrap_err(), ReadError::BodyTooLarge);
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n", 10)
                .unwrap_err(),
            ReadError::BodyTooLarge
        );
        let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(read(huge.as_bytes(), 10).unwrap_err(), ReadError::HeadTooLarge);
    }

    #[test]
    fn malformed_and_cut_requests_are_errors_not_panics() {
        assert_eq!(read(b"", 10).unwrap_err(), ReadError::Closed);
        assert_eq!(
            read(b"GET /sparql?query=ASK HTTP/1.1\r\n", 10).unwrap_err(),
            ReadError::Bad("the connection closed mid-request".into())
        );
        assert!(matches!(read(b"\x00\x01 junk\r\n\r\n", 10).unwrap_err(), ReadError::Bad(_)));
        assert!(matches!(read(b"GET relative HTTP/1.1\r\n\r\n", 10).unwrap_err(), ReadError::Bad(_)));
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 10).unwrap_err(),
            ReadError::Bad("the body is shorter than its Content-Length".into())
        );
        assert_eq!(
            read(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 10).unwrap_err(),
            ReadError::Bad("Content-Length `-1` is not a number".into())
        );
    }

    #[test]
    fn http_1_0_closes_unless_asked_and_1_1_keeps_unless_asked() {
        assert!(!read(b"GET / HTTP/1.0\r\n\r\n", 10).unwrap().1);
        assert!(read(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 10).unwrap().1);
        assert!(!read(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 10).unwrap().1);
    }

    #[test]
    fn absolute_targets_keep_their_path() {
        let (req, _) = read(b"GET http://example.org/sparql?query=ASK HTTP/1.1\r\n\r\n", 10).unwrap();
        assert_eq!((req.path.as_str(), req.query.as_str()), ("/sparql", "query=ASK"));
    }
}
