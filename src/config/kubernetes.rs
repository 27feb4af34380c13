//! Where a command's pods come from (static lists, a Kubernetes Service, a label selector or a
//! headless Service's DNS name) and the typed `[kubernetes]` settings.
//!
//! Invariants: exactly one kind of source names the pods: the highest-precedence layer that sets
//! any wins, and two kinds in that same layer are an error naming both (so `--k8s-service` on
//! the command line replaces the profile's `pods_file`, but `--pod` with `--k8s-service` is a
//! mistake); Kubernetes flags given on the command line that the chosen source cannot use are an
//! error, not ignored; every name is checked against the rules the API server applies, so a typo
//! is exit 2 before anything is sent.

use std::path::PathBuf;
use std::time::Duration;

use super::{Config, Source, TargetSpec, value};
use crate::choices::{IpFamily, PortRef, TransportChoice, is_dns_label};
use crate::error::ConfigError;

/// Where the pods come from.
#[derive(Debug, Clone)]
pub enum PodSource {
    /// `--pod`, `--pods-file`, `pods`, `pods_file`.
    Static(TargetSpec),
    /// The EndpointSlices of a Service.
    Service { name: String },
    /// Pods matching a label selector.
    Selector { selector: String },
    /// Every address a DNS name resolves to.
    Dns { host: String, port: u16 },
}

/// The `[kubernetes]` settings.
#[derive(Debug, Clone)]
pub struct KubernetesSettings {
    /// `None`: the kubeconfig context's namespace (or the service account's), else `default`.
    pub namespace: Option<String>,
    pub context: Option<String>,
    pub kubeconfig: Option<PathBuf>,
    pub port: Option<PortRef>,
    pub ip_family: IpFamily,
    pub include_not_ready: bool,
    pub transport: TransportChoice,
    pub follow_new_pods: bool,
    pub recheck_after: Duration,
}

fn rank(s: &Source) -> u8 {
    match s {
        Source::Flag => 4,
        Source::Env(_) => 3,
        Source::Profile { .. } => 2,
        Source::File(_) => 1,
        Source::Default => 0,
    }
}

