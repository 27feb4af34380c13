//! What a browser fetches besides the page, from the built binary against the simulated fleet
//! behind a caching edge: the Pages Router's data JSON and the App Router's RSC and prefetch
//! payloads are each cached apart, so `verify --through` checks each of them and is not fresh
//! while the edge keeps an old one, and `cdn purge` clears them with the page.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Output;

use revalidate::verify::{Report, State, Variant, Verdict};
use revalidate_sim::{Balancer, Edge, EdgeOptions, FleetOptions};

use crate::common::{
    TestFleet, code, envelope, samples_of, stderr, stdout, variant_fetches, variant_verdict,
    verify_of,
};

const NEW: &str = "Post A v2 (variants)";

/// A fleet of three pods behind a balancer and a caching edge.
struct Site {
    tf: TestFleet,
    _balancer: Balancer,
    edge: Edge,
}

impl Site {
    fn start() -> Site {
        let tf = TestFleet::start(FleetOptions::default());
        let balancer = tf.balancer();
        let edge = tf
            .block_on(Edge::start(balancer.addr(), EdgeOptions::default()))
            .expect("edge");
        Site {
            tf,
            _balancer: balancer,
            edge,
        }
    }

    /// A visitor's GET through the edge, with router headers (no Accept-Encoding: identity).
    fn visit(&self, target: &str, headers: &[(&str, &str)]) -> u16 {
        let url = format!("{}{target}", self.edge.url());
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.tf.block_on(async move {
            let mut req = reqwest::Client::builder()
                .no_proxy()
                .no_gzip()
                .no_brotli()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap()
                .get(url);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            req.send().await.unwrap().status().as_u16()
        })
    }

    /// The page and each variant a browser fetches of it, as users' visits leave them at the edge.
    fn warm(&self, page: &str, data: Option<&str>) {
        assert_eq!(self.visit(page, &[]), 200);
        match data {
            Some(d) => assert_eq!(self.visit(d, &[]), 200),
            None => {
                assert_eq!(self.visit(&format!("{page}?_rsc"), &[("rsc", "1")]), 200);
                assert_eq!(
                    self.visit(
                        &format!("{page}?_rsc=HEAvJdHAQJrUAe2K"),
                        &[("rsc", "1"), ("next-router-prefetch", "1")]
                    ),
                    200
                );
            }
        }
    }

