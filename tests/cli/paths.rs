//! Paths through the binary: every rule a path must keep (from arguments, stdin and paths files,
//! every bad path listed in one error, exit 2, nothing sent), the one encoding on the wire, and
//! duplicates dropped.

use crate::common::{TestFleet, code, fanout_dry_run_of, row_paths, run_json, stderr, stdout};
use crate::fanout::{fanout, fanout_json};

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

/// The error lines of a bad-paths message (after the summary line).
fn bad_lines(err: &str) -> Vec<String> {
    err.lines()
        .skip_while(|l| !l.contains("nothing was sent:"))
        .skip(1)
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn every_rule_from_arguments_is_listed_in_one_error_and_nothing_is_sent() {
    let tf = TestFleet::three();
    let long = format!("/{}", "a".repeat(4000));
    let args = [
        "/posts/a",              // 1: fine, but nothing may be sent
        "posts/a",               // 2: no leading slash
        "https://example.com/a", // 3: scheme and host
        "//example.com/a",       // 4: host
        "/a\rX-Evil: 1",         // 5: CR
        "/a\nb",                 // 6: LF
        "/a\tb",                 // 7: TAB
        "/a#top",                // 8: fragment
        &long,                   // 9: too long
        "/posts/*",              // 10: wildcard for a pod
        "/a*/b",                 // 11: * not last
        "",                      // 12: empty
    ];
    let out = fanout(&tf).args(args).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: 11 bad paths; nothing was sent:"),
        "{err}"
    );
    let lines = bad_lines(&err);
    assert_eq!(lines.len(), 11, "{err}");
    let expect = [
        ("argument 2: \"posts/a\"", "must start with \"/\""),
        (
            "argument 3: \"https://example.com/a\"",
            "must be a path without scheme or host",
        ),
        (
            "argument 4: \"//example.com/a\"",
            "must be a path without scheme or host",
        ),
        (
            "argument 5: \"/a\\rX-Evil: 1\"",
            "contains the control character CR (\\r)",
        ),
        (
            "argument 6: \"/a\\nb\"",
            "contains the control character LF (\\n)",
        ),
        (
            "argument 7: \"/a\\tb\"",
            "contains the control character TAB (\\t)",
        ),
        ("argument 8: \"/a#top\"", "contains \"#\""),
        (
            "argument 9: ",
            "is 4001 characters once encoded; at most 4000",
        ),
        (
            "argument 10: \"/posts/*\"",
            "a pod cannot revalidate a wildcard; list the paths",
        ),
        (
            "argument 11: \"/a*/b\"",
            "\"*\" is allowed only as the last character",
        ),
        ("argument 12: \"\"", "is empty"),
    ];
    for (line, (origin, rule)) in lines.iter().zip(expect) {
        assert!(line.starts_with(origin), "{line:?} should start {origin:?}");
        assert!(line.contains(rule), "{line:?} should say {rule:?}");
    }
    // A refused CR/LF never reaches the terminal raw: the message stays one line per path.
    assert!(!err.contains("X-Evil: 1\n"));
    assert_nothing_sent(&tf);
}

#[test]
fn bad_paths_from_stdin_name_the_line() {
    let tf = TestFleet::three();
    let out = fanout(&tf)
        .arg("-")
        .write_stdin("/posts/a\n# a comment\n\nposts/b\n/x\0y\n/c\rd\n/posts/*\n/ok\r\n")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("4 bad paths; nothing was sent:"), "{err}");
    let lines = bad_lines(&err);
    assert_eq!(lines.len(), 4, "{err}");
    assert!(
        lines[0].starts_with("stdin:4: \"posts/b\": must start with"),
        "{err}"
    );
    assert!(
        lines[1].starts_with("stdin:5: \"/x\\0y\": contains the control character NUL"),
        "{err}"
    );
    assert!(
        lines[2].starts_with("stdin:6: \"/c\\rd\": contains the control character CR"),
        "{err}"
    );
    assert!(
        lines[3].starts_with("stdin:7: \"/posts/*\": a pod cannot revalidate a wildcard"),
        "{err}"
    );
    assert_nothing_sent(&tf);
}

