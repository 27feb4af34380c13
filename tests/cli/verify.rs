//! `revalidate verify` against the simulated fleet: the built binary decides fresh / stale /
//! unreachable / mixed-build per path, and the fleet is driven in-process to make pods diverge
//! (a CMS change plus a revalidation of chosen pods only), misbehave (faults) or roll to a new
//! build. Every JSON document and NDJSON line is checked against the checked-in schemas.

use std::io::{BufRead, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use revalidate::sim::{Fault, Flavor, FleetOptions};
use serde_json::Value;

use crate::common::{TestFleet, assert_schema, code, json, stderr, stdout};

/// For runs with faults: fail fast instead of waiting the default 10 s and retrying twice.
const FAST: [&str; 4] = ["--timeout", "300ms", "--retries", "1"];

/// Runs `revalidate verify PATHS --pod …(every pod) EXTRA…`.
fn verify(tf: &TestFleet, paths: &[&str], extra: &[&str]) -> Output {
    tf.cmd()
        .arg("verify")
        .args(paths)
        .args(tf.pod_args())
        .args(extra)
        .output()
        .expect("runs")
}

/// The `-o json` report, validated against the schema.
fn report(out: &Output) -> Value {
    let v = json(out);
    assert_schema("report.schema.json", &v);
    v
}

/// Runs verify with `-o json` and returns (exit code, validated report).
fn verify_json(tf: &TestFleet, paths: &[&str], extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["-o", "json"];
    args.extend_from_slice(extra);
    let out = verify(tf, paths, &args);
    let r = report(&out);
    assert_eq!(
        r["exit_code"].as_i64(),
        Some(i64::from(code(&out))),
        "the report's exit_code is the process's"
    );
    (code(&out), r)
}

fn verdict<'a>(r: &'a Value, path: &str) -> &'a Value {
    r["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .find(|v| v["path"] == path)
        .unwrap_or_else(|| panic!("no verdict for {path}: {r:#}"))
}

fn strings(v: &Value) -> Vec<String> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not a string list ({e}): {v}"))
}

/// The cells of one path, in pod order.
fn cells<'a>(r: &'a Value, path: &str) -> Vec<&'a Value> {
    r["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|c| c["path"] == path)
        .collect()
}

fn cell<'a>(r: &'a Value, path: &str, pod: &str) -> &'a Value {
    cells(r, path)
        .into_iter()
        .find(|c| c["pod"] == pod)
        .unwrap_or_else(|| panic!("no cell ({path}, {pod})"))
}

/// Every line with runs of spaces collapsed, so table assertions do not depend on column widths.
fn squash(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn has_line(text: &str, line: &str) -> bool {
    squash(text).lines().any(|l| l == line)
}

/// Whether some (squashed) line matches the regular expression.
fn has_line_matching(text: &str, re: &str) -> bool {
    let re = regex::Regex::new(re).expect("test regex");
    squash(text).lines().any(|l| re.is_match(l))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .build()
        .expect("client")
}

/// Revalidates `path` on one pod only (Next's own header with the pod's preview id); returns
/// the pod's `x-nextjs-cache`.
fn revalidate_on(tf: &TestFleet, pod: usize, path: &str) -> Option<String> {
    let url = format!("{}{path}", tf.pod(pod).url());
    let id = tf.pod(pod).preview_id();
    tf.block_on(async move {
        let r = client()
            .get(url)
            .header("x-prerender-revalidate", id)
            .send()
            .await
            .expect("the pod answers");
        assert!(
            r.status().is_success() || r.status().as_u16() == 404,
            "{}",
            r.status()
        );
        r.headers()
            .get("x-nextjs-cache")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    })
}

/// A plain GET of one pod: (headers, body bytes as sent on the wire).
fn get_raw(
    tf: &TestFleet,
    pod: usize,
    path: &str,
    headers: &[(&str, &str)],
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let url = format!("{}{path}", tf.pod(pod).url());
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tf.block_on(async move {
        let mut rb = client().get(url);
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        let r = rb.send().await.expect("the pod answers");
        let h = r.headers().clone();
        (h, r.bytes().await.expect("body").to_vec())
    })
}

fn requests(tf: &TestFleet) -> Vec<u64> {
    tf.pods().iter().map(|p| p.counters().requests).collect()
}

/// Runs the binary's own fanout for `paths` on the given pods (indexes).
fn fanout(tf: &TestFleet, paths: &[&str], pods: &[usize]) -> Output {
    let mut c = tf.cmd();
    c.arg("fanout").args(paths).args(tf.manifest_arg());
    for &i in pods {
        let p = tf.pod(i);
        c.args(["--pod", &format!("{}={}", p.name(), p.url())]);
    }
    c.args(FAST).output().expect("runs")
}

/// The binary as a child process (for `--wait` runs the test acts on while they run), with the
/// same clean environment as `common::revalidate_in`.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(tf: &TestFleet, args: &[String]) -> Running {
        let mut c = crate::common::std_command(tf.dir.path());
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawns");
        let out = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                match line {
                    Ok(l) => {
                        if tx.send(l).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
        Running { child, lines }
    }

    /// Reads lines until one satisfies `stop` (returned last); panics after 20 s or at EOF.
    fn read_until(&self, mut stop: impl FnMut(&str) -> bool) -> Vec<String> {
        let mut got = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(l) => {
                    let done = stop(&l);
                    got.push(l);
                    if done {
                        return got;
                    }
                }
                Err(e) => panic!("no matching line ({e:?}); so far:\n{}", got.join("\n")),
            }
        }
    }

    /// The rest of stdout and the exit code.
    fn finish(mut self) -> (Vec<String>, i32) {
        let rest: Vec<String> = self.lines.iter().collect();
        let status = self.child.wait().expect("waits");
        (rest, status.code().expect("exited normally"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Only reached with the child still running when a test failed half-way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ndjson(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert_schema("event.schema.json", &v);
            v
        })
        .collect()
}

fn events<'a>(evs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    evs.iter().filter(|e| e["event"] == kind).collect()
}

