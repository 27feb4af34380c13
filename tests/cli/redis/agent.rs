//! The agent sidecar against a real redis-server and the simulated fleet: publish -> agent ->
//! pod REVALIDATED -> ack -> publish reports every ack; a Redis restart survived; in stream mode,
//! messages published while the agent was cut off handled after it reconnects, none twice;
//! catch-up at start; duplicates and invalid messages; SIGTERM finishes in-flight work within the
//! grace period, whatever is down, and leaves the backlog to the stream (exit 0);
//! /healthz and /metrics; JSON logs; the password absent from -vv logs.

use std::collections::BTreeMap;
use std::time::Duration;

use revalidate::agent::{Event as AgentEvent, Handled, Skipped, Source, StartInfo};
use revalidate::publish::AckEvent;
use revalidate::publish::Outcome;
use revalidate::redis::subscriber::LinkEvent;
use revalidate::report::events::STEP_START;
use revalidate_sim::Fault;

use super::server::{Proxy, RedisServer, Subscriber};
use super::{Running, command, http_get, publish_json};
use crate::common::{TestFleet, code, revalidate, stderr, wait_until};

/// A running agent beside one simulated pod.
pub(super) struct Agent {
    pub(super) run: Running,
    health: String,
}

impl Agent {
    pub(super) fn start(tf: &TestFleet, redis_url: &str, pod: usize, extra: &[&str]) -> Agent {
        Agent::start_with_env(tf, redis_url, pod, extra, &[])
    }

