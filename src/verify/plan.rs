//! verify's plan: everything it will do, resolved and checked before anything is sent (the
//! criteria, normalisation, baseline, headers, `--through`), the requests each round sends, and
//! what `--dry-run` reports of them.
//!
//! Invariants: building a plan reads files and sends nothing; a plan that could prove nothing
//! (`--through` alone without a check or a baseline) is refused; the requests of a path go out
//! one lane per pod, in path order, so every pod sees the paths in input order.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use regex::bytes::Regex;

use super::{Baselines, Criteria, Normalizer, Snapshot, Variant, Verdict, fetch, human};
use crate::choices::Encoding;
use crate::config::VerifySettings;
use crate::error::ConfigError;
use crate::exit::Code;
use crate::paths::UrlPath;
use crate::report::{Events, StepReport, Style};
use crate::targets::{self, Target};
use crate::transport::header::{self, Header};
use crate::transport::{RequestView, Transport};

/// `--through`: fetch each path through one URL (load balancer or CDN).
#[derive(Clone, Debug)]
pub struct Through {
    pub target: Target,
    /// Requests per path and variant.
    pub samples: u32,
    pub encodings: Vec<Encoding>,
}

impl Through {
    fn per_path(&self) -> usize {
        self.samples as usize * self.encodings.len()
    }
}

/// Everything verify will do, resolved before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub paths: Vec<UrlPath>,
    pub targets: Vec<Target>,
    pub through: Option<Through>,
    pub normalizer: Normalizer,
    pub criteria: Criteria,
    pub etag: bool,
    pub max_body: u64,
    pub headers: Vec<Header>,
    /// What the pods served before (`--baseline`, or `run`'s snapshot), as judging reads it;
    /// shared, not copied, by the plan's clones.
    pub baseline: Option<Arc<Baselines>>,
    pub baseline_file: Option<PathBuf>,
    pub save: Option<PathBuf>,
    pub wait: Option<Duration>,
    /// The variants checked besides the HTML; `None`: every variant each page has.
    pub variants: Option<Vec<Variant>>,
    pub warnings: Vec<String>,
    /// Keep what every pod served in the report ([`Report::snapshot`]), in memory: `run`'s
    /// snapshot before it revalidates.
    pub keep_snapshot: bool,
    /// An unchanged path is no failure (`run` without `--expect-changed`: the page was
    /// regenerated with the content it had).
    pub unchanged_ok: bool,
    /// An unchanged path is final, not waited on (`run` revalidating the pods itself: a page
    /// regenerated before verify starts does not change while it waits).
    pub unchanged_settles: bool,
    /// The criteria of particular paths, instead of `criteria`: `run` proves a page its
    /// revalidation found gone by its 404.
    pub criteria_for: BTreeMap<String, Criteria>,
}

