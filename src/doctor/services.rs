//! The services' checks: Kubernetes RBAC (SelfSubjectAccessReviews of what discovery and the
//! transport need), Redis (PING, the channel's subscribers, the agents registered), CloudFront
//! (credentials, GetDistribution, ListInvalidations) and Cloudflare (the token, the zone).

use std::time::Duration;

use super::checks::{failed, named};
use super::{Check, Kind, Part, Status};
use crate::config::{Config, KubernetesSettings, PodSource};
use crate::context::Limits;
use crate::targets::kubernetes::Cluster;
use crate::targets::kubernetes::access::{self, Need};

/// How long the AWS default chain may look for credentials.
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(3);

/// Words of the lines, kept apart so the code around them stays readable.
const NO_NAMES: &str =
    "; which pods are missing cannot be told (no agent registered: PUBSUB NUMSUB only counts)";
const SUBSCRIBER_HINT: &str = "a pod whose subscriber is gone misses every message: restart it, or run `revalidate agent` beside the app (it resubscribes by itself and registers)";
const NOBODY_HINT: &str = "are the pods (or their agents) subscribed to this channel? (--channel)";
const INACTIVE_HINT: &str =
    "a disabled or expired token: make a new one at dash.cloudflare.com > My Profile > API Tokens";
const TOKEN_NEEDS: &str = "the token must be a valid API token with Zone > Cache Purge on the zone";
const NOT_CREATED: &str =
    "not checked: it cannot be tried without creating an invalidation (and paying for its paths)";

// ---- Kubernetes RBAC ----

/// The permissions discovery and the transport need, as SelfSubjectAccessReviews.
pub(super) async fn rbac(
    source: &PodSource,
    k8s: &KubernetesSettings,
    limits: &Limits,
) -> Vec<Check> {
    use crate::choices::TransportChoice;
    let discovered = matches!(
        source,
        PodSource::Service { .. } | PodSource::Selector { .. }
    );
    let listed_through_api = match source {
        PodSource::Static(spec) => crate::targets::from_spec(spec)
            .map(|t| t.iter().any(|t| t.reach.needs_kubernetes()))
            .unwrap_or(false),
        _ => false,
    };
    if !discovered && !listed_through_api {
        return Vec::new();
    }
    let cluster = match Cluster::connect(k8s, limits).await {
        Ok(c) => c,
        Err(e) => return vec![failed(Part::Kubernetes, "credentials", &e)],
    };
    let ns = k8s
        .namespace
        .clone()
        .unwrap_or_else(|| cluster.default_namespace.clone());
    let mut needs: Vec<(Need, bool)> = Vec::new();
    match source {
        PodSource::Service { .. } => {
            needs.push((Need::new("get", "services", &ns), true));
            needs.push((
                Need::new("list", "endpointslices.discovery.k8s.io", &ns),
                true,
            ));
        }
        PodSource::Selector { .. } => needs.push((Need::new("list", "pods", &ns), true)),
        _ => {}
    }
    let proxy = Need::new("get", "pods/proxy", &ns);
    let forward = [
        Need::new("get", "pods/portforward", &ns),
        Need::new("create", "pods/portforward", &ns),
    ];
    let auto = discovered && k8s.transport == TransportChoice::Auto && !cluster.in_cluster;
    match (discovered, k8s.transport) {
        (true, TransportChoice::ApiServerProxy) => needs.push((proxy.clone(), true)),
        (true, TransportChoice::PortForward) => {
            needs.extend(forward.iter().cloned().map(|n| (n, true)));
        }
        (true, TransportChoice::Auto) if auto => {
            // Either way will do: asked, and judged together below.
            needs.push((proxy.clone(), false));
            needs.extend(forward.iter().cloned().map(|n| (n, false)));
        }
        _ => {}
    }
    // Listed pods (a pods file from `revalidate pods -o json`) name their own way in.
    if let PodSource::Static(spec) = source
        && let Ok(targets) = crate::targets::from_spec(spec)
    {
        use crate::targets::Reach;
        for t in &targets {
            let wanted: Vec<Need> = match &t.reach {
                Reach::ApiServerProxy { namespace, .. } => {
                    vec![Need::new("get", "pods/proxy", namespace)]
                }
                Reach::PortForward { namespace, .. } => vec![
                    Need::new("get", "pods/portforward", namespace),
                    Need::new("create", "pods/portforward", namespace),
                ],
                Reach::Direct { .. } => Vec::new(),
            };
            for n in wanted {
                if !needs.iter().any(|(m, _)| *m == n) {
                    needs.push((n, true));
                }
            }
        }
    }
    let answers = futures_util::future::join_all(needs.iter().map(|(need, _)| {
        let client = cluster.client.clone();
        async move {
            match tokio::time::timeout(limits.timeout, access::can_i(&client, need)).await {
                Ok(Ok(allowed)) => Ok(allowed),
                Ok(Err(e)) => Err(access::describe(&e)),
                Err(_) => Err(format!(
                    "no answer within {}",
                    humantime::format_duration(limits.timeout)
                )),
            }
        }
    }))
    .await;
    let mut checks = Vec::new();
    let mut either: Vec<(&Need, Result<bool, String>)> = Vec::new();
    for ((need, required), answer) in needs.iter().zip(answers) {
        if !required {
            either.push((need, answer));
            continue;
        }
        checks.push(one_need(need, answer));
    }
    if !either.is_empty() {
        let allowed = |n: &Need| {
            either
                .iter()
                .find(|(m, _)| m.verb == n.verb && m.resource == n.resource)
                .map(|(_, a)| a.clone())
        };
        let proxy_ok = allowed(&proxy);
        let forward_ok: Vec<Option<Result<bool, String>>> = forward.iter().map(allowed).collect();
        let all_forward = forward_ok.iter().all(|a| matches!(a, Some(Ok(true))));
        let unasked = either.iter().any(|(_, a)| a.is_err());
        checks.push(either_transport(
            &proxy,
            proxy_ok,
            all_forward,
            unasked,
            &ns,
        ));
    }
    checks
}

