//! Waiting for invalidations, and the on-call views of them (`cdn status`, `cdn list`,
//! `cdn wait`).
//!
//! The SDK's own waiter sleeps at least 20 s between polls and matches the status `Completed`
//! exactly (moto says `COMPLETED`), so completion is seen up to 20 s late or never. This one
//! polls GetInvalidation after `poll_min` (1 s), each interval 10% longer than the last, up to
//! `poll_max` (10 s): an invalidation that completes within about 30 s is seen within 2 s of
//! completing, a slow one within `poll_max`. Invariants: an invalidation counts as done only when
//! CloudFront's answer says `Completed` (in any case); a transient error (throttling, 5xx) is
//! polled again at the next interval, a lasting one ends the wait with a [`Failure`]; the wait
//! ends at its timeout or when the run stops, naming what is still in progress.

use std::borrow::Cow;
use std::time::Duration;

use tokio::time::Instant;

use super::aws::{CloudFront, Invalidation, is_completed};
use super::{Failure, Paused, pause};
use crate::config::Poll;
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::{Code, Stop};
use crate::report::{Events, Item, Payload, Reporter, Shown, StepReport, Style, Work};

/// Each poll interval is this much longer than the one before, up to `poll_max`.
pub const POLL_GROWTH: f64 = 1.1;

/// The interval before poll `n` (0-based): `min` x 1.1^n, at most `max`.
pub fn poll_interval(n: u32, poll: Poll) -> Duration {
    let f = POLL_GROWTH.powi(n.min(200) as i32);
    poll.min.mul_f64(f).min(poll.max)
}

/// One invalidation being waited for.
#[derive(Clone, Debug)]
pub struct Watched {
    pub id: String,
    pub status: String,
    /// When waiting for it started (its creation, for a new one).
    pub since: Instant,
    /// How long after `since` completion was seen.
    pub completed_after: Option<Duration>,
}

impl Watched {
    pub fn new(id: &str, status: &str, since: Instant) -> Watched {
        Watched {
            id: id.to_string(),
            status: status.to_string(),
            since,
            completed_after: is_completed(status).then_some(Duration::ZERO),
        }
    }

    pub fn done(&self) -> bool {
        is_completed(&self.status)
    }
}

/// What the waiter tells its caller as it goes.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// An invalidation's status changed.
    Status {
        id: &'a str,
        status: &'a str,
        elapsed: Duration,
    },
    /// Still waiting for `in_progress` of `total`.
    Waiting { in_progress: usize, total: usize },
}

/// How a wait ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    Completed,
    TimedOut,
    Stopped(Stop),
    Failed(Failure),
}

/// Runs `f` unless the run stops first.
pub(crate) async fn or_stop<T>(
    ctx: &RunContext,
    f: impl std::future::Future<Output = T>,
) -> Result<T, Stop> {
    tokio::select! {
        t = f => Ok(t),
        s = ctx.stop() => Err(s),
    }
}

/// Polls every invalidation not done yet until all are, `until` passes, or the run stops.
pub async fn wait(
    ctx: &RunContext,
    api: &CloudFront,
    watched: &mut [Watched],
    until: Instant,
    poll: Poll,
    mut on: impl FnMut(Event<'_>),
) -> End {
    let total = watched.len();
    let mut n = 0;
    loop {
        let pending: Vec<usize> = (0..total).filter(|&i| !watched[i].done()).collect();
        if pending.is_empty() {
            return End::Completed;
        }
        on(Event::Waiting {
            in_progress: pending.len(),
            total,
        });
        match pause(ctx, until, poll_interval(n, poll)).await {
            Ok(()) => {}
            Err(Paused::TimedOut) => return End::TimedOut,
            Err(Paused::Stopped(s)) => {
                ctx.observe(s);
                return End::Stopped(s);
            }
        }
        n += 1;
        let polls = pending.iter().map(|&i| api.get(&watched[i].id));
        let answers = match or_stop(ctx, futures_util::future::join_all(polls)).await {
            Ok(a) => a,
            Err(s) => {
                ctx.observe(s);
                return End::Stopped(s);
            }
        };
        for (&i, answer) in pending.iter().zip(answers) {
            match answer {
                Ok(inv) => {
                    let w = &mut watched[i];
                    if inv.status != w.status {
                        w.status = inv.status;
                        let elapsed = w.since.elapsed();
                        if w.done() {
                            w.completed_after = Some(elapsed);
                        }
                        on(Event::Status {
                            id: &w.id,
                            status: &w.status,
                            elapsed,
                        });
                    }
                }
                Err(e) if e.is_transient() => {
                    tracing::debug!(id = %watched[i].id, "GetInvalidation: {}; polling again", e.describe());
                }
                Err(e) => {
                    return End::Failed(e.failure("GetInvalidation", &api.distribution, None));
                }
            }
        }
    }
}

/// Which view a [`StatusReport`] is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum View {
    Status,
    List,
    Wait,
}

