//! A fault-injecting CloudFront API in front of `moto_server`, so that every
//! retry and error path of an invalidation client runs against a real
//! aws-sdk-cloudfront stack, on loopback.
//!
//! moto answers the API faithfully in shape but reports every invalidation
//! `COMPLETED` at once, repeats no CallerReference check and enforces no
//! limit. The proxy forwards every request to moto with its bytes and
//! headers untouched (Host included, so a SigV4 signature stays valid) and
//! adds what moto lacks: `InProgress` until a configurable time or number of
//! GetInvalidation polls has passed, then `Completed` (in GetInvalidation,
//! CreateInvalidation and ListInvalidations alike); CloudFront's
//! CallerReference deduplication; the per-distribution in-progress limits;
//! NoSuchDistribution for ListInvalidations on an unknown distribution; and
//! errors injected on demand, in CloudFront's `ErrorResponse` shape, which
//! the SDK maps to its typed errors. Every request is logged for tests.
//!
//! Invariant: the proxy is the only authority on an invalidation's status,
//! and every answer that carries a status (create, replay, get, list) reads
//! it from the same record at the moment of answering, so no two views of
//! one invalidation disagree. CreateInvalidation requests are handled one at
//! a time, so deduplication and limits hold under concurrency.
//!
//! CloudFront's documented behaviour this follows:
//! - CallerReference: <https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_InvalidationBatch.html>
//!   (same reference and same paths: the earlier invalidation comes back, not a new one;
//!   same reference, other paths: `InvalidationBatchAlreadyExists`).
//! - Limits: <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html>
//!   (3,000 file paths and, independently, 15 wildcard paths in progress per distribution).
//! - CreateInvalidation (201, `Location`), GetInvalidation, ListInvalidations (newest first,
//!   `Marker`/`MaxItems`/`NextMarker`) and their error codes and HTTP statuses:
//!   <https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html>
//!   and the service model botocore ships (`cloudfront/2020-05-31/service-2.json`).

mod moto;
#[cfg(test)]
mod tests;
mod xml;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use tokio_util::sync::CancellationToken;

use super::edge::EdgeCache;
use super::serve::{self, Clock, Reply, lock};
use xml::Batch;

pub use moto::{Moto, MotoError, sdk_client};

/// How long the proxy waits for moto.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// When a new invalidation stops being `InProgress`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// `Completed` from the start, as moto has it.
    Immediately,
    /// `Completed` once this much time has passed on the proxy's clock
    /// (see [`CloudFrontProxy::advance_clock`]).
    After(Duration),
    /// The first N GetInvalidation answers for it say `InProgress`, later ones `Completed`.
    AfterPolls(u32),
    /// `InProgress` until [`CloudFrontProxy::complete`] or [`CloudFrontProxy::complete_all`].
    Manual,
}

/// What a CallerReference reused with different paths gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CallerReferenceConflict {
    /// 409 `InvalidationBatchAlreadyExists`, as the API reference documents. The code is not in
    /// the service model, so the SDK gives it as an unhandled error with that code.
    #[default]
    AlreadyExists,
    /// 400 `InvalidArgument` "Your request contains a caller reference that was used for a
    /// previous invalidation batch for the same distribution.", which is what users have
    /// reported real CloudFront answering (aws-cdk#3878, jonls/s3-deploy-website#26).
    InvalidArgument,
}

/// An error the proxy can be told to answer with instead of forwarding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloudFrontFault {
    /// 400 `Throttling` (the SDK retries it as a throttling error).
    Throttling,
    /// 400 `TooManyInvalidationsInProgress`.
    TooManyInvalidationsInProgress,
    /// 403 `AccessDenied`.
    AccessDenied,
    /// 404 `NoSuchDistribution`.
    NoSuchDistribution,
    /// 400 `InvalidArgument`.
    InvalidArgument,
    /// 500 `InternalError` (the SDK retries it as a transient error).
    InternalError,
    /// 503 `ServiceUnavailable` (the SDK retries it as a transient error).
    ServiceUnavailable,
}