/// The line of one permission a step needs.
fn one_need(need: &Need, answer: Result<bool, String>) -> Check {
    let name = format!("{} {}", need.verb, need.resource);
    let whose = if need.resource.starts_with("pods/") {
        "the transport"
    } else {
        "discovery"
    };
    match answer {
        Ok(true) => Check::ok(
            Part::Kubernetes,
            &name,
            Kind::Service,
            format!("allowed in namespace {}", need.namespace),
        ),
        Ok(false) => Check::fail(
            Part::Kubernetes,
            &name,
            Kind::Service,
            format!("RBAC denies {need}, which {whose} needs"),
        )
        .hint(format!(
            "grant it with a Role and RoleBinding (docs/kubernetes.md, \"RBAC\"); check with `{}`",
            need.can_i()
        )),
        Err(why) => Check::warn(
            Part::Kubernetes,
            &name,
            Kind::Service,
            format!("could not ask whether {need} is allowed: {why}"),
        ),
    }
}

/// The line of `--transport auto` outside a cluster: pods/proxy, else port-forward, will do.
fn either_transport(
    proxy: &Need,
    proxy_ok: Option<Result<bool, String>>,
    all_forward: bool,
    unasked: bool,
    ns: &str,
) -> Check {
    let name = "transport (auto)";
    if matches!(proxy_ok, Some(Ok(true))) {
        Check::ok(
            Part::Kubernetes,
            name,
            Kind::Service,
            format!(
                "pods/proxy allowed in namespace {ns}: pods are reached through the API server"
            ),
        )
    } else if all_forward {
        Check::ok(
            Part::Kubernetes,
            name,
            Kind::Service,
            format!(
                "pods/proxy denied, get and create pods/portforward allowed in namespace {ns}: pods are reached by port-forward"
            ),
        )
    } else if unasked {
        Check::warn(
            Part::Kubernetes,
            name,
            Kind::Service,
            "could not ask RBAC which transport is allowed".into(),
        )
    } else {
        Check::fail(
            Part::Kubernetes,
            name,
            Kind::Service,
            format!("RBAC allows neither get pods/proxy nor get and create pods/portforward in namespace {ns}: pods cannot be reached from outside the cluster"),
        )
        .hint(format!(
            "grant one (docs/kubernetes.md, \"RBAC\"; check with `{}`), or run inside the cluster with --transport direct",
            proxy.can_i()
        ))
    }
}

// ---- Redis ----

