//! Secrets (the previewModeId, the revalidate secret, header and template values from ${VAR})
//! never appear in human, json or ndjson output, in errors, in --dry-run output or in -vv logs,
//! even when a pod echoes them back; and the previewModeId is never needed on the command line.

use std::process::Output;

use revalidate_sim::{Fault, Flavor, FleetOptions};

use revalidate::fanout::Outcome;

use crate::common::{
    TestFleet, cell, code, envelope, fanout_dry_run_of, fanout_of, json, revalidate, stderr, stdout,
};
use crate::echo::assert_no_leak;
use crate::fanout::{fanout, fanout_bare, fanout_json};

/// Sentinels: distinctive values that must never be printed.
const PREVIEW_ID: &str = "5e17e15e17e15e17e15e17e15e17e1ab";
const SECRET: &str = "Sx7secretQ9-zz4Kd";

fn sentinel_fleet(flavor: Flavor) -> TestFleet {
    TestFleet::start(FleetOptions {
        flavor,
        preview_id: PREVIEW_ID.into(),
        secret: SECRET.into(),
        ..FleetOptions::default()
    })
}

/// Every way the output can be shaped, including dry runs and logs.
const VARIANTS: &[&[&str]] = &[
    &[],
    &["-o", "json"],
    &["-o", "ndjson"],
    &["-vv"],
    &["-vvvv", "-q"],
    &["--dry-run"],
    &["--dry-run", "-o", "json"],
    &["--dry-run", "-o", "ndjson"],
    &["--dry-run", "-vv"],
];

/// No form of any of `secrets` (any encoding, any letter case) shows.
fn assert_absent(out: &Output, secrets: &[&str], what: &str) {
    assert_no_leak(out, secrets, what);
}

/// Runs `make()` in every output variant; checks the exit code and that no secret shows.
fn check_all_variants(
    make: impl Fn() -> assert_cmd::Command,
    secrets: &[&str],
    want_code: i32,
) -> Vec<(String, Output)> {
    let mut outs = Vec::new();
    for v in VARIANTS {
        let out = make().args(*v).output().unwrap();
        let what = format!("variant {v:?}");
        let want = if v.contains(&"--dry-run") {
            0
        } else {
            want_code
        };
        assert_eq!(code(&out), want, "{what}: {}", stderr(&out));
        assert_absent(&out, secrets, &what);
        outs.push((what, out));
    }
    outs
}

#[test]
fn nextjs_mode_never_prints_the_preview_id() {
    let tf = sentinel_fleet(Flavor::Next16);
    // One pod that ignores the header gives failure rows, errors and hints too.
    tf.block_on(tf.pod(1).set_fault(Fault::IgnoreRevalidate));
    let outs = check_all_variants(
        || {
            let mut c = fanout(&tf);
            c.args(["/posts/a", "/nope"]);
            c
        },
        &[PREVIEW_ID],
        3,
    );
    // The id was really used: the other pods revalidated.
    assert!(tf.pod(0).counters().revalidate_requests >= 1);
    let dry = &outs
        .iter()
        .find(|(w, _)| w == "variant [\"--dry-run\"]")
        .unwrap()
        .1;
    assert!(
        stdout(dry).contains("x-prerender-revalidate: <redacted: previewModeId from"),
        "{}",
        stdout(dry)
    );
}

#[test]
fn nextjs_mode_with_the_id_from_the_environment_never_prints_it() {
    let tf = sentinel_fleet(Flavor::Next13);
    let outs = check_all_variants(
        || {
            let mut c = fanout_bare(&tf);
            c.env("REVALIDATE_PREVIEW_ID", PREVIEW_ID).args([
                "/posts/a",
                "/posts/d",
                "--only-generated",
            ]);
            c
        },
        &[PREVIEW_ID],
        0,
    );
    for pod in tf.pods() {
        assert!(pod.counters().revalidate_requests >= 1);
    }
    let (_, dry) = outs
        .iter()
        .find(|(w, _)| w == "variant [\"--dry-run\", \"-o\", \"json\"]")
        .unwrap();
    let env = envelope(dry);
    let headers = &fanout_dry_run_of(&env).requests[0].headers;
    assert_eq!(
        headers[0],
        (
            "x-prerender-revalidate".to_string(),
            "<redacted: previewModeId from env REVALIDATE_PREVIEW_ID>".to_string()
        )
    );
}