/// One invalidation, as the on-call views show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct InvalidationInfo {
    pub id: String,
    pub status: String,
    pub completed: bool,
    /// CloudFront's CreateTime (RFC 3339).
    pub create_time: Option<String>,
    /// File and wildcard paths (GetInvalidation only; a list has no paths).
    pub files: Option<usize>,
    pub wildcards: Option<usize>,
    /// The first paths, at most [`SHOWN_PATHS`].
    pub paths: Vec<String>,
    pub caller_reference: Option<String>,
    /// `wait`: how long after the wait began completion was seen.
    pub completed_after_ms: Option<f64>,
}

/// Paths of an invalidation shown by the on-call views.
pub const SHOWN_PATHS: usize = 5;

impl InvalidationInfo {
    pub fn from(inv: &Invalidation, with_paths: bool) -> InvalidationInfo {
        let wildcards = inv.paths.iter().filter(|p| p.ends_with('*')).count();
        InvalidationInfo {
            id: inv.id.clone(),
            completed: inv.is_completed(),
            status: inv.status.clone(),
            create_time: inv.create_time.map(crate::units::timestamp),
            files: with_paths.then(|| inv.paths.len() - wildcards),
            wildcards: with_paths.then_some(wildcards),
            paths: inv.paths.iter().take(SHOWN_PATHS).cloned().collect(),
            caller_reference: inv.caller_reference.clone(),
            completed_after_ms: None,
        }
    }
}

/// What `cdn status`, `cdn list` and `cdn wait` report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StatusReport {
    pub duration_ms: f64,
    pub view: View,
    pub distribution: String,
    pub invalidations: Vec<InvalidationInfo>,
    /// Ids not completed when the command ended.
    pub in_progress: Vec<String>,
    /// `wait`: whether it gave up at --wait-timeout.
    pub timed_out: bool,
    pub warnings: Vec<String>,
    pub failure: Option<Failure>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl StatusReport {
    fn new(view: View, distribution: &str) -> StatusReport {
        StatusReport {
            duration_ms: 0.0,
            view,
            distribution: distribution.to_string(),
            invalidations: Vec::new(),
            in_progress: Vec::new(),
            timed_out: false,
            warnings: Vec::new(),
            failure: None,
            stopped: None,
            exit_code: 0,
        }
    }

    /// A failure, or invalidations a wait gave up on, decide the code.
    pub fn code(&self) -> crate::exit::Code {
        let undone = if self.view == View::Wait {
            self.in_progress.len()
        } else {
            0
        };
        Failure::step_code(self.failure.as_ref(), undone, self.stopped)
    }

    /// Nothing was learnt: the failure is all there is to say.
    pub fn is_empty(&self) -> bool {
        self.invalidations.is_empty()
    }

    fn finish(mut self, started: Instant, ctx: &RunContext) -> StatusReport {
        self.in_progress = self
            .invalidations
            .iter()
            .filter(|i| !i.completed)
            .map(|i| i.id.clone())
            .collect();
        if self.stopped.is_none() {
            self.stopped = ctx.observed_stop();
        }
        self.duration_ms = crate::units::millis(started.elapsed());
        self.exit_code = self.code().as_u8();
        self
    }
}

