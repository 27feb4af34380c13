//! The plan's rules, each against what CloudFront's developer guide says (quoted where it
//! decides the expected value).

use super::*;
use crate::choices::QueryStrings;
use crate::paths::Purpose;

fn p(s: &str) -> UrlPath {
    UrlPath::parse(s, Purpose::Cdn).unwrap_or_else(|r| panic!("{s}: {r}"))
}

fn input(paths: &[&str]) -> Input {
    Input {
        distribution: "E2QWRUHAPOMQZL".into(),
        paths: paths.iter().map(|s| p(s)).collect(),
        build_ids: Vec::new(),
        variants: Vec::new(),
        query_strings: QueryStrings::Drop,
        coalesce: None,
        max_wildcards: 15,
        batch_size: 3000,
        free_paths_left: None,
        run_id: "run-1".into(),
        caller_reference: None,
    }
}

fn all_paths(plan: &Plan) -> Vec<String> {
    plan.batches.iter().flat_map(|b| b.paths.clone()).collect()
}

fn form(s: &str) -> String {
    cloudfront_form(p(s).as_str()).0
}

#[test]
fn encodes_non_ascii_and_rfc1738_unsafe_characters_and_nothing_else() {
    // "If the path includes non-ASCII characters or unsafe characters as defined in RFC 1738,
    // URL-encode those characters. Do not URL-encode any other characters in the path."
    assert_eq!(form("/a b"), "/a%20b", "space is unsafe");
    assert_eq!(
        form("/a%20b"),
        "/a%20b",
        "an escape is kept, not encoded again"
    );
    assert_eq!(form("/100%"), "/100%25", "a literal % is unsafe");
    assert_eq!(form("/~user/x"), "/%7Euser/x", "~ is unsafe in RFC 1738");
    assert_eq!(form("/%7euser"), "/%7Euser");
    assert_eq!(form("/caf\u{e9}"), "/caf%C3%A9", "non-ASCII");
    assert_eq!(
        form("/caf%c3%a9"),
        "/caf%C3%A9",
        "one spelling of each escape"
    );
    assert_eq!(
        form("/a\"<>\\^`{|}[]"),
        "/a%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D"
    );
    // Safe and reserved characters stay as they are.
    assert_eq!(form("/a-b_c.d/e:f@g!$&'()+,;="), "/a-b_c.d/e:f@g!$&'()+,;=");
    // An escape of an unreserved character is that character: encoding it would miss.
    assert_eq!(form("/%41bc%2Dd"), "/Abc-d");
}

#[test]
fn escapes_of_reserved_characters_are_kept_and_noted() {
    let (f, reserved) = cloudfront_form("/a%2Fb%2a");
    assert_eq!(f, "/a%2Fb%2A");
    assert_eq!(reserved, ["%2F", "%2A"]);
    let plan = Plan::build(&input(&["/a%2Fb"])).unwrap();
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("%2F") && n.contains("/a%2Fb")),
        "{:?}",
        plan.notes
    );
    assert!(
        cloudfront_form("/a%20b").1.is_empty(),
        "an unsafe escape is no note"
    );
}

#[test]
fn wildcards_only_last_and_paths_case_sensitive() {
    // "The *, which replaces 0 or more characters, must be the last character."
    assert!(UrlPath::parse("/a*/b", Purpose::Cdn).is_err());
    let plan = Plan::build(&input(&["/Images/A.jpg", "/images/a.jpg", "/images/*"])).unwrap();
    // "/images/image.jpg and /images/Image.jpg specify two different files": /images/* does
    // not cover /Images/A.jpg.
    assert_eq!(all_paths(&plan), ["/Images/A.jpg", "/images/*"]);
    assert_eq!(plan.summary.covered, 1);
}

#[test]
fn query_strings_are_dropped_unless_the_distribution_caches_on_them() {
    // "If you configured CloudFront to forward query strings to your origin, you must include
    // the query strings when invalidating files."
    let plan = Plan::build(&input(&["/search?q=a b", "/search?q=c", "/x"])).unwrap();
    assert_eq!(all_paths(&plan), ["/search", "/x"]);
    assert_eq!(plan.summary.query_strings_dropped, 2);
    assert_eq!(plan.summary.duplicates, 1);
    assert!(
        plan.notes[0].contains("--query-strings keep"),
        "{:?}",
        plan.notes
    );
    let mut i = input(&["/search?q=a b~", "/search?q=c"]);
    i.query_strings = QueryStrings::Keep;
    let plan = Plan::build(&i).unwrap();
    assert_eq!(all_paths(&plan), ["/search?q=a%20b%7E", "/search?q=c"]);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
}

