//! Reporting: typed events in; a table or JSON on stdout, progress and warnings on stderr.
//!
//! Workers never print. A command hands its steps' events and reports to the one [`Reporter`],
//! whose output is decided once ([`Display::resolve`] is a pure function of the flags, the
//! environment and whether the streams are terminals). Every command's JSON is one
//! [`Envelope`] holding a list of step reports, so a pipeline of steps is one document; NDJSON
//! events carry their step. Invariants: stdout carries only the result (so `-o json | jq`
//! always works); everything written passes through [`crate::secret::redact`]; a closed stdout
//! (`| head`) ends output quietly, any other write failure is exit 1; what a step keeps of its
//! cells follows [`Reporter::retain`], so human and NDJSON output do not grow with the run.

mod envelope;
pub mod human;
pub mod table;
pub mod writer;

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

pub use envelope::{Envelope, StepReport};

use crate::choices::{ColorChoice, OutputFormat};
use crate::context::Retain;
use crate::error::Error;
use crate::exit::Code;
use crate::exit::Stop;
use crate::targets::Target;
use crate::transport::RequestView;
use crate::units::{millis, short_duration, timestamp};
use crate::{agent, cdn, fanout, publish, verify, watch};

/// The version of the JSON report and event shapes; bumped only on incompatible change.
pub const SCHEMA_VERSION: u32 = 2;

/// How output is presented, decided once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Display {
    pub color_stdout: bool,
    pub color_stderr: bool,
    pub progress: bool,
}

/// What [`Display::resolve`] reads from the environment, passed in so it stays pure.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnvView {
    pub no_color: bool,
    pub clicolor_force: bool,
    pub ci: bool,
}

impl EnvView {
    pub fn from_env() -> EnvView {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        EnvView {
            no_color: set("NO_COLOR"),
            clicolor_force: std::env::var("CLICOLOR_FORCE")
                .is_ok_and(|v| !v.is_empty() && v != "0"),
            ci: set("CI"),
        }
    }
}

impl Display {
    /// `--color always|never` wins; under `auto`, NO_COLOR turns colour off, CLICOLOR_FORCE turns
    /// it on, else colour follows whether the stream is a terminal. The progress bar needs human
    /// output, a terminal on stderr, no CI and no --quiet.
    ///
    /// | format | stderr tty | CI | quiet | progress |
    /// |--------|------------|----|-------|----------|
    /// | human  | yes        | no | no    | yes      |
    /// | human  | any other combination  || no       |
    /// | json, ndjson | any               || no       |
    pub fn resolve(
        format: OutputFormat,
        color: ColorChoice,
        quiet: bool,
        stdout_tty: bool,
        stderr_tty: bool,
        env: EnvView,
    ) -> Display {
        let auto = |tty: bool| {
            if env.no_color {
                false
            } else if env.clicolor_force {
                true
            } else {
                tty
            }
        };
        let (out, err) = match color {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (auto(stdout_tty), auto(stderr_tty)),
        };
        Display {
            color_stdout: out,
            color_stderr: err,
            progress: format == OutputFormat::Human && stderr_tty && !env.ci && !quiet,
        }
    }
}

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

