//! fanout: revalidate every path on every pod, directly, and say what each (path, pod) cell did.
//!
//! Two modes. `nextjs` sends Next.js's own `x-prerender-revalidate: <previewModeId>` (measured
//! on 13.5 and 16.x: success is 200 AND `x-nextjs-cache: REVALIDATED`; a wrong id is silently
//! served as a cached hit, which is why a 200 without REVALIDATED is a failure here). `endpoint`
//! calls the app's own revalidate route on each pod. Invariants: a cell's outcome is decided by
//! [`classify_nextjs`] or [`classify_endpoint`] alone; workers return [`Cell`]s and never print;
//! cells come out of [`run`] in input order (path, then pod) whatever the concurrency.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::cli::{EndpointMethod, FanoutArgs, Mode, RevalidateMethod};
use crate::config::{ConfigError, FlagLayer, Resolved};
use crate::http::{Attempt, Engine, Stop, describe_error, retryable_status};
use crate::paths::{self, UrlPath};
use crate::report::{self, SCHEMA_VERSION};
use crate::secret::{self, Secret};
use crate::targets::Target;

/// The header that makes a Next.js pod regenerate a page, carrying the build's previewModeId.
pub const PRERENDER_REVALIDATE: &str = "x-prerender-revalidate";
/// With it, a pod that never generated the page answers 404 instead of generating it.
pub const PRERENDER_IF_GENERATED: &str = "x-prerender-revalidate-if-generated";
/// Where Next.js says whether the response came from its ISR cache, and how.
pub const NEXTJS_CACHE: &str = "x-nextjs-cache";
/// Env var holding the previewModeId itself.
pub const PREVIEW_ID_ENV: &str = "REVALIDATE_PREVIEW_ID";

/// What happened to one (path, pod) cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Revalidated,
    NotGenerated,
    Gone,
    Rejected,
    HttpError,
    Unreachable,
    Cancelled,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Revalidated => "revalidated",
            Outcome::NotGenerated => "not-generated",
            Outcome::Gone => "gone",
            Outcome::Rejected => "rejected",
            Outcome::HttpError => "http-error",
            Outcome::Unreachable => "unreachable",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Whether the cell counts as done. `gone` is a failure unless the caller allows it.
    pub fn is_ok(self, allow_gone: bool) -> bool {
        match self {
            Outcome::Revalidated | Outcome::NotGenerated => true,
            Outcome::Gone => allow_gone,
            _ => false,
        }
    }

    /// What to check when this outcome shows up; printed once per kind under the failures.
    pub fn hint(self, mode: Mode) -> Option<&'static str> {
        match (self, mode) {
            (Outcome::Rejected, Mode::Nextjs) => Some(
                "rejected: the pod answered 200 without x-nextjs-cache: REVALIDATED. Its previewModeId differs \
                 (a new build, or pods of two builds during a deploy) or a proxy stripped the header; \
                 read the id from the running build's .next/prerender-manifest.json.",
            ),
            (Outcome::Rejected, Mode::Endpoint) => Some(
                "rejected: the endpoint answered 2xx but not the expected JSON (--expect-json); \
                 check the endpoint's response body.",
            ),
            (Outcome::Gone, _) => Some(
                "gone: 404 on revalidation: the content was deleted or the route does not exist. \
                 Use --allow-gone when deleted pages are expected.",
            ),
            (Outcome::Unreachable, _) => Some(
                "unreachable: connect error, timeout or reset after every retry. Is the pod running, \
                 and reachable from here (port-forward, network policy)?",
            ),
            (Outcome::HttpError, Mode::Endpoint) => Some(
                "http-error: 401/403 usually mean a wrong secret header; 404 means no such endpoint on the pod.",
            ),
            (Outcome::HttpError, Mode::Nextjs) => Some(
                "http-error: a status Next.js does not send for a revalidation; a 3xx means the pod \
                 redirects this path (list it as the app serves it, e.g. with or without the trailing slash).",
            ),
            (Outcome::Cancelled, _) => {
                Some("cancelled: the request did not finish before --deadline or Ctrl-C.")
            }
            _ => None,
        }
    }
}

/// The result of one (path, pod) cell.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Cell {
    pub path: String,
    pub pod: String,
    pub outcome: Outcome,
    pub ok: bool,
    pub status: Option<u16>,
    /// The `x-nextjs-cache` header, when present.
    pub cache: Option<String>,
    pub latency_ms: f64,
    pub attempts: u32,
    pub error: Option<String>,
    #[serde(skip)]
    pub path_index: usize,
    #[serde(skip)]
    pub target_index: usize,
}

