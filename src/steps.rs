//! The glue between steps and the reporter: each function runs one step with the command's run
//! context and transport, feeds its events to the reporter as they happen, and hands it the
//! step's report. A command, the demo, and a pipeline of steps all call these.

use crate::context::RunContext;
use crate::exit::Code;
use crate::report::{Reporter, StepReport, StepStart};
use crate::transport::Transport;
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
