//! The simulated pod's HTTP behaviour, route by route, against the recorded wire traffic.

use super::*;
use crate::testkit::{client, fleet, fleet_with, get, get_with};
use std::time::{Duration, Instant};

use super::api::JsNumber;
use crate::{Fault, FleetOptions};

#[test]
fn resolves_routes_per_flavor() {
    let page = |kind, slug: &str| Route::Page {
        kind,
        slug: slug.to_owned(),
    };
    assert_eq!(
        resolve("/posts/a", Flavor::Next13),
        page(PageKind::Posts, "a")
    );
    assert_eq!(
        resolve("/plain/é", Flavor::Next13),
        page(PageKind::Plain, "é")
    );
    assert_eq!(
        resolve("/app-posts/a", Flavor::Next13),
        page(PageKind::AppPosts, "a")
    );
    assert_eq!(
        resolve("/app-posts/a", Flavor::Next16),
        page(PageKind::AppPosts, "a")
    );
    assert_eq!(
        resolve("/posts/", Flavor::Next16),
        Route::TrailingSlash("/posts".into())
    );
    assert_eq!(resolve("/posts/a/b", Flavor::Next16), Route::Unknown);
    assert_eq!(
        resolve("/_next/data/BID/posts/a.json", Flavor::Next16),
        Route::Data {
            build_id: "BID".into(),
            kind: PageKind::Posts,
            slug: "a".into()
        }
    );
    assert_eq!(
        resolve("/_next/data/BID/app-posts/a.json", Flavor::Next16),
        Route::Unknown
    );
    assert_eq!(
        resolve("/api/revalidate-app", Flavor::Next13),
        Route::Unknown
    );
    assert_eq!(
        resolve("/_next/static/BID/_buildManifest.js", Flavor::Next13),
        Route::BuildManifest {
            build_id: "BID".into()
        }
    );
    assert_eq!(
        cache_key_for("/_next/data/X/plain/caf%C3%A9.json?x=1", Flavor::Next13).as_deref(),
        Some("/plain/café")
    );
}

#[test]
fn parses_queries_and_accept_encoding() {
    assert_eq!(
        query_param("path=%2Fposts%2Fa&onlyGenerated=1", "path").as_deref(),
        Some("/posts/a")
    );
    assert_eq!(query_param("path=/a+b", "path").as_deref(), Some("/a b"));
    assert_eq!(query_param("x=1", "path"), None);
    assert!(accepts_gzip("gzip, deflate, br"));
    assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
    assert!(!accepts_gzip("gzip;q=0"));
    assert!(!accepts_gzip("br"));
}

#[test]
fn js_numbers_print_like_javascript() {
    let s = |n| serde_json::to_string(&JsNumber(n)).unwrap();
    assert_eq!(s(51.0), "51");
    assert_eq!(s(2.8), "2.8");
    assert_eq!(s(0.0), "0");
}

#[tokio::test]
async fn build_pages_are_hits_and_identical_across_pods() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let f = fleet(flavor).await;
        let c = client();
        let mut seen = Vec::new();
        for pod in f.pods() {
            for path in ["/posts/a", "/plain/b"] {
                let r = get(&c, &format!("{}{path}", pod.url())).await;
                assert_eq!(r.status, 200);
                assert_eq!(r.cache(), Some("HIT"), "{flavor} {path}");
                assert_eq!(r.etag(), Some(crate::generate_etag(&r.text()).as_str()));
                assert_eq!(r.header("x-powered-by"), Some("Next.js"));
                assert_eq!(r.header("vary"), Some("Accept-Encoding"));
                assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
                let cc = match flavor {
                    Flavor::Next13 => "s-maxage=31536000, stale-while-revalidate",
                    Flavor::Next16 => "s-maxage=31536000",
                };
                assert_eq!(r.header("cache-control"), Some(cc));
                seen.push((path, r.body.clone(), r.etag().map(str::to_owned)));
            }
        }
        for (path, body, etag) in &seen {
            let first = seen.iter().find(|(p, ..)| p == path).unwrap();
            assert_eq!(&first.1, body);
            assert_eq!(&first.2, etag);
        }
        let a = get(&c, &format!("{}/posts/a", f.pods()[0].url())).await;
        assert!(a.text().contains("<title>Post A (initial)</title>"));
        assert!(
            a.text()
                .contains(&format!("/_next/static/{}/_buildManifest.js", f.build_id()))
        );
        f.shutdown().await;
    }
}

