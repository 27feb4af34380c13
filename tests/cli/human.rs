//! Human output, pinned: every table people read (fanout, verify in each verdict, through an
//! edge, since a baseline, dry runs, config, errors), rendered in memory by the real reporter
//! from real runs against the simulated fleet, with ports, durations, hashes and temporary paths
//! redacted (nextest's Redactor). A change of wording or layout shows up as a snapshot diff.

use std::io::Write;
use std::sync::{Arc, Mutex};

use revalidate::choices::OutputFormat;
use revalidate::config::{Config, Layer, value};
use revalidate::context::RunContext;
use revalidate::error::{Error, Service};
use revalidate::paths::{Purpose, UrlPath};
use revalidate::report::{Display, Reporter};
use revalidate::targets::{self, Target};
use revalidate::transport::Transport;
use revalidate::{fanout, verify};
use revalidate_sim::{Fault, FleetOptions};

use crate::common::TestFleet;

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buf {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn reporter(command: &str, out: &Buf) -> Reporter {
    let display = Display {
        color_stdout: false,
        color_stderr: false,
        progress: false,
    };
    Reporter::new(
        OutputFormat::Human,
        display,
        false,
        command,
        false,
        Box::new(out.clone()),
        Box::new(std::io::sink()),
    )
}

macro_rules! assert_human {
    ($name:expr, $text:expr) => {
        insta::with_settings!({filters => vec![
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
            (r"\b\d+(\.\d+)?(ms|s)\b", "[time]"),
            (r"\b[0-9a-f]{12}\b", "[hash]"),
            (r"/tmp/[^\s)]+", "[tmp]"),
        ]}, {
            insta::assert_snapshot!($name, $text);
        });
    };
}

/// A fleet whose build id and secrets are fixed, so only ports and times vary.
fn fleet() -> TestFleet {
    fleet_with_posts(0)
}

/// The same, with the posts `/posts/p1` to `/posts/p{n}` besides a to e.
fn fleet_with_posts(n: usize) -> TestFleet {
    TestFleet::start(FleetOptions {
        build_id: "SnapshotBuild1".into(),
        preview_id: "0123456789abcdef0123456789abcdef".into(),
        secret: "snapshot-secret-0123456789".into(),
        extra_slugs: n,
        ..FleetOptions::default()
    })
}

fn targets(tf: &TestFleet) -> Vec<Target> {
    tf.pods()
        .iter()
        .map(|p| targets::parse_spec(&format!("{}={}", p.name(), p.url())).unwrap())
        .collect()
}

fn paths(ps: &[&str]) -> Vec<UrlPath> {
    ps.iter()
        .map(|p| UrlPath::parse(p, Purpose::Pod).unwrap())
        .collect()
}

fn config(flags: Layer) -> Config {
    Config::load(None, None, flags, &|_| None).unwrap()
}

fn limits() -> revalidate::context::Limits {
    let mut l = config(Layer::default()).limits().unwrap();
    // Generous: no test here is about timeouts (a pod that is down refuses at once), and a
    // loaded machine must not turn a healthy pod into an unreachable one in a snapshot.
    l.timeout = std::time::Duration::from_secs(30);
    l.retries = 0;
    // One request at a time to each origin: the balancer's round robin then sees every
    // variant's samples in order, so the per-variant shares are the same on every run.
    l.per_pod_concurrency = 1;
    l
}

/// Runs verify with these flags and renders it for people.
fn verify_text(tf: &TestFleet, ps: &[&str], flags: Layer, through: Option<Target>) -> String {
    verify_text_v(tf, ps, flags, through, 0)
}

/// The same, with the global -v count `verbose`.
fn verify_text_v(
    tf: &TestFleet,
    ps: &[&str],
    flags: Layer,
    through: Option<Target>,
    verbose: u8,
) -> String {
    let settings = config(flags).verify().unwrap();
    let mut plan = verify::Plan::build(&settings, paths(ps), targets(tf)).unwrap();
    if let Some(t) = through {
        plan.through = Some(verify::Through {
            target: t,
            samples: 3,
            encodings: vec![
                revalidate::choices::Encoding::Identity,
                revalidate::choices::Encoding::Gzip,
                revalidate::choices::Encoding::Br,
            ],
        });
    }
    let out = Buf::default();
    tf.block_on(async {
        let ctx = RunContext::new(limits());
        let transport = Transport::new(&limits(), 4).unwrap();
        let mut r = reporter("verify", &out);
        r.verbose = verbose;
        verify::step(&ctx, &transport, &plan, &mut r).await;
        r.finish(None).unwrap();
    });
    out.text()
}

fn fanout_plan(tf: &TestFleet, ps: &[&str], flags: Layer) -> fanout::Plan {
    let mut flags = flags;
    if flags.mode.is_none() {
        flags.preview_id_file = Some(tf.manifest.clone());
    }
    let settings = config(flags).fanout().unwrap();
    fanout::Plan::build(&settings, paths(ps), Vec::new(), targets(tf)).unwrap()
}

fn fanout_text(tf: &TestFleet, plan: &fanout::Plan) -> String {
    fanout_text_v(tf, plan, 0)
}

/// The same, with the global -v count `verbose`.
fn fanout_text_v(tf: &TestFleet, plan: &fanout::Plan, verbose: u8) -> String {
    let out = Buf::default();
    tf.block_on(async {
        let ctx = RunContext::new(limits());
        let transport = Transport::new(&limits(), 3).unwrap();
        let mut r = reporter("fanout", &out);
        r.verbose = verbose;
        fanout::step(&ctx, &transport, plan, &mut r).await;
        r.finish(None).unwrap();
    });
    out.text()
}

fn contains(text: &str) -> Layer {
    Layer {
        verify_expect_contains: Some(text.into()),
        verify_ignore_presets: Some(vec![value::Choice(
            revalidate::choices::IgnorePreset::Timestamps,
        )]),
        ..Layer::default()
    }
}

#[test]
fn fanout_all_done() {
    let tf = fleet();
    let plan = fanout_plan(&tf, &["/posts/a", "/posts/b"], Layer::default());
    assert_human!("fanout_all_done", fanout_text(&tf, &plan));
}

#[test]
fn fanout_with_failures_and_hints() {
    let tf = fleet();
    tf.block_on(tf.pod(1).set_fault(Fault::Down));
    tf.block_on(tf.pod(2).set_fault(Fault::IgnoreRevalidate));
    let plan = fanout_plan(&tf, &["/posts/a", "/nope"], Layer::default());
    assert_human!("fanout_with_failures_and_hints", fanout_text(&tf, &plan));
}

#[test]
fn fanout_dry_runs_in_both_modes() {
    let tf = fleet();
    let plan = fanout_plan(&tf, &["/posts/a"], Layer::default());
    let transport = Transport::new(&limits(), 3).unwrap();
    let out = Buf::default();
    let mut r = reporter("fanout", &out);
    r.finish_step(&fanout::dry_run(&plan, &transport));
    r.finish(None).unwrap();
    // The variable is this thread's stand-in for the environment: set_var would race every
    // other thread of the test binary.
    let plan = revalidate::secret::with_env(
        &[("REVALIDATE_SNAPSHOT_SECRET", "snap-secret-value-42")],
        || {
            fanout_plan(
                &tf,
                &["/posts/a b"],
                Layer {
                    mode: Some(value::Choice(revalidate::choices::Mode::Endpoint)),
                    endpoint_template: Some(
                        "/api/revalidate?path={path}&token=literal-token-1".into(),
                    ),
                    endpoint_body: Some(r#"{"path":"{path}"}"#.into()),
                    headers: Some(vec![
                        "x-revalidate-secret: ${REVALIDATE_SNAPSHOT_SECRET}".into(),
                    ]),
                    ..Layer::default()
                },
            )
        },
    );
    r = reporter("fanout", &out);
    r.finish_step(&fanout::dry_run(&plan, &transport));
    r.finish(None).unwrap();
    let text = out.text();
    assert!(!text.contains("snap-secret-value-42"), "{text}");
    assert!(!text.contains("literal-token-1"), "{text}");
    assert_human!("fanout_dry_runs_in_both_modes", text);
}

#[test]
fn verify_fresh_with_a_check() {
    let tf = fleet();
    assert_human!(
        "verify_fresh_with_a_check",
        verify_text(&tf, &["/posts/a", "/posts/b"], contains("Post"), None)
    );
}

#[test]
fn verify_converged_without_a_check() {
    let tf = fleet();
    let flags = Layer {
        verify_ignore_presets: Some(vec![value::Choice(
            revalidate::choices::IgnorePreset::Timestamps,
        )]),
        ..Layer::default()
    };
    assert_human!(
        "verify_converged_without_a_check",
        verify_text(&tf, &["/posts/a"], flags, None)
    );
}

#[test]
fn verify_stale_pods_named_by_the_check() {
    let tf = fleet();
    tf.fleet().cms().set_title("a", "Post A v2");
    tf.block_on(async {
        let t = &targets(&tf)[0];
        let c = reqwest::Client::new();
        c.head(t.url_for("/posts/a"))
            .header("x-prerender-revalidate", tf.fleet().preview_id())
            .send()
            .await
            .unwrap();
    });
    assert_human!(
        "verify_stale_pods_named_by_the_check",
        verify_text(&tf, &["/posts/a"], contains("Post A v2"), None)
    );
}

#[test]
fn verify_unproven_across_builds_and_unreachable() {
    let tf = fleet();
    tf.pod(2)
        .set_build("SnapshotBuild2", "fedcba9876543210fedcba9876543210");
    let flags = Layer {
        verify_ignore_presets: Some(vec![value::Choice(
            revalidate::choices::IgnorePreset::Timestamps,
        )]),
        ..Layer::default()
    };
    let unproven = verify_text(&tf, &["/posts/a"], flags, None);
    tf.block_on(tf.pod(1).set_fault(Fault::Down));
    let unreachable = verify_text(&tf, &["/posts/a"], contains("Post"), None);
    assert_human!(
        "verify_unproven_across_builds_and_unreachable",
        format!("{unproven}\n----\n{unreachable}")
    );
}

#[test]
fn verify_through_a_balancer_per_variant() {
    let tf = fleet();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("a", "Post A v2");
    tf.block_on(async {
        let t = &targets(&tf)[0];
        reqwest::Client::new()
            .head(t.url_for("/posts/a"))
            .header("x-prerender-revalidate", tf.fleet().preview_id())
            .send()
            .await
            .unwrap();
    });
    let through = targets::parse_spec(&format!("lb={}", lb.url())).unwrap();
    assert_human!(
        "verify_through_a_balancer_per_variant",
        verify_text(&tf, &["/posts/a"], contains("Post A v2"), Some(through))
    );
}

#[test]
fn verify_dry_run() {
    let tf = fleet();
    let settings = config(contains("Post")).verify().unwrap();
    let plan = verify::Plan::build(&settings, paths(&["/posts/a"]), targets(&tf)).unwrap();
    let out = Buf::default();
    let mut r = reporter("verify", &out);
    let transport = Transport::new(&limits(), 3).unwrap();
    r.finish_step(&verify::dry_run(&plan, &transport));
    r.finish(None).unwrap();
    assert_human!("verify_dry_run", out.text());
}

#[test]
fn config_from_a_file_and_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("revalidate.toml");
    std::fs::write(
        &file,
        r#"
concurrency = 8
pods = ["web-0=http://user:pa55word@10.0.0.5:3000"]
[endpoint]
template = "/api/revalidate?path={path}&secret=abc123literal"
headers = ["x-revalidate-secret: ${REVALIDATE_SECRET}", "x-api-key: literal-key-value"]
[profiles.ci.verify]
expect_contains = "New"
wait = "30s"
"#,
    )
    .unwrap();
    let c = Config::load(Some(&file), Some("ci"), Layer::default(), &|_| None).unwrap();
    let text = revalidate::report::human::config(&c, &[]);
    assert!(!text.contains("pa55word") && !text.contains("abc123literal"));
    assert!(!text.contains("literal-key-value"));
    assert_human!("config_from_a_file_and_a_profile", text);
}

#[test]
fn errors_with_their_hints() {
    let errors = [
        Error::usage("--through without pods needs a content check"),
        Error::unavailable(
            Service::Redis,
            "cannot connect to 127.0.0.1:6379: connection refused",
            Some("is redis-server running at 127.0.0.1:6379?".into()),
        ),
        Error::from(revalidate::error::ConfigError(
            "concurrency = 0 (revalidate.toml): must be a whole number from 1 to 4096".into(),
        )),
        Error::from(
            revalidate::paths::validate(
                vec![(revalidate::paths::Origin::Argument(1), "/../x".into())],
                Purpose::Pod,
            )
            .unwrap_err(),
        ),
    ];
    let text: String = errors.iter().map(Error::render).collect();
    assert_human!("errors_with_their_hints", text);
}

/// `{prefix}{first}` to `{prefix}{last}`.
fn numbered(prefix: &str, range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i}")).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Has pod `pod` (0-based) regenerate each of `paths` now.
fn revalidate_on(tf: &TestFleet, pod: usize, paths: &[String]) {
    tf.block_on(async {
        let t = &targets(tf)[pod];
        let c = reqwest::Client::new();
        for p in paths {
            let r = c
                .head(t.url_for(p))
                .header("x-prerender-revalidate", tf.fleet().preview_id())
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["x-nextjs-cache"], "REVALIDATED", "{p}");
        }
    });
}

