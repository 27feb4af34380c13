//! verify's settings: normalisation, the content checks, the baseline, the edge and its
//! encodings, the wait.

use super::Config;
use super::Sourced;
use super::defaulted;
use super::value;
use crate::choices::Encoding;
use crate::choices::IgnorePreset;
use crate::error::ConfigError;

use std::path::PathBuf;
use std::time::Duration;

/// verify's settings.
#[derive(Debug, Clone)]
pub struct VerifySettings {
    pub ignore: Vec<String>,
    pub presets: Vec<IgnorePreset>,
    pub select: Option<String>,
    pub max_body: u64,
    /// Set when given (else 200 is expected, which proves nothing on its own).
    pub expect_status: Option<u16>,
    pub expect_contains: Option<String>,
    pub expect_regex: Option<String>,
    pub baseline: Option<PathBuf>,
    pub expect_changed: bool,
    pub save: Option<PathBuf>,
    pub headers: Vec<String>,
    pub wait: Option<Duration>,
    pub etag: bool,
    pub through: Option<String>,
    pub samples: u32,
    pub encodings: Vec<Encoding>,
    /// The variants to check besides the HTML; `None`: every variant each page has.
    pub variants: Option<Vec<crate::nextjs::Variant>>,
}

impl Config {
    pub fn verify(&self) -> Result<VerifySettings, ConfigError> {
        let s = self.verify_settings()?;
        if s.expect_changed && s.baseline.is_none() {
            return Err(ConfigError(
                "--expect-changed compares with a baseline: add --baseline FILE (a snapshot written by `verify --save FILE`)".into(),
            ));
        }
        Ok(s)
    }

    /// verify's settings, each checked alone (`run` brings its own baseline).
    pub(super) fn verify_settings(&self) -> Result<VerifySettings, ConfigError> {
        let r = &self.resolved;
        let s = VerifySettings {
            ignore: value(&r.verify_ignore).unwrap_or_default(),
            presets: value(&r.verify_ignore_presets)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.0)
                .collect(),
            select: value(&r.verify_select),
            max_body: defaulted(&r.verify_max_body).0,
            expect_status: value(&r.verify_expect_status).map(|c| c.0 as u16),
            expect_contains: value(&r.verify_expect_contains),
            expect_regex: value(&r.verify_expect_regex),
            baseline: r.verify_baseline.as_ref().map(Sourced::path),
            expect_changed: defaulted(&r.verify_expect_changed),
            save: r.verify_save.as_ref().map(Sourced::path),
            headers: value(&r.verify_headers).unwrap_or_default(),
            wait: value(&r.verify_wait).map(|s| s.0),
            etag: defaulted(&r.verify_etag),
            through: value(&r.verify_through),
            samples: defaulted(&r.verify_samples).0,
            encodings: defaulted(&r.verify_encodings)
                .into_iter()
                .map(|c| c.0)
                .collect(),
            variants: self.variants(),
        };
        if s.etag
            && let Some(v) = &s.variants
            && v.iter().any(|v| *v != crate::nextjs::Variant::Html)
        {
            return Err(self.bad(
                "variants",
                "--etag reads no bodies, and the data JSON and RSC variants are found in the page's body (16's RSC payloads have no ETag): drop --etag to check them",
            ));
        }
        if s.etag {
            let mut body_settings = Vec::new();
            for (key, set) in [
                ("verify.ignore", !s.ignore.is_empty()),
                ("verify.ignore_presets", !s.presets.is_empty()),
                ("verify.select", s.select.is_some()),
                ("verify.expect_contains", s.expect_contains.is_some()),
                ("verify.expect_regex", s.expect_regex.is_some()),
            ] {
                if set {
                    body_settings.push(format!(
                        "{} ({})",
                        Self::flag(key),
                        self.resolved
                            .shown(key)
                            .map(|x| x.1.to_string())
                            .unwrap_or_default()
                    ));
                }
            }
            if !body_settings.is_empty() {
                return Err(ConfigError(format!(
                    "--etag compares ETags from HEAD requests and cannot read bodies, but {} need{} them; drop --etag or those settings",
                    body_settings.join(", "),
                    if body_settings.len() == 1 { "s" } else { "" }
                )));
            }
        }
        if s.max_body == 0 {
            return Err(self.bad(
                "verify.max_body",
                "a body of at most 0 bytes leaves nothing to compare (every page would be too large); give e.g. 32MiB, or leave it unset",
            ));
        }
        if s.expect_contains.as_deref() == Some("") {
            return Err(self.bad(
                "verify.expect_contains",
                &format!("{VACUOUS}: every page contains the empty string; give text the new page has and the old one lacks"),
            ));
        }
        if let Some(re) = &s.expect_regex
            && matches_empty(re)
        {
            return Err(self.bad(
                "verify.expect_regex",
                &format!("{VACUOUS}: this pattern can match zero characters, so it holds on any page; give a pattern that must match text only the new page has"),
            ));
        }
        if s.encodings.is_empty() {
            return Err(ConfigError(
                "verify.encodings is empty: name at least one of identity, gzip, br".into(),
            ));
        }
        Ok(s)
    }
}

/// The rule a content check breaks when it can hold on any page.
const VACUOUS: &str = "a check that matches the empty string proves nothing";

/// Whether a regular expression can match zero characters (`""`, `x*`, `(?s).*`, `\b`): such a
/// check holds on every page, the old one included. A pattern that does not parse is left to the
/// step, which names the syntax error.
fn matches_empty(re: &str) -> bool {
    regex_syntax::ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(re)
        .is_ok_and(|hir| hir.properties().minimum_len() == Some(0))
}

impl Config {
    /// `variants`, when set: the variants to check or clear besides the HTML.
    pub(super) fn variants(&self) -> Option<Vec<crate::nextjs::Variant>> {
        value(&self.resolved.variants).map(|v| {
            let mut v: Vec<crate::nextjs::Variant> = v.into_iter().map(|c| c.0).collect();
            v.sort();
            v.dedup();
            v
        })
    }
}
