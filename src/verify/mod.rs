//! verify: prove that every pod (and the edge) serves the fresh page, and every variant of it a
//! browser fetches (the data JSON, the RSC and prefetch payloads).
//!
//! Each (path, pod) body is decoded and hashed as it streams in ([`fetch`]), then each variant
//! its page calls for; per path and variant, pods are grouped by build and by hash and judged
//! ([`judge`]): `fresh` needs evidence on every pod, agreement alone is `converged`, what cannot
//! be compared is `unproven`, and a path takes its worst variant's verdict. `--wait` re-checks
//! what is not settled, with backoff; `--through` samples the edge in every Accept-Encoding
//! variant.
//!
//! The step, by seam: [`plan`] (everything checked before anything is sent, the requests of a
//! round, `--dry-run`), [`run`] (the rounds: fetch, judge each path as its responses are in,
//! hand out its final verdict), [`report`] (the fetches, totals and report), [`step`] (the glue
//! to the reporter and its events), [`human`] (the report for people).
//!
//! Invariants: a path is judged as soon as all its responses are in, after which only what the
//! reporter needs is kept ([`Keep`]): under `-o json` nothing, as each path's final verdict goes
//! out with its responses as soon as it is known (in the last `--wait` round that judges it), so
//! memory does not grow with the cells; verdicts come out in input order.

pub mod baseline;
mod ci;
pub mod fetch;
mod human;
pub mod judge;
pub mod normalize;
mod plan;
mod report;
mod run;
pub mod snapshot;
mod step;

pub use baseline::Baselines;
pub use judge::UNCHANGED_HINT;
pub use judge::{
    BuildGroup, Changes, Criteria, HashGroup, PathVerdict, State, ThroughSummary, VariantShare,
    VariantVerdict, Verdict,
};
pub use normalize::Normalizer;
pub use plan::{DryRun, Plan, Through, dry_run};
pub use report::{Fetch, FetchOutcome, Report, Totals};
pub use run::{Keep, Progress, run};
pub use snapshot::Snapshot;
pub use step::{FetchEvent, RoundEvent, Start, step, step_with};

pub use crate::nextjs::Variant;

/// Hash prefix shown to people.
pub fn short_hash(h: &str) -> &str {
    if h.starts_with('"') {
        // An ETag (--etag mode) is short already and only meaningful whole.
        h
    } else {
        &h[..h.len().min(12)]
    }
}
