//! verify: prove that every pod (and the edge) serves the fresh page, and every variant of it a
//! browser fetches (the data JSON, the RSC and prefetch payloads).
//!
//! Each (path, pod) body is decoded and hashed as it streams in ([`fetch`]), then each variant
//! its page calls for; per path and variant, pods are grouped by build and by hash and judged
//! ([`judge`]): `fresh` needs evidence on every pod, agreement alone is `converged`, what cannot
//! be compared is `unproven`, and a path takes its worst variant's verdict. `--wait` re-checks
//! what is not settled, with backoff; `--through` samples the edge in every Accept-Encoding
//! variant.
//! Invariants: a path is judged as soon as all its responses are in, after which only what the
//! reporter needs is kept ([`Keep`]): under `-o json` nothing, as each path's final verdict goes
//! out with its responses as soon as it is known (in the last `--wait` round that judges it), so
//! memory does not grow with the cells; verdicts come out in input order.

pub mod fetch;
mod human;
pub mod judge;
pub mod normalize;
pub mod snapshot;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use regex::bytes::Regex;

use crate::choices::{Encoding, OutputFormat};
use crate::config::VerifySettings;
use crate::context::Retain;
use crate::context::RunContext;
use crate::error::ConfigError;
use crate::exit::{Code, Stop};
use crate::paths::UrlPath;
use crate::report::{Events, Item, Listed, Reporter, Shown, StepReport, Style, Work};
use crate::targets::{self, Target};
use crate::transport::header::{self, Header};
use crate::transport::{RequestView, Transport};

pub use judge::UNCHANGED_HINT;
pub use judge::{
    BuildGroup, Changes, Criteria, HashGroup, PathVerdict, State, ThroughSummary, VariantShare,
    VariantVerdict, Verdict,
};
pub use normalize::Normalizer;
pub use snapshot::Snapshot;

pub use crate::nextjs::Variant;

/// Backoff of `--wait` rounds: from 250 ms, doubling, to 5 s.
const WAIT_FIRST: Duration = Duration::from_millis(250);
const WAIT_CAP: Duration = Duration::from_secs(5);

/// `--through`: fetch each path through one URL (load balancer or CDN).
#[derive(Clone, Debug)]
pub struct Through {
    pub target: Target,
    /// Requests per path and variant.
    pub samples: u32,
    pub encodings: Vec<Encoding>,
}

impl Through {
    fn per_path(&self) -> usize {
        self.samples as usize * self.encodings.len()
    }
}

/// Everything verify will do, resolved before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub paths: Vec<UrlPath>,
    pub targets: Vec<Target>,
    pub through: Option<Through>,
    pub normalizer: Normalizer,
    pub criteria: Criteria,
    pub etag: bool,
    pub max_body: u64,
    pub headers: Vec<Header>,
    pub baseline: Option<Snapshot>,
    pub baseline_file: Option<PathBuf>,
    pub save: Option<PathBuf>,
    pub wait: Option<Duration>,
    /// The variants checked besides the HTML; `None`: every variant each page has.
    pub variants: Option<Vec<Variant>>,
    pub warnings: Vec<String>,
    /// Keep what every pod served in the report ([`Report::snapshot`]), in memory: `run`'s
    /// snapshot before it revalidates.
    pub keep_snapshot: bool,
    /// An unchanged path is no failure (`run` without `--expect-changed`: the page was
    /// regenerated with the content it had).
    pub unchanged_ok: bool,
    /// An unchanged path is final, not waited on (`run` revalidating the pods itself: a page
    /// regenerated before verify starts does not change while it waits).
    pub unchanged_settles: bool,
}

