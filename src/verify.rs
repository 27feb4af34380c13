//! verify: prove that every pod (and the edge) serves the fresh page.
//!
//! Each (path, pod) body is hashed with BLAKE3 as it streams in (decoded from gzip/br first, so
//! the hash is of content, not of transfer encoding). Per path, pods are grouped by build and, in
//! each build, by hash; the `--expect-*` checks and the baseline decide which pods are stale.
//!
//! A wrong "fresh" is the worst bug this tool can have, so the rules lean one way: a path is
//! `fresh` only when every pod answered, every pod of a build has the same normalised hash, and
//! every check holds on every pod. Pods that disagree without a check to say which side is fresh
//! make the path `stale` (diverged), never fresh. Memory: without normalisation, `--select` or
//! `--expect-regex` bodies are never held whole; with them, each body is held up to --max-body.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use regex::bytes::Regex;
use reqwest::header::HeaderMap;

use crate::cli::{IgnorePreset, VerifyArgs};
use crate::config::{ConfigError, FlagLayer, Resolved};
use crate::fanout::{Header, parse_header};
use crate::http::{Attempt, Engine, Stop, describe_error, retryable_status};
use crate::paths::UrlPath;
use crate::report::{self, SCHEMA_VERSION};
use crate::targets::{self, Target};

/// Replaces what normalisation ignores, so ignored values still leave a mark in the hash.
const TOKEN: &[u8] = b"<ignored>";
/// Backoff of `--wait` rounds: from 250 ms, doubling, to 5 s.
const WAIT_FIRST: Duration = Duration::from_millis(250);
const WAIT_CAP: Duration = Duration::from_secs(5);

/// ISO 8601 date-times (a date alone is content, not a generation stamp, and is kept).
const ISO_DATETIME: &str =
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?\b";
/// Epoch milliseconds as a JSON field value ("ts":1764246059597), years 2001 to 2286.
const EPOCH_MS_FIELD: &str = r#"("[^"\\]{1,64}"\s*:\s*)1\d{12}\b"#;
/// CSP nonces as attributes.
const NONCE_ATTR: &str = r#"nonce=(?:"[^"]*"|'[^']*')"#;
/// Where Next.js pages carry their build id.
const BUILD_ID: &str = r#""buildId":"([A-Za-z0-9_-]{1,64})"|/_next/static/([A-Za-z0-9_-]{1,64})/_(?:buildManifest|ssgManifest)\.js"#;

/// How bodies are made comparable before hashing.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// (pattern, replacement) in order: presets first, then --ignore.
    rules: Vec<(Regex, Vec<u8>)>,
    select: Option<Regex>,
    /// What was asked, for reports and snapshot compatibility.
    pub description: Vec<String>,
}

impl Normalizer {
    pub fn new(
        presets: &[IgnorePreset],
        ignore: &[String],
        select: Option<&str>,
    ) -> Result<Normalizer, ConfigError> {
        let mut n = Normalizer::default();
        let compile = |re: &str, what: &str| {
            Regex::new(re).map_err(|e| {
                ConfigError(format!(
                    "{what} {re:?} is not a valid regular expression: {e}"
                ))
            })
        };
        for p in presets {
            match p {
                IgnorePreset::Timestamps => {
                    n.rules
                        .push((compile(ISO_DATETIME, "preset")?, TOKEN.to_vec()));
                    n.rules.push((
                        compile(EPOCH_MS_FIELD, "preset")?,
                        b"${1}<ignored>".to_vec(),
                    ));
                    n.description.push("preset:timestamps".into());
                }
                IgnorePreset::Nonces => {
                    n.rules.push((
                        compile(NONCE_ATTR, "preset")?,
                        b"nonce=\"<ignored>\"".to_vec(),
                    ));
                    n.description.push("preset:nonces".into());
                }
            }
        }
        for re in ignore {
            n.rules.push((compile(re, "--ignore")?, TOKEN.to_vec()));
            n.description.push(format!("ignore:{re}"));
        }
        if let Some(s) = select {
            let re = compile(s, "--select")?;
            if re.captures_len() < 2 {
                return Err(ConfigError(format!(
                    "--select {s:?} has no capture group: wrap the part to hash in ( )"
                )));
            }
            n.select = Some(re);
            n.description.push(format!("select:{s}"));
        }
        Ok(n)
    }

    /// Whether bodies must be held whole (normalisation or selection needs the entire text).
    pub fn needs_body(&self) -> bool {
        !self.rules.is_empty() || self.select.is_some()
    }

    /// The bytes to hash: the selected part, with ignored matches replaced.
    pub fn apply<'a>(&self, body: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>, String> {
        let mut text: std::borrow::Cow<'a, [u8]> = std::borrow::Cow::Borrowed(body);
        if let Some(sel) = &self.select {
            match sel.captures(body).and_then(|c| c.get(1)) {
                Some(m) => text = std::borrow::Cow::Borrowed(&body[m.range()]),
                None => return Err("--select matched nothing in this body".into()),
            }
        }
        for (re, rep) in &self.rules {
            if let std::borrow::Cow::Owned(o) = re.replace_all(&text, rep.as_slice()) {
                text = std::borrow::Cow::Owned(o);
            }
        }
        Ok(text)
    }
}

/// What every pod must satisfy, beyond agreeing with the others.
#[derive(Clone, Debug)]
pub struct Criteria {
    pub status: u16,
    pub contains: Option<String>,
    pub regex: Option<Regex>,
    pub expect_changed: bool,
}

impl Criteria {
    /// The `expected:` line of a stale path.
    pub fn describe(&self, etag: bool) -> String {
        let mut parts = vec![format!("status {}", self.status)];
        if let Some(c) = &self.contains {
            parts.push(format!("contains {c:?}"));
        }
        if let Some(r) = &self.regex {
            parts.push(format!("matches /{}/", r.as_str()));
        }
        if self.expect_changed {
            parts.push("changed since the baseline".into());
        }
        parts.push(if etag {
            "one ETag per build".into()
        } else {
            "one hash per build".into()
        });
        format!("every pod: {}", parts.join(", "))
    }
}

/// `--through`: fetch each path N times through one URL (load balancer or CDN).
#[derive(Clone, Debug)]
pub struct Through {
    pub target: Target,
    pub samples: u32,
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
    pub baseline: Option<Snapshot>,
    pub baseline_file: Option<PathBuf>,
    pub save: Option<PathBuf>,
    pub wait: Option<Duration>,
}

