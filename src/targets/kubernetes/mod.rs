//! Kubernetes: every pod of a Service (its EndpointSlices) or of a label selector (the Pods),
//! found through the API server, and the transport that reaches them from where this runs.
//!
//! [`Cluster::connect`] reads the kubeconfig (exec credential plugins included) or the in-cluster
//! service account and builds the one kube client of the run: kube's own layers (base URI, auth,
//! extra headers) over a hyper client whose pool is sized for one origin, the API server, and
//! without kube's default retry layer (it retries 429, 503 and 504 up to 15 times with long
//! backoff, which would hide a pod's own 503 behind minutes of waiting): retries go through the
//! run context like every other request. [`list`] reads the objects ([`endpoints`] turns them
//! into candidates) and [`choose`] picks the transport, asking RBAC first. Invariants: lists
//! are read whole (every page; an expired continue token restarts the list, so pages of two
//! versions are never mixed); credentials are registered for redaction the moment they are read.

pub mod access;
pub mod endpoints;

use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use self::access::{Need, Place};
use self::endpoints::{Family, Found, SlicePort};
use super::Reach;
use crate::choices::{IpFamily, PortRef, TransportChoice};
use crate::config::KubernetesSettings;
use crate::context::Limits;
use crate::context::{Attempt, RunContext};
use crate::error::{Error, Service as Svc};
use crate::exit::Stop;

impl IpFamily {
    fn prefer(self) -> Option<Family> {
        match self {
            IpFamily::Auto => None,
            IpFamily::Ipv4 => Some(Family::V4),
            IpFamily::Ipv6 => Some(Family::V6),
        }
    }
}

/// The transport chosen for a discovery's pods.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    Direct,
    #[serde(rename = "apiserver-proxy")]
    ApiServerProxy,
    PortForward,
}

impl Via {
    pub fn name(self) -> &'static str {
        match self {
            Via::Direct => "direct",
            Via::ApiServerProxy => "apiserver-proxy",
            Via::PortForward => "port-forward",
        }
    }

    /// How `pod` is reached; `None` when the transport needs a Pod and none stands behind it.
    pub fn reach(self, namespace: &str, c: &endpoints::Candidate) -> Option<Reach> {
        match self {
            Via::Direct => Some(Reach::Direct {
                base: direct_base(c.address, c.port),
            }),
            _ if !c.is_pod => None,
            Via::ApiServerProxy => Some(Reach::ApiServerProxy {
                namespace: namespace.to_string(),
                pod: c.name.clone(),
                port: c.port,
            }),
            Via::PortForward => Some(Reach::PortForward {
                namespace: namespace.to_string(),
                pod: c.name.clone(),
                port: c.port,
            }),
        }
    }
}

/// `http://IP:PORT`, brackets around IPv6.
pub fn direct_base(ip: IpAddr, port: u16) -> String {
    format!("http://{}", std::net::SocketAddr::new(ip, port))
}

/// Why discovery ended without a listing.
#[derive(Debug)]
pub enum Halt {
    /// A signal or the deadline (the report says so).
    Stop(Stop),
    /// A failure, already in people's words.
    Error(Error),
    /// An API answer the caller may want to read (404, 410) before it becomes an [`Error`].
    Api(kube::Error),
}

impl Halt {
    fn failed(self, need: &Need, place: &Place) -> Halt {
        match self {
            Halt::Api(e) => Halt::Error(access::failed(&e, need, place)),
            other => other,
        }
    }
}

/// The connection to one cluster.
#[derive(Clone)]
pub struct Cluster {
    pub client: kube::Client,
    /// The namespace used when none is given: the context's (or the service account's).
    pub default_namespace: String,
    pub place: Place,
    /// Whether this process runs inside a cluster (a pod's KUBERNETES_SERVICE_HOST is set).
    pub in_cluster: bool,
}

fn usage_kubeconfig(path: &str, why: impl std::fmt::Display) -> Error {
    Error::usage_with_hint(
        format!("cannot use the kubeconfig {path}: {why}"),
        "check it with `kubectl config view`; --kubeconfig FILE (or KUBECONFIG) names another",
    )
}

