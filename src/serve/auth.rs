//! Who may call `serve`: whoever shows the shared secret, or a signature of the request's body
//! made with it.
//!
//! The secret comes from env `REVALIDATE_SERVE_SECRET` or a file (`--secret-file`,
//! `serve.secret_file`), is read once at start through [`crate::secret`] (so it is redacted from
//! every output) and must have at least [`MIN_LEN`] bytes. A request may present it as
//! `Authorization: Bearer <secret>`, as `x-revalidate-secret: <secret>`, as the password of
//! `Authorization: Basic` (any user name: a browser's login prompt for the status page), or sign
//! its raw body with it: GitHub's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` or
//! Sanity's `sanity-webhook-signature: t=<unix ms>,v1=<base64url HMAC-SHA256 of "<t>.<body>">`
//! (as `@sanity/webhook` signs; a timestamp more than [`SANITY_TOLERANCE`] away from now is
//! refused, so a captured request cannot be replayed later).
//!
//! Invariants: every comparison takes the same time whatever the presented value (secrets are
//! compared as SHA-256 digests with `subtle`, so not even their length shows; signatures with
//! `hmac`'s constant-time check); one right credential is enough (a proxy in front may add an
//! `Authorization` of its own); [`Denied`] says what was wrong, never the secret nor the value
//! presented, so it can go to the log and the 401 body as it is.

use std::fmt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::config::{Config, Source};
use crate::error::{ConfigError, Error};
use crate::secret::Secret;

/// The environment variable holding the secret itself.
pub const SECRET_ENV: &str = "REVALIDATE_SERVE_SECRET";
/// Shortest secret taken, in bytes: it signs webhooks and opens the status page, so it must not
/// be guessable by trying (an HMAC key of 128 bits and more).
pub const MIN_LEN: usize = 16;
/// How far a Sanity signature's timestamp may be from now, either way.
pub const SANITY_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// `Authorization: Bearer <secret>` and `Authorization: Basic`.
const AUTHORIZATION: &str = "authorization";
/// The secret as a header of its own.
pub const SECRET_HEADER: &str = "x-revalidate-secret";
/// GitHub's signature of the body (also sent by many other webhook senders).
pub const HUB_SIGNATURE_HEADER: &str = "x-hub-signature-256";
/// Sanity's signature of the body.
pub const SANITY_SIGNATURE_HEADER: &str = "sanity-webhook-signature";
/// Sanity sends no signature from before 2021 (`@sanity/webhook`'s `MINIMUM_TIMESTAMP`): a
/// smaller `t` is in seconds, not milliseconds, or not a timestamp.
const SANITY_MIN_TIMESTAMP_MS: u64 = 1_609_459_200_000;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The shared secret, ready to check requests with.
pub struct Auth {
    secret: Secret,
    /// SHA-256 of the secret: what a presented secret's digest is compared with.
    digest: [u8; 32],
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

/// How a request proved it knows the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `x-revalidate-secret: <secret>`.
    Header,
    /// `Authorization: Basic`, the secret as password.
    Basic,
    /// `X-Hub-Signature-256: sha256=<hex>`.
    HubSignature,
    /// `sanity-webhook-signature: t=<ms>,v1=<base64url>`.
    SanitySignature,
}

