//! From a request to `serve` to the paths to revalidate.
//!
//! Two ways in. The generic one: a JSON body `{"paths": ["/a", "/b"]}` or `{"path": "/a"}`, or
//! query pairs `?path=/a&path=/b`. And a CMS's own webhook payload, mapped by the routes of the
//! config file (`[[serve.routes]]`): each route has a `name`, conditions (`when`) on fields of the
//! JSON body (dotted, `entry.model`, or a JSON Pointer, `/fields/slug/en-US`) and on headers
//! (`header:x-contentful-topic`), each a value or a list of alternatives, and path templates
//! (`paths`) whose placeholders (`{entry.slug}`, `{/fields/slug/en-US}`) take a field of the
//! body, percent-encoded as a path segment (or as a query value after a `?`). Every matching
//! route contributes its paths; `?route=NAME` asks for one route only. A route without
//! conditions would match every payload, so it is taken only when named (a button's own URL).
//!
//! Which way: `?route=` applies that route alone; otherwise query paths, or a body with a
//! top-level `paths` or `path`, are taken as they are; otherwise the routes map the payload. A
//! payload no route matches is [`Mapped::Ignored`] (answered 200, so a CMS does not retry it
//! forever), with the reason per route.
//!
//! Invariants: routes are compiled and checked once, at start ([`Routes::from_config`]: a bad
//! one is a usage error naming it); every path is checked by the product's rules
//! ([`crate::paths`], as a pod step: no wildcard) before anything is run; a request is never
//! half taken: one bad path or placeholder refuses it whole ([`HookError`], answered 400).

use serde_json::Value;

use crate::config::Config;
use crate::error::{ConfigError, Error};
use crate::paths::{Purpose, Rule, UrlPath};

/// The query key of generic paths (repeatable).
pub const PATH_QUERY: &str = "path";
/// The query key that picks one route.
pub const ROUTE_QUERY: &str = "route";
/// Bad paths listed in one error; the rest are counted.
const BAD_LISTED: usize = 10;
/// Longest value of the payload quoted in a message.
const QUOTED: usize = 60;

/// The compiled routes of the config file (none: only generic requests are taken).
#[derive(Clone, Debug, Default)]
pub struct Routes {
    routes: Vec<Route>,
}

#[derive(Clone, Debug)]
struct Route {
    name: String,
    when: Vec<Condition>,
    paths: Vec<Template>,
}

/// One `when` entry: a field and the values it may have.
#[derive(Clone, Debug)]
struct Condition {
    /// The key as written, for messages.
    key: String,
    field: Field,
    any_of: Vec<Expected>,
}

#[derive(Clone, Debug)]
enum Field {
    Header(http::HeaderName),
    Body(FieldPath),
}

/// Where a value is in the JSON body.
#[derive(Clone, Debug, PartialEq)]
enum FieldPath {
    /// `entry.slug`, `items.0.slug`: object keys, or array indexes where the value is an array.
    Dotted(Vec<String>),
    /// `/fields/slug/en-US` (RFC 6901).
    Pointer(String),
}

/// A value a condition accepts.
#[derive(Clone, Debug, PartialEq)]
enum Expected {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A path template: text and placeholders.
#[derive(Clone, Debug)]
struct Template {
    text: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug)]
enum Part {
    Text(String),
    Field {
        /// As written between the braces, for messages.
        written: String,
        path: FieldPath,
        /// After a `?`: encoded as a query value, not a path segment.
        in_query: bool,
    },
}

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapped {
    /// The paths to run (in the order given or produced, each once), and the routes that produced
    /// them (empty for a generic request).
    Paths {
        paths: Vec<UrlPath>,
        routes: Vec<String>,
    },
    /// A payload no route matches: nothing to run; the reason names each route's first unmet
    /// condition.
    Ignored { reason: String },
}

/// Why a placeholder has no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// The payload has no such field.
    Absent,
    /// The field is empty text.
    Empty,
    /// The field holds this kind of JSON value (an object, a list, true/false, null).
    Kind(&'static str),
}

