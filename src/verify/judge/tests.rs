//! The evidence rules, case by case: what makes a path fresh, converged, unproven or stale.

use super::*;
use crate::choices::Encoding;

fn fetch(pod: &str, hash: &str, build: Option<&str>) -> Fetch {
    Fetch {
        path: "/p".into(),
        pod: pod.into(),
        outcome: Some(FetchOutcome::Fetched),
        status: Some(200),
        hash: Some(hash.into()),
        build_id: build.map(str::to_string),
        ..Fetch::default()
    }
}

fn sample(i: usize, hash: &str, enc: Encoding) -> Fetch {
    Fetch {
        encoding: Some(enc),
        ..fetch(&format!("through#{i}"), hash, Some("B"))
    }
}

fn no_check() -> Criteria {
    Criteria {
        status: 200,
        status_given: false,
        contains: None,
        regex: None,
        expect_changed: false,
        page_checks: Vec::new(),
    }
}

fn contains() -> Criteria {
    Criteria {
        contains: Some("v2".into()),
        ..no_check()
    }
}

fn with_text(mut f: Fetch, has: bool) -> Fetch {
    f.contains = Some(has);
    f
}

fn eval(pods: &mut [Fetch], c: &Criteria) -> PathVerdict {
    evaluate("/p", pods, &mut [], None, c, None)
}

#[test]
fn agreement_without_a_check_is_converged_not_fresh() {
    let mut pods = vec![fetch("a", "h1", Some("B")), fetch("b", "h1", Some("B"))];
    let v = eval(&mut pods, &no_check());
    assert_eq!(v.verdict, Verdict::Converged);
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 2));
    assert!(v.reason.contains("no check proves"), "{}", v.reason);
    assert!(pods.iter().all(|p| p.state == Some(State::Converged)));
    // An explicit --expect-status 200 proves nothing more.
    let c = Criteria {
        status_given: true,
        ..no_check()
    };
    assert_eq!(eval(&mut pods, &c).verdict, Verdict::Converged);
}

#[test]
fn a_check_that_holds_everywhere_is_fresh() {
    let mut pods = vec![
        with_text(fetch("a", "h1", Some("B")), true),
        with_text(fetch("b", "h1", Some("B")), true),
    ];
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Fresh);
    assert_eq!(v.fresh_pods, 2);
    assert_eq!(v.evidence, vec!["contains \"v2\"".to_string()]);
    // A non-default status is evidence too (a deleted page, 404 everywhere).
    let mut pods = vec![fetch("a", "h", None), fetch("b", "h", None)];
    for p in &mut pods {
        p.status = Some(404);
    }
    let c = Criteria {
        status: 404,
        status_given: true,
        ..no_check()
    };
    assert_eq!(eval(&mut pods, &c).verdict, Verdict::Fresh);
}

#[test]
fn one_pod_without_a_check_is_unproven() {
    let mut pods = vec![fetch("a", "h1", Some("B"))];
    let v = eval(&mut pods, &no_check());
    assert_eq!(v.verdict, Verdict::Unproven);
    assert!(
        v.reason.starts_with("one pod and no content check"),
        "{}",
        v.reason
    );
    let mut pods = vec![with_text(fetch("a", "h1", Some("B")), true)];
    assert_eq!(eval(&mut pods, &contains()).verdict, Verdict::Fresh);
}

#[test]
fn mixed_builds_without_a_check_are_unproven_naming_builds_and_pods() {
    let mut pods = vec![
        fetch("a", "h1", Some("B1")),
        fetch("b", "h1", Some("B1")),
        fetch("c", "h2", Some("B2")),
    ];
    let v = eval(&mut pods, &no_check());
    assert_eq!(v.verdict, Verdict::Unproven);
    assert!(v.reason.contains("B1 (a, b); B2 (c)"), "{}", v.reason);
    assert!(!v.verdict.is_settled());
    // With a check that holds on every pod, a rolling deploy is provable.
    let mut pods: Vec<Fetch> = pods.into_iter().map(|p| with_text(p, true)).collect();
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Fresh);
    assert!(v.reason.contains("a deploy is in progress"), "{}", v.reason);
}

