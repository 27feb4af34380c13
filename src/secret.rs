//! Secrets: values that must never reach stdout, stderr, JSON or logs.
//!
//! Two layers keep that promise. A [`Secret`] prints as `<redacted: …>` under `Debug` and
//! `Display`, so formatting a struct cannot leak it. And every secret value is registered in a
//! process-wide list the moment it is read; [`redact`] replaces any registered value in text
//! about to be written, whatever its letter case and in every form a server may echo it in
//! (percent-encoded, form-encoded, JSON- and HTML-escaped, hex, base64 and URL-safe base64, also
//! inside a longer base64 text), so a secret echoed back by a server, or embedded in a URL by an
//! endpoint template, is caught at the output too. A header value the tool builds around a secret
//! (`Bearer …`, `Basic …`) is registered whole as well ([`register_header_value`]). Every writer
//! of this program (reporter, logs, error printer, panic hook) goes through [`redact`].

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;

/// Shortest secret the tool takes: a shorter one is refused where it is read (exit 2, naming
/// which secret and this minimum, see [`check_length`]). Redacting it instead is no answer: a
/// string of a few characters, matched in any letter case and in hex and base64 too, turns up in
/// ordinary words, paths and pod names, so output would be garbled (and where it was replaced
/// would hint at the value); and a secret that short is guessed anyway. Real ones are long
/// (previewModeIds 32 hex digits, tokens 40 characters and more).
pub const MIN_SECRET_LEN: usize = 8;

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    values: BTreeSet::new(),
    forms: BTreeSet::new(),
    matcher: None,
});

/// Every registered form, and one automaton that finds any of them in a single pass (output of
/// 100,000 lines is scanned once, not once per form). Letter case: the forms are kept in ASCII
/// lower case and the automaton runs over an ASCII-lowercased copy of the text, whose byte
/// offsets are the text's; a case-sensitive automaton keeps its fast prefilter, which matching
/// with the automaton's own case folding loses (a third of the speed, measured).
struct Registry {
    /// Values registered so far: registering one again (a header value on every API request)
    /// costs a lookup, not a rebuild.
    values: BTreeSet<String>,
    /// The forms, ASCII-lowercased (forms that differ only in case are one).
    forms: BTreeSet<String>,
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl Registry {
    fn rebuild(&mut self) {
        // Leftmost-longest: where forms overlap, the longest is replaced whole (a secret that
        // contains another, a header value that contains its token).
        self.matcher = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&self.forms)
            .ok();
    }
}
static WARNED_SHORT: AtomicBool = AtomicBool::new(false);

/// A secret value with a description of where it came from (shown instead of the value).
#[derive(Clone)]
pub struct Secret {
    value: String,
    origin: String,
}

impl Secret {
    /// Wraps and registers a secret. `origin` says where it came from, e.g. "env REVALIDATE_PREVIEW_ID".
    pub fn new(value: impl Into<String>, origin: impl Into<String>) -> Secret {
        let value = value.into();
        register(&value);
        Secret {
            value,
            origin: origin.into(),
        }
    }

    /// The value itself, for the one place that puts it on the wire.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// Where it came from, for messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Refuses the secret when it is shorter than [`MIN_SECRET_LEN`] ([`check_length`]); the
    /// message names `what` and the origin.
    pub fn check_length(&self, what: &str) -> Result<(), String> {
        check_length(&self.value, &format!("{what} ({})", self.origin))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted: {}>", self.origin)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted: {}>", self.origin)
    }
}

/// Refuses a secret shorter than [`MIN_SECRET_LEN`] characters: the error names `what` (where
/// the secret came from) and the minimum, never the value.
pub fn check_length(value: &str, what: &str) -> Result<(), String> {
    let n = value.chars().count();
    if n >= MIN_SECRET_LEN {
        return Ok(());
    }
    Err(format!(
        "{what} is {n} character{} long; a secret must have at least {MIN_SECRET_LEN} (a shorter one could not be kept out of the output); use a longer one",
        if n == 1 { "" } else { "s" }
    ))
}

/// Registers a value for output redaction, with every form it can take on the wire or in an
/// echo (see [`forms`]). A value shorter than [`MIN_SECRET_LEN`] is not registered (where the
/// tool reads a secret it refuses a short one first, [`check_length`]); one warning says so.
pub fn register(value: &str) {
    if value.chars().count() < MIN_SECRET_LEN {
        if !WARNED_SHORT.swap(true, Ordering::SeqCst) {
            tracing::warn!(
                "a secret shorter than {MIN_SECRET_LEN} characters cannot be reliably redacted from output; use a longer one"
            );
        }
        return;
    }
    if REGISTRY
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values
        .contains(value)
    {
        return;
    }
    let forms = forms(value);
    let mut reg = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    if !reg.values.insert(value.to_string()) {
        return;
    }
    let before = reg.forms.len();
    for f in forms {
        if f.chars().count() >= MIN_SECRET_LEN {
            reg.forms.insert(f.to_ascii_lowercase());
        }
    }
    if reg.forms.len() != before {
        reg.rebuild();
    }
}