    /// As [`Agent::start`], with environment variables for the agent.
    pub(super) fn start_with_env(
        tf: &TestFleet,
        redis_url: &str,
        pod: usize,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Agent {
        let p = tf.pod(pod);
        let mut c = command(tf.dir.path());
        c.envs(env.iter().copied());
        c.args(["agent", "-o", "ndjson", "--redis-url", redis_url])
            .args(["--target", &p.url(), "--pod-name", p.name()])
            .args(["--health-addr", "127.0.0.1:0", "--redis-timeout", "1s"])
            .args(tf.manifest_arg())
            .args(extra);
        let run = Running::spawn(c);
        run.wait_for(10, "the agent's step-start", |e| {
            e.event == STEP_START && e.step.as_deref() == Some("agent")
        });
        let health = run
            .events()
            .into_iter()
            .find_map(|e| e.get::<StartInfo>()?.health)
            .expect("the agent says where /healthz is");
        Agent { run, health }
    }

    pub(super) fn health(&self) -> &str {
        &self.health
    }

    /// `/healthz`'s body (empty when it cannot be reached).
    pub(super) fn healthz_body(&self) -> String {
        http_get(&self.health, "/healthz").map_or(String::new(), |(_, b)| b)
    }

    pub(super) fn healthz(&self) -> u16 {
        http_get(&self.health, "/healthz").map_or(0, |(s, _)| s)
    }

    fn metrics(&self) -> String {
        http_get(&self.health, "/metrics").expect("/metrics").1
    }

    pub(super) fn wait_ready(&self) {
        assert!(
            wait_until(15, || self.healthz() == 200),
            "the agent did not become ready\n{}",
            self.run.stderr()
        );
    }

    /// Every message it handled: (id, path, source, outcome, acked).
    pub(super) fn handled(&self) -> Vec<Handled> {
        self.run
            .events()
            .into_iter()
            .filter_map(|e| match e.get()? {
                AgentEvent::Handled(h) => Some(h),
                _ => None,
            })
            .collect()
    }

    /// Every message it skipped.
    fn skipped(&self) -> Vec<Skipped> {
        self.run
            .events()
            .into_iter()
            .filter_map(|e| match e.get()? {
                AgentEvent::Skipped(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    pub(super) fn stop(self) -> (i32, String, String) {
        self.run.signal("TERM");
        self.run.wait(20)
    }
}

/// `revalidate publish` at `url` with `args`, as JSON.
pub(super) fn publish(url: &str, args: &[&str]) -> (i32, revalidate::publish::Report) {
    let (mut c, _d) = revalidate();
    let out = c
        .args(["publish", "--redis-url", url, "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    (code(&out), publish_json(&out))
}

fn pod_args(tf: &TestFleet) -> Vec<String> {
    tf.pod_args()
}

#[test]
fn publish_agent_pod_ack_every_step_end_to_end() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let agents: Vec<Agent> = (0..3)
        .map(|i| Agent::start(&tf, &server.url(), i, &[]))
        .collect();
    for a in &agents {
        a.wait_ready();
    }
    let before: Vec<u64> = tf
        .pods()
        .iter()
        .map(|p| p.counters().revalidate_requests)
        .collect();
    let pods = pod_args(&tf);
    let mut args: Vec<&str> = vec!["/posts/a", "/posts/b", "--wait-acks"];
    args.extend(pods.iter().map(String::as_str));
    let (exit, r) = publish(&server.url(), &args);
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.expect.pods, vec!["pod-1", "pod-2", "pod-3"]);
    for m in &r.messages {
        assert_eq!(m.receivers, Some(3), "{m:?}");
        assert_eq!(m.outcome, Outcome::Acknowledged, "{m:?}");
        let mut acks: Vec<(&str, &str)> = m
            .acks
            .iter()
            .map(|a| (a.pod.as_str(), a.outcome.as_str()))
            .collect();
        acks.sort();
        assert_eq!(
            acks,
            vec![
                ("pod-1", "revalidated"),
                ("pod-2", "revalidated"),
                ("pod-3", "revalidated")
            ]
        );
        assert!(m.missing_pods.is_empty());
    }
    // Every pod really regenerated both pages.
    for (p, b) in tf.pods().iter().zip(&before) {
        assert_eq!(p.counters().revalidate_requests - b, 2, "{}", p.name());
    }
    for a in &agents {
        let h = a.handled();
        assert_eq!(h.len(), 2);
        assert!(
            h.iter()
                .all(|h| h.outcome == "revalidated" && h.acked && h.source == Source::Pubsub)
        );
    }

    // One pod down: its agent acknowledges the failure, and publish names it (exit 3).
    tf.block_on(tf.pod(2).set_fault(Fault::Down));
    let mut args: Vec<&str> = vec!["/posts/c", "--wait-acks", "--ack-timeout", "20s"];
    args.extend(pods.iter().map(String::as_str));
    let (exit, r) = publish(&server.url(), &args);
    assert_eq!(exit, 3, "{r:#?}");
    let m = &r.messages[0];
    assert_eq!(m.outcome, Outcome::Unacknowledged);
    assert_eq!(m.missing_pods, vec!["pod-3"]);
    let pod3 = m
        .acks
        .iter()
        .find(|a| a.pod == "pod-3")
        .expect("pod-3 acknowledged");
    assert_eq!(pod3.outcome, "unreachable");
    tf.block_on(tf.pod(2).clear_faults());

    for a in agents {
        let (status, _, err) = a.stop();
        assert_eq!(status, 0, "{err}");
    }
}

#[test]
fn the_agent_survives_a_redis_restart_and_handles_new_messages() {
    let tf = TestFleet::three();
    let mut server = RedisServer::start();
    let a = Agent::start(&tf, &server.url(), 0, &[]);
    a.wait_ready();
    server.kill();
    assert!(
        wait_until(10, || a.healthz() == 503),
        "not ready while Redis is gone"
    );
    let (_, body) = http_get(&a.health, "/healthz").unwrap();
    assert!(body.contains("not subscribed"), "{body}");
    server.restart();
    a.wait_ready();
    let (exit, r) = publish(
        &server.url(),
        &["/posts/a", "--wait-acks", "--expect-subscribers", "1"],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged);
    let states: Vec<String> = a
        .run
        .events()
        .into_iter()
        .filter_map(|e| e.get::<LinkEvent>())
        .map(|link| link.state)
        .collect();
    assert!(states.contains(&"lost".to_string()), "{states:?}");
    assert_eq!(
        states.last().map(String::as_str),
        Some("reconnected"),
        "{states:?}"
    );
    assert!(
        a.metrics().contains("revalidate_agent_reconnects_total 1"),
        "{}",
        a.metrics()
    );
    assert!(a.run.stderr().contains("reconnected"), "the log says so");
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
}

#[test]
fn in_stream_mode_what_was_published_while_cut_off_is_handled_once_after_reconnecting() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let proxy = Proxy::start(server.port);
    let a = Agent::start(&tf, &proxy.url(), 0, &["--stream"]);
    a.wait_ready();
    let before = tf.pod(0).counters().revalidate_requests;
    let (exit, r) = publish(
        &server.url(),
        &[
            "/posts/a",
            "--stream",
            "--wait-acks",
            "--expect-subscribers",
            "1",
        ],
    );
    assert_eq!(exit, 0, "{r:#?}");
    let first_id = r.messages[0].id.clone();

    // Cut off: the agent's connections are closed and new ones refused.
    proxy.cut();
    assert!(wait_until(10, || a.healthz() == 503));
    let (exit, r) = publish(
        &server.url(),
        &["/posts/b", "/posts/c", "/posts/d", "--stream"],
    );
    assert_eq!(exit, 3, "nobody subscribed while cut off");
    assert!(r.messages.iter().all(|m| m.receivers == Some(0)));
    let missed: Vec<String> = r.messages.iter().map(|m| m.id.clone()).collect();
    proxy.restore();
    a.wait_ready();
    assert!(
        wait_until(15, || a.handled().len() == 4),
        "{:#?}\n{}",
        a.handled(),
        a.run.stderr()
    );
    let handled = a.handled();
    for id in &missed {
        let h: Vec<_> = handled
            .iter()
            .filter(|h| h.id.as_ref() == Some(id))
            .collect();
        assert_eq!(h.len(), 1, "{id} handled once: {handled:#?}");
        assert_eq!(h[0].source, Source::Stream);
        assert_eq!(h[0].outcome, "revalidated");
    }
    // Published on both the channel and the stream, the first message was handled once
    // (whichever copy came first) and its other copy skipped.
    let first: Vec<_> = handled
        .iter()
        .filter(|h| h.id.as_ref() == Some(&first_id))
        .collect();
    assert_eq!(first.len(), 1, "{handled:#?}");
    let skipped = a
        .skipped()
        .iter()
        .filter(|s| s.id.as_ref() == Some(&first_id) && s.reason == "duplicate")
        .count();
    assert_eq!(skipped, 1);
    // Once more, live: still handled once.
    let (exit, _) = publish(
        &server.url(),
        &[
            "/posts/e",
            "--stream",
            "--wait-acks",
            "--expect-subscribers",
            "1",
        ],
    );
    assert_eq!(exit, 0);
    assert!(wait_until(5, || a.skipped().len() == 2));
    assert_eq!(a.handled().len(), 5);
    assert_eq!(tf.pod(0).counters().revalidate_requests - before, 5);
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
}

#[test]
fn catch_up_revalidates_recent_messages_before_the_agent_is_ready() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let (exit, _) = publish(
        &server.url(),
        &[
            "/posts/a",
            "/posts/b",
            "--stream",
            "--expect-subscribers",
            "0",
        ],
    );
    assert_eq!(exit, 0);
    let a = Agent::start(&tf, &server.url(), 1, &["--catch-up", "10m"]);
    a.wait_ready();
    let evs = a.run.events();
    let ready_at = evs
        .iter()
        .position(|e| matches!(e.get(), Some(AgentEvent::Ready { ready: true, .. })))
        .expect("ready");
    let handled_at: Vec<usize> = evs
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(e.get(), Some(AgentEvent::Handled(h)) if h.source == Source::CatchUp && h.outcome == "revalidated")
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(handled_at.len(), 2, "{evs:#?}");
    assert!(
        handled_at.iter().all(|&i| i < ready_at),
        "catch-up finishes before ready"
    );
    assert!(
        evs.iter()
            .any(|e| e.get() == Some(AgentEvent::CaughtUp { messages: 2 }))
    );
    assert_eq!(tf.pod(1).counters().revalidate_requests, 2, "{evs:#?}");
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
}

#[test]
fn duplicates_are_skipped_and_invalid_messages_acknowledged_as_such() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let acks = Subscriber::start(&server, &["revalidate:acks"], &[]);
    let a = Agent::start(&tf, &server.url(), 0, &["--dedupe-window", "1m"]);
    a.wait_ready();
    let mut conn = server.client();
    for payload in [
        r#"{"path":"/posts/a","id":"dup-1"}"#,
        r#"{"path":"/posts/a","id":"dup-1"}"#,
        r#"{"path":"../etc","id":"bad-1"}"#,
        "/posts/b",
    ] {
        let _: i64 = redis::cmd("PUBLISH")
            .arg("revalidate")
            .arg(payload)
            .query(&mut conn)
            .unwrap();
    }
    assert!(
        wait_until(10, || a.handled().len() == 3),
        "{:#?}",
        a.handled()
    );
    let h = a.handled();
    let by_id: BTreeMap<Option<String>, String> = h
        .iter()
        .map(|h| (h.id.clone(), h.outcome.clone()))
        .collect();
    assert_eq!(
        by_id.get(&Some("dup-1".into())).map(String::as_str),
        Some("revalidated")
    );
    assert_eq!(
        by_id.get(&Some("bad-1".into())).map(String::as_str),
        Some("invalid")
    );
    assert_eq!(
        by_id.get(&None).map(String::as_str),
        Some("revalidated"),
        "a bare path"
    );
    assert_eq!(a.skipped().len(), 1);
    assert!(wait_until(5, || acks.messages().len() == 3));
    let acked: Vec<revalidate::redis::message::Ack> = acks
        .messages()
        .iter()
        .map(|(_, p)| serde_json::from_str(p).unwrap())
        .collect();
    let bad = acked
        .iter()
        .find(|a| a.id.as_deref() == Some("bad-1"))
        .unwrap();
    assert_eq!(
        (bad.outcome.as_str(), bad.pod.as_str()),
        ("invalid", "pod-1")
    );
    let metrics = a.metrics();
    for line in [
        "revalidate_agent_messages_total{source=\"pubsub\"} 4",
        "revalidate_agent_duplicates_total 1",
        "revalidate_agent_invalid_messages_total 1",
        "revalidate_agent_revalidations_total{outcome=\"revalidated\"} 2",
        "revalidate_agent_acks_total{result=\"sent\"} 3",
        "revalidate_agent_subscribed 1",
        "revalidate_agent_ready 1",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
}

#[test]
fn sigterm_finishes_the_revalidation_in_flight_and_exits_0() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let acks = Subscriber::start(&server, &["revalidate:acks"], &[]);
    let a = Agent::start(&tf, &server.url(), 0, &[]);
    a.wait_ready();
    // The pod holds the revalidation until the test releases it: it is in flight at SIGTERM
    // for certain, however loaded the machine.
    tf.block_on(tf.pod(0).set_fault(Fault::Hold));
    let before = tf.pod(0).counters().requests;
    let (_, r) = publish(&server.url(), &["/posts/a"]);
    assert_eq!(r.messages[0].receivers, Some(1));
    assert!(
        wait_until(10, || tf.pod(0).counters().requests > before),
        "the pod holds the request"
    );
    a.run.signal("TERM");
    assert!(
        wait_until(10, || a.run.stderr().contains("stopping (SIGTERM)")),
        "{}",
        a.run.stderr()
    );
    assert!(
        acks.messages().is_empty(),
        "still held, so not acknowledged"
    );
    tf.block_on(tf.pod(0).clear_faults());
    // Not ready any more, but not gone: the revalidation finishes first.
    let (status, out, err) = a.run.wait(20);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("\"outcome\":\"revalidated\""), "{out}");
    assert!(
        err.contains("stopped: 1 of 1 revalidation in flight finished"),
        "{err}"
    );
    assert_eq!(acks.messages().len(), 1, "acknowledged before exiting");
    let ack: revalidate::redis::message::Ack = serde_json::from_str(&acks.messages()[0].1).unwrap();
    assert_eq!(ack.outcome, "revalidated");
}

/// Every message the agent received on `source` (pubsub or stream), from /metrics.
fn received(a: &Agent, source: &str, n: usize) -> bool {
    a.metrics().contains(&format!(
        "revalidate_agent_messages_total{{source=\"{source}\"}} {n}\n"
    ))
}

/// On SIGTERM only what runs is given time, and only the grace period: a revalidation still held
/// then is given up, the backlog is not worked through but left to the stream, and the next
/// agent's catch-up revalidates it from there.
#[test]
fn on_sigterm_the_grace_period_bounds_the_stop_and_the_backlog_is_left_to_the_stream() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let a = Agent::start(
        &tf,
        &server.url(),
        0,
        &[
            "--stream",
            "--grace-period",
            "1s",
            "--per-pod-concurrency",
            "1",
        ],
    );
    a.wait_ready();
    tf.block_on(tf.pod(0).set_fault(Fault::Hold));
    let before = tf.pod(0).counters().requests;
    let paths: Vec<String> = (1..=20).map(|i| format!("/posts/backlog-{i}")).collect();
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.push("--stream");
    let (_, r) = publish(&server.url(), &args);
    assert!(r.messages.iter().all(|m| m.receivers == Some(1)), "{r:#?}");
    assert!(
        wait_until(10, || received(&a, "pubsub", 20)),
        "{}",
        a.metrics()
    );
    assert!(wait_until(10, || tf.pod(0).counters().requests == before + 1));
    let started = std::time::Instant::now();
    a.run.signal("TERM");
    let (status, _, err) = a.run.wait(15);
    assert_eq!(status, 0, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the stop took {:?}",
        started.elapsed()
    );
    assert!(
        err.contains(
            "stopped: 0 of 1 revalidation in flight finished, 1 given up after the 1s grace period; \
             19 messages not started are left to the stream revalidate:stream: an agent started \
             with --catch-up revalidates them"
        ),
        "{err}"
    );
    tf.block_on(tf.pod(0).clear_faults());
    assert_eq!(
        tf.pod(0).counters().requests,
        before + 1,
        "the backlog was not worked through"
    );
    // The stream holds them: the next agent catches up on every one.
    let next = Agent::start(&tf, &server.url(), 0, &["--catch-up", "10m"]);
    next.wait_ready();
    let caught_up = || -> std::collections::BTreeSet<String> {
        next.handled()
            .into_iter()
            .filter(|h| h.source == Source::CatchUp && h.outcome != "invalid")
            .filter_map(|h| h.path)
            .collect()
    };
    assert!(
        wait_until(10, || caught_up().len() == 20),
        "{}",
        next.run.stderr()
    );
    assert_eq!(caught_up(), paths.iter().cloned().collect());
    let (status, _, err) = next.stop();
    assert_eq!(status, 0, "{err}");
}

