//! watch: subscribe to channels and patterns and report every message as it arrives (time,
//! channel, the path and id read from it), for on-call: is anything being published, and what?
//!
//! Invariants: messages are reported in the order received, each once; the subscription survives
//! a Redis restart ([`crate::redis::subscriber`]) and every lost and regained connection is
//! reported; `--count` and `--duration` end the run normally, as does Ctrl-C when neither was
//! given (watching until Ctrl-C is the point); Ctrl-C before a limit that was given makes the
//! report partial (130); SIGTERM, how a supervisor or CI cancels a command, is 143 as for every
//! other command, limit or not.

mod human;

use std::borrow::Cow;
use std::time::{Duration, Instant, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::context::Retain;
use crate::context::RunContext;
use crate::exit::Code;
use crate::exit::Stop;
use crate::redis::Redis;
use crate::redis::message;
use crate::redis::subscriber::{self, LinkEvent, Session, Topics, Update};
use crate::report::{Item, Listed, RedisLink, Reporter, Shown, StepReport, Style, Work};

/// The longest part of a message kept in a report.
const MAX_PAYLOAD: usize = 1000;

/// What watch will do.
#[derive(Clone, Debug)]
pub struct Plan {
    pub topics: Topics,
    pub count: Option<u64>,
    pub duration: Option<Duration>,
}

/// One message as watch reports it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Seen {
    /// When it was received (RFC 3339, UTC, milliseconds).
    pub time: String,
    pub channel: String,
    /// The pattern that matched, for a pattern subscription.
    pub pattern: Option<String>,
    /// The path read from the message (its `path` field, or the message itself when it is a
    /// bare path); null when the message holds none.
    pub path: Option<String>,
    /// The cache tag of a tag's message (`{"tag":…}`, on `<channel>:tags`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub id: Option<String>,
    /// The message's own `timestamp` (unix ms), when it has one.
    pub timestamp: Option<i64>,
    /// Received minus `timestamp`: how long the message took to arrive (clocks permitting).
    pub age_ms: Option<f64>,
    /// The message as received (lossy UTF-8, at most 1000 characters).
    pub payload: String,
}

impl Seen {
    pub fn from_incoming(m: &subscriber::Incoming) -> Seen {
        let parsed = message::parse(&m.payload);
        let received_ms = m
            .received
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let text = String::from_utf8_lossy(&m.payload);
        let payload: String = text.chars().take(MAX_PAYLOAD).collect();
        Seen {
            time: crate::units::timestamp(m.received),
            channel: m.channel.clone(),
            pattern: m.pattern.clone(),
            path: parsed.path,
            tag: parsed.tag,
            id: parsed.id,
            timestamp: parsed.timestamp,
            age_ms: parsed.timestamp.map(|t| (received_ms - t).max(0) as f64),
            payload,
        }
    }
}

/// What watch reports as it goes.
pub enum Progress<'a> {
    Message(&'a Seen),
    Link(&'a LinkEvent),
}

/// Why the watch ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Ended {
    /// `--count` messages were received.
    Count,
    /// `--duration` passed.
    Duration,
    /// A signal (Ctrl-C, SIGTERM) or the --deadline.
    Stopped,
}

