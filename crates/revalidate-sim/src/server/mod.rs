//! The HTTP face of a simulated pod: accepting connections, injecting faults,
//! routing, and answering with the exact status codes and headers recorded
//! from real Next.js 13.5.11 and 16.4.6 (see `shared/reference/*-wire.txt`).
//!
//! Invariant: every answer a pod gives is decided by (its flavour, its build,
//! its own ISR cache, the shared CMS, its active faults, the request). The
//! cache is only written by regenerations (first generation, a valid
//! `x-prerender-revalidate`, `/api/revalidate`), never by faults, and locks
//! are never held across an `await`.

mod api;
mod conn;
mod pages;
#[cfg(test)]
mod tests;

use api::{api_pod, api_revalidate, api_revalidate_app, api_revalidate_tag};
pub(crate) use conn::accept_loop;
use conn::{Abort, SimBody};
use pages::{not_found, serve_page};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;

use crate::Flavor;
use crate::etag::is_fresh;
use crate::fault::{FaultSet, flaky_fails};
use crate::page::{PageKind, Payload};
use crate::pod::{CounterCells, PodInner};

/// `Cache-Control` of an ISR page with `revalidate: false` on 13.
const CC_ISR_13: &str = "s-maxage=31536000, stale-while-revalidate";
/// The same on 16, which dropped the bare `stale-while-revalidate`.
const CC_ISR_16: &str = "s-maxage=31536000";
const CC_NOT_FOUND_13: &str = "no-cache, no-store, max-age=0, must-revalidate";
const CC_NOT_FOUND_16: &str = "private, no-cache, no-store, max-age=0, must-revalidate";
/// The `Vary` App Router responses carry on 16.
const VARY_RSC: &str = "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding";
/// The `Vary` App Router responses carry on 13.5 (measured on 13.5.11).
const VARY_RSC_13: &str =
    "RSC, Next-Router-State-Tree, Next-Router-Prefetch, Next-Url, Accept-Encoding";
const HTML: &str = "text/html; charset=utf-8";
/// The RSC payload's type.
const RSC_CONTENT_TYPE: &str = "text/x-component";
/// The `_rsc` of a prefetch with no other router header (as 16.5.0 redirected to it).
const PREFETCH_RSC_QUERY: &str = "HEAvJdHAQJrUAe2K";
const JSON_UTF8: &str = "application/json; charset=utf-8";
/// Node's `compression` middleware leaves bodies under 1 kB uncompressed.
const GZIP_THRESHOLD: usize = 1024;

