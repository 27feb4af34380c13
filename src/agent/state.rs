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
        self.pending += 1;
        if w.source == Source::CatchUp {
            self.catch_up_running += 1;
        }
        self.queued.push_back(w);
        self.start_queued(shared, done);
    }

    /// Starts queued messages while slots are free, unless the agent is stopping.
    fn start_queued(&mut self, shared: &Arc<Shared>, done: &mpsc::UnboundedSender<Finished>) {
        while self.running < self.slots && !shared.stopping.is_cancelled() {
            let Some(w) = self.queued.pop_front() else {
                return;
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
        if let Some((shared, done)) = next {
            self.start_queued(shared, done);
        }
        if f.source() == Source::CatchUp {
            self.catch_up_running -= 1;
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
        } else if h.id.is_some() || h.path.is_some() {
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
