//! The glue between steps and the reporter: each function runs one step with the command's run
//! context and transport, feeds its events to the reporter as they happen, and hands it the
//! step's report. A command, the demo, and a pipeline of steps all call these.

use crate::context::RunContext;
use crate::exit::Code;
use crate::report::{Reporter, StepReport, StepStart};
use crate::transport::Transport;
use crate::{agent, publish, watch};
use crate::{fanout, verify};

/// How a step ended, for a caller that chains steps (the report itself goes to the reporter).
#[derive(Clone, Debug)]
pub struct Ended<T> {
    pub code: Code,
    pub totals: T,
}

/// Runs fanout.
pub async fn fanout(
    ctx: &RunContext,
    transport: &Transport,
    plan: &fanout::Plan,
    reporter: &mut Reporter,
) -> Ended<fanout::Totals> {
    reporter.step_started(StepStart::Fanout {
        mode: plan.mode(),
        method: plan.method(),
        targets: &plan.targets,
        paths: plan.paths.len(),
        cells: plan.paths.len() * plan.targets.len(),
    });
    let retain = reporter.retain();
    let report = fanout::run(ctx, transport, plan, retain, |c| reporter.cell(c)).await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Fanout(report));
    ended
}

/// Runs verify (with its `--wait` rounds).
pub async fn verify(
    ctx: &RunContext,
    transport: &Transport,
    plan: &verify::Plan,
    reporter: &mut Reporter,
) -> Ended<verify::Totals> {
    reporter.step_started(StepStart::Verify {
        targets: &plan.targets,
        through: plan.through.as_ref().map(|t| t.target.location()),
        paths: plan.paths.len(),
        requests: plan.paths.len() * plan.requests_per_path(),
    });
    let retain = reporter.retain();
    let report = verify::run(ctx, transport, plan, retain, |p| match p {
        verify::Progress::Fetch(round, f) => reporter.fetch(round, f),
        verify::Progress::Round {
            round,
            settled,
            total,
            next,
        } => reporter.round(round, settled, total, next),
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Verify(report));
    ended
}

// Redis steps (issue 8).

/// Runs publish (with its acknowledgements, when asked).
pub async fn publish(
    ctx: &RunContext,
    connections: publish::Connections,
    plan: &publish::Plan,
    reporter: &mut Reporter,
) -> Ended<publish::Totals> {
    let redis = connections.redis.shown().to_string();
    reporter.step_started(StepStart::Publish {
        redis: &redis,
        channel: &plan.channel,
        command: if plan.sharded { "SPUBLISH" } else { "PUBLISH" },
        messages: plan.messages.len(),
        expect: &plan.expect,
    });
    let report = publish::run(ctx, connections, plan, |p| match p {
        publish::Progress::Published(m) => reporter.published(m),
        publish::Progress::Ack { path, id, ack } => reporter.ack(path, id, ack),
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Publish(report));
    ended
}

/// Runs watch until its limit or a signal.
pub async fn watch(
    ctx: &RunContext,
    redis: &crate::redis::Redis,
    first: crate::redis::subscriber::Session,
    plan: &watch::Plan,
    reporter: &mut Reporter,
) -> Ended<watch::Totals> {
    reporter.step_started(StepStart::Watch {
        redis: redis.shown(),
        channels: &plan.topics.channels,
        patterns: &plan.topics.patterns,
    });
    let retain = reporter.retain();
    let report = watch::run(ctx, redis, first, plan, retain, |p| match p {
        watch::Progress::Message(m) => reporter.watch_message(m),
        watch::Progress::Link(l) => reporter.redis_link("watch", l),
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Watch(report));
    ended
}

/// Runs the agent until it is stopped.
pub async fn agent(
    ctx: &RunContext,
    redis: &crate::redis::Redis,
    first: Option<crate::redis::subscriber::Session>,
    health: Option<agent::health::Listener>,
    plan: &agent::Plan,
    transport: &Transport,
    reporter: &mut Reporter,
) -> Ended<agent::Totals> {
    reporter.step_started(StepStart::Agent {
        redis: redis.shown(),
        pod: &plan.pod,
        target: plan.target.location(),
        channel: &plan.channel,
        stream: plan.stream.as_deref(),
        health: health
            .as_ref()
            .and_then(agent::health::Listener::local_addr)
            .map(|a| a.to_string()),
    });
    let retain = reporter.retain();
    let report = agent::run(ctx, redis, first, health, plan, transport, retain, |e| {
        reporter.agent_event(e)
    })
    .await;
    let ended = Ended {
        code: report.code(),
        totals: report.totals.clone(),
    };
    reporter.step_finished(StepReport::Agent(report));
    ended
}
