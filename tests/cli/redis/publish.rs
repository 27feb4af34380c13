//! publish against a real redis-server: receiver counts as Redis gave them, under-delivery,
//! --check, pipelining, --stream, templates, bad input (exit 2, nothing sent), Redis down
//! (exit 5 within the timeout), --dry-run, NDJSON, and the human table.

use std::time::{Duration, Instant};

use revalidate::publish::Outcome;

use super::server::{Proxy, RedisServer, Subscriber};
use super::{events, publish_json, redactions};
use crate::common::{code, revalidate, stderr, stdout};
use revalidate::report::events::{End, STEP_START, Start};

/// `revalidate publish` at `server`, in a fresh directory.
fn publish(server: &RedisServer) -> (assert_cmd::Command, tempfile::TempDir) {
    let (mut c, dir) = revalidate();
    c.arg("publish").args(["--redis-url", &server.url()]);
    (c, dir)
}

#[test]
fn receiver_counts_are_reported_as_redis_counted_them() {
    let server = RedisServer::start();
    let a = Subscriber::start(&server, &["revalidate"], &[]);
    let b = Subscriber::start(&server, &["revalidate"], &[]);

    let (mut c, _d) = publish(&server);
    let out = c
        .args([
            "/posts/a",
            "/posts/b",
            "--expect-subscribers",
            "2",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = publish_json(&out);
    assert_eq!(r.command, "PUBLISH");
    assert_eq!(r.expect.subscribers, 2);
    assert_eq!(r.expect.source, "--expect-subscribers");
    let got: Vec<(&str, Option<i64>, Outcome)> = r
        .messages
        .iter()
        .map(|m| (m.path.as_deref().unwrap(), m.receivers, m.outcome))
        .collect();
    assert_eq!(
        got,
        vec![
            ("/posts/a", Some(2), Outcome::Delivered),
            ("/posts/b", Some(2), Outcome::Delivered)
        ]
    );
    // Each subscriber got the default message: the path, a timestamp of now, the reported id.
    assert!(crate::common::wait_until(5, || a.messages().len() == 2 && b.messages().len() == 2));
    for (i, (channel, payload)) in a.messages().iter().enumerate() {
        assert_eq!(channel, "revalidate");
        let v: serde_json::Value = serde_json::from_str(payload).unwrap();
        assert_eq!(v["path"].as_str(), r.messages[i].path.as_deref());
        assert_eq!(v["id"], r.messages[i].id);
        let age = revalidate::redis::message::now_ms() as i64 - v["timestamp"].as_i64().unwrap();
        assert!(
            (0..60_000).contains(&age),
            "timestamp is unix ms: {payload}"
        );
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "{payload}");
    }

    // Three pods configured, two subscribers: under-delivered, never rounded up (exit 3).
    let (mut c, _d) = publish(&server);
    let out = c
        .args(["/posts/a", "-o", "json"])
        .args(["--pod", "web-0=http://10.0.0.1:3000"])
        .args(["--pod", "web-1=http://10.0.0.2:3000"])
        .args(["--pod", "web-2=http://10.0.0.3:3000"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = publish_json(&out);
    assert_eq!(r.expect.source, "configured pods");
    assert_eq!(r.expect.pods, vec!["web-0", "web-1", "web-2"]);
    assert_eq!(r.messages[0].receivers, Some(2));
    assert_eq!(r.messages[0].outcome, Outcome::UnderDelivered);
    assert!(!r.messages[0].ok);
    assert_eq!(r.totals.failed, 1);

    // Nobody listening and nothing configured: at least one receiver is expected.
    drop((a, b));
    assert!(crate::common::wait_until(5, || server.numsub("revalidate") == 0));
    let (mut c, _d) = publish(&server);
    let out = c.args(["/posts/a", "-o", "json"]).output().unwrap();
    assert_eq!(code(&out), 3);
    let r = publish_json(&out);
    assert_eq!(r.expect.source, "at least one");
    assert_eq!(r.messages[0].receivers, Some(0));
    assert_eq!(r.messages[0].outcome, Outcome::UnderDelivered);
}

#[test]
fn check_publishes_nothing_when_nobody_listens_unless_forced() {
    let server = RedisServer::start();
    // A pattern subscriber is not counted by PUBSUB NUMSUB, but sees every PUBLISH: the proof
    // that nothing was sent.
    let witness = Subscriber::start(&server, &[], &["revalidate*"]);
    let (mut c, _d) = publish(&server);
    let out = c
        .args(["/posts/a", "--check", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = publish_json(&out);
    let check = r.check.as_ref().expect("the check is reported");
    assert_eq!((check.subscribers, check.forced), (0, false));
    assert_eq!(r.messages[0].outcome, Outcome::NotSent);
    assert_eq!(r.messages[0].receivers, None);
    assert!(
        r.messages[0]
            .error
            .as_deref()
            .unwrap()
            .contains("nobody subscribes to revalidate"),
        "{:?}",
        r.messages[0].error
    );
    // With --force it is published (the pattern subscriber is its one receiver).
    let (mut c, _d) = publish(&server);
    let out = c
        .args(["/posts/b", "--check", "--force", "-o", "json"])
        .output()
        .unwrap();
    let r = publish_json(&out);
    assert!(r.check.as_ref().unwrap().forced);
    assert_eq!(r.messages[0].receivers, Some(1));
    assert!(crate::common::wait_until(5, || witness.messages().len() == 1));
    assert!(
        witness.messages()[0].1.contains("/posts/b"),
        "{:?}",
        witness.messages()
    );

    // With a subscriber, --check publishes.
    let _sub = Subscriber::start(&server, &["revalidate"], &[]);
    let (mut c, _d) = publish(&server);
    let out = c
        .args(["/posts/c", "--check", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(publish_json(&out).check.unwrap().subscribers, 1);

    // --force alone is a usage error.
    let (mut c, _d) = publish(&server);
    let out = c.args(["/posts/a", "--force"]).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--force only overrides --check"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn thousands_of_paths_are_pipelined_not_a_round_trip_each() {
    let server = RedisServer::start();
    let proxy = Proxy::start(server.port);
    let sub = Subscriber::start(&server, &["revalidate"], &[]);
    let (mut c, dir) = revalidate();
    let paths: String = (0..5000).map(|i| format!("/posts/p{i}\n")).collect();
    let file = dir.path().join("paths.txt");
    std::fs::write(&file, paths).unwrap();
    let before = proxy.replies();
    let out = c
        .args(["publish", "--redis-url", &proxy.url(), "--paths-file"])
        .arg(&file)
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = publish_json(&out);
    assert_eq!(r.totals.published, 5000);
    assert_eq!(
        (r.totals.receivers_min, r.totals.receivers_max),
        (Some(1), Some(1))
    );
    assert!(
        r.messages
            .iter()
            .enumerate()
            .all(|(i, m)| m.path == Some(format!("/posts/p{i}"))),
        "results are in input order"
    );
    // One round trip a message would be 5,000 answers from the server.
    let answers = proxy.replies() - before;
    assert!(
        answers < 100,
        "{answers} reads of answers for 5,000 messages"
    );
    assert!(crate::common::wait_until(10, || sub.messages().len() == 5000));
}

#[test]
fn stream_appends_every_message_capped() {
    let server = RedisServer::start();
    let (mut c, _d) = publish(&server);
    let out = c
        .args([
            "/posts/a",
            "/posts/b",
            "--stream",
            "--expect-subscribers",
            "0",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = publish_json(&out);
    let s = r.stream.as_ref().expect("stream reported");
    assert_eq!((s.key.as_str(), s.maxlen), ("revalidate:stream", 10000));
    let mut conn = server.client();
    let entries: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg("revalidate:stream")
        .arg("-")
        .arg("+")
        .query(&mut conn)
        .unwrap();
    assert_eq!(entries.ids.len(), 2);
    for (e, m) in entries.ids.iter().zip(&r.messages) {
        assert_eq!(Some(&e.id), m.stream_id.as_ref());
        assert_eq!(e.get::<String>("id").as_ref(), Some(&m.id));
        assert_eq!(e.get::<String>("path"), m.path);
        let payload: String = e.get("message").unwrap();
        assert!(payload.contains(&m.id), "{payload}");
    }
    // The cap: MAXLEN ~ N trims in whole nodes, so the stream stays near N, never unbounded.
    let (mut c, dir) = revalidate();
    let paths: String = (0..1000).map(|i| format!("/p/{i}\n")).collect();
    std::fs::write(dir.path().join("p.txt"), paths).unwrap();
    let out = c
        .args(["publish", "--redis-url", &server.url(), "--paths-file"])
        .arg(dir.path().join("p.txt"))
        .args([
            "--stream",
            "--stream-maxlen",
            "100",
            "--expect-subscribers",
            "0",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let len: usize = redis::cmd("XLEN")
        .arg("revalidate:stream")
        .query(&mut conn)
        .unwrap();
    assert!(
        (100..300).contains(&len),
        "XLEN {len} after 1002 entries capped at ~100"
    );
}

#[test]
fn message_templates_and_channels() {
    let server = RedisServer::start();
    let sub = Subscriber::start(&server, &["strapi-web:revalidate"], &[]);
    let (mut c, _d) = publish(&server);
    let out = c
        .args(["/blog/caf%C3%A9", "--channel", "strapi-web:revalidate"])
        .args([
            "--message",
            r#"{"slug":"{path}","at":{timestamp},"v":2}"#,
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(publish_json(&out).channel, "strapi-web:revalidate");
    assert!(crate::common::wait_until(5, || sub.messages().len() == 1));
    let v: serde_json::Value = serde_json::from_str(&sub.messages()[0].1).unwrap();
    assert_eq!(v["slug"], "/blog/caf%C3%A9");
    assert_eq!(v["v"], 2);
    assert!(v["at"].is_u64());

    // A bare-path template is sent as it is.
    let (mut c, _d) = publish(&server);
    let out = c
        .args([
            "/x",
            "--channel",
            "strapi-web:revalidate",
            "--message",
            "{path}",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(crate::common::wait_until(5, || sub.messages().len() == 2));
    assert_eq!(sub.messages()[1].1, "/x");
}

#[test]
fn bad_input_is_exit_2_and_nothing_is_sent() {
    let server = RedisServer::start();
    let witness = Subscriber::start(&server, &[], &["*"]);
    let url = server.url();
    for (args, want) in [
        (vec!["/ok", "posts/no-slash"], "must start with \"/\""),
        (vec!["/ok", "--message", "no path here"], "has no {path}"),
        (
            vec!["/ok", "--message", r#"{"path":{path}}"#],
            "looks like JSON",
        ),
        (
            vec!["/ok", "--redis-url", "http://127.0.0.1:6379"],
            "use redis:// or rediss://",
        ),
        (
            vec!["/ok", "--redis-url", "redis://127.0.0.1:6379/x"],
            "not a database number",
        ),
        (
            vec!["/ok", "--redis-url", "redis://u:pa/ss@127.0.0.1:6379"],
            "u:<redacted>@",
        ),
        (vec!["/ok", "--channel", ""], "cannot be empty"),
        (
            vec!["/ok", "--wait-acks", "--message", "{path}"],
            "--wait-acks",
        ),
        (vec!["/ok", "--redis-timeout", "0s"], "redis.timeout"),
    ] {
        let (mut c, _d) = revalidate();
        c.arg("publish");
        if !args.contains(&"--redis-url") {
            c.args(["--redis-url", &url]);
        }
        let out = c.args(&args).output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("pa/ss"), "{}", stderr(&out));
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
    // A barrier, not a pause: Redis delivers in the order it executes, so a sentinel published
    // now arrives after anything the runs above could have published.
    let _: i64 = redis::cmd("PUBLISH")
        .arg("barrier")
        .arg("sentinel")
        .query(&mut server.client())
        .unwrap();
    assert!(crate::common::wait_until(10, || !witness
        .messages()
        .is_empty()));
    assert_eq!(
        witness.messages(),
        [("barrier".to_string(), "sentinel".to_string())],
        "nothing was published before the sentinel"
    );
}

/// Redis dying while `--wait-acks` waits is Redis failing (exit 5), not pods that did not
/// answer (exit 3); the report says what was lost, and the wait ends then, not at its timeout.
#[test]
fn redis_killed_while_waiting_for_acks_is_exit_5() {
    let mut server = RedisServer::start();
    // A subscriber that receives the message and never acknowledges it.
    let silent = Subscriber::start(&server, &["revalidate"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let child = super::command(dir.path())
        .args(["publish", "/posts/a", "--redis-url", &server.url()])
        .args(["--wait-acks", "--ack-timeout", "60s", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Published, so now waiting for acknowledgements.
    assert!(crate::common::wait_until(10, || !silent
        .messages()
        .is_empty()));
    let started = Instant::now();
    server.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the wait ended with Redis, not at the timeout: {:?}",
        started.elapsed()
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let r = publish_json(&out);
    let error = r.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("the connection to Redis receiving acknowledgements was lost"),
        "{r:#?}"
    );
    assert_eq!(r.messages[0].outcome, Outcome::Unacknowledged);
}

#[test]
fn redis_down_is_exit_5_within_the_timeout_naming_host_and_port() {
    // Refused: nothing listens on the port.
    let port = super::server::free_port();
    let (mut c, _d) = revalidate();
    let started = Instant::now();
    let out = c
        .args([
            "publish",
            "/a",
            "--redis-url",
            &format!("redis://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(5));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: Redis: cannot use 127.0.0.1:{port}: connection refused"
        )),
        "{err}"
    );
    assert!(err.contains("hint: is redis-server running"), "{err}");
    assert!(stdout(&out).is_empty());

    // A black hole: the port accepts connections and never answers.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = hole.local_addr().unwrap();
    let (mut c, _d) = revalidate();
    let started = Instant::now();
    let out = c
        .args(["publish", "/a", "--redis-url", &format!("redis://{addr}")])
        .args(["--redis-timeout", "300ms", "-o", "json"])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(took < Duration::from_secs(3), "exit 5 took {took:?}");
    let err = stderr(&out);
    assert!(err.contains(&addr.to_string()), "{err}");
    assert!(err.contains("300ms"), "{err}");
    assert!(err.contains("hint: nothing answered within 300ms"), "{err}");
    assert!(
        stdout(&out).is_empty(),
        "no report when nothing was published"
    );
    drop(hole);
}

#[test]
fn dry_run_shows_every_message_and_connects_to_nothing() {
    let port = super::server::free_port();
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "/posts/b",
            "--dry-run",
            "--stream",
            "-o",
            "json",
        ])
        .args(["--redis-url", &format!("redis://127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = crate::common::envelope(&out);
    assert!(env.dry_run);
    let crate::common::Step::PublishDryRun(d) = &env.steps[0] else {
        panic!("{:?}", env.steps)
    };
    assert_eq!(d.messages.len(), 2);
    let v: serde_json::Value = serde_json::from_str(&d.messages[1].message).unwrap();
    assert_eq!(v["path"], "/posts/b");
    assert_eq!(v["id"], d.messages[1].id);
    assert_eq!(d.stream.as_ref().unwrap().key, "revalidate:stream");
}

#[test]
fn ndjson_streams_one_event_per_message() {
    let server = RedisServer::start();
    let _sub = Subscriber::start(&server, &["revalidate"], &[]);
    let (mut c, _d) = publish(&server);
    let out = c.args(["/a", "/b", "/c", "-o", "ndjson"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evs = events(&out);
    assert!(matches!(evs[0].get::<Start>(), Some(Start { command, .. }) if command == "publish"));
    assert_eq!(
        (evs[1].event.as_ref(), evs[1].step.as_deref()),
        (STEP_START, Some("publish"))
    );
    let published: Vec<(String, Option<i64>)> = evs
        .iter()
        .filter_map(|e| e.get::<revalidate::publish::Message>())
        .map(|message| (message.subject(), message.receivers))
        .collect();
    assert_eq!(
        published,
        vec![
            ("/a".into(), Some(1)),
            ("/b".into(), Some(1)),
            ("/c".into(), Some(1))
        ]
    );
    assert!(matches!(
        evs.last().and_then(|e| e.get::<End>()),
        Some(End { exit_code: 0, .. })
    ));
}

#[test]
fn the_human_table_says_who_got_what() {
    let server = RedisServer::start();
    let _sub = Subscriber::start(&server, &["revalidate"], &[]);
    let (mut c, _d) = publish(&server);
    let out = c
        .args(["/posts/a", "/posts/b"])
        .args([
            "--pod",
            "web-0=http://10.0.0.1:3000",
            "--pod",
            "web-1=http://10.0.0.2:3000",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    let mut settings = insta::Settings::clone_current();
    for (re, with) in redactions() {
        settings.add_filter(re, with);
    }
    settings.bind(|| insta::assert_snapshot!("publish_under_delivered", stdout(&out)));

    let (mut c, _d) = publish(&server);
    let out = c.args(["/posts/a", "--check"]).output().unwrap();
    assert_eq!(code(&out), 0);
    settings.bind(|| insta::assert_snapshot!("publish_checked_delivered", stdout(&out)));
}

#[test]
fn many_messages_under_delivered_and_unacknowledged_are_a_row_a_cause() {
    let server = RedisServer::start();
    let _sub = Subscriber::start(&server, &["revalidate"], &[]);
    let paths: Vec<String> = (1..=30).map(|i| format!("/posts/p{i}")).collect();
    let pods = [
        "--pod",
        "web-0=http://10.0.0.1:3000",
        "--pod",
        "web-1=http://10.0.0.2:3000",
    ];
    let run = |extra: &[&str]| {
        let (mut c, _d) = publish(&server);
        c.args(&paths).args(pods).args(extra).output().unwrap()
    };
    let mut settings = insta::Settings::clone_current();
    for (re, with) in redactions() {
        settings.add_filter(re, with);
    }
    // No agent answers: every pod's acknowledgement of every path is missing, one cause.
    let out = run(&["--wait-acks", "--ack-timeout", "200ms"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().count() < 20, "{text}");
    settings.bind(|| insta::assert_snapshot!("publish_unacknowledged_many", &text));

    // -v: a row a message, and every path named by its cause.
    let out = run(&["--wait-acks", "--ack-timeout", "200ms", "-v"]);
    let text = stdout(&out);
    for p in &paths {
        let rows = text.lines().filter(|l| l.starts_with(&format!("{p} ")));
        assert_eq!(rows.count(), 1, "{p}: {text}");
    }
    let named = text
        .lines()
        .find(|l| l.contains("no acknowledgement"))
        .unwrap();
    assert!(named.ends_with(&paths.join(", ")), "{named}");
}
