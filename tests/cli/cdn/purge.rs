//! `cdn purge`: HTTP purges against the caching edge in front of the simulated fleet, and
//! Cloudflare's purge by URL against its fake (which purges the same edge when it succeeds).

use std::time::{Duration, Instant};

use revalidate::cdn::purge::{CacheKind, Outcome};
use revalidate_sim::{CloudflareApi, CloudflareOptions, Edge, EdgeOptions};

use super::{assert_never_shown, bare, doc, events, purge_of, redact};
use crate::common::{TestFleet, code, stderr, stdout};

const FASTLY_KEY: &str = "fk-9Zq3PurgeKeyValue77";

/// A fleet with a balancer and a caching edge in front of it, the edge already holding
/// `/posts/a` (as users' requests left it).
struct Site {
    tf: TestFleet,
    _balancer: revalidate_sim::Balancer,
    edge: Edge,
}

impl Site {
    fn start(purge_key: Option<&str>) -> Site {
        let tf = TestFleet::three();
        let balancer = tf.balancer();
        let edge = tf
            .block_on(Edge::start(
                balancer.addr(),
                EdgeOptions {
                    purge_key: purge_key.map(|k| ("Fastly-Key".to_string(), k.to_string())),
                    ..EdgeOptions::default()
                },
            ))
            .expect("edge");
        let site = Site {
            tf,
            _balancer: balancer,
            edge,
        };
        site.warm("/posts/a");
        site
    }

    fn warm(&self, path: &str) {
        let url = format!("{}{path}", self.edge.url());
        let status = self
            .tf
            .block_on(async { reqwest::get(&url).await.map(|r| r.status().as_u16()) })
            .expect("edge answers");
        assert_eq!(status, 200);
        assert!(self.edge.cache().contains(path), "{path} is cached");
    }

    fn purge(&self, args: &[&str]) -> std::process::Output {
        bare(self.tf.dir.path())
            .env("FASTLY_KEY", FASTLY_KEY)
            .args(["cdn", "purge"])
            .args(args)
            .output()
            .unwrap()
    }
}

