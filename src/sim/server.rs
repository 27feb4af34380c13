//! The HTTP face of a simulated pod: accepting connections, injecting faults,
//! routing, and answering with the exact status codes and headers recorded
//! from real Next.js 13.5.11 and 16.4.6 (see `shared/reference/*-wire.txt`).
//!
//! Invariant: every answer a pod gives is decided by (its flavour, its build,
//! its own ISR cache, the shared CMS, its active faults, the request). The
//! cache is only written by regenerations (first generation, a valid
//! `x-prerender-revalidate`, `/api/revalidate`), never by faults, and locks
//! are never held across an `await`.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::Flavor;
use super::etag::is_fresh;
use super::fault::{FaultSet, flaky_fails};
use super::page::{Entry, PageKind, Payload, iso_millis};
use super::pod::{CounterCells, PodBuild, PodInner, now_millis};

/// `Cache-Control` of an ISR page with `revalidate: false` on 13.
const CC_ISR_13: &str = "s-maxage=31536000, stale-while-revalidate";
/// The same on 16, which dropped the bare `stale-while-revalidate`.
const CC_ISR_16: &str = "s-maxage=31536000";
const CC_NOT_FOUND_13: &str = "no-cache, no-store, max-age=0, must-revalidate";
const CC_NOT_FOUND_16: &str = "private, no-cache, no-store, max-age=0, must-revalidate";
/// The `Vary` App Router responses carry on 16.
const VARY_RSC: &str = "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding";
const HTML: &str = "text/html; charset=utf-8";
const JSON_UTF8: &str = "application/json; charset=utf-8";
/// Node's `compression` middleware leaves bodies under 1 kB uncompressed.
const GZIP_THRESHOLD: usize = 1024;

/// The body type of every pod response: one buffer, sent either with a known
/// length (`Content-Length`) or, when `sized` is false, with chunked transfer
/// encoding, which is how Node streams some responses.
#[derive(Debug)]
pub(crate) struct SimBody {
    data: Option<Bytes>,
    sized: bool,
}

impl SimBody {
    fn sized(data: Bytes) -> SimBody {
        SimBody {
            data: Some(data),
            sized: true,
        }
    }

    fn chunked(data: Bytes) -> SimBody {
        SimBody {
            data: Some(data),
            sized: false,
        }
    }

    fn empty() -> SimBody {
        SimBody::sized(Bytes::new())
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(
            self.data
                .take()
                .filter(|d| !d.is_empty())
                .map(|d| Ok(Frame::data(d))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.sized && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        if self.sized {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        } else {
            SizeHint::default()
        }
    }
}

/// Why a request got no HTTP answer at all; returning it makes hyper drop
/// the connection.
#[derive(Debug)]
pub(crate) struct Abort(&'static str);

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Abort {}

/// A `TcpStream` that can be told to reset instead of closing gracefully:
/// with the flag set, dropping it sets `SO_LINGER 0`, so the kernel sends RST.
struct ResettableStream {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Relaxed)
            && let Err(e) = self.stream.set_zero_linger()
        {
            tracing::debug!(error = %e, "could not arm connection reset");
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accepts connections until `token` is cancelled; dropping out of the loop
/// drops the listener, which is what closes the port for `Down`.
pub(crate) async fn accept_loop(
    pod: Arc<PodInner>,
    listener: TcpListener,
    token: CancellationToken,
    connections: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            () = token.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                // Best effort: Nagle only adds latency to small responses.
                let _ = stream.set_nodelay(true);
                connections.spawn(serve_connection(pod.clone(), stream, token.clone()));
            }
            Err(e) => {
                // Typically EMFILE under extreme load; back off instead of spinning.
                tracing::warn!(pod = %pod.name, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

async fn serve_connection(pod: Arc<PodInner>, stream: TcpStream, token: CancellationToken) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        stream,
        reset: reset.clone(),
    });
    let service = hyper::service::service_fn(move |req| handle(pod.clone(), req, reset.clone()));
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::select! {
        result = conn => {
            if let Err(e) = result {
                tracing::trace!(error = %e, "connection ended");
            }
        }
        () = token.cancelled() => {}
    }
}

/// The parts of a request the simulation looks at.
struct Ctx {
    method: Method,
    /// Percent-decoded path, without the query.
    path: String,
    query: Option<String>,
    revalidate_header: Option<String>,
    if_generated: bool,
    if_none_match: Option<String>,
    request_cache_control: Option<String>,
    accepts_gzip: bool,
    secret: Option<String>,
}

impl Ctx {
    fn from_request(req: &Request<Incoming>) -> Ctx {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ctx {
            method: req.method().clone(),
            path: percent_encoding::percent_decode_str(req.uri().path())
                .decode_utf8_lossy()
                .into_owned(),
            query: req.uri().query().map(str::to_owned),
            revalidate_header: header("x-prerender-revalidate"),
            if_generated: header("x-prerender-revalidate-if-generated")
                .is_some_and(|v| !v.is_empty()),
            if_none_match: header("if-none-match"),
            request_cache_control: header("cache-control"),
            accepts_gzip: req
                .headers()
                .get_all("accept-encoding")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(accepts_gzip),
            secret: header("x-revalidate-secret"),
        }
    }

    fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }

    fn query_param(&self, name: &str) -> Option<String> {
        query_param(self.query.as_deref()?, name)
    }
}

/// Whether an `Accept-Encoding` value admits gzip (`q=0` refuses it).
fn accepts_gzip(value: &str) -> bool {
    value.split(',').any(|part| {
        let mut pieces = part.split(';').map(str::trim);
        let coding = pieces.next().unwrap_or_default();
        let refused = pieces.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// Reads one query parameter the way Node's `querystring` does (`+` is a space).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        (decode(k) == name).then(|| decode(v))
    })
}

/// What a path means to the simulated app.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Page {
        kind: PageKind,
        slug: String,
    },
    Data {
        build_id: String,
        kind: PageKind,
        slug: String,
    },
    ApiRevalidate,
    /// `revalidatePath()` in an App Router route handler (16 only).
    ApiRevalidateApp,
    ApiPod,
    /// Next redirects trailing slashes away (308).
    TrailingSlash(String),
    Unknown,
}

pub(crate) fn resolve(path: &str, flavor: Flavor) -> Route {
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        return Route::TrailingSlash(if trimmed.is_empty() { "/" } else { trimmed }.to_owned());
    }
    match path {
        "/api/revalidate" => return Route::ApiRevalidate,
        "/api/revalidate-app" if flavor == Flavor::Next16 => return Route::ApiRevalidateApp,
        "/api/pod" => return Route::ApiPod,
        _ => {}
    }
    let valid_slug = |s: &str| !s.is_empty() && !s.contains('/');
    if let Some(rest) = path.strip_prefix("/_next/data/") {
        let parsed = rest.split_once('/').and_then(|(build_id, page)| {
            let (segment, slug) = page.strip_suffix(".json")?.split_once('/')?;
            let kind = PageKind::from_data_segment(segment)?;
            valid_slug(slug).then(|| Route::Data {
                build_id: build_id.to_owned(),
                kind,
                slug: slug.to_owned(),
            })
        });
        return parsed.unwrap_or(Route::Unknown);
    }
    for &kind in PageKind::all(flavor) {
        if let Some(slug) = path.strip_prefix(kind.prefix())
            && valid_slug(slug)
        {
            return Route::Page {
                kind,
                slug: slug.to_owned(),
            };
        }
    }
    Route::Unknown
}

