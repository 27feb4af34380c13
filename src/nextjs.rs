//! What this program knows of Next.js itself: the revalidation headers, where a build keeps its
//! previewModeId, how a pod answers a revalidation, and where a page carries its build id.
//!
//! Facts measured on 13.5.11 and 16.x (Pages and App Router): a GET or HEAD with
//! `x-prerender-revalidate: <previewModeId>` makes the pod regenerate the page; success is 200
//! AND `x-nextjs-cache: REVALIDATED`; a wrong id is served silently as a cached hit (so a 200
//! without REVALIDATED is a failure); with `x-prerender-revalidate-if-generated: 1` a
//! never-generated page answers 404; 404 with REVALIDATED means the page is gone. Invariant: the
//! previewModeId is a secret from the moment it is read, and never appears in an error.

use std::path::{Path, PathBuf};

use crate::error::ConfigError;
use crate::secret::Secret;

/// The header that makes a Next.js pod regenerate a page, carrying the build's previewModeId.
pub const PRERENDER_REVALIDATE: &str = "x-prerender-revalidate";
/// With it, a pod that never generated the page answers 404 instead of generating it.
pub const PRERENDER_IF_GENERATED: &str = "x-prerender-revalidate-if-generated";
/// Where Next.js says whether the response came from its ISR cache, and how.
pub const NEXTJS_CACHE: &str = "x-nextjs-cache";
/// Env var holding the previewModeId itself.
pub const PREVIEW_ID_ENV: &str = "REVALIDATE_PREVIEW_ID";
/// Where Next.js pages carry their build id: `__NEXT_DATA__` and the static manifests' URLs
/// (Pages Router), and inside the flight data of App Router pages, where the quotes are escaped:
/// `\"buildId\":\"…\"` on 13.5, the root's `\"b\":\"…\"` on 16 (both measured).
pub const BUILD_ID: &str = concat!(
    r#""buildId":"([A-Za-z0-9_-]{1,64})""#,
    r#"|/_next/static/([A-Za-z0-9_-]{1,64})/_(?:buildManifest|ssgManifest)\.js"#,
    r#"|\\"buildId\\":\\"([A-Za-z0-9_-]{1,64})\\""#,
    r#"|\\"b\\":\\"([A-Za-z0-9_-]{1,64})\\""#,
);

/// Whether `id` is a build id as Next.js writes them: 1 to 64 letters, digits, `_` and `-`.
pub fn is_build_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub use crate::choices::Variant;

impl Variant {
    /// The request headers a browser's router sends for this variant (besides Accept-Encoding).
    pub fn headers(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Variant::Html => &[],
            // Next.js's own client sends it on data requests; pods answer alike without it.
            Variant::Data => &[("x-nextjs-data", "1")],
            Variant::Rsc => &[("rsc", "1")],
            Variant::Prefetch => &[("rsc", "1"), ("next-router-prefetch", "1")],
        }
    }
}

/// The `_rsc` value Next.js 15+ expects for a request with these router headers and no
/// `Next-Router-State-Tree` or `Next-Url` (Next's `computeCacheBustingSearchParam`): empty without
/// a prefetch header (the query is then a bare `_rsc`), else the first 12 bytes of the SHA-256 of
/// `"<prefetch>,<segment prefetch>,<state tree>,<next url>"` (absent ones `0`) in URL-safe
/// base64. A request whose `_rsc` does not match gets a 307 to the URL that does (measured on
/// 16.4.6 and 16.5.0); 13.5 reads no `_rsc` at all.
pub fn rsc_cache_busting(variant: Variant) -> String {
    use base64::Engine;
    if variant != Variant::Prefetch {
        return String::new();
    }
    // SHA-256 from the one crypto provider the program has (rustls's aws-lc-rs).
    let rustls::SupportedCipherSuite::Tls13(suite) =
        rustls::crypto::aws_lc_rs::cipher_suite::TLS13_AES_128_GCM_SHA256
    else {
        unreachable!("TLS13_AES_128_GCM_SHA256 is a TLS 1.3 suite")
    };
    let digest = suite.common.hash_provider.hash(b"1,0,0,0");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12])
}

