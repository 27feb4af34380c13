//! `revalidate run` on real Next.js: three pods of one build (each with the seed-style ioredis
//! subscriber of `app/pages/_app.js`, on a redis-server of its own) behind Varnish. Each case
//! leaves a post's pages and every variant a browser fetches of them at the edge, changes the
//! post in the content store (the CMS), runs the whole pipeline, and checks the run's result per
//! path against what each pod and the edge then serve, fetched apart from the tool.

use std::ffi::OsString;

use revalidate::run::{CdnAction, PathResult};
use revalidate::verify::Verdict;

use crate::fleet::{self, Fleet};
use crate::next::{self, NextFleet, Version};
use crate::redis::server::{self, RedisServer};
use crate::report;
use crate::scenario::{self, EdgeFetch};

/// A post and its page under each router.
pub(crate) struct Post {
    pub(crate) slug: &'static str,
    pub(crate) pages: &'static str,
    pub(crate) app: &'static str,
}

impl Post {
    const fn new(slug: &'static str, pages: &'static str, app: &'static str) -> Post {
        Post { slug, pages, app }
    }

    pub(crate) fn paths(&self) -> [&'static str; 2] {
        [self.pages, self.app]
    }

    /// Everything a browser fetches of the post's two pages, each cached apart at the edge.
    pub(crate) fn fetches(&self) -> [EdgeFetch; 5] {
        [
            EdgeFetch::Page(self.pages),
            EdgeFetch::Data(self.pages, self.slug),
            EdgeFetch::Page(self.app),
            EdgeFetch::Rsc(self.app),
            EdgeFetch::Prefetch(self.app),
        ]
    }
}

pub(crate) const A: Post = Post::new("a", "/posts/a", "/app-posts/a");
pub(crate) const B: Post = Post::new("b", "/posts/b", "/app-posts/b");
const C: Post = Post::new("c", "/posts/c", "/app-posts/c");
pub(crate) const D: Post = Post::new("d", "/posts/d", "/app-posts/d");
const E: Post = Post::new("e", "/posts/e", "/app-posts/e");
const G: Post = Post::new("g", "/posts/g", "/app-posts/g");

/// The fleet, its Redis and Varnish; dropped in this order.
pub(crate) struct Site {
    pub(crate) fleet: NextFleet,
    pub(crate) redis: RedisServer,
    pub(crate) work: tempfile::TempDir,
}

