//! agent: the sidecar that replaces the module-scope subscriber. It runs beside the app in every
//! pod, and for every message on the channel revalidates the local app with fanout's own code
//! (one target: the app), then publishes an acknowledgement `{"id","path","pod","outcome","ms"}`
//! on `<channel>:acks`.
//!
//! What it closes, compared with an ioredis subscriber in `_app.js`: it reconnects with backoff
//! and resubscribes for as long as Redis is away, saying so ([`crate::redis::subscriber`]); its
//! `/healthz` passes only while it is subscribed, the app has answered and any catch-up is done,
//! so a readiness probe closes the start-up gap; with `--stream` it reads `<channel>:stream` from
//! the last entry it handled, so what was published while it was cut off is handled after
//! reconnecting; `--catch-up` revalidates at start what was published recently.
//!
//! Invariants: a message id is handled at most once within the dedupe window, whichever way it
//! arrived (the channel, the stream, or both); at most `--per-pod-concurrency` revalidations run
//! at once (it is one pod); messages that arrive before the app has answered wait for it; on
//! SIGTERM or Ctrl-C no new message is taken and none not yet started is started, the
//! revalidations in flight get `--grace-period` to finish and be acknowledged whatever is down
//! (the app, Redis), what is still running then is given up, the log says how many finished, how
//! many were given up and how many were left to the stream, and the agent exits 0 (Kubernetes
//! kills it 30 s after SIGTERM: a backlog is the stream's to replay, not this process's); the
//! agent never prints: it logs (tracing) and reports events.

pub mod health;
mod human;
pub mod stream;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::config::{AgentSettings, FanoutSettings};
use crate::context::Retain;
use crate::context::RunContext;
use crate::error::ConfigError;
use crate::exit::Code;
use crate::exit::Stop;
use crate::fanout;
use crate::paths::{Purpose, UrlPath};
use crate::redis::Redis;
use crate::redis::message::{self, Ack};
use crate::redis::subscriber::{self, Link, LinkEvent, Session, Topics, Update};
use crate::report::{Item, Reporter, Shown, StepReport, Style};
use crate::targets::{self, Target};
use crate::transport::{PodRequest, Transport};

use health::Metrics;
use stream::{Start, StreamUpdate};

pub use crate::config::keys::DEFAULT_TARGET;

/// The most handled messages a report lists (JSON output of a long-running agent): the latest.
const MAX_LISTED: usize = 10_000;

/// How often the agent asks whether the app answers, while it waits for it.
const APP_PROBE_EVERY: Duration = Duration::from_millis(250);
/// Tries of one acknowledgement before it is given up (Redis may have just restarted).
const ACK_ATTEMPTS: u32 = 4;

/// Everything the agent will do, checked before it connects.
#[derive(Clone, Debug)]
pub struct Plan {
    pub pod: String,
    pub target: Target,
    pub channel: String,
    /// fanout's plan for the one target, without paths (each message adds its own).
    pub revalidate: fanout::Plan,
    /// `--stream`: the stream followed.
    pub stream: Option<String>,
    pub catch_up: Option<Duration>,
    pub dedupe_window: Duration,
    /// On a stop: how long the revalidations in flight may take.
    pub grace_period: Duration,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Resolves the pod name, the target and how to revalidate. Reads the preview id; sends
    /// nothing.
    pub fn build(a: &AgentSettings, f: &FanoutSettings) -> Result<Plan, ConfigError> {
        let pod = match &a.pod_name {
            Some(p) => p.trim().to_string(),
            None => hostname().ok_or_else(|| {
                ConfigError(
                    "the pod name is unknown (no hostname): give --pod-name NAME or env POD_NAME"
                        .into(),
                )
            })?,
        };
        if pod.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError(format!(
                "the pod name {pod:?} (--pod-name or env POD_NAME) has spaces or control characters"
            )));
        }
        let target = targets::parse_spec(&format!("{pod}={}", a.target)).map_err(|why| {
            ConfigError(format!(
                "--target {:?} (agent.target): {why}",
                crate::secret::mask_userinfo(&a.target)
            ))
        })?;
        let revalidate = fanout::Plan::build(f, Vec::new(), vec![target.clone()])?;
        Ok(Plan {
            pod,
            target,
            channel: a.channel.clone(),
            warnings: revalidate.warnings.clone(),
            revalidate,
            stream: a.stream.then(|| message::stream_key(&a.channel)),
            catch_up: a.catch_up,
            dedupe_window: a.dedupe_window,
            grace_period: a.grace_period,
        })
    }
}

