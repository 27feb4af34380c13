//! The Redis steps (publish, watch, agent) of the built binary against real `redis-server`s (one
//! per test, on a free loopback port; some with a password), the simulated fleet, and a real Node
//! subscriber. JSON is read into the library's types after validation against the schemas; human
//! output is pinned by insta snapshots with ids, ports and durations redacted.

mod agent;
mod catchup;
mod cluster;
mod demo;
mod node;
mod publish;
mod roster;
mod secrets;
pub mod server;
mod tags;
mod tls;
mod watch;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::Step;

use crate::common::envelope;
pub use crate::common::{Event, event};

/// Every line of a finished command's `-o ndjson` output.
pub fn events(out: &Output) -> Vec<Event> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(event)
        .collect()
}

/// The one publish report of an envelope.
pub fn publish_of(env: &crate::common::Doc) -> &revalidate::publish::Report {
    match env.steps.as_slice() {
        [Step::Publish(r)] => r,
        other => panic!("expected one publish step, got {other:#?}"),
    }
}

/// `revalidate -o json publish ...`'s report, validated and typed.
pub fn publish_json(out: &Output) -> revalidate::publish::Report {
    publish_of(&envelope(out)).clone()
}

/// The binary in a fresh directory with a clean environment, as a plain process.
pub fn command(dir: &std::path::Path) -> Command {
    crate::common::std_command(dir)
}

/// A long-running `revalidate` (agent, watch): stdout lines and stderr collected as they come.
pub struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    pub fn spawn(mut cmd: Command) -> Running {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("revalidate starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let l = lines.clone();
        let e = err.clone();
        let readers = vec![
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    l.lock().unwrap().push(line);
                }
            }),
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    e.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }),
        ];
        Running {
            child,
            lines,
            err,
            readers,
        }
    }

    /// stdout so far, as lines.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// stdout so far, as events (each validated against the schema).
    pub fn events(&self) -> Vec<Event> {
        self.lines().iter().map(|l| event(l)).collect()
    }

    pub fn stderr(&self) -> String {
        self.err.lock().unwrap().clone()
    }

    /// Polls the events until one satisfies `pred`; panics with the output after `secs`.
    pub fn wait_for(&self, secs: u64, what: &str, pred: impl Fn(&Event) -> bool) {
        let ok = crate::common::wait_until(secs, || self.events().iter().any(&pred));
        assert!(
            ok,
            "{what}: not seen within {secs} s\nstdout:\n{}\nstderr:\n{}",
            self.lines().join("\n"),
            self.stderr()
        );
    }

    /// Sends a signal by name (TERM, INT, KILL).
    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{sig} {}", self.child.id());
    }

    /// Waits for the process to exit (at most `secs`): its exit code, stdout and stderr.
    pub fn wait(mut self, secs: u64) -> (i32, String, String) {
        let until = Instant::now() + Duration::from_secs(secs);
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                break s;
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!(
                    "the process did not exit within {secs} s\nstdout:\n{}\nstderr:\n{}",
                    self.lines().join("\n"),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        (
            status.code().unwrap_or(-1),
            self.lines().join("\n"),
            self.stderr(),
        )
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bare HTTP/1.1 GET: (status, body).
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not HTTP: {head}")))?;
    Ok((status, body.to_string()))
}

/// insta filters for Redis output: message ids, ports, durations and clock times.
pub fn redactions() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\b[0-9a-f]{16}\b", "[id]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"\b\d+(\.\d+)?(ms|s)\b", "[duration]"),
        (r"\d{2}:\d{2}:\d{2}\.\d{3}", "[time]"),
    ]
}
