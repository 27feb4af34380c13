//! `cdn invalidate` against moto behind the fault proxy: what reaches CloudFront, batching and
//! the in-progress limits, coalescing and data URLs, idempotent CallerReferences, waiting, every
//! injected fault and its exit code, dry runs, credentials and secrets.

use std::time::Duration;

use revalidate::cdn::FailureKind;
use revalidate::cdn::invalidate::{BatchOutcome, BatchReport, Blocked};
use revalidate_sim::{
    CallerReferenceConflict, CloudFrontFault, CloudFrontOptions, Completion, InvalidationStatus,
    Operation,
};

use super::{
    Aws, KEY_ID, SECRET_KEY, assert_never_shown, bare, doc, events, invalidate_of, redact,
};
use crate::common::{TestFleet, code, stderr, stdout};

fn aws() -> Aws {
    Aws::start(CloudFrontOptions::default())
}

fn completion(c: Completion) -> Aws {
    Aws::start(CloudFrontOptions {
        completion: c,
        ..CloudFrontOptions::default()
    })
}

#[test]
fn creates_one_invalidation_of_paths_in_cloudfronts_form() {
    let a = aws();
    let out = a.invalidate(&[
        "/a b",
        "/~editor/draft",
        "/100%",
        "/café",
        "/search?q=x",
        "/posts/*",
        "/posts/a",
        "/Posts/A",
        "-o",
        "json",
        "--run-id",
        "r1",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = doc(&out);
    let r = invalidate_of(&env);
    // What the CloudFront guide asks for: non-ASCII and RFC 1738 unsafe characters encoded
    // (space, %, ~), nothing else; the query string dropped (the default distribution does not
    // cache on it); /posts/a covered by /posts/*; case kept.
    let want = [
        "/%7Eeditor/draft",
        "/100%25",
        "/Posts/A",
        "/a%20b",
        "/caf%C3%A9",
        "/posts/*",
        "/search",
    ];
    let creates = a.calls(Operation::CreateInvalidation);
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].paths, want);
    assert_eq!(r.batches.len(), 1);
    let b = &r.batches[0];
    assert_eq!(b.paths, want);
    assert_eq!(b.outcome, BatchOutcome::Created);
    assert_eq!(b.id, creates[0].invalidation_id);
    assert_eq!(
        creates[0].caller_reference.as_deref(),
        Some(b.caller_reference.as_str())
    );
    assert_eq!(b.status.as_deref(), Some("InProgress"));
    assert_eq!((b.files, b.wildcards, b.billed_paths), (6, 1, 7));
    assert_eq!(b.cost_usd, 0.035);
    assert_eq!(r.in_progress, [b.id.clone().unwrap()]);
    assert_eq!((r.plan.covered, r.plan.query_strings_dropped), (1, 1));
    assert!(!r.waited);
    assert!(
        r.warnings.iter().any(|w| w.contains("query string")),
        "{:?}",
        r.warnings
    );
    // Before creating, the in-progress limits were checked.
    let ops: Vec<Operation> = a.proxy().requests().iter().map(|q| q.operation).collect();
    assert_eq!(
        ops,
        [Operation::ListInvalidations, Operation::CreateInvalidation]
    );
    assert_eq!(r.totals.api_calls, 2);
}