/// Quoted values in a parser's message, dropped: a kubeconfig holds tokens and keys.
fn without_quoted(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        if c == '"' {
            if !inside {
                out.push_str("\"…\"");
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

impl Cluster {
    /// Reads the credentials and builds the client; sends nothing. `limits` sizes the pool
    /// (every request of the run may go to the API server) and the connect timeout.
    pub async fn connect(s: &KubernetesSettings, limits: &Limits) -> Result<Cluster, Error> {
        let in_cluster = std::env::var_os("KUBERNETES_SERVICE_HOST").is_some_and(|v| !v.is_empty());
        let kubeconfig = match &s.kubeconfig {
            Some(path) => {
                let shown = path.display().to_string();
                if !path.is_file() {
                    return Err(usage_kubeconfig(&shown, "no such file"));
                }
                Some((
                    Kubeconfig::read_from(path)
                        .map_err(|e| usage_kubeconfig(&shown, without_quoted(&e.to_string())))?,
                    shown,
                ))
            }
            None => match Kubeconfig::read() {
                Ok(k) => Some((k, "from KUBECONFIG or ~/.kube/config".to_string())),
                Err(_) if in_cluster && s.context.is_none() => None,
                Err(e) => {
                    let found = std::env::var_os("KUBECONFIG").is_some()
                        || home_kubeconfig().is_some_and(|p| p.is_file());
                    if found {
                        return Err(usage_kubeconfig(
                            "(KUBECONFIG or ~/.kube/config)",
                            without_quoted(&e.to_string()),
                        ));
                    }
                    return Err(Error::unavailable(
                        Svc::Kubernetes,
                        "no kubeconfig (KUBECONFIG, ~/.kube/config) and not inside a cluster",
                        Some("give --kubeconfig FILE (and --context NAME), or run inside the cluster with a service account".into()),
                    ));
                }
            },
        };
        let (config, context) = match kubeconfig {
            Some((kc, shown)) => {
                let context = s.context.clone().or_else(|| kc.current_context.clone());
                if let Some(c) = &s.context
                    && !kc.contexts.iter().any(|n| &n.name == c)
                {
                    let known: Vec<&str> = kc.contexts.iter().map(|n| n.name.as_str()).collect();
                    return Err(Error::usage(format!(
                        "context {c:?} not found in the kubeconfig {shown} (contexts: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    )));
                }
                let options = KubeConfigOptions {
                    context: s.context.clone(),
                    ..KubeConfigOptions::default()
                };
                let config = kube::Config::from_custom_kubeconfig(kc, &options)
                    .await
                    .map_err(|e| usage_kubeconfig(&shown, without_quoted(&e.to_string())))?;
                (config, context)
            }
            None => {
                let config = kube::Config::incluster().map_err(|e| {
                    Error::unavailable(
                        Svc::Kubernetes,
                        format!("cannot read the pod's service account: {e}"),
                        Some(
                            "is a service account token mounted (automountServiceAccountToken)?"
                                .into(),
                        ),
                    )
                })?;
                (config, None)
            }
        };
        register_secrets(&config)?;
        if config.proxy_url.is_some() {
            return Err(Error::usage(
                "the kubeconfig's cluster sets proxy-url, which revalidate does not support; reach the API server directly (or through kubectl proxy with --kubeconfig pointing at it)",
            ));
        }
        let place = Place {
            server: config
                .cluster_url
                .to_string()
                .trim_end_matches('/')
                .to_string(),
            context,
        };
        let client = client(&config, limits).map_err(|e| {
            Error::unavailable(
                Svc::Kubernetes,
                format!("cannot set up the client: {}", access::describe(&e)),
                Some(format!("check the kubeconfig's user ({})", place.server)),
            )
        })?;
        Ok(Cluster {
            client,
            default_namespace: config.default_namespace.clone(),
            place,
            in_cluster,
        })
    }
}

fn home_kubeconfig() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".kube").join("config"))
}

/// Registers every credential the config holds, so no output can show it; a token or password
/// too short to be kept out of output is refused (exit 2). The header values built from them
/// (`Bearer …`, `Basic …`, and tokens an exec plugin hands out later) are registered as each
/// request leaves, in [`client`].
fn register_secrets(config: &kube::Config) -> Result<(), Error> {
    let a = &config.auth_info;
    let file_token = a
        .token_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|t| t.trim().to_string());
    for (what, value) in [
        (
            "token",
            a.token.as_ref().map(|t| t.expose_secret().to_string()),
        ),
        ("token file's token", file_token),
        (
            "password",
            a.password.as_ref().map(|p| p.expose_secret().to_string()),
        ),
    ] {
        if let Some(value) = value {
            crate::secret::check_length(&value, &format!("the kubeconfig user's {what}"))
                .map_err(Error::usage)?;
            crate::secret::register(&value);
        }
    }
    let pem = a
        .client_key_data
        .as_ref()
        .map(|d| d.expose_secret().to_string())
        .into_iter()
        .chain(
            a.client_key
                .as_ref()
                .and_then(|k| std::fs::read_to_string(k).ok()),
        );
    for pem in pem {
        // The key's base64 body, whole and line by line (a short last line is part of the
        // whole, not a secret of its own).
        let body: Vec<&str> = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----") && !l.is_empty())
            .collect();
        crate::secret::register(&pem);
        crate::secret::register(&body.concat());
        for line in body
            .iter()
            .filter(|l| l.len() >= crate::secret::MIN_SECRET_LEN)
        {
            crate::secret::register(line);
        }
    }
    Ok(())
}

/// The run's kube client; see the module documentation.
pub(crate) fn client(config: &kube::Config, limits: &Limits) -> Result<kube::Client, kube::Error> {
    use hyper_util::client::legacy::connect::HttpConnector;
    use kube::client::ConfigExt;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(limits.timeout));
    let https = config.rustls_https_connector_with_connector(http)?;
    let hyper = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        // Every request of the run goes to one origin, the API server.
        .pool_max_idle_per_host(limits.concurrency)
        .build(https);
    let service = tower::ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        // The Authorization header as it leaves (a bearer token, basic credentials, or a token
        // an exec plugin just handed out) is a secret whole and in its parts: a server echoing
        // it back, in any encoding, must not show it.
        .map_request(|request: http::Request<kube::client::Body>| {
            if let Some(value) = request.headers().get(http::header::AUTHORIZATION)
                && let Ok(value) = value.to_str()
            {
                crate::secret::register_header_value(value);
            }
            request
        })
        .map_err(tower::BoxError::from)
        .service(hyper);
    Ok(kube::Client::new(service, config.default_namespace.clone()))
}

/// One API request with the run's timeout and retries (429, 5xx, connection failures).
pub async fn request<T, F, Fut>(ctx: &RunContext, mut f: F) -> Result<T, Halt>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = kube::Result<T>>,
{
    let timeout = ctx.limits().timeout;
    let done = ctx
        .attempt(|| {
            let fut = f();
            async move {
                match tokio::time::timeout(timeout, fut).await {
                    Ok(Ok(v)) => Attempt::Final(Ok(v)),
                    Ok(Err(e)) if access::transient(&e) => Attempt::Retry(Err(Some(e))),
                    Ok(Err(e)) => Attempt::Final(Err(Some(e))),
                    Err(_) => Attempt::Retry(Err(None)),
                }
            }
        })
        .await;
    match done.result {
        Err(stop) => Err(Halt::Stop(stop)),
        Ok(Ok(v)) => Ok(v),
        Ok(Err(Some(e))) => Err(Halt::Api(e)),
        Ok(Err(None)) => Err(Halt::Error(Error::unavailable(
            Svc::Kubernetes,
            format!(
                "the API server gave no answer within {} ({} attempts)",
                humantime::format_duration(timeout),
                done.attempts
            ),
            Some("raise --timeout, or check the cluster's health".into()),
        ))),
    }
}

/// Every object of a list, page by page (500 a page). An expired continue token (410, after a
/// compaction) restarts the list once, so the result is one consistent snapshot.
async fn list_all<K>(
    ctx: &RunContext,
    api: &Api<K>,
    params: &ListParams,
    need: &Need,
    place: &Place,
) -> Result<Vec<K>, Halt>
where
    K: Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut restarted = false;
    'list: loop {
        let mut items = Vec::new();
        let mut page = params.clone().limit(500);
        loop {
            match request(ctx, || api.list(&page)).await {
                Ok(list) => {
                    items.extend(list.items);
                    match list.metadata.continue_.filter(|c| !c.is_empty()) {
                        Some(token) => page = page.continue_token(&token),
                        None => return Ok(items),
                    }
                }
                Err(Halt::Api(kube::Error::Api(s))) if s.code == 410 && !restarted => {
                    tracing::debug!("the list expired between pages; listing again from the start");
                    restarted = true;
                    continue 'list;
                }
                // A bad selector: the caller names its flag.
                Err(Halt::Api(kube::Error::Api(s))) if s.code == 400 => {
                    return Err(Halt::Api(kube::Error::Api(s)));
                }
                Err(h) => return Err(h.failed(need, place)),
            }
        }
    }
}

