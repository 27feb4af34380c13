//! A page judged with each variant a browser fetches of it: each part by the same rules, the
//! variants on a pod by their page's checks on the same pod, and the path the worst of them.
//!
//! Invariants: a pod is fresh only when it is fresh in every part; a variant the baseline did
//! not record cannot show a change.

use std::collections::BTreeMap;

use super::{Criteria, Part, PathVerdict, State, VariantVerdict, Verdict, evaluate, fetched, rank};
use crate::verify::{Fetch, Variant};

/// Judges a page from its parts (the page first, then each variant it called for), marking each
/// response's state: each part is judged as a page is, and the path takes the worst verdict; a
/// pod is fresh only when it is fresh in every part. With a baseline that recorded nothing of a
/// variant, a change since it is no evidence for that variant.
pub fn evaluate_page(
    path: &str,
    parts: &mut [Part],
    through_url: Option<&str>,
    criteria: &Criteria,
    with_baseline: bool,
) -> PathVerdict {
    let mut judged: Vec<(Variant, String, String, PathVerdict)> = Vec::new();
    // The page first: its pods' states vouch for their variants.
    parts.sort_by_key(|p| p.variant);
    let mut page_states: BTreeMap<String, State> = BTreeMap::new();
    let mut page_evidence: Vec<String> = Vec::new();
    let on_pods = parts.iter().any(|p| !p.pods.is_empty());
    for part in parts.iter_mut() {
        let missing_baseline = with_baseline && part.baseline.is_none();
        let c = if part.variant == Variant::Html {
            criteria.clone()
        } else {
            for f in &mut part.pods {
                f.page_state = page_states.get(&f.pod).copied();
            }
            criteria.for_variant(on_pods, page_evidence.clone(), !missing_baseline)
        };
        let mut v = evaluate(
            path,
            &mut part.pods,
            &mut part.samples,
            through_url,
            &c,
            part.baseline.as_ref(),
        );
        if missing_baseline && criteria.expect_changed && !v.verdict.is_settled() {
            v.reason = format!(
                "the baseline holds no {} response of this path, so no change can be shown; {}",
                part.variant.name(),
                v.reason
            );
        } else if missing_baseline && criteria.expect_changed && v.verdict == Verdict::Converged {
            v.reason = format!(
                "the baseline holds no {} response of this path (take it again with this version's `verify --save`); {}",
                part.variant.name(),
                v.reason
            );
        }
        if part.variant == Variant::Html {
            page_states = part
                .pods
                .iter()
                .filter_map(|f| f.state.map(|s| (f.pod.clone(), s)))
                .collect();
            page_evidence = v.evidence.clone();
        }
        judged.push((part.variant, part.url.clone(), c.describe(false), v));
    }
    let html_at = judged
        .iter()
        .position(|(v, ..)| *v == Variant::Html)
        .expect("a page's parts hold the page");
    let mut page = judged[html_at].3.clone();
    let worst = judged
        .iter()
        .max_by_key(|(v, _, _, verdict)| (rank(verdict.verdict), std::cmp::Reverse(*v)))
        .expect("one part at least");
    if rank(worst.3.verdict) > rank(page.verdict) {
        page.verdict = worst.3.verdict;
        page.reason = format!("{} ({}): {}", worst.0.name(), worst.1, worst.3.reason);
    }
    // Per pod, across parts: stale or unreachable in any, fresh only if fresh in all.
    let pods: Vec<String> = parts
        .iter()
        .find(|p| p.variant == Variant::Html)
        .map(|p| p.pods.iter().map(|f| f.pod.clone()).collect())
        .unwrap_or_default();
    let states = |pod: &str| {
        parts
            .iter()
            .flat_map(|p| p.pods.iter().filter(move |f| f.pod == pod))
            .collect::<Vec<&Fetch>>()
    };
    page.stale_pods = pods
        .iter()
        .filter(|pod| states(pod).iter().any(|f| f.state == Some(State::Stale)))
        .cloned()
        .collect();
    page.unreachable_pods = pods
        .iter()
        .filter(|pod| states(pod).iter().any(|f| !fetched(f)))
        .cloned()
        .collect();
    page.fresh_pods = pods
        .iter()
        .filter(|pod| states(pod).iter().all(|f| f.state == Some(State::Fresh)))
        .count();
    page.agreeing_pods = pods
        .iter()
        .filter(|pod| {
            states(pod)
                .iter()
                .all(|f| matches!(f.state, Some(State::Fresh | State::Converged)))
        })
        .count();
    page.diverged = judged.iter().any(|(.., v)| v.diverged);
    // Not collected in place: the judged parts' buffer is larger than the variants', and a
    // report for people keeps every path's.
    page.variants = Vec::with_capacity(judged.len());
    page.variants.extend(
        judged
            .into_iter()
            .map(|(variant, url, expected, v)| VariantVerdict {
                variant,
                url,
                expected,
                verdict: v.verdict,
                reason: v.reason,
                fresh_pods: v.fresh_pods,
                agreeing_pods: v.agreeing_pods,
                total_pods: v.total_pods,
                stale_pods: v.stale_pods,
                unreachable_pods: v.unreachable_pods,
                diverged: v.diverged,
                builds: v.builds,
                changes: v.changes,
                through: v.through,
            }),
    );
    page
}