#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "WatchTotals")]
pub struct Totals {
    pub messages: u64,
    /// Messages without a readable path.
    pub without_path: u64,
    pub reconnects: u64,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WatchReport")]
pub struct Report {
    pub duration_ms: f64,
    pub redis: String,
    pub channels: Vec<String>,
    pub patterns: Vec<String>,
    /// The channels are a Redis Cluster's shard channels (SSUBSCRIBE).
    pub sharded: bool,
    /// Every message (JSON output), or none (other outputs print them as they come).
    pub messages: Vec<Seen>,
    /// Every lost and regained connection.
    pub links: Vec<LinkEvent>,
    pub totals: Totals,
    pub ended: Ended,
    pub warnings: Vec<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Report {
    pub fn code(&self) -> Code {
        match self.stopped {
            Some(Stop::Interrupted) => Code::Interrupted,
            Some(Stop::Terminated) => Code::Terminated,
            Some(Stop::Deadline) => Code::CellsFailed,
            None => Code::Success,
        }
    }
}

/// Watches until a limit, a signal or the deadline. `first` is the subscription the command
/// made (so an unreachable Redis is an error before the watch starts).
pub async fn run(
    ctx: &RunContext,
    redis: &Redis,
    first: Session,
    plan: &Plan,
    retain: Retain,
    mut on_progress: impl FnMut(Progress<'_>),
) -> Report {
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(subscriber::run(
        redis.clone(),
        plan.topics.clone(),
        Some(first),
        cancel.clone(),
        tx,
    ));
    let until = plan.duration.map(|d| tokio::time::Instant::now() + d);
    let mut totals = Totals::default();
    let mut messages = Vec::new();
    let mut links = Vec::new();
    let mut stopped = None;
    let ended = loop {
        let update = tokio::select! {
            s = ctx.stop() => {
                stopped = Some(s);
                break Ended::Stopped;
            }
            _ = async {
                match until {
                    Some(u) => tokio::time::sleep_until(u).await,
                    None => std::future::pending().await,
                }
            } => break Ended::Duration,
            u = rx.recv() => u,
        };
        match update {
            None => break Ended::Stopped,
            Some(Update::Link(l)) => {
                let e = l.event("pubsub", redis.addr());
                if e.state == "reconnected" {
                    totals.reconnects += 1;
                }
                // The first subscription was made before the watch started: not news.
                if e.state != "subscribed" {
                    on_progress(Progress::Link(&e));
                    links.push(e);
                }
            }
            Some(Update::Message(m)) => {
                let seen = Seen::from_incoming(&m);
                totals.messages += 1;
                if seen.path.is_none() && seen.tag.is_none() {
                    totals.without_path += 1;
                }
                on_progress(Progress::Message(&seen));
                if retain == Retain::All {
                    messages.push(seen);
                }
                if plan.count.is_some_and(|c| totals.messages >= c) {
                    break Ended::Count;
                }
            }
        }
    };
    cancel.cancel();
    let _ = task.await;
    // Ctrl-C is how an unlimited watch ends; with a limit given, stopping early is partial.
    // SIGTERM is a cancellation whatever the limits.
    let limited = plan.count.is_some() || plan.duration.is_some();
    let stopped = match stopped {
        Some(s @ (Stop::Deadline | Stop::Terminated)) => Some(s),
        Some(s) if limited => Some(s),
        _ => None,
    };
    if let Some(s) = stopped {
        ctx.observe(s);
    }
    let mut warnings = redis.warnings.clone();
    if totals.messages == 0 && ended != Ended::Count {
        warnings.push(format!(
            "no message on {} in {}",
            plan.topics.describe(),
            crate::units::short_duration(started.elapsed())
        ));
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        redis: redis.shown().to_string(),
        channels: plan.topics.channels.clone(),
        patterns: plan.topics.patterns.clone(),
        sharded: plan.topics.sharded,
        messages,
        links,
        totals,
        ended,
        warnings,
        stopped,
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// A message as it arrives: a line for people in the columns of the header.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(transparent)]
struct Line<'a> {
    seen: &'a Seen,
    #[serde(skip)]
    width: usize,
}

impl Item for Line<'_> {
    const EVENT: &'static str = "message";
    fn shown(&self, style: &Style) -> Shown {
        Shown::Line(human::watch_line(self.seen, self.width, style))
    }
}

impl crate::report::Payload for Seen {
    const EVENT: &'static str = Line::EVENT;
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            (Line::EVENT, g.subschema_for::<Seen>()),
            (RedisLink::EVENT, g.subschema_for::<LinkEvent>()),
        ]
    }
    const KIND: &'static str = "watch";
    const STEP: &'static str = "watch";
    const LISTED: Option<&'static str> = Some("messages");
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
        human::watch(self, style)
    }
}

/// What a watch is about to do, for the `step-start` event.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WatchStart")]
pub struct Start<'a> {
    pub redis: Cow<'a, str>,
    pub channels: Cow<'a, [String]>,
    pub patterns: Cow<'a, [String]>,
    pub sharded: bool,
}

impl crate::report::Payload for Start<'static> {
    const EVENT: &'static str = crate::report::events::STEP_START;
}

/// Runs watch as a step of a command, until its limit or a signal: people get a header, then a
/// line a message as it arrives.
pub async fn step(
    ctx: &RunContext,
    redis: &Redis,
    first: Session,
    plan: &Plan,
    reporter: &mut Reporter,
) -> crate::report::Ended<Totals> {
    let start = Start {
        redis: redis.shown().into(),
        channels: Cow::Borrowed(&plan.topics.channels),
        patterns: Cow::Borrowed(&plan.topics.patterns),
        sharded: plan.topics.sharded,
    };
    reporter.start::<Report>(&start, Work::NONE);
    let width = human::channel_width(&plan.topics.channels, &plan.topics.patterns);
    let header = human::watch_header(width, &reporter.style());
    reporter.text(&header);
    let retain = reporter.retain_for::<Report>();
    let mut seq = 0;
    let report = run(ctx, redis, first, plan, retain, |p| match p {
        Progress::Message(seen) => {
            reporter.item(&Listed(&Line { seen, width }, seq));
            seq += 1;
        }
        Progress::Link(l) => reporter.item(&RedisLink(l)),
    })
    .await;
    reporter.finish_step(&report);
    crate::report::Ended {
        code: report.code(),
        totals: report.totals,
    }
}