/// This machine's name: what Kubernetes sets to the pod's name.
pub fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Where a message came from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "AgentSource")]
pub enum Source {
    Pubsub,
    Stream,
    CatchUp,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Pubsub => "pubsub",
            Source::Stream => "stream",
            Source::CatchUp => "catch-up",
        }
    }
}

/// One message to handle.
#[derive(Clone, Debug)]
struct Work {
    id: Option<String>,
    path: Option<String>,
    source: Source,
}

/// What became of one message.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Handled {
    pub id: Option<String>,
    /// The path as the message gave it.
    pub path: Option<String>,
    pub source: Source,
    /// fanout's outcome (`revalidated`, `gone`, `unreachable`, …), or `invalid`.
    pub outcome: String,
    pub ok: bool,
    pub status: Option<u16>,
    pub ms: f64,
    pub error: Option<String>,
    /// Whether the acknowledgement was published.
    pub acked: bool,
}

/// A message not handled.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "AgentSkipped")]
pub struct Skipped {
    pub id: Option<String>,
    pub path: Option<String>,
    pub source: Source,
    /// "duplicate": its id was handled within the dedupe window.
    pub reason: String,
}

/// What the agent reports as it goes.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Event {
    /// A link to Redis changed state.
    Link(LinkEvent),
    /// The app answered (or is still awaited).
    App {
        state: String,
        target: String,
    },
    /// `/healthz` flipped.
    Ready {
        ready: bool,
        why: Option<String>,
    },
    /// The catch-up read the stream to its end.
    CaughtUp {
        messages: usize,
    },
    Handled(Handled),
    Skipped(Skipped),
}

/// How the agent stopped: what was running, what finished in the grace period, what was left.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Shutdown {
    /// Revalidations running when the agent was told to stop.
    pub in_flight: u64,
    /// Of those, the ones that finished (acknowledged or not) within the grace period.
    pub finished: u64,
    /// Of those, the ones given up when the grace period ended.
    pub given_up: u64,
    /// Messages received but not started (waiting for the app or for a slot): left undone, for
    /// the stream to replay when it holds them.
    pub left: u64,
    /// The stream this agent read (`--stream` or `--catch-up`), which holds what was published
    /// with `publish --stream`; null when it read none.
    pub stream: Option<String>,
    pub grace_period_ms: f64,
}

impl Shutdown {
    /// The log's and the report's account of the stop, in words.
    pub fn describe(&self) -> String {
        let mut s = if self.in_flight == 0 {
            "no revalidation was in flight".to_string()
        } else if self.given_up == 0 {
            format!(
                "{} of {} revalidation{} in flight finished",
                self.finished,
                self.in_flight,
                if self.in_flight == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{} of {} revalidation{} in flight finished, {} given up after the {} grace period",
                self.finished,
                self.in_flight,
                if self.in_flight == 1 { "" } else { "s" },
                self.given_up,
                humantime::format_duration(Duration::from_millis(self.grace_period_ms as u64)),
            )
        };
        if self.left > 0 {
            let n = self.left;
            let them = if n == 1 { "it" } else { "them" };
            s.push_str(&format!(
                "; {n} message{} not started {}",
                if n == 1 { "" } else { "s" },
                match &self.stream {
                    Some(key) => format!(
                        "{} left to the stream {key}: an agent started with --catch-up revalidates {them}",
                        if n == 1 { "is" } else { "are" }
                    ),
                    None => format!(
                        "{} not revalidated on this pod (this agent does not read the stream: with --stream and --catch-up the next one would catch up on {them})",
                        if n == 1 { "was" } else { "were" }
                    ),
                }
            ));
        }
        s
    }
}

