//! fanout: revalidate every path on every pod, directly, and say what each (path, pod) cell did.
//!
//! Two modes. `nextjs` sends Next.js's own `x-prerender-revalidate: <previewModeId>` (see
//! [`crate::nextjs`] for what a pod answers); `endpoint` calls the app's own revalidate route on
//! each pod ([`endpoint`]). Cache tags (`--tag`) are revalidated through the app's tag route in
//! either mode (Next.js has no header for a tag): a cell is a (path or tag, pod), paths first.
//! Invariants: a cell's outcome is decided by [`crate::nextjs::classify`]
//! or [`endpoint::classify`] alone; workers return [`Cell`]s and never print; cells come out in
//! input order (path, then pod) whatever the concurrency; what is kept of the cells follows the
//! reporter's needs ([`Retain`]), so memory does not grow with the run unless the output needs it.

mod ci;
pub mod endpoint;
mod human;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Instant;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method};

use crate::choices::{EndpointMethod, Mode, RevalidateMethod};
use crate::config::FanoutSettings;
use crate::context::RunContext;
use crate::error::ConfigError;
use crate::exit::{Code, Stop};
use crate::nextjs::{self, NEXTJS_CACHE, PRERENDER_IF_GENERATED, PRERENDER_REVALIDATE};
use crate::paths::UrlPath;
use crate::report::events::STEP_START;
use crate::report::{Events, Item, Listed, Payload, Reporter, StepReport, Style, Work};

use crate::context::Retain;
use crate::secret::{self, Secret};
use crate::tags::Tag;
use crate::targets::Target;
use crate::transport::header::{self, Header};
use crate::transport::{
    PodRequest, PodResponse, RequestView, Transport, TransportError, retryable_status,
};

pub use endpoint::{Endpoint, Subject};

/// Why tags cannot go in nextjs mode without a tag route, and what to use.
pub const NO_TAG_HEADER: &str = "nextjs mode cannot revalidate a tag: x-prerender-revalidate regenerates one path, and Next.js has no header for a tag. Give --tag-endpoint '/api/revalidate-tag?tag={tag}' (a route handler calling revalidateTag on each pod, with --header for its secret), or --mode endpoint with {tag} in --endpoint; `revalidate agent --tag-endpoint` applies tags published with `publish --tag`";

/// What happened to one (path, pod) cell.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "FanoutOutcome")]
pub enum Outcome {
    Revalidated,
    NotGenerated,
    Gone,
    Rejected,
    HttpError,
    Unreachable,
    Cancelled,
}

impl From<nextjs::Answer> for Outcome {
    fn from(a: nextjs::Answer) -> Outcome {
        match a {
            nextjs::Answer::Revalidated => Outcome::Revalidated,
            nextjs::Answer::Rejected => Outcome::Rejected,
            nextjs::Answer::NotGenerated => Outcome::NotGenerated,
            nextjs::Answer::Gone => Outcome::Gone,
            nextjs::Answer::HttpError => Outcome::HttpError,
        }
    }
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Revalidated => "revalidated",
            Outcome::NotGenerated => "not-generated",
            Outcome::Gone => "gone",
            Outcome::Rejected => "rejected",
            Outcome::HttpError => "http-error",
            Outcome::Unreachable => "unreachable",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Whether the cell counts as done. `gone` is a failure unless the caller allows it.
    pub fn is_ok(self, allow_gone: bool) -> bool {
        match self {
            Outcome::Revalidated | Outcome::NotGenerated => true,
            Outcome::Gone => allow_gone,
            _ => false,
        }
    }

