//! The cdn commands, end to end: the built binary against a real `moto_server` behind the
//! fault-injecting CloudFront proxy (each test starts its own, with a distribution it creates),
//! a caching edge in front of the simulated fleet, and the Cloudflare purge API fake. JSON is
//! read into the library's own report types after validation against the checked-in schemas;
//! human tables are pinned by insta snapshots with ids, ports and durations redacted.

mod invalidate;
mod oncall;
mod purge;

use std::path::Path;
use std::process::Output;

use crate::common::Step;
use revalidate::cdn;
use revalidate_sim::{CloudFrontOptions, CloudFrontProxy, CloudFrontRequest, Moto, Operation};

pub use crate::common::events;
use crate::common::{code, envelope, stderr};

/// Sentinel AWS credentials: distinctive values that must never be printed.
pub const KEY_ID: &str = "AKIAREVALIDATECDN7Q2X";
pub const SECRET_KEY: &str = "Zq9cdnSecretKeyRevalidateTestValue0001abc";

/// Variables that would change what the binary does if the machine running the tests set them.
fn scrub(c: &mut std::process::Command) {
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_")
            || k.starts_with("CLOUDFLARE_")
            || k.ends_with("_PROXY")
            || k.ends_with("_proxy")
            || cdn::CI_RUN_ID_VARS.contains(&k.as_str())
        {
            c.env_remove(&k);
        }
    }
}

/// The binary in `dir` with no AWS configuration at all: no keys, empty config and
/// credentials files (not the developer's ~/.aws), no instance metadata.
pub fn bare(dir: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(bare_std(dir))
}

/// [`bare`] as a plain process, for signals.
pub fn bare_std(dir: &Path) -> std::process::Command {
    let mut c = crate::common::std_command(dir);
    scrub(&mut c);
    let (config, credentials) = (dir.join("aws-config"), dir.join("aws-credentials"));
    for f in [&config, &credentials] {
        if !f.exists() {
            std::fs::write(f, "").expect("empty AWS file");
        }
    }
    c.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", credentials);
    c
}

/// moto behind the fault proxy, with one distribution, on a runtime of its own.
pub struct Aws {
    pub rt: tokio::runtime::Runtime,
    pub moto: Option<Moto>,
    pub proxy: Option<CloudFrontProxy>,
    pub dist: String,
    pub dir: tempfile::TempDir,
}

impl Aws {
    pub fn start(opts: CloudFrontOptions) -> Aws {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (moto, proxy, dist) = rt.block_on(async {
            let moto = Moto::start().await.unwrap_or_else(|e| panic!("{e}"));
            let dist = moto.create_distribution().await.expect("distribution");
            let proxy = CloudFrontProxy::start(moto.addr(), opts)
                .await
                .expect("proxy");
            (moto, proxy, dist)
        });
        Aws {
            rt,
            moto: Some(moto),
            proxy: Some(proxy),
            dist,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn proxy(&self) -> &CloudFrontProxy {
        self.proxy.as_ref().expect("running")
    }

    /// The binary with the sentinel keys and the proxy as the endpoint (through the env var
    /// aws-config and revalidate both read).
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = bare(self.dir.path());
        c.env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_ENDPOINT_URL_CLOUDFRONT", self.proxy().url());
        c
    }

    /// `cdn invalidate --distribution D` with fast polls, then `args`.
    pub fn invalidate(&self, args: &[&str]) -> Output {
        self.cmd()
            .args(["cdn", "invalidate", "--distribution", &self.dist])
            .args(["--poll-min", "10ms", "--poll-max", "50ms"])
            .args(args)
            .output()
            .expect("runs")
    }

    /// Requests the proxy answered for one operation.
    pub fn calls(&self, op: Operation) -> Vec<CloudFrontRequest> {
        self.proxy()
            .requests()
            .into_iter()
            .filter(|r| r.operation == op)
            .collect()
    }
}

impl Drop for Aws {
    fn drop(&mut self) {
        let _g = self.rt.enter();
        drop(self.proxy.take());
        drop(self.moto.take());
    }
}

/// The one cdn-invalidate report of an envelope.
pub fn invalidate_of(env: &crate::common::Doc) -> &cdn::invalidate::Report {
    match env.steps.as_slice() {
        [Step::CdnInvalidate(r)] => r,
        other => panic!("expected one cdn-invalidate step, got {other:#?}"),
    }
}

/// The one cdn-status report of an envelope.
pub fn status_of(env: &crate::common::Doc) -> &cdn::wait::StatusReport {
    match env.steps.as_slice() {
        [Step::CdnStatus(r)] => r,
        other => panic!("expected one cdn-status step, got {other:#?}"),
    }
}

/// The one cdn-purge report of an envelope.
pub fn purge_of(env: &crate::common::Doc) -> &cdn::purge::Report {
    match env.steps.as_slice() {
        [Step::CdnPurge(r)] => r,
        other => panic!("expected one cdn-purge step, got {other:#?}"),
    }
}

/// stdout as the JSON envelope, failing with stderr when the command did not print one.
pub fn doc(out: &Output) -> crate::common::Doc {
    assert!(
        !out.stdout.is_empty(),
        "no JSON on stdout (exit {}); stderr:\n{}",
        code(out),
        stderr(out)
    );
    envelope(out)
}

/// No form of any of `secrets` (any encoding, any letter case) shows on stdout or stderr.
pub fn assert_never_shown(out: &Output, secrets: &[&str], what: &str) {
    crate::echo::assert_no_leak(out, secrets, what);
}

/// Human output with what changes from run to run replaced: invalidation and distribution
/// ids, caller references, ports, times and durations. Ids and times keep their width, so the
/// columns after them stay aligned.
pub fn redact(text: &str, dist: Option<&str>) -> String {
    let mut t = match dist {
        Some(d) => text.replace(d, &fit("[DIST", d.len())),
        None => text.to_string(),
    };
    for (re, with) in [
        (r"revalidate-[0-9a-f]{40}", "[REF"),
        (r"\b[A-Z][0-9A-Z]{12,13}\b", "[ID"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME"),
        (r"\b\d+(\.\d+)?(ms|s)\b", "[DUR]"),
        (r"\b\d+m\d\ds\b", "[DUR]"),
        (r"run id [0-9a-f]{16} ", "run id [RANDOM] "),
    ] {
        t = regex::Regex::new(re)
            .expect("static regex")
            .replace_all(&t, |c: &regex::Captures<'_>| {
                if with.ends_with(']') || with.ends_with(' ') {
                    with.to_string()
                } else {
                    fit(with, c[0].len())
                }
            })
            .into_owned();
    }
    t
}

/// `[NAME....]` as wide as what it replaces (at least `[NAME]`).
fn fit(open: &str, width: usize) -> String {
    let dots = width.saturating_sub(open.len() + 1);
    format!("{open}{}]", ".".repeat(dots))
}
