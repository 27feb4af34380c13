//! Who is listening, by name, against a real redis-server and agents beside the simulated fleet:
//! `revalidate agents` lists live and expired agents and compares them with the configured pods;
//! `publish --wait-acks` without a pod list expects the registered agents by name, names the one
//! that stayed silent, and names the one whose heartbeat stopped.

use revalidate::publish::Outcome;
use revalidate::roster::{Report, State};

use super::agent::{Agent, publish};
use super::server::RedisServer;
use crate::common::{Step, TestFleet, code, envelope, revalidate, stdout, wait_until};

/// `revalidate agents` at `url` with `args`, as JSON.
fn agents(url: &str, args: &[&str]) -> (i32, Report) {
    let (mut c, _d) = revalidate();
    let out = c
        .args(["agents", "--redis-url", url, "-o", "json"])
        .args(args)
        .output()
        .unwrap();
    let doc = envelope(&out);
    match doc.steps.as_slice() {
        [Step::Agents(r)] => (code(&out), r.clone()),
        other => panic!("expected one agents step, got {other:#?}"),
    }
}

/// Polls the roster until `pred` holds.
fn wait_roster(url: &str, what: &str, pred: impl Fn(&Report) -> bool) -> Report {
    let ok = wait_until(15, || pred(&agents(url, &[]).1));
    let (_, r) = agents(url, &[]);
    assert!(ok, "{what}: not seen within 15 s\n{r:#?}");
    r
}

fn state_of(r: &Report, pod: &str) -> Option<State> {
    r.agents.iter().find(|a| a.pod == pod).map(|a| a.state)
}

