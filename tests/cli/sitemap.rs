//! `--sitemap`: sitemaps and sitemap indexes served by a real HTTP server on 127.0.0.1 (plain,
//! gzipped as a file, gzipped as a content encoding), their pages' paths fed to fanout, verify
//! and cdn purge with the host stripped and duplicates dropped; and every bad sitemap (foreign
//! host, malformed, not a sitemap, too large, too deep, unreachable, with credentials) refused
//! with its URL named, exit 2, before anything is sent to a pod.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use revalidate::verify::Verdict;

use crate::common::{
    Step, TestFleet, code, fanout_dry_run_of, run_json, stderr, verdict, verify_of,
};
use crate::echo::{Request, assert_no_leak, read_request};
use crate::fanout::{fanout, fanout_json};

/// The public site the sitemaps name (never contacted: pages are taken as paths).
const SITE: &str = "https://www.example.com";

/// One answer of the sitemap server.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Send a Content-Length (otherwise the body ends when the connection closes).
    length: bool,
}

impl Answer {
    fn xml(body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status: 200,
            headers: vec![("content-type", "application/xml".into())],
            body: body.into(),
            length: true,
        }
    }

    fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: vec![("content-type", "text/plain".into())],
            body: b"no".to_vec(),
            length: true,
        }
    }

    fn header(mut self, name: &'static str, value: &str) -> Answer {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.to_string()));
        self
    }
}

/// A plain HTTP/1.1 server on 127.0.0.1:0 answering each path from a list of answers (the n-th
/// request of a path gets the n-th answer, the last one repeating; 404 for an unknown path).
struct Server {
    url: String,
    routes: Arc<Mutex<HashMap<String, Vec<Answer>>>>,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Vec<Answer>>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (routes, seen) = (r.clone(), s.clone());
                std::thread::spawn(move || {
                    let Some(request) = read_request(&stream) else {
                        return;
                    };
                    let answer = {
                        let mut seen = seen.lock().unwrap();
                        let n = seen.iter().filter(|q| q.target == request.target).count();
                        seen.push(request.clone());
                        let routes = routes.lock().unwrap();
                        match routes.get(&request.target) {
                            Some(list) => list[n.min(list.len() - 1)].clone(),
                            None => Answer::status(404),
                        }
                    };
                    let mut head =
                        format!("HTTP/1.1 {} Test\r\nconnection: close\r\n", answer.status);
                    for (n, v) in &answer.headers {
                        head.push_str(&format!("{n}: {v}\r\n"));
                    }
                    if answer.length {
                        head.push_str(&format!("content-length: {}\r\n", answer.body.len()));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&answer.body);
                });
            }
        });
        Server { url, routes, seen }
    }

    /// Serves `answers` at `path`; returns the URL.
    fn serve(&self, path: &str, answers: Vec<Answer>) -> String {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), answers);
        format!("{}{path}", self.url)
    }

    /// Serves one answer at `path`; returns the URL.
    fn one(&self, path: &str, answer: Answer) -> String {
        self.serve(path, vec![answer])
    }

    /// The targets requested, in order.
    fn requested(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.target.clone())
            .collect()
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

/// A `<urlset>` of these page URLs (XML-escaped).
fn urlset(locs: &[String]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for l in locs {
        s.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>2024-05-01</lastmod></url>\n",
            l.replace('&', "&amp;")
        ));
    }
    s.push_str("</urlset>\n");
    s
}

/// A `<sitemapindex>` of these sitemap URLs.
fn index(locs: &[String]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for l in locs {
        s.push_str(&format!("  <sitemap><loc>{l}</loc></sitemap>\n"));
    }
    s.push_str("</sitemapindex>\n");
    s
}

/// Page URLs on `origin`.
fn on(origin: &str, paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| format!("{origin}{p}")).collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Nothing reached any pod.
fn assert_nothing_sent(tf: &TestFleet) {
    for pod in tf.pods() {
        assert_eq!(
            pod.counters().requests,
            0,
            "{} got requests: {:?}",
            pod.name(),
            pod.counters().by_path
        );
    }
}

