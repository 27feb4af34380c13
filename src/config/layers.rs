//! Configuration layers: the command line, the environment, a profile, the file's defaults and
//! the built-in defaults, merged key by key with a source for every value.
//!
//! Every key is declared once, in [`super::keys`], through [`config_keys!`]: its field, its
//! dotted name in files, its environment variable, its flag and how it is shown. Invariants: a
//! key nobody declared is a compile error in code and an error naming the valid keys in a file;
//! a bad value is refused where it was written, naming the key, its source and what is allowed;
//! relative paths in a file are relative to that file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::keys::{KEYS, Layer};
use crate::error::ConfigError;

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

/// A value with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl Sourced<PathBuf> {
    /// The path, made relative to the config file when it came from one.
    pub fn path(&self) -> PathBuf {
        match self.source.base_dir() {
            Some(dir) if self.value.is_relative() && !dir.as_os_str().is_empty() => {
                dir.join(&self.value)
            }
            _ => self.value.clone(),
        }
    }
}

/// One declared key.
#[derive(Clone, Copy, Debug)]
pub struct KeyInfo {
    /// The dotted name in files (`section.key`).
    pub name: &'static str,
    pub env: Option<&'static str>,
    /// The flag that sets it, for messages.
    pub flag: Option<&'static str>,
    pub display: crate::secret::Mask,
}

