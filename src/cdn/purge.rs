//! `cdn purge`: evicts paths from caches that take HTTP purges (Varnish, nginx or Squid with a
//! purge module, Fastly's URL purge) and from Cloudflare (purge by URL).
//!
//! An HTTP purge is `PURGE <path>` (the method configurable) sent to each `--purge-url`, through
//! the project's transport, with the same bounded concurrency, timeout and retries as fanout;
//! headers such as `Fastly-Key: ${FASTLY_KEY}` are expanded from the environment and redacted.
//! Outcome per (path, cache): 200 or 204 `purged`, 404 `not-cached` (nothing to evict: fine),
//! anything else a failure. Invariants: a result is `purged` only on the cache's own word;
//! results come out in input order (path, then cache) whatever the concurrency; nothing here
//! prints.

use std::collections::BTreeSet;
use std::time::Instant;

use http::Method;

use super::cloudflare::{self, Zone};
use super::{Failure, variants};
use crate::config::{CdnSettings, Poll};
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::{Code, Stop};
use crate::nextjs::{self, Variant};
use crate::paths::{self, UrlPath};
use crate::report::{Events, Item, Listed, Payload, Reporter, StepReport, Style, Work};

use crate::context::Retain;
use crate::targets::{self, Target};
use crate::transport::header::{self, Header};
use crate::transport::{PodRequest, RequestView, Transport, retryable_status};

/// What became of one (path, cache).
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
#[schemars(rename = "PurgeOutcome")]
pub enum Outcome {
    /// 200 or 204 (or Cloudflare's `success`): evicted.
    Purged,
    /// 404: the cache held nothing for it.
    NotCached,
    /// Any other status.
    HttpError,
    /// No answer after retries.
    Unreachable,
    /// Not sent: an earlier Cloudflare call failed for good.
    NotSent,
    /// Not finished before --deadline or a signal.
    Cancelled,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Purged => "purged",
            Outcome::NotCached => "not-cached",
            Outcome::HttpError => "http-error",
            Outcome::Unreachable => "unreachable",
            Outcome::NotSent => "not-sent",
            Outcome::Cancelled => "cancelled",
        }
    }

    pub fn is_ok(self) -> bool {
        matches!(self, Outcome::Purged | Outcome::NotCached)
    }

    pub fn hint(self) -> Option<&'static str> {
        match self {
            Outcome::HttpError => Some(
                "http-error: 401 or 403 usually mean a missing or wrong purge key (--purge-header 'Fastly-Key: ${FASTLY_KEY}'); 405 or 501 that the cache does not take this method (--purge-method)",
            ),
            Outcome::Unreachable => Some(
                "unreachable: connect error, timeout or reset after every retry; is the cache reachable from here?",
            ),
            Outcome::NotSent => {
                Some("not-sent: an earlier Cloudflare call failed; see the error above")
            }
            Outcome::Cancelled => {
                Some("cancelled: not finished before --deadline, Ctrl-C or SIGTERM")
            }
            _ => None,
        }
    }
}

/// How a cache is purged.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CacheKind {
    Http,
    Cloudflare,
}

/// A cache purged, as the report names it.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Cache {
    pub name: String,
    pub kind: CacheKind,
    /// The purge URL, or Cloudflare's purge endpoint.
    pub url: String,
}

/// One (path, cache).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PurgeResult {
    pub path: String,
    /// What of a page the path is: the page itself, or a variant a browser fetches of it.
    #[serde(default)]
    pub variant: Variant,
    pub cache: String,
    /// What was purged: the request URL, or the URL Cloudflare was given.
    pub url: String,
    pub outcome: Outcome,
    pub ok: bool,
    pub status: Option<u16>,
    pub attempts: u32,
    pub latency_ms: f64,
    pub error: Option<String>,
    #[serde(skip)]
    pub path_index: usize,
    #[serde(skip)]
    pub cache_index: usize,
}

