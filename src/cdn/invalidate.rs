//! `cdn invalidate`: submits a [`Plan`]'s batches to CloudFront, each only when the
//! distribution's in-progress limits have room for it, and with `--wait` polls until they
//! complete.
//!
//! Before each batch, ListInvalidations (and GetInvalidation for in-progress ones this run did
//! not make) tells how many file and wildcard paths are in progress; the batch waits while it
//! would exceed 3,000 files or 15 wildcards. `TooManyInvalidationsInProgress` (which the SDK does
//! not retry), throttling and 5xx left after the SDK's own retries are retried with jittered
//! backoff until `--wait-timeout`. Invariants: a batch is `created` only when CloudFront
//! answered with its invalidation; one CloudFront already had (its CallerReference came back
//! with an invalidation listed before this run's call, or created before this run) is `reused`
//! and billed nothing; a lasting failure stops the batches after it and names what to fix;
//! nothing here prints.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::aws::{ApiError, ApiErrorKind, CloudFront};
use super::plan::{Batch, MAX_FILES_IN_PROGRESS, MAX_WILDCARDS_IN_PROGRESS, Plan, Summary};
use super::wait::{self, End, Watched, or_stop};
use super::{Failure, Paused, pause, retry_delay};
use crate::config::Poll;
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::Code;
use crate::exit::Stop;
use crate::report::{Events, Item, Payload, Reporter, Shown, StepReport, Style, Work};

/// An invalidation created this long before the run started was not made by it, whatever the
/// clocks' skew.
const REUSED_BEFORE: Duration = Duration::from_secs(300);

/// Pages of ListInvalidations read to find the ones in progress (they are the newest).
const MAX_LIST_PAGES: usize = 10;

/// How the step runs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub wait: bool,
    /// How long the step may wait on CloudFront, for room and for completion.
    pub wait_timeout: Duration,
    pub poll: Poll,
}

/// What became of a batch.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum BatchOutcome {
    /// CloudFront created a new invalidation.
    Created,
    /// CloudFront returned one it already had for this CallerReference: nothing was invalidated
    /// now, and nothing billed.
    Reused,
    /// CloudFront refused it.
    Failed,
    /// Not sent: an earlier failure, or no room under the limits before --wait-timeout.
    NotSubmitted,
    /// Not sent: the run was interrupted or reached --deadline.
    Cancelled,
}

impl BatchOutcome {
    pub fn name(self) -> &'static str {
        match self {
            BatchOutcome::Created => "created",
            BatchOutcome::Reused => "reused",
            BatchOutcome::Failed => "failed",
            BatchOutcome::NotSubmitted => "not-submitted",
            BatchOutcome::Cancelled => "cancelled",
        }
    }

    pub fn submitted(self) -> bool {
        matches!(self, BatchOutcome::Created | BatchOutcome::Reused)
    }
}

/// One batch's fate.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct BatchReport {
    pub index: usize,
    pub caller_reference: String,
    pub outcome: BatchOutcome,
    /// The invalidation's id.
    pub id: Option<String>,
    /// Its status as CloudFront last reported it.
    pub status: Option<String>,
    pub completed: bool,
    /// CloudFront's CreateTime (RFC 3339).
    pub create_time: Option<String>,
    pub files: usize,
    pub wildcards: usize,
    /// Paths billed for this batch (0 unless created).
    pub billed_paths: u64,
    pub cost_usd: f64,
    pub paths: Vec<String>,
    /// CreateInvalidation calls made for it (the SDK's own retries not counted).
    pub attempts: u32,
    /// How long it waited for room under the in-progress limits, or for CloudFront to take it
    /// (from the first time it was held back until it was sent).
    pub blocked_ms: f64,
    /// From the step's start until CloudFront accepted it.
    pub submitted_after_ms: Option<f64>,
    /// From acceptance until completion was seen (`--wait`).
    pub completed_after_ms: Option<f64>,
    pub error: Option<String>,
}

impl BatchReport {
    fn planned(b: &Batch) -> BatchReport {
        BatchReport {
            index: b.index,
            caller_reference: b.caller_reference.clone(),
            outcome: BatchOutcome::NotSubmitted,
            id: None,
            status: None,
            completed: false,
            create_time: None,
            files: b.files,
            wildcards: b.wildcards,
            billed_paths: 0,
            cost_usd: 0.0,
            paths: b.paths.clone(),
            attempts: 0,
            blocked_ms: 0.0,
            submitted_after_ms: None,
            completed_after_ms: None,
            error: None,
        }
    }
}