impl Plan {
    /// Resolves normalisation, criteria, baseline and headers. Reads files; sends nothing.
    /// `targets` may be empty only with `--through`, and then a content check or a baseline is
    /// required: identical samples prove nothing.
    pub fn build(
        s: &VerifySettings,
        paths: Vec<UrlPath>,
        targets: Vec<Target>,
    ) -> Result<Plan, ConfigError> {
        let through = match &s.through {
            Some(url) => Some(Through {
                target: targets::parse_spec(&format!("through={url}")).map_err(|e| {
                    ConfigError(format!(
                        "--through {:?}: {e}",
                        crate::secret::mask_userinfo(url)
                    ))
                })?,
                samples: s.samples,
                encodings: s.encodings.clone(),
            }),
            None => None,
        };
        let normalizer = Normalizer::new(&s.presets, &s.ignore, s.select.as_deref())?;
        let regex = match &s.expect_regex {
            Some(re) => Some(
                Regex::new(re).map_err(|e| ConfigError(format!("--expect-regex {re:?}: {e}")))?,
            ),
            None => None,
        };
        let criteria = Criteria {
            status: s.expect_status.unwrap_or(200),
            status_given: s.expect_status.is_some(),
            contains: s.expect_contains.clone(),
            regex,
            expect_changed: s.expect_changed,
            page_checks: Vec::new(),
        };
        if targets.is_empty() && criteria.evidence().is_empty() && s.baseline.is_none() {
            return Err(ConfigError(
                "--through without pods needs a content check (--expect-contains, --expect-regex, --expect-status) or --baseline: identical samples prove nothing, since an edge serving the old page everywhere agrees with itself".into(),
            ));
        }
        let mut warnings = Vec::new();
        let headers = header::parse_all(&s.headers, &mut warnings)?;
        let baseline = match &s.baseline {
            Some(file) => {
                let snap = Snapshot::load(file)?;
                snap.check_compatible(&normalizer, s.etag, file)?;
                if s.expect_changed {
                    let missing: Vec<&str> = paths
                        .iter()
                        .map(UrlPath::as_str)
                        .filter(|p| !snap.paths.contains_key(*p))
                        .collect();
                    if !missing.is_empty() {
                        return Err(ConfigError(format!(
                            "--expect-changed: the baseline {} has no entry for {} (it holds {} paths); take it with `verify --save` over the same paths",
                            file.display(),
                            missing.join(", "),
                            snap.paths.len()
                        )));
                    }
                }
                Some(snap)
            }
            None => None,
        };
        // Pods are named by the baseline: one that names none of this run's pods (another
        // fleet, or every pod replaced since) proves nothing pod by pod.
        let (baseline, criteria) = match baseline {
            Some(snap)
                if !targets.is_empty()
                    && !snap.pods().is_empty()
                    && !targets
                        .iter()
                        .any(|t| snap.pods().contains(t.name.as_str())) =>
            {
                let then: Vec<&str> = snap.pods().into_iter().take(5).collect();
                let more = snap.pods().len().saturating_sub(then.len());
                warnings.push(format!(
                    "the baseline {} names pods {}{}, none of this run's pods ({}): it proves nothing pod by pod, so the paths are judged as without a baseline{}",
                    s.baseline.as_ref().map(|f| f.display().to_string()).unwrap_or_default(),
                    then.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() },
                    targets.iter().take(5).map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                    if criteria.expect_changed { " (--expect-changed has nothing to compare with)" } else { "" },
                ));
                (
                    None,
                    Criteria {
                        expect_changed: false,
                        ..criteria
                    },
                )
            }
            other => (other, criteria),
        };
        Ok(Plan {
            paths,
            targets,
            through,
            normalizer,
            criteria,
            etag: s.etag,
            max_body: s.max_body,
            headers,
            baseline_file: baseline.as_ref().and(s.baseline.clone()),
            baseline,
            save: s.save.clone(),
            wait: s.wait,
            variants: s.variants.clone(),
            warnings,
            keep_snapshot: false,
            unchanged_ok: false,
            unchanged_settles: false,
        })
    }

    /// Whether nothing more is to be waited for on a path of this verdict.
    fn settled(&self, v: Verdict) -> bool {
        v.is_settled() || (self.unchanged_settles && v == Verdict::Unchanged)
    }

    /// Whether this variant is checked when a page has it: the page itself always; the others
    /// unless `--variants` leaves them out, or `--etag` (which reads no body to find them).
    pub fn wants(&self, v: Variant) -> bool {
        v == Variant::Html
            || (!self.etag && self.variants.as_ref().is_none_or(|list| list.contains(&v)))
    }

    /// Whether pages are read for the variants they call for.
    pub fn finds_variants(&self) -> bool {
        Variant::ALL
            .iter()
            .any(|v| *v != Variant::Html && self.wants(*v))
    }

    /// Whether a body must be held whole (else it is hashed as it streams).
    fn buffered(&self) -> bool {
        self.normalizer.needs_body() || self.criteria.regex.is_some()
    }

    fn samples_per_path(&self) -> usize {
        self.through.as_ref().map_or(0, Through::per_path)
    }

    /// Requests one round sends per path.
    pub fn requests_per_path(&self) -> usize {
        self.targets.len() + self.samples_per_path()
    }
}

/// What fetching one (path, pod) cell ended in.
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
pub enum FetchOutcome {
    Fetched,
    Unreachable,
    TooLarge,
    /// An answer whose body cannot be decoded (a corrupt or truncated compressed stream, or a
    /// content-encoding this program does not read): an answer, but not one to judge.
    Undecodable,
    Error,
    Cancelled,
}

