//! The HTTP front of the fake API server: accepting connections, then for
//! every request authentication, RBAC, routing to get/list, discovery,
//! pods/proxy or pods/portforward, the headers every response carries, and
//! the request log.
//!
//! Invariants: authorization is decided before anything is looked up, so a
//! forbidden request learns nothing about what exists (as with RBAC); every
//! answered request lands in the log exactly once; and every failure body is
//! a [`status`] object, except for paths outside the API, which get Go's
//! plain `404 page not found`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use tokio::net::TcpListener;

use super::auth::Caller;
use super::resource::Kind;
use super::selector::{FieldSelector, LabelSelector};
use super::status::{self, Attempt, Failure};
use super::store::ListQuery;
use super::{LoggedRequest, Shared, discovery, new_uid, portforward, proxy, review};

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Body = BoxBody<Bytes, BoxError>;

pub(crate) async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let (stream, peer) = tokio::select! {
            () = shared.token.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::debug!(error = %e, "fake API server accept failed");
                    continue;
                }
            },
        };
        let conn_shared = shared.clone();
        let token = shared.token.clone();
        shared.tasks.spawn(async move {
            let service =
                hyper::service::service_fn(move |req| handle(conn_shared.clone(), peer, req));
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::select! {
                () = token.cancelled() => {}
                result = conn => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "fake API server connection ended");
                    }
                }
            }
        });
    }
}

pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub(crate) fn json_response(code: u16, body: &Value) -> Response<Body> {
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() =
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub(crate) fn failure_response(f: &Failure) -> Response<Body> {
    json_response(f.code, &f.body)
}

fn text_response(code: u16, text: &'static str) -> Response<Body> {
    let mut response = Response::new(full(text));
    *response.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::NOT_FOUND);
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let mut headers = req.headers().clone();
    let authorization = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if authorization.is_some() {
        headers.insert(AUTHORIZATION, HeaderValue::from_static("<redacted>"));
    }
    let caller = shared.state().tokens.authenticate(authorization.as_deref());
    let (user, mut response) = match caller {
        Err(()) => (None, failure_response(&status::unauthorized())),
        Ok(caller) => {
            let name = caller.name().to_owned();
            (Some(name), route(&shared, &caller, peer, req).await)
        }
    };
    decorate(&mut response);
    shared.state().log.push(LoggedRequest {
        method,
        path,
        query,
        headers,
        user,
        status: response.status().as_u16(),
    });
    Ok(response)
}

/// Headers kube-apiserver's filters put on every response: an `Audit-Id`,
/// and `Cache-Control: no-cache, private` set *before* the handler runs, so
/// that a proxied pod's own `Cache-Control` follows it as a second line.
fn decorate(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    let from_handler: Vec<HeaderValue> = headers.get_all(CACHE_CONTROL).iter().cloned().collect();
    headers.remove(CACHE_CONTROL);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache, private"));
    for value in from_handler {
        headers.append(CACHE_CONTROL, value);
    }
    if let Ok(id) = HeaderValue::from_str(&new_uid()) {
        headers.insert("audit-id", id);
    }
}

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Discovery, version and health paths.
    NonResource,
    Resource {
        kind: Kind,
        namespace: Option<String>,
        name: Option<String>,
        subresource: Option<String>,
    },
    /// A known group version, an unknown resource.
    UnknownResource,
    /// Not an API path at all.
    NotFound,
}

