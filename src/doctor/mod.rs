//! `revalidate doctor`: checks each configured part of a setup (the config, the pods, their
//! build, the previewModeId or the endpoint, Redis and its listeners, CloudFront, Cloudflare, the
//! pages' cache headers, Kubernetes RBAC) and says OK, WARN or FAIL for each, with a hint.
//!
//! Invariants: every check runs at once with short timeouts (no retry), so a healthy fleet is
//! checked in well under two seconds and a dead part costs one timeout, not one per check; a
//! check that cannot run is a line, never an error that ends the command (only bad flags do);
//! the exit code is the worst FAIL's kind ([`Kind`]): a configuration error is 2, a fleet
//! problem 3, a service or credential problem 5; nothing secret is ever in a line (the
//! previewModeId, tokens and passwords are only sent, never described).

mod checks;
mod fleet;
mod human;
mod services;

use crate::exit::{Code, Stop};
use crate::report::{Events, Payload, StepReport, Style};

pub use checks::{Inputs, check_all};

/// How a check came out.
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
#[schemars(rename = "DoctorStatus")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// The part of the setup a check is about, in the order the report lists them.
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
#[schemars(rename = "DoctorPart")]
pub enum Part {
    Config,
    Kubernetes,
    Pods,
    Build,
    Revalidation,
    Cache,
    Redis,
    Agents,
    Cloudfront,
    Cloudflare,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Config => "config",
            Part::Kubernetes => "kubernetes",
            Part::Pods => "pods",
            Part::Build => "build",
            Part::Revalidation => "revalidation",
            Part::Cache => "cache headers",
            Part::Redis => "redis",
            Part::Agents => "agents",
            Part::Cloudfront => "cloudfront",
            Part::Cloudflare => "cloudflare",
        }
    }
}

/// What a FAIL means for the exit code: a setting to fix (2), the fleet (3: pods, builds, the
/// previewModeId, subscribers, cache headers), or a service or its credentials (5: Redis,
/// AWS, Cloudflare, the Kubernetes API and RBAC).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "DoctorKind")]
pub enum Kind {
    Config,
    Fleet,
    Service,
}

impl Kind {
    pub fn code(self) -> Code {
        match self {
            Kind::Config => Code::Usage,
            Kind::Fleet => Code::CellsFailed,
            Kind::Service => Code::ServiceUnavailable,
        }
    }
}

/// One check: one line of the report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DoctorCheck")]
pub struct Check {
    pub part: Part,
    /// What was checked, e.g. `build id`, `get pods/proxy`.
    pub name: String,
    pub status: Status,
    /// What a FAIL here means for the exit code.
    pub kind: Kind,
    /// What was found, in one line.
    pub summary: String,
    /// What to do about it (WARN and FAIL).
    pub hint: Option<String>,
    /// The pods the line names (the odd ones out, the unreachable ones...).
    pub pods: Vec<String>,
}

impl Check {
    pub fn new(part: Part, name: &str, status: Status, kind: Kind, summary: String) -> Check {
        Check {
            part,
            name: name.to_string(),
            status,
            kind,
            summary: crate::secret::redact(&summary).into_owned(),
            hint: None,
            pods: Vec::new(),
        }
    }

    pub fn ok(part: Part, name: &str, kind: Kind, summary: String) -> Check {
        Check::new(part, name, Status::Ok, kind, summary)
    }

    pub fn warn(part: Part, name: &str, kind: Kind, summary: String) -> Check {
        Check::new(part, name, Status::Warn, kind, summary)
    }

