//! Test harness: a simulated fleet on its own runtime thread, and the binary with a clean
//! environment (no REVALIDATE_* variables, no colour, an empty working directory so no
//! revalidate.toml is picked up by accident).

#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};

use revalidate::report::{Envelope, StepReport};
use revalidate::{agent, cdn, discover, publish, watch};
use revalidate::{fanout, verify};
use revalidate_sim::{Balancer, Fleet, FleetOptions, Pod};

/// A running fleet plus the files a test points the binary at.
pub struct TestFleet {
    pub rt: tokio::runtime::Runtime,
    pub fleet: Option<Fleet>,
    pub dir: tempfile::TempDir,
    pub manifest: PathBuf,
}

impl TestFleet {
    pub fn start(opts: FleetOptions) -> TestFleet {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let fleet = rt.block_on(Fleet::start(opts)).expect("fleet starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let manifest = fleet
            .write_prerender_manifest(dir.path())
            .expect("manifest");
        TestFleet {
            rt,
            fleet: Some(fleet),
            dir,
            manifest,
        }
    }

    pub fn three() -> TestFleet {
        TestFleet::start(FleetOptions::default())
    }

    pub fn fleet(&self) -> &Fleet {
        self.fleet.as_ref().expect("running")
    }

    pub fn pods(&self) -> &[Pod] {
        self.fleet().pods()
    }

    pub fn pod(&self, i: usize) -> &Pod {
        &self.pods()[i]
    }

    /// The page's title as one pod serves it now (fetched over HTTP, as a browser would).
    pub fn served_title(&self, pod: usize, path: &str) -> String {
        let url = format!("{}{path}", self.pod(pod).url());
        let body = self.block_on(async move {
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .get(url)
                .send()
                .await
                .expect("pod answers")
                .text()
                .await
                .unwrap()
        });
        let start = body.find("<title>").expect("a title") + "<title>".len();
        body[start..start + body[start..].find("</title>").unwrap()].to_string()
    }

    /// `--pod name=url` for every pod.
    pub fn pod_args(&self) -> Vec<String> {
        self.pods()
            .iter()
            .flat_map(|p| ["--pod".to_string(), format!("{}={}", p.name(), p.url())])
            .collect()
    }

    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn balancer(&self) -> Balancer {
        self.block_on(self.fleet().start_balancer())
            .expect("balancer")
    }

    /// The binary, in this fleet's directory, with `--preview-id-file` ready to add.
    pub fn cmd(&self) -> assert_cmd::Command {
        revalidate_in(self.dir.path())
    }

    pub fn manifest_arg(&self) -> [String; 2] {
        [
            "--preview-id-file".into(),
            self.manifest.display().to_string(),
        ]
    }

    /// Writes a file in the fleet's directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for TestFleet {
    fn drop(&mut self) {
        if let Some(f) = self.fleet.take() {
            self.rt.block_on(f.shutdown());
        }
    }
}

/// The built binary as a plain process (for signals, pipes and children) with a clean
/// environment, run in `dir`.
pub fn std_command(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_revalidate"));
    for (k, _) in std::env::vars() {
        if k.starts_with("REVALIDATE_") {
            c.env_remove(&k);
        }
    }
    c.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        // Tests that want GitHub Actions' outputs say so; a developer's own CI must not add them.
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("CI", "1")
        .current_dir(dir);
    c
}

/// The built binary with a clean environment, run in `dir`.
pub fn revalidate_in(dir: &Path) -> assert_cmd::Command {
    assert_cmd::Command::from_std(std_command(dir))
}

/// The binary in a fresh empty directory.
pub fn revalidate() -> (assert_cmd::Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    (revalidate_in(dir.path()), dir)
}

/// stdout as JSON.
pub fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Validates a document against one of the checked-in schemas.
pub fn assert_schema(schema_file: &str, doc: &serde_json::Value) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(name)).expect("schema file"))
            .expect("schema is JSON")
    };
    let report = load("report.schema.json");
    let schema = load(schema_file);
    let registry = jsonschema::Registry::new()
        .add(
            "https://github.com/revalidate/revalidate/schema/report.schema.json",
            jsonschema::Resource::from_contents(report),
        )
        .expect("report schema is accepted")
        .prepare()
        .expect("registry builds");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema_file} rejects the output:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(doc).unwrap()
    );
}

/// Polls `cond` until it holds or `secs` pass; never sleeps as synchronisation beyond the poll.
pub fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if cond() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    cond()
}

