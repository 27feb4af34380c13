//! Faults said in words: an error is one sentence and its hint, never a library's debug
//! structures (the AWS SDK's `ProviderError(ProviderError { source: … })`, `Some("gzip")`), and a
//! body that cannot be decoded is its own reason in verify's verdict, not "no answer".

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use revalidate::verify::FetchOutcome;

use crate::common::{TestFleet, code, envelope, fetch, stderr, stdout, verdict, verify_of};

/// What debug output of Rust types looks like, in any message people read.
fn assert_no_debug_text(text: &str) {
    for tell in ["Some(", "None)", "{ source", "Error(", "Error {", "\\\""] {
        assert!(!text.contains(tell), "debug text ({tell}) in:\n{text}");
    }
}

/// A server on 127.0.0.1 that answers every request with the same raw response, until dropped.
struct Canned {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Canned {
    fn start(response: Vec<u8>) -> Canned {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(mut conn) = conn else { continue };
                    // Read the request head, then answer and close.
                    let mut seen = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = conn.write_all(&response);
                }
            })
        };
        Canned {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Canned {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn no_aws_credentials_is_one_sentence_and_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing configured anywhere.
    let out = crate::cdn::bare(dir.path())
        .args([
            "cdn",
            "invalidate",
            "/a",
            "--distribution",
            "E2QWRUHAPOMQZL",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(lines[0], "error: AWS: no AWS credentials found");
    assert!(lines[1].starts_with("hint: the default credential chain looked in"));
    assert_no_debug_text(&err);

    // A provider that fails: the instance metadata service refuses (as a locked-down node's
    // does). The SDK's error is a nest of structures; people get its words, on one line.
    let imds = Canned::start(
        b"HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 9\r\nconnection: close\r\n\r\nforbidden"
            .to_vec(),
    );
    let out = crate::cdn::bare(dir.path())
        .env("AWS_EC2_METADATA_DISABLED", "false")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url())
        .args([
            "cdn",
            "invalidate",
            "/a",
            "--distribution",
            "E2QWRUHAPOMQZL",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "one error line and its hint:\n{err}");
    assert!(
        lines[0].starts_with("error: AWS: no AWS credentials found: "),
        "{err}"
    );
    assert!(lines[0].contains("IMDS"), "the cause is named: {err}");
    assert!(lines[1].starts_with("hint: "), "{err}");
    assert_no_debug_text(&err);
}

#[test]
fn a_body_that_cannot_be_decoded_is_its_own_reason() {
    let tf = TestFleet::three();
    // A pod that says gzip and sends something else.
    let bad = Canned::start(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-encoding: gzip\r\ncontent-length: 20\r\nconnection: close\r\n\r\nthis is not gzip....".to_vec(),
    );
    let run = |extra: &[&str]| {
        tf.cmd()
            .args(["verify", "/posts/a", "--retries", "0"])
            .args(tf.pod_args())
            .args(["--pod", &format!("pod-x={}", bad.url())])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = envelope(&out);
    let r = verify_of(&env);
    let f = fetch(r, "/posts/a", "pod-x");
    assert_eq!(f.outcome, Some(FetchOutcome::Undecodable), "{f:#?}");
    let error = f.error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with("the gzip body cannot be decoded: "),
        "{error}"
    );
    let v = verdict(r, "/posts/a");
    assert_eq!(v.reason, "a body that cannot be decoded (gzip) from pod-x");
    assert_eq!(v.unreachable_pods, ["pod-x"]);
    // People read the same words, and no debug form.
    let out = run(&[]);
    assert_eq!(code(&out), 3);
    let text = stdout(&out);
    assert!(text.contains("the gzip body cannot be decoded"), "{text}");
    assert!(!text.contains("no answer"), "{text}");
    assert_no_debug_text(&text);
}

/// The scripts that install the npm packages of the Node tiers are bounded: an `npm ci` that
/// hangs (a registry that stops answering) fails them with a message naming it, instead of
/// hanging CI. `npm` here is a stand-in that never ends.
#[test]
fn a_hung_npm_ci_fails_the_prepare_scripts_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let npm = bin.join("npm");
    std::fs::write(&npm, "#!/bin/sh\nexec sleep 600\n").unwrap();
    std::fs::set_permissions(&npm, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (script, args) in [
        ("tests/e2e/prepare.sh", vec!["next16"]),
        ("tests/node/prepare.sh", vec![]),
    ] {
        let cache = dir
            .path()
            .join(format!("cache-{}", script.replace('/', "-")));
        let started = std::time::Instant::now();
        let out = std::process::Command::new("bash")
            .arg(root.join(script))
            .arg("--cache")
            .arg(&cache)
            .args(&args)
            .env("PATH", &path)
            .env("NPM_CI_TIMEOUT", "1")
            .output()
            .unwrap();
        let took = started.elapsed();
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{script}: {err}");
        assert!(
            err.contains("npm ci (NPM_CI_TIMEOUT) did not finish within 1 s"),
            "{script}: {err}"
        );
        assert!(
            took < std::time::Duration::from_secs(30),
            "{script}: {took:?}"
        );
    }
}
