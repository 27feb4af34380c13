//! Configuration: command line + environment + profile + file, resolved once into one typed
//! [`Config`], from which each step's typed settings are read.
//!
//! Precedence, for every key: flag > environment variable > `[profiles.<name>]` > file defaults >
//! built-in default. Each value remembers where it came from, which is what `revalidate config`
//! prints. Invariants: steps never see clap types, only the typed settings here; a bad value or a
//! bad combination names the key (or flag), its source and what is allowed; secrets are never
//! stored here, only where to find them (steps read them through [`crate::secret`]).

pub mod flags;
pub mod keys;
pub mod kubernetes;
pub mod layers;
#[cfg(test)]
mod proptests;
pub mod value;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::choices::{Encoding, EndpointMethod, IgnorePreset, Mode, RevalidateMethod};
use crate::context::Limits;
use crate::error::ConfigError;
pub use keys::{KEYS, Layer, Resolved};
pub use kubernetes::{KubernetesSettings, PodSource};
pub use layers::{Source, Sourced};

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

/// fanout's settings.
#[derive(Debug, Clone)]
pub struct FanoutSettings {
    pub mode: Mode,
    pub method: RevalidateMethod,
    pub only_generated: bool,
    pub allow_gone: bool,
    /// The previewModeId file, when it outranks the id in the environment.
    pub preview_id_file: Option<PathBuf>,
    /// Header lines of every request (`Name: value`, `${VAR}` still unexpanded).
    pub headers: Vec<String>,
    /// Set in endpoint mode.
    pub endpoint: Option<EndpointSettings>,
}

/// fanout's endpoint mode.
#[derive(Debug, Clone)]
pub struct EndpointSettings {
    pub template: String,
    pub method: EndpointMethod,
    pub body: Option<String>,
    pub expect_json: Option<String>,
}

/// verify's settings.
#[derive(Debug, Clone)]
pub struct VerifySettings {
    pub ignore: Vec<String>,
    pub presets: Vec<IgnorePreset>,
    pub select: Option<String>,
    pub max_body: u64,
    /// Set when given (else 200 is expected, which proves nothing on its own).
    pub expect_status: Option<u16>,
    pub expect_contains: Option<String>,
    pub expect_regex: Option<String>,
    pub baseline: Option<PathBuf>,
    pub expect_changed: bool,
    pub save: Option<PathBuf>,
    pub headers: Vec<String>,
    pub wait: Option<Duration>,
    pub etag: bool,
    pub through: Option<String>,
    pub samples: u32,
    pub encodings: Vec<Encoding>,
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

    pub fn fanout(&self) -> Result<FanoutSettings, ConfigError> {
        let r = &self.resolved;
        let mode = defaulted(&r.mode).0;
        let endpoint_flags = [
            ("endpoint.template", from_flag(&r.endpoint_template)),
            ("endpoint.method", from_flag(&r.endpoint_method)),
            ("endpoint.body", from_flag(&r.endpoint_body)),
            ("endpoint.expect_json", from_flag(&r.endpoint_expect_json)),
        ];
        let nextjs_flags = [
            ("method", from_flag(&r.method)),
            ("only_generated", from_flag(&r.only_generated)),
            ("preview_id_file", from_flag(&r.preview_id_file)),
        ];
        let (wrong, other) = match mode {
            Mode::Nextjs => (&endpoint_flags[..], "endpoint"),
            Mode::Endpoint => (&nextjs_flags[..], "nextjs"),
        };
        let given: Vec<&str> = wrong
            .iter()
            .filter(|(_, f)| *f)
            .map(|(k, _)| Self::flag(k))
            .collect();
        if !given.is_empty() {
            let (this, hint) = match (mode, given.len()) {
                (Mode::Nextjs, _) => ("nextjs", "add --mode endpoint to call your app's endpoint"),
                (Mode::Endpoint, 1) => ("endpoint", "drop it, or use --mode nextjs"),
                (Mode::Endpoint, _) => ("endpoint", "drop them, or use --mode nextjs"),
            };
            let (is, plural) = match (given.len(), other) {
                (1, "endpoint") => ("is an", ""),
                (1, _) => ("is a", ""),
                _ => ("are", "s"),
            };
            return Err(ConfigError(format!(
                "{} {is} {other}-mode flag{plural}, but this run is in {this} mode; {hint}",
                given.join(", "),
            )));
        }
        let mut headers = value(&r.headers).unwrap_or_default();
        let endpoint = match mode {
            Mode::Nextjs => None,
            Mode::Endpoint => {
                let Some(template) = value(&r.endpoint_template) else {
                    return Err(ConfigError(
                        "endpoint mode needs --endpoint TEMPLATE, e.g. --endpoint '/api/revalidate?path={path}' (or endpoint.template in the config)".into(),
                    ));
                };
                headers.extend(value(&r.endpoint_headers).unwrap_or_default());
                let body = value(&r.endpoint_body);
                let chosen = r
                    .endpoint_method
                    .as_ref()
                    .filter(|s| s.source != Source::Default)
                    .map(|s| s.value.0);
                Some(EndpointSettings {
                    template,
                    // A body implies POST unless a method was chosen.
                    method: chosen.unwrap_or(if body.is_some() {
                        EndpointMethod::Post
                    } else {
                        EndpointMethod::Get
                    }),
                    body,
                    expect_json: value(&r.endpoint_expect_json),
                })
            }
        };
        Ok(FanoutSettings {
            mode,
            method: defaulted(&r.method).0,
            only_generated: defaulted(&r.only_generated),
            allow_gone: defaulted(&r.allow_gone),
            preview_id_file: self.preview_id_file(),
            headers,
            endpoint,
        })
    }

