//! Cache tags (`--tag`, `--tags-file`): fanout through the app's tag route on every pod (the
//! simulated App Router pages read their post tagged `posts` and `post:<slug>`), in endpoint
//! mode and beside nextjs mode's header; nextjs mode without a tag route refused; bad tags
//! refused with nothing sent; the report naming tags in every output; secrets never shown.

use revalidate::fanout::{Outcome, Report};
use revalidate_sim::{Flavor, FleetOptions};

use crate::common::{
    TestFleet, cells, code, envelope, events, fanout_dry_run_of, row_paths, stderr, stdout,
};
use crate::fanout::{fanout, fanout_bare, fanout_json};

const TAG_ROUTE: &str = "/api/revalidate-tag?tag={tag}";
const SECRET_HEADER: &str = "x-revalidate-secret: ${REVALIDATE_SECRET}";

fn fleet(flavor: Flavor) -> TestFleet {
    TestFleet::start(FleetOptions {
        pods: 3,
        flavor,
        ..FleetOptions::default()
    })
}

/// fanout in endpoint mode with the tag route, the secret in the environment.
fn tag_fanout(tf: &TestFleet) -> assert_cmd::Command {
    let mut c = fanout_bare(tf);
    c.env("REVALIDATE_SECRET", tf.fleet().secret()).args([
        "--mode",
        "endpoint",
        "--endpoint",
        TAG_ROUTE,
        "--header",
        SECRET_HEADER,
        "--expect-json",
        "revalidated=true",
    ]);
    c
}

fn requests(tf: &TestFleet) -> u64 {
    tf.pods().iter().map(|p| p.counters().requests).sum()
}

#[test]
fn a_tag_regenerates_the_pages_that_read_it_on_every_pod_and_no_other() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let tf = fleet(flavor);
        for pod in 0..3 {
            tf.served_title(pod, "/app-posts/a");
            tf.served_title(pod, "/app-posts/b");
        }
        tf.fleet().cms().set_title("a", "Post A (tagged)");
        tf.fleet().cms().set_title("b", "Post B (tagged)");
        let (out, r) = fanout_json({
            let mut c = tag_fanout(&tf);
            c.args(["--tag", "post:a"]);
            c
        });
        assert_eq!(code(&out), 0, "{flavor}: {}", stderr(&out));
        assert_eq!(row_paths(&r), ["tag:post:a"]);
        assert_eq!(r.rows[0].tag.as_deref(), Some("post:a"));
        assert_eq!(r.rows[0].path, None);
        for (subject, _, outcome) in cells(&r) {
            assert_eq!(
                (subject.as_str(), outcome),
                ("tag:post:a", Outcome::Revalidated)
            );
        }
        for pod in 0..3 {
            assert_eq!(
                tf.served_title(pod, "/app-posts/a"),
                "Post A (tagged)",
                "{flavor}"
            );
            // Post B reads its data with another tag: still the page it had.
            assert_eq!(
                tf.served_title(pod, "/app-posts/b"),
                "Post B (initial)",
                "{flavor}"
            );
        }
        // `posts` tags every post page.
        let (out, _) = fanout_json({
            let mut c = tag_fanout(&tf);
            c.args(["--tag", "posts"]);
            c
        });
        assert_eq!(code(&out), 0);
        for pod in 0..3 {
            assert_eq!(tf.served_title(pod, "/app-posts/b"), "Post B (tagged)");
        }
    }
}

#[test]
fn paths_and_tags_in_one_run_each_through_its_own_way() {
    let tf = TestFleet::three();
    for pod in 0..3 {
        tf.served_title(pod, "/app-posts/c");
    }
    tf.fleet().cms().set_title("a", "Post A v2");
    tf.fleet().cms().set_title("c", "Post C v2");
    // nextjs mode: the path by its header, the tag through --tag-endpoint.
    let (out, r) = fanout_json({
        let mut c = fanout(&tf);
        c.env("REVALIDATE_SECRET", tf.fleet().secret()).args([
            "/posts/a",
            "--tag",
            "post:c",
            "--tag-endpoint",
            TAG_ROUTE,
            "--header",
            SECRET_HEADER,
        ]);
        c
    });
    assert_eq!(code(&out), 0, "{}{:#?}", stderr(&out), r.cells);
    assert_eq!(row_paths(&r), ["/posts/a", "tag:post:c"]);
    assert_eq!(r.totals.cells, 6);
    for pod in 0..3 {
        assert_eq!(tf.served_title(pod, "/posts/a"), "Post A v2");
        assert_eq!(tf.served_title(pod, "/app-posts/c"), "Post C v2");
        let n = tf.pod(pod).counters();
        assert_eq!(n.revalidate_requests, 1, "the path by the header");
        assert_eq!(n.by_path.get("/api/revalidate-tag"), Some(&1));
    }
}

