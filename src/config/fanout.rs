//! fanout's settings (and the agent's, which revalidates its pod the same way): the mode, the
//! previewModeId file or the app's endpoint, the headers; checked together, so a flag of one mode
//! given in the other is named.

use super::Config;
use super::Source;
use super::defaulted;
use super::from_flag;
use super::value;
use crate::choices::EndpointMethod;
use crate::choices::Mode;
use crate::choices::RevalidateMethod;
use crate::error::ConfigError;

use std::path::PathBuf;

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
    /// The route that revalidates a tag: `--tag-endpoint` (either mode), else, in endpoint
    /// mode, `--endpoint` when it holds `{tag}`. None: tags cannot be revalidated.
    pub tag_endpoint: Option<EndpointSettings>,
    /// `endpoint.headers` for the tag route's calls in nextjs mode (in endpoint mode they are in
    /// `headers`, as every call is the app's route).
    pub tag_headers: Vec<String>,
}

/// fanout's endpoint mode.
#[derive(Debug, Clone)]
pub struct EndpointSettings {
    pub template: String,
    pub method: EndpointMethod,
    pub body: Option<String>,
    pub expect_json: Option<String>,
}

impl Config {
    pub fn fanout(&self) -> Result<FanoutSettings, ConfigError> {
        let r = &self.resolved;
        let mode = defaulted(&r.mode).0;
        // In nextjs mode, a tag endpoint takes the endpoint's method, body and expected JSON.
        let tag_route = value(&r.endpoint_tag_template);
        let shaping = tag_route.is_none();
        let endpoint_flags = [
            ("endpoint.template", from_flag(&r.endpoint_template)),
            ("endpoint.method", shaping && from_flag(&r.endpoint_method)),
            ("endpoint.body", shaping && from_flag(&r.endpoint_body)),
            (
                "endpoint.expect_json",
                shaping && from_flag(&r.endpoint_expect_json),
            ),
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
        let body = value(&r.endpoint_body);
        let chosen = r
            .endpoint_method
            .as_ref()
            .filter(|s| s.source != Source::Default)
            .map(|s| s.value.0);
        let shaped = |template: String| EndpointSettings {
            template,
            // A body implies POST unless a method was chosen.
            method: chosen.unwrap_or(if body.is_some() {
                EndpointMethod::Post
            } else {
                EndpointMethod::Get
            }),
            body: body.clone(),
            expect_json: value(&r.endpoint_expect_json),
        };
        let endpoint = match mode {
            Mode::Nextjs => None,
            Mode::Endpoint => {
                let Some(template) = value(&r.endpoint_template) else {
                    return Err(ConfigError(
                        "endpoint mode needs --endpoint TEMPLATE, e.g. --endpoint '/api/revalidate?path={path}' (or endpoint.template in the config)".into(),
                    ));
                };
                Some(shaped(template))
            }
        };
        // The endpoint's own headers go with every call to the app's routes, and only those.
        let mut tag_headers = Vec::new();
        if endpoint.is_some() {
            headers.extend(value(&r.endpoint_headers).unwrap_or_default());
        } else if tag_route.is_some() {
            tag_headers = value(&r.endpoint_headers).unwrap_or_default();
        }
        let tag_endpoint = match (tag_route, &endpoint) {
            (Some(t), _) => Some(shaped(t)),
            (None, Some(e))
                if e.template.contains("{tag}")
                    || e.body.as_deref().is_some_and(|b| b.contains("{tag}")) =>
            {
                Some(e.clone())
            }
            _ => None,
        };
        Ok(FanoutSettings {
            mode,
            method: defaulted(&r.method).0,
            only_generated: defaulted(&r.only_generated),
            allow_gone: defaulted(&r.allow_gone),
            preview_id_file: self.preview_id_file(),
            headers,
            endpoint,
            tag_endpoint,
            tag_headers,
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
}
