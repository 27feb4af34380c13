//! A simulated pod's API routes: `/api/revalidate` (Pages Router `res.revalidate`), the App
//! Router's `revalidatePath` route, its `revalidateTag` route (`/api/revalidate-tag?tag=…`), and
//! `/api/pod` (who answered).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use serde::Serialize;

use crate::Flavor;
use crate::fault::FaultSet;
use crate::page::iso_millis;
use crate::pod::{CounterCells, PodInner};

use super::pages::regenerate;
use super::*;

/// `durationMs` as JavaScript prints a number rounded to 0.1: `51`, `2.8`.
pub(super) struct JsNumber(pub(super) f64);

impl Serialize for JsNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

fn duration_ms(started: Instant) -> JsNumber {
    JsNumber((started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0)
}

#[derive(Serialize)]
struct RevalidateOk<'a> {
    revalidated: bool,
    path: &'a str,
    pod: &'a str,
    #[serde(rename = "durationMs")]
    duration_ms: JsNumber,
    now: String,
}

#[derive(Serialize)]
struct RevalidateErr<'a> {
    revalidated: bool,
    path: &'a str,
    pod: &'a str,
    error: String,
}

#[derive(Serialize)]
struct Message<'a> {
    message: &'a str,
}

fn api_headers(pod: &PodInner) -> Vec<(&'static str, String)> {
    vec![
        ("x-pod", pod.name.clone()),
        ("cache-control", "no-store".to_owned()),
    ]
}

/// Checks the shared secret; `Err` is the 401 reply.
fn authorize(pod: &PodInner, ctx: &Ctx) -> Result<(), Reply> {
    if ctx.secret.as_deref() == Some(pod.shared.secret.as_str()) {
        Ok(())
    } else {
        Err(Reply::json(
            401,
            api_headers(pod),
            &Message {
                message: "Invalid token",
            },
        ))
    }
}

/// `/api/revalidate?path=…[&onlyGenerated=1]`: `res.revalidate(path)` on this
/// pod only. Real `res.revalidate` makes an internal request carrying the
/// preview id and then judges its response; the simulation runs the same
/// logic in-process and judges it by the same rule.
pub(super) async fn api_revalidate(pod: &Arc<PodInner>, ctx: &Ctx, faults: &FaultSet) -> Reply {
    CounterCells::bump(&pod.counters.api_calls);
    if let Err(reply) = authorize(pod, ctx) {
        return reply;
    }
    let Some(path) = ctx.query_param("path").filter(|p| !p.is_empty()) else {
        return Reply::json(
            400,
            api_headers(pod),
            &Message {
                message: "Missing path query parameter",
            },
        );
    };
    let only_generated = ctx
        .query_param("onlyGenerated")
        .is_some_and(|v| v == "1" || v == "true");
    let started = Instant::now();
    let ok = |revalidated: bool, started: Instant| {
        Reply::json(
            200,
            api_headers(pod),
            &RevalidateOk {
                revalidated,
                path: &path,
                pod: &pod.name,
                duration_ms: duration_ms(started),
                now: iso_millis(SystemTime::now()),
            },
        )
    };
    if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        return ok(false, started);
    }
    if faults.lie {
        CounterCells::bump(&pod.counters.faulted);
        return ok(true, started);
    }
    let (status, revalidated_header) = revalidate_internal(pod, &path, only_generated).await;
    // Next 13 throws unless the internal response says REVALIDATED (or is the
    // tolerated 404 of an onlyGenerated miss); 16 resolves for any path, as
    // the reference recording shows.
    let accepted = pod.shared.flavor == Flavor::Next16
        || revalidated_header
        || (status == 404 && only_generated);
    if accepted {
        ok(true, started)
    } else {
        Reply::json(
            500,
            api_headers(pod),
            &RevalidateErr {
                revalidated: false,
                path: &path,
                pod: &pod.name,
                error: format!("Failed to revalidate {path}: Invalid response {status}"),
            },
        )
    }
}

