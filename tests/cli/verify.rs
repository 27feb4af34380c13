//! `revalidate verify` against the simulated fleet: the built binary decides fresh / converged /
//! unproven / stale / unreachable per path, and the fleet is driven in-process to make pods
//! diverge (a CMS change plus a revalidation of chosen pods only), misbehave (faults) or roll to
//! a new build. `fresh` needs evidence (a content check that holds on every pod); agreement
//! alone is `converged`. Every JSON document and NDJSON line is checked against the checked-in
//! schemas and read into the library's types.

use std::io::{BufRead, BufReader};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use revalidate::choices::Encoding;
use revalidate::exit::Stop;
use revalidate::report::events::{End, Start, StepEnd};
use revalidate::transport::RequestView;
use revalidate::verify::{
    Fetch, FetchEvent, FetchOutcome, PathVerdict, Report, RoundEvent, Snapshot,
    Start as VerifyStart, State, ThroughSummary, Variant, Verdict,
};
use revalidate_sim::{Fault, Flavor, FleetOptions};

use crate::common::{
    Event, TestFleet, cells_of, code, envelope, event_lines, events, fetch, fetches, samples_of,
    stderr, stdout, verdict, verify_dry_run_of, verify_of,
};

/// For runs with faults that fail at once (a status, a closed port, a reset): one retry instead
/// of two. The timeout stays generous: the healthy pods of the same run must never be taken for
/// failing ones on a loaded machine.
const FAST: [&str; 4] = ["--timeout", "30s", "--retries", "1"];
/// For runs with a hung pod, which only a timeout ends: short enough to keep the test quick, and
/// still far more than a healthy simulated pod needs on a loaded machine.
const HUNG: [&str; 4] = ["--timeout", "3s", "--retries", "0"];

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

/// The one verify report of a `-o json` run (schema-checked; its exit code is the process's).
fn report(out: &Output) -> Report {
    verify_of(&envelope(out)).clone()
}

/// Runs verify with `-o json` and returns (exit code, report).
fn verify_json(tf: &TestFleet, paths: &[&str], extra: &[&str]) -> (i32, Report) {
    let mut args = vec!["-o", "json"];
    args.extend_from_slice(extra);
    let out = verify(tf, paths, &args);
    let r = report(&out);
    assert_eq!(
        i32::from(r.exit_code),
        code(&out),
        "the step's exit_code is the process's"
    );
    (code(&out), r)
}

/// The fetches of pages, not of their variants.
fn pages<'a>(fs: impl IntoIterator<Item = &'a Fetch>) -> Vec<&'a Fetch> {
    fs.into_iter()
        .filter(|f| f.variant == Variant::Html)
        .collect()
}

/// The pods (or samples) of each hash group of one path's only build, largest group first.
fn groups(r: &Report, path: &str) -> Vec<Vec<String>> {
    let v = verdict(r, path);
    assert_eq!(v.builds.len(), 1, "one build: {:#?}", v.builds);
    v.builds[0].groups.iter().map(|g| g.pods.clone()).collect()
}

/// The edge summary of one path.
fn through<'a>(r: &'a Report, path: &str) -> &'a ThroughSummary {
    verdict(r, path)
        .through
        .as_ref()
        .unwrap_or_else(|| panic!("no through summary for {path}"))
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

/// NDJSON lines read from a running child, typed.
fn ndjson(lines: &[String]) -> Vec<Event> {
    event_lines(lines.iter().map(String::as_str))
}

// verify's `step-start`, `round` and `fetch` payloads (`Start`, `RoundEvent`, `FetchEvent` in
// src/verify/step.rs) are private to the step and write-only: until they are public and read
// back like the other steps' (report::Payload), the fields these tests check are read here.

/// Every line of `event` read as `P`.
fn payloads<P: serde::de::DeserializeOwned>(evs: &[Event], event: &str) -> Vec<P> {
    evs.iter()
        .filter(|e| e.event == event)
        .map(|e| e.read().unwrap_or_else(|err| panic!("{err}: {e:?}")))
        .collect()
}

/// (round, settled, paths) of every `round` event.
fn rounds(evs: &[Event]) -> Vec<(u32, usize, usize)> {
    payloads::<RoundEvent>(evs, "round")
        .into_iter()
        .map(|r| (r.round, r.settled, r.paths))
        .collect()
}

/// (round, fetch) of every `fetch` event.
fn fetch_events(evs: &[Event]) -> Vec<(u32, Fetch)> {
    payloads::<FetchEvent>(evs, "fetch")
        .into_iter()
        .map(|f| (f.round, f.fetch.into_owned()))
        .collect()
}

/// (path, verdict) of every `verdict` event.
fn verdict_events(evs: &[Event]) -> Vec<(String, Verdict)> {
    evs.iter()
        .filter_map(|e| e.get::<PathVerdict>())
        .map(|v| (v.path, v.verdict))
        .collect()
}

/// A step-end event's totals, read as verify's.
fn verify_totals(evs: &[Event]) -> revalidate::verify::Totals {
    evs.iter()
        .find_map(|e| e.get::<StepEnd>())
        .expect("a step-end event")
        .totals_as()
        .expect("verify totals")
}

