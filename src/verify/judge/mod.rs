//! Judging one path from what its pods (and the edge's samples) served: the verdict, and each
//! response's state.
//!
//! A wrong "fresh" is the worst bug this tool can have, so the rules lean one way:
//! - `fresh` needs positive evidence on every pod and sample: a content check
//!   (`--expect-contains`, `--expect-regex`, `--expect-status` other than 200, or a baseline
//!   with `--expect-changed`) that holds everywhere, and the pods of each build agreeing;
//! - pods of one build that agree with no such check are `converged`: agreement, not proof;
//! - what cannot be compared is `unproven`: pods of several builds without a check, or one pod
//!   without a check;
//! - a response failing a check, or pods of one build that disagree, make the path `stale`;
//! - a pod that gave no answer leaves the path `unreachable`.
//!
//! Never round up: each rule can only lower a verdict.
//!
//! A page is judged with each variant a browser fetches of it ([`evaluate_page`]): each variant
//! by the same rules (on a pod, by its page's checks on the same pod, as they are one cache
//! entry; through the edge, by serving what a pod serves), and the path takes the worst.
//!
//! By seam: this module holds the criteria and the rules for one part of a page
//! ([`evaluate`]); [`verdict`] the verdicts and groups it produces; [`page`] a page judged with
//! its variants; [`through`] the edge's samples judged against the pods.

mod page;
mod through;
mod verdict;

use std::collections::{BTreeMap, BTreeSet};

use regex::bytes::Regex;

use super::{Fetch, FetchOutcome};

pub use page::evaluate_page;
use through::{judge_samples, summarize_through};
pub use verdict::{
    Baseline, BuildGroup, Changes, HashGroup, Part, PathVerdict, State, ThroughSummary,
    VariantShare, VariantVerdict, Verdict,
};

/// What every pod must satisfy, beyond agreeing with the others.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    pub status: u16,
    /// Whether `status` was asked for (an explicit 200 proves no more than the default).
    pub status_given: bool,
    pub contains: Option<String>,
    pub regex: Option<Regex>,
    pub expect_changed: bool,
    /// For a variant of a page on a pod: the page's checks, which it passed on the same pod (a
    /// pod regenerates a page and its data JSON and RSC payload together, in one cache entry,
    /// while the text checked may not appear in them as it does in the HTML). Empty otherwise.
    pub page_checks: Vec<String>,
}

impl Criteria {
    /// The checks of a variant of a page: its status, a change since a baseline that recorded
    /// the variant, and, on pods, its page's checks passed on the same pod; through an edge
    /// alone (no pod to vouch for it) the content checks themselves.
    pub fn for_variant(&self, on_pods: bool, page_checks: Vec<String>, baseline: bool) -> Criteria {
        let mut c = self.clone();
        c.expect_changed &= baseline;
        if on_pods {
            c.contains = None;
            c.regex = None;
            c.page_checks = page_checks;
        }
        c
    }

    /// The checks that prove new content when they hold, as people read them; empty when the
    /// run can only show agreement.
    pub fn evidence(&self) -> Vec<String> {
        let mut e = Vec::new();
        if self.status_given && self.status != 200 {
            e.push(format!("status {}", self.status));
        }
        if let Some(c) = &self.contains {
            e.push(format!("contains {c:?}"));
        }
        if let Some(r) = &self.regex {
            e.push(format!("matches /{}/", r.as_str()));
        }
        if self.expect_changed {
            e.push("changed since the baseline".into());
        }
        if !self.page_checks.is_empty() {
            e.push(format!(
                "its page passes the checks on the same pod ({})",
                self.page_checks.join(", ")
            ));
        }
        e
    }

    /// Whether a check of the content itself was given (text, pattern or status), beyond a
    /// change since the baseline.
    pub fn content_checked(&self) -> bool {
        self.contains.is_some()
            || self.regex.is_some()
            || (self.status_given && self.status != 200)
            || !self.page_checks.is_empty()
    }

    /// The `expected:` line of a path.
    pub fn describe(&self, etag: bool) -> String {
        let mut parts = vec![format!("status {}", self.status)];
        parts.extend(
            self.evidence()
                .into_iter()
                .filter(|e| !e.starts_with("status")),
        );
        parts.push(if etag {
            "one ETag per build".into()
        } else {
            "one hash per build".into()
        });
        format!("every pod: {}", parts.join(", "))
    }
}

fn fetched(f: &Fetch) -> bool {
    f.outcome == Some(FetchOutcome::Fetched)
}