/// What Redis answered.
pub(super) struct RedisProbe {
    ping: Result<f64, crate::redis::Failure>,
    subscribers: Option<Result<i64, String>>,
    agents: Option<Result<Vec<(crate::redis::registry::Record, bool)>, String>>,
}

pub(super) async fn redis_probe(redis: &crate::redis::Redis, channel: &str) -> RedisProbe {
    let started = std::time::Instant::now();
    let mut conn = match tokio::time::timeout(redis.timeout() * 2, redis.connect()).await {
        Ok(Ok(c)) => c,
        Ok(Err(f)) => {
            return RedisProbe {
                ping: Err(f),
                subscribers: None,
                agents: None,
            };
        }
        Err(_) => {
            return RedisProbe {
                ping: Err(redis.timed_out()),
                subscribers: None,
                agents: None,
            };
        }
    };
    let pong: Result<String, _> = ::redis::cmd("PING").query_async(&mut conn).await;
    if let Err(e) = pong {
        return RedisProbe {
            ping: Err(redis.failure(&e)),
            subscribers: None,
            agents: None,
        };
    }
    let ping = Ok(crate::units::millis(started.elapsed()));
    let numsub = if redis.sharded() {
        "SHARDNUMSUB"
    } else {
        "NUMSUB"
    };
    let counted: Result<Vec<(String, i64)>, _> = ::redis::cmd("PUBSUB")
        .arg(numsub)
        .arg(channel)
        .query_async(&mut conn)
        .await;
    let subscribers = Some(
        counted
            .map(|v| v.into_iter().map(|(_, n)| n).sum())
            .map_err(|e| redis.failure(&e).to_string()),
    );
    let now = crate::redis::message::now_ms();
    let agents = Some(
        crate::redis::registry::list(&mut conn, channel, now)
            .await
            .map_err(|e| redis.failure(&e).to_string()),
    );
    RedisProbe {
        ping,
        subscribers,
        agents,
    }
}

pub(super) fn redis_checks(
    probe: RedisProbe,
    redis: &crate::redis::Redis,
    channel: &str,
    seen: &super::fleet::Seen,
    expect: Option<u32>,
) -> Vec<Check> {
    let pods = seen.pods.as_deref();
    let mut checks = Vec::new();
    match probe.ping {
        Err(f) => {
            let hint = f.hint();
            checks.push(
                Check::fail(
                    Part::Redis,
                    "ping",
                    Kind::Service,
                    format!("cannot use {f}"),
                )
                .hint(hint),
            );
            return checks;
        }
        Ok(ms) => checks.push(Check::ok(
            Part::Redis,
            "ping",
            Kind::Service,
            format!("{} answered PONG in {ms:.0} ms", redis.shown()),
        )),
    }
    // Who listens, by name, from the agents' registry.
    let live: Vec<String> = match &probe.agents {
        Some(Ok(list)) => list
            .iter()
            .filter(|(_, l)| *l)
            .map(|(r, _)| r.pod.clone())
            .collect(),
        _ => Vec::new(),
    };
    let registered = matches!(&probe.agents, Some(Ok(list)) if !list.is_empty());
    match probe.subscribers {
        Some(Ok(n)) => {
            let (wanted, of) = match (expect, pods) {
                (Some(e), _) => (
                    Some(i64::from(e)),
                    "expected (--expect-subscribers)".to_string(),
                ),
                (None, Some(p)) if !p.is_empty() => (Some(p.len() as i64), "pods".to_string()),
                _ => (None, String::new()),
            };
            let said = format!("{n} subscribers on channel {channel}");
            checks.push(match wanted {
                Some(w) if n < w => {
                    let missing: Vec<String> = pods
                        .unwrap_or(&[])
                        .iter()
                        .filter(|p| !live.contains(p))
                        .cloned()
                        .collect();
                    let which = if registered && !missing.is_empty() {
                        format!("; no live agent on {}", named(&missing))
                    } else {
                        NO_NAMES.to_string()
                    };
                    Check::fail(
                        Part::Redis,
                        "subscribers",
                        Kind::Fleet,
                        format!("{said} for {w} {of}{which}"),
                    )
                    .hint(SUBSCRIBER_HINT)
                    .pods(if registered { missing } else { Vec::new() })
                }
                Some(w) => Check::ok(
                    Part::Redis,
                    "subscribers",
                    Kind::Fleet,
                    format!("{said} for {w} {of}"),
                ),
                None if n == 0 => Check::warn(
                    Part::Redis,
                    "subscribers",
                    Kind::Fleet,
                    format!("{said}: nobody would receive a message"),
                )
                .hint(NOBODY_HINT),
                None => Check::ok(Part::Redis, "subscribers", Kind::Fleet, said),
            });
        }
        Some(Err(e)) => checks.push(
            Check::fail(
                Part::Redis,
                "subscribers",
                Kind::Service,
                format!("PUBSUB {channel}: {e}"),
            )
            .hint("the ACL user needs PUBSUB"),
        ),
        None => {}
    }
    match probe.agents {
        Some(Ok(list)) => checks.push(with_builds(
            agents(&list, channel, pods),
            &list,
            seen.build.as_deref(),
        )),
        Some(Err(e)) => checks.push(
            Check::warn(
                Part::Agents,
                "registered",
                Kind::Service,
                format!("cannot read the agents of {channel}: {e}"),
            )
            .hint("the ACL user needs HGETALL, ZRANGE and ZRANGEBYSCORE on the channel's keys"),
        ),
        None => {}
    }
    checks
}

