//! The cdn commands for people: the invalidation plan (printed before anything is sent), the
//! batches and their invalidations, the on-call views, and purge results (one row a path, rows
//! alike folded in a long run, then the failures one row a cause, one hint per kind, the totals).

use std::time::Duration;

use crate::cdn::invalidate::{self, BatchOutcome};
use crate::cdn::purge::{self, Outcome};
use crate::cdn::wait::{StatusReport, View};
use crate::cdn::{Batch, Failure, Summary};
use crate::report::Style;
use crate::report::human::group::PathRows;
use crate::report::human::{Calls, FailedCall, ending, failed_calls, plural, requests};
use crate::report::table::{Cell as TCell, Paint, Table};
use crate::units::short_duration;

fn dollars(d: f64) -> String {
    format!("${d:.3}")
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |m| {
        short_duration(Duration::from_secs_f64(m / 1000.0))
    })
}

/// The failure that stopped the work, with its hint.
fn failure(f: &Option<Failure>, style: &Style) -> String {
    match f {
        None => String::new(),
        Some(f) => {
            let service = match f.service {
                crate::cdn::CdnService::Aws => "AWS",
                crate::cdn::CdnService::Cloudflare => "the Cloudflare API",
            };
            let mut s = format!("\n{} {service}: {}\n", style.red("error:"), f.message);
            if let Some(h) = &f.hint {
                s.push_str(&format!("{} {h}\n", style.yellow("hint:")));
            }
            s
        }
    }
}

/// What the plan does to the paths and what it will cost, before anything is sent.
pub fn cdn_plan(
    distribution: &str,
    run_id: (&str, &str),
    plan: &Summary,
    batches: &[Batch],
    style: &Style,
) -> String {
    let mut out = format!(
        "{} distribution {distribution} · run id {} ({})\n\n",
        style.bold("revalidate cdn invalidate:"),
        run_id.0,
        run_id.1
    );
    let mut given = vec![plural(plan.requested, "path given", "paths given")];
    if plan.next_data > 0 {
        given.push(format!("{} Next.js data URLs added", plan.next_data));
    }
    if plan.rsc_wildcards > 0 {
        given.push(format!(
            "{} App Router {} widened to PAGE* (their RSC payloads)",
            plan.rsc_wildcards,
            if plan.rsc_wildcards == 1 {
                "page"
            } else {
                "pages"
            }
        ));
    }
    if plan.query_strings_dropped > 0 {
        given.push(plural(
            plan.query_strings_dropped,
            "query string dropped",
            "query strings dropped",
        ));
    }
    if plan.duplicates > 0 {
        given.push(plural(
            plan.duplicates,
            "duplicate dropped",
            "duplicates dropped",
        ));
    }
    if plan.covered > 0 {
        given.push(format!("{} covered by a wildcard", plan.covered));
    }
    out.push_str(&format!("  paths     {}\n", given.join(", ")));
    for c in &plan.coalesced {
        out.push_str(&format!(
            "  coalesced {} replaces {}\n",
            c.wildcard,
            plural(c.replaced, "path", "paths")
        ));
    }
    out.push_str(&format!("  submit    {plan}\n"));
    let cost = match plan.free_paths_left {
        None => format!(
            "up to {}: {} at $0.005 (the first 1,000 a month are free; --free-paths-left N counts them)",
            dollars(plan.estimated_cost_usd),
            plural(plan.paths, "path", "paths"),
        ),
        Some(n) => format!(
            "about {}: {} billed at $0.005 ({n} of the month's free paths were left)",
            dollars(plan.estimated_cost_usd),
            plural(plan.billed_paths as usize, "path", "paths"),
        ),
    };
    out.push_str(&format!("  cost      {cost}\n\n"));
    let mut t = Table::new(&[
        "BATCH",
        "PATHS",
        "FILES",
        "WILDCARDS",
        "BILLED",
        "COST",
        "CALLER REFERENCE",
    ])
    .indent(2);
    for b in batches {
        t.row(vec![
            b.index.to_string().into(),
            b.paths.len().to_string().into(),
            b.files.to_string().into(),
            b.wildcards.to_string().into(),
            b.billed_paths.to_string().into(),
            dollars(b.cost_usd).into(),
            b.caller_reference.as_str().into(),
        ]);
    }
    out.push_str(&t.render(style));
    out.push('\n');
    out
}

