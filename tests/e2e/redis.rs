//! The Redis steps on real Next.js: `publish` reaches the module-scope ioredis subscriber of
//! `app/pages/_app.js` in every pod (which revalidates through the app's own /api/revalidate), and
//! `revalidate agent` beside each pod revalidates it with the build's previewModeId and
//! acknowledges, so that an acknowledged publish is already fresh on every pod.

#[path = "../cli/redis/server.rs"]
pub mod server;

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};

use crate::fleet::Fleet;
use crate::next::{self, NextFleet, Version};
use crate::report;

/// The built binary with a clean environment, `-o json`: (exit code, the document).
fn revalidate(args: &[OsString]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_revalidate"))
        .env("CI", "1")
        .env_remove("REDIS_URL")
        .env_remove("REDIS_PASSWORD")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .args(args)
        .args(["-o", "json"])
        .output()
        .expect("revalidate runs");
    let exit = out.status.code().expect("exited normally");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "revalidate {args:?} printed no JSON ({e}); exit {exit}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (exit, doc)
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

fn pod_args(fleet: &NextFleet) -> Vec<OsString> {
    fleet
        .pods()
        .iter()
        .flat_map(|p| ["--pod".into(), format!("{}={}", p.name, p.url).into()])
        .collect()
}

/// Agents killed in Drop, pass or panic.
struct Agents(Vec<Child>);

impl Drop for Agents {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn publish_and_agents_reach_real_pods(version: Version) {
    let build = next::prepare(version);
    let redis = server::RedisServer::start();
    let fleet = NextFleet::start_with_env(version, &build, &[("REDIS_URL", redis.url())]);
    let describe = fleet.describe();
    // Every pod rendered a page to be ready, which loaded _app.js and its subscriber.
    assert!(
        server::poll(30, || redis.numsub("revalidate") == 3),
        "{describe}: the three ioredis subscribers did not subscribe"
    );

    // publish -> ioredis in every pod -> /api/revalidate on that pod.
    fleet.set_title("a", "Post A, published on Redis");
    let mut publish = args(&["publish", "/posts/a", "--redis-url", &redis.url()]);
    publish.extend(pod_args(&fleet));
    let (exit, doc) = revalidate(&publish);
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    assert_eq!(
        report::publish_messages(&doc),
        vec![("/posts/a".into(), Some(3), "delivered".into(), vec![])]
    );
    let mut verify = args(&[
        "verify",
        "/posts/a",
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post A, published on Redis",
        "--wait",
        "30s",
    ]);
    verify.extend(pod_args(&fleet));
    let (exit, doc) = revalidate(&verify);
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    assert_eq!(report::verify_verdicts(&doc)[0].1, "fresh", "{describe}");

    // The agent beside each pod: it revalidates, then acknowledges.
    let mut agents = Agents(Vec::new());
    for p in fleet.pods() {
        let child = Command::new(env!("CARGO_BIN_EXE_revalidate"))
            .env("CI", "1")
            .args(["agent", "--redis-url", &redis.url(), "--pod-name", &p.name])
            .args(["--target", &p.url])
            .arg("--preview-id-file")
            .arg(fleet.manifest())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the agent starts");
        agents.0.push(child);
    }
    assert!(
        server::poll(30, || redis.numsub("revalidate") == 6),
        "{describe}: the agents did not subscribe"
    );
    fleet.set_title("b", "Post B, acknowledged");
    let mut publish = args(&[
        "publish",
        "/posts/b",
        "--wait-acks",
        "--redis-url",
        &redis.url(),
    ]);
    publish.extend(pod_args(&fleet));
    let (exit, doc) = revalidate(&publish);
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    let revalidated = |pod: &str| (pod.to_string(), "revalidated".to_string());
    assert_eq!(
        report::publish_messages(&doc),
        vec![(
            "/posts/b".into(),
            Some(6),
            "acknowledged".into(),
            vec![
                revalidated("pod-1"),
                revalidated("pod-2"),
                revalidated("pod-3")
            ]
        )]
    );
    // Acknowledged means revalidated: fresh at once, without --wait.
    let mut verify = args(&[
        "verify",
        "/posts/b",
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post B, acknowledged",
    ]);
    verify.extend(pod_args(&fleet));
    let (exit, doc) = revalidate(&verify);
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    assert_eq!(report::verify_verdicts(&doc)[0].1, "fresh", "{describe}");

    // SIGTERM: each agent exits 0.
    for c in &mut agents.0 {
        let pid = c.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = c.wait().expect("the agent exits");
        assert_eq!(status.code(), Some(0), "{describe}: an agent on SIGTERM");
    }
}

/// A pod started after many revalidations (more than the stream keeps): its agent regenerates
/// every path changed since the build before its /healthz turns 200, so the pod serves the new
/// pages before it is ready; the pods that ran no agent still serve the old ones.
fn a_late_pod_serves_every_change_since_its_build_before_it_is_ready(version: Version) {
    let build = next::prepare(version);
    let redis = server::RedisServer::start();
    // Trim the stream exactly at its cap, so it really forgets.
    let _: () = ::redis::cmd("CONFIG")
        .arg("SET")
        .arg("stream-node-max-entries")
        .arg(1)
        .query(&mut redis.client())
        .unwrap();
    let fleet = NextFleet::start(version, &build);
    let describe = fleet.describe();
    let slugs = ["a", "b", "c", "d", "e"];
    let mut paths = Vec::new();
    for s in slugs {
        fleet.set_title(s, &format!("Post {s}, changed before the pod started"));
        paths.push(format!("/posts/{s}"));
        paths.push(format!("/app-posts/{s}"));
    }
    let mut publish = args(&["publish", "--redis-url", &redis.url()]);
    publish.extend(paths.iter().map(OsString::from));
    publish.extend(args(&[
        "--stream",
        "--stream-maxlen",
        "3",
        "--expect-subscribers",
        "0",
    ]));
    let (exit, doc) = revalidate(&publish);
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    let len: usize = ::redis::cmd("XLEN")
        .arg("revalidate:stream")
        .query(&mut redis.client())
        .unwrap();
    assert!(
        len < paths.len(),
        "{describe}: the stream forgot (XLEN {len})"
    );

    let late = fleet.start_late_pod(&build, "pod-4");
    let health = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("agent.ndjson");
    let mut agents = Agents(Vec::new());
    agents.0.push(
        Command::new(env!("CARGO_BIN_EXE_revalidate"))
            .env("CI", "1")
            .args(["agent", "--redis-url", &redis.url(), "--pod-name", "pod-4"])
            .args(["--target", &late.url(), "--health-addr", &health])
            .args(["-o", "ndjson"])
            .arg("--preview-id-file")
            .arg(late.next_dir().join("prerender-manifest.json"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&events).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .expect("the agent starts"),
    );
    // Ready only once caught up; then at once every page is the new one on the late pod.
    assert!(
        server::poll(60, || crate::fleet::get(
            &format!("http://{health}"),
            "/healthz"
        )
        .is_ok_and(|v| v.status == 200)),
        "{describe}: the late pod's agent never became ready"
    );
    for (i, p) in paths.iter().enumerate() {
        let slug = slugs[i / 2];
        let page = crate::fleet::fetch(&late.url(), p, &[]).unwrap();
        assert!(
            page.body
                .contains(&format!("Post {slug}, changed before the pod started")),
            "{describe}: {p} on the late pod, once its agent is ready:\n{}",
            page.body
        );
    }
    // A pod that ran no agent still serves its build's page: the catch-up did it.
    let old = crate::fleet::fetch(&fleet.pods()[0].url, "/posts/a", &[]).unwrap();
    assert!(
        old.body.contains("Post A (initial)"),
        "{describe}: {}",
        old.body
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ready_at = lines
        .iter()
        .position(|l| l["kind"] == "ready" && l["ready"] == true)
        .expect("a ready event");
    let caught_up: Vec<&str> = lines[..ready_at]
        .iter()
        .filter(|l| l["kind"] == "handled" && l["source"] == "record")
        .map(|l| {
            assert_eq!(l["outcome"], "revalidated", "{describe}: {l}");
            l["path"].as_str().unwrap()
        })
        .collect();
    assert_eq!(caught_up.len(), paths.len(), "{describe}: {caught_up:?}");
}

#[test]
fn next13_a_late_pod_serves_every_change_since_its_build_before_it_is_ready() {
    a_late_pod_serves_every_change_since_its_build_before_it_is_ready(Version::Next13);
}

#[test]
fn next16_a_late_pod_serves_every_change_since_its_build_before_it_is_ready() {
    a_late_pod_serves_every_change_since_its_build_before_it_is_ready(Version::Next16);
}

#[test]
fn next13_publish_and_agents_reach_real_pods() {
    publish_and_agents_reach_real_pods(Version::Next13);
}

#[test]
fn next16_publish_and_agents_reach_real_pods() {
    publish_and_agents_reach_real_pods(Version::Next16);
}
