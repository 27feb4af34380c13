//! Authentication by bearer token and RBAC-like authorization.
//!
//! Each token maps to a user name and an [`Access`]: an ordered list of allow
//! and deny rules over (verb, resource, namespace). Invariant: a request is
//! allowed only when no deny rule and at least one allow rule matches it; a
//! request without a token is `system:anonymous`, which may read only the
//! public info paths (`/version`, `/healthz`, ...) unless a test grants it
//! more, and an unknown token is a 401, exactly the split a kubeadm cluster
//! makes.

use std::collections::HashMap;

/// One rule; `"*"` in any list matches everything, `"pods/*"` every
/// subresource of pods, and an empty namespace list every namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Deny rules win over allow rules (RBAC has no deny; tests use it to
    /// take one permission away from an otherwise all-powerful token).
    pub deny: bool,
    /// `get`, `list`, `watch`, `create`, ...
    pub verbs: Vec<String>,
    /// `pods`, `pods/proxy`, `pods/portforward`, `services`,
    /// `endpointslices`, `namespaces`, or a path such as `/api` (`/apis*`
    /// for a prefix) for non-resource requests.
    pub resources: Vec<String>,
    /// Namespaces the rule covers; empty for all.
    pub namespaces: Vec<String>,
}

/// What one token may do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Rules, evaluated as described in the module documentation.
    pub rules: Vec<Rule>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl Access {
    /// Everything, everywhere (a cluster-admin binding).
    pub fn all() -> Access {
        Access::none().allow(&["*"], &["*"], &[])
    }

    /// Nothing but the discovery paths every authenticated user may read.
    pub fn none() -> Access {
        Access::default()
    }

    /// Adds an allow rule.
    pub fn allow(mut self, verbs: &[&str], resources: &[&str], namespaces: &[&str]) -> Access {
        self.rules.push(Rule {
            deny: false,
            verbs: strings(verbs),
            resources: strings(resources),
            namespaces: strings(namespaces),
        });
        self
    }

    /// Adds a deny rule for `verb` on `resource` in every namespace.
    pub fn deny(mut self, verb: &str, resource: &str) -> Access {
        self.rules.push(Rule {
            deny: true,
            verbs: strings(&[verb]),
            resources: strings(&[resource]),
            namespaces: Vec::new(),
        });
        self
    }

    /// Whether `verb` on `resource` (`pods/proxy`, or a path) in `namespace`
    /// (`None` at the cluster scope) is allowed.
    pub(crate) fn permits(&self, verb: &str, resource: &str, namespace: Option<&str>) -> bool {
        let matching = |r: &&Rule| {
            list_matches(&r.verbs, verb)
                && r.resources.iter().any(|p| resource_matches(p, resource))
                && (r.namespaces.is_empty()
                    || namespace.is_some_and(|ns| list_matches(&r.namespaces, ns)))
        };
        !self.rules.iter().filter(|r| r.deny).any(|r| matching(&r))
            && self.rules.iter().filter(|r| !r.deny).any(|r| matching(&r))
    }

    /// Whether a deny rule covers `verb` on `resource` at the cluster scope (for what every
    /// authenticated user is granted, such as creating access reviews).
    pub(crate) fn denies(&self, verb: &str, resource: &str) -> bool {
        self.rules.iter().any(|r| {
            r.deny
                && list_matches(&r.verbs, verb)
                && r.resources.iter().any(|p| resource_matches(p, resource))
        })
    }
}

fn list_matches(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x == "*" || x == item)
}

fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        // RBAC's "*" covers resources and subresources, not non-resource paths.
        return !resource.starts_with('/');
    }
    if pattern.starts_with('/') {
        // A non-resource URL; a trailing `*` matches a prefix, as in RBAC.
        return match pattern.strip_suffix('*') {
            Some(prefix) => resource.starts_with(prefix),
            None => pattern == resource,
        };
    }
    match pattern.strip_suffix("/*") {
        Some(base) => resource.split_once('/').is_some_and(|(b, _)| b == base),
        None => pattern == resource,
    }
}

/// Paths every caller may read, anonymous included (`system:public-info-viewer`).
const PUBLIC_PATHS: &[&str] = &["/version", "/healthz", "/livez", "/readyz"];

