//! CMS webhooks through the real `revalidate serve`: a recorded Strapi payload mapped by
//! `[[serve.routes]]` runs the pipeline on the path it names; a payload no route matches is
//! ignored without touching a pod; bodies signed like GitHub's and Sanity's webhooks are let in
//! by their signature, a tampered one is not, and a signed request's query is not read for paths
//! (the signature does not cover it).

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{SECRET, Serve, call};
use crate::common::TestFleet;

const ROUTES: &str = r#"
[[serve.routes]]
name = "strapi-post"
when = { event = ["entry.publish", "entry.update"], model = "article" }
paths = ["/posts/{entry.slug}"]

[[serve.routes]]
name = "sanity-post"
when = { _type = "post", "header:sanity-operation" = ["create", "update"] }
paths = ["/posts/{slug.current}"]
"#;

fn serve_with_routes(tf: &TestFleet) -> Serve {
    let config = tf.write("revalidate.toml", ROUTES);
    let config = config.display().to_string();
    Serve::start(tf, &["--config", &config])
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn hmac_sha256(body: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn requests(tf: &TestFleet) -> u64 {
    tf.pods().iter().map(|p| p.counters().requests).sum()
}

#[test]
fn a_recorded_strapi_publish_is_mapped_by_its_route_and_proven_fresh() {
    let tf = TestFleet::three();
    let s = serve_with_routes(&tf);
    let mut payload: Value =
        serde_json::from_str(&fixture("strapi-v4-entry-publish.json")).unwrap();
    payload["entry"]["slug"] = "a".into();
    tf.fleet().cms().set_title("a", "Post A v2");
    let a = call(
        &tf,
        Method::POST,
        &s.url("/revalidate?wait=true"),
        &[("authorization", &format!("Bearer {SECRET}"))],
        Some(payload.to_string()),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["paths"], serde_json::json!(["/posts/a"]));
    assert_eq!(a.json["source"], "route:strapi-post");
    assert_eq!(a.json["outcome"], "fresh");

    // An author created: no route for it, answered 200 "ignored", nothing sent to any pod.
    let before = requests(&tf);
    let b = call(
        &tf,
        Method::POST,
        &s.url("/revalidate"),
        &[("x-revalidate-secret", SECRET)],
        Some(fixture("strapi-v4-entry-create-author.json")),
    );
    assert_eq!(b.status, StatusCode::OK, "{}", b.text);
    assert_eq!(b.json["status"], "ignored");
    assert_eq!(requests(&tf), before);

    // An unknown route named: 400 naming the known ones.
    let c = call(
        &tf,
        Method::POST,
        &s.url("/revalidate?route=nope"),
        &[("x-revalidate-secret", SECRET)],
        Some(payload.to_string()),
    );
    assert_eq!(c.status, StatusCode::BAD_REQUEST, "{}", c.text);
    assert!(c.text.contains("strapi-post"), "{}", c.text);
}

#[test]
fn a_body_signed_like_githubs_webhooks_is_let_in_and_its_unsigned_query_is_not_read() {
    let tf = TestFleet::three();
    let s = Serve::start(&tf, &[]);
    let body = r#"{"paths": ["/posts/a"]}"#;
    let signature = format!("sha256={}", hex::encode(hmac_sha256(body.as_bytes())));
    let a = call(
        &tf,
        Method::POST,
        &s.url("/revalidate?wait=true&path=/posts/b"),
        &[("x-hub-signature-256", &signature)],
        Some(body.into()),
    );
    assert_ne!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
    assert_eq!(
        a.json["paths"],
        serde_json::json!(["/posts/a"]),
        "{}",
        a.text
    );

    let before = requests(&tf);
    let tampered = call(
        &tf,
        Method::POST,
        &s.url("/revalidate"),
        &[("x-hub-signature-256", &signature)],
        Some(r#"{"paths": ["/posts/c"]}"#.into()),
    );
    assert_eq!(tampered.status, StatusCode::UNAUTHORIZED);
    assert_eq!(requests(&tf), before);
}

#[test]
fn a_sanity_webhook_signed_now_is_mapped_and_run_and_a_replayed_one_is_refused() {
    let tf = TestFleet::three();
    let s = serve_with_routes(&tf);
    let body = r#"{"_id":"post-1","_type":"post","slug":{"current":"a"}}"#;
    let sign = |t: u128| {
        let mac = hmac_sha256(format!("{t}.{body}").as_bytes());
        format!(
            "t={t},v1={}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
        )
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    tf.fleet().cms().set_title("a", "Post A v2");
    let a = call(
        &tf,
        Method::POST,
        &s.url("/revalidate?wait=true"),
        &[
            ("sanity-webhook-signature", &sign(now)),
            ("sanity-operation", "update"),
        ],
        Some(body.into()),
    );
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["source"], "route:sanity-post");
    let old = call(
        &tf,
        Method::POST,
        &s.url("/revalidate"),
        &[
            ("sanity-webhook-signature", &sign(now - 3_600_000)),
            ("sanity-operation", "update"),
        ],
        Some(body.into()),
    );
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "{}", old.text);
    assert!(!s.proc.stderr().contains(SECRET));
}