    /// The preview id file to read, keeping the precedence flag > env > profile > file: the id in
    /// env REVALIDATE_PREVIEW_ID outranks a preview_id_file from the config file or a profile
    /// (as `revalidate config` shows), while --preview-id-file and REVALIDATE_PREVIEW_ID_FILE
    /// name a file on purpose and win.
    fn preview_id_file(&self) -> Option<PathBuf> {
        let s = self.resolved.preview_id_file.as_ref()?;
        let env_id = std::env::var(crate::nextjs::PREVIEW_ID_ENV).is_ok_and(|v| !v.is_empty());
        match s.source {
            Source::File(_) | Source::Profile { .. } if env_id => None,
            _ => Some(s.path()),
        }
    }

    pub fn verify(&self) -> Result<VerifySettings, ConfigError> {
        let r = &self.resolved;
        let s = VerifySettings {
            ignore: value(&r.verify_ignore).unwrap_or_default(),
            presets: value(&r.verify_ignore_presets)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.0)
                .collect(),
            select: value(&r.verify_select),
            max_body: defaulted(&r.verify_max_body).0,
            expect_status: value(&r.verify_expect_status).map(|c| c.0 as u16),
            expect_contains: value(&r.verify_expect_contains),
            expect_regex: value(&r.verify_expect_regex),
            baseline: r.verify_baseline.as_ref().map(Sourced::path),
            expect_changed: defaulted(&r.verify_expect_changed),
            save: r.verify_save.as_ref().map(Sourced::path),
            headers: value(&r.verify_headers).unwrap_or_default(),
            wait: value(&r.verify_wait).map(|s| s.0),
            etag: defaulted(&r.verify_etag),
            through: value(&r.verify_through),
            samples: defaulted(&r.verify_samples).0,
            encodings: defaulted(&r.verify_encodings)
                .into_iter()
                .map(|c| c.0)
                .collect(),
        };
        if s.etag {
            let mut body_settings = Vec::new();
            for (key, set) in [
                ("verify.ignore", !s.ignore.is_empty()),
                ("verify.ignore_presets", !s.presets.is_empty()),
                ("verify.select", s.select.is_some()),
                ("verify.expect_contains", s.expect_contains.is_some()),
                ("verify.expect_regex", s.expect_regex.is_some()),
            ] {
                if set {
                    body_settings.push(format!(
                        "{} ({})",
                        Self::flag(key),
                        self.resolved
                            .shown(key)
                            .map(|x| x.1.to_string())
                            .unwrap_or_default()
                    ));
                }
            }
            if !body_settings.is_empty() {
                return Err(ConfigError(format!(
                    "--etag compares ETags from HEAD requests and cannot read bodies, but {} need{} them; drop --etag or those settings",
                    body_settings.join(", "),
                    if body_settings.len() == 1 { "s" } else { "" }
                )));
            }
        }
        if s.max_body == 0 {
            return Err(self.bad(
                "verify.max_body",
                "a body of at most 0 bytes leaves nothing to compare (every page would be too large); give e.g. 32MiB, or leave it unset",
            ));
        }
        if s.expect_changed && s.baseline.is_none() {
            return Err(ConfigError(
                "--expect-changed compares with a baseline: add --baseline FILE (a snapshot written by `verify --save FILE`)".into(),
            ));
        }
        if s.encodings.is_empty() {
            return Err(ConfigError(
                "verify.encodings is empty: name at least one of identity, gzip, br".into(),
            ));
        }
        Ok(s)
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

// ---- cdn: CloudFront invalidation, HTTP PURGE and Cloudflare ----

/// Where the build id of `--next-data` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextData {
    /// Given as a value.
    BuildId(String),
    /// Read from `build_id_file`, else from the pods' pages.
    Auto,
}

/// How often CloudFront is asked again: polls and retries start at `min` and grow to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    pub min: Duration,
    pub max: Duration,
}

/// Cloudflare's purge-by-URL settings.
#[derive(Debug, Clone)]
pub struct CloudflareSettings {
    pub zone: String,
    /// The API token's file; env CLOUDFLARE_API_TOKEN otherwise.
    pub token_file: Option<PathBuf>,
    pub api_url: String,
    pub batch_size: usize,
}

/// Whether a URL carries a user or password (also one written with a raw `/`, `?` or `#`,
/// which a URL parser reads otherwise).
fn has_credentials(url: &str) -> bool {
    crate::secret::mask_userinfo(url) != url
        || reqwest::Url::parse(url)
            .is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
}

/// The cdn commands' settings.
#[derive(Debug, Clone)]
pub struct CdnSettings {
    pub distribution: Option<String>,
    pub aws_profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub next_data: Option<NextData>,
    pub build_id_file: Option<PathBuf>,
    pub query_strings: crate::choices::QueryStrings,
    pub coalesce: Option<usize>,
    pub max_wildcards: usize,
    pub batch_size: usize,
    pub free_paths_left: Option<u64>,
    pub run_id: Option<String>,
    pub caller_reference: Option<String>,
    pub wait: bool,
    /// How long the step may wait on CloudFront: for room under the in-progress limits, through
    /// retries, and for completion.
    pub wait_timeout: Duration,
    pub poll: Poll,
    pub list_limit: usize,
    pub purge_urls: Vec<String>,
    pub purge_method: String,
    /// Header lines of every purge request (`${VAR}` still unexpanded).
    pub purge_headers: Vec<String>,
    pub cloudflare: Option<CloudflareSettings>,
    pub site_url: Option<String>,
}