/// A request that cannot be taken (400): what is wrong with it, never half taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HookError {
    #[error(
        "the body is not JSON ({0}); send {{\"paths\": [\"/a\", ...]}}, ?path=/a, or a CMS payload a route maps"
    )]
    BadJson(String),
    /// `paths` or `path` of a generic body holds something else than its form.
    #[error("\"{field}\" in the body must be {form}")]
    BadField {
        field: &'static str,
        form: &'static str,
    },
    #[error("{}", bad_paths(.0))]
    BadPaths(Vec<BadPath>),
    #[error(
        "no paths: send {{\"paths\": [\"/a\", ...]}} or ?path=/a (no [[serve.routes]] are configured to map a CMS payload)"
    )]
    NoPaths,
    #[error("unknown route \"{name}\" (?route=): {}", known_routes(.known))]
    UnknownRoute { name: String, known: Vec<String> },
    #[error("route \"{route}\" matches, but its placeholder {{{placeholder}}} {}", why_missing(.missing))]
    Placeholder {
        route: String,
        placeholder: String,
        missing: Missing,
    },
}

/// One path refused by the path rules: where it came from, as given, and the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadPath {
    /// `?path=`, `"paths"[2]`, `route "blog" path 1`.
    pub from: String,
    pub input: String,
    pub rule: Rule,
}

fn bad_paths(bad: &[BadPath]) -> String {
    let mut s = format!(
        "{} bad path{}, nothing run:",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    );
    for b in bad.iter().take(BAD_LISTED) {
        s.push_str(&format!(
            " {}: {:?} {};",
            b.from,
            crate::secret::snippet(&b.input, 200),
            b.rule
        ));
    }
    if bad.len() > BAD_LISTED {
        s.push_str(&format!(" and {} more;", bad.len() - BAD_LISTED));
    }
    s.pop();
    s
}

fn known_routes(known: &[String]) -> String {
    if known.is_empty() {
        "no routes are configured ([[serve.routes]] in the config file)".into()
    } else {
        format!("known routes: {}", known.join(", "))
    }
}

fn why_missing(m: &Missing) -> String {
    match m {
        Missing::Absent => "names a field the payload lacks".into(),
        Missing::Empty => "names a field that is empty".into(),
        Missing::Kind(kind) => format!("names a field that holds {kind}, not text or a number"),
    }
}

impl Routes {
    /// Compiles the `[[serve.routes]]` of the configuration: a route with an unknown key, no
    /// name, no paths, a bad condition or a bad template is a usage error (exit 2) naming it.
    pub fn from_config(config: &Config) -> Result<Routes, Error> {
        match config.serve_routes() {
            None => Ok(Routes::default()),
            Some((tables, source)) => Routes::from_tables(tables, &source.to_string())
                .map_err(|e| Error::Config(ConfigError(e))),
        }
    }

    /// Compiles route tables; `source` names where they were written, for messages.
    pub fn from_tables(tables: &[toml::Table], source: &str) -> Result<Routes, String> {
        let mut routes: Vec<Route> = Vec::with_capacity(tables.len());
        for (i, t) in tables.iter().enumerate() {
            let named = t.get("name").and_then(toml::Value::as_str);
            let at = match named {
                Some(n) => format!("[[serve.routes]] \"{n}\" ({source})"),
                None => format!("[[serve.routes]] number {} ({source})", i + 1),
            };
            let route = Route::compile(t).map_err(|why| format!("{at}: {why}"))?;
            if routes.iter().any(|r| r.name == route.name) {
                return Err(format!(
                    "{at}: another route has this name; each needs its own (?route=NAME picks one)"
                ));
            }
            routes.push(route);
        }
        Ok(Routes { routes })
    }