// ---------------------------------------------------------------------------------------------
// Fresh fleets, output shape and order
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fresh_fleet_is_fresh_in_input_order_and_fits_the_schema() {
    let tf = TestFleet::three();
    let paths = ["/posts/b", "/plain/a", "/posts/a", "/app-posts/c"];
    let (rc, r) = verify_json(&tf, &paths, &[]);
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(strings(&r["paths"]), paths);
    let order: Vec<&str> = r["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect();
    assert_eq!(order, paths, "verdicts follow the input order");
    let cell_order: Vec<(&str, &str)> = r["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["path"].as_str().unwrap(), c["pod"].as_str().unwrap()))
        .collect();
    let want: Vec<(&str, &str)> = paths
        .iter()
        .flat_map(|p| ["pod-1", "pod-2", "pod-3"].map(|pod| (*p, pod)))
        .collect();
    assert_eq!(cell_order, want, "cells are by path, then pod");
    let mut all_hashes = std::collections::BTreeSet::new();
    for p in paths {
        let v = verdict(&r, p);
        assert_eq!(v["verdict"], "fresh", "{v:#}");
        assert_eq!(
            (v["fresh_pods"].as_u64(), v["total_pods"].as_u64()),
            (Some(3), Some(3))
        );
        let cs = cells(&r, p);
        assert!(
            cs.iter()
                .all(|c| c["outcome"] == "fetched" && c["status"] == 200 && c["fresh"] == true)
        );
        assert!(
            cs.iter().all(|c| c["hash"] == cs[0]["hash"]),
            "{p}: one hash"
        );
        all_hashes.insert(cs[0]["hash"].as_str().unwrap().to_string());
        // Pages Router pages carry the build id; the App Router page does not show it.
        let want_build = if p.starts_with("/app-posts/") {
            Value::Null
        } else {
            Value::from(tf.fleet().build_id())
        };
        assert!(cs.iter().all(|c| c["build_id"] == want_build), "{p}");
    }
    assert_eq!(all_hashes.len(), 4, "different pages hash differently");
    assert_eq!(r["totals"]["fresh"], 4);
    assert_eq!(r["totals"]["cells"], 12);
    assert_eq!(r["rounds"], 1);
    assert_eq!(r["deploy_in_progress"], false);

    // The human table lists the paths in the same order.
    let out = verify(&tf, &paths, &[]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let rows: Vec<usize> = paths
        .iter()
        .map(|p| {
            squash(&text)
                .lines()
                .position(|l| l == format!("{p} fresh 3/3 -"))
                .unwrap_or_else(|| panic!("no row for {p}:\n{text}"))
        })
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(has_line(&text, "4 paths: 4 fresh · exit 0"), "{text}");
}

#[test]
fn ndjson_events_fit_the_schema_and_come_in_order() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let out = verify(
        &tf,
        &["/posts/a", "/plain/b"],
        &["-o", "ndjson", "--through", &lb.url(), "--samples", "3"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    let evs = ndjson(&lines);
    assert_eq!(evs.first().unwrap()["event"], "start");
    assert_eq!(evs.first().unwrap()["command"], "verify");
    assert_eq!(evs.first().unwrap()["through"], lb.url().as_str());
    assert_eq!(evs.last().unwrap()["event"], "end");
    assert_eq!(evs.last().unwrap()["exit_code"], 0);
    let fetches = events(&evs, "fetch");
    assert_eq!(fetches.len(), 2 * (3 + 3), "3 pods and 3 samples a path");
    let samples = fetches
        .iter()
        .filter(|f| f["pod"].as_str().unwrap().starts_with("through#"))
        .count();
    assert_eq!(samples, 6);
    assert!(
        fetches
            .iter()
            .all(|f| f["round"] == 1 && f["outcome"] == "fetched")
    );
    let rounds = events(&evs, "round");
    assert_eq!(rounds.len(), 1);
    assert_eq!(
        (&rounds[0]["fresh"], &rounds[0]["paths"]),
        (&Value::from(2), &Value::from(2))
    );
    let verdicts: Vec<&str> = events(&evs, "verdict")
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["/posts/a", "/plain/b"]);
    // Every fetch comes before the round it belongs to, which comes before the verdicts.
    let pos = |kind: &str| evs.iter().rposition(|e| e["event"] == kind).unwrap();
    assert!(
        pos("fetch") < pos("round")
            && pos("round") < evs.iter().position(|e| e["event"] == "verdict").unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

#[test]
fn timestamps_differ_but_normalised_hashes_match() {
    let tf = TestFleet::three();
    // Regenerating without a content change only moves the page's generation timestamp.
    assert_eq!(
        revalidate_on(&tf, 1, "/posts/a").as_deref(),
        Some("REVALIDATED")
    );
    let (_, a) = get_raw(&tf, 0, "/posts/a", &[]);
    let (_, b) = get_raw(&tf, 1, "/posts/a", &[]);
    assert_ne!(a, b, "the bodies really differ");

    let (rc, r) = verify_json(&tf, &["/posts/a"], &[]);
    assert_eq!(rc, 4, "without normalisation the pods disagree: {r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["verdict"], "stale");
    assert_eq!(v["diverged"], true);
    assert_eq!(v["fresh_pods"], 0);
    let groups = v["builds"][0]["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(strings(&groups[0]["pods"]), ["pod-1", "pod-3"]);
    assert_eq!(strings(&groups[1]["pods"]), ["pod-2"]);

    let out = verify(&tf, &["/posts/a"], &[]);
    assert_eq!(code(&out), 4);
    assert!(
        stdout(&out).contains("pods of one build serve different content"),
        "{}",
        stdout(&out)
    );

    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(strings(&r["normalisation"]), ["preset:timestamps"]);
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["verdict"], "fresh");
    let cs = cells(&r, "/posts/a");
    assert!(cs.iter().all(|c| c["hash"] == cs[0]["hash"]));
}

#[test]
fn ignore_regex_replaces_what_it_matches() {
    let tf = TestFleet::three();
    assert_eq!(
        revalidate_on(&tf, 2, "/posts/a").as_deref(),
        Some("REVALIDATED")
    );
    // Too narrow: only the attribute; the timestamp also shows as text and in __NEXT_DATA__.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore", r#"dateTime="[^"]*""#]);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(verdict(&r, "/posts/a")["diverged"], true);
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &["--ignore", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"],
    );
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(
        strings(&r["normalisation"]),
        [r"ignore:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"]
    );
    // Ignoring is not a licence to miss a content change.
    tf.fleet().cms().set_title("a", "Post A edited");
    revalidate_on(&tf, 0, "/posts/a");
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &["--ignore", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"],
    );
    assert_eq!(rc, 4, "{r:#}");
}

#[test]
fn select_hashes_only_the_capture_group() {
    let tf = TestFleet::three();
    let select = r#"<h1 id="title">(.*?)</h1>"#;
    assert_eq!(
        revalidate_on(&tf, 0, "/posts/a").as_deref(),
        Some("REVALIDATED")
    );
    // The timestamps differ, outside the selected heading.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &[]);
    assert_eq!(rc, 4, "{r:#}");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--select", select]);
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(strings(&r["normalisation"]), [format!("select:{select}")]);
    // The hash is of the captured text alone.
    let want = blake3::hash(b"Post A (initial)").to_hex().to_string();
    assert!(
        cells(&r, "/posts/a")
            .iter()
            .all(|c| c["hash"] == want.as_str())
    );

    // A change inside the heading is caught.
    tf.fleet().cms().set_title("a", "Post A selected");
    revalidate_on(&tf, 1, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--select", select]);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["diverged"], true);
    assert_eq!(
        cell(&r, "/posts/a", "pod-2")["hash"],
        blake3::hash(b"Post A selected").to_hex().to_string()
    );

    // A page without the selected part is not proven fresh.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--select", "<h2>(.*)</h2>"]);
    assert_eq!(rc, 3, "{r:#}");
    assert_eq!(verdict(&r, "/posts/a")["verdict"], "unreachable");
    assert!(cells(&r, "/posts/a").iter().all(|c| {
        c["outcome"] == "error"
            && c["error"]
                .as_str()
                .unwrap()
                .contains("--select matched nothing")
    }));
}

// ---------------------------------------------------------------------------------------------
// Stale pods: faults, checks, naming
// ---------------------------------------------------------------------------------------------

#[test]
fn the_lie_fault_is_caught_as_stale() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(2).set_fault(Fault::Lie));
    tf.fleet().cms().set_title("a", "Post A v2 lie");
    // The tool's own fanout is fooled: every pod says REVALIDATED.
    let out = fanout(&tf, &["/posts/a"], &[0, 1, 2]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(
        tf.pod(2).cached_title("/posts/a").as_deref(),
        Some("Post A (initial)")
    );

    // Without a check, the disagreement alone makes the path stale.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["verdict"], "stale");
    assert_eq!(v["diverged"], true);

    // With a check, the liar is named.
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--ignore-preset",
            "timestamps",
            "--expect-contains",
            "Post A v2 lie",
        ],
    );
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(strings(&v["stale_pods"]), ["pod-3"]);
    assert_eq!(v["fresh_pods"], 2);
    assert_eq!(v["diverged"], false);
    let c = cell(&r, "/posts/a", "pod-3");
    assert_eq!(c["contains"], false);
    assert_eq!(strings(&c["problems"]), [r#"lacks "Post A v2 lie""#]);
    assert_eq!(c["nextjs_cache"], "HIT");
}

#[test]
fn ignore_revalidate_is_caught() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(0).set_fault(Fault::IgnoreRevalidate));
    tf.fleet().cms().set_title("a", "Post A v2 ignored");
    let out = fanout(&tf, &["/posts/a"], &[0, 1, 2]);
    assert_eq!(
        code(&out),
        3,
        "fanout sees pod-1 reject it: {}",
        stdout(&out)
    );

    let out = verify(
        &tf,
        &["/posts/a"],
        &[
            "--ignore-preset",
            "timestamps",
            "--expect-contains",
            "Post A v2 ignored",
        ],
    );
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/a stale 2/3 pod-1"), "{text}");
    assert!(
        has_line_matching(&text, r#"^actual: [0-9a-f]{12} pod-2, pod-3 ok$"#),
        "{text}"
    );
    assert!(
        has_line_matching(&text, r#"^[0-9a-f]{12} pod-1 lacks "Post A v2 ignored"$"#),
        "{text}"
    );
}

#[test]
fn expect_contains_names_the_stale_pods() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    assert_eq!(
        revalidate_on(&tf, 0, "/posts/a").as_deref(),
        Some("REVALIDATED")
    );
    let args = [
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post A v2",
    ];

    let out = verify(&tf, &["/posts/a", "/posts/b"], &args);
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/a stale 1/3 pod-2, pod-3"), "{text}");
    assert!(has_line(&text, "/posts/a is stale:"), "{text}");
    assert!(
        has_line(
            &text,
            r#"expected: every pod: status 200, contains "Post A v2", one hash per build"#
        ),
        "{text}"
    );
    assert!(
        has_line_matching(
            &text,
            r#"^actual: [0-9a-f]{12} pod-2, pod-3 lacks "Post A v2"$"#
        ),
        "{text}"
    );
    assert!(
        has_line_matching(&text, r"^[0-9a-f]{12} pod-1 ok$"),
        "{text}"
    );
    // /posts/b lacks the text everywhere: stale on every pod (agreeing is not enough).
    assert!(
        has_line(&text, "/posts/b stale 0/3 pod-1, pod-2, pod-3"),
        "{text}"
    );
    assert!(
        has_line(&text, "2 paths: 0 fresh, 2 stale · exit 4"),
        "{text}"
    );

    let (rc, r) = verify_json(&tf, &["/posts/a", "/posts/b"], &args);
    assert_eq!(rc, 4);
    let v = verdict(&r, "/posts/a");
    assert_eq!(strings(&v["stale_pods"]), ["pod-2", "pod-3"]);
    assert_eq!(v["fresh_pods"], 1);
    assert_eq!(v["diverged"], false);
    assert_eq!(
        v["expected"],
        r#"every pod: status 200, contains "Post A v2", one hash per build"#
    );
    assert_eq!(cell(&r, "/posts/a", "pod-1")["contains"], true);
    assert_eq!(cell(&r, "/posts/a", "pod-2")["contains"], false);
    assert_eq!(r["totals"]["stale"], 2);

    // Once every pod has it, it is fresh.
    revalidate_on(&tf, 1, "/posts/a");
    revalidate_on(&tf, 2, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 0, "{r:#}");
}

#[test]
fn expect_regex_names_the_stale_pods() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, 2, "/posts/a");
    let re = r#"<h1 id="title">Post A v\d+</h1>"#;
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--expect-regex", re]);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(strings(&v["stale_pods"]), ["pod-1", "pod-2"]);
    assert_eq!(v["diverged"], false);
    assert_eq!(cell(&r, "/posts/a", "pod-3")["matches"], true);
    assert_eq!(cell(&r, "/posts/a", "pod-1")["matches"], false);
    assert_eq!(
        strings(&cell(&r, "/posts/a", "pod-1")["problems"]),
        [format!("does not match /{re}/")]
    );
    let short = |pod: &str| cell(&r, "/posts/a", pod)["hash"].as_str().unwrap()[..12].to_string();

    let out = verify(&tf, &["/posts/a"], &["--expect-regex", re]);
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/a stale 1/3 pod-1, pod-2"), "{text}");
    assert!(
        has_line(
            &text,
            &format!("expected: every pod: status 200, matches /{re}/, one hash per build")
        ),
        "{text}"
    );
    assert!(
        has_line(
            &text,
            &format!(
                "actual: {} pod-1, pod-2 does not match /{re}/",
                short("pod-1")
            )
        ),
        "{text}"
    );
    assert!(
        has_line(&text, &format!("{} pod-3 ok", short("pod-3"))),
        "{text}"
    );
}

#[test]
fn a_500_on_one_pod_is_stale() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Status(500)));
    let (rc, r) = verify_json(&tf, &["/posts/a"], &FAST);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["verdict"], "stale");
    assert_eq!(strings(&v["stale_pods"]), ["pod-2"]);
    assert_eq!(v["diverged"], false);
    let c = cell(&r, "/posts/a", "pod-2");
    assert_eq!(c["status"], 500);
    assert_eq!(strings(&c["problems"]), ["status 500, expected 200"]);
    assert_eq!(c["attempts"], 1, "a 500 is not retried");

    let out = verify(&tf, &["/posts/a"], &FAST);
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/a stale 2/3 pod-2"), "{text}");
    assert!(
        has_line_matching(&text, r"^[0-9a-f]{12} pod-2 status 500, expected 200$"),
        "{text}"
    );
}

