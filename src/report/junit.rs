//! The JUnit XML report (`--junit FILE`): the format GitLab, Jenkins, Buildkite and GitHub's test
//! reporters read. One `<testsuite>` a step, one `<testcase>` a path (`classname` names the
//! step, `revalidate.verify`; `name` the path); a failed case has a `<failure>` (the check ran
//! and failed) or an `<error>` (it could not run), whose `message` is one short line for a list
//! and whose text is the detail; a skipped case has `<skipped>`; a passed case people should
//! look at carries its message in `<system-out>`.
//!
//! Invariants: a pure function of the steps (rendered in memory, unit-tested); the XML is
//! well-formed whatever the text (quick-xml escapes it, and characters XML 1.0 cannot hold are
//! replaced); the texts were redacted when collected ([`super::ci`]).

use std::borrow::Cow;
use std::time::SystemTime;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::ci::{Case, Status, Step};
use crate::units::timestamp;

/// The JUnit XML of a command's steps.
pub fn render(command: &str, started_at: SystemTime, steps: &[Step]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut w, command, started_at, steps).expect("writing to memory cannot fail");
    let mut xml = String::from_utf8(w.into_inner()).expect("the XML is built from strings");
    xml.push('\n');
    xml
}

/// How many cases of each kind, as `<testsuite>` and `<testsuites>` count them.
#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    time: f64,
}

impl Counts {
    fn of(step: &Step) -> Counts {
        Counts {
            tests: step.cases.len(),
            failures: step.count(Status::Failed),
            errors: step.count(Status::Error),
            skipped: step.count(Status::Skipped),
            time: step.duration.as_secs_f64(),
        }
    }

    fn add(mut self, other: Counts) -> Counts {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.time += other.time;
        self
    }

    fn attributes(&self) -> [(&'static str, String); 5] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
            ("time", format!("{:.3}", self.time)),
        ]
    }
}