/// A request header with what may be shown of it.
#[derive(Clone, Debug)]
pub struct Header {
    pub name: HeaderName,
    pub value: HeaderValue,
    /// The value as printed by --dry-run: the literal, or `<redacted: …>` for secrets.
    pub shown: String,
}

/// How every pod is told to revalidate.
#[derive(Clone, Debug)]
pub enum How {
    Nextjs {
        method: RevalidateMethod,
        only_generated: bool,
        preview_id: Secret,
    },
    Endpoint {
        template: String,
        method: EndpointMethod,
        headers: Vec<Header>,
        body: Option<String>,
        expect_json: Option<(String, serde_json::Value)>,
    },
}

/// Everything fanout will do, resolved and checked before anything is sent.
#[derive(Clone, Debug)]
pub struct Plan {
    pub paths: Vec<UrlPath>,
    pub targets: Vec<Target>,
    pub how: How,
    pub allow_gone: bool,
}

/// One request as it will be sent.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Request {
    pub path: String,
    pub pod: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    #[serde(skip)]
    wire_headers: Vec<(HeaderName, HeaderValue)>,
}

/// The subcommand's flags as config keys (for precedence over env and the file).
pub fn flags(a: &FanoutArgs) -> FlagLayer {
    let mut f = FlagLayer::default();
    f.list("pods", &a.targets.pods)
        .path("pods_file", a.targets.pods_file.as_deref())
        .str("mode", a.mode.map(mode_name))
        .str("method", a.method.map(method_name))
        .flag("only_generated", a.only_generated)
        .flag("allow_gone", a.allow_gone)
        .path("preview_id_file", a.preview_id_file.as_deref())
        .str("endpoint.template", a.endpoint.as_deref())
        .str(
            "endpoint.method",
            a.endpoint_method.map(|m| match m {
                EndpointMethod::Get => "GET",
                EndpointMethod::Post => "POST",
            }),
        )
        .list("endpoint.headers", &a.headers)
        .str("endpoint.body", a.body.as_deref())
        .str("endpoint.expect_json", a.expect_json.as_deref());
    f
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Nextjs => "nextjs",
        Mode::Endpoint => "endpoint",
    }
}

fn method_name(m: RevalidateMethod) -> &'static str {
    match m {
        RevalidateMethod::Head => "HEAD",
        RevalidateMethod::Get => "GET",
    }
}

impl Plan {
    /// Resolves paths, targets, mode and secrets. Reads files and the environment; sends nothing.
    pub fn build(
        r: &Resolved,
        paths: Vec<UrlPath>,
        targets: Vec<Target>,
    ) -> Result<Plan, ConfigError> {
        // The config accepts choices in any case ("Endpoint"), so compare them that way.
        let mode = match r.str("mode").map(|m| m.to_ascii_lowercase()).as_deref() {
            Some("endpoint") => Mode::Endpoint,
            _ => Mode::Nextjs,
        };
        let how = match mode {
            Mode::Nextjs => How::Nextjs {
                method: match r
                    .str("method")
                    .as_deref()
                    .map(str::to_ascii_uppercase)
                    .as_deref()
                {
                    Some("GET") => RevalidateMethod::Get,
                    _ => RevalidateMethod::Head,
                },
                only_generated: r.bool("only_generated"),
                preview_id: load_preview_id(
                    preview_id_file(r).as_deref(),
                    std::env::var(PREVIEW_ID_ENV).ok(),
                )?,
            },
            Mode::Endpoint => endpoint_how(r)?,
        };
        Ok(Plan {
            paths,
            targets,
            how,
            allow_gone: r.bool("allow_gone"),
        })
    }

    pub fn mode(&self) -> Mode {
        match self.how {
            How::Nextjs { .. } => Mode::Nextjs,
            How::Endpoint { .. } => Mode::Endpoint,
        }
    }

