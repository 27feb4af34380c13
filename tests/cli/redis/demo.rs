//! The demo's Redis part: with a redis-server on PATH, publish with every pod acknowledging, a
//! pod whose agent missed a message, and its catch-up; without one, a sentence saying how to
//! enable it (and the demo still succeeds).

use crate::common::{code, revalidate, stderr, stdout};

/// Lines with runs of spaces squashed, for matching table rows.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn the_demo_shows_acknowledgements_and_a_catch_up() {
    let (mut c, _d) = revalidate();
    let out = c.arg("demo").output().unwrap();
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let l = lines(&text);
    let at = |want: &str| {
        l.iter()
            .position(|x| x.starts_with(want))
            .unwrap_or_else(|| panic!("no line {want:?}:\n{text}"))
    };
    let acked = at("/posts/b 3/3 3/3 acknowledged");
    let missed = at("/posts/c 2/3 2/3 under-delivered");
    let stale = at(r#"pod-3 "Post C (initial)" stale"#);
    let caught_up = l
        .iter()
        .rposition(|x| x == r#"pod-3 "Post C, missed by one pod" fresh"#)
        .unwrap_or_else(|| panic!("pod-3 never caught up:\n{text}"));
    assert!(
        acked < missed && missed < stale && stale < caught_up,
        "{text}"
    );
    assert!(
        l.iter().any(|x| x == "/posts/c pod-3 no acknowledgement"),
        "{text}"
    );
}

#[test]
fn without_redis_the_demo_says_how_to_enable_that_part() {
    let (mut c, dir) = revalidate();
    let out = c.arg("demo").env("PATH", dir.path()).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("is skipped: no redis-server on PATH")
            && stdout(&out).contains("or pass --redis-url"),
        "{}",
        stdout(&out)
    );
}
