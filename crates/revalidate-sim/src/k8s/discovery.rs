//! Discovery documents: `/version`, `/api`, `/apis`, the group and the
//! resource lists kubectl reads before it builds a request, and the health
//! paths.
//!
//! Invariant: the documents list exactly the resource types of
//! [`Kind::ALL`] (plus the pods/proxy and pods/portforward subresources), so
//! kubectl never learns of a resource the fake would not serve. The legacy
//! (unaggregated) discovery format is served; kubectl falls back to it when
//! the answer to its aggregated-discovery `Accept` is plain JSON.

use serde_json::{Value, json};

use super::resource::Kind;

/// A discovery answer.
pub(crate) enum Document {
    Json(Value),
    Text(&'static str),
}

/// The Kubernetes version the fake claims to be.
const VERSION: (&str, &str) = ("1", "33");

pub(crate) fn document(path: &str, host: &str) -> Option<Document> {
    let doc = match path.trim_end_matches('/') {
        "/version" => version(),
        "/healthz" | "/livez" | "/readyz" => return Some(Document::Text("ok")),
        "/api" => json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
        }),
        "/apis" => json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [group("discovery.k8s.io")],
        }),
        "/apis/discovery.k8s.io" => {
            let mut g = group("discovery.k8s.io");
            g["kind"] = "APIGroup".into();
            g["apiVersion"] = "v1".into();
            g
        }
        "/api/v1" => resource_list(""),
        "/apis/discovery.k8s.io/v1" => resource_list("discovery.k8s.io"),
        _ => return None,
    };
    Some(Document::Json(doc))
}

fn version() -> Value {
    let (major, minor) = VERSION;
    json!({
        "major": major,
        "minor": minor,
        "emulationMajor": major,
        "emulationMinor": minor,
        "minCompatibilityMajor": major,
        "minCompatibilityMinor": "32",
        "gitVersion": format!("v{major}.{minor}.1"),
        "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
        "gitTreeState": "clean",
        "buildDate": "2025-05-15T08:19:08Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

fn group(name: &str) -> Value {
    let gv = json!({"groupVersion": format!("{name}/v1"), "version": "v1"});
    json!({"name": name, "versions": [gv], "preferredVersion": gv})
}

fn resource_list(group: &str) -> Value {
    let mut resources = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|k| k.group() == group) {
        let mut r = json!({
            "name": kind.plural(),
            "singularName": kind.singular(),
            "namespaced": kind.namespaced(),
            "kind": kind.kind(),
            "verbs": kind.verbs(),
        });
        if !kind.short_names().is_empty() {
            r["shortNames"] = json!(kind.short_names());
        }
        if !kind.categories().is_empty() {
            r["categories"] = json!(kind.categories());
        }
        resources.push(r);
        if kind == Kind::Pod {
            resources.push(json!({
                "name": "pods/portforward", "singularName": "", "namespaced": true,
                "kind": "PodPortForwardOptions", "verbs": ["create", "get"],
            }));
            resources.push(json!({
                "name": "pods/proxy", "singularName": "", "namespaced": true,
                "kind": "PodProxyOptions", "verbs": ["create", "delete", "get", "patch", "update"],
            }));
        }
    }
    let group_version = if group.is_empty() {
        "v1".to_owned()
    } else {
        format!("{group}/v1")
    };
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
        APIGroupList, APIResourceList, APIVersions,
    };

    use super::*;

    fn json_doc(path: &str) -> Value {
        match document(path, "127.0.0.1:1") {
            Some(Document::Json(v)) => v,
            _ => panic!("no JSON document at {path}"),
        }
    }

    #[test]
    fn documents_parse_as_the_meta_types() {
        let v: APIVersions = serde_json::from_value(json_doc("/api")).unwrap();
        assert_eq!(v.versions, ["v1"]);
        let g: APIGroupList = serde_json::from_value(json_doc("/apis")).unwrap();
        assert_eq!(g.groups[0].name, "discovery.k8s.io");
        let core: APIResourceList = serde_json::from_value(json_doc("/api/v1")).unwrap();
        let names: Vec<_> = core.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "namespaces",
                "pods",
                "pods/portforward",
                "pods/proxy",
                "services"
            ]
        );
        let disco: APIResourceList =
            serde_json::from_value(json_doc("/apis/discovery.k8s.io/v1")).unwrap();
        assert_eq!(disco.group_version, "discovery.k8s.io/v1");
        assert_eq!(disco.resources[0].kind, "EndpointSlice");
        assert!(document("/apis/apps/v1", "").is_none());
        assert!(matches!(
            document("/healthz", ""),
            Some(Document::Text("ok"))
        ));
    }
}
