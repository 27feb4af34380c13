//! Configuration: command line + environment + config file, resolved once into typed settings.
//!
//! Precedence, for every key: flag > environment variable > `[profiles.<name>]` > file defaults >
//! built-in default. Each resolved value remembers where it came from, which is what
//! `revalidate config` prints. Invariants: an unknown key in the file is an error naming the key
//! and the valid ones; relative file paths in the config are relative to the config file; a bad
//! value names the key, the value's source and what is allowed; secrets are never stored here,
//! only where to find them (they are read by the step that needs them, through [`crate::secret`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{self, GlobalArgs};

/// The config file looked for in the current directory when none is named.
pub const DEFAULT_FILE: &str = "revalidate.toml";

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    Profile { name: String, file: PathBuf },
    File(PathBuf),
    Default,
}

impl Source {
    fn rank(&self) -> u8 {
        match self {
            Source::Flag => 4,
            Source::Env(_) => 3,
            Source::Profile { .. } => 2,
            Source::File(_) => 1,
            Source::Default => 0,
        }
    }

    /// The directory relative paths given in this source are relative to.
    fn base_dir(&self) -> Option<&Path> {
        match self {
            Source::Profile { file, .. } | Source::File(file) => file.parent(),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("command line"),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Profile { name, file } => {
                write!(f, "{} [profiles.{name}]", file.display())
            }
            Source::File(file) => write!(f, "{}", file.display()),
            Source::Default => f.write_str("built-in default"),
        }
    }
}

/// What kind of value a key holds, which decides how it is parsed and checked.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Str,
    Path,
    Bool,
    Int { min: i64, max: i64 },
    Duration,
    Size,
    List,
    Choice(&'static [&'static str]),
}

struct KeyDef {
    key: &'static str,
    kind: Kind,
    env: Option<&'static str>,
    default: Option<&'static str>,
    /// Header lists whose values may hold secrets: printed with values redacted.
    sensitive: bool,
}

const fn key(key: &'static str, kind: Kind) -> KeyDef {
    KeyDef {
        key,
        kind,
        env: None,
        default: None,
        sensitive: false,
    }
}

impl KeyDef {
    const fn env(mut self, env: &'static str) -> KeyDef {
        self.env = Some(env);
        self
    }
    const fn default(mut self, d: &'static str) -> KeyDef {
        self.default = Some(d);
        self
    }
    const fn sensitive(mut self) -> KeyDef {
        self.sensitive = true;
        self
    }
}

/// Every key the config file, the environment and the flags can set, in the order
/// `revalidate config` prints them. Nested keys are written `section.key`.
static KEYS: &[KeyDef] = &[
    key("pods", Kind::List).env("REVALIDATE_PODS"),
    key("pods_file", Kind::Path).env("REVALIDATE_PODS_FILE"),
    key("concurrency", Kind::Int { min: 1, max: 4096 })
        .env("REVALIDATE_CONCURRENCY")
        .default("32"),
    key("per_pod_concurrency", Kind::Int { min: 1, max: 1024 })
        .env("REVALIDATE_PER_POD_CONCURRENCY")
        .default("4"),
    key("timeout", Kind::Duration)
        .env("REVALIDATE_TIMEOUT")
        .default("10s"),
    key("retries", Kind::Int { min: 0, max: 20 })
        .env("REVALIDATE_RETRIES")
        .default("2"),
    key("deadline", Kind::Duration).env("REVALIDATE_DEADLINE"),
    key("mode", Kind::Choice(&["nextjs", "endpoint"]))
        .env("REVALIDATE_MODE")
        .default("nextjs"),
    key("method", Kind::Choice(&["HEAD", "GET"])).default("HEAD"),
    key("only_generated", Kind::Bool).default("false"),
    key("allow_gone", Kind::Bool).default("false"),
    key("preview_id_file", Kind::Path).env("REVALIDATE_PREVIEW_ID_FILE"),
    key("endpoint.template", Kind::Str).env("REVALIDATE_ENDPOINT"),
    key("endpoint.method", Kind::Choice(&["GET", "POST"])).default("GET"),
    key("endpoint.headers", Kind::List).sensitive(),
    key("endpoint.body", Kind::Str),
    key("endpoint.expect_json", Kind::Str),
    key("verify.ignore", Kind::List),
    key("verify.ignore_presets", Kind::List),
    key("verify.select", Kind::Str),
    key("verify.max_body", Kind::Size).default("32MiB"),
    key("verify.expect_status", Kind::Int { min: 100, max: 599 }),
    key("verify.headers", Kind::List).sensitive(),
    key("verify.samples", Kind::Int { min: 1, max: 10000 }).default("10"),
    key("verify.wait", Kind::Duration),
];

