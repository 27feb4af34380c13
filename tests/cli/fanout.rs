//! fanout against the simulated fleet: every outcome kind on both Next.js flavours, every fault,
//! retries, endpoint mode, ordering, concurrency bounds, --deadline, Ctrl-C, --dry-run, and the
//! library's `fanout::run` in-process.

use std::process::Output;
use std::time::Duration;

use revalidate::sim::{Fault, Flavor, FleetOptions};
use serde_json::Value;

use crate::common::{TestFleet, assert_schema, code, json, stderr, stdout, wait_until};

/// A three-pod fleet of one flavour.
pub(crate) fn fleet(flavor: Flavor) -> TestFleet {
    TestFleet::start(FleetOptions {
        flavor,
        ..FleetOptions::default()
    })
}

/// `revalidate fanout` at every pod of the fleet, previewModeId from the fleet's manifest.
pub(crate) fn fanout(tf: &TestFleet) -> assert_cmd::Command {
    let mut c = tf.cmd();
    c.arg("fanout").args(tf.pod_args()).args(tf.manifest_arg());
    c
}

/// `revalidate fanout` at every pod, without a preview id source (endpoint mode, env id).
pub(crate) fn fanout_bare(tf: &TestFleet) -> assert_cmd::Command {
    let mut c = tf.cmd();
    c.arg("fanout").args(tf.pod_args());
    c
}

/// Runs with `-o json`; the document must validate against the report schema.
pub(crate) fn run_json(mut c: assert_cmd::Command) -> (Output, Value) {
    let out = c.args(["-o", "json"]).output().expect("runs");
    let doc = json(&out);
    assert_schema("report.schema.json", &doc);
    (out, doc)
}

/// (path, pod, outcome) of every cell, in report order.
pub(crate) fn cells(doc: &Value) -> Vec<(String, String, String)> {
    doc["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["pod"].as_str().unwrap().to_string(),
                c["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The one cell of (path, pod).
pub(crate) fn cell<'a>(doc: &'a Value, path: &str, pod: &str) -> &'a Value {
    doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path && c["pod"] == pod)
        .unwrap_or_else(|| panic!("no cell ({path}, {pod}) in {doc:#}"))
}

/// Every cell's outcome, which must all be `want`.
fn assert_all(doc: &Value, want: &str) {
    for (path, pod, outcome) in cells(doc) {
        assert_eq!(outcome, want, "({path}, {pod}) in {doc:#}");
    }
}

fn set_fault(tf: &TestFleet, pod: usize, fault: Fault) {
    tf.block_on(tf.pod(pod).set_fault(fault));
}

/// A plain GET of a page from one pod, as a visitor would: (status, x-nextjs-cache, body).
fn visit(tf: &TestFleet, pod: usize, path: &str) -> (u16, Option<String>, String) {
    let url = format!("{}{path}", tf.pod(pod).url());
    tf.block_on(async move {
        let r = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(url)
            .send()
            .await
            .expect("pod answers");
        let status = r.status().as_u16();
        let cache = r
            .headers()
            .get("x-nextjs-cache")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, cache, r.text().await.unwrap())
    })
}

const FLAVORS: [Flavor; 2] = [Flavor::Next13, Flavor::Next16];

#[test]
fn revalidated_on_every_pod_of_both_flavours() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        tf.fleet().cms().set_title("a", "Post A (edited)");
        let (out, doc) = run_json({
            let mut c = fanout(&tf);
            c.arg("/posts/a");
            c
        });
        assert_eq!(code(&out), 0, "{flavor}: {}", stderr(&out));
        assert_eq!(doc["mode"], "nextjs");
        assert_eq!(doc["method"], "HEAD");
        assert_eq!(cells(&doc).len(), 3);
        assert_all(&doc, "revalidated");
        for c in doc["cells"].as_array().unwrap() {
            assert_eq!(c["status"], 200);
            assert_eq!(c["cache"], "REVALIDATED");
            assert_eq!(c["ok"], true);
        }
        for pod in tf.pods() {
            let n = pod.counters();
            assert_eq!(n.revalidate_requests, 1, "{flavor} {}", pod.name());
            assert_eq!(n.regenerations, 1, "{flavor} {}", pod.name());
            assert_eq!(
                pod.cached_title("/posts/a").as_deref(),
                Some("Post A (edited)")
            );
        }
    }
}

