//! agents: who is listening on a channel, by name. Every `revalidate agent` registers itself
//! beside the channel with a heartbeat ([`crate::redis::registry`]); this step lists them
//! (live, or named as expired for an hour after their last beat), counts the channel's
//! subscribers as Redis does (PUBSUB NUMSUB counts every subscriber, agents or not), and, when
//! pods are configured or discovered, names the pods with no live agent and the live agents
//! that are no configured pod.
//!
//! Invariants: a pod counts as covered only by a live agent registered under its name (an
//! expired one is named, never counted); nothing is written but the registry's own clean-up of
//! records older than an hour; a Redis failure is an error (exit 5), never an empty roster.

mod human;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant, UNIX_EPOCH};

use crate::exit::Code;
use crate::redis::registry::{self, Record};
use crate::redis::{Conn, Redis};
use crate::report::{Reporter, StepReport, Style, Work};

/// Whether an agent's heartbeat is recent.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Its last heartbeat is younger than three beats.
    Live,
    /// It stopped beating (its pod is gone, or the agent is stuck or cut off from Redis) and
    /// did not remove itself as a clean stop does; named for an hour after its last beat.
    Expired,
}

/// One registered agent.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Agent {
    pub pod: String,
    pub state: State,
    /// The agent's version (revalidate's).
    pub version: String,
    /// The app's build id, when the agent could read it.
    pub build_id: Option<String>,
    /// When the agent started (RFC 3339, UTC).
    pub started: String,
    /// When it last handled a message (RFC 3339, UTC); null when it has handled none.
    pub last_message: Option<String>,
    /// Its last heartbeat (RFC 3339, UTC).
    pub heartbeat: String,
    /// How long ago its last heartbeat was, when the roster was read.
    pub heartbeat_age_ms: f64,
    /// How often it beats.
    pub heartbeat_every_ms: f64,
    /// Whether it is one of the configured pods (null when no pods are configured).
    pub configured: Option<bool>,
}

impl Agent {
    fn from_record(r: Record, live: bool, now_ms: u64, pods: Option<&BTreeSet<String>>) -> Agent {
        Agent {
            configured: pods.map(|p| p.contains(&r.pod)),
            state: if live { State::Live } else { State::Expired },
            version: r.version,
            build_id: r.build_id,
            started: stamp(r.started_ms),
            last_message: r.last_message_ms.map(stamp),
            heartbeat: stamp(r.heartbeat_ms),
            heartbeat_age_ms: now_ms.saturating_sub(r.heartbeat_ms) as f64,
            heartbeat_every_ms: r.heartbeat_every_ms as f64,
            pod: r.pod,
        }
    }
}

/// A unix time in milliseconds as RFC 3339.
fn stamp(ms: u64) -> String {
    crate::units::timestamp(UNIX_EPOCH + Duration::from_millis(ms))
}

#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "AgentsTotals")]
pub struct Totals {
    pub live: usize,
    pub expired: usize,
    /// Configured pods without a live agent.
    pub missing: usize,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "AgentsReport")]
pub struct Report {
    pub duration_ms: f64,
    /// The Redis URL, its password masked.
    pub redis: String,
    pub channel: String,
    /// PUBSUB NUMSUB (SHARDNUMSUB with --sharded): every subscriber of the channel, agents or
    /// not (an app's own subscriber, a `revalidate watch`).
    pub subscribers: i64,
    /// The command that counted them.
    pub counted_by: String,
    /// Every registered agent, live first, each by pod name.
    pub agents: Vec<Agent>,
    /// The configured or discovered pods the agents are compared with; null when none are.
    pub pods: Option<Vec<String>>,
    /// Configured pods with no live agent: their pods hear nothing from publish, unless the app
    /// subscribes by itself.
    pub missing: Vec<String>,
    /// Live agents that are no configured pod (another Deployment on the same channel, or a
    /// --pod-name that does not match the pod's name).
    pub unexpected: Vec<String>,
    /// Live agents by the build id their app runs ("unknown" when unread), when more than one
    /// build is live: a rollout in progress, or pods left behind.
    pub builds: BTreeMap<String, Vec<String>>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub exit_code: u8,
}

impl Report {
    /// 3 when a configured pod has no live agent, or when no agent is live at all; else 0.
    pub fn code(&self) -> Code {
        if self.totals.missing > 0 || self.totals.live == 0 {
            Code::CellsFailed
        } else {
            Code::Success
        }
    }
}

