//! publish: one message per path on the pods' Redis channel, and how many subscribers got each.
//!
//! PUBLISH's receiver count is the only delivery signal Redis gives, so it is reported per message
//! exactly as Redis answered and judged against an expectation (`--expect-subscribers`, else the
//! configured pods, else one): fewer is `under-delivered`, never rounded up to "delivered". With
//! `--wait-acks`, every expected pod must also acknowledge the message ([`acks`]).
//! Invariants: nothing is sent before the plan is checked; messages are pipelined (a few thousand
//! per round trip); results come out in input order; a message Redis did not answer for is
//! `failed` (it may or may not have been published), never `delivered`; with `--check`, nothing
//! is published when nobody listens, unless `--force`. Cache tags (`--tag`) are published as
//! `{"tag":…}` on `<channel>:tags` ([`message::tag_channel`]), after the paths, judged the same
//! way: their receivers are the agents, the only subscribers that can apply a tag.

pub mod acks;
mod ci;
mod human;
mod step;

pub use step::{AckEvent, step};

use std::time::{Duration, Instant};

use ::redis::{RedisResult, Value};

use crate::config::PublishSettings;
use crate::context::RunContext;
use crate::error::ConfigError;
use crate::exit::Code;
use crate::exit::Stop;
use crate::paths::UrlPath;
use crate::redis::message::{self, Format};
use crate::redis::subscriber::Session;
use crate::redis::{Conn, Failure, Redis};
use crate::tags::Tag;
use crate::targets::Target;

/// Messages per pipeline round trip.
const CHUNK: usize = 2000;

/// How many subscribers each message must reach, and why that many.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Expect {
    pub subscribers: u32,
    /// "--expect-subscribers", "configured pods", "registered agents" or "at least one".
    pub source: String,
    /// The pods expected to acknowledge, by name: the configured pods, else the agents live on
    /// the channel when publishing began; empty when neither is known.
    pub pods: Vec<String>,
}

impl Expect {
    /// Without configured pods, the agents live on the channel are who must receive and
    /// acknowledge, by name; "at least one" becomes their number.
    fn with_agents(mut self, agents: &Registered) -> Expect {
        if self.pods.is_empty() && !agents.live.is_empty() {
            self.pods = agents.live.clone();
            if self.source == "at least one" {
                self.subscribers = agents.live.len() as u32;
                self.source = "registered agents".into();
            }
        }
        self
    }
}

/// The agents registered on the channel when publishing began ([`crate::redis::registry`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Registered {
    /// Live agents, by pod name.
    pub live: Vec<String>,
    /// Agents whose heartbeat stopped within the last hour without a clean stop: their pod is
    /// gone, or the agent is stuck or cut off from Redis. If such a pod still serves, it did not
    /// hear these messages.
    pub expired: Vec<ExpiredAgent>,
}

/// An agent whose heartbeat stopped.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ExpiredAgent {
    pub pod: String,
    /// How long before publishing began its last heartbeat was.
    pub heartbeat_age_ms: f64,
}

impl Registered {
    /// Reads the roster of `channel`.
    async fn read(conn: &mut Conn, channel: &str) -> RedisResult<Registered> {
        let now = message::now_ms();
        let listed = crate::redis::registry::list(conn, channel, now).await?;
        let (mut live, mut expired) = (Vec::new(), Vec::new());
        for (r, is_live) in listed {
            if is_live {
                live.push(r.pod);
            } else {
                expired.push(ExpiredAgent {
                    heartbeat_age_ms: now.saturating_sub(r.heartbeat_ms) as f64,
                    pod: r.pod,
                });
            }
        }
        Ok(Registered { live, expired })
    }

    /// What people should know before trusting the acknowledgements: agents that stopped
    /// beating, agents that are no configured pod, configured pods with no agent.
    fn warnings(&self, channel: &str, configured: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.expired {
            out.push(format!(
                "the agent of {} on {channel} stopped its heartbeat {} ago without a clean stop: its pod is gone, or the agent is stuck or cut off from Redis; if the pod still serves, it did not hear these messages",
                e.pod,
                crate::units::short_duration(Duration::from_millis(e.heartbeat_age_ms as u64)),
            ));
        }
        if !configured.is_empty() && !self.live.is_empty() {
            let odd: Vec<&str> = self
                .live
                .iter()
                .filter(|p| !configured.contains(p))
                .map(String::as_str)
                .collect();
            if !odd.is_empty() {
                out.push(format!(
                    "live agents on {channel} that are no configured pod (their acknowledgements are not awaited): {}",
                    odd.join(", ")
                ));
            }
            let silent: Vec<&str> = configured
                .iter()
                .filter(|p| !self.live.contains(p))
                .map(String::as_str)
                .collect();
            if !silent.is_empty() {
                out.push(format!(
                    "configured pods with no live agent on {channel} (none of them will acknowledge): {}",
                    silent.join(", ")
                ));
            }
        }
        out
    }
}