#[test]
fn a_pod_answering_200_with_another_page_is_stale() {
    // One build: the odd page (no build id) is compared with the build's pods.
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Status(200)));
    let (rc, r) = verify_json(&tf, &["/posts/a"], &FAST);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(verdict(&r, "/posts/a")["verdict"], "stale");
    assert_eq!(cell(&r, "/posts/a", "pod-2")["build_id"], Value::Null);

    // Two builds: the odd page belongs to neither and must not make the path a settled
    // mixed-build (exit 0).
    tf.pod(2)
        .set_build("NEWBUILD123", "feedfacefeedfacefeedfacefeedface");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &FAST);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["verdict"], "stale");
    assert_eq!(strings(&v["stale_pods"]), ["pod-2"]);
    assert_eq!(
        strings(&cell(&r, "/posts/a", "pod-2")["problems"]),
        ["no build id, and content no build's pods serve"]
    );
}

#[test]
fn unreachable_pods_make_the_path_unreachable_not_fresh() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(2).set_fault(Fault::Down));
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &FAST);
    assert_eq!(rc, 3, "{r:#}");
    for p in ["/posts/a", "/plain/a"] {
        let v = verdict(&r, p);
        assert_eq!(v["verdict"], "unreachable");
        assert_eq!(strings(&v["unreachable_pods"]), ["pod-3"]);
        assert_eq!(strings(&v["stale_pods"]), Vec::<String>::new());
        assert_eq!(v["fresh_pods"], 2);
        let c = cell(&r, p, "pod-3");
        assert_eq!(c["outcome"], "unreachable");
        assert_eq!(c["attempts"], 2, "one retry");
        assert!(c["error"].as_str().unwrap().contains("connect"), "{c}");
    }
    assert_eq!(r["totals"]["unreachable"], 2);
    assert_eq!(r["totals"]["unreachable_cells"], 2);

    let out = verify(&tf, &["/posts/a"], &FAST);
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(
        has_line(&text, "/posts/a unreachable 2/3 pod-3 (unreachable)"),
        "{text}"
    );
    assert!(has_line(&text, "Fetches that failed (1):"), "{text}");

    // Stale outranks unreachable.
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, 0, "/posts/a");
    let mut args = vec!["--expect-contains", "Post A v2"];
    args.extend(FAST);
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(strings(&v["stale_pods"]), ["pod-2"]);
    assert_eq!(strings(&v["unreachable_pods"]), ["pod-3"]);
}

