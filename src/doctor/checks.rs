//! The checks themselves: each part of the setup that is configured is asked, all at once, and
//! every answer (or silence) becomes a [`Check`]. Nothing here prints; nothing here fails the
//! command: a part that cannot be checked is a FAIL line saying why.

use std::collections::BTreeMap;
use std::time::Duration;

use http::Method;

use super::{Check, Kind, Part, Status};
use crate::config::{Config, KubernetesSettings, PodSource};
use crate::context::{Limits, RunContext};
use crate::error::Error;
use crate::exit::Code;
use crate::fanout::{self, How};
use crate::nextjs::{self, Answer};
use crate::paths::UrlPath;
use crate::targets::kubernetes::access::{self, Need};
use crate::targets::kubernetes::Cluster;
use crate::targets::Target;
use crate::transport::{PodRequest, Transport};

/// The longest any one check waits for an answer: a dead part costs this, once.
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(1500);
/// The most of a page read to find its build id.
const MAX_PAGE: usize = 4 << 20;

/// What doctor checks: the configuration as loaded (an error is a line of the report, not the
/// end of the command) and the page the pods are asked for.
pub struct Inputs {
    pub config: Result<Config, Error>,
    pub path: UrlPath,
}

/// The kind of a FAIL caused by `e`: configuration (2), service (5), else the fleet's (3).
fn kind_of(e: &Error) -> Kind {
    match e.exit_code() {
        Code::Usage => Kind::Config,
        Code::ServiceUnavailable => Kind::Service,
        _ => Kind::Fleet,
    }
}

/// A check that failed with an error, with the error's hint.
fn failed(part: Part, name: &str, e: &Error) -> Check {
    let c = Check::fail(part, name, kind_of(e), e.to_string());
    match e.hint() {
        Some(h) => c.hint(h),
        None => c,
    }
}

fn config_failed(name: &str, e: impl std::fmt::Display) -> Check {
    Check::fail(Part::Config, name, Kind::Config, e.to_string())
        .hint("fix the value named (`revalidate config` shows every value and where it came from)")
}

