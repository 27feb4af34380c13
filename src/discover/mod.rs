//! Discovery: the pods a step will call, found at run time (a Service's EndpointSlices, a label
//! selector's Pods, a headless Service's DNS name), how they are reached, and what changed by
//! the end of the run.
//!
//! A discovery is a step of its own in the report ([`Report`], step `discover`): where it looked,
//! which transport it chose and why, every pod with its address, node, zone and state, and every
//! endpoint it left out with the reason. Fan-out is a snapshot and pods come and go, so a run
//! that lasted longer than a moment lists again at the end ([`recheck`], step `recheck`): pods
//! that appeared missed the revalidation (or the verification), and the report says so with an
//! exit code that is not success, unless `--follow-new-pods` handles them in another round.
//! Invariants: discovery reads the API (or DNS) and never sends anything to a pod; a pod is
//! identified across listings by its uid (else its name and address), so a pod recreated under
//! the same name counts as new; an empty listing is exit 3, never a silent success.

mod ci;
mod human;
mod step;

pub use step::{Again, MAX_FOLLOW_ROUNDS, PodEvent, discovered, follow_membership};

use std::time::{Duration, Instant};

use crate::config::{KubernetesSettings, PodSource};
use crate::context::Limits;
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::Code;
use crate::exit::Stop;
use crate::targets::kubernetes::endpoints::{Candidate, Found};
use crate::targets::kubernetes::{self, Cluster, Halt, Query, Via, What};
use crate::targets::{Reach, Target, dns};

/// One pod found, and how it is reached (a [`Target`] plus what was learnt about it).
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Pod {
    pub name: String,
    pub reach: Reach,
    pub namespace: Option<String>,
    pub uid: Option<String>,
    pub address: String,
    pub port: u16,
    pub node: Option<String>,
    pub zone: Option<String>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

impl Pod {
    pub fn target(&self) -> Target {
        Target {
            name: self.name.clone(),
            reach: self.reach.clone(),
        }
    }

    /// Who this pod is across listings.
    fn key(&self) -> (Option<&str>, &str, &str) {
        match &self.uid {
            Some(uid) => (Some(uid), "", ""),
            None => (None, &self.name, &self.address),
        }
    }

    /// `ready`, or what it is instead.
    pub fn state(&self) -> &'static str {
        match (self.ready, self.serving, self.terminating) {
            (true, _, _) => "ready",
            (false, true, true) => "terminating (serving)",
            (false, _, true) => "terminating",
            (false, true, false) => "not ready (serving)",
            (false, false, false) => "not ready",
        }
    }
}

/// An endpoint or pod not called, and why.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[schemars(rename = "DiscoverSkipped")]
pub struct Skipped {
    pub name: String,
    pub address: Option<String>,
    pub reason: String,
}

/// Where the pods were looked for.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[schemars(rename = "DiscoverSource")]
pub enum Source {
    Service {
        namespace: String,
        name: String,
        /// The Service port chosen (its name, or its number when unnamed).
        port: Option<String>,
    },
    Selector {
        namespace: String,
        selector: String,
        port: Option<String>,
    },
    Dns {
        name: String,
        port: u16,
    },
    /// `--pod`, `--pods-file`: listed, not discovered.
    Static,
}

impl Source {
    /// "Service web/web", for people.
    pub fn describe(&self) -> String {
        match self {
            Source::Service {
                namespace, name, ..
            } => format!("Service {namespace}/{name}"),
            Source::Selector {
                namespace,
                selector,
                ..
            } => format!("pods {selector} in {namespace}"),
            Source::Dns { name, port } => format!("DNS {name}:{port}"),
            Source::Static => "the pods listed".into(),
        }
    }
}

/// The transport the pods are reached through, and why it was chosen.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Transport {
    pub kind: Via,
    pub reason: String,
}

/// The `discover` step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DiscoverReport")]
pub struct Report {
    pub duration_ms: f64,
    pub source: Source,
    /// The kubeconfig context used (none in a cluster or for DNS).
    pub context: Option<String>,
    /// The API server's URL.
    pub server: Option<String>,
    pub transport: Option<Transport>,
    /// The pods the next steps call, sorted by name.
    pub pods: Vec<Pod>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    /// `revalidate pods` shows every pod; a pipeline of steps only the summary.
    #[serde(skip)]
    pub table: bool,
}