/// What a step is about to do, for the `step-start` event and the progress bar.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum StepStart<'a> {
    Fanout {
        mode: crate::choices::Mode,
        method: &'a str,
        targets: &'a [Target],
        paths: usize,
        cells: usize,
    },
    Verify {
        targets: &'a [Target],
        through: Option<&'a str>,
        paths: usize,
        requests: usize,
    },
    /// Looking for the pods (Kubernetes or DNS).
    Discover { source: &'a crate::discover::Source },
    /// Listing the pods again at the end of a run.
    Recheck { round: u32 },
    // cdn
    CdnInvalidate {
        distribution: &'a str,
        run_id: &'a str,
        run_id_source: &'a str,
        plan: &'a cdn::Summary,
        /// Printed for people before anything is sent; the JSON report holds them.
        #[serde(skip)]
        batches: &'a [cdn::Batch],
    },
    CdnStatus {
        view: cdn::wait::View,
        distribution: &'a str,
        ids: usize,
    },
    CdnPurge {
        caches: &'a [cdn::purge::Cache],
        paths: usize,
        requests: usize,
    },
    // Redis steps (issue 8).
    Publish {
        redis: &'a str,
        channel: &'a str,
        command: &'a str,
        messages: usize,
        expect: &'a publish::Expect,
    },
    Watch {
        redis: &'a str,
        channels: &'a [String],
        patterns: &'a [String],
        sharded: bool,
    },
    Agent {
        redis: &'a str,
        pod: &'a str,
        target: &'a str,
        channel: &'a str,
        sharded: bool,
        stream: Option<&'a str>,
        /// Where /healthz and /metrics listen.
        health: Option<String>,
    },
}

impl StepStart<'_> {
    fn step(&self) -> &'static str {
        match self {
            StepStart::Fanout { .. } => "fanout",
            StepStart::Verify { .. } => "verify",
            StepStart::Discover { .. } => "discover",
            StepStart::Recheck { .. } => "recheck",
            StepStart::Publish { .. } => "publish",
            StepStart::Watch { .. } => "watch",
            StepStart::Agent { .. } => "agent",
            StepStart::CdnInvalidate { .. } => "cdn-invalidate",
            StepStart::CdnStatus { .. } => "cdn-status",
            StepStart::CdnPurge { .. } => "cdn-purge",
        }
    }

    fn work(&self) -> (usize, &'static str) {
        match self {
            StepStart::Fanout { cells, .. } => (*cells, "revalidating"),
            StepStart::Verify { requests, .. } => (*requests, "fetching"),
            // One or a few API requests: no progress bar.
            StepStart::Discover { .. } | StepStart::Recheck { .. } => (0, "listing"),
            StepStart::Publish { messages, .. } => (*messages, "publishing"),
            // Long-running: no progress bar.
            StepStart::Watch { .. } | StepStart::Agent { .. } => (0, ""),
            StepStart::CdnInvalidate { batches, .. } => (batches.len(), "submitting batches"),
            StepStart::CdnStatus { .. } => (0, ""),
            StepStart::CdnPurge { requests, .. } => (*requests, "purging"),
        }
    }
}

