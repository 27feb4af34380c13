//! Label and field selectors of list requests (`labelSelector=app=web`,
//! `fieldSelector=status.phase=Running`), parsed and matched the way
//! kube-apiserver does.
//!
//! Invariant: a selector that does not parse, or a field the resource type
//! does not index, is an error the caller turns into a 400, never a selector
//! that silently matches everything.

use std::collections::BTreeSet;

use serde_json::Value;

use super::resource::Kind;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Equals(String),
    NotEquals(String),
    In(BTreeSet<String>),
    NotIn(BTreeSet<String>),
    Exists,
    DoesNotExist,
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LabelSelector {
    requirements: Vec<(String, Op)>,
}

impl LabelSelector {
    pub(crate) fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(LabelSelector { requirements })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether an object (its `metadata.labels`) satisfies every requirement.
    pub(crate) fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.requirements.iter().all(|(key, op)| match op {
            Op::Equals(v) => label(key) == Some(v.as_str()),
            Op::NotEquals(v) => label(key) != Some(v.as_str()),
            Op::In(vs) => label(key).is_some_and(|l| vs.contains(l)),
            Op::NotIn(vs) => !label(key).is_some_and(|l| vs.contains(l)),
            Op::Exists => label(key).is_some(),
            Op::DoesNotExist => label(key).is_none(),
        })
    }
}

/// Splits on commas outside parentheses (`a in (x,y),b` is two requirements).
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Result<(String, Op), String> {
    let bad = |why: &str| format!("unable to parse requirement: {why} in {part:?}");
    if let Some(key) = part.strip_prefix('!') {
        return Ok((
            checked_key(key.trim()).map_err(|e| bad(&e))?,
            Op::DoesNotExist,
        ));
    }
    for (token, make) in [
        ("!=", Op::NotEquals as fn(String) -> Op),
        ("==", Op::Equals),
        ("=", Op::Equals),
    ] {
        if let Some((key, value)) = part.split_once(token) {
            let key = checked_key(key.trim()).map_err(|e| bad(&e))?;
            let value = checked_value(value.trim()).map_err(|e| bad(&e))?;
            return Ok((key, make(value)));
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    let key = checked_key(words[0]).map_err(|e| bad(&e))?;
    let Some(rest) = words.get(1).map(|r| r.trim()) else {
        return Ok((key, Op::Exists));
    };
    let (negate, list) = if let Some(list) = rest.strip_prefix("notin") {
        (true, list)
    } else if let Some(list) = rest.strip_prefix("in") {
        (false, list)
    } else {
        return Err(bad("expected one of [=, ==, !=, in, notin]"));
    };
    let inner = list
        .trim()
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
        .ok_or_else(|| bad("expected a parenthesised set of values"))?;
    let values = inner
        .split(',')
        .map(|v| checked_value(v.trim()))
        .collect::<Result<BTreeSet<_>, _>>()
        .map_err(|e| bad(&e))?;
    Ok((
        key,
        if negate {
            Op::NotIn(values)
        } else {
            Op::In(values)
        },
    ))
}

/// A label key: an optional DNS prefix and `/`, then a name of up to 63
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
fn checked_key(key: &str) -> Result<String, String> {
    let name = key.rsplit_once('/').map_or(key, |(_, n)| n);
    if name.is_empty() || !valid_label_text(name) {
        return Err(format!("invalid label key {key:?}"));
    }
    Ok(key.to_owned())
}

fn checked_value(value: &str) -> Result<String, String> {
    if value.is_empty() || valid_label_text(value) {
        Ok(value.to_owned())
    } else {
        Err(format!("invalid label value {value:?}"))
    }
}

fn valid_label_text(s: &str) -> bool {
    let bytes = s.as_bytes();
    s.len() <= 63
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A parsed field selector: `=`, `==` and `!=` on the fields the type indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldSelector {
    requirements: Vec<(&'static str, bool, String)>,
}

impl FieldSelector {
    pub(crate) fn parse(text: &str, kind: Kind) -> Result<FieldSelector, String> {
        let mut requirements = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                ));
            };
            let field = field.trim();
            let pointer = kind
                .field_labels()
                .iter()
                .find(|(label, _)| *label == field)
                .map(|(_, pointer)| *pointer)
                .ok_or_else(|| format!("field label not supported: {field}"))?;
            requirements.push((pointer, equal, value.trim().to_owned()));
        }
        Ok(FieldSelector { requirements })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub(crate) fn matches(&self, object: &Value) -> bool {
        self.requirements.iter().all(|(pointer, equal, value)| {
            let actual = object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("");
            (actual == value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "x", "labels": labels}, "status": {"phase": "Running"}})
    }

    #[test]
    fn label_selectors_match_like_the_api_server() {
        let web = obj(json!({"app": "web", "kubernetes.io/service-name": "web"}));
        let api = obj(json!({"app": "api", "tier": "backend"}));
        let sel = |s: &str| LabelSelector::parse(s).unwrap();
        assert!(sel("kubernetes.io/service-name=web").matches(&web));
        assert!(!sel("kubernetes.io/service-name=web").matches(&api));
        assert!(sel("app==api,tier").matches(&api));
        assert!(sel("app!=web").matches(&api));
        assert!(!sel("app!=web").matches(&web));
        assert!(sel("app in (web, api),!missing").matches(&web));
        assert!(!sel("app notin (web,api)").matches(&api));
        assert!(sel("!tier").matches(&web));
        assert!(!sel("!tier").matches(&api));
        assert!(sel("").matches(&api) && sel("").is_empty());
        assert!(LabelSelector::parse("app web").is_err());
        assert!(LabelSelector::parse("a=b c").is_err());
        assert!(LabelSelector::parse("-x=1").is_err());
    }

    #[test]
    fn field_selectors_only_accept_indexed_fields() {
        let pod = obj(json!({}));
        let running = FieldSelector::parse("status.phase=Running", Kind::Pod).unwrap();
        assert!(running.matches(&pod));
        let pending = FieldSelector::parse("status.phase!=Running,metadata.name=x", Kind::Pod);
        assert!(!pending.unwrap().matches(&pod));
        assert_eq!(
            FieldSelector::parse("status.phase=Running", Kind::EndpointSlice).unwrap_err(),
            "field label not supported: status.phase"
        );
        assert!(FieldSelector::parse("nonsense", Kind::Pod).is_err());
    }
}
