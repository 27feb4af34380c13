//! Unit tests of `publish/mod.rs`.

use super::*;
use crate::paths::Purpose;

fn settings() -> PublishSettings {
    PublishSettings {
        channel: "revalidate".into(),
        message: None,
        expect_subscribers: None,
        check: false,
        force: false,
        sharded: false,
        stream_maxlen: None,
        ack_timeout: None,
        record: true,
    }
}

fn paths(ps: &[&str]) -> Vec<UrlPath> {
    ps.iter()
        .map(|p| UrlPath::parse(p, Purpose::Pod).unwrap())
        .collect()
}

#[test]
fn the_expectation_comes_from_the_flag_then_the_pods_then_one() {
    let pods: Vec<Target> = ["a=http://127.0.0.1:1", "b=http://127.0.0.1:2"]
        .iter()
        .map(|s| crate::targets::parse_spec(s).unwrap())
        .collect();
    let p = Plan::build(&settings(), paths(&["/a"]), Vec::new(), &[]).unwrap();
    assert_eq!(
        (p.expect.subscribers, p.expect.source.as_str()),
        (1, "at least one")
    );
    let p = Plan::build(&settings(), paths(&["/a"]), Vec::new(), &pods).unwrap();
    assert_eq!(p.expect.subscribers, 2);
    assert_eq!(p.expect.pods, vec!["a", "b"]);
    let mut s = settings();
    s.expect_subscribers = Some(5);
    let p = Plan::build(&s, paths(&["/a", "/b"]), Vec::new(), &pods).unwrap();
    assert_eq!(p.expect.subscribers, 5);
    assert_ne!(p.messages[0].id, p.messages[1].id);
}

#[test]
fn receiver_counts_are_judged_never_rounded_up() {
    let expect = Expect {
        subscribers: 3,
        source: "configured pods".into(),
        pods: vec![],
    };
    let mut m = Message {
        path: Some("/a".into()),
        tag: None,
        id: "i".into(),
        receivers: Some(2),
        stream_id: None,
        outcome: Outcome::NotSent,
        ok: false,
        acks: vec![],
        missing_pods: vec![],
        error: None,
    };
    judge_delivery(&mut m, &expect);
    assert_eq!(m.outcome, Outcome::UnderDelivered);
    m.receivers = Some(3);
    judge_delivery(&mut m, &expect);
    assert_eq!(m.outcome, Outcome::Delivered);
    m.receivers = Some(0);
    judge_delivery(&mut m, &expect);
    assert_eq!(m.outcome, Outcome::UnderDelivered);
}

#[test]
fn wait_acks_needs_an_id_in_the_message() {
    let mut s = settings();
    s.ack_timeout = Some(Duration::from_secs(1));
    s.message = Some("{path}".into());
    let e = Plan::build(&s, paths(&["/a"]), Vec::new(), &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("--wait-acks"), "{e}");
}