impl CloudFrontFault {
    fn status(self) -> StatusCode {
        match self {
            CloudFrontFault::AccessDenied => StatusCode::FORBIDDEN,
            CloudFrontFault::NoSuchDistribution => StatusCode::NOT_FOUND,
            CloudFrontFault::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            CloudFrontFault::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn code(self) -> &'static str {
        match self {
            CloudFrontFault::Throttling => "Throttling",
            CloudFrontFault::TooManyInvalidationsInProgress => "TooManyInvalidationsInProgress",
            CloudFrontFault::AccessDenied => "AccessDenied",
            CloudFrontFault::NoSuchDistribution => "NoSuchDistribution",
            CloudFrontFault::InvalidArgument => "InvalidArgument",
            CloudFrontFault::InternalError => "InternalError",
            CloudFrontFault::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    fn message(self, operation: Operation, distribution: Option<&str>) -> String {
        match self {
            CloudFrontFault::Throttling => "Rate exceeded".to_owned(),
            CloudFrontFault::TooManyInvalidationsInProgress => TOO_MANY.to_owned(),
            CloudFrontFault::AccessDenied => format!(
                "User: arn:aws:iam::123456789012:user/revalidate is not authorized to perform: \
                 cloudfront:{} on resource: arn:aws:cloudfront::123456789012:distribution/{}",
                operation.name(),
                distribution.unwrap_or("*")
            ),
            CloudFrontFault::NoSuchDistribution => {
                "The specified distribution does not exist.".to_owned()
            }
            CloudFrontFault::InvalidArgument => "An argument is invalid.".to_owned(),
            CloudFrontFault::InternalError => {
                "We encountered an internal error. Please try again.".to_owned()
            }
            CloudFrontFault::ServiceUnavailable => "Service Unavailable".to_owned(),
        }
    }
}

const TOO_MANY: &str = "You have exceeded the maximum number of allowable InProgress invalidation \
                        batch requests, or invalidation objects.";

/// The API operation a request was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /2020-05-31/distribution/{Id}/invalidation`
    CreateInvalidation,
    /// `GET /2020-05-31/distribution/{Id}/invalidation/{InvalidationId}`
    GetInvalidation,
    /// `GET /2020-05-31/distribution/{Id}/invalidation`
    ListInvalidations,
    /// Anything else (CreateDistribution, GetDistribution, ...), forwarded untouched.
    Other,
}

impl Operation {
    /// The operation's name in the API reference.
    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateInvalidation => "CreateInvalidation",
            Operation::GetInvalidation => "GetInvalidation",
            Operation::ListInvalidations => "ListInvalidations",
            Operation::Other => "Other",
        }
    }
}

/// An invalidation's status as CloudFront spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidationStatus {
    /// `InProgress`
    InProgress,
    /// `Completed`
    Completed,
}

impl InvalidationStatus {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidationStatus::InProgress => "InProgress",
            InvalidationStatus::Completed => "Completed",
        }
    }
}

/// How a proxy behaves.
#[derive(Clone, Debug)]
pub struct CloudFrontOptions {
    /// When invalidations complete.
    pub completion: Completion,
    /// File (non-wildcard) paths allowed in progress per distribution.
    pub max_paths_in_progress: usize,
    /// Wildcard paths allowed in progress per distribution, counted apart from files.
    pub max_wildcard_paths_in_progress: usize,
    /// The answer to a CallerReference reused with other paths.
    pub caller_reference_conflict: CallerReferenceConflict,
    /// An edge to purge when an invalidation is created (`/x` purges `/x`, `/x*` the prefix
    /// `/x`), so a demo's edge serves fresh pages after a CloudFront invalidation. The purge
    /// happens at creation, as real edges drop content well before `Completed`.
    pub edge: Option<EdgeCache>,
}

impl Default for CloudFrontOptions {
    fn default() -> CloudFrontOptions {
        CloudFrontOptions {
            completion: Completion::AfterPolls(1),
            max_paths_in_progress: 3000,
            max_wildcard_paths_in_progress: 15,
            caller_reference_conflict: CallerReferenceConflict::default(),
            edge: None,
        }
    }
}

