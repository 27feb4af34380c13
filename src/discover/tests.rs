//! Unit tests of `discover/mod.rs`.

use super::*;

fn pod(name: &str, uid: Option<&str>, address: &str) -> Pod {
    Pod {
        name: name.into(),
        reach: Reach::Direct {
            base: format!("http://{address}:3000"),
        },
        namespace: Some("web".into()),
        uid: uid.map(str::to_string),
        address: address.into(),
        port: 3000,
        node: None,
        zone: None,
        ready: true,
        serving: true,
        terminating: false,
    }
}

#[test]
fn pods_are_told_apart_by_uid_then_name_and_address() {
    let before = [
        pod("web-0", Some("u0"), "10.0.0.1"),
        pod("web-1", Some("u1"), "10.0.0.2"),
        pod("10.0.0.9", None, "10.0.0.9"),
    ];
    let after = [
        pod("web-0", Some("u0"), "10.0.0.1"),
        // Recreated under the same name: a new pod that missed the run.
        pod("web-1", Some("u1b"), "10.0.0.7"),
        pod("10.0.0.9", None, "10.0.0.9"),
        pod("web-2", Some("u2"), "10.0.0.3"),
    ];
    let (appeared, gone) = diff(&before, &after);
    let names = |v: &[Pod]| v.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&appeared), ["web-1", "web-2"]);
    assert_eq!(names(&gone), ["web-1"]);
    assert_eq!(gone[0].address, "10.0.0.2");
}

#[test]
fn an_empty_discovery_is_not_a_success() {
    let r = Report {
        duration_ms: 1.0,
        source: Source::Static,
        context: None,
        server: None,
        transport: None,
        pods: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        stopped: None,
        exit_code: 0,
        table: false,
    };
    assert_eq!(r.code(), Code::CellsFailed);
    let stopped = Report {
        stopped: Some(Stop::Interrupted),
        ..r
    };
    assert_eq!(stopped.code(), Code::Interrupted);
    assert!(worth_rechecking(
        Duration::from_secs(2),
        Duration::from_secs(1)
    ));
    assert!(!worth_rechecking(
        Duration::from_millis(20),
        Duration::from_secs(1)
    ));
    assert!(worth_rechecking(Duration::ZERO, Duration::ZERO));
}

#[test]
fn the_proxy_prefix_pattern_matches_what_the_api_server_writes() {
    let re = regex::Regex::new(PROXY_PREFIX_PATTERN).unwrap();
    let html = r#"<a href="/api/v1/namespaces/web/pods/web-0:3000/proxy/next">"#;
    assert_eq!(
        re.replace_all(html, "<ignored>"),
        r#"<a href="<ignored>/next">"#
    );
    assert!(re.is_match("/api/v1/namespaces/web/pods/web-0.x/proxy"));
}
