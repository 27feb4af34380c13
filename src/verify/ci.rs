//! verify's test cases for CI reports: one a path, from its verdict alone. Fresh passes;
//! converged passes with a warning (agreement, not proof), and unchanged too when it is no
//! failure (`run` without `--expect-changed`); stale, unproven and unchanged fail;
//! unreachable is an error (nothing could be compared). The short message names the pods and
//! the first reason, and the variant when the page's data JSON, RSC or prefetch payload is what
//! failed (`data stale on pod-3: ...`); the detail holds the whole reason, what was expected and
//! each group of pods with its problems, for every variant that failed.

use super::{BuildGroup, PathVerdict, Variant, VariantVerdict, Verdict, short_hash};
use crate::report::ci::{Case, Status, first_clause, names};

/// Pods named in a case's short message.
const NAMED: usize = 3;

/// The case of one path, from its final verdict (handed out as it comes: the report may not
/// keep it); `expected` is what the checks asked of every pod ([`super::Report::expected`]).
pub fn case(v: &PathVerdict, expected: &str, unchanged_ok: bool) -> Case {
    path_case(v, expected, |verdict| status_of(verdict, unchanged_ok))
}

/// `unchanged_ok`: an unchanged page is no failure (`run` without `--expect-changed`), only a
/// warning.
fn status_of(verdict: Verdict, unchanged_ok: bool) -> Status {
    match verdict {
        Verdict::Fresh => Status::Passed,
        Verdict::Converged => Status::Warned,
        Verdict::Unchanged if unchanged_ok => Status::Warned,
        Verdict::Unchanged | Verdict::Stale | Verdict::Unproven => Status::Failed,
        Verdict::Unreachable => Status::Error,
    }
}

fn path_case(v: &PathVerdict, expected: &str, status_of: impl Fn(Verdict) -> Status) -> Case {
    let status = status_of(v.verdict);
    if status == Status::Passed {
        return Case::passed(&v.path, v.verdict.name());
    }
    // The variants that failed, the page first; a report without variants (or with the
    // page alone) is judged as the page.
    let failing: Vec<&VariantVerdict> = v
        .variants
        .iter()
        .filter(|x| status_of(x.verdict).is_failure())
        .collect();
    let page_alone = v.variants.len() <= 1
        || failing.is_empty()
        || (failing.len() == 1 && failing[0].variant == Variant::Html);
    let (message, mut detail) = if page_alone {
        let message = on_pods(v.verdict, &v.builds, &v.stale_pods)
            .unwrap_or_else(|| first_clause(&v.reason).to_string());
        let mut detail = vec![v.reason.clone(), format!("expected: {expected}")];
        detail.extend(groups(&v.builds));
        (message, detail)
    } else {
        variants_message(v, &failing)
    };
    if !v.unreachable_pods.is_empty() {
        detail.push(format!("no answer: {}", v.unreachable_pods.join(", ")));
    }
    if let Some(t) = &v.through {
        detail.push(format!(
            "through {}: {} of {} samples stale, {} unproven, {} unanswered",
            t.url, t.stale, t.samples, t.unproven, t.unreachable
        ));
    }
    Case {
        name: v.path.clone(),
        status,
        outcome: v.verdict.name().to_string(),
        message,
        detail: detail.join("\n"),
    }
}

/// "stale on pod-2, pod-3: lacks \"New\"": the verdict, the pods and the problem of the first
/// group failing the checks (one holding a stale pod, when some are stale); else (`None`) the
/// reason says it.
fn on_pods(verdict: Verdict, builds: &[BuildGroup], stale_pods: &[String]) -> Option<String> {
    let g = builds.iter().flat_map(|b| &b.groups).find(|g| {
        !g.passes
            && !g.problems.is_empty()
            && (stale_pods.is_empty() || g.pods.iter().any(|p| stale_pods.contains(p)))
    })?;
    let pods = if stale_pods.is_empty() {
        &g.pods
    } else {
        stale_pods
    };
    Some(format!(
        "{} on {}: {}",
        verdict.name(),
        names(pods, NAMED),
        g.problems.join("; ")
    ))
}

/// The message and detail of a path whose failure lies in variants other than the page: each
/// failing variant named with its verdict, pods and problem ("data stale on pod-3: ..."); a
/// variant stale on no pod but those where its page fails says nothing more, and is named after
/// the page's message ("(data too)").
fn variants_message(v: &PathVerdict, failing: &[&VariantVerdict]) -> (String, Vec<String>) {
    let page = failing.iter().find(|x| x.variant == Variant::Html);
    let mut parts: Vec<(Variant, String)> = Vec::new();
    let mut along = Vec::new();
    let mut detail = vec![v.reason.clone()];
    for x in failing {
        detail.push(format!(
            "{} {}: {}: {}",
            x.variant.name(),
            x.url,
            x.verdict.name(),
            x.reason
        ));
        let follows_page = x.variant != Variant::Html
            && page.is_some_and(|p| {
                let bad =
                    |pod: &String| p.stale_pods.contains(pod) || p.unreachable_pods.contains(pod);
                x.stale_pods.iter().chain(&x.unreachable_pods).all(bad)
                    && !(x.stale_pods.is_empty() && x.unreachable_pods.is_empty())
            });
        if follows_page {
            along.push(x.variant.name());
            continue;
        }
        detail.push(format!("  expected: {}", x.expected));
        detail.extend(groups(&x.builds).into_iter().map(|g| format!("  {g}")));
        let said = on_pods(x.verdict, &x.builds, &x.stale_pods).unwrap_or_else(|| {
            let why = first_clause(&x.reason);
            if x.variant == Variant::Html {
                why.to_string()
            } else {
                format!("{}: {why}", x.verdict.name())
            }
        });
        parts.push((x.variant, said));
    }
    // The page alone keeps its plain message; beside other variants it is named as they are.
    let mut message = if let [(Variant::Html, said)] = parts.as_slice() {
        said.clone()
    } else {
        parts
            .iter()
            .map(|(variant, said)| {
                let name = if *variant == Variant::Html {
                    "page"
                } else {
                    variant.name()
                };
                format!("{name} {said}")
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    if !along.is_empty() {
        message.push_str(&format!(" ({} too)", along.join(", ")));
    }
    (message, detail)
}

/// "81c13a9a8a6f pod-2, pod-3 [build b1]: lacks \"New\"", a line a group of pods.
fn groups(builds: &[BuildGroup]) -> Vec<String> {
    let mut out = Vec::new();
    for b in builds {
        for g in &b.groups {
            let what = if g.problems.is_empty() {
                "ok".to_string()
            } else {
                g.problems.join("; ")
            };
            let build = b
                .build_id
                .as_deref()
                .map_or(String::new(), |id| format!(" [build {id}]"));
            out.push(format!(
                "{} {}{build}: {what}",
                short_hash(&g.hash),
                g.pods.join(", ")
            ));
        }
    }
    out
}
