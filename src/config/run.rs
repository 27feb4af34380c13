//! `run`'s settings: which steps, how the pods are told, the edge, and the settings of the steps
//! it chains, as `run` uses them (its own snapshot is the baseline; its own wait).

use std::time::Duration;

use super::layers::Source;
use super::{Config, VerifySettings, defaulted, value};
use crate::choices::{IgnorePreset, RunStep, Via};
use crate::error::ConfigError;

/// `run`'s own settings.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// The steps to run, in pipeline order, each once.
    pub steps: Vec<RunStep>,
    /// Whether the steps were named (`--steps`, env, file): a named step that cannot run is an
    /// error; a default one is left out with a note.
    pub steps_given: bool,
    pub via: Via,
    /// The site through its CDN.
    pub edge: Option<String>,
    pub force_cdn: bool,
    pub wait: Duration,
    /// An unchanged page fails the run (exit 4).
    pub expect_changed: bool,
    /// Whether redis.url was set anywhere (for `--via auto`).
    pub redis_configured: bool,
}

impl Config {
    pub fn run(&self) -> Result<RunSettings, ConfigError> {
        let r = &self.resolved;
        let mut steps: Vec<RunStep> = defaulted(&r.run_steps).into_iter().map(|c| c.0).collect();
        steps.sort();
        steps.dedup();
        if steps.is_empty() {
            return Err(self.bad(
                "run.steps",
                "no step to run; name at least one of revalidate, verify, cdn, edge",
            ));
        }
        let steps_given = r
            .run_steps
            .as_ref()
            .is_some_and(|s| s.source != Source::Default);
        let edge = value(&r.run_edge);
        if steps_given && steps.contains(&RunStep::Edge) && edge.is_none() {
            return Err(ConfigError(
                "the edge step verifies through the site's public URL: add --edge URL (e.g. https://www.example.com), or leave edge out of --steps".into(),
            ));
        }
        Ok(RunSettings {
            steps,
            steps_given,
            via: defaulted(&r.run_via).0,
            edge,
            force_cdn: defaulted(&r.run_force_cdn),
            wait: defaulted(&r.run_wait).0,
            expect_changed: defaulted(&r.verify_expect_changed),
            redis_configured: r
                .redis_url
                .as_ref()
                .is_some_and(|u| u.source != Source::Default),
        })
    }

    /// verify's settings as `run` uses them: its own snapshot is the baseline (verify.baseline
    /// and verify.save are not read), its own `--wait`, and the edge is `--edge`.
    ///
    /// Unless `verify.ignore_presets` is set, the timestamps and nextjs presets apply: `run`
    /// compares each page with itself before its regeneration, and a value rendered per
    /// generation (a date-time, an epoch in a JSON field, the `_rsc` query of an App Router page
    /// regenerated through an RSC request) would otherwise count as a change, and a change is
    /// the evidence of fresh.
    pub fn run_verify(&self) -> Result<VerifySettings, ConfigError> {
        let mut s = self.verify_settings()?;
        if self.resolved.verify_ignore_presets.is_none() {
            s.presets = vec![IgnorePreset::Timestamps, IgnorePreset::Nextjs];
        }
        s.baseline = None;
        s.save = None;
        s.expect_changed = false;
        s.through = None;
        s.wait = None;
        Ok(s)
    }
}
