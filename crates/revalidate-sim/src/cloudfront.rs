//! A fault-injecting CloudFront API in front of `moto_server`, so that every
//! retry and error path of an invalidation client runs against a real
//! aws-sdk-cloudfront stack, on loopback.
//!
//! moto answers the API faithfully in shape but reports every invalidation
//! `COMPLETED` at once, does not deduplicate CallerReferences and enforces
//! no limit. The proxy forwards every request to moto with its bytes and
//! headers untouched (Host included, so a SigV4 signature stays valid; moto
//! checks signatures only when started with `INITIAL_NO_AUTH_ACTION_COUNT`,
//! and then rejects even correctly signed CloudFront requests, so the tests
//! verify signatures themselves) and adds what moto lacks: `InProgress` until a configurable time or number of
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

mod handler;
mod moto;
#[cfg(test)]
mod tests;
mod xml;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::StatusCode;
use hyper::header::HeaderValue;
use tokio_util::sync::CancellationToken;

use super::edge::EdgeCache;
use super::serve::{self, Clock, lock};

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
        let addr = serve::spawn(token.clone(), move |req| {
            handler::handle(handler_state.clone(), req)
        })?;
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
