//! The command line as the top configuration layer: the one place outside [`crate::cli`] that
//! reads clap's structs. A flag not given leaves its key unset, so lower layers can set it.

use super::keys::Layer;
use super::value::{Choice, Count, Size, Span, Word};
use crate::cli::{
    AgentArgs, FanoutArgs, GlobalArgs, PublishArgs, RedisArgs, TargetArgs, VerifyArgs, WatchArgs,
};

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

fn targets(t: &TargetArgs, l: &mut Layer) {
    l.pods = list(&t.pods, |p| Word(p.clone()));
    l.pods_file = t.pods_file.clone();
}

/// `revalidate fanout`'s flags, over the global ones.
pub fn fanout(g: &GlobalArgs, a: &FanoutArgs) -> Layer {
    let mut l = global(g);
    targets(&a.targets, &mut l);
    l.mode = a.mode.map(Choice);
    l.method = a.method.map(Choice);
    l.only_generated = on(a.only_generated);
    l.allow_gone = on(a.allow_gone);
    l.preview_id_file = a.preview_id_file.clone();
    l.headers = list(&a.headers, String::clone);
    l.endpoint_template = a.endpoint.clone();
    l.endpoint_method = a.endpoint_method.map(Choice);
    l.endpoint_body = a.body.clone();
    l.endpoint_expect_json = a.expect_json.clone();
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

// Redis commands (issue 8).

fn redis(r: &RedisArgs, l: &mut Layer) {
    l.redis_url = r.redis_url.clone();
    l.redis_password_file = r.redis_password_file.clone();
    l.redis_ca = r.redis_ca.clone();
    l.redis_timeout = r.redis_timeout.map(Span);
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
    l.redis_sharded = on(a.sharded);
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
    let h = &a.how;
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
    l
}