#[test]
fn not_generated_under_only_generated_on_both_flavours() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        // /posts/d is in the CMS but no pod ever generated it.
        let (out, doc) = run_json({
            let mut c = fanout(&tf);
            c.args(["/posts/d", "/posts/a", "--only-generated"]);
            c
        });
        assert_eq!(code(&out), 0, "{flavor}: {}", stderr(&out));
        for pod in tf.pods() {
            let d = cell(&doc, "/posts/d", pod.name());
            assert_eq!(d["outcome"], "not-generated", "{flavor}");
            assert_eq!(d["ok"], true);
            assert_eq!(d["status"], 404);
            assert_eq!(
                cell(&doc, "/posts/a", pod.name())["outcome"],
                "revalidated",
                "{flavor}"
            );
            // Skipped, not generated by the revalidation.
            assert_eq!(pod.cached_title("/posts/d"), None, "{flavor}");
        }
        assert_eq!(doc["totals"]["outcomes"]["not-generated"], 3);
    }
}

#[test]
fn gone_for_deleted_content_and_unknown_routes_and_allow_gone_on_both_flavours() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        tf.fleet().cms().delete("c");
        let (out, doc) = run_json({
            let mut c = fanout(&tf);
            c.args(["/posts/c", "/nope"]);
            c
        });
        assert_eq!(code(&out), 3, "{flavor}: {}", stderr(&out));
        assert_eq!(doc["exit_code"], 3);
        assert_all(&doc, "gone");
        for c in doc["cells"].as_array().unwrap() {
            assert_eq!(c["status"], 404);
            assert_eq!(c["ok"], false);
        }
        assert_eq!(doc["totals"]["failed"], 6);

        let (out, doc) = run_json({
            let mut c = fanout(&tf);
            c.args(["/posts/c", "/nope", "--allow-gone"]);
            c
        });
        assert_eq!(code(&out), 0, "{flavor}: {}", stderr(&out));
        assert_eq!(doc["allow_gone"], true);
        assert_all(&doc, "gone");
        assert_eq!(doc["totals"]["ok"], 6);
        assert_eq!(doc["totals"]["failed"], 0);
    }
}

#[test]
fn gone_is_explained_in_the_human_report() {
    let tf = TestFleet::three();
    let out = fanout(&tf).arg("/nope").output().unwrap();
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(text.contains("Failed cells (3):"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("hint: gone: 404")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("3 cells: 3 gone · 3 failed") && l.ends_with("exit 3")),
        "{text}"
    );
}

#[test]
fn rejected_for_a_wrong_preview_id_on_both_flavours() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        let (out, doc) = run_json({
            let mut c = fanout_bare(&tf);
            c.env("REVALIDATE_PREVIEW_ID", "0123456789abcdef0123456789abcdef")
                .arg("/posts/a");
            c
        });
        assert_eq!(code(&out), 3, "{flavor}: {}", stderr(&out));
        assert_all(&doc, "rejected");
        for c in doc["cells"].as_array().unwrap() {
            assert_eq!(c["status"], 200);
            assert_eq!(c["cache"], "HIT");
            assert!(
                c["error"]
                    .as_str()
                    .unwrap()
                    .contains("without x-nextjs-cache: REVALIDATED")
            );
        }
        for pod in tf.pods() {
            assert_eq!(pod.counters().revalidate_requests, 0);
            assert_eq!(pod.counters().regenerations, 0);
        }
    }
}

#[test]
fn rejected_by_a_pod_that_ignores_the_header_on_both_flavours() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        set_fault(&tf, 1, Fault::IgnoreRevalidate);
        let (out, doc) = run_json({
            let mut c = fanout(&tf);
            c.arg("/posts/b");
            c
        });
        assert_eq!(code(&out), 3, "{flavor}");
        assert_eq!(cell(&doc, "/posts/b", "pod-1")["outcome"], "revalidated");
        assert_eq!(cell(&doc, "/posts/b", "pod-2")["outcome"], "rejected");
        assert_eq!(cell(&doc, "/posts/b", "pod-3")["outcome"], "revalidated");
        assert_eq!(tf.pod(1).counters().regenerations, 0);
        assert_eq!(doc["totals"]["failed"], 1);
    }
}

#[test]
fn rejected_is_explained_in_the_human_report() {
    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::IgnoreRevalidate);
    let out = fanout(&tf).arg("/posts/a").output().unwrap();
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    let failed: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("/posts/a ") && l.contains("pod-"))
        .collect();
    assert_eq!(failed.len(), 1, "{text}");
    assert!(
        failed[0].contains("pod-1") && failed[0].contains("rejected"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("hint: rejected: the pod answered 200")),
        "{text}"
    );
}