// ---------------------------------------------------------------------------------------------
// Fresh fleets, output shape and order
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fresh_fleet_is_fresh_in_input_order_and_fits_the_schema() {
    let tf = TestFleet::three();
    let paths = ["/posts/b", "/plain/a", "/posts/a", "/app-posts/c"];
    // Every page of the fresh fleet shows its seeded title, "Post X (initial)".
    let check = ["--expect-contains", "(initial)"];
    let (rc, r) = verify_json(&tf, &paths, &check);
    assert_eq!(rc, 0, "{r:#?}");
    let order: Vec<&str> = r.verdicts.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(order, paths, "verdicts follow the input order");
    let cell_order: Vec<(&str, &str)> = pages(cells_of(&r))
        .iter()
        .map(|c| (c.path.as_str(), c.pod.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = paths
        .iter()
        .flat_map(|p| ["pod-1", "pod-2", "pod-3"].map(|pod| (*p, pod)))
        .collect();
    assert_eq!(cell_order, want, "cells are by path, then pod");
    let mut all_hashes = std::collections::BTreeSet::new();
    for p in paths {
        let v = verdict(&r, p);
        assert_eq!(v.verdict, Verdict::Fresh, "{v:#?}");
        assert_eq!(v.evidence, [r#"contains "(initial)""#]);
        assert_eq!((v.fresh_pods, v.total_pods), (3, 3));
        let cs = fetches(&r, p);
        assert!(cs.iter().all(|c| c.outcome == Some(FetchOutcome::Fetched)
            && c.status == Some(200)
            && c.contains == Some(true)
            && c.state == Some(State::Fresh)));
        assert!(cs.iter().all(|c| c.hash == cs[0].hash), "{p}: one hash");
        all_hashes.insert(cs[0].hash.clone().expect("a hash"));
        // Both routers' pages carry the build id (the App Router's in its flight data).
        assert!(
            cs.iter()
                .all(|c| c.build_id.as_deref() == Some(tf.fleet().build_id())),
            "{p}"
        );
        assert_eq!(v.builds.len(), 1, "one build, no deploy in progress");
    }
    assert_eq!(all_hashes.len(), 4, "different pages hash differently");
    assert_eq!(r.totals.fresh, 4);
    assert_eq!(r.totals.cells, 12);
    assert_eq!(r.rounds, 1);

    // The human table lists the paths in the same order.
    let out = verify(&tf, &paths, &check);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let rows: Vec<usize> = paths
        .iter()
        .map(|p| {
            squash(&text)
                .lines()
                .position(|l| l.starts_with(&format!("{p} fresh 3/3 fresh ")) && l.ends_with(" -"))
                .unwrap_or_else(|| panic!("no row for {p}:\n{text}"))
        })
        .collect();
    assert!(rows.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!(has_line(&text, "4 paths: 4 fresh · exit 0"), "{text}");

    // Without the check the same fleet only agrees: converged, never fresh (and still exit 0).
    let (rc, r) = verify_json(&tf, &paths, &[]);
    assert_eq!(rc, 0, "{r:#?}");
    for p in paths {
        let v = verdict(&r, p);
        assert_eq!(v.verdict, Verdict::Converged, "{v:#?}");
        assert!(v.evidence.is_empty());
        assert_eq!((v.fresh_pods, v.agreeing_pods, v.total_pods), (0, 3, 3));
        assert!(
            fetches(&r, p)
                .iter()
                .all(|c| c.state == Some(State::Converged))
        );
    }
    assert_eq!((r.totals.fresh, r.totals.converged), (0, 4));
    let out = verify(&tf, &paths, &[]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        has_line(
            &text,
            "/posts/b converged 3/3 agree html, data (agreement, not proof)"
        ),
        "{text}"
    );
    assert!(
        has_line(&text, "4 paths: 0 fresh, 4 converged · exit 0"),
        "{text}"
    );
}

#[test]
fn ndjson_events_fit_the_schema_and_come_in_order() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let out = verify(
        &tf,
        &["/posts/a", "/plain/b"],
        &[
            "-o",
            "ndjson",
            "--through",
            &lb.url(),
            "--samples",
            "3",
            "--variants",
            "html",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evs = events(&out);
    assert!(
        matches!(evs[0].get::<Start>(), Some(Start { command, dry_run: false }) if command == "verify"),
        "{:?}",
        evs[0]
    );
    assert_eq!(
        (evs[1].event.as_ref(), evs[1].step.as_deref()),
        ("step-start", Some("verify"))
    );
    let VerifyStart {
        targets,
        through,
        paths,
        requests,
    } = evs[1].read::<VerifyStart>().unwrap();
    assert_eq!(through.as_deref(), Some(lb.url().as_str()));
    assert_eq!((targets.len(), paths, requests), (3, 2, 2 * (3 + 9)));
    assert!(
        matches!(
            evs.last().and_then(Event::get::<End>),
            Some(End {
                exit_code: 0,
                stopped: None,
                ..
            })
        ),
        "{:?}",
        evs.last()
    );
    let fetches = fetch_events(&evs);
    assert_eq!(
        fetches.len(),
        2 * (3 + 3 * 3),
        "3 pods, and 3 samples in each of 3 variants, a path"
    );
    let samples: Vec<&Fetch> = fetches
        .iter()
        .map(|(_, f)| f)
        .filter(|f| f.pod.starts_with("through#"))
        .collect();
    assert_eq!(samples.len(), 18);
    for enc in [Encoding::Identity, Encoding::Gzip, Encoding::Br] {
        assert_eq!(
            samples.iter().filter(|f| f.encoding == Some(enc)).count(),
            6,
            "{enc:?}"
        );
    }
    assert!(
        fetches
            .iter()
            .all(|(round, f)| *round == 1 && f.outcome == Some(FetchOutcome::Fetched))
    );
    assert_eq!(rounds(&evs), [(1, 2, 2)]);
    assert_eq!(
        verdict_events(&evs),
        [
            (String::from("/posts/a"), Verdict::Converged),
            (String::from("/plain/b"), Verdict::Converged)
        ]
    );
    // Every fetch comes before the round it belongs to, which comes before the verdicts, then
    // the step ends.
    let last = |event: &str| evs.iter().rposition(|e| e.event == event).unwrap();
    let first = |event: &str| evs.iter().position(|e| e.event == event).unwrap();
    let fetch_at = last("fetch");
    let round_at = last("round");
    let verdict_at = first("verdict");
    let step_end_at = first("step-end");
    assert!(
        fetch_at < round_at && round_at < verdict_at && verdict_at < step_end_at,
        "{evs:#?}"
    );
    let totals = verify_totals(&evs);
    assert_eq!((totals.paths, totals.converged, totals.cells), (2, 2, 6));
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
    assert_eq!(rc, 4, "without normalisation the pods disagree: {r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Stale);
    assert!(v.diverged);
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 0));
    assert_eq!(
        groups(&r, "/posts/a"),
        [vec!["pod-1", "pod-3"], vec!["pod-2"]]
    );

    let out = verify(&tf, &["/posts/a"], &[]);
    assert_eq!(code(&out), 4);
    assert!(
        stdout(&out).contains("pods of one build serve different content"),
        "{}",
        stdout(&out)
    );

    // Normalised, the pods agree: converged (agreement), and fresh once a check proves it.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(r.normalisation, ["preset:timestamps"]);
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Converged);
    let cs = fetches(&r, "/posts/a");
    assert!(cs.iter().all(|c| c.hash == cs[0].hash));
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--ignore-preset",
            "timestamps",
            "--expect-contains",
            "Post A (initial)",
        ],
    );
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Fresh);
}

#[test]
fn ignore_regex_replaces_what_it_matches() {
    let tf = TestFleet::three();
    assert_eq!(
        revalidate_on(&tf, 2, "/posts/a").as_deref(),
        Some("REVALIDATED")
    );
    let iso = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z";
    // Too narrow: only the attribute; the timestamp also shows as text and in __NEXT_DATA__.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore", r#"dateTime="[^"]*""#]);
    assert_eq!(rc, 4, "{r:#?}");
    assert!(verdict(&r, "/posts/a").diverged);
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore", iso]);
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Converged);
    assert_eq!(r.normalisation, [format!("ignore:{iso}")]);
    // Ignoring is not a licence to miss a content change.
    tf.fleet().cms().set_title("a", "Post A edited");
    revalidate_on(&tf, 0, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore", iso]);
    assert_eq!(rc, 4, "{r:#?}");
    assert!(verdict(&r, "/posts/a").diverged);
}

#[test]
fn select_hashes_only_the_capture_group() {
    // The selection is of the HTML: the page alone is checked here.
    let tf = TestFleet::three();
    let select = r#"<h1 id="title">(.*?)</h1>"#;
    assert_eq!(
        revalidate_on(&tf, 0, "/posts/a").as_deref(),
        Some("REVALIDATED")
    );
    // The timestamps differ, outside the selected heading.
    let (rc, r) = verify_json(&tf, &["/posts/a"], &[]);
    assert_eq!(rc, 4, "{r:#?}");
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &["--select", select, "--variants", "html"],
    );
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Converged);
    assert_eq!(r.normalisation, [format!("select:{select}")]);
    // The hash is of the captured text alone.
    let want = blake3::hash(b"Post A (initial)").to_hex().to_string();
    assert!(
        fetches(&r, "/posts/a")
            .iter()
            .all(|c| c.hash.as_deref() == Some(want.as_str()))
    );

    // A change inside the heading is caught.
    tf.fleet().cms().set_title("a", "Post A selected");
    revalidate_on(&tf, 1, "/posts/a");
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &["--select", select, "--variants", "html"],
    );
    assert_eq!(rc, 4, "{r:#?}");
    assert!(verdict(&r, "/posts/a").diverged);
    assert_eq!(
        fetch(&r, "/posts/a", "pod-2").hash,
        Some(blake3::hash(b"Post A selected").to_hex().to_string())
    );

    // A page without the selected part is not proven anything.
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &["--select", "<h2>(.*)</h2>", "--variants", "html"],
    );
    assert_eq!(rc, 3, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Unreachable);
    assert!(fetches(&r, "/posts/a").iter().all(|c| {
        c.outcome == Some(FetchOutcome::Error)
            && c.error
                .as_deref()
                .is_some_and(|e| e.contains("--select matched nothing"))
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
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Stale);
    assert!(v.diverged);

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
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.stale_pods, ["pod-3"]);
    assert_eq!(v.fresh_pods, 2);
    assert!(!v.diverged);
    let c = fetch(&r, "/posts/a", "pod-3");
    assert_eq!(c.contains, Some(false));
    assert_eq!(c.state, Some(State::Stale));
    assert_eq!(c.problems, [r#"lacks "Post A v2 lie""#]);
    assert_eq!(c.nextjs_cache.as_deref(), Some("HIT"));
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
    assert!(
        has_line(&text, "/posts/a stale 2/3 fresh html, data pod-1"),
        "{text}"
    );
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
    assert!(
        has_line(&text, "/posts/a stale 1/3 fresh html, data pod-2, pod-3"),
        "{text}"
    );
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
        has_line(
            &text,
            "/posts/b stale 0/3 fresh html, data pod-1, pod-2, pod-3"
        ),
        "{text}"
    );
    assert!(
        has_line(&text, "2 paths: 0 fresh, 2 stale · exit 4"),
        "{text}"
    );

    let (rc, r) = verify_json(&tf, &["/posts/a", "/posts/b"], &args);
    assert_eq!(rc, 4);
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.stale_pods, ["pod-2", "pod-3"]);
    assert_eq!(v.fresh_pods, 1);
    assert!(!v.diverged);
    assert_eq!(
        r.expected,
        r#"every pod: status 200, contains "Post A v2", one hash per build"#
    );
    assert_eq!(fetch(&r, "/posts/a", "pod-1").contains, Some(true));
    assert_eq!(fetch(&r, "/posts/a", "pod-2").contains, Some(false));
    assert_eq!(r.totals.stale, 2);

    // Once every pod has it, it is fresh.
    revalidate_on(&tf, 1, "/posts/a");
    revalidate_on(&tf, 2, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Fresh);
}