#[test]
fn query_strings_are_kept_when_the_distribution_caches_on_them() {
    let a = aws();
    let out = a.invalidate(&["/search?q=a b", "/search?q=c", "--query-strings", "keep"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let creates = a.calls(Operation::CreateInvalidation);
    assert_eq!(creates[0].paths, ["/search?q=a%20b", "/search?q=c"]);
}

#[test]
fn waits_until_cloudfront_says_completed() {
    let a = completion(Completion::AfterPolls(3));
    let out = a.invalidate(&["/a", "--wait", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = doc(&out);
    let r = invalidate_of(&env);
    let b = &r.batches[0];
    assert!(b.completed);
    assert_eq!(b.status.as_deref(), Some("Completed"));
    assert!(b.completed_after_ms.is_some_and(|ms| ms > 0.0));
    assert!(r.in_progress.is_empty() && r.waited);
    assert_eq!(r.totals.completed, 1);
    // Three answers said InProgress, the fourth Completed: polled until then, not after.
    assert_eq!(a.calls(Operation::GetInvalidation).len(), 4);
    assert_eq!(
        a.proxy().invalidations()[0].status,
        InvalidationStatus::Completed
    );
}

#[test]
fn the_wait_timeout_is_exit_3_naming_what_is_still_in_progress() {
    let a = completion(Completion::Manual);
    let out = a.invalidate(&[
        "/a",
        "/b",
        "--wait",
        "--wait-timeout",
        "300ms",
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = doc(&out);
    let r = invalidate_of(&env);
    let id = a.proxy().invalidations()[0].id.clone();
    assert_eq!(r.in_progress, std::slice::from_ref(&id));
    assert!(r.timed_out && !r.batches[0].completed);
    assert!(a.calls(Operation::GetInvalidation).len() >= 2, "it polled");

    let out = a.invalidate(&["/a", "/b", "--wait", "--wait-timeout", "200ms"]);
    assert_eq!(code(&out), 3);
    let id = a.proxy().invalidations()[1].id.clone();
    assert!(
        stdout(&out).contains(&format!("still in progress: {id}")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn ctrl_c_while_waiting_prints_the_partial_report_and_exits_130() {
    let a = completion(Completion::Manual);
    let child = super::bare_std(a.dir.path())
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_ENDPOINT_URL_CLOUDFRONT", a.proxy().url())
        .args([
            "cdn",
            "invalidate",
            "/a",
            "--distribution",
            &a.dist,
            "--wait",
        ])
        .args(["--poll-min", "10ms", "--poll-max", "20ms", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        crate::common::wait_until(20, || !a.calls(Operation::GetInvalidation).is_empty()),
        "it started waiting"
    );
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 130, "{}", stderr(&out));
    let env = doc(&out);
    assert_eq!(env.stopped, Some(revalidate::exit::Stop::Interrupted));
    let r = invalidate_of(&env);
    let id = a.proxy().invalidations()[0].id.clone();
    assert_eq!(
        r.batches[0].id.as_deref(),
        Some(id.as_str()),
        "the created batch is reported"
    );
    assert_eq!(r.in_progress, [id]);
}

#[test]
fn splits_over_3000_paths_and_sends_a_batch_only_when_there_is_room() {
    // Each invalidation stays in progress for a moment, so the second batch must wait for the
    // first: 3,000 files in progress leave no room for more.
    let a = completion(Completion::After(Duration::from_millis(400)));
    let paths: String = (0..3005).map(|n| format!("/p/{n:05}\n")).collect();
    let file = a.dir.path().join("paths.txt");
    std::fs::write(&file, paths).unwrap();
    let out = a.invalidate(&["--paths-file", file.to_str().unwrap(), "-o", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evs = events(&out);
    let blocked: Vec<(usize, usize)> = evs
        .iter()
        .filter_map(|e| e.get::<Blocked>())
        .map(|b| (b.batch, b.files_in_progress))
        .collect();
    assert!(!blocked.is_empty(), "the second batch waited");
    assert!(blocked.iter().all(|b| *b == (2, 3000)), "{blocked:?}");
    let batches: Vec<BatchReport> = evs.iter().filter_map(|e| e.get()).collect();
    let sizes: Vec<usize> = batches.iter().map(|b| b.paths.len()).collect();
    assert_eq!(sizes, [3000, 5]);
    assert!(batches.iter().all(|b| b.outcome == BatchOutcome::Created));
    assert!(batches[1].blocked_ms >= 100.0, "{}", batches[1].blocked_ms);
    // CloudFront never had to refuse: the client waited for room itself.
    let creates = a.calls(Operation::CreateInvalidation);
    assert_eq!(creates.len(), 2);
    assert!(creates.iter().all(|c| c.status == 201), "{creates:?}");
}

#[test]
fn coalesces_crowded_directories_and_adds_next_data_urls() {
    let a = aws();
    let mut args: Vec<String> = (1..=12).map(|n| format!("/posts/p{n}")).collect();
    args.extend(["/".into(), "/about".into()]);
    args.extend(["--coalesce", "10", "--next-data", "BUILD_123", "-o", "json"].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = a.invalidate(&refs);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let creates = a.calls(Operation::CreateInvalidation);
    assert_eq!(
        creates[0].paths,
        [
            "/",
            "/_next/data/BUILD_123/about.json",
            "/_next/data/BUILD_123/index.json",
            "/_next/data/BUILD_123/posts/*",
            "/about",
            "/posts/*",
        ]
    );
    let env = doc(&out);
    let r = invalidate_of(&env);
    let made: Vec<(&str, usize)> = r
        .plan
        .coalesced
        .iter()
        .map(|c| (c.wildcard.as_str(), c.replaced))
        .collect();
    assert_eq!(
        made,
        [("/_next/data/BUILD_123/posts/*", 12), ("/posts/*", 12)]
    );
    assert_eq!(
        (r.plan.requested, r.plan.next_data, r.plan.paths),
        (14, 14, 6)
    );
}

#[test]
fn next_data_auto_reads_the_build_id_of_every_pod() {
    let tf = TestFleet::three();
    let a = aws();
    let old = tf.fleet().build_id().to_string();
    // A rolling deploy: one pod already runs the next build.
    tf.pod(2)
        .set_build("NEWBUILDxxxxxxxxxxxxx", "feedfacefeedfacefeedfacefeedface");
    let mut args = vec!["/posts/a".to_string(), "--next-data".into(), "auto".into()];
    args.extend(tf.pod_args());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = a.invalidate(&refs);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut want = vec![
        "/_next/data/NEWBUILDxxxxxxxxxxxxx/posts/a.json".to_string(),
        format!("/_next/data/{old}/posts/a.json"),
        "/posts/a".into(),
    ];
    want.sort();
    assert_eq!(a.calls(Operation::CreateInvalidation)[0].paths, want);

    // From .next/BUILD_ID, no pods needed.
    let id_file = a.dir.path().join("BUILD_ID");
    std::fs::write(&id_file, "FromFile_1\n").unwrap();
    let out = a.invalidate(&[
        "/x",
        "--next-data",
        "auto",
        "--build-id-file",
        id_file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let creates = a.calls(Operation::CreateInvalidation);
    assert_eq!(creates[1].paths, ["/_next/data/FromFile_1/x.json", "/x"]);

    // A pod that cannot be read is no guess: exit 2 before anything is sent.
    let out = a.invalidate(&["/x", "--next-data", "auto", "--pod", "http://127.0.0.1:9"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not read the build id of every pod"),
        "{}",
        stderr(&out)
    );
    assert_eq!(a.calls(Operation::CreateInvalidation).len(), 2);
}

#[test]
fn the_same_run_id_gets_the_earlier_invalidation_back() {
    let a = aws();
    let run = |extra: &[&str]| {
        let mut args = vec!["/a", "/b", "-o", "json"];
        args.extend_from_slice(extra);
        let out = a.invalidate(&args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        invalidate_of(&doc(&out)).clone()
    };
    let first = run(&["--run-id", "deploy-7"]);
    let again = run(&["--run-id", "deploy-7"]);
    assert_eq!(first.batches[0].outcome, BatchOutcome::Created);
    assert_eq!(again.batches[0].outcome, BatchOutcome::Reused);
    assert_eq!(again.batches[0].id, first.batches[0].id);
    assert_eq!(
        again.batches[0].caller_reference,
        first.batches[0].caller_reference
    );
    assert_eq!((again.totals.billed_paths, again.totals.reused), (0, 1));
    assert!(
        again.warnings.iter().any(|w| w.contains("new --run-id")),
        "{:?}",
        again.warnings
    );
    let creates = a.calls(Operation::CreateInvalidation);
    assert!(!creates[0].replayed && creates[1].replayed);
    assert_eq!(a.proxy().invalidations().len(), 1, "paid once");

    // Another run id is another invalidation.
    let other = run(&["--run-id", "deploy-8"]);
    assert_eq!(other.batches[0].outcome, BatchOutcome::Created);
    assert_ne!(other.batches[0].id, first.batches[0].id);
}

#[test]
fn a_ci_run_id_makes_retries_idempotent_and_without_one_every_run_invalidates() {
    let a = aws();
    let ids = |env: &[(&str, &str)]| {
        let mut c = a.cmd();
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c
            .args([
                "cdn",
                "invalidate",
                "/a",
                "--distribution",
                &a.dist,
                "-o",
                "json",
            ])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let r = invalidate_of(&doc(&out)).clone();
        (r.batches[0].id.clone().unwrap(), r.run_id_source)
    };
    let (x, src) = ids(&[("GITHUB_RUN_ID", "987654")]);
    let (y, _) = ids(&[("GITHUB_RUN_ID", "987654")]);
    assert_eq!(x, y, "a retried CI job gets its invalidation back");
    assert_eq!(src, "env GITHUB_RUN_ID");
    // Without a run id the same paths are invalidated again: a later edit of the page must
    // never get an old invalidation back and clear nothing.
    let (p, src) = ids(&[]);
    let (q, _) = ids(&[]);
    assert_ne!(p, q);
    assert!(src.starts_with("random"), "{src}");
}

#[test]
fn a_caller_reference_reused_for_other_paths_is_exit_2() {
    for conflict in [
        CallerReferenceConflict::AlreadyExists,
        CallerReferenceConflict::InvalidArgument,
    ] {
        let a = Aws::start(CloudFrontOptions {
            caller_reference_conflict: conflict,
            ..CloudFrontOptions::default()
        });
        let out = a.invalidate(&["/a", "--caller-reference", "release-1"]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let out = a.invalidate(&["/b", "--caller-reference", "release-1"]);
        assert_eq!(code(&out), 2, "{conflict:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("the CallerReference release-1 was used before"),
            "{err}"
        );
        assert!(err.contains("hint:") && err.contains("--run-id"), "{err}");
    }
}

#[test]
fn throttling_is_retried_by_the_sdk() {
    let a = aws();
    a.proxy().inject(
        CloudFrontFault::Throttling,
        Some(Operation::CreateInvalidation),
        1,
    );
    let out = a.invalidate(&["/a", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let creates = a.calls(Operation::CreateInvalidation);
    let seen: Vec<(u16, Option<u32>)> = creates.iter().map(|c| (c.status, c.attempt)).collect();
    assert_eq!(seen, [(400, Some(1)), (201, Some(2))]);
    assert_eq!(invalidate_of(&doc(&out)).batches[0].attempts, 1);
}

#[test]
fn too_many_invalidations_in_progress_is_retried_with_backoff() {
    let a = aws();
    a.proxy().inject(
        CloudFrontFault::TooManyInvalidationsInProgress,
        Some(Operation::CreateInvalidation),
        2,
    );
    let out = a.invalidate(&["/a", "-o", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let evs = events(&out);
    let blocked = evs.iter().filter(|e| e.is::<Blocked>()).count();
    assert_eq!(blocked, 2);
    let batch = evs.iter().find_map(|e| e.get::<BatchReport>()).unwrap();
    assert_eq!((batch.outcome, batch.attempts), (BatchOutcome::Created, 3));
    let codes: Vec<Option<String>> = a
        .calls(Operation::CreateInvalidation)
        .iter()
        .map(|c| c.error_code.clone())
        .collect();
    assert_eq!(
        codes,
        [
            Some("TooManyInvalidationsInProgress".into()),
            Some("TooManyInvalidationsInProgress".into()),
            None
        ]
    );
}

#[test]
fn server_errors_are_retried_past_the_sdk_until_the_wait_timeout() {
    let a = aws();
    // The SDK tries 3 times (--retries 2); the step tries again after that.
    a.proxy().inject(
        CloudFrontFault::InternalError,
        Some(Operation::CreateInvalidation),
        4,
    );
    let out = a.invalidate(&["/a", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(invalidate_of(&doc(&out)).batches[0].attempts, 2);
    assert_eq!(a.calls(Operation::CreateInvalidation).len(), 5);

    a.proxy().inject(
        CloudFrontFault::ServiceUnavailable,
        Some(Operation::CreateInvalidation),
        10_000,
    );
    let out = a.invalidate(&["/b", "--wait-timeout", "300ms", "-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = doc(&out);
    let b = &invalidate_of(&env).batches[0];
    assert_eq!(b.outcome, BatchOutcome::NotSubmitted);
    assert!(
        b.error.as_deref().unwrap().contains("--wait-timeout"),
        "{b:?}"
    );
}

#[test]
fn access_denied_names_the_permissions_and_is_exit_5() {
    for op in [Operation::ListInvalidations, Operation::CreateInvalidation] {
        let a = aws();
        a.proxy().inject(CloudFrontFault::AccessDenied, Some(op), 1);
        let out = a.invalidate(&["/a", "-o", "json"]);
        assert_eq!(code(&out), 5, "{op:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "nothing was done: no report");
        let err = stderr(&out);
        assert!(err.starts_with("error: AWS: "), "{err}");
        assert!(
            err.contains(&format!(
                "{} on distribution {} was denied",
                op.name(),
                a.dist
            )),
            "{err}"
        );
        assert!(
            err.contains("hint: the credentials need cloudfront:CreateInvalidation, cloudfront:GetInvalidation and cloudfront:ListInvalidations"),
            "{err}"
        );
        assert_eq!(
            a.proxy().invalidations().len(),
            0,
            "{op:?}: nothing was created"
        );
    }
}

#[test]
fn a_failure_after_a_batch_was_created_keeps_the_batch_in_the_report() {
    let a = aws();
    a.proxy().inject(
        CloudFrontFault::AccessDenied,
        Some(Operation::GetInvalidation),
        1,
    );
    let out = a.invalidate(&["/a", "--wait", "-o", "json"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let env = doc(&out);
    let r = invalidate_of(&env);
    assert_eq!(r.batches[0].outcome, BatchOutcome::Created);
    assert!(r.batches[0].id.is_some());
    let f = r.failure.as_ref().unwrap();
    assert_eq!(f.kind, FailureKind::AccessDenied);
    assert!(
        f.hint
            .as_deref()
            .unwrap()
            .contains("cloudfront:GetInvalidation"),
        "{f:?}"
    );

    // The first one done, the next run creates its batch, then is denied while waiting.
    a.proxy().complete_all();
    a.proxy().inject(
        CloudFrontFault::AccessDenied,
        Some(Operation::GetInvalidation),
        1,
    );
    let out = a.invalidate(&["/b", "--wait", "--run-id", "snap"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    insta::assert_snapshot!(
        "invalidate_denied_while_waiting",
        redact(&stdout(&out), Some(&a.dist))
    );
}

#[test]
fn an_unknown_distribution_is_exit_2_and_named() {
    let a = aws();
    let out = a
        .cmd()
        .args([
            "cdn",
            "invalidate",
            "/a",
            "--distribution",
            "EDOESNOTEXIST1",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("distribution EDOESNOTEXIST1 does not exist"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(a.calls(Operation::CreateInvalidation).is_empty());
}

#[test]
fn an_invalid_argument_names_the_path_and_is_exit_2() {
    let a = aws();
    a.proxy().inject(
        CloudFrontFault::InvalidArgument,
        Some(Operation::CreateInvalidation),
        1,
    );
    let out = a.invalidate(&["/only/this"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("CloudFront refused batch 1: its one path \"/only/this\""),
        "{err}"
    );
}

#[test]
fn bad_input_is_exit_2_and_sends_nothing() {
    let a = aws();
    for (args, want) in [
        (vec!["/a*/b"], "\"*\" is allowed only as the last character"),
        (
            vec!["/a", "--next-data", "no/slash"],
            "cdn.next_data = \"no/slash\" (command line)",
        ),
        (
            vec!["/a", "--poll-min", "2s", "--poll-max", "1s"],
            "must be at least cdn.poll_min",
        ),
        (
            vec!["/a", "--build-id-file", "x"],
            "--build-id-file is read by --next-data auto",
        ),
        (vec!["/a", "--coalesce", "0"], "--coalesce"),
    ] {
        let out = a
            .cmd()
            .args(["cdn", "invalidate", "--distribution", &a.dist])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
    let out = a.cmd().args(["cdn", "invalidate", "/a"]).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no CloudFront distribution: give --distribution ID"),
        "{}",
        stderr(&out)
    );
    assert!(a.proxy().requests().is_empty());
}

#[test]
fn dry_run_prints_the_plan_and_calls_nothing() {
    let a = aws();
    // No credentials at all: a dry run needs none.
    let dry = |extra: &[&str]| {
        let mut c = bare(a.dir.path());
        c.env("AWS_ENDPOINT_URL_CLOUDFRONT", a.proxy().url());
        c.args([
            "cdn",
            "invalidate",
            "/posts/a",
            "/posts/b",
            "/~x",
            "--dry-run",
        ])
        .args([
            "--distribution",
            "E2QWRUHAPOMQZL",
            "--run-id",
            "snap",
            "--free-paths-left",
            "1",
        ])
        .args(extra)
        .output()
        .unwrap()
    };
    let out = dry(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!(
        "invalidate_dry_run",
        redact(&stdout(&out), Some("E2QWRUHAPOMQZL"))
    );
    let out = dry(&["-o", "json"]);
    let env = doc(&out);
    assert!(env.dry_run);
    let out = dry(&["-o", "ndjson"]);
    let planned = events(&out)
        .into_iter()
        .filter(|e| e.is::<revalidate::cdn::Batch>())
        .count();
    assert_eq!(planned, 1);
    assert!(a.proxy().requests().is_empty(), "a dry run calls nothing");
}

#[test]
fn missing_credentials_say_where_the_chain_looked() {
    let a = aws();
    let mut c = bare(a.dir.path());
    c.env("AWS_ENDPOINT_URL_CLOUDFRONT", a.proxy().url());
    let out = c
        .args(["cdn", "invalidate", "/a", "--distribution", &a.dist])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: AWS: no AWS credentials found"),
        "{err}"
    );
    for place in [
        "AWS_ACCESS_KEY_ID",
        "~/.aws/credentials",
        "SSO",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "instance metadata",
        "--aws-profile",
    ] {
        assert!(err.contains(place), "the hint lacks {place}: {err}");
    }
    assert!(a.proxy().requests().is_empty());
}

#[test]
fn aws_keys_never_show_in_any_output_or_log() {
    let a = aws();
    for variant in [
        &[][..],
        &["-o", "json"],
        &["-o", "ndjson"],
        &["-vv"],
        &["-vvvv", "-o", "json"],
        &["--wait", "-vvv"],
    ] {
        let mut args = vec!["/a"];
        args.extend_from_slice(variant);
        let out = a.invalidate(&args);
        assert_eq!(code(&out), 0, "{variant:?}: {}", stderr(&out));
        assert_never_shown(&out, &[KEY_ID, SECRET_KEY], &format!("{variant:?}"));
    }
    // The keys were used: the proxy saw them in the signature's scope.
    assert!(!a.calls(Operation::CreateInvalidation).is_empty());
}

#[test]
fn the_sdk_s_own_log_lines_pass_through_the_redactor() {
    let a = aws();
    let token = "St4sessionTokenValue-Qw9";
    for format in ["text", "json"] {
        let out = a
            .cmd()
            .env("AWS_SESSION_TOKEN", token)
            .args([
                "cdn",
                "invalidate",
                "--distribution",
                &a.dist,
                "/a",
                "-vvvv",
            ])
            .args(["--log-format", format])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        // The SDK logs the credentials it resolved, with the access key id in the clear: the
        // line reaches stderr with it replaced.
        let err = stderr(&out);
        assert!(
            err.contains(r#"access_key_id: "<redacted>""#)
                || err.contains(r#"access_key_id: \"<redacted>\""#),
            "{format}: {err}"
        );
        assert_never_shown(&out, &[KEY_ID, SECRET_KEY, token], format);
    }
}

#[test]
fn human_output_shows_the_plan_then_the_batches() {
    let a = completion(Completion::AfterPolls(1));
    let out = a.invalidate(&["/posts/a", "/posts/b", "/x/*", "--wait", "--run-id", "snap"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("invalidate_wait", redact(&stdout(&out), Some(&a.dist)));
}