/// The cache key of a page path given in any of its public forms (HTML or
/// `/_next/data`, encoded or not, with or without a query).
pub(crate) fn cache_key_for(path: &str, flavor: Flavor) -> Option<String> {
    let path = path.split('?').next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    match resolve(&decoded, flavor) {
        Route::Page { kind, slug } | Route::Data { kind, slug, .. } => Some(kind.path_for(&slug)),
        _ => None,
    }
}

/// How the body of a reply is to be sent.
enum ReplyBody {
    /// Next's `sendRenderResult` path: ETag, `304` on a matching
    /// `If-None-Match`, `Content-Type`, `Content-Length`, optional gzip.
    Payload {
        payload: Arc<Payload>,
        content_type: &'static str,
        /// Whether the compression middleware's `Vary: Accept-Encoding` is
        /// appended (App Router responses carry it inside their own `Vary`).
        vary_accept_encoding: bool,
    },
    /// Streamed without a length and without an ETag.
    Chunked {
        bytes: Bytes,
        content_type: Option<&'static str>,
    },
    /// A fixed body outside Next's rendering path (faults, redirects).
    Fixed {
        bytes: Bytes,
        content_type: Option<&'static str>,
    },
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: ReplyBody,
}

impl Reply {
    fn payload(
        status: u16,
        headers: Vec<(&'static str, String)>,
        payload: Arc<Payload>,
        content_type: &'static str,
        vary_accept_encoding: bool,
    ) -> Reply {
        Reply {
            status,
            headers,
            body: ReplyBody::Payload {
                payload,
                content_type,
                vary_accept_encoding,
            },
        }
    }

    fn json(status: u16, headers: Vec<(&'static str, String)>, value: &impl Serialize) -> Reply {
        let body = serde_json::to_string(value).expect("API bodies serialize");
        Reply::payload(
            status,
            headers,
            Arc::new(Payload::new(body)),
            JSON_UTF8,
            true,
        )
    }
}

fn header_pair(name: &'static str, value: String) -> (HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&value).unwrap_or_else(|_| {
        HeaderValue::from_bytes(
            &value
                .bytes()
                .filter(|b| *b >= 0x20 && *b != 0x7f)
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    });
    (HeaderName::from_static(name), value)
}

/// Turns a reply into a hyper response, applying HEAD, conditional-request
/// and compression semantics the way Next's `sendRenderResult` and the
/// `compression` middleware do.
fn finish(ctx: &Ctx, compress: bool, reply: Reply) -> Response<SimBody> {
    let mut status =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = hyper::HeaderMap::with_capacity(reply.headers.len() + 4);
    for (name, value) in reply.headers {
        let (n, v) = header_pair(name, value);
        headers.append(n, v);
    }
    let body = match reply.body {
        ReplyBody::Payload {
            payload,
            content_type,
            vary_accept_encoding,
        } => {
            headers.append("etag", header_pair("etag", payload.etag.clone()).1);
            if is_fresh(
                ctx.if_none_match.as_deref(),
                ctx.request_cache_control.as_deref(),
                &payload.etag,
            ) {
                status = StatusCode::NOT_MODIFIED;
                if vary_accept_encoding {
                    headers.append("vary", HeaderValue::from_static("Accept-Encoding"));
                }
                SimBody::empty()
            } else {
                headers.append("content-type", HeaderValue::from_static(content_type));
                let gzip = compress
                    && ctx.accepts_gzip
                    && !ctx.is_head()
                    && payload.bytes.len() >= GZIP_THRESHOLD;
                if !gzip {
                    headers.append("content-length", HeaderValue::from(payload.bytes.len()));
                }
                if vary_accept_encoding {
                    headers.append("vary", HeaderValue::from_static("Accept-Encoding"));
                }
                if gzip {
                    headers.append("content-encoding", HeaderValue::from_static("gzip"));
                    SimBody::chunked(payload.gzipped())
                } else if ctx.is_head() {
                    SimBody::empty()
                } else {
                    SimBody::sized(payload.bytes.clone())
                }
            }
        }
        ReplyBody::Chunked {
            bytes,
            content_type,
        } => {
            if let Some(ct) = content_type {
                headers.append("content-type", HeaderValue::from_static(ct));
            }
            SimBody::chunked(if ctx.is_head() { Bytes::new() } else { bytes })
        }
        ReplyBody::Fixed {
            bytes,
            content_type,
        } => {
            if let Some(ct) = content_type {
                headers.append("content-type", HeaderValue::from_static(ct));
            }
            headers.append("content-length", HeaderValue::from(bytes.len()));
            SimBody::sized(if ctx.is_head() { Bytes::new() } else { bytes })
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Entry point for every request a pod receives.
pub(crate) async fn handle(
    pod: Arc<PodInner>,
    req: Request<Incoming>,
    reset: Arc<AtomicBool>,
) -> Result<Response<SimBody>, Abort> {
    let ctx = Ctx::from_request(&req);
    // The body is never needed; dropping it lets hyper discard what is left.
    drop(req);
    let counters = &pod.counters;
    CounterCells::bump(&counters.requests);
    counters.count_path(&ctx.path);
    let faults = pod.faults();

    if faults.hang {
        CounterCells::bump(&counters.faulted);
        pod.hang_release().cancelled().await;
        return Err(Abort("hung request released"));
    }
    if faults.reset {
        CounterCells::bump(&counters.faulted);
        reset.store(true, Ordering::Relaxed);
        return Err(Abort("connection reset by fault"));
    }
    let delay = pod.shared.latency.saturating_add(faults.slow);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(code) = faults.status {
        CounterCells::bump(&counters.faulted);
        return Ok(finish(&ctx, false, fault_reply(code, "status")));
    }
    if let Some(ratio) = faults.flaky
        && flaky_fails(pod.shared.seed, pod.index, pod.next_flaky_draw(), ratio)
    {
        CounterCells::bump(&counters.faulted);
        return Ok(finish(&ctx, false, fault_reply(503, "flaky")));
    }
    let reply = route(&pod, &ctx, &faults).await;
    Ok(finish(&ctx, pod.compress(), reply))
}

fn fault_reply(code: u16, kind: &str) -> Reply {
    Reply {
        status: code,
        headers: vec![("x-sim-fault", kind.to_owned())],
        body: ReplyBody::Fixed {
            bytes: Bytes::from(format!("simulated fault: HTTP {code}\n")),
            content_type: Some("text/plain; charset=utf-8"),
        },
    }
}

async fn route(pod: &Arc<PodInner>, ctx: &Ctx, faults: &FaultSet) -> Reply {
    let flavor = pod.shared.flavor;
    match resolve(&ctx.path, flavor) {
        Route::Page { kind, slug } => {
            if !is_get_or_head(ctx) {
                return method_not_allowed();
            }
            serve_page(pod, ctx, faults, kind, &slug, false).await
        }
        Route::Data {
            build_id,
            kind,
            slug,
        } => {
            if build_id != pod.build().snapshot.build_id {
                // A client on another build asks for this build's data: Next
                // answers 404 so the client does a hard navigation.
                return not_found(pod, ctx, faults);
            }
            if !is_get_or_head(ctx) {
                return method_not_allowed();
            }
            serve_page(pod, ctx, faults, kind, &slug, true).await
        }
        Route::ApiRevalidate => api_revalidate(pod, ctx, faults).await,
        Route::ApiRevalidateApp => api_revalidate_app(pod, ctx, faults),
        Route::ApiPod => api_pod(pod),
        Route::TrailingSlash(location) => Reply {
            status: 308,
            headers: vec![
                ("location", location.clone()),
                ("refresh", format!("0;url={location}")),
            ],
            body: ReplyBody::Fixed {
                bytes: Bytes::from(location),
                content_type: None,
            },
        },
        Route::Unknown => not_found(pod, ctx, faults),
    }
}

fn is_get_or_head(ctx: &Ctx) -> bool {
    ctx.method == Method::GET || ctx.method == Method::HEAD
}

fn method_not_allowed() -> Reply {
    Reply {
        status: 405,
        headers: vec![("allow", "GET, HEAD".to_owned())],
        body: ReplyBody::Fixed {
            bytes: Bytes::from_static(b"Method Not Allowed"),
            content_type: Some("text/plain; charset=utf-8"),
        },
    }
}

/// Whether this request carries this pod's preview id, i.e. is an on-demand
/// revalidation Next would honour. Counts it, and counts the fault when
/// `IgnoreRevalidate` swallows it.
fn revalidation_requested(pod: &PodInner, ctx: &Ctx, faults: &FaultSet, build: &PodBuild) -> bool {
    if ctx.revalidate_header.as_deref() != Some(build.preview_id.as_str()) {
        return false;
    }
    if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        return false;
    }
    CounterCells::bump(&pod.counters.revalidate_requests);
    true
}

/// Serves an ISR page (HTML or `/_next/data` JSON) from this pod's cache,
/// generating or regenerating it as Next would.
async fn serve_page(
    pod: &Arc<PodInner>,
    ctx: &Ctx,
    faults: &FaultSet,
    kind: PageKind,
    slug: &str,
    data: bool,
) -> Reply {
    let build = pod.build();
    let key = kind.path_for(slug);
    let cached = pod.cache_get(&key);
    if revalidation_requested(pod, ctx, faults, &build) {
        if faults.lie
            && let Some(entry) = cached
        {
            CounterCells::bump(&pod.counters.faulted);
            return entry_reply(pod.shared.flavor, &entry, data, "REVALIDATED");
        }
        if ctx.if_generated && cached.is_none() {
            return if_generated_miss(pod, ctx, kind, data);
        }
        let entry = regenerate(pod, &build, kind, slug).await;
        return entry_reply(pod.shared.flavor, &entry, data, "REVALIDATED");
    }
    if let Some(entry) = cached {
        CounterCells::bump(&pod.counters.hits);
        return entry_reply(pod.shared.flavor, &entry, data, "HIT");
    }
    // fallback: 'blocking' — generate now, and cache even a notFound result.
    let entry = regenerate(pod, &build, kind, slug).await;
    CounterCells::bump(&pod.counters.misses);
    entry_reply(pod.shared.flavor, &entry, data, "MISS")
}

/// Runs getStaticProps + render for one page and stores the result in this
/// pod's cache only.
async fn regenerate(pod: &PodInner, build: &PodBuild, kind: PageKind, slug: &str) -> Arc<Entry> {
    let shared = &pod.shared;
    if !shared.regen_latency.is_zero() {
        tokio::time::sleep(shared.regen_latency).await;
    }
    let key = kind.path_for(slug);
    let post = shared.cms.post(slug);
    // Keep generatedAt strictly increasing per page, so that "regenerated"
    // is always observable even when two generations share a millisecond.
    let mut at = now_millis();
    if let Some(prev) = pod.cache_get(&key)
        && at <= prev.generated_at
    {
        at = prev.generated_at + Duration::from_millis(1);
    }
    let entry =
        Arc::new(
            shared
                .site
                .render_entry(kind, slug, post.as_ref(), at, &build.snapshot.build_id),
        );
    pod.cache_put(key, entry.clone());
    CounterCells::bump(&pod.counters.regenerations);
    entry
}

/// Answers from a cache entry with the given `x-nextjs-cache` value.
fn entry_reply(flavor: Flavor, entry: &Entry, data: bool, cache: &str) -> Reply {
    let cache = cache.to_owned();
    let powered = ("x-powered-by", "Next.js".to_owned());
    let status = entry.status;
    if data {
        let json = entry
            .json
            .clone()
            .unwrap_or_else(|| Arc::new(Payload::new(&b"{}"[..])));
        return match flavor {
            Flavor::Next13 => Reply::payload(
                status,
                vec![
                    ("x-nextjs-cache", cache),
                    ("cache-control", CC_ISR_13.to_owned()),
                ],
                json,
                "application/json",
                true,
            ),
            Flavor::Next16 => Reply::payload(
                status,
                vec![
                    ("x-nextjs-matched-path", entry.kind.pattern().to_owned()),
                    ("x-nextjs-cache", cache),
                    ("cache-control", CC_ISR_16.to_owned()),
                ],
                json,
                JSON_UTF8,
                true,
            ),
        };
    }
    let html = entry.html.clone();
    match flavor {
        Flavor::Next13 if status == 200 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                powered,
                ("cache-control", CC_ISR_13.to_owned()),
            ],
            html,
            HTML,
            true,
        ),
        Flavor::Next13 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_13.to_owned()),
                powered,
            ],
            html,
            HTML,
            true,
        ),
        Flavor::Next16 if status == 200 && entry.kind.is_app_router() => {
            let mut headers = vec![
                ("vary", VARY_RSC.to_owned()),
                ("x-nextjs-cache", cache.clone()),
                ("x-nextjs-prerender", "1".to_owned()),
            ];
            // Recorded behaviour: a cache HIT on an App Router page repeats
            // the prerender header.
            if cache == "HIT" {
                headers.push(("x-nextjs-prerender", "1".to_owned()));
            }
            headers.extend([
                ("x-nextjs-stale-time", "300".to_owned()),
                powered,
                ("cache-control", CC_ISR_16.to_owned()),
            ]);
            Reply::payload(status, headers, html, HTML, false)
        }
        Flavor::Next16 if status == 200 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_16.to_owned()),
                powered,
            ],
            html,
            HTML,
            true,
        ),
        // 16 renders a notFound page result with the App Router not-found page.
        Flavor::Next16 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_16.to_owned()),
                ("vary", VARY_RSC.to_owned()),
                ("x-nextjs-prerender", "1".to_owned()),
                ("x-nextjs-stale-time", "300".to_owned()),
                powered,
            ],
            html,
            HTML,
            false,
        ),
    }
}

