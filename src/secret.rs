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

/// Shortest value registered for output redaction: replacing short strings everywhere would
/// garble output ("wrong" in "wrong previewModeId") without protecting anything real; real
/// preview ids are 32 characters and revalidate secrets should be long too.
const MIN_REDACT_LEN: usize = 8;

static REGISTRY: RwLock<Vec<String>> = RwLock::new(Vec::new());

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

/// Registers a value for output redaction, with the forms it takes in URLs and JSON.
pub fn register(value: &str) {
    if value.len() < MIN_REDACT_LEN {
        tracing::warn!(
            "a secret shorter than {MIN_REDACT_LEN} characters cannot be reliably redacted from output; use a longer one"
        );
        return;
    }
    let mut forms = vec![value.to_string()];
    let url = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    forms.push(url);
    forms.push(crate::paths::encode_query_value(value));
    // An endpoint template turns spaces into %20 and keeps other characters as they are.
    forms.push(value.replace(' ', "%20"));
    if let Ok(json) = serde_json::to_string(value) {
        forms.push(json[1..json.len() - 1].to_string());
    }
    let mut reg = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    for f in forms {
        if !reg.contains(&f) {
            reg.push(f);
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    reg.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Replaces every registered secret in `text` with `<redacted>`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let reg = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    if !reg.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for s in reg.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "<redacted>");
        }
    }
    Cow::Owned(out)
}

/// A writer that redacts secrets from everything written through it (used for logs).
pub struct RedactingWriter<W: std::io::Write>(pub W);

impl<W: std::io::Write> std::io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Expands `${NAME}` references from the environment. Returns the expanded text and the names
/// used. Every expanded value is registered as a secret on its own ("Bearer ${TOKEN}": a server
/// echoing just the token must not print it). A reference to an unset variable is an error
/// naming it.
pub fn expand_env(template: &str, what: &str) -> Result<(String, Vec<String>), String> {
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
        match std::env::var(name) {
            Ok(v) if !v.is_empty() => {
                register(&v);
                out.push_str(&v);
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
    use super::*;

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
    fn expand_env_reads_variables_and_names_missing_ones() {
        // SAFETY: tests in this module do not read this variable concurrently elsewhere.
        unsafe { std::env::set_var("REVALIDATE_TEST_EXPAND", "abc123 expand") };
        let (v, used) = expand_env("Bearer ${REVALIDATE_TEST_EXPAND}!", "header").unwrap();
        assert_eq!(v, "Bearer abc123 expand!");
        // The value alone, and in the %20 form an endpoint URL gives it, is now a secret.
        assert_eq!(redact("echo abc123 expand"), "echo <redacted>");
        assert_eq!(redact("?s=abc123%20expand"), "?s=<redacted>");
        assert_eq!(used, vec!["REVALIDATE_TEST_EXPAND".to_string()]);
        let e = expand_env("${REVALIDATE_TEST_UNSET_X}", "header x").unwrap_err();
        assert!(e.contains("REVALIDATE_TEST_UNSET_X is not set"), "{e}");
        assert!(expand_env("${", "h").is_err());
    }
}
