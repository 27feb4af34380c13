//! Human renderings of each step's report: pure functions from a report to text, so they can be
//! unit-tested; the [`super::Reporter`] writes them. Tables stay readable at 1,000 paths: one row
//! a path, then every failing cell in full, then one hint per kind of failure, then one total line.

use super::table::{Cell as TCell, Paint, Table};
use super::{Style, short_duration};
use crate::fanout::{self, Outcome};
use crate::verify::{self, Verdict};

/// Outcome counts as "3 revalidated, 1 unreachable".
fn outcome_counts(map: &std::collections::BTreeMap<Outcome, usize>) -> String {
    map.iter()
        .map(|(o, n)| format!("{n} {}", o.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn fanout(r: &fanout::Report, style: &Style) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} {} × {} · mode {} ({}) · {}\n\n",
        style.bold("revalidate fanout:"),
        plural(r.paths.len(), "path", "paths"),
        plural(r.targets.len(), "pod", "pods"),
        match r.mode {
            crate::cli::Mode::Nextjs => "nextjs",
            crate::cli::Mode::Endpoint => "endpoint",
        },
        r.method,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    ));

    let pods = r.targets.len();
    let mut t = Table::new(&["PATH", "OK", "FAILED", "OUTCOMES"]);
    for row in &r.rows {
        let ok = TCell::new(
            format!("{}/{pods}", row.ok),
            if row.failed == 0 {
                Paint::Good
            } else {
                Paint::Warn
            },
        );
        let failed = if row.failed == 0 {
            TCell::new("-", Paint::Dim)
        } else {
            TCell::new(row.failed.to_string(), Paint::Bad)
        };
        t.row(vec![
            row.path.as_str().into(),
            ok,
            failed,
            outcome_counts(&row.outcomes).into(),
        ]);
    }
    out.push_str(&t.render(style));

    let failing: Vec<&fanout::Cell> = r.cells.iter().filter(|c| !c.ok).collect();
    if !failing.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            style.bold(&format!("Failed cells ({}):", failing.len()))
        ));
        let mut t = Table::new(&["PATH", "POD", "OUTCOME", "STATUS", "TRIES", "ERROR"]).indent(2);
        for c in &failing {
            t.row(vec![
                c.path.as_str().into(),
                c.pod.as_str().into(),
                TCell::new(c.outcome.name(), Paint::Bad),
                c.status.map_or("-".into(), |s| s.to_string()).into(),
                c.attempts.to_string().into(),
                c.error.clone().unwrap_or_default().into(),
            ]);
        }
        out.push_str(&t.render(style));
        let mut kinds: Vec<Outcome> = failing.iter().map(|c| c.outcome).collect();
        kinds.sort();
        kinds.dedup();
        let hints: Vec<&str> = kinds.iter().filter_map(|o| o.hint(r.mode)).collect();
        if !hints.is_empty() {
            out.push('\n');
            for h in hints {
                out.push_str(&format!("{} {h}\n", style.yellow("hint:")));
            }
        }
    }

    out.push('\n');
    let verdict = if r.totals.failed == 0 {
        style.green("all done")
    } else {
        style.red(&format!("{} failed", r.totals.failed))
    };
    out.push_str(&format!(
        "{}: {} · {verdict}",
        plural(r.totals.cells, "cell", "cells"),
        outcome_counts(&r.totals.outcomes),
    ));
    if let Some(stop) = r.stopped {
        out.push_str(&format!(
            " · {}",
            style.red(&format!(
                "stopped early: {}",
                match stop {
                    crate::http::Stop::Interrupted => "interrupted; this report is partial",
                    crate::http::Stop::Deadline => "deadline reached; this report is partial",
                }
            ))
        ));
    }
    out.push_str(&format!(" · exit {}\n", r.exit_code));
    out
}

pub fn fanout_dry_run(d: &fanout::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be sent ({} × {}); nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.requests.len(), "request", "requests"),
        plural(d.paths.len(), "path", "paths"),
        plural(d.targets.len(), "pod", "pods"),
    );
    for r in &d.requests {
        out.push_str(&format!("{} {}\n", r.method, r.url));
        for (n, v) in &r.headers {
            out.push_str(&format!("  {n}: {v}\n"));
        }
        if let Some(b) = &r.body {
            out.push_str(&format!("  body: {b}\n"));
        }
    }
    out
}