impl Report {
    /// Stopped: as any step; no pod to call: exit 3 (there is nothing to revalidate, and saying
    /// success would be a wrong "done").
    pub fn code(&self) -> Code {
        if self.stopped.is_some() {
            crate::exit::code_for(&crate::exit::Summary {
                stopped: self.stopped,
                ..Default::default()
            })
        } else if self.pods.is_empty() {
            Code::CellsFailed
        } else {
            Code::Success
        }
    }

    pub fn targets(&self) -> Vec<Target> {
        self.pods.iter().map(Pod::target).collect()
    }
}

/// What a step did with the pods of a discovery, for the words of a recheck.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missed {
    /// fanout: a newcomer was not revalidated (exit 3).
    Revalidation,
    /// verify: a newcomer was not verified, so freshness is not proven (exit 4).
    Verification,
}

impl Missed {
    fn words(self) -> &'static str {
        match self {
            Missed::Revalidation => "missed the revalidation",
            Missed::Verification => "was not verified",
        }
    }

    fn code(self) -> Code {
        match self {
            Missed::Revalidation => Code::CellsFailed,
            Missed::Verification => Code::Stale,
        }
    }
}

/// The `recheck` step's report: the pods listed again at the end of a run.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "DiscoverRecheck")]
pub struct Recheck {
    /// 1 for the first recheck; each `--follow-new-pods` round adds one.
    pub round: u32,
    pub duration_ms: f64,
    /// How long after the first listing this one started.
    pub after_ms: f64,
    /// Pods listed now.
    pub pods: usize,
    /// Pods that were not there before: they missed the step, unless `followed`.
    pub appeared: Vec<Pod>,
    /// Pods that were there before and are gone now (their failures, if any, are why).
    pub gone: Vec<Pod>,
    /// Whether the next step handles the pods that appeared (`--follow-new-pods`).
    pub followed: bool,
    /// Why the pods could not be listed again (nothing is known about changes then).
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub exit_code: u8,
}

impl Recheck {
    /// Success, or what the missed step would have said of the pods that appeared.
    pub fn code(&self) -> Code {
        match self.exit_code {
            0 => Code::Success,
            4 => Code::Stale,
            _ => Code::CellsFailed,
        }
    }
}

/// How to list the pods again.
#[derive(Clone)]
pub enum Lister {
    Kubernetes {
        cluster: Box<Cluster>,
        query: Query,
        via: Via,
    },
    Dns {
        host: String,
        port: u16,
        family: crate::choices::IpFamily,
    },
}

/// A listing, with reaches.
struct Listing {
    pods: Vec<Pod>,
    skipped: Vec<Skipped>,
    warnings: Vec<String>,
}

impl Lister {
    async fn list(&self, ctx: &RunContext) -> Result<Listing, Halt> {
        match self {
            Lister::Kubernetes {
                cluster,
                query,
                via,
            } => {
                let listed = kubernetes::list(ctx, cluster, query).await?;
                Ok(with_reach(listed.found, *via, Some(&query.namespace)))
            }
            Lister::Dns { host, port, family } => {
                let found = dns::resolve(host, *port, *family)
                    .await
                    .map_err(Halt::Error)?;
                Ok(with_reach(found, Via::Direct, None))
            }
        }
    }
}

fn pod_of(c: &Candidate, reach: Reach, namespace: Option<&str>) -> Pod {
    Pod {
        name: c.name.clone(),
        reach,
        namespace: namespace.map(str::to_string).filter(|_| c.is_pod),
        uid: c.uid.clone(),
        address: c.address.to_string(),
        port: c.port,
        node: c.node.clone(),
        zone: c.zone.clone(),
        ready: c.ready,
        serving: c.serving,
        terminating: c.terminating,
    }
}

fn with_reach(found: Found, via: Via, namespace: Option<&str>) -> Listing {
    let mut skipped: Vec<Skipped> = found
        .skipped
        .into_iter()
        .map(|s| Skipped {
            name: s.name,
            address: s.address,
            reason: s.reason,
        })
        .collect();
    let mut pods = Vec::new();
    for c in &found.pods {
        match via.reach(namespace.unwrap_or(""), c) {
            Some(reach) => pods.push(pod_of(c, reach, namespace)),
            None => skipped.push(Skipped {
                name: c.name.clone(),
                address: Some(c.address.to_string()),
                reason: format!(
                    "no pod stands behind this endpoint (no targetRef), so {} cannot reach it; --transport direct can",
                    via.name()
                ),
            }),
        }
    }
    Listing {
        pods,
        skipped,
        warnings: found.warnings,
    }
}

