//! URL paths: where they come from, the rules they must keep, and their one canonical encoding.
//!
//! Every step (fanout, verify, and later publish and the CDN) takes its paths from here, so a path
//! means the same bytes on every pod, in every Redis message and in every invalidation. Invariant:
//! a [`UrlPath`] is always canonical: it starts with `/`, has no scheme, host, fragment or control
//! character (raw or percent-encoded: a server decodes `%0A` back to LF), is at most [`MAX_LEN`]
//! characters, percent-encodes everything outside RFC 3986's
//! `pchar` set exactly once (existing `%XX` escapes are kept as they are, never encoded again), and
//! carries `*` only as its last character and only when the step is a CDN step.

use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The longest canonical path accepted, in characters (bytes: a canonical path is ASCII).
pub const MAX_LEN: usize = 4000;

/// Which kind of step will use the paths; it decides whether a trailing `*` is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Requests to pods (fanout, verify, publish): a pod cannot expand a wildcard.
    Pod,
    /// CDN invalidation and purges, where `/posts/*` is meaningful.
    Cdn,
}

/// A validated, canonically encoded path (with its query string, if any).
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
#[serde(into = "String", try_from = "String")]
pub struct UrlPath(String);

impl From<UrlPath> for String {
    fn from(p: UrlPath) -> String {
        p.0
    }
}

/// Reading a path back (from a report) checks it again, under the most permissive purpose.
impl TryFrom<String> for UrlPath {
    type Error = String;
    fn try_from(s: String) -> Result<UrlPath, String> {
        UrlPath::parse(&s, Purpose::Cdn).map_err(|r| format!("{s:?} {r}"))
    }
}

impl UrlPath {
    /// Validates and encodes one path.
    pub fn parse(input: &str, purpose: Purpose) -> Result<UrlPath, Rule> {
        canonicalize(input, purpose).map(UrlPath)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for a CDN wildcard such as `/posts/*`.
    pub fn is_wildcard(&self) -> bool {
        self.0.ends_with('*')
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rule a path broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    Empty,
    NotAbsolute,
    HasSchemeOrHost,
    ControlChar(char),
    /// A control character written as percent escapes (`%0A`, `%00`, `%7F`, `%C2%85`): the
    /// escapes as written, and the character.
    EncodedControlChar(String, char),
    Fragment,
    TooLong(usize),
    WildcardNotLast,
    WildcardForPod,
    DotSegment,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Empty => f.write_str("is empty; a path starts with \"/\""),
            Rule::NotAbsolute => f.write_str("must start with \"/\""),
            Rule::HasSchemeOrHost => f.write_str(
                "must be a path without scheme or host (\"/posts/a\", not \"https://example.com/posts/a\" or \"//host/x\")",
            ),
            Rule::ControlChar(c) => write!(
                f,
                "contains the control character {}; control characters (CR, LF, NUL, TAB, ...) are refused because they would inject headers",
                control_name(*c)
            ),
            Rule::EncodedControlChar(escape, c) => write!(
                f,
                "contains {escape}, the control character {} percent-encoded; control characters are refused raw or encoded, because a server decodes them and they would inject headers or split log lines",
                control_name(*c)
            ),
            Rule::Fragment => f.write_str(
                "contains \"#\": a fragment is never sent to a server; write %23 for a literal \"#\"",
            ),
            Rule::TooLong(n) => write!(
                f,
                "is {n} characters once encoded; at most {MAX_LEN} are allowed"
            ),
            Rule::WildcardNotLast => f.write_str(
                "\"*\" is allowed only as the last character, for CDN invalidation; write %2A for a literal \"*\"",
            ),
            Rule::WildcardForPod => {
                f.write_str("a pod cannot revalidate a wildcard; list the paths")
            }
            Rule::DotSegment => f.write_str(
                "contains a \".\" or \"..\" segment (raw or percent-encoded), which URLs resolve away (it can even leave the pod's base path); write the path it means",
            ),
        }
    }
}

fn control_name(c: char) -> String {
    match c {
        '\r' => "CR (\\r)".into(),
        '\n' => "LF (\\n)".into(),
        '\0' => "NUL (\\0)".into(),
        '\t' => "TAB (\\t)".into(),
        c => format!("U+{:04X}", c as u32),
    }
}

