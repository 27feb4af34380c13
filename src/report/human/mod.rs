//! The pieces every step's human rendering is made of (each step renders its own report, in its
//! module's `human.rs`: pure functions from a report to text, unit-tested and pinned by
//! snapshots): counts, the total line's ending, aligned rows, the table of failed calls with
//! their hints, a dry run's requests, a Redis connection's news. Tables stay readable at 1,000
//! paths: one row a path, then every failing cell in full, then one hint per kind of failure,
//! then one total line.

mod config;

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

/// Rows as aligned `a  b  c` lines (the last column is free text).
pub fn aligned(indent: &str, lines: &[(String, String, String)]) -> String {
    let w = lines.iter().map(|l| l.1.chars().count()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(h, pods, what)| {
            let pad = " ".repeat(w - pods.chars().count());
            format!("{indent}{h}  {pods}{pad}  {what}")
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

/// Every failed call in full under `title`, then one hint per kind of failure (`hints` in order,
/// repeats dropped). Nothing when no call failed.
pub fn failed_calls(
    title: &str,
    target_header: &str,
    calls: &[FailedCall<'_>],
    hints: impl IntoIterator<Item = &'static str>,
    style: &Style,
) -> String {
    if calls.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", style.bold(&format!("{title} ({}):", calls.len())));
    let mut t =
        Table::new(&["PATH", target_header, "OUTCOME", "STATUS", "TRIES", "ERROR"]).indent(2);
    for c in calls {
        t.row(vec![
            c.path.into(),
            c.target.into(),
            TCell::new(c.outcome, Paint::Bad),
            c.status.map_or("-".into(), |s| s.to_string()).into(),
            c.attempts.to_string().into(),
            c.error.unwrap_or_default().into(),
        ]);
    }
    out.push_str(&t.render(style));
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
