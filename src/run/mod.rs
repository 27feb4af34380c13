//! `run`: the whole pipeline in one process, each step the library code of its subcommand:
//! discover (done by the caller) -> snapshot (what every pod serves now, in memory) ->
//! revalidate (fanout, publish, or both) -> verify the pods against the snapshot -> clear the
//! CDN of the paths proven fresh on every pod, and only of those -> wait for the invalidation ->
//! verify through the edge.
//!
//! Invariants: every input is checked in [`Setup::build`] before anything is sent; a path is
//! fresh only on the evidence rules of verify (a change since the snapshot, or a content check
//! that holds, on every pod and every variant), never from agreement; the CDN is never cleared of
//! a path whose pods are not proven fresh unless `--force-cdn` says so, since an edge that
//! refetches from a stale pod caches the stale page again; a failure that ends the pipeline is
//! said in the run's report, with its exit code.
//!
//! With cache tags (`--tag`), the revalidate step revalidates the tags (and the paths given to
//! revalidate, if any); the pages the tags regenerate (`--verify-paths`, `--sitemap`) are
//! snapshotted, verified and cleared from the CDN like any path, but never revalidated by path:
//! a page proves its tag by changing on every pod. A run with tags and no page to verify is
//! refused ([`NO_PAGES_FOR_TAGS`]): it could prove nothing.

mod ci;
mod human;
pub mod report;

use std::collections::BTreeSet;

use crate::choices::{RunStep, Via};
use crate::config::{CdnSettings, Config, RunSettings};
use crate::context::{Limits, Retain, RunContext};
use crate::error::Error;
use crate::exit::Code;
use crate::paths::UrlPath;
use crate::redis::Redis;
use crate::report::{Reporter, Shown, StepReport, Work};
use crate::tags::Tag;
use crate::targets::{self, Target};
use crate::transport::Transport;
use crate::verify::{self, Baselines, Verdict};
use crate::{cdn, discover, fanout, publish};

pub use report::{
    CdnAction, Fallback, PathResult, Report, SnapshotReport, SnapshotStart, StepState, TagResult,
    Totals,
};

/// Why `run --tag` without pages to verify is refused.
pub const NO_PAGES_FOR_TAGS: &str = "run --tag needs the pages the tags regenerate, to prove them fresh on every pod: give --verify-paths FILE or --sitemap URL (a tag alone proves nothing; `revalidate fanout --tag` revalidates without proof)";

/// The CDN work of a run, checked.
pub struct Cdn {
    pub settings: CdnSettings,
    /// The CloudFront distribution, when one is configured.
    pub distribution: Option<String>,
    pub limits: Limits,
}

/// Everything `run` will do, checked before anything is sent.
pub struct Setup {
    pub settings: RunSettings,
    /// How the pods are told: direct, redis or both (auto resolved).
    pub via: Via,
    /// `--via auto` resolved to Redis: direct fan-out when Redis fails or under-delivers.
    pub may_fall_back: bool,
    /// Every path verified: the first `by_path` revalidated by path, the rest by the tags.
    pub paths: Vec<UrlPath>,
    pub by_path: usize,
    pub tags: Vec<Tag>,
    pub targets: Vec<Target>,
    pub fanout: Option<fanout::Plan>,
    pub publish: Option<(publish::Plan, Redis)>,
    /// The pods' verify (and the snapshot's, and the edge's, with their changes).
    pub verify: verify::Plan,
    pub edge: Option<verify::Through>,
    pub cdn: Option<Cdn>,
    /// The steps, each with whether it will run and why not.
    pub steps: Vec<StepState>,
}

impl Setup {
    /// Checks every setting and builds each step's plan; reads files (the previewModeId,
    /// secrets), sends nothing.
    pub fn build(
        config: &Config,
        paths: Vec<UrlPath>,
        targets: Vec<Target>,
    ) -> Result<Self, Error> {
        let by_path = paths.len();
        Setup::build_tagged(config, paths, by_path, Vec::new(), targets)
    }

