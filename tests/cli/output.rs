//! Output: JSON and NDJSON against the checked-in schemas, --quiet, colour, a stdout closed
//! early, and every exit code the binary produces today.

use revalidate::choices::Mode;
use revalidate::exit::Stop;
use revalidate::fanout::{self, Outcome};
use revalidate::report::events::{End, Start, StepEnd};
use revalidate::targets::Reach;
use revalidate::transport::RequestView;
use revalidate_sim::Fault;

use crate::common::{
    Event, TestFleet, cells, code, envelope, events, fanout_dry_run_of, fanout_of, revalidate,
    run_json, stderr, stdout,
};
use crate::fanout::{fanout, fanout_args, fanout_bare, fanout_json, spawn};

/// A fleet where every failure kind shows: pod-1 fine, pod-2 ignores the header (rejected),
/// pod-3 answers 500 (http-error), pod-4 is down (unreachable); /nope is gone.
fn failing_run() -> (TestFleet, assert_cmd::Command) {
    let tf = TestFleet::start(revalidate_sim::FleetOptions {
        pods: 4,
        ..Default::default()
    });
    tf.block_on(tf.pod(1).set_fault(Fault::IgnoreRevalidate));
    tf.block_on(tf.pod(2).set_fault(Fault::Status(500)));
    tf.block_on(tf.pod(3).set_fault(Fault::Down));
    let mut c = fanout(&tf);
    c.args(["/posts/a", "/nope", "/posts/d", "--retries", "0"]);
    (tf, c)
}

/// stdout as NDJSON events (each validated against the event schema), ending with a newline.
fn ndjson(out: &std::process::Output) -> Vec<Event> {
    let text = stdout(out);
    assert!(text.ends_with('\n'), "NDJSON ends with a newline: {text:?}");
    events(out)
}

/// A step-end event's totals, read as fanout's.
fn fanout_totals(totals: &serde_json::Value) -> fanout::Totals {
    serde_json::from_value(totals.clone()).expect("fanout totals")
}

#[test]
fn json_report_validates_for_success() {
    let tf = TestFleet::three();
    let (out, env) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/b"]);
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(env.schema_version, 3);
    assert_eq!(env.command, "fanout");
    assert!(!env.dry_run);
    assert_eq!(env.exit_code, 0);
    assert_eq!(env.stopped, None);
    let r = fanout_of(&env);
    assert_eq!(r.totals.cells, 6);
    assert_eq!(r.exit_code, 0);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        r.targets[0].reach,
        Reach::Direct {
            base: tf.pod(0).url().to_string()
        }
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn json_report_validates_with_every_failure_kind() {
    let (_tf, c) = failing_run();
    let (out, r) = fanout_json(c);
    assert_eq!(code(&out), 3);
    assert_eq!(r.exit_code, 3);
    let outcomes: std::collections::BTreeSet<Outcome> =
        cells(&r).into_iter().map(|(_, _, o)| o).collect();
    for want in [
        Outcome::Revalidated,
        Outcome::Gone,
        Outcome::Rejected,
        Outcome::HttpError,
        Outcome::Unreachable,
    ] {
        assert!(
            outcomes.contains(&want),
            "{want:?} missing from {outcomes:?}"
        );
    }
    assert_eq!(r.rows.len(), 3);
    assert_eq!(r.totals.cells, 12);
    assert_eq!(r.totals.ok + r.totals.failed, 12);
}

#[test]
fn json_report_validates_when_cut_short() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(0).set_fault(Fault::Hang));
    let (out, env) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "--deadline", "1s"]);
        c
    });
    assert_eq!(code(&out), 3);
    assert_eq!(env.stopped, Some(Stop::Deadline));
    assert_eq!(fanout_of(&env).totals.outcomes[&Outcome::Cancelled], 1);
}

#[test]
fn json_dry_run_validates_in_both_modes() {
    let tf = TestFleet::three();
    let (out, env) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/b", "--dry-run", "--method", "GET"]);
        c
    });
    assert_eq!(code(&out), 0);
    assert!(env.dry_run);
    let d = fanout_dry_run_of(&env);
    assert_eq!(d.requests.len(), 6);
    assert_eq!(d.requests[0].method, "GET");
    let (out, env) = run_json({
        let mut c = fanout_bare(&tf);
        c.env("S", "a-secret-value")
            .args(["/posts/a", "--dry-run", "--mode", "endpoint"])
            .args(["--endpoint", "/api/revalidate?path={path}"])
            .args([
                "-H",
                "x-revalidate-secret: ${S}",
                "--body",
                "{\"p\":\"{path}\"}",
            ]);
        c
    });
    assert_eq!(code(&out), 0);
    let d = fanout_dry_run_of(&env);
    assert_eq!(d.mode, Mode::Endpoint);
    assert_eq!(d.requests[0].method, "POST");
    for pod in tf.pods() {
        assert_eq!(pod.counters().requests, 0);
    }
}