/// The secrets a credential header value holds, each with what it is: the whole value (a server
/// may echo the header back, e.g. base64-encoded), the credentials after an auth scheme
/// (`Bearer <token>`), and for `Basic` the decoded `user:password` and the password.
pub fn header_parts(value: &str) -> Vec<(&'static str, String)> {
    let mut parts = vec![("value", value.to_string())];
    let Some((scheme, credentials)) = value.trim().split_once(' ') else {
        return parts;
    };
    let credentials = credentials.trim();
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        || credentials.is_empty()
    {
        return parts;
    }
    parts.push(("credential", credentials.to_string()));
    if scheme.eq_ignore_ascii_case("basic")
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(credentials)
        && let Ok(pair) = String::from_utf8(bytes)
        && let Some((_, password)) = pair.split_once(':')
    {
        parts.push(("user:password", pair.clone()));
        parts.push(("password", password.to_string()));
    }
    parts
}

/// Registers a header value the tool sends that carries a credential: the whole value and its
/// parts ([`header_parts`]). Registering a value already known costs one lookup, so this is
/// called on every request that carries one.
pub fn register_header_value(value: &str) {
    for (_, part) in header_parts(value) {
        register(&part);
    }
}

/// Every form `value` may take in output: as written; percent-encoded (everything, as a query
/// value, as a path segment, only spaces) and form-encoded; JSON-escaped (as serde, Python's
/// ASCII-only, Go's HTML-safe and PHP's `\/` escaping, and escaped twice: a JSON log line
/// quoting a JSON body); HTML-escaped (each common spelling of the quotes); hex; base64 and
/// URL-safe base64, whole and as the characters that encode it inside a longer text at each of
/// the three byte offsets. ASCII letter case is left to the matcher; for a value with other
/// letters its lower- and upper-case spellings are added.
fn forms(value: &str) -> Vec<String> {
    let mut spellings = vec![value.to_string()];
    if !value.is_ascii() {
        spellings.push(value.to_lowercase());
        spellings.push(value.to_uppercase());
    }
    let mut out = Vec::new();
    for v in &spellings {
        out.push(v.clone());
        out.push(
            percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        );
        out.push(crate::paths::encode_query_value(v));
        out.push(crate::paths::encode_segment(v));
        // An endpoint template of old turned spaces into %20 and kept the rest.
        out.push(v.replace(' ', "%20"));
        out.push(form_encode(v));
        let json = json_escape(v, JsonStyle::Minimal);
        out.push(json_escape(&json, JsonStyle::Minimal));
        out.push(json);
        for style in [
            JsonStyle::AsciiOnly,
            JsonStyle::HtmlSafe,
            JsonStyle::Slashes,
        ] {
            out.push(json_escape(v, style));
        }
        for (quot, apos, slash) in HTML_STYLES {
            out.push(html_escape(v, quot, apos, *slash));
        }
        out.push(hex(v.as_bytes()));
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            out.push(engine.encode(v));
        }
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE,
        ] {
            out.extend(base64_cores(engine, v.as_bytes()));
        }
    }
    out
}

/// `application/x-www-form-urlencoded`: letters, digits and `*-._` kept, space as `+`.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum JsonStyle {
    /// `"`, `\` and control characters only (serde, JavaScript).
    Minimal,
    /// And every non-ASCII character as `\uXXXX` (Python's default).
    AsciiOnly,
    /// And `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX` (Go).
    HtmlSafe,
    /// And `/` as `\/`, non-ASCII as `\uXXXX` (PHP).
    Slashes,
}

