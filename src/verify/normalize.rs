//! Normalisation: how bodies are made comparable before hashing, for pages that render a value
//! per generation (timestamps, nonces) and would otherwise differ on every pod.
//!
//! Invariant: an ignored value is replaced by a fixed token, never removed, so ignoring leaves a
//! mark in the hash (the one exception, the `nextjs` preset, restores what Next.js would have
//! rendered without the request's `_rsc` query); the description of what was asked is part of
//! every snapshot, so hashes are only ever compared under the same normalisation.

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
/// The `_rsc` query at the end of a URL in an App Router page's flight data: a pod that
/// regenerated the page through an RSC request (`RSC: 1` on `/p?_rsc=…`) stores HTML whose router
/// tree names `"b?_rsc="` where a regeneration through `/p` names `"b"` (measured on 16.4.6 and
/// 16.5.0; the quotes are escaped inside the HTML's script). Next.js appends `_rsc` last, with or
/// without a value (16-character SHA-256 or 5-character legacy hashes).
const RSC_QUERY: &str = r#"[?&]_rsc(?:=[A-Za-z0-9_-]{0,64})?(\\?")"#;
/// Below this share of what it was given (in thousandths), what normalisation keeps is "nearly
/// nothing": 1%.
const ERASED_PER_MILLE: usize = 10;

/// One rule of a normalisation: what it matches, what replaces it, and how people name it.
#[derive(Clone, Debug)]
struct Rule {
    re: Regex,
    replacement: Vec<u8>,
    /// The setting as given: `--ignore-preset timestamps`, `--ignore "(?s).*"`.
    label: String,
}

/// A body made comparable, and whether normalisation left anything to compare.
#[derive(Debug)]
pub struct Normalised<'a> {
    pub bytes: std::borrow::Cow<'a, [u8]>,
    /// Set when the body had content and normalisation left none of it, or under 1%. Such a body
    /// proves nothing, whatever its hash.
    pub erased: Option<Erased>,
}

/// Which setting erased a body, and what it left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erased {
    /// The setting as given: `--ignore "(?s).*"`.
    pub rule: String,
    /// `left 0 of 2027 bytes`.
    pub left: String,
}

impl std::fmt::Display for Erased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.rule, self.left)
    }
}

