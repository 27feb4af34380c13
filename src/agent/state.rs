//! The agent's main-loop bookkeeping: what is queued, running, held for the app and finished,
//! and what the report and the acknowledgements say of it.

use super::Event;
use super::Finished;
use super::Handled;
use super::MAX_LISTED;
use super::Shared;
use super::Shutdown;
use super::Skipped;
use super::Source;
use super::Totals;
use super::Work;
use super::dedupe::Dedupe;
use super::work::handle;
use crate::context::Retain;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;

/// The main loop's bookkeeping.
pub(super) struct State {
    pub(super) dedupe: Dedupe,
    /// Messages that arrived before the app answered.
    pub(super) waiting: Vec<Work>,
    /// Messages dispatched and not finished: running, or queued for a slot.
    pub(super) pending: usize,
    /// Messages waiting for a slot, in arrival order: a message costs its id and path here,
    /// and a task only once it starts, so a burst costs little.
    pub(super) queued: VecDeque<Work>,
    /// Revalidations running.
    pub(super) running: usize,
    /// How many may run at once.
    pub(super) slots: usize,
    /// Set once the agent is stopping: the account of the stop so far.
    pub(super) shutdown: Option<Shutdown>,
    /// Set once the stream reader has reached the end of the stream.
    pub(super) stream_caught_up: bool,
    pub(super) catch_up_running: usize,
    pub(super) stream_done: bool,
    pub(super) totals: Totals,
    pub(super) handled: VecDeque<Handled>,
    pub(super) ready: bool,
    /// The catch-up from the record, when planned.
    pub(super) record: Option<Record>,
}

/// Where the catch-up from the record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting to be subscribed: the record is read only once the subscription exists, so a
    /// path published after the read arrives as a message.
    Waiting,
    Reading,
    Running,
    Done,
}

/// What the catch-up revalidates: a path, or a cache tag (from the tags' record).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Subject {
    Path(String),
    Tag(String),
}

impl Subject {
    /// A message's subject, as the catch-up compares it (a path in its canonical form).
    fn of(path: Option<&str>, tag: Option<&str>) -> Option<Subject> {
        match (path, tag) {
            (Some(p), _) => Some(Subject::Path(canonical(p))),
            (None, Some(t)) => Some(Subject::Tag(t.to_string())),
            (None, None) => None,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Path(p) => f.write_str(p),
            Subject::Tag(t) => write!(f, "tag:{t}"),
        }
    }
}

/// The catch-up from the record: its queue and its account.
pub(super) struct Record {
    pub(super) phase: Phase,
    /// The tags' record, read with the paths'.
    pub(super) tags_key: String,
    /// Paths, then tags, still to start, oldest change first.
    pub(super) queue: VecDeque<Subject>,
    pub(super) running: usize,
    /// Paths (and tags) a message revalidated successfully, in a revalidation started after the reading
    /// began (no message starts before: they wait for it), while the subscription stayed up: a
    /// recorded change to one of them was either before that revalidation or arrives as a
    /// message of its own, so the catch-up need not regenerate it again. None (nothing skipped)
    /// once the subscription was lost during the catch-up.
    pub(super) covered: Option<std::collections::HashSet<Subject>>,
    /// Messages running, by path (or tag): the catch-up's turn for such a path waits for them.
    pub(super) in_flight: std::collections::HashMap<Subject, usize>,
    /// The catch-up's paths (and tags) waiting for a message of the same one to finish: skipped
    /// if it succeeded, revalidated if not.
    pub(super) deferred: Vec<Subject>,
    pub(super) account: super::CatchUp,
    /// Why the record could not be read (the last try).
    pub(super) error: Option<String>,
    pub(super) started: std::time::Instant,
}

impl Record {
    pub(super) fn new(plan: &super::RecordCatchUp) -> Record {
        Record {
            phase: Phase::Waiting,
            tags_key: plan.tags_key.clone(),
            queue: VecDeque::new(),
            running: 0,
            covered: None,
            in_flight: Default::default(),
            deferred: Vec::new(),
            account: super::CatchUp {
                key: plan.key.clone(),
                since_ms: plan.since_ms,
                since: plan.since.clone(),
                state: "reading".into(),
                ..super::CatchUp::default()
            },
            error: None,
            started: std::time::Instant::now(),
        }
    }

    pub(super) fn done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Every path read is done: none queued, running or waiting for a message.
    pub(super) fn finished(&self) -> bool {
        self.phase == Phase::Running
            && self.queue.is_empty()
            && self.running == 0
            && self.deferred.is_empty()
    }

