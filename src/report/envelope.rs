//! The report envelope: what every command's JSON document is, whatever steps it ran.
//!
//! Invariant: the envelope alone holds what every report shares (schema version, command, times,
//! whether the run stopped early, the exit code); each step's report holds only its own findings,
//! so a pipeline of steps is one document with one exit code.

use crate::discover;
use crate::exit::Code;
use crate::exit::Stop;
use crate::{agent, cdn, fanout, publish, verify, watch};

/// One command's JSON document.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Envelope {
    pub schema_version: u32,
    pub command: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub dry_run: bool,
    /// The steps' reports, in the order they ran.
    pub steps: Vec<StepReport>,
    /// Set when the command stopped early (a signal or --deadline): the report is partial.
    pub stopped: Option<Stop>,
    pub exit_code: u8,
}

/// One step's report, tagged by its step.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum StepReport {
    Fanout(fanout::Report),
    Verify(verify::Report),
    FanoutDryRun(fanout::DryRun),
    VerifyDryRun(verify::DryRun),
    /// The pods found in Kubernetes or DNS, before the steps that call them.
    Discover(discover::Report),
    /// The pods listed again at the end of a run: who appeared, who went away.
    Recheck(discover::Recheck),
    // cdn
    CdnInvalidate(cdn::invalidate::Report),
    CdnInvalidateDryRun(cdn::invalidate::DryRun),
    CdnStatus(cdn::wait::StatusReport),
    CdnPurge(cdn::purge::Report),
    CdnPurgeDryRun(cdn::purge::DryRun),
    // Redis steps (issue 8).
    Publish(publish::Report),
    PublishDryRun(publish::DryRun),
    Watch(watch::Report),
    Agent(agent::Report),
}

impl StepReport {
    /// The step's name, as NDJSON events carry it.
    pub fn step(&self) -> &'static str {
        match self {
            StepReport::Fanout(_) | StepReport::FanoutDryRun(_) => "fanout",
            StepReport::Verify(_) | StepReport::VerifyDryRun(_) => "verify",
            StepReport::Discover(_) => "discover",
            StepReport::Recheck(_) => "recheck",
            StepReport::CdnInvalidate(_) | StepReport::CdnInvalidateDryRun(_) => "cdn-invalidate",
            StepReport::CdnStatus(_) => "cdn-status",
            StepReport::CdnPurge(_) | StepReport::CdnPurgeDryRun(_) => "cdn-purge",
            StepReport::Publish(_) | StepReport::PublishDryRun(_) => "publish",
            StepReport::Watch(_) => "watch",
            StepReport::Agent(_) => "agent",
        }
    }

    pub fn code(&self) -> Code {
        match self {
            StepReport::Fanout(r) => r.code(),
            StepReport::Verify(r) => r.code(),
            StepReport::Discover(r) => r.code(),
            StepReport::Recheck(r) => r.code(),
            StepReport::CdnInvalidate(r) => r.code(),
            StepReport::CdnStatus(r) => r.code(),
            StepReport::CdnPurge(r) => r.code(),
            StepReport::Publish(r) => r.code(),
            StepReport::Watch(r) => r.code(),
            StepReport::Agent(r) => r.code(),
            StepReport::PublishDryRun(_) => Code::Success,
            StepReport::FanoutDryRun(_)
            | StepReport::VerifyDryRun(_)
            | StepReport::CdnInvalidateDryRun(_)
            | StepReport::CdnPurgeDryRun(_) => Code::Success,
        }
    }

    pub fn stopped(&self) -> Option<Stop> {
        match self {
            StepReport::Fanout(r) => r.stopped,
            StepReport::Verify(r) => r.stopped,
            StepReport::Discover(r) => r.stopped,
            StepReport::CdnInvalidate(r) => r.stopped,
            StepReport::CdnStatus(r) => r.stopped,
            StepReport::CdnPurge(r) => r.stopped,
            StepReport::Publish(r) => r.stopped,
            StepReport::Watch(r) => r.stopped,
            _ => None,
        }
    }

    pub fn warnings(&self) -> &[String] {
        match self {
            StepReport::Fanout(r) => &r.warnings,
            StepReport::Verify(r) => &r.warnings,
            StepReport::FanoutDryRun(d) => &d.warnings,
            StepReport::VerifyDryRun(d) => &d.warnings,
            StepReport::Discover(r) => &r.warnings,
            StepReport::Recheck(r) => &r.warnings,
            StepReport::CdnInvalidate(r) => &r.warnings,
            StepReport::CdnInvalidateDryRun(d) => &d.warnings,
            StepReport::CdnStatus(r) => &r.warnings,
            StepReport::CdnPurge(r) => &r.warnings,
            StepReport::CdnPurgeDryRun(d) => &d.warnings,
            StepReport::Publish(r) => &r.warnings,
            StepReport::PublishDryRun(d) => &d.warnings,
            StepReport::Watch(r) => &r.warnings,
            StepReport::Agent(r) => &r.warnings,
        }
    }

    /// The step's totals, for the NDJSON `step-end` event.
    pub fn totals(&self) -> serde_json::Value {
        let v = match self {
            StepReport::Fanout(r) => serde_json::to_value(&r.totals),
            StepReport::Verify(r) => serde_json::to_value(&r.totals),
            StepReport::FanoutDryRun(d) => Ok(serde_json::json!({"requests": d.requests.len()})),
            StepReport::VerifyDryRun(d) => Ok(serde_json::json!({"requests": d.requests.len()})),
            StepReport::Discover(r) => {
                Ok(serde_json::json!({"pods": r.pods.len(), "skipped": r.skipped.len()}))
            }
            StepReport::Recheck(r) => Ok(serde_json::json!({
                "pods": r.pods, "appeared": r.appeared.len(), "gone": r.gone.len()
            })),
            StepReport::CdnInvalidate(r) => serde_json::to_value(&r.totals),
            StepReport::CdnInvalidateDryRun(d) => serde_json::to_value(&d.plan),
            StepReport::CdnStatus(r) => Ok(serde_json::json!({
                "invalidations": r.invalidations.len(),
                "in_progress": r.in_progress.len(),
            })),
            StepReport::CdnPurge(r) => serde_json::to_value(&r.totals),
            StepReport::CdnPurgeDryRun(d) => Ok(serde_json::json!({"requests": d.requests.len()})),
            StepReport::Publish(r) => serde_json::to_value(&r.totals),
            StepReport::PublishDryRun(d) => Ok(serde_json::json!({"messages": d.messages.len()})),
            StepReport::Watch(r) => serde_json::to_value(&r.totals),
            StepReport::Agent(r) => serde_json::to_value(&r.totals),
        };
        v.expect("totals serialize")
    }
}
