//! Every configuration key, declared once: its type, its name in files, its environment
//! variable, its flag, its built-in default and how `revalidate config` shows it.
//!
//! Adding a key here is the whole of making it settable from a flag, the environment, a profile
//! and the file; code reads it as a typed field, so a key that is not declared cannot be read.

use std::path::PathBuf;
use std::time::Duration;

use super::layers::config_keys;
use super::value::{Choice, Count, Size, Span, Word};

use crate::choices::{
    Encoding, EndpointMethod, IgnorePreset, IpFamily, Mode, QueryStrings, RevalidateMethod,
    TransportChoice,
};

/// Where Redis is when nothing says otherwise (as redis-cli assumes).
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";
/// The channel the pods subscribe to when nothing says otherwise.
pub const DEFAULT_CHANNEL: &str = "revalidate";
/// The app the agent revalidates when nothing says otherwise: Next.js's default port.
pub const DEFAULT_TARGET: &str = "http://127.0.0.1:3000";

config_keys! {
    /// Pods to call, as [NAME=]URL.
    pods: Vec<Word> = "pods" {
        env: Some("REVALIDATE_PODS"), flag: Some("--pod"), default: None, display: Urls,
    }
    /// A file listing pods, one [NAME=]URL a line.
    pods_file: PathBuf = "pods_file" {
        env: Some("REVALIDATE_PODS_FILE"), flag: Some("--pods-file"), default: None, display: Plain,
    }
    concurrency: Count<1, 4096> = "concurrency" {
        env: Some("REVALIDATE_CONCURRENCY"), flag: Some("--concurrency"),
        default: Some(Count(32)), display: Plain,
    }
    per_pod_concurrency: Count<1, 1024> = "per_pod_concurrency" {
        env: Some("REVALIDATE_PER_POD_CONCURRENCY"), flag: Some("--per-pod-concurrency"),
        default: Some(Count(4)), display: Plain,
    }
    timeout: Span = "timeout" {
        env: Some("REVALIDATE_TIMEOUT"), flag: Some("--timeout"),
        default: Some(Span(Duration::from_secs(10))), display: Plain,
    }
    retries: Count<0, 20> = "retries" {
        env: Some("REVALIDATE_RETRIES"), flag: Some("--retries"),
        default: Some(Count(2)), display: Plain,
    }
    deadline: Span = "deadline" {
        env: Some("REVALIDATE_DEADLINE"), flag: Some("--deadline"), default: None, display: Plain,
    }
    mode: Choice<Mode> = "mode" {
        env: Some("REVALIDATE_MODE"), flag: Some("--mode"),
        default: Some(Choice(Mode::Nextjs)), display: Plain,
    }
    method: Choice<RevalidateMethod> = "method" {
        env: None, flag: Some("--method"),
        default: Some(Choice(RevalidateMethod::Head)), display: Plain,
    }
    only_generated: bool = "only_generated" {
        env: None, flag: Some("--only-generated"), default: Some(false), display: Plain,
    }
    allow_gone: bool = "allow_gone" {
        env: None, flag: Some("--allow-gone"), default: Some(false), display: Plain,
    }
    preview_id_file: PathBuf = "preview_id_file" {
        env: Some("REVALIDATE_PREVIEW_ID_FILE"), flag: Some("--preview-id-file"),
        default: None, display: Plain,
    }
    /// Headers of every fanout request, in both modes.
    headers: Vec<String> = "headers" {
        env: None, flag: Some("--header"), default: None, display: Headers,
    }
    endpoint_template: String = "endpoint.template" {
        env: Some("REVALIDATE_ENDPOINT"), flag: Some("--endpoint"), default: None,
        display: Template,
    }
    endpoint_method: Choice<EndpointMethod> = "endpoint.method" {
        env: None, flag: Some("--endpoint-method"),
        default: Some(Choice(EndpointMethod::Get)), display: Plain,
    }
    /// Headers of endpoint-mode requests only (in addition to `headers`).
    endpoint_headers: Vec<String> = "endpoint.headers" {
        env: None, flag: None, default: None, display: Headers,
    }
    endpoint_body: String = "endpoint.body" {
        env: None, flag: Some("--body"), default: None, display: Template,
    }
    endpoint_expect_json: String = "endpoint.expect_json" {
        env: None, flag: Some("--expect-json"), default: None, display: Plain,
    }
    verify_ignore: Vec<String> = "verify.ignore" {
        env: None, flag: Some("--ignore"), default: None, display: Plain,
    }
    verify_ignore_presets: Vec<Choice<IgnorePreset>> = "verify.ignore_presets" {
        env: None, flag: Some("--ignore-preset"), default: None, display: Plain,
    }
    verify_select: String = "verify.select" {
        env: None, flag: Some("--select"), default: None, display: Plain,
    }
    verify_max_body: Size = "verify.max_body" {
        env: None, flag: Some("--max-body"), default: Some(Size(32 << 20)), display: Plain,
    }
    verify_expect_status: Count<100, 599> = "verify.expect_status" {
        env: None, flag: Some("--expect-status"), default: None, display: Plain,
    }
    verify_expect_contains: String = "verify.expect_contains" {
        env: None, flag: Some("--expect-contains"), default: None, display: Plain,
    }
    verify_expect_regex: String = "verify.expect_regex" {
        env: None, flag: Some("--expect-regex"), default: None, display: Plain,
    }
    verify_baseline: PathBuf = "verify.baseline" {
        env: None, flag: Some("--baseline"), default: None, display: Plain,
    }
    verify_expect_changed: bool = "verify.expect_changed" {
        env: None, flag: Some("--expect-changed"), default: Some(false), display: Plain,
    }
    verify_save: PathBuf = "verify.save" {
        env: None, flag: Some("--save"), default: None, display: Plain,
    }
    verify_headers: Vec<String> = "verify.headers" {
        env: None, flag: Some("--header"), default: None, display: Headers,
    }
    verify_wait: Span = "verify.wait" {
        env: None, flag: Some("--wait"), default: None, display: Plain,
    }
    verify_etag: bool = "verify.etag" {
        env: None, flag: Some("--etag"), default: Some(false), display: Plain,
    }
    verify_through: String = "verify.through" {
        env: None, flag: Some("--through"), default: None, display: Urls,
    }
    verify_samples: Count<1, 10000> = "verify.samples" {
        env: None, flag: Some("--samples"), default: Some(Count(10)), display: Plain,
    }
    verify_encodings: Vec<Choice<Encoding>> = "verify.encodings" {
        env: None, flag: Some("--encodings"),
        default: Some(vec![
            Choice(Encoding::Identity),
            Choice(Encoding::Gzip),
            Choice(Encoding::Br),
        ]),
        display: Plain,
    }

    // cdn: CloudFront invalidation, HTTP PURGE and Cloudflare (`[cdn]`).
    /// The CloudFront distribution to invalidate.
    cdn_distribution: String = "cdn.distribution" {
        env: Some("REVALIDATE_CDN_DISTRIBUTION"), flag: Some("--distribution"), default: None,
        display: Plain,
    }
    /// The shared AWS config/credentials profile (AWS_PROFILE when not set).
    cdn_aws_profile: String = "cdn.aws_profile" {
        env: None, flag: Some("--aws-profile"), default: None, display: Plain,
    }
    /// Another CloudFront API endpoint (an emulator).
    cdn_endpoint_url: String = "cdn.endpoint_url" {
        env: Some("AWS_ENDPOINT_URL_CLOUDFRONT"), flag: Some("--endpoint-url"), default: None,
        display: Urls,
    }
    /// A build id, or "auto", whose Pages Router data URLs are invalidated too.
    cdn_next_data: String = "cdn.next_data" {
        env: None, flag: Some("--next-data"), default: None, display: Plain,
    }
    cdn_build_id_file: PathBuf = "cdn.build_id_file" {
        env: None, flag: Some("--build-id-file"), default: None, display: Plain,
    }
    cdn_query_strings: Choice<QueryStrings> = "cdn.query_strings" {
        env: None, flag: Some("--query-strings"),
        default: Some(Choice(QueryStrings::Drop)), display: Plain,
    }
    cdn_coalesce: Count<1, 3000> = "cdn.coalesce" {
        env: None, flag: Some("--coalesce"), default: None, display: Plain,
    }
    cdn_max_wildcards: Count<0, 15> = "cdn.max_wildcards" {
        env: None, flag: Some("--max-wildcards"), default: Some(Count(15)), display: Plain,
    }
    cdn_batch_size: Count<1, 3000> = "cdn.batch_size" {
        env: None, flag: Some("--batch-size"), default: Some(Count(3000)), display: Plain,
    }
    cdn_free_paths_left: Count<0, 1000000> = "cdn.free_paths_left" {
        env: None, flag: Some("--free-paths-left"), default: None, display: Plain,
    }
    /// Part of every CallerReference; CI run ids are used when not set.
    cdn_run_id: String = "cdn.run_id" {
        env: Some("REVALIDATE_RUN_ID"), flag: Some("--run-id"), default: None, display: Plain,
    }
    cdn_caller_reference: String = "cdn.caller_reference" {
        env: None, flag: Some("--caller-reference"), default: None, display: Plain,
    }
    cdn_wait: bool = "cdn.wait" {
        env: None, flag: Some("--wait"), default: Some(false), display: Plain,
    }
    cdn_wait_timeout: Span = "cdn.wait_timeout" {
        env: None, flag: Some("--wait-timeout"),
        default: Some(Span(Duration::from_secs(20 * 60))), display: Plain,
    }
    cdn_poll_min: Span = "cdn.poll_min" {
        env: None, flag: Some("--poll-min"),
        default: Some(Span(Duration::from_secs(1))), display: Plain,
    }
    cdn_poll_max: Span = "cdn.poll_max" {
        env: None, flag: Some("--poll-max"),
        default: Some(Span(Duration::from_secs(10))), display: Plain,
    }
    cdn_list_limit: Count<1, 1000> = "cdn.list_limit" {
        env: None, flag: Some("--limit"), default: Some(Count(20)), display: Plain,
    }
    /// Caches that take HTTP purges (Varnish, nginx, Squid, Fastly).
    cdn_purge_urls: Vec<Word> = "cdn.purge_urls" {
        env: Some("REVALIDATE_PURGE_URLS"), flag: Some("--purge-url"), default: None, display: Urls,
    }
    cdn_purge_method: String = "cdn.purge_method" {
        env: None, flag: Some("--purge-method"), default: Some("PURGE".to_string()),
        display: Plain,
    }
    cdn_purge_headers: Vec<String> = "cdn.purge_headers" {
        env: None, flag: Some("--purge-header"), default: None, display: Headers,
    }
    cdn_cloudflare_zone: String = "cdn.cloudflare_zone" {
        env: Some("CLOUDFLARE_ZONE_ID"), flag: Some("--cloudflare-zone"), default: None,
        display: Plain,
    }
    /// A file holding the Cloudflare API token (else env CLOUDFLARE_API_TOKEN).
    cdn_cloudflare_token_file: PathBuf = "cdn.cloudflare_token_file" {
        env: None, flag: Some("--cloudflare-token-file"), default: None, display: Plain,
    }
    cdn_cloudflare_api_url: String = "cdn.cloudflare_api_url" {
        env: Some("REVALIDATE_CLOUDFLARE_API_URL"), flag: Some("--cloudflare-api-url"),
        default: Some("https://api.cloudflare.com/client/v4".to_string()), display: Urls,
    }
    cdn_cloudflare_batch_size: Count<1, 500> = "cdn.cloudflare_batch_size" {
        env: None, flag: Some("--cloudflare-batch-size"), default: Some(Count(30)),
        display: Plain,
    }
    /// The site's public origin, e.g. https://www.example.com (Cloudflare purges full URLs).
    cdn_site_url: String = "cdn.site_url" {
        env: Some("REVALIDATE_SITE_URL"), flag: Some("--site-url"), default: None, display: Urls,
    }
    // Kubernetes ([kubernetes]): where a Service's pods are found and how they are reached.
    /// A Service whose EndpointSlices list the pods.
    k8s_service: String = "kubernetes.service" {
        env: Some("REVALIDATE_K8S_SERVICE"), flag: Some("--k8s-service"), default: None,
        display: Plain,
    }
    /// A label selector listing the pods themselves.
    k8s_selector: String = "kubernetes.selector" {
        env: Some("REVALIDATE_K8S_SELECTOR"), flag: Some("--k8s-selector"), default: None,
        display: Plain,
    }
    /// A headless Service's DNS name and the pods' port, for setups without API access.
    k8s_dns: String = "kubernetes.dns" {
        env: Some("REVALIDATE_DNS"), flag: Some("--dns"), default: None, display: Plain,
    }
    k8s_namespace: String = "kubernetes.namespace" {
        env: Some("REVALIDATE_K8S_NAMESPACE"), flag: Some("--namespace"), default: None,
        display: Plain,
    }
    k8s_context: String = "kubernetes.context" {
        env: Some("REVALIDATE_K8S_CONTEXT"), flag: Some("--context"), default: None,
        display: Plain,
    }
    /// The kubeconfig file (KUBECONFIG, read by the client itself, when not set).
    k8s_kubeconfig: PathBuf = "kubernetes.kubeconfig" {
        env: None, flag: Some("--kubeconfig"), default: None, display: Plain,
    }
    /// A port name or number.
    k8s_port: String = "kubernetes.port" {
        env: Some("REVALIDATE_K8S_PORT"), flag: Some("--port"), default: None, display: Plain,
    }
    k8s_ip_family: Choice<IpFamily> = "kubernetes.ip_family" {
        env: None, flag: Some("--ip-family"), default: Some(Choice(IpFamily::Auto)),
        display: Plain,
    }
    k8s_include_not_ready: bool = "kubernetes.include_not_ready" {
        env: None, flag: Some("--include-not-ready"), default: Some(false), display: Plain,
    }
    k8s_transport: Choice<TransportChoice> = "kubernetes.transport" {
        env: Some("REVALIDATE_TRANSPORT"), flag: Some("--transport"),
        default: Some(Choice(TransportChoice::Auto)), display: Plain,
    }
    k8s_follow_new_pods: bool = "kubernetes.follow_new_pods" {
        env: None, flag: Some("--follow-new-pods"), default: Some(false), display: Plain,
    }
    /// Runs that last at least this long list the pods again at the end.
    k8s_recheck_after: Span = "kubernetes.recheck_after" {
        env: None, flag: Some("--recheck-after"),
        default: Some(Span(Duration::from_secs(1))), display: Plain,
    }

    // Redis: the connection (issue 8), shared by publish, watch and agent.
    /// The Redis URL: redis:// or rediss://, with an optional ACL user, password and db number.
    redis_url: String = "redis.url" {
        env: Some("REDIS_URL"), flag: Some("--redis-url"),
        default: Some(String::from(DEFAULT_URL)), display: Urls,
    }
    /// A file holding the Redis password (the password itself: env REDIS_PASSWORD).
    redis_password_file: PathBuf = "redis.password_file" {
        env: Some("REDIS_PASSWORD_FILE"), flag: Some("--redis-password-file"), default: None,
        display: Plain,
    }
    /// A PEM file of the CA certificates to trust for rediss:// (replaces the system roots).
    redis_ca: PathBuf = "redis.ca" {
        env: Some("REVALIDATE_REDIS_CA"), flag: Some("--redis-ca"), default: None, display: Plain,
    }
    /// Connect and response timeout of every Redis connection.
    redis_timeout: Span = "redis.timeout" {
        env: Some("REVALIDATE_REDIS_TIMEOUT"), flag: Some("--redis-timeout"),
        default: Some(Span(Duration::from_secs(5))), display: Plain,
    }
    redis_channel: String = "redis.channel" {
        env: Some("REVALIDATE_CHANNEL"), flag: Some("--channel"),
        default: Some(String::from(DEFAULT_CHANNEL)), display: Plain,
    }
    /// The message template of publish ({path}, {timestamp}, {id}).
    redis_message: String = "redis.message" {
        env: None, flag: Some("--message"), default: None, display: Plain,
    }
    redis_expect_subscribers: Count<0, 1000000> = "redis.expect_subscribers" {
        env: None, flag: Some("--expect-subscribers"), default: None, display: Plain,
    }
    redis_check: bool = "redis.check" {
        env: None, flag: Some("--check"), default: Some(false), display: Plain,
    }
    redis_force: bool = "redis.force" {
        env: None, flag: Some("--force"), default: Some(false), display: Plain,
    }
    /// A Redis Cluster's shard channel: SPUBLISH (publish), SSUBSCRIBE (watch, agent).
    redis_sharded: bool = "redis.sharded" {
        env: None, flag: Some("--sharded"), default: Some(false), display: Plain,
    }
    /// Also append every message to the stream `<channel>:stream` (publish), read it (agent).
    redis_stream: bool = "redis.stream" {
        env: Some("REVALIDATE_STREAM"), flag: Some("--stream"), default: Some(false),
        display: Plain,
    }
    redis_stream_maxlen: Count<1, 100000000> = "redis.stream_maxlen" {
        env: None, flag: Some("--stream-maxlen"), default: Some(Count(10000)), display: Plain,
    }
    redis_wait_acks: bool = "redis.wait_acks" {
        env: None, flag: Some("--wait-acks"), default: Some(false), display: Plain,
    }
    redis_ack_timeout: Span = "redis.ack_timeout" {
        env: None, flag: Some("--ack-timeout"),
        default: Some(Span(Duration::from_secs(10))), display: Plain,
    }

    // The agent sidecar (issue 8).
    /// The local app the agent revalidates.
    agent_target: String = "agent.target" {
        env: Some("REVALIDATE_AGENT_TARGET"), flag: Some("--target"),
        default: Some(String::from(DEFAULT_TARGET)), display: Urls,
    }
    /// The pod name in acknowledgements (default: the hostname).
    agent_pod_name: String = "agent.pod_name" {
        env: Some("POD_NAME"), flag: Some("--pod-name"), default: None, display: Plain,
    }
    /// Where /healthz and /metrics listen (default: not served).
    agent_health_addr: String = "agent.health_addr" {
        env: Some("REVALIDATE_HEALTH_ADDR"), flag: Some("--health-addr"), default: None,
        display: Plain,
    }
    /// At start, revalidate the messages of the stream from this long ago.
    agent_catch_up: Span = "agent.catch_up" {
        env: Some("REVALIDATE_CATCH_UP"), flag: Some("--catch-up"), default: None,
        display: Plain,
    }
    /// A message id handled within this window is not handled again.
    agent_dedupe_window: Span = "agent.dedupe_window" {
        env: None, flag: Some("--dedupe-window"),
        default: Some(Span(Duration::from_secs(600))), display: Plain,
    }
    /// On SIGTERM, how long the revalidations in flight may take to finish (Kubernetes kills a
    /// pod 30 s after SIGTERM by default).
    agent_grace_period: Span = "agent.grace_period" {
        env: Some("REVALIDATE_GRACE_PERIOD"), flag: Some("--grace-period"),
        default: Some(Span(Duration::from_secs(10))), display: Plain,
    }
}
