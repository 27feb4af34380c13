//! The status page at `/`: one HTML document, one stylesheet and one script, embedded in the
//! binary and served with a strict Content-Security-Policy. The script reads the JSON API
//! (`/api/jobs`, `/api/jobs/{id}`, the server-sent events of `/api/events`) and draws recent jobs
//! with each path's verdict per pod, per variant and at the edge.
//!
//! Invariants: the page loads nothing from elsewhere (no external asset, no inline script or
//! style, no `eval`), so the policy below holds it to its own origin; the script builds every
//! element from data with `createElement`/`textContent`, never by parsing HTML, so a path or a pod
//! name cannot inject markup; every response carries the same security headers and is never
//! cached (the page shows live state, behind the server's authentication).

use axum::Router;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The policy of every response: only this origin's script, stylesheet and API; data: images
/// (the favicon); no framing, no forms, no `<base>`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

const INDEX_HTML: &str = include_str!("page/index.html");
const APP_CSS: &str = include_str!("page/app.css");
const APP_JS: &str = include_str!("page/app.js");

/// The page's routes: `/`, `/assets/app.js` and `/assets/app.css`. The server wraps them in its
/// authentication and merges them with the API.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
}

/// One embedded file with its type and the page's security headers.
fn asset(content_type: &'static str, body: &'static str) -> Response {
    (security_headers(content_type), body).into_response()
}

/// The headers every response of the page carries.
fn security_headers(content_type: &'static str) -> [(HeaderName, HeaderValue); 5] {
    [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn get(path: &str) -> Response {
        router::<()>()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn every_file_is_served_with_its_type_and_the_security_headers() {
        for (path, ty) in [
            ("/", "text/html; charset=utf-8"),
            ("/assets/app.js", "text/javascript; charset=utf-8"),
            ("/assets/app.css", "text/css; charset=utf-8"),
        ] {
            let r = get(path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let h = r.headers();
            assert_eq!(h[header::CONTENT_TYPE], ty, "{path}");
            assert_eq!(h[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
            assert_eq!(h[header::CACHE_CONTROL], "no-store");
        }
        assert_eq!(
            get("/assets/other.js").await.status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn the_policy_allows_no_inline_code_and_no_other_origin() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'none';"));
        assert!(!CONTENT_SECURITY_POLICY.contains("http"));
    }

    /// The page keeps to the policy: no inline script or style, no handler attributes, nothing
    /// from another origin; and the script never parses data as HTML.
    #[test]
    fn the_files_keep_to_the_policy() {
        let html = INDEX_HTML.to_ascii_lowercase();
        assert!(!html.contains("<style"), "inline style element");
        assert!(!html.contains(" style="), "inline style attribute");
        let handler = regex::Regex::new(r"\son[a-z]+\s*=").unwrap();
        assert!(!handler.is_match(&html), "an event handler attribute");
        assert!(!html.contains("http:") && !html.contains("https:") && !html.contains("//"));
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert_eq!(scripts.len(), 1, "one script, from a file");
        assert!(scripts[0].trim_start().starts_with("src=\"assets/app.js\""));
        for bad in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "setAttribute(\"style",
        ] {
            assert!(!APP_JS.contains(bad), "app.js uses {bad}");
        }
        assert!(!APP_CSS.contains("@import") && !APP_CSS.contains("url("));
    }
}