/// A finished discovery: its report, and how to list again (and to reach the pods).
pub struct Discovered {
    pub report: Report,
    pub lister: Option<Lister>,
    pub cluster: Option<Cluster>,
    /// When the first listing started (a recheck says how long after).
    pub started: Instant,
}

/// Finds the pods of a Service, a selector or a DNS name; never for static sources. Errors are
/// the command's (exit 2 for bad input, exit 5 for an API server that fails); a stop (signal,
/// deadline) is in the report.
pub async fn discover(
    ctx: &RunContext,
    source: &PodSource,
    s: &KubernetesSettings,
    limits: &Limits,
) -> Result<Discovered, Error> {
    let started = Instant::now();
    let report = Report {
        duration_ms: 0.0,
        source: Source::Static,
        context: None,
        server: None,
        transport: None,
        pods: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        stopped: None,
        exit_code: 0,
        table: false,
    };
    match source {
        PodSource::Static(_) => Err(Error::unexpected(
            "listed pods (--pod, --pods-file) are read, not discovered",
        )),
        PodSource::Dns { host, port } => discover_dns(ctx, host, *port, s, report, started).await,
        PodSource::Service { name } => {
            let what = What::Service(name.clone());
            discover_kubernetes(ctx, what, s, limits, report, started).await
        }
        PodSource::Selector { selector } => {
            let what = What::Selector(selector.clone());
            discover_kubernetes(ctx, what, s, limits, report, started).await
        }
    }
}

async fn discover_dns(
    ctx: &RunContext,
    host: &str,
    port: u16,
    s: &KubernetesSettings,
    mut report: Report,
    started: Instant,
) -> Result<Discovered, Error> {
    report.source = Source::Dns {
        name: host.to_string(),
        port,
    };
    report.transport = Some(Transport {
        kind: Via::Direct,
        reason: "--dns: the addresses are called directly".into(),
    });
    let lister = Lister::Dns {
        host: host.to_string(),
        port,
        family: s.ip_family,
    };
    match lister.list(ctx).await {
        Ok(listing) => {
            report.pods = listing.pods;
            report.skipped = listing.skipped;
            report.warnings.extend(listing.warnings);
            Ok(finish(report, Some(lister), None, started))
        }
        Err(h) => stopped(report, h, started),
    }
}

async fn discover_kubernetes(
    ctx: &RunContext,
    what: What,
    s: &KubernetesSettings,
    limits: &Limits,
    mut report: Report,
    started: Instant,
) -> Result<Discovered, Error> {
    let cluster = Cluster::connect(s, limits).await?;
    let namespace = s
        .namespace
        .clone()
        .unwrap_or_else(|| cluster.default_namespace.clone());
    report.context = cluster.place.context.clone();
    report.server = Some(cluster.place.server.clone());
    let query = Query {
        namespace,
        what,
        port: s.port.clone(),
        family: s.ip_family,
        include_not_ready: s.include_not_ready,
    };
    let listed = match kubernetes::list(ctx, &cluster, &query).await {
        Ok(l) => l,
        Err(h) => return stopped(report, h, started),
    };
    report.source = match &query.what {
        What::Service(name) => Source::Service {
            namespace: query.namespace.clone(),
            name: name.clone(),
            port: listed.port.clone(),
        },
        What::Selector(selector) => Source::Selector {
            namespace: query.namespace.clone(),
            selector: selector.clone(),
            port: listed.port.clone(),
        },
    };
    if listed.found.pods.is_empty() {
        // Nothing to reach: no transport to choose, and the report says why.
        let listing = with_reach(listed.found, Via::Direct, Some(&query.namespace));
        report.skipped = listing.skipped;
        report.warnings = listing.warnings;
        return Ok(finish(report, None, Some(cluster), started));
    }
    let chosen = match kubernetes::choose(ctx, &cluster, s.transport, &query.namespace).await {
        Ok(c) => c,
        Err(h) => return stopped(report, h, started),
    };
    report.transport = Some(Transport {
        kind: chosen.via,
        reason: chosen.reason,
    });
    report.warnings.extend(chosen.warnings);
    let listing = with_reach(listed.found, chosen.via, Some(&query.namespace));
    report.pods = listing.pods;
    report.skipped = listing.skipped;
    report.warnings.extend(listing.warnings);
    let lister = Lister::Kubernetes {
        cluster: Box::new(cluster.clone()),
        query,
        via: chosen.via,
    };
    Ok(finish(report, Some(lister), Some(cluster), started))
}

