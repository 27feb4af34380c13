//! The checks of every configured part, run at once: the settings read here, the fleet's checks
//! in [`super::fleet`], the services' in [`super::services`]. Every answer (or silence) becomes a
//! [`Check`]. Nothing here prints; nothing here fails the command: a part that cannot be checked
//! is a FAIL line saying why.

use std::time::Duration;

use super::fleet::fleet;
use super::services::{cloudflare, cloudfront, rbac, redis_checks, redis_probe};
use super::{Check, Kind, Part};
use crate::config::Config;
use crate::context::{Limits, RunContext};
use crate::error::Error;
use crate::exit::{Code, Stop};
use crate::fanout;
use crate::paths::UrlPath;

/// The longest any one check waits for an answer: a dead part costs this, once.
pub const CHECK_TIMEOUT: Duration = Duration::from_millis(1500);
/// The most of a page read to find its build id.
pub(super) const MAX_PAGE: usize = 4 << 20;

/// What doctor checks: the configuration as loaded (an error is a line of the report, not the
/// end of the command) and the page the pods are asked for.
pub struct Inputs {
    pub config: Result<Config, Error>,
    pub path: UrlPath,
}

/// The kind of a FAIL caused by `e`: configuration (2), service (5), else the fleet's (3).
fn kind_of(e: &Error) -> Kind {
    match e.exit_code() {
        Code::Usage => Kind::Config,
        Code::ServiceUnavailable => Kind::Service,
        _ => Kind::Fleet,
    }
}

/// A check that failed with an error, with the error's hint.
pub(super) fn failed(part: Part, name: &str, e: &Error) -> Check {
    let c = Check::fail(part, name, kind_of(e), e.to_string());
    match e.hint() {
        Some(h) => c.hint(h),
        None => c,
    }
}

fn config_failed(name: &str, e: impl std::fmt::Display) -> Check {
    Check::fail(Part::Config, name, Kind::Config, e.to_string())
        .hint("fix the value named (`revalidate config` shows every value and where it came from)")
}

/// Runs every check of the configured parts, at once; with the signal that cut them short.
pub async fn check_all(inputs: Inputs) -> (Vec<Check>, Option<Stop>) {
    let config = match inputs.config {
        Ok(c) => c,
        Err(e) => return (vec![failed(Part::Config, "load", &e)], None),
    };
    let mut checks = vec![Check::ok(
        Part::Config,
        "load",
        Kind::Config,
        format!(
            "{}; profile {}",
            config.file.as_ref().map_or(
                "no config file (flags, env and defaults)".to_string(),
                |f| { format!("{} parsed", f.display()) }
            ),
            config.profile.as_deref().unwrap_or("none")
        ),
    )];
    let limits = match config.limits() {
        Ok(l) => Limits {
            timeout: l.timeout.min(CHECK_TIMEOUT),
            retries: 0,
            ..l
        },
        Err(e) => {
            checks.push(config_failed("limits", e));
            return (checks, None);
        }
    };
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();

    // Each part's settings: a bad one is a config line, and that part is not checked.
    let mut settings_ok = true;
    let mut read = |name: &str, r: Result<(), String>| {
        if let Err(e) = r {
            settings_ok = false;
            checks.push(config_failed(name, e));
        }
    };
    let source = config.pod_source();
    read(
        "pods",
        source.as_ref().map(|_| ()).map_err(|e| e.to_string()),
    );
    let kubernetes = config.kubernetes();
    read(
        "kubernetes",
        kubernetes.as_ref().map(|_| ()).map_err(|e| e.to_string()),
    );
    let plan = config.fanout().map_err(|e| e.to_string()).and_then(|s| {
        fanout::Plan::build(&s, vec![inputs.path.clone()], Vec::new(), Vec::new())
            .map_err(|e| e.to_string())
    });
    // Without pods nothing is revalidated: how it would be is not checked either.
    let no_pods = matches!(&source, Ok(crate::config::PodSource::Static(spec))
        if matches!(crate::targets::from_spec(spec), Err(crate::targets::TargetsError::None)));
    if !no_pods {
        read(
            "revalidation",
            plan.as_ref().map(|_| ()).map_err(Clone::clone),
        );
    }
    let run = config.run();
    read("run", run.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let cdn = config.cdn();
    read("cdn", cdn.as_ref().map(|_| ()).map_err(|e| e.to_string()));
    let redis_configured = run.as_ref().is_ok_and(|r| r.redis_configured);
    let redis = if redis_configured {
        // Its own timeouts, as short as every other check's.
        let settings = config.redis().map(|mut s| {
            s.timeout = s.timeout.min(CHECK_TIMEOUT);
            s
        });
        let built = settings.map_err(Error::from).and_then(|s| {
            crate::redis::Redis::build(&s, &|name| std::env::var(name).ok()).map_err(Error::from)
        });
        let channel = config.watch_channel().map_err(Error::from);
        match (built, channel) {
            (Ok(r), Ok(c)) => Some((r, c)),
            (Err(e), _) | (_, Err(e)) => {
                checks.push(failed(Part::Config, "redis", &e));
                None
            }
        }
    } else {
        None
    };
    let expect_subscribers = config.publish().ok().and_then(|p| p.expect_subscribers);
    if settings_ok {
        checks[0].summary.push_str("; every setting is valid");
    }

    let fleet = async {
        match (&source, &kubernetes) {
            (Ok(source), Ok(k8s)) => {
                fleet(&ctx, source, k8s, &limits, plan.as_ref().ok(), &inputs.path).await
            }
            _ => (Vec::new(), super::fleet::Seen::default()),
        }
    };
    let rbac = async {
        match (&source, &kubernetes) {
            (Ok(source), Ok(k8s)) => rbac(source, k8s, &limits).await,
            _ => Vec::new(),
        }
    };
    let redis_probe = async {
        match &redis {
            Some((r, channel)) => Some(redis_probe(r, channel).await),
            None => None,
        }
    };
    let cloudfront = async {
        match &cdn {
            Ok(s) if s.distribution.is_some() => cloudfront(&config, s, &limits).await,
            _ => Vec::new(),
        }
    };
    let cloudflare = async {
        match &cdn {
            Ok(s) if s.cloudflare.is_some() => cloudflare(s, &limits).await,
            _ => Vec::new(),
        }
    };
    let ((fleet_checks, seen), rbac_checks, probe, cf_checks, cl_checks) =
        tokio::join!(fleet, rbac, redis_probe, cloudfront, cloudflare);
    checks.extend(rbac_checks);
    checks.extend(fleet_checks);
    if let (Some(probe), Some((r, channel))) = (probe, &redis) {
        checks.extend(redis_checks(probe, r, channel, &seen, expect_subscribers));
    }
    checks.extend(cf_checks);
    checks.extend(cl_checks);
    // A signal stops the checks still waiting (each says so); the report is partial.
    (checks, ctx.observed_stop())
}

/// "pod-1, pod-2" (at most eight, then how many more).
pub(super) fn named(pods: &[String]) -> String {
    let mut s = pods.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if pods.len() > 8 {
        s.push_str(&format!(" and {} more", pods.len() - 8));
    }
    s
}