/// Runs every check of the configured parts, at once.
pub async fn check_all(inputs: Inputs) -> Vec<Check> {
    let config = match inputs.config {
        Ok(c) => c,
        Err(e) => return vec![failed(Part::Config, "load", &e)],
    };
    let mut checks = vec![Check::ok(
        Part::Config,
        "load",
        Kind::Config,
        format!(
            "{}; profile {}",
            config.file.as_ref().map_or("no config file (flags, env and defaults)".to_string(), |f| {
                format!("{} parsed", f.display())
            }),
            config.profile.as_deref().unwrap_or("none")
        ),
    )];
    let limits = match config.limits() {
        Ok(l) => Limits {
            timeout: l.timeout.min(CHECK_TIMEOUT),
            retries: 0,
            ..l
        },
        Err(e) => {
            checks.push(config_failed("limits", e));
            return checks;
        }
    };
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();

    // Each part's settings: a bad one is a config line, and that part is not checked.
    let mut settings_ok = true;
    let mut read = |name: &str, r: Result<(), String>| {
        if let Err(e) = r {
            settings_ok = false;
            checks.push(config_failed(name, e));
        }
    };
    let source = config.pod_source();
    read("pods", source.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let kubernetes = config.kubernetes();
    read(
        "kubernetes",
        kubernetes.as_ref().map(|_| ()).map_err(|e| e.to_string()),
    );
    let plan = config
        .fanout()
        .map_err(|e| e.to_string())
        .and_then(|s| {
            fanout::Plan::build(&s, vec![inputs.path.clone()], Vec::new()).map_err(|e| e.to_string())
        });
    read(
        "revalidation",
        plan.as_ref().map(|_| ()).map_err(Clone::clone),
    );
    let run = config.run();
    read("run", run.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let cdn = config.cdn();
    read("cdn", cdn.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let redis_configured = run.as_ref().is_ok_and(|r| r.redis_configured);
    let redis = if redis_configured {
        let built = config.redis().map_err(Error::from).and_then(|s| {
            crate::redis::Redis::build(&s, &|name| std::env::var(name).ok()).map_err(Error::from)
        });
        let channel = config.watch_channel().map_err(Error::from);
        match (built, channel) {
            (Ok(r), Ok(c)) => Some((r, c)),
            (Err(e), _) | (_, Err(e)) => {
                checks.push(failed(Part::Config, "redis", &e));
                None
            }
        }
    } else {
        None
    };
    let expect_subscribers = config.publish().ok().and_then(|p| p.expect_subscribers);
    if settings_ok {
        checks[0].summary.push_str("; every setting is valid");
    }

    let fleet = async {
        match (&source, &kubernetes) {
            (Ok(source), Ok(k8s)) => fleet(&ctx, source, k8s, &limits, plan.as_ref().ok(), &inputs.path).await,
            _ => (Vec::new(), None),
        }
    };
    let rbac = async {
        match (&source, &kubernetes) {
            (Ok(source), Ok(k8s)) => rbac(source, k8s, &limits).await,
            _ => Vec::new(),
        }
    };
    let redis_probe = async {
        match &redis {
            Some((r, channel)) => Some(redis_probe(r, channel).await),
            None => None,
        }
    };
    let cloudfront = async {
        match &cdn {
            Ok(s) if s.distribution.is_some() => cloudfront(&config, s, &limits).await,
            _ => Vec::new(),
        }
    };
    let cloudflare = async {
        match &cdn {
            Ok(s) if s.cloudflare.is_some() => cloudflare(s, &limits).await,
            _ => Vec::new(),
        }
    };
    let ((fleet_checks, pods), rbac_checks, probe, cf_checks, cl_checks) =
        tokio::join!(fleet, rbac, redis_probe, cloudfront, cloudflare);
    checks.extend(rbac_checks);
    checks.extend(fleet_checks);
    if let (Some(probe), Some((r, channel))) = (probe, &redis) {
        checks.extend(redis_checks(probe, r, channel, pods.as_deref(), expect_subscribers));
    }
    checks.extend(cf_checks);
    checks.extend(cl_checks);
    checks
}

// ---- the fleet: pods, build, revalidation, cache headers ----

/// What one pod answered.
struct Probe {
    pod: String,
    /// The page: status, Cache-Control, Vary, build id, App Router or not; or why none.
    page: Result<Page, String>,
    /// The revalidation request: its answer, or why none.
    revalidation: Option<Result<(Answer, u16, Option<String>), String>>,
    /// Endpoint mode: ok, and what was wrong.
    endpoint: Option<Result<(bool, Option<String>), String>>,
}

struct Page {
    status: u16,
    cache_control: Option<String>,
    vary: Option<String>,
    build_id: Option<String>,
    app_router: bool,
    ms: f64,
}

async fn fleet(
    ctx: &RunContext,
    source: &PodSource,
    k8s: &KubernetesSettings,
    limits: &Limits,
    plan: Option<&fanout::Plan>,
    path: &UrlPath,
) -> (Vec<Check>, Option<Vec<String>>) {
    let mut checks = Vec::new();
    let pods = match crate::discover::find(ctx, source, k8s, limits, false).await {
        Ok(p) => p,
        Err(e) => {
            checks.push(failed(Part::Pods, "discovery", &e));
            return (checks, None);
        }
    };
    let targets = pods.targets();
    let found = match &pods {
        crate::discover::Pods::Listed { .. } => format!("{} pods listed", targets.len()),
        crate::discover::Pods::Discovered(d) => {
            let via = d
                .report
                .transport
                .as_ref()
                .map_or(String::new(), |t| format!(", reached by {}", t.kind.name()));
            format!(
                "{} pods found ({}{via}){}",
                targets.len(),
                d.report.source.describe(),
                if d.report.skipped.is_empty() {
                    String::new()
                } else {
                    format!("; {} not ready, skipped", d.report.skipped.len())
                }
            )
        }
    };
    if targets.is_empty() {
        checks.push(
            Check::fail(Part::Pods, "discovery", Kind::Fleet, format!("no pod to call: {found}"))
                .hint("`revalidate pods` shows what was found and why each endpoint was skipped"),
        );
        return (checks, Some(Vec::new()));
    }
    checks.push(Check::ok(Part::Pods, "discovery", Kind::Fleet, found));
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let transport = match Transport::new(limits, targets.len()) {
        Ok(t) => pods.transport(t, limits),
        Err(e) => {
            checks.push(failed(Part::Pods, "reachable", &e));
            return (checks, Some(names));
        }
    };
    let probes = futures_util::future::join_all(
        targets
            .iter()
            .map(|t| probe(ctx, &transport, t, plan, path)),
    )
    .await;
    checks.push(reachable(&probes, path));
    checks.push(builds(&probes));
    if let Some(plan) = plan {
        checks.push(revalidation(&probes, plan, path));
    }
    checks.extend(cache_headers(&probes));
    (checks, Some(names))
}

/// The page from one pod, then its revalidation (a HEAD that regenerates only a page the pod
/// already generated), one after the other, without retries.
async fn probe(
    ctx: &RunContext,
    transport: &Transport,
    target: &Target,
    plan: Option<&fanout::Plan>,
    path: &UrlPath,
) -> Probe {
    let started = std::time::Instant::now();
    let route = path.to_string();
    let done = transport
        .call(
            ctx,
            target,
            || PodRequest::new(Method::GET, route.clone()),
            |resp| async move {
                let status = resp.status;
                let cache_control = resp.header("cache-control");
                let vary = resp.header("vary");
                let body = resp.drain(MAX_PAGE).await?;
                let re = regex::bytes::Regex::new(nextjs::BUILD_ID).expect("a valid pattern");
                let app_router = body
                    .windows(nextjs::APP_MARKER.len())
                    .any(|w| w == nextjs::APP_MARKER.as_bytes());
                Ok(Ok(Page {
                    status,
                    cache_control,
                    vary,
                    build_id: nextjs::find_build_id(&re, &body),
                    app_router,
                    ms: 0.0,
                }))
            },
            |e| Err(e.to_string()),
            |_| false,
        )
        .await;
    let page = match done.result {
        Ok(Ok(mut p)) => {
            p.ms = crate::units::millis(started.elapsed());
            Ok(p)
        }
        Ok(Err(e)) => Err(e),
        Err(stop) => Err(stop.describe().to_string()),
    };
    let mut probe = Probe {
        pod: target.name.clone(),
        page,
        revalidation: None,
        endpoint: None,
    };
    let Some(plan) = plan else {
        return probe;
    };
    if probe.page.is_err() {
        return probe;
    }
    match &plan.how {
        How::Nextjs { .. } => {
            let mut req = plan.request(path);
            req.method = Method::HEAD;
            req.headers.insert(
                http::HeaderName::from_static(nextjs::PRERENDER_IF_GENERATED),
                http::HeaderValue::from_static("1"),
            );
            let done = transport
                .call(
                    ctx,
                    target,
                    || req.clone(),
                    |mut resp| async move {
                        while resp.chunk().await?.is_some() {}
                        let cache = resp.header(nextjs::NEXTJS_CACHE);
                        let (answer, _) = nextjs::classify(
                            resp.status,
                            cache.as_deref(),
                            resp.header("location").as_deref(),
                            true,
                        );
                        Ok(Ok((answer, resp.status, cache)))
                    },
                    |e| Err(e.to_string()),
                    |_| false,
                )
                .await;
            probe.revalidation = Some(match done.result {
                Ok(r) => r,
                Err(stop) => Err(stop.describe().to_string()),
            });
        }
        How::Endpoint(e) => {
            let expect = e.expect_json.clone();
            let done = transport
                .call(
                    ctx,
                    target,
                    || plan.request(path),
                    |resp| {
                        let expect = expect.clone();
                        async move {
                            let status = resp.status;
                            let location = resp.header("location");
                            let body = resp.drain(64 << 10).await?;
                            let (outcome, error) = fanout::endpoint::classify(
                                status,
                                location.as_deref(),
                                &body,
                                expect.as_ref(),
                            );
                            Ok(Ok((outcome.is_ok(false), error)))
                        }
                    },
                    |e| Err(e.to_string()),
                    |_| false,
                )
                .await;
            probe.endpoint = Some(match done.result {
                Ok(r) => r,
                Err(stop) => Err(stop.describe().to_string()),
            });
        }
    }
    probe
}

/// "pod-1, pod-2" (at most eight, then how many more).
fn named(pods: &[String]) -> String {
    let mut s = pods.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if pods.len() > 8 {
        s.push_str(&format!(" and {} more", pods.len() - 8));
    }
    s
}

fn reachable(probes: &[Probe], path: &UrlPath) -> Check {
    let mut down: Vec<(String, String)> = Vec::new();
    let mut statuses: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    let mut slowest: f64 = 0.0;
    for p in probes {
        match &p.page {
            Ok(page) => {
                statuses.entry(page.status).or_default().push(p.pod.clone());
                slowest = slowest.max(page.ms);
            }
            Err(e) => down.push((p.pod.clone(), e.clone())),
        }
    }
    if !down.is_empty() {
        let pods: Vec<String> = down.iter().map(|(p, _)| p.clone()).collect();
        let first = &down[0];
        return Check::fail(
            Part::Pods,
            "reachable",
            Kind::Fleet,
            format!(
                "{} of {} pods did not answer GET {path}: {} ({})",
                down.len(),
                probes.len(),
                named(&pods),
                first.1
            ),
        )
        .hint("a pod that cannot be reached cannot be revalidated: is it running, and is its address or the transport (--transport) right?")
        .pods(pods);
    }
    let bad: Vec<String> = statuses
        .iter()
        .filter(|(s, _)| **s != 200)
        .flat_map(|(s, pods)| pods.iter().map(move |p| format!("{p} ({s})")))
        .collect();
    if !bad.is_empty() {
        let pods = statuses
            .iter()
            .filter(|(s, _)| **s != 200)
            .flat_map(|(_, p)| p.clone())
            .collect();
        return Check::fail(
            Part::Pods,
            "reachable",
            Kind::Fleet,
            format!("GET {path} is not 200 on {}", named(&bad)),
        )
        .hint("check the page on a page every pod serves: --path /a/page (a 404 means no such page)")
        .pods(pods);
    }
    Check::ok(
        Part::Pods,
        "reachable",
        Kind::Fleet,
        format!(
            "{} of {} pods answered GET {path}: 200 (slowest {slowest:.0} ms)",
            probes.len(),
            probes.len()
        ),
    )
}

fn builds(probes: &[Probe]) -> Check {
    let mut by_build: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for p in probes {
        if let Ok(page) = &p.page {
            match &page.build_id {
                Some(b) => by_build.entry(b.as_str()).or_default().push(p.pod.clone()),
                None => unknown.push(p.pod.clone()),
            }
        }
    }
    if by_build.is_empty() {
        return Check::warn(
            Part::Build,
            "build id",
            Kind::Fleet,
            "no build id found in the page: is it a Next.js page?".into(),
        )
        .hint("check with --path a page Next.js renders (its HTML carries the build id)");
    }
    // The majority is the reference; a tie goes to the build named first.
    let (reference, majority) = by_build
        .iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))
        .map(|(b, p)| (*b, p.len()))
        .expect("not empty");
    let odd: Vec<(String, &str)> = by_build
        .iter()
        .filter(|(b, _)| **b != reference)
        .flat_map(|(b, pods)| pods.iter().map(move |p| (p.clone(), *b)))
        .collect();
    if odd.is_empty() {
        let mut c = Check::ok(
            Part::Build,
            "build id",
            Kind::Fleet,
            format!("every pod runs build {reference}"),
        );
        if !unknown.is_empty() {
            c.summary = format!(
                "{majority} pods run build {reference}; no build id in the page of {}",
                named(&unknown)
            );
        }
        return c;
    }
    let list = odd
        .iter()
        .map(|(p, b)| format!("{p} runs {b}"))
        .collect::<Vec<_>>()
        .join(", ");
    Check::fail(
        Part::Build,
        "build id",
        Kind::Fleet,
        format!(
            "{list}; {majority} of {} pods run {reference} (the majority)",
            probes.len()
        ),
    )
    .hint("a rollout in progress, or pods left on an old build: pods of two builds serve two different sites, and one previewModeId cannot revalidate both (kubectl rollout status)")
    .pods(odd.into_iter().map(|(p, _)| p).collect())
}

fn revalidation(probes: &[Probe], plan: &fanout::Plan, path: &UrlPath) -> Check {
    match plan.how {
        How::Nextjs { .. } => preview_id(probes, path),
        How::Endpoint(_) => endpoint(probes, path),
    }
}

fn preview_id(probes: &[Probe], path: &UrlPath) -> Check {
    let name = "preview id";
    let mut rejected = Vec::new();
    let mut not_generated = Vec::new();
    let mut other: Vec<(String, String)> = Vec::new();
    let mut asked = 0;
    for p in probes {
        match &p.revalidation {
            None => {}
            Some(Ok((Answer::Revalidated, ..))) => asked += 1,
            Some(Ok((Answer::Rejected, _, cache))) => {
                asked += 1;
                rejected.push(format!(
                    "{} ({})",
                    p.pod,
                    cache.as_deref().unwrap_or("no x-nextjs-cache")
                ));
            }
            Some(Ok((Answer::NotGenerated, ..))) => {
                asked += 1;
                not_generated.push(p.pod.clone());
            }
            Some(Ok((_, status, _))) => {
                asked += 1;
                other.push((p.pod.clone(), format!("{status}")));
            }
            Some(Err(e)) => other.push((p.pod.clone(), e.clone())),
        }
    }
    if asked == 0 && other.is_empty() {
        return Check::warn(
            Part::Revalidation,
            name,
            Kind::Fleet,
            "not checked: no pod answered".into(),
        );
    }
    if !rejected.is_empty() {
        let pods = rejected
            .iter()
            .map(|r| r.split(' ').next().unwrap_or("").to_string())
            .collect();
        return Check::fail(
            Part::Revalidation,
            name,
            Kind::Fleet,
            format!(
                "a revalidation of {path} was answered as a cached page, not REVALIDATED, by {}: the previewModeId is not the one of their build (or a proxy strips x-prerender-revalidate)",
                named(&rejected)
            ),
        )
        .hint("give the id of the build the pods run: --preview-id-file pointing at that build's .next/prerender-manifest.json (or env REVALIDATE_PREVIEW_ID)")
        .pods(pods);
    }
    if !other.is_empty() {
        let pods: Vec<String> = other.iter().map(|(p, _)| p.clone()).collect();
        let said = other
            .iter()
            .map(|(p, s)| format!("{p}: {s}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Check::fail(
            Part::Revalidation,
            name,
            Kind::Fleet,
            format!("a revalidation of {path} failed on {said}"),
        )
        .hint("HEAD the page with x-prerender-revalidate on that pod to see its answer")
        .pods(pods);
    }
    if !not_generated.is_empty() {
        return Check::warn(
            Part::Revalidation,
            name,
            Kind::Fleet,
            format!(
                "not checked on {}: {path} was never generated there (404 under x-prerender-revalidate-if-generated)",
                named(&not_generated)
            ),
        )
        .hint("check with --path a page every pod has generated (an ISR page visited since the pod started)")
        .pods(not_generated);
    }
    Check::ok(
        Part::Revalidation,
        name,
        Kind::Fleet,
        format!("accepted by {asked} of {asked} pods: HEAD {path} was REVALIDATED"),
    )
}

fn endpoint(probes: &[Probe], path: &UrlPath) -> Check {
    let name = "endpoint";
    let mut bad: Vec<(String, String)> = Vec::new();
    let mut ok = 0;
    for p in probes {
        match &p.endpoint {
            None => {}
            Some(Ok((true, _))) => ok += 1,
            Some(Ok((false, why))) => {
                bad.push((p.pod.clone(), why.clone().unwrap_or_else(|| "refused".into())))
            }
            Some(Err(e)) => bad.push((p.pod.clone(), e.clone())),
        }
    }
    if bad.is_empty() && ok > 0 {
        return Check::ok(
            Part::Revalidation,
            name,
            Kind::Fleet,
            format!("the revalidate endpoint answered for {path} on {ok} of {ok} pods"),
        );
    }
    if bad.is_empty() {
        return Check::warn(
            Part::Revalidation,
            name,
            Kind::Fleet,
            "not checked: no pod answered".into(),
        );
    }
    let said = bad
        .iter()
        .map(|(p, s)| format!("{p}: {s}"))
        .collect::<Vec<_>>()
        .join("; ");
    Check::fail(
        Part::Revalidation,
        name,
        Kind::Fleet,
        format!("the revalidate endpoint failed for {path} on {said}"),
    )
    .hint("check --endpoint, its secret header (--header) and --expect-json against the app's route")
    .pods(bad.into_iter().map(|(p, _)| p).collect())
}

/// What a page's Cache-Control means for a shared cache (a CDN).
pub fn judge_cache_control(value: Option<&str>) -> (Status, String) {
    let Some(value) = value else {
        return (
            Status::Warn,
            "no Cache-Control: the CDN's default TTL decides how long the page is kept".into(),
        );
    };
    let directives: Vec<(String, Option<String>)> = value
        .split(',')
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
        .map(|d| match d.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim().trim_matches('"').to_string())),
            None => (d.to_ascii_lowercase(), None),
        })
        .collect();
    let has = |k: &str| directives.iter().any(|(d, _)| d == k);
    let get = |k: &str| {
        directives
            .iter()
            .find(|(d, _)| d == k)
            .and_then(|(_, v)| v.clone())
    };
    if has("private") || has("no-store") {
        return (
            Status::Fail,
            format!(
                "Cache-Control: {value}: a CDN does not store this page, so every visit reaches a pod (an ISR page is normally public, s-maxage=...)"
            ),
        );
    }
    let swr = get("stale-while-revalidate").map_or(String::new(), |v| {
        format!("; stale-while-revalidate={v}: once s-maxage runs out the CDN may serve the old copy while it refetches")
    });
    let swr = if swr.is_empty() && has("stale-while-revalidate") {
        "; stale-while-revalidate (no limit): once s-maxage runs out the CDN may serve the old copy while it refetches".to_string()
    } else {
        swr
    };
    if has("no-cache") {
        return (
            Status::Warn,
            format!("Cache-Control: {value}: the CDN must ask a pod on every visit{swr}"),
        );
    }
    if let Some(s) = get("s-maxage") {
        return (
            Status::Ok,
            format!("Cache-Control: {value}: shared caches keep the page {s} s{swr}"),
        );
    }
    match get("max-age") {
        Some(m) if m != "0" => (
            Status::Ok,
            format!(
                "Cache-Control: {value}: shared caches keep the page {m} s (browsers too: an invalidation does not reach them){swr}"
            ),
        ),
        _ => (
            Status::Warn,
            format!(
                "Cache-Control: {value}: no s-maxage or max-age, so the CDN's defaults decide{swr}"
            ),
        ),
    }
}

