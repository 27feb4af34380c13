//! Reporting: typed events in; a table or JSON on stdout, progress and warnings on stderr.
//!
//! Workers never print. Each step hands the one [`Reporter`] of its command what it is about to
//! do ([`Reporter::start`]), what happens as it happens ([`Item`]s: a fanout cell, a verify
//! fetch, a published message) and its report at the end ([`StepReport`]). The reporter knows
//! no step: whatever a report or an item is, it is written the same way, so a new step adds no
//! code here. Output is decided once ([`Display::resolve`] is a pure function of the flags, the
//! environment and whether the streams are terminals). Every command's JSON is one document
//! ([`document`]) holding a list of step reports, written as the run goes so that memory does
//! not grow with its cells; NDJSON events carry their step, each written as an [`events::Line`]
//! that a reader reads back with the same types.
//!
//! When the command ends, the CI outputs are written from every step's test cases
//! ([`StepReport::cases`]): a JUnit file ([`junit`]), GitHub Actions' job summary and
//! annotations ([`github`]); see [`ci`].
//!
//! Invariants: stdout carries only the result (so `-o json | jq` always works); everything
//! written passes through [`crate::secret::redact`]; a closed stdout (`| head`) ends output
//! quietly, any other write failure is exit 1; what a step keeps of its cells follows
//! [`Reporter::retain_for`], so no output grows with the run.

pub mod ci;
mod display;
pub mod document;
pub mod events;
pub mod github;
mod held;
pub mod human;
pub mod junit;
pub mod schema;
pub mod table;
pub mod writer;

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

pub use display::{Display, EnvView, Style};
pub use document::Envelope;
pub use events::{Line, Payload};

use crate::choices::{ColorChoice, OutputFormat};
use crate::context::Retain;
use crate::error::Error;
use crate::exit::{Code, Stop};
use crate::units::{millis, timestamp};

/// The version of the JSON report and event shapes; bumped only on incompatible change.
pub const SCHEMA_VERSION: u32 = 3;

/// What the reporter needs of a step's report. Each step's report types implement it, next to
/// the step; nothing here knows them.
pub trait StepReport: Serialize {
    /// The report's `step` tag in the JSON document: `fanout`, `fanout-dry-run`, ...
    const KIND: &'static str;
    /// The step it belongs to, as events and warnings name it: `fanout` for both of its kinds.
    const STEP: &'static str;
    /// The field of the report that the JSON document lists item by item as the step runs
    /// ([`Item::listed`]); the report's own value of that field is left out of the document.
    const LISTED: Option<&'static str> = None;

    /// The exit code the step alone would end the command with.
    fn code(&self) -> Code;
    /// Why the step stopped early, when it did.
    fn stopped(&self) -> Option<Stop> {
        None
    }
    /// Things people should know, printed on stderr when the step ends.
    fn warnings(&self) -> &[String];
    /// The step's totals, for the NDJSON `step-end` event.
    fn totals(&self) -> serde_json::Value;
    /// The report as people read it.
    fn human(&self, style: &Style) -> String;
    /// A failure that does not stop the report (a snapshot that could not be saved): said on
    /// stderr after it, as the error it is.
    fn error(&self) -> Option<&str> {
        None
    }
    /// The schemas of the events the step sends (its `step-start` payload, its items, its end
    /// events), for the published event schema ([`schema::Catalog`]).
    fn event_schemas(
        generator: &mut schemars::SchemaGenerator,
    ) -> Vec<(&'static str, schemars::Schema)> {
        let _ = generator;
        Vec::new()
    }
    /// The NDJSON events of the finished report beyond the items sent as they happened (a
    /// discovery's pods, a dry run's planned requests).
    fn events(&self, events: &mut Events<'_>) {
        let _ = events;
    }
    /// What the step's test cases are of, for CI reports: ("path", "paths").
    const UNIT: ci::Unit = ("path", "paths");
    /// The step's test cases for CI reports (JUnit, GitHub's job summary and annotations): one
    /// a path, in input order, each passed, warned, skipped, failed or in error, with a short
    /// message naming the pods and why, and the detail. None by default (a dry run has none).
    /// It may rely on what the reporter asked the step to keep ([`Reporter::retain_for`]); a
    /// step whose report keeps less gives its cases as it goes instead ([`Reporter::case`]).
    fn cases(&self) -> Vec<ci::Case> {
        Vec::new()
    }
}

