//! What CI systems read of a command: each step's test cases ([`Case`], one a path, from
//! [`super::StepReport::cases`], or given as the step goes through [`super::Reporter::case`]
//! when its report does not keep what they are made of), collected as the steps end and written when the command ends:
//! a JUnit XML file ([`super::junit`], `--junit FILE`) and, under GitHub Actions, a Markdown job
//! summary and workflow-command annotations ([`super::github`]).
//!
//! Invariants: no step is known here, only its cases; every text a case carries is redacted when
//! it is collected (and every file or line written is redacted again whole), so a secret a pod
//! echoed reaches neither file; the JUnit file goes through [`crate::fsutil::write`] (through a
//! symlink, a device in place, a regular file atomically) and a JUnit file that cannot be written
//! fails the command (exit 1, unless it failed otherwise); the job summary is appended ([`crate::fsutil::append`]), and one
//! that cannot be written is a warning, since the run's result, its exit code and annotations
//! stand without it; what is kept grows with the paths, never with the cells.

use std::time::{Duration, SystemTime};

use crate::config::CiSettings;
use crate::exit::{Code, Stop};
use crate::secret::redact;

/// How one case ended, as test reports count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Done and proven.
    Passed,
    /// Done, but people should look (a verify path that converged without proof): passed for
    /// JUnit, a warning annotation on GitHub.
    Warned,
    /// Nothing to do (a page no pod generated, under `--only-generated`).
    Skipped,
    /// The check ran and failed: stale content, a pod that refused, a message under-delivered.
    Failed,
    /// The check could not run: no answer, cancelled.
    Error,
}

impl Status {
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Error)
    }
}

/// One test case: what a step did for one path (or message, batch, pod list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// What was tested: the path, as the step names it.
    pub name: String,
    pub status: Status,
    /// The step's own word for the outcome (fresh, stale, revalidated, under-delivered...).
    pub outcome: String,
    /// One line, short enough for a list: which pods and why. Empty when there is nothing to
    /// say (a plain pass).
    pub message: String,
    /// Everything else worth reading (every pod and its answer), one item a line.
    pub detail: String,
}

impl Case {
    /// A case that passed with nothing to say.
    pub fn passed(name: impl Into<String>, outcome: impl Into<String>) -> Case {
        Case {
            name: name.into(),
            status: Status::Passed,
            outcome: outcome.into(),
            message: String::new(),
            detail: String::new(),
        }
    }

    fn redacted(self) -> Case {
        let r = |s: String| redact(&s).into_owned();
        Case {
            name: r(self.name),
            outcome: r(self.outcome),
            message: r(self.message),
            detail: r(self.detail),
            status: self.status,
        }
    }
}

/// What a step's cases are of, singular and plural: ("path", "paths").
pub type Unit = (&'static str, &'static str);

/// One ended step, as the CI outputs need it.
#[derive(Clone, Debug)]
pub struct Step {
    /// The step's name (`verify`), as the JSON document's `step` events name it.
    pub step: &'static str,
    pub unit: Unit,
    pub code: Code,
    pub stopped: Option<Stop>,
    pub started_at: SystemTime,
    pub duration: Duration,
    pub cases: Vec<Case>,
    pub warnings: Vec<String>,
    /// A failure that does not stop the report ([`super::StepReport::error`]).
    pub error: Option<String>,
    /// Its failures do not count: the next step makes up for them ([`super::Reporter::tolerate_next_step`]);
    /// its failed cases are warnings.
    pub tolerated: bool,
}

impl Step {
    /// "revalidate.verify": the JUnit class and the annotations' title.
    pub fn class(&self) -> String {
        format!("revalidate.{}", self.step)
    }

    pub fn count(&self, status: Status) -> usize {
        self.cases.iter().filter(|c| c.status == status).count()
    }

    /// The outcomes and how many cases had each, in the order they first appear.
    pub fn outcomes(&self) -> Vec<(Status, &str, usize)> {
        let mut out: Vec<(Status, &str, usize)> = Vec::new();
        for c in &self.cases {
            match out
                .iter_mut()
                .find(|(s, o, _)| *s == c.status && *o == c.outcome)
            {
                Some(e) => e.2 += 1,
                None => out.push((c.status, &c.outcome, 1)),
            }
        }
        out
    }

    /// "10 paths: 6 fresh, 3 stale, 1 unproven", the step's result in a line (its own case, if
    /// any, is not a path: its error says it).
    pub fn tally(&self) -> String {
        let n = self
            .cases
            .iter()
            .filter(|c| c.outcome != STEP_FAILED)
            .count();
        let mut s = crate::report::human::plural(n, self.unit.0, self.unit.1);
        let parts: Vec<String> = self
            .outcomes()
            .iter()
            .filter(|(_, o, _)| *o != STEP_FAILED)
            .map(|(_, o, k)| format!("{k} {o}"))
            .collect();
        if !parts.is_empty() {
            s.push_str(": ");
            s.push_str(&parts.join(", "));
        }
        s
    }