/// As when the whole pod is terminating: Redis and the app both gone, a backlog received. The
/// stop still takes the grace period at most, though every revalidation and every
/// acknowledgement would wait out its own timeout.
#[test]
fn on_sigterm_with_redis_and_the_app_gone_the_stop_is_still_bounded() {
    let tf = TestFleet::three();
    let mut server = RedisServer::start();
    let a = Agent::start(
        &tf,
        &server.url(),
        0,
        &["--grace-period", "2s", "--per-pod-concurrency", "1"],
    );
    a.wait_ready();
    tf.block_on(tf.pod(0).set_fault(Fault::Slow(Duration::from_millis(200))));
    let paths: Vec<String> = (1..=30).map(|i| format!("/posts/gone-{i}")).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (_, r) = publish(&server.url(), &args);
    assert!(r.messages.iter().all(|m| m.receivers == Some(1)), "{r:#?}");
    assert!(
        wait_until(10, || received(&a, "pubsub", 30)),
        "{}",
        a.metrics()
    );
    server.kill();
    tf.block_on(tf.pod(0).set_fault(Fault::Down));
    let started = std::time::Instant::now();
    a.run.signal("TERM");
    let (status, _, err) = a.run.wait(20);
    assert_eq!(status, 0, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the stop took {:?}:\n{err}",
        started.elapsed()
    );
    let stopped = err
        .lines()
        .find(|l| l.contains("stopped: "))
        .unwrap_or_else(|| panic!("no account of the stop:\n{err}"));
    assert!(
        stopped.contains("not revalidated on this pod (this agent does not read the stream"),
        "{stopped}"
    );
}