/// Reads the roster of `channel`, compared with `pods` when some are configured.
pub async fn run(
    conn: &mut Conn,
    redis: &Redis,
    channel: &str,
    pods: Option<Vec<String>>,
) -> ::redis::RedisResult<Report> {
    let started = Instant::now();
    let now_ms = crate::redis::message::now_ms();
    let records = registry::list(conn, channel, now_ms).await?;
    let (sub, counts) = if redis.sharded() {
        ("SHARDNUMSUB", "PUBSUB SHARDNUMSUB")
    } else {
        ("NUMSUB", "PUBSUB NUMSUB")
    };
    let subscribers = ::redis::cmd("PUBSUB")
        .arg(sub)
        .arg(channel)
        .query_async::<BTreeMap<String, i64>>(conn)
        .await?
        .get(channel)
        .copied()
        .unwrap_or(0);
    let wanted: Option<BTreeSet<String>> = pods.as_ref().map(|p| p.iter().cloned().collect());
    let mut agents: Vec<Agent> = records
        .into_iter()
        .map(|(r, live)| Agent::from_record(r, live, now_ms, wanted.as_ref()))
        .collect();
    agents.sort_by(|a, b| (a.state, &a.pod).cmp(&(b.state, &b.pod)));
    let live: BTreeSet<&str> = agents
        .iter()
        .filter(|a| a.state == State::Live)
        .map(|a| a.pod.as_str())
        .collect();
    let missing: Vec<String> = pods
        .iter()
        .flatten()
        .filter(|p| !live.contains(p.as_str()))
        .cloned()
        .collect();
    let unexpected: Vec<String> = match &wanted {
        Some(w) => live
            .iter()
            .filter(|p| !w.contains(**p))
            .map(|p| p.to_string())
            .collect(),
        None => Vec::new(),
    };
    let mut builds: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in agents.iter().filter(|a| a.state == State::Live) {
        let build = a.build_id.clone().unwrap_or_else(|| "unknown".into());
        builds.entry(build).or_default().push(a.pod.clone());
    }
    if builds.len() < 2 {
        builds.clear();
    }
    let totals = Totals {
        live: live.len(),
        expired: agents.len() - live.len(),
        missing: missing.len(),
    };
    let mut warnings = redis.warnings.clone();
    if totals.live == 0 {
        warnings.push(format!(
            "no agent is live on {channel}: run `revalidate agent` beside the app in every pod (with --channel {channel}), or check its logs and /healthz"
        ));
    }
    if (subscribers as usize) < totals.live {
        warnings.push(format!(
            "{counts} counts {subscribers} on {channel}, fewer than the {} live agents: some agents have lost their subscription (see their /healthz)",
            totals.live
        ));
    }
    if !builds.is_empty() {
        warnings.push(format!(
            "the live agents' apps run {} builds: a rollout in progress, or pods left behind",
            builds.len()
        ));
    }
    let mut report = Report {
        duration_ms: crate::units::millis(started.elapsed()),
        redis: redis.shown().to_string(),
        channel: channel.to_string(),
        subscribers,
        counted_by: counts.to_string(),
        agents,
        pods,
        missing,
        unexpected,
        builds,
        totals,
        warnings,
        exit_code: 0,
    };
    report.exit_code = report.code().as_u8();
    Ok(report)
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![("step-start", g.subschema_for::<Start>())]
    }
    const KIND: &'static str = "agents";
    const STEP: &'static str = "agents";
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
        human::roster(self, style)
    }
}

/// What the step is about to read, for the `step-start` event.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "AgentsStart")]
pub struct Start {
    pub redis: String,
    pub channel: String,
}

/// Runs the step for `revalidate agents`.
pub async fn step(
    conn: &mut Conn,
    redis: &Redis,
    channel: &str,
    pods: Option<Vec<String>>,
    reporter: &mut Reporter,
) -> Result<Code, crate::redis::Failure> {
    reporter.start::<Report>(
        &Start {
            redis: redis.shown().to_string(),
            channel: channel.to_string(),
        },
        Work::NONE,
    );
    let report = run(conn, redis, channel, pods)
        .await
        .map_err(|e| redis.failure(&e))?;
    reporter.finish_step(&report);
    Ok(report.code())
}