/// What one message revalidates.
#[derive(Clone, Debug)]
pub enum What {
    Path(UrlPath),
    Tag(Tag),
}

/// One message to publish.
#[derive(Clone, Debug)]
pub struct Planned {
    pub what: What,
    pub id: String,
}

impl Planned {
    /// The report's path and tag fields.
    fn names(&self) -> (Option<String>, Option<String>) {
        match &self.what {
            What::Path(p) => (Some(p.to_string()), None),
            What::Tag(t) => (None, Some(t.to_string())),
        }
    }
}

/// `--stream`: where messages are appended, and the cap.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct StreamPlan {
    pub key: String,
    pub maxlen: u32,
}

/// Everything publish will do, checked before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub channel: String,
    /// Where tags go: `<channel>:tags`.
    pub tag_channel: String,
    pub format: Format,
    pub messages: Vec<Planned>,
    pub expect: Expect,
    /// `--check` (and whether `--force` overrides it).
    pub check: Option<bool>,
    pub sharded: bool,
    pub stream: Option<StreamPlan>,
    /// `--wait-acks`: how long to wait after publishing.
    pub ack_timeout: Option<Duration>,
    /// The record every path's latest publish time goes to (`<channel>:revalidated`), unless
    /// `--no-record`.
    pub record: Option<String>,
    /// The record every tag's latest publish time goes to (`<channel>:revalidated-tags`), when
    /// tags are published, unless `--no-record`.
    pub tag_record: Option<String>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Checks the settings and gives every path a message id. Sends nothing.
    pub fn build(
        s: &PublishSettings,
        paths: Vec<UrlPath>,
        tags: Vec<Tag>,
        targets: &[Target],
    ) -> Result<Plan, ConfigError> {
        let format = Format::parse(s.message.as_deref())?;
        if s.ack_timeout.is_some() && !format.carries_id() {
            return Err(ConfigError(
                "--wait-acks matches acknowledgements to messages by id, but this --message has no \"id\":\"{id}\" field; use the default message or add one".into(),
            ));
        }
        let pods: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
        let expect = match s.expect_subscribers {
            Some(n) => Expect {
                subscribers: n,
                source: "--expect-subscribers".into(),
                pods,
            },
            None if !pods.is_empty() => Expect {
                subscribers: pods.len() as u32,
                source: "configured pods".into(),
                pods,
            },
            None => Expect {
                subscribers: 1,
                source: "at least one".into(),
                pods,
            },
        };
        let has_tags = !tags.is_empty();
        let whats = paths
            .into_iter()
            .map(What::Path)
            .chain(tags.into_iter().map(What::Tag));
        Ok(Plan {
            channel: s.channel.clone(),
            tag_channel: message::tag_channel(&s.channel),
            format,
            messages: whats
                .map(|what| Planned {
                    what,
                    id: message::new_id(),
                })
                .collect(),
            expect,
            check: s.check.then_some(s.force),
            sharded: s.sharded,
            stream: s.stream_maxlen.map(|maxlen| StreamPlan {
                key: message::stream_key(&s.channel),
                maxlen,
            }),
            ack_timeout: s.ack_timeout,
            record: s.record.then(|| crate::redis::record::key(&s.channel)),
            tag_record: (s.record && has_tags).then(|| crate::redis::record::tags_key(&s.channel)),
            warnings: Vec::new(),
        })
    }

    /// Whether any message is a tag's.
    pub fn has_tags(&self) -> bool {
        self.messages.iter().any(|m| matches!(m.what, What::Tag(_)))
    }

    /// The channel and the text of one message.
    fn render(&self, m: &Planned, now: u64) -> (&str, String) {
        match &m.what {
            What::Path(p) => (&self.channel, self.format.render(p, now, &m.id)),
            What::Tag(t) => (&self.tag_channel, message::render_tag(t, now, &m.id)),
        }
    }

    /// The command that publishes: SPUBLISH on a sharded channel.
    fn publish_command(&self) -> &'static str {
        if self.sharded { "SPUBLISH" } else { "PUBLISH" }
    }
}

