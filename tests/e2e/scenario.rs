//! The scenario table, run step by step against any `Fleet` through the built binary, and the
//! comparison of what the real and the simulated fleets answered.
//!
//! Each step is an action (edit the content store, visit a page, `revalidate fanout`,
//! `revalidate verify`) with the outcome it must have on real Next.js: per (path, pod) fanout
//! outcomes and the exit code, or per path verify verdicts with their stale pods and the exit
//! code. Pages Router and App Router paths are separate steps, so a difference on one router
//! cannot hide in an exit code shared with the other.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::fleet::{self, Fleet, PodRef, Visit};
use crate::report::{self, Cell, Verdict, Wire};

/// What one step did, in a form both fleets can be compared by. `wire` (each pod's status and
/// `x-nextjs-cache`) is what the simulation must also reproduce; the table states outcomes only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// The content store was changed.
    Edited,
    /// A visitor's plain GET.
    Visited(Visit),
    Fanout {
        exit: i32,
        cells: Vec<Cell>,
        wire: Vec<Wire>,
    },
    Verify {
        exit: i32,
        verdicts: Vec<Verdict>,
        wire: Vec<Wire>,
    },
    /// `cdn purge`: the exit code and each (path, variant) purged, the build id as BUILD.
    Purged {
        exit: i32,
        urls: Vec<(String, String)>,
    },
    /// `verify --through` the edge: the exit code and each (variant, verdict) of the path.
    VerifyEdge {
        exit: i32,
        variants: Vec<(String, String)>,
    },
}

impl Observed {
    /// The outcomes alone, as the table states them.
    pub fn outcomes(&self) -> Observed {
        let mut o = self.clone();
        if let Observed::Fanout { wire, .. } | Observed::Verify { wire, .. } = &mut o {
            wire.clear();
        }
        o
    }
}

fn write_wire(f: &mut fmt::Formatter<'_>, wire: &[Wire]) -> fmt::Result {
    if wire.is_empty() {
        return Ok(());
    }
    write!(f, "; wire:")?;
    for (path, pod, status, cache) in wire {
        let status = status.map_or("-".to_owned(), |s| s.to_string());
        write!(
            f,
            " {path}@{pod}={status}/{}",
            cache.as_deref().unwrap_or("-")
        )?;
    }
    Ok(())
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::Edited => write!(f, "edited"),
            Observed::Visited(v) => write!(f, "GET {} x-nextjs-cache={:?}", v.status, v.cache),
            Observed::Fanout { exit, cells, wire } => {
                write!(f, "fanout exit {exit}:")?;
                for (path, pod, outcome) in cells {
                    write!(f, " {path}@{pod}={outcome}")?;
                }
                write_wire(f, wire)
            }
            Observed::Verify {
                exit,
                verdicts,
                wire,
            } => {
                write!(f, "verify exit {exit}:")?;
                for (path, verdict, stale) in verdicts {
                    write!(f, " {path}={verdict}")?;
                    if !stale.is_empty() {
                        write!(f, " (stale: {})", stale.join(", "))?;
                    }
                }
                write_wire(f, wire)
            }
            Observed::Purged { exit, urls } => {
                write!(f, "cdn purge exit {exit}:")?;
                for (path, variant) in urls {
                    write!(f, " {path} ({variant})")?;
                }
                Ok(())
            }
            Observed::VerifyEdge { exit, variants } => {
                write!(f, "verify through the edge exit {exit}:")?;
                for (variant, verdict) in variants {
                    write!(f, " {variant}={verdict}")?;
                }
                Ok(())
            }
        }
    }
}

/// Which pods a fanout step addresses.
#[derive(Clone, Copy, Debug)]
pub enum Pods {
    All,
    /// Only this pod (index): what an app's own revalidate webhook reaches behind a balancer.
    One(usize),
}

/// How a fanout step revalidates.
#[derive(Clone, Copy, Debug)]
pub enum How {
    /// `--mode nextjs` with the build's previewModeId from the prerender-manifest.
    NextJs,
    /// `--mode nextjs --only-generated`.
    OnlyGenerated,
    /// `--mode nextjs` with a previewModeId of some other build.
    WrongId,
    /// `--mode endpoint` through the app's secret-guarded `/api/revalidate?path=`.
    Endpoint,
}

