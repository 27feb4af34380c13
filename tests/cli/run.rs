//! `revalidate run` against the simulated fleet (and its balancer and caching edge): the whole
//! pipeline in one process. Fresh needs a change since the run's own snapshot (or a content
//! check) on every pod; a page regenerated without change is `unchanged`; the CDN is cleared only
//! of the paths proven fresh on every pod; the edge is proven after it.

use std::process::Output;

use revalidate::run::{CdnAction, PathResult, Report};
use revalidate::verify::Verdict;
use revalidate_sim::{Edge, EdgeOptions, Fault};

use crate::common::{Doc, Step, TestFleet, code, envelope, stderr, stdout};

/// `revalidate run PATHS --pod …(every pod) --preview-id-file … EXTRA…`.
fn run(tf: &TestFleet, paths: &[&str], extra: &[&str]) -> Output {
    tf.cmd()
        .arg("run")
        .args(paths)
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .args(extra)
        .output()
        .expect("runs")
}

/// Runs with `-o json`: (exit code, document), the document schema-checked and read back.
fn run_json(tf: &TestFleet, paths: &[&str], extra: &[&str]) -> (i32, Doc) {
    let out = run(tf, paths, &[&["-o", "json"], extra].concat());
    (code(&out), envelope(&out))
}

/// The kinds of the document's steps, in order.
fn kinds(doc: &Doc) -> Vec<&'static str> {
    doc.steps
        .iter()
        .map(|s| match s {
            Step::Discover(_) => "discover",
            Step::Snapshot(_) => "snapshot",
            Step::Fanout(_) => "fanout",
            Step::Publish(_) => "publish",
            Step::Verify(r) if r.through.is_some() => "verify-edge",
            Step::Verify(_) => "verify",
            Step::CdnPurge(_) => "cdn-purge",
            Step::CdnInvalidate(_) => "cdn-invalidate",
            Step::FanoutDryRun(_) => "fanout-dry-run",
            Step::VerifyDryRun(_) => "verify-dry-run",
            Step::Run(_) => "run",
            other => panic!("a step run does not take: {other:?}"),
        })
        .collect()
}

/// The run's own report: the document's last step.
fn report(doc: &Doc) -> &Report {
    match doc.steps.last() {
        Some(Step::Run(r)) => r,
        other => panic!("the last step is not the run's report: {other:?}"),
    }
}

fn path<'a>(r: &'a Report, p: &str) -> &'a PathResult {
    r.paths
        .iter()
        .find(|x| x.path == p)
        .unwrap_or_else(|| panic!("{p} not in the run's report"))
}

/// A fleet with a balancer and a caching edge in front, the edge holding `path` as it was.
struct Site {
    tf: TestFleet,
    _balancer: revalidate_sim::Balancer,
    edge: Edge,
}

impl Site {
    fn start() -> Site {
        let tf = TestFleet::three();
        let balancer = tf.balancer();
        let edge = tf
            .block_on(Edge::start(balancer.addr(), EdgeOptions::default()))
            .expect("edge");
        Site {
            tf,
            _balancer: balancer,
            edge,
        }
    }

    /// What the edge serves of `path` now.
    fn get(&self, path: &str) -> String {
        let url = format!("{}{path}", self.edge.url());
        self.tf
            .block_on(async { reqwest::get(&url).await?.text().await })
            .expect("edge answers")
    }

    fn purge_url(&self) -> String {
        format!("edge={}", self.edge.url())
    }
}

#[test]
fn a_changed_page_is_revalidated_everywhere_and_proven_fresh_by_its_change() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    let (c, doc) = run_json(&tf, &["/posts/a"], &[]);
    assert_eq!(kinds(&doc), ["snapshot", "fanout", "verify", "run"]);
    let r = report(&doc);
    assert_eq!(c, 0, "{r:#?}");
    assert_eq!(
        path(r, "/posts/a"),
        &PathResult {
            path: "/posts/a".into(),
            revalidated: Some((3, 3)),
            gone: false,
            pods: Some(Verdict::Fresh),
            cdn: CdnAction::NotRun,
            edge: None,
            verdict: Some(Verdict::Fresh),
            reason: None,
        }
    );
    // The evidence is the change since the snapshot, on every pod.
    let Some(Step::Verify(v)) = doc.steps.get(2) else {
        panic!("no verify step")
    };
    let changes = v.verdicts[0]
        .changes
        .as_ref()
        .expect("judged against the snapshot");
    assert_eq!(changes.changed, 3);
    for i in 0..3 {
        assert_eq!(
            tf.pod(i).cached_title("/posts/a").as_deref(),
            Some("Post A v2")
        );
    }
    // Nothing configured for the CDN or the edge: said, not failed.
    let notes: Vec<(&str, bool)> = r.steps.iter().map(|s| (s.step.name(), s.ran)).collect();
    assert_eq!(
        notes,
        [
            ("revalidate", true),
            ("verify", true),
            ("cdn", false),
            ("edge", false)
        ]
    );
    assert!(
        r.steps[2]
            .note
            .as_deref()
            .unwrap()
            .contains("no CDN configured")
    );
}