/// `x-prerender-revalidate-if-generated` on a page this pod never generated.
fn if_generated_miss(pod: &PodInner, ctx: &Ctx, kind: PageKind, data: bool) -> Reply {
    match pod.shared.flavor {
        Flavor::Next16 if !kind.is_app_router() || data => Reply {
            status: 404,
            headers: vec![("x-nextjs-cache", "REVALIDATED".to_owned())],
            body: ReplyBody::Chunked {
                bytes: Bytes::from_static(b"This page could not be found"),
                content_type: None,
            },
        },
        // 13 renders its 404 page; 16's App Router answers like an unknown route.
        _ => not_found_with(pod, ctx, true),
    }
}

/// A path the app does not serve.
fn not_found(pod: &PodInner, ctx: &Ctx, faults: &FaultSet) -> Reply {
    let build = pod.build();
    let requested = revalidation_requested(pod, ctx, faults, &build);
    not_found_with(pod, ctx, requested)
}

fn not_found_with(pod: &PodInner, ctx: &Ctx, revalidating: bool) -> Reply {
    let build = pod.build();
    let page = build.snapshot.not_found(&pod.shared.site, &ctx.path);
    let powered = ("x-powered-by", "Next.js".to_owned());
    match pod.shared.flavor {
        Flavor::Next13 => Reply::payload(
            404,
            vec![("cache-control", CC_NOT_FOUND_13.to_owned()), powered],
            page,
            HTML,
            true,
        ),
        Flavor::Next16 => {
            let mut headers = vec![
                ("cache-control", CC_NOT_FOUND_16.to_owned()),
                ("vary", VARY_RSC.to_owned()),
            ];
            if revalidating {
                headers.push(("x-nextjs-cache", "REVALIDATED".to_owned()));
            }
            headers.extend([
                ("x-nextjs-prerender", "1".to_owned()),
                ("x-nextjs-stale-time", "300".to_owned()),
                powered,
            ]);
            Reply::payload(404, headers, page, HTML, false)
        }
    }
}

