//! The agent as a step of a command: what it tells the reporter when it starts, as it goes and
//! when it stops.

use std::borrow::Cow;

use super::Event;
use super::Plan;
use super::Report;
use super::Totals;
use super::{health, human, run};
use crate::context::RunContext;
use crate::exit::Code;
use crate::redis::Redis;
use crate::redis::subscriber::LinkEvent;
use crate::redis::subscriber::Session;
use crate::report::Item;
use crate::report::Reporter;
use crate::report::Shown;
use crate::report::StepReport;
use crate::report::Style;
use crate::transport::Transport;

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

impl crate::report::Payload for Event {
    const EVENT: &'static str = Did::EVENT;
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
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StartInfo<'a> {
    pub redis: Cow<'a, str>,
    pub pod: Cow<'a, str>,
    pub target: Cow<'a, str>,
    pub channel: Cow<'a, str>,
    pub sharded: bool,
    pub stream: Option<Cow<'a, str>>,
    /// Where /healthz and /metrics listen.
    pub health: Option<String>,
}

impl crate::report::Payload for StartInfo<'static> {
    const EVENT: &'static str = crate::report::events::STEP_START;
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
        redis: redis.shown().into(),
        pod: plan.pod.as_str().into(),
        target: Cow::Borrowed(&*target),
        channel: plan.channel.as_str().into(),
        sharded: redis.sharded(),
        stream: plan.stream.as_deref().map(Cow::Borrowed),
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
