//! Unit tests of `config/mod.rs`.

use super::*;
use crate::choices::{Encoding, Mode};
use std::time::Duration;

fn write(dir: &Path, text: &str) -> PathBuf {
    let f = dir.join("revalidate.toml");
    std::fs::write(&f, text).unwrap();
    f
}

const FILE: &str = r#"
concurrency = 8
timeout = "3s"
pods = ["a=http://127.0.0.1:1"]
[endpoint]
template = "/api/revalidate?path={path}"
headers = ["x-revalidate-secret: ${SECRET}", "x-literal: hunter22"]
[profiles.staging]
concurrency = 16
pods_file = "staging-pods.txt"
[profiles.staging.verify]
max_body = "1MiB"
"#;

fn load(
    f: Option<&Path>,
    profile: Option<&str>,
    flags: Layer,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    Config::load(f, profile, flags, env)
}

#[test]
fn precedence_is_flag_env_profile_file_default() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), FILE);
    let env = |k: &str| (k == "REVALIDATE_TIMEOUT").then(|| "7s".to_string());
    let flags = Layer {
        retries: Some(value::Count(5)),
        ..Layer::default()
    };
    let c = load(Some(&f), Some("staging"), flags, &env).unwrap();
    let r = &c.resolved;
    assert_eq!(r.retries.as_ref().unwrap().source, Source::Flag);
    let l = c.limits().unwrap();
    assert_eq!(l.retries, 5);
    assert_eq!(l.timeout, Duration::from_secs(7));
    assert_eq!(
        r.timeout.as_ref().unwrap().source,
        Source::Env("REVALIDATE_TIMEOUT")
    );
    assert_eq!(l.concurrency, 16);
    assert!(matches!(
        r.concurrency.as_ref().unwrap().source,
        Source::Profile { .. }
    ));
    assert_eq!(c.verify().unwrap().max_body, 1 << 20);
    assert_eq!(l.per_pod_concurrency, 4);
    assert_eq!(
        r.per_pod_concurrency.as_ref().unwrap().source,
        Source::Default
    );
    // Relative paths are relative to the config file; the profile's pods_file outranks the
    // file's pods.
    let t = c.targets();
    assert_eq!(t.pods_file.unwrap(), dir.path().join("staging-pods.txt"));
    assert!(t.pods.is_none());
}

#[test]
fn unknown_keys_are_named_with_their_place_and_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    for (text, want) in [
        (
            "[profiles.x]\nconcurency = 3\n",
            "unknown key `concurency` in [profiles.x] (did you mean `concurrency`?)",
        ),
        (
            "[endpoint]\ntemplat = 'x'\n",
            "unknown key `endpoint.templat` in [endpoint]",
        ),
        (
            "[verify]\nwiat = '1s'\n",
            "unknown key `verify.wiat` in [verify]",
        ),
        (
            "[profiles.p.verify]\nx = 1\n",
            "unknown key `verify.x` in [profiles.p.verify]",
        ),
        ("colour = 1\n", "unknown key `colour` in the top level"),
    ] {
        let f = write(dir.path(), text);
        let e = load(Some(&f), None, Layer::default(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{text}: {e}");
        assert!(e.contains("valid keys: pods, pods_file"), "{e}");
    }
}

#[test]
fn bad_values_name_key_source_and_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "concurrency = 0\n");
    let e = load(Some(&f), None, Layer::default(), &|_| None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("concurrency = 0"), "{e}");
    assert!(e.contains("from 1 to 4096"), "{e}");
    let env = |k: &str| (k == "REVALIDATE_RETRIES").then(|| "many".to_string());
    let e = load(None, None, Layer::default(), &env)
        .unwrap_err()
        .to_string();
    assert!(e.contains("env REVALIDATE_RETRIES"), "{e}");
    let f = write(dir.path(), "headers = [1]\n");
    let e = load(Some(&f), None, Layer::default(), &|_| None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("headers = … ("), "{e}");
}

#[test]
fn sizes_and_counts_that_prove_nothing_are_refused_from_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = |text: &str, profile: Option<&str>| {
        let f = write(dir.path(), text);
        load(Some(&f), profile, Layer::default(), &|_| None).unwrap()
    };
    let flag = load(
        None,
        None,
        Layer {
            verify_max_body: Some(value::Size(0)),
            ..Layer::default()
        },
        &|_| None,
    )
    .unwrap();
    for (c, source) in [
        (flag, "(command line)"),
        (
            from_file("[verify]\nmax_body = 0\n", None),
            "revalidate.toml)",
        ),
        (
            from_file("[profiles.p.verify]\nmax_body = \"0KiB\"\n", Some("p")),
            "[profiles.p])",
        ),
    ] {
        let e = c.verify().unwrap_err().to_string();
        assert!(e.starts_with("verify.max_body = \"0\" ("), "{e}");
        assert!(e.contains(source), "{e}");
        assert!(e.contains("leaves nothing to compare"), "{e}");
    }
    let flag = load(
        None,
        None,
        Layer {
            redis_expect_subscribers: Some(value::Count(0)),
            ..Layer::default()
        },
        &|_| None,
    )
    .unwrap();
    for (c, source) in [
        (flag, "(command line)"),
        (
            from_file("[redis]\nexpect_subscribers = 0\n", None),
            "revalidate.toml)",
        ),
    ] {
        let e = c.publish().unwrap_err().to_string();
        assert!(e.starts_with("redis.expect_subscribers = 0 ("), "{e}");
        assert!(e.contains(source), "{e}");
        assert!(e.contains("met by a message nobody received"), "{e}");
    }
    // One byte and one subscriber are settings that can fail, so they are allowed; so is
    // 0 subscribers when the message goes to the stream, whose answer is the evidence.
    let c = from_file(
        "[verify]\nmax_body = 1\n[redis]\nexpect_subscribers = 1\n",
        None,
    );
    assert_eq!(c.verify().unwrap().max_body, 1);
    assert_eq!(c.publish().unwrap().expect_subscribers, Some(1));
    let c = from_file("[redis]\nexpect_subscribers = 0\nstream = true\n", None);
    assert_eq!(c.publish().unwrap().expect_subscribers, Some(0));
    // The other counts that would make a step prove nothing start at 1 in their type.
    for (text, want) in [
        ("[verify]\nsamples = 0\n", "verify.samples = 0"),
        (
            "[cdn]\ncloudflare_batch_size = 0\n",
            "cdn.cloudflare_batch_size = 0",
        ),
        ("[cdn]\nbatch_size = 0\n", "cdn.batch_size = 0"),
        ("[redis]\nstream_maxlen = 0\n", "redis.stream_maxlen = 0"),
        ("concurrency = 0\n", "concurrency = 0"),
    ] {
        let f = write(dir.path(), text);
        let e = load(Some(&f), None, Layer::default(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want) && e.contains("from 1 to"), "{text}: {e}");
    }
}