#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "AgentTotals")]
pub struct Totals {
    pub messages: u64,
    pub duplicates: u64,
    pub invalid: u64,
    pub revalidations: BTreeMap<String, u64>,
    pub acks_sent: u64,
    pub acks_failed: u64,
    pub reconnects: u64,
}

/// The agent's report, when it stops.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "AgentReport")]
pub struct Report {
    pub duration_ms: f64,
    pub pod: String,
    pub target: String,
    pub redis: String,
    pub channel: String,
    /// The channel is a Redis Cluster's shard channel (SSUBSCRIBE).
    pub sharded: bool,
    pub stream: Option<String>,
    pub health: Option<String>,
    /// The messages handled (JSON output only; the latest 10,000), in the order they finished.
    pub handled: Vec<Handled>,
    pub totals: Totals,
    /// Why it stopped (a signal or --deadline): its normal end, exit 0.
    pub ended_by: Option<Stop>,
    /// What the stop left: in flight, finished, given up, not started.
    pub shutdown: Shutdown,
    pub warnings: Vec<String>,
    pub exit_code: u8,
}

impl Report {
    /// An agent's failures are in its metrics and logs; stopping is how it ends.
    pub fn code(&self) -> Code {
        Code::Success
    }
}

/// Runs until the run is stopped. `first` is a subscription the command already made (None
/// when Redis was not reachable yet: the agent keeps trying).
#[allow(clippy::too_many_arguments)]
pub async fn run(
    ctx: &RunContext,
    redis: &Redis,
    first: Option<Session>,
    health: Option<health::Listener>,
    plan: &Plan,
    transport: &Transport,
    retain: Retain,
    mut on_event: impl FnMut(&Event),
) -> Report {
    let started = Instant::now();
    let metrics = Arc::new(Metrics::default());
    metrics
        .caught_up
        .store(plan.catch_up.is_none(), Ordering::SeqCst);
    let cancel = CancellationToken::new();
    let health_addr = health.as_ref().and_then(health::Listener::local_addr);
    if let Some(l) = health {
        tokio::spawn(health::serve(l, metrics.clone(), cancel.clone()));
    }
    tracing::info!(
        pod = %plan.pod,
        target = %plan.target.location(),
        channel = %plan.channel,
        redis = %redis.shown(),
        stream = plan.stream.as_deref().unwrap_or("off"),
        health = %health_addr.map_or("off".to_string(), |a: SocketAddr| a.to_string()),
        "agent started"
    );

    let (sub_tx, mut sub_rx) = mpsc::unbounded_channel();
    tokio::spawn(subscriber::run(
        redis.clone(),
        Topics {
            sharded: redis.sharded(),
            ..Topics::channel(&plan.channel)
        },
        first,
        cancel.clone(),
        sub_tx,
    ));
    let (stream_tx, mut stream_rx) = mpsc::unbounded_channel();
    let stream_key = message::stream_key(&plan.channel);
    match (&plan.stream, plan.catch_up) {
        (None, None) => drop(stream_tx),
        (follow, catch_up) => {
            let start = match catch_up {
                Some(d) => Start::Since(message::now_ms().saturating_sub(d.as_millis() as u64)),
                None => Start::Latest,
            };
            tokio::spawn(stream::run(
                redis.clone(),
                stream_key.clone(),
                start,
                follow.is_some(),
                cancel.clone(),
                stream_tx,
            ));
        }
    }

    // Revalidations are never cut short by the signal that stops the agent: they run on a
    // context of their own, and the agent waits for them.
    let work_ctx = RunContext::new(crate::context::Limits {
        deadline: None,
        ..*ctx.limits()
    });
    let acks = match redis.manager() {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::warn!(
                "no connection for acknowledgements ({e}); messages will not be acknowledged"
            );
            None
        }
    };
    let shared = Arc::new(Shared {
        ctx: work_ctx,
        transport: transport.clone(),
        plan: plan.clone(),
        acks,
        ack_channel: message::ack_channel(&plan.channel),
        metrics: metrics.clone(),
        // One app: the per-pod limit is the one that protects it.
        slots: Semaphore::new(
            ctx.limits()
                .per_pod_concurrency
                .min(ctx.limits().concurrency),
        ),
        stopping: CancellationToken::new(),
        give_up: CancellationToken::new(),
    });
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Finished>();

    let mut state = State {
        dedupe: Dedupe::new(plan.dedupe_window),
        waiting: Vec::new(),
        pending: 0,
        shutdown: None,
        stream_caught_up: false,
        catch_up_running: 0,
        stream_done: plan.stream.is_none() && plan.catch_up.is_none(),
        totals: Totals::default(),
        handled: VecDeque::new(),
        ready: false,
    };
    let mut app_probe = Some(Box::pin(wait_for_app(
        transport.clone(),
        plan.target.clone(),
    )));
    tracing::info!(target = %plan.target.location(), "waiting for the app to answer");
    on_event(&Event::App {
        state: "waiting".into(),
        target: plan.target.location().to_string(),
    });

    let ended_by = loop {
        tokio::select! {
            s = ctx.stop() => break s,
            _ = async {
                match &mut app_probe {
                    Some(p) => p.await,
                    None => std::future::pending().await,
                }
            } => {
                app_probe = None;
                metrics.app_up.store(true, Ordering::SeqCst);
                tracing::info!(target = %plan.target.location(), "the app answered");
                on_event(&Event::App { state: "ready".into(), target: plan.target.location().to_string() });
                for w in std::mem::take(&mut state.waiting) {
                    state.dispatch(w, &shared, &done_tx);
                }
            }
            u = sub_rx.recv() => match u {
                None => {}
                Some(Update::Link(l)) => {
                    metrics.subscribed.store(matches!(l, Link::Subscribed { .. }), Ordering::SeqCst);
                    link(&l, "pubsub", redis, plan, &metrics, &mut state.totals, &mut on_event);
                }
                Some(Update::Message(m)) => {
                    metrics.messages_pubsub.fetch_add(1, Ordering::SeqCst);
                    let p = message::parse(&m.payload);
                    state.take(Work { id: p.id, path: p.path, source: Source::Pubsub }, app_probe.is_none(), &shared, &done_tx, &mut on_event);
                }
            },
            u = stream_rx.recv(), if !state.stream_done => match u {
                None => state.stream_done = true,
                Some(StreamUpdate::Link(l)) => link(&l, "stream", redis, plan, &metrics, &mut state.totals, &mut on_event),
                Some(StreamUpdate::Entry(e)) => {
                    metrics.messages_stream.fetch_add(1, Ordering::SeqCst);
                    let source = if !state.stream_caught_up && plan.catch_up.is_some() {
                        Source::CatchUp
                    } else {
                        Source::Stream
                    };
                    state.take(Work { id: e.id, path: e.path, source }, app_probe.is_none(), &shared, &done_tx, &mut on_event);
                }
                Some(StreamUpdate::CaughtUp { entries }) => {
                    tracing::info!(messages = entries, stream = %stream_key, "caught up with the stream");
                    on_event(&Event::CaughtUp { messages: entries });
                    state.stream_caught_up = true;
                }
            },
            Some(h) = done_rx.recv() => state.finished(h, retain, &mut on_event),
        }
        // Catch-up is done once the reader reached the end and nothing of it waits or runs.
        if plan.catch_up.is_some() && state.stream_caught_up && state.catch_up_left() == 0 {
            metrics.caught_up.store(true, Ordering::SeqCst);
        }
        let ready = metrics.readiness();
        if ready.is_ok() != state.ready {
            state.ready = ready.is_ok();
            if state.ready {
                tracing::info!("ready: subscribed, the app answers");
            } else {
                tracing::warn!(why = ready.err().unwrap_or(""), "not ready");
            }
            on_event(&Event::Ready {
                ready: state.ready,
                why: ready.err().map(str::to_string),
            });
        }
    };

    // Stop taking messages and starting them; give what is in flight the grace period.
    metrics.stopping.store(true, Ordering::SeqCst);
    on_event(&Event::Ready {
        ready: false,
        why: Some("stopping".into()),
    });
    shared.stopping.cancel();
    cancel.cancel();
    let reads_stream = plan.stream.is_some() || plan.catch_up.is_some();
    let shutdown = Shutdown {
        // Held until the app answered: never started.
        left: state.waiting.len() as u64,
        stream: reads_stream.then(|| stream_key.clone()),
        grace_period_ms: crate::units::millis(plan.grace_period),
        ..Shutdown::default()
    };
    tracing::info!(
        in_flight = metrics.in_flight.load(Ordering::SeqCst),
        grace_period = %humantime::format_duration(plan.grace_period),
        "stopping ({}): the revalidations in flight get the grace period to finish; no other message is started",
        match ended_by {
            Stop::Interrupted => "Ctrl-C",
            Stop::Terminated => "SIGTERM",
            Stop::Deadline => "--deadline",
        }
    );
    state.shutdown = Some(shutdown);
    let grace_ends = tokio::time::Instant::now() + plan.grace_period;
    while state.pending > 0 {
        tokio::select! {
            f = done_rx.recv() => match f {
                Some(f) => state.finished(f, retain, &mut on_event),
                None => break,
            },
            _ = tokio::time::sleep_until(grace_ends), if !shared.give_up.is_cancelled() => {
                // Whatever is down (the app, Redis for the acknowledgement), the stop is bounded:
                // what still runs is given up, and each task says so at once.
                shared.give_up.cancel();
            }
        }
    }
    let mut shutdown = state.shutdown.take().expect("set above");
    shutdown.in_flight = shutdown.finished + shutdown.given_up;
    let told = shutdown.describe();
    if shutdown.given_up > 0 || shutdown.left > 0 {
        tracing::warn!(
            finished = shutdown.finished,
            given_up = shutdown.given_up,
            left = shutdown.left,
            "stopped: {told}"
        );
    } else {
        tracing::info!(
            messages = state.totals.messages,
            finished = shutdown.finished,
            "stopped: {told}"
        );
    }
    // The log said it; the report holds it as `shutdown`.
    let mut warnings = plan.warnings.clone();
    warnings.extend(redis.warnings.iter().cloned());
    let finished = state.totals.messages - state.totals.duplicates;
    if retain == Retain::All && finished > MAX_LISTED as u64 {
        warnings.push(format!(
            "only the latest {MAX_LISTED} of the {finished} messages handled are listed"
        ));
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        pod: plan.pod.clone(),
        target: plan.target.location().to_string(),
        redis: redis.shown().to_string(),
        channel: plan.channel.clone(),
        sharded: redis.sharded(),
        stream: plan.stream.clone(),
        health: health_addr.map(|a| a.to_string()),
        handled: state.handled.into(),
        totals: state.totals,
        ended_by: Some(ended_by),
        shutdown,
        warnings,
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// Logs and reports a link change.
fn link(
    l: &Link,
    source: &str,
    redis: &Redis,
    plan: &Plan,
    metrics: &Metrics,
    totals: &mut Totals,
    on_event: &mut impl FnMut(&Event),
) {
    let e = l.event(source, redis.addr());
    match e.state.as_str() {
        "subscribed" if source == "pubsub" => {
            tracing::info!(redis = %redis.addr(), channel = %plan.channel, "subscribed")
        }
        "subscribed" => {
            tracing::info!(redis = %redis.addr(), stream = %plan.stream.as_deref().unwrap_or(""), "reading the stream")
        }
        "reconnected" => {
            totals.reconnects += 1;
            metrics.reconnects.fetch_add(1, Ordering::SeqCst);
            tracing::info!(
                redis = %redis.addr(),
                link = source,
                down_ms = e.down_ms.unwrap_or(0.0),
                "reconnected"
            );
        }
        "lost" => tracing::warn!(
            redis = %redis.addr(),
            link = source,
            error = e.error.as_deref().unwrap_or(""),
            "connection lost; reconnecting"
        ),
        _ => tracing::warn!(
            redis = %redis.addr(),
            link = source,
            attempt = e.attempt.unwrap_or(0),
            retry_in_ms = e.retry_in_ms.unwrap_or(0.0),
            error = e.error.as_deref().unwrap_or(""),
            "cannot reach Redis; retrying"
        ),
    }
    on_event(&Event::Link(e));
}

/// What workers share.
struct Shared {
    ctx: RunContext,
    transport: Transport,
    plan: Plan,
    acks: Option<::redis::aio::ConnectionManager>,
    ack_channel: String,
    metrics: Arc<Metrics>,
    slots: Semaphore,
    /// Cancelled when the agent stops: a message not started by then is left.
    stopping: CancellationToken,
    /// Cancelled when the grace period ends: what still runs is given up.
    give_up: CancellationToken,
}

/// What became of a dispatched message.
enum Finished {
    Handled(Handled),
    /// Not started before the agent stopped.
    Left(Source),
    /// Running when the grace period ended, and given up.
    GivenUp(Source),
}

impl Finished {
    fn source(&self) -> Source {
        match self {
            Finished::Handled(h) => h.source,
            Finished::Left(s) | Finished::GivenUp(s) => *s,
        }
    }
}

/// The main loop's bookkeeping.
struct State {
    dedupe: Dedupe,
    /// Messages that arrived before the app answered.
    waiting: Vec<Work>,
    /// Messages dispatched and not finished: running, or waiting for a slot.
    pending: usize,
    /// Set once the agent is stopping: the account of the stop so far.
    shutdown: Option<Shutdown>,
    /// Set once the stream reader has reached the end of the stream.
    stream_caught_up: bool,
    catch_up_running: usize,
    stream_done: bool,
    totals: Totals,
    handled: VecDeque<Handled>,
    ready: bool,
}

impl State {
    /// Catch-up messages still waiting or running.
    fn catch_up_left(&self) -> usize {
        self.waiting
            .iter()
            .filter(|w| w.source == Source::CatchUp)
            .count()
            + self.catch_up_running
    }

    /// A message arrived: skip a duplicate, hold it until the app answers, or start it.
    fn take(
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

    fn dispatch(&mut self, w: Work, shared: &Arc<Shared>, done: &mpsc::UnboundedSender<Finished>) {
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

    fn finished(&mut self, f: Finished, retain: Retain, on_event: &mut impl FnMut(&Event)) {
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

/// Revalidates the app for one message and acknowledges it.
async fn handle(shared: &Shared, w: Work) -> Handled {
    let m = &shared.metrics;
    let path = w
        .path
        .as_deref()
        .ok_or_else(|| {
            "the message has no path (JSON with a \"path\" field, or a bare path)".to_string()
        })
        .and_then(|p| {
            UrlPath::parse(p, Purpose::Pod).map_err(|rule| format!("the path {p:?} {rule}"))
        });
    let mut h = Handled {
        id: w.id.clone(),
        path: w.path.clone(),
        source: w.source,
        outcome: "invalid".into(),
        ok: false,
        status: None,
        ms: 0.0,
        error: None,
        acked: false,
    };
    match path {
        Err(why) => {
            m.invalid.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(
                id = w.id.as_deref().unwrap_or(""),
                source = w.source.name(),
                "invalid message: {why}"
            );
            h.error = Some(why);
        }
        Ok(path) => {
            let mut plan = shared.plan.revalidate.clone();
            plan.paths = vec![path];
            let r = fanout::run(&shared.ctx, &shared.transport, &plan, Retain::All, |_| {}).await;
            if let Some(c) = r.cells.into_iter().next() {
                h.outcome = c.outcome.name().to_string();
                h.ok = c.ok;
                h.status = c.status;
                h.ms = c.latency_ms;
                h.error = c.error;
            }
            m.revalidated(&h.outcome, h.ms / 1000.0);
        }
    }
    let Some(path) = w.path.clone() else {
        return h;
    };
    let ack = Ack {
        id: w.id.clone(),
        path,
        pod: shared.plan.pod.clone(),
        outcome: h.outcome.clone(),
        ms: h.ms,
    };
    if let Some(conn) = &shared.acks {
        // The manager reconnects after a failed command (Redis restarted since the last ack):
        // the acknowledgement is tried again, a few times, before it is given up.
        let mut conn = conn.clone();
        let payload = ack.to_json();
        let mut last_error = None;
        for attempt in 1..=ACK_ATTEMPTS {
            let sent: ::redis::RedisResult<i64> = ::redis::cmd("PUBLISH")
                .arg(&shared.ack_channel)
                .arg(&payload)
                .query_async(&mut conn)
                .await;
            match sent {
                Ok(_) => {
                    h.acked = true;
                    last_error = None;
                    break;
                }
                Err(e) => {
                    last_error = Some(e);
                    if attempt < ACK_ATTEMPTS {
                        tokio::time::sleep(subscriber::backoff(attempt + 1)).await;
                    }
                }
            }
        }
        if h.acked {
            m.acks_sent.fetch_add(1, Ordering::SeqCst);
        } else if let Some(e) = last_error {
            m.acks_failed.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(
                id = w.id.as_deref().unwrap_or(""),
                error = %e,
                "the acknowledgement could not be published"
            );
        }
    }
    let level_ok = h.ok;
    if level_ok {
        tracing::info!(
            path = h.path.as_deref().unwrap_or(""),
            id = h.id.as_deref().unwrap_or(""),
            source = w.source.name(),
            outcome = %h.outcome,
            ms = h.ms,
            acked = h.acked,
            "revalidated"
        );
    } else {
        tracing::warn!(
            path = h.path.as_deref().unwrap_or(""),
            id = h.id.as_deref().unwrap_or(""),
            source = w.source.name(),
            outcome = %h.outcome,
            ms = h.ms,
            acked = h.acked,
            error = h.error.as_deref().unwrap_or(""),
            "revalidation failed"
        );
    }
    h
}

/// Resolves once the app answers anything over HTTP (a HEAD of `/`).
async fn wait_for_app(transport: Transport, target: Target) {
    loop {
        let req = PodRequest::new(http::Method::HEAD, "/");
        let answered =
            tokio::time::timeout(Duration::from_secs(5), transport.send(&target, req)).await;
        if let Ok(Ok(mut resp)) = answered {
            while let Ok(Some(_)) = resp.chunk().await {}
            return;
        }
        tokio::time::sleep(APP_PROBE_EVERY).await;
    }
}

/// Message ids seen within a window, oldest first.
struct Dedupe {
    window: Duration,
    seen: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl Dedupe {
    fn new(window: Duration) -> Dedupe {
        Dedupe {
            window,
            seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Records `id`; false when it was already seen within the window.
    fn first_time(&mut self, id: &str) -> bool {
        self.first_time_at(id, Instant::now())
    }

    /// [`Dedupe::first_time`] at a given moment (tests pass their own clock).
    fn first_time_at(&mut self, id: &str, now: Instant) -> bool {
        while let Some((t, _)) = self.order.front() {
            if now.duration_since(*t) <= self.window {
                break;
            }
            let (_, old) = self.order.pop_front().expect("front exists");
            if self
                .seen
                .get(&old)
                .is_some_and(|t2| now.duration_since(*t2) > self.window)
            {
                self.seen.remove(&old);
            }
        }
        if self.seen.contains_key(id) {
            return false;
        }
        self.seen.insert(id.to_string(), now);
        self.order.push_back((now, id.to_string()));
        true
    }
}

/// What the agent did, as an event for machines (people read its log on stderr): `redis` for a
/// link's news, `agent` for the rest.
struct Did<'a>(&'a Event);

impl serde::Serialize for Did<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Event::Link(link) => link.serialize(s),
            other => other.serialize(s),
        }
    }
}

impl Item for Did<'_> {
    const EVENT: &'static str = "agent";
    fn shown(&self, _: &Style) -> Shown {
        Shown::Nothing
    }
}

/// A link's news, as the `redis` event (the agent's log already tells people).
struct LinkNews<'a>(&'a LinkEvent);

impl serde::Serialize for LinkNews<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Item for LinkNews<'_> {
    const EVENT: &'static str = "redis";
    fn shown(&self, _: &Style) -> Shown {
        Shown::Nothing
    }
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<StartInfo<'static>>()),
            ("agent", g.subschema_for::<Event>()),
            ("redis", g.subschema_for::<LinkEvent>()),
        ]
    }
    const KIND: &'static str = "agent";
    const STEP: &'static str = "agent";
    fn code(&self) -> Code {
        Report::code(self)
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::to_value(&self.totals).expect("totals serialize")
    }
    fn human(&self, style: &Style) -> String {
        human::agent(self, style)
    }
}