    pub fn method(&self) -> &'static str {
        match &self.how {
            How::Nextjs { method, .. } => method_name(*method),
            How::Endpoint { method, .. } => match method {
                EndpointMethod::Get => "GET",
                EndpointMethod::Post => "POST",
            },
        }
    }

    /// The request for one cell: the only place requests are built, for sending and for
    /// --dry-run. Its printable fields are redacted; the real URL and body come from [`Plan::wire`].
    pub fn request(&self, path: &UrlPath, target: &Target) -> Request {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut wire: Vec<(HeaderName, HeaderValue)> = Vec::new();
        match &self.how {
            How::Nextjs {
                only_generated,
                preview_id,
                ..
            } => {
                let value = HeaderValue::from_str(preview_id.expose())
                    .expect("checked when the id was loaded");
                wire.push((HeaderName::from_static(PRERENDER_REVALIDATE), value));
                headers.push((PRERENDER_REVALIDATE.into(), preview_id.to_string()));
                if *only_generated {
                    wire.push((
                        HeaderName::from_static(PRERENDER_IF_GENERATED),
                        HeaderValue::from_static("1"),
                    ));
                    headers.push((PRERENDER_IF_GENERATED.into(), "1".into()));
                }
            }
            How::Endpoint {
                headers: hs, body, ..
            } => {
                for h in hs {
                    wire.push((h.name.clone(), h.value.clone()));
                    headers.push((h.name.to_string(), h.shown.clone()));
                }
                if body.is_some() && !hs.iter().any(|h| h.name == reqwest::header::CONTENT_TYPE) {
                    wire.push((
                        reqwest::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    ));
                    headers.push(("content-type".into(), "application/json".into()));
                }
            }
        }
        let (url, body) = self.wire(path, target);
        Request {
            path: path.to_string(),
            pod: target.name.clone(),
            method: self.method().to_string(),
            url: secret::redact(&url).into_owned(),
            headers,
            body: body.as_ref().map(|b| secret::redact(b).into_owned()),
            wire_headers: wire,
        }
    }

    /// The real URL and body of a cell's request, for the wire only.
    fn wire(&self, path: &UrlPath, target: &Target) -> (String, Option<String>) {
        match &self.how {
            How::Nextjs { .. } => (target.url_for(path.as_str()), None),
            How::Endpoint { template, body, .. } => {
                let route = template.replace("{path}", &paths::encode_query_value(path.as_str()));
                let body = body.as_ref().map(|b| {
                    let escaped = serde_json::to_string(path.as_str()).expect("strings serialize");
                    b.replace("{path}", &escaped[1..escaped.len() - 1])
                });
                (target.url_for(&route), body)
            }
        }
    }
}

fn endpoint_how(r: &Resolved) -> Result<How, ConfigError> {
    let Some(template) = r.str("endpoint.template") else {
        return Err(ConfigError(
            "endpoint mode needs --endpoint TEMPLATE, e.g. --endpoint '/api/revalidate?path={path}' (or endpoint.template in the config)"
                .into(),
        ));
    };
    if !template.starts_with('/') {
        return Err(ConfigError(format!(
            "--endpoint {template:?} must start with \"/\": it is a route on each pod, e.g. '/api/revalidate?path={{path}}'"
        )));
    }
    let body = r.str("endpoint.body");
    if !template.contains("{path}") && !body.as_deref().is_some_and(|b| b.contains("{path}")) {
        return Err(ConfigError(format!(
            "--endpoint {template:?} has no {{path}}: every pod would get the same request; put {{path}} in the template or the --body"
        )));
    }
    // expand_env registers every value it expands (e.g. ?secret=${REVALIDATE_SECRET}) as a secret.
    let (template, _) = secret::expand_env(&template, "--endpoint").map_err(ConfigError)?;
    let template = template.replace(' ', "%20");
    if template.chars().any(|c| c.is_control()) {
        return Err(ConfigError(
            "--endpoint must not contain control characters".into(),
        ));
    }
    let mut headers = Vec::new();
    if let Some((list, _)) = r.list("endpoint.headers") {
        for h in list {
            headers.push(parse_header(&h)?);
        }
    }
    let body = match body {
        Some(b) => {
            let (b, _) = secret::expand_env(&b, "--body").map_err(ConfigError)?;
            Some(b)
        }
        None => None,
    };
    let method = match r
        .str("endpoint.method")
        .as_deref()
        .map(str::to_ascii_uppercase)
    {
        Some(m) if r.source("endpoint.method") != Some(&crate::config::Source::Default) => {
            if m == "POST" {
                EndpointMethod::Post
            } else {
                EndpointMethod::Get
            }
        }
        // A body implies POST unless a method was chosen.
        _ if body.is_some() => EndpointMethod::Post,
        _ => EndpointMethod::Get,
    };
    let expect_json = match r.str("endpoint.expect_json") {
        Some(e) => Some(parse_expect_json(&e)?),
        None => None,
    };
    Ok(How::Endpoint {
        template,
        method,
        headers,
        body,
        expect_json,
    })
}

