//! A fake of Cloudflare's cache-purge API (`POST /client/v4/zones/{zone}/purge_cache`, and the
//! token checks `GET /client/v4/user/tokens/verify` and `GET /client/v4/zones/{zone}`)
//! for testing a purge client on loopback: bearer-token checks, the
//! per-request URL limit, answers in Cloudflare's v4 envelope, 429s with
//! `Retry-After` and 5xx pages on demand, and a log of what was purged.
//!
//! Invariant: a request either purges everything it names and answers
//! `success: true`, or purges nothing and answers `success: false` with at
//! least one `{code, message}` error; only the former is logged as a purge
//! (and reaches the edge, when one is attached).
//!
//! Sources for the shapes and numbers:
//! - Purge by URL, 30 URLs per call on Free/Pro/Business (500 on Enterprise):
//!   <https://developers.cloudflare.com/cache/how-to/purge-cache/purge-by-single-file/>; the
//!   newer 100-per-request figure applies to tags, hosts and prefixes only
//!   (cloudflare/cloudflare-docs#21338).
//! - Error codes are not in Cloudflare's reference; these are the ones users and client
//!   libraries have recorded from the live API: 9106 (no credentials, 400), 6003 with 6111 in
//!   `error_chain` (malformed Authorization, 400), 9109 "Invalid access token" (403), 10000
//!   "Authentication error" (403, token without access to the zone), 7003 (bad zone id),
//!   1014 (`"files" ... must be an array`, cloudflare/cloudflare-php#61), 1134 (purge rate
//!   limit). The code for "too many files" was not found recorded anywhere:
//!   [`CloudflareApi::TOO_MANY_FILES`]
//!   is this fake's choice, and a client should key on the 400 and `success: false`, not on it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::edge::EdgeCache;
use super::serve::{self, Reply, lock};

/// How a fake Cloudflare API behaves.
#[derive(Clone, Debug)]
pub struct CloudflareOptions {
    /// The one zone the token may purge (32 lowercase hex digits).
    pub zone_id: String,
    /// The API token `Authorization: Bearer` must carry.
    pub token: String,
    /// URLs allowed in one purge-by-URL request (30 on Free, Pro and Business plans).
    pub max_files_per_request: usize,
    /// Tags, hosts or prefixes allowed in one request.
    pub max_keys_per_request: usize,
    /// An edge to purge on success: `files` purge their path and query, `prefixes` the path
    /// prefix, `hosts` and `purge_everything` all of it.
    pub edge: Option<EdgeCache>,
}

impl Default for CloudflareOptions {
    fn default() -> CloudflareOptions {
        CloudflareOptions {
            zone_id: super::random_hex(32),
            token: super::random_hex(40),
            max_files_per_request: 30,
            max_keys_per_request: 100,
            edge: None,
        }
    }
}

/// One accepted purge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloudflarePurge {
    /// The zone purged.
    pub zone_id: String,
    /// `files`, as URLs (the `url` of object entries).
    pub files: Vec<String>,
    /// `prefixes`, as sent (`host/path`).
    pub prefixes: Vec<String>,
    /// `tags`, as sent.
    pub tags: Vec<String>,
    /// `hosts`, as sent.
    pub hosts: Vec<String>,
    /// Whether it was `purge_everything`.
    pub everything: bool,
}

/// One request the fake answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudflareRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, as sent.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// The codes of the `errors` answered (empty on success).
    pub error_codes: Vec<u32>,
    /// Whether an injected 429 or 5xx answered it.
    pub injected: bool,
}

enum Injection {
    RateLimit { retry_after: Duration },
    Status(StatusCode),
}

#[derive(Default)]
struct Inner {
    injections: Vec<(Injection, u32)>,
    purges: Vec<CloudflarePurge>,
    log: Vec<CloudflareRequest>,
}

struct State {
    opts: CloudflareOptions,
    inner: Mutex<Inner>,
}

/// A running fake. Dropping it (or calling [`CloudflareApi::shutdown`]) stops it.
pub struct CloudflareApi {
    addr: SocketAddr,
    token: CancellationToken,
    state: Arc<State>,
}

