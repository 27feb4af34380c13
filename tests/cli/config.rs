//! Configuration: revalidate.toml in the working directory, -c FILE and REVALIDATE_CONFIG,
//! profiles (-p and REVALIDATE_PROFILE), precedence flag > env > profile > file > default as
//! `revalidate config` shows it and as fanout behaves, unknown keys and profiles, paths relative
//! to the config file, and secrets redacted.

use std::path::Path;

use crate::common::Step;
use revalidate::choices::Mode;
use revalidate::fanout::Outcome;
use revalidate::targets::Target;
use revalidate_sim::Fault;

use crate::common::{
    TestFleet, cell, code, fanout_dry_run_of, json, revalidate, revalidate_in, run_json, stderr,
    stdout,
};
use crate::fanout::fanout_json;

/// `revalidate config` human output as (value, source) of one key.
fn config_line(text: &str, key: &str) -> (String, String) {
    let prefix = format!("{key} = ");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {key} in\n{text}"));
    let (left, src) = line.split_once("  # ").expect("a source column");
    (
        left[prefix.len()..].trim().to_string(),
        src.trim().to_string(),
    )
}

fn pod_spec(tf: &TestFleet, i: usize) -> String {
    format!("{}={}", tf.pod(i).name(), tf.pod(i).url())
}

/// Pods that got any request.
fn reached(tf: &TestFleet) -> Vec<String> {
    tf.pods()
        .iter()
        .filter(|p| p.counters().requests > 0)
        .map(|p| p.name().to_string())
        .collect()
}

/// The names of the pods a fanout run (or dry run) was aimed at.
fn pods_in(env: &crate::common::Doc) -> Vec<String> {
    let targets: &[Target] = match env.steps.as_slice() {
        [Step::Fanout(r)] => &r.targets,
        [Step::FanoutDryRun(d)] => &d.targets,
        other => panic!("expected one fanout step, got {other:#?}"),
    };
    targets.iter().map(|t| t.name.clone()).collect()
}