/// `durationMs` as JavaScript prints a number rounded to 0.1: `51`, `2.8`.
struct JsNumber(f64);

impl Serialize for JsNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

fn duration_ms(started: Instant) -> JsNumber {
    JsNumber((started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0)
}

#[derive(Serialize)]
struct RevalidateOk<'a> {
    revalidated: bool,
    path: &'a str,
    pod: &'a str,
    #[serde(rename = "durationMs")]
    duration_ms: JsNumber,
    now: String,
}

#[derive(Serialize)]
struct RevalidateErr<'a> {
    revalidated: bool,
    path: &'a str,
    pod: &'a str,
    error: String,
}

#[derive(Serialize)]
struct Message<'a> {
    message: &'a str,
}

fn api_headers(pod: &PodInner) -> Vec<(&'static str, String)> {
    vec![
        ("x-pod", pod.name.clone()),
        ("cache-control", "no-store".to_owned()),
    ]
}

/// Checks the shared secret; `Err` is the 401 reply.
fn authorize(pod: &PodInner, ctx: &Ctx) -> Result<(), Reply> {
    if ctx.secret.as_deref() == Some(pod.shared.secret.as_str()) {
        Ok(())
    } else {
        Err(Reply::json(
            401,
            api_headers(pod),
            &Message {
                message: "Invalid token",
            },
        ))
    }
}

/// `/api/revalidate?path=…[&onlyGenerated=1]`: `res.revalidate(path)` on this
/// pod only. Real `res.revalidate` makes an internal request carrying the
/// preview id and then judges its response; the simulation runs the same
/// logic in-process and judges it by the same rule.
async fn api_revalidate(pod: &Arc<PodInner>, ctx: &Ctx, faults: &FaultSet) -> Reply {
    CounterCells::bump(&pod.counters.api_calls);
    if let Err(reply) = authorize(pod, ctx) {
        return reply;
    }
    let Some(path) = ctx.query_param("path").filter(|p| !p.is_empty()) else {
        return Reply::json(
            400,
            api_headers(pod),
            &Message {
                message: "Missing path query parameter",
            },
        );
    };
    let only_generated = ctx
        .query_param("onlyGenerated")
        .is_some_and(|v| v == "1" || v == "true");
    let started = Instant::now();
    let ok = |revalidated: bool, started: Instant| {
        Reply::json(
            200,
            api_headers(pod),
            &RevalidateOk {
                revalidated,
                path: &path,
                pod: &pod.name,
                duration_ms: duration_ms(started),
                now: iso_millis(SystemTime::now()),
            },
        )
    };
    if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        return ok(false, started);
    }
    if faults.lie {
        CounterCells::bump(&pod.counters.faulted);
        return ok(true, started);
    }
    let (status, revalidated_header) = revalidate_internal(pod, &path, only_generated).await;
    // Next 13 throws unless the internal response says REVALIDATED (or is the
    // tolerated 404 of an onlyGenerated miss); 16 resolves for any path, as
    // the reference recording shows.
    let accepted = pod.shared.flavor == Flavor::Next16
        || revalidated_header
        || (status == 404 && only_generated);
    if accepted {
        ok(true, started)
    } else {
        Reply::json(
            500,
            api_headers(pod),
            &RevalidateErr {
                revalidated: false,
                path: &path,
                pod: &pod.name,
                error: format!("Failed to revalidate {path}: Invalid response {status}"),
            },
        )
    }
}

/// What the internal revalidation request of `res.revalidate` would get back:
/// its status and whether it carried `x-nextjs-cache: REVALIDATED`.
async fn revalidate_internal(pod: &Arc<PodInner>, path: &str, only_generated: bool) -> (u16, bool) {
    let flavor = pod.shared.flavor;
    let path = path.split('?').next().unwrap_or_default();
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let build = pod.build();
    let page = match resolve(&path, flavor) {
        Route::Page { kind, slug } => Some((kind, slug)),
        Route::Data {
            build_id,
            kind,
            slug,
        } if build_id == build.snapshot.build_id => Some((kind, slug)),
        Route::ApiRevalidate | Route::ApiRevalidateApp | Route::ApiPod => return (200, false),
        Route::TrailingSlash(_) => return (308, false),
        Route::Data { .. } | Route::Unknown => None,
    };
    let Some((kind, slug)) = page else {
        return (404, flavor == Flavor::Next16);
    };
    if only_generated && pod.cache_get(&kind.path_for(&slug)).is_none() {
        return (404, flavor == Flavor::Next16);
    }
    let entry = regenerate(pod, &build, kind, &slug).await;
    (entry.status, true)
}

#[derive(Serialize)]
struct RevalidateAppOk<'a> {
    revalidated: bool,
    path: &'a str,
    pod: &'a str,
    now: String,
}