#[test]
fn expect_regex_names_the_stale_pods() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, 2, "/posts/a");
    let re = r#"<h1 id="title">Post A v\d+</h1>"#;
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--expect-regex", re]);
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.stale_pods, ["pod-1", "pod-2"]);
    assert!(!v.diverged);
    assert_eq!(fetch(&r, "/posts/a", "pod-3").matches, Some(true));
    assert_eq!(fetch(&r, "/posts/a", "pod-1").matches, Some(false));
    assert_eq!(
        fetch(&r, "/posts/a", "pod-1").problems,
        [format!("does not match /{re}/")]
    );
    let short = |pod: &str| fetch(&r, "/posts/a", pod).hash.clone().unwrap()[..12].to_string();

    let out = verify(&tf, &["/posts/a"], &["--expect-regex", re]);
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    assert!(
        has_line(&text, "/posts/a stale 1/3 fresh html, data pod-1, pod-2"),
        "{text}"
    );
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
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.stale_pods, ["pod-2"]);
    assert!(!v.diverged);
    // Without a check the two others only agree: none is proven fresh.
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 2));
    let c = fetch(&r, "/posts/a", "pod-2");
    assert_eq!(c.status, Some(500));
    assert_eq!(c.problems, ["status 500, expected 200"]);
    assert_eq!(c.attempts, 1, "a 500 is not retried");

    let out = verify(&tf, &["/posts/a"], &FAST);
    let text = stdout(&out);
    assert!(
        has_line(
            &text,
            "/posts/a stale 0/3 fresh html stale, data converged pod-2"
        ),
        "{text}"
    );
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
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Stale);
    assert_eq!(fetch(&r, "/posts/a", "pod-2").build_id, None);

    // Two builds: the odd page belongs to neither and must not hide among them (it is stale,
    // not merely unproven like the builds' own pods would be).
    tf.pod(2)
        .set_build("NEWBUILD123", "feedfacefeedfacefeedfacefeedface");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &FAST);
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.stale_pods, ["pod-2"]);
    assert_eq!(
        fetch(&r, "/posts/a", "pod-2").problems,
        ["no build id, and content no build's pods serve"]
    );
}

