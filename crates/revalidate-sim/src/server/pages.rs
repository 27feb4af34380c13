//! A simulated pod's ISR pages: served from its own cache, generated on first request,
//! regenerated on a valid `x-prerender-revalidate`, and the 404s Next.js answers.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::Flavor;
use crate::fault::FaultSet;
use crate::page::{Entry, PageKind, Payload};
use crate::pod::{CounterCells, PodBuild, PodInner, now_millis};

use super::*;

/// Whether this request carries this pod's preview id, i.e. is an on-demand
/// revalidation Next would honour. Counts it, and counts the fault when
/// `IgnoreRevalidate` swallows it.
pub(super) fn revalidation_requested(
    pod: &PodInner,
    ctx: &Ctx,
    faults: &FaultSet,
    build: &PodBuild,
) -> bool {
    if ctx.revalidate_header.as_deref() != Some(build.preview_id.as_str()) {
        return false;
    }
    if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        return false;
    }
    CounterCells::bump(&pod.counters.revalidate_requests);
    true
}

/// Serves an ISR page (HTML or `/_next/data` JSON) from this pod's cache,
/// generating or regenerating it as Next would.
pub(super) async fn serve_page(
    pod: &Arc<PodInner>,
    ctx: &Ctx,
    faults: &FaultSet,
    kind: PageKind,
    slug: &str,
    data: bool,
) -> Reply {
    let flavor = pod.shared.flavor;
    let rsc = ctx.rsc && !data;
    // 16 checks `_rsc` against the router headers and redirects to the one that matches, so a
    // cache that ignores `Vary` cannot serve one variant for another (measured on 16.5.0).
    if rsc
        && flavor == Flavor::Next16
        && let Some(expected) = ctx.expected_rsc_query()
        && ctx.rsc_query().as_deref() != Some(expected)
    {
        return Reply {
            status: 307,
            headers: vec![("location", ctx.with_rsc_query(expected))],
            body: ReplyBody::Chunked {
                bytes: Bytes::new(),
                content_type: None,
            },
        };
    }
    // A generation made for an RSC request names the request's `_rsc` in its flight data.
    let via = if rsc {
        Some(ctx.rsc_query().unwrap_or_default())
    } else {
        None
    };
    let via = via.as_deref();
    let build = pod.build();
    let key = kind.path_for(slug);
    let cached = pod.cache_get(&key);
    let reply = |entry: &Entry, cache: &str| entry_reply(flavor, entry, data, rsc, cache);
    if revalidation_requested(pod, ctx, faults, &build) {
        if faults.lie
            && let Some(entry) = cached
        {
            CounterCells::bump(&pod.counters.faulted);
            return reply(&entry, "REVALIDATED");
        }
        if ctx.if_generated && cached.is_none() {
            return if_generated_miss(pod, ctx, kind, data);
        }
        let entry = regenerate(pod, &build, kind, slug, via).await;
        return reply(&entry, "REVALIDATED");
    }
    if let Some(entry) = cached {
        CounterCells::bump(&pod.counters.hits);
        return reply(&entry, "HIT");
    }
    // fallback: 'blocking' — generate now, and cache even a notFound result.
    let entry = regenerate(pod, &build, kind, slug, via).await;
    CounterCells::bump(&pod.counters.misses);
    reply(&entry, "MISS")
}

/// Runs getStaticProps + render for one page and stores the result in this
/// pod's cache only.
pub(super) async fn regenerate(
    pod: &PodInner,
    build: &PodBuild,
    kind: PageKind,
    slug: &str,
    rsc_query: Option<&str>,
) -> Arc<Entry> {
    let shared = &pod.shared;
    if !shared.regen_latency.is_zero() {
        tokio::time::sleep(shared.regen_latency).await;
    }
    let key = kind.path_for(slug);
    let post = shared.cms.post(slug);
    // Keep generatedAt strictly increasing per page, so that "regenerated"
    // is always observable even when two generations share a millisecond.
    let mut at = now_millis();
    if let Some(prev) = pod.cache_get(&key)
        && at <= prev.generated_at
    {
        at = prev.generated_at + Duration::from_millis(1);
    }
    let entry = Arc::new(shared.site.render_entry(
        kind,
        slug,
        post.as_ref(),
        at,
        &build.snapshot.build_id,
        rsc_query,
    ));
    pod.cache_put(key, entry.clone());
    CounterCells::bump(&pod.counters.regenerations);
    entry
}

