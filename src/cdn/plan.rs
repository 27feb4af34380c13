//! From page paths to CloudFront invalidation batches: CloudFront's path form, the Pages Router
//! data URLs, duplicates and covered paths dropped, coalescing into wildcards, batches within
//! CloudFront's limits, the cost estimate and each batch's CallerReference. Pure: no clock, no
//! network, no environment, so every rule here is unit-tested.
//!
//! CloudFront's rules come from the developer guide's page on invalidating files,
//! <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation.md>
//! ("What you need to know when invalidating paths", "Concurrent invalidation request maximum",
//! "Paying for file invalidation"):
//! - paths start with `/`, are case-sensitive and at most 4,000 characters;
//! - `*` (zero or more characters) only as the last character;
//! - non-ASCII characters and the unsafe characters of RFC 1738 are URL-encoded, and nothing else
//!   is, "or CloudFront will not invalidate the old version";
//! - a query string is part of the path only when the distribution caches on query strings;
//! - at most 3,000 file paths and, apart from them, 15 wildcard paths in progress per
//!   distribution;
//! - the first 1,000 paths a month are free per account, a wildcard path counts as one.
//!
//! Invariants: every path of every batch is in CloudFront's form, unique, and not covered by a
//! wildcard of the plan; coalescing only ever widens what is invalidated (a path is dropped only
//! when a wildcard of the plan covers it); batches and CallerReferences depend only on the inputs,
//! so a retried run with the same inputs builds the same batches with the same references.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use crate::choices::QueryStrings;
use crate::paths::{self, UrlPath};

/// Paths one CreateInvalidation may carry, and file paths a distribution may have in progress.
pub const MAX_FILES_IN_PROGRESS: usize = 3000;
/// Wildcard paths a distribution may have in progress, counted apart from file paths.
pub const MAX_WILDCARDS_IN_PROGRESS: usize = 15;
/// Invalidation paths free per account and month.
pub const FREE_PATHS_PER_MONTH: u64 = 1000;
/// The price of one invalidation path over the free ones, in thousandths of a dollar.
pub const PRICE_PER_PATH_MILLIDOLLARS: u64 = 5;

/// What a plan is built from.
#[derive(Clone, Debug)]
pub struct Input {
    pub distribution: String,
    /// Page paths, canonical (wildcards allowed).
    pub paths: Vec<UrlPath>,
    /// Build ids whose Pages Router data URLs are added for every page path.
    pub build_ids: Vec<String>,
    /// What each page (in the order of `paths`) calls for besides itself: its data URLs, and
    /// whether it is an App Router page whose RSC and prefetch payloads must go with it.
    pub variants: Vec<super::variants::PageVariants>,
    pub query_strings: QueryStrings,
    /// Coalesce more than this many paths under one directory into `directory/*`.
    pub coalesce: Option<usize>,
    /// At most this many wildcard paths in the plan.
    pub max_wildcards: usize,
    /// At most this many paths in one batch.
    pub batch_size: usize,
    /// Free invalidation paths left this month, when known.
    pub free_paths_left: Option<u64>,
    /// Part of every CallerReference; see [`caller_reference`].
    pub run_id: String,
    /// A CallerReference chosen by the user (suffixed `-N` when there are several batches).
    pub caller_reference: Option<String>,
}

/// One CreateInvalidation.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Batch {
    /// 1-based.
    pub index: usize,
    pub caller_reference: String,
    /// In CloudFront's form, sorted.
    pub paths: Vec<String>,
    pub files: usize,
    pub wildcards: usize,
    /// Paths of this batch beyond the free ones (all of them when the free paths left are
    /// unknown).
    pub billed_paths: u64,
    pub cost_usd: f64,
}

/// A wildcard made by coalescing, with how many paths it replaced.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Coalesced {
    pub wildcard: String,
    pub replaced: usize,
}

