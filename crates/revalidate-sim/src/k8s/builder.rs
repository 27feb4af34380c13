//! The test-facing builder: namespaces, Services, the pods and EndpointSlices
//! of a simulated fleet, a 1,000-endpoint scale set-up, and tokens.
//!
//! Invariant: what the builder writes is what the EndpointSlice controller
//! would have written for the same pods: one slice per address family and
//! distinct set of ports, at most `per_slice` endpoints each, every endpoint
//! pointing at a Pod object that exists, with the same uid.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use serde_json::Value;

use super::auth::Access;
use super::objects::{self, PodFacts};
use super::resource::Kind;
use super::store::State;
use super::{FakeCluster, new_uid};
use crate::{Fleet, FleetOptions};

/// A Service's `targetPort`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetPort {
    /// A container port name (`http`); the simulated pods name theirs `http`.
    Name(String),
    /// A port number.
    Number(u16),
}

/// One port of a Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    /// `None` for the unnamed port a single-port Service may have.
    pub name: Option<String>,
    /// The Service's own port.
    pub port: u16,
    /// Where it leads on the pods.
    pub target: TargetPort,
}

impl ServicePort {
    /// An unnamed port whose target is the same number.
    pub fn new(port: u16) -> ServicePort {
        ServicePort {
            name: None,
            port,
            target: TargetPort::Number(port),
        }
    }

    /// `http`, port 80, to the pods' container port named `http`: the usual
    /// Next.js Service.
    pub fn http() -> ServicePort {
        ServicePort::new(80).named("http").to_name("http")
    }

    pub fn named(mut self, name: &str) -> ServicePort {
        self.name = Some(name.to_owned());
        self
    }

    /// Targets a container port by name.
    pub fn to_name(mut self, name: &str) -> ServicePort {
        self.target = TargetPort::Name(name.to_owned());
        self
    }

    /// Targets a container port by number.
    pub fn to_number(mut self, port: u16) -> ServicePort {
        self.target = TargetPort::Number(port);
        self
    }
}

/// The state of one pod, and so of its endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EndpointState {
    /// Running and Ready: `ready`, `serving`, not `terminating`.
    #[default]
    Ready,
    /// Running, readiness probe failing: nothing holds.
    NotReady,
    /// Being deleted (deletionTimestamp set): not `ready`, `terminating`, and
    /// `serving` while its readiness probe still passes.
    Terminating { serving: bool },
}

/// Which condition fields the slices carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConditionFields {
    /// `ready`, `serving` and `terminating`, as the controller writes them.
    #[default]
    All,
    /// Only `ready` (a writer from before 1.20).
    ReadyOnly,
    /// `conditions: {}` (a hand-written slice): the API reads ready and serving.
    None,
}

/// How [`FakeClusterBuilder::pods_from_fleet`] turns simulated pods into
/// Pods and EndpointSlices.
#[derive(Clone, Debug)]
pub struct FleetPods {
    /// Endpoints per slice (the controller's default maximum is 100).
    pub per_slice: usize,
    /// Pod states by fleet index; pods not listed are Ready.
    pub states: BTreeMap<usize, EndpointState>,
    /// Which conditions the slices spell out.
    pub conditions: ConditionFields,
    /// Also write IPv6 slices (addresses `fd00:10:244::N`, unreachable),
    /// listing the same pods, as a dual-stack Service has.
    pub dual_stack: bool,
    /// Fleet indexes whose endpoint also appears in a second slice, as it
    /// transiently does while the controller moves it.
    pub duplicated: Vec<usize>,
    /// Pod names are `{prefix}-{index}`; the Service name when `None`.
    pub pod_prefix: Option<String>,
}

impl Default for FleetPods {
    fn default() -> FleetPods {
        FleetPods {
            per_slice: 100,
            states: BTreeMap::new(),
            conditions: ConditionFields::All,
            dual_stack: false,
            duplicated: Vec::new(),
            pod_prefix: None,
        }
    }
}

