//! From a request to paths (a first cut: generic paths only; CMS routes come with the webhook
//! work).

use crate::config::Config;
use crate::error::Error;
use crate::paths::{Purpose, UrlPath};

pub struct Routes;

impl Routes {
    pub fn from_config(_config: &Config) -> Result<Routes, Error> {
        Ok(Routes)
    }
}

pub struct Incoming<'a> {
    pub headers: &'a http::HeaderMap,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    pub route: Option<&'a str>,
}

pub enum Mapped {
    Paths {
        paths: Vec<UrlPath>,
        routes: Vec<String>,
    },
    Ignored {
        reason: String,
    },
}

#[derive(Debug)]
pub struct HookError(pub String);

impl std::fmt::Display for HookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn map(_routes: &Routes, i: &Incoming<'_>) -> Result<Mapped, HookError> {
    let mut raw: Vec<String> = i
        .query
        .iter()
        .filter(|(k, _)| k == "path")
        .map(|(_, v)| v.clone())
        .collect();
    if !i.body.iter().all(u8::is_ascii_whitespace) {
        let v: serde_json::Value = serde_json::from_slice(i.body)
            .map_err(|e| HookError(format!("the body is not JSON: {e}")))?;
        if let Some(p) = v.get("path").and_then(|p| p.as_str()) {
            raw.push(p.to_string());
        }
        if let Some(ps) = v.get("paths").and_then(|p| p.as_array()) {
            for p in ps {
                raw.push(
                    p.as_str()
                        .ok_or_else(|| HookError("\"paths\" must be a list of strings".into()))?
                        .to_string(),
                );
            }
        }
    }
    if raw.is_empty() {
        return Err(HookError(
            "no paths: give {\"paths\": [\"/a\", ...]} or ?path=/a".into(),
        ));
    }
    let paths = raw
        .iter()
        .map(|p| UrlPath::parse(p, Purpose::Pod).map_err(|e| HookError(format!("path {p:?}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Mapped::Paths {
        paths,
        routes: vec!["paths".into()],
    })
}