#[test]
fn verify_600_paths_that_all_answer_404_is_a_few_lines() {
    let tf = fleet();
    let missing = numbered("/missing/", 1..=600);
    let text = verify_text(&tf, &strs(&missing), contains("Post"), None);
    // One row of the verdict table, one block for the cause, the totals.
    assert!(text.lines().count() < 20, "{text}");
    assert!(
        text.contains("/missing/5 and 595 more are stale:"),
        "{text}"
    );
    assert!(!text.contains("/missing/6,"), "{text}");
    assert_human!("verify_600_paths_that_all_answer_404", text);
}

#[test]
fn verify_600_paths_that_all_answer_404_with_v_names_every_path() {
    let tf = fleet();
    let missing = numbered("/missing/", 1..=600);
    let text = verify_text_v(&tf, &strs(&missing), contains("Post"), None, 1);
    // Every path: a row each in the verdict table, and every one named by its cause.
    let rows: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once("  stale"))
        .map(|(p, _)| p.trim_end())
        .collect();
    assert_eq!(rows, strs(&missing));
    let named = text
        .lines()
        .find_map(|l| l.strip_suffix(" are stale:"))
        .unwrap();
    assert_eq!(named.split(", ").collect::<Vec<_>>(), strs(&missing));
    assert!(!text.contains("more"), "{text}");
    assert_human!("verify_600_paths_that_all_answer_404_with_v", text);
}