    /// What to check when this outcome shows up; printed once per kind under the failures.
    pub fn hint(self, mode: Mode) -> Option<&'static str> {
        match (self, mode) {
            (Outcome::Rejected, Mode::Nextjs) => Some(
                "rejected: the pod answered 200 without x-nextjs-cache: REVALIDATED. Its previewModeId differs \
                 (a new build, or pods of two builds during a deploy) or a proxy stripped the header; \
                 read the id from the running build's .next/prerender-manifest.json.",
            ),
            (Outcome::Rejected, Mode::Endpoint) => Some(
                "rejected: the endpoint answered 2xx but not the expected JSON (--expect-json); \
                 check the endpoint's response body.",
            ),
            (Outcome::Gone, _) => Some(
                "gone: 404 on revalidation: the content was deleted or the route does not exist. \
                 Use --allow-gone when deleted pages are expected.",
            ),
            (Outcome::Unreachable, _) => Some(
                "unreachable: connect error, timeout or reset after every retry. Is the pod running, \
                 and reachable from here (port-forward, network policy)?",
            ),
            (Outcome::HttpError, Mode::Endpoint) => Some(
                "http-error: 401/403 usually mean a wrong secret header; 404 means no such endpoint on the pod; \
                 a 3xx means the endpoint redirects (call the route it names).",
            ),
            (Outcome::HttpError, Mode::Nextjs) => Some(
                "http-error: a status Next.js does not send for a revalidation; a 3xx means the pod \
                 redirects this path (list it as the app serves it, e.g. with or without the trailing slash).",
            ),
            (Outcome::Cancelled, _) => {
                Some("cancelled: the request did not finish before --deadline, Ctrl-C or SIGTERM.")
            }
            _ => None,
        }
    }
}

/// The result of one (path or tag, pod) cell.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Cell {
    /// The path revalidated (absent in a tag's cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The cache tag revalidated (absent in a path's cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub pod: String,
    pub outcome: Outcome,
    pub ok: bool,
    pub status: Option<u16>,
    /// The `x-nextjs-cache` header, when present.
    pub cache: Option<String>,
    pub latency_ms: f64,
    pub attempts: u32,
    pub error: Option<String>,
    /// The index of the path, or of the tag after every path.
    #[serde(skip)]
    pub path_index: usize,
    #[serde(skip)]
    pub target_index: usize,
}

/// How every pod is told to revalidate.
#[derive(Clone, Debug)]
pub enum How {
    Nextjs {
        method: RevalidateMethod,
        only_generated: bool,
        preview_id: Secret,
    },
    Endpoint(Endpoint),
}

impl Cell {
    /// The path, or the tag as `tag:<tag>` (a path starts with `/`, so the two never meet).
    pub fn subject(&self) -> String {
        subject_name(self.path.as_deref(), self.tag.as_deref())
    }
}

fn subject_name(path: Option<&str>, tag: Option<&str>) -> String {
    match (path, tag) {
        (Some(p), _) => p.to_string(),
        (None, Some(t)) => format!("tag:{t}"),
        (None, None) => String::new(),
    }
}

/// Everything fanout will do, resolved and checked before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub paths: Vec<UrlPath>,
    /// Cache tags, revalidated through `tag_endpoint` after the paths.
    pub tags: Vec<Tag>,
    pub targets: Vec<Target>,
    pub how: How,
    /// The app's route that revalidates a tag; None: tags cannot be asked for.
    pub tag_endpoint: Option<Endpoint>,
    /// Headers of every request (both modes).
    pub headers: Vec<Header>,
    /// Headers of the tag route's requests only (`endpoint.headers` in nextjs mode).
    pub tag_headers: Vec<Header>,
    pub allow_gone: bool,
    /// Things people should know before the run (e.g. a literal credential on the command line).
    pub warnings: Vec<String>,
}

