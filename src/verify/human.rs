//! verify's report for people, section by section: the verdict table, what is stale and why,
//! what could not be proven, the fetches that failed, the edge, the baseline, the totals. Each
//! stays a few lines however many paths there are: tables of one row a path fold their rows
//! alike in a long run, and what is wrong is said once a cause, naming its paths
//! ([`crate::report::human::group`]).

use std::collections::{BTreeMap, HashMap};

use crate::report::Style;
use crate::report::human::group::{Causes, PathRows, named, one_a_row, without_path};
use crate::report::human::{Calls, FailedCall, aligned, calls_table, ending, plural, requests};
use crate::report::table::{Cell as TCell, Paint};
use crate::units::short_duration;
use crate::verify::{self, PathVerdict, Variant, VariantVerdict, Verdict};

pub fn verify(r: &verify::Report, style: &Style) -> String {
    let mut out = header(r, style);
    out.push_str(&verdict_table(r, style));
    out.push_str(&stale_details(r, style));
    out.push_str(&unproven_detail(r, style));
    out.push_str(&failed_fetches(r, style));
    out.push_str(&through_table(r, style));
    out.push_str(&baseline_table(r, style));
    out.push_str(&converged_note(r, style));
    if let Some(f) = &r.saved {
        out.push_str(&format!(
            "\nsnapshot saved to {f} (use it later with --baseline)\n"
        ));
    }
    out.push_str(&totals(r, style));
    out
}

/// Drops what this report never reads of a path that is not stale (its hash groups, the
/// reasons and URLs of its variants, the samples of its edge groups), so a run of many paths
/// keeps a row's worth of each: its counts, pods not fresh, variants and edge summaries.
pub fn trim(v: &mut PathVerdict) {
    if v.verdict == Verdict::Stale {
        return;
    }
    v.builds = Vec::new();
    v.evidence = Vec::new();
    if v.verdict != Verdict::Unproven {
        v.reason = String::new();
    }
    if let Some(th) = &mut v.through {
        th.groups = Vec::new();
    }
    for x in &mut v.variants {
        x.url = String::new();
        x.expected = String::new();
        x.reason = String::new();
        x.builds = Vec::new();
        x.stale_pods = Vec::new();
        x.unreachable_pods = Vec::new();
        x.changes = None;
        if let Some(th) = &mut x.through {
            th.groups = Vec::new();
        }
    }
}

fn header(r: &verify::Report, style: &Style) -> String {
    let mut scope = vec![plural(r.totals.paths, "path", "paths")];
    if !r.targets.is_empty() {
        scope.push(plural(r.targets.len(), "pod", "pods"));
    }
    let mut scope = scope.join(" × ");
    if let Some(t) = &r.through {
        let encodings: Vec<&str> = r.encodings.iter().map(|e| e.accept()).collect();
        scope.push_str(&format!(
            ", {} an encoding ({}) through {t}",
            plural(r.samples as usize, "sample", "samples"),
            encodings.join(", ")
        ));
    }
    let mode = if r.etag_mode {
        "ETags (HEAD)".to_string()
    } else if r.normalisation.is_empty() {
        "bodies, not normalised".to_string()
    } else {
        format!("bodies normalised [{}]", r.normalisation.join(", "))
    };
    format!(
        "{} {} · {mode} · {}\n\n",
        style.bold("revalidate verify:"),
        scope,
        short_duration(std::time::Duration::from_secs_f64(r.duration_ms / 1000.0)),
    )
}

fn paint(v: Verdict) -> Paint {
    match v {
        Verdict::Fresh => Paint::Good,
        Verdict::Converged | Verdict::Unproven | Verdict::Unchanged => Paint::Warn,
        Verdict::Stale | Verdict::Unreachable => Paint::Bad,
    }
}