impl std::fmt::Debug for CloudflareApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudflareApi")
            .field("addr", &self.addr)
            .field("zone_id", &self.state.opts.zone_id)
            .finish_non_exhaustive()
    }
}

impl CloudflareApi {
    /// The error code this fake gives for more URLs (or tags, hosts, prefixes) than one
    /// request may carry. Cloudflare's own code for it is not recorded anywhere we found.
    pub const TOO_MANY_FILES: u32 = 1013;

    /// Starts the fake on 127.0.0.1 with an OS-chosen port.
    pub async fn start(opts: CloudflareOptions) -> std::io::Result<CloudflareApi> {
        let state = Arc::new(State {
            opts,
            inner: Mutex::new(Inner::default()),
        });
        let token = CancellationToken::new();
        let handler_state = state.clone();
        let addr = serve::spawn(token.clone(), move |req| handle(handler_state.clone(), req))?;
        Ok(CloudflareApi { addr, token, state })
    }

    /// The API base a client is configured with, "http://127.0.0.1:PORT/client/v4".
    pub fn url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The zone the token may purge.
    pub fn zone_id(&self) -> &str {
        &self.state.opts.zone_id
    }

    /// The valid API token.
    pub fn api_token(&self) -> &str {
        &self.state.opts.token
    }

    /// Answers the next `times` purge requests with 429, `Retry-After` (whole seconds) and
    /// error 1134, purging nothing.
    pub fn inject_rate_limit(&self, times: u32, retry_after: Duration) {
        if times > 0 {
            let injection = Injection::RateLimit { retry_after };
            lock(&self.state.inner).injections.push((injection, times));
        }
    }

    /// Answers the next `times` purge requests with `status` (500, 502, 503, 504, ...) and
    /// Cloudflare's HTML error page, purging nothing.
    pub fn inject_status(&self, status: u16, times: u32) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if times > 0 {
            lock(&self.state.inner)
                .injections
                .push((Injection::Status(status), times));
        }
    }

    /// Every accepted purge, in order.
    pub fn purges(&self) -> Vec<CloudflarePurge> {
        lock(&self.state.inner).purges.clone()
    }

    /// Every URL purged by URL so far, in order.
    pub fn purged_files(&self) -> Vec<String> {
        lock(&self.state.inner)
            .purges
            .iter()
            .flat_map(|p| p.files.iter().cloned())
            .collect()
    }

    /// Every request answered, in order.
    pub fn requests(&self) -> Vec<CloudflareRequest> {
        lock(&self.state.inner).log.clone()
    }

    /// Stops accepting and drops open connections.
    pub fn shutdown(self) {
        self.token.cancel();
    }
}