/// NDJSON events, one a line as things happen.
#[derive(Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
enum Event<'a> {
    Start {
        command: &'a str,
        dry_run: bool,
    },
    StepStart {
        step: &'static str,
        #[serde(flatten)]
        start: &'a StepStart<'a>,
    },
    Cell {
        step: &'static str,
        #[serde(flatten)]
        cell: &'a fanout::Cell,
    },
    Fetch {
        step: &'static str,
        round: u32,
        #[serde(flatten)]
        fetch: &'a verify::Fetch,
    },
    Round {
        step: &'static str,
        round: u32,
        settled: usize,
        paths: usize,
    },
    Verdict {
        step: &'static str,
        #[serde(flatten)]
        verdict: &'a verify::PathVerdict,
    },
    Request {
        step: &'static str,
        #[serde(flatten)]
        request: &'a RequestView,
    },
    Warning {
        step: &'a str,
        message: &'a str,
    },
    // Redis steps (issue 8).
    /// publish: a message was published (or failed).
    Published {
        step: &'static str,
        #[serde(flatten)]
        message: &'a publish::Message,
    },
    /// publish --wait-acks: an acknowledgement of one of the run's messages.
    Ack {
        step: &'static str,
        path: &'a str,
        id: &'a str,
        #[serde(flatten)]
        ack: &'a publish::AckSeen,
    },
    /// watch: a message was received.
    Message {
        step: &'static str,
        #[serde(flatten)]
        message: &'a watch::Seen,
    },
    /// watch, agent: a connection to Redis was lost, failed again, or came back.
    Redis {
        step: &'static str,
        #[serde(flatten)]
        link: &'a crate::redis::subscriber::LinkEvent,
    },
    /// agent: what it did.
    Agent {
        step: &'static str,
        #[serde(flatten)]
        what: &'a agent::Event,
    },
    /// A pod a discovery found (`change` null), or one a recheck found `appeared` or `gone`.
    Pod {
        step: &'static str,
        change: Option<&'static str>,
        #[serde(flatten)]
        pod: &'a crate::discover::Pod,
    },
    // cdn
    Batch {
        step: &'static str,
        #[serde(flatten)]
        batch: &'a cdn::invalidate::BatchReport,
    },
    PlannedBatch {
        step: &'static str,
        #[serde(flatten)]
        batch: &'a cdn::Batch,
    },
    Blocked {
        step: &'static str,
        batch: usize,
        files_in_progress: usize,
        wildcards_in_progress: usize,
    },
    InvalidationStatus {
        step: &'static str,
        id: &'a str,
        status: &'a str,
        elapsed_ms: f64,
    },
    Invalidation {
        step: &'static str,
        #[serde(flatten)]
        invalidation: &'a cdn::wait::InvalidationInfo,
    },
    Purge {
        step: &'static str,
        #[serde(flatten)]
        result: &'a cdn::purge::PurgeResult,
    },
    StepEnd {
        step: &'static str,
        totals: serde_json::Value,
        stopped: Option<Stop>,
        exit_code: u8,
    },
    End {
        stopped: Option<Stop>,
        exit_code: u8,
        duration_ms: f64,
    },
}

/// The one writer of results and people's messages for a command.
pub struct Reporter {
    format: OutputFormat,
    display: Display,
    quiet: bool,
    out: writer::Out,
    err: Box<dyn Write + Send>,
    progress: Option<ProgressBar>,
    command: String,
    dry_run: bool,
    started: (SystemTime, Instant),
    steps: Vec<StepReport>,
    code: Code,
    /// Human step reports are indented by this many spaces (the demo's narrative).
    pub indent: usize,
    /// watch: the CHANNEL column's width of the lines printed as messages arrive.
    watch_width: usize,
}

impl Reporter {
    /// A reporter writing to `out` (results) and `err` (people's messages).
    pub fn new(
        format: OutputFormat,
        display: Display,
        quiet: bool,
        command: &str,
        dry_run: bool,
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
    ) -> Reporter {
        let mut r = Reporter {
            format,
            display,
            quiet,
            out: writer::Out::new(out),
            err,
            progress: None,
            command: command.to_string(),
            dry_run,
            started: (SystemTime::now(), Instant::now()),
            steps: Vec::new(),
            code: Code::Success,
            indent: 0,
            watch_width: 0,
        };
        r.event(&Event::Start { command, dry_run });
        r
    }

    /// A reporter on the process's stdout and stderr, its display resolved from the terminals
    /// and the environment.
    pub fn stdio(
        format: OutputFormat,
        color: ColorChoice,
        quiet: bool,
        command: &str,
        dry_run: bool,
    ) -> Reporter {
        let display = Display::resolve(
            format,
            color,
            quiet,
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
            EnvView::from_env(),
        );
        Reporter::new(
            format,
            display,
            quiet,
            command,
            dry_run,
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
        )
    }

    pub fn retain(&self) -> Retain {
        match self.format {
            OutputFormat::Json => Retain::All,
            _ => Retain::Failures,
        }
    }

    /// Style for stdout text.
    pub fn style(&self) -> Style {
        Style {
            color: self.display.color_stdout,
        }
    }

    /// A dry run's NDJSON: one line per request it would have sent.
    fn planned_requests(&mut self, step: &'static str, requests: &[RequestView]) {
        for request in requests {
            self.event(&Event::Request { step, request });
        }
    }

