//! The socket side of the server, the only part that touches sockets: accepting connections under a global and a
//! per-address cap, reading each request under deadlines, handing it to [`handle`](super::handle), writing the
//! response, and logging one line per request to standard error.
//!
//! Written for hostile clients, as a public endpoint must be:
//! - a request's head must arrive within [`Limits::head_timeout`] and its body within [`Limits::body_timeout`],
//!   measured from the first byte, so a client that sends a byte now and then cannot hold a connection: it gets
//!   408 and is dropped;
//! - one address holds at most [`Limits::max_per_address`] connections, all addresses together at most
//!   [`Limits::max_connections`]; a connection over either cap is answered 503 at once and closed, never queued, so a
//!   flood from one address leaves room for everyone else;
//! - heads larger than [`MAX_HEAD_BYTES`] get 431; a body both chunked and with a length, or with two different
//!   lengths, gets 400 (request smuggling); a body larger than the handler's limit gets 413 without being read.
//!
//! The request reader is in [`super::wire`], which works on any `BufRead`, so tests and the fuzzer drive it
//! without a socket.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::wire::{read_request, ReadError, MAX_HEAD_BYTES};
use super::{handle, App, Response};

/// The connection limits of a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once, from all addresses.
    pub max_connections: usize,
    /// Connections open at once from one address.
    pub max_per_address: usize,
    /// Time for a request's head, from its first byte (and the longest a kept-alive connection may stay idle).
    pub head_timeout: Duration,
    /// Time for a request's body, after its head.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            max_per_address: 32,
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// The answer to a request that could not be read (none when the client just went away).
fn error_response(e: &ReadError, max_body: usize) -> Option<Response> {
    Some(match e {
        ReadError::Closed => return None,
        ReadError::Timeout => Response::text(408, "The request did not arrive in time; the connection is closed"),
        ReadError::Bad(why) => Response::text(400, &format!("Bad request: {why}")),
        ReadError::HeadTooLarge => Response::text(
            431,
            &format!("The request line and headers are larger than {MAX_HEAD_BYTES} bytes, the limit here"),
        ),
        ReadError::BodyTooLarge => {
            Response::text(413, &format!("The request body is larger than {max_body} bytes, the limit of this server"))
        }
    })
}

/// A stream whose reads fail with `TimedOut` once a deadline has passed; each read waits at most until then.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Option<Instant>,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(until) = self.until {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.stream.set_read_timeout(Some(left))?;
        }
        self.stream.read(buf)
    }
}

/// Counts of open connections, in total and per address.
#[derive(Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A connection's place in [`Open`], given back when dropped.
struct Place {
    open: Arc<Mutex<Open>>,
    address: IpAddr,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                open.by_address.remove(&self.address);
            }
        }
    }
}

/// Takes a place for a connection from `address`, or says which cap is full.
fn admit(open: &Arc<Mutex<Open>>, address: IpAddr, limits: &Limits) -> Result<Place, &'static str> {
    let mut o = open.lock().unwrap_or_else(|e| e.into_inner());
    if o.total >= limits.max_connections {
        return Err("The server has as many connections open as it allows; try again shortly");
    }
    let mine = o.by_address.get(&address).copied().unwrap_or(0);
    if mine >= limits.max_per_address {
        return Err("Your address has as many connections open as this server allows one address; close some");
    }
    o.total += 1;
    *o.by_address.entry(address).or_insert(0) += 1;
    Ok(Place { open: Arc::clone(open), address })
}

/// Serves `app` on `addr` until the process ends. `log` receives one line per request.
pub fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    limits: Limits,
    log: impl Fn(&str) + Send + Sync + 'static,
) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    serve_on(app, listener, limits, log)
}

/// Serves `app` on a bound listener (tests bind port 0 and read the port first).
pub fn serve_on(
    app: Arc<App>,
    listener: TcpListener,
    limits: Limits,
    log: impl Fn(&str) + Send + Sync + 'static,
) -> io::Result<()> {
    let log: Arc<dyn Fn(&str) + Send + Sync> = Arc::new(log);
    let open = Arc::new(Mutex::new(Open::default()));
    let limits = Arc::new(limits);
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment instead of spinning.
                log(&format!("accept failed: {e}"));
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let address = match stream.peer_addr() {
            Ok(a) => a.ip(),
            Err(_) => continue,
        };
        let place = match admit(&open, address, &limits) {
            Ok(p) => p,
            Err(why) => {
                refuse(stream, why);
                log(&format!("{address} refused: {why}"));
                continue;
            }
        };
        let (app_c, log_c, limits_c) = (Arc::clone(&app), Arc::clone(&log), Arc::clone(&limits));
        let spawned = std::thread::Builder::new().name(format!("mvkg-http {address}")).spawn(move || {
            let _place = place;
            connection(&stream, &app_c, &limits_c, &*log_c);
        });
        if let Err(e) = spawned {
            log(&format!("cannot start a connection thread: {e}"));
        }
    }
    Ok(())
}