#[test]
fn data_urls_follow_next_js() {
    let id = "b1d-ID_x";
    let d = |s: &str| data_url(&p(s), id);
    assert_eq!(d("/").unwrap(), "/_next/data/b1d-ID_x/index.json");
    assert_eq!(d("/posts/a").unwrap(), "/_next/data/b1d-ID_x/posts/a.json");
    assert_eq!(d("/posts/a/").unwrap(), "/_next/data/b1d-ID_x/posts/a.json");
    assert_eq!(
        d("/index").unwrap(),
        "/_next/data/b1d-ID_x/index/index.json"
    );
    assert_eq!(d("/a?x=1").unwrap(), "/_next/data/b1d-ID_x/a.json");
    assert_eq!(
        d("/caf%C3%A9").unwrap(),
        "/_next/data/b1d-ID_x/caf%C3%A9.json"
    );
    assert_eq!(d("/posts/*").unwrap(), "/_next/data/b1d-ID_x/posts/*");
    assert_eq!(d("/*").unwrap(), "/_next/data/b1d-ID_x/*");
    assert_eq!(d("/_next/static/chunk.js"), None);
    assert!(check_build_id("../x").is_err() && check_build_id("").is_err());
}

#[test]
fn next_data_adds_a_data_url_per_page_and_build() {
    let mut i = input(&["/", "/posts/a", "/posts/*"]);
    i.build_ids = vec!["OLD".into(), "NEW".into()];
    let plan = Plan::build(&i).unwrap();
    assert_eq!(
        all_paths(&plan),
        [
            "/",
            "/_next/data/NEW/index.json",
            "/_next/data/NEW/posts/*",
            "/_next/data/OLD/index.json",
            "/_next/data/OLD/posts/*",
            "/posts/*",
        ]
    );
    assert_eq!(plan.summary.next_data, 6);
    // /posts/a and its data URLs are covered by the wildcards.
    assert_eq!(plan.summary.covered, 3);
    i.build_ids = vec!["bad/id".into()];
    assert!(matches!(Plan::build(&i), Err(PlanError::BuildId(_))));
}

#[test]
fn duplicates_and_covered_paths_are_dropped() {
    let plan = Plan::build(&input(&[
        "/a b",
        "/a%20b",
        "/posts/x",
        "/posts/y/z",
        "/posts/a*",
        "/posts/*",
        "/postsx",
        "/posts*",
        "/post",
    ]))
    .unwrap();
    // /posts* covers /posts/*, /posts/x, /postsx ...; /post is not under it.
    assert_eq!(all_paths(&plan), ["/a%20b", "/post", "/posts*"]);
    assert_eq!(plan.summary.duplicates, 1);
    assert_eq!(plan.summary.covered, 5);
    assert_eq!((plan.summary.files, plan.summary.wildcards), (2, 1));
}

#[test]
fn coalescing_replaces_crowded_directories_deepest_first() {
    let mut paths: Vec<String> = (1..=5).map(|n| format!("/posts/2024/p{n}")).collect();
    paths.extend((1..=2).map(|n| format!("/posts/2023/p{n}")));
    paths.extend((1..=3).map(|n| format!("/docs/d{n}")));
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut i = input(&refs);
    i.coalesce = Some(3);
    let plan = Plan::build(&i).unwrap();
    // /posts/2024/ has 5 > 3; then /posts/ has /posts/2024/* and two more = 3, not > 3;
    // /docs/ has exactly 3.
    assert_eq!(
        all_paths(&plan),
        [
            "/docs/d1",
            "/docs/d2",
            "/docs/d3",
            "/posts/2023/p1",
            "/posts/2023/p2",
            "/posts/2024/*"
        ]
    );
    assert_eq!(
        plan.summary.coalesced,
        [Coalesced {
            wildcard: "/posts/2024/*".into(),
            replaced: 5
        }]
    );
    // A lower threshold widens to the parent, which replaces the child wildcard.
    i.coalesce = Some(2);
    let plan = Plan::build(&i).unwrap();
    assert_eq!(all_paths(&plan), ["/docs/*", "/posts/*"]);
}

