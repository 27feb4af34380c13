//! Fetching one (path, pod) or one edge sample: the page's response headers, its content decoded
//! and hashed as it streams in, the build id, the `--expect-contains` text and the marks of the
//! variants a browser also fetches (data JSON, RSC, prefetch) looked for on the way; then each
//! of those variants, from the same pod (or through the same edge, in the same encoding), found
//! in the page's own response so the page is never fetched twice.
//!
//! Invariants: a body is never held whole unless normalisation or `--expect-regex` needs it (and
//! then at most `--max-body` of decoded content); a body larger than that, truncated, or in a
//! broken encoding is an error for that response, never a hash of part of it; a variant is
//! fetched at the URL Next.js's router requests it at, following one redirect to the `_rsc`
//! Next.js asks for, as the router does.

use std::io::Write;
use std::sync::Arc;

use http::Method;
use http::header::ACCEPT_ENCODING;
use regex::bytes::Regex;

use super::{Fetch, FetchOutcome, Plan};
use crate::choices::Encoding;
use crate::context::RunContext;
use crate::nextjs::{self, NEXTJS_CACHE, PageMarks, Variant};
use crate::targets::Target;
use crate::transport::decode::Decoder;
use crate::transport::{PodRequest, PodResponse, Transport, TransportError, retryable_status};

/// What every fetch of one run shares.
pub(super) struct Shared {
    pub plan: Plan,
    pub ctx: RunContext,
    pub transport: Transport,
    pub build_re: Regex,
    /// `--expect-contains` as it reads inside a JSON string (the data JSON, the RSC payload),
    /// when that differs from the text itself.
    pub json_needle: Option<String>,
    /// The routes of each build (its build manifest), read when a deleted page needs them.
    pub routes: tokio::sync::Mutex<std::collections::HashMap<String, Arc<Vec<String>>>>,
}

/// One fetch job: which path, from where, and its slot in the output. Small, since a run makes
/// one for every (path, pod) up front.
#[derive(Clone, Copy)]
pub(super) struct Job {
    pub path_index: usize,
    /// The pod's index in the plan's targets, or the sample's index among a path's samples.
    pub slot: usize,
    /// For edge samples: the Accept-Encoding variant asked for.
    pub encoding: Option<Encoding>,
}

impl Job {
    /// Where the job's request goes.
    pub fn target<'a>(&self, plan: &'a Plan) -> &'a Target {
        match (&plan.through, self.encoding) {
            (Some(th), Some(_)) => &th.target,
            _ => &plan.targets[self.slot],
        }
    }

    /// The name the job's response is reported under: the pod's, or `through#N`.
    pub fn name(&self, plan: &Plan) -> String {
        match self.encoding {
            Some(_) => format!("through#{}", self.slot + 1),
            None => plan.targets[self.slot].name.clone(),
        }
    }
}

/// Finds the build id and a needle in a body that arrives in chunks, without holding it whole:
/// each chunk is searched where it lies, and only the bytes around a chunk boundary are copied,
/// so a match split across two chunks is found too.
pub(super) struct Scanner<'r> {
    needle: Option<&'r [u8]>,
    /// Another form of the needle that counts as found (its JSON-escaped form).
    alt: Option<&'r [u8]>,
    found: bool,
    build_id: Option<String>,
    /// Set when the marks of a page's variants are looked for.
    marks: Option<PageMarks>,
    /// The last `keep` bytes seen.
    tail: Vec<u8>,
    /// The longest match looked for: the needle, a build id's marker and id, or `__NEXT_DATA__`'s
    /// query and build id.
    keep: usize,
    build_re: &'r Regex,
}

