//! Tests of the caching edge against the simulated fleet and a small origin
//! whose `Cache-Control` is chosen by path.

use std::sync::atomic::{AtomicU64, Ordering};

use super::*;
use crate::testkit::{Probe, client, fleet, get, get_with};
use crate::{Fault, Flavor};

async fn send(c: &reqwest::Client, method: &str, url: &str, headers: &[(&str, &str)]) -> Probe {
    let mut req = c.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.send().await.unwrap();
    Probe {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.unwrap(),
    }
}

/// An origin whose `Cache-Control` is chosen by path, counting its requests.
async fn origin(token: &CancellationToken) -> (SocketAddr, Arc<AtomicU64>) {
    let hits = Arc::new(AtomicU64::new(0));
    let counter = hits.clone();
    let addr = serve::spawn(token.clone(), move |req: Request<Incoming>| {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            let (status, cc) = match req.uri().path() {
                "/short" => (StatusCode::OK, Some("s-maxage=60, max-age=0")),
                "/max-age" => (StatusCode::OK, Some("public, max-age=30")),
                "/no-store" => (StatusCode::OK, Some("no-store")),
                "/private" => (StatusCode::OK, Some("private, max-age=600")),
                "/missing" => (StatusCode::NOT_FOUND, Some("s-maxage=600")),
                _ => (StatusCode::OK, None),
            };
            let mut resp = serve::reply(status, "text/plain", format!("response {n}"));
            if let Some(cc) = cc {
                serve::set_header(&mut resp, "cache-control", cc);
            }
            resp
        }
    })
    .unwrap();
    (addr, hits)
}

#[test]
fn negotiates_the_best_accepted_encoding() {
    assert_eq!(Encoding::negotiate([]), Encoding::Identity);
    assert_eq!(Encoding::negotiate(["identity"]), Encoding::Identity);
    assert_eq!(Encoding::negotiate(["gzip, deflate"]), Encoding::Gzip);
    assert_eq!(
        Encoding::negotiate(["gzip, deflate, br, zstd"]),
        Encoding::Br
    );
    assert_eq!(Encoding::negotiate(["br;q=0, GZIP"]), Encoding::Gzip);
    assert_eq!(Encoding::negotiate(["gzip;q=0"]), Encoding::Identity);
    assert_eq!(Encoding::negotiate(["deflate", "br"]), Encoding::Br);
}

#[test]
fn storable_ttl_follows_cache_control() {
    let h = |cc: &str| {
        let mut m = HeaderMap::new();
        m.insert(header::CACHE_CONTROL, HeaderValue::from_str(cc).unwrap());
        m
    };
    let ok = StatusCode::OK;
    let year = Duration::from_secs(31_536_000);
    assert_eq!(
        storable_ttl(ok, &h("s-maxage=31536000, stale-while-revalidate"), None),
        Some(Some(year))
    );
    assert_eq!(
        storable_ttl(ok, &h("max-age=0, s-maxage=60"), None),
        Some(Some(Duration::from_secs(60)))
    );
    assert_eq!(
        storable_ttl(ok, &h("max-age=5"), None),
        Some(Some(Duration::from_secs(5)))
    );
    assert_eq!(storable_ttl(ok, &h("s-maxage=0"), None), None);
    assert_eq!(
        storable_ttl(
            ok,
            &h("private, no-cache, no-store, max-age=0, must-revalidate"),
            None
        ),
        None
    );
    assert_eq!(storable_ttl(ok, &HeaderMap::new(), None), Some(None));
    assert_eq!(
        storable_ttl(ok, &HeaderMap::new(), Some(Duration::from_secs(9))),
        Some(Some(Duration::from_secs(9)))
    );
    assert_eq!(
        storable_ttl(StatusCode::NOT_FOUND, &h("s-maxage=60"), None),
        None
    );
}

