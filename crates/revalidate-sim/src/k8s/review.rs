//! SelfSubjectAccessReview (`authorization.k8s.io/v1`): "may I do this?", the question
//! `kubectl auth can-i` asks, answered from the caller's rules.
//!
//! Invariant: the answer is the one the same request would get: a review of `get` on
//! `pods/proxy` in `web` is allowed exactly when a pods/proxy request in `web` would pass RBAC.
//! Every authenticated user may ask (`system:basic-user`), unless a test denies it; anonymous
//! callers may not.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use serde_json::{Value, json};

use super::auth::Caller;
use super::server::{Body, failure_response, json_response};
use super::status;

/// The path of the review collection.
pub(crate) const PATH: &str = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

pub(crate) async fn handle(caller: &Caller, req: Request<Incoming>) -> Response<Body> {
    if req.method() != Method::POST {
        return failure_response(&status::method_not_allowed());
    }
    if !caller.may_review() {
        return failure_response(&status::forbidden_review(caller.name()));
    }
    let body: Bytes = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return failure_response(&status::bad_request(&e.to_string())),
    };
    let mut review: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return failure_response(&status::bad_request(&e.to_string())),
    };
    let allowed = if let Some(a) = review.pointer("/spec/resourceAttributes") {
        let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
        let resource = match text("subresource") {
            "" => text("resource").to_owned(),
            sub => format!("{}/{sub}", text("resource")),
        };
        let namespace = Some(text("namespace")).filter(|n| !n.is_empty());
        caller.may_resource(text("verb"), &resource, namespace)
    } else if let Some(a) = review.pointer("/spec/nonResourceAttributes") {
        let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
        caller.may_path(text("verb"), text("path"))
    } else {
        return failure_response(&status::bad_request(
            "spec: Invalid value: ...: exactly one of nonResourceAttributes or resourceAttributes must be specified",
        ));
    };
    review["apiVersion"] = "authorization.k8s.io/v1".into();
    review["kind"] = "SelfSubjectAccessReview".into();
    review["metadata"] = json!({"creationTimestamp": null});
    review["status"] = if allowed {
        json!({"allowed": true, "reason": "RBAC: allowed by the fake's rules"})
    } else {
        json!({"allowed": false})
    };
    json_response(201, &review)
}