pub fn verify(r: &verify::Report, style: &Style) -> String {
    let mut out = String::new();
    let mut scope = vec![plural(r.paths.len(), "path", "paths")];
    if !r.targets.is_empty() {
        scope.push(plural(r.targets.len(), "pod", "pods"));
    }
    let mut scope = scope.join(" × ");
    if let Some(t) = &r.through {
        scope.push_str(&format!(
            ", {} through {t}",
            plural(r.samples as usize, "sample", "samples")
        ));
    }
    let mode = if r.etag_mode {
        "ETags (HEAD)".to_string()
    } else if r.normalisation.is_empty() {
        "bodies, not normalised".to_string()
    } else {
        format!("bodies normalised [{}]", r.normalisation.join(", "))
    };
    out.push_str(&format!(
        "{} {} · {mode} · {}\n\n",
        style.bold("revalidate verify:"),
        scope,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    ));

    let mut t = Table::new(&["PATH", "VERDICT", "FRESH", "NOT FRESH"]);
    for v in &r.verdicts {
        let paint = match v.verdict {
            Verdict::Fresh => Paint::Good,
            Verdict::MixedBuild => Paint::Warn,
            Verdict::Stale | Verdict::Unreachable => Paint::Bad,
        };
        let mut not_fresh: Vec<String> = v.stale_pods.clone();
        not_fresh.extend(
            v.unreachable_pods
                .iter()
                .map(|p| format!("{p} (unreachable)")),
        );
        if v.diverged && not_fresh.is_empty() {
            not_fresh.push("pods disagree".into());
        }
        if let Some(th) = &v.through
            && th.stale > 0
        {
            not_fresh.push(format!("{}/{} through samples stale", th.stale, th.samples));
        }
        let fresh = if v.total_pods == 0 {
            "-".to_string()
        } else {
            format!("{}/{}", v.fresh_pods, v.total_pods)
        };
        t.row(vec![
            v.path.as_str().into(),
            TCell::new(v.verdict.name(), paint),
            fresh.into(),
            if not_fresh.is_empty() {
                TCell::new("-", Paint::Dim)
            } else {
                not_fresh.join(", ").into()
            },
        ]);
    }
    out.push_str(&t.render(style));

    for v in r.verdicts.iter().filter(|v| v.verdict == Verdict::Stale) {
        out.push_str(&format!(
            "\n{} {}\n",
            style.bold(&v.path),
            style.red("is stale:")
        ));
        out.push_str(&format!("  expected: {}\n", v.expected));
        let mut lines: Vec<(String, String, String)> = Vec::new();
        for b in &v.builds {
            for g in &b.groups {
                let what = if !g.problems.is_empty() {
                    g.problems.join("; ")
                } else if v.diverged {
                    String::new()
                } else {
                    "ok".to_string()
                };
                let build = match (&b.build_id, v.builds.len() > 1) {
                    (Some(id), true) => format!(" [build {id}]"),
                    _ => String::new(),
                };
                lines.push((
                    verify::short_hash(&g.hash).to_string(),
                    format!("{}{build}", g.pods.join(", ")),
                    what,
                ));
            }
        }
        if v.diverged {
            out.push_str("  actual:   pods of one build serve different content; add --expect-contains, --expect-regex or --baseline to tell which is fresh\n");
            out.push_str(&aligned_groups("            ", &lines));
        } else if !lines.is_empty() {
            let text = aligned_groups("            ", &lines);
            out.push_str(&format!("  actual:   {}", text.trim_start()));
        }
        if let Some(th) = &v.through
            && th.stale > 0
        {
            let tl: Vec<(String, String, String)> = th
                .groups
                .iter()
                .map(|g| {
                    (
                        verify::short_hash(&g.hash).to_string(),
                        plural(g.pods.len(), "sample", "samples"),
                        if g.problems.is_empty() {
                            "ok".into()
                        } else {
                            g.problems.join("; ")
                        },
                    )
                })
                .collect();
            out.push_str(&format!(
                "  through:  {}",
                aligned_groups("            ", &tl).trim_start()
            ));
        }
    }

    let unreachable: Vec<&verify::Fetch> = r
        .cells
        .iter()
        .chain(r.through_samples.iter())
        .filter(|f| f.outcome.is_some() && f.outcome != Some(verify::FetchOutcome::Fetched))
        .collect();
    if !unreachable.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            style.bold(&format!("Fetches that failed ({}):", unreachable.len()))
        ));
        let mut t = Table::new(&["PATH", "POD", "STATUS", "TRIES", "ERROR"]).indent(2);
        for f in unreachable {
            t.row(vec![
                f.path.as_str().into(),
                f.pod.as_str().into(),
                f.status.map_or("-".into(), |s| s.to_string()).into(),
                f.attempts.to_string().into(),
                f.error.clone().unwrap_or_default().into(),
            ]);
        }
        out.push_str(&t.render(style));
    }

    let throughs: Vec<&verify::PathVerdict> =
        r.verdicts.iter().filter(|v| v.through.is_some()).collect();
    if let Some(url) = &r.through {
        out.push_str(&format!(
            "\n{}\n",
            style.bold(&format!(
                "Through {url} ({} a path):",
                plural(r.samples as usize, "sample", "samples")
            ))
        ));
        let mut t =
            Table::new(&["PATH", "STALE", "SHARE", "X-CACHE", "X-NEXTJS-CACHE", "AGE"]).indent(2);
        for v in throughs {
            let th = v.through.as_ref().expect("filtered");
            let counts = |m: &std::collections::BTreeMap<String, usize>| {
                if m.is_empty() {
                    "-".to_string()
                } else {
                    m.iter()
                        .map(|(k, n)| format!("{k}×{n}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                }
            };
            let age = match (th.age_min, th.age_max) {
                (Some(a), Some(b)) if a == b => format!("{a}s"),
                (Some(a), Some(b)) => format!("{a}-{b}s"),
                _ => "-".into(),
            };
            let answered = th.fresh + th.stale;
            t.row(vec![
                v.path.as_str().into(),
                TCell::new(
                    format!("{}/{answered}", th.stale),
                    if th.stale == 0 {
                        Paint::Good
                    } else {
                        Paint::Bad
                    },
                ),
                format!("{:.0}%", th.stale_share * 100.0).into(),
                counts(&th.x_cache).into(),
                counts(&th.nextjs_cache).into(),
                age.into(),
            ]);
        }
        out.push_str(&t.render(style));
    }

    if let Some(file) = &r.baseline
        && !r.targets.is_empty()
    {
        out.push_str(&format!(
            "\n{}\n",
            style.bold(&format!("Since the baseline {file}:"))
        ));
        let mut t = Table::new(&["PATH", "CHANGED", "UNCHANGED PODS"]).indent(2);
        for (v, cells) in r.verdicts.iter().zip(r.cells.chunks(r.targets.len())) {
            let known: Vec<&verify::Fetch> = cells.iter().filter(|f| f.changed.is_some()).collect();
            let changed = known.iter().filter(|f| f.changed == Some(true)).count();
            let unchanged: Vec<&str> = known
                .iter()
                .filter(|f| f.changed == Some(false))
                .map(|f| f.pod.as_str())
                .collect();
            t.row(vec![
                v.path.as_str().into(),
                format!("{changed}/{}", cells.len()).into(),
                if unchanged.is_empty() {
                    TCell::new("-", Paint::Dim)
                } else {
                    unchanged.join(", ").into()
                },
            ]);
        }
        out.push_str(&t.render(style));
    }

    if r.deploy_in_progress {
        out.push_str(&format!(
            "\n{} a deploy is in progress: some paths are served by pods of different builds; pods were compared within their build.\n",
            style.yellow("note:")
        ));
        for v in r
            .verdicts
            .iter()
            .filter(|v| v.verdict == Verdict::MixedBuild)
        {
            let builds: Vec<String> = v
                .builds
                .iter()
                .map(|b| {
                    let pods: Vec<String> = b.groups.iter().flat_map(|g| g.pods.clone()).collect();
                    format!(
                        "{}: {}",
                        b.build_id.as_deref().unwrap_or("unknown"),
                        pods.join(", ")
                    )
                })
                .collect();
            out.push_str(&format!("  {}  {}\n", v.path, builds.join("; ")));
        }
    }
    if let Some(f) = &r.saved {
        out.push_str(&format!(
            "\nsnapshot saved to {f} (use it later with --baseline)\n"
        ));
    }

    let tt = &r.totals;
    let mut parts = vec![format!("{} fresh", tt.fresh)];
    for (n, name) in [
        (tt.stale, "stale"),
        (tt.unreachable, "unreachable"),
        (tt.mixed_build, "mixed-build"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {name}"));
        }
    }
    let summary = format!(
        "{}: {}",
        plural(tt.paths, "path", "paths"),
        parts.join(", ")
    );
    let summary = if tt.stale > 0 || tt.unreachable > 0 {
        style.red(&summary)
    } else {
        style.green(&summary)
    };
    out.push_str(&format!("\n{summary}"));
    if r.rounds > 1 {
        out.push_str(&format!(" · {} rounds", r.rounds));
    }
    if let Some(stop) = r.stopped {
        out.push_str(&format!(
            " · {}",
            style.red(match stop {
                crate::http::Stop::Interrupted => "interrupted; this report is partial",
                crate::http::Stop::Deadline => "deadline reached; this report is partial",
            })
        ));
    }
    out.push_str(&format!(" · exit {}\n", r.exit_code));
    out
}

/// Hash groups as aligned `hash  pods  note` lines.
fn aligned_groups(indent: &str, lines: &[(String, String, String)]) -> String {
    let w = lines.iter().map(|l| l.1.chars().count()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(h, pods, what)| {
            let pad = " ".repeat(w - pods.chars().count());
            format!("{indent}{h}  {pods}{pad}  {what}\n")
        })
        .collect()
}

pub fn verify_dry_run(d: &verify::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be sent; nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.requests.len(), "request", "requests"),
    );
    for r in &d.requests {
        out.push_str(&format!("{} {}  ({})\n", r.method, r.url, r.pod));
        for (n, v) in &r.headers {
            out.push_str(&format!("  {n}: {v}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::parse_spec;

    fn cell(path: usize, pod: usize, outcome: Outcome, ok: bool) -> fanout::Cell {
        fanout::Cell {
            path: format!("/p{path}"),
            pod: format!("pod-{pod}"),
            outcome,
            ok,
            status: Some(200),
            cache: None,
            latency_ms: 1.0,
            attempts: 1,
            error: (!ok).then(|| "connect error: refused".to_string()),
            path_index: path,
            target_index: pod,
        }
    }

    #[test]
    fn fanout_table_lists_rows_failures_hints_and_totals() {
        let targets = vec![
            parse_spec("pod-0=http://127.0.0.1:1").unwrap(),
            parse_spec("pod-1=http://127.0.0.1:2").unwrap(),
        ];
        let plan = fanout::Plan {
            paths: vec![
                crate::paths::UrlPath::parse("/p0", crate::paths::Purpose::Pod).unwrap(),
                crate::paths::UrlPath::parse("/p1", crate::paths::Purpose::Pod).unwrap(),
            ],
            targets,
            how: fanout::How::Nextjs {
                method: crate::cli::RevalidateMethod::Head,
                only_generated: false,
                preview_id: crate::secret::Secret::new("x", "test"),
            },
            allow_gone: false,
        };
        let cells = vec![
            cell(0, 0, Outcome::Revalidated, true),
            cell(0, 1, Outcome::Revalidated, true),
            cell(1, 0, Outcome::Revalidated, true),
            cell(1, 1, Outcome::Unreachable, false),
        ];
        let r = fanout::report(
            &plan,
            cells,
            (std::time::SystemTime::now(), std::time::Instant::now()),
            None,
        );
        let text = fanout(&r, &Style { color: false });
        assert!(
            text.contains("2 paths × 2 pods · mode nextjs (HEAD)"),
            "{text}"
        );
        assert!(text.contains("/p0   2/2  -       2 revalidated"), "{text}");
        assert!(
            text.contains("/p1   1/2  1       1 revalidated, 1 unreachable"),
            "{text}"
        );
        assert!(text.contains("Failed cells (1):"), "{text}");
        assert!(
            text.contains("/p1   pod-1  unreachable  200     1      connect error: refused"),
            "{text}"
        );
        assert!(text.contains("hint: unreachable:"), "{text}");
        assert!(
            text.contains("4 cells: 3 revalidated, 1 unreachable · 1 failed · exit 3"),
            "{text}"
        );
    }
}