    /// A message's revalidation of `path` (or a tag) ended (`ok`: the page was regenerated, the
    /// tag applied): the catch-up's turn for it, if it waited, comes back first in line.
    fn message_finished(&mut self, path: Subject, ok: bool) {
        if let Some(n) = self.in_flight.get_mut(&path) {
            *n -= 1;
            if *n > 0 {
                return;
            }
            self.in_flight.remove(&path);
        }
        if ok && let Some(c) = &mut self.covered {
            c.insert(path.clone());
        }
        if let Some(i) = self.deferred.iter().position(|p| *p == path) {
            let p = self.deferred.swap_remove(i);
            self.queue.push_front(p);
        }
    }

    /// `/healthz`'s words for what the catch-up is doing.
    pub(super) fn why(&self) -> String {
        let a = &self.account;
        match self.phase {
            Phase::Waiting => format!(
                "the catch-up on paths changed since {} has not started: the record {} is read once subscribed",
                a.since, a.key
            ),
            Phase::Reading => match &self.error {
                Some(e) => format!(
                    "catching up: the record {} cannot be read ({e}); retrying",
                    a.key
                ),
                None => format!("catching up: reading the record {}", a.key),
            },
            Phase::Running => format!(
                "catching up: {} of {} paths{} changed since {} done",
                a.revalidated + a.failed + a.skipped,
                a.paths + a.tags - a.tags_unapplied,
                tags_said(a),
                a.since
            ),
            Phase::Done => String::new(),
        }
    }

    /// The progress line of the log.
    pub(super) fn progress(&self) -> String {
        let a = &self.account;
        format!(
            "catch-up: {}/{} paths{} ({} revalidated, {} failed, {} skipped) after {}",
            a.revalidated + a.failed + a.skipped,
            a.paths + a.tags - a.tags_unapplied,
            tags_said(a),
            a.revalidated,
            a.failed,
            a.skipped,
            humantime::format_duration(std::time::Duration::from_secs(
                self.started.elapsed().as_secs()
            ))
        )
    }
}

/// ", and tags" when the catch-up revalidates tags too.
fn tags_said(a: &super::CatchUp) -> &'static str {
    if a.tags > a.tags_unapplied {
        " and tags"
    } else {
        ""
    }
}

/// A path as the record and messages are compared: its canonical form when it is valid.
pub(super) fn canonical(path: &str) -> String {
    crate::paths::UrlPath::parse(path, crate::paths::Purpose::Pod)
        .map_or_else(|_| path.to_string(), |p| p.as_str().to_string())
}

impl State {
    /// Catch-up messages still waiting or running.
    pub(super) fn catch_up_left(&self) -> usize {
        self.waiting
            .iter()
            .filter(|w| w.source == Source::CatchUp)
            .count()
            + self.catch_up_running
    }

    /// A message arrived: skip a duplicate, hold it until the app answers, or start it.
    pub(super) fn take(
        &mut self,
        w: Work,
        app_up: bool,
        shared: &Arc<Shared>,
        done: &mpsc::UnboundedSender<Finished>,
        on_event: &mut impl FnMut(&Event),
    ) {
        self.totals.messages += 1;
        if let Some(id) = &w.id
            && !self.dedupe.first_time(id)
        {
            self.totals.duplicates += 1;
            shared.metrics.duplicates.fetch_add(1, Ordering::SeqCst);
            tracing::debug!(id = %id, source = w.source.name(), "duplicate message skipped");
            on_event(&Event::Skipped(Skipped {
                id: w.id.clone(),
                path: w.path.clone(),
                tag: w.tag.clone(),
                source: w.source,
                reason: "duplicate".into(),
            }));
            return;
        }
        if app_up {
            self.dispatch(w, shared, done);
        } else {
            self.waiting.push(w);
        }
    }

    /// Queues a message for a slot and starts what the free slots allow.
    pub(super) fn dispatch(
        &mut self,
        w: Work,
        shared: &Arc<Shared>,
        done: &mpsc::UnboundedSender<Finished>,
    ) {
        self.enqueue(w);
        self.start_queued(shared, done);
    }

    /// Queues a message for a slot, without starting anything yet.
    pub(super) fn enqueue(&mut self, w: Work) {
        self.pending += 1;
        if w.source == Source::CatchUp {
            self.catch_up_running += 1;
        }
        self.queued.push_back(w);
    }

    /// Whether messages may start: the app answered, and the catch-up from the record (when
    /// planned) has begun reading, so what starts from now on counts as after the reading.
    pub(super) fn may_start(&self, app_up: bool) -> bool {
        app_up
            && self
                .record
                .as_ref()
                .is_none_or(|r| r.phase != Phase::Waiting)
    }

    /// How many may run at once: more while the catch-up from the record runs (the pod is not
    /// ready, so it serves no traffic meanwhile).
    fn slots_now(&self, shared: &Shared) -> usize {
        match &self.record {
            Some(r) if !r.done() => self.slots.max(shared.plan.catch_up_concurrency),
            _ => self.slots,
        }
    }