/// Connects (to the cluster with `--sharded`) and checks that Redis answers: a missing or
/// wrong password, or an ACL user without rights, fails here, before anything is published.
pub async fn open(redis: &Redis) -> Result<Conn, Failure> {
    let mut c = redis.connect().await?;
    let answer: RedisResult<Value> = ::redis::cmd("PING").query_async(&mut c).await;
    answer.map_err(|e| redis.failure(&e))?;
    Ok(c)
}

/// What became of one message.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "PublishOutcome")]
pub enum Outcome {
    /// At least the expected number of subscribers got it.
    Delivered,
    /// Every expected pod acknowledged that it revalidated the path (`--wait-acks`).
    Acknowledged,
    /// Fewer subscribers than expected got it.
    UnderDelivered,
    /// An expected pod did not acknowledge success in time (`--wait-acks`).
    Unacknowledged,
    /// Not published: `--check` found no subscriber, or the run stopped first.
    NotSent,
    /// Redis failed before answering for it: it may or may not have been published.
    Failed,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Acknowledged => "acknowledged",
            Outcome::UnderDelivered => "under-delivered",
            Outcome::Unacknowledged => "unacknowledged",
            Outcome::NotSent => "not-sent",
            Outcome::Failed => "failed",
        }
    }

    pub fn is_ok(self) -> bool {
        matches!(self, Outcome::Delivered | Outcome::Acknowledged)
    }

    /// What to check when this outcome shows up; printed once per kind.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Outcome::UnderDelivered => Some(
                "under-delivered: fewer subscribers than expected got the message. A pod was down or restarting, \
                 or its subscriber gave up during a Redis outage and never resubscribed (ioredis does after 20 retries). \
                 `revalidate fanout` reaches every pod directly; `revalidate agent` resubscribes by itself.",
            ),
            Outcome::Unacknowledged => Some(
                "unacknowledged: an expected pod did not acknowledge success in time, or a pod acknowledged a failure \
                 (its outcome is shown). A silent pod runs no `revalidate agent`, or its agent is not subscribed \
                 (see its /healthz and logs); its agent's --pod-name must be the pod's name here.",
            ),
            Outcome::NotSent => Some(
                "not-sent: nothing was published for this path (nobody listened under --check, or the run stopped first).",
            ),
            Outcome::Failed => Some(
                "failed: Redis failed before answering; the message may or may not have been published.",
            ),
            _ => None,
        }
    }
}

/// One acknowledgement received for a message.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AckSeen {
    pub pod: String,
    pub outcome: String,
    pub ms: f64,
}

/// The result of one message.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Message {
    /// The path (absent in a tag's message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The cache tag (absent in a path's message), published on the tag channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub id: String,
    /// PUBLISH's (or SPUBLISH's) answer: how many subscribers received it. None when not sent.
    pub receivers: Option<i64>,
    /// The stream entry's id, with `--stream`.
    pub stream_id: Option<String>,
    pub outcome: Outcome,
    pub ok: bool,
    /// Acknowledgements received (`--wait-acks`), in arrival order.
    pub acks: Vec<AckSeen>,
    /// Expected pods that did not acknowledge success (`--wait-acks` with named pods).
    pub missing_pods: Vec<String>,
    pub error: Option<String>,
}

/// The record of the paths' (or the tags') latest publish times, which agents started later
/// catch up from.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RecordWrite {
    /// The hash, `<channel>:revalidated` (`<channel>:revalidated-tags` for the tags).
    pub key: String,
    /// Paths (or tags) whose time was set (one already recorded at a later time keeps it).
    pub written: usize,
    /// Why the record could not be written: the messages were still published, but a pod
    /// started later will not catch up on these paths (or tags).
    pub error: Option<String>,
}

impl Message {
    /// The path, or the tag as `tag:<tag>`.
    pub fn subject(&self) -> String {
        match (&self.path, &self.tag) {
            (Some(p), _) => p.clone(),
            (None, Some(t)) => format!("tag:{t}"),
            (None, None) => String::new(),
        }
    }
}

/// `--check`: what PUBSUB NUMSUB (or SHARDNUMSUB) said.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Check {
    pub subscribers: i64,
    /// The subscribers of the tag channel, when tags are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_subscribers: Option<i64>,
    pub forced: bool,
}