/// Paths every authenticated user may read (`system:discovery`).
fn is_discovery_path(path: &str) -> bool {
    PUBLIC_PATHS.contains(&path)
        || path == "/api"
        || path == "/apis"
        || path.starts_with("/api/")
        || path.starts_with("/apis/")
        || path.starts_with("/openapi/")
}

/// Who made a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    name: String,
    access: Access,
    authenticated: bool,
}

impl Caller {
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn may_resource(&self, verb: &str, resource: &str, ns: Option<&str>) -> bool {
        self.access.permits(verb, resource, ns)
    }

    /// Whether the caller may ask what it may do (`system:basic-user`: every authenticated
    /// user may create SelfSubjectAccessReviews).
    pub(crate) fn may_review(&self) -> bool {
        self.authenticated && !self.access.denies("create", "selfsubjectaccessreviews")
    }

    pub(crate) fn may_path(&self, verb: &str, path: &str) -> bool {
        let readable = verb == "get"
            && (PUBLIC_PATHS.contains(&path) || (self.authenticated && is_discovery_path(path)));
        readable || self.access.permits(verb, path, None)
    }
}

/// The token table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tokens {
    by_token: HashMap<String, (String, Access)>,
    /// What `system:anonymous` may do beyond the public paths (nothing by
    /// default, as RBAC grants it).
    pub(crate) anonymous: Access,
}

impl Tokens {
    pub(crate) fn insert(&mut self, token: &str, user: &str, access: Access) {
        self.by_token
            .insert(token.to_owned(), (user.to_owned(), access));
    }

    /// Replaces a known token's access; false if the token is unknown.
    pub(crate) fn set_access(&mut self, token: &str, access: Access) -> bool {
        match self.by_token.get_mut(token) {
            Some(entry) => {
                entry.1 = access;
                true
            }
            None => false,
        }
    }

    /// The caller an `Authorization` header value names; `Err` for a token
    /// (or scheme) the server does not accept, which is a 401.
    pub(crate) fn authenticate(&self, authorization: Option<&str>) -> Result<Caller, ()> {
        let Some(value) = authorization else {
            return Ok(Caller {
                name: "system:anonymous".to_owned(),
                access: self.anonymous.clone(),
                authenticated: false,
            });
        };
        let (scheme, token) = value.trim().split_once(' ').ok_or(())?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(());
        }
        let (name, access) = self.by_token.get(token.trim()).ok_or(())?;
        Ok(Caller {
            name: name.clone(),
            access: access.clone(),
            authenticated: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_wins_and_namespaces_scope_rules() {
        let a = Access::all().deny("list", "endpointslices");
        assert!(!a.permits("list", "endpointslices", Some("web")));
        assert!(a.permits("get", "endpointslices", Some("web")));
        assert!(a.permits("get", "pods/proxy", Some("web")));
        let narrow = Access::none()
            .allow(&["get", "list"], &["pods", "pods/*"], &["web"])
            .allow(&["create"], &["pods/portforward"], &["web"]);
        assert!(narrow.permits("get", "pods/proxy", Some("web")));
        assert!(!narrow.permits("get", "pods/proxy", Some("other")));
        assert!(!narrow.permits("list", "services", Some("web")));
        assert!(!narrow.permits("list", "pods", None));
        assert!(!Access::all().permits("get", "/metrics", None));
    }

    #[test]
    fn tokens_authenticate_callers() {
        let mut t = Tokens::default();
        t.insert("abc", "system:serviceaccount:web:sa", Access::none());
        let caller = t.authenticate(Some("Bearer abc")).unwrap();
        assert_eq!(caller.name(), "system:serviceaccount:web:sa");
        assert!(caller.may_path("get", "/apis"));
        assert!(!caller.may_resource("list", "pods", Some("web")));
        assert!(t.authenticate(Some("Bearer nope")).is_err());
        assert!(t.authenticate(Some("Basic abc")).is_err());
        let anon = t.authenticate(None).unwrap();
        assert_eq!(anon.name(), "system:anonymous");
        assert!(anon.may_path("get", "/version"));
        assert!(!anon.may_path("get", "/api"));
        t.anonymous = Access::none().allow(&["get"], &["/api/*"], &[]);
        let anon = t.authenticate(None).unwrap();
        assert!(anon.may_path("get", "/api/v1") && !anon.may_path("get", "/apis"));
        assert!(t.set_access("abc", Access::all()));
        assert!(!t.set_access("zzz", Access::all()));
    }
}