/// Header names whose literal values are treated as secrets even without `${VAR}`.
fn sensitive_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "secret",
        "token",
        "key",
        "auth",
        "password",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// Parses `Name: value`, expanding `${VAR}`; expanded and sensitive values become secrets.
pub fn parse_header(h: &str) -> Result<Header, ConfigError> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| ConfigError(format!("header {h:?} is not 'Name: value'")))?;
    let name = name.trim();
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ConfigError(format!("{name:?} is not a valid header name")))?;
    let what = format!("header {name}");
    let (expanded, used) = secret::expand_env(value.trim(), &what).map_err(ConfigError)?;
    let value = HeaderValue::from_str(&expanded).map_err(|_| {
        ConfigError(format!(
            "the value of header {name} has characters a header cannot carry"
        ))
    })?;
    let shown = if !used.is_empty() {
        let s = Secret::new(
            expanded,
            used.iter()
                .map(|u| format!("${{{u}}}"))
                .collect::<Vec<_>>()
                .join(" "),
        );
        s.to_string()
    } else if sensitive_name(name) {
        Secret::new(expanded, format!("literal {name} value")).to_string()
    } else {
        expanded
    };
    Ok(Header {
        name: header_name,
        value,
        shown,
    })
}

fn parse_expect_json(e: &str) -> Result<(String, serde_json::Value), ConfigError> {
    let (k, v) = e.split_once('=').ok_or_else(|| {
        ConfigError(format!(
            "--expect-json {e:?} is not KEY=VALUE, e.g. revalidated=true"
        ))
    })?;
    let value = serde_json::from_str(v.trim())
        .unwrap_or_else(|_| serde_json::Value::String(v.trim().to_string()));
    Ok((k.trim().to_string(), value))
}

/// The preview id file to read, keeping the precedence flag > env > profile > file: the id in
/// env REVALIDATE_PREVIEW_ID outranks a preview_id_file from the config file or a profile (as
/// `revalidate config` shows), while --preview-id-file and REVALIDATE_PREVIEW_ID_FILE name a file
/// on purpose and win.
fn preview_id_file(r: &Resolved) -> Option<PathBuf> {
    use crate::config::Source;
    let env_id = std::env::var(PREVIEW_ID_ENV).is_ok_and(|v| !v.is_empty());
    match r.source("preview_id_file") {
        Some(Source::File(_) | Source::Profile { .. }) if env_id => None,
        _ => r.path("preview_id_file"),
    }
}

/// Reads the previewModeId from a file (the id itself, a prerender-manifest.json, or an app or
/// `.next` directory holding one) or from the environment. The id never appears in an error.
pub fn load_preview_id(file: Option<&Path>, env: Option<String>) -> Result<Secret, ConfigError> {
    let (id, origin) = match (file, env) {
        (Some(f), _) => {
            let manifest = manifest_path(f);
            let text = std::fs::read_to_string(&manifest).map_err(|e| {
                ConfigError(format!(
                    "cannot read the preview id file {}: {e}",
                    manifest.display()
                ))
            })?;
            let id = if text.trim_start().starts_with('{') {
                let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                    ConfigError(format!(
                        "{} looks like JSON but does not parse (line {}, column {}); give .next/prerender-manifest.json or a file holding only the id",
                        manifest.display(),
                        e.line(),
                        e.column()
                    ))
                })?;
                v.pointer("/preview/previewModeId")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| {
                        ConfigError(format!(
                            "{} has no preview.previewModeId; is it a Next.js prerender-manifest.json?",
                            manifest.display()
                        ))
                    })?
                    .to_string()
            } else {
                text.trim().to_string()
            };
            (id, format!("previewModeId from {}", manifest.display()))
        }
        (None, Some(v)) => (
            v.trim().to_string(),
            format!("previewModeId from env {PREVIEW_ID_ENV}"),
        ),
        (None, None) => {
            return Err(ConfigError(format!(
                "nextjs mode needs the build's previewModeId: --preview-id-file .next/prerender-manifest.json \
                 (or a file holding the id), or env {PREVIEW_ID_ENV}; it is never taken from the command line"
            )));
        }
    };
    if id.is_empty() {
        return Err(ConfigError(format!("the {origin} is empty")));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ConfigError(format!(
            "the {origin} has whitespace or non-ASCII characters; a previewModeId is a hex string"
        )));
    }
    Ok(Secret::new(id, origin))
}