#[test]
fn verify_mixed_causes_across_many_paths() {
    let tf = fleet_with_posts(30);
    let check = contains("Edition 2");
    let posts = numbered("p", 1..=30);
    for slug in &posts {
        tf.fleet()
            .cms()
            .set_title(slug, &format!("Edition 2 of {slug}"));
    }
    let paths: Vec<String> = posts.iter().map(|s| format!("/posts/{s}")).collect();
    // p1 to p25: regenerated on pod-1 alone (pod-2 and pod-3 stale); p26 to p30 everywhere.
    revalidate_on(&tf, 0, &paths);
    for pod in [1, 2] {
        revalidate_on(&tf, pod, &paths[25..]);
    }
    let mut all = paths.clone();
    all.extend(numbered("/gone/", 1..=10));
    let text = verify_text(&tf, &strs(&all), check, None);
    assert!(text.lines().count() < 40, "{text}");
    assert_human!("verify_mixed_causes_across_many_paths", text);
}

#[test]
fn fanout_one_pod_down_across_many_paths() {
    let tf = fleet_with_posts(100);
    tf.block_on(tf.pod(1).set_fault(Fault::Down));
    let paths = numbered("/posts/p", 1..=100);
    let plan = fanout_plan(&tf, &strs(&paths), Layer::default());
    let text = fanout_text(&tf, &plan);
    // pod-2 is named once, for every path.
    assert_eq!(text.matches("pod-2").count(), 1, "{text}");
    assert!(text.lines().count() < 20, "{text}");
    assert_human!("fanout_one_pod_down_across_many_paths", text);
    let verbose = fanout_text_v(&tf, &plan, 1);
    for p in &paths {
        assert_eq!(verbose.matches(&format!("{p} ")).count(), 1, "{p}");
    }
    assert!(!verbose.contains("more"), "{verbose}");
}

#[test]
fn fanout_mixed_causes_across_many_paths() {
    let tf = fleet_with_posts(20);
    tf.block_on(tf.pod(1).set_fault(Fault::Down));
    tf.block_on(tf.pod(2).set_fault(Fault::IgnoreRevalidate));
    let mut paths = numbered("/posts/p", 1..=20);
    paths.extend(numbered("/gone/", 1..=8));
    let plan = fanout_plan(&tf, &strs(&paths), Layer::default());
    assert_human!(
        "fanout_mixed_causes_across_many_paths",
        fanout_text(&tf, &plan)
    );
}

#[test]
fn verify_one_pod_down_across_many_paths() {
    let tf = fleet_with_posts(30);
    tf.block_on(tf.pod(1).set_fault(Fault::Down));
    let paths = numbered("/posts/p", 1..=30);
    let text = verify_text(&tf, &strs(&paths), contains("Post"), None);
    // pod-2 is named once in the verdict table and once for its failed fetches.
    assert_eq!(text.matches("pod-2").count(), 2, "{text}");
    assert!(text.lines().count() < 20, "{text}");
    assert_human!("verify_one_pod_down_across_many_paths", text);
}
