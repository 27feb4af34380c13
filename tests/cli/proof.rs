//! "Fresh" only with evidence, from the built binary: agreement alone is `converged`, what
//! cannot be compared is `unproven`, an edge is sampled in every variant it caches apart, and
//! identical samples through an edge prove nothing on their own.

use std::process::Output;

use revalidate::choices::Encoding;
use revalidate::verify::{State, Variant, Verdict};
use revalidate_sim::{Edge, EdgeOptions, Fault};

use crate::common::{
    TestFleet, cells_of, code, envelope, stderr, stdout, variant_verdict, verify_of,
};

const PRESET: [&str; 2] = ["--ignore-preset", "timestamps"];

fn verify(tf: &TestFleet, args: &[&str]) -> Output {
    tf.cmd().arg("verify").args(args).output().expect("runs")
}

fn verify_pods(tf: &TestFleet, args: &[&str]) -> Output {
    let mut all: Vec<String> = tf.pod_args();
    all.extend(PRESET.iter().map(|s| s.to_string()));
    all.extend(args.iter().map(|s| s.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    verify(tf, &all)
}

/// Revalidates the page on the pods given (as one editor click reaching one pod would).
fn revalidate_on(tf: &TestFleet, pods: &[usize], path: &str) {
    for &i in pods {
        let url = format!("{}{path}", tf.pod(i).url());
        let id = tf.fleet().preview_id().to_string();
        let status = tf.block_on(async move {
            reqwest::Client::new()
                .head(url)
                .header("x-prerender-revalidate", id)
                .send()
                .await
                .unwrap()
                .status()
        });
        assert_eq!(status, 200);
    }
}

#[test]
fn agreement_without_a_check_is_converged_and_says_how_to_prove_it() {
    let tf = TestFleet::three();
    // The content changed and no pod was revalidated: every pod still agrees on the old page.
    tf.fleet().cms().set_title("a", "Post A v2");
    let out = verify_pods(&tf, &["/posts/a", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = verify_of(&envelope(&out)).clone();
    let v = &r.verdicts[0];
    assert_eq!(v.verdict, Verdict::Converged);
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 3));
    assert!(v.evidence.is_empty());
    assert!(v.reason.contains("--expect-contains"), "{}", v.reason);
    assert!(
        cells_of(&r)
            .into_iter()
            .all(|c| c.state == Some(State::Converged))
    );
    let out = verify_pods(&tf, &["/posts/a"]);
    let text = stdout(&out);
    assert!(text.contains("converged"), "{text}");
    assert!(
        text.contains("agreement, not proof that it is the new content"),
        "{text}"
    );
    // The check tells the truth: every pod is stale.
    let out = verify_pods(
        &tf,
        &["/posts/a", "--expect-contains", "Post A v2", "-o", "json"],
    );
    assert_eq!(code(&out), 4);
    let r = verify_of(&envelope(&out)).clone();
    assert_eq!(r.verdicts[0].verdict, Verdict::Stale);
    assert_eq!(r.verdicts[0].stale_pods, vec!["pod-1", "pod-2", "pod-3"]);
}

#[test]
fn one_pod_without_a_check_proves_nothing() {
    let tf = TestFleet::three();
    let pod = format!("pod-1={}", tf.pod(0).url());
    let out = verify(&tf, &["/posts/a", "--pod", &pod, "-o", "json"]);
    assert_eq!(code(&out), 4);
    let r = verify_of(&envelope(&out)).clone();
    assert_eq!(r.verdicts[0].verdict, Verdict::Unproven);
    assert!(
        r.verdicts[0]
            .reason
            .starts_with("one pod and no content check")
    );
    let out = verify(
        &tf,
        &["/posts/a", "--pod", &pod, "--expect-contains", "Post A"],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn mixed_builds_are_unproven_without_a_check_and_fresh_with_one() {
    let tf = TestFleet::three();
    tf.pod(2)
        .set_build("NewBuild222", "fedcba9876543210fedcba9876543210");
    let out = verify_pods(&tf, &["/posts/a", "-o", "json"]);
    assert_eq!(
        code(&out),
        4,
        "a pod on another build never revalidated proves nothing"
    );
    let r = verify_of(&envelope(&out)).clone();
    let v = &r.verdicts[0];
    assert_eq!(v.verdict, Verdict::Unproven);
    assert!(v.reason.contains("NewBuild222 (pod-3)"), "{}", v.reason);
    assert_eq!(v.fresh_pods, 0);
    // A rolling deploy is provable with a check that holds on every pod.
    let out = verify_pods(
        &tf,
        &["/posts/a", "--expect-contains", "Post A", "-o", "json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = verify_of(&envelope(&out)).verdicts[0].clone();
    assert_eq!(v.verdict, Verdict::Fresh);
    assert_eq!(v.builds.len(), 2);
}

#[test]
fn wait_keeps_waiting_on_an_unproven_rollout_until_it_finishes() {
    let tf = TestFleet::three();
    let build = tf.fleet().build_id().to_string();
    let id = tf.fleet().preview_id().to_string();
    tf.pod(2)
        .set_build("NewBuild333", "fedcba9876543210fedcba9876543210");
    let mut args = tf.pod_args();
    args.extend(
        [
            "/posts/a",
            "--ignore-preset",
            "timestamps",
            "--wait",
            "20s",
            "-o",
            "json",
        ]
        .map(String::from),
    );
    let child = crate::common::std_command(tf.dir.path())
        .arg("verify")
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The rollout finishes (the pod is back on the build the others run) while verify waits.
    assert!(crate::common::wait_until(10, || tf
        .pod(2)
        .counters()
        .requests
        >= 2));
    tf.pod(2).set_build(&build, &id);
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = verify_of(&envelope(&out)).clone();
    assert!(r.rounds >= 2, "{r:#?}");
    assert_eq!(r.verdicts[0].verdict, Verdict::Converged);
}

#[test]
fn through_without_pods_needs_a_check_and_sends_nothing_without_one() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let out = verify(&tf, &["/posts/a", "--through", &lb.url(), "--samples", "5"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("identical samples prove nothing"), "{err}");
    assert!(tf.pods().iter().all(|p| p.counters().requests == 0));
    // With a check, identical stale samples are caught.
    tf.fleet().cms().set_title("a", "Post A v2");
    let out = verify(
        &tf,
        &[
            "/posts/a",
            "--through",
            &lb.url(),
            "--samples",
            "2",
            "--expect-contains",
            "Post A v2",
            "-o",
            "json",
        ],
    );
    assert_eq!(code(&out), 4);
    let t = verify_of(&envelope(&out)).verdicts[0]
        .through
        .clone()
        .unwrap();
    assert_eq!((t.samples, t.stale), (6, 6));
}

#[test]
fn a_stale_copy_of_one_variant_at_the_edge_is_seen() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    let edge = tf
        .block_on(Edge::start(lb.addr(), EdgeOptions::default()))
        .unwrap();
    // A visitor without compression caches the old page at the edge (identity variant) ...
    let url = format!("{}/posts/a", edge.url());
    tf.block_on(async {
        reqwest::Client::builder()
            .no_gzip()
            .no_brotli()
            .build()
            .unwrap()
            .get(&url)
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    // ... then the content changes and every pod is revalidated.
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, &[0, 1, 2], "/posts/a");
    let out = verify_pods(
        &tf,
        &[
            "/posts/a",
            "--expect-contains",
            "Post A v2",
            "--through",
            &edge.url(),
            "--samples",
            "2",
            "-o",
            "json",
        ],
    );
    assert_eq!(code(&out), 4, "the identity copy at the edge is stale");
    let r = verify_of(&envelope(&out)).clone();
    let v = &r.verdicts[0];
    assert_eq!(v.fresh_pods, 3);
    assert_eq!(v.verdict, Verdict::Stale);
    let t = v.through.clone().unwrap();
    let share = |e: Encoding| {
        t.variants
            .iter()
            .find(|x| x.encoding == Some(e))
            .map(|x| (x.stale, x.stale_share))
            .unwrap()
    };
    assert_eq!(share(Encoding::Identity), (2, 1.0));
    assert_eq!(share(Encoding::Gzip), (0, 0.0));
    assert_eq!(share(Encoding::Br), (0, 0.0));
    // Sampling only the compressed variants (as before) would have said fresh.
    let out = verify_pods(
        &tf,
        &[
            "/posts/a",
            "--expect-contains",
            "Post A v2",
            "--through",
            &edge.url(),
            "--encodings",
            "gzip,br",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("gzip 0%, br 0%"), "{text}");
}

#[test]
fn a_pod_that_lies_is_caught_only_by_a_check() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Lie));
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, &[0, 1, 2], "/posts/a");
    let out = verify_pods(
        &tf,
        &["/posts/a", "--expect-contains", "Post A v2", "-o", "json"],
    );
    assert_eq!(code(&out), 4);
    let v = verify_of(&envelope(&out)).verdicts[0].clone();
    assert_eq!(v.stale_pods, vec!["pod-2"]);
}

#[test]
fn a_check_that_matches_the_empty_string_is_refused_before_anything_is_sent() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    for (flag, value) in [
        ("--expect-contains", ""),
        ("--expect-regex", ""),
        ("--expect-regex", "x*"),
        ("--expect-regex", "(?s).*"),
        ("--expect-regex", "\\b"),
    ] {
        let out = verify_pods(&tf, &["/posts/a", flag, value]);
        assert_eq!(code(&out), 2, "{flag} {value:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("a check that matches the empty string proves nothing"),
            "{flag} {value:?}: {err}"
        );
        let key = if flag == "--expect-contains" {
            "verify.expect_contains"
        } else {
            "verify.expect_regex"
        };
        assert!(err.contains(key), "{err}");
    }
    // From a profile too: the stale pods are never called fresh.
    tf.write(
        "revalidate.toml",
        "[profiles.lax.verify]\nexpect_regex = \"(?s).*\"\n",
    );
    let out = verify_pods(&tf, &["/posts/a", "-p", "lax"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("profile"), "{err}");
    assert!(
        err.contains("a check that matches the empty string proves nothing"),
        "{err}"
    );
    assert!(
        tf.pods().iter().all(|p| p.counters().requests == 0),
        "nothing is sent"
    );
    // A check that can fail is taken, and tells the truth.
    let out = verify_pods(&tf, &["/posts/a", "--expect-regex", "Post A v\\d"]);
    assert_eq!(code(&out), 4, "{}", stdout(&out));
}

#[test]
fn a_normalisation_that_erases_the_page_cannot_hide_a_lying_pod() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(1).set_fault(Fault::Lie));
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, &[0, 1, 2], "/posts/a");
    for (flag, value, rule) in [
        ("--ignore", "(?s).*", "--ignore \"(?s).*\""),
        ("--select", "(x{0})", "--select \"(x{0})\""),
    ] {
        let out = verify_pods(&tf, &["/posts/a", flag, value, "-o", "json"]);
        assert_eq!(code(&out), 4, "{flag} {value}: {}", stdout(&out));
        let r = verify_of(&envelope(&out)).clone();
        let v = &r.verdicts[0];
        assert_eq!(v.verdict, Verdict::Unproven, "{v:#?}");
        assert!(
            v.reason.contains("normalisation erased the page"),
            "{}",
            v.reason
        );
        assert!(v.reason.contains(rule), "{}", v.reason);
        assert!(
            cells_of(&r)
                .into_iter()
                .all(|c| c.state == Some(State::Unproven) && c.erased.is_some())
        );
        assert!(
            r.warnings
                .iter()
                .any(|w| w.starts_with(&format!("{rule} erases the page"))),
            "{:?}",
            r.warnings
        );
        // People see the warning and the verdict.
        let out = verify_pods(&tf, &["/posts/a", flag, value]);
        assert_eq!(code(&out), 4);
        assert!(stderr(&out).contains("erases the page"), "{}", stderr(&out));
        assert!(stdout(&out).contains("unproven"), "{}", stdout(&out));
    }
    // Without the erasing setting the lie shows.
    let out = verify_pods(&tf, &["/posts/a", "-o", "json"]);
    assert_eq!(code(&out), 4);
    assert_eq!(
        verify_of(&envelope(&out)).verdicts[0].verdict,
        Verdict::Stale
    );
}