#[test]
fn unreachable_pods_make_the_path_unreachable_not_fresh() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(2).set_fault(Fault::Down));
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &FAST);
    assert_eq!(rc, 3, "{r:#?}");
    for p in ["/posts/a", "/plain/a"] {
        let v = verdict(&r, p);
        assert_eq!(v.verdict, Verdict::Unreachable);
        assert_eq!(v.unreachable_pods, ["pod-3"]);
        assert!(v.stale_pods.is_empty());
        assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 2));
        let c = fetch(&r, p, "pod-3");
        assert_eq!(c.outcome, Some(FetchOutcome::Unreachable));
        assert_eq!(c.state, None, "no answer, no state");
        assert_eq!(c.attempts, 2, "one retry");
        assert!(
            c.error.as_deref().unwrap_or_default().contains("connect"),
            "{c:?}"
        );
    }
    assert_eq!(r.totals.unreachable, 2);
    assert_eq!(r.totals.unreachable_cells, 2);

    let out = verify(&tf, &["/posts/a"], &FAST);
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(
        has_line(
            &text,
            "/posts/a unreachable 0/3 fresh html unreachable, data converged pod-3 (unreachable)"
        ),
        "{text}"
    );
    assert!(has_line(&text, "Fetches that failed (1):"), "{text}");
    // With a check, the reachable pods are proven, and the path is still not fresh.
    let mut args = vec!["--expect-contains", "Post A (initial)"];
    args.extend(FAST);
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 3, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert_eq!(v.fresh_pods, 2);

    // Stale outranks unreachable.
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, 0, "/posts/a");
    let mut args = vec!["--expect-contains", "Post A v2"];
    args.extend(FAST);
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.stale_pods, ["pod-2"]);
    assert_eq!(v.unreachable_pods, ["pod-3"]);
}

#[test]
fn hanging_and_resetting_pods_are_unreachable() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Hang));
    tf.block_on(tf.pod(2).set_fault(Fault::Reset));
    let (rc, r) = verify_json(&tf, &["/plain/a"], &HUNG);
    assert_eq!(rc, 3, "{r:#?}");
    let v = verdict(&r, "/plain/a");
    assert_eq!(v.unreachable_pods, ["pod-2", "pod-3"]);
    let error = fetch(&r, "/plain/a", "pod-2").error.clone();
    assert!(
        error.as_deref().unwrap_or_default().starts_with("timeout"),
        "{error:?}"
    );
    assert_eq!(
        fetch(&r, "/plain/a", "pod-3").outcome,
        Some(FetchOutcome::Unreachable)
    );
    tf.block_on(tf.pod(1).clear_faults());
}

#[test]
fn a_deadline_leaves_a_partial_report_that_is_not_fresh() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Hang));
    let (rc, r) = verify_json(&tf, &["/plain/a"], &["--deadline", "3s"]);
    assert_eq!(rc, 3, "{r:#?}");
    assert_eq!(r.stopped, Some(Stop::Deadline));
    let v = verdict(&r, "/plain/a");
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert_eq!(v.unreachable_pods, ["pod-2"]);
    let c = fetch(&r, "/plain/a", "pod-2");
    assert_eq!(c.outcome, Some(FetchOutcome::Cancelled));
    assert!(
        c.error
            .as_deref()
            .unwrap_or_default()
            .contains("--deadline"),
        "{c:?}"
    );
    let out = verify(&tf, &["/plain/a"], &["--deadline", "3s"]);
    assert_eq!(code(&out), 3);
    assert!(
        has_line(
            &stdout(&out),
            "1 path: 0 fresh, 1 unreachable · stopped early: deadline reached; this report is partial · exit 3"
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
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(
        verdict(&r, "/posts/b").stale_pods,
        ["pod-1", "pod-2", "pod-3"]
    );
    revalidate_on(&tf, 0, "/posts/b");
    revalidate_on(&tf, 1, "/posts/b");
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/b");
    assert_eq!(v.stale_pods, ["pod-3"]);
    assert_eq!(
        fetch(&r, "/posts/b", "pod-3").problems,
        ["status 200, expected 404"]
    );
    assert!(
        r.expected.starts_with("every pod: status 404"),
        "{}",
        r.expected
    );

    revalidate_on(&tf, 2, "/posts/b");
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 0, "{r:#?}");
    let v = verdict(&r, "/posts/b");
    assert_eq!(
        v.verdict,
        Verdict::Fresh,
        "a status other than 200 is evidence"
    );
    assert_eq!(v.evidence, ["status 404"]);
    assert!(
        fetches(&r, "/posts/b")
            .iter()
            .all(|c| c.status == Some(404))
    );
    // Without --expect-status, a page that is gone everywhere is stale, not fresh.
    let (rc, r) = verify_json(&tf, &["/posts/b"], &[]);
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(
        fetch(&r, "/posts/b", "pod-1").problems,
        ["status 404, expected 200"]
    );
}

#[test]
fn a_next13_fleet_is_judged_the_same_way() {
    let tf = TestFleet::start(FleetOptions {
        flavor: Flavor::Next13,
        ..FleetOptions::default()
    });
    let check = ["--expect-contains", "Post A (initial)"];
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &check);
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(r.totals.fresh, 2);
    assert!(
        cells_of(&r)
            .into_iter()
            .all(|c| c.build_id.as_deref() == Some(tf.fleet().build_id()))
    );
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &[]);
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(r.totals.converged, 2, "agreement without a check");
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
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").stale_pods, ["pod-1", "pod-3"]);
    let (rc, r) = verify_json(&tf, &["/posts/b"], &["--expect-status", "404"]);
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/b").stale_pods, ["pod-1", "pod-3"]);
    // 13's 404 page carries the build id too.
    assert_eq!(
        fetch(&r, "/posts/b", "pod-2").build_id.as_deref(),
        Some(tf.fleet().build_id())
    );
}

