//! The fake cluster's state: stored objects, the resource version counter,
//! where each pod's ports really listen, and the knobs tests turn.
//!
//! Invariants: every write bumps the cluster-wide resource version and stamps
//! it on the object, as etcd does; lists come out in etcd key order
//! (`namespace/name`), so `limit`/`continue` pages are stable; and a pod port
//! is only ever dialled on a loopback address, so nothing leaves the machine.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::auth::Tokens;
use super::resource::Kind;
use super::selector::{FieldSelector, LabelSelector};
use super::status::{self, Failure};
use super::{LoggedRequest, new_uid, now_rfc3339};

/// What a list request asked for.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListQuery {
    pub(crate) labels: LabelSelector,
    pub(crate) fields: FieldSelector,
    pub(crate) limit: Option<usize>,
    pub(crate) continue_token: Option<String>,
}

/// Why a pod port cannot be dialled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DialTarget {
    /// Dial this address.
    Addr(SocketAddr),
    /// The pod has no (valid) IP: the proxy answers 400 "address not allowed".
    NoAddress,
    /// A non-loopback pod IP without a route: the fake refuses to leave the
    /// machine and reports what a cluster would after a connect timeout.
    Unroutable(String),
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) tokens: Tokens,
    objects: BTreeMap<(Kind, String, String), Value>,
    revision: u64,
    routes: HashMap<(String, String, u16), SocketAddr>,
    /// The next list request carrying a continue token gets 410 Expired.
    pub(crate) expire_next_continue: bool,
    /// How long a port-forward keeps a port after the pod closed it.
    pub(crate) port_forward_linger: Duration,
    /// Whether pods/proxy rewrites links in HTML responses.
    pub(crate) rewrite_html: bool,
    pub(crate) log: Vec<LoggedRequest>,
}

impl Default for State {
    fn default() -> State {
        State {
            tokens: Tokens::default(),
            objects: BTreeMap::new(),
            revision: 1000,
            routes: HashMap::new(),
            expire_next_continue: false,
            port_forward_linger: Duration::from_secs(1),
            rewrite_html: true,
            log: Vec::new(),
        }
    }
}

/// The marker rv of an inconsistent continue token (the one a 410 hands out).
const INCONSISTENT_RV: i64 = -1;

