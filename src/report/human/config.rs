//! `revalidate config` for people: the file and profile, then every key with its value and
//! where it came from (secrets redacted, credentials masked).

use crate::config::{Config, DEFAULT_FILE, Entry};

pub fn config(c: &Config, extra: &[Entry]) -> String {
    let mut s = format!(
        "# config file: {}\n",
        c.file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| format!("none (no ./{DEFAULT_FILE})"))
    );
    s.push_str(&format!(
        "# profile: {}{}\n",
        c.profile.as_deref().unwrap_or("none"),
        if c.profiles.is_empty() {
            String::new()
        } else {
            format!(" (defined: {})", c.profiles.join(", "))
        }
    ));
    let rows: Vec<Entry> = c.entries().into_iter().chain(extra.iter().cloned()).collect();
    let w = rows
        .iter()
        .map(|e| e.key.len() + e.value.len() + 3)
        .max()
        .unwrap_or(0);
    for e in rows {
        let left = format!("{} = {}", e.key, e.value);
        if e.source.is_empty() {
            s.push_str(&format!("{left}\n"));
        } else {
            s.push_str(&format!("{left:<w$}  # {}\n", e.source));
        }
    }
    s
}
