//! publish's test cases for CI reports: one a message (a path). Delivered and acknowledged
//! pass; under-delivered and unacknowledged fail (the message went out, too few got or handled
//! it); not sent and failed are errors (nothing, or nothing known, reached Redis).

use super::{Message, Outcome, Report};
use crate::report::ci::{Case, Status, first_clause, names};

/// Pods named in a case's short message.
const NAMED: usize = 3;

pub fn cases(r: &Report) -> Vec<Case> {
    r.messages.iter().map(|m| case(r, m)).collect()
}

fn case(r: &Report, m: &Message) -> Case {
    let status = match m.outcome {
        Outcome::Delivered | Outcome::Acknowledged => Status::Passed,
        Outcome::UnderDelivered | Outcome::Unacknowledged => Status::Failed,
        Outcome::NotSent | Outcome::Failed => Status::Error,
    };
    if status == Status::Passed {
        return Case::passed(m.subject(), m.outcome.name());
    }
    let expected = r.expect.subscribers;
    let failed_acks: Vec<String> = m
        .acks
        .iter()
        .filter(|a| !matches!(a.outcome.as_str(), "revalidated" | "not-generated"))
        .map(|a| format!("{} ({})", a.pod, a.outcome))
        .collect();
    let message = match m.outcome {
        Outcome::UnderDelivered => format!(
            "under-delivered: {} of {expected} subscribers received it",
            m.receivers.unwrap_or(0)
        ),
        Outcome::Unacknowledged if !m.missing_pods.is_empty() => {
            format!("unacknowledged by {}", names(&m.missing_pods, NAMED))
        }
        Outcome::Unacknowledged if !failed_acks.is_empty() => {
            format!("unacknowledged: {}", names(&failed_acks, NAMED))
        }
        o => match &m.error {
            Some(e) => format!("{}: {}", o.name(), first_clause(e)),
            None => o.name().to_string(),
        },
    };
    let mut detail = vec![format!(
        "channel {}, message id {}: {} subscribers received it, {expected} expected ({})",
        r.channel,
        m.id,
        m.receivers
            .map_or("no answer: none known".to_string(), |n| n.to_string()),
        r.expect.source
    )];
    for a in &m.acks {
        detail.push(format!(
            "{} acknowledged {} in {:.0} ms",
            a.pod, a.outcome, a.ms
        ));
    }
    if !m.missing_pods.is_empty() {
        detail.push(format!(
            "no acknowledgement of success from {}",
            m.missing_pods.join(", ")
        ));
    }
    if let Some(e) = &m.error {
        detail.push(e.clone());
    }
    if let Some(h) = m.outcome.hint() {
        detail.push(format!("hint: {h}"));
    }
    Case {
        name: m.subject(),
        status,
        outcome: m.outcome.name().to_string(),
        message,
        detail: detail.join("\n"),
    }
}
