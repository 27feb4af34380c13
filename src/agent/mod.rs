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
//! reconnecting; `--catch-up` revalidates at start what was published recently; and, by default,
//! every path the record `<channel>:revalidated` says changed since the app's build is
//! revalidated at start ([`crate::redis::record`]), so a pod started long after a change does not
//! serve its build-time page once ready. Cache tags
//! (`{"tag":…}` on `<channel>:tags`, or a tag entry of the stream) are applied through the app's
//! tag route (`--tag-endpoint`); an agent without one does not subscribe to the tag channel (so
//! publish does not count it as a receiver), says so once at start, and acknowledges a tag
//! entry of the stream as `no-tag-endpoint`: a tag it cannot apply is never counted as
//! revalidated.
//!
//! Invariants: a message id is handled at most once within the dedupe window, whichever way it
//! arrived (the channel, the stream, or both); a message is never skipped for the catch-up's
//! sake, and the catch-up skips a path only when a message revalidated it successfully in a
//! revalidation started after the record's reading began, while subscribed throughout; `/healthz` is not 200 before the record was read and every
//! path of it is done; at most `--per-pod-concurrency` revalidations run
//! at once (it is one pod), or `--catch-up-concurrency` while it catches up from the record (not
//! ready, it takes no traffic); messages that arrive before the app has answered wait for it; on
//! SIGTERM or Ctrl-C no new message is taken and none not yet started is started, the
//! revalidations in flight get `--grace-period` to finish and be acknowledged whatever is down
//! (the app, Redis), what is still running then is given up, the log says how many finished, how
//! many were given up and how many were left to the stream, and the agent exits 0 (Kubernetes
//! kills it 30 s after SIGTERM: a backlog is the stream's to replay, not this process's); the
//! agent never prints: it logs (tracing) and reports events.

mod dedupe;
pub mod health;
mod human;
mod state;
mod step;
pub mod stream;
mod work;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{AgentSettings, FanoutSettings};
use crate::context::Retain;
use crate::context::RunContext;
use crate::error::ConfigError;
use crate::exit::Code;
use crate::exit::Stop;
use crate::fanout;
use crate::redis::Redis;
use crate::redis::message;
use crate::redis::subscriber::{self, Link, LinkEvent, Session, Topics, Update};
use crate::targets::{self, Target};
use crate::transport::Transport;

use health::Metrics;
use stream::{Start, StreamUpdate};

pub use crate::config::keys::DEFAULT_TARGET;
pub use step::{StartInfo, step};

use dedupe::Dedupe;
use state::State;
use work::wait_for_app;

/// The most handled messages a report lists (JSON output of a long-running agent): the latest.
const MAX_LISTED: usize = 10_000;

/// How often the agent asks whether the app answers, while it waits for it.
const APP_PROBE_EVERY: Duration = Duration::from_millis(250);
/// How often the catch-up from the record logs its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);
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
    /// The catch-up from the record (`--catch-up-since`, by default the build's time).
    pub record: Option<RecordCatchUp>,
    /// Revalidations in flight at once during that catch-up.
    pub catch_up_concurrency: usize,
    pub dedupe_window: Duration,
    /// On a stop: how long the revalidations in flight may take.
    pub grace_period: Duration,
    /// How often the agent renews its registration ([`crate::redis::registry`]).
    pub heartbeat: Duration,
    /// The app's build id (`BUILD_ID` beside the previewModeId's manifest), for the registry.
    pub build_id: Option<String>,
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
        let revalidate = fanout::Plan::build(f, Vec::new(), Vec::new(), vec![target.clone()])?;
        let record = RecordCatchUp::plan(a, f)?;
        Ok(Plan {
            record,
            catch_up_concurrency: a.catch_up_concurrency,
            pod,
            target,
            channel: a.channel.clone(),
            warnings: revalidate.warnings.clone(),
            revalidate,
            stream: a.stream.then(|| message::stream_key(&a.channel)),
            catch_up: a.catch_up,
            dedupe_window: a.dedupe_window,
            grace_period: a.grace_period,
            heartbeat: a.heartbeat,
            build_id: f
                .preview_id_file
                .as_deref()
                .and_then(|m| std::fs::read_to_string(m.with_file_name("BUILD_ID")).ok())
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty() && b.len() <= 200),
        })
    }
}