#[test]
fn a_page_regenerated_without_change_is_unchanged_a_warning_or_a_failure_when_a_change_is_expected()
{
    let tf = TestFleet::three();
    let out = run(&tf, &["/posts/b"], &[]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("warning: 1 page was regenerated with the content it had before"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("unchanged"), "{}", stdout(&out));

    let (c, doc) = run_json(&tf, &["/posts/b"], &["--expect-changed"]);
    assert_eq!(c, 4);
    let r = report(&doc);
    assert_eq!(path(r, "/posts/b").verdict, Some(Verdict::Unchanged));
    assert_eq!(r.totals.unchanged, 1);
    // Unchanged settles at once when the pods were told directly: no 30 s of waiting.
    assert!(doc.duration_ms < 10_000.0, "{} ms", doc.duration_ms);
}

#[test]
fn a_content_check_proves_a_page_that_was_already_new() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("c", "Post C v2");
    let (c, _) = run_json(&tf, &["/posts/c"], &[]);
    assert_eq!(c, 0);
    // Run again: nothing changes, but the check proves the new content is there.
    let (c, doc) = run_json(&tf, &["/posts/c"], &["--expect-contains", "Post C v2"]);
    assert_eq!(c, 0);
    assert_eq!(path(report(&doc), "/posts/c").verdict, Some(Verdict::Fresh));
    // The check failing is stale, whatever changed.
    let (c, doc) = run_json(&tf, &["/posts/c"], &["--expect-contains", "Post C v3"]);
    assert_eq!(c, 4);
    assert_eq!(path(report(&doc), "/posts/c").verdict, Some(Verdict::Stale));
}

#[test]
fn the_cdn_is_left_alone_while_a_pod_is_stale_and_cleared_and_proven_once_all_are_fresh() {
    let s = Site::start();
    assert!(s.get("/posts/a").contains("Post A (initial)"));
    s.tf.fleet().cms().set_title("a", "Post A v2");
    s.tf.block_on(s.tf.pod(2).set_fault(Fault::IgnoreRevalidate));
    let edge = s.edge.url();
    let purge = s.purge_url();
    let args = [
        "--purge-url",
        purge.as_str(),
        "--edge",
        edge.as_str(),
        "--wait",
        "1s",
    ];

    let (c, doc) = run_json(&s.tf, &["/posts/a"], &args);
    assert_eq!(c, 4);
    assert_eq!(kinds(&doc), ["snapshot", "fanout", "verify", "run"]);
    let r = report(&doc);
    let a = path(r, "/posts/a");
    assert_eq!(a.revalidated, Some((2, 3)));
    assert_eq!(a.pods, Some(Verdict::Stale));
    assert_eq!(a.cdn, CdnAction::LeftAlone);
    let why = r.cdn_left_alone.as_deref().expect("the report says why");
    assert!(why.contains("cache their stale copies again"), "{why}");
    assert_eq!(s.edge.cache().counters().purges, 0, "nothing was purged");
    assert!(s.get("/posts/a").contains("Post A (initial)"));

    // The pod heals. Run again: two pods already served the new page before this run, so no
    // change proves it (a change is content no pod served before): unchanged, and the CDN is
    // still left alone.
    s.tf.block_on(s.tf.pod(2).clear_faults());
    let (c, doc) = run_json(&s.tf, &["/posts/a"], &args);
    assert_eq!(c, 0, "unchanged is a warning");
    let r = report(&doc);
    assert_eq!(path(r, "/posts/a").verdict, Some(Verdict::Unchanged));
    assert_eq!(path(r, "/posts/a").cdn, CdnAction::LeftAlone);
    assert!(
        r.cdn_left_alone
            .as_deref()
            .unwrap()
            .contains("an unchanged page is proven by a content check")
    );
    // A content check proves it: every pod, then the edge once cleared.
    let check = [&args[..], &["--expect-contains", "Post A v2"]].concat();
    let (c, doc) = run_json(&s.tf, &["/posts/a"], &check);
    let r = report(&doc);
    assert_eq!(c, 0, "{r:#?}");
    assert_eq!(
        kinds(&doc),
        [
            "snapshot",
            "fanout",
            "verify",
            "cdn-purge",
            "verify-edge",
            "run"
        ]
    );
    let a = path(r, "/posts/a");
    assert_eq!(a.pods, Some(Verdict::Fresh));
    assert_eq!(a.cdn, CdnAction::Cleared);
    assert_eq!(a.edge, Some(Verdict::Fresh));
    assert!(s.get("/posts/a").contains("Post A v2"));
}

