//! The CI outputs of fanout, verify and publish against the simulated fleet and a real
//! redis-server: the JUnit file, parsed (well-formed, the counts of tests, failures, errors and
//! skipped, one case a path naming the pods and the outcome); GitHub Actions' job summary
//! (appended, never truncated) and annotations (on stderr, escaped as the runner unescapes
//! them); no secret in any of them; a JUnit file written through a symlink; one that cannot be
//! written (exit 1, said after the report).

use std::path::{Path, PathBuf};
use std::process::Output;

use quick_xml::events::Event;
use revalidate_sim::{Fault, Flavor, FleetOptions};
use serde::Deserialize;

use crate::common::{TestFleet, code, json, revalidate, stderr, stdout};
use crate::echo::leaks;
use crate::redis::server::{RedisServer, Subscriber};

/// A JUnit report, as test reporters read it.
#[derive(Debug, Deserialize)]
struct Testsuites {
    #[serde(rename = "@name")]
    name: String,
    #[serde(rename = "@tests")]
    tests: usize,
    #[serde(rename = "@failures")]
    failures: usize,
    #[serde(rename = "@errors")]
    errors: usize,
    #[serde(rename = "@skipped")]
    skipped: usize,
    #[serde(rename = "testsuite", default)]
    suites: Vec<Testsuite>,
}

#[derive(Debug, Deserialize)]
struct Testsuite {
    #[serde(rename = "@name")]
    name: String,
    #[serde(rename = "@tests")]
    tests: usize,
    #[serde(rename = "@failures")]
    failures: usize,
    #[serde(rename = "@errors")]
    errors: usize,
    #[serde(rename = "@skipped")]
    skipped: usize,
    #[serde(rename = "testcase", default)]
    cases: Vec<Testcase>,
}

#[derive(Debug, Deserialize)]
struct Testcase {
    #[serde(rename = "@classname")]
    classname: String,
    #[serde(rename = "@name")]
    name: String,
    failure: Option<Problem>,
    error: Option<Problem>,
    skipped: Option<Skipped>,
    #[serde(rename = "system-out")]
    system_out: Option<String>,
}

/// A `<failure>` or an `<error>`.
#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(rename = "@message")]
    message: String,
    #[serde(rename = "@type")]
    kind: String,
    #[serde(rename = "$text", default)]
    text: String,
}

#[derive(Debug, Deserialize)]
struct Skipped {
    #[serde(rename = "@message")]
    message: String,
}

impl Testsuites {
    /// (tests, failures, errors, skipped), which every suite's counts must add up to.
    fn counts(&self) -> (usize, usize, usize, usize) {
        let sum = |f: fn(&Testsuite) -> usize| self.suites.iter().map(f).sum::<usize>();
        assert_eq!(
            (
                sum(|s| s.tests),
                sum(|s| s.failures),
                sum(|s| s.errors),
                sum(|s| s.skipped)
            ),
            (self.tests, self.failures, self.errors, self.skipped),
            "the suites add up to the totals: {self:#?}"
        );
        for s in &self.suites {
            assert_eq!(s.tests, s.cases.len(), "{s:#?}");
            let n = |f: fn(&Testcase) -> bool| s.cases.iter().filter(|c| f(c)).count();
            assert_eq!(
                (
                    n(|c| c.failure.is_some()),
                    n(|c| c.error.is_some()),
                    n(|c| c.skipped.is_some())
                ),
                (s.failures, s.errors, s.skipped),
                "{s:#?}"
            );
        }
        (self.tests, self.failures, self.errors, self.skipped)
    }

    /// The one suite of a one-step command.
    fn suite(&self) -> &Testsuite {
        assert_eq!(self.suites.len(), 1, "{self:#?}");
        &self.suites[0]
    }
}

impl Testsuite {
    fn names(&self) -> Vec<&str> {
        self.cases.iter().map(|c| c.name.as_str()).collect()
    }

    fn case(&self, name: &str) -> &Testcase {
        self.cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name} in {self:#?}"))
    }
}

