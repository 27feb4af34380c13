//! Tests of the Cloudflare purge fake with reqwest, reading every answer
//! into the v4 envelope's types.

use serde::Deserialize;

use super::*;
use crate::testkit::{client, fleet, get};
use crate::{Edge, EdgeOptions, Flavor};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    success: bool,
    errors: Vec<ApiError>,
    messages: Vec<Value>,
    result: Option<PurgeResult>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiError {
    code: u32,
    message: String,
    #[serde(default)]
    error_chain: Vec<ApiError>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeResult {
    id: String,
}

struct Answer {
    status: u16,
    retry_after: Option<String>,
    envelope: Option<Envelope>,
    text: String,
}

async fn purge_as(api: &CloudflareApi, zone: &str, auth: Option<&str>, body: &str) -> Answer {
    let mut req = client()
        .post(format!("{}/zones/{zone}/purge_cache", api.url()))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = resp.text().await.unwrap();
    Answer {
        status,
        retry_after,
        envelope: serde_json::from_str(&text).ok(),
        text,
    }
}

async fn purge(api: &CloudflareApi, body: &Value) -> Answer {
    let bearer = format!("Bearer {}", api.api_token());
    purge_as(api, api.zone_id(), Some(&bearer), &body.to_string()).await
}

/// The one error of a refusal, as (status, code).
fn refusal(answer: &Answer) -> (u16, u32) {
    let envelope = answer
        .envelope
        .as_ref()
        .unwrap_or_else(|| panic!("not an envelope: {}", answer.text));
    assert!(!envelope.success);
    assert!(envelope.result.is_none() && envelope.messages.is_empty());
    assert_eq!(envelope.errors.len(), 1, "{:?}", envelope.errors);
    assert!(!envelope.errors[0].message.is_empty());
    (answer.status, envelope.errors[0].code)
}

fn urls(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://www.example.com/posts/p{i}"))
        .collect()
}

#[tokio::test]
async fn purges_by_url_and_answers_in_the_v4_envelope() {
    let api = CloudflareApi::start(CloudflareOptions::default())
        .await
        .unwrap();
    let answer = purge(
        &api,
        &json!({"files": [
            "https://www.example.com/posts/a",
            {"url": "https://www.example.com/posts/b", "headers": {"CF-IPCountry": "US"}}
        ]}),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let envelope = answer.envelope.unwrap();
    assert!(envelope.success && envelope.errors.is_empty() && envelope.messages.is_empty());
    assert_eq!(envelope.result.unwrap().id, api.zone_id());
    assert_eq!(
        api.purged_files(),
        [
            "https://www.example.com/posts/a",
            "https://www.example.com/posts/b"
        ]
    );
    let everything = purge(&api, &json!({"purge_everything": true})).await;
    assert_eq!(everything.status, 200);
    let purges = api.purges();
    assert_eq!(purges.len(), 2);
    assert!(purges[1].everything && purges[1].files.is_empty());
    assert_eq!(purges[0].zone_id, api.zone_id());
    let log: Vec<(String, u16)> = api
        .requests()
        .into_iter()
        .map(|r| (r.method, r.status))
        .collect();
    assert_eq!(log, [("POST".to_owned(), 200), ("POST".to_owned(), 200)]);
}

#[tokio::test]
async fn at_most_thirty_urls_per_request_unless_configured() {
    let api = CloudflareApi::start(CloudflareOptions::default())
        .await
        .unwrap();
    assert_eq!(purge(&api, &json!({"files": urls(30)})).await.status, 200);
    let over = purge(&api, &json!({"files": urls(31)})).await;
    assert_eq!(refusal(&over), (400, CloudflareApi::TOO_MANY_FILES));
    assert!(over.text.contains("up to 30 files"), "{}", over.text);
    assert_eq!(
        api.purged_files().len(),
        30,
        "a refused request purges nothing"
    );
    let prefixes: Vec<String> = (0..101).map(|i| format!("www.example.com/p{i}")).collect();
    assert_eq!(
        refusal(&purge(&api, &json!({"prefixes": prefixes})).await).0,
        400
    );

    let enterprise = CloudflareApi::start(CloudflareOptions {
        max_files_per_request: 500,
        ..CloudflareOptions::default()
    })
    .await
    .unwrap();
    assert_eq!(
        purge(&enterprise, &json!({"files": urls(500)}))
            .await
            .status,
        200
    );
    assert_eq!(
        refusal(&purge(&enterprise, &json!({"files": urls(501)})).await).0,
        400
    );
}

#[tokio::test]
async fn credentials_and_zones_are_checked_before_anything_is_purged() {
    let api = CloudflareApi::start(CloudflareOptions::default())
        .await
        .unwrap();
    let body = json!({"files": urls(1)}).to_string();
    let zone = api.zone_id().to_owned();
    let bearer = format!("Bearer {}", api.api_token());

    assert_eq!(
        refusal(&purge_as(&api, &zone, None, &body).await),
        (400, 9106)
    );
    let basic = purge_as(&api, &zone, Some("Basic dXNlcjpwYXNz"), &body).await;
    assert_eq!(refusal(&basic), (400, 6003));
    let chain = &basic.envelope.unwrap().errors[0].error_chain;
    assert_eq!(chain.iter().map(|e| e.code).collect::<Vec<_>>(), [6111]);
    let wrong = purge_as(&api, &zone, Some("Bearer not-the-token"), &body).await;
    assert_eq!(refusal(&wrong), (403, 9109));
    let other_zone = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        refusal(&purge_as(&api, other_zone, Some(&bearer), &body).await),
        (403, 10000)
    );
    assert_eq!(
        refusal(&purge_as(&api, "example.com", Some(&bearer), &body).await),
        (400, 7003)
    );
    assert!(api.purges().is_empty());

    let get = client()
        .get(format!("{}/zones/{zone}/purge_cache", api.url()))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    let unknown = client()
        .get(format!("{}/zones", api.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let codes: Vec<Vec<u32>> = api.requests().into_iter().map(|r| r.error_codes).collect();
    assert_eq!(
        codes,
        [
            vec![9106],
            vec![6003],
            vec![9109],
            vec![10000],
            vec![7003],
            vec![7001],
            vec![7000]
        ]
    );
}

#[tokio::test]
async fn malformed_bodies_are_refused() {
    let api = CloudflareApi::start(CloudflareOptions::default())
        .await
        .unwrap();
    let bearer = format!("Bearer {}", api.api_token());
    let zone = api.zone_id().to_owned();
    assert_eq!(
        refusal(&purge_as(&api, &zone, Some(&bearer), "{not json").await),
        (400, 6007)
    );
    assert_eq!(
        refusal(&purge(&api, &json!({"files": "https://www.example.com/a"})).await),
        (400, 1014)
    );
    assert_eq!(
        refusal(&purge(&api, &json!({"files": [1, 2]})).await),
        (400, 1014)
    );
    assert_eq!(refusal(&purge(&api, &json!({})).await), (400, 1012));
    assert_eq!(
        refusal(&purge(&api, &json!({"purge_everything": false, "files": []})).await),
        (400, 1012)
    );
    assert!(api.purges().is_empty());
}

#[tokio::test]
async fn injected_rate_limits_and_server_errors_purge_nothing() {
    let api = CloudflareApi::start(CloudflareOptions::default())
        .await
        .unwrap();
    api.inject_rate_limit(2, Duration::from_secs(7));
    api.inject_status(503, 1);
    let body = json!({"files": urls(2)});
    for _ in 0..2 {
        let limited = purge(&api, &body).await;
        assert_eq!(refusal(&limited), (429, 1134));
        assert_eq!(limited.retry_after.as_deref(), Some("7"));
    }
    let unavailable = purge(&api, &body).await;
    assert_eq!(unavailable.status, 503);
    assert!(unavailable.envelope.is_none() && unavailable.text.contains("cloudflare"));
    assert!(api.purges().is_empty());
    assert_eq!(purge(&api, &body).await.status, 200);
    let log: Vec<(u16, bool)> = api
        .requests()
        .into_iter()
        .map(|r| (r.status, r.injected))
        .collect();
    assert_eq!(log, [(429, true), (429, true), (503, true), (200, false)]);
    assert_eq!(api.purged_files().len(), 2);
}

#[test]
fn urls_and_prefixes_map_to_edge_keys() {
    assert_eq!(
        path_of("https://www.example.com/posts/a?x=1#top"),
        "/posts/a?x=1"
    );
    assert_eq!(path_of("http://www.example.com"), "/");
    assert_eq!(path_of("https://www.example.com?x=1"), "/?x=1");
    assert_eq!(path_of("www.example.com/posts/"), "/posts/");
}

#[tokio::test]
async fn an_accepted_purge_reaches_the_edge() {
    let f = fleet(Flavor::Next13).await;
    let lb = f.start_balancer().await.unwrap();
    let edge = Edge::start(lb.addr(), EdgeOptions::default())
        .await
        .unwrap();
    let api = CloudflareApi::start(CloudflareOptions {
        edge: Some(edge.cache().clone()),
        ..CloudflareOptions::default()
    })
    .await
    .unwrap();
    let c = client();
    for path in ["/posts/a", "/posts/b", "/plain/a", "/plain/b"] {
        get(&c, &format!("{}{path}", edge.url())).await;
    }
    let keys = || -> Vec<String> { edge.cache().objects().into_iter().map(|o| o.key).collect() };
    api.inject_rate_limit(1, Duration::from_secs(1));
    purge(&api, &json!({"files": ["https://www.example.com/posts/a"]})).await;
    assert_eq!(keys().len(), 4, "a refused purge must not reach the edge");
    purge(&api, &json!({"files": ["https://www.example.com/posts/a"]})).await;
    assert_eq!(keys(), ["/plain/a", "/plain/b", "/posts/b"]);
    purge(&api, &json!({"prefixes": ["www.example.com/plain/"]})).await;
    assert_eq!(keys(), ["/posts/b"]);
    purge(&api, &json!({"purge_everything": true})).await;
    assert!(keys().is_empty());
    f.shutdown().await;
}

#[tokio::test]
async fn a_token_verifies_and_reads_its_zone_only() {
    let api = CloudflareApi::start(CloudflareOptions::default())
        .await
        .unwrap();
    let bearer = format!("Bearer {}", api.api_token());
    let base = api.url();
    let get = |path: String, auth: String| {
        let url = format!("{base}{path}");
        async move {
            let r = client()
                .get(url)
                .header("authorization", auth)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            (status, body)
        }
    };
    let (status, body) = get("/user/tokens/verify".into(), bearer.clone()).await;
    assert_eq!(
        (status, body["result"]["status"].as_str()),
        (200, Some("active"))
    );
    let (status, _) = get("/user/tokens/verify".into(), "Bearer nope1234".into()).await;
    assert_eq!(status, 403);
    let (status, body) = get(format!("/zones/{}", api.zone_id()), bearer.clone()).await;
    assert_eq!((status, body["success"].as_bool()), (200, Some(true)));
    let other = "0123456789abcdef0123456789abcdef";
    let (status, body) = get(format!("/zones/{other}"), bearer).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_u64()),
        (403, Some(10000))
    );
}
