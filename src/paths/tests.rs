//! Path rules: canonical forms, refusals, and properties over arbitrary input.

use super::*;
use proptest::prelude::*;

fn canon(s: &str) -> String {
    UrlPath::parse(s, Purpose::Cdn).unwrap().0
}

#[test]
fn encodes_once_and_keeps_escapes() {
    assert_eq!(canon("/a b"), "/a%20b");
    assert_eq!(canon("/a%20b"), "/a%20b");
    assert_eq!(canon("/a%2fb"), "/a%2fb");
    assert_eq!(canon("/100%"), "/100%25");
    assert_eq!(canon("/%zz"), "/%25zz");
    assert_eq!(canon("/caf\u{e9}"), "/caf%C3%A9");
    assert_eq!(canon("/\u{1F600}"), "/%F0%9F%98%80");
    assert_eq!(canon("/a\"<>\\^`{|}"), "/a%22%3C%3E%5C%5E%60%7B%7C%7D");
}

#[test]
fn keeps_pchars_and_query() {
    assert_eq!(canon("/a:b@c!$&'()+,;=/"), "/a:b@c!$&'()+,;=/");
    assert_eq!(canon("/s?q=a b&x=1?y"), "/s?q=a%20b&x=1?y");
    assert_eq!(canon("/x"), "/x");
    assert_eq!(canon("/x/"), "/x/");
}

#[test]
fn refuses_each_rule() {
    let p = |s: &str| UrlPath::parse(s, Purpose::Pod).unwrap_err();
    assert_eq!(p(""), Rule::Empty);
    assert_eq!(p("posts/a"), Rule::NotAbsolute);
    assert_eq!(p("https://example.com/a"), Rule::HasSchemeOrHost);
    assert_eq!(p("//example.com/a"), Rule::HasSchemeOrHost);
    assert_eq!(p("/a\r\nX-Evil: 1"), Rule::ControlChar('\r'));
    assert_eq!(p("/a\nb"), Rule::ControlChar('\n'));
    assert_eq!(p("/a\0"), Rule::ControlChar('\0'));
    assert_eq!(p("/a\tb"), Rule::ControlChar('\t'));
    assert_eq!(p("/a#top"), Rule::Fragment);
    for (path, escape, c) in [
        ("/a%0D%0AX-Evil:%201", "%0D", '\r'),
        ("/a%0ab", "%0a", '\n'),
        ("/a%00", "%00", '\0'),
        ("/a%09b", "%09", '\t'),
        ("/a%1F", "%1F", '\u{1f}'),
        ("/a%7f", "%7f", '\u{7f}'),
        ("/a?q=%0A", "%0A", '\n'),
        ("/a%c2%85", "%c2%85", '\u{85}'),
    ] {
        for purpose in [Purpose::Pod, Purpose::Cdn] {
            assert_eq!(
                UrlPath::parse(path, purpose).unwrap_err(),
                Rule::EncodedControlChar(escape.into(), c),
                "{path}"
            );
        }
    }
    // Escapes of printable characters, an encoded "%" before hex digits, and a lone "%"
    // are content.
    for path in [
        "/a%20b", "/a%250A", "/a%7E", "/a%C2%A0", "/a%C3%A9", "/100%", "/a%0",
    ] {
        assert!(UrlPath::parse(path, Purpose::Pod).is_ok(), "{path}");
    }
    assert_eq!(p("/posts/*"), Rule::WildcardForPod);
    assert_eq!(p("/a*/b"), Rule::WildcardNotLast);
    assert_eq!(
        UrlPath::parse("/a*/b", Purpose::Cdn).unwrap_err(),
        Rule::WildcardNotLast
    );
    assert!(
        UrlPath::parse("/posts/*", Purpose::Cdn)
            .unwrap()
            .is_wildcard()
    );
    for dots in [
        "/../posts/a",
        "/a/./b",
        "/a/..",
        "/%2e%2E/x",
        "/a/%2E",
        "/.%2e/x",
        "/x/..?q=1",
        "/a%2F..%2fb",
    ] {
        assert_eq!(p(dots), Rule::DotSegment, "{dots}");
    }
    // Dots inside a segment, or in the query, are content.
    assert!(UrlPath::parse("/a/.well-known/x..y", Purpose::Pod).is_ok());
    assert!(UrlPath::parse("/a?x=..", Purpose::Pod).is_ok());
    let long = format!("/{}", "a".repeat(MAX_LEN));
    assert_eq!(p(&long), Rule::TooLong(MAX_LEN + 1));
    // Length is counted after encoding: 1,000 "é" become 6,000 characters.
    assert!(matches!(
        p(&format!("/{}", "é".repeat(1000))),
        Rule::TooLong(_)
    ));
}