#[tokio::test]
async fn the_build_manifest_lists_the_pages_routes() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let f = fleet(flavor).await;
        let c = client();
        let base = f.pods()[0].url();
        let r = get(
            &c,
            &format!("{base}/_next/static/{}/_buildManifest.js", f.build_id()),
        )
        .await;
        assert_eq!(r.status, 200);
        let text = r.text();
        assert!(text.starts_with("self.__BUILD_MANIFEST"), "{text}");
        for route in ["\"/_app\"", "\"/posts/[slug]\"", "\"/plain/[slug]\""] {
            assert!(text.contains(route), "{route} in {text}");
        }
        // The App Router's routes are not in it, nor (on 13.5.11) the API routes.
        assert!(!text.contains("/app-posts/"), "{text}");
        assert_eq!(
            text.contains("/api/revalidate"),
            flavor == Flavor::Next16,
            "{text}"
        );
        // Another build's manifest is not here.
        let other = get(&c, &format!("{base}/_next/static/OTHER/_buildManifest.js")).await;
        assert_eq!(other.status, 404);
        f.shutdown().await;
    }
}

#[tokio::test]
async fn revalidate_header_regenerates_on_get_and_head() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let f = fleet(flavor).await;
        let c = client();
        let pod = &f.pods()[1];
        let url = format!("{}/posts/a", pod.url());
        let before = get(&c, &url).await;
        f.cms().set_title("a", "Post A v2 (changed)");
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.cache(), Some("REVALIDATED"));
        assert!(r.text().contains("<title>Post A v2 (changed)</title>"));
        assert_ne!(r.generated_at(), before.generated_at());
        assert!(r.generated_at() > before.generated_at());
        let after = get(&c, &url).await;
        assert_eq!(after.cache(), Some("HIT"));
        assert_eq!(after.body, r.body);
        assert_eq!(after.etag(), r.etag());
        // Other pods are untouched.
        let other = get(&c, &format!("{}/posts/a", f.pods()[0].url())).await;
        assert_eq!(other.body, before.body);

        f.cms().set_title("a", "Post A v3 (head)");
        let head = c
            .head(&url)
            .header("x-prerender-revalidate", f.preview_id())
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(head.headers()["x-nextjs-cache"], "REVALIDATED");
        let head_len: usize = head.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let head_etag = head.headers()["etag"].to_str().unwrap().to_owned();
        assert!(head.bytes().await.unwrap().is_empty());
        let after = get(&c, &url).await;
        assert_eq!(after.cache(), Some("HIT"));
        assert!(after.text().contains("Post A v3 (head)"));
        assert_eq!(after.body.len(), head_len);
        assert_eq!(after.etag(), Some(head_etag.as_str()));
        assert_eq!(
            pod.cached_title("/posts/a").as_deref(),
            Some("Post A v3 (head)")
        );
        f.shutdown().await;
    }
}