/// Whether a Vary keeps an App Router page apart from its RSC payloads at the edge.
fn vary_keys_rsc(vary: Option<&str>) -> bool {
    let Some(v) = vary else { return false };
    let names: Vec<String> = v.split(',').map(|n| n.trim().to_ascii_lowercase()).collect();
    names.iter().any(|n| n == "*")
        || (names.iter().any(|n| n == "rsc")
            && names.iter().any(|n| n == "next-router-state-tree"))
}

fn cache_headers(probes: &[Probe]) -> Vec<Check> {
    let pages: Vec<(&String, &Page)> = probes
        .iter()
        .filter_map(|p| p.page.as_ref().ok().map(|page| (&p.pod, page)))
        .filter(|(_, page)| page.status == 200)
        .collect();
    if pages.is_empty() {
        return Vec::new();
    }
    let mut checks = Vec::new();
    // Cache-Control: each distinct value judged once, naming its pods when they differ.
    let mut by_value: BTreeMap<Option<&str>, Vec<String>> = BTreeMap::new();
    for (pod, page) in &pages {
        by_value
            .entry(page.cache_control.as_deref())
            .or_default()
            .push((*pod).clone());
    }
    let mut judged: Vec<(Status, String, Vec<String>)> = by_value
        .into_iter()
        .map(|(v, pods)| {
            let (s, text) = judge_cache_control(v);
            (s, text, pods)
        })
        .collect();
    judged.sort_by(|a, b| b.0.cmp(&a.0));
    let several = judged.len() > 1;
    let (status, text, pods) = judged.swap_remove(0);
    let summary = if several {
        format!("on {}: {text} (the other pods differ)", named(&pods))
    } else {
        text
    };
    let mut c = Check::new(Part::Cache, "cache-control", status, Kind::Fleet, summary);
    if status != Status::Ok {
        c = c
            .hint("ISR pages are sent with s-maxage by Next.js: a `private` or `no-store` comes from the app's headers() or middleware, or a proxy in front of the pods")
            .pods(if several { pods } else { Vec::new() });
    }
    checks.push(c);
    // Vary: the variants a browser fetches must be cached apart.
    let app: Vec<&(&String, &Page)> = pages.iter().filter(|(_, p)| p.app_router).collect();
    if app.is_empty() {
        checks.push(Check::ok(
            Part::Cache,
            "variants",
            Kind::Fleet,
            "Pages Router page: its data JSON has a URL of its own (/_next/data/BUILD/PATH.json), so the edge keys it apart by URL".into(),
        ));
    } else {
        let unkeyed: Vec<String> = app
            .iter()
            .filter(|(_, p)| !vary_keys_rsc(p.vary.as_deref()))
            .map(|(pod, _)| (*pod).clone())
            .collect();
        if unkeyed.is_empty() {
            checks.push(Check::ok(
                Part::Cache,
                "variants",
                Kind::Fleet,
                format!(
                    "App Router page with Vary: {}: the edge keeps the page and its RSC payloads apart (if it honours Vary, or keys on the _rsc query)",
                    app[0].1.vary.as_deref().unwrap_or("")
                ),
            ));
        } else {
            checks.push(
                Check::fail(
                    Part::Cache,
                    "variants",
                    Kind::Fleet,
                    format!(
                        "App Router page without Vary: rsc, next-router-state-tree on {}: an edge keyed on the URL alone may serve the RSC payload as the page, or the page to the router",
                        named(&unkeyed)
                    ),
                )
                .hint("Next.js sends that Vary itself: something in front of the pods drops it; or key the CDN on the RSC and Next-Router-* headers")
                .pods(unkeyed),
            );
        }
    }
    checks
}