#[test]
fn collect_lists_every_bad_path_with_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paths.txt");
    std::fs::write(&file, "# comment\n\n/ok\r\nbad\n  /also-ok  \n/x\t\n").unwrap();
    let mut stdin = std::io::Cursor::new(b"/from-stdin\nnope\n".to_vec());
    let args = vec!["/a".to_string(), "-".into(), "/a*".into()];
    let err = collect(&args, std::slice::from_ref(&file), &mut stdin, Purpose::Pod).unwrap_err();
    let PathsError::Bad(bad) = &err else {
        panic!("{err}")
    };
    let origins: Vec<String> = bad.iter().map(|b| b.origin.to_string()).collect();
    assert_eq!(
        origins,
        vec![
            "stdin:2".to_string(),
            "argument 3".into(),
            format!("{}:4", file.display()),
            format!("{}:6", file.display()),
        ]
    );
    let msg = err.to_string();
    assert!(msg.starts_with("4 bad paths; nothing was sent:"), "{msg}");
    assert!(
        msg.contains(r#""/x\t": contains the control character TAB"#),
        "{msg}"
    );
}

#[test]
fn lines_that_are_not_utf8_are_refused_not_mangled() {
    let mut stdin = std::io::Cursor::new(b"/ok\n/caf\xe9\n".to_vec());
    let err = collect(&["-".to_string()], &[], &mut stdin, Purpose::Pod).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "cannot read paths from stdin: line 2 is not UTF-8 (invalid byte at column 5)"
        ),
        "{msg}"
    );
}

#[test]
fn collect_dedupes_in_order() {
    let mut stdin = std::io::empty();
    let args: Vec<String> = ["/b", "/a", "/b", "/a%20x", "/a x", "/a/"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let got = collect(&args, &[], &mut stdin, Purpose::Pod).unwrap();
    let got: Vec<&str> = got.iter().map(|p| p.as_str()).collect();
    assert_eq!(got, vec!["/b", "/a", "/a%20x", "/a/"]);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_path() {
    let mut stdin = std::io::Cursor::new("\u{FEFF}/first\n/second\n".as_bytes().to_vec());
    let got = collect(&["-".to_string()], &[], &mut stdin, Purpose::Pod).unwrap();
    assert_eq!(got[0].as_str(), "/first");
    assert_eq!(got.len(), 2);
}

#[test]
fn no_paths_is_an_error() {
    let mut stdin = std::io::empty();
    assert!(matches!(
        collect(&[], &[], &mut stdin, Purpose::Pod),
        Err(PathsError::None)
    ));
}

#[test]
fn query_values_decode_to_the_path() {
    let v = encode_query_value("/a%20b?x=1&y=2#");
    assert_eq!(v, "/a%2520b%3Fx%3D1%26y%3D2%23");
    let back = percent_encoding::percent_decode_str(&v)
        .decode_utf8()
        .unwrap();
    assert_eq!(back, "/a%20b?x=1&y=2#");
}

/// Path text as people write it: any Unicode except control characters, `#`, `*`, `%`.
fn raw_path() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        any::<char>().prop_filter("allowed", |c| {
            !c.is_control() && !matches!(c, '#' | '*' | '%' | '?')
        }),
        0..40,
    )
    .prop_map(|cs| format!("/{}", cs.into_iter().collect::<String>()))
    .prop_filter("not a network path", |s| !s.starts_with("//"))
    .prop_filter("no dot segments", |s| !has_dot_segment(s))
}

/// Path text of every kind: valid, near misses and hostile. Pieces people write (`%`, `?`,
/// `#`, `*`, dots, slashes, escapes valid and not, raw and encoded control characters, a
/// scheme, Unicode), arbitrary characters, arbitrary strings, and long repeats that cross
/// [`MAX_LEN`] once encoded.
fn path_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        3 => "[a-zA-Z0-9/._~-]{1,4}",
        4 => proptest::sample::select(vec![
            "%", "?", "#", "*", ".", "..", "/", "//", "%2e", "%2E", "%2F", "%25", "%zz", "%4",
            "%0A", "%0d", "%00", "%1F", "%7F", "%7f", "%C2%85", "%c2%9f", "%C2%A0", "%C3%A9",
            "%2A", "%20", " ", "\r", "\n", "\0", "\t", "\u{7f}", "\u{85}", "\u{feff}",
            "\u{e9}", "\u{1F600}", "https://", "&", "=", "+", ";", "@", ":",
        ])
        .prop_map(String::from),
    ];
    let body = proptest::collection::vec(piece.clone(), 0..24).prop_map(|ps| ps.concat());
    prop_oneof![
        8 => body.clone().prop_map(|b| format!("/{b}")),
        1 => body,
        1 => any::<String>(),
        1 => (piece, 500..1500usize).prop_map(|(p, n)| format!("/{}", p.repeat(n))),
    ]
}

