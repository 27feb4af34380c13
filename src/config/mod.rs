//! Configuration: command line + environment + profile + file, resolved once into one typed
//! [`Config`], from which each step's typed settings are read.
//!
//! Precedence, for every key: flag > environment variable > `[profiles.<name>]` > file defaults >
//! built-in default. Each value remembers where it came from, which is what `revalidate config`
//! prints. Invariants: steps never see clap types, only the typed settings here; a bad value or a
//! bad combination names the key (or flag), its source and what is allowed; secrets are never
//! stored here, only where to find them (steps read them through [`crate::secret`]).

mod cdn;
mod ci;
mod fanout;
pub mod flags;
pub mod keys;
pub mod kubernetes;
pub mod layers;
#[cfg(test)]
mod proptests;
mod redis;
mod run;
mod serve;
mod sitemap;
pub mod value;
mod verify;

use std::path::{Path, PathBuf};

use crate::context::Limits;
use crate::error::ConfigError;
pub use cdn::{CdnSettings, CloudflareSettings, NextData, Poll};
pub use ci::CiSettings;
pub use fanout::{EndpointSettings, FanoutSettings};
pub use keys::{KEYS, Layer, Resolved};
pub use kubernetes::{KubernetesSettings, PodSource};
pub use layers::{Source, Sourced};
pub use redis::{AgentSettings, PublishSettings, RedisSettings};
pub use run::RunSettings;
pub use sitemap::SitemapSettings;
pub use verify::VerifySettings;

/// The config file looked for in the current directory when none is named.
pub const DEFAULT_FILE: &str = "revalidate.toml";

/// The resolved configuration of one command.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
    pub profile: Option<String>,
    /// The profiles the file defines.
    pub profiles: Vec<String>,
    pub resolved: Resolved,
}

/// Where the pods come from: `pods` and `pods_file` of the highest-precedence layer that sets
/// either (both when tied), so `--pod` on the command line replaces the config's pods.
#[derive(Debug, Clone, Default)]
pub struct TargetSpec {
    pub pods: Option<Sourced<Vec<String>>>,
    pub pods_file: Option<PathBuf>,
}

/// One line of `revalidate config`: key, value as shown, source (empty when not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub source: String,
}

fn value<T: Clone>(s: &Option<Sourced<T>>) -> Option<T> {
    s.as_ref().map(|s| s.value.clone())
}

/// A key that has a built-in default always resolves.
fn defaulted<T: Clone>(s: &Option<Sourced<T>>) -> T {
    value(s).expect("keys with a built-in default always resolve")
}

fn from_flag<T>(s: &Option<Sourced<T>>) -> bool {
    s.as_ref().is_some_and(|s| s.source == Source::Flag)
}

impl Config {
    /// Loads and merges every layer. `env` is a seam so tests can supply an environment.
    pub fn load(
        explicit_file: Option<&Path>,
        profile: Option<&str>,
        flags: Layer,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let file = match explicit_file {
            Some(f) if !f.is_file() => {
                return Err(ConfigError(format!(
                    "config file {} does not exist (named by --config or REVALIDATE_CONFIG)",
                    f.display()
                )));
            }
            Some(f) => Some(f.to_path_buf()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
        };
        let (file_defaults, mut profiles) = match &file {
            Some(f) => layers::parse_file(f)?,
            None => Default::default(),
        };
        let names: Vec<String> = profiles.keys().cloned().collect();
        let profile_layer = match (profile, &file) {
            (None, _) => None,
            (Some(name), None) => {
                return Err(ConfigError(format!(
                    "profile {name:?} given, but there is no config file (looked for ./{DEFAULT_FILE}; name one with --config)"
                )));
            }
            (Some(name), Some(f)) => match profiles.remove(name) {
                Some(l) => Some((
                    l,
                    Source::Profile {
                        name: name.to_string(),
                        file: f.clone(),
                    },
                )),
                None => {
                    let known = if names.is_empty() {
                        "it defines none".to_string()
                    } else {
                        format!("known profiles: {}", names.join(", "))
                    };
                    return Err(ConfigError(format!(
                        "profile {name:?} not found in {} ({known})",
                        f.display()
                    )));
                }
            },
        };
        // Highest precedence first: the first layer holding a key wins.
        let mut all = vec![(flags, Source::Flag)];
        all.extend(layers::env_layer(env)?);
        all.extend(profile_layer);
        if let Some(f) = &file {
            all.push((file_defaults, Source::File(f.clone())));
        }
        all.push((Layer::defaults(), Source::Default));
        Ok(Config {
            file,
            profile: profile.map(str::to_string),
            profiles: names,
            resolved: Resolved::from_layers(&all),
        })
    }

    pub fn limits(&self) -> Result<Limits, ConfigError> {
        let r = &self.resolved;
        let timeout = defaulted(&r.timeout).0;
        if timeout.is_zero() {
            return Err(self.bad(
                "timeout",
                "a request needs some time; give e.g. 500ms or 10s",
            ));
        }
        let deadline = value(&r.deadline).map(|s| s.0);
        if deadline.is_some_and(|d| d.is_zero()) {
            return Err(self.bad(
                "deadline",
                "a deadline of 0 would cancel everything before it starts; give e.g. 30s, or leave it unset",
            ));
        }
        Ok(Limits {
            concurrency: defaulted(&r.concurrency).0 as usize,
            per_pod_concurrency: defaulted(&r.per_pod_concurrency).0 as usize,
            timeout,
            retries: defaulted(&r.retries).0,
            deadline,
        })
    }

    /// "key = value (source): why", for a resolved key.
    fn bad(&self, key: &str, why: &str) -> ConfigError {
        match self.resolved.shown(key) {
            Some((v, src)) => ConfigError(format!("{key} = {v} ({src}): {why}")),
            None => ConfigError(format!("{key}: {why}")),
        }
    }

    /// The flag of a key, for messages.
    fn flag(key: &str) -> &'static str {
        KEYS.iter()
            .find(|k| k.name == key)
            .and_then(|k| k.flag)
            .unwrap_or("")
    }

    pub fn targets(&self) -> TargetSpec {
        let r = &self.resolved;
        let rank = |s: &Source| match s {
            Source::Flag => 4,
            Source::Env(_) => 3,
            Source::Profile { .. } => 2,
            Source::File(_) => 1,
            Source::Default => 0,
        };
        let pods_rank = r.pods.as_ref().map(|s| rank(&s.source));
        let file_rank = r.pods_file.as_ref().map(|s| rank(&s.source));
        let best = pods_rank.max(file_rank);
        TargetSpec {
            pods: r
                .pods
                .as_ref()
                .filter(|_| pods_rank == best)
                .map(|s| Sourced {
                    value: s.value.iter().map(|w| w.0.clone()).collect(),
                    source: s.source.clone(),
                }),
            pods_file: r
                .pods_file
                .as_ref()
                .filter(|_| file_rank == best)
                .map(Sourced::path),
        }
    }

    /// `revalidate config`: every key, its value (secrets redacted) and its source.
    pub fn entries(&self) -> Vec<Entry> {
        KEYS.iter()
            .map(|k| match self.resolved.shown(k.name) {
                Some((v, src)) => Entry {
                    key: k.name.to_string(),
                    value: v,
                    source: src.to_string(),
                },
                None => Entry {
                    key: k.name.to_string(),
                    value: "(not set)".into(),
                    source: String::new(),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