/// `/api/revalidate-app?path=…` (16): `revalidatePath()` marks the page stale
/// so the next request regenerates it (`MISS`), instead of regenerating now.
fn api_revalidate_app(pod: &PodInner, ctx: &Ctx, faults: &FaultSet) -> Reply {
    CounterCells::bump(&pod.counters.api_calls);
    if let Err(reply) = authorize(pod, ctx) {
        return reply;
    }
    let path = ctx.query_param("path").unwrap_or_default();
    let revalidated = if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        false
    } else {
        if faults.lie {
            CounterCells::bump(&pod.counters.faulted);
        } else if let Some(key) = cache_key_for(&path, pod.shared.flavor) {
            pod.cache_remove(&key);
        }
        true
    };
    let body = serde_json::to_string(&RevalidateAppOk {
        revalidated,
        path: &path,
        pod: &pod.name,
        now: iso_millis(SystemTime::now()),
    })
    .expect("API bodies serialize");
    Reply {
        status: 200,
        headers: vec![
            ("vary", VARY_RSC.to_owned()),
            ("cache-control", "no-store".to_owned()),
            ("content-type", "application/json".to_owned()),
            ("x-pod", pod.name.clone()),
        ],
        body: ReplyBody::Chunked {
            bytes: Bytes::from(body),
            content_type: None,
        },
    }
}

#[derive(Serialize)]
struct PodInfo<'a> {
    pod: &'a str,
    pid: u32,
    port: String,
    fleet: &'a str,
    #[serde(rename = "nextVersion")]
    next_version: &'a str,
    #[serde(rename = "buildId")]
    build_id: &'a str,
}