/// The parts of a request the simulation looks at.
struct Ctx {
    method: Method,
    /// Percent-decoded path, without the query.
    path: String,
    /// The path as sent (for redirects).
    raw_path: String,
    query: Option<String>,
    revalidate_header: Option<String>,
    if_generated: bool,
    if_none_match: Option<String>,
    request_cache_control: Option<String>,
    accepts_gzip: bool,
    secret: Option<String>,
    /// `RSC: 1`: an App Router navigation wants the RSC payload.
    rsc: bool,
    /// `Next-Router-Prefetch`'s value.
    prefetch: Option<String>,
    /// A router header the simulation does not model the `_rsc` hash of (state tree, segment
    /// prefetch, `Next-Url`): its `_rsc` is taken as sent.
    unmodelled_router_header: bool,
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
            raw_path: req.uri().path().to_owned(),
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
            rsc: header("rsc").is_some_and(|v| v == "1"),
            prefetch: header("next-router-prefetch"),
            unmodelled_router_header: [
                "next-router-state-tree",
                "next-router-segment-prefetch",
                "next-url",
            ]
            .iter()
            .any(|h| req.headers().contains_key(*h)),
        }
    }

    /// The `_rsc` query as sent: `Some("")` for a bare `?_rsc` or `?_rsc=`.
    fn rsc_query(&self) -> Option<String> {
        self.query_param("_rsc")
    }

    /// The `_rsc` Next.js 16 expects of this request (`computeCacheBustingSearchParam` with
    /// these router headers): empty without a prefetch header, else the first 12 bytes of the
    /// SHA-256 of `"1,0,0,0"` in URL-safe base64 (measured: 16.5.0 redirects to it). `None`:
    /// headers whose hash is not modelled; the query is accepted as sent.
    fn expected_rsc_query(&self) -> Option<&'static str> {
        if self.unmodelled_router_header {
            return None;
        }
        match self.prefetch.as_deref() {
            None | Some("0") => Some(""),
            Some("1") => Some(PREFETCH_RSC_QUERY),
            _ => None,
        }
    }

    /// The request's path and query with `_rsc` set as Next writes it: other pairs kept, any
    /// `_rsc=` dropped, `_rsc=<hash>` (or a bare `_rsc`) appended.
    fn with_rsc_query(&self, hash: &str) -> String {
        let mut pairs: Vec<String> = self
            .query
            .as_deref()
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("_rsc="))
            .map(str::to_owned)
            .collect();
        pairs.push(if hash.is_empty() {
            "_rsc".to_owned()
        } else {
            format!("_rsc={hash}")
        });
        format!("{}?{}", self.raw_path, pairs.join("&"))
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
    /// `/_next/static/<build id>/_buildManifest.js`: the client's list of the Pages Router's
    /// routes.
    BuildManifest {
        build_id: String,
    },
    ApiRevalidate,
    /// `revalidatePath()` in an App Router route handler (16 only).
    ApiRevalidateApp,
    /// `revalidateTag()` in an App Router route handler.
    ApiRevalidateTag,
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
        "/api/revalidate-tag" => return Route::ApiRevalidateTag,
        "/api/pod" => return Route::ApiPod,
        _ => {}
    }
    let valid_slug = |s: &str| !s.is_empty() && !s.contains('/');
    if let Some(build_id) = path
        .strip_prefix("/_next/static/")
        .and_then(|rest| rest.strip_suffix("/_buildManifest.js"))
        .filter(|id| valid_slug(id))
    {
        return Route::BuildManifest {
            build_id: build_id.to_owned(),
        };
    }
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
        /// Whether an ETag is sent (and `If-None-Match` honoured): 16's RSC payloads have none.
        etag: bool,
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
                etag: true,
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
            etag,
        } => {
            if etag {
                headers.append("etag", header_pair("etag", payload.etag.clone()).1);
            }
            if etag
                && is_fresh(
                    ctx.if_none_match.as_deref(),
                    ctx.request_cache_control.as_deref(),
                    &payload.etag,
                )
            {
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
    let mut faults = pod.faults();

    if faults.hold {
        CounterCells::bump(&counters.faulted);
        pod.hang_release().cancelled().await;
        // Released by clear_faults: answered as the pod is now.
        faults = pod.faults();
    }
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
    let mut reply = route(&pod, &ctx, &faults).await;
    if let Some(cc) = pod.cache_control() {
        for (name, value) in &mut reply.headers {
            if name.eq_ignore_ascii_case("cache-control") {
                value.clone_from(&cc);
            }
        }
    }
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
        Route::BuildManifest { build_id } => {
            if build_id != pod.build().snapshot.build_id || !is_get_or_head(ctx) {
                return not_found(pod, ctx, faults);
            }
            Reply::payload(
                200,
                vec![(
                    "cache-control",
                    "public, max-age=31536000, immutable".to_owned(),
                )],
                Arc::new(Payload::new(crate::page::build_manifest(flavor))),
                "application/javascript; charset=UTF-8",
                true,
            )
        }
        Route::ApiRevalidate => api_revalidate(pod, ctx, faults).await,
        Route::ApiRevalidateApp => api_revalidate_app(pod, ctx, faults),
        Route::ApiRevalidateTag => api_revalidate_tag(pod, ctx, faults),
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