impl FleetPods {
    pub fn per_slice(mut self, n: usize) -> FleetPods {
        self.per_slice = n.max(1);
        self
    }

    pub fn state(mut self, index: usize, state: EndpointState) -> FleetPods {
        self.states.insert(index, state);
        self
    }

    pub fn conditions(mut self, fields: ConditionFields) -> FleetPods {
        self.conditions = fields;
        self
    }

    pub fn dual_stack(mut self) -> FleetPods {
        self.dual_stack = true;
        self
    }

    pub fn duplicate(mut self, index: usize) -> FleetPods {
        self.duplicated.push(index);
        self
    }
}

/// The `n` loopback addresses 127.0.0.11, 127.0.0.12, ... for
/// [`FleetOptions::pod_ips`], so that each simulated pod has its own IP.
pub fn loopback_ips(n: usize) -> Vec<IpAddr> {
    (0..n)
        .map(|i| {
            let k = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(11);
            IpAddr::V4(Ipv4Addr::from(0x7F00_0000 | (k & 0x00FF_FFFF)))
        })
        .collect()
}

/// Starts a fleet whose pods listen on distinct loopback IPs and one shared
/// port (what the `direct` transport needs), retrying when the port the OS
/// picked for the first pod is taken on another address.
pub async fn loopback_fleet(opts: FleetOptions) -> io::Result<Fleet> {
    let opts = FleetOptions {
        pod_ips: loopback_ips(opts.pods),
        ..opts
    };
    let mut attempt = 0;
    loop {
        match Fleet::start(opts.clone()).await {
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && attempt < 20 => attempt += 1,
            other => return other,
        }
    }
}

struct ServiceDecl {
    namespace: String,
    name: String,
    ports: Vec<ServicePort>,
}

struct Backing {
    namespace: String,
    service: String,
    pods: Vec<SocketAddr>,
    opts: FleetPods,
}

struct Scaled {
    namespace: String,
    service: String,
    count: usize,
    backends: Vec<SocketAddr>,
}

/// Builds a [`FakeCluster`]; see the module documentation.
pub struct FakeClusterBuilder {
    namespace: String,
    namespaces: Vec<String>,
    services: Vec<ServiceDecl>,
    backings: Vec<Backing>,
    scaled: Vec<Scaled>,
    tokens: Vec<(String, String, Access)>,
}

