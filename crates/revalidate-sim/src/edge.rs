//! A caching edge (a CDN point of presence, a Varnish, an nginx
//! `proxy_cache`) in front of the simulated fleet's balancer, so that tests
//! and the demo can show the last stale copy: the one the CDN holds after
//! every pod is fresh.
//!
//! It caches 200 responses to GET per (path with query, negotiated encoding:
//! identity, gzip or br, and the App Router's request headers Next.js names
//! in its `Vary`: `RSC`, `Next-Router-Prefetch`, `Next-Router-State-Tree`,
//! `Next-Router-Segment-Prefetch`, `Next-Url`), answers hits from memory with
//! `X-Cache: Hit from edge` and an `Age`, honours `Cache-Control` (`s-maxage`,
//! then `max-age`; `no-store`, `no-cache` and `private` are never stored) and
//! keeps what has no lifetime until it is purged. Next.js sends
//! `s-maxage=31536000` for ISR pages, so those stay until purged, as on a real
//! CDN. `PURGE /path` (method name configurable, optionally guarded by a
//! header such as `Fastly-Key`) evicts every encoding of that path with the
//! purge's own router headers (so `PURGE /p?_rsc` with `RSC: 1` evicts the RSC
//! payload, as a Varnish hashing those headers does), or every path under a
//! prefix when it ends in `*`; `BAN` with an `X-Ban-Url` regular expression
//! evicts every entry whose path and query it matches, whatever its headers.
//!
//! Invariant: a purge evicts everything fetched before it. A response whose
//! fetch started before a purge is served to its client but never stored,
//! so no purge can be undone by a request that was already in flight.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio_util::sync::CancellationToken;

use crate::Encoding;

use super::serve::{self, Clock, Reply, lock};

/// How long the edge waits for its origin before answering 504.
const ORIGIN_TIMEOUT: Duration = Duration::from_secs(60);

/// How an edge is configured.
#[derive(Clone, Debug)]
pub struct EdgeOptions {
    /// The name in `X-Cache: Hit from <label>` and `Via` (CloudFront says `cloudfront`).
    pub label: String,
    /// The request method that purges (Varnish and Fastly use `PURGE`, some setups `BAN`).
    pub purge_method: String,
    /// A header every purge must carry with this exact value, as `(name, value)`
    /// (Fastly: `Fastly-Key`). Missing: 401; wrong: 403. `None`: purges are open.
    pub purge_key: Option<(String, String)>,
    /// Lifetime of a 200 that says nothing (no `s-maxage`, no `max-age`).
    /// `None` keeps it until purged.
    pub default_ttl: Option<Duration>,
}

impl Default for EdgeOptions {
    fn default() -> EdgeOptions {
        EdgeOptions {
            label: "edge".to_owned(),
            purge_method: "PURGE".to_owned(),
            purge_key: None,
            default_ttl: None,
        }
    }
}

/// The `Accept-Encoding` the edge sends its origin for a variant: the cache keeps one copy per
/// coding a client can ask for, as CloudFront does with its normalised `Accept-Encoding`.
/// The request headers of Next.js's App Router that its responses vary on: part of the key.
const ROUTER_HEADERS: [&str; 5] = [
    "rsc",
    "next-router-prefetch",
    "next-router-state-tree",
    "next-router-segment-prefetch",
    "next-url",
];

/// The router headers of a request, as part of a cache key (empty for a plain page request).
fn router_key(headers: &HeaderMap) -> String {
    ROUTER_HEADERS
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)
                .map(|v| format!("{name}={}", String::from_utf8_lossy(v.as_bytes())))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn forwarded(encoding: Encoding) -> Option<&'static str> {
    match encoding {
        Encoding::Identity => None,
        Encoding::Gzip => Some("gzip"),
        Encoding::Br => Some("br,gzip"),
    }
}

/// A snapshot of an edge's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeCounters {
    /// Every request received, purges included.
    pub requests: u64,
    /// GET and HEAD answered from the cache.
    pub hits: u64,
    /// GET and HEAD that went to the origin.
    pub misses: u64,
    /// Other methods, forwarded and never cached.
    pub passes: u64,
    /// Responses written to the cache.
    pub stored: u64,
    /// Purges accepted (authorised), whether or not they found anything.
    pub purges: u64,
    /// Purges refused for a missing (401) or wrong (403) key.
    pub purges_refused: u64,
    /// Entries removed by purges (one per encoding).
    pub evicted: u64,
    /// Requests the origin did not answer (502 or 504 given).
    pub origin_errors: u64,
}