#[test]
fn revalidate_toml_in_the_working_directory_is_used() {
    let tf = TestFleet::three();
    tf.write(
        "revalidate.toml",
        &format!(
            "pods = [{:?}, {:?}]\npreview_id_file = \".next/prerender-manifest.json\"\n",
            pod_spec(&tf, 0),
            pod_spec(&tf, 1)
        ),
    );
    let (out, doc) = run_json({
        let mut c = tf.cmd();
        c.args(["fanout", "/posts/a"]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(pods_in(&doc), ["pod-1", "pod-2"]);
    assert_eq!(reached(&tf), ["pod-1", "pod-2"]);

    let out = tf.cmd().arg("config").output().unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.starts_with("# config file: revalidate.toml\n"),
        "{text}"
    );
    assert_eq!(config_line(&text, "pods").1, "revalidate.toml");
    assert_eq!(
        config_line(&text, "preview_id_file"),
        (
            "\".next/prerender-manifest.json\"".into(),
            "revalidate.toml".into()
        )
    );
}

#[test]
fn pod_flags_replace_the_configured_pods() {
    let tf = TestFleet::three();
    tf.write(
        "revalidate.toml",
        &format!(
            "pods = [{:?}, {:?}]\npreview_id_file = \".next/prerender-manifest.json\"\n",
            pod_spec(&tf, 0),
            pod_spec(&tf, 1)
        ),
    );
    let (out, doc) = run_json({
        let mut c = tf.cmd();
        c.args(["fanout", "/posts/a", "--pod", &pod_spec(&tf, 2)]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(pods_in(&doc), ["pod-3"], "replaced, not added to");
    assert_eq!(reached(&tf), ["pod-3"]);

    // --pods-file on the command line replaces them as well.
    let list = tf.write("flag-pods.txt", &format!("{}\n", pod_spec(&tf, 1)));
    let (_, doc) = run_json({
        let mut c = tf.cmd();
        c.args(["fanout", "/posts/b", "--pods-file"]).arg(&list);
        c
    });
    assert_eq!(pods_in(&doc), ["pod-2"]);

    // The environment outranks the file too.
    let (_, doc) = run_json({
        let mut c = tf.cmd();
        c.env(
            "REVALIDATE_PODS",
            format!("{}, {}", pod_spec(&tf, 2), pod_spec(&tf, 0)),
        )
        .args(["fanout", "/posts/c"]);
        c
    });
    assert_eq!(pods_in(&doc), ["pod-3", "pod-1"]);
}

/// A config in a subdirectory naming files relative to itself; used from elsewhere.
fn config_elsewhere(tf: &TestFleet) -> std::path::PathBuf {
    let conf = tf.dir.path().join("conf");
    std::fs::create_dir_all(conf.join("app/.next")).unwrap();
    std::fs::copy(&tf.manifest, conf.join("app/.next/prerender-manifest.json")).unwrap();
    std::fs::write(
        conf.join("pods.txt"),
        format!("# the fleet\n{}\n", pod_spec(tf, 1)),
    )
    .unwrap();
    std::fs::write(conf.join("two.txt"), format!("{}\n", pod_spec(tf, 2))).unwrap();
    let file = conf.join("fleet.toml");
    std::fs::write(
        &file,
        format!(
            r#"pods_file = "pods.txt"
preview_id_file = "app"
[profiles.one]
pods = [{:?}]
[profiles.two]
pods_file = "two.txt"
"#,
            pod_spec(tf, 0)
        ),
    )
    .unwrap();
    file
}

#[test]
fn config_flag_and_env_with_paths_relative_to_the_file() {
    let tf = TestFleet::three();
    let file = config_elsewhere(&tf);
    let elsewhere = tempfile::tempdir().unwrap();

    // -c, from an unrelated working directory: pods.txt and app/ are found next to the file.
    let (out, doc) = run_json({
        let mut c = revalidate_in(elsewhere.path());
        c.arg("-c").arg(&file).args(["fanout", "/posts/a"]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(pods_in(&doc), ["pod-2"]);
    assert_eq!(reached(&tf), ["pod-2"]);

    // REVALIDATE_CONFIG, with a relative path from the fleet's directory.
    let (out, doc) = run_json({
        let mut c = tf.cmd();
        c.env("REVALIDATE_CONFIG", "conf/fleet.toml")
            .args(["fanout", "/posts/b"]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(pods_in(&doc), ["pod-2"]);

    let out = revalidate_in(elsewhere.path())
        .env("REVALIDATE_CONFIG", &file)
        .args(["config", "-o", "json"])
        .output()
        .unwrap();
    let doc = json(&out);
    assert_eq!(doc["file"], file.display().to_string());
    assert_eq!(
        doc["keys"]["pods_file"]["source"],
        file.display().to_string()
    );
    assert_eq!(doc["profiles"], serde_json::json!(["one", "two"]));

    // A named file that does not exist is an error, not a silent fallback.
    let out = tf
        .cmd()
        .env("REVALIDATE_CONFIG", "conf/missing.toml")
        .args(["fanout", "/posts/a"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("config file conf/missing.toml does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn profiles_from_the_flag_and_the_environment() {
    let tf = TestFleet::three();
    let file = config_elsewhere(&tf);
    let run = |profile_flag: Option<&str>, profile_env: Option<&str>, path: &str| {
        let mut c = tf.cmd();
        c.arg("-c").arg(&file);
        if let Some(p) = profile_flag {
            c.args(["-p", p]);
        }
        if let Some(p) = profile_env {
            c.env("REVALIDATE_PROFILE", p);
        }
        c.args(["fanout", path]);
        let (out, doc) = run_json(c);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        pods_in(&doc)
    };
    assert_eq!(run(None, None, "/posts/a"), ["pod-2"], "file defaults");
    assert_eq!(run(Some("one"), None, "/posts/a"), ["pod-1"]);
    assert_eq!(run(None, Some("two"), "/posts/a"), ["pod-3"]);
    assert_eq!(
        run(Some("one"), Some("two"), "/posts/b"),
        ["pod-1"],
        "-p beats REVALIDATE_PROFILE"
    );

    let out = tf
        .cmd()
        .arg("-c")
        .arg(&file)
        .args(["config", "-p", "two"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l == "# profile: two (defined: one, two)"),
        "{text}"
    );
    assert_eq!(
        config_line(&text, "pods_file"),
        (
            "\"two.txt\"".into(),
            format!("{} [profiles.two]", file.display())
        )
    );
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let tf = TestFleet::three();
    let file = config_elsewhere(&tf);
    for cmd in [&["fanout", "/posts/a"][..], &["config"]] {
        let out = tf
            .cmd()
            .arg("-c")
            .arg(&file)
            .args(["-p", "prod"])
            .args(cmd)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{cmd:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "profile \"prod\" not found in {} (known profiles: one, two)",
                file.display()
            )),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }
    let out = tf
        .cmd()
        .env("REVALIDATE_PROFILE", "staging")
        .args(["fanout", "/posts/a"])
        .args(tf.pod_args())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("profile \"staging\" given, but there is no config file"),
        "{}",
        stderr(&out)
    );
    assert!(reached(&tf).is_empty());
}

#[test]
fn unknown_keys_are_named_with_the_valid_ones() {
    let (mut c, dir) = revalidate();
    let cases = [
        (
            "concurency = 3\n",
            "unknown key `concurency` in the top level (did you mean `concurrency`?)",
        ),
        (
            "[endpoint]\ntemplat = \"/x\"\n",
            "unknown key `endpoint.templat` in [endpoint]",
        ),
        (
            "[verify]\nexpect_contain = \"x\"\n",
            "unknown key `verify.expect_contain` in [verify] (did you mean `verify.expect_contains`?)",
        ),
        (
            "[profiles.ci.verify]\nsampls = 3\n",
            "unknown key `verify.sampls` in [profiles.ci.verify] (did you mean `verify.samples`?)",
        ),
        (
            "[profiles.ci]\npod = []\n",
            "unknown key `pod` in [profiles.ci]",
        ),
        (
            "color = \"never\"\n",
            "unknown key `color` in the top level",
        ),
    ];
    for (text, want) in cases {
        std::fs::write(dir.path().join("revalidate.toml"), text).unwrap();
        for cmd in [
            &["config"][..],
            &["fanout", "/posts/a", "--pod", "http://127.0.0.1:9"],
        ] {
            let (mut c2, _d) = revalidate();
            let out = c2.current_dir(dir.path()).args(cmd).output().unwrap();
            assert_eq!(code(&out), 2, "{text:?} {cmd:?}");
            let err = stderr(&out);
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(
                err.contains("valid keys: pods, pods_file, concurrency, per_pod_concurrency, timeout, retries"),
                "{err}"
            );
            assert!(err.contains("endpoint.template"), "{err}");
        }
    }
    // Bad values name the key, where it came from and what is allowed.
    std::fs::write(dir.path().join("revalidate.toml"), "concurrency = 0\n").unwrap();
    let out = c.arg("config").output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("concurrency = 0 (revalidate.toml): must be a whole number from 1 to 4096"),
        "{err}"
    );
    // A bad value from the environment names the variable.
    std::fs::write(dir.path().join("revalidate.toml"), "concurrency = 3\n").unwrap();
    let (mut c, _d) = revalidate();
    let out = c
        .current_dir(dir.path())
        .env("REVALIDATE_RETRIES", "many")
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("(env REVALIDATE_RETRIES): must be a whole number"),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.path().join("revalidate.toml"), "this is [not toml").unwrap();
    let (mut c, _d) = revalidate();
    let out = c.current_dir(dir.path()).arg("config").output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("revalidate.toml is not valid TOML"),
        "{}",
        stderr(&out)
    );
}

const LAYERED: &str = r#"
timeout = "1s"
retries = 0
concurrency = 5
[profiles.p]
timeout = "2s"
retries = 1
"#;

fn config_cmd(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = revalidate_in(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.arg("config").args(args).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn precedence_is_flag_env_profile_file_default_in_the_config_command() {
    let (_c, dir) = revalidate();
    std::fs::write(dir.path().join("revalidate.toml"), LAYERED).unwrap();
    let d = dir.path();
    let file = "revalidate.toml".to_string();
    let profile = "revalidate.toml [profiles.p]".to_string();
    let env = "env REVALIDATE_TIMEOUT".to_string();

    let t = config_cmd(d, &[], &[]);
    assert_eq!(config_line(&t, "timeout"), ("\"1s\"".into(), file.clone()));
    assert_eq!(
        config_line(&t, "per_pod_concurrency"),
        ("4".into(), "built-in default".into())
    );
    let t = config_cmd(d, &["-p", "p"], &[]);
    assert_eq!(
        config_line(&t, "timeout"),
        ("\"2s\"".into(), profile.clone())
    );
    assert_eq!(config_line(&t, "concurrency"), ("5".into(), file.clone()));
    let t = config_cmd(d, &["-p", "p"], &[("REVALIDATE_TIMEOUT", "3s")]);
    assert_eq!(config_line(&t, "timeout"), ("\"3s\"".into(), env.clone()));
    assert_eq!(config_line(&t, "retries"), ("1".into(), profile.clone()));
    let t = config_cmd(
        d,
        &["-p", "p", "--timeout", "4s", "--per-pod-concurrency", "2"],
        &[("REVALIDATE_TIMEOUT", "3s")],
    );
    assert_eq!(
        config_line(&t, "timeout"),
        ("\"4s\"".into(), "command line".into())
    );
    assert_eq!(
        config_line(&t, "per_pod_concurrency"),
        ("2".into(), "command line".into())
    );

    // The same through -o json.
    let out = revalidate_in(d)
        .env("REVALIDATE_TIMEOUT", "3s")
        .args(["config", "-o", "json", "-p", "p", "--retries", "7"])
        .output()
        .unwrap();
    let doc = json(&out);
    let key = |k: &str| {
        (
            doc["keys"][k]["value"].as_str().unwrap().to_string(),
            doc["keys"][k]["source"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(key("retries"), ("7".into(), "command line".into()));
    assert_eq!(key("timeout"), ("\"3s\"".into(), env));
    assert_eq!(key("concurrency"), ("5".into(), file));
    assert_eq!(
        key("mode"),
        ("\"nextjs\"".into(), "built-in default".into())
    );
    assert_eq!(doc["profile"], "p");
    assert_eq!(doc["file"], "revalidate.toml");
}

#[test]
fn precedence_shows_in_behaviour() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(0).set_fault(Fault::Status(503)));
    tf.write(
        "revalidate.toml",
        &format!(
            "pods = [{:?}]\npreview_id_file = \".next\"\n{LAYERED}",
            pod_spec(&tf, 0)
        ),
    );
    // retries: file 0, profile 1, env 2, flag 3; the 503 pod is asked retries + 1 times.
    let attempts = |profile: bool, env: bool, flag: bool| {
        let mut c = tf.cmd();
        if profile {
            c.args(["-p", "p"]);
        }
        if env {
            c.env("REVALIDATE_RETRIES", "2");
        }
        c.args(["fanout", "/posts/a"]);
        if flag {
            c.args(["--retries", "3"]);
        }
        let before = tf.pod(0).counters().requests;
        let (out, r) = fanout_json(c);
        assert_eq!(code(&out), 3, "{}", stderr(&out));
        let n = u64::from(cell(&r, "/posts/a", "pod-1").attempts);
        assert_eq!(tf.pod(0).counters().requests - before, n);
        n
    };
    assert_eq!(attempts(false, false, false), 1, "file: retries = 0");
    assert_eq!(attempts(true, false, false), 2, "profile: retries = 1");
    assert_eq!(attempts(true, true, false), 3, "env: REVALIDATE_RETRIES=2");
    assert_eq!(attempts(true, true, true), 4, "flag: --retries 3");

    // Mode from the environment, overridden by the flag.
    let out = tf
        .cmd()
        .env("REVALIDATE_MODE", "endpoint")
        .args(["fanout", "/posts/a", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "endpoint mode needs a template");
    assert!(stderr(&out).contains("--endpoint TEMPLATE"));
    let (out, env) = run_json({
        let mut c = tf.cmd();
        c.env("REVALIDATE_MODE", "endpoint").args([
            "fanout",
            "/posts/a",
            "--dry-run",
            "--mode",
            "nextjs",
        ]);
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(fanout_dry_run_of(&env).mode, Mode::Nextjs);
}

#[test]
fn choices_are_case_insensitive_wherever_they_are_given() {
    let tf = TestFleet::three();
    // The config accepts "Endpoint"; it must mean endpoint mode, not fall back to nextjs.
    for (env, file) in [
        (Some("Endpoint"), None),
        (None, Some("mode = \"ENDPOINT\"\n")),
    ] {
        tf.write("revalidate.toml", file.unwrap_or(""));
        let mut c = tf.cmd();
        if let Some(m) = env {
            c.env("REVALIDATE_MODE", m);
        }
        c.args(["fanout", "/posts/a", "--dry-run"])
            .args(tf.pod_args())
            .args(["--endpoint", "/api/revalidate?path={path}"]);
        let (out, e) = run_json(c);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let d = fanout_dry_run_of(&e);
        assert_eq!(d.mode, Mode::Endpoint, "{env:?} {file:?}");
        assert!(
            d.requests[0].url.ends_with("/api/revalidate?path=/posts/a"),
            "{:?}",
            d.requests[0]
        );
    }
    // method = "get" in the file is GET.
    tf.write("revalidate.toml", "method = \"get\"\n");
    let (out, env) = run_json({
        let mut c = tf.cmd();
        c.args(["fanout", "/posts/a", "--dry-run"])
            .args(tf.pod_args())
            .args(tf.manifest_arg());
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(fanout_dry_run_of(&env).method, "GET");
}

#[test]
fn config_command_redacts_secrets() {
    let (mut c, dir) = revalidate();
    std::fs::write(
        dir.path().join("revalidate.toml"),
        r#"
[endpoint]
template = "/api/revalidate?path={path}"
headers = ["x-revalidate-secret: ${REVALIDATE_SECRET}", "x-api-key: Lk5literalKeyQ8"]
[profiles.prod.endpoint]
headers = ["authorization: Bearer Pf6profileTokZ2"]
"#,
    )
    .unwrap();
    let out = c
        .env("REVALIDATE_PREVIEW_ID", "c0ffeec0ffeec0ffeec0ffeec0ffee99")
        .env("REVALIDATE_SECRET", "Rs7envSecretK3")
        .args(["config", "-p", "prod"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for s in [
        "c0ffeec0ffeec0ffeec0ffeec0ffee99",
        "Rs7envSecretK3",
        "Lk5literalKeyQ8",
        "Pf6profileTokZ2",
    ] {
        assert!(!text.contains(s), "{s} in\n{text}");
    }
    assert_eq!(
        config_line(&text, "endpoint.headers").0,
        r#"["authorization: <redacted>"]"#
    );
    assert_eq!(
        config_line(&text, "previewModeId"),
        ("<redacted>".into(), "env REVALIDATE_PREVIEW_ID".into())
    );
    let (mut c, _d) = revalidate();
    let out = c.current_dir(dir.path()).arg("config").output().unwrap();
    let text = stdout(&out);
    assert_eq!(
        config_line(&text, "endpoint.headers").0,
        r#"["x-revalidate-secret: ${REVALIDATE_SECRET}", "x-api-key: <redacted>"]"#
    );
    assert!(!text.contains("Lk5literalKeyQ8"));
}

#[test]
fn the_preview_id_from_the_environment_outranks_a_configured_file() {
    let tf = TestFleet::three();
    // The configured file holds a stale id (another build's); the environment the right one.
    tf.write("stale-id", "0123456789abcdef0123456789abcdef\n");
    tf.write(
        "revalidate.toml",
        &format!(
            "pods = [{:?}]\npreview_id_file = \"stale-id\"\n[profiles.p]\npreview_id_file = \"stale-id\"\n",
            pod_spec(&tf, 0)
        ),
    );
    let right = tf.fleet().preview_id().to_string();
    for profile in [&[][..], &["-p", "p"]] {
        let (out, r) = fanout_json({
            let mut c = tf.cmd();
            c.env("REVALIDATE_PREVIEW_ID", &right)
                .args(profile)
                .args(["fanout", "/posts/a"]);
            c
        });
        assert_eq!(code(&out), 0, "{profile:?}: {r:#?}");
        assert_eq!(cell(&r, "/posts/a", "pod-1").outcome, Outcome::Revalidated);
    }
    // `revalidate config` says the same.
    let out = tf
        .cmd()
        .env("REVALIDATE_PREVIEW_ID", &right)
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(
        config_line(&stdout(&out), "previewModeId"),
        ("<redacted>".into(), "env REVALIDATE_PREVIEW_ID".into())
    );
    // Without the environment the configured file is used (and its id is wrong here).
    let (out, r) = fanout_json({
        let mut c = tf.cmd();
        c.args(["fanout", "/posts/a"]);
        c
    });
    assert_eq!(code(&out), 3);
    assert_eq!(cell(&r, "/posts/a", "pod-1").outcome, Outcome::Rejected);
    // A file named on the command line or in REVALIDATE_PREVIEW_ID_FILE is meant: it wins.
    let (out, r) = fanout_json({
        let mut c = tf.cmd();
        c.env("REVALIDATE_PREVIEW_ID", &right).args([
            "fanout",
            "/posts/a",
            "--preview-id-file",
            "stale-id",
        ]);
        c
    });
    assert_eq!(code(&out), 3);
    assert_eq!(cell(&r, "/posts/a", "pod-1").outcome, Outcome::Rejected);
    let (out, _) = fanout_json({
        let mut c = tf.cmd();
        c.env("REVALIDATE_PREVIEW_ID", "0123456789abcdef0123456789abcdef")
            .env("REVALIDATE_PREVIEW_ID_FILE", &tf.manifest)
            .args(["fanout", "/posts/a"]);
        c
    });
    assert_eq!(code(&out), 0);
}

#[test]
fn config_as_ndjson_is_one_line() {
    let (mut c, _d) = revalidate();
    let out = c.args(["config", "-o", "ndjson"]).output().unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let doc: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(doc["keys"]["concurrency"]["value"], "32");
}

#[test]
fn a_bad_line_in_a_configured_pods_file_is_named() {
    let tf = TestFleet::three();
    tf.write(
        "pods.txt",
        &format!("{}\n# comment\nnope:3000\n", pod_spec(&tf, 0)),
    );
    tf.write(
        "revalidate.toml",
        "pods_file = \"pods.txt\"\npreview_id_file = \".next\"\n",
    );
    let out = tf.cmd().args(["fanout", "/posts/a"]).output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("1 bad pod; nothing was sent:"), "{err}");
    assert!(
        err.contains(
            "pods.txt:3: \"nope:3000\": \"nope:3000\" has no scheme; write http://nope:3000"
        ),
        "{err}"
    );
    assert!(reached(&tf).is_empty());
}

#[test]
fn settings_that_make_a_step_prove_nothing_are_refused_and_nothing_is_sent() {
    let tf = TestFleet::three();
    // A listener that nothing may connect to: the Redis of publish and watch.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let redis_url = format!(
        "redis://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let pods = |c: &mut assert_cmd::Command| {
        for i in 0..3 {
            c.args(["--pod", &pod_spec(&tf, i)]);
        }
    };
    let mut runs: Vec<(assert_cmd::Command, &str)> = Vec::new();
    let mut c = tf.cmd();
    c.args(["verify", "/posts/a", "--max-body", "0"]);
    pods(&mut c);
    runs.push((
        c,
        "error: verify.max_body = \"0\" (command line): a body of at most 0 bytes leaves nothing to compare",
    ));
    let file = tf.write("vacuous.toml", "[verify]\nmax_body = \"0MiB\"\n");
    let mut c = tf.cmd();
    c.args(["verify", "/posts/a", "-c", file.to_str().unwrap()]);
    pods(&mut c);
    runs.push((c, "error: verify.max_body = \"0\" ("));
    let mut c = tf.cmd();
    c.args([
        "publish",
        "/posts/a",
        "--expect-subscribers",
        "0",
        "--redis-url",
        &redis_url,
    ]);
    runs.push((
        c,
        "error: redis.expect_subscribers = 0 (command line): 0 expected subscribers is met by a message nobody received",
    ));
    let mut c = tf.cmd();
    c.args(["watch", "--duration", "0s", "--redis-url", &redis_url]);
    runs.push((
        c,
        "error: --duration 0s ends the watch before any message can arrive",
    ));
    for (mut c, want) in runs {
        let out = c.output().unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(stderr(&out).starts_with(want), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
    assert!(reached(&tf).is_empty(), "pods reached: {:?}", reached(&tf));
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connected to Redis"
    );
    // With --stream, 0 subscribers is allowed (the stream's answer is the evidence): it gets
    // past the settings, to Redis, which this listener never answers.
    let out = tf
        .cmd()
        .args([
            "publish",
            "/posts/a",
            "--expect-subscribers",
            "0",
            "--stream",
        ])
        .args(["--redis-url", &redis_url, "--redis-timeout", "300ms"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(listener.accept().is_ok(), "publish --stream connected");
}
