//! `Status` objects: the error bodies of the fake API server.
//!
//! Invariant: every failure leaves the server as a `metav1.Status` worded,
//! field for field, as kube-apiserver words it (k8s.io/apimachinery
//! `errors.NewNotFound`, `NewForbidden`, `NewUnauthorized`, ...), so that a
//! client's error handling and its messages are tested against the real text.

use serde_json::{Map, Value, json};

use super::resource::Kind;

/// A failure to answer with: the HTTP code and the Status body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Failure {
    pub(crate) code: u16,
    pub(crate) body: Value,
}

fn failure(code: u16, reason: &str, message: &str, details: Option<Value>) -> Failure {
    let mut status = Map::new();
    status.insert("kind".into(), "Status".into());
    status.insert("apiVersion".into(), "v1".into());
    status.insert("metadata".into(), json!({}));
    status.insert("status".into(), "Failure".into());
    status.insert("message".into(), message.into());
    status.insert("reason".into(), reason.into());
    if let Some(details) = details {
        status.insert("details".into(), details);
    }
    status.insert("code".into(), code.into());
    Failure {
        code,
        body: Value::Object(status),
    }
}

/// `StatusDetails` as Go serialises it: empty fields are left out.
fn details(name: &str, group: &str, kind: &str) -> Value {
    let mut d = Map::new();
    if !name.is_empty() {
        d.insert("name".into(), name.into());
    }
    if !group.is_empty() {
        d.insert("group".into(), group.into());
    }
    if !kind.is_empty() {
        d.insert("kind".into(), kind.into());
    }
    Value::Object(d)
}

/// `services "web" not found`.
pub(crate) fn not_found(kind: Kind, name: &str) -> Failure {
    failure(
        404,
        "NotFound",
        &format!("{} {name:?} not found", kind.qualified()),
        Some(details(name, kind.group(), kind.plural())),
    )
}

/// A path under a known API group version that names no resource.
pub(crate) fn resource_not_found() -> Failure {
    failure(
        404,
        "NotFound",
        "the server could not find the requested resource",
        Some(json!({})),
    )
}

/// The request named a token the server does not know.
pub(crate) fn unauthorized() -> Failure {
    failure(401, "Unauthorized", "Unauthorized", None)
}

/// What a denied request asked for, as the authorizer saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Attempt<'a> {
    Resource {
        verb: &'a str,
        kind: Kind,
        subresource: Option<&'a str>,
        namespace: Option<&'a str>,
        name: Option<&'a str>,
    },
    Path {
        verb: &'a str,
        path: &'a str,
    },
}

/// RBAC's refusal, e.g. `endpointslices.discovery.k8s.io is forbidden: User
/// "system:serviceaccount:x:y" cannot list resource "endpointslices" in API
/// group "discovery.k8s.io" in the namespace "web"`.
pub(crate) fn forbidden(user: &str, attempt: &Attempt<'_>) -> Failure {
    match *attempt {
        Attempt::Path { verb, path } => failure(
            403,
            "Forbidden",
            &format!("forbidden: User {user:?} cannot {verb} path {path:?}"),
            Some(json!({})),
        ),
        Attempt::Resource {
            verb,
            kind,
            subresource,
            namespace,
            name,
        } => {
            let resource = match subresource {
                Some(sub) => format!("{}/{sub}", kind.plural()),
                None => kind.plural().to_owned(),
            };
            let scope = match namespace {
                Some(ns) => format!("in the namespace {ns:?}"),
                None => "at the cluster scope".to_owned(),
            };
            let why = format!(
                "User {user:?} cannot {verb} resource {resource:?} in API group {:?} {scope}",
                kind.group()
            );
            let name = name.unwrap_or("");
            let message = if name.is_empty() {
                format!("{} is forbidden: {why}", kind.qualified())
            } else {
                format!("{} {name:?} is forbidden: {why}", kind.qualified())
            };
            failure(
                403,
                "Forbidden",
                &message,
                Some(details(name, kind.group(), kind.plural())),
            )
        }
    }
}