#[test]
fn force_cdn_clears_the_cdn_of_a_path_not_proven_fresh() {
    let s = Site::start();
    s.get("/posts/a");
    s.tf.fleet().cms().set_title("a", "Post A v2");
    s.tf.block_on(s.tf.pod(2).set_fault(Fault::IgnoreRevalidate));
    let purge = s.purge_url();
    let (c, doc) = run_json(
        &s.tf,
        &["/posts/a"],
        &["--purge-url", &purge, "--force-cdn", "--wait", "0s"],
    );
    assert_eq!(c, 4, "the pods are still not fresh");
    let r = report(&doc);
    assert_eq!(path(r, "/posts/a").cdn, CdnAction::Cleared);
    assert!(s.edge.cache().counters().purges > 0);
}

#[test]
fn via_auto_falls_back_to_direct_revalidation_when_redis_is_unreachable() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    let closed = crate::redis::server::free_port();
    let url = format!("redis://127.0.0.1:{closed}");
    let (c, doc) = run_json(
        &tf,
        &["/posts/a"],
        &["--redis-url", &url, "--redis-timeout", "500ms"],
    );
    assert_eq!(c, 0);
    assert_eq!(kinds(&doc), ["snapshot", "fanout", "verify", "run"]);
    let r = report(&doc);
    let f = r.fallback.as_ref().expect("a fallback entry");
    assert_eq!(
        (f.from.name(), f.to.name(), f.paths),
        ("redis", "direct", 1)
    );
    assert!(f.reason.contains("Redis cannot be used"), "{}", f.reason);
    assert_eq!(path(r, "/posts/a").verdict, Some(Verdict::Fresh));

    // Named explicitly, Redis failing is the run's failure (exit 5), said in its report.
    let (c, doc) = run_json(
        &tf,
        &["/posts/a"],
        &[
            "--redis-url",
            &url,
            "--redis-timeout",
            "500ms",
            "--via",
            "redis",
        ],
    );
    assert_eq!(c, 5);
    assert!(report(&doc).error.is_some());
}