// ---------------------------------------------------------------------------------------------
// Builds, sizes, encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn mixed_builds_are_unproven_without_a_check_and_fresh_with_one() {
    let tf = TestFleet::three();
    tf.pod(2)
        .set_build("NEWBUILD123", "feedfacefeedfacefeedfacefeedface");
    let old = tf.fleet().build_id();
    // Without a check, content of two builds cannot be compared: unproven, exit 4.
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &[]);
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(r.totals.unproven, 2);
    for p in ["/posts/a", "/plain/a"] {
        let v = verdict(&r, p);
        assert_eq!(v.verdict, Verdict::Unproven, "{v:#?}");
        assert_eq!(v.fresh_pods, 0);
        // The reason names each build with its pods (builds in id order).
        assert!(v.reason.starts_with("pods of 2 builds, "), "{}", v.reason);
        assert!(v.reason.contains("and no content check"), "{}", v.reason);
        for build in [
            format!("{old} (pod-1, pod-2)"),
            "NEWBUILD123 (pod-3)".into(),
        ] {
            assert!(v.reason.contains(&build), "{build} in {}", v.reason);
        }
        let builds: Vec<(Option<String>, Vec<String>)> = v
            .builds
            .iter()
            .map(|b| {
                let pods = b.groups.iter().flat_map(|g| g.pods.clone()).collect();
                (b.build_id.clone(), pods)
            })
            .collect();
        assert!(
            builds.contains(&(Some(old.to_string()), vec!["pod-1".into(), "pod-2".into()])),
            "{builds:?}"
        );
        assert!(
            builds.contains(&(Some("NEWBUILD123".into()), vec!["pod-3".into()])),
            "{builds:?}"
        );
        assert_eq!(
            fetch(&r, p, "pod-3").build_id.as_deref(),
            Some("NEWBUILD123")
        );
        assert!(
            fetches(&r, p)
                .iter()
                .all(|c| c.state == Some(State::Unproven))
        );
    }

    let out = verify(&tf, &["/posts/a"], &[]);
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    assert!(
        has_line(
            &text,
            "/posts/a unproven 3/3 unproven html, data (cannot be compared)"
        ),
        "{text}"
    );
    assert!(has_line(&text, "Not proven (1):"), "{text}");
    let reason = squash(&text)
        .lines()
        .find(|l| l.starts_with("/posts/a pods of 2 builds"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no reason line:\n{text}"));
    for build in [
        format!("{old} (pod-1, pod-2)"),
        "NEWBUILD123 (pod-3)".into(),
    ] {
        assert!(reason.contains(&build), "{build} in {reason}");
    }
    assert!(
        has_line(&text, "1 path: 0 fresh, 1 unproven · exit 4"),
        "{text}"
    );

    // A check that holds on every pod proves a rolling deploy fresh: each build's pods agree.
    let check = ["--expect-contains", "Post A (initial)"];
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &check);
    assert_eq!(rc, 0, "{r:#?}");
    for p in ["/posts/a", "/plain/a"] {
        let v = verdict(&r, p);
        assert_eq!(v.verdict, Verdict::Fresh, "{v:#?}");
        assert_eq!(v.fresh_pods, 3);
        assert_eq!(v.builds.len(), 2);
        assert!(v.reason.contains("a deploy is in progress"), "{}", v.reason);
    }
    let out = verify(&tf, &["/posts/a"], &check);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        has_line(&text, "/posts/a fresh 3/3 fresh html, data -"),
        "{text}"
    );
    assert!(has_line(&text, "1 path: 1 fresh · exit 0"), "{text}");
}