/// RBAC's refusal of an access review, which lives in its own group at the cluster scope.
pub(crate) fn forbidden_review(user: &str) -> Failure {
    failure(
        403,
        "Forbidden",
        &format!(
            "selfsubjectaccessreviews.authorization.k8s.io is forbidden: User {user:?} cannot create resource \"selfsubjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope"
        ),
        Some(details(
            "",
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
        )),
    )
}

pub(crate) fn bad_request(message: &str) -> Failure {
    failure(400, "BadRequest", message, None)
}

pub(crate) fn method_not_allowed() -> Failure {
    failure(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        Some(json!({})),
    )
}

/// The proxy could not reach the pod: `error trying to reach service: dial
/// tcp 10.244.1.5:3000: connect: connection refused`.
pub(crate) fn service_unavailable(message: &str) -> Failure {
    failure(503, "ServiceUnavailable", message, None)
}

/// `Internal error occurred: ...`, with the error as the one cause.
pub(crate) fn internal_error(message: &str) -> Failure {
    failure(
        500,
        "InternalError",
        &format!("Internal error occurred: {message}"),
        Some(json!({"causes": [{"message": message}]})),
    )
}

/// The text kube-apiserver sends with a 410 for an expired continue token.
const EXPIRED_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// 410 Expired for a continue token, carrying the inconsistent token a client
/// may continue with.
pub(crate) fn continue_expired(inconsistent_continue: &str) -> Failure {
    let mut f = failure(410, "Expired", EXPIRED_CONTINUE, None);
    f.body["metadata"] = json!({ "continue": inconsistent_continue });
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_list_is_worded_like_rbac() {
        let f = forbidden(
            "system:serviceaccount:x:y",
            &Attempt::Resource {
                verb: "list",
                kind: Kind::EndpointSlice,
                subresource: None,
                namespace: Some("web"),
                name: None,
            },
        );
        assert_eq!(f.code, 403);
        assert_eq!(
            f.body,
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "endpointslices.discovery.k8s.io is forbidden: User \"system:serviceaccount:x:y\" cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\" in the namespace \"web\"",
                "reason": "Forbidden",
                "details": {"group": "discovery.k8s.io", "kind": "endpointslices"},
                "code": 403
            })
        );
    }

    #[test]
    fn forbidden_subresource_names_the_object() {
        let f = forbidden(
            "u",
            &Attempt::Resource {
                verb: "get",
                kind: Kind::Pod,
                subresource: Some("proxy"),
                namespace: Some("web"),
                name: Some("web-0"),
            },
        );
        assert_eq!(
            f.body["message"],
            "pods \"web-0\" is forbidden: User \"u\" cannot get resource \"pods/proxy\" in API group \"\" in the namespace \"web\""
        );
        assert_eq!(f.body["details"], json!({"name": "web-0", "kind": "pods"}));
        let cluster = forbidden(
            "u",
            &Attempt::Resource {
                verb: "list",
                kind: Kind::Namespace,
                subresource: None,
                namespace: None,
                name: None,
            },
        );
        assert!(
            cluster.body["message"]
                .as_str()
                .unwrap()
                .ends_with("in API group \"\" at the cluster scope")
        );
        let path = forbidden(
            "system:anonymous",
            &Attempt::Path {
                verb: "get",
                path: "/api",
            },
        );
        assert_eq!(
            path.body["message"],
            "forbidden: User \"system:anonymous\" cannot get path \"/api\""
        );
    }

    #[test]
    fn not_found_and_unauthorized() {
        let f = not_found(Kind::Service, "web");
        assert_eq!(f.body["message"], "services \"web\" not found");
        assert_eq!(
            f.body["details"],
            json!({"name": "web", "kind": "services"})
        );
        let u = unauthorized();
        assert_eq!(u.code, 401);
        assert!(u.body.get("details").is_none());
        assert_eq!(continue_expired("x").body["metadata"]["continue"], "x");
    }
}
