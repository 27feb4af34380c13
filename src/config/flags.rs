//! The command line as the top configuration layer: the one place outside [`crate::cli`] that
//! reads clap's structs. A flag not given leaves its key unset, so lower layers can set it.

use super::keys::Layer;
use super::value::{Choice, Count, Size, Span, Word};
use crate::cli::{FanoutArgs, GlobalArgs, PodsArgs, TargetArgs, VerifyArgs};

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