/// The exit code of a finished command.
pub fn code(out: &std::process::Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// A step's report in a `-o json` document, typed by its kind: the library's own report types.
#[derive(Debug)]
pub enum Step {
    Discover(discover::Report),
    Recheck(discover::Recheck),
    Fanout(fanout::Report),
    FanoutDryRun(fanout::DryRun),
    Verify(verify::Report),
    VerifyDryRun(verify::DryRun),
    CdnInvalidate(cdn::invalidate::Report),
    CdnInvalidateDryRun(cdn::invalidate::DryRun),
    CdnStatus(cdn::wait::StatusReport),
    CdnPurge(cdn::purge::Report),
    CdnPurgeDryRun(cdn::purge::DryRun),
    Publish(publish::Report),
    PublishDryRun(publish::DryRun),
    Watch(watch::Report),
    Agent(agent::Report),
    Agents(revalidate::roster::Report),
    Snapshot(revalidate::run::SnapshotReport),
    Run(revalidate::run::Report),
    Doctor(revalidate::doctor::Report),
}

impl Step {
    fn read(v: &serde_json::Value) -> Result<Step, String> {
        fn as_<T: StepReport + serde::de::DeserializeOwned>(
            v: &serde_json::Value,
        ) -> Result<T, String> {
            T::deserialize(v).map_err(|e| format!("a {} report that does not read ({e})", T::KIND))
        }
        let kind = v.get("step").and_then(|k| k.as_str()).unwrap_or_default();
        Ok(match kind {
            k if k == discover::Report::KIND => Step::Discover(as_(v)?),
            k if k == discover::Recheck::KIND => Step::Recheck(as_(v)?),
            k if k == fanout::Report::KIND => Step::Fanout(as_(v)?),
            k if k == fanout::DryRun::KIND => Step::FanoutDryRun(as_(v)?),
            k if k == verify::Report::KIND => Step::Verify(as_(v)?),
            k if k == verify::DryRun::KIND => Step::VerifyDryRun(as_(v)?),
            k if k == cdn::invalidate::Report::KIND => Step::CdnInvalidate(as_(v)?),
            k if k == cdn::invalidate::DryRun::KIND => Step::CdnInvalidateDryRun(as_(v)?),
            k if k == cdn::wait::StatusReport::KIND => Step::CdnStatus(as_(v)?),
            k if k == cdn::purge::Report::KIND => Step::CdnPurge(as_(v)?),
            k if k == cdn::purge::DryRun::KIND => Step::CdnPurgeDryRun(as_(v)?),
            k if k == publish::Report::KIND => Step::Publish(as_(v)?),
            k if k == revalidate::roster::Report::KIND => Step::Agents(as_(v)?),
            k if k == publish::DryRun::KIND => Step::PublishDryRun(as_(v)?),
            k if k == watch::Report::KIND => Step::Watch(as_(v)?),
            k if k == agent::Report::KIND => Step::Agent(as_(v)?),
            k if k == revalidate::run::SnapshotReport::KIND => Step::Snapshot(as_(v)?),
            k if k == revalidate::run::Report::KIND => Step::Run(as_(v)?),
            k if k == revalidate::doctor::Report::KIND => Step::Doctor(as_(v)?),
            other => return Err(format!("a step of unknown kind {other:?}")),
        })
    }
}

/// A `-o json` document read back: the envelope's fields, and its steps typed.
#[derive(Debug)]
pub struct Doc {
    pub schema_version: u32,
    pub command: String,
    pub duration_ms: f64,
    pub dry_run: bool,
    pub steps: Vec<Step>,
    pub stopped: Option<revalidate::exit::Stop>,
    pub exit_code: u8,
    /// The document as written.
    pub envelope: Envelope,
}

/// stdout as the `-o json` envelope: validated against the checked-in schema, then read into the
/// library's own types (so a test reads fields, never indexes strings).
pub fn envelope(out: &std::process::Output) -> Doc {
    let v = json(out);
    assert_schema("report.schema.json", &v);
    let env: Envelope = serde_json::from_value(v).unwrap_or_else(|e| {
        panic!(
            "stdout does not read as an envelope ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert_eq!(
        i32::from(env.exit_code),
        code(out),
        "the envelope's exit_code is the process's"
    );
    let steps = env
        .steps
        .iter()
        .map(Step::read)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("{e}:\n{}", String::from_utf8_lossy(&out.stdout)));
    Doc {
        schema_version: env.schema_version,
        command: env.command.clone(),
        duration_ms: env.duration_ms,
        dry_run: env.dry_run,
        steps,
        stopped: env.stopped,
        exit_code: env.exit_code,
        envelope: env,
    }
}

/// The one fanout report of an envelope.
pub fn fanout_of(env: &Doc) -> &fanout::Report {
    match env.steps.as_slice() {
        [Step::Fanout(r)] => r,
        other => panic!("expected one fanout step, got {other:#?}"),
    }
}

/// The one verify report of an envelope.
pub fn verify_of(env: &Doc) -> &verify::Report {
    match env.steps.as_slice() {
        [Step::Verify(r)] => r,
        other => panic!("expected one verify step, got {other:#?}"),
    }
}

/// One `-o ndjson` line, read with the library's own line type: its event and step, its payload
/// typed on demand with the library's type for that event (`e.get::<fanout::Cell>()`).
pub type Event = revalidate::report::Line<'static, serde_json::Value>;

/// Every line of `-o ndjson` output: each validated against the event schema, then typed.
pub fn events(out: &std::process::Output) -> Vec<Event> {
    event_lines(String::from_utf8_lossy(&out.stdout).lines())
}

/// NDJSON lines (e.g. read from a running child): each validated against the event schema,
/// then read.
pub fn event_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<Event> {
    lines.into_iter().map(event).collect()
}

/// One NDJSON line, validated against the event schema, then read.
pub fn event(line: &str) -> Event {
    let v: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    assert_schema("event.schema.json", &v);
    serde_json::from_value(v).unwrap_or_else(|e| panic!("not an event ({e}): {line}"))
}

/// Runs `c` with `-o json` and returns its output and envelope (schema-checked, typed).
pub fn run_json(mut c: assert_cmd::Command) -> (std::process::Output, Doc) {
    let out = c.args(["-o", "json"]).output().expect("runs");
    let env = envelope(&out);
    (out, env)
}

/// The one fanout dry-run report of an envelope.
pub fn fanout_dry_run_of(env: &Doc) -> &fanout::DryRun {
    match env.steps.as_slice() {
        [Step::FanoutDryRun(d)] => d,
        other => panic!("expected one fanout dry-run step, got {other:#?}"),
    }
}

/// The one verify dry-run report of an envelope.
pub fn verify_dry_run_of(env: &Doc) -> &verify::DryRun {
    match env.steps.as_slice() {
        [Step::VerifyDryRun(d)] => d,
        other => panic!("expected one verify dry-run step, got {other:#?}"),
    }
}

/// (path or `tag:<tag>`, pod, outcome) of every cell of a fanout report, in report order.
pub fn cells(r: &fanout::Report) -> Vec<(String, String, fanout::Outcome)> {
    r.cells
        .iter()
        .map(|c| (c.subject(), c.pod.clone(), c.outcome))
        .collect()
}

/// The one fanout cell of (path, pod).
pub fn cell<'a>(r: &'a fanout::Report, path: &str, pod: &str) -> &'a fanout::Cell {
    r.cells
        .iter()
        .find(|c| c.subject() == path && c.pod == pod)
        .unwrap_or_else(|| panic!("no cell ({path}, {pod}) in {:#?}", r.cells))
}