#[tokio::test]
async fn wrong_preview_id_is_a_plain_hit() {
    let f = fleet(Flavor::Next13).await;
    let c = client();
    let url = format!("{}/posts/a", f.pods()[2].url());
    let before = get(&c, &url).await;
    f.cms().set_title("a", "changed");
    let r = get_with(
        &c,
        &url,
        &[("x-prerender-revalidate", "0123456789abcdef0123456789abcdef")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.cache(), Some("HIT"));
    assert_eq!(r.body, before.body);
    assert_eq!(f.pods()[2].counters().revalidate_requests, 0);
    f.shutdown().await;
}

#[tokio::test]
async fn if_generated_on_a_never_generated_page() {
    // 13: the 404 page, no x-nextjs-cache, no-cache Cache-Control, an ETag.
    let f = fleet(Flavor::Next13).await;
    let c = client();
    let url = format!("{}/posts/d", f.pods()[0].url());
    let hdrs = [
        ("x-prerender-revalidate", f.preview_id()),
        ("x-prerender-revalidate-if-generated", "1"),
    ];
    let r = get_with(&c, &url, &hdrs).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.cache(), None);
    assert_eq!(
        r.header("cache-control"),
        Some("no-cache, no-store, max-age=0, must-revalidate")
    );
    assert_eq!(r.etag(), Some(crate::generate_etag(&r.text()).as_str()));
    assert!(r.text().contains("This page could not be found"));
    assert_eq!(f.pods()[0].cached_title("/posts/d"), None);
    // A plain GET generates it (MISS); then the same headers regenerate.
    let r = get(&c, &url).await;
    assert_eq!((r.status, r.cache()), (200, Some("MISS")));
    assert!(r.text().contains("Post D (seed, not pre-rendered)"));
    let r = get_with(&c, &url, &hdrs).await;
    assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
    f.shutdown().await;

    // 16: 404 + REVALIDATED, chunked plain text, no ETag or Cache-Control.
    let f = fleet(Flavor::Next16).await;
    let url = format!("{}/posts/d", f.pods()[0].url());
    let hdrs = [
        ("x-prerender-revalidate", f.preview_id()),
        ("x-prerender-revalidate-if-generated", "1"),
    ];
    let r = get_with(&c, &url, &hdrs).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.cache(), Some("REVALIDATED"));
    assert_eq!(r.text(), "This page could not be found");
    assert_eq!(r.etag(), None);
    assert_eq!(r.header("cache-control"), None);
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    // App Router: the not-found page with private Cache-Control.
    let r = get_with(&c, &format!("{}/app-posts/d", f.pods()[0].url()), &hdrs).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.cache(), Some("REVALIDATED"));
    assert_eq!(
        r.header("cache-control"),
        Some("private, no-cache, no-store, max-age=0, must-revalidate")
    );
    assert!(r.etag().is_some());
    // Without if-generated the header generates the page right away.
    let r = get_with(
        &c,
        &format!("{}/posts/e", f.pods()[0].url()),
        &[("x-prerender-revalidate", f.preview_id())],
    )
    .await;
    assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
    let r = get(&c, &format!("{}/posts/e", f.pods()[0].url())).await;
    assert_eq!((r.status, r.cache()), (200, Some("HIT")));
    f.shutdown().await;
}

#[tokio::test]
async fn deleted_content_becomes_a_cached_404() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let f = fleet(flavor).await;
        let c = client();
        f.cms().delete("c");
        let url = format!("{}/posts/c", f.pods()[0].url());
        let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
        assert_eq!(r.status, 404, "{flavor}");
        assert_eq!(r.cache(), Some("REVALIDATED"));
        let cc = match flavor {
            Flavor::Next13 => "s-maxage=31536000, stale-while-revalidate",
            Flavor::Next16 => "s-maxage=31536000",
        };
        assert_eq!(r.header("cache-control"), Some(cc));
        if flavor == Flavor::Next16 {
            assert_eq!(r.header("x-nextjs-prerender"), Some("1"));
            assert_eq!(r.header("x-nextjs-stale-time"), Some("300"));
            assert!(r.header("vary").unwrap().starts_with("rsc, "));
        }
        let tag = r.etag().unwrap().to_owned();
        let again = get(&c, &url).await;
        assert_eq!((again.status, again.cache()), (404, Some("HIT")));
        assert_eq!(again.etag(), Some(tag.as_str()));
        // The data route shares the entry.
        let data = get(
            &c,
            &format!(
                "{}/_next/data/{}/posts/c.json",
                f.pods()[0].url(),
                f.build_id()
            ),
        )
        .await;
        assert_eq!((data.status, data.cache()), (404, Some("HIT")));
        assert_eq!(data.text(), "{\"notFound\":true}");
        // Other pods still serve the old page.
        let other = get(&c, &format!("{}/posts/c", f.pods()[1].url())).await;
        assert_eq!((other.status, other.cache()), (200, Some("HIT")));
        let page = f.pods()[0].cached_page("/posts/c").unwrap();
        assert_eq!((page.status, page.title), (404, None));
        f.shutdown().await;
    }
}