/// The subcommand's flags as config keys.
pub fn flags(a: &VerifyArgs) -> FlagLayer {
    let presets: Vec<String> = a
        .ignore_preset
        .iter()
        .map(|p| match p {
            IgnorePreset::Timestamps => "timestamps".to_string(),
            IgnorePreset::Nonces => "nonces".to_string(),
        })
        .collect();
    let mut f = FlagLayer::default();
    f.list("pods", &a.targets.pods)
        .path("pods_file", a.targets.pods_file.as_deref())
        .list("verify.ignore", &a.ignore)
        .list("verify.ignore_presets", &presets)
        .str("verify.select", a.select.as_deref())
        .int("verify.max_body", a.max_body.map(|v| v as i64))
        .int("verify.expect_status", a.expect_status.map(i64::from))
        .list("verify.headers", &a.headers)
        .int("verify.samples", a.samples.map(i64::from))
        .duration("verify.wait", a.wait);
    f
}

impl Plan {
    /// Resolves targets, normalisation, criteria, baseline and headers. Reads files; sends nothing.
    pub fn build(
        r: &Resolved,
        a: &VerifyArgs,
        paths: Vec<UrlPath>,
    ) -> Result<Plan, crate::app::Fail> {
        let through = match &a.through {
            Some(url) => {
                let t = targets::parse_spec(&format!("through={url}"))
                    .map_err(|e| ConfigError(format!("--through {url:?}: {e}")))?;
                Some(Through {
                    target: t,
                    samples: r.int("verify.samples")?.unwrap_or(10) as u32,
                })
            }
            None => None,
        };
        let targets = match targets::from_config(r) {
            Ok(t) => t,
            // Through a load balancer alone is a valid check for people without pod access.
            Err(targets::TargetsError::None) if through.is_some() => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let presets: Vec<IgnorePreset> = match r.list("verify.ignore_presets") {
            Some((list, src)) => list
                .iter()
                .map(|p| match p.as_str() {
                    "timestamps" => Ok(IgnorePreset::Timestamps),
                    "nonces" => Ok(IgnorePreset::Nonces),
                    other => Err(ConfigError(format!(
                        "ignore preset {other:?} ({src}) is unknown; known presets: timestamps, nonces"
                    ))),
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let ignore = r.list("verify.ignore").map(|l| l.0).unwrap_or_default();
        let select = r.str("verify.select");
        let normalizer = Normalizer::new(&presets, &ignore, select.as_deref())?;
        if a.etag && normalizer.needs_body() {
            return Err(ConfigError(
                "--etag compares ETags from HEAD requests and cannot normalise; drop --etag or the --ignore/--select settings".into(),
            )
            .into());
        }
        let regex = match &a.expect_regex {
            Some(re) => Some(
                Regex::new(re).map_err(|e| ConfigError(format!("--expect-regex {re:?}: {e}")))?,
            ),
            None => None,
        };
        let criteria = Criteria {
            status: r.int("verify.expect_status")?.unwrap_or(200) as u16,
            contains: a.expect_contains.clone(),
            regex,
            expect_changed: a.expect_changed,
        };
        let mut headers = Vec::new();
        if let Some((list, _)) = r.list("verify.headers") {
            for h in list {
                headers.push(parse_header(&h)?);
            }
        }
        let baseline = match &a.baseline {
            Some(file) => {
                let snap = Snapshot::load(file)?;
                snap.check_compatible(&normalizer, a.etag, file)?;
                if a.expect_changed {
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
                        ))
                        .into());
                    }
                }
                Some(snap)
            }
            None => None,
        };
        Ok(Plan {
            paths,
            targets,
            through,
            normalizer,
            criteria,
            etag: a.etag,
            max_body: r.size("verify.max_body")?.unwrap_or(32 << 20),
            headers,
            baseline,
            baseline_file: a.baseline.clone(),
            save: a.save.clone(),
            wait: r.duration("verify.wait")?,
        })
    }

    /// Whether a body must be held whole (else it is hashed as it streams).
    fn buffered(&self) -> bool {
        self.normalizer.needs_body() || self.criteria.regex.is_some()
    }
}

/// What fetching one (path, pod) cell ended in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchOutcome {
    Fetched,
    Unreachable,
    TooLarge,
    Error,
    Cancelled,
}

/// One fetch: what came back, hashed, and (after evaluation) whether it is fresh.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Fetch {
    pub path: String,
    pub pod: String,
    pub outcome: Option<FetchOutcome>,
    pub status: Option<u16>,
    pub hash: Option<String>,
    pub build_id: Option<String>,
    pub etag: Option<String>,
    pub nextjs_cache: Option<String>,
    pub cache_control: Option<String>,
    pub age: Option<String>,
    pub x_cache: Option<String>,
    pub last_modified: Option<String>,
    pub length: Option<u64>,
    pub latency_ms: f64,
    pub attempts: u32,
    pub contains: Option<bool>,
    pub matches: Option<bool>,
    /// With --baseline: whether this response differs from every hash the baseline holds for
    /// the path (null without a baseline).
    pub changed: Option<bool>,
    pub error: Option<String>,
    /// Set by evaluation: true when this response meets every criterion.
    pub fresh: Option<bool>,
    /// Why this response is not fresh.
    pub problems: Vec<String>,
    #[serde(skip)]
    pub path_index: usize,
    #[serde(skip)]
    pub slot: usize,
    /// A `--through` sample (not a pod): routed by this, never by name, as pods may be named
    /// anything, "through#1" included.
    #[serde(skip)]
    pub sample: bool,
}

/// A path's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Fresh,
    Stale,
    Unreachable,
    MixedBuild,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Fresh => "fresh",
            Verdict::Stale => "stale",
            Verdict::Unreachable => "unreachable",
            Verdict::MixedBuild => "mixed-build",
        }
    }

    /// Done: nothing more to wait for.
    pub fn is_settled(self) -> bool {
        matches!(self, Verdict::Fresh | Verdict::MixedBuild)
    }
}

/// Pods that served the same (normalised) content.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HashGroup {
    pub hash: String,
    pub pods: Vec<String>,
    /// Whether these pods meet every criterion.
    pub fresh: bool,
    pub problems: Vec<String>,
}

/// The pods of one build and how their content groups.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BuildGroup {
    pub build_id: Option<String>,
    pub groups: Vec<HashGroup>,
}