/// Something a step reports as it happens: an NDJSON event, a tick of the progress bar, an
/// item of the JSON document's list.
pub trait Item: Serialize {
    /// The NDJSON event's name: `cell`, `fetch`, `published`, ...
    const EVENT: &'static str;
    /// Its input position when the JSON document lists it (the step's [`StepReport::LISTED`]
    /// field); `None` for an event only.
    fn listed(&self) -> Option<usize> {
        None
    }
    /// Whether its NDJSON event waits for the step's end, to be written then in input order
    /// ([`Item::listed`]) after everything that happened (a verify's verdicts follow all its
    /// fetches). What waits goes to a temporary file past a few MiB.
    const AT_STEP_END: bool = false;
    /// What people see of it.
    fn shown(&self, style: &Style) -> Shown {
        let _ = style;
        Shown::Tick
    }
}

/// An item listed in the JSON document at input position `seq` (the step knows the position;
/// the item need not carry it).
pub struct Listed<'a, T>(pub &'a T, pub usize);

impl<T: Serialize> Serialize for Listed<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T: Item> Item for Listed<'_, T> {
    const EVENT: &'static str = T::EVENT;
    const AT_STEP_END: bool = T::AT_STEP_END;
    fn listed(&self) -> Option<usize> {
        Some(self.1)
    }
    fn shown(&self, style: &Style) -> Shown {
        self.0.shown(style)
    }
}

/// How a step ended, for a caller that chains steps (the report itself went to the reporter).
#[derive(Clone, Debug)]
pub struct Ended<T> {
    pub code: Code,
    pub totals: T,
}

/// What people see of an [`Item`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    /// One more done: the progress bar moves.
    Tick,
    /// Nothing.
    Nothing,
    /// A new progress bar of this many for what follows, with its message.
    Bar(usize, String),
    /// The progress bar's message changes.
    Status(String),
    /// A spinner with this message (and the time elapsed) replaces the bar.
    Spinner(String),
    /// A line on stdout, printed at once (watch's messages).
    Line(String),
    /// A line on stderr, printed at once (a lost connection).
    Note(String),
}

/// What a step is about to do, for its progress bar: `len` things, described as `what`.
#[derive(Clone, Copy, Debug)]
pub struct Work {
    pub len: usize,
    pub what: &'static str,
}

impl Work {
    /// No progress bar: a step of one or a few requests, or a long-running one.
    pub const NONE: Work = Work { len: 0, what: "" };
}

/// The events of a finished report, written under NDJSON ([`StepReport::events`]).
pub struct Events<'a> {
    reporter: &'a mut Reporter,
    step: &'static str,
}

impl Events<'_> {
    pub fn emit<T: Serialize>(&mut self, event: &str, payload: &T) {
        let step = self.step;
        self.reporter.event(event, Some(step), payload);
    }
}

