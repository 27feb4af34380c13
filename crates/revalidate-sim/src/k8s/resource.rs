//! The table of resource types the fake API server serves: names, group,
//! scope, verbs and the field selectors each one accepts.
//!
//! Invariant: every other module asks this table, never spells a plural, a
//! group or a kind itself, so URLs, discovery documents, RBAC checks and
//! Status messages always agree on the names a real API server uses.

/// A resource type the fake stores and serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Namespace,
    Pod,
    Service,
    EndpointSlice,
}

/// Verbs a real API server lists for the stored types (the fake serves only
/// `get` and `list`, but kubectl reads these lists to decide what it may ask).
const OBJECT_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl Kind {
    pub(crate) const ALL: [Kind; 4] = [
        Kind::Namespace,
        Kind::Pod,
        Kind::Service,
        Kind::EndpointSlice,
    ];

    pub(crate) fn kind(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
            Kind::EndpointSlice => "EndpointSlice",
        }
    }

    pub(crate) fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Pod => "pods",
            Kind::Service => "services",
            Kind::EndpointSlice => "endpointslices",
        }
    }

    pub(crate) fn singular(self) -> &'static str {
        match self {
            Kind::Namespace => "namespace",
            Kind::Pod => "pod",
            Kind::Service => "service",
            Kind::EndpointSlice => "endpointslice",
        }
    }

    /// The API group ("" for the core group).
    pub(crate) fn group(self) -> &'static str {
        match self {
            Kind::EndpointSlice => "discovery.k8s.io",
            _ => "",
        }
    }

    /// `apiVersion` as objects carry it.
    pub(crate) fn api_version(self) -> &'static str {
        match self {
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            _ => "v1",
        }
    }

    pub(crate) fn namespaced(self) -> bool {
        self != Kind::Namespace
    }

    pub(crate) fn short_names(self) -> &'static [&'static str] {
        match self {
            Kind::Namespace => &["ns"],
            Kind::Pod => &["po"],
            Kind::Service => &["svc"],
            Kind::EndpointSlice => &[],
        }
    }

    pub(crate) fn categories(self) -> &'static [&'static str] {
        match self {
            Kind::Pod | Kind::Service => &["all"],
            _ => &[],
        }
    }

    pub(crate) fn verbs(self) -> &'static [&'static str] {
        OBJECT_VERBS
    }

    /// The group-qualified resource, as Status messages print it:
    /// `pods`, `endpointslices.discovery.k8s.io`.
    pub(crate) fn qualified(self) -> String {
        match self.group() {
            "" => self.plural().to_owned(),
            group => format!("{}.{group}", self.plural()),
        }
    }

    /// The type for a `kind` string (`Pod`), as `k8s_openapi::Resource::KIND` spells it.
    pub(crate) fn from_kind(kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.kind() == kind)
    }

    /// The type served at `/api(s)/{group}/v1/{plural}`.
    pub(crate) fn from_plural(group: &str, plural: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.group() == group && k.plural() == plural)
    }

    /// Field selector labels the real API server accepts for this type,
    /// each with the JSON pointer of the value it compares.
    pub(crate) fn field_labels(self) -> &'static [(&'static str, &'static str)] {
        const META: [(&str, &str); 2] = [
            ("metadata.name", "/metadata/name"),
            ("metadata.namespace", "/metadata/namespace"),
        ];
        match self {
            Kind::Namespace => &[META[0], META[1], ("status.phase", "/status/phase")],
            Kind::Pod => &[
                META[0],
                META[1],
                ("spec.nodeName", "/spec/nodeName"),
                ("spec.restartPolicy", "/spec/restartPolicy"),
                ("spec.schedulerName", "/spec/schedulerName"),
                ("spec.serviceAccountName", "/spec/serviceAccountName"),
                ("status.phase", "/status/phase"),
                ("status.podIP", "/status/podIP"),
                ("status.nominatedNodeName", "/status/nominatedNodeName"),
            ],
            Kind::Service => &[
                META[0],
                META[1],
                ("spec.clusterIP", "/spec/clusterIP"),
                ("spec.type", "/spec/type"),
            ],
            Kind::EndpointSlice => &META,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_api_server() {
        assert_eq!(
            Kind::EndpointSlice.qualified(),
            "endpointslices.discovery.k8s.io"
        );
        assert_eq!(Kind::Pod.qualified(), "pods");
        assert_eq!(Kind::from_plural("", "services"), Some(Kind::Service));
        assert_eq!(Kind::from_plural("", "endpointslices"), None);
        assert_eq!(Kind::from_kind("EndpointSlice"), Some(Kind::EndpointSlice));
        assert!(!Kind::Namespace.namespaced());
    }
}
