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
fn revalidate(
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