    /// The failed cases grouped by cause (outcome and message), in the order each cause first
    /// appears: one line a cause for people, however many paths share it.
    pub fn causes(&self) -> Vec<Cause<'_>> {
        let mut out: Vec<Cause<'_>> = Vec::new();
        for c in self.cases.iter().filter(|c| c.status.is_failure()) {
            match out
                .iter_mut()
                .find(|g| g.outcome == c.outcome && g.message == c.message)
            {
                Some(g) => g.names.push(&c.name),
                None => out.push(Cause {
                    status: c.status,
                    outcome: &c.outcome,
                    message: &c.message,
                    names: vec![&c.name],
                }),
            }
        }
        out
    }
}

/// Failed cases that share an outcome and a message.
#[derive(Debug, PartialEq, Eq)]
pub struct Cause<'a> {
    pub status: Status,
    pub outcome: &'a str,
    pub message: &'a str,
    pub names: Vec<&'a str>,
}

/// What the reporter keeps for the CI outputs, and where they go.
pub struct Collector {
    pub settings: CiSettings,
    pub steps: Vec<Step>,
    /// When the running step started.
    pub started: Option<(SystemTime, std::time::Instant)>,
    /// The running step's cases given as it goes ([`super::Reporter::case`]), with their input
    /// positions.
    pending: Vec<(usize, Case)>,
}

impl Collector {
    pub fn new(settings: CiSettings) -> Collector {
        Collector {
            settings,
            steps: Vec::new(),
            started: None,
            pending: Vec::new(),
        }
    }

    /// A step starts: nothing of the last one is pending.
    pub fn start(&mut self) {
        self.started = Some((SystemTime::now(), std::time::Instant::now()));
        self.pending.clear();
    }

    /// A case of the running step, given as it comes, redacted at once.
    pub fn case(&mut self, seq: usize, case: Case) {
        self.pending.push((seq, case.redacted()));
    }

    /// A step ended: its cases are kept, redacted. A `tolerated` step's failures are made up for
    /// by the next step: its failed cases are kept as warnings, and it gets no case of its own.
    pub fn add<R: super::StepReport>(&mut self, report: &R, tolerated: bool) {
        let (started_at, began) = self
            .started
            .take()
            .unwrap_or((SystemTime::now(), std::time::Instant::now()));
        // The cases given as the step went, in input order, then those of its report.
        let mut given = std::mem::take(&mut self.pending);
        given.sort_by_key(|(seq, _)| *seq);
        let mut cases: Vec<Case> = given.into_iter().map(|(_, c)| c).collect();
        cases.extend(report.cases());
        if tolerated {
            for c in cases.iter_mut().filter(|c| c.status.is_failure()) {
                c.status = Status::Warned;
                c.message = format!("{TOLERATED}: {}", c.message);
            }
        } else if let Some(case) = step_case(
            R::STEP,
            report.code(),
            report.stopped(),
            report.error(),
            &cases,
        ) {
            cases.push(case);
        }
        self.steps.push(Step {
            step: R::STEP,
            unit: R::UNIT,
            code: report.code(),
            stopped: report.stopped(),
            started_at,
            duration: began.elapsed(),
            cases: cases.into_iter().map(Case::redacted).collect(),
            warnings: report
                .warnings()
                .iter()
                .map(|w| redact(w).into_owned())
                .collect(),
            error: report.error().map(|e| redact(e).into_owned()),
            tolerated,
        });
    }
}

/// How a tolerated step's failed case begins.
pub const TOLERATED: &str = "made up for by the next step";

/// The outcome of the case a failed step gets of its own ([`step_case`]).
pub const STEP_FAILED: &str = "step-failed";

/// A case for the step itself when it failed and none of its cases says so (a `--save` file not
/// written, a run stopped before any path failed, a step with no cases of its own), so a test
/// report never shows a failed step all green.
fn step_case(
    step: &str,
    code: Code,
    stopped: Option<Stop>,
    error: Option<&str>,
    cases: &[Case],
) -> Option<Case> {
    if code == Code::Success || cases.iter().any(|c| c.status.is_failure()) {
        return None;
    }
    let message = match (error, stopped) {
        (Some(e), _) => e.to_string(),
        (None, Some(stop)) => stop.partial().to_string(),
        (None, None) => format!("the step failed (exit {})", code.as_u8()),
    };
    Some(Case {
        name: format!("{step} (the step)"),
        status: Status::Error,
        outcome: STEP_FAILED.into(),
        message,
        detail: String::new(),
    })
}

