//! `revalidate serve` against the simulated fleet (and real redis-servers): the webhook runs the
//! pipeline and answers with the truth (200 only when every pod is proven fresh, 409 naming
//! what is not, 504 at the caller's deadline, 202 and a job to follow); nothing runs for a
//! caller without the secret or with bad input; bursts are coalesced; a full queue is 503;
//! SIGTERM drains; with Redis, jobs survive a restart and a dead replica's job is claimed.

mod chromium;
mod page;

use reqwest::StatusCode;
use revalidate_sim::{Fault, FleetOptions};
use serde_json::Value;

use crate::common::{TestFleet, wait_until};
use crate::redis::Running;
use crate::redis::server::RedisServer;

mod webhooks;

pub const SECRET: &str = "serve-test-secret-7f3a9c1e5b20";

/// A running `revalidate serve` and its address.
pub struct Serve {
    pub proc: Running,
    pub base: String,
}

impl Serve {
    /// serve on a free port for the fleet's pods, with the secret in its environment.
    pub fn start(tf: &TestFleet, extra: &[&str]) -> Serve {
        let mut args: Vec<String> = vec!["serve".into(), "--listen".into(), "127.0.0.1:0".into()];
        args.extend(tf.pod_args());
        args.extend(tf.manifest_arg());
        args.extend(extra.iter().map(|s| s.to_string()));
        Serve::spawn(tf, &args)
    }