/// A directory names the app (`<dir>/.next/prerender-manifest.json`) or its `.next`.
fn manifest_path(f: &Path) -> PathBuf {
    if f.is_dir() {
        for candidate in [".next/prerender-manifest.json", "prerender-manifest.json"] {
            let p = f.join(candidate);
            if p.is_file() {
                return p;
            }
        }
        return f.join(".next/prerender-manifest.json");
    }
    f.to_path_buf()
}

/// Decides a nextjs-mode cell from the response status and its `x-nextjs-cache` header.
pub fn classify_nextjs(
    status: u16,
    cache: Option<&str>,
    location: Option<&str>,
    only_generated: bool,
) -> (Outcome, Option<String>) {
    let revalidated = cache.is_some_and(|c| c.eq_ignore_ascii_case("REVALIDATED"));
    match status {
        200 if revalidated => (Outcome::Revalidated, None),
        200 => (
            Outcome::Rejected,
            Some(format!(
                "200 without {NEXTJS_CACHE}: REVALIDATED (got {}): wrong previewModeId, or the header was stripped",
                cache.unwrap_or("no x-nextjs-cache header")
            )),
        ),
        404 if only_generated => (Outcome::NotGenerated, None),
        404 if revalidated => (
            Outcome::Gone,
            Some("404 with x-nextjs-cache: REVALIDATED: the page is gone (content deleted)".into()),
        ),
        404 => (
            Outcome::Gone,
            Some("404: no such page or route on this pod".into()),
        ),
        300..=399 => (
            Outcome::HttpError,
            Some(format!(
                "{status} redirect to {}",
                location.unwrap_or("(no Location)")
            )),
        ),
        _ => (
            Outcome::HttpError,
            Some(format!("unexpected status {status}")),
        ),
    }
}

/// Decides an endpoint-mode cell from the status and, when asked, a JSON field of the body.
pub fn classify_endpoint(
    status: u16,
    body: &[u8],
    expect: Option<&(String, serde_json::Value)>,
) -> (Outcome, Option<String>) {
    if !(200..300).contains(&status) {
        let snippet = body_snippet(body);
        let what = match status {
            401 | 403 => "the endpoint refused the request (check the secret header)".to_string(),
            404 => "no such endpoint on the pod (check --endpoint)".to_string(),
            _ => format!("status {status}"),
        };
        let msg = if snippet.is_empty() {
            format!("{status}: {what}")
        } else {
            format!("{status}: {what}: {snippet}")
        };
        return (Outcome::HttpError, Some(msg));
    }
    let Some((key, want)) = expect else {
        return (Outcome::Revalidated, None);
    };
    let parsed: Result<serde_json::Value, _> = serde_json::from_slice(body);
    let Ok(json) = parsed else {
        return (
            Outcome::Rejected,
            Some(format!(
                "expected JSON with {key}={want}, got a body that is not JSON: {}",
                body_snippet(body)
            )),
        );
    };
    let pointer = format!("/{}", key.replace('.', "/"));
    match json.pointer(&pointer) {
        Some(got) if got == want => (Outcome::Revalidated, None),
        Some(got) => (
            Outcome::Rejected,
            Some(format!("expected {key}={want}, got {key}={got}")),
        ),
        None => (
            Outcome::Rejected,
            Some(format!(
                "expected {key}={want}, but the response has no {key}"
            )),
        ),
    }
}

/// The start of a body, on one line, for error messages (redacted: servers echo things).
fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    secret::redact(one_line.trim()).into_owned()
}

/// The finished report: what was asked, what each cell did, and the totals.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub command: &'static str,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: f64,
    pub dry_run: bool,
    pub mode: Mode,
    pub method: &'static str,
    pub allow_gone: bool,
    pub targets: Vec<Target>,
    pub paths: Vec<UrlPath>,
    pub cells: Vec<Cell>,
    pub rows: Vec<PathRow>,
    pub totals: Totals,
    /// Set when the run stopped early (Ctrl-C or --deadline): the report is partial.
    pub stopped: Option<Stop>,
    pub exit_code: u8,
    #[serde(skip)]
    pub code: crate::exit::Code,
}

/// One path's cells, counted.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PathRow {
    pub path: String,
    pub ok: usize,
    pub failed: usize,
    pub outcomes: std::collections::BTreeMap<Outcome, usize>,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Totals {
    pub cells: usize,
    pub ok: usize,
    pub failed: usize,
    pub outcomes: std::collections::BTreeMap<Outcome, usize>,
}