// ---- Kubernetes RBAC ----

/// The permissions discovery and the transport need, as SelfSubjectAccessReviews.
async fn rbac(source: &PodSource, k8s: &KubernetesSettings, limits: &Limits) -> Vec<Check> {
    use crate::choices::TransportChoice;
    let discovered = matches!(source, PodSource::Service { .. } | PodSource::Selector { .. });
    let listed_through_api = match source {
        PodSource::Static(spec) => crate::targets::from_spec(spec)
            .map(|t| t.iter().any(|t| t.reach.needs_kubernetes()))
            .unwrap_or(false),
        _ => false,
    };
    if !discovered && !listed_through_api {
        return Vec::new();
    }
    let cluster = match Cluster::connect(k8s, limits).await {
        Ok(c) => c,
        Err(e) => return vec![failed(Part::Kubernetes, "credentials", &e)],
    };
    let ns = k8s
        .namespace
        .clone()
        .unwrap_or_else(|| cluster.default_namespace.clone());
    let mut needs: Vec<(Need, bool)> = Vec::new();
    match source {
        PodSource::Service { .. } => {
            needs.push((Need::new("get", "services", &ns), true));
            needs.push((Need::new("list", "endpointslices.discovery.k8s.io", &ns), true));
        }
        PodSource::Selector { .. } => needs.push((Need::new("list", "pods", &ns), true)),
        _ => {}
    }
    let proxy = Need::new("get", "pods/proxy", &ns);
    let forward = [
        Need::new("get", "pods/portforward", &ns),
        Need::new("create", "pods/portforward", &ns),
    ];
    let auto = discovered && k8s.transport == TransportChoice::Auto && !cluster.in_cluster;
    match (discovered, k8s.transport) {
        (true, TransportChoice::ApiServerProxy) => needs.push((proxy.clone(), true)),
        (true, TransportChoice::PortForward) => {
            needs.extend(forward.iter().cloned().map(|n| (n, true)));
        }
        (true, TransportChoice::Auto) if auto => {
            // Either way will do: asked, and judged together below.
            needs.push((proxy.clone(), false));
            needs.extend(forward.iter().cloned().map(|n| (n, false)));
        }
        _ => {}
    }
    let answers = futures_util::future::join_all(needs.iter().map(|(need, _)| {
        let client = cluster.client.clone();
        async move {
            match tokio::time::timeout(limits.timeout, access::can_i(&client, need)).await {
                Ok(Ok(allowed)) => Ok(allowed),
                Ok(Err(e)) => Err(access::describe(&e)),
                Err(_) => Err(format!(
                    "no answer within {}",
                    humantime::format_duration(limits.timeout)
                )),
            }
        }
    }))
    .await;
    let mut checks = Vec::new();
    let mut either: Vec<(&Need, Result<bool, String>)> = Vec::new();
    for ((need, required), answer) in needs.iter().zip(answers) {
        if !required {
            either.push((need, answer));
            continue;
        }
        let name = format!("{} {}", need.verb, need.resource);
        checks.push(match answer {
            Ok(true) => Check::ok(Part::Kubernetes, &name, Kind::Service, format!("allowed in namespace {ns}")),
            Ok(false) => Check::fail(
                Part::Kubernetes,
                &name,
                Kind::Service,
                format!("RBAC denies {need}, which {} needs", if need.resource.starts_with("pods/") { "the transport" } else { "discovery" }),
            )
            .hint(format!(
                "grant it with a Role and RoleBinding (docs/kubernetes.md, \"RBAC\"); check with `{}`",
                need.can_i()
            )),
            Err(why) => Check::warn(
                Part::Kubernetes,
                &name,
                Kind::Service,
                format!("could not ask whether {need} is allowed: {why}"),
            ),
        });
    }
    if !either.is_empty() {
        let allowed = |n: &Need| {
            either
                .iter()
                .find(|(m, _)| m.verb == n.verb && m.resource == n.resource)
                .map(|(_, a)| a.clone())
        };
        let proxy_ok = allowed(&proxy);
        let forward_ok: Vec<Option<Result<bool, String>>> = forward.iter().map(allowed).collect();
        let all_forward = forward_ok.iter().all(|a| matches!(a, Some(Ok(true))));
        let name = "transport (auto)";
        checks.push(if matches!(proxy_ok, Some(Ok(true))) {
            Check::ok(Part::Kubernetes, name, Kind::Service, format!("pods/proxy allowed in namespace {ns}: pods are reached through the API server"))
        } else if all_forward {
            Check::ok(Part::Kubernetes, name, Kind::Service, format!("pods/proxy denied, get and create pods/portforward allowed in namespace {ns}: pods are reached by port-forward"))
        } else if either.iter().any(|(_, a)| a.is_err()) {
            Check::warn(Part::Kubernetes, name, Kind::Service, "could not ask RBAC which transport is allowed".into())
        } else {
            Check::fail(
                Part::Kubernetes,
                name,
                Kind::Service,
                format!("RBAC allows neither get pods/proxy nor get and create pods/portforward in namespace {ns}: pods cannot be reached from outside the cluster"),
            )
            .hint(format!("grant one (docs/kubernetes.md, \"RBAC\"; check with `{}`), or run inside the cluster with --transport direct", proxy.can_i()))
        });
    }
    checks
}