/// Responses through a load balancer or CDN, summarised.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ThroughSummary {
    pub url: String,
    pub samples: usize,
    pub fresh: usize,
    pub stale: usize,
    pub unreachable: usize,
    pub stale_share: f64,
    pub groups: Vec<HashGroup>,
    pub x_cache: BTreeMap<String, usize>,
    pub nextjs_cache: BTreeMap<String, usize>,
    pub age_min: Option<u64>,
    pub age_max: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PathVerdict {
    pub path: String,
    pub verdict: Verdict,
    pub fresh_pods: usize,
    pub total_pods: usize,
    pub stale_pods: Vec<String>,
    pub unreachable_pods: Vec<String>,
    /// Pods of one build serving different content, with no check to say which is fresh.
    pub diverged: bool,
    pub builds: Vec<BuildGroup>,
    pub expected: String,
    pub through: Option<ThroughSummary>,
}

/// Judges one path from its pod fetches and through-samples (marking each fetch fresh or not).
pub fn evaluate(
    path: &str,
    pods: &mut [Fetch],
    samples: &mut [Fetch],
    through_url: Option<&str>,
    criteria: &Criteria,
    baseline: Option<&BTreeSet<String>>,
    etag: bool,
) -> PathVerdict {
    for f in pods.iter_mut().chain(samples.iter_mut()) {
        judge_cell(f, criteria, baseline);
    }
    // A page without a build id joins the only known build (below); with several builds it
    // cannot be placed, so it would be compared with nobody. It is proven only when it serves
    // content that some build's pods serve too (else e.g. a 200 maintenance page passes).
    let fetched = |f: &Fetch| f.outcome == Some(FetchOutcome::Fetched);
    let builds: BTreeSet<&str> = pods
        .iter()
        .filter(|f| fetched(f))
        .filter_map(|f| f.build_id.as_deref())
        .collect();
    if builds.len() > 1 {
        let hashes: BTreeSet<String> = pods
            .iter()
            .filter(|f| fetched(f) && f.build_id.is_some())
            .filter_map(|f| f.hash.clone())
            .collect();
        for f in pods.iter_mut() {
            if fetched(f)
                && f.build_id.is_none()
                && !f.hash.as_ref().is_some_and(|h| hashes.contains(h))
            {
                f.fresh = Some(false);
                f.problems
                    .push("no build id, and content no build's pods serve".into());
            }
        }
    }
    let reachable: Vec<&Fetch> = pods
        .iter()
        .filter(|f| f.outcome == Some(FetchOutcome::Fetched))
        .collect();
    let unreachable_pods: Vec<String> = pods
        .iter()
        .filter(|f| f.outcome != Some(FetchOutcome::Fetched))
        .map(|f| f.pod.clone())
        .collect();

    // Group by build, then by hash.
    let mut by_build: BTreeMap<Option<String>, Vec<&Fetch>> = BTreeMap::new();
    for f in &reachable {
        by_build.entry(f.build_id.clone()).or_default().push(f);
    }
    // Pages without a detectable build id (404 bodies, HEAD in --etag mode) join the only known
    // build when there is exactly one, so they are still compared with everyone else.
    let known: Vec<Option<String>> = by_build.keys().filter(|k| k.is_some()).cloned().collect();
    if known.len() == 1
        && let Some(unknown) = by_build.remove(&None)
    {
        by_build
            .get_mut(&known[0])
            .expect("present")
            .extend(unknown);
    }
    let mut diverged = false;
    let builds: Vec<BuildGroup> = by_build
        .into_iter()
        .map(|(build_id, fs)| {
            let groups = hash_groups(&fs);
            let fresh_groups = groups.iter().filter(|g| g.fresh).count();
            // Two groups that both pass every check mean we cannot prove which content is
            // current (without --expect-* checks, every 200 passes): the path is not fresh.
            if fresh_groups > 1 {
                diverged = true;
            }
            BuildGroup { build_id, groups }
        })
        .collect();
    if diverged {
        for f in pods.iter_mut().filter(|f| f.fresh == Some(true)) {
            f.fresh = Some(false);
            f.problems.push("pods of this build disagree".into());
        }
    }
    let stale_pods: Vec<String> = pods
        .iter()
        .filter(|f| f.outcome == Some(FetchOutcome::Fetched) && f.fresh == Some(false))
        .filter(|f| {
            !diverged
                || !f
                    .problems
                    .iter()
                    .all(|p| p == "pods of this build disagree")
        })
        .map(|f| f.pod.clone())
        .collect();
    let fresh_pods = pods.iter().filter(|f| f.fresh == Some(true)).count();

    // Through samples: fresh when they meet the criteria and, when the pods are settled, match
    // one of the pods' hashes (a CDN serving content no pod serves any more is stale).
    let pod_hashes: BTreeSet<&str> = pods
        .iter()
        .filter(|f| f.fresh == Some(true))
        .filter_map(|f| f.hash.as_deref())
        .collect();
    let pods_settled =
        !pods.is_empty() && !diverged && stale_pods.is_empty() && unreachable_pods.is_empty();
    let through = through_url.map(|url| {
        if pods_settled {
            for s in samples.iter_mut().filter(|s| s.fresh == Some(true)) {
                if !s.hash.as_deref().is_some_and(|h| pod_hashes.contains(h)) {
                    s.fresh = Some(false);
                    s.problems.push("differs from every pod's content".into());
                }
            }
        } else if diverged {
            // Which of the pods' contents is fresh is unknown, so no sample is proven fresh
            // either (else the through table would claim 0% stale).
            for s in samples.iter_mut().filter(|s| s.fresh == Some(true)) {
                s.fresh = Some(false);
                s.problems.push("pods disagree".into());
            }
        }
        let refs: Vec<&Fetch> = samples
            .iter()
            .filter(|s| s.outcome == Some(FetchOutcome::Fetched))
            .collect();
        let groups = hash_groups(&refs);
        let fresh_groups = groups.iter().filter(|g| g.fresh).count();
        if pods.is_empty() && fresh_groups > 1 {
            // No pods to compare with and nothing to tell versions apart: disagreement is stale.
            for s in samples.iter_mut().filter(|s| s.fresh == Some(true)) {
                s.fresh = Some(false);
                s.problems.push("responses disagree".into());
            }
        }
        summarize_through(url, samples)
    });

    let through_stale = through.as_ref().is_some_and(|t| t.stale > 0);
    let through_unreachable = through
        .as_ref()
        .is_some_and(|t| t.unreachable > 0 || t.samples == 0);
    let verdict = if !stale_pods.is_empty() || diverged || through_stale {
        Verdict::Stale
    } else if !unreachable_pods.is_empty()
        || through_unreachable
        || (pods.is_empty() && through.is_none())
    {
        Verdict::Unreachable
    } else if builds.iter().filter(|b| b.build_id.is_some()).count() > 1 {
        Verdict::MixedBuild
    } else {
        Verdict::Fresh
    };
    PathVerdict {
        path: path.to_string(),
        verdict,
        fresh_pods,
        total_pods: pods.len(),
        stale_pods,
        unreachable_pods,
        diverged,
        builds,
        expected: criteria.describe(etag),
        through,
    }
}

