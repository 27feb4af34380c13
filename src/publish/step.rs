//! publish as a step of a command: what it tells the reporter when it starts, as messages are
//! published and acknowledged, and when it ends.

use std::borrow::Cow;

use super::AckSeen;
use super::Connections;
use super::DryRun;
use super::Expect;
use super::Message;
use super::Plan;
use super::Progress;
use super::Report;
use super::human;
use super::run;
use crate::context::RunContext;
use crate::exit::Code;
use crate::exit::Stop;
use crate::report::Item;
use crate::report::Reporter;
use crate::report::Shown;
use crate::report::StepReport;
use crate::report::Style;
use crate::report::Work;

impl Item for Message {
    const EVENT: &'static str = "published";
}

/// An acknowledgement of one of the run's messages.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct AckEvent<'a> {
    pub path: Cow<'a, str>,
    pub id: Cow<'a, str>,
    #[serde(flatten)]
    pub ack: Cow<'a, AckSeen>,
}

impl Item for AckEvent<'_> {
    const EVENT: &'static str = "ack";
    fn shown(&self, _: &Style) -> Shown {
        Shown::Nothing
    }
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            ("published", g.subschema_for::<Message>()),
            ("ack", g.subschema_for::<AckEvent<'static>>()),
        ]
    }
    const KIND: &'static str = "publish";
    const STEP: &'static str = "publish";
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
        human::publish(self, style)
    }
    fn cases(&self) -> Vec<crate::report::ci::Case> {
        super::ci::cases(self)
    }
}

impl StepReport for DryRun {
    const KIND: &'static str = "publish-dry-run";
    const STEP: &'static str = "publish";
    fn code(&self) -> Code {
        Code::Success
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::json!({"messages": self.messages.len()})
    }
    fn human(&self, style: &Style) -> String {
        human::publish_dry_run(self, style)
    }
}

/// What a publish is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "PublishStart")]
struct Start<'a> {
    redis: &'a str,
    channel: &'a str,
    command: &'a str,
    messages: usize,
    expect: &'a Expect,
}

/// Runs publish (with its acknowledgements, when asked) as a step of a command.
pub async fn step(
    ctx: &RunContext,
    connections: Connections,
    plan: &Plan,
    reporter: &mut Reporter,
) -> Report {
    let redis = connections.redis.shown().to_string();
    let expect = connections.expect.clone();
    let start = Start {
        redis: &redis,
        channel: &plan.channel,
        command: if plan.sharded { "SPUBLISH" } else { "PUBLISH" },
        messages: plan.messages.len(),
        expect: &expect,
    };
    reporter.start::<Report>(
        &start,
        Work {
            len: plan.messages.len(),
            what: "publishing",
        },
    );
    let report = run(ctx, connections, plan, |p| match p {
        Progress::Published(m) => reporter.item(m),
        Progress::Ack { path, id, ack } => reporter.item(&AckEvent {
            path: path.into(),
            id: id.into(),
            ack: Cow::Borrowed(ack),
        }),
    })
    .await;
    reporter.finish_step(&report);
    report
}
