//! The variants of each page to clear with it: what a browser fetches besides the HTML, each
//! cached apart by an edge (the Pages Router's data JSON, the App Router's RSC and prefetch
//! payloads). Which pages have which is read from the pages themselves, on the pods, as verify
//! finds them: a page's `__NEXT_DATA__` names its build and the query its data URL carries, an App
//! Router page varies on `RSC`.
//!
//! Invariants: nothing is sent to a cache before every page was read (or the read failed, which
//! is an error naming the pod, never a silent "no variants"); a variant is only left out when the
//! page says it has none, `--variants` leaves it out, or no pod could be asked (then a warning
//! says what is not cleared).

use std::collections::{BTreeMap, BTreeSet};

use futures_util::StreamExt;

use super::MAX_BUILD_ID_BODY;
use crate::config::CdnSettings;
use crate::context::RunContext;
use crate::error::Error;
use crate::nextjs::{self, PageMarks, Variant};
use crate::paths::UrlPath;
use crate::targets::Target;
use crate::transport::{PodRequest, Transport, retryable_status};

/// What one page calls for besides itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageVariants {
    /// Its data URLs (path and query), one per build id and query form.
    pub data: Vec<String>,
    /// Whether it is an App Router page, with RSC and prefetch payloads.
    pub app: bool,
}

/// The variants of every page, in input order, and what people should know about them.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub pages: Vec<PageVariants>,
    pub warnings: Vec<String>,
}

/// Whether `--variants` (or its absence: every variant) asks for this one.
pub fn wanted(s: &CdnSettings, v: Variant) -> bool {
    v == Variant::Html || s.variants.as_ref().is_none_or(|l| l.contains(&v))
}

/// What one pod's page said.
struct Read {
    status: u16,
    vary: Option<String>,
    marks: PageMarks,
}

/// Reads one page from one pod: its status, `Vary` and the marks of its variants.
async fn read(
    ctx: &RunContext,
    transport: &Transport,
    pod: &Target,
    page: &str,
) -> Result<Read, String> {
    let build_re = regex::bytes::Regex::new(nextjs::BUILD_ID).expect("static regex");
    let build_re = &build_re;
    let done = transport
        .call(
            ctx,
            pod,
            || PodRequest::new(http::Method::GET, page.to_string()),
            |resp| async move {
                let status = resp.status;
                let vary: Vec<String> = resp
                    .headers
                    .get_all(http::header::VARY)
                    .iter()
                    .filter_map(|v| v.to_str().ok().map(str::to_string))
                    .collect();
                let body = resp.drain(MAX_BUILD_ID_BODY).await?;
                let next_data = nextjs::find_next_data_query(&body).map(|(query, build)| {
                    (
                        String::from_utf8_lossy(build).into_owned(),
                        String::from_utf8_lossy(query).into_owned(),
                    )
                });
                let has = |m: &str| memchr::memmem::find(&body, m.as_bytes()).is_some();
                let marks = PageMarks {
                    next_data,
                    fetches_data: nextjs::GSP_MARKERS.iter().any(|m| has(m)),
                    app: has(nextjs::APP_MARKER),
                    build_id: nextjs::find_build_id(build_re, &body),
                };
                Ok(Ok::<Read, String>(Read {
                    status,
                    vary: (!vary.is_empty()).then(|| vary.join(", ")),
                    marks,
                }))
            },
            |e| Err(e.to_string()),
            |r| matches!(r, Ok(read) if retryable_status(read.status)),
        )
        .await;
    match done.result {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(e),
        Err(stop) => Err(stop.describe().to_string()),
    }
}

/// Reads one page from the first pod that answers; else says why none did.
async fn read_page(
    ctx: &RunContext,
    transport: &Transport,
    pods: &[Target],
    page: &UrlPath,
    is_page: bool,
) -> (Option<Read>, Option<String>) {
    if !is_page {
        return (None, None);
    }
    let mut why = Vec::new();
    for pod in pods {
        match read(ctx, transport, pod, page.as_str()).await {
            Ok(r) => return (Some(r), None),
            Err(e) => why.push(format!("{}: {e}", pod.name)),
        }
    }
    (None, Some(format!("{page}: {}", why.join("; "))))
}

