//! The run context: what every step of one command shares. One cancellation token fed by SIGINT
//! and SIGTERM, one deadline for the whole command, the concurrency limits and the retry policy.
//!
//! Invariants: at most `concurrency` requests are in flight over all steps and pods, and at most
//! `per_pod_concurrency` to any one pod; a retry never holds a concurrency slot while it waits;
//! only what a step marks transient ([`Attempt::Retry`]) is retried, with exponential backoff and
//! jitter; once the deadline passes or a signal arrives no new attempt starts and in-flight ones
//! are dropped, and the work item reports *why* it stopped instead of a result. A second signal
//! exits at once with the signal's code. The HTTP client is not here: requests go through
//! [`crate::transport`].

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::exit::{Code, Stop};

/// First backoff step; it doubles per retry, with jitter, up to [`BACKOFF_CAP`].
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// How hard and how long to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub concurrency: usize,
    pub per_pod_concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub deadline: Option<Duration>,
}

/// What a step keeps of its cells: everything (a caller that reads the report in memory), only
/// what people need to read a verdict (the failures), or nothing (the outputs that carry every
/// cell as it completes: NDJSON events and the JSON document's lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retain {
    All,
    Failures,
    Nothing,
}

impl Retain {
    /// Whether a cell that succeeded (`ok`) or failed is kept.
    pub fn keeps(self, ok: bool) -> bool {
        match self {
            Retain::All => true,
            Retain::Failures => !ok,
            Retain::Nothing => false,
        }
    }
}

/// What one attempt concluded.
pub enum Attempt<T> {
    /// A result to keep (success or a failure that retrying cannot fix).
    Final(T),
    /// A transient failure; retry if attempts remain, else keep this result.
    Retry(T),
}

/// A finished work item: its result (or why it stopped), how many attempts it took and how long
/// the last attempt took.
pub struct Done<T> {
    pub result: Result<T, Stop>,
    pub attempts: u32,
    pub latency: Duration,
}

/// Shared by every step of one command. Cheap to clone.
#[derive(Clone)]
pub struct RunContext {
    inner: Arc<Inner>,
}

struct Inner {
    limits: Limits,
    global: Semaphore,
    cancel: CancellationToken,
    deadline: Option<Instant>,
    /// The signal that cancelled the run, if one did.
    signal: OnceLock<Stop>,
    /// The first reason a work item was stopped, for the report.
    observed: OnceLock<Stop>,
    listening: AtomicBool,
}

impl RunContext {
    /// A context whose deadline (if any) starts now.
    pub fn new(limits: Limits) -> RunContext {
        RunContext {
            inner: Arc::new(Inner {
                global: Semaphore::new(limits.concurrency),
                deadline: limits.deadline.map(|d| Instant::now() + d),
                limits,
                cancel: CancellationToken::new(),
                signal: OnceLock::new(),
                observed: OnceLock::new(),
                listening: AtomicBool::new(false),
            }),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Cancels the run on the first SIGINT or SIGTERM; a second signal exits at once with its
    /// code. The handlers are installed before this returns (so a SIGTERM right after start is
    /// not fatal). Idempotent; needs a Tokio runtime.
    pub fn listen_for_signals(&self) {
        if self.inner.listening.swap(true, Ordering::SeqCst) {
            return;
        }
        let mut signals = Signals::install();
        let ctx = self.clone();
        tokio::spawn(async move {
            let Some(first) = signals.next().await else {
                return;
            };
            ctx.cancel(first);
            if let Some(second) = signals.next().await {
                let code = match second {
                    Stop::Terminated => Code::Terminated,
                    _ => Code::Interrupted,
                };
                std::process::exit(i32::from(code.as_u8()));
            }
        });
    }

    /// Cancels everything, recording why (a signal, or a caller that gives up).
    pub fn cancel(&self, why: Stop) {
        if why.is_signal() {
            let _ = self.inner.signal.set(why);
        }
        self.inner.cancel.cancel();
    }

    /// A token cancelled with the run (for servers and loops a step runs).
    pub fn cancel_token(&self) -> CancellationToken {
        self.inner.cancel.clone()
    }

    /// Why work is stopped, if it is.
    pub fn stopped(&self) -> Option<Stop> {
        if let Some(s) = self.inner.signal.get() {
            Some(*s)
        } else if self.inner.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Stop::Deadline)
        } else if self.inner.cancel.is_cancelled() {
            Some(Stop::Interrupted)
        } else {
            None
        }
    }