impl Plan {
    /// Resolves mode, secrets and headers. Reads files and the environment; sends nothing.
    pub fn build(
        s: &FanoutSettings,
        paths: Vec<UrlPath>,
        tags: Vec<Tag>,
        targets: Vec<Target>,
    ) -> Result<Plan, ConfigError> {
        if let Some(e) = &s.tag_endpoint
            && !e.template.contains("{tag}")
            && !e.body.as_deref().is_some_and(|b| b.contains("{tag}"))
        {
            return Err(ConfigError(format!(
                "--tag-endpoint {:?} has no {{tag}}: every tag would make the same request; e.g. '/api/revalidate-tag?tag={{tag}}'",
                e.template
            )));
        }
        let tag_endpoint = s.tag_endpoint.as_ref().map(Endpoint::build).transpose()?;
        if !tags.is_empty() && tag_endpoint.is_none() {
            return Err(ConfigError(match &s.endpoint {
                None => NO_TAG_HEADER.to_string(),
                Some(e) => format!(
                    "--endpoint {:?} has no {{tag}}, so it cannot revalidate a tag: put {{tag}} in it (one route for both: '/api/revalidate?path={{path}}&tag={{tag}}', the one not in use is empty) or give --tag-endpoint '/api/revalidate-tag?tag={{tag}}'",
                    e.template
                ),
            }));
        }
        let how = match (&s.endpoint, &tag_endpoint) {
            // Only tags in nextjs mode: every call is the tag route's, and no previewModeId is
            // needed.
            (None, Some(e)) if paths.is_empty() && !tags.is_empty() => How::Endpoint(e.clone()),
            (None, _) => How::Nextjs {
                method: s.method,
                only_generated: s.only_generated,
                preview_id: nextjs::load_preview_id(
                    s.preview_id_file.as_deref(),
                    std::env::var(nextjs::PREVIEW_ID_ENV).ok(),
                )?,
            },
            (Some(e), _) => {
                let e = Endpoint::build(e)?;
                // A route only for tags serves no path.
                if !e.holds("{path}") && (!paths.is_empty() || tags.is_empty()) {
                    return Err(ConfigError(format!(
                        "--endpoint {:?} has no {{path}}: every pod would get the same request for every path; put {{path}} in the template or the --body (or give only --tag when it is a route for tags)",
                        s.endpoint.as_ref().map_or("", |e| e.template.as_str())
                    )));
                }
                How::Endpoint(e)
            }
        };
        let mut warnings = Vec::new();
        let headers = header::parse_all(&s.headers, &mut warnings)?;
        let tag_headers = header::parse_all(&s.tag_headers, &mut warnings)?;
        Ok(Plan {
            paths,
            tags,
            targets,
            how,
            tag_endpoint,
            headers,
            tag_headers,
            allow_gone: s.allow_gone,
            warnings,
        })
    }

    /// Whether pages a pod never generated are skipped (`--only-generated`).
    pub fn only_generated(&self) -> bool {
        matches!(
            self.how,
            How::Nextjs {
                only_generated: true,
                ..
            }
        )
    }

    pub fn mode(&self) -> Mode {
        match self.how {
            How::Nextjs { .. } => Mode::Nextjs,
            How::Endpoint(_) => Mode::Endpoint,
        }
    }