#[test]
fn coalescing_never_exceeds_the_wildcard_cap_and_picks_the_biggest() {
    let mut paths = Vec::new();
    for (dir, n) in [("a", 4), ("b", 9), ("c", 6)] {
        paths.extend((0..n).map(|k| format!("/{dir}/{k}")));
    }
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut i = input(&refs);
    i.coalesce = Some(3);
    i.max_wildcards = 2;
    let plan = Plan::build(&i).unwrap();
    assert_eq!(plan.summary.wildcards, 2);
    let wild: Vec<&str> = plan
        .summary
        .coalesced
        .iter()
        .map(|c| c.wildcard.as_str())
        .collect();
    assert_eq!(wild, ["/b/*", "/c/*"]);
    assert_eq!(plan.summary.files, 4);
    i.max_wildcards = 0;
    assert_eq!(Plan::build(&i).unwrap().summary.wildcards, 0);
}

#[test]
fn coalescing_never_empties_the_whole_distribution() {
    let paths: Vec<String> = (0..50).map(|n| format!("/page-{n}")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut i = input(&refs);
    i.coalesce = Some(1);
    let plan = Plan::build(&i).unwrap();
    assert_eq!(plan.summary.paths, 50);
    assert!(plan.summary.coalesced.is_empty());
}

#[test]
fn batches_hold_at_most_3000_paths_and_15_wildcards() {
    let paths: Vec<String> = (0..7001).map(|n| format!("/p/{n:05}")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let plan = Plan::build(&input(&refs)).unwrap();
    let sizes: Vec<usize> = plan.batches.iter().map(|b| b.paths.len()).collect();
    assert_eq!(sizes, [3000, 3000, 1001]);
    assert_eq!(plan.batches[2].index, 3);
    assert!(
        plan.batches
            .iter()
            .all(|b| b.paths.windows(2).all(|w| w[0] < w[1]))
    );

    let wild: Vec<String> = (0..20).map(|n| format!("/w{n:02}/*")).collect();
    let refs: Vec<&str> = wild.iter().map(String::as_str).collect();
    let plan = Plan::build(&input(&refs)).unwrap();
    let w: Vec<usize> = plan.batches.iter().map(|b| b.wildcards).collect();
    assert_eq!(w, [15, 5]);
    assert!(
        plan.notes.iter().any(|n| n.contains("20 wildcard paths")),
        "{:?}",
        plan.notes
    );

    let mut i = input(&["/a", "/b", "/c"]);
    i.batch_size = 2;
    assert_eq!(Plan::build(&i).unwrap().batches.len(), 2);
}

#[test]
fn cost_counts_each_path_once_and_the_free_ones_first() {
    // "The first 1,000 invalidation paths that you submit per month are free ... A path that
    // includes the * wildcard counts as one path."
    let mut paths: Vec<String> = (0..1499).map(|n| format!("/p/{n}")).collect();
    paths.push("/q/*".into());
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut i = input(&refs);
    i.batch_size = 1000;
    let plan = Plan::build(&i).unwrap();
    assert_eq!(plan.summary.paths, 1500);
    assert_eq!(
        plan.summary.billed_paths, 1500,
        "free paths unknown: all counted"
    );
    assert_eq!(plan.summary.estimated_cost_usd, 7.5);
    i.free_paths_left = Some(1000);
    let plan = Plan::build(&i).unwrap();
    assert_eq!(plan.summary.billed_paths, 500);
    assert_eq!(plan.summary.estimated_cost_usd, 2.5);
    let billed: Vec<u64> = plan.batches.iter().map(|b| b.billed_paths).collect();
    assert_eq!(billed, [0, 500], "the free paths go to the first batches");
    assert_eq!(plan.batches[1].cost_usd, 2.5);
}

#[test]
fn caller_references_are_deterministic_per_distribution_run_and_paths() {
    let a = Plan::build(&input(&["/b", "/a"])).unwrap();
    let b = Plan::build(&input(&["/a", "/b", "/a"])).unwrap();
    assert_eq!(
        a.batches[0].caller_reference, b.batches[0].caller_reference,
        "the same paths in any order"
    );
    let r = &a.batches[0].caller_reference;
    assert!(r.starts_with("revalidate-") && r.len() == 51, "{r}");
    let mut other_run = input(&["/a", "/b"]);
    other_run.run_id = "run-2".into();
    assert_ne!(
        &Plan::build(&other_run).unwrap().batches[0].caller_reference,
        r
    );
    let mut other_dist = input(&["/a", "/b"]);
    other_dist.distribution = "EOTHER".into();
    assert_ne!(
        &Plan::build(&other_dist).unwrap().batches[0].caller_reference,
        r
    );
    assert_ne!(
        &Plan::build(&input(&["/a", "/c"])).unwrap().batches[0].caller_reference,
        r
    );
    // Parts are length-prefixed: moving a byte from one to the next changes the reference.
    assert_ne!(
        caller_reference("E1", "ab", &["/c".into()]),
        caller_reference("E1", "a", &["b/c".into()])
    );

    let mut given = input(&["/a", "/b", "/c"]);
    given.caller_reference = Some("deploy-42".into());
    assert_eq!(
        Plan::build(&given).unwrap().batches[0].caller_reference,
        "deploy-42"
    );
    given.batch_size = 2;
    let refs: Vec<String> = Plan::build(&given)
        .unwrap()
        .batches
        .iter()
        .map(|b| b.caller_reference.clone())
        .collect();
    assert_eq!(refs, ["deploy-42-1", "deploy-42-2"]);
}

#[test]
fn paths_too_long_in_cloudfront_form_are_refused_by_name() {
    // "The maximum length of a path is 4,000 characters": ~ grows to %7E.
    let long = format!("/{}", "~".repeat(1500));
    let err = Plan::build(&input(&[&long, "/ok"]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("1 path CloudFront cannot invalidate; nothing was sent:"),
        "{err}"
    );
    assert!(
        err.contains("4501 characters in CloudFront's form"),
        "{err}"
    );
}

#[test]
fn the_plan_counts_what_it_did() {
    let plan = Plan::build(&input(&["/x", "/y/*", "/y/z"])).unwrap();
    let s = &plan.summary;
    assert_eq!((s.requested, s.covered, s.paths, s.batches), (3, 1, 2, 1));
    assert_eq!(s.to_string(), "2 paths (1 file, 1 wildcard) in 1 batch");
}

#[test]
fn app_router_pages_take_their_rsc_variants_with_them() {
    use crate::cdn::variants::PageVariants;
    let found = vec![
        PageVariants {
            data: Vec::new(),
            app: true,
        },
        PageVariants {
            data: vec![
                "/_next/data/B1/posts/a.json".into(),
                "/_next/data/B1/posts/a.json?slug=a".into(),
            ],
            app: false,
        },
    ];
    // Caching on query strings: "To invalidate ... with query strings, use the * wildcard"; the
    // page becomes PAGE*, one wildcard path (billed as one, counted against the 15 in progress).
    let keep = Plan::build(&Input {
        variants: found.clone(),
        query_strings: QueryStrings::Keep,
        ..input(&["/app-posts/a", "/posts/a"])
    })
    .unwrap();
    assert_eq!(
        all_paths(&keep),
        [
            "/_next/data/B1/posts/a.json",
            "/_next/data/B1/posts/a.json?slug=a",
            "/app-posts/a*",
            "/posts/a",
        ]
    );
    assert_eq!((keep.summary.rsc_wildcards, keep.summary.wildcards), (1, 1));
    assert_eq!(keep.summary.next_data, 2);
    assert!(
        keep.notes
            .iter()
            .any(|n| n.contains("PAGE*") && n.contains("at most 15")),
        "{:?}",
        keep.notes
    );
    // Without query strings in the cache key the payloads are the page's path: it covers them.
    let drop = Plan::build(&Input {
        variants: found,
        ..input(&["/app-posts/a", "/posts/a"])
    })
    .unwrap();
    assert_eq!(
        all_paths(&drop),
        ["/_next/data/B1/posts/a.json", "/app-posts/a", "/posts/a"]
    );
    assert_eq!(drop.summary.rsc_wildcards, 0);
    assert!(
        drop.notes.iter().any(|n| n.contains("go with it")),
        "{:?}",
        drop.notes
    );
}