#[test]
fn one_route_for_both_gets_the_placeholder_not_in_use_empty() {
    let tf = TestFleet::three();
    let (out, env) = crate::common::run_json({
        let mut c = fanout_bare(&tf);
        c.env("REVALIDATE_SECRET", "s3cr3t-tag-value").args([
            "--dry-run",
            "--mode",
            "endpoint",
            "--endpoint",
            "/api/revalidate?path={path}&tag={tag}&secret=${REVALIDATE_SECRET}",
            "/posts/a",
            "--tag",
            "a&b c",
        ]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = fanout_dry_run_of(&env);
    assert_eq!(d.tags.len(), 1);
    assert_eq!(d.requests.len(), 6);
    let urls: Vec<&str> = d.requests.iter().map(|r| r.url.as_str()).collect();
    assert!(urls[0].contains("?path=/posts/a&tag=&secret="), "{urls:?}");
    assert!(urls[3].contains("?path=&tag=a%26b%20c&secret="), "{urls:?}");
    assert_eq!(d.requests[3].path, "tag:a&b c");
    let text = stdout(&out);
    assert!(!text.contains("s3cr3t-tag-value"), "{text}");
}

#[test]
fn only_tags_need_no_preview_id() {
    let tf = TestFleet::three();
    let (out, r) = fanout_json({
        let mut c = fanout_bare(&tf);
        c.env("REVALIDATE_SECRET", tf.fleet().secret())
            .args(["--tag", "posts", "--tag-endpoint", TAG_ROUTE])
            .args(["--header", SECRET_HEADER]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        (r.mode, r.method.as_str()),
        (revalidate::choices::Mode::Endpoint, "GET")
    );
    assert_eq!(r.totals.ok, 3);
}

#[test]
fn nextjs_mode_without_a_tag_route_is_a_usage_error_and_nothing_is_sent() {
    let tf = TestFleet::three();
    let out = fanout(&tf)
        .args(["/posts/a", "--tag", "posts"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("nextjs mode cannot revalidate a tag"), "{err}");
    assert!(err.contains("--tag-endpoint"), "{err}");
    assert!(err.contains("revalidateTag"), "{err}");
    // An endpoint without {tag} is refused too, naming the two ways.
    let out = fanout_bare(&tf)
        .args([
            "--mode",
            "endpoint",
            "--endpoint",
            "/api/revalidate?path={path}",
        ])
        .args(["--tag", "posts"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("has no {tag}"), "{err}");
    // A tag route without {tag} as well.
    let out = fanout(&tf)
        .args(["--tag", "posts", "--tag-endpoint", "/api/revalidate-tag"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--tag-endpoint \"/api/revalidate-tag\" has no {tag}"));
    assert_eq!(requests(&tf), 0, "nothing was sent");
}

#[test]
fn bad_tags_are_all_named_and_nothing_is_sent() {
    let tf = TestFleet::three();
    let file = tf.write("tags.txt", "# tags\nposts\n\n\tbad\n");
    let long = "x".repeat(257);
    let out = tag_fanout(&tf)
        .args(["--tag", "", "--tag", &long, "--tags-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("3 bad tags; nothing was sent"), "{err}");
    assert!(err.contains("--tag 1: \"\": a tag is not empty"), "{err}");
    assert!(
        err.contains("--tag 2:") && err.contains("NEXT_CACHE_TAG_MAX_LENGTH"),
        "{err}"
    );
    assert!(err.contains("tags.txt:4"), "{err}");
    assert_eq!(requests(&tf), 0);
}

#[test]
fn tags_files_and_stdin_are_read_and_every_output_names_the_tags() {
    let tf = TestFleet::three();
    let file = tf.write("tags.txt", "# the CMS's tags\nposts\n\npost:a\nposts\n");
    let junit = tf.write("junit.xml", "");
    let out = {
        let mut c = tag_fanout(&tf);
        c.arg("--tags-file").arg(&file).args(["--tags-file", "-"]);
        c.args(["--junit"]).arg(&junit).write_stdin("post:b\n");
        c.output().unwrap()
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("3 tags × 3 pods"), "{text}");
    assert!(text.contains("TAG"), "{text}");
    assert!(text.contains("post:b"), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("name=\"tag:post:a\""), "{xml}");

    let out = {
        let mut c = tag_fanout(&tf);
        c.args(["--tag", "posts", "-o", "ndjson"]);
        c.output().unwrap()
    };
    assert_eq!(code(&out), 0);
    let tagged = events(&out)
        .iter()
        .filter_map(|e| e.get::<revalidate::fanout::Cell>())
        .filter(|c| c.tag.as_deref() == Some("posts") && c.path.is_none())
        .count();
    assert_eq!(tagged, 3);

    let out = {
        let mut c = tag_fanout(&tf);
        c.args(["--tag", "posts", "-o", "json"]);
        c.output().unwrap()
    };
    let env = envelope(&out);
    let r: &Report = crate::common::fanout_of(&env);
    assert!(r.cells.iter().all(|c| c.tag.as_deref() == Some("posts")));
}

#[test]
fn tags_and_paths_cannot_both_come_from_stdin() {
    let tf = TestFleet::three();
    let out = tag_fanout(&tf)
        .args(["-", "--tags-file", "-"])
        .write_stdin("/posts/a\n")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot all come from stdin"));
}

// ---- run ----

/// `revalidate run` at every pod, paths by the header, tags through the tag route.
fn run_tagged(tf: &TestFleet, extra: &[&str]) -> assert_cmd::Command {
    let mut c = tf.cmd();
    c.arg("run")
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .env("REVALIDATE_SECRET", tf.fleet().secret())
        .args(["--tag-endpoint", TAG_ROUTE, "--header", SECRET_HEADER])
        .args(extra);
    c
}

fn run_report(out: &std::process::Output) -> revalidate::run::Report {
    match envelope(out).steps.last() {
        Some(crate::common::Step::Run(r)) => r.clone(),
        other => panic!("the last step is not the run's report: {other:?}"),
    }
}

#[test]
fn run_by_tag_proves_the_tagged_pages_on_every_pod_then_clears_and_proves_the_edge() {
    use revalidate::run::CdnAction;
    use revalidate::verify::Verdict;
    let tf = TestFleet::three();
    let balancer = tf.balancer();
    let edge = tf
        .block_on(revalidate_sim::Edge::start(
            balancer.addr(),
            revalidate_sim::EdgeOptions::default(),
        ))
        .expect("edge");
    let at_edge = |path: &str| {
        let url = format!("{}{path}", edge.url());
        tf.block_on(async { reqwest::get(&url).await?.text().await })
            .expect("edge answers")
    };
    assert!(at_edge("/app-posts/a").contains("Post A (initial)"));
    tf.fleet().cms().set_title("a", "Post A (by tag)");
    let pages = tf.write("pages.txt", "/app-posts/a\n");
    let purge = format!("edge={}", edge.url());
    let out = run_tagged(&tf, &["--tag", "post:a", "-o", "json"])
        .arg("--verify-paths")
        .arg(&pages)
        .args(["--purge-url", &purge, "--edge", &edge.url()])
        .output()
        .unwrap();
    let r = run_report(&out);
    assert_eq!(code(&out), 0, "{}{r:#?}", stderr(&out));
    assert_eq!(r.tags.len(), 1);
    assert_eq!(
        (r.tags[0].tag.as_str(), r.tags[0].revalidated),
        ("post:a", Some((3, 3)))
    );
    let a = &r.paths[0];
    assert_eq!(a.path, "/app-posts/a");
    assert_eq!(a.revalidated, None, "not revalidated by path");
    assert_eq!(a.pods, Some(Verdict::Fresh));
    assert_eq!(a.cdn, CdnAction::Cleared);
    assert_eq!(a.edge, Some(Verdict::Fresh));
    assert!(at_edge("/app-posts/a").contains("Post A (by tag)"));
    for pod in 0..3 {
        let n = tf.pod(pod).counters();
        assert_eq!(
            n.revalidate_requests, 0,
            "no path was revalidated by its header"
        );
        assert_eq!(n.by_path.get("/api/revalidate-tag"), Some(&1));
    }
}

#[test]
fn run_by_a_tag_that_misses_the_page_never_says_fresh_and_leaves_the_cdn_alone() {
    use revalidate::run::CdnAction;
    use revalidate::verify::Verdict;
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A (changed)");
    let pages = tf.write("pages.txt", "/app-posts/a\n");
    let purge = "edge=http://127.0.0.1:9";
    let out = run_tagged(&tf, &["--tag", "post:b", "-o", "json", "--wait", "1s"])
        .arg("--verify-paths")
        .arg(&pages)
        .args(["--purge-url", purge])
        .output()
        .unwrap();
    let r = run_report(&out);
    let a = &r.paths[0];
    assert_ne!(a.verdict, Some(Verdict::Fresh), "{r:#?}");
    assert_eq!(a.cdn, CdnAction::LeftAlone);
    assert_eq!(r.totals.fresh, 0);
}

#[test]
fn run_by_tag_needs_pages_to_prove_and_a_tag_route() {
    let tf = TestFleet::three();
    let out = run_tagged(&tf, &["--tag", "posts"]).output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("run --tag needs the pages the tags regenerate"),
        "{err}"
    );
    let pages = tf.write("pages.txt", "/app-posts/a\n");
    let out = tf
        .cmd()
        .arg("run")
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .args(["--tag", "posts", "--verify-paths"])
        .arg(&pages)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nextjs mode cannot revalidate a tag"));
    let out = tf
        .cmd()
        .arg("run")
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .arg("--verify-paths")
        .arg(&pages)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--verify-paths names the pages cache tags regenerate"));
    assert_eq!(requests(&tf), 0, "nothing was sent");
}

#[test]
fn a_secret_in_the_tag_route_or_its_header_is_never_printed() {
    let tf = TestFleet::three();
    let secret = tf.fleet().secret().to_string();
    for output in ["human", "json", "ndjson"] {
        let out = fanout(&tf)
            .env("REVALIDATE_SECRET", &secret)
            .args([
                "-vv",
                "-o",
                output,
                "--tag",
                "posts",
                "--tag-endpoint",
                "/api/revalidate-tag?tag={tag}&key=${REVALIDATE_SECRET}",
                "--header",
                SECRET_HEADER,
            ])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(&secret), "{output}: {all}");
        assert!(!all.to_lowercase().contains(&secret.to_lowercase()));
    }
    // --dry-run shows the requests, the secret redacted in the URL and the header.
    let out = fanout(&tf)
        .env("REVALIDATE_SECRET", &secret)
        .args(["--dry-run", "--tag", "posts", "--tag-endpoint"])
        .arg("/api/revalidate-tag?tag={tag}&key=${REVALIDATE_SECRET}")
        .args(["--header", SECRET_HEADER])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("/api/revalidate-tag?tag=posts"), "{text}");
    assert!(!text.contains(&secret), "{text}");
    assert_eq!(requests(&tf), 9, "the three real runs: a call a pod each");
}

#[test]
fn in_nextjs_mode_the_endpoint_headers_go_to_the_tag_route_only() {
    let tf = TestFleet::three();
    let config = tf.write(
        "revalidate.toml",
        "[endpoint]\nheaders = [\"x-revalidate-secret: ${REVALIDATE_SECRET}\"]\n",
    );
    let (out, env) = crate::common::run_json({
        let mut c = fanout(&tf);
        c.env("REVALIDATE_SECRET", tf.fleet().secret())
            .arg("-c")
            .arg(&config)
            .args(["--dry-run", "/posts/a", "--tag", "post:a"])
            .args(["--tag-endpoint", TAG_ROUTE]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = fanout_dry_run_of(&env);
    let names = |i: usize| -> Vec<String> {
        d.requests[i]
            .headers
            .iter()
            .map(|(n, _)| n.to_lowercase())
            .collect()
    };
    assert!(
        !names(0).contains(&"x-revalidate-secret".to_string()),
        "{:?}",
        names(0)
    );
    assert!(names(0).contains(&"x-prerender-revalidate".to_string()));
    assert!(
        names(3).contains(&"x-revalidate-secret".to_string()),
        "{:?}",
        names(3)
    );
    assert!(!names(3).contains(&"x-prerender-revalidate".to_string()));
}
