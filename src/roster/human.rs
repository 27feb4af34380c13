//! agents as people read them: a header line (channel, Redis, subscribers), a table of the
//! registered agents (live first), the configured pods with no live agent and the live agents
//! that are no configured pod, then a total line.

use std::time::Duration;

use super::{Report, State};
use crate::report::Style;
use crate::report::human::{ending, plural};
use crate::report::table::{Cell, Paint, Table};
use crate::units::short_duration;

/// An age as "12s ago".
fn ago(ms: f64) -> String {
    format!("{} ago", short_duration(Duration::from_millis(ms as u64)))
}

/// How long ago `time` was, given that `heartbeat` was `heartbeat_age_ms` ago.
fn age_of(time: &str, heartbeat: &str, heartbeat_age_ms: f64) -> String {
    let parse = |t: &str| humantime::parse_rfc3339(t).ok();
    match (parse(time), parse(heartbeat)) {
        (Some(t), Some(h)) => {
            let before = h.duration_since(t).unwrap_or_default();
            ago(heartbeat_age_ms + before.as_millis() as f64)
        }
        _ => time.to_string(),
    }
}

pub fn roster(r: &Report, style: &Style) -> String {
    let mut out = format!(
        "{} {} · {} · {} ({})\n\n",
        style.bold("revalidate agents:"),
        r.channel,
        r.redis,
        plural(r.subscribers as usize, "subscriber", "subscribers"),
        r.counted_by,
    );
    if !r.agents.is_empty() {
        let mut t = Table::new(&[
            "POD",
            "STATE",
            "BUILD",
            "VERSION",
            "STARTED",
            "LAST MESSAGE",
            "HEARTBEAT",
        ]);
        for a in &r.agents {
            let (state, paint) = match (a.state, a.configured) {
                (State::Live, Some(false)) => ("live, not configured", Paint::Warn),
                (State::Live, _) => ("live", Paint::Good),
                (State::Expired, _) => ("expired", Paint::Bad),
            };
            t.row(vec![
                a.pod.as_str().into(),
                Cell::new(state, paint),
                a.build_id.clone().unwrap_or_else(|| "-".into()).into(),
                a.version.as_str().into(),
                age_of(&a.started, &a.heartbeat, a.heartbeat_age_ms).into(),
                a.last_message
                    .as_deref()
                    .map_or("-".to_string(), |m| {
                        age_of(m, &a.heartbeat, a.heartbeat_age_ms)
                    })
                    .into(),
                Cell::new(
                    ago(a.heartbeat_age_ms),
                    if a.state == State::Live {
                        Paint::Plain
                    } else {
                        Paint::Bad
                    },
                ),
            ]);
        }
        out.push_str(&t.render(style));
        out.push('\n');
    }
    if !r.missing.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            style.red("no live agent:"),
            r.missing.join(", ")
        ));
    }
    if !r.unexpected.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            style.yellow("not a configured pod:"),
            r.unexpected.join(", ")
        ));
    }
    for (build, pods) in &r.builds {
        out.push_str(&format!("build {build}: {}\n", pods.join(", ")));
    }
    let mut total = vec![plural(r.totals.live, "live agent", "live agents")];
    if r.totals.expired > 0 {
        total.push(format!("{} expired", r.totals.expired));
    }
    if let Some(pods) = &r.pods {
        total.push(format!(
            "{} of {} with a live agent",
            pods.len() - r.totals.missing,
            plural(pods.len(), "pod", "pods")
        ));
    }
    let line = total.join(" · ");
    out.push_str(&if r.exit_code == 0 {
        style.green(&line)
    } else {
        style.red(&line)
    });
    out.push_str(&ending(None, r.exit_code, style));
    out
}
