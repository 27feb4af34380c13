//! The on-call views: `cdn status`, `cdn list` and `cdn wait`, against moto behind the proxy
//! and against moto alone (which says `COMPLETED` in capitals).

use revalidate::cdn::wait::{InvalidationInfo, StatusChange, View};
use revalidate_sim::{CloudFrontOptions, Completion, Operation};

use super::{Aws, doc, events, invalidate_of, redact, status_of};
use crate::common::{code, stderr, stdout};

fn create(a: &Aws, path: &str) -> String {
    let out = a.invalidate(&[path, "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    invalidate_of(&doc(&out)).batches[0].id.clone().unwrap()
}

fn cdn(a: &Aws, args: &[&str]) -> std::process::Output {
    a.cmd()
        .arg("cdn")
        .args(args)
        .args(["--distribution", &a.dist])
        .output()
        .unwrap()
}

#[test]
fn status_and_list_show_the_invalidations() {
    let a = Aws::start(CloudFrontOptions {
        completion: Completion::Manual,
        ..CloudFrontOptions::default()
    });
    let first = create(&a, "/a");
    let second = create(&a, "/b/*");
    a.proxy().complete(&first);

    let out = cdn(&a, &["status", &first, &second, "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = doc(&out);
    let r = status_of(&env);
    assert_eq!(r.view, View::Status);
    type Seen<'a> = (&'a str, &'a str, bool, Option<usize>, Option<usize>);
    let got: Vec<Seen<'_>> = r
        .invalidations
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.status.as_str(),
                i.completed,
                i.files,
                i.wildcards,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (first.as_str(), "Completed", true, Some(1), Some(0)),
            (second.as_str(), "InProgress", false, Some(0), Some(1)),
        ]
    );
    assert_eq!(r.invalidations[1].paths, ["/b/*"]);
    assert_eq!(r.in_progress, std::slice::from_ref(&second));
    assert!(r.invalidations.iter().all(|i| i.create_time.is_some()));
    // Status only reads: in-progress is information, not a failure.
    assert_eq!(env.exit_code, 0);

    let out = cdn(&a, &["list", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let ids: Vec<String> = status_of(&doc(&out))
        .invalidations
        .iter()
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(ids, [second.clone(), first.clone()], "newest first");
    let out = cdn(&a, &["list", "--limit", "1", "-o", "ndjson"]);
    let listed: Vec<String> = events(&out)
        .into_iter()
        .filter_map(|e| e.get::<InvalidationInfo>())
        .map(|i| i.id)
        .collect();
    assert_eq!(listed, std::slice::from_ref(&second));

    let out = cdn(&a, &["status", &first, &second]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("status", redact(&stdout(&out), Some(&a.dist)));
}

#[test]
fn wait_polls_until_completed_or_names_what_is_left_at_the_timeout() {
    let a = Aws::start(CloudFrontOptions {
        completion: Completion::AfterPolls(3),
        ..CloudFrontOptions::default()
    });
    let id = create(&a, "/a");
    let polls = a.calls(Operation::GetInvalidation).len();
    let out = cdn(&a, &["wait", &id, "--poll-min", "10ms", "-o", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let statuses: Vec<String> = events(&out)
        .into_iter()
        .filter_map(|e| e.get::<StatusChange>())
        .map(|s| s.status.into_owned())
        .collect();
    assert_eq!(statuses, ["InProgress", "Completed"]);
    assert_eq!(a.calls(Operation::GetInvalidation).len() - polls, 4);

    let m = Aws::start(CloudFrontOptions {
        completion: Completion::Manual,
        ..CloudFrontOptions::default()
    });
    let id = create(&m, "/a");
    let out = cdn(
        &m,
        &[
            "wait",
            &id,
            "--poll-min",
            "10ms",
            "--wait-timeout",
            "250ms",
            "-o",
            "json",
        ],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = doc(&out);
    let r = status_of(&env);
    assert!(r.timed_out);
    assert_eq!(r.in_progress, [id]);
}

#[test]
fn completed_in_any_case_is_completed() {
    // moto alone answers COMPLETED; the SDK's waiter would wait for "Completed" forever.
    let a = Aws::start(CloudFrontOptions::default());
    let moto = a.moto.as_ref().unwrap().url();
    let via_moto = |args: &[&str]| {
        a.cmd()
            .env("AWS_ENDPOINT_URL_CLOUDFRONT", &moto)
            .arg("cdn")
            .args(args)
            .args(["--distribution", &a.dist, "-o", "json"])
            .output()
            .unwrap()
    };
    let out = via_moto(&["invalidate", "/a", "--wait"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = doc(&out);
    let b = &invalidate_of(&env).batches[0];
    assert_eq!(b.status.as_deref(), Some("COMPLETED"));
    assert!(b.completed);
    let id = b.id.clone().unwrap();
    let out = via_moto(&["wait", &id]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(status_of(&doc(&out)).invalidations[0].completed);
}

#[test]
fn an_unknown_invalidation_is_exit_2() {
    let a = Aws::start(CloudFrontOptions::default());
    let out = cdn(&a, &["status", "INOSUCHTHING1"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalidation INOSUCHTHING1 does not exist on distribution"),
        "{}",
        stderr(&out)
    );
    let out = cdn(&a, &["wait", "not/an/id"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("not an invalidation id"),
        "{}",
        stderr(&out)
    );
}
