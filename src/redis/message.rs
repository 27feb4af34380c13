//! What travels on the channels: the revalidation message publish sends, what a subscriber makes
//! of any message it receives, and the acknowledgement the agent sends back.
//!
//! Invariants: the default message is `{"path":"<path>","timestamp":<unix ms>,"id":"<id>"}` with
//! its keys in that order, so `JSON.parse(message).path` in an existing subscriber works
//! unchanged; a template inside JSON gets `{path}` JSON-escaped (a path with `"` or `\` cannot
//! break the document); a template that looks like JSON but is not is refused before anything is
//! sent; reading a message never fails: what cannot be understood is reported as such.
//! A cache tag travels as `{"tag":"<tag>","timestamp":<unix ms>,"id":"<id>"}` on its own
//! channel, `<channel>:tags` ([`tag_channel`]): a subscriber written for paths
//! (`JSON.parse(message).path`) never sees it, so it neither calls its revalidate route with
//! `undefined` nor counts as a receiver of a tag it cannot apply.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::ConfigError;
use crate::paths::UrlPath;

/// The channel acknowledgements go to, beside the channel of the messages.
pub fn ack_channel(channel: &str) -> String {
    format!("{channel}:acks")
}

/// The channel cache tags are published on, beside the channel of the paths.
pub fn tag_channel(channel: &str) -> String {
    format!("{channel}:tags")
}

/// The message of one cache tag.
pub fn render_tag(tag: &crate::tags::Tag, timestamp_ms: u64, id: &str) -> String {
    format!(
        "{{\"tag\":{},\"timestamp\":{timestamp_ms},\"id\":\"{id}\"}}",
        serde_json::to_string(tag.as_str()).expect("strings serialize")
    )
}

/// The stream messages are appended to with `--stream`.
pub fn stream_key(channel: &str) -> String {
    format!("{channel}:stream")
}

/// A new message id: 64 random bits as 16 hex digits.
pub fn new_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// How publish writes a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// `{"path":…,"timestamp":…,"id":…}`.
    Default,
    /// `--message TEMPLATE`; `json` when the template is a JSON document, so `{path}` is escaped.
    Template { text: String, json: bool },
}

impl Format {
    /// Checks a `--message` template.
    pub fn parse(template: Option<&str>) -> Result<Format, ConfigError> {
        let Some(t) = template else {
            return Ok(Format::Default);
        };
        if !t.contains("{path}") {
            return Err(ConfigError(format!(
                "--message {t:?} has no {{path}}: every message would be the same; e.g. --message '{{\"path\":\"{{path}}\"}}'"
            )));
        }
        if t.contains('\0') {
            return Err(ConfigError("--message must not contain NUL".into()));
        }
        let sample = t
            .replace("{path}", "/")
            .replace("{timestamp}", "0")
            .replace("{id}", "0");
        let json = serde_json::from_str::<serde_json::Value>(&sample).is_ok();
        let looks_json = matches!(sample.trim_start().chars().next(), Some('{' | '['));
        if looks_json && !json {
            return Err(ConfigError(format!(
                "--message {t:?} looks like JSON but is not once filled in; put {{path}} and {{id}} inside quotes, e.g. '{{\"path\":\"{{path}}\",\"id\":\"{{id}}\"}}'"
            )));
        }
        Ok(Format::Template {
            text: t.to_string(),
            json,
        })
    }

    /// The message for one path.
    pub fn render(&self, path: &UrlPath, timestamp_ms: u64, id: &str) -> String {
        match self {
            Format::Default => format!(
                "{{\"path\":{},\"timestamp\":{timestamp_ms},\"id\":\"{id}\"}}",
                serde_json::to_string(path.as_str()).expect("strings serialize")
            ),
            Format::Template { text, json } => {
                let p = if *json {
                    let q = serde_json::to_string(path.as_str()).expect("strings serialize");
                    q[1..q.len() - 1].to_string()
                } else {
                    path.to_string()
                };
                text.replace("{timestamp}", &timestamp_ms.to_string())
                    .replace("{id}", id)
                    .replace("{path}", &p)
            }
        }
    }

    /// Whether a subscriber can read the id back from the message (acknowledgements need it).
    pub fn carries_id(&self) -> bool {
        match self {
            Format::Default => true,
            Format::Template { text, json } => *json && text.contains("{id}"),
        }
    }
}

/// What a subscriber makes of a message: JSON with a `path` (and maybe `id`, `timestamp`), or a
/// bare path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub path: Option<String>,
    /// A cache tag's message (`{"tag":…}`).
    pub tag: Option<String>,
    pub id: Option<String>,
    pub timestamp: Option<i64>,
}