impl<'r> Scanner<'r> {
    pub(super) fn new(needle: Option<&'r str>, build_re: &'r Regex) -> Scanner<'r> {
        let needle = needle.map(str::as_bytes);
        let keep = needle.map_or(0, <[u8]>::len).max(160);
        Scanner {
            needle,
            alt: None,
            found: false,
            build_id: None,
            marks: None,
            tail: Vec::new(),
            keep,
            build_re,
        }
    }

    /// Also counts `alt` as the needle.
    pub(super) fn or_needle(mut self, alt: Option<&'r str>) -> Scanner<'r> {
        self.alt = alt.map(str::as_bytes);
        self.keep = self.keep.max(self.alt.map_or(0, <[u8]>::len));
        self
    }

    /// Also looks for the marks of the page's variants.
    pub(super) fn with_marks(mut self) -> Scanner<'r> {
        self.marks = Some(PageMarks::default());
        // `"query":{…},"buildId":"…"` at its longest.
        self.keep = self.keep.max(4200);
        self
    }

    fn done(&self) -> bool {
        self.build_id.is_some() && (self.found || self.needle.is_none()) && self.marks.is_none()
    }

    fn search(&mut self, bytes: &[u8]) {
        if !self.found
            && [self.needle, self.alt]
                .into_iter()
                .flatten()
                .any(|n| memchr::memmem::find(bytes, n).is_some())
        {
            self.found = true;
        }
        if self.build_id.is_none() {
            self.build_id = nextjs::find_build_id(self.build_re, bytes);
        }
        if let Some(marks) = &mut self.marks {
            if marks.next_data.is_none()
                && let Some((query, build)) = nextjs::find_next_data_query(bytes)
            {
                marks.next_data = Some((
                    String::from_utf8_lossy(build).into_owned(),
                    String::from_utf8_lossy(query).into_owned(),
                ));
            }
            if !marks.fetches_data
                && nextjs::GSP_MARKERS
                    .iter()
                    .any(|m| memchr::memmem::find(bytes, m.as_bytes()).is_some())
            {
                marks.fetches_data = true;
            }
            if !marks.app && memchr::memmem::find(bytes, nextjs::APP_MARKER.as_bytes()).is_some() {
                marks.app = true;
            }
        }
    }

    /// The marks found, with the page's build id.
    fn marks(&self) -> Option<PageMarks> {
        self.marks.as_ref().map(|m| PageMarks {
            build_id: self.build_id.clone(),
            ..m.clone()
        })
    }

    pub(super) fn feed(&mut self, chunk: &[u8]) {
        if self.done() || chunk.is_empty() {
            return;
        }
        // A match across the boundary lies in the tail and the start of this chunk.
        let mut joint = std::mem::take(&mut self.tail);
        let seen = joint.len();
        joint.extend_from_slice(&chunk[..chunk.len().min(self.keep)]);
        if seen > 0 {
            self.search(&joint);
        }
        if !self.done() {
            self.search(chunk);
        }
        if chunk.len() >= self.keep {
            joint.clear();
            joint.extend_from_slice(&chunk[chunk.len() - self.keep..]);
        } else {
            let start = joint.len().saturating_sub(self.keep);
            joint.drain(..start);
        }
        self.tail = joint;
    }
}

/// Where decoded content goes: hashed as it comes, or held for normalisation; scanned either way.
struct Content<'r> {
    hasher: blake3::Hasher,
    body: Option<Vec<u8>>,
    scanner: Scanner<'r>,
    length: u64,
    max: u64,
}

impl Write for Content<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.length += buf.len() as u64;
        if self.length > self.max {
            return Err(std::io::Error::other(TooLarge));
        }
        self.scanner.feed(buf);
        match &mut self.body {
            Some(b) => b.extend_from_slice(buf),
            None => {
                self.hasher.update(buf);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The decoded body passed --max-body.
#[derive(Debug)]
struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("body larger than --max-body")
    }
}

impl std::error::Error for TooLarge {}

fn is_too_large(e: &std::io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<TooLarge>())
}

/// Why a body could not be decoded, as people read it.
fn undecodable(content_encoding: Option<&str>, e: &std::io::Error) -> String {
    format!(
        "the {} body cannot be decoded: {e}",
        content_encoding.unwrap_or("identity")
    )
}