/// Marks one fetch fresh or not by the criteria alone (agreement is judged per path).
fn judge_cell(f: &mut Fetch, c: &Criteria, baseline: Option<&BTreeSet<String>>) {
    f.problems.clear();
    if f.outcome != Some(FetchOutcome::Fetched) {
        f.fresh = None;
        return;
    }
    if f.status != Some(c.status) {
        f.problems.push(format!(
            "status {}, expected {}",
            f.status.map_or("none".into(), |s| s.to_string()),
            c.status
        ));
    }
    if let Some(text) = &c.contains
        && f.contains != Some(true)
    {
        f.problems.push(format!("lacks {text:?}"));
    }
    if let Some(re) = &c.regex
        && f.matches != Some(true)
    {
        f.problems.push(format!("does not match /{}/", re.as_str()));
    }
    if let (Some(set), Some(h)) = (baseline, &f.hash) {
        let changed = !set.contains(h);
        f.changed = Some(changed);
        if c.expect_changed && !changed {
            f.problems.push("unchanged since the baseline".into());
        }
    }
    f.fresh = Some(f.problems.is_empty());
}

fn hash_groups(fs: &[&Fetch]) -> Vec<HashGroup> {
    let mut groups: Vec<HashGroup> = Vec::new();
    for f in fs {
        let hash = f.hash.clone().unwrap_or_else(|| "(none)".into());
        match groups.iter_mut().find(|g| g.hash == hash) {
            Some(g) => {
                g.pods.push(f.pod.clone());
                g.fresh &= f.fresh == Some(true);
                for p in &f.problems {
                    if !g.problems.contains(p) {
                        g.problems.push(p.clone());
                    }
                }
            }
            None => groups.push(HashGroup {
                hash,
                pods: vec![f.pod.clone()],
                fresh: f.fresh == Some(true),
                problems: f.problems.clone(),
            }),
        }
    }
    // Largest group first, then by hash, so output is stable.
    groups.sort_by(|a, b| b.pods.len().cmp(&a.pods.len()).then(a.hash.cmp(&b.hash)));
    groups
}

fn summarize_through(url: &str, samples: &[Fetch]) -> ThroughSummary {
    let mut t = ThroughSummary {
        url: url.to_string(),
        samples: samples.len(),
        ..Default::default()
    };
    for s in samples {
        match (s.outcome, s.fresh) {
            (Some(FetchOutcome::Fetched), Some(true)) => t.fresh += 1,
            (Some(FetchOutcome::Fetched), _) => t.stale += 1,
            _ => t.unreachable += 1,
        }
        if let Some(x) = &s.x_cache {
            *t.x_cache.entry(x.clone()).or_default() += 1;
        }
        if let Some(x) = &s.nextjs_cache {
            *t.nextjs_cache.entry(x.clone()).or_default() += 1;
        }
        if let Some(age) = s.age.as_deref().and_then(|a| a.trim().parse::<u64>().ok()) {
            t.age_min = Some(t.age_min.map_or(age, |m| m.min(age)));
            t.age_max = Some(t.age_max.map_or(age, |m| m.max(age)));
        }
    }
    let answered = t.fresh + t.stale;
    t.stale_share = if answered == 0 {
        0.0
    } else {
        (t.stale as f64 / answered as f64 * 1000.0).round() / 1000.0
    };
    let refs: Vec<&Fetch> = samples
        .iter()
        .filter(|s| s.outcome == Some(FetchOutcome::Fetched))
        .collect();
    t.groups = hash_groups(&refs);
    t
}

/// Finds the build id and a needle in a body that arrives in chunks, without holding it whole.
struct Scanner {
    needle: Option<Vec<u8>>,
    found: bool,
    build_id: Option<String>,
    window: Vec<u8>,
    keep: usize,
    build_re: Regex,
}