#[test]
fn endpoint_mode_never_prints_header_or_template_secrets() {
    let tf = sentinel_fleet(Flavor::Next16);
    // A wrong-secret pod is impossible (one secret per fleet), so add failures another way:
    // one pod hangs (timeout errors) and one answers 500.
    tf.block_on(tf.pod(1).set_fault(Fault::Hang));
    tf.block_on(tf.pod(2).set_fault(Fault::Status(500)));
    let token = "Ut5tokenPz-7Yw3n";
    let body_secret = "Bd2bodyQr Lm8Vt";
    let outs = check_all_variants(
        || {
            let mut c = fanout_bare(&tf);
            c.env("REVALIDATE_SECRET", SECRET)
                .env("URL_TOKEN", token)
                .env("BODY_SECRET", body_secret)
                .args([
                    "/posts/a",
                    "--mode",
                    "endpoint",
                    "--endpoint",
                    "/api/revalidate?path={path}&token=${URL_TOKEN}",
                    "--header",
                    "x-revalidate-secret: ${REVALIDATE_SECRET}",
                    "--header",
                    "authorization: Bearer La3authWx-Nq6Ze",
                    "--body",
                    r#"{"path":"{path}","secret":"${BODY_SECRET}"}"#,
                    "--expect-json",
                    "revalidated=true",
                    "--timeout",
                    "1s",
                    "--retries",
                    "0",
                ]);
            c
        },
        &[SECRET, token, body_secret, "La3authWx-Nq6Ze"],
        3,
    );
    // The secret header was right: the healthy pod revalidated once per real run (five), and
    // the dry runs sent nothing.
    assert_eq!(tf.pod(0).counters().regenerations, 5);
    let (_, dry) = outs
        .iter()
        .find(|(w, _)| w == "variant [\"--dry-run\"]")
        .unwrap();
    let text = stdout(dry);
    for line in [
        "  x-revalidate-secret: <redacted: ${REVALIDATE_SECRET}>",
        "  authorization: <redacted: literal authorization value>",
        r#"  body: {"path":"/posts/a","secret":"<redacted>"}"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} in\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("POST ") && l.ends_with("&token=<redacted>  (pod-1)")),
        "{text}"
    );
}

