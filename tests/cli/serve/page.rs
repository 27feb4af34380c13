//! The status page in headless Chromium: it loads under its Content-Security-Policy with no
//! console error or violation, lists a job as it is accepted and runs, and shows its verdict
//! once the job ends: each path's, and per pod, per variant and at the edge.
//!
//! First against the real `revalidate serve` on the simulated fleet (a job posted with the
//! secret, followed on the page). Then against a small server in the test (the page's router
//! plus a fake `/api` whose jobs carry a real `revalidate run -o json` document, made by the
//! built binary on the simulated fleet) for what serve does not do on demand: server-sent events
//! that fail (the page polls), a run that failed without a report, a run shared by two jobs.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use revalidate_sim::{Edge, EdgeOptions};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::chromium::{Chromium, Tab};
use crate::common::{TestFleet, code};

/// serve's secret in these tests, the password of the page's basic auth.
const PASSWORD: &str = super::SECRET;

/// The pods' names carry markup: data the page must show as text.
const POD_NAMES: [&str; 3] = ["<b>pod-1</b>", "<i>pod-2</i>", "pod-3"];

/// The fleet's balancer and caching edge, kept running for the test.
struct Front {
    _balancer: revalidate_sim::Balancer,
    edge: Edge,
}

fn front(tf: &TestFleet) -> Front {
    let balancer = tf.balancer();
    let edge = tf
        .block_on(Edge::start(balancer.addr(), EdgeOptions::default()))
        .expect("edge");
    Front {
        _balancer: balancer,
        edge,
    }
}

/// The pipeline's arguments: every pod (named with markup), the build's manifest, the edge to
/// purge and prove.
fn pipeline_args(tf: &TestFleet, front: &Front) -> Vec<String> {
    let mut args: Vec<String> = tf
        .pods()
        .iter()
        .zip(POD_NAMES)
        .flat_map(|(p, name)| ["--pod".to_string(), format!("{name}={}", p.url())])
        .collect();
    args.extend(tf.manifest_arg());
    args.extend([
        "--edge".to_string(),
        front.edge.url(),
        "--purge-url".to_string(),
        format!("edge={}", front.edge.url()),
    ]);
    args
}

/// A real `run -o json` document: /posts/a changed in the CMS (fresh), /posts/b did not
/// (unchanged), on three pods behind a balancer and a caching edge, the edge purged.
fn run_document(tf: &TestFleet) -> Value {
    let front = front(tf);
    tf.fleet().cms().set_title("a", "Post A v2");
    let out = tf
        .cmd()
        .args(["run", "/posts/a", "/posts/b", "-o", "json"])
        .args(pipeline_args(tf, &front))
        .output()
        .expect("runs");
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("a JSON document")
}

/// The job of the API, at one of its states, with or without its run's report.
fn job(doc: &Value, status: &str, with_report: bool) -> Value {
    let done = status == "done";
    let at = doc["started_at"].clone();
    let mut run = json!({
        "id": "r-1",
        "paths": ["/posts/a", "/posts/b"],
        "status": status,
        "exit_code": if done { doc["exit_code"].clone() } else { Value::Null },
    });
    if done && with_report {
        run["report"] = doc.clone();
    }
    let mut results = json!({});
    if done {
        for p in doc["steps"].as_array().unwrap().last().unwrap()["paths"]
            .as_array()
            .unwrap()
        {
            results[p["path"].as_str().unwrap()] =
                json!({"outcome": p["verdict"], "reason": p["reason"]});
        }
    }
    json!({
        "id": "j-1",
        "status": status,
        "accepted_at": at,
        "started_at": if status == "queued" { Value::Null } else { at.clone() },
        "finished_at": if done { doc["finished_at"].clone() } else { Value::Null },
        "paths": ["/posts/a", "/posts/b"],
        // Markup in data: shown as text, never parsed.
        "source": "route:<img src=x id=xss-source>",
        "outcome": if done { json!("unchanged") } else { Value::Null },
        "exit_code": if done { doc["exit_code"].clone() } else { Value::Null },
        "summary": if done {
            "1 fresh, 1 unchanged <script id=xss-summary>document.title='x'</script>"
        } else {
            "waiting"
        },
        "results": results,
        "runs": [run],
    })
}