    pub fn spawn(tf: &TestFleet, args: &[String]) -> Serve {
        let mut cmd = crate::common::std_command(tf.dir.path());
        cmd.args(args).env("REVALIDATE_SERVE_SECRET", SECRET);
        let proc = Running::spawn(cmd);
        let mut base = None;
        let up = wait_until(20, || {
            // Whole lines only: stderr is read in chunks, and a line may be cut.
            let err = proc.stderr();
            let whole = &err[..err.rfind('\n').unwrap_or(0)];
            base = whole
                .lines()
                .find_map(|l| l.split_once("listening on ").map(|(_, u)| u.to_string()));
            base.is_some()
        });
        assert!(up, "serve did not listen:\n{}", proc.stderr());
        Serve {
            proc,
            base: base.unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// An HTTP answer: status, headers, body as JSON (Null when it is not JSON) and text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

pub fn call(
    tf: &TestFleet,
    method: reqwest::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Answer {
    tf.block_on(async {
        let mut req = reqwest::Client::new().request(method, url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let r = req.send().await.expect("serve answers");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    })
}

pub fn bearer() -> (&'static str, String) {
    ("authorization", format!("Bearer {SECRET}"))
}

/// POST /revalidate with the secret as a bearer token.
pub fn post(tf: &TestFleet, s: &Serve, query: &str, body: &str) -> Answer {
    let (k, v) = bearer();
    call(
        tf,
        reqwest::Method::POST,
        &s.url(&format!("/revalidate{query}")),
        &[(k, &v)],
        Some(body.to_string()),
    )
}

/// GET with the secret.
pub fn get(tf: &TestFleet, s: &Serve, path: &str) -> Answer {
    let (k, v) = bearer();
    call(tf, reqwest::Method::GET, &s.url(path), &[(k, &v)], None)
}

/// Polls the job until it is done; its view.
pub fn done(tf: &TestFleet, s: &Serve, id: &str, secs: u64) -> Value {
    let mut last = Value::Null;
    let ok = wait_until(secs, || {
        last = get(tf, s, &format!("/api/jobs/{id}")).json;
        last["status"] == "done"
    });
    assert!(
        ok,
        "job {id} not done within {secs} s: {last:#}\n{}",
        s.proc.stderr()
    );
    last
}

fn requests(tf: &TestFleet) -> u64 {
    tf.pods().iter().map(|p| p.counters().requests).sum()
}

#[test]
fn a_webhook_that_waits_hears_200_only_when_every_pod_is_proven_fresh_and_409_naming_what_is_not() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &[]);
    tf.fleet().cms().set_title("a", "Post A v2");
    let a = post(&tf, &s, "?wait=true", r#"{"paths": ["/posts/a"]}"#);
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["outcome"], "fresh");
    assert_eq!(a.json["results"]["/posts/a"]["outcome"], "fresh");
    // The run's own JSON report comes with it.
    let report = &a.json["runs"][0]["report"];
    assert_eq!(report["command"], "run", "{:#}", a.json);
    // The previewModeId the pods were told with never appears in what serve answers or logs.
    let preview_id = tf.pod(0).preview_id();
    assert!(!a.text.contains(&preview_id) && !s.proc.stderr().contains(&preview_id));
    for i in 0..3 {
        assert_eq!(
            tf.pod(i).cached_title("/posts/a").as_deref(),
            Some("Post A v2")
        );
    }

    // Regenerated without a change: not proven fresh, so not 200; the answer names the path.
    let (k, v) = ("x-revalidate-secret", SECRET);
    let b = call(
        &tf,
        reqwest::Method::POST,
        &s.url("/revalidate?path=/posts/b&wait=1"),
        &[(k, v)],
        None,
    );
    assert_eq!(b.status, StatusCode::CONFLICT, "{}", b.text);
    assert_eq!(b.json["outcome"], "unchanged");
    assert!(b.json["summary"].as_str().unwrap().contains("/posts/b"));

    // A pod that says it regenerated and did not: stale, 409.
    tf.block_on(tf.pod(1).set_fault(Fault::Lie));
    tf.fleet().cms().set_title("c", "Post C v2");
    let c = post(&tf, &s, "?wait=true", r#"{"path": "/posts/c"}"#);
    assert_eq!(c.status, StatusCode::CONFLICT, "{}", c.text);
    assert_ne!(c.json["outcome"], "fresh");
    assert_eq!(
        c.json["results"]["/posts/c"]["outcome"], "stale",
        "{:#}",
        c.json
    );
    let summary = c.json["summary"].as_str().unwrap();
    assert!(summary.contains("/posts/c stale"), "{summary}");
}

#[test]
fn callers_without_the_secret_get_401_and_nothing_reaches_a_pod() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &[]);
    let before = requests(&tf);
    let body = Some(r#"{"paths": ["/posts/a"]}"#.to_string());
    let wrong = "Bearer not-the-secret-at-all-1234";
    for headers in [
        vec![],
        vec![("authorization", wrong)],
        vec![("x-revalidate-secret", "nope-nope-nope-nope")],
        vec![("authorization", "Basic dXNlcjpub3BlLW5vcGU=")],
    ] {
        let a = call(
            &tf,
            reqwest::Method::POST,
            &s.url("/revalidate?wait=true"),
            &headers,
            body.clone(),
        );
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "{headers:?}: {}",
            a.text
        );
        assert!(!a.text.contains(SECRET));
    }
    let page = call(&tf, reqwest::Method::GET, &s.url("/api/jobs"), &[], None);
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(requests(&tf), before, "nothing was sent to any pod");
    assert_eq!(get(&tf, &s, "/api/jobs").json["jobs"], Value::Array(vec![]));
    let log = s.proc.stderr();
    assert!(log.contains("unauthorized"), "{log}");
    assert!(
        !log.contains(SECRET) && !log.contains("not-the-secret"),
        "{log}"
    );
}

#[test]
fn bad_input_is_400_or_413_naming_the_problem_and_nothing_runs() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &["--max-request", "1KiB"]);
    let before = requests(&tf);
    for (query, body, says) in [
        ("", "{not json", "not JSON"),
        ("", r#"{"paths": ["posts/a"]}"#, "posts/a"),
        ("", r#"{"paths": [1]}"#, "paths"),
        ("", "{}", "no paths"),
        ("?wait=maybe", r#"{"path": "/posts/a"}"#, "wait"),
        (
            "?timeout=soon&wait=true",
            r#"{"path": "/posts/a"}"#,
            "timeout",
        ),
    ] {
        let a = post(&tf, &s, query, body);
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.text);
        let error = a.json["error"].as_str().unwrap_or_default();
        assert!(error.contains(says), "{body}: {error}");
    }
    let big = format!(r#"{{"paths": ["/posts/{}"]}}"#, "a".repeat(2000));
    assert_eq!(
        post(&tf, &s, "", &big).status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(requests(&tf), before, "nothing was sent to any pod");
    assert_eq!(get(&tf, &s, "/api/jobs").json["jobs"], Value::Array(vec![]));
}

#[test]
fn without_wait_the_answer_is_202_with_a_job_to_follow() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &[]);
    tf.fleet().cms().set_title("a", "Post A v2");
    let a = post(&tf, &s, "", r#"{"paths": ["/posts/a"]}"#);
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.text);
    let id = a.json["id"].as_str().unwrap().to_string();
    assert_eq!(
        a.headers["location"].to_str().unwrap(),
        format!("/api/jobs/{id}")
    );
    let job = done(&tf, &s, &id, 30);
    assert_eq!(job["outcome"], "fresh", "{job:#}");
    assert_eq!(job["exit_code"], 0);
    assert_eq!(get(&tf, &s, &format!("/jobs/{id}")).json["id"], id.as_str());
    let listed = get(&tf, &s, "/api/jobs").json;
    assert_eq!(listed["jobs"][0]["id"], id.as_str());
    assert!(listed["jobs"][0]["runs"][0].get("report").is_none());
    assert_eq!(
        get(&tf, &s, "/api/jobs/j-nope").status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn a_burst_of_a_thousand_calls_for_a_hundred_paths_is_answered_with_at_most_two_runs_a_path() {
    let tf = TestFleet::start(FleetOptions {
        extra_slugs: 100,
        ..FleetOptions::default()
    });
    let s = Serve::start(&tf, &["--steps", "revalidate,verify"]);
    let url = s.url("/revalidate");
    // The pods hold every request until the burst is over, so no run can end before the last
    // call is accepted: a path is then in at most its first run and the one behind it.
    for p in tf.pods() {
        tf.block_on(p.set_fault(Fault::Hold));
    }
    let statuses: Vec<u16> = tf.block_on(async {
        let client = reqwest::Client::new();
        let calls = (0..1000).map(|i| {
            let client = client.clone();
            let url = url.clone();
            async move {
                client
                    .post(&url)
                    .bearer_auth(SECRET)
                    .body(format!(r#"{{"paths": ["/posts/p{}"]}}"#, i % 100 + 1))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            }
        });
        futures_util::future::join_all(calls).await
    });
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    for p in tf.pods() {
        tf.block_on(p.clear_faults());
    }
    let idle = wait_until(60, || {
        get(&tf, &s, "/metrics")
            .text
            .lines()
            .any(|l| l == "revalidate_serve_jobs_open 0")
    });
    assert!(idle, "{}", get(&tf, &s, "/metrics").text);
    for p in tf.pods() {
        let n = p.counters().revalidate_requests;
        assert!(
            (100..=200).contains(&n),
            "{}: {n} revalidations for 100 paths",
            p.name()
        );
    }
    let metrics = get(&tf, &s, "/metrics").text;
    assert!(
        metrics.contains("revalidate_serve_requests_total{result=\"accepted\"} 1000"),
        "{metrics}"
    );
}

#[test]
fn a_full_queue_answers_503_with_retry_after_and_nothing_of_that_request_is_queued() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &["--max-runs", "1", "--queue", "2"]);
    for p in tf.pods() {
        tf.block_on(p.set_fault(Fault::Hold));
    }
    let first = post(&tf, &s, "", r#"{"paths": ["/posts/a"]}"#);
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let id = first.json["id"].as_str().unwrap().to_string();
    assert!(wait_until(10, || get(&tf, &s, &format!("/api/jobs/{id}"))
        .json["status"]
        == "running"));
    assert_eq!(
        post(&tf, &s, "", r#"{"paths": ["/posts/b", "/posts/c"]}"#).status,
        StatusCode::ACCEPTED
    );
    let full = post(&tf, &s, "", r#"{"paths": ["/posts/d"]}"#);
    assert_eq!(
        full.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        full.text
    );
    assert!(full.headers.contains_key("retry-after"));
    assert!(
        full.json["error"]
            .as_str()
            .unwrap()
            .contains("queue is full")
    );
    // A path already waiting joins without taking room.
    assert_eq!(
        post(&tf, &s, "", r#"{"paths": ["/posts/c"]}"#).status,
        StatusCode::ACCEPTED
    );
    for p in tf.pods() {
        tf.block_on(p.clear_faults());
    }
    done(&tf, &s, &id, 30);
    assert_eq!(
        get(&tf, &s, "/api/jobs").json["jobs"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn a_caller_past_its_timeout_gets_504_and_the_job_goes_on() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &[]);
    for p in tf.pods() {
        tf.block_on(p.set_fault(Fault::Hold));
    }
    tf.fleet().cms().set_title("a", "Post A v2");
    let a = post(
        &tf,
        &s,
        "?wait=true&timeout=300ms",
        r#"{"paths": ["/posts/a"]}"#,
    );
    assert_eq!(a.status, StatusCode::GATEWAY_TIMEOUT, "{}", a.text);
    assert!(
        a.json["error"]
            .as_str()
            .unwrap()
            .contains("the job goes on")
    );
    let id = a.json["id"].as_str().unwrap().to_string();
    for p in tf.pods() {
        tf.block_on(p.clear_faults());
    }
    assert_eq!(done(&tf, &s, &id, 30)["outcome"], "fresh");
}

#[test]
fn probes_and_metrics_answer_without_the_secret() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &[]);
    let plain = |path: &str| call(&tf, reqwest::Method::GET, &s.url(path), &[], None);
    assert_eq!(plain("/healthz").status, StatusCode::OK);
    assert_eq!(plain("/readyz").status, StatusCode::OK);
    post(&tf, &s, "?wait=true", r#"{"paths": ["/posts/a"]}"#);
    let m = plain("/metrics");
    assert_eq!(m.status, StatusCode::OK);
    for line in [
        "revalidate_serve_requests_total{result=\"not-fresh\"} 1",
        "revalidate_serve_runs_total{outcome=\"unchanged\"} 1",
        "revalidate_serve_queue_paths 0",
        "revalidate_serve_run_duration_seconds_count 1",
    ] {
        assert!(m.text.lines().any(|l| l == line), "{line} in\n{}", m.text);
    }
    assert!(!m.text.contains(SECRET));
}

#[test]
fn sigterm_refuses_new_jobs_and_lets_the_running_one_finish() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &["--grace", "30s"]);
    for p in tf.pods() {
        tf.block_on(p.set_fault(Fault::Hold));
    }
    tf.fleet().cms().set_title("a", "Post A v2");
    let waiting = {
        let url = s.url("/revalidate?wait=true");
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let r = reqwest::Client::new()
                    .post(&url)
                    .bearer_auth(SECRET)
                    .body(r#"{"paths": ["/posts/a"]}"#)
                    .send()
                    .await
                    .expect("answered");
                (r.status(), r.text().await.unwrap())
            })
        })
    };
    assert!(wait_until(10, || get(&tf, &s, "/api/jobs").json["jobs"][0]
        ["status"]
        == "running"));
    s.proc.signal("TERM");
    let plain = |path: &str| call(&tf, reqwest::Method::GET, &s.url(path), &[], None);
    assert!(wait_until(5, || plain("/readyz").status
        == StatusCode::SERVICE_UNAVAILABLE));
    let refused = post(&tf, &s, "", r#"{"paths": ["/posts/b"]}"#);
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    for p in tf.pods() {
        tf.block_on(p.clear_faults());
    }
    let (status, body) = waiting.join().unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    let (code, _, err) = s.proc.wait(20);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("SIGTERM"), "{err}");
}

/// serve with its jobs in `redis`'s stream, as consumer `name`.
fn replica(tf: &TestFleet, redis: &RedisServer, name: &str) -> Serve {
    let mut extra: Vec<String> = vec![
        "--redis-url".into(),
        redis.url(),
        "--via".into(),
        "direct".into(),
        "--consumer".into(),
        name.into(),
        "--claim-after".into(),
        "1s".into(),
    ];
    let mut args: Vec<String> = vec!["serve".into(), "--listen".into(), "127.0.0.1:0".into()];
    args.extend(tf.pod_args());
    args.extend(tf.manifest_arg());
    args.append(&mut extra);
    Serve::spawn(tf, &args)
}

#[test]
fn two_replicas_share_the_stream_and_a_killed_ones_job_is_claimed_and_finished_by_the_other() {
    let tf = TestFleet::three();
    let redis = RedisServer::start();
    let a = replica(&tf, &redis, "serve-a");
    let b = replica(&tf, &redis, "serve-b");
    for p in tf.pods() {
        tf.block_on(p.set_fault(Fault::Hold));
    }
    tf.fleet().cms().set_title("a", "Post A v2");
    let accepted = post(&tf, &a, "", r#"{"paths": ["/posts/a"]}"#);
    assert_eq!(accepted.status, StatusCode::ACCEPTED, "{}", accepted.text);
    let id = accepted.json["id"].as_str().unwrap().to_string();
    // One of the two took it: find which.
    let mut holder = None;
    assert!(wait_until(10, || {
        holder = [&a, &b]
            .into_iter()
            .position(|s| get(&tf, s, &format!("/api/jobs/{id}")).json["status"] == "running");
        holder.is_some()
    }));
    let (dead, alive) = if holder == Some(0) { (a, b) } else { (b, a) };
    dead.proc.signal("KILL");
    let _ = dead.proc.wait(10);
    for p in tf.pods() {
        tf.block_on(p.clear_faults());
    }
    let job = done(&tf, &alive, &id, 30);
    assert_eq!(job["outcome"], "fresh", "{job:#}");
    assert!(
        alive.proc.stderr().contains("claimed 1 job"),
        "{}",
        alive.proc.stderr()
    );
    let m = get(&tf, &alive, "/metrics").text;
    assert!(m.contains("revalidate_serve_jobs_claimed_total 1"), "{m}");
}

#[test]
fn a_job_accepted_before_redis_and_serve_died_is_finished_after_they_restart() {
    let tf = TestFleet::three();
    let mut redis = RedisServer::durable();
    let s = replica(&tf, &redis, "serve-0");
    for p in tf.pods() {
        tf.block_on(p.set_fault(Fault::Hold));
    }
    tf.fleet().cms().set_title("a", "Post A v2");
    let accepted = post(&tf, &s, "", r#"{"paths": ["/posts/a"]}"#);
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    let id = accepted.json["id"].as_str().unwrap().to_string();
    assert!(wait_until(10, || get(&tf, &s, &format!("/api/jobs/{id}"))
        .json["status"]
        == "running"));
    // Redis dies during the job, and so does serve.
    redis.kill();
    s.proc.signal("KILL");
    let _ = s.proc.wait(10);
    redis.restart();
    for p in tf.pods() {
        tf.block_on(p.clear_faults());
    }
    let again = replica(&tf, &redis, "serve-0");
    let job = done(&tf, &again, &id, 30);
    assert_eq!(job["outcome"], "fresh", "{job:#}");
    assert!(
        again.proc.stderr().contains("taking back 1 job"),
        "{}",
        again.proc.stderr()
    );
}

#[test]
fn with_a_certificate_and_key_serve_speaks_https_only() {
    let tf = TestFleet::three();
    crate::redis::server::make_certs(tf.dir.path());
    let cert = tf.dir.path().join("server.pem").display().to_string();
    let key = tf.dir.path().join("server.key").display().to_string();
    let s = Serve::start(&tf, &["--tls-cert", &cert, "--tls-key", &key]);
    assert!(s.base.starts_with("https://127.0.0.1:"), "{}", s.base);
    let ca = std::fs::read(tf.dir.path().join("ca.pem")).unwrap();
    let (status, body) = tf.block_on(async {
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
            .build()
            .unwrap();
        let r = client
            .post(s.url("/revalidate?wait=true"))
            .bearer_auth(SECRET)
            .body(r#"{"paths": ["/posts/a"]}"#)
            .send()
            .await
            .expect("HTTPS answers");
        (r.status(), r.text().await.unwrap())
    });
    // Unchanged content: 409, answered over TLS.
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let plain = s.base.replace("https://", "http://");
    let refused = tf.block_on(async { reqwest::get(format!("{plain}/healthz")).await });
    assert!(
        refused.map_or(true, |r| !r.status().is_success()),
        "plain HTTP must not be served"
    );
}

#[test]
fn settings_that_cannot_work_stop_serve_before_it_listens() {
    let tf = TestFleet::three();
    for (args, env_secret, says) in [
        (vec!["--listen", "localhost"], true, "serve.listen"),
        (vec!["--tls-cert", "x.pem"], true, "--tls-key"),
        (vec![], false, "REVALIDATE_SERVE_SECRET"),
        (vec!["--max-wait", "0s"], true, "serve.max_wait"),
    ] {
        let mut cmd = crate::common::std_command(tf.dir.path());
        cmd.arg("serve")
            .args(tf.pod_args())
            .args(tf.manifest_arg())
            .args(&args);
        if env_secret {
            cmd.env("REVALIDATE_SERVE_SECRET", SECRET);
        }
        let out = cmd.output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("listening on"), "{err}");
    }
    // --dry-run checks the same, binds, and serves nothing.
    let mut cmd = crate::common::std_command(tf.dir.path());
    cmd.args(["serve", "--dry-run", "--listen", "127.0.0.1:0"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .env("REVALIDATE_SERVE_SECRET", SECRET);
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("would listen on http://127.0.0.1:"), "{err}");
}