impl Config {
    pub fn cdn(&self) -> Result<CdnSettings, ConfigError> {
        let r = &self.resolved;
        let poll = Poll {
            min: defaulted(&r.cdn_poll_min).0,
            max: defaulted(&r.cdn_poll_max).0,
        };
        if poll.min.is_zero() {
            return Err(self.bad("cdn.poll_min", "give a duration above 0, e.g. 1s"));
        }
        if poll.max < poll.min {
            return Err(self.bad(
                "cdn.poll_max",
                &format!(
                    "must be at least cdn.poll_min ({})",
                    humantime::format_duration(poll.min)
                ),
            ));
        }
        let wait_timeout = defaulted(&r.cdn_wait_timeout).0;
        if wait_timeout.is_zero() {
            return Err(self.bad("cdn.wait_timeout", "give a duration above 0, e.g. 20m"));
        }
        let next_data = match value(&r.cdn_next_data) {
            None => None,
            Some(v) if v.trim().eq_ignore_ascii_case("auto") => Some(NextData::Auto),
            Some(v) => {
                let id = v.trim().to_string();
                if !crate::nextjs::is_build_id(&id) {
                    return Err(self.bad(
                        "cdn.next_data",
                        "must be \"auto\" or a build id (1 to 64 letters, digits, \"_\" or \"-\", as in .next/BUILD_ID)",
                    ));
                }
                Some(NextData::BuildId(id))
            }
        };
        let build_id_file = r.cdn_build_id_file.as_ref().map(Sourced::path);
        if build_id_file.is_some() && next_data != Some(NextData::Auto) {
            return Err(ConfigError(
                "--build-id-file is read by --next-data auto; add --next-data auto (or give the build id itself: --next-data BUILD_ID)".into(),
            ));
        }
        let purge_method = defaulted(&r.cdn_purge_method);
        if purge_method.is_empty()
            || !purge_method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(self.bad(
                "cdn.purge_method",
                "must be an HTTP method name such as PURGE or BAN",
            ));
        }
        // Credentials in these URLs would go out as Basic auth and show in the SDK's logs;
        // refused as in a pod URL (the value shown masked).
        for (key, url, instead) in [
            (
                "cdn.endpoint_url",
                value(&r.cdn_endpoint_url),
                "AWS credentials come from the usual chain (env AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, --aws-profile)",
            ),
            (
                "cdn.cloudflare_api_url",
                value(&r.cdn_cloudflare_api_url),
                "the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file",
            ),
        ] {
            if let Some(url) = url
                && has_credentials(&url)
            {
                return Err(self.bad(
                    key,
                    &format!("credentials in the URL would be sent and printed in logs; {instead}"),
                ));
            }
        }
        let cloudflare = match value(&r.cdn_cloudflare_zone) {
            None => None,
            Some(zone) => {
                let zone = zone.trim().to_string();
                if zone.len() != 32 || !zone.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(self.bad(
                        "cdn.cloudflare_zone",
                        "a Cloudflare zone id is 32 hexadecimal digits (the dashboard's Overview page, \"Zone ID\")",
                    ));
                }
                Some(CloudflareSettings {
                    zone: zone.to_ascii_lowercase(),
                    token_file: r.cdn_cloudflare_token_file.as_ref().map(Sourced::path),
                    api_url: defaulted(&r.cdn_cloudflare_api_url)
                        .trim_end_matches('/')
                        .to_string(),
                    batch_size: defaulted(&r.cdn_cloudflare_batch_size).0 as usize,
                })
            }
        };
        Ok(CdnSettings {
            distribution: value(&r.cdn_distribution)
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
            aws_profile: value(&r.cdn_aws_profile),
            endpoint_url: value(&r.cdn_endpoint_url),
            next_data,
            build_id_file,
            query_strings: defaulted(&r.cdn_query_strings).0,
            coalesce: value(&r.cdn_coalesce).map(|c| c.0 as usize),
            max_wildcards: defaulted(&r.cdn_max_wildcards).0 as usize,
            batch_size: defaulted(&r.cdn_batch_size).0 as usize,
            free_paths_left: value(&r.cdn_free_paths_left).map(|c| u64::from(c.0)),
            run_id: value(&r.cdn_run_id).filter(|v| !v.trim().is_empty()),
            caller_reference: value(&r.cdn_caller_reference).filter(|v| !v.trim().is_empty()),
            wait: defaulted(&r.cdn_wait),
            wait_timeout,
            poll,
            list_limit: defaulted(&r.cdn_list_limit).0 as usize,
            purge_urls: value(&r.cdn_purge_urls)
                .unwrap_or_default()
                .into_iter()
                .map(|w| w.0)
                .collect(),
            purge_method,
            purge_headers: value(&r.cdn_purge_headers).unwrap_or_default(),
            cloudflare,
            site_url: value(&r.cdn_site_url),
        })
    }

    /// Where `cdn.distribution` came from, for messages ("--distribution", "env ...", a file).
    pub fn cdn_distribution_source(&self) -> Option<String> {
        self.resolved
            .cdn_distribution
            .as_ref()
            .map(|s| s.source.to_string())
    }
}

#[cfg(test)]
mod cdn_tests {
    use super::*;