impl Plan {
    /// Resolves normalisation, criteria, baseline and headers. Reads files; sends nothing.
    /// `targets` may be empty only with `--through`, and then a content check or a baseline is
    /// required: identical samples prove nothing.
    pub fn build(
        s: &VerifySettings,
        paths: Vec<UrlPath>,
        targets: Vec<Target>,
    ) -> Result<Plan, ConfigError> {
        let through = match &s.through {
            Some(url) => Some(Through {
                target: targets::parse_spec(&format!("through={url}")).map_err(|e| {
                    ConfigError(format!(
                        "--through {:?}: {e}",
                        crate::secret::mask_userinfo(url)
                    ))
                })?,
                samples: s.samples,
                encodings: s.encodings.clone(),
            }),
            None => None,
        };
        let normalizer = Normalizer::new(&s.presets, &s.ignore, s.select.as_deref())?;
        let regex = match &s.expect_regex {
            Some(re) => Some(
                Regex::new(re).map_err(|e| ConfigError(format!("--expect-regex {re:?}: {e}")))?,
            ),
            None => None,
        };
        let criteria = Criteria {
            status: s.expect_status.unwrap_or(200),
            status_given: s.expect_status.is_some(),
            contains: s.expect_contains.clone(),
            regex,
            expect_changed: s.expect_changed,
            page_checks: Vec::new(),
        };
        if targets.is_empty() && criteria.evidence().is_empty() && s.baseline.is_none() {
            return Err(ConfigError(
                "--through without pods needs a content check (--expect-contains, --expect-regex, --expect-status) or --baseline: identical samples prove nothing, since an edge serving the old page everywhere agrees with itself".into(),
            ));
        }
        let mut warnings = Vec::new();
        let headers = header::parse_all(&s.headers, &mut warnings)?;
        let baseline = match &s.baseline {
            Some(file) => {
                let snap = Snapshot::load(file)?;
                snap.check_compatible(&normalizer, s.etag, file)?;
                if s.expect_changed {
                    let missing: Vec<&str> = paths
                        .iter()
                        .map(UrlPath::as_str)
                        .filter(|p| !snap.paths.contains_key(*p))
                        .collect();
                    if !missing.is_empty() {
                        return Err(ConfigError(format!(
                            "--expect-changed: the baseline {} has no entry for {} (it holds {} paths); take it with `verify --save` over the same paths",
                            file.display(),
                            missing.join(", "),
                            snap.paths.len()
                        )));
                    }
                }
                Some(snap)
            }
            None => None,
        };
        // Pods are named by the baseline: one that names none of this run's pods (another
        // fleet, or every pod replaced since) proves nothing pod by pod.
        let (baseline, criteria) = match baseline {
            Some(snap)
                if !targets.is_empty()
                    && !snap.pods().is_empty()
                    && !targets
                        .iter()
                        .any(|t| snap.pods().contains(t.name.as_str())) =>
            {
                let then: Vec<&str> = snap.pods().into_iter().take(5).collect();
                let more = snap.pods().len().saturating_sub(then.len());
                warnings.push(format!(
                    "the baseline {} names pods {}{}, none of this run's pods ({}): it proves nothing pod by pod, so the paths are judged as without a baseline{}",
                    s.baseline.as_ref().map(|f| f.display().to_string()).unwrap_or_default(),
                    then.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() },
                    targets.iter().take(5).map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                    if criteria.expect_changed { " (--expect-changed has nothing to compare with)" } else { "" },
                ));
                (
                    None,
                    Criteria {
                        expect_changed: false,
                        ..criteria
                    },
                )
            }
            other => (other, criteria),
        };
        // Judging reads only hashes and builds: the file's form is dropped once read.
        let baseline = baseline.map(|snap| Arc::new(Baselines::from_snapshot(&snap)));
        Ok(Plan {
            paths,
            targets,
            through,
            normalizer,
            criteria,
            etag: s.etag,
            max_body: s.max_body,
            headers,
            baseline_file: baseline.as_ref().and(s.baseline.clone()),
            baseline,
            save: s.save.clone(),
            wait: s.wait,
            variants: s.variants.clone(),
            warnings,
            keep_snapshot: false,
            unchanged_ok: false,
            unchanged_settles: false,
            criteria_for: BTreeMap::new(),
        })
    }

    /// What every pod must satisfy for `path`.
    pub fn criteria_of(&self, path: &str) -> &Criteria {
        self.criteria_for.get(path).unwrap_or(&self.criteria)
    }

    /// Whether nothing more is to be waited for on a path of this verdict.
    pub(super) fn settled(&self, v: Verdict) -> bool {
        v.is_settled() || (self.unchanged_settles && v == Verdict::Unchanged)
    }

    /// Whether this variant is checked when a page has it: the page itself always; the others
    /// unless `--variants` leaves them out, or `--etag` (which reads no body to find them).
    pub fn wants(&self, v: Variant) -> bool {
        v == Variant::Html
            || (!self.etag && self.variants.as_ref().is_none_or(|list| list.contains(&v)))
    }

    /// Whether pages are read for the variants they call for.
    pub fn finds_variants(&self) -> bool {
        Variant::ALL
            .iter()
            .any(|v| *v != Variant::Html && self.wants(*v))
    }

    /// Whether a body must be held whole (else it is hashed as it streams).
    pub(super) fn buffered(&self) -> bool {
        self.normalizer.needs_body() || self.criteria.regex.is_some()
    }

    pub(super) fn samples_per_path(&self) -> usize {
        self.through.as_ref().map_or(0, Through::per_path)
    }

    /// Requests one round sends per path.
    pub fn requests_per_path(&self) -> usize {
        self.targets.len() + self.samples_per_path()
    }
}