/// Everything a purge will send, checked before anything is.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Each page, then the variants of it to clear (a BAN covers a page's variants in one).
    pub paths: Vec<UrlPath>,
    /// What of its page each path is (parallel to `paths`).
    pub variants: Vec<Variant>,
    /// With a BAN, the URL regular expression each request carries (parallel to `paths`).
    pub bans: Vec<Option<String>>,
    pub http: Vec<Target>,
    pub method: Method,
    pub headers: Vec<Header>,
    pub cloudflare: Option<Zone>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Resolves caches, headers and the Cloudflare token; adds each page's variants: its data
    /// URLs, and for an App Router page its RSC and prefetch URLs (purged with the router headers
    /// a cache that hashes them keys them on); with `--purge-method BAN`, one request a page
    /// whose `X-Ban-Url` regular expression covers the page and its variants instead.
    pub fn build(
        s: &CdnSettings,
        pages: Vec<UrlPath>,
        found: &variants::Found,
        env_token: Option<String>,
    ) -> Result<Plan, Error> {
        let mut http = Vec::new();
        let mut bad = Vec::new();
        for (i, spec) in s.purge_urls.iter().enumerate() {
            match targets::parse_spec(spec) {
                Ok(t) if http.iter().any(|h: &Target| h.name == t.name) => bad.push(format!(
                    "--purge-url #{}: the name {:?} is already used",
                    i + 1,
                    t.name
                )),
                Ok(t) => http.push(t),
                Err(why) => bad.push(format!(
                    "--purge-url #{} {:?}: {}",
                    i + 1,
                    crate::secret::mask_userinfo(spec),
                    why.replace("pod", "cache")
                )),
            }
        }
        if !bad.is_empty() {
            return Err(Error::usage(format!(
                "{} bad purge URL{}; nothing was sent:\n  {}",
                bad.len(),
                if bad.len() == 1 { "" } else { "s" },
                bad.join("\n  ")
            )));
        }
        let cloudflare = match &s.cloudflare {
            Some(c) => Some(Zone::build(c, s.site_url.as_deref(), env_token)?),
            None => None,
        };
        if http.is_empty() && cloudflare.is_none() {
            return Err(Error::usage(
                "nothing to purge: give --purge-url URL (a cache that takes HTTP purges, repeatable) or --cloudflare-zone ID (or cdn.purge_urls, cdn.cloudflare_zone in the config)",
            ));
        }
        let ban = s.purge_method.eq_ignore_ascii_case("BAN") && cloudflare.is_none();
        let mut paths = Vec::new();
        let mut kinds = Vec::new();
        let mut bans = Vec::new();
        let mut seen: BTreeSet<UrlPath> = BTreeSet::new();
        let mut push = |p: UrlPath, v: Variant, b: Option<String>| {
            if seen.insert(p.clone()) {
                paths.push(p);
                kinds.push(v);
                bans.push(b);
            }
        };
        for (i, page) in pages.iter().enumerate() {
            if ban {
                push(
                    page.clone(),
                    Variant::Html,
                    Some(variants::ban_regex(s, page)),
                );
                continue;
            }
            push(page.clone(), Variant::Html, None);
            let Some(v) = found.pages.get(i) else {
                continue;
            };
            for d in &v.data {
                let d = UrlPath::parse(d, paths::Purpose::Cdn)
                    .map_err(|why| Error::usage(format!("the data URL {d:?} of {page} {why}")))?;
                push(d, Variant::Data, None);
            }
            if v.app {
                for variant in [Variant::Rsc, Variant::Prefetch] {
                    if !variants::wanted(s, variant) {
                        continue;
                    }
                    let url =
                        nextjs::with_rsc_query(page.as_str(), &nextjs::rsc_cache_busting(variant));
                    let url = UrlPath::parse(&url, paths::Purpose::Cdn).map_err(|why| {
                        Error::usage(format!("the {} URL {url:?} {why}", variant.name()))
                    })?;
                    push(url, variant, None);
                }
            }
        }
        if cloudflare.is_some() {
            let wild: Vec<&str> = paths
                .iter()
                .filter(|p| p.is_wildcard())
                .map(UrlPath::as_str)
                .collect();
            if !wild.is_empty() {
                return Err(Error::usage(format!(
                    "Cloudflare purges by URL and takes no wildcard: {}; list the paths (a wildcard is fine for --purge-url caches that take one)",
                    wild.join(", ")
                )));
            }
        }
        let method = Method::from_bytes(s.purge_method.as_bytes())
            .map_err(|_| Error::usage(format!("{:?} is not an HTTP method", s.purge_method)))?;
        let mut warnings = found.warnings.clone();
        let headers = header::parse_all(&s.purge_headers, &mut warnings)?;
        Ok(Plan {
            paths,
            variants: kinds,
            bans,
            http,
            method,
            headers,
            cloudflare,
            warnings,
        })
    }

    /// Every cache, HTTP ones first, in the order given.
    pub fn caches(&self) -> Vec<Cache> {
        let mut out: Vec<Cache> = self
            .http
            .iter()
            .map(|t| Cache {
                name: t.name.clone(),
                kind: CacheKind::Http,
                url: t.location().to_string(),
            })
            .collect();
        if let Some(z) = &self.cloudflare {
            out.push(Cache {
                name: "cloudflare".into(),
                kind: CacheKind::Cloudflare,
                url: z.endpoint(),
            });
        }
        out
    }

    /// The request of one (path, HTTP cache): the only place purge requests are built. A
    /// variant carries its router headers (a cache that hashes them keys the variant on them),
    /// a BAN its URL regular expression.
    fn request(&self, p: usize) -> PodRequest {
        let mut req = PodRequest::new(self.method.clone(), self.paths[p].as_str());
        for (name, value) in self.variants[p].headers() {
            req.headers.insert(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_static(value),
            );
        }
        if let Some(re) = &self.bans[p]
            && let Ok(v) = http::HeaderValue::from_str(re)
        {
            req.headers
                .insert(http::HeaderName::from_static(BAN_HEADER), v);
        }
        for h in &self.headers {
            req.headers.append(h.name.clone(), h.value.clone());
        }
        req
    }

    fn shown_headers(&self, p: usize) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self.variants[p]
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        if let Some(re) = &self.bans[p] {
            out.push((BAN_HEADER.into(), re.clone()));
        }
        out.extend(
            self.headers
                .iter()
                .map(|h| (h.name.to_string(), h.shown.clone())),
        );
        out
    }
}