const SECTIONS: &[&str] = &["endpoint", "verify"];

fn def(key: &str) -> &'static KeyDef {
    KEYS.iter()
        .find(|k| k.key == key)
        .unwrap_or_else(|| panic!("config key {key} is not declared in KEYS"))
}

/// A configuration problem: always a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(msg.into()))
}

type Layer = BTreeMap<&'static str, toml::Value>;

/// Every key's winning value and its source.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    values: BTreeMap<&'static str, (toml::Value, Source)>,
    pub file: Option<PathBuf>,
    pub profile: Option<String>,
    pub profiles: Vec<String>,
}

/// The settings every subcommand shares.
#[derive(Debug, Clone)]
pub struct Settings {
    pub output: cli::OutputFormat,
    pub color: cli::ColorChoice,
    pub quiet: bool,
    pub verbose: u8,
    pub dry_run: bool,
    pub limits: Limits,
    pub resolved: Resolved,
}

/// How hard and how long to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub concurrency: usize,
    pub per_pod_concurrency: usize,
    pub timeout: Duration,
    pub retries: u32,
    pub deadline: Option<Duration>,
}

impl Settings {
    /// Resolves the global options plus the subcommand's flags (as config keys) against the
    /// environment and the config file.
    pub fn load(global: &GlobalArgs, flags: Layer) -> Result<Settings, ConfigError> {
        let mut flags = flags;
        if let Some(v) = global.concurrency {
            flags.insert("concurrency", toml::Value::Integer(v.into()));
        }
        if let Some(v) = global.per_pod_concurrency {
            flags.insert("per_pod_concurrency", toml::Value::Integer(v.into()));
        }
        if let Some(v) = global.timeout {
            flags.insert("timeout", duration_value(v));
        }
        if let Some(v) = global.retries {
            flags.insert("retries", toml::Value::Integer(v.into()));
        }
        if let Some(v) = global.deadline {
            flags.insert("deadline", duration_value(v));
        }
        let resolved = Resolved::load(
            global.config.as_deref(),
            global.profile.as_deref(),
            flags,
            &|name| std::env::var(name).ok(),
        )?;
        let limits = Limits {
            concurrency: resolved.int("concurrency")?.unwrap_or(32) as usize,
            per_pod_concurrency: resolved.int("per_pod_concurrency")?.unwrap_or(4) as usize,
            timeout: resolved
                .duration("timeout")?
                .unwrap_or(Duration::from_secs(10)),
            retries: resolved.int("retries")?.unwrap_or(2) as u32,
            deadline: resolved.duration("deadline")?,
        };
        if limits.timeout.is_zero() {
            return err(format!(
                "timeout = 0 ({}): a request needs some time; give e.g. 500ms or 10s",
                resolved.source("timeout").unwrap_or(&Source::Default)
            ));
        }
        Ok(Settings {
            output: global.output,
            color: global.color,
            quiet: global.quiet,
            verbose: global.verbose,
            dry_run: global.dry_run,
            limits,
            resolved,
        })
    }
}

pub fn duration_value(d: Duration) -> toml::Value {
    toml::Value::String(humantime::format_duration(d).to_string())
}