/// What to list.
#[derive(Clone, Debug)]
pub enum What {
    Service(String),
    Selector(String),
}

/// A discovery's question to the API server.
#[derive(Clone, Debug)]
pub struct Query {
    pub namespace: String,
    pub what: What,
    pub port: Option<PortRef>,
    pub family: IpFamily,
    pub include_not_ready: bool,
}

/// What a listing found, and the port it chose (as people named it).
#[derive(Clone, Debug)]
pub struct Listed {
    pub found: Found,
    pub port: Option<String>,
}

/// Lists the pods of a Service or selector.
pub async fn list(ctx: &RunContext, cluster: &Cluster, q: &Query) -> Result<Listed, Halt> {
    match &q.what {
        What::Service(name) => list_service(ctx, cluster, q, name).await,
        What::Selector(selector) => list_selector(ctx, cluster, q, selector).await,
    }
}

fn describe_service_ports(svc: &Service) -> String {
    let ports = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    ports
        .iter()
        .map(|p| {
            let target = match &p.target_port {
                Some(IntOrString::String(s)) => s.clone(),
                Some(IntOrString::Int(n)) => n.to_string(),
                None => p.port.to_string(),
            };
            format!(
                "{} ({} → {target})",
                p.name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .unwrap_or("(unnamed)"),
                p.port
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The EndpointSlice port a `--port` (or its absence) means for this Service.
fn service_port(svc: &Service, name: &str, want: Option<&PortRef>) -> Result<SlicePort, String> {
    let ports = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    let listed = describe_service_ports(svc);
    let named = |p: &k8s_openapi::api::core::v1::ServicePort| {
        SlicePort::Name(p.name.clone().unwrap_or_default())
    };
    match want {
        None => match ports.as_slice() {
            [only] => Ok(named(only)),
            [] => Err(format!("Service {name} has no ports")),
            many => Err(format!(
                "Service {name} has {} ports: {listed}; choose one with --port NAME or --port NUMBER",
                many.len()
            )),
        },
        Some(PortRef::Name(n)) => ports
            .iter()
            .find(|p| p.name.as_deref() == Some(n))
            .or_else(|| {
                ports
                    .iter()
                    .find(|p| matches!(&p.target_port, Some(IntOrString::String(t)) if t == n))
            })
            .map(named)
            .ok_or_else(|| format!("Service {name} has no port named {n:?}; its ports: {listed}")),
        Some(PortRef::Number(n)) => Ok(ports
            .iter()
            .find(|p| p.port == i32::from(*n))
            .or_else(|| {
                ports.iter().find(
                    |p| matches!(&p.target_port, Some(IntOrString::Int(t)) if *t == i32::from(*n)),
                )
            })
            .map(named)
            // A number the pods listen on that the Service does not name (a named targetPort).
            .unwrap_or(SlicePort::Number(*n))),
    }
}

async fn not_found(ctx: &RunContext, cluster: &Cluster, ns: &str, name: &str) -> Error {
    let api: Api<Service> = Api::namespaced(cluster.client.clone(), ns);
    let params = ListParams::default();
    let listed = request(ctx, || api.list(&params)).await;
    let names: Vec<String> = match listed {
        Ok(l) => l
            .items
            .into_iter()
            .filter_map(|s| s.metadata.name)
            .collect(),
        Err(_) => {
            return Error::usage_with_hint(
                format!("Service {name:?} not found in namespace {ns}"),
                "is the namespace right (-n NAMESPACE)?",
            );
        }
    };
    if names.is_empty() {
        return Error::usage_with_hint(
            format!("Service {name:?} not found in namespace {ns}, which has no Services"),
            "is the namespace right (-n NAMESPACE)?",
        );
    }
    let close = names
        .iter()
        .map(|n| (strsim::damerau_levenshtein(n, name), n))
        .filter(|(d, _)| *d <= 1 + name.len() / 4)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone());
    let message = format!(
        "Service {name:?} not found in namespace {ns} (Services there: {})",
        names.join(", ")
    );
    match close {
        Some(n) => Error::usage_with_hint(message, format!("did you mean --k8s-service {n}?")),
        None => Error::usage(message),
    }
}

async fn list_service(
    ctx: &RunContext,
    cluster: &Cluster,
    q: &Query,
    name: &str,
) -> Result<Listed, Halt> {
    let ns = q.namespace.as_str();
    let place = &cluster.place;
    let services: Api<Service> = Api::namespaced(cluster.client.clone(), ns);
    let svc = match request(ctx, || services.get(name)).await {
        Ok(s) => s,
        Err(Halt::Api(kube::Error::Api(s))) if s.code == 404 => {
            return Err(Halt::Error(not_found(ctx, cluster, ns, name).await));
        }
        Err(h) => return Err(h.failed(&Need::new("get", "services", ns), place)),
    };
    let port =
        service_port(&svc, name, q.port.as_ref()).map_err(|e| Halt::Error(Error::usage(e)))?;
    let spec = svc.spec.clone().unwrap_or_default();
    let primary = spec
        .ip_families
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| Family::parse(f));
    let prefer = q.family.prefer().or(primary).unwrap_or(Family::V4);
    let slices: Api<EndpointSlice> = Api::namespaced(cluster.client.clone(), ns);
    let params = ListParams::default().labels(&format!("kubernetes.io/service-name={name}"));
    let need = Need::new("list", "endpointslices.discovery.k8s.io", ns);
    let items = list_all(ctx, &slices, &params, &need, place)
        .await
        .map_err(|h| h.failed(&need, place))?;
    let mut found = endpoints::from_slices(&items, &port, prefer, q.include_not_ready);
    if spec.type_.as_deref() == Some("ExternalName") {
        found.warnings.push(format!(
            "Service {name} is of type ExternalName: it has no pods of its own"
        ));
    } else if spec.selector.as_ref().is_none_or(|s| s.is_empty()) && items.is_empty() {
        found.warnings.push(format!(
            "Service {name} has no selector and no EndpointSlices: its endpoints are managed by hand and none are listed"
        ));
    }
    Ok(Listed {
        found,
        port: Some(match &port {
            SlicePort::Name(n) if n.is_empty() => spec
                .ports
                .as_ref()
                .and_then(|p| p.first())
                .map_or_else(String::new, |p| p.port.to_string()),
            other => other.to_string(),
        }),
    })
}

async fn list_selector(
    ctx: &RunContext,
    cluster: &Cluster,
    q: &Query,
    selector: &str,
) -> Result<Listed, Halt> {
    let ns = q.namespace.as_str();
    let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), ns);
    let params = ListParams::default().labels(selector);
    let need = Need::new("list", "pods", ns);
    let items = match list_all(ctx, &pods, &params, &need, &cluster.place).await {
        Err(Halt::Api(kube::Error::Api(s))) if s.code == 400 => {
            return Err(Halt::Error(Error::usage(format!(
                "--k8s-selector {selector:?} is not a label selector the API server accepts ({}); write e.g. app=web or app in (web,api)",
                s.message
            ))));
        }
        other => other?,
    };
    let found = endpoints::from_pods(
        &items,
        q.port.as_ref(),
        q.family.prefer(),
        q.include_not_ready,
    )
    .map_err(|e| Halt::Error(Error::usage(e)))?;
    Ok(Listed {
        found,
        port: q.port.as_ref().map(ToString::to_string),
    })
}

