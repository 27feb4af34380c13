//! verify's test cases for CI reports: one a path, from its verdict alone. Fresh passes;
//! converged passes with a warning (agreement, not proof); stale and unproven fail;
//! unreachable is an error (nothing could be compared). The short message names the pods and
//! the first reason; the detail holds the whole reason, what was expected and each group of
//! pods with its problems.

use super::{PathVerdict, Report, Verdict, short_hash};
use crate::report::ci::{Case, Status, first_clause, names};

/// Pods named in a case's short message.
const NAMED: usize = 3;

pub fn cases(r: &Report) -> Vec<Case> {
    r.verdicts.iter().map(|v| case(v, &r.expected)).collect()
}

fn case(v: &PathVerdict, expected: &str) -> Case {
    let status = match v.verdict {
        Verdict::Fresh => Status::Passed,
        Verdict::Converged => Status::Warned,
        Verdict::Stale | Verdict::Unproven => Status::Failed,
        Verdict::Unreachable => Status::Error,
    };
    if status == Status::Passed {
        return Case::passed(&v.path, v.verdict.name());
    }
    // The first problem of the groups that fail the checks, if any.
    let problem = v
        .builds
        .iter()
        .flat_map(|b| &b.groups)
        .find(|g| !g.passes && !g.problems.is_empty())
        .map(|g| g.problems.join("; "));
    let message = match (&problem, v.stale_pods.is_empty()) {
        (Some(p), false) => format!("stale on {}: {p}", names(&v.stale_pods, NAMED)),
        _ => first_clause(&v.reason).to_string(),
    };
    let mut detail = vec![v.reason.clone(), format!("expected: {expected}")];
    for b in &v.builds {
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
            detail.push(format!(
                "{} {}{build}: {what}",
                short_hash(&g.hash),
                g.pods.join(", ")
            ));
        }
    }
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