/// `verify --save` of /posts/a on every pod, as a CI's "before" step; returns the file.
fn save_baseline(tf: &TestFleet) -> String {
    let file = tf.dir.path().join("before.json").display().to_string();
    let out = verify_pods(tf, &["/posts/a", "--save", &file]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    file
}

#[test]
fn a_new_build_is_not_a_changed_page() {
    let tf = TestFleet::three();
    let file = save_baseline(&tf);
    // A rolling deploy: pod-3 runs a new build (rendered from the old content), then the content
    // changes and the two pods on the baseline's build are revalidated.
    tf.pod(2)
        .set_build("NewBuild555", "fedcba9876543210fedcba9876543210");
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, &[0, 1], "/posts/a");
    let args = ["/posts/a", "--baseline", &file, "--expect-changed"];
    let out = verify_pods(&tf, &[&args[..], &["-o", "json"]].concat());
    assert_eq!(code(&out), 4, "pod-3 serves the old page: {}", stdout(&out));
    let r = verify_of(&envelope(&out)).clone();
    // The page of pod-3 cannot show a change (its bytes differ by its build alone) ...
    let page = variant_verdict(&r, "/posts/a", Variant::Html);
    assert_eq!(page.verdict, Verdict::Unproven, "{page:#?}");
    assert!(
        page.reason
            .contains("pod-3 runs build NewBuild555, not the baseline's"),
        "{}",
        page.reason
    );
    // ... and its data JSON, which names no build, is the baseline's: unchanged.
    let data = variant_verdict(&r, "/posts/a", Variant::Data);
    assert_eq!(data.verdict, Verdict::Stale, "{data:#?}");
    assert_eq!(data.stale_pods, ["pod-3"]);
    assert_eq!(r.verdicts[0].verdict, Verdict::Stale);
    // The page alone says unproven, and why.
    let page_only = [&args[..], &["--variants", "html"]].concat();
    let out = verify_pods(&tf, &[&page_only[..], &["-o", "json"]].concat());
    assert_eq!(code(&out), 4);
    assert_eq!(
        verify_of(&envelope(&out)).verdicts[0].verdict,
        Verdict::Unproven
    );
    let text = stdout(&verify_pods(&tf, &page_only));
    assert!(text.contains("cannot show that the page changed"), "{text}");
    // The whole fleet on the new build, serving the old page, proves nothing either.
    tf.fleet().cms().set_title("a", "Post A (seed)");
    for i in 0..3 {
        tf.pod(i)
            .set_build("NewBuild555", "fedcba9876543210fedcba9876543210");
    }
    let out = verify_pods(&tf, &[&page_only[..], &["-o", "json"]].concat());
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    assert_eq!(
        verify_of(&envelope(&out)).verdicts[0].verdict,
        Verdict::Unproven
    );
    let out = verify_pods(&tf, &[&args[..], &["-o", "json"]].concat());
    assert_eq!(code(&out), 4, "{}", stdout(&out));
    assert_ne!(
        verify_of(&envelope(&out)).verdicts[0].verdict,
        Verdict::Fresh
    );
    // A content check proves what the build cannot: the new build's pages are the old page.
    let out = verify_pods(
        &tf,
        &[&args[..], &["--expect-contains", "Post A v2"]].concat(),
    );
    assert_eq!(code(&out), 4, "{}", stdout(&out));
}