#[test]
fn http_purge_evicts_from_the_edge_and_a_miss_is_not_a_failure() {
    let s = Site::start(Some(FASTLY_KEY));
    let edge = format!("edge={}", s.edge.url());
    let args = [
        "/posts/a",
        "/posts/b",
        "--purge-url",
        &edge,
        "--purge-header",
        "Fastly-Key: ${FASTLY_KEY}",
    ];
    let out = s.purge(&[&args[..], &["-o", "json"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = doc(&out);
    let r = purge_of(&env);
    let got: Vec<(&str, &str, Outcome, Option<u16>)> = r
        .results
        .iter()
        .map(|c| (c.path.as_str(), c.cache.as_str(), c.outcome, c.status))
        .collect();
    assert_eq!(
        got,
        [
            ("/posts/a", "edge", Outcome::Purged, Some(200)),
            ("/posts/b", "edge", Outcome::NotCached, Some(404)),
        ]
    );
    assert_eq!(
        (r.totals.purged, r.totals.not_cached, r.totals.failed),
        (1, 1, 0)
    );
    assert_eq!(r.caches[0].kind, CacheKind::Http);
    assert!(!s.edge.cache().contains("/posts/a"), "evicted");
    assert_eq!(s.edge.cache().counters().purges, 2);

    s.warm("/posts/a");
    let out = s.purge(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::assert_snapshot!("purge_http", redact(&stdout(&out), None));

    // The key never shows, in any output.
    for v in [
        &["-o", "json"][..],
        &["-o", "ndjson"],
        &["-vvv"],
        &["--dry-run"],
    ] {
        let out = s.purge(&[&args[..], v].concat());
        assert_eq!(code(&out), 0, "{v:?}: {}", stderr(&out));
        assert_never_shown(&out, &[FASTLY_KEY], &format!("{v:?}"));
    }
}

#[test]
fn a_refused_purge_is_a_failure_with_a_hint() {
    let s = Site::start(Some(FASTLY_KEY));
    let edge = format!("--purge-url={}", s.edge.url());
    let out = bare(s.tf.dir.path())
        .env("FASTLY_KEY", "wrong-key-0000000")
        .args([
            "cdn",
            "purge",
            "/posts/a",
            &edge,
            "-H",
            "Fastly-Key: ${FASTLY_KEY}",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("http-error") && text.contains("403"),
        "{text}"
    );
    assert!(text.contains("hint: http-error: 401 or 403"), "{text}");
    assert!(s.edge.cache().contains("/posts/a"), "nothing was evicted");

    // An unset variable, a bad URL, nothing to purge: exit 2, nothing sent.
    let before = s.edge.cache().counters().requests;
    for (args, want) in [
        (
            vec![
                "/posts/a",
                edge.as_str(),
                "-H",
                "Fastly-Key: ${NOT_SET_ANYWHERE}",
            ],
            "NOT_SET_ANYWHERE is not set",
        ),
        (vec!["/posts/a", "--purge-url", "ftp://x"], "bad purge URL"),
        (vec!["/posts/a"], "nothing to purge"),
    ] {
        let out = bare(s.tf.dir.path())
            .args(["cdn", "purge"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(s.edge.cache().counters().requests, before);
}

#[test]
fn refused_purges_of_many_paths_are_one_row_and_every_path_with_v() {
    let s = Site::start(Some(FASTLY_KEY));
    let edge = format!("edge={}", s.edge.url());
    let paths: Vec<String> = (1..=30).map(|i| format!("/posts/p{i}")).collect();
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.extend(["--purge-url", &edge, "-H", "Fastly-Key: ${FASTLY_KEY}"]);
    let run = |extra: &[&str]| {
        bare(s.tf.dir.path())
            .env("FASTLY_KEY", "wrong-key-0000000")
            .args(["cdn", "purge"])
            .args(&args)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().count() < 15, "{text}");
    insta::assert_snapshot!("purge_refused_many", redact(&text, None));

    // -v: every path, in the table and by its cause; the JSON is the same either way.
    let out = run(&["-v"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    for p in &paths {
        let row = text
            .lines()
            .filter(|l| l.starts_with(&format!("{p} ")))
            .count();
        assert_eq!(row, 1, "{p}: {text}");
    }
    let named = text.lines().find(|l| l.contains("http-error")).unwrap();
    assert!(named.ends_with(&paths.join(", ")), "{named}");
    let quiet = purge_of(&doc(&run(&["-o", "json"]))).results.len();
    let verbose = purge_of(&doc(&run(&["-o", "json", "-v"]))).results.len();
    assert_eq!((quiet, verbose), (30, 30));
}

struct Cloudflare {
    site: Site,
    api: CloudflareApi,
}

impl Cloudflare {
    fn start() -> Cloudflare {
        let site = Site::start(None);
        let api = site
            .tf
            .block_on(CloudflareApi::start(CloudflareOptions {
                edge: Some(site.edge.cache().clone()),
                ..CloudflareOptions::default()
            }))
            .expect("cloudflare fake");
        Cloudflare { site, api }
    }

    fn purge(&self, token: &str, args: &[&str]) -> std::process::Output {
        bare(self.site.tf.dir.path())
            .env("CLOUDFLARE_API_TOKEN", token)
            .args(["cdn", "purge", "--cloudflare-zone", self.api.zone_id()])
            .args(["--cloudflare-api-url", &self.api.url()])
            .args(["--site-url", "https://www.example.com"])
            .args(args)
            .output()
            .unwrap()
    }
}

#[test]
fn cloudflare_purges_by_url_in_batches_of_30() {
    let c = Cloudflare::start();
    let mut paths: Vec<String> = (0..34).map(|n| format!("/p/{n}")).collect();
    paths.push("/posts/a".into());
    let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
    args.extend(["-o", "json"]);
    let out = c.purge(c.api.api_token(), &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sizes: Vec<usize> = c.api.purges().iter().map(|p| p.files.len()).collect();
    assert_eq!(sizes, [30, 5]);
    assert_eq!(c.api.purged_files()[0], "https://www.example.com/p/0");
    let env = doc(&out);
    let r = purge_of(&env);
    assert_eq!(r.totals.purged, 35);
    assert!(
        r.results
            .iter()
            .all(|x| x.cache == "cloudflare" && x.outcome == Outcome::Purged)
    );
    assert!(
        !c.site.edge.cache().contains("/posts/a"),
        "the zone's edge was purged"
    );
    assert_never_shown(&out, &[c.api.api_token()], "json");
    for v in [
        &[][..],
        &["-o", "ndjson"],
        &["-vvvv"],
        &["--dry-run"],
        &["--dry-run", "-o", "json"],
    ] {
        let out = c.purge(c.api.api_token(), &[&["/p/1"][..], v].concat());
        assert_eq!(code(&out), 0, "{v:?}: {}", stderr(&out));
        assert_never_shown(&out, &[c.api.api_token()], &format!("{v:?}"));
    }
    // From a file instead of the environment.
    let file = c.site.tf.write("cf-token", c.api.api_token());
    let out = c.purge(
        "",
        &["/p/2", "--cloudflare-token-file", file.to_str().unwrap()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn cloudflare_429_waits_for_retry_after_and_5xx_is_retried() {
    let c = Cloudflare::start();
    c.api.inject_rate_limit(1, Duration::from_secs(1));
    let started = Instant::now();
    let out = c.purge(c.api.api_token(), &["/a", "-o", "ndjson"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    let results: Vec<_> = events(&out)
        .into_iter()
        .filter_map(|e| e.get::<revalidate::cdn::purge::PurgeResult>())
        .collect();
    assert_eq!(results.len(), 1);
    assert_eq!(
        (results[0].outcome, results[0].attempts),
        (Outcome::Purged, 2)
    );
    let statuses: Vec<u16> = c.api.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);

    c.api.inject_status(502, 2);
    let out = c.purge(c.api.api_token(), &["/b", "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(purge_of(&doc(&out)).results[0].attempts, 3);

    c.api.inject_status(503, 10);
    let out = c.purge(c.api.api_token(), &["/c", "-o", "json", "--retries", "1"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = doc(&out);
    let r = &purge_of(&env).results[0];
    assert_eq!(
        (r.outcome, r.status, r.attempts),
        (Outcome::HttpError, Some(503), 2)
    );
}

#[test]
fn cloudflare_refusals_name_what_to_fix() {
    let c = Cloudflare::start();
    let bad_token = "bXd9-7c1f0e9d2bQz";
    let out = c.purge(bad_token, &["/a"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: the Cloudflare API: zone "), "{err}");
    assert!(
        err.contains("Invalid access token") && err.contains("Zone > Cache Purge"),
        "{err}"
    );
    assert_never_shown(&out, &[bad_token, c.api.api_token()], "refused token");

    for (args, token, want) in [
        (vec!["/a*"], c.api.api_token(), "takes no wildcard"),
        (vec!["/a"], "", "needs an API token"),
    ] {
        let out = c.purge(token, &args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{}", stderr(&out));
    }
    let out = bare(c.site.tf.dir.path())
        .env("CLOUDFLARE_API_TOKEN", c.api.api_token())
        .args([
            "cdn",
            "purge",
            "/a",
            "--cloudflare-zone",
            "not-a-zone",
            "--site-url",
            "https://x.example",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("a Cloudflare zone id is 32 hexadecimal digits"),
        "{}",
        stderr(&out)
    );
    assert!(c.api.purges().is_empty());
}

#[test]
fn http_and_cloudflare_together_in_input_order() {
    let c = Cloudflare::start();
    let edge = format!("edge={}", c.site.edge.url());
    let out = c.purge(
        c.api.api_token(),
        &["/posts/a", "/x", "--purge-url", &edge, "-o", "json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = doc(&out);
    let order: Vec<(String, String)> = purge_of(&env)
        .results
        .iter()
        .map(|r| (r.path.clone(), r.cache.clone()))
        .collect();
    assert_eq!(
        order,
        [
            ("/posts/a".into(), "edge".into()),
            ("/posts/a".into(), "cloudflare".into()),
            ("/x".into(), "edge".into()),
            ("/x".into(), "cloudflare".into()),
        ]
    );
    let dry = c.purge(
        c.api.api_token(),
        &["/posts/a", "--purge-url", &edge, "--dry-run"],
    );
    assert_eq!(code(&dry), 0, "{}", stderr(&dry));
    let text = stdout(&dry);
    assert!(
        text.contains("authorization: Bearer <redacted: env CLOUDFLARE_API_TOKEN>"),
        "{text}"
    );
    assert_eq!(c.api.requests().len(), 1, "the dry run sent nothing");
}

#[test]
fn the_demo_purges_the_edge_only_once_the_pods_are_fresh() {
    let (mut c, _dir) = crate::common::revalidate();
    let out = c.args(["demo", "--color", "never"]).output().unwrap();
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let mut at = 0;
    for want in [
        "   edge     \"Post A (initial)\"",
        "5. Users reach the site through the edge",
        "revalidate verify: 1 path × 3 pods · ",
        "revalidate cdn purge: 3 paths × 1 cache (edge)",
        "revalidate verify: 1 path × 3 pods, 10 samples an encoding",
        "   /posts/a  3/3          fresh  cleared  fresh  fresh",
        "   edge     \"Post A v2 (edited)\"     fresh",
    ] {
        match text[at..].find(want) {
            Some(i) => at += i + want.len(),
            None => panic!("{want:?} does not follow in order:\n{text}"),
        }
    }
}