#[test]
fn status_500_is_an_http_error_and_never_retried() {
    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::Status(500));
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--retries", "3"]);
        c
    });
    assert_eq!(code(&out), 3);
    let c = cell(&doc, "/posts/a", "pod-1");
    assert_eq!(c["outcome"], "http-error");
    assert_eq!(c["status"], 500);
    assert_eq!(c["attempts"], 1);
    assert_eq!(tf.pod(0).counters().requests, 1, "a 500 is not retried");
    assert_eq!(cell(&doc, "/posts/a", "pod-2")["outcome"], "revalidated");
}

#[test]
fn status_503_is_retried_then_reported_as_http_error() {
    let tf = TestFleet::three();
    set_fault(&tf, 2, Fault::Status(503));
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--retries", "2"]);
        c
    });
    assert_eq!(code(&out), 3);
    let c = cell(&doc, "/posts/a", "pod-3");
    assert_eq!(c["outcome"], "http-error");
    assert_eq!(c["status"], 503);
    assert_eq!(c["attempts"], 3);
    assert_eq!(tf.pod(2).counters().requests, 3, "retries + 1 requests");
    assert_eq!(tf.pod(0).counters().requests, 1);
}

#[test]
fn down_reset_and_hang_are_unreachable_after_retries() {
    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::Down);
    set_fault(&tf, 1, Fault::Reset);
    set_fault(&tf, 2, Fault::Hang);
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--timeout", "300ms", "--retries", "1"]);
        c
    });
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_all(&doc, "unreachable");
    for c in doc["cells"].as_array().unwrap() {
        assert_eq!(c["attempts"], 2, "{c}");
        assert_eq!(c["status"], Value::Null);
        assert!(c["error"].is_string());
    }
    let err = |pod: &str| {
        cell(&doc, "/posts/a", pod)["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        err("pod-1").starts_with("connect error"),
        "{}",
        err("pod-1")
    );
    assert!(err("pod-3").starts_with("timeout"), "{}", err("pod-3"));
    assert_eq!(tf.pod(0).counters().requests, 0, "the port is closed");
    assert_eq!(tf.pod(1).counters().requests, 2);
    assert_eq!(tf.pod(2).counters().requests, 2);
    assert_eq!(doc["totals"]["outcomes"]["unreachable"], 3);
}

#[test]
fn unreachable_is_explained_in_the_human_report() {
    let tf = TestFleet::three();
    set_fault(&tf, 1, Fault::Down);
    let out = fanout(&tf)
        .args(["/posts/a", "--timeout", "300ms", "--retries", "0"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.contains("pod-2")
            && l.contains("unreachable")
            && l.contains("connect error")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("hint: unreachable:")),
        "{text}"
    );
}

#[test]
fn flaky_pod_recovers_with_enough_retries() {
    let tf = TestFleet::start(FleetOptions {
        seed: FLAKY_SEED,
        ..FleetOptions::default()
    });
    set_fault(&tf, 0, Fault::Flaky { fail_ratio: 0.5 });
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--retries", "6"]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let c = cell(&doc, "/posts/a", "pod-1");
    assert_eq!(c["outcome"], "revalidated");
    let attempts = c["attempts"].as_u64().unwrap();
    let n = tf.pod(0).counters();
    assert_eq!(attempts, 3, "the seed fails the first two requests");
    assert_eq!(n.requests, attempts);
    assert_eq!(
        n.faulted,
        attempts - 1,
        "every retry was a 503 but the last"
    );
    assert_eq!(n.revalidate_requests, 1);
}

/// A seed whose first two flaky draws on pod 0 fail at ratio 0.5 (the sim's draws depend only on
/// seed, pod and draw number).
const FLAKY_SEED: u64 = 8;

#[test]
fn flaky_pod_without_retries_fails() {
    let tf = TestFleet::start(FleetOptions {
        seed: FLAKY_SEED,
        ..FleetOptions::default()
    });
    set_fault(&tf, 0, Fault::Flaky { fail_ratio: 0.5 });
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--retries", "0"]);
        c
    });
    assert_eq!(code(&out), 3);
    let c = cell(&doc, "/posts/a", "pod-1");
    assert_eq!(c["outcome"], "http-error");
    assert_eq!(c["status"], 503);
}