#[test]
fn disagreeing_pods_without_a_check_are_stale_never_fresh() {
    let mut pods = vec![
        fetch("a", "new", Some("B")),
        fetch("b", "old", Some("B")),
        fetch("c", "old", Some("B")),
    ];
    let v = eval(&mut pods, &no_check());
    assert_eq!(v.verdict, Verdict::Stale);
    assert!(v.diverged);
    assert_eq!((v.fresh_pods, v.agreeing_pods), (0, 0));
    assert_eq!(v.builds[0].groups[0].pods, vec!["b", "c"]);
}

#[test]
fn a_check_names_the_stale_pods() {
    let mut pods = vec![
        with_text(fetch("a", "new", Some("B")), true),
        with_text(fetch("b", "old", Some("B")), false),
        with_text(fetch("c", "old", Some("B")), false),
    ];
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Stale);
    assert!(!v.diverged);
    assert_eq!(v.stale_pods, vec!["b", "c"]);
    assert_eq!(v.fresh_pods, 1);
}

#[test]
fn two_groups_that_both_pass_the_check_are_still_stale() {
    let mut pods = vec![
        with_text(fetch("a", "x", Some("B")), true),
        with_text(fetch("b", "y", Some("B")), true),
    ];
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Stale);
    assert!(v.diverged);
    // The check was given: the reason points at what differs, not at adding a check.
    assert!(!v.reason.contains("--expect-contains"), "{}", v.reason);
    assert!(v.reason.contains("pass the checks"), "{}", v.reason);
    assert!(v.reason.contains("--ignore-preset nextjs"), "{}", v.reason);
}

#[test]
fn a_page_without_build_id_is_not_hidden_by_a_deploy() {
    let mut pods = vec![
        with_text(fetch("a", "h1", Some("B1")), true),
        with_text(fetch("b", "maintenance", None), true),
        with_text(fetch("c", "h2", Some("B2")), true),
    ];
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.stale_pods, vec!["b"]);
}

#[test]
fn unreachable_pods_keep_a_path_unproven() {
    let mut pods = vec![
        with_text(fetch("a", "h1", Some("B")), true),
        Fetch {
            pod: "b".into(),
            outcome: Some(FetchOutcome::Unreachable),
            ..Fetch::default()
        },
    ];
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert_eq!(v.unreachable_pods, vec!["b"]);
}

#[test]
fn an_undecodable_body_is_its_own_reason_not_no_answer() {
    let failed = |pod: &str, outcome, enc: Option<&str>| Fetch {
        pod: pod.into(),
        outcome: Some(outcome),
        status: Some(200),
        content_encoding: enc.map(str::to_string),
        ..Fetch::default()
    };
    let mut pods = vec![
        with_text(fetch("a", "h1", Some("B")), true),
        failed("b", FetchOutcome::Undecodable, Some("gzip")),
        failed("c", FetchOutcome::Unreachable, None),
        failed("d", FetchOutcome::Undecodable, Some("br")),
    ];
    let v = eval(&mut pods, &contains());
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert_eq!(
        v.reason,
        "a body that cannot be decoded (br, gzip) from b, d; no answer from c"
    );
    // Through the edge: counted, not named.
    let mut pods = vec![with_text(fetch("a", "h1", Some("B")), true)];
    let mut samples = vec![
        with_text(sample(1, "h1", Encoding::Gzip), true),
        Fetch {
            encoding: Some(Encoding::Gzip),
            ..failed("through#2", FetchOutcome::Undecodable, Some("gzip"))
        },
    ];
    let v = evaluate(
        "/p",
        &mut pods,
        &mut samples,
        Some("http://edge"),
        &contains(),
        None,
    );
    assert_eq!(v.verdict, Verdict::Unreachable);
    assert_eq!(
        v.reason,
        "samples through http://edge: 1 with a body that cannot be decoded (gzip)"
    );
}

#[test]
fn wrong_status_is_stale() {
    let mut pods = vec![fetch("a", "h1", Some("B")), fetch("b", "h1", Some("B"))];
    pods[1].status = Some(500);
    let v = eval(&mut pods, &no_check());
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.stale_pods, vec!["b"]);
}

