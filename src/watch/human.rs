//! watch's output: a header, one line a message as it arrives (fixed columns, since the lines are
//! written before the next message is known), a line on stderr per lost or regained connection,
//! and a total line at the end.

use crate::report::Style;
use crate::report::human::{ending, plural};
use crate::units::short_duration;
use crate::watch::{self, Seen};

/// The CHANNEL column's width for these channels and patterns.
pub fn channel_width(channels: &[String], patterns: &[String]) -> usize {
    channels
        .iter()
        .chain(patterns)
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max("CHANNEL".len())
}

pub fn watch_header(width: usize, style: &Style) -> String {
    style.bold(&format!(
        "{:<12}  {:<width$}  {:<16}  {:>7}  PATH",
        "TIME", "CHANNEL", "ID", "AGE"
    )) + "\n"
}

/// One message: time (UTC), channel, id, how long it took to arrive, and the path (or, for a
/// message without one, the message itself).
pub fn watch_line(m: &Seen, width: usize, style: &Style) -> String {
    let time = m.time.get(11..23).unwrap_or(&m.time);
    let age = m.age_ms.map_or("-".to_string(), |a| {
        short_duration(std::time::Duration::from_millis(a as u64))
    });
    let what = match (&m.path, &m.tag) {
        (Some(p), _) => p.clone(),
        (None, Some(t)) => format!("tag {t}"),
        (None, None) => style.yellow(&format!(
            "(no path) {:?}",
            m.payload.chars().take(80).collect::<String>()
        )),
    };
    format!(
        "{time:<12}  {:<width$}  {:<16}  {age:>7}  {what}\n",
        m.channel,
        m.id.as_deref().unwrap_or("-"),
    )
}

pub fn watch(r: &watch::Report, style: &Style) -> String {
    let mut topics: Vec<String> = r.channels.clone();
    topics.extend(r.patterns.iter().map(|p| format!("{p} (pattern)")));
    let mut out = format!(
        "\n{} on {} in {}",
        plural(r.totals.messages as usize, "message", "messages"),
        topics.join(", "),
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    );
    if r.totals.without_path > 0 {
        out.push_str(&format!(" ({} without a path)", r.totals.without_path));
    }
    if r.totals.reconnects > 0 {
        out.push_str(&format!(
            " · {}",
            plural(r.totals.reconnects as usize, "reconnect", "reconnects")
        ));
    }
    out.push_str(&format!(
        " · ended by {}",
        match r.ended {
            watch::Ended::Count => "--count",
            watch::Ended::Duration => "--duration",
            watch::Ended::Stopped => "a signal",
        }
    ));
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}
