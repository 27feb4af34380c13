//! verify's rounds: every request of a round goes out (one lane per pod, one for the edge), each
//! path is judged as soon as all its responses are in, and its verdict is handed to the caller
//! once it is final; `--wait` re-checks what is not settled, with backoff.
//!
//! Invariants: a path's slots exist only while its responses come in; after judging, only what
//! [`Keep`] asks for stays; a verdict not settled in a round is held until it is known whether
//! another round judges it again, so each path's final verdict is handed out once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use regex::bytes::Regex;

use super::plan::lanes;
use super::{
    Baselines, Fetch, PathVerdict, Plan, Report, Snapshot, Totals, Variant, Verdict, fetch, human,
    judge,
};
use crate::context::{Retain, RunContext};
use crate::transport::Transport;

/// Backoff of `--wait` rounds: from 250 ms, doubling, to 5 s.
const WAIT_FIRST: Duration = Duration::from_millis(250);
const WAIT_CAP: Duration = Duration::from_secs(5);

/// What a step's caller sees while verify runs.
pub enum Progress<'a> {
    Fetch(u32, &'a Fetch),
    /// A path's final verdict, with the responses it was judged from that the run keeps, at its
    /// input position.
    Verdict(usize, &'a PathVerdict),
    Round {
        round: u32,
        settled: usize,
        total: usize,
        /// Requests the next round sends, when there is one.
        next: usize,
        /// The pause before the next round.
        pause: Duration,
    },
}

/// The fetches of one path until all are in: per pod (and per sample), the page then its
/// variants.
struct Pending {
    pods: Vec<Vec<Fetch>>,
    samples: Vec<Vec<Fetch>>,
    missing: usize,
}

impl Pending {
    fn new(n_pods: usize, n_samples: usize) -> Pending {
        Pending {
            pods: vec![vec![Fetch::default()]; n_pods],
            samples: vec![vec![Fetch::default()]; n_samples],
            missing: n_pods + n_samples,
        }
    }
}

/// What a run keeps of each path, and what it hands out as it goes: decided by what the output
/// needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Every path's verdict in the report, each with the responses [`Retain`] keeps: those that
    /// got no answer for people's tables ([`Retain::Failures`], which also drops what people's
    /// report never reads of a path that is not stale), all for a caller that reads the report
    /// itself.
    Verdicts(Retain),
    /// No verdict in the report: each path's final verdict, with the responses [`Retain`]
    /// keeps, goes to the caller as [`Progress::Verdict`] as soon as it is final (the JSON
    /// document lists it with every response; NDJSON writes it, without, when the step ends),
    /// so memory does not grow with the cells.
    Handed(Retain),
}

/// What is kept of the run: each path's verdict and the responses the output needs.
struct Kept {
    keep: Keep,
    /// Per path, its latest verdict and how many of its pods gave no answer: the totals, and
    /// what the next `--wait` round re-checks.
    judged: Vec<Option<(Verdict, usize)>>,
    /// Per path, its verdict ([`Keep::Verdicts`]; empty when handed out).
    verdicts: Vec<Option<PathVerdict>>,
    /// With `--wait`: verdicts not settled in this round, held until it is known whether
    /// another round judges them again.
    held: BTreeMap<usize, PathVerdict>,
    /// When the `--wait` rounds end: a verdict judged after it is final.
    wait_until: Option<Instant>,
    /// What every pod served, for `--save`.
    snapshot: Option<Snapshot>,
    /// What every pod served, as judging reads it ([`Plan::keep_snapshot`]).
    baselines: Option<Baselines>,
    /// Paths judged in the current round.
    this_round: Vec<bool>,
    /// Settings that erased bodies: setting -> (the first path and response, how many more).
    erasures: BTreeMap<String, (String, usize)>,
}

