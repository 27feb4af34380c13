//! watch against a real redis-server: every message with its parsed path and id, --count and
//! --duration, a Redis restart survived and reported, Redis down at start (exit 5), and the
//! human lines.

use super::server::RedisServer;
use super::{Running, command, redactions};
use crate::common::{code, revalidate, stderr, wait_until};
use revalidate::redis::subscriber::LinkEvent;
use revalidate::report::events::End;
use revalidate::watch::Seen;

fn publish_raw(server: &RedisServer, channel: &str, payload: &str) -> i64 {
    redis::cmd("PUBLISH")
        .arg(channel)
        .arg(payload)
        .query(&mut server.client())
        .unwrap()
}

fn watch(server: &RedisServer, dir: &std::path::Path, args: &[&str]) -> Running {
    let mut c = command(dir);
    c.args(["watch", "--redis-url", &server.url()]).args(args);
    Running::spawn(c)
}

#[test]
fn watch_reports_messages_in_order_and_ends_at_its_count() {
    let server = RedisServer::start();
    let (_, dir) = revalidate();
    let w = watch(
        &server,
        dir.path(),
        &[
            "--pattern",
            "news:*",
            "--channel",
            "revalidate",
            "--count",
            "4",
            "-o",
            "ndjson",
        ],
    );
    assert!(wait_until(10, || server.numsub("revalidate") == 1));
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "--redis-url",
            &server.url(),
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    let published = super::publish_json(&out);
    publish_raw(&server, "revalidate", "/bare/path");
    publish_raw(&server, "revalidate", "hello");
    publish_raw(&server, "news:eu", r#"{"path":"/n","id":42,"timestamp":1}"#);
    w.wait_for(10, "four messages", |e| e.is::<End>());
    let seen: Vec<Seen> = w.events().into_iter().filter_map(|e| e.get()).collect();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].path.as_deref(), Some("/posts/a"));
    assert_eq!(
        seen[0].id.as_deref(),
        Some(published.messages[0].id.as_str())
    );
    assert!(seen[0].age_ms.is_some_and(|a| a < 60_000.0));
    assert_eq!(seen[1].path.as_deref(), Some("/bare/path"));
    assert_eq!(seen[1].id, None);
    assert_eq!(
        (seen[2].path.as_deref(), seen[2].payload.as_str()),
        (None, "hello")
    );
    assert_eq!(seen[3].channel, "news:eu");
    assert_eq!(seen[3].pattern.as_deref(), Some("news:*"));
    assert_eq!(seen[3].id.as_deref(), Some("42"));
    let end = w.events().into_iter().last().unwrap();
    assert!(
        matches!(
            end.get(),
            Some(End {
                exit_code: 0,
                stopped: None,
                ..
            })
        ),
        "{end:?}"
    );
    let (status, _, err) = w.wait(10);
    assert_eq!(status, 0, "{err}");
}