/// `--wait-acks`: where and how long.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AckWait {
    pub channel: String,
    pub timeout_ms: f64,
    /// How long the wait took (it ends early once every expected pod acknowledged).
    pub waited_ms: f64,
}

#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "PublishTotals")]
pub struct Totals {
    pub messages: usize,
    /// Messages Redis took (a receiver count came back).
    pub published: usize,
    pub ok: usize,
    pub failed: usize,
    pub outcomes: std::collections::BTreeMap<Outcome, usize>,
    /// The fewest and most receivers of a published message.
    pub receivers_min: Option<i64>,
    pub receivers_max: Option<i64>,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "PublishReport")]
pub struct Report {
    pub duration_ms: f64,
    /// The Redis URL, its password masked.
    pub redis: String,
    pub channel: String,
    /// The channel of the tags, when tags are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_channel: Option<String>,
    pub command: String,
    pub expect: Expect,
    pub check: Option<Check>,
    pub stream: Option<StreamPlan>,
    /// The record written (null with `--no-record`).
    pub record: Option<RecordWrite>,
    /// The tags' record written, when tags are published (absent with `--no-record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_record: Option<RecordWrite>,
    pub acks: Option<AckWait>,
    /// The agents registered on the channel when publishing began (null when the roster could
    /// not be read).
    pub agents: Option<Registered>,
    /// One entry a path, then one a tag, in input order.
    pub messages: Vec<Message>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    /// A Redis failure that ended publishing (exit 5).
    pub error: Option<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Report {
    pub fn code(&self) -> Code {
        match self.stopped {
            Some(Stop::Interrupted) => Code::Interrupted,
            Some(Stop::Terminated) => Code::Terminated,
            _ if self.error.is_some() => Code::ServiceUnavailable,
            _ if [&self.record, &self.tag_record]
                .into_iter()
                .flatten()
                .any(|r| r.error.is_some()) =>
            {
                Code::ServiceUnavailable
            }
            _ if self.totals.failed > 0 || self.stopped.is_some() => Code::CellsFailed,
            _ => Code::Success,
        }
    }
}

/// What --dry-run reports: every message that would be published.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "PublishDryRun")]
pub struct DryRun {
    pub redis: String,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_channel: Option<String>,
    pub command: String,
    pub expect: Expect,
    pub stream: Option<StreamPlan>,
    /// The record that would be written (null with `--no-record`).
    pub record: Option<String>,
    /// The tags' record that would be written, when tags are published (absent with
    /// `--no-record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_record: Option<String>,
    pub messages: Vec<DryMessage>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DryMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub id: String,
    pub message: String,
}

pub fn dry_run(plan: &Plan, redis: &Redis) -> DryRun {
    let now = message::now_ms();
    DryRun {
        redis: redis.shown().to_string(),
        channel: plan.channel.clone(),
        tag_channel: plan.has_tags().then(|| plan.tag_channel.clone()),
        command: plan.publish_command().into(),
        expect: plan.expect.clone(),
        stream: plan.stream.clone(),
        record: plan.record.clone(),
        tag_record: plan.tag_record.clone(),
        messages: plan
            .messages
            .iter()
            .map(|m| {
                let (path, tag) = m.names();
                DryMessage {
                    path,
                    tag,
                    id: m.id.clone(),
                    message: plan.render(m, now).1,
                }
            })
            .collect(),
        warnings: plan.warnings.clone(),
    }
}

/// What publish reports as it goes.
pub enum Progress<'a> {
    /// A message was published (or failed); its outcome is not final under `--wait-acks`.
    Published(&'a Message),
    /// An acknowledgement arrived for a message of this run.
    Ack {
        /// The path, or `tag:<tag>`.
        path: &'a str,
        id: &'a str,
        ack: &'a AckSeen,
    },
}

/// Everything run needs from Redis: the command connection, with `--wait-acks` the
/// acknowledgement subscription, made before anything is published so no ack is missed, and
/// the agents registered on the channel, who they are and what is expected of them.
pub struct Connections {
    pub redis: Redis,
    pub conn: Conn,
    pub acks: Option<Session>,
    /// The plan's expectation, with the registered agents when no pods are configured.
    pub expect: Expect,
    pub agents: Option<Registered>,
    /// Why the roster could not be read.
    roster_failed: Option<String>,
}

impl Connections {
    /// Connects (and subscribes to the acknowledgements when asked), and reads which agents are
    /// registered on the channel. Fails with exit 5.
    pub async fn open(redis: &Redis, plan: &Plan) -> Result<Connections, Failure> {
        let mut conn = open(redis).await?;
        let (agents, roster_failed) = match Registered::read(&mut conn, &plan.channel).await {
            Ok(a) => (Some(a), None),
            Err(e) => (None, Some(redis.failure(&e).to_string())),
        };
        let expect = match &agents {
            Some(a) => plan.expect.clone().with_agents(a),
            None => plan.expect.clone(),
        };
        let acks = match plan.ack_timeout {
            Some(_) => Some(
                crate::redis::subscriber::connect(
                    redis,
                    &crate::redis::subscriber::Topics::channel(message::ack_channel(&plan.channel)),
                )
                .await?,
            ),
            None => None,
        };
        Ok(Connections {
            redis: redis.clone(),
            conn,
            acks,
            expect,
            agents,
            roster_failed,
        })
    }
}

/// Publishes every message and returns the report. `on_progress` runs on the caller's task.
pub async fn run(
    ctx: &RunContext,
    mut c: Connections,
    plan: &Plan,
    mut on_progress: impl FnMut(Progress<'_>),
) -> Report {
    let started = Instant::now();
    let mut messages: Vec<Message> = plan
        .messages
        .iter()
        .map(|m| Message {
            path: m.names().0,
            tag: m.names().1,
            id: m.id.clone(),
            receivers: None,
            stream_id: None,
            outcome: Outcome::NotSent,
            ok: false,
            acks: Vec::new(),
            missing_pods: Vec::new(),
            error: None,
        })
        .collect();
    let expect = c.expect.clone();
    let mut warnings = plan.warnings.clone();
    warnings.extend(c.redis.warnings.iter().cloned());
    if let Some(why) = &c.roster_failed {
        warnings.push(format!(
            "the agents registered on {} could not be read ({why}); acknowledgements are expected by count",
            plan.channel
        ));
    }
    if let (Some(agents), Some(_)) = (&c.agents, plan.ack_timeout) {
        warnings.extend(agents.warnings(&plan.channel, &plan.expect.pods));
    }
    let mut error: Option<String> = None;
    let mut check = None;
    let mut proceed = true;

    if let Some(forced) = plan.check {
        let sub = if plan.sharded {
            "SHARDNUMSUB"
        } else {
            "NUMSUB"
        };
        let tags = plan.has_tags();
        let mut cmd = ::redis::cmd("PUBSUB").arg(sub).arg(&plan.channel).clone();
        if tags {
            cmd.arg(&plan.tag_channel);
        }
        match cmd
            .query_async::<std::collections::HashMap<String, i64>>(&mut c.conn)
            .await
        {
            Ok(counts) => {
                let n = counts.get(&plan.channel).copied().unwrap_or(0);
                let tag_n = tags.then(|| counts.get(&plan.tag_channel).copied().unwrap_or(0));
                check = Some(Check {
                    subscribers: n,
                    tag_subscribers: tag_n,
                    forced,
                });
                let paths = plan
                    .messages
                    .iter()
                    .any(|m| matches!(m.what, What::Path(_)));
                // Nothing is published when a channel this run publishes on has nobody.
                let empty = match (paths && n == 0, tag_n == Some(0)) {
                    (true, _) => Some(&plan.channel),
                    (false, true) => Some(&plan.tag_channel),
                    (false, false) => None,
                };
                if let Some(empty) = empty.filter(|_| !forced) {
                    proceed = false;
                    for m in &mut messages {
                        m.error = Some(format!(
                            "nobody subscribes to {empty} (PUBSUB {sub}: 0); nothing was published (--force publishes anyway)",
                        ));
                    }
                } else if n < i64::from(expect.subscribers) && paths {
                    warnings.push(format!(
                        "PUBSUB {sub} counts {n} subscriber{} on {}, fewer than the {} expected ({})",
                        if n == 1 { "" } else { "s" },
                        plan.channel,
                        expect.subscribers,
                        expect.source
                    ));
                }
            }
            Err(e) => {
                proceed = false;
                error = Some(c.redis.failure(&e).to_string());
            }
        }
    }

    let new_record = |key: &String| RecordWrite {
        key: key.clone(),
        written: 0,
        error: None,
    };
    let mut record = plan.record.as_ref().map(new_record);
    let mut tag_record = plan.tag_record.as_ref().map(new_record);
    if proceed {
        for (chunk_index, chunk) in plan.messages.chunks(CHUNK).enumerate() {
            if let Some(stop) = ctx.stopped() {
                ctx.observe(stop);
                break;
            }
            let base = chunk_index * CHUNK;
            // The records first: an agent that subscribes after this chunk is published reads
            // the records after subscribing, and finds these paths and tags there.
            let now = message::now_ms();
            let (mut paths, mut tags) = (Vec::new(), Vec::new());
            for m in chunk {
                match &m.what {
                    What::Path(p) => paths.push((p.as_str(), now)),
                    What::Tag(t) => tags.push((t.as_str(), now)),
                }
            }
            for (r, entries, kind) in [
                (&mut record, paths, "paths"),
                (&mut tag_record, tags, "tags"),
            ] {
                if let Some(r) = r.as_mut() {
                    write_record(&mut c.conn, &c.redis, r, &entries, kind, &mut warnings).await;
                }
            }
            let answers = publish_chunk(&mut c.conn, plan, chunk).await;
            match answers {
                Ok(per_message) => {
                    for (i, (receivers, stream_id, err)) in per_message.into_iter().enumerate() {
                        let m = &mut messages[base + i];
                        m.receivers = receivers;
                        m.stream_id = stream_id;
                        if let Some(e) = err {
                            m.outcome = Outcome::Failed;
                            m.error = Some(e.clone());
                            error.get_or_insert(e);
                        } else {
                            judge_delivery(m, &expect);
                        }
                        on_progress(Progress::Published(m));
                    }
                }
                Err(e) => {
                    let text = c.redis.failure(&e).to_string();
                    for m in &mut messages[base..base + chunk.len()] {
                        m.outcome = Outcome::Failed;
                        m.error = Some(format!(
                            "Redis failed before answering ({text}); the message may or may not have been published"
                        ));
                        on_progress(Progress::Published(m));
                    }
                    error = Some(text);
                    break;
                }
            }
        }
    }
    let not_sent_reason = if error.is_some() {
        "not sent: Redis failed before".to_string()
    } else {
        ctx.stopped()
            .map_or(String::new(), |s| format!("not sent: {}", s.describe()))
    };
    for m in messages
        .iter_mut()
        .filter(|m| m.outcome == Outcome::NotSent)
    {
        if m.error.is_none() && !not_sent_reason.is_empty() {
            m.error = Some(not_sent_reason.clone());
        }
    }

    let mut ack_wait = None;
    if let (Some(timeout), Some(session)) = (plan.ack_timeout, c.acks.take())
        && proceed
        && error.is_none()
    {
        let (waited, lost) = acks::collect(
            ctx,
            session,
            plan,
            &expect,
            timeout,
            &mut messages,
            |path, id, ack| on_progress(Progress::Ack { path, id, ack }),
        )
        .await;
        if lost.is_some() {
            error = lost;
        }
        ack_wait = Some(AckWait {
            channel: message::ack_channel(&plan.channel),
            timeout_ms: crate::units::millis(timeout),
            waited_ms: crate::units::millis(waited),
        });
        for m in &mut messages {
            acks::judge(m, &expect);
        }
    }

    let mut totals = Totals {
        messages: messages.len(),
        ..Totals::default()
    };
    for m in &mut messages {
        m.ok = m.outcome.is_ok();
        *totals.outcomes.entry(m.outcome).or_default() += 1;
        if m.ok {
            totals.ok += 1;
        } else {
            totals.failed += 1;
        }
        if let Some(r) = m.receivers {
            totals.published += 1;
            totals.receivers_min = Some(totals.receivers_min.map_or(r, |x| x.min(r)));
            totals.receivers_max = Some(totals.receivers_max.map_or(r, |x| x.max(r)));
        }
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        redis: c.redis.shown().to_string(),
        channel: plan.channel.clone(),
        tag_channel: plan.has_tags().then(|| plan.tag_channel.clone()),
        command: plan.publish_command().into(),
        expect,
        check,
        stream: plan.stream.clone(),
        record,
        tag_record,
        acks: ack_wait,
        agents: c.agents.take(),
        messages,
        totals,
        warnings,
        error,
        stopped: ctx.observed_stop(),
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// Writes one chunk's times to a record (the paths' or the tags'); a failure is kept in the
/// record's report, warned about once, and publishing goes on.
async fn write_record(
    conn: &mut Conn,
    redis: &Redis,
    r: &mut RecordWrite,
    entries: &[(&str, u64)],
    kind: &str,
    warnings: &mut Vec<String>,
) {
    if entries.is_empty() {
        return;
    }
    match crate::redis::record::write(conn, &r.key, entries).await {
        Ok(n) => r.written += n.max(0) as usize,
        Err(e) => {
            let text = format!(
                "the record {} could not be written ({}); the messages were published, but a pod started later will not catch up on these {kind}",
                r.key,
                redis.failure(&e)
            );
            if r.error.is_none() {
                warnings.push(text.clone());
            }
            r.error.get_or_insert(text);
        }
    }
}

/// The delivery outcome of a published message, from its receiver count alone.
fn judge_delivery(m: &mut Message, expect: &Expect) {
    let got = m.receivers.unwrap_or(0);
    m.outcome = if got >= i64::from(expect.subscribers) {
        Outcome::Delivered
    } else {
        Outcome::UnderDelivered
    };
}

type Answer = (Option<i64>, Option<String>, Option<String>);

/// Publishes one chunk in one round trip (two on a cluster with `--stream`: the stream's key and
/// the channel live in different slots). Per message: receivers, stream id, error.
async fn publish_chunk(
    conn: &mut Conn,
    plan: &Plan,
    chunk: &[Planned],
) -> RedisResult<Vec<Answer>> {
    let now = message::now_ms();
    let payloads: Vec<(&str, String)> = chunk.iter().map(|m| plan.render(m, now)).collect();
    let xadd = |pipe: &mut ::redis::Pipeline, s: &StreamPlan, m: &Planned, payload: &str| {
        let (field, value) = match &m.what {
            What::Path(p) => ("path", p.as_str()),
            What::Tag(t) => ("tag", t.as_str()),
        };
        pipe.cmd("XADD")
            .arg(&s.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(s.maxlen)
            .arg("*")
            .arg("id")
            .arg(&m.id)
            .arg(field)
            .arg(value)
            .arg("message")
            .arg(payload);
    };
    let command = plan.publish_command();
    let split = plan.sharded && plan.stream.is_some();
    let mut pipe = ::redis::Pipeline::with_capacity(chunk.len() * 2);
    pipe.ignore_errors();
    let mut stream_pipe = ::redis::Pipeline::with_capacity(chunk.len());
    stream_pipe.ignore_errors();
    for (m, (channel, payload)) in chunk.iter().zip(&payloads) {
        if let Some(s) = &plan.stream {
            if split {
                xadd(&mut stream_pipe, s, m, payload);
            } else {
                xadd(&mut pipe, s, m, payload);
            }
        }
        pipe.cmd(command).arg(*channel).arg(payload);
    }
    let mut stream_answers = if split {
        Some(
            stream_pipe
                .query_async::<Vec<RedisResult<Value>>>(conn)
                .await?
                .into_iter(),
        )
    } else {
        None
    };
    let mut answers = pipe
        .query_async::<Vec<RedisResult<Value>>>(conn)
        .await?
        .into_iter();
    let mut out = Vec::with_capacity(chunk.len());
    for _ in chunk {
        let mut err = None;
        let stream_id = if plan.stream.is_some() {
            let a = match &mut stream_answers {
                Some(s) => s.next(),
                None => answers.next(),
            };
            match a {
                Some(Ok(Value::BulkString(b))) => Some(String::from_utf8_lossy(&b).into_owned()),
                Some(Ok(Value::SimpleString(s))) => Some(s),
                Some(Ok(other)) => {
                    err = Some(format!(
                        "XADD answered {}",
                        crate::redis::describe_value(&other)
                    ));
                    None
                }
                Some(Err(e)) => {
                    err = Some(format!("XADD failed: {e}"));
                    None
                }
                None => None,
            }
        } else {
            None
        };
        let receivers = match answers.next() {
            Some(Ok(Value::Int(n))) => Some(n),
            Some(Ok(other)) => {
                err.get_or_insert(format!(
                    "{command} answered {}",
                    crate::redis::describe_value(&other)
                ));
                None
            }
            Some(Err(e)) => {
                err.get_or_insert(format!("{command} failed: {e}"));
                None
            }
            None => {
                err.get_or_insert(format!("no answer to {command}"));
                None
            }
        };
        out.push((receivers, stream_id, err));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