#[test]
fn baseline_expect_changed_catches_unchanged_pods() {
    let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "old", Some("B"))];
    let c = Criteria {
        expect_changed: true,
        ..no_check()
    };
    let base = Baseline {
        hashes: ["old".to_string()].into(),
        builds: [("a".to_string(), Some("B".to_string()))].into(),
        ..Baseline::default()
    };
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.stale_pods, vec!["b"]);
    assert_eq!(
        v.changes,
        Some(Changes {
            changed: 1,
            unchanged_pods: vec!["b".into()]
        })
    );
}

#[test]
fn samples_must_match_the_pods_and_are_shared_per_variant() {
    let mut pods = vec![
        with_text(fetch("a", "new", Some("B")), true),
        with_text(fetch("b", "new", Some("B")), true),
    ];
    let mut samples = vec![
        with_text(sample(1, "new", Encoding::Identity), true),
        with_text(sample(2, "old", Encoding::Identity), true),
        with_text(sample(3, "new", Encoding::Gzip), true),
        with_text(sample(4, "new", Encoding::Gzip), true),
    ];
    let v = evaluate(
        "/p",
        &mut pods,
        &mut samples,
        Some("http://lb"),
        &contains(),
        None,
    );
    assert_eq!(v.verdict, Verdict::Stale);
    let t = v.through.unwrap();
    assert_eq!((t.samples, t.ok, t.stale), (4, 3, 1));
    assert_eq!(t.stale_share, 0.25);
    assert_eq!(t.variants.len(), 2);
    assert_eq!(t.variants[0].encoding, Some(Encoding::Identity));
    assert_eq!((t.variants[0].stale, t.variants[0].stale_share), (1, 0.5));
    assert_eq!((t.variants[1].stale, t.variants[1].stale_share), (0, 0.0));
}

#[test]
fn samples_are_not_fresh_when_the_pods_disagree() {
    let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "old", Some("B"))];
    let mut samples = vec![
        sample(1, "new", Encoding::Identity),
        sample(2, "old", Encoding::Identity),
    ];
    let v = evaluate(
        "/p",
        &mut pods,
        &mut samples,
        Some("http://lb"),
        &no_check(),
        None,
    );
    assert!(v.diverged);
    let t = v.through.unwrap();
    assert_eq!((t.ok, t.unproven), (0, 2));
}

#[test]
fn identical_stale_samples_alone_are_never_fresh() {
    // Through the edge alone (the usage check demands a content check there): the samples
    // agree on old content, and the check catches it.
    let mut samples = vec![
        with_text(sample(1, "old", Encoding::Identity), false),
        with_text(sample(2, "old", Encoding::Gzip), false),
    ];
    let v = evaluate(
        "/p",
        &mut [],
        &mut samples,
        Some("http://cdn"),
        &contains(),
        None,
    );
    assert_eq!(v.verdict, Verdict::Stale);
    // Without a check they would only agree: converged, never fresh.
    let mut samples = vec![
        sample(1, "old", Encoding::Identity),
        sample(2, "old", Encoding::Gzip),
    ];
    let v = evaluate(
        "/p",
        &mut [],
        &mut samples,
        Some("http://cdn"),
        &no_check(),
        None,
    );
    assert_eq!(v.verdict, Verdict::Converged);
}

#[test]
fn converged_pods_with_a_matching_edge_stay_converged() {
    let mut pods = vec![fetch("a", "h", Some("B")), fetch("b", "h", Some("B"))];
    let mut samples = vec![sample(1, "h", Encoding::Br)];
    let v = evaluate(
        "/p",
        &mut pods,
        &mut samples,
        Some("http://lb"),
        &no_check(),
        None,
    );
    assert_eq!(v.verdict, Verdict::Converged);
    assert_eq!(samples[0].state, Some(State::Converged));
}

fn changed_since(old: &str, builds: &[(&str, &str)]) -> Baseline {
    Baseline {
        hashes: [old.to_string()].into(),
        builds: builds
            .iter()
            .map(|(p, b)| (p.to_string(), Some(b.to_string())))
            .collect(),
        ..Baseline::default()
    }
}