/// A page URL with Next's cache-busting query set to `hash`, as its router writes it
/// (`setCacheBustingSearchParamWithHash`): any `_rsc=` pair dropped, then `_rsc=<hash>`, or a bare
/// `_rsc` when the hash is empty, appended last.
pub fn with_rsc_query(path_and_query: &str, hash: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("_rsc="))
        .collect();
    let rsc = if hash.is_empty() {
        "_rsc".to_string()
    } else {
        format!("_rsc={hash}")
    };
    pairs.push(&rsc);
    format!("{path}?{}", pairs.join("&"))
}

/// Next.js's `normalizePagePath` for a data URL: `/` is `/index`, and a page under `/index`
/// gets another `/index` in front.
fn data_page(page: &str) -> String {
    if page == "/" {
        "/index".to_string()
    } else if page == "/index" || page.starts_with("/index/") {
        format!("/index{page}")
    } else {
        page.to_string()
    }
}

/// The Pages Router data URL of a page path (`/posts/a` -> `/_next/data/<id>/posts/a.json`, `/`
/// -> `/_next/data/<id>/index.json`), with `search` (no `?`) appended as the router does: its
/// `query`, the route's parameters included (`?slug=a`). A wildcard page path gives the wildcard
/// over its data URLs. `None` for paths under `/_next/`, which are not pages.
pub fn data_url(page: &str, build_id: &str, search: &str) -> Option<String> {
    let path = page.split('?').next().unwrap_or("/");
    if path.starts_with("/_next/") {
        return None;
    }
    if let Some(prefix) = path.strip_suffix('*') {
        return Some(format!("/_next/data/{build_id}{prefix}*"));
    }
    let trimmed = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    let search = if search.is_empty() {
        String::new()
    } else {
        format!("?{search}")
    };
    Some(format!(
        "/_next/data/{build_id}{}.json{search}",
        data_page(trimmed)
    ))
}

/// Where a Pages Router page carries its router state: `__NEXT_DATA__`'s `query` (the route's
/// parameters, for a static page) then its `buildId`, unescaped (App Router pages escape their
/// quotes inside scripts).
pub const NEXT_DATA_QUERY: &str =
    r#""query":(\{[^{}]{0,4096}\}),"buildId":"([A-Za-z0-9_-]{1,64})""#;
/// The first `__NEXT_DATA__` query and build id in `body`, as the first match of
/// [`NEXT_DATA_QUERY`] gives them (its groups 1 and 2; `None` where it has none), found by hand:
/// the pattern's 4,096-byte bounded repetition compiles to an automaton of megabytes, and each
/// concurrent scan's search cache is as large.
pub fn find_next_data_query(body: &[u8]) -> Option<(&[u8], &[u8])> {
    const HEAD: &[u8] = b"\"query\":{";
    const MID: &[u8] = b",\"buildId\":\"";
    for at in memchr::memmem::find_iter(body, HEAD) {
        // `\{[^{}]{0,4096}\}`: the first brace after the opening one closes it, within 4,096.
        let open = at + HEAD.len() - 1;
        let inner = &body[open + 1..];
        let Some(close) = inner
            .iter()
            .take(4097)
            .position(|&b| b == b'{' || b == b'}')
        else {
            continue;
        };
        if inner[close] != b'}' {
            continue;
        }
        let query = &body[open..open + close + 2];
        // `,"buildId":"([A-Za-z0-9_-]{1,64})"`
        let Some(id) = inner[close + 1..].strip_prefix(MID) else {
            continue;
        };
        let n = id
            .iter()
            .take(65)
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            .count();
        if (1..=64).contains(&n) && id.get(n) == Some(&b'"') {
            return Some((query, &id[..n]));
        }
    }
    None
}

/// `__NEXT_DATA__` of a page with data fetching (`getStaticProps`, `getServerSideProps`), whose
/// client-side navigations fetch its data JSON.
pub const GSP_MARKERS: [&str; 2] = ["\"gsp\":true", "\"gssp\":true"];
/// The flight data of an App Router page (13.4 and later).
pub const APP_MARKER: &str = "self.__next_f";

/// What a page's HTML response says of the variants a browser fetches besides it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageMarks {
    /// `__NEXT_DATA__`'s build id and `query` (as JSON), for a Pages Router page.
    pub next_data: Option<(String, String)>,
    /// `__NEXT_DATA__` says the page fetches data (gsp or gssp).
    pub fetches_data: bool,
    /// Flight data in the body.
    pub app: bool,
    /// Any build id the page carries (the not-found pages carry one too).
    pub build_id: Option<String>,
}

/// One variant request a page calls for: where, and with which router headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantRequest {
    pub variant: Variant,
    /// Path and query.
    pub target: String,
}