/// A snapshot of one cached entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedObject {
    /// The path with its query, as requested (percent-encoding untouched).
    pub key: String,
    /// The negotiated encoding this copy is for.
    pub encoding: Encoding,
    /// The App Router request headers this copy is for (`rsc=1&next-router-prefetch=1`; empty
    /// for the page itself).
    pub router: String,
    /// The origin's status (always 200 today).
    pub status: u16,
    /// How long ago it was stored.
    pub age: Duration,
    /// Time left before it expires; `None`: kept until purged.
    pub expires_in: Option<Duration>,
    /// The origin's `ETag`, if any.
    pub etag: Option<String>,
    /// The stored body bytes (compressed if the origin compressed them).
    pub body: Bytes,
}

struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    stored_at: Instant,
    ttl: Option<Duration>,
}

impl Entry {
    fn is_fresh(&self, now: Instant) -> bool {
        self.ttl
            .is_none_or(|ttl| now.saturating_duration_since(self.stored_at) < ttl)
    }
}

#[derive(Default)]
struct Inner {
    /// (path with query, encoding, router headers) -> entry.
    entries: BTreeMap<(String, Encoding, String), Entry>,
    /// Bumped by every purge; a fetch stores only if it is unchanged.
    epoch: u64,
    counters: EdgeCounters,
}

struct State {
    opts: EdgeOptions,
    origin: SocketAddr,
    client: reqwest::Client,
    clock: Clock,
    inner: Mutex<Inner>,
}

impl State {
    /// Removes the matching entries and bumps the epoch, so that no fetch
    /// already in flight stores what was just purged.
    fn evict(&self, matches: impl Fn(&str, &str) -> bool) -> usize {
        let mut inner = lock(&self.inner);
        inner.epoch += 1;
        let before = inner.entries.len();
        inner
            .entries
            .retain(|(k, _, router), _| !matches(k, router));
        let evicted = before - inner.entries.len();
        inner.counters.evicted += evicted as u64;
        evicted
    }
}

/// A handle on an edge's cache: purge it, look into it, move its clock.
/// Cheap to clone; other fakes (the CloudFront proxy, the Cloudflare API)
/// hold one to purge the edge when asked to invalidate.
#[derive(Clone)]
pub struct EdgeCache {
    state: Arc<State>,
}

impl std::fmt::Debug for EdgeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EdgeCache")
            .field("origin", &self.state.origin)
            .field("entries", &lock(&self.state.inner).entries.len())
            .finish()
    }
}

impl EdgeCache {
    /// Evicts every encoding and router variant of exactly this path-with-query, as a CDN's
    /// invalidation of a path does; returns how many entries went.
    pub fn purge(&self, key: &str) -> usize {
        self.evict(|k, _| k == key)
    }

    /// Evicts every entry whose path-with-query starts with `prefix`.
    pub fn purge_prefix(&self, prefix: &str) -> usize {
        self.evict(|k, _| k.starts_with(prefix))
    }

    /// Evicts everything.
    pub fn purge_all(&self) -> usize {
        self.evict(|_, _| true)
    }

    fn evict(&self, matches: impl Fn(&str, &str) -> bool) -> usize {
        self.state.evict(matches)
    }

    /// Every fresh entry, in key then encoding order.
    pub fn objects(&self) -> Vec<CachedObject> {
        let now = self.state.clock.now();
        let inner = lock(&self.state.inner);
        inner
            .entries
            .iter()
            .filter(|(_, e)| e.is_fresh(now))
            .map(|((key, encoding, router), e)| {
                let age = now.saturating_duration_since(e.stored_at);
                CachedObject {
                    key: key.clone(),
                    encoding: *encoding,
                    router: router.clone(),
                    status: e.status.as_u16(),
                    age,
                    expires_in: e.ttl.map(|ttl| ttl.saturating_sub(age)),
                    etag: e
                        .headers
                        .get(header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: e.body.clone(),
                }
            })
            .collect()
    }

    /// The fresh copy of a path for one encoding (the page itself, not a router variant), if
    /// cached.
    pub fn get(&self, key: &str, encoding: Encoding) -> Option<CachedObject> {
        self.objects()
            .into_iter()
            .find(|o| o.key == key && o.encoding == encoding && o.router.is_empty())
    }

    /// Whether any encoding of this path-with-query is cached and fresh.
    pub fn contains(&self, key: &str) -> bool {
        self.objects().iter().any(|o| o.key == key)
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> EdgeCounters {
        lock(&self.state.inner).counters.clone()
    }

    /// Moves the edge's clock forward, to age and expire entries without sleeping.
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock.advance(by);
    }
}

/// A running edge. Dropping it (or calling [`Edge::shutdown`]) stops it.
#[derive(Debug)]
pub struct Edge {
    addr: SocketAddr,
    token: CancellationToken,
    cache: EdgeCache,
}

impl Edge {
    /// Starts an edge on 127.0.0.1 (OS-chosen port) in front of `origin`,
    /// typically [`crate::Balancer::addr`].
    pub async fn start(origin: SocketAddr, opts: EdgeOptions) -> std::io::Result<Edge> {
        let state = Arc::new(State {
            opts,
            origin,
            client: serve::forwarding_client(ORIGIN_TIMEOUT)?,
            clock: Clock::default(),
            inner: Mutex::new(Inner::default()),
        });
        let token = CancellationToken::new();
        let handler_state = state.clone();
        let addr = serve::spawn(token.clone(), move |req| handle(handler_state.clone(), req))?;
        Ok(Edge {
            addr,
            token,
            cache: EdgeCache { state },
        })
    }

