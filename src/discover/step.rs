//! Discovery as steps of a command: the discover and recheck reports, their events, and
//! following membership during a run (`--follow-new-pods`).

use super::Discovered;
use super::Missed;
use super::Pod;
use super::Recheck;
use super::Report;
use super::Source;
use super::human;
use super::recheck;
use super::worth_rechecking;
use crate::config::KubernetesSettings;
use crate::context::RunContext;
use crate::exit::Code;
use crate::exit::Stop;
use crate::report::Events;
use crate::report::Payload;
use crate::report::Reporter;
use crate::report::StepReport;
use crate::report::Style;
use crate::report::Work;
use crate::targets::Target;
use std::borrow::Cow;
use std::time::Instant;

/// At most this many `--follow-new-pods` rounds: a fleet still growing after that is reported,
/// not chased.
pub const MAX_FOLLOW_ROUNDS: u32 = 5;

/// What a discovery is about to do, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct DiscoverStart<'a> {
    source: &'a Source,
}

/// Which recheck of a run this is, for the `step-start` event.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct RecheckStart {
    round: u32,
}

/// A pod in an event: found by a discovery (`change` null), or `appeared` or `gone` at a
/// recheck.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PodEvent<'a> {
    pub change: Option<Cow<'a, str>>,
    #[serde(flatten)]
    pub pod: Cow<'a, Pod>,
}

impl Payload for PodEvent<'static> {
    const EVENT: &'static str = "pod";
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<DiscoverStart<'static>>()),
            (PodEvent::EVENT, g.subschema_for::<PodEvent<'static>>()),
        ]
    }
    const KIND: &'static str = "discover";
    const STEP: &'static str = "discover";
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
        serde_json::json!({"pods": self.pods.len(), "skipped": self.skipped.len()})
    }
    fn human(&self, style: &Style) -> String {
        human::discover(self, style)
    }
    const UNIT: crate::report::ci::Unit = ("discovery", "discoveries");
    fn cases(&self) -> Vec<crate::report::ci::Case> {
        super::ci::discovery(self)
    }
    fn events(&self, events: &mut Events<'_>) {
        for pod in &self.pods {
            let pod = PodEvent {
                change: None,
                pod: Cow::Borrowed(pod),
            };
            events.emit(PodEvent::EVENT, &pod);
        }
    }
}

impl StepReport for Recheck {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<RecheckStart>()),
            (PodEvent::EVENT, g.subschema_for::<PodEvent<'static>>()),
        ]
    }
    const KIND: &'static str = "recheck";
    const STEP: &'static str = "recheck";
    fn code(&self) -> Code {
        Recheck::code(self)
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::json!({
            "pods": self.pods, "appeared": self.appeared.len(), "gone": self.gone.len()
        })
    }
    fn human(&self, style: &Style) -> String {
        human::recheck(self, style)
    }
    const UNIT: crate::report::ci::Unit = ("recheck", "rechecks");
    fn cases(&self) -> Vec<crate::report::ci::Case> {
        super::ci::recheck(self)
    }
    fn events(&self, events: &mut Events<'_>) {
        for (change, pods) in [("appeared", &self.appeared), ("gone", &self.gone)] {
            for pod in pods {
                events.emit(
                    PodEvent::EVENT,
                    &PodEvent {
                        change: Some(change.into()),
                        pod: Cow::Borrowed(pod),
                    },
                );
            }
        }
    }
}

/// Reports a discovery (the `discover` step) to the reporter.
pub fn discovered(report: &Report, reporter: &mut Reporter) {
    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Start<'a> {
        source: &'a Source,
    }
    reporter.start::<Report>(
        &Start {
            source: &report.source,
        },
        Work::NONE,
    );
    reporter.finish_step(report);
}

/// What a step does again for pods that appeared (`--follow-new-pods`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Again {
    /// Only on the pods that appeared (fanout: the others were revalidated).
    Newcomers,
    /// On every pod listed now (verify: agreement is a property of the whole fleet).
    Everyone,
}

/// Follows a discovery's pods to the end of a run whose step already ran: when the run lasted
/// at least `recheck_after`, lists the pods again and reports who appeared and who went away
/// (the `recheck` step); with `--follow-new-pods`, runs the step again (`run`) on the pods that
/// appeared (or, for `Again::Everyone`, on every pod) and rechecks, until none appear or
/// [`MAX_FOLLOW_ROUNDS`] rounds have run. Nothing happens after a signal or the deadline.
pub async fn follow_membership(
    ctx: &RunContext,
    found: &Discovered,
    settings: &KubernetesSettings,
    missed: Missed,
    again: Again,
    reporter: &mut Reporter,
    mut run: impl AsyncFnMut(Vec<Target>, &mut Reporter),
) {
    let Some(lister) = &found.lister else {
        return;
    };
    let mut known: Vec<Pod> = found.report.pods.clone();
    let mut window_start = found.started;
    let mut round = 0;
    loop {
        if ctx.stopped().is_some()
            || !worth_rechecking(window_start.elapsed(), settings.recheck_after)
        {
            return;
        }
        round += 1;
        let follow = settings.follow_new_pods && round <= MAX_FOLLOW_ROUNDS;
        #[derive(serde::Serialize, schemars::JsonSchema)]
        struct Start {
            round: u32,
        }
        reporter.start::<Recheck>(&Start { round }, Work::NONE);
        let listed_at = Instant::now();
        let (report, now) =
            recheck(ctx, lister, &known, round, found.started, missed, follow).await;
        let appeared: Vec<Target> = report.appeared.iter().map(Pod::target).collect();
        let followed = report.followed;
        reporter.finish_step(&report);
        let Some(now) = now else {
            return;
        };
        if !followed {
            return;
        }
        let targets = match again {
            Again::Newcomers => appeared,
            Again::Everyone => now.iter().map(Pod::target).collect(),
        };
        known = now;
        window_start = listed_at;
        run(targets, reporter).await;
    }
}