/// One fetch: what came back, hashed, and (after judging) what state it is in.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Fetch {
    pub path: String,
    /// What was fetched of the page: the page itself (html), or a variant a browser fetches.
    #[serde(default)]
    pub variant: Variant,
    /// For a variant: the URL fetched (path and query), after the redirect Next.js asked for.
    #[serde(default)]
    pub url: Option<String>,
    pub pod: String,
    /// For edge samples: the Accept-Encoding variant asked for.
    pub encoding: Option<Encoding>,
    pub outcome: Option<FetchOutcome>,
    pub status: Option<u16>,
    pub hash: Option<String>,
    pub build_id: Option<String>,
    pub etag: Option<String>,
    pub nextjs_cache: Option<String>,
    pub cache_control: Option<String>,
    pub age: Option<String>,
    pub x_cache: Option<String>,
    pub last_modified: Option<String>,
    pub content_encoding: Option<String>,
    pub length: Option<u64>,
    pub latency_ms: f64,
    pub attempts: u32,
    pub contains: Option<bool>,
    pub matches: Option<bool>,
    /// With --baseline: whether this response differs from every hash the baseline holds for
    /// the path (null without a baseline).
    pub changed: Option<bool>,
    pub error: Option<String>,
    /// Set when normalisation left nothing (or under 1%) of this body to compare, naming the
    /// setting: the response proves nothing and is unproven.
    pub erased: Option<String>,
    /// The setting of `erased` alone, for the report's warning.
    #[serde(skip)]
    pub erased_by: Option<String>,
    /// Set by judging (null when the fetch got no answer).
    pub state: Option<State>,
    /// Why this response is not fresh.
    pub problems: Vec<String>,
    #[serde(skip)]
    pub path_index: usize,
    #[serde(skip)]
    pub slot: usize,
    /// A `--through` sample (not a pod): routed by this, never by name, as pods may be named
    /// anything, "through#1" included.
    #[serde(skip)]
    pub sample: bool,
    /// For a page: the variants its response calls for, fetched next.
    #[serde(skip)]
    pub calls_for: Vec<crate::nextjs::VariantRequest>,
    /// The `Location` of a redirect.
    #[serde(skip)]
    pub location: Option<String>,
    /// For a variant fetched from a pod: the state of its page on the same pod.
    #[serde(skip)]
    pub page_state: Option<State>,
}