/// How far back the catch-up from the record goes.
#[derive(Clone, Debug)]
pub struct RecordCatchUp {
    /// The record, `<channel>:revalidated`.
    pub key: String,
    /// The tags' record, `<channel>:revalidated-tags`, read the same way.
    pub tags_key: String,
    /// Paths (and tags) recorded at or after this unix time (ms) are revalidated.
    pub since_ms: u64,
    /// Where that time comes from, in words (the build and its file, or `--catch-up-since`).
    pub since: String,
    /// Why the build's time is unknown, when it is (so the whole record is caught up on): the
    /// agent logs it at start.
    pub unknown_build: Option<String>,
}

/// Subtracted from the build's time: the clocks of the publisher and of this pod may disagree
/// by this much, and a change an instant before the build must not count as built in.
const CLOCK_MARGIN: Duration = Duration::from_secs(60);

impl RecordCatchUp {
    /// Decides from when the catch-up goes (read once, at start: files and the clock).
    fn plan(a: &AgentSettings, f: &FanoutSettings) -> Result<Option<RecordCatchUp>, ConfigError> {
        use crate::config::value::Since;
        let now = std::time::SystemTime::now();
        let ms = |t: std::time::SystemTime| {
            t.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64)
        };
        let shown = |t: std::time::SystemTime| humantime::format_rfc3339_seconds(t).to_string();
        let key = crate::redis::record::key(&a.channel);
        let mut unknown_build = None;
        let (since_ms, since) = match a.catch_up_since {
            Since::Off => return Ok(None),
            Since::Ago(d) => {
                let t = now.checked_sub(d).unwrap_or(std::time::UNIX_EPOCH);
                (
                    ms(t),
                    format!(
                        "{} ({} ago, --catch-up-since from {})",
                        shown(t),
                        humantime::format_duration(d),
                        a.catch_up_since_source
                    ),
                )
            }
            Since::At(t) => (
                ms(t),
                format!(
                    "{} (--catch-up-since from {})",
                    shown(t),
                    a.catch_up_since_source
                ),
            ),
            Since::Build => {
                let dir = a.next_dir.clone().or_else(|| {
                    f.preview_id_file
                        .as_deref()
                        .and_then(crate::nextjs::next_dir_of)
                });
                match dir.as_deref().map(crate::nextjs::build_time) {
                    // A build dated after this pod's clock says the clocks disagree, by how
                    // much no one knows: nothing can be taken as built in.
                    Some(Ok((t, file))) if t > now + CLOCK_MARGIN => {
                        unknown_build = Some(format!(
                            "the build is dated {}, after this pod's clock ({}; the modification time of {}): the catch-up revalidates every path in {key}; give --catch-up-since",
                            shown(t),
                            shown(now),
                            file.display()
                        ));
                        (
                            0,
                            "the start of the record (the build is dated in the future)".into(),
                        )
                    }
                    Some(Ok((t, file))) => {
                        let from = t.checked_sub(CLOCK_MARGIN).unwrap_or(std::time::UNIX_EPOCH);
                        (
                            ms(from),
                            format!(
                                "the build, {} (the modification time of {}, less {} for clocks that disagree)",
                                shown(t),
                                file.display(),
                                humantime::format_duration(CLOCK_MARGIN)
                            ),
                        )
                    }
                    Some(Err(why)) if a.next_dir.is_some() => {
                        return Err(ConfigError(format!("--next-dir: {why}")));
                    }
                    other => {
                        let why = match other {
                            Some(Err(why)) => why,
                            _ => "no --next-dir, and --preview-id-file names no .next directory with a BUILD_ID".into(),
                        };
                        unknown_build = Some(format!(
                            "the build's time is unknown ({why}): the catch-up revalidates every path in {key}; give --next-dir or --catch-up-since"
                        ));
                        (
                            0,
                            "the start of the record (the build's time is unknown)".into(),
                        )
                    }
                }
            }
        };
        Ok(Some(RecordCatchUp {
            key,
            tags_key: crate::redis::record::tags_key(&a.channel),
            since_ms,
            since,
            unknown_build,
        }))
    }
}

impl Plan {
    /// What the agent subscribes to: the channel, and the channel of cache tags when it can
    /// apply them (a tag route), so an agent that cannot is never counted as a tag's receiver.
    pub fn topics(&self, sharded: bool) -> Topics {
        let mut channels = vec![self.channel.clone()];
        if self.revalidate.tag_endpoint.is_some() {
            channels.push(message::tag_channel(&self.channel));
        }
        Topics {
            channels,
            patterns: Vec::new(),
            sharded,
        }
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
    /// The catch-up from the record: a path (or tag) changed since the build.
    Record,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Pubsub => "pubsub",
            Source::Stream => "stream",
            Source::CatchUp => "catch-up",
            Source::Record => "record",
        }
    }
}

