//! Safety from the built binary: no secret leaks by any route (a pod that echoes it back, a cut
//! error snippet, a template that places it in a URL, credentials in a pod URL, literal
//! credentials), inputs refused before anything is sent, honest exit codes (a failed write,
//! SIGTERM), and warnings said once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};

use revalidate::fanout::Outcome;
use revalidate_sim::FleetOptions;

use crate::common::{
    TestFleet, code, envelope, events, fanout_of, revalidate, revalidate_in, std_command, stderr,
    stdout, wait_until,
};
use crate::echo::{Answer, Echo};

/// A secret holding every character that changes meaning somewhere in a URL, JSON or HTML.
const AWKWARD: &str = "k3y+/=#&%'\"<>Zq9-w7Vp";

/// No form of `secret` (any encoding, any letter case) shows on stdout or stderr.
fn assert_no_leak(out: &Output, secret: &str) {
    crate::echo::assert_no_leak(out, &[secret], "");
}

/// A pod that answers every request 500 with a body quoting the request line and headers,
/// after `pad` bytes (so a secret in them straddles any cut). Returns its URL and the requests.
fn echo_pod(pad: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            log.lock().unwrap().push(head.clone());
            let text = format!("{}{head}", "x".repeat(pad));
            let _ = write!(
                s,
                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (url, seen)
}

#[test]
fn a_secret_echoed_back_in_a_cut_error_never_shows_any_part() {
    for pad in [170, 185, 195] {
        let (url, seen) = echo_pod(pad);
        let (mut c, _d) = revalidate();
        let out = c
            .env("REVALIDATE_TEST_AWKWARD", AWKWARD)
            .args([
                "fanout",
                "/posts/a",
                "--pod",
                &format!("echo={url}"),
                "--mode",
                "endpoint",
                "--endpoint",
                "/api/revalidate?secret=${REVALIDATE_TEST_AWKWARD}&path={path}",
                "-H",
                "x-revalidate-secret: ${REVALIDATE_TEST_AWKWARD}",
                "--retries",
                "0",
            ])
            .output()
            .unwrap();
        assert_eq!(code(&out), 3, "{}", stderr(&out));
        assert!(
            stdout(&out).contains("500: status 500:"),
            "{}",
            stdout(&out)
        );
        assert_no_leak(&out, AWKWARD);
        // The secret reached the pod intact: as a query value that decodes to it exactly, and as
        // a header.
        let req = seen.lock().unwrap()[0].clone();
        let query = req.split(' ').nth(1).unwrap();
        let value = query
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("secret="))
            .unwrap();
        assert_eq!(
            percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .unwrap(),
            AWKWARD,
            "{query}"
        );
        assert!(
            req.contains(&format!("x-revalidate-secret: {AWKWARD}")),
            "{req}"
        );
    }
}

#[test]
fn a_secret_in_the_endpoint_path_and_body_is_encoded_and_redacted_in_every_output() {
    // A pod that takes the call and quotes the request target and body back in its answer.
    let pod = Echo::start(|r| {
        Answer::new(
            200,
            "application/json",
            serde_json::json!({
                "revalidated": true,
                "target": r.target,
                "body": String::from_utf8_lossy(&r.body),
            })
            .to_string(),
        )
    });
    let mut sent = 0;
    for fmt in ["human", "json", "ndjson"] {
        for extra in [&[][..], &["--dry-run"], &["-vv"]] {
            let (mut c, _d) = revalidate();
            let out = c
                .env("REVALIDATE_TEST_AWKWARD", AWKWARD)
                .args(["fanout", "/posts/a", "--mode", "endpoint", "-o", fmt])
                .args(["--pod", &format!("echo={}", pod.url)])
                .args([
                    "--endpoint",
                    "/api/${REVALIDATE_TEST_AWKWARD}/revalidate?path={path}",
                    "--body",
                    r#"{"path":"{path}","token":"${REVALIDATE_TEST_AWKWARD}"}"#,
                    "--expect-json",
                    "revalidated=true",
                ])
                .args(extra)
                .output()
                .unwrap();
            assert_eq!(code(&out), 0, "{fmt} {extra:?}: {}", stderr(&out));
            assert_no_leak(&out, AWKWARD);
            if !extra.contains(&"--dry-run") {
                sent += 1;
            }
            // What the pod received: the secret as one encoded path segment, and in the JSON
            // body as a string that decodes to it exactly; a dry run sends nothing.
            let requests = pod.requests();
            assert_eq!(requests.len(), sent, "{fmt} {extra:?}");
            if let Some(r) = requests.last() {
                assert_eq!(r.method, "POST");
                assert_eq!(
                    r.target,
                    format!(
                        "/api/{}/revalidate?path=/posts/a",
                        revalidate::paths::encode_segment(AWKWARD)
                    )
                );
                let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                assert_eq!(
                    body,
                    serde_json::json!({"path": "/posts/a", "token": AWKWARD})
                );
            }
        }
    }
}