#[test]
fn watch_survives_a_redis_restart_and_says_so() {
    let mut server = RedisServer::start();
    let (_, dir) = revalidate();
    let w = watch(
        &server,
        dir.path(),
        &["-o", "ndjson", "--redis-timeout", "1s"],
    );
    let people = watch(&server, dir.path(), &["--redis-timeout", "1s"]);
    assert!(wait_until(10, || server.numsub("revalidate") == 2));
    server.restart();
    w.wait_for(
        15,
        "reconnected",
        |e| matches!(e.get::<LinkEvent>(), Some(link) if link.state == "reconnected"),
    );
    assert!(wait_until(10, || server.numsub("revalidate") == 2));
    // People read the same on stderr.
    let port = server.port;
    assert!(
        people
            .stderr()
            .contains(&format!("redis: connection to 127.0.0.1:{port} lost"))
    );
    assert!(
        people
            .stderr()
            .contains(&format!("redis: reconnected to 127.0.0.1:{port} after")),
        "{}",
        people.stderr()
    );
    publish_raw(&server, "revalidate", r#"{"path":"/after","id":"x1"}"#);
    w.wait_for(
        10,
        "the message after the restart",
        |e| matches!(e.get::<Seen>(), Some(message) if message.path.as_deref() == Some("/after")),
    );
    let states: Vec<String> = w
        .events()
        .into_iter()
        .filter_map(|e| e.get::<LinkEvent>())
        .map(|link| link.state)
        .collect();
    assert_eq!(
        states.first().map(String::as_str),
        Some("lost"),
        "{states:?}"
    );
    assert_eq!(
        states.last().map(String::as_str),
        Some("reconnected"),
        "{states:?}"
    );
    // Ctrl-C is how an unlimited watch ends: exit 0, and the report counts the reconnect.
    w.signal("INT");
    let (status, out, err) = w.wait(10);
    assert_eq!(status, 0, "{err}");
    let end = out.lines().last().unwrap();
    assert!(end.contains("\"event\":\"end\""), "{end}");
    let step_end = out.lines().rev().nth(1).unwrap();
    assert!(step_end.contains("\"reconnects\":1"), "{step_end}");
}

#[test]
fn watch_duration_ends_it_and_a_signal_before_a_limit_is_partial() {
    let server = RedisServer::start();
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "watch",
            "--redis-url",
            &server.url(),
            "--duration",
            "300ms",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = crate::common::envelope(&out);
    let crate::common::Step::Watch(r) = &env.steps[0] else {
        panic!("{:?}", env.steps)
    };
    assert_eq!(r.ended, revalidate::watch::Ended::Duration);
    assert_eq!(r.totals.messages, 0);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("no message on revalidate")),
        "{:?}",
        r.warnings
    );

    let (_, dir) = revalidate();
    let w = watch(&server, dir.path(), &["--count", "5", "-o", "ndjson"]);
    assert!(wait_until(10, || server.numsub("revalidate") == 1));
    w.signal("TERM");
    let (status, _, err) = w.wait(10);
    assert_eq!(status, 143, "{err}");
}

/// SIGTERM is how a supervisor or CI cancels a command: 143, even for a watch without a limit
/// (where Ctrl-C is its normal end, exit 0).
#[test]
fn sigterm_ends_an_unlimited_watch_with_143() {
    let server = RedisServer::start();
    let (_, dir) = revalidate();
    let w = watch(&server, dir.path(), &["-o", "ndjson"]);
    assert!(wait_until(10, || server.numsub("revalidate") == 1));
    w.signal("TERM");
    let (status, out, err) = w.wait(10);
    assert_eq!(status, 143, "{err}");
    let end = out.lines().last().unwrap();
    let line = super::event(end);
    match line.get::<End>() {
        Some(End {
            stopped, exit_code, ..
        }) => {
            assert_eq!(stopped, Some(revalidate::exit::Stop::Terminated));
            assert_eq!(exit_code, 143);
        }
        None => panic!("not the end event: {line:?}"),
    }
}

#[test]
fn watch_exits_5_when_redis_is_down_at_start() {
    let port = super::server::free_port();
    let (mut c, _d) = revalidate();
    let out = c
        .args(["watch", "--redis-url", &format!("redis://127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("127.0.0.1:{port}: connection refused")));
}

#[test]
fn watch_lines_for_people() {
    let server = RedisServer::start();
    let (_, dir) = revalidate();
    let w = watch(&server, dir.path(), &["--count", "3"]);
    assert!(wait_until(10, || server.numsub("revalidate") == 1));
    let now = revalidate::redis::message::now_ms();
    publish_raw(
        &server,
        "revalidate",
        &format!(r#"{{"path":"/posts/a","timestamp":{now},"id":"00ff00ff00ff00ff"}}"#),
    );
    publish_raw(&server, "revalidate", "/bare");
    publish_raw(&server, "revalidate", "not a path");
    let (status, out, err) = w.wait(10);
    assert_eq!(status, 0, "{err}");
    let mut settings = insta::Settings::clone_current();
    for (re, with) in redactions() {
        settings.add_filter(re, with);
    }
    settings.bind(|| insta::assert_snapshot!("watch_lines", out));
}
