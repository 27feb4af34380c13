//! Secrets: values that must never reach stdout, stderr, JSON or logs.
//!
//! Two layers keep that promise. A [`Secret`] prints as `<redacted: …>` under `Debug` and
//! `Display`, so formatting a struct cannot leak it. And every secret value is registered in a
//! process-wide list the moment it is read; [`redact`] replaces any registered value (and its
//! percent-encoded and JSON-escaped forms) in text about to be written, so a secret echoed back by
//! a server, or embedded in a URL by an endpoint template, is caught at the output too. Every
//! writer of this program (reporter, logs, error printer) goes through [`redact`].

use std::borrow::Cow;
use std::fmt;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;

/// Shortest value registered for output redaction: replacing short strings everywhere would
/// garble output ("wrong" in "wrong previewModeId") without protecting anything real; real
/// preview ids are 32 characters and revalidate secrets should be long too.
const MIN_REDACT_LEN: usize = 8;

static REGISTRY: RwLock<Registry> = RwLock::new(Registry {
    forms: Vec::new(),
    matcher: None,
});

/// Every registered form, and one automaton that finds any of them in a single pass (output
/// of 100,000 lines is scanned once, not once per form).
struct Registry {
    forms: Vec<String>,
    matcher: Option<aho_corasick::AhoCorasick>,
}

impl Registry {
    fn rebuild(&mut self) {
        // Longest first, so a secret that contains another is replaced whole.
        self.forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
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

/// Registers a value for output redaction, with every form it can take on the wire or in an
/// echo: percent-encoded (as a query value, a path segment, or everything; upper- and lower-case
/// hex), JSON- and HTML-escaped, and base64.
pub fn register(value: &str) {
    if value.len() < MIN_REDACT_LEN {
        if !WARNED_SHORT.swap(true, Ordering::SeqCst) {
            tracing::warn!(
                "a secret shorter than {MIN_REDACT_LEN} characters cannot be reliably redacted from output; use a longer one"
            );
        }
        return;
    }
    let mut forms = vec![value.to_string()];
    let mut encoded = vec![
        percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        crate::paths::encode_query_value(value),
        crate::paths::encode_segment(value),
        // An endpoint template of old turned spaces into %20 and kept the rest.
        value.replace(' ', "%20"),
    ];
    let lower: Vec<String> = encoded.iter().map(|e| lowercase_escapes(e)).collect();
    encoded.extend(lower);
    forms.extend(encoded);
    if let Ok(json) = serde_json::to_string(value) {
        forms.push(json[1..json.len() - 1].to_string());
    }
    forms.push(html_escape(value));
    forms.push(base64::engine::general_purpose::STANDARD.encode(value));
    forms.push(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value));
    let mut reg = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    let before = reg.forms.len();
    for f in forms {
        if f.len() >= MIN_REDACT_LEN && !reg.forms.contains(&f) {
            reg.forms.push(f);
        }
    }
    if reg.forms.len() != before {
        reg.rebuild();
    }
}

fn lowercase_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let esc = &rest[i..(i + 3).min(rest.len())];
        out.push_str(&esc.to_ascii_lowercase());
        rest = &rest[esc.len()..];
    }
    out.push_str(rest);
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

