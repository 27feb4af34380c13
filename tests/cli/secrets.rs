//! Secrets (the previewModeId, the revalidate secret, header and template values from ${VAR})
//! never appear in human, json or ndjson output, in errors, in --dry-run output or in -vv logs,
//! even when a pod echoes them back; and the previewModeId is never needed on the command line.

use std::process::Output;

use base64::Engine as _;

use revalidate_sim::{Fault, Flavor, FleetOptions};

use revalidate::fanout::Outcome;

use crate::common::{
    TestFleet, cell, code, envelope, fanout_dry_run_of, fanout_of, json, revalidate, stderr, stdout,
};
use crate::echo::{Answer, Echo, FORMS, Form, Request, assert_no_leak, encode};
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

/// A secret header value holding every character that changes meaning in a URL, JSON or HTML.
const ECHOED: &str = "Ek7\"Xq3v/<Fq>&'w+ Rz2";
/// The password inside an `Authorization: Basic` header given as `Basic ${VAR}`.
const BASIC_PASSWORD: &str = "Bp4basicPw/9Xy";

fn basic_credentials() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("deploy:{BASIC_PASSWORD}"))
}

#[test]
fn a_secret_echoed_in_any_form_or_letter_case_is_redacted_whole() {
    let basic = basic_credentials();
    let authorization = format!("Basic {basic}");
    let user_password = format!("deploy:{BASIC_PASSWORD}");
    for form in FORMS {
        // A pod that quotes both secret headers back, in one form, in its error.
        let pod = Echo::start(move |r| {
            let quote = |name| encode(form, r.header(name).unwrap_or(""));
            Answer::new(
                500,
                "text/plain",
                format!(
                    "got {}|{}.",
                    quote("x-revalidate-secret"),
                    quote("authorization")
                ),
            )
        });
        let variants: [&[&str]; 3] = [
            &[],
            &["-o", "json"],
            &["-o", "ndjson", "-vvvv", "--log-format", "json"],
        ];
        for variant in variants {
            let (mut c, _d) = revalidate();
            let out = c
                .env("ECHOED_SECRET", ECHOED)
                .env("BASIC_CREDENTIALS", &basic)
                .args(["fanout", "/posts/a", "--mode", "endpoint"])
                .args(["--pod", &format!("echo={}", pod.url)])
                .args([
                    "--endpoint",
                    "/api/revalidate?path={path}",
                    "--retries",
                    "0",
                ])
                .args(["-H", "x-revalidate-secret: ${ECHOED_SECRET}"])
                .args(["-H", "authorization: Basic ${BASIC_CREDENTIALS}"])
                .args(variant)
                .output()
                .unwrap();
            let what = format!("{form:?} {variant:?}");
            assert_eq!(code(&out), 3, "{what}: {}", stderr(&out));
            assert_no_leak(
                &out,
                &[
                    ECHOED,
                    &basic,
                    &authorization,
                    &user_password,
                    BASIC_PASSWORD,
                ],
                &what,
            );
            // Each echo is replaced whole: the secret, and the header built around one.
            assert!(
                stdout(&out).contains("got <redacted>|<redacted>."),
                "{what}: {}",
                stdout(&out)
            );
        }
        // The pod received both secrets intact, once a run.
        let requests = pod.requests();
        assert_eq!(requests.len(), 3, "{form:?}");
        for r in requests {
            assert_eq!(r.header("x-revalidate-secret"), Some(ECHOED));
            assert_eq!(r.header("authorization"), Some(authorization.as_str()));
        }
    }
}

/// What a server quoting the request's credentials in an error says: the whole Authorization
/// header base64-encoded (as a proxy logging the request would), and the bare secret
/// lower-cased.
fn quoted(r: &Request, secret_header: &str) -> String {
    let secret = r.header(secret_header).unwrap_or("");
    let secret = secret.strip_prefix("Bearer ").unwrap_or(secret);
    format!(
        "[{}] [{}]",
        encode(Form::Base64, r.header("authorization").unwrap_or("")),
        encode(Form::Lower, secret)
    )
}

