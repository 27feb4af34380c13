//! Kubernetes: the built binary against the fake API server (`revalidate_sim::k8s`) on a free
//! loopback port, through a kubeconfig that points at it, with the real kube client. The
//! simulated pods listen on their own loopback IPs (127.0.0.11, ...), so every transport reaches
//! each pod for real: direct to the pod's IP, pods/proxy forwarded by the fake, and port-forwards
//! over its `v4.channel.k8s.io` WebSocket. Discovery (slices, conditions, dual stack, ports,
//! selectors, DNS), the errors (404, 403, 401, unreachable), the transports (and auto's choice),
//! membership changes during a run, piping `revalidate pods -o json`, secrets, and the human
//! tables. No sleeps: conditions are polled.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{Doc as Envelope, Step};
use revalidate::discover::{PodEvent, Recheck, Report as Discovery};
use revalidate::report::events::STEP_START;
use revalidate::targets::Reach;
use revalidate::targets::kubernetes::Via;
use revalidate::transport::RequestView;
use revalidate::{fanout, verify};
use revalidate_sim::k8s::{
    Access, EndpointState, FakeCluster, FakeClusterBuilder, FleetPods, ServicePort, loopback_fleet,
};
use revalidate_sim::{Fault, Fleet, FleetOptions};

use crate::common::{code, envelope, events, json, revalidate_in, stderr, stdout, wait_until};

/// A simulated fleet on 127.0.0.11.., the fake API server describing it (Service `web` in
/// namespace `web` unless the test builds its own), and a kubeconfig for the admin token.
struct K8s {
    rt: tokio::runtime::Runtime,
    fleet: Option<Fleet>,
    cluster: Option<FakeCluster>,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
    manifest: PathBuf,
}

impl K8s {
    fn start(pods: usize, opts: FleetPods) -> K8s {
        K8s::build(pods, FleetOptions::default(), |b, fleet| {
            b.namespace("web")
                .service("web", &[ServicePort::http()])
                .pods_from_fleet("web", fleet, opts)
        })
    }

    fn build(
        pods: usize,
        fleet: FleetOptions,
        cluster: impl FnOnce(FakeClusterBuilder, &Fleet) -> FakeClusterBuilder,
    ) -> K8s {
        revalidate::install_crypto_provider();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let fleet = rt
            .block_on(loopback_fleet(FleetOptions { pods, ..fleet }))
            .expect("fleet starts");
        let builder = cluster(FakeCluster::builder(), &fleet);
        let cluster = rt.block_on(builder.start()).expect("cluster starts");
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        cluster
            .write_kubeconfig(&kubeconfig, Some("web"))
            .expect("kubeconfig");
        let manifest = fleet
            .write_prerender_manifest(dir.path())
            .expect("manifest");
        K8s {
            rt,
            fleet: Some(fleet),
            cluster: Some(cluster),
            dir,
            kubeconfig,
            manifest,
        }
    }

    fn fleet(&self) -> &Fleet {
        self.fleet.as_ref().expect("running")
    }

    fn cluster(&self) -> &FakeCluster {
        self.cluster.as_ref().expect("running")
    }

    /// The port every pod listens on.
    fn port(&self) -> u16 {
        self.fleet().pods()[0].addr().port()
    }

    fn requests(&self, pod: usize) -> u64 {
        self.fleet().pods()[pod].counters().requests
    }

    fn revalidations(&self, pod: usize) -> u64 {
        self.fleet().pods()[pod].counters().revalidate_requests
    }

    fn cmd(&self) -> assert_cmd::Command {
        revalidate_in(self.dir.path())
    }

    /// `--kubeconfig FILE --k8s-service web`.
    fn service(&self) -> Vec<String> {
        vec![
            "--kubeconfig".into(),
            self.kubeconfig.display().to_string(),
            "--k8s-service".into(),
            "web".into(),
        ]
    }

    fn manifest_arg(&self) -> [String; 2] {
        [
            "--preview-id-file".into(),
            self.manifest.display().to_string(),
        ]
    }

    /// A kubeconfig for `token` (namespace web).
    fn kubeconfig_for(&self, token: &str) -> PathBuf {
        let path = self.dir.path().join(format!("kubeconfig-{token}"));
        std::fs::write(&path, self.cluster().kubeconfig(token, Some("web"))).unwrap();
        path
    }

    fn run(&self, args: &[&str], more: &[String]) -> Output {
        self.cmd().args(args).args(more).output().expect("runs")
    }

    fn fanout(&self, extra: &[&str]) -> Output {
        let mut args = vec!["fanout".to_string(), "/posts/a".to_string()];
        args.extend(self.service());
        args.extend(self.manifest_arg());
        args.extend(extra.iter().map(|s| s.to_string()));
        self.cmd().args(&args).output().expect("runs")
    }
}

impl Drop for K8s {
    fn drop(&mut self) {
        if let Some(c) = self.cluster.take() {
            self.rt.block_on(c.shutdown());
        }
        if let Some(f) = self.fleet.take() {
            self.rt.block_on(f.shutdown());
        }
    }
}

fn discovery(env: &crate::common::Doc) -> &Discovery {
    match env.steps.first() {
        Some(Step::Discover(r)) => r,
        other => panic!("expected a discover step first, got {other:#?}"),
    }
}