/// Replaces every registered secret in `text` with `<redacted>`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let reg = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let Some(m) = &reg.matcher else {
        return Cow::Borrowed(text);
    };
    if !m.is_match(text) {
        return Cow::Borrowed(text);
    }
    // Leftmost-longest: where forms overlap, the longest is replaced whole.
    Cow::Owned(m.replace_all(text, &vec!["<redacted>"; reg.forms.len()]))
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
        // The longest suffix of `text` that starts `form`.
        for (i, _) in text.char_indices() {
            if i >= end || text.len() - i < MIN_PREFIX {
                break;
            }
            if form.starts_with(&text[i..]) {
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
/// naming it.
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
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Secrets for properties, registered once for the whole test binary (registering one a
    /// case would slow every later redaction): each starts with a marker no other test writes
    /// (the filler around them never holds a `Q`), and between them they hold every character
    /// that some form (percent, JSON, HTML, base64) writes differently.
    const SECRETS: [&str; 5] = [
        "Qz8f3a9c2e1b7d6054",
        "Qz p@ss w0rd/+=~.-_",
        "Qz\"quoted\" & <tagged> 'x'",
        "Qzcaf\u{e9}-\u{1F600}-\u{4e2d}\u{6587}",
        "QzAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ];

    fn secret() -> impl Strategy<Value = &'static str> {
        static REGISTERED: std::sync::Once = std::sync::Once::new();
        REGISTERED.call_once(|| SECRETS.iter().for_each(|s| register(s)));
        prop::sample::select(&SECRETS[..])
    }

    /// Text around a secret: anything but `Q`, so the secret's start cannot come from it.
    fn filler() -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>().prop_filter("no Q", |c| *c != 'Q'), 0..60)
            .prop_map(|cs| cs.into_iter().collect())
    }

    /// Splits `bytes` into pieces at the given cut points (any byte, even inside a character).
    fn pieces(bytes: &[u8], cuts: &[prop::sample::Index]) -> Vec<Vec<u8>> {
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        at.sort_unstable();
        let mut out = Vec::new();
        let mut start = 0;
        for cut in at.into_iter().chain([bytes.len()]) {
            out.push(bytes[start..cut].to_vec());
            start = cut;
        }
        out
    }

    proptest! {
        #[test]
        fn a_secret_anywhere_in_a_text_is_redacted(
            s in secret(),
            before in filler(),
            after in filler(),
        ) {
            let text = format!("{before}{s}{after}");
            let out = redact(&text);
            prop_assert!(!out.contains(s), "{:?}", out);
            prop_assert!(out.contains("<redacted>"));
        }

        /// An error snippet cut at any point shows neither the secret nor a start of it (four
        /// characters or more): when the secret is whole in the text, and when the text itself
        /// was cut inside it.
        #[test]
        fn a_snippet_cut_anywhere_shows_no_secret_nor_its_start(
            s in secret(),
            before in filler(),
            after in filler(),
            kept in any::<prop::sample::Index>(),
            max in 0usize..150,
        ) {
            let cut_inside: String = s.chars().take(kept.index(s.chars().count() + 1)).collect();
            for text in [format!("{before}{s}{after}"), format!("{before}{cut_inside}")] {
                let out = snippet(&text, max);
                prop_assert!(!out.contains(&s[..MIN_PREFIX]), "{:?} from {:?}", out, text);
                prop_assert!(out.chars().count() <= max + 1, "{:?}", out);
            }
        }

        /// Logs go through [`RedactingWriter`]: a secret split across writes at any points
        /// (even inside a character) never leaks, and the text is otherwise unchanged.
        #[test]
        fn a_secret_split_across_writes_never_leaks(
            s in secret(),
            before in filler(),
            after in filler(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
            newline in any::<bool>(),
        ) {
            let text = format!("{before}{s}{after}{}", if newline { "\n" } else { "" });
            let mut out = Vec::new();
            {
                let mut w = RedactingWriter::new(&mut out);
                for piece in pieces(text.as_bytes(), &cuts) {
                    std::io::Write::write_all(&mut w, &piece).unwrap();
                }
            }
            let out = String::from_utf8(out).unwrap();
            prop_assert!(!out.contains(s), "{:?}", out);
            prop_assert_eq!(out, redact(&text).into_owned());
        }
    }

    #[test]
    fn secret_never_formats_its_value() {
        let s = Secret::new("s3cr3t-value-for-format-test", "test");
        register("short");
        assert_eq!(redact("a short word"), "a short word");
        assert_eq!(format!("{s}"), "<redacted: test>");
        assert_eq!(format!("{s:?}"), "<redacted: test>");
        assert_eq!(s.expose(), "s3cr3t-value-for-format-test");
    }

    #[test]
    fn redact_catches_plain_encoded_and_json_forms() {
        register("p@ss w0rd/redact-test");
        assert_eq!(redact("a p@ss w0rd/redact-test b"), "a <redacted> b");
        assert_eq!(redact("?s=p%40ss%20w0rd%2Fredact%2Dtest"), "?s=<redacted>");
        assert_eq!(redact("?s=p@ss%20w0rd/redact-test"), "?s=<redacted>");
        assert_eq!(redact("nothing here"), "nothing here");
    }

    #[test]
    fn userinfo_is_masked_even_with_raw_special_characters() {
        for (url, want) in [
            (
                "redis://app:pw@10.0.0.9:6380/1",
                "redis://app:<redacted>@10.0.0.9:6380/1",
            ),
            ("redis://:pw@h", "redis://:<redacted>@h"),
            ("redis://token@h", "redis://<redacted>@h"),
            ("redis://app:pa/ss@h:1/0", "redis://app:<redacted>@h:1/0"),
            ("redis://:pa?ss#x@h", "redis://:<redacted>@h"),
            ("http://h/@scope/x", "http://h/@scope/x"),
            ("http://h:3000/@scope", "http://h:3000/@scope"),
            ("http://h/", "http://h/"),
        ] {
            assert_eq!(mask_userinfo(url), want, "{url}");
        }
    }

    #[test]
    fn expand_env_reads_variables_and_names_missing_ones() {
        let expand = |t: &str, what: &str| {
            with_env(&[("REVALIDATE_TEST_EXPAND", "abc123 expand")], || {
                expand_env(t, what)
            })
        };
        let (v, used) = expand("Bearer ${REVALIDATE_TEST_EXPAND}!", "header").unwrap();
        assert_eq!(v, "Bearer abc123 expand!");
        // The value alone, and in the %20 form an endpoint URL gives it, is now a secret.
        assert_eq!(redact("echo abc123 expand"), "echo <redacted>");
        assert_eq!(redact("?s=abc123%20expand"), "?s=<redacted>");
        assert_eq!(used, vec!["REVALIDATE_TEST_EXPAND".to_string()]);
        let e = expand("${REVALIDATE_TEST_UNSET_X}", "header x").unwrap_err();
        assert!(e.contains("REVALIDATE_TEST_UNSET_X is not set"), "{e}");
        assert!(expand("${", "h").is_err());
        // The stand-in is this thread's, for the call only: the process environment is untouched.
        assert!(std::env::var("REVALIDATE_TEST_EXPAND").is_err());
        assert!(expand_env("${REVALIDATE_TEST_EXPAND}", "header").is_err());
    }
}
