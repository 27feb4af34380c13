//! The run's own test cases for CI reports, beside those of the steps it ran: one a path, from
//! the path's result through the whole pipeline. Fresh passes; unchanged passes with a warning
//! (fails with `--expect-changed`); anything else not fresh fails (converged too: the run proves
//! or fails), unreachable is an error; a path gone on every pod passes, as `gone`, when proven by
//! its 404 (`--allow-gone`) and fails without; a path no step judged passes as what was done to
//! it. The message gives the reason and says when the CDN was left alone or failed to clear.

use super::report::{CdnAction, PathResult, Report};
use crate::report::ci::{Case, Status, first_clause};
use crate::verify::Verdict;

pub fn cases(r: &Report) -> Vec<Case> {
    r.paths.iter().map(|p| case(p, r.expect_changed)).collect()
}

fn case(p: &PathResult, expect_changed: bool) -> Case {
    let status = match p.verdict {
        // A path proven fresh whose CDN could not be cleared: the run failed for it.
        _ if p.cdn == CdnAction::Failed => Status::Failed,
        // Gone without --allow-gone: the run's failure (exit 3), neither verified nor cleared.
        None if p.gone => Status::Failed,
        None | Some(Verdict::Fresh) => Status::Passed,
        Some(Verdict::Unchanged) if !expect_changed => Status::Warned,
        Some(Verdict::Unreachable) => Status::Error,
        Some(_) => Status::Failed,
    };
    let outcome = match p.verdict {
        Some(Verdict::Fresh) | None if p.cdn == CdnAction::Failed => "cdn-failed",
        Some(Verdict::Fresh) | None if p.gone => "gone",
        Some(v) => v.name(),
        None if p.revalidated.is_some() => "revalidated",
        None => "not-checked",
    };
    let mut detail = Vec::new();
    if let Some((done, of)) = p.revalidated {
        detail.push(format!("revalidated on {done} of {of} pods"));
    }
    if let Some(v) = p.pods {
        detail.push(format!("pods: {}", v.name()));
    }
    let cdn = match p.cdn {
        CdnAction::Cleared => Some("CDN cleared"),
        CdnAction::Failed => Some("clearing the CDN failed"),
        CdnAction::LeftAlone if p.gone && p.pods.is_none() => {
            Some("CDN left alone: a deleted page is cleared only with --allow-gone")
        }
        CdnAction::LeftAlone => Some("CDN left alone: it would cache a stale copy again"),
        CdnAction::NotRun => None,
    };
    detail.extend(cdn.map(str::to_string));
    if let Some(v) = p.edge {
        detail.push(format!("edge: {}", v.name()));
    }
    if let Some(reason) = &p.reason {
        detail.push(reason.clone());
    }
    if status == Status::Passed {
        return Case::passed(&p.path, outcome);
    }
    let mut message = p
        .reason
        .as_deref()
        .map_or_else(|| outcome.to_string(), |r| first_clause(r).to_string());
    match p.cdn {
        CdnAction::LeftAlone => message.push_str("; CDN left alone"),
        CdnAction::Failed => message.push_str("; clearing the CDN failed"),
        CdnAction::Cleared | CdnAction::NotRun => {}
    }
    Case {
        name: p.path.clone(),
        status,
        outcome: outcome.to_string(),
        message,
        detail: detail.join("\n"),
    }
}