    /// Why some work item stopped before finishing, if any did: the report is then partial. A
    /// signal wins over the deadline, so the exit code says the run was cancelled.
    pub fn observed_stop(&self) -> Option<Stop> {
        let observed = self.inner.observed.get().copied()?;
        Some(self.inner.signal.get().copied().unwrap_or(observed))
    }

    /// Records that work was cut short (for steps that stop without an attempt noticing).
    pub fn observe(&self, s: Stop) {
        let _ = self.inner.observed.set(s);
    }

    /// Resolves when work must stop.
    pub async fn stop(&self) -> Stop {
        let deadline = async {
            match self.inner.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.inner.cancel.cancelled() => self.stopped().unwrap_or(Stop::Interrupted),
            _ = deadline => Stop::Deadline,
        }
    }

    /// Sleeps unless work stops first; returns the reason it stopped.
    pub async fn sleep(&self, d: Duration) -> Result<(), Stop> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            s = self.stop() => Err(s),
        }
    }

    /// Runs one work item: each attempt takes a global slot for its duration only; transient
    /// failures are retried with exponential backoff and jitter up to `limits.retries` times.
    pub async fn attempt<T, F, Fut>(&self, mut f: F) -> Done<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let mut attempts = 0;
        loop {
            if let Some(s) = self.stopped() {
                self.observe(s);
                return Done {
                    result: Err(s),
                    attempts,
                    latency: Duration::ZERO,
                };
            }
            let permit = tokio::select! {
                p = self.inner.global.acquire() => p.expect("the semaphore is never closed"),
                s = self.stop() => {
                    self.observe(s);
                    return Done { result: Err(s), attempts, latency: Duration::ZERO };
                }
            };
            attempts += 1;
            let started = Instant::now();
            let outcome = tokio::select! {
                o = f() => o,
                s = self.stop() => {
                    self.observe(s);
                    return Done { result: Err(s), attempts, latency: started.elapsed() };
                }
            };
            let latency = started.elapsed();
            drop(permit);
            match outcome {
                Attempt::Final(t) => {
                    return Done {
                        result: Ok(t),
                        attempts,
                        latency,
                    };
                }
                Attempt::Retry(t) => {
                    let out_of_retries = attempts > self.inner.limits.retries;
                    if !out_of_retries {
                        tracing::debug!(
                            attempt = attempts,
                            "transient failure; retrying after a backoff"
                        );
                    }
                    let stopped = if out_of_retries {
                        None
                    } else {
                        self.sleep(backoff(attempts)).await.err()
                    };
                    if let Some(s) = stopped {
                        // The run was cut short here all the same: the report must say so
                        // (and a signal must still set the exit code).
                        self.observe(s);
                    }
                    if out_of_retries || stopped.is_some() {
                        // Out of retries, or stopped while backing off: the last failure is more
                        // useful to report than "cancelled".
                        return Done {
                            result: Ok(t),
                            attempts,
                            latency,
                        };
                    }
                }
            }
        }
    }

    /// Runs every item of every lane (one lane per pod, at most `per_pod_concurrency` items of a
    /// lane at once) and sends each result as it completes. Lanes run as separate tasks so CPU
    /// work such as hashing spreads over the cores.
    pub fn run_lanes<I, R, F, Fut>(&self, lanes: Vec<Vec<I>>, work: F) -> mpsc::UnboundedReceiver<R>
    where
        I: Send + 'static,
        R: Send + 'static,
        F: Fn(I) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let (tx, rx) = mpsc::unbounded_channel();
        let per_pod = self.inner.limits.per_pod_concurrency;
        for lane in lanes {
            let tx = tx.clone();
            let work = work.clone();
            tokio::spawn(async move {
                let mut results = futures_util::stream::iter(lane)
                    .map(work)
                    .buffer_unordered(per_pod);
                while let Some(r) = results.next().await {
                    if tx.send(r).is_err() {
                        return;
                    }
                }
            });
        }
        rx
    }
}