/// The variants of a page, from its HTML response: the data JSON when `__NEXT_DATA__` says the
/// page fetches data (or the page is a 404 or 410, whose data URL must be gone too), the RSC and
/// prefetch payloads when the response varies on `RSC` or carries flight data. `page` is the
/// path the HTML was fetched at.
pub fn variants_of(
    page: &str,
    status: u16,
    vary: Option<&str>,
    marks: &PageMarks,
) -> Vec<VariantRequest> {
    let mut out = Vec::new();
    let gone = matches!(status, 404 | 410);
    let data = match &marks.next_data {
        Some((id, query)) if marks.fetches_data => Some((id.clone(), search_of(query))),
        _ if gone => marks.build_id.clone().map(|id| (id, String::new())),
        _ => None,
    };
    if let Some((id, search)) = data
        && let Some(url) = data_url(page, &id, &search)
    {
        out.push(VariantRequest {
            variant: Variant::Data,
            target: url,
        });
    }
    let varies_on_rsc = vary.is_some_and(|v| {
        v.split(',')
            .any(|token| token.trim().eq_ignore_ascii_case("rsc"))
    });
    if varies_on_rsc || marks.app {
        for variant in [Variant::Rsc, Variant::Prefetch] {
            out.push(VariantRequest {
                variant,
                target: with_rsc_query(page, &rsc_cache_busting(variant)),
            });
        }
    }
    out
}

/// A key or value as `URLSearchParams` writes it (application/x-www-form-urlencoded).
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `__NEXT_DATA__`'s `query` as the Pages Router writes it into a data URL
/// (`URLSearchParams`, in the object's order; arrays as repeated keys).
fn search_of(query_json: &str) -> String {
    let Ok(Pairs(map)) = serde_json::from_str(query_json) else {
        return String::new();
    };
    let enc = form_encode;
    let mut pairs = Vec::new();
    for (k, v) in &map {
        let k = k.as_str();
        let values: Vec<String> = match v {
            serde_json::Value::Array(items) => items.iter().map(json_text).collect(),
            other => vec![json_text(other)],
        };
        for v in values {
            pairs.push(format!("{}={}", enc(k), enc(&v)));
        }
    }
    pairs.join("&")
}

/// A JSON object's members in their order (a map would sort them).
struct Pairs(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = m.next_entry()? {
                    out.push(pair);
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON value as JavaScript's `String()` writes it.
fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Where a build's client manifest is served; its `sortedPages` lists the Pages Router's routes.
pub fn build_manifest_path(build_id: &str) -> String {
    format!("/_next/static/{build_id}/_buildManifest.js")
}

/// The largest build manifest read (a site of a few thousand routes is well under it).
pub const MAX_BUILD_MANIFEST: usize = 4 << 20;

/// The routes a build manifest lists (`sortedPages`: `/posts/[slug]`, in Next.js's matching
/// order, static before dynamic), from the script webpack (minified) or Turbopack (indented)
/// writes; `None` when it has none.
pub fn sorted_pages(script: &[u8]) -> Option<Vec<String>> {
    let text = std::str::from_utf8(script).ok()?;
    let key = "sortedPages";
    let after = &text[text.find(key)? + key.len()..];
    let open = after.find('[')?;
    if !after[..open]
        .chars()
        .all(|c| c == '"' || c == ':' || c.is_whitespace())
    {
        return None;
    }
    serde_json::Deserializer::from_str(&after[open..])
        .into_iter::<Vec<String>>()
        .next()?
        .ok()
}

/// The query a Pages Router page's data URL carries at `path`, from the build's routes (see
/// [`sorted_pages`]): `slug=c` for `/posts/c` under `/posts/[slug]`, `slug=a&slug=b` for
/// `/docs/a/b` under `/docs/[...slug]`, empty for a static route, as the router writes it when
/// it navigates there. What a deleted page's 404 no longer says; `None` when no route matches.
pub fn route_search(routes: &[String], path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or("/");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let pages = routes
        .iter()
        .filter(|r| !(r.starts_with("/_") || r.starts_with("/api/") || r.as_str() == "/api"));
    for route in pages {
        if let Some(params) = match_route(route, &segments) {
            let pairs: Vec<String> = params
                .iter()
                .flat_map(|(name, values)| {
                    values
                        .iter()
                        .map(move |v| format!("{}={}", form_encode(name), form_encode(v)))
                })
                .collect();
            return Some(pairs.join("&"));
        }
    }
    None
}

/// The parameters of `route` at these path segments (each value percent-decoded, as the router
/// hands them to the page), or `None` when the route does not match.
fn match_route<'r>(route: &'r str, segments: &[&str]) -> Option<Vec<(&'r str, Vec<String>)>> {
    let parts: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
    let decode = |s: &str| percent_decode(s);
    let mut params = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if let Some(name) = part
            .strip_prefix("[[...")
            .and_then(|p| p.strip_suffix("]]"))
        {
            let rest = segments.get(i..).unwrap_or_default();
            if !last {
                return None;
            }
            if !rest.is_empty() {
                params.push((name, rest.iter().map(|s| decode(s)).collect()));
            }
            return Some(params);
        } else if let Some(name) = part.strip_prefix("[...").and_then(|p| p.strip_suffix(']')) {
            let rest = segments.get(i..).unwrap_or_default();
            if !last || rest.is_empty() {
                return None;
            }
            params.push((name, rest.iter().map(|s| decode(s)).collect()));
            return Some(params);
        } else if let Some(name) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
            params.push((name, vec![decode(segments.get(i)?)]));
        } else if segments.get(i) != Some(part) {
            return None;
        }
    }
    (segments.len() == parts.len()).then_some(params)
}