/// What people should know about verify through pods/proxy.
pub const PROXY_HTML_NOTE: &str = "apiserver-proxy rewrites HTML (links get the per-pod proxy prefix, start tags are re-serialised): verify ignores the prefix so pods compare with each other, but bodies differ from what the pods serve directly, so a baseline taken through another transport cannot be compared";

/// The `--ignore` pattern verify adds for pods reached through pods/proxy: the per-pod prefix
/// the API server writes into HTML links.
pub const PROXY_PREFIX_PATTERN: &str =
    r"/api/v1/namespaces/[a-z0-9-]+/pods/[a-z0-9.-]+(?::[0-9]+)?/proxy";

fn finish(
    mut report: Report,
    lister: Option<Lister>,
    cluster: Option<Cluster>,
    started: Instant,
) -> Discovered {
    report.duration_ms = crate::units::millis(started.elapsed());
    report.exit_code = report.code().as_u8();
    Discovered {
        report,
        lister,
        cluster,
        started,
    }
}

fn stopped(mut report: Report, h: Halt, started: Instant) -> Result<Discovered, Error> {
    match h {
        Halt::Stop(stop) => {
            report.stopped = Some(stop);
            Ok(finish(report, None, None, started))
        }
        Halt::Error(e) => Err(e),
        // Every listing names its failures itself; an answer left unread is still exit 5.
        Halt::Api(e) => Err(Error::unavailable(
            crate::error::Service::Kubernetes,
            kubernetes::access::describe(&e),
            None,
        )),
    }
}

/// The pods of a command: listed (`--pod`, `--pods-file`) or discovered.
pub enum Pods {
    /// Listed; `cluster` is set when some are reached through the API server (a pods file
    /// piped from `revalidate pods -o json`).
    Listed {
        targets: Vec<Target>,
        cluster: Option<Cluster>,
    },
    Discovered(Box<Discovered>),
}

impl Pods {
    pub fn targets(&self) -> Vec<Target> {
        match self {
            Pods::Listed { targets, .. } => targets.clone(),
            Pods::Discovered(d) => d.report.targets(),
        }
    }

    pub fn cluster(&self) -> Option<&Cluster> {
        match self {
            Pods::Listed { cluster, .. } => cluster.as_ref(),
            Pods::Discovered(d) => d.cluster.as_ref(),
        }
    }

    /// `base` with the API-server transports when the pods need them.
    pub fn transport(
        &self,
        base: crate::transport::Transport,
        limits: &Limits,
    ) -> crate::transport::Transport {
        match self.cluster() {
            Some(c) => base.with_kubernetes(c.client.clone(), &c.place.server, limits),
            None => base,
        }
    }
}