#[test]
fn bad_settings_are_refused_before_anything_is_sent() {
    let tf = TestFleet::three();
    for (args, says) in [
        (&["--steps", "revalidate,cdn"][..], "no CDN is configured"),
        (
            &[
                "--steps",
                "revalidate,cdn",
                "--purge-url",
                "http://127.0.0.1:9",
            ][..],
            "cdn without verify",
        ),
        (&["--steps", "edge"][..], "add --edge URL"),
        (&["--steps", ""][..], "--steps"),
        (&["--via", "carrier-pigeon"][..], "carrier-pigeon"),
        (&["--edge", "ftp://example.com"][..], "--edge"),
    ] {
        let out = run(&tf, &["/posts/a"], args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    for p in tf.pods() {
        assert_eq!(p.counters().requests, 0, "nothing sent to {}", p.name());
    }
}

#[test]
fn a_dry_run_prints_the_requests_and_sends_nothing() {
    let tf = TestFleet::three();
    let (c, doc) = run_json(&tf, &["/posts/a"], &["--dry-run"]);
    assert_eq!(c, 0);
    assert_eq!(kinds(&doc), ["fanout-dry-run", "verify-dry-run"]);
    for p in tf.pods() {
        assert_eq!(p.counters().requests, 0);
    }
}

#[test]
fn people_see_a_line_a_step_and_one_table() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    let out = run(&tf, &["/posts/a", "/posts/b"], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "revalidate run: snapshot: 2 paths × 3 pods",
        "revalidate fanout: 2 paths × 3 pods",
        "revalidate verify:",
        "PATH",
        "REVALIDATED",
        "/posts/a  3/3",
        "1 fresh, 1 unchanged of 2 paths",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // One table: the steps' own tables only with -v.
    assert_eq!(text.matches("PATH").count(), 1, "{text}");
    let verbose = run(&tf, &["/posts/a"], &["-v"]);
    assert!(stdout(&verbose).matches("PATH").count() > 1);
}

/// A GET of `path` from pod `i`: its status and `x-nextjs-cache`.
fn visit_pod(tf: &TestFleet, i: usize, path: &str) -> (u16, Option<String>) {
    let url = format!("{}{path}", tf.pod(i).url());
    tf.block_on(async {
        let r = reqwest::get(&url).await.expect("the pod answers");
        let cache = r
            .headers()
            .get("x-nextjs-cache")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (r.status().as_u16(), cache)
    })
}

#[test]
fn a_page_generated_on_one_pod_before_the_run_is_proven_by_its_change_on_every_pod() {
    let tf = TestFleet::three();
    // A visitor generated /posts/d on pod-1 only; then the content changes.
    assert_eq!(visit_pod(&tf, 0, "/posts/d"), (200, Some("MISS".into())));
    tf.fleet().cms().set_title("d", "Post D v2");
    let (c, doc) = run_json(&tf, &["/posts/d"], &[]);
    let r = report(&doc);
    assert_eq!(c, 0, "{r:#?}");
    // The snapshot generated it on the other pods, from the new content: not content of before.
    let Some(Step::Snapshot(s)) = doc.steps.first() else {
        panic!("no snapshot step")
    };
    assert_eq!(s.first_generated, 2);
    let d = path(r, "/posts/d");
    assert_eq!(d.verdict, Some(Verdict::Fresh), "{d:#?}");
    assert_eq!(d.revalidated, Some((3, 3)));
    for i in 0..3 {
        assert_eq!(
            tf.pod(i).cached_title("/posts/d").as_deref(),
            Some("Post D v2")
        );
    }
}

#[test]
fn a_page_no_pod_generated_is_unchanged_and_the_run_says_why() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("e", "Post E v2");
    let (c, doc) = run_json(&tf, &["/posts/e"], &["--only-generated"]);
    let r = report(&doc);
    assert_eq!(c, 0, "unchanged is no failure: {r:#?}");
    let Some(Step::Snapshot(s)) = doc.steps.first() else {
        panic!("no snapshot step")
    };
    assert_eq!(s.first_generated, 3);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("--only-generated does not skip them")),
        "{:?}",
        s.warnings
    );
    let e = path(r, "/posts/e");
    assert_eq!(e.verdict, Some(Verdict::Unchanged));
    assert!(
        e.reason
            .as_deref()
            .is_some_and(|why| why.starts_with("no pod had generated this page before the run")),
        "{e:#?}"
    );
}

