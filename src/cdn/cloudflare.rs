//! Cloudflare's purge-by-URL API: `POST {api}/zones/{zone}/purge_cache` with `{"files": [...]}`,
//! at most 30 URLs a call on the Free, Pro and Business plans (configurable: Enterprise takes
//! 500), <https://developers.cloudflare.com/cache/how-to/purge-cache/purge-by-single-file/>.
//!
//! Invariants: a URL is `purged` only when Cloudflare answered `success: true` for its call; a
//! 429 waits for its `Retry-After` (within `--wait-timeout`) and is not counted as a retry;
//! 5xx and transport failures are retried up to `--retries`; a refused token or an unknown zone
//! stops every later call with a [`Failure`] naming what to fix; the API token is a registered
//! secret, sent only in the Authorization header.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::{CdnService, Failure, FailureKind, Paused, pause, retry_delay};
use crate::config::{CloudflareSettings, Poll};
use crate::context::RunContext;
use crate::error::Error;
use crate::secret::Secret;

/// The environment variable holding the API token.
pub const TOKEN_ENV: &str = "CLOUDFLARE_API_TOKEN";

/// Error codes Cloudflare answers for credentials it will not take (no header, a malformed
/// header, an invalid token, a token without access to the zone).
const AUTH_CODES: &[u64] = &[9106, 6003, 6111, 9109, 10000];
/// Error codes for a zone id or route Cloudflare does not know.
const ZONE_CODES: &[u64] = &[7000, 7003];

/// The zone to purge and how.
#[derive(Clone, Debug)]
pub struct Zone {
    pub zone: String,
    pub token: Secret,
    pub api_url: String,
    pub batch_size: usize,
    /// The site's public origin, without a trailing slash: URLs are `{site}{path}`.
    pub site: String,
}

impl Zone {
    /// Reads the token (file, else env CLOUDFLARE_API_TOKEN) and checks the site URL.
    pub fn build(
        s: &CloudflareSettings,
        site_url: Option<&str>,
        env_token: Option<String>,
    ) -> Result<Zone, Error> {
        let token = match (&s.token_file, env_token) {
            (Some(f), _) => {
                let t = std::fs::read_to_string(f).map_err(|e| {
                    Error::usage(format!(
                        "cannot read the Cloudflare API token file {}: {e}",
                        f.display()
                    ))
                })?;
                Secret::new(
                    t.trim().to_string(),
                    format!("Cloudflare API token from {}", f.display()),
                )
            }
            (None, Some(t)) if !t.trim().is_empty() => {
                Secret::new(t.trim().to_string(), format!("env {TOKEN_ENV}"))
            }
            _ => {
                return Err(Error::usage_with_hint(
                    format!(
                        "--cloudflare-zone needs an API token: env {TOKEN_ENV} or --cloudflare-token-file FILE (never the command line)"
                    ),
                    "create one at dash.cloudflare.com > My Profile > API Tokens with the permission Zone > Cache Purge > Purge for this zone",
                ));
            }
        };
        if token.expose().is_empty() || !token.expose().bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::usage(format!(
                "the {} is empty or has spaces or non-ASCII characters",
                token
            )));
        }
        token
            .check_length("the Cloudflare API token")
            .map_err(Error::usage)?;
        // The header every purge call carries, whole: a server echoing it back (base64, as
        // some proxies log a request) must not show it.
        crate::secret::register_header_value(&format!("Bearer {}", token.expose()));
        let Some(site) = site_url else {
            return Err(Error::usage(
                "--cloudflare-zone purges full URLs: give the site's public origin with --site-url, e.g. --site-url https://www.example.com",
            ));
        };
        // Shown with any credentials masked, as a pod URL is.
        let shown = crate::secret::mask_userinfo(site);
        let parsed = reqwest::Url::parse(site).map_err(|e| {
            Error::usage(format!(
                "--site-url {shown:?} is not a URL ({e}); write e.g. https://www.example.com"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.host_str().is_none()
            || parsed.query().is_some()
            || parsed.fragment().is_some()
            || !parsed.username().is_empty()
            || parsed.password().is_some()
        {
            return Err(Error::usage(format!(
                "--site-url {shown:?} must be an http(s) origin with a host and no query, fragment or credentials, e.g. https://www.example.com"
            )));
        }
        Ok(Zone {
            zone: s.zone.clone(),
            token,
            api_url: s.api_url.clone(),
            batch_size: s.batch_size.max(1),
            site: parsed.as_str().trim_end_matches('/').to_string(),
        })
    }

    /// The URL Cloudflare purges for a canonical path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.site)
    }

    /// The purge endpoint.
    pub fn endpoint(&self) -> String {
        format!("{}/zones/{}/purge_cache", self.api_url, self.zone)
    }
}

/// What became of one call's URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult {
    pub purged: bool,
    pub status: Option<u16>,
    pub attempts: u32,
    pub latency: Duration,
    pub error: Option<String>,
    /// Why the call was never sent.
    pub skipped: Option<Skipped>,
    /// The run stopped while it was in flight or waiting to retry.
    pub stopped: bool,
}

