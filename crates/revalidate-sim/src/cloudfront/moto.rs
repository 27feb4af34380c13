//! Starting `moto_server` (PyPI `moto[server]`) for tests and benchmarks, and
//! an aws-sdk-cloudfront client set up to talk to it or to the proxy.
//!
//! Invariant: a [`Moto`] owns its process. It listens on a loopback port the
//! OS chose (moto is started with `-p 0` and its log names the port, so no
//! other process can take the port between choosing and binding), answers
//! before `start` returns, and is killed and reaped when the value drops.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudfront::types::{
    CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, Origin, OriginProtocolPolicy,
    Origins, ViewerProtocolPolicy,
};

/// How long moto may take to start listening and answering.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable that names another `moto_server` executable.
pub const MOTO_SERVER_ENV: &str = "REVALIDATE_MOTO_SERVER";

/// Why moto could not be started.
#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    /// The executable is not on `PATH` (or where `REVALIDATE_MOTO_SERVER` points).
    #[error(
        "`{0}` was not found: install moto's server with `pip install 'moto[server]'` \
         (or set {MOTO_SERVER_ENV} to its path)"
    )]
    NotInstalled(String),
    /// It could not be spawned or its log could not be read.
    #[error("could not run `{program}`: {source}")]
    Io {
        /// The executable.
        program: String,
        /// What failed.
        source: std::io::Error,
    },
    /// It exited before answering.
    #[error("`{program}` exited ({status}) before it answered; its output:\n{log}")]
    Exited {
        /// The executable.
        program: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it printed.
        log: String,
    },
    /// It did not answer in time.
    #[error("`{program}` did not answer within {timeout:?}; its output:\n{log}")]
    Timeout {
        /// The executable.
        program: String,
        /// How long we waited.
        timeout: Duration,
        /// What it printed.
        log: String,
    },
}

/// A running `moto_server`, killed when dropped.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    _log_file: tempfile::NamedTempFile,
}

impl Moto {
    /// Starts `moto_server -H 127.0.0.1 -p 0` (or the executable `REVALIDATE_MOTO_SERVER`
    /// names) and waits until it answers HTTP.
    pub async fn start() -> Result<Moto, MotoError> {
        let program = std::env::var(MOTO_SERVER_ENV).unwrap_or_else(|_| "moto_server".to_owned());
        Moto::start_program(&program).await
    }

