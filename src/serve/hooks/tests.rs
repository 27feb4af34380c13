use super::*;

use std::path::{Path, PathBuf};

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::config::Layer;
use crate::exit::Code;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhooks")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

/// A recorded request's headers: `Name: value` lines, `#` comments.
fn fixture_headers(name: &str) -> HeaderMap {
    let text = String::from_utf8(fixture(name)).unwrap();
    let mut h = HeaderMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (k, v) = line.split_once(':').unwrap();
        h.append(
            HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(v.trim()).unwrap(),
        );
    }
    h
}

/// The example routes, read as serve reads them: through the config file.
fn example_routes() -> Routes {
    let c = Config::load(
        Some(&fixtures().join("routes.toml")),
        None,
        Layer::default(),
        &|_| None,
    )
    .unwrap();
    Routes::from_config(&c).unwrap()
}

fn routes(toml_text: &str) -> Result<Routes, String> {
    let t: toml::Table = toml::from_str(toml_text).unwrap();
    let tables: Vec<toml::Table> = t["serve"]["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_table().unwrap().clone())
        .collect();
    Routes::from_tables(&tables, "test.toml")
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn paths(m: &Mapped) -> (Vec<&str>, Vec<&str>) {
    match m {
        Mapped::Paths { paths, routes } => (
            paths.iter().map(UrlPath::as_str).collect(),
            routes.iter().map(String::as_str).collect(),
        ),
        Mapped::Ignored { reason } => panic!("ignored: {reason}"),
    }
}

fn ignored(m: &Mapped) -> &str {
    match m {
        Mapped::Ignored { reason } => reason,
        other => panic!("not ignored: {other:?}"),
    }
}

fn json_with(name: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&fixture(name)).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn the_example_routes_load_from_their_config_file() {
    assert_eq!(
        example_routes().names(),
        [
            "strapi-article",
            "strapi-article-category",
            "contentful-post",
            "sanity-post",
            "home"
        ]
    );
}

#[test]
fn strapi_v4_and_v5_entry_publish_map_to_the_article_the_list_and_the_category() {
    let r = example_routes();
    let m = r
        .map(
            &HeaderMap::new(),
            &[],
            &fixture("strapi-v4-entry-publish.json"),
        )
        .unwrap();
    assert_eq!(
        paths(&m),
        (
            vec![
                "/blog/why-every-pod-must-be-fresh",
                "/blog",
                "/blog/category/engineering"
            ],
            vec!["strapi-article", "strapi-article-category"]
        )
    );
    let m = r
        .map(
            &HeaderMap::new(),
            &[],
            &fixture("strapi-v5-entry-publish.json"),
        )
        .unwrap();
    assert_eq!(
        paths(&m).0,
        [
            "/blog/cache-tags-in-strapi-5",
            "/blog",
            "/blog/category/guides"
        ]
    );
}

#[test]
fn strapi_unpublish_without_its_relations_maps_through_the_route_that_needs_none() {
    let body = json_with("strapi-v5-entry-publish.json", |v| {
        v["event"] = "entry.unpublish".into();
        v["entry"].as_object_mut().unwrap().remove("category");
        v["entry"]["publishedAt"] = Value::Null;
    });
    let m = example_routes().map(&HeaderMap::new(), &[], &body).unwrap();
    assert_eq!(
        paths(&m),
        (
            vec!["/blog/cache-tags-in-strapi-5", "/blog"],
            vec!["strapi-article"]
        )
    );
}

#[test]
fn a_payload_no_route_matches_is_ignored_with_each_route_s_reason() {
    let m = example_routes()
        .map(
            &HeaderMap::new(),
            &[],
            &fixture("strapi-v4-entry-create-author.json"),
        )
        .unwrap();
    let reason = ignored(&m);
    assert!(reason.starts_with("no route matches ("), "{reason}");
    assert!(
        reason
            .contains("strapi-article: event is \"entry.create\", not one of the route's 3 values"),
        "{reason}"
    );
    assert!(
        reason.contains("contentful-post: header x-contentful-topic is missing"),
        "{reason}"
    );
    assert!(reason.contains("sanity-post: _type is missing"), "{reason}");
    // The route without conditions is not among them: it is taken only by name.
    assert!(!reason.contains("home"), "{reason}");
}

#[test]
fn contentful_entry_publish_maps_by_its_topic_header_and_json_pointers() {
    let r = example_routes();
    let body = fixture("contentful-entry-publish.json");
    let h = fixture_headers("contentful-entry-publish.headers");
    let m = r.map(&h, &[], &body).unwrap();
    assert_eq!(
        paths(&m),
        (
            vec!["/blog/hello-world", "/de/blog/hallo-welt", "/blog"],
            vec!["contentful-post"]
        )
    );
    // The same body with another topic (an unpublish) matches nothing.
    let mut h = h;
    h.insert(
        "x-contentful-topic",
        HeaderValue::from_static("ContentManagement.Entry.unpublish"),
    );
    let reason = ignored(&r.map(&h, &[], &body).unwrap()).to_string();
    assert!(
        reason.contains("contentful-post: header x-contentful-topic is not the route's value"),
        "{reason}"
    );
    assert!(
        !reason.contains("unpublish"),
        "header values are not quoted: {reason}"
    );
}

#[test]
fn sanity_groq_projection_maps_by_type_and_operation_header() {
    let r = example_routes();
    let body = fixture("sanity-post-update.json");
    let h = fixture_headers("sanity-post-update.headers");
    let m = r.map(&h, &[], &body).unwrap();
    assert_eq!(
        paths(&m),
        (vec!["/posts/hello-groq", "/posts"], vec!["sanity-post"])
    );
    let body = json_with("sanity-post-update.json", |v| v["_type"] = "author".into());
    let reason = ignored(&r.map(&h, &[], &body).unwrap()).to_string();
    assert!(
        reason.contains("sanity-post: _type is \"author\", not the route's value"),
        "{reason}"
    );
}

#[test]
fn generic_bodies_and_query_paths_are_taken_as_they_are() {
    let r = example_routes();
    let m = r
        .map(&HeaderMap::new(), &[], &fixture("generic-paths.json"))
        .unwrap();
    assert_eq!(
        paths(&m),
        (
            vec![
                "/blog",
                "/blog/why-every-pod-must-be-fresh",
                "/search?q=caf%C3%A9"
            ],
            vec![]
        )
    );
    let m = r
        .map(&HeaderMap::new(), &[], &fixture("generic-path.json"))
        .unwrap();
    assert_eq!(paths(&m).0, ["/about"]);
    // Query paths, and a body's, together; each path once; other query keys left alone.
    let m = r
        .map(
            &HeaderMap::new(),
            &q(&[
                ("path", "/a"),
                ("wait", "true"),
                ("path", "/b"),
                ("path", "/a"),
            ]),
            br#"{"paths": ["/b", "/c"]}"#,
        )
        .unwrap();
    assert_eq!(paths(&m).0, ["/a", "/b", "/c"]);
    // Without routes too, and with an empty body.
    let m = Routes::default()
        .map(&HeaderMap::new(), &q(&[("path", "/x y")]), b"")
        .unwrap();
    assert_eq!(paths(&m).0, ["/x%20y"]);
}

#[test]
fn route_by_name_applies_that_route_alone() {
    let r = example_routes();
    let m = r
        .map(&HeaderMap::new(), &q(&[("route", "home")]), b"")
        .unwrap();
    assert_eq!(paths(&m), (vec!["/"], vec!["home"]));
    // A generic body is not taken when a route is named.
    let m = r
        .map(
            &HeaderMap::new(),
            &q(&[("route", "home")]),
            br#"{"paths": ["/elsewhere"]}"#,
        )
        .unwrap();
    assert_eq!(paths(&m).0, ["/"]);
    // A named route that does not match is ignored; the other routes are not tried.
    let m = r
        .map(
            &HeaderMap::new(),
            &q(&[("route", "contentful-post")]),
            &fixture("strapi-v4-entry-publish.json"),
        )
        .unwrap();
    let reason = ignored(&m);
    assert!(reason.contains("contentful-post: header"), "{reason}");
    assert!(!reason.contains("strapi"), "{reason}");
}

#[test]
fn an_unknown_route_names_the_known_ones() {
    let e = example_routes()
        .map(&HeaderMap::new(), &q(&[("route", "blgo")]), b"")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown route \"blgo\" (?route=): known routes: strapi-article, strapi-article-category, contentful-post, sanity-post, home"
    );
    let e = Routes::default()
        .map(&HeaderMap::new(), &q(&[("route", "blog")]), b"")
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("no routes are configured ([[serve.routes]] in the config file)"),
        "{e}"
    );
}