    fn load(text: &str, profile: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("revalidate.toml");
        std::fs::write(&f, text).unwrap();
        Config::load(Some(&f), profile, Layer::default(), env).unwrap()
    }

    #[test]
    fn defaults_resolve() {
        let c = Config::load(None, None, Layer::default(), &|_| None).unwrap();
        let s = c.cdn().unwrap();
        assert_eq!(s.distribution, None);
        assert_eq!(s.query_strings, crate::choices::QueryStrings::Drop);
        assert_eq!(
            (s.max_wildcards, s.batch_size, s.list_limit),
            (15, 3000, 20)
        );
        assert_eq!(s.wait_timeout, Duration::from_secs(1200));
        assert_eq!(
            s.poll,
            Poll {
                min: Duration::from_secs(1),
                max: Duration::from_secs(10)
            }
        );
        assert_eq!(s.purge_method, "PURGE");
        assert!(s.cloudflare.is_none() && !s.wait && s.next_data.is_none());
    }

    #[test]
    fn every_cdn_setting_can_come_from_a_profile() {
        let c = load(
            r#"
[profiles.prod.cdn]
distribution = "E2QWRUHAPOMQZL"
aws_profile = "publisher"
endpoint_url = "http://127.0.0.1:5000"
next_data = "auto"
build_id_file = ".next/BUILD_ID"
query_strings = "keep"
coalesce = 50
max_wildcards = 10
batch_size = 1000
free_paths_left = 400
run_id = "deploy-9"
caller_reference = "ref-9"
wait = true
wait_timeout = "5m"
poll_min = "500ms"
poll_max = "5s"
list_limit = 7
purge_urls = ["varnish=http://10.0.0.9:6081"]
purge_method = "BAN"
purge_headers = ["Fastly-Key: ${FASTLY_KEY}"]
cloudflare_zone = "023E105F4ECEF8AD9CA31A8372D0C353"
cloudflare_token_file = "cf-token"
cloudflare_api_url = "http://127.0.0.1:9/client/v4/"
cloudflare_batch_size = 500
site_url = "https://www.example.com"
"#,
            Some("prod"),
            &|_| None,
        );
        let s = c.cdn().unwrap();
        let dir = c.file.as_ref().unwrap().parent().unwrap().to_path_buf();
        assert_eq!(s.distribution.as_deref(), Some("E2QWRUHAPOMQZL"));
        assert_eq!(s.aws_profile.as_deref(), Some("publisher"));
        assert_eq!(s.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(s.next_data, Some(NextData::Auto));
        assert_eq!(s.build_id_file, Some(dir.join(".next/BUILD_ID")));
        assert_eq!(s.query_strings, crate::choices::QueryStrings::Keep);
        assert_eq!(
            (s.coalesce, s.max_wildcards, s.batch_size),
            (Some(50), 10, 1000)
        );
        assert_eq!(s.free_paths_left, Some(400));
        assert_eq!(s.run_id.as_deref(), Some("deploy-9"));
        assert_eq!(s.caller_reference.as_deref(), Some("ref-9"));
        assert!(s.wait);
        assert_eq!(s.wait_timeout, Duration::from_secs(300));
        assert_eq!(s.poll.min, Duration::from_millis(500));
        assert_eq!(s.list_limit, 7);
        assert_eq!(s.purge_urls, ["varnish=http://10.0.0.9:6081"]);
        assert_eq!(s.purge_method, "BAN");
        assert_eq!(s.purge_headers, ["Fastly-Key: ${FASTLY_KEY}"]);
        let cf = s.cloudflare.unwrap();
        assert_eq!(cf.zone, "023e105f4ecef8ad9ca31a8372d0c353");
        assert_eq!(cf.token_file, Some(dir.join("cf-token")));
        assert_eq!(cf.api_url, "http://127.0.0.1:9/client/v4");
        assert_eq!(cf.batch_size, 500);
        assert_eq!(s.site_url.as_deref(), Some("https://www.example.com"));
    }

    #[test]
    fn the_environment_sets_what_it_names() {
        let env = |k: &str| match k {
            "REVALIDATE_CDN_DISTRIBUTION" => Some("EENVDIST".to_string()),
            "AWS_ENDPOINT_URL_CLOUDFRONT" => Some("http://127.0.0.1:4566".to_string()),
            "REVALIDATE_RUN_ID" => Some("ci-42".to_string()),
            "CLOUDFLARE_ZONE_ID" => Some("023e105f4ecef8ad9ca31a8372d0c353".to_string()),
            _ => None,
        };
        let c = load(
            "[cdn]
distribution = \"EFILE\"
",
            None,
            &env,
        );
        let s = c.cdn().unwrap();
        assert_eq!(s.distribution.as_deref(), Some("EENVDIST"));
        assert_eq!(
            c.cdn_distribution_source().as_deref(),
            Some("env REVALIDATE_CDN_DISTRIBUTION")
        );
        assert_eq!(s.endpoint_url.as_deref(), Some("http://127.0.0.1:4566"));
        assert_eq!(s.run_id.as_deref(), Some("ci-42"));
        assert!(s.cloudflare.is_some());
    }

    #[test]
    fn bad_values_name_the_key_and_what_is_allowed() {
        for (text, want) in [
            ("[cdn]\nmax_wildcards = 16\n", "from 0 to 15"),
            ("[cdn]\nbatch_size = 3001\n", "from 1 to 3000"),
            (
                "[cdn]\nquery_strings = \"maybe\"\n",
                "must be one of drop, keep",
            ),
            (
                "[cdn]\ndistribtion = \"E1\"\n",
                "did you mean `cdn.distribution`?",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("revalidate.toml");
            std::fs::write(&f, text).unwrap();
            let e = Config::load(Some(&f), None, Layer::default(), &|_| None)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        for (text, want) in [
            ("[cdn]\npoll_min = \"0s\"\n", "cdn.poll_min = \"0s\""),
            (
                "[cdn]\nnext_data = \"../x\"\n",
                "must be \"auto\" or a build id",
            ),
            (
                "[cdn]\ncloudflare_zone = \"abc\"\n",
                "32 hexadecimal digits",
            ),
            ("[cdn]\npurge_method = \"PUR GE\"\n", "an HTTP method name"),
            ("[cdn]\nwait_timeout = \"0s\"\n", "above 0"),
        ] {
            let c = load(text, None, &|_| None);
            let e = c.cdn().unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}

// Redis settings (issue 8): the connection, publish and the agent.

/// How to reach Redis. The password is not here, only where to find it (see [`crate::redis`]).
#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub url: String,
    /// Where the URL came from, for messages ("command line", "env REDIS_URL", ...).
    pub url_source: String,
    pub password_file: Option<PathBuf>,
    pub ca: Option<PathBuf>,
    /// Connect and response timeout of every connection.
    pub timeout: Duration,
    /// `--sharded`: a Redis Cluster, reached through the URL's node, whose sharded channels
    /// (SPUBLISH, SSUBSCRIBE) carry the messages.
    pub sharded: bool,
}

/// publish's settings.
#[derive(Debug, Clone)]
pub struct PublishSettings {
    pub channel: String,
    /// `--message TEMPLATE`; the default message when unset.
    pub message: Option<String>,
    /// `--expect-subscribers N`, when given.
    pub expect_subscribers: Option<u32>,
    pub check: bool,
    pub force: bool,
    pub sharded: bool,
    /// The stream's approximate cap, when `--stream` is on.
    pub stream_maxlen: Option<u32>,
    /// How long to wait for acknowledgements, when `--wait-acks` is on.
    pub ack_timeout: Option<Duration>,
}

/// The agent's own settings (how it revalidates is fanout's: [`FanoutSettings`]).
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub channel: String,
    pub target: String,
    /// `--pod-name` or env POD_NAME; the hostname when unset.
    pub pod_name: Option<String>,
    pub health_addr: Option<String>,
    pub stream: bool,
    pub catch_up: Option<Duration>,
    pub dedupe_window: Duration,
    /// On SIGTERM: how long the revalidations in flight may take; the rest is left undone.
    pub grace_period: Duration,
}

impl Config {
    pub fn redis(&self) -> Result<RedisSettings, ConfigError> {
        let r = &self.resolved;
        let url = r
            .redis_url
            .as_ref()
            .expect("keys with a built-in default always resolve");
        let timeout = defaulted(&r.redis_timeout).0;
        if timeout.is_zero() {
            return Err(self.bad(
                "redis.timeout",
                "a connection needs some time; give e.g. 500ms or 5s",
            ));
        }
        Ok(RedisSettings {
            url: url.value.clone(),
            url_source: url.source.to_string(),
            password_file: r.redis_password_file.as_ref().map(Sourced::path),
            ca: r.redis_ca.as_ref().map(Sourced::path),
            timeout,
            sharded: defaulted(&r.redis_sharded),
        })
    }

    fn channel(&self) -> Result<String, ConfigError> {
        let channel = defaulted(&self.resolved.redis_channel);
        value::check_channel(&channel).map_err(|why| self.bad("redis.channel", &why))?;
        Ok(channel)
    }

    pub fn publish(&self) -> Result<PublishSettings, ConfigError> {
        let r = &self.resolved;
        let wait_acks = defaulted(&r.redis_wait_acks);
        let ack_timeout = defaulted(&r.redis_ack_timeout).0;
        if wait_acks && ack_timeout.is_zero() {
            return Err(self.bad(
                "redis.ack_timeout",
                "acknowledgements need some time to arrive; give e.g. 10s",
            ));
        }
        let expect_subscribers = value(&r.redis_expect_subscribers).map(|c| c.0);
        let stream = defaulted(&r.redis_stream);
        // With --stream the message waits in the stream for agents that catch up, and the
        // stream's answer is the evidence; without it, 0 holds for a message nobody got.
        if expect_subscribers == Some(0) && !stream {
            return Err(self.bad(
                "redis.expect_subscribers",
                "0 expected subscribers is met by a message nobody received, so it proves nothing; give the number of pods that subscribe (e.g. 3), leave it unset to expect the configured pods, or add --stream so the message waits in the stream for agents that catch up",
            ));
        }
        let check = defaulted(&r.redis_check);
        let force = defaulted(&r.redis_force);
        if force && !check {
            return Err(ConfigError(
                "--force only overrides --check (which publishes nothing when nobody listens); add --check or drop --force".into(),
            ));
        }
        Ok(PublishSettings {
            channel: self.channel()?,
            message: value(&r.redis_message),
            expect_subscribers,
            check,
            force,
            sharded: defaulted(&r.redis_sharded),
            stream_maxlen: stream.then(|| defaulted(&r.redis_stream_maxlen).0),
            ack_timeout: wait_acks.then_some(ack_timeout),
        })
    }

    /// The channel `watch` subscribes to when no --channel or --pattern is given.
    pub fn watch_channel(&self) -> Result<String, ConfigError> {
        self.channel()
    }

    pub fn agent(&self) -> Result<AgentSettings, ConfigError> {
        let r = &self.resolved;
        let catch_up = value(&r.agent_catch_up).map(|s| s.0);
        if catch_up.is_some_and(|d| d.is_zero()) {
            return Err(self.bad(
                "agent.catch_up",
                "a catch-up of 0 reads nothing; give e.g. 10m, or leave it unset",
            ));
        }
        Ok(AgentSettings {
            channel: self.channel()?,
            target: defaulted(&r.agent_target),
            pod_name: value(&r.agent_pod_name).filter(|n| !n.trim().is_empty()),
            health_addr: value(&r.agent_health_addr),
            stream: defaulted(&r.redis_stream),
            catch_up,
            dedupe_window: defaulted(&r.agent_dedupe_window).0,
            grace_period: defaulted(&r.agent_grace_period).0,
        })
    }
}

#[cfg(test)]
mod redis_tests {
    use super::*;

    #[test]
    fn every_redis_and_agent_setting_can_come_from_a_profile() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("revalidate.toml");
        std::fs::write(
            &f,
            r#"
[redis]
channel = "strapi-web:revalidate"
[profiles.prod.redis]
url = "rediss://cache.internal:6380/2"
password_file = "redis-password"
ca = "ca.pem"
timeout = "2s"
message = '{"path":"{path}","id":"{id}"}'
expect_subscribers = 4
check = true
stream = true
stream_maxlen = 500
wait_acks = true
ack_timeout = "30s"
[profiles.prod.agent]
target = "http://127.0.0.1:8080"
pod_name = "web-7"
health_addr = ":9102"
catch_up = "10m"
dedupe_window = "1h"
"#,
        )
        .unwrap();
        let c = Config::load(Some(&f), Some("prod"), Layer::default(), &|_| None).unwrap();
        let r = c.redis().unwrap();
        assert_eq!(r.url, "rediss://cache.internal:6380/2");
        assert!(r.url_source.contains("[profiles.prod]"), "{}", r.url_source);
        assert_eq!(r.password_file, Some(dir.path().join("redis-password")));
        assert_eq!(r.ca, Some(dir.path().join("ca.pem")));
        assert_eq!(r.timeout, Duration::from_secs(2));
        let p = c.publish().unwrap();
        assert_eq!(p.channel, "strapi-web:revalidate");
        assert_eq!(p.expect_subscribers, Some(4));
        assert!(p.check && !p.force);
        assert_eq!(p.stream_maxlen, Some(500));
        assert_eq!(p.ack_timeout, Some(Duration::from_secs(30)));
        let a = c.agent().unwrap();
        assert_eq!(a.target, "http://127.0.0.1:8080");
        assert_eq!(a.pod_name.as_deref(), Some("web-7"));
        assert_eq!(a.health_addr.as_deref(), Some(":9102"));
        assert!(a.stream);
        assert_eq!(a.catch_up, Some(Duration::from_secs(600)));
        assert_eq!(a.dedupe_window, Duration::from_secs(3600));
    }

    #[test]
    fn redis_defaults_env_and_precedence() {
        let c = Config::load(None, None, Layer::default(), &|_| None).unwrap();
        let r = c.redis().unwrap();
        assert_eq!(r.url, "redis://127.0.0.1:6379");
        assert_eq!(r.url_source, "built-in default");
        assert_eq!(r.timeout, Duration::from_secs(5));
        let p = c.publish().unwrap();
        assert_eq!(p.channel, "revalidate");
        assert_eq!((p.stream_maxlen, p.ack_timeout), (None, None));
        let env = |k: &str| match k {
            "REDIS_URL" => Some("redis://:pw-in-env-url@10.0.0.1".to_string()),
            "POD_NAME" => Some("web-3".to_string()),
            _ => None,
        };
        let flags = Layer {
            redis_url: Some("redis://10.0.0.2".into()),
            ..Layer::default()
        };
        let c = Config::load(None, None, flags, &env).unwrap();
        assert_eq!(c.redis().unwrap().url, "redis://10.0.0.2");
        assert_eq!(c.agent().unwrap().pod_name.as_deref(), Some("web-3"));
        let c = Config::load(None, None, Layer::default(), &env).unwrap();
        let shown = c
            .entries()
            .into_iter()
            .find(|e| e.key == "redis.url")
            .unwrap();
        assert_eq!(shown.value, "\"redis://:<redacted>@10.0.0.1\"");
        assert_eq!(shown.source, "env REDIS_URL");
    }

    #[test]
    fn bad_redis_settings_name_the_key() {
        let flags = Layer {
            redis_channel: Some(String::new()),
            ..Layer::default()
        };
        let c = Config::load(None, None, flags, &|_| None).unwrap();
        let e = c.publish().unwrap_err().to_string();
        assert!(e.starts_with("redis.channel = \"\" (command line)"), "{e}");
        let flags = Layer {
            redis_force: Some(true),
            ..Layer::default()
        };
        let c = Config::load(None, None, flags, &|_| None).unwrap();
        assert!(
            c.publish()
                .unwrap_err()
                .to_string()
                .contains("--force only overrides --check")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let f = dir.join("revalidate.toml");
        std::fs::write(&f, text).unwrap();
        f
    }

    const FILE: &str = r#"
concurrency = 8
timeout = "3s"
pods = ["a=http://127.0.0.1:1"]
[endpoint]
template = "/api/revalidate?path={path}"
headers = ["x-revalidate-secret: ${SECRET}", "x-literal: hunter22"]
[profiles.staging]
concurrency = 16
pods_file = "staging-pods.txt"
[profiles.staging.verify]
max_body = "1MiB"
"#;

    fn load(
        f: Option<&Path>,
        profile: Option<&str>,
        flags: Layer,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Config::load(f, profile, flags, env)
    }

    #[test]
    fn precedence_is_flag_env_profile_file_default() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), FILE);
        let env = |k: &str| (k == "REVALIDATE_TIMEOUT").then(|| "7s".to_string());
        let flags = Layer {
            retries: Some(value::Count(5)),
            ..Layer::default()
        };
        let c = load(Some(&f), Some("staging"), flags, &env).unwrap();
        let r = &c.resolved;
        assert_eq!(r.retries.as_ref().unwrap().source, Source::Flag);
        let l = c.limits().unwrap();
        assert_eq!(l.retries, 5);
        assert_eq!(l.timeout, Duration::from_secs(7));
        assert_eq!(
            r.timeout.as_ref().unwrap().source,
            Source::Env("REVALIDATE_TIMEOUT")
        );
        assert_eq!(l.concurrency, 16);
        assert!(matches!(
            r.concurrency.as_ref().unwrap().source,
            Source::Profile { .. }
        ));
        assert_eq!(c.verify().unwrap().max_body, 1 << 20);
        assert_eq!(l.per_pod_concurrency, 4);
        assert_eq!(
            r.per_pod_concurrency.as_ref().unwrap().source,
            Source::Default
        );
        // Relative paths are relative to the config file; the profile's pods_file outranks the
        // file's pods.
        let t = c.targets();
        assert_eq!(t.pods_file.unwrap(), dir.path().join("staging-pods.txt"));
        assert!(t.pods.is_none());
    }

