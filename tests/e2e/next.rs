//! Real Next.js fleets: `tests/e2e/prepare.sh` installs and builds the app once per change of its
//! inputs (cached under `<target>/e2e/`), then each pod gets its own copy of the standalone build
//! (so its own ISR cache, as on separate machines) and runs `node server.js` on a free loopback
//! port. All pods of a fleet read one content file, the shared "CMS". Invariant: every process
//! started here is killed and reaped when the fleet is dropped, pass or panic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::fleet::{self, Fleet, PodRef};

/// The Next.js versions of the tier; each is a directory of tests/e2e with its package lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Next13,
    Next16,
}

impl Version {
    pub fn dir(self) -> &'static str {
        match self {
            Version::Next13 => "next13",
            Version::Next16 => "next16",
        }
    }

    pub fn next_version(self) -> &'static str {
        match self {
            Version::Next13 => "13.5.11",
            Version::Next16 => "16.4.6",
        }
    }
}

const PODS: usize = 3;
/// How long a cold `node server.js` may take to answer its first request.
const READY_WITHIN: Duration = Duration::from_secs(60);

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e")
}

/// `<target>/e2e`: cargo gives integration tests `<target>/tmp`.
fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .join("e2e")
}

/// Installs and builds `version` when needed; returns the cached standalone build directory.
/// Fails (never skips) when Node.js or npm is missing: CI must run this tier.
pub fn prepare(version: Version) -> PathBuf {
    let script = e2e_dir().join("prepare.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg("--cache")
        .arg(cache_dir())
        .arg(version.dir())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tests/e2e/prepare.sh {} failed ({}); the real Next.js tier needs Node.js 20.9+ and npm \
         on PATH and the npm registry for the first install:\n{stderr}",
        version.dir(),
        out.status
    );
    let line = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(&format!("{} ", version.dir())))
        .unwrap_or_else(|| panic!("prepare.sh printed no build directory:\n{stdout}\n{stderr}"));
    PathBuf::from(line.trim())
}

/// A pod started after the others (killed in Drop).
pub struct LatePod(NodePod);

impl LatePod {
    pub fn url(&self) -> String {
        self.0.url()
    }

    /// Its copy of the build's `.next`.
    pub fn next_dir(&self) -> PathBuf {
        self.0.dir.path().join(".next")
    }
}

/// One `node server.js` and the copy of the build it runs from.
struct NodePod {
    name: String,
    port: u16,
    child: Child,
    log: PathBuf,
    // Dropped after `child` is killed (see Drop), so the server never sees its files vanish.
    dir: tempfile::TempDir,
}

