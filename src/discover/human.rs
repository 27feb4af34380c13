//! Discovery and recheck, as people read them: `revalidate pods` prints every pod (name, IP,
//! port, node, zone, state, transport) and every endpoint left out with the reason; before a
//! fanout or a verify, a discovery is a summary of a few lines; a recheck says who appeared
//! and who went away during the run. Endpoints left out fold into a row a reason when there are
//! many of them.

use crate::discover::{Recheck, Report, Source};
use crate::report::Style;
use crate::report::human::group::PathRows;
use crate::report::human::{ending, plural};
use crate::report::table::{Cell as TCell, Paint, Table};
use crate::units::short_duration;

fn source_line(r: &Report) -> String {
    let mut parts = vec![r.source.describe()];
    match &r.source {
        Source::Service { port: Some(p), .. } | Source::Selector { port: Some(p), .. } => {
            parts.push(format!("port {p}"));
        }
        _ => {}
    }
    if let Some(c) = &r.context {
        parts.push(format!("context {c}"));
    }
    parts.join(" · ")
}

/// The endpoints left out and why; many (a rollout of a large Service) fold into a row a reason.
fn skipped_table(r: &Report, style: &Style) -> String {
    let mut t = PathRows::new("NAME", "NAMES", &["IP", "REASON"])
        .own(&["IP"])
        .indent(2);
    for s in &r.skipped {
        t.row(
            s.name.as_str(),
            vec![
                s.address.clone().unwrap_or_else(|| "-".into()).into(),
                TCell::new(s.reason.clone(), Paint::Warn),
            ],
        );
    }
    t.render(style)
}

fn transport_line(r: &Report) -> Option<String> {
    r.transport
        .as_ref()
        .map(|t| format!("transport {}: {}", t.kind.name(), t.reason))
}

/// A discovery: every pod (`revalidate pods`), or a summary before the steps that call them.
pub fn discover(r: &Report, style: &Style) -> String {
    let mut out = String::new();
    if r.table {
        out.push_str(&format!(
            "{} {} · {}\n\n",
            style.bold("revalidate pods:"),
            source_line(r),
            short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
        ));
        if !r.pods.is_empty() {
            let mut t = Table::new(&["NAME", "IP", "PORT", "NODE", "ZONE", "STATE", "TRANSPORT"]);
            for p in &r.pods {
                let state = p.state();
                t.row(vec![
                    p.name.as_str().into(),
                    p.address.as_str().into(),
                    p.port.to_string().into(),
                    p.node.clone().unwrap_or_else(|| "-".into()).into(),
                    p.zone.clone().unwrap_or_else(|| "-".into()).into(),
                    TCell::new(state, if p.ready { Paint::Good } else { Paint::Warn }),
                    p.reach.kind().into(),
                ]);
            }
            out.push_str(&t.render(style));
        }
        if !r.skipped.is_empty() {
            out.push_str(&format!(
                "\n{}\n",
                style.bold(&format!("Left out ({}):", r.skipped.len()))
            ));
            out.push_str(&skipped_table(r, style));
        }
        if let Some(t) = transport_line(r) {
            out.push_str(&format!("\n{t}\n"));
        }
        out.push('\n');
    } else {
        out.push_str(&format!(
            "{} {} in {} · {}\n",
            style.bold("discovered"),
            plural(r.pods.len(), "pod", "pods"),
            source_line(r),
            short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
        ));
        if let Some(t) = transport_line(r) {
            out.push_str(&format!("  {t}\n"));
        }
        if !r.skipped.is_empty() {
            out.push_str(&format!("  left out ({}):\n", r.skipped.len()));
            out.push_str(
                &skipped_table(r, style)
                    .lines()
                    .skip(1)
                    .map(|l| format!("  {l}\n"))
                    .collect::<String>(),
            );
        }
    }
    let verdict = if let Some(stop) = r.stopped {
        style.red(&format!(
            "stopped before the pods were listed: {}",
            stop.partial()
        ))
    } else if r.pods.is_empty() {
        style.red("no pod to call")
    } else {
        style.green(&plural(r.pods.len(), "pod", "pods"))
    };
    if r.table || r.pods.is_empty() || r.stopped.is_some() {
        out.push_str(&verdict);
        out.push_str(&ending(None, r.exit_code, style));
    }
    if !r.table {
        out.push('\n');
    }
    out
}

/// A recheck: who appeared, who went away.
pub fn recheck(r: &Recheck, style: &Style) -> String {
    let mut out = format!(
        "\n{} {} listed again {} after the first listing",
        style.bold("recheck:"),
        plural(r.pods, "pod", "pods"),
        short_duration(std::time::Duration::from_secs_f64(r.after_ms / 1000.0)),
    );
    if r.round > 1 {
        out.push_str(&format!(" (round {})", r.round));
    }
    let quiet = r.error.is_none() && r.appeared.is_empty() && r.gone.is_empty();
    out.push_str(if quiet { " · " } else { "\n" });
    if let Some(e) = &r.error {
        out.push_str(&format!(
            "  {}\n",
            style.yellow(&format!("not listed: {e}"))
        ));
    }
    let mut t = Table::new(&["CHANGE", "NAME", "IP"]).indent(2);
    for p in &r.appeared {
        let what = if r.followed {
            "appeared (handled next)"
        } else {
            "appeared (missed)"
        };
        let paint = if r.followed { Paint::Warn } else { Paint::Bad };
        t.row(vec![
            TCell::new(what, paint),
            p.name.as_str().into(),
            p.address.as_str().into(),
        ]);
    }
    for p in &r.gone {
        t.row(vec![
            TCell::new("went away", Paint::Dim),
            p.name.as_str().into(),
            p.address.as_str().into(),
        ]);
    }
    if !r.appeared.is_empty() || !r.gone.is_empty() {
        out.push_str(&t.render(style));
    }
    let verdict = if r.error.is_some() {
        style.yellow("changes unknown")
    } else if r.appeared.is_empty() && r.gone.is_empty() {
        style.green("no change")
    } else if r.appeared.is_empty() || r.followed {
        style.yellow(&format!(
            "{} appeared, {} went away",
            r.appeared.len(),
            r.gone.len()
        ))
    } else {
        style.red(&format!(
            "{} appeared during the run and {} not called",
            plural(r.appeared.len(), "pod", "pods"),
            if r.appeared.len() == 1 { "was" } else { "were" }
        ))
    };
    out.push_str(&verdict);
    out.push_str(&ending(None, r.exit_code, style));
    out
}