/// Fetches one page from one pod (or one edge sample), then each variant the page calls for
/// that the run checks: the page first, then its variants in order.
pub(super) async fn fetch_one(s: &Shared, job: Job) -> Vec<Fetch> {
    let path = s.plan.paths[job.path_index].to_string();
    let mut page = fetch_target(s, job, Variant::Html, path.clone()).await;
    let mut calls = std::mem::take(&mut page.calls_for);
    // A deleted page's 404 names its data URL without the query its route gives, which is the
    // one a browser fetches (and an edge holds): read from the build's routes.
    if matches!(page.status, Some(404 | 410))
        && let Some(id) = page.build_id.clone()
        && let Some(call) = calls
            .iter_mut()
            .find(|c| c.variant == Variant::Data && !c.target.contains('?'))
        && s.plan.wants(Variant::Data)
        && let Some(routes) = routes(s, job, &id).await
        && let Some(search) = nextjs::route_search(&routes, &path)
        && let Some(url) = nextjs::data_url(&path, &id, &search)
    {
        call.target = url;
    }
    let mut out = vec![page];
    for call in calls.into_iter().filter(|c| s.plan.wants(c.variant)) {
        let mut f = fetch_target(s, job, call.variant, call.target.clone()).await;
        // Next.js 15+ asks for the `_rsc` its router headers call for; its router follows.
        if matches!(f.status, Some(307 | 308))
            && let Some(to) = f.location.take().filter(|l| l.starts_with('/'))
            && to.split('?').next() == call.target.split('?').next()
        {
            let attempts = f.attempts;
            f = fetch_target(s, job, call.variant, to).await;
            f.attempts += attempts;
        }
        // A variant belongs to the build of the page that called for it (a data JSON names none).
        f.build_id = out[0].build_id.clone();
        out.push(f);
    }
    out
}

/// The routes of a build, from its build manifest, read once from the first target that serves
/// it; `None` when none does.
async fn routes(s: &Shared, job: Job, build_id: &str) -> Option<Arc<Vec<String>>> {
    let mut known = s.routes.lock().await;
    if let Some(routes) = known.get(build_id) {
        return Some(routes.clone());
    }
    let (status, body) = s
        .transport
        .get_small(
            &s.ctx,
            job.target(&s.plan),
            &nextjs::build_manifest_path(build_id),
            nextjs::MAX_BUILD_MANIFEST,
        )
        .await
        .ok()?;
    let routes = Arc::new(nextjs::sorted_pages(&body).filter(|_| status == 200)?);
    known.insert(build_id.to_string(), routes.clone());
    Some(routes)
}

/// Fetches one URL of a page: the page itself, or one of its variants.
async fn fetch_target(s: &Shared, job: Job, variant: Variant, target: String) -> Fetch {
    let path = &s.plan.paths[job.path_index];
    let method = if s.plan.etag {
        Method::HEAD
    } else {
        Method::GET
    };
    let make = || {
        let mut req = PodRequest::new(method.clone(), target.clone());
        // Pods are asked for what most clients get; edge samples for their variant.
        let accept = job.encoding.map_or("gzip, br", Encoding::accept);
        req.headers
            .insert(ACCEPT_ENCODING, http::HeaderValue::from_static(accept));
        for (name, value) in variant.headers() {
            req.headers.insert(
                http::HeaderName::from_static(name),
                http::HeaderValue::from_static(value),
            );
        }
        for h in &s.plan.headers {
            req.headers.append(h.name.clone(), h.value.clone());
        }
        req
    };
    let failed = |e: TransportError| Fetch {
        outcome: Some(FetchOutcome::Unreachable),
        error: Some(e.to_string()),
        ..Fetch::default()
    };
    let done = s
        .transport
        .call(
            &s.ctx,
            job.target(&s.plan),
            make,
            |resp| read(resp, s, variant, path.as_str()),
            failed,
            |f| f.status.is_some_and(retryable_status),
        )
        .await;
    let mut f = match done.result {
        Ok(f) => f,
        Err(stop) => Fetch {
            outcome: Some(FetchOutcome::Cancelled),
            error: Some(stop.describe().into()),
            ..Fetch::default()
        },
    };
    tracing::debug!(
        "{method} {} on {} -> {} in {:.1} ms ({} attempt{}){}",
        target,
        job.name(&s.plan),
        f.status
            .map_or("no response".to_string(), |s| s.to_string()),
        crate::units::millis(done.latency),
        done.attempts,
        if done.attempts == 1 { "" } else { "s" },
        f.error
            .as_deref()
            .map_or(String::new(), |e| format!(": {e}"))
    );
    f.path = path.to_string();
    f.variant = variant;
    f.url = (variant != Variant::Html).then_some(target);
    f.pod = job.name(&s.plan);
    f.encoding = job.encoding;
    f.latency_ms = crate::units::millis(done.latency);
    f.attempts = done.attempts;
    f.path_index = job.path_index;
    f.slot = job.slot;
    f.sample = job.encoding.is_some();
    f
}

