//! verify as a step of a command: its start, its events as they happen (each fetch, each
//! round's end, each path's final verdict), its report, through the one reporter.
//!
//! Invariants: what the run keeps follows the output format (people's tables keep every
//! verdict, trimmed to what they read; the JSON document and NDJSON take each as it is final);
//! workers never print.

use std::borrow::Cow;
use std::time::Duration;

use super::{Fetch, Keep, PathVerdict, Plan, Progress, Report, Variant, run};
use crate::choices::OutputFormat;
use crate::context::{Retain, RunContext};
use crate::report::events::{Payload, STEP_START};
use crate::report::{Item, Listed, Reporter, Shown, Style, Work};
use crate::targets::Target;
use crate::transport::Transport;

/// One fetch of a round, as it completes (the `fetch` event).
#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct FetchEvent<'a> {
    pub round: u32,
    #[serde(flatten)]
    pub fetch: Cow<'a, Fetch>,
}

impl Item for FetchEvent<'_> {
    const EVENT: &'static str = "fetch";
    /// The bar counts pages: the variants each page calls for are not known up front.
    fn shown(&self, _: &Style) -> Shown {
        if self.fetch.variant == Variant::Html {
            Shown::Tick
        } else {
            Shown::Nothing
        }
    }
}

/// A path's verdict: an NDJSON `verdict` event when the step ends, an item of the JSON
/// document's `verdicts` as soon as it is final.
impl Item for PathVerdict {
    const EVENT: &'static str = "verdict";
    const AT_STEP_END: bool = true;
    fn shown(&self, _: &Style) -> Shown {
        Shown::Nothing
    }
}

/// A round ended; `next` requests follow in another round after `pause` (none: the last).
#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct RoundEvent {
    pub round: u32,
    pub settled: usize,
    pub paths: usize,
    #[serde(skip)]
    pub next: usize,
    #[serde(skip)]
    pub pause: Duration,
}

impl Item for RoundEvent {
    const EVENT: &'static str = "round";
    fn shown(&self, _: &Style) -> Shown {
        if self.next == 0 {
            return Shown::Nothing;
        }
        Shown::Bar(
            self.next,
            next_round(self.round, self.settled, self.paths, self.pause),
        )
    }
}

/// The progress bar's message while `--wait` pauses before its next round.
fn next_round(round: u32, settled: usize, paths: usize, pause: Duration) -> String {
    format!(
        "round {} after a {} pause: {settled}/{paths} settled, re-checking",
        round + 1,
        crate::units::short_duration(pause)
    )
}

/// What a verify is about to do, for the `step-start` event.
#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyStart")]
pub struct Start<'a> {
    pub targets: Cow<'a, [Target]>,
    pub through: Option<Cow<'a, str>>,
    pub paths: usize,
    pub requests: usize,
}

impl Payload for Start<'static> {
    const EVENT: &'static str = STEP_START;
}

/// Runs verify (with its `--wait` rounds) as a step of a command.
pub async fn step(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    reporter: &mut Reporter,
) -> Report {
    step_with(ctx, transport, plan, reporter, |_, _| {}).await
}

/// [`step`], handing each path's final verdict to `on_verdict` (with its input position) as
/// it comes: the returned report holds the verdicts only when people's output needs them at the
/// end, so a caller that chains steps reads them here.
pub async fn step_with(
    ctx: &RunContext,
    transport: &Transport,
    plan: &Plan,
    reporter: &mut Reporter,
    mut on_verdict: impl FnMut(usize, &PathVerdict),
) -> Report {
    let through = plan.through.as_ref().map(|t| t.target.location());
    let requests = plan.paths.len() * plan.requests_per_path();
    let start = Start {
        targets: Cow::Borrowed(&plan.targets),
        through: through.as_deref().map(Cow::Borrowed),
        paths: plan.paths.len(),
        requests,
    };
    reporter.start::<Report>(
        &start,
        Work {
            len: requests,
            what: "fetching",
        },
    );
    // People's tables need every verdict at the end (unless only the report's first line is
    // shown, or nothing); the JSON document and NDJSON take each as it is final.
    let retain = reporter.retain_for::<Report>();
    let keep = match reporter.format() {
        OutputFormat::Human if reporter.shows_reports() => Keep::Verdicts(retain),
        OutputFormat::Human => Keep::Handed(Retain::Nothing),
        OutputFormat::Json => Keep::Handed(Retain::All),
        OutputFormat::Ndjson => Keep::Handed(retain),
    };
    let expected = plan.criteria.describe(plan.etag);
    let report = run(ctx, transport, plan, keep, |p| match p {
        Progress::Fetch(round, fetch) => reporter.item(&FetchEvent {
            round,
            fetch: Cow::Borrowed(fetch),
        }),
        Progress::Verdict(index, verdict) => {
            on_verdict(index, verdict);
            // The CI outputs' case, from the whole verdict (people's report keeps less of it).
            reporter.case(index, || {
                super::ci::case(verdict, &expected, plan.unchanged_ok)
            });
            reporter.item(&Listed(verdict, index));
        }
        Progress::Round {
            round,
            settled,
            total,
            next,
            pause,
        } => reporter.item(&RoundEvent {
            round,
            settled,
            paths: total,
            next,
            pause,
        }),
    })
    .await;
    reporter.finish_step(&report);
    report
}

#[cfg(test)]
mod step_tests {
    use super::*;

    #[test]
    fn the_bar_between_wait_rounds_names_the_pause() {
        assert_eq!(
            next_round(1, 3, 5, Duration::from_millis(500)),
            "round 2 after a 500ms pause: 3/5 settled, re-checking"
        );
        assert_eq!(
            next_round(4, 0, 1, Duration::from_secs(5)),
            "round 5 after a 5.00s pause: 0/1 settled, re-checking"
        );
    }
}