/// The paths a `fanout --dry-run -o json` with these arguments would revalidate.
fn dry_run_paths(tf: &TestFleet, args: &[&str]) -> Vec<String> {
    let mut c = fanout(tf);
    c.args(args).arg("--dry-run");
    let (out, env) = run_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    fanout_dry_run_of(&env)
        .paths
        .iter()
        .map(|p| p.to_string())
        .collect()
}

/// A fanout with these arguments that must be refused: exit 2, nothing sent; returns stderr.
fn refused(tf: &TestFleet, args: &[&str]) -> String {
    let out = fanout(tf).args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(err.contains("nothing was sent"), "{err}");
    assert_nothing_sent(tf);
    err
}

#[test]
fn a_sitemaps_pages_are_revalidated_on_every_pod_as_paths() {
    let tf = TestFleet::three();
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(&server.url, &["/posts/a", "/posts/b"]))),
    );
    let mut c = fanout(&tf);
    c.args(["--sitemap", &url]);
    let (out, r) = fanout_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: Vec<String> = r.rows.iter().map(|row| row.subject()).collect();
    assert_eq!(rows, ["/posts/a", "/posts/b"]);
    for pod in tf.pods() {
        let by_path = pod.counters().by_path;
        assert_eq!(by_path.get("/posts/a"), Some(&1), "{by_path:?}");
        assert_eq!(by_path.get("/posts/b"), Some(&1), "{by_path:?}");
    }
    // One GET of the sitemap, asking for gzip.
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{:?}", server.requested());
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].header("accept-encoding"), Some("gzip"));
}

#[test]
fn the_host_is_stripped_and_the_path_and_query_kept() {
    let tf = TestFleet::three();
    let server = Server::start();
    // A sitemap served by a pod names the public site.
    let public = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(
            SITE,
            &["/", "/posts/a", "/search?q=a%20b&page=2", "/caf%C3%A9"],
        ))),
    );
    let paths = dry_run_paths(&tf, &["--sitemap", &public, "--site-url", SITE]);
    assert_eq!(
        paths,
        ["/", "/posts/a", "/search?q=a%20b&page=2", "/caf%C3%A9"]
    );
    // Pages on the sitemap's own host need no --site-url.
    let own = server.one(
        "/own.xml",
        Answer::xml(urlset(&on(&server.url, &["/posts/c?x=1"]))),
    );
    assert_eq!(dry_run_paths(&tf, &["--sitemap", &own]), ["/posts/c?x=1"]);
}

#[test]
fn a_page_on_another_host_is_refused_naming_the_sitemap_and_the_hosts() {
    let tf = TestFleet::three();
    let server = Server::start();
    let mut locs = on(&server.url, &["/posts/a"]);
    locs.extend(on("https://evil.example.net", &["/x", "/y"]));
    let url = server.one("/sitemap.xml", Answer::xml(urlset(&locs)));
    let err = refused(&tf, &["--sitemap", &url]);
    assert!(
        err.contains(&format!(
            "sitemap {url} has 2 <loc>s on another host than 127.0.0.1: evil.example.net (2)"
        )),
        "{err}"
    );
    assert!(
        err.contains("<loc> 2: \"https://evil.example.net/x\""),
        "{err}"
    );
    assert!(
        err.contains("--site-url"),
        "the hint names --site-url: {err}"
    );

    // The public site's pages, served by a pod, without --site-url: the same refusal, and the
    // hint says what to add.
    let public = server.one("/public.xml", Answer::xml(urlset(&on(SITE, &["/posts/a"]))));
    let err = refused(&tf, &["--sitemap", &public]);
    assert!(
        err.contains("on another host than 127.0.0.1: www.example.com (1)"),
        "{err}"
    );
    assert!(
        err.contains("e.g. --site-url https://www.example.com"),
        "{err}"
    );

    // With --site-url, a third host is still refused (one site at a time).
    let err = refused(&tf, &["--sitemap", &url, "--site-url", SITE]);
    assert!(
        err.contains("on another host than any of 127.0.0.1, www.example.com: evil.example.net (2); nothing was sent:\n"),
        "{err}"
    );
    assert!(
        err.contains("hint: pages of one site are revalidated at a time"),
        "{err}"
    );
}