#[test]
fn stale_pods_inside_one_build_are_caught_during_a_deploy() {
    let tf = TestFleet::three();
    tf.pod(2)
        .set_build("NEWBUILD123", "feedfacefeedfacefeedfacefeedface");
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, 0, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.verdict, Verdict::Stale);
    assert!(v.diverged);
    let out = verify(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    let text = stdout(&out);
    assert!(
        has_line_matching(
            &text,
            &format!(r"^[0-9a-f]{{12}} pod-2 \[build {}\]", tf.fleet().build_id())
        ),
        "groups name their build when there are several:\n{text}"
    );
    // With a check, the stale pod of the old build is named, whatever the other build serves.
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--ignore-preset",
            "timestamps",
            "--expect-contains",
            "Post A v2",
        ],
    );
    assert_eq!(rc, 4, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.stale_pods, ["pod-2", "pod-3"]);
    assert_eq!(v.fresh_pods, 1);
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
    assert_eq!(rc, 3, "{r:#?}");
    let v = verdict(&r, "/plain/a");
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 0));
    for c in fetches(&r, "/plain/a") {
        assert_eq!(c.outcome, Some(FetchOutcome::TooLarge), "{c:?}");
        let len = c.length.expect("a length");
        assert!(
            len > 1 << 20 && len < 3 << 20,
            "stopped reading early: {len}"
        );
        assert!(
            c.error
                .as_deref()
                .unwrap_or_default()
                .contains("--max-body 1048576"),
            "{c:?}"
        );
        assert_eq!(c.hash, None);
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
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(verdict(&r, "/plain/a").verdict, Verdict::Converged);
    assert!(
        fetches(&r, "/plain/a")
            .iter()
            .all(|c| c.length.is_some_and(|l| l >= 3 << 20))
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
    assert_eq!(rc, 0, "{r:#?}");
    for p in ["/plain/a", "/posts/a"] {
        let cs = fetches(&r, p);
        assert!(cs.iter().all(|c| c.hash == cs[0].hash), "{p}: {r:#?}");
        assert!(
            cs.iter().all(|c| c.length == cs[0].length),
            "decoded lengths"
        );
        assert_eq!(verdict(&r, p).verdict, Verdict::Converged);
    }
    assert_eq!(
        fetch(&r, "/plain/a", "pod-2").content_encoding.as_deref(),
        Some("gzip")
    );
    assert_eq!(
        fetch(&r, "/plain/a", "pod-1").hash,
        Some(blake3::hash(&plain_body).to_hex().to_string()),
        "the hash is of the content"
    );

    // That verify asks for gzip (so the pod above really compressed for it) and decodes what
    // comes back: a one-shot responder that records the request and always answers gzip.
    let (url, request) = gzip_responder(gz_body);
    let out = tf
        .cmd()
        .args(["verify", "/plain/a", "-o", "json", "--variants", "html"])
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
        fetch(&r, "/plain/a", "gz").hash,
        fetch(&r, "/plain/a", "pod-1").hash
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
    assert_eq!(rc, 0, "{r:#?}");
    assert!(r.etag_mode);
    assert_eq!(r.expected, "every pod: status 200, one ETag per build");
    // Equal ETags are agreement, not proof (and HEAD has no body to check).
    assert_eq!(r.totals.converged, 2);
    let (h, body) = get_raw(&tf, 0, "/posts/a", &[]);
    let etag = h.get("etag").unwrap().to_str().unwrap().to_string();
    for c in fetches(&r, "/posts/a") {
        assert_eq!(
            c.hash.as_deref(),
            Some(etag.as_str()),
            "the hash is the ETag"
        );
        assert_eq!(c.length, Some(body.len() as u64), "from Content-Length");
        // No body was read: the build id (in the body) was never seen.
        assert_eq!(c.build_id, None);
    }
    let out = verify(&tf, &["/posts/a"], &["--etag", "--dry-run", "-o", "json"]);
    let env = envelope(&out);
    assert!(
        verify_dry_run_of(&env)
            .requests
            .iter()
            .all(|q| q.method == "HEAD")
    );

    // Regenerated separately, a page with a timestamp gets another ETag; /plain pages do not.
    for i in 0..3 {
        revalidate_on(&tf, i, "/posts/a");
        revalidate_on(&tf, i, "/plain/a");
    }
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/a"], &["--etag"]);
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").verdict, Verdict::Stale);
    assert!(verdict(&r, "/posts/a").diverged);
    assert_eq!(verdict(&r, "/plain/a").verdict, Verdict::Converged);
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
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(r.saved.as_deref(), Some(file_s.as_str()));
    let snap: Snapshot = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
        .expect("the snapshot reads as one");
    assert_eq!(snap.kind, "revalidate-verify-snapshot");
    assert_eq!(snap.normalisation, ["preset:timestamps"]);
    assert_eq!(
        Some(&snap.paths["/posts/a"]["pod-2"].hash),
        fetch(&r, "/posts/a", "pod-2").hash.as_ref()
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
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(r.baseline.as_deref(), Some(file_s.as_str()));
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.stale_pods, ["pod-2", "pod-3"]);
    assert!(!v.diverged);
    assert_eq!(
        fetch(&r, "/posts/a", "pod-2").problems,
        ["unchanged since the baseline"]
    );
    let changes = v.changes.as_ref().expect("changes with a baseline");
    assert_eq!(changes.changed, 1);
    assert_eq!(changes.unchanged_pods, ["pod-2", "pod-3"]);
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
        verdict(&r, "/posts/b").stale_pods,
        ["pod-1", "pod-2", "pod-3"]
    );

    let out = fanout(&tf, &["/posts/a"], &[0, 1, 2]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 0, "{r:#?}");
    let v = verdict(&r, "/posts/a");
    assert_eq!(
        v.verdict,
        Verdict::Fresh,
        "a change since the baseline is evidence"
    );
    assert_eq!(v.evidence, ["changed since the baseline"]);
    assert_eq!(v.fresh_pods, 3);
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
    let changed: Vec<Option<bool>> = fetches(&r, "/posts/a").iter().map(|c| c.changed).collect();
    assert_eq!(changed, [Some(true), Some(false), Some(false)]);
    let out = verify(&tf, &["/posts/a"], &args);
    let text = stdout(&out);
    assert!(
        has_line(&text, &format!("Since the baseline {file_s}:")),
        "{text}"
    );
    assert!(has_line(&text, "/posts/a 1/3 pod-2, pod-3"), "{text}");
    // Without a baseline the field is null.
    let (_, r) = verify_json(&tf, &["/posts/a"], &["--ignore-preset", "timestamps"]);
    assert_eq!(fetch(&r, "/posts/a", "pod-1").changed, None);
    assert_eq!(verdict(&r, "/posts/a").changes, None);
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
fn wait_succeeds_when_the_pods_become_fresh_later() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v3");
    tf.fleet().cms().set_title("b", "Post B v3");
    revalidate_on(&tf, 0, "/posts/a");
    for i in 0..3 {
        revalidate_on(&tf, i, "/plain/b");
    }
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
                "--expect-regex",
                "Post [AB] v3",
                "-o",
                "ndjson",
            ],
        ),
    );
    // The first round has been judged (/posts/a stale) before anything changes.
    let mut lines = run.read_until(|l| l.contains(r#""event":"round""#));
    let first = ndjson(&lines);
    assert_eq!(rounds(&first), [(1, 1, 2)], "only /plain/b is settled");
    // Now the stale pods are revalidated, while verify waits.
    revalidate_on(&tf, 1, "/posts/a");
    revalidate_on(&tf, 2, "/posts/a");
    let (rest, rc) = run.finish();
    lines.extend(rest);
    let evs = ndjson(&lines);
    assert_eq!(rc, 0, "{}", lines.join("\n"));
    let rs = rounds(&evs);
    assert!(rs.len() >= 2, "{}", lines.join("\n"));
    let (_, settled, paths) = *rs.last().unwrap();
    assert_eq!((settled, paths), (2, 2));
    // Later rounds fetch only what was not settled.
    let later: Vec<Fetch> = fetch_events(&evs)
        .into_iter()
        .filter(|(round, _)| *round >= 2)
        .map(|(_, f)| f)
        .collect();
    assert!(!later.is_empty());
    assert!(later.iter().all(|f| f.path == "/posts/a"), "{later:?}");
    assert_eq!(
        verdict_events(&evs),
        [
            (String::from("/posts/a"), Verdict::Fresh),
            (String::from("/plain/b"), Verdict::Fresh)
        ]
    );
    assert!(
        matches!(
            evs.last().and_then(Event::get::<End>),
            Some(End { exit_code: 0, .. })
        ),
        "{:?}",
        evs.last()
    );
    assert_eq!(verify_totals(&evs).fresh, 2);
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
    assert!(
        has_line(&text, "/posts/a stale 2/3 fresh html, data pod-3"),
        "{text}"
    );
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
    assert!(r.rounds >= 2, "{r:#?}");
    assert_eq!(verdict(&r, "/posts/a").stale_pods, ["pod-3"]);
    assert_eq!(
        tf.pod(2).counters().by_path["/posts/a"] - before,
        u64::from(r.rounds),
        "one fetch of pod-3 a round"
    );
}

#[test]
fn wait_lists_each_path_once_in_input_order_with_its_last_rounds_fetches() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(2).set_fault(Fault::Lie));
    tf.fleet().cms().set_title("a", "Post A v5");
    for i in 0..3 {
        revalidate_on(&tf, i, "/posts/a");
    }
    // /posts/a stays stale on pod-3 round after round; /plain/c is fresh in the first round,
    // after it in the input, and so waits for it in the document.
    let args = [
        "--wait",
        "1s",
        "--ignore-preset",
        "timestamps",
        "--expect-regex",
        r"Post A v5|Post C \(initial\)",
    ];
    let (rc, r) = verify_json(&tf, &["/posts/a", "/plain/c"], &args);
    assert_eq!(rc, 4, "{r:#?}");
    assert!(r.rounds >= 2, "{r:#?}");
    let listed: Vec<(&str, Verdict)> = r
        .verdicts
        .iter()
        .map(|v| (v.path.as_str(), v.verdict))
        .collect();
    assert_eq!(
        listed,
        [("/posts/a", Verdict::Stale), ("/plain/c", Verdict::Fresh)],
        "each path once, its final verdict, in input order"
    );
    for v in &r.verdicts {
        let cells = v.cells.as_deref().unwrap_or_default();
        // Each pod's page and its data JSON, of one round only.
        assert_eq!(cells.len(), 6, "{}: {cells:#?}", v.path);
        assert!(cells.iter().all(|c| c.path == v.path));
        assert_eq!(v.through_samples.as_deref(), Some(&[][..]));
    }
    let stale: Vec<&str> = fetches(&r, "/posts/a")
        .iter()
        .filter(|f| f.state == Some(State::Stale))
        .map(|f| f.pod.as_str())
        .collect();
    assert_eq!(stale, ["pod-3"]);
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
    // 10 samples in each of the 3 Accept-Encoding variants: 30 a path (of the page alone, so
    // the round-robin spreads them evenly).
    let args = [
        "--variants",
        "html",
        "--through",
        &lb.url(),
        "--samples",
        "10",
        "--ignore-preset",
        "timestamps",
        "--expect-contains",
        "Post A v5",
    ];
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 4, "{r:#?}");
    assert_eq!(r.through.as_deref(), Some(lb.url().as_str()));
    assert_eq!(r.samples, 10);
    assert_eq!(
        r.encodings,
        [Encoding::Identity, Encoding::Gzip, Encoding::Br]
    );
    assert_eq!(samples_of(&r).len(), 30);
    let names: Vec<&str> = samples_of(&r).into_iter().map(|s| s.pod.as_str()).collect();
    let want: Vec<String> = (1..=30).map(|i| format!("through#{i}")).collect();
    assert_eq!(names, want);
    let v = verdict(&r, "/posts/a");
    assert_eq!(v.stale_pods, ["pod-3"]);
    let th = through(&r, "/posts/a");
    assert_eq!(th.samples, 30);
    assert_eq!((th.unreachable, th.unproven), (0, 0));
    assert!(
        (th.stale_share - 1.0 / 3.0).abs() < 0.05,
        "one stale pod of three: {}",
        th.stale_share
    );
    assert_eq!(th.stale + th.ok, 30);
    assert_eq!(th.nextjs_cache.get("HIT"), Some(&30));
    let variants: Vec<(Option<Encoding>, usize)> = th
        .variants
        .iter()
        .map(|x| (x.encoding, x.samples))
        .collect();
    assert_eq!(
        variants,
        [
            (Some(Encoding::Identity), 10),
            (Some(Encoding::Gzip), 10),
            (Some(Encoding::Br), 10)
        ]
    );
    assert_eq!(th.variants.iter().map(|x| x.stale).sum::<usize>(), th.stale);

    let out = verify(&tf, &["/posts/a"], &args);
    let text = stdout(&out);
    assert!(
        has_line(
            &text,
            &format!(
                "Through {} (10 samples a path, variant and encoding):",
                lb.url()
            )
        ),
        "{text}"
    );
    assert!(
        has_line_matching(
            &text,
            r"^/posts/a html 10/30 33% identity \d+%, gzip \d+%, br \d+% - HIT×30 -$"
        ),
        "{text}"
    );
    assert!(
        has_line(
            &text,
            "/posts/a stale 2/3 fresh html pod-3, 10/30 through samples stale"
        ),
        "{text}"
    );

    // Without a check nothing tells which of the pods' contents is fresh, so no sample is
    // proven fresh either: every sample is unproven.
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--through",
            &lb.url(),
            "--samples",
            "2",
            "--ignore-preset",
            "timestamps",
        ],
    );
    assert_eq!(rc, 4, "{r:#?}");
    assert!(verdict(&r, "/posts/a").diverged);
    let th = through(&r, "/posts/a");
    assert_eq!((th.ok, th.unproven, th.samples), (0, 6, 6));
    assert!(
        samples_of(&r)
            .into_iter()
            .all(|s| { s.state == Some(State::Unproven) && s.problems == ["pods disagree"] })
    );

    revalidate_on(&tf, 2, "/posts/a");
    let (rc, r) = verify_json(&tf, &["/posts/a"], &args);
    assert_eq!(rc, 0, "{r:#?}");
    let th = through(&r, "/posts/a");
    assert_eq!((th.stale, th.ok), (0, 30));
    assert_eq!(th.stale_share, 0.0);
    assert!(
        samples_of(&r)
            .into_iter()
            .all(|s| s.state == Some(State::Fresh))
    );
}