#[tokio::test]
async fn unknown_routes_per_flavor() {
    let c = client();
    let f = fleet(Flavor::Next13).await;
    let url = format!("{}/nope/nothing", f.pods()[0].url());
    let plain = get(&c, &url).await;
    let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
    for r in [&plain, &r] {
        assert_eq!(r.status, 404);
        assert_eq!(r.cache(), None);
        assert_eq!(
            r.header("cache-control"),
            Some("no-cache, no-store, max-age=0, must-revalidate")
        );
    }
    // 13 serves the same 404 page (same ETag) for every 404.
    f.cms().delete("c");
    let gone = get_with(
        &c,
        &format!("{}/posts/c", f.pods()[0].url()),
        &[("x-prerender-revalidate", f.preview_id())],
    )
    .await;
    assert_eq!(gone.etag(), r.etag());
    f.shutdown().await;

    let f = fleet(Flavor::Next16).await;
    let url = format!("{}/nope/nothing", f.pods()[0].url());
    let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.cache(), Some("REVALIDATED"));
    assert_eq!(
        r.header("cache-control"),
        Some("private, no-cache, no-store, max-age=0, must-revalidate")
    );
    assert!(r.text().contains("/nope/nothing"));
    // The pre-rendered not-found page, from the cache (measured on 16.4.6), as for the data URL
    // of an App Router page, which no route serves.
    let plain = get(&c, &url).await;
    assert_eq!((plain.status, plain.cache()), (404, Some("HIT")));
    let data = get(
        &c,
        &format!(
            "{}/_next/data/{}/app-posts/a.json",
            f.pods()[0].url(),
            f.build_id()
        ),
    )
    .await;
    assert_eq!((data.status, data.cache()), (404, Some("HIT")));
    // A slug missing from the CMS is generated as a cached notFound.
    let missing = get(&c, &format!("{}/posts/zzz", f.pods()[0].url())).await;
    assert_eq!((missing.status, missing.cache()), (404, Some("MISS")));
    let redirect = get(&c, &format!("{}/posts/a/", f.pods()[0].url())).await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/posts/a"));
    f.shutdown().await;
}

#[tokio::test]
async fn data_route_shares_the_cache_entry() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let f = fleet(flavor).await;
        let c = client();
        let pod = &f.pods()[2];
        let data_url = format!("{}/_next/data/{}/posts/b.json", pod.url(), f.build_id());
        let r = get(&c, &data_url).await;
        assert_eq!((r.status, r.cache()), (200, Some("HIT")));
        let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
        assert_eq!(json["pageProps"]["title"], "Post B (initial)");
        assert_eq!(json["__N_SSG"], true);
        let ct = match flavor {
            Flavor::Next13 => "application/json",
            Flavor::Next16 => "application/json; charset=utf-8",
        };
        assert_eq!(r.header("content-type"), Some(ct));
        if flavor == Flavor::Next16 {
            assert_eq!(r.header("x-nextjs-matched-path"), Some("/posts/[slug]"));
        }

        f.cms().set_title("b", "Post B v2 (changed)");
        let r = get_with(&c, &data_url, &[("x-prerender-revalidate", f.preview_id())]).await;
        assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
        let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
        let html = get(&c, &format!("{}/posts/b", pod.url())).await;
        assert_eq!(html.cache(), Some("HIT"));
        assert!(html.text().contains("Post B v2 (changed)"));
        assert_eq!(
            html.generated_at().as_deref(),
            json["pageProps"]["generatedAt"].as_str()
        );

        let wrong = get(&c, &format!("{}/_next/data/nope/posts/b.json", pod.url())).await;
        assert_eq!(wrong.status, 404);
        let plain = get(
            &c,
            &format!("{}/_next/data/{}/plain/a.json", pod.url(), f.build_id()),
        )
        .await;
        assert_eq!(plain.status, 200);
        assert!(!plain.text().contains("generatedAt"));
        f.shutdown().await;
    }
}