    fn event(&mut self, ev: &Event<'_>) {
        /// Every line carries the schema version, so a consumer can read any line alone.
        #[derive(Serialize)]
        struct Line<'a, 'b> {
            schema_version: u32,
            #[serde(flatten)]
            event: &'a Event<'b>,
        }
        if self.format == OutputFormat::Ndjson {
            let line = Line {
                schema_version: SCHEMA_VERSION,
                event: ev,
            };
            let _ = serde_json::to_writer(&mut self.out, &line);
            let _ = self.out.write_all(b"\n");
            // Events stream: a consumer sees each one as it happens.
            let _ = self.out.flush();
        }
    }

    fn start_bar(&mut self, len: usize, what: &str) {
        if !self.display.progress || len == 0 {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Some(old) = self.progress.replace(bar) {
            old.finish_and_clear();
        }
    }

    fn finish_bar(&mut self) {
        if let Some(b) = self.progress.take() {
            b.finish_and_clear();
        }
    }

    pub fn step_started(&mut self, start: StepStart<'_>) {
        if let StepStart::CdnInvalidate {
            distribution,
            run_id,
            run_id_source,
            plan,
            batches,
        } = &start
            && self.format == OutputFormat::Human
            && !self.quiet
        {
            let text = human::cdn_plan(
                distribution,
                (run_id, run_id_source),
                plan,
                batches,
                &self.style(),
            );
            self.human_text(text);
        }
        let (len, what) = start.work();
        self.start_bar(len, what);
        if let StepStart::Watch {
            channels, patterns, ..
        } = &start
        {
            self.watch_width = human::channel_width(channels, patterns);
            let header = human::watch_header(self.watch_width, &self.style());
            self.text(&header);
        }
        self.event(&Event::StepStart {
            step: start.step(),
            start: &start,
        });
    }

    pub fn cell(&mut self, cell: &fanout::Cell) {
        if let Some(b) = &self.progress {
            b.inc(1);
        }
        self.event(&Event::Cell {
            step: "fanout",
            cell,
        });
    }

    pub fn fetch(&mut self, round: u32, fetch: &verify::Fetch) {
        if let Some(b) = &self.progress {
            b.inc(1);
        }
        self.event(&Event::Fetch {
            step: "verify",
            round,
            fetch,
        });
    }

    /// A verify round ended; `next` requests follow in another round (0: none) after `pause`.
    pub fn round(
        &mut self,
        round: u32,
        settled: usize,
        paths: usize,
        next: usize,
        pause: Duration,
    ) {
        self.event(&Event::Round {
            step: "verify",
            round,
            settled,
            paths,
        });
        if next > 0 {
            self.start_bar(next, &next_round(round, settled, paths, pause));
        }
    }

    /// A message for people, on stderr (and as an event under NDJSON).
    pub fn warning(&mut self, step: &str, message: &str) {
        self.event(&Event::Warning { step, message });
        let text = crate::secret::redact(message).into_owned();
        let style = Style {
            color: self.display.color_stderr,
        };
        let line = format!("{} {text}\n", style.yellow("warning:"));
        let err = &mut self.err;
        match &self.progress {
            Some(b) => b.suspend(|| {
                let _ = err.write_all(line.as_bytes());
            }),
            None => {
                let _ = err.write_all(line.as_bytes());
            }
        }
    }

    /// Narrative text for people (the demo), on stdout under human output.
    pub fn text(&mut self, text: &str) {
        if self.format == OutputFormat::Human && !self.quiet {
            let _ = self.out.write_all(text.as_bytes());
            let _ = self.out.flush();
        }
    }

    /// A step ended: people get its table, NDJSON its verdicts and totals, JSON keeps it for the
    /// document.
    pub fn step_finished(&mut self, report: StepReport) {
        self.finish_bar();
        self.code = self.code.worst(report.code());
        let step = report.step();
        for w in report.warnings() {
            self.warning(step, w);
        }
        // A failure that does not stop the report (a snapshot that could not be saved) is said
        // after it, as the error it is.
        let failure = match &report {
            StepReport::Verify(r) => r.save_error.clone(),
            _ => None,
        };
        match self.format {
            OutputFormat::Human => {
                if !self.quiet {
                    let text = human::step(&report, &self.style());
                    let pad = " ".repeat(self.indent);
                    let text: String = if self.indent == 0 {
                        text
                    } else {
                        text.lines()
                            .map(|l| {
                                if l.is_empty() {
                                    "\n".to_string()
                                } else {
                                    format!("{pad}{l}\n")
                                }
                            })
                            .collect()
                    };
                    let _ = self.out.write_all(text.as_bytes());
                    let _ = self.out.flush();
                }
            }
            OutputFormat::Ndjson => {
                match &report {
                    StepReport::Verify(r) => {
                        for v in &r.verdicts {
                            self.event(&Event::Verdict {
                                step: "verify",
                                verdict: v,
                            });
                        }
                    }
                    StepReport::FanoutDryRun(d) => self.planned_requests("fanout", &d.requests),
                    StepReport::VerifyDryRun(d) => self.planned_requests("verify", &d.requests),
                    StepReport::Discover(r) => {
                        for pod in &r.pods {
                            self.event(&Event::Pod {
                                step: "discover",
                                change: None,
                                pod,
                            });
                        }
                    }
                    StepReport::Recheck(r) => {
                        for (change, pods) in [("appeared", &r.appeared), ("gone", &r.gone)] {
                            for pod in pods {
                                self.event(&Event::Pod {
                                    step: "recheck",
                                    change: Some(change),
                                    pod,
                                });
                            }
                        }
                    }
                    StepReport::Fanout(_)
                    | StepReport::Publish(_)
                    | StepReport::PublishDryRun(_)
                    | StepReport::Watch(_)
                    | StepReport::Agent(_) => {}
                    StepReport::CdnInvalidate(_) | StepReport::CdnPurge(_) => {}
                    StepReport::CdnInvalidateDryRun(d) => {
                        for b in &d.batches {
                            self.event(&Event::PlannedBatch {
                                step: "cdn-invalidate",
                                batch: b,
                            });
                        }
                    }
                    StepReport::CdnStatus(r) => {
                        for i in &r.invalidations {
                            self.event(&Event::Invalidation {
                                step: "cdn-status",
                                invalidation: i,
                            });
                        }
                    }
                    StepReport::CdnPurgeDryRun(d) => {
                        self.planned_requests("cdn-purge", &d.requests)
                    }
                }
                self.event(&Event::StepEnd {
                    step,
                    totals: report.totals(),
                    stopped: report.stopped(),
                    exit_code: report.code().as_u8(),
                });
                let _ = self.out.flush();
            }
            OutputFormat::Json => self.steps.push(report),
        }
        if let Some(e) = failure {
            let style = Style {
                color: self.display.color_stderr,
            };
            let line = format!("{} {}\n", style.red("error:"), crate::secret::redact(&e));
            let _ = self.err.write_all(line.as_bytes());
        }
    }

    // ---- cdn ----

    /// Human text on stdout, indented like step reports (the demo's narrative).
    fn human_text(&mut self, text: String) {
        let pad = " ".repeat(self.indent);
        let text: String = if self.indent == 0 {
            text
        } else {
            text.lines()
                .map(|l| {
                    if l.is_empty() {
                        "\n".to_string()
                    } else {
                        format!("{pad}{l}\n")
                    }
                })
                .collect()
        };
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    /// A spinner with elapsed time on stderr (people only), replacing any bar.
    fn spinner(&mut self, message: String) {
        if !self.display.progress {
            return;
        }
        if let Some(b) = &self.progress
            && b.length().is_none()
        {
            b.set_message(message);
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("static template"),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Some(old) = self.progress.replace(bar) {
            old.finish_and_clear();
        }
    }

    /// A CloudFront batch waits for room under the in-progress limits.
    pub fn cdn_blocked(&mut self, batch: usize, files: usize, wildcards: usize) {
        if let Some(b) = &self.progress {
            b.set_message(format!(
                "batch {batch} waits: {files} files and {wildcards} wildcards in progress"
            ));
        }
        self.event(&Event::Blocked {
            step: "cdn-invalidate",
            batch,
            files_in_progress: files,
            wildcards_in_progress: wildcards,
        });
    }

    /// A CloudFront batch was sent (or given up).
    pub fn cdn_batch(&mut self, batch: &cdn::invalidate::BatchReport) {
        if let Some(b) = &self.progress {
            b.inc(1);
        }
        self.event(&Event::Batch {
            step: "cdn-invalidate",
            batch,
        });
    }

    /// News from the invalidation waiter of `step`.
    pub fn cdn_wait(&mut self, step: &'static str, e: cdn::wait::Event<'_>) {
        match e {
            cdn::wait::Event::Status {
                id,
                status,
                elapsed,
            } => self.event(&Event::InvalidationStatus {
                step,
                id,
                status,
                elapsed_ms: millis(elapsed),
            }),
            cdn::wait::Event::Waiting { in_progress, total } => self.spinner(format!(
                "waiting for CloudFront: {in_progress} of {total} invalidation{} in progress",
                if total == 1 { "" } else { "s" }
            )),
        }
    }

    /// One (path, cache) purge result.
    pub fn purge(&mut self, result: &cdn::purge::PurgeResult) {
        if let Some(b) = &self.progress {
            b.inc(1);
        }
        self.event(&Event::Purge {
            step: "cdn-purge",
            result,
        });
    }

    // Redis steps (issue 8).

    /// publish: a message was published (or failed).
    pub fn published(&mut self, m: &publish::Message) {
        if let Some(b) = &self.progress {
            b.inc(1);
        }
        self.event(&Event::Published {
            step: "publish",
            message: m,
        });
    }

    /// publish --wait-acks: an acknowledgement arrived.
    pub fn ack(&mut self, path: &str, id: &str, ack: &publish::AckSeen) {
        self.event(&Event::Ack {
            step: "publish",
            path,
            id,
            ack,
        });
    }

    /// watch: a message arrived; people see its line at once.
    pub fn watch_message(&mut self, m: &watch::Seen) {
        self.event(&Event::Message {
            step: "watch",
            message: m,
        });
        let line = human::watch_line(m, self.watch_width, &self.style());
        self.text(&line);
    }

    /// A connection to Redis was lost, failed again, or came back: a line on stderr for people
    /// (unless --quiet), an event for machines.
    pub fn redis_link(&mut self, step: &'static str, link: &crate::redis::subscriber::LinkEvent) {
        self.event(&Event::Redis { step, link });
        if self.format == OutputFormat::Human && !self.quiet {
            let style = Style {
                color: self.display.color_stderr,
            };
            let line = crate::secret::redact(&human::link_line(link, &style)).into_owned();
            let _ = self.err.write_all(line.as_bytes());
        }
    }

    /// agent: what it did, for machines (people read its log on stderr).
    pub fn agent_event(&mut self, event: &agent::Event) {
        if let agent::Event::Link(link) = event {
            self.event(&Event::Redis {
                step: "agent",
                link,
            });
        } else {
            self.event(&Event::Agent {
                step: "agent",
                what: event,
            });
        }
        if self.format == OutputFormat::Ndjson {
            let _ = self.out.flush();
        }
    }

    /// The step reports kept so far (JSON output only).
    pub fn steps(&self) -> &[StepReport] {
        &self.steps
    }

    /// Ends the command: JSON gets its document, NDJSON its `end` event. Returns the exit code
    /// (the worst of the steps', or the signal's); a report that could not be written is exit 1.
    pub fn finish(mut self, stopped: Option<Stop>) -> Result<Code, Error> {
        self.finish_bar();
        let code = match stopped {
            Some(Stop::Interrupted) => Code::Interrupted,
            Some(Stop::Terminated) => Code::Terminated,
            _ => self.code,
        };
        let duration_ms = millis(self.started.1.elapsed());
        match self.format {
            OutputFormat::Json => {
                let env = Envelope {
                    schema_version: SCHEMA_VERSION,
                    command: self.command.clone(),
                    started_at: timestamp(self.started.0),
                    finished_at: timestamp(SystemTime::now()),
                    duration_ms,
                    dry_run: self.dry_run,
                    steps: std::mem::take(&mut self.steps),
                    stopped,
                    exit_code: code.as_u8(),
                };
                let _ = serde_json::to_writer_pretty(&mut self.out, &env);
                let _ = self.out.write_all(b"\n");
            }
            OutputFormat::Ndjson => self.event(&Event::End {
                stopped,
                exit_code: code.as_u8(),
                duration_ms,
            }),
            OutputFormat::Human => {}
        }
        self.out.finish();
        match self.out.take_error() {
            Some(e) => Err(Error::io("cannot write the report to stdout", e)),
            None => Ok(code),
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish_bar();
    }
}

/// The progress bar's message while verify `--wait` pauses before its next round.
fn next_round(round: u32, settled: usize, paths: usize, pause: Duration) -> String {
    format!(
        "round {} after a {} pause: {settled}/{paths} settled, re-checking",
        round + 1,
        short_duration(pause)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_resolution() {
        use crate::choices::OutputFormat;
        use OutputFormat::{Human, Json};
        let env = EnvView::default();
        let d = Display::resolve(Human, ColorChoice::Auto, false, true, true, env);
        assert_eq!(
            d,
            Display {
                color_stdout: true,
                color_stderr: true,
                progress: true
            }
        );
        // Piped stdout: no colour there, progress still on a terminal stderr.
        let d = Display::resolve(Human, ColorChoice::Auto, false, false, true, env);
        assert!(!d.color_stdout && d.color_stderr && d.progress);
        // NO_COLOR under auto; --color always beats it.
        let nc = EnvView {
            no_color: true,
            ..env
        };
        assert!(!Display::resolve(Human, ColorChoice::Auto, false, true, true, nc).color_stdout);
        assert!(Display::resolve(Human, ColorChoice::Always, false, true, true, nc).color_stdout);
        // CLICOLOR_FORCE colours a pipe.
        let force = EnvView {
            clicolor_force: true,
            ..env
        };
        assert!(
            Display::resolve(Human, ColorChoice::Auto, false, false, false, force).color_stdout
        );
        assert!(
            !Display::resolve(Human, ColorChoice::Never, false, true, true, force).color_stdout
        );
        // No progress bar under CI, with --quiet, without a terminal, or for machines.
        let ci = EnvView { ci: true, ..env };
        assert!(!Display::resolve(Human, ColorChoice::Auto, false, true, true, ci).progress);
        assert!(!Display::resolve(Human, ColorChoice::Auto, true, true, true, env).progress);
        assert!(!Display::resolve(Human, ColorChoice::Auto, false, true, false, env).progress);
        assert!(!Display::resolve(Json, ColorChoice::Auto, false, true, true, env).progress);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(short_duration(Duration::from_millis(850)), "850ms");
        assert_eq!(short_duration(Duration::from_millis(1240)), "1.24s");
        assert_eq!(short_duration(Duration::from_secs(123)), "2m03s");
        assert_eq!(millis(Duration::from_micros(1500)), 1.5);
    }

    #[test]
    fn the_bar_between_wait_rounds_names_the_pause() {
        assert_eq!(
            next_round(1, 3, 5, Duration::from_millis(500)),
            "round 2 after a 500ms pause: 3/5 settled, re-checking"
        );
        assert_eq!(
            next_round(4, 0, 1, Duration::from_secs(5)),
            "round 5 after a 5.00s pause: 0/1 settled, re-checking"
        );
    }
}