    /// As [`Setup::build`], with cache tags: the first `by_path` paths are revalidated by path,
    /// the others only verified (the tags regenerate them).
    pub fn build_tagged(
        config: &Config,
        paths: Vec<UrlPath>,
        by_path: usize,
        tags: Vec<Tag>,
        targets: Vec<Target>,
    ) -> Result<Self, Error> {
        if !tags.is_empty() && paths.is_empty() {
            return Err(Error::usage(NO_PAGES_FOR_TAGS));
        }
        let revalidated: Vec<UrlPath> = paths[..by_path].to_vec();
        let settings = config.run()?;
        let wants = |s: RunStep| settings.steps.contains(&s);
        let mut notes: Vec<(RunStep, String)> = Vec::new();
        for s in RunStep::ALL {
            if !wants(s) {
                notes.push((s, "not in --steps".into()));
            }
        }

        let (via, may_fall_back) = match settings.via {
            Via::Auto if settings.redis_configured => (Via::Redis, true),
            Via::Auto => (Via::Direct, false),
            v => (v, false),
        };
        let revalidate = wants(RunStep::Revalidate);
        let fanout = if revalidate && (via != Via::Redis || may_fall_back) {
            Some(fanout::Plan::build(
                &config.fanout()?,
                revalidated.clone(),
                tags.clone(),
                targets.clone(),
            )?)
        } else {
            None
        };
        let publish = if revalidate && via != Via::Direct {
            let plan =
                publish::Plan::build(&config.publish()?, revalidated, tags.clone(), &targets)?;
            let redis = Redis::build(&config.redis()?, &|name| std::env::var(name).ok())?;
            Some((plan, redis))
        } else {
            None
        };

        let mut vs = config.run_verify()?;
        let proxied = targets
            .iter()
            .any(|t| matches!(t.reach, targets::Reach::ApiServerProxy { .. }));
        if proxied {
            vs.ignore.push(discover::PROXY_PREFIX_PATTERN.to_string());
        }
        let mut verify = verify::Plan::build(&vs, paths.clone(), targets.clone())?;
        if proxied {
            verify.warnings.push(discover::PROXY_HTML_NOTE.to_string());
        }
        verify.wait = (!settings.wait.is_zero()).then_some(settings.wait);
        verify.unchanged_ok = !settings.expect_changed;
        // Pods told directly have regenerated before verify starts; through Redis they may
        // still be at it.
        verify.unchanged_settles = via != Via::Redis;

        let cdn_settings = config.cdn()?;
        let configured = cdn_settings.distribution.is_some()
            || !cdn_settings.purge_urls.is_empty()
            || cdn_settings.cloudflare.is_some();
        let cdn = if !wants(RunStep::Cdn) {
            None
        } else if !configured {
            if settings.steps_given {
                return Err(Error::usage(
                    "--steps names cdn, but no CDN is configured: give --distribution ID (CloudFront), --purge-url URL (HTTP PURGE or BAN) or --cloudflare-zone ID, or leave cdn out of --steps",
                ));
            }
            notes.push((
                RunStep::Cdn,
                "no CDN configured (--distribution, --purge-url, --cloudflare-zone)".into(),
            ));
            None
        } else if !wants(RunStep::Verify) && !settings.force_cdn {
            return Err(Error::usage(
                "--steps names cdn without verify: nothing would prove the pods fresh, and a CDN cleared before they are caches their stale pages again; add verify to --steps, or give --force-cdn to clear it regardless",
            ));
        } else {
            let distribution = match &cdn_settings.distribution {
                Some(_) => Some(cdn::prepare::distribution(config, &cdn_settings)?),
                None => None,
            };
            Some(Cdn {
                settings: cdn_settings,
                distribution,
                limits: config.limits()?,
            })
        };

        let edge = match (&settings.edge, wants(RunStep::Edge)) {
            (Some(url), true) => Some(verify::Through {
                target: targets::parse_spec(&format!("edge={url}")).map_err(|e| {
                    Error::usage(format!(
                        "--edge {:?}: {e}",
                        crate::secret::mask_userinfo(url)
                    ))
                })?,
                samples: vs.samples,
                encodings: vs.encodings.clone(),
            }),
            (None, true) => {
                notes.push((
                    RunStep::Edge,
                    "no --edge URL (the site through its CDN)".into(),
                ));
                None
            }
            _ => None,
        };

        let steps = RunStep::ALL
            .iter()
            .map(|&step| {
                let note = notes.iter().find(|(s, _)| *s == step).map(|n| n.1.clone());
                StepState {
                    step,
                    ran: note.is_none(),
                    note,
                }
            })
            .collect();
        Ok(Setup {
            settings,
            via,
            may_fall_back,
            paths,
            by_path,
            tags,
            targets,
            fanout,
            publish,
            verify,
            edge,
            cdn,
            steps,
        })
    }