    pub fn fail(part: Part, name: &str, kind: Kind, summary: String) -> Check {
        Check::new(part, name, Status::Fail, kind, summary)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Check {
        self.hint = Some(crate::secret::redact(&hint.into()).into_owned());
        self
    }

    pub fn pods(mut self, pods: Vec<String>) -> Check {
        self.pods = pods;
        self
    }
}

/// Checks counted by status.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DoctorTotals")]
pub struct Totals {
    pub ok: usize,
    pub warn: usize,
    pub fail: usize,
}

/// The `doctor` report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DoctorReport")]
pub struct Report {
    /// Every check, by part (in [`Part`]'s order), then in the order they were made.
    pub checks: Vec<Check>,
    pub totals: Totals,
    pub duration_ms: f64,
    pub warnings: Vec<String>,
    /// Set when a signal cut the checks short: those still waiting say so.
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

impl Report {
    pub fn new(mut checks: Vec<Check>, duration: std::time::Duration) -> Report {
        checks.sort_by_key(|c| c.part);
        let mut totals = Totals::default();
        for c in &checks {
            match c.status {
                Status::Ok => totals.ok += 1,
                Status::Warn => totals.warn += 1,
                Status::Fail => totals.fail += 1,
            }
        }
        let mut r = Report {
            checks,
            totals,
            duration_ms: crate::units::millis(duration),
            warnings: Vec::new(),
            stopped: None,
            exit_code: 0,
        };
        r.exit_code = r.code().as_u8();
        r
    }

    /// The worst FAIL's kind, or the signal's; success when nothing FAILs (a WARN does not fail).
    pub fn code(&self) -> Code {
        self.checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .fold(Code::Success, |code, c| code.worst(c.kind.code()))
            .worst(crate::exit::code_for(&crate::exit::Summary {
                stopped: self.stopped,
                ..Default::default()
            }))
    }
}

/// What doctor is about to check, for the `step-start` event.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DoctorStart")]
pub struct Start {
    /// The page the pods are asked for.
    pub path: String,
}

/// A check, as an NDJSON `check` event.
impl Payload for Check {
    const EVENT: &'static str = "check";
}

impl StepReport for Report {
    const KIND: &'static str = "doctor";
    const STEP: &'static str = "doctor";
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
        serde_json::json!({"ok": self.totals.ok, "warn": self.totals.warn, "fail": self.totals.fail})
    }
    fn human(&self, style: &Style) -> String {
        human::render(self, style)
    }
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start>()),
            (Check::EVENT, g.subschema_for::<Check>()),
        ]
    }
    fn events(&self, events: &mut Events<'_>) {
        for c in &self.checks {
            events.emit(Check::EVENT, c);
        }
    }
    const UNIT: crate::report::ci::Unit = ("check", "checks");
    /// One case a check: passed (OK), warned (WARN), failed (FAIL), named `part: check`.
    fn cases(&self) -> Vec<crate::report::ci::Case> {
        use crate::report::ci::{Case, Status as CaseStatus};
        self.checks
            .iter()
            .map(|c| Case {
                status: match c.status {
                    Status::Ok => CaseStatus::Passed,
                    Status::Warn => CaseStatus::Warned,
                    Status::Fail => CaseStatus::Failed,
                },
                message: c.summary.clone(),
                detail: c.hint.clone().unwrap_or_default(),
                ..Case::passed(
                    format!("{}: {}", c.part.name(), c.name),
                    c.status.label().to_ascii_lowercase(),
                )
            })
            .collect()
    }
}

/// Runs every check and hands the report to `reporter`; returns the signal that cut it short.
pub async fn step(inputs: Inputs, reporter: &mut crate::report::Reporter) -> Option<Stop> {
    let started = std::time::Instant::now();
    reporter.start::<Report>(
        &Start {
            path: inputs.path.to_string(),
        },
        crate::report::Work::NONE,
    );
    reporter.show(crate::report::Shown::Spinner("checking".into()));
    let (checks, stopped) = check_all(inputs).await;
    let mut report = Report::new(checks, started.elapsed());
    report.stopped = stopped;
    report.exit_code = report.code().as_u8();
    reporter.finish_step(&report);
    stopped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_fail_decides_the_exit_code() {
        let c = |status, kind| Check::new(Part::Pods, "x", status, kind, String::new());
        let d = std::time::Duration::ZERO;
        assert_eq!(Report::new(vec![], d).code(), Code::Success);
        let warned = Report::new(vec![c(Status::Warn, Kind::Service)], d);
        assert_eq!(warned.code(), Code::Success);
        let fleet = Report::new(vec![c(Status::Fail, Kind::Fleet)], d);
        assert_eq!(fleet.code().as_u8(), 3);
        let both = Report::new(
            vec![c(Status::Fail, Kind::Fleet), c(Status::Fail, Kind::Service)],
            d,
        );
        assert_eq!(both.code().as_u8(), 5);
        assert_eq!(both.totals.fail, 2);
    }
}
