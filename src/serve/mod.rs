//! `serve`: the endpoint a CMS button or webhook calls instead of the app's own revalidate
//! route. Each accepted request becomes a job; jobs are coalesced into runs of the `run`
//! pipeline (the same library code as `revalidate run`), and the caller hears the truth: 200
//! only when every path is proven fresh on every pod (and the edge, when configured), 409 with
//! the report when not, 504 at its deadline, 202 with a job id when it does not wait.
//!
//! Invariants: nothing is queued, run or sent to any pod before the caller is authenticated
//! (the secret, or an HMAC of the body) and every path is checked; a refused request says why
//! and never echoes a secret; a job's outcome is the worst of its paths' verdicts, never
//! rounded up (see [`jobs`]); on SIGTERM serve takes no new job, lets running ones finish
//! within the grace period, and leaves the rest in the Redis stream for another replica.

pub mod auth;
pub mod hooks;
pub mod jobs;
mod metrics;
pub mod page;
mod stream;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use crate::choices::OutputFormat;
use crate::config::{Config, ServeSettings};
use crate::context::RunContext;
use crate::discover;
use crate::error::Error;
use crate::exit::{Code, Stop};
use crate::paths::{Purpose, UrlPath};
use crate::report::Display;
use crate::report::Reporter;
use crate::transport::Transport;
use crate::verify::Verdict;

use jobs::{Outcome, PathEnd, Queue, RunEnd, Start};

/// Paths one run takes at most (a larger burst makes several runs).
const RUN_PATHS: usize = 1000;

/// What every handler and the scheduler share.
struct Shared {
    config: Config,
    settings: ServeSettings,
    auth: auth::Auth,
    routes: hooks::Routes,
    queue: Mutex<Queue>,
    /// Wakes the scheduler: a job was queued or a run ended.
    wake: Notify,
    /// Wakes whoever waits for the runs to end (the drain): a run ended.
    run_ended: Notify,
    /// Each job's view (without reports) as JSON, whenever it changes: the status page's feed.
    events: broadcast::Sender<Arc<str>>,
    metrics: metrics::Metrics,
    /// SIGTERM: no new job.
    draining: AtomicBool,
    /// The grace period is over: running runs are cancelled.
    hard_stop: CancellationToken,
    stream: Option<stream::Jobs>,
    seq: AtomicU64,
}

impl Shared {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, job: &str) {
        let view = self.queue().view(job, false);
        if let Some(v) = view
            && let Ok(text) = serde_json::to_string(&v)
        {
            let _ = self.events.send(Arc::from(text));
        }
    }

    fn new_id(&self) -> String {
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let r: u32 = rand::random();
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        format!("j-{ms:x}-{r:08x}-{n}")
    }
}