pub fn cdn_invalidate_dry_run(d: &invalidate::DryRun, style: &Style) -> String {
    let mut out = cdn_plan(
        &d.distribution,
        (&d.run_id, &d.run_id_source),
        &d.plan,
        &d.batches,
        style,
    );
    for b in &d.batches {
        out.push_str(&format!(
            "batch {} ({}):\n",
            b.index,
            plural(b.paths.len(), "path", "paths")
        ));
        for p in &b.paths {
            out.push_str(&format!("  {p}\n"));
        }
    }
    out.push_str(&format!(
        "\n{} {} would be sent; nothing was sent.\n",
        style.bold("dry run:"),
        plural(d.batches.len(), "CreateInvalidation", "CreateInvalidations"),
    ));
    out
}

fn outcome_paint(o: BatchOutcome) -> Paint {
    match o {
        BatchOutcome::Created => Paint::Good,
        BatchOutcome::Reused => Paint::Warn,
        _ => Paint::Bad,
    }
}

pub fn cdn_invalidate(r: &invalidate::Report, style: &Style) -> String {
    let mut out = format!(
        "{} distribution {} · {} · {}\n\n",
        style.bold("revalidate cdn invalidate:"),
        r.distribution,
        plural(r.batches.len(), "batch", "batches"),
        short_duration(Duration::from_secs_f64(r.duration_ms / 1000.0)),
    );
    let mut t = Table::new(&[
        "BATCH",
        "INVALIDATION",
        "OUTCOME",
        "STATUS",
        "PATHS",
        "BILLED",
        "COST",
        "COMPLETED AFTER",
    ]);
    for b in &r.batches {
        let status = match (&b.status, b.completed) {
            (Some(s), true) => TCell::new(s.clone(), Paint::Good),
            (Some(s), false) => TCell::new(s.clone(), Paint::Warn),
            (None, _) => TCell::new("-", Paint::Dim),
        };
        t.row(vec![
            b.index.to_string().into(),
            b.id.clone().unwrap_or_else(|| "-".into()).into(),
            TCell::new(b.outcome.name(), outcome_paint(b.outcome)),
            status,
            b.paths.len().to_string().into(),
            b.billed_paths.to_string().into(),
            dollars(b.cost_usd).into(),
            ms(b.completed_after_ms).into(),
        ]);
    }
    out.push_str(&t.render(style));
    let errors: Vec<&invalidate::BatchReport> =
        r.batches.iter().filter(|b| b.error.is_some()).collect();
    if !errors.is_empty() {
        out.push('\n');
        for b in errors {
            out.push_str(&format!(
                "  batch {}: {}\n",
                b.index,
                b.error.as_deref().unwrap_or_default()
            ));
        }
    }
    if !r.in_progress.is_empty() {
        out.push_str(&format!(
            "\n{} {}\n",
            if r.waited {
                style.red("still in progress:")
            } else {
                style.yellow("in progress:")
            },
            r.in_progress.join(" ")
        ));
        if !r.waited {
            out.push_str(&format!(
                "  `revalidate cdn wait {}` waits for {}\n",
                r.in_progress.join(" "),
                if r.in_progress.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            ));
        }
    }
    out.push_str(&failure(&r.failure, style));
    out.push('\n');
    let t = &r.totals;
    let mut parts = vec![format!("{} created", t.created)];
    if t.reused > 0 {
        parts.push(format!("{} reused", t.reused));
    }
    let undone = t.failed + t.not_submitted + t.cancelled;
    if undone > 0 {
        parts.push(style.red(&format!("{undone} not invalidated")));
    }
    let state = if t.in_progress == 0 && t.created + t.reused > 0 {
        style.green("all completed")
    } else if r.waited && t.in_progress > 0 {
        style.red(&format!("{} still in progress", t.in_progress))
    } else {
        format!("{} in progress", t.in_progress)
    };
    out.push_str(&format!(
        "{}: {} · {} billed, {} · {state}",
        plural(t.batches, "batch", "batches"),
        parts.join(", "),
        plural(t.billed_paths as usize, "path", "paths"),
        dollars(t.cost_usd),
    ));
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}

