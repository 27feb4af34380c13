//! The verdicts judging produces: of a path, of each variant of its page, of each response, and
//! the groups they are read from (pods by build and by hash, the edge's samples by encoding).
//!
//! Invariants: a verdict names every pod it counts, stale or unreachable, so a report can say
//! who is not fresh; [`Verdict::is_settled`] is the one test of whether to wait on a path.

use std::collections::{BTreeMap, BTreeSet};

use super::super::{Fetch, Variant};
use crate::choices::Encoding;

/// A path's verdict.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Fresh,
    Converged,
    /// Every pod serves what it served at the baseline (for `run`: its snapshot before the
    /// revalidation): the page was regenerated with the same content, or not at all.
    Unchanged,
    Unproven,
    Stale,
    Unreachable,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Fresh => "fresh",
            Verdict::Converged => "converged",
            Verdict::Unchanged => "unchanged",
            Verdict::Unproven => "unproven",
            Verdict::Stale => "stale",
            Verdict::Unreachable => "unreachable",
        }
    }

    /// Done: nothing more to wait for.
    pub fn is_settled(self) -> bool {
        matches!(self, Verdict::Fresh | Verdict::Converged)
    }
}

/// What one response (a pod's, or a sample's) was found to be.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Passes every check, and the checks prove new content.
    Fresh,
    /// Passes every check and agrees with the others; nothing proves the content is new.
    Converged,
    /// Cannot be compared with anything that would tell.
    Unproven,
    /// Fails a check, or serves content no pod serves.
    Stale,
}

/// Pods (or samples) that served the same (normalised) content.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct HashGroup {
    pub hash: String,
    pub pods: Vec<String>,
    /// Whether these responses meet every check.
    pub passes: bool,
    pub problems: Vec<String>,
}

/// The pods of one build and how their content groups.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct BuildGroup {
    pub build_id: Option<String>,
    pub groups: Vec<HashGroup>,
}

/// The samples of one Accept-Encoding variant through the edge.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct VariantShare {
    pub encoding: Option<Encoding>,
    pub samples: usize,
    pub stale: usize,
    pub unproven: usize,
    pub unreachable: usize,
    /// Stale share of the answered samples, 0.0 to 1.0.
    pub stale_share: f64,
}

/// Responses through a load balancer or CDN, summarised.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ThroughSummary {
    pub url: String,
    pub samples: usize,
    /// Answered and not stale or unproven.
    pub ok: usize,
    pub stale: usize,
    pub unproven: usize,
    pub unreachable: usize,
    pub stale_share: f64,
    pub variants: Vec<VariantShare>,
    pub groups: Vec<HashGroup>,
    pub x_cache: BTreeMap<String, usize>,
    pub nextjs_cache: BTreeMap<String, usize>,
    pub age_min: Option<u64>,
    pub age_max: Option<u64>,
}

/// What a baseline holds for one path: the hashes served then, and each pod's build then.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    pub hashes: BTreeSet<String>,
    /// Pod -> the build it ran when the baseline was taken.
    pub builds: BTreeMap<String, Option<String>>,
    /// Pod -> what it served then.
    pub served: BTreeMap<String, String>,
}

impl Baseline {
    /// The build a response must be on for "changed since the baseline" to mean its content
    /// changed: its own pod's build then, or (a pod the baseline does not know, an edge sample)
    /// one of the builds the baseline saw. `Err` names the baseline's build(s).
    pub(super) fn same_build(&self, f: &Fetch) -> Result<(), String> {
        let name = |b: &Option<String>| b.clone().unwrap_or_else(|| "no build id".into());
        match self.builds.get(&f.pod).filter(|_| !f.sample) {
            Some(then) if *then == f.build_id => Ok(()),
            Some(then) => Err(name(then)),
            None => {
                let then: BTreeSet<&Option<String>> = self.builds.values().collect();
                if then.is_empty() || then.contains(&f.build_id) {
                    Ok(())
                } else {
                    Err(then.into_iter().map(name).collect::<Vec<_>>().join(", "))
                }
            }
        }
    }
}

/// With a baseline: which pods changed since it was taken.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Changes {
    pub changed: usize,
    pub unchanged_pods: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PathVerdict {
    pub path: String,
    pub verdict: Verdict,
    /// Why, in a sentence.
    pub reason: String,
    /// What proves the content new (empty when nothing does).
    pub evidence: Vec<String>,
    /// Pods proven fresh.
    pub fresh_pods: usize,
    /// Pods that pass every check and agree with their build (proven or not).
    pub agreeing_pods: usize,
    pub total_pods: usize,
    pub stale_pods: Vec<String>,
    pub unreachable_pods: Vec<String>,
    /// Pods of one build serving different content, with no check to say which is fresh.
    pub diverged: bool,
    pub builds: Vec<BuildGroup>,
    pub changes: Option<Changes>,
    /// Boxed: most runs have no edge, and a verdict is kept for every path.
    pub through: Option<Box<ThroughSummary>>,
    /// Each variant a browser fetches of the page, judged apart (the page itself first): the
    /// path's verdict is the worst of theirs.
    pub variants: Vec<VariantVerdict>,
    /// The pods' responses the path was judged from: each pod's page, then each variant's, in
    /// pod order. In the JSON document every one; in the report people read, those that got no
    /// answer; absent from NDJSON `verdict` events, which follow each response's `fetch` event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells: Option<Vec<Fetch>>,
    /// The edge's samples of the path (`--through`), as `cells`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through_samples: Option<Vec<Fetch>>,
}

/// One variant of a page (the page itself, its data JSON, its RSC or prefetch payload), judged
/// from what the pods and the edge served of it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct VariantVerdict {
    pub variant: Variant,
    /// The URL fetched (path and query; the first pod's when pods of several builds differ).
    pub url: String,
    /// What every pod's response of this variant must satisfy.
    pub expected: String,
    pub verdict: Verdict,
    pub reason: String,
    pub fresh_pods: usize,
    pub agreeing_pods: usize,
    /// Pods whose page called for this variant.
    pub total_pods: usize,
    pub stale_pods: Vec<String>,
    pub unreachable_pods: Vec<String>,
    pub diverged: bool,
    pub builds: Vec<BuildGroup>,
    pub changes: Option<Changes>,
    pub through: Option<Box<ThroughSummary>>,
}

/// The fetches of one variant of a page, to be judged together.
#[derive(Debug)]
pub struct Part {
    pub variant: Variant,
    pub url: String,
    pub pods: Vec<Fetch>,
    pub samples: Vec<Fetch>,
    /// What the baseline holds of this variant (`None`: no baseline, or it recorded none).
    pub baseline: Option<Baseline>,
}

impl Part {
    pub fn empty(variant: Variant) -> Part {
        Part {
            variant,
            url: String::new(),
            pods: Vec::new(),
            samples: Vec::new(),
            baseline: None,
        }
    }
}

impl Verdict {
    /// The worse of two verdicts, as the judge ranks them.
    pub fn worse(self, other: Verdict) -> Verdict {
        if super::rank(other) > super::rank(self) {
            other
        } else {
            self
        }
    }
}