// ---- Redis ----

/// What Redis answered.
struct RedisProbe {
    ping: Result<f64, crate::redis::Failure>,
    subscribers: Option<Result<i64, String>>,
    agents: Option<Result<Vec<(crate::redis::registry::Record, bool)>, String>>,
}

async fn redis_probe(redis: &crate::redis::Redis, channel: &str) -> RedisProbe {
    let started = std::time::Instant::now();
    let mut conn = match tokio::time::timeout(redis.timeout() * 2, redis.connect()).await {
        Ok(Ok(c)) => c,
        Ok(Err(f)) => {
            return RedisProbe {
                ping: Err(f),
                subscribers: None,
                agents: None,
            };
        }
        Err(_) => {
            return RedisProbe {
                ping: Err(redis.timed_out()),
                subscribers: None,
                agents: None,
            };
        }
    };
    let pong: Result<String, _> = ::redis::cmd("PING").query_async(&mut conn).await;
    if let Err(e) = pong {
        return RedisProbe {
            ping: Err(redis.failure(&e)),
            subscribers: None,
            agents: None,
        };
    }
    let ping = Ok(crate::units::millis(started.elapsed()));
    let numsub = if redis.sharded() { "SHARDNUMSUB" } else { "NUMSUB" };
    let counted: Result<Vec<(String, i64)>, _> = ::redis::cmd("PUBSUB")
        .arg(numsub)
        .arg(channel)
        .query_async(&mut conn)
        .await;
    let subscribers = Some(
        counted
            .map(|v| v.into_iter().map(|(_, n)| n).sum())
            .map_err(|e| redis.failure(&e).to_string()),
    );
    let now = crate::redis::message::now_ms();
    let agents = Some(
        crate::redis::registry::list(&mut conn, channel, now)
            .await
            .map_err(|e| redis.failure(&e).to_string()),
    );
    RedisProbe {
        ping,
        subscribers,
        agents,
    }
}