#[test]
fn a_placeholder_whose_field_is_missing_or_not_text_refuses_the_request() {
    let r = example_routes();
    type Edit = fn(&mut Value);
    let cases: [(Edit, Missing); 4] = [
        (
            |v| {
                v["entry"].as_object_mut().unwrap().remove("slug");
            },
            Missing::Absent,
        ),
        (|v| v["entry"]["slug"] = "".into(), Missing::Empty),
        (|v| v["entry"]["slug"] = Value::Null, Missing::Kind("null")),
        (
            |v| v["entry"]["slug"] = serde_json::json!({"en": "a"}),
            Missing::Kind("an object"),
        ),
    ];
    for (edit, expected) in cases {
        let body = json_with("strapi-v4-entry-publish.json", edit);
        let e = r.map(&HeaderMap::new(), &[], &body).unwrap_err();
        assert_eq!(
            e,
            HookError::Placeholder {
                route: "strapi-article".into(),
                placeholder: "entry.slug".into(),
                missing: expected,
            }
        );
        assert!(
            e.to_string().starts_with(
                "route \"strapi-article\" matches, but its placeholder {entry.slug} names a field"
            ),
            "{e}"
        );
    }
}

#[test]
fn placeholders_are_encoded_where_they_fall_and_the_result_checked() {
    let r = routes(
        r#"
[[serve.routes]]
name = "t"
when = { kind = "x" }
paths = ["/blog/{slug}", "/id/{entry.id}/{items.1.name}", "/search?tag={slug}"]
"#,
    )
    .unwrap();
    let body = r#"{"kind": "x", "slug": "a/b c&d?é", "entry": {"id": 12}, "items": [{"name": "p"}, {"name": "q"}]}"#;
    let m = r.map(&HeaderMap::new(), &[], body.as_bytes()).unwrap();
    assert_eq!(
        paths(&m).0,
        [
            "/blog/a%2Fb%20c%26d%3F%C3%A9",
            "/id/12/q",
            "/search?tag=a/b%20c%26d%3F%C3%A9"
        ]
    );
    // A value that would leave the page is refused by the path rules.
    let e = r
        .map(
            &HeaderMap::new(),
            &[],
            br#"{"kind": "x", "slug": "..", "entry": {"id": 1}, "items": [{}, {"name": "q"}]}"#,
        )
        .unwrap_err();
    let HookError::BadPaths(bad) = &e else {
        panic!("{e}")
    };
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].rule, Rule::DotSegment);
    assert_eq!(bad[0].from, "route \"t\" path 1 (/blog/{slug})");
    assert!(
        e.to_string()
            .starts_with("1 bad path, nothing run: route \"t\" path 1"),
        "{e}"
    );
}