fn parse_target(path: &str) -> Target {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (group, rest) = match s.as_slice() {
        ["api"] | ["apis"] | ["api", "v1"] | ["apis", "discovery.k8s.io"] => {
            return Target::NonResource;
        }
        ["apis", "discovery.k8s.io", "v1"] => return Target::NonResource,
        ["version" | "healthz" | "livez" | "readyz"] => return Target::NonResource,
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", "discovery.k8s.io", "v1", rest @ ..] => ("discovery.k8s.io", rest),
        _ => return Target::NotFound,
    };
    let owned = |x: &str| Some(x.to_owned());
    let (plural, namespace, name, subresource) = match rest {
        ["namespaces"] => ("namespaces", None, None, None),
        ["namespaces", name] => ("namespaces", None, owned(name), None),
        ["namespaces", ns, plural] => (*plural, owned(ns), None, None),
        ["namespaces", ns, plural, name] => (*plural, owned(ns), owned(name), None),
        ["namespaces", ns, plural, name, sub, ..] => (*plural, owned(ns), owned(name), owned(sub)),
        [plural] => (*plural, None, None, None),
        _ => return Target::UnknownResource,
    };
    match Kind::from_plural(group, plural) {
        Some(kind) if kind.namespaced() || namespace.is_none() => Target::Resource {
            kind,
            namespace,
            name,
            subresource,
        },
        _ => Target::UnknownResource,
    }
}

/// The RBAC verb of a request, as the API server's RequestInfo derives it.
fn verb_for(method: &Method, collection: bool, watch: bool) -> String {
    match *method {
        Method::GET | Method::HEAD if collection && watch => "watch".to_owned(),
        Method::GET | Method::HEAD if collection => "list".to_owned(),
        Method::GET | Method::HEAD => "get".to_owned(),
        Method::POST => "create".to_owned(),
        Method::PUT => "update".to_owned(),
        Method::PATCH => "patch".to_owned(),
        Method::DELETE if collection => "deletecollection".to_owned(),
        Method::DELETE => "delete".to_owned(),
        ref other => other.as_str().to_ascii_lowercase(),
    }
}

async fn route(
    shared: &Arc<Shared>,
    caller: &Caller,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let pairs = query_pairs(req.uri().query().unwrap_or(""));
    let param = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if path == review::PATH {
        return review::handle(caller, req).await;
    }
    match parse_target(&path) {
        Target::NotFound => text_response(404, "404 page not found\n"),
        Target::NonResource => {
            let verb = verb_for(req.method(), false, false);
            if !caller.may_path(&verb, &path) {
                return failure_response(&status::forbidden(
                    caller.name(),
                    &Attempt::Path {
                        verb: &verb,
                        path: &path,
                    },
                ));
            }
            let host = req
                .headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            match discovery::document(&path, host) {
                Some(discovery::Document::Json(doc)) => json_response(200, &doc),
                Some(discovery::Document::Text(text)) => text_response(200, text),
                None => text_response(404, "404 page not found\n"),
            }
        }
        Target::UnknownResource => failure_response(&status::resource_not_found()),
        Target::Resource {
            kind,
            namespace,
            name,
            subresource,
        } => {
            let watch = param("watch").is_some_and(|w| w == "true" || w == "1");
            let verb = verb_for(req.method(), name.is_none(), watch);
            let resource = match &subresource {
                Some(sub) => format!("{}/{sub}", kind.plural()),
                None => kind.plural().to_owned(),
            };
            let attempt = |verb| Attempt::Resource {
                verb,
                kind,
                subresource: subresource.as_deref(),
                namespace: namespace.as_deref(),
                name: name.as_deref(),
            };
            if !caller.may_resource(&verb, &resource, namespace.as_deref()) {
                return failure_response(&status::forbidden(caller.name(), &attempt(&verb)));
            }
            let ns = namespace.as_deref().unwrap_or("");
            match (subresource.as_deref(), name.as_deref()) {
                (Some("proxy"), Some(name)) if kind == Kind::Pod => {
                    proxy::handle(shared, peer, req, ns, name).await
                }
                (Some("portforward"), Some(name)) if kind == Kind::Pod => {
                    // Since Kubernetes 1.35 a WebSocket upgrade also needs `create`.
                    if portforward::is_upgrade(&req)
                        && !caller.may_resource("create", &resource, namespace.as_deref())
                    {
                        return failure_response(&status::forbidden(
                            caller.name(),
                            &attempt("create"),
                        ));
                    }
                    portforward::handle(shared, req, ns, name).await
                }
                (Some(_), _) => failure_response(&status::resource_not_found()),
                _ if req.method() != Method::GET => failure_response(&status::method_not_allowed()),
                _ if watch => failure_response(&status::bad_request(
                    "the fake API server does not serve watches",
                )),
                (None, Some(name)) => match shared.state().get(kind, ns, name) {
                    Some(object) => json_response(200, object),
                    None => failure_response(&status::not_found(kind, name)),
                },
                (None, None) => match list_query(kind, &param) {
                    Ok(query) => match shared.state().list(kind, namespace.as_deref(), &query) {
                        Ok(list) => json_response(200, &list),
                        Err(f) => failure_response(&f),
                    },
                    Err(f) => failure_response(&f),
                },
            }
        }
    }
}

