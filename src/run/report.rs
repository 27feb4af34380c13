//! What `run` reports beyond its steps' own reports: the snapshot it took, and the run itself
//! (per path: revalidated, proven on the pods, the CDN cleared or left alone and why, proven at
//! the edge), with the exit code the whole pipeline earns.

use crate::choices::{RunStep, Via};
use crate::exit::{Code, Stop};
use crate::report::{Events, StepReport, Style};
use crate::verify::Verdict;

/// The snapshot: what every pod served before the revalidation, kept in memory as the baseline
/// of the verify steps. Its verdicts are the fleet's state before, not failures.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "RunSnapshotReport")]
pub struct SnapshotReport {
    pub duration_ms: f64,
    pub paths: usize,
    pub pods: usize,
    /// Responses recorded (pages and their variants, on every pod that answered).
    pub recorded: usize,
    /// Pods that did not answer for some path: no change can be shown for them there.
    pub unreachable_pods: Vec<String>,
    /// Paths whose pods already disagreed before the revalidation.
    pub diverged_before: usize,
    /// (path, pod) pages the snapshot's own request generated (`x-nextjs-cache: MISS`): the pod
    /// had not generated the page, so it served the content of now; not counted as content of
    /// before the change (unless no pod had the page).
    #[serde(default)]
    pub first_generated: usize,
    pub warnings: Vec<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

/// What the snapshot is about to fetch (its `step-start` event).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "RunSnapshotStart")]
pub struct SnapshotStart {
    pub paths: usize,
    pub pods: usize,
}

impl StepReport for SnapshotReport {
    const KIND: &'static str = "snapshot";
    const STEP: &'static str = "snapshot";

    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![("step-start", g.subschema_for::<SnapshotStart>())]
    }

    fn code(&self) -> Code {
        match self.stopped {
            Some(Stop::Interrupted) => Code::Interrupted,
            Some(Stop::Terminated) => Code::Terminated,
            _ => Code::Success,
        }
    }
    fn stopped(&self) -> Option<Stop> {
        self.stopped
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::json!({"paths": self.paths, "pods": self.pods, "recorded": self.recorded})
    }
    fn human(&self, style: &Style) -> String {
        super::human::snapshot(self, style)
    }
}

/// Whether a step of the pipeline ran, and if not, why.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StepState {
    pub step: RunStep,
    pub ran: bool,
    /// Why it did not run (not asked for, nothing configured, nothing to do, stopped).
    pub note: Option<String>,
}

/// `--via auto` (or a Redis that under-delivered): the pods were called directly instead.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Fallback {
    pub from: Via,
    pub to: Via,
    pub reason: String,
    /// The paths revalidated directly.
    pub paths: usize,
}

/// What happened to the CDN for one path.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CdnAction {
    /// Cleared (invalidated or purged) without failure.
    Cleared,
    /// Clearing it failed (see the cdn step's report).
    Failed,
    /// Left alone: its pods were not all proven fresh, so clearing the CDN would let it cache a
    /// stale copy again (or, unchanged, there was nothing new to clear; or gone without
    /// --allow-gone).
    LeftAlone,
    /// The cdn step did not run.
    NotRun,
}

/// One path through the pipeline.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PathResult {
    pub path: String,
    /// Pods that regenerated the page (fanout: REVALIDATED; Redis: receivers, or
    /// acknowledgements), out of how many were expected; `None` when not revalidated.
    pub revalidated: Option<(usize, usize)>,
    /// Every pod answered the revalidation with 404 + REVALIDATED: the content was deleted (or
    /// the route does not exist). With --allow-gone the page is proven by its 404 on every pod
    /// and at the edge, and cleared from the CDN; without, it is neither verified nor cleared.
    #[serde(default)]
    pub gone: bool,
    /// The pods' verdict (every variant), when verified.
    pub pods: Option<Verdict>,
    pub cdn: CdnAction,
    /// The edge's verdict (every variant), when verified through --edge.
    pub edge: Option<Verdict>,
    /// The path's result: the worse of the pods' and the edge's.
    pub verdict: Option<Verdict>,
    /// Why it is not fresh, in a sentence (the deciding step's reason).
    pub reason: Option<String>,
}

/// One cache tag through the pipeline: revalidated by the pods (its pages are verified as
/// paths).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct TagResult {
    pub tag: String,
    /// Pods that revalidated the tag (fanout: the tag route answered; Redis: receivers, or
    /// acknowledgements), out of how many were expected; `None` when not revalidated.
    pub revalidated: Option<(usize, usize)>,
}

#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "RunTotals")]
pub struct Totals {
    pub paths: usize,
    pub fresh: usize,
    pub unchanged: usize,
    /// Gone on every pod (counted in `fresh` too when proven by their 404 with --allow-gone).
    #[serde(default)]
    pub gone: usize,
    /// Not fresh: stale, unproven, converged only, or unreachable.
    pub not_fresh: usize,
    pub cdn_cleared: usize,
    pub cdn_left_alone: usize,
}

/// The run: one entry a path, the steps that ran, the fallback taken, the exit code.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "RunReport")]
pub struct Report {
    pub duration_ms: f64,
    /// How the pods were told: direct, redis or both (auto resolved).
    pub via: Via,
    pub steps: Vec<StepState>,
    pub fallback: Option<Fallback>,
    /// Why the CDN was left alone for some paths (absent when it was not).
    pub cdn_left_alone: Option<String>,
    pub edge: Option<String>,
    /// One entry a path, in input order (with tags: the paths revalidated by path, then the
    /// pages the tags regenerate).
    pub paths: Vec<PathResult>,
    /// One entry a cache tag (`--tag`), in input order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagResult>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    /// A failure that ended the pipeline early (Redis, CloudFront, Cloudflare), in a sentence.
    pub error: Option<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    /// The failure's own exit code (`error`), not part of the JSON report.
    #[serde(skip)]
    pub error_code: Option<Code>,
    /// Whether an unchanged page fails the run (`--expect-changed`).
    #[serde(skip)]
    pub expect_changed: bool,
}

impl Report {
    pub fn code(&self) -> Code {
        match self.stopped {
            Some(Stop::Interrupted) => return Code::Interrupted,
            Some(Stop::Terminated) => return Code::Terminated,
            _ => {}
        }
        if let Some(c) = self.error_code {
            return c;
        }
        let unchanged = if self.expect_changed {
            self.totals.unchanged
        } else {
            0
        };
        if self.totals.not_fresh + unchanged > 0 {
            Code::Stale
        } else if self.stopped.is_some() {
            Code::CellsFailed
        } else {
            Code::Success
        }
    }
}

impl StepReport for Report {
    const KIND: &'static str = "run";
    const STEP: &'static str = "run";

    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("path", g.subschema_for::<PathResult>()),
            ("fallback", g.subschema_for::<Fallback>()),
        ]
    }
    /// A `path` event per path (its result across the steps), and the fallback taken.
    fn events(&self, events: &mut Events<'_>) {
        if let Some(f) = &self.fallback {
            events.emit("fallback", f);
        }
        for p in &self.paths {
            events.emit("path", p);
        }
    }

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
        super::human::run(self, style)
    }
    fn cases(&self) -> Vec<crate::report::ci::Case> {
        super::ci::cases(self)
    }
    fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}