impl Resolved {
    /// Loads and merges every layer. `env` is a seam so tests can supply an environment.
    pub fn load(
        explicit_file: Option<&Path>,
        profile: Option<&str>,
        flags: Layer,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Resolved, ConfigError> {
        let file = match explicit_file {
            Some(f) => {
                if !f.is_file() {
                    return err(format!(
                        "config file {} does not exist (named by --config or REVALIDATE_CONFIG)",
                        f.display()
                    ));
                }
                Some(f.to_path_buf())
            }
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
        };

        let mut out = Resolved {
            file: file.clone(),
            profile: profile.map(str::to_string),
            ..Resolved::default()
        };

        let mut layers: Vec<(Layer, Source)> = Vec::new();
        layers.push((flags, Source::Flag));
        let mut env_layer_sources = Vec::new();
        for k in KEYS {
            if let Some(var) = k.env
                && let Some(v) = env(var).filter(|v| !v.is_empty())
            {
                env_layer_sources.push((k.key, env_value(k, &v), var));
            }
        }

        let (file_defaults, profiles) = match &file {
            Some(f) => parse_file(f)?,
            None => (Layer::new(), BTreeMap::new()),
        };
        out.profiles = profiles.keys().cloned().collect();
        let profile_layer = match profile {
            None => None,
            Some(name) => match (&file, profiles.get(name)) {
                (None, _) => {
                    return err(format!(
                        "profile {name:?} given, but there is no config file (looked for ./{DEFAULT_FILE}; name one with --config)"
                    ));
                }
                (Some(f), None) => {
                    let known = if out.profiles.is_empty() {
                        "it defines none".to_string()
                    } else {
                        format!("known profiles: {}", out.profiles.join(", "))
                    };
                    return err(format!(
                        "profile {name:?} not found in {} ({known})",
                        f.display()
                    ));
                }
                (Some(f), Some(layer)) => Some((
                    layer.clone(),
                    Source::Profile {
                        name: name.to_string(),
                        file: f.clone(),
                    },
                )),
            },
        };

        // Highest precedence first: the first layer holding a key wins.
        for (k, v, var) in env_layer_sources {
            let mut l = Layer::new();
            l.insert(k, v);
            layers.push((l, Source::Env(var)));
        }
        if let Some(p) = profile_layer {
            layers.push(p);
        }
        if let Some(f) = &file {
            layers.push((file_defaults, Source::File(f.clone())));
        }
        for k in KEYS {
            let from_layers = layers
                .iter()
                .find_map(|(l, s)| l.get(k.key).map(|v| (v.clone(), s.clone())));
            let value =
                from_layers.or_else(|| k.default.map(|d| (default_value(k, d), Source::Default)));
            if let Some((v, s)) = value {
                check_kind(k, &v, &s)?;
                out.values.insert(k.key, (v, s));
            }
        }
        Ok(out)
    }

    pub fn source(&self, key: &str) -> Option<&Source> {
        self.values.get(def(key).key).map(|(_, s)| s)
    }

    fn raw(&self, key: &str) -> Option<&(toml::Value, Source)> {
        self.values.get(def(key).key)
    }

    pub fn str(&self, key: &str) -> Option<String> {
        match self.raw(key) {
            Some((toml::Value::String(s), _)) => Some(s.clone()),
            _ => None,
        }
    }

    /// A file path, made relative to the config file when it came from one.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        let (v, s) = self.raw(key)?;
        let p = PathBuf::from(v.as_str()?);
        Some(match s.base_dir() {
            Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
            _ => p,
        })
    }

    pub fn bool(&self, key: &str) -> bool {
        matches!(self.raw(key), Some((toml::Value::Boolean(true), _)))
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ConfigError> {
        Ok(match self.raw(key) {
            Some((toml::Value::Integer(i), _)) => Some(*i),
            _ => None,
        })
    }

    pub fn duration(&self, key: &str) -> Result<Option<Duration>, ConfigError> {
        match self.raw(key) {
            Some((toml::Value::String(s), src)) => cli::parse_duration(s)
                .map(Some)
                .map_err(|e| ConfigError(format!("{key} ({src}): {e}"))),
            _ => Ok(None),
        }
    }

    pub fn size(&self, key: &str) -> Result<Option<u64>, ConfigError> {
        match self.raw(key) {
            Some((toml::Value::String(s), src)) => cli::parse_size(s)
                .map(Some)
                .map_err(|e| ConfigError(format!("{key} ({src}): {e}"))),
            Some((toml::Value::Integer(i), _)) => Ok(Some(*i as u64)),
            _ => Ok(None),
        }
    }

    /// A list with the source of each entry (for error messages that point at the input).
    pub fn list(&self, key: &str) -> Option<(Vec<String>, Source)> {
        match self.raw(key) {
            Some((toml::Value::Array(a), s)) => Some((
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                s.clone(),
            )),
            _ => None,
        }
    }

    /// Of two keys, the one set at the highest-precedence layer (both when tied), so that
    /// `--pod` on the command line replaces, rather than adds to, pods from the config.
    pub fn winners<'a>(&self, keys: &[&'a str]) -> Vec<&'a str> {
        let best = keys
            .iter()
            .filter_map(|k| self.source(k).map(Source::rank))
            .max();
        keys.iter()
            .copied()
            .filter(|k| self.source(k).map(Source::rank) == best && best.is_some())
            .collect()
    }

    /// `revalidate config` as text: every key, its value (secrets redacted) and its source.
    pub fn render(&self, extra: &[(String, String, String)]) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "# config file: {}\n",
            self.file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_else(|| format!("none (no ./{DEFAULT_FILE})"))
        ));
        s.push_str(&format!(
            "# profile: {}{}\n",
            self.profile.as_deref().unwrap_or("none"),
            if self.profiles.is_empty() {
                String::new()
            } else {
                format!(" (defined: {})", self.profiles.join(", "))
            }
        ));
        let rows: Vec<(String, String, String)> = self
            .entries()
            .into_iter()
            .chain(extra.iter().cloned())
            .collect();
        let w = rows
            .iter()
            .map(|(k, v, _)| k.len() + v.len() + 3)
            .max()
            .unwrap_or(0);
        for (k, v, src) in rows {
            let left = format!("{k} = {v}");
            if src.is_empty() {
                s.push_str(&format!("{left}\n"));
            } else {
                s.push_str(&format!("{left:<w$}  # {src}\n"));
            }
        }
        s
    }

    /// (key, value as TOML, source) for every known key; unset keys show as not set.
    pub fn entries(&self) -> Vec<(String, String, String)> {
        KEYS.iter()
            .map(|k| match self.values.get(k.key) {
                Some((v, src)) => {
                    let shown = if k.sensitive {
                        redacted_headers(v)
                    } else {
                        v.to_string()
                    };
                    (k.key.to_string(), shown, src.to_string())
                }
                None => (k.key.to_string(), "(not set)".into(), String::new()),
            })
            .collect()
    }

    /// The same as JSON (for `revalidate config -o json`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut keys = serde_json::Map::new();
        for (k, v, src) in self.entries() {
            keys.insert(k, serde_json::json!({"value": v, "source": src}));
        }
        serde_json::json!({
            "file": self.file.as_ref().map(|f| f.display().to_string()),
            "profile": self.profile,
            "profiles": self.profiles,
            "keys": keys,
        })
    }
}