impl FakeClusterBuilder {
    pub(crate) fn new() -> FakeClusterBuilder {
        FakeClusterBuilder {
            namespace: "default".to_owned(),
            namespaces: vec!["default".to_owned()],
            services: Vec::new(),
            backings: Vec::new(),
            scaled: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// Creates a namespace; what follows goes into it.
    pub fn namespace(mut self, name: &str) -> FakeClusterBuilder {
        name.clone_into(&mut self.namespace);
        if !self.namespaces.iter().any(|n| n == name) {
            self.namespaces.push(name.to_owned());
        }
        self
    }

    /// A ClusterIP Service selecting `app={name}`. Without pods it gets the
    /// controller's placeholder slice (`endpoints: null`).
    pub fn service(mut self, name: &str, ports: &[ServicePort]) -> FakeClusterBuilder {
        self.services.push(ServiceDecl {
            namespace: self.namespace.clone(),
            name: name.to_owned(),
            ports: ports.to_vec(),
        });
        self
    }

    /// One Pod per simulated pod (IP and container port `http` = the pod's
    /// real address) and the Service's EndpointSlices for them.
    pub fn pods_from_fleet(
        mut self,
        service: &str,
        fleet: &Fleet,
        opts: FleetPods,
    ) -> FakeClusterBuilder {
        self.backings.push(Backing {
            namespace: self.namespace.clone(),
            service: service.to_owned(),
            pods: fleet.pods().iter().map(|p| p.addr()).collect(),
            opts,
        });
        self
    }

    /// `count` Ready endpoints in slices of 100 (1,000 make 10 slices), pods
    /// `{service}-0000`... at 127.1.x.y:3000. Pods/proxy and port-forwards to
    /// pod `i` reach `backends[i % len]` (nothing when empty).
    pub fn scaled_endpoints(
        mut self,
        service: &str,
        count: usize,
        backends: &[SocketAddr],
    ) -> FakeClusterBuilder {
        self.scaled.push(Scaled {
            namespace: self.namespace.clone(),
            service: service.to_owned(),
            count,
            backends: backends.to_vec(),
        });
        self
    }

    /// Another bearer token, for `user`, with `access`.
    pub fn token(mut self, token: &str, user: &str, access: Access) -> FakeClusterBuilder {
        self.tokens
            .push((token.to_owned(), user.to_owned(), access));
        self
    }

    /// Writes every object and starts serving on 127.0.0.1 with an
    /// OS-chosen port.
    pub async fn start(self) -> io::Result<FakeCluster> {
        let mut state = State::default();
        self.populate(&mut state).map_err(io::Error::other)?;
        FakeCluster::serve(state, self.tokens).await
    }

    fn populate(&self, state: &mut State) -> Result<(), String> {
        let orphans = self.backings.iter().map(|b| (&b.namespace, &b.service));
        let orphans = orphans.chain(self.scaled.iter().map(|s| (&s.namespace, &s.service)));
        for (ns, service) in orphans {
            if !self
                .services
                .iter()
                .any(|s| &s.namespace == ns && &s.name == service)
            {
                return Err(format!(
                    "pods for Service {ns}/{service}, which the builder never declared"
                ));
            }
        }
        for ns in &self.namespaces {
            state.apply(
                Kind::Namespace,
                serde_json::json!({"metadata": {"name": ns}}),
            )?;
        }
        for (i, svc) in self.services.iter().enumerate() {
            let dual = self.backings.iter().any(|b| {
                b.namespace == svc.namespace && b.service == svc.name && b.opts.dual_stack
            });
            let octet = u8::try_from(i % 250 + 10).unwrap_or(10);
            let object = objects::service(
                &svc.namespace,
                &svc.name,
                &svc.ports,
                Ipv4Addr::new(10, 96, 0, octet),
                dual,
            );
            let stored = state.apply(Kind::Service, object)?;
            let uid = stored["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let mut pods = Vec::new();
            let mut opts = FleetPods::default();
            for b in self
                .backings
                .iter()
                .filter(|b| b.namespace == svc.namespace && b.service == svc.name)
            {
                pods.extend(fleet_pods(svc, b));
                opts = b.opts.clone();
            }
            for s in self
                .scaled
                .iter()
                .filter(|s| s.namespace == svc.namespace && s.service == svc.name)
            {
                let (scaled, routes) = scaled_pods(svc, s);
                pods.extend(scaled);
                for (pod, addr) in routes {
                    state.set_route(&svc.namespace, &pod, 3000, addr);
                }
            }
            for pod in &pods {
                state.apply(Kind::Pod, objects::pod(pod))?;
            }
            for slice in slices(svc, &uid, &pods, &opts) {
                state.apply(Kind::EndpointSlice, slice)?;
            }
        }
        Ok(())
    }
}

fn fleet_pods(svc: &ServiceDecl, b: &Backing) -> Vec<PodFacts> {
    let prefix = b
        .opts
        .pod_prefix
        .clone()
        .unwrap_or_else(|| svc.name.clone());
    b.pods
        .iter()
        .enumerate()
        .map(|(i, addr)| {
            let (node, zone) = objects::node_for(i);
            let mut ips = vec![addr.ip()];
            if b.opts.dual_stack {
                ips.push(IpAddr::V6(Ipv6Addr::new(
                    0xfd00,
                    0x10,
                    0x244,
                    0,
                    0,
                    0,
                    0,
                    i as u16 + 1,
                )));
            }
            PodFacts {
                namespace: svc.namespace.clone(),
                name: format!("{prefix}-{i}"),
                uid: new_uid(),
                app: svc.name.clone(),
                ips,
                container_port: addr.port(),
                node,
                zone,
                state: b.opts.states.get(&i).copied().unwrap_or_default(),
            }
        })
        .collect()
}

fn scaled_pods(svc: &ServiceDecl, s: &Scaled) -> (Vec<PodFacts>, Vec<(String, SocketAddr)>) {
    let mut routes = Vec::new();
    let pods = (0..s.count)
        .map(|i| {
            let (node, zone) = objects::node_for(i);
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let ip = Ipv4Addr::from(0x7F01_0000 | (n & 0xFFFF));
            let name = format!("{}-{i:04}", svc.name);
            if !s.backends.is_empty() {
                routes.push((name.clone(), s.backends[i % s.backends.len()]));
            }
            PodFacts {
                namespace: svc.namespace.clone(),
                name,
                uid: new_uid(),
                app: svc.name.clone(),
                ips: vec![IpAddr::V4(ip)],
                container_port: 3000,
                node,
                zone,
                state: EndpointState::Ready,
            }
        })
        .collect();
    (pods, routes)
}

/// The ports (Service port name, target number) a pod's endpoint carries:
/// a named target the pod does not define is left out, as the controller does.
fn endpoint_ports(ports: &[ServicePort], pod: &PodFacts) -> Vec<(String, u16)> {
    ports
        .iter()
        .filter_map(|p| {
            let number = match &p.target {
                TargetPort::Number(n) => *n,
                TargetPort::Name(n) if n == "http" => pod.container_port,
                TargetPort::Name(_) => return None,
            };
            Some((p.name.clone().unwrap_or_default(), number))
        })
        .collect()
}

fn slices(svc: &ServiceDecl, service_uid: &str, pods: &[PodFacts], opts: &FleetPods) -> Vec<Value> {
    let mut out = Vec::new();
    for ipv6 in [false, true] {
        if ipv6 && !opts.dual_stack {
            break;
        }
        // Group by port set, as the controller must: a slice has one ports list.
        let mut groups: BTreeMap<Vec<(String, u16)>, Vec<&PodFacts>> = BTreeMap::new();
        for pod in pods
            .iter()
            .filter(|p| p.ips.iter().any(|ip| ip.is_ipv6() == ipv6))
        {
            groups
                .entry(endpoint_ports(&svc.ports, pod))
                .or_default()
                .push(pod);
        }
        let family_start = out.len();
        for (ports, members) in &groups {
            for chunk in members.chunks(opts.per_slice.max(1)) {
                let endpoints = chunk
                    .iter()
                    .filter_map(|p| {
                        let ip = p.ips.iter().find(|ip| ip.is_ipv6() == ipv6)?;
                        Some(objects::endpoint(p, *ip, opts.conditions))
                    })
                    .collect();
                out.push(objects::endpoint_slice(
                    &svc.namespace,
                    &svc.name,
                    service_uid,
                    ipv6,
                    endpoints,
                    ports,
                ));
            }
        }
        // The duplicated endpoints also show up in the family's first slice
        // other than their own (or in an extra slice when there is only one).
        for &index in &opts.duplicated {
            let Some(pod) = pods.get(index) else { continue };
            let Some(ip) = pod.ips.iter().find(|ip| ip.is_ipv6() == ipv6) else {
                continue;
            };
            let entry = objects::endpoint(pod, *ip, opts.conditions);
            let address = ip.to_string();
            let other = (family_start..out.len()).find(|&k| !slice_has(&out[k], &address));
            match other {
                Some(k) => {
                    if let Some(endpoints) = out[k]["endpoints"].as_array_mut() {
                        endpoints.push(entry);
                    }
                }
                None => {
                    let ports = endpoint_ports(&svc.ports, pod);
                    out.push(objects::endpoint_slice(
                        &svc.namespace,
                        &svc.name,
                        service_uid,
                        ipv6,
                        vec![entry],
                        &ports,
                    ));
                }
            }
        }
        if out.len() == family_start && !ipv6 {
            out.push(objects::endpoint_slice(
                &svc.namespace,
                &svc.name,
                service_uid,
                false,
                Vec::new(),
                &[],
            ));
        }
    }
    out
}

fn slice_has(slice: &Value, address: &str) -> bool {
    slice["endpoints"]
        .as_array()
        .is_some_and(|eps| eps.iter().any(|e| e["addresses"][0] == address))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_ips_start_at_eleven() {
        let ips = loopback_ips(3);
        assert_eq!(ips[0].to_string(), "127.0.0.11");
        assert_eq!(ips[2].to_string(), "127.0.0.13");
        assert_eq!(loopback_ips(300)[299].to_string(), "127.0.1.54");
    }

    #[test]
    fn endpoints_need_a_declared_service() {
        let builder = FakeClusterBuilder::new()
            .namespace("web")
            .scaled_endpoints("web", 1, &[]);
        let err = builder.populate(&mut State::default()).unwrap_err();
        assert_eq!(
            err,
            "pods for Service web/web, which the builder never declared"
        );
        let builder = builder.service("web", &[ServicePort::http()]);
        let mut state = State::default();
        builder.populate(&mut state).unwrap();
        assert_eq!(state.all(Kind::Pod, Some("web")).len(), 1);
        assert_eq!(state.all(Kind::EndpointSlice, Some("web")).len(), 1);
    }

    fn decl(ports: &[ServicePort]) -> ServiceDecl {
        ServiceDecl {
            namespace: "web".into(),
            name: "web".into(),
            ports: ports.to_vec(),
        }
    }

    fn backing(n: u16, opts: FleetPods) -> Backing {
        let pods = (0..n)
            .map(|i| SocketAddr::from(([127, 0, 0, 11 + i as u8], 4000)))
            .collect();
        Backing {
            namespace: "web".into(),
            service: "web".into(),
            pods,
            opts,
        }
    }

    #[test]
    fn slices_split_group_and_duplicate() {
        let svc = decl(&[
            ServicePort::http(),
            ServicePort::new(9090).named("metrics").to_name("metrics"),
        ]);
        let opts = FleetPods::default().per_slice(2).dual_stack().duplicate(0);
        let pods = fleet_pods(&svc, &backing(5, opts.clone()));
        let out = slices(&svc, "uid", &pods, &opts);
        let v4: Vec<_> = out.iter().filter(|s| s["addressType"] == "IPv4").collect();
        let v6: Vec<_> = out.iter().filter(|s| s["addressType"] == "IPv6").collect();
        assert_eq!((v4.len(), v6.len()), (3, 3));
        let count = |slices: &[&Value]| {
            slices
                .iter()
                .map(|s| s["endpoints"].as_array().unwrap().len())
                .sum::<usize>()
        };
        assert_eq!(count(&v4), 6, "5 endpoints and one duplicate");
        assert_eq!(
            v4[0]["ports"],
            serde_json::json!([{"name": "http", "protocol": "TCP", "port": 4000}])
        );
        assert_eq!(v6[0]["endpoints"][0]["addresses"][0], "fd00:10:244::1");
        assert!(
            slice_has(v4[1], "127.0.0.11"),
            "the duplicate lands in a second slice"
        );
    }

    #[test]
    fn pods_with_different_ports_get_different_slices() {
        let svc = decl(&[ServicePort::new(8080)]);
        let mut b = backing(2, FleetPods::default());
        b.pods[1].set_port(4001);
        let pods = fleet_pods(&svc, &b);
        let out = slices(&svc, "uid", &pods, &FleetPods::default());
        assert_eq!(out.len(), 1, "a numeric target is the same for every pod");
        let svc = decl(&[ServicePort::http()]);
        let out = slices(&svc, "uid", &fleet_pods(&svc, &b), &FleetPods::default());
        assert_eq!(out.len(), 2);
        assert_eq!(out[1]["ports"][0]["port"], 4001);
        let empty = slices(&svc, "uid", &[], &FleetPods::default());
        assert!(empty.len() == 1 && empty[0]["endpoints"].is_null());
    }
}