#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "InvalidateTotals")]
pub struct Totals {
    pub batches: usize,
    pub created: usize,
    pub reused: usize,
    pub failed: usize,
    pub not_submitted: usize,
    pub cancelled: usize,
    pub completed: usize,
    pub in_progress: usize,
    /// Paths of the batches created now.
    pub paths: usize,
    pub billed_paths: u64,
    pub cost_usd: f64,
    /// CloudFront API calls made (ListInvalidations pages, GetInvalidation, CreateInvalidation;
    /// the SDK's own retries not counted).
    pub api_calls: usize,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "InvalidateReport")]
pub struct Report {
    pub duration_ms: f64,
    pub distribution: String,
    pub run_id: String,
    /// Where the run id came from (`--run-id`, a CI variable, random).
    pub run_id_source: String,
    /// What the plan was, before anything was sent.
    pub plan: Summary,
    pub waited: bool,
    pub batches: Vec<BatchReport>,
    /// Ids not completed when the step ended.
    pub in_progress: Vec<String>,
    /// Whether --wait-timeout ended the step.
    pub timed_out: bool,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub failure: Option<Failure>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Report {
    /// Work left undone (a batch not created, or with --wait one not completed) is exit 3; a
    /// failure's own code (2 or 5) outranks it.
    pub fn code(&self) -> Code {
        let t = &self.totals;
        let undone =
            t.failed + t.not_submitted + t.cancelled + if self.waited { t.in_progress } else { 0 };
        Failure::step_code(self.failure.as_ref(), undone, self.stopped)
    }

    /// Nothing reached CloudFront: the failure is all there is to say.
    pub fn nothing_submitted(&self) -> bool {
        self.batches.iter().all(|b| !b.outcome.submitted())
    }
}

/// What the step reports as it goes.
#[derive(Clone, Copy, Debug)]
pub enum Progress<'a> {
    /// A batch waits for room: this many file and wildcard paths are in progress.
    Blocked {
        batch: usize,
        files: usize,
        wildcards: usize,
    },
    /// A batch was sent (or given up).
    Batch(&'a BatchReport),
    /// The waiter's news.
    Wait(wait::Event<'a>),
}

/// What the distribution has in progress.
struct InProgress {
    files: usize,
    wildcards: usize,
}

/// Lists the distribution's invalidations (newest first, until a page has none in progress) and
/// counts the paths of those in progress, fetching the paths of any this run does not know.
async fn in_progress(
    api: &CloudFront,
    known: &mut HashMap<String, (usize, usize)>,
    listed: &mut HashSet<String>,
) -> Result<InProgress, ApiError> {
    let mut marker: Option<String> = None;
    let mut ids = Vec::new();
    for _ in 0..MAX_LIST_PAGES {
        let (items, next) = api.list_page(marker.as_deref(), 100).await?;
        let mut any = false;
        for i in &items {
            listed.insert(i.id.clone());
            if !i.is_completed() {
                any = true;
                ids.push(i.id.clone());
            }
        }
        match next {
            Some(m) if any && !items.is_empty() => marker = Some(m),
            _ => break,
        }
    }
    let mut ip = InProgress {
        files: 0,
        wildcards: 0,
    };
    for id in ids {
        if !known.contains_key(&id) {
            let inv = api.get(&id).await?;
            if inv.is_completed() {
                continue;
            }
            let w = inv.paths.iter().filter(|p| p.ends_with('*')).count();
            known.insert(id.clone(), (inv.paths.len() - w, w));
        }
        let (f, w) = known[&id];
        ip.files += f;
        ip.wildcards += w;
    }
    Ok(ip)
}

/// Why a batch stopped trying.
enum GaveUp {
    TimedOut(String),
    Stopped(Stop),
    Failed(Failure, String),
}

/// Submits every batch, then waits when asked. `on` sees progress on the caller's task.
pub async fn run(
    ctx: &RunContext,
    api: &CloudFront,
    plan: &Plan,
    run_id: (&str, &str),
    opts: Options,
    mut on: impl FnMut(Progress<'_>),
) -> Report {
    let started = Instant::now();
    let wall_start = SystemTime::now();
    let until = started + opts.wait_timeout;
    let mut batches: Vec<BatchReport> = plan.batches.iter().map(BatchReport::planned).collect();
    let mut known: HashMap<String, (usize, usize)> = HashMap::new();
    let mut listed: HashSet<String> = HashSet::new();
    let mut ours: HashSet<String> = HashSet::new();
    let mut accepted: Vec<(usize, Instant)> = Vec::new();
    let mut failure = None;
    let mut stopped = None;
    let mut timed_out = false;
    let timeout_text = humantime::format_duration(opts.wait_timeout).to_string();

    for (i, b) in plan.batches.iter().enumerate() {
        if failure.is_some() || timed_out {
            batches[i].error = Some("not sent: an earlier batch could not be".into());
            on(Progress::Batch(&batches[i]));
            continue;
        }
        if let Some(s) = stopped.or_else(|| ctx.stopped()) {
            ctx.observe(s);
            stopped = Some(s);
            batches[i].outcome = BatchOutcome::Cancelled;
            batches[i].error = Some(s.describe().into());
            on(Progress::Batch(&batches[i]));
            continue;
        }
        let mut held_since: Option<Instant> = None;
        let mut attempt = 0u32;
        let mut blocked_rounds = 0u32;
        let gave_up = loop {
            // Room under the in-progress limits?
            let room = match or_stop(ctx, in_progress(api, &mut known, &mut listed)).await {
                Err(s) => break Some(GaveUp::Stopped(s)),
                Ok(Ok(ip)) => {
                    let fits = ip.files + b.files <= MAX_FILES_IN_PROGRESS
                        && ip.wildcards + b.wildcards <= MAX_WILDCARDS_IN_PROGRESS;
                    if !fits {
                        on(Progress::Blocked {
                            batch: b.index,
                            files: ip.files,
                            wildcards: ip.wildcards,
                        });
                    }
                    Ok(fits)
                }
                Ok(Err(e)) => Err(e),
            };
            let delay = match room {
                Ok(true) => {
                    batches[i].attempts += 1;
                    match or_stop(ctx, api.create(&b.caller_reference, &b.paths)).await {
                        Err(s) => break Some(GaveUp::Stopped(s)),
                        Ok(Ok(inv)) => {
                            let earlier = inv
                                .create_time
                                .is_some_and(|t| t + REUSED_BEFORE < wall_start);
                            let reused =
                                !ours.contains(&inv.id) && (listed.contains(&inv.id) || earlier);
                            ours.insert(inv.id.clone());
                            let w = inv.paths.iter().filter(|p| p.ends_with('*')).count();
                            known.insert(inv.id.clone(), (inv.paths.len() - w, w));
                            let r = &mut batches[i];
                            r.outcome = if reused {
                                BatchOutcome::Reused
                            } else {
                                BatchOutcome::Created
                            };
                            r.completed = inv.is_completed();
                            r.id = Some(inv.id);
                            r.status = Some(inv.status);
                            r.create_time = inv.create_time.map(crate::units::timestamp);
                            if !reused {
                                r.billed_paths = b.billed_paths;
                                r.cost_usd = b.cost_usd;
                            }
                            r.submitted_after_ms = Some(crate::units::millis(started.elapsed()));
                            accepted.push((i, Instant::now()));
                            break None;
                        }
                        Ok(Err(e)) if e.is_transient() => {
                            tracing::debug!(
                                batch = b.index,
                                "CreateInvalidation: {}; retrying",
                                e.describe()
                            );
                            if e.kind == ApiErrorKind::TooManyInProgress {
                                on(Progress::Blocked {
                                    batch: b.index,
                                    files: MAX_FILES_IN_PROGRESS,
                                    wildcards: MAX_WILDCARDS_IN_PROGRESS,
                                });
                            }
                            batches[i].error = Some(e.describe());
                            attempt += 1;
                            retry_delay(attempt, opts.poll)
                        }
                        Ok(Err(e)) => {
                            let f = e.failure(
                                "CreateInvalidation",
                                &plan.distribution,
                                Some((b.index, &b.paths, &b.caller_reference)),
                            );
                            break Some(GaveUp::Failed(f, e.describe()));
                        }
                    }
                }
                Ok(false) => {
                    blocked_rounds += 1;
                    wait::poll_interval(blocked_rounds - 1, opts.poll)
                }
                Err(e) if e.is_transient() => {
                    attempt += 1;
                    retry_delay(attempt, opts.poll)
                }
                Err(e) => {
                    let f = e.failure("ListInvalidations", &plan.distribution, None);
                    break Some(GaveUp::Failed(f, e.describe()));
                }
            };
            held_since.get_or_insert_with(Instant::now);
            match pause(ctx, until, delay).await {
                Ok(()) => {}
                Err(Paused::TimedOut) => {
                    break Some(GaveUp::TimedOut(format!(
                        "not sent: CloudFront had no room for it (or kept refusing it) within --wait-timeout {timeout_text}"
                    )));
                }
                Err(Paused::Stopped(s)) => break Some(GaveUp::Stopped(s)),
            }
        };
        batches[i].blocked_ms = held_since.map_or(0.0, |t| crate::units::millis(t.elapsed()));
        match gave_up {
            None => batches[i].error = None,
            Some(GaveUp::TimedOut(why)) => {
                timed_out = true;
                batches[i].error = Some(why);
            }
            Some(GaveUp::Stopped(s)) => {
                ctx.observe(s);
                stopped = Some(s);
                batches[i].outcome = BatchOutcome::Cancelled;
                batches[i].error = Some(s.describe().into());
            }
            Some(GaveUp::Failed(f, said)) => {
                batches[i].outcome = BatchOutcome::Failed;
                batches[i].error = Some(said);
                failure = Some(f);
            }
        }
        on(Progress::Batch(&batches[i]));
    }

    if opts.wait && failure.is_none() && stopped.is_none() && !timed_out {
        let mut watched: Vec<Watched> = accepted
            .iter()
            .map(|(i, at)| {
                let b = &batches[*i];
                Watched::new(
                    b.id.as_deref().unwrap_or_default(),
                    b.status.as_deref().unwrap_or_default(),
                    *at,
                )
            })
            .collect();
        let end = wait::wait(ctx, api, &mut watched, until, opts.poll, |e| {
            on(Progress::Wait(e))
        })
        .await;
        for ((i, _), w) in accepted.iter().zip(&watched) {
            let b = &mut batches[*i];
            b.status = Some(w.status.clone());
            b.completed = w.done();
            b.completed_after_ms = w.completed_after.map(crate::units::millis);
        }
        match end {
            End::Completed => {}
            End::TimedOut => timed_out = true,
            End::Stopped(s) => stopped = Some(s),
            End::Failed(f) => failure = Some(f),
        }
    }

    let mut totals = Totals {
        batches: batches.len(),
        ..Totals::default()
    };
    for b in &batches {
        match b.outcome {
            BatchOutcome::Created => {
                totals.created += 1;
                totals.paths += b.paths.len();
            }
            BatchOutcome::Reused => totals.reused += 1,
            BatchOutcome::Failed => totals.failed += 1,
            BatchOutcome::NotSubmitted => totals.not_submitted += 1,
            BatchOutcome::Cancelled => totals.cancelled += 1,
        }
        if b.outcome.submitted() {
            if b.completed {
                totals.completed += 1;
            } else {
                totals.in_progress += 1;
            }
        }
        totals.billed_paths += b.billed_paths;
    }
    totals.cost_usd = super::plan::cost_usd(totals.billed_paths);
    totals.api_calls = api.calls();
    let mut warnings = plan.notes.clone();
    let reused: Vec<String> = batches
        .iter()
        .filter(|b| b.outcome == BatchOutcome::Reused)
        .map(|b| {
            format!(
                "{} (created {})",
                b.id.as_deref().unwrap_or_default(),
                b.create_time.as_deref().unwrap_or("earlier")
            )
        })
        .collect();
    if !reused.is_empty() {
        warnings.push(format!(
            "CloudFront returned invalidation{} it already had for this run id ({}): {}; nothing was invalidated now. If pages may have been cached again since, run with a new --run-id",
            if reused.len() == 1 { "" } else { "s" },
            run_id.0,
            reused.join(", ")
        ));
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        distribution: plan.distribution.clone(),
        run_id: run_id.0.to_string(),
        run_id_source: run_id.1.to_string(),
        plan: plan.summary.clone(),
        waited: opts.wait,
        in_progress: batches
            .iter()
            .filter(|b| b.outcome.submitted() && !b.completed)
            .filter_map(|b| b.id.clone())
            .collect(),
        batches,
        timed_out,
        totals,
        warnings,
        failure,
        stopped: stopped.or_else(|| ctx.observed_stop()),
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// What --dry-run reports: the plan, and nothing sent.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "InvalidateDryRun")]
pub struct DryRun {
    pub distribution: String,
    pub run_id: String,
    pub run_id_source: String,
    pub plan: Summary,
    pub batches: Vec<Batch>,
    pub warnings: Vec<String>,
}

pub fn dry_run(plan: &Plan, run_id: (&str, &str)) -> DryRun {
    DryRun {
        distribution: plan.distribution.clone(),
        run_id: run_id.0.to_string(),
        run_id_source: run_id.1.to_string(),
        plan: plan.summary.clone(),
        batches: plan.batches.clone(),
        warnings: plan.notes.clone(),
    }
}

impl Item for BatchReport {
    const EVENT: &'static str = "batch";
}

/// A planned batch, as a dry run lists it when it ends (`planned-batch`).
impl Payload for Batch {
    const EVENT: &'static str = "planned-batch";
}

/// A batch waits for room under the distribution's in-progress limits.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Blocked {
    pub batch: usize,
    pub files_in_progress: usize,
    pub wildcards_in_progress: usize,
}

impl Item for Blocked {
    const EVENT: &'static str = "blocked";
    fn shown(&self, _: &Style) -> Shown {
        Shown::Status(format!(
            "batch {} waits: {} files and {} wildcards in progress",
            self.batch, self.files_in_progress, self.wildcards_in_progress
        ))
    }
}

/// What the waiter of `step` says as it goes: a status change (an event), or still waiting (a
/// spinner for people).
pub(super) fn waited(reporter: &mut Reporter, e: wait::Event<'_>) {
    match e {
        wait::Event::Status {
            id,
            status,
            elapsed,
        } => reporter.item(&wait::StatusChange {
            id: id.into(),
            status: status.into(),
            elapsed_ms: crate::units::millis(elapsed),
        }),
        wait::Event::Waiting { in_progress, total } => reporter.show(Shown::Spinner(format!(
            "waiting for CloudFront: {in_progress} of {total} invalidation{} in progress",
            if total == 1 { "" } else { "s" }
        ))),
    }
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            ("batch", g.subschema_for::<BatchReport>()),
            ("blocked", g.subschema_for::<Blocked>()),
            (
                "invalidation-status",
                g.subschema_for::<wait::StatusChange<'static>>(),
            ),
        ]
    }
    const KIND: &'static str = "cdn-invalidate";
    const STEP: &'static str = "cdn-invalidate";
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
        super::human::cdn_invalidate(self, style)
    }
}

impl StepReport for DryRun {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![(Batch::EVENT, g.subschema_for::<Batch>())]
    }
    const KIND: &'static str = "cdn-invalidate-dry-run";
    const STEP: &'static str = "cdn-invalidate";
    fn code(&self) -> Code {
        Code::Success
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::to_value(&self.plan).expect("plan serializes")
    }
    fn human(&self, style: &Style) -> String {
        super::human::cdn_invalidate_dry_run(self, style)
    }
    fn events(&self, events: &mut Events<'_>) {
        for b in &self.batches {
            events.emit(Batch::EVENT, b);
        }
    }
}

