//! Human renderings of each step's report: pure functions from a report to text, so they can be
//! unit-tested; the [`super::Reporter`] writes them. Tables stay readable at 1,000 paths: one row
//! a path, then every failing cell in full, then one hint per kind of failure, then one total line.

use super::table::{Cell as TCell, Paint, Table};
use super::{Style, short_duration};
use crate::fanout::{self, Outcome};

/// Outcome counts as "3 revalidated, 1 unreachable".
fn outcome_counts(map: &std::collections::BTreeMap<Outcome, usize>) -> String {
    map.iter()
        .map(|(o, n)| format!("{n} {}", o.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn fanout(r: &fanout::Report, style: &Style) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} {} × {} · mode {} ({}) · {}\n\n",
        style.bold("revalidate fanout:"),
        plural(r.paths.len(), "path", "paths"),
        plural(r.targets.len(), "pod", "pods"),
        match r.mode {
            crate::cli::Mode::Nextjs => "nextjs",
            crate::cli::Mode::Endpoint => "endpoint",
        },
        r.method,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    ));

    let pods = r.targets.len();
    let mut t = Table::new(&["PATH", "OK", "FAILED", "OUTCOMES"]);
    for row in &r.rows {
        let ok = TCell::new(
            format!("{}/{pods}", row.ok),
            if row.failed == 0 { Paint::Good } else { Paint::Warn },
        );
        let failed = if row.failed == 0 {
            TCell::new("-", Paint::Dim)
        } else {
            TCell::new(row.failed.to_string(), Paint::Bad)
        };
        t.row(vec![
            row.path.as_str().into(),
            ok,
            failed,
            outcome_counts(&row.outcomes).into(),
        ]);
    }
    out.push_str(&t.render(style));

    let failing: Vec<&fanout::Cell> = r.cells.iter().filter(|c| !c.ok).collect();
    if !failing.is_empty() {
        out.push_str(&format!("\n{}\n", style.bold(&format!("Failed cells ({}):", failing.len()))));
        let mut t = Table::new(&["PATH", "POD", "OUTCOME", "STATUS", "TRIES", "ERROR"]).indent(2);
        for c in &failing {
            t.row(vec![
                c.path.as_str().into(),
                c.pod.as_str().into(),
                TCell::new(c.outcome.name(), Paint::Bad),
                c.status.map_or("-".into(), |s| s.to_string()).into(),
                c.attempts.to_string().into(),
                c.error.clone().unwrap_or_default().into(),
            ]);
        }
        out.push_str(&t.render(style));
        let mut kinds: Vec<Outcome> = failing.iter().map(|c| c.outcome).collect();
        kinds.sort();
        kinds.dedup();
        let hints: Vec<&str> = kinds.iter().filter_map(|o| o.hint(r.mode)).collect();
        if !hints.is_empty() {
            out.push('\n');
            for h in hints {
                out.push_str(&format!("{} {h}\n", style.yellow("hint:")));
            }
        }
    }

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
    if let Some(stop) = r.stopped {
        out.push_str(&format!(
            " · {}",
            style.red(&format!("stopped early: {}", match stop {
                crate::http::Stop::Interrupted => "interrupted; this report is partial",
                crate::http::Stop::Deadline => "deadline reached; this report is partial",
            }))
        ));
    }
    out.push_str(&format!(" · exit {}\n", r.exit_code));
    out
}

pub fn fanout_dry_run(d: &fanout::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be sent ({} × {}); nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.requests.len(), "request", "requests"),
        plural(d.paths.len(), "path", "paths"),
        plural(d.targets.len(), "pod", "pods"),
    );
    for r in &d.requests {
        out.push_str(&format!("{} {}\n", r.method, r.url));
        for (n, v) in &r.headers {
            out.push_str(&format!("  {n}: {v}\n"));
        }
        if let Some(b) = &r.body {
            out.push_str(&format!("  body: {b}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::parse_spec;

    fn cell(path: usize, pod: usize, outcome: Outcome, ok: bool) -> fanout::Cell {
        fanout::Cell {
            path: format!("/p{path}"),
            pod: format!("pod-{pod}"),
            outcome,
            ok,
            status: Some(200),
            cache: None,
            latency_ms: 1.0,
            attempts: 1,
            error: (!ok).then(|| "connect error: refused".to_string()),
            path_index: path,
            target_index: pod,
        }
    }

    #[test]
    fn fanout_table_lists_rows_failures_hints_and_totals() {
        let targets = vec![
            parse_spec("pod-0=http://127.0.0.1:1").unwrap(),
            parse_spec("pod-1=http://127.0.0.1:2").unwrap(),
        ];
        let plan = fanout::Plan {
            paths: vec![
                crate::paths::UrlPath::parse("/p0", crate::paths::Purpose::Pod).unwrap(),
                crate::paths::UrlPath::parse("/p1", crate::paths::Purpose::Pod).unwrap(),
            ],
            targets,
            how: fanout::How::Nextjs {
                method: crate::cli::RevalidateMethod::Head,
                only_generated: false,
                preview_id: crate::secret::Secret::new("x", "test"),
            },
            allow_gone: false,
        };
        let cells = vec![
            cell(0, 0, Outcome::Revalidated, true),
            cell(0, 1, Outcome::Revalidated, true),
            cell(1, 0, Outcome::Revalidated, true),
            cell(1, 1, Outcome::Unreachable, false),
        ];
        let r = fanout::report(&plan, cells, (std::time::SystemTime::now(), std::time::Instant::now()), None);
        let text = fanout(&r, &Style { color: false });
        assert!(text.contains("2 paths × 2 pods · mode nextjs (HEAD)"), "{text}");
        assert!(text.contains("/p0   2/2  -       2 revalidated"), "{text}");
        assert!(text.contains("/p1   1/2  1       1 revalidated, 1 unreachable"), "{text}");
        assert!(text.contains("Failed cells (1):"), "{text}");
        assert!(text.contains("/p1   pod-1  unreachable  200     1      connect error: refused"), "{text}");
        assert!(text.contains("hint: unreachable:"), "{text}");
        assert!(text.contains("4 cells: 3 revalidated, 1 unreachable · 1 failed · exit 3"), "{text}");
    }
}