fn redis_checks(
    probe: RedisProbe,
    redis: &crate::redis::Redis,
    channel: &str,
    pods: Option<&[String]>,
    expect: Option<u32>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    match probe.ping {
        Err(f) => {
            let hint = f.hint();
            checks.push(
                Check::fail(Part::Redis, "ping", Kind::Service, format!("cannot use {f}")).hint(hint),
            );
            return checks;
        }
        Ok(ms) => checks.push(Check::ok(
            Part::Redis,
            "ping",
            Kind::Service,
            format!("{} answered PONG in {ms:.0} ms", redis.shown()),
        )),
    }
    // Who listens, by name, from the agents' registry.
    let live: Vec<String> = match &probe.agents {
        Some(Ok(list)) => list.iter().filter(|(_, l)| *l).map(|(r, _)| r.pod.clone()).collect(),
        _ => Vec::new(),
    };
    let registered = matches!(&probe.agents, Some(Ok(list)) if !list.is_empty());
    match probe.subscribers {
        Some(Ok(n)) => {
            let (wanted, of) = match (expect, pods) {
                (Some(e), _) => (Some(i64::from(e)), "expected (--expect-subscribers)".to_string()),
                (None, Some(p)) if !p.is_empty() => (Some(p.len() as i64), "pods".to_string()),
                _ => (None, String::new()),
            };
            let said = format!("{n} subscribers on channel {channel}");
            checks.push(match wanted {
                Some(w) if n < w => {
                    let missing: Vec<String> = pods
                        .unwrap_or(&[])
                        .iter()
                        .filter(|p| !live.contains(p))
                        .cloned()
                        .collect();
                    let which = if registered && !missing.is_empty() {
                        format!("; no live agent on {}", named(&missing))
                    } else {
                        "; which pods are missing cannot be told (no agent registered: PUBSUB NUMSUB only counts)".into()
                    };
                    Check::fail(Part::Redis, "subscribers", Kind::Fleet, format!("{said} for {w} {of}{which}"))
                        .hint("a pod whose subscriber is gone misses every message: restart it, or run `revalidate agent` beside the app (it resubscribes by itself and registers)")
                        .pods(if registered { missing } else { Vec::new() })
                }
                Some(w) => Check::ok(Part::Redis, "subscribers", Kind::Fleet, format!("{said} for {w} {of}")),
                None if n == 0 => Check::warn(Part::Redis, "subscribers", Kind::Fleet, format!("{said}: nobody would receive a message"))
                    .hint("are the pods (or their agents) subscribed to this channel? (--channel)"),
                None => Check::ok(Part::Redis, "subscribers", Kind::Fleet, said),
            });
        }
        Some(Err(e)) => checks.push(
            Check::fail(Part::Redis, "subscribers", Kind::Service, format!("PUBSUB {channel}: {e}"))
                .hint("the ACL user needs PUBSUB"),
        ),
        None => {}
    }
    match probe.agents {
        Some(Ok(list)) => checks.push(agents(&list, channel, pods)),
        Some(Err(e)) => checks.push(
            Check::warn(Part::Agents, "registered", Kind::Service, format!("cannot read the agents of {channel}: {e}"))
                .hint("the ACL user needs HGETALL, ZRANGE and ZRANGEBYSCORE on the channel's keys"),
        ),
        None => {}
    }
    checks
}