#[test]
fn agents_lists_live_and_expired_agents_and_names_the_pods_without_one() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let url = server.url();
    let mut running: Vec<Option<Agent>> = (0..3)
        .map(|i| Some(Agent::start(&tf, &url, i, &["--heartbeat", "500ms"])))
        .collect();
    for a in running.iter().flatten() {
        a.wait_ready();
    }
    wait_roster(&url, "three live agents", |r| r.totals.live == 3);

    let pods = tf.pod_args();
    let pod_refs: Vec<&str> = pods.iter().map(String::as_str).collect();
    let (exit, r) = agents(&url, &pod_refs);
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.channel, "revalidate");
    assert_eq!(r.subscribers, 3, "PUBSUB NUMSUB counts the three agents");
    assert_eq!(r.counted_by, "PUBSUB NUMSUB");
    let names: Vec<&str> = r.agents.iter().map(|a| a.pod.as_str()).collect();
    assert_eq!(names, vec!["pod-1", "pod-2", "pod-3"]);
    for a in &r.agents {
        assert_eq!(a.state, State::Live);
        assert_eq!(a.configured, Some(true));
        assert_eq!(a.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(a.heartbeat_every_ms, 500.0);
        assert!(a.heartbeat_age_ms < 1500.0, "{a:?}");
    }
    assert!(r.missing.is_empty() && r.unexpected.is_empty(), "{r:#?}");

    // For people: a row an agent, and the pods covered.
    let (mut c, _d) = revalidate();
    let out = c
        .args(["agents", "--redis-url", &url])
        .args(&pod_refs)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for needle in [
        "revalidate agents: revalidate",
        "3 subscribers (PUBSUB NUMSUB)",
        "POD",
        "HEARTBEAT",
        "pod-1",
        "3 of 3 pods with a live agent",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }

    // An agent killed (no clean stop) stops beating: expired after three beats, its pod named.
    running[2].take().unwrap().run.signal("KILL");
    let r = wait_roster(&url, "pod-3 expired", |r| {
        state_of(r, "pod-3") == Some(State::Expired)
    });
    assert_eq!(r.totals.live, 2);
    assert_eq!(r.totals.expired, 1);
    let (exit, r) = agents(&url, &pod_refs);
    assert_eq!(exit, 3, "a configured pod without a live agent: {r:#?}");
    assert_eq!(r.missing, vec!["pod-3"]);
    assert_eq!(r.agents.last().map(|a| a.pod.as_str()), Some("pod-3"));
    let (mut c, _d) = revalidate();
    let out = c
        .args(["agents", "--redis-url", &url])
        .args(&pod_refs)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("expired"), "{text}");
    assert!(text.contains("no live agent: pod-3"), "{text}");
    assert!(text.contains("2 of 3 pods with a live agent"), "{text}");

    // Pods compared by name: a live agent that is no configured pod, a pod with no agent.
    let (exit, r) = agents(
        &url,
        &[
            "--pod",
            &format!("pod-1={}", tf.pod(0).url()),
            "--pod",
            "pod-9=http://127.0.0.1:9",
        ],
    );
    assert_eq!(exit, 3);
    assert_eq!(r.missing, vec!["pod-9"]);
    assert_eq!(r.unexpected, vec!["pod-2"]);
    assert_eq!(
        r.agents
            .iter()
            .find(|a| a.pod == "pod-2")
            .and_then(|a| a.configured),
        Some(false)
    );

    // Without pods, any live agent is enough.
    assert_eq!(agents(&url, &[]).0, 0);

    // A clean stop removes the agent; with none live, exit 3 and a hint.
    for a in running.iter_mut().filter_map(Option::take) {
        let (status, _, err) = a.stop();
        assert_eq!(status, 0, "{err}");
    }
    let (exit, r) = agents(&url, &[]);
    assert_eq!(exit, 3, "{r:#?}");
    assert_eq!(r.totals.live, 0);
    assert_eq!(
        r.agents.iter().map(|a| a.pod.as_str()).collect::<Vec<_>>(),
        vec!["pod-3"],
        "the clean stops removed themselves; the killed one stays named"
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("no agent is live")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn publish_wait_acks_without_pods_expects_the_registered_agents_and_names_the_silent_and_the_expired()
 {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let url = server.url();
    // pod-2's agent beats every 2 s, so it stays live for 6 s after it is frozen.
    let a1 = Agent::start(&tf, &url, 0, &["--heartbeat", "500ms"]);
    let a2 = Agent::start(&tf, &url, 1, &["--heartbeat", "2s"]);
    let a3 = Agent::start(&tf, &url, 2, &["--heartbeat", "500ms"]);
    for a in [&a1, &a2, &a3] {
        a.wait_ready();
    }
    wait_roster(&url, "three live agents", |r| r.totals.live == 3);

    // All three answer: acknowledged, by name, with no pod list given.
    let (exit, r) = publish(&url, &["/posts/a", "--wait-acks"]);
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.expect.source, "registered agents");
    assert_eq!(r.expect.subscribers, 3);
    assert_eq!(r.expect.pods, vec!["pod-1", "pod-2", "pod-3"]);
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged);

    // pod-3's agent killed: it expires. pod-2's agent frozen: still live, but silent.
    a3.run.signal("KILL");
    wait_roster(&url, "pod-3 expired", |r| {
        state_of(r, "pod-3") == Some(State::Expired)
    });
    a2.run.signal("STOP");
    let (exit, r) = publish(&url, &["/posts/b", "--wait-acks", "--ack-timeout", "1s"]);
    a2.run.signal("CONT");
    assert_eq!(exit, 3, "{r:#?}");
    assert_eq!(r.expect.pods, vec!["pod-1", "pod-2"]);
    let agents_seen = r.agents.as_ref().expect("the roster was read");
    assert_eq!(agents_seen.live, vec!["pod-1", "pod-2"]);
    assert_eq!(
        agents_seen
            .expired
            .iter()
            .map(|e| e.pod.as_str())
            .collect::<Vec<_>>(),
        vec!["pod-3"]
    );
    let m = &r.messages[0];
    assert_eq!(m.outcome, Outcome::Unacknowledged, "{m:?}");
    assert_eq!(m.missing_pods, vec!["pod-2"]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("pod-3") && w.contains("stopped its heartbeat")),
        "{:?}",
        r.warnings
    );

    // For people: who is registered, who expired, who did not answer.
    let (mut c, _d) = revalidate();
    a2.run.signal("STOP");
    let out = c
        .args(["publish", "--redis-url", &url, "/posts/c", "--wait-acks"])
        .args(["--ack-timeout", "1s"])
        .output()
        .unwrap();
    a2.run.signal("CONT");
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    for needle in [
        "registered agents: 2 live (pod-1, pod-2)",
        "1 expired (pod-3,",
        "Not acknowledged as revalidated",
        "pod-2",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stopped its heartbeat"), "{err}");

    for a in [a1, a2] {
        let (status, _, err) = a.stop();
        assert_eq!(status, 0, "{err}");
    }
}
