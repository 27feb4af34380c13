//! Reporting: typed results in; a table or JSON on stdout, progress and warnings on stderr.
//!
//! Workers never print. A step hands its events and its final report to the one [`Reporter`],
//! which decides, once, how things are shown ([`Display::resolve`] is a pure function of the
//! flags, the environment and whether the streams are terminals). Invariants: stdout carries only
//! the result (so `-o json | jq` always works); everything written passes through
//! [`crate::secret::redact`]; a closed stdout (`| head`) ends output quietly, it is not an error.

pub mod human;
pub mod table;

use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::cli::{ColorChoice, OutputFormat};
use crate::secret::redact;

/// The version of the JSON report and event shapes; bumped only on incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

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
    /// it on, else colour follows whether the stream is a terminal. The progress bar needs a
    /// terminal on stderr, no CI and no --quiet.
    pub fn resolve(
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
            progress: stderr_tty && !env.ci && !quiet,
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

/// The one writer of results and people's messages.
pub struct Reporter {
    pub format: OutputFormat,
    pub display: Display,
    quiet: bool,
    progress: Option<ProgressBar>,
    stdout_closed: bool,
}

impl Reporter {
    pub fn new(format: OutputFormat, color: ColorChoice, quiet: bool) -> Reporter {
        let display = Display::resolve(
            color,
            quiet,
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
            EnvView::from_env(),
        );
        Reporter {
            format,
            display,
            quiet,
            progress: None,
            stdout_closed: false,
        }
    }

    /// Style for stdout text.
    pub fn style(&self) -> Style {
        Style {
            color: self.display.color_stdout,
        }
    }

    /// Shows a progress bar of `len` steps on stderr, when the display allows one.
    pub fn start_progress(&mut self, len: u64, what: &str) {
        if !self.display.progress {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("static template")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        self.progress = Some(bar);
    }

    pub fn progress_inc(&self, n: u64) {
        if let Some(b) = &self.progress {
            b.inc(n);
        }
    }

    pub fn progress_set(&self, pos: u64, len: u64, msg: &str) {
        if let Some(b) = &self.progress {
            b.set_length(len);
            b.set_position(pos);
            b.set_message(msg.to_string());
        }
    }

    pub fn finish_progress(&mut self) {
        if let Some(b) = self.progress.take() {
            b.finish_and_clear();
        }
    }

    /// One NDJSON event line (only under `-o ndjson`).
    pub fn event<E: Serialize>(&mut self, ev: &E) {
        if self.format == OutputFormat::Ndjson {
            let line = serde_json::to_string(ev).expect("events serialize");
            self.write_stdout(&format!("{line}\n"));
        }
    }

    /// The final document under `-o json`.
    pub fn json<T: Serialize>(&mut self, doc: &T) {
        if self.format == OutputFormat::Json {
            // One buffer, written as is: a report of 10,000 cells is megabytes, and copies of it
            // would dominate the peak memory of a large run.
            let mut text = serde_json::to_string_pretty(doc).expect("reports serialize");
            text.push('\n');
            self.write_stdout(&text);
        }
    }

    /// Human text for stdout (under `-o human`, unless --quiet).
    pub fn human(&mut self, text: &str) {
        if self.format == OutputFormat::Human && !self.quiet {
            self.write_stdout(text);
        }
    }

    /// A message for people on stderr (warnings, notes), kept clear of the progress bar.
    pub fn note(&self, text: &str) {
        let text = redact(text).into_owned();
        let write = || {
            let _ = writeln!(std::io::stderr(), "{text}");
        };
        match &self.progress {
            Some(b) => b.suspend(write),
            None => write(),
        }
    }

    fn write_stdout(&mut self, text: &str) {
        if self.stdout_closed {
            return;
        }
        let text = redact(text);
        let write = || -> std::io::Result<()> {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()
        };
        let res = match &self.progress {
            Some(b) => b.suspend(write),
            None => write(),
        };
        if let Err(e) = res {
            // A reader that went away (`| head`) is not an error; anything else is worth a note.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                let _ = writeln!(std::io::stderr(), "warning: cannot write to stdout: {e}");
            }
            self.stdout_closed = true;
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.finish_progress();
    }
}

/// An RFC 3339 timestamp with milliseconds, UTC.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Milliseconds as a float with microsecond precision, for JSON.
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// A short human duration: "850ms", "1.24s", "2m03s".
pub fn short_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_resolution() {
        let env = EnvView::default();
        let d = Display::resolve(ColorChoice::Auto, false, true, true, env);
        assert_eq!(
            d,
            Display {
                color_stdout: true,
                color_stderr: true,
                progress: true
            }
        );
        // Piped stdout: no colour there, progress still on a terminal stderr.
        let d = Display::resolve(ColorChoice::Auto, false, false, true, env);
        assert!(!d.color_stdout && d.color_stderr && d.progress);
        // NO_COLOR under auto; --color always beats it.
        let nc = EnvView {
            no_color: true,
            ..env
        };
        assert!(!Display::resolve(ColorChoice::Auto, false, true, true, nc).color_stdout);
        assert!(Display::resolve(ColorChoice::Always, false, true, true, nc).color_stdout);
        // CLICOLOR_FORCE colours a pipe.
        let force = EnvView {
            clicolor_force: true,
            ..env
        };
        assert!(Display::resolve(ColorChoice::Auto, false, false, false, force).color_stdout);
        assert!(!Display::resolve(ColorChoice::Never, false, true, true, force).color_stdout);
        // No progress bar under CI, with --quiet, or without a terminal.
        let ci = EnvView { ci: true, ..env };
        assert!(!Display::resolve(ColorChoice::Auto, false, true, true, ci).progress);
        assert!(!Display::resolve(ColorChoice::Auto, true, true, true, env).progress);
        assert!(!Display::resolve(ColorChoice::Auto, false, true, false, env).progress);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(short_duration(Duration::from_millis(850)), "850ms");
        assert_eq!(short_duration(Duration::from_millis(1240)), "1.24s");
        assert_eq!(short_duration(Duration::from_secs(123)), "2m03s");
        assert_eq!(millis(Duration::from_micros(1500)), 1.5);
    }
}
