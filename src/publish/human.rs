//! publish's table: one row a message (receivers as Redis counted them, against the expectation),
//! the acknowledgements that are missing or failed, the messages that failed, one hint per kind
//! of failure, the totals.

use std::collections::BTreeMap;

use crate::publish::{self, Outcome};
use crate::report::Style;
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
    out.push('\n');

    let acks = r.acks.is_some();
    let expected = r.expect.subscribers;
    let mut headers = vec!["PATH", "RECEIVERS"];
    if acks {
        headers.push("ACKS");
    }
    headers.extend(["OUTCOME", "ID"]);
    let mut t = Table::new(&headers);
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
        let mut row = vec![m.path.as_str().into(), receivers];
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
        t.row(row);
    }
    out.push_str(&t.render(style));

    if acks {
        let mut t = Table::new(&["PATH", "POD", "ACKNOWLEDGED"]).indent(2);
        let mut n = 0;
        for m in &r.messages {
            for a in m
                .acks
                .iter()
                .filter(|a| !matches!(a.outcome.as_str(), "revalidated" | "not-generated"))
            {
                n += 1;
                t.row(vec![
                    m.path.as_str().into(),
                    a.pod.as_str().into(),
                    TCell::new(a.outcome.as_str(), Paint::Bad),
                ]);
            }
            for p in m
                .missing_pods
                .iter()
                .filter(|p| !m.acks.iter().any(|a| &a.pod == *p))
            {
                n += 1;
                t.row(vec![
                    m.path.as_str().into(),
                    p.as_str().into(),
                    TCell::new("no acknowledgement", Paint::Bad),
                ]);
            }
        }
        if n > 0 {
            out.push_str(&format!(
                "\n{}\n",
                style.bold(&format!("Not acknowledged as revalidated ({n}):"))
            ));
            out.push_str(&t.render(style));
        }
    }

    let failing: Vec<&publish::Message> = r.messages.iter().filter(|m| m.error.is_some()).collect();
    if !failing.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            style.bold(&format!("Not published ({}):", failing.len()))
        ));
        let mut t = Table::new(&["PATH", "OUTCOME", "ERROR"]).indent(2);
        for m in failing.iter().take(20) {
            t.row(vec![
                m.path.as_str().into(),
                TCell::new(m.outcome.name(), Paint::Bad),
                m.error.clone().unwrap_or_default().into(),
            ]);
        }
        out.push_str(&t.render(style));
        if failing.len() > 20 {
            out.push_str(&format!("  … and {} more\n", failing.len() - 20));
        }
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