    /// The routes' names, in the order written.
    pub fn names(&self) -> Vec<String> {
        self.routes.iter().map(|r| r.name.clone()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The paths a request asks for. `query` holds the request's decoded query pairs in order;
    /// pass none for a request let in by a signature of its body
    /// ([`super::auth::Scheme::signs_only_the_body`]): the query was not signed.
    pub fn map(
        &self,
        headers: &http::HeaderMap,
        query: &[(String, String)],
        body: &[u8],
    ) -> Result<Mapped, HookError> {
        let route = query
            .iter()
            .find(|(k, _)| k == ROUTE_QUERY)
            .map(|(_, v)| v.as_str());
        let chosen: Vec<&Route> = match route {
            Some(name) => match self.routes.iter().find(|r| r.name == name) {
                Some(r) => vec![r],
                None => {
                    return Err(HookError::UnknownRoute {
                        name: crate::secret::snippet(name, 100),
                        known: self.names(),
                    });
                }
            },
            // A route without conditions would match every payload: it is taken only by name.
            None => self.routes.iter().filter(|r| !r.when.is_empty()).collect(),
        };
        let payload = parse_body(body)?;
        if route.is_none() {
            let mut given = Vec::new();
            for (k, v) in query {
                if k == PATH_QUERY {
                    given.push(("?path=".to_string(), v.clone()));
                }
            }
            generic_paths(&payload, &mut given)?;
            if !given.is_empty() {
                return Ok(Mapped::Paths {
                    paths: validate(given)?,
                    routes: Vec::new(),
                });
            }
            if self.routes.is_empty() {
                return Err(HookError::NoPaths);
            }
        }
        let mut given = Vec::new();
        let mut matched = Vec::new();
        let mut unmet = Vec::new();
        for r in chosen {
            match r.unmet(headers, &payload) {
                Some(why) => unmet.push(format!("{}: {why}", r.name)),
                None => {
                    r.render(&payload, &mut given)?;
                    matched.push(r.name.clone());
                }
            }
        }
        if matched.is_empty() {
            let reason = if unmet.is_empty() {
                "no route has conditions to match a payload with; a route without them is taken only when named (?route=NAME)".to_string()
            } else {
                format!("no route matches ({})", unmet.join("; "))
            };
            return Ok(Mapped::Ignored { reason });
        }
        Ok(Mapped::Paths {
            paths: validate(given)?,
            routes: matched,
        })
    }
}

/// The body as JSON; an empty body is `null` (a route may look at headers only).
fn parse_body(body: &[u8]) -> Result<Value, HookError> {
    if body.trim_ascii().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| HookError::BadJson(e.to_string()))
}

/// The top-level `paths` (a list of text) and `path` (text) of a generic body.
fn generic_paths(payload: &Value, out: &mut Vec<(String, String)>) -> Result<(), HookError> {
    let Some(object) = payload.as_object() else {
        return Ok(());
    };
    if let Some(v) = object.get("paths") {
        let bad = HookError::BadField {
            field: "paths",
            form: "a non-empty list of paths, e.g. [\"/blog\", \"/blog/a\"]",
        };
        let list = v.as_array().filter(|l| !l.is_empty()).ok_or(bad.clone())?;
        for (i, p) in list.iter().enumerate() {
            let p = p.as_str().ok_or(bad.clone())?;
            out.push((format!("\"paths\"[{i}]"), p.to_string()));
        }
    }
    if let Some(v) = object.get("path") {
        let p = v.as_str().ok_or(HookError::BadField {
            field: "path",
            form: "a path, e.g. \"/blog/a\"",
        })?;
        out.push(("\"path\"".to_string(), p.to_string()));
    }
    Ok(())
}

/// Checks every path by the product's rules (as for a pod: no wildcard); each path once, in
/// order; every bad one listed.
fn validate(given: Vec<(String, String)>) -> Result<Vec<UrlPath>, HookError> {
    let mut paths: Vec<UrlPath> = Vec::with_capacity(given.len());
    let mut seen = std::collections::HashSet::with_capacity(given.len());
    let mut bad = Vec::new();
    for (from, input) in given {
        match UrlPath::parse(&input, Purpose::Pod) {
            Ok(p) => {
                if seen.insert(p.clone()) {
                    paths.push(p);
                }
            }
            Err(rule) => bad.push(BadPath { from, input, rule }),
        }
    }
    if bad.is_empty() {
        Ok(paths)
    } else {
        Err(HookError::BadPaths(bad))
    }
}

impl Route {
    fn compile(t: &toml::Table) -> Result<Route, String> {
        for k in t.keys() {
            if !["name", "when", "paths"].contains(&k.as_str()) {
                return Err(format!(
                    "unknown key `{k}`; a route has name, when and paths"
                ));
            }
        }
        let name = match t.get("name") {
            Some(toml::Value::String(n)) => n.clone(),
            Some(_) => return Err("name must be text, e.g. name = \"blog\"".into()),
            None => return Err("has no name; give it one, e.g. name = \"blog\"".into()),
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        {
            return Err(
                "a name is letters, digits, '-', '_' and '.' (it is written in ?route=NAME)".into(),
            );
        }
        let when = match t.get("when") {
            None => Vec::new(),
            Some(toml::Value::Table(w)) => w
                .iter()
                .map(|(k, v)| Condition::compile(k, v))
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(
                    "when must be a table, e.g. when = { event = \"entry.publish\", model = \"article\" }"
                        .into(),
                );
            }
        };
        let no_paths = || {
            "has no paths; give its path templates, e.g. paths = [\"/blog/{entry.slug}\", \"/blog\"]".to_string()
        };
        let paths = match t.get("paths") {
            Some(toml::Value::Array(list)) if !list.is_empty() => list
                .iter()
                .enumerate()
                .map(|(i, p)| match p.as_str() {
                    Some(p) => Template::compile(p).map_err(|why| format!("path {}: {why}", i + 1)),
                    None => Err(format!("path {}: must be text, a path template", i + 1)),
                })
                .collect::<Result<_, _>>()?,
            Some(toml::Value::Array(_)) | None => return Err(no_paths()),
            Some(_) => return Err("paths must be a list of path templates".into()),
        };
        Ok(Route { name, when, paths })
    }