/// What the plan did to the paths it was given, and what it will cost.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// Page paths given.
    pub requested: usize,
    /// Data URLs added (--next-data, and the pages' own).
    pub next_data: usize,
    /// App Router pages invalidated as `PAGE*`, so their `?_rsc=` variants go with them (the
    /// distribution caches on query strings).
    #[serde(default)]
    pub rsc_wildcards: usize,
    /// Query strings dropped (the distribution does not cache on them).
    pub query_strings_dropped: usize,
    /// Paths dropped as duplicates once in CloudFront's form.
    pub duplicates: usize,
    /// Paths dropped because a wildcard of the plan covers them.
    pub covered: usize,
    /// Wildcards made by --coalesce.
    pub coalesced: Vec<Coalesced>,
    /// Invalidation paths submitted (files and wildcards).
    pub paths: usize,
    pub files: usize,
    pub wildcards: usize,
    /// Paths billed: each path, a wildcard counting as one, beyond the free ones left.
    pub billed_paths: u64,
    /// Given by --free-paths-left; when unknown, every path is counted as billed.
    pub free_paths_left: Option<u64>,
    /// billed_paths x $0.005.
    pub estimated_cost_usd: f64,
    pub batches: usize,
}

/// Everything an invalidation will submit, checked before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub distribution: String,
    pub batches: Vec<Batch>,
    pub summary: Summary,
    /// Things people should know (query strings dropped, escapes CloudFront may not match).
    pub notes: Vec<String>,
}

/// A path CloudFront cannot take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadPath {
    pub path: String,
    pub why: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{}", bad_list(.0))]
    Paths(Vec<BadPath>),
    #[error(
        "{0:?} is not a build id: Next.js build ids are 1 to 64 letters, digits, \"_\" or \"-\" (the contents of .next/BUILD_ID)"
    )]
    BuildId(String),
}

fn bad_list(bad: &[BadPath]) -> String {
    let mut s = format!(
        "{} path{} CloudFront cannot invalidate; nothing was sent:",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    );
    for b in bad {
        s.push_str(&format!("\n  {:?}: {}", b.path, b.why));
    }
    s
}

/// The unsafe characters of RFC 1738 (section 2.2), which CloudFront wants URL-encoded; control
/// characters and non-ASCII bytes are encoded as well.
fn rfc1738_unsafe(b: u8) -> bool {
    b.is_ascii_control() || !b.is_ascii() || b" <>\"#%{}|\\^~[]`".contains(&b)
}

/// RFC 3986's unreserved characters (apart from `~`, which RFC 1738 calls unsafe): an escape of
/// one of these means the same as the character itself.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._".contains(&b)
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// A canonical path in CloudFront's form: `~` encoded, escapes of unreserved characters
/// decoded, every other escape in upper case. The second value lists the escapes of reserved
/// characters (`%2F`, `%3F`, `%2A`, ...) CloudFront's guide says not to encode: kept, because
/// decoding them would change the path's meaning, but worth a note.
pub fn cloudfront_form(canonical: &str) -> (String, Vec<String>) {
    let bytes = canonical.as_bytes();
    let mut out = String::with_capacity(canonical.len() + 8);
    let mut reserved = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // A canonical path has no lone `%`: every one starts a two-digit escape.
        if b == b'%' && i + 2 < bytes.len() {
            let v = hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]);
            if unreserved(v) {
                out.push(v as char);
            } else {
                let esc = format!("%{v:02X}");
                if !rfc1738_unsafe(v) {
                    reserved.push(esc.clone());
                }
                out.push_str(&esc);
            }
            i += 3;
            continue;
        }
        if b == b'~' {
            out.push_str("%7E");
        } else {
            out.push(b as char);
        }
        i += 1;
    }
    (out, reserved)
}

/// The Pages Router data URL of a page path (`/posts/a` -> `/_next/data/<id>/posts/a.json`, `/`
/// -> `/_next/data/<id>/index.json`); a wildcard page path gives the wildcard over its data
/// URLs. `None` for paths under `/_next/`, which are not pages.
pub fn data_url(page: &UrlPath, build_id: &str) -> Option<String> {
    crate::nextjs::data_url(page.as_str(), build_id, "")
}

/// Checks a build id as Next.js writes them.
pub fn check_build_id(id: &str) -> Result<(), PlanError> {
    if crate::nextjs::is_build_id(id) {
        Ok(())
    } else {
        Err(PlanError::BuildId(id.to_string()))
    }
}

