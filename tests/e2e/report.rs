//! The one place that reads the CLI's JSON reports. The report format is about to change (an
//! envelope of step reports, `schema_version` 2, new verify verdicts), so every other module
//! sees only the plain tuples below; adapting to a new format means changing this file only.

use serde_json::Value;

/// One fanout cell: (path, pod, outcome), e.g. ("/posts/a", "pod-2", "revalidated").
pub type Cell = (String, String, String);

/// One verify verdict: (path, verdict, stale pods), e.g. ("/posts/a", "stale", ["pod-3"]).
pub type Verdict = (String, String, Vec<String>);

/// What one pod answered on the wire: (path, pod, HTTP status, `x-nextjs-cache`), e.g.
/// ("/posts/d", "pod-2", Some(404), Some("REVALIDATED")). Below the outcomes, so finer.
pub type Wire = (String, String, Option<u64>, Option<String>);

/// Every (path, pod, outcome) of a `fanout -o json` report, in report order (path, then pod).
pub fn fanout_outcomes(doc: &Value) -> Vec<Cell> {
    doc["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a fanout report has cells: {doc:#}"))
        .iter()
        .map(|c| (text(&c["path"]), text(&c["pod"]), text(&c["outcome"])))
        .collect()
}

/// Every fanout cell's status and `x-nextjs-cache`, in report order.
pub fn fanout_wire(doc: &Value) -> Vec<Wire> {
    wire(doc, "cache")
}

/// Every (path, verdict, stale pods) of a `verify -o json` report, in path order.
pub fn verify_verdicts(doc: &Value) -> Vec<Verdict> {
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
    wire(doc, "nextjs_cache")
}

fn wire(doc: &Value, cache_field: &str) -> Vec<Wire> {
    doc["cells"]
        .as_array()
        .unwrap_or_else(|| panic!("a report has cells: {doc:#}"))
        .iter()
        .map(|c| {
            (
                text(&c["path"]),
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