fn list_query<'a>(
    kind: Kind,
    param: &impl Fn(&str) -> Option<&'a str>,
) -> Result<ListQuery, Failure> {
    let labels = LabelSelector::parse(param("labelSelector").unwrap_or(""))
        .map_err(|e| status::bad_request(&e))?;
    let fields = FieldSelector::parse(param("fieldSelector").unwrap_or(""), kind)
        .map_err(|e| status::bad_request(&e))?;
    let limit = match param("limit") {
        None | Some("") => None,
        Some(text) => Some(text.parse::<usize>().map_err(|_| {
            status::bad_request(&format!(
                "limit: Invalid value: {text:?}: must be a non-negative integer"
            ))
        })?),
    };
    let continue_token = param("continue")
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    Ok(ListQuery {
        labels,
        fields,
        limit,
        continue_token,
    })
}

/// `a=1&b=x%2Cy&&c` as decoded pairs (`+` is a space), empty pairs skipped.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_like_the_api_server() {
        let res =
            |kind, ns: Option<&str>, name: Option<&str>, sub: Option<&str>| Target::Resource {
                kind,
                namespace: ns.map(str::to_owned),
                name: name.map(str::to_owned),
                subresource: sub.map(str::to_owned),
            };
        assert_eq!(
            parse_target("/apis/discovery.k8s.io/v1/namespaces/web/endpointslices"),
            res(Kind::EndpointSlice, Some("web"), None, None)
        );
        assert_eq!(
            parse_target("/api/v1/pods"),
            res(Kind::Pod, None, None, None)
        );
        assert_eq!(
            parse_target("/api/v1/namespaces/web"),
            res(Kind::Namespace, None, Some("web"), None)
        );
        assert_eq!(
            parse_target("/api/v1/namespaces/web/pods/web-0%3A3000/proxy/posts/a"),
            res(Kind::Pod, Some("web"), Some("web-0:3000"), Some("proxy"))
        );
        assert_eq!(
            parse_target("/api/v1/namespaces/web/endpointslices"),
            Target::UnknownResource
        );
        assert_eq!(
            parse_target("/api/v1/namespaces/web/namespaces"),
            Target::UnknownResource
        );
        assert_eq!(parse_target("/apis/apps/v1/deployments"), Target::NotFound);
        assert_eq!(parse_target("/apis"), Target::NonResource);
        assert_eq!(parse_target("/version"), Target::NonResource);
    }

    #[test]
    fn verbs_and_queries() {
        assert_eq!(verb_for(&Method::GET, true, false), "list");
        assert_eq!(verb_for(&Method::GET, true, true), "watch");
        assert_eq!(verb_for(&Method::HEAD, false, false), "get");
        assert_eq!(verb_for(&Method::POST, false, false), "create");
        assert_eq!(verb_for(&Method::OPTIONS, false, false), "options");
        assert_eq!(
            query_pairs("&labelSelector=kubernetes.io%2Fservice-name%3Dweb&&limit=2&x"),
            vec![
                (
                    "labelSelector".to_owned(),
                    "kubernetes.io/service-name=web".to_owned()
                ),
                ("limit".to_owned(), "2".to_owned()),
                ("x".to_owned(), String::new()),
            ]
        );
    }
}