/// NDJSON events, one a line as things happen.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event<'a> {
    Start {
        schema_version: u32,
        command: &'static str,
        mode: Mode,
        method: &'static str,
        targets: &'a [Target],
        paths: usize,
        cells: usize,
    },
    Cell {
        schema_version: u32,
        #[serde(flatten)]
        cell: &'a Cell,
    },
    End {
        schema_version: u32,
        totals: &'a Totals,
        stopped: Option<Stop>,
        exit_code: u8,
    },
}

/// Sends every request and returns the cells in input order. `on_cell` sees each cell as it
/// completes (for progress and NDJSON); it runs on the caller's task, never in a worker.
pub async fn run(plan: &Plan, engine: &Engine, mut on_cell: impl FnMut(&Cell)) -> Vec<Cell> {
    let n_targets = plan.targets.len();
    // One lane per pod, each in path order.
    let lanes: Vec<Vec<(usize, usize)>> = (0..n_targets)
        .map(|t| (0..plan.paths.len()).map(|p| (p, t)).collect())
        .collect();
    let shared = std::sync::Arc::new((plan.clone(), engine.clone()));
    let mut rx = engine.run_lanes(lanes, move |(p, t): (usize, usize)| {
        let shared = shared.clone();
        async move {
            let (plan, engine) = &*shared;
            one_cell(plan, engine, p, t).await
        }
    });
    let mut slots: Vec<Option<Cell>> = vec![None; plan.paths.len() * n_targets];
    while let Some(cell) = rx.recv().await {
        on_cell(&cell);
        let i = cell.path_index * n_targets + cell.target_index;
        slots[i] = Some(cell);
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            c.unwrap_or_else(|| {
                // A lane that never reported this cell (cannot happen unless a task panicked).
                let (p, t) = (i / n_targets, i % n_targets);
                cancelled_cell(plan, p, t, Stop::Interrupted, 0)
            })
        })
        .collect()
}

fn cancelled_cell(plan: &Plan, p: usize, t: usize, stop: Stop, attempts: u32) -> Cell {
    Cell {
        path: plan.paths[p].to_string(),
        pod: plan.targets[t].name.clone(),
        outcome: Outcome::Cancelled,
        ok: false,
        status: None,
        cache: None,
        latency_ms: 0.0,
        attempts,
        error: Some(stop.describe().into()),
        path_index: p,
        target_index: t,
    }
}

/// What one attempt saw.
struct Seen {
    outcome: Outcome,
    status: Option<u16>,
    cache: Option<String>,
    error: Option<String>,
}

async fn one_cell(plan: &Plan, engine: &Engine, p: usize, t: usize) -> Cell {
    let path = &plan.paths[p];
    let target = &plan.targets[t];
    let req = plan.request(path, target);
    let (url, body) = plan.wire(path, target);
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("known methods");
    let timeout = engine.limits.timeout;
    let done = engine
        .attempt(|| {
            let mut headers = HeaderMap::new();
            for (n, v) in &req.wire_headers {
                headers.append(n.clone(), v.clone());
            }
            let mut rb = engine
                .client
                .request(method.clone(), &url)
                .headers(headers)
                .timeout(timeout);
            if let Some(b) = &body {
                rb = rb.body(b.clone());
            }
            send_once(rb, plan)
        })
        .await;
    tracing::debug!(
        "{} {} -> {} in {:.1} ms ({} attempt{})",
        req.method,
        req.url,
        match &done.result {
            Ok(seen) => format!(
                "{} {}",
                seen.status
                    .map_or("no response".to_string(), |s| s.to_string()),
                seen.outcome.name()
            ),
            Err(stop) => stop.describe().to_string(),
        },
        report::millis(done.latency),
        done.attempts,
        if done.attempts == 1 { "" } else { "s" }
    );
    match done.result {
        Err(stop) => cancelled_cell(plan, p, t, stop, done.attempts),
        Ok(seen) => Cell {
            path: path.to_string(),
            pod: target.name.clone(),
            ok: seen.outcome.is_ok(plan.allow_gone),
            outcome: seen.outcome,
            status: seen.status,
            cache: seen.cache,
            latency_ms: report::millis(done.latency),
            attempts: done.attempts,
            error: seen.error,
            path_index: p,
            target_index: t,
        },
    }
}

