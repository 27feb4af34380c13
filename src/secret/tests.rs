//! Unit tests of `secret.rs`.

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
fn every_form_is_caught_in_any_letter_case() {
    let secret = "Fm7\"q/<x>&y'+ z\u{e9}Kt";
    register(secret);
    let b64 = |e: &base64::engine::GeneralPurpose, s: &str| e.encode(s);
    let std = &base64::engine::general_purpose::STANDARD;
    let url = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let echoes = [
        secret.to_string(),
        percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        crate::paths::encode_query_value(secret),
        form_encode(secret),
        serde_json::to_string(secret).unwrap(),
        // JSON with non-ASCII escaped (Python), and a JSON log line quoting a JSON body.
        r#""Fm7\"q/<x>&y'+ z\u00e9Kt""#.to_string(),
        serde_json::to_string(&serde_json::to_string(secret).unwrap()).unwrap(),
        r#"Fm7\"q\/<x>&y'+ z\u00E9Kt"#.to_string(),
        "Fm7\\\"q/\\u003cx\\u003e\\u0026y'+ z\u{e9}Kt".to_string(),
        "Fm7&quot;q/&lt;x&gt;&amp;y&#x27;+ z\u{e9}Kt".to_string(),
        "Fm7&#34;q/&lt;x&gt;&amp;y&#39;+ z\u{e9}Kt".to_string(),
        "Fm7&quot;q&#x2F;&lt;x&gt;&amp;y&#x27;+ z\u{e9}Kt".to_string(),
        hex(secret.as_bytes()),
        hex(secret.as_bytes()).to_uppercase(),
        b64(std, secret),
        b64(url, secret),
        "FM7\"Q/<X>&Y'+ Z\u{c9}KT".to_string(),
    ];
    for echo in echoes {
        for shown in [echo.clone(), echo.to_lowercase(), echo.to_uppercase()] {
            let out = redact(&format!("echo: {shown}.")).into_owned();
            assert!(
                out.starts_with("echo: ") && out.ends_with('.') && out.contains("<redacted>"),
                "{shown:?} -> {out:?}"
            );
            assert!(
                !out.contains("Fm7") && !out.to_lowercase().contains("fm7"),
                "{out}"
            );
        }
    }
}

#[test]
fn a_secret_inside_a_longer_base64_text_is_caught_at_every_offset() {
    let secret = "Ib4inside-base64-Qz";
    register(secret);
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE,
    ] {
        for pad in ["", "a", "ab", "abc", "Bearer "] {
            let whole = engine.encode(format!("{pad}{secret}; tail"));
            let out = redact(&whole);
            assert!(out.contains("<redacted>"), "{pad:?}: {out}");
            // What is left decodes to no part of the secret.
            for core in base64_cores(engine, secret.as_bytes()) {
                assert!(!out.contains(&core[..8]), "{out}");
            }
        }
    }
}

#[test]
fn header_values_are_secrets_whole_and_in_parts() {
    let basic = base64::engine::general_purpose::STANDARD.encode("deploy:Hv5basicPass-77");
    let value = format!("Basic {basic}");
    let parts = header_parts(&value);
    let names: Vec<&str> = parts.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["value", "credential", "user:password", "password"]);
    assert_eq!(parts[3].1, "Hv5basicPass-77");
    register_header_value(&value);
    for shown in [
        base64::engine::general_purpose::STANDARD.encode(&value),
        value.to_lowercase(),
        "Hv5basicPass-77".to_string(),
        "deploy:Hv5basicPass-77".to_string(),
    ] {
        assert_eq!(redact(&shown), "<redacted>", "{shown}");
    }
    assert_eq!(
        header_parts("Bearer Tk9bearer-token-0")[1],
        ("credential", "Tk9bearer-token-0".to_string())
    );
    assert_eq!(header_parts("no-scheme-token").len(), 1);
}

#[test]
fn short_secrets_are_refused_by_name_and_length_only() {
    let e = check_length("abc", "env REDIS_PASSWORD").unwrap_err();
    assert_eq!(
        e,
        "env REDIS_PASSWORD is 3 characters long; a secret must have at least 8 (a shorter one could not be kept out of the output); use a longer one"
    );
    assert!(check_length("12345678", "x").is_ok());
    // Characters, not bytes.
    assert!(check_length("\u{e9}\u{e9}\u{e9}\u{e9}", "x").is_err());
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
