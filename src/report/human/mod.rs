//! Human renderings of each step's report: pure functions from a report to text, so they can be
//! unit-tested and pinned by snapshots; the [`super::Reporter`] writes them. Tables stay readable
//! at 1,000 paths: one row a path, then every failing cell in full, then one hint per kind of
//! failure, then one total line.

mod agent;
mod cdn;
mod config;
mod fanout;
mod kubernetes;
mod publish;
mod verify;
mod watch;

pub use cdn::{
    cdn_invalidate, cdn_invalidate_dry_run, cdn_plan, cdn_purge, cdn_purge_dry_run, cdn_status,
};
pub use config::config;
pub use fanout::{fanout, fanout_dry_run};
pub use kubernetes::{discover, recheck};
pub use verify::{verify, verify_dry_run};

// Redis steps (issue 8).
pub use agent::agent;
pub use publish::{publish, publish_dry_run};
pub use watch::{channel_width, link_line, watch, watch_header, watch_line};

use super::{StepReport, Style};
use crate::exit::Stop;
use crate::report::table::{Cell as TCell, Paint, Table};

/// Any step's report, as people read it.
pub fn step(r: &StepReport, style: &Style) -> String {
    match r {
        StepReport::Discover(r) => discover(r, style),
        StepReport::Recheck(r) => recheck(r, style),
        StepReport::Fanout(r) => fanout(r, style),
        StepReport::Verify(r) => verify(r, style),
        StepReport::FanoutDryRun(d) => fanout_dry_run(d, style),
        StepReport::VerifyDryRun(d) => verify_dry_run(d, style),
        StepReport::CdnInvalidate(r) => cdn_invalidate(r, style),
        StepReport::CdnInvalidateDryRun(d) => cdn_invalidate_dry_run(d, style),
        StepReport::CdnStatus(r) => cdn_status(r, style),
        StepReport::CdnPurge(r) => cdn_purge(r, style),
        StepReport::CdnPurgeDryRun(d) => cdn_purge_dry_run(d, style),
        StepReport::Publish(r) => publish(r, style),
        StepReport::PublishDryRun(d) => publish_dry_run(d, style),
        StepReport::Watch(r) => watch(r, style),
        StepReport::Agent(r) => agent(r, style),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The end of a total line: why the run stopped early, and the exit code.
fn ending(stopped: Option<Stop>, exit_code: u8, style: &Style) -> String {
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
fn aligned(indent: &str, lines: &[(String, String, String)]) -> String {
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
struct FailedCall<'a> {
    path: &'a str,
    target: &'a str,
    outcome: &'static str,
    status: Option<u16>,
    attempts: u32,
    error: Option<&'a str>,
}

/// Every failed call in full under `title`, then one hint per kind of failure (`hints` in order,
/// repeats dropped). Nothing when no call failed.
fn failed_calls(
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
fn requests(rs: &[crate::transport::RequestView]) -> String {
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