/// One request the proxy answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudFrontRequest {
    /// Which operation it was.
    pub operation: Operation,
    /// The HTTP method.
    pub method: String,
    /// The path and query, as sent.
    pub path: String,
    /// The distribution id in the path, if any.
    pub distribution_id: Option<String>,
    /// GetInvalidation: the requested id; CreateInvalidation: the id created or replayed.
    pub invalidation_id: Option<String>,
    /// CreateInvalidation: the paths of the batch.
    pub paths: Vec<String>,
    /// CreateInvalidation: the batch's CallerReference.
    pub caller_reference: Option<String>,
    /// The SDK's attempt number (`amz-sdk-request: attempt=N`), 1 for a first try.
    pub attempt: Option<u32>,
    /// The status answered.
    pub status: u16,
    /// The `Code` of an error answer.
    pub error_code: Option<String>,
    /// Whether an injected fault answered it.
    pub injected: bool,
    /// Whether CallerReference deduplication answered it with an existing invalidation.
    pub replayed: bool,
}

/// An invalidation created through the proxy, as the proxy currently reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidationView {
    /// moto's id for it.
    pub id: String,
    /// The distribution it belongs to.
    pub distribution_id: String,
    /// Its paths, as sent.
    pub paths: Vec<String>,
    /// Its CallerReference.
    pub caller_reference: String,
    /// The status every answer reports now.
    pub status: InvalidationStatus,
    /// How many GetInvalidation answers it has had.
    pub polls: u32,
}

struct Record {
    id: String,
    distribution_id: String,
    paths: Vec<String>,
    caller_reference: String,
    created: Instant,
    polls: u32,
    forced: bool,
    /// moto's CreateInvalidation body, replayed (with the current status) for a duplicate.
    create_body: String,
    location: Option<HeaderValue>,
}

impl Record {
    fn status(&self, completion: Completion, now: Instant) -> InvalidationStatus {
        let done = self.forced
            || match completion {
                Completion::Immediately => true,
                Completion::After(d) => now.saturating_duration_since(self.created) >= d,
                Completion::AfterPolls(n) => self.polls >= n,
                Completion::Manual => false,
            };
        if done {
            InvalidationStatus::Completed
        } else {
            InvalidationStatus::InProgress
        }
    }

    fn view(&self, completion: Completion, now: Instant) -> InvalidationView {
        InvalidationView {
            id: self.id.clone(),
            distribution_id: self.distribution_id.clone(),
            paths: self.paths.clone(),
            caller_reference: self.caller_reference.clone(),
            status: self.status(completion, now),
            polls: self.polls,
        }
    }
}

struct Injection {
    fault: CloudFrontFault,
    on: Option<Operation>,
    remaining: u32,
}

#[derive(Default)]
struct Inner {
    records: Vec<Record>,
    injections: Vec<Injection>,
    log: Vec<CloudFrontRequest>,
}

struct State {
    opts: CloudFrontOptions,
    upstream: SocketAddr,
    client: reqwest::Client,
    clock: Clock,
    inner: Mutex<Inner>,
    /// Serialises CreateInvalidation, so deduplication and limits see every earlier batch.
    create_lock: tokio::sync::Mutex<()>,
}

/// A running proxy. Dropping it (or calling [`CloudFrontProxy::shutdown`]) stops it.
pub struct CloudFrontProxy {
    addr: SocketAddr,
    token: CancellationToken,
    state: Arc<State>,
}

impl std::fmt::Debug for CloudFrontProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudFrontProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.state.upstream)
            .finish_non_exhaustive()
    }
}

