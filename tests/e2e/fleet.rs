//! What the scenario needs from a fleet, real or simulated: its pods, the build's
//! prerender-manifest, the revalidate secret, and its shared content store. Also a bare HTTP/1.1
//! GET, which plays a visitor (and checks readiness) without asking the tool under test.

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
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other(format!("not an http:// URL: {base}")))?;
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\n{extra}Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {head:?}")))?;
    let cache = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("x-nextjs-cache"))
        .map(|(_, value)| value.trim().to_owned());
    Ok(Visit { status, cache })
}
