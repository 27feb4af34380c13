//! `revalidate doctor` against the real parts: the simulated fleet, a redis-server per test, the
//! fake Cloudflare API. Each test breaks one part and expects its line to say so, by name, with
//! the exit code of its kind; the healthy setup is all OK.

use std::process::Output;

use revalidate::doctor::{Check, Kind, Part, Report, Status};
use revalidate::redis::registry::{self, Record};
use revalidate_sim::{CloudflareApi, CloudflareOptions};

use crate::common::{Step, TestFleet, code, envelope, events, revalidate, stderr, stdout};
use crate::echo::assert_no_leak;
use crate::redis::server::{RedisServer, Subscriber};

/// A fleet of three, a Redis with one subscriber per pod and their agents registered, and a
/// Cloudflare zone: everything doctor can check, healthy.
struct Setup {
    tf: TestFleet,
    redis: RedisServer,
    _subscribers: Vec<Subscriber>,
    cloudflare: CloudflareApi,
}

impl Setup {
    fn start(subscribers: usize) -> Setup {
        let tf = TestFleet::three();
        let redis = RedisServer::start();
        let subscribers = (0..subscribers)
            .map(|_| Subscriber::start(&redis, &["revalidate"], &[]))
            .collect();
        let cloudflare = tf
            .block_on(CloudflareApi::start(CloudflareOptions::default()))
            .expect("cloudflare fake");
        Setup {
            tf,
            redis,
            _subscribers: subscribers,
            cloudflare,
        }
    }

    /// Registers an agent for each pod named, as `revalidate agent` does, beating now.
    fn register(&self, pods: &[&str]) {
        self.register_on(pods, None);
    }

    /// The same, each agent reporting its app on `build`.
    fn register_on(&self, pods: &[&str], build: Option<&str>) {
        let url = self.redis.url();
        self.tf.block_on(async {
            let client = redis::Client::open(url.as_str()).unwrap();
            let mut conn = client.get_multiplexed_async_connection().await.unwrap();
            let now = revalidate::redis::message::now_ms();
            for pod in pods {
                let r = Record {
                    pod: pod.to_string(),
                    version: "test".into(),
                    build_id: build.map(str::to_string),
                    started_ms: now,
                    last_message_ms: None,
                    heartbeat_ms: now,
                    heartbeat_every_ms: 5_000,
                };
                registry::beat(&mut conn, "revalidate", &r).await.unwrap();
            }
        });
    }

    fn cmd(&self, token: &str) -> assert_cmd::Command {
        let manifest = self.tf.manifest.display().to_string();
        self.cmd_of(token, &manifest, &self.redis.url())
    }

    /// The command with this token, previewModeId file and Redis.
    fn cmd_of(&self, token: &str, preview_id_file: &str, redis: &str) -> assert_cmd::Command {
        let mut c = self.tf.cmd();
        c.env("CLOUDFLARE_API_TOKEN", token)
            .args(["doctor", "--path", "/posts/a"])
            .args(self.tf.pod_args())
            .args(["--preview-id-file", preview_id_file])
            .args(["--redis-url", redis])
            .args(["--cloudflare-zone", self.cloudflare.zone_id()])
            .args(["--cloudflare-api-url", &self.cloudflare.url()])
            .args(["--site-url", "https://www.example.com"]);
        c
    }

    fn run(&self, extra: &[&str]) -> Output {
        self.cmd(self.cloudflare.api_token())
            .args(extra)
            .output()
            .unwrap()
    }
}

/// The doctor report of a `-o json` document (schema-checked, typed).
fn report(out: &Output) -> Report {
    let doc = envelope(out);
    match doc.steps.as_slice() {
        [Step::Doctor(r)] => r.clone(),
        other => panic!("expected one doctor step, got {other:#?}"),
    }
}

fn check<'a>(r: &'a Report, part: Part, name: &str) -> &'a Check {
    r.checks
        .iter()
        .find(|c| c.part == part && c.name == name)
        .unwrap_or_else(|| panic!("no {part:?} {name} check in {:#?}", r.checks))
}

fn not_ok(r: &Report) -> Vec<(Part, &str, Status)> {
    r.checks
        .iter()
        .filter(|c| c.status != Status::Ok)
        .map(|c| (c.part, c.name.as_str(), c.status))
        .collect()
}