/// SIGINT and SIGTERM, as the stops they cause. Both handlers are installed at once, so a
/// signal that arrives before anyone awaits it is still seen.
struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn install() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Signals { streams }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal; `None` when signals cannot be received.
    async fn next(&mut self) -> Option<Stop> {
        #[cfg(unix)]
        if let Some((int, term)) = &mut self.streams {
            return tokio::select! {
                r = int.recv() => r.map(|_| Stop::Interrupted),
                r = term.recv() => r.map(|_| Stop::Terminated),
            };
        }
        tokio::signal::ctrl_c()
            .await
            .ok()
            .map(|_| Stop::Interrupted)
    }
}

/// Exponential backoff with equal jitter: the wait before retry `attempt` (1-based) doubles from
/// `base` up to `cap`, and is half fixed, half random, so many clients do not retry in step. The
/// one backoff of the program: requests to pods, reconnecting to Redis, retrying CloudFront.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    /// The wait before retry `attempt`.
    pub fn delay(self, attempt: u32) -> Duration {
        let step = self
            .base
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.cap);
        let half = step / 2;
        half + half.mul_f64(rand::random::<f64>())
    }
}

/// Requests to pods (and for sitemaps): 100 ms, doubling, up to 2 s.
pub const BACKOFF: Backoff = Backoff {
    base: BACKOFF_BASE,
    cap: BACKOFF_CAP,
};

fn backoff(attempt: u32) -> Duration {
    BACKOFF.delay(attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..10 {
            let d = backoff(attempt);
            let step = BACKOFF_BASE
                .saturating_mul(1 << (attempt - 1))
                .min(BACKOFF_CAP);
            assert!(d >= step / 2 && d <= step, "{attempt}: {d:?}");
        }
    }

    fn limits(retries: u32) -> Limits {
        Limits {
            concurrency: 2,
            per_pod_concurrency: 1,
            timeout: Duration::from_secs(1),
            retries,
            deadline: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_failures_then_keeps_the_last() {
        let ctx = RunContext::new(limits(2));
        let calls = std::sync::atomic::AtomicU32::new(0);
        let done = ctx
            .attempt(|| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move { Attempt::Retry(n) }
            })
            .await;
        assert_eq!(done.attempts, 3);
        assert_eq!(done.result.unwrap(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn final_results_are_not_retried() {
        let ctx = RunContext::new(limits(5));
        let done = ctx.attempt(|| async { Attempt::Final(7) }).await;
        assert_eq!(done.attempts, 1);
        assert_eq!(done.result.unwrap(), 7);
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_stops_in_flight_work() {
        for why in [Stop::Interrupted, Stop::Terminated] {
            let ctx = RunContext::new(limits(0));
            let c2 = ctx.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                c2.cancel(why);
            });
            let done: Done<()> = ctx
                .attempt(|| async {
                    std::future::pending::<()>().await;
                    Attempt::Final(())
                })
                .await;
            assert_eq!(done.result.unwrap_err(), why);
            assert_eq!(ctx.observed_stop(), Some(why));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_during_backoff_keeps_the_failure_and_is_observed() {
        let mut l = limits(10);
        l.deadline = Some(Duration::from_millis(30));
        let ctx = RunContext::new(l);
        let done = ctx.attempt(|| async { Attempt::Retry(503u16) }).await;
        assert_eq!(done.result.unwrap(), 503);
        assert_eq!(done.attempts, 1);
        assert_eq!(ctx.observed_stop(), Some(Stop::Deadline));

        let ctx = RunContext::new(limits(10));
        let c2 = ctx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            c2.cancel(Stop::Interrupted);
        });
        let done = ctx.attempt(|| async { Attempt::Retry(503u16) }).await;
        assert_eq!(done.result.unwrap(), 503);
        assert_eq!(ctx.observed_stop(), Some(Stop::Interrupted));
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_stops_work() {
        let mut l = limits(0);
        l.deadline = Some(Duration::from_millis(50));
        let ctx = RunContext::new(l);
        let done: Done<()> = ctx
            .attempt(|| async {
                std::future::pending::<()>().await;
                Attempt::Final(())
            })
            .await;
        assert_eq!(done.result.unwrap_err(), Stop::Deadline);
    }

    #[tokio::test(start_paused = true)]
    async fn a_signal_outranks_the_deadline_in_the_report() {
        let mut l = limits(0);
        l.deadline = Some(Duration::from_millis(5));
        let ctx = RunContext::new(l);
        ctx.observe(Stop::Deadline);
        ctx.cancel(Stop::Terminated);
        assert_eq!(ctx.observed_stop(), Some(Stop::Terminated));
    }
}
