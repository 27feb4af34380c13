//! The Redis password against a server that requires one: it works from env REDIS_PASSWORD, a
//! file or the URL; it never appears in any output mode, in -vv logs, in JSON, in `revalidate
//! config` (the URL is shown masked), in any encoding; a wrong or missing one is exit 5.

use base64::Engine as _;

use super::server::{RedisServer, Subscriber, cluster_with_password};
use super::{Running, command, publish_json};
use crate::common::{code, revalidate, stderr, stdout, wait_until};
use crate::echo::{Answer, Echo, FORMS, Form, encode, leaks};

const PASSWORD: &str = "s3cret-Redis-pw/7f3a9c+Q";

/// Every form the password could take in output.
fn forms() -> Vec<String> {
    vec![
        PASSWORD.to_string(),
        percent_encoding::utf8_percent_encode(PASSWORD, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        PASSWORD.replace('/', "%2F").replace('+', "%2B"),
        base64::engine::general_purpose::STANDARD.encode(PASSWORD),
        serde_json::to_string(PASSWORD).unwrap(),
    ]
}

fn assert_absent(what: &str, text: &str) {
    for f in forms() {
        assert!(
            !text.contains(&f),
            "{what} shows the password as {f:?}:\n{text}"
        );
    }
}

#[test]
fn the_password_works_from_env_file_or_url_and_is_never_shown() {
    let server = RedisServer::with_password(PASSWORD);
    let _sub = Subscriber::start(&server, &["revalidate"], &[]);
    let (_, dir) = revalidate();
    let pw_file = dir.path().join("redis-password");
    std::fs::write(&pw_file, format!("{PASSWORD}\n")).unwrap();
    let encoded =
        percent_encoding::utf8_percent_encode(PASSWORD, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let url_with_password = format!("redis://:{encoded}@127.0.0.1:{}", server.port);

    let mut runs = 0;
    for output in ["human", "json", "ndjson"] {
        for (how, verbose) in [("env", "-vv"), ("file", "-vvv"), ("url", "-vv")] {
            let mut c = command(dir.path());
            c.args(["publish", "/posts/a", "-o", output, verbose]);
            match how {
                "env" => {
                    c.args(["--redis-url", &server.url()])
                        .env("REDIS_PASSWORD", PASSWORD);
                }
                "file" => {
                    c.args(["--redis-url", &server.url(), "--redis-password-file"])
                        .arg(&pw_file);
                }
                _ => {
                    c.env("REDIS_URL", &url_with_password);
                }
            }
            let out = c.output().unwrap();
            assert_eq!(code(&out), 0, "{output} {how}: {}", stderr(&out));
            assert_absent(&format!("{output} {how} stdout"), &stdout(&out));
            assert_absent(&format!("{output} {how} stderr"), &stderr(&out));
            if output == "json" {
                let r = publish_json(&out);
                let want = if how == "url" {
                    format!("redis://:<redacted>@127.0.0.1:{}", server.port)
                } else {
                    server.url()
                };
                assert_eq!(r.redis, want);
                assert_eq!(r.messages[0].receivers, Some(1));
            }
            runs += 1;
        }
    }
    assert_eq!(runs, 9);

    // The roster, read with the password from the URL or a file, never shows it.
    for output in ["human", "json", "ndjson"] {
        for how in ["file", "url"] {
            let mut c = command(dir.path());
            c.args(["agents", "-o", output, "-vv"]);
            if how == "file" {
                c.args(["--redis-url", &server.url(), "--redis-password-file"])
                    .arg(&pw_file);
            } else {
                c.env("REDIS_URL", &url_with_password);
            }
            let out = c.output().unwrap();
            assert_eq!(code(&out), 3, "no agent is live: {}", stderr(&out));
            assert_absent(&format!("agents {output} {how} stdout"), &stdout(&out));
            assert_absent(&format!("agents {output} {how} stderr"), &stderr(&out));
        }
    }

    // --dry-run shows the URL masked.
    let mut c = command(dir.path());
    let out = c
        .args(["publish", "/a", "--dry-run"])
        .env("REDIS_URL", &url_with_password)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(":<redacted>@127.0.0.1"),
        "{}",
        stdout(&out)
    );
    assert_absent("dry run", &(stdout(&out) + &stderr(&out)));
}

#[test]
fn a_wrong_or_missing_password_is_exit_5_without_showing_it() {
    let server = RedisServer::with_password(PASSWORD);
    let (mut c, _d) = revalidate();
    let out = c
        .args(["publish", "/a", "--redis-url", &server.url(), "-vv"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the server requires a password"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("hint: the server requires a password: set env REDIS_PASSWORD"));

    let wrong = "wrong-but-long-password-1234";
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/a",
            "--redis-url",
            &server.url(),
            "-vv",
            "-o",
            "json",
        ])
        .env("REDIS_PASSWORD", wrong)
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot use 127.0.0.1:{}: authentication failed",
            server.port
        )),
        "{err}"
    );
    assert!(
        err.contains("hint: the password or ACL user was refused"),
        "{err}"
    );
    assert!(
        !err.contains(wrong) && !stdout(&out).contains(wrong),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn config_shows_the_redis_url_masked_and_the_password_redacted() {
    let (_, dir) = revalidate();
    std::fs::write(
        dir.path().join("revalidate.toml"),
        format!(
            "[redis]\nchannel = \"strapi-web:revalidate\"\n[profiles.prod.redis]\nurl = \"redis://app:{PASSWORD}@10.0.0.9:6380/1\"\n"
        ),
    )
    .unwrap();
    for output in ["human", "json"] {
        let mut c = command(dir.path());
        let out = c
            .args(["-p", "prod", "config", "-o", output])
            .env("REDIS_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let text = stdout(&out);
        assert_absent("config", &(text.clone() + &stderr(&out)));
        assert!(
            text.contains("redis://app:<redacted>@10.0.0.9:6380/1"),
            "{text}"
        );
        assert!(text.contains("strapi-web:revalidate"), "{text}");
        if output == "json" {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["keys"]["redis password"]["value"], "<redacted>");
            assert_eq!(v["keys"]["redis password"]["source"], "env REDIS_PASSWORD");
            assert_eq!(v["keys"]["redis.timeout"]["value"], "\"5s\"");
        }
    }
    // An env URL is masked too.
    let mut c = command(dir.path());
    let out = c
        .args(["config"])
        .env("REDIS_URL", format!("redis://:{PASSWORD}@127.0.0.1:1"))
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("redis://:<redacted>@127.0.0.1:1"),
        "{}",
        stdout(&out)
    );
    assert_absent("config", &stdout(&out));
}