impl Drop for CloudflareApi {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

/// A refusal: status and `(code, message)` errors, the first possibly with an error chain.
struct Refusal {
    status: StatusCode,
    code: u32,
    message: String,
    chain: Option<(u32, &'static str)>,
}

fn refuse(status: StatusCode, code: u32, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code,
        message: message.into(),
        chain: None,
    }
}

fn envelope(status: StatusCode, body: &Value) -> Reply {
    let mut resp = serve::reply(status, "application/json", body.to_string());
    serve::set_header(
        &mut resp,
        "cf-ray",
        &format!("{}-SJC", super::random_hex(16)),
    );
    resp
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Reply {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let (status, error_codes, injected, reply) = answer(&state, req).await;
    lock(&state.inner).log.push(CloudflareRequest {
        method,
        path,
        status: status.as_u16(),
        error_codes,
        injected,
    });
    reply
}

/// The answer, with what the log records about it.
async fn answer(state: &State, req: Request<Incoming>) -> (StatusCode, Vec<u32>, bool, Reply) {
    let path = req.uri().path();
    let zone_read = path
        .strip_prefix("/client/v4/zones/")
        .is_some_and(|z| !z.is_empty() && !z.contains('/'));
    if req.method() == Method::GET && (path == "/client/v4/user/tokens/verify" || zone_read) {
        return read(state, &req);
    }
    let Some(zone) = purge_route(req.uri().path()) else {
        return failure(refuse(
            StatusCode::BAD_REQUEST,
            7000,
            "No route for that URI",
        ));
    };
    if req.method() != Method::POST && req.method() != Method::DELETE {
        let message = format!("Method {} not available for that route", req.method());
        return failure(refuse(StatusCode::METHOD_NOT_ALLOWED, 7001, message));
    }
    if let Some(injected) = take_injection(state) {
        return injected;
    }
    if let Err(refusal) = authorise(state, &req, &zone) {
        return failure(refusal);
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    match parse_purge(&state.opts, &zone, &body) {
        Ok(purge) => {
            if let Some(edge) = &state.opts.edge {
                purge_edge(edge, &purge);
            }
            lock(&state.inner).purges.push(purge);
            let body =
                json!({"success": true, "errors": [], "messages": [], "result": {"id": zone}});
            (
                StatusCode::OK,
                Vec::new(),
                false,
                envelope(StatusCode::OK, &body),
            )
        }
        Err(refusal) => failure(refusal),
    }
}

fn failure(r: Refusal) -> (StatusCode, Vec<u32>, bool, Reply) {
    let mut error = json!({"code": r.code, "message": r.message});
    if let Some((code, message)) = r.chain {
        error["error_chain"] = json!([{"code": code, "message": message}]);
    }
    let body = json!({"success": false, "errors": [error], "messages": [], "result": null});
    (r.status, vec![r.code], false, envelope(r.status, &body))
}

/// The two reads a client checks its token with: `GET /client/v4/user/tokens/verify` (any
/// valid token: `{"status": "active"}`) and `GET /client/v4/zones/{zone}` (a token with access
/// to the zone).
fn read(state: &State, req: &Request<Incoming>) -> (StatusCode, Vec<u32>, bool, Reply) {
    let path = req.uri().path();
    let ok = |result: Value| {
        let body = json!({"success": true, "errors": [], "messages": [], "result": result});
        (
            StatusCode::OK,
            Vec::new(),
            false,
            envelope(StatusCode::OK, &body),
        )
    };
    if path == "/client/v4/user/tokens/verify" {
        // Any zone the token may use makes it valid: authorise against its own.
        return match authorise(state, req, &state.opts.zone_id) {
            Ok(()) => ok(json!({
                "id": "ed17574386854bf78a67040be0a770b0",
                "status": "active",
            })),
            Err(refusal) => failure(refusal),
        };
    }
    let zone = path
        .strip_prefix("/client/v4/zones/")
        .filter(|z| !z.is_empty() && !z.contains('/'));
    let Some(zone) = zone else {
        return failure(refuse(
            StatusCode::BAD_REQUEST,
            7000,
            "No route for that URI",
        ));
    };
    match authorise(state, req, zone) {
        Ok(()) => ok(json!({"id": zone, "name": "example.com", "status": "active"})),
        Err(refusal) => failure(refusal),
    }
}

/// The zone of `/client/v4/zones/{zone}/purge_cache`.
fn purge_route(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/client/v4/zones/")?;
    let zone = rest.strip_suffix("/purge_cache")?;
    (!zone.is_empty() && !zone.contains('/')).then(|| zone.to_owned())
}

fn take_injection(state: &State) -> Option<(StatusCode, Vec<u32>, bool, Reply)> {
    let mut inner = lock(&state.inner);
    let (injection, remaining) = inner.injections.first_mut()?;
    let answer = match injection {
        Injection::RateLimit { retry_after } => {
            let (status, codes, _, mut reply) = failure(refuse(
                StatusCode::TOO_MANY_REQUESTS,
                1134,
                "Unable to purge, rate limit reached. Please wait and consider throttling your request speed",
            ));
            serve::set_header(
                &mut reply,
                "retry-after",
                &retry_after.as_secs().max(1).to_string(),
            );
            (status, codes, true, reply)
        }
        Injection::Status(status) => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
                code = status.as_u16()
            );
            (
                *status,
                Vec::new(),
                true,
                serve::reply(*status, "text/html", page),
            )
        }
    };
    *remaining -= 1;
    if *remaining == 0 {
        inner.injections.remove(0);
    }
    Some(answer)
}

fn authorise(state: &State, req: &Request<Incoming>, zone: &str) -> Result<(), Refusal> {
    let Some(value) = req.headers().get(hyper::header::AUTHORIZATION) else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            9106,
            "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_graphic()));
    let Some(token) = token else {
        return Err(Refusal {
            chain: Some((6111, "Invalid format for Authorization header")),
            ..refuse(StatusCode::BAD_REQUEST, 6003, "Invalid request headers")
        });
    };
    if token != state.opts.token {
        return Err(refuse(StatusCode::FORBIDDEN, 9109, "Invalid access token"));
    }
    let well_formed = zone.len() == 32 && zone.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    if !well_formed {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            7003,
            format!(
                "Could not route to /zones/{zone}/purge_cache, perhaps your object identifier is invalid?"
            ),
        ));
    }
    if zone != state.opts.zone_id {
        return Err(refuse(StatusCode::FORBIDDEN, 10000, "Authentication error"));
    }
    Ok(())
}