impl Scanner {
    fn new(needle: Option<&str>, build_re: Regex) -> Scanner {
        let n = needle.map(|s| s.as_bytes().to_vec());
        let keep = n.as_ref().map_or(0, |n| n.len()).max(160);
        Scanner {
            needle: n,
            found: false,
            build_id: None,
            window: Vec::new(),
            keep,
            build_re,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        if self.build_id.is_some() && (self.found || self.needle.is_none()) {
            return;
        }
        let mut buf = std::mem::take(&mut self.window);
        buf.extend_from_slice(chunk);
        if !self.found
            && let Some(n) = &self.needle
            && memchr::memmem::find(&buf, n).is_some()
        {
            self.found = true;
        }
        if self.build_id.is_none() {
            self.build_id = find_build_id(&self.build_re, &buf);
        }
        let start = buf.len().saturating_sub(self.keep);
        self.window = buf[start..].to_vec();
    }
}

fn find_build_id(re: &Regex, body: &[u8]) -> Option<String> {
    let c = re.captures(body)?;
    let m = c.get(1).or_else(|| c.get(2))?;
    Some(String::from_utf8_lossy(m.as_bytes()).into_owned())
}

/// Static parts every fetch needs.
struct Shared {
    plan: Plan,
    engine: Engine,
    build_re: Regex,
}

/// One fetch job: which path, from where, and its slot in the output.
#[derive(Clone)]
struct Job {
    path_index: usize,
    slot: usize,
    target: Target,
    name: String,
    sample: bool,
}

/// Fetches the given jobs; results come back in no particular order.
async fn fetch_all(
    shared: &Arc<Shared>,
    lanes: Vec<Vec<Job>>,
    mut on_fetch: impl FnMut(&Fetch),
) -> Vec<Fetch> {
    let s = shared.clone();
    let mut rx = shared.engine.run_lanes(lanes, move |job: Job| {
        let s = s.clone();
        async move { fetch_one(&s, job).await }
    });
    let mut out = Vec::new();
    while let Some(f) = rx.recv().await {
        on_fetch(&f);
        out.push(f);
    }
    out
}

async fn fetch_one(s: &Shared, job: Job) -> Fetch {
    let path = &s.plan.paths[job.path_index];
    let url = job.target.url_for(path.as_str());
    let method = if s.plan.etag {
        reqwest::Method::HEAD
    } else {
        reqwest::Method::GET
    };
    let timeout = s.engine.limits.timeout;
    let done = s
        .engine
        .attempt(|| {
            let mut headers = HeaderMap::new();
            for h in &s.plan.headers {
                headers.append(h.name.clone(), h.value.clone());
            }
            let rb = s
                .engine
                .client
                .request(method.clone(), &url)
                .headers(headers)
                .timeout(timeout);
            fetch_once(rb, s)
        })
        .await;
    let mut f = match done.result {
        Ok(f) => f,
        Err(stop) => Fetch {
            outcome: Some(FetchOutcome::Cancelled),
            error: Some(stop.describe().into()),
            ..Fetch::default()
        },
    };
    tracing::debug!(
        "{method} {} -> {} in {:.1} ms ({} attempt{}){}",
        crate::secret::redact(&url),
        f.status
            .map_or("no response".to_string(), |s| s.to_string()),
        report::millis(done.latency),
        done.attempts,
        if done.attempts == 1 { "" } else { "s" },
        f.error
            .as_deref()
            .map_or(String::new(), |e| format!(": {e}"))
    );
    f.path = path.to_string();
    f.pod = job.name;
    f.latency_ms = report::millis(done.latency);
    f.attempts = done.attempts;
    f.path_index = job.path_index;
    f.slot = job.slot;
    f.sample = job.sample;
    f
}

async fn fetch_once(rb: reqwest::RequestBuilder, s: &Shared) -> Attempt<Fetch> {
    let mut resp = match rb.send().await {
        Ok(r) => r,
        Err(e) => {
            return Attempt::Retry(Fetch {
                outcome: Some(FetchOutcome::Unreachable),
                error: Some(describe_error(&e)),
                ..Fetch::default()
            });
        }
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut f = Fetch {
        outcome: Some(FetchOutcome::Fetched),
        status: Some(status),
        etag: h("etag"),
        nextjs_cache: h(crate::fanout::NEXTJS_CACHE),
        cache_control: h("cache-control"),
        age: h("age"),
        x_cache: h("x-cache").or_else(|| h("x-cdn-cache")),
        last_modified: h("last-modified"),
        ..Fetch::default()
    };
    let plan = &s.plan;
    if plan.etag {
        let _ = resp.chunk().await;
        f.length = h("content-length").and_then(|l| l.parse().ok());
        match &f.etag {
            // Proxies weaken ETags (W/"…"); the opaque tag is what identifies the body.
            Some(e) => f.hash = Some(e.trim_start_matches("W/").to_string()),
            None => {
                f.outcome = Some(FetchOutcome::Error);
                f.error =
                    Some("no ETag header; --etag needs one (Next.js sends it on pages)".into());
            }
        }
        return finish(f, status);
    }

    let max = plan.max_body;
    let mut hasher = blake3::Hasher::new();
    let mut scanner = Scanner::new(plan.criteria.contains.as_deref(), s.build_re.clone());
    let mut body: Vec<u8> = Vec::new();
    let mut length: u64 = 0;
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                return Attempt::Retry(Fetch {
                    outcome: Some(FetchOutcome::Unreachable),
                    status: Some(status),
                    error: Some(describe_error(&e)),
                    ..Fetch::default()
                });
            }
        };
        length += chunk.len() as u64;
        if length > max {
            f.outcome = Some(FetchOutcome::TooLarge);
            f.length = Some(length);
            f.error = Some(format!(
                "body larger than --max-body {} bytes; stopped reading",
                max
            ));
            return Attempt::Final(f);
        }
        scanner.feed(&chunk);
        if plan.buffered() {
            body.extend_from_slice(&chunk);
        } else {
            hasher.update(&chunk);
        }
    }
    f.length = Some(length);
    f.build_id = scanner.build_id;
    if plan.criteria.contains.is_some() {
        f.contains = Some(scanner.found);
    }
    if plan.buffered() {
        if let Some(re) = &plan.criteria.regex {
            f.matches = Some(re.is_match(&body));
        }
        match plan.normalizer.apply(&body) {
            Ok(norm) => {
                hasher.update(&norm);
            }
            Err(e) => {
                f.outcome = Some(FetchOutcome::Error);
                f.error = Some(e);
                return Attempt::Final(f);
            }
        }
    }
    f.hash = Some(hasher.finalize().to_hex().to_string());
    finish(f, status)
}

fn finish(f: Fetch, status: u16) -> Attempt<Fetch> {
    if retryable_status(status) {
        Attempt::Retry(f)
    } else {
        Attempt::Final(f)
    }
}

/// The finished report.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub command: &'static str,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub targets: Vec<Target>,
    pub through: Option<String>,
    pub samples: u32,
    pub paths: Vec<UrlPath>,
    pub etag_mode: bool,
    pub normalisation: Vec<String>,
    pub expected: String,
    pub baseline: Option<String>,
    pub rounds: u32,
    pub verdicts: Vec<PathVerdict>,
    pub cells: Vec<Fetch>,
    pub through_samples: Vec<Fetch>,
    pub totals: VerifyTotals,
    pub deploy_in_progress: bool,
    pub saved: Option<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    #[serde(skip)]
    pub code: crate::exit::Code,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct VerifyTotals {
    pub paths: usize,
    pub fresh: usize,
    pub stale: usize,
    pub unreachable: usize,
    pub mixed_build: usize,
    pub cells: usize,
    pub unreachable_cells: usize,
}

/// NDJSON events.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event<'a> {
    Start {
        schema_version: u32,
        command: &'static str,
        targets: &'a [Target],
        through: Option<&'a str>,
        paths: usize,
    },
    Fetch {
        schema_version: u32,
        round: u32,
        #[serde(flatten)]
        fetch: &'a Fetch,
    },
    Round {
        schema_version: u32,
        round: u32,
        fresh: usize,
        paths: usize,
    },
    Verdict {
        schema_version: u32,
        #[serde(flatten)]
        verdict: &'a PathVerdict,
    },
    End {
        schema_version: u32,
        totals: &'a VerifyTotals,
        stopped: Option<Stop>,
        exit_code: u8,
    },
}