/// One path's results, counted.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Row {
    pub path: String,
    /// What of a page the path is.
    #[serde(default)]
    pub variant: Variant,
    pub purged: usize,
    pub not_cached: usize,
    pub failed: usize,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "PurgeTotals")]
pub struct Totals {
    pub results: usize,
    pub purged: usize,
    pub not_cached: usize,
    pub failed: usize,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "PurgeReport")]
pub struct Report {
    pub duration_ms: f64,
    pub method: String,
    pub caches: Vec<Cache>,
    /// One row a path, in input order.
    pub rows: Vec<Row>,
    /// Every (path, cache) in input order (JSON output), or only the failed ones (other
    /// outputs).
    pub results: Vec<PurgeResult>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub failure: Option<Failure>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Report {
    pub fn code(&self) -> crate::exit::Code {
        Failure::step_code(self.failure.as_ref(), self.totals.failed, self.stopped)
    }

    /// Nothing was purged or even answered: the failure is all there is to say.
    pub fn nothing_done(&self) -> bool {
        self.totals.purged == 0 && self.totals.not_cached == 0
    }
}

/// What --dry-run reports: every request that would be sent.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "PurgeDryRun")]
pub struct DryRun {
    pub method: String,
    pub caches: Vec<Cache>,
    pub paths: Vec<UrlPath>,
    pub requests: Vec<RequestView>,
    pub warnings: Vec<String>,
}

pub fn dry_run(plan: &Plan, transport: &Transport) -> DryRun {
    let mut requests = Vec::new();
    for (i, p) in plan.paths.iter().enumerate() {
        for t in &plan.http {
            requests.push(RequestView {
                path: p.to_string(),
                pod: t.name.clone(),
                method: plan.method.to_string(),
                url: crate::secret::mask_query(&transport.url(t, p.as_str())),
                headers: plan.shown_headers(i),
                body: None,
            });
        }
    }
    if let Some(z) = &plan.cloudflare {
        for chunk in plan.paths.chunks(z.batch_size) {
            let files: Vec<String> = chunk.iter().map(|p| z.url(p.as_str())).collect();
            requests.push(RequestView {
                path: chunk[0].to_string(),
                pod: "cloudflare".into(),
                method: "POST".into(),
                url: z.endpoint(),
                headers: vec![
                    ("authorization".into(), format!("Bearer {}", z.token)),
                    ("content-type".into(), "application/json".into()),
                ],
                body: Some(serde_json::json!({ "files": files }).to_string()),
            });
        }
    }
    DryRun {
        method: plan.method.to_string(),
        caches: plan.caches(),
        paths: plan.paths.clone(),
        requests,
        warnings: plan.warnings.clone(),
    }
}

/// The header of a BAN carrying the URL regular expression to evict (as the committed Varnish
/// configuration of the end-to-end tier reads it).
pub const BAN_HEADER: &str = "x-ban-url";

/// Largest purge answer read (only to quote it in errors).
const MAX_ANSWER: usize = 64 << 10;

fn cancelled(
    plan: &Plan,
    p: usize,
    c: usize,
    url: String,
    stop: Stop,
    attempts: u32,
) -> PurgeResult {
    PurgeResult {
        path: plan.paths[p].to_string(),
        variant: plan.variants[p],
        cache: plan.caches()[c].name.clone(),
        url,
        outcome: Outcome::Cancelled,
        ok: false,
        status: None,
        attempts,
        latency_ms: 0.0,
        error: Some(stop.describe().into()),
        path_index: p,
        cache_index: c,
    }
}

async fn one_http(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    p: usize,
    c: usize,
) -> PurgeResult {
    let path = &plan.paths[p];
    let target = &plan.http[c];
    let url = crate::secret::mask_query(&transport.url(target, path.as_str()));
    let done = transport
        .call(
            ctx,
            target,
            || plan.request(p),
            |resp| async move {
                let status = resp.status;
                let body = resp.drain(MAX_ANSWER).await?;
                Ok((Some(status), body, None))
            },
            |e| (None, Vec::new(), Some(e.to_string())),
            |(status, _, _)| status.is_some_and(retryable_status),
        )
        .await;
    let (status, body, error) = match done.result {
        Err(stop) => return cancelled(plan, p, c, url, stop, done.attempts),
        Ok(r) => r,
    };
    let outcome = match status {
        None => Outcome::Unreachable,
        Some(200 | 204) => Outcome::Purged,
        Some(404) => Outcome::NotCached,
        Some(_) => Outcome::HttpError,
    };
    let error = error.or_else(|| {
        (outcome == Outcome::HttpError).then(|| {
            let said = crate::secret::snippet(&String::from_utf8_lossy(&body), 200);
            format!(
                "{} answered {}{}",
                plan.method,
                status.unwrap_or_default(),
                if said.is_empty() {
                    String::new()
                } else {
                    format!(": {said}")
                }
            )
        })
    });
    PurgeResult {
        path: path.to_string(),
        variant: plan.variants[p],
        cache: target.name.clone(),
        url,
        ok: outcome.is_ok(),
        outcome,
        status,
        attempts: done.attempts,
        latency_ms: crate::units::millis(done.latency),
        error,
        path_index: p,
        cache_index: c,
    }
}

/// How a purge runs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How long Cloudflare's 429s may hold the step.
    pub wait_timeout: std::time::Duration,
    pub poll: Poll,
    /// What the report keeps of the results.
    pub retain: Retain,
}

