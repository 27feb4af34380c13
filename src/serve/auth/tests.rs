use super::*;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::config::Layer;
use crate::exit::Code;

const SECRET: &str = "Xq7-serve-secret-Lm4vT9";

fn auth(secret: &str) -> Auth {
    Auth::new(Secret::new(secret, "test secret")).unwrap()
}

/// An `Auth` whatever the secret's length: for the published test vectors, whose secrets are
/// shorter than serve takes.
fn unchecked(secret: &str) -> Auth {
    Auth {
        secret: Secret::new(secret, "test vector secret"),
        digest: Sha256::digest(secret.as_bytes()).into(),
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn basic(user_and_password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_and_password)
    )
}

fn hub(secret: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The header `@sanity/webhook`'s `encodeSignatureHeader` makes.
fn sanity(secret: &str, t: u64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("t={t},v1={sig}")
}

fn at_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// Neither the message nor the debug form of a denial holds the secret or what was presented,
/// in any letter case.
fn assert_clean(d: &Denied, presented: &[&str]) {
    for text in [d.to_string(), format!("{d:?}")] {
        let lower = text.to_lowercase();
        assert!(!lower.contains(&SECRET.to_lowercase()), "{text}");
        for p in presented {
            assert!(!lower.contains(&p.to_lowercase()), "{p} in {text}");
        }
    }
}

#[test]
fn bearer_right_wrong_malformed() {
    let a = auth(SECRET);
    let right = format!("Bearer {SECRET}");
    assert_eq!(
        a.check(&headers(&[("authorization", &right)]), b""),
        Ok(Scheme::Bearer)
    );
    let lower = format!("bearer  {SECRET} ");
    assert_eq!(
        a.check(&headers(&[("authorization", &lower)]), b""),
        Ok(Scheme::Bearer)
    );
    let wrong = format!("Bearer {}x", SECRET);
    let d = a
        .check(&headers(&[("authorization", &wrong)]), b"")
        .unwrap_err();
    assert_eq!(d, Denied::Wrong(Scheme::Bearer));
    assert_eq!(d.to_string(), "wrong secret in Authorization: Bearer");
    assert_clean(&d, &[&format!("{SECRET}x")]);
    // A prefix of the secret is wrong too (no comparison stops at the shorter one).
    let prefix = format!("Bearer {}", &SECRET[..10]);
    assert_eq!(
        a.check(&headers(&[("authorization", &prefix)]), b""),
        Err(Denied::Wrong(Scheme::Bearer))
    );
    let d = a
        .check(&headers(&[("authorization", "Bearer")]), b"")
        .unwrap_err();
    assert_eq!(d, Denied::Malformed(Scheme::Bearer));
    assert_clean(&d, &[]);
}

#[test]
fn the_secret_header_right_wrong_empty() {
    let a = auth(SECRET);
    assert_eq!(
        a.check(&headers(&[("x-revalidate-secret", SECRET)]), b"{}"),
        Ok(Scheme::Header)
    );
    let upper = SECRET.to_uppercase();
    let d = a
        .check(&headers(&[("X-Revalidate-Secret", &upper)]), b"")
        .unwrap_err();
    assert_eq!(d, Denied::Wrong(Scheme::Header));
    assert_eq!(d.to_string(), "wrong secret in x-revalidate-secret");
    assert_clean(&d, &[]);
    assert_eq!(
        a.check(&headers(&[("x-revalidate-secret", "")]), b""),
        Err(Denied::Malformed(Scheme::Header))
    );
}

#[test]
fn basic_takes_any_user_and_the_secret_as_password() {
    let a = auth(SECRET);
    for user in ["editor", "", "a:b"] {
        // "a:b" as user: the password starts after the first colon, so "b:<secret>" is wrong.
        let value = basic(&format!("{user}:{SECRET}"));
        let got = a.check(&headers(&[("authorization", &value)]), b"");
        if user.contains(':') {
            assert_eq!(got, Err(Denied::Wrong(Scheme::Basic)));
        } else {
            assert_eq!(got, Ok(Scheme::Basic), "user {user:?}");
        }
    }
    let wrong = basic("editor:guess-guess-guess-guess");
    let d = a
        .check(&headers(&[("authorization", &wrong)]), b"")
        .unwrap_err();
    assert_eq!(d, Denied::Wrong(Scheme::Basic));
    assert_clean(&d, &["guess-guess-guess-guess", &wrong]);
    for malformed in [
        "Basic not-base64!".to_string(),
        basic("no colon here"),
        "Basic".into(),
    ] {
        let d = a
            .check(&headers(&[("authorization", &malformed)]), b"")
            .unwrap_err();
        assert_eq!(d, Denied::Malformed(Scheme::Basic), "{malformed}");
        assert!(
            d.to_string().contains("Basic <base64 of user:secret>"),
            "{d}"
        );
    }
}

#[test]
fn another_authorization_scheme_and_nothing_at_all_are_refused() {
    let a = auth(SECRET);
    let token = format!("Token {SECRET}");
    let d = a
        .check(&headers(&[("authorization", &token)]), b"")
        .unwrap_err();
    assert_eq!(d, Denied::OtherScheme);
    assert_clean(&d, &[]);
    let d = a
        .check(&headers(&[("content-type", "application/json")]), b"{}")
        .unwrap_err();
    assert_eq!(d, Denied::Missing);
    let text = d.to_string();
    for way in [
        "Authorization: Bearer",
        "x-revalidate-secret",
        "Basic",
        "X-Hub-Signature-256",
        "sanity-webhook-signature",
    ] {
        assert!(text.contains(way), "{text}");
    }
}

#[test]
fn hub_signature_matches_github_s_published_example() {
    // docs.github.com, "Validating webhook deliveries": this secret and payload give this
    // signature.
    let a = auth("It's a Secret to Everybody");
    let h = headers(&[(
        "X-Hub-Signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    )]);
    assert_eq!(a.check(&h, b"Hello, World!"), Ok(Scheme::HubSignature));
    assert_eq!(
        a.check(&h, b"Hello, World?"),
        Err(Denied::Wrong(Scheme::HubSignature))
    );
}

#[test]
fn hub_signature_right_wrong_malformed() {
    let a = auth(SECRET);
    let body = br#"{"paths":["/blog"]}"#;
    let right = hub(SECRET, body);
    assert_eq!(
        a.check(&headers(&[("x-hub-signature-256", &right)]), body),
        Ok(Scheme::HubSignature)
    );
    // Upper-case hex digits are the same signature.
    let upper = format!("sha256={}", right["sha256=".len()..].to_uppercase());
    assert_eq!(
        a.check(&headers(&[("x-hub-signature-256", &upper)]), body),
        Ok(Scheme::HubSignature)
    );
    let other = hub("another-secret-of-some-length", body);
    let d = a
        .check(&headers(&[("x-hub-signature-256", &other)]), body)
        .unwrap_err();
    assert_eq!(d, Denied::Wrong(Scheme::HubSignature));
    assert!(d.to_string().contains("does not match the body"), "{d}");
    assert_clean(&d, &[&other["sha256=".len()..]]);
    for malformed in [
        right.replace("sha256=", "sha1="),
        format!("sha256={}", "zz".repeat(32)),
        right[..right.len() - 2].to_string(),
        "sha256=".into(),
    ] {
        assert_eq!(
            a.check(&headers(&[("x-hub-signature-256", &malformed)]), body),
            Err(Denied::Malformed(Scheme::HubSignature)),
            "{malformed}"
        );
    }
}

#[test]
fn sanity_signature_matches_the_toolkit_s_own_test_vectors() {
    // sanity-io/webhook-toolkit, test/signature.test.ts.
    let body = br#"{"title":"GROQ-Hooks are neat"}"#;
    let header = "t=1633518820676,v1=e7C9h2sfbFfc4V7TEz7PSOp4IoNzl0UdVsBV-1wgdeA";
    assert_eq!(sanity("try-me", 1633518820676, body), header);
    let now = at_ms(1633518820676 + 1000);
    let a = unchecked("try-me");
    let h = headers(&[("sanity-webhook-signature", header)]);
    assert_eq!(a.check_at(&h, body, now), Ok(Scheme::SanitySignature));

    let a = unchecked("test");
    let body = br#"{"_id":"resume"}"#;
    let now = at_ms(1633519811129);
    for (header, expected) in [
        (
            "t=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0",
            Ok(Scheme::SanitySignature),
        ),
        // A space after the comma is allowed.
        (
            "t=1633519811129, v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0",
            Ok(Scheme::SanitySignature),
        ),
        // The timestamp is signed too.
        (
            "t=1633519811128,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0",
            Err(Denied::Wrong(Scheme::SanitySignature)),
        ),
        (
            "t=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N1",
            Err(Denied::Wrong(Scheme::SanitySignature)),
        ),
        (
            "t=1633519811129,v5=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0",
            Err(Denied::Malformed(Scheme::SanitySignature)),
        ),
    ] {
        let h = headers(&[("sanity-webhook-signature", header)]);
        assert_eq!(a.check_at(&h, body, now), expected, "{header}");
    }
    let h = headers(&[(
        "sanity-webhook-signature",
        "t=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0",
    )]);
    assert_eq!(
        a.check_at(&h, br#"{"_id":"structure"}"#, now),
        Err(Denied::Wrong(Scheme::SanitySignature))
    );
}

#[test]
fn sanity_signature_older_or_newer_than_five_minutes_is_stale() {
    let a = auth(SECRET);
    let body = fixture("sanity-post-update.json");
    let t = 1_720_513_304_123;
    let h = headers(&[("sanity-webhook-signature", &sanity(SECRET, t, &body))]);
    assert_eq!(
        a.check_at(&h, &body, at_ms(t + 299_000)),
        Ok(Scheme::SanitySignature)
    );
    let d = a.check_at(&h, &body, at_ms(t + 301_000)).unwrap_err();
    assert_eq!(d, Denied::Stale { age_secs: 301 });
    assert!(d.to_string().contains("301s old"), "{d}");
    assert_clean(&d, &[]);
    let d = a.check_at(&h, &body, at_ms(t - 400_000)).unwrap_err();
    assert_eq!(d, Denied::Stale { age_secs: -400 });
    assert!(d.to_string().contains("400s in the future"), "{d}");
    // A stale header signed with another secret is wrong before it is stale.
    let other = headers(&[(
        "sanity-webhook-signature",
        &sanity("another-secret-of-some-length", t, &body),
    )]);
    assert_eq!(
        a.check_at(&other, &body, at_ms(t + 3_600_000)),
        Err(Denied::Wrong(Scheme::SanitySignature))
    );
    // With the clock of now, the fixture signed a minute ago passes.
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let h = headers(&[(
        "sanity-webhook-signature",
        &sanity(SECRET, now_ms - 60_000, &body),
    )]);
    assert_eq!(a.check(&h, &body), Ok(Scheme::SanitySignature));
}

#[test]
fn sanity_signature_malformed() {
    let a = auth(SECRET);
    let body = b"{}";
    let good = sanity(SECRET, 1_720_513_304_123, body);
    let sig = good.split_once(",v1=").unwrap().1.to_string();
    for malformed in [
        format!("v1={sig}"),
        format!("t=1720513304123v1={sig}"),
        format!("t=abc,v1={sig}"),
        // Seconds, not milliseconds.
        format!("t=1720513304,v1={sig}"),
        "t=1720513304123,v1=".to_string(),
        "t=1720513304123,v1=not*base64url".to_string(),
        format!("t=1720513304123,v1={}", &sig[..20]),
    ] {
        let d = a
            .check_at(
                &headers(&[("sanity-webhook-signature", &malformed)]),
                body,
                at_ms(1_720_513_304_123),
            )
            .unwrap_err();
        assert_eq!(d, Denied::Malformed(Scheme::SanitySignature), "{malformed}");
        assert!(d.to_string().contains("t=<unix time in ms>,v1="), "{d}");
    }
}

#[test]
fn one_right_credential_is_enough_and_the_first_failure_is_told() {
    let a = auth(SECRET);
    let body = b"{}";
    // An ingress's own Basic login in front of a signed webhook.
    let h = headers(&[
        ("authorization", &basic("ingress:its-own-password")),
        ("x-hub-signature-256", &hub(SECRET, body)),
    ]);
    assert_eq!(a.check(&h, body), Ok(Scheme::HubSignature));
    let h = headers(&[
        ("authorization", "Bearer not-the-secret-at-all"),
        ("x-revalidate-secret", SECRET),
    ]);
    assert_eq!(a.check(&h, body), Ok(Scheme::Header));
    // Two values of one header: either may be the right one.
    let right = format!("Bearer {SECRET}");
    let h = headers(&[
        ("authorization", "Bearer not-the-secret-at-all"),
        ("authorization", &right),
    ]);
    assert_eq!(a.check(&h, body), Ok(Scheme::Bearer));
    let h = headers(&[
        ("x-revalidate-secret", "not-the-secret-at-all"),
        ("authorization", "Bearer not-the-secret-at-all"),
        (
            "x-hub-signature-256",
            &hub("another-secret-of-some-length", body),
        ),
    ]);
    assert_eq!(a.check(&h, body), Err(Denied::Wrong(Scheme::HubSignature)));
}

#[test]
fn only_signatures_leave_the_url_unproven() {
    for s in [Scheme::Bearer, Scheme::Header, Scheme::Basic] {
        assert!(!s.signs_only_the_body(), "{s}");
    }
    for s in [Scheme::HubSignature, Scheme::SanitySignature] {
        assert!(s.signs_only_the_body(), "{s}");
    }
}

#[test]
fn a_secret_shorter_than_16_bytes_or_not_sendable_is_refused() {
    let e = Auth::new(Secret::new("fifteen-bytes!!", "serve secret from env X")).unwrap_err();
    assert!(
        e.contains("serve secret from env X is 15 bytes long"),
        "{e}"
    );
    assert!(e.contains("at least 16"), "{e}");
    assert!(!e.contains("fifteen-bytes!!"), "{e}");
    assert!(Auth::new(Secret::new("sixteen-bytes!!!", "s")).is_ok());
    // Bytes, not characters: 8 letters of 2 bytes are 16 bytes.
    assert!(Auth::new(Secret::new("éééééééé", "s")).is_ok());
    for bad in [
        " leading-space-secret",
        "trailing-space-secret ",
        "tab\tinside-a-secret",
    ] {
        let e = Auth::new(Secret::new(bad, "s")).unwrap_err();
        assert!(e.contains("control character"), "{e}");
        assert!(!e.contains(bad.trim()), "{e}");
    }
}

#[test]
fn auth_s_debug_form_hides_the_secret() {
    let a = auth(SECRET);
    let text = format!("{a:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(text.contains("test secret"), "{text}");
}

fn config(file_text: Option<&str>, flag_file: Option<&Path>) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let file = file_text.map(|t| {
        let f = dir.path().join("revalidate.toml");
        std::fs::write(&f, t).unwrap();
        f
    });
    let flags = Layer {
        serve_secret_file: flag_file.map(Path::to_path_buf),
        ..Layer::default()
    };
    let c = Config::load(file.as_deref(), None, flags, &|_| None).unwrap();
    (dir, c)
}

#[test]
fn no_secret_is_a_usage_error_naming_both_ways_to_give_one() {
    let (_d, c) = config(None, None);
    let e = Auth::from_config(&c, &|_| None).unwrap_err();
    assert_eq!(e.exit_code(), Code::Usage);
    let text = e.to_string();
    assert!(text.contains("REVALIDATE_SERVE_SECRET"), "{text}");
    assert!(text.contains("--secret-file"), "{text}");
    assert!(text.contains("serve.secret_file"), "{text}");
}

#[test]
fn the_secret_from_env_a_flag_s_file_or_the_config_file_s() {
    let dir = tempfile::tempdir().unwrap();
    let from_flag = dir.path().join("flag-secret");
    std::fs::write(&from_flag, "flag-file-secret-0123456789\n").unwrap();
    let env_secret = "env-secret-0123456789abcdef";
    let env = |v: &str| (v == SECRET_ENV).then(|| env_secret.to_string());

    // env alone.
    let (_d, c) = config(None, None);
    let a = Auth::from_config(&c, &env).unwrap();
    assert_eq!(a.origin(), "serve secret from env REVALIDATE_SERVE_SECRET");
    let right = format!("Bearer {env_secret}");
    assert!(a.check(&headers(&[("authorization", &right)]), b"").is_ok());

    // --secret-file, named on purpose, wins over env.
    let (_d, c) = config(None, Some(&from_flag));
    let a = Auth::from_config(&c, &env).unwrap();
    assert!(
        a.check(
            &headers(&[("x-revalidate-secret", "flag-file-secret-0123456789")]),
            b""
        )
        .is_ok()
    );

    // The config file's secret_file (relative to the file) loses to env, is taken without it.
    let (d, c) = config(Some("[serve]\nsecret_file = \"s.txt\"\n"), None);
    std::fs::write(d.path().join("s.txt"), "file-secret-0123456789abcdef\r\n").unwrap();
    let a = Auth::from_config(&c, &env).unwrap();
    assert_eq!(a.origin(), "serve secret from env REVALIDATE_SERVE_SECRET");
    let a = Auth::from_config(&c, &|_| None).unwrap();
    assert!(
        a.check(
            &headers(&[("x-revalidate-secret", "file-secret-0123456789abcdef")]),
            b""
        )
        .is_ok()
    );
    assert!(a.origin().ends_with("s.txt"), "{}", a.origin());
}

#[test]
fn a_bad_secret_file_or_a_short_secret_is_a_usage_error_without_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let (_d, c) = config(None, Some(&missing));
    let e = Auth::from_config(&c, &|_| None).unwrap_err();
    assert_eq!(e.exit_code(), Code::Usage);
    assert!(
        e.to_string().contains("cannot read the serve secret file"),
        "{e}"
    );

    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let (_d, c) = config(None, Some(&empty));
    let e = Auth::from_config(&c, &|_| None).unwrap_err();
    assert!(e.to_string().contains("is empty"), "{e}");

    let (_d, c) = config(None, None);
    let env = |v: &str| (v == SECRET_ENV).then(|| "short-secret-7".to_string());
    let e = Auth::from_config(&c, &env).unwrap_err();
    assert_eq!(e.exit_code(), Code::Usage);
    let text = e.to_string();
    assert!(
        text.contains("env REVALIDATE_SERVE_SECRET is 14 bytes long"),
        "{text}"
    );
    assert!(!text.contains("short-secret-7"), "{text}");
}

#[test]
fn the_secret_is_registered_for_redaction() {
    let secret = "Rg5-registered-serve-secret-Kw2";
    let (_d, c) = config(None, None);
    let env = |v: &str| (v == SECRET_ENV).then(|| secret.to_string());
    let _a = Auth::from_config(&c, &env).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("editor:{secret}"));
    let text = format!("echoed: {} and Basic {encoded}", secret.to_uppercase());
    let shown = crate::secret::redact(&text);
    assert!(
        !shown.to_lowercase().contains(&secret.to_lowercase()),
        "{shown}"
    );
    assert!(!shown.contains(&encoded), "{shown}");
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/webhooks")
            .join(name),
    )
    .unwrap()
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_header_value_is_judged_without_a_panic_and_only_the_secret_passes(
            name in prop::sample::select(vec![
                "authorization", "x-revalidate-secret", "x-hub-signature-256", "sanity-webhook-signature",
            ]),
            value in prop_oneof![
                "[ -~]{0,90}",
                "(Bearer|Basic|sha256=|t=1720513304123,v1=) ?[A-Za-z0-9+/=_-]{0,64}",
            ],
            body in any::<Vec<u8>>(),
        ) {
            let Ok(v) = HeaderValue::from_str(&value) else { return Ok(()) };
            let mut h = HeaderMap::new();
            h.insert(HeaderName::from_static(name), v);
            let got = auth(SECRET).check_at(&h, &body, at_ms(1_720_513_304_123));
            prop_assert!(got.is_err(), "{value:?} passed");
            let d = got.unwrap_err();
            assert_clean(&d, &[]);
        }
    }
}