/// One lane per pod (each in path order), plus one for the edge: the samples of one path go
/// out together, variant by variant, so each lands on whichever pod the balancer picks.
pub(super) fn lanes(plan: &Plan, todo: &[usize]) -> Vec<Vec<fetch::Job>> {
    let mut lanes: Vec<Vec<fetch::Job>> = plan
        .targets
        .iter()
        .enumerate()
        .map(|(t, _)| {
            todo.iter()
                .map(|&p| fetch::Job {
                    path_index: p,
                    slot: t,
                    encoding: None,
                })
                .collect()
        })
        .collect();
    if let Some(th) = &plan.through {
        let mut lane = Vec::new();
        for &p in todo {
            let mut slot = 0;
            for &enc in &th.encodings {
                for _ in 0..th.samples {
                    lane.push(fetch::Job {
                        path_index: p,
                        slot,
                        encoding: Some(enc),
                    });
                    slot += 1;
                }
            }
        }
        lanes.push(lane);
    }
    lanes
}

/// What --dry-run reports: every request verify would send in its first round.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyDryRun")]
pub struct DryRun {
    pub targets: Vec<Target>,
    pub through: Option<String>,
    pub paths: Vec<UrlPath>,
    pub requests: Vec<RequestView>,
    pub warnings: Vec<String>,
}

pub fn dry_run(plan: &Plan, transport: &Transport) -> DryRun {
    let method = if plan.etag { "HEAD" } else { "GET" };
    let given: Vec<(String, String)> = plan
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.shown.clone()))
        .collect();
    let mut requests = Vec::new();
    for job in lanes(plan, &(0..plan.paths.len()).collect::<Vec<_>>())
        .into_iter()
        .flatten()
    {
        let path = &plan.paths[job.path_index];
        let mut headers = vec![(
            "accept-encoding".to_string(),
            job.encoding
                .map_or("gzip, br", Encoding::accept)
                .to_string(),
        )];
        headers.extend(given.iter().cloned());
        requests.push(RequestView {
            path: path.to_string(),
            pod: job.name(plan),
            method: method.to_string(),
            url: crate::secret::mask_query(&crate::secret::redact(
                &transport.url(job.target(plan), path.as_str()),
            )),
            headers,
            body: None,
        });
    }
    // In input order: path, then pod, then samples.
    let order: BTreeMap<&str, usize> = plan
        .paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    requests.sort_by_key(|r| order.get(r.path.as_str()).copied().unwrap_or(usize::MAX));
    DryRun {
        targets: plan.targets.clone(),
        through: plan
            .through
            .as_ref()
            .map(|t| t.target.location().to_string()),
        paths: plan.paths.clone(),
        requests,
        warnings: {
            let mut w = plan.warnings.clone();
            if plan.finds_variants() {
                w.push("the data JSON and RSC payloads a browser also fetches are found in each page's response and fetched after it, so they are not listed".into());
            }
            w
        },
    }
}

impl StepReport for DryRun {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![("request", g.subschema_for::<RequestView>())]
    }
    const KIND: &'static str = "verify-dry-run";
    const STEP: &'static str = "verify";
    fn code(&self) -> Code {
        Code::Success
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::json!({"requests": self.requests.len()})
    }
    fn human(&self, style: &Style) -> String {
        human::verify_dry_run(self, style)
    }
    fn events(&self, events: &mut Events<'_>) {
        for r in &self.requests {
            events.emit("request", r);
        }
    }
}
