//! `revalidate serve` on real Next.js: the endpoint a CMS button calls, for the three pods of
//! one build behind Varnish (the fleet of `run.rs`, with its seed-style ioredis subscribers).
//! The CMS changes a post and calls `POST /revalidate?wait=true`; serve answers 200 only when
//! its run proved every pod and the edge fresh, and then every pod and the edge are fetched
//! apart from the tool and must serve the new content in everything a browser fetches. A call
//! for content that did not change is 409 `unchanged`; through Redis the pods' subscribers
//! regenerate and serve's run waits until each changed.

use std::ffi::OsString;
use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use revalidate::verify::Verdict;
use serde_json::Value;

use crate::fleet::{self, Fleet};
use crate::next::Version;
use crate::report;
use crate::run::{self, A, D, Post, Site};

const SECRET: &str = "e2e-serve-secret-4d1f0a9b7c";

/// A running `revalidate serve`, killed and reaped in Drop, pass or panic.
struct Serve {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Serve {
    /// `revalidate serve --listen 127.0.0.1:0 --pod …(every pod) --ignore-preset timestamps
    /// ARGS…`, with the secret in its environment; returns once it listens.
    fn start(site: &Site, args: Vec<String>) -> Serve {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("serve.log");
        let mut all: Vec<OsString> = ["serve", "--listen", "127.0.0.1:0"]
            .map(OsString::from)
            .to_vec();
        for p in site.fleet.pods() {
            all.push("--pod".into());
            all.push(format!("{}={}", p.name, p.url).into());
        }
        all.extend(["--ignore-preset", "timestamps"].map(OsString::from));
        all.extend(args.into_iter().map(OsString::from));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_revalidate"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("REVALIDATE_") {
                cmd.env_remove(&k);
            }
        }
        let child = cmd
            .env_remove("REDIS_URL")
            .env_remove("REDIS_PASSWORD")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env("CI", "1")
            .env("REVALIDATE_SERVE_SECRET", SECRET)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("serve's log"))
            .args(&all)
            .spawn()
            .expect("revalidate serve starts");
        let mut serve = Serve {
            child,
            base: String::new(),
            log,
            _dir: dir,
        };
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let text = serve.log();
            if let Some(url) = text
                .lines()
                .find_map(|l| l.split_once("listening on ").map(|(_, u)| u.trim()))
            {
                serve.base = url.to_owned();
                return serve;
            }
            let exited = serve.child.try_wait().expect("try_wait").is_some();
            assert!(
                !exited && Instant::now() < until,
                "{}: serve did not listen ({all:?}):\n{text}",
                site.describe()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `POST /revalidate?wait=true {"paths": PATHS}` with the secret, as a CMS button calls it:
    /// (status, the job's view).
    fn revalidate(&self, site: &Site, paths: &[&str]) -> (u16, Value) {
        let body = serde_json::json!({ "paths": paths }).to_string();
        let bearer = format!("Bearer {SECRET}");
        let got = fleet::request(
            &self.base,
            "POST",
            "/revalidate?wait=true",
            &[
                ("authorization", &bearer),
                ("content-type", "application/json"),
            ],
            Some(&body),
            Duration::from_secs(120),
        )
        .unwrap_or_else(|e| panic!("{}: POST /revalidate: {e}\n{}", site.describe(), self.log()));
        let view = serde_json::from_str(&got.body).unwrap_or_else(|e| {
            panic!(
                "{}: serve answered {} without a JSON job ({e}):\n{}\n{}",
                site.describe(),
                got.visit.status,
                got.body,
                self.log()
            )
        });
        (got.visit.status, view)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one run of a job, its JSON document (the same as `revalidate run -o json` prints).
fn the_run(view: &Value) -> &Value {
    let runs = view["runs"]
        .as_array()
        .unwrap_or_else(|| panic!("a job lists its runs: {view:#}"));
    assert_eq!(runs.len(), 1, "one run: {view:#}");
    &runs[0]["report"]
}

/// The CMS changed `post`, and the call for its two pages answers 200 once serve's run proved
/// every pod and the edge fresh (each variant); then every pod and the edge, fetched apart from
/// the tool, serve the new title in everything a browser fetches.
/// Returns the job's view.
fn changed_is_200_and_everyone_shows_it(
    site: &Site,
    serve: &Serve,
    post: &Post,
    title: &str,
) -> Value {
    let d = site.describe();
    site.fleet.set_title(post.slug, title);
    let (status, view) = serve.revalidate(site, &post.paths());
    assert_eq!(status, 200, "{d}: {view:#}\n{}", serve.log());
    assert_eq!(view["outcome"], "fresh", "{d}: {view:#}");
    assert_eq!(view["exit_code"], 0, "{d}: {view:#}");
    let doc = the_run(&view);
    assert_eq!(doc["command"], "run", "{d}: {view:#}");
    for path in post.paths() {
        assert_eq!(view["results"][path]["outcome"], "fresh", "{d}: {view:#}");
        assert_eq!(run::result(doc, path), run::fresh_everywhere(path), "{d}");
    }
    assert_eq!(
        report::run_variants(doc, false),
        run::every_variant(post, "fresh"),
        "{d}"
    );
    assert_eq!(
        report::run_variants(doc, true),
        run::every_variant(post, "fresh"),
        "{d}"
    );
    site.everyone_shows(post, title);
    view
}

/// No change in the CMS: every pod regenerates the same content, which proves nothing, so the
/// button does not turn green: 409 `unchanged` naming the paths, and the edge keeps what it had.
fn unchanged_is_409(site: &Site, serve: &Serve, post: &Post) {
    let d = site.describe();
    let before: Vec<String> = post
        .fetches()
        .iter()
        .map(|w| site.edge_get(*w).body)
        .collect();
    let (status, view) = serve.revalidate(site, &post.paths());
    assert_eq!(status, 409, "{d}: {view:#}");
    assert_eq!(view["outcome"], "unchanged", "{d}: {view:#}");
    let summary = view["summary"].as_str().unwrap_or_default();
    for path in post.paths() {
        assert_eq!(
            view["results"][path]["outcome"], "unchanged",
            "{d}: {view:#}"
        );
        assert!(summary.contains(path), "{d}: {summary}");
        let r = run::result(the_run(&view), path);
        assert_eq!(
            (r.revalidated, r.pods, r.verdict),
            (
                Some((3, 3)),
                Some(Verdict::Unchanged),
                Some(Verdict::Unchanged)
            ),
            "{d}: {r:#?}"
        );
    }
    let after: Vec<String> = post
        .fetches()
        .iter()
        .map(|w| site.edge_get(*w).body)
        .collect();
    assert_eq!(before, after, "{d}: the edge was cleared");
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// One fleet per version (starting it is most of the time): serve telling each pod directly
/// (nextjs mode, the edge purged), the same call again with nothing changed, and a serve that
/// publishes to the pods' ioredis subscribers.
fn serve_answers_200_only_when_every_pod_and_the_edge_serve_the_new_content(version: Version) {
    let site = Site::start(version);

    let direct = Serve::start(
        &site,
        [strings(&["--via", "direct"]), site.nextjs_args()].concat(),
    );
    site.warm(&A, "Post A (initial)");
    changed_is_200_and_everyone_shows_it(&site, &direct, &A, "Post A v2 (serve, direct)");
    unchanged_is_409(&site, &direct, &A);
    drop(direct);

    let url = site.redis.url();
    let redis = Serve::start(
        &site,
        [
            strings(&["--via", "redis", "--redis-url", &url, "--wait", "30s"]),
            site.nextjs_args(),
        ]
        .concat(),
    );
    site.visit_every_pod(&D);
    site.warm(&D, "Post D (seed, not pre-rendered)");
    let view =
        changed_is_200_and_everyone_shows_it(&site, &redis, &D, "Post D v2 (serve, through Redis)");
    assert_eq!(
        report::publish_messages(the_run(&view)),
        D.paths()
            .iter()
            .map(|p| ((*p).to_owned(), Some(3), "delivered".to_owned(), vec![]))
            .collect::<Vec<_>>(),
        "{}: {view:#}",
        site.describe()
    );
}

#[test]
fn next13_serve_answers_200_only_when_every_pod_and_the_edge_serve_the_new_content() {
    serve_answers_200_only_when_every_pod_and_the_edge_serve_the_new_content(Version::Next13);
}

#[test]
fn next16_serve_answers_200_only_when_every_pod_and_the_edge_serve_the_new_content() {
    serve_answers_200_only_when_every_pod_and_the_edge_serve_the_new_content(Version::Next16);
}