/// `%XX` escapes decoded (an invalid escape, or bytes that are not UTF-8, are kept as they are).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The build id in a page, from the first match of [`BUILD_ID`].
pub fn find_build_id(re: &regex::bytes::Regex, body: &[u8]) -> Option<String> {
    let c = re.captures(body)?;
    let m = (1..c.len()).find_map(|i| c.get(i))?;
    Some(String::from_utf8_lossy(m.as_bytes()).into_owned())
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
                // Only the id is read: a site with 10,000 pages has a manifest of megabytes, and
                // the routes in it are skipped, not built into values.
                #[derive(serde::Deserialize)]
                struct Manifest {
                    preview: Option<Preview>,
                }
                #[derive(serde::Deserialize)]
                struct Preview {
                    #[serde(rename = "previewModeId")]
                    preview_mode_id: Option<String>,
                }
                let v: Manifest = serde_json::from_str(&text).map_err(|e| {
                    ConfigError(format!(
                        "{} looks like JSON but does not parse (line {}, column {}); give .next/prerender-manifest.json or a file holding only the id",
                        manifest.display(),
                        e.line(),
                        e.column()
                    ))
                })?;
                v.preview.and_then(|p| p.preview_mode_id).ok_or_else(|| {
                    ConfigError(format!(
                        "{} has no preview.previewModeId; is it a Next.js prerender-manifest.json?",
                        manifest.display()
                    ))
                })?
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
    crate::secret::check_length(&id, &format!("the {origin}")).map_err(ConfigError)?;
    Ok(Secret::new(id, origin))
}

/// The `.next` directory a `--preview-id-file` names: the directory of a file in it (its
/// prerender-manifest.json), the directory itself, or the app's `.next`. None when no `BUILD_ID`
/// is there: then it is not a build's output (a file holding only the id, kept elsewhere).
pub fn next_dir_of(preview_id_file: &Path) -> Option<PathBuf> {
    let dir = if preview_id_file.is_dir() {
        let inner = preview_id_file.join(".next");
        if inner.is_dir() {
            inner
        } else {
            preview_id_file.to_path_buf()
        }
    } else {
        preview_id_file.parent()?.to_path_buf()
    };
    dir.join("BUILD_ID").is_file().then_some(dir)
}

/// The most files [`build_time`] looks at (a site of 100,000 pages has more; the earliest
/// modification times are those of the compiled server code, read first).
const BUILD_FILES_READ: usize = 50_000;