fn parse_purge(
    opts: &CloudflareOptions,
    zone: &str,
    body: &Bytes,
) -> Result<CloudflarePurge, Refusal> {
    let malformed = || {
        refuse(
            StatusCode::BAD_REQUEST,
            6007,
            "Malformed JSON in request body",
        )
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    let object = value.as_object().ok_or_else(malformed)?;
    let not_an_array = || {
        refuse(
            StatusCode::BAD_REQUEST,
            1014,
            "\"files\", \"tags\", or \"hosts\" must be an array",
        )
    };
    let strings = |key: &str| -> Result<Vec<String>, Refusal> {
        match object.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    // Purge by URL also takes {"url": ..., "headers": {...}}.
                    Value::Object(o) if key == "files" => o
                        .get("url")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(not_an_array),
                    _ => Err(not_an_array()),
                })
                .collect(),
            Some(_) => Err(not_an_array()),
        }
    };
    let purge = CloudflarePurge {
        zone_id: zone.to_owned(),
        files: strings("files")?,
        prefixes: strings("prefixes")?,
        tags: strings("tags")?,
        hosts: strings("hosts")?,
        everything: object.get("purge_everything") == Some(&Value::Bool(true)),
    };
    let keys = [&purge.prefixes, &purge.tags, &purge.hosts];
    if !purge.everything && purge.files.is_empty() && keys.iter().all(|k| k.is_empty()) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            1012,
            "Request must contain one of \"purge_everything\", \"files\", \"tags\", \"hosts\" or \"prefixes\"",
        ));
    }
    if purge.files.len() > opts.max_files_per_request {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            CloudflareApi::TOO_MANY_FILES,
            format!(
                "You may only purge up to {} files per API call",
                opts.max_files_per_request
            ),
        ));
    }
    if keys.iter().any(|k| k.len() > opts.max_keys_per_request) {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            CloudflareApi::TOO_MANY_FILES,
            format!(
                "You may only purge up to {} tags, hosts or prefixes per API call",
                opts.max_keys_per_request
            ),
        ));
    }
    Ok(purge)
}

/// The path and query of a URL (`https://host/p?q#f` gives `/p?q`); a prefix's host/path form
/// is read the same way.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split('#').next().unwrap_or_default();
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => rest[i..].to_owned(),
        Some(i) => format!("/{}", &rest[i..]),
        None => "/".to_owned(),
    }
}

fn purge_edge(edge: &EdgeCache, purge: &CloudflarePurge) {
    if purge.everything || !purge.hosts.is_empty() {
        edge.purge_all();
        return;
    }
    for file in &purge.files {
        edge.purge(&path_of(file));
    }
    for prefix in &purge.prefixes {
        edge.purge_prefix(&path_of(prefix));
    }
}

#[cfg(test)]
mod tests;