impl CloudFrontProxy {
    /// Starts a proxy on 127.0.0.1 (OS-chosen port) in front of the moto server at `upstream`.
    pub async fn start(
        upstream: SocketAddr,
        opts: CloudFrontOptions,
    ) -> std::io::Result<CloudFrontProxy> {
        let state = Arc::new(State {
            opts,
            upstream,
            client: serve::forwarding_client(UPSTREAM_TIMEOUT)?,
            clock: Clock::default(),
            inner: Mutex::new(Inner::default()),
            create_lock: tokio::sync::Mutex::new(()),
        });
        let token = CancellationToken::new();
        let handler_state = state.clone();
        let addr = serve::spawn(token.clone(), move |req| handle(handler_state.clone(), req))?;
        Ok(CloudFrontProxy { addr, token, state })
    }

    /// "http://127.0.0.1:PORT", the endpoint URL to give the SDK.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers the next `times` requests of operation `on` (any operation when `None`) with
    /// `fault` instead of forwarding them. Injections queue up in the order given.
    pub fn inject(&self, fault: CloudFrontFault, on: Option<Operation>, times: u32) {
        if times > 0 {
            lock(&self.state.inner).injections.push(Injection {
                fault,
                on,
                remaining: times,
            });
        }
    }

    /// Drops every injection not used yet.
    pub fn clear_injections(&self) {
        lock(&self.state.inner).injections.clear();
    }

    /// Every request answered so far, in the order they were answered.
    pub fn requests(&self) -> Vec<CloudFrontRequest> {
        lock(&self.state.inner).log.clone()
    }

    /// Every invalidation created through the proxy, oldest first.
    pub fn invalidations(&self) -> Vec<InvalidationView> {
        let now = self.state.clock.now();
        let completion = self.state.opts.completion;
        lock(&self.state.inner)
            .records
            .iter()
            .map(|r| r.view(completion, now))
            .collect()
    }

    /// Marks one invalidation `Completed`; false when the proxy does not know the id.
    pub fn complete(&self, id: &str) -> bool {
        let mut inner = lock(&self.state.inner);
        let found = inner.records.iter_mut().find(|r| r.id == id);
        found.map(|r| r.forced = true).is_some()
    }

    /// Marks every invalidation `Completed`.
    pub fn complete_all(&self) {
        for r in &mut lock(&self.state.inner).records {
            r.forced = true;
        }
    }

    /// Moves the proxy's clock forward (for [`Completion::After`]).
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// Stops accepting and drops open connections.
    pub fn shutdown(self) {
        self.token.cancel();
    }
}

impl Drop for CloudFrontProxy {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

/// What the proxy answers, before it becomes a response.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    invalidation_id: Option<String>,
    replayed: bool,
}

impl Answer {
    fn error(status: StatusCode, sender_fault: bool, code: &str, message: &str) -> Answer {
        let request_id = request_id();
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert("x-amzn-requestid", v);
        }
        Answer {
            status,
            headers,
            body: Bytes::from(xml::error_body(sender_fault, code, message, &request_id)),
            invalidation_id: None,
            replayed: false,
        }
    }

    fn fault(fault: CloudFrontFault, operation: Operation, distribution: Option<&str>) -> Answer {
        let status = fault.status();
        let message = fault.message(operation, distribution);
        Answer::error(status, !status.is_server_error(), fault.code(), &message)
    }

    fn into_reply(self) -> Reply {
        let mut resp = Response::new(Full::new(self.body));
        *resp.status_mut() = self.status;
        *resp.headers_mut() = self.headers;
        resp
    }
}