/// A message held because the app had not answered yet is not started on SIGTERM: the log says
/// it is left to the stream, and the next agent's catch-up revalidates it.
#[test]
fn a_message_held_for_the_app_at_sigterm_is_left_to_the_stream() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    tf.block_on(tf.pod(0).set_fault(Fault::Down));
    let a = Agent::start(&tf, &server.url(), 0, &["--stream"]);
    assert!(wait_until(10, || server.numsub("revalidate") == 1));
    let (_, r) = publish(&server.url(), &["/posts/a", "--stream"]);
    assert_eq!(r.messages[0].receivers, Some(1));
    assert!(
        wait_until(10, || received(&a, "pubsub", 1)),
        "{}",
        a.metrics()
    );
    a.run.signal("TERM");
    let (status, _, err) = a.run.wait(15);
    assert_eq!(status, 0, "{err}");
    assert!(
        err.contains(
            "1 message not started is left to the stream revalidate:stream: an agent started \
             with --catch-up revalidates it"
        ),
        "{err}"
    );
    tf.block_on(tf.pod(0).clear_faults());
    let next = Agent::start(&tf, &server.url(), 0, &["--catch-up", "10m"]);
    next.wait_ready();
    assert!(wait_until(10, || !next.handled().is_empty()));
    let h = next.handled();
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(
        (h[0].path.as_deref(), h[0].source, h[0].outcome.as_str()),
        (Some("/posts/a"), Source::CatchUp, "revalidated")
    );
    let (status, _, err) = next.stop();
    assert_eq!(status, 0, "{err}");
}