impl Scheme {
    /// A short name, for logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Bearer => "bearer",
            Scheme::Header => "header",
            Scheme::Basic => "basic",
            Scheme::HubSignature => "hub-signature",
            Scheme::SanitySignature => "sanity-signature",
        }
    }

    /// Whether the credential proves only the body: a signature covers neither the URL nor the
    /// other headers, so a captured signed request could be sent again with any `?path=` or
    /// `?route=`. A request let in this way must have its paths from its body alone.
    pub fn signs_only_the_body(self) -> bool {
        matches!(self, Scheme::HubSignature | Scheme::SanitySignature)
    }

    /// Where the scheme's credential is sent, as people write it.
    fn place(self) -> &'static str {
        match self {
            Scheme::Bearer => "Authorization: Bearer",
            Scheme::Header => "x-revalidate-secret",
            Scheme::Basic => "Authorization: Basic",
            Scheme::HubSignature => "X-Hub-Signature-256",
            Scheme::SanitySignature => "sanity-webhook-signature",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request was refused (401).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No credential of any scheme.
    Missing,
    /// A credential in the right form that does not match.
    Wrong(Scheme),
    /// A Sanity signature whose timestamp is more than [`SANITY_TOLERANCE`] from now: this many
    /// seconds old (negative: in the future).
    Stale { age_secs: i64 },
    /// A credential not in its scheme's form.
    Malformed(Scheme),
    /// An `Authorization` header of a scheme other than Bearer and Basic.
    OtherScheme,
}

impl Denied {
    /// A short name, for logs and metric labels.
    pub fn as_str(&self) -> &'static str {
        match self {
            Denied::Missing => "missing",
            Denied::Wrong(_) => "wrong",
            Denied::Stale { .. } => "stale",
            Denied::Malformed(_) => "malformed",
            Denied::OtherScheme => "other-scheme",
        }
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denied::Missing => f.write_str(
                "no credentials: send the secret as Authorization: Bearer <secret> or x-revalidate-secret: <secret> (or as the password of Basic auth), or sign the body (X-Hub-Signature-256, sanity-webhook-signature)",
            ),
            Denied::Wrong(s @ (Scheme::HubSignature | Scheme::SanitySignature)) => write!(
                f,
                "the signature in {} does not match the body: it was made with another secret, or the body was changed on the way",
                s.place()
            ),
            Denied::Wrong(s) => write!(f, "wrong secret in {}", s.place()),
            Denied::Stale { age_secs } => {
                let (n, when) = if *age_secs >= 0 {
                    (*age_secs, "old")
                } else {
                    (-*age_secs, "in the future")
                };
                write!(
                    f,
                    "the sanity-webhook-signature timestamp is {n}s {when}; more than {}s either way is refused (a replayed request, or a clock that is off)",
                    SANITY_TOLERANCE.as_secs()
                )
            }
            Denied::Malformed(s) => write!(
                f,
                "{} is not in its form: {}",
                s.place(),
                match s {
                    Scheme::Bearer => "Bearer <secret>",
                    Scheme::Header => "the secret itself, not empty",
                    Scheme::Basic => "Basic <base64 of user:secret>",
                    Scheme::HubSignature => "sha256=<64 hex digits>",
                    Scheme::SanitySignature =>
                        "t=<unix time in ms>,v1=<base64url signature>",
                }
            ),
            Denied::OtherScheme => f.write_str(
                "the Authorization header is neither Bearer nor Basic: send Authorization: Bearer <secret>",
            ),
        }
    }
}