/// What a server gets back by decoding a path once.
fn decoded(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(s).collect()
}

proptest! {
    #[test]
    fn any_text_is_refused_or_accepted_without_a_panic_for_every_purpose(
        text in prop_oneof![path_text(), any::<String>()],
    ) {
        for purpose in [Purpose::Pod, Purpose::Cdn] {
            let _ = UrlPath::parse(&text, purpose);
        }
    }

    /// An accepted path is canonical, means what was written, and is accepted again as it is.
    #[test]
    fn what_is_accepted_is_canonical_and_means_what_was_written(text in path_text()) {
        for purpose in [Purpose::Pod, Purpose::Cdn] {
            let Ok(p) = UrlPath::parse(&text, purpose) else { continue };
            let c = p.as_str();
            prop_assert!(c.starts_with('/') && !c.starts_with("//"), "{:?}", c);
            prop_assert!(c.len() <= MAX_LEN);
            let b = c.as_bytes();
            for (i, &byte) in b.iter().enumerate() {
                let escape = byte == b'%'
                    && b.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                prop_assert!(is_query_char(byte) || escape, "{:?} at {}", c, i);
            }
            prop_assert!(encoded_control_char(c).is_none(), "{:?}", c);
            prop_assert!(!has_dot_segment(c.split('?').next().unwrap_or("")), "{:?}", c);
            if let Some(i) = c.find('*') {
                prop_assert!(purpose == Purpose::Cdn && i == c.len() - 1, "{:?}", c);
            }
            prop_assert_eq!(decoded(c), decoded(&text), "{:?} from {:?}", c, text);
            let again = UrlPath::parse(c, purpose);
            prop_assert_eq!(again.as_ref(), Ok(&p));
        }
    }

    /// A control character a server would see once it decodes the path is refused, raw or
    /// percent-encoded, whatever the purpose.
    #[test]
    fn a_decoded_control_character_is_always_refused(text in path_text()) {
        let decoded = String::from_utf8_lossy(&decoded(&text)).into_owned();
        if decoded.chars().any(char::is_control) {
            for purpose in [Purpose::Pod, Purpose::Cdn] {
                let rule = UrlPath::parse(&text, purpose);
                prop_assert!(
                    matches!(rule, Err(Rule::ControlChar(_) | Rule::EncodedControlChar(..))),
                    "{:?}: {:?}", text, rule
                );
            }
        }
    }

    /// A pod path is a CDN path too, with the same encoding.
    #[test]
    fn pod_paths_are_cdn_paths(text in path_text()) {
        if let Ok(p) = UrlPath::parse(&text, Purpose::Pod) {
            prop_assert_eq!(UrlPath::parse(&text, Purpose::Cdn), Ok(p));
        }
    }

    /// A path read back from a report is the path written.
    #[test]
    fn accepted_paths_survive_a_report(text in path_text()) {
        if let Ok(p) = UrlPath::parse(&text, Purpose::Cdn) {
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<UrlPath>(&json).unwrap(), p);
        }
    }

    /// Any bytes on stdin or in a paths file are read or refused, never a panic.
    #[test]
    fn any_bytes_as_a_paths_file_are_read_or_refused(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        lines in proptest::collection::vec(path_text(), 0..6),
    ) {
        for input in [bytes, lines.join("\n").into_bytes()] {
            for purpose in [Purpose::Pod, Purpose::Cdn] {
                let mut stdin = std::io::Cursor::new(input.clone());
                let _ = collect(&["-".to_string()], &[], &mut stdin, purpose);
            }
        }
    }

    #[test]
    fn existing_escapes_are_never_encoded_again(
        raw in raw_path(),
        hex in proptest::collection::vec(
            // Every byte but the control characters (C0 and DEL).
            (0x20u8..=0xFE).prop_map(|b| format!("%{:02x}", b + u8::from(b >= 0x7F))),
            1..4,
        )
    ) {
        let with_escapes = format!("{raw}{}", hex.concat());
        prop_assume!(!has_dot_segment(&with_escapes));
        prop_assume!(encoded_control_char(&with_escapes).is_none());
        let c = canon(&with_escapes);
        prop_assert!(c.ends_with(&hex.concat()));
        prop_assert_eq!(c.matches("%25").count(), with_escapes.matches("%25").count());
    }
}
