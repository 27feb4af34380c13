//! Pods that start late: publish keeps the record `<channel>:revalidated` (path → time of its
//! latest publish), and an agent started after many revalidations, more than the stream keeps,
//! regenerates every path changed since its build before `/healthz` turns 200; a build newer
//! than a change skips it; `--catch-up-since` overrides the build's time; a record that cannot
//! be read keeps the agent not ready, saying why; a message that revalidates a path during the
//! catch-up spares the catch-up's regeneration of it (one that failed spares nothing), and is
//! never skipped itself; run through Redis keeps the record too. Tags are caught up on the same
//! way (`<channel>:revalidated-tags`) by an agent with a tag route (a tag's message during the
//! catch-up spares it that tag); one without becomes ready and warns of the tags it cannot
//! apply.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use revalidate::agent::{CatchUp, Event as AgentEvent, Handled, Source};
use revalidate_sim::{Fault, FleetOptions};

use super::agent::{Agent, publish};
use super::http_get;
use super::server::{Proxy, RedisServer};
use super::tags::tag_agent;
use crate::common::{TestFleet, wait_until};

const RECORD: &str = "revalidate:revalidated";
const TAGS_RECORD: &str = "revalidate:revalidated-tags";

/// A fleet whose pods pre-rendered `/posts/p1` … `/posts/pN` at build time, regenerating each
/// page in `regen` (so a catch-up takes long enough to be watched).
fn fleet(n: usize, regen: Duration) -> TestFleet {
    TestFleet::start(FleetOptions {
        extra_slugs: n,
        regen_latency: regen,
        ..FleetOptions::default()
    })
}

fn paths(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("/posts/p{i}")).collect()
}

