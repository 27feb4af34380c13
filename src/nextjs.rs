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