/// The paths (and `tag:<tag>`s) of a fanout report (one row each), in input order.
pub fn row_paths(r: &fanout::Report) -> Vec<String> {
    r.rows.iter().map(|row| row.subject()).collect()
}

/// The verdict of one path of a verify report.
pub fn verdict<'a>(r: &'a verify::Report, path: &str) -> &'a verify::PathVerdict {
    r.verdicts
        .iter()
        .find(|v| v.path == path)
        .unwrap_or_else(|| panic!("no verdict for {path}: {:#?}", r.verdicts))
}

/// The pods' fetches of one path's page (not its variants) of a verify report, in pod order.
pub fn fetches<'a>(r: &'a verify::Report, path: &str) -> Vec<&'a verify::Fetch> {
    variant_fetches(r, path, verify::Variant::Html)
}

/// The pods' fetches of one variant of one path of a verify report, in pod order.
pub fn variant_fetches<'a>(
    r: &'a verify::Report,
    path: &str,
    variant: verify::Variant,
) -> Vec<&'a verify::Fetch> {
    cells_of(r)
        .into_iter()
        .filter(|c| c.path == path && c.variant == variant)
        .collect()
}

/// Every pod's fetch of a verify report, as its verdicts carry them: path by path in input
/// order, each path's pages then its variants.
pub fn cells_of(r: &verify::Report) -> Vec<&verify::Fetch> {
    r.verdicts
        .iter()
        .flat_map(|v| v.cells.iter().flatten())
        .collect()
}

/// Every `--through` sample of a verify report, as `cells_of`.
pub fn samples_of(r: &verify::Report) -> Vec<&verify::Fetch> {
    r.verdicts
        .iter()
        .flat_map(|v| v.through_samples.iter().flatten())
        .collect()
}

/// One variant's verdict of one path.
pub fn variant_verdict<'a>(
    r: &'a verify::Report,
    path: &str,
    variant: verify::Variant,
) -> &'a verify::VariantVerdict {
    verdict(r, path)
        .variants
        .iter()
        .find(|v| v.variant == variant)
        .unwrap_or_else(|| panic!("no {variant:?} verdict for {path}: {:#?}", r.verdicts))
}

/// One pod's fetch of one path of a verify report.
pub fn fetch<'a>(r: &'a verify::Report, path: &str, pod: &str) -> &'a verify::Fetch {
    fetches(r, path)
        .into_iter()
        .find(|c| c.pod == pod)
        .unwrap_or_else(|| panic!("no fetch ({path}, {pod}) in {:#?}", cells_of(r)))
}