/// A `.next` directory whose build is `age` old (every file's modification time).
fn next_dir(tf: &TestFleet, age: Duration) -> PathBuf {
    let dir = tf.dir.path().join(format!("app-{}/.next", age.as_secs()));
    std::fs::create_dir_all(dir.join("server/pages/posts")).unwrap();
    let built = SystemTime::now() - age;
    for f in [
        "BUILD_ID",
        "prerender-manifest.json",
        "build-manifest.json",
        "server/pages/posts/p1.html",
    ] {
        let p = dir.join(f);
        std::fs::write(&p, "x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(built)
            .unwrap();
    }
    dir
}

fn handled(a: &Agent, source: Source) -> Vec<Handled> {
    a.handled()
        .into_iter()
        .filter(|h| h.source == source)
        .collect()
}

fn catch_ups(a: &Agent) -> Vec<CatchUp> {
    a.run
        .events()
        .into_iter()
        .filter_map(|e| match e.get()? {
            AgentEvent::CatchUp(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn publish_all(server: &RedisServer, ps: &[String], extra: &[&str]) {
    let mut args: Vec<&str> = ps.iter().map(String::as_str).collect();
    args.extend(["--expect-subscribers", "0", "--stream"]);
    args.extend(extra);
    let (exit, r) = publish(&server.url(), &args);
    assert_eq!(exit, 0, "{r:#?}");
    let rec = r.record.expect("the record is written by default");
    assert_eq!((rec.key.as_str(), rec.written), (RECORD, ps.len()));
}

/// Records `paths` as revalidated `age` ago, as an earlier publish would have.
fn record_old(server: &RedisServer, ps: &[String], age: Duration) {
    record_old_in(server, RECORD, ps, age);
}

/// Records `fields` (paths or tags) in `key` as revalidated `age` ago.
fn record_old_in(server: &RedisServer, key: &str, ps: &[String], age: Duration) {
    let ms = (SystemTime::now() - age)
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    for p in ps {
        let _: () = redis::cmd("HSET")
            .arg(key)
            .arg(p)
            .arg(ms)
            .query(&mut server.client())
            .unwrap();
    }
}

#[test]
fn a_pod_started_after_more_changes_than_the_stream_keeps_serves_them_all_before_it_is_ready() {
    let tf = fleet(20, Duration::from_millis(150));
    let server = RedisServer::start();
    // Trim exactly at the cap, so the stream really forgets (by default Redis trims whole nodes
    // of 100 entries).
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("stream-node-max-entries")
        .arg(1)
        .query(&mut server.client())
        .unwrap();
    let build = next_dir(&tf, Duration::from_secs(3600));
    let ps = paths(20);
    for (i, p) in ps.iter().enumerate() {
        tf.fleet()
            .cms()
            .set_title(&p["/posts/".len()..], &format!("edited {i}"));
    }
    publish_all(&server, &ps, &["--stream-maxlen", "5"]);
    let len: usize = redis::cmd("XLEN")
        .arg("revalidate:stream")
        .query(&mut server.client())
        .unwrap();
    assert!(len <= 6, "the stream keeps about 5 entries, not {len}");
    let pod = tf.pod(1);
    assert_ne!(pod.cached_title("/posts/p1").as_deref(), Some("edited 0"));

    // The pod holds every request until told: the agent has read the record and waits.
    tf.block_on(pod.set_fault(Fault::Hold));
    let a = Agent::start(
        &tf,
        &server.url(),
        1,
        &[
            "--next-dir",
            build.to_str().unwrap(),
            "--catch-up-concurrency",
            "2",
        ],
    );
    // Not ready while it catches up, and it says how far it got.
    assert!(
        wait_until(10, || a
            .healthz_body()
            .contains("catching up: 0 of 20 paths changed since the build")),
        "{}",
        a.healthz_body()
    );
    assert_eq!(a.healthz(), 503);
    tf.block_on(pod.clear_faults());
    a.wait_ready();
    for (i, p) in ps.iter().enumerate() {
        assert_eq!(
            pod.cached_title(p).as_deref(),
            Some(format!("edited {i}").as_str()),
            "{p} is served new once the agent is ready"
        );
    }
    let evs = a.run.events();
    let ready_at = evs
        .iter()
        .position(|e| matches!(e.get(), Some(AgentEvent::Ready { ready: true, .. })))
        .expect("ready");
    let last_handled = evs
        .iter()
        .rposition(
            |e| matches!(e.get(), Some(AgentEvent::Handled(h)) if h.source == Source::Record),
        )
        .expect("handled");
    assert!(
        last_handled < ready_at,
        "every path is regenerated before ready"
    );
    let h = handled(&a, Source::Record);
    assert_eq!(
        sorted(h.iter().map(|h| h.path.clone().unwrap()).collect()),
        sorted(ps.clone())
    );
    assert!(h.iter().all(|h| h.outcome == "revalidated" && !h.acked));
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!(
        (
            done.state.as_str(),
            done.paths,
            done.revalidated,
            done.failed
        ),
        ("done", 20, 20, 0)
    );
    assert!(
        done.since.contains("BUILD_ID") || done.since.contains(".next"),
        "{}",
        done.since
    );
    let metrics = http_get(a.health(), "/metrics").unwrap().1;
    for line in [
        "revalidate_agent_catch_up_paths 20",
        "revalidate_agent_catch_up_done_total{result=\"revalidated\"} 20",
        "revalidate_agent_caught_up 1",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    // The other pods ran no agent and were never touched.
    assert_eq!(tf.pod(0).counters().revalidate_requests, 0);
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
    assert!(
        err.contains("catching up on 20 of the 20 recorded paths"),
        "{err}"
    );
    assert!(
        err.contains("caught up: catch-up: 20/20 paths (20 revalidated, 0 failed, 0 skipped)"),
        "{err}"
    );
}

#[test]
fn a_build_newer_than_a_change_skips_it_and_catch_up_since_overrides_the_build() {
    let tf = fleet(15, Duration::ZERO);
    let server = RedisServer::start();
    let ps = paths(15);
    let (old, new) = ps.split_at(10);
    record_old(&server, old, Duration::from_secs(3 * 3600));
    publish_all(&server, new, &[]);
    let build = next_dir(&tf, Duration::from_secs(3600));
    let dir = build.to_str().unwrap();

    // Built an hour ago: only the 5 paths changed since are regenerated.
    let a = Agent::start(&tf, &server.url(), 0, &["--next-dir", dir]);
    a.wait_ready();
    let got: Vec<String> = handled(&a, Source::Record)
        .into_iter()
        .filter_map(|h| h.path)
        .collect();
    assert_eq!(sorted(got), sorted(new.to_vec()));
    assert_eq!(tf.pod(0).counters().revalidate_requests, 5);
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!((done.recorded, done.paths), (15, 5));
    a.stop();

    // --catch-up-since 4h goes further back than the build: all 15.
    let a = Agent::start(
        &tf,
        &server.url(),
        1,
        &["--next-dir", dir, "--catch-up-since", "4h"],
    );
    a.wait_ready();
    assert_eq!(handled(&a, Source::Record).len(), 15);
    assert!(catch_ups(&a)[0].since.contains("4h ago"));
    a.stop();

    // An RFC 3339 time: two hours ago leaves out the old ten.
    let two_hours_ago =
        humantime::format_rfc3339_seconds(SystemTime::now() - Duration::from_secs(2 * 3600))
            .to_string();
    let a = Agent::start(&tf, &server.url(), 2, &["--catch-up-since", &two_hours_ago]);
    a.wait_ready();
    assert_eq!(handled(&a, Source::Record).len(), 5);
    a.stop();

    // off: no catch-up, ready at once, nothing regenerated.
    let before = tf.pod(2).counters().revalidate_requests;
    let a = Agent::start(&tf, &server.url(), 2, &["--catch-up-since", "off"]);
    a.wait_ready();
    assert!(catch_ups(&a).is_empty());
    assert_eq!(tf.pod(2).counters().revalidate_requests, before);
    a.stop();
}

#[test]
fn without_the_builds_time_the_whole_record_is_caught_up_on_and_the_log_says_why() {
    let tf = fleet(3, Duration::ZERO);
    let server = RedisServer::start();
    record_old(&server, &paths(3), Duration::from_secs(30 * 24 * 3600));
    let a = Agent::start(&tf, &server.url(), 0, &[]);
    a.wait_ready();
    assert_eq!(handled(&a, Source::Record).len(), 3);
    let (_, _, err) = a.stop();
    assert!(err.contains("the build's time is unknown"), "{err}");
}

#[test]
fn an_unreadable_record_or_redis_down_at_start_keeps_the_agent_not_ready_and_says_why() {
    let tf = fleet(2, Duration::ZERO);
    let server = RedisServer::start();
    let build = next_dir(&tf, Duration::from_secs(60));
    let dir = build.to_str().unwrap();

    // Redis down at start: not ready, and the body says the catch-up has not started.
    let proxy = Proxy::start(server.port);
    proxy.cut();
    let a = Agent::start(&tf, &proxy.url(), 0, &["--next-dir", dir]);
    assert!(wait_until(10, || a.healthz() == 503));
    let body = a.healthz_body();
    assert!(body.contains("not subscribed to Redis"), "{body}");
    assert!(
        body.contains("has not started") && body.contains(RECORD),
        "{body}"
    );
    publish_all(&server, &paths(2), &[]);
    proxy.restore();
    a.wait_ready();
    assert_eq!(handled(&a, Source::Record).len(), 2);
    a.stop();

    // A record Redis cannot read as a hash: subscribed, the app answers, and still not ready.
    not_a_hash(&server, RECORD, "not a hash");
    let a = Agent::start(&tf, &server.url(), 1, &["--next-dir", dir]);
    assert!(
        wait_until(10, || a.healthz_body().contains("cannot be read")),
        "{}",
        a.healthz_body()
    );
    let body = a.healthz_body();
    assert!(body.contains("WRONGTYPE"), "{body}");
    assert!(!body.contains("not subscribed"), "{body}");
    assert_eq!(a.healthz(), 503);
    // Fixed: the next try reads it, and the agent is ready.
    let _: () = redis::cmd("DEL")
        .arg(RECORD)
        .query(&mut server.client())
        .unwrap();
    a.wait_ready();
    a.stop();
}

/// The flags of an agent whose build is `build` and that catches up one path at a time.
fn one_at_a_time(build: &std::path::Path) -> Vec<&str> {
    vec![
        "--next-dir",
        build.to_str().unwrap(),
        "--catch-up-concurrency",
        "1",
        "--per-pod-concurrency",
        "1",
    ]
}

fn wait_catching_up(a: &Agent) {
    assert!(
        wait_until(10, || a.healthz_body().contains("catching up: ")),
        "the agent did not start catching up: {}",
        a.healthz_body()
    );
}

/// Puts a plain string where a record's hash goes: Redis can neither read nor write it as one.
fn not_a_hash(server: &RedisServer, key: &str, value: &str) {
    let _: () = redis::cmd("SET")
        .arg(key)
        .arg(value)
        .query(&mut server.client())
        .unwrap();
}

/// An agent catching up on 12 paths one at a time, its pod holding every request, while the
/// last three paths (the catch-up reaches them last) change again and arrive as messages, all
/// three received: the fleet, Redis (kept alive), the agent and those three paths.
fn mid_catch_up() -> (TestFleet, RedisServer, Agent, Vec<String>) {
    let tf = fleet(12, Duration::from_millis(300));
    let server = RedisServer::start();
    let ps = paths(12);
    // The last three changed last: the catch-up reaches them last.
    record_old(&server, &ps[..9], Duration::from_secs(120));
    record_old(&server, &ps[9..], Duration::from_secs(60));
    let build = next_dir(&tf, Duration::from_secs(3600));
    let a = Agent::start(&tf, &server.url(), 0, &one_at_a_time(&build));
    wait_catching_up(&a);
    // The pod holds what comes next, so the catch-up surely stays on the first paths while
    // the last three change again and arrive as messages.
    tf.block_on(tf.pod(0).set_fault(Fault::Hold));
    let late: Vec<String> = ps[9..].to_vec();
    let mut args: Vec<&str> = late.iter().map(String::as_str).collect();
    args.extend(["--expect-subscribers", "1"]);
    let (exit, r) = publish(&server.url(), &args);
    assert_eq!(exit, 0, "{r:#?}");
    assert!(wait_until(10, || http_get(a.health(), "/metrics")
        .is_ok_and(|(_, m)| m.contains(
            "revalidate_agent_messages_total{source=\"pubsub\"} 3\n"
        ))));
    (tf, server, a, late)
}

#[test]
fn a_message_during_the_catch_up_is_handled_and_spares_the_catch_ups_regeneration() {
    let (tf, _server, a, late) = mid_catch_up();
    assert_eq!(a.healthz(), 503);
    tf.block_on(tf.pod(0).clear_faults());
    a.wait_ready();
    let by_message = handled(&a, Source::Pubsub);
    assert_eq!(
        sorted(by_message.iter().filter_map(|h| h.path.clone()).collect()),
        late,
        "a message is never skipped"
    );
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!(done.revalidated + done.skipped, 12);
    assert_eq!(done.skipped, 3, "{done:?}");
    assert_eq!(tf.pod(0).counters().revalidate_requests, 12);
    a.stop();
}

#[test]
fn publish_keeps_the_newest_time_of_each_path_and_no_record_turns_it_off() {
    let server = RedisServer::start();
    let future = 4_102_444_800_000u64; // 2100-01-01
    let _: () = redis::cmd("HSET")
        .arg(RECORD)
        .arg("/a")
        .arg(future)
        .query(&mut server.client())
        .unwrap();
    let (exit, r) = publish(
        &server.url(),
        &["/a", "/b", "--expect-subscribers", "0", "--stream"],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert_eq!(r.record.unwrap().written, 1, "a newer time is kept");
    let a: u64 = redis::cmd("HGET")
        .arg(RECORD)
        .arg("/a")
        .query(&mut server.client())
        .unwrap();
    assert_eq!(a, future);
    let b: u64 = redis::cmd("HGET")
        .arg(RECORD)
        .arg("/b")
        .query(&mut server.client())
        .unwrap();
    assert!(b > 1_700_000_000_000 && b < future);

    let (exit, r) = publish(
        &server.url(),
        &["/c", "--expect-subscribers", "0", "--stream", "--no-record"],
    );
    assert_eq!(exit, 0);
    assert!(r.record.is_none());
    let c: Option<u64> = redis::cmd("HGET")
        .arg(RECORD)
        .arg("/c")
        .query(&mut server.client())
        .unwrap();
    assert_eq!(c, None);

    // A record Redis cannot write is a Redis failure (exit 5), though the message went out.
    not_a_hash(&server, RECORD, "x");
    let (exit, r) = publish(
        &server.url(),
        &["/d", "--expect-subscribers", "0", "--stream"],
    );
    assert_eq!(exit, 5, "{r:#?}");
    assert!(
        r.record
            .unwrap()
            .error
            .unwrap()
            .contains("could not be written")
    );
    assert_eq!(
        r.messages[0].outcome,
        revalidate::publish::Outcome::Delivered
    );
}

#[test]
fn run_through_redis_keeps_the_record_too() {
    let tf = fleet(1, Duration::ZERO);
    let server = RedisServer::start();
    let a = Agent::start(&tf, &server.url(), 0, &["--catch-up-since", "off"]);
    a.wait_ready();
    let pod = tf.pod(0);
    let (mut c, _d) = crate::common::revalidate();
    let out = c
        .args(["run", "/posts/a", "--via", "redis", "--steps", "revalidate"])
        .args(["--redis-url", &server.url(), "-o", "json"])
        .args(["--pod", &format!("{}={}", pod.name(), pod.url())])
        .output()
        .unwrap();
    assert_eq!(
        crate::common::code(&out),
        0,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: Option<u64> = redis::cmd("HGET")
        .arg(RECORD)
        .arg("/posts/a")
        .query(&mut server.client())
        .unwrap();
    assert!(t.is_some_and(|t| t > 1_700_000_000_000), "{t:?}");
    a.stop();
}

#[test]
fn a_message_that_failed_spares_the_catch_up_nothing() {
    let (tf, _server, a, late) = mid_catch_up();
    // From now on the pod ignores revalidations: the messages fail, so the catch-up's turn
    // for their paths still comes, and is not skipped.
    tf.block_on(async {
        let pod = tf.pod(0);
        pod.set_fault(Fault::IgnoreRevalidate).await;
        pod.release_held().await;
    });
    a.wait_ready();
    let by_message = handled(&a, Source::Pubsub);
    assert_eq!(by_message.len(), 3);
    assert!(by_message.iter().all(|h| !h.ok), "{by_message:?}");
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!(done.skipped, 0, "{done:?}");
    assert_eq!(done.revalidated + done.failed, 12, "{done:?}");
    let tried: Vec<String> = handled(&a, Source::Record)
        .into_iter()
        .filter_map(|h| h.path)
        .collect();
    for p in &late {
        assert!(
            tried.contains(p),
            "{p} was not tried by the catch-up: {tried:?}"
        );
    }
    let (_, _, err) = a.stop();
    assert!(err.contains("caught up, with failures"), "{err}");
}

/// Publishes `/posts/p1` and the tag `posts` with nobody listening, after an older tag was
/// recorded three hours ago; the App Router page `/app-posts/a` (tagged `posts`) is cached on
/// pod 0 before its title changes.
fn tags_published_before_the_pod_starts(tf: &TestFleet, server: &RedisServer) {
    record_old_in(
        server,
        TAGS_RECORD,
        &["old".to_string()],
        Duration::from_secs(3 * 3600),
    );
    assert_ne!(tf.served_title(0, "/app-posts/a"), "Post A (tag caught up)");
    tf.fleet().cms().set_title("a", "Post A (tag caught up)");
    let (exit, r) = publish(
        &server.url(),
        &[
            "/posts/p1",
            "--tag",
            "posts",
            "--expect-subscribers",
            "0",
            "--stream",
        ],
    );
    assert_eq!(exit, 0, "{r:#?}");
    let rec = r
        .tag_record
        .expect("the tags' record is written by default");
    assert_eq!((rec.key.as_str(), rec.written), (TAGS_RECORD, 1));
    assert_eq!(r.record.unwrap().written, 1, "the paths' record is apart");
}

#[test]
fn a_pod_started_late_applies_the_tags_changed_since_its_build_before_it_is_ready() {
    let tf = fleet(1, Duration::ZERO);
    let server = RedisServer::start();
    tags_published_before_the_pod_starts(&tf, &server);
    let build = next_dir(&tf, Duration::from_secs(3600));
    let pod = tf.pod(0);
    tf.block_on(pod.set_fault(Fault::Hold));
    let a = tag_agent(&tf, &server, 0, &["--next-dir", build.to_str().unwrap()]);
    assert!(
        wait_until(10, || a.healthz_body().contains(
            "catching up: 0 of 2 paths and tags changed since the build"
        )),
        "{}",
        a.healthz_body()
    );
    assert_eq!(a.healthz(), 503);
    tf.block_on(pod.clear_faults());
    a.wait_ready();
    assert_eq!(tf.served_title(0, "/app-posts/a"), "Post A (tag caught up)");
    // The tag recorded before the build was not applied: one call of the tag route.
    assert_eq!(pod.counters().by_path.get("/api/revalidate-tag"), Some(&1));
    let evs = a.run.events();
    let ready_at = evs
        .iter()
        .position(|e| matches!(e.get(), Some(AgentEvent::Ready { ready: true, .. })))
        .expect("ready");
    let tag_at = evs
        .iter()
        .position(|e| {
            matches!(e.get(), Some(AgentEvent::Handled(h))
                if h.source == Source::Record && h.tag.as_deref() == Some("posts"))
        })
        .expect("the tag handled by the catch-up");
    assert!(tag_at < ready_at, "the tag is applied before ready");
    let h = handled(&a, Source::Record);
    assert_eq!(h.len(), 2, "{h:#?}");
    assert!(
        h.iter().all(|h| h.outcome == "revalidated" && !h.acked),
        "{h:#?}"
    );
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!(
        (done.paths, done.tags, done.tags_unapplied, done.revalidated),
        (1, 1, 0, 2),
        "{done:?}"
    );
    let metrics = http_get(a.health(), "/metrics").unwrap().1;
    for line in [
        "revalidate_agent_catch_up_tags 1\n",
        "revalidate_agent_catch_up_done_total{result=\"revalidated\"} 2\n",
        "revalidate_agent_catch_up_tags_unapplied 0\n",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    let (status, out, err) = a.stop();
    assert_eq!(status, 0, "{err}");
    let secret = tf.fleet().secret();
    assert!(!out.contains(secret) && !err.contains(secret), "{err}");
}

#[test]
fn an_agent_without_a_tag_route_is_ready_and_warns_of_the_tags_it_cannot_apply() {
    let tf = fleet(1, Duration::ZERO);
    let server = RedisServer::start();
    tags_published_before_the_pod_starts(&tf, &server);
    let build = next_dir(&tf, Duration::from_secs(3600));
    let a = Agent::start(
        &tf,
        &server.url(),
        0,
        &["--next-dir", build.to_str().unwrap()],
    );
    a.wait_ready();
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!(
        (done.paths, done.tags, done.tags_unapplied, done.revalidated),
        (1, 1, 1, 1),
        "{done:?}"
    );
    assert_eq!(
        tf.pod(0).counters().by_path.get("/api/revalidate-tag"),
        None
    );
    let metrics = http_get(a.health(), "/metrics").unwrap().1;
    assert!(
        metrics.contains("revalidate_agent_catch_up_tags_unapplied 1\n"),
        "{metrics}"
    );
    let (status, _, err) = a.stop();
    assert_eq!(status, 0, "{err}");
    assert!(
        err.contains("1 tag changed since the build") && err.contains("cannot be applied"),
        "{err}"
    );
}

#[test]
fn no_record_leaves_the_tags_record_alone_and_a_refused_tags_record_is_exit_5() {
    let server = RedisServer::start();
    let (exit, r) = publish(
        &server.url(),
        &[
            "--tag",
            "posts",
            "--expect-subscribers",
            "0",
            "--stream",
            "--no-record",
        ],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert!(r.record.is_none() && r.tag_record.is_none(), "{r:#?}");
    let n: usize = redis::cmd("HLEN")
        .arg(TAGS_RECORD)
        .query(&mut server.client())
        .unwrap();
    assert_eq!(n, 0);

    // A tags' record Redis cannot write is a Redis failure (exit 5), as for the paths', though
    // the messages went out and the paths' record was written.
    let _: () = redis::cmd("SET")
        .arg(TAGS_RECORD)
        .arg("x")
        .query(&mut server.client())
        .unwrap();
    let (exit, r) = publish(
        &server.url(),
        &[
            "/d",
            "--tag",
            "posts",
            "--expect-subscribers",
            "0",
            "--stream",
        ],
    );
    assert_eq!(exit, 5, "{r:#?}");
    assert_eq!(r.record.as_ref().unwrap().written, 1);
    let err = r.tag_record.clone().unwrap().error.unwrap();
    assert!(
        err.contains("could not be written") && err.contains("these tags"),
        "{err}"
    );
    assert!(r.warnings.iter().any(|w| w.contains(TAGS_RECORD)), "{r:#?}");
    assert!(r.messages.iter().all(|m| m.receivers.is_some()), "{r:#?}");
}

#[test]
fn a_tag_message_during_the_catch_up_spares_the_catch_ups_turn_for_that_tag() {
    let tf = fleet(6, Duration::from_millis(300));
    let server = RedisServer::start();
    let ps = paths(6);
    record_old(&server, &ps, Duration::from_secs(120));
    record_old_in(
        &server,
        TAGS_RECORD,
        &["posts".to_string()],
        Duration::from_secs(60),
    );
    let build = next_dir(&tf, Duration::from_secs(3600));
    let a = tag_agent(&tf, &server, 0, &one_at_a_time(&build));
    wait_catching_up(&a);
    // The pod holds what comes next: the catch-up stays on the paths (the tag comes last)
    // while the tag's message arrives.
    tf.block_on(tf.pod(0).set_fault(Fault::Hold));
    let (exit, r) = publish(
        &server.url(),
        &["--tag", "posts", "--expect-subscribers", "1"],
    );
    assert_eq!(exit, 0, "{r:#?}");
    assert!(wait_until(10, || http_get(a.health(), "/metrics")
        .is_ok_and(|(_, m)| m.contains(
            "revalidate_agent_messages_total{source=\"pubsub\"} 1\n"
        ))));
    assert_eq!(a.healthz(), 503);
    tf.block_on(tf.pod(0).clear_faults());
    a.wait_ready();
    let by_message = handled(&a, Source::Pubsub);
    assert!(
        by_message
            .iter()
            .any(|h| h.tag.as_deref() == Some("posts") && h.ok),
        "{by_message:#?}"
    );
    let done = catch_ups(&a).pop().unwrap();
    assert_eq!(
        (done.paths, done.tags, done.revalidated, done.skipped),
        (6, 1, 6, 1),
        "{done:?}"
    );
    assert_eq!(
        tf.pod(0).counters().by_path.get("/api/revalidate-tag"),
        Some(&1)
    );
    a.stop();
}