/// Purges every path from every cache and returns the report. `on` sees each result as it
/// completes (for progress and NDJSON), on the caller's task.
pub async fn run(
    ctx: &RunContext,
    transport: &Transport,
    client: &reqwest::Client,
    plan: &Plan,
    opts: Options,
    mut on: impl FnMut(&PurgeResult),
) -> Report {
    let Options {
        wait_timeout,
        poll,
        retain,
    } = opts;
    let started = Instant::now();
    let until = tokio::time::Instant::now() + wait_timeout;
    let caches = plan.caches();
    let mut all: Vec<PurgeResult> = Vec::new();
    let n_http = plan.http.len();
    let lanes: Vec<Vec<(usize, usize)>> = (0..n_http)
        .map(|c| (0..plan.paths.len()).map(|p| (p, c)).collect())
        .collect();
    let shared = std::sync::Arc::new((plan.clone(), ctx.clone(), transport.clone()));
    let mut rx = ctx.run_lanes(lanes, move |(p, c): (usize, usize)| {
        let shared = shared.clone();
        async move {
            let (plan, ctx, transport) = &*shared;
            one_http(ctx, transport, plan, p, c).await
        }
    });
    let mut seen = vec![false; plan.paths.len() * n_http];
    while let Some(r) = rx.recv().await {
        on(&r);
        seen[r.path_index * n_http + r.cache_index] = true;
        all.push(r);
    }
    // A lane that never reported (a task that panicked) is cancelled, not silently purged.
    for (i, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        let (p, c) = (i / n_http, i % n_http);
        let url = transport.url(&plan.http[c], plan.paths[p].as_str());
        all.push(cancelled(plan, p, c, url, Stop::Interrupted, 0));
    }
    let mut failure = None;
    if let Some(zone) = &plan.cloudflare {
        let c = n_http;
        let urls: Vec<String> = plan.paths.iter().map(|p| zone.url(p.as_str())).collect();
        failure = cloudflare::purge(ctx, client, zone, &urls, until, poll, |range, call| {
            for p in range {
                let outcome = if call.purged {
                    Outcome::Purged
                } else if call.skipped == Some(cloudflare::Skipped::EarlierFailure) {
                    Outcome::NotSent
                } else if call.skipped == Some(cloudflare::Skipped::Stopped) || call.stopped {
                    Outcome::Cancelled
                } else if call.status.is_none() {
                    Outcome::Unreachable
                } else {
                    Outcome::HttpError
                };
                let r = PurgeResult {
                    path: plan.paths[p].to_string(),
                    variant: plan.variants[p],
                    cache: caches[c].name.clone(),
                    url: urls[p].clone(),
                    ok: outcome.is_ok(),
                    outcome,
                    status: call.status,
                    attempts: call.attempts,
                    latency_ms: crate::units::millis(call.latency),
                    error: call.error.clone(),
                    path_index: p,
                    cache_index: c,
                };
                on(&r);
                all.push(r);
            }
        })
        .await;
    }
    all.sort_by_key(|r| (r.path_index, r.cache_index));
    let mut rows: Vec<Row> = plan
        .paths
        .iter()
        .zip(&plan.variants)
        .map(|(p, v)| Row {
            path: p.to_string(),
            variant: *v,
            ..Row::default()
        })
        .collect();
    let mut totals = Totals::default();
    for r in &all {
        let row = &mut rows[r.path_index];
        totals.results += 1;
        match r.outcome {
            Outcome::Purged => {
                row.purged += 1;
                totals.purged += 1;
            }
            Outcome::NotCached => {
                row.not_cached += 1;
                totals.not_cached += 1;
            }
            _ => {
                row.failed += 1;
                totals.failed += 1;
            }
        }
    }
    if retain != Retain::All {
        all.retain(|r| retain.keeps(r.ok));
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        method: plan.method.to_string(),
        caches,
        rows,
        results: all,
        totals,
        warnings: plan.warnings.clone(),
        failure,
        stopped: ctx.observed_stop(),
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

impl Item for PurgeResult {
    const EVENT: &'static str = "purge";
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            ("purge", g.subschema_for::<PurgeResult>()),
        ]
    }
    const KIND: &'static str = "cdn-purge";
    const STEP: &'static str = "cdn-purge";
    const LISTED: Option<&'static str> = Some("results");
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
        super::human::cdn_purge(self, style)
    }
}

