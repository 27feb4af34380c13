//! The pieces every step's human rendering is made of (each step renders its own report, in its
//! module's `human.rs`: pure functions from a report to text, unit-tested and pinned by
//! snapshots): counts, the total line's ending, aligned rows, the table of failed calls with
//! their hints, a dry run's requests, a Redis connection's news. Output stays a few lines at
//! 1,000 paths ([`group`]): a table of one row a path folds its rows alike beyond a screenful,
//! failures are one row a cause naming its first paths (every path under `-v`), then one hint
//! per kind of failure, then one total line.

mod config;
pub mod group;

pub use config::config;

use super::Style;
use crate::exit::Stop;
use crate::redis::subscriber::LinkEvent;
use crate::report::table::{Cell as TCell, Paint, Table};
use crate::units::short_duration;

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The end of a total line: why the run stopped early, and the exit code.
pub fn ending(stopped: Option<Stop>, exit_code: u8, style: &Style) -> String {
    let mut out = String::new();
    if let Some(stop) = stopped {
        out.push_str(&format!(
            " · {}",
            style.red(&format!("stopped early: {}", stop.partial()))
        ));
    }
    out.push_str(&format!(" · exit {exit_code}\n"));
    out
}

/// Rows as aligned `a  b  c` lines (the last column is free text; an empty first column is
/// left out).
pub fn aligned(indent: &str, lines: &[(String, String, String)]) -> String {
    let w = lines.iter().map(|l| l.1.chars().count()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(h, pods, what)| {
            let pad = " ".repeat(w - pods.chars().count());
            let h = if h.is_empty() {
                String::new()
            } else {
                format!("{h}  ")
            };
            format!("{indent}{h}{pods}{pad}  {what}")
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect()
}

/// One failed call in a "Failed" table: fanout's (path, pod) cells, purge's (path, cache).
pub struct FailedCall<'a> {
    pub path: &'a str,
    pub target: &'a str,
    pub outcome: &'static str,
    pub status: Option<u16>,
    pub attempts: u32,
    pub error: Option<&'a str>,
}

/// The columns of a table of failed calls: what a call is counted as (`CELLS`), what it was
/// made to (`POD`, and `PODS` when a row names several), and whether it has an outcome.
#[derive(Clone, Copy, Debug)]
pub struct Calls {
    pub count: &'static str,
    pub target: &'static str,
    pub targets: &'static str,
    pub outcome: bool,
}

/// The failed calls under `title` ([`calls_table`]), then one hint per kind of failure (`hints`
/// in order, repeats dropped). Nothing when no call failed.
pub fn failed_calls(
    title: &str,
    columns: Calls,
    calls: &[FailedCall<'_>],
    hints: impl IntoIterator<Item = &'static str>,
    style: &Style,
) -> String {
    if calls.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", style.bold(&format!("{title} ({}):", calls.len())));
    out.push_str(&calls_table(columns, calls, style));
    let mut seen = Vec::new();
    for h in hints {
        if !seen.contains(&h) {
            seen.push(h);
        }
    }
    if !seen.is_empty() {
        out.push('\n');
        for h in seen {
            out.push_str(&format!("{} {h}\n", style.yellow("hint:")));
        }
    }
    out
}

/// Failed calls as a table. A handful ([`group::HANDFUL`]) are a row each, in full: the path,
/// the target, the outcome, the status, the tries and the error. More are a row a cause (the
/// outcome, the status and the error with the path taken out): how many calls, the targets
/// that failed that way on the same paths, the status, the tries (a range when they differ),
/// the error, and the paths ([`group`]).
pub fn calls_table(columns: Calls, calls: &[FailedCall<'_>], style: &Style) -> String {
    if group::one_a_row(calls.len()) {
        let mut headers = vec!["PATH", columns.target];
        if columns.outcome {
            headers.push("OUTCOME");
        }
        headers.extend(["STATUS", "TRIES", "ERROR"]);
        let mut t = Table::new(&headers).indent(2);
        for c in calls {
            let mut row = vec![c.path.into(), c.target.into()];
            if columns.outcome {
                row.push(TCell::new(c.outcome, Paint::Bad));
            }
            row.extend([
                c.status.map_or("-".into(), |s| s.to_string()).into(),
                c.attempts.to_string().into(),
                c.error.unwrap_or_default().into(),
            ]);
            t.row(row);
        }
        return t.render(style);
    }
    type Cause = (&'static str, Option<u16>, String);
    let mut causes: group::Causes<Cause> = group::Causes::default();
    let mut tries: std::collections::HashMap<Cause, (u32, u32)> = Default::default();
    for c in calls {
        let cause = (
            c.outcome,
            c.status,
            group::without_path(c.error.unwrap_or_default(), c.path),
        );
        let t = tries
            .entry(cause.clone())
            .or_insert((c.attempts, c.attempts));
        *t = (t.0.min(c.attempts), t.1.max(c.attempts));
        causes.add(cause, c.target, c.path);
    }
    let mut headers = vec![columns.count];
    if columns.outcome {
        headers.push("OUTCOME");
    }
    headers.extend([columns.targets, "STATUS", "TRIES", "ERROR", "PATHS"]);
    let mut t = Table::new(&headers).indent(2);
    for g in causes.groups() {
        let (name, status, error) = &g.cause;
        let tries = match tries[&g.cause] {
            (a, b) if a == b => a.to_string(),
            (a, b) => format!("{a}-{b}"),
        };
        let mut row = vec![g.count.to_string().into()];
        if columns.outcome {
            row.push(TCell::new(*name, Paint::Bad));
        }
        row.extend([
            g.targets.join(", ").into(),
            status.map_or("-".into(), |s| s.to_string()).into(),
            tries.into(),
            error.as_str().into(),
            group::named(&g.paths, style).into(),
        ]);
        t.row(row);
    }
    t.render(style)
}

/// Every dry-run request, as `METHOD URL  (pod)` and its headers.
pub fn requests(rs: &[crate::transport::RequestView]) -> String {
    let mut out = String::new();
    for r in rs {
        out.push_str(&format!("{} {}  ({})\n", r.method, r.url, r.pod));
        for (n, v) in &r.headers {
            out.push_str(&format!("  {n}: {v}\n"));
        }
        if let Some(b) = &r.body {
            out.push_str(&format!("  body: {b}\n"));
        }
    }
    out
}

/// A lost, failing or regained connection, for stderr.
pub fn link_line(e: &LinkEvent, style: &Style) -> String {
    let what = match e.state.as_str() {
        "reconnected" => style.green(&format!(
            "reconnected to {} after {}; subscribed again",
            e.redis,
            short_duration(std::time::Duration::from_secs_f64(
                e.down_ms.unwrap_or(0.0) / 1000.0
            ))
        )),
        "lost" => style.yellow(&format!(
            "connection to {} lost ({}); reconnecting",
            e.redis,
            e.error.as_deref().unwrap_or("closed")
        )),
        "retrying" => style.yellow(&format!(
            "cannot reach {} (attempt {}: {}); retrying in {}",
            e.redis,
            e.attempt.unwrap_or(0),
            e.error.as_deref().unwrap_or(""),
            short_duration(std::time::Duration::from_secs_f64(
                e.retry_in_ms.unwrap_or(0.0) / 1000.0
            ))
        )),
        _ => format!("subscribed at {}", e.redis),
    };
    format!("{} {what}\n", style.bold("redis:"))
}