/// Finds the pods of a command: reads the listed ones (`allow_none`: none is not an error, for
/// verify --through alone) or discovers them.
pub async fn find(
    ctx: &RunContext,
    source: &PodSource,
    s: &KubernetesSettings,
    limits: &Limits,
    allow_none: bool,
) -> Result<Pods, Error> {
    let spec = match source {
        PodSource::Static(spec) => spec,
        _ => {
            return Ok(Pods::Discovered(Box::new(
                discover(ctx, source, s, limits).await?,
            )));
        }
    };
    let targets = match crate::targets::from_spec(spec) {
        Ok(t) => t,
        Err(crate::targets::TargetsError::None) if allow_none => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let cluster = if targets.iter().any(|t| t.reach.needs_kubernetes()) {
        Some(Cluster::connect(s, limits).await?)
    } else {
        None
    };
    Ok(Pods::Listed { targets, cluster })
}

/// The report `revalidate pods` prints for listed pods (nothing was discovered).
pub fn listed_report(targets: &[Target]) -> Report {
    let pods = targets
        .iter()
        .map(|t| {
            let (namespace, address, port) = match &t.reach {
                Reach::Direct { base } => {
                    let url = reqwest::Url::parse(base).ok();
                    (
                        None,
                        url.as_ref()
                            .and_then(|u| u.host_str().map(str::to_string))
                            .unwrap_or_default(),
                        url.and_then(|u| u.port_or_known_default()).unwrap_or(0),
                    )
                }
                Reach::ApiServerProxy {
                    namespace, port, ..
                }
                | Reach::PortForward {
                    namespace, port, ..
                } => (Some(namespace.clone()), String::new(), *port),
            };
            Pod {
                name: t.name.clone(),
                reach: t.reach.clone(),
                namespace,
                uid: None,
                address,
                port,
                node: None,
                zone: None,
                ready: true,
                serving: true,
                terminating: false,
            }
        })
        .collect();
    let mut report = Report {
        duration_ms: 0.0,
        source: Source::Static,
        context: None,
        server: None,
        transport: None,
        pods,
        skipped: Vec::new(),
        warnings: Vec::new(),
        stopped: None,
        exit_code: 0,
        table: true,
    };
    report.exit_code = report.code().as_u8();
    report
}

/// Which pods of `after` were not in `before`, and which of `before` are not in `after`.
pub fn diff(before: &[Pod], after: &[Pod]) -> (Vec<Pod>, Vec<Pod>) {
    let appeared = after
        .iter()
        .filter(|a| !before.iter().any(|b| b.key() == a.key()))
        .cloned()
        .collect();
    let gone = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.key() == b.key()))
        .cloned()
        .collect();
    (appeared, gone)
}

/// Lists the pods again and says what changed since `before` (the pods the run called).
/// `follow`: the pods that appeared will be handled by another round of the step.
pub async fn recheck(
    ctx: &RunContext,
    lister: &Lister,
    before: &[Pod],
    round: u32,
    since: Instant,
    missed: Missed,
    follow: bool,
) -> (Recheck, Option<Vec<Pod>>) {
    let mut now = None;
    let started = Instant::now();
    let after_ms = crate::units::millis(started.duration_since(since));
    let mut r = Recheck {
        round,
        duration_ms: 0.0,
        after_ms,
        pods: 0,
        appeared: Vec::new(),
        gone: Vec::new(),
        followed: false,
        error: None,
        warnings: Vec::new(),
        exit_code: 0,
    };
    match lister.list(ctx).await {
        Ok(listing) => {
            let (appeared, gone) = diff(before, &listing.pods);
            r.pods = listing.pods.len();
            r.followed = follow && !appeared.is_empty();
            for p in &appeared {
                r.warnings.push(format!(
                    "{} ({}) appeared during the run and {}{}",
                    p.name,
                    p.address,
                    missed.words(),
                    if follow {
                        "; it is handled now (--follow-new-pods)"
                    } else {
                        "; run again, or use --follow-new-pods"
                    }
                ));
            }
            for p in &gone {
                r.warnings.push(format!(
                    "{} ({}) went away during the run",
                    p.name, p.address
                ));
            }
            r.appeared = appeared;
            r.gone = gone;
            now = Some(listing.pods);
        }
        Err(Halt::Stop(_)) => {
            r.error = Some("stopped before the pods could be listed again".into());
        }
        Err(Halt::Error(e)) => {
            let text = crate::secret::redact(&e.to_string()).into_owned();
            r.warnings.push(format!(
                "could not list the pods again, so pods that appeared during the run are not known: {text}"
            ));
            r.error = Some(text);
        }
        Err(Halt::Api(e)) => {
            let text = kubernetes::access::describe(&e);
            r.warnings.push(format!(
                "could not list the pods again, so pods that appeared during the run are not known: {text}"
            ));
            r.error = Some(text);
        }
    }
    r.duration_ms = crate::units::millis(started.elapsed());
    let code = if !r.appeared.is_empty() && !r.followed {
        missed.code()
    } else {
        Code::Success
    };
    r.exit_code = code.as_u8();
    (r, now)
}

/// Whether a run that took `took` should list again (`recheck_after`: the moment).
pub fn worth_rechecking(took: Duration, recheck_after: Duration) -> bool {
    took >= recheck_after
}

#[cfg(test)]
mod tests;