/// One message to handle.
#[derive(Clone, Debug)]
struct Work {
    id: Option<String>,
    path: Option<String>,
    /// A cache tag's message (`{"tag":…}`): the tag route is called instead.
    tag: Option<String>,
    source: Source,
}

/// What became of one message.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Handled {
    pub id: Option<String>,
    /// The path as the message gave it.
    pub path: Option<String>,
    /// The cache tag, for a tag's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub source: Source,
    /// fanout's outcome (`revalidated`, `gone`, `unreachable`, …), `invalid`, or
    /// `no-tag-endpoint` (a tag, and no --tag-endpoint to apply it).
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub source: Source,
    /// "duplicate": its id was handled within the dedupe window.
    pub reason: String,
}

/// What the agent reports as it goes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
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
    /// The catch-up from the record: started (the record read), then done.
    CatchUp(CatchUp),
    Handled(Handled),
    Skipped(Skipped),
}

/// The catch-up from the record: every path (and, with a tag route, every tag) changed since the
/// build (or `--catch-up-since`), revalidated before the agent is ready.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct CatchUp {
    /// The record read, `<channel>:revalidated`.
    pub key: String,
    /// Paths recorded at or after this unix time (ms) were taken.
    pub since_ms: u64,
    /// Where that time comes from.
    pub since: String,
    /// "reading", "running" or "done".
    pub state: String,
    /// Paths the record holds.
    pub recorded: usize,
    /// Of those, the paths changed since then: what the catch-up revalidates.
    pub paths: usize,
    /// The tags changed since then (`<channel>:revalidated-tags`): revalidated too, with the
    /// paths, when the agent has a --tag-endpoint.
    #[serde(default)]
    pub tags: usize,
    /// Of those, the tags this agent cannot apply (no --tag-endpoint): not revalidated, and not
    /// in the counts below; the agent warns and becomes ready all the same.
    #[serde(default)]
    pub tags_unapplied: usize,
    /// Paths and tags revalidated.
    pub revalidated: usize,
    /// Revalidations that failed (the app answered an error, or not at all): logged, counted,
    /// and not retried by the catch-up.
    pub failed: usize,
    /// Paths (and tags) not regenerated again because a message revalidated them after the
    /// record was read.
    pub skipped: usize,
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
    /// The catch-up from the record (null with `--catch-up-since off`).
    pub catch_up: Option<CatchUp>,
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
    metrics.caught_up.store(
        plan.catch_up.is_none() && plan.record.is_none(),
        Ordering::SeqCst,
    );
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

    if plan.revalidate.tag_endpoint.is_none() {
        tracing::warn!(
            channel = %message::tag_channel(&plan.channel),
            "no --tag-endpoint: cache tags are not applied (their channel is not subscribed to, and a tag entry of the stream is acknowledged as no-tag-endpoint); give --tag-endpoint '/api/revalidate-tag?tag={{tag}}' for a route handler calling revalidateTag"
        );
    }
    let (sub_tx, mut sub_rx) = mpsc::unbounded_channel();
    tokio::spawn(subscriber::run(
        redis.clone(),
        plan.topics(redis.sharded()),
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
        stopping: CancellationToken::new(),
        give_up: CancellationToken::new(),
    });
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Finished>();
    let registered = Some(tokio::spawn(heartbeat(
        redis.clone(),
        plan.clone(),
        metrics.clone(),
        cancel.clone(),
    )));

    let mut state = State {
        dedupe: Dedupe::new(plan.dedupe_window),
        waiting: Vec::new(),
        pending: 0,
        queued: VecDeque::new(),
        running: 0,
        // One app: the per-pod limit is the one that protects it.
        slots: ctx
            .limits()
            .per_pod_concurrency
            .min(ctx.limits().concurrency),
        shutdown: None,
        stream_caught_up: false,
        catch_up_running: 0,
        stream_done: plan.stream.is_none() && plan.catch_up.is_none(),
        totals: Totals::default(),
        handled: VecDeque::new(),
        ready: false,
        record: plan.record.as_ref().map(state::Record::new),
    };
    if let Some(why) = plan
        .record
        .as_ref()
        .and_then(|r| r.unknown_build.as_deref())
    {
        tracing::warn!("{why}");
    }
    if let Some(r) = &state.record {
        *metrics
            .catch_up_why
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(r.why());
        tracing::info!(
            record = %r.account.key,
            since = %r.account.since,
            "will catch up on every path changed since {}, once subscribed", r.account.since
        );
    }
    let (record_tx, mut record_rx) = mpsc::unbounded_channel::<RecordRead>();
    let mut progress = tokio::time::interval(PROGRESS_EVERY);
    progress.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
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
                release(&mut state, true, &shared, &done_tx);
            }
            u = sub_rx.recv() => match u {
                None => {}
                Some(Update::Link(l)) => {
                    let subscribed = matches!(l, Link::Subscribed { .. });
                    metrics.subscribed.store(subscribed, Ordering::SeqCst);
                    link(&l, "pubsub", redis, plan, &metrics, &mut state.totals, &mut on_event);
                    if let Some(r) = &mut state.record {
                        if subscribed && r.phase == state::Phase::Waiting {
                            // From here on, a path published arrives as a message: what the
                            // record holds is read now, and what messages revalidate from now
                            // on need not be regenerated again by the catch-up.
                            r.phase = state::Phase::Reading;
                            r.covered = Some(Default::default());
                            r.started = Instant::now();
                            tokio::spawn(read_record(
                                redis.clone(),
                                [r.account.key.clone(), r.tags_key.clone()],
                                r.account.since_ms,
                                cancel.clone(),
                                record_tx.clone(),
                            ));
                            release(&mut state, app_probe.is_none(), &shared, &done_tx);
                        } else if !subscribed && !r.done() && r.covered.take().is_some() {
                            tracing::debug!("subscription lost during the catch-up: it regenerates every path it read");
                        }
                    }
                }
                Some(Update::Message(m)) => {
                    metrics.messages_pubsub.fetch_add(1, Ordering::SeqCst);
                    let p = message::parse(&m.payload);
                    let may = state.may_start(app_probe.is_none());
                    state.take(Work { id: p.id, path: p.path, tag: p.tag, source: Source::Pubsub }, may, &shared, &done_tx, &mut on_event);
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
                    let may = state.may_start(app_probe.is_none());
                    state.take(Work { id: e.id, path: e.path, tag: e.tag, source }, may, &shared, &done_tx, &mut on_event);
                }
                Some(StreamUpdate::CaughtUp { entries }) => {
                    tracing::info!(messages = entries, stream = %stream_key, "caught up with the stream");
                    on_event(&Event::CaughtUp { messages: entries });
                    state.stream_caught_up = true;
                    if state.may_start(app_probe.is_none()) {
                        state.start_queued(&shared, &done_tx);
                    }
                }
            },
            Some(h) = done_rx.recv() => state.finished(h, retain, Some((&shared, &done_tx)), &mut on_event),
            Some(read) = record_rx.recv() => {
                if let Some(r) = &mut state.record && r.phase == state::Phase::Reading {
                    match read {
                        RecordRead::Failed(e) => {
                            tracing::warn!(record = %r.account.key, error = %e, "the record cannot be read; retrying (not ready meanwhile)");
                            r.error = Some(e);
                        }
                        RecordRead::Read { paths, recorded, tags } => {
                            r.error = None;
                            r.account.recorded = recorded;
                            r.account.paths = paths.len();
                            r.account.tags = tags.len();
                            r.account.state = "running".into();
                            r.queue = paths.into_iter().map(state::Subject::Path).collect();
                            if plan.revalidate.tag_endpoint.is_some() {
                                // Oldest change first, the tags after the paths.
                                r.queue.extend(tags.into_iter().map(state::Subject::Tag));
                            } else if !tags.is_empty() {
                                r.account.tags_unapplied = tags.len();
                                metrics.catch_up_tags_unapplied.store(tags.len() as u64, Ordering::SeqCst);
                                tracing::warn!(
                                    record = %r.tags_key,
                                    tags = tags.len(),
                                    "{} tag{} changed since {} cannot be applied: this agent has no --tag-endpoint (a route handler calling revalidateTag); this pod serves the data its build cached for them",
                                    tags.len(), if tags.len() == 1 { "" } else { "s" }, r.account.since
                                );
                            }
                            r.phase = state::Phase::Running;
                            tracing::info!(
                                record = %r.account.key,
                                paths = r.account.paths,
                                tags = r.account.tags,
                                recorded,
                                "catching up on {} of the {} recorded paths, and {} tag{}: those changed since {}",
                                r.account.paths, recorded, r.account.tags - r.account.tags_unapplied,
                                if r.account.tags - r.account.tags_unapplied == 1 { "" } else { "s" },
                                r.account.since
                            );
                            on_event(&Event::CatchUp(r.account.clone()));
                            if state.may_start(app_probe.is_none()) {
                                state.start_queued(&shared, &done_tx);
                            }
                        }
                    }
                }
            }
            _ = progress.tick(), if state.record.as_ref().is_some_and(|r| r.phase == state::Phase::Running) => {
                if let Some(r) = &state.record && r.started.elapsed() >= PROGRESS_EVERY {
                    tracing::info!("{}", r.progress());
                }
            }
        }
        let mut record_done = true;
        if let Some(r) = &mut state.record {
            if r.finished() {
                r.phase = state::Phase::Done;
                r.account.state = "done".into();
                r.covered = None;
                r.in_flight.clear();
                if r.account.failed > 0 {
                    tracing::warn!("caught up, with failures: {}", r.progress());
                } else {
                    tracing::info!("caught up: {}", r.progress());
                }
                on_event(&Event::CatchUp(r.account.clone()));
            }
            record_done = r.done();
            let a = &r.account;
            metrics
                .catch_up_paths
                .store(a.paths as u64, Ordering::SeqCst);
            metrics
                .catch_up_tags
                .store((a.tags - a.tags_unapplied) as u64, Ordering::SeqCst);
            metrics
                .catch_up_revalidated
                .store(a.revalidated as u64, Ordering::SeqCst);
            metrics
                .catch_up_failed
                .store(a.failed as u64, Ordering::SeqCst);
            metrics
                .catch_up_skipped
                .store(a.skipped as u64, Ordering::SeqCst);
        }
        // The stream's catch-up is done once the reader reached the end and nothing of it waits
        // or runs; the record's once every path it read is done.
        let stream_done =
            plan.catch_up.is_none() || (state.stream_caught_up && state.catch_up_left() == 0);
        let why = match &state.record {
            Some(r) if !r.done() => Some(r.why()),
            _ if !stream_done => Some("catching up on recent messages (the stream)".to_string()),
            _ => None,
        };
        metrics
            .caught_up
            .store(stream_done && record_done, Ordering::SeqCst);
        *metrics
            .catch_up_why
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = why;
        let ready = metrics.readiness();
        if ready.is_ok() != state.ready {
            state.ready = ready.is_ok();
            if state.ready {
                tracing::info!("ready: subscribed, the app answers, caught up");
            } else {
                tracing::warn!(
                    why = ready.as_ref().err().map_or("", String::as_str),
                    "not ready"
                );
            }
            on_event(&Event::Ready {
                ready: state.ready,
                why: ready.err(),
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
    state.leave_queued(retain, &mut on_event);
    let grace_ends = tokio::time::Instant::now() + plan.grace_period;
    while state.pending > 0 {
        tokio::select! {
            f = done_rx.recv() => match f {
                Some(f) => state.finished(f, retain, None, &mut on_event),
                None => break,
            },
            _ = tokio::time::sleep_until(grace_ends), if !shared.give_up.is_cancelled() => {
                // Whatever is down (the app, Redis for the acknowledgement), the stop is bounded:
                // what still runs is given up, and each task says so at once.
                shared.give_up.cancel();
            }
        }
    }
    if let Some(r) = registered {
        // Removing the registration is bounded (two seconds).
        let _ = r.await;
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
        catch_up: state.record.map(|r| r.account),
        ended_by: Some(ended_by),
        shutdown,
        warnings,
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// What the record's reader found.
enum RecordRead {
    /// This try failed (why); it tries again.
    Failed(String),
    /// The paths and the tags changed since the catch-up's time, oldest change first, and how
    /// many paths the record holds.
    Read {
        paths: Vec<String>,
        recorded: usize,
        tags: Vec<String>,
    },
}

/// Reads the records (the paths', the tags') until it succeeds (or the agent stops), saying why
/// each failed try failed.
async fn read_record(
    redis: Redis,
    [key, tags_key]: [String; 2],
    since_ms: u64,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<RecordRead>,
) {
    let mut attempt = 0;
    loop {
        let read = async {
            let mut c = redis.connect().await.map_err(|e| e.to_string())?;
            let failed = |e: ::redis::RedisError| redis.failure(&e).to_string();
            let paths = crate::redis::record::read_since(&mut c, &key, since_ms)
                .await
                .map_err(failed)?;
            let (tags, _) = crate::redis::record::read_since(&mut c, &tags_key, since_ms)
                .await
                .map_err(failed)?;
            Ok::<_, String>((paths, tags))
        };
        let r = tokio::select! {
            _ = cancel.cancelled() => return,
            r = read => r,
        };
        match r {
            Ok(((entries, recorded), tags)) => {
                let fields =
                    |v: Vec<crate::redis::record::Entry>| v.into_iter().map(|e| e.field).collect();
                let _ = tx.send(RecordRead::Read {
                    paths: fields(entries),
                    recorded,
                    tags: fields(tags),
                });
                return;
            }
            Err(e) => {
                attempt += 1;
                if tx.send(RecordRead::Failed(e)).is_err() {
                    return;
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(subscriber::backoff(attempt)) => {}
                }
            }
        }
    }
}

/// Starts what waited, once messages may start (the app answered, the record's reading began).
fn release(
    state: &mut State,
    app_up: bool,
    shared: &Arc<Shared>,
    done: &mpsc::UnboundedSender<Finished>,
) {
    if !state.may_start(app_up) {
        return;
    }
    // All of them queued before any starts: the messages go before the catch-up's paths.
    for w in std::mem::take(&mut state.waiting) {
        state.enqueue(w);
    }
    state.start_queued(shared, done);
}

/// Registers the agent on the channel and renews it every `plan.heartbeat` until the agent stops,
/// then removes it. A failed beat is logged once per outage; the next one connects again and
/// tries again. The connection is the cluster's with `--sharded` (the registry's keys live on
/// whichever node owns their slot), a plain one otherwise.
async fn heartbeat(redis: Redis, plan: Plan, metrics: Arc<Metrics>, cancel: CancellationToken) {
    use crate::redis::registry;
    let started_ms = message::now_ms();
    let mut failing = false;
    let mut conn: Option<crate::redis::Conn> = None;
    let mut every = tokio::time::interval(plan.heartbeat);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = every.tick() => {}
        }
        let last = metrics.last_message_ms.load(Ordering::SeqCst);
        let record = registry::Record {
            pod: plan.pod.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            build_id: plan.build_id.clone(),
            started_ms,
            last_message_ms: (last > 0).then_some(last),
            heartbeat_ms: message::now_ms(),
            heartbeat_every_ms: plan.heartbeat.as_millis() as u64,
        };
        let beat = tokio::select! {
            _ = cancel.cancelled() => break,
            b = beat_once(&redis, &mut conn, &plan.channel, &record) => b,
        };
        match beat {
            Ok(()) if failing => {
                failing = false;
                tracing::info!(
                    "registered again on {}",
                    registry::agents_key(&plan.channel)
                );
            }
            Ok(()) => {}
            Err(e) => {
                conn = None;
                if !failing {
                    failing = true;
                    tracing::warn!(error = %e, "the heartbeat could not be written; retrying");
                }
            }
        }
    }
    let removed = tokio::time::timeout(Duration::from_secs(2), async {
        if conn.is_none() {
            conn = Some(redis.connect().await.map_err(|f| f.to_string())?);
        }
        let c = conn.as_mut().expect("connected");
        registry::remove(c, &plan.channel, &plan.pod)
            .await
            .map_err(|e| e.to_string())
    })
    .await;
    if !matches!(removed, Ok(Ok(()))) {
        tracing::warn!("could not remove this agent's registration; it expires by itself");
    }
}

/// One heartbeat, on the connection kept (made first when there is none).
async fn beat_once(
    redis: &Redis,
    conn: &mut Option<crate::redis::Conn>,
    channel: &str,
    record: &crate::redis::registry::Record,
) -> Result<(), String> {
    if conn.is_none() {
        *conn = Some(redis.connect().await.map_err(|f| f.to_string())?);
    }
    let c = conn.as_mut().expect("connected");
    crate::redis::registry::beat(c, channel, record)
        .await
        .map_err(|e| redis.failure(&e).to_string())
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

#[cfg(test)]
mod tests;