#[test]
fn slow_pod_within_the_timeout_succeeds() {
    let tf = TestFleet::three();
    set_fault(&tf, 1, Fault::Slow(Duration::from_millis(150)));
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/b", "--timeout", "10s", "--retries", "0"]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_all(&doc, "revalidated");
    assert_eq!(tf.pod(1).counters().regenerations, 2);
}

#[test]
fn a_lying_pod_passes_fanout() {
    let tf = TestFleet::three();
    set_fault(&tf, 2, Fault::Lie);
    tf.fleet().cms().set_title("a", "Post A (v2)");
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.arg("/posts/a");
        c
    });
    // fanout cannot tell: the pod says REVALIDATED. (verify catches it.)
    assert_eq!(code(&out), 0);
    assert_all(&doc, "revalidated");
    assert_eq!(
        tf.pod(2).cached_title("/posts/a").as_deref(),
        Some("Post A (initial)")
    );
    assert_eq!(
        tf.pod(0).cached_title("/posts/a").as_deref(),
        Some("Post A (v2)")
    );
}

#[test]
fn method_get_revalidates_and_visitors_see_the_new_page() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        tf.fleet().cms().set_title("b", "Post B (after GET)");
        let before: Vec<u64> = tf
            .pods()
            .iter()
            .map(|p| p.counters().regenerations)
            .collect();
        let (out, doc) = run_json({
            let mut c = fanout(&tf);
            c.args(["/posts/b", "--method", "GET"]);
            c
        });
        assert_eq!(code(&out), 0, "{flavor}");
        assert_eq!(doc["method"], "GET");
        assert_all(&doc, "revalidated");
        for (i, pod) in tf.pods().iter().enumerate() {
            assert_eq!(pod.counters().regenerations, before[i] + 1);
            let (status, cache, body) = visit(&tf, i, "/posts/b");
            assert_eq!(status, 200);
            assert_eq!(cache.as_deref(), Some("HIT"));
            assert!(
                body.contains("Post B (after GET)"),
                "{flavor} {}",
                pod.name()
            );
        }
    }
}

// ---- endpoint mode ----

const ENDPOINT: &str = "/api/revalidate?path={path}";
const SECRET_HEADER: &str = "x-revalidate-secret: ${REVALIDATE_SECRET}";

fn endpoint(tf: &TestFleet, secret: &str) -> assert_cmd::Command {
    let mut c = fanout_bare(tf);
    c.env("REVALIDATE_SECRET", secret).args([
        "--mode",
        "endpoint",
        "--endpoint",
        ENDPOINT,
        "--header",
        SECRET_HEADER,
    ]);
    c
}

#[test]
fn endpoint_mode_revalidates_with_the_right_secret() {
    for flavor in FLAVORS {
        let tf = fleet(flavor);
        tf.fleet().cms().set_title("c", "Post C (endpoint)");
        let (out, doc) = run_json({
            let mut c = endpoint(&tf, tf.fleet().secret());
            c.args(["/posts/c", "--expect-json", "revalidated=true"]);
            c
        });
        assert_eq!(code(&out), 0, "{flavor}: {}", stderr(&out));
        assert_eq!(doc["mode"], "endpoint");
        assert_eq!(doc["method"], "GET");
        assert_all(&doc, "revalidated");
        for (i, pod) in tf.pods().iter().enumerate() {
            let n = pod.counters();
            assert_eq!(n.api_calls, 1);
            assert_eq!(n.regenerations, 1);
            assert_eq!(n.by_path.get("/api/revalidate"), Some(&1));
            let (_, _, body) = visit(&tf, i, "/posts/c");
            assert!(body.contains("Post C (endpoint)"), "{flavor}");
        }
    }
}

#[test]
fn endpoint_mode_wrong_secret_is_http_error_401() {
    let tf = TestFleet::three();
    let (out, doc) = run_json({
        let mut c = endpoint(&tf, "not-the-secret-value");
        c.args(["/posts/a", "--expect-json", "revalidated=true"]);
        c
    });
    assert_eq!(code(&out), 3);
    assert_all(&doc, "http-error");
    for c in doc["cells"].as_array().unwrap() {
        assert_eq!(c["status"], 401);
        assert_eq!(c["attempts"], 1, "a 401 is not retried");
        assert!(c["error"].as_str().unwrap().contains("check the secret"));
    }
    for pod in tf.pods() {
        assert_eq!(pod.counters().regenerations, 0);
    }
}