impl Kept {
    /// Judges path `p` from its responses; returns its verdict when it is final (else holds it
    /// until the round ends: another may judge it again).
    fn judge(
        &mut self,
        ctx: &RunContext,
        plan: &Plan,
        p: usize,
        pend: Pending,
    ) -> Option<PathVerdict> {
        let path = plan.paths[p].as_str();
        // One part per variant: the page's fetches from every pod and sample, then each
        // variant's, in pod order.
        let mut parts: Vec<judge::Part> = Vec::new();
        let mut part = |f: Fetch, sample: bool| {
            let i = match parts.iter().position(|x| x.variant == f.variant) {
                Some(i) => i,
                None => {
                    parts.push(judge::Part {
                        variant: f.variant,
                        url: String::new(),
                        pods: Vec::new(),
                        samples: Vec::new(),
                        baseline: None,
                    });
                    parts.len() - 1
                }
            };
            let x = &mut parts[i];
            if x.url.is_empty() {
                x.url = f.url.clone().unwrap_or_default();
            }
            if sample {
                x.samples.push(f);
            } else {
                x.pods.push(f);
            }
        };
        for f in pend.pods.into_iter().flatten() {
            part(f, false);
        }
        for f in pend.samples.into_iter().flatten() {
            part(f, true);
        }
        if !parts.iter().any(|x| x.variant == Variant::Html) {
            parts.insert(0, judge::Part::empty(Variant::Html));
        }
        parts.sort_by_key(|x| x.variant);
        for x in &mut parts {
            if x.variant == Variant::Html {
                x.url = path.to_string();
            }
            x.baseline = plan
                .baseline
                .as_ref()
                .and_then(|b| b.baseline_of(path, x.variant));
        }
        let mut v = judge::evaluate_page(
            path,
            &mut parts,
            plan.through
                .as_ref()
                .map(|t| t.target.location())
                .as_deref(),
            plan.criteria_of(path),
            plan.baseline.is_some(),
        );
        // --etag reads no bodies, so it cannot find a page's variants: on the pods they are one
        // cache entry with the page, but the edge keeps each apart, and none was checked there.
        if plan.etag
            && plan.through.is_some()
            && plan.variants.is_none()
            && v.verdict == Verdict::Fresh
        {
            v.verdict = Verdict::Converged;
            v.reason = format!(
                "{}; but --etag reads no bodies, so the data JSON and RSC payloads the edge caches apart from the page were not checked: drop --etag to check them, or give --variants html to check the page alone",
                v.reason
            );
        }
        let fetches = || parts.iter().flat_map(|x| x.pods.iter().chain(&x.samples));
        for f in fetches() {
            if let (Some(e), Some(rule)) = (&f.erased, &f.erased_by) {
                self.erasures
                    .entry(rule.clone())
                    .and_modify(|(_, more)| *more += 1)
                    .or_insert_with(|| {
                        let what = match &f.url {
                            Some(u) => format!("{} ({u})", f.variant.name()),
                            None => f.path.clone(),
                        };
                        (format!("{what} on {} ({e})", f.pod), 0)
                    });
            }
        }
        if let Some(snap) = &mut self.snapshot {
            parts
                .iter()
                .flat_map(|x| &x.pods)
                .for_each(|f| snap.record(f));
        }
        if let Some(b) = &mut self.baselines {
            parts.iter().flat_map(|x| &x.pods).for_each(|f| b.record(f));
        }
        let (Keep::Verdicts(retain) | Keep::Handed(retain)) = self.keep;
        let keeps: Option<fn(&Fetch) -> bool> = match retain {
            Retain::All => Some(|_| true),
            Retain::Failures => Some(Fetch::is_failure),
            Retain::Nothing => None,
        };
        if let Some(keeps) = keeps {
            let (mut pods, mut samples) = (Vec::new(), Vec::new());
            for x in parts {
                pods.extend(x.pods.into_iter().filter(keeps));
                samples.extend(x.samples.into_iter().filter(keeps));
            }
            v.cells = Some(pods);
            v.through_samples = Some(samples);
        }
        self.judged[p] = Some((v.verdict, v.unreachable_pods.len()));
        self.this_round[p] = true;
        // Judged again in a later round unless settled, out of time or stopped.
        if plan.settled(v.verdict)
            || self.wait_until.is_none_or(|u| Instant::now() >= u)
            || ctx.stopped().is_some()
        {
            Some(v)
        } else {
            self.held.insert(p, v);
            None
        }
    }