#[test]
fn the_through_table_does_not_call_unproven_samples_zero_percent_stale() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("a", "Post A v5");
    revalidate_on(&tf, 0, "/posts/a");
    // No check and pods that disagree: every sample is unproven (see the JSON in the test
    // above), so the edge's stale share is unknown, not 0%.
    let out = verify(
        &tf,
        &["/posts/a"],
        &[
            "--through",
            &lb.url(),
            "--samples",
            "2",
            "--ignore-preset",
            "timestamps",
        ],
    );
    assert_eq!(code(&out), 4);
    let text = stdout(&out);
    // The unproven samples are counted, and the share is only a lower bound.
    assert!(
        has_line_matching(
            &text,
            r"^/posts/a html 0/6 \(\+6 unproven\) >=0% identity >=0%, gzip >=0%, br >=0% "
        ),
        "the through row:\n{text}"
    );
    assert!(
        !has_line_matching(&text, r"^/posts/a html 0/6 0% "),
        "the through table claims 0% stale for unproven samples:\n{text}"
    );
}

#[test]
fn a_stale_pod_missing_from_the_list_is_caught_through_the_balancer() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("c", "Post C v2");
    revalidate_on(&tf, 0, "/posts/c");
    revalidate_on(&tf, 1, "/posts/c");
    // pod-3 is behind the balancer but not listed: the listed pods agree, and no check is given.
    // (The page alone, so the round-robin spreads the samples evenly.)
    let out = tf
        .cmd()
        .args([
            "verify",
            "/posts/c",
            "-o",
            "json",
            "--ignore-preset",
            "timestamps",
            "--variants",
            "html",
        ])
        .args(["--pod", &format!("pod-1={}", tf.pod(0).url())])
        .args(["--pod", &format!("pod-2={}", tf.pod(1).url())])
        .args(["--through", &lb.url(), "--samples", "2"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    let r = report(&out);
    let v = verdict(&r, "/posts/c");
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 2));
    let th = through(&r, "/posts/c");
    assert_eq!((th.stale, th.ok, th.samples), (2, 4, 6));
    let stale: Vec<&Fetch> = pages(samples_of(&r))
        .into_iter()
        .filter(|s| s.state == Some(State::Stale))
        .collect();
    assert_eq!(stale.len(), 2);
    assert!(
        stale
            .iter()
            .all(|s| s.problems == ["differs from every pod's content"])
    );
}

