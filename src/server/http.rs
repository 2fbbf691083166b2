//! The socket side of the server: oxhttp (the HTTP/1.1 server oxigraph's own endpoint uses) accepts connections,
//! each request's body is read up to the limit, [`handle`](super::handle) answers, and one line per request is
//! logged to standard error.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use oxhttp::model::{Body, HeaderName, HeaderValue, Request as HttpRequest, Response as HttpResponse, StatusCode};
use oxhttp::Server;

use super::{handle, App, Request, Response};

/// Connections served at once at most (each has a thread); request evaluation has its own, smaller limit.
const MAX_CONNECTIONS: usize = 256;

/// Serves `app` on `addr` until the process ends. `log` receives one line per request.
pub fn serve(app: Arc<App>, addr: SocketAddr, log: impl Fn(&str) + Send + Sync + 'static) -> std::io::Result<()> {
    let server = Server::new(move |request: &mut HttpRequest<Body>| {
        let started = Instant::now();
        let req = read_request(request, app.config().max_body_bytes);
        let response = handle(&app, &req);
        let target = if req.query.is_empty() { req.path.clone() } else { format!("{}?{}", req.path, req.query) };
        log(&format!(
            "{} {} {} {} {:.1}ms",
            req.method,
            shorten(&target, 200),
            response.status,
            response.body.len(),
            started.elapsed().as_secs_f64() * 1000.0
        ));
        into_http(response)
    })
    .bind(addr)
    .with_global_timeout(Duration::from_secs(300))
    .with_max_concurrent_connections(MAX_CONNECTIONS)
    .with_server_name(concat!("mvkg/", env!("CARGO_PKG_VERSION")))
    .map_err(std::io::Error::other)?;
    server.spawn()?.join()
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

/// Reads the method, target, headers and at most `limit` + 1 bytes of the body (so the handler can tell an
/// oversized body and answer 413 without reading all of it).
fn read_request(request: &mut HttpRequest<Body>, limit: usize) -> Request {
    let uri = request.uri();
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    let headers = request
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let mut body = Vec::new();
    let _ = request.body_mut().take(limit as u64 + 1).read_to_end(&mut body);
    Request { method: request.method().as_str().to_owned(), path, query, headers, body }
}

fn into_http(r: Response) -> HttpResponse<Body> {
    let mut builder = HttpResponse::builder().status(StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK));
    for (name, value) in &r.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str())) {
            builder = builder.header(n, v);
        }
    }
    builder.body(Body::from(r.body)).unwrap_or_else(|_| {
        let mut fallback = HttpResponse::new(Body::from("Internal error while writing the response"));
        *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}