/// The inside of a JSON string holding `s`, escaped in `style`.
fn json_escape(s: &str, style: JsonStyle) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if style == JsonStyle::Slashes => out.push_str("\\/"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if style == JsonStyle::HtmlSafe => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if !c.is_ascii() && matches!(style, JsonStyle::AsciiOnly | JsonStyle::Slashes) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// How common escapers spell `"` and `'` (and whether they escape `/`): Python and React;
/// Go and markupsafe; Rails and Node's escape-html; PHP; XML; OWASP.
const HTML_STYLES: &[(&str, &str, bool)] = &[
    ("&quot;", "&#x27;", false),
    ("&#34;", "&#39;", false),
    ("&quot;", "&#39;", false),
    ("&quot;", "&#039;", false),
    ("&quot;", "&apos;", false),
    ("&quot;", "&#x27;", true),
];

fn html_escape(s: &str, quot: &str, apos: &str, slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str(quot),
            '\'' => out.push_str(apos),
            '/' if slash => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The base64 characters that encode `bytes` inside a longer text, at each of the three byte
/// offsets it may start at: character `i` carries bits `6i..6i+6`, so with `k` bytes before,
/// the characters from `ceil(8k/6)` to `floor(8(k+n)/6)` depend on `bytes` alone. A server that
/// base64-encodes a whole request (or a header holding the secret) shows one of these.
fn base64_cores(engine: &base64::engine::GeneralPurpose, bytes: &[u8]) -> Vec<String> {
    (0..3)
        .map(|k| {
            let mut padded = vec![0u8; k];
            padded.extend_from_slice(bytes);
            let text = engine.encode(&padded);
            let start = (8 * k).div_ceil(6);
            let end = (8 * (k + bytes.len()) / 6).min(text.len());
            text[start..end].to_string()
        })
        .collect()
}

/// Replaces every registered secret in `text`, in any ASCII letter case, with `<redacted>`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let reg = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let Some(m) = &reg.matcher else {
        return Cow::Borrowed(text);
    };
    // Same bytes but ASCII letters, so every offset found in it is one in `text`, on a
    // character boundary.
    let lower = text.to_ascii_lowercase();
    if !m.is_match(&lower) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for found in m.find_iter(&lower) {
        out.push_str(&text[last..found.start()]);
        out.push_str("<redacted>");
        last = found.end();
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// The start of a text, at most `max` characters, for error messages: redacted whole first (so
/// a secret straddling the cut is still replaced), then cut; a trailing piece that could be the
/// start of a registered secret (the text itself was cut inside one) is dropped too.
pub fn snippet(text: &str, max: usize) -> String {
    let redacted = redact(text);
    let one_line: String = redacted
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    let cut: String = one_line.chars().take(max).collect();
    let mut out = drop_secret_prefix(&cut).to_string();
    if out.len() < one_line.len() {
        out.push('…');
    }
    out
}

/// Shortest trailing piece of text taken for the start of a secret: shorter ones say almost
/// nothing of a secret and match ordinary words too often.
const MIN_PREFIX: usize = 4;

/// `text` without a trailing part (of at least [`MIN_PREFIX`] bytes) that is the start of a
/// registered secret form: the text was cut inside a secret.
fn drop_secret_prefix(text: &str) -> &str {
    let reg = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let mut end = text.len();
    for form in reg.forms.iter() {
        // The longest suffix of `text` that starts `form`: only one no longer than the form
        // can, so the search starts there.
        let first = text.len().saturating_sub(form.len());
        for i in (first..text.len()).filter(|i| text.is_char_boundary(*i)) {
            if i >= end || text.len() - i < MIN_PREFIX {
                break;
            }
            let tail = &text.as_bytes()[i..];
            if form.len() >= tail.len() && form.as_bytes()[..tail.len()].eq_ignore_ascii_case(tail)
            {
                end = i;
                break;
            }
        }
    }
    &text[..end]
}

/// Header names whose values are credentials: redacted wherever they are printed.
pub fn sensitive_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || [
        "secret",
        "token",
        "key",
        "signature",
        "password",
        "passwd",
        "auth",
        "credential",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// A header line as `revalidate config` shows it: the name, and the value only when it is
/// nothing but `${VAR}` references; literal values may be secrets and are redacted.
pub fn show_header_line(line: &str) -> String {
    let (name, value) = line.split_once(':').unwrap_or((line, ""));
    let value = value.trim();
    let only_refs =
        value.starts_with("${") && value.ends_with('}') && value.matches("${").count() == 1;
    format!(
        "{}: {}",
        name.trim(),
        if only_refs { value } else { "<redacted>" }
    )
}

/// A URL with its credentials masked: `http://user:<redacted>@host`, or `http://<redacted>@host`
/// when the user part alone may be a token. A password written with a raw `/`, `?` or `#` (it
/// should be percent-encoded, but people write `redis://app:pa/ss@host`) is masked too: when the
/// authority as parsed has no `@` but a later `@` follows a `user:` that is not `host:port`, the
/// whole of it up to that `@` is taken for the credentials.
pub fn mask_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let at = match authority.rfind('@') {
        Some(at) => at,
        None => {
            let Some(at) = rest.rfind('@') else {
                return url.to_string();
            };
            // `host:3000/@scope` is a path with an `@`; `app:pa/ss@host` is a raw password.
            let raw_password = authority
                .split_once(':')
                .is_some_and(|(_, after)| !after.bytes().all(|b| b.is_ascii_digit()));
            if !raw_password {
                return url.to_string();
            }
            at
        }
    };
    let userinfo = &rest[..at];
    let masked = match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:<redacted>"),
        None => "<redacted>".to_string(),
    };
    format!(
        "{}{masked}{}",
        &url[..scheme_end + 3],
        &url[scheme_end + 3 + at..]
    )
}

/// A URL or request template with the values of credential-named query parameters masked
/// (`?secret=abc` -> `?secret=<redacted>`), unless the value is only a `${VAR}` or `{path}`.
pub fn mask_query(url: &str) -> String {
    let url = mask_userinfo(url);
    let Some(q) = url.find('?') else {
        return url;
    };
    let (head, query) = url.split_at(q + 1);
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value))
                if sensitive_name(name)
                    && !(value.starts_with("${") && value.ends_with('}'))
                    && value != "{path}" =>
            {
                format!("{name}=<redacted>")
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

/// How a configured value is shown (`revalidate config`, error messages): which of its parts
/// may hold a secret and are masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mask {
    /// As it is.
    Plain,
    /// Header lines: names and `${VAR}` references only; literal values are redacted.
    Headers,
    /// URLs: credentials in them masked.
    Urls,
    /// A request template: credential-named query values masked.
    Template,
}

