//! Who may call serve (a first cut; the full schemes come with the webhook work).

use crate::config::Config;
use crate::error::Error;

pub struct Auth {
    secret: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Bearer,
    Header,
    Basic,
}

#[derive(Debug)]
pub enum Denied {
    Missing,
    Wrong(Scheme),
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::Missing => write!(f, "no credentials"),
            Denied::Wrong(s) => write!(f, "wrong secret ({s:?})"),
        }
    }
}

impl Auth {
    pub fn from_config(_config: &Config) -> Result<Auth, Error> {
        let secret = std::env::var("REVALIDATE_SERVE_SECRET")
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::usage("serve needs a secret: set REVALIDATE_SERVE_SECRET"))?;
        crate::secret::register(&secret);
        Ok(Auth { secret })
    }

    pub fn check(&self, headers: &http::HeaderMap, _body: &[u8]) -> Result<Scheme, Denied> {
        use base64::Engine as _;
        if let Some(v) = headers.get("x-revalidate-secret") {
            return if v.as_bytes() == self.secret.as_bytes() {
                Ok(Scheme::Header)
            } else {
                Err(Denied::Wrong(Scheme::Header))
            };
        }
        let Some(a) = headers.get(http::header::AUTHORIZATION) else {
            return Err(Denied::Missing);
        };
        let a = a.to_str().unwrap_or("");
        if let Some(t) = a.strip_prefix("Bearer ") {
            return if t == self.secret {
                Ok(Scheme::Bearer)
            } else {
                Err(Denied::Wrong(Scheme::Bearer))
            };
        }
        if let Some(b) = a.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&decoded);
            let pass = text.split_once(':').map(|(_, p)| p).unwrap_or("");
            return if pass == self.secret {
                Ok(Scheme::Basic)
            } else {
                Err(Denied::Wrong(Scheme::Basic))
            };
        }
        Err(Denied::Missing)
    }
}