    /// The method of a path's requests (a tag's are [`Plan::method_of`] its route).
    pub fn method(&self) -> &'static str {
        match &self.how {
            How::Nextjs { method, .. } => method.as_str(),
            How::Endpoint(e) => endpoint_method(e),
        }
    }

    fn method_of(&self, subject: Subject<'_>) -> &'static str {
        match (subject, &self.tag_endpoint) {
            (Subject::Tag(_), Some(e)) => endpoint_method(e),
            _ => self.method(),
        }
    }

    /// The number of items (paths, then tags).
    pub fn items(&self) -> usize {
        self.paths.len() + self.tags.len()
    }

    /// Item `i`: a path, or a tag after every path.
    pub fn subject(&self, i: usize) -> Subject<'_> {
        match self.paths.get(i) {
            Some(p) => Subject::Path(p),
            None => Subject::Tag(&self.tags[i - self.paths.len()]),
        }
    }

    /// The headers of every request: the mode's own (a tag's route takes the endpoint's), then
    /// the given ones, each with what may be shown of it.
    fn headers(&self, subject: Subject<'_>) -> Vec<(HeaderName, HeaderValue, String)> {
        let mut out = Vec::new();
        let tag_route;
        let how = match (subject, &self.tag_endpoint) {
            (Subject::Tag(_), Some(e)) => {
                tag_route = How::Endpoint(e.clone());
                &tag_route
            }
            _ => &self.how,
        };
        match how {
            How::Nextjs {
                only_generated,
                preview_id,
                ..
            } => {
                let value = HeaderValue::from_str(preview_id.expose())
                    .expect("checked when the id was loaded");
                out.push((
                    HeaderName::from_static(PRERENDER_REVALIDATE),
                    value,
                    preview_id.to_string(),
                ));
                if *only_generated {
                    out.push((
                        HeaderName::from_static(PRERENDER_IF_GENERATED),
                        HeaderValue::from_static("1"),
                        "1".into(),
                    ));
                }
            }
            How::Endpoint(e) => {
                if e.has_body()
                    && !self
                        .headers
                        .iter()
                        .any(|h| h.name == http::header::CONTENT_TYPE)
                {
                    out.push((
                        http::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                        "application/json".into(),
                    ));
                }
            }
        }
        let own = match subject {
            Subject::Tag(_) => &self.tag_headers[..],
            Subject::Path(_) => &[],
        };
        for h in self.headers.iter().chain(own) {
            out.push((h.name.clone(), h.value.clone(), h.shown.clone()));
        }
        out
    }

    fn route_and_body(&self, subject: Subject<'_>) -> (String, Option<String>) {
        match (subject, &self.how, &self.tag_endpoint) {
            (Subject::Tag(_), _, Some(e)) | (Subject::Path(_), How::Endpoint(e), _) => {
                (e.route(subject), e.body(subject))
            }
            (Subject::Path(p), How::Nextjs { .. }, _) => (p.to_string(), None),
            (Subject::Tag(t), _, None) => {
                unreachable!("tag {t} without a tag route: refused by Plan::build")
            }
        }
    }

    /// The request of one cell, for the wire: the only place fanout requests are built.
    pub fn request(&self, subject: Subject<'_>) -> PodRequest {
        let (route, body) = self.route_and_body(subject);
        let mut req = PodRequest::new(
            Method::from_bytes(self.method_of(subject).as_bytes()).expect("known methods"),
            route,
        );
        for (n, v, _) in self.headers(subject) {
            req.headers.append(n, v);
        }
        req.body = body.map(Bytes::from);
        req
    }

    /// The request of one cell as --dry-run shows it: secrets redacted, credentials masked.
    pub fn view(
        &self,
        subject: Subject<'_>,
        target: &Target,
        transport: &Transport,
    ) -> RequestView {
        let (route, body) = self.route_and_body(subject);
        RequestView {
            path: match subject {
                Subject::Path(p) => p.to_string(),
                Subject::Tag(t) => format!("tag:{t}"),
            },
            pod: target.name.clone(),
            method: self.method_of(subject).to_string(),
            url: secret::mask_query(&secret::redact(&transport.url(target, &route))),
            headers: self
                .headers(subject)
                .into_iter()
                .map(|(n, _, shown)| (n.to_string(), shown))
                .collect(),
            body: body.map(|b| secret::redact(&b).into_owned()),
        }
    }
}

fn endpoint_method(e: &Endpoint) -> &'static str {
    match e.method {
        EndpointMethod::Get => "GET",
        EndpointMethod::Post => "POST",
    }
}

/// One path's (or tag's) cells, counted.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PathRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub ok: usize,
    pub failed: usize,
    pub outcomes: BTreeMap<Outcome, usize>,
}

impl PathRow {
    /// The path, or the tag as `tag:<tag>`.
    pub fn subject(&self) -> String {
        subject_name(self.path.as_deref(), self.tag.as_deref())
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "FanoutTotals")]
pub struct Totals {
    pub cells: usize,
    pub ok: usize,
    pub failed: usize,
    pub outcomes: BTreeMap<Outcome, usize>,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "FanoutReport")]