#[test]
fn an_index_and_its_two_sitemaps_are_read_on_the_index_origin() {
    let tf = TestFleet::three();
    let server = Server::start();
    server.one(
        "/sitemaps/posts.xml",
        Answer::xml(urlset(&on(SITE, &["/posts/a", "/posts/b"]))),
    );
    server.one(
        "/sitemaps/pages.xml",
        Answer::xml(urlset(&on(SITE, &["/about", "/posts/a"]))),
    );
    let url = server.one(
        "/sitemap_index.xml",
        Answer::xml(index(&on(
            SITE,
            &["/sitemaps/posts.xml", "/sitemaps/pages.xml"],
        ))),
    );
    let paths = dry_run_paths(&tf, &["--sitemap", &url, "--site-url", SITE]);
    // In the index's order, each sitemap's pages in its order, the repeated page once.
    assert_eq!(paths, ["/posts/a", "/posts/b", "/about"]);
    let mut requested = server.requested();
    requested.sort();
    assert_eq!(
        requested,
        [
            "/sitemap_index.xml",
            "/sitemaps/pages.xml",
            "/sitemaps/posts.xml"
        ]
    );
}

#[test]
fn a_gzipped_sitemap_file_is_read() {
    let tf = TestFleet::three();
    let server = Server::start();
    let body = gzip(urlset(&on(&server.url, &["/posts/a", "/posts/b"])).as_bytes());
    let url = server.one(
        "/sitemap.xml.gz",
        Answer::xml(body).header("content-type", "application/x-gzip"),
    );
    assert_eq!(
        dry_run_paths(&tf, &["--sitemap", &url]),
        ["/posts/a", "/posts/b"]
    );
    // And from a file, as downloaded.
    let file = tf.dir.path().join("sitemap.xml.gz");
    std::fs::write(&file, gzip(urlset(&on(SITE, &["/posts/c"])).as_bytes())).unwrap();
    assert_eq!(
        dry_run_paths(&tf, &["--sitemap", file.to_str().unwrap()]),
        ["/posts/c"]
    );
}

#[test]
fn a_sitemap_sent_with_gzip_content_encoding_is_read() {
    let tf = TestFleet::three();
    let server = Server::start();
    let xml = urlset(&on(&server.url, &["/posts/a", "/posts/c"]));
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(gzip(xml.as_bytes())).header("content-encoding", "gzip"),
    );
    // A .xml.gz served with Content-Encoding: gzip too (gzip twice).
    let twice = server.one(
        "/sitemap2.xml.gz",
        Answer::xml(gzip(&gzip(
            urlset(&on(&server.url, &["/posts/b"])).as_bytes(),
        )))
        .header("content-encoding", "gzip"),
    );
    assert_eq!(
        dry_run_paths(&tf, &["--sitemap", &url, "--sitemap", &twice]),
        ["/posts/a", "/posts/c", "/posts/b"]
    );
    // An encoding it cannot read is named.
    let br = server.one(
        "/br.xml",
        Answer::xml(xml.clone()).header("content-encoding", "br"),
    );
    let err = refused(&tf, &["--sitemap", &br]);
    assert!(
        err.contains(&format!("sitemap {br} came with Content-Encoding \"br\"")),
        "{err}"
    );
}

#[test]
fn a_malformed_or_non_sitemap_document_is_refused_naming_its_url() {
    let tf = TestFleet::three();
    let server = Server::start();
    let cases: [(&str, Answer, &str); 6] = [
        (
            "/truncated.xml",
            Answer::xml("<urlset><url><loc>https://www.example.com/a</loc></url>"),
            "is not XML (the document ends inside an element)",
        ),
        (
            "/mismatched.xml",
            Answer::xml("<urlset><url><loc>x</url></urlset>"),
            "is not XML (",
        ),
        (
            "/page.html",
            Answer::xml("<!DOCTYPE html><html><body>Not found</body></html>"),
            "is XML but not a sitemap: its root element is <html>",
        ),
        (
            "/data.json",
            Answer::xml("{\"pages\": [\"/a\"]}"),
            "is not XML (",
        ),
        (
            "/missing.xml",
            Answer::status(404),
            "answered 404 Not Found",
        ),
        (
            "/bad.xml.gz",
            Answer::xml(gzip(b"<urlset></urlset>")[..12].to_vec()),
            "is not valid gzip",
        ),
    ];
    for (path, answer, want) in cases {
        let url = server.one(path, answer);
        let err = refused(&tf, &["--sitemap", &url, "/posts/a"]);
        assert!(
            err.contains(&format!("sitemap {url} {want}")),
            "{path}: {err}"
        );
    }
}