impl State {
    /// Stores (creates or replaces) an object, stamping `apiVersion`, `kind`,
    /// namespace, uid, creation time and a fresh resourceVersion. Creates the
    /// namespace when it does not exist yet. Returns the stored object.
    pub(crate) fn apply(&mut self, kind: Kind, mut object: Value) -> Result<Value, String> {
        let Some(obj) = object.as_object_mut() else {
            return Err(format!("a {} must be a JSON object", kind.kind()));
        };
        obj.insert("apiVersion".into(), kind.api_version().into());
        obj.insert("kind".into(), kind.kind().into());
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or("metadata must be an object")?;
        let name = meta
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("a {} needs metadata.name", kind.kind()))?
            .to_owned();
        let namespace = if kind.namespaced() {
            let ns = meta
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or("default")
                .to_owned();
            meta.insert("namespace".into(), ns.clone().into());
            ns
        } else {
            meta.remove("namespace");
            String::new()
        };
        let key = (kind, namespace.clone(), name);
        let old_meta = self.objects.get(&key).map(|o| o["metadata"].clone());
        for field in ["uid", "creationTimestamp"] {
            if meta.get(field).is_none_or(Value::is_null) {
                let value = match (&old_meta, field) {
                    (Some(old), _) if !old[field].is_null() => old[field].clone(),
                    (_, "uid") => new_uid().into(),
                    _ => now_rfc3339().into(),
                };
                meta.insert(field.into(), value);
            }
        }
        self.revision += 1;
        meta.insert("resourceVersion".into(), self.revision.to_string().into());
        if kind.namespaced()
            && !self
                .objects
                .contains_key(&(Kind::Namespace, String::new(), namespace.clone()))
        {
            self.apply(Kind::Namespace, namespace_object(&namespace))?;
        }
        self.objects.insert(key, object.clone());
        Ok(object)
    }

    pub(crate) fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Value> {
        let ns = if kind.namespaced() { namespace } else { "" };
        self.objects.get(&(kind, ns.to_owned(), name.to_owned()))
    }

    pub(crate) fn delete(&mut self, kind: Kind, namespace: &str, name: &str) -> Option<Value> {
        let ns = if kind.namespaced() { namespace } else { "" };
        let gone = self.objects.remove(&(kind, ns.to_owned(), name.to_owned()));
        if gone.is_some() {
            self.revision += 1;
        }
        gone
    }

    /// Every stored object of a kind (in one namespace, or all), key order.
    pub(crate) fn all(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Value> {
        let mut items: Vec<(String, &Value)> = self
            .objects
            .iter()
            .filter(|((k, ns, _), _)| *k == kind && namespace.is_none_or(|n| n == ns))
            .map(|((_, ns, name), v)| (etcd_key(ns, name), v))
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        items.into_iter().map(|(_, v)| v).collect()
    }

    /// A list response (`{kind: PodList, apiVersion, metadata, items}`),
    /// honouring selectors, `limit` and `continue` as etcd-backed lists do:
    /// a page holds at most `limit` matching items, and carries a continue
    /// token whenever any key (matching or not) follows its last item.
    pub(crate) fn list(
        &mut self,
        kind: Kind,
        namespace: Option<&str>,
        query: &ListQuery,
    ) -> Result<Value, Failure> {
        let start = match &query.continue_token {
            None => None,
            Some(token) => {
                let (rv, start) = decode_continue(token)?;
                if self.expire_next_continue && rv != INCONSISTENT_RV {
                    self.expire_next_continue = false;
                    let fresh = encode_continue(INCONSISTENT_RV, &start);
                    return Err(status::continue_expired(&fresh));
                }
                Some(start)
            }
        };
        let mut keyed: Vec<(String, &Value)> = self
            .objects
            .iter()
            .filter(|((k, ns, _), _)| *k == kind && namespace.is_none_or(|n| n == ns))
            .map(|((_, ns, name), v)| (etcd_key(ns, name), v))
            .filter(|(key, _)| start.as_ref().is_none_or(|s| key.as_str() >= s.as_str()))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let limit = query.limit.filter(|&l| l > 0).unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut last_key = None;
        let mut scanned = 0;
        for (key, object) in &keyed {
            if items.len() == limit {
                break;
            }
            scanned += 1;
            if query.labels.matches(object) && query.fields.matches(object) {
                items.push(list_item(object));
                last_key = Some(key.clone());
            }
        }
        let mut metadata = Map::new();
        metadata.insert("resourceVersion".into(), self.revision.to_string().into());
        let remaining = keyed.len() - scanned;
        if remaining > 0
            && let Some(last) = last_key
        {
            let rv = i64::try_from(self.revision).unwrap_or(i64::MAX);
            metadata.insert(
                "continue".into(),
                encode_continue(rv, &format!("{last}\0")).into(),
            );
            if query.labels.is_empty() && query.fields.is_empty() {
                metadata.insert("remainingItemCount".into(), remaining.into());
            }
        }
        Ok(json!({
            "kind": format!("{}List", kind.kind()),
            "apiVersion": kind.api_version(),
            "metadata": metadata,
            "items": items,
        }))
    }

    /// Declares where `port` of pod `ns/name` really listens, for pods whose
    /// IP is not a reachable loopback address.
    pub(crate) fn set_route(&mut self, ns: &str, pod: &str, port: u16, addr: SocketAddr) {
        self.routes
            .insert((ns.to_owned(), pod.to_owned(), port), addr);
    }

    /// Where a connection to `port` of the pod goes: its route when one is
    /// set, else its (loopback) pod IP.
    pub(crate) fn dial_target(&self, pod: &Value, port: u16) -> DialTarget {
        let ns = pod
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let name = pod
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(addr) = self.routes.get(&(ns.to_owned(), name.to_owned(), port)) {
            return DialTarget::Addr(*addr);
        }
        let ip = pod
            .pointer("/status/podIP")
            .and_then(Value::as_str)
            .unwrap_or("");
        match ip.parse::<IpAddr>() {
            Ok(ip) if ip.is_loopback() => DialTarget::Addr(SocketAddr::new(ip, port)),
            Ok(ip) => DialTarget::Unroutable(format!(
                "dial tcp {}: connect: no route to host",
                SocketAddr::new(ip, port)
            )),
            Err(_) => DialTarget::NoAddress,
        }
    }
}

/// The key etcd would sort the object under, relative to the kind's prefix.
fn etcd_key(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}/{name}")
    }
}

/// List items carry neither `kind` nor `apiVersion` on the wire.
fn list_item(object: &Value) -> Value {
    let mut item = object.clone();
    if let Some(map) = item.as_object_mut() {
        map.remove("kind");
        map.remove("apiVersion");
    }
    item
}