    #[test]
    fn unknown_keys_are_named_with_their_place_and_the_valid_ones() {
        let dir = tempfile::tempdir().unwrap();
        for (text, want) in [
            (
                "[profiles.x]\nconcurency = 3\n",
                "unknown key `concurency` in [profiles.x] (did you mean `concurrency`?)",
            ),
            (
                "[endpoint]\ntemplat = 'x'\n",
                "unknown key `endpoint.templat` in [endpoint]",
            ),
            (
                "[verify]\nwiat = '1s'\n",
                "unknown key `verify.wiat` in [verify]",
            ),
            (
                "[profiles.p.verify]\nx = 1\n",
                "unknown key `verify.x` in [profiles.p.verify]",
            ),
            ("colour = 1\n", "unknown key `colour` in the top level"),
        ] {
            let f = write(dir.path(), text);
            let e = load(Some(&f), None, Layer::default(), &|_| None)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
            assert!(e.contains("valid keys: pods, pods_file"), "{e}");
        }
    }

    #[test]
    fn bad_values_name_key_source_and_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), "concurrency = 0\n");
        let e = load(Some(&f), None, Layer::default(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("concurrency = 0"), "{e}");
        assert!(e.contains("from 1 to 4096"), "{e}");
        let env = |k: &str| (k == "REVALIDATE_RETRIES").then(|| "many".to_string());
        let e = load(None, None, Layer::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("env REVALIDATE_RETRIES"), "{e}");
        let f = write(dir.path(), "headers = [1]\n");
        let e = load(Some(&f), None, Layer::default(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("headers = … ("), "{e}");
    }

    #[test]
    fn sizes_and_counts_that_prove_nothing_are_refused_from_every_source() {
        let dir = tempfile::tempdir().unwrap();
        let from_file = |text: &str, profile: Option<&str>| {
            let f = write(dir.path(), text);
            load(Some(&f), profile, Layer::default(), &|_| None).unwrap()
        };
        let flag = load(
            None,
            None,
            Layer {
                verify_max_body: Some(value::Size(0)),
                ..Layer::default()
            },
            &|_| None,
        )
        .unwrap();
        for (c, source) in [
            (flag, "(command line)"),
            (
                from_file("[verify]\nmax_body = 0\n", None),
                "revalidate.toml)",
            ),
            (
                from_file("[profiles.p.verify]\nmax_body = \"0KiB\"\n", Some("p")),
                "[profiles.p])",
            ),
        ] {
            let e = c.verify().unwrap_err().to_string();
            assert!(e.starts_with("verify.max_body = \"0\" ("), "{e}");
            assert!(e.contains(source), "{e}");
            assert!(e.contains("leaves nothing to compare"), "{e}");
        }
        let flag = load(
            None,
            None,
            Layer {
                redis_expect_subscribers: Some(value::Count(0)),
                ..Layer::default()
            },
            &|_| None,
        )
        .unwrap();
        for (c, source) in [
            (flag, "(command line)"),
            (
                from_file("[redis]\nexpect_subscribers = 0\n", None),
                "revalidate.toml)",
            ),
        ] {
            let e = c.publish().unwrap_err().to_string();
            assert!(e.starts_with("redis.expect_subscribers = 0 ("), "{e}");
            assert!(e.contains(source), "{e}");
            assert!(e.contains("met by a message nobody received"), "{e}");
        }
        // One byte and one subscriber are settings that can fail, so they are allowed; so is
        // 0 subscribers when the message goes to the stream, whose answer is the evidence.
        let c = from_file(
            "[verify]\nmax_body = 1\n[redis]\nexpect_subscribers = 1\n",
            None,
        );
        assert_eq!(c.verify().unwrap().max_body, 1);
        assert_eq!(c.publish().unwrap().expect_subscribers, Some(1));
        let c = from_file("[redis]\nexpect_subscribers = 0\nstream = true\n", None);
        assert_eq!(c.publish().unwrap().expect_subscribers, Some(0));
        // The other counts that would make a step prove nothing start at 1 in their type.
        for (text, want) in [
            ("[verify]\nsamples = 0\n", "verify.samples = 0"),
            (
                "[cdn]\ncloudflare_batch_size = 0\n",
                "cdn.cloudflare_batch_size = 0",
            ),
            ("[cdn]\nbatch_size = 0\n", "cdn.batch_size = 0"),
            ("[redis]\nstream_maxlen = 0\n", "redis.stream_maxlen = 0"),
            ("concurrency = 0\n", "concurrency = 0"),
        ] {
            let f = write(dir.path(), text);
            let e = load(Some(&f), None, Layer::default(), &|_| None)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want) && e.contains("from 1 to"), "{text}: {e}");
        }
    }

    #[test]
    fn zero_deadline_and_timeout_are_refused() {
        let env = |k: &str| (k == "REVALIDATE_DEADLINE").then(|| "0s".to_string());
        let c = load(None, None, Layer::default(), &env).unwrap();
        let e = c.limits().unwrap_err().to_string();
        assert!(
            e.starts_with("deadline = \"0s\" (env REVALIDATE_DEADLINE)"),
            "{e}"
        );
        let flags = Layer {
            timeout: Some(value::Span(Duration::ZERO)),
            ..Layer::default()
        };
        let c = load(None, None, flags, &|_| None).unwrap();
        assert!(
            c.limits()
                .unwrap_err()
                .to_string()
                .starts_with("timeout = \"0s\" (command line)")
        );
    }

    #[test]
    fn missing_profile_lists_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), FILE);
        let e = load(Some(&f), Some("prod"), Layer::default(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("profile \"prod\" not found"), "{e}");
        assert!(e.contains("known profiles: staging"), "{e}");
    }

    #[test]
    fn mode_specific_flags_in_the_other_mode_are_named() {
        let flags = Layer {
            endpoint_template: Some("/api/r?p={path}".into()),
            endpoint_body: Some("{}".into()),
            ..Layer::default()
        };
        let c = load(None, None, flags, &|_| None).unwrap();
        let e = c.fanout().unwrap_err().to_string();
        assert!(
            e.starts_with(
                "--endpoint, --body are endpoint-mode flags, but this run is in nextjs mode"
            ),
            "{e}"
        );
        let flags = Layer {
            mode: Some(value::Choice(Mode::Endpoint)),
            endpoint_template: Some("/api/r?p={path}".into()),
            only_generated: Some(true),
            ..Layer::default()
        };
        let c = load(None, None, flags, &|_| None).unwrap();
        let e = c.fanout().unwrap_err().to_string();
        assert!(
            e.starts_with(
                "--only-generated is a nextjs-mode flag, but this run is in endpoint mode"
            ),
            "{e}"
        );
    }

    #[test]
    fn every_verify_setting_can_come_from_a_profile() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            r#"
