//! Redis: the one place that knows how to reach it. Owns the URL (parsed, checked, shown with its
//! password masked), the password (from the URL, env `REDIS_PASSWORD` or a file), TLS (rediss://
//! through the process's one rustls provider: the system's roots, or `--redis-ca` instead of
//! them), the connect and response timeouts of every connection, and what a failure means for
//! people (host:port, the cause, a hint).
//!
//! Invariants: the password is a registered [`Secret`] from the moment it is read and is never
//! part of a message, a log line or a report; the URL is only ever shown masked; every
//! connection has a connect timeout and a response timeout (the crate's own defaults, 1 s and
//! 500 ms, are never relied on), except a blocking read, which gets a connection of its own whose
//! response timeout covers the block; a bad URL is a configuration error (exit 2), an unreachable,
//! refusing or rejecting server is [`Error::Unavailable`] (exit 5).

pub mod message;
pub mod record;
pub mod registry;
pub mod subscriber;

use std::fmt;
use std::path::Path;
use std::time::Duration;

use ::redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection, PubSub,
};
use ::redis::cluster_async::ClusterConnection;
use ::redis::{
    AsyncConnectionConfig, Cmd, IntoConnectionInfo, Pipeline, PushInfo, RedisError, RedisFuture,
    Value,
};

use crate::config::RedisSettings;
use crate::error::ConfigError;
use crate::error::{Error, Service};
use crate::secret::{self, Secret};

pub use crate::config::keys::{DEFAULT_CHANNEL, DEFAULT_URL};
pub use crate::config::value::check_channel;
/// The environment variable holding the Redis password itself.
pub const PASSWORD_ENV: &str = "REDIS_PASSWORD";
const DEFAULT_PORT: u16 = 6379;

/// A Redis answer as people read it in an error ("XADD answered nil"), never the client
/// library's debug form.
pub fn describe_value(v: &::redis::Value) -> String {
    use ::redis::Value;
    let text = |b: &[u8]| {
        let t: String = String::from_utf8_lossy(b).chars().take(80).collect();
        format!("{t:?}")
    };
    match v {
        Value::Nil => "nil".into(),
        Value::Okay => "OK".into(),
        Value::Int(n) => n.to_string(),
        Value::Double(d) => d.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::BulkString(b) => text(b),
        Value::SimpleString(s) => text(s.as_bytes()),
        Value::ServerError(e) => format!("the error {}", text(e.to_string().as_bytes())),
        Value::Array(a) | Value::Set(a) => format!("a list of {} items", a.len()),
        Value::Map(m) => format!("a map of {} entries", m.len()),
        _ => "an answer of an unexpected kind".into(),
    }
}

/// A checked Redis endpoint: cheap to clone, never prints its password.
#[derive(Clone)]
pub struct Redis {
    client: ::redis::Client,
    shown: String,
    addr: String,
    tls: bool,
    timeout: Duration,
    /// A Redis Cluster, reached through the URL's node (`--sharded`).
    sharded: bool,
    /// `--redis-ca`: the PEM that replaces the system roots (kept for cluster connections).
    ca: Option<Vec<u8>>,
    /// Things people should know (e.g. a password given twice).
    pub warnings: Vec<String>,
}

