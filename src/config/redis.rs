//! The Redis steps' settings: the connection (shared by publish, watch and the agent), publish's
//! expectations and the agent's.

use super::Config;
use super::Sourced;
use super::defaulted;
use super::value;
use crate::error::ConfigError;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Keep the record `<channel>:revalidated` (on unless `--no-record`).
    pub record: bool,
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
    /// `--catch-up-since`: from when the record's paths are revalidated at start.
    pub catch_up_since: value::Since,
    /// Where `--catch-up-since` came from ("default", "command line", ...).
    pub catch_up_since_source: String,
    pub catch_up_concurrency: usize,
    /// `--next-dir`: the app's `.next` directory, which dates the build.
    pub next_dir: Option<PathBuf>,
    pub dedupe_window: Duration,
    /// On SIGTERM: how long the revalidations in flight may take; the rest is left undone.
    pub grace_period: Duration,
    /// How often the agent renews its registration.
    pub heartbeat: Duration,
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
            record: !defaulted(&r.redis_no_record),
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
        let heartbeat = defaulted(&r.agent_heartbeat).0;
        if heartbeat < Duration::from_millis(100) || heartbeat > Duration::from_secs(3600) {
            return Err(self.bad(
                "agent.heartbeat",
                "a heartbeat is between 100ms and 1h; give e.g. 5s (the agent counts as gone after three missed beats)",
            ));
        }
        let since = r
            .agent_catch_up_since
            .as_ref()
            .expect("keys with a built-in default always resolve");
        let catch_up_since = value::parse_since(&since.value)
            .map_err(|why| self.bad("agent.catch_up_since", &why))?;
        Ok(AgentSettings {
            heartbeat,
            catch_up_since,
            catch_up_since_source: since.source.to_string(),
            catch_up_concurrency: defaulted(&r.agent_catch_up_concurrency).0 as usize,
            next_dir: r.agent_next_dir.as_ref().map(Sourced::path),
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
mod tests {
    use super::*;
    use crate::config::Layer;

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
heartbeat = "2s"
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
        assert_eq!(a.heartbeat, Duration::from_secs(2));
    }

    #[test]
    fn a_heartbeat_out_of_range_names_the_key() {
        for bad in ["10ms", "2h"] {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("revalidate.toml");
            std::fs::write(&f, format!("[agent]\nheartbeat = \"{bad}\"\n")).unwrap();
            let c = Config::load(Some(&f), None, Layer::default(), &|_| None).unwrap();
            let e = c.agent().unwrap_err().to_string();
            assert!(e.contains("agent.heartbeat") && e.contains("100ms"), "{e}");
        }
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