/// How bodies are made comparable before hashing.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    /// In order: presets first, then --ignore.
    rules: Vec<Rule>,
    select: Option<(Regex, String)>,
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
        let mut rule = |re: &str, replacement: &[u8], label: &str| -> Result<(), ConfigError> {
            n.rules.push(Rule {
                re: compile(re, "preset")?,
                replacement: replacement.to_vec(),
                label: label.to_string(),
            });
            Ok(())
        };
        for p in presets {
            match p {
                IgnorePreset::Timestamps => {
                    let label = "--ignore-preset timestamps";
                    rule(ISO_DATETIME, TOKEN, label)?;
                    rule(EPOCH_MS_FIELD, b"${1}<ignored>", label)?;
                }
                IgnorePreset::Nonces => {
                    rule(NONCE_ATTR, b"nonce=\"<ignored>\"", "--ignore-preset nonces")?;
                }
                IgnorePreset::Nextjs => rule(RSC_QUERY, b"${1}", "--ignore-preset nextjs")?,
            }
        }
        for p in presets {
            n.description.push(
                match p {
                    IgnorePreset::Timestamps => "preset:timestamps",
                    IgnorePreset::Nonces => "preset:nonces",
                    IgnorePreset::Nextjs => "preset:nextjs",
                }
                .into(),
            );
        }
        for re in ignore {
            n.rules.push(Rule {
                re: compile(re, "--ignore")?,
                replacement: TOKEN.to_vec(),
                label: format!("--ignore {re:?}"),
            });
            n.description.push(format!("ignore:{re}"));
        }
        if let Some(s) = select {
            let re = compile(s, "--select")?;
            if re.captures_len() < 2 {
                return Err(ConfigError(format!(
                    "--select {s:?} has no capture group: wrap the part to hash in ( )"
                )));
            }
            n.select = Some((re, format!("--select {s:?}")));
            n.description.push(format!("select:{s}"));
        }
        Ok(n)
    }

    /// Whether bodies must be held whole (normalisation or selection needs the entire text).
    pub fn needs_body(&self) -> bool {
        !self.rules.is_empty() || self.select.is_some()
    }

    /// The bytes to hash: the selected part, with ignored matches replaced; and whether that
    /// erased the body (see [`Normalised::erased`]).
    pub fn apply<'a>(&self, body: &'a [u8]) -> Result<Normalised<'a>, String> {
        self.apply_to(body, true)
    }

    /// As [`Normalizer::apply`]; for a variant of a page (`page` false: a data JSON, an RSC
    /// payload, which a selection written for the HTML need not match), a selection that matches
    /// nothing leaves the whole body to hash.
    pub fn apply_to<'a>(&self, body: &'a [u8], page: bool) -> Result<Normalised<'a>, String> {
        let mut text: std::borrow::Cow<'a, [u8]> = std::borrow::Cow::Borrowed(body);
        if let Some((sel, label)) = &self.select {
            match sel.captures(body).and_then(|c| c.get(1)) {
                Some(m) => text = std::borrow::Cow::Borrowed(&body[m.range()]),
                None if !page => {}
                None => return Err("--select matched nothing in this body".into()),
            }
            if !body.is_empty() && content(&text) == 0 {
                return Ok(Normalised {
                    erased: Some(Erased {
                        rule: label.clone(),
                        left: format!("selected nothing of {} bytes", body.len()),
                    }),
                    bytes: text,
                });
            }
        }
        let (given, given_len) = (content(&text), text.len());
        // The rule that removed the most, to name when little is left.
        let mut worst: Option<(usize, &str)> = None;
        for rule in &self.rules {
            let before = content(&text);
            if let std::borrow::Cow::Owned(o) =
                rule.re.replace_all(&text, rule.replacement.as_slice())
            {
                text = std::borrow::Cow::Owned(o);
            }
            let removed = before.saturating_sub(content(&text));
            if removed > 0 && worst.is_none_or(|(w, _)| removed > w) {
                worst = Some((removed, &rule.label));
            }
        }
        let kept = content(&text);
        let erased = match worst {
            Some((_, label)) if given > 0 && kept * 1000 < given * ERASED_PER_MILLE => {
                Some(Erased {
                    rule: label.to_string(),
                    left: format!("left {kept} of {given_len} bytes"),
                })
            }
            _ => None,
        };
        Ok(Normalised {
            bytes: text,
            erased,
        })
    }
}