/// The fake API: the jobs accepted, newest first, and their changes as server-sent events.
struct Api {
    jobs: Mutex<Vec<Value>>,
    changes: broadcast::Sender<Value>,
    events: bool,
}

impl Api {
    fn new(events: bool) -> Arc<Api> {
        Arc::new(Api {
            jobs: Mutex::default(),
            changes: broadcast::channel(16).0,
            events,
        })
    }

    /// A job accepted (put first) or changed (in its place), and the event saying so.
    fn set(&self, job: Value) {
        let mut jobs = self.jobs.lock().unwrap();
        match jobs.iter_mut().find(|j| j["id"] == job["id"]) {
            Some(j) => *j = job.clone(),
            None => jobs.insert(0, job.clone()),
        }
        let _ = self.changes.send(job);
    }
}

async fn jobs(State(api): State<Arc<Api>>) -> Response {
    let list: Vec<Value> = api.jobs.lock().unwrap().clone();
    let list: Vec<Value> = list.into_iter().map(without_reports).collect();
    axum::Json(json!({"jobs": list})).into_response()
}

fn without_reports(mut job: Value) -> Value {
    for run in job["runs"].as_array_mut().into_iter().flatten() {
        run.as_object_mut().unwrap().remove("report");
    }
    job
}

async fn one_job(State(api): State<Arc<Api>>, Path(id): Path<String>) -> Response {
    let job = api
        .jobs
        .lock()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id.as_str())
        .cloned();
    match job {
        Some(j) => axum::Json(j).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn events(State(api): State<Arc<Api>>) -> Response {
    if !api.events {
        return StatusCode::NOT_FOUND.into_response();
    }
    let rx = api.changes.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(job) => {
                    let e = Event::default()
                        .event("job")
                        .data(without_reports(job).to_string());
                    return Some((Ok::<_, Infallible>(e), rx));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn basic_auth() -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("editor:{PASSWORD}"));
    format!("Basic {b64}")
}

/// Basic auth with the secret as password, as serve asks of the page.
async fn require_auth(req: Request, next: Next) -> Response {
    let ok = req
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes() == basic_auth().as_bytes());
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"revalidate\"")],
        )
            .into_response();
    }
    next.run(req).await
}

/// Serves the page and the fake API on 127.0.0.1; returns the page's URL.
fn serve(tf: &TestFleet, api: Arc<Api>) -> String {
    let app = Router::new()
        .route("/api/jobs", get(jobs))
        .route("/api/jobs/{id}", get(one_job))
        .route("/api/events", get(events))
        .with_state(api)
        .merge(revalidate::serve::page::router())
        .layer(middleware::from_fn(require_auth));
    let listener = tf
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tf.rt.spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

/// What the page shows of the job: its verdict word, then each path's.
async fn verdicts(tab: &Tab<'_>) -> Value {
    tab.eval(
        r#"(() => {
            const job = document.querySelector('[data-job-id="j-1"]');
            if (!job) return null;
            return {
                job: job.querySelector('.job-verdict').textContent,
                paths: [...job.querySelectorAll('.path')].map((p) => [
                    p.dataset.path, p.querySelector('.path-verdict').textContent]),
            };
        })()"#,
    )
    .await
}

/// The table of one path: each row's header and cells, as text.
async fn grid(tab: &Tab<'_>, path: &str) -> Vec<Vec<String>> {
    let v = tab
        .eval(&format!(
            r#"[...document.querySelector('[data-job-id="j-1"] .path[data-path="{path}"] table').rows]
                .map((r) => [...r.cells].map((c) => c.querySelector('.badge') && c.tagName === 'TD'
                    ? c.querySelector('.badge').textContent : c.textContent))"#
        ))
        .await;
    serde_json::from_value(v).expect("rows of text")
}