impl Site {
    pub(crate) fn start(version: Version) -> Site {
        let build = next::prepare(version);
        let redis = RedisServer::start();
        let fleet = NextFleet::start_behind_edge(version, &build, &[("REDIS_URL", redis.url())]);
        // Every pod rendered a page to be ready, which loaded _app.js and its subscriber.
        assert!(
            server::poll(30, || redis.numsub("revalidate") == 3),
            "{}: the three ioredis subscribers did not subscribe",
            fleet.describe()
        );
        Site {
            fleet,
            redis,
            work: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub(crate) fn describe(&self) -> String {
        self.fleet.describe()
    }

    /// `revalidate run PATHS --pod …(every pod) --ignore-preset timestamps ARGS… -o json`.
    fn run(&self, paths: &[&str], args: Vec<String>, secret: bool) -> (i32, serde_json::Value) {
        let mut all: Vec<OsString> = vec!["run".into()];
        all.extend(paths.iter().map(OsString::from));
        for p in self.fleet.pods() {
            all.push("--pod".into());
            all.push(format!("{}={}", p.name, p.url).into());
        }
        all.extend(["--ignore-preset", "timestamps"].map(OsString::from));
        all.extend(args.into_iter().map(OsString::from));
        let secret = secret.then(|| self.fleet.secret());
        scenario::revalidate(self.work.path(), all, secret, &self.fleet, "run")
    }

    /// `--preview-id-file MANIFEST`, the CDN (`--purge-url`) and the edge (`--edge`).
    pub(crate) fn nextjs_args(&self) -> Vec<String> {
        let mut args = vec![
            "--preview-id-file".to_owned(),
            self.fleet.manifest().display().to_string(),
        ];
        args.extend(self.edge_args());
        args
    }

    fn edge_args(&self) -> Vec<String> {
        let edge = self.fleet.edge();
        vec![
            "--purge-url".to_owned(),
            format!("varnish={edge}"),
            "--edge".to_owned(),
            edge.to_owned(),
        ]
    }

    /// What the edge answers a browser's `what`.
    pub(crate) fn edge_get(&self, what: EdgeFetch) -> fleet::Response {
        let (target, headers) = what.request(&self.fleet.build_id());
        let edge = self.fleet.edge();
        fleet::fetch(edge, &target, &headers)
            .unwrap_or_else(|e| panic!("{}: GET {edge}{target}: {e}", self.describe()))
    }

    /// What pod `i` answers a browser's `what`.
    pub(crate) fn pod_get(&self, i: usize, what: EdgeFetch) -> fleet::Response {
        let (target, headers) = what.request(&self.fleet.build_id());
        let url = &self.fleet.pods()[i].url;
        fleet::fetch(url, &target, &headers)
            .unwrap_or_else(|e| panic!("{}: GET {url}{target}: {e}", self.describe()))
    }

    /// Leaves everything a browser fetches of `post` at the edge, showing `title`: fetched
    /// until the edge answers it from its cache.
    pub(crate) fn warm(&self, post: &Post, title: &str) {
        for what in post.fetches() {
            let first = self.edge_get(what);
            assert_eq!(first.visit.status, 200, "{}: {what:?}", self.describe());
            let again = self.edge_get(what);
            assert!(
                again.x_cache.as_deref() == Some("Hit from varnish") && again.body.contains(title),
                "{}: {what:?} is not cached at the edge with {title:?}: {:?}\n{}",
                self.describe(),
                again.x_cache,
                again.body
            );
        }
    }

    /// Asserts that every pod and the edge show `title` in everything a browser fetches of
    /// `post`.
    pub(crate) fn everyone_shows(&self, post: &Post, title: &str) {
        for what in post.fetches() {
            for i in 0..self.fleet.pods().len() {
                let got = self.pod_get(i, what);
                assert!(
                    got.visit.status == 200 && got.body.contains(title),
                    "{}: pod-{} serves {what:?} without {title:?} ({}):\n{}",
                    self.describe(),
                    i + 1,
                    got.visit.status,
                    got.body
                );
            }
            let got = self.edge_get(what);
            assert!(
                got.visit.status == 200 && got.body.contains(title),
                "{}: the edge serves {what:?} without {title:?} ({}, {:?}):\n{}",
                self.describe(),
                got.visit.status,
                got.x_cache,
                got.body
            );
        }
    }

    /// Generates `post`'s pages on every pod (a visitor on each).
    pub(crate) fn visit_every_pod(&self, post: &Post) {
        for i in 0..self.fleet.pods().len() {
            for what in [EdgeFetch::Page(post.pages), EdgeFetch::Page(post.app)] {
                assert_eq!(self.pod_get(i, what).visit.status, 200, "{what:?}");
            }
        }
    }
}

/// The run's result of one path.
pub(crate) fn result(doc: &serde_json::Value, path: &str) -> PathResult {
    report::run_report(doc)
        .paths
        .into_iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("{path} is not in the run's report: {doc:#}"))
}

/// A path the run proved fresh on every pod, cleared at the edge and proved fresh there.
pub(crate) fn fresh_everywhere(path: &str) -> PathResult {
    PathResult {
        path: path.to_owned(),
        revalidated: Some((3, 3)),
        gone: false,
        pods: Some(Verdict::Fresh),
        cdn: CdnAction::Cleared,
        edge: Some(Verdict::Fresh),
        verdict: Some(Verdict::Fresh),
        reason: None,
    }
}

/// Every variant of both pages, with this verdict.
pub(crate) fn every_variant(post: &Post, verdict: &str) -> Vec<(String, String, String)> {
    [
        (post.pages, "html"),
        (post.pages, "data"),
        (post.app, "html"),
        (post.app, "rsc"),
        (post.app, "prefetch"),
    ]
    .into_iter()
    .map(|(p, v)| (p.to_owned(), v.to_owned(), verdict.to_owned()))
    .collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

const CLEARED_AND_PROVEN: &[&str] = &[
    "snapshot",
    "fanout",
    "verify",
    "cdn-purge",
    "verify-edge",
    "run",
];

/// nextjs mode, each pod told directly, the edge purged (PURGE) of every variant.
fn nextjs_mode_direct(site: &Site) {
    let d = site.describe();
    site.warm(&A, "Post A (initial)");
    let title = "Post A v2 (run, nextjs mode)";
    site.fleet.set_title(A.slug, title);
    let args = [strings(&["--via", "direct"]), site.nextjs_args()].concat();
    let (exit, doc) = site.run(&A.paths(), args, false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(report::step_kinds(&doc), strings(CLEARED_AND_PROVEN), "{d}");
    for path in A.paths() {
        assert_eq!(result(&doc, path), fresh_everywhere(path), "{d}");
    }
    assert_eq!(
        report::run_variants(&doc, false),
        every_variant(&A, "fresh"),
        "{d}"
    );
    assert_eq!(
        report::run_variants(&doc, true),
        every_variant(&A, "fresh"),
        "{d}"
    );
    let purged: Vec<(String, String)> = [
        ("/posts/a", "html"),
        ("/_next/data/BUILD/posts/a.json", "data"),
        ("/_next/data/BUILD/posts/a.json?slug=a", "data"),
        ("/app-posts/a", "html"),
        ("/app-posts/a?_rsc", "rsc"),
        ("/app-posts/a?_rsc=HEAvJdHAQJrUAe2K", "prefetch"),
    ]
    .iter()
    .map(|(p, v)| ((*p).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(
        report::purge_urls(&doc, &site.fleet.build_id()),
        purged,
        "{d}"
    );
    site.everyone_shows(&A, title);
}

/// endpoint mode (the app's own revalidate route), the edge banned (BAN, by URL pattern).
fn endpoint_mode_direct(site: &Site) {
    let d = site.describe();
    site.warm(&B, "Post B (initial)");
    let title = "Post B v2 (run, endpoint mode)";
    site.fleet.set_title(B.slug, title);
    let mut args = strings(&[
        "--via",
        "direct",
        "--mode",
        "endpoint",
        "--endpoint",
        "/api/revalidate?path={path}",
        "--header",
        "x-revalidate-secret: ${E2E_REVALIDATE_SECRET}",
        "--expect-json",
        "revalidated=true",
        "--purge-method",
        "BAN",
    ]);
    args.extend(site.edge_args());
    let (exit, doc) = site.run(&B.paths(), args, true);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(report::step_kinds(&doc), strings(CLEARED_AND_PROVEN), "{d}");
    for path in B.paths() {
        assert_eq!(result(&doc, path), fresh_everywhere(path), "{d}");
    }
    assert_eq!(
        report::run_variants(&doc, true),
        every_variant(&B, "fresh"),
        "{d}"
    );
    site.everyone_shows(&B, title);
}

/// No change in the CMS: every pod regenerates the same content; unchanged, exit 0, and the
/// edge keeps what it had (nothing new to clear).
fn unchanged(site: &Site) {
    let d = site.describe();
    let before: Vec<String> = B.fetches().iter().map(|w| site.edge_get(*w).body).collect();
    let args = [strings(&["--via", "direct"]), site.nextjs_args()].concat();
    let (exit, doc) = site.run(&B.paths(), args, false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(
        report::step_kinds(&doc),
        strings(&["snapshot", "fanout", "verify", "run"]),
        "{d}"
    );
    for path in B.paths() {
        let r = result(&doc, path);
        assert_eq!(
            (r.revalidated, r.pods, r.cdn, r.edge, r.verdict),
            (
                Some((3, 3)),
                Some(Verdict::Unchanged),
                CdnAction::LeftAlone,
                None,
                Some(Verdict::Unchanged)
            ),
            "{d}: {r:#?}"
        );
    }
    let run = report::run_report(&doc);
    assert!(
        run.warnings
            .iter()
            .any(|w| w.contains("regenerated with the content they had before")),
        "{d}: {:?}",
        run.warnings
    );
    assert_eq!(
        report::run_variants(&doc, false),
        every_variant(&B, "unchanged"),
        "{d}"
    );
    // Every pod regenerated (a new generatedAt), and the edge still has what it had: no purge.
    let after: Vec<String> = B.fetches().iter().map(|w| site.edge_get(*w).body).collect();
    assert_eq!(before, after, "{d}: the edge was cleared");
    for (i, what) in B.fetches().into_iter().enumerate() {
        assert_ne!(
            site.pod_get(0, what).body,
            after[i],
            "{d}: pod-1 did not regenerate {what:?}"
        );
    }
}

/// Through Redis: the pods' subscribers revalidate asynchronously; verify waits until each
/// changed.
fn via_redis(site: &Site) {
    let d = site.describe();
    site.visit_every_pod(&D);
    site.warm(&D, "Post D (seed, not pre-rendered)");
    let title = "Post D v2 (run, through Redis)";
    site.fleet.set_title(D.slug, title);
    let url = site.redis.url();
    let args = [
        strings(&["--via", "redis", "--redis-url", &url, "--wait", "30s"]),
        site.nextjs_args(),
    ]
    .concat();
    let (exit, doc) = site.run(&D.paths(), args, false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(
        report::publish_messages(&doc),
        D.paths()
            .iter()
            .map(|p| ((*p).to_owned(), Some(3), "delivered".to_owned(), vec![]))
            .collect::<Vec<_>>(),
        "{d}"
    );
    for path in D.paths() {
        assert_eq!(result(&doc, path), fresh_everywhere(path), "{d}");
    }
    // Proven by the change on every pod, however many rounds the subscribers took.
    let (changed, rounds) = report::run_changes(&doc);
    assert_eq!(
        changed,
        D.paths().map(|p| (p.to_owned(), 3)).to_vec(),
        "{d} ({rounds} rounds)"
    );
    site.everyone_shows(&D, title);
}

/// A post a visitor generated on pod-1 only, then changed: the run's snapshot generates it on
/// the other pods, from the new content (their first request, `x-nextjs-cache: MISS`), so what
/// they serve then is no content of before the change; pod-1 changed, and every pod is fresh.
fn generated_on_one_pod(site: &Site) {
    let d = site.describe();
    site.fleet.set_title(G.slug, "Post G (seen on pod-1 only)");
    for what in [EdgeFetch::Page(G.pages), EdgeFetch::Page(G.app)] {
        let got = site.pod_get(0, what);
        assert_eq!(got.visit.cache.as_deref(), Some("MISS"), "{d}: {what:?}");
    }
    let title = "Post G v2 (run, generated on one pod before)";
    site.fleet.set_title(G.slug, title);
    let args = [strings(&["--via", "direct"]), site.nextjs_args()].concat();
    let (exit, doc) = site.run(&G.paths(), args, false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(report::step_kinds(&doc), strings(CLEARED_AND_PROVEN), "{d}");
    for path in G.paths() {
        assert_eq!(result(&doc, path), fresh_everywhere(path), "{d}: {doc:#}");
    }
    site.everyone_shows(&G, title);
}

/// A post no pod ever generated, published with --only-generated: the run's snapshot generates
/// it on every pod (a GET renders it), from the content of now, so the fanout finds it generated
/// and regenerates it, and no change can show: `unchanged`, saying so (no failure, exit 0), the
/// CDN left alone; a content check proves it fresh, and then the CDN is cleared.
fn never_generated(site: &Site) {
    let d = site.describe();
    let title = "Post E v2 (never generated)";
    site.fleet.set_title(E.slug, title);
    let args = [
        strings(&["--via", "direct", "--only-generated"]),
        site.nextjs_args(),
    ]
    .concat();
    let (exit, doc) = site.run(&E.paths(), args.clone(), false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(
        report::step_kinds(&doc),
        strings(&["snapshot", "fanout", "verify", "run"]),
        "{d}"
    );
    let revalidated: Vec<(String, String, String)> = E
        .paths()
        .iter()
        .flat_map(|p| {
            (1..=3).map(move |i| {
                (
                    (*p).to_owned(),
                    format!("pod-{i}"),
                    "revalidated".to_owned(),
                )
            })
        })
        .collect();
    assert_eq!(report::fanout_outcomes(&doc), revalidated, "{d}");
    let warnings = report::step_warnings(&doc, "snapshot");
    assert!(
        warnings.iter().any(|w| w
            .contains("6 pages were not generated on their pod before this run")
            && w.contains("--only-generated does not skip them")),
        "{d}: {warnings:?}"
    );
    for path in E.paths() {
        let r = result(&doc, path);
        assert_eq!(
            (r.revalidated, r.pods, r.cdn, r.edge, r.verdict),
            (
                Some((3, 3)),
                Some(Verdict::Unchanged),
                CdnAction::LeftAlone,
                None,
                Some(Verdict::Unchanged)
            ),
            "{d}: {r:#?}"
        );
        assert!(
            r.reason
                .as_deref()
                .unwrap_or_default()
                .starts_with("no pod had generated this page before the run"),
            "{d}: {r:#?}"
        );
    }
    let args = [args, strings(&["--expect-contains", title])].concat();
    let (exit, doc) = site.run(&E.paths(), args, false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    for path in E.paths() {
        assert_eq!(result(&doc, path), fresh_everywhere(path), "{d}");
    }
    site.everyone_shows(&E, title);
}

/// A post the CMS deletes: every pod answers its revalidation 404 + REVALIDATED (gone). Without
/// --allow-gone that is the run's failure (exit 3): the page is not verified, and the CDN is left
/// alone, so the edge still serves the deleted post; run again with --allow-gone, and the 404 is
/// proven on every pod, the CDN cleared, and the edge answers 404 for everything a browser
/// fetches of it.
fn deleted(site: &Site) {
    let d = site.describe();
    site.warm(&C, "Post C (initial)");
    site.fleet.delete(C.slug);
    let args = [strings(&["--via", "direct"]), site.nextjs_args()].concat();
    let (exit, doc) = site.run(&C.paths(), args, false);
    assert_eq!(exit, 3, "{d}: {doc:#}");
    let gone: Vec<(String, String, String)> = C
        .paths()
        .iter()
        .flat_map(|p| {
            (1..=3).map(move |i| ((*p).to_owned(), format!("pod-{i}"), "gone".to_owned()))
        })
        .collect();
    assert_eq!(report::fanout_outcomes(&doc), gone, "{d}");
    assert_eq!(
        report::step_kinds(&doc),
        strings(&["snapshot", "fanout", "run"]),
        "{d}"
    );
    let run = report::run_report(&doc);
    for path in C.paths() {
        let r = result(&doc, path);
        assert_eq!(
            (r.revalidated, r.gone, r.pods, r.cdn, r.edge, r.verdict),
            (Some((0, 3)), true, None, CdnAction::LeftAlone, None, None),
            "{d}: {r:#?}"
        );
        assert!(
            r.reason
                .as_deref()
                .unwrap_or_default()
                .contains("--allow-gone"),
            "{d}: {r:#?}"
        );
    }
    let why = run.cdn_left_alone.as_deref().unwrap_or_default();
    assert!(why.contains("only with --allow-gone"), "{d}: {why}");
    for what in C.fetches() {
        let got = site.edge_get(what);
        assert!(
            got.visit.status == 200 && got.body.contains("Post C (initial)"),
            "{d}: the CDN was not left alone: {what:?} {}",
            got.visit.status
        );
    }

    let args = [
        strings(&["--via", "direct", "--allow-gone"]),
        site.nextjs_args(),
    ]
    .concat();
    let (exit, doc) = site.run(&C.paths(), args, false);
    assert_eq!(exit, 0, "{d}: {doc:#}");
    assert_eq!(report::fanout_outcomes(&doc), gone, "{d}");
    assert_eq!(report::step_kinds(&doc), strings(CLEARED_AND_PROVEN), "{d}");
    for path in C.paths() {
        let r = result(&doc, path);
        assert_eq!(
            r,
            PathResult {
                gone: true,
                ..fresh_everywhere(path)
            },
            "{d}"
        );
    }
    for what in C.fetches() {
        for i in 0..3 {
            let got = site.pod_get(i, what);
            assert_eq!(got.visit.status, 404, "{d}: pod-{} {what:?}", i + 1);
        }
        let got = site.edge_get(what);
        assert_eq!(
            got.visit.status, 404,
            "{d}: the edge still serves {what:?} of the deleted post ({:?}):\n{}",
            got.x_cache, got.body
        );
    }
}

/// The cases in turn on one fleet (starting it is most of the time), each on a post of its own.
fn run_proves_every_pod_and_the_edge(version: Version) {
    let site = Site::start(version);
    nextjs_mode_direct(&site);
    endpoint_mode_direct(&site);
    unchanged(&site);
    via_redis(&site);
    generated_on_one_pod(&site);
    never_generated(&site);
    deleted(&site);
}

#[test]
fn next13_run_proves_every_pod_and_the_edge() {
    run_proves_every_pod_and_the_edge(Version::Next13);
}

#[test]
fn next16_run_proves_every_pod_and_the_edge() {
    run_proves_every_pod_and_the_edge(Version::Next16);
}