impl Auth {
    /// Reads the secret where the configuration says: `--secret-file` (or
    /// REVALIDATE_SERVE_SECRET_FILE) named on purpose wins; else env REVALIDATE_SERVE_SECRET;
    /// else a `serve.secret_file` of the config file or a profile (flag > env > profile > file).
    /// No secret, or one that is short, empty or cannot be sent in a header: a usage error (exit
    /// 2) that names where it came from, never its value. `env` is a seam for tests.
    pub fn from_config(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Auth, Error> {
        let file = config.serve_secret_file();
        let from_env = env(SECRET_ENV).filter(|v| !v.is_empty());
        let file_on_purpose = file
            .as_ref()
            .is_some_and(|f| matches!(f.source, Source::Flag | Source::Env(_)));
        let secret = match (file, from_env) {
            (Some(f), _) if file_on_purpose => read_file(&f.value, &f.source.to_string())?,
            (_, Some(v)) => Secret::new(v, format!("serve secret from env {SECRET_ENV}")),
            (Some(f), None) => read_file(&f.value, &f.source.to_string())?,
            (None, None) => {
                return Err(Error::usage_with_hint(
                    format!(
                        "serve needs a secret, which callers show or sign their requests with: set env {SECRET_ENV}, or name a file holding it with --secret-file (serve.secret_file in the config file)"
                    ),
                    format!(
                        "make a random one of at least {MIN_LEN} bytes, e.g. `openssl rand -hex 32`"
                    ),
                ));
            }
        };
        Auth::new(secret).map_err(|e| Error::Config(ConfigError(e)))
    }

    /// Checks the secret's length and form; the error names its origin, never its value.
    pub fn new(secret: Secret) -> Result<Auth, String> {
        let value = secret.expose();
        let n = value.len();
        if n < MIN_LEN {
            return Err(format!(
                "the {} is {n} byte{} long; it must have at least {MIN_LEN} (it is the key webhooks are signed with): use a random one, e.g. `openssl rand -hex 32`",
                secret.origin(),
                if n == 1 { "" } else { "s" }
            ));
        }
        if value.chars().any(char::is_control) || value.trim() != value {
            return Err(format!(
                "the {} starts or ends with a space, or holds a control character, which a header cannot carry intact: use letters, digits and punctuation, e.g. `openssl rand -hex 32`",
                secret.origin()
            ));
        }
        let digest = Sha256::digest(value.as_bytes()).into();
        Ok(Auth { secret, digest })
    }

    /// Where the secret came from, for the start-up log.
    pub fn origin(&self) -> &str {
        self.secret.origin()
    }

    /// Whether the request shows the secret or signs its body with it.
    pub fn check(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Scheme, Denied> {
        self.check_at(headers, body, SystemTime::now())
    }

    /// [`Auth::check`] as at `now` (Sanity's timestamps are judged against it).
    ///
    /// Every credential presented is checked: the first right one lets the request in. When none
    /// is right, the first failure in this order is the answer: signatures (Hub, Sanity), then
    /// `Authorization`, then `x-revalidate-secret`.
    pub fn check_at(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Scheme, Denied> {
        let mut outcomes = Vec::new();
        for v in headers.get_all(HUB_SIGNATURE_HEADER) {
            outcomes.push(self.hub_signature(v.as_bytes(), body));
        }
        for v in headers.get_all(SANITY_SIGNATURE_HEADER) {
            outcomes.push(self.sanity_signature(v.as_bytes(), body, now));
        }
        for v in headers.get_all(AUTHORIZATION) {
            outcomes.push(self.authorization(v.as_bytes()));
        }
        for v in headers.get_all(SECRET_HEADER) {
            outcomes.push(match v.as_bytes().trim_ascii() {
                [] => Err(Denied::Malformed(Scheme::Header)),
                s if self.is_secret(s) => Ok(Scheme::Header),
                _ => Err(Denied::Wrong(Scheme::Header)),
            });
        }
        let mut denied = None;
        for o in outcomes {
            match o {
                Ok(scheme) => return Ok(scheme),
                Err(d) => {
                    denied.get_or_insert(d);
                }
            }
        }
        Err(denied.unwrap_or(Denied::Missing))
    }

    /// Whether `presented` is the secret, in time independent of both (digests compared).
    fn is_secret(&self, presented: &[u8]) -> bool {
        let d: [u8; 32] = Sha256::digest(presented).into();
        d.ct_eq(&self.digest).into()
    }

    fn authorization(&self, value: &[u8]) -> Result<Scheme, Denied> {
        let text = std::str::from_utf8(value).map_err(|_| Denied::OtherScheme)?;
        let (scheme, credentials) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            if credentials.is_empty() {
                return Err(Denied::Malformed(Scheme::Bearer));
            }
            return if self.is_secret(credentials.as_bytes()) {
                Ok(Scheme::Bearer)
            } else {
                Err(Denied::Wrong(Scheme::Bearer))
            };
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let pair = base64::engine::general_purpose::STANDARD
                .decode(credentials)
                .map_err(|_| Denied::Malformed(Scheme::Basic))?;
            let colon = pair
                .iter()
                .position(|&b| b == b':')
                .ok_or(Denied::Malformed(Scheme::Basic))?;
            return if self.is_secret(&pair[colon + 1..]) {
                Ok(Scheme::Basic)
            } else {
                Err(Denied::Wrong(Scheme::Basic))
            };
        }
        Err(Denied::OtherScheme)
    }

    /// A keyed HMAC-SHA256, ready for the message.
    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(self.secret.expose().as_bytes())
            .expect("HMAC takes a key of any length")
    }

    fn hub_signature(&self, value: &[u8], body: &[u8]) -> Result<Scheme, Denied> {
        let malformed = Denied::Malformed(Scheme::HubSignature);
        let hex_digits = value
            .trim_ascii()
            .strip_prefix(b"sha256=")
            .ok_or(malformed.clone())?;
        let signature = hex::decode(hex_digits).map_err(|_| malformed.clone())?;
        if signature.len() != 32 {
            return Err(malformed);
        }
        let mut mac = self.mac();
        mac.update(body);
        mac.verify_slice(&signature)
            .map(|()| Scheme::HubSignature)
            .map_err(|_| Denied::Wrong(Scheme::HubSignature))
    }

    fn sanity_signature(
        &self,
        value: &[u8],
        body: &[u8],
        now: SystemTime,
    ) -> Result<Scheme, Denied> {
        let malformed = Denied::Malformed(Scheme::SanitySignature);
        let (t, signature) = parse_sanity(value).ok_or(malformed.clone())?;
        // 32 bytes in unpadded base64url are 43 characters of its alphabet.
        let form = signature.len() == 43
            && signature
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !form {
            return Err(malformed);
        }
        let mut mac = self.mac();
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // Compared as text, as `@sanity/webhook` does: a signature spelled another way (its
        // last character's unused bits set) is not the one Sanity sends.
        let expected =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return Err(Denied::Wrong(Scheme::SanitySignature));
        }
        // Judged once the signature holds, so that Stale means a genuine request, late.
        let now_ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let age_ms = now_ms - t as i64;
        if age_ms.unsigned_abs() > SANITY_TOLERANCE.as_millis() as u64 {
            return Err(Denied::Stale {
                age_secs: age_ms / 1000,
            });
        }
        Ok(Scheme::SanitySignature)
    }
}