/// Header lists print their names and only `${VAR}` references, never literal values.
fn redacted_headers(v: &toml::Value) -> String {
    let Some(items) = v.as_array() else {
        return "<redacted>".into();
    };
    let shown: Vec<toml::Value> = items
        .iter()
        .filter_map(|i| i.as_str())
        .map(|h| {
            let (name, value) = h.split_once(':').unwrap_or((h, ""));
            let value = value.trim();
            let only_refs =
                value.starts_with("${") && value.ends_with('}') && value.matches("${").count() == 1;
            let shown = if only_refs { value } else { "<redacted>" };
            toml::Value::String(format!("{}: {shown}", name.trim()))
        })
        .collect();
    toml::Value::Array(shown).to_string()
}

fn default_value(k: &KeyDef, d: &str) -> toml::Value {
    match k.kind {
        Kind::Bool => toml::Value::Boolean(d == "true"),
        Kind::Int { .. } => toml::Value::Integer(d.parse().expect("numeric default")),
        _ => toml::Value::String(d.to_string()),
    }
}

/// Environment values are strings; give them the key's shape (checked like any other value).
fn env_value(k: &KeyDef, v: &str) -> toml::Value {
    match k.kind {
        Kind::Int { .. } => v
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(v.to_string())),
        Kind::Bool => match v.trim() {
            "1" | "true" | "yes" => toml::Value::Boolean(true),
            "0" | "false" | "no" => toml::Value::Boolean(false),
            _ => toml::Value::String(v.to_string()),
        },
        Kind::List => toml::Value::Array(
            v.split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        _ => toml::Value::String(v.to_string()),
    }
}

fn check_kind(k: &KeyDef, v: &toml::Value, src: &Source) -> Result<(), ConfigError> {
    let bad = |allowed: &str| err(format!("{} = {v} ({src}): {allowed}", k.key,));
    match (k.kind, v) {
        (Kind::Str | Kind::Path, toml::Value::String(_)) => Ok(()),
        (Kind::Str | Kind::Path, _) => bad("must be a string"),
        (Kind::Bool, toml::Value::Boolean(_)) => Ok(()),
        (Kind::Bool, _) => bad("must be true or false"),
        (Kind::Int { min, max }, toml::Value::Integer(i)) if (min..=max).contains(i) => Ok(()),
        (Kind::Int { min, max }, _) => bad(&format!("must be a whole number from {min} to {max}")),
        (Kind::Duration, toml::Value::String(s)) => match cli::parse_duration(s) {
            Ok(_) => Ok(()),
            Err(e) => bad(&e),
        },
        (Kind::Duration, _) => bad("must be a duration string such as \"10s\" or \"500ms\""),
        (Kind::Size, toml::Value::Integer(i)) if *i > 0 => Ok(()),
        (Kind::Size, toml::Value::String(s)) => match cli::parse_size(s) {
            Ok(_) => Ok(()),
            Err(e) => bad(&e),
        },
        (Kind::Size, _) => bad("must be a size such as \"32MiB\""),
        (Kind::List, toml::Value::Array(a)) if a.iter().all(toml::Value::is_str) => Ok(()),
        (Kind::List, _) => bad("must be a list of strings, e.g. [\"a\", \"b\"]"),
        (Kind::Choice(choices), toml::Value::String(s))
            if choices.iter().any(|c| c.eq_ignore_ascii_case(s)) =>
        {
            Ok(())
        }
        (Kind::Choice(choices), _) => bad(&format!("must be one of {}", choices.join(", "))),
    }
}