/// Where a path was written, so an error can point at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The n-th positional argument (1-based).
    Argument(usize),
    /// Line n of standard input.
    Stdin(usize),
    /// Line n of a paths file.
    File { file: PathBuf, line: usize },
    /// The n-th `<loc>` of a sitemap (its URL as shown: credentials masked).
    Sitemap { sitemap: Arc<str>, loc: usize },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Argument(n) => write!(f, "argument {n}"),
            Origin::Stdin(n) => write!(f, "stdin:{n}"),
            Origin::File { file, line } => write!(f, "{}:{line}", file.display()),
            Origin::Sitemap { sitemap, loc } => write!(f, "{sitemap} <loc> {loc}"),
        }
    }
}

/// One refused path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadPath {
    pub origin: Origin,
    pub input: String,
    pub rule: Rule,
}

/// Why no paths could be used. Every bad path is listed, not only the first.
#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error("{}", bad_list(.0))]
    Bad(Vec<BadPath>),
    #[error(
        "no paths given: pass paths as arguments, \"-\" to read them from stdin, --paths-file FILE or --sitemap URL"
    )]
    None,
    #[error("cannot read paths from {what}: {source}")]
    Read {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// Bad paths listed in one error; the rest are counted (a sitemap can hold 50,000).
const BAD_LISTED: usize = 50;

fn bad_list(bad: &[BadPath]) -> String {
    let mut s = format!(
        "{} bad path{}; nothing was sent:",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    );
    for b in bad.iter().take(BAD_LISTED) {
        // Debug formatting shows control characters escaped, so the message itself stays one line.
        s.push_str(&format!("\n  {}: {:?}: {}", b.origin, b.input, b.rule));
    }
    if bad.len() > BAD_LISTED {
        s.push_str(&format!("\n  and {} more", bad.len() - BAD_LISTED));
    }
    s
}

/// Gathers paths from positional arguments (`-` reads standard input) and paths files, validates
/// them all, and returns them canonical, de-duplicated (first kept) and in input order.
pub fn collect(
    args: &[String],
    files: &[PathBuf],
    stdin: &mut dyn BufRead,
    purpose: Purpose,
) -> Result<Vec<UrlPath>, PathsError> {
    validate(gather(args, files, stdin)?, purpose)
}

/// Reads the paths of positional arguments (`-` reads standard input) and paths files, in that
/// order, as written (not yet validated).
pub fn gather(
    args: &[String],
    files: &[PathBuf],
    stdin: &mut dyn BufRead,
) -> Result<Vec<(Origin, String)>, PathsError> {
    let mut raw: Vec<(Origin, String)> = Vec::new();
    let mut stdin_read = false;
    for (i, arg) in args.iter().enumerate() {
        if arg == "-" {
            if !stdin_read {
                stdin_read = true;
                read_lines(stdin, &mut raw, Origin::Stdin).map_err(|source| PathsError::Read {
                    what: "stdin".into(),
                    source,
                })?;
            }
        } else {
            raw.push((Origin::Argument(i + 1), arg.clone()));
        }
    }
    for file in files {
        let f = std::fs::File::open(file).map_err(|source| PathsError::Read {
            what: file.display().to_string(),
            source,
        })?;
        let mut reader = std::io::BufReader::new(f);
        read_lines(&mut reader, &mut raw, |line| Origin::File {
            file: file.clone(),
            line,
        })
        .map_err(|source| PathsError::Read {
            what: file.display().to_string(),
            source,
        })?;
    }
    Ok(raw)
}

/// Validates already-gathered paths (for callers that have their own sources, such as a config
/// file or a Redis message).
pub fn validate(raw: Vec<(Origin, String)>, purpose: Purpose) -> Result<Vec<UrlPath>, PathsError> {
    if raw.is_empty() {
        return Err(PathsError::None);
    }
    let mut bad = Vec::new();
    let mut out: Vec<UrlPath> = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    for (origin, input) in raw {
        match UrlPath::parse(&input, purpose) {
            Ok(p) => {
                if seen.insert(p.clone()) {
                    out.push(p);
                }
            }
            Err(rule) => bad.push(BadPath {
                origin,
                input,
                rule,
            }),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(PathsError::Bad(bad))
    }
}

/// Reads one path a line; skips blank lines and `#` comments. Surrounding spaces and a CRLF line
/// ending are layout, not part of the path; a TAB or CR inside a path is still refused.
pub(crate) fn read_lines(
    reader: &mut dyn BufRead,
    out: &mut Vec<(Origin, String)>,
    origin: impl Fn(usize) -> Origin,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            return Ok(());
        }
        n += 1;
        // Replacing bad bytes with U+FFFD would revalidate a different path than the one meant.
        let line = std::str::from_utf8(&buf).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {n} is not UTF-8 (invalid byte at column {}); save the file as UTF-8",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        // A byte order mark (Windows editors write one) is not part of the first path.
        let line = if n == 1 {
            line.strip_prefix('\u{FEFF}').unwrap_or(line)
        } else {
            line
        };
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.trim_matches(' ');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push((origin(n), line.to_string()));
    }
}