    /// "http://127.0.0.1:PORT"
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the edge listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The cache, for purging and inspection.
    pub fn cache(&self) -> &EdgeCache {
        &self.cache
    }

    /// Stops accepting and drops open connections.
    pub fn shutdown(self) {
        self.token.cancel();
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Reply {
    lock(&state.inner).counters.requests += 1;
    if req.method().as_str() == state.opts.purge_method
        || (req.method().as_str() == "BAN" && req.headers().contains_key("x-ban-url"))
    {
        return purge(&state, &req);
    }
    let key = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let encoding = Encoding::negotiate(
        req.headers()
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let router = router_key(req.headers());
    let cacheable_method = matches!(*req.method(), Method::GET | Method::HEAD);
    if cacheable_method && let Some(resp) = serve_hit(&state, &req, &key, encoding, &router) {
        return resp;
    }
    let epoch = {
        let mut inner = lock(&state.inner);
        if cacheable_method {
            inner.counters.misses += 1;
        } else {
            inner.counters.passes += 1;
        }
        inner.epoch
    };
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return serve::reply(StatusCode::BAD_REQUEST, "text/plain", "bad request body\n");
    };
    let mut request = state.client.request(
        parts.method.clone(),
        format!("http://{}{key}", state.origin),
    );
    for (name, value) in &parts.headers {
        if !serve::is_hop_by_hop(name)
            && name != header::HOST
            && name != header::CONTENT_LENGTH
            && name != header::ACCEPT_ENCODING
        {
            request = request.header(name, value);
        }
    }
    if let Some(ae) = forwarded(encoding) {
        request = request.header(header::ACCEPT_ENCODING, ae);
    }
    if !body.is_empty() {
        request = request.body(body);
    }
    let (status, headers, bytes) = match fetch(request).await {
        Ok(fetched) => fetched,
        Err(status) => {
            lock(&state.inner).counters.origin_errors += 1;
            let mut resp = serve::reply(status, "text/plain", format!("{status} from origin\n"));
            stamp(&mut resp, &state.opts.label, "Error", None);
            return resp;
        }
    };
    if parts.method == Method::GET
        && let Some(ttl) = storable_ttl(status, &headers, state.opts.default_ttl)
    {
        let mut inner = lock(&state.inner);
        if inner.epoch == epoch {
            inner.entries.insert(
                (key, encoding, router),
                Entry {
                    status,
                    headers: headers.clone(),
                    body: bytes.clone(),
                    stored_at: state.clock.now(),
                    ttl,
                },
            );
            inner.counters.stored += 1;
        }
    }
    let outcome = if status.as_u16() >= 400 {
        "Error"
    } else {
        "Miss"
    };
    let mut resp = Response::new(Full::new(bytes));
    *resp.status_mut() = status;
    *resp.headers_mut() = headers;
    stamp(&mut resp, &state.opts.label, outcome, None);
    resp
}

/// Sends a request to the origin; a failure is the status the edge answers with.
async fn fetch(
    request: reqwest::RequestBuilder,
) -> Result<(StatusCode, HeaderMap, Bytes), StatusCode> {
    let gateway_error = |e: reqwest::Error| {
        tracing::debug!(error = %e, "edge origin failed");
        if e.is_timeout() {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        }
    };
    let resp = request.send().await.map_err(gateway_error)?;
    let status = resp.status();
    let mut headers = HeaderMap::new();
    for (name, value) in resp.headers() {
        if !serve::is_hop_by_hop(name) && !matches!(name.as_str(), "age" | "x-cache" | "via") {
            headers.append(name, value.clone());
        }
    }
    let bytes = resp.bytes().await.map_err(gateway_error)?;
    Ok((status, headers, bytes))
}

/// Answers from the cache when a fresh entry exists (and drops an expired one).
fn serve_hit(
    state: &State,
    req: &Request<Incoming>,
    key: &str,
    encoding: Encoding,
    router: &str,
) -> Option<Reply> {
    let now = state.clock.now();
    let mut inner = lock(&state.inner);
    let slot = (key.to_owned(), encoding, router.to_owned());
    let entry = inner.entries.get(&slot)?;
    if !entry.is_fresh(now) {
        inner.entries.remove(&slot);
        return None;
    }
    let age = now.saturating_duration_since(entry.stored_at);
    let etag = entry.headers.get(header::ETAG);
    let not_modified = etag.is_some_and(|etag| {
        req.headers()
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|candidate| {
                let candidate = candidate.trim();
                candidate == "*" || etag.to_str().is_ok_and(|e| e == candidate)
            })
    });
    let mut resp = if not_modified {
        let mut resp = Response::new(Full::new(Bytes::new()));
        *resp.status_mut() = StatusCode::NOT_MODIFIED;
        let headers = resp.headers_mut();
        for (name, value) in &entry.headers {
            if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
                headers.append(name, value.clone());
            }
        }
        resp
    } else {
        let mut resp = Response::new(Full::new(entry.body.clone()));
        *resp.status_mut() = entry.status;
        *resp.headers_mut() = entry.headers.clone();
        resp
    };
    inner.counters.hits += 1;
    drop(inner);
    stamp(&mut resp, &state.opts.label, "Hit", Some(age));
    Some(resp)
}

/// Adds the edge's own headers: `X-Cache`, `Via` and, on hits, `Age`.
fn stamp(resp: &mut Reply, label: &str, outcome: &str, age: Option<Duration>) {
    serve::set_header(resp, "x-cache", &format!("{outcome} from {label}"));
    serve::set_header(resp, "via", &format!("1.1 {label}"));
    if let Some(age) = age {
        resp.headers_mut()
            .insert(header::AGE, HeaderValue::from(age.as_secs()));
    }
}

/// Whether a response may be stored and for how long: `None` = not storable,
/// `Some(None)` = until purged, `Some(Some(ttl))` = for `ttl`.
fn storable_ttl(
    status: StatusCode,
    headers: &HeaderMap,
    default_ttl: Option<Duration>,
) -> Option<Option<Duration>> {
    if status != StatusCode::OK {
        return None;
    }
    let mut s_maxage = None;
    let mut max_age = None;
    for value in headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for directive in value.split(',') {
            let directive = directive.trim().to_ascii_lowercase();
            let (name, arg) = directive
                .split_once('=')
                .map_or((directive.as_str(), None), |(n, a)| {
                    (n, Some(a.trim_matches('"')))
                });
            let seconds = || arg.and_then(|a| a.parse::<u64>().ok());
            match name {
                "no-store" | "no-cache" | "private" => return None,
                "s-maxage" => s_maxage = seconds(),
                "max-age" => max_age = seconds(),
                _ => {}
            }
        }
    }
    match s_maxage.or(max_age) {
        Some(0) => None,
        Some(secs) => Some(Some(Duration::from_secs(secs))),
        None => Some(default_ttl),
    }
}