/// The directories a path is under, deepest first: `/a/b/c` gives `/a/b/`, `/a/`, `/`.
fn directories(path: &str) -> impl Iterator<Item = &str> {
    let path = path.split('?').next().unwrap_or(path);
    let path = path.strip_suffix('*').unwrap_or(path);
    path.char_indices()
        .filter(|(_, c)| *c == '/')
        .map(move |(i, _)| &path[..=i])
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
}

fn is_wildcard(p: &str) -> bool {
    p.ends_with('*')
}

/// Drops every path a wildcard of the set covers; returns how many went.
fn drop_covered(set: &mut BTreeSet<String>) -> usize {
    let prefixes: HashSet<String> = set
        .iter()
        .filter_map(|p| p.strip_suffix('*').map(str::to_string))
        .collect();
    let before = set.len();
    // `p` is covered when a wildcard's prefix starts it, unless that wildcard is `p` itself
    // (canonical paths are ASCII, so every index is a character boundary).
    set.retain(|p| {
        let own = p.strip_suffix('*').map(str::len);
        !(0..=p.len()).any(|i| Some(i) != own && prefixes.contains(&p[..i]))
    });
    before - set.len()
}

/// Replaces the paths under a directory with `directory*` when more than `threshold` share it,
/// deepest directories first (so the least is widened), the biggest saving first among those,
/// while the plan holds at most `max_wildcards` wildcards. The root is never coalesced: `/*`
/// empties the whole distribution, which is for people to ask for, not for a count to decide.
fn coalesce(set: &mut BTreeSet<String>, threshold: usize, max_wildcards: usize) -> Vec<Coalesced> {
    let mut made = Vec::new();
    loop {
        // Every directory with the paths under it.
        let mut under: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for p in set.iter() {
            for d in directories(p) {
                let e = under.entry(d).or_default();
                e.0 += 1;
                if is_wildcard(p) {
                    e.1 += 1;
                }
            }
        }
        let wildcards = set.iter().filter(|p| is_wildcard(p)).count();
        // More than the threshold, not already a wildcard of the plan, and within the cap once
        // the wildcards under it are replaced by one.
        let candidates: Vec<(&str, usize)> = under
            .iter()
            .filter(|(d, (n, w))| {
                **d != "/"
                    && *n > threshold
                    && !set.contains(&format!("{d}*"))
                    && wildcards < max_wildcards + w
            })
            .map(|(d, (n, _))| (*d, *n))
            .collect();
        // The deepest qualifying directories only (a parent waits until its children are
        // done), the biggest first.
        let best = candidates
            .iter()
            .filter(|(d, _)| {
                !candidates
                    .iter()
                    .any(|(c, _)| c.len() > d.len() && c.starts_with(d))
            })
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(d, n)| (d.to_string(), *n));
        let Some((dir, n)) = best else {
            return made;
        };
        set.retain(|p| !p.starts_with(&dir));
        set.insert(format!("{dir}*"));
        made.push(Coalesced {
            wildcard: format!("{dir}*"),
            replaced: n,
        });
    }
}