/// Marks one response by the checks alone (agreement is judged per path).
fn check(f: &mut Fetch, c: &Criteria, baseline: Option<&Baseline>) {
    f.problems.clear();
    f.state = None;
    if !fetched(f) {
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
    let mut unproven = None;
    if !c.page_checks.is_empty() && !f.sample {
        match f.page_state {
            Some(State::Fresh) => {}
            Some(State::Stale) => f.problems.push(PAGE_FAILS.into()),
            _ => unproven = Some("its page is not proven on this pod".to_string()),
        }
    }
    if baseline.is_some_and(|b| b.hashes.is_empty()) {
        // The baseline holds nothing of this path (no pod answered when it was taken): anything
        // would look changed, so no change can be shown.
        if c.expect_changed && !c.content_checked() && unproven.is_none() {
            unproven = Some(
                "the baseline holds no response of this path (no pod answered when it was taken), so no change can be shown".to_string(),
            );
        }
    } else if let (Some(base), Some(h)) = (baseline, &f.hash) {
        let changed = !base.hashes.contains(h);
        f.changed = Some(changed);
        if c.expect_changed && !changed {
            f.problems.push(UNCHANGED.into());
        } else if c.expect_changed
            && !c.content_checked()
            && unproven.is_none()
            && let Err(then) = base.same_build(f)
        {
            // A new build changes the page's bytes (its build id, its chunks) whether or not the
            // content changed: the rolling deploy whose new pods still serve the old page.
            unproven = Some(format!(
                "runs build {}, not the baseline's {then}: a new build changes the page's bytes whether or not its content changed",
                f.build_id.as_deref().unwrap_or("(none)")
            ));
        }
    }
    if !f.problems.is_empty() {
        f.state = Some(State::Stale);
    } else if let Some(e) = &f.erased {
        f.problems.push(format!("normalisation erased it: {e}"));
        f.state = Some(State::Unproven);
    } else if let Some(why) = unproven {
        f.problems.push(why);
        f.state = Some(State::Unproven);
    }
}

/// Whether the checks left this response unproven (normalisation erased it, or it changed
/// build since the baseline).
fn unproven(f: &Fetch) -> bool {
    fetched(f) && f.state == Some(State::Unproven)
}

/// Whether normalisation left nothing of this response to compare.
fn erased(f: &Fetch) -> bool {
    f.erased.is_some() && f.state == Some(State::Unproven)
}

fn hash_groups<'a>(fs: impl Iterator<Item = &'a Fetch>) -> Vec<HashGroup> {
    let mut groups: Vec<HashGroup> = Vec::new();
    for f in fs {
        let hash = f.hash.clone().unwrap_or_else(|| "(none)".into());
        match groups.iter_mut().find(|g| g.hash == hash) {
            Some(g) => {
                g.pods.push(f.pod.clone());
                g.passes &= f.problems.is_empty();
                for p in &f.problems {
                    if !g.problems.contains(p) {
                        g.problems.push(p.clone());
                    }
                }
            }
            None => groups.push(HashGroup {
                hash,
                pods: vec![f.pod.clone()],
                passes: f.problems.is_empty(),
                problems: f.problems.clone(),
            }),
        }
    }
    // Largest group first, then by hash, so output is stable.
    groups.sort_by(|a, b| b.pods.len().cmp(&a.pods.len()).then(a.hash.cmp(&b.hash)));
    groups
}

/// Groups responses by build, then by hash. Responses without a build id (404 bodies, HEAD in
/// --etag mode) join the only known build when there is exactly one.
fn by_build(fs: &[&Fetch]) -> Vec<BuildGroup> {
    let mut builds: BTreeMap<Option<String>, Vec<&Fetch>> = BTreeMap::new();
    for f in fs {
        builds.entry(f.build_id.clone()).or_default().push(f);
    }
    let known: Vec<Option<String>> = builds.keys().filter(|k| k.is_some()).cloned().collect();
    if known.len() == 1
        && let Some(unknown) = builds.remove(&None)
    {
        builds.get_mut(&known[0]).expect("present").extend(unknown);
    }
    builds
        .into_iter()
        .map(|(build_id, fs)| BuildGroup {
            build_id,
            groups: hash_groups(fs.into_iter()),
        })
        .collect()
}

/// Whether some build has more than one group of responses that all pass the checks.
fn diverges(builds: &[BuildGroup]) -> bool {
    builds
        .iter()
        .any(|b| b.groups.iter().filter(|g| g.passes).count() > 1)
}