/// A connection for commands: to one server, or to a Redis Cluster that sends each command to
/// the shard of its key or channel (`--sharded`).
pub enum Conn {
    Single(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("url", &self.shown)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Checks the URL and reads the password and the CA file. `env` is a seam for tests. Reads
    /// files and the environment; connects to nothing.
    pub fn build(
        s: &RedisSettings,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Redis, ConfigError> {
        let shown = secret::mask_userinfo(&s.url);
        let bad =
            |why: String| ConfigError(format!("--redis-url {shown:?} ({}): {why}", s.url_source));
        let mut url = reqwest::Url::parse(&s.url).map_err(|e| {
            bad(format!(
                "not a URL ({e}); write redis://HOST:PORT, e.g. redis://127.0.0.1:6379, or rediss:// for TLS"
            ))
        })?;
        let tls = match url.scheme() {
            "redis" => false,
            "rediss" => true,
            other => {
                return Err(bad(format!(
                    "the scheme {other:?} is not supported; use redis:// or rediss:// (TLS)"
                )));
            }
        };
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h.trim_matches(['[', ']']).to_string(),
            _ => return Err(bad("the URL has no host; write redis://HOST:PORT".into())),
        };
        let port = url.port().unwrap_or(DEFAULT_PORT);
        if port == 0 {
            return Err(bad("port 0 is not a port Redis listens on".into()));
        }
        let db = url.path().trim_matches('/');
        if !db.is_empty() && !db.bytes().all(|b| b.is_ascii_digit()) || db.len() > 6 {
            return Err(bad(format!(
                "the path {:?} is not a database number; write /0, /1, ... or nothing",
                url.path()
            )));
        }
        if url.fragment().is_some() {
            return Err(bad(
                "a fragment (#...) is not supported; to trust a private CA use --redis-ca FILE"
                    .into(),
            ));
        }
        if let Some(q) = url.query()
            && !q.split('&').all(|kv| {
                matches!(
                    kv,
                    "protocol=resp2" | "protocol=resp3" | "protocol=2" | "protocol=3"
                )
            })
        {
            return Err(bad(format!(
                "the query {q:?} is not supported (only protocol=resp2 or protocol=resp3)"
            )));
        }
        if s.ca.is_some() && !tls {
            return Err(ConfigError(format!(
                "--redis-ca is for TLS connections, but the URL {shown} is redis://; use rediss://"
            )));
        }

        // The password: a file named on purpose, else env REDIS_PASSWORD, else the URL's.
        let mut warnings = Vec::new();
        let url_password = match url.password() {
            Some(p) => Some(
                percent_encoding::percent_decode_str(p)
                    .decode_utf8()
                    .map_err(|_| bad("the URL's password is not valid UTF-8 once decoded".into()))?
                    .into_owned(),
            ),
            None => None,
        };
        let from_file = match &s.password_file {
            Some(f) => Some(read_password_file(f)?),
            None => None,
        };
        let from_env = env(PASSWORD_ENV).filter(|p| !p.is_empty());
        let given: Vec<&str> = [
            from_file.as_ref().map(|_| "--redis-password-file"),
            from_env.as_ref().map(|_| "env REDIS_PASSWORD"),
            url_password.as_ref().map(|_| "the URL"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            warnings.push(format!(
                "a Redis password is given by {}; the first one is used",
                given.join(" and ")
            ));
        }
        let password = match (from_file, from_env, url_password) {
            (Some(p), _, _) => Some(Secret::new(
                p,
                format!(
                    "Redis password from {}",
                    s.password_file
                        .as_deref()
                        .unwrap_or(Path::new(""))
                        .display()
                ),
            )),
            (None, Some(p), _) => Some(Secret::new(
                p,
                format!("Redis password from env {PASSWORD_ENV}"),
            )),
            (None, None, Some(p)) => Some(Secret::new(p, "Redis password from the URL")),
            (None, None, None) => None,
        };
        if let Some(p) = &password {
            crate::secret::check_length(p.expose(), p.origin()).map_err(ConfigError)?;
        }
        // The crate parses the URL without its password; the password is set apart.
        let _ = url.set_password(None);
        let info = url
            .as_str()
            .into_connection_info()
            .map_err(|e| bad(format!("{e}")))?;
        let mut settings = info
            .redis_settings()
            .clone()
            .set_lib_name("revalidate", env!("CARGO_PKG_VERSION"));
        if let Some(p) = &password {
            settings = settings.set_password(p.expose());
        }
        let info = info.set_redis_settings(settings);
        let mut ca_pem = None;
        let client = match &s.ca {
            None => ::redis::Client::open(info),
            Some(ca) => {
                let pem = std::fs::read(ca).map_err(|e| {
                    ConfigError(format!("cannot read the CA file {} (--redis-ca): {e}", ca.display()))
                })?;
                if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                    return Err(ConfigError(format!(
                        "the CA file {} (--redis-ca) holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                        ca.display()
                    )));
                }
                ca_pem = Some(pem.clone());
                ::redis::Client::build_with_tls(
                    info,
                    ::redis::TlsCertificates {
                        client_tls: None,
                        root_cert: Some(pem),
                    },
                )
            }
        }
        .map_err(|e| bad(format!("{e}")))?;
        let addr = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(Redis {
            client,
            shown,
            addr,
            tls,
            timeout: s.timeout,
            sharded: s.sharded,
            ca: ca_pem,
            warnings,
        })
    }

    /// The URL as it may be shown: its password masked.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// `host:port`, for messages.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether this is a Redis Cluster whose sharded channels are used (`--sharded`).
    pub fn sharded(&self) -> bool {
        self.sharded
    }

    fn config(&self, response_timeout: Option<Duration>) -> AsyncConnectionConfig {
        AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(response_timeout)
    }

    /// A connection for commands, with the connect and response timeouts: to the URL's server,
    /// or through it to the whole cluster with `--sharded`.
    pub async fn connect(&self) -> Result<Conn, Failure> {
        if self.sharded {
            return self.cluster(self.timeout, None).await.map(Conn::Cluster);
        }
        self.client
            .get_multiplexed_async_connection_with_config(&self.config(Some(self.timeout)))
            .await
            .map(Conn::Single)
            .map_err(|e| self.failure(&e))
    }

    /// A connection of its own for a blocking read (XREAD BLOCK): its response timeout covers the
    /// block, and nothing else waits behind it.
    pub async fn connect_blocking(&self, block: Duration) -> Result<Conn, Failure> {
        if self.sharded {
            return self
                .cluster(block + self.timeout, None)
                .await
                .map(Conn::Cluster);
        }
        self.client
            .get_multiplexed_async_connection_with_config(&self.config(Some(block + self.timeout)))
            .await
            .map(Conn::Single)
            .map_err(|e| self.failure(&e))
    }

    /// A connection manager (it reconnects by itself) for commands sent now and then, such as an
    /// agent's acknowledgements. It connects lazily, on the first command.
    pub fn manager(&self) -> Result<ConnectionManager, Failure> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        self.client
            .get_connection_manager_lazy(config)
            .map_err(|e| self.failure(&e))
    }