    /// The first condition the request does not meet, said for people; `None` when all are met.
    fn unmet(&self, headers: &http::HeaderMap, payload: &Value) -> Option<String> {
        self.when.iter().find_map(|c| c.unmet(headers, payload))
    }

    /// Appends the route's paths for `payload`, each with where it came from.
    fn render(&self, payload: &Value, out: &mut Vec<(String, String)>) -> Result<(), HookError> {
        for (i, t) in self.paths.iter().enumerate() {
            let path =
                t.render(payload)
                    .map_err(|(placeholder, missing)| HookError::Placeholder {
                        route: self.name.clone(),
                        placeholder,
                        missing,
                    })?;
            out.push((
                format!("route \"{}\" path {} ({})", self.name, i + 1, t.text),
                path,
            ));
        }
        Ok(())
    }
}

impl Condition {
    fn compile(key: &str, v: &toml::Value) -> Result<Condition, String> {
        let field = match key.strip_prefix("header:") {
            Some(name) => Field::Header(http::HeaderName::from_bytes(name.as_bytes()).map_err(
                |_| format!("when: {key:?} does not name a header (header:NAME, e.g. header:x-contentful-topic)"),
            )?),
            None => Field::Body(FieldPath::parse(key).map_err(|why| format!("when: {why}"))?),
        };
        let one = |v: &toml::Value| match v {
            toml::Value::String(s) => Ok(Expected::Str(s.clone())),
            toml::Value::Integer(i) => Ok(Expected::Int(*i)),
            toml::Value::Float(f) => Ok(Expected::Float(*f)),
            toml::Value::Boolean(b) => Ok(Expected::Bool(*b)),
            _ => Err(format!(
                "when: {key:?} must be a value (text, a number, true or false) or a list of them"
            )),
        };
        let any_of = match v {
            toml::Value::Array(list) if list.is_empty() => {
                return Err(format!(
                    "when: {key:?} lists no values, so the route could never match"
                ));
            }
            toml::Value::Array(list) => list.iter().map(one).collect::<Result<_, _>>()?,
            v => vec![one(v)?],
        };
        Ok(Condition {
            key: key.to_string(),
            field,
            any_of,
        })
    }

    fn unmet(&self, headers: &http::HeaderMap, payload: &Value) -> Option<String> {
        let expected = if self.any_of.len() == 1 {
            "the route's value".to_string()
        } else {
            format!("one of the route's {} values", self.any_of.len())
        };
        match &self.field {
            Field::Header(name) => {
                if !headers.contains_key(name) {
                    return Some(format!("header {name} is missing"));
                }
                let met = headers.get_all(name).iter().any(|v| {
                    v.to_str()
                        .is_ok_and(|v| self.any_of.iter().any(|e| e.matches_text(v.trim())))
                });
                // A header's value is not quoted: it could be a credential.
                (!met).then(|| format!("header {name} is not {expected}"))
            }
            Field::Body(path) => match path.get(payload) {
                None => Some(format!("{} is missing", self.key)),
                Some(v) if self.any_of.iter().any(|e| e.matches(v)) => None,
                Some(v) => Some(format!("{} is {}, not {expected}", self.key, quote(v))),
            },
        }
    }
}

/// A JSON value, short, for messages.
fn quote(v: &Value) -> String {
    crate::secret::snippet(&v.to_string(), QUOTED)
}

impl Expected {
    fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (Expected::Str(e), Value::String(s)) => e == s,
            (Expected::Int(e), Value::Number(n)) => {
                n.as_i64() == Some(*e) || n.as_f64() == Some(*e as f64)
            }
            (Expected::Float(e), Value::Number(n)) => n.as_f64() == Some(*e),
            (Expected::Bool(e), Value::Bool(b)) => e == b,
            _ => false,
        }
    }

    /// A header's text against the value, written as TOML would (`5`, `true`).
    fn matches_text(&self, s: &str) -> bool {
        match self {
            Expected::Str(e) => e == s,
            Expected::Int(e) => s.parse::<i64>() == Ok(*e),
            Expected::Float(e) => s.parse::<f64>() == Ok(*e),
            Expected::Bool(e) => s.parse::<bool>() == Ok(*e),
        }
    }
}