/// Reads the file: its top-level defaults and each profile, every key checked against [`KEYS`].
fn parse_file(file: &Path) -> Result<(Layer, BTreeMap<String, Layer>), ConfigError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", file.display())))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        ConfigError(format!(
            "config file {} is not valid TOML: {e}",
            file.display()
        ))
    })?;
    let mut defaults = Layer::new();
    let mut profiles = BTreeMap::new();
    for (k, v) in table {
        if k == "profiles" {
            let Some(ps) = v.as_table() else {
                return err(format!(
                    "{}: profiles must be tables: [profiles.NAME]",
                    file.display()
                ));
            };
            for (name, p) in ps {
                let Some(p) = p.as_table() else {
                    return err(format!(
                        "{}: [profiles.{name}] must be a table",
                        file.display()
                    ));
                };
                let mut layer = Layer::new();
                flatten(p, &format!("[profiles.{name}]"), file, &mut layer)?;
                profiles.insert(name.clone(), layer);
            }
        } else {
            let mut one = toml::Table::new();
            one.insert(k, v);
            flatten(&one, "the top level", file, &mut defaults)?;
        }
    }
    Ok((defaults, profiles))
}

fn flatten(t: &toml::Table, place: &str, file: &Path, out: &mut Layer) -> Result<(), ConfigError> {
    for (k, v) in t {
        if SECTIONS.contains(&k.as_str()) {
            let Some(inner) = v.as_table() else {
                return err(format!(
                    "{}: {k} in {place} must be a table ([{k}])",
                    file.display()
                ));
            };
            for (ik, iv) in inner {
                let full = format!("{k}.{ik}");
                out.insert(known_key(&full, place, file)?, iv.clone());
            }
        } else {
            out.insert(known_key(k, place, file)?, v.clone());
        }
    }
    Ok(())
}

fn known_key(k: &str, place: &str, file: &Path) -> Result<&'static str, ConfigError> {
    if let Some(d) = KEYS.iter().find(|d| d.key == k) {
        return Ok(d.key);
    }
    let valid: Vec<&str> = KEYS.iter().map(|d| d.key).chain(["profiles"]).collect();
    let suggestion = valid
        .iter()
        .map(|v| (strsim::jaro_winkler(v, k), v))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| format!(" (did you mean `{v}`?)"))
        .unwrap_or_default();
    err(format!(
        "{}: unknown key `{k}` in {place}{suggestion}; valid keys: {}",
        file.display(),
        valid.join(", ")
    ))
}

/// Flag values of a subcommand, as config keys.
#[derive(Default)]
pub struct FlagLayer(pub Layer);