#[test]
fn hanging_and_resetting_pods_are_unreachable() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Hang));
    tf.block_on(tf.pod(2).set_fault(Fault::Reset));
    let (rc, r) = verify_json(&tf, &["/plain/a"], &FAST);
    assert_eq!(rc, 3, "{r:#}");
    let v = verdict(&r, "/plain/a");
    assert_eq!(strings(&v["unreachable_pods"]), ["pod-2", "pod-3"]);
    assert!(
        cell(&r, "/plain/a", "pod-2")["error"]
            .as_str()
            .unwrap()
            .starts_with("timeout"),
        "{r:#}"
    );
    assert_eq!(cell(&r, "/plain/a", "pod-3")["outcome"], "unreachable");
    tf.block_on(tf.pod(1).clear_faults());
}

#[test]
fn a_deadline_leaves_a_partial_report_that_is_not_fresh() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Hang));
    let (rc, r) = verify_json(&tf, &["/plain/a"], &["--deadline", "500ms"]);
    assert_eq!(rc, 3, "{r:#}");
    assert_eq!(r["stopped"], "deadline");
    let v = verdict(&r, "/plain/a");
    assert_eq!(v["verdict"], "unreachable");
    assert_eq!(strings(&v["unreachable_pods"]), ["pod-2"]);
    let c = cell(&r, "/plain/a", "pod-2");
    assert_eq!(c["outcome"], "cancelled");
    assert!(c["error"].as_str().unwrap().contains("--deadline"), "{c}");
    let out = verify(&tf, &["/plain/a"], &["--deadline", "500ms"]);
    assert_eq!(code(&out), 3);
    assert!(
        has_line(
            &stdout(&out),
            "1 path: 0 fresh, 1 unreachable · deadline reached; this report is partial · exit 3"
        ),
        "{}",
        stdout(&out)
    );
    tf.block_on(tf.pod(1).clear_faults());
}

#[test]
fn a_deleted_page_is_fresh_with_expect_status_404() {
    let tf = TestFleet::three();
    tf.fleet().cms().delete("b");
    // Deleted in the CMS, but every pod still serves its cached page until revalidated.
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(
        strings(&verdict(&r, "/posts/b")["stale_pods"]),
        ["pod-1", "pod-2", "pod-3"]
    );
    revalidate_on(&tf, 0, "/posts/b");
    revalidate_on(&tf, 1, "/posts/b");
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/b");
    assert_eq!(strings(&v["stale_pods"]), ["pod-3"]);
    assert_eq!(
        strings(&cell(&r, "/posts/b", "pod-3")["problems"]),
        ["status 200, expected 404"]
    );
    assert!(
        v["expected"]
            .as_str()
            .unwrap()
            .starts_with("every pod: status 404")
    );

    revalidate_on(&tf, 2, "/posts/b");
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 0, "{r:#}");
    assert!(cells(&r, "/posts/b").iter().all(|c| c["status"] == 404));
    // Without --expect-status, a page that is gone everywhere is stale, not fresh.
    let (rc, r) = verify_json(&tf, &["/posts/b"], &[]);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(
        strings(&cell(&r, "/posts/b", "pod-1")["problems"]),
        ["status 404, expected 200"]
    );
}

#[test]
fn a_next13_fleet_is_judged_the_same_way() {
    let tf = TestFleet::start(FleetOptions {
        flavor: Flavor::Next13,
        ..FleetOptions::default()
    });
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &[]);
    assert_eq!(rc, 0, "{r:#}");
    assert!(
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["build_id"] == tf.fleet().build_id())
    );
    tf.fleet().cms().set_title("a", "Post A on 13");
    tf.fleet().cms().delete("b");
    revalidate_on(&tf, 1, "/posts/a");
    revalidate_on(&tf, 1, "/posts/b");
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--ignore-preset",
            "timestamps",
            "--expect-contains",
            "Post A on 13",
        ],
    );
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(
        strings(&verdict(&r, "/posts/a")["stale_pods"]),
        ["pod-1", "pod-3"]
    );
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(
        strings(&verdict(&r, "/posts/b")["stale_pods"]),
        ["pod-1", "pod-3"]
    );
    // 13's 404 page carries the build id too.
    assert_eq!(
        cell(&r, "/posts/b", "pod-2")["build_id"],
        tf.fleet().build_id()
    );
}

