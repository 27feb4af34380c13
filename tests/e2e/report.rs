//! The one place that reads the CLI's JSON reports; every other module sees only the plain
//! tuples below, so a new report format means changing this file only. Reads the flat report
//! of `schema_version` 1, the envelope of step reports of 2, and 3, where each verify verdict
//! carries its path's fetches.

use serde_json::Value;

/// One fanout cell: (path, pod, outcome), e.g. ("/posts/a", "pod-2", "revalidated").
pub type Cell = (String, String, String);

/// One verify verdict: (path, verdict, stale pods), e.g. ("/posts/a", "stale", ["pod-3"]).
pub type Verdict = (String, String, Vec<String>);

/// What one pod answered on the wire: (path, pod, HTTP status, `x-nextjs-cache`), e.g.
/// ("/posts/d", "pod-2", Some(404), Some("REVALIDATED")). Below the outcomes, so finer.
pub type Wire = (String, String, Option<u64>, Option<String>);

/// The report of the one `step` ("fanout" or "verify") a command ran: the document itself in
/// `schema_version` 1, the matching entry of `steps` in 2 and 3.
fn step<'a>(doc: &'a Value, step: &str) -> &'a Value {
    match doc["schema_version"].as_u64() {
        Some(1) => doc,
        Some(2 | 3) => {
            let steps = doc["steps"]
                .as_array()
                .unwrap_or_else(|| panic!("a version 2 report has steps: {doc:#}"));
            let mut matching = steps.iter().filter(|s| s["step"] == step);
            let report = matching
                .next()
                .unwrap_or_else(|| panic!("no {step} step in {doc:#}"));
            assert!(matching.next().is_none(), "one {step} step in {doc:#}");
            report
        }
        _ => panic!("unknown report schema_version: {doc:#}"),
    }
}

/// Every (path, pod, outcome) of a `fanout -o json` report, in report order (path, then pod).
pub fn fanout_outcomes(doc: &Value) -> Vec<Cell> {
    let doc = step(doc, "fanout");
    doc["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a fanout report has cells: {doc:#}"))
        .iter()
        .map(|c| (text(&c["path"]), text(&c["pod"]), text(&c["outcome"])))
        .collect()
}

/// Every fanout cell's status and `x-nextjs-cache`, in report order.
pub fn fanout_wire(doc: &Value) -> Vec<Wire> {
    wire(cells(step(doc, "fanout")), "cache")
}

/// Every (path, verdict, stale pods) of a `verify -o json` report, in path order.
pub fn verify_verdicts(doc: &Value) -> Vec<Verdict> {
    let doc = step(doc, "verify");
    doc["verdicts"]
        .as_array()
        .unwrap_or_else(|| panic!("a verify report has verdicts: {doc:#}"))
        .iter()
        .map(|v| {
            let stale = v["stale_pods"]
                .as_array()
                .unwrap_or_else(|| panic!("a verdict lists its stale pods: {v:#}"))
                .iter()
                .map(text)
                .collect();
            (text(&v["path"]), text(&v["verdict"]), stale)
        })
        .collect()
}

/// Every verify fetch's status and `x-nextjs-cache`, in report order.
pub fn verify_wire(doc: &Value) -> Vec<Wire> {
    let report = step(doc, "verify");
    if doc["schema_version"].as_u64() < Some(3) {
        return wire(cells(report), "nextjs_cache");
    }
    // Each verdict carries its path's fetches.
    let verdicts = report["verdicts"]
        .as_array()
        .unwrap_or_else(|| panic!("a verify report has verdicts: {report:#}"));
    wire(verdicts.iter().flat_map(cells), "nextjs_cache")
}

/// The `cells` of a report (or of a verdict).
fn cells(doc: &Value) -> impl Iterator<Item = &Value> {
    doc["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a report has cells: {doc:#}"))
        .iter()
}