#[test]
fn a_healthy_setup_is_all_ok_in_every_part() {
    let s = Setup::start(3);
    s.register(&["pod-1", "pod-2", "pod-3"]);
    let out = s.run(&["-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(not_ok(&r), vec![], "{:#?}", r.checks);
    let parts: std::collections::BTreeSet<Part> = r.checks.iter().map(|c| c.part).collect();
    assert_eq!(
        parts.into_iter().collect::<Vec<_>>(),
        vec![
            Part::Config,
            Part::Pods,
            Part::Build,
            Part::Revalidation,
            Part::Cache,
            Part::Redis,
            Part::Agents,
            Part::Cloudflare
        ]
    );
    let build = s.tf.fleet().build_id();
    assert_eq!(
        check(&r, Part::Build, "build id").summary,
        format!("every pod runs build {build}")
    );
    assert!(
        check(&r, Part::Revalidation, "preview id")
            .summary
            .contains("accepted by 3 of 3 pods"),
    );
    assert!(
        check(&r, Part::Cache, "cache-control")
            .summary
            .contains("s-maxage=31536000"),
    );
    assert!(
        check(&r, Part::Redis, "subscribers")
            .summary
            .starts_with("3 subscribers on channel revalidate for 3 pods"),
    );
    // The one request that regenerates: a HEAD of a generated page, once per pod.
    for p in s.tf.pods() {
        assert_eq!(p.counters().revalidate_requests, 1, "{}", p.name());
    }
    assert_no_leak(
        &out,
        &[s.tf.fleet().preview_id(), s.cloudflare.api_token()],
        "json",
    );

    // People's table: the totals first, then each part.
    let out = s.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("doctor: all {} checks OK (", r.totals.ok)),
        "{text}"
    );
    for part in [
        "pods",
        "build",
        "revalidation",
        "cache headers",
        "redis",
        "agents",
        "cloudflare",
    ] {
        assert!(text.contains(&format!("\n{part} ")), "{part} in {text}");
    }
    assert_no_leak(
        &out,
        &[s.tf.fleet().preview_id(), s.cloudflare.api_token()],
        "human",
    );

    // NDJSON: one `check` event per check, typed.
    let out = s.run(&["-o", "ndjson"]);
    let checks: Vec<Check> = events(&out)
        .iter()
        .filter(|e| e.event == "check")
        .map(|e| e.get::<Check>().expect("a check"))
        .collect();
    assert_eq!(checks.len(), r.checks.len());
}

#[test]
fn a_pod_on_another_build_is_named_with_its_build_and_exit_3() {
    let s = Setup::start(3);
    let preview = s.tf.fleet().preview_id().to_string();
    s.tf.pod(2).set_build("OtherBuild0123456789x", &preview);
    let out = s.run(&["-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Build, "build id");
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.kind, Kind::Fleet);
    assert_eq!(c.pods, vec!["pod-3"]);
    let reference = s.tf.fleet().build_id();
    assert_eq!(
        c.summary,
        format!("pod-3 runs OtherBuild0123456789x; 2 of 3 pods run {reference} (the majority)")
    );
    assert_eq!(not_ok(&r), vec![(Part::Build, "build id", Status::Fail)]);
}

#[test]
fn a_wrong_preview_id_fails_without_ever_being_printed() {
    let s = Setup::start(3);
    let wrong = "0badc0de0badc0de0badc0de0badc0de";
    let file = s.tf.write("wrong-id", wrong);
    for format in [&["-o", "json"][..], &[], &["-o", "ndjson"], &["-vv"]] {
        let out = s
            .cmd_of(
                s.cloudflare.api_token(),
                file.to_str().unwrap(),
                &s.redis.url(),
            )
            .args(format)
            .output()
            .unwrap();
        assert_eq!(code(&out), 3, "{format:?}: {}", stderr(&out));
        assert_no_leak(&out, &[wrong, s.tf.fleet().preview_id()], "a wrong id");
        if format == ["-o", "json"] {
            let r = report(&out);
            let c = check(&r, Part::Revalidation, "preview id");
            assert_eq!(c.status, Status::Fail);
            assert_eq!(c.pods, vec!["pod-1", "pod-2", "pod-3"]);
            assert!(
                c.summary.contains("not the one of their build"),
                "{}",
                c.summary
            );
            assert_eq!(
                not_ok(&r),
                vec![(Part::Revalidation, "preview id", Status::Fail)]
            );
        }
    }
    // A wrong id regenerates nothing.
    for p in s.tf.pods() {
        assert_eq!(p.counters().regenerations, 0, "{}", p.name());
    }
}

#[test]
fn fewer_subscribers_than_pods_names_the_pod_without_an_agent() {
    let s = Setup::start(2);
    s.register(&["pod-1", "pod-2"]);
    let out = s.run(&["-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Redis, "subscribers");
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.pods, vec!["pod-3"]);
    assert_eq!(
        c.summary,
        "2 subscribers on channel revalidate for 3 pods; no live agent on pod-3"
    );
    let a = check(&r, Part::Agents, "registered");
    assert_eq!(
        (a.status, a.pods.clone()),
        (Status::Fail, vec!["pod-3".to_string()])
    );

    // Without agents, the count alone: which pod cannot be told, and the line says so.
    let bare = Setup::start(2);
    let out = bare.run(&["-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Redis, "subscribers");
    assert!(c.summary.contains("cannot be told"), "{}", c.summary);
    assert_eq!(check(&r, Part::Agents, "registered").status, Status::Ok);
}

#[test]
fn an_unreachable_redis_or_a_refused_password_is_exit_5() {
    let s = Setup::start(3);
    let locked = RedisServer::with_password("Zq8redisPW41xq");
    let manifest = s.tf.manifest.display().to_string();
    let out = s
        .cmd_of(s.cloudflare.api_token(), &manifest, &locked.url())
        .args(["-o", "json"])
        .env("REDIS_PASSWORD", "Vt3wrongPW77kq")
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Redis, "ping");
    assert_eq!((c.status, c.kind), (Status::Fail, Kind::Service));
    assert!(c.summary.contains("authentication failed"), "{}", c.summary);
    assert_no_leak(&out, &["Vt3wrongPW77kq", "Zq8redisPW41xq"], "redis");
}

#[test]
fn cache_control_private_is_a_fail_naming_the_directive() {
    let s = Setup::start(3);
    for p in s.tf.pods() {
        p.set_cache_control(Some(
            "private, no-cache, no-store, max-age=0, must-revalidate",
        ));
    }
    let out = s.run(&["-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Cache, "cache-control");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.summary.starts_with("Cache-Control: private"),
        "{}",
        c.summary
    );
    assert_eq!(
        not_ok(&r),
        vec![(Part::Cache, "cache-control", Status::Fail)]
    );

    // One pod alone: named.
    for p in &s.tf.pods()[..2] {
        p.set_cache_control(None);
    }
    let r = report(&s.run(&["-o", "json"]));
    assert_eq!(check(&r, Part::Cache, "cache-control").pods, vec!["pod-3"]);
}

#[test]
fn a_bad_cloudflare_token_is_exit_5() {
    let s = Setup::start(3);
    let bad = "0000000000bad0000000000token000000000000";
    let out = s.cmd(bad).args(["-o", "json"]).output().unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Cloudflare, "token");
    assert_eq!((c.status, c.kind), (Status::Fail, Kind::Service));
    assert!(
        c.summary.contains("9109 Invalid access token"),
        "{}",
        c.summary
    );
    assert_no_leak(&out, &[bad, s.cloudflare.api_token()], "cloudflare");
}

#[test]
fn a_config_error_is_a_fail_line_and_bad_flags_exit_2() {
    let (mut c, dir) = revalidate();
    std::fs::write(dir.path().join("revalidate.toml"), "mode = \"nope\"\n").unwrap();
    let out = c.args(["doctor", "-o", "json"]).output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let r = report(&out);
    let config: Vec<&Check> = r.checks.iter().filter(|c| c.part == Part::Config).collect();
    assert!(
        config.iter().any(|c| c.status == Status::Fail
            && c.kind == Kind::Config
            && c.summary.contains("nope")),
        "{:#?}",
        r.checks
    );

    let (mut c, _dir) = revalidate();
    let out = c.args(["doctor", "--no-such-flag"]).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
    let (mut c, _dir) = revalidate();
    let out = c.args(["doctor", "--path", "no-slash"]).output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn cloudfront_credentials_and_permissions_are_checked_without_creating_anything() {
    use crate::cdn::Aws;
    use revalidate_sim::{CloudFrontFault, CloudFrontOptions, Operation};
    let aws = Aws::start(CloudFrontOptions::default());
    let run = || {
        aws.cmd()
            .args(["doctor", "--distribution", &aws.dist, "-o", "json"])
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    for name in [
        "credentials",
        "GetDistribution",
        "ListInvalidations",
        "CreateInvalidation",
    ] {
        assert_eq!(
            check(&r, Part::Cloudfront, name).status,
            Status::Ok,
            "{name}"
        );
    }
    assert!(
        check(&r, Part::Cloudfront, "CreateInvalidation")
            .summary
            .starts_with("not checked"),
    );
    // No pods configured: said, not failed.
    assert_eq!(check(&r, Part::Pods, "discovery").status, Status::Warn);
    assert!(aws.calls(Operation::CreateInvalidation).is_empty());
    assert_no_leak(&out, &[crate::cdn::SECRET_KEY], "cloudfront");

    // ListInvalidations denied: the steps cannot work, exit 5.
    aws.proxy().inject(
        CloudFrontFault::AccessDenied,
        Some(Operation::ListInvalidations),
        1,
    );
    let out = run();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Cloudfront, "ListInvalidations");
    assert_eq!((c.status, c.kind), (Status::Fail, Kind::Service));
    assert!(
        c.hint
            .as_deref()
            .unwrap()
            .contains("cloudfront:CreateInvalidation")
    );
}

#[test]
fn an_app_router_page_is_checked_for_the_vary_that_keeps_its_rsc_payloads_apart() {
    let tf = TestFleet::three();
    let out = tf
        .cmd()
        .args(["doctor", "--path", "/app-posts/a", "-o", "json"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(not_ok(&r), vec![], "{:#?}", r.checks);
    let v = check(&r, Part::Cache, "variants");
    assert!(
        v.summary
            .starts_with("App Router page with Vary: rsc, next-router-state-tree"),
        "{}",
        v.summary
    );
}

#[test]
fn endpoint_mode_checks_that_the_endpoint_answers_on_every_pod() {
    let tf = TestFleet::three();
    let run = |secret: &str| {
        tf.cmd()
            .env("REVALIDATE_SECRET", secret)
            .args(["doctor", "--path", "/posts/a", "-o", "json"])
            .args(tf.pod_args())
            .args([
                "--mode",
                "endpoint",
                "--endpoint",
                "/api/revalidate?path={path}",
            ])
            .args(["--header", "x-revalidate-secret: ${REVALIDATE_SECRET}"])
            .output()
            .unwrap()
    };
    let out = run(tf.fleet().secret());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Revalidation, "endpoint");
    assert_eq!(c.status, Status::Ok, "{c:?}");

    let wrong = "Wr0ngSecretValue77";
    let out = run(wrong);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Revalidation, "endpoint");
    assert_eq!((c.status, c.pods.len()), (Status::Fail, 3), "{c:?}");
    assert_no_leak(&out, &[wrong, tf.fleet().secret()], "endpoint");
}

#[test]
fn ctrl_c_prints_the_checks_so_far_and_exits_130() {
    let tf = TestFleet::three();
    tf.block_on(tf.pod(2).set_fault(revalidate_sim::Fault::Hang));
    let mut args = vec!["doctor".to_string(), "--path".into(), "/posts/a".into()];
    args.extend(tf.pod_args());
    args.extend(tf.manifest_arg());
    args.extend(["-o".into(), "json".into()]);
    let child = crate::fanout::spawn(tf.dir.path(), &args, std::process::Stdio::piped());
    let hung = tf.pod(2).clone();
    assert!(crate::common::wait_until(20, || hung.counters().requests >= 1));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 130, "{}", stderr(&out));
    let r = report(&out);
    assert_eq!(r.stopped, Some(revalidate::exit::Stop::Interrupted));
    let c = check(&r, Part::Pods, "reachable");
    assert_eq!(
        (c.status, c.pods.clone()),
        (Status::Fail, vec!["pod-3".to_string()])
    );
    assert!(c.summary.contains("interrupted"), "{}", c.summary);
}

#[test]
fn the_table_people_read_is_pinned() {
    let tf = TestFleet::start(revalidate_sim::FleetOptions {
        build_id: "SnapshotBuild1".into(),
        preview_id: "0123456789abcdef0123456789abcdef".into(),
        ..revalidate_sim::FleetOptions::default()
    });
    tf.pod(2)
        .set_build("OtherBuild2", "0123456789abcdef0123456789abcdef");
    tf.pod(1).set_cache_control(Some("private, no-store"));
    let out = tf
        .cmd()
        .args(["doctor", "--path", "/posts/a"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    insta::with_settings!({filters => vec![
        (r"\(\d+ ms\)", "([time])"),
        (r"slowest \d+ ms", "slowest [time]"),
    ]}, {
        insta::assert_snapshot!("doctor_table", stdout(&out));
    });
}

#[test]
fn an_agent_reporting_another_build_than_the_pods_is_a_warning_naming_it() {
    let s = Setup::start(3);
    let build = s.tf.fleet().build_id().to_string();
    s.register_on(&["pod-1", "pod-3"], Some(&build));
    s.register_on(&["pod-2"], Some("OldBuild42"));
    let out = s.run(&["-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = report(&out);
    let c = check(&r, Part::Agents, "registered");
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.summary.ends_with(&format!(
            "agents reporting another build than the pods' {build}: pod-2 (OldBuild42)"
        )),
        "{}",
        c.summary
    );
}

#[test]
fn as_a_ci_step_each_check_is_a_junit_case() {
    let tf = TestFleet::three();
    let preview = tf.fleet().preview_id().to_string();
    tf.pod(2).set_build("OtherBuild0123456789x", &preview);
    let junit = tf.dir.path().join("doctor.xml");
    let out = tf
        .cmd()
        .args(["doctor", "--path", "/posts/a", "--junit"])
        .arg(&junit)
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("build: build id"), "{xml}");
    assert!(xml.contains("pod-3 runs OtherBuild0123456789x"), "{xml}");
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert!(xml.contains("pods: reachable"), "{xml}");
}