impl FieldPath {
    fn parse(s: &str) -> Result<FieldPath, String> {
        if s.starts_with('/') {
            // RFC 6901: `~` only as `~0` or `~1`.
            let bad_escape = s
                .split('~')
                .skip(1)
                .any(|rest| !rest.starts_with(['0', '1']));
            return if bad_escape {
                Err(format!(
                    "{s:?} is not a JSON Pointer: write ~0 for '~' and ~1 for '/' in a key"
                ))
            } else {
                Ok(FieldPath::Pointer(s.to_string()))
            };
        }
        let parts: Vec<String> = s.split('.').map(str::to_string).collect();
        if s.is_empty() || parts.iter().any(String::is_empty) {
            return Err(format!(
                "{s:?} is not a field: write a dotted path (entry.slug) or a JSON Pointer (/fields/slug/en-US)"
            ));
        }
        Ok(FieldPath::Dotted(parts))
    }

    fn get<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        match self {
            FieldPath::Pointer(p) => v.pointer(p),
            FieldPath::Dotted(parts) => parts.iter().try_fold(v, |v, k| match v {
                Value::Object(o) => o.get(k),
                Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            }),
        }
    }
}

impl Template {
    /// Parses `text` and checks that it makes a valid path whatever its placeholders hold.
    fn compile(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        let mut in_query = false;
        while !rest.is_empty() {
            let next = rest.find(['{', '}']).unwrap_or(rest.len());
            let literal = &rest[..next];
            if !literal.is_empty() {
                in_query |= literal.contains('?');
                parts.push(Part::Text(literal.to_string()));
            }
            rest = &rest[next..];
            if rest.is_empty() {
                break;
            }
            if rest.starts_with('}') {
                return Err(format!("{text:?}: a '}}' closes no placeholder"));
            }
            let Some(end) = rest.find('}') else {
                return Err(format!("{text:?}: a '{{' is not closed"));
            };
            let written = &rest[1..end];
            if written.contains('{') {
                return Err(format!("{text:?}: a placeholder cannot hold '{{'"));
            }
            let path = FieldPath::parse(written).map_err(|why| format!("{text:?}: {why}"))?;
            parts.push(Part::Field {
                written: written.to_string(),
                path,
                in_query,
            });
            rest = &rest[end + 1..];
        }
        let t = Template {
            text: text.to_string(),
            parts,
        };
        // Placeholders become one encoded segment (or query value) each, so a template that
        // makes a valid path with a plain value makes one with any value a payload holds, or
        // the value's own encoding is what is refused.
        let sample = t.fill(&|_| Ok("x".to_string())).expect("a sample fills");
        UrlPath::parse(&sample, Purpose::Pod).map_err(|rule| format!("{text:?} {rule}"))?;
        Ok(t)
    }

    /// The path for `payload`; the placeholder and why when a field has no usable value.
    fn render(&self, payload: &Value) -> Result<String, (String, Missing)> {
        self.fill(&|path| match path.get(payload) {
            None => Err(Missing::Absent),
            Some(Value::String(s)) if s.is_empty() => Err(Missing::Empty),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(_)) => Err(Missing::Kind("true or false")),
            Some(Value::Null) => Err(Missing::Kind("null")),
            Some(Value::Array(_)) => Err(Missing::Kind("a list")),
            Some(Value::Object(_)) => Err(Missing::Kind("an object")),
        })
    }

    fn fill(
        &self,
        value: &dyn Fn(&FieldPath) -> Result<String, Missing>,
    ) -> Result<String, (String, Missing)> {
        let mut out = String::with_capacity(self.text.len() + 16);
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Field {
                    written,
                    path,
                    in_query,
                } => {
                    let v = value(path).map_err(|m| (written.clone(), m))?;
                    out.push_str(&if *in_query {
                        crate::paths::encode_query_value(&v)
                    } else {
                        crate::paths::encode_segment(&v)
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