#[test]
fn the_agent_waits_for_redis_at_start_and_is_not_ready_meanwhile() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let proxy = Proxy::start(server.port);
    proxy.cut();
    let a = Agent::start(&tf, &proxy.url(), 0, &["--log-format", "json"]);
    assert!(wait_until(10, || a.healthz() == 503));
    a.run.wait_for(
        10,
        "retrying",
        |e| matches!(e.get::<LinkEvent>(), Some(link) if link.state == "retrying"),
    );
    proxy.restore();
    a.wait_ready();
    let (exit, _) = publish(
        &server.url(),
        &["/posts/a", "--wait-acks", "--expect-subscribers", "1"],
    );
    assert_eq!(exit, 0);
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
    // --log-format json: every log line is one JSON object.
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "revalidated" && l["path"] == "/posts/a"),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "cannot reach Redis; retrying"),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string())
    );
}

#[test]
fn a_rejected_password_at_start_is_exit_5_and_never_logged() {
    let tf = TestFleet::three();
    let pw = "agent-redis-pw-9c2e71f0";
    let server = RedisServer::with_password(pw);
    let url = format!("redis://:{pw}@127.0.0.1:{}", server.port);
    // Right password: works, and -vv logs never show it.
    let p = tf.pod(0);
    let mut c = command(tf.dir.path());
    c.args([
        "agent",
        "-vv",
        "--redis-url",
        &url,
        "--target",
        &p.url(),
        "--pod-name",
        "pod-1",
    ])
    .args(["--health-addr", "127.0.0.1:0"])
    .args(tf.manifest_arg());
    let run = Running::spawn(c);
    assert!(
        wait_until(10, || server.numsub("revalidate") == 1),
        "{}",
        run.stderr()
    );
    let mut conn = server.client();
    let _: i64 = redis::cmd("PUBLISH")
        .arg("revalidate")
        .arg("/posts/a")
        .query(&mut conn)
        .unwrap();
    assert!(
        wait_until(10, || run.stderr().contains("revalidated")),
        "{}",
        run.stderr()
    );
    run.signal("TERM");
    let (status, out, err) = run.wait(20);
    assert_eq!(status, 0, "{err}");
    assert!(!out.contains(pw) && !err.contains(pw), "{err}");
    assert!(
        err.contains(":<redacted>@127.0.0.1"),
        "the URL is logged masked: {err}"
    );

    // Wrong password: it will not fix itself, so exit 5 at once.
    let mut c = command(tf.dir.path());
    let out = c
        .args([
            "agent",
            "--redis-url",
            &server.url(),
            "--target",
            &p.url(),
            "--pod-name",
            "pod-1",
        ])
        .args(tf.manifest_arg())
        .env("REDIS_PASSWORD", "not-the-password-at-all")
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("authentication failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_agent_revalidates_through_the_apps_endpoint_without_showing_its_secret() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let secret = tf.fleet().secret().to_string();
    let p = tf.pod(0);
    let mut c = command(tf.dir.path());
    c.args(["agent", "-o", "ndjson", "-vv", "--redis-url", &server.url()])
        .args(["--target", &p.url(), "--pod-name", p.name()])
        .args([
            "--mode",
            "endpoint",
            "--endpoint",
            "/api/revalidate?path={path}",
        ])
        .args(["--header", "x-revalidate-secret: ${E2E_SECRET}"])
        .args(["--expect-json", "revalidated=true"])
        .env("E2E_SECRET", &secret);
    let run = Running::spawn(c);
    assert!(
        wait_until(10, || server.numsub("revalidate") == 1),
        "{}",
        run.stderr()
    );
    let before = p.counters().api_calls;
    let (exit, r) = publish(
        &server.url(),
        &["/posts/a", "--wait-acks", "--expect-subscribers", "1"],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.messages[0].acks[0].outcome, "revalidated");
    assert_eq!(
        p.counters().api_calls - before,
        1,
        "the app's own route was called"
    );
    run.signal("TERM");
    let (status, out, err) = run.wait(20);
    assert_eq!(status, 0, "{err}");
    assert!(!out.contains(&secret) && !err.contains(&secret), "{err}");
}

#[test]
fn messages_wait_for_the_app_and_the_agent_is_not_ready_until_it_answers() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    tf.block_on(tf.pod(0).set_fault(Fault::Down));
    let a = Agent::start(&tf, &server.url(), 0, &[]);
    assert!(wait_until(10, || server.numsub("revalidate") == 1));
    let (_, body) = http_get(&a.health, "/healthz").unwrap();
    assert!(body.contains("the app has not answered yet"), "{body}");
    // Published while the app starts: held, not lost, not failed. The agent counts it as
    // received (a condition to wait on, not a pause) and has not handled it.
    let (_, r) = publish(&server.url(), &["/posts/a"]);
    assert_eq!(r.messages[0].receivers, Some(1));
    assert!(wait_until(10, || a.metrics().contains(
        "revalidate_agent_messages_total{source=\"pubsub\"} 1"
    )));
    assert!(a.handled().is_empty(), "{:#?}", a.handled());
    tf.block_on(tf.pod(0).clear_faults());
    a.wait_ready();
    assert!(wait_until(10, || a.handled().len() == 1));
    assert_eq!(a.handled()[0].outcome, "revalidated");
    // NDJSON of publish --wait-acks: one `ack` event per acknowledgement.
    let (mut c, _d) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/b",
            "--wait-acks",
            "--expect-subscribers",
            "1",
        ])
        .args(["--redis-url", &server.url(), "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let acks: Vec<(String, String)> = super::events(&out)
        .into_iter()
        .filter_map(|e| e.get::<AckEvent>())
        .map(|a| (a.path.into_owned(), a.ack.into_owned().pod))
        .collect();
    assert_eq!(acks, vec![("/posts/b".to_string(), "pod-1".to_string())]);
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
}

#[test]
fn the_agent_prints_its_totals_for_people_when_it_stops() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let p = tf.pod(0);
    let mut c = command(tf.dir.path());
    c.args(["agent", "--redis-url", &server.url(), "--target", &p.url()])
        .args(["--pod-name", p.name()])
        .args(tf.manifest_arg());
    let run = Running::spawn(c);
    assert!(
        wait_until(10, || server.numsub("revalidate") == 1),
        "{}",
        run.stderr()
    );
    let (_, r) = publish(
        &server.url(),
        &[
            "/posts/a",
            "/posts/b",
            "--wait-acks",
            "--expect-subscribers",
            "1",
        ],
    );
    assert_eq!(r.totals.ok, 2, "{r:#?}");
    // Its log, on stderr at the default verbosity: each state change and each message.
    let log = run.stderr();
    for line in [
        "agent started",
        "subscribed",
        "the app answered",
        "revalidated path=\"/posts/a\"",
    ] {
        assert!(log.contains(line), "{line} not in the log:\n{log}");
    }
    run.signal("TERM");
    let (status, out, err) = run.wait(20);
    assert_eq!(status, 0, "{err}");
    let mut settings = insta::Settings::clone_current();
    for (re, with) in super::redactions() {
        settings.add_filter(re, with);
    }
    settings.bind(|| insta::assert_snapshot!("agent_totals", out));
}

