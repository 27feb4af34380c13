//! From API objects to candidate pods: every EndpointSlice of a Service merged, or the Pods a
//! label selector lists. Pure functions, so every rule is unit-tested on hand-made objects.
//!
//! Invariants: one candidate per pod (keyed by its uid, else its name, else its address), so a
//! pod listed by two slices (the controller moving it) or by an IPv4 and an IPv6 slice (dual
//! stack) is called once, through the preferred family when it has an address there; conditions
//! follow the API's defaults (a missing `ready` or `serving` is true, a missing `terminating`
//! false); only ready pods are kept unless not-ready ones are asked for, and every endpoint left
//! out is listed with the reason, so a report can say why a pod was not called; output is sorted
//! by name, whatever order the API returned.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::choices::PortRef;

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn of(ip: &IpAddr) -> Family {
        if ip.is_ipv4() { Family::V4 } else { Family::V6 }
    }

    /// From an EndpointSlice's `addressType` or a Service's `ipFamilies` entry.
    pub fn parse(s: &str) -> Option<Family> {
        match s {
            "IPv4" => Some(Family::V4),
            "IPv6" => Some(Family::V6),
            _ => None,
        }
    }
}

/// One pod found, before the transport is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The pod's name, or the address for an endpoint no pod stands behind.
    pub name: String,
    pub uid: Option<String>,
    /// Whether a Pod stands behind it (pods/proxy and port-forwards need one).
    pub is_pod: bool,
    pub address: IpAddr,
    pub port: u16,
    pub node: Option<String>,
    pub zone: Option<String>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

/// An endpoint or pod left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    pub name: String,
    pub address: Option<String>,
    pub reason: String,
}

/// What a listing found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub pods: Vec<Candidate>,
    pub skipped: Vec<Skip>,
    pub warnings: Vec<String>,
}

/// Which port of an EndpointSlice: by the Service port's name (`""` for an unnamed port), or by
/// the number the pods listen on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlicePort {
    Name(String),
    Number(u16),
}

impl std::fmt::Display for SlicePort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlicePort::Name(n) if n.is_empty() => f.write_str("(unnamed)"),
            SlicePort::Name(n) => f.write_str(n),
            SlicePort::Number(n) => write!(f, "{n}"),
        }
    }
}

fn state_reason(ready: bool, serving: bool, terminating: bool) -> &'static str {
    match (ready, serving, terminating) {
        (true, _, _) => "ready",
        (false, true, true) => "terminating (still serving)",
        (false, _, true) => "terminating",
        (false, true, false) => "not ready (serving)",
        (false, false, false) => "not ready",
    }
}

/// One endpoint of one slice, read.
struct Seen {
    key: String,
    candidate: Candidate,
    family: Family,
}