#[test]
fn through_alone_needs_a_content_check() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().set_title("b", "Post B v2");
    revalidate_on(&tf, 1, "/posts/b");
    let before = requests(&tf);
    // 3 samples in each of 3 variants: 9 a path.
    let through = |extra: &[&str]| {
        let mut c = tf.cmd();
        c.args([
            "verify",
            "/posts/b",
            "--through",
            &lb.url(),
            "--samples",
            "3",
            "--variants",
            "html",
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
    assert!(r.targets.is_empty());
    let v = verdict(&r, "/posts/b");
    assert_eq!(v.total_pods, 0);
    let th = v.through.as_ref().expect("through");
    assert_eq!((th.samples, th.stale), (9, 6));
    assert_eq!(th.stale_share, 0.667);
    assert_eq!(
        requests(&tf)
            .iter()
            .zip(&before)
            .map(|(a, b)| a - b)
            .sum::<u64>(),
        9,
        "only the samples were sent"
    );

    // Without a check, identical samples would prove nothing (an edge serving the old page
    // everywhere agrees with itself): a usage error, and nothing is sent.
    let before = requests(&tf);
    let out = through(&["--ignore-preset", "timestamps", "-o", "json"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("--through without pods needs a content check"),
        "{}",
        stderr(&out)
    );
    assert_eq!(requests(&tf), before, "nothing was sent");

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
    assert!(has_line(&text, "/posts/b fresh - html -"), "{text}");
    assert!(
        has_line(
            &text,
            "/posts/b html 0/9 0% identity 0%, gzip 0%, br 0% - HIT×9 -"
        ),
        "{text}"
    );
}

#[test]
fn encodings_choose_the_variants_sampled() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let (rc, r) = verify_json(
        &tf,
        &["/posts/a"],
        &[
            "--through",
            &lb.url(),
            "--samples",
            "2",
            "--encodings",
            "identity,gzip",
            "--expect-contains",
            "Post A (initial)",
        ],
    );
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(r.encodings, [Encoding::Identity, Encoding::Gzip]);
    let encodings: Vec<Option<Encoding>> =
        pages(samples_of(&r)).iter().map(|s| s.encoding).collect();
    assert_eq!(
        encodings,
        [
            Some(Encoding::Identity),
            Some(Encoding::Identity),
            Some(Encoding::Gzip),
            Some(Encoding::Gzip)
        ]
    );
    let th = through(&r, "/posts/a");
    assert_eq!((th.samples, th.ok), (4, 4));
    assert_eq!(th.variants.len(), 2);
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
    let env = envelope(&out);
    assert!(env.dry_run);
    let d = verify_dry_run_of(&env);
    assert_eq!(d.through.as_deref(), Some(lb.url().as_str()));
    let reqs = &d.requests;
    // A path: 3 pods, then 2 samples in each of 3 variants.
    assert_eq!(reqs.len(), 2 * (3 + 2 * 3));
    assert_eq!(reqs[0].url, format!("{}/posts/a", tf.pod(0).url()));
    assert_eq!(reqs[3].pod, "through#1");
    assert_eq!(reqs[3].url, format!("{}/posts/a", lb.url()));
    assert_eq!(reqs[8].pod, "through#6");
    assert_eq!(reqs[9].path, "/plain/a");
    let header = |name: &str, value: &str| (name.to_string(), value.to_string());
    for (i, q) in reqs.iter().enumerate() {
        assert_eq!(q.method, "GET");
        let accept = match i % 9 {
            0..=2 => "gzip, br",
            3 | 4 => "identity",
            5 | 6 => "gzip",
            _ => "br",
        };
        assert_eq!(
            q.headers,
            [header("accept-encoding", accept), header("x-probe", "1")],
            "{q:?}"
        );
    }

    let out = verify(&tf, &["/posts/a"], &["--dry-run", "-o", "ndjson"]);
    assert_eq!(code(&out), 0);
    let evs = events(&out);
    let requests_seen = evs
        .iter()
        .filter(|e| e.is::<RequestView>() && e.step.as_deref() == Some("verify"))
        .count();
    assert_eq!(requests_seen, 3);
    assert!(
        evs.iter()
            .all(|e| e.event != "fetch" && !e.is::<PathVerdict>()),
        "{evs:#?}"
    );

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
        text.lines()
            .any(|l| l == format!("GET {}/posts/a  (pod-2)", tf.pod(1).url())),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l == "  accept-encoding: gzip, br"),
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
        .args(["--expect-contains", "Post A (initial)"])
        .args(["--pod", &format!("through#1={}", tf.pod(0).url())])
        .args(["--pod", &format!("pod-2={}", tf.pod(1).url())])
        .args(["--through", &lb.url(), "--samples", "2"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    let v = verdict(&r, "/plain/a");
    assert_eq!(v.verdict, Verdict::Fresh);
    assert_eq!((v.fresh_pods, v.total_pods), (2, 2));
    assert_eq!(through(&r, "/plain/a").ok, 6);
    assert_eq!(pages(cells_of(&r)).len(), 2, "the pod is a pod");
    assert_eq!(pages(samples_of(&r)).len(), 6, "the samples are samples");
    assert_eq!(
        fetch(&r, "/plain/a", "through#1").outcome,
        Some(FetchOutcome::Fetched)
    );
}

#[test]
fn demo_tells_the_story_stale_then_fresh() {
    let (mut c, _dir) = crate::common::revalidate();
    let out = c.arg("demo").output().unwrap();
    let text = stdout(&out);
    let lines: Vec<String> = squash(&text).lines().map(str::to_string).collect();
    let at = |want: &str| {
        lines
            .iter()
            .position(|l| l == want)
            .unwrap_or_else(|| panic!("no line {want:?}:\n{text}\n{}", stderr(&out)))
    };
    let stale_titles = [
        at(r#"pod-2 "Post A (initial)" stale"#),
        at(r#"pod-3 "Post A (initial)" stale"#),
    ];
    let stale = at("/posts/a stale 1/3 fresh html, data pod-2, pod-3, 12/18 through samples stale");
    let stale_total = at("1 path: 0 fresh, 1 stale · exit 4");
    // Then one `run`: every pod revalidated and proven, the edge purged and proven.
    let ran = at("/posts/a 3/3 fresh cleared fresh fresh");
    let ran_total = at("1 fresh of 1 path · CDN cleared for 1 · exit 0");
    assert!(
        stale_titles[1] < stale && stale < stale_total && stale_total < ran && ran < ran_total,
        "{text}"
    );
    assert!(
        lines[ran_total..]
            .iter()
            .any(|l| l == r#"pod-3 "Post A v2 (edited)" fresh"#),
        "{text}"
    );
    // PORT-NOTE: suspected src bug (demo.rs, end of `run`): when the story unfolds as it
    // should, the demo now returns the reporter's worst code over all its steps, which
    // includes the deliberately stale first verify, so `revalidate demo` exits 4. Before the
    // restructure it exited with the final verify's code (0); README presents `demo` as the
    // main job, so a successful demo should exit 0.
    assert_eq!(code(&out), 0, "{}\n{}", text, stderr(&out));
}
