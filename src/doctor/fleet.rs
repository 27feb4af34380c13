//! The fleet's checks: the pods found and reached, their build ids, the previewModeId (or the
//! endpoint) on every pod, and the page's cache headers. Each pod is asked for the page, then
//! once to revalidate it, every pod at once; what they answered is judged together.

use std::collections::BTreeMap;

use http::Method;

use super::checks::{MAX_PAGE, failed, named};
use super::{Check, Kind, Part, Status};
use crate::config::{KubernetesSettings, PodSource};
use crate::context::{Limits, RunContext};
use crate::fanout::{self, How};
use crate::nextjs::{self, Answer};
use crate::paths::UrlPath;
use crate::targets::Target;
use crate::transport::{PodRequest, Transport};

// ---- the fleet: pods, build, revalidation, cache headers ----

/// What the fleet's checks learnt that other parts compare with: the pods' names (when they
/// were found) and the build most of them run.
#[derive(Default)]
pub(super) struct Seen {
    pub pods: Option<Vec<String>>,
    pub build: Option<String>,
}

/// A revalidation's answer, its status and its `x-nextjs-cache`.
type Revalidated = (Answer, u16, Option<String>);

/// What one pod answered.
struct Probe {
    pod: String,
    /// Reached through the API server's pods/proxy, which sends a Cache-Control of its own.
    proxied: bool,
    /// The page: status, Cache-Control, Vary, build id, App Router or not; or why none.
    page: Result<Page, String>,
    /// The revalidation request: its answer, or why none.
    revalidation: Option<Result<Revalidated, String>>,
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

pub(super) async fn fleet(
    ctx: &RunContext,
    source: &PodSource,
    k8s: &KubernetesSettings,
    limits: &Limits,
    plan: Option<&fanout::Plan>,
    path: &UrlPath,
) -> (Vec<Check>, Seen) {
    let mut checks = Vec::new();
    if let PodSource::Static(spec) = source
        && matches!(
            crate::targets::from_spec(spec),
            Err(crate::targets::TargetsError::None)
        )
    {
        checks.push(
            Check::warn(
                Part::Pods,
                "discovery",
                Kind::Config,
                "no pods configured: the fleet is not checked".into(),
            )
            .hint("name them (--pod, --pods-file) or find them (--k8s-service, --k8s-selector, --dns)"),
        );
        return (checks, Seen::default());
    }
    let pods = match crate::discover::find(ctx, source, k8s, limits, false).await {
        Ok(p) => p,
        Err(e) => {
            checks.push(failed(Part::Pods, "discovery", &e));
            return (checks, Seen::default());
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
            Check::fail(
                Part::Pods,
                "discovery",
                Kind::Fleet,
                format!("no pod to call: {found}"),
            )
            .hint("`revalidate pods` shows what was found and why each endpoint was skipped"),
        );
        return (
            checks,
            Seen {
                pods: Some(Vec::new()),
                build: None,
            },
        );
    }
    checks.push(Check::ok(Part::Pods, "discovery", Kind::Fleet, found));
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let transport = match Transport::new(limits, targets.len()) {
        Ok(t) => pods.transport(t, limits),
        Err(e) => {
            checks.push(failed(Part::Pods, "reachable", &e));
            return (
                checks,
                Seen {
                    pods: Some(names),
                    build: None,
                },
            );
        }
    };
    let probes = futures_util::future::join_all(
        targets
            .iter()
            .map(|t| probe(ctx, &transport, t, plan, path)),
    )
    .await;
    checks.push(reachable(&probes, path));
    let (build_check, build) = builds(&probes);
    checks.push(build_check);
    if let Some(plan) = plan {
        checks.push(revalidation(&probes, plan, path));
    }
    checks.extend(cache_headers(&probes));
    (
        checks,
        Seen {
            pods: Some(names),
            build,
        },
    )
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
        proxied: matches!(target.reach, crate::targets::Reach::ApiServerProxy { .. }),
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
            let mut req = plan.request(fanout::Subject::Path(path));
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
                    || plan.request(fanout::Subject::Path(path)),
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
        .hint(
            "check the page on a page every pod serves: --path /a/page (a 404 means no such page)",
        )
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

/// The build ids line, and the reference build (the majority's).
fn builds(probes: &[Probe]) -> (Check, Option<String>) {
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
        let c = Check::warn(
            Part::Build,
            "build id",
            Kind::Fleet,
            "no build id found in the page: is it a Next.js page?".into(),
        )
        .hint("check with --path a page Next.js renders (its HTML carries the build id)");
        return (c, None);
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
        return (c, Some(reference.to_string()));
    }
    let list = odd
        .iter()
        .map(|(p, b)| format!("{p} runs {b}"))
        .collect::<Vec<_>>()
        .join(", ");
    let c = Check::fail(
        Part::Build,
        "build id",
        Kind::Fleet,
        format!(
            "{list}; {majority} of {} pods run {reference} (the majority)",
            probes.len()
        ),
    )
    .hint("a rollout in progress, or pods left on an old build: pods of two builds serve two different sites, and up to Next.js 16.4 each build has its own previewModeId (kubectl rollout status)")
    .pods(odd.into_iter().map(|(p, _)| p).collect());
    (c, Some(reference.to_string()))
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
        format!(
            "accepted by {asked} of {asked} pods asked: HEAD {path} was REVALIDATED{}",
            if asked < probes.len() {
                format!(" ({} not asked: no page from them)", probes.len() - asked)
            } else {
                String::new()
            }
        ),
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
            Some(Ok((false, why))) => bad.push((
                p.pod.clone(),
                why.clone().unwrap_or_else(|| "refused".into()),
            )),
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
    .hint(
        "check --endpoint, its secret header (--header) and --expect-json against the app's route",
    )
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
            Some((k, v)) => (
                k.trim().to_ascii_lowercase(),
                Some(v.trim().trim_matches('"').to_string()),
            ),
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
    let names: Vec<String> = v
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    names.iter().any(|n| n == "*")
        || (names.iter().any(|n| n == "rsc") && names.iter().any(|n| n == "next-router-state-tree"))
}

fn cache_headers(probes: &[Probe]) -> Vec<Check> {
    let mut checks = Vec::new();
    // Cache-Control: each distinct value judged once, naming its pods when they differ. The API
    // server's pods/proxy replaces the pod's own (`no-cache, private`), so it is not judged.
    let proxied = probes.iter().filter(|p| p.proxied).count();
    let pages: Vec<(&String, &Page)> = probes
        .iter()
        .filter(|p| !p.proxied)
        .filter_map(|p| p.page.as_ref().ok().map(|page| (&p.pod, page)))
        .filter(|(_, page)| page.status == 200)
        .collect();
    if pages.is_empty() {
        if proxied > 0 {
            checks.push(
                Check::warn(
                    Part::Cache,
                    "cache-control",
                    Kind::Fleet,
                    "not checked: the pods are reached through the API server's pods/proxy, which sends a Cache-Control of its own".into(),
                )
                .hint("check the page through the edge (curl -sI), or from here with --transport port-forward"),
            );
        }
        return checks;
    }
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
    judged.sort_by_key(|j| std::cmp::Reverse(j.0));
    let several = judged.len() > 1;
    let (status, text, pods) = judged.swap_remove(0);
    let summary = if several {
        format!("on {}, unlike the other pods: {text}", named(&pods))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_is_judged_for_a_shared_cache() {
        let s = |v: Option<&str>| judge_cache_control(v).0;
        assert_eq!(s(Some("s-maxage=31536000")), Status::Ok);
        assert_eq!(s(Some("public, max-age=60")), Status::Ok);
        assert_eq!(
            s(Some(
                "private, no-cache, no-store, max-age=0, must-revalidate"
            )),
            Status::Fail
        );
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
        assert!(vary_keys_rsc(Some(
            "RSC, Next-Router-State-Tree, Next-Router-Prefetch"
        )));
        assert!(!vary_keys_rsc(Some("Accept-Encoding")));
        assert!(!vary_keys_rsc(None));
    }
}