/// The one writer of results and people's messages for a command.
pub struct Reporter {
    format: OutputFormat,
    display: Display,
    quiet: bool,
    out: writer::Out,
    err: Box<dyn Write + Send>,
    progress: Option<ProgressBar>,
    started: (SystemTime, Instant),
    document: document::Document,
    /// NDJSON events waiting for their step's end ([`Item::AT_STEP_END`]), and how many came
    /// without a position.
    at_step_end: Option<(held::Held, usize)>,
    /// An event that waited and could not be read back.
    held_error: Option<std::io::Error>,
    /// The step that started last, as events name it.
    step: &'static str,
    code: Code,
    command: String,
    dry_run: bool,
    /// The CI outputs' cases, when any CI output is asked for ([`Reporter::with_ci`]).
    ci: Option<ci::Collector>,
    /// Human step reports are indented by this many spaces (the demo's narrative).
    pub indent: usize,
    /// People see each step's first line only (`run`: its own table says the rest), unless -v.
    pub brief: bool,
    /// The next step's exit code does not count: its caller makes up for its failures (`run`
    /// revalidates directly what Redis did not deliver).
    tolerate_next: bool,
    /// The global `-v` count, for people's text ([`Style::verbose`]): how much of a long list of
    /// failures is named.
    pub verbose: u8,
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
            started: (SystemTime::now(), Instant::now()),
            document: document::Document::default(),
            at_step_end: None,
            held_error: None,
            step: "",
            code: Code::Success,
            command: command.to_string(),
            dry_run,
            ci: None,
            indent: 0,
            brief: false,
            tolerate_next: false,
            verbose: 0,
        };
        let start = events::Start {
            command: command.into(),
            dry_run,
        };
        r.event(events::Start::EVENT, None, &start);
        if format == OutputFormat::Json {
            let started_at = timestamp(r.started.0);
            r.document.head(&document::Head {
                schema_version: SCHEMA_VERSION,
                command,
                started_at: &started_at,
                dry_run,
            });
        }
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

    /// Also writes the CI outputs `settings` asks for when the command ends (none for a dry
    /// run: it changes nothing, files included).
    pub fn with_ci(mut self, settings: crate::config::CiSettings) -> Reporter {
        if settings.any() && !self.dry_run {
            self.ci = Some(ci::Collector::new(settings));
        }
        self
    }

    /// A test case of the running step, at input position `seq`, for the CI outputs: for a step
    /// whose report does not keep what its cases are made of (verify hands each verdict out as it
    /// is final). `make` runs only when a CI output is asked for.
    pub fn case(&mut self, seq: usize, make: impl FnOnce() -> ci::Case) {
        if let Some(ci) = &mut self.ci {
            ci.case(seq, make());
        }
    }

    /// What a step of kind `R` keeps of its cells: people's tables need the failures; the JSON
    /// document needs nothing its items did not carry, unless the report lists its cells itself;
    /// NDJSON events carry everything as it happens. CI outputs name the pods of each failure,
    /// so they keep the failures at least.
    pub fn retain_for<R: StepReport>(&self) -> Retain {
        match self.format {
            OutputFormat::Human => Retain::Failures,
            OutputFormat::Json if R::LISTED.is_none() => Retain::All,
            OutputFormat::Json | OutputFormat::Ndjson if self.ci.is_some() => Retain::Failures,
            OutputFormat::Json | OutputFormat::Ndjson => Retain::Nothing,
        }
    }

    /// The output format, for a step that keeps what people read at the end and hands out what
    /// machines take as it comes (verify's verdicts).
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Whether people read a step's whole report at its end: not under `--quiet`, nor for a
    /// step of `run`, which shows its first line alone ([`Reporter::brief`]); else the step
    /// need keep nothing for its tables.
    pub fn shows_reports(&self) -> bool {
        self.format == OutputFormat::Human && !self.quiet && !self.brief
    }

    /// Style for stdout text.
    pub fn style(&self) -> Style {
        Style {
            color: self.display.color_stdout,
            verbose: self.verbose,
        }
    }

    /// Style for stderr text.
    fn err_style(&self) -> Style {
        Style {
            color: self.display.color_stderr,
            verbose: self.verbose,
        }
    }

    /// One NDJSON line: the event's name, its step, its payload's fields.
    fn event<T: Serialize + ?Sized>(&mut self, event: &str, step: Option<&str>, payload: &T) {
        if self.format == OutputFormat::Ndjson {
            let _ = self.out.write_all(&line(event, step, payload));
            // Events stream: a consumer sees each one as it happens.
            let _ = self.out.flush();
        }
    }

    /// An NDJSON event that waits for its step's end, at input position `seq` (or after those
    /// that came before it).
    fn at_step_end<T: Serialize>(&mut self, event: &str, seq: Option<usize>, payload: &T) {
        let json = line(event, Some(self.step), payload);
        let (held, unplaced) = self
            .at_step_end
            .get_or_insert_with(|| (held::Held::new(held::IN_MEMORY), 0));
        // Those without a position follow the others, as they came.
        let seq = seq.unwrap_or_else(|| {
            *unplaced += 1;
            usize::MAX / 2 + *unplaced
        });
        held.insert(seq, json);
    }

    /// Writes the events that waited for the step's end, in order.
    fn release_at_step_end(&mut self) {
        let Some((mut held, _)) = self.at_step_end.take() else {
            return;
        };
        for seq in held.positions() {
            if let Some(line) = held.take(seq) {
                let _ = self.out.write_all(&line);
            }
        }
        if let Some(e) = held.take_error() {
            self.held_error.get_or_insert(e);
        }
        let _ = self.out.flush();
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

    fn finish_bar(&mut self) {
        if let Some(b) = self.progress.take() {
            b.finish_and_clear();
        }
    }

    /// A step of kind `R` starts: `info` says what it is about to do (the `step-start` event),
    /// `work` sizes its progress bar.
    pub fn start<R: StepReport>(&mut self, info: &impl Serialize, work: Work) {
        // The last step's glue gave up before its end: what waited for it is written now.
        self.release_at_step_end();
        self.step = R::STEP;
        if let Some(ci) = &mut self.ci {
            ci.start();
        }
        self.start_bar(work.len, work.what);
        self.event(events::STEP_START, Some(R::STEP), info);
        if self.format == OutputFormat::Json {
            self.document.step_start(&mut self.out, R::KIND, R::LISTED);
        }
    }

    /// What people see of something that is not an event (a spinner's news).
    pub fn show(&mut self, shown: Shown) {
        if self.format != OutputFormat::Human || self.quiet {
            return;
        }
        match shown {
            Shown::Nothing => {}
            Shown::Tick => {
                if let Some(b) = &self.progress {
                    b.inc(1);
                }
            }
            Shown::Bar(len, what) => self.start_bar(len, &what),
            Shown::Status(message) => {
                if let Some(b) = &self.progress {
                    b.set_message(message);
                }
            }
            Shown::Spinner(message) => self.spinner(message),
            Shown::Line(line) => self.text(&line),
            Shown::Note(line) => self.note(&line),
        }
    }

    /// Something the running step reports as it happens.
    pub fn item<I: Item>(&mut self, item: &I) {
        if self.format == OutputFormat::Human && !self.quiet {
            let shown = item.shown(&self.style());
            self.show(shown);
        }
        let step = self.step;
        if self.format == OutputFormat::Ndjson && I::AT_STEP_END {
            self.at_step_end(I::EVENT, item.listed(), item);
        } else {
            self.event(I::EVENT, Some(step), item);
        }
        if self.format == OutputFormat::Json
            && let Some(seq) = item.listed()
        {
            let json = serde_json::to_vec(item).expect("item serializes");
            self.document.item(&mut self.out, seq, json);
        }
    }

    /// A line on stderr for people (not under --quiet), around the progress bar.
    fn note(&mut self, line: &str) {
        let text = crate::secret::redact(line).into_owned();
        let err = &mut self.err;
        match &self.progress {
            Some(b) => b.suspend(|| {
                let _ = err.write_all(text.as_bytes());
            }),
            None => {
                let _ = err.write_all(text.as_bytes());
            }
        }
    }

    /// A message for people, on stderr (and as an event under NDJSON).
    pub fn warning(&mut self, step: &str, message: &str) {
        let warning = events::Warning {
            step: step.into(),
            message: message.into(),
        };
        self.event(events::Warning::EVENT, None, &warning);
        let line = format!("{} {message}\n", self.err_style().yellow("warning:"));
        self.note(&line);
    }

    /// Narrative text for people (the demo, a plan printed before it is carried out), on stdout
    /// under human output, indented like step reports.
    pub fn text(&mut self, text: &str) {
        if self.format == OutputFormat::Human && !self.quiet {
            let text = indented(text, self.indent);
            let _ = self.out.write_all(text.as_bytes());
            let _ = self.out.flush();
        }
    }

    /// The next step to finish does not count towards the command's exit code (its report still
    /// says how it went): its caller makes up for what it failed to do.
    pub fn tolerate_next_step(&mut self) {
        self.tolerate_next = true;
    }

    /// A step ended: people get its table, NDJSON its events and totals, JSON its report.
    pub fn finish_step<R: StepReport>(&mut self, report: &R) {
        self.finish_bar();
        let tolerated = std::mem::take(&mut self.tolerate_next);
        if !tolerated {
            self.code = self.code.worst(report.code());
        }
        if let Some(ci) = &mut self.ci {
            ci.add(report, tolerated);
        }
        for w in report.warnings() {
            self.warning(R::STEP, w);
        }
        match self.format {
            OutputFormat::Human => {
                if !self.quiet {
                    let mut text = report.human(&self.style());
                    if self.brief {
                        text = text
                            .lines()
                            .find(|l| !l.trim().is_empty())
                            .map(|l| format!("{l}\n"))
                            .unwrap_or_default();
                    }
                    let text = indented(&text, self.indent);
                    let _ = self.out.write_all(text.as_bytes());
                    let _ = self.out.flush();
                }
            }
            OutputFormat::Ndjson => {
                self.release_at_step_end();
                report.events(&mut Events {
                    reporter: self,
                    step: R::STEP,
                });
                let end = events::StepEnd {
                    totals: report.totals(),
                    stopped: report.stopped(),
                    exit_code: report.code().as_u8(),
                };
                self.event(events::StepEnd::EVENT, Some(R::STEP), &end);
                let _ = self.out.flush();
            }
            OutputFormat::Json => self.document.step_end(&mut self.out, report),
        }
        if let Some(e) = report.error() {
            let line = format!("{} {e}\n", self.err_style().red("error:"));
            let _ = self.err.write_all(crate::secret::redact(&line).as_bytes());
        }
    }

    /// Ends the command: JSON gets its closing fields, NDJSON its `end` event. Returns the exit
    /// code (the worst of the steps', or the signal's); a report that could not be written is
    /// exit 1.
    pub fn finish(mut self, stopped: Option<Stop>) -> Result<Code, Error> {
        self.finish_bar();
        self.release_at_step_end();
        let mut code = match stopped {
            Some(Stop::Interrupted) => Code::Interrupted,
            Some(Stop::Terminated) => Code::Terminated,
            _ => self.code,
        };
        let ci_error = self.ci.take().and_then(|ci| self.write_ci(ci, &mut code));
        let duration_ms = millis(self.started.1.elapsed());
        match self.format {
            OutputFormat::Json => {
                let finished_at = timestamp(SystemTime::now());
                self.document.tail(
                    &mut self.out,
                    &document::Tail {
                        finished_at: &finished_at,
                        duration_ms,
                        stopped,
                        exit_code: code.as_u8(),
                    },
                );
            }
            OutputFormat::Ndjson => {
                let end = events::End {
                    stopped,
                    exit_code: code.as_u8(),
                    duration_ms,
                };
                self.event(events::End::EVENT, None, &end)
            }
            OutputFormat::Human => {}
        }
        self.out.finish();
        if let Some(e) = ci_error {
            let line = format!("{} {e}\n", self.err_style().red("error:"));
            let _ = self.err.write_all(crate::secret::redact(&line).as_bytes());
        }
        if let Some(e) = self.document.take_error().or(self.held_error.take()) {
            return Err(Error::io("cannot write the whole report", e));
        }
        match self.out.take_error() {
            Some(e) => Err(Error::io("cannot write the report to stdout", e)),
            None => Ok(code),
        }
    }

    /// Writes the CI outputs of the ended steps: the JUnit file, then GitHub's annotations (on
    /// stderr) and job summary. A JUnit file that cannot be written is returned, to be said after
    /// the report, and fails the command: exit 1, unless the steps already failed with a code
    /// that says more (stale, cells failed...), which a script may branch on; a summary that
    /// cannot be written is a warning.
    fn write_ci(&mut self, ci: ci::Collector, code: &mut Code) -> Option<String> {
        let mut failed = None;
        if let Some(file) = &ci.settings.junit {
            let xml = junit::render(&self.command, self.started.0, &ci.steps);
            if let Err(e) = crate::fsutil::write(file, crate::secret::redact(&xml).as_bytes()) {
                failed = Some(format!(
                    "cannot write the JUnit report {}: {e}",
                    file.display()
                ));
                *code = code.worst(Code::Unexpected);
            }
        }
        if !ci.settings.github {
            return failed;
        }
        let mut lines = String::new();
        let mut said = std::collections::BTreeSet::new();
        for step in &ci.steps {
            for a in github::annotations(&self.command, step, &mut said) {
                lines.push_str(&a.line());
            }
        }
        if let Some(e) = &failed {
            let a = github::Annotation {
                level: github::Level::Error,
                title: format!("revalidate {}", self.command),
                message: e.clone(),
            };
            lines.push_str(&a.line());
        }
        let _ = self.err.write_all(crate::secret::redact(&lines).as_bytes());
        if let Some(file) = &ci.settings.summary {
            let md = github::summary(&self.command, *code, &ci.steps);
            if let Err(e) = crate::fsutil::append(file, crate::secret::redact(&md).as_bytes()) {
                let message = format!(
                    "cannot append the job summary to {} ($GITHUB_STEP_SUMMARY): {e}",
                    file.display()
                );
                self.warning("github", &message);
            }
        }
        failed
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish_bar();
    }
}

/// One NDJSON line ([`events::Line`]), `\n` included.
fn line<T: Serialize + ?Sized>(event: &str, step: Option<&str>, payload: &T) -> Vec<u8> {
    events::Line::new(event, step, payload).to_vec()
}

/// Text indented by `n` spaces, blank lines left blank.
fn indented(text: &str, n: usize) -> String {
    if n == 0 {
        return text.to_string();
    }
    let pad = " ".repeat(n);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

/// A connection to Redis lost, failing again, or back, as watch and the agent report it: a line
/// on stderr for people, a `redis` event for machines.
pub struct RedisLink<'a>(pub &'a crate::redis::subscriber::LinkEvent);

impl Serialize for RedisLink<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Item for RedisLink<'_> {
    const EVENT: &'static str = "redis";
    fn shown(&self, style: &Style) -> Shown {
        Shown::Note(human::link_line(self.0, style))
    }
}

impl Payload for crate::redis::subscriber::LinkEvent {
    const EVENT: &'static str = RedisLink::EVENT;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indenting_leaves_blank_lines_blank() {
        assert_eq!(indented("a\n\nb\n", 2), "  a\n\n  b\n");
        assert_eq!(indented("a\n", 0), "a\n");
    }
}