    /// A connection dedicated to subscriptions (RESP2 pub/sub). It never reconnects by itself:
    /// [`subscriber`] does.
    pub async fn pubsub(&self) -> Result<PubSub, Failure> {
        match tokio::time::timeout(self.timeout, self.client.get_async_pubsub()).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => Err(self.failure(&e)),
            Err(_) => Err(self.timed_out()),
        }
    }

    /// A Redis Cluster connection started from this URL's node (for `--sharded`). With `pushes`
    /// it speaks RESP3 and sends what the server pushes (sharded messages) there.
    pub async fn cluster(
        &self,
        response_timeout: Duration,
        pushes: Option<tokio::sync::mpsc::UnboundedSender<PushInfo>>,
    ) -> Result<ClusterConnection, Failure> {
        let info = self.client.get_connection_info().clone();
        let mut builder = ::redis::cluster::ClusterClientBuilder::new(vec![info])
            .connection_timeout(self.timeout)
            .response_timeout(response_timeout);
        if let Some(pem) = &self.ca {
            builder = builder.certs(::redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.clone()),
            });
        }
        if let Some(tx) = pushes {
            builder = builder
                .use_protocol(::redis::ProtocolVersion::RESP3)
                .push_sender(tx);
        }
        let client = builder.build().map_err(|e| self.failure(&e))?;
        match tokio::time::timeout(self.timeout * 2, client.get_async_connection()).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(self.failure(&e)),
            Err(_) => Err(self.timed_out()),
        }
    }

    /// What a failed connection or command means, for people.
    pub fn failure(&self, e: &RedisError) -> Failure {
        Failure {
            addr: self.addr.clone(),
            tls: self.tls,
            kind: FailureKind::of(e),
            detail: describe(e),
            timeout: self.timeout,
        }
    }

    /// No answer within the timeout.
    pub fn timed_out(&self) -> Failure {
        Failure {
            addr: self.addr.clone(),
            tls: self.tls,
            kind: FailureKind::Timeout,
            detail: format!(
                "no answer within {}",
                humantime::format_duration(self.timeout)
            ),
            timeout: self.timeout,
        }
    }
}

/// Reads a password file: its first line, without the line ending.
fn read_password_file(f: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(f).map_err(|e| {
        ConfigError(format!(
            "cannot read the Redis password file {} (--redis-password-file): {e}",
            f.display()
        ))
    })?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(ConfigError(format!(
            "the Redis password file {} is empty",
            f.display()
        )));
    }
    Ok(first.to_string())
}

/// Why Redis could not be used, as far as people act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    Refused,
    Timeout,
    /// The password or ACL user was rejected.
    Auth,
    /// The server needs a password and none was given.
    NoAuth,
    /// The ACL user may not run a command.
    Permission,
    Tls,
    Resolve,
    /// The connection dropped.
    Dropped,
    /// `--sharded` against a server without cluster support.
    NotCluster,
    Other,
}