#[test]
fn the_agent_json_report_lists_what_it_handled() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let p = tf.pod(1);
    let mut c = command(tf.dir.path());
    c.args([
        "agent",
        "-o",
        "json",
        "--redis-url",
        &server.url(),
        "--target",
        &p.url(),
    ])
    .args(["--pod-name", p.name(), "--stream"])
    .args(tf.manifest_arg());
    let run = Running::spawn(c);
    assert!(
        wait_until(10, || server.numsub("revalidate") == 1),
        "{}",
        run.stderr()
    );
    let (_, r) = publish(
        &server.url(),
        &[
            "/posts/c",
            "--stream",
            "--wait-acks",
            "--expect-subscribers",
            "1",
        ],
    );
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged, "{r:#?}");
    run.signal("TERM");
    let (status, out, err) = run.wait(20);
    assert_eq!(status, 0, "{err}");
    let output = std::process::Output {
        status: std::process::ExitStatus::default(),
        stdout: out.into_bytes(),
        stderr: Vec::new(),
    };
    let v = crate::common::json(&output);
    crate::common::assert_schema("report.schema.json", &v);
    let env: revalidate::report::Envelope = serde_json::from_value(v).unwrap();
    let reports = env.reports::<revalidate::agent::Report>().unwrap();
    assert_eq!(
        (env.exit_code, env.stopped),
        (0, None),
        "SIGTERM is how an agent ends"
    );
    let [a] = reports.as_slice() else {
        panic!("{:?}", env.steps)
    };
    assert_eq!(a.pod, "pod-2");
    assert_eq!(a.stream.as_deref(), Some("revalidate:stream"));
    assert_eq!(a.ended_by, Some(revalidate::exit::Stop::Terminated));
    assert_eq!(
        a.handled.len(),
        1,
        "handled once, though it came by the channel and the stream"
    );
    assert_eq!(a.handled[0].path.as_deref(), Some("/posts/c"));
    assert_eq!(a.totals.duplicates, 1);
    assert_eq!(a.totals.revalidations.get("revalidated"), Some(&1));
}