    /// A final verdict, once handed out: the report keeps it ([`Keep::Verdicts`]).
    fn keep(&mut self, p: usize, mut v: PathVerdict) {
        if let Keep::Verdicts(retain) = self.keep {
            if retain == Retain::Failures {
                human::trim(&mut v);
            }
            self.verdicts[p] = Some(v);
        }
    }
}

/// Runs verify (with `--wait` rounds) and returns the report; `on` sees each fetch, each
/// round's end and each path's final verdict, on the caller's task.
pub async fn run(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    keep: Keep,
    mut on: impl FnMut(Progress<'_>),
) -> Report {
    let started = Instant::now();
    let json_needle = plan.criteria.contains.as_ref().and_then(|c| {
        let quoted = serde_json::to_string(c).expect("strings serialize");
        let inner = quoted[1..quoted.len() - 1].to_string();
        (inner != *c).then_some(inner)
    });
    let shared = Arc::new(fetch::Shared {
        plan: plan.clone(),
        ctx: ctx.clone(),
        transport: transport.clone(),
        build_re: Regex::new(crate::nextjs::BUILD_ID).expect("static regex"),
        json_needle,
        routes: Default::default(),
    });
    let n_pods = plan.targets.len();
    let n_samples = plan.samples_per_path();
    let n_paths = plan.paths.len();
    let wait_until = plan.wait.map(|w| Instant::now() + w);
    let mut kept = Kept {
        keep,
        judged: vec![None; n_paths],
        verdicts: match keep {
            Keep::Verdicts(_) => vec![None; n_paths],
            Keep::Handed(_) => Vec::new(),
        },
        held: BTreeMap::new(),
        wait_until,
        snapshot: plan
            .save
            .is_some()
            .then(|| Snapshot::new(plan.etag, plan.normalizer.description.clone())),
        baselines: plan.keep_snapshot.then(Baselines::new),
        this_round: vec![false; n_paths],
        erasures: BTreeMap::new(),
    };
    let mut todo: Vec<usize> = (0..n_paths).collect();
    let mut round = 0;
    let mut pause = WAIT_FIRST;
    loop {
        round += 1;
        kept.this_round.iter_mut().for_each(|j| *j = false);
        kept.erasures.clear();
        // What the last round held is judged again in this one.
        kept.held.clear();
        // A path's slots are made when its first response arrives and go when it is judged, so
        // only the paths in flight are held.
        let mut pending: BTreeMap<usize, Pending> = BTreeMap::new();
        fetch::fetch_all(&shared, lanes(plan, &todo), |fs| {
            for f in &fs {
                on(Progress::Fetch(round, f));
            }
            let Some(first) = fs.first() else { return };
            let (p, slot, sample) = (first.path_index, first.slot, first.sample);
            let pend = pending
                .entry(p)
                .or_insert_with(|| Pending::new(n_pods, n_samples));
            pend.missing -= 1;
            if sample {
                pend.samples[slot] = fs;
            } else {
                pend.pods[slot] = fs;
            }
            if pend.missing == 0 {
                let pend = pending.remove(&p).expect("present");
                if let Some(v) = kept.judge(ctx, plan, p, pend) {
                    on(Progress::Verdict(p, &v));
                    kept.keep(p, v);
                }
            }
        })
        .await;
        // Paths whose fetches did not all come back (cannot happen unless a task panicked):
        // what did not answer is judged as no answer.
        for &p in &todo {
            if !kept.this_round[p] {
                let pend = pending
                    .remove(&p)
                    .unwrap_or_else(|| Pending::new(n_pods, n_samples));
                if let Some(v) = kept.judge(ctx, plan, p, pend) {
                    on(Progress::Verdict(p, &v));
                    kept.keep(p, v);
                }
            }
        }
        todo = (0..n_paths)
            .filter(|&p| !kept.judged[p].is_some_and(|(v, _)| plan.settled(v)))
            .collect();
        let more = wait_until.is_some_and(|u| Instant::now() < u)
            && !todo.is_empty()
            && ctx.stopped().is_none();
        on(Progress::Round {
            round,
            settled: n_paths - todo.len(),
            total: n_paths,
            next: if more {
                todo.len() * plan.requests_per_path()
            } else {
                0
            },
            pause: wait_until.map_or(Duration::ZERO, |u| {
                pause.min(u.saturating_duration_since(Instant::now()))
            }),
        });
        let Some(until) = wait_until else { break };
        if !more {
            break;
        }
        let now = Instant::now();
        if ctx.sleep(pause.min(until - now)).await.is_err() || Instant::now() >= until {
            break;
        }
        pause = (pause * 2).min(WAIT_CAP);
    }
    // No round follows: what was held is final.
    for (p, v) in std::mem::take(&mut kept.held) {
        on(Progress::Verdict(p, &v));
        kept.keep(p, v);
    }

    let Kept {
        judged,
        verdicts,
        snapshot,
        baselines,
        erasures,
        ..
    } = kept;
    let verdicts: Vec<PathVerdict> = verdicts
        .into_iter()
        .map(|v| v.expect("every path judged"))
        .collect();
    let mut totals = Totals {
        paths: n_paths,
        cells: n_paths * n_pods,
        ..Default::default()
    };
    for (verdict, unreachable) in judged.into_iter().map(|j| j.expect("every path judged")) {
        totals.unreachable_cells += unreachable;
        match verdict {
            Verdict::Fresh => totals.fresh += 1,
            Verdict::Converged => totals.converged += 1,
            Verdict::Unchanged => totals.unchanged += 1,
            Verdict::Unproven => totals.unproven += 1,
            Verdict::Stale => totals.stale += 1,
            Verdict::Unreachable => totals.unreachable += 1,
        }
    }
    let mut saved = None;
    let mut save_error = None;
    let mut warnings = plan.warnings.clone();
    for (rule, (first, more)) in erasures {
        warnings.push(format!(
            "{rule} erases the page: {first}{}; a normalisation that leaves nothing to compare proves nothing, so those paths are unproven",
            if more > 0 {
                format!(" and {more} more response{}", if more == 1 { "" } else { "s" })
            } else {
                String::new()
            }
        ));
    }
    let mut snapshot = snapshot;
    if let Some(snap) = &mut snapshot {
        snap.taken_at = crate::units::timestamp(std::time::SystemTime::now());
    }
    if let (Some(file), Some(snap)) = (&plan.save, &snapshot) {
        match snap.save(file) {
            Ok(()) => saved = Some(file.display().to_string()),
            Err(e) => {
                save_error = Some(format!("cannot save the snapshot {}: {e}", file.display()))
            }
        }
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        targets: plan.targets.clone(),
        through: plan
            .through
            .as_ref()
            .map(|t| t.target.location().to_string()),
        samples: plan.through.as_ref().map_or(0, |t| t.samples),
        encodings: plan
            .through
            .as_ref()
            .map_or_else(Vec::new, |t| t.encodings.clone()),
        etag_mode: plan.etag,
        normalisation: plan.normalizer.description.clone(),
        expected: plan.criteria.describe(plan.etag),
        baseline: plan.baseline_file.as_ref().map(|f| f.display().to_string()),
        rounds: round,
        verdicts,
        totals,
        warnings,
        saved,
        save_error,
        stopped: ctx.observed_stop(),
        exit_code: 0,
        snapshot: baselines,
        unchanged_ok: plan.unchanged_ok,
    };
    report.exit_code = report.code().as_u8();
    report
}