/// A request id shaped like CloudFront's (a UUID).
fn request_id() -> String {
    let h = super::random_hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The parts of a CloudFront API path the proxy cares about.
fn route(method: &Method, path: &str) -> (Operation, Option<String>, Option<String>) {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["2020-05-31", "distribution", dist, "invalidation"] => {
            let op = if method == Method::POST {
                Operation::CreateInvalidation
            } else if method == Method::GET {
                Operation::ListInvalidations
            } else {
                Operation::Other
            };
            (op, Some(decode(dist)), None)
        }
        ["2020-05-31", "distribution", dist, "invalidation", id] if method == Method::GET => (
            Operation::GetInvalidation,
            Some(decode(dist)),
            Some(decode(id)),
        ),
        ["2020-05-31", "distribution", dist, ..] => (Operation::Other, Some(decode(dist)), None),
        _ => (Operation::Other, None, None),
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Reply {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let (operation, distribution_id, invalidation_id) = route(&parts.method, parts.uri.path());
    let batch = (operation == Operation::CreateInvalidation)
        .then(|| std::str::from_utf8(&body).ok().and_then(xml::parse_batch))
        .flatten();
    let mut entry = CloudFrontRequest {
        operation,
        method: parts.method.to_string(),
        path,
        distribution_id: distribution_id.clone(),
        invalidation_id,
        paths: batch.as_ref().map(|b| b.paths.clone()).unwrap_or_default(),
        caller_reference: batch.as_ref().map(|b| b.caller_reference.clone()),
        attempt: sdk_attempt(&parts.headers),
        status: 0,
        error_code: None,
        injected: false,
        replayed: false,
    };
    let injected = state.take_injection(operation);
    let answer = match (injected, operation, distribution_id) {
        (Some(fault), _, dist) => {
            entry.injected = true;
            Answer::fault(fault, operation, dist.as_deref())
        }
        (None, Operation::CreateInvalidation, Some(dist)) => {
            create(&state, &parts, body, &dist, batch).await
        }
        (None, Operation::GetInvalidation, Some(_)) => get(&state, &parts, body).await,
        (None, Operation::ListInvalidations, Some(dist)) => list(&state, &parts, &dist).await,
        _ => state.forward(&parts, body).await,
    };
    entry.status = answer.status.as_u16();
    if answer.status.is_client_error() || answer.status.is_server_error() {
        entry.error_code = std::str::from_utf8(&answer.body)
            .ok()
            .and_then(xml::error_code);
    }
    if answer.invalidation_id.is_some() {
        entry.invalidation_id.clone_from(&answer.invalidation_id);
    }
    entry.replayed = answer.replayed;
    lock(&state.inner).log.push(entry);
    answer.into_reply()
}

/// The attempt number the SDK puts in `amz-sdk-request: attempt=2; max=3`.
fn sdk_attempt(headers: &HeaderMap) -> Option<u32> {
    let value = headers.get("amz-sdk-request")?.to_str().ok()?;
    value
        .split(';')
        .find_map(|kv| kv.trim().strip_prefix("attempt="))
        .and_then(|n| n.parse().ok())
}

impl State {
    fn take_injection(&self, operation: Operation) -> Option<CloudFrontFault> {
        let mut inner = lock(&self.inner);
        let index = inner
            .injections
            .iter()
            .position(|i| i.on.is_none_or(|on| on == operation))?;
        let injection = &mut inner.injections[index];
        let fault = injection.fault;
        injection.remaining -= 1;
        if injection.remaining == 0 {
            inner.injections.remove(index);
        }
        Some(fault)
    }

    /// Sends a request to moto with its method, path, headers (Host included) and body unchanged.
    async fn forward(&self, parts: &Parts, body: Bytes) -> Answer {
        let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        self.send(parts.method.clone(), path, &parts.headers, body)
            .await
    }

    async fn send(&self, method: Method, path: &str, headers: &HeaderMap, body: Bytes) -> Answer {
        let mut request = self
            .client
            .request(method, format!("http://{}{path}", self.upstream));
        for (name, value) in headers {
            if !serve::is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
                request = request.header(name, value);
            }
        }
        if !body.is_empty() {
            request = request.body(body);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return upstream_failure(&e),
        };
        let status = response.status();
        let mut headers = HeaderMap::new();
        for (name, value) in response.headers() {
            if !serve::is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
                headers.append(name, value.clone());
            }
        }
        match response.bytes().await {
            Ok(body) => Answer {
                status,
                headers,
                body,
                invalidation_id: None,
                replayed: false,
            },
            Err(e) => upstream_failure(&e),
        }
    }

    /// moto's 404 for a distribution it does not have, or `None` when it exists. Reuses the
    /// client's headers: moto routes by the Authorization header's scope and, unless started
    /// with `INITIAL_NO_AUTH_ACTION_COUNT`, does not verify signatures.
    async fn missing_distribution(&self, parts: &Parts, dist: &str) -> Option<Answer> {
        let path = format!("/2020-05-31/distribution/{dist}");
        let answer = self
            .send(Method::GET, &path, &parts.headers, Bytes::new())
            .await;
        (answer.status == StatusCode::NOT_FOUND).then_some(answer)
    }

    /// The status every answer reports for an invalidation moto returned; counts a poll when asked.
    fn status_of(&self, id: &str, count_poll: bool) -> Option<InvalidationStatus> {
        let now = self.clock.now();
        let mut inner = lock(&self.inner);
        let record = inner.records.iter_mut().find(|r| r.id == id)?;
        let status = record.status(self.opts.completion, now);
        if count_poll {
            record.polls += 1;
        }
        Some(status)
    }

    /// Why a new batch would break the in-progress limits of its distribution, if it would.
    fn over_limits(&self, dist: &str, paths: &[String]) -> bool {
        let now = self.clock.now();
        let is_wildcard = |p: &String| p.contains('*');
        let inner = lock(&self.inner);
        let in_progress = inner.records.iter().filter(|r| {
            r.distribution_id == dist
                && r.status(self.opts.completion, now) == InvalidationStatus::InProgress
        });
        let (mut files, mut wildcards) = (0, 0);
        for p in in_progress.flat_map(|r| r.paths.iter()).chain(paths) {
            if is_wildcard(p) {
                wildcards += 1;
            } else {
                files += 1;
            }
        }
        files > self.opts.max_paths_in_progress
            || wildcards > self.opts.max_wildcard_paths_in_progress
    }
}

