//! Normalisation: how bodies are made comparable before hashing, for pages that render a value
//! per generation (timestamps, nonces) and would otherwise differ on every pod.
//!
//! Invariant: an ignored value is replaced by a fixed token, never removed, so ignoring leaves a
//! mark in the hash; the description of what was asked is part of every snapshot, so hashes are
//! only ever compared under the same normalisation.

use regex::bytes::Regex;

use crate::choices::IgnorePreset;
use crate::error::ConfigError;

/// Replaces what normalisation ignores, so ignored values still leave a mark in the hash.
const TOKEN: &[u8] = b"<ignored>";
/// ISO 8601 date-times (a date alone is content, not a generation stamp, and is kept).
const ISO_DATETIME: &str =
    r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?\b";
/// Epoch milliseconds as a JSON field value ("ts":1764246059597), years 2001 to 2286.
const EPOCH_MS_FIELD: &str = r#"("[^"\\]{1,64}"\s*:\s*)1\d{12}\b"#;
/// CSP nonces as attributes.
const NONCE_ATTR: &str = r#"nonce=(?:"[^"]*"|'[^']*')"#;
/// How bodies are made comparable before hashing.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// (pattern, replacement) in order: presets first, then --ignore.
    rules: Vec<(Regex, Vec<u8>)>,
    select: Option<Regex>,
    /// What was asked, for reports and snapshot compatibility.
    pub description: Vec<String>,
}

impl Normalizer {
    pub fn new(
        presets: &[IgnorePreset],
        ignore: &[String],
        select: Option<&str>,
    ) -> Result<Normalizer, ConfigError> {
        let mut n = Normalizer::default();
        let compile = |re: &str, what: &str| {
            Regex::new(re).map_err(|e| {
                ConfigError(format!(
                    "{what} {re:?} is not a valid regular expression: {e}"
                ))
            })
        };
        for p in presets {
            match p {
                IgnorePreset::Timestamps => {
                    n.rules
                        .push((compile(ISO_DATETIME, "preset")?, TOKEN.to_vec()));
                    n.rules.push((
                        compile(EPOCH_MS_FIELD, "preset")?,
                        b"${1}<ignored>".to_vec(),
                    ));
                    n.description.push("preset:timestamps".into());
                }
                IgnorePreset::Nonces => {
                    n.rules.push((
                        compile(NONCE_ATTR, "preset")?,
                        b"nonce=\"<ignored>\"".to_vec(),
                    ));
                    n.description.push("preset:nonces".into());
                }
            }
        }
        for re in ignore {
            n.rules.push((compile(re, "--ignore")?, TOKEN.to_vec()));
            n.description.push(format!("ignore:{re}"));
        }
        if let Some(s) = select {
            let re = compile(s, "--select")?;
            if re.captures_len() < 2 {
                return Err(ConfigError(format!(
                    "--select {s:?} has no capture group: wrap the part to hash in ( )"
                )));
            }
            n.select = Some(re);
            n.description.push(format!("select:{s}"));
        }
        Ok(n)
    }

    /// Whether bodies must be held whole (normalisation or selection needs the entire text).
    pub fn needs_body(&self) -> bool {
        !self.rules.is_empty() || self.select.is_some()
    }

    /// The bytes to hash: the selected part, with ignored matches replaced.
    pub fn apply<'a>(&self, body: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>, String> {
        let mut text: std::borrow::Cow<'a, [u8]> = std::borrow::Cow::Borrowed(body);
        if let Some(sel) = &self.select {
            match sel.captures(body).and_then(|c| c.get(1)) {
                Some(m) => text = std::borrow::Cow::Borrowed(&body[m.range()]),
                None => return Err("--select matched nothing in this body".into()),
            }
        }
        for (re, rep) in &self.rules {
            if let std::borrow::Cow::Owned(o) = re.replace_all(&text, rep.as_slice()) {
                text = std::borrow::Cow::Owned(o);
            }
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizer_presets() {
        let n =
            Normalizer::new(&[IgnorePreset::Timestamps, IgnorePreset::Nonces], &[], None).unwrap();
        let a = br#"<time dateTime="2026-11-27T12:21:04.693Z">2026-11-27T12:21:04.693Z</time> {"generatedAt":"2026-11-27T12:21:04.693Z","ts":1764246059597} <script nonce="abc">"#;
        let b = br#"<time dateTime="2026-11-27T12:21:04.760Z">2026-11-27T12:21:04.760Z</time> {"generatedAt":"2026-11-27T12:21:04.760Z","ts":1764246059999} <script nonce="xyz">"#;
        assert_eq!(n.apply(a).unwrap(), n.apply(b).unwrap());
        // A plain date is content, not a generation stamp.
        assert_ne!(
            n.apply(b"on 2026-11-27").unwrap(),
            n.apply(b"on 2026-11-28").unwrap()
        );
        // A 13-digit number outside a JSON field is content too.
        assert_ne!(
            n.apply(b"id 1764246059597").unwrap(),
            n.apply(b"id 1764246059598").unwrap()
        );
    }

    #[test]
    fn normalizer_select_and_ignore() {
        let n = Normalizer::new(&[], &["rev-\\d+".into()], Some("<main>(.*?)</main>")).unwrap();
        assert_eq!(
            &*n.apply(b"x<main>a rev-12 b</main>y").unwrap(),
            b"a <ignored> b"
        );
        assert!(n.apply(b"no main").is_err());
        assert!(Normalizer::new(&[], &[], Some("no group")).is_err());
    }
}