/// Merges every slice of a Service; see the module documentation.
pub fn from_slices(
    slices: &[EndpointSlice],
    port: &SlicePort,
    prefer: Family,
    include_not_ready: bool,
) -> Found {
    let mut found = Found::default();
    let mut groups: BTreeMap<String, Vec<Seen>> = BTreeMap::new();
    let mut fqdn_warned = false;
    for slice in slices {
        let slice_name = slice.metadata.name.as_deref().unwrap_or("?");
        let Some(family) = Family::parse(&slice.address_type) else {
            if !fqdn_warned && slice.endpoints.as_ref().is_some_and(|e| !e.is_empty()) {
                fqdn_warned = true;
                found.warnings.push(format!(
                    "EndpointSlice {slice_name} lists {} addresses, which cannot be called directly; they were left out",
                    slice.address_type
                ));
            }
            continue;
        };
        let number = slice
            .ports
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find_map(|p| {
                let tcp = p.protocol.as_deref().is_none_or(|proto| proto == "TCP");
                let matches = match port {
                    SlicePort::Name(n) => p.name.as_deref().unwrap_or("") == n,
                    SlicePort::Number(n) => p.port == Some(i32::from(*n)),
                };
                if tcp && matches {
                    p.port.and_then(|n| u16::try_from(n).ok())
                } else {
                    None
                }
            });
        for e in slice.endpoints.iter().flatten() {
            let target = e.target_ref.as_ref();
            let is_pod = target.is_some_and(|t| t.kind.as_deref().is_none_or(|k| k == "Pod"));
            let address_text = e.addresses.first().cloned().unwrap_or_default();
            let name = target
                .and_then(|t| t.name.clone())
                .unwrap_or_else(|| address_text.clone());
            let Ok(address) = address_text.parse::<IpAddr>() else {
                found.skipped.push(Skip {
                    name,
                    address: Some(address_text.clone()),
                    reason: format!(
                        "{address_text:?} in EndpointSlice {slice_name} is not an IP address"
                    ),
                });
                continue;
            };
            let Some(number) = number else {
                found.skipped.push(Skip {
                    name,
                    address: Some(address_text),
                    reason: format!("EndpointSlice {slice_name} has no TCP port {port}"),
                });
                continue;
            };
            let c = e.conditions.clone().unwrap_or_default();
            let key = target
                .and_then(|t| t.uid.clone().or_else(|| t.name.clone()))
                .unwrap_or_else(|| address.to_string());
            groups.entry(key.clone()).or_default().push(Seen {
                key,
                family,
                candidate: Candidate {
                    name,
                    uid: target.and_then(|t| t.uid.clone()),
                    is_pod,
                    address,
                    port: number,
                    node: e.node_name.clone(),
                    zone: e.zone.clone(),
                    ready: c.ready.unwrap_or(true),
                    serving: c.serving.unwrap_or(true),
                    terminating: c.terminating.unwrap_or(false),
                },
            });
        }
    }
    for (_, seen) in groups {
        let family = if seen.iter().any(|s| s.family == prefer) {
            prefer
        } else {
            seen[0].family
        };
        let mut same: Vec<&Seen> = seen.iter().filter(|s| s.family == family).collect();
        // The controller moving an endpoint lists it twice for a moment; the copies may
        // disagree, and calling a pod once too often is better than missing it.
        let first = same.remove(0);
        let mut c = first.candidate.clone();
        for other in same {
            debug_assert_eq!(other.key, first.key);
            c.ready |= other.candidate.ready;
            c.serving |= other.candidate.serving;
            c.terminating &= other.candidate.terminating;
        }
        keep(&mut found, c, include_not_ready);
    }
    sort(&mut found);
    found
}

fn keep(found: &mut Found, c: Candidate, include_not_ready: bool) {
    if c.ready || include_not_ready {
        found.pods.push(c);
    } else {
        found.skipped.push(Skip {
            name: c.name.clone(),
            address: Some(c.address.to_string()),
            reason: state_reason(c.ready, c.serving, c.terminating).to_string(),
        });
    }
}

fn sort(found: &mut Found) {
    found.pods.sort_by(|a, b| a.name.cmp(&b.name));
    found.skipped.sort_by(|a, b| a.name.cmp(&b.name));
}

/// A container port, as the pods of a selector declare them.
fn declared_ports(pod: &Pod) -> Vec<(Option<String>, u16)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .filter(|p| p.protocol.as_deref().is_none_or(|proto| proto == "TCP"))
        .filter_map(|p| Some((p.name.clone(), u16::try_from(p.container_port).ok()?)))
        .collect()
}

