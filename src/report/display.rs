//! How output is presented, decided once: colour on each stream and the progress bar, from the
//! flags, the environment and whether the streams are terminals (nextest's
//! `DisplayConfig::resolve`), and the styles people's text is painted with.

use anstyle::{AnsiColor, Effects};

use crate::choices::{ColorChoice, OutputFormat};

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

/// How people's text is written: painted with ANSI styles (anstyle) or plain, and how much of a
/// long list it names.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
    /// The global `-v` count: from 1, failures grouped by cause name every path (see
    /// [`crate::report::human::group`]) and per-path tables are never folded.
    pub verbose: u8,
}

impl Style {
    pub fn paint(&self, style: anstyle::Style, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("{style}{s}{style:#}")
        } else {
            s.to_string()
        }
    }
    pub fn green(&self, s: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint(AnsiColor::Red.on_default(), s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), s)
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::BOLD), s)
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::DIMMED), s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_resolution() {
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
    fn styles_are_ansi_sgr_or_nothing() {
        let on = Style {
            color: true,
            ..Style::default()
        };
        assert_eq!(on.red("x"), "\x1b[31mx\x1b[0m");
        assert_eq!(on.bold("x"), "\x1b[1mx\x1b[0m");
        assert_eq!(on.red(""), "");
        assert_eq!(Style::default().green("x"), "x");
    }
}