impl FlagLayer {
    pub fn str(&mut self, key: &'static str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v {
            self.0
                .insert(def(key).key, toml::Value::String(v.to_string()));
        }
        self
    }
    pub fn path(&mut self, key: &'static str, v: Option<&Path>) -> &mut Self {
        self.str(key, v.map(|p| p.to_string_lossy()).as_deref())
    }
    pub fn flag(&mut self, key: &'static str, on: bool) -> &mut Self {
        if on {
            self.0.insert(def(key).key, toml::Value::Boolean(true));
        }
        self
    }
    pub fn int(&mut self, key: &'static str, v: Option<i64>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(def(key).key, toml::Value::Integer(v));
        }
        self
    }
    pub fn list(&mut self, key: &'static str, v: &[String]) -> &mut Self {
        if !v.is_empty() {
            self.0.insert(
                def(key).key,
                toml::Value::Array(v.iter().map(|s| toml::Value::String(s.clone())).collect()),
            );
        }
        self
    }
    pub fn duration(&mut self, key: &'static str, v: Option<Duration>) -> &mut Self {
        if let Some(v) = v {
            self.0.insert(def(key).key, duration_value(v));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let f = dir.join("revalidate.toml");
        std::fs::write(&f, text).unwrap();
        f
    }

    const FILE: &str = r#"
concurrency = 8
timeout = "3s"
pods = ["a=http://127.0.0.1:1"]
[endpoint]
template = "/api/revalidate?path={path}"
headers = ["x-revalidate-secret: ${SECRET}", "x-literal: hunter22"]
[profiles.staging]
concurrency = 16
pods_file = "staging-pods.txt"
[profiles.staging.verify]
max_body = "1MiB"
"#;

    #[test]
    fn precedence_is_flag_env_profile_file_default() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), FILE);
        let env = |k: &str| (k == "REVALIDATE_TIMEOUT").then(|| "7s".to_string());
        let mut flags = Layer::new();
        flags.insert("retries", toml::Value::Integer(5));
        let r = Resolved::load(Some(&f), Some("staging"), flags, &env).unwrap();
        assert_eq!(r.int("retries").unwrap(), Some(5));
        assert_eq!(r.source("retries"), Some(&Source::Flag));
        assert_eq!(r.duration("timeout").unwrap(), Some(Duration::from_secs(7)));
        assert_eq!(
            r.source("timeout"),
            Some(&Source::Env("REVALIDATE_TIMEOUT"))
        );
        assert_eq!(r.int("concurrency").unwrap(), Some(16));
        assert!(matches!(
            r.source("concurrency"),
            Some(Source::Profile { .. })
        ));
        assert_eq!(r.size("verify.max_body").unwrap(), Some(1 << 20));
        assert_eq!(r.list("pods").unwrap().0, vec!["a=http://127.0.0.1:1"]);
        assert!(matches!(r.source("pods"), Some(Source::File(_))));
        assert_eq!(r.int("per_pod_concurrency").unwrap(), Some(4));
        assert_eq!(r.source("per_pod_concurrency"), Some(&Source::Default));
        // Relative paths are relative to the config file.
        assert_eq!(
            r.path("pods_file").unwrap(),
            dir.path().join("staging-pods.txt")
        );
        // Profile's pods_file and the file's pods tie on precedence? No: the profile wins.
        assert_eq!(r.winners(&["pods", "pods_file"]), vec!["pods_file"]);
    }

    #[test]
    fn unknown_keys_are_named_with_the_valid_ones() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), "[profiles.x]\nconcurency = 3\n");
        let e = Resolved::load(Some(&f), None, Layer::new(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown key `concurency` in [profiles.x]"),
            "{e}"
        );
        assert!(e.contains("did you mean `concurrency`"), "{e}");
        assert!(e.contains("valid keys: pods, pods_file"), "{e}");
        let f = write(dir.path(), "[endpoint]\ntemplat = 'x'\n");
        let e = Resolved::load(Some(&f), None, Layer::new(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `endpoint.templat`"), "{e}");
    }

    #[test]
    fn bad_values_name_key_source_and_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), "concurrency = 0\n");
        let e = Resolved::load(Some(&f), None, Layer::new(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("concurrency = 0"), "{e}");
        assert!(e.contains("from 1 to 4096"), "{e}");
        let env = |k: &str| (k == "REVALIDATE_RETRIES").then(|| "many".to_string());
        let e = Resolved::load(None, None, Layer::new(), &env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("env REVALIDATE_RETRIES"), "{e}");
    }

    #[test]
    fn missing_profile_lists_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), FILE);
        let e = Resolved::load(Some(&f), Some("prod"), Layer::new(), &|_| None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("profile \"prod\" not found"), "{e}");
        assert!(e.contains("known profiles: staging"), "{e}");
    }

    #[test]
    fn render_redacts_literal_header_values() {
        let dir = tempfile::tempdir().unwrap();
        let f = write(dir.path(), FILE);
        let r = Resolved::load(Some(&f), None, Layer::new(), &|_| None).unwrap();
        let text = r.render(&[]);
        assert!(text.contains("x-revalidate-secret: ${SECRET}"), "{text}");
        assert!(text.contains("x-literal: <redacted>"), "{text}");
        assert!(!text.contains("hunter22"), "{text}");
        assert!(text.contains("per_pod_concurrency = 4"), "{text}");
        assert!(text.contains("# built-in default"), "{text}");
    }
}