/// Reads any message; never fails.
pub fn parse(payload: &[u8]) -> Parsed {
    let text = String::from_utf8_lossy(payload);
    let t = text.trim();
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(t) {
        let id = match o.get("id") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        return Parsed {
            path: o.get("path").and_then(|p| p.as_str()).map(str::to_string),
            tag: o.get("tag").and_then(|p| p.as_str()).map(str::to_string),
            id,
            timestamp: o.get("timestamp").and_then(serde_json::Value::as_i64),
        };
    }
    if t.starts_with('/') && !t.contains(char::is_whitespace) {
        return Parsed {
            path: Some(t.to_string()),
            ..Parsed::default()
        };
    }
    Parsed::default()
}

/// An acknowledgement, as the agent publishes it on `<channel>:acks`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Ack {
    /// The message's id (null when the message had none).
    pub id: Option<String>,
    /// The path revalidated; empty for a tag.
    pub path: String,
    /// The cache tag revalidated (absent for a path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    pub pod: String,
    /// fanout's outcome (`revalidated`, `gone`, `rejected`, …), or `invalid` for a message the
    /// agent could not read.
    pub outcome: String,
    /// How long the revalidation took.
    pub ms: f64,
}

impl Ack {
    /// The acknowledgement as sent: keys in the documented order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("acks serialize")
    }

    /// Whether the pod revalidated the path.
    pub fn is_success(&self) -> bool {
        matches!(self.outcome.as_str(), "revalidated" | "not-generated")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::Purpose;

    fn path(p: &str) -> UrlPath {
        UrlPath::parse(p, Purpose::Pod).unwrap()
    }

    #[test]
    fn the_default_message_is_the_pattern_subscribers_parse() {
        let m = Format::Default.render(&path("/posts/a"), 1700000000123, "00ff00ff00ff00ff");
        assert_eq!(
            m,
            r#"{"path":"/posts/a","timestamp":1700000000123,"id":"00ff00ff00ff00ff"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&m).unwrap();
        assert_eq!(v["path"], "/posts/a");
        assert_eq!(
            parse(m.as_bytes()),
            Parsed {
                path: Some("/posts/a".into()),
                id: Some("00ff00ff00ff00ff".into()),
                timestamp: Some(1700000000123),
                tag: None,
            }
        );
        let tag = crate::tags::Tag::parse("post:\"a\"").unwrap();
        let m = render_tag(&tag, 5, "0f");
        assert_eq!(m, r#"{"tag":"post:\"a\"","timestamp":5,"id":"0f"}"#);
        let p = parse(m.as_bytes());
        assert_eq!((p.tag.as_deref(), p.path), (Some("post:\"a\""), None));
    }

    #[test]
    fn templates_escape_inside_json_and_not_outside() {
        let f = Format::parse(Some(r#"{"slug":"{path}","v":1,"ts":{timestamp}}"#)).unwrap();
        assert_eq!(
            f.render(&path("/a\"b"), 5, "x"),
            r#"{"slug":"/a%22b","v":1,"ts":5}"#
        );
        let f = Format::parse(Some("revalidate {path}")).unwrap();
        assert_eq!(f.render(&path("/a b"), 5, "x"), "revalidate /a%20b");
        assert!(!f.carries_id());
        let e = Format::parse(Some(r#"{"path":{path}}"#))
            .unwrap_err()
            .to_string();
        assert!(e.contains("looks like JSON"), "{e}");
        let e = Format::parse(Some("nothing")).unwrap_err().to_string();
        assert!(e.contains("has no {path}"), "{e}");
    }

    #[test]
    fn any_message_is_read() {
        assert_eq!(parse(b"/bare/path").path.as_deref(), Some("/bare/path"));
        assert_eq!(parse(br#"{"path":"/x","id":7}"#).id.as_deref(), Some("7"));
        assert_eq!(parse(b"hello world"), Parsed::default());
        assert_eq!(parse(b"\xff\xfe"), Parsed::default());
    }

    #[test]
    fn acks_keep_their_documented_keys() {
        let a = Ack {
            id: Some("i".into()),
            path: "/p".into(),
            tag: None,
            pod: "web-0".into(),
            outcome: "revalidated".into(),
            ms: 1.5,
        };
        assert_eq!(
            a.to_json(),
            r#"{"id":"i","path":"/p","pod":"web-0","outcome":"revalidated","ms":1.5}"#
        );
        assert!(a.is_success());
    }

    #[test]
    fn ids_are_unique_enough() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|i| i.len() == 16));
    }
}