/// What an agent is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct StartInfo<'a> {
    redis: &'a str,
    pod: &'a str,
    target: &'a str,
    channel: &'a str,
    sharded: bool,
    stream: Option<&'a str>,
    /// Where /healthz and /metrics listen.
    health: Option<String>,
}

/// Runs the agent as a step of a command, until it is stopped.
pub async fn step(
    ctx: &RunContext,
    redis: &Redis,
    first: Option<Session>,
    health: Option<health::Listener>,
    plan: &Plan,
    transport: &Transport,
    reporter: &mut Reporter,
) -> crate::report::Ended<Totals> {
    let target = plan.target.location();
    let start = StartInfo {
        redis: redis.shown(),
        pod: &plan.pod,
        target: &target,
        channel: &plan.channel,
        sharded: redis.sharded(),
        stream: plan.stream.as_deref(),
        health: health
            .as_ref()
            .and_then(health::Listener::local_addr)
            .map(|a| a.to_string()),
    };
    reporter.start::<Report>(&start, crate::report::Work::NONE);
    let retain = reporter.retain_for::<Report>();
    let report = run(
        ctx,
        redis,
        first,
        health,
        plan,
        transport,
        retain,
        |e| match e {
            Event::Link(link) => reporter.item(&LinkNews(link)),
            other => reporter.item(&Did(other)),
        },
    )
    .await;
    reporter.finish_step(&report);
    crate::report::Ended {
        code: report.code(),
        totals: report.totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupe_skips_within_the_window_only() {
        // A clock of its own: on a loaded machine, real time between two calls can exceed any
        // window a test would wait out.
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut d = Dedupe::new(Duration::from_secs(60));
        assert!(d.first_time_at("a", at(0)));
        assert!(!d.first_time_at("a", at(1_000)));
        assert!(d.first_time_at("b", at(2_000)));
        assert!(
            !d.first_time_at("a", at(60_000)),
            "the window's last moment"
        );
        assert!(d.first_time_at("a", at(60_001)), "after the window");
        // "b" is still within its window and kept; the first "a" was forgotten.
        assert!(!d.first_time_at("b", at(61_000)));
        assert_eq!(d.seen.len(), 2);
        assert!(d.first_time_at("b", at(62_001)));
    }

    #[test]
    fn the_plan_names_the_pod_and_checks_the_target() {
        let a = AgentSettings {
            channel: "revalidate".into(),
            target: "http://127.0.0.1:3000".into(),
            pod_name: Some("web-0".into()),
            health_addr: None,
            stream: true,
            catch_up: None,
            dedupe_window: Duration::from_secs(60),
            grace_period: Duration::from_secs(10),
        };
        let dir = tempfile::tempdir().unwrap();
        let id = dir.path().join("id");
        std::fs::write(&id, "0123456789abcdef0123456789abcdef").unwrap();
        let f = FanoutSettings {
            mode: crate::choices::Mode::Nextjs,
            method: crate::choices::RevalidateMethod::Head,
            only_generated: false,
            allow_gone: false,
            preview_id_file: Some(id),
            headers: vec![],
            endpoint: None,
        };
        let p = Plan::build(&a, &f).unwrap();
        assert_eq!(p.target.name, "web-0");
        assert_eq!(p.stream.as_deref(), Some("revalidate:stream"));
        let mut bad = a.clone();
        bad.target = "127.0.0.1:3000".into();
        assert!(
            Plan::build(&bad, &f)
                .unwrap_err()
                .to_string()
                .contains("--target")
        );
        bad.target = "http://127.0.0.1:3000".into();
        bad.pod_name = Some("web 0".into());
        assert!(Plan::build(&bad, &f).is_err());
    }
}
