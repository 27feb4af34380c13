//! The command line as the top configuration layer: the one place outside [`crate::cli`] that
//! reads clap's structs. A flag not given leaves its key unset, so lower layers can set it.

use super::keys::Layer;
use super::value::{Choice, Count, Size, Span, Word};
use crate::cli::{AgentArgs, PublishArgs, RedisArgs, WatchArgs};
use crate::cli::{
    AwsArgs, CdnInvalidateArgs, CdnListArgs, CdnPurgeArgs, CdnStatusArgs, CdnWaitArgs,
    NextDataArgs, PollArgs,
};
use crate::cli::{FanoutArgs, GlobalArgs, PodsArgs, RevalidationArgs, TargetArgs, VerifyArgs};

fn list<T>(v: &[String], f: impl Fn(&String) -> T) -> Option<Vec<T>> {
    (!v.is_empty()).then(|| v.iter().map(f).collect())
}

fn on(b: bool) -> Option<bool> {
    b.then_some(true)
}

/// The global options' keys.
pub fn global(g: &GlobalArgs) -> Layer {
    Layer {
        concurrency: g.concurrency.map(Count),
        per_pod_concurrency: g.per_pod_concurrency.map(Count),
        timeout: g.timeout.map(Span),
        retries: g.retries.map(Count),
        deadline: g.deadline.map(Span),
        ..Layer::default()
    }
}

/// How pods are told to revalidate: fanout's and the agent's flags.
fn how(h: &RevalidationArgs, l: &mut Layer) {
    l.mode = h.mode.map(Choice);
    l.method = h.method.map(Choice);
    l.only_generated = on(h.only_generated);
    l.allow_gone = on(h.allow_gone);
    l.preview_id_file = h.preview_id_file.clone();
    l.headers = list(&h.headers, String::clone);
    l.endpoint_template = h.endpoint.clone();
    l.endpoint_method = h.endpoint_method.map(Choice);
    l.endpoint_body = h.body.clone();
    l.endpoint_expect_json = h.expect_json.clone();
}

fn targets(t: &TargetArgs, l: &mut Layer) {
    l.pods = list(&t.pods, |p| Word(p.clone()));
    l.pods_file = t.pods_file.clone();
    let k = &t.kubernetes;
    l.k8s_service = k.k8s_service.clone();
    l.k8s_selector = k.k8s_selector.clone();
    l.k8s_dns = k.dns.clone();
    l.k8s_namespace = k.namespace.clone();
    l.k8s_context = k.context.clone();
    l.k8s_kubeconfig = k.kubeconfig.clone();
    l.k8s_port = k.port.clone();
    l.k8s_ip_family = k.ip_family.map(Choice);
    l.k8s_include_not_ready = on(k.include_not_ready);
    l.k8s_transport = k.transport.map(Choice);
    l.k8s_follow_new_pods = on(k.follow_new_pods);
    l.k8s_recheck_after = k.recheck_after.map(Span);
}

/// `revalidate pods`'s flags, over the global ones.
pub fn pods(g: &GlobalArgs, a: &PodsArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    l
}

/// `revalidate fanout`'s flags, over the global ones.
pub fn fanout(g: &GlobalArgs, a: &FanoutArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    how(&a.how, &mut l);
    l
}

/// `revalidate verify`'s flags, over the global ones.
pub fn verify(g: &GlobalArgs, a: &VerifyArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    l.verify_ignore = list(&a.ignore, String::clone);
    l.verify_ignore_presets = (!a.ignore_preset.is_empty())
        .then(|| a.ignore_preset.iter().copied().map(Choice).collect());
    l.verify_select = a.select.clone();
    l.verify_max_body = a.max_body.map(Size);
    l.verify_expect_status = a.expect_status.map(|s| Count(u32::from(s)));
    l.verify_expect_contains = a.expect_contains.clone();
    l.verify_expect_regex = a.expect_regex.clone();
    l.verify_baseline = a.baseline.clone();
    l.verify_expect_changed = on(a.expect_changed);
    l.verify_save = a.save.clone();
    l.verify_headers = list(&a.headers, String::clone);
    l.verify_wait = a.wait.map(Span);
    l.verify_etag = on(a.etag);
    l.verify_through = a.through.clone();
    l.verify_samples = a.samples.map(Count);
    l.verify_encodings =
        (!a.encodings.is_empty()).then(|| a.encodings.iter().copied().map(Choice).collect());
    l
}

// ---- cdn ----

fn aws(a: &AwsArgs, l: &mut Layer) {
    l.cdn_distribution = a.distribution.clone();
    l.cdn_aws_profile = a.aws_profile.clone();
    l.cdn_endpoint_url = a.endpoint_url.clone();
}