#[test]
fn a_baseline_of_other_pods_is_warned_about_and_set_aside() {
    let tf = TestFleet::three();
    let file = save_baseline(&tf);
    tf.fleet().cms().set_title("a", "Post A v2");
    revalidate_on(&tf, &[0, 1, 2], "/posts/a");
    // The same fleet under other names (every pod replaced since the baseline was taken).
    let mut args: Vec<String> = tf
        .pods()
        .iter()
        .enumerate()
        .flat_map(|(i, p)| ["--pod".to_string(), format!("web-{i}={}", p.url())])
        .collect();
    args.extend(
        [
            "/posts/a",
            "--ignore-preset",
            "timestamps",
            "--baseline",
            &file,
            "--expect-changed",
            "-o",
            "json",
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = verify(&tf, &args);
    let r = verify_of(&envelope(&out)).clone();
    assert_eq!(
        r.verdicts[0].verdict,
        Verdict::Converged,
        "judged as without a baseline: agreement, not proof"
    );
    assert!(r.verdicts[0].evidence.is_empty());
    assert!(r.verdicts[0].changes.is_none());
    assert!(
        r.warnings.iter().any(|w| w.contains(
            "names pods pod-1, pod-2, pod-3, none of this run's pods (web-0, web-1, web-2)"
        )),
        "{:?}",
        r.warnings
    );
    assert_eq!(r.baseline, None);
}