/// The bytes of a normalised text that are content: neither ignored-value tokens nor whitespace.
fn content(text: &[u8]) -> usize {
    let tokens = memchr::memmem::find_iter(text, TOKEN).count();
    let blank = text.iter().filter(|b| b.is_ascii_whitespace()).count();
    text.len().saturating_sub(blank + tokens * TOKEN.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(n: &Normalizer, body: &[u8]) -> Vec<u8> {
        n.apply(body).unwrap().bytes.into_owned()
    }

    #[test]
    fn normalizer_presets() {
        let n =
            Normalizer::new(&[IgnorePreset::Timestamps, IgnorePreset::Nonces], &[], None).unwrap();
        let a = br#"<time dateTime="2026-11-27T12:21:04.693Z">2026-11-27T12:21:04.693Z</time> {"generatedAt":"2026-11-27T12:21:04.693Z","ts":1764246059597} <script nonce="abc">"#;
        let b = br#"<time dateTime="2026-11-27T12:21:04.760Z">2026-11-27T12:21:04.760Z</time> {"generatedAt":"2026-11-27T12:21:04.760Z","ts":1764246059999} <script nonce="xyz">"#;
        assert_eq!(norm(&n, a), norm(&n, b));
        // A plain date is content, not a generation stamp.
        assert_ne!(norm(&n, b"on 2026-11-27"), norm(&n, b"on 2026-11-28"));
        // A 13-digit number outside a JSON field is content too.
        assert_ne!(norm(&n, b"id 1764246059597"), norm(&n, b"id 1764246059598"));
    }

    #[test]
    fn the_nextjs_preset_removes_the_rsc_query_of_the_router_tree() {
        let n = Normalizer::new(&[IgnorePreset::Nextjs], &[], None).unwrap();
        // As real 16.4.6 HTML carries it (escaped inside a script), and an RSC payload (not).
        let plain = br#"0:{\"P\":null,\"c\":[\"\",\"app-posts\",\"b\"],\"q\":\"\"}"#;
        let via_rsc = br#"0:{\"P\":null,\"c\":[\"\",\"app-posts\",\"b?_rsc=\"],\"q\":\"\"}"#;
        assert_eq!(norm(&n, plain), norm(&n, via_rsc));
        let prefetched = br#"0:{\"c\":[\"\",\"app-posts\",\"b?_rsc=HEAvJdHAQJrUAe2K\"]}"#;
        assert_eq!(
            norm(&n, prefetched),
            br#"0:{\"c\":[\"\",\"app-posts\",\"b\"]}"#
        );
        assert_eq!(
            norm(&n, br#"0:{"c":["","s","b?q=1&_rsc=1a2b3"]}"#),
            br#"0:{"c":["","s","b?q=1"]}"#
        );
        // Content is kept: a post about `_rsc` is not a router tree.
        let text = b"<p>the ?_rsc= query</p>";
        assert_eq!(norm(&n, text), text.to_vec());
    }

    #[test]
    fn normalizer_select_and_ignore() {
        let n = Normalizer::new(&[], &["rev-\\d+".into()], Some("<main>(.*?)</main>")).unwrap();
        assert_eq!(norm(&n, b"x<main>a rev-12 b</main>y"), b"a <ignored> b");
        assert!(n.apply(b"no main").is_err());
        assert!(Normalizer::new(&[], &[], Some("no group")).is_err());
    }

    fn erased(n: &Normalizer, body: &[u8]) -> Option<String> {
        n.apply(body).unwrap().erased.map(|e| e.to_string())
    }

    #[test]
    fn a_normalisation_that_erases_the_page_says_which_setting_did() {
        let page = "<html><h1>Post A</h1><time>2026-11-27T12:21:04.693Z</time></html>".repeat(20);
        let page = page.as_bytes();
        let all = Normalizer::new(&[], &["(?s).*".into()], None).unwrap();
        assert_eq!(
            erased(&all, page).as_deref(),
            Some(format!("--ignore \"(?s).*\" left 0 of {} bytes", page.len()).as_str())
        );
        let none = Normalizer::new(&[], &[], Some("(x{0})")).unwrap();
        assert!(
            erased(&none, page)
                .unwrap()
                .starts_with("--select \"(x{0})\" selected nothing"),
        );
        // Nearly all: a few bytes left of a page.
        let most = Normalizer::new(
            &[IgnorePreset::Timestamps],
            &[
                "<h1>[^<]*</h1>|<html>|</html>".into(),
                "<time>|</time>".into(),
            ],
            None,
        )
        .unwrap();
        assert!(erased(&most, page).unwrap().contains("--ignore \"<h1>"));
        // What normalisation is for leaves the page: timestamps, or a selected title.
        let ts = Normalizer::new(&[IgnorePreset::Timestamps], &[], None).unwrap();
        assert_eq!(erased(&ts, page), None);
        let title = Normalizer::new(&[], &[], Some("<h1>(.*?)</h1>")).unwrap();
        assert_eq!(erased(&title, page), None);
        // An empty body has nothing to erase.
        assert_eq!(erased(&all, b""), None);
    }
}