// ---------------------------------------------------------------------------------------------
// Builds, sizes, encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn mixed_builds_are_compared_within_their_build() {
    let tf = TestFleet::three();
    tf.pod(2)
        .set_build("NEWBUILD123", "feedfacefeedfacefeedfacefeedface");
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &[]);
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(r["deploy_in_progress"], true);
    assert_eq!(r["totals"]["mixed_build"], 2);
    let old = tf.fleet().build_id();
    for p in ["/posts/a", "/plain/a"] {
        let v = verdict(&r, p);
        assert_eq!(v["verdict"], "mixed-build", "{v:#}");
        let builds: Vec<(Value, Vec<String>)> = v["builds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                let pods = b["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|g| strings(&g["pods"]))
                    .collect();
                (b["build_id"].clone(), pods)
            })
            .collect();
        assert!(
            builds.contains(&(Value::from(old), vec!["pod-1".into(), "pod-2".into()])),
            "{builds:?}"
        );
        assert!(
            builds.contains(&(Value::from("NEWBUILD123"), vec!["pod-3".into()])),
            "{builds:?}"
        );
        assert_eq!(cell(&r, p, "pod-3")["build_id"], "NEWBUILD123");
    }

    let out = verify(&tf, &["/posts/a"], &[]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/a mixed-build 3/3 -"), "{text}");
    assert!(text.contains("note: a deploy is in progress"), "{text}");
    let builds_line = squash(&text)
        .lines()
        .find(|l| l.starts_with("/posts/a ") && l.contains("NEWBUILD123"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no build line:\n{text}"));
    assert!(
        builds_line.contains(&format!("{old}: pod-1, pod-2")),
        "{builds_line}"
    );
    assert!(builds_line.contains("NEWBUILD123: pod-3"), "{builds_line}");
    assert!(
        has_line(&text, "1 path: 0 fresh, 1 mixed-build · exit 0"),
        "{text}"
    );
}

#[test]
fn stale_pods_inside_one_build_are_caught_during_a_deploy() {
    let tf = TestFleet::three();
    tf.pod(2)
        .set_build("NEWBUILD123", "feedfacefeedfacefeedfacefeedface");
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, 0, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["verdict"], "stale");
    assert_eq!(v["diverged"], true);
    let out = verify(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    let text = stdout(&out);
    assert!(
        has_line_matching(
            &text,
            &format!(
                r"^[0-9a-f]{{12}} pod-2 \[build {}\]$",
                tf.fleet().build_id()
            )
        ),
        "groups name their build when there are several:\n{text}"
    );
}

#[test]
fn a_huge_body_is_capped_and_never_fresh() {
    let tf = TestFleet::start(FleetOptions {
        page_bytes: 3 << 20,
        ..FleetOptions::default()
    });
    // The cap applies to decoded bytes: pod-1's gzip rendition is far smaller than 1 MiB.
    tf.pod(0).set_compress(true);
    let (h, body) = get_raw(&tf, 0, "/plain/a", &[("accept-encoding", "gzip")]);
    assert_eq!(h.get("content-encoding").unwrap(), "gzip");
    assert!(body.len() < 1 << 20, "{}", body.len());

    let (rc, r) = verify_json(&tf, &["/plain/a"], &["--max-body", "1MiB"]);
    assert_eq!(rc, 3, "{r:#}");
    let v = verdict(&r, "/plain/a");
    assert_eq!(v["verdict"], "unreachable");
    assert_eq!(v["fresh_pods"], 0);
    for c in cells(&r, "/plain/a") {
        assert_eq!(c["outcome"], "too-large", "{c}");
        let len = c["length"].as_u64().unwrap();
        assert!(
            len > 1 << 20 && len < 3 << 20,
            "stopped reading early: {len}"
        );
        assert!(
            c["error"].as_str().unwrap().contains("--max-body 1048576"),
            "{c}"
        );
        assert_eq!(c["hash"], Value::Null);
    }
    let out = verify(&tf, &["/plain/a"], &["--max-body", "1MiB"]);
    assert_eq!(code(&out), 3);
    assert!(
        has_line(&stdout(&out), "Fetches that failed (3):"),
        "{}",
        stdout(&out)
    );

    // Under the default cap the same pages are read whole and agree.
    let (rc, r) = verify_json(&tf, &["/plain/a"], &[]);
    assert_eq!(rc, 0, "{r:#}");
    assert!(
        cells(&r, "/plain/a")
            .iter()
            .all(|c| c["length"].as_u64().unwrap() >= 3 << 20)
    );
}

#[test]
fn gzip_and_identity_give_one_hash() {
    let tf = TestFleet::three();
    tf.pod(1).set_compress(true);
    // The compressed pod really sends gzip, and the others do not.
    let (gz, gz_body) = get_raw(&tf, 1, "/plain/a", &[("accept-encoding", "gzip, br")]);
    assert_eq!(gz.get("content-encoding").unwrap(), "gzip");
    let (plain, plain_body) = get_raw(&tf, 0, "/plain/a", &[("accept-encoding", "gzip, br")]);
    assert!(plain.get("content-encoding").is_none());
    assert_ne!(gz_body, plain_body);
    assert_eq!(&gz_body[..2], &[0x1f, 0x8b], "a gzip stream");

    let (rc, r) = verify_json(&tf, &["/plain/a", "/posts/a"], &[]);
    assert_eq!(rc, 0, "{r:#}");
    for p in ["/plain/a", "/posts/a"] {
        let cs = cells(&r, p);
        assert!(cs.iter().all(|c| c["hash"] == cs[0]["hash"]), "{p}: {r:#}");
        assert!(
            cs.iter().all(|c| c["length"] == cs[0]["length"]),
            "decoded lengths"
        );
        assert_eq!(verdict(&r, p)["verdict"], "fresh");
    }
    assert_eq!(
        cell(&r, "/plain/a", "pod-1")["hash"],
        blake3::hash(&plain_body).to_hex().to_string(),
        "the hash is of the content"
    );

    // That verify asks for gzip (so the pod above really compressed for it) and decodes what
    // comes back: a one-shot responder that records the request and always answers gzip.
    let (url, request) = gzip_responder(gz_body);
    let out = tf
        .cmd()
        .args(["verify", "/plain/a", "-o", "json"])
        .args(["--pod", &format!("pod-1={}", tf.pod(0).url())])
        .args(["--pod", &format!("gz={url}")])
        .output()
        .unwrap();
    let head = request.join().expect("responder").to_ascii_lowercase();
    let accept = head
        .lines()
        .find_map(|l| l.strip_prefix("accept-encoding:"))
        .unwrap_or_else(|| panic!("no accept-encoding in:\n{head}"));
    assert!(accept.contains("gzip"), "{accept}");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let r = report(&out);
    assert_eq!(
        cell(&r, "/plain/a", "gz")["hash"],
        cell(&r, "/plain/a", "pod-1")["hash"]
    );
}

/// Serves one request on 127.0.0.1 with `gzipped` as a gzip-encoded 200; returns its URL and a
/// handle yielding the request head it received.
fn gzip_responder(gzipped: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("a connection");
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = conn.read(&mut buf).expect("reads the request");
            assert!(n > 0, "request ended early");
            head.extend_from_slice(&buf[..n]);
        }
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            gzipped.len()
        );
        conn.write_all(reply.as_bytes()).unwrap();
        conn.write_all(&gzipped).unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    (url, handle)
}