/// When the build in `next_dir` was made: the earliest modification time among its output
/// (`BUILD_ID`, its manifests, and the server code and prerendered pages under `server/`, which
/// are written from the start of the build on), so that a change made while the build was
/// prerendering counts as after it. Copying the output without keeping modification times
/// (`cp` without `-p`) makes the build look newer than it is; Docker layers, `COPY` and
/// `COPY --from` keep them. Answers the time and which file gave it.
pub fn build_time(next_dir: &Path) -> Result<(std::time::SystemTime, PathBuf), String> {
    let build_id = next_dir.join("BUILD_ID");
    let mtime = |p: &Path| std::fs::symlink_metadata(p).and_then(|m| m.modified()).ok();
    let mut earliest = mtime(&build_id)
        .map(|t| (t, build_id.clone()))
        .ok_or_else(|| {
            format!(
                "{} cannot be read: is {} the app's .next directory (give it with --next-dir)?",
                build_id.display(),
                next_dir.display()
            )
        })?;
    let mut consider = |p: PathBuf| {
        if let Some(t) = mtime(&p)
            && t < earliest.0
        {
            earliest = (t, p);
        }
    };
    for f in [
        "prerender-manifest.json",
        "build-manifest.json",
        "routes-manifest.json",
        "required-server-files.json",
    ] {
        consider(next_dir.join(f));
    }
    let mut stack = vec![next_dir.join("server")];
    let mut read = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            read += 1;
            if read > BUILD_FILES_READ {
                return Ok(earliest);
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => consider(e.path()),
                _ => {}
            }
        }
    }
    Ok(earliest)
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
/// How a pod answered a revalidation request, by Next.js's rules; what a step makes of it (a
/// fanout cell's outcome, the agent's acknowledgement) is the step's business.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 200 with `x-nextjs-cache: REVALIDATED`.
    Revalidated,
    /// 200 without it: a wrong previewModeId is served silently as a cached hit.
    Rejected,
    /// 404 under `x-prerender-revalidate-if-generated: 1`: never generated on this pod.
    NotGenerated,
    /// 404: the page is gone, or no such route.
    Gone,
    /// Any other status.
    HttpError,
}

