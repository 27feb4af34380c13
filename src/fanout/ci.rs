//! fanout's test cases for CI reports: one a path, failed when a pod failed it (in error when
//! no failing pod answered at all), naming the pods and their outcome, with every failed cell
//! and the hint of each kind of failure in the detail.

use std::collections::BTreeMap;

use super::{Cell, Outcome, PathRow, Report};
use crate::report::ci::{Case, Status, names};

/// Pods named a failure in a case's short message.
const NAMED: usize = 3;

pub fn cases(r: &Report) -> Vec<Case> {
    // The failed cells of each path (kept, in input order, whatever the output format: the
    // reporter asks for the failures when CI outputs are on).
    let mut failed: BTreeMap<usize, Vec<&Cell>> = BTreeMap::new();
    for c in r.cells.iter().filter(|c| !c.ok) {
        failed.entry(c.path_index).or_default().push(c);
    }
    r.rows
        .iter()
        .enumerate()
        .map(|(i, row)| case(r, row, failed.get(&i).map_or(&[][..], Vec::as_slice)))
        .collect()
}

fn case(r: &Report, row: &PathRow, failed: &[&Cell]) -> Case {
    if row.failed == 0 {
        let count = |o: Outcome| row.outcomes.get(&o).copied().unwrap_or(0);
        return if count(Outcome::Revalidated) > 0 {
            Case::passed(row.subject(), Outcome::Revalidated.name())
        } else if count(Outcome::NotGenerated) > 0 && count(Outcome::Gone) == 0 {
            Case {
                status: Status::Skipped,
                message: "not generated on any pod: nothing to revalidate".into(),
                ..Case::passed(row.subject(), Outcome::NotGenerated.name())
            }
        } else {
            Case::passed(row.subject(), Outcome::Gone.name())
        };
    }
    // The failures by outcome, most frequent first.
    let mut by: BTreeMap<Outcome, Vec<&str>> = BTreeMap::new();
    for c in failed {
        by.entry(c.outcome).or_default().push(&c.pod);
    }
    let mut kinds: Vec<(Outcome, Vec<&str>)> = by.into_iter().collect();
    kinds.sort_by_key(|(o, pods)| (std::cmp::Reverse(pods.len()), *o));
    let no_answer = |o: Outcome| matches!(o, Outcome::Unreachable | Outcome::Cancelled);
    let status = if failed.iter().all(|c| no_answer(c.outcome)) {
        Status::Error
    } else {
        Status::Failed
    };
    let total = r.targets.len();
    let message = if kinds.is_empty() {
        // The failed cells were not kept (cannot happen with CI outputs on): the counts say it.
        format!("failed on {} of {total} pods", row.failed)
    } else {
        kinds
            .iter()
            .map(|(o, pods)| {
                if pods.len() == total && total > 1 {
                    format!("{} on every pod ({total})", o.name())
                } else {
                    format!("{} on {}", o.name(), names(pods, NAMED))
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut detail: Vec<String> = failed.iter().map(|c| cell_line(c)).collect();
    for (o, _) in &kinds {
        if let Some(h) = o.hint(r.mode) {
            detail.push(format!("hint: {h}"));
        }
    }
    Case {
        name: row.subject(),
        status,
        outcome: kinds
            .first()
            .map_or("failed", |(o, _)| o.name())
            .to_string(),
        message,
        detail: detail.join("\n"),
    }
}

/// "web-1: rejected, status 200, x-nextjs-cache HIT, 1 attempt: why".
fn cell_line(c: &Cell) -> String {
    let mut parts = vec![c.outcome.name().to_string()];
    if let Some(s) = c.status {
        parts.push(format!("status {s}"));
    }
    if let Some(cache) = &c.cache {
        parts.push(format!("x-nextjs-cache {cache}"));
    }
    parts.push(crate::report::human::plural(
        c.attempts as usize,
        "attempt",
        "attempts",
    ));
    let mut line = format!("{}: {}", c.pod, parts.join(", "));
    if let Some(e) = &c.error {
        line.push_str(&format!(": {e}"));
    }
    line
}