/// Finds the variants of each page. With pods, each page is read from the first pod that answers
/// (and the first page from every pod, for the build ids a rolling deploy leaves at the edge);
/// without pods, `--variants` says which each page has (data URLs need `--next-data BUILD_ID`).
/// `build_ids` are those `--next-data` gave: their data URLs are cleared for every page.
pub async fn find(
    s: &CdnSettings,
    pages: &[UrlPath],
    pods: &[Target],
    build_ids: &[String],
    ctx: &RunContext,
    transport: &Transport,
) -> Result<Found, Error> {
    let mut found = Found {
        pages: vec![PageVariants::default(); pages.len()],
        warnings: Vec::new(),
    };
    let is_page = |p: &UrlPath| !p.is_wildcard() && !p.as_str().starts_with("/_next/");
    let data_urls = |page: &UrlPath, ids: &BTreeSet<String>, search: &str| -> Vec<String> {
        let mut out = Vec::new();
        for id in ids {
            for s in [String::new(), search.to_string()] {
                if let Some(u) = nextjs::data_url(page.as_str(), id, &s)
                    && !out.contains(&u)
                {
                    out.push(u);
                }
            }
        }
        out
    };
    let mut ids: BTreeSet<String> = build_ids.iter().cloned().collect();
    if pods.is_empty() {
        for (i, page) in pages.iter().enumerate() {
            if wanted(s, Variant::Data) && !ids.is_empty() {
                found.pages[i].data = data_urls(page, &ids, "");
            }
            found.pages[i].app = is_page(page)
                && s.variants.is_some()
                && (wanted(s, Variant::Rsc) || wanted(s, Variant::Prefetch));
        }
        match &s.variants {
            None => found.warnings.push(
                "no pods to read the pages from: their data JSON and RSC payloads (cached apart by the edge) are not cleared; give --pod (or --variants rsc,prefetch for App Router pages, --variants data with --next-data BUILD_ID for Pages Router ones)".into(),
            ),
            Some(_) if wanted(s, Variant::Data) && ids.is_empty() => {
                return Err(Error::usage_with_hint(
                    "--variants data clears /_next/data/BUILD_ID/PAGE.json, but no pod is configured to read the build id from",
                    "give --pod URL (the pages are read), or the build id: --next-data BUILD_ID or --next-data auto --build-id-file .next/BUILD_ID",
                ));
            }
            Some(_) => {}
        }
        return Ok(found);
    }
    // Every pod's build (a rolling deploy has two, and the edge may hold data URLs of both).
    let first = pages.iter().find(|p| is_page(p));
    // Pages are read a pod's share of the concurrency at a time (they go to the first pod that
    // answers), in input order: a window of reads in flight, filled as each ends; neither a
    // future made up front for every page (each holds a whole request's state) nor a closure in
    // the stream (which would keep the command's future from being sent to another task, as
    // serve does).
    let window = ctx.limits().per_pod_concurrency.max(1);
    let mut answers: Vec<(Option<Read>, Option<String>)> = Vec::with_capacity(pages.len());
    let mut running = futures_util::stream::FuturesOrdered::new();
    let mut next = 0;
    while answers.len() < pages.len() {
        while running.len() < window && next < pages.len() {
            let page = &pages[next];
            running.push_back(read_page(ctx, transport, pods, page, is_page(page)));
            next += 1;
        }
        match running.next().await {
            Some(answer) => answers.push(answer),
            None => break,
        }
    }
    let mut problems = Vec::new();
    let mut reads: Vec<Option<Read>> = Vec::with_capacity(answers.len());
    for (read, problem) in answers {
        problems.extend(problem);
        reads.push(read);
    }
    if let Some(page) = first {
        for pod in pods.iter().skip(1) {
            if let Ok(r) = read(ctx, transport, pod, page.as_str()).await
                && let Some(id) = r.marks.build_id
            {
                ids.insert(id);
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::usage_with_hint(
            format!(
                "cannot read every page from the pods, so its data JSON and RSC payloads are unknown; nothing was sent:\n  {}",
                problems.join("\n  ")
            ),
            "make a pod reachable, or say which variants to clear: --variants html (the pages alone), --variants rsc,prefetch, --variants data with --next-data BUILD_ID",
        ));
    }
    for r in reads.iter().flatten() {
        if let Some(id) = &r.marks.build_id {
            ids.insert(id.clone());
        }
    }
    for id in &ids {
        if !nextjs::is_build_id(id) {
            return Err(Error::usage(format!(
                "{id:?} is not a build id: Next.js build ids are 1 to 64 letters, digits, \"_\" or \"-\""
            )));
        }
    }
    // Each build's routes (its build manifest), read when a deleted page needs them.
    let mut routes: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut unrouted = Vec::new();
    for (i, (page, r)) in pages.iter().zip(&reads).enumerate() {
        let Some(r) = r else { continue };
        let calls = nextjs::variants_of(page.as_str(), r.status, r.vary.as_deref(), &r.marks);
        let p = &mut found.pages[i];
        if wanted(s, Variant::Data) {
            let mut search = calls.iter().find(|c| c.variant == Variant::Data).map(|c| {
                c.target
                    .split_once('?')
                    .map_or(String::new(), |(_, q)| q.to_string())
            });
            // A deleted page's 404 no longer says the query its data URL carried, which is the
            // one a browser fetched and the edge holds: its route in the build manifest does.
            if matches!(r.status, 404 | 410)
                && search.as_deref() == Some("")
                && let Some(id) = &r.marks.build_id
            {
                if !routes.contains_key(id) {
                    let read = read_routes(ctx, transport, pods, id).await;
                    routes.insert(id.clone(), read);
                }
                match routes.get(id).and_then(Option::as_ref) {
                    Some(list) => {
                        if let Some(q) = nextjs::route_search(list, page.as_str()) {
                            search = Some(q);
                        }
                    }
                    None => unrouted.push(page.as_str()),
                }
            }
            if let Some(search) = search {
                p.data = data_urls(page, &ids, &search);
            } else if !build_ids.is_empty() {
                // --next-data asked for every page's data URL.
                let given: BTreeSet<String> = build_ids.iter().cloned().collect();
                p.data = data_urls(page, &given, "");
            }
        }
        p.app = calls
            .iter()
            .any(|c| matches!(c.variant, Variant::Rsc | Variant::Prefetch))
            && (wanted(s, Variant::Rsc) || wanted(s, Variant::Prefetch));
    }
    if !unrouted.is_empty() {
        found.warnings.push(format!(
            "no pod served the build manifest that names the routes of {} (gone): their data JSON is cleared without the query a browser fetches it with (?slug=…), which the edge may still hold; a BAN (--purge-method BAN) clears every form",
            unrouted.join(", ")
        ));
    }
    Ok(found)
}

/// A build's routes, from its build manifest on the first pod that serves it.
async fn read_routes(
    ctx: &RunContext,
    transport: &Transport,
    pods: &[Target],
    build_id: &str,
) -> Option<Vec<String>> {
    let route = nextjs::build_manifest_path(build_id);
    for pod in pods {
        if let Ok((200, body)) = transport
            .get_small(ctx, pod, &route, nextjs::MAX_BUILD_MANIFEST)
            .await
            && let Some(routes) = nextjs::sorted_pages(&body)
        {
            return Some(routes);
        }
    }
    None
}

/// A regular expression matching a page and the variants wanted of it, whatever the build or the
/// query: what a cache that takes a BAN by URL regex evicts (`X-Ban-Url`).
pub fn ban_regex(s: &CdnSettings, page: &UrlPath) -> String {
    let path = page.as_str();
    let mut alts = vec![regex::escape(path)];
    if wanted(s, Variant::Data)
        && let Some(data) = nextjs::data_url(path, "BUILD", "")
    {
        let data = regex::escape(&data).replace("BUILD", "[^/]+");
        alts.push(data);
    }
    let any_query = wanted(s, Variant::Rsc) || wanted(s, Variant::Prefetch) || alts.len() > 1;
    format!(
        "^(?:{}){}$",
        alts.join("|"),
        if any_query { r"(?:\?.*)?" } else { "" }
    )
}