fn namespace_object(name: &str) -> Value {
    json!({
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/metadata.name": name},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    })
}

/// Encodes a continue token the way kube-apiserver does: base64url (no
/// padding) of `{"v":"meta.k8s.io/v1","rv":N,"start":KEY}`.
fn encode_continue(rv: i64, start: &str) -> String {
    let json = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    URL_SAFE_NO_PAD.encode(json.to_string())
}

fn decode_continue(token: &str) -> Result<(i64, String), Failure> {
    let invalid = |why: String| status::bad_request(&format!("continue key is not valid: {why}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|e| invalid(e.to_string()))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
    if value["v"] != "meta.k8s.io/v1" {
        return Err(invalid("server does not recognize this encoded key".into()));
    }
    let rv = value["rv"].as_i64().unwrap_or(0);
    let start = value["start"].as_str().unwrap_or("").to_owned();
    if rv == 0 || start.is_empty() {
        return Err(invalid(
            "incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into(),
        ));
    }
    Ok((rv, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with_pods(n: usize) -> State {
        let mut s = State::default();
        for i in 0..n {
            let labels = if i % 2 == 0 {
                json!({"app": "web"})
            } else {
                json!({"app": "api"})
            };
            s.apply(
                Kind::Pod,
                json!({"metadata": {"name": format!("p{i:02}"), "namespace": "web", "labels": labels}}),
            )
            .unwrap();
        }
        s
    }

    #[test]
    fn apply_stamps_metadata_and_creates_the_namespace() {
        let mut s = State::default();
        let first = s
            .apply(
                Kind::Pod,
                json!({"metadata": {"name": "a", "namespace": "web"}}),
            )
            .unwrap();
        assert_eq!(first["kind"], "Pod");
        assert_eq!(first["apiVersion"], "v1");
        assert_eq!(first["metadata"]["uid"].as_str().unwrap().len(), 36);
        assert!(s.get(Kind::Namespace, "", "web").is_some());
        let again = s
            .apply(
                Kind::Pod,
                json!({"metadata": {"name": "a", "namespace": "web"}}),
            )
            .unwrap();
        assert_eq!(again["metadata"]["uid"], first["metadata"]["uid"]);
        assert_ne!(
            again["metadata"]["resourceVersion"],
            first["metadata"]["resourceVersion"]
        );
        assert!(s.apply(Kind::Pod, json!({"metadata": {}})).is_err());
    }

    #[test]
    fn pages_follow_key_order_and_selectors() {
        let mut s = state_with_pods(5);
        let mut q = ListQuery {
            limit: Some(2),
            ..ListQuery::default()
        };
        let page = s.list(Kind::Pod, Some("web"), &q).unwrap();
        assert_eq!(page["kind"], "PodList");
        assert!(page["items"][0].get("kind").is_none());
        assert_eq!(page["items"][1]["metadata"]["name"], "p01");
        assert_eq!(page["metadata"]["remainingItemCount"], 3);
        q.continue_token = page["metadata"]["continue"].as_str().map(str::to_owned);
        let page = s.list(Kind::Pod, Some("web"), &q).unwrap();
        assert_eq!(page["items"][0]["metadata"]["name"], "p02");
        q.continue_token = page["metadata"]["continue"].as_str().map(str::to_owned);
        let page = s.list(Kind::Pod, Some("web"), &q).unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert!(page["metadata"].get("continue").is_none());

        // With a selector: at most `limit` matches, no remaining count.
        let q = ListQuery {
            labels: LabelSelector::parse("app=web").unwrap(),
            limit: Some(2),
            ..ListQuery::default()
        };
        let page = s.list(Kind::Pod, Some("web"), &q).unwrap();
        let names: Vec<_> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].clone())
            .collect();
        assert_eq!(names, [json!("p00"), json!("p02")]);
        assert!(page["metadata"]["continue"].is_string());
        assert!(page["metadata"].get("remainingItemCount").is_none());
    }

    #[test]
    fn bad_and_expired_continue_tokens() {
        let mut s = state_with_pods(3);
        let q = |t: &str| ListQuery {
            continue_token: Some(t.to_owned()),
            limit: Some(1),
            ..ListQuery::default()
        };
        let err = s.list(Kind::Pod, None, &q("!!")).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(
            err.body["message"]
                .as_str()
                .unwrap()
                .starts_with("continue key is not valid: ")
        );
        let first = s
            .list(
                Kind::Pod,
                None,
                &ListQuery {
                    limit: Some(1),
                    ..ListQuery::default()
                },
            )
            .unwrap();
        let token = first["metadata"]["continue"].as_str().unwrap().to_owned();
        s.expire_next_continue = true;
        let expired = s.list(Kind::Pod, None, &q(&token)).unwrap_err();
        assert_eq!(
            (expired.code, expired.body["reason"].as_str()),
            (410, Some("Expired"))
        );
        let retry = expired.body["metadata"]["continue"].as_str().unwrap();
        let page = s.list(Kind::Pod, None, &q(retry)).unwrap();
        assert_eq!(page["items"][0]["metadata"]["name"], "p01");
    }

    #[test]
    fn pods_are_dialled_on_loopback_or_their_route() {
        let mut s = State::default();
        let pod = |ip: &str| json!({"metadata": {"name": "a", "namespace": "web"}, "status": {"podIP": ip}});
        let addr: SocketAddr = "127.0.0.11:3000".parse().unwrap();
        assert_eq!(
            s.dial_target(&pod("127.0.0.11"), 3000),
            DialTarget::Addr(addr)
        );
        assert_eq!(
            s.dial_target(&pod("10.244.0.5"), 3000),
            DialTarget::Unroutable("dial tcp 10.244.0.5:3000: connect: no route to host".into())
        );
        assert_eq!(s.dial_target(&pod(""), 3000), DialTarget::NoAddress);
        s.set_route("web", "a", 3000, addr);
        assert_eq!(
            s.dial_target(&pod("10.244.0.5"), 3000),
            DialTarget::Addr(addr)
        );
    }
}