/// Largest endpoint response body read (only to check --expect-json and quote errors).
const MAX_ENDPOINT_BODY: usize = 1 << 20;

async fn send_once(rb: reqwest::RequestBuilder, plan: &Plan) -> Attempt<Seen> {
    let resp = match rb.send().await {
        Ok(r) => r,
        Err(e) => {
            return Attempt::Retry(Seen {
                outcome: Outcome::Unreachable,
                status: None,
                cache: None,
                error: Some(describe_error(&e)),
            });
        }
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let cache = header(NEXTJS_CACHE);
    let location = header("location");
    let (outcome, error) = match &plan.how {
        How::Nextjs { only_generated, .. } => {
            // Drain whatever body there is so the connection can be reused.
            if let Err(e) = drain(resp, 0).await {
                return Attempt::Retry(Seen {
                    outcome: Outcome::Unreachable,
                    status: Some(status),
                    cache,
                    error: Some(describe_error(&e)),
                });
            }
            classify_nextjs(
                status,
                cache.as_deref(),
                location.as_deref(),
                *only_generated,
            )
        }
        How::Endpoint { expect_json, .. } => match drain(resp, MAX_ENDPOINT_BODY).await {
            Ok(body) => classify_endpoint(status, &body, expect_json.as_ref()),
            Err(e) => {
                return Attempt::Retry(Seen {
                    outcome: Outcome::Unreachable,
                    status: Some(status),
                    cache,
                    error: Some(describe_error(&e)),
                });
            }
        },
    };
    let seen = Seen {
        outcome,
        status: Some(status),
        cache,
        error,
    };
    if retryable_status(status) {
        Attempt::Retry(seen)
    } else {
        Attempt::Final(seen)
    }
}

/// Reads the body, keeping at most `keep` bytes.
async fn drain(mut resp: reqwest::Response, keep: usize) -> Result<Vec<u8>, reqwest::Error> {
    let mut kept = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = keep.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(kept)
}

/// Assembles the report from the cells.
pub fn report(
    plan: &Plan,
    cells: Vec<Cell>,
    started: (SystemTime, Instant),
    stopped: Option<Stop>,
) -> Report {
    let mut rows: Vec<PathRow> = plan
        .paths
        .iter()
        .map(|p| PathRow {
            path: p.to_string(),
            ok: 0,
            failed: 0,
            outcomes: Default::default(),
        })
        .collect();
    let mut totals = Totals::default();
    for c in &cells {
        let row = &mut rows[c.path_index];
        *row.outcomes.entry(c.outcome).or_default() += 1;
        *totals.outcomes.entry(c.outcome).or_default() += 1;
        totals.cells += 1;
        if c.ok {
            row.ok += 1;
            totals.ok += 1;
        } else {
            row.failed += 1;
            totals.failed += 1;
        }
    }
    let code = crate::exit::code_for(&crate::exit::Summary {
        failed_cells: totals.failed,
        stopped,
        ..Default::default()
    });
    Report {
        schema_version: SCHEMA_VERSION,
        command: "fanout",
        started_at: report::timestamp(started.0),
        finished_at: report::timestamp(SystemTime::now()),
        duration_ms: report::millis(started.1.elapsed()),
        dry_run: false,
        mode: plan.mode(),
        method: plan.method(),
        allow_gone: plan.allow_gone,
        targets: plan.targets.clone(),
        paths: plan.paths.clone(),
        cells,
        rows,
        totals,
        stopped,
        exit_code: code.as_u8(),
        code,
    }
}

/// What --dry-run prints as JSON.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DryRun {
    pub schema_version: u32,
    pub command: &'static str,
    pub dry_run: bool,
    pub mode: Mode,
    pub method: &'static str,
    pub targets: Vec<Target>,
    pub paths: Vec<UrlPath>,
    pub requests: Vec<Request>,
}