/// Checks everything, binds the address, and serves until SIGTERM or SIGINT (then drains).
/// With `dry_run`, stops once everything is checked and the address bound: nothing is served.
pub async fn serve(config: Config, dry_run: bool) -> Result<Code, Error> {
    let settings = config.serve()?;
    let auth = auth::Auth::from_config(&config, &|name| std::env::var(name).ok())?;
    let routes = hooks::Routes::from_config(&config)?;
    // The run's settings are checked now, not at the first call.
    config.run()?;
    // Every step's plan, built for a stand-in path and pod (nothing is sent), so a wrong
    // setting is exit 2 now, not a failed job later.
    let stand_in = crate::targets::parse_spec("check=http://127.0.0.1:1")
        .map_err(|e| Error::usage(e.to_string()))?;
    let root = UrlPath::parse("/", Purpose::Pod).map_err(|e| Error::usage(e.to_string()))?;
    crate::run::Setup::build(&config, vec![root], vec![stand_in])?;
    config.limits()?;
    config.pod_source()?;
    config.kubernetes()?;
    let stream = match &settings.stream {
        Some(s) => Some(stream::Jobs::connect(&config, s).await?),
        None => None,
    };
    let tls = match &settings.tls {
        Some((cert, key)) => Some(
            axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| {
                    Error::usage(format!(
                        "--tls-cert {} / --tls-key {}: {e}",
                        cert.display(),
                        key.display()
                    ))
                })?,
        ),
        None => None,
    };
    let listener = std::net::TcpListener::bind(settings.listen).map_err(|e| {
        Error::usage(format!(
            "serve.listen {}: cannot listen there: {e}",
            settings.listen
        ))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("cannot listen", e))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::io("cannot listen", e))?;

    if dry_run {
        eprintln!(
            "revalidate serve: would listen on {}://{bound} (dry run: every setting checked, nothing served)",
            if tls.is_some() { "https" } else { "http" }
        );
        return Ok(Code::Success);
    }

    let (events, _) = broadcast::channel(256);
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue::new(jobs::Limits {
            max_runs: settings.max_runs,
            queue: settings.queue,
            run_paths: RUN_PATHS,
            keep_jobs: settings.keep_jobs,
        })),
        config,
        settings,
        auth,
        routes,
        wake: Notify::new(),
        run_ended: Notify::new(),
        events,
        metrics: metrics::Metrics::default(),
        draining: AtomicBool::new(false),
        hard_stop: CancellationToken::new(),
        stream,
        seq: AtomicU64::new(0),
    });

    let app = router(shared.clone());
    let handle = axum_server::Handle::new();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let server = {
        let handle = handle.clone();
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            match tls {
                Some(tls) => {
                    axum_server::from_tcp_rustls(listener, tls)?
                        .handle(handle)
                        .serve(app)
                        .await
                }
                None => {
                    axum_server::from_tcp(listener)?
                        .handle(handle)
                        .serve(app)
                        .await
                }
            }
        })
    };
    // Tests and scripts read this line to learn the port of --listen 127.0.0.1:0.
    eprintln!("revalidate serve: listening on {scheme}://{bound}");
    tracing::info!("listening on {scheme}://{bound}");

    let scheduler = tokio::spawn(schedule(shared.clone()));
    let reader = shared
        .stream
        .as_ref()
        .map(|s| tokio::spawn(s.clone().read(shared.clone())));

    let (signal_name, signal_code) = first_signal().await;
    tracing::info!(
        "{}: draining (no new job; running jobs get {})",
        signal_name,
        humantime::format_duration(shared.settings.grace)
    );
    eprintln!(
        "revalidate serve: {}; finishing running jobs (grace {})",
        signal_name,
        humantime::format_duration(shared.settings.grace)
    );
    shared.draining.store(true, Ordering::SeqCst);
    if let Some(r) = reader {
        r.abort();
    }
    shared.wake.notify_one();
    let drained = tokio::time::timeout(shared.settings.grace, no_run_left(&shared))
        .await
        .is_ok();
    if !drained {
        tracing::warn!("the grace period ended: cancelling the running jobs");
        shared.hard_stop.cancel();
        let _ = tokio::time::timeout(Duration::from_secs(5), no_run_left(&shared)).await;
    }
    scheduler.abort();
    let left = shared.queue().open_jobs();
    if left > 0 {
        match &shared.stream {
            Some(_) => tracing::info!(
                "{left} job(s) not finished stay in the Redis stream for another replica"
            ),
            None => tracing::warn!(
                "{left} job(s) not finished are dropped (no Redis stream is configured)"
            ),
        }
    }
    handle.graceful_shutdown(Some(Duration::from_secs(2)));
    let _ = server.await;
    Ok(if drained { Code::Success } else { signal_code })
}

/// Returns once no run is running, woken by each run's end.
async fn no_run_left(shared: &Shared) {
    loop {
        // Registered before the count is read, so a run ending in between still wakes it.
        let ended = shared.run_ended.notified();
        tokio::pin!(ended);
        ended.as_mut().enable();
        if shared.queue().running() == 0 {
            return;
        }
        ended.await;
    }
}