#[test]
fn bad_paths_from_files_name_file_and_line_with_every_source_in_one_error() {
    let tf = TestFleet::three();
    let file = tf.write(
        "paths.txt",
        "# paths to revalidate\n/posts/a\n\n  /posts/b  \nhttps://x/y\n/t\tab\n/frag#x\n/a*b\n",
    );
    let second = tf.write("more.txt", "/posts/c\n/nul\0\n");
    let out = fanout(&tf)
        .arg("relative/path")
        .arg("--paths-file")
        .arg(&file)
        .arg("--paths-file")
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    let lines = bad_lines(&err);
    let f = file.display().to_string();
    let s = second.display().to_string();
    let want = [
        "argument 1: \"relative/path\": must start with",
        &format!("{f}:5: \"https://x/y\": must be a path without scheme or host"),
        &format!("{f}:6: \"/t\\tab\": contains the control character TAB"),
        &format!("{f}:7: \"/frag#x\": contains \"#\""),
        &format!("{f}:8: \"/a*b\": \"*\" is allowed only as the last character"),
        &format!("{s}:2: \"/nul\\0\": contains the control character NUL"),
    ];
    assert_eq!(lines.len(), want.len(), "{err}");
    for (line, w) in lines.iter().zip(want) {
        assert!(line.starts_with(w), "{line:?} should start {w:?}");
    }
    assert!(err.contains("6 bad paths; nothing was sent:"), "{err}");
    assert_nothing_sent(&tf);
}

#[test]
fn no_paths_at_all_is_a_usage_error() {
    let tf = TestFleet::three();
    let out = fanout(&tf).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no paths given"), "{}", stderr(&out));
    // stdin with only comments and blank lines is no paths either.
    let out = fanout(&tf)
        .arg("-")
        .write_stdin("# none\n\n")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let empty = tf.write("empty.txt", "");
    let out = fanout(&tf)
        .arg("--paths-file")
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let out = fanout(&tf)
        .args(["--paths-file", "does-not-exist.txt"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read paths from does-not-exist.txt"),
        "{}",
        stderr(&out)
    );
    assert_nothing_sent(&tf);
}

#[test]
fn a_space_is_encoded_once_on_the_wire() {
    let tf = TestFleet::three();
    let (out, r) = fanout_json({
        let mut c = fanout(&tf);
        c.args(["/a b", "--allow-gone"]);
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(row_paths(&r), ["/a%20b"]);
    for pod in tf.pods() {
        // The pod records the percent-decoded path: "/a b" means it received "/a%20b".
        let by_path = pod.counters().by_path;
        assert_eq!(by_path.get("/a b"), Some(&1), "{by_path:?}");
        assert_eq!(by_path.len(), 1, "{by_path:?}");
    }
}

#[test]
fn an_existing_escape_is_not_encoded_again() {
    let tf = TestFleet::three();
    let (out, r) = fanout_json({
        let mut c = fanout(&tf);
        c.args(["/a%20b", "/caf\u{e9}", "--allow-gone"]);
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(row_paths(&r), ["/a%20b", "/caf%C3%A9"]);
    for pod in tf.pods() {
        let by_path = pod.counters().by_path;
        // Double encoding would have sent "/a%2520b", which decodes to "/a%20b".
        assert_eq!(by_path.get("/a b"), Some(&1), "{by_path:?}");
        assert_eq!(by_path.get("/a%20b"), None, "{by_path:?}");
        assert_eq!(by_path.get("/caf\u{e9}"), Some(&1), "{by_path:?}");
    }
}

#[test]
fn encoded_paths_revalidate_the_page_they_name() {
    let tf = TestFleet::three();
    // %61 is "a": the pod decodes it to /posts/a and regenerates that page.
    tf.fleet().cms().set_title("a", "Post A (via escape)");
    let (out, env) = run_json({
        let mut c = fanout(&tf);
        c.arg("/posts/%61");
        c
    });
    assert_eq!(code(&out), 0, "{env:#?}");
    for pod in tf.pods() {
        assert_eq!(
            pod.cached_title("/posts/a").as_deref(),
            Some("Post A (via escape)")
        );
    }
}

#[test]
fn duplicates_are_dropped_across_sources() {
    let tf = TestFleet::three();
    let file = tf.write("paths.txt", "/posts/b\n/posts/a\n");
    let (out, r) = fanout_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a", "/posts/a", "-", "/a b", "/a%20b"])
            .arg("--paths-file")
            .arg(&file)
            .args(["--allow-gone"])
            .write_stdin("/posts/a\n/posts/b\n");
        c
    });
    assert_eq!(code(&out), 0);
    assert_eq!(
        row_paths(&r),
        ["/posts/a", "/posts/b", "/a%20b"],
        "first occurrence kept, in input order"
    );
    assert_eq!(r.cells.len(), 9);
    for pod in tf.pods() {
        let n = pod.counters();
        assert_eq!(n.requests, 3);
        assert_eq!(n.by_path.get("/posts/a"), Some(&1));
        assert_eq!(n.by_path.get("/posts/b"), Some(&1));
        assert_eq!(n.by_path.get("/a b"), Some(&1));
    }
}

#[test]
fn a_query_string_is_kept_and_sent() {
    let tf = TestFleet::three();
    let (out, env) = run_json({
        let mut c = fanout(&tf);
        c.args(["/posts/a?x=1 2", "--dry-run"]);
        c
    });
    assert_eq!(code(&out), 0);
    let d = fanout_dry_run_of(&env);
    let paths: Vec<&str> = d.paths.iter().map(|p| p.as_str()).collect();
    assert_eq!(paths, ["/posts/a?x=1%202"]);
    assert_eq!(d.requests.len(), 3);
    for r in &d.requests {
        assert_eq!(r.path, "/posts/a?x=1%202");
        assert!(r.url.ends_with("/posts/a?x=1%202"), "{r:?}");
    }
    assert_nothing_sent(&tf);
}

#[test]
fn a_paths_file_that_is_not_utf8_is_refused_not_mangled() {
    let tf = TestFleet::three();
    // "café" in Latin-1: decoding it lossily would revalidate /caf%EF%BF%BD instead.
    let file = tf.dir.path().join("latin1.txt");
    std::fs::write(&file, b"/posts/a\n/caf\xe9\n").unwrap();
    let out = fanout(&tf).arg("--paths-file").arg(&file).output().unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot read paths from {}: line 2 is not UTF-8",
            file.display()
        )),
        "{err}"
    );
    let out = fanout(&tf)
        .arg("-")
        .write_stdin(&b"/caf\xe9\n"[..])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read paths from stdin: line 1 is not UTF-8"),
        "{}",
        stderr(&out)
    );
    assert_nothing_sent(&tf);
}