fn purge(state: &State, req: &Request<Incoming>) -> Reply {
    if let Some((name, secret)) = &state.opts.purge_key {
        let refused = match req.headers().get(name.as_str()) {
            None => Some(StatusCode::UNAUTHORIZED),
            Some(v) if v.as_bytes() != secret.as_bytes() => Some(StatusCode::FORBIDDEN),
            Some(_) => None,
        };
        if let Some(status) = refused {
            lock(&state.inner).counters.purges_refused += 1;
            let why = if status == StatusCode::UNAUTHORIZED {
                "missing"
            } else {
                "wrong"
            };
            return serve::reply(
                status,
                "text/plain",
                format!("purge refused: {name} {why}\n"),
            );
        }
    }
    let key = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let ban = req
        .headers()
        .get("x-ban-url")
        .filter(|_| req.method().as_str() == "BAN");
    let evicted = if let Some(pattern) = ban {
        let Ok(re) = pattern
            .to_str()
            .map_err(|_| ())
            .and_then(|p| regex::Regex::new(p).map_err(|_| ()))
        else {
            return serve::reply(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "X-Ban-Url is not a regular expression\n",
            );
        };
        state.evict(|k, _| re.is_match(k))
    } else {
        let router = router_key(req.headers());
        match key.strip_suffix('*') {
            Some(prefix) => state.evict(|k, _| k.starts_with(prefix)),
            None => state.evict(|k, r| k == key && r == router),
        }
    };
    lock(&state.inner).counters.purges += 1;
    if evicted > 0 {
        serve::reply(
            StatusCode::OK,
            "text/plain",
            format!("purged {evicted} object(s) for {key}\n"),
        )
    } else {
        serve::reply(
            StatusCode::NOT_FOUND,
            "text/plain",
            format!("nothing cached for {key}\n"),
        )
    }
}

#[cfg(test)]
mod tests;