#[test]
fn a_change_of_build_is_not_a_change_of_content() {
    let c = Criteria {
        expect_changed: true,
        ..no_check()
    };
    let base = changed_since("old", &[("a", "B1"), ("b", "B1"), ("c", "B1")]);
    // A rolling deploy: two pods on the baseline's build serve the new page, the third is on a
    // new build and still serves the old page (its bytes differ only by the build).
    let mut pods = vec![
        fetch("a", "new", Some("B1")),
        fetch("b", "new", Some("B1")),
        fetch("c", "old-on-b2", Some("B2")),
    ];
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Unproven, "{v:#?}");
    assert!(
        v.reason.contains("runs build B2, not the baseline's B1"),
        "{}",
        v.reason
    );
    assert!(v.reason.contains("--expect-contains"), "{}", v.reason);
    assert_eq!(pods[2].state, Some(State::Unproven));
    assert_eq!(v.fresh_pods, 0);
    // The whole fleet on a new build, serving the old page: nothing is proven.
    let mut pods = vec![
        fetch("a", "old-on-b2", Some("B2")),
        fetch("b", "old-on-b2", Some("B2")),
    ];
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Unproven);
    assert_eq!(v.fresh_pods, 0);
    // A pod the baseline does not know is compared with the builds it saw.
    let mut pods = vec![
        fetch("a", "new", Some("B1")),
        fetch("new-pod", "x", Some("B2")),
    ];
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Unproven);
    let mut pods = vec![
        fetch("a", "new", Some("B1")),
        fetch("new-pod", "new", Some("B1")),
    ];
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Fresh);
    // A content check proves what a change of build cannot.
    let with_text_check = Criteria {
        expect_changed: true,
        ..contains()
    };
    let mut pods = vec![
        with_text(fetch("a", "new", Some("B1")), true),
        with_text(fetch("c", "new-on-b2", Some("B2")), true),
    ];
    let v = evaluate(
        "/p",
        &mut pods,
        &mut [],
        None,
        &with_text_check,
        Some(&base),
    );
    assert_eq!(v.verdict, Verdict::Fresh, "{v:#?}");
}

#[test]
fn pods_that_caught_up_with_another_pods_old_content_are_unchanged_not_fresh() {
    // At the baseline pod a already served "new" (the webhook reached it first), b and c "old";
    // now all serve "new": b and c changed, but only to what a served then.
    let c = Criteria {
        expect_changed: true,
        ..no_check()
    };
    let base = Baseline {
        hashes: ["new".to_string(), "old".to_string()].into(),
        served: [("a", "new"), ("b", "old"), ("c", "old")]
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .into(),
        ..Baseline::default()
    };
    let mut pods = ["a", "b", "c"].map(|p| fetch(p, "new", Some("B"))).to_vec();
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Unchanged);
    assert!(
        v.reason
            .starts_with("b, c now serve what a already served at the baseline"),
        "{}",
        v.reason
    );
    // Every pod as it was: the plain reason.
    let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "new", Some("B"))];
    let base = Baseline {
        hashes: ["new".to_string()].into(),
        served: [("a", "new"), ("b", "new")]
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .into(),
        ..Baseline::default()
    };
    let v = evaluate("/p", &mut pods, &mut [], None, &c, Some(&base));
    assert_eq!(v.verdict, Verdict::Unchanged);
    assert!(
        v.reason.starts_with("every pod serves what it served"),
        "{}",
        v.reason
    );
}

#[test]
fn an_empty_baseline_shows_no_change_so_it_proves_nothing() {
    // No pod answered when the baseline was taken: every response would look changed.
    let c = Criteria {
        expect_changed: true,
        ..no_check()
    };
    let mut pods = vec![fetch("a", "new", Some("B")), fetch("b", "new", Some("B"))];
    let v = evaluate(
        "/p",
        &mut pods,
        &mut [],
        None,
        &c,
        Some(&Baseline::default()),
    );
    assert_eq!(v.verdict, Verdict::Unproven, "{}", v.reason);
    assert!(
        v.reason.contains("the baseline holds no response"),
        "{}",
        v.reason
    );
}