#[test]
fn the_agent_s_logs_at_vvvv_redis_crate_lines_included_never_show_a_secret() {
    let nodes = cluster_with_password(3, PASSWORD);
    let url = nodes[0].url();
    let header_secret = "Ag8agentHeader\"<&>'/Vb5";
    // The app quotes the secret header back in its error, in the form the path names (/0../8).
    let app = Echo::start(|r| {
        let form = r
            .target
            .rsplit('/')
            .next()
            .and_then(|i| i.parse::<usize>().ok())
            .map_or(Form::Plain, |i| FORMS[i]);
        Answer::new(
            500,
            "text/plain",
            format!(
                "got {}.",
                encode(form, r.header("x-revalidate-secret").unwrap_or(""))
            ),
        )
    });
    let (_, dir) = revalidate();
    let mut c = command(dir.path());
    c.env("REDIS_PASSWORD", PASSWORD)
        .env("AGENT_SECRET", header_secret)
        .args(["agent", "-vvvv", "--log-format", "json", "--sharded"])
        .args([
            "--redis-url",
            &url,
            "--target",
            &app.url,
            "--pod-name",
            "pod-1",
        ])
        .args([
            "--mode",
            "endpoint",
            "--endpoint",
            "/r?path={path}",
            "--retries",
            "0",
        ])
        .args(["-H", "x-revalidate-secret: ${AGENT_SECRET}"]);
    let run = Running::spawn(c);
    let paths: Vec<String> = (0..FORMS.len()).map(|i| format!("/{i}")).collect();
    let failed = |run: &Running| {
        run.stderr()
            .lines()
            .filter(|l| l.contains("revalidation failed"))
            .count()
    };
    // Published until the agent has subscribed and handled every path once.
    assert!(
        wait_until(30, || {
            let mut p = command(dir.path());
            p.env("REDIS_PASSWORD", PASSWORD)
                .args(["publish", "--sharded", "--redis-url", &url])
                .args(&paths);
            let _ = p.output();
            failed(&run) >= FORMS.len()
        }),
        "{}",
        run.stderr()
    );
    run.signal("TERM");
    let (status, out, err) = run.wait(20);
    assert_eq!(status, 0, "{err}");
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    // The redis crate's own lines are there (it logs through `log`).
    assert!(
        lines.iter().any(|l| l["log.target"]
            .as_str()
            .is_some_and(|t| t.starts_with("redis::"))),
        "{err}"
    );
    // Every echo shows where it was, not what.
    for l in lines
        .iter()
        .filter(|l| l["message"] == "revalidation failed")
    {
        assert!(
            l["error"].as_str().unwrap().ends_with("got <redacted>."),
            "{l}"
        );
    }
    let all = format!("{out}\n{err}");
    for secret in [PASSWORD, header_secret] {
        let found = leaks(&all, secret);
        assert!(found.is_empty(), "{found:?} in:\n{all}");
    }
    assert!(
        app.requests()
            .iter()
            .any(|r| r.header("x-revalidate-secret") == Some(header_secret))
    );
}