impl Fetch {
    /// Whether people need this response itself to read a verdict: a fetch that got no answer
    /// (stale and unproven responses are told by their path's verdict, which groups them).
    fn is_failure(&self) -> bool {
        self.outcome != Some(FetchOutcome::Fetched)
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyTotals")]
pub struct Totals {
    pub paths: usize,
    pub fresh: usize,
    pub converged: usize,
    #[serde(default)]
    pub unchanged: usize,
    pub unproven: usize,
    pub stale: usize,
    pub unreachable: usize,
    pub cells: usize,
    pub unreachable_cells: usize,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyReport")]
pub struct Report {
    pub duration_ms: f64,
    pub targets: Vec<Target>,
    pub through: Option<String>,
    /// Samples per path and variant.
    pub samples: u32,
    pub encodings: Vec<Encoding>,
    pub etag_mode: bool,
    pub normalisation: Vec<String>,
    pub expected: String,
    pub baseline: Option<String>,
    pub rounds: u32,
    /// One verdict a path, in input order, each with the responses it was judged from (its
    /// last round's). The JSON document lists each as soon as it is final; NDJSON writes each
    /// as a `verdict` event when the step ends.
    pub verdicts: Vec<PathVerdict>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub saved: Option<String>,
    /// `--save` failed: why, in a sentence. The run then exits 1 whatever the pods' verdicts
    /// (only a signal's code wins), so a CI step that takes the snapshot for a later
    /// `--baseline`, and tolerates 3 or 4 there, stops here, before the content goes out.
    pub save_error: Option<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    /// What every pod served, when the plan kept it ([`Plan::keep_snapshot`]); not part of the
    /// JSON report.
    #[serde(skip)]
    pub snapshot: Option<Snapshot>,
    /// Whether unchanged paths pass ([`Plan::unchanged_ok`]).
    #[serde(skip)]
    pub unchanged_ok: bool,
}

impl Report {
    pub fn code(&self) -> crate::exit::Code {
        let unchanged = if self.unchanged_ok {
            0
        } else {
            self.totals.unchanged
        };
        let found = crate::exit::code_for(&crate::exit::Summary {
            failed_cells: self.totals.unreachable,
            stale_paths: self.totals.stale + self.totals.unproven + unchanged,
            stopped: self.stopped,
        });
        use crate::exit::Code;
        match found {
            Code::Interrupted | Code::Terminated => found,
            _ if self.save_error.is_some() => Code::Unexpected,
            _ => found,
        }
    }
}

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
    snapshot: Option<Snapshot>,
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
            &plan.criteria,
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
        next_data_re: Regex::new(crate::nextjs::NEXT_DATA_QUERY).expect("static regex"),
        json_needle,
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
        snapshot: (plan.save.is_some() || plan.keep_snapshot)
            .then(|| Snapshot::new(plan.etag, plan.normalizer.description.clone())),
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
        snapshot: snapshot.filter(|_| plan.keep_snapshot),
        unchanged_ok: plan.unchanged_ok,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// One lane per pod (each in path order), plus one for the edge: the samples of one path go
/// out together, variant by variant, so each lands on whichever pod the balancer picks.
fn lanes(plan: &Plan, todo: &[usize]) -> Vec<Vec<fetch::Job>> {
    let mut lanes: Vec<Vec<fetch::Job>> = plan
        .targets
        .iter()
        .enumerate()
        .map(|(t, _)| {
            todo.iter()
                .map(|&p| fetch::Job {
                    path_index: p,
                    slot: t,
                    encoding: None,
                })
                .collect()
        })
        .collect();
    if let Some(th) = &plan.through {
        let mut lane = Vec::new();
        for &p in todo {
            let mut slot = 0;
            for &enc in &th.encodings {
                for _ in 0..th.samples {
                    lane.push(fetch::Job {
                        path_index: p,
                        slot,
                        encoding: Some(enc),
                    });
                    slot += 1;
                }
            }
        }
        lanes.push(lane);
    }
    lanes
}

/// What --dry-run reports: every request verify would send in its first round.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyDryRun")]
pub struct DryRun {
    pub targets: Vec<Target>,
    pub through: Option<String>,
    pub paths: Vec<UrlPath>,
    pub requests: Vec<RequestView>,
    pub warnings: Vec<String>,
}

pub fn dry_run(plan: &Plan, transport: &Transport) -> DryRun {
    let method = if plan.etag { "HEAD" } else { "GET" };
    let given: Vec<(String, String)> = plan
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.shown.clone()))
        .collect();
    let mut requests = Vec::new();
    for job in lanes(plan, &(0..plan.paths.len()).collect::<Vec<_>>())
        .into_iter()
        .flatten()
    {
        let path = &plan.paths[job.path_index];
        let mut headers = vec![(
            "accept-encoding".to_string(),
            job.encoding
                .map_or("gzip, br", Encoding::accept)
                .to_string(),
        )];
        headers.extend(given.iter().cloned());
        requests.push(RequestView {
            path: path.to_string(),
            pod: job.name(plan),
            method: method.to_string(),
            url: crate::secret::mask_query(&crate::secret::redact(
                &transport.url(job.target(plan), path.as_str()),
            )),
            headers,
            body: None,
        });
    }
    // In input order: path, then pod, then samples.
    let order: BTreeMap<&str, usize> = plan
        .paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    requests.sort_by_key(|r| order.get(r.path.as_str()).copied().unwrap_or(usize::MAX));
    DryRun {
        targets: plan.targets.clone(),
        through: plan
            .through
            .as_ref()
            .map(|t| t.target.location().to_string()),
        paths: plan.paths.clone(),
        requests,
        warnings: {
            let mut w = plan.warnings.clone();
            if plan.finds_variants() {
                w.push("the data JSON and RSC payloads a browser also fetches are found in each page's response and fetched after it, so they are not listed".into());
            }
            w
        },
    }
}

/// Hash prefix shown to people.
pub fn short_hash(h: &str) -> &str {
    if h.starts_with('"') {
        // An ETag (--etag mode) is short already and only meaningful whole.
        h
    } else {
        &h[..h.len().min(12)]
    }
}

/// One fetch of a round, as it completes.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct FetchEvent<'a> {
    round: u32,
    #[serde(flatten)]
    fetch: &'a Fetch,
}

impl Item for FetchEvent<'_> {
    const EVENT: &'static str = "fetch";
    /// The bar counts pages: the variants each page calls for are not known up front.
    fn shown(&self, _: &Style) -> Shown {
        if self.fetch.variant == Variant::Html {
            Shown::Tick
        } else {
            Shown::Nothing
        }
    }
}