fn fanout_step(env: &crate::common::Doc) -> &fanout::Report {
    let found: Vec<&fanout::Report> = env
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Fanout(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", env.steps);
    found[0]
}

fn rechecks(env: &crate::common::Doc) -> Vec<&Recheck> {
    env.steps
        .iter()
        .filter_map(|s| match s {
            Step::Recheck(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn names(d: &Discovery) -> Vec<&str> {
    d.pods.iter().map(|p| p.name.as_str()).collect()
}

fn pods_json(k: &K8s, extra: &[&str]) -> (Output, Envelope) {
    let mut args = vec!["pods".to_string(), "-o".into(), "json".into()];
    args.extend(k.service());
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = k.cmd().args(&args).output().unwrap();
    let env = envelope(&out);
    (out, env)
}

#[test]
fn every_slice_is_merged_and_only_ready_endpoints_are_called() {
    let opts = FleetPods::default()
        .per_slice(2)
        .state(1, EndpointState::NotReady)
        .state(2, EndpointState::Terminating { serving: true })
        .duplicate(0);
    let k = K8s::start(5, opts);
    let slices = k.cluster().list_json("EndpointSlice", "web");
    assert!(slices.len() >= 3, "several slices: {}", slices.len());
    let (out, env) = pods_json(&k, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = discovery(&env);
    assert_eq!(names(d), ["web-0", "web-3", "web-4"]);
    let web0 = &d.pods[0];
    assert_eq!(web0.address, "127.0.0.11");
    assert_eq!(web0.port, k.port());
    assert_eq!(
        (web0.node.as_deref(), web0.zone.as_deref()),
        (Some("node-1"), Some("zone-a"))
    );
    assert!(web0.uid.is_some());
    let left_out: Vec<(&str, &str)> = d
        .skipped
        .iter()
        .map(|s| (s.name.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        left_out,
        [
            ("web-1", "not ready"),
            ("web-2", "terminating (still serving)")
        ]
    );
    assert_eq!(
        d.source,
        revalidate::discover::Source::Service {
            namespace: "web".into(),
            name: "web".into(),
            port: Some("http".into()),
        }
    );
    assert_eq!(d.context.as_deref(), Some("fake"));
    let transport = d.transport.as_ref().unwrap();
    assert_eq!(transport.kind, Via::ApiServerProxy);
    assert!(
        transport
            .reason
            .contains("RBAC allows get pods/proxy in namespace web"),
        "{}",
        transport.reason
    );
    assert_eq!(
        web0.reach,
        Reach::ApiServerProxy {
            namespace: "web".into(),
            pod: "web-0".into(),
            port: k.port()
        }
    );
    // Nothing was sent to a pod.
    assert!((0..5).all(|i| k.requests(i) == 0));

    let (_, env) = pods_json(&k, &["--include-not-ready"]);
    let d = discovery(&env);
    assert_eq!(names(d), ["web-0", "web-1", "web-2", "web-3", "web-4"]);
    let states: Vec<&str> = d.pods.iter().map(|p| p.state()).collect();
    assert_eq!(
        states,
        [
            "ready",
            "not ready",
            "terminating (serving)",
            "ready",
            "ready"
        ]
    );
    assert!(d.skipped.is_empty());
}

#[test]
fn the_real_kubectl_sees_the_endpoints_revalidate_found() {
    // `KUBECTL`, else kubectl on the PATH: scripts/test installs it; without it this fails.
    let kubectl = std::env::var_os("KUBECTL")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("kubectl"))
                    .find(|c| c.is_file())
            })
        })
        .expect(
            "kubectl is not installed: scripts/test installs it (Debian package kubernetes-client), or set KUBECTL to a kubectl binary",
        );
    let k = K8s::start(4, FleetPods::default().per_slice(2).duplicate(1));
    // kubectl sends no token to an http:// server: it is system:anonymous here.
    k.cluster()
        .set_anonymous_access(Access::all().allow(&["get"], &["/*"], &[]));
    let out = std::process::Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(&k.kubeconfig)
        .arg("--cache-dir")
        .arg(k.dir.path().join("cache"))
        .args([
            "get",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=web",
            "-o",
            "json",
        ])
        .env("HOME", k.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list = json(&out);
    let mut seen: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
        .map(|e| e["targetRef"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen.len(), 5, "four endpoints, one listed twice");
    seen.sort();
    seen.dedup();
    let (_, env) = pods_json(&k, &[]);
    assert_eq!(names(discovery(&env)), seen);
}

#[test]
fn dual_stack_pods_are_called_once_on_the_preferred_family() {
    let k = K8s::start(2, FleetPods::default().dual_stack());
    let (_, env) = pods_json(&k, &[]);
    let d = discovery(&env);
    let addresses: Vec<&str> = d.pods.iter().map(|p| p.address.as_str()).collect();
    assert_eq!(addresses, ["127.0.0.11", "127.0.0.12"]);
    let (_, env) = pods_json(&k, &["--ip-family", "ipv6", "--transport", "direct"]);
    let d = discovery(&env);
    let addresses: Vec<&str> = d.pods.iter().map(|p| p.address.as_str()).collect();
    assert_eq!(addresses, ["fd00:10:244::1", "fd00:10:244::2"]);
    assert_eq!(
        d.pods[0].reach,
        Reach::Direct {
            base: format!("http://[fd00:10:244::1]:{}", k.port())
        }
    );
}

#[test]
fn the_port_is_chosen_by_name_or_number_or_is_the_only_one() {
    let k = K8s::build(2, FleetOptions::default(), |b, fleet| {
        b.namespace("web")
            .service(
                "web",
                &[
                    ServicePort::http(),
                    ServicePort::new(9090).named("metrics").to_number(9090),
                ],
            )
            .pods_from_fleet("web", fleet, FleetPods::default())
    });
    let out = k.fanout(&[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "Service web has 2 ports: http (80 → http), metrics (9090 → 9090); choose one with --port NAME or --port NUMBER"
        ),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    let out = k.fanout(&["--port", "grpc"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("has no port named \"grpc\"; its ports: http (80 → http)"));
    assert_eq!(k.requests(0) + k.requests(1), 0, "nothing was sent");

    for port in ["http".to_string(), "80".into(), k.port().to_string()] {
        let out = k.fanout(&["--port", &port, "-o", "json"]);
        assert_eq!(code(&out), 0, "--port {port}: {}", stderr(&out));
        let env = envelope(&out);
        assert!(discovery(&env).pods.iter().all(|p| p.port == k.port()));
    }
    assert_eq!(k.revalidations(0), 3);
}

#[test]
fn a_missing_service_lists_the_services_of_the_namespace() {
    let k = K8s::start(1, FleetPods::default());
    let out = k.run(
        &["fanout", "/posts/a", "--k8s-service", "wbe"],
        &["--kubeconfig".into(), k.kubeconfig.display().to_string()],
    );
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("Service \"wbe\" not found in namespace web (Services there: web)"),
        "{err}"
    );
    assert!(
        err.contains("hint: did you mean --k8s-service web?"),
        "{err}"
    );
    let out = k.run(
        &["pods", "--k8s-service", "web", "-n", "elsewhere"],
        &["--kubeconfig".into(), k.kubeconfig.display().to_string()],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("namespace elsewhere, which has no Services"));
}

#[test]
fn no_ready_endpoint_is_exit_3_with_the_reasons() {
    let opts = FleetPods::default()
        .state(0, EndpointState::NotReady)
        .state(1, EndpointState::Terminating { serving: false });
    let k = K8s::start(2, opts);
    let out = k.fanout(&["-o", "json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = envelope(&out);
    assert_eq!(env.steps.len(), 1, "discovery alone: {:#?}", env.steps);
    let d = discovery(&env);
    assert!(d.pods.is_empty());
    assert_eq!(d.skipped.len(), 2);
    assert_eq!(d.exit_code, 3);
    assert_eq!(k.requests(0) + k.requests(1), 0);
    let out = k.fanout(&[]);
    assert_eq!(code(&out), 3);
    assert!(stdout(&out).contains("no pod to call"), "{}", stdout(&out));
}

#[test]
fn forbidden_and_unauthorized_name_what_is_needed_and_exit_5() {
    let k = K8s::start(1, FleetPods::default());
    let token = "ci-token-0123456789abcdef";
    k.cluster().add_token(
        token,
        "system:serviceaccount:ci:revalidate",
        Access::all().deny("list", "endpointslices"),
    );
    let kc = k.kubeconfig_for(token);
    let out = k.run(
        &["fanout", "/posts/a", "--k8s-service", "web", "-vv"],
        &["--kubeconfig".into(), kc.display().to_string()],
    );
    assert_eq!(code(&out), 5);
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: the Kubernetes API: forbidden: cannot list endpointslices.discovery.k8s.io in namespace web"
        ),
        "{err}"
    );
    assert!(
        err.contains("kubectl auth can-i list endpointslices.discovery.k8s.io -n web"),
        "{err}"
    );
    assert!(
        err.contains("hint: grant it with a Role and RoleBinding (docs/kubernetes.md, \"RBAC\")"),
        "{err}"
    );
    assert!(
        !err.contains(token) && !stdout(&out).contains(token),
        "{err}"
    );

    let kc = k.kubeconfig_for("not-a-known-token-0123");
    let out = k.run(
        &["pods", "--k8s-service", "web"],
        &["--kubeconfig".into(), kc.display().to_string()],
    );
    assert_eq!(code(&out), 5);
    assert!(
        stderr(&out).contains(
            "refused the credentials (401 Unauthorized) to get services in namespace web"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("not-a-known-token-0123"));
    assert_eq!(k.requests(0), 0);
}

#[test]
fn an_api_server_that_is_gone_is_exit_5_at_once() {
    let k = K8s::start(1, FleetPods::default());
    let addr = k.cluster().addr();
    let cluster = k.rt.block_on(async {
        // A port that was just free: nothing listens there.
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    });
    let text = std::fs::read_to_string(&k.kubeconfig)
        .unwrap()
        .replace(&addr.to_string(), &cluster.to_string());
    let kc = k.dir.path().join("kubeconfig-gone");
    std::fs::write(&kc, text).unwrap();
    let started = Instant::now();
    let out = k.run(
        &[
            "fanout",
            "/posts/a",
            "--k8s-service",
            "web",
            "--retries",
            "0",
        ],
        &["--kubeconfig".into(), kc.display().to_string()],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    let err = stderr(&out);
    assert!(
        err.contains("cannot reach the API server to get services in namespace web"),
        "{err}"
    );
    assert!(
        err.contains("hint: is the cluster up and reachable from here?"),
        "{err}"
    );
}

/// Every transport revalidates every pod; the report says which was used and why.
#[test]
fn fanout_reaches_every_pod_through_each_transport() {
    let k = K8s::start(3, FleetPods::default());
    for (transport, via) in [
        ("direct", Via::Direct),
        ("apiserver-proxy", Via::ApiServerProxy),
        ("port-forward", Via::PortForward),
        ("auto", Via::ApiServerProxy),
    ] {
        let before: Vec<u64> = (0..3).map(|i| k.revalidations(i)).collect();
        let out = k.fanout(&["--transport", transport, "-o", "json"]);
        assert_eq!(code(&out), 0, "{transport}: {}", stderr(&out));
        let env = envelope(&out);
        let d = discovery(&env);
        assert_eq!(d.transport.as_ref().unwrap().kind, via, "{transport}");
        let f = fanout_step(&env);
        assert_eq!(f.totals.ok, 3, "{transport}: {:#?}", f.cells);
        assert!(f.targets.iter().all(|t| t.reach.kind() == via.name()));
        for (i, b) in before.iter().enumerate() {
            assert_eq!(k.revalidations(i), b + 1, "{transport}: pod {i}");
        }
    }
    // The proxy's requests went through the API server, the forwards as WebSocket upgrades.
    let log = k.cluster().requests();
    assert!(
        log.iter()
            .any(|r| r.path.contains("/pods/web-2:") && r.path.ends_with("/proxy/posts/a"))
    );
    assert!(
        log.iter()
            .any(|r| r.path.ends_with("/pods/web-1/portforward") && r.status == 101)
    );
}

#[test]
fn auto_chooses_by_place_and_rbac() {
    let k = K8s::start(2, FleetPods::default());
    let user = "system:serviceaccount:web:revalidate";
    k.cluster().add_token(
        "no-proxy-0123456789",
        user,
        Access::all().deny("get", "pods/proxy"),
    );
    let kc = k.kubeconfig_for("no-proxy-0123456789");
    let args = |kc: &Path| -> Vec<String> {
        vec![
            "--kubeconfig".into(),
            kc.display().to_string(),
            "--k8s-service".into(),
            "web".into(),
            "-o".into(),
            "json".into(),
        ]
    };
    let out = k.run(
        &["fanout", "/posts/a"],
        &[args(&kc), k.manifest_arg().to_vec()].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope(&out);
    let t = discovery(&env).transport.clone().unwrap();
    assert_eq!(t.kind, Via::PortForward);
    assert_eq!(
        t.reason,
        "outside a cluster; RBAC denies get pods/proxy in namespace web but allows get and create pods/portforward"
    );
    assert_eq!(fanout_step(&env).totals.ok, 2);

    // Neither allowed: exit 5, naming both, before anything is sent.
    k.cluster().set_access(
        "no-proxy-0123456789",
        Access::all()
            .deny("get", "pods/proxy")
            .deny("create", "pods/portforward"),
    );
    let sent = k.requests(0);
    let out = k.run(
        &["fanout", "/posts/a"],
        &[args(&kc), k.manifest_arg().to_vec()].concat(),
    );
    assert_eq!(code(&out), 5);
    assert!(
        stderr(&out).contains("RBAC allows neither get pods/proxy in namespace web nor get and create pods/portforward"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "hint: grant one (docs/kubernetes.md, \"RBAC\"; check with `kubectl auth can-i"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(k.requests(0), sent);

    // An explicit transport that RBAC denies names the permission.
    let out = k.run(&["pods", "--transport", "apiserver-proxy"], &args(&kc));
    assert_eq!(code(&out), 5);
    assert!(
        stderr(&out).contains("forbidden: RBAC does not allow get pods/proxy in namespace web")
    );
    assert!(
        stderr(&out)
            .contains("hint: grant it with a Role and RoleBinding (docs/kubernetes.md, \"RBAC\")"),
        "{}",
        stderr(&out)
    );

    // Inside a cluster, pod IPs are reachable: direct.
    let out = k
        .cmd()
        .env("KUBERNETES_SERVICE_HOST", "10.96.0.1")
        .args(["pods"])
        .args(args(&k.kubeconfig))
        .output()
        .unwrap();
    let env = envelope(&out);
    let t = discovery(&env).transport.clone().unwrap();
    assert_eq!(t.kind, Via::Direct);
    assert!(t.reason.starts_with("inside a cluster"), "{}", t.reason);
}

#[test]
fn headers_and_secrets_pass_through_the_api_server_transports() {
    let k = K8s::start(2, FleetPods::default());
    let secret = k.fleet().secret().to_string();
    for transport in ["apiserver-proxy", "port-forward"] {
        let out = k
            .cmd()
            .env("REVALIDATE_SECRET", &secret)
            .args(["fanout", "/posts/a", "--mode", "endpoint"])
            .args(["--endpoint", "/api/revalidate?path={path}"])
            .args(["--header", "x-revalidate-secret: ${REVALIDATE_SECRET}"])
            .args([
                "--expect-json",
                "revalidated=true",
                "--transport",
                transport,
            ])
            .args(["-o", "json", "-vv"])
            .args(k.service())
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{transport}: {}", stderr(&out));
        let env = envelope(&out);
        let f = fanout_step(&env);
        assert_eq!(f.totals.ok, 2, "{:#?}", f.cells);
        assert!(!stdout(&out).contains(&secret) && !stderr(&out).contains(&secret));
    }
}

#[test]
fn a_pod_the_api_server_cannot_reach_is_unreachable_quickly_not_an_http_error() {
    let k = K8s::start(2, FleetPods::default());
    k.rt.block_on(k.fleet().pods()[1].set_fault(Fault::Down));
    for transport in ["apiserver-proxy", "port-forward"] {
        let started = Instant::now();
        let out = k.fanout(&["--transport", transport, "--retries", "1", "-o", "json"]);
        assert_eq!(code(&out), 3, "{}", stderr(&out));
        // kube's own retry layer (15 tries, minutes of backoff) is off.
        assert!(started.elapsed() < Duration::from_secs(15), "{transport}");
        let env = envelope(&out);
        let f = fanout_step(&env);
        let down = f.cells.iter().find(|c| c.pod == "web-1").unwrap();
        assert_eq!(
            down.outcome,
            fanout::Outcome::Unreachable,
            "{transport}: {down:#?}"
        );
        assert_eq!(down.status, None);
        assert_eq!(down.attempts, 2);
        let error = down.error.as_deref().unwrap();
        let why: &[&str] = match transport {
            // HEAD answers carry no Status body to quote.
            "apiserver-proxy" => &["the API server could not reach the pod"],
            // The kubelet's reason travels on its own channel and can lose the race with the
            // close of the data channel (seen under load): either way it is a connect error.
            _ => &[
                "connection refused",
                "the port-forward closed before an answer",
            ],
        };
        assert!(
            why.iter().any(|w| error.contains(w)),
            "{transport}: {error}"
        );
        let up = f.cells.iter().find(|c| c.pod == "web-0").unwrap();
        assert_eq!(up.outcome, fanout::Outcome::Revalidated);
    }
    // The pod's own 503 is the pod's answer, retried by revalidate only.
    k.rt.block_on(async {
        k.fleet().pods()[1].clear_faults().await;
        k.fleet().pods()[1].set_fault(Fault::Status(503)).await;
    });
    let before = k.requests(1);
    let out = k.fanout(&[
        "--transport",
        "apiserver-proxy",
        "--retries",
        "1",
        "-o",
        "json",
    ]);
    let env = envelope(&out);
    let f = fanout_step(&env);
    let cell = f.cells.iter().find(|c| c.pod == "web-1").unwrap();
    assert_eq!(
        (cell.outcome, cell.status),
        (fanout::Outcome::HttpError, Some(503))
    );
    assert_eq!(k.requests(1), before + 2, "two tries, not kube's fifteen");
}

#[test]
fn a_pod_gone_after_discovery_is_unreachable_never_gone() {
    let k = K8s::start(2, FleetPods::default());
    let (_, env) = pods_json(&k, &[]);
    let listed = serde_json::to_string(&env.envelope).unwrap();
    let pods_file = k.dir.path().join("pods.json");
    std::fs::write(&pods_file, listed).unwrap();
    assert!(k.cluster().delete("Pod", "web", "web-1"));
    let out = k.run(
        &["fanout", "/posts/a", "--allow-gone", "-o", "json"],
        &[
            "--pods-file".into(),
            pods_file.display().to_string(),
            "--kubeconfig".into(),
            k.kubeconfig.display().to_string(),
            k.manifest_arg()[0].clone(),
            k.manifest_arg()[1].clone(),
        ],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let env = envelope(&out);
    assert_eq!(env.steps.len(), 1, "listed pods: no discovery");
    let f = fanout_step(&env);
    let cell = f.cells.iter().find(|c| c.pod == "web-1").unwrap();
    assert_eq!(cell.outcome, fanout::Outcome::Unreachable, "{cell:#?}");
    assert!(
        cell.error
            .as_deref()
            .unwrap()
            .contains("pod web/web-1 not found (it went away)")
    );
}

#[test]
fn revalidate_pods_pipes_into_pods_file_stdin() {
    let k = K8s::start(2, FleetPods::default());
    let (out, _) = pods_json(&k, &["--transport", "port-forward"]);
    let piped = k
        .cmd()
        .args(["fanout", "/posts/a", "--pods-file", "-", "-o", "json"])
        .args(["--kubeconfig", &k.kubeconfig.display().to_string()])
        .args(k.manifest_arg())
        .write_stdin(out.stdout.clone())
        .output()
        .unwrap();
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    let env = envelope(&piped);
    let f = fanout_step(&env);
    assert!(f.targets.iter().all(|t| t.reach.kind() == "port-forward"));
    assert_eq!((k.revalidations(0), k.revalidations(1)), (1, 1));

    // Plain URL lines too; and paths cannot come from stdin as well.
    let lines = format!("web-0=http://127.0.0.11:{}\n", k.port());
    let piped = k
        .cmd()
        .args(["fanout", "/posts/a", "--pods-file", "-"])
        .args(k.manifest_arg())
        .write_stdin(lines)
        .output()
        .unwrap();
    assert_eq!(code(&piped), 0, "{}", stderr(&piped));
    assert_eq!(k.revalidations(0), 2);
    let both = k
        .cmd()
        .args(["fanout", "-", "--pods-file", "-"])
        .args(k.manifest_arg())
        .write_stdin("/posts/a\n")
        .output()
        .unwrap();
    assert_eq!(code(&both), 2);
    assert!(stderr(&both).contains("cannot both come from stdin"));
}

#[test]
fn verify_through_the_proxy_compares_pods_without_their_prefix() {
    let k = K8s::start(3, FleetPods::default());
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "/posts/a",
            "--ignore-preset",
            "timestamps",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        k.run(&args, &k.service())
    };
    let out = verify(&[
        "--transport",
        "apiserver-proxy",
        "--expect-contains",
        "Post A",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope(&out);
    let v = match &env.steps[1] {
        Step::Verify(v) => v,
        other => panic!("{other:#?}"),
    };
    assert_eq!(
        v.verdicts[0].verdict,
        verify::Verdict::Fresh,
        "{:#?}",
        v.verdicts
    );
    assert!(
        v.normalisation.iter().any(|n| n.contains("/proxy")),
        "{:?}",
        v.normalisation
    );
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("apiserver-proxy rewrites HTML"))
    );

    // A baseline taken directly cannot be compared through the proxy (never a wrong "changed").
    let base = k.dir.path().join("before.json");
    let out = verify(&["--transport", "direct", "--save", base.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = verify(&[
        "--transport",
        "apiserver-proxy",
        "--baseline",
        base.to_str().unwrap(),
        "--expect-changed",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the hashes are not comparable"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn port_forwards_are_reused_and_bounded_per_pod() {
    let k = K8s::start(2, FleetPods::default());
    let paths: Vec<String> = (0..12).map(|i| format!("/posts/p{i}")).collect();
    let mut args = vec!["fanout".to_string(), "--allow-gone".into()];
    args.extend(paths);
    args.extend(k.service());
    args.extend(k.manifest_arg());
    args.extend(
        [
            "--transport",
            "port-forward",
            "--per-pod-concurrency",
            "2",
            "-o",
            "json",
        ]
        .map(String::from),
    );
    k.cluster().clear_requests();
    let out = k.cmd().args(&args).output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(fanout_step(&envelope(&out)).totals.cells, 24);
    let log = k.cluster().requests();
    for pod in ["web-0", "web-1"] {
        let forwards = log
            .iter()
            .filter(|r| r.status == 101 && r.path.ends_with(&format!("/pods/{pod}/portforward")))
            .count();
        assert!(
            (1..=2).contains(&forwards),
            "{pod}: {forwards} forwards for 12 requests"
        );
    }
    assert_eq!(k.requests(0), 12);
}

/// A pod that appears during the run missed it: the recheck says so (exit 3), and
/// --follow-new-pods revalidates it.
#[test]
fn pods_that_appear_during_the_run_are_reported_and_followed() {
    let k = K8s::start(3, FleetPods::default());
    let slice = k.cluster().list_json("EndpointSlice", "web").remove(0);
    let all = slice.clone();
    // web-2 is not an endpoint yet; web-0 will go away.
    let mut fewer = slice.clone();
    fewer["endpoints"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["targetRef"]["name"] != "web-2");
    let mut later = all.clone();
    later["endpoints"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["targetRef"]["name"] != "web-0");
    for follow in [false, true] {
        k.cluster().apply_json(fewer.clone()).unwrap();
        k.cluster().clear_requests();
        // The pods hold their answers until the membership has changed (then drop the
        // connections, and the retries get through): the change lands during the run.
        let asked: Vec<u64> = (0..3).map(|i| k.requests(i)).collect();
        k.rt.block_on(async {
            for p in k.fleet().pods() {
                p.set_fault(Fault::Hang).await;
            }
        });
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_revalidate"));
        cmd.current_dir(k.dir.path())
            .env("CI", "1")
            .args(["fanout", "/posts/a", "--recheck-after", "0s", "-o", "json"])
            .args(k.service())
            .args(k.manifest_arg())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if follow {
            cmd.arg("--follow-new-pods");
        }
        let child = cmd.spawn().unwrap();
        assert!(wait_until(20, || (0..2).all(|i| k.requests(i) > asked[i])));
        k.cluster().apply_json(later.clone()).unwrap();
        k.rt.block_on(async {
            for p in k.fleet().pods() {
                p.clear_faults().await;
            }
        });
        let out = child.wait_with_output().unwrap();
        let env = envelope(&out);
        let checks = rechecks(&env);
        assert!(!checks.is_empty(), "{:#?}", env.steps);
        let first = checks[0];
        let appeared: Vec<&str> = first.appeared.iter().map(|p| p.name.as_str()).collect();
        let gone: Vec<&str> = first.gone.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            (appeared, gone),
            (vec!["web-2"], vec!["web-0"]),
            "{first:#?}"
        );
        assert_eq!(first.followed, follow);
        if follow {
            assert_eq!(code(&out), 0, "{}", stderr(&out));
            let fanouts: Vec<&fanout::Report> = env
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Fanout(r) => Some(r),
                    _ => None,
                })
                .collect();
            assert_eq!(fanouts.len(), 2);
            let second: Vec<&str> = fanouts[1].targets.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(second, ["web-2"]);
            assert_eq!(k.revalidations(2), 1);
        } else {
            assert_eq!(code(&out), 3, "{}", stderr(&out));
            assert_eq!(first.exit_code, 3);
            assert!(stderr(&out).contains(
                "web-2 (127.0.0.13) appeared during the run and missed the revalidation"
            ));
            assert_eq!(k.revalidations(2), 0);
        }
    }
}

#[test]
fn a_short_run_is_not_rechecked_unless_asked() {
    let k = K8s::start(1, FleetPods::default());
    // A run shorter than --recheck-after (1s by default; a minute here, so that a loaded
    // machine cannot make this run long) lists the pods once.
    let out = k.fanout(&["-o", "json", "--recheck-after", "1m"]);
    assert_eq!(code(&out), 0);
    assert!(rechecks(&envelope(&out)).is_empty());
    let out = k.fanout(&["-o", "json", "--recheck-after", "0s"]);
    let env = envelope(&out);
    let checks = rechecks(&env);
    assert_eq!(checks.len(), 1);
    assert!(checks[0].appeared.is_empty() && checks[0].gone.is_empty());
    assert_eq!(checks[0].pods, 1);
}

#[test]
fn selectors_list_running_and_ready_pods_with_their_port() {
    let k = K8s::start(3, FleetPods::default().state(1, EndpointState::NotReady));
    let out = k.run(
        &[
            "fanout",
            "/posts/a",
            "--k8s-selector",
            "app=web",
            "-o",
            "json",
        ],
        &[
            "--kubeconfig".into(),
            k.kubeconfig.display().to_string(),
            k.manifest_arg()[0].clone(),
            k.manifest_arg()[1].clone(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope(&out);
    let d = discovery(&env);
    assert_eq!(names(d), ["web-0", "web-2"]);
    assert_eq!(d.skipped[0].reason, "not ready");
    assert!(d.pods.iter().all(|p| p.port == k.port()));
    assert_eq!((k.revalidations(0), k.revalidations(1)), (1, 0));
}

#[test]
fn malformed_selectors_are_refused_before_anything_is_sent() {
    let k = K8s::start(2, FleetPods::default());
    let kubeconfig = [
        "--kubeconfig".to_string(),
        k.kubeconfig.display().to_string(),
    ];
    for (selector, problem) in [
        (
            "app=web,,=",
            "expected a requirement after \",\", found \",\" (at column 9)",
        ),
        (
            "app in (a",
            "expected \",\" or \")\" after the value \"a\", found the end (at column 10)",
        ),
        ("!!app", "expected a label key, found \"!\" (at column 2)"),
    ] {
        for command in [&["pods"][..], &["fanout", "/posts/a"]] {
            let mut args = command.to_vec();
            args.extend(["--k8s-selector", selector]);
            let out = k.run(&args, &kubeconfig);
            assert_eq!(code(&out), 2, "{selector}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains(&format!(
                    "kubernetes.selector = {selector:?} (command line): not a label selector: {problem}"
                )),
                "{err}"
            );
            assert!(err.contains("key in (v1,v2)"), "the forms allowed: {err}");
        }
    }
    assert_eq!(
        k.cluster().requests().len(),
        0,
        "nothing reached the API server"
    );
    assert_eq!(k.requests(0) + k.requests(1), 0, "nothing reached a pod");
}

#[test]
fn dns_finds_every_address_of_a_name() {
    let k = K8s::start(1, FleetPods::default());
    // One pod on 127.0.0.1, which `localhost` resolves to.
    let local =
        k.rt.block_on(Fleet::start(FleetOptions {
            pods: 1,
            pod_ips: vec!["127.0.0.1".parse().unwrap()],
            preview_id: k.fleet().preview_id().to_string(),
            ..FleetOptions::default()
        }))
        .unwrap();
    let port = local.pods()[0].addr().port();
    let out = k.run(
        &["fanout", "/posts/a", "--ip-family", "ipv4", "-o", "json"],
        &[
            "--dns".into(),
            format!("localhost:{port}"),
            k.manifest_arg()[0].clone(),
            k.manifest_arg()[1].clone(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope(&out);
    let d = discovery(&env);
    assert_eq!(names(d), ["127.0.0.1"]);
    assert_eq!(d.transport.as_ref().unwrap().kind, Via::Direct);
    assert_eq!(local.pods()[0].counters().revalidate_requests, 1);
    k.rt.block_on(local.shutdown());

    let out = k.run(&["pods", "--dns", "web-headless"], &[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("is not NAME:PORT"));
    let out = k.run(&["pods", "--dns", "no-such-host.invalid:3000"], &[]);
    assert_eq!(code(&out), 5);
    assert!(
        stderr(&out).contains("error: DNS: cannot resolve no-such-host.invalid (--dns)"),
        "{}",
        stderr(&out)
    );
    let out = k.run(
        &[
            "pods",
            "--dns",
            "localhost:3000",
            "--transport",
            "port-forward",
        ],
        &[],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--transport cannot be used here: --dns"));
}

#[test]
fn the_kubernetes_section_of_a_profile_sets_every_value() {
    let k = K8s::start(2, FleetPods::default());
    std::fs::write(
        k.dir.path().join("revalidate.toml"),
        format!(
            "[profiles.prod.kubernetes]\nservice = \"web\"\nnamespace = \"web\"\nkubeconfig = \"{}\"\ntransport = \"port-forward\"\nport = \"http\"\nrecheck_after = \"0s\"\n",
            k.kubeconfig.file_name().unwrap().to_str().unwrap()
        ),
    )
    .unwrap();
    let out = k.run(&["-p", "prod", "pods", "-o", "json"], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope(&out);
    assert_eq!(
        discovery(&env).transport.as_ref().unwrap().kind,
        Via::PortForward
    );
    let out = k.run(&["-p", "prod", "config"], &[]);
    let text = stdout(&out);
    assert!(text.contains("kubernetes.transport"), "{text}");
    assert!(text.contains("\"port-forward\""), "{text}");
    // The command line still wins.
    let out = k.run(
        &["-p", "prod", "pods", "-o", "json", "--transport", "direct"],
        &[],
    );
    assert_eq!(
        discovery(&envelope(&out)).transport.as_ref().unwrap().kind,
        Via::Direct
    );
}

#[test]
fn credentials_never_reach_any_output() {
    let k = K8s::start(2, FleetPods::default());
    let token = "tok-3f9a8c7e6d5b4a39281706f5e4d3c2b1";
    k.cluster()
        .add_token(token, "system:serviceaccount:web:rv", Access::all());
    let kc = k.kubeconfig_for(token);
    let kc_arg = ["--kubeconfig".to_string(), kc.display().to_string()];
    for (args, format) in [
        (
            vec!["fanout", "/posts/a", "--k8s-service", "web", "-vv"],
            "human",
        ),
        (
            vec!["fanout", "/posts/a", "--k8s-service", "web", "-o", "json"],
            "json",
        ),
        (
            vec![
                "verify",
                "/posts/a",
                "--k8s-service",
                "web",
                "--ignore-preset",
                "timestamps",
                "-o",
                "ndjson",
                "-vv",
            ],
            "ndjson",
        ),
        (
            vec![
                "pods",
                "--k8s-service",
                "web",
                "--transport",
                "port-forward",
                "-vvv",
            ],
            "human",
        ),
        (
            // Trace of every crate: kube, hyper and the WebSocket frames of the port-forwards.
            vec![
                "fanout",
                "/posts/a",
                "--k8s-service",
                "web",
                "--transport",
                "port-forward",
                "-vvvv",
            ],
            "human",
        ),
        (
            vec![
                "fanout",
                "/posts/a",
                "--k8s-service",
                "web",
                "--dry-run",
                "-o",
                "json",
            ],
            "json",
        ),
    ] {
        let mut more = kc_arg.to_vec();
        if args[0] == "fanout" {
            more.extend(k.manifest_arg());
        }
        let out = k.run(&args, &more);
        assert!(code(&out) == 0, "{args:?}: {}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!all.contains(token), "{args:?} ({format}) shows the token");
        assert!(
            !all.contains(k.fleet().preview_id()),
            "{args:?} shows the preview id"
        );
        if format == "ndjson" {
            let evs = events(&out);
            assert!(
                evs.iter()
                    .any(|e| e.event == STEP_START && e.step.as_deref() == Some("discover"))
            );
            let pods: Vec<String> = evs
                .iter()
                .filter(|e| e.step.as_deref() == Some("discover"))
                .filter_map(|e| e.get::<PodEvent>())
                .filter(|p| p.change.is_none())
                .map(|p| p.pod.into_owned().name)
                .collect();
            assert_eq!(pods, ["web-0", "web-1"]);
        }
    }
}

/// A kubeconfig whose user runs an exec credential plugin, as EKS, GKE and AKS kubeconfigs do.
#[cfg(unix)]
#[test]
fn exec_credential_plugins_authenticate_and_their_failures_are_exit_5() {
    use std::os::unix::fs::PermissionsExt;
    let k = K8s::start(1, FleetPods::default());
    let token = "exec-tok-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    k.cluster().add_token(token, "exec-user", Access::all());
    let script = |name: &str, body: &str| {
        let p = k.dir.path().join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    };
    let good = script(
        "get-token",
        &format!(
            r#"echo '{{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{{"token":"{token}"}}}}'"#
        ),
    );
    let bad = script(
        "broken-token",
        &format!("echo '{token}'; echo 'token expired, run aws sso login' >&2; exit 1"),
    );
    let kubeconfig = |plugin: &Path| {
        let path = k.dir.path().join(format!(
            "kc-{}",
            plugin.file_name().unwrap().to_str().unwrap()
        ));
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {}\n      interactiveMode: Never\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n    namespace: web\ncurrent-context: x\n",
                k.cluster().url(),
                plugin.display()
            ),
        )
        .unwrap();
        path
    };
    let out = k.run(
        &["pods", "--k8s-service", "web", "-o", "json", "-vv"],
        &[
            "--kubeconfig".into(),
            kubeconfig(&good).display().to_string(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(names(discovery(&envelope(&out))), ["web-0"]);
    let users: Vec<Option<String>> = k
        .cluster()
        .requests()
        .iter()
        .map(|r| r.user.clone())
        .collect();
    assert!(users.contains(&Some("exec-user".into())), "{users:?}");
    assert!(!stderr(&out).contains(token));

    let out = k.run(
        &["pods", "--k8s-service", "web"],
        &[
            "--kubeconfig".into(),
            kubeconfig(&bad).display().to_string(),
        ],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("exec credential plugin"), "{err}");
    assert!(err.contains("token expired, run aws sso login"), "{err}");
    assert!(!err.contains(token), "{err}");
}

#[test]
fn kubeconfig_and_context_mistakes_are_usage_errors() {
    let k = K8s::start(1, FleetPods::default());
    let out = k.run(
        &["pods", "--k8s-service", "web", "--kubeconfig", "nope.yaml"],
        &[],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("cannot use the kubeconfig nope.yaml: no such file"));
    let out = k.run(&["pods", "--context", "prod"], &k.service());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("context \"prod\" not found in the kubeconfig"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("(contexts: fake)"));
    let out = k.run(&["pods", "--pod", "http://127.0.0.1:1"], &k.service());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--pod, --k8s-service each name the pods; use one of them"));
}

#[test]
fn dry_runs_show_the_api_server_and_forward_urls() {
    let k = K8s::start(1, FleetPods::default());
    let port = k.port();
    let out = k.fanout(&["--dry-run", "-o", "json", "--transport", "apiserver-proxy"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let env = envelope(&out);
    let Step::FanoutDryRun(d) = &env.steps[1] else {
        panic!("{:#?}", env.steps)
    };
    assert_eq!(
        d.requests[0].url,
        format!(
            "{}/api/v1/namespaces/web/pods/web-0:{port}/proxy/posts/a",
            k.cluster().url()
        )
    );
    let out = k.fanout(&["--dry-run", "-o", "ndjson", "--transport", "port-forward"]);
    let evs = events(&out);
    let url = evs
        .iter()
        .find_map(|e| e.get::<RequestView>())
        .map(|request| request.url)
        .unwrap();
    assert_eq!(url, format!("port-forward://web/web-0:{port}/posts/a"));
    assert_eq!(k.requests(0), 0);
}

/// The human tables, pinned.
#[test]
fn human_tables_of_pods_discovery_and_recheck() {
    let k = K8s::start(3, FleetPods::default().state(2, EndpointState::NotReady));
    let port = k.port().to_string();
    let redact = |text: String| {
        text.replace(&port, "30000")
            .replace(&k.cluster().addr().port().to_string(), "[api]")
    };
    let filters = vec![(r"\b\d+(\.\d+)?(ms|s)\b", "[time]")];
    let out = k.run(&["pods"], &k.service());
    insta::with_settings!({filters => filters.clone()}, {
        insta::assert_snapshot!("kubernetes_pods_table", redact(stdout(&out)));
    });
    let out = k.fanout(&["--recheck-after", "0s", "--transport", "port-forward"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("kubernetes_fanout_with_discovery_and_recheck", redact(stdout(&out)));
    });
}

#[test]
fn client_keys_in_a_kubeconfig_never_reach_any_output() {
    use base64::Engine as _;
    let k = K8s::start(1, FleetPods::default());
    let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCsecretkeymaterial";
    let key = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
    let key_data = base64::engine::general_purpose::STANDARD.encode(&key);
    let cert = "-----BEGIN CERTIFICATE-----\nMIIBnotacertificate\n-----END CERTIFICATE-----\n";
    let cert_data = base64::engine::general_purpose::STANDARD.encode(cert);
    let path = k.dir.path().join("kubeconfig-keys");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\nusers:\n- name: u\n  user:\n    client-certificate-data: {cert_data}\n    client-key-data: {key_data}\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n    namespace: web\ncurrent-context: x\n",
            k.cluster().url()
        ),
    )
    .unwrap();
    for format in ["human", "json", "ndjson"] {
        let out = k.run(
            &["pods", "--k8s-service", "web", "-vvv", "-o", format],
            &["--kubeconfig".into(), path.display().to_string()],
        );
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            matches!(code(&out), 2 | 5),
            "a key that does not parse is refused: {all}"
        );
        assert!(!all.contains(body), "{format}: {all}");
        assert!(!all.contains(&key_data), "{format}: {all}");
    }
}

#[test]
fn human_rechecks_and_an_empty_discovery() {
    use revalidate::discover::Pod;
    use revalidate::report::Style;
    let pod = |name: &str, address: &str| Pod {
        name: name.into(),
        reach: Reach::Direct {
            base: format!("http://{address}:3000"),
        },
        namespace: Some("web".into()),
        uid: Some(format!("uid-{name}")),
        address: address.into(),
        port: 3000,
        node: Some("node-1".into()),
        zone: Some("zone-a".into()),
        ready: true,
        serving: true,
        terminating: false,
    };
    let mut r = Recheck {
        round: 1,
        duration_ms: 3.1,
        after_ms: 2400.0,
        pods: 3,
        appeared: vec![pod("web-3", "10.0.0.14")],
        gone: vec![pod("web-1", "10.0.0.12")],
        followed: false,
        error: None,
        warnings: Vec::new(),
        exit_code: 3,
    };
    let style = Style::default();
    let mut text = revalidate::report::StepReport::human(&r, &style);
    r.followed = true;
    r.round = 2;
    r.exit_code = 0;
    text.push_str(&revalidate::report::StepReport::human(&r, &style));
    r.appeared.clear();
    r.gone.clear();
    r.error = Some("cannot reach the API server".into());
    text.push_str(&revalidate::report::StepReport::human(&r, &style));
    insta::assert_snapshot!("kubernetes_rechecks", text);

    let k = K8s::start(
        2,
        FleetPods::default()
            .state(0, EndpointState::NotReady)
            .state(1, EndpointState::NotReady),
    );
    let out = k.fanout(&[]);
    assert_eq!(code(&out), 3);
    insta::with_settings!({filters => vec![(r"\b\d+(\.\d+)?(ms|s)\b", "[time]")]}, {
        insta::assert_snapshot!("kubernetes_no_pod_to_call", stdout(&out));
    });
}

#[test]
fn doctor_names_each_verb_rbac_denies_and_exits_5() {
    use revalidate::doctor::{Part, Status};
    let k = K8s::start(2, FleetPods::default());
    let doctor = |kc: &Path, transport: &str| {
        let out = k.run(
            &["doctor", "--path", "/posts/a", "-o", "json"],
            &[
                vec![
                    "--kubeconfig".into(),
                    kc.display().to_string(),
                    "--k8s-service".into(),
                    "web".into(),
                    "--transport".into(),
                    transport.into(),
                ],
                k.manifest_arg().to_vec(),
            ]
            .concat(),
        );
        let report = match envelope(&out).steps.as_slice() {
            [crate::common::Step::Doctor(r)] => r.clone(),
            other => panic!("expected one doctor step, got {other:#?}"),
        };
        (out, report)
    };
    let line = |r: &revalidate::doctor::Report, name: &str| {
        r.checks
            .iter()
            .find(|c| c.part == Part::Kubernetes && c.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {:#?}", r.checks))
    };

    // Everything allowed: every verb the port-forward transport needs is OK, the pods answer.
    let (out, r) = doctor(&k.kubeconfig, "port-forward");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for name in [
        "get services",
        "list endpointslices.discovery.k8s.io",
        "get pods/portforward",
        "create pods/portforward",
    ] {
        assert_eq!(line(&r, name).status, Status::Ok, "{name}");
    }
    assert!(
        r.checks.iter().all(|c| c.status == Status::Ok),
        "{:#?}",
        r.checks
    );

    // Port-forwards denied: that verb's line fails, named with its check; exit 5.
    k.cluster().add_token(
        "no-forward-0123456789",
        "system:serviceaccount:web:revalidate",
        Access::all().deny("create", "pods/portforward"),
    );
    let kc = k.kubeconfig_for("no-forward-0123456789");
    let (out, r) = doctor(&kc, "port-forward");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let denied = line(&r, "create pods/portforward");
    assert_eq!(denied.status, Status::Fail);
    assert!(
        denied
            .hint
            .as_deref()
            .unwrap()
            .contains("kubectl auth can-i create pods/portforward -n web"),
        "{denied:?}"
    );
    assert_eq!(line(&r, "get pods/portforward").status, Status::Ok);
    assert!(!stdout(&out).contains("no-forward-0123456789"));

    // Under auto, pods/proxy is allowed, so the port-forward denial does not matter.
    let (out, r) = doctor(&kc, "auto");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(line(&r, "transport (auto)").status, Status::Ok);

    // Pods listed through the API server (a pods file from `revalidate pods -o json`) name their
    // own way in: its verb is asked too.
    let listed = k.run(
        &["pods", "--transport", "apiserver-proxy", "-o", "json"],
        &k.service(),
    );
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    let file = k.dir.path().join("pods.json");
    std::fs::write(&file, &listed.stdout).unwrap();
    k.cluster().add_token(
        "no-proxy-9876543210",
        "system:serviceaccount:web:revalidate",
        Access::all().deny("get", "pods/proxy"),
    );
    let kc = k.kubeconfig_for("no-proxy-9876543210");
    let out = k.run(
        &["doctor", "--path", "/posts/a", "-o", "json"],
        &[
            vec![
                "--kubeconfig".into(),
                kc.display().to_string(),
                "--pods-file".into(),
                file.display().to_string(),
            ],
            k.manifest_arg().to_vec(),
        ]
        .concat(),
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let r = match envelope(&out).steps.as_slice() {
        [crate::common::Step::Doctor(r)] => r.clone(),
        other => panic!("expected one doctor step, got {other:#?}"),
    };
    assert_eq!(line(&r, "get pods/proxy").status, Status::Fail);
}