/// What a step's caller sees while verify runs.
pub enum Progress<'a> {
    Fetch(u32, &'a Fetch),
    Round {
        round: u32,
        fresh: usize,
        total: usize,
    },
}

/// Runs verify (with `--wait` rounds) and returns the report.
pub async fn run(plan: &Plan, engine: &Engine, mut on: impl FnMut(Progress<'_>)) -> Report {
    let started = (SystemTime::now(), Instant::now());
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        engine: engine.clone(),
        build_re: Regex::new(BUILD_ID).expect("static regex"),
    });
    let n_pods = plan.targets.len();
    let n_samples = plan.through.as_ref().map_or(0, |t| t.samples as usize);
    let mut pods: Vec<Fetch> = vec![Fetch::default(); plan.paths.len() * n_pods];
    let mut samples: Vec<Fetch> = vec![Fetch::default(); plan.paths.len() * n_samples];
    let wait_until = plan.wait.map(|w| Instant::now() + w);
    let mut todo: Vec<usize> = (0..plan.paths.len()).collect();
    let mut verdicts: Vec<Option<PathVerdict>> = vec![None; plan.paths.len()];
    let mut round = 0;
    let mut pause = WAIT_FIRST;
    loop {
        round += 1;
        let mut lanes: Vec<Vec<Job>> = plan
            .targets
            .iter()
            .enumerate()
            .map(|(t, target)| {
                todo.iter()
                    .map(|&p| Job {
                        path_index: p,
                        slot: p * n_pods + t,
                        target: target.clone(),
                        name: target.name.clone(),
                        sample: false,
                    })
                    .collect()
            })
            .collect();
        if let Some(th) = &plan.through {
            // Samples of one path go out together, so each lands on whichever pod the balancer picks.
            lanes.push(
                todo.iter()
                    .flat_map(|&p| {
                        (0..n_samples).map(move |i| Job {
                            path_index: p,
                            slot: p * n_samples + i,
                            target: th.target.clone(),
                            name: format!("through#{}", i + 1),
                            sample: true,
                        })
                    })
                    .collect(),
            );
        }
        let fetched = fetch_all(&shared, lanes, |f| on(Progress::Fetch(round, f))).await;
        for f in fetched {
            if f.sample {
                let slot = f.slot;
                samples[slot] = f;
            } else {
                let slot = f.slot;
                pods[slot] = f;
            }
        }
        for &p in &todo {
            let path = plan.paths[p].as_str();
            let baseline = plan.baseline.as_ref().map(|b| b.hashes(path));
            let v = evaluate(
                path,
                &mut pods[p * n_pods..(p + 1) * n_pods],
                &mut samples[p * n_samples..(p + 1) * n_samples],
                plan.through.as_ref().map(|t| t.target.location()),
                &plan.criteria,
                baseline.as_ref(),
                plan.etag,
            );
            verdicts[p] = Some(v);
        }
        let fresh = verdicts
            .iter()
            .filter(|v| v.as_ref().is_some_and(|v| v.verdict.is_settled()))
            .count();
        on(Progress::Round {
            round,
            fresh,
            total: plan.paths.len(),
        });
        todo = (0..plan.paths.len())
            .filter(|&p| !verdicts[p].as_ref().is_some_and(|v| v.verdict.is_settled()))
            .collect();
        let Some(until) = wait_until else { break };
        if todo.is_empty() || engine.stopped().is_some() {
            break;
        }
        let now = Instant::now();
        if now >= until {
            break;
        }
        if engine.sleep(pause.min(until - now)).await.is_err() || Instant::now() >= until {
            break;
        }
        pause = (pause * 2).min(WAIT_CAP);
    }

    let verdicts: Vec<PathVerdict> = verdicts
        .into_iter()
        .map(|v| v.expect("every path evaluated"))
        .collect();
    let mut totals = VerifyTotals {
        paths: verdicts.len(),
        cells: pods.len(),
        unreachable_cells: pods
            .iter()
            .filter(|f| f.outcome != Some(FetchOutcome::Fetched))
            .count(),
        ..Default::default()
    };
    for v in &verdicts {
        match v.verdict {
            Verdict::Fresh => totals.fresh += 1,
            Verdict::Stale => totals.stale += 1,
            Verdict::Unreachable => totals.unreachable += 1,
            Verdict::MixedBuild => totals.mixed_build += 1,
        }
    }
    let stopped = engine.observed_stop();
    let code = crate::exit::code_for(&crate::exit::Summary {
        failed_cells: totals.unreachable,
        stale_paths: totals.stale,
        stopped,
    });
    Report {
        schema_version: SCHEMA_VERSION,
        command: "verify",
        started_at: report::timestamp(started.0),
        finished_at: report::timestamp(SystemTime::now()),
        duration_ms: report::millis(started.1.elapsed()),
        targets: plan.targets.clone(),
        through: plan
            .through
            .as_ref()
            .map(|t| t.target.location().to_string()),
        samples: plan.through.as_ref().map_or(0, |t| t.samples),
        paths: plan.paths.clone(),
        etag_mode: plan.etag,
        normalisation: plan.normalizer.description.clone(),
        expected: plan.criteria.describe(plan.etag),
        baseline: plan.baseline_file.as_ref().map(|f| f.display().to_string()),
        rounds: round,
        deploy_in_progress: verdicts.iter().any(|v| v.verdict == Verdict::MixedBuild),
        verdicts,
        cells: pods,
        through_samples: samples,
        totals,
        saved: None,
        stopped,
        exit_code: code.as_u8(),
        code,
    }
}

/// A record of what every pod served, for a later `--baseline`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    pub kind: String,
    pub taken_at: String,
    pub etag_mode: bool,
    pub normalisation: Vec<String>,
    /// path -> pod -> entry
    pub paths: BTreeMap<String, BTreeMap<String, SnapshotEntry>>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SnapshotEntry {
    pub hash: String,
    pub status: Option<u16>,
    pub etag: Option<String>,
    pub build_id: Option<String>,
}

const SNAPSHOT_KIND: &str = "revalidate-verify-snapshot";