/// The agents' line, with the live agents whose app reports another build than the pods' (an
/// agent left beside an old app, or a record of another fleet) named: a WARN at least.
fn with_builds(
    mut c: Check,
    list: &[(crate::redis::registry::Record, bool)],
    reference: Option<&str>,
) -> Check {
    let Some(reference) = reference else {
        return c;
    };
    let odd: Vec<String> = list
        .iter()
        .filter(|(r, live)| *live && r.build_id.as_deref().is_some_and(|b| b != reference))
        .map(|(r, _)| format!("{} ({})", r.pod, r.build_id.as_deref().unwrap_or("")))
        .collect();
    if odd.is_empty() {
        return c;
    }
    c.summary.push_str(&format!(
        "; agents reporting another build than the pods' {reference}: {}",
        named(&odd)
    ));
    if c.status == Status::Ok {
        c.status = Status::Warn;
        c.hint = Some(
            "an agent reads its app's build id: one left beside an old app, or a record of another fleet on this channel".into(),
        );
    }
    c
}

/// The agents registered on the channel, compared with the pods found.
fn agents(
    list: &[(crate::redis::registry::Record, bool)],
    channel: &str,
    pods: Option<&[String]>,
) -> Check {
    let name = "registered";
    if list.is_empty() {
        return Check::ok(
            Part::Agents,
            name,
            Kind::Fleet,
            format!(
                "no agent registered on {channel}: the pods subscribe by themselves (they cannot be named)"
            ),
        );
    }
    let live: Vec<String> = list
        .iter()
        .filter(|(_, l)| *l)
        .map(|(r, _)| r.pod.clone())
        .collect();
    let expired: Vec<String> = list
        .iter()
        .filter(|(_, l)| !*l)
        .map(|(r, _)| r.pod.clone())
        .collect();
    let mut said = format!("{} live", live.len());
    if !expired.is_empty() {
        said.push_str(&format!("; heartbeat expired: {}", named(&expired)));
    }
    let Some(pods) = pods.filter(|p| !p.is_empty()) else {
        let c = Check::ok(
            Part::Agents,
            name,
            Kind::Fleet,
            format!("{said} ({})", named(&live)),
        );
        return if expired.is_empty() {
            c
        } else {
            Check {
                status: Status::Warn,
                ..c
            }
            .pods(expired)
        };
    };
    let missing: Vec<String> = pods.iter().filter(|p| !live.contains(p)).cloned().collect();
    let extra: Vec<String> = live.iter().filter(|a| !pods.contains(a)).cloned().collect();
    if !missing.is_empty() {
        return Check::fail(
            Part::Agents,
            name,
            Kind::Fleet,
            format!(
                "{said}; no live agent on {}{}",
                named(&missing),
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; agents of pods not found: {}", named(&extra))
                }
            ),
        )
        .hint("an agent names itself by --pod-name (env POD_NAME, from the Downward API): it must match the pod's name; `revalidate agents` lists them")
        .pods(missing);
    }
    if !extra.is_empty() || !expired.is_empty() {
        let mut pods_named = extra.clone();
        pods_named.extend(expired.iter().cloned());
        return Check::warn(
            Part::Agents,
            name,
            Kind::Fleet,
            format!(
                "{said}; every pod has one{}",
                if extra.is_empty() {
                    String::new()
                } else {
                    format!("; agents of pods not found: {}", named(&extra))
                }
            ),
        )
        .hint("another fleet on the same channel, or pods just gone: an expired agent is forgotten after an hour")
        .pods(pods_named);
    }
    Check::ok(
        Part::Agents,
        name,
        Kind::Fleet,
        format!("{said}: one on every pod found"),
    )
}

