//! GitHub Actions (under `GITHUB_ACTIONS=true`, or `--github`): a Markdown summary of the run,
//! appended to the file `$GITHUB_STEP_SUMMARY` names (the job's summary page), and
//! workflow-command annotations (`::error title=…::…`, `::warning …`) for failed steps, failed
//! paths and warnings.
//!
//! Annotations go to stderr: the runner reads workflow commands from a step's stderr as well as
//! its stdout (actions/runner runs one output manager, with the same command handler, on each
//! stream), and stdout carries only the result, so `-o json | jq` keeps working.
//!
//! Invariants: pure functions of the steps (unit-tested); bounded whatever the run's size: the
//! summary has a table of outcomes a step and one row a cause of failure (at most
//! [`MAX_CAUSES`], each naming at most [`MAX_NAMES`] paths, then a count of the rest), never a row
//! a path; annotations stop at GitHub's display limit ([`MAX_ANNOTATIONS`] of each kind a step),
//! the last one saying how many more there were; every property and message is escaped as the
//! runner unescapes it (`%`, CR and LF everywhere; `:` and `,` in properties too), so no text can
//! end a command or start another.

use std::collections::BTreeSet;

use super::ci::{Cause, STEP_FAILED, Status, Step, TOLERATED, clip};
use crate::exit::Code;
use crate::report::human::plural;

/// Causes of failure listed a step in the summary.
pub const MAX_CAUSES: usize = 20;
/// Paths named a cause (in the summary) or an outcome.
pub const MAX_NAMES: usize = 5;
/// Annotations of one kind (error, warning) GitHub shows for a step of a job; more are dropped
/// silently, so the last one written says how many more there were.
pub const MAX_ANNOTATIONS: usize = 10;
/// Longest annotation message, in characters (the detail is in the summary and the JUnit file).
const MAX_MESSAGE: usize = 300;

/// The Markdown summary of a command's steps.
pub fn summary(command: &str, code: Code, steps: &[Step]) -> String {
    let mark = if code == Code::Success { "✅" } else { "❌" };
    let mut out = format!(
        "### {mark} revalidate {}: exit {} ({})\n\n",
        md(command),
        code.as_u8(),
        md(code_meaning(code))
    );
    for step in steps {
        out.push_str(&step_summary(step));
    }
    out
}

/// What an exit code means, in a few words for the summary's heading.
fn code_meaning(code: Code) -> &'static str {
    match code {
        Code::Success => "success",
        Code::Unexpected => "unexpected error",
        Code::Usage => "usage error",
        Code::CellsFailed => "some cells failed",
        Code::Stale => "stale or unproven",
        Code::ServiceUnavailable => "a service was unavailable",
        Code::Interrupted => "interrupted",
        Code::Terminated => "terminated",
    }
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Passed => "✅",
        Status::Warned => "⚠️",
        Status::Skipped => "⏭️",
        Status::Failed | Status::Error => "❌",
    }
}

fn step_summary(step: &Step) -> String {
    let tolerated = if step.tolerated && step.code != Code::Success {
        format!(" ({TOLERATED})")
    } else {
        String::new()
    };
    let mut out = format!(
        "**{}** · {} · {:.2}s · exit {}{tolerated}\n\n",
        md(step.step),
        md(&step.tally()),
        step.duration.as_secs_f64(),
        step.code.as_u8()
    );
    if let Some(stop) = step.stopped {
        out.push_str(&format!("Stopped early: {}.\n\n", md(stop.partial())));
    }
    let outcomes = step.outcomes();
    if !outcomes.is_empty() {
        out.push_str(&format!(
            "| outcome | {} | |\n|---|---:|---|\n",
            step.unit.1
        ));
        for (status, outcome, n) in &outcomes {
            let names: Vec<&str> = step
                .cases
                .iter()
                .filter(|c| c.status == *status && c.outcome == *outcome)
                .map(|c| c.name.as_str())
                .collect();
            out.push_str(&format!(
                "| {} {} | {n} | {} |\n",
                icon(*status),
                md(outcome),
                named(&names)
            ));
        }
        out.push('\n');
    }
    let causes = step.causes();
    if !causes.is_empty() {
        out.push_str(&format!(
            "<details open><summary>{} by cause</summary>\n\n| cause | {} | |\n|---|---:|---|\n",
            plural(
                causes.iter().map(|c| c.names.len()).sum(),
                "failure",
                "failures"
            ),
            step.unit.1
        ));
        for c in causes.iter().take(MAX_CAUSES) {
            out.push_str(&format!(
                "| {} {} | {} | {} |\n",
                icon(c.status),
                md(&cause_text(c)),
                c.names.len(),
                named(&c.names)
            ));
        }
        if causes.len() > MAX_CAUSES {
            let rest = &causes[MAX_CAUSES..];
            out.push_str(&format!(
                "| … {} more {} | {} | see the JUnit report or `-o json` |\n",
                rest.len(),
                if rest.len() == 1 { "cause" } else { "causes" },
                rest.iter().map(|c| c.names.len()).sum::<usize>()
            ));
        }
        out.push_str("\n</details>\n\n");
    }
    let mut notes: Vec<String> = step
        .warnings
        .iter()
        .take(MAX_CAUSES)
        .map(|w| format!("- ⚠️ {}\n", md(&clip(w, MAX_MESSAGE))))
        .collect();
    if step.warnings.len() > MAX_CAUSES {
        notes.push(format!(
            "- … and {} more\n",
            plural(step.warnings.len() - MAX_CAUSES, "warning", "warnings")
        ));
    }
    if let Some(e) = &step.error {
        notes.push(format!("- ❌ {}\n", md(&clip(e, MAX_MESSAGE))));
    }
    if !notes.is_empty() {
        out.push_str(&notes.concat());
        out.push('\n');
    }
    out
}

