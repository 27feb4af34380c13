//! `serve`'s settings: where it listens, how many runs at once, how long a caller may wait,
//! where accepted jobs are kept when Redis is configured, where the secret is, and the routes'
//! tables as written (their fields are checked where they are compiled, in `serve::hooks`).
//! The run each job makes reads the run's own settings ([`Config::run`]) like `revalidate run`
//! does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::layers::Source;
use super::{Config, Sourced, defaulted, value};
use crate::error::ConfigError;

/// `serve`'s own settings.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub listen: SocketAddr,
    /// HTTPS: the certificate chain and its key (both or neither).
    pub tls: Option<(PathBuf, PathBuf)>,
    pub max_runs: usize,
    /// Paths waiting for a run, at most.
    pub queue: usize,
    pub max_wait: Duration,
    pub max_request: usize,
    pub grace: Duration,
    pub keep_jobs: usize,
    /// Jobs kept in a Redis stream, when redis.url is configured.
    pub stream: Option<StreamSettings>,
}

/// Where accepted jobs are kept so that a restarted replica, or another one, finishes them.
#[derive(Debug, Clone)]
pub struct StreamSettings {
    pub key: String,
    pub consumer: String,
    pub claim_after: Duration,
}

impl Config {
    pub fn serve(&self) -> Result<ServeSettings, ConfigError> {
        let r = &self.resolved;
        let listen_text = defaulted(&r.serve_listen);
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            self.bad(
                "serve.listen",
                "not an address to listen on: give HOST:PORT with an IP address, e.g. 127.0.0.1:8787 or 0.0.0.0:8787 ([::]:8787 for IPv6)",
            )
        })?;
        let tls = match (value(&r.serve_tls_cert), value(&r.serve_tls_key)) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError(
                    "--tls-cert needs --tls-key (the certificate's private key, PEM)".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError(
                    "--tls-key needs --tls-cert (the certificate chain, PEM)".into(),
                ));
            }
        };
        let redis_configured = r
            .redis_url
            .as_ref()
            .is_some_and(|u| u.source != Source::Default);
        let stream = if redis_configured {
            let key = defaulted(&r.serve_stream);
            if key.trim().is_empty() {
                return Err(self.bad("serve.stream", "the stream's key must not be empty"));
            }
            let consumer = match value(&r.serve_consumer) {
                Some(c) => c,
                None => std::env::var("HOSTNAME")
                    .ok()
                    .filter(|h| !h.is_empty())
                    .or_else(host_name)
                    .unwrap_or_else(|| "serve".into()),
            };
            if consumer.trim().is_empty() {
                return Err(self.bad("serve.consumer", "the consumer's name must not be empty"));
            }
            Some(StreamSettings {
                key,
                consumer,
                claim_after: defaulted(&r.serve_claim_after).0,
            })
        } else {
            None
        };
        let max_wait = defaulted(&r.serve_max_wait).0;
        if max_wait.is_zero() {
            return Err(self.bad("serve.max_wait", "must be more than 0s"));
        }
        Ok(ServeSettings {
            listen,
            tls,
            max_runs: defaulted(&r.serve_max_runs).0 as usize,
            queue: defaulted(&r.serve_queue).0 as usize,
            max_wait,
            max_request: usize::try_from(defaulted(&r.serve_max_request).0).unwrap_or(usize::MAX),
            grace: defaulted(&r.serve_grace).0,
            keep_jobs: defaulted(&r.serve_keep_jobs).0 as usize,
            stream,
        })
    }
}

/// The host's name, from the kernel (Linux), when $HOSTNAME is not exported.
fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
}

impl Config {
    /// `serve.secret_file`, relative to the config file when it came from one, with its source
    /// (which decides whether env REVALIDATE_SERVE_SECRET outranks it: `serve::auth`).
    pub fn serve_secret_file(&self) -> Option<Sourced<PathBuf>> {
        self.resolved.serve_secret_file.as_ref().map(|s| Sourced {
            value: s.path(),
            source: s.source.clone(),
        })
    }

    /// The `[[serve.routes]]` tables of the layer that sets them, and where they came from.
    pub fn serve_routes(&self) -> Option<(&[toml::Table], &Source)> {
        self.resolved
            .serve_routes
            .as_ref()
            .map(|s| (s.value.0.as_slice(), &s.source))
    }
}