/// A configuration value (TOML text) as `revalidate config` may show it.
pub fn show_masked(display: Mask, text: &str) -> String {
    match display {
        Mask::Plain => text.to_string(),
        Mask::Headers => show_header_line(text),
        Mask::Urls => mask_userinfo(text),
        Mask::Template => mask_query(text),
    }
}

/// A writer that redacts secrets from everything written through it (used for logs). It holds
/// what it is given until a line is complete (or it is flushed or dropped) and redacts whole
/// lines, so a secret split across two writes is still caught, and a character split across two
/// writes is not garbled.
pub struct RedactingWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> RedactingWriter<W> {
    pub fn new(inner: W) -> RedactingWriter<W> {
        RedactingWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes out the first `n` bytes held, redacted.
    fn write_held(&mut self, n: usize) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.pending[..n]);
        self.inner.write_all(redact(&text).as_bytes())?;
        self.pending.drain(..n);
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.write_held(end + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.write_held(self.pending.len())?;
        }
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

thread_local! {
    /// This thread's stand-in for the process environment, set by [`with_env`].
    static ENV: std::cell::RefCell<Option<std::collections::HashMap<String, String>>> =
        const { std::cell::RefCell::new(None) };
}

/// Reads a variable `${NAME}` names: from this thread's stand-in when a test set one with
/// [`with_env`], else from the process environment.
fn env_var(name: &str) -> Option<String> {
    ENV.with(|e| match &*e.borrow() {
        Some(vars) => vars.get(name).cloned(),
        None => std::env::var(name).ok(),
    })
}

/// Runs `f` with `vars` as the environment that `${NAME}` expansion reads on this thread: how a
/// test gives a variable without `std::env::set_var`, which is unsound while other threads run
/// (the test harness's, a runtime's, a resolver's) and would leak into every other test.
pub fn with_env<T>(vars: &[(&str, &str)], f: impl FnOnce() -> T) -> T {
    struct Restore(Option<std::collections::HashMap<String, String>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let old = self.0.take();
            ENV.with(|e| *e.borrow_mut() = old);
        }
    }
    let vars = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let _restore = Restore(ENV.with(|e| e.replace(Some(vars))));
    f()
}

/// Expands `${NAME}` references from the environment. Returns the expanded text and the names
/// used. Every expanded value is registered as a secret on its own ("Bearer ${TOKEN}": a server
/// echoing just the token must not print it). A reference to an unset variable is an error
/// naming it, and so is a value shorter than [`MIN_SECRET_LEN`] (`${VAR}` is how secrets are
/// given; a value that is not one can be written as it is).
pub fn expand_env(template: &str, what: &str) -> Result<(String, Vec<String>), String> {
    expand_env_with(template, what, &|v| v.to_string())
}

/// [`expand_env`], with each value encoded for where it lands (a query value, a path segment,
/// a JSON string) before it is inserted.
pub fn expand_env_with(
    template: &str,
    what: &str,
    encode: &dyn Fn(&str) -> String,
) -> Result<(String, Vec<String>), String> {
    let mut out = String::with_capacity(template.len());
    let mut used = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(format!("{what}: unclosed \"${{\" (write ${{NAME}})"));
        };
        let name = &after[..end];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "{what}: ${{{name}}} is not a variable name (letters, digits, _)"
            ));
        }
        match env_var(name) {
            Some(v) if !v.is_empty() => {
                check_length(&v, &format!("{what}: the value of ${{{name}}}"))?;
                register(&v);
                let wire = encode(&v);
                register(&wire);
                out.push_str(&wire);
                used.push(name.to_string());
            }
            _ => {
                return Err(format!(
                    "{what}: environment variable {name} is not set (or empty)"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok((out, used))
}

#[cfg(test)]
mod tests;
