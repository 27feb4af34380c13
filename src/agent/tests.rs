//! Unit tests of `agent/mod.rs`.

use super::dedupe::Dedupe;

use super::*;

#[test]
fn dedupe_skips_within_the_window_only() {
    // A clock of its own: on a loaded machine, real time between two calls can exceed any
    // window a test would wait out.
    let t0 = Instant::now();
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let mut d = Dedupe::new(Duration::from_secs(60));
    assert!(d.first_time_at("a", at(0)));
    assert!(!d.first_time_at("a", at(1_000)));
    assert!(d.first_time_at("b", at(2_000)));
    assert!(
        !d.first_time_at("a", at(60_000)),
        "the window's last moment"
    );
    assert!(d.first_time_at("a", at(60_001)), "after the window");
    // "b" is still within its window and kept; the first "a" was forgotten.
    assert!(!d.first_time_at("b", at(61_000)));
    assert_eq!(d.seen.len(), 2);
    assert!(d.first_time_at("b", at(62_001)));
}

#[test]
fn the_plan_names_the_pod_and_checks_the_target() {
    let a = AgentSettings {
        channel: "revalidate".into(),
        target: "http://127.0.0.1:3000".into(),
        pod_name: Some("web-0".into()),
        health_addr: None,
        stream: true,
        catch_up: None,
        dedupe_window: Duration::from_secs(60),
        grace_period: Duration::from_secs(10),
        heartbeat: Duration::from_secs(5),
    };
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("id");
    std::fs::write(&id, "0123456789abcdef0123456789abcdef").unwrap();
    let f = FanoutSettings {
        mode: crate::choices::Mode::Nextjs,
        method: crate::choices::RevalidateMethod::Head,
        only_generated: false,
        allow_gone: false,
        preview_id_file: Some(id),
        headers: vec![],
        endpoint: None,
    };
    let p = Plan::build(&a, &f).unwrap();
    assert_eq!(p.target.name, "web-0");
    assert_eq!(p.stream.as_deref(), Some("revalidate:stream"));
    let mut bad = a.clone();
    bad.target = "127.0.0.1:3000".into();
    assert!(
        Plan::build(&bad, &f)
            .unwrap_err()
            .to_string()
            .contains("--target")
    );
    bad.target = "http://127.0.0.1:3000".into();
    bad.pod_name = Some("web 0".into());
    assert!(Plan::build(&bad, &f).is_err());
}
