//! The request engine every step shares: one HTTP client, bounded concurrency (global and per
//! pod), retries with backoff and jitter, per-request timeouts, an overall deadline and Ctrl-C.
//!
//! Invariants: at most `concurrency` requests are in flight over all pods and at most
//! `per_pod_concurrency` to any one pod; a retry never holds a concurrency slot while it waits;
//! only transport failures (connect error, timeout, reset) and 502/503/504 are retried, never
//! other statuses; once the deadline passes or Ctrl-C is pressed no new request starts and
//! in-flight ones are dropped, and the work item reports *why* it stopped instead of a result.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::Limits;

/// The user agent every request carries, so pod logs can tell revalidate's traffic apart.
pub const USER_AGENT: &str = concat!("revalidate/", env!("CARGO_PKG_VERSION"));

/// First backoff step; it doubles per retry, with jitter, up to [`BACKOFF_CAP`].
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// Builds the HTTP client. Redirects are not followed: a pod that redirects a revalidation is
/// reported, not silently replaced by another URL. Environment proxies are never used: the point
/// is to reach each pod itself. `decode` turns on gzip/br decoding (verify hashes content, not
/// transfer encodings); fanout leaves it off and asks for identity.
///
/// Each connection keeps a read buffer that grows with the bodies it reads (up to ~400 KiB), so
/// idle connections are capped near the share of the global limit each of the `origins` gets:
/// connections beyond what the run can use at once are closed after use, which keeps memory
/// bounded by concurrency rather than by pods x per-pod concurrency.
pub fn client(limits: &Limits, decode: bool, origins: usize) -> anyhow::Result<reqwest::Client> {
    let share = limits.concurrency.div_ceil(origins.max(1)) + 1;
    let mut b = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(limits.timeout)
        .pool_max_idle_per_host(limits.per_pod_concurrency.min(share))
        .pool_idle_timeout(Duration::from_secs(30))
        .tcp_nodelay(true);
    if !decode {
        b = b.no_gzip().no_brotli();
    }
    Ok(b.build()?)
}

/// Why work stopped before it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    Interrupted,
    Deadline,
}

impl Stop {
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Interrupted => "interrupted (Ctrl-C) before this request finished",
            Stop::Deadline => "the --deadline passed before this request finished",
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

/// Shared state of one run: client, limits, the global slot pool, cancellation and deadline.
#[derive(Clone)]
pub struct Engine {
    pub client: reqwest::Client,
    pub limits: Limits,
    global: Arc<Semaphore>,
    cancel: CancellationToken,
    deadline: Option<Instant>,
    interrupted: Arc<std::sync::atomic::AtomicBool>,
    /// The first reason a work item was stopped, for the report.
    observed: Arc<std::sync::OnceLock<Stop>>,
}

impl Engine {
    pub fn new(client: reqwest::Client, limits: Limits, cancel: CancellationToken) -> Engine {
        Engine {
            client,
            limits,
            global: Arc::new(Semaphore::new(limits.concurrency)),
            deadline: limits.deadline.map(|d| Instant::now() + d),
            cancel,
            interrupted: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            observed: Arc::new(std::sync::OnceLock::new()),
        }
    }