#[test]
fn ndjson_starts_with_start_and_ends_with_end() {
    let (_tf, mut c) = failing_run();
    let out = c.args(["-o", "ndjson"]).output().unwrap();
    assert_eq!(code(&out), 3);
    let ev = ndjson(&out);
    assert_eq!(
        ev.len(),
        16,
        "start, step-start, one per cell, step-end, end: {ev:#?}"
    );
    assert!(
        matches!(ev[0].get::<Start>(), Some(Start { command, dry_run: false }) if command == "fanout"),
        "{:?}",
        ev[0]
    );
    let Some(fanout::Start {
        mode,
        method,
        targets,
        paths,
        tags,
        cells,
    }) = ev[1].get()
    else {
        panic!("{:?}", ev[1])
    };
    assert_eq!(ev[1].step.as_deref(), Some("fanout"));
    assert_eq!((mode, &*method), (Mode::Nextjs, "HEAD"));
    assert_eq!((targets.len(), paths, tags, cells), (4, 3, 0, 12));
    let cell_events = ev.iter().filter(|e| e.is::<fanout::Cell>()).count();
    assert_eq!(cell_events, 12);
    let Some(StepEnd {
        totals,
        stopped,
        exit_code,
    }) = ev[14].get()
    else {
        panic!("{:?}", ev[14])
    };
    assert_eq!(
        (ev[14].step.as_deref(), stopped, exit_code),
        (Some("fanout"), None, 3)
    );
    let totals = fanout_totals(&totals);
    assert_eq!((totals.cells, totals.ok + totals.failed), (12, 12));
    assert!(
        matches!(
            ev[15].get(),
            Some(End {
                stopped: None,
                exit_code: 3,
                ..
            })
        ),
        "{:?}",
        ev[15]
    );
}

