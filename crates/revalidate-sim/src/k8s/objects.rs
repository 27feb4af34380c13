//! Realistically shaped Kubernetes objects: Services, Pods and
//! EndpointSlices as kube-apiserver returns them for objects written by the
//! Deployment, kubelet and EndpointSlice controllers.
//!
//! Invariant: the JSON here is the wire shape of the real types, including
//! the quirks a client must cope with: an unnamed Service port shows up in
//! slices as `"name": ""`, a slice without pods has `"endpoints": null` and
//! `"ports": null`, and conditions an older writer never set are absent
//! (`"conditions": {}`), which the API defines as ready and serving.

use std::net::{IpAddr, Ipv4Addr};

use serde_json::{Value, json};

use super::builder::{ConditionFields, EndpointState, ServicePort, TargetPort};
use super::{new_uid, now_rfc3339, random_name_suffix};

/// What the kubelet would report about one pod.
#[derive(Clone, Debug)]
pub(crate) struct PodFacts {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) uid: String,
    pub(crate) app: String,
    pub(crate) ips: Vec<IpAddr>,
    pub(crate) container_port: u16,
    pub(crate) node: String,
    pub(crate) zone: String,
    pub(crate) state: EndpointState,
}

/// The node name, zone and host IP of the `i`-th simulated node (three nodes
/// in three zones, pods spread round-robin).
pub(crate) fn node_for(i: usize) -> (String, String) {
    let k = i % 3;
    (
        format!("node-{}", k + 1),
        format!("zone-{}", char::from(b'a' + k as u8)),
    )
}

fn host_ip(node: &str) -> String {
    let n: u8 = node
        .rsplit('-')
        .next()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    format!("172.18.0.{}", n + 1)
}

pub(crate) fn service(
    namespace: &str,
    name: &str,
    ports: &[ServicePort],
    cluster_ip: Ipv4Addr,
    dual_stack: bool,
) -> Value {
    let ports: Vec<Value> = ports
        .iter()
        .map(|p| {
            let mut port = json!({"protocol": "TCP", "port": p.port});
            if let Some(name) = &p.name {
                port["name"] = name.clone().into();
            }
            port["targetPort"] = match &p.target {
                TargetPort::Name(n) => n.clone().into(),
                TargetPort::Number(n) => (*n).into(),
            };
            port
        })
        .collect();
    let [.., c, d] = cluster_ip.octets();
    let (families, policy, ips) = if dual_stack {
        (
            json!(["IPv4", "IPv6"]),
            "PreferDualStack",
            json!([
                cluster_ip.to_string(),
                format!("fd00:10:96::{:x}", u16::from_be_bytes([c, d]))
            ]),
        )
    } else {
        (
            json!(["IPv4"]),
            "SingleStack",
            json!([cluster_ip.to_string()]),
        )
    };
    json!({
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app": name},
        },
        "spec": {
            "ports": ports,
            "selector": {"app": name},
            "clusterIP": cluster_ip.to_string(),
            "clusterIPs": ips,
            "type": "ClusterIP",
            "sessionAffinity": "None",
            "ipFamilies": families,
            "ipFamilyPolicy": policy,
            "internalTrafficPolicy": "Cluster",
        },
        "status": {"loadBalancer": {}},
    })
}

pub(crate) fn pod(p: &PodFacts) -> Value {
    let now = now_rfc3339();
    let ready = p.state == EndpointState::Ready;
    let cond = |type_: &str, ok: bool| {
        let mut c = json!({
            "type": type_,
            "status": if ok { "True" } else { "False" },
            "lastProbeTime": null,
            "lastTransitionTime": now,
        });
        if !ok {
            c["reason"] = "ContainersNotReady".into();
            c["message"] = "containers with unready status: [next]".into();
        }
        c
    };
    let image = "registry.example.com/web:1.0.0";
    let mut pod = json!({
        "metadata": {
            "name": p.name,
            "namespace": p.namespace,
            "uid": p.uid,
            "labels": {"app": p.app},
        },
        "spec": {
            "containers": [{
                "name": "next",
                "image": image,
                "ports": [{"name": "http", "containerPort": p.container_port, "protocol": "TCP"}],
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent",
            }],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "nodeName": p.node,
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "enableServiceLinks": true,
        },
        "status": {
            "phase": "Running",
            "conditions": [
                cond("PodReadyToStartContainers", true),
                cond("Initialized", true),
                cond("Ready", ready),
                cond("ContainersReady", ready),
                cond("PodScheduled", true),
            ],
            "hostIP": host_ip(&p.node),
            "hostIPs": [{"ip": host_ip(&p.node)}],
            "podIP": p.ips.first().map(ToString::to_string),
            "podIPs": p.ips.iter().map(|ip| json!({"ip": ip.to_string()})).collect::<Vec<_>>(),
            "startTime": now,
            "containerStatuses": [{
                "name": "next",
                "state": {"running": {"startedAt": now}},
                "lastState": {},
                "ready": ready,
                "restartCount": 0,
                "image": image,
                "imageID": format!("{image}@sha256:{}", "5f1c".repeat(16)),
                "containerID": format!("containerd://{}", p.uid.replace('-', "")),
                "started": true,
            }],
            "qosClass": "BestEffort",
        },
    });
    if let EndpointState::Terminating { .. } = p.state {
        pod["metadata"]["deletionTimestamp"] = now.into();
        pod["metadata"]["deletionGracePeriodSeconds"] = 30.into();
    }
    pod
}