/// The RSC payload of an App Router page (or of the not-found page), as 13.5.11 and 16.4.6
/// answer `RSC: 1`: behind the router's `Vary`, `text/x-component`; 16 streams it without an
/// ETag and repeats `x-nextjs-prerender` on a hit, 13.5 sends an ETag.
fn rsc_reply(flavor: Flavor, entry: &Entry, payload: Arc<Payload>, cache: String) -> Reply {
    let status = entry.status;
    match flavor {
        Flavor::Next16 => {
            let mut headers = vec![
                ("vary", VARY_RSC.to_owned()),
                ("x-nextjs-cache", cache.clone()),
                ("cache-control", CC_ISR_16.to_owned()),
                ("x-nextjs-prerender", "1".to_owned()),
            ];
            if cache == "HIT" {
                headers.push(("x-nextjs-prerender", "1".to_owned()));
            }
            headers.push(("x-nextjs-stale-time", "300".to_owned()));
            Reply {
                status,
                headers,
                body: ReplyBody::Payload {
                    payload,
                    content_type: RSC_CONTENT_TYPE,
                    vary_accept_encoding: false,
                    etag: false,
                },
            }
        }
        Flavor::Next13 => Reply::payload(
            status,
            vec![
                ("vary", VARY_RSC_13.to_owned()),
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_13.to_owned()),
                ("x-powered-by", "Next.js".to_owned()),
            ],
            payload,
            RSC_CONTENT_TYPE,
            false,
        ),
    }
}

/// Answers from a cache entry with the given `x-nextjs-cache` value: its data JSON (`data`), its
/// RSC payload (`rsc`: an App Router page or a not-found; a Pages Router page answers its HTML,
/// behind the router's `Vary`), or its HTML.
pub(super) fn entry_reply(
    flavor: Flavor,
    entry: &Entry,
    data: bool,
    rsc: bool,
    cache: &str,
) -> Reply {
    if rsc {
        if let Some(payload) = entry.rsc.clone()
            && (entry.kind.is_app_router() || entry.status != 200)
        {
            return rsc_reply(flavor, entry, payload, cache.to_owned());
        }
        let mut reply = entry_reply(flavor, entry, data, false, cache);
        reply.headers.retain(|(name, _)| *name != "vary");
        reply.headers.insert(
            0,
            (
                "vary",
                match flavor {
                    Flavor::Next16 => VARY_RSC,
                    Flavor::Next13 => VARY_RSC_13,
                }
                .to_owned(),
            ),
        );
        if let ReplyBody::Payload {
            vary_accept_encoding,
            ..
        } = &mut reply.body
        {
            *vary_accept_encoding = false;
        }
        return reply;
    }
    let cache = cache.to_owned();
    let powered = ("x-powered-by", "Next.js".to_owned());
    let status = entry.status;
    if data {
        let json = entry
            .json
            .clone()
            .unwrap_or_else(|| Arc::new(Payload::new(&b"{}"[..])));
        return match flavor {
            Flavor::Next13 => Reply::payload(
                status,
                vec![
                    ("x-nextjs-cache", cache),
                    ("cache-control", CC_ISR_13.to_owned()),
                ],
                json,
                "application/json",
                true,
            ),
            Flavor::Next16 => Reply::payload(
                status,
                vec![
                    ("x-nextjs-matched-path", entry.kind.pattern().to_owned()),
                    ("x-nextjs-cache", cache),
                    ("cache-control", CC_ISR_16.to_owned()),
                ],
                json,
                JSON_UTF8,
                true,
            ),
        };
    }
    let html = entry.html.clone();
    match flavor {
        // 13.5's App Router: ISR headers behind its own `Vary`, 404s of deleted content cached
        // like pages (measured on 13.5.11).
        Flavor::Next13 if entry.kind.is_app_router() => Reply::payload(
            status,
            vec![
                ("vary", VARY_RSC_13.to_owned()),
                ("x-nextjs-cache", cache),
                powered,
                ("cache-control", CC_ISR_13.to_owned()),
            ],
            html,
            HTML,
            false,
        ),
        Flavor::Next13 if status == 200 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                powered,
                ("cache-control", CC_ISR_13.to_owned()),
            ],
            html,
            HTML,
            true,
        ),
        // 13.5 with an app directory renders a notFound page result behind the App Router's
        // `Vary` (measured on 13.5.11).
        Flavor::Next13 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_13.to_owned()),
                ("vary", VARY_RSC_13.to_owned()),
                powered,
            ],
            html,
            HTML,
            false,
        ),
        Flavor::Next16 if status == 200 && entry.kind.is_app_router() => {
            let mut headers = vec![
                ("vary", VARY_RSC.to_owned()),
                ("x-nextjs-cache", cache.clone()),
                ("x-nextjs-prerender", "1".to_owned()),
            ];
            // Recorded behaviour: a cache HIT on an App Router page repeats
            // the prerender header.
            if cache == "HIT" {
                headers.push(("x-nextjs-prerender", "1".to_owned()));
            }
            headers.extend([
                ("x-nextjs-stale-time", "300".to_owned()),
                powered,
                ("cache-control", CC_ISR_16.to_owned()),
            ]);
            Reply::payload(status, headers, html, HTML, false)
        }
        Flavor::Next16 if status == 200 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_16.to_owned()),
                powered,
            ],
            html,
            HTML,
            true,
        ),
        // 16 renders a notFound page result with the App Router not-found page.
        Flavor::Next16 => Reply::payload(
            status,
            vec![
                ("x-nextjs-cache", cache),
                ("cache-control", CC_ISR_16.to_owned()),
                ("vary", VARY_RSC.to_owned()),
                ("x-nextjs-prerender", "1".to_owned()),
                ("x-nextjs-stale-time", "300".to_owned()),
                powered,
            ],
            html,
            HTML,
            false,
        ),
    }
}

