//! A fake Kubernetes API server for tests: real HTTP on 127.0.0.1 that the
//! real `kube` client and the real `kubectl` talk to, serving Namespaces,
//! Services, Pods and EndpointSlices (get, list with selectors and
//! pagination), pods/proxy to simulated pods, pods/portforward over
//! WebSocket (`v4.channel.k8s.io`), and SelfSubjectAccessReviews (what
//! `kubectl auth can-i` asks).
//!
//! The invariant this module keeps is fidelity where a client can observe
//! it: JSON shapes, list pagination, `Status` wording, RBAC refusals, proxy
//! header and HTML rewriting, and port-forward stream behaviour follow what
//! kube-apiserver and the kubelet do (see each submodule), while the state
//! stays programmable from the test through [`FakeCluster`]. Everything is
//! loopback: pods are only ever dialled on 127.x addresses.

mod auth;
mod builder;
mod discovery;
mod html;
mod objects;
mod portforward;
mod proxy;
mod resource;
mod review;
mod selector;
mod server;
mod status;
mod store;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kubectl;
#[cfg(test)]
mod tests_transport;

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use auth::{Access, Rule};
pub use builder::{
    ConditionFields, EndpointState, FakeClusterBuilder, FleetPods, ServicePort, TargetPort,
    loopback_fleet, loopback_ips,
};
/// The fake API server's label selector parser, for tests that hold another parser to it.
pub use selector::LabelSelector;

use resource::Kind;
use store::State;

/// One request the fake API server answered, for tests to assert on.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Headers as they arrived; an `Authorization` value reads `<redacted>`.
    pub headers: HeaderMap,
    /// The authenticated user (`system:anonymous` without a token), `None`
    /// when the token was refused.
    pub user: Option<String>,
    /// The status answered (101 for a port-forward upgrade).
    pub status: u16,
}

impl LoggedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query_param(&self, key: &str) -> Option<String> {
        server::query_pairs(self.query.as_deref().unwrap_or(""))
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// What the server's tasks share.
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) token: CancellationToken,
    pub(crate) tasks: TaskTracker,
}

impl Shared {
    /// Every critical section is one read or one write of the state, so a
    /// poisoned lock still holds consistent data.
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running fake API server. Dropping it (or [`FakeCluster::shutdown`])
/// closes the port and every connection, port-forwards included.
pub struct FakeCluster {
    shared: Arc<Shared>,
    addr: SocketAddr,
    admin_token: String,
}

impl std::fmt::Debug for FakeCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCluster")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// The user name of the admin token, as kubeadm names its admin.
pub const ADMIN_USER: &str = "kubernetes-admin";

impl FakeCluster {
    pub fn builder() -> FakeClusterBuilder {
        FakeClusterBuilder::new()
    }

    pub(crate) async fn serve(
        mut state: State,
        tokens: Vec<(String, String, Access)>,
    ) -> io::Result<FakeCluster> {
        let admin_token = format!("fake-admin-{}", crate::random_hex(24));
        state.tokens.insert(&admin_token, ADMIN_USER, Access::all());
        for (token, user, access) in tokens {
            state.tokens.insert(&token, &user, access);
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            token: CancellationToken::new(),
            tasks: TaskTracker::new(),
        });
        shared
            .tasks
            .spawn(server::accept_loop(shared.clone(), listener));
        Ok(FakeCluster {
            shared,
            addr,
            admin_token,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the cluster's `server`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A token allowed everything (user [`ADMIN_USER`]).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Adds (or replaces) a bearer token.
    pub fn add_token(&self, token: &str, user: &str, access: Access) {
        self.shared.state().tokens.insert(token, user, access);
    }

    /// Changes what a token may do, effective for the next request.
    pub fn set_access(&self, token: &str, access: Access) -> bool {
        self.shared.state().tokens.set_access(token, access)
    }

    /// What requests without a token may do. kubectl needs this: it sends
    /// no credentials to an `http://` server (client-go's clientcmd loads
    /// them only for TLS), so against this fake it is `system:anonymous`.
    pub fn set_anonymous_access(&self, access: Access) {
        self.shared.state().tokens.anonymous = access;
    }

    /// A kubeconfig (YAML) with one cluster, one user holding `token`, and a
    /// current context using `namespace` (kubectl's and kube's default
    /// namespace when `Some`).
    pub fn kubeconfig(&self, token: &str, namespace: Option<&str>) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let ns = namespace.map_or(String::new(), |ns| format!("    namespace: {}\n", q(ns)));
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\n\
             users:\n- name: fake-user\n  user:\n    token: {}\n\
             contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake-user\n{ns}\
             current-context: fake\npreferences: {{}}\n",
            q(&self.url()),
            q(token),
        )
    }

    /// Writes [`FakeCluster::kubeconfig`] for the admin token to `path`
    /// (which may outlive the cluster, to test an unreachable API server).
    pub fn write_kubeconfig(&self, path: &Path, namespace: Option<&str>) -> io::Result<()> {
        std::fs::write(path, self.kubeconfig(&self.admin_token, namespace))
    }

