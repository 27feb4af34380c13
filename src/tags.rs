//! Cache tags (`revalidateTag` in the App Router): read from `--tag` and `--tags-file`, checked
//! against what Next.js accepts, de-duplicated in input order.
//!
//! Invariants: a tag is never empty, never longer than Next.js's `NEXT_CACHE_TAG_MAX_LENGTH`
//! (256 UTF-16 code units, as JavaScript counts a string's length: Next drops a longer tag from
//! every page, so revalidating it could never reach one) and holds no control character (tags
//! travel in headers and messages); every refused tag is listed with where it came from, and
//! nothing is sent.

use std::fmt;
use std::io::BufRead;
use std::path::PathBuf;

use crate::paths::{Origin, read_lines};

/// Next.js's `NEXT_CACHE_TAG_MAX_LENGTH` (13.5 and 16 alike).
pub const MAX_LENGTH: usize = 256;

/// A checked cache tag.
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    /// Checks one tag as Next.js would take it.
    pub fn parse(s: &str) -> Result<Tag, &'static str> {
        if s.is_empty() {
            return Err("a tag is not empty");
        }
        if s.encode_utf16().count() > MAX_LENGTH {
            return Err(
                "longer than 256 characters: Next.js drops such a tag from every page (NEXT_CACHE_TAG_MAX_LENGTH)",
            );
        }
        if s.chars().any(char::is_control) {
            return Err("a tag holds no control character (tab, newline, NUL)");
        }
        if s.trim() != s {
            return Err("a tag has no leading or trailing space");
        }
        Ok(Tag(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One refused tag.
#[derive(Clone, Debug)]
pub struct BadTag {
    pub origin: Origin,
    pub input: String,
    pub rule: &'static str,
}

/// Why the tags cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TagsError {
    #[error("{}", bad_list(.0))]
    Bad(Vec<BadTag>),
    #[error("cannot read tags from {what}: {source}")]
    Read {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

fn bad_list(bad: &[BadTag]) -> String {
    let mut s = format!(
        "{} bad tag{}; nothing was sent:",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    );
    for b in bad.iter().take(50) {
        let shown: String = if b.input.chars().count() > 60 {
            format!("{}…", b.input.chars().take(60).collect::<String>())
        } else {
            b.input.clone()
        };
        let origin = match &b.origin {
            Origin::Argument(n) => format!("--tag {n}"),
            o => o.to_string(),
        };
        s.push_str(&format!("\n  {origin}: {shown:?}: {}", b.rule));
    }
    if bad.len() > 50 {
        s.push_str(&format!("\n  and {} more", bad.len() - 50));
    }
    s
}

/// Reads `--tag` values and `--tags-file` files (one tag a line, blank lines and `#` comments
/// skipped, `-` for stdin), checks them all, and returns them de-duplicated in input order.
pub fn collect(
    args: &[String],
    files: &[PathBuf],
    stdin: &mut dyn BufRead,
) -> Result<Vec<Tag>, TagsError> {
    let mut raw: Vec<(Origin, String)> = args
        .iter()
        .enumerate()
        .map(|(i, t)| (Origin::Argument(i + 1), t.clone()))
        .collect();
    let mut stdin_read = false;
    for file in files {
        let read = if file.as_os_str() == "-" {
            if stdin_read {
                continue;
            }
            stdin_read = true;
            read_lines(stdin, &mut raw, Origin::Stdin)
        } else {
            match std::fs::File::open(file) {
                Ok(f) => read_lines(&mut std::io::BufReader::new(f), &mut raw, |line| {
                    Origin::File {
                        file: file.clone(),
                        line,
                    }
                }),
                Err(e) => Err(e),
            }
        };
        read.map_err(|source| TagsError::Read {
            what: if file.as_os_str() == "-" {
                "stdin".into()
            } else {
                file.display().to_string()
            },
            source,
        })?;
    }
    validate(raw)
}

/// Checks gathered tags; every bad one is named.
pub fn validate(raw: Vec<(Origin, String)>) -> Result<Vec<Tag>, TagsError> {
    let mut out: Vec<Tag> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut bad = Vec::new();
    for (origin, input) in raw {
        match Tag::parse(&input) {
            Ok(t) => {
                if seen.insert(t.clone()) {
                    out.push(t);
                }
            }
            Err(rule) => bad.push(BadTag {
                origin,
                input,
                rule,
            }),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(TagsError::Bad(bad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_as_next_takes_them() {
        assert!(Tag::parse("posts").is_ok());
        assert!(Tag::parse("post:a b/é").is_ok());
        assert!(Tag::parse("").is_err());
        assert!(Tag::parse(&"x".repeat(256)).is_ok());
        assert!(Tag::parse(&"x".repeat(257)).is_err());
        // JavaScript counts UTF-16 units: 129 emoji are 258 of them.
        assert!(Tag::parse(&"😀".repeat(129)).is_err());
        assert!(Tag::parse("a\nb").is_err());
        assert!(Tag::parse(" posts").is_err());
    }

    #[test]
    fn files_and_stdin_are_read_like_paths_files_and_every_bad_tag_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("tags.txt");
        std::fs::write(&f, "# the CMS's tags\nposts\n\nauthors\nposts\n").unwrap();
        let mut stdin = std::io::Cursor::new(b"from-stdin\n".to_vec());
        let got = collect(
            &["home".into()],
            &[f.clone(), PathBuf::from("-")],
            &mut stdin,
        )
        .unwrap();
        let got: Vec<&str> = got.iter().map(Tag::as_str).collect();
        assert_eq!(got, ["home", "posts", "authors", "from-stdin"]);
        std::fs::write(&f, "ok\n\tbad\n").unwrap();
        let e = collect(&["".into()], &[f], &mut std::io::empty()).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("2 bad tags; nothing was sent:"), "{text}");
        assert!(text.contains("--tag 1: \"\": a tag is not empty"), "{text}");
        assert!(text.contains("tags.txt:2"), "{text}");
    }
}