fn upstream_failure(e: &reqwest::Error) -> Answer {
    tracing::debug!(error = %e, "moto did not answer");
    Answer::error(
        StatusCode::BAD_GATEWAY,
        false,
        "ServiceUnavailable",
        &format!("the CloudFront proxy could not reach moto: {e}"),
    )
}

/// Replaces moto's `COMPLETED` with the status the proxy reports.
fn with_status(body: &[u8], status: &str) -> Bytes {
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| xml::replace_text(text, "Status", status))
        .map_or_else(|| Bytes::copy_from_slice(body), Bytes::from)
}

fn same_paths(a: &[String], b: &[String]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort();
    b.sort();
    a == b
}

async fn create(
    state: &State,
    parts: &Parts,
    body: Bytes,
    dist: &str,
    batch: Option<Batch>,
) -> Answer {
    // A body the proxy cannot read is moto's to reject.
    let Some(batch) = batch else {
        return state.forward(parts, body).await;
    };
    let _one_at_a_time = state.create_lock.lock().await;
    if let Some(answer) = deduplicate(state, dist, &batch) {
        return answer;
    }
    if state.over_limits(dist, &batch.paths) {
        if let Some(missing) = state.missing_distribution(parts, dist).await {
            return missing;
        }
        return Answer::error(
            StatusCode::BAD_REQUEST,
            true,
            "TooManyInvalidationsInProgress",
            TOO_MANY,
        );
    }
    let mut answer = state.forward(parts, body).await;
    if answer.status != StatusCode::CREATED {
        return answer;
    }
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    let Some(id) = xml::parse(&text)
        .ok()
        .and_then(|root| root.text_at(&["Id"]).map(str::to_owned))
    else {
        return answer;
    };
    {
        let mut inner = lock(&state.inner);
        inner.records.push(Record {
            id: id.clone(),
            distribution_id: dist.to_owned(),
            paths: batch.paths.clone(),
            caller_reference: batch.caller_reference.clone(),
            created: state.clock.now(),
            polls: 0,
            forced: false,
            create_body: text,
            location: answer.headers.get(header::LOCATION).cloned(),
        });
    }
    if let Some(edge) = &state.opts.edge {
        for path in &batch.paths {
            match path.strip_suffix('*') {
                Some(prefix) => edge.purge_prefix(prefix),
                None => edge.purge(path),
            };
        }
    }
    let status = state
        .status_of(&id, false)
        .unwrap_or(InvalidationStatus::InProgress);
    answer.body = with_status(&answer.body, status.as_str());
    answer.invalidation_id = Some(id);
    answer
}