    fn will(&self, step: RunStep) -> bool {
        self.steps.iter().any(|s| s.step == step && s.ran)
    }

    /// Whether the run takes its own snapshot: the baseline that shows each page changed.
    fn snapshots(&self) -> bool {
        self.will(RunStep::Revalidate) && (self.will(RunStep::Verify) || self.will(RunStep::Edge))
    }
}

/// The run's progress, path by path, as the steps end.
struct Progress {
    results: Vec<PathResult>,
    tags: Vec<TagResult>,
    steps: Vec<StepState>,
    fallback: Option<Fallback>,
    cdn_left_alone: Option<String>,
    warnings: Vec<String>,
    error: Option<Error>,
}

impl Progress {
    fn skip(&mut self, step: RunStep, note: String) {
        if let Some(s) = self.steps.iter_mut().find(|s| s.step == step && s.ran) {
            s.ran = false;
            s.note = Some(note);
        }
    }
}

/// Runs the pipeline on the discovered pods and reports each step, then the run.
pub async fn pipeline(
    ctx: &RunContext,
    transport: &Transport,
    setup: &Setup,
    reporter: &mut Reporter,
) -> Report {
    let started = std::time::Instant::now();
    let mut p = Progress {
        results: setup
            .paths
            .iter()
            .map(|path| PathResult {
                path: path.as_str().to_string(),
                revalidated: None,
                gone: false,
                pods: None,
                cdn: CdnAction::NotRun,
                edge: None,
                verdict: None,
                reason: None,
            })
            .collect(),
        tags: setup
            .tags
            .iter()
            .map(|t| TagResult {
                tag: t.to_string(),
                revalidated: None,
            })
            .collect(),
        steps: setup.steps.clone(),
        fallback: None,
        cdn_left_alone: None,
        warnings: Vec::new(),
        error: None,
    };
    let stopped = |p: &mut Progress, from: usize| {
        for s in RunStep::ALL.iter().skip(from) {
            p.skip(*s, "the run stopped first".into());
        }
    };

    let (snapshot, unseen) = if setup.snapshots() {
        snapshot(ctx, transport, setup, reporter).await
    } else {
        (None, Vec::new())
    };
    if ctx.stopped().is_none() && setup.will(RunStep::Revalidate) {
        revalidate(ctx, transport, setup, &mut p, reporter).await;
    }
    if p.error.is_some() || ctx.stopped().is_some() {
        stopped(&mut p, 1);
    }

    let mut plan = setup.verify.clone();
    if let Some(snap) = snapshot {
        plan.baseline = Some(std::sync::Arc::new(snap));
        // The snapshot is the evidence unless a content check is given (then either proves).
        plan.criteria.expect_changed =
            setup.settings.expect_changed || !plan.criteria.content_checked();
    }
    // A page gone on every pod is proven by its 404 (with --allow-gone), or is a failure of
    // the revalidation, neither verified nor cleared from the CDN (without).
    let allow_gone = setup.fanout.as_ref().is_some_and(|f| f.allow_gone);
    for r in p.results.iter_mut().filter(|r| r.gone) {
        if allow_gone {
            plan.criteria_for
                .insert(r.path.clone(), gone_criteria(setup.settings.expect_changed));
        } else {
            r.reason = Some(GONE_NOT_ALLOWED.into());
        }
    }
    let blocked = |r: &PathResult| r.gone && !allow_gone;
    plan.paths = setup
        .paths
        .iter()
        .zip(&p.results)
        .filter(|(_, r)| !blocked(r))
        .map(|(path, _)| path.clone())
        .collect();
    if setup.will(RunStep::Verify) && p.steps[1].ran && plan.paths.is_empty() {
        p.skip(
            RunStep::Verify,
            "every path is gone on every pod (deleted content or an unknown route); give --allow-gone to prove deleted pages by their 404".into(),
        );
    }
    if setup.will(RunStep::Verify) && p.steps[1].ran {
        let results = &mut p.results;
        let unseen = &unseen;
        verify::step_with(ctx, transport, &plan, reporter, |_, v| {
            if let Some(i) = results.iter().position(|x| x.path == v.path) {
                results[i].pods = Some(v.verdict);
                results[i].reason = match v.verdict {
                    Verdict::Fresh => None,
                    Verdict::Unchanged if unseen.get(i) == Some(&true) => {
                        Some(FIRST_GENERATED_BY_RUN.into())
                    }
                    _ => Some(v.reason.clone()),
                };
            }
        })
        .await;
        if ctx.stopped().is_some() {
            stopped(&mut p, 2);
        }
    }

    // The CDN: the paths proven fresh on every pod (every path with --force-cdn).
    let verified = setup.will(RunStep::Verify);
    let clear: Vec<usize> = (0..p.results.len())
        .filter(|&i| {
            let r = &p.results[i];
            setup.settings.force_cdn
                || (!blocked(r) && (!verified || r.pods == Some(Verdict::Fresh)))
        })
        .collect();
    if let Some(c) = setup.cdn.as_ref().filter(|_| p.steps[2].ran) {
        let left: Vec<usize> = (0..p.results.len())
            .filter(|i| !clear.contains(i))
            .collect();
        if !left.is_empty() {
            p.cdn_left_alone = Some(left_alone(&p.results, &left));
            for &i in &left {
                p.results[i].cdn = CdnAction::LeftAlone;
            }
        }
        if clear.is_empty() {
            p.skip(RunStep::Cdn, "no path proven fresh on every pod".into());
        } else {
            clear_cdn(ctx, transport, setup, c, &clear, &mut p, reporter).await;
        }
        if p.error.is_some() || ctx.stopped().is_some() {
            stopped(&mut p, 3);
        }
    }

    // The edge: what was cleared (or, without a cdn step, what the pods proved fresh).
    if let Some(edge) = setup.edge.as_ref().filter(|_| p.steps[3].ran) {
        let at_edge: Vec<usize> = (0..p.results.len())
            .filter(|&i| match p.results[i].cdn {
                CdnAction::Cleared => !blocked(&p.results[i]),
                CdnAction::NotRun => {
                    !blocked(&p.results[i])
                        && (!verified || p.results[i].pods == Some(Verdict::Fresh))
                }
                CdnAction::Failed | CdnAction::LeftAlone => false,
            })
            .collect();
        if at_edge.is_empty() {
            p.skip(
                RunStep::Edge,
                "no path to check there: none was proven fresh on the pods and cleared".into(),
            );
        } else {
            let mut edge_plan = plan.clone();
            edge_plan.paths = at_edge.iter().map(|&i| setup.paths[i].clone()).collect();
            edge_plan.through = Some(edge.clone());
            let results = &mut p.results;
            verify::step_with(ctx, transport, &edge_plan, reporter, |_, v| {
                if let Some(i) = results.iter().position(|x| x.path == v.path) {
                    results[i].edge = Some(v.verdict);
                    if v.verdict != Verdict::Fresh && results[i].reason.is_none() {
                        results[i].reason = Some(format!("at the edge: {}", v.reason));
                    }
                }
            })
            .await;
        }
    }

    let report = conclude(setup, p, ctx, started);
    // The run's own table is shown whole, whatever the steps showed.
    let brief = std::mem::replace(&mut reporter.brief, false);
    reporter.finish_step(&report);
    reporter.brief = brief;
    report
}

