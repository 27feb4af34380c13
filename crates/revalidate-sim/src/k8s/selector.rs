//! Label and field selectors of list requests (`labelSelector=app=web`,
//! `fieldSelector=status.phase=Running`), parsed and matched the way
//! kube-apiserver does.
//!
//! Invariant: a selector that does not parse, or a field the resource type
//! does not index, is an error the caller turns into a 400, never a selector
//! that silently matches everything. Label selectors are read as
//! kube-apiserver reads them (empty requirements, a second `/` in a key, a
//! prefix that is not a DNS subdomain and an even run of commas before `)`
//! are refused; `>` and `<` compare whole numbers), and the product's own
//! parser (`revalidate::label_selector`) is tested against this one.

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
    GreaterThan(i64),
    LessThan(i64),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<(String, Op)>,
}

impl LabelSelector {
    /// Parses a selector as kube-apiserver does; the error is the API
    /// server's 400 message.
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        if space_trimmed(text).is_empty() {
            return Ok(LabelSelector { requirements });
        }
        for part in split_top_level(text) {
            let part = space_trimmed(part);
            if part.is_empty() {
                return Err(format!(
                    "found ',', expected: identifier after ',' in {text:?}"
                ));
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(LabelSelector { requirements })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether an object (its `metadata.labels`) satisfies every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        let number = |key: &str| label(key).and_then(|l| l.parse::<i64>().ok());
        self.requirements.iter().all(|(key, op)| match op {
            Op::Equals(v) => label(key) == Some(v.as_str()),
            Op::NotEquals(v) => label(key) != Some(v.as_str()),
            Op::In(vs) => label(key).is_some_and(|l| vs.contains(l)),
            Op::NotIn(vs) => !label(key).is_some_and(|l| vs.contains(l)),
            Op::Exists => label(key).is_some(),
            Op::DoesNotExist => label(key).is_none(),
            Op::GreaterThan(n) => number(key).is_some_and(|l| l > *n),
            Op::LessThan(n) => number(key).is_some_and(|l| l < *n),
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

/// The whitespace kube-apiserver's lexer skips: space, TAB, CR and LF (not Unicode spaces).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn space_trimmed(s: &str) -> &str {
    s.trim_matches(is_space)
}

fn parse_requirement(part: &str) -> Result<(String, Op), String> {
    let bad = |why: &str| format!("unable to parse requirement: {why} in {part:?}");
    if let Some(key) = part.strip_prefix('!') {
        return Ok((
            checked_key(space_trimmed(key)).map_err(|e| bad(&e))?,
            Op::DoesNotExist,
        ));
    }
    for (token, make) in [
        ("!=", Op::NotEquals as fn(String) -> Op),
        ("==", Op::Equals),
        ("=", Op::Equals),
    ] {
        if let Some((key, value)) = part.split_once(token) {
            let key = checked_key(space_trimmed(key)).map_err(|e| bad(&e))?;
            let value = checked_value(space_trimmed(value)).map_err(|e| bad(&e))?;
            return Ok((key, make(value)));
        }
    }
    for (token, make) in [('>', Op::GreaterThan as fn(i64) -> Op), ('<', Op::LessThan)] {
        if let Some((key, value)) = part.split_once(token) {
            let key = checked_key(space_trimmed(key)).map_err(|e| bad(&e))?;
            let value = checked_value(space_trimmed(value)).map_err(|e| bad(&e))?;
            let n = value
                .parse::<i64>()
                .map_err(|_| bad("for 'Gt', 'Lt' operators, the value must be an integer"))?;
            return Ok((key, make(n)));
        }
    }
    let words: Vec<&str> = part.splitn(2, is_space).collect();
    let key = checked_key(words[0]).map_err(|e| bad(&e))?;
    let Some(rest) = words.get(1).map(|r| space_trimmed(r)) else {
        return Ok((key, Op::Exists));
    };
    let (negate, list) = if let Some(list) = rest.strip_prefix("notin") {
        (true, list)
    } else if let Some(list) = rest.strip_prefix("in") {
        (false, list)
    } else {
        return Err(bad("expected one of [=, ==, !=, in, notin]"));
    };
    let inner = space_trimmed(list)
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
        .ok_or_else(|| bad("expected a parenthesised set of values"))?;
    let items: Vec<&str> = inner.split(',').map(space_trimmed).collect();
    // kube-apiserver's list parser takes commas two at a time, so an even run of them just
    // before ")" (`(a,,)`, `(,,)`) leaves it looking at ")" for a value.
    let trailing_commas = if items.iter().all(|v| v.is_empty()) {
        items.len() - 1
    } else {
        items.iter().rev().take_while(|v| v.is_empty()).count()
    };
    if trailing_commas > 0 && trailing_commas % 2 == 0 {
        return Err(bad("found ')', expected: ',', or identifier"));
    }
    let values = items
        .into_iter()
        .map(checked_value)
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

/// A label key: an optional DNS subdomain prefix and `/`, then a name of up
/// to 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
fn checked_key(key: &str) -> Result<String, String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(is_dns_subdomain);
    if !prefix_ok || name.contains('/') || !valid_label_text(name) {
        return Err(format!("invalid label key {key:?}"));
    }
    Ok(key.to_owned())
}

/// A DNS-1123 subdomain: up to 253 characters, dot-separated labels of
/// lowercase alphanumerics and `-` that start and end alphanumeric.
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|label| {
            let lower = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
            let b = label.as_bytes();
            b.first().is_some_and(lower)
                && b.last().is_some_and(lower)
                && b.iter().all(|c| lower(c) || *c == b'-')
        })
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
    fn label_selectors_refuse_what_the_api_server_refuses() {
        for bad in [
            "app=web,,=",
            "app in (a",
            "!!app",
            "app=web,",
            ",app",
            "/app",
            "Example.com/app",
            "a/b/c",
            "x in (a,,)",
            "x in (,,)",
            "gen>x",
            "app\u{a0}",
        ] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad:?}");
        }
        for good in [" ", "x in (a,,,)", "x in (,)", "gen>3", "a.io/b=c"] {
            assert!(LabelSelector::parse(good).is_ok(), "{good:?}");
        }
        let gen7 = obj(json!({"gen": "7"}));
        assert!(LabelSelector::parse("gen>6,gen<8").unwrap().matches(&gen7));
        assert!(!LabelSelector::parse("gen>7").unwrap().matches(&gen7));
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
