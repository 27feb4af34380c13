//! Request headers given by people (`-H 'Name: value'`, config header lists): `${VAR}`
//! expansion, which values are secrets, and how each is shown.
//!
//! Invariants: an expanded value, and a literal value under a credential-like name
//! (authorization, cookie, anything with secret, token, key, signature, password or auth), is a
//! registered secret, whole and in its parts (`Basic <base64>`: the decoded `user:password` and
//! the password too), and is shown as `<redacted: …>` everywhere; a part shorter than
//! [`secret::MIN_SECRET_LEN`] is refused; a literal credential typed on the command line earns
//! one warning to use `${ENV_VAR}` instead.

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
    if sensitive || !used.is_empty() {
        // An auth scheme's credential is split out of Authorization values only: elsewhere a
        // space separates ordinary words ("${BUILD} v2").
        let parts = if name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
        {
            secret::header_parts(&expanded)
        } else {
            vec![("value", expanded.clone())]
        };
        for (part, text) in parts {
            secret::check_length(&text, &format!("the {part} of header {name}"))
                .map_err(ConfigError)?;
            secret::register(&text);
        }
    }
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
    use proptest::prelude::*;

    use super::*;

    /// Header lines of every kind: names valid and not (never a credential's name, whose
    /// literal value would be registered as a secret for the whole test binary), values with
    /// control characters, Unicode, references to unset variables and stray `${`, and
    /// arbitrary strings.
    fn header_line() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            4 => "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}",
            1 => any::<String>(),
            1 => Just(String::new()),
            1 => Just("X Forwarded".to_string()),
        ];
        let piece = prop_oneof![
            4 => any::<char>().prop_map(String::from),
            4 => "[ -~]{1,6}",
            2 => prop::sample::select(vec![
                "\r", "\n", "\0", "\t", "\u{7f}", "\u{85}", "\u{e9}", ":", " ", "${", "}",
                "${REVALIDATE_PROPTEST_UNSET}", "${not a name}", "\r\nX-Evil: 1",
            ])
            .prop_map(String::from),
        ];
        let value = prop::collection::vec(piece, 0..8).prop_map(|ps| ps.concat());
        prop_oneof![
            6 => (name, prop::sample::select(vec![":", ": ", " : "]), value)
                .prop_map(|(n, sep, v)| format!("{n}{sep}{v}")),
            1 => any::<String>(),
        ]
        .prop_filter("not a credential's name", |line| {
            !secret::sensitive_name(line.split_once(':').map_or("", |(n, _)| n.trim()))
        })
    }

    proptest! {
        /// Any line is refused or accepted without a panic, by the flag's syntax check and by
        /// the parser; what the parser accepts is the name and value written (trimmed), and
        /// passes the syntax check too.
        #[test]
        fn any_header_line_is_refused_or_accepted_without_a_panic(line in header_line()) {
            let syntax = crate::config::value::parse_header_syntax(&line);
            if let Ok(h) = parse(&line) {
                let (name, value) = line.split_once(':').expect("a colon");
                prop_assert_eq!(h.name.as_str(), name.trim().to_ascii_lowercase());
                prop_assert_eq!(h.value.as_bytes(), value.trim().as_bytes());
                prop_assert!(!h.literal_secret);
                // The parser trims the value (a trailing newline in a file is layout), the
                // flag's check refuses any CR or LF: they agree on what is sent.
                let sent = format!("{}: {}", name.trim(), value.trim());
                let check = crate::config::value::parse_header_syntax(&sent);
                prop_assert!(check.is_ok(), "{:?}: {:?}", sent, check);
            }
            if syntax.is_ok() {
                prop_assert!(!line.contains(['\r', '\n', '\0']), "{:?}", line);
            }
        }

        /// `revalidate config` shows a header's name and never a literal value.
        #[test]
        fn a_shown_header_line_hides_literal_values(line in header_line()) {
            let shown = secret::show_header_line(&line);
            let value = line.split_once(':').map_or("", |(_, v)| v.trim());
            let only_a_reference = value.starts_with("${")
                && value.ends_with('}')
                && value.matches("${").count() == 1;
            if !only_a_reference {
                prop_assert!(shown.ends_with(": <redacted>"), "{:?}: {:?}", line, shown);
            }
        }
    }

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
    fn credentials_are_split_out_of_authorization_values_only() {
        let basic = "Basic ZGVwbG95Okh2NWJhc2ljUGFzcy03Nw=="; // deploy:Hv5basicPass-77
        parse(&format!("Authorization: {basic}")).unwrap();
        assert_eq!(secret::redact("echo Hv5basicPass-77"), "echo <redacted>");
        let e = parse("authorization: Bearer Sh0rt").unwrap_err();
        assert!(
            e.0.contains("the credential of header authorization is 5"),
            "{e}"
        );
        // A space in another header is no scheme: the short word after it is not a secret.
        let h = secret::with_env(&[("REVALIDATE_TEST_HEADER_BUILD", "build-0123456")], || {
            parse("x-build: ${REVALIDATE_TEST_HEADER_BUILD} v2")
        })
        .unwrap();
        assert_eq!(h.value, "build-0123456 v2");
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