impl NodePod {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Polls until the pod serves a pre-rendered page; Err with its log when it exited or hung.
    fn wait_ready(&mut self) -> Result<(), String> {
        let until = Instant::now() + READY_WITHIN;
        loop {
            if let Ok(visit) = fleet::get(&self.url(), "/posts/a")
                && visit.status == 200
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Err(format!("exited with {status}:\n{}", self.log_tail()));
            }
            if Instant::now() > until {
                return Err(format!(
                    "not answering after {READY_WITHIN:?}:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for NodePod {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port the OS says is free right now; `launch` retries if another process takes it first.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// Three real pods of one Next.js build.
pub struct NextFleet {
    version: Version,
    /// Varnish in front of the pods (started by `start`); dropped before them.
    edge: Option<crate::edge::Varnish>,
    /// Held for their Drop: each server is killed and reaped, before the content file goes.
    _pods: Vec<NodePod>,
    refs: Vec<PodRef>,
    content: PathBuf,
    manifest: PathBuf,
    secret: String,
    build_id: String,
    /// Empty until the edge runs.
    edge_url: String,
    _dir: tempfile::TempDir,
}

impl NextFleet {
    /// Three pods and Varnish in front of them.
    pub fn start(version: Version, build: &Path) -> NextFleet {
        NextFleet::start_behind_edge(version, build, &[])
    }

    /// Three pods with more environment (as [`NextFleet::start_with_env`]) and Varnish in
    /// front of them.
    pub fn start_behind_edge(version: Version, build: &Path, env: &[(&str, String)]) -> NextFleet {
        let mut fleet = NextFleet::start_with_env(version, build, env);
        let urls: Vec<String> = fleet.refs.iter().map(|p| p.url.clone()).collect();
        let edge = crate::edge::Varnish::start(&urls);
        fleet.edge_url = edge.url();
        fleet.edge = Some(edge);
        fleet
    }

    /// Starts the fleet with more environment for every pod (REDIS_URL turns on the
    /// module-scope Redis subscriber of `app/pages/_app.js`).
    pub fn start_with_env(version: Version, build: &Path, env: &[(&str, String)]) -> NextFleet {
        let dir = tempfile::tempdir().expect("tempdir");
        let content = dir.path().join("content.json");
        fs::copy(e2e_dir().join("app/content.json"), &content).expect("seed content");
        let secret = revalidate_sim::random_hex(24);
        let mut pods = Vec::with_capacity(PODS);
        for i in 0..PODS {
            let copy = tempfile::tempdir().expect("tempdir");
            copy_tree(build, copy.path());
            pods.push(launch(
                format!("pod-{}", i + 1),
                copy,
                &content,
                &secret,
                env,
            ));
        }
        for pod in &mut pods {
            let mut attempts = 1;
            while let Err(why) = pod.wait_ready() {
                // Another process took the port between free_port() and node's listen().
                if why.contains("EADDRINUSE") && attempts < 3 {
                    attempts += 1;
                    let copy = std::mem::replace(&mut pod.dir, tempfile::tempdir().unwrap());
                    *pod = launch(pod.name.clone(), copy, &content, &secret, env);
                    continue;
                }
                panic!(
                    "Next.js {} {} did not start: {why}",
                    version.next_version(),
                    pod.name
                );
            }
        }
        let refs = pods
            .iter()
            .map(|p| PodRef {
                name: p.name.clone(),
                url: p.url(),
            })
            .collect();
        let ids: Vec<String> = pods
            .iter()
            .map(|p| preview_mode_id(&manifest_of(p.dir.path())))
            .collect();
        assert!(
            ids.iter().all(|id| id == &ids[0] && id.len() == 32),
            "every copy of one build has the same previewModeId: {ids:?}"
        );
        let manifest = manifest_of(pods[0].dir.path());
        let build_id = fs::read_to_string(pods[0].dir.path().join(".next/BUILD_ID"))
            .expect(".next/BUILD_ID")
            .trim()
            .to_owned();
        NextFleet {
            version,
            edge: None,
            build_id,
            edge_url: String::new(),
            _pods: pods,
            refs,
            content,
            manifest,
            secret,
            _dir: dir,
        }
    }

    /// A pod started later from the same build, as a scale-up starts one from the same image:
    /// its files keep the build's modification times (`cp -p`, as image layers do), it reads
    /// the fleet's content, and it answers before this returns.
    pub fn start_late_pod(&self, build: &Path, name: &str) -> LatePod {
        let copy = tempfile::tempdir().expect("tempdir");
        let status = Command::new("cp")
            .arg("-R")
            .arg("-p")
            .arg(format!("{}/.", build.display()))
            .arg(copy.path())
            .status()
            .expect("cp runs");
        assert!(status.success(), "cp -R -p {}", build.display());
        let mut pod = launch(name.to_string(), copy, &self.content, &self.secret, &[]);
        if let Err(why) = pod.wait_ready() {
            panic!("the late pod did not start: {why}");
        }
        LatePod(pod)
    }

    fn edit(&self, change: impl FnOnce(&mut serde_json::Map<String, Value>)) {
        let text = fs::read_to_string(&self.content).expect("read content");
        let mut posts: Value = serde_json::from_str(&text).expect("content is JSON");
        change(posts.as_object_mut().expect("content is an object"));
        // Written beside and renamed over, so no pod ever reads half a file.
        let tmp = self.content.with_extension("json.tmp");
        fs::write(&tmp, serde_json::to_vec_pretty(&posts).unwrap()).expect("write content");
        fs::rename(&tmp, &self.content).expect("replace content");
    }
}

impl Fleet for NextFleet {
    fn describe(&self) -> String {
        format!("real Next.js {}", self.version.next_version())
    }

    fn pods(&self) -> &[PodRef] {
        &self.refs
    }

    fn manifest(&self) -> &Path {
        &self.manifest
    }

    fn secret(&self) -> &str {
        &self.secret
    }

    fn set_title(&self, slug: &str, title: &str) {
        self.edit(|posts| {
            let body = format!("Body of post {}, version 1.", slug.to_uppercase());
            let post = posts
                .entry(slug)
                .or_insert_with(|| serde_json::json!({ "body": body }));
            post["title"] = Value::from(title);
        });
    }

    fn delete(&self, slug: &str) {
        self.edit(|posts| {
            posts.remove(slug);
        });
    }

    fn edge(&self) -> &str {
        assert!(self.edge.is_some(), "the fleet runs no edge");
        &self.edge_url
    }

    fn build_id(&self) -> String {
        self.build_id.clone()
    }
}

fn launch(
    name: String,
    dir: tempfile::TempDir,
    content: &Path,
    secret: &str,
    env: &[(&str, String)],
) -> NodePod {
    let port = free_port();
    let log = dir.path().join("server.log");
    let out = fs::File::create(&log).expect("server log");
    let err = out.try_clone().expect("server log");
    let child = Command::new("node")
        .arg("server.js")
        .current_dir(dir.path())
        .env("PORT", port.to_string())
        .env("HOSTNAME", "127.0.0.1")
        .env("CONTENT_FILE", content)
        .env("REVALIDATE_SECRET", secret)
        .env("POD_NAME", &name)
        .env("NEXT_TELEMETRY_DISABLED", "1")
        .env("NODE_ENV", "production")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node (Node.js 20.9+ must be on PATH): {e}"));
    NodePod {
        name,
        port,
        child,
        log,
        dir,
    }
}

fn manifest_of(dir: &Path) -> PathBuf {
    dir.join(".next/prerender-manifest.json")
}

fn preview_mode_id(manifest: &Path) -> String {
    let text =
        fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let doc: Value = serde_json::from_str(&text).expect("manifest is JSON");
    doc["preview"]["previewModeId"]
        .as_str()
        .expect("preview.previewModeId")
        .to_owned()
}

/// Copies a build into an instance's own directory (`cp -R`: files, directories and links).
fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-R")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(
        status.success(),
        "cp -R {} {}",
        from.display(),
        to.display()
    );
}