pub fn classify(
    status: u16,
    cache: Option<&str>,
    location: Option<&str>,
    only_generated: bool,
) -> (Answer, Option<String>) {
    let revalidated = cache.is_some_and(|c| c.eq_ignore_ascii_case("REVALIDATED"));
    match status {
        200 if revalidated => (Answer::Revalidated, None),
        200 => (
            Answer::Rejected,
            Some(format!(
                "200 without {NEXTJS_CACHE}: REVALIDATED (got {}): wrong previewModeId, or the header was stripped",
                cache.unwrap_or("no x-nextjs-cache header")
            )),
        ),
        404 if only_generated => (Answer::NotGenerated, None),
        404 if revalidated => (
            Answer::Gone,
            Some("404 with x-nextjs-cache: REVALIDATED: the page is gone (content deleted)".into()),
        ),
        404 => (
            Answer::Gone,
            Some("404: no such page or route on this pod".into()),
        ),
        300..=399 => (
            Answer::HttpError,
            Some(format!(
                "{status} redirect to {}",
                location.unwrap_or("(no Location)")
            )),
        ),
        _ => (
            Answer::HttpError,
            Some(format!("unexpected status {status}")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_id(body: &str) -> Option<String> {
        find_build_id(
            &regex::bytes::Regex::new(BUILD_ID).unwrap(),
            body.as_bytes(),
        )
    }

    #[test]
    fn a_build_manifest_names_the_routes_in_either_bundlers_form() {
        // As 13.5.11 (webpack, minified) and 16.4.6 (Turbopack, indented) write it.
        let webpack = br#"self.__BUILD_MANIFEST={__rewrites:{afterFiles:[],beforeFiles:[],fallback:[]},"/_error":["static/chunks/pages/_error-65ac7445167ddb62.js"],"/posts/[slug]":["static/chunks/pages/posts/[slug]-3887b0363fd29e75.js"],sortedPages:["/_app","/_error","/posts/[slug]"]},self.__BUILD_MANIFEST_CB&&self.__BUILD_MANIFEST_CB();"#;
        let turbopack = b"self.__BUILD_MANIFEST = {\n  \"/posts/[slug]\": [\n    \"static/chunks/0mtfy6zn6_ijh.js\"\n  ],\n  \"sortedPages\": [\n    \"/_app\",\n    \"/_error\",\n    \"/api/revalidate\",\n    \"/posts/[slug]\"\n  ]\n};self.__BUILD_MANIFEST_CB && self.__BUILD_MANIFEST_CB()";
        assert_eq!(
            sorted_pages(webpack).unwrap(),
            ["/_app", "/_error", "/posts/[slug]"]
        );
        assert_eq!(
            sorted_pages(turbopack).unwrap(),
            ["/_app", "/_error", "/api/revalidate", "/posts/[slug]"]
        );
        assert_eq!(sorted_pages(b"self.__BUILD_MANIFEST={}"), None);
        assert_eq!(sorted_pages(b"sortedPages = f(["), None);
    }

    #[test]
    fn a_route_gives_the_query_of_its_data_url() {
        let routes: Vec<String> = [
            "/_app",
            "/_error",
            "/",
            "/about",
            "/api/[x]",
            "/blog/[[...parts]]",
            "/docs/[...slug]",
            "/posts/[slug]",
            "/shop/[category]/[item]",
        ]
        .map(String::from)
        .to_vec();
        let search = |p: &str| route_search(&routes, p);
        assert_eq!(search("/posts/c").as_deref(), Some("slug=c"));
        assert_eq!(search("/posts/c?utm=x").as_deref(), Some("slug=c"));
        assert_eq!(
            search("/posts/caf%C3%A9 x").as_deref(),
            Some("slug=caf%C3%A9+x")
        );
        assert_eq!(search("/docs/a/b").as_deref(), Some("slug=a&slug=b"));
        assert_eq!(search("/blog").as_deref(), Some(""));
        assert_eq!(
            search("/blog/2024/post").as_deref(),
            Some("parts=2024&parts=post")
        );
        assert_eq!(
            search("/shop/hats/red").as_deref(),
            Some("category=hats&item=red")
        );
        assert_eq!(search("/about").as_deref(), Some(""));
        assert_eq!(search("/").as_deref(), Some(""));
        // No page there: the docs route needs a segment, API routes have no data URL.
        assert_eq!(search("/docs"), None);
        assert_eq!(search("/api/x"), None);
        assert_eq!(search("/posts/a/b"), None);
        // The data URL a browser fetches of a deleted post.
        assert_eq!(
            data_url("/posts/c", "B1", &search("/posts/c").unwrap()).as_deref(),
            Some("/_next/data/B1/posts/c.json?slug=c")
        );
    }

    #[test]
    fn the_rsc_query_is_the_one_next_16_redirects_to() {
        // As real 16.5.0 pods answered: `RSC: 1` alone -> `?_rsc`; with a prefetch -> this hash.
        assert_eq!(rsc_cache_busting(Variant::Rsc), "");
        assert_eq!(rsc_cache_busting(Variant::Prefetch), "HEAvJdHAQJrUAe2K");
        assert_eq!(with_rsc_query("/app-posts/a", ""), "/app-posts/a?_rsc");
        assert_eq!(
            with_rsc_query("/p?q=a%20b&_rsc=old", "HEAvJdHAQJrUAe2K"),
            "/p?q=a%20b&_rsc=HEAvJdHAQJrUAe2K"
        );
    }

    /// The hand matcher finds what the pattern's first match does, wherever it lies.
    #[test]
    fn the_next_data_query_is_found_as_the_pattern_finds_it() {
        let re = regex::bytes::Regex::new(NEXT_DATA_QUERY).unwrap();
        let by_regex = |body: &[u8]| re.captures(body).map(|c| (c[1].to_vec(), c[2].to_vec()));
        let by_hand =
            |body: &[u8]| find_next_data_query(body).map(|(q, b)| (q.to_vec(), b.to_vec()));
        let long = "x".repeat(4096);
        let longer = "x".repeat(4097);
        let id64 = "b".repeat(64);
        let id65 = "b".repeat(65);
        let cases: Vec<String> = vec![
            r#"{"query":{"slug":"a b"},"buildId":"bOKPBU3resJSrdwkmvspM","gsp":true}"#.into(),
            r#""query":{},"buildId":"B""#.into(),
            r#""query":{"a":{"b":1}},"buildId":"B" "query":{"c":1},"buildId":"C""#.into(),
            format!(r#""query":{{{long}}},"buildId":"B""#),
            format!(r#""query":{{{longer}}},"buildId":"B" "query":{{}},"buildId":"C""#),
            format!(r#""query":{{}},"buildId":"{id64}""#),
            format!(r#""query":{{}},"buildId":"{id65}" "query":{{}},"buildId":"D""#),
            r#""query":{},"buildId":"" "query":{},"buildId":"b.c""#.into(),
            r#""query":{},"buildId":"abc"#.into(),
            r#""query":{}, "buildId":"B""#.into(),
            r#""query":"query":{"q":"}"},"buildId":"B""#.into(),
            r#"\"query\":{},\"buildId\":\"B\""#.into(),
            String::new(),
        ];
        for c in &cases {
            assert_eq!(by_hand(c.as_bytes()), by_regex(c.as_bytes()), "{c}");
        }
        proptest::proptest!(|(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("\"query\":{".to_string()),
                proptest::strategy::Just("},\"buildId\":\"".to_string()),
                proptest::strategy::Just("\"".to_string()),
                "[a-z{}_\\-\"]{0,8}",
            ],
            0..12,
        ))| {
            let body = parts.concat();
            proptest::prop_assert_eq!(by_hand(body.as_bytes()), by_regex(body.as_bytes()));
        });
    }

    #[test]
    fn variants_come_from_the_pages_html() {
        let re = regex::bytes::Regex::new(NEXT_DATA_QUERY).unwrap();
        // A Pages Router page with getStaticProps, as 16.4.6 renders it.
        let html = br#"<script id="__NEXT_DATA__" type="application/json">{"props":{},"page":"/posts/[slug]","query":{"slug":"a b"},"buildId":"bOKPBU3resJSrdwkmvspM","isFallback":false,"gsp":true,"scriptLoader":[]}</script>"#;
        let c = re.captures(html).unwrap();
        let marks = PageMarks {
            next_data: Some((
                String::from_utf8_lossy(&c[2]).into(),
                String::from_utf8_lossy(&c[1]).into(),
            )),
            fetches_data: true,
            ..PageMarks::default()
        };
        assert_eq!(
            variants_of("/posts/a b", 200, Some("Accept-Encoding"), &marks),
            vec![VariantRequest {
                variant: Variant::Data,
                target: "/_next/data/bOKPBU3resJSrdwkmvspM/posts/a b.json?slug=a+b".into()
            }]
        );
        // Without data fetching, no data JSON.
        let plain = PageMarks {
            fetches_data: false,
            ..marks.clone()
        };
        assert!(variants_of("/about", 200, None, &plain).is_empty());
        // An App Router page varies on RSC.
        let app = variants_of(
            "/app-posts/a",
            200,
            Some("rsc, next-router-state-tree, next-router-prefetch, Accept-Encoding"),
            &PageMarks::default(),
        );
        assert_eq!(
            app.iter()
                .map(|v| (v.variant, v.target.as_str()))
                .collect::<Vec<_>>(),
            [
                (Variant::Rsc, "/app-posts/a?_rsc"),
                (Variant::Prefetch, "/app-posts/a?_rsc=HEAvJdHAQJrUAe2K")
            ]
        );
        // A deleted page: its data URL must be gone too.
        let gone = PageMarks {
            build_id: Some("B".into()),
            ..PageMarks::default()
        };
        assert_eq!(
            variants_of("/posts/c", 404, None, &gone)[0].target,
            "/_next/data/B/posts/c.json"
        );
        // The query keeps its order; arrays repeat their key.
        assert_eq!(
            search_of(r#"{"lang":"fr","slug":["a","b/c"],"n":1}"#),
            "lang=fr&slug=a&slug=b%2Fc&n=1"
        );
    }

    #[test]
    fn build_ids_of_both_routers_and_both_versions() {
        // Pages Router (__NEXT_DATA__ and the manifests).
        assert_eq!(
            build_id(r#"<script id="__NEXT_DATA__">{"buildId":"LyLiCKtGjgX9kyS5BqLRv"}</script>"#)
                .as_deref(),
            Some("LyLiCKtGjgX9kyS5BqLRv")
        );
        assert_eq!(
            build_id(r#"<script src="/_next/static/HhAzCDyDcXMoWum8wBQ6K/_ssgManifest.js">"#)
                .as_deref(),
            Some("HhAzCDyDcXMoWum8wBQ6K")
        );
        // App Router, as real 13.5.11 and 16.4.6 pages carry it in their flight data.
        let v13 = r#"self.__next_f.push([1,"1:[[],[\"$\",\"$L2\",null,{\"buildId\":\"8o67vYwrafIO0vI5ythqo\",\"assetPrefix\":\"\""#;
        assert_eq!(build_id(v13).as_deref(), Some("8o67vYwrafIO0vI5ythqo"));
        let v16 = r#"\"d\":\"$undefined\",\"b\":\"dmTkJKEX-f2Dg7kkt_bb2\"}\n6:C"#;
        assert_eq!(build_id(v16).as_deref(), Some("dmTkJKEX-f2Dg7kkt_bb2"));
        assert_eq!(build_id("<html>no id</html>"), None);
    }
}