fn write(
    w: &mut Writer<Vec<u8>>,
    command: &str,
    started_at: SystemTime,
    steps: &[Step],
) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = steps
        .iter()
        .map(Counts::of)
        .fold(Counts::default(), Counts::add);
    let name = format!("revalidate {command}");
    let stamp = timestamp(started_at);
    let mut suites = w
        .create_element("testsuites")
        .with_attribute(("name", xml_safe(&name).as_ref()));
    for (k, v) in total.attributes() {
        suites = suites.with_attribute((k, v.as_str()));
    }
    suites
        .with_attribute(("timestamp", stamp.as_str()))
        .write_inner_content(|w| {
            for (i, step) in steps.iter().enumerate() {
                // A step run again (on pods that appeared) is a suite of its own, numbered.
                let round = steps[..i].iter().filter(|s| s.step == step.step).count();
                let class = step.class();
                let name = if round == 0 {
                    class.clone()
                } else {
                    format!("{class} ({})", round + 1)
                };
                suite(w, &name, &class, step)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn suite(w: &mut Writer<Vec<u8>>, name: &str, class: &str, step: &Step) -> std::io::Result<()> {
    let stamp = timestamp(step.started_at);
    let mut el = w.create_element("testsuite").with_attribute(("name", name));
    for (k, v) in Counts::of(step).attributes() {
        el = el.with_attribute((k, v.as_str()));
    }
    el = el.with_attribute(("timestamp", stamp.as_str()));
    let mut notes: Vec<String> = step
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    if let Some(e) = &step.error {
        notes.push(format!("error: {e}"));
    }
    if step.cases.is_empty() && notes.is_empty() {
        el.write_empty()?;
        return Ok(());
    }
    el.write_inner_content(|w| {
        for case in &step.cases {
            testcase(w, class, case)?;
        }
        if !notes.is_empty() {
            w.create_element("system-err")
                .write_text_content(BytesText::new(&xml_safe(&notes.join("\n"))))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn testcase(w: &mut Writer<Vec<u8>>, class: &str, case: &Case) -> std::io::Result<()> {
    let el = w
        .create_element("testcase")
        .with_attribute(("classname", class))
        .with_attribute(("name", xml_safe(&case.name).as_ref()));
    let message = if case.message.is_empty() {
        case.outcome.clone()
    } else {
        case.message.clone()
    };
    let tag = match case.status {
        Status::Passed if case.message.is_empty() => return el.write_empty().map(|_| ()),
        Status::Passed | Status::Warned => {
            let text = [message.as_str(), case.detail.as_str()]
                .iter()
                .filter(|t| !t.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            el.write_inner_content(|w| {
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&xml_safe(&text)))?;
                Ok(())
            })?;
            return Ok(());
        }
        Status::Skipped => "skipped",
        Status::Failed => "failure",
        Status::Error => "error",
    };
    el.write_inner_content(|w| {
        let inner = w
            .create_element(tag)
            .with_attribute(("message", xml_safe(&message).as_ref()));
        let inner = if tag == "skipped" {
            inner
        } else {
            inner.with_attribute(("type", xml_safe(&case.outcome).as_ref()))
        };
        if case.detail.is_empty() {
            inner.write_empty()?;
        } else {
            inner.write_text_content(BytesText::new(&xml_safe(&case.detail)))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `text` with the characters XML 1.0 cannot hold, even escaped (most control characters),
/// replaced by U+FFFD.
fn xml_safe(text: &str) -> Cow<'_, str> {
    let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if bad(c) { '\u{fffd}' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Code;
    use std::time::Duration;

    fn step(cases: Vec<Case>) -> Step {
        Step {
            step: "verify",
            unit: ("path", "paths"),
            code: Code::Stale,
            stopped: None,
            started_at: SystemTime::UNIX_EPOCH,
            duration: Duration::from_millis(1500),
            cases,
            warnings: vec!["a <warning> & more".into()],
            error: None,
            tolerated: false,
        }
    }

    #[test]
    fn every_status_has_its_element_and_text_is_escaped() {
        let xml = render(
            "verify",
            SystemTime::UNIX_EPOCH,
            &[step(vec![
                Case::passed("/a?x=1&y=<2>", "fresh"),
                Case {
                    name: "/b".into(),
                    status: Status::Failed,
                    outcome: "stale".into(),
                    message: "stale on web-1: lacks \"New\"".into(),
                    detail: "web-1: lacks \"New\"\u{1}".into(),
                },
                Case {
                    name: "/c".into(),
                    status: Status::Error,
                    outcome: "unreachable".into(),
                    message: "web-2: connect error".into(),
                    detail: String::new(),
                },
                Case {
                    name: "/d".into(),
                    status: Status::Skipped,
                    outcome: "not-generated".into(),
                    message: String::new(),
                    detail: String::new(),
                },
                Case {
                    name: "/e".into(),
                    status: Status::Warned,
                    outcome: "converged".into(),
                    message: "agreement, not proof".into(),
                    detail: String::new(),
                },
            ])],
        );
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"revalidate verify\" tests=\"5\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"1.500\""), "{xml}");
        for want in [
            r#"<testcase classname="revalidate.verify" name="/a?x=1&amp;y=&lt;2&gt;"/>"#,
            r#"<failure message="stale on web-1: lacks &quot;New&quot;" type="stale">web-1: lacks &quot;New&quot;�</failure>"#,
            r#"<error message="web-2: connect error" type="unreachable"/>"#,
            r#"<skipped message="not-generated"/>"#,
            r#"<system-out>agreement, not proof</system-out>"#,
            r#"<system-err>warning: a &lt;warning&gt; &amp; more</system-err>"#,
        ] {
            assert!(xml.contains(want), "{want}\nnot in\n{xml}");
        }
    }

    #[test]
    fn a_step_run_again_is_a_suite_of_its_own() {
        let xml = render(
            "verify",
            SystemTime::UNIX_EPOCH,
            &[step(Vec::new()), step(Vec::new())],
        );
        assert!(xml.contains(r#"<testsuite name="revalidate.verify" tests="0""#));
        assert!(xml.contains(r#"<testsuite name="revalidate.verify (2)" tests="0""#));
    }
}