    /// Starts queued messages while slots are free, unless the agent is stopping; then the
    /// catch-up's paths (messages first: they are newer, and one that revalidates a path spares
    /// the catch-up's regeneration of it).
    pub(super) fn start_queued(
        &mut self,
        shared: &Arc<Shared>,
        done: &mpsc::UnboundedSender<Finished>,
    ) {
        while self.running < self.slots_now(shared) && !shared.stopping.is_cancelled() {
            let w = match self.queued.pop_front() {
                Some(w) => {
                    if let Some(r) = &mut self.record
                        && !r.done()
                        && let Some(s) = Subject::of(w.path.as_deref(), w.tag.as_deref())
                    {
                        *r.in_flight.entry(s).or_default() += 1;
                    }
                    w
                }
                None => {
                    // With --catch-up, the stream's messages are read to the end first: they
                    // go first, and spare the catch-up the paths they revalidate.
                    if shared.plan.catch_up.is_some() && !self.stream_caught_up {
                        return;
                    }
                    let Some(r) = &mut self.record else {
                        return;
                    };
                    let Some(next) = r.queue.pop_front() else {
                        return;
                    };
                    if r.covered.as_ref().is_some_and(|c| c.contains(&next)) {
                        r.account.skipped += 1;
                        tracing::debug!(path = %next, "catch-up: already revalidated by a message since the record was read");
                        continue;
                    }
                    if r.covered.is_some() && r.in_flight.contains_key(&next) {
                        // A message of this path (or tag) runs: its outcome decides.
                        r.deferred.push(next);
                        continue;
                    }
                    r.running += 1;
                    self.pending += 1;
                    let (path, tag) = match next {
                        Subject::Path(p) => (Some(p), None),
                        Subject::Tag(t) => (None, Some(t)),
                    };
                    Work {
                        id: None,
                        path,
                        tag,
                        source: Source::Record,
                    }
                }
            };
            self.running += 1;
            let shared = shared.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let source = w.source;
                shared.metrics.in_flight.fetch_add(1, Ordering::SeqCst);
                let h = tokio::select! {
                    biased;
                    _ = shared.give_up.cancelled() => None,
                    h = handle(&shared, w) => Some(h),
                };
                shared.metrics.in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = done.send(match h {
                    Some(h) => Finished::Handled(h),
                    None => Finished::GivenUp(source),
                });
            });
        }
    }

    /// Once the agent stops: the queued messages were never started; they are left.
    pub(super) fn leave_queued(&mut self, retain: Retain, on_event: &mut impl FnMut(&Event)) {
        while let Some(w) = self.queued.pop_front() {
            self.finished(Finished::Left(w.source), retain, None, on_event);
        }
    }

    /// A message is done with; `next` (the agent still running) starts the next queued one.
    pub(super) fn finished(
        &mut self,
        f: Finished,
        retain: Retain,
        next: Option<(&Arc<Shared>, &mpsc::UnboundedSender<Finished>)>,
        on_event: &mut impl FnMut(&Event),
    ) {
        self.pending -= 1;
        if !matches!(f, Finished::Left(_)) {
            self.running -= 1;
        }
        if let Finished::Handled(h) = &f
            && h.source != Source::Record
            && let Some(s) = Subject::of(h.path.as_deref(), h.tag.as_deref())
            && let Some(r) = &mut self.record
            && !r.done()
        {
            r.message_finished(s, h.ok || h.outcome == "gone");
        }
        if let Some((shared, done)) = next {
            self.start_queued(shared, done);
        }
        if f.source() == Source::CatchUp {
            self.catch_up_running -= 1;
        }
        if f.source() == Source::Record
            && let Some(r) = &mut self.record
        {
            r.running -= 1;
            if let Finished::Handled(h) = &f {
                // A gone page (404 and REVALIDATED) was regenerated as gone: done too.
                if h.ok || h.outcome == "gone" {
                    r.account.revalidated += 1;
                } else {
                    r.account.failed += 1;
                }
            }
        }
        let h = match f {
            Finished::Handled(h) => {
                if let Some(s) = &mut self.shutdown {
                    s.finished += 1;
                }
                h
            }
            Finished::Left(_) => {
                if let Some(s) = &mut self.shutdown {
                    s.left += 1;
                }
                return;
            }
            Finished::GivenUp(_) => {
                if let Some(s) = &mut self.shutdown {
                    s.given_up += 1;
                }
                return;
            }
        };
        if h.outcome == "invalid" {
            self.totals.invalid += 1;
        } else {
            *self
                .totals
                .revalidations
                .entry(h.outcome.clone())
                .or_default() += 1;
        }
        if h.acked {
            self.totals.acks_sent += 1;
        } else if h.id.is_some() || h.path.is_some() || h.tag.is_some() {
            self.totals.acks_failed += 1;
        }
        on_event(&Event::Handled(h.clone()));
        if retain == Retain::All {
            if self.handled.len() == MAX_LISTED {
                self.handled.pop_front();
            }
            self.handled.push_back(h);
        }
    }
}