#[test]
fn a_sitemap_over_the_size_cap_is_refused_however_it_comes() {
    let tf = TestFleet::three();
    let server = Server::start();
    let big = urlset(&on(&server.url, &["/posts/a"; 40]));
    assert!(big.len() > 2048);
    let cap = ["--sitemap-max-body", "2KiB"];
    // Announced by its Content-Length.
    let url = server.one("/long.xml", Answer::xml(big.clone()));
    let err = refused(&tf, &[&["--sitemap", &url][..], &cap].concat());
    assert!(
        err.contains(&format!(
            "sitemap {url} is {} bytes (Content-Length), larger than 2KiB (--sitemap-max-body",
            big.len()
        )),
        "{err}"
    );
    // Counted as it comes, without a length.
    let mut unannounced = Answer::xml(big.clone());
    unannounced.length = false;
    let url = server.one("/stream.xml", unannounced);
    let err = refused(&tf, &[&["--sitemap", &url][..], &cap].concat());
    assert!(
        err.contains(&format!("sitemap {url} is larger than 2KiB")),
        "{err}"
    );
    // Small as sent, large once gunzipped.
    let mut bomb_xml = urlset(&on(&server.url, &["/posts/a"]));
    bomb_xml.insert_str(bomb_xml.len() - "</urlset>\n".len(), &" ".repeat(1 << 20));
    let bomb = gzip(bomb_xml.as_bytes());
    assert!(bomb.len() < 2048, "{}", bomb.len());
    let url = server.one(
        "/bomb.xml",
        Answer::xml(bomb).header("content-encoding", "gzip"),
    );
    let err = refused(&tf, &[&["--sitemap", &url][..], &cap].concat());
    assert!(
        err.contains(&format!("sitemap {url} decompresses to more than 2KiB")),
        "{err}"
    );
    // Under the default cap, all three are read.
    assert_eq!(dry_run_paths(&tf, &["--sitemap", &url]), ["/posts/a"]);
}

#[test]
fn paths_from_a_sitemap_and_the_command_line_are_sent_once() {
    let tf = TestFleet::three();
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(
            &server.url,
            &["/posts/b", "/posts/a", "/posts/b"],
        ))),
    );
    let list = tf.write("paths.txt", "/posts/c\n/posts/a\n");
    let mut c = fanout(&tf);
    c.args(["/posts/a", "--sitemap", &url, "--paths-file"])
        .arg(&list);
    let (out, r) = fanout_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows: Vec<String> = r.rows.iter().map(|row| row.subject()).collect();
    // Arguments, then files, then sitemaps; the first of each path kept.
    assert_eq!(rows, ["/posts/a", "/posts/c", "/posts/b"]);
    for pod in tf.pods() {
        let by_path = pod.counters().by_path;
        for p in ["/posts/a", "/posts/b", "/posts/c"] {
            assert_eq!(
                by_path.get(p),
                Some(&1),
                "{p} on {}: {by_path:?}",
                pod.name()
            );
        }
    }
}

#[test]
fn a_sitemap_feeds_verify() {
    let tf = TestFleet::three();
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(SITE, &["/posts/a", "/posts/b"]))),
    );
    let mut c = tf.cmd();
    c.arg("verify")
        .args(tf.pod_args())
        .args(["--sitemap", &url, "--site-url", SITE])
        .args(["--expect-contains", "(initial)"]);
    let (out, env) = run_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r = verify_of(&env);
    let paths: Vec<&str> = r.verdicts.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["/posts/a", "/posts/b"]);
    for p in paths {
        assert_eq!(verdict(r, p).verdict, Verdict::Fresh, "{p}");
    }
}