pub fn dry_run(plan: &Plan) -> DryRun {
    let requests = plan
        .paths
        .iter()
        .flat_map(|p| plan.targets.iter().map(move |t| plan.request(p, t)))
        .collect();
    DryRun {
        schema_version: SCHEMA_VERSION,
        command: "fanout",
        dry_run: true,
        mode: plan.mode(),
        method: plan.method(),
        targets: plan.targets.clone(),
        paths: plan.paths.clone(),
        requests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nextjs_outcomes_follow_the_measured_behaviour() {
        let c = |s, cache, og| classify_nextjs(s, cache, None, og).0;
        assert_eq!(c(200, Some("REVALIDATED"), false), Outcome::Revalidated);
        assert_eq!(c(200, Some("HIT"), false), Outcome::Rejected);
        assert_eq!(c(200, None, false), Outcome::Rejected);
        // 13.5 answers if-generated misses with a bare 404, 16 adds REVALIDATED: both not-generated.
        assert_eq!(c(404, None, true), Outcome::NotGenerated);
        assert_eq!(c(404, Some("REVALIDATED"), true), Outcome::NotGenerated);
        assert_eq!(c(404, Some("REVALIDATED"), false), Outcome::Gone);
        assert_eq!(c(404, None, false), Outcome::Gone);
        assert_eq!(c(500, None, false), Outcome::HttpError);
        let (o, e) = classify_nextjs(308, None, Some("/posts/a/"), false);
        assert_eq!(o, Outcome::HttpError);
        assert!(e.unwrap().contains("/posts/a/"));
        assert!(Outcome::Gone.is_ok(true) && !Outcome::Gone.is_ok(false));
        assert!(Outcome::NotGenerated.is_ok(false));
    }

    #[test]
    fn endpoint_outcomes() {
        let want = ("revalidated".to_string(), serde_json::json!(true));
        let c = |s, b: &str| classify_endpoint(s, b.as_bytes(), Some(&want));
        assert_eq!(c(200, r#"{"revalidated":true}"#).0, Outcome::Revalidated);
        let (o, e) = c(200, r#"{"revalidated":false}"#);
        assert_eq!(o, Outcome::Rejected);
        assert_eq!(
            e.unwrap(),
            "expected revalidated=true, got revalidated=false"
        );
        assert_eq!(c(200, "ok").0, Outcome::Rejected);
        assert_eq!(
            c(401, r#"{"message":"Invalid token"}"#).0,
            Outcome::HttpError
        );
        assert_eq!(classify_endpoint(204, b"", None).0, Outcome::Revalidated);
        let nested = ("result.ok".to_string(), serde_json::json!(1));
        assert_eq!(
            classify_endpoint(200, br#"{"result":{"ok":1}}"#, Some(&nested)).0,
            Outcome::Revalidated
        );
    }

    #[test]
    fn header_variables_are_secrets_on_their_own() {
        // SAFETY: no other test reads or writes this variable.
        unsafe { std::env::set_var("REVALIDATE_TEST_HEADER_TOKEN", "tok-9f8e7d6c") };
        let h = parse_header("authorization: Bearer ${REVALIDATE_TEST_HEADER_TOKEN}").unwrap();
        assert_eq!(h.value, "Bearer tok-9f8e7d6c");
        assert_eq!(h.shown, "<redacted: ${REVALIDATE_TEST_HEADER_TOKEN}>");
        assert_eq!(
            secret::redact("invalid token tok-9f8e7d6c"),
            "invalid token <redacted>"
        );
    }

    #[test]
    fn preview_id_from_manifest_file_dir_and_env() {
        let dir = tempfile::tempdir().unwrap();
        let next = dir.path().join(".next");
        std::fs::create_dir(&next).unwrap();
        let manifest = next.join("prerender-manifest.json");
        std::fs::write(
            &manifest,
            r#"{"version":4,"preview":{"previewModeId":"0123456789abcdef0123456789abcdef"}}"#,
        )
        .unwrap();
        let id = load_preview_id(Some(&manifest), None).unwrap();
        assert_eq!(id.expose(), "0123456789abcdef0123456789abcdef");
        assert_eq!(
            load_preview_id(Some(dir.path()), None).unwrap().expose(),
            id.expose()
        );
        let plain = dir.path().join("id");
        std::fs::write(&plain, "feedfacefeedfacefeedface\n").unwrap();
        assert_eq!(
            load_preview_id(Some(&plain), Some("ignored-env".into()))
                .unwrap()
                .expose(),
            "feedfacefeedfacefeedface"
        );
        assert_eq!(
            load_preview_id(None, Some("fromenvfromenv".into()))
                .unwrap()
                .expose(),
            "fromenvfromenv"
        );
        let e = load_preview_id(None, None).unwrap_err().to_string();
        assert!(e.contains("--preview-id-file"), "{e}");
        std::fs::write(&manifest, r#"{"preview":{}}"#).unwrap();
        let e = load_preview_id(Some(&manifest), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no preview.previewModeId"), "{e}");
    }
}