// ---- CloudFront ----

pub(super) async fn cloudfront(
    config: &Config,
    s: &crate::config::CdnSettings,
    limits: &Limits,
) -> Vec<Check> {
    use crate::cdn::aws::{ApiErrorKind, CloudFront};
    let distribution = match crate::cdn::prepare::distribution(config, s) {
        Ok(d) => d,
        Err(e) => return vec![failed(Part::Cloudfront, "distribution", &e)],
    };
    // The default chain may try several sources (SSO, a role, the instance's metadata): it gets
    // a little longer than a request, not the steps' 5 s.
    let connect = CloudFront::connect(s, limits, Duration::from_millis(100), &distribution);
    let api = match tokio::time::timeout(CREDENTIALS_TIMEOUT, connect).await {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => return vec![failed(Part::Cloudfront, "credentials", &e)],
        Err(_) => {
            let c = Check::fail(
                Part::Cloudfront,
                "credentials",
                Kind::Service,
                format!(
                    "no AWS credentials found within {}",
                    humantime::format_duration(CREDENTIALS_TIMEOUT)
                ),
            )
            .hint("set AWS_PROFILE (--aws-profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; off EC2, AWS_EC2_METADATA_DISABLED=true skips the instance metadata");
            return vec![c];
        }
    };
    let (info, listed) = tokio::join!(api.distribution_info(), api.list_page(None, 1));
    let mut checks = vec![Check::ok(
        Part::Cloudfront,
        "credentials",
        Kind::Service,
        "found by the AWS default chain".into(),
    )];
    let denied = |e: &crate::cdn::aws::ApiError| e.kind == ApiErrorKind::AccessDenied;
    checks.push(match info {
        Ok((domain, status)) => Check::ok(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Service,
            format!("distribution {distribution}: {domain} ({status})"),
        ),
        Err(e) if e.kind == ApiErrorKind::NoSuchDistribution => Check::fail(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Config,
            format!("distribution {distribution} does not exist ({})", e.describe()),
        )
        .hint("check --distribution (`aws cloudfront list-distributions` lists those these credentials see)"),
        Err(e) if denied(&e) => Check::warn(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Service,
            format!("denied ({}): no step needs it, so this only says less", e.describe()),
        ),
        Err(e) => Check::fail(
            Part::Cloudfront,
            "GetDistribution",
            Kind::Service,
            format!("distribution {distribution}: {}", e.describe()),
        ),
    });
    checks.push(match listed {
        Ok((items, _)) => Check::ok(
            Part::Cloudfront,
            "ListInvalidations",
            Kind::Service,
            format!(
                "allowed on {distribution} ({})",
                if items.is_empty() {
                    "no invalidation yet"
                } else {
                    "the newest is readable"
                }
            ),
        ),
        Err(e) => Check::fail(
            Part::Cloudfront,
            "ListInvalidations",
            Kind::Service,
            format!("on {distribution}: {}", e.describe()),
        )
        .hint(format!(
            "the credentials need {} on arn:aws:cloudfront::ACCOUNT:distribution/{distribution}",
            crate::cdn::aws::PERMISSIONS
        )),
    });
    checks.push(
        Check::ok(
            Part::Cloudfront,
            "CreateInvalidation",
            Kind::Service,
            NOT_CREATED.into(),
        )
        .hint(format!(
            "to check the policy without creating one: aws iam simulate-principal-policy --action-names cloudfront:CreateInvalidation --resource-arns arn:aws:cloudfront::ACCOUNT:distribution/{distribution} --policy-source-arn ARN"
        )),
    );
    checks
}

// ---- Cloudflare ----

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<serde_json::Value>,
    result: Option<serde_json::Value>,
}

