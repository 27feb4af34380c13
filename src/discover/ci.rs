//! Discovery's test cases for CI reports: a discovery is one case (failed when it found no pod
//! to call), a recheck one case (failed when pods appeared during the run and missed it).

use super::{Recheck, Report};
use crate::exit::Code;
use crate::report::ci::{Case, Status, names};

/// Pods named in a case's short message.
const NAMED: usize = 5;

pub fn discovery(r: &Report) -> Vec<Case> {
    let name = r.source.describe();
    let found = format!("{} pods", r.pods.len());
    let case = if let Some(stop) = r.stopped {
        Case {
            status: Status::Error,
            message: format!("stopped: {}", stop.describe()),
            ..Case::passed(name, "stopped")
        }
    } else if r.pods.is_empty() {
        let skipped: Vec<String> = r
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.name, s.reason))
            .collect();
        Case {
            status: Status::Failed,
            message: if skipped.is_empty() {
                "no pod found".into()
            } else {
                format!("no pod to call: {} left out", skipped.len())
            },
            detail: skipped.join("\n"),
            ..Case::passed(name, "no-pods")
        }
    } else {
        Case {
            message: found,
            ..Case::passed(name, "found")
        }
    };
    vec![case]
}

pub fn recheck(r: &Recheck) -> Vec<Case> {
    let name = format!("pods listed again (round {})", r.round);
    let appeared: Vec<&str> = r.appeared.iter().map(|p| p.name.as_str()).collect();
    let gone: Vec<&str> = r.gone.iter().map(|p| p.name.as_str()).collect();
    let mut detail = Vec::new();
    if !appeared.is_empty() {
        detail.push(format!("appeared: {}", appeared.join(", ")));
    }
    if !gone.is_empty() {
        detail.push(format!("went away: {}", gone.join(", ")));
    }
    let case = if r.code() != Code::Success {
        Case {
            status: Status::Failed,
            message: format!(
                "appeared during the run and missed it: {}",
                names(&appeared, NAMED)
            ),
            detail: detail.join("\n"),
            ..Case::passed(name, "missed")
        }
    } else if let Some(e) = &r.error {
        Case {
            status: Status::Warned,
            message: format!("not listed: {e}"),
            ..Case::passed(name, "unknown")
        }
    } else if appeared.is_empty() && gone.is_empty() {
        Case::passed(name, "no-change")
    } else {
        Case {
            message: detail.join("; "),
            detail: detail.join("\n"),
            ..Case::passed(name, "changed")
        }
    };
    vec![case]
}