#[test]
fn the_cloudflare_token_and_its_bearer_header_echoed_back_are_redacted() {
    let token = "Cf3tokenValue-Zx8wQ2";
    let api = Echo::start(|r| {
        let message = format!("Authentication error: {}", quoted(r, "authorization"));
        Answer::new(
            403,
            "application/json",
            serde_json::json!({"success": false, "errors": [{"code": 10000, "message": message}], "messages": [], "result": null}).to_string(),
        )
    });
    for variant in [&["-o", "json"][..], &["-vvvv"]] {
        let (mut c, _d) = revalidate();
        let out = c
            .env("CLOUDFLARE_API_TOKEN", token)
            .args(["cdn", "purge", "/posts/a", "--cloudflare-zone"])
            .arg("0123456789abcdef0123456789abcdef")
            .args(["--cloudflare-api-url", &api.url])
            .args(["--site-url", "https://www.example.com"])
            .args(variant)
            .output()
            .unwrap();
        assert_eq!(code(&out), 5, "{variant:?}: {}", stderr(&out));
        assert_no_leak(
            &out,
            &[token, &format!("Bearer {token}")],
            &format!("{variant:?}"),
        );
        assert!(
            stderr(&out).contains("Authentication error: [<redacted>] [<redacted>]"),
            "{}",
            stderr(&out)
        );
    }
    let requests = api.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("Bearer {token}")))
    );
}

