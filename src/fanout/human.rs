//! fanout's table: one row a path (rows alike folded in a long run), the failed cells one row a
//! cause, one hint per kind of failure, the totals.

use std::collections::BTreeMap;

use crate::fanout::{self, Outcome};
use crate::report::Style;
use crate::report::human::group::PathRows;
use crate::report::human::{Calls, FailedCall, ending, failed_calls, plural, requests};
use crate::report::table::{Cell as TCell, Paint};
use crate::units::short_duration;

/// Outcome counts as "3 revalidated, 1 unreachable".
fn outcome_counts(map: &BTreeMap<Outcome, usize>) -> String {
    map.iter()
        .map(|(o, n)| format!("{n} {}", o.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn mode_name(m: crate::choices::Mode) -> &'static str {
    match m {
        crate::choices::Mode::Nextjs => "nextjs",
        crate::choices::Mode::Endpoint => "endpoint",
    }
}

pub fn fanout(r: &fanout::Report, style: &Style) -> String {
    let mut out = String::new();
    let tags = r.rows.iter().filter(|row| row.tag.is_some()).count();
    let items = match (r.rows.len() - tags, tags) {
        (_, 0) => plural(r.rows.len(), "path", "paths"),
        (0, t) => plural(t, "tag", "tags"),
        (p, t) => format!(
            "{} + {}",
            plural(p, "path", "paths"),
            plural(t, "tag", "tags")
        ),
    };
    out.push_str(&format!(
        "{} {items} × {} · mode {} ({}) · {}\n\n",
        style.bold("revalidate fanout:"),
        plural(r.targets.len(), "pod", "pods"),
        mode_name(r.mode),
        r.method,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    ));

    let pods = r.targets.len();
    let (one, many) = match (r.rows.len() - tags, tags) {
        (_, 0) => ("PATH", "PATHS"),
        (0, _) => ("TAG", "TAGS"),
        _ => ("PATH OR TAG", "PATHS AND TAGS"),
    };
    let mut t = PathRows::new(one, many, &["OK", "FAILED", "OUTCOMES"]);
    for row in &r.rows {
        let ok = TCell::new(
            format!("{}/{pods}", row.ok),
            if row.failed == 0 {
                Paint::Good
            } else {
                Paint::Warn
            },
        );
        let failed = if row.failed == 0 {
            TCell::new("-", Paint::Dim)
        } else {
            TCell::new(row.failed.to_string(), Paint::Bad)
        };
        t.row(
            match (&row.tag, tags == r.rows.len()) {
                (Some(tag), true) => tag.clone(),
                _ => row.subject(),
            },
            vec![ok, failed, outcome_counts(&row.outcomes).into()],
        );
    }
    out.push_str(&t.render(style));

    let failing: Vec<&fanout::Cell> = r.cells.iter().filter(|c| !c.ok).collect();
    let subjects: Vec<String> = failing.iter().map(|c| c.subject()).collect();
    let calls: Vec<FailedCall> = failing
        .iter()
        .zip(&subjects)
        .map(|(c, subject)| FailedCall {
            path: subject,
            target: &c.pod,
            outcome: c.outcome.name(),
            status: c.status,
            attempts: c.attempts,
            error: c.error.as_deref(),
        })
        .collect();
    // A tag's cell is the tag route's answer, whatever the mode of the paths.
    let mut kinds: Vec<(Outcome, crate::choices::Mode)> = failing
        .iter()
        .map(|c| {
            let mode = if c.tag.is_some() {
                crate::choices::Mode::Endpoint
            } else {
                r.mode
            };
            (c.outcome, mode)
        })
        .collect();
    kinds.sort_by_key(|(o, m)| (*o, *m as u8));
    kinds.dedup();
    let hints = kinds.into_iter().filter_map(|(o, m)| o.hint(m));
    out.push_str(&failed_calls(
        "Failed cells",
        Calls {
            count: "CELLS",
            target: "POD",
            targets: "PODS",
            outcome: true,
        },
        &calls,
        hints,
        style,
    ));

    out.push('\n');
    let verdict = if r.totals.failed == 0 {
        style.green("all done")
    } else {
        style.red(&format!("{} failed", r.totals.failed))
    };
    out.push_str(&format!(
        "{}: {} · {verdict}",
        plural(r.totals.cells, "cell", "cells"),
        outcome_counts(&r.totals.outcomes),
    ));
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}

pub fn fanout_dry_run(d: &fanout::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be sent ({} × {}); nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.requests.len(), "request", "requests"),
        match (d.paths.len(), d.tags.len()) {
            (p, 0) => plural(p, "path", "paths"),
            (0, t) => plural(t, "tag", "tags"),
            (p, t) => format!(
                "{} + {}",
                plural(p, "path", "paths"),
                plural(t, "tag", "tags")
            ),
        },
        plural(d.targets.len(), "pod", "pods"),
    );
    out.push_str(&requests(&d.requests));
    out
}