fn cause_text(c: &Cause<'_>) -> String {
    if c.message.is_empty() {
        c.outcome.to_string()
    } else {
        clip(c.message, MAX_MESSAGE)
    }
}

/// The first [`MAX_NAMES`] names, then how many more.
fn named(names: &[&str]) -> String {
    let mut out = names
        .iter()
        .take(MAX_NAMES)
        .map(|n| md(n))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_NAMES {
        out.push_str(&format!(" and {} more", names.len() - MAX_NAMES));
    }
    out
}

/// Text for a Markdown table cell: one line, every character that Markdown or HTML would
/// interpret backslash-escaped (a path is shown as it is, never as a link, tag or emphasis).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One annotation: `::error title=…::message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    pub title: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

impl Annotation {
    /// The workflow command, one line.
    pub fn line(&self) -> String {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        format!(
            "::{level} title={}::{}\n",
            property(&self.title),
            data(&clip_keep_lines(&self.message))
        )
    }
}

fn clip_keep_lines(text: &str) -> String {
    if text.chars().count() <= MAX_MESSAGE {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_MESSAGE - 1).collect();
    out.push('…');
    out
}

/// A command's data (its message), escaped as the runner unescapes it.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value (the title), escaped as the runner unescapes it.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations of one step: the step's failure first, then its failed paths, then its
/// warnings, each kind cut at [`MAX_ANNOTATIONS`] (the last saying how many more).
///
/// `said` holds the paths earlier steps of the command annotated: a path is annotated once, by
/// the first step that failed or warned of it (`run`'s own case a path repeats its verify's).
pub fn annotations(command: &str, step: &Step, said: &mut BTreeSet<String>) -> Vec<Annotation> {
    let title = format!("revalidate {command}");
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if step.code != Code::Success && step.tolerated {
        warnings.push(Annotation {
            level: Level::Warning,
            title: format!(
                "{title}: {} failed (exit {}), {TOLERATED}",
                step.step,
                step.code.as_u8()
            ),
            message: step.tally(),
        });
    } else if step.code != Code::Success {
        errors.push(Annotation {
            level: Level::Error,
            title: format!("{title}: {} failed (exit {})", step.step, step.code.as_u8()),
            message: step.tally(),
        });
    }
    if let Some(e) = &step.error {
        errors.push(Annotation {
            level: Level::Error,
            title: format!("{title}: {}", step.step),
            message: e.clone(),
        });
    }
    // The step's own case (a failed step none of whose cases failed) is said by its error above.
    for c in step.cases.iter().filter(|c| c.outcome != STEP_FAILED) {
        if c.status.is_failure() || c.status == Status::Warned {
            if said.contains(&c.name) {
                continue;
            }
            said.insert(c.name.clone());
        }
        let message = if c.message.is_empty() {
            c.outcome.clone()
        } else {
            c.message.clone()
        };
        let a = |level| Annotation {
            level,
            title: format!("{title}: {} {}", step.step, c.name),
            message: message.clone(),
        };
        match c.status {
            Status::Failed | Status::Error => errors.push(a(Level::Error)),
            Status::Warned => warnings.push(a(Level::Warning)),
            Status::Passed | Status::Skipped => {}
        }
    }
    for w in &step.warnings {
        warnings.push(Annotation {
            level: Level::Warning,
            title: format!("{title}: {}", step.step),
            message: w.clone(),
        });
    }
    let mut out = capped(errors, &title, step);
    out.extend(capped(warnings, &title, step));
    out
}