#[test]
fn a_purge_key_echoed_back_lower_cased_is_redacted() {
    let key = "Fk8PurgeKEY-Mn4vQ";
    let cache = Echo::start(|r| {
        Answer::new(
            403,
            "text/plain",
            format!("bad key {}", quoted(r, "fastly-key")),
        )
    });
    let (mut c, _d) = revalidate();
    let out = c
        .env("FASTLY_KEY", key)
        .args(["cdn", "purge", "/posts/a", "-o", "json"])
        .args(["--purge-url", &format!("cache={}", cache.url)])
        .args(["--purge-header", "Fastly-Key: ${FASTLY_KEY}"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_no_leak(&out, &[key], "purge");
    assert!(
        stdout(&out).contains("bad key [] [<redacted>]"),
        "{}",
        stdout(&out)
    );
    assert_eq!(cache.requests()[0].header("fastly-key"), Some(key));
}

/// A kubeconfig for the API server at `url` with `user` (YAML of the `user:` entry).
fn kubeconfig(dir: &std::path::Path, url: &str, user: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {url}\nusers:\n- name: u\n  user:\n{user}contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n    namespace: web\ncurrent-context: x\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn kubernetes_credentials_and_their_headers_echoed_back_are_redacted() {
    let token = "Kt5apiserverToken-Wm3q";
    let password = "Kp6basicPassword-Yc2";
    let api = Echo::start(|r| {
        let message = format!("Unauthorized: {}", quoted(r, "authorization"));
        Answer::new(
            401,
            "application/json",
            serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": "Unauthorized", "code": 401}).to_string(),
        )
    });
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("admin:{password}"));
    for (user, header) in [
        (format!("    token: {token}\n"), format!("Bearer {token}")),
        (
            format!("    username: admin\n    password: {password}\n"),
            format!("Basic {basic}"),
        ),
    ] {
        let (mut c, dir) = revalidate();
        let kc = kubeconfig(dir.path(), &api.url, &user);
        let out = c
            .args(["pods", "--k8s-service", "web", "-vvvv", "--kubeconfig"])
            .arg(&kc)
            .output()
            .unwrap();
        assert_eq!(code(&out), 5, "{user}: {}", stderr(&out));
        assert_no_leak(
            &out,
            &[token, password, &header, &format!("admin:{password}")],
            &user,
        );
        assert!(
            stderr(&out).contains("Unauthorized: [<redacted>] [<redacted>]"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            api.requests().last().unwrap().header("authorization"),
            Some(header.as_str())
        );
    }
}

#[test]
fn a_secret_shorter_than_8_characters_is_refused_by_name_before_anything_is_sent() {
    let server = Echo::start(|_| Answer::new(500, "text/plain", ""));
    let pod = format!("p={}", server.url);
    let redis_url = format!("redis://{}", server.url.trim_start_matches("http://"));
    let (_, dir) = revalidate();
    let kc = kubeconfig(dir.path(), &server.url, "    token: Kt5sh\n");
    let kc = kc.display().to_string();
    // Runs `args` with `env`: exit 2, the refusal names the secret and the minimum, never the
    // value.
    let refused = |args: &[&str], env: &[(&str, &str)], want: &str| {
        let (mut c, _d) = revalidate();
        c.env_remove("AWS_PROFILE").args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(err.contains("a secret must have at least 8"), "{err}");
        for short in ["Sh0rt", "5e17e1"] {
            assert!(
                !err.contains(short) && !stdout(&out).contains(short),
                "{err}"
            );
        }
    };
    let endpoint = ["--mode", "endpoint", "--endpoint", "/r?p={path}"];
    refused(
        &[
            &["fanout", "/posts/a", "--pod", &pod][..],
            &endpoint,
            &["-H", "x-a: ${SHORT_ONE}"],
        ]
        .concat(),
        &[("SHORT_ONE", "Sh0rt")],
        "header x-a: the value of ${SHORT_ONE} is 5 characters long",
    );
    refused(
        &[
            &["fanout", "/posts/a", "--pod", &pod][..],
            &endpoint,
            &["-H", "authorization: Bearer Sh0rt"],
        ]
        .concat(),
        &[],
        "the credential of header authorization is 5 characters long",
    );
    refused(
        &["fanout", "/posts/a", "--pod", &pod],
        &[("REVALIDATE_PREVIEW_ID", "5e17e1")],
        "the previewModeId from env REVALIDATE_PREVIEW_ID is 6 characters long",
    );
    refused(
        &["publish", "/posts/a", "--redis-url", &redis_url],
        &[("REDIS_PASSWORD", "Sh0rt")],
        "Redis password from env REDIS_PASSWORD is 5 characters long",
    );
    refused(
        &[
            "cdn",
            "purge",
            "/a",
            "--cloudflare-zone",
            "0123456789abcdef0123456789abcdef",
            "--site-url",
            "https://www.example.com",
            "--cloudflare-api-url",
            &server.url,
        ],
        &[("CLOUDFLARE_API_TOKEN", "Sh0rt")],
        "the Cloudflare API token (env CLOUDFLARE_API_TOKEN) is 5 characters long",
    );
    refused(
        &["pods", "--k8s-service", "web", "--kubeconfig", &kc],
        &[],
        "the kubeconfig user's token is 5 characters long",
    );
    refused(
        &[
            "cdn",
            "invalidate",
            "/a",
            "--distribution",
            "E2ABCDEF",
            "--endpoint-url",
            &server.url,
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "Sk4secretAccessKey-long"),
        ],
        "the AWS access key id is 4 characters long",
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn a_panic_message_is_redacted() {
    let secret = "Pn7panicSecret-Jk2w";
    let (mut c, _d) = revalidate();
    let out = c
        .env("PANIC_SECRET", secret)
        .env(
            "REVALIDATE_TEST_PANIC",
            format!(
                "a value {} and {} and {}",
                secret.to_uppercase(),
                encode(Form::Base64, secret),
                encode(Form::Hex, secret)
            ),
        )
        .args([
            "fanout",
            "/posts/a",
            "--pod",
            "http://127.0.0.1:9",
            "--mode",
            "endpoint",
        ])
        .args([
            "--endpoint",
            "/r?p={path}",
            "-H",
            "x-revalidate-secret: ${PANIC_SECRET}",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 101, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("thread 'main' panicked at src/app.rs:"),
        "{err}"
    );
    assert!(
        err.contains("a value <redacted> and <redacted> and <redacted>"),
        "{err}"
    );
    assert_no_leak(&out, &[secret], "panic");
}

#[test]
fn doctor_never_prints_the_preview_id_the_redis_password_or_the_cloudflare_token() {
    use crate::redis::server::RedisServer;
    use revalidate_sim::{CloudflareApi, CloudflareOptions};
    let tf = sentinel_fleet(Flavor::Next16);
    // A pod that ignores the id gives the previewModeId's FAIL line and its hint.
    tf.block_on(tf.pod(1).set_fault(Fault::IgnoreRevalidate));
    let password = "Rd5sentinelPWq81";
    let redis = RedisServer::with_password(password);
    let token = "Cf0sentinel0token0000000000000000000abcd";
    let cloudflare = tf
        .block_on(CloudflareApi::start(CloudflareOptions {
            token: token.into(),
            ..CloudflareOptions::default()
        }))
        .unwrap();
    for (redis_password, cloudflare_token, want) in [
        (password, token, 3),
        // Refused: the wrong values are secrets too.
        (
            "Rd5wrongPWzz93",
            "Cf0wrong00token0000000000000000000wxyz",
            5,
        ),
    ] {
        for v in [
            &[][..],
            &["-o", "json"],
            &["-o", "ndjson"],
            &["-vv"],
            &["-vvvv", "-q"],
        ] {
            let out = tf
                .cmd()
                .env("REDIS_PASSWORD", redis_password)
                .env("CLOUDFLARE_API_TOKEN", cloudflare_token)
                .args(["doctor", "--path", "/posts/a"])
                .args(tf.pod_args())
                .args(tf.manifest_arg())
                .args(["--redis-url", &redis.url()])
                .args(["--cloudflare-zone", cloudflare.zone_id()])
                .args(["--cloudflare-api-url", &cloudflare.url()])
                .args(["--site-url", "https://www.example.com"])
                .args(v)
                .output()
                .unwrap();
            let what = format!("doctor {v:?}");
            assert_eq!(code(&out), want, "{what}: {}", stderr(&out));
            assert_absent(
                &out,
                &[
                    PREVIEW_ID,
                    password,
                    token,
                    redis_password,
                    cloudflare_token,
                ],
                &what,
            );
        }
    }
}