#[test]
fn conditions_take_numbers_booleans_pointers_and_several_headers() {
    let r = routes(
        r#"
[[serve.routes]]
name = "n"
when = { "entry.id" = [7, 12], "/entry/published" = true, "header:x-n" = 5 }
paths = ["/n/{entry.id}"]
"#,
    )
    .unwrap();
    let mut h = HeaderMap::new();
    h.append("x-n", HeaderValue::from_static("4"));
    h.append("x-n", HeaderValue::from_static("5"));
    let m = r
        .map(&h, &[], br#"{"entry": {"id": 12.0, "published": true}}"#)
        .unwrap();
    assert_eq!(paths(&m).0, ["/n/12.0"]);
    let reason = r
        .map(&h, &[], br#"{"entry": {"id": "12", "published": true}}"#)
        .unwrap();
    assert!(
        ignored(&reason).contains("n: entry.id is \"12\", not one of the route's 2 values"),
        "{reason:?}"
    );
    let reason = r
        .map(&h, &[], br#"{"entry": {"id": 7, "published": "true"}}"#)
        .unwrap();
    assert!(
        ignored(&reason).contains("/entry/published is \"true\""),
        "{reason:?}"
    );
}

#[test]
fn bad_requests_say_what_is_wrong() {
    let r = example_routes();
    let h = HeaderMap::new();
    let e = r.map(&h, &[], b"{\"paths\": [").unwrap_err();
    assert!(matches!(e, HookError::BadJson(_)), "{e}");
    assert!(
        e.to_string().starts_with("the body is not JSON (EOF"),
        "{e}"
    );
    for body in [
        &br#"{"paths": "/a"}"#[..],
        br#"{"paths": []}"#,
        br#"{"paths": ["/a", 3]}"#,
    ] {
        let e = r.map(&h, &[], body).unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"paths\" in the body must be a non-empty list of paths, e.g. [\"/blog\", \"/blog/a\"]"
        );
    }
    let e = r.map(&h, &[], br#"{"path": 3}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "\"path\" in the body must be a path, e.g. \"/blog/a\""
    );
    let e = r
        .map(
            &h,
            &q(&[("path", "blog")]),
            br#"{"paths": ["/ok", "/a#b", "/posts/*"]}"#,
        )
        .unwrap_err();
    let HookError::BadPaths(bad) = &e else {
        panic!("{e}")
    };
    let got: Vec<(&str, &Rule)> = bad.iter().map(|b| (b.from.as_str(), &b.rule)).collect();
    assert_eq!(
        got,
        [
            ("?path=", &Rule::NotAbsolute),
            ("\"paths\"[1]", &Rule::Fragment),
            ("\"paths\"[2]", &Rule::WildcardForPod),
        ]
    );
    assert!(
        e.to_string()
            .starts_with("3 bad paths, nothing run: ?path=: \"blog\" must start with \"/\";"),
        "{e}"
    );
}

#[test]
fn without_routes_a_request_without_paths_is_refused() {
    let e = Routes::default()
        .map(
            &HeaderMap::new(),
            &[],
            &fixture("strapi-v4-entry-publish.json"),
        )
        .unwrap_err();
    assert_eq!(e, HookError::NoPaths);
    let e = Routes::default()
        .map(&HeaderMap::new(), &[], b"")
        .unwrap_err();
    assert!(
        e.to_string().starts_with("no paths: send {\"paths\""),
        "{e}"
    );
}

#[test]
fn a_bad_route_is_refused_at_start_naming_it() {
    let cases = [
        (
            "name = \"a\"\npaths = [\"/x\"]\nwhen = { a = 1 }\npath = [\"/y\"]",
            "[[serve.routes]] \"a\" (test.toml): unknown key `path`; a route has name, when and paths",
        ),
        (
            "paths = [\"/x\"]",
            "[[serve.routes]] number 1 (test.toml): has no name; give it one, e.g. name = \"blog\"",
        ),
        (
            "name = \"a b\"\npaths = [\"/x\"]",
            "[[serve.routes]] \"a b\" (test.toml): a name is letters, digits, '-', '_' and '.' (it is written in ?route=NAME)",
        ),
        (
            "name = \"a\"",
            "[[serve.routes]] \"a\" (test.toml): has no paths; give its path templates, e.g. paths = [\"/blog/{entry.slug}\", \"/blog\"]",
        ),
        (
            "name = \"a\"\npaths = []",
            "[[serve.routes]] \"a\" (test.toml): has no paths;",
        ),
        (
            "name = \"a\"\npaths = [\"/blog/{entry.slug\"]",
            "[[serve.routes]] \"a\" (test.toml): path 1: \"/blog/{entry.slug\": a '{' is not closed",
        ),
        (
            "name = \"a\"\npaths = [\"/x\", \"/blog/}\"]",
            "[[serve.routes]] \"a\" (test.toml): path 2: \"/blog/}\": a '}' closes no placeholder",
        ),
        (
            "name = \"a\"\npaths = [\"/blog/{}\"]",
            "[[serve.routes]] \"a\" (test.toml): path 1: \"/blog/{}\": \"\" is not a field",
        ),
        (
            "name = \"a\"\npaths = [\"/blog/{entry..slug}\"]",
            "is not a field: write a dotted path (entry.slug) or a JSON Pointer (/fields/slug/en-US)",
        ),
        (
            "name = \"a\"\npaths = [\"blog/{slug}\"]",
            "[[serve.routes]] \"a\" (test.toml): path 1: \"blog/{slug}\" must start with \"/\"",
        ),
        (
            "name = \"a\"\npaths = [\"/blog/*\"]",
            "path 1: \"/blog/*\" a pod cannot revalidate a wildcard; list the paths",
        ),
        (
            "name = \"a\"\npaths = [\"/x\"]\nwhen = { \"header:bad name\" = \"v\" }",
            "when: \"header:bad name\" does not name a header",
        ),
        (
            "name = \"a\"\npaths = [\"/x\"]\nwhen = { event = { a = 1 } }",
            "when: \"event\" must be a value (text, a number, true or false) or a list of them",
        ),
        (
            "name = \"a\"\npaths = [\"/x\"]\nwhen = { event = [] }",
            "when: \"event\" lists no values, so the route could never match",
        ),
        (
            "name = \"a\"\npaths = [\"/x\"]\nwhen = { \"/a~2b\" = 1 }",
            "when: \"/a~2b\" is not a JSON Pointer",
        ),
        (
            "name = \"a\"\npaths = [\"/x\"]\nwhen = \"always\"",
            "when must be a table",
        ),
        (
            "name = \"a\"\npaths = [\"/x\"]\n[[serve.routes]]\nname = \"a\"\npaths = [\"/y\"]",
            "[[serve.routes]] \"a\" (test.toml): another route has this name",
        ),
    ];
    for (route, expected) in cases {
        let e = routes(&format!("[[serve.routes]]\n{route}\n")).unwrap_err();
        assert!(
            e.contains(expected),
            "{route}\n got: {e}\n want: {expected}"
        );
    }
}

#[test]
fn bad_routes_in_the_config_file_are_a_usage_error_and_config_shows_the_routes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("revalidate.toml");
    std::fs::write(
        &f,
        "[[serve.routes]]\nname = \"a\"\npaths = [\"/x\"]\n\n[[profiles.p.serve.routes]]\nname = \"b\"\npaths = [\"x\"]\n",
    )
    .unwrap();
    let c = Config::load(Some(&f), None, Layer::default(), &|_| None).unwrap();
    assert_eq!(Routes::from_config(&c).unwrap().names(), ["a"]);
    let e = c.entries();
    let shown = e.iter().find(|e| e.key == "serve.routes").unwrap();
    assert_eq!(shown.value, "1 table: \"a\"");
    assert_eq!(shown.source, f.display().to_string());
    // The profile's routes replace the file's, and are checked as such.
    let c = Config::load(Some(&f), Some("p"), Layer::default(), &|_| None).unwrap();
    let e = Routes::from_config(&c).unwrap_err();
    assert_eq!(e.exit_code(), Code::Usage);
    assert!(
        e.to_string().starts_with(&format!(
            "[[serve.routes]] \"b\" ({} [profiles.p]): path 1: \"x\" must start with \"/\"",
            f.display()
        )),
        "{e}"
    );
    // Not tables at all: refused when the file is read, naming the key.
    std::fs::write(&f, "[serve]\nroutes = [\"/x\"]\n").unwrap();
    let e = Config::load(Some(&f), None, Layer::default(), &|_| None).unwrap_err();
    assert!(e.0.contains("serve.routes"), "{e}");
    assert!(e.0.contains("must be an array of tables"), "{e}");
    // None at all: no routes.
    let c = Config::load(None, None, Layer::default(), &|_| None).unwrap();
    assert!(Routes::from_config(&c).unwrap().is_empty());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_request_is_mapped_or_refused_without_a_panic(
            body in prop_oneof![
                any::<Vec<u8>>(),
                "[{}\\[\\]\",:a-z/.0-9 ]{0,80}".prop_map(String::into_bytes),
                Just(fixture("strapi-v4-entry-publish.json")),
            ],
            query in proptest::collection::vec(
                (prop_oneof![Just("path".to_string()), Just("route".to_string()), "[a-z]{1,5}"], ".{0,20}"),
                0..4,
            ),
        ) {
            let r = example_routes();
            let mut h = HeaderMap::new();
            h.insert("x-contentful-topic", HeaderValue::from_static("ContentManagement.Entry.publish"));
            if let Ok(Mapped::Paths { paths, .. }) = r.map(&h, &query, &body) {
                prop_assert!(!paths.is_empty());
            }
        }

        #[test]
        fn any_route_table_is_compiled_or_refused_without_a_panic(
            template in "[/{}a-z.~*?#%]{0,16}",
            key in "[/a-z.~:]{0,12}",
        ) {
            let mut t = toml::Table::new();
            t.insert("name".into(), "r".into());
            t.insert("paths".into(), toml::Value::Array(vec![template.clone().into()]));
            let mut when = toml::Table::new();
            when.insert(key, "v".into());
            t.insert("when".into(), toml::Value::Table(when));
            if let Ok(r) = Routes::from_tables(&[t], "p.toml") {
                let _ = r.map(&HeaderMap::new(), &[], br#"{"a": {"b": "c"}}"#);
            }
        }
    }
}