/// What an invalidation is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "InvalidateStart")]
struct Start<'a> {
    distribution: &'a str,
    run_id: &'a str,
    run_id_source: &'a str,
    plan: &'a Summary,
}

/// Runs a CloudFront invalidation (and its `--wait`) as a step of a command; people see the
/// plan before anything is sent. A failure before any batch reached CloudFront is the
/// command's error (exit 2 or 5, with its hint); after that, the report holds it with the
/// batches that were created, so their ids are never lost.
pub async fn step(
    ctx: &RunContext,
    api: &CloudFront,
    plan: &Plan,
    run_id: (&str, &str),
    opts: Options,
    reporter: &mut Reporter,
) -> Result<Report, Error> {
    let shown = super::human::cdn_plan(
        &plan.distribution,
        run_id,
        &plan.summary,
        &plan.batches,
        &reporter.style(),
    );
    reporter.text(&shown);
    let start = Start {
        distribution: &plan.distribution,
        run_id: run_id.0,
        run_id_source: run_id.1,
        plan: &plan.summary,
    };
    reporter.start::<Report>(
        &start,
        Work {
            len: plan.batches.len(),
            what: "submitting batches",
        },
    );
    let report = run(ctx, api, plan, run_id, opts, |p| match p {
        Progress::Blocked {
            batch,
            files,
            wildcards,
        } => reporter.item(&Blocked {
            batch,
            files_in_progress: files,
            wildcards_in_progress: wildcards,
        }),
        Progress::Batch(b) => reporter.item(b),
        Progress::Wait(e) => waited(reporter, e),
    })
    .await;
    if let Some(f) = &report.failure
        && report.nothing_submitted()
    {
        return Err(f.to_error());
    }
    reporter.finish_step(&report);
    Ok(report)
}