#[test]
fn credentials_in_a_pod_url_are_masked_in_the_refusal_and_in_config() {
    let (mut c, dir) = revalidate();
    let out = c
        .args([
            "fanout",
            "/x",
            "--pod",
            "a=http://admin:Pw9secretPw9@127.0.0.1:1",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("admin:<redacted>@127.0.0.1:1"),
        "{}",
        stderr(&out)
    );
    assert_no_leak(&out, "Pw9secretPw9");
    std::fs::write(
        dir.path().join("revalidate.toml"),
        "pods = [\"a=http://admin:Pw9secretPw9@10.0.0.1:3000\"]\n",
    )
    .unwrap();
    for fmt in ["human", "json", "ndjson"] {
        let out = revalidate_in(dir.path())
            .env("REVALIDATE_PODS", "b=https://tok3nTok3nTok3n@10.0.0.2:3000")
            .args(["config", "-o", fmt])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0);
        assert_no_leak(&out, "Pw9secretPw9");
        assert_no_leak(&out, "tok3nTok3nTok3n");
        assert!(
            stdout(&out).contains("https://<redacted>@10.0.0.2:3000"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn credentials_in_an_api_or_site_url_are_refused_masked_before_anything_is_sent() {
    let api = Echo::start(|_| Answer::new(500, "text/plain", ""));
    let host = api.url.trim_start_matches("http://");
    let pw = "Ep2endpointPw-Hd7";
    let with_password = format!("http://admin:{pw}@{host}");
    let masked = format!("\"http://admin:<redacted>@{host}\"");
    // Runs `args` with `env`: exit 2, the refusal says `want`, the password never shows.
    let refused = |args: &[&str], env: &[(&str, &str)], want: &str| {
        let (mut c, _d) = revalidate();
        c.env("AWS_ACCESS_KEY_ID", "AKIAREVALIDATESAFE01")
            .env("AWS_SECRET_ACCESS_KEY", "Sk5safetySecretKey-0001")
            .env("CLOUDFLARE_API_TOKEN", "Ct6cloudflareToken-01")
            .args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert_no_leak(&out, pw);
    };
    let invalidate = ["cdn", "invalidate", "/a", "--distribution", "E2ABCDEF"];
    let purge = [
        "cdn",
        "purge",
        "/a",
        "--cloudflare-zone",
        "0123456789abcdef0123456789abcdef",
    ];
    // The SDK's own -vvvv lines would print the endpoint in full.
    refused(
        &[&invalidate[..], &["-vvvv"]].concat(),
        &[("AWS_ENDPOINT_URL_CLOUDFRONT", &with_password)],
        &format!(
            "cdn.endpoint_url = {masked} (env AWS_ENDPOINT_URL_CLOUDFRONT): credentials in the URL would be sent and printed in logs"
        ),
    );
    refused(
        &[&invalidate[..], &["--endpoint-url", &with_password]].concat(),
        &[],
        &format!("cdn.endpoint_url = {masked} (command line)"),
    );
    refused(
        &[
            &purge[..],
            &[
                "--site-url",
                "https://www.example.com",
                "--cloudflare-api-url",
                &with_password,
            ],
        ]
        .concat(),
        &[],
        &format!("cdn.cloudflare_api_url = {masked} (command line)"),
    );
    for (site, shown) in [
        (
            format!("https://editor:{pw}@www.example.com"),
            "https://editor:<redacted>@www.example.com",
        ),
        (
            format!("https://:{pw}@www.example.com"),
            "https://:<redacted>@www.example.com",
        ),
    ] {
        refused(
            &[
                &purge[..],
                &["--cloudflare-api-url", &api.url, "--site-url", &site],
            ]
            .concat(),
            &[],
            &format!("--site-url \"{shown}\" must be an http(s) origin"),
        );
    }
    assert!(api.requests().is_empty());
}

#[test]
fn a_literal_credential_header_is_redacted_everywhere_and_warned_about() {
    let tf = TestFleet::three();
    for args in [
        &["-o", "json"][..],
        &["-o", "ndjson"],
        &["--dry-run"],
        &["--dry-run", "-o", "json"],
        &["-vv"],
    ] {
        let out = tf
            .cmd()
            .args(["fanout", "/posts/a"])
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .args([
                "-H",
                "X-Api-Signature: LiteralSig0nature42",
                "-H",
                "Accept: text/html",
            ])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_no_leak(&out, "LiteralSig0nature42");
        let warned = stderr(&out).contains("x-api-signature is written literally")
            || stdout(&out).contains("x-api-signature is written literally");
        assert!(warned, "{args:?}: {}", stderr(&out));
    }
    // The header is sent in nextjs mode too (a proxy in front of the pods may need it).
    let out = tf
        .cmd()
        .args(["fanout", "/posts/a", "--dry-run"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .args(["-H", "Accept: text/html"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("  accept: text/html"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn dot_segments_are_refused_before_anything_is_sent() {
    let tf = TestFleet::three();
    for p in [
        "/../posts/a",
        "/posts/./a",
        "/%2e%2E/posts/a",
        "/posts/a/%2E",
    ] {
        let out = tf
            .cmd()
            .args(["fanout", p])
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{p}");
        assert!(
            stderr(&out).contains("\".\" or \"..\" segment"),
            "{}",
            stderr(&out)
        );
    }
    assert!(tf.pods().iter().all(|p| p.counters().requests == 0));
}

#[test]
fn a_byte_order_mark_starts_a_paths_or_pods_file_harmlessly() {
    let tf = TestFleet::three();
    let paths = tf.write("paths.txt", "\u{FEFF}/posts/a\n/posts/b\n");
    let pods: String = tf
        .pods()
        .iter()
        .map(|p| format!("{}={}\n", p.name(), p.url()))
        .collect();
    let pods = tf.write("pods.txt", &format!("\u{FEFF}{pods}"));
    let out = tf
        .cmd()
        .args(["fanout", "--paths-file"])
        .arg(&paths)
        .arg("--pods-file")
        .arg(&pods)
        .args(tf.manifest_arg())
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = fanout_of(&envelope(&out)).clone();
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.targets[0].name, "pod-1");
}

#[test]
fn zero_deadline_and_port_zero_are_usage_errors() {
    let tf = TestFleet::three();
    let out = tf
        .cmd()
        .args(["fanout", "/posts/a", "--deadline", "0s"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("deadline = \"0s\" (command line)"),
        "{}",
        stderr(&out)
    );
    let out = tf
        .cmd()
        .args(["verify", "/posts/a", "--pod", "http://127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("port 0"), "{}", stderr(&out));
    assert!(tf.pods().iter().all(|p| p.counters().requests == 0));
}

#[test]
fn flags_of_the_other_mode_and_bad_endpoint_inputs_are_refused() {
    let tf = TestFleet::three();
    // (arguments, whether to name the preview id file, what the error says)
    let cases: &[(&[&str], bool, &str)] = &[
        (
            &["--endpoint", "/api/r?p={path}", "--expect-json", "ok=true"],
            true,
            "--endpoint, --expect-json are endpoint-mode flags, but this run is in nextjs mode",
        ),
        (
            &[
                "--mode",
                "endpoint",
                "--endpoint",
                "/r?p={path}",
                "--only-generated",
            ],
            false,
            "--only-generated is a nextjs-mode flag, but this run is in endpoint mode",
        ),
        (
            &["--mode", "endpoint", "--endpoint", "/r?p={path}#frag"],
            false,
            "has a fragment",
        ),
        (
            &[
                "--mode",
                "endpoint",
                "--endpoint",
                "/r",
                "--body",
                "path={path}",
            ],
            false,
            "--body is not JSON",
        ),
    ];
    for (args, manifest, want) in cases {
        let mut c = tf.cmd();
        c.args(["fanout", "/posts/a"])
            .args(tf.pod_args())
            .args(*args);
        if *manifest {
            c.args(tf.manifest_arg());
        }
        let out = c.output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
    assert!(tf.pods().iter().all(|p| p.counters().requests == 0));
}

#[test]
fn an_endpoint_redirect_names_where_it_goes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 308 Permanent Redirect\r\nlocation: /api/revalidate/?path=%2Fx\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let (mut c, _d) = revalidate();
    let out = c
        .args(["fanout", "/x", "--pod", &url, "--mode", "endpoint"])
        .args(["--endpoint", "/api/revalidate?path={path}", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    let cell = fanout_of(&envelope(&out)).cells[0].clone();
    assert_eq!(cell.outcome, Outcome::HttpError);
    assert_eq!(
        cell.error.as_deref(),
        Some("308 redirect to /api/revalidate/?path=%2Fx")
    );
}

#[test]
fn only_generated_warns_about_a_path_no_pod_generated() {
    let tf = TestFleet::three();
    let out = tf
        .cmd()
        .args([
            "fanout",
            "/posts/a",
            "/posts/typo",
            "--only-generated",
            "-o",
            "ndjson",
        ])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let warnings: Vec<String> = events(&out)
        .into_iter()
        .filter_map(|e| e.get::<revalidate::report::events::Warning>())
        .map(|w| w.message.into_owned())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("/posts/typo: not-generated on every pod"));
    let out = tf
        .cmd()
        .args(["fanout", "/posts/typo", "--only-generated"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert!(stderr(&out).contains("warning: /posts/typo: not-generated on every pod"));
}

#[test]
fn a_report_that_cannot_be_written_exits_1() {
    let tf = TestFleet::three();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for fmt in ["human", "json", "ndjson"] {
        let out = std_command(tf.dir.path())
            .args(["fanout", "/posts/a", "-o", fmt])
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{fmt}");
        assert!(
            stderr(&out).contains("cannot write the report to stdout"),
            "{fmt}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn sigterm_stops_with_a_partial_report_and_exit_143() {
    let tf = TestFleet::start(FleetOptions::default());
    tf.block_on(tf.pod(2).set_fault(revalidate_sim::Fault::Hang));
    let child = std_command(tf.dir.path())
        .args(["fanout", "/posts/a", "-o", "json", "--timeout", "60s"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Signal once the two good pods have regenerated and the hanging one holds the request.
    assert!(wait_until(10, || {
        tf.pod(2).counters().requests >= 1
            && (0..2).all(|i| tf.pod(i).counters().regenerations >= 1)
    }));
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    let env = envelope(&out);
    assert_eq!(env.stopped, Some(revalidate::exit::Stop::Terminated));
    let r = fanout_of(&env);
    assert_eq!(r.totals.outcomes.get(&Outcome::Revalidated), Some(&2));
    assert_eq!(r.totals.outcomes.get(&Outcome::Cancelled), Some(&1));
}

#[test]
fn a_second_signal_exits_at_once() {
    let tf = TestFleet::start(FleetOptions {
        extra_slugs: 2000,
        ..FleetOptions::default()
    });
    let paths = tf.write(
        "paths.txt",
        &(1..=2000)
            .map(|i| format!("/posts/p{i}\n"))
            .collect::<String>(),
    );
    // The JSON report (megabytes) goes to a pipe nobody reads: after the first SIGTERM the run
    // stops and blocks writing its partial report; only the second signal ends it.
    let mut child = std_command(tf.dir.path())
        .args(["fanout", "-o", "json", "--paths-file"])
        .arg(&paths)
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(10, || tf.pod(0).counters().requests >= 100));
    let term = |pid: u32| {
        std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
    };
    term(child.id());
    assert!(
        !wait_until(1, || child.try_wait().unwrap().is_some()),
        "the first signal lets the run stop and report"
    );
    term(child.id());
    assert!(wait_until(5, || child.try_wait().unwrap().is_some()));
    assert_eq!(child.wait().unwrap().code(), Some(143));
}