impl FailureKind {
    fn of(e: &RedisError) -> FailureKind {
        let text = e.to_string();
        let code = e.code().unwrap_or("");
        if e.is_connection_refusal() || text.contains("Connection refused") {
            FailureKind::Refused
        } else if e.is_timeout() {
            FailureKind::Timeout
        } else if e.kind() == ::redis::ErrorKind::AuthenticationFailed || code == "WRONGPASS" {
            FailureKind::Auth
        } else if code == "NOAUTH" {
            FailureKind::NoAuth
        } else if code == "NOPERM" {
            FailureKind::Permission
        } else if text.contains("cluster support disabled") {
            FailureKind::NotCluster
        } else if text.contains("certificate")
            || text.contains("InvalidCertificate")
            || text.contains("tls")
            || text.contains("TLS")
        {
            FailureKind::Tls
        } else if text.contains("lookup")
            || text.contains("resolve")
            || text.contains("Name or service")
        {
            FailureKind::Resolve
        } else if e.is_connection_dropped() || e.is_unrecoverable_error() {
            FailureKind::Dropped
        } else {
            FailureKind::Other
        }
    }

    /// Whether waiting and retrying can fix it (an agent keeps trying; a rejected password will
    /// not start working by itself).
    pub fn is_transient(self) -> bool {
        !matches!(
            self,
            FailureKind::Auth | FailureKind::NoAuth | FailureKind::Permission | FailureKind::Tls
        )
    }
}

/// The error's text with its cause chain, de-duplicated, without anything secret.
fn describe(e: &RedisError) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !t.is_empty() && !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    secret::redact(&parts.join(": ")).into_owned()
}

/// A Redis failure: where, what kind, the cause.
#[derive(Clone, Debug)]
pub struct Failure {
    pub addr: String,
    tls: bool,
    pub kind: FailureKind,
    pub detail: String,
    timeout: Duration,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FailureKind::Refused => "connection refused".to_string(),
            FailureKind::Timeout if self.detail.starts_with("no answer") => self.detail.clone(),
            FailureKind::Auth => format!("authentication failed ({})", self.detail),
            FailureKind::NoAuth => format!("the server requires a password ({})", self.detail),
            _ => self.detail.clone(),
        };
        write!(f, "{}: {what}", self.addr)
    }
}

impl Failure {
    /// What to try, for the kind of failure.
    pub fn hint(&self) -> String {
        let addr = &self.addr;
        match self.kind {
            FailureKind::Refused => format!(
                "is redis-server running and listening on {addr}? Check --redis-url (or REDIS_URL, or [redis] url in the config)"
            ),
            FailureKind::Timeout => format!(
                "nothing answered within {}: a wrong host or port, a firewall, or a server that needs TLS (rediss://)? --redis-timeout raises the limit",
                humantime::format_duration(self.timeout)
            ),
            FailureKind::Auth => "the password or ACL user was refused: check env REDIS_PASSWORD, --redis-password-file, or the URL's user and password".into(),
            FailureKind::NoAuth => "the server requires a password: set env REDIS_PASSWORD or --redis-password-file (or put it in the URL)".into(),
            FailureKind::Permission => "the ACL user may not run this command: grant it PUBLISH, SUBSCRIBE, PUBSUB and, for --stream, XADD and XREAD on the channel's keys".into(),
            FailureKind::Tls if self.tls => "the server's certificate is not trusted: give its CA with --redis-ca FILE (it replaces the system roots), or check the host name".into(),
            FailureKind::Tls => "the server speaks TLS: use a rediss:// URL".into(),
            FailureKind::Resolve => format!("the host of {addr} does not resolve: check --redis-url"),
            FailureKind::NotCluster => "--sharded needs a Redis Cluster (SPUBLISH reaches the channel's shard); against a single server, drop --sharded".into(),
            FailureKind::Dropped | FailureKind::Other => format!(
                "is {addr} a Redis server, and is it healthy? (redis-cli -h HOST -p PORT ping)"
            ),
        }
    }