#[test]
fn endpoint_mode_expect_json_rejects_revalidated_false() {
    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::IgnoreRevalidate);
    let (out, doc) = run_json({
        let mut c = endpoint(&tf, tf.fleet().secret());
        c.args(["/posts/a", "--expect-json", "revalidated=true"]);
        c
    });
    assert_eq!(code(&out), 3);
    let c = cell(&doc, "/posts/a", "pod-1");
    assert_eq!(c["outcome"], "rejected");
    assert_eq!(c["status"], 200);
    assert_eq!(
        c["error"],
        "expected revalidated=true, got revalidated=false"
    );
    assert_eq!(cell(&doc, "/posts/a", "pod-2")["outcome"], "revalidated");

    // Without --expect-json a 200 is success: the check is what catches the pod.
    let (out, doc) = run_json({
        let mut c = endpoint(&tf, tf.fleet().secret());
        c.arg("/posts/a");
        c
    });
    assert_eq!(code(&out), 0);
    assert_all(&doc, "revalidated");
}

#[test]
fn endpoint_mode_body_is_posted_as_shown_by_dry_run() {
    let tf = TestFleet::three();
    let body = r#"{"path":"{path}","why":"edit"}"#;
    let (out, doc) = run_json({
        let mut c = endpoint(&tf, tf.fleet().secret());
        c.args(["/posts/a b", "--body", body, "--dry-run"]);
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(doc["method"], "POST", "a body implies POST");
    let reqs = doc["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 3);
    for r in reqs {
        assert_eq!(r["method"], "POST");
        assert_eq!(r["body"], r#"{"path":"/posts/a%20b","why":"edit"}"#);
        assert!(
            r["url"]
                .as_str()
                .unwrap()
                .ends_with("/api/revalidate?path=/posts/a%2520b"),
            "{r}"
        );
        let headers: Vec<(String, String)> = serde_json::from_value(r["headers"].clone()).unwrap();
        assert!(headers.contains(&("content-type".into(), "application/json".into())));
    }
    for pod in tf.pods() {
        assert_eq!(pod.counters().requests, 0, "dry run sends nothing");
    }

    // Sent for real: the sim's /api/revalidate reads the query and takes any method.
    let (out, doc) = run_json({
        let mut c = endpoint(&tf, tf.fleet().secret());
        c.args([
            "/posts/a",
            "--body",
            body,
            "--expect-json",
            "revalidated=true",
        ]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(doc["method"], "POST");
    assert_all(&doc, "revalidated");
    for pod in tf.pods() {
        assert_eq!(pod.counters().api_calls, 1);
    }

    // --endpoint-method GET keeps GET even with a body.
    let (_, doc) = run_json({
        let mut c = endpoint(&tf, tf.fleet().secret());
        c.args(["/posts/a", "--body", body, "--endpoint-method", "GET"])
            .arg("--dry-run");
        c
    });
    assert_eq!(doc["method"], "GET");
}

#[test]
fn endpoint_mode_missing_variable_is_a_usage_error_naming_it() {
    let tf = TestFleet::three();
    let out = fanout_bare(&tf)
        .args([
            "/posts/a",
            "--mode",
            "endpoint",
            "--endpoint",
            ENDPOINT,
            "--header",
            "x-revalidate-secret: ${REVALIDATE_TEST_NOT_SET}",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("environment variable REVALIDATE_TEST_NOT_SET is not set"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    for pod in tf.pods() {
        assert_eq!(pod.counters().requests, 0);
    }

    // The same in the endpoint template.
    let out = fanout_bare(&tf)
        .args([
            "/posts/a",
            "--mode",
            "endpoint",
            "--endpoint",
            "/api/revalidate?path={path}&t=${REVALIDATE_TEST_ALSO_UNSET}",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("REVALIDATE_TEST_ALSO_UNSET"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn endpoint_mode_without_a_template_is_a_usage_error() {
    let tf = TestFleet::three();
    let out = fanout_bare(&tf)
        .args(["/posts/a", "--mode", "endpoint"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--endpoint TEMPLATE"),
        "{}",
        stderr(&out)
    );
    let out = fanout_bare(&tf)
        .args([
            "/posts/a",
            "--mode",
            "endpoint",
            "--endpoint",
            "/api/revalidate",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("has no {path}"), "{}", stderr(&out));
}

// ---- ordering, concurrency, deadline, Ctrl-C ----

#[test]
fn cells_come_out_in_path_then_pod_order_whatever_the_concurrency() {
    let tf = TestFleet::start(FleetOptions {
        extra_slugs: 24,
        ..FleetOptions::default()
    });
    // A slow first pod finishes last, so completion order differs from input order.
    set_fault(&tf, 0, Fault::Slow(Duration::from_millis(15)));
    let paths: Vec<String> = (1..=24)
        .rev()
        .map(|i| format!("/posts/p{i}"))
        .chain(["/posts/a".to_string(), "/nope".into()])
        .collect();
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(&paths)
            .args(["--concurrency", "16", "--per-pod-concurrency", "4"]);
        c
    });
    assert_eq!(code(&out), 3, "/nope is gone");
    let got: Vec<(String, String)> = cells(&doc).into_iter().map(|(p, t, _)| (p, t)).collect();
    let want: Vec<(String, String)> = paths
        .iter()
        .flat_map(|p| ["pod-1", "pod-2", "pod-3"].map(|t| (p.clone(), t.to_string())))
        .collect();
    assert_eq!(got, want);
    let rows: Vec<&str> = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(rows, paths.iter().map(String::as_str).collect::<Vec<_>>());

    // NDJSON cells arrive as they complete, but every one arrives exactly once.
    let out = fanout(&tf)
        .args(&paths)
        .args(["--concurrency", "16", "-o", "ndjson"])
        .output()
        .unwrap();
    let mut seen: Vec<(String, String)> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["event"] == "cell")
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["pod"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(seen, want_sorted);
}

#[test]
fn one_request_per_pod_at_a_time_still_completes() {
    let tf = TestFleet::three();
    set_fault(&tf, 1, Fault::Slow(Duration::from_millis(30)));
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/b", "/posts/c", "/posts/d", "/posts/e"])
            .args(["--per-pod-concurrency", "1", "--concurrency", "2"]);
        c
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(cells(&doc).len(), 15);
    assert_all(&doc, "revalidated");
    for pod in tf.pods() {
        assert_eq!(pod.counters().revalidate_requests, 5);
    }
}

#[test]
fn no_more_than_per_pod_concurrency_requests_reach_one_pod() {
    let tf = TestFleet::three();
    set_fault(&tf, 1, Fault::Hang);
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/b", "/posts/c", "/posts/d", "/posts/e"])
            .args(["--per-pod-concurrency", "2", "--deadline", "1s"])
            .args(["--timeout", "30s"]);
        c
    });
    assert_eq!(code(&out), 3);
    // Two requests hang and hold both of the pod's slots; the other three never start.
    assert_eq!(tf.pod(1).counters().requests, 2);
    let attempts: Vec<u64> = doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["pod"] == "pod-2")
        .map(|c| {
            assert_eq!(c["outcome"], "cancelled");
            c["attempts"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(
        attempts.iter().filter(|a| **a == 1).count(),
        2,
        "{attempts:?}"
    );
    assert_eq!(
        attempts.iter().filter(|a| **a == 0).count(),
        3,
        "{attempts:?}"
    );
    // The other pods were not held up by the hung one.
    assert_eq!(tf.pod(0).counters().revalidate_requests, 5);
    assert_eq!(tf.pod(2).counters().revalidate_requests, 5);
}

#[test]
fn deadline_cancels_what_is_unfinished() {
    let tf = TestFleet::three();
    set_fault(&tf, 1, Fault::Hang);
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/b", "--deadline", "1s"]).args([
            "--timeout",
            "30s",
            "--per-pod-concurrency",
            "1",
        ]);
        c
    });
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(doc["stopped"], "deadline");
    assert_eq!(doc["exit_code"], 3);
    for path in ["/posts/a", "/posts/b"] {
        let c = cell(&doc, path, "pod-2");
        assert_eq!(c["outcome"], "cancelled");
        assert_eq!(c["ok"], false);
        assert!(c["error"].as_str().unwrap().contains("--deadline"));
        assert_eq!(cell(&doc, path, "pod-1")["outcome"], "revalidated");
        assert_eq!(cell(&doc, path, "pod-3")["outcome"], "revalidated");
    }
    // One request reached the hung pod; the second never started.
    assert_eq!(tf.pod(1).counters().requests, 1);

    let out = fanout(&tf)
        .args(["/posts/a", "--deadline", "300ms", "--timeout", "30s"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains("pod-2") && l.contains("cancelled")),
        "{text}"
    );
    assert!(
        text.contains("stopped early: deadline reached; this report is partial"),
        "{text}"
    );
}

/// The binary as a plain child process (for signals and closed pipes), clean environment.
pub(crate) fn spawn(
    dir: &std::path::Path,
    args: &[String],
    stdout: std::process::Stdio,
) -> std::process::Child {
    crate::common::std_command(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns")
}

pub(crate) fn fanout_args(tf: &TestFleet, extra: &[&str]) -> Vec<String> {
    let mut a = vec!["fanout".to_string()];
    a.extend(tf.pod_args());
    a.extend(tf.manifest_arg());
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn ctrl_c_prints_the_partial_report_and_exits_130() {
    let tf = TestFleet::three();
    set_fault(&tf, 2, Fault::Hang);
    let child = spawn(
        tf.dir.path(),
        &fanout_args(
            &tf,
            &["/posts/a", "/posts/b", "--timeout", "60s", "-o", "json"],
        ),
        std::process::Stdio::piped(),
    );
    let hung = tf.pod(2).clone();
    assert!(
        wait_until(20, || hung.counters().requests >= 1),
        "the request never reached the hung pod"
    );
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 130, "stderr: {}", stderr(&out));
    let doc = json(&out);
    assert_schema("report.schema.json", &doc);
    assert_eq!(doc["stopped"], "interrupted");
    assert_eq!(doc["exit_code"], 130);
    assert_eq!(cell(&doc, "/posts/a", "pod-3")["outcome"], "cancelled");
    assert_eq!(cell(&doc, "/posts/b", "pod-3")["outcome"], "cancelled");
    assert_eq!(cells(&doc).len(), 6, "the report lists every cell");
    // The healthy pods' cells finished, or were cut short if still in flight at the signal.
    for (_, pod, outcome) in cells(&doc) {
        if pod != "pod-3" {
            assert!(
                outcome == "revalidated" || outcome == "cancelled",
                "{outcome}"
            );
        }
    }
}

#[test]
fn ctrl_c_human_report_says_it_is_partial() {
    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::Hang);
    let child = spawn(
        tf.dir.path(),
        &fanout_args(&tf, &["/posts/a", "--timeout", "60s"]),
        std::process::Stdio::piped(),
    );
    let hung = tf.pod(0).clone();
    assert!(wait_until(20, || hung.counters().requests >= 1));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 130);
    let text = stdout(&out);
    assert!(
        text.contains("stopped early: interrupted; this report is partial"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.trim_end().ends_with("exit 130")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("pod-1") && l.contains("cancelled")),
        "{text}"
    );
}

#[test]
fn ctrl_c_while_retrying_still_exits_130() {
    let tf = TestFleet::three();
    // Every answer is a 503: the cell spends its time backing off between retries.
    set_fault(&tf, 0, Fault::Status(503));
    let child = spawn(
        tf.dir.path(),
        &fanout_args(&tf, &["/posts/a", "--retries", "20", "-o", "json"]),
        std::process::Stdio::piped(),
    );
    let pod = tf.pod(0).clone();
    assert!(wait_until(20, || pod.counters().requests >= 2), "retrying");
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 130, "stderr: {}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["stopped"], "interrupted");
    let c = cell(&doc, "/posts/a", "pod-1");
    // Cut short while backing off (the last 503 is kept) or while a retry was in flight.
    assert!(
        c["outcome"] == "http-error" || c["outcome"] == "cancelled",
        "{c}"
    );
    assert!(c["attempts"].as_u64().unwrap() < 21);
}

#[test]
fn deadline_while_retrying_is_reported_as_stopped() {
    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::Status(503));
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--retries", "20", "--deadline", "1s"]);
        c
    });
    assert_eq!(code(&out), 3);
    assert_eq!(doc["stopped"], "deadline", "{doc:#}");
    let c = cell(&doc, "/posts/a", "pod-1");
    assert!(
        c["outcome"] == "http-error" || c["outcome"] == "cancelled",
        "{c}"
    );
    assert!(c["attempts"].as_u64().unwrap() < 21);
    assert_eq!(cell(&doc, "/posts/a", "pod-2")["outcome"], "revalidated");
}

#[test]
fn a_redirect_is_an_http_error_naming_where_it_goes() {
    let tf = TestFleet::three();
    let (out, doc) = run_json({
        let mut c = fanout(&tf);
        c.arg("/posts/a/");
        c
    });
    assert_eq!(code(&out), 3);
    assert_all(&doc, "http-error");
    let c = cell(&doc, "/posts/a/", "pod-1");
    assert_eq!(c["status"], 308);
    assert_eq!(c["error"], "308 redirect to /posts/a");
    assert_eq!(
        tf.pod(0).counters().requests,
        1,
        "redirects are not followed"
    );
}

#[test]
fn dry_run_sends_nothing_and_redacts_the_preview_id() {
    let tf = TestFleet::three();
    let id = tf.fleet().preview_id().to_string();
    let out = fanout(&tf)
        .args(["/posts/a", "/posts/b", "--dry-run", "--only-generated"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("dry run: 6 requests would be sent (2 paths × 3 pods); nothing was sent."),
        "{text}"
    );
    for pod in tf.pods() {
        assert!(
            text.lines()
                .any(|l| l == format!("HEAD {}/posts/b", pod.url())),
            "{text}"
        );
        assert_eq!(pod.counters().requests, 0);
    }
    let redacted = text
        .lines()
        .filter(|l| l.starts_with("  x-prerender-revalidate: <redacted: previewModeId from "))
        .count();
    assert_eq!(redacted, 6, "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| *l == "  x-prerender-revalidate-if-generated: 1")
            .count(),
        6
    );
    assert!(!text.contains(&id));
    assert!(!stderr(&out).contains(&id));
}

// ---- the library, in-process ----

#[test]
fn library_run_returns_cells_in_input_order() {
    use revalidate::cli::RevalidateMethod;
    use revalidate::config::Limits;
    use revalidate::fanout::{self, How, Plan};
    use revalidate::http::Engine;
    use revalidate::paths::{Purpose, UrlPath};
    use revalidate::secret::Secret;

    let tf = TestFleet::three();
    set_fault(&tf, 0, Fault::Slow(Duration::from_millis(40)));
    tf.fleet().cms().delete("c");
    let paths: Vec<UrlPath> = ["/posts/c", "/posts/b", "/posts/a", "/nope"]
        .iter()
        .map(|p| UrlPath::parse(p, Purpose::Pod).unwrap())
        .collect();
    let targets: Vec<_> = tf
        .pods()
        .iter()
        .map(|p| revalidate::targets::parse_spec(&format!("{}={}", p.name(), p.url())).unwrap())
        .collect();
    let plan = Plan {
        paths,
        targets,
        how: How::Nextjs {
            method: RevalidateMethod::Head,
            only_generated: false,
            preview_id: Secret::new(tf.fleet().preview_id(), "test"),
        },
        allow_gone: true,
    };
    let limits = Limits {
        concurrency: 8,
        per_pod_concurrency: 4,
        timeout: Duration::from_secs(10),
        retries: 0,
        deadline: None,
    };
    let engine = Engine::new(
        revalidate::http::client(&limits, false, 3).unwrap(),
        limits,
        tokio_util::sync::CancellationToken::new(),
    );
    let mut seen = Vec::new();
    let cells = tf.block_on(fanout::run(&plan, &engine, |c| {
        seen.push((c.path.clone(), c.pod.clone()))
    }));
    let got: Vec<(String, String)> = cells
        .iter()
        .map(|c| (c.path.clone(), c.pod.clone()))
        .collect();
    let want: Vec<(String, String)> = ["/posts/c", "/posts/b", "/posts/a", "/nope"]
        .iter()
        .flat_map(|p| ["pod-1", "pod-2", "pod-3"].map(|t| (p.to_string(), t.to_string())))
        .collect();
    assert_eq!(got, want);
    assert_eq!(seen.len(), 12, "on_cell sees every cell once");
    seen.sort();
    let mut sorted = want.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    let outcome = |p: &str| {
        cells
            .iter()
            .filter(|c| c.path == p)
            .map(|c| c.outcome)
            .collect::<Vec<_>>()
    };
    assert_eq!(outcome("/posts/c"), vec![fanout::Outcome::Gone; 3]);
    assert_eq!(outcome("/posts/a"), vec![fanout::Outcome::Revalidated; 3]);
    assert!(cells.iter().all(|c| c.ok), "gone is allowed");

    let report = fanout::report(
        &plan,
        cells,
        (std::time::SystemTime::now(), std::time::Instant::now()),
        engine.observed_stop(),
    );
    assert_eq!(report.exit_code, 0);
    assert_eq!(report.totals.cells, 12);
    assert_eq!(report.stopped, None);
}