/// `t=<ms>,v1=<signature>` (a comma and/or spaces between, as `@sanity/webhook` allows):
/// the timestamp and the signature as written.
fn parse_sanity(value: &[u8]) -> Option<(u64, &str)> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let rest = text.strip_prefix("t=")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let t: u64 = rest[..digits].parse().ok()?;
    let after = &rest[digits..];
    let rest = after.trim_start_matches([',', ' ']);
    let separated = rest.len() < after.len();
    let signature = rest.strip_prefix("v1=")?;
    let ok = separated
        && !signature.is_empty()
        && !signature.contains([',', ' '])
        && t >= SANITY_MIN_TIMESTAMP_MS;
    ok.then_some((t, signature))
}

/// Reads a secret file: its first line, without the line ending.
fn read_file(f: &Path, source: &str) -> Result<Secret, Error> {
    let text = std::fs::read_to_string(f).map_err(|e| {
        Error::Config(ConfigError(format!(
            "cannot read the serve secret file {} (serve.secret_file, from {source}): {e}",
            f.display()
        )))
    })?;
    let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if first.is_empty() {
        return Err(Error::Config(ConfigError(format!(
            "the serve secret file {} (serve.secret_file, from {source}) is empty",
            f.display()
        ))));
    }
    Ok(Secret::new(
        first,
        format!("serve secret from {}", f.display()),
    ))
}

#[cfg(test)]
mod tests;