#[test]
fn etag_mode_compares_etags_from_head_requests() {
    let tf = TestFleet::three();
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &["--etag"]);
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(r["etag_mode"], true);
    assert_eq!(r["expected"], "every pod: status 200, one ETag per build");
    let (h, body) = get_raw(&tf, 0, "/posts/a", &[]);
    let etag = h.get("etag").unwrap().to_str().unwrap().to_string();
    for c in cells(&r, "/posts/a") {
        assert_eq!(c["hash"], etag.as_str(), "the hash is the ETag");
        assert_eq!(c["length"], body.len(), "from Content-Length");
        // No body was read: the build id (in the body) was never seen.
        assert_eq!(c["build_id"], Value::Null);
    }
    let out = verify(&tf, &["/posts/a"], &["--etag", "--dry-run", "-o", "json"]);
    let d = report(&out);
    assert!(
        d["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["method"] == "HEAD")
    );

    // Regenerated separately, a page with a timestamp gets another ETag; /plain pages do not.
    for i in 0..3 {
        revalidate_on(&tf, i, "/posts/a");
        revalidate_on(&tf, i, "/plain/a");
    }
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &["--etag"]);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(verdict(&r, "/posts/a")["verdict"], "stale");
    assert_eq!(verdict(&r, "/posts/a")["diverged"], true);
    assert_eq!(verdict(&r, "/plain/a")["verdict"], "fresh");
    let out = verify(&tf, &["/posts/a"], &["--etag"]);
    assert!(stdout(&out).contains("ETags (HEAD)"), "{}", stdout(&out));

    // --etag cannot normalise.
    let out = verify(
        &tf,
        &["/posts/a"],
        &["--etag", "--ignore-preset", "timestamps"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------------
// Baselines
// ---------------------------------------------------------------------------------------------

#[test]
fn save_then_baseline_with_expect_changed() {
    let tf = TestFleet::three();
    let file = tf.dir.path().join("before.json");
    let file_s = file.display().to_string();
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a", "/posts/b"],
        &["--ignore-preset", "timestamps", "--save", &file_s],
    );
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(r["saved"], file_s.as_str());
    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(snap["kind"], "revalidate-verify-snapshot");
    assert_eq!(
        snap["paths"]["/posts/a"]["pod-2"]["hash"],
        cell(&r, "/posts/a", "pod-2")["hash"]
    );

    tf.fleet().cms().set_title("a", "Post A after");
    revalidate_on(&tf, 0, "/posts/a");
    let args = [
        "--ignore-preset",
        "timestamps",
        "--baseline",
        &file_s,
        "--expect-changed",
    ];
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(r["baseline"], file_s.as_str());
    let v = verdict(&r, "/posts/a");
    assert_eq!(strings(&v["stale_pods"]), ["pod-2", "pod-3"]);
    assert_eq!(v["diverged"], false);
    assert_eq!(
        strings(&cell(&r, "/posts/a", "pod-2")["problems"]),
        ["unchanged since the baseline"]
    );
    let out = verify(&tf, &["/posts/a"], &args);
    assert!(
        has_line_matching(
            &stdout(&out),
            r"^actual: [0-9a-f]{12} pod-2, pod-3 unchanged since the baseline$"
        ),
        "{}",
        stdout(&out)
    );
    // /posts/b did not change anywhere: stale on every pod.
    let (rc, r) = verify_json(&tf, &["/posts/b"], &args);
    assert_eq!(rc, 4);
    assert_eq!(
        strings(&verdict(&r, "/posts/b")["stale_pods"]),
        ["pod-1", "pod-2", "pod-3"]
    );

    let out = fanout(&tf, &["/posts/a"], &[0, 1, 2]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 0, "{r:#}");
    assert_eq!(verdict(&r, "/posts/a")["fresh_pods"], 3);
}

#[test]
fn a_baseline_alone_reports_which_pods_changed() {
    let tf = TestFleet::three();
    let file = tf.dir.path().join("before.json");
    let file_s = file.display().to_string();
    let (rc, _) = verify_json(
        &tf,
        &["/posts/a"],
        &["--ignore-preset", "timestamps", "--save", &file_s],
    );
    assert_eq!(rc, 0);
    tf.fleet().cms().set_title("a", "Post A after");
    revalidate_on(&tf, 0, "/posts/a");
    let args = ["--ignore-preset", "timestamps", "--baseline", &file_s];
    let (_, r) = verify_json(&tf, &["/posts/a"], &args);
    let changed: Vec<&Value> = cells(&r, "/posts/a")
        .iter()
        .map(|c| &c["changed"])
        .collect();
    assert_eq!(
        changed,
        [&Value::Bool(true), &Value::Bool(false), &Value::Bool(false)]
    );
    let out = verify(&tf, &["/posts/a"], &args);
    let text = stdout(&out);
    assert!(
        has_line(&text, &format!("Since the baseline {file_s}:")),
        "{text}"
    );
    assert!(has_line(&text, "/posts/a 1/3 pod-2, pod-3"), "{text}");
    // Without a baseline the field is null.
    let (_, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert!(cell(&r, "/posts/a", "pod-1")["changed"].is_null());
}

#[test]
fn a_baseline_taken_with_other_settings_is_a_usage_error() {
    let tf = TestFleet::three();
    let file = tf.dir.path().join("snap.json");
    let file_s = file.display().to_string();
    let out = verify(
        &tf,
        &["/posts/a"],
        &["--ignore-preset", "timestamps", "--save", &file_s],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(has_line(
        &stdout(&out),
        &format!("snapshot saved to {file_s} (use it later with --baseline)")
    ));
    let before = requests(&tf);
    for extra in [
        vec!["--baseline", &file_s, "--expect-changed"],
        vec!["--baseline", &file_s, "--ignore-preset", "nonces"],
        vec!["--baseline", &file_s, "--etag"],
    ] {
        let out = verify(&tf, &["/posts/a"], &extra);
        assert_eq!(code(&out), 2, "{extra:?}: {}", stdout(&out));
        assert!(stderr(&out).contains("not comparable"), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("preset:timestamps"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(requests(&tf), before, "nothing was sent");
    // The same settings are accepted.
    let out = verify(
        &tf,
        &["/posts/a"],
        &["--ignore-preset", "timestamps", "--baseline", &file_s],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn expect_changed_with_a_path_missing_from_the_baseline_is_a_usage_error() {
    let tf = TestFleet::three();
    let file = tf.write("snap.json", "");
    let file_s = file.display().to_string();
    let out = verify(&tf, &["/posts/a"], &["--save", &file_s]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let before = requests(&tf);
    let out = verify(
        &tf,
        &["/posts/a", "/posts/b"],
        &["--baseline", &file_s, "--expect-changed"],
    );
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("no entry for /posts/b"), "{err}");
    assert!(
        !err.contains("/posts/a,"),
        "only the missing path is named: {err}"
    );
    assert_eq!(requests(&tf), before, "nothing was sent");
    // A file that is no snapshot is refused too.
    let junk = tf.write("junk.json", "{\"x\":1}");
    let out = verify(
        &tf,
        &["/posts/a"],
        &["--baseline", &junk.display().to_string()],
    );
    assert_eq!(code(&out), 2);
}

// ---------------------------------------------------------------------------------------------
// --wait
// ---------------------------------------------------------------------------------------------

fn verify_args(tf: &TestFleet, paths: &[&str], extra: &[&str]) -> Vec<String> {
    let mut a = vec!["verify".to_string()];
    a.extend(paths.iter().map(|s| s.to_string()));
    a.extend(tf.pod_args());
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn wait_succeeds_when_the_pods_converge_later() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v3");
    revalidate_on(&tf, 0, "/posts/a");
    let run = Running::start(
        &tf,
        &verify_args(
            &tf,
            &["/posts/a", "/plain/b"],
            &[
                "--wait",
                "20s",
                "--ignore-preset",
                "timestamps",
                "-o",
                "ndjson",
            ],
        ),
    );
    // The first round has been judged (stale) before anything changes.
    let mut lines = run.read_until(|l| l.contains(r#""event":"round""#));
    let first = ndjson(&lines);
    let round = events(&first, "round");
    assert_eq!(round[0]["round"], 1);
    assert_eq!(round[0]["fresh"], 1, "only /plain/b is settled");
    // Now the stale pods are revalidated, while verify waits.
    revalidate_on(&tf, 1, "/posts/a");
    revalidate_on(&tf, 2, "/posts/a");
    let (rest, rc) = run.finish();
    lines.extend(rest);
    let evs = ndjson(&lines);
    assert_eq!(rc, 0, "{}", lines.join("\n"));
    let rounds = events(&evs, "round");
    assert!(rounds.len() >= 2, "{}", lines.join("\n"));
    let last = rounds.last().unwrap();
    assert_eq!(
        (&last["fresh"], &last["paths"]),
        (&Value::from(2), &Value::from(2))
    );
    // Later rounds fetch only what was not settled.
    let later: Vec<&Value> = events(&evs, "fetch")
        .into_iter()
        .filter(|f| f["round"].as_u64().unwrap() >= 2)
        .collect();
    assert!(!later.is_empty());
    assert!(later.iter().all(|f| f["path"] == "/posts/a"), "{later:?}");
    let verdicts = events(&evs, "verdict");
    assert_eq!(verdicts.len(), 2);
    assert!(verdicts.iter().all(|v| v["verdict"] == "fresh"));
    let end = evs.last().unwrap();
    assert_eq!(
        (&end["event"], &end["exit_code"]),
        (&Value::from("end"), &Value::from(0))
    );
    assert_eq!(end["totals"]["fresh"], 2);
}

#[test]
fn wait_gives_up_at_the_deadline_naming_the_stale_pod() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(2).set_fault(Fault::Lie));
    tf.fleet().cms().set_title("a", "Post A v4");
    for i in 0..3 {
        assert_eq!(
            revalidate_on(&tf, i, "/posts/a").as_deref(),
            Some("REVALIDATED")
        );
    }
    let args = [
        "--wait",
        "1s",
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post A v4",
    ];
    let out = verify(&tf, &["/posts/a"], &args);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/a stale 2/3 pod-3"), "{text}");
    assert!(
        has_line_matching(
            &text,
            r"^1 path: 0 fresh, 1 stale · [2-9]\d* rounds · exit 4$"
        ),
        "{text}"
    );

    let before = tf.pod(2).counters().by_path["/posts/a"];
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 4);
    let rounds = r["rounds"].as_u64().unwrap();
    assert!(rounds >= 2, "{r:#}");
    assert_eq!(strings(&verdict(&r, "/posts/a")["stale_pods"]), ["pod-3"]);
    assert_eq!(
        tf.pod(2).counters().by_path["/posts/a"] - before,
        rounds,
        "one fetch of pod-3 a round"
    );
}

// ---------------------------------------------------------------------------------------------
// --through a load balancer
// ---------------------------------------------------------------------------------------------

#[test]
fn through_a_round_robin_balancer_measures_the_stale_share() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("a", "Post A v5");
    revalidate_on(&tf, 0, "/posts/a");
    revalidate_on(&tf, 1, "/posts/a");
    let args = [
        "--through",
        &lb.url(),
        "--samples",
        "30",
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post A v5",
    ];
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 4, "{r:#}");
    assert_eq!(r["through"], lb.url().as_str());
    assert_eq!(r["samples"], 30);
    assert_eq!(r["through_samples"].as_array().unwrap().len(), 30);
    let v = verdict(&r, "/posts/a");
    assert_eq!(strings(&v["stale_pods"]), ["pod-3"]);
    let th = &v["through"];
    assert_eq!(th["samples"], 30);
    assert_eq!(th["unreachable"], 0);
    let share = th["stale_share"].as_f64().unwrap();
    assert!(
        (share - 1.0 / 3.0).abs() < 0.05,
        "one stale pod of three: {share}"
    );
    assert_eq!(
        th["stale"].as_u64().unwrap() + th["fresh"].as_u64().unwrap(),
        30
    );
    assert_eq!(th["nextjs_cache"]["HIT"], 30);

    let out = verify(&tf, &["/posts/a"], &args);
    let text = stdout(&out);
    assert!(
        has_line(&text, &format!("Through {} (30 samples a path):", lb.url())),
        "{text}"
    );
    assert!(
        has_line_matching(&text, r"^/posts/a 10/30 33% - HIT×30 -$"),
        "{text}"
    );
    assert!(
        has_line(
            &text,
            "/posts/a stale 2/3 pod-3, 10/30 through samples stale"
        ),
        "{text}"
    );

    // Without a check nothing tells which of the pods' contents is fresh, so no sample is
    // proven fresh either (the through table must not claim 0% stale).
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--through",
            &lb.url(),
            "--samples",
            "6",
            "--ignore-preset",
            "timestamps",
        ],
    );
    assert_eq!(rc, 4, "{r:#}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v["diverged"], true);
    assert_eq!(
        (&v["through"]["fresh"], &v["through"]["stale"]),
        (&Value::from(0), &Value::from(6))
    );
    assert!(
        r["through_samples"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["fresh"] == false && strings(&s["problems"]) == ["pods disagree"])
    );

    revalidate_on(&tf, 2, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 0, "{r:#}");
    let th = &verdict(&r, "/posts/a")["through"];
    assert_eq!(
        (&th["stale"], &th["fresh"]),
        (&Value::from(0), &Value::from(30))
    );
    assert_eq!(th["stale_share"], 0.0);
}

#[test]
fn a_stale_pod_missing_from_the_list_is_caught_through_the_balancer() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("c", "Post C v2");
    revalidate_on(&tf, 0, "/posts/c");
    revalidate_on(&tf, 1, "/posts/c");
    // pod-3 is behind the balancer but not listed: the listed pods agree, and no check is given.
    let out = tf
        .cmd()
        .args([
            "verify",
            "/posts/c",
            "-o",
            "json",
            "--ignore-preset",
            "timestamps",
        ])
        .args(["--pod", &format!("pod-1={}", tf.pod(0).url())])
        .args(["--pod", &format!("pod-2={}", tf.pod(1).url())])
        .args(["--through", &lb.url(), "--samples", "6"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let r = report(&out);
    let v = verdict(&r, "/posts/c");
    assert_eq!(v["verdict"], "stale");
    assert_eq!(v["fresh_pods"], 2);
    assert_eq!(
        (&v["through"]["stale"], &v["through"]["fresh"]),
        (&Value::from(2), &Value::from(4))
    );
    let stale: Vec<&Value> = r["through_samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["fresh"] == false)
        .collect();
    assert!(
        stale
            .iter()
            .all(|s| strings(&s["problems"]) == ["differs from every pod's content"])
    );
}

#[test]
fn through_alone_with_expect_contains() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("b", "Post B v2");
    revalidate_on(&tf, 1, "/posts/b");
    let through = |extra: &[&str]| {
        let mut c = tf.cmd();
        c.args([
            "verify",
            "/posts/b",
            "--through",
            &lb.url(),
            "--samples",
            "9",
        ])
        .args(extra);
        c.output().unwrap()
    };
    let out = through(&[
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post B v2",
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r["targets"], serde_json::json!([]));
    let v = verdict(&r, "/posts/b");
    assert_eq!(v["total_pods"], 0);
    assert_eq!(v["through"]["stale"], 6);
    assert_eq!(v["through"]["stale_share"], 0.667);

    // Without a check, samples that disagree are stale, never fresh.
    let out = through(&["--ignore-preset", "timestamps", "-o", "json"]);
    assert_eq!(code(&out), 4);
    let r = report(&out);
    let v = verdict(&r, "/posts/b");
    assert_eq!(v["verdict"], "stale");
    assert!(
        r["through_samples"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| strings(&s["problems"]).contains(&"responses disagree".to_string()))
    );

    revalidate_on(&tf, 0, "/posts/b");
    revalidate_on(&tf, 2, "/posts/b");
    let out = through(&[
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post B v2",
    ]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(has_line(&text, "/posts/b fresh - -"), "{text}");
    assert!(has_line(&text, "/posts/b 0/9 0% - HIT×9 -"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Dry run, pod names, demo
// ---------------------------------------------------------------------------------------------

#[test]
fn dry_run_sends_nothing() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let out = verify(
        &tf,
        &["/posts/a", "/plain/a"],
        &[
            "--dry-run",
            "-o",
            "json",
            "--through",
            &lb.url(),
            "--samples",
            "2",
            "-H",
            "x-probe: 1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = report(&out);
    assert_eq!(d["dry_run"], true);
    let reqs = d["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2 * (3 + 2));
    assert_eq!(reqs[0]["url"], format!("{}/posts/a", tf.pod(0).url()));
    assert_eq!(reqs[3]["pod"], "through#1");
    assert_eq!(reqs[3]["url"], format!("{}/posts/a", lb.url()));
    assert_eq!(reqs[5]["path"], "/plain/a");
    assert!(
        reqs.iter()
            .all(|q| q["method"] == "GET" && q["headers"] == serde_json::json!([["x-probe", "1"]]))
    );

    let out = verify(&tf, &["/posts/a"], &["--dry-run", "-o", "ndjson"]);
    assert_eq!(code(&out), 0);
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    let evs = ndjson(&lines);
    assert_eq!(evs.len(), 3);
    assert!(evs.iter().all(|e| e["event"] == "request"));

    let out = verify(&tf, &["/posts/a"], &["--dry-run"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        has_line(
            &text,
            "dry run: 3 requests would be sent; nothing was sent."
        ),
        "{text}"
    );
    assert!(
        has_line(&text, &format!("GET {}/posts/a (pod-2)", tf.pod(1).url())),
        "{text}"
    );

    assert_eq!(requests(&tf), [0, 0, 0], "no pod saw a request");
}

#[test]
fn a_pod_may_be_named_like_a_through_sample() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let out = tf
        .cmd()
        .args(["verify", "/plain/a", "-o", "json"])
        .args(["--pod", &format!("through#1={}", tf.pod(0).url())])
        .args(["--pod", &format!("pod-2={}", tf.pod(1).url())])
        .args(["--through", &lb.url(), "--samples", "2"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    let v = verdict(&r, "/plain/a");
    assert_eq!(v["verdict"], "fresh");
    assert_eq!(v["fresh_pods"], 2);
    assert_eq!(v["through"]["fresh"], 2);
    assert_eq!(cell(&r, "/plain/a", "through#1")["outcome"], "fetched");
}

#[test]
fn demo_tells_the_story_stale_then_fresh() {
    let (mut c, _dir) = crate::common::revalidate();
    let out = c.arg("demo").output().unwrap();
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let lines: Vec<String> = squash(&text).lines().map(str::to_string).collect();
    let at = |want: &str| {
        lines
            .iter()
            .position(|l| l == want)
            .unwrap_or_else(|| panic!("no line {want:?}:\n{text}"))
    };
    let stale_titles = [
        at(r#"pod-2 "Post A (initial)" stale"#),
        at(r#"pod-3 "Post A (initial)" stale"#),
    ];
    let stale = at("/posts/a stale 1/3 pod-2, pod-3, 4/6 through samples stale");
    let stale_total = at("1 path: 0 fresh, 1 stale · exit 4");
    let fanned = at("/posts/a 3/3 - 3 revalidated");
    let fresh = at("/posts/a fresh 3/3 -");
    let fresh_total = at("1 path: 1 fresh · exit 0");
    assert!(stale_titles[1] < stale && stale < stale_total, "{text}");
    assert!(
        stale_total < fanned && fanned < fresh && fresh < fresh_total,
        "{text}"
    );
    assert!(
        has_line(&text, r#"pod-3 "Post A v2 (edited)" fresh"#),
        "{text}"
    );
    assert!(
        has_line_matching(&text, r"^/posts/a 0/6 0% - HIT×6 -$"),
        "{text}"
    );
}