pub struct Report {
    pub duration_ms: f64,
    pub mode: Mode,
    pub method: String,
    pub allow_gone: bool,
    pub targets: Vec<Target>,
    /// One row a path, then one a tag, in input order.
    pub rows: Vec<PathRow>,
    /// Every cell in input order (JSON output), or only the failed ones (other outputs).
    pub cells: Vec<Cell>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    /// Set when the run stopped early (a signal or --deadline): the report is partial.
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Report {
    pub fn code(&self) -> crate::exit::Code {
        crate::exit::code_for(&crate::exit::Summary {
            failed_cells: self.totals.failed,
            stopped: self.stopped,
            ..Default::default()
        })
    }
}

/// What --dry-run reports: every request that would be sent.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "FanoutDryRun")]
pub struct DryRun {
    pub mode: Mode,
    pub method: String,
    pub targets: Vec<Target>,
    pub paths: Vec<UrlPath>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    pub requests: Vec<RequestView>,
    pub warnings: Vec<String>,
}

pub fn dry_run(plan: &Plan, transport: &Transport) -> DryRun {
    DryRun {
        mode: plan.mode(),
        method: plan.method().to_string(),
        targets: plan.targets.clone(),
        paths: plan.paths.clone(),
        tags: plan.tags.clone(),
        requests: (0..plan.items())
            .flat_map(|i| {
                plan.targets
                    .iter()
                    .map(move |t| plan.view(plan.subject(i), t, transport))
            })
            .collect(),
        warnings: plan.warnings.clone(),
    }
}

/// Largest endpoint response body read (only to check --expect-json and quote errors).
const MAX_ENDPOINT_BODY: usize = 1 << 20;

/// What one attempt saw.
struct Seen {
    outcome: Outcome,
    status: Option<u16>,
    cache: Option<String>,
    error: Option<String>,
}

impl Seen {
    fn unreachable(e: TransportError, status: Option<u16>) -> Seen {
        Seen {
            outcome: Outcome::Unreachable,
            status,
            cache: None,
            error: Some(e.to_string()),
        }
    }
}

async fn read(mut resp: PodResponse, how: &How) -> Result<Seen, TransportError> {
    let status = resp.status;
    let cache = resp.header(NEXTJS_CACHE);
    let location = resp.header("location");
    let (outcome, error) = match how {
        How::Nextjs { only_generated, .. } => {
            // Drain whatever body there is so the connection can be reused.
            while resp.chunk().await?.is_some() {}
            let (answer, error) = nextjs::classify(
                status,
                cache.as_deref(),
                location.as_deref(),
                *only_generated,
            );
            (Outcome::from(answer), error)
        }
        How::Endpoint(e) => {
            let body = resp.drain(MAX_ENDPOINT_BODY).await?;
            endpoint::classify(status, location.as_deref(), &body, e.expect_json.as_ref())
        }
    };
    Ok(Seen {
        outcome,
        status: Some(status),
        cache,
        error,
    })
}

/// The path and the tag fields of item `i`'s cells.
fn names(plan: &Plan, i: usize) -> (Option<String>, Option<String>) {
    match plan.subject(i) {
        Subject::Path(p) => (Some(p.to_string()), None),
        Subject::Tag(t) => (None, Some(t.to_string())),
    }
}

fn cancelled_cell(plan: &Plan, p: usize, t: usize, stop: Stop, attempts: u32) -> Cell {
    let (path, tag) = names(plan, p);
    Cell {
        path,
        tag,
        pod: plan.targets[t].name.clone(),
        outcome: Outcome::Cancelled,
        ok: false,
        status: None,
        cache: None,
        latency_ms: 0.0,
        attempts,
        error: Some(stop.describe().into()),
        path_index: p,
        target_index: t,
    }
}

async fn one_cell(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    p: usize,
    t: usize,
) -> Cell {
    let subject = plan.subject(p);
    let target = &plan.targets[t];
    // A tag's answer is the tag route's, judged as endpoint mode judges it.
    let tag_route = match (subject, &plan.tag_endpoint) {
        (Subject::Tag(_), Some(e)) => Some(How::Endpoint(e.clone())),
        _ => None,
    };
    let how = tag_route.as_ref().unwrap_or(&plan.how);
    let done = transport
        .call(
            ctx,
            target,
            || plan.request(subject),
            |resp| read(resp, how),
            |e| Seen::unreachable(e, None),
            |seen| seen.status.is_some_and(retryable_status),
        )
        .await;
    tracing::debug!(
        "{} {} on {} -> {} in {:.1} ms ({} attempt{})",
        plan.method_of(subject),
        match subject {
            Subject::Path(p) => p.to_string(),
            Subject::Tag(t) => format!("tag {t}"),
        },
        target.name,
        match &done.result {
            Ok(seen) => format!(
                "{} {}",
                seen.status
                    .map_or("no response".to_string(), |s| s.to_string()),
                seen.outcome.name()
            ),
            Err(stop) => stop.describe().to_string(),
        },
        crate::units::millis(done.latency),
        done.attempts,
        if done.attempts == 1 { "" } else { "s" }
    );
    match done.result {
        Err(stop) => cancelled_cell(plan, p, t, stop, done.attempts),
        Ok(seen) => Cell {
            path: names(plan, p).0,
            tag: names(plan, p).1,
            pod: target.name.clone(),
            ok: seen.outcome.is_ok(plan.allow_gone),
            outcome: seen.outcome,
            status: seen.status,
            cache: seen.cache,
            latency_ms: crate::units::millis(done.latency),
            attempts: done.attempts,
            error: seen.error,
            path_index: p,
            target_index: t,
        },
    }
}

/// Sends every request and returns the report. `on_cell` sees each cell as it completes (for
/// progress and NDJSON); it runs on the caller's task, never in a worker.
pub async fn run(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    retain: Retain,
    mut on_cell: impl FnMut(&Cell),
) -> Report {
    let started = Instant::now();
    let n_targets = plan.targets.len();
    // One lane per pod, each in path order.
    let items = plan.items();
    let lanes: Vec<Vec<(usize, usize)>> = (0..n_targets)
        .map(|t| (0..items).map(|p| (p, t)).collect())
        .collect();
    let shared = std::sync::Arc::new((plan.clone(), ctx.clone(), transport.clone()));
    let mut rx = ctx.run_lanes(lanes, move |(p, t): (usize, usize)| {
        let shared = shared.clone();
        async move {
            let (plan, ctx, transport) = &*shared;
            one_cell(ctx, transport, plan, p, t).await
        }
    });
    let mut rows: Vec<PathRow> = (0..items)
        .map(|i| names(plan, i))
        .map(|(path, tag)| PathRow {
            path,
            tag,
            ok: 0,
            failed: 0,
            outcomes: BTreeMap::new(),
        })
        .collect();
    let mut totals = Totals::default();
    let mut kept: Vec<Cell> = Vec::new();
    let mut seen = vec![false; items * n_targets];
    let count = |c: &Cell, rows: &mut Vec<PathRow>, totals: &mut Totals| {
        let row = &mut rows[c.path_index];
        *row.outcomes.entry(c.outcome).or_default() += 1;
        *totals.outcomes.entry(c.outcome).or_default() += 1;
        totals.cells += 1;
        if c.ok {
            row.ok += 1;
            totals.ok += 1;
        } else {
            row.failed += 1;
            totals.failed += 1;
        }
    };
    while let Some(cell) = rx.recv().await {
        on_cell(&cell);
        count(&cell, &mut rows, &mut totals);
        seen[cell.path_index * n_targets + cell.target_index] = true;
        if retain.keeps(cell.ok) {
            kept.push(cell);
        }
    }
    // A lane that never reported a cell (cannot happen unless a task panicked) is cancelled.
    for (i, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        let c = cancelled_cell(plan, i / n_targets, i % n_targets, Stop::Interrupted, 0);
        on_cell(&c);
        count(&c, &mut rows, &mut totals);
        if retain.keeps(c.ok) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| (c.path_index, c.target_index));
    let mut warnings = plan.warnings.clone();
    if n_targets > 0 {
        for row in &rows {
            if row.outcomes.get(&Outcome::NotGenerated) == Some(&n_targets) {
                warnings.push(format!(
                    "{}: not-generated on every pod: a typo, or a route that does not exist? (--only-generated skips pages no pod has generated)",
                    row.subject()
                ));
            }
        }
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        mode: plan.mode(),
        method: plan.method().to_string(),
        allow_gone: plan.allow_gone,
        targets: plan.targets.clone(),
        rows,
        cells: kept,
        totals,
        warnings,
        stopped: ctx.observed_stop(),
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_know_what_counts_as_done() {
        assert!(Outcome::Gone.is_ok(true) && !Outcome::Gone.is_ok(false));
        assert!(Outcome::NotGenerated.is_ok(false));
        assert!(!Outcome::Rejected.is_ok(true));
        assert!(
            Outcome::Rejected
                .hint(Mode::Nextjs)
                .unwrap()
                .contains("previewModeId")
        );
    }
}

impl Item for Cell {
    const EVENT: &'static str = "cell";
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            (STEP_START, g.subschema_for::<Start<'static>>()),
            ("cell", g.subschema_for::<Cell>()),
        ]
    }
    const KIND: &'static str = "fanout";
    const STEP: &'static str = "fanout";
    const LISTED: Option<&'static str> = Some("cells");
    fn code(&self) -> Code {
        Report::code(self)
    }
    fn stopped(&self) -> Option<Stop> {
        self.stopped
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::to_value(&self.totals).expect("totals serialize")
    }
    fn human(&self, style: &Style) -> String {
        human::fanout(self, style)
    }
    fn cases(&self) -> Vec<crate::report::ci::Case> {
        ci::cases(self)
    }
}

impl StepReport for DryRun {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![(RequestView::EVENT, g.subschema_for::<RequestView>())]
    }
    const KIND: &'static str = "fanout-dry-run";
    const STEP: &'static str = "fanout";
    fn code(&self) -> Code {
        Code::Success
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::json!({"requests": self.requests.len()})
    }
    fn human(&self, style: &Style) -> String {
        human::fanout_dry_run(self, style)
    }
    fn events(&self, events: &mut Events<'_>) {
        for r in &self.requests {
            events.emit(RequestView::EVENT, r);
        }
    }
}

/// What a fanout is about to do, for the `step-start` event.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "FanoutStart")]
pub struct Start<'a> {
    pub mode: Mode,
    pub method: Cow<'a, str>,
    pub targets: Cow<'a, [Target]>,
    pub paths: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tags: usize,
    pub cells: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Payload for Start<'static> {
    const EVENT: &'static str = STEP_START;
}

/// Runs fanout as a step of a command: its start, its cells as they complete, its report.
pub async fn step(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    reporter: &mut Reporter,
) -> Report {
    let cells = plan.items() * plan.targets.len();
    let start = Start {
        mode: plan.mode(),
        method: plan.method().into(),
        targets: Cow::Borrowed(&plan.targets),
        paths: plan.paths.len(),
        tags: plan.tags.len(),
        cells,
    };
    reporter.start::<Report>(
        &start,
        Work {
            len: cells,
            what: "revalidating",
        },
    );
    let retain = reporter.retain_for::<Report>();
    let n = plan.targets.len();
    let report = run(ctx, transport, plan, retain, |c| {
        reporter.item(&Listed(c, c.path_index * n + c.target_index))
    })
    .await;
    reporter.finish_step(&report);
    report
}