/// `x-prerender-revalidate-if-generated` on a page this pod never generated.
pub(super) fn if_generated_miss(pod: &PodInner, ctx: &Ctx, kind: PageKind, data: bool) -> Reply {
    match pod.shared.flavor {
        Flavor::Next16 if !kind.is_app_router() || data => Reply {
            status: 404,
            headers: vec![("x-nextjs-cache", "REVALIDATED".to_owned())],
            body: ReplyBody::Chunked {
                bytes: Bytes::from_static(b"This page could not be found"),
                content_type: None,
            },
        },
        // 13.5's App Router answers its not-found page, streamed, behind its `Vary`.
        Flavor::Next13 if kind.is_app_router() && !data => {
            let mut reply = not_found_with(pod, ctx, false);
            reply.headers.insert(0, ("vary", VARY_RSC_13.to_owned()));
            reply.body = match reply.body {
                ReplyBody::Payload {
                    payload,
                    content_type,
                    ..
                } => ReplyBody::Chunked {
                    bytes: payload.bytes.clone(),
                    content_type: Some(content_type),
                },
                other => other,
            };
            reply
        }
        // 13 renders its 404 page; 16's App Router answers like an unknown route.
        _ => not_found_with(pod, ctx, true),
    }
}

/// A path the app does not serve.
pub(super) fn not_found(pod: &PodInner, ctx: &Ctx, faults: &FaultSet) -> Reply {
    let build = pod.build();
    let requested = revalidation_requested(pod, ctx, faults, &build);
    not_found_with(pod, ctx, requested)
}

pub(super) fn not_found_with(pod: &PodInner, ctx: &Ctx, revalidating: bool) -> Reply {
    let build = pod.build();
    let page = build.snapshot.not_found(&pod.shared.site, &ctx.path);
    let powered = ("x-powered-by", "Next.js".to_owned());
    match pod.shared.flavor {
        // Behind the App Router's `Vary`, as every 404 of 13.5.11 with an app directory.
        Flavor::Next13 => Reply::payload(
            404,
            vec![
                ("cache-control", CC_NOT_FOUND_13.to_owned()),
                ("vary", VARY_RSC_13.to_owned()),
                powered,
            ],
            page,
            HTML,
            false,
        ),
        Flavor::Next16 => {
            let mut headers = vec![
                ("cache-control", CC_NOT_FOUND_16.to_owned()),
                ("vary", VARY_RSC.to_owned()),
            ];
            // The not-found page is pre-rendered at build time: a path no route serves (a data
            // URL of an App Router page included) is answered from the cache (measured on
            // 16.4.6: 404 with `x-nextjs-cache: HIT` from the first request on).
            headers.push((
                "x-nextjs-cache",
                if revalidating { "REVALIDATED" } else { "HIT" }.to_owned(),
            ));
            headers.extend([
                ("x-nextjs-prerender", "1".to_owned()),
                ("x-nextjs-stale-time", "300".to_owned()),
                powered,
            ]);
            Reply::payload(404, headers, page, HTML, false)
        }
    }
}