#[test]
fn ndjson_streams_each_step_then_a_result_a_path() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    let out = run(&tf, &["/posts/a", "/posts/b"], &["-o", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evs = crate::common::events(&out);
    let steps: Vec<&str> = evs
        .iter()
        .filter(|e| e.is::<revalidate::report::events::StepEnd>())
        .filter_map(|e| e.step.as_deref())
        .collect();
    assert_eq!(steps, ["snapshot", "fanout", "verify", "run"]);
    // A path's result (`path`): run's own type, its event named here (run does not name it).
    let results: Vec<revalidate::run::PathResult> = evs
        .iter()
        .filter(|e| e.event == "path")
        .map(|e| e.read().unwrap())
        .collect();
    let results: Vec<(&str, Option<Verdict>)> = results
        .iter()
        .map(|r| (r.path.as_str(), r.verdict))
        .collect();
    assert_eq!(
        results,
        [
            ("/posts/a", Some(Verdict::Fresh)),
            ("/posts/b", Some(Verdict::Unchanged))
        ]
    );
}

#[test]
fn many_paths_stale_the_same_way_are_one_row_and_one_reason_and_every_path_with_v() {
    let tf = TestFleet::start(revalidate_sim::FleetOptions {
        extra_slugs: 30,
        ..revalidate_sim::FleetOptions::default()
    });
    let slugs: Vec<String> = (1..=30).map(|i| format!("p{i}")).collect();
    for s in &slugs {
        tf.fleet().cms().set_title(s, &format!("Post {s} v2"));
    }
    tf.block_on(tf.pod(2).set_fault(Fault::IgnoreRevalidate));
    let paths: Vec<String> = slugs.iter().map(|s| format!("/posts/{s}")).collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let out = run(&tf, &paths, &["--wait", "1s"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let text = stdout(&out);
    // The table folds its 30 rows alike into one; the reason is said once, naming 5 paths.
    let folded: Vec<&str> = text.lines().filter(|l| l.contains("and 25 more")).collect();
    assert_eq!(folded.len(), 2, "{text}");
    assert!(text.lines().count() < 20, "{text}");
    let verbose = stdout(&run(&tf, &paths, &["--wait", "1s", "-v"]));
    assert!(!verbose.contains("more"), "{verbose}");
    for p in &paths {
        let row = verbose.lines().filter(|l| l.starts_with(&format!("{p} ")));
        assert_eq!(
            row.count(),
            3,
            "{p}: fanout's, verify's and the run's tables"
        );
    }
}

#[test]
fn a_deleted_page_fails_the_run_without_allow_gone_and_with_it_is_proven_by_its_404_and_cleared() {
    let s = Site::start();
    assert!(s.get("/posts/c").contains("Post C (initial)"));
    s.tf.fleet().cms().delete("c");
    let edge = s.edge.url();
    let purge = s.purge_url();
    let args = ["--purge-url", purge.as_str(), "--edge", edge.as_str()];

    let (c, doc) = run_json(&s.tf, &["/posts/c", "/posts/a"], &args);
    assert_eq!(c, 3, "gone is a failure without --allow-gone");
    assert_eq!(kinds(&doc), ["snapshot", "fanout", "verify", "run"]);
    let r = report(&doc);
    let gone = path(r, "/posts/c");
    assert_eq!(
        (
            gone.gone,
            gone.revalidated,
            gone.pods,
            gone.cdn,
            gone.verdict
        ),
        (true, Some((0, 3)), None, CdnAction::LeftAlone, None),
        "{gone:#?}"
    );
    assert!(gone.reason.as_deref().unwrap().contains("--allow-gone"));
    assert!(
        r.cdn_left_alone
            .as_deref()
            .unwrap()
            .contains("1 path gone on every pod (/posts/c): a deleted page is cleared from the CDN only with --allow-gone"),
        "{r:#?}"
    );
    // The other path was verified (unchanged), the deleted one not at all.
    let Some(Step::Verify(v)) = doc.steps.get(2) else {
        panic!("no verify step")
    };
    let verified: Vec<&str> = v.verdicts.iter().map(|x| x.path.as_str()).collect();
    assert_eq!(verified, ["/posts/a"]);
    assert_eq!(s.edge.cache().counters().purges, 0);
    assert!(s.get("/posts/c").contains("Post C (initial)"));
    let human = run(&s.tf, &["/posts/c"], &args);
    assert!(stdout(&human).contains("gone"), "{}", stdout(&human));

    let allow = [&args[..], &["--allow-gone"]].concat();
    let (c, doc) = run_json(&s.tf, &["/posts/c"], &allow);
    let r = report(&doc);
    assert_eq!(c, 0, "{r:#?}");
    assert_eq!(
        kinds(&doc),
        [
            "snapshot",
            "fanout",
            "verify",
            "cdn-purge",
            "verify-edge",
            "run"
        ]
    );
    assert_eq!(
        path(r, "/posts/c"),
        &PathResult {
            path: "/posts/c".into(),
            revalidated: Some((3, 3)),
            gone: true,
            pods: Some(Verdict::Fresh),
            cdn: CdnAction::Cleared,
            edge: Some(Verdict::Fresh),
            verdict: Some(Verdict::Fresh),
            reason: None,
        }
    );
    assert_eq!(r.totals.gone, 1);
    // Proven by the 404, on every pod.
    let Some(Step::Verify(v)) = doc.steps.get(2) else {
        panic!("no verify step")
    };
    assert!(v.verdicts[0].evidence.contains(&"status 404".to_string()));
    let url = format!("{}/posts/c", s.edge.url());
    let status =
        s.tf.block_on(async { reqwest::get(&url).await.map(|r| r.status().as_u16()) })
            .expect("edge answers");
    assert_eq!(status, 404, "the edge no longer serves the deleted page");
    let human = run(&s.tf, &["/posts/c"], &allow);
    assert!(
        stdout(&human).contains("0 fresh, 1 gone of 1 path · CDN cleared for 1"),
        "{}",
        stdout(&human)
    );
}
