//! The report envelope: what every command's JSON document is, whatever steps it ran.
//!
//! Invariant: the envelope alone holds what every report shares (schema version, command, times,
//! whether the run stopped early, the exit code); each step's report holds only its own findings,
//! so a pipeline of steps is one document with one exit code.

use crate::context::Stop;
use crate::exit::Code;
use crate::{agent, fanout, publish, verify, watch};

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
            StepReport::Publish(_) | StepReport::PublishDryRun(_) => "publish",
            StepReport::Watch(_) => "watch",
            StepReport::Agent(_) => "agent",
        }
    }

    pub fn code(&self) -> Code {
        match self {
            StepReport::Fanout(r) => r.code(),
            StepReport::Verify(r) => r.code(),
            StepReport::FanoutDryRun(_) | StepReport::VerifyDryRun(_) => Code::Success,
            StepReport::Publish(r) => r.code(),
            StepReport::PublishDryRun(_) => Code::Success,
            StepReport::Watch(r) => r.code(),
            StepReport::Agent(r) => r.code(),
        }
    }

    pub fn stopped(&self) -> Option<Stop> {
        match self {
            StepReport::Fanout(r) => r.stopped,
            StepReport::Verify(r) => r.stopped,
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
            StepReport::Publish(r) => serde_json::to_value(&r.totals),
            StepReport::PublishDryRun(d) => Ok(serde_json::json!({"messages": d.messages.len()})),
            StepReport::Watch(r) => serde_json::to_value(&r.totals),
            StepReport::Agent(r) => serde_json::to_value(&r.totals),
        };
        v.expect("totals serialize")
    }
}