pub fn cdn_status(r: &StatusReport, style: &Style) -> String {
    let title = match r.view {
        View::Status => "revalidate cdn status:",
        View::List => "revalidate cdn list:",
        View::Wait => "revalidate cdn wait:",
    };
    let mut out = format!(
        "{} distribution {} · {} · {}\n\n",
        style.bold(title),
        r.distribution,
        plural(r.invalidations.len(), "invalidation", "invalidations"),
        short_duration(Duration::from_secs_f64(r.duration_ms / 1000.0)),
    );
    let with_paths = r.view != View::List;
    let mut headers = vec!["INVALIDATION", "STATUS", "CREATED"];
    if with_paths {
        headers.extend(["FILES", "WILDCARDS", "PATHS"]);
    }
    if r.view == View::Wait {
        headers.insert(2, "COMPLETED AFTER");
    }
    let mut t = Table::new(&headers);
    for i in &r.invalidations {
        let mut row = vec![
            i.id.as_str().into(),
            TCell::new(
                i.status.clone(),
                if i.completed {
                    Paint::Good
                } else {
                    Paint::Warn
                },
            ),
        ];
        if r.view == View::Wait {
            row.push(ms(i.completed_after_ms).into());
        }
        row.push(i.create_time.clone().unwrap_or_else(|| "-".into()).into());
        if with_paths {
            row.push(i.files.map_or("-".into(), |n| n.to_string()).into());
            row.push(i.wildcards.map_or("-".into(), |n| n.to_string()).into());
            let total = i.files.unwrap_or(0) + i.wildcards.unwrap_or(0);
            let mut shown = i.paths.join(" ");
            if total > i.paths.len() {
                shown.push_str(&format!(" (+{})", total - i.paths.len()));
            }
            row.push(shown.into());
        }
        t.row(row);
    }
    if !r.invalidations.is_empty() {
        out.push_str(&t.render(style));
    }
    if r.view == View::Wait && !r.in_progress.is_empty() {
        out.push_str(&format!(
            "\n{} {}\n",
            style.red("still in progress:"),
            r.in_progress.join(" ")
        ));
    }
    out.push_str(&failure(&r.failure, style));
    out.push('\n');
    let done = r.invalidations.len() - r.in_progress.len();
    let summary = if r.in_progress.is_empty() {
        style.green(&format!("{done} completed"))
    } else {
        format!("{done} completed, {} in progress", r.in_progress.len())
    };
    out.push_str(&format!(
        "{}: {summary}",
        plural(r.invalidations.len(), "invalidation", "invalidations")
    ));
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}

pub fn cdn_purge(r: &purge::Report, style: &Style) -> String {
    let mut out = format!(
        "{} {} × {} ({}) · {}\n\n",
        style.bold("revalidate cdn purge:"),
        plural(r.rows.len(), "path", "paths"),
        plural(r.caches.len(), "cache", "caches"),
        r.caches
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        short_duration(Duration::from_secs_f64(r.duration_ms / 1000.0)),
    );
    let caches = r.caches.len();
    let mut t = PathRows::new("PATH", "PATHS", &["PURGED", "NOT CACHED", "FAILED"]);
    for row in &r.rows {
        let path = match row.variant {
            crate::choices::Variant::Html => row.path.clone(),
            v => format!("{} ({})", row.path, v.name()),
        };
        t.row(
            path,
            vec![
                TCell::new(
                    format!("{}/{caches}", row.purged),
                    if row.failed == 0 {
                        Paint::Good
                    } else {
                        Paint::Warn
                    },
                ),
                if row.not_cached == 0 {
                    TCell::new("-", Paint::Dim)
                } else {
                    row.not_cached.to_string().into()
                },
                if row.failed == 0 {
                    TCell::new("-", Paint::Dim)
                } else {
                    TCell::new(row.failed.to_string(), Paint::Bad)
                },
            ],
        );
    }
    out.push_str(&t.render(style));
    let failing: Vec<&purge::PurgeResult> = r.results.iter().filter(|c| !c.ok).collect();
    let calls: Vec<FailedCall> = failing
        .iter()
        .map(|c| FailedCall {
            path: &c.path,
            target: &c.cache,
            outcome: c.outcome.name(),
            status: c.status,
            attempts: c.attempts,
            error: c.error.as_deref(),
        })
        .collect();
    let mut kinds: Vec<Outcome> = failing.iter().map(|c| c.outcome).collect();
    kinds.sort();
    let hints = kinds.into_iter().filter_map(|o| o.hint());
    out.push_str(&failed_calls(
        "Failed",
        Calls {
            count: "PURGES",
            target: "CACHE",
            targets: "CACHES",
            outcome: true,
        },
        &calls,
        hints,
        style,
    ));
    out.push_str(&failure(&r.failure, style));
    out.push('\n');
    let verdict = if r.totals.failed == 0 {
        style.green("all done")
    } else {
        style.red(&format!("{} failed", r.totals.failed))
    };
    out.push_str(&format!(
        "{}: {} purged, {} not cached · {verdict}",
        plural(r.totals.results, "purge", "purges"),
        r.totals.purged,
        r.totals.not_cached,
    ));
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}

pub fn cdn_purge_dry_run(d: &purge::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be sent ({} × {}); nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.requests.len(), "request", "requests"),
        plural(d.paths.len(), "path", "paths"),
        plural(d.caches.len(), "cache", "caches"),
    );
    out.push_str(&requests(&d.requests));
    out
}
