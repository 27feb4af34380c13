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
        catch_up_since: crate::config::value::Since::Build,
        catch_up_since_source: "default".into(),
        catch_up_concurrency: 8,
        next_dir: None,
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
        tag_endpoint: None,
        tag_headers: Vec::new(),
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

#[test]
fn the_catch_up_goes_back_to_the_earliest_file_of_the_build_less_a_margin() {
    use std::time::{SystemTime, UNIX_EPOCH};
    let dir = tempfile::tempdir().unwrap();
    let next = dir.path().join("app/.next");
    std::fs::create_dir_all(next.join("server/app")).unwrap();
    let ms = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    let now = SystemTime::now();
    let set = |rel: &str, age_s: u64| {
        let p = next.join(rel);
        std::fs::write(&p, "x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(now - Duration::from_secs(age_s))
            .unwrap();
    };
    set("BUILD_ID", 3600);
    set("prerender-manifest.json", 3600);
    // A page prerendered ten minutes before the build ended: the build started then.
    set("server/app/page.html", 4200);
    let mut a = AgentSettings {
        channel: "c".into(),
        target: "http://127.0.0.1:3000".into(),
        pod_name: Some("web-0".into()),
        health_addr: None,
        stream: false,
        catch_up: None,
        catch_up_since: crate::config::value::Since::Build,
        catch_up_since_source: "default".into(),
        catch_up_concurrency: 8,
        next_dir: None,
        dedupe_window: Duration::from_secs(60),
        heartbeat: Duration::from_secs(5),
        grace_period: Duration::from_secs(10),
    };
    let f = FanoutSettings {
        mode: crate::choices::Mode::Nextjs,
        method: crate::choices::RevalidateMethod::Head,
        only_generated: false,
        allow_gone: false,
        // The manifest names its .next directory.
        preview_id_file: Some(next.join("prerender-manifest.json")),
        headers: vec![],
        endpoint: None,
        tag_endpoint: None,
        tag_headers: Vec::new(),
    };
    let r = RecordCatchUp::plan(&a, &f).unwrap().unwrap();
    assert_eq!(r.key, "c:revalidated");
    let expected = ms(now - Duration::from_secs(4200) - CLOCK_MARGIN);
    assert!(r.since_ms.abs_diff(expected) < 1000, "{r:?}");
    assert!(r.since.contains("page.html"), "{}", r.since);
    assert!(r.unknown_build.is_none());

    // The app directory names its .next too; --catch-up-since wins over the build.
    let f2 = FanoutSettings {
        preview_id_file: Some(dir.path().join("app")),
        ..f.clone()
    };
    assert_eq!(
        RecordCatchUp::plan(&a, &f2).unwrap().unwrap().since_ms,
        r.since_ms
    );
    a.catch_up_since = crate::config::value::Since::Ago(Duration::from_secs(60));
    let r = RecordCatchUp::plan(&a, &f).unwrap().unwrap();
    assert!(r.since_ms.abs_diff(ms(now - Duration::from_secs(60))) < 1000);
    a.catch_up_since = crate::config::value::Since::Off;
    assert!(RecordCatchUp::plan(&a, &f).unwrap().is_none());

    // A build dated after the pod's clock: the clocks disagree, so the whole record.
    a.catch_up_since = crate::config::value::Since::Build;
    std::fs::File::options()
        .write(true)
        .open(next.join("server/app/page.html"))
        .unwrap()
        .set_modified(now + Duration::from_secs(3600))
        .unwrap();
    for f in ["BUILD_ID", "prerender-manifest.json"] {
        std::fs::File::options()
            .write(true)
            .open(next.join(f))
            .unwrap()
            .set_modified(now + Duration::from_secs(3600))
            .unwrap();
    }
    let r = RecordCatchUp::plan(&a, &f).unwrap().unwrap();
    assert_eq!(r.since_ms, 0);
    assert!(r.unknown_build.unwrap().contains("after this pod's clock"));

    // A --next-dir without a build is a usage error; a preview id kept elsewhere only leaves
    // the build's time unknown (the whole record is caught up on).
    a.catch_up_since = crate::config::value::Since::Build;
    a.next_dir = Some(dir.path().to_path_buf());
    let e = RecordCatchUp::plan(&a, &f).unwrap_err().to_string();
    assert!(e.contains("--next-dir") && e.contains("BUILD_ID"), "{e}");
    a.next_dir = None;
    let f3 = FanoutSettings {
        preview_id_file: Some(dir.path().join("elsewhere")),
        ..f
    };
    let r = RecordCatchUp::plan(&a, &f3).unwrap().unwrap();
    assert_eq!(r.since_ms, 0);
    assert!(r.unknown_build.is_some());
}
