//! The agent's summary when it stops (its running log is on stderr, through tracing).

use crate::agent;
use crate::report::Style;
use crate::report::human::plural;
use crate::units::short_duration;

pub fn agent(r: &agent::Report, style: &Style) -> String {
    let mut out = format!(
        "{} {} on {} in {} · app {} · {}\n",
        style.bold(&format!("revalidate agent {}:", r.pod)),
        plural(r.totals.messages as usize, "message", "messages"),
        r.channel,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
        r.target,
        r.redis,
    );
    let outcomes = if r.totals.revalidations.is_empty() {
        "no revalidation".to_string()
    } else {
        r.totals
            .revalidations
            .iter()
            .map(|(o, n)| format!("{n} {o}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!(
        "  {outcomes} · {} skipped · {} invalid · acknowledgements: {} sent, {} failed · {}\n",
        plural(r.totals.duplicates as usize, "duplicate", "duplicates"),
        r.totals.invalid,
        r.totals.acks_sent,
        r.totals.acks_failed,
        plural(r.totals.reconnects as usize, "reconnect", "reconnects"),
    ));
    if let Some(c) = r
        .catch_up
        .as_ref()
        .filter(|c| c.paths > 0 || c.state != "done")
    {
        out.push_str(&format!(
            "  catch-up ({}): {} of {} changed since {} · {} revalidated, {} failed, {} skipped\n",
            c.state,
            c.revalidated + c.failed + c.skipped,
            plural(c.paths, "path", "paths"),
            c.since,
            c.revalidated,
            c.failed,
            c.skipped,
        ));
    }
    let by = match r.ended_by {
        Some(crate::exit::Stop::Terminated) => "SIGTERM",
        Some(crate::exit::Stop::Interrupted) => "Ctrl-C",
        Some(crate::exit::Stop::Deadline) => "--deadline",
        None => "its end",
    };
    let s = &r.shutdown;
    let how = if s.given_up == 0 && s.left == 0 {
        "every revalidation in flight finished".to_string()
    } else {
        s.describe()
    };
    out.push_str(&format!("stopped by {by}; {how} · exit {}\n", r.exit_code));
    out
}