fn describe_builds(builds: &[BuildGroup]) -> String {
    builds
        .iter()
        .map(|b| {
            let pods: Vec<String> = b.groups.iter().flat_map(|g| g.pods.clone()).collect();
            format!(
                "{} ({})",
                b.build_id.as_deref().unwrap_or("no build id"),
                pods.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why the fetches that gave nothing to judge gave nothing, grouped by what happened, each
/// group naming its fetches (`name`; an empty name counts them instead): "no answer from
/// pod-3; a body that cannot be decoded (gzip) from pod-2".
fn unusable<'a>(
    failed: impl Iterator<Item = &'a Fetch>,
    name: impl Fn(&Fetch) -> String,
) -> String {
    // (what happened, details such as the encodings, who)
    let mut groups: Vec<(&str, BTreeSet<String>, Vec<String>)> = Vec::new();
    for f in failed {
        let (what, detail) = match f.outcome {
            Some(FetchOutcome::Undecodable) => (
                "a body that cannot be decoded",
                f.content_encoding
                    .clone()
                    .or_else(|| Some("identity".into())),
            ),
            Some(FetchOutcome::TooLarge) => ("a body over --max-body", None),
            Some(FetchOutcome::Error) => ("an answer that cannot be checked", f.error.clone()),
            _ => ("no answer", None),
        };
        let i = match groups.iter().position(|g| g.0 == what) {
            Some(i) => i,
            None => {
                groups.push((what, BTreeSet::new(), Vec::new()));
                groups.len() - 1
            }
        };
        groups[i].1.extend(detail);
        groups[i].2.push(name(f));
    }
    groups
        .into_iter()
        .map(|(what, details, who)| {
            let details = if details.is_empty() {
                String::new()
            } else {
                format!(" ({})", details.into_iter().collect::<Vec<_>>().join(", "))
            };
            if who.iter().all(String::is_empty) {
                format!("{} with {what}{details}", who.len())
            } else {
                format!("{what}{details} from {}", who.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Judges one path from its pod fetches and through-samples, marking each response's state.
pub fn evaluate(
    path: &str,
    pods: &mut [Fetch],
    samples: &mut [Fetch],
    through_url: Option<&str>,
    criteria: &Criteria,
    baseline: Option<&Baseline>,
) -> PathVerdict {
    for f in pods.iter_mut().chain(samples.iter_mut()) {
        check(f, criteria, baseline);
    }
    let evidence = criteria.evidence();
    let proven = !evidence.is_empty();

    // A page without a build id among several builds cannot be placed: it is proven only when
    // some build's pods serve the same content (else e.g. a 200 maintenance page passes).
    let build_ids: BTreeSet<&str> = pods
        .iter()
        .filter(|f| fetched(f))
        .filter_map(|f| f.build_id.as_deref())
        .collect();
    if build_ids.len() > 1 {
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
                f.problems
                    .push("no build id, and content no build's pods serve".into());
                f.state = Some(State::Stale);
            }
        }
    }
    let reachable: Vec<&Fetch> = pods.iter().filter(|f| fetched(f)).collect();
    let builds = by_build(&reachable);
    let known_builds = builds.iter().filter(|b| b.build_id.is_some()).count();
    let diverged = diverges(&builds);
    let unreachable_pods: Vec<String> = pods
        .iter()
        .filter(|f| !fetched(f))
        .map(|f| f.pod.clone())
        .collect();
    let stale_pods: Vec<String> = pods
        .iter()
        .filter(|f| f.state == Some(State::Stale))
        .map(|f| f.pod.clone())
        .collect();

    // The pods' verdict, before the edge is looked at.
    let (mut verdict, mut reason) = if !stale_pods.is_empty()
        && !diverged
        && unreachable_pods.is_empty()
        && stale_pods.len() == pods.len()
        && pods.iter().all(|f| {
            // A variant's page may be failing only by being unchanged too: the path takes the
            // page's verdict with its variants', so a page failing otherwise stays stale.
            f.problems.iter().any(|p| p == UNCHANGED)
                && f.problems.iter().all(|p| p == UNCHANGED || p == PAGE_FAILS)
        }) {
        (Verdict::Unchanged, unchanged_reason(pods, baseline))
    } else if !stale_pods.is_empty() {
        (
            Verdict::Stale,
            format!(
                "{} of {} pods fail{} the checks",
                stale_pods.len(),
                pods.len(),
                if stale_pods.len() == 1 { "s" } else { "" }
            ),
        )
    } else if diverged && proven {
        (
            Verdict::Stale,
            format!(
                "pods of one build pass the checks but serve different content: something the checks do not look at differs; {DIVERGED_HINT}"
            ),
        )
    } else if diverged {
        (
            Verdict::Stale,
            "pods of one build serve different content, and no check says which is fresh".into(),
        )
    } else if !unreachable_pods.is_empty() {
        (
            Verdict::Unreachable,
            unusable(pods.iter().filter(|f| !fetched(f)), |f| f.pod.clone()),
        )
    } else if let Some(f) = pods.iter().find(|f| erased(f)) {
        let n = pods.iter().filter(|f| erased(f)).count();
        (
            Verdict::Unproven,
            format!(
                "normalisation erased the page on {n} of {} pods ({}): a normalisation that leaves nothing to compare proves nothing; narrow --ignore or --select",
                pods.len(),
                f.erased.as_deref().unwrap_or_default()
            ),
        )
    } else if pods.iter().any(unproven) {
        let named: Vec<String> = pods
            .iter()
            .filter(|f| unproven(f))
            .map(|f| format!("{} {}", f.pod, f.problems.join("; ")))
            .collect();
        (
            Verdict::Unproven,
            format!(
                "{} of {} pods cannot show that the page changed: {}; add a content check (--expect-contains TEXT) to prove it",
                named.len(),
                pods.len(),
                named.join("; ")
            ),
        )
    } else if pods.is_empty() {
        // Through the edge alone: judged on the samples below.
        if proven {
            (
                Verdict::Fresh,
                format!("every sample: {}", evidence.join(", ")),
            )
        } else {
            (
                Verdict::Converged,
                "the samples agree; no content check proves they are new".into(),
            )
        }
    } else if proven {
        let extra = if known_builds > 1 {
            format!(" (pods of {known_builds} builds: a deploy is in progress)")
        } else {
            String::new()
        };
        (
            Verdict::Fresh,
            format!("every pod: {}{extra}", evidence.join(", ")),
        )
    } else if known_builds > 1 {
        (
            Verdict::Unproven,
            format!(
                "pods of {known_builds} builds, {}, and no content check: content of different builds cannot be compared; add --expect-contains TEXT (or --expect-regex, --baseline FILE --expect-changed) or wait for the rollout",
                describe_builds(&builds)
            ),
        )
    } else if pods.len() == 1 {
        (
            Verdict::Unproven,
            "one pod and no content check: there is nothing to compare it with; add --expect-contains TEXT (or --expect-regex, --baseline FILE --expect-changed)".into(),
        )
    } else {
        (
            Verdict::Converged,
            "every pod serves the same content, but no check proves it is the new content; add --expect-contains TEXT (or --expect-regex, --baseline FILE --expect-changed) to prove it".into(),
        )
    };

    // The pods of the builds whose pods disagree (a pod alone in another build does not).
    let disagreeing: BTreeSet<String> = builds
        .iter()
        .filter(|b| b.groups.iter().filter(|g| g.passes).count() > 1)
        .flat_map(|b| b.groups.iter().flat_map(|g| g.pods.clone()))
        .collect();
    // Each pod's state follows from the path's pods verdict.
    for f in pods.iter_mut().filter(|f| fetched(f) && f.state.is_none()) {
        f.state = Some(if disagreeing.contains(&f.pod) {
            f.problems.push("pods of this build disagree".into());
            State::Unproven
        } else {
            match verdict {
                Verdict::Fresh => State::Fresh,
                Verdict::Converged => State::Converged,
                // Passing the checks while others fail them: this pod is as good as a check can
                // make it.
                Verdict::Stale | Verdict::Unreachable if proven => State::Fresh,
                Verdict::Stale | Verdict::Unreachable | Verdict::Unchanged => State::Converged,
                Verdict::Unproven => State::Unproven,
            }
        });
    }

    let through = through_url.map(|url| {
        judge_samples(pods, samples, &unreachable_pods, diverged, verdict, proven);
        summarize_through(url, samples)
    });
    if let Some(t) = &through {
        let worse = if t.stale > 0 {
            Some((
                Verdict::Stale,
                format!(
                    "{} of {} samples through {} stale",
                    t.stale,
                    t.ok + t.stale + t.unproven,
                    t.url
                ),
            ))
        } else if t.samples == 0 {
            Some((
                Verdict::Unreachable,
                format!("0 samples through {} got an answer", t.url),
            ))
        } else if t.unreachable > 0 {
            let failed: Vec<&Fetch> = samples.iter().filter(|f| !fetched(f)).collect();
            Some((
                Verdict::Unreachable,
                format!(
                    "samples through {}: {}",
                    t.url,
                    unusable(failed.into_iter(), |_| String::new())
                ),
            ))
        } else if t.unproven > 0
            && verdict.is_settled()
            && let Some(e) = samples.iter().find(|f| erased(f))
        {
            Some((
                Verdict::Unproven,
                format!(
                    "normalisation erased {} samples through {} ({}): a normalisation that leaves nothing to compare proves nothing; narrow --ignore or --select",
                    samples.iter().filter(|f| erased(f)).count(),
                    t.url,
                    e.erased.as_deref().unwrap_or_default()
                ),
            ))
        } else if t.unproven > 0 && verdict.is_settled() {
            Some((
                Verdict::Unproven,
                format!(
                    "{} samples through {} serve content that cannot be compared with the pods'",
                    t.unproven, t.url
                ),
            ))
        } else {
            None
        };
        if let Some((v, r)) = worse
            && rank(v) > rank(verdict)
        {
            verdict = v;
            reason = r;
        }
    }

    let changes = baseline.map(|_| Changes {
        changed: pods.iter().filter(|f| f.changed == Some(true)).count(),
        unchanged_pods: pods
            .iter()
            .filter(|f| f.changed == Some(false))
            .map(|f| f.pod.clone())
            .collect(),
    });
    let agreeing = pods
        .iter()
        .filter(|f| matches!(f.state, Some(State::Fresh | State::Converged)))
        .count();
    PathVerdict {
        path: path.to_string(),
        verdict,
        reason,
        evidence,
        fresh_pods: pods
            .iter()
            .filter(|f| f.state == Some(State::Fresh))
            .count(),
        agreeing_pods: agreeing,
        total_pods: pods.len(),
        stale_pods,
        unreachable_pods,
        diverged,
        builds: by_build(&pods.iter().filter(|f| fetched(f)).collect::<Vec<_>>()),
        changes,
        through: through.map(Box::new),
        variants: Vec::new(),
        cells: None,
        through_samples: None,
    }
}

/// A response's problem when it is the one its pod served at the baseline.
const UNCHANGED: &str = "unchanged since the baseline";

/// Why a path is unchanged: every pod serves what it served at the baseline, or some caught up
/// with what others served then (a pod the CMS webhook revalidated first): either way no change
/// shows the content is the newest.
fn unchanged_reason(pods: &[Fetch], baseline: Option<&Baseline>) -> String {
    let caught_up: Vec<&str> = pods
        .iter()
        .filter(|f| {
            baseline
                .and_then(|b| b.served.get(&f.pod))
                .is_some_and(|then| Some(then) != f.hash.as_ref())
        })
        .map(|f| f.pod.as_str())
        .collect();
    if caught_up.is_empty() {
        return format!(
            "every pod serves what it served at the baseline: the page was regenerated with the same content (or not at all); {UNCHANGED_HINT}"
        );
    }
    let ahead: Vec<&str> = pods
        .iter()
        .map(|f| f.pod.as_str())
        .filter(|p| !caught_up.contains(p))
        .collect();
    format!(
        "{} now serve{} what {} already served at the baseline: nothing shows it is the newest content (a pod revalidated before, e.g. by the CMS webhook through the load balancer, may have it, or an older one); a content check (--expect-contains TEXT the new page has) proves it",
        caught_up.join(", "),
        if caught_up.len() == 1 { "s" } else { "" },
        if ahead.is_empty() {
            "other pods".to_string()
        } else {
            ahead.join(", ")
        }
    )
}

/// A variant's problem when its page fails the checks on the same pod.
const PAGE_FAILS: &str = "its page fails the checks on this pod";

/// What to look at when a revalidated page did not change.
pub const UNCHANGED_HINT: &str = "if the content was just published, the CMS may not have committed it when the pods regenerated: run again in a moment";

/// What to do when pods of one build pass the checks and still differ.
pub const DIVERGED_HINT: &str = "if it is a value rendered per generation, normalise it (--ignore-preset timestamps, --ignore-preset nextjs for an App Router page regenerated through an RSC request, --ignore REGEX or --select REGEX)";

/// How bad a verdict is: a later rule may only make a path's verdict worse.
pub(crate) fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Fresh => 0,
        Verdict::Converged => 1,
        Verdict::Unchanged => 2,
        Verdict::Unproven => 3,
        Verdict::Unreachable => 4,
        Verdict::Stale => 5,
    }
}

#[cfg(test)]
mod tests;