[profiles.p.verify]
through = "https://www.example.com"
samples = 3
encodings = ["gzip"]
etag = false
expect_contains = "New"
expect_regex = "v[0-9]"
expect_status = 200
baseline = "base.json"
expect_changed = true
save = "now.json"
wait = "30s"
"#,
        );
        let c = load(Some(&f), Some("p"), Layer::default(), &|_| None).unwrap();
        let v = c.verify().unwrap();
        assert_eq!(v.through.as_deref(), Some("https://www.example.com"));
        assert_eq!(v.samples, 3);
        assert_eq!(v.encodings, vec![Encoding::Gzip]);
        assert_eq!(v.expect_contains.as_deref(), Some("New"));
        assert_eq!(v.expect_regex.as_deref(), Some("v[0-9]"));
        assert_eq!(v.baseline, Some(dir.path().join("base.json")));
        assert!(v.expect_changed);
        assert_eq!(v.save, Some(dir.path().join("now.json")));
        assert_eq!(v.wait, Some(Duration::from_secs(30)));
    }

    #[test]
    fn every_key_with_a_default_resolves_and_shows() {
        let c = load(None, None, Layer::default(), &|_| None).unwrap();
        c.limits().unwrap();
        c.fanout().unwrap();
        c.verify().unwrap();
        let entries = c.entries();
        assert_eq!(entries.len(), KEYS.len());
        let e = entries
            .iter()
            .find(|e| e.key == "verify.encodings")
            .unwrap();
        assert_eq!(e.value, r#"["identity", "gzip", "br"]"#);
        assert_eq!(e.source, "built-in default");
    }

    #[test]
    fn entries_redact_literal_header_values_and_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(
            dir.path(),
            &format!("{FILE}\n[profiles.x]\npods = [\"a=http://user:pa55word@127.0.0.1:1\"]\n"),
        );
        let c = load(Some(&f), Some("x"), Layer::default(), &|_| None).unwrap();
        let text: String = c
            .entries()
            .iter()
            .map(|e| format!("{} = {}\n", e.key, e.value))
            .collect();
        assert!(text.contains("x-revalidate-secret: ${SECRET}"), "{text}");
        assert!(text.contains("x-literal: <redacted>"), "{text}");
        assert!(!text.contains("hunter22"), "{text}");
        assert!(!text.contains("pa55word"), "{text}");
        assert!(
            text.contains("http://user:<redacted>@127.0.0.1:1"),
            "{text}"
        );
    }
}
