//! fanout's endpoint mode: the app's own revalidate route on each pod (`--endpoint TEMPLATE`,
//! optional `--body`, `--expect-json KEY=VALUE`).
//!
//! Invariants: `${VAR}` values are encoded for where they land (a path segment, a query value, a
//! JSON string) and registered as secrets in every form they can take on the wire; `{path}` is
//! inserted as the canonical path (in the route's path) or encoded as a query value (in its
//! query), so the app decodes exactly the path meant; `{tag}` is encoded for where it lands (a
//! segment, a query value, a JSON string), so a tag with `/`, `&` or `"` reaches
//! `revalidateTag` whole; in a call for a path `{tag}` is empty, and `{path}` in a call for a
//! tag, so one route can take both (`?path={path}&tag={tag}`); a template with a fragment, or a
//! body that is not JSON, is refused before anything is sent.

use crate::choices::EndpointMethod;
use crate::config::EndpointSettings;
use crate::error::ConfigError;
use crate::fanout::Outcome;
use crate::paths::{self, UrlPath};
use crate::secret;
use crate::tags::Tag;

/// What one call revalidates.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    Path(&'a UrlPath),
    Tag(&'a Tag),
}

/// Longest part of an endpoint's answer quoted in an error.
const SNIPPET: usize = 200;

/// A checked endpoint, secrets expanded.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// The route before `?`, expanded; may hold `{path}`.
    route_path: String,
    /// The query after `?` (without it), expanded; may hold `{path}`.
    route_query: Option<String>,
    pub method: EndpointMethod,
    body: Option<String>,
    pub expect_json: Option<(String, serde_json::Value)>,
}

impl Endpoint {
    pub fn build(s: &EndpointSettings) -> Result<Endpoint, ConfigError> {
        let t = &s.template;
        if !t.starts_with('/') {
            return Err(ConfigError(format!(
                "--endpoint {t:?} must start with \"/\": it is a route on each pod, e.g. '/api/revalidate?path={{path}}'"
            )));
        }
        if t.contains('#') {
            return Err(ConfigError(format!(
                "--endpoint {t:?} has a fragment (\"#\"): a fragment is never sent to a server; write %23 for a literal \"#\""
            )));
        }
        if t.chars().any(char::is_control) || s.body.as_deref().is_some_and(|b| b.contains('\0')) {
            return Err(ConfigError(
                "--endpoint and --body must not contain control characters".into(),
            ));
        }
        let holds = |p: &str| t.contains(p) || s.body.as_deref().is_some_and(|b| b.contains(p));
        if !holds("{path}") && !holds("{tag}") {
            return Err(ConfigError(format!(
                "--endpoint {t:?} has no {{path}} (nor {{tag}}): every pod would get the same request; put {{path}} in the template or the --body"
            )));
        }
        let (path_part, query_part) = match t.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (t.as_str(), None),
        };
        let (route_path, _) =
            secret::expand_env_with(path_part, "--endpoint", &paths::encode_segment)
                .map_err(ConfigError)?;
        let route_query = match query_part {
            Some(q) => Some(
                secret::expand_env_with(q, "--endpoint", &paths::encode_query_value)
                    .map_err(ConfigError)?
                    .0,
            ),
            None => None,
        };
        let body = match &s.body {
            Some(b) => {
                let (b, _) =
                    secret::expand_env_with(b, "--body", &json_inner).map_err(ConfigError)?;
                let sample = b.replace("{path}", "/").replace("{tag}", "t");
                if let Err(e) = serde_json::from_str::<serde_json::Value>(&sample) {
                    return Err(ConfigError(format!(
                        "--body is not JSON ({e}); it is sent as application/json, e.g. '{{\"path\":\"{{path}}\"}}'"
                    )));
                }
                Some(b)
            }
            None => None,
        };
        let expect_json = match &s.expect_json {
            Some(e) => Some(parse_expect_json(e)?),
            None => None,
        };
        Ok(Endpoint {
            route_path: route_path.replace(' ', "%20"),
            route_query: route_query.map(|q| q.replace(' ', "%20")),
            method: s.method,
            body,
            expect_json,
        })
    }

    /// The route (path and query) for one path or tag.
    pub fn route(&self, subject: Subject<'_>) -> String {
        let (path, tag) = split(subject);
        let mut r = self
            .route_path
            .replace("{path}", path)
            .replace("{tag}", &paths::encode_segment(tag));
        if let Some(q) = &self.route_query {
            r.push('?');
            r.push_str(
                &q.replace("{path}", &paths::encode_query_value(path))
                    .replace("{tag}", &paths::encode_query_value(tag)),
            );
        }
        r
    }

    /// The body for one path or tag, `{path}` and `{tag}` JSON-escaped.
    pub fn body(&self, subject: Subject<'_>) -> Option<String> {
        let (path, tag) = split(subject);
        self.body.as_ref().map(|b| {
            b.replace("{path}", &json_inner(path))
                .replace("{tag}", &json_inner(tag))
        })
    }

    /// Whether the route or the body names `placeholder` (`{path}`, `{tag}`).
    pub fn holds(&self, placeholder: &str) -> bool {
        self.route_path.contains(placeholder)
            || self
                .route_query
                .as_deref()
                .is_some_and(|q| q.contains(placeholder))
            || self
                .body
                .as_deref()
                .is_some_and(|b| b.contains(placeholder))
    }

    pub fn has_body(&self) -> bool {
        self.body.is_some()
    }
}