/// The first SIGTERM or SIGINT: its name, and the exit code when it cut jobs short.
async fn first_signal() -> (&'static str, Code) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => ("SIGTERM", Code::Terminated),
        _ = int.recv() => ("SIGINT", Code::Interrupted),
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let limit = shared.settings.max_request;
    Router::new()
        .route("/revalidate", post(revalidate))
        .route("/api/jobs", get(list_jobs))
        .route("/api/jobs/{id}", get(job))
        .route("/jobs/{id}", get(job))
        .route("/api/events", get(events))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .merge(
            page::router().route_layer(axum::middleware::from_fn_with_state(
                shared.clone(),
                page_auth,
            )),
        )
        .layer(DefaultBodyLimit::max(limit))
        .with_state(shared)
}

/// The status page and its assets: behind the secret like the API they read (a browser shows
/// its login prompt on the 401 and sends Basic credentials from then on).
async fn page_auth(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(who): ConnectInfo<SocketAddr>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let what = format!("GET {}", req.uri().path());
    if let Some(r) = allowed(&shared, who, &what, req.headers()) {
        return r;
    }
    next.run(req).await
}

/// A JSON answer with a status.
fn answer(status: StatusCode, body: &impl Serialize) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[derive(Serialize)]
struct Problem<'a> {
    error: &'a str,
}

fn problem(status: StatusCode, error: &str) -> Response {
    answer(status, &Problem { error })
}

/// 401, naming what was wrong (never the secret or what was presented).
fn unauthorized(shared: &Shared, who: SocketAddr, what: &str, denied: &auth::Denied) -> Response {
    shared.metrics.request("unauthorized");
    tracing::warn!("{who}: {what}: unauthorized: {denied}");
    let mut r = problem(StatusCode::UNAUTHORIZED, &format!("unauthorized: {denied}"));
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"revalidate\", charset=\"UTF-8\""),
    );
    r
}

/// Checks the caller of a read-only route.
fn allowed(shared: &Shared, who: SocketAddr, what: &str, headers: &HeaderMap) -> Option<Response> {
    shared
        .auth
        .check(headers, b"")
        .err()
        .map(|d| unauthorized(shared, who, what, &d))
}

