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
    /// Messages dispatched and not finished: running, or waiting for a slot.
    pub(super) pending: usize,
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
        let shared = shared.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let source = w.source;
            // A stop wins over a free slot: once the agent stops, nothing more starts.
            let slot = tokio::select! {
                biased;
                _ = shared.stopping.cancelled() => {
                    let _ = done.send(Finished::Left(source));
                    return;
                }
                s = shared.slots.acquire() => s.expect("never closed"),
            };
            shared.metrics.in_flight.fetch_add(1, Ordering::SeqCst);
            let h = tokio::select! {
                biased;
                _ = shared.give_up.cancelled() => None,
                h = handle(&shared, w) => Some(h),
            };
            drop(slot);
            shared.metrics.in_flight.fetch_sub(1, Ordering::SeqCst);
            let _ = done.send(match h {
                Some(h) => Finished::Handled(h),
                None => Finished::GivenUp(source),
            });
        });
    }

    pub(super) fn finished(
        &mut self,
        f: Finished,
        retain: Retain,
        on_event: &mut impl FnMut(&Event),
    ) {
        self.pending -= 1;
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
