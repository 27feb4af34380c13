//! publish's table: one row a message (receivers as Redis counted them, against the expectation;
//! rows alike folded in a long run), the acknowledgements that are missing or failed and the
//! messages that failed, one row a cause, one hint per kind of failure, the totals.

use std::collections::BTreeMap;

use crate::publish::{self, Outcome};
use crate::report::Style;
use crate::report::human::group::{Causes, PathRows, named, one_a_row, without_path};
use crate::report::human::{ending, plural};
use crate::report::table::{Cell as TCell, Paint, Table};
use crate::units::short_duration;

fn counts(map: &BTreeMap<Outcome, usize>) -> String {
    map.iter()
        .map(|(o, n)| format!("{n} {}", o.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn paint(o: Outcome) -> Paint {
    if o.is_ok() { Paint::Good } else { Paint::Bad }
}

pub fn publish(r: &publish::Report, style: &Style) -> String {
    let mut out = format!(
        "{} {} on {} ({}) · {} · expecting {} ({}) · {}\n",
        style.bold("revalidate publish:"),
        plural(r.messages.len(), "message", "messages"),
        r.channel,
        r.command,
        r.redis,
        plural(r.expect.subscribers as usize, "subscriber", "subscribers"),
        r.expect.source,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    );
    if let Some(c) = &r.check {
        out.push_str(&format!(
            "check: PUBSUB {} counts {} on {}{}\n",
            if r.command == "SPUBLISH" {
                "SHARDNUMSUB"
            } else {
                "NUMSUB"
            },
            plural(c.subscribers.max(0) as usize, "subscriber", "subscribers"),
            r.channel,
            if c.subscribers == 0 && !c.forced {
                "; nothing was published"
            } else if c.subscribers == 0 {
                "; published anyway (--force)"
            } else {
                ""
            }
        ));
    }
    if let Some(s) = &r.stream {
        out.push_str(&format!("stream: {} (MAXLEN ~ {})\n", s.key, s.maxlen));
    }
    if let Some(a) = &r.acks {
        out.push_str(&format!(
            "acknowledgements: {} for {} (waited {})\n",
            a.channel,
            if r.expect.pods.is_empty() {
                plural(r.expect.subscribers as usize, "pod", "pods")
            } else {
                r.expect.pods.join(", ")
            },
            short_duration(std::time::Duration::from_secs_f64(a.waited_ms / 1000.0)),
        ));
    }
    if let Some(a) = r
        .agents
        .as_ref()
        .filter(|a| !a.live.is_empty() || !a.expired.is_empty())
    {
        let mut line = format!("registered agents: {} live", a.live.len());
        if !a.live.is_empty() && a.live.len() <= 10 {
            line.push_str(&format!(" ({})", a.live.join(", ")));
        }
        if !a.expired.is_empty() {
            let expired: Vec<String> = a
                .expired
                .iter()
                .map(|e| {
                    format!(
                        "{}, {} ago",
                        e.pod,
                        short_duration(std::time::Duration::from_millis(e.heartbeat_age_ms as u64))
                    )
                })
                .collect();
            line.push_str(&format!(
                " · {}",
                style.yellow(&format!(
                    "{} expired ({})",
                    a.expired.len(),
                    expired.join("; ")
                ))
            ));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');

    let acks = r.acks.is_some();
    let expected = r.expect.subscribers;
    let mut headers = vec!["RECEIVERS"];
    if acks {
        headers.push("ACKS");
    }
    headers.extend(["OUTCOME", "ID"]);
    let mut t = PathRows::new("PATH", "PATHS", &headers).own(&["ID"]);
    for m in &r.messages {
        let receivers = match m.receivers {
            Some(n) => TCell::new(
                format!("{n}/{expected}"),
                if n >= i64::from(expected) {
                    Paint::Good
                } else {
                    Paint::Warn
                },
            ),
            None => TCell::new("-", Paint::Dim),
        };
        let mut row = vec![receivers];
        if acks {
            let ok = m
                .acks
                .iter()
                .filter(|a| matches!(a.outcome.as_str(), "revalidated" | "not-generated"))
                .map(|a| a.pod.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            row.push(TCell::new(
                format!("{ok}/{expected}"),
                if ok >= expected as usize {
                    Paint::Good
                } else {
                    Paint::Warn
                },
            ));
        }
        row.push(TCell::new(m.outcome.name(), paint(m.outcome)));
        row.push(TCell::new(m.id.as_str(), Paint::Dim));
        t.row(m.subject(), row);
    }
    out.push_str(&t.render(style));

    if acks {
        // (path, pod, what it acknowledged)
        let subjects: Vec<String> = r.messages.iter().map(|m| m.subject()).collect();
        let mut missing: Vec<(&str, &str, &str)> = Vec::new();
        for (m, subject) in r.messages.iter().zip(&subjects) {
            for a in m
                .acks
                .iter()
                .filter(|a| !matches!(a.outcome.as_str(), "revalidated" | "not-generated"))
            {
                missing.push((subject, &a.pod, &a.outcome));
            }
            for p in m
                .missing_pods
                .iter()
                .filter(|p| !m.acks.iter().any(|a| &a.pod == *p))
            {
                missing.push((subject, p, "no acknowledgement"));
            }
        }
        if !missing.is_empty() {
            out.push_str(&format!(
                "\n{}\n",
                style.bold(&format!(
                    "Not acknowledged as revalidated ({}):",
                    missing.len()
                ))
            ));
            out.push_str(&unacknowledged(&missing, style));
        }
    }

    let failing: Vec<&publish::Message> = r.messages.iter().filter(|m| m.error.is_some()).collect();
    if !failing.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            style.bold(&format!("Not published ({}):", failing.len()))
        ));
        out.push_str(&not_published(&failing, style));
    }
    if let Some(e) = &r.error {
        out.push_str(&format!("\n{} Redis: {e}\n", style.red("error:")));
    }
    let mut kinds: Vec<Outcome> = r.messages.iter().map(|m| m.outcome).collect();
    kinds.sort();
    kinds.dedup();
    let hints: Vec<&str> = kinds.iter().filter_map(|o| o.hint()).collect();
    if !hints.is_empty() {
        out.push('\n');
        for h in hints {
            out.push_str(&format!("{} {h}\n", style.yellow("hint:")));
        }
    }

    out.push('\n');
    let verdict = if r.totals.failed == 0 {
        style.green("all delivered")
    } else {
        style.red(&format!("{} not delivered", r.totals.failed))
    };
    let receivers = match (r.totals.receivers_min, r.totals.receivers_max) {
        (Some(a), Some(b)) if a == b => format!(
            " · {} each",
            plural(a.max(0) as usize, "receiver", "receivers")
        ),
        (Some(a), Some(b)) => format!(" · {a} to {b} receivers"),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{}: {}{receivers} · {verdict}",
        plural(r.totals.messages, "message", "messages"),
        counts(&r.totals.outcomes),
    ));
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}

/// The acknowledgements missing or failed: a row each when they are a handful, else a row a
/// cause (what was acknowledged) naming the pods that answered so on the same paths.
fn unacknowledged(missing: &[(&str, &str, &str)], style: &Style) -> String {
    if one_a_row(missing.len()) {
        let mut t = Table::new(&["PATH", "POD", "ACKNOWLEDGED"]).indent(2);
        for (path, pod, what) in missing {
            t.row(vec![
                (*path).into(),
                (*pod).into(),
                TCell::new(*what, Paint::Bad),
            ]);
        }
        return t.render(style);
    }
    let mut causes: Causes<&str> = Causes::default();
    for (path, pod, what) in missing {
        causes.add(*what, pod, path);
    }
    let mut t = Table::new(&["COUNT", "PODS", "ACKNOWLEDGED", "PATHS"]).indent(2);
    for g in causes.groups() {
        t.row(vec![
            g.count.to_string().into(),
            g.targets.join(", ").into(),
            TCell::new(g.cause, Paint::Bad),
            named(&g.paths, style).into(),
        ]);
    }
    t.render(style)
}

/// The messages that were not published: a row each when they are a handful, else a row a
/// cause (the outcome and the error, the path taken out of it).
fn not_published(failing: &[&publish::Message], style: &Style) -> String {
    if one_a_row(failing.len()) {
        let mut t = Table::new(&["PATH", "OUTCOME", "ERROR"]).indent(2);
        for m in failing {
            t.row(vec![
                m.subject().into(),
                TCell::new(m.outcome.name(), Paint::Bad),
                m.error.clone().unwrap_or_default().into(),
            ]);
        }
        return t.render(style);
    }
    let subjects: Vec<String> = failing.iter().map(|m| m.subject()).collect();
    let mut causes: Causes<(&str, String)> = Causes::default();
    for (m, subject) in failing.iter().zip(&subjects) {
        let error = without_path(m.error.as_deref().unwrap_or_default(), subject);
        causes.add((m.outcome.name(), error), "", subject);
    }
    let mut t = Table::new(&["MESSAGES", "OUTCOME", "ERROR", "PATHS"]).indent(2);
    for g in causes.groups() {
        t.row(vec![
            g.count.to_string().into(),
            TCell::new(g.cause.0, Paint::Bad),
            g.cause.1.as_str().into(),
            named(&g.paths, style).into(),
        ]);
    }
    t.render(style)
}

pub fn publish_dry_run(d: &publish::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be published on {} ({}) at {}; nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.messages.len(), "message", "messages"),
        d.channel,
        d.command,
        d.redis,
    );
    if let Some(s) = &d.stream {
        out.push_str(&format!(
            "each also appended to the stream {} (MAXLEN ~ {})\n\n",
            s.key, s.maxlen
        ));
    }
    for m in &d.messages {
        out.push_str(&format!("{} {} {}\n", d.command, d.channel, m.message));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(path: &str, outcome: Outcome, error: &str) -> publish::Message {
        publish::Message {
            path: Some(path.into()),
            tag: None,
            id: format!("id{path}"),
            receivers: None,
            stream_id: None,
            outcome,
            ok: false,
            acks: Vec::new(),
            missing_pods: Vec::new(),
            error: Some(error.into()),
        }
    }

    #[test]
    fn messages_not_published_are_a_row_each_or_a_row_a_cause() {
        let style = Style::default();
        let mut ms: Vec<publish::Message> = (1..=8)
            .map(|i| {
                let p = format!("/p/{i}");
                message(&p, Outcome::Failed, &format!("connection reset after {p}"))
            })
            .collect();
        ms.push(message("/q", Outcome::NotSent, "the run stopped first"));
        let all: Vec<&publish::Message> = ms.iter().collect();
        assert_eq!(
            not_published(&all, &style),
            "  MESSAGES  OUTCOME   ERROR                          PATHS\n  \
             8         failed    connection reset after {path}  /p/1, /p/2, /p/3, /p/4, /p/5 and 3 more\n  \
             1         not-sent  the run stopped first          /q\n"
        );
        // A handful: each in full, the path in its own words.
        assert_eq!(
            not_published(&all[..2], &style),
            "  PATH  OUTCOME  ERROR\n  \
             /p/1  failed   connection reset after /p/1\n  \
             /p/2  failed   connection reset after /p/2\n"
        );
    }
}