#[test]
fn a_sitemap_feeds_cdn_purge() {
    let tf = TestFleet::three();
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(SITE, &["/posts/a", "/posts/b"]))),
    );
    let cache = format!("edge={}", server.url);
    let mut c = tf.cmd();
    c.args(["cdn", "purge", "--dry-run", "--purge-url", &cache])
        .args(["--sitemap", &url, "--site-url", SITE]);
    let (out, env) = run_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let [Step::CdnPurgeDryRun(d)] = env.steps.as_slice() else {
        panic!("one cdn purge dry run: {:#?}", env.steps);
    };
    let paths: Vec<String> = d.paths.iter().map(|p| p.to_string()).collect();
    assert_eq!(paths, ["/posts/a", "/posts/b"]);
    // The dry run read the sitemap and purged nothing.
    assert_eq!(server.requested(), ["/sitemap.xml"]);
}

#[test]
fn a_bad_path_in_a_sitemap_is_refused_like_one_on_the_command_line() {
    let tf = TestFleet::three();
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(
            &server.url,
            &["/posts/a", "/posts/a%0D%0AX-Evil:%201", "/p%00"],
        ))),
    );
    let err = refused(&tf, &["--sitemap", &url]);
    assert!(err.contains("2 bad paths; nothing was sent:"), "{err}");
    assert!(
        err.contains(&format!(
            "{url} <loc> 2: \"/posts/a%0D%0AX-Evil:%201\": contains %0D, the control character CR"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{url} <loc> 3: \"/p%00\"")), "{err}");
    // A <loc> that is no full URL is named as such.
    let relative = server.one(
        "/relative.xml",
        Answer::xml(urlset(&["/posts/a".to_string()])),
    );
    let err = refused(&tf, &["--sitemap", &relative]);
    assert!(
        err.contains("<loc> 1: \"/posts/a\": is not a full URL"),
        "{err}"
    );
}

#[test]
fn an_unreachable_sitemap_is_named_and_a_503_is_retried() {
    let tf = TestFleet::three();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/sitemap.xml", l.local_addr().unwrap())
    };
    let err = refused(&tf, &["--sitemap", &closed, "--retries", "0"]);
    assert!(
        err.contains(&format!("sitemap {closed} cannot be reached: ")),
        "{err}"
    );
    assert!(err.contains("hint: check the URL"), "{err}");

    let server = Server::start();
    let xml = urlset(&on(&server.url, &["/posts/a"]));
    let url = server.serve(
        "/sitemap.xml",
        vec![Answer::status(503), Answer::status(502), Answer::xml(xml)],
    );
    assert_eq!(
        dry_run_paths(&tf, &["--sitemap", &url, "--retries", "2"]),
        ["/posts/a"]
    );
    assert_eq!(server.requested().len(), 3);
    // Out of retries: the last answer is named.
    let url = server.serve("/down.xml", vec![Answer::status(503)]);
    let err = refused(&tf, &["--sitemap", &url, "--retries", "1"]);
    assert!(
        err.contains(&format!("sitemap {url} answered 503 Service Unavailable")),
        "{err}"
    );
}

#[test]
fn indexes_are_followed_three_levels_deep_and_no_further() {
    let tf = TestFleet::three();
    let server = Server::start();
    let at = |p: &str| format!("{}{p}", server.url);
    server.one(
        "/pages.xml",
        Answer::xml(urlset(&on(&server.url, &["/posts/a"]))),
    );
    server.one("/l3.xml", Answer::xml(index(&[at("/pages.xml")])));
    let l2 = server.one("/l2.xml", Answer::xml(index(&[at("/l3.xml")])));
    // An index listing itself is read once.
    let l1 = server.one(
        "/l1.xml",
        Answer::xml(index(&[at("/l1.xml"), at("/l2.xml")])),
    );
    assert_eq!(dry_run_paths(&tf, &["--sitemap", &l2]), ["/posts/a"]);
    let err = refused(&tf, &["--sitemap", &l1]);
    assert!(
        err.contains(&format!(
            "sitemap {} (listed by {l2} <loc> 1) is an index at the third level; at most 3 levels",
            at("/l3.xml")
        )),
        "{err}"
    );
}