/// Why a path gone on every pod is neither verified nor cleared from the CDN.
const GONE_NOT_ALLOWED: &str = "gone on every pod: 404 on revalidation, the content was deleted or the route does not exist; not verified, and the CDN left alone. Use --allow-gone when deleted pages are expected: their 404 is then proven on every pod and the CDN cleared";

/// What proves a page gone: its 404 on every pod and variant (and a change since the
/// snapshot with --expect-changed); the content checks of the live pages do not apply.
fn gone_criteria(expect_changed: bool) -> verify::Criteria {
    verify::Criteria {
        status: 404,
        status_given: true,
        contains: None,
        regex: None,
        expect_changed,
        page_checks: Vec::new(),
    }
}

/// Why the CDN was left alone, naming the paths by verdict.
fn left_alone(results: &[PathResult], left: &[usize]) -> String {
    let (gone, left): (Vec<usize>, Vec<usize>) = left
        .iter()
        .partition(|&&i| results[i].gone && results[i].pods.is_none());
    let gone = (!gone.is_empty()).then(|| {
        let named: Vec<&str> = gone.iter().take(3).map(|&i| results[i].path.as_str()).collect();
        format!(
            "{} gone on every pod ({}{}): a deleted page is cleared from the CDN only with --allow-gone",
            crate::report::human::plural(gone.len(), "path", "paths"),
            named.join(", "),
            if gone.len() > named.len() {
                format!(" and {} more", gone.len() - named.len())
            } else {
                String::new()
            }
        )
    });
    if left.is_empty() {
        return gone.unwrap_or_default();
    }
    let mut by: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for &i in &left {
        let v = results[i].pods.map_or("not verified", |v| v.name());
        by.entry(v).or_default().push(&results[i].path);
    }
    let listed: Vec<String> = by
        .iter()
        .map(|(v, paths)| {
            let named: Vec<&str> = paths.iter().take(3).copied().collect();
            let more = paths.len() - named.len();
            format!(
                "{} {v} ({}{})",
                paths.len(),
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    let unchanged = by.contains_key(Verdict::Unchanged.name());
    let stale = format!(
        "{} not proven fresh on every pod: {}; clearing the CDN now would let it fetch and cache their stale copies again. Fix the pods and run again{} (or give --force-cdn to clear it regardless)",
        crate::report::human::plural(left.len(), "path", "paths"),
        listed.join(", "),
        if unchanged {
            "; an unchanged page is proven by a content check (--expect-contains TEXT the new page has)"
        } else {
            ""
        }
    );
    match gone {
        Some(gone) => format!("{stale}; {gone}"),
        None => stale,
    }
}

/// Why a page no pod had generated before the run is unchanged.
const FIRST_GENERATED_BY_RUN: &str = "no pod had generated this page before the run: the snapshot's requests generated it (x-nextjs-cache: MISS) from the content of now, and the revalidation regenerated the same, so no change can show; a content check (--expect-contains TEXT the new page has) proves it";

/// The snapshot step: verify's fetches of every page and variant on every pod, recorded; and,
/// per path, whether no pod had generated the page before (each pod's first request generated
/// it: `x-nextjs-cache: MISS`).
///
/// A page the snapshot's own request generated on a pod shows the content of now, not of before
/// the change: that pod's copy is forgotten, so a change is content no pod served before the
/// run; unless no pod had the page at all, when the content of now is all there is to compare
/// with.
async fn snapshot(
    ctx: &RunContext,
    transport: &Transport,
    setup: &Setup,
    reporter: &mut Reporter,
) -> (Option<Baselines>, Vec<bool>) {
    let mut p = setup.verify.clone();
    p.keep_snapshot = true;
    p.wait = None;
    p.baseline = None;
    p.baseline_file = None;
    p.through = None;
    p.criteria.expect_changed = false;
    let start = SnapshotStart {
        paths: p.paths.len(),
        pods: p.targets.len(),
    };
    reporter.start::<SnapshotReport>(
        &start,
        Work {
            len: start.paths * start.pods,
            what: "snapshot",
        },
    );
    // Each verdict is read as it comes; the run keeps none.
    let mut unreachable: BTreeSet<String> = BTreeSet::new();
    let mut diverged_before = 0;
    // Per path, the pods whose page the snapshot's request generated.
    let mut generated: Vec<BTreeSet<String>> = vec![BTreeSet::new(); p.paths.len()];
    let keep = verify::Keep::Handed(Retain::Nothing);
    let r = verify::run(ctx, transport, &p, keep, |progress| match progress {
        verify::Progress::Fetch(_, f) if f.variant == verify::Variant::Html => {
            reporter.show(Shown::Tick);
            if f.outcome == Some(verify::FetchOutcome::Fetched)
                && f.nextjs_cache
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case("MISS"))
                && let Some(pods) = generated.get_mut(f.path_index)
            {
                pods.insert(f.pod.clone());
            }
        }
        verify::Progress::Verdict(_, v) => {
            unreachable.extend(v.unreachable_pods.iter().cloned());
            diverged_before += usize::from(v.diverged);
        }
        _ => {}
    })
    .await;
    let mut snapshot = r.snapshot;
    let mut unseen = vec![false; p.paths.len()];
    if let Some(snap) = &mut snapshot {
        for (i, pods) in generated.iter().enumerate() {
            let path = p.paths[i].as_str();
            let recorded = snap.page_pods(path);
            if recorded.is_empty() || pods.is_empty() {
                continue;
            }
            if recorded.iter().all(|pod| pods.contains(*pod)) {
                unseen[i] = true;
                continue;
            }
            for pod in pods {
                snap.forget(path, pod);
            }
        }
    }
    let first_generated: usize = generated.iter().map(BTreeSet::len).sum();
    let recorded = snapshot.as_ref().map_or(0, Baselines::len);
    let mut warnings = Vec::new();
    if !unreachable.is_empty() {
        warnings.push(format!(
            "before revalidating, {} did not answer: no change can be shown for {} where they did not",
            unreachable.iter().cloned().collect::<Vec<_>>().join(", "),
            if unreachable.len() == 1 { "it" } else { "them" }
        ));
    }
    let only_generated = setup.fanout.as_ref().is_some_and(|f| f.only_generated());
    if only_generated && first_generated > 0 {
        let them = if first_generated == 1 { "it" } else { "them" };
        warnings.push(format!(
            "{} not generated on {} pod before this run: the snapshot's GET rendered {them} from the content of now (a GET renders a page a pod never generated), so --only-generated does not skip {them}",
            crate::report::human::plural(first_generated, "page was", "pages were"),
            if first_generated == 1 { "its" } else { "their" },
        ));
    }
    let report = SnapshotReport {
        duration_ms: r.duration_ms,
        paths: start.paths,
        pods: start.pods,
        recorded,
        unreachable_pods: unreachable.into_iter().collect(),
        diverged_before,
        first_generated,
        warnings,
        stopped: r.stopped,
        exit_code: 0,
    };
    let report = SnapshotReport {
        exit_code: report.code().as_u8(),
        ..report
    };
    reporter.finish_step(&report);
    (snapshot, unseen)
}

/// The revalidate step: publish, fanout, or both, with auto's fallback to fanout. Its items
/// are the paths revalidated by path, then the tags.
async fn revalidate(
    ctx: &RunContext,
    transport: &Transport,
    setup: &Setup,
    p: &mut Progress,
    reporter: &mut Reporter,
) {
    let n = setup.by_path + setup.tags.len();
    // What item i of the step revalidated, and by how many pods.
    fn counted(p: &mut Progress, by_path: usize, i: usize) -> &mut Option<(usize, usize)> {
        if i < by_path {
            &mut p.results[i].revalidated
        } else {
            &mut p.tags[i - by_path].revalidated
        }
    }
    let all: Vec<usize> = (0..n).collect();
    let mut direct: Vec<usize> = match setup.via {
        Via::Direct | Via::Both => all.clone(),
        _ => Vec::new(),
    };
    if let Some((plan, redis)) = &setup.publish {
        match publish::Connections::open(redis, plan).await {
            Err(f) if setup.may_fall_back && f.kind.is_transient() => {
                p.fallback = Some(Fallback {
                    from: Via::Redis,
                    to: Via::Direct,
                    reason: format!("Redis cannot be used: {f}"),
                    paths: all.len(),
                });
                direct = all.clone();
            }
            Err(f) => {
                p.error = Some(f.into_error());
                return;
            }
            Ok(connections) => {
                if setup.may_fall_back {
                    // What Redis misses, fanout does: its shortfall is not the run's failure.
                    reporter.tolerate_next_step();
                }
                let r = publish::step(ctx, connections, plan, reporter).await;
                let expected = plan.expect.subscribers as usize;
                let mut short = Vec::new();
                for (i, m) in r.messages.iter().enumerate() {
                    let got = if plan.ack_timeout.is_some() {
                        m.acks.iter().filter(|a| a.outcome == "revalidated").count()
                    } else {
                        m.receivers.map_or(0, |n| n.max(0) as usize)
                    };
                    *counted(p, setup.by_path, i) = Some((got.min(expected), expected));
                    if !m.ok {
                        short.push(i);
                    }
                }
                if setup.may_fall_back && (!short.is_empty() || r.error.is_some()) {
                    let why = match &r.error {
                        Some(e) => format!("Redis failed while publishing: {e}"),
                        None => format!(
                            "{} of {} messages reached fewer than the {expected} pods found",
                            short.len(),
                            r.messages.len()
                        ),
                    };
                    if r.error.is_some() {
                        short = all.clone();
                    }
                    p.fallback = Some(Fallback {
                        from: Via::Redis,
                        to: Via::Direct,
                        reason: why,
                        paths: short.len(),
                    });
                    direct.extend(short);
                    direct.sort_unstable();
                    direct.dedup();
                }
            }
        }
    }
    if direct.is_empty() || ctx.stopped().is_some() {
        return;
    }
    let Some(plan) = &setup.fanout else {
        return;
    };
    let subset = fanout::Plan {
        paths: direct
            .iter()
            .filter(|&&i| i < setup.by_path)
            .map(|&i| setup.paths[i].clone())
            .collect(),
        tags: direct
            .iter()
            .filter(|&&i| i >= setup.by_path)
            .map(|&i| setup.tags[i - setup.by_path].clone())
            .collect(),
        ..plan.clone()
    };
    let r = fanout::step(ctx, transport, &subset, reporter).await;
    for (row, &i) in r.rows.iter().zip(&direct) {
        let of = row.ok + row.failed;
        if i < setup.by_path {
            p.results[i].gone =
                of > 0 && row.outcomes.get(&fanout::Outcome::Gone).copied() == Some(of);
        }
        let c = counted(p, setup.by_path, i);
        *c = Some(match *c {
            // Both ways: the pods that regenerated by either.
            Some((got, _)) => (row.ok.max(got), of),
            None => (row.ok, of),
        });
    }
}

/// The cdn step: the invalidation (waited for) and the purges of the paths to clear.
async fn clear_cdn(
    ctx: &RunContext,
    transport: &Transport,
    setup: &Setup,
    c: &Cdn,
    clear: &[usize],
    p: &mut Progress,
    reporter: &mut Reporter,
) {
    let paths: Vec<UrlPath> = clear.iter().map(|&i| setup.paths[i].clone()).collect();
    let mut ok = true;
    let result: Result<(), Error> = async {
        if let Some(distribution) = &c.distribution {
            let inv = cdn::prepare::invalidation(
                &c.settings,
                distribution.clone(),
                paths.clone(),
                &setup.targets,
                ctx,
                transport,
            )
            .await?;
            let api = cdn::aws::CloudFront::connect(
                &c.settings,
                &c.limits,
                c.settings.poll.min,
                distribution,
            )
            .await?;
            let opts = cdn::invalidate::Options {
                wait: true,
                wait_timeout: c.settings.wait_timeout,
                poll: c.settings.poll,
            };
            let run = (inv.run_id.as_str(), inv.run_id_source.as_str());
            let r = cdn::invalidate::step(ctx, &api, &inv.plan, run, opts, reporter).await?;
            ok &= r.code() == Code::Success;
        }
        if !c.settings.purge_urls.is_empty() || c.settings.cloudflare.is_some() {
            let plan =
                cdn::prepare::purge(&c.settings, paths.clone(), &setup.targets, ctx, transport)
                    .await?;
            let client = reqwest::Client::builder()
                .user_agent(crate::transport::USER_AGENT)
                .build()
                .map_err(|e| Error::unexpected(format!("cannot set up the HTTP client: {e}")))?;
            let r = cdn::purge::step(
                ctx,
                transport,
                &client,
                &plan,
                c.settings.wait_timeout,
                c.settings.poll,
                reporter,
            )
            .await?;
            ok &= r.code() == Code::Success;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        ok = false;
        p.error = Some(e);
    }
    for &i in clear {
        p.results[i].cdn = if ok {
            CdnAction::Cleared
        } else {
            CdnAction::Failed
        };
    }
}

/// The run's report: each path's result (the worse of the pods' and the edge's verdicts), the
/// totals and the exit code.
fn conclude(
    setup: &Setup,
    mut p: Progress,
    ctx: &RunContext,
    started: std::time::Instant,
) -> Report {
    let mut totals = Totals {
        paths: p.results.len(),
        ..Default::default()
    };
    for r in &mut p.results {
        r.verdict = match (r.pods, r.edge) {
            (Some(a), Some(b)) => Some(a.worse(b)),
            (a, b) => a.or(b),
        };
        match r.verdict {
            Some(Verdict::Fresh) => totals.fresh += 1,
            Some(Verdict::Unchanged) => totals.unchanged += 1,
            Some(_) => totals.not_fresh += 1,
            None => {}
        }
        totals.gone += usize::from(r.gone);
        match r.cdn {
            CdnAction::Cleared => totals.cdn_cleared += 1,
            CdnAction::LeftAlone => totals.cdn_left_alone += 1,
            _ => {}
        }
    }
    if totals.unchanged > 0 && !setup.settings.expect_changed {
        p.warnings.push(format!(
            "{} regenerated with the content {} before: {}",
            crate::report::human::plural(totals.unchanged, "page was", "pages were"),
            if totals.unchanged == 1 {
                "it had"
            } else {
                "they had"
            },
            verify::UNCHANGED_HINT
        ));
    }
    for t in &p.tags {
        if let Some((got, of)) = t.revalidated
            && got < of
        {
            p.warnings.push(format!(
                "tag {}: revalidated on {got} of {of} pods; the pages verified show whether its pages are fresh, but a page of this tag not listed (--verify-paths, --sitemap) may be stale on the others",
                t.tag
            ));
        }
    }
    if let Some(f) = &p.fallback {
        p.warnings.push(format!(
            "revalidated {} directly instead of through Redis: {}",
            crate::report::human::plural(f.paths, "path", "paths"),
            f.reason
        ));
    }
    let error_code = p.error.as_ref().map(Error::exit_code);
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        via: setup.via,
        steps: p.steps,
        fallback: p.fallback,
        cdn_left_alone: p.cdn_left_alone,
        edge: setup.edge.as_ref().map(|e| e.target.location().to_string()),
        paths: p.results,
        tags: p.tags,
        totals,
        warnings: p.warnings,
        error: p.error.map(|e| e.render().trim_end().to_string()),
        stopped: ctx.observed_stop(),
        exit_code: 0,
        error_code,
        expect_changed: setup.settings.expect_changed,
    };
    report.exit_code = report.code().as_u8();
    report
}