/// The page follows a job from accepted to done and shows the truth of each path.
async fn follow_a_job(tab: &Tab<'_>, api: &Api, doc: &Value, live: bool) {
    api.set(job(doc, "queued", false));
    tab.wait_for(
        "the accepted job",
        r#"document.querySelector('[data-job-id="j-1"] .job-verdict')?.textContent === 'queued'"#,
    )
    .await;
    api.set(job(doc, "running", false));
    tab.wait_for(
        "the job running",
        r#"document.querySelector('[data-job-id="j-1"] .job-verdict')?.textContent === 'running'"#,
    )
    .await;
    api.set(job(doc, "done", true));
    tab.wait_for(
        "each path's table",
        r#"document.querySelectorAll('[data-job-id="j-1"] .path[data-verdict] table').length === 2"#,
    )
    .await;
    assert_eq!(
        verdicts(tab).await,
        json!({"job": "unchanged", "paths": [["/posts/a", "fresh"], ["/posts/b", "unchanged"]]})
    );
    // Per pod and per variant (the page and its data JSON), then the edge; each word is the
    // report's (a pod's state, a variant's verdict, the edge's verdict).
    let rows = grid(tab, "/posts/a").await;
    let expected: Vec<Vec<String>> = [
        vec!["pod", "page", "data JSON"],
        vec!["all pods", "fresh", "fresh"],
        vec![POD_NAMES[0], "fresh", "fresh"],
        vec![POD_NAMES[1], "fresh", "fresh"],
        vec![POD_NAMES[2], "fresh", "fresh"],
        vec!["edge", "fresh", "fresh"],
    ]
    .iter()
    .map(|r| r.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(rows, expected, "the grid of /posts/a");
    let rows = grid(tab, "/posts/b").await;
    assert_eq!(rows[1], ["all pods", "unchanged", "unchanged"]);
    assert_eq!(rows[2], [POD_NAMES[0], "unchanged", "unchanged"]);
    assert_eq!(rows[5], ["edge", "not checked", "not checked"]);
    // Markup in data stays text: no element was made of it, and it reads as sent.
    let injected = tab
        .eval(
            "document.querySelectorAll('#xss-source, #xss-summary, .job b, .job i, .job img, \
             .job script').length",
        )
        .await;
    assert_eq!(injected, json!(0));
    let text = tab.eval("document.body.textContent").await;
    let text = text.as_str().unwrap();
    assert!(text.contains("route:<img src=x id=xss-source>"), "{text}");
    assert!(text.contains(POD_NAMES[0]), "{text}");
    // On a phone, every table opened, the page still fits the screen's width (a wide table
    // scrolls in its own box).
    tab.phone(360).await;
    tab.eval("document.querySelectorAll('.path details').forEach((d) => { d.open = true; })")
        .await;
    let fits = tab
        .eval("document.documentElement.scrollWidth <= window.innerWidth")
        .await;
    assert_eq!(fits, json!(true), "the page is wider than a phone's screen");
    let state = tab
        .eval("document.getElementById('connection').dataset.state")
        .await;
    assert_eq!(state, json!(if live { "live" } else { "polling" }));
}

/// A newer job whose run ended without a report (a set-up failure): listed first, `failed`,
/// and each of its paths says there is no report, with the exit code.
async fn a_failed_job_comes_first_and_says_so(tab: &Tab<'_>, api: &Api, doc: &Value) {
    let later = doc["finished_at"].clone();
    api.set(json!({
        "id": "j-2", "status": "done", "accepted_at": later, "started_at": later,
        "finished_at": later, "paths": ["/posts/c"], "source": "paths", "outcome": "failed",
        "exit_code": 5, "summary": "the Kubernetes API refused the credentials",
        "results": {"/posts/c": {"outcome": "failed", "reason": "the run failed"}},
        "runs": [{"id": "r-2", "paths": ["/posts/c"], "status": "done", "exit_code": 5,
                  "error": "list endpointslices: 403 <forbidden>"}],
    }));
    tab.wait_for(
        "the failed job's paths",
        r#"document.querySelector('[data-job-id="j-2"] .path .path-verdict')?.textContent === 'no report (exit 5)'"#,
    )
    .await;
    let error = tab
        .eval(r#"document.querySelector('[data-job-id="j-2"] .problem').textContent"#)
        .await;
    assert_eq!(error, json!("list endpointslices: 403 <forbidden>"));
    let shown = tab
        .eval(
            r#"[...document.querySelectorAll('#jobs > li')].map((li) =>
                [li.dataset.jobId, li.querySelector('.job-verdict').textContent])"#,
        )
        .await;
    assert_eq!(shown, json!([["j-2", "failed"], ["j-1", "unchanged"]]));
}

/// A job whose path joined another job's run: the run's report holds both jobs' paths, the
/// job shows its own only.
async fn a_job_that_joined_a_run_shows_its_paths_only(tab: &Tab<'_>, api: &Api, doc: &Value) {
    let mut j = job(doc, "done", true);
    j["id"] = json!("j-3");
    j["paths"] = json!(["/posts/b"]);
    j["results"] = json!({"/posts/b": j["results"]["/posts/b"].clone()});
    api.set(j);
    tab.wait_for(
        "the joined job's table",
        r#"document.querySelector('[data-job-id="j-3"] .path table')"#,
    )
    .await;
    let paths = tab
        .eval(r#"[...document.querySelectorAll('[data-job-id="j-3"] .path')].map((p) => p.dataset.path)"#)
        .await;
    assert_eq!(paths, json!(["/posts/b"]));
}

/// Headers every response of the page carries.
fn assert_security_headers(tab: &Tab<'_>) {
    for suffix in ["/", "/assets/app.js", "/assets/app.css"] {
        let seen = tab.response_headers(suffix);
        let h = seen
            .first()
            .unwrap_or_else(|| panic!("no response for {suffix}"));
        assert_eq!(
            h.get("content-security-policy").map(String::as_str),
            Some(revalidate::serve::page::CONTENT_SECURITY_POLICY),
            "{suffix}"
        );
        assert_eq!(
            h.get("x-content-type-options").map(String::as_str),
            Some("nosniff")
        );
        assert_eq!(
            h.get("referrer-policy").map(String::as_str),
            Some("no-referrer")
        );
        assert_eq!(h.get("cache-control").map(String::as_str), Some("no-store"));
    }
}

#[test]
fn the_page_lists_a_job_live_and_shows_its_verdict_per_pod_variant_and_edge() {
    let tf = TestFleet::three();
    let doc = run_document(&tf);
    let api = Api::new(true);
    let url = serve(&tf, api.clone());
    tf.block_on(async {
        let browser = Chromium::start().await;
        let tab = browser.tab(json!({"Authorization": basic_auth()})).await;
        tab.navigate(&url).await;
        tab.wait_for(
            "the events to connect",
            "document.getElementById('connection').dataset.state === 'live'",
        )
        .await;
        assert_eq!(
            tab.eval("document.getElementById('empty').hidden").await,
            json!(false),
            "an empty list says so"
        );
        follow_a_job(&tab, &api, &doc, true).await;
        a_failed_job_comes_first_and_says_so(&tab, &api, &doc).await;
        a_job_that_joined_a_run_shows_its_paths_only(&tab, &api, &doc).await;
        assert_security_headers(&tab);
        assert_eq!(tab.problems(), Vec::<String>::new());

        // The policy holds and its violations are seen: an inline script is refused.
        tab.eval(
            "(() => { const s = document.createElement('script'); \
             s.textContent = 'window.ran = 1'; document.body.append(s); })()",
        )
        .await;
        tab.wait_for_problem("the violation to be reported", |p| {
            p.contains("Content Security Policy")
        })
        .await;
        assert_eq!(tab.eval("window.ran === undefined").await, json!(true));
    });
}

#[test]
fn the_page_polls_when_the_events_fail() {
    let tf = TestFleet::three();
    let doc = run_document(&tf);
    let api = Api::new(false);
    let url = serve(&tf, api.clone());
    tf.block_on(async {
        let browser = Chromium::start().await;
        let tab = browser.tab(json!({"Authorization": basic_auth()})).await;
        tab.navigate(&url).await;
        tab.wait_for(
            "polling",
            "document.getElementById('connection').dataset.state === 'polling'",
        )
        .await;
        follow_a_job(&tab, &api, &doc, false).await;
        // The only problem: the events' 404, which made the page poll.
        let problems = tab.problems();
        assert!(
            problems.iter().all(|p| p.contains("api/events")),
            "{problems:#?}"
        );
    });
}

/// The page follows a job of the real `revalidate serve` against the simulated fleet: listed
/// while it runs (a pod holds its answers), then each path's verdict, per pod, per variant and
/// at the edge, with no console error or policy violation.
#[test]
fn the_page_follows_a_job_of_serve_to_its_verdict() {
    let tf = TestFleet::three();
    let front = front(&tf);
    tf.fleet().cms().set_title("a", "Post A v2");
    let mut args: Vec<String> = vec!["serve".into(), "--listen".into(), "127.0.0.1:0".into()];
    args.extend(pipeline_args(&tf, &front));
    let served = super::Serve::spawn(&tf, &args);
    tf.block_on(async {
        let browser = Chromium::start().await;
        let tab = browser.tab(json!({"Authorization": basic_auth()})).await;
        tab.navigate(&served.url("/")).await;
        tab.wait_for(
            "the events to connect",
            "document.getElementById('connection').dataset.state === 'live'",
        )
        .await;
        assert_security_headers(&tab);

        // pod-1 holds its answers: the job stays running until it is released.
        tf.pod(0).set_fault(revalidate_sim::Fault::Hold).await;
        let accepted: Value = reqwest::Client::new()
            .post(served.url("/revalidate"))
            .bearer_auth(PASSWORD)
            .json(&json!({"paths": ["/posts/a", "/posts/b"]}))
            .send()
            .await
            .expect("serve answers")
            .error_for_status()
            .expect("accepted")
            .json()
            .await
            .expect("a job");
        let id = accepted["id"].as_str().expect("a job id").to_string();
        let job = format!(r#"document.querySelector('[data-job-id="{id}"]')"#);
        tab.wait_for(
            "the job running",
            &format!("{job}?.querySelector('.job-verdict').textContent === 'running'"),
        )
        .await;
        tf.pod(0).clear_faults().await;
        tab.wait_for(
            "each path's table",
            &format!("{job}?.querySelectorAll('.path[data-verdict] table').length === 2"),
        )
        .await;
        let shown = tab
            .eval(&format!(
                r#"(() => {{ const j = {job}; return {{
                    job: j.querySelector('.job-verdict').textContent,
                    paths: [...j.querySelectorAll('.path')].map((p) => [
                        p.dataset.path, p.querySelector('.path-verdict').textContent]) }}; }})()"#
            ))
            .await;
        assert_eq!(
            shown,
            json!({"job": "unchanged", "paths": [["/posts/a", "fresh"], ["/posts/b", "unchanged"]]})
        );
        let rows = tab
            .eval(&format!(
                r#"[...{job}.querySelector('.path[data-path="/posts/a"] table').rows]
                    .map((r) => [...r.cells].map((c) => c.tagName === 'TD'
                        ? c.querySelector('.badge').textContent : c.textContent))"#
            ))
            .await;
        assert_eq!(
            rows,
            json!([
                ["pod", "page", "data JSON"],
                ["all pods", "fresh", "fresh"],
                [POD_NAMES[0], "fresh", "fresh"],
                [POD_NAMES[1], "fresh", "fresh"],
                [POD_NAMES[2], "fresh", "fresh"],
                ["edge", "fresh", "fresh"],
            ])
        );
        assert_eq!(tab.problems(), Vec::<String>::new());
    });
}