/// A text cut to at most `max` characters (an ellipsis says it was cut), on one line.
pub fn clip(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = one_line.trim();
    if one_line.chars().count() <= max {
        return one_line.to_string();
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The first clause of a sentence (up to its first "; "), for a list: the rest is advice.
pub fn first_clause(text: &str) -> &str {
    text.split("; ").next().unwrap_or(text)
}

/// Names listed for a short message: the first `max`, then how many more.
pub fn names<S: AsRef<str>>(names: &[S], max: usize) -> String {
    let shown: Vec<&str> = names.iter().take(max).map(AsRef::as_ref).collect();
    let mut out = shown.join(", ");
    if names.len() > max {
        out.push_str(&format!(" and {} more", names.len() - max));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(cases: Vec<Case>) -> Step {
        Step {
            step: "verify",
            unit: ("path", "paths"),
            code: Code::Stale,
            stopped: None,
            started_at: SystemTime::UNIX_EPOCH,
            duration: Duration::from_millis(1500),
            cases,
            warnings: Vec::new(),
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
    fn a_step_tallies_its_outcomes_and_groups_failures_by_cause() {
        let s = step(vec![
            Case::passed("/a", "fresh"),
            failed("/b", "stale on web-1"),
            Case::passed("/c", "fresh"),
            failed("/d", "stale on web-1"),
            failed("/e", "stale on web-2"),
        ]);
        assert_eq!(s.tally(), "5 paths: 2 fresh, 3 stale");
        let causes = s.causes();
        assert_eq!(causes.len(), 2);
        assert_eq!(causes[0].message, "stale on web-1");
        assert_eq!(causes[0].names, ["/b", "/d"]);
        assert_eq!(causes[1].names, ["/e"]);
    }

    #[test]
    fn a_failed_step_without_a_failed_case_gets_one_of_its_own() {
        let fresh = [Case::passed("/a", "fresh")];
        assert_eq!(step_case("verify", Code::Success, None, None, &fresh), None);
        let saved = step_case(
            "verify",
            Code::Unexpected,
            None,
            Some("cannot save the snapshot s.json"),
            &fresh,
        )
        .unwrap();
        assert_eq!(
            (saved.name.as_str(), saved.status, saved.message.as_str()),
            (
                "verify (the step)",
                Status::Error,
                "cannot save the snapshot s.json"
            )
        );
        let stopped = step_case(
            "fanout",
            Code::Interrupted,
            Some(Stop::Interrupted),
            None,
            &[],
        );
        assert_eq!(
            stopped.unwrap().message,
            "interrupted; this report is partial"
        );
        // A failed path says it already.
        let stale = [failed("/b", "stale on web-1")];
        assert_eq!(step_case("verify", Code::Stale, None, None, &stale), None);
    }

    /// A step report of fixed cases, for the collector.
    #[derive(serde::Serialize)]
    struct Fixed(#[serde(skip)] Vec<Case>, #[serde(skip)] Code);

    impl crate::report::StepReport for Fixed {
        const KIND: &'static str = "fixed";
        const STEP: &'static str = "publish";
        fn code(&self) -> Code {
            self.1
        }
        fn stopped(&self) -> Option<Stop> {
            None
        }
        fn warnings(&self) -> &[String] {
            &[]
        }
        fn totals(&self) -> serde_json::Value {
            serde_json::Value::Null
        }
        fn human(&self, _: &crate::report::Style) -> String {
            String::new()
        }
        fn cases(&self) -> Vec<Case> {
            self.0.clone()
        }
    }

    #[test]
    fn a_tolerated_step_keeps_its_failures_as_warnings() {
        let report = Fixed(vec![failed("/a", "under-delivered")], Code::CellsFailed);
        let mut c = Collector::new(CiSettings::default());
        c.add(&report, true);
        c.add(&report, false);
        let (tolerated, counted) = (&c.steps[0], &c.steps[1]);
        assert!(tolerated.tolerated);
        assert_eq!(tolerated.cases.len(), 1, "no case of its own");
        assert_eq!(tolerated.cases[0].status, Status::Warned);
        assert_eq!(
            tolerated.cases[0].message,
            "made up for by the next step: under-delivered"
        );
        assert_eq!(counted.cases[0].status, Status::Failed);
    }

    #[test]
    fn texts_are_clipped_to_one_line_and_names_capped() {
        assert_eq!(clip("a\nb", 10), "a b");
        assert_eq!(clip("abcdefghij", 5), "abcd…");
        assert_eq!(first_clause("one; add --x; or y"), "one");
        assert_eq!(names(&["a", "b", "c", "d"], 2), "a, b and 2 more");
        assert_eq!(names(&["a"], 2), "a");
    }
}
