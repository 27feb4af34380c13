//! cdn: clear the edge once the pods are fresh. CloudFront invalidation (batched within
//! CloudFront's limits, idempotent through deterministic CallerReferences, costed before it is
//! sent, and waited for by its own poller), the on-call views of invalidations (`status`, `list`,
//! `wait`), and purges of caches that take HTTP purges (Varnish, nginx, Squid, Fastly) or
//! Cloudflare's purge-by-URL API.
//!
//! Invariants: nothing is sent before every path and setting is checked and the plan (paths,
//! wildcards, billed paths, cost) is known; the steps never print, they return typed reports and
//! hand progress to their caller; an invalidation is reported `Completed` only when CloudFront
//! says so (in any case), a purge `purged` only on a 200 or 204 (or Cloudflare's `success`), so
//! no step ever claims an edge is clean that it did not see cleaned; a CloudFront or Cloudflare
//! failure names what to fix (the permission, the distribution, the path) and keeps the exit
//! code apart: bad input 2, a service that cannot be used 5, work left undone 3; AWS keys and API
//! tokens are registered secrets from the moment they are read.

pub mod aws;
pub mod cloudflare;
mod human;
pub mod invalidate;
pub mod plan;
pub mod prepare;
pub mod purge;
pub mod variants;
pub mod wait;

use std::collections::BTreeSet;
use std::time::Duration;

pub use plan::{Batch, Plan, Summary, check_build_id};

use crate::config::{CdnSettings, NextData};
use crate::context::RunContext;
use crate::error::{Error, Service};
use crate::exit::Code;
use crate::paths::UrlPath;
use crate::targets::Target;
use crate::transport::{PodRequest, Transport};

/// The service a failure came from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CdnService {
    Aws,
    Cloudflare,
}

impl CdnService {
    fn service(self) -> Service {
        match self {
            CdnService::Aws => Service::Aws,
            CdnService::Cloudflare => Service::Cloudflare,
        }
    }
}

/// What kind of failure ended the work, which decides the exit code.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The credentials may not do this (exit 5).
    AccessDenied,
    /// The service could not be used: no credentials, no answer, an answer nobody expected
    /// (exit 5).
    Unavailable,
    /// The distribution, invalidation or zone named does not exist (exit 2).
    NotFound,
    /// The service refused an input: a path, a batch, a zone id (exit 2).
    BadInput,
    /// A CallerReference was used before for other paths (exit 2).
    ReferenceReused,
}

/// A failure that stopped the work, with what to do about it.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Failure {
    pub service: CdnService,
    pub kind: FailureKind,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn code(&self) -> Code {
        match self.kind {
            FailureKind::AccessDenied | FailureKind::Unavailable => Code::ServiceUnavailable,
            FailureKind::NotFound | FailureKind::BadInput | FailureKind::ReferenceReused => {
                Code::Usage
            }
        }
    }

    /// The exit code of a cdn step that left `undone` things undone, stopped early or not, with
    /// this failure or none: the worse of the two.
    pub fn step_code(
        failure: Option<&Failure>,
        undone: usize,
        stopped: Option<crate::exit::Stop>,
    ) -> Code {
        let c = crate::exit::code_for(&crate::exit::Summary {
            failed_cells: undone,
            stopped,
            ..Default::default()
        });
        failure.map_or(c, |f| c.worst(f.code()))
    }

    /// The same failure as the program's error, for a failure before anything was done.
    pub fn to_error(&self) -> Error {
        match self.code() {
            Code::Usage => Error::Usage {
                message: format!("{}: {}", self.service.service(), self.message),
                hint: self.hint.clone(),
            },
            _ => Error::unavailable(
                self.service.service(),
                self.message.clone(),
                self.hint.clone(),
            ),
        }
    }
}

/// Continuous-integration variables that name a pipeline run and stay the same when one of its
/// jobs is retried (GitHub Actions, GitLab, Buildkite, Azure Pipelines).
pub const CI_RUN_ID_VARS: &[&str] = &[
    "GITHUB_RUN_ID",
    "CI_PIPELINE_ID",
    "BUILDKITE_BUILD_ID",
    "BUILD_BUILDID",
];