/// CloudFront's CallerReference rule, or `None` when the reference is new for this distribution.
fn deduplicate(state: &State, dist: &str, batch: &Batch) -> Option<Answer> {
    let now = state.clock.now();
    let inner = lock(&state.inner);
    let earlier = inner
        .records
        .iter()
        .find(|r| r.distribution_id == dist && r.caller_reference == batch.caller_reference)?;
    if !same_paths(&earlier.paths, &batch.paths) {
        return Some(match state.opts.caller_reference_conflict {
            CallerReferenceConflict::AlreadyExists => Answer::error(
                StatusCode::CONFLICT,
                true,
                "InvalidationBatchAlreadyExists",
                "The CallerReference is already used by an invalidation batch with different paths.",
            ),
            CallerReferenceConflict::InvalidArgument => Answer::error(
                StatusCode::BAD_REQUEST,
                true,
                "InvalidArgument",
                "Your request contains a caller reference that was used for a previous \
                 invalidation batch for the same distribution.",
            ),
        });
    }
    let status = earlier.status(state.opts.completion, now);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Some(location) = &earlier.location {
        headers.insert(header::LOCATION, location.clone());
    }
    if let Ok(v) = HeaderValue::from_str(&request_id()) {
        headers.insert("x-amzn-requestid", v);
    }
    Some(Answer {
        status: StatusCode::CREATED,
        headers,
        body: with_status(earlier.create_body.as_bytes(), status.as_str()),
        invalidation_id: Some(earlier.id.clone()),
        replayed: true,
    })
}

async fn get(state: &State, parts: &Parts, body: Bytes) -> Answer {
    let mut answer = state.forward(parts, body).await;
    if answer.status != StatusCode::OK {
        return answer;
    }
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    if let Some(id) = xml::parse(&text)
        .ok()
        .and_then(|root| root.text_at(&["Id"]).map(str::to_owned))
    {
        // Invalidations made behind the proxy's back are done, spelled as CloudFront spells it.
        let status = state
            .status_of(&id, true)
            .unwrap_or(InvalidationStatus::Completed);
        answer.body = with_status(&answer.body, status.as_str());
        answer.invalidation_id = Some(id);
    }
    answer
}

async fn list(state: &State, parts: &Parts, dist: &str) -> Answer {
    if let Some(missing) = state.missing_distribution(parts, dist).await {
        return missing;
    }
    let mut answer = state.forward(parts, Bytes::new()).await;
    if answer.status != StatusCode::OK {
        return answer;
    }
    let Some(mut items) = std::str::from_utf8(&answer.body)
        .ok()
        .and_then(xml::parse_summaries)
    else {
        return answer;
    };
    for item in &mut items {
        let status = state
            .status_of(&item.id, false)
            .unwrap_or(InvalidationStatus::Completed);
        item.status = status.as_str().to_owned();
    }
    // Newest first, as CloudFront lists them (moto lists oldest first).
    items.reverse();
    items.sort_by(|a, b| b.create_time.cmp(&a.create_time));
    let query = |name: &str| {
        parts.uri.query().and_then(|q| {
            q.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k == name).then(|| {
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned()
                })
            })
        })
    };
    let marker = query("Marker").unwrap_or_default();
    let max_items = query("MaxItems")
        .and_then(|m| m.parse().ok())
        .unwrap_or(100usize);
    let start = items
        .iter()
        .position(|s| s.id == marker)
        .map_or(0, |i| i + 1);
    let end = (start + max_items).min(items.len());
    let page = &items[start.min(end)..end];
    let next_marker = (end < items.len())
        .then(|| page.last().map(|s| s.id.as_str()))
        .flatten();
    answer.body = Bytes::from(xml::render_list(&xml::ListPage {
        marker: &marker,
        next_marker,
        max_items,
        items: page,
    }));
    answer
}