fn capped(mut list: Vec<Annotation>, title: &str, step: &Step) -> Vec<Annotation> {
    if list.len() <= MAX_ANNOTATIONS {
        return list;
    }
    let level = list[0].level;
    let rest = list.len() - (MAX_ANNOTATIONS - 1);
    list.truncate(MAX_ANNOTATIONS - 1);
    list.push(Annotation {
        level,
        title: format!("{title}: {}", step.step),
        message: format!(
            "{} more {}: see the job summary, the JUnit report or -o json",
            rest,
            if level == Level::Error {
                "failures"
            } else {
                "warnings"
            }
        ),
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ci::Case;
    use std::time::{Duration, SystemTime};

    fn step(cases: Vec<Case>, warnings: Vec<String>) -> Step {
        Step {
            step: "verify",
            unit: ("path", "paths"),
            code: Code::Stale,
            stopped: None,
            started_at: SystemTime::UNIX_EPOCH,
            duration: Duration::from_millis(1500),
            cases,
            warnings,
            error: None,
            tolerated: false,
        }
    }

    fn failed(name: &str, message: &str) -> Case {
        Case {
            name: name.into(),
            status: Status::Failed,
            outcome: "stale".into(),
            message: message.into(),
            detail: String::new(),
        }
    }

    #[test]
    fn workflow_commands_escape_what_would_end_or_start_one() {
        let a = Annotation {
            level: Level::Error,
            title: "revalidate verify: /a,b:c 100%".into(),
            message: "line one\r\nline two: 50% ::error::no".into(),
        };
        assert_eq!(
            a.line(),
            "::error title=revalidate verify%3A /a%2Cb%3Ac 100%25::line one%0D%0Aline two: 50%25 ::error::no\n"
        );
    }

    #[test]
    fn annotations_put_the_step_first_and_stop_at_githubs_limit() {
        let cases: Vec<Case> = (0..25)
            .map(|i| failed(&format!("/p{i}"), "stale on web-1"))
            .collect();
        let s = step(cases, vec!["one warning".into()]);
        let a = annotations("verify", &s, &mut BTreeSet::new());
        let errors: Vec<&Annotation> = a.iter().filter(|a| a.level == Level::Error).collect();
        assert_eq!(errors.len(), MAX_ANNOTATIONS);
        assert_eq!(errors[0].title, "revalidate verify: verify failed (exit 4)");
        assert_eq!(errors[0].message, "25 paths: 25 stale");
        assert_eq!(errors[1].title, "revalidate verify: verify /p0");
        assert_eq!(
            errors[9].message,
            "17 more failures: see the job summary, the JUnit report or -o json"
        );
        let warnings: Vec<&Annotation> = a.iter().filter(|a| a.level == Level::Warning).collect();
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn the_summary_groups_failures_and_stays_small_at_any_size() {
        let mut cases: Vec<Case> = (0..5000)
            .map(|i| failed(&format!("/p{i}"), &format!("stale on web-{}", i % 30)))
            .collect();
        cases.push(Case::passed("/ok", "fresh"));
        let s = summary("verify", Code::Stale, &[step(cases, Vec::new())]);
        assert!(
            s.starts_with("### ❌ revalidate verify: exit 4 (stale or unproven)\n"),
            "{s}"
        );
        assert!(s.contains("| ❌ stale | 5000 | /p0, /p1, /p2, /p3, /p4 and 4995 more |"));
        assert!(s.contains("| ✅ fresh | 1 | /ok |"));
        assert!(
            s.contains("| ❌ stale on web-0 | 167 | /p0, /p30, /p60, /p90, /p120 and 162 more |")
        );
        assert!(s.contains("| … 10 more causes | 1660 |"), "{s}");
        assert!(s.lines().count() < 40, "{}", s.lines().count());
    }

    #[test]
    fn a_path_is_annotated_once_by_the_first_step_that_failed_it() {
        let s = step(vec![failed("/a", "stale on web-1")], Vec::new());
        let mut said = BTreeSet::new();
        let first = annotations("run", &s, &mut said);
        let again = annotations("run", &s, &mut said);
        assert_eq!(first.len(), 2, "{first:#?}");
        assert_eq!(again.len(), 1, "the step's failure only: {again:#?}");
        assert_eq!(again[0].title, "revalidate run: verify failed (exit 4)");
    }

    #[test]
    fn a_tolerated_step_warns_instead_of_failing() {
        let mut s = step(
            vec![Case {
                status: Status::Warned,
                message: format!("{TOLERATED}: under-delivered: 1 of 3 subscribers received it"),
                ..failed("/p", "")
            }],
            Vec::new(),
        );
        s.code = Code::CellsFailed;
        s.tolerated = true;
        let a = annotations("run", &s, &mut BTreeSet::new());
        assert!(a.iter().all(|a| a.level == Level::Warning), "{a:#?}");
        assert_eq!(
            a[0].title,
            "revalidate run: verify failed (exit 3), made up for by the next step"
        );
        assert!(
            summary("run", Code::Success, &[s]).contains("exit 3 (made up for by the next step)")
        );
    }

    #[test]
    fn markdown_cells_show_paths_as_they_are() {
        assert_eq!(md("/a|b_<c>*d\ne"), "/a\\|b\\_\\<c\\>\\*d e");
    }
}