/// The agents registered on the channel, compared with the pods found.
fn agents(
    list: &[(crate::redis::registry::Record, bool)],
    channel: &str,
    pods: Option<&[String]>,
) -> Check {
    let name = "registered";
    if list.is_empty() {
        return Check::ok(
            Part::Agents,
            name,
            Kind::Fleet,
            format!("no agent registered on {channel}: the pods subscribe by themselves (they cannot be named)"),
        );
    }
    let live: Vec<String> = list.iter().filter(|(_, l)| *l).map(|(r, _)| r.pod.clone()).collect();
    let expired: Vec<String> = list.iter().filter(|(_, l)| !*l).map(|(r, _)| r.pod.clone()).collect();
    let mut said = format!("{} live", live.len());
    if !expired.is_empty() {
        said.push_str(&format!("; heartbeat expired: {}", named(&expired)));
    }
    let Some(pods) = pods.filter(|p| !p.is_empty()) else {
        let c = Check::ok(Part::Agents, name, Kind::Fleet, format!("{said} ({})", named(&live)));
        return if expired.is_empty() {
            c
        } else {
            Check { status: Status::Warn, ..c }.pods(expired)
        };
    };
    let missing: Vec<String> = pods.iter().filter(|p| !live.contains(p)).cloned().collect();
    let extra: Vec<String> = live.iter().filter(|a| !pods.contains(a)).cloned().collect();
    if !missing.is_empty() {
        return Check::fail(
            Part::Agents,
            name,
            Kind::Fleet,
            format!(
                "{said}; no live agent on {}{}",
                named(&missing),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; agents of pods not found: {}", named(&extra))
                }
            ),
        )
        .hint("an agent names itself by --pod-name (env POD_NAME, from the Downward API): it must match the pod's name; `revalidate agents` lists them")
        .pods(missing);
    }
    if !extra.is_empty() || !expired.is_empty() {
        let mut pods_named = extra.clone();
        pods_named.extend(expired.iter().cloned());
        return Check::warn(
            Part::Agents,
            name,
            Kind::Fleet,
            format!(
                "{said}; every pod has one{}",
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; agents of pods not found: {}", named(&extra))
                }
            ),
        )
        .hint("another fleet on the same channel, or pods just gone: an expired agent is forgotten after an hour")
        .pods(pods_named);
    }
    Check::ok(
        Part::Agents,
        name,
        Kind::Fleet,
        format!("{said}: one on every pod found"),
    )
}

// ---- CloudFront ----

async fn cloudfront(config: &Config, s: &crate::config::CdnSettings, limits: &Limits) -> Vec<Check> {
    use crate::cdn::aws::{ApiErrorKind, CloudFront};
    let distribution = match crate::cdn::prepare::distribution(config, s) {
        Ok(d) => d,
        Err(e) => return vec![failed(Part::Cloudfront, "distribution", &e)],
    };
    let api = match CloudFront::connect(s, limits, Duration::from_millis(100), &distribution).await {
        Ok(a) => a,
        Err(e) => return vec![failed(Part::Cloudfront, "credentials", &e)],
    };
    let (info, listed) = tokio::join!(api.distribution_info(), api.list_page(None, 1));
    let mut checks = vec![Check::ok(
        Part::Cloudfront,
        "credentials",
        Kind::Service,
        "found by the AWS default chain".into(),
    )];
    let denied = |e: &crate::cdn::aws::ApiError| e.kind == ApiErrorKind::AccessDenied;
    checks.push(match info {
        Ok((domain, status)) => Check::ok(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Service,
            format!("distribution {distribution}: {domain} ({status})"),
        ),
        Err(e) if e.kind == ApiErrorKind::NoSuchDistribution => Check::fail(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Config,
            format!("distribution {distribution} does not exist ({})", e.describe()),
        )
        .hint("check --distribution (`aws cloudfront list-distributions` lists those these credentials see)"),
        Err(e) if denied(&e) => Check::warn(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Service,
            format!("denied ({}): no step needs it, so this only says less", e.describe()),
        ),
        Err(e) => Check::fail(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Service,
            format!("distribution {distribution}: {}", e.describe()),
        ),
    });
    checks.push(match listed {
        Ok((items, _)) => Check::ok(
            Part::Cloudfront,
            "ListInvalidations",
            Kind::Service,
            format!(
                "allowed on {distribution} ({})",
                if items.is_empty() { "no invalidation yet" } else { "the newest is readable" }
            ),
        ),
        Err(e) => Check::fail(
            Part::Cloudfront,
            "ListInvalidations",
            Kind::Service,
            format!("on {distribution}: {}", e.describe()),
        )
        .hint(format!(
            "the credentials need {} on arn:aws:cloudfront::ACCOUNT:distribution/{distribution}",
            crate::cdn::aws::PERMISSIONS
        )),
    });
    checks.push(
        Check::ok(
            Part::Cloudfront,
            "CreateInvalidation",
            Kind::Service,
            "not checked: it cannot be tried without creating an invalidation (and paying for its paths)".into(),
        )
        .hint(format!(
            "to check the policy without creating one: aws iam simulate-principal-policy --action-names cloudfront:CreateInvalidation --resource-arns arn:aws:cloudfront::ACCOUNT:distribution/{distribution} --policy-source-arn ARN"
        )),
    );
    checks
}