/// A path's verdict: an NDJSON `verdict` event when the step ends, an item of the JSON
/// document's `verdicts` as soon as it is final.
impl Item for PathVerdict {
    const EVENT: &'static str = "verdict";
    const AT_STEP_END: bool = true;
    fn shown(&self, _: &Style) -> Shown {
        Shown::Nothing
    }
}

/// A round ended; `next` requests follow in another round after `pause` (none: the last).
#[derive(serde::Serialize, schemars::JsonSchema)]
struct RoundEvent {
    round: u32,
    settled: usize,
    paths: usize,
    #[serde(skip)]
    next: usize,
    #[serde(skip)]
    pause: Duration,
}

impl Item for RoundEvent {
    const EVENT: &'static str = "round";
    fn shown(&self, _: &Style) -> Shown {
        if self.next == 0 {
            return Shown::Nothing;
        }
        Shown::Bar(
            self.next,
            next_round(self.round, self.settled, self.paths, self.pause),
        )
    }
}

/// The progress bar's message while `--wait` pauses before its next round.
fn next_round(round: u32, settled: usize, paths: usize, pause: Duration) -> String {
    format!(
        "round {} after a {} pause: {settled}/{paths} settled, re-checking",
        round + 1,
        crate::units::short_duration(pause)
    )
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            ("fetch", g.subschema_for::<FetchEvent<'static>>()),
            ("round", g.subschema_for::<RoundEvent>()),
            ("verdict", g.subschema_for::<PathVerdict>()),
        ]
    }
    const KIND: &'static str = "verify";
    const STEP: &'static str = "verify";
    const LISTED: Option<&'static str> = Some("verdicts");
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
        human::verify(self, style)
    }
    fn error(&self) -> Option<&str> {
        self.save_error.as_deref()
    }
}

impl StepReport for DryRun {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![("request", g.subschema_for::<RequestView>())]
    }
    const KIND: &'static str = "verify-dry-run";
    const STEP: &'static str = "verify";
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
        human::verify_dry_run(self, style)
    }
    fn events(&self, events: &mut Events<'_>) {
        for r in &self.requests {
            events.emit("request", r);
        }
    }
}

/// What a verify is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyStart")]
struct Start<'a> {
    targets: &'a [Target],
    through: Option<&'a str>,
    paths: usize,
    requests: usize,
}

/// Runs verify (with its `--wait` rounds) as a step of a command.
pub async fn step(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    reporter: &mut Reporter,
) -> Report {
    step_with(ctx, transport, plan, reporter, |_, _| {}).await
}

/// [`step`], handing each path's final verdict to `on_verdict` (with its input position) as
/// it comes: the returned report holds the verdicts only when people's output needs them at the
/// end, so a caller that chains steps reads them here.
pub async fn step_with(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    reporter: &mut Reporter,
    mut on_verdict: impl FnMut(usize, &PathVerdict),
) -> Report {
    let through = plan.through.as_ref().map(|t| t.target.location());
    let requests = plan.paths.len() * plan.requests_per_path();
    let start = Start {
        targets: &plan.targets,
        through: through.as_deref(),
        paths: plan.paths.len(),
        requests,
    };
    reporter.start::<Report>(
        &start,
        Work {
            len: requests,
            what: "fetching",
        },
    );
    // People's tables need every verdict at the end; the JSON document and NDJSON take each as
    // it is final.
    let retain = reporter.retain_for::<Report>();
    let keep = match reporter.format() {
        OutputFormat::Human => Keep::Verdicts(retain),
        OutputFormat::Json => Keep::Handed(Retain::All),
        OutputFormat::Ndjson => Keep::Handed(retain),
    };
    let report = run(ctx, transport, plan, keep, |p| match p {
        Progress::Fetch(round, fetch) => reporter.item(&FetchEvent { round, fetch }),
        Progress::Verdict(index, verdict) => {
            on_verdict(index, verdict);
            reporter.item(&Listed(verdict, index));
        }
        Progress::Round {
            round,
            settled,
            total,
            next,
            pause,
        } => reporter.item(&RoundEvent {
            round,
            settled,
            paths: total,
            next,
            pause,
        }),
    })
    .await;
    reporter.finish_step(&report);
    report
}

#[cfg(test)]
mod step_tests {
    use super::*;

    #[test]
    fn the_bar_between_wait_rounds_names_the_pause() {
        assert_eq!(
            next_round(1, 3, 5, Duration::from_millis(500)),
            "round 2 after a 500ms pause: 3/5 settled, re-checking"
        );
        assert_eq!(
            next_round(4, 0, 1, Duration::from_secs(5)),
            "round 5 after a 5.00s pause: 0/1 settled, re-checking"
        );
    }
}