/// Declares every configuration key once: a field of [`Layer`] and of [`Resolved`], an entry of
/// [`KEYS`], and the code that reads it from files and the environment.
macro_rules! config_keys {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident : $ty:ty = $name:literal {
            env: $env:expr,
            flag: $flag:expr,
            default: $default:expr,
            display: $display:ident $(,)?
        }
    )*) => {
        /// One layer of configuration: every key, set or not.
        #[derive(Clone, Debug, Default)]
        pub struct Layer {
            $( $(#[doc = $doc])* pub $field: Option<$ty>, )*
        }

        /// Every key, in the order `revalidate config` prints them.
        pub const KEYS: &[$crate::config::layers::KeyInfo] = &[
            $( $crate::config::layers::KeyInfo {
                name: $name,
                env: $env,
                flag: $flag,
                display: $crate::secret::Mask::$display,
            }, )*
        ];

        impl Layer {
            /// The built-in defaults.
            pub fn defaults() -> Layer {
                Layer { $( $field: $default, )* }
            }

            /// Sets `name` from a config-file value; `None` when no such key exists.
            pub(crate) fn set_toml(&mut self, name: &str, v: &toml::Value) -> Option<Result<(), String>> {
                use $crate::config::value::KeyValue;
                match name {
                    $( $name => Some(<$ty as KeyValue>::from_toml(v).map(|x| self.$field = Some(x))), )*
                    _ => None,
                }
            }

            /// Sets `name` from an environment variable's text.
            pub(crate) fn set_env(&mut self, name: &str, v: &str) -> Option<Result<(), String>> {
                use $crate::config::value::KeyValue;
                match name {
                    $( $name => Some(<$ty as KeyValue>::from_env(v).map(|x| self.$field = Some(x))), )*
                    _ => None,
                }
            }
        }

        /// Every key's winning value and its source.
        #[derive(Clone, Debug, Default)]
        pub struct Resolved {
            $( pub $field: Option<$crate::config::layers::Sourced<$ty>>, )*
        }

        impl Resolved {
            /// The first layer (highest precedence first) that sets a key wins it.
            pub(crate) fn from_layers(layers: &[(Layer, $crate::config::layers::Source)]) -> Resolved {
                Resolved { $(
                    $field: layers.iter().find_map(|(l, s)| {
                        l.$field.clone().map(|value| $crate::config::layers::Sourced { value, source: s.clone() })
                    }),
                )* }
            }

            /// A key's value as TOML text (credentials masked) and its source.
            pub(crate) fn shown(&self, name: &str) -> Option<(String, &$crate::config::layers::Source)> {
                use $crate::config::value::KeyValue;
                match name {
                    $( $name => self.$field.as_ref().map(|s| {
                        (s.value.show_as($crate::secret::Mask::$display), &s.source)
                    }), )*
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use config_keys;

/// The keys that are sections (`[endpoint]`), derived from the dotted names.
fn is_section(k: &str) -> bool {
    KEYS.iter()
        .any(|d| d.name.split_once('.').is_some_and(|(s, _)| s == k))
}

/// Reads a config file: its top-level defaults and each profile.
pub fn parse_file(file: &Path) -> Result<(Layer, BTreeMap<String, Layer>), ConfigError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", file.display())))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        ConfigError(format!(
            "config file {} is not valid TOML: {e}",
            file.display()
        ))
    })?;
    let mut defaults = Layer::default();
    let mut profiles = BTreeMap::new();
    let src = Source::File(file.to_path_buf());
    let mut top = toml::Table::new();
    for (k, v) in table {
        if k != "profiles" {
            top.insert(k, v);
            continue;
        }
        let Some(ps) = v.as_table() else {
            return Err(ConfigError(format!(
                "{}: profiles must be tables: [profiles.NAME]",
                file.display()
            )));
        };
        for (name, p) in ps {
            let Some(p) = p.as_table() else {
                return Err(ConfigError(format!(
                    "{}: [profiles.{name}] must be a table",
                    file.display()
                )));
            };
            let mut layer = Layer::default();
            let psrc = Source::Profile {
                name: name.clone(),
                file: file.to_path_buf(),
            };
            read_table(p, &format!("profiles.{name}"), &psrc, file, &mut layer)?;
            profiles.insert(name.clone(), layer);
        }
    }
    read_table(&top, "", &src, file, &mut defaults)?;
    Ok((defaults, profiles))
}

/// Reads one table (the top level, or a profile) into `out`, descending into sections.
fn read_table(
    t: &toml::Table,
    prefix: &str,
    src: &Source,
    file: &Path,
    out: &mut Layer,
) -> Result<(), ConfigError> {
    for (k, v) in t {
        if is_section(k) {
            let place = if prefix.is_empty() {
                format!("[{k}]")
            } else {
                format!("[{prefix}.{k}]")
            };
            let Some(inner) = v.as_table() else {
                return Err(ConfigError(format!(
                    "{}: {k} must be a table ({place})",
                    file.display()
                )));
            };
            for (ik, iv) in inner {
                set(out, &format!("{k}.{ik}"), iv, &place, src, file)?;
            }
        } else {
            let place = if prefix.is_empty() {
                "the top level".to_string()
            } else {
                format!("[{prefix}]")
            };
            set(out, k, v, &place, src, file)?;
        }
    }
    Ok(())
}

fn set(
    out: &mut Layer,
    key: &str,
    v: &toml::Value,
    place: &str,
    src: &Source,
    file: &Path,
) -> Result<(), ConfigError> {
    match out.set_toml(key, v) {
        Some(Ok(())) => Ok(()),
        Some(Err(allowed)) => {
            // Values of keys that may hold secrets are not repeated in the message.
            let plain = KEYS
                .iter()
                .any(|k| k.name == key && k.display == crate::secret::Mask::Plain);
            let shown = if plain { v.to_string() } else { "…".into() };
            Err(ConfigError(format!("{key} = {shown} ({src}): {allowed}")))
        }
        None => Err(unknown_key(key, place, file)),
    }
}

fn unknown_key(k: &str, place: &str, file: &Path) -> ConfigError {
    let valid: Vec<&str> = KEYS.iter().map(|d| d.name).chain(["profiles"]).collect();
    let suggestion = valid
        .iter()
        .map(|v| (strsim::jaro_winkler(v, k), v))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| format!(" (did you mean `{v}`?)"))
        .unwrap_or_default();
    ConfigError(format!(
        "{}: unknown key `{k}` in {place}{suggestion}; valid keys: {}",
        file.display(),
        valid.join(", ")
    ))
}

/// The environment layer: every key with an environment variable that is set and not empty.
/// `env` is a seam so tests can supply an environment.
pub fn env_layer(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(Layer, Source)>, ConfigError> {
    let mut out = Vec::new();
    for k in KEYS {
        let Some(var) = k.env else { continue };
        let Some(v) = env(var).filter(|v| !v.is_empty()) else {
            continue;
        };
        let mut l = Layer::default();
        if let Some(Err(allowed)) = l.set_env(k.name, &v) {
            return Err(ConfigError(format!(
                "{} = {v:?} (env {var}): {allowed}",
                k.name
            )));
        }
        out.push((l, Source::Env(var)));
    }
    Ok(out)
}