#[derive(Clone, Debug)]
pub enum Action {
    SetTitle(&'static str, &'static str),
    Delete(&'static str),
    /// A plain GET of a path from one pod (index).
    Visit(usize, &'static str),
    Fanout {
        paths: &'static [&'static str],
        pods: Pods,
        how: How,
    },
    /// `verify --ignore-preset timestamps`, with `--expect-contains` / `--expect-status`.
    Verify {
        paths: &'static [&'static str],
        contains: Option<&'static str>,
        status: Option<u16>,
    },
    /// `verify --ignore-preset timestamps --expect-contains TEXT` with these flags too.
    VerifyWith {
        path: &'static str,
        contains: &'static str,
        extra: &'static [&'static str],
    },
    /// A visitor's GET through the edge, of a page or of what a browser fetches of it.
    EdgeVisit(EdgeFetch),
    /// A client navigation's RSC request regenerating a page on one pod (index), with the
    /// build's previewModeId: the page then names the request's `_rsc` in its router tree.
    RscRegeneration(usize, &'static str),
    /// `cdn purge PATHS --purge-url EDGE`, with `--variants` and with the pods (whose pages say
    /// which variants each page has) or not.
    Purge {
        paths: &'static [&'static str],
        variants: Option<&'static str>,
        with_pods: bool,
    },
    /// `verify PATH --through EDGE` on every pod, one identity sample, with a content check.
    VerifyEdge {
        path: &'static str,
        contains: &'static str,
    },
}