    /// Cancels everything because of Ctrl-C.
    pub fn interrupt(&self) {
        self.interrupted
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.cancel.cancel();
    }

    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Why work is stopped, if it is.
    pub fn stopped(&self) -> Option<Stop> {
        if self.interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            Some(Stop::Interrupted)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Stop::Deadline)
        } else if self.cancel.is_cancelled() {
            Some(Stop::Interrupted)
        } else {
            None
        }
    }

    /// Why some work item stopped before finishing, if any did: the report is then partial.
    pub fn observed_stop(&self) -> Option<Stop> {
        if self.interrupted.load(std::sync::atomic::Ordering::SeqCst)
            && self.observed.get().is_some()
        {
            return Some(Stop::Interrupted);
        }
        self.observed.get().copied()
    }

    /// Resolves when work must stop.
    async fn stop(&self) -> Stop {
        let deadline = async {
            match self.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.cancel.cancelled() => self.stopped().unwrap_or(Stop::Interrupted),
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
                let _ = self.observed.set(s);
                return Done {
                    result: Err(s),
                    attempts,
                    latency: Duration::ZERO,
                };
            }
            let permit = tokio::select! {
                p = self.global.acquire() => p.expect("the semaphore is never closed"),
                s = self.stop() => {
                    let _ = self.observed.set(s);
                    return Done { result: Err(s), attempts, latency: Duration::ZERO };
                }
            };
            attempts += 1;
            let started = Instant::now();
            let outcome = tokio::select! {
                o = f() => o,
                s = self.stop() => {
                    let _ = self.observed.set(s);
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
                    let out_of_retries = attempts > self.limits.retries;
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
                        // (and Ctrl-C must still exit 130).
                        let _ = self.observed.set(s);
                    }
                    if out_of_retries || stopped.is_some() {
                        // Out of retries, or the deadline came while backing off: the last
                        // failure is more useful to report than "cancelled".
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
        let per_pod = self.limits.per_pod_concurrency;
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

/// Exponential backoff with equal jitter: half the step fixed, half random.
fn backoff(attempt: u32) -> Duration {
    let step = BACKOFF_BASE
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    let half = step / 2;
    half + half.mul_f64(rand::random::<f64>())
}

/// A transport failure in words, without the URL (reports name the pod and path already) and
/// through the secret redactor.
pub fn describe_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else if e.is_body() || e.is_decode() {
        "body error"
    } else {
        "request error"
    };
    let mut chain = Vec::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !chain.contains(&t) {
            chain.push(t);
        }
        src = s.source();
    }
    let detail = if chain.is_empty() {
        e.to_string()
    } else {
        chain.join(": ")
    };
    crate::secret::redact(&format!("{kind}: {detail}")).into_owned()
}

/// Statuses worth retrying: the pod or a proxy in front of it is overloaded or restarting.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 502..=504)
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
        let e = Engine::new(reqwest::Client::new(), limits(2), CancellationToken::new());
        let calls = std::sync::atomic::AtomicU32::new(0);
        let done = e
            .attempt(|| {
                let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move { Attempt::Retry(n) }
            })
            .await;
        assert_eq!(done.attempts, 3);
        assert_eq!(done.result.unwrap(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn final_results_are_not_retried() {
        let e = Engine::new(reqwest::Client::new(), limits(5), CancellationToken::new());
        let done = e.attempt(|| async { Attempt::Final(7) }).await;
        assert_eq!(done.attempts, 1);
        assert_eq!(done.result.unwrap(), 7);
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_stops_in_flight_work() {
        let e = Engine::new(reqwest::Client::new(), limits(0), CancellationToken::new());
        let e2 = e.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            e2.interrupt();
        });
        let done: Done<()> = e
            .attempt(|| async {
                std::future::pending::<()>().await;
                Attempt::Final(())
            })
            .await;
        assert_eq!(done.result.unwrap_err(), Stop::Interrupted);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_during_backoff_keeps_the_failure_and_is_observed() {
        let mut l = limits(10);
        l.deadline = Some(Duration::from_millis(30));
        let e = Engine::new(reqwest::Client::new(), l, CancellationToken::new());
        let done = e.attempt(|| async { Attempt::Retry(503u16) }).await;
        assert_eq!(done.result.unwrap(), 503);
        assert_eq!(done.attempts, 1);
        assert_eq!(e.observed_stop(), Some(Stop::Deadline));

        let e = Engine::new(reqwest::Client::new(), limits(10), CancellationToken::new());
        let e2 = e.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            e2.interrupt();
        });
        let done = e.attempt(|| async { Attempt::Retry(503u16) }).await;
        assert_eq!(done.result.unwrap(), 503);
        assert_eq!(e.observed_stop(), Some(Stop::Interrupted));
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_stops_work() {
        let mut l = limits(0);
        l.deadline = Some(Duration::from_millis(50));
        let e = Engine::new(reqwest::Client::new(), l, CancellationToken::new());
        let done: Done<()> = e
            .attempt(|| async {
                std::future::pending::<()>().await;
                Attempt::Final(())
            })
            .await;
        assert_eq!(done.result.unwrap_err(), Stop::Deadline);
    }
}
