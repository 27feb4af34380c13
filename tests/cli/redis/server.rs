//! Real Redis for the tests: a `redis-server` per test on a free loopback port (with a password
//! when asked), that can be killed and started again on the same port; and a TCP proxy in front
//! of it that can cut every connection and refuse new ones, and counts round trips.
//!
//! Invariants: every process started here is killed and reaped in Drop; nothing assumes a Redis
//! is already running; `redis-server` missing is a failure that says how to install it. Used by
//! the cli tests and (through `#[path]`) the real Next.js tier.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Polls `cond` every 20 ms until it holds or `secs` pass. (This file is shared with the e2e
/// tier, so it does not use the cli tests' common module.)
pub fn poll(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

/// A port the OS says is free right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// One redis-server.
pub struct RedisServer {
    pub port: u16,
    pub password: Option<String>,
    /// TLS only: the directory of the test CA (ca.pem) and the server's certificate.
    tls: Option<std::path::PathBuf>,
    /// More redis-server arguments (cluster mode).
    extra: Vec<String>,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        RedisServer::launch(None)
    }

    /// A server that requires this password (`requirepass`).
    pub fn with_password(password: &str) -> RedisServer {
        RedisServer::launch(Some(password.to_string()))
    }

    /// A server that writes every command to its append-only file before answering, so a
    /// restart after a kill keeps what it held (a stream of jobs).
    pub fn durable() -> RedisServer {
        let extra = ["--appendonly", "yes", "--appendfsync", "always"];
        RedisServer::launch_with(None, None, extra.iter().map(|s| s.to_string()).collect())
    }

    /// A TLS-only server whose certificate (for localhost and 127.0.0.1) is signed by the test
    /// CA in `certs` (see [`make_certs`]).
    pub fn with_tls(certs: &std::path::Path) -> RedisServer {
        RedisServer::launch_with(None, Some(certs.to_path_buf()), Vec::new())
    }

    /// A node of a Redis Cluster (see [`cluster`]), TLS-only when `tls` names the certificates,
    /// requiring `password` when there is one.
    fn cluster_node(tls: Option<&std::path::Path>, password: Option<&str>) -> RedisServer {
        let mut extra = vec!["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"];
        if tls.is_some() {
            extra.extend(["--tls-cluster", "yes"]);
        }
        RedisServer::launch_with(
            password.map(str::to_string),
            tls.map(std::path::Path::to_path_buf),
            extra.iter().map(|s| s.to_string()).collect(),
        )
    }

    fn launch(password: Option<String>) -> RedisServer {
        RedisServer::launch_with(password, None, Vec::new())
    }

    fn launch_with(
        password: Option<String>,
        tls: Option<std::path::PathBuf>,
        extra: Vec<String>,
    ) -> RedisServer {
        for _ in 0..5 {
            let mut s = RedisServer {
                port: free_port(),
                password: password.clone(),
                tls: tls.clone(),
                extra: extra.clone(),
                child: None,
                dir: tempfile::tempdir().expect("tempdir"),
            };
            // Another process may take the port between free_port() and redis-server's bind.
            if s.spawn() {
                return s;
            }
        }
        panic!("redis-server did not start on a free port after 5 tries");
    }

    /// Starts the process on `self.port`; false when it could not listen there.
    fn spawn(&mut self) -> bool {
        let log = self.dir.path().join("redis.log");
        let mut cmd = Command::new("redis-server");
        match &self.tls {
            None => {
                cmd.args(["--port", &self.port.to_string()]);
            }
            Some(certs) => {
                cmd.args(["--port", "0", "--tls-port", &self.port.to_string()])
                    .arg("--tls-cert-file")
                    .arg(certs.join("server.pem"))
                    .arg("--tls-key-file")
                    .arg(certs.join("server.key"))
                    .arg("--tls-ca-cert-file")
                    .arg(certs.join("ca.pem"))
                    .args(["--tls-auth-clients", "no"]);
            }
        }
        cmd.args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--protected-mode", "no"])
            .args(["--loglevel", "warning"]);
        // After the defaults: the last value of an option wins.
        cmd.args(&self.extra)
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(p) = &self.password {
            cmd.args(["--requirepass", p]);
        }
        let child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run redis-server ({e}): the Redis tests need it on PATH; ./scripts/test installs it (apt-get install -y redis-server)"
            )
        });
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if self.ping() {
                return true;
            }
            if let Some(c) = &mut self.child
                && let Ok(Some(_)) = c.try_wait()
            {
                self.child = None;
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "redis-server on port {} did not answer PING within 10 s:\n{}",
            self.port,
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Whether the server answers PING (with AUTH first when it has a password).
    fn ping(&self) -> bool {
        if let Some(certs) = &self.tls {
            revalidate::install_crypto_provider();
            let ca = std::fs::read(certs.join("ca.pem")).expect("ca.pem");
            let client = redis::Client::build_with_tls(
                format!("rediss://localhost:{}", self.port),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca),
                },
            )
            .expect("TLS client");
            return client
                .get_connection_with_timeout(Duration::from_secs(2))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok();
        }
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut req = Vec::new();
        if let Some(p) = &self.password {
            req.extend_from_slice(
                format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{p}\r\n", p.len()).as_bytes(),
            );
        }
        req.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        if s.write_all(&req).is_err() {
            return false;
        }
        let mut buf = [0u8; 64];
        let mut got = Vec::new();
        while !String::from_utf8_lossy(&got).contains("PONG") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return false,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        true
    }

    /// `redis://127.0.0.1:PORT` (no password).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A synchronous client for the test's own commands.
    pub fn client(&self) -> redis::Connection {
        if let Some(certs) = &self.tls {
            revalidate::install_crypto_provider();
            let ca = std::fs::read(certs.join("ca.pem")).expect("ca.pem");
            return redis::Client::build_with_tls(
                format!("rediss://localhost:{}", self.port),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca),
                },
            )
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
            .expect("test client connects over TLS");
        }
        let mut info =
            redis::IntoConnectionInfo::into_connection_info(self.url().as_str()).expect("url");
        if let Some(p) = &self.password {
            let r = info.redis_settings().clone().set_password(p);
            info = info.set_redis_settings(r);
        }
        redis::Client::open(info)
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
            .expect("test client connects")
    }

    /// PUBSUB NUMSUB of a channel.
    pub fn numsub(&self, channel: &str) -> i64 {
        let (_, n): (String, i64) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(channel)
            .query(&mut self.client())
            .expect("PUBSUB NUMSUB");
        n
    }

    /// Kills the server at once (SIGKILL), as a crash or an eviction would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port (empty unless it is [`RedisServer::durable`]).
    pub fn restart(&mut self) {
        self.kill();
        let until = Instant::now() + Duration::from_secs(10);
        while !self.spawn() {
            assert!(
                Instant::now() < until,
                "redis-server did not start again on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Redis Cluster of `n` primaries (no replicas) on free loopback ports, its slots assigned
/// and its state `ok`.
pub fn cluster(n: usize) -> Vec<RedisServer> {
    cluster_of(n, None, None)
}

/// The same, every node requiring `password`.
pub fn cluster_with_password(n: usize, password: &str) -> Vec<RedisServer> {
    cluster_of(n, None, Some(password))
}

/// The same, TLS-only (the cluster bus too), with the certificates of [`make_certs`] in `certs`.
pub fn tls_cluster(n: usize, certs: &std::path::Path) -> Vec<RedisServer> {
    cluster_of(n, Some(certs), None)
}

fn cluster_of(n: usize, tls: Option<&std::path::Path>, password: Option<&str>) -> Vec<RedisServer> {
    let nodes: Vec<RedisServer> = (0..n)
        .map(|_| RedisServer::cluster_node(tls, password))
        .collect();
    let mut create = Command::new("redis-cli");
    if let Some(p) = password {
        // Through the environment, as redis-cli prefers (no warning, not in the process list).
        create.env("REDISCLI_AUTH", p);
    }
    if let Some(certs) = tls {
        create
            .arg("--tls")
            .arg("--cacert")
            .arg(certs.join("ca.pem"));
    }
    create.args(["--cluster", "create"]);
    for node in &nodes {
        create.arg(format!("127.0.0.1:{}", node.port));
    }
    let mut child = create
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-cli runs (it comes with redis-server)");
    // It waits for the nodes to join for as long as it takes: never longer than a minute here.
    let mut status = None;
    poll(60, || {
        status = child.try_wait().expect("redis-cli --cluster create");
        status.is_some()
    });
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut stdout = String::new();
    let _ = child
        .stdout
        .take()
        .map(|mut o| o.read_to_string(&mut stdout));
    assert!(
        status.is_some_and(|s| s.success()),
        "redis-cli --cluster create ({status:?}): {stdout}"
    );
    let ok = poll(20, || {
        nodes.iter().all(|node| {
            redis::cmd("CLUSTER")
                .arg("INFO")
                .query::<String>(&mut node.client())
                .is_ok_and(|info| info.contains("cluster_state:ok"))
        })
    });
    assert!(ok, "the cluster did not reach cluster_state:ok");
    nodes
}

/// Writes a test CA (ca.pem) and a server certificate for localhost and 127.0.0.1 signed by it
/// (server.pem, server.key; also good for client authentication, as a TLS cluster bus needs)
/// into `dir`, with the openssl command-line tool.
pub fn make_certs(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run openssl ({e}); ./scripts/test installs it (apt-get install -y openssl)")
            });
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec![
        "req", "-x509", "-days", "2", "-keyout", "ca.key", "-out", "ca.pem",
    ];
    ca.extend(ec);
    ca.extend([
        "-subj",
        "/CN=revalidate test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&ca);
    let mut csr = vec!["req", "-keyout", "server.key", "-out", "server.csr"];
    csr.extend(ec);
    csr.extend(["-subj", "/CN=localhost"]);
    run(&csr);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

/// A subscriber run by the test itself (what a pod's module-scope subscriber does), on its own
/// thread; its messages are read with [`Subscriber::messages`].
pub struct Subscriber {
    got: Arc<std::sync::Mutex<Vec<(String, String)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Subscriber {
    /// Subscribes to `channels` (and `patterns`), and returns once the server confirmed.
    pub fn start(server: &RedisServer, channels: &[&str], patterns: &[&str]) -> Subscriber {
        let mut conn = server.client();
        conn.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("read timeout");
        let got = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let channels: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
        let patterns: Vec<String> = patterns.iter().map(|c| c.to_string()).collect();
        let (g, s) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut ps = conn.as_pubsub();
            for c in &channels {
                ps.subscribe(c).expect("SUBSCRIBE");
            }
            for p in &patterns {
                ps.psubscribe(p).expect("PSUBSCRIBE");
            }
            let _ = ready_tx.send(());
            while !s.load(Ordering::SeqCst) {
                if let Ok(m) = ps.get_message() {
                    let payload: String = m.get_payload().unwrap_or_default();
                    g.lock()
                        .unwrap()
                        .push((m.get_channel_name().to_string(), payload));
                }
            }
        });
        ready_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("the test subscriber subscribed");
        Subscriber {
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// (channel, payload) of every message so far.
    pub fn messages(&self) -> Vec<(String, String)> {
        self.got.lock().unwrap().clone()
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A TCP proxy to a Redis port: `cut()` closes every connection and refuses new ones until
/// `restore()`; `replies()` counts the reads from the server (a round trip answers at least once).
pub struct Proxy {
    pub port: u16,
    open: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
    replies: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let generation = Arc::new(AtomicU64::new(0));
        let replies = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (o, g, r, s) = (
            open.clone(),
            generation.clone(),
            replies.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        if !o.load(Ordering::SeqCst) {
                            drop(client);
                            continue;
                        }
                        let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                            continue;
                        };
                        let born = g.load(Ordering::SeqCst);
                        pipe(
                            client.try_clone().unwrap(),
                            server.try_clone().unwrap(),
                            g.clone(),
                            born,
                            None,
                        );
                        pipe(server, client, g.clone(), born, Some(r.clone()));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Proxy {
            port,
            open,
            generation,
            replies,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Closes every open connection and refuses (closes at once) new ones.
    pub fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    pub fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }

    pub fn replies(&self) -> u64 {
        self.replies.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
    }
}

/// Copies `from` to `to` until either ends or the proxy's generation moves on.
fn pipe(
    mut from: TcpStream,
    mut to: TcpStream,
    generation: Arc<AtomicU64>,
    born: u64,
    count: Option<Arc<AtomicU64>>,
) {
    std::thread::spawn(move || {
        let _ = from.set_read_timeout(Some(Duration::from_millis(20)));
        let mut buf = [0u8; 16384];
        loop {
            if generation.load(Ordering::SeqCst) != born {
                break;
            }
            match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some(c) = &count {
                        c.fetch_add(1, Ordering::SeqCst);
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        let _ = from.shutdown(std::net::Shutdown::Both);
        let _ = to.shutdown(std::net::Shutdown::Both);
    });
}