impl Snapshot {
    pub fn from_report(r: &Report) -> Snapshot {
        let mut paths: BTreeMap<String, BTreeMap<String, SnapshotEntry>> = BTreeMap::new();
        for f in &r.cells {
            if let (Some(FetchOutcome::Fetched), Some(hash)) = (f.outcome, &f.hash) {
                paths.entry(f.path.clone()).or_default().insert(
                    f.pod.clone(),
                    SnapshotEntry {
                        hash: hash.clone(),
                        status: f.status,
                        etag: f.etag.clone(),
                        build_id: f.build_id.clone(),
                    },
                );
            }
        }
        Snapshot {
            schema_version: SCHEMA_VERSION,
            kind: SNAPSHOT_KIND.into(),
            taken_at: r.finished_at.clone(),
            etag_mode: r.etag_mode,
            normalisation: r.normalisation.clone(),
            paths,
        }
    }

    pub fn save(&self, file: &std::path::Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("snapshots serialize");
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(tmp, file)
    }

    pub fn load(file: &std::path::Path) -> Result<Snapshot, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            ConfigError(format!("cannot read the baseline {}: {e}", file.display()))
        })?;
        let s: Snapshot = serde_json::from_str(&text).map_err(|e| {
            ConfigError(format!(
                "{} is not a baseline written by `revalidate verify --save`: {e}",
                file.display()
            ))
        })?;
        if s.kind != SNAPSHOT_KIND || s.schema_version != SCHEMA_VERSION {
            return Err(ConfigError(format!(
                "{} is not a version {SCHEMA_VERSION} verify snapshot",
                file.display()
            )));
        }
        Ok(s)
    }

    /// Hashes are comparable only under the same normalisation and mode.
    fn check_compatible(
        &self,
        n: &Normalizer,
        etag: bool,
        file: &std::path::Path,
    ) -> Result<(), ConfigError> {
        if self.etag_mode != etag || self.normalisation != n.description {
            return Err(ConfigError(format!(
                "the baseline {} was taken with {}{}; this run uses {}{}: the hashes are not comparable, use the same settings",
                file.display(),
                if self.etag_mode { "--etag " } else { "" },
                describe_norm(&self.normalisation),
                if etag { "--etag " } else { "" },
                describe_norm(&n.description),
            )));
        }
        Ok(())
    }

    /// Every hash any pod served for `path` when the snapshot was taken.
    pub fn hashes(&self, path: &str) -> BTreeSet<String> {
        self.paths
            .get(path)
            .map(|pods| pods.values().map(|e| e.hash.clone()).collect())
            .unwrap_or_default()
    }
}

fn describe_norm(n: &[String]) -> String {
    if n.is_empty() {
        "no normalisation".into()
    } else {
        format!("normalisation [{}]", n.join(", "))
    }
}

/// What --dry-run prints: every request verify would send.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DryRun {
    pub schema_version: u32,
    pub command: &'static str,
    pub dry_run: bool,
    pub requests: Vec<DryRequest>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct DryRequest {
    pub path: String,
    pub pod: String,
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

pub fn dry_run(plan: &Plan) -> DryRun {
    let method = if plan.etag { "HEAD" } else { "GET" };
    let headers: Vec<(String, String)> = plan
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.shown.clone()))
        .collect();
    let mut requests = Vec::new();
    for p in &plan.paths {
        let mut add = |name: String, t: &Target| {
            requests.push(DryRequest {
                path: p.to_string(),
                pod: name,
                method,
                url: crate::secret::redact(&t.url_for(p.as_str())).into_owned(),
                headers: headers.clone(),
            })
        };
        for t in &plan.targets {
            add(t.name.clone(), t);
        }
        if let Some(th) = &plan.through {
            for i in 0..th.samples {
                add(format!("through#{}", i + 1), &th.target);
            }
        }
    }
    DryRun {
        schema_version: SCHEMA_VERSION,
        command: "verify",
        dry_run: true,
        requests,
    }
}