/// What a browser fetches of a page.
#[derive(Clone, Copy, Debug)]
pub enum EdgeFetch {
    Page(&'static str),
    /// The Pages Router's data JSON of the page, with its slug as the router's query.
    Data(&'static str, &'static str),
    /// The App Router's RSC payload (`RSC: 1`, `?_rsc`).
    Rsc(&'static str),
    /// The App Router's prefetch payload (`RSC: 1`, `Next-Router-Prefetch: 1`).
    Prefetch(&'static str),
}

/// The `_rsc` of a prefetch with no other router header (as Next.js 16 redirects to it).
pub const PREFETCH_RSC: &str = "HEAvJdHAQJrUAe2K";

impl EdgeFetch {
    /// The request target and its router headers.
    pub fn request(self, build_id: &str) -> (String, Vec<(&'static str, &'static str)>) {
        match self {
            EdgeFetch::Page(p) => (p.to_owned(), Vec::new()),
            EdgeFetch::Data(p, slug) => (
                format!("/_next/data/{build_id}{p}.json?slug={slug}"),
                vec![("x-nextjs-data", "1")],
            ),
            EdgeFetch::Rsc(p) => (format!("{p}?_rsc"), vec![("rsc", "1")]),
            EdgeFetch::Prefetch(p) => (
                format!("{p}?_rsc={PREFETCH_RSC}"),
                vec![("rsc", "1"), ("next-router-prefetch", "1")],
            ),
        }
    }
}

pub struct Step {
    pub name: &'static str,
    pub action: Action,
    /// The outcome on real Next.js (both versions), without `wire`.
    pub expect: Observed,
}

const REVALIDATED: &str = "revalidated";
const NOT_GENERATED: &str = "not-generated";
const GONE: &str = "gone";
const REJECTED: &str = "rejected";

const POSTS_A: &[&str] = &["/posts/a"];
const APP_A: &[&str] = &["/app-posts/a"];
const POSTS_C: &[&str] = &["/posts/c"];
const APP_C: &[&str] = &["/app-posts/c"];
const POSTS_D_E: &[&str] = &["/posts/d", "/posts/e"];
const APP_D_E: &[&str] = &["/app-posts/d", "/app-posts/e"];

const V2: &str = "Post A v2 (changed)";
const V3: &str = "Post A v3 (endpoint mode)";
const B2: &str = "Post B v2 (through the edge)";
const B3: &str = "Post B v3 (an RSC regeneration)";
const APP_B: &[&str] = &["/app-posts/b"];
const BOTH_B: &[&str] = &["/posts/b", "/app-posts/b"];

fn pod(i: usize) -> String {
    format!("pod-{}", i + 1)
}

/// The cells of one path on every pod, with these outcomes in pod order.
fn each(path: &str, outcomes: [&str; 3]) -> Vec<Cell> {
    outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| (path.to_owned(), pod(i), (*o).to_owned()))
        .collect()
}

fn fanout(exit: i32, rows: Vec<Vec<Cell>>) -> Observed {
    Observed::Fanout {
        exit,
        cells: rows.into_iter().flatten().collect(),
        wire: Vec::new(),
    }
}

fn verify(exit: i32, path: &str, verdict: &str, stale: &[&str]) -> Observed {
    Observed::Verify {
        exit,
        verdicts: vec![(
            path.to_owned(),
            verdict.to_owned(),
            stale.iter().map(|s| (*s).to_owned()).collect(),
        )],
        wire: Vec::new(),
    }
}

fn through_edge(exit: i32, variants: &[(&str, &str)]) -> Observed {
    Observed::VerifyEdge {
        exit,
        variants: variants
            .iter()
            .map(|(v, verdict)| ((*v).to_owned(), (*verdict).to_owned()))
            .collect(),
    }
}

fn purged(urls: &[(&str, &str)]) -> Observed {
    Observed::Purged {
        exit: 0,
        urls: urls
            .iter()
            .map(|(p, v)| ((*p).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

fn visited(status: u16, cache: &str) -> Observed {
    Observed::Visited(Visit {
        status,
        cache: Some(cache.to_owned()),
    })
}

/// The scenario, in order; every fleet starts from the seed content (a, b, c pre-rendered;
/// d and e in the content store only).
pub fn steps() -> Vec<Step> {
    use Action::*;
    let stale_2_3 = &["pod-2", "pod-3"];
    vec![
        Step {
            name: "edit post a",
            action: SetTitle("a", V2),
            expect: Observed::Edited,
        },
        Step {
            name: "one-pod revalidation through the app's endpoint (Pages Router)",
            action: Fanout {
                paths: POSTS_A,
                pods: Pods::One(0),
                how: How::Endpoint,
            },
            expect: fanout(
                0,
                vec![vec![("/posts/a".into(), pod(0), REVALIDATED.into())]],
            ),
        },
        Step {
            name: "one-pod revalidation through the app's endpoint (App Router)",
            action: Fanout {
                paths: APP_A,
                pods: Pods::One(0),
                how: How::Endpoint,
            },
            expect: fanout(
                0,
                vec![vec![("/app-posts/a".into(), pod(0), REVALIDATED.into())]],
            ),
        },
        Step {
            name: "verify names the two stale pods (Pages Router)",
            action: Verify {
                paths: POSTS_A,
                contains: Some(V2),
                status: None,
            },
            expect: verify(4, "/posts/a", "stale", stale_2_3),
        },
        Step {
            name: "verify names the two stale pods (App Router)",
            action: Verify {
                paths: APP_A,
                contains: Some(V2),
                status: None,
            },
            expect: verify(4, "/app-posts/a", "stale", stale_2_3),
        },
        Step {
            name: "fanout, nextjs mode (Pages Router)",
            action: Fanout {
                paths: POSTS_A,
                pods: Pods::All,
                how: How::NextJs,
            },
            expect: fanout(0, vec![each("/posts/a", [REVALIDATED; 3])]),
        },
        Step {
            name: "fanout, nextjs mode (App Router)",
            action: Fanout {
                paths: APP_A,
                pods: Pods::All,
                how: How::NextJs,
            },
            expect: fanout(0, vec![each("/app-posts/a", [REVALIDATED; 3])]),
        },
        Step {
            name: "verify fresh after the nextjs fanout (Pages Router)",
            action: Verify {
                paths: POSTS_A,
                contains: Some(V2),
                status: None,
            },
            expect: verify(0, "/posts/a", "fresh", &[]),
        },
        Step {
            name: "verify fresh after the nextjs fanout (App Router)",
            action: Verify {
                paths: APP_A,
                contains: Some(V2),
                status: None,
            },
            expect: verify(0, "/app-posts/a", "fresh", &[]),
        },
        Step {
            name: "edit post a again",
            action: SetTitle("a", V3),
            expect: Observed::Edited,
        },
        Step {
            name: "fanout, endpoint mode (Pages Router)",
            action: Fanout {
                paths: POSTS_A,
                pods: Pods::All,
                how: How::Endpoint,
            },
            expect: fanout(0, vec![each("/posts/a", [REVALIDATED; 3])]),
        },
        Step {
            name: "fanout, endpoint mode (App Router)",
            action: Fanout {
                paths: APP_A,
                pods: Pods::All,
                how: How::Endpoint,
            },
            expect: fanout(0, vec![each("/app-posts/a", [REVALIDATED; 3])]),
        },
        Step {
            name: "verify fresh after the endpoint fanout (Pages Router)",
            action: Verify {
                paths: POSTS_A,
                contains: Some(V3),
                status: None,
            },
            expect: verify(0, "/posts/a", "fresh", &[]),
        },
        Step {
            name: "verify fresh after the endpoint fanout (App Router)",
            action: Verify {
                paths: APP_A,
                contains: Some(V3),
                status: None,
            },
            expect: verify(0, "/app-posts/a", "fresh", &[]),
        },
        Step {
            name: "a visitor generates /posts/d on pod-1 only",
            action: Visit(0, "/posts/d"),
            expect: visited(200, "MISS"),
        },
        Step {
            name: "a visitor generates /app-posts/d on pod-1 only",
            action: Visit(0, "/app-posts/d"),
            expect: visited(200, "MISS"),
        },
        Step {
            name: "--only-generated skips pages a pod never generated (Pages Router)",
            action: Fanout {
                paths: POSTS_D_E,
                pods: Pods::All,
                how: How::OnlyGenerated,
            },
            expect: fanout(
                0,
                vec![
                    each("/posts/d", [REVALIDATED, NOT_GENERATED, NOT_GENERATED]),
                    each("/posts/e", [NOT_GENERATED; 3]),
                ],
            ),
        },
        Step {
            name: "--only-generated skips pages a pod never generated (App Router)",
            action: Fanout {
                paths: APP_D_E,
                pods: Pods::All,
                how: How::OnlyGenerated,
            },
            expect: fanout(
                0,
                vec![
                    each("/app-posts/d", [REVALIDATED, NOT_GENERATED, NOT_GENERATED]),
                    each("/app-posts/e", [NOT_GENERATED; 3]),
                ],
            ),
        },
        Step {
            name: "--only-generated generated nothing: /posts/e is a first visit on pod-2",
            action: Visit(1, "/posts/e"),
            expect: visited(200, "MISS"),
        },
        Step {
            name: "--only-generated generated nothing: /app-posts/e is a first visit on pod-2",
            action: Visit(1, "/app-posts/e"),
            expect: visited(200, "MISS"),
        },
        Step {
            name: "delete post c",
            action: Delete("c"),
            expect: Observed::Edited,
        },
        Step {
            name: "fanout of a deleted page is gone (Pages Router)",
            action: Fanout {
                paths: POSTS_C,
                pods: Pods::All,
                how: How::NextJs,
            },
            expect: fanout(3, vec![each("/posts/c", [GONE; 3])]),
        },
        Step {
            name: "fanout of a deleted page is gone (App Router)",
            action: Fanout {
                paths: APP_C,
                pods: Pods::All,
                how: How::NextJs,
            },
            expect: fanout(3, vec![each("/app-posts/c", [GONE; 3])]),
        },
        Step {
            name: "verify the deleted page is a 404 on every pod (Pages Router)",
            action: Verify {
                paths: POSTS_C,
                contains: None,
                status: Some(404),
            },
            expect: verify(0, "/posts/c", "fresh", &[]),
        },
        Step {
            name: "verify the deleted page is a 404 on every pod (App Router)",
            action: Verify {
                paths: APP_C,
                contains: None,
                status: Some(404),
            },
            expect: verify(0, "/app-posts/c", "fresh", &[]),
        },
        Step {
            name: "a wrong previewModeId is rejected (Pages Router)",
            action: Fanout {
                paths: POSTS_A,
                pods: Pods::All,
                how: How::WrongId,
            },
            expect: fanout(3, vec![each("/posts/a", [REJECTED; 3])]),
        },
        Step {
            name: "a wrong previewModeId is rejected (App Router)",
            action: Fanout {
                paths: APP_A,
                pods: Pods::All,
                how: How::WrongId,
            },
            expect: fanout(3, vec![each("/app-posts/a", [REJECTED; 3])]),
        },
        // The edge keeps what a browser fetches of a page apart from the page (issue 15).
        Step {
            name: "a visitor leaves /posts/b at the edge",
            action: EdgeVisit(EdgeFetch::Page("/posts/b")),
            expect: visited(200, "HIT"),
        },
        Step {
            name: "a client navigation leaves /posts/b's data JSON at the edge",
            action: EdgeVisit(EdgeFetch::Data("/posts/b", "b")),
            expect: visited(200, "HIT"),
        },
        Step {
            name: "a visitor leaves /app-posts/b at the edge",
            action: EdgeVisit(EdgeFetch::Page("/app-posts/b")),
            expect: visited(200, "HIT"),
        },
        Step {
            name: "a client navigation leaves /app-posts/b's RSC payload at the edge",
            action: EdgeVisit(EdgeFetch::Rsc("/app-posts/b")),
            expect: visited(200, "HIT"),
        },
        Step {
            name: "a link in view leaves /app-posts/b's prefetch payload at the edge",
            action: EdgeVisit(EdgeFetch::Prefetch("/app-posts/b")),
            expect: visited(200, "HIT"),
        },
        Step {
            name: "edit post b",
            action: SetTitle("b", B2),
            expect: Observed::Edited,
        },
        Step {
            name: "fanout of post b, both routers",
            action: Fanout {
                paths: BOTH_B,
                pods: Pods::All,
                how: How::NextJs,
            },
            expect: fanout(
                0,
                vec![
                    each("/posts/b", [REVALIDATED; 3]),
                    each("/app-posts/b", [REVALIDATED; 3]),
                ],
            ),
        },
        Step {
            name: "a purge of the pages alone",
            action: Purge {
                paths: BOTH_B,
                variants: Some("html"),
                with_pods: false,
            },
            expect: purged(&[("/posts/b", "html"), ("/app-posts/b", "html")]),
        },
        Step {
            name: "through the edge, the old data JSON is not fresh (Pages Router)",
            action: VerifyEdge {
                path: "/posts/b",
                contains: B2,
            },
            expect: through_edge(4, &[("html", "fresh"), ("data", "stale")]),
        },
        Step {
            name: "through the edge, the old RSC and prefetch payloads are not fresh (App Router)",
            action: VerifyEdge {
                path: "/app-posts/b",
                contains: B2,
            },
            expect: through_edge(
                4,
                &[("html", "fresh"), ("rsc", "stale"), ("prefetch", "stale")],
            ),
        },
        Step {
            name: "a purge of the pages and the variants their pods' pages name",
            action: Purge {
                paths: BOTH_B,
                variants: None,
                with_pods: true,
            },
            expect: purged(&[
                ("/posts/b", "html"),
                ("/_next/data/BUILD/posts/b.json", "data"),
                ("/_next/data/BUILD/posts/b.json?slug=b", "data"),
                ("/app-posts/b", "html"),
                ("/app-posts/b?_rsc", "rsc"),
                ("/app-posts/b?_rsc=HEAvJdHAQJrUAe2K", "prefetch"),
            ]),
        },
        Step {
            name: "through the edge, every variant is fresh (Pages Router)",
            action: VerifyEdge {
                path: "/posts/b",
                contains: B2,
            },
            expect: through_edge(0, &[("html", "fresh"), ("data", "fresh")]),
        },
        Step {
            name: "through the edge, every variant is fresh (App Router)",
            action: VerifyEdge {
                path: "/app-posts/b",
                contains: B2,
            },
            expect: through_edge(
                0,
                &[("html", "fresh"), ("rsc", "fresh"), ("prefetch", "fresh")],
            ),
        },
        // A regeneration through an RSC request names the request's `_rsc` in the page.
        Step {
            name: "edit post b again",
            action: SetTitle("b", B3),
            expect: Observed::Edited,
        },
        Step {
            name: "fanout of /app-posts/b",
            action: Fanout {
                paths: APP_B,
                pods: Pods::All,
                how: How::NextJs,
            },
            expect: fanout(0, vec![each("/app-posts/b", [REVALIDATED; 3])]),
        },
        Step {
            name: "a client navigation's RSC request regenerates /app-posts/b on pod-2",
            action: RscRegeneration(1, "/app-posts/b"),
            expect: visited(200, "REVALIDATED"),
        },
        Step {
            name: "pods with the same content differ by the RSC query in pod-2's page",
            action: VerifyWith {
                path: "/app-posts/b",
                contains: B3,
                extra: &[],
            },
            expect: verify(4, "/app-posts/b", "stale", &[]),
        },
        Step {
            name: "the Next.js preset removes it: fresh",
            action: VerifyWith {
                path: "/app-posts/b",
                contains: B3,
                extra: &["--ignore-preset", "nextjs"],
            },
            expect: verify(0, "/app-posts/b", "fresh", &[]),
        },
        Step {
            name: "the Pages Router page is not touched by it",
            action: VerifyWith {
                path: "/posts/b",
                contains: B2,
                extra: &[],
            },
            expect: verify(0, "/posts/b", "fresh", &[]),
        },
    ]
}

/// Runs every step against `fleet`, in order, and returns what each did.
pub fn run(fleet: &dyn Fleet, steps: &[Step]) -> Vec<Observed> {
    let work = tempfile::tempdir().expect("tempdir");
    let wrong_id = work.path().join("wrong-preview-id");
    std::fs::write(&wrong_id, "0123456789abcdef0123456789abcdef\n").expect("write id");
    steps
        .iter()
        .map(|step| match &step.action {
            Action::SetTitle(slug, title) => {
                fleet.set_title(slug, title);
                Observed::Edited
            }
            Action::Delete(slug) => {
                fleet.delete(slug);
                Observed::Edited
            }
            Action::Visit(i, path) => {
                let url = &fleet.pods()[*i].url;
                Observed::Visited(fleet::get(url, path).unwrap_or_else(|e| {
                    panic!("{}: {}: GET {url}{path}: {e}", fleet.describe(), step.name)
                }))
            }
            Action::Fanout { paths, pods, how } => {
                let mut args = args(&["fanout"]);
                args.extend(pod_args(fleet.pods(), *pods));
                args.extend(paths.iter().map(OsString::from));
                let mut secret = None;
                match how {
                    How::NextJs | How::OnlyGenerated => {
                        args.push("--preview-id-file".into());
                        args.push(fleet.manifest().into());
                    }
                    How::WrongId => {
                        args.push("--preview-id-file".into());
                        args.push(wrong_id.clone().into());
                    }
                    How::Endpoint => {
                        args.extend(self::args(&[
                            "--mode",
                            "endpoint",
                            "--endpoint",
                            "/api/revalidate?path={path}",
                            "--header",
                            "x-revalidate-secret: ${E2E_REVALIDATE_SECRET}",
                            "--expect-json",
                            "revalidated=true",
                        ]));
                        secret = Some(fleet.secret());
                    }
                }
                if let How::OnlyGenerated = how {
                    args.push("--only-generated".into());
                }
                let (exit, doc) = revalidate(work.path(), args, secret, fleet, step.name);
                Observed::Fanout {
                    exit,
                    cells: report::fanout_outcomes(&doc),
                    wire: report::fanout_wire(&doc),
                }
            }
            Action::EdgeVisit(what) => {
                let (target, headers) = what.request(&fleet.build_id());
                let edge = fleet.edge();
                Observed::Visited(
                    fleet::get_with(edge, &target, &headers).unwrap_or_else(|e| {
                        panic!(
                            "{}: {}: GET {edge}{target}: {e}",
                            fleet.describe(),
                            step.name
                        )
                    }),
                )
            }
            Action::RscRegeneration(i, path) => {
                let url = &fleet.pods()[*i].url;
                let id = preview_mode_id(fleet.manifest());
                let target = format!("{path}?_rsc");
                Observed::Visited(
                    fleet::get_with(
                        url,
                        &target,
                        &[("rsc", "1"), ("x-prerender-revalidate", &id)],
                    )
                    .unwrap_or_else(|e| {
                        panic!(
                            "{}: {}: GET {url}{target}: {e}",
                            fleet.describe(),
                            step.name
                        )
                    }),
                )
            }
            Action::Purge {
                paths,
                variants,
                with_pods,
            } => {
                let mut args = args(&["cdn", "purge"]);
                args.extend(paths.iter().map(OsString::from));
                args.push("--purge-url".into());
                args.push(format!("edge={}", fleet.edge()).into());
                if let Some(v) = variants {
                    args.extend(self::args(&["--variants", v]));
                }
                if *with_pods {
                    args.extend(pod_args(fleet.pods(), Pods::All));
                }
                let (exit, doc) = revalidate(work.path(), args, None, fleet, step.name);
                Observed::Purged {
                    exit,
                    urls: report::purge_urls(&doc, &fleet.build_id()),
                }
            }
            Action::VerifyEdge { path, contains } => {
                let mut args = args(&["verify", path, "--ignore-preset", "timestamps"]);
                args.extend(self::args(&["--expect-contains", contains]));
                args.extend(self::args(&["--samples", "1", "--encodings", "identity"]));
                args.push("--through".into());
                args.push(fleet.edge().into());
                args.extend(pod_args(fleet.pods(), Pods::All));
                let (exit, doc) = revalidate(work.path(), args, None, fleet, step.name);
                Observed::VerifyEdge {
                    exit,
                    variants: report::verify_variants(&doc),
                }
            }
            Action::VerifyWith {
                path,
                contains,
                extra,
            } => {
                let mut args = args(&["verify", path, "--ignore-preset", "timestamps"]);
                args.extend(self::args(&["--expect-contains", contains]));
                args.extend(extra.iter().map(OsString::from));
                args.extend(pod_args(fleet.pods(), Pods::All));
                let (exit, doc) = revalidate(work.path(), args, None, fleet, step.name);
                Observed::Verify {
                    exit,
                    verdicts: report::verify_verdicts(&doc),
                    wire: report::verify_wire(&doc),
                }
            }
            Action::Verify {
                paths,
                contains,
                status,
            } => {
                let mut args = args(&["verify", "--ignore-preset", "timestamps"]);
                args.extend(pod_args(fleet.pods(), Pods::All));
                args.extend(paths.iter().map(OsString::from));
                if let Some(text) = contains {
                    args.extend(self::args(&["--expect-contains", text]));
                }
                if let Some(code) = status {
                    args.push("--expect-status".into());
                    args.push(code.to_string().into());
                }
                let (exit, doc) = revalidate(work.path(), args, None, fleet, step.name);
                Observed::Verify {
                    exit,
                    verdicts: report::verify_verdicts(&doc),
                    wire: report::verify_wire(&doc),
                }
            }
        })
        .collect()
}

/// The build's previewModeId, from its prerender-manifest.
fn preview_mode_id(manifest: &Path) -> String {
    let text =
        std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    doc["preview"]["previewModeId"]
        .as_str()
        .expect("preview.previewModeId")
        .to_owned()
}

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

fn pod_args(pods: &[PodRef], which: Pods) -> Vec<OsString> {
    let chosen: Vec<&PodRef> = match which {
        Pods::All => pods.iter().collect(),
        Pods::One(i) => vec![&pods[i]],
    };
    chosen
        .into_iter()
        .flat_map(|p| ["--pod".into(), format!("{}={}", p.name, p.url).into()])
        .collect()
}

/// Runs the built binary with `-o json` in `dir` with a clean environment (no REVALIDATE_*
/// variables, CI=1); `secret` is offered as ${E2E_REVALIDATE_SECRET}, never on the command line.
pub fn revalidate(
    dir: &Path,
    args: Vec<OsString>,
    secret: Option<&str>,
    fleet: &dyn Fleet,
    step: &str,
) -> (i32, serde_json::Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revalidate"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("REVALIDATE_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("E2E_REVALIDATE_SECRET")
        // A CI job's own summary and annotations are not the tests' to write.
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("REDIS_URL")
        .env_remove("REDIS_PASSWORD")
        .env("CI", "1")
        .current_dir(dir)
        .stdin(Stdio::null())
        .args(&args)
        .args(["-o", "json"]);
    if let Some(secret) = secret {
        cmd.env("E2E_REVALIDATE_SECRET", secret);
    }
    let out = cmd.output().expect("revalidate runs");
    let exit = out.status.code().expect("revalidate exited normally");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {step}: revalidate {args:?} printed no JSON report ({e}); exit {exit}\n\
             stdout:\n{}\nstderr:\n{}",
            fleet.describe(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (exit, doc)
}