fn describe_ports(ports: &[(Option<String>, u16)]) -> String {
    if ports.is_empty() {
        return "none".into();
    }
    ports
        .iter()
        .map(|(n, p)| match n {
            Some(n) => format!("{n} ({p})"),
            None => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pods a label selector listed: Running ones, ready ones unless not-ready ones are asked
/// for, each at its address of the preferred family (else its primary one) and its port.
/// `Err` when the port is ambiguous or missing: a usage error naming the pod and its ports.
pub fn from_pods(
    pods: &[Pod],
    port: Option<&PortRef>,
    prefer: Option<Family>,
    include_not_ready: bool,
) -> Result<Found, String> {
    let mut found = Found::default();
    for pod in pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        let phase = status.phase.clone().unwrap_or_else(|| "Unknown".into());
        let mut ips: Vec<IpAddr> = status
            .pod_ips
            .iter()
            .flatten()
            .filter_map(|p| p.ip.parse().ok())
            .collect();
        if ips.is_empty()
            && let Some(ip) = status.pod_ip.as_deref().and_then(|ip| ip.parse().ok())
        {
            ips.push(ip);
        }
        if phase != "Running" {
            found.skipped.push(Skip {
                name,
                address: ips.first().map(ToString::to_string),
                reason: format!("phase {phase}"),
            });
            continue;
        }
        let Some(first) = ips.first().copied() else {
            found.skipped.push(Skip {
                name,
                address: None,
                reason: "no IP address yet".into(),
            });
            continue;
        };
        let address = prefer
            .and_then(|f| ips.iter().copied().find(|ip| Family::of(ip) == f))
            .unwrap_or(first);
        let declared = declared_ports(pod);
        let number = match port {
            Some(PortRef::Number(n)) => *n,
            Some(PortRef::Name(n)) => {
                match declared.iter().find(|(d, _)| d.as_deref() == Some(n)) {
                    Some((_, p)) => *p,
                    None => {
                        return Err(format!(
                            "pod {name} declares no container port named {n:?} (its ports: {}); give the port with --port",
                            describe_ports(&declared)
                        ));
                    }
                }
            }
            None => match declared.as_slice() {
                [(_, p)] => *p,
                _ => {
                    return Err(format!(
                        "pod {name} declares {} container ports ({}); choose one with --port NAME or --port NUMBER",
                        declared.len(),
                        describe_ports(&declared)
                    ));
                }
            },
        };
        let ready_condition = status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        let terminating = pod.metadata.deletion_timestamp.is_some();
        let c = Candidate {
            name,
            uid: pod.metadata.uid.clone(),
            is_pod: true,
            address,
            port: number,
            node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            zone: None,
            ready: ready_condition && !terminating,
            serving: ready_condition,
            terminating,
        };
        keep(&mut found, c, include_not_ready);
    }
    sort(&mut found);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slice(
        name: &str,
        family: &str,
        ports: serde_json::Value,
        endpoints: serde_json::Value,
    ) -> EndpointSlice {
        serde_json::from_value(json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"name": name},
            "addressType": family,
            "ports": ports,
            "endpoints": endpoints,
        }))
        .unwrap()
    }

    fn endpoint(pod: &str, ip: &str, conditions: serde_json::Value) -> serde_json::Value {
        json!({
            "addresses": [ip],
            "conditions": conditions,
            "targetRef": {"kind": "Pod", "name": pod, "namespace": "web", "uid": format!("uid-{pod}")},
            "nodeName": "node-1",
            "zone": "zone-a",
        })
    }

    fn http(port: u16) -> serde_json::Value {
        json!([{"name": "http", "protocol": "TCP", "port": port}])
    }

    fn names(f: &Found) -> Vec<&str> {
        f.pods.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn slices_merge_and_duplicates_are_called_once() {
        let a = slice(
            "web-a",
            "IPv4",
            http(3000),
            json!([
                endpoint("web-0", "10.0.0.1", json!({"ready": true})),
                endpoint("web-1", "10.0.0.2", json!({"ready": true})),
            ]),
        );
        let b = slice(
            "web-b",
            "IPv4",
            http(3000),
            json!([
                endpoint("web-2", "10.0.0.3", json!({"ready": true})),
                // Moving between slices: listed twice, once still not ready.
                endpoint("web-0", "10.0.0.1", json!({"ready": false})),
            ]),
        );
        let f = from_slices(&[b, a], &SlicePort::Name("http".into()), Family::V4, false);
        assert_eq!(names(&f), ["web-0", "web-1", "web-2"]);
        assert!(f.pods[0].ready, "a copy that says ready wins");
        assert_eq!(f.pods[0].port, 3000);
        assert_eq!(f.pods[0].address.to_string(), "10.0.0.1");
        assert!(f.skipped.is_empty());
    }

    #[test]
    fn conditions_follow_the_api_defaults() {
        let s = slice(
            "web-a",
            "IPv4",
            http(3000),
            json!([
                endpoint("absent", "10.0.0.1", json!({})),
                endpoint(
                    "not-ready",
                    "10.0.0.2",
                    json!({"ready": false, "serving": false, "terminating": false})
                ),
                endpoint(
                    "draining",
                    "10.0.0.3",
                    json!({"ready": false, "serving": true, "terminating": true})
                ),
                endpoint("old-writer", "10.0.0.4", json!({"ready": false})),
            ]),
        );
        let port = SlicePort::Name("http".into());
        let f = from_slices(std::slice::from_ref(&s), &port, Family::V4, false);
        assert_eq!(names(&f), ["absent"]);
        let absent = &f.pods[0];
        assert!(absent.ready && absent.serving && !absent.terminating);
        let reasons: Vec<(&str, &str)> = f
            .skipped
            .iter()
            .map(|s| (s.name.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("draining", "terminating (still serving)"),
                ("not-ready", "not ready"),
                // A missing serving means true, even next to ready: false.
                ("old-writer", "not ready (serving)"),
            ]
        );
        let all = from_slices(&[s], &port, Family::V4, true);
        assert_eq!(
            names(&all),
            ["absent", "draining", "not-ready", "old-writer"]
        );
        assert!(all.skipped.is_empty());
        let draining = &all.pods[1];
        assert!(!draining.ready && draining.serving && draining.terminating);
    }

    #[test]
    fn dual_stack_prefers_one_family_per_pod() {
        let v4 = slice(
            "web-v4",
            "IPv4",
            http(3000),
            json!([
                endpoint("web-0", "10.0.0.1", json!({})),
                endpoint("web-1", "10.0.0.2", json!({}))
            ]),
        );
        let v6 = slice(
            "web-v6",
            "IPv6",
            http(3000),
            json!([
                endpoint("web-0", "fd00::1", json!({})),
                endpoint("web-1", "fd00::2", json!({})),
                endpoint("web-6", "fd00::6", json!({})),
            ]),
        );
        let port = SlicePort::Name("http".into());
        let f = from_slices(&[v4.clone(), v6.clone()], &port, Family::V4, false);
        let addrs: Vec<String> = f.pods.iter().map(|p| p.address.to_string()).collect();
        assert_eq!(
            addrs,
            ["10.0.0.1", "10.0.0.2", "fd00::6"],
            "an IPv6-only pod is still called"
        );
        let f = from_slices(&[v4, v6], &port, Family::V6, false);
        let addrs: Vec<String> = f.pods.iter().map(|p| p.address.to_string()).collect();
        assert_eq!(addrs, ["fd00::1", "fd00::2", "fd00::6"]);
    }

    #[test]
    fn ports_by_name_or_number_and_slices_without_it() {
        let a = slice(
            "a",
            "IPv4",
            json!([{"name": "http", "port": 3000}, {"name": "metrics", "port": 9090}]),
            json!([endpoint("web-0", "10.0.0.1", json!({}))]),
        );
        // A pod whose container names no `metrics` port lands in a slice without it.
        let b = slice(
            "b",
            "IPv4",
            http(3001),
            json!([endpoint("web-1", "10.0.0.2", json!({}))]),
        );
        let f = from_slices(
            &[a.clone(), b.clone()],
            &SlicePort::Name("metrics".into()),
            Family::V4,
            false,
        );
        assert_eq!(names(&f), ["web-0"]);
        assert_eq!(f.pods[0].port, 9090);
        assert_eq!(
            f.skipped[0].reason,
            "EndpointSlice b has no TCP port metrics"
        );
        let f = from_slices(&[a, b], &SlicePort::Number(3001), Family::V4, false);
        assert_eq!(names(&f), ["web-1"]);
        // An unnamed Service port shows up as "" in slices.
        let unnamed = slice(
            "c",
            "IPv4",
            json!([{"name": "", "port": 8080}]),
            json!([{"addresses": ["10.0.0.9"]}]),
        );
        let f = from_slices(
            &[unnamed],
            &SlicePort::Name(String::new()),
            Family::V4,
            false,
        );
        assert_eq!(names(&f), ["10.0.0.9"], "no targetRef: named by address");
        assert!(!f.pods[0].is_pod);
    }

    #[test]
    fn placeholder_and_fqdn_slices() {
        let empty: EndpointSlice = serde_json::from_value(json!({
            "metadata": {"name": "web-x"}, "addressType": "IPv4", "endpoints": null, "ports": null,
        }))
        .unwrap();
        let fqdn = slice(
            "dns",
            "FQDN",
            http(80),
            json!([{"addresses": ["db.example.com"]}]),
        );
        let f = from_slices(
            &[empty, fqdn],
            &SlicePort::Name("http".into()),
            Family::V4,
            false,
        );
        assert!(f.pods.is_empty() && f.skipped.is_empty());
        assert_eq!(f.warnings.len(), 1);
        assert!(f.warnings[0].contains("FQDN"), "{:?}", f.warnings);
    }

    fn pod(name: &str, phase: &str, ready: bool, ips: &[&str], ports: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "uid": format!("uid-{name}")},
            "spec": {"nodeName": "node-2", "containers": [{"name": "app", "ports": ports}]},
            "status": {
                "phase": phase,
                "podIP": ips.first(),
                "podIPs": ips.iter().map(|ip| json!({"ip": ip})).collect::<Vec<_>>(),
                "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
            },
        }))
        .unwrap()
    }

    #[test]
    fn pods_are_running_and_ready_with_their_port() {
        let one = json!([{"name": "http", "containerPort": 3000}]);
        let pods = [
            pod(
                "web-0",
                "Running",
                true,
                &["10.0.0.1", "fd00::1"],
                one.clone(),
            ),
            pod("web-1", "Running", false, &["10.0.0.2"], one.clone()),
            pod("web-2", "Pending", false, &[], one.clone()),
        ];
        let f = from_pods(&pods, None, None, false).unwrap();
        assert_eq!(names(&f), ["web-0"]);
        assert_eq!(
            (f.pods[0].port, f.pods[0].address.to_string().as_str()),
            (3000, "10.0.0.1")
        );
        assert_eq!(f.pods[0].node.as_deref(), Some("node-2"));
        let reasons: Vec<&str> = f.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons, ["not ready", "phase Pending"]);
        let f = from_pods(&pods, None, Some(Family::V6), true).unwrap();
        assert_eq!(names(&f), ["web-0", "web-1"]);
        assert_eq!(f.pods[0].address.to_string(), "fd00::1");

        let two = json!([{"name": "http", "containerPort": 3000}, {"name": "metrics", "containerPort": 9090}]);
        let pods = [pod("api-0", "Running", true, &["10.0.0.5"], two)];
        let e = from_pods(&pods, None, None, false).unwrap_err();
        assert_eq!(
            e,
            "pod api-0 declares 2 container ports (http (3000), metrics (9090)); choose one with --port NAME or --port NUMBER"
        );
        let f = from_pods(&pods, Some(&PortRef::Name("metrics".into())), None, false).unwrap();
        assert_eq!(f.pods[0].port, 9090);
        let f = from_pods(&pods, Some(&PortRef::Number(8080)), None, false).unwrap();
        assert_eq!(f.pods[0].port, 8080, "a number need not be declared");
        let e = from_pods(&pods, Some(&PortRef::Name("grpc".into())), None, false).unwrap_err();
        assert!(e.contains("no container port named \"grpc\""), "{e}");
    }
}