/// One entry of a slice's `endpoints`.
pub(crate) fn endpoint(p: &PodFacts, address: IpAddr, fields: ConditionFields) -> Value {
    let (ready, serving, terminating) = match p.state {
        EndpointState::Ready => (true, true, false),
        EndpointState::NotReady => (false, false, false),
        EndpointState::Terminating { serving } => (false, serving, true),
    };
    let conditions = match fields {
        ConditionFields::All => {
            json!({"ready": ready, "serving": serving, "terminating": terminating})
        }
        ConditionFields::ReadyOnly => json!({"ready": ready}),
        ConditionFields::None => json!({}),
    };
    json!({
        "addresses": [address.to_string()],
        "conditions": conditions,
        "targetRef": {"kind": "Pod", "namespace": p.namespace, "name": p.name, "uid": p.uid},
        "nodeName": p.node,
        "zone": p.zone,
    })
}

/// An EndpointSlice owned by a Service, as the EndpointSlice controller
/// writes it. `ports` are (Service port name, resolved target port); an
/// empty `endpoints` gives the placeholder slice of a Service without pods.
pub(crate) fn endpoint_slice(
    namespace: &str,
    service: &str,
    service_uid: &str,
    ipv6: bool,
    endpoints: Vec<Value>,
    ports: &[(String, u16)],
) -> Value {
    let (endpoints, ports) = if endpoints.is_empty() {
        (Value::Null, Value::Null)
    } else {
        let ports: Vec<Value> = ports
            .iter()
            .map(|(name, port)| json!({"name": name, "protocol": "TCP", "port": port}))
            .collect();
        (Value::Array(endpoints), Value::Array(ports))
    };
    json!({
        "metadata": {
            "name": format!("{service}-{}", random_name_suffix()),
            "generateName": format!("{service}-"),
            "namespace": namespace,
            "uid": new_uid(),
            "generation": 1,
            "labels": {
                "app": service,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                "kubernetes.io/service-name": service,
            },
            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": now_rfc3339()},
            "ownerReferences": [{
                "apiVersion": "v1",
                "kind": "Service",
                "name": service,
                "uid": service_uid,
                "controller": true,
                "blockOwnerDeletion": true,
            }],
        },
        "addressType": if ipv6 { "IPv6" } else { "IPv4" },
        "endpoints": endpoints,
        "ports": ports,
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Pod, Service};
    use k8s_openapi::api::discovery::v1::EndpointSlice;

    use super::*;

    fn facts(state: EndpointState) -> PodFacts {
        PodFacts {
            namespace: "web".into(),
            name: "web-0".into(),
            uid: new_uid(),
            app: "web".into(),
            ips: vec![
                "127.0.0.11".parse().unwrap(),
                "fd00:10:244::1".parse().unwrap(),
            ],
            container_port: 3000,
            node: "node-1".into(),
            zone: "zone-a".into(),
            state,
        }
    }

    #[test]
    fn objects_parse_as_the_k8s_openapi_types() {
        let svc = service(
            "web",
            "web",
            &[ServicePort::http()],
            Ipv4Addr::new(10, 96, 0, 10),
            true,
        );
        let svc: Service = serde_json::from_value(svc).unwrap();
        let spec = svc.spec.unwrap();
        assert_eq!(spec.ports.unwrap()[0].name.as_deref(), Some("http"));
        assert_eq!(spec.cluster_ips.unwrap().len(), 2);

        let p = facts(EndpointState::Terminating { serving: true });
        let pod: Pod = serde_json::from_value(pod(&p)).unwrap();
        assert!(pod.metadata.deletion_timestamp.is_some());
        let status = pod.status.unwrap();
        assert_eq!(status.pod_ips.unwrap().len(), 2);
        let ready = status
            .conditions
            .unwrap()
            .into_iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(ready.status, "False");

        let eps = vec![
            endpoint(&p, p.ips[0], ConditionFields::All),
            endpoint(
                &facts(EndpointState::Ready),
                p.ips[0],
                ConditionFields::None,
            ),
        ];
        let slice = endpoint_slice("web", "web", "uid", false, eps, &[(String::new(), 3000)]);
        let slice: EndpointSlice = serde_json::from_value(slice).unwrap();
        let endpoints = slice.endpoints.unwrap();
        let c = endpoints[0].conditions.clone().unwrap();
        assert_eq!(
            (c.ready, c.serving, c.terminating),
            (Some(false), Some(true), Some(true))
        );
        let c = endpoints[1].conditions.clone().unwrap();
        assert_eq!((c.ready, c.serving, c.terminating), (None, None, None));
        assert_eq!(
            endpoints[0].target_ref.as_ref().unwrap().name.as_deref(),
            Some("web-0")
        );
        assert_eq!(slice.ports.unwrap()[0].name.as_deref(), Some(""));
        assert_eq!(
            slice.metadata.labels.unwrap()["kubernetes.io/service-name"],
            "web"
        );

        let empty = endpoint_slice("web", "web", "uid", false, Vec::new(), &[]);
        assert!(empty["endpoints"].is_null() && empty["ports"].is_null());
        let empty: EndpointSlice = serde_json::from_value(empty).unwrap();
        assert!(empty.endpoints.is_none());
    }
}