    /// This failure as the command's error (exit 5).
    pub fn into_error(self) -> Error {
        let hint = self.hint();
        Error::unavailable(Service::Redis, format!("cannot use {self}"), Some(hint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_described_in_words_never_as_a_debug_structure() {
        use ::redis::Value;
        assert_eq!(describe_value(&Value::Nil), "nil");
        assert_eq!(describe_value(&Value::Okay), "OK");
        assert_eq!(describe_value(&Value::Int(3)), "3");
        assert_eq!(
            describe_value(&Value::BulkString(b"1-0".to_vec())),
            "\"1-0\""
        );
        assert_eq!(
            describe_value(&Value::Array(vec![Value::Nil, Value::Int(1)])),
            "a list of 2 items"
        );
    }

    fn settings(url: &str) -> RedisSettings {
        RedisSettings {
            url: url.into(),
            url_source: "command line".into(),
            password_file: None,
            ca: None,
            timeout: Duration::from_secs(1),
            sharded: false,
        }
    }

    fn build(url: &str) -> Result<Redis, ConfigError> {
        Redis::build(&settings(url), &|_| None)
    }

    #[test]
    fn urls_are_checked_and_shown_masked() {
        let r = build("redis://app:s3cret-in-url-9f2@10.0.0.5:6380/2").unwrap();
        assert_eq!(r.shown(), "redis://app:<redacted>@10.0.0.5:6380/2");
        assert_eq!(r.addr(), "10.0.0.5:6380");
        assert!(!format!("{r:?}").contains("s3cret"));
        let r = build("rediss://cache.internal").unwrap();
        assert_eq!(r.addr(), "cache.internal:6379");
        assert!(r.tls);
        let r = build("redis://[::1]:7000").unwrap();
        assert_eq!(r.addr(), "[::1]:7000");
    }

    #[test]
    fn bad_urls_name_the_input_and_what_is_allowed_without_the_password() {
        for (url, want) in [
            ("127.0.0.1:6379", "not a URL"),
            ("http://127.0.0.1:6379", "use redis:// or rediss://"),
            (
                "redis://:hunter2-pw-long@127.0.0.1/abc",
                "not a database number",
            ),
            ("redis://127.0.0.1:0", "port 0"),
            ("redis://127.0.0.1/#insecure", "--redis-ca"),
            ("redis://127.0.0.1/?timeout=3", "not supported"),
        ] {
            let e = build(url).unwrap_err().to_string();
            assert!(e.contains(want), "{url}: {e}");
            assert!(e.contains("(command line)"), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{url}: {e}");
        }
        let mut s = settings("redis://127.0.0.1");
        s.ca = Some("ca.pem".into());
        let e = Redis::build(&s, &|_| None).unwrap_err().to_string();
        assert!(e.contains("use rediss://"), "{e}");
    }

    #[test]
    fn the_password_comes_from_a_file_env_or_url_and_a_second_one_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw");
        std::fs::write(&f, "from-file-pw-1234\n").unwrap();
        let mut s = settings("redis://:from-url-pw-5678@127.0.0.1");
        s.password_file = Some(f.clone());
        let env = |k: &str| (k == PASSWORD_ENV).then(|| "from-env-pw-0000".to_string());
        let r = Redis::build(&s, &env).unwrap();
        assert_eq!(
            r.client.get_connection_info().redis_settings().password(),
            Some("from-file-pw-1234")
        );
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("--redis-password-file and env REDIS_PASSWORD and the URL"));
        assert!(!r.warnings[0].contains("pw-"), "{:?}", r.warnings);
        // Every form of each password is registered for redaction.
        assert_eq!(secret::redact("x from-file-pw-1234 y"), "x <redacted> y");
        let r = Redis::build(&settings("redis://127.0.0.1"), &env).unwrap();
        assert_eq!(
            r.client.get_connection_info().redis_settings().password(),
            Some("from-env-pw-0000")
        );
        std::fs::write(&f, "").unwrap();
        let mut s = settings("redis://127.0.0.1");
        s.password_file = Some(f);
        assert!(
            Redis::build(&s, &|_| None)
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
    }

    #[test]
    fn failures_say_where_what_and_what_to_try() {
        let f = Failure {
            addr: "127.0.0.1:6379".into(),
            tls: false,
            kind: FailureKind::Refused,
            detail: "Connection refused (os error 111)".into(),
            timeout: Duration::from_secs(5),
        };
        let e = f.into_error();
        assert_eq!(e.exit_code(), crate::exit::Code::ServiceUnavailable);
        assert_eq!(
            e.render(),
            "error: Redis: cannot use 127.0.0.1:6379: connection refused\nhint: is redis-server running and listening on 127.0.0.1:6379? Check --redis-url (or REDIS_URL, or [redis] url in the config)\n"
        );
        assert!(!FailureKind::Auth.is_transient() && FailureKind::Refused.is_transient());
    }

    #[test]
    fn channels_are_checked() {
        assert!(check_channel("strapi-web:revalidate").is_ok());
        assert!(check_channel("").is_err());
        assert!(check_channel("a\nb").is_err());
    }
}