/// `POST /revalidate`: authenticate, map to paths, queue, and answer (now, or at the end).
async fn revalidate(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(who): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scheme = match shared.auth.check(&headers, &body) {
        Ok(s) => s,
        Err(d) => return unauthorized(&shared, who, "POST /revalidate", &d),
    };
    let query = match Query::<Vec<(String, String)>>::try_from_uri(&uri) {
        Ok(Query(q)) => q,
        Err(e) => {
            shared.metrics.request("bad-request");
            return problem(
                StatusCode::BAD_REQUEST,
                &format!("the query is not name=value pairs: {e}"),
            );
        }
    };
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let wait = match param("wait") {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("") => true,
        Some(other) => {
            shared.metrics.request("bad-request");
            return problem(
                StatusCode::BAD_REQUEST,
                &format!("?wait={other:?}: give true or false"),
            );
        }
    };
    let timeout = match param("timeout") {
        None => shared.settings.max_wait,
        Some(t) => match humantime::parse_duration(t) {
            Ok(d) if !d.is_zero() => d.min(shared.settings.max_wait),
            _ => {
                shared.metrics.request("bad-request");
                return problem(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "?timeout={t:?}: give a duration such as 30s or 2m (at most {})",
                        humantime::format_duration(shared.settings.max_wait)
                    ),
                );
            }
        },
    };
    // A signature covers the body only: a query on a signed request could be replayed with
    // other paths, so it is not read for the paths (wait and timeout only shape the answer).
    let signed_query: &[(String, String)] = if scheme.signs_only_the_body() {
        &[]
    } else {
        &query
    };
    let (paths, source) = match shared.routes.map(&headers, signed_query, &body) {
        Ok(hooks::Mapped::Paths { paths, routes }) => {
            let source = if routes.is_empty() {
                "paths".to_string()
            } else {
                routes
                    .iter()
                    .map(|r| format!("route:{r}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            (paths, source)
        }
        Ok(hooks::Mapped::Ignored { reason }) => {
            shared.metrics.request("ignored");
            tracing::info!("{who}: POST /revalidate: ignored: {reason}");
            #[derive(Serialize)]
            struct Ignored<'a> {
                status: &'static str,
                reason: &'a str,
            }
            return answer(
                StatusCode::OK,
                &Ignored {
                    status: "ignored",
                    reason: &reason,
                },
            );
        }
        Err(e) => {
            shared.metrics.request("bad-request");
            return problem(StatusCode::BAD_REQUEST, &e.to_string());
        }
    };
    if shared.draining.load(Ordering::SeqCst) {
        shared.metrics.request("unavailable");
        let mut r = problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down: send it to another replica, or again in a moment",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    }
    let paths: Vec<String> = paths.iter().map(|p| p.as_str().to_string()).collect();
    let id = shared.new_id();
    let accepted = match &shared.stream {
        Some(s) => s.add(&shared, &id, &source, &paths).await,
        None => shared
            .queue()
            .submit(&id, &source, paths.clone(), None)
            .map(|_| ())
            .map_err(Refused::Full),
    };
    match accepted {
        Ok(()) => {}
        Err(Refused::Full(full)) => {
            shared.metrics.request("queue-full");
            let mut r = problem(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!(
                    "the queue is full ({} paths wait, the limit is {}): try again later",
                    full.waiting, full.limit
                ),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return r;
        }
        Err(Refused::Redis(e)) => {
            shared.metrics.request("unavailable");
            tracing::warn!("{who}: POST /revalidate: {e}");
            let mut r = problem(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("cannot keep the job: {e}"),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            return r;
        }
    }
    tracing::info!(
        "{who}: job {id} accepted: {} path(s) from {source}",
        paths.len()
    );
    shared.wake.notify_one();
    shared.publish(&id);
    if !wait {
        shared.metrics.request("accepted");
        #[derive(Serialize)]
        struct Accepted<'a> {
            id: &'a str,
            status: &'static str,
            paths: usize,
            url: String,
        }
        let url = format!("/api/jobs/{id}");
        let mut r = answer(
            StatusCode::ACCEPTED,
            &Accepted {
                id: &id,
                status: "queued",
                paths: paths.len(),
                url: url.clone(),
            },
        );
        if let Ok(v) = HeaderValue::from_str(&url) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    let done = tokio::time::timeout(timeout, wait_done(&shared, &id)).await;
    let view = job_json(&shared, &id, true).await;
    match (done, view) {
        (Ok(()), Some(v)) => {
            let fresh = v.get("outcome").and_then(|o| o.as_str()) == Some("fresh");
            shared
                .metrics
                .request(if fresh { "fresh" } else { "not-fresh" });
            let status = if fresh {
                StatusCode::OK
            } else {
                StatusCode::CONFLICT
            };
            answer(status, &v)
        }
        (_, view) => {
            shared.metrics.request("timeout");
            let mut v = view.unwrap_or_else(|| serde_json::json!({"id": id}));
            v["error"] = serde_json::Value::from(format!(
                "not done within {}: the job goes on; GET /api/jobs/{id} for its end",
                humantime::format_duration(timeout)
            ));
            answer(StatusCode::GATEWAY_TIMEOUT, &v)
        }
    }
}

/// Why a request was not accepted.
enum Refused {
    Full(jobs::Full),
    Redis(String),
}

/// Resolves when job `id` is done (here, or on another replica through the stream).
async fn wait_done(shared: &Shared, id: &str) {
    loop {
        let rx = {
            let q = shared.queue();
            q.has(id).then(|| q.watch(id)).flatten()
        };
        match rx {
            Some(mut rx) => {
                let _ = rx.wait_for(|d| *d).await;
                return;
            }
            None => {
                if let Some(s) = &shared.stream
                    && s.finished(id).await.is_some()
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// A job's view as JSON: here, or (with Redis) as the replica that ran it left it.
async fn job_json(shared: &Shared, id: &str, reports: bool) -> Option<serde_json::Value> {
    let local = shared.queue().view(id, reports);
    if let Some(v) = local
        && (v.status == jobs::Status::Done || shared.stream.is_none())
    {
        return serde_json::to_value(v).ok();
    }
    if let Some(s) = &shared.stream
        && let Some(v) = s.finished(id).await
    {
        return Some(v);
    }
    shared
        .queue()
        .view(id, reports)
        .and_then(|v| serde_json::to_value(v).ok())
}

async fn list_jobs(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(who): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = allowed(&shared, who, "GET /api/jobs", &headers) {
        return r;
    }
    let jobs = shared.queue().list(100);
    answer(StatusCode::OK, &serde_json::json!({ "jobs": jobs }))
}

async fn job(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(who): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = allowed(&shared, who, "GET /api/jobs/ID", &headers) {
        return r;
    }
    match job_json(&shared, &id, true).await {
        Some(v) => answer(StatusCode::OK, &v),
        None => problem(
            StatusCode::NOT_FOUND,
            &format!("no job {id:?} here (finished jobs are kept a while: serve.keep_jobs)"),
        ),
    }
}

async fn events(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(who): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures_util::StreamExt as _;
    if let Some(r) = allowed(&shared, who, "GET /api/events", &headers) {
        return r;
    }
    let rx = shared.events.subscribe();
    let stream = tokio_stream_of(rx)
        .map(|text| Ok::<_, std::convert::Infallible>(Event::default().event("job").data(&*text)));
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A broadcast receiver as a stream (lagging receivers skip what they missed).
fn tokio_stream_of(
    rx: broadcast::Receiver<Arc<str>>,
) -> impl futures_util::Stream<Item = Arc<str>> {
    futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(v) => return Some((v, rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

async fn ready(State(shared): State<Arc<Shared>>) -> Response {
    if shared.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining\n").into_response();
    }
    if let Some(s) = &shared.stream
        && let Err(e) = s.ping().await
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("redis unreachable: {e}\n"),
        )
            .into_response();
    }
    (StatusCode::OK, "ready\n").into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let gauges = {
        let q = shared.queue();
        metrics::Gauges {
            waiting_paths: q.waiting(),
            running: q.running(),
            open_jobs: q.open_jobs(),
            ready: !shared.draining.load(Ordering::SeqCst),
        }
    };
    let mut r = shared.metrics.render(&gauges).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// Starts runs as slots free up, until serve drains.
async fn schedule(shared: Arc<Shared>) {
    loop {
        let notified = shared.wake.notified();
        if !shared.draining.load(Ordering::SeqCst) {
            loop {
                let Some(start) = shared.queue().start_next() else {
                    break;
                };
                let jobs = shared.queue().jobs_of(start.run);
                for j in jobs {
                    shared.publish(&j);
                }
                tokio::spawn(execute(shared.clone(), start));
            }
        }
        notified.await;
    }
}

/// Runs one run and hands its end to the queue.
async fn execute(shared: Arc<Shared>, start: Start) {
    let began = Instant::now();
    tracing::info!("run r-{} starts: {} path(s)", start.run, start.paths.len());
    let end = run_paths(&shared, &start.paths).await;
    let worst = start
        .paths
        .iter()
        .map(|p| end.paths.get(p).map_or(Outcome::Failed, |e| e.outcome))
        .max()
        .unwrap_or(Outcome::Failed);
    shared.metrics.run(worst, began.elapsed().as_secs_f64());
    tracing::info!(
        "run r-{} ended {} (exit {}) in {}",
        start.run,
        worst.name(),
        end.exit_code,
        crate::units::short_duration(began.elapsed())
    );
    let finished = shared.queue().finish(start.run, end);
    for f in &finished {
        if let Some(s) = &shared.stream {
            let view = shared.queue().view(&f.job, true);
            s.done(&f.job, f.tag.as_deref(), view.as_ref()).await;
        }
        shared.publish(&f.job);
    }
    shared.wake.notify_one();
    shared.run_ended.notify_waiters();
}

/// A shared buffer the run's JSON report is written into.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One `run` over `paths`: discover, then the pipeline, its report kept as JSON.
async fn run_paths(shared: &Shared, paths: &[String]) -> RunEnd {
    match try_run(shared, paths).await {
        Ok(end) => end,
        Err(e) => {
            let text = crate::secret::redact(&e.to_string()).into_owned();
            tracing::warn!("run failed: {text}");
            RunEnd {
                exit_code: e.exit_code().as_u8(),
                paths: Default::default(),
                report: None,
                error: Some(text),
            }
        }
    }
}

async fn try_run(shared: &Shared, paths: &[String]) -> Result<RunEnd, Error> {
    let config = &shared.config;
    let limits = config.limits()?;
    let source = config.pod_source()?;
    let kubernetes = config.kubernetes()?;
    let paths: Vec<UrlPath> = paths
        .iter()
        .map(|p| {
            UrlPath::parse(p, Purpose::Pod).map_err(|e| Error::usage(format!("path {p:?}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let ctx = RunContext::new(limits);
    let stop = shared.hard_stop.clone();
    let linked = ctx.clone();
    let guard = tokio::spawn(async move {
        stop.cancelled().await;
        linked.cancel(Stop::Terminated);
    });
    let pods = discover::find(&ctx, &source, &kubernetes, &limits, false).await?;
    let targets = pods.targets();
    if targets.is_empty() {
        guard.abort();
        return Err(Error::usage(
            "no pods were found to run on (see the discovery settings: --pod, --k8s-service, --dns)",
        ));
    }
    let setup = crate::run::Setup::build(config, paths, targets)?;
    let edge = usize::from(setup.edge.is_some());
    let transport = pods.transport(
        Transport::new(&limits, setup.targets.len() + edge + 1)?,
        &limits,
    );
    let out = Buffer::default();
    let mut reporter = Reporter::new(
        OutputFormat::Json,
        Display {
            color_stdout: false,
            color_stderr: false,
            progress: false,
        },
        true,
        "run",
        false,
        Box::new(out.clone()),
        Box::new(std::io::sink()),
    );
    if let discover::Pods::Discovered(d) = &pods {
        discover::discovered(&d.report, &mut reporter);
    }
    let report = crate::run::pipeline(&ctx, &transport, &setup, &mut reporter).await;
    let code = reporter.finish(ctx.observed_stop())?;
    guard.abort();
    let bytes = std::mem::take(&mut *out.0.lock().unwrap_or_else(|e| e.into_inner()));
    let document: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    let mut ends = std::collections::BTreeMap::new();
    for p in &report.paths {
        let outcome = match p.verdict {
            Some(Verdict::Fresh) => Outcome::Fresh,
            Some(Verdict::Unchanged) => Outcome::Unchanged,
            Some(Verdict::Converged | Verdict::Unproven) => Outcome::Unproven,
            Some(Verdict::Stale | Verdict::Unreachable) => Outcome::Stale,
            None if report.error.is_some() || report.stopped.is_some() => Outcome::Failed,
            None => Outcome::Unproven,
        };
        let reason = match (outcome, &p.reason) {
            (Outcome::Fresh, _) => None,
            (_, Some(r)) => Some(r.clone()),
            (Outcome::Unproven, None) if p.verdict.is_none() => {
                Some("not verified (verify is not in run.steps)".into())
            }
            (_, None) => report.error.clone(),
        };
        ends.insert(p.path.clone(), PathEnd { outcome, reason });
    }
    Ok(RunEnd {
        exit_code: code.as_u8(),
        paths: ends,
        report: document.map(Arc::new),
        error: report.error.clone(),
    })
}
