//! Cache tags on real Next.js: `app/tagged/[slug]` reads its post through `unstable_cache`
//! tagged `posts` and `post:<slug>`, and `app/api/revalidate-tag` calls `revalidateTag` (with
//! the secret). A tag revalidated through fanout (every pod), through publish and the agents
//! (`--tag-endpoint`), and through `run` (the pages verified, the CDN cleared, the edge proven)
//! brings the new content on every pod and through Varnish, and leaves the pages of other tags
//! alone; the seed subscriber of `_app.js` never sees a tag.

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};

use crate::fleet::{self, Fleet};
use crate::next::{self, NextFleet, Version};
use crate::redis::server::{self, RedisServer};
use crate::report;
use crate::scenario::{self, EdgeFetch};

const ROUTE: &str = "/api/revalidate-tag?tag={tag}";
const HEADER: &str = "x-revalidate-secret: ${E2E_REVALIDATE_SECRET}";

/// The `<title>` a base URL serves for a path, read apart from the tool.
fn title(base: &str, path: &str) -> String {
    let r = fleet::fetch(base, path, &[]).expect("answers");
    let body = r.body;
    let start = body
        .find("<title>")
        .unwrap_or_else(|| panic!("{base}{path}: no title ({})", r.visit.status))
        + "<title>".len();
    body[start..start + body[start..].find("</title>").unwrap()].to_string()
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

fn pod_args(fleet: &NextFleet) -> Vec<OsString> {
    fleet
        .pods()
        .iter()
        .flat_map(|p| ["--pod".into(), format!("{}={}", p.name, p.url).into()])
        .collect()
}

fn os(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

fn tags_reach_every_real_pod(version: Version) {
    let build = next::prepare(version);
    let redis = RedisServer::start();
    let fleet = NextFleet::start_behind_edge(version, &build, &[("REDIS_URL", redis.url())]);
    let describe = fleet.describe();
    let work = tempfile::tempdir().expect("tempdir");
    let tool = |args: Vec<OsString>, what: &str| {
        scenario::revalidate(work.path(), args, Some(fleet.secret()), &fleet, what)
    };
    let edge = fleet.edge().to_owned();
    for p in fleet.pods() {
        assert_eq!(title(&p.url, "/tagged/a"), "Post A (initial)", "{describe}");
    }

    // Changed in the store: every pod still serves the page it rendered.
    fleet.set_title("a", "Post A, by tag");
    for p in fleet.pods() {
        assert_eq!(title(&p.url, "/tagged/a"), "Post A (initial)", "{describe}");
    }

    // fanout --tag: every pod's tag route; the pages of the tag change on every pod.
    let mut fanout = os(&[
        "fanout",
        "--mode",
        "endpoint",
        "--endpoint",
        ROUTE,
        "--header",
        HEADER,
        "--expect-json",
        "revalidated=true",
        "--tag",
        "post:a",
    ]);
    fanout.extend(pod_args(&fleet));
    let (exit, doc) = tool(fanout, "fanout --tag");
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    assert_eq!(doc["steps"][0]["totals"]["ok"], 3, "{describe}: {doc:#}");
    let mut verify = os(&[
        "verify",
        "/tagged/a",
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post A, by tag",
        "--wait",
        "30s",
    ]);
    verify.extend(pod_args(&fleet));
    let (exit, doc) = tool(verify, "verify after fanout --tag");
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    assert_eq!(report::verify_verdicts(&doc)[0].1, "fresh", "{describe}");
    for p in fleet.pods() {
        // Post B has its own tag: untouched.
        assert_eq!(title(&p.url, "/tagged/b"), "Post B (initial)", "{describe}");
    }

    // publish --tag -> the agents' tag route; the seed subscriber of _app.js never sees it.
    let mut agents = Agents(Vec::new());
    for p in fleet.pods() {
        let child = Command::new(env!("CARGO_BIN_EXE_revalidate"))
            .env("CI", "1")
            .env("E2E_REVALIDATE_SECRET", fleet.secret())
            .args(["agent", "--redis-url", &redis.url(), "--pod-name", &p.name])
            .args([
                "--target",
                &p.url,
                "--tag-endpoint",
                ROUTE,
                "--header",
                HEADER,
            ])
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
        server::poll(30, || redis.numsub("revalidate:tags") == 3),
        "{describe}: the agents did not subscribe to the tags"
    );
    fleet.set_title("b", "Post B, tag acknowledged");
    let mut publish = os(&["publish", "--tag", "post:b", "--wait-acks", "--redis-url"]);
    publish.push(redis.url().into());
    publish.extend(pod_args(&fleet));
    let (exit, doc) = tool(publish, "publish --tag");
    assert_eq!(exit, 0, "{describe}: {doc:#}");
    let m = &doc["steps"][0]["messages"][0];
    assert_eq!(m["tag"], "post:b", "{describe}: {doc:#}");
    assert_eq!(m["receivers"], 3, "only the agents receive tags: {doc:#}");
    assert_eq!(m["outcome"], "acknowledged", "{describe}: {doc:#}");
    for p in fleet.pods() {
        assert_eq!(
            title(&p.url, "/tagged/b"),
            "Post B, tag acknowledged",
            "{describe}: acknowledged means applied"
        );
    }

    // run --tag: the pages the tag regenerates proven on every pod, Varnish cleared of them
    // (and their variants), proven there.
    for what in [EdgeFetch::Page("/tagged/c"), EdgeFetch::Rsc("/tagged/c")] {
        let (target, headers) = what.request(&fleet.build_id());
        fleet::fetch(&edge, &target, &headers).expect("the edge answers");
    }
    assert_eq!(title(&edge, "/tagged/c"), "Post C (initial)");
    fleet.set_title("c", "Post C, run by tag");
    let pages = work.path().join("pages.txt");
    std::fs::write(&pages, "/tagged/c\n").unwrap();
    let mut run = os(&[
        "run",
        "--via",
        "direct",
        "--tag-endpoint",
        ROUTE,
        "--header",
        HEADER,
        "--tag",
        "posts",
        "--ignore-preset",
        "timestamps",
        "--preview-id-file",
    ]);
    run.push(fleet.manifest().into());
    run.push("--verify-paths".into());
    run.push(pages.into());
    run.extend(os(&[
        "--purge-url",
        &format!("varnish={edge}"),
        "--edge",
        &edge,
    ]));
    run.extend(pod_args(&fleet));
    let (exit, doc) = tool(run, "run --tag");
    let r = report::run_report(&doc);
    assert_eq!(exit, 0, "{describe}: {r:#?}");
    assert_eq!(r.tags[0].revalidated, Some((3, 3)), "{describe}: {r:#?}");
    let c = &r.paths[0];
    assert_eq!(
        c.verdict,
        Some(revalidate::verify::Verdict::Fresh),
        "{describe}: {r:#?}"
    );
    assert_eq!(c.cdn, revalidate::run::CdnAction::Cleared);
    assert_eq!(
        title(&edge, "/tagged/c"),
        "Post C, run by tag",
        "{describe}"
    );
    for p in fleet.pods() {
        assert_eq!(
            title(&p.url, "/tagged/c"),
            "Post C, run by tag",
            "{describe}"
        );
    }

    for c in &mut agents.0 {
        let pid = c.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = c.wait().expect("the agent exits");
        assert_eq!(status.code(), Some(0), "{describe}: an agent on SIGTERM");
    }
}

#[test]
fn next13_tags_reach_every_real_pod() {
    tags_reach_every_real_pod(Version::Next13);
}

#[test]
fn next16_tags_reach_every_real_pod() {
    tags_reach_every_real_pod(Version::Next16);
}