#[tokio::test]
async fn serves_the_old_page_after_every_pod_is_fresh_until_purged() {
    let f = fleet(Flavor::Next16).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let c = client();
    let url = format!("{}/posts/a", edge.url());

    let first = get(&c, &url).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-cache"), Some("Miss from edge"));
    assert_eq!(first.header("age"), None);
    assert!(first.text().contains("Post A (initial)"));
    let second = get(&c, &url).await;
    assert_eq!(second.header("x-cache"), Some("Hit from edge"));
    assert_eq!(second.header("age"), Some("0"));
    assert_eq!(second.body, first.body);

    // Revalidate every pod directly: all of them are fresh now.
    f.cms().set_title("a", "Post A (edited)");
    for pod in f.pods() {
        let r = get_with(
            &c,
            &format!("{}/posts/a", pod.url()),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        assert_eq!(r.cache(), Some("REVALIDATED"));
    }
    edge.cache().advance_clock(Duration::from_secs(3600));
    let stale = get(&c, &url).await;
    assert_eq!(stale.header("x-cache"), Some("Hit from edge"));
    assert_eq!(stale.header("age"), Some("3600"));
    assert!(stale.text().contains("Post A (initial)"));
    let origin_requests: u64 = f
        .pods()
        .iter()
        .map(|p| p.counters().by_path.get("/posts/a").copied().unwrap_or(0))
        .sum();
    assert_eq!(
        origin_requests,
        1 + 3,
        "one miss, three direct revalidations"
    );

    let purged = send(&c, "PURGE", &url, &[]).await;
    assert_eq!(purged.status, 200, "{}", purged.text());
    assert!(!edge.cache().contains("/posts/a"));
    let fresh = get(&c, &url).await;
    assert_eq!(fresh.header("x-cache"), Some("Miss from edge"));
    assert!(fresh.text().contains("Post A (edited)"));
    let again = send(&c, "PURGE", &format!("{}/posts/nothing", edge.url()), &[]).await;
    assert_eq!(again.status, 404);
    let n = edge.cache().counters();
    assert_eq!(
        (n.hits, n.misses, n.stored, n.purges, n.evicted),
        (2, 2, 2, 2, 1)
    );
    assert_eq!(n.requests, 6);
    f.shutdown().await;
}

#[tokio::test]
async fn keeps_one_copy_per_negotiated_encoding_and_purges_them_all() {
    let f = fleet(Flavor::Next13).await;
    for pod in f.pods() {
        pod.set_compress(true);
    }
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let c = client();
    let url = format!("{}/plain/a", edge.url());
    let variants = [
        (None, Encoding::Identity),
        (Some("gzip, deflate"), Encoding::Gzip),
        (Some("gzip, deflate, br"), Encoding::Br),
    ];
    for round in ["Miss from edge", "Hit from edge"] {
        for (ae, _) in variants {
            let headers: Vec<(&str, &str)> =
                ae.map(|v| ("accept-encoding", v)).into_iter().collect();
            let r = get_with(&c, &url, &headers).await;
            assert_eq!(r.header("x-cache"), Some(round), "{ae:?}");
            let gzipped = r.body.starts_with(&[0x1f, 0x8b]);
            assert_eq!(
                gzipped,
                ae.is_some(),
                "{ae:?}: the edge must not decode or re-encode"
            );
            assert_eq!(r.header("content-encoding").is_some(), ae.is_some());
        }
    }
    let cached: Vec<Encoding> = edge.cache().objects().iter().map(|o| o.encoding).collect();
    assert_eq!(cached, [Encoding::Identity, Encoding::Gzip, Encoding::Br]);
    let plain = edge.cache().get("/plain/a", Encoding::Identity).unwrap();
    assert!(String::from_utf8_lossy(&plain.body).contains("Post A"));
    let left = plain.expires_in.unwrap();
    assert!(left > Duration::from_secs(31_535_000) && left <= Duration::from_secs(31_536_000));
    // A query string is a different object.
    let q = get(&c, &format!("{url}?utm=x")).await;
    assert_eq!(q.header("x-cache"), Some("Miss from edge"));
    assert_eq!(edge.cache().purge("/plain/a"), 3);
    assert!(edge.cache().contains("/plain/a?utm=x"));
    f.shutdown().await;
}

#[tokio::test]
async fn a_purge_key_guards_purges_and_the_method_is_configurable() {
    let token = CancellationToken::new();
    let (origin, _) = origin(&token).await;
    let edge = Edge::start(
        origin,
        EdgeOptions {
            label: "cloudfront".to_owned(),
            purge_method: "BAN".to_owned(),
            purge_key: Some(("Fastly-Key".to_owned(), "s3cret".to_owned())),
            ..EdgeOptions::default()
        },
    )
    .await
    .unwrap();
    let c = client();
    let url = format!("{}/page", edge.url());
    get(&c, &url).await;
    assert_eq!(
        get(&c, &url).await.header("x-cache"),
        Some("Hit from cloudfront")
    );
    assert_eq!(send(&c, "BAN", &url, &[]).await.status, 401);
    assert_eq!(
        send(&c, "BAN", &url, &[("fastly-key", "wrong")])
            .await
            .status,
        403
    );
    assert!(
        edge.cache().contains("/page"),
        "a refused purge evicts nothing"
    );
    // PURGE is just another method here: forwarded, never cached.
    let purge = send(&c, "PURGE", &url, &[("fastly-key", "s3cret")]).await;
    assert_eq!(purge.header("x-cache"), Some("Miss from cloudfront"));
    assert!(edge.cache().contains("/page"));
    assert_eq!(
        send(&c, "BAN", &url, &[("fastly-key", "s3cret")])
            .await
            .status,
        200
    );
    assert!(!edge.cache().contains("/page"));
    let n = edge.cache().counters();
    assert_eq!(
        (n.purges, n.purges_refused, n.passes, n.evicted),
        (1, 2, 1, 1)
    );
    token.cancel();
}

#[tokio::test]
async fn honours_s_maxage_and_max_age_and_never_stores_what_it_must_not() {
    let token = CancellationToken::new();
    let (origin, origin_hits) = origin(&token).await;
    let edge = Edge::start(
        origin,
        EdgeOptions {
            default_ttl: Some(Duration::from_secs(300)),
            ..EdgeOptions::default()
        },
    )
    .await
    .unwrap();
    let c = client();
    let at = |p: &str| format!("{}{p}", edge.url());
    for path in [
        "/short",
        "/max-age",
        "/plain",
        "/no-store",
        "/private",
        "/missing",
    ] {
        get(&c, &at(path)).await;
    }
    assert_eq!(origin_hits.load(Ordering::SeqCst), 6);
    let keys: Vec<String> = edge.cache().objects().into_iter().map(|o| o.key).collect();
    assert_eq!(keys, ["/max-age", "/plain", "/short"]);
    let missing = get(&c, &at("/missing")).await;
    assert_eq!(
        (missing.status, missing.header("x-cache")),
        (404, Some("Error from edge"))
    );
    assert_eq!(
        get(&c, &at("/no-store")).await.header("x-cache"),
        Some("Miss from edge")
    );

    edge.cache().advance_clock(Duration::from_secs(31));
    assert_eq!(
        get(&c, &at("/short")).await.header("x-cache"),
        Some("Hit from edge")
    );
    assert_eq!(
        get(&c, &at("/max-age")).await.header("x-cache"),
        Some("Miss from edge"),
        "max-age=30 expired"
    );
    edge.cache().advance_clock(Duration::from_secs(30));
    let short = get(&c, &at("/short")).await;
    assert_eq!(
        short.header("x-cache"),
        Some("Miss from edge"),
        "s-maxage=60 expired"
    );
    assert_eq!(
        get(&c, &at("/plain")).await.header("x-cache"),
        Some("Hit from edge"),
        "default TTL 300 s"
    );
    edge.cache().advance_clock(Duration::from_secs(300));
    assert_eq!(
        get(&c, &at("/plain")).await.header("x-cache"),
        Some("Miss from edge")
    );
    token.cancel();
}

#[tokio::test]
async fn head_and_conditional_requests_are_answered_from_the_cache() {
    let f = fleet(Flavor::Next16).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let c = client();
    let url = format!("{}/posts/b", edge.url());
    let head_miss = send(&c, "HEAD", &url, &[]).await;
    assert_eq!(head_miss.header("x-cache"), Some("Miss from edge"));
    assert!(
        edge.cache().objects().is_empty(),
        "HEAD never fills the cache"
    );
    let full = get(&c, &url).await;
    let etag = full.etag().unwrap().to_owned();
    let head = send(&c, "HEAD", &url, &[]).await;
    assert_eq!(
        (head.status, head.header("x-cache")),
        (200, Some("Hit from edge"))
    );
    assert_eq!(
        head.header("content-length"),
        Some(full.body.len().to_string().as_str())
    );
    assert!(head.body.is_empty());
    let not_modified = get_with(&c, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.etag(), Some(etag.as_str()));
    assert!(not_modified.body.is_empty());
    let changed = get_with(&c, &url, &[("if-none-match", "\"other\"")]).await;
    assert_eq!((changed.status, changed.body.len()), (200, full.body.len()));
    f.shutdown().await;
}

#[tokio::test]
async fn a_fetch_in_flight_during_a_purge_is_served_but_not_stored() {
    let f = fleet(Flavor::Next13).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    for pod in f.pods() {
        pod.set_fault(Fault::Slow(Duration::from_millis(300))).await;
    }
    let url = format!("{}/posts/c", edge.url());
    let waiting = tokio::spawn(async move { get(&client(), &url).await });
    // Wait until a pod has the request, then purge while it is in flight.
    let mut arrived = false;
    for _ in 0..400 {
        if f.pods().iter().any(|p| p.counters().requests > 0) {
            arrived = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(arrived, "the request never reached a pod");
    assert_eq!(edge.cache().purge_all(), 0);
    let r = waiting.await.unwrap();
    assert_eq!(
        (r.status, r.header("x-cache")),
        (200, Some("Miss from edge"))
    );
    assert!(
        edge.cache().objects().is_empty(),
        "stored a response fetched before the purge"
    );
    assert_eq!(edge.cache().counters().stored, 0);
    f.shutdown().await;
}

#[tokio::test]
async fn prefix_purges_and_origin_failures() {
    let f = fleet(Flavor::Next16).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let c = client();
    for p in ["/posts/a", "/posts/b", "/plain/a"] {
        get(&c, &format!("{}{p}", edge.url())).await;
    }
    let r = send(&c, "PURGE", &format!("{}/posts/*", edge.url()), &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("purged 2 object(s)"), "{}", r.text());
    let keys: Vec<String> = edge.cache().objects().into_iter().map(|o| o.key).collect();
    assert_eq!(keys, ["/plain/a"]);
    for pod in f.pods() {
        pod.set_fault(Fault::Down).await;
    }
    // The balancer answers 502 for its dead pods: passed on, never stored.
    let down = get(&c, &format!("{}/posts/a", edge.url())).await;
    assert_eq!(
        (down.status, down.header("x-cache")),
        (502, Some("Error from edge"))
    );
    assert!(down.header("x-upstream").is_some());
    let still = get(&c, &format!("{}/plain/a", edge.url())).await;
    assert_eq!(
        (still.status, still.header("x-cache")),
        (200, Some("Hit from edge"))
    );
    assert_eq!(edge.cache().counters().origin_errors, 0);
    // An origin that is not there at all: the edge's own 502.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let orphan = Edge::start(closed, EdgeOptions::default()).await.unwrap();
    let r = get(&c, &format!("{}/posts/a", orphan.url())).await;
    assert_eq!(
        (r.status, r.header("x-cache")),
        (502, Some("Error from edge"))
    );
    assert_eq!(orphan.cache().counters().origin_errors, 1);
    f.shutdown().await;
}

#[tokio::test]
async fn router_variants_are_cached_apart_and_purged_by_their_headers_or_a_ban() {
    let f = fleet(Flavor::Next16).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let c = client();
    let rsc = [("rsc", "1")];
    let page = format!("{}/app-posts/a", edge.url());
    let payload = format!("{}/app-posts/a?_rsc", edge.url());
    get(&c, &page).await;
    get_with(&c, &payload, &rsc).await;
    // The same URL without the header is another object (HTML), not the payload.
    let plain = get(&c, &payload).await;
    assert_eq!(
        plain.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let hit = get_with(&c, &payload, &rsc).await;
    assert_eq!(hit.header("x-cache"), Some("Hit from edge"));
    assert_eq!(hit.header("content-type"), Some("text/x-component"));
    let routers: Vec<String> = edge
        .cache()
        .objects()
        .into_iter()
        .map(|o| o.router)
        .collect();
    assert!(routers.contains(&"rsc=1".to_string()), "{routers:?}");
    // A PURGE of the page leaves the payload; one with the payload's headers evicts it.
    let purge = |path: &str, headers: &[(&str, &str)]| {
        let mut req = c.request(
            reqwest::Method::from_bytes(b"PURGE").unwrap(),
            format!("{}{path}", edge.url()),
        );
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    assert_eq!(purge("/app-posts/a?_rsc", &[]).await.unwrap().status(), 200);
    assert!(edge.cache().objects().iter().any(|o| o.router == "rsc=1"));
    assert_eq!(
        purge("/app-posts/a?_rsc", &rsc).await.unwrap().status(),
        200
    );
    assert!(!edge.cache().objects().iter().any(|o| o.router == "rsc=1"));
    // A BAN evicts every variant whose URL matches.
    get_with(&c, &payload, &rsc).await;
    let ban = c
        .request(
            reqwest::Method::from_bytes(b"BAN").unwrap(),
            format!("{}/app-posts/a", edge.url()),
        )
        .header("x-ban-url", r"^/app-posts/a(\?.*)?$")
        .send()
        .await
        .unwrap();
    assert_eq!(ban.status(), 200);
    assert!(
        edge.cache().objects().is_empty(),
        "{:?}",
        edge.cache().objects()
    );
    f.shutdown().await;
}