/// Why a call was not sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// An earlier call failed for good (a refused token, an unknown zone).
    EarlierFailure,
    /// The run stopped before it.
    Stopped,
}

/// Cloudflare's v4 envelope, as far as it is read.
#[derive(serde::Deserialize)]
struct Envelope {
    success: bool,
    #[serde(default)]
    errors: Vec<ApiMessage>,
}

#[derive(serde::Deserialize)]
struct ApiMessage {
    code: u64,
    #[serde(default)]
    message: String,
    #[serde(default)]
    error_chain: Vec<ApiMessage>,
}

fn errors_text(errors: &[ApiMessage]) -> String {
    errors
        .iter()
        .map(|e| {
            let chain: Vec<String> = e
                .error_chain
                .iter()
                .map(|c| format!("{} {}", c.code, c.message))
                .collect();
            if chain.is_empty() {
                format!("{} {}", e.code, e.message)
            } else {
                format!("{} {} ({})", e.code, e.message, chain.join("; "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Sends every batch of URLs, in order. `on` sees each call's result as it ends; the failure
/// that stopped the calls, if any, is returned.
pub async fn purge(
    ctx: &RunContext,
    client: &reqwest::Client,
    zone: &Zone,
    urls: &[String],
    until: Instant,
    poll: Poll,
    mut on: impl FnMut(std::ops::Range<usize>, &CallResult),
) -> Option<Failure> {
    let mut failure = None;
    let mut start = 0;
    while start < urls.len() {
        let end = (start + zone.batch_size).min(urls.len());
        let result = if failure.is_some() {
            CallResult {
                purged: false,
                status: None,
                attempts: 0,
                latency: Duration::ZERO,
                error: Some("not sent: an earlier Cloudflare call failed".into()),
                skipped: Some(Skipped::EarlierFailure),
                stopped: false,
            }
        } else if let Some(s) = ctx.stopped() {
            ctx.observe(s);
            CallResult {
                purged: false,
                status: None,
                attempts: 0,
                latency: Duration::ZERO,
                error: Some(s.describe().into()),
                skipped: Some(Skipped::Stopped),
                stopped: true,
            }
        } else {
            let (r, f) = call(ctx, client, zone, &urls[start..end], until, poll).await;
            failure = f;
            r
        };
        on(start..end, &result);
        start = end;
    }
    failure
}

/// One purge call, with its retries.
async fn call(
    ctx: &RunContext,
    client: &reqwest::Client,
    zone: &Zone,
    files: &[String],
    until: Instant,
    poll: Poll,
) -> (CallResult, Option<Failure>) {
    let body = json!({ "files": files });
    let mut attempts = 0;
    let mut retries = 0;
    loop {
        attempts += 1;
        let sent = Instant::now();
        let request = client
            .post(zone.endpoint())
            .bearer_auth(zone.token.expose())
            .json(&body)
            .timeout(ctx.limits().timeout)
            .send();
        let answer = tokio::select! {
            r = request => r,
            s = ctx.stop() => {
                ctx.observe(s);
                return (CallResult { purged: false, status: None, attempts, latency: sent.elapsed(), error: Some(s.describe().into()), skipped: None, stopped: true }, None);
            }
        };
        let result = |purged, status, error| CallResult {
            purged,
            status,
            attempts,
            latency: sent.elapsed(),
            error,
            skipped: None,
            stopped: false,
        };
        // What to do next: wait this long and try again, or stop with this result.
        let (wait, last) = match answer {
            Err(e) => {
                let text =
                    crate::secret::redact(&format!("no answer from the Cloudflare API: {e}"))
                        .into_owned();
                retries += 1;
                (retry_delay(retries, poll), result(false, None, Some(text)))
            }
            Ok(resp) => {
                let status = resp.status().as_u16();
                let after = retry_after(&resp);
                let text = resp.text().await.unwrap_or_default();
                let envelope: Option<Envelope> = serde_json::from_str(&text).ok();
                match (status, envelope) {
                    (200..=299, Some(e)) if e.success => {
                        return (result(true, Some(status), None), None);
                    }
                    (429, e) => {
                        let said = e.map(|e| errors_text(&e.errors)).unwrap_or_default();
                        let d = after.unwrap_or_else(|| retry_delay(attempts, poll));
                        // A 429 is Cloudflare asking for time, not a failure: it does not use up
                        // a retry, only the step's time.
                        (
                            d,
                            result(
                                false,
                                Some(429),
                                Some(format!(
                                    "rate limited (429{}{})",
                                    if said.is_empty() { "" } else { ": " },
                                    said
                                )),
                            ),
                        )
                    }
                    (500..=599, _) => {
                        retries += 1;
                        (
                            retry_delay(retries, poll),
                            result(
                                false,
                                Some(status),
                                Some(format!("HTTP {status} from the Cloudflare API")),
                            ),
                        )
                    }
                    (_, e) => {
                        let errors = e.map(|e| e.errors).unwrap_or_default();
                        let said = if errors.is_empty() {
                            format!("HTTP {status}: {}", crate::secret::snippet(&text, 200))
                        } else {
                            format!("HTTP {status}: {}", errors_text(&errors))
                        };
                        let codes: Vec<u64> = errors
                            .iter()
                            .flat_map(|e| {
                                std::iter::once(e.code).chain(e.error_chain.iter().map(|c| c.code))
                            })
                            .collect();
                        let failure = if codes.iter().any(|c| AUTH_CODES.contains(c))
                            || status == 401
                            || status == 403
                        {
                            Some(Failure {
                                service: CdnService::Cloudflare,
                                kind: FailureKind::AccessDenied,
                                message: format!(
                                    "zone {}: the API token was refused ({said})",
                                    zone.zone
                                ),
                                hint: Some(format!(
                                    "the token ({}) needs the permission Zone > Cache Purge > Purge on zone {}",
                                    zone.token, zone.zone
                                )),
                            })
                        } else if codes.iter().any(|c| ZONE_CODES.contains(c)) || status == 404 {
                            Some(Failure {
                                service: CdnService::Cloudflare,
                                kind: FailureKind::NotFound,
                                message: format!("zone {} is unknown ({said})", zone.zone),
                                hint: Some(
                                    "check --cloudflare-zone (the dashboard's Overview page shows the Zone ID) and --cloudflare-api-url".into(),
                                ),
                            })
                        } else {
                            None
                        };
                        return (result(false, Some(status), Some(said)), failure);
                    }
                }
            }
        };
        if retries > ctx.limits().retries {
            return (last, None);
        }
        match pause(ctx, until, wait).await {
            Ok(()) => {}
            Err(Paused::TimedOut) => {
                let mut last = last;
                last.error = Some(format!(
                    "{} (gave up at --wait-timeout)",
                    last.error.unwrap_or_default()
                ));
                return (last, None);
            }
            Err(Paused::Stopped(s)) => {
                ctx.observe(s);
                return (
                    CallResult {
                        stopped: true,
                        ..last
                    },
                    None,
                );
            }
        }
    }
}