    /// [`Moto::start`] with an explicit executable.
    pub async fn start_program(program: &str) -> Result<Moto, MotoError> {
        let program = program.to_owned();
        let io = |source| MotoError::Io {
            program: program.clone(),
            source,
        };
        let log_file = tempfile::NamedTempFile::new().map_err(io)?;
        let stdout = log_file.reopen().map_err(io)?;
        let stderr = log_file.reopen().map_err(io)?;
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => MotoError::NotInstalled(program.clone()),
                _ => io(e),
            })?;
        let log = log_file.path().to_owned();
        // From here on, dropping `moto` kills the process, whatever fails.
        let mut moto = Moto {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
            _log_file: log_file,
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        moto.addr = loop {
            if let Some(port) = listening_port(&moto.read_log()) {
                break SocketAddr::from(([127, 0, 0, 1], port));
            }
            moto.check_alive(&program, deadline)?;
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let client = super::super::serve::forwarding_client(Duration::from_secs(5)).map_err(io)?;
        loop {
            let probe = client.get(format!("{}/moto-api/", moto.url())).send().await;
            if probe.is_ok_and(|r| r.status().is_success()) {
                return Ok(moto);
            }
            moto.check_alive(&program, deadline)?;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn read_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn check_alive(&mut self, program: &str, deadline: Instant) -> Result<(), MotoError> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Err(MotoError::Exited {
                program: program.to_owned(),
                status,
                log: self.read_log(),
            });
        }
        if Instant::now() > deadline {
            return Err(MotoError::Timeout {
                program: program.to_owned(),
                timeout: STARTUP_TIMEOUT,
                log: self.read_log(),
            });
        }
        Ok(())
    }

    /// "http://127.0.0.1:PORT"
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address moto listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Creates a distribution (one custom origin) through the SDK, straight at moto, and
    /// returns its id.
    pub async fn create_distribution(&self) -> anyhow::Result<String> {
        let origin = Origin::builder()
            .id("pods")
            .domain_name("origin.example.com")
            .custom_origin_config(
                CustomOriginConfig::builder()
                    .http_port(80)
                    .https_port(443)
                    .origin_protocol_policy(OriginProtocolPolicy::HttpOnly)
                    .build()?,
            )
            .build()?;
        let config = DistributionConfig::builder()
            .caller_reference(format!("revalidate-sim-{}", super::super::random_hex(16)))
            .origins(Origins::builder().quantity(1).items(origin).build()?)
            .default_cache_behavior(
                DefaultCacheBehavior::builder()
                    .target_origin_id("pods")
                    .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
                    // AWS's managed "CachingOptimized" policy.
                    .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
                    .build()?,
            )
            .comment("revalidate test distribution")
            .enabled(true)
            .build()?;
        let created = sdk_client(&self.url())
            .create_distribution()
            .distribution_config(config)
            .send()
            .await
            .context("CreateDistribution on moto")?;
        created
            .distribution()
            .map(|d| d.id().to_owned())
            .context("moto's CreateDistribution answer has no distribution")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in werkzeug's " * Running on http://127.0.0.1:PORT" line.
fn listening_port(log: &str) -> Option<u16> {
    log.lines().find_map(|line| {
        let rest = line.split("Running on http://127.0.0.1:").nth(1)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok().filter(|p| *p != 0)
    })
}

/// An aws-sdk-cloudfront client for `endpoint_url` (moto or the proxy): region us-east-1,
/// static dummy credentials, and the standard retry mode (3 attempts) with 1 ms initial
/// backoff, so retry paths run in milliseconds.
pub fn sdk_client(endpoint_url: &str) -> aws_sdk_cloudfront::Client {
    let config = aws_sdk_cloudfront::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIAREVALIDATETEST00",
            "revalidate-test-secret-key",
            None,
            None,
            "revalidate-sim",
        ))
        .endpoint_url(endpoint_url)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build();
    aws_sdk_cloudfront::Client::from_conf(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_port_in_werkzeugs_banner() {
        let log = "WARNING: This is a development server.\n * Running on http://127.0.0.1:37987\nPress CTRL+C to quit\n";
        assert_eq!(listening_port(log), Some(37987));
        assert_eq!(listening_port(" * Running on http://127.0.0.1:0\n"), None);
        assert_eq!(listening_port("starting\n"), None);
    }

    #[tokio::test]
    async fn a_missing_executable_says_how_to_install_it() {
        let err = Moto::start_program("moto_server_that_is_not_installed")
            .await
            .unwrap_err();
        assert!(matches!(err, MotoError::NotInstalled(_)), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("pip install 'moto[server]'"), "{text}");
        assert!(text.contains(MOTO_SERVER_ENV), "{text}");
    }

    #[tokio::test]
    async fn a_program_that_exits_is_reported_with_its_output() {
        let err = Moto::start_program("false").await.unwrap_err();
        assert!(matches!(err, MotoError::Exited { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn starts_answers_and_is_killed_on_drop() {
        let moto = Moto::start().await.unwrap();
        let addr = moto.addr();
        assert!(addr.ip().is_loopback() && addr.port() != 0);
        let id = moto.create_distribution().await.unwrap();
        assert!(!id.is_empty());
        let listed = sdk_client(&moto.url())
            .list_distributions()
            .send()
            .await
            .unwrap();
        let ids: Vec<&str> = listed
            .distribution_list()
            .map(|l| l.items().iter().map(|d| d.id()).collect())
            .unwrap_or_default();
        assert_eq!(ids, [id.as_str()]);
        drop(moto);
        assert!(
            tokio::net::TcpStream::connect(addr).await.is_err(),
            "moto still listening after drop"
        );
    }
}