#[test]
fn a_pod_echoing_the_secret_back_is_redacted() {
    // Next 13's /api/revalidate answers 500 with the path it was given when the page does not
    // exist; putting the secret into the path parameter makes the pod echo it back.
    let tf = sentinel_fleet(Flavor::Next13);
    let echoed = "Ec4echo Wv\"qt9Hk\"/Jr5Bb";
    let outs = check_all_variants(
        || {
            let mut c = fanout_bare(&tf);
            c.env("REVALIDATE_SECRET", SECRET)
                .env("ECHO_TOKEN", echoed)
                .args([
                    "/posts/a",
                    "--mode",
                    "endpoint",
                    "--endpoint",
                    "/api/revalidate?path={path}/${ECHO_TOKEN}",
                    "--header",
                    "x-revalidate-secret: ${REVALIDATE_SECRET}",
                ]);
            c
        },
        &[SECRET, echoed],
        3,
    );
    let (_, out) = outs
        .iter()
        .find(|(w, _)| w == "variant [\"-o\", \"json\"]")
        .unwrap();
    let env = envelope(out);
    let c = cell(fanout_of(&env), "/posts/a", "pod-1");
    assert_eq!(c.outcome, Outcome::HttpError);
    assert_eq!(c.status, Some(500));
    let error = c.error.as_deref().unwrap_or_default();
    // The pod did echo it; the report shows where, not what.
    assert!(error.contains(r#""path":"/posts/a/<redacted>""#), "{error}");
}

#[test]
fn errors_never_print_the_secret_they_are_about() {
    let (mut c, dir) = revalidate();
    // A preview id with a space in it is refused without quoting it.
    let manifest = dir.path().join("prerender-manifest.json");
    std::fs::write(
        &manifest,
        r#"{"preview":{"previewModeId":"Mf6with spaceYy0042"}}"#,
    )
    .unwrap();
    let out = c
        .args(["fanout", "/posts/a", "--pod", "http://127.0.0.1:9"])
        .arg("--preview-id-file")
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("has whitespace"), "{}", stderr(&out));
    assert_absent(&out, &["Mf6with spaceYy0042"], "bad manifest id");

    let (mut c, _d) = revalidate();
    let out = c
        .env("REVALIDATE_PREVIEW_ID", "Na7nonQ\u{e9}asciiRr2")
        .args(["fanout", "/posts/a", "--pod", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("env REVALIDATE_PREVIEW_ID"),
        "{}",
        stderr(&out)
    );
    assert_absent(&out, &["Na7nonQ\u{e9}asciiRr2"], "non-ASCII env id");

    // A header value a header cannot carry.
    let (mut c, _d) = revalidate();
    let out = c
        .env("BAD_SECRET", "Dc8delQ\u{7f}charPp3")
        .args([
            "fanout",
            "/posts/a",
            "--pod",
            "http://127.0.0.1:9",
            "--mode",
            "endpoint",
            "--endpoint",
            "/api/revalidate?path={path}",
            "-H",
            "x-revalidate-secret: ${BAD_SECRET}",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("the value of header x-revalidate-secret has characters"),
        "{}",
        stderr(&out)
    );
    assert_absent(&out, &["Dc8delQ\u{7f}charPp3"], "bad header value");
}

#[test]
fn the_preview_id_is_never_needed_on_the_command_line() {
    let tf = sentinel_fleet(Flavor::Next16);
    // There is no flag for it, and a mistaken attempt does not echo the value.
    let out = fanout_bare(&tf)
        .args(["/posts/a", "--preview-id", PREVIEW_ID])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_absent(&out, &[PREVIEW_ID], "--preview-id");
    for pod in tf.pods() {
        assert_eq!(pod.counters().requests, 0);
    }

    // Without a source, the error says where the id may come from.
    let out = fanout_bare(&tf).arg("/posts/a").output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("--preview-id-file") && err.contains("REVALIDATE_PREVIEW_ID"),
        "{err}"
    );
    assert!(err.contains("never taken from the command line"), "{err}");

    // From the environment, and from the app directory holding .next/: argv holds no secret.
    let (out, r) = fanout_json({
        let mut c = fanout_bare(&tf);
        c.env("REVALIDATE_PREVIEW_ID", PREVIEW_ID).arg("/posts/a");
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(r.totals.outcomes[&Outcome::Revalidated], 3);
    let (out, r) = fanout_json({
        let mut c = fanout_bare(&tf);
        c.arg("/posts/b")
            .arg("--preview-id-file")
            .arg(tf.dir.path());
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(r.totals.outcomes[&Outcome::Revalidated], 3);
    // A file holding only the id works too.
    let id_file = tf.write("preview-id", &format!("{PREVIEW_ID}\n"));
    let (out, _) = fanout_json({
        let mut c = fanout_bare(&tf);
        c.arg("/posts/c").arg("--preview-id-file").arg(&id_file);
        c
    });
    assert_eq!(code(&out), 0);
}

#[test]
fn config_command_never_prints_secrets_in_any_format() {
    let (mut c, dir) = revalidate();
    std::fs::write(
        dir.path().join("revalidate.toml"),
        r#"
pods = ["web-0=http://127.0.0.1:3000"]
[endpoint]
template = "/api/revalidate?path={path}"
headers = ["x-revalidate-secret: ${REVALIDATE_SECRET}", "x-api-key: Lk1literalKeyX9", "x-mixed: Bearer ${TOKEN} Mx2mixedQv"]
[verify]
headers = ["cookie: session=Ck3cookieZw"]
[profiles.prod.endpoint]
headers = ["authorization: Pf4profileJn"]
"#,
    )
    .unwrap();
    let secrets = [
        PREVIEW_ID,
        SECRET,
        "Lk1literalKeyX9",
        "Mx2mixedQv",
        "Ck3cookieZw",
        "Pf4profileJn",
    ];
    let out = c
        .env("REVALIDATE_PREVIEW_ID", PREVIEW_ID)
        .env("REVALIDATE_SECRET", SECRET)
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_absent(&out, &secrets, "config");
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("previewModeId = <redacted>")
                && l.ends_with("# env REVALIDATE_PREVIEW_ID")),
        "{text}"
    );
    assert!(
        text.contains(r#""x-revalidate-secret: ${REVALIDATE_SECRET}""#),
        "a bare ${{VAR}} reference is shown: {text}"
    );
    assert!(text.contains(r#""x-api-key: <redacted>""#), "{text}");
    assert!(text.contains(r#""x-mixed: <redacted>""#), "{text}");
    assert!(text.contains(r#""cookie: <redacted>""#), "{text}");

    for args in [
        vec!["config", "-o", "json"],
        vec!["config", "-p", "prod"],
        vec!["config", "-p", "prod", "-o", "json"],
        vec!["config", "-vv"],
    ] {
        let (mut c, _d) = revalidate();
        let out = c
            .current_dir(dir.path())
            .env("REVALIDATE_PREVIEW_ID", PREVIEW_ID)
            .env("REVALIDATE_SECRET", SECRET)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_absent(&out, &secrets, &format!("{args:?}"));
        if args.contains(&"json") {
            let doc = json(&out);
            assert_eq!(doc["keys"]["previewModeId"]["value"], "<redacted>");
            assert_eq!(
                doc["keys"]["previewModeId"]["source"],
                "env REVALIDATE_PREVIEW_ID"
            );
            if args.contains(&"prod") {
                assert_eq!(
                    doc["keys"]["endpoint.headers"]["value"],
                    r#"["authorization: <redacted>"]"#
                );
            }
        }
    }
}