/// `/api/pod`: identifies the pod (an API route, not an ISR page).
fn api_pod(pod: &PodInner) -> Reply {
    let build = pod.build();
    let flavor = pod.shared.flavor;
    Reply::json(
        200,
        api_headers(pod),
        &PodInfo {
            pod: &pod.name,
            pid: std::process::id(),
            port: pod.addr.port().to_string(),
            fleet: flavor.fleet_name(),
            next_version: flavor.next_version(),
            build_id: &build.snapshot.build_id,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::testkit::{client, fleet, fleet_with, get, get_with};
    use crate::sim::{Fault, FleetOptions};

    #[test]
    fn resolves_routes_per_flavor() {
        let page = |kind, slug: &str| Route::Page {
            kind,
            slug: slug.to_owned(),
        };
        assert_eq!(
            resolve("/posts/a", Flavor::Next13),
            page(PageKind::Posts, "a")
        );
        assert_eq!(
            resolve("/plain/é", Flavor::Next13),
            page(PageKind::Plain, "é")
        );
        assert_eq!(resolve("/app-posts/a", Flavor::Next13), Route::Unknown);
        assert_eq!(
            resolve("/app-posts/a", Flavor::Next16),
            page(PageKind::AppPosts, "a")
        );
        assert_eq!(
            resolve("/posts/", Flavor::Next16),
            Route::TrailingSlash("/posts".into())
        );
        assert_eq!(resolve("/posts/a/b", Flavor::Next16), Route::Unknown);
        assert_eq!(
            resolve("/_next/data/BID/posts/a.json", Flavor::Next16),
            Route::Data {
                build_id: "BID".into(),
                kind: PageKind::Posts,
                slug: "a".into()
            }
        );
        assert_eq!(
            resolve("/_next/data/BID/app-posts/a.json", Flavor::Next16),
            Route::Unknown
        );
        assert_eq!(
            resolve("/api/revalidate-app", Flavor::Next13),
            Route::Unknown
        );
        assert_eq!(
            cache_key_for("/_next/data/X/plain/caf%C3%A9.json?x=1", Flavor::Next13).as_deref(),
            Some("/plain/café")
        );
    }

    #[test]
    fn parses_queries_and_accept_encoding() {
        assert_eq!(
            query_param("path=%2Fposts%2Fa&onlyGenerated=1", "path").as_deref(),
            Some("/posts/a")
        );
        assert_eq!(query_param("path=/a+b", "path").as_deref(), Some("/a b"));
        assert_eq!(query_param("x=1", "path"), None);
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br"));
    }

    #[test]
    fn js_numbers_print_like_javascript() {
        let s = |n| serde_json::to_string(&JsNumber(n)).unwrap();
        assert_eq!(s(51.0), "51");
        assert_eq!(s(2.8), "2.8");
        assert_eq!(s(0.0), "0");
    }

    #[tokio::test]
    async fn build_pages_are_hits_and_identical_across_pods() {
        for flavor in [Flavor::Next13, Flavor::Next16] {
            let f = fleet(flavor).await;
            let c = client();
            let mut seen = Vec::new();
            for pod in f.pods() {
                for path in ["/posts/a", "/plain/b"] {
                    let r = get(&c, &format!("{}{path}", pod.url())).await;
                    assert_eq!(r.status, 200);
                    assert_eq!(r.cache(), Some("HIT"), "{flavor} {path}");
                    assert_eq!(
                        r.etag(),
                        Some(crate::sim::generate_etag(&r.text()).as_str())
                    );
                    assert_eq!(r.header("x-powered-by"), Some("Next.js"));
                    assert_eq!(r.header("vary"), Some("Accept-Encoding"));
                    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
                    let cc = match flavor {
                        Flavor::Next13 => "s-maxage=31536000, stale-while-revalidate",
                        Flavor::Next16 => "s-maxage=31536000",
                    };
                    assert_eq!(r.header("cache-control"), Some(cc));
                    seen.push((path, r.body.clone(), r.etag().map(str::to_owned)));
                }
            }
            for (path, body, etag) in &seen {
                let first = seen.iter().find(|(p, ..)| p == path).unwrap();
                assert_eq!(&first.1, body);
                assert_eq!(&first.2, etag);
            }
            let a = get(&c, &format!("{}/posts/a", f.pods()[0].url())).await;
            assert!(a.text().contains("<title>Post A (initial)</title>"));
            assert!(
                a.text()
                    .contains(&format!("/_next/static/{}/_buildManifest.js", f.build_id()))
            );
            f.shutdown().await;
        }
    }

    #[tokio::test]
    async fn revalidate_header_regenerates_on_get_and_head() {
        for flavor in [Flavor::Next13, Flavor::Next16] {
            let f = fleet(flavor).await;
            let c = client();
            let pod = &f.pods()[1];
            let url = format!("{}/posts/a", pod.url());
            let before = get(&c, &url).await;
            f.cms().set_title("a", "Post A v2 (changed)");
            let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
            assert_eq!(r.status, 200);
            assert_eq!(r.cache(), Some("REVALIDATED"));
            assert!(r.text().contains("<title>Post A v2 (changed)</title>"));
            assert_ne!(r.generated_at(), before.generated_at());
            assert!(r.generated_at() > before.generated_at());
            let after = get(&c, &url).await;
            assert_eq!(after.cache(), Some("HIT"));
            assert_eq!(after.body, r.body);
            assert_eq!(after.etag(), r.etag());
            // Other pods are untouched.
            let other = get(&c, &format!("{}/posts/a", f.pods()[0].url())).await;
            assert_eq!(other.body, before.body);

            f.cms().set_title("a", "Post A v3 (head)");
            let head = c
                .head(&url)
                .header("x-prerender-revalidate", f.preview_id())
                .send()
                .await
                .unwrap();
            assert_eq!(head.status(), 200);
            assert_eq!(head.headers()["x-nextjs-cache"], "REVALIDATED");
            let head_len: usize = head.headers()["content-length"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            let head_etag = head.headers()["etag"].to_str().unwrap().to_owned();
            assert!(head.bytes().await.unwrap().is_empty());
            let after = get(&c, &url).await;
            assert_eq!(after.cache(), Some("HIT"));
            assert!(after.text().contains("Post A v3 (head)"));
            assert_eq!(after.body.len(), head_len);
            assert_eq!(after.etag(), Some(head_etag.as_str()));
            assert_eq!(
                pod.cached_title("/posts/a").as_deref(),
                Some("Post A v3 (head)")
            );
            f.shutdown().await;
        }
    }

    #[tokio::test]
    async fn wrong_preview_id_is_a_plain_hit() {
        let f = fleet(Flavor::Next13).await;
        let c = client();
        let url = format!("{}/posts/a", f.pods()[2].url());
        let before = get(&c, &url).await;
        f.cms().set_title("a", "changed");
        let r = get_with(
            &c,
            &url,
            &[("x-prerender-revalidate", "0123456789abcdef0123456789abcdef")],
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.cache(), Some("HIT"));
        assert_eq!(r.body, before.body);
        assert_eq!(f.pods()[2].counters().revalidate_requests, 0);
        f.shutdown().await;
    }

    #[tokio::test]
    async fn if_generated_on_a_never_generated_page() {
        // 13: the 404 page, no x-nextjs-cache, no-cache Cache-Control, an ETag.
        let f = fleet(Flavor::Next13).await;
        let c = client();
        let url = format!("{}/posts/d", f.pods()[0].url());
        let hdrs = [
            ("x-prerender-revalidate", f.preview_id()),
            ("x-prerender-revalidate-if-generated", "1"),
        ];
        let r = get_with(&c, &url, &hdrs).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.cache(), None);
        assert_eq!(
            r.header("cache-control"),
            Some("no-cache, no-store, max-age=0, must-revalidate")
        );
        assert_eq!(
            r.etag(),
            Some(crate::sim::generate_etag(&r.text()).as_str())
        );
        assert!(r.text().contains("This page could not be found"));
        assert_eq!(f.pods()[0].cached_title("/posts/d"), None);
        // A plain GET generates it (MISS); then the same headers regenerate.
        let r = get(&c, &url).await;
        assert_eq!((r.status, r.cache()), (200, Some("MISS")));
        assert!(r.text().contains("Post D (seed, not pre-rendered)"));
        let r = get_with(&c, &url, &hdrs).await;
        assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
        f.shutdown().await;

        // 16: 404 + REVALIDATED, chunked plain text, no ETag or Cache-Control.
        let f = fleet(Flavor::Next16).await;
        let url = format!("{}/posts/d", f.pods()[0].url());
        let hdrs = [
            ("x-prerender-revalidate", f.preview_id()),
            ("x-prerender-revalidate-if-generated", "1"),
        ];
        let r = get_with(&c, &url, &hdrs).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.cache(), Some("REVALIDATED"));
        assert_eq!(r.text(), "This page could not be found");
        assert_eq!(r.etag(), None);
        assert_eq!(r.header("cache-control"), None);
        assert_eq!(r.header("content-type"), None);
        assert_eq!(r.header("transfer-encoding"), Some("chunked"));
        // App Router: the not-found page with private Cache-Control.
        let r = get_with(&c, &format!("{}/app-posts/d", f.pods()[0].url()), &hdrs).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.cache(), Some("REVALIDATED"));
        assert_eq!(
            r.header("cache-control"),
            Some("private, no-cache, no-store, max-age=0, must-revalidate")
        );
        assert!(r.etag().is_some());
        // Without if-generated the header generates the page right away.
        let r = get_with(
            &c,
            &format!("{}/posts/e", f.pods()[0].url()),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
        let r = get(&c, &format!("{}/posts/e", f.pods()[0].url())).await;
        assert_eq!((r.status, r.cache()), (200, Some("HIT")));
        f.shutdown().await;
    }

    #[tokio::test]
    async fn deleted_content_becomes_a_cached_404() {
        for flavor in [Flavor::Next13, Flavor::Next16] {
            let f = fleet(flavor).await;
            let c = client();
            f.cms().delete("c");
            let url = format!("{}/posts/c", f.pods()[0].url());
            let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
            assert_eq!(r.status, 404, "{flavor}");
            assert_eq!(r.cache(), Some("REVALIDATED"));
            let cc = match flavor {
                Flavor::Next13 => "s-maxage=31536000, stale-while-revalidate",
                Flavor::Next16 => "s-maxage=31536000",
            };
            assert_eq!(r.header("cache-control"), Some(cc));
            if flavor == Flavor::Next16 {
                assert_eq!(r.header("x-nextjs-prerender"), Some("1"));
                assert_eq!(r.header("x-nextjs-stale-time"), Some("300"));
                assert!(r.header("vary").unwrap().starts_with("rsc, "));
            }
            let tag = r.etag().unwrap().to_owned();
            let again = get(&c, &url).await;
            assert_eq!((again.status, again.cache()), (404, Some("HIT")));
            assert_eq!(again.etag(), Some(tag.as_str()));
            // The data route shares the entry.
            let data = get(
                &c,
                &format!(
                    "{}/_next/data/{}/posts/c.json",
                    f.pods()[0].url(),
                    f.build_id()
                ),
            )
            .await;
            assert_eq!((data.status, data.cache()), (404, Some("HIT")));
            assert_eq!(data.text(), "{\"notFound\":true}");
            // Other pods still serve the old page.
            let other = get(&c, &format!("{}/posts/c", f.pods()[1].url())).await;
            assert_eq!((other.status, other.cache()), (200, Some("HIT")));
            let page = f.pods()[0].cached_page("/posts/c").unwrap();
            assert_eq!((page.status, page.title), (404, None));
            f.shutdown().await;
        }
    }

    #[tokio::test]
    async fn unknown_routes_per_flavor() {
        let c = client();
        let f = fleet(Flavor::Next13).await;
        let url = format!("{}/nope/nothing", f.pods()[0].url());
        let plain = get(&c, &url).await;
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        for r in [&plain, &r] {
            assert_eq!(r.status, 404);
            assert_eq!(r.cache(), None);
            assert_eq!(
                r.header("cache-control"),
                Some("no-cache, no-store, max-age=0, must-revalidate")
            );
        }
        // 13 serves the same 404 page (same ETag) for every 404.
        f.cms().delete("c");
        let gone = get_with(
            &c,
            &format!("{}/posts/c", f.pods()[0].url()),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        assert_eq!(gone.etag(), r.etag());
        f.shutdown().await;

        let f = fleet(Flavor::Next16).await;
        let url = format!("{}/nope/nothing", f.pods()[0].url());
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        assert_eq!(r.status, 404);
        assert_eq!(r.cache(), Some("REVALIDATED"));
        assert_eq!(
            r.header("cache-control"),
            Some("private, no-cache, no-store, max-age=0, must-revalidate")
        );
        assert!(r.text().contains("/nope/nothing"));
        let plain = get(&c, &url).await;
        assert_eq!((plain.status, plain.cache()), (404, None));
        // A slug missing from the CMS is generated as a cached notFound.
        let missing = get(&c, &format!("{}/posts/zzz", f.pods()[0].url())).await;
        assert_eq!((missing.status, missing.cache()), (404, Some("MISS")));
        let redirect = get(&c, &format!("{}/posts/a/", f.pods()[0].url())).await;
        assert_eq!(redirect.status, 308);
        assert_eq!(redirect.header("location"), Some("/posts/a"));
        f.shutdown().await;
    }

    #[tokio::test]
    async fn data_route_shares_the_cache_entry() {
        for flavor in [Flavor::Next13, Flavor::Next16] {
            let f = fleet(flavor).await;
            let c = client();
            let pod = &f.pods()[2];
            let data_url = format!("{}/_next/data/{}/posts/b.json", pod.url(), f.build_id());
            let r = get(&c, &data_url).await;
            assert_eq!((r.status, r.cache()), (200, Some("HIT")));
            let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
            assert_eq!(json["pageProps"]["title"], "Post B (initial)");
            assert_eq!(json["__N_SSG"], true);
            let ct = match flavor {
                Flavor::Next13 => "application/json",
                Flavor::Next16 => "application/json; charset=utf-8",
            };
            assert_eq!(r.header("content-type"), Some(ct));
            if flavor == Flavor::Next16 {
                assert_eq!(r.header("x-nextjs-matched-path"), Some("/posts/[slug]"));
            }

            f.cms().set_title("b", "Post B v2 (changed)");
            let r = get_with(&c, &data_url, &[("x-prerender-revalidate", f.preview_id())]).await;
            assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
            let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
            let html = get(&c, &format!("{}/posts/b", pod.url())).await;
            assert_eq!(html.cache(), Some("HIT"));
            assert!(html.text().contains("Post B v2 (changed)"));
            assert_eq!(
                html.generated_at().as_deref(),
                json["pageProps"]["generatedAt"].as_str()
            );

            let wrong = get(&c, &format!("{}/_next/data/nope/posts/b.json", pod.url())).await;
            assert_eq!(wrong.status, 404);
            let plain = get(
                &c,
                &format!("{}/_next/data/{}/plain/a.json", pod.url(), f.build_id()),
            )
            .await;
            assert_eq!(plain.status, 200);
            assert!(!plain.text().contains("generatedAt"));
            f.shutdown().await;
        }
    }

    #[tokio::test]
    async fn conditional_get_answers_304() {
        let f = fleet(Flavor::Next16).await;
        let c = client();
        let url = format!("{}/plain/a", f.pods()[0].url());
        let r = get(&c, &url).await;
        let tag = r.etag().unwrap().to_owned();
        let nm = get_with(&c, &url, &[("if-none-match", &tag)]).await;
        assert_eq!(nm.status, 304);
        assert_eq!(nm.cache(), Some("HIT"));
        assert_eq!(nm.etag(), Some(tag.as_str()));
        assert!(nm.body.is_empty());
        let weak = get_with(&c, &url, &[("if-none-match", &format!("W/{tag}"))]).await;
        assert_eq!(weak.status, 304);
        let stale = get_with(&c, &url, &[("if-none-match", "\"nope\"")]).await;
        assert_eq!(stale.status, 200);
        f.shutdown().await;
    }

    #[tokio::test]
    async fn gzip_keeps_the_etag() {
        let f = fleet(Flavor::Next13).await;
        let c = client();
        let pod = &f.pods()[0];
        let url = format!("{}/plain/a", pod.url());
        let identity = get(&c, &url).await;
        // Off by default: same bytes even when gzip is accepted.
        let off = get_with(&c, &url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(off.header("content-encoding"), None);
        pod.set_compress(true);
        let gz = get_with(&c, &url, &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(gz.status, 200);
        assert_eq!(gz.header("content-encoding"), Some("gzip"));
        assert_eq!(gz.etag(), identity.etag());
        assert_eq!(gz.header("vary"), Some("Accept-Encoding"));
        assert!(gz.body.len() < identity.body.len());
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&gz.body[..]),
            &mut decoded,
        )
        .unwrap();
        assert_eq!(decoded, identity.body);
        // Small bodies (API JSON) stay uncompressed, like Node's 1 kB threshold.
        let api = get_with(
            &c,
            &format!("{}/api/pod", pod.url()),
            &[("accept-encoding", "gzip")],
        )
        .await;
        assert_eq!(api.header("content-encoding"), None);
        f.shutdown().await;
    }

    #[tokio::test]
    async fn non_ascii_pages_use_utf16_lengths_in_the_etag() {
        let f = fleet(Flavor::Next13).await;
        let c = client();
        f.cms().set_title("a", "Pöst Ä ünïcödé ✓ 😀");
        let url = format!("{}/plain/a", f.pods()[0].url());
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        let text = r.text();
        assert!(text.contains("<title>Pöst Ä ünïcödé ✓ 😀</title>"));
        let units = text.encode_utf16().count();
        assert_eq!(
            r.body.len() - units,
            30,
            "three copies of the title, 10 extra bytes each"
        );
        let tag = r.etag().unwrap();
        assert!(tag.ends_with(&format!("{}\"", crate::sim::etag::to_base36(units as u64))));
        f.shutdown().await;
    }

    #[tokio::test]
    async fn api_revalidate_with_right_and_wrong_secret() {
        for flavor in [Flavor::Next13, Flavor::Next16] {
            let f = fleet(flavor).await;
            let c = client();
            let pod = &f.pods()[0];
            f.cms().set_title("a", "Post A v2 (changed)");
            let api = |q: &str| format!("{}/api/revalidate?{q}", pod.url());
            let r = get_with(
                &c,
                &api("path=/posts/a"),
                &[("x-revalidate-secret", f.secret())],
            )
            .await;
            assert_eq!(r.status, 200);
            assert_eq!(r.header("x-pod"), Some("pod-1"));
            assert_eq!(r.header("cache-control"), Some("no-store"));
            assert_eq!(
                r.header("content-type"),
                Some("application/json; charset=utf-8")
            );
            assert_eq!(
                r.etag(),
                Some(crate::sim::generate_etag(&r.text()).as_str())
            );
            let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
            assert_eq!(json["revalidated"], true);
            assert_eq!(json["path"], "/posts/a");
            assert_eq!(json["pod"], "pod-1");
            assert!(json["durationMs"].is_number());
            assert!(json["now"].as_str().unwrap().ends_with('Z'));
            assert_eq!(
                pod.cached_title("/posts/a").as_deref(),
                Some("Post A v2 (changed)")
            );
            assert_eq!(
                f.pods()[1].cached_title("/posts/a").as_deref(),
                Some("Post A (initial)")
            );

            let r = get_with(
                &c,
                &api("path=/posts/a"),
                &[("x-revalidate-secret", "wrong")],
            )
            .await;
            assert_eq!(r.status, 401);
            assert_eq!(r.text(), "{\"message\":\"Invalid token\"}");
            let r = get(&c, &api("path=/posts/a")).await;
            assert_eq!(r.status, 401);

            // onlyGenerated on a never-generated page succeeds without generating.
            let r = get_with(
                &c,
                &api("path=/posts/e&onlyGenerated=1"),
                &[("x-revalidate-secret", f.secret())],
            )
            .await;
            assert_eq!(r.status, 200);
            assert_eq!(pod.cached_title("/posts/e"), None);

            let r = get_with(
                &c,
                &api("path=/nope/nothing"),
                &[("x-revalidate-secret", f.secret())],
            )
            .await;
            let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
            match flavor {
                Flavor::Next13 => {
                    assert_eq!(r.status, 500);
                    assert_eq!(json["revalidated"], false);
                    assert_eq!(
                        json["error"],
                        "Failed to revalidate /nope/nothing: Invalid response 404"
                    );
                    let r = get_with(
                        &c,
                        &api("path=/api/pod"),
                        &[("x-revalidate-secret", f.secret())],
                    )
                    .await;
                    assert_eq!(r.status, 500);
                    assert!(r.text().contains("Invalid response 200"));
                }
                Flavor::Next16 => {
                    assert_eq!(r.status, 200);
                    assert_eq!(json["revalidated"], true);
                }
            }
            assert_eq!(
                pod.counters().api_calls,
                5 + u64::from(flavor == Flavor::Next13)
            );
            f.shutdown().await;
        }
    }

    #[tokio::test]
    async fn app_router_pages_on_16() {
        let f = fleet(Flavor::Next16).await;
        let c = client();
        let pod = &f.pods()[0];
        let url = format!("{}/app-posts/a", pod.url());
        let r = get(&c, &url).await;
        assert_eq!((r.status, r.cache()), (200, Some("HIT")));
        assert_eq!(r.headers.get_all("x-nextjs-prerender").iter().count(), 2);
        assert_eq!(r.header("x-nextjs-stale-time"), Some("300"));
        assert_eq!(
            r.header("vary"),
            Some(
                "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding"
            )
        );
        assert!(r.text().contains(f.build_id()));
        f.cms().set_title("a", "Post A v7 (app router)");
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
        assert_eq!(r.headers.get_all("x-nextjs-prerender").iter().count(), 1);
        assert!(r.text().contains("Post A v7 (app router)"));
        // revalidatePath marks stale: the next request regenerates (MISS).
        f.cms().set_title("a", "Post A v8");
        let r = get_with(
            &c,
            &format!("{}/api/revalidate-app?path=/app-posts/a", pod.url()),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("transfer-encoding"), Some("chunked"));
        let r = get(&c, &url).await;
        assert_eq!((r.status, r.cache()), (200, Some("MISS")));
        assert!(r.text().contains("Post A v8"));
        // 13 has no App Router.
        let f13 = fleet(Flavor::Next13).await;
        let r = get(&c, &format!("{}/app-posts/a", f13.pods()[0].url())).await;
        assert_eq!(r.status, 404);
        f.shutdown().await;
        f13.shutdown().await;
    }

    #[tokio::test]
    async fn lie_and_ignore_revalidate() {
        let f = fleet(Flavor::Next13).await;
        let c = client();
        let (liar, deaf) = (&f.pods()[0], &f.pods()[1]);
        liar.set_fault(Fault::Lie).await;
        deaf.set_fault(Fault::IgnoreRevalidate).await;
        f.cms().set_title("a", "new title");
        let hdr = [("x-prerender-revalidate", f.preview_id())];
        let r = get_with(&c, &format!("{}/posts/a", liar.url()), &hdr).await;
        assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
        assert!(r.text().contains("Post A (initial)"));
        let r = get_with(
            &c,
            &format!("{}/api/revalidate?path=/posts/a", liar.url()),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        assert_eq!(r.status, 200);
        assert!(r.text().contains("\"revalidated\":true"));
        assert_eq!(
            liar.cached_title("/posts/a").as_deref(),
            Some("Post A (initial)")
        );
        assert_eq!(liar.counters().regenerations, 0);
        assert_eq!(liar.counters().faulted, 2);

        let r = get_with(&c, &format!("{}/posts/a", deaf.url()), &hdr).await;
        assert_eq!((r.status, r.cache()), (200, Some("HIT")));
        let r = get_with(
            &c,
            &format!("{}/api/revalidate?path=/posts/a", deaf.url()),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        assert_eq!(r.status, 200);
        assert!(r.text().contains("\"revalidated\":false"));
        assert_eq!(
            deaf.cached_title("/posts/a").as_deref(),
            Some("Post A (initial)")
        );
        assert_eq!(deaf.counters().revalidate_requests, 0);

        liar.clear_faults().await;
        let r = get_with(&c, &format!("{}/posts/a", liar.url()), &hdr).await;
        assert!(r.text().contains("new title"));
        f.shutdown().await;
    }

    #[tokio::test]
    async fn latency_and_padding_options() {
        let f = fleet_with(FleetOptions {
            pods: 1,
            flavor: Flavor::Next13,
            latency: Duration::from_millis(40),
            regen_latency: Duration::from_millis(60),
            page_bytes: 50_000,
            ..FleetOptions::default()
        })
        .await;
        let c = client();
        let url = format!("{}/plain/a", f.pods()[0].url());
        let started = Instant::now();
        let r = get(&c, &url).await;
        assert!(started.elapsed() >= Duration::from_millis(40));
        assert!(
            r.body.len() >= 50_000 && r.body.len() < 50_100,
            "{}",
            r.body.len()
        );
        assert_eq!(
            r.etag(),
            Some(crate::sim::generate_etag(&r.text()).as_str())
        );
        let started = Instant::now();
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        assert_eq!(r.cache(), Some("REVALIDATED"));
        assert!(started.elapsed() >= Duration::from_millis(100));
        f.shutdown().await;
    }

    #[tokio::test]
    async fn percent_encoded_paths_are_decoded() {
        let f = fleet(Flavor::Next16).await;
        let c = client();
        f.cms().set_post("café", "Café post", "Crème brûlée");
        let r = get(&c, &format!("{}/posts/caf%C3%A9", f.pods()[0].url())).await;
        assert_eq!((r.status, r.cache()), (200, Some("MISS")));
        assert!(r.text().contains("Café post"));
        assert_eq!(
            f.pods()[0].cached_title("/posts/café").as_deref(),
            Some("Café post")
        );
        assert_eq!(f.pods()[0].counters().by_path.get("/posts/café"), Some(&1));
        f.shutdown().await;
    }
}