// ---- Cloudflare ----

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
    result: Option<serde_json::Value>,
}

fn errors_of(e: &Envelope) -> String {
    e.errors
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x.get("code").map_or(String::new(), |c| c.to_string()),
                x.get("message").and_then(|m| m.as_str()).unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn cloudflare(s: &crate::config::CdnSettings, limits: &Limits) -> Vec<Check> {
    let Some(cf) = &s.cloudflare else {
        return Vec::new();
    };
    let zone = match crate::cdn::cloudflare::Zone::build(
        cf,
        s.site_url.as_deref(),
        std::env::var(crate::cdn::cloudflare::TOKEN_ENV).ok(),
    ) {
        Ok(z) => z,
        Err(e) => return vec![failed(Part::Cloudflare, "token", &e)],
    };
    let client = match reqwest::Client::builder()
        .user_agent(crate::transport::USER_AGENT)
        .timeout(limits.timeout)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return vec![Check::fail(
                Part::Cloudflare,
                "token",
                Kind::Service,
                format!("cannot set up the HTTP client: {e}"),
            )];
        }
    };
    let api = zone.api_url.trim_end_matches('/').to_string();
    let get = |url: String| {
        let req = client.get(url).bearer_auth(zone.token.expose());
        async move {
            let resp = req.send().await.map_err(|e| {
                crate::secret::redact(&format!("no answer from the Cloudflare API: {}", crate::error::chain(&e)))
                    .into_owned()
            })?;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            match serde_json::from_str::<Envelope>(&text) {
                Ok(e) => Ok((status, e)),
                Err(_) => Err(format!("the Cloudflare API answered {status} with no JSON envelope")),
            }
        }
    };
    let (verify, read) = tokio::join!(
        get(format!("{api}/user/tokens/verify")),
        get(format!("{api}/zones/{}", zone.zone))
    );
    let mut checks = Vec::new();
    let token_ok = match verify {
        Ok((_, e)) if e.success => {
            let status = e
                .result
                .as_ref()
                .and_then(|r| r.get("status"))
                .and_then(|s| s.as_str())
                .unwrap_or("unknown")
                .to_string();
            if status == "active" {
                checks.push(Check::ok(Part::Cloudflare, "token", Kind::Service, format!("verified: {} is active", zone.token)));
                true
            } else {
                checks.push(
                    Check::fail(Part::Cloudflare, "token", Kind::Service, format!("{} is {status}, not active", zone.token))
                        .hint("a disabled or expired token: make a new one at dash.cloudflare.com > My Profile > API Tokens"),
                );
                false
            }
        }
        Ok((status, e)) => {
            checks.push(
                Check::fail(Part::Cloudflare, "token", Kind::Service, format!("{} was refused ({status}: {})", zone.token, errors_of(&e)))
                    .hint(format!("check env {} or --cloudflare-token-file: the token must be a valid API token with Zone > Cache Purge on the zone", crate::cdn::cloudflare::TOKEN_ENV)),
            );
            false
        }
        Err(why) => {
            checks.push(Check::fail(Part::Cloudflare, "token", Kind::Service, why).hint("is --cloudflare-api-url right, and is the API reachable from here?"));
            false
        }
    };
    if token_ok {
        checks.push(match read {
            Ok((_, e)) if e.success => Check::ok(
                Part::Cloudflare,
                "zone",
                Kind::Service,
                format!(
                    "zone {} readable ({})",
                    zone.zone,
                    e.result.as_ref().and_then(|r| r.get("name")).and_then(|n| n.as_str()).unwrap_or("?")
                ),
            ),
            Ok((status, e)) if status == 403 => Check::warn(
                Part::Cloudflare,
                "zone",
                Kind::Service,
                format!("zone {} not readable by this token ({})", zone.zone, errors_of(&e)),
            )
            .hint("a token limited to Cache Purge may not read the zone; if purges are refused too, give it Zone > Cache Purge on this zone"),
            Ok((status, e)) => Check::fail(
                Part::Cloudflare,
                "zone",
                Kind::Service,
                format!("zone {}: {status} {}", zone.zone, errors_of(&e)),
            )
            .hint("check --cloudflare-zone: the zone id is on the zone's Overview page"),
            Err(why) => Check::fail(Part::Cloudflare, "zone", Kind::Service, why),
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_is_judged_for_a_shared_cache() {
        let s = |v: Option<&str>| judge_cache_control(v).0;
        assert_eq!(s(Some("s-maxage=31536000")), Status::Ok);
        assert_eq!(s(Some("public, max-age=60")), Status::Ok);
        assert_eq!(s(Some("private, no-cache, no-store, max-age=0, must-revalidate")), Status::Fail);
        assert_eq!(s(Some("no-store")), Status::Fail);
        assert_eq!(s(Some("no-cache")), Status::Warn);
        assert_eq!(s(Some("max-age=0")), Status::Warn);
        assert_eq!(s(None), Status::Warn);
        let (_, text) = judge_cache_control(Some("s-maxage=31536000, stale-while-revalidate"));
        assert!(text.contains("stale-while-revalidate"), "{text}");
    }

    #[test]
    fn vary_must_name_the_router_headers() {
        assert!(vary_keys_rsc(Some(
            "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding"
        )));
        assert!(vary_keys_rsc(Some("RSC, Next-Router-State-Tree, Next-Router-Prefetch")));
        assert!(!vary_keys_rsc(Some("Accept-Encoding")));
        assert!(!vary_keys_rsc(None));
    }
}