fn poll(p: &PollArgs, l: &mut Layer) {
    l.cdn_wait_timeout = p.wait_timeout.map(Span);
    l.cdn_poll_min = p.poll_min.map(Span);
    l.cdn_poll_max = p.poll_max.map(Span);
}

fn next_data(n: &NextDataArgs, l: &mut Layer) {
    l.cdn_next_data = n.next_data.clone();
    l.cdn_build_id_file = n.build_id_file.clone();
}

/// `revalidate cdn invalidate`'s flags, over the global ones.
pub fn cdn_invalidate(g: &GlobalArgs, a: &CdnInvalidateArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    aws(&a.aws, &mut l);
    poll(&a.poll, &mut l);
    next_data(&a.next_data, &mut l);
    l.cdn_query_strings = a.query_strings.map(Choice);
    l.cdn_coalesce = a.coalesce.map(Count);
    l.cdn_max_wildcards = a.max_wildcards.map(Count);
    l.cdn_batch_size = a.batch_size.map(Count);
    l.cdn_free_paths_left = a.free_paths_left.map(Count);
    l.cdn_run_id = a.run_id.clone();
    l.cdn_caller_reference = a.caller_reference.clone();
    l.cdn_wait = on(a.wait);
    l
}

/// `revalidate cdn wait`'s flags.
pub fn cdn_wait(g: &GlobalArgs, a: &CdnWaitArgs) -> Layer {
    let mut l = global(g);
    aws(&a.aws, &mut l);
    poll(&a.poll, &mut l);
    l
}

/// `revalidate cdn status`'s flags.
pub fn cdn_status(g: &GlobalArgs, a: &CdnStatusArgs) -> Layer {
    let mut l = global(g);
    aws(&a.aws, &mut l);
    l
}

/// `revalidate cdn list`'s flags.
pub fn cdn_list(g: &GlobalArgs, a: &CdnListArgs) -> Layer {
    let mut l = global(g);
    aws(&a.aws, &mut l);
    l.cdn_list_limit = a.limit.map(Count);
    l
}

/// `revalidate cdn purge`'s flags.
pub fn cdn_purge(g: &GlobalArgs, a: &CdnPurgeArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    next_data(&a.next_data, &mut l);
    l.cdn_purge_urls = list(&a.purge_urls, |u| Word(u.clone()));
    l.cdn_purge_method = a.purge_method.clone();
    l.cdn_purge_headers = list(&a.purge_headers, String::clone);
    l.cdn_cloudflare_zone = a.cloudflare_zone.clone();
    l.cdn_cloudflare_token_file = a.cloudflare_token_file.clone();
    l.cdn_cloudflare_api_url = a.cloudflare_api_url.clone();
    l.cdn_cloudflare_batch_size = a.cloudflare_batch_size.map(Count);
    l.cdn_site_url = a.site_url.clone();
    l.cdn_wait_timeout = a.wait_timeout.map(Span);
    l
}

// Redis commands (issue 8).

fn redis(r: &RedisArgs, l: &mut Layer) {
    l.redis_url = r.redis_url.clone();
    l.redis_password_file = r.redis_password_file.clone();
    l.redis_ca = r.redis_ca.clone();
    l.redis_timeout = r.redis_timeout.map(Span);
    l.redis_sharded = on(r.sharded);
}

/// `revalidate publish`'s flags, over the global ones.
pub fn publish(g: &GlobalArgs, a: &PublishArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    redis(&a.redis, &mut l);
    l.redis_channel = a.channel.clone();
    l.redis_message = a.message.clone();
    l.redis_expect_subscribers = a.expect_subscribers.map(Count);
    l.redis_check = on(a.check);
    l.redis_force = on(a.force);
    l.redis_stream = on(a.stream);
    l.redis_stream_maxlen = a.stream_maxlen.map(Count);
    l.redis_wait_acks = on(a.wait_acks);
    l.redis_ack_timeout = a.ack_timeout.map(Span);
    l
}

/// `revalidate watch`'s flags, over the global ones. Its channels and patterns are lists, read
/// by the command itself; the configured channel is the default.
pub fn watch(g: &GlobalArgs, a: &WatchArgs) -> Layer {
    let mut l = global(g);
    redis(&a.redis, &mut l);
    l
}

/// `revalidate agent`'s flags, over the global ones.
pub fn agent(g: &GlobalArgs, a: &AgentArgs) -> Layer {
    let mut l = global(g);
    redis(&a.redis, &mut l);
    l.redis_channel = a.channel.clone();
    l.redis_stream = on(a.stream);
    l.agent_target = a.target.clone();
    l.agent_pod_name = a.pod_name.clone();
    l.agent_health_addr = a.health_addr.clone();
    l.agent_catch_up = a.catch_up.map(Span);
    l.agent_dedupe_window = a.dedupe_window.map(Span);
    l.agent_grace_period = a.grace_period.map(Span);
    how(&a.how, &mut l);
    l
}