#[test]
fn the_agent_registers_with_a_heartbeat_and_removes_itself_when_it_stops() {
    use revalidate::redis::registry::{Record, agents_key, heartbeats_key};
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let a = Agent::start(&tf, &server.url(), 1, &[]);
    a.wait_ready();
    let mut c = server.client();
    let record = |c: &mut redis::Connection| -> Option<Record> {
        let json: Option<String> = redis::cmd("HGET")
            .arg(agents_key("revalidate"))
            .arg(tf.pod(1).name())
            .query(c)
            .unwrap();
        json.map(|j| serde_json::from_str(&j).unwrap())
    };
    assert!(
        wait_until(10, || record(&mut c).is_some()),
        "the agent registered\n{}",
        a.run.stderr()
    );
    let first = record(&mut c).unwrap();
    assert_eq!(first.pod, tf.pod(1).name());
    assert_eq!(first.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(first.last_message_ms, None);
    let score: Option<u64> = redis::cmd("ZSCORE")
        .arg(heartbeats_key("revalidate"))
        .arg(tf.pod(1).name())
        .query(&mut c)
        .unwrap();
    assert_eq!(score, Some(first.heartbeat_ms));
    assert!(first.live_at(first.heartbeat_ms + 1));
    assert!(!first.live_at(first.heartbeat_ms + 3 * first.heartbeat_every_ms));
    // A message handled shows in the next beat.
    let (_, r) = publish(&server.url(), &["/posts/a", "--wait-acks"]);
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged);
    assert!(
        wait_until(15, || record(&mut c)
            .is_some_and(|r| r.last_message_ms.is_some())),
        "the heartbeat carries the last message"
    );
    let later = record(&mut c).unwrap();
    assert!(later.heartbeat_ms > first.heartbeat_ms);
    assert_eq!(later.started_ms, first.started_ms);
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
    assert_eq!(record(&mut c), None, "removed on a clean stop");
}