/// The transport chosen, and why (for the report).
#[derive(Clone, Debug)]
pub struct Chosen {
    pub via: Via,
    pub reason: String,
    pub warnings: Vec<String>,
}

/// Picks the transport for `choice`, asking RBAC for what the API-server transports need.
pub async fn choose(
    ctx: &RunContext,
    cluster: &Cluster,
    choice: TransportChoice,
    namespace: &str,
) -> Result<Chosen, Halt> {
    let proxy = [Need::new("get", "pods/proxy", namespace)];
    let forward = [
        Need::new("get", "pods/portforward", namespace),
        Need::new("create", "pods/portforward", namespace),
    ];
    let chosen = |via, reason: String| Chosen {
        via,
        reason,
        warnings: Vec::new(),
    };
    match choice {
        TransportChoice::Direct => Ok(chosen(
            Via::Direct,
            "--transport direct: pod IPs are called from here".into(),
        )),
        TransportChoice::ApiServerProxy => {
            let mut c = chosen(Via::ApiServerProxy, "--transport apiserver-proxy".into());
            require(ctx, cluster, &proxy, &mut c.warnings).await?;
            Ok(c)
        }
        TransportChoice::PortForward => {
            let mut c = chosen(Via::PortForward, "--transport port-forward".into());
            require(ctx, cluster, &forward, &mut c.warnings).await?;
            Ok(c)
        }
        TransportChoice::Auto if cluster.in_cluster => Ok(chosen(
            Via::Direct,
            "inside a cluster (KUBERNETES_SERVICE_HOST is set): pod IPs are reachable".into(),
        )),
        TransportChoice::Auto => {
            match allowed(ctx, cluster, &proxy).await? {
                Ok(true) => {
                    return Ok(chosen(
                        Via::ApiServerProxy,
                        format!("outside a cluster; RBAC allows {}", proxy[0]),
                    ));
                }
                Err(why) => {
                    let mut c = chosen(
                        Via::ApiServerProxy,
                        "outside a cluster; RBAC could not be checked, so the first choice".into(),
                    );
                    c.warnings.push(why);
                    return Ok(c);
                }
                Ok(false) => {}
            }
            match allowed(ctx, cluster, &forward).await? {
                Ok(true) => Ok(chosen(
                    Via::PortForward,
                    format!(
                        "outside a cluster; RBAC denies {} but allows get and create pods/portforward",
                        proxy[0]
                    ),
                )),
                Ok(false) | Err(_) => Err(Halt::Error(Error::unavailable(
                    Svc::Kubernetes,
                    format!(
                        "no way to reach the pods from outside the cluster: RBAC allows neither {} nor get and create pods/portforward in namespace {namespace}",
                        proxy[0]
                    ),
                    Some(format!(
                        "grant one (docs/kubernetes.md, \"RBAC\"; check with `{}`), or run inside the cluster with --transport direct",
                        proxy[0].can_i()
                    )),
                ))),
            }
        }
    }
}