fn wire<'a>(cells: impl Iterator<Item = &'a Value>, cache_field: &str) -> Vec<Wire> {
    cells
        .map(|c| {
            // A verify cell of a variant a browser fetches is named by it: "/p (rsc)".
            let path = match c["variant"].as_str() {
                Some(v) if v != "html" => format!("{} ({v})", text(&c["path"])),
                _ => text(&c["path"]),
            };
            (
                path,
                text(&c["pod"]),
                c["status"].as_u64(),
                c[cache_field].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
        .to_owned()
}

/// One published message: (path, receivers, outcome, acknowledgements as (pod, outcome)).
pub type Published = (String, Option<i64>, String, Vec<(String, String)>);

/// Every message of a `publish -o json` report, in input order.
pub fn publish_messages(doc: &Value) -> Vec<Published> {
    let doc = step(doc, "publish");
    doc["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("a publish report has messages: {doc:#}"))
        .iter()
        .map(|m| {
            let mut acks: Vec<(String, String)> = m["acks"]
                .as_array()
                .unwrap_or_else(|| panic!("a message lists its acks: {m:#}"))
                .iter()
                .map(|a| (text(&a["pod"]), text(&a["outcome"])))
                .collect();
            acks.sort();
            (
                text(&m["path"]),
                m["receivers"].as_i64(),
                text(&m["outcome"]),
                acks,
            )
        })
        .collect()
}

/// Every (path, variant) a `cdn purge -o json` report sent a purge for, in report order, with
/// `build_id` written as BUILD (the real and simulated builds have different ids).
pub fn purge_urls(doc: &Value, build_id: &str) -> Vec<(String, String)> {
    let doc = step(doc, "cdn-purge");
    doc["results"]
        .as_array()
        .unwrap_or_else(|| panic!("a purge report has results: {doc:#}"))
        .iter()
        .map(|r| {
            (
                text(&r["path"]).replace(build_id, "BUILD"),
                text(&r["variant"]),
            )
        })
        .collect()
}

/// Every (variant, verdict) of the one path of a `verify -o json` report.
pub fn verify_variants(doc: &Value) -> Vec<(String, String)> {
    let doc = step(doc, "verify");
    let verdicts = doc["verdicts"]
        .as_array()
        .unwrap_or_else(|| panic!("a verify report has verdicts: {doc:#}"));
    assert_eq!(verdicts.len(), 1, "one path: {doc:#}");
    verdicts[0]["variants"]
        .as_array()
        .unwrap_or_else(|| panic!("a verdict lists its variants: {doc:#}"))
        .iter()
        .map(|v| (text(&v["variant"]), text(&v["verdict"])))
        .collect()
}

/// The kinds of a version 2 document's steps, in order; a verify through an edge is
/// "verify-edge".
pub fn step_kinds(doc: &Value) -> Vec<String> {
    doc["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("a version 2 report has steps: {doc:#}"))
        .iter()
        .map(|s| match text(&s["step"]).as_str() {
            "verify" if !s["through"].is_null() => "verify-edge".to_owned(),
            kind => kind.to_owned(),
        })
        .collect()
}

/// `run`'s own report, the document's last step, read into the library's type.
pub fn run_report(doc: &Value) -> revalidate::run::Report {
    let last = doc["steps"]
        .as_array()
        .and_then(|s| s.last())
        .filter(|s| s["step"] == "run")
        .unwrap_or_else(|| panic!("the last step is not the run's report: {doc:#}"));
    serde_json::from_value(last.clone())
        .unwrap_or_else(|e| panic!("the run's report does not read back ({e}): {last:#}"))
}

/// `run`'s verify of the pods (`edge` false) or through the edge (`edge` true).
fn run_verify(doc: &Value, edge: bool) -> &Value {
    let steps = doc["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("a version 2 report has steps: {doc:#}"));
    let mut matching = steps
        .iter()
        .filter(|s| s["step"] == "verify" && s["through"].is_null() != edge);
    let report = matching
        .next()
        .unwrap_or_else(|| panic!("no verify step (edge: {edge}) in {doc:#}"));
    assert!(matching.next().is_none(), "one such verify step in {doc:#}");
    report
}

/// Per path, how many pods `run`'s verify found changed since its snapshot, and the rounds it
/// took (`--wait` re-checks what is not settled).
pub fn run_changes(doc: &Value) -> (Vec<(String, u64)>, u64) {
    let report = run_verify(doc, false);
    let changed = report["verdicts"]
        .as_array()
        .unwrap_or_else(|| panic!("a verify report has verdicts: {report:#}"))
        .iter()
        .map(|v| {
            let n = v["changes"]["changed"]
                .as_u64()
                .unwrap_or_else(|| panic!("judged against the snapshot: {v:#}"));
            (text(&v["path"]), n)
        })
        .collect();
    (changed, report["rounds"].as_u64().unwrap_or_default())
}

/// Every (path, variant, verdict) of `run`'s verify of the pods (`edge` false) or through the
/// edge (`edge` true), in path order.
pub fn run_variants(doc: &Value, edge: bool) -> Vec<(String, String, String)> {
    let report = run_verify(doc, edge);
    report["verdicts"]
        .as_array()
        .unwrap_or_else(|| panic!("a verify report has verdicts: {report:#}"))
        .iter()
        .flat_map(|v| {
            let path = text(&v["path"]);
            v["variants"]
                .as_array()
                .unwrap_or_else(|| panic!("a verdict lists its variants: {v:#}"))
                .iter()
                .map(move |x| (path.clone(), text(&x["variant"]), text(&x["verdict"])))
        })
        .collect()
}

/// The warnings of the one `step` of a version 2 document.
pub fn step_warnings(doc: &Value, step_name: &str) -> Vec<String> {
    step(doc, step_name)["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("a {step_name} report has warnings: {doc:#}"))
        .iter()
        .map(text)
        .collect()
}