/// Splits sorted paths into batches of at most `batch_size` paths and at most
/// [`MAX_WILDCARDS_IN_PROGRESS`] wildcards (a batch with more could never be in progress).
fn split(paths: Vec<String>, batch_size: usize) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    let mut wild = 0;
    for p in paths {
        let w = is_wildcard(&p);
        if cur.len() == batch_size || (w && wild == MAX_WILDCARDS_IN_PROGRESS) {
            out.push(std::mem::take(&mut cur));
            wild = 0;
        }
        if w {
            wild += 1;
        }
        cur.push(p);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The CallerReference of a batch: a BLAKE3 hash of the distribution, the run id and the
/// batch's sorted paths. Deterministic, so a retried run gets its earlier invalidation back
/// instead of paying twice; never a clock value (a reference with minute resolution makes every
/// later invalidation in the same minute return the first one); and the run id keeps a later
/// run over the same paths from getting an old invalidation back.
pub fn caller_reference(distribution: &str, run_id: &str, sorted_paths: &[String]) -> String {
    let mut h = blake3::Hasher::new();
    for part in [distribution, run_id] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    for p in sorted_paths {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    format!("revalidate-{}", &h.finalize().to_hex()[..40])
}

/// Dollars for a number of billed paths.
pub fn cost_usd(billed: u64) -> f64 {
    (billed * PRICE_PER_PATH_MILLIDOLLARS) as f64 / 1000.0
}

impl Plan {
    /// Builds the batches. Fails, naming every path, when a path cannot be invalidated.
    pub fn build(input: &Input) -> Result<Plan, PlanError> {
        for id in &input.build_ids {
            check_build_id(id)?;
        }
        let mut notes = Vec::new();
        let mut pages: Vec<UrlPath> = Vec::new();
        let mut next_data = 0;
        let mut rsc_wildcards = 0;
        let mut rsc_with_page = 0;
        for (i, p) in input.paths.iter().enumerate() {
            let v = input.variants.get(i);
            // An App Router page's RSC and prefetch payloads are the page's path with `?_rsc=…`
            // (any value: the router hashes its state into it) and the router headers: a
            // distribution that caches on query strings needs `PAGE*` to cover them; one that
            // does not keys them on the path alone, which the page's own invalidation clears.
            if v.is_some_and(|v| v.app) && !p.is_wildcard() {
                match input.query_strings {
                    QueryStrings::Keep => {
                        let wide = format!("{}*", p.as_str());
                        match UrlPath::parse(&wide, paths::Purpose::Cdn) {
                            Ok(w) => {
                                pages.push(w);
                                rsc_wildcards += 1;
                                continue;
                            }
                            Err(_) => pages.push(p.clone()),
                        }
                    }
                    QueryStrings::Drop => {
                        rsc_with_page += 1;
                        pages.push(p.clone());
                    }
                }
            } else {
                pages.push(p.clone());
            }
        }
        let mut data_seen = BTreeSet::new();
        let mut add_data = |d: &str, pages: &mut Vec<UrlPath>| {
            if data_seen.insert(d.to_string()) {
                let d = UrlPath::parse(d, paths::Purpose::Cdn)
                    .expect("a data URL of a canonical path is canonical");
                pages.push(d);
                next_data += 1;
            }
        };
        for id in &input.build_ids {
            for p in &input.paths {
                if let Some(d) = data_url(p, id) {
                    add_data(&d, &mut pages);
                }
            }
        }
        for v in &input.variants {
            for d in &v.data {
                add_data(d, &mut pages);
            }
        }
        let mut dropped_queries = Vec::new();
        let mut reserved_escapes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut bad = Vec::new();
        let mut set = BTreeSet::new();
        let mut considered = 0;
        for p in &pages {
            let mut s = p.as_str();
            if input.query_strings == QueryStrings::Drop
                && let Some((path, _)) = s.split_once('?')
            {
                dropped_queries.push(s.to_string());
                s = path;
            }
            let (form, reserved) = cloudfront_form(s);
            for r in reserved {
                reserved_escapes.entry(r).or_default().push(form.clone());
            }
            if form.len() > paths::MAX_LEN {
                bad.push(BadPath {
                    path: p.to_string(),
                    why: format!(
                        "is {} characters in CloudFront's form (\"~\" becomes %7E); CloudFront takes at most {}",
                        form.len(),
                        paths::MAX_LEN
                    ),
                });
                continue;
            }
            considered += 1;
            set.insert(form);
        }
        if !bad.is_empty() {
            return Err(PlanError::Paths(bad));
        }
        let duplicates = considered - set.len();
        let mut covered = drop_covered(&mut set);
        let coalesced = match input.coalesce {
            Some(n) => coalesce(&mut set, n, input.max_wildcards),
            None => Vec::new(),
        };
        covered += drop_covered(&mut set);
        if !dropped_queries.is_empty() {
            notes.push(format!(
                "{} query string{} dropped ({}{}): the distribution is taken not to cache on query strings, so its cache key has none; give --query-strings keep if it does",
                dropped_queries.len(),
                if dropped_queries.len() == 1 { "" } else { "s" },
                dropped_queries.first().map(String::as_str).unwrap_or_default(),
                if dropped_queries.len() > 1 { ", ..." } else { "" },
            ));
        }
        for (esc, ps) in &reserved_escapes {
            notes.push(format!(
                "{} path{} carr{} {esc}, an escape of a character CloudFront's guide says not to encode ({}{}); the invalidation matches only requests that encode it the same way",
                ps.len(),
                if ps.len() == 1 { "" } else { "s" },
                if ps.len() == 1 { "ies" } else { "y" },
                ps[0],
                if ps.len() > 1 { ", ..." } else { "" },
            ));
        }
        if rsc_wildcards > 0 {
            notes.push(format!(
                "{rsc_wildcards} App Router page{} invalidated as PAGE* so {} RSC and prefetch payloads (PAGE?_rsc=…, cached apart) go too: each is a wildcard path, billed as one path, and CloudFront runs at most {MAX_WILDCARDS_IN_PROGRESS} wildcards at once",
                if rsc_wildcards == 1 { " is" } else { "s are" },
                if rsc_wildcards == 1 { "its" } else { "their" },
            ));
        }
        if rsc_with_page > 0 {
            notes.push(format!(
                "{rsc_with_page} App Router page{}: {} RSC and prefetch payloads are cached under the page's path (the distribution does not cache on query strings) and go with it; give --query-strings keep if it does",
                if rsc_with_page == 1 { "" } else { "s" },
                if rsc_with_page == 1 { "its" } else { "their" },
            ));
        }
        let wildcards_total = set.iter().filter(|p| is_wildcard(p)).count();
        if wildcards_total > input.max_wildcards {
            notes.push(format!(
                "the plan has {wildcards_total} wildcard paths, more than --max-wildcards {} (the given paths hold them); CloudFront runs at most {MAX_WILDCARDS_IN_PROGRESS} at once, so later batches wait for earlier ones",
                input.max_wildcards
            ));
        }
        let all: Vec<String> = set.into_iter().collect();
        let files = all.iter().filter(|p| !is_wildcard(p)).count();
        let chunks = split(all, input.batch_size.clamp(1, MAX_FILES_IN_PROGRESS));
        let n_batches = chunks.len();
        let mut free_left = input.free_paths_left;
        let mut batches = Vec::with_capacity(n_batches);
        let mut billed_total = 0;
        for (i, paths) in chunks.into_iter().enumerate() {
            let n = paths.len() as u64;
            let billed = match &mut free_left {
                Some(free) => {
                    let used = (*free).min(n);
                    *free -= used;
                    n - used
                }
                None => n,
            };
            billed_total += billed;
            let caller_reference = match &input.caller_reference {
                Some(r) if n_batches == 1 => r.clone(),
                Some(r) => format!("{r}-{}", i + 1),
                None => caller_reference(&input.distribution, &input.run_id, &paths),
            };
            let wildcards = paths.iter().filter(|p| is_wildcard(p)).count();
            batches.push(Batch {
                index: i + 1,
                caller_reference,
                files: paths.len() - wildcards,
                wildcards,
                billed_paths: billed,
                cost_usd: cost_usd(billed),
                paths,
            });
        }
        let summary = Summary {
            requested: input.paths.len(),
            next_data,
            rsc_wildcards,
            query_strings_dropped: dropped_queries.len(),
            duplicates,
            covered,
            coalesced,
            paths: files + wildcards_total,
            files,
            wildcards: wildcards_total,
            billed_paths: billed_total,
            free_paths_left: input.free_paths_left,
            estimated_cost_usd: cost_usd(billed_total),
            batches: n_batches,
        };
        Ok(Plan {
            distribution: input.distribution.clone(),
            batches,
            summary,
            notes,
        })
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{} ({}, {}) in {}",
            n(self.paths, "path", "paths"),
            n(self.files, "file", "files"),
            n(self.wildcards, "wildcard", "wildcards"),
            n(self.batches, "batch", "batches"),
        )
    }
}

#[cfg(test)]
mod tests;