/// GetInvalidation for each id, in order, retrying transient errors; the first lasting error
/// ends it.
async fn get_all(
    ctx: &RunContext,
    api: &CloudFront,
    ids: &[String],
    poll: Poll,
    report: &mut StatusReport,
) -> Vec<Invalidation> {
    let mut out = Vec::new();
    for id in ids {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match or_stop(ctx, api.get(id)).await {
                Err(s) => {
                    ctx.observe(s);
                    report.stopped = Some(s);
                    return out;
                }
                Ok(Ok(inv)) => {
                    out.push(inv);
                    break;
                }
                Ok(Err(e)) if e.is_transient() && attempt <= ctx.limits().retries => {
                    if let Err(s) = ctx.sleep(super::retry_delay(attempt, poll)).await {
                        report.stopped = Some(s);
                        return out;
                    }
                }
                Ok(Err(e)) => {
                    let mut f = e.failure("GetInvalidation", &api.distribution, None);
                    if e.kind == super::aws::ApiErrorKind::NoSuchInvalidation {
                        f.message = format!(
                            "invalidation {id} does not exist on distribution {} ({})",
                            api.distribution,
                            e.describe()
                        );
                    }
                    report.failure = Some(f);
                    return out;
                }
            }
        }
    }
    out
}

/// `cdn status ID...`.
pub async fn status(
    ctx: &RunContext,
    api: &CloudFront,
    ids: &[String],
    poll: Poll,
) -> StatusReport {
    let started = Instant::now();
    let mut r = StatusReport::new(View::Status, &api.distribution);
    let found = get_all(ctx, api, ids, poll, &mut r).await;
    r.invalidations = found
        .iter()
        .map(|i| InvalidationInfo::from(i, true))
        .collect();
    r.finish(started, ctx)
}

/// `cdn list`: the newest `limit` invalidations, newest first.
pub async fn list(ctx: &RunContext, api: &CloudFront, limit: usize, poll: Poll) -> StatusReport {
    let started = Instant::now();
    let mut r = StatusReport::new(View::List, &api.distribution);
    let mut marker: Option<String> = None;
    let mut attempt = 0;
    while r.invalidations.len() < limit {
        let want = (limit - r.invalidations.len()).min(100);
        match or_stop(ctx, api.list_page(marker.as_deref(), want)).await {
            Err(s) => {
                ctx.observe(s);
                r.stopped = Some(s);
                break;
            }
            Ok(Ok((items, next))) => {
                attempt = 0;
                r.invalidations.extend(
                    items
                        .iter()
                        .take(want)
                        .map(|i| InvalidationInfo::from(i, false)),
                );
                match next {
                    Some(m) if !items.is_empty() => marker = Some(m),
                    _ => break,
                }
            }
            Ok(Err(e)) if e.is_transient() && attempt < ctx.limits().retries => {
                attempt += 1;
                if let Err(s) = ctx.sleep(super::retry_delay(attempt, poll)).await {
                    r.stopped = Some(s);
                    break;
                }
            }
            Ok(Err(e)) => {
                r.failure = Some(e.failure("ListInvalidations", &api.distribution, None));
                break;
            }
        }
    }
    r.finish(started, ctx)
}