async fn read(
    mut resp: PodResponse,
    s: &Shared,
    variant: Variant,
    page: &str,
) -> Result<Fetch, TransportError> {
    let status = resp.status;
    let headers = resp.headers.clone();
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let vary: Vec<&str> = headers
        .get_all(http::header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let vary = (!vary.is_empty()).then(|| vary.join(", "));
    let mut f = Fetch {
        outcome: Some(FetchOutcome::Fetched),
        status: Some(status),
        etag: h("etag"),
        nextjs_cache: h(NEXTJS_CACHE),
        cache_control: h("cache-control"),
        age: h("age"),
        x_cache: h("x-cache").or_else(|| h("x-cdn-cache")),
        last_modified: h("last-modified"),
        content_encoding: h("content-encoding"),
        location: h("location"),
        ..Fetch::default()
    };
    let plan = &s.plan;
    let is_page = variant == Variant::Html;
    if plan.etag {
        while resp.chunk().await?.is_some() {}
        f.length = h("content-length").and_then(|l| l.parse().ok());
        match &f.etag {
            // Proxies weaken ETags (W/"…"); the opaque tag is what identifies the body.
            Some(e) => f.hash = Some(e.trim_start_matches("W/").to_string()),
            None => {
                f.outcome = Some(FetchOutcome::Error);
                f.error =
                    Some("no ETag header; --etag needs one (Next.js sends it on pages)".into());
            }
        }
        return Ok(f);
    }

    let content = Content {
        hasher: blake3::Hasher::new(),
        body: plan.buffered().then(Vec::new),
        scanner: {
            let sc = Scanner::new(plan.criteria.contains.as_deref(), &s.build_re);
            if is_page && plan.finds_variants() {
                sc.with_marks()
            } else if !is_page {
                sc.or_needle(s.json_needle.as_deref())
            } else {
                sc
            }
        },
        length: 0,
        max: plan.max_body,
    };
    let mut decoder = match Decoder::new(f.content_encoding.as_deref(), content) {
        Ok(d) => d,
        Err(e) => {
            f.outcome = Some(FetchOutcome::Undecodable);
            f.error = Some(e);
            return Ok(f);
        }
    };
    let too_large = |f: &mut Fetch, length: u64| {
        f.outcome = Some(FetchOutcome::TooLarge);
        f.length = Some(length);
        f.error = Some(format!(
            "body larger than --max-body {} bytes; stopped reading",
            plan.max_body
        ));
    };
    while let Some(chunk) = resp.chunk().await? {
        if let Err(e) = decoder.write(&chunk) {
            if is_too_large(&e) {
                too_large(&mut f, decoder.sink().length);
            } else {
                f.outcome = Some(FetchOutcome::Undecodable);
                f.error = Some(undecodable(f.content_encoding.as_deref(), &e));
            }
            return Ok(f);
        }
    }
    let content = match decoder.finish() {
        Ok(c) => c,
        Err(e) if is_too_large(&e) => {
            too_large(&mut f, plan.max_body + 1);
            return Ok(f);
        }
        Err(e) => {
            f.outcome = Some(FetchOutcome::Undecodable);
            f.error = Some(undecodable(f.content_encoding.as_deref(), &e));
            return Ok(f);
        }
    };
    f.length = Some(content.length);
    f.build_id = content.scanner.build_id.clone();
    if let Some(marks) = content.scanner.marks() {
        f.calls_for = nextjs::variants_of(page, status, vary.as_deref(), &marks);
    }
    if plan.criteria.contains.is_some() {
        f.contains = Some(content.scanner.found);
    }
    let mut hasher = content.hasher;
    if let Some(body) = content.body {
        if let Some(re) = &plan.criteria.regex {
            f.matches = Some(re.is_match(&body));
        }
        match plan.normalizer.apply_to(&body, is_page) {
            Ok(norm) => {
                hasher.update(&norm.bytes);
                if let Some(e) = norm.erased {
                    f.erased = Some(e.to_string());
                    f.erased_by = Some(e.rule);
                }
            }
            Err(e) => {
                f.outcome = Some(FetchOutcome::Error);
                f.error = Some(e);
                return Ok(f);
            }
        }
    }
    f.hash = Some(hasher.finalize().to_hex().to_string());
    Ok(f)
}

/// Fetches the given jobs; each job's fetches (its page, then its variants) come back together
/// as the job completes.
pub(super) async fn fetch_all(
    shared: &Arc<Shared>,
    lanes: Vec<Vec<Job>>,
    mut on_fetch: impl FnMut(Vec<Fetch>),
) {
    let s = shared.clone();
    let mut rx = shared.ctx.run_lanes(lanes, move |job: Job| {
        let s = s.clone();
        async move { fetch_one(&s, job).await }
    });
    while let Some(f) = rx.recv().await {
        on_fetch(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_finds_across_chunk_boundaries() {
        let re = Regex::new(nextjs::BUILD_ID).unwrap();
        let mut s = Scanner::new(Some("Post A v2"), &re);
        s.feed(b"<h1>Post A");
        s.feed(b" v2</h1><script>{\"buildId\":\"Ly");
        s.feed(b"LiCKtGjgX9kyS5BqLRv\",\"x\":1}");
        assert!(s.found);
        assert_eq!(s.build_id.as_deref(), Some("LyLiCKtGjgX9kyS5BqLRv"));
        let mut s = Scanner::new(None, &re);
        s.feed(b"<script src=\"/_next/static/HhAzCDyDcXMoWum8wBQ6K/_buildManifest.js\">");
        assert_eq!(s.build_id.as_deref(), Some("HhAzCDyDcXMoWum8wBQ6K"));
    }

    /// Every way of cutting a body into chunks finds what the whole body holds.
    #[test]
    fn scanner_finds_whatever_the_chunk_sizes() {
        let re = Regex::new(nextjs::BUILD_ID).unwrap();
        let filler = "x".repeat(300);
        let body = format!(
            "{filler}<h1>Post A v2</h1>{filler}<script>{{\"buildId\":\"LyLiCKtGjgX9kyS5BqLRv\"}}</script>{filler}"
        );
        for size in [1, 2, 7, 13, 64, 159, 160, 161, 200, 1000] {
            let mut s = Scanner::new(Some("Post A v2"), &re);
            for chunk in body.as_bytes().chunks(size) {
                s.feed(chunk);
            }
            assert!(s.found, "chunks of {size}");
            assert_eq!(
                s.build_id.as_deref(),
                Some("LyLiCKtGjgX9kyS5BqLRv"),
                "chunks of {size}"
            );
        }
        let mut s = Scanner::new(Some("Post A v3"), &re);
        for chunk in body.as_bytes().chunks(13) {
            s.feed(chunk);
        }
        assert!(!s.found);
    }

    #[test]
    fn content_past_the_limit_is_refused_not_hashed() {
        let re = Regex::new(nextjs::BUILD_ID).unwrap();
        let mut c = Content {
            hasher: blake3::Hasher::new(),
            body: None,
            scanner: Scanner::new(None, &re),
            length: 0,
            max: 10,
        };
        assert!(c.write(b"0123456789").is_ok());
        let e = c.write(b"x").unwrap_err();
        assert!(is_too_large(&e));
    }
}
