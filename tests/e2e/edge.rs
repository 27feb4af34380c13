//! A real caching edge in front of the real pods: `varnishd` on a free loopback port, with the
//! committed `varnish.vcl` (cache key: URL and the App Router's router headers; PURGE and BAN
//! from loopback; no grace) and a round-robin director over the pods, written per test.
//! Invariant: the process is killed and reaped when the edge is dropped, pass or panic.

use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long varnishd may take to compile the VCL and listen.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// `varnishd`, from PATH or where Debian installs it (`/usr/sbin` is not on every user's PATH).
fn varnishd() -> PathBuf {
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("varnishd");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    PathBuf::from("/usr/sbin/varnishd")
}

pub struct Varnish {
    port: u16,
    child: Child,
    // Dropped after the child is killed (see Drop).
    _dir: tempfile::TempDir,
}

/// Polls until varnishd listens; Err with its log when it exited or hung.
fn wait_ready(child: &mut Child, port: u16, log: &Path) -> Result<(), String> {
    let until = Instant::now() + READY_WITHIN;
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Err(format!(
                "exited with {status}:\n{}",
                fs::read_to_string(log).unwrap_or_default()
            ));
        }
        if Instant::now() > until {
            return Err(format!(
                "not listening after {READY_WITHIN:?}:\n{}",
                fs::read_to_string(log).unwrap_or_default()
            ));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

impl Varnish {
    /// Starts Varnish in front of `pods` (`http://127.0.0.1:PORT` each).
    pub fn start(pods: &[String]) -> Varnish {
        let dir = tempfile::tempdir().expect("tempdir");
        let vcl = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/varnish.vcl");
        let mut main = String::from("vcl 4.1;\nimport directors;\n\n");
        for (i, url) in pods.iter().enumerate() {
            let port = url.rsplit(':').next().expect("a pod URL with a port");
            main.push_str(&format!(
                "backend pod{i} {{ .host = \"127.0.0.1\"; .port = \"{port}\"; }}\n"
            ));
        }
        main.push_str("\nsub vcl_init {\n    new pods = directors.round_robin();\n");
        for i in 0..pods.len() {
            main.push_str(&format!("    pods.add_backend(pod{i});\n"));
        }
        main.push_str(&format!("}}\n\ninclude \"{}\";\n", vcl.display()));
        let main_vcl = dir.path().join("main.vcl");
        fs::write(&main_vcl, main).expect("write the VCL");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
                l.local_addr().expect("local addr").port()
            };
            let log = dir.path().join(format!("varnishd-{attempt}.log"));
            let out = fs::File::create(&log).expect("varnish log");
            let err = out.try_clone().expect("varnish log");
            let child = Command::new(varnishd())
                .arg("-F")
                .args(["-j", "none"])
                .args(["-a", &format!("127.0.0.1:{port}")])
                .arg("-f")
                .arg(&main_vcl)
                .arg("-n")
                .arg(dir.path().join(format!("work-{attempt}")))
                .args(["-s", "malloc,64m", "-T", "none"])
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot start varnishd (the end-to-end tier needs Varnish: apt-get install varnish): {e}"
                    )
                });
            let mut child = child;
            match wait_ready(&mut child, port, &log) {
                Ok(()) => {
                    return Varnish {
                        port,
                        child,
                        _dir: dir,
                    };
                }
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if attempt < 3 && why.contains("Address already in use") {
                        continue;
                    }
                    panic!("varnishd did not start: {why}");
                }
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