/// The path and the tag of a call: the one not in use is empty.
fn split(subject: Subject<'_>) -> (&str, &str) {
    match subject {
        Subject::Path(p) => (p.as_str(), ""),
        Subject::Tag(t) => ("", t.as_str()),
    }
}

/// A string as it appears between the quotes of a JSON string.
fn json_inner(s: &str) -> String {
    let escaped = serde_json::to_string(s).expect("strings serialize");
    escaped[1..escaped.len() - 1].to_string()
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

/// Decides an endpoint-mode cell from the status, the `Location` of a redirect, and, when
/// asked, a JSON field of the body.
pub fn classify(
    status: u16,
    location: Option<&str>,
    body: &[u8],
    expect: Option<&(String, serde_json::Value)>,
) -> (Outcome, Option<String>) {
    let text = String::from_utf8_lossy(body);
    if (300..400).contains(&status) {
        return (
            Outcome::HttpError,
            Some(format!(
                "{status} redirect to {}",
                location.map_or("(no Location)".to_string(), secret::mask_query)
            )),
        );
    }
    if !(200..300).contains(&status) {
        let snippet = secret::snippet(&text, SNIPPET);
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
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (
            Outcome::Rejected,
            Some(format!(
                "expected JSON with {key}={want}, got a body that is not JSON: {}",
                secret::snippet(&text, SNIPPET)
            )),
        );
    };
    let pointer = format!("/{}", key.replace('.', "/"));
    match json.pointer(&pointer) {
        Some(got) if got == want => (Outcome::Revalidated, None),
        Some(got) => (
            Outcome::Rejected,
            Some(secret::snippet(
                &format!("expected {key}={want}, got {key}={got}"),
                SNIPPET,
            )),
        ),
        None => (
            Outcome::Rejected,
            Some(format!(
                "expected {key}={want}, but the response has no {key}"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::Purpose;

    fn settings(template: &str, body: Option<&str>) -> EndpointSettings {
        EndpointSettings {
            template: template.into(),
            method: EndpointMethod::Get,
            body: body.map(str::to_string),
            expect_json: None,
        }
    }

    fn path(p: &str) -> UrlPath {
        UrlPath::parse(p, Purpose::Pod).unwrap()
    }

    #[test]
    fn outcomes() {
        let want = ("revalidated".to_string(), serde_json::json!(true));
        let c = |s, b: &str| classify(s, None, b.as_bytes(), Some(&want));
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
        assert_eq!(classify(204, None, b"", None).0, Outcome::Revalidated);
        let nested = ("result.ok".to_string(), serde_json::json!(1));
        assert_eq!(
            classify(200, None, br#"{"result":{"ok":1}}"#, Some(&nested)).0,
            Outcome::Revalidated
        );
        let (o, e) = classify(307, Some("/login?next=/x"), b"", None);
        assert_eq!(o, Outcome::HttpError);
        assert_eq!(e.unwrap(), "307 redirect to /login?next=/x");
    }

    #[test]
    fn path_lands_encoded_for_its_place() {
        let e = Endpoint::build(&settings("/api/revalidate?path={path}&x=1", None)).unwrap();
        assert_eq!(
            e.route(Subject::Path(&path("/a b?q=1&r=2"))),
            "/api/revalidate?path=/a%2520b%3Fq%3D1%26r%3D2&x=1"
        );
        let e = Endpoint::build(&settings("/api/revalidate{path}", None)).unwrap();
        assert_eq!(
            e.route(Subject::Path(&path("/posts/a"))),
            "/api/revalidate/posts/a"
        );
        let e = Endpoint::build(&settings("/api/r", Some(r#"{"path":"{path}"}"#))).unwrap();
        assert_eq!(
            e.body(Subject::Path(&path("/a\"b"))).unwrap(),
            r#"{"path":"/a%22b"}"#
        );
    }

    #[test]
    fn secrets_are_encoded_for_where_they_land_and_redacted_in_every_form() {
        let raw = "k+/=#&%'\"<>ey-2q9";
        let e = crate::secret::with_env(&[("REVALIDATE_TEST_ENDPOINT_SECRET", raw)], || {
            Endpoint::build(&settings(
                "/api/${REVALIDATE_TEST_ENDPOINT_SECRET}/r?secret=${REVALIDATE_TEST_ENDPOINT_SECRET}&path={path}",
                None,
            ))
        })
        .unwrap();
        let route = e.route(Subject::Path(&path("/x")));
        assert_eq!(
            route,
            "/api/k%2B%2F%3D%23%26%25%27%22%3C%3Eey-2q9/r?secret=k%2B/%3D%23%26%25'%22%3C%3Eey-2q9&path=/x"
        );
        // The query value decodes back to the secret exactly (a + stays a +).
        let q = route
            .split("secret=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        assert_eq!(
            percent_encoding::percent_decode_str(q)
                .decode_utf8()
                .unwrap(),
            raw
        );
        let shown = secret::redact(&route);
        assert!(!shown.contains("ey-2q9"), "{shown}");
        let e = crate::secret::with_env(&[("REVALIDATE_TEST_ENDPOINT_SECRET", raw)], || {
            Endpoint::build(&settings(
                "/api/r",
                Some(r#"{"path":"{path}","s":"${REVALIDATE_TEST_ENDPOINT_SECRET}"}"#),
            ))
        })
        .unwrap();
        let body = e.body(Subject::Path(&path("/x"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["s"], raw);
        assert!(!secret::redact(&body).contains("ey-2q9"));
    }

    #[test]
    fn fragments_and_bodies_that_are_not_json_are_refused() {
        let e = Endpoint::build(&settings("/api/r?path={path}#top", None)).unwrap_err();
        assert!(e.0.contains("has a fragment"), "{}", e.0);
        let e = Endpoint::build(&settings("/api/r", Some("path={path}"))).unwrap_err();
        assert!(e.0.starts_with("--body is not JSON"), "{}", e.0);
        let e = Endpoint::build(&settings("api/r?p={path}", None)).unwrap_err();
        assert!(e.0.contains("must start with"), "{}", e.0);
        let e = Endpoint::build(&settings("/api/r", None)).unwrap_err();
        assert!(e.0.contains("has no {path}"), "{}", e.0);
    }

    #[test]
    fn tags_land_encoded_for_their_place_and_the_unused_placeholder_is_empty() {
        let tag = Tag::parse("post:a/b&c \"d\"").unwrap();
        let e = Endpoint::build(&settings("/api/r?path={path}&tag={tag}", None)).unwrap();
        assert_eq!(
            e.route(Subject::Tag(&tag)),
            "/api/r?path=&tag=post:a/b%26c%20%22d%22"
        );
        assert_eq!(e.route(Subject::Path(&path("/x"))), "/api/r?path=/x&tag=");
        let e = Endpoint::build(&settings("/api/tag/{tag}", None)).unwrap();
        assert_eq!(
            e.route(Subject::Tag(&tag)),
            "/api/tag/post%3Aa%2Fb%26c%20%22d%22"
        );
        assert!(e.holds("{tag}") && !e.holds("{path}"));
        let e = Endpoint::build(&settings("/api/r", Some(r#"{"tag":"{tag}"}"#))).unwrap();
        let body = e.body(Subject::Tag(&tag)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["tag"], tag.as_str());
    }

    #[test]
    fn error_snippets_never_show_a_secret_or_its_start() {
        let s = "snippet-secret-0123456789abcdefghij";
        secret::register(s);
        // The secret straddles the 200-character cut.
        let body = format!("{}{s} trailing", "x".repeat(190));
        let (_, e) = classify(500, None, body.as_bytes(), None);
        let e = e.unwrap();
        assert!(!e.contains("snippet-se"), "{e}");
        // A body that was itself cut inside the secret (the read limit) leaks no prefix either.
        let body = format!("error {}", &s[..20]);
        let (_, e) = classify(500, None, body.as_bytes(), None);
        assert!(!e.unwrap().contains("snippet-sec"));
    }
}