    /// The content changes and every pod regenerates the page.
    fn publish(&self, slug: &str, page: &str) {
        self.tf.fleet().cms().set_title(slug, NEW);
        let out = self
            .tf
            .cmd()
            .args(["fanout", page])
            .args(self.tf.pod_args())
            .args(self.tf.manifest_arg())
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stdout(&out));
    }

    fn run(&self, args: &[&str]) -> Output {
        self.tf.cmd().args(args).output().unwrap()
    }

    /// `verify PAGE` on every pod and one identity sample through the edge.
    fn verify(&self, page: &str, extra: &[&str]) -> Output {
        let edge = self.edge.url();
        let mut args = vec![
            "verify",
            page,
            "--ignore-preset",
            "timestamps",
            "--expect-contains",
            NEW,
            "--through",
            &edge,
            "--samples",
            "1",
            "--encodings",
            "identity",
        ];
        args.extend_from_slice(extra);
        let pods = self.tf.pod_args();
        let mut all: Vec<&str> = args;
        all.extend(pods.iter().map(String::as_str));
        self.run(&all)
    }

    fn verify_json(&self, page: &str, extra: &[&str]) -> (i32, Report) {
        let out = self.verify(page, &[extra, &["-o", "json"]].concat());
        (code(&out), verify_of(&envelope(&out)).clone())
    }

    fn purge(&self, page: &str, extra: &[&str]) -> Output {
        let edge = format!("edge={}", self.edge.url());
        let mut args = vec!["cdn", "purge", page, "--purge-url", edge.as_str()];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

fn sample_states(r: &Report, variant: Variant) -> Vec<Option<State>> {
    samples_of(r)
        .into_iter()
        .filter(|s| s.variant == variant)
        .map(|s| s.state)
        .collect()
}

#[test]
fn an_old_rsc_payload_at_the_edge_is_not_fresh_until_the_variants_are_purged() {
    let site = Site::start();
    site.warm("/app-posts/a", None);
    site.publish("a", "/app-posts/a");
    // Purging the page alone leaves the RSC and prefetch payloads the edge keeps apart.
    let out = site.purge("/app-posts/a", &["--variants", "html"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (rc, r) = site.verify_json("/app-posts/a", &[]);
    assert_eq!(rc, 4, "the edge still serves the old payloads: {r:#?}");
    let v = &r.verdicts[0];
    assert_eq!(v.verdict, Verdict::Stale);
    assert_eq!(v.fresh_pods, 3, "every pod is fresh");
    assert_eq!(
        variant_verdict(&r, "/app-posts/a", Variant::Html).verdict,
        Verdict::Fresh
    );
    for variant in [Variant::Rsc, Variant::Prefetch] {
        let x = variant_verdict(&r, "/app-posts/a", variant);
        assert_eq!(x.verdict, Verdict::Stale, "{variant:?}: {x:#?}");
        assert_eq!(sample_states(&r, variant), [Some(State::Stale)]);
        // Every pod served it (no redirect: the `_rsc` Next.js 16 asks for was sent).
        let fetched = variant_fetches(&r, "/app-posts/a", variant);
        assert_eq!(fetched.len(), 3);
        assert!(fetched.iter().all(|f| f.status == Some(200)));
    }
    assert_eq!(
        variant_verdict(&r, "/app-posts/a", Variant::Rsc).url,
        "/app-posts/a?_rsc"
    );
    assert!(
        v.reason.starts_with("rsc (/app-posts/a?_rsc): "),
        "{}",
        v.reason
    );
    let text = stdout(&site.verify("/app-posts/a", &[]));
    assert!(
        text.contains("html fresh, rsc stale, prefetch stale"),
        "{text}"
    );
    // Checking the page alone is what said fresh before.
    let out = site.verify("/app-posts/a", &["--variants", "html"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    // The default purge reads the page from the pods and clears its variants with it.
    let mut args = vec!["-o", "json"];
    let pods = site.tf.pod_args();
    args.extend(pods.iter().map(String::as_str));
    let out = site.purge("/app-posts/a", &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope_of(&out);
    let results: Vec<(String, Variant)> = env
        .results
        .iter()
        .map(|r| (r.path.clone(), r.variant))
        .collect();
    assert_eq!(
        results,
        [
            ("/app-posts/a".to_string(), Variant::Html),
            ("/app-posts/a?_rsc".to_string(), Variant::Rsc),
            (
                "/app-posts/a?_rsc=HEAvJdHAQJrUAe2K".to_string(),
                Variant::Prefetch
            ),
        ]
    );
    let (rc, r) = site.verify_json("/app-posts/a", &[]);
    assert_eq!(rc, 0, "{r:#?}");
    assert!(
        r.verdicts[0]
            .variants
            .iter()
            .all(|x| x.verdict == Verdict::Fresh)
    );
}

/// The cdn purge report of a `-o json` run.
fn envelope_of(out: &Output) -> revalidate::cdn::purge::Report {
    crate::cdn::purge_of(&crate::cdn::doc(out)).clone()
}

#[test]
fn an_old_data_json_at_the_edge_is_not_fresh_until_it_is_purged() {
    let site = Site::start();
    let data = format!(
        "/_next/data/{}/posts/a.json?slug=a",
        site.tf.fleet().build_id()
    );
    site.warm("/posts/a", Some(&data));
    site.publish("a", "/posts/a");
    let out = site.purge("/posts/a", &["--variants", "html"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (rc, r) = site.verify_json("/posts/a", &[]);
    assert_eq!(rc, 4, "{r:#?}");
    let x = variant_verdict(&r, "/posts/a", Variant::Data);
    assert_eq!(x.verdict, Verdict::Stale);
    assert_eq!(x.url, data, "the URL Next.js's router asks for");
    assert_eq!(sample_states(&r, Variant::Data), [Some(State::Stale)]);
    assert_eq!(
        variant_verdict(&r, "/posts/a", Variant::Html).verdict,
        Verdict::Fresh
    );
    // The data URLs of the page (as the router and as --next-data name them) are purged.
    let pods = site.tf.pod_args();
    let mut args: Vec<&str> = pods.iter().map(String::as_str).collect();
    args.extend(["-o", "json"]);
    let out = site.purge("/posts/a", &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let purged: Vec<(String, Variant)> = envelope_of(&out)
        .results
        .iter()
        .map(|r| (r.path.clone(), r.variant))
        .collect();
    assert!(
        purged.contains(&(data.clone(), Variant::Data)),
        "{purged:?}"
    );
    let (rc, r) = site.verify_json("/posts/a", &[]);
    assert_eq!(rc, 0, "{r:#?}");
}

#[test]
fn a_ban_by_url_regex_clears_every_variant_in_one_request() {
    let site = Site::start();
    site.warm("/app-posts/a", None);
    let data = format!(
        "/_next/data/{}/posts/a.json?slug=a",
        site.tf.fleet().build_id()
    );
    site.warm("/posts/a", Some(&data));
    site.publish("a", "/app-posts/a");
    site.publish("a", "/posts/a");
    let out = site.purge(
        "/app-posts/a",
        &[
            "/posts/a",
            "--purge-method",
            "BAN",
            "--dry-run",
            "-o",
            "json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let dry: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bans: Vec<String> = dry["steps"][0]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["headers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h[0] == "x-ban-url")
                .map(|h| h[1].as_str().unwrap().to_string())
                .unwrap()
        })
        .collect();
    assert_eq!(
        bans,
        [
            r"^(?:/app\-posts/a|/_next/data/[^/]+/app\-posts/a\.json)(?:\?.*)?$",
            r"^(?:/posts/a|/_next/data/[^/]+/posts/a\.json)(?:\?.*)?$",
        ]
    );
    let out = site.purge("/app-posts/a", &["/posts/a", "--purge-method", "BAN"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(site.edge.cache().objects().is_empty());
    for page in ["/app-posts/a", "/posts/a"] {
        let (rc, r) = site.verify_json(page, &[]);
        assert_eq!(rc, 0, "{page}: {r:#?}");
    }
}

#[test]
fn each_page_is_fetched_once_and_its_variants_after_it() {
    for (flavor, page, per_pod) in [
        (revalidate_sim::Flavor::Next16, "/app-posts/a", 3),
        (revalidate_sim::Flavor::Next13, "/app-posts/a", 3),
        (revalidate_sim::Flavor::Next16, "/posts/a", 2),
        (revalidate_sim::Flavor::Next16, "/plain/a", 2),
    ] {
        let tf = TestFleet::start(FleetOptions {
            flavor,
            ..FleetOptions::default()
        });
        let out = tf
            .cmd()
            .args(["verify", page, "--expect-contains", "Post A", "-o", "json"])
            .args(tf.pod_args())
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{flavor:?} {page}: {}", stdout(&out));
        for p in tf.pods() {
            assert_eq!(
                p.counters().requests,
                per_pod,
                "{flavor:?} {page}: the page once, each variant once"
            );
        }
        let r = verify_of(&envelope(&out)).clone();
        assert_eq!(r.verdicts[0].variants.len() as u64, per_pod);
    }
}

/// A server of one App Router page whose RSC payload is only served at `?_rsc=zz` (a 307 to it
/// otherwise, as Next.js 15+ answers a `_rsc` that does not match its router headers).
fn redirecting_app() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let target = line.split(' ').nth(1).unwrap_or("/").to_string();
            let mut rsc = false;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                rsc |= h.to_ascii_lowercase().starts_with("rsc: 1");
            }
            let (status, extra, body) = if !rsc {
                (
                    "200 OK",
                    "",
                    "<html>Post A <script>self.__next_f.push([1,\"x\"])</script></html>",
                )
            } else if target.ends_with("_rsc=zz") {
                ("200 OK", "", "0:{\"title\":\"Post A\"}")
            } else {
                ("307 Temporary Redirect", "location: /app?_rsc=zz\r\n", "")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nvary: rsc, Accept-Encoding\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_redirect_to_the_rsc_query_next_asks_for_is_followed() {
    let url = redirecting_app();
    let (mut c, _dir) = crate::common::revalidate();
    let out = c
        .args(["verify", "/app", "--pod", &format!("app={url}")])
        .args(["--expect-contains", "Post A", "-o", "json"])
        .output()
        .unwrap();
    let r = verify_of(&envelope(&out)).clone();
    for variant in [Variant::Rsc, Variant::Prefetch] {
        let f = variant_fetches(&r, "/app", variant)[0];
        assert_eq!(f.status, Some(200), "{f:#?}");
        assert_eq!(f.url.as_deref(), Some("/app?_rsc=zz"), "{f:#?}");
        assert_eq!(f.attempts, 2, "the redirect, then the payload");
    }
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        r.verdicts[0]
            .variants
            .iter()
            .all(|x| x.verdict == Verdict::Fresh)
    );
}

#[test]
fn a_regeneration_through_an_rsc_request_is_not_a_stale_pod() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("b", NEW);
    // pod-2 regenerates through an RSC request (a client navigation), the others through the
    // page: same content, but pod-2's page names `b?_rsc=` in its router tree.
    let id = tf.fleet().preview_id().to_string();
    for (i, target, rsc) in [
        (0, "/app-posts/b", false),
        (1, "/app-posts/b?_rsc", true),
        (2, "/app-posts/b", false),
    ] {
        let url = format!("{}{target}", tf.pod(i).url());
        let id = id.clone();
        let status = tf.block_on(async move {
            let mut req = reqwest::Client::new()
                .get(url)
                .header("x-prerender-revalidate", id);
            if rsc {
                req = req.header("rsc", "1");
            }
            req.send().await.unwrap().status().as_u16()
        });
        assert_eq!(status, 200);
    }
    let verify = |extra: &[&str]| {
        tf.cmd()
            .args(["verify", "/app-posts/b"])
            .args(["--ignore-preset", "timestamps", "--expect-contains", NEW])
            .args(extra)
            .args(tf.pod_args())
            .output()
            .unwrap()
    };
    let out = verify(&["-o", "json"]);
    assert_eq!(code(&out), 4, "without the preset the bytes differ");
    let v = verify_of(&envelope(&out)).verdicts[0].clone();
    assert!(v.diverged);
    assert!(v.reason.contains("--ignore-preset nextjs"), "{}", v.reason);
    // The hint does not ask for the check that was given.
    assert!(!v.reason.contains("--expect-contains"), "{}", v.reason);
    let text = stdout(&verify(&[]));
    assert!(!text.contains("add --expect-contains"), "{text}");
    assert!(text.contains("--ignore-preset nextjs"), "{text}");
    // The Next.js preset removes what the request left in the page.
    let out = verify(&["--ignore-preset", "nextjs"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn a_cloudfront_plan_covers_the_query_string_variants_of_app_router_pages() {
    let tf = TestFleet::three();
    let plan = |extra: &[&str]| {
        let out = crate::cdn::bare(tf.dir.path())
            .args(["cdn", "invalidate", "/app-posts/a", "/posts/a"])
            .args([
                "--distribution",
                "E2QWRUHAPOMQZL",
                "--dry-run",
                "-o",
                "json",
            ])
            .args(extra)
            .args(tf.pod_args())
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["steps"][0].clone()
    };
    let data = format!("/_next/data/{}/posts/a.json", tf.fleet().build_id());
    let keep = plan(&["--query-strings", "keep"]);
    let paths: Vec<&str> = keep["batches"][0]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            data.as_str(),
            &format!("{data}?slug=a"),
            "/app-posts/a*",
            "/posts/a"
        ]
    );
    assert_eq!(keep["plan"]["rsc_wildcards"], 1);
    assert_eq!(keep["plan"]["wildcards"], 1);
    // Without query strings in the cache key, the page's path covers its payloads.
    let drop = plan(&[]);
    let paths: Vec<&str> = drop["batches"][0]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(paths, [data.as_str(), "/app-posts/a", "/posts/a"]);
}

#[test]
fn etag_mode_through_an_edge_is_not_fresh_on_the_page_alone() {
    let tf = TestFleet::three();
    let lb = tf.balancer();
    tf.fleet().cms().delete("c");
    let out = tf
        .cmd()
        .args(["fanout", "/posts/c", "--allow-gone"])
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let verify = |extra: &[&str]| {
        tf.cmd()
            .args(["verify", "/posts/c", "--etag", "--expect-status", "404"])
            .args(["--through", &lb.url(), "--samples", "1", "-o", "json"])
            .args(extra)
            .args(tf.pod_args())
            .output()
            .unwrap()
    };
    let out = verify(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = verify_of(&envelope(&out)).verdicts[0].clone();
    assert_eq!(v.verdict, Verdict::Converged, "{v:#?}");
    assert!(v.reason.contains("--etag reads no bodies"), "{}", v.reason);
    // Asking for the page alone is the user's call.
    let out = verify(&["--variants", "html"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        verify_of(&envelope(&out)).verdicts[0].verdict,
        Verdict::Fresh
    );
    // Variants cannot be checked without bodies: asking for them is a usage error.
    let out = verify(&["--variants", "rsc"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("--etag reads no bodies"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cloudflare_purges_the_variant_urls_by_url() {
    let tf = TestFleet::three();
    let out = crate::cdn::bare(tf.dir.path())
        .env("CLOUDFLARE_API_TOKEN", "cf-token-0123456789abcdef")
        .args(["cdn", "purge", "/app-posts/a", "--dry-run", "-o", "json"])
        .args(["--cloudflare-zone", "0123456789abcdef0123456789abcdef"])
        .args(["--site-url", "https://www.example.com"])
        .args(tf.pod_args())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let body: serde_json::Value = serde_json::from_str(
        doc["steps"][0]["requests"][0]["body"]
            .as_str()
            .expect("a purge body"),
    )
    .unwrap();
    assert_eq!(
        body["files"],
        serde_json::json!([
            "https://www.example.com/app-posts/a",
            "https://www.example.com/app-posts/a?_rsc",
            "https://www.example.com/app-posts/a?_rsc=HEAvJdHAQJrUAe2K",
        ])
    );
}

#[test]
fn a_deleted_pages_data_json_at_the_edge_is_found_by_its_route_and_purged() {
    let site = Site::start();
    let id = site.tf.fleet().build_id();
    // What a client-side navigation fetched while the post existed: its route's query.
    let data = format!("/_next/data/{id}/posts/c.json?slug=c");
    site.warm("/posts/c", Some(&data));
    site.tf.fleet().cms().delete("c");
    let out = site
        .tf
        .cmd()
        .args(["fanout", "/posts/c", "--allow-gone"])
        .args(site.tf.pod_args())
        .args(site.tf.manifest_arg())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let verify = || {
        let edge = site.edge.url();
        let out = site
            .tf
            .cmd()
            .args(["verify", "/posts/c", "--expect-status", "404"])
            .args([
                "--through",
                &edge,
                "--samples",
                "1",
                "--encodings",
                "identity",
            ])
            .args(["--variants", "html,data", "-o", "json"])
            .args(site.tf.pod_args())
            .output()
            .unwrap();
        (code(&out), verify_of(&envelope(&out)).clone())
    };
    // The 404 no longer names the query; the build manifest's route does, and the edge still
    // serves the deleted post's data JSON there.
    let (rc, r) = verify();
    assert_eq!(rc, 4, "{r:#?}");
    let x = variant_verdict(&r, "/posts/c", Variant::Data);
    assert_eq!(x.url, data);
    assert_eq!(x.verdict, Verdict::Stale, "{x:#?}");
    assert_eq!(sample_states(&r, Variant::Data), [Some(State::Stale)]);
    assert!(
        variant_fetches(&r, "/posts/c", Variant::Data)
            .iter()
            .all(|f| f.status == Some(404)),
        "every pod: gone"
    );
    // The purge reads the route too, and clears that URL.
    let pods = site.tf.pod_args();
    let mut args: Vec<&str> = pods.iter().map(String::as_str).collect();
    args.extend(["-o", "json"]);
    let out = site.purge("/posts/c", &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let purged: Vec<(String, Variant)> = envelope_of(&out)
        .results
        .iter()
        .map(|r| (r.path.clone(), r.variant))
        .collect();
    assert!(
        purged.contains(&(data.clone(), Variant::Data)),
        "{purged:?}"
    );
    let (rc, r) = verify();
    assert_eq!(rc, 0, "{r:#?}");
    assert_eq!(site.visit(&data, &[]), 404);
}