#[test]
fn zero_deadline_and_timeout_are_refused() {
    let env = |k: &str| (k == "REVALIDATE_DEADLINE").then(|| "0s".to_string());
    let c = load(None, None, Layer::default(), &env).unwrap();
    let e = c.limits().unwrap_err().to_string();
    assert!(
        e.starts_with("deadline = \"0s\" (env REVALIDATE_DEADLINE)"),
        "{e}"
    );
    let flags = Layer {
        timeout: Some(value::Span(Duration::ZERO)),
        ..Layer::default()
    };
    let c = load(None, None, flags, &|_| None).unwrap();
    assert!(
        c.limits()
            .unwrap_err()
            .to_string()
            .starts_with("timeout = \"0s\" (command line)")
    );
}

#[test]
fn missing_profile_lists_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), FILE);
    let e = load(Some(&f), Some("prod"), Layer::default(), &|_| None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("profile \"prod\" not found"), "{e}");
    assert!(e.contains("known profiles: staging"), "{e}");
}

#[test]
fn mode_specific_flags_in_the_other_mode_are_named() {
    let flags = Layer {
        endpoint_template: Some("/api/r?p={path}".into()),
        endpoint_body: Some("{}".into()),
        ..Layer::default()
    };
    let c = load(None, None, flags, &|_| None).unwrap();
    let e = c.fanout().unwrap_err().to_string();
    assert!(
        e.starts_with("--endpoint, --body are endpoint-mode flags, but this run is in nextjs mode"),
        "{e}"
    );
    let flags = Layer {
        mode: Some(value::Choice(Mode::Endpoint)),
        endpoint_template: Some("/api/r?p={path}".into()),
        only_generated: Some(true),
        ..Layer::default()
    };
    let c = load(None, None, flags, &|_| None).unwrap();
    let e = c.fanout().unwrap_err().to_string();
    assert!(
        e.starts_with("--only-generated is a nextjs-mode flag, but this run is in endpoint mode"),
        "{e}"
    );
}

#[test]
fn every_verify_setting_can_come_from_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        r#"
[profiles.p.verify]
through = "https://www.example.com"
samples = 3
encodings = ["gzip"]
etag = false
expect_contains = "New"
expect_regex = "v[0-9]"
expect_status = 200
baseline = "base.json"
expect_changed = true
save = "now.json"
wait = "30s"
"#,
    );
    let c = load(Some(&f), Some("p"), Layer::default(), &|_| None).unwrap();
    let v = c.verify().unwrap();
    assert_eq!(v.through.as_deref(), Some("https://www.example.com"));
    assert_eq!(v.samples, 3);
    assert_eq!(v.encodings, vec![Encoding::Gzip]);
    assert_eq!(v.expect_contains.as_deref(), Some("New"));
    assert_eq!(v.expect_regex.as_deref(), Some("v[0-9]"));
    assert_eq!(v.baseline, Some(dir.path().join("base.json")));
    assert!(v.expect_changed);
    assert_eq!(v.save, Some(dir.path().join("now.json")));
    assert_eq!(v.wait, Some(Duration::from_secs(30)));
}

#[test]
fn every_key_with_a_default_resolves_and_shows() {
    let c = load(None, None, Layer::default(), &|_| None).unwrap();
    c.limits().unwrap();
    c.fanout().unwrap();
    c.verify().unwrap();
    let entries = c.entries();
    assert_eq!(entries.len(), KEYS.len());
    let e = entries
        .iter()
        .find(|e| e.key == "verify.encodings")
        .unwrap();
    assert_eq!(e.value, r#"["identity", "gzip", "br"]"#);
    assert_eq!(e.source, "built-in default");
}

#[test]
fn entries_redact_literal_header_values_and_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        &format!("{FILE}\n[profiles.x]\npods = [\"a=http://user:pa55word@127.0.0.1:1\"]\n"),
    );
    let c = load(Some(&f), Some("x"), Layer::default(), &|_| None).unwrap();
    let text: String = c
        .entries()
        .iter()
        .map(|e| format!("{} = {}\n", e.key, e.value))
        .collect();
    assert!(text.contains("x-revalidate-secret: ${SECRET}"), "{text}");
    assert!(text.contains("x-literal: <redacted>"), "{text}");
    assert!(!text.contains("hunter22"), "{text}");
    assert!(!text.contains("pa55word"), "{text}");
    assert!(
        text.contains("http://user:<redacted>@127.0.0.1:1"),
        "{text}"
    );
}