impl StepReport for DryRun {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![(RequestView::EVENT, g.subschema_for::<RequestView>())]
    }
    const KIND: &'static str = "cdn-purge-dry-run";
    const STEP: &'static str = "cdn-purge";
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
        super::human::cdn_purge_dry_run(self, style)
    }
    fn events(&self, events: &mut Events<'_>) {
        for r in &self.requests {
            events.emit(RequestView::EVENT, r);
        }
    }
}

/// What a purge is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "PurgeStart")]
struct Start<'a> {
    caches: &'a [Cache],
    paths: usize,
    requests: usize,
}

/// Runs `cdn purge` as a step of a command. A Cloudflare failure when nothing was purged or
/// answered is the command's error.
pub async fn step(
    ctx: &RunContext,
    transport: &Transport,
    client: &reqwest::Client,
    plan: &Plan,
    wait_timeout: std::time::Duration,
    poll: Poll,
    reporter: &mut Reporter,
) -> Result<Report, Error> {
    let caches = plan.caches();
    let calls = plan
        .cloudflare
        .as_ref()
        .map_or(0, |z| plan.paths.len().div_ceil(z.batch_size));
    let requests = plan.paths.len() * plan.http.len() + calls;
    let start = Start {
        caches: &caches,
        paths: plan.paths.len(),
        requests,
    };
    reporter.start::<Report>(
        &start,
        Work {
            len: requests,
            what: "purging",
        },
    );
    let opts = Options {
        wait_timeout,
        poll,
        retain: reporter.retain_for::<Report>(),
    };
    let n = caches.len();
    let report = run(ctx, transport, client, plan, opts, |r| {
        reporter.item(&Listed(r, r.path_index * n + r.cache_index))
    })
    .await;
    if let Some(f) = &report.failure
        && report.nothing_done()
    {
        return Err(f.to_error());
    }
    reporter.finish_step(&report);
    Ok(report)
}
