//! Units of time as this program writes them: RFC 3339 timestamps, milliseconds in JSON and
//! short durations for people. A leaf: every layer may use it, it uses nothing of the program.

use std::time::{Duration, SystemTime};

/// An RFC 3339 timestamp with milliseconds, UTC.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Milliseconds as a float with microsecond precision, for JSON.
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// A short human duration: "850ms", "1.24s", "2m03s".
pub fn short_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}
