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

#[test]
fn next13_publish_and_agents_reach_real_pods() {
    publish_and_agents_reach_real_pods(Version::Next13);
}

#[test]
fn next16_publish_and_agents_reach_real_pods() {
    publish_and_agents_reach_real_pods(Version::Next16);
}