/// The PODS column: how many pods are proven fresh, or agree.
fn pods_cell(v: &PathVerdict) -> String {
    if v.total_pods == 0 {
        return "-".into();
    }
    match v.verdict {
        Verdict::Converged => format!("{}/{} agree", v.agreeing_pods, v.total_pods),
        Verdict::Unchanged => format!("{}/{} unchanged", v.total_pods, v.total_pods),
        Verdict::Unproven => {
            let answered = v.total_pods - v.unreachable_pods.len() - v.stale_pods.len();
            format!("{answered}/{} unproven", v.total_pods)
        }
        _ => format!("{}/{} fresh", v.fresh_pods, v.total_pods),
    }
}

/// The VARIANTS cell: each variant checked, with its verdict when they do not all share the
/// path's.
fn variants_cell(v: &PathVerdict) -> String {
    if v.variants.iter().all(|x| x.verdict == v.verdict) {
        v.variants
            .iter()
            .map(|x| x.variant.name())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        v.variants
            .iter()
            .map(|x| format!("{} {}", x.variant.name(), x.verdict.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn verdict_table(r: &verify::Report, style: &Style) -> String {
    let mut t = PathRows::new(
        "PATH",
        "PATHS",
        &["VERDICT", "PODS", "VARIANTS", "NOT FRESH"],
    );
    for v in &r.verdicts {
        let mut not_fresh: Vec<String> = v.stale_pods.clone();
        not_fresh.extend(
            v.unreachable_pods
                .iter()
                .map(|p| format!("{p} (unreachable)")),
        );
        if v.diverged && not_fresh.is_empty() {
            not_fresh.push("pods disagree".into());
        }
        // Through the edge, every variant's samples count.
        let (stale, answered) = v
            .variants
            .iter()
            .filter_map(|x| x.through.as_deref())
            .chain(
                v.variants
                    .is_empty()
                    .then_some(())
                    .and(v.through.as_deref()),
            )
            .fold((0, 0), |(s, a), th| {
                (s + th.stale, a + th.ok + th.stale + th.unproven)
            });
        if stale > 0 {
            not_fresh.push(format!("{stale}/{answered} through samples stale"));
        }
        let note = match v.verdict {
            Verdict::Converged if not_fresh.is_empty() => {
                TCell::new("(agreement, not proof)", Paint::Dim)
            }
            Verdict::Unproven if not_fresh.is_empty() => {
                TCell::new("(cannot be compared)", Paint::Dim)
            }
            _ if not_fresh.is_empty() => TCell::new("-", Paint::Dim),
            _ => not_fresh.join(", ").into(),
        };
        t.row(
            v.path.as_str(),
            vec![
                TCell::new(v.verdict.name(), paint(v.verdict)),
                pods_cell(v).into(),
                variants_cell(v).into(),
                note,
            ],
        );
    }
    t.render(style)
}

/// What is wrong with each stale path: a block each when they are a handful, else a block a
/// cause: paths stale the same way (the same pods failing the same checks in each variant,
/// whatever their content's hashes and URLs) share one block naming them. A path alone in its
/// block reads in full, hashes and URLs included.
fn stale_details(r: &verify::Report, style: &Style) -> String {
    let stale: HashMap<&str, &PathVerdict> = r
        .verdicts
        .iter()
        .filter(|v| v.verdict == Verdict::Stale)
        .map(|v| (v.path.as_str(), v))
        .collect();
    let mut causes: Causes<String> = Causes::default();
    let handful = one_a_row(stale.len());
    for v in r.verdicts.iter().filter(|v| v.verdict == Verdict::Stale) {
        let cause = if handful {
            v.path.clone()
        } else {
            without_path(&stale_detail(v, &r.expected, false, style), &v.path)
        };
        causes.add(cause, "", &v.path);
    }
    let mut out = String::new();
    for g in causes.groups() {
        if let [path] = g.paths[..] {
            out.push_str(&format!(
                "\n{} {}\n",
                style.bold(path),
                style.red("is stale:")
            ));
            out.push_str(&stale_detail(stale[path], &r.expected, true, style));
        } else {
            out.push_str(&format!(
                "\n{} {}\n",
                style.bold(&named(&g.paths, style)),
                style.red("are stale:")
            ));
            out.push_str(&g.cause);
        }
    }
    out
}

/// Why a path is stale, variant by variant: with its hashes and URLs when `own` (the path
/// alone), without them when it stands for every path stale the same way.
fn stale_detail(v: &PathVerdict, expected: &str, own: bool, style: &Style) -> String {
    let mut out = String::new();
    let stale: Vec<&VariantVerdict> = v
        .variants
        .iter()
        .filter(|x| x.verdict == Verdict::Stale)
        .collect();
    // The page alone (or a report without variants): as it always read.
    if v.variants.len() <= 1 || (stale.len() == 1 && stale[0].variant == Variant::Html) {
        out.push_str(&part_detail(
            &v.builds,
            v.diverged,
            &v.evidence,
            v.through.as_deref(),
            expected,
            "  ",
            own,
        ));
        return out;
    }
    // Each stale variant: its name, and what follows it.
    let mut parts: Vec<(String, String)> = Vec::new();
    for x in stale {
        let name = style.bold(x.variant.name());
        let name = if own {
            format!("{name} {}", x.url)
        } else {
            name
        };
        // A variant stale only where its page is (one cache entry on each pod) says no more.
        let follows_page = x.variant != Variant::Html
            && x.builds.iter().flat_map(|b| &b.groups).all(|g| {
                g.problems
                    .iter()
                    .all(|p| p == "its page fails the checks on this pod")
            })
            && x.through.as_ref().is_none_or(|t| {
                t.groups.iter().all(|g| {
                    g.problems
                        .iter()
                        .all(|p| p == "serves what the pods failing the checks serve")
                })
            });
        if follows_page {
            let mut what: Vec<String> = x.stale_pods.clone();
            if let Some(t) = x.through.as_deref().filter(|t| t.stale > 0) {
                what.push(format!(
                    "{}/{} through samples",
                    t.stale,
                    t.ok + t.stale + t.unproven
                ));
            }
            parts.push((
                name,
                format!(": stale where its page is ({})\n", what.join(", ")),
            ));
            continue;
        }
        let detail = part_detail(
            &x.builds,
            x.diverged,
            &v.evidence,
            x.through.as_deref(),
            &x.expected,
            "    ",
            own,
        );
        parts.push((name, format!(":\n{detail}")));
    }
    // Without their URLs, variants stale the same way read as one.
    let mut said: Vec<(Vec<String>, String)> = Vec::new();
    for (name, rest) in parts {
        match said.iter_mut().find(|(_, r)| !own && *r == rest) {
            Some((names, _)) => names.push(name),
            None => said.push((vec![name], rest)),
        }
    }
    for (names, rest) in said {
        out.push_str(&format!("  {}{rest}", names.join(", ")));
    }
    out
}

/// The expected, actual and through lines of one stale part of a page, indented; with the
/// hash of each group of pods when `hashes`.
fn part_detail(
    builds: &[verify::BuildGroup],
    diverged: bool,
    evidence: &[String],
    through: Option<&verify::ThroughSummary>,
    expected: &str,
    indent: &str,
    hashes: bool,
) -> String {
    let hash = |h: &str| {
        if hashes {
            verify::short_hash(h).to_string()
        } else {
            String::new()
        }
    };
    let mut out = format!("{indent}expected: {expected}\n");
    let pad = format!("{indent}          ");
    let mut lines: Vec<(String, String, String)> = Vec::new();
    for b in builds {
        for g in &b.groups {
            let what = if !g.problems.is_empty() {
                g.problems.join("; ")
            } else if diverged {
                String::new()
            } else {
                "ok".to_string()
            };
            let build = match (&b.build_id, builds.len() > 1) {
                (Some(id), true) => format!(" [build {id}]"),
                _ => String::new(),
            };
            lines.push((hash(&g.hash), format!("{}{build}", g.pods.join(", ")), what));
        }
    }
    if diverged && !evidence.is_empty() {
        out.push_str(&format!(
            "{indent}actual:   pods of one build pass the checks ({}) but serve different content; {}\n",
            evidence.join(", "),
            verify::judge::DIVERGED_HINT
        ));
        out.push_str(&aligned(&pad, &lines));
    } else if diverged {
        out.push_str(&format!("{indent}actual:   pods of one build serve different content; add --expect-contains, --expect-regex or --baseline to tell which is fresh, or normalise what differs per generation (--ignore-preset timestamps, --ignore-preset nextjs)\n"));
        out.push_str(&aligned(&pad, &lines));
    } else if !lines.is_empty() {
        let text = aligned(&pad, &lines);
        out.push_str(&format!("{indent}actual:   {}", text.trim_start()));
    }
    if let Some(th) = through
        && th.stale > 0
    {
        let tl: Vec<(String, String, String)> = th
            .groups
            .iter()
            .map(|g| {
                (
                    hash(&g.hash),
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
            "{indent}through:  {}",
            aligned(&pad, &tl).trim_start()
        ));
    }
    out
}

/// Why each unproven path is: a line each when they are a handful, else a line a reason (the
/// path taken out of it) naming its paths.
fn unproven_detail(r: &verify::Report, style: &Style) -> String {
    let unproven: Vec<&PathVerdict> = r
        .verdicts
        .iter()
        .filter(|v| v.verdict == Verdict::Unproven)
        .collect();
    let handful = one_a_row(unproven.len());
    let mut causes: Causes<String> = Causes::default();
    let mut own: HashMap<&str, &str> = HashMap::new();
    for v in unproven {
        let cause = if handful {
            v.path.clone()
        } else {
            without_path(&v.reason, &v.path)
        };
        causes.add(cause, "", &v.path);
        own.insert(&v.path, &v.reason);
    }
    if causes.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n{}\n",
        style.bold(&format!("Not proven ({}):", causes.len()))
    );
    for g in causes.groups() {
        let reason = match g.paths[..] {
            // A path alone keeps its own words.
            [path] => own[path].to_string(),
            _ => g.cause,
        };
        out.push_str(&format!("  {}  {reason}\n", named(&g.paths, style)));
    }
    out
}

fn converged_note(r: &verify::Report, style: &Style) -> String {
    if r.totals.converged == 0 {
        return String::new();
    }
    format!(
        "\n{} {} converged: every pod serves the same content, which is agreement, not proof that it is the new content. Prove it with --expect-contains TEXT (or --expect-regex RE, or --baseline FILE --expect-changed).\n",
        style.yellow("note:"),
        plural(r.totals.converged, "path", "paths"),
    )
}

/// The fetches that got no answer to judge, a row each or a row a cause ([`calls_table`]).
fn failed_fetches(r: &verify::Report, style: &Style) -> String {
    // The pods' first, then the edge's, each in input order.
    let pods = r.verdicts.iter().flat_map(|v| v.cells.iter().flatten());
    let samples = r
        .verdicts
        .iter()
        .flat_map(|v| v.through_samples.iter().flatten());
    let failed: Vec<FailedCall> = pods
        .chain(samples)
        .filter(|f| f.outcome.is_some() && f.outcome != Some(verify::FetchOutcome::Fetched))
        .map(|f| FailedCall {
            path: &f.path,
            target: &f.pod,
            outcome: "",
            status: f.status,
            attempts: f.attempts,
            error: f.error.as_deref(),
        })
        .collect();
    if failed.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n{}\n",
        style.bold(&format!("Fetches that failed ({}):", failed.len()))
    );
    out.push_str(&calls_table(
        Calls {
            count: "FETCHES",
            target: "POD",
            targets: "PODS",
            outcome: false,
        },
        &failed,
        style,
    ));
    out
}

fn counts(m: &BTreeMap<String, usize>) -> String {
    if m.is_empty() {
        "-".to_string()
    } else {
        m.iter()
            .map(|(k, n)| format!("{k}×{n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn through_table(r: &verify::Report, style: &Style) -> String {
    let Some(url) = &r.through else {
        return String::new();
    };
    let mut out = format!(
        "\n{}\n",
        style.bold(&format!(
            "Through {url} ({} a path, variant and encoding):",
            plural(r.samples as usize, "sample", "samples")
        ))
    );
    let mut t = PathRows::new(
        "PATH",
        "PATHS",
        &[
            "VARIANT",
            "STALE",
            "SHARE",
            "BY ENCODING",
            "X-CACHE",
            "X-NEXTJS-CACHE",
            "AGE",
        ],
    )
    .indent(2);
    let rows = r.verdicts.iter().flat_map(|v| {
        let parts: Vec<(&str, Option<&verify::ThroughSummary>)> = if v.variants.is_empty() {
            vec![("html", v.through.as_deref())]
        } else {
            v.variants
                .iter()
                .map(|x| (x.variant.name(), x.through.as_deref()))
                .collect()
        };
        parts
            .into_iter()
            .map(move |(name, th)| (v.path.as_str(), name, th))
    });
    for (path, variant, th) in rows {
        let Some(th) = th else { continue };
        let age = match (th.age_min, th.age_max) {
            (Some(a), Some(b)) if a == b => format!("{a}s"),
            (Some(a), Some(b)) => format!("{a}-{b}s"),
            _ => "-".into(),
        };
        let answered = th.ok + th.stale + th.unproven;
        // Unproven samples may be stale too: the share is then a lower bound, never a claim.
        let share = |stale_share: f64, unproven: usize| {
            let bound = if unproven > 0 { ">=" } else { "" };
            format!("{bound}{:.0}%", stale_share * 100.0)
        };
        let by_variant: Vec<String> = th
            .variants
            .iter()
            .map(|x| {
                format!(
                    "{} {}",
                    x.encoding.map_or("?", |e| e.accept()),
                    share(x.stale_share, x.unproven)
                )
            })
            .collect();
        let mut stale = format!("{}/{answered}", th.stale);
        if th.unproven > 0 {
            stale.push_str(&format!(" (+{} unproven)", th.unproven));
        }
        t.row(
            path,
            vec![
                variant.into(),
                TCell::new(
                    stale,
                    if th.stale == 0 && th.unproven == 0 {
                        Paint::Good
                    } else {
                        Paint::Bad
                    },
                ),
                share(th.stale_share, th.unproven).into(),
                by_variant.join(", ").into(),
                counts(&th.x_cache).into(),
                counts(&th.nextjs_cache).into(),
                age.into(),
            ],
        );
    }
    out.push_str(&t.render(style));
    out
}

fn baseline_table(r: &verify::Report, style: &Style) -> String {
    let Some(file) = &r.baseline else {
        return String::new();
    };
    if r.targets.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", style.bold(&format!("Since the baseline {file}:")));
    let mut t = PathRows::new("PATH", "PATHS", &["CHANGED", "UNCHANGED PODS"]).indent(2);
    for v in &r.verdicts {
        let Some(c) = &v.changes else { continue };
        t.row(
            v.path.as_str(),
            vec![
                format!("{}/{}", c.changed, v.total_pods).into(),
                if c.unchanged_pods.is_empty() {
                    TCell::new("-", Paint::Dim)
                } else {
                    c.unchanged_pods.join(", ").into()
                },
            ],
        );
    }
    out.push_str(&t.render(style));
    out
}

fn totals(r: &verify::Report, style: &Style) -> String {
    let tt = &r.totals;
    let mut parts = vec![format!("{} fresh", tt.fresh)];
    for (n, name) in [
        (tt.converged, "converged"),
        (tt.unproven, "unproven"),
        (tt.stale, "stale"),
        (tt.unreachable, "unreachable"),
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
    let summary = if tt.stale > 0 || tt.unreachable > 0 || tt.unproven > 0 {
        style.red(&summary)
    } else if tt.converged > 0 {
        style.yellow(&summary)
    } else {
        style.green(&summary)
    };
    let mut out = format!("\n{summary}");
    if r.rounds > 1 {
        out.push_str(&format!(" · {} rounds", r.rounds));
    }
    out.push_str(&ending(r.stopped, r.exit_code, style));
    out
}

pub fn verify_dry_run(d: &verify::DryRun, style: &Style) -> String {
    let mut out = format!(
        "{} {} would be sent; nothing was sent.\n\n",
        style.bold("dry run:"),
        plural(d.requests.len(), "request", "requests"),
    );
    out.push_str(&requests(&d.requests));
    out
}
