//! Cache tags through Redis, against a real redis-server and the simulated fleet: `publish --tag`
//! sends `{"tag":…}` on `<channel>:tags`, which agents with a tag route apply on their pod and
//! acknowledge; a path-only subscriber never sees a tag; an agent without a tag route is not
//! counted as a receiver, and acknowledges a streamed tag as not applied; watch shows tags; the
//! route's secret never printed.

use revalidate::agent::{Event as AgentEvent, Handled};
use revalidate::publish::Outcome;
use revalidate::watch::Seen;

use super::agent::{Agent, publish};
use super::server::{RedisServer, Subscriber};
use super::{Running, command};
use crate::common::{TestFleet, wait_until};

const TAG_ROUTE: &str = "/api/revalidate-tag?tag={tag}";

fn handled(a: &Agent) -> Vec<Handled> {
    a.run
        .events()
        .into_iter()
        .filter_map(|e| match e.get()? {
            AgentEvent::Handled(h) => Some(h),
            _ => None,
        })
        .collect()
}

/// An agent beside pod `pod` with the tag route and its secret (from the environment).
pub(super) fn tag_agent(tf: &TestFleet, server: &RedisServer, pod: usize, extra: &[&str]) -> Agent {
    let mut args = vec![
        "--tag-endpoint",
        TAG_ROUTE,
        "--header",
        "x-revalidate-secret: ${REVALIDATE_TEST_TAG_SECRET}",
    ];
    args.extend_from_slice(extra);
    Agent::start_with_env(
        tf,
        &server.url(),
        pod,
        &args,
        &[("REVALIDATE_TEST_TAG_SECRET", tf.fleet().secret())],
    )
}

#[test]
fn a_published_tag_is_applied_by_every_agent_and_acknowledged() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let seed = Subscriber::start(&server, &["revalidate"], &[]);
    let agents: Vec<Agent> = (0..3).map(|i| tag_agent(&tf, &server, i, &[])).collect();
    for a in &agents {
        a.wait_ready();
    }
    assert!(wait_until(10, || server.numsub("revalidate:tags") == 3));
    for pod in 0..3 {
        tf.served_title(pod, "/app-posts/a");
    }
    tf.fleet()
        .cms()
        .set_title("a", "Post A (tag through Redis)");
    let pods = tf.pod_args();
    let mut args: Vec<&str> = vec!["/posts/b", "--tag", "post:a", "--wait-acks"];
    args.extend(pods.iter().map(String::as_str));
    let (exit, r) = publish(&server.url(), &args);
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.tag_channel.as_deref(), Some("revalidate:tags"));
    let tag = &r.messages[1];
    assert_eq!(
        (tag.tag.as_deref(), tag.path.as_deref()),
        (Some("post:a"), None)
    );
    assert_eq!(tag.receivers, Some(3));
    assert_eq!(tag.outcome, Outcome::Acknowledged, "{tag:#?}");
    assert_eq!(r.messages[0].outcome, Outcome::Acknowledged);
    for pod in 0..3 {
        assert_eq!(
            tf.served_title(pod, "/app-posts/a"),
            "Post A (tag through Redis)"
        );
        assert_eq!(
            tf.pod(pod).counters().by_path.get("/api/revalidate-tag"),
            Some(&1)
        );
    }
    for a in &agents {
        let h = handled(a);
        assert!(
            h.iter().any(|h| h.tag.as_deref() == Some("post:a")
                && h.outcome == "revalidated"
                && h.acked),
            "{h:#?}"
        );
    }
    // A subscriber that only knows paths got the path's message, and never the tag's.
    assert!(wait_until(5, || !seed.messages().is_empty()));
    let seen = seed.messages();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].1.contains("\"path\":\"/posts/b\""), "{seen:?}");
    for a in agents {
        let (status, out, err) = a.stop();
        assert_eq!(status, 0, "{err}");
        let secret = tf.fleet().secret();
        assert!(!out.contains(secret) && !err.contains(secret), "{err}");
    }
}

