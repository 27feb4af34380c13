//! `run` for people: the snapshot in a line; the run as one table a path (revalidated, the pods,
//! the CDN, the edge, the result; rows alike folded in a long run), the reasons grouped by cause
//! ([`crate::report::human::group`]), the fallback and the CDN left alone said in a sentence, one
//! total line.

use super::report::{CdnAction, PathResult, Report, SnapshotReport};
use crate::report::Style;
use crate::report::human::group::{Causes, PathRows, named, without_path};
use crate::report::human::{ending, plural};
use crate::report::table::{Cell, Paint};
use crate::units::short_duration;
use crate::verify::Verdict;

fn took(ms: f64) -> String {
    short_duration(std::time::Duration::from_secs_f64(ms / 1000.0))
}

pub fn snapshot(r: &SnapshotReport, style: &Style) -> String {
    let mut out = format!(
        "{} {} × {} recorded before revalidating ({} responses) · {}\n",
        style.bold("revalidate run: snapshot:"),
        plural(r.paths, "path", "paths"),
        plural(r.pods, "pod", "pods"),
        r.recorded,
        took(r.duration_ms),
    );
    if !r.unreachable_pods.is_empty() {
        out.push_str(&format!(
            "  not answering: {} (no change can be shown for them)\n",
            r.unreachable_pods.join(", ")
        ));
    }
    out
}

fn verdict_cell(v: Option<Verdict>) -> Cell {
    match v {
        None => Cell::new("-", Paint::Dim),
        Some(v) => Cell::new(
            v.name(),
            match v {
                Verdict::Fresh => Paint::Good,
                Verdict::Converged | Verdict::Unchanged | Verdict::Unproven => Paint::Warn,
                Verdict::Stale | Verdict::Unreachable => Paint::Bad,
            },
        ),
    }
}

fn cdn_cell(a: CdnAction) -> Cell {
    match a {
        CdnAction::Cleared => Cell::new("cleared", Paint::Good),
        CdnAction::Failed => Cell::new("failed", Paint::Bad),
        CdnAction::LeftAlone => Cell::new("left alone", Paint::Warn),
        CdnAction::NotRun => Cell::new("-", Paint::Dim),
    }
}

/// The path's result; a page gone on every pod says so: proven by its 404 (--allow-gone), or
/// left unverified.
fn result_cell(p: &PathResult) -> Cell {
    match (p.gone, p.verdict) {
        (true, Some(Verdict::Fresh)) => Cell::new("gone", Paint::Good),
        (true, None) => Cell::new("gone", Paint::Bad),
        (_, v) => verdict_cell(v),
    }
}

fn revalidated_cell(p: &PathResult) -> Cell {
    match p.revalidated {
        None => Cell::new("-", Paint::Dim),
        Some((ok, of)) => Cell::new(
            format!("{ok}/{of}"),
            if ok >= of { Paint::Good } else { Paint::Warn },
        ),
    }
}

pub fn run(r: &Report, style: &Style) -> String {
    let mut out = format!(
        "\n{} {} · via {} · {}\n\n",
        style.bold("revalidate run:"),
        plural(r.paths.len(), "path", "paths"),
        r.via.name(),
        took(r.duration_ms),
    );
    let mut t = PathRows::new(
        "PATH",
        "PATHS",
        &["REVALIDATED", "PODS", "CDN", "EDGE", "RESULT"],
    );
    for p in &r.paths {
        t.row(
            p.path.as_str(),
            vec![
                revalidated_cell(p),
                verdict_cell(p.pods),
                cdn_cell(p.cdn),
                verdict_cell(p.edge),
                result_cell(p),
            ],
        );
    }
    out.push_str(&t.render(style));

    // Reasons, grouped: one line per reason (the path taken out of it) with its paths, in the
    // order of their first path (the step tables, with -v, have every pod's detail).
    let mut causes: Causes<String> = Causes::default();
    let mut own: std::collections::HashMap<&str, &str> = Default::default();
    for p in &r.paths {
        if let Some(reason) = &p.reason {
            causes.add(without_path(reason, &p.path), "", &p.path);
            own.insert(&p.path, reason);
        }
    }
    if !causes.is_empty() {
        out.push('\n');
        for g in causes.groups() {
            // A path alone keeps its own words.
            let reason = match g.paths[..] {
                [path] => own[path],
                _ => &g.cause,
            };
            out.push_str(&format!("  {}: {reason}\n", named(&g.paths, style)));
        }
    }
    if let Some(f) = &r.fallback {
        out.push_str(&format!(
            "\n{} {} instead of {} for {}: {}\n",
            style.yellow("fallback:"),
            f.to.name(),
            f.from.name(),
            plural(f.paths, "path", "paths"),
            f.reason
        ));
    }
    if let Some(why) = &r.cdn_left_alone {
        out.push_str(&format!("\n{} {why}\n", style.yellow("CDN left alone:")));
    }
    for s in r.steps.iter().filter(|s| !s.ran) {
        if let Some(note) = &s.note {
            out.push_str(&format!("  {} skipped: {note}\n", s.step.name()));
        }
    }
    let t = &r.totals;
    // A gone page proven by its 404 is counted as gone, not as fresh, for people.
    let gone_proven = r
        .paths
        .iter()
        .filter(|p| p.gone && p.verdict == Some(Verdict::Fresh))
        .count();
    let mut parts = vec![style.green(&format!("{} fresh", t.fresh - gone_proven))];
    if t.unchanged > 0 {
        parts.push(style.yellow(&format!("{} unchanged", t.unchanged)));
    }
    if t.gone > 0 {
        parts.push(format!("{} gone", t.gone));
    }
    if t.not_fresh > 0 {
        parts.push(style.red(&format!("{} not fresh", t.not_fresh)));
    }
    let mut cdn = String::new();
    if t.cdn_cleared + t.cdn_left_alone > 0 {
        cdn = format!(" · CDN cleared for {}", t.cdn_cleared);
        if t.cdn_left_alone > 0 {
            cdn.push_str(&format!(
                ", {}",
                style.yellow(&format!("left alone for {}", t.cdn_left_alone))
            ));
        }
    }
    out.push_str(&format!(
        "\n{} of {}{cdn}{}",
        parts.join(", "),
        plural(t.paths, "path", "paths"),
        ending(r.stopped, r.exit_code, style)
    ));
    out
}
