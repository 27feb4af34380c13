//! The CI outputs' settings: a JUnit file, and GitHub Actions' job summary and annotations.

use std::path::PathBuf;

use super::{Config, Sourced, value};

/// The outputs CI systems read, beside stdout's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiSettings {
    /// `--junit FILE`.
    pub junit: Option<PathBuf>,
    /// GitHub Actions' outputs: `--github`, else on when `GITHUB_ACTIONS=true`.
    pub github: bool,
    /// Where the job summary is appended: `$GITHUB_STEP_SUMMARY` (none: annotations only).
    pub summary: Option<PathBuf>,
}

impl CiSettings {
    pub fn any(&self) -> bool {
        self.junit.is_some() || self.github
    }
}

impl Config {
    /// `env` is a seam so tests can supply an environment (GitHub's own variables are read here,
    /// not declared as keys: the runner sets them).
    pub fn ci(&self, env: &dyn Fn(&str) -> Option<String>) -> CiSettings {
        let r = &self.resolved;
        let github = value(&r.ci_github)
            .unwrap_or_else(|| env("GITHUB_ACTIONS").is_some_and(|v| v == "true"));
        CiSettings {
            junit: r.ci_junit.as_ref().map(Sourced::path),
            github,
            summary: github
                .then(|| env("GITHUB_STEP_SUMMARY"))
                .flatten()
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        }
    }
}