#[test]
fn an_agent_without_a_tag_route_is_no_receiver_and_never_counts_a_tag_as_revalidated() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let agent = Agent::start(&tf, &server.url(), 0, &["--stream"]);
    agent.wait_ready();
    assert!(agent.run.stderr().contains("no --tag-endpoint"));
    assert_eq!(server.numsub("revalidate:tags"), 0);
    let (exit, r) = publish(
        &server.url(),
        &[
            "--tag",
            "posts",
            "--stream",
            "--wait-acks",
            "--expect-subscribers",
            "1",
            "--ack-timeout",
            "3s",
        ],
    );
    assert_eq!(exit, 3, "{r:#?}");
    let m = &r.messages[0];
    assert_eq!(m.receivers, Some(0));
    assert_eq!(m.outcome, Outcome::UnderDelivered);
    // The stream's entry reached it: acknowledged as not applied, never as revalidated.
    assert!(wait_until(10, || handled(&agent)
        .iter()
        .any(|h| h.tag.as_deref() == Some("posts"))));
    let h = handled(&agent);
    assert_eq!(h[0].outcome, "no-tag-endpoint");
    assert!(!h[0].ok);
    assert_eq!(
        tf.pod(0).counters().by_path.get("/api/revalidate-tag"),
        None
    );
    let (status, _, err) = agent.stop();
    assert_eq!(status, 0, "{err}");
    let said = err
        .matches("no --tag-endpoint: cache tags are not applied")
        .count();
    assert_eq!(said, 1, "said once at start: {err}");
}

#[test]
fn watch_shows_tags_beside_paths() {
    let server = RedisServer::start();
    let (_, dir) = crate::common::revalidate();
    let mut c = command(dir.path());
    c.args([
        "watch",
        "--redis-url",
        &server.url(),
        "--count",
        "2",
        "-o",
        "ndjson",
    ]);
    let w = Running::spawn(c);
    assert!(wait_until(10, || server.numsub("revalidate") == 1
        && server.numsub("revalidate:tags") == 1));
    let (exit, r) = publish(
        &server.url(),
        &["/posts/a", "--tag", "post:a", "--expect-subscribers", "1"],
    );
    assert_eq!(exit, 0, "{r:#?}");
    let (status, out, err) = w.wait(10);
    assert_eq!(status, 0, "{err}");
    let seen: Vec<Seen> = out
        .lines()
        .map(crate::common::event)
        .filter_map(|e| e.get::<Seen>())
        .collect();
    let got: Vec<(&str, Option<&str>, Option<&str>)> = seen
        .iter()
        .map(|s| (s.channel.as_str(), s.path.as_deref(), s.tag.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("revalidate", Some("/posts/a"), None),
            ("revalidate:tags", None, Some("post:a"))
        ]
    );
}

#[test]
fn run_through_redis_applies_a_tag_on_every_pod_and_proves_its_pages() {
    let tf = TestFleet::three();
    let server = RedisServer::start();
    let agents: Vec<Agent> = (0..3).map(|i| tag_agent(&tf, &server, i, &[])).collect();
    for a in &agents {
        a.wait_ready();
    }
    assert!(wait_until(10, || server.numsub("revalidate:tags") == 3));
    for pod in 0..3 {
        tf.served_title(pod, "/app-posts/a");
    }
    tf.fleet()
        .cms()
        .set_title("a", "Post A (run through Redis)");
    let pages = tf.write("pages.txt", "/app-posts/a\n");
    let out = tf
        .cmd()
        .arg("run")
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .args([
            "--via",
            "redis",
            "--redis-url",
            &server.url(),
            "--wait-acks",
        ])
        .args(["--tag", "post:a", "--verify-paths"])
        .arg(&pages)
        .args(["-o", "json"])
        .output()
        .unwrap();
    let r = match crate::common::envelope(&out).steps.last() {
        Some(crate::common::Step::Run(r)) => r.clone(),
        other => panic!("no run report: {other:?}"),
    };
    assert_eq!(crate::common::code(&out), 0, "{r:#?}");
    assert_eq!(r.tags[0].revalidated, Some((3, 3)), "{r:#?}");
    assert_eq!(r.paths[0].revalidated, None);
    assert_eq!(r.paths[0].verdict, Some(revalidate::verify::Verdict::Fresh));
    // The tag's time is recorded, for agents started later.
    let t: Option<u64> = redis::cmd("HGET")
        .arg("revalidate:revalidated-tags")
        .arg("post:a")
        .query(&mut server.client())
        .unwrap();
    assert!(t.is_some_and(|t| t > 1_700_000_000_000), "{t:?}");
    for pod in 0..3 {
        assert_eq!(
            tf.served_title(pod, "/app-posts/a"),
            "Post A (run through Redis)"
        );
    }
    for a in agents {
        let (status, _, err) = a.stop();
        assert_eq!(status, 0, "{err}");
    }
}
