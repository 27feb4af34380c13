//! verify's report: each fetch (what came back, hashed, and the state judging found it in), the
//! totals, and the report of the step, with what the reporter needs of it ([`StepReport`]).
//!
//! Invariants: the exit code follows from the totals alone (a failed `--save` is exit 1 unless a
//! signal's code wins), so a report whose verdicts were handed out as they came ends the same.

use super::step::{FetchEvent, RoundEvent, Start};
use super::{Baselines, PathVerdict, State, Variant, human};
use crate::choices::Encoding;
use crate::exit::{Code, Stop};
use crate::report::{StepReport, Style};
use crate::targets::Target;

/// What fetching one (path, pod) cell ended in.
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
pub enum FetchOutcome {
    Fetched,
    Unreachable,
    TooLarge,
    /// An answer whose body cannot be decoded (a corrupt or truncated compressed stream, or a
    /// content-encoding this program does not read): an answer, but not one to judge.
    Undecodable,
    Error,
    Cancelled,
}

/// One fetch: what came back, hashed, and (after judging) what state it is in.
#[derive(
    Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Fetch {
    pub path: String,
    /// What was fetched of the page: the page itself (html), or a variant a browser fetches.
    #[serde(default)]
    pub variant: Variant,
    /// For a variant: the URL fetched (path and query), after the redirect Next.js asked for.
    #[serde(default)]
    pub url: Option<String>,
    pub pod: String,
    /// For edge samples: the Accept-Encoding variant asked for.
    pub encoding: Option<Encoding>,
    pub outcome: Option<FetchOutcome>,
    pub status: Option<u16>,
    pub hash: Option<String>,
    pub build_id: Option<String>,
    pub etag: Option<String>,
    pub nextjs_cache: Option<String>,
    pub cache_control: Option<String>,
    pub age: Option<String>,
    pub x_cache: Option<String>,
    pub last_modified: Option<String>,
    pub content_encoding: Option<String>,
    pub length: Option<u64>,
    pub latency_ms: f64,
    pub attempts: u32,
    pub contains: Option<bool>,
    pub matches: Option<bool>,
    /// With --baseline: whether this response differs from every hash the baseline holds for
    /// the path (null without a baseline).
    pub changed: Option<bool>,
    pub error: Option<String>,
    /// Set when normalisation left nothing (or under 1%) of this body to compare, naming the
    /// setting: the response proves nothing and is unproven.
    pub erased: Option<String>,
    /// The setting of `erased` alone, for the report's warning.
    #[serde(skip)]
    pub erased_by: Option<String>,
    /// Set by judging (null when the fetch got no answer).
    pub state: Option<State>,
    /// Why this response is not fresh.
    pub problems: Vec<String>,
    #[serde(skip)]
    pub path_index: usize,
    #[serde(skip)]
    pub slot: usize,
    /// A `--through` sample (not a pod): routed by this, never by name, as pods may be named
    /// anything, "through#1" included.
    #[serde(skip)]
    pub sample: bool,
    /// For a page: the variants its response calls for, fetched next.
    #[serde(skip)]
    pub calls_for: Vec<crate::nextjs::VariantRequest>,
    /// The `Location` of a redirect.
    #[serde(skip)]
    pub location: Option<String>,
    /// For a variant fetched from a pod: the state of its page on the same pod.
    #[serde(skip)]
    pub page_state: Option<State>,
}

impl Fetch {
    /// Whether people need this response itself to read a verdict: a fetch that got no answer
    /// (stale and unproven responses are told by their path's verdict, which groups them).
    pub(super) fn is_failure(&self) -> bool {
        self.outcome != Some(FetchOutcome::Fetched)
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyTotals")]
pub struct Totals {
    pub paths: usize,
    pub fresh: usize,
    pub converged: usize,
    #[serde(default)]
    pub unchanged: usize,
    pub unproven: usize,
    pub stale: usize,
    pub unreachable: usize,
    pub cells: usize,
    pub unreachable_cells: usize,
}

/// The step's report.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "VerifyReport")]
pub struct Report {
    pub duration_ms: f64,
    pub targets: Vec<Target>,
    pub through: Option<String>,
    /// Samples per path and variant.
    pub samples: u32,
    pub encodings: Vec<Encoding>,
    pub etag_mode: bool,
    pub normalisation: Vec<String>,
    pub expected: String,
    pub baseline: Option<String>,
    pub rounds: u32,
    /// One verdict a path, in input order, each with the responses it was judged from (its
    /// last round's). The JSON document lists each as soon as it is final; NDJSON writes each
    /// as a `verdict` event when the step ends.
    pub verdicts: Vec<PathVerdict>,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub saved: Option<String>,
    /// `--save` failed: why, in a sentence. The run then exits 1 whatever the pods' verdicts
    /// (only a signal's code wins), so a CI step that takes the snapshot for a later
    /// `--baseline`, and tolerates 3 or 4 there, stops here, before the content goes out.
    pub save_error: Option<String>,
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    /// What every pod served, when the plan kept it ([`Plan::keep_snapshot`]); not part of the
    /// JSON report.
    #[serde(skip)]
    pub snapshot: Option<Baselines>,
    /// Whether unchanged paths pass ([`Plan::unchanged_ok`]).
    #[serde(skip)]
    pub unchanged_ok: bool,
}

impl Report {
    pub fn code(&self) -> crate::exit::Code {
        let unchanged = if self.unchanged_ok {
            0
        } else {
            self.totals.unchanged
        };
        let found = crate::exit::code_for(&crate::exit::Summary {
            failed_cells: self.totals.unreachable,
            stale_paths: self.totals.stale + self.totals.unproven + unchanged,
            stopped: self.stopped,
        });
        use crate::exit::Code;
        match found {
            Code::Interrupted | Code::Terminated => found,
            _ if self.save_error.is_some() => Code::Unexpected,
            _ => found,
        }
    }
}

impl StepReport for Report {
    fn event_schemas(g: &mut schemars::SchemaGenerator) -> Vec<(&'static str, schemars::Schema)> {
        vec![
            ("step-start", g.subschema_for::<Start<'static>>()),
            ("fetch", g.subschema_for::<FetchEvent<'static>>()),
            ("round", g.subschema_for::<RoundEvent>()),
            ("verdict", g.subschema_for::<PathVerdict>()),
        ]
    }
    const KIND: &'static str = "verify";
    const STEP: &'static str = "verify";
    const LISTED: Option<&'static str> = Some("verdicts");
    fn code(&self) -> Code {
        Report::code(self)
    }
    fn stopped(&self) -> Option<Stop> {
        self.stopped
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn totals(&self) -> serde_json::Value {
        serde_json::to_value(&self.totals).expect("totals serialize")
    }
    fn human(&self, style: &Style) -> String {
        human::verify(self, style)
    }
    fn error(&self) -> Option<&str> {
        self.save_error.as_deref()
    }
}