/// A DNS-1035 label (Service names): a DNS-1123 label that starts with a letter.
fn is_service_name(s: &str) -> bool {
    is_dns_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// `NAME:PORT` or `[IPV6]:PORT`.
pub fn parse_dns_target(s: &str) -> Result<(String, u16), String> {
    let bad = || {
        format!(
            "{s:?} is not NAME:PORT: give the headless Service's DNS name and the pods' port, e.g. web-headless.web.svc.cluster.local:3000"
        )
    };
    let (host, port) = s.trim().rsplit_once(':').ok_or_else(bad)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let port: u16 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || port == 0 || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

impl Config {
    /// "KEY (SOURCE)" of a set key, for messages.
    fn named(&self, key: &str) -> String {
        let flag = Self::flag(key);
        match self.resolved.shown(key) {
            Some((_, Source::Flag)) if !flag.is_empty() => flag.to_string(),
            Some((_, src)) => format!("{key} ({src})"),
            None => key.to_string(),
        }
    }

    /// Where the pods come from; see the module documentation for the precedence.
    pub fn pod_source(&self) -> Result<PodSource, ConfigError> {
        let r = &self.resolved;
        let kinds: [(&str, Option<&Source>); 5] = [
            ("pods", r.pods.as_ref().map(|s| &s.source)),
            ("pods_file", r.pods_file.as_ref().map(|s| &s.source)),
            (
                "kubernetes.service",
                r.k8s_service.as_ref().map(|s| &s.source),
            ),
            (
                "kubernetes.selector",
                r.k8s_selector.as_ref().map(|s| &s.source),
            ),
            ("kubernetes.dns", r.k8s_dns.as_ref().map(|s| &s.source)),
        ];
        let best = kinds.iter().filter_map(|(_, s)| s.map(rank)).max();
        let Some(best) = best else {
            return Ok(PodSource::Static(TargetSpec::default()));
        };
        let winners: Vec<&str> = kinds
            .iter()
            .filter(|(_, s)| s.map(rank) == Some(best))
            .map(|(k, _)| *k)
            .collect();
        let dynamic: Vec<&&str> = winners
            .iter()
            .filter(|k| k.starts_with("kubernetes."))
            .collect();
        if dynamic.len() > 1 || (!dynamic.is_empty() && dynamic.len() < winners.len()) {
            let named: Vec<String> = winners.iter().map(|k| self.named(k)).collect();
            return Err(ConfigError(format!(
                "{} each name the pods; use one of them",
                named.join(", ")
            )));
        }
        let source = match dynamic.first().map(|k| **k) {
            None => PodSource::Static(self.targets()),
            Some("kubernetes.service") => {
                let name = r
                    .k8s_service
                    .as_ref()
                    .expect("set")
                    .value
                    .trim()
                    .to_string();
                if !is_service_name(&name) {
                    return Err(self.bad(
                        "kubernetes.service",
                        "not a Service name: lowercase letters, digits and '-', starting with a letter, at most 63",
                    ));
                }
                PodSource::Service { name }
            }
            Some("kubernetes.selector") => {
                let selector = r
                    .k8s_selector
                    .as_ref()
                    .expect("set")
                    .value
                    .trim()
                    .to_string();
                if selector.is_empty() {
                    return Err(self.bad(
                        "kubernetes.selector",
                        "an empty selector would match every pod of the namespace; give e.g. app=web",
                    ));
                }
                // What the API server would refuse is refused here, before anything is sent.
                if let Err(e) = crate::label_selector::LabelSelector::parse(&selector) {
                    return Err(self.bad(
                        "kubernetes.selector",
                        &format!(
                            "not a label selector: {e}; write {}",
                            crate::label_selector::FORMS
                        ),
                    ));
                }
                PodSource::Selector { selector }
            }
            Some(_) => {
                let text = &r.k8s_dns.as_ref().expect("set").value;
                let (host, port) =
                    parse_dns_target(text).map_err(|e| self.bad("kubernetes.dns", &e))?;
                PodSource::Dns { host, port }
            }
        };
        self.check_flags_fit(&source)?;
        Ok(source)
    }

    /// Kubernetes flags on the command line that the source cannot use are an error.
    fn check_flags_fit(&self, source: &PodSource) -> Result<(), ConfigError> {
        let r = &self.resolved;
        let given =
            |key: &str| -> bool { matches!(self.resolved.shown(key), Some((_, Source::Flag))) };
        let (what, unusable): (&str, &[&str]) = match source {
            PodSource::Service { .. } => return Ok(()),
            PodSource::Selector { .. } => return Ok(()),
            PodSource::Static(_) => (
                "the pods are listed (--pod, --pods-file), each with how it is reached",
                &[
                    "kubernetes.namespace",
                    "kubernetes.port",
                    "kubernetes.ip_family",
                    "kubernetes.include_not_ready",
                    "kubernetes.transport",
                    "kubernetes.follow_new_pods",
                    "kubernetes.recheck_after",
                ],
            ),
            PodSource::Dns { .. } => (
                "--dns finds pod addresses without the API (the port is in NAME:PORT, requests go direct)",
                &[
                    "kubernetes.namespace",
                    "kubernetes.context",
                    "kubernetes.kubeconfig",
                    "kubernetes.port",
                    "kubernetes.include_not_ready",
                ],
            ),
        };
        let mut wrong: Vec<&str> = unusable.iter().copied().filter(|k| given(k)).collect();
        if matches!(source, PodSource::Dns { .. })
            && r.k8s_transport.as_ref().is_some_and(|t| {
                !matches!(t.value.0, TransportChoice::Auto | TransportChoice::Direct)
            })
        {
            wrong.push("kubernetes.transport");
        }
        if wrong.is_empty() {
            return Ok(());
        }
        let flags: Vec<&str> = wrong.iter().map(|k| Self::flag(k)).collect();
        Err(ConfigError(format!(
            "{} cannot be used here: {what}",
            flags.join(", ")
        )))
    }

    /// The `[kubernetes]` settings.
    pub fn kubernetes(&self) -> Result<KubernetesSettings, ConfigError> {
        let r = &self.resolved;
        let namespace = super::value(&r.k8s_namespace).map(|n| n.trim().to_string());
        if let Some(ns) = &namespace
            && !is_dns_label(ns)
        {
            return Err(self.bad(
                "kubernetes.namespace",
                "not a namespace name: lowercase letters, digits and '-', at most 63",
            ));
        }
        let port = match super::value(&r.k8s_port) {
            None => None,
            Some(p) => Some(PortRef::parse(&p).map_err(|e| self.bad("kubernetes.port", &e))?),
        };
        let context = super::value(&r.k8s_context).filter(|c| !c.trim().is_empty());
        Ok(KubernetesSettings {
            namespace,
            context,
            kubeconfig: r.k8s_kubeconfig.as_ref().map(super::Sourced::path),
            port,
            ip_family: super::defaulted(&r.k8s_ip_family).0,
            include_not_ready: super::defaulted(&r.k8s_include_not_ready),
            transport: super::defaulted(&r.k8s_transport).0,
            follow_new_pods: super::defaulted(&r.k8s_follow_new_pods),
            recheck_after: super::defaulted::<value::Span>(&r.k8s_recheck_after).0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Layer, value::Word};

    fn load(flags: Layer, file: Option<&str>) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let f = file.map(|text| {
            let f = dir.path().join("revalidate.toml");
            std::fs::write(&f, text).unwrap();
            f
        });
        let profile = file.filter(|t| t.contains("[profiles.p")).map(|_| "p");
        Config::load(f.as_deref(), profile, flags, &|_| None).unwrap()
    }

    #[test]
    fn the_highest_layer_names_the_pods() {
        let c = load(
            Layer {
                k8s_service: Some("web".into()),
                ..Layer::default()
            },
            Some("[profiles.p]\npods_file = \"pods.txt\"\n"),
        );
        assert!(matches!(c.pod_source().unwrap(), PodSource::Service { name } if name == "web"));
        let c = load(
            Layer::default(),
            Some(
                "pods = [\"http://127.0.0.1:1\"]\n[profiles.p.kubernetes]\nselector = \"app=web\"\n",
            ),
        );
        assert!(matches!(
            c.pod_source().unwrap(),
            PodSource::Selector { .. }
        ));
    }

    #[test]
    fn two_sources_in_one_layer_are_named() {
        let c = load(
            Layer {
                pods: Some(vec![Word("http://127.0.0.1:1".into())]),
                k8s_service: Some("web".into()),
                ..Layer::default()
            },
            None,
        );
        let e = c.pod_source().unwrap_err().to_string();
        assert_eq!(
            e,
            "--pod, --k8s-service each name the pods; use one of them"
        );
        let c = load(
            Layer::default(),
            Some("[kubernetes]\nservice = \"web\"\nselector = \"app=web\"\n"),
        );
        let e = c.pod_source().unwrap_err().to_string();
        assert!(e.starts_with("kubernetes.service ("), "{e}");
        assert!(e.contains("kubernetes.selector ("), "{e}");
    }

    #[test]
    fn names_follow_the_api_rules() {
        for (layer, want) in [
            (
                Layer {
                    k8s_service: Some("Web_1".into()),
                    ..Layer::default()
                },
                "kubernetes.service = \"Web_1\" (command line): not a Service name",
            ),
            (
                Layer {
                    k8s_dns: Some("web-headless".into()),
                    ..Layer::default()
                },
                "is not NAME:PORT",
            ),
        ] {
            let e = load(layer, None).pod_source().unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
        let c = load(
            Layer {
                k8s_namespace: Some("Web".into()),
                ..Layer::default()
            },
            None,
        );
        assert!(
            c.kubernetes()
                .unwrap_err()
                .to_string()
                .contains("not a namespace name")
        );
        let c = load(
            Layer {
                k8s_port: Some("0".into()),
                ..Layer::default()
            },
            None,
        );
        let e = c.kubernetes().unwrap_err().to_string();
        assert!(e.contains("kubernetes.port = \"0\""), "{e}");
        assert_eq!(
            parse_dns_target("[::1]:3000").unwrap(),
            ("::1".to_string(), 3000)
        );
        assert_eq!(
            parse_dns_target("web.web.svc:80").unwrap(),
            ("web.web.svc".to_string(), 80)
        );
    }

    #[test]
    fn a_malformed_selector_is_refused_from_every_source() {
        let flag = load(
            Layer {
                k8s_selector: Some("app=web,,=".into()),
                ..Layer::default()
            },
            None,
        );
        let e = flag.pod_source().unwrap_err().to_string();
        assert!(
            e.starts_with(
                "kubernetes.selector = \"app=web,,=\" (command line): not a label selector: expected a requirement after \",\", found \",\" (at column 9); write requirements separated by commas"
            ),
            "{e}"
        );
        let file = load(
            Layer::default(),
            Some("[kubernetes]\nselector = \"app in (a\"\n"),
        );
        let e = file.pod_source().unwrap_err().to_string();
        assert!(e.contains("selector = \"app in (a\" ("), "{e}");
        assert!(e.contains("found the end (at column 10)"), "{e}");
        let env = |k: &str| (k == "REVALIDATE_K8S_SELECTOR").then(|| "!!app".to_string());
        let c = Config::load(None, None, Layer::default(), &env).unwrap();
        let e = c.pod_source().unwrap_err().to_string();
        assert!(
            e.starts_with("kubernetes.selector = \"!!app\" (env REVALIDATE_K8S_SELECTOR)"),
            "{e}"
        );
        for good in [
            "app=web",
            "app in (web,api),!canary",
            "app.kubernetes.io/name=web",
        ] {
            let c = load(
                Layer {
                    k8s_selector: Some(good.into()),
                    ..Layer::default()
                },
                None,
            );
            assert!(
                matches!(c.pod_source(), Ok(PodSource::Selector { .. })),
                "{good}"
            );
        }
    }

    #[test]
    fn flags_the_source_cannot_use_are_errors() {
        let c = load(
            Layer {
                pods: Some(vec![Word("http://127.0.0.1:1".into())]),
                k8s_transport: Some(value::Choice(TransportChoice::ApiServerProxy)),
                k8s_namespace: Some("web".into()),
                ..Layer::default()
            },
            None,
        );
        let e = c.pod_source().unwrap_err().to_string();
        assert!(
            e.starts_with("--namespace, --transport cannot be used here: the pods are listed"),
            "{e}"
        );
        let c = load(
            Layer {
                k8s_dns: Some("localhost:3000".into()),
                k8s_transport: Some(value::Choice(TransportChoice::PortForward)),
                ..Layer::default()
            },
            None,
        );
        let e = c.pod_source().unwrap_err().to_string();
        assert!(
            e.starts_with("--transport cannot be used here: --dns"),
            "{e}"
        );
        // From a profile they are settings for other runs, not mistakes.
        let c = load(
            Layer {
                pods: Some(vec![Word("http://127.0.0.1:1".into())]),
                ..Layer::default()
            },
            Some("[kubernetes]\nnamespace = \"web\"\ntransport = \"port-forward\"\n"),
        );
        assert!(matches!(c.pod_source().unwrap(), PodSource::Static(_)));
    }
}