/// The run id of every CallerReference, and where it came from: `--run-id` (or env
/// REVALIDATE_RUN_ID, or the config), else a CI run id, else a fresh random one. Never derived
/// from the paths alone: a later invalidation of the same paths (the next edit of the page)
/// would get the first one back from CloudFront and invalidate nothing.
pub fn run_id(given: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> (String, String) {
    if let Some(id) = given {
        return (id.to_string(), "--run-id".into());
    }
    for var in CI_RUN_ID_VARS {
        if let Some(v) = env(var).filter(|v| !v.trim().is_empty()) {
            return (format!("{var}={}", v.trim()), format!("env {var}"));
        }
    }
    let id: String = (0..16)
        .map(|_| char::from(b"0123456789abcdef"[rand::random_range(0..16)]))
        .collect();
    (id, "random: a retry of this command pays again".into())
}

/// Largest page body read to find a build id.
pub(crate) const MAX_BUILD_ID_BODY: usize = 8 << 20;

/// The build ids whose data URLs `--next-data` adds: the one given, the one in
/// `--build-id-file`, or every distinct one the pods' pages carry (a rolling deploy has two, and
/// an edge may hold data URLs of both).
pub async fn build_ids(
    s: &CdnSettings,
    paths: &[UrlPath],
    pods: &[Target],
    ctx: &RunContext,
    transport: &Transport,
) -> Result<Vec<String>, Error> {
    let Some(next) = &s.next_data else {
        return Ok(Vec::new());
    };
    if let NextData::BuildId(id) = next {
        return Ok(vec![id.clone()]);
    }
    if let Some(file) = &s.build_id_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Error::usage(format!(
                "cannot read the build id file {}: {e}",
                file.display()
            ))
        })?;
        let id = text.trim().to_string();
        check_build_id(&id).map_err(|e| Error::usage(format!("{}: {e}", file.display())))?;
        return Ok(vec![id]);
    }
    if pods.is_empty() {
        return Err(Error::usage_with_hint(
            "--next-data auto reads the build id from a pod's page, but no pods are configured",
            "give --pod URL (or pods in the config), --build-id-file .next/BUILD_ID, or the id itself: --next-data BUILD_ID",
        ));
    }
    let page = paths
        .iter()
        .find(|p| !p.is_wildcard() && !p.as_str().starts_with("/_next/"))
        .map_or("/", |p| p.as_str())
        .to_string();
    let re = regex::bytes::Regex::new(crate::nextjs::BUILD_ID).expect("static regex");
    let mut ids = BTreeSet::new();
    let mut ordered = Vec::new();
    let mut problems = Vec::new();
    let re = &re;
    for pod in pods {
        let done = transport
            .call(
                ctx,
                pod,
                || PodRequest::new(http::Method::GET, page.clone()),
                |resp| async move {
                    let status = resp.status;
                    let body = resp.drain(MAX_BUILD_ID_BODY).await?;
                    Ok((Some(status), crate::nextjs::find_build_id(re, &body), None))
                },
                |e| (None, None, Some(e.to_string())),
                |(status, _, _)| status.is_some_and(crate::transport::retryable_status),
            )
            .await;
        match done.result {
            Ok((_, Some(id), _)) => {
                if ids.insert(id.clone()) {
                    ordered.push(id);
                }
            }
            Ok((status, None, err)) => problems.push(format!(
                "{}: {}",
                pod.name,
                err.unwrap_or_else(|| format!(
                    "{} {page} answered {} without a build id",
                    "GET",
                    status.map_or("nothing".to_string(), |s| s.to_string())
                ))
            )),
            Err(stop) => problems.push(format!("{}: {}", pod.name, stop.describe())),
        }
    }
    if !problems.is_empty() {
        return Err(Error::usage_with_hint(
            format!(
                "--next-data auto could not read the build id of every pod (a pod of another build would keep its data URLs cached):\n  {}",
                problems.join("\n  ")
            ),
            "give the build ids: --next-data BUILD_ID, or --build-id-file .next/BUILD_ID",
        ));
    }
    for id in &ordered {
        check_build_id(id).map_err(|e| Error::usage(e.to_string()))?;
    }
    Ok(ordered)
}

/// Sleeps `d`, or less when `until` comes first; `Err` when the run stops or `until` has passed.
pub(crate) async fn pause(
    ctx: &RunContext,
    until: tokio::time::Instant,
    d: Duration,
) -> Result<(), Paused> {
    let now = tokio::time::Instant::now();
    if now >= until {
        return Err(Paused::TimedOut);
    }
    let d = d.min(until - now);
    ctx.sleep(d).await.map_err(Paused::Stopped)
}

/// Why a pause ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Paused {
    TimedOut,
    Stopped(crate::exit::Stop),
}

/// The wait before retry `attempt` (1-based) of a failed call: the poll interval's bounds as a
/// [`crate::context::Backoff`].
pub(crate) fn retry_delay(attempt: u32, poll: crate::config::Poll) -> Duration {
    crate::context::Backoff {
        base: poll.min,
        cap: poll.max,
    }
    .delay(attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_come_from_the_flag_then_ci_then_chance() {
        let none = |_: &str| None;
        assert_eq!(run_id(Some("r-1"), &none).0, "r-1");
        let gh = |k: &str| (k == "GITHUB_RUN_ID").then(|| "4242".to_string());
        assert_eq!(
            run_id(None, &gh),
            (
                "GITHUB_RUN_ID=4242".to_string(),
                "env GITHUB_RUN_ID".to_string()
            )
        );
        let (a, src) = run_id(None, &none);
        let (b, _) = run_id(None, &none);
        assert_ne!(a, b, "without a run id every run is its own");
        assert!(src.starts_with("random"), "{src}");
    }

    #[test]
    fn retry_delays_grow_with_jitter_within_the_bounds() {
        let poll = crate::config::Poll {
            min: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for attempt in 1..12 {
            let d = retry_delay(attempt, poll);
            let step = (poll.min * (1 << (attempt - 1))).min(poll.max);
            assert!(d >= step / 2 && d <= step, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn failures_know_their_exit_code() {
        let f = |kind| Failure {
            service: CdnService::Aws,
            kind,
            message: "m".into(),
            hint: Some("h".into()),
        };
        assert_eq!(
            f(FailureKind::AccessDenied).code(),
            Code::ServiceUnavailable
        );
        assert_eq!(f(FailureKind::NotFound).code(), Code::Usage);
        assert_eq!(
            f(FailureKind::ReferenceReused).to_error().exit_code(),
            Code::Usage
        );
        let e = f(FailureKind::Unavailable).to_error();
        assert_eq!(e.render(), "error: AWS: m\nhint: h\n");
    }
}
