//! `revalidate doctor` on real Next.js: the three pods of one build behind Varnish, each with its
//! seed-style ioredis subscriber, checked as an on-call engineer would before a run. Every check
//! of a healthy setup is OK on a Pages Router page and on an App Router page (whose real `Vary`
//! keeps its RSC payloads apart); a wrong previewModeId is a FAIL naming every pod, never the id.

use std::ffi::OsString;

use revalidate::doctor::{Part, Report, Status};

use crate::fleet::Fleet;
use crate::next::Version;
use crate::run::Site;
use crate::scenario;

fn doctor(site: &Site, path: &str, preview_id_file: &str) -> (i32, Report) {
    let mut args: Vec<OsString> = vec!["doctor".into(), "--path".into(), path.into()];
    for p in site.fleet.pods() {
        args.push("--pod".into());
        args.push(format!("{}={}", p.name, p.url).into());
    }
    args.extend(["--preview-id-file".into(), preview_id_file.into()]);
    args.extend(["--redis-url".into(), site.redis.url().into()]);
    let (code, doc) = scenario::revalidate(site.work.path(), args, None, &site.fleet, "doctor");
    let report: Report = serde_json::from_value(doc["steps"][0].clone())
        .unwrap_or_else(|e| panic!("{}: not a doctor report ({e}): {doc}", site.describe()));
    (code, report)
}

fn doctor_is_all_ok_on_real_pods(version: Version) {
    let site = Site::start(version);
    let manifest = site.fleet.manifest().display().to_string();
    let mut paths = vec!["/posts/a"];
    if version == Version::Next16 {
        paths.push("/app-posts/a");
    }
    for path in paths {
        let (code, r) = doctor(&site, path, &manifest);
        let not_ok: Vec<_> = r.checks.iter().filter(|c| c.status != Status::Ok).collect();
        assert!(
            not_ok.is_empty(),
            "{}: {path}: {not_ok:#?}",
            site.describe()
        );
        assert_eq!(code, 0, "{}: {path}", site.describe());
        for part in [
            Part::Pods,
            Part::Build,
            Part::Revalidation,
            Part::Cache,
            Part::Redis,
        ] {
            assert!(
                r.checks.iter().any(|c| c.part == part),
                "{}: {path}: no {part:?} check",
                site.describe()
            );
        }
        let variants = r
            .checks
            .iter()
            .find(|c| c.part == Part::Cache && c.name == "variants")
            .expect("a variants check");
        let app = path.starts_with("/app-posts/");
        assert_eq!(
            variants
                .summary
                .starts_with("App Router page with Vary: rsc"),
            app,
            "{}: {path}: {}",
            site.describe(),
            variants.summary
        );
    }

    // A wrong previewModeId: every pod answers from its cache without REVALIDATED.
    let wrong = site.work.path().join("wrong-id");
    std::fs::write(&wrong, "0badc0de0badc0de0badc0de0badc0de").unwrap();
    let (code, r) = doctor(&site, "/posts/a", &wrong.display().to_string());
    assert_eq!(code, 3, "{}", site.describe());
    let c = r
        .checks
        .iter()
        .find(|c| c.part == Part::Revalidation)
        .expect("a revalidation check");
    assert_eq!((c.status, c.pods.len()), (Status::Fail, 3), "{c:?}");
    assert!(!serde_json::to_string(&r).unwrap().contains("0badc0de"));
}

#[test]
fn next13_doctor_is_all_ok_on_real_pods() {
    doctor_is_all_ok_on_real_pods(Version::Next13);
}

#[test]
fn next16_doctor_is_all_ok_on_real_pods() {
    doctor_is_all_ok_on_real_pods(Version::Next16);
}
