//! What the scenario needs from a fleet, real or simulated: its pods, the build's
//! prerender-manifest, the revalidate secret, and its shared content store. Also a bare HTTP/1.1
//! GET, which plays a visitor (and checks readiness) without asking the tool under test, and
//! any other request (a CMS's POST to `revalidate serve`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

/// A pod as the tool is told about it: `--pod NAME=URL`.
#[derive(Clone, Debug)]
pub struct PodRef {
    pub name: String,
    pub url: String,
}

/// A fleet of three pods of one build, sharing one content store.
pub trait Fleet {
    /// For messages: "real Next.js 16.4.6" or "simulated Next.js 16.4.6".
    fn describe(&self) -> String;
    fn pods(&self) -> &[PodRef];
    /// A `.next/prerender-manifest.json` of the running build, for `--preview-id-file`.
    fn manifest(&self) -> &Path;
    /// The `x-revalidate-secret` that `/api/revalidate` accepts.
    fn secret(&self) -> &str;
    /// Changes a post's title in the content store (no pod is told).
    fn set_title(&self, slug: &str, title: &str);
    /// Deletes a post from the content store (no pod is told).
    fn delete(&self, slug: &str);
    /// The caching edge in front of the pods (`http://127.0.0.1:PORT`): Varnish with
    /// `varnish.vcl` for real Next.js, the simulated edge behind a round-robin balancer otherwise.
    fn edge(&self) -> &str;
    /// The build id the pods run (the pages' `__NEXT_DATA__` names it).
    fn build_id(&self) -> String;
}

/// What a plain GET got: the status and `x-nextjs-cache`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub status: u16,
    pub cache: Option<String>,
}

/// A plain `GET path` from `base` (`http://127.0.0.1:PORT`), as a visitor would send it.
pub fn get(base: &str, path: &str) -> std::io::Result<Visit> {
    get_with(base, path, &[])
}

/// A `GET path` with these request headers (a client-side navigation's router headers).
pub fn get_with(base: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Visit> {
    fetch(base, path, headers).map(|r| r.visit)
}

/// A whole response: its status and `x-nextjs-cache`, Varnish's `x-cache`, and the body.
#[derive(Clone, Debug)]
pub struct Response {
    pub visit: Visit,
    pub x_cache: Option<String>,
    pub body: String,
}

/// A `GET path` with these request headers, read whole (a chunked body is reassembled).
pub fn fetch(base: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Response> {
    request(base, "GET", path, headers, None, Duration::from_secs(30))
}

/// A `METHOD path` with these request headers and an optional body, answered within `timeout`,
/// read whole (a chunked body is reassembled).
pub fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    timeout: Duration,
) -> std::io::Result<Response> {
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other(format!("not an http:// URL: {base}")))?;
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(timeout))?;
    let mut extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    if let Some(body) = body {
        extra.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\n{extra}Connection: close\r\n\r\n{}",
        body.unwrap_or_default()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&response[..split]);
    let raw = &response[split..];
    let mut lines = head.trim_end().split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {head:?}")))?;
    let fields: Vec<(&str, &str)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k, v.trim()))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| (*v).to_owned())
    };
    let chunked = field("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(raw) } else { raw.to_vec() };
    Ok(Response {
        visit: Visit {
            status,
            cache: field("x-nextjs-cache"),
        },
        x_cache: field("x-cache"),
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// The body of a chunked transfer: each chunk's size line and data, until the empty chunk.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(&raw[..end]);
        let size =
            usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        let rest = &raw[end + 2..];
        if size == 0 || rest.len() < size {
            break;
        }
        body.extend_from_slice(&rest[..size]);
        raw = rest[size..].strip_prefix(b"\r\n").unwrap_or(&rest[size..]);
    }
    body
}