#[test]
fn a_sitemap_url_with_credentials_is_refused_and_never_shown() {
    let tf = TestFleet::three();
    let server = Server::start();
    server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(&server.url, &["/posts/a"]))),
    );
    let password = "Sm4pPassw0rdQz";
    let authority = server.url.trim_start_matches("http://");
    let url = format!("http://editor:{password}@{authority}/sitemap.xml");
    let out = fanout(&tf)
        .args(["--sitemap", &url, "-vv"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("a user or password in a sitemap URL"), "{err}");
    assert_no_leak(&out, &[password], "a sitemap URL's password");
    assert!(server.requested().is_empty(), "{:?}", server.requested());
    assert_nothing_sent(&tf);
}

#[test]
fn a_sitemap_with_no_page_and_no_other_path_is_an_error() {
    let tf = TestFleet::three();
    let server = Server::start();
    let url = server.one("/empty.xml", Answer::xml(urlset(&[])));
    let err = refused(&tf, &["--sitemap", &url]);
    assert!(
        err.contains(&format!("the sitemaps ({url}) list no page")),
        "{err}"
    );
    // With another path, it is only that sitemap that adds nothing, and a warning says so.
    let mut c = fanout(&tf);
    c.args(["--sitemap", &url, "/posts/a", "--dry-run"]);
    let (out, env) = run_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let paths: Vec<String> = fanout_dry_run_of(&env)
        .paths
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(paths, ["/posts/a"]);
    assert!(
        stderr(&out).contains(&format!("sitemap {url} lists no page")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sitemap_feeds_cdn_invalidate() {
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml.gz",
        Answer::xml(gzip(
            urlset(&on(SITE, &["/posts/b", "/posts/a"])).as_bytes(),
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    // A dry run needs no credentials and calls no AWS endpoint.
    let mut c = crate::cdn::bare(dir.path());
    c.env("AWS_ENDPOINT_URL_CLOUDFRONT", "http://127.0.0.1:9")
        .args([
            "cdn",
            "invalidate",
            "--dry-run",
            "--distribution",
            "E2QWRUHAPOMQZL",
        ])
        .args(["--run-id", "sitemap", "--sitemap", &url, "--site-url", SITE]);
    let (out, env) = run_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let [Step::CdnInvalidateDryRun(d)] = env.steps.as_slice() else {
        panic!("one cdn invalidate dry run: {:#?}", env.steps);
    };
    let paths: Vec<&str> = d
        .batches
        .iter()
        .flat_map(|b| b.paths.iter().map(String::as_str))
        .collect();
    assert_eq!(paths, ["/posts/a", "/posts/b"], "CloudFront's form, sorted");
}

#[test]
fn a_sitemap_feeds_run() {
    let tf = TestFleet::three();
    tf.fleet().cms().set_title("a", "Post A v2");
    tf.fleet().cms().set_title("b", "Post B v2");
    let server = Server::start();
    let url = server.one(
        "/sitemap.xml",
        Answer::xml(urlset(&on(SITE, &["/posts/a", "/posts/b"]))),
    );
    let mut c = tf.cmd();
    c.arg("run")
        .args(tf.pod_args())
        .args(tf.manifest_arg())
        .args(["--sitemap", &url, "--site-url", SITE]);
    let (out, env) = run_json(c);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let Some(Step::Run(r)) = env.steps.last() else {
        panic!("the last step is run's report: {:#?}", env.steps);
    };
    let got: Vec<(&str, Option<Verdict>)> = r
        .paths
        .iter()
        .map(|p| (p.path.as_str(), p.verdict))
        .collect();
    assert_eq!(
        got,
        [
            ("/posts/a", Some(Verdict::Fresh)),
            ("/posts/b", Some(Verdict::Fresh))
        ]
    );
}