#[tokio::test]
async fn conditional_get_answers_304() {
    let f = fleet(Flavor::Next16).await;
    let c = client();
    let url = format!("{}/plain/a", f.pods()[0].url());
    let r = get(&c, &url).await;
    let tag = r.etag().unwrap().to_owned();
    let nm = get_with(&c, &url, &[("if-none-match", &tag)]).await;
    assert_eq!(nm.status, 304);
    assert_eq!(nm.cache(), Some("HIT"));
    assert_eq!(nm.etag(), Some(tag.as_str()));
    assert!(nm.body.is_empty());
    let weak = get_with(&c, &url, &[("if-none-match", &format!("W/{tag}"))]).await;
    assert_eq!(weak.status, 304);
    let stale = get_with(&c, &url, &[("if-none-match", "\"nope\"")]).await;
    assert_eq!(stale.status, 200);
    f.shutdown().await;
}

#[tokio::test]
async fn gzip_keeps_the_etag() {
    let f = fleet(Flavor::Next13).await;
    let c = client();
    let pod = &f.pods()[0];
    let url = format!("{}/plain/a", pod.url());
    let identity = get(&c, &url).await;
    // Off by default: same bytes even when gzip is accepted.
    let off = get_with(&c, &url, &[("accept-encoding", "gzip")]).await;
    assert_eq!(off.header("content-encoding"), None);
    pod.set_compress(true);
    let gz = get_with(&c, &url, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.etag(), identity.etag());
    assert_eq!(gz.header("vary"), Some("Accept-Encoding"));
    assert!(gz.body.len() < identity.body.len());
    let mut decoded = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&gz.body[..]),
        &mut decoded,
    )
    .unwrap();
    assert_eq!(decoded, identity.body);
    // Small bodies (API JSON) stay uncompressed, like Node's 1 kB threshold.
    let api = get_with(
        &c,
        &format!("{}/api/pod", pod.url()),
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(api.header("content-encoding"), None);
    f.shutdown().await;
}

#[tokio::test]
async fn non_ascii_pages_use_utf16_lengths_in_the_etag() {
    let f = fleet(Flavor::Next13).await;
    let c = client();
    f.cms().set_title("a", "Pöst Ä ünïcödé ✓ 😀");
    let url = format!("{}/plain/a", f.pods()[0].url());
    let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
    let text = r.text();
    assert!(text.contains("<title>Pöst Ä ünïcödé ✓ 😀</title>"));
    let units = text.encode_utf16().count();
    assert_eq!(
        r.body.len() - units,
        30,
        "three copies of the title, 10 extra bytes each"
    );
    let tag = r.etag().unwrap();
    assert!(tag.ends_with(&format!("{}\"", crate::etag::to_base36(units as u64))));
    f.shutdown().await;
}