#[test]
fn ndjson_success_and_dry_run_events_validate() {
    let tf = TestFleet::three();
    let out = fanout(&tf)
        .args(["/posts/a", "-o", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let ev = ndjson(&out);
    assert_eq!(
        ev.len(),
        7,
        "start, step-start, 3 cells, step-end, end: {ev:#?}"
    );
    assert!(
        matches!(ev[6].get(), Some(End { exit_code: 0, .. })),
        "{:?}",
        ev[6]
    );

    let out = fanout(&tf)
        .args(["/posts/a", "/posts/b", "-o", "ndjson", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let ev = ndjson(&out);
    assert!(
        matches!(ev[0].get(), Some(Start { dry_run: true, .. })),
        "{:?}",
        ev[0]
    );
    let requests: Vec<String> = ev
        .iter()
        .filter_map(|e| {
            let request = e.get::<RequestView>()?;
            assert_eq!(e.step.as_deref(), Some("fanout"));
            Some(request.path)
        })
        .collect();
    assert_eq!(
        requests,
        [
            "/posts/a", "/posts/a", "/posts/a", "/posts/b", "/posts/b", "/posts/b"
        ]
    );
    assert!(
        matches!(
            ev.last().and_then(Event::get::<End>),
            Some(End { exit_code: 0, .. })
        ),
        "{ev:#?}"
    );
}

#[test]
fn quiet_prints_no_table_but_keeps_the_exit_code_and_json() {
    let (_tf, mut c) = failing_run();
    let out = c.arg("-q").output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let tf = TestFleet::three();
    let out = fanout(&tf).args(["/posts/a", "-q"]).output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty());
    assert_eq!(tf.pod(0).counters().revalidate_requests, 1, "it still ran");
    let out = fanout(&tf)
        .args(["/posts/a", "-q", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(
        fanout_of(&envelope(&out)).totals.cells,
        3,
        "JSON is unaffected by -q"
    );
}

fn has_ansi(s: &str) -> bool {
    s.contains("\x1b[")
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let (_tf, mut c) = failing_run();
    let out = c.args(["--color", "always"]).output().unwrap();
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(has_ansi(&text), "{text:?}");
    // Red for failures, green for the passing path's count.
    assert!(text.contains("\x1b[31m"), "{text:?}");
    assert!(
        text.contains("\x1b[1mrevalidate fanout:\x1b[0m"),
        "{text:?}"
    );

    let (_tf, mut c) = failing_run();
    let out = c
        .args(["--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(!has_ansi(&stdout(&out)), "{:?}", stdout(&out));
    assert!(stdout(&out).contains("Failed cells"));

    // auto: CLICOLOR_FORCE colours a pipe; NO_COLOR wins over it.
    let (_tf, mut c) = failing_run();
    let out = c.env("CLICOLOR_FORCE", "1").output().unwrap();
    assert!(has_ansi(&stdout(&out)));
    let (_tf, mut c) = failing_run();
    let out = c
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!has_ansi(&stdout(&out)), "{:?}", stdout(&out));
    assert!(!has_ansi(&stderr(&out)), "{:?}", stderr(&out));
    // auto on a pipe, nothing set: no colour.
    let (_tf, c) = failing_run();
    let mut c = c;
    let out = c.output().unwrap();
    assert!(!has_ansi(&stdout(&out)));

    // JSON is never coloured.
    let (_tf, mut c) = failing_run();
    let out = c
        .args(["--color", "always", "-o", "json"])
        .output()
        .unwrap();
    assert!(!has_ansi(&stdout(&out)));
    envelope(&out);
}

#[test]
fn a_reader_that_goes_away_is_not_a_crash() {
    let tf = TestFleet::three();
    for extra in [
        &["-o", "human"][..],
        &["-o", "json"],
        &["-o", "ndjson"],
        &["--dry-run"],
        &["--dry-run", "-o", "json"],
    ] {
        let mut args = vec!["/posts/a", "/posts/b", "/posts/c", "/nope"];
        args.extend_from_slice(extra);
        let mut child = spawn(
            tf.dir.path(),
            &fanout_args(&tf, &args),
            std::process::Stdio::piped(),
        );
        // Like `| head -c 0`: the reader closes before anything is written.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{extra:?}: {err}");
        let want = if extra.contains(&"--dry-run") { 0 } else { 3 };
        assert_eq!(code(&out), want, "{extra:?}: {err}");
    }
    // `revalidate config` too.
    let mut child = spawn(
        tf.dir.path(),
        &["config".to_string()],
        std::process::Stdio::piped(),
    );
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(code(&out), 0);
}

#[test]
fn a_reader_that_reads_a_little_then_goes_away_is_not_a_crash() {
    use std::io::Read;
    let tf = TestFleet::start(revalidate_sim::FleetOptions {
        extra_slugs: 300,
        ..Default::default()
    });
    let paths: Vec<String> = (1..=300).map(|i| format!("/posts/p{i}")).collect();
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.extend(["-o", "ndjson"]);
    let mut child = spawn(
        tf.dir.path(),
        &fanout_args(&tf, &args),
        std::process::Stdio::piped(),
    );
    // Like `| head -c 10`.
    let mut first = [0u8; 10];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    assert_eq!(&first, b"{\"schema_v");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Every exit code the binary produces today, each from a real situation (4 comes from
/// `verify`, tested with it; 130 from Ctrl-C and 143 from SIGTERM, tested in fanout.rs; 5 has
/// no producer yet).
#[test]
fn exit_codes() {
    let tf = TestFleet::three();
    // 0: everything done.
    let out = fanout(&tf).arg("/posts/a").output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.ends_with("all done · exit 0")),
        "{}",
        stdout(&out)
    );

    // 2: usage errors of every origin, each before anything is sent.
    let usage: &[&[&str]] = &[
        &["/posts/a", "--no-such-flag"],
        &["/posts/a", "--concurrency", "0"],
        &["/posts/a", "--timeout", "10"],
        &["/posts/a", "--timeout", "0s"],
        &["/posts/a", "--mode", "sideways"],
        &["posts/a"],
        &["/posts/a", "--pod", "no-scheme:3000"],
        &["/posts/a", "--pod", "pod-1=http://127.0.0.1:1"],
        &["/posts/a", "--preview-id-file", "missing.json"],
        &["/posts/a", "-c", "missing.toml"],
        &["/posts/a", "-p", "nope"],
    ];
    for args in usage {
        let out = fanout(&tf).args(*args).output().unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?} explains itself");
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
    for pod in tf.pods() {
        assert_eq!(
            pod.counters().requests,
            1,
            "only the first run sent anything"
        );
    }

    // 3: some cells failed.
    let out = fanout(&tf).arg("/nope").output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.ends_with("3 failed · exit 3")),
        "{}",
        stdout(&out)
    );

    // 1: the machine failed us (docs cannot be written where a file stands).
    let (mut c, dir) = revalidate();
    std::fs::write(dir.path().join("completions"), "a file, not a directory").unwrap();
    let out = c
        .args(["generate-docs", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: cannot write docs"),
        "{}",
        stderr(&out)
    );

    // help and version: 0.
    let (mut c, _d) = revalidate();
    assert_eq!(code(&c.args(["fanout", "--help"]).output().unwrap()), 0);
}