/// Reads a file of paths for a caller that only needs the lines with their origins.
pub fn read_file(file: &Path) -> std::io::Result<Vec<(Origin, String)>> {
    let f = std::fs::File::open(file)?;
    let mut out = Vec::new();
    read_lines(&mut std::io::BufReader::new(f), &mut out, |line| {
        Origin::File {
            file: file.to_path_buf(),
            line,
        }
    })?;
    Ok(out)
}

/// Characters RFC 3986 allows unencoded in a path (`pchar` plus `/`).
fn is_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b)
}

/// Characters allowed unencoded in a query: the path set plus `?`.
fn is_query_char(b: u8) -> bool {
    is_path_char(b) || b == b'?'
}

fn canonicalize(input: &str, purpose: Purpose) -> Result<String, Rule> {
    if input.is_empty() {
        return Err(Rule::Empty);
    }
    if let Some(c) = input.chars().find(|c| c.is_control()) {
        return Err(Rule::ControlChar(c));
    }
    if let Some((escape, c)) = encoded_control_char(input) {
        return Err(Rule::EncodedControlChar(escape, c));
    }
    if input.starts_with("//") || (!input.starts_with('/') && input.contains("://")) {
        return Err(Rule::HasSchemeOrHost);
    }
    if !input.starts_with('/') {
        return Err(Rule::NotAbsolute);
    }
    if input.contains('#') {
        return Err(Rule::Fragment);
    }
    if let Some(i) = input.find('*') {
        if i != input.len() - 1 {
            return Err(Rule::WildcardNotLast);
        }
        if purpose == Purpose::Pod {
            return Err(Rule::WildcardForPod);
        }
    }
    let (path, query) = match input.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (input, None),
    };
    if has_dot_segment(path) {
        return Err(Rule::DotSegment);
    }
    let mut out = String::with_capacity(input.len() + 8);
    encode_into(path, is_path_char, &mut out);
    if let Some(q) = query {
        out.push('?');
        encode_into(q, is_query_char, &mut out);
    }
    if out.len() > MAX_LEN {
        return Err(Rule::TooLong(out.len()));
    }
    Ok(out)
}

/// The first control character written as percent escapes (the C0 set and DEL as one escape,
/// the C1 set as the two escapes of its UTF-8 form), with the escapes as written.
fn encoded_control_char(input: &str) -> Option<(String, char)> {
    let b = input.as_bytes();
    let escape_at = |i: usize| -> Option<u8> {
        let hex = b.get(i + 1..i + 3)?;
        (b[i] == b'%' && hex.iter().all(u8::is_ascii_hexdigit))
            .then(|| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
            .flatten()
    };
    (0..b.len()).find_map(|i| {
        let first = escape_at(i)?;
        let (c, len) = match first {
            0x00..=0x1F | 0x7F => (char::from(first), 3),
            // U+0080..U+009F: C2 80..C2 9F in UTF-8.
            0xC2 => match escape_at(i + 3)? {
                second @ 0x80..=0x9F => (char::from(second), 6),
                _ => return None,
            },
            _ => return None,
        };
        Some((input[i..i + len].to_string(), c))
    })
}

/// Whether a path has a `.` or `..` segment, written raw or percent-encoded in any case
/// (`%2e`, `%2E.`), counting an encoded `/` (`%2F`) as a separator too, since some servers
/// decode it before resolving.
fn has_dot_segment(path: &str) -> bool {
    let decoded = path
        .to_ascii_lowercase()
        .replace("%2f", "/")
        .replace("%2e", ".");
    decoded.split('/').any(|seg| seg == "." || seg == "..")
}

/// Percent-encodes every byte outside `keep`, keeping existing `%XX` escapes as they are.
fn encode_into(s: &str, keep: fn(u8) -> bool, out: &mut String) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push_str(&s[i..i + 3]);
            i += 3;
            continue;
        }
        if b != b'%' && keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
}

/// Encodes a value for one path segment: everything outside RFC 3986's unreserved set is
/// percent-encoded, `/` included, so the value cannot add segments.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a canonical path as the value of a query parameter (for endpoint templates such as
/// `/api/revalidate?path={path}`): the server decodes it back to exactly the canonical path.
/// `/` stays readable; `&`, `=`, `+`, `#`, `%`, `?` and everything outside the unreserved set
/// are encoded.
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$'()*,;".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
