//! What the API server said, in people's words: every kube error a discovery can meet becomes an
//! [`Error`] naming what was asked (verb, resource, namespace) and what to do, and RBAC is asked
//! before a transport is chosen (SelfSubjectAccessReview, as `kubectl auth can-i` does).
//!
//! Invariants: 401 and 403 name the verb and resource needed and are exit 5, as is an API server
//! that cannot be reached or an exec credential plugin that fails; nothing here prints a token,
//! a client key or an exec plugin's standard output (where credentials travel): only its exit
//! status and standard error are shown.

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use crate::error::{Error, Service};

/// One permission: a verb on a resource (`endpointslices.discovery.k8s.io`, `pods/proxy`) in a
/// namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub verb: &'static str,
    pub resource: &'static str,
    pub namespace: String,
}

impl std::fmt::Display for Need {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} in namespace {}",
            self.verb, self.resource, self.namespace
        )
    }
}

impl Need {
    pub fn new(verb: &'static str, resource: &'static str, namespace: &str) -> Need {
        Need {
            verb,
            resource,
            namespace: namespace.to_string(),
        }
    }

    /// `kubectl auth can-i ...` for this permission.
    pub fn can_i(&self) -> String {
        format!(
            "kubectl auth can-i {} {} -n {}",
            self.verb, self.resource, self.namespace
        )
    }

    /// The group, resource and subresource of an access review.
    fn attributes(&self) -> ResourceAttributes {
        let (resource, sub) = match self.resource.split_once('/') {
            Some((r, s)) => (r, Some(s.to_string())),
            None => (self.resource, None),
        };
        let (resource, group) = match resource.split_once('.') {
            Some((r, g)) => (r, g),
            None => (resource, ""),
        };
        ResourceAttributes {
            namespace: Some(self.namespace.clone()),
            verb: Some(self.verb.to_string()),
            group: Some(group.to_string()),
            resource: Some(resource.to_string()),
            subresource: sub,
            ..ResourceAttributes::default()
        }
    }
}

/// Where the API server is, for messages.
#[derive(Clone, Debug)]
pub struct Place {
    pub server: String,
    pub context: Option<String>,
}

impl Place {
    fn context_hint(&self) -> String {
        match &self.context {
            Some(c) => format!("kubeconfig context {c:?}, API server {}", self.server),
            None => format!("API server {}", self.server),
        }
    }
}

/// The text of a kube error without anything that may hold a credential.
pub fn describe(e: &kube::Error) -> String {
    use kube::client::AuthError;
    match e {
        kube::Error::Auth(AuthError::AuthExecRun { cmd, out }) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            format!(
                "the kubeconfig's exec credential plugin `{cmd}` failed ({}){}",
                out.status,
                if first.is_empty() {
                    String::new()
                } else {
                    format!(": {}", first.trim())
                }
            )
        }
        kube::Error::Auth(AuthError::AuthExecStart(io)) => {
            format!("the kubeconfig's exec credential plugin could not be started: {io}")
        }
        kube::Error::Auth(AuthError::AuthExecParse(_)) => {
            "the kubeconfig's exec credential plugin printed something that is not an ExecCredential".into()
        }
        kube::Error::Api(s) => format!("{} ({} {})", s.message, s.code, s.reason),
        other => crate::error::root_cause(other),
    }
}

/// Whether retrying may help: the API server is overloaded or restarting, or the connection
/// failed on the way.
pub fn transient(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(s) => matches!(s.code, 429 | 500 | 502 | 503 | 504),
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// The exit-5 error of a failed API request for `need`.
pub fn failed(e: &kube::Error, need: &Need, place: &Place) -> Error {
    match e {
        kube::Error::Api(s) if s.code == 401 => Error::unavailable(
            Service::Kubernetes,
            format!("the API server refused the credentials (401 Unauthorized) to {need}"),
            Some(format!(
                "the token of {} expired or is wrong: log in again (for example `aws eks update-kubeconfig`, `gcloud container clusters get-credentials`, `az aks get-credentials`) and check with `kubectl auth whoami`",
                place.context_hint()
            )),
        ),
        kube::Error::Api(s) if s.code == 403 => Error::unavailable(
            Service::Kubernetes,
            format!("forbidden: cannot {need}: {}", s.message),
            Some(format!(
                "grant it with a Role and RoleBinding (docs/kubernetes.md, \"RBAC\"); check with `{}`",
                need.can_i()
            )),
        ),
        kube::Error::Auth(_) => Error::unavailable(
            Service::Kubernetes,
            format!("cannot authenticate to {need}: {}", describe(e)),
            Some(format!(
                "check the user of {} (`kubectl auth whoami`)",
                place.context_hint()
            )),
        ),
        kube::Error::Api(s) => Error::unavailable(
            Service::Kubernetes,
            format!(
                "the API server answered {} {} to {need}: {}",
                s.code, s.reason, s.message
            ),
            None,
        ),
        other => Error::unavailable(
            Service::Kubernetes,
            format!("cannot reach the API server to {need}: {}", describe(other)),
            Some(format!(
                "is the cluster up and reachable from here? {}; try `kubectl get --raw /version`",
                place.context_hint()
            )),
        ),
    }
}

/// Whether the caller may do `need`, by a SelfSubjectAccessReview. `Err` when the review itself
/// could not be made (some clusters forbid it): the caller decides what that means.
pub async fn can_i(client: &kube::Client, need: &Need) -> Result<bool, kube::Error> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(need.attributes()),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api.create(&PostParams::default(), &review).await?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_become_review_attributes() {
        let a = Need::new("list", "endpointslices.discovery.k8s.io", "web").attributes();
        assert_eq!(
            (
                a.group.as_deref(),
                a.resource.as_deref(),
                a.subresource.as_deref()
            ),
            (Some("discovery.k8s.io"), Some("endpointslices"), None)
        );
        let a = Need::new("create", "pods/portforward", "web").attributes();
        assert_eq!(
            (
                a.group.as_deref(),
                a.resource.as_deref(),
                a.subresource.as_deref()
            ),
            (Some(""), Some("pods"), Some("portforward"))
        );
        assert_eq!(
            Need::new("get", "pods/proxy", "web").to_string(),
            "get pods/proxy in namespace web"
        );
    }

    #[test]
    fn forbidden_names_verb_resource_and_the_check() {
        let status = kube::core::Status {
            code: 403,
            reason: "Forbidden".into(),
            message: "endpointslices.discovery.k8s.io is forbidden: User \"ci\" cannot list".into(),
            ..kube::core::Status::default()
        };
        let e = failed(
            &kube::Error::Api(Box::new(status)),
            &Need::new("list", "endpointslices.discovery.k8s.io", "web-ns"),
            &Place {
                server: "https://k8s:6443".into(),
                context: Some("prod".into()),
            },
        );
        assert_eq!(e.exit_code(), crate::exit::Code::ServiceUnavailable);
        let text = e.render();
        assert!(
            text.starts_with("error: the Kubernetes API: forbidden: cannot list endpointslices.discovery.k8s.io in namespace web-ns: "),
            "{text}"
        );
        assert!(
            text.contains("kubectl auth can-i list endpointslices.discovery.k8s.io -n web-ns"),
            "{text}"
        );
    }
}