#[tokio::test]
async fn api_revalidate_with_right_and_wrong_secret() {
    for flavor in [Flavor::Next13, Flavor::Next16] {
        let f = fleet(flavor).await;
        let c = client();
        let pod = &f.pods()[0];
        f.cms().set_title("a", "Post A v2 (changed)");
        let api = |q: &str| format!("{}/api/revalidate?{q}", pod.url());
        let r = get_with(
            &c,
            &api("path=/posts/a"),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-pod"), Some("pod-1"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(r.etag(), Some(crate::generate_etag(&r.text()).as_str()));
        let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
        assert_eq!(json["revalidated"], true);
        assert_eq!(json["path"], "/posts/a");
        assert_eq!(json["pod"], "pod-1");
        assert!(json["durationMs"].is_number());
        assert!(json["now"].as_str().unwrap().ends_with('Z'));
        assert_eq!(
            pod.cached_title("/posts/a").as_deref(),
            Some("Post A v2 (changed)")
        );
        assert_eq!(
            f.pods()[1].cached_title("/posts/a").as_deref(),
            Some("Post A (initial)")
        );

        let r = get_with(
            &c,
            &api("path=/posts/a"),
            &[("x-revalidate-secret", "wrong")],
        )
        .await;
        assert_eq!(r.status, 401);
        assert_eq!(r.text(), "{\"message\":\"Invalid token\"}");
        let r = get(&c, &api("path=/posts/a")).await;
        assert_eq!(r.status, 401);

        // onlyGenerated on a never-generated page succeeds without generating.
        let r = get_with(
            &c,
            &api("path=/posts/e&onlyGenerated=1"),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(pod.cached_title("/posts/e"), None);

        let r = get_with(
            &c,
            &api("path=/nope/nothing"),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        let json: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
        match flavor {
            Flavor::Next13 => {
                assert_eq!(r.status, 500);
                assert_eq!(json["revalidated"], false);
                assert_eq!(
                    json["error"],
                    "Failed to revalidate /nope/nothing: Invalid response 404"
                );
                let r = get_with(
                    &c,
                    &api("path=/api/pod"),
                    &[("x-revalidate-secret", f.secret())],
                )
                .await;
                assert_eq!(r.status, 500);
                assert!(r.text().contains("Invalid response 200"));
            }
            Flavor::Next16 => {
                assert_eq!(r.status, 200);
                assert_eq!(json["revalidated"], true);
            }
        }
        assert_eq!(
            pod.counters().api_calls,
            5 + u64::from(flavor == Flavor::Next13)
        );
        f.shutdown().await;
    }
}

#[tokio::test]
async fn app_router_pages_on_16() {
    let f = fleet(Flavor::Next16).await;
    let c = client();
    let pod = &f.pods()[0];
    let url = format!("{}/app-posts/a", pod.url());
    let r = get(&c, &url).await;
    assert_eq!((r.status, r.cache()), (200, Some("HIT")));
    assert_eq!(r.headers.get_all("x-nextjs-prerender").iter().count(), 2);
    assert_eq!(r.header("x-nextjs-stale-time"), Some("300"));
    assert_eq!(
        r.header("vary"),
        Some(
            "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding"
        )
    );
    assert!(r.text().contains(f.build_id()));
    f.cms().set_title("a", "Post A v7 (app router)");
    let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
    assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
    assert_eq!(r.headers.get_all("x-nextjs-prerender").iter().count(), 1);
    assert!(r.text().contains("Post A v7 (app router)"));
    // revalidatePath marks stale: the next request regenerates (MISS).
    f.cms().set_title("a", "Post A v8");
    let r = get_with(
        &c,
        &format!("{}/api/revalidate-app?path=/app-posts/a", pod.url()),
        &[("x-revalidate-secret", f.secret())],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    let r = get(&c, &url).await;
    assert_eq!((r.status, r.cache()), (200, Some("MISS")));
    assert!(r.text().contains("Post A v8"));
    f.shutdown().await;
}

/// 13.5's App Router as measured on 13.5.11: its own `Vary`, the 13 ISR `Cache-Control`, the
/// build id inside the flight data, 404s of deleted content cached like pages, and a streamed
/// not-found page for a never-generated page under `if-generated`.
#[tokio::test]
async fn app_router_pages_on_13() {
    let f = fleet(Flavor::Next13).await;
    let c = client();
    let pod = &f.pods()[0];
    let url = format!("{}/app-posts/a", pod.url());
    let vary = "RSC, Next-Router-State-Tree, Next-Router-Prefetch, Next-Url, Accept-Encoding";
    let r = get(&c, &url).await;
    assert_eq!((r.status, r.cache()), (200, Some("HIT")));
    assert_eq!(r.header("vary"), Some(vary));
    assert_eq!(
        r.header("cache-control"),
        Some("s-maxage=31536000, stale-while-revalidate")
    );
    assert!(r.header("content-length").is_some() && r.etag().is_some());
    assert!(
        r.text()
            .contains(&format!("\\\"buildId\\\":\\\"{}\\\"", f.build_id())),
        "{}",
        r.text()
    );
    f.cms().set_title("a", "Post A v2 (app router, 13)");
    let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
    assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
    assert!(r.text().contains("Post A v2 (app router, 13)"));
    let r = get_with(
        &c,
        &format!("{}/app-posts/e", pod.url()),
        &[
            ("x-prerender-revalidate", f.preview_id()),
            ("x-prerender-revalidate-if-generated", "1"),
        ],
    )
    .await;
    assert_eq!((r.status, r.cache()), (404, None));
    assert_eq!(r.header("vary"), Some(vary));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    f.cms().delete("b");
    let b = format!("{}/app-posts/b", pod.url());
    let r = get_with(&c, &b, &[("x-prerender-revalidate", f.preview_id())]).await;
    assert_eq!((r.status, r.cache()), (404, Some("REVALIDATED")));
    let r = get(&c, &b).await;
    assert_eq!((r.status, r.cache()), (404, Some("HIT")));
    assert_eq!(
        r.header("cache-control"),
        Some("s-maxage=31536000, stale-while-revalidate")
    );
    f.shutdown().await;
}

#[tokio::test]
async fn lie_and_ignore_revalidate() {
    let f = fleet(Flavor::Next13).await;
    let c = client();
    let (liar, deaf) = (&f.pods()[0], &f.pods()[1]);
    liar.set_fault(Fault::Lie).await;
    deaf.set_fault(Fault::IgnoreRevalidate).await;
    f.cms().set_title("a", "new title");
    let hdr = [("x-prerender-revalidate", f.preview_id())];
    let r = get_with(&c, &format!("{}/posts/a", liar.url()), &hdr).await;
    assert_eq!((r.status, r.cache()), (200, Some("REVALIDATED")));
    assert!(r.text().contains("Post A (initial)"));
    let r = get_with(
        &c,
        &format!("{}/api/revalidate?path=/posts/a", liar.url()),
        &[("x-revalidate-secret", f.secret())],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("\"revalidated\":true"));
    assert_eq!(
        liar.cached_title("/posts/a").as_deref(),
        Some("Post A (initial)")
    );
    assert_eq!(liar.counters().regenerations, 0);
    assert_eq!(liar.counters().faulted, 2);

    let r = get_with(&c, &format!("{}/posts/a", deaf.url()), &hdr).await;
    assert_eq!((r.status, r.cache()), (200, Some("HIT")));
    let r = get_with(
        &c,
        &format!("{}/api/revalidate?path=/posts/a", deaf.url()),
        &[("x-revalidate-secret", f.secret())],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("\"revalidated\":false"));
    assert_eq!(
        deaf.cached_title("/posts/a").as_deref(),
        Some("Post A (initial)")
    );
    assert_eq!(deaf.counters().revalidate_requests, 0);

    liar.clear_faults().await;
    let r = get_with(&c, &format!("{}/posts/a", liar.url()), &hdr).await;
    assert!(r.text().contains("new title"));
    f.shutdown().await;
}

#[tokio::test]
async fn latency_and_padding_options() {
    let f = fleet_with(FleetOptions {
        pods: 1,
        flavor: Flavor::Next13,
        latency: Duration::from_millis(40),
        regen_latency: Duration::from_millis(60),
        page_bytes: 50_000,
        ..FleetOptions::default()
    })
    .await;
    let c = client();
    let url = format!("{}/plain/a", f.pods()[0].url());
    let started = Instant::now();
    let r = get(&c, &url).await;
    assert!(started.elapsed() >= Duration::from_millis(40));
    assert!(
        r.body.len() >= 50_000 && r.body.len() < 50_100,
        "{}",
        r.body.len()
    );
    assert_eq!(r.etag(), Some(crate::generate_etag(&r.text()).as_str()));
    let started = Instant::now();
    let r = get_with(&c, &url, &[("x-prerender-revalidate", f.preview_id())]).await;
    assert_eq!(r.cache(), Some("REVALIDATED"));
    assert!(started.elapsed() >= Duration::from_millis(100));
    f.shutdown().await;
}

#[tokio::test]
async fn percent_encoded_paths_are_decoded() {
    let f = fleet(Flavor::Next16).await;
    let c = client();
    f.cms().set_post("café", "Café post", "Crème brûlée");
    let r = get(&c, &format!("{}/posts/caf%C3%A9", f.pods()[0].url())).await;
    assert_eq!((r.status, r.cache()), (200, Some("MISS")));
    assert!(r.text().contains("Café post"));
    assert_eq!(
        f.pods()[0].cached_title("/posts/café").as_deref(),
        Some("Café post")
    );
    assert_eq!(f.pods()[0].counters().by_path.get("/posts/café"), Some(&1));
    f.shutdown().await;
}

#[test]
fn the_prefetch_rsc_query_is_next_s_sha_256() {
    use base64::Engine;
    let rustls::SupportedCipherSuite::Tls13(suite) =
        rustls::crypto::aws_lc_rs::cipher_suite::TLS13_AES_128_GCM_SHA256
    else {
        unreachable!()
    };
    let digest = suite.common.hash_provider.hash(b"1,0,0,0");
    assert_eq!(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]),
        PREFETCH_RSC_QUERY
    );
}

#[tokio::test]
async fn rsc_requests_get_the_payload_and_16_redirects_to_its_rsc_query() {
    const RSC: (&str, &str) = ("rsc", "1");
    const PREFETCH: (&str, &str) = ("next-router-prefetch", "1");
    let c = client();
    // 16: `_rsc` must match the router headers (measured on 16.5.0).
    let f = fleet(Flavor::Next16).await;
    let pod = f.pods()[0].url();
    let r = get_with(&c, &format!("{pod}/app-posts/a"), &[RSC]).await;
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("/app-posts/a?_rsc"));
    let r = get_with(&c, &format!("{pod}/app-posts/a?_rsc=abcde"), &[RSC]).await;
    assert_eq!(r.header("location"), Some("/app-posts/a?_rsc"));
    let r = get_with(&c, &format!("{pod}/app-posts/a"), &[RSC, PREFETCH]).await;
    assert_eq!(
        r.header("location"),
        Some("/app-posts/a?_rsc=HEAvJdHAQJrUAe2K")
    );
    let rsc = get_with(&c, &format!("{pod}/app-posts/a?_rsc"), &[RSC]).await;
    assert_eq!(rsc.status, 200);
    assert_eq!(rsc.header("content-type"), Some("text/x-component"));
    assert_eq!(rsc.header("vary"), Some(VARY_RSC));
    assert_eq!(rsc.cache(), Some("HIT"));
    assert_eq!(rsc.etag(), None);
    assert!(rsc.text().starts_with("0:{\"b\":"), "{}", rsc.text());
    assert!(rsc.text().contains("Post A (initial)"));
    let pre = get_with(
        &c,
        &format!("{pod}/app-posts/a?_rsc=HEAvJdHAQJrUAe2K"),
        &[RSC, PREFETCH],
    )
    .await;
    assert_eq!((pre.status, &pre.body), (200, &rsc.body));
    // A Pages Router page answers its HTML behind the router's Vary.
    let r = get_with(&c, &format!("{pod}/posts/a?_rsc"), &[RSC]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(HTML));
    assert_eq!(r.header("vary"), Some(VARY_RSC));
    f.shutdown().await;
    // 13.5 reads no `_rsc`.
    let f = fleet(Flavor::Next13).await;
    let pod = f.pods()[0].url();
    let r = get_with(&c, &format!("{pod}/app-posts/a"), &[RSC]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/x-component"));
    assert_eq!(r.header("vary"), Some(VARY_RSC_13));
    assert!(r.etag().is_some());
    f.shutdown().await;
}

#[tokio::test]
async fn a_regeneration_through_an_rsc_request_names_its_query_in_the_page() {
    let c = client();
    for (flavor, marker) in [
        (Flavor::Next16, r#"\"app-posts\",\"a?_rsc=\""#),
        (
            Flavor::Next13,
            r#"initialCanonicalUrl\":\"/app-posts/a?_rsc\""#,
        ),
    ] {
        let f = fleet(flavor).await;
        let pod = &f.pods()[0];
        let id = pod.preview_id();
        let r = get_with(
            &c,
            &format!("{}/app-posts/a?_rsc", pod.url()),
            &[("rsc", "1"), ("x-prerender-revalidate", &id)],
        )
        .await;
        assert_eq!(
            (r.status, r.cache()),
            (200, Some("REVALIDATED")),
            "{flavor}"
        );
        let page = get(&c, &format!("{}/app-posts/a", pod.url())).await;
        assert!(page.text().contains(marker), "{flavor}: {}", page.text());
        // A regeneration through the page itself names the page alone.
        get_with(
            &c,
            &format!("{}/app-posts/a", pod.url()),
            &[("x-prerender-revalidate", &id)],
        )
        .await;
        let page = get(&c, &format!("{}/app-posts/a", pod.url())).await;
        assert!(!page.text().contains("_rsc"), "{flavor}");
        f.shutdown().await;
    }
}