/// Whether every need is allowed: `Ok(Err(why))` when RBAC could not be asked.
async fn allowed(
    ctx: &RunContext,
    cluster: &Cluster,
    needs: &[Need],
) -> Result<Result<bool, String>, Halt> {
    for need in needs {
        match request(ctx, || access::can_i(&cluster.client, need)).await {
            Ok(true) => {}
            Ok(false) => return Ok(Ok(false)),
            Err(Halt::Api(e)) => {
                return Ok(Err(format!(
                    "could not ask the API server whether {need} is allowed ({}); going on without knowing",
                    access::describe(&e)
                )));
            }
            Err(h) => return Err(h),
        }
    }
    Ok(Ok(true))
}

/// Fails with exit 5 when RBAC denies a need; notes when it cannot be asked.
async fn require(
    ctx: &RunContext,
    cluster: &Cluster,
    needs: &[Need],
    warnings: &mut Vec<String>,
) -> Result<(), Halt> {
    for need in needs {
        match allowed(ctx, cluster, std::slice::from_ref(need)).await? {
            Ok(true) => {}
            Ok(false) => {
                return Err(Halt::Error(Error::unavailable(
                    Svc::Kubernetes,
                    format!("forbidden: RBAC does not allow {need}, which this transport needs"),
                    Some(format!(
                        "grant it with a Role and RoleBinding (docs/kubernetes.md, \"RBAC\"); check with `{}`",
                        need.can_i()
                    )),
                )));
            }
            Err(why) => warnings.push(why),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