/// `cdn wait ID...`: the current status of each, then polls until every one completes.
pub async fn wait_ids(
    ctx: &RunContext,
    api: &CloudFront,
    ids: &[String],
    timeout: Duration,
    poll: Poll,
    mut on: impl FnMut(Event<'_>),
) -> StatusReport {
    let started = Instant::now();
    let until = started + timeout;
    let mut r = StatusReport::new(View::Wait, &api.distribution);
    let found = get_all(ctx, api, ids, poll, &mut r).await;
    r.invalidations = found
        .iter()
        .map(|i| InvalidationInfo::from(i, true))
        .collect();
    if r.failure.is_some() || r.stopped.is_some() {
        return r.finish(started, ctx);
    }
    let mut watched: Vec<Watched> = found
        .iter()
        .map(|i| Watched::new(&i.id, &i.status, started))
        .collect();
    for w in &watched {
        on(Event::Status {
            id: &w.id,
            status: &w.status,
            elapsed: Duration::ZERO,
        });
    }
    let end = wait(ctx, api, &mut watched, until, poll, &mut on).await;
    for (info, w) in r.invalidations.iter_mut().zip(&watched) {
        info.status.clone_from(&w.status);
        info.completed = w.done();
        info.completed_after_ms = w.completed_after.map(crate::units::millis);
    }
    match end {
        End::Completed => {}
        End::TimedOut => r.timed_out = true,
        End::Stopped(s) => r.stopped = Some(s),
        End::Failed(f) => r.failure = Some(f),
    }
    r.finish(started, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_by_a_tenth_from_min_to_max() {
        let poll = Poll {
            min: Duration::from_secs(1),
            max: Duration::from_secs(10),
        };
        assert_eq!(poll_interval(0, poll), Duration::from_secs(1));
        assert_eq!(poll_interval(1, poll), Duration::from_millis(1100));
        assert!(poll_interval(7, poll) < Duration::from_secs(2));
        assert_eq!(poll_interval(40, poll), Duration::from_secs(10));
        assert_eq!(poll_interval(u32::MAX, poll), Duration::from_secs(10));
        // Completion at 30 s is seen within 2 s: the poll times around it are under 2 s apart.
        let mut t = Duration::ZERO;
        let mut n = 0;
        while t < Duration::from_secs(30) {
            t += poll_interval(n, poll);
            n += 1;
        }
        assert!(
            t - Duration::from_secs(30) < Duration::from_secs(2),
            "{t:?}"
        );
    }
}

/// An invalidation as an on-call view lists it when it ends (`invalidation`).
impl Payload for InvalidationInfo {
    const EVENT: &'static str = "invalidation";
}

/// An invalidation's status changed while waiting.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StatusChange<'a> {
    pub id: Cow<'a, str>,
    pub status: Cow<'a, str>,
    pub elapsed_ms: f64,
}

impl Item for StatusChange<'_> {
    const EVENT: &'static str = "invalidation-status";
    fn shown(&self, _: &Style) -> Shown {
        Shown::Nothing
    }
}

impl StepReport for StatusReport {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            (
                "invalidation-status",
                g.subschema_for::<StatusChange<'static>>(),
            ),
            (
                InvalidationInfo::EVENT,
                g.subschema_for::<InvalidationInfo>(),
            ),
        ]
    }
    const KIND: &'static str = "cdn-status";
    const STEP: &'static str = "cdn-status";
    fn code(&self) -> Code {
        StatusReport::code(self)
    }
    fn stopped(&self) -> Option<Stop> {
        self.stopped
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::json!({
            "invalidations": self.invalidations.len(),
            "in_progress": self.in_progress.len(),
        })
    }
    fn human(&self, style: &Style) -> String {
        super::human::cdn_status(self, style)
    }
    fn events(&self, events: &mut Events<'_>) {
        for i in &self.invalidations {
            events.emit(InvalidationInfo::EVENT, i);
        }
    }
}

/// Which on-call view to run.
pub enum Query<'a> {
    Status(&'a [String]),
    List(usize),
    Wait(&'a [String], Duration),
}

/// What an on-call view is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "CdnStatusStart")]
struct Start<'a> {
    view: View,
    distribution: &'a str,
    ids: usize,
}

/// Runs `cdn status`, `cdn list` or `cdn wait` as a step of a command. A failure that leaves
/// nothing to show is the command's error.
pub async fn step(
    ctx: &RunContext,
    api: &CloudFront,
    query: Query<'_>,
    poll: Poll,
    reporter: &mut Reporter,
) -> Result<Code, Error> {
    let (view, ids) = match &query {
        Query::Status(ids) => (View::Status, ids.len()),
        Query::List(_) => (View::List, 0),
        Query::Wait(ids, _) => (View::Wait, ids.len()),
    };
    let start = Start {
        view,
        distribution: &api.distribution,
        ids,
    };
    reporter.start::<StatusReport>(&start, Work::NONE);
    let report = match query {
        Query::Status(ids) => status(ctx, api, ids, poll).await,
        Query::List(limit) => list(ctx, api, limit, poll).await,
        Query::Wait(ids, timeout) => {
            wait_ids(ctx, api, ids, timeout, poll, |e| {
                super::invalidate::waited(reporter, e)
            })
            .await
        }
    };
    if let Some(f) = &report.failure
        && report.is_empty()
    {
        return Err(f.to_error());
    }
    let code = report.code();
    reporter.finish_step(&report);
    Ok(code)
}