/// Answers 503 on a connection over a cap without reading from it, and closes it. Never blocks the accept loop.
fn refuse(stream: TcpStream, why: &str) {
    let _ = stream.set_nonblocking(true);
    let response = Response::text(503, why).with_header("retry-after", "5");
    let mut out = Vec::new();
    let _ = encode(&response, false, &mut out);
    let mut s = &stream;
    let _ = s.write(&out);
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn connection(stream: &TcpStream, app: &App, limits: &Limits, log: &dyn Fn(&str)) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(60)));
    let max_body = app.config().max_body_bytes;
    let mut reader = BufReader::with_capacity(16 << 10, Deadline { stream, until: None });
    loop {
        // The head's clock starts now: also the longest a kept-alive connection may sit idle.
        reader.get_mut().until = Some(Instant::now() + limits.head_timeout);
        let started = Instant::now();
        let read = read_request(&mut reader, max_body, |r, expects_continue| {
            r.get_mut().until = Some(Instant::now() + limits.body_timeout);
            if expects_continue {
                // `Expect: 100-continue`: say go on before the client sends the body.
                let mut s = r.get_ref().stream;
                s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            }
            Ok(())
        });
        let (req, keep_alive) = match read {
            Ok(r) => r,
            Err(e) => {
                if let Some(response) = error_response(&e, max_body) {
                    log(&format!("- - {} 0 {:.1}ms ({e:?})", response.status, ms(started)));
                    let mut out = Vec::new();
                    let _ = encode(&response, false, &mut out);
                    let mut s = stream;
                    let _ = s.write_all(&out);
                }
                return;
            }
        };
        let response = handle(app, &req);
        let target = if req.query.is_empty() { req.path.clone() } else { format!("{}?{}", req.path, req.query) };
        log(&format!(
            "{} {} {} {} {:.1}ms",
            req.method,
            shorten(&target, 200),
            response.status,
            response.body.len(),
            ms(started)
        ));
        let mut out = Vec::with_capacity(response.body.len() + 512);
        if encode(&response, keep_alive, &mut out).is_err() {
            return;
        }
        let mut s = stream;
        if s.write_all(&out).and_then(|_| s.flush()).is_err() || !keep_alive {
            return;
        }
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Writes a response: status line, headers, `content-length`, the server name, and the body.
fn encode(r: &Response, keep_alive: bool, out: &mut Vec<u8>) -> io::Result<()> {
    write!(out, "HTTP/1.1 {} {}\r\n", r.status, reason(r.status))?;
    for (name, value) in &r.headers {
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("connection") {
            continue;
        }
        // Header values come from our own code; a line break in one would split the response.
        if value.contains(['\r', '\n']) || name.contains(['\r', '\n', ':']) {
            continue;
        }
        write!(out, "{name}: {value}\r\n")?;
    }
    write!(out, "server: mvkg/{}\r\n", env!("CARGO_PKG_VERSION"))?;
    write!(out, "content-length: {}\r\n", r.body.len())?;
    if !keep_alive {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&r.body);
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_per_address_cap_leaves_room_for_others() {
        let open = Arc::new(Mutex::new(Open::default()));
        let limits = Limits { max_connections: 3, max_per_address: 2, ..Limits::default() };
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.1".parse().unwrap();
        let p1 = admit(&open, a, &limits).unwrap();
        let _p2 = admit(&open, a, &limits).unwrap();
        assert!(admit(&open, a, &limits).err().unwrap().contains("Your address"));
        let _p3 = admit(&open, b, &limits).unwrap();
        assert!(admit(&open, b, &limits).err().unwrap().contains("as many connections open as it allows"));
        drop(p1);
        assert!(admit(&open, a, &limits).is_ok());
    }
}
