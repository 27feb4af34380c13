//! Request headers given by people (`-H 'Name: value'`, config header lists): `${VAR}`
//! expansion, which values are secrets, and how each is shown.
//!
//! Invariants: an expanded value, and a literal value under a credential-like name
//! (authorization, cookie, anything with secret, token, key, signature, password or auth), is a
//! registered secret and is shown as `<redacted: …>` everywhere; a literal credential typed on
//! the command line earns one warning to use `${ENV_VAR}` instead.

use http::{HeaderName, HeaderValue};

use crate::error::ConfigError;
use crate::secret::{self, Secret};

/// A request header with what may be shown of it.
#[derive(Clone, Debug)]
pub struct Header {
    pub name: HeaderName,
    pub value: HeaderValue,
    /// The value as printed by --dry-run: the literal, or `<redacted: …>` for secrets.
    pub shown: String,
    /// A literal credential, which belongs in an environment variable.
    pub literal_secret: bool,
}

/// Parses `Name: value`, expanding `${VAR}`; expanded and credential-named values become
/// secrets.
pub fn parse(h: &str) -> Result<Header, ConfigError> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| ConfigError(format!("header {h:?} is not 'Name: value'")))?;
    let name = name.trim();
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ConfigError(format!("{name:?} is not a valid header name")))?;
    let what = format!("header {name}");
    let (expanded, used) = secret::expand_env(value.trim(), &what).map_err(ConfigError)?;
    let value = HeaderValue::from_str(&expanded).map_err(|_| {
        ConfigError(format!(
            "the value of header {name} has characters a header cannot carry"
        ))
    })?;
    let sensitive = secret::sensitive_name(name);
    let (shown, literal_secret) = if !used.is_empty() {
        let refs: Vec<String> = used.iter().map(|u| format!("${{{u}}}")).collect();
        (Secret::new(expanded, refs.join(" ")).to_string(), false)
    } else if sensitive {
        (
            Secret::new(expanded, format!("literal {name} value")).to_string(),
            true,
        )
    } else {
        (expanded, false)
    };
    Ok(Header {
        name: header_name,
        value,
        shown,
        literal_secret,
    })
}

/// Parses every header line, and says (once) when a credential was typed literally.
pub fn parse_all(lines: &[String], warn: &mut Vec<String>) -> Result<Vec<Header>, ConfigError> {
    let headers: Vec<Header> = lines.iter().map(|h| parse(h)).collect::<Result<_, _>>()?;
    let literal: Vec<String> = headers
        .iter()
        .filter(|h| h.literal_secret)
        .map(|h| h.name.to_string())
        .collect();
    if !literal.is_empty() {
        warn.push(format!(
            "the value of {} is written literally; put it in an environment variable and write '{}: ${{ENV_VAR}}', so it stays out of shell history and process lists",
            literal.join(", "),
            literal[0]
        ));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_secrets_on_their_own() {
        let h = secret::with_env(&[("REVALIDATE_TEST_HEADER_TOKEN", "tok-9f8e7d6c")], || {
            parse("authorization: Bearer ${REVALIDATE_TEST_HEADER_TOKEN}")
        })
        .unwrap();
        assert_eq!(h.value, "Bearer tok-9f8e7d6c");
        assert_eq!(h.shown, "<redacted: ${REVALIDATE_TEST_HEADER_TOKEN}>");
        assert!(!h.literal_secret);
        assert_eq!(
            secret::redact("invalid token tok-9f8e7d6c"),
            "invalid token <redacted>"
        );
    }

    #[test]
    fn literal_credentials_are_redacted_and_warned_about_once() {
        let mut warn = Vec::new();
        let hs = parse_all(
            &[
                "X-Api-Signature: sig-literal-123456".into(),
                "Cookie: session=abcdef123456".into(),
                "Accept: text/html".into(),
            ],
            &mut warn,
        )
        .unwrap();
        assert_eq!(hs[0].shown, "<redacted: literal X-Api-Signature value>");
        assert!(hs[1].shown.starts_with("<redacted"));
        assert_eq!(hs[2].shown, "text/html");
        assert_eq!(warn.len(), 1);
        assert!(warn[0].contains("x-api-signature, cookie"), "{}", warn[0]);
        assert_eq!(secret::redact("echo sig-literal-123456"), "echo <redacted>");
    }
}