/// What the internal revalidation request of `res.revalidate` would get back:
/// its status and whether it carried `x-nextjs-cache: REVALIDATED`.
pub(super) async fn revalidate_internal(
    pod: &Arc<PodInner>,
    path: &str,
    only_generated: bool,
) -> (u16, bool) {
    let flavor = pod.shared.flavor;
    let path = path.split('?').next().unwrap_or_default();
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let build = pod.build();
    let page = match resolve(&path, flavor) {
        Route::Page { kind, slug } => Some((kind, slug)),
        Route::Data {
            build_id,
            kind,
            slug,
        } if build_id == build.snapshot.build_id => Some((kind, slug)),
        Route::ApiRevalidate
        | Route::ApiRevalidateApp
        | Route::ApiRevalidateTag
        | Route::ApiPod
        | Route::BuildManifest { .. } => return (200, false),
        Route::TrailingSlash(_) => return (308, false),
        Route::Data { .. } | Route::Unknown => None,
    };
    let Some((kind, slug)) = page else {
        return (404, flavor == Flavor::Next16);
    };
    if only_generated && pod.cache_get(&kind.path_for(&slug)).is_none() {
        return (404, flavor == Flavor::Next16);
    }
    let entry = regenerate(pod, &build, kind, &slug, None).await;
    (entry.status, true)
}

#[derive(Serialize)]
struct RevalidateAppOk<'a> {
    revalidated: bool,
    path: &'a str,
    pod: &'a str,
    now: String,
}

/// `/api/revalidate-app?path=…` (16): `revalidatePath()` marks the page stale
/// so the next request regenerates it (`MISS`), instead of regenerating now.
pub(super) fn api_revalidate_app(pod: &PodInner, ctx: &Ctx, faults: &FaultSet) -> Reply {
    CounterCells::bump(&pod.counters.api_calls);
    if let Err(reply) = authorize(pod, ctx) {
        return reply;
    }
    let path = ctx.query_param("path").unwrap_or_default();
    let revalidated = if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        false
    } else {
        if faults.lie {
            CounterCells::bump(&pod.counters.faulted);
        } else if let Some(key) = cache_key_for(&path, pod.shared.flavor) {
            pod.cache_remove(&key);
        }
        true
    };
    let body = serde_json::to_string(&RevalidateAppOk {
        revalidated,
        path: &path,
        pod: &pod.name,
        now: iso_millis(SystemTime::now()),
    })
    .expect("API bodies serialize");
    Reply {
        status: 200,
        headers: vec![
            ("vary", VARY_RSC.to_owned()),
            ("cache-control", "no-store".to_owned()),
            ("content-type", "application/json".to_owned()),
            ("x-pod", pod.name.clone()),
        ],
        body: ReplyBody::Chunked {
            bytes: Bytes::from(body),
            content_type: None,
        },
    }
}

#[derive(Serialize)]
struct RevalidateTagOk<'a> {
    revalidated: bool,
    tag: &'a str,
    pod: &'a str,
    now: String,
}

/// `/api/revalidate-tag?tag=…`: a route handler calling `revalidateTag(tag, { expire: 0 })`:
/// every cached page that read data with the tag is marked stale, so the next request
/// regenerates it (`MISS`); the other pages stay cached.
pub(super) fn api_revalidate_tag(pod: &PodInner, ctx: &Ctx, faults: &FaultSet) -> Reply {
    CounterCells::bump(&pod.counters.api_calls);
    if let Err(reply) = authorize(pod, ctx) {
        return reply;
    }
    let Some(tag) = ctx.query_param("tag").filter(|t| !t.is_empty()) else {
        return Reply::json(
            400,
            api_headers(pod),
            &Message {
                message: "Missing tag query parameter",
            },
        );
    };
    let revalidated = if faults.ignore_revalidate {
        CounterCells::bump(&pod.counters.faulted);
        false
    } else {
        if faults.lie {
            CounterCells::bump(&pod.counters.faulted);
        } else {
            let flavor = pod.shared.flavor;
            pod.cache_remove_where(|key| match resolve(key, flavor) {
                Route::Page { kind, slug } => kind.tags(&slug).contains(&tag),
                _ => false,
            });
        }
        true
    };
    Reply::json(
        200,
        api_headers(pod),
        &RevalidateTagOk {
            revalidated,
            tag: &tag,
            pod: &pod.name,
            now: iso_millis(SystemTime::now()),
        },
    )
}

#[derive(Serialize)]
struct PodInfo<'a> {
    pod: &'a str,
    pid: u32,
    port: String,
    fleet: &'a str,
    #[serde(rename = "nextVersion")]
    next_version: &'a str,
    #[serde(rename = "buildId")]
    build_id: &'a str,
}

/// `/api/pod`: identifies the pod (an API route, not an ISR page).
pub(super) fn api_pod(pod: &PodInner) -> Reply {
    let build = pod.build();
    let flavor = pod.shared.flavor;
    Reply::json(
        200,
        api_headers(pod),
        &PodInfo {
            pod: &pod.name,
            pid: std::process::id(),
            port: pod.addr.port().to_string(),
            fleet: flavor.fleet_name(),
            next_version: flavor.next_version(),
            build_id: &build.snapshot.build_id,
        },
    )
}