/// Hash prefix shown to people.
pub fn short_hash(h: &str) -> &str {
    if h.starts_with('"') {
        // An ETag (--etag mode) is short already and only meaningful whole.
        h
    } else {
        &h[..h.len().min(12)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(pod: &str, hash: &str, build: Option<&str>) -> Fetch {
        Fetch {
            path: "/p".into(),
            pod: pod.into(),
            outcome: Some(FetchOutcome::Fetched),
            status: Some(200),
            hash: Some(hash.into()),
            build_id: build.map(str::to_string),
            ..Fetch::default()
        }
    }

    fn criteria() -> Criteria {
        Criteria {
            status: 200,
            contains: None,
            regex: None,
            expect_changed: false,
        }
    }

    fn eval(pods: &mut [Fetch], c: &Criteria) -> PathVerdict {
        evaluate("/p", pods, &mut [], None, c, None, false)
    }

    #[test]
    fn identical_pods_are_fresh() {
        let mut pods = vec![fetch("a", "h1", Some("B")), fetch("b", "h1", Some("B"))];
        let v = eval(&mut pods, &criteria());
        assert_eq!(v.verdict, Verdict::Fresh);
        assert_eq!(v.fresh_pods, 2);
    }

    #[test]
    fn disagreeing_pods_without_a_check_are_stale_never_fresh() {
        let mut pods = vec![
            fetch("a", "new", Some("B")),
            fetch("b", "old", Some("B")),
            fetch("c", "old", Some("B")),
        ];
        let v = eval(&mut pods, &criteria());
        assert_eq!(v.verdict, Verdict::Stale);
        assert!(v.diverged);
        assert_eq!(v.fresh_pods, 0);
        assert_eq!(v.builds[0].groups.len(), 2);
        assert_eq!(v.builds[0].groups[0].pods, vec!["b", "c"]);
    }

    #[test]
    fn a_check_names_the_stale_pods() {
        let mut pods = vec![
            fetch("a", "new", Some("B")),
            fetch("b", "old", Some("B")),
            fetch("c", "old", Some("B")),
        ];
        pods[0].contains = Some(true);
        pods[1].contains = Some(false);
        pods[2].contains = Some(false);
        let c = Criteria {
            contains: Some("v2".into()),
            ..criteria()
        };
        let v = eval(&mut pods, &c);
        assert_eq!(v.verdict, Verdict::Stale);
        assert!(!v.diverged);
        assert_eq!(v.stale_pods, vec!["b", "c"]);
        assert_eq!(v.fresh_pods, 1);
    }

    #[test]
    fn two_groups_that_both_pass_the_check_are_still_stale() {
        let mut pods = vec![fetch("a", "x", Some("B")), fetch("b", "y", Some("B"))];
        for p in &mut pods {
            p.contains = Some(true);
        }
        let c = Criteria {
            contains: Some("v2".into()),
            ..criteria()
        };
        let v = eval(&mut pods, &c);
        assert_eq!(v.verdict, Verdict::Stale);
        assert!(v.diverged);
    }

    #[test]
    fn builds_are_compared_apart() {
        let mut pods = vec![
            fetch("a", "h1", Some("B1")),
            fetch("b", "h1", Some("B1")),
            fetch("c", "h2", Some("B2")),
        ];
        let v = eval(&mut pods, &criteria());
        assert_eq!(v.verdict, Verdict::MixedBuild);
        assert_eq!(v.builds.len(), 2);
        assert!(v.verdict.is_settled());
    }

    #[test]
    fn a_page_without_build_id_is_not_hidden_by_a_deploy() {
        let mut pods = vec![
            fetch("a", "h1", Some("B1")),
            fetch("b", "maintenance", None),
            fetch("c", "h2", Some("B2")),
        ];
        let v = eval(&mut pods, &criteria());
        assert_eq!(v.verdict, Verdict::Stale);
        assert_eq!(v.stale_pods, vec!["b"]);
        // Serving what some build's pods serve is fine.
        let mut pods = vec![
            fetch("a", "h1", Some("B1")),
            fetch("b", "h1", None),
            fetch("c", "h2", Some("B2")),
        ];
        assert_eq!(eval(&mut pods, &criteria()).verdict, Verdict::MixedBuild);
    }

    #[test]
    fn through_samples_are_not_fresh_when_the_pods_disagree() {
        let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "old", Some("B"))];
        let mut samples = vec![
            fetch("through#1", "new", Some("B")),
            fetch("through#2", "old", Some("B")),
        ];
        let v = evaluate(
            "/p",
            &mut pods,
            &mut samples,
            Some("http://lb"),
            &criteria(),
            None,
            false,
        );
        assert!(v.diverged);
        let t = v.through.unwrap();
        assert_eq!((t.fresh, t.stale), (0, 2));
    }

    #[test]
    fn unreachable_pods_keep_a_path_unproven() {
        let mut pods = vec![
            fetch("a", "h1", Some("B")),
            Fetch {
                pod: "b".into(),
                outcome: Some(FetchOutcome::Unreachable),
                ..Fetch::default()
            },
        ];
        let v = eval(&mut pods, &criteria());
        assert_eq!(v.verdict, Verdict::Unreachable);
        assert_eq!(v.unreachable_pods, vec!["b"]);
    }

    #[test]
    fn wrong_status_is_stale() {
        let mut pods = vec![fetch("a", "h1", Some("B")), fetch("b", "h1", Some("B"))];
        pods[1].status = Some(500);
        let v = eval(&mut pods, &criteria());
        assert_eq!(v.verdict, Verdict::Stale);
        assert_eq!(v.stale_pods, vec!["b"]);
    }

    #[test]
    fn baseline_expect_changed_catches_unchanged_pods() {
        let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "old", Some("B"))];
        let c = Criteria {
            expect_changed: true,
            ..criteria()
        };
        let base: BTreeSet<String> = ["old".to_string()].into();
        let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base), false);
        assert_eq!(v.verdict, Verdict::Stale);
        assert_eq!(v.stale_pods, vec!["b"]);
    }

    #[test]
    fn through_samples_must_match_the_pods() {
        let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "new", Some("B"))];
        let mut samples = vec![
            fetch("through#1", "new", Some("B")),
            fetch("through#2", "old", Some("B")),
            fetch("through#3", "new", Some("B")),
        ];
        let v = evaluate(
            "/p",
            &mut pods,
            &mut samples,
            Some("http://lb"),
            &criteria(),
            None,
            false,
        );
        assert_eq!(v.verdict, Verdict::Stale);
        let t = v.through.unwrap();
        assert_eq!((t.samples, t.fresh, t.stale), (3, 2, 1));
        assert_eq!(t.stale_share, 0.333);
    }

    #[test]
    fn normalizer_presets() {
        let n =
            Normalizer::new(&[IgnorePreset::Timestamps, IgnorePreset::Nonces], &[], None).unwrap();
        let a = br#"<time dateTime="2026-11-27T12:21:04.693Z">2026-11-27T12:21:04.693Z</time> {"generatedAt":"2026-11-27T12:21:04.693Z","ts":1764246059597} <script nonce="abc">"#;
        let b = br#"<time dateTime="2026-11-27T12:21:04.760Z">2026-11-27T12:21:04.760Z</time> {"generatedAt":"2026-11-27T12:21:04.760Z","ts":1764246059999} <script nonce="xyz">"#;
        assert_eq!(n.apply(a).unwrap(), n.apply(b).unwrap());
        // A plain date is content, not a generation stamp.
        assert_ne!(
            n.apply(b"on 2026-11-27").unwrap(),
            n.apply(b"on 2026-11-28").unwrap()
        );
        // A 13-digit number outside a JSON field is content too.
        assert_ne!(
            n.apply(b"id 1764246059597").unwrap(),
            n.apply(b"id 1764246059598").unwrap()
        );
    }

    #[test]
    fn normalizer_select_and_ignore() {
        let n = Normalizer::new(&[], &["rev-\\d+".into()], Some("<main>(.*?)</main>")).unwrap();
        assert_eq!(
            &*n.apply(b"x<main>a rev-12 b</main>y").unwrap(),
            b"a <ignored> b"
        );
        assert!(n.apply(b"no main").is_err());
        assert!(Normalizer::new(&[], &[], Some("no group")).is_err());
    }

    #[test]
    fn scanner_finds_across_chunk_boundaries() {
        let re = Regex::new(BUILD_ID).unwrap();
        let mut s = Scanner::new(Some("Post A v2"), re.clone());
        s.feed(b"<h1>Post A");
        s.feed(b" v2</h1><script>{\"buildId\":\"Ly");
        s.feed(b"LiCKtGjgX9kyS5BqLRv\",\"x\":1}");
        assert!(s.found);
        assert_eq!(s.build_id.as_deref(), Some("LyLiCKtGjgX9kyS5BqLRv"));
        let mut s = Scanner::new(None, re);
        s.feed(b"<script src=\"/_next/static/HhAzCDyDcXMoWum8wBQ6K/_buildManifest.js\">");
        assert_eq!(s.build_id.as_deref(), Some("HhAzCDyDcXMoWum8wBQ6K"));
    }
}