#[test]
fn percent_encoded_control_characters_are_refused_for_every_purpose_and_nothing_is_sent() {
    let tf = TestFleet::three();
    // A listener that nothing may connect to: the Redis of publish, CloudFront's endpoint.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let elsewhere = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let purge_url = format!("varnish={}", tf.pod(0).url());
    let redis_url = format!("redis://{elsewhere}");
    let endpoint_url = format!("http://{elsewhere}");
    let bad = ["/a%0D%0AX-Evil:%201", "/b%00", "/c?q=%7F", "/d%C2%85"];
    let commands: [Vec<&str>; 5] = [
        vec!["fanout"],
        vec!["verify"],
        vec!["cdn", "purge", "--purge-url", &purge_url],
        vec![
            "cdn",
            "invalidate",
            "--distribution",
            "E2QWRUHAPOMQZL",
            "--endpoint-url",
            &endpoint_url,
        ],
        vec!["publish", "--redis-url", &redis_url],
    ];
    for command in &commands {
        let mut c = tf.cmd();
        c.args(command).args(bad);
        if matches!(command[0], "fanout" | "verify") {
            c.args(tf.pod_args());
        }
        if command[0] == "fanout" {
            c.args(tf.manifest_arg());
        }
        let out = c.output().unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{command:?}: {err}");
        assert!(
            err.starts_with("error: 4 bad paths; nothing was sent:"),
            "{command:?}: {err}"
        );
        assert_eq!(
            bad_lines(&err),
            [
                "argument 1: \"/a%0D%0AX-Evil:%201\": contains %0D, the control character CR (\\r) percent-encoded; control characters are refused raw or encoded, because a server decodes them and they would inject headers or split log lines",
                "argument 2: \"/b%00\": contains %00, the control character NUL (\\0) percent-encoded; control characters are refused raw or encoded, because a server decodes them and they would inject headers or split log lines",
                "argument 3: \"/c?q=%7F\": contains %7F, the control character U+007F percent-encoded; control characters are refused raw or encoded, because a server decodes them and they would inject headers or split log lines",
                "argument 4: \"/d%C2%85\": contains %C2%85, the control character U+0085 percent-encoded; control characters are refused raw or encoded, because a server decodes them and they would inject headers or split log lines",
            ],
            "{command:?}"
        );
    }
    assert_nothing_sent(&tf);
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connected to Redis or CloudFront"
    );
}
