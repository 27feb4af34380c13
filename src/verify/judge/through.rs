//! The edge's samples judged against the pods: a sample must pass the checks and serve what some
//! pod serves, and is as proven as the pods are; then summarised per encoding.
//!
//! Invariants: a CDN serving content no pod serves any more is stale; an unproven sample counts
//! towards the stale share only as a lower bound.

use std::collections::BTreeSet;

use super::{
    Fetch, State, ThroughSummary, VariantShare, Verdict, by_build, diverges, fetched, hash_groups,
};

/// Marks each sample: it must pass the checks and serve what some pod serves (a CDN serving
/// content no pod serves any more is stale); it is as proven as the pods are.
pub(super) fn judge_samples(
    pods: &[Fetch],
    samples: &mut [Fetch],
    unreachable_pods: &[String],
    diverged: bool,
    pods_verdict: Verdict,
    proven: bool,
) {
    let pod_hashes: BTreeSet<&str> = pods
        .iter()
        .filter(|f| {
            fetched(f)
                && f.problems
                    .iter()
                    .all(|p| p == "pods of this build disagree")
        })
        .filter_map(|f| f.hash.as_deref())
        .collect();
    // What pods that fail the checks serve: a sample serving it is as stale as they are.
    let failing_hashes: BTreeSet<&str> = pods
        .iter()
        .filter(|f| f.state == Some(State::Stale))
        .filter_map(|f| f.hash.as_deref())
        .collect();
    let through_only = pods.is_empty();
    // Through the edge alone, responses of one build that disagree cannot all be fresh.
    let samples_diverge = through_only && {
        let refs: Vec<&Fetch> = samples.iter().filter(|f| fetched(f)).collect();
        diverges(&by_build(&refs))
    };
    for s in samples
        .iter_mut()
        .filter(|s| fetched(s) && s.state.is_none())
    {
        let known = s.hash.as_deref().is_some_and(|h| pod_hashes.contains(h));
        s.state = Some(if through_only {
            if samples_diverge {
                s.problems.push("responses disagree".into());
                State::Stale
            } else if proven {
                State::Fresh
            } else {
                State::Converged
            }
        } else if !known
            && s.hash
                .as_deref()
                .is_some_and(|h| failing_hashes.contains(h))
        {
            s.problems
                .push("serves what the pods failing the checks serve".into());
            State::Stale
        } else if !known && unreachable_pods.is_empty() {
            s.problems.push("differs from every pod's content".into());
            State::Stale
        } else if !known || diverged {
            s.problems.push(if diverged {
                "pods disagree".into()
            } else {
                "matches no reachable pod".to_string()
            });
            State::Unproven
        } else {
            match pods_verdict {
                Verdict::Fresh => State::Fresh,
                Verdict::Converged => State::Converged,
                Verdict::Unproven => State::Unproven,
                // The pods are stale or unreachable: a sample serving a pod's passing content
                // is as good as that pod.
                _ if proven => State::Fresh,
                _ => State::Converged,
            }
        });
    }
}

fn share(stale: usize, answered: usize) -> f64 {
    if answered == 0 {
        0.0
    } else {
        (stale as f64 / answered as f64 * 1000.0).round() / 1000.0
    }
}

pub(super) fn summarize_through(url: &str, samples: &[Fetch]) -> ThroughSummary {
    let mut t = ThroughSummary {
        url: url.to_string(),
        samples: samples.len(),
        ..Default::default()
    };
    for s in samples {
        let v = match t.variants.iter_mut().position(|v| v.encoding == s.encoding) {
            Some(i) => &mut t.variants[i],
            None => {
                t.variants.push(VariantShare {
                    encoding: s.encoding,
                    ..Default::default()
                });
                t.variants.last_mut().expect("just pushed")
            }
        };
        v.samples += 1;
        match (fetched(s), s.state) {
            (true, Some(State::Stale)) => {
                t.stale += 1;
                v.stale += 1;
            }
            (true, Some(State::Unproven)) => {
                t.unproven += 1;
                v.unproven += 1;
            }
            (true, _) => t.ok += 1,
            (false, _) => {
                t.unreachable += 1;
                v.unreachable += 1;
            }
        }
        if let Some(x) = &s.x_cache {
            *t.x_cache.entry(x.clone()).or_default() += 1;
        }
        if let Some(x) = &s.nextjs_cache {
            *t.nextjs_cache.entry(x.clone()).or_default() += 1;
        }
        if let Some(age) = s.age.as_deref().and_then(|a| a.trim().parse::<u64>().ok()) {
            t.age_min = Some(t.age_min.map_or(age, |m| m.min(age)));
            t.age_max = Some(t.age_max.map_or(age, |m| m.max(age)));
        }
    }
    for v in &mut t.variants {
        v.stale_share = share(v.stale, v.samples - v.unreachable);
    }
    t.stale_share = share(t.stale, t.samples - t.unreachable);
    t.groups = hash_groups(samples.iter().filter(|s| fetched(s)));
    t
}