/// Reads a JUnit file: checks it is well-formed XML (an XML declaration, one root, every tag
/// closed by its own name), then reads it into the types above.
fn junit(file: &Path) -> Testsuites {
    let xml = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{xml}"
    );
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut depth, mut roots) = (0usize, 0);
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                roots += usize::from(depth == 0);
                depth += 1;
            }
            Ok(Event::Empty(_)) => roots += usize::from(depth == 0),
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}\n{xml}", reader.error_position()),
        }
    }
    assert_eq!((depth, roots), (0, 1), "one root, every tag closed:\n{xml}");
    let doc: Testsuites = quick_xml::de::from_str(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    doc
}

/// The workflow commands on stderr (lines starting `::`).
fn annotations(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(str::to_string)
        .collect()
}

/// For runs with a pod that refuses connections: one retry, a generous timeout.
const FAST: [&str; 4] = ["--timeout", "30s", "--retries", "1"];

/// `revalidate verify PATHS` at every pod of the fleet.
fn verify(tf: &TestFleet, paths: &[&str]) -> assert_cmd::Command {
    let mut c = tf.cmd();
    c.arg("verify").args(paths).args(tf.pod_args());
    c
}

/// The binary's own fanout of `path` on the first pod only (the others keep the old page).
fn revalidate_first_pod(tf: &TestFleet, path: &str) {
    let p = tf.pod(0);
    let out = tf
        .cmd()
        .arg("fanout")
        .arg(path)
        .args(tf.manifest_arg())
        .args(["--pod", &format!("{}={}", p.name(), p.url())])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn verify_junit_counts_a_fresh_run_a_stale_run_and_an_unreachable_pod() {
    let tf = TestFleet::three();
    let file = tf.dir.path().join("verify.xml");
    let paths = ["/posts/b", "/plain/a", "/posts/a"];

    // Fresh: a passing case a path, in input order, named by the step.
    let out = verify(&tf, &paths)
        .args(["--expect-contains", "(initial)", "--junit", "verify.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = junit(&file);
    assert_eq!(doc.name, "revalidate verify");
    assert_eq!(doc.counts(), (3, 0, 0, 0));
    let suite = doc.suite();
    assert_eq!(suite.name, "revalidate.verify");
    assert_eq!(suite.names(), paths);
    for c in &suite.cases {
        assert_eq!(c.classname, "revalidate.verify");
        assert!(c.failure.is_none() && c.error.is_none() && c.skipped.is_none());
        assert_eq!(c.system_out, None, "a plain pass says nothing");
    }

    // Stale: the CMS changed /posts/a and only the first pod regenerated it; /posts/b lacks the
    // text everywhere. Each failure names its pods, the verdict and why.
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_first_pod(&tf, "/posts/a");
    let out = verify(&tf, &["/posts/a", "/posts/b"])
        .args(["--ignore-preset", "timestamps"])
        .args(["--expect-contains", "Post A v2", "--junit", "verify.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let doc = junit(&file);
    assert_eq!(doc.counts(), (2, 2, 0, 0));
    let a = doc.suite().case("/posts/a").failure.as_ref().unwrap();
    assert_eq!(a.kind, "stale");
    // The page's data JSON, fetched from the same pods, is stale where the page is.
    assert_eq!(
        a.message,
        r#"stale on pod-2, pod-3: lacks "Post A v2" (data too)"#
    );
    assert!(
        a.text
            .contains(r#"expected: every pod: status 200, contains "Post A v2""#),
        "{a:#?}"
    );
    // Each group of pods (by hash, with its build) and what it lacks.
    let groups = regex::Regex::new(
        r#"(?m)^ *[0-9a-f]{12} pod-2, pod-3 \[build [^\]]+\]: lacks "Post A v2"\n *[0-9a-f]{12} pod-1 \[build [^\]]+\]: ok$"#,
    )
    .unwrap();
    assert!(groups.is_match(&a.text), "{a:#?}");
    let b = doc.suite().case("/posts/b").failure.as_ref().unwrap();
    assert_eq!(
        b.message,
        r#"stale on pod-1, pod-2, pod-3: lacks "Post A v2" (data too)"#
    );
    // The JSON document and NDJSON keep no verdict for the end (each goes out as it is final):
    // the report is the same.
    let text = std::fs::read_to_string(&file).unwrap();
    let without_times = |xml: &str| {
        regex::Regex::new(r#" (time|timestamp)="[^"]*""#)
            .unwrap()
            .replace_all(xml, "")
            .into_owned()
    };
    for format in ["json", "ndjson"] {
        let out = verify(&tf, &["/posts/a", "/posts/b"])
            .args(["--ignore-preset", "timestamps", "-o", format])
            .args(["--expect-contains", "Post A v2", "--junit", "verify.xml"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 4, "{}", stderr(&out));
        let again = std::fs::read_to_string(&file).unwrap();
        assert_eq!(without_times(&again), without_times(&text), "-o {format}");
    }

    // A pod that does not answer: nothing could be compared, an error rather than a failure.
    tf.block_on(tf.pod(2).set_fault(Fault::Down));
    let out = verify(&tf, &["/plain/a"])
        .args(FAST)
        .args(["--junit", "verify.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let doc = junit(&file);
    assert_eq!(doc.counts(), (1, 0, 1, 0));
    let e = doc.suite().case("/plain/a").error.as_ref().unwrap();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("unreachable", "no answer from pod-3")
    );
}

#[test]
fn verify_junit_names_the_variant_that_is_stale() {
    // A rolling deploy (proof.rs tells it): pod-3 runs a new build rendered from the old
    // content while the two pods of the baseline's build are revalidated. Pod-3's page cannot
    // show a change (its build differs) and its data JSON, which names no build, is the
    // baseline's: the data JSON is what is stale.
    let tf = TestFleet::three();
    let timestamps = ["--ignore-preset", "timestamps"];
    let out = verify(&tf, &["/posts/a"])
        .args(timestamps)
        .args(["--save", "before.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    tf.pod(2)
        .set_build("NewBuild555", "fedcba9876543210fedcba9876543210");
    tf.fleet().cms().set_title("a", "Post A v2");
    for i in [0, 1] {
        let p = tf.pod(i);
        let out = tf
            .cmd()
            .args(["fanout", "/posts/a"])
            .args(tf.manifest_arg())
            .args(["--pod", &format!("{}={}", p.name(), p.url())])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = verify(&tf, &["/posts/a"])
        .args(timestamps)
        .args(["--baseline", "before.json", "--expect-changed"])
        .args(["--junit", "verify.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let doc = junit(&tf.dir.path().join("verify.xml"));
    assert_eq!(doc.counts(), (1, 1, 0, 0));
    let f = doc.suite().case("/posts/a").failure.as_ref().unwrap();
    assert_eq!(f.kind, "stale");
    // The page is unproven on pod-3, its data JSON stale there: both named, each with its pods
    // and why; the detail has each variant's URL, expectation and groups of pods.
    assert!(
        f.message
            .starts_with("page unproven on pod-3: runs build NewBuild555, not the baseline's "),
        "{f:#?}"
    );
    assert!(
        f.message
            .ends_with("; data stale on pod-3: unchanged since the baseline"),
        "{f:#?}"
    );
    let data_line = regex::Regex::new(
        r"(?m)^data /_next/data/[^/]+/posts/a\.json\?slug=a: stale: 1 of 3 pods fails the checks$",
    )
    .unwrap();
    assert!(data_line.is_match(&f.text), "{f:#?}");
    assert!(
        f.text
            .contains("pod-3 [build NewBuild555]: unchanged since the baseline"),
        "{f:#?}"
    );
}

#[test]
fn a_step_that_failed_with_no_failed_path_is_a_case_of_its_own() {
    // Every path fresh, but the snapshot asked for could not be saved: exit 1, and the JUnit
    // report is not all green.
    let tf = TestFleet::three();
    let out = verify(&tf, &["/posts/a"])
        .args([
            "--expect-contains",
            "(initial)",
            "--save",
            "missing/before.json",
        ])
        .args(["--junit", "verify.xml", "--github"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let doc = junit(&tf.dir.path().join("verify.xml"));
    assert_eq!(doc.counts(), (2, 0, 1, 0));
    assert_eq!(doc.suite().names(), ["/posts/a", "verify (the step)"]);
    let e = doc
        .suite()
        .case("verify (the step)")
        .error
        .as_ref()
        .unwrap();
    assert_eq!(e.kind, "step-failed");
    assert!(
        e.message
            .starts_with("cannot save the snapshot missing/before.json"),
        "{e:#?}"
    );
    // Said once on GitHub: the step's failure and its error.
    let a = annotations(&out);
    assert_eq!(a.len(), 2, "{a:#?}");
    assert_eq!(
        a[0],
        "::error title=revalidate verify%3A verify failed (exit 1)::1 path: 1 fresh"
    );
    assert!(
        a[1].starts_with("::error title=revalidate verify%3A verify::cannot save the snapshot")
    );
}

#[test]
fn run_junit_has_a_suite_a_step_and_the_runs_own_case_a_path() {
    let tf = TestFleet::three();
    let summary = summary_file(&tf);
    tf.fleet().cms().set_title("a", "Post A v2");
    let run = |extra: &[&str]| {
        tf.cmd()
            .arg("run")
            .args(["/posts/a", "/posts/b"])
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .args(["--junit", "run.xml", "--wait", "1s"])
            .args(extra)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap()
    };
    // /posts/a changed and is proven fresh by its change; /posts/b was regenerated unchanged:
    // a warning, not a failure.
    let out = run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = junit(&tf.dir.path().join("run.xml"));
    let suites: Vec<&str> = doc.suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        suites,
        [
            "revalidate.snapshot",
            "revalidate.fanout",
            "revalidate.verify",
            "revalidate.run"
        ]
    );
    assert_eq!(doc.counts(), (6, 0, 0, 0));
    let run_suite = &doc.suites[3];
    assert_eq!(run_suite.names(), ["/posts/a", "/posts/b"]);
    let note = run_suite
        .case("/posts/b")
        .system_out
        .as_deref()
        .unwrap_or_default();
    assert!(
        note.starts_with("every pod serves what it served at the baseline"),
        "{note}"
    );
    assert_eq!(
        annotations(&out),
        [
            "::warning title=revalidate run%3A verify /posts/b::unchanged on pod-1, pod-2, pod-3: unchanged since the baseline",
            "::warning title=revalidate run%3A run::1 page was regenerated with the content it had before: if the content was just published, the CMS may not have committed it when the pods regenerated: run again in a moment",
        ],
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.contains("### ✅ revalidate run: exit 0 (success)"),
        "{text}"
    );

    // A content check that fails: stale in verify's suite and in the run's, the CDN untouched.
    let out = run(&["--expect-contains", "Post A v3"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let doc = junit(&tf.dir.path().join("run.xml"));
    assert_eq!(doc.counts(), (6, 4, 0, 0), "{doc:#?}");
    let f = doc.suites[3].case("/posts/a").failure.as_ref().unwrap();
    assert_eq!(
        (f.kind.as_str(), f.message.as_str()),
        ("stale", "3 of 3 pods fail the checks")
    );
    // Each path once, by the step that failed it first; each failed step once.
    assert_eq!(
        annotations(&out),
        [
            "::error title=revalidate run%3A verify failed (exit 4)::2 paths: 2 stale",
            r#"::error title=revalidate run%3A verify /posts/a::stale on pod-1, pod-2, pod-3: lacks "Post A v3" (data too)"#,
            r#"::error title=revalidate run%3A verify /posts/b::stale on pod-1, pod-2, pod-3: lacks "Post A v3" (data too)"#,
            "::error title=revalidate run%3A run failed (exit 4)::2 paths: 2 stale",
        ],
        "{}",
        stderr(&out)
    );
}

#[test]
fn run_junit_fails_a_deleted_page_without_allow_gone_and_passes_it_as_gone_with_it() {
    let tf = TestFleet::three();
    tf.fleet().cms().delete("c");
    let run = |extra: &[&str]| {
        tf.cmd()
            .args(["run", "/posts/c"])
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .args(["--junit", "run.xml"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let doc = junit(&tf.dir.path().join("run.xml"));
    let run_suite = doc.suites.last().unwrap();
    assert_eq!(run_suite.name, "revalidate.run");
    let case = run_suite.case("/posts/c");
    let f = case
        .failure
        .as_ref()
        .expect("gone without --allow-gone fails");
    assert_eq!(f.kind, "gone");
    assert!(f.message.starts_with("gone on every pod"), "{}", f.message);

    let out = run(&["--allow-gone"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = junit(&tf.dir.path().join("run.xml"));
    let case = doc.suites.last().unwrap().case("/posts/c");
    assert!(case.failure.is_none() && case.error.is_none(), "{case:#?}");
}

#[test]
fn fanout_junit_skips_pages_never_generated_and_fails_the_pods_that_failed() {
    let tf = TestFleet::three();
    let file = tf.dir.path().join("fanout.xml");
    let fanout = || {
        let mut c = tf.cmd();
        c.arg("fanout")
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .args(["--junit", "fanout.xml"]);
        c
    };

    let out = fanout()
        .args(["/posts/a", "/posts/d", "/plain/a", "--only-generated"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = junit(&file);
    assert_eq!(doc.counts(), (3, 0, 0, 1));
    let suite = doc.suite();
    assert_eq!(suite.name, "revalidate.fanout");
    assert_eq!(suite.names(), ["/posts/a", "/posts/d", "/plain/a"]);
    assert_eq!(
        suite.case("/posts/d").skipped.as_ref().unwrap().message,
        "not generated on any pod: nothing to revalidate"
    );

    // One pod answering 500 fails every path on that pod; one refusing connections as well.
    // NDJSON output keeps no cells for itself: the cases still name the pods.
    tf.block_on(tf.pod(1).set_fault(Fault::Status(500)));
    tf.block_on(tf.pod(2).set_fault(Fault::Down));
    let out = fanout()
        .args(["/posts/a", "/posts/b", "-o", "ndjson"])
        .args(FAST)
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let doc = junit(&file);
    assert_eq!(doc.counts(), (2, 2, 0, 0));
    let f = doc.suite().case("/posts/b").failure.as_ref().unwrap();
    assert_eq!(f.kind, "http-error");
    assert_eq!(f.message, "http-error on pod-2; unreachable on pod-3");
    assert!(f.text.contains("pod-2: http-error, status 500"), "{f:#?}");
    assert!(f.text.contains("pod-3: unreachable"), "{f:#?}");

    // Only pods that did not answer: an error.
    tf.block_on(tf.pod(1).clear_faults());
    let out = fanout().args(["/posts/a"]).args(FAST).output().unwrap();
    assert_eq!(code(&out), 3);
    let doc = junit(&file);
    assert_eq!(doc.counts(), (1, 0, 1, 0));
    let e = doc.suite().case("/posts/a").error.as_ref().unwrap();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("unreachable", "unreachable on pod-3")
    );
}

#[test]
fn publish_junit_fails_an_under_delivered_message() {
    let server = RedisServer::start();
    let _a = Subscriber::start(&server, &["revalidate"], &[]);
    let (mut c, dir) = revalidate();
    let out = c
        .args([
            "publish",
            "/posts/a",
            "/posts/b",
            "--redis-url",
            &server.url(),
        ])
        .args(["--expect-subscribers", "2", "--junit", "publish.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let doc = junit(&dir.path().join("publish.xml"));
    assert_eq!(doc.counts(), (2, 2, 0, 0));
    let suite = doc.suite();
    assert_eq!(suite.name, "revalidate.publish");
    let f = suite.case("/posts/a").failure.as_ref().unwrap();
    assert_eq!(f.kind, "under-delivered");
    assert_eq!(f.message, "under-delivered: 1 of 2 subscribers received it");
    assert!(f.text.contains("channel revalidate"), "{f:#?}");

    let (mut c, dir) = revalidate();
    let out = c
        .args(["publish", "/posts/a", "--redis-url", &server.url()])
        .args(["--expect-subscribers", "1", "--junit", "publish.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        junit(&dir.path().join("publish.xml")).counts(),
        (1, 0, 0, 0)
    );
}

/// The job summary file, with what an earlier step of the job wrote.
fn summary_file(tf: &TestFleet) -> PathBuf {
    tf.write("summary.md", "## An earlier step\n\nits summary\n")
}

#[test]
fn github_actions_get_a_summary_appended_and_escaped_annotations() {
    let tf = TestFleet::three();
    let summary = summary_file(&tf);
    tf.fleet().cms().set_title("a", "Post A 100% new");
    revalidate_first_pod(&tf, "/posts/a");
    // A path whose name holds what a workflow command's title must escape (`,` `:` `%`).
    let odd = "/posts/a,b:c%25d";
    let run = |output: &str| {
        verify(&tf, &["/posts/a", odd])
            .args(["--ignore-preset", "timestamps"])
            .args(["--expect-contains", "Post A 100% new", "-o", output])
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap()
    };
    let out = run("human");
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(
        annotations(&out),
        [
            "::error title=revalidate verify%3A verify failed (exit 4)::2 paths: 2 stale",
            r#"::error title=revalidate verify%3A verify /posts/a::stale on pod-2, pod-3: lacks "Post A 100%25 new" (data too)"#,
            r#"::error title=revalidate verify%3A verify /posts/a%2Cb%3Ac%2525d::stale on pod-1, pod-2, pod-3: status 404, expected 200; lacks "Post A 100%25 new" (data, rsc, prefetch too)"#,
        ],
        "{}",
        stderr(&out)
    );
    // Annotations are people's things: stdout holds only the result.
    assert!(!stdout(&out).contains("::error"), "{}", stdout(&out));

    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("## An earlier step\n\nits summary\n### ❌ revalidate verify: exit 4 (stale or unproven)\n"),
        "{text}"
    );
    assert!(
        text.contains("| ❌ stale | 2 | /posts/a, /posts/a,b:c%25d |"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"| ❌ stale on pod-2, pod-3: lacks "Post A 100% new" (data too) | 1 | /posts/a |"#
        ),
        "{text}"
    );

    // Appended again by a second command of the same step (here with JSON on stdout, which
    // stays JSON).
    let out = run("json");
    assert_eq!(code(&out), 4);
    assert_eq!(json(&out)["exit_code"], 4);
    assert_eq!(annotations(&out).len(), 3);
    let again = std::fs::read_to_string(&summary).unwrap();
    assert!(again.starts_with(&text), "{again}");
    assert_eq!(
        again.matches("### ❌ revalidate verify").count(),
        2,
        "{again}"
    );

    // Outside GitHub Actions nothing of it, unless asked with --github.
    let out = verify(&tf, &["/posts/a"])
        .args(["--expect-contains", "Post A 100% new"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(code(&out), 4);
    assert!(annotations(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), again);
    let out = verify(&tf, &["/posts/a"])
        .args(["--expect-contains", "Post A 100% new", "--github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(code(&out), 4);
    assert_eq!(annotations(&out).len(), 2, "{}", stderr(&out));
    let third = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(third.matches("### ❌ revalidate verify").count(), 3);
}

#[test]
fn no_secret_reaches_the_junit_file_the_summary_or_the_annotations() {
    const SECRET: &str = "Sx7secretQ9-zz4Kd";
    let tf = TestFleet::start(FleetOptions {
        flavor: Flavor::Next13,
        secret: SECRET.into(),
        ..FleetOptions::default()
    });
    let summary = summary_file(&tf);
    // Next 13's /api/revalidate answers 500 with the path it was given when the page does not
    // exist: the pods echo the token back. A path that is itself the secret shows as well.
    let echoed = "Ec4echo Wv\"qt9Hk\"/Jr5Bb";
    let secret_path = format!("/posts/{SECRET}");
    let out = tf
        .cmd()
        .arg("fanout")
        .args(tf.pod_args())
        .args(["/posts/a", &secret_path, "--mode", "endpoint"])
        .args(["--endpoint", "/api/revalidate?path={path}/${ECHO_TOKEN}"])
        .args(["--header", "x-revalidate-secret: ${REVALIDATE_SECRET}"])
        .args(["--junit", "fanout.xml"])
        .env("REVALIDATE_SECRET", SECRET)
        .env("ECHO_TOKEN", echoed)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let xml = std::fs::read_to_string(tf.dir.path().join("fanout.xml")).unwrap();
    let md = std::fs::read_to_string(&summary).unwrap();
    let lines = annotations(&out).join("\n");
    for (what, text) in [("JUnit", &xml), ("summary", &md), ("annotations", &lines)] {
        for secret in [SECRET, echoed] {
            let found = leaks(text, secret);
            assert!(found.is_empty(), "{what}: {found:?} in\n{text}");
        }
    }
    // The pod's answer is there, with the secret cut out.
    let doc = junit(&tf.dir.path().join("fanout.xml"));
    assert_eq!(doc.counts(), (2, 2, 0, 0));
    assert_eq!(doc.suite().names(), ["/posts/a", "/posts/<redacted>"]);
    let f = doc.suite().case("/posts/a").failure.as_ref().unwrap();
    assert!(f.text.contains(r#""path":"/posts/a/<redacted>""#), "{f:#?}");
    assert!(md.contains("/posts/\\<redacted\\>"), "{md}");
    assert!(lines.contains("/posts/<redacted>"), "{lines}");
}

#[test]
fn junit_goes_through_a_symlink_to_its_target() {
    let tf = TestFleet::three();
    std::fs::create_dir(tf.dir.path().join("reports")).unwrap();
    let link = tf.dir.path().join("junit.xml");
    std::os::unix::fs::symlink("reports/verify.xml", &link).unwrap();
    let out = verify(&tf, &["/posts/a"])
        .args(["--expect-contains", "(initial)", "--junit", "junit.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let doc = junit(&tf.dir.path().join("reports/verify.xml"));
    assert_eq!(doc.counts(), (1, 0, 0, 0));
}

#[test]
fn a_junit_file_that_cannot_be_written_is_exit_1_said_after_the_report() {
    let tf = TestFleet::three();
    std::fs::create_dir(tf.dir.path().join("a-directory")).unwrap();
    for (junit, why) in [
        ("missing/verify.xml", "the directory missing does not exist"),
        ("a-directory", "a-directory is a directory"),
    ] {
        let out = verify(&tf, &["/posts/a"])
            .args([
                "--expect-contains",
                "(initial)",
                "--junit",
                junit,
                "--github",
            ])
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        // The report itself is there and says what was found.
        assert!(stdout(&out).contains("1 path: 1 fresh"), "{}", stdout(&out));
        let err = stderr(&out);
        let line = format!("error: cannot write the JUnit report {junit}: {why}");
        assert!(err.lines().any(|l| l == line), "{line:?} not in\n{err}");
        assert!(
            annotations(&out).iter().any(|a| a
                == &format!(
                    "::error title=revalidate verify::cannot write the JUnit report {junit}: {why}"
                )),
            "{err}"
        );
    }
    // A run that failed otherwise keeps the code that says why.
    let out = verify(&tf, &["/posts/a"])
        .args([
            "--expect-contains",
            "nowhere",
            "--junit",
            "missing/verify.xml",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: cannot write the JUnit report missing/verify.xml"),
        "{}",
        stderr(&out)
    );
}
