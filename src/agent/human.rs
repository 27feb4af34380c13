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
        .filter(|c| c.paths > 0 || c.tags > 0 || c.state != "done")
    {
        let applied = c.tags - c.tags_unapplied;
        let tags = if applied > 0 {
            format!(" and {}", plural(applied, "tag", "tags"))
        } else {
            String::new()
        };
        let unapplied = if c.tags_unapplied > 0 {
            format!(
                " · {} not applied (no --tag-endpoint)",
                plural(c.tags_unapplied, "tag", "tags")
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  catch-up ({}): {} of {}{tags} changed since {} · {} revalidated, {} failed, {} skipped{unapplied}\n",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(catch_up: agent::CatchUp) -> agent::Report {
        agent::Report {
            duration_ms: 1000.0,
            pod: "web-0".into(),
            target: "http://127.0.0.1:3000".into(),
            redis: "redis://127.0.0.1:6379".into(),
            channel: "revalidate".into(),
            sharded: false,
            stream: None,
            health: None,
            handled: Vec::new(),
            totals: agent::Totals::default(),
            catch_up: Some(catch_up),
            ended_by: None,
            shutdown: agent::Shutdown::default(),
            warnings: Vec::new(),
            exit_code: 0,
        }
    }

    fn line(c: agent::CatchUp) -> String {
        let style = Style {
            color: false,
            verbose: 0,
        };
        agent(&report(c), &style)
            .lines()
            .find(|l| l.contains("catch-up"))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    #[test]
    fn the_catch_up_line_names_the_tags_applied_and_those_that_could_not_be() {
        let base = agent::CatchUp {
            since: "the build".into(),
            state: "done".into(),
            paths: 2,
            revalidated: 2,
            ..Default::default()
        };
        assert_eq!(
            line(agent::CatchUp {
                tags: 1,
                revalidated: 3,
                ..base.clone()
            }),
            "catch-up (done): 3 of 2 paths and 1 tag changed since the build · 3 revalidated, 0 failed, 0 skipped"
        );
        assert_eq!(
            line(agent::CatchUp {
                tags: 2,
                tags_unapplied: 2,
                ..base.clone()
            }),
            "catch-up (done): 2 of 2 paths changed since the build · 2 revalidated, 0 failed, 0 skipped · 2 tags not applied (no --tag-endpoint)"
        );
        assert_eq!(
            line(base),
            "catch-up (done): 2 of 2 paths changed since the build · 2 revalidated, 0 failed, 0 skipped"
        );
    }
}