fn errors_of(e: &Envelope) -> String {
    e.errors
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x.get("code").map_or(String::new(), |c| c.to_string()),
                x.get("message").and_then(|m| m.as_str()).unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) async fn cloudflare(s: &crate::config::CdnSettings, limits: &Limits) -> Vec<Check> {
    let Some(cf) = &s.cloudflare else {
        return Vec::new();
    };
    let zone = match crate::cdn::cloudflare::Zone::build(
        cf,
        s.site_url.as_deref(),
        std::env::var(crate::cdn::cloudflare::TOKEN_ENV).ok(),
    ) {
        Ok(z) => z,
        Err(e) => return vec![failed(Part::Cloudflare, "token", &e)],
    };
    let client = match reqwest::Client::builder()
        .user_agent(crate::transport::USER_AGENT)
        .timeout(limits.timeout)
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return vec![Check::fail(
                Part::Cloudflare,
                "token",
                Kind::Service,
                format!("cannot set up the HTTP client: {e}"),
            )];
        }
    };
    let api = zone.api_url.trim_end_matches('/').to_string();
    let get = |url: String| {
        let req = client.get(url).bearer_auth(zone.token.expose());
        async move {
            let resp = req.send().await.map_err(|e| {
                crate::secret::redact(&format!(
                    "no answer from the Cloudflare API: {}",
                    crate::error::chain(&e)
                ))
                .into_owned()
            })?;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            match serde_json::from_str::<Envelope>(&text) {
                Ok(e) => Ok((status, e)),
                Err(_) => Err(format!(
                    "the Cloudflare API answered {status} with no JSON envelope"
                )),
            }
        }
    };
    let (verify, read) = tokio::join!(
        get(format!("{api}/user/tokens/verify")),
        get(format!("{api}/zones/{}", zone.zone))
    );
    let mut checks = Vec::new();
    let token_ok = match verify {
        Ok((_, e)) if e.success => {
            let status = e
                .result
                .as_ref()
                .and_then(|r| r.get("status"))
                .and_then(|s| s.as_str())
                .unwrap_or("unknown")
                .to_string();
            if status == "active" {
                checks.push(Check::ok(
                    Part::Cloudflare,
                    "token",
                    Kind::Service,
                    format!("verified: {} is active", zone.token),
                ));
                true
            } else {
                checks.push(
                    Check::fail(
                        Part::Cloudflare,
                        "token",
                        Kind::Service,
                        format!("{} is {status}, not active", zone.token),
                    )
                    .hint(INACTIVE_HINT),
                );
                false
            }
        }
        Ok((status, e)) => {
            let said = format!("{} was refused ({status}: {})", zone.token, errors_of(&e));
            let hint = format!(
                "check env {} or --cloudflare-token-file: {TOKEN_NEEDS}",
                crate::cdn::cloudflare::TOKEN_ENV
            );
            checks.push(Check::fail(Part::Cloudflare, "token", Kind::Service, said).hint(hint));
            false
        }
        Err(why) => {
            checks.push(
                Check::fail(Part::Cloudflare, "token", Kind::Service, why)
                    .hint("is --cloudflare-api-url right, and is the API reachable from here?"),
            );
            false
        }
    };
    if token_ok {
        checks.push(match read {
            Ok((_, e)) if e.success => Check::ok(
                Part::Cloudflare,
                "zone",
                Kind::Service,
                format!(
                    "zone {} readable ({})",
                    zone.zone,
                    e.result.as_ref().and_then(|r| r.get("name")).and_then(|n| n.as_str()).unwrap_or("?")
                ),
            ),
            Ok((403, e)) => Check::warn(
                Part::Cloudflare,
                "zone",
                Kind::Service,
                format!("zone {} not readable by this token ({})", zone.zone, errors_of(&e)),
            )
            .hint("a token limited to Cache Purge may not read the zone; if purges are refused too, give it Zone > Cache Purge on this zone"),
            Ok((status, e)) => Check::fail(
                Part::Cloudflare,
                "zone",
                Kind::Service,
                format!("zone {}: {status} {}", zone.zone, errors_of(&e)),
            )
            .hint("check --cloudflare-zone: the zone id is on the zone's Overview page"),
            Err(why) => Check::fail(Part::Cloudflare, "zone", Kind::Service, why),
        });
    }
    checks
}