    /// The kube `Config` for `token`, built from the kubeconfig text through
    /// `Config::from_custom_kubeconfig`, as the CLI will build its own.
    /// Note kube's default (`default_retry`): 429, 503 and 504 are retried
    /// up to 15 times with backoff up to 1000 s, pods/proxy answers included.
    pub async fn config_with_token(
        &self,
        token: &str,
        namespace: Option<&str>,
    ) -> kube::Result<kube::Config> {
        let kubeconfig = kube::config::Kubeconfig::from_yaml(&self.kubeconfig(token, namespace))
            .map_err(kube::Error::InferKubeconfig)?;
        let options = kube::config::KubeConfigOptions::default();
        kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(kube::Error::InferKubeconfig)
    }

    /// A kube client (default configuration) for `token`.
    pub async fn client_with_token(
        &self,
        token: &str,
        namespace: Option<&str>,
    ) -> kube::Result<kube::Client> {
        kube::Client::try_from(self.config_with_token(token, namespace).await?)
    }

    /// A kube client with the admin token.
    pub async fn client(&self) -> kube::Result<kube::Client> {
        self.client_with_token(&self.admin_token, None).await
    }

    /// Stores (creates or replaces) a typed object; returns it as stored.
    pub fn apply<K>(&self, object: &K) -> io::Result<Value>
    where
        K: k8s_openapi::Resource + Serialize,
    {
        let value = serde_json::to_value(object).map_err(io::Error::other)?;
        self.apply_json(value)
    }

    /// Stores an object given as JSON with its `kind`; returns it as stored.
    pub fn apply_json(&self, object: Value) -> io::Result<Value> {
        let kind_name = object["kind"].as_str().unwrap_or("");
        let kind = Kind::from_kind(kind_name).ok_or_else(|| {
            io::Error::other(format!(
                "the fake stores Namespace, Pod, Service and EndpointSlice, not {kind_name:?}"
            ))
        })?;
        self.shared
            .state()
            .apply(kind, object)
            .map_err(io::Error::other)
    }

    /// A stored object, typed.
    pub fn get<K>(&self, namespace: &str, name: &str) -> Option<K>
    where
        K: k8s_openapi::Resource + DeserializeOwned,
    {
        let value = self.get_json(K::KIND, namespace, name)?;
        serde_json::from_value(value).ok()
    }

    /// A stored object as JSON, by kind (`"EndpointSlice"`).
    pub fn get_json(&self, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let kind = Kind::from_kind(kind)?;
        self.shared.state().get(kind, namespace, name).cloned()
    }

    /// Every stored object of a kind in a namespace, in key order.
    pub fn list_json(&self, kind: &str, namespace: &str) -> Vec<Value> {
        let Some(kind) = Kind::from_kind(kind) else {
            return Vec::new();
        };
        let state = self.shared.state();
        state
            .all(kind, Some(namespace))
            .into_iter()
            .cloned()
            .collect()
    }

    /// Deletes an object; false when there was none.
    pub fn delete(&self, kind: &str, namespace: &str, name: &str) -> bool {
        Kind::from_kind(kind)
            .is_some_and(|k| self.shared.state().delete(k, namespace, name).is_some())
    }

    /// Where `port` of pod `namespace/pod` really listens, for pods/proxy and
    /// port-forwards (by default the pod's loopback IP and that port).
    pub fn set_route(&self, namespace: &str, pod: &str, port: u16, addr: SocketAddr) {
        self.shared.state().set_route(namespace, pod, port, addr);
    }

    /// The next list request carrying a continue token is answered 410
    /// Expired, as after an etcd compaction.
    pub fn expire_next_continue(&self) {
        self.shared.state().expire_next_continue = true;
    }

    /// How long a port-forward keeps a port open after the pod closed its
    /// connection (the container runtime's 1 s by default).
    pub fn set_port_forward_linger(&self, linger: Duration) {
        self.shared.state().port_forward_linger = linger;
    }

    /// Whether pods/proxy rewrites links in HTML responses (on by default,
    /// as kube-apiserver does).
    pub fn set_rewrite_html(&self, on: bool) {
        self.shared.state().rewrite_html = on;
    }

    /// Every request answered so far, in order of completion.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.state().log.clone()
    }

    pub fn clear_requests(&self) {
        self.shared.state().log.clear();
    }

    /// Closes the port and every connection, and waits for their tasks.
    pub async fn shutdown(self) {
        self.shared.token.cancel();
        self.shared.tasks.close();
        self.shared.tasks.wait().await;
    }
}

impl Drop for FakeCluster {
    fn drop(&mut self) {
        self.shared.token.cancel();
    }
}

/// A random UUID (version 4 layout), like the uids the API server assigns.
pub(crate) fn new_uid() -> String {
    let h = crate::random_hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// Now, as Kubernetes timestamps read (`2024-05-01T10:00:00Z`).
pub(crate) fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    k8s_openapi::jiff::Timestamp::from_second(i64::try_from(secs).unwrap_or(0))
        .ok()
        .and_then(|t| k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%SZ", t).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Five characters from the alphabet Kubernetes' `generateName` uses.
pub(crate) fn random_name_suffix() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
