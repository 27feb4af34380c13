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

/// One declared key: everything the command line, the environment, the config file and
/// `revalidate config` need to know of it.
#[derive(Clone, Copy, Debug)]
pub struct KeyInfo {
    /// The dotted name in files (`section.key`), also the flag's clap id.
    pub name: &'static str,
    pub env: Option<&'static str>,
    /// The long flag that sets it (`--timeout`); none for file- and env-only keys.
    pub flag: Option<&'static str>,
    pub short: Option<char>,
    /// The flag's value placeholder; the flag's own name in capitals when not given.
    pub value_name: Option<&'static str>,
    /// The doc comment: its first paragraph is the flag's help, the whole its long help.
    pub doc: &'static str,
    /// What an unset key without a built-in default means, shown as the flag's default.
    pub unset: Option<&'static str>,
    pub display: crate::secret::Mask,
    /// A syntax check beyond the value's type (a header line, a regular expression), applied to
    /// every text item wherever the value comes from.
    pub check: Option<crate::config::value::Check>,
    /// What kind of flag the value makes, its parser and its choices, from the value's type.
    pub kind: crate::config::value::FlagKind,
    pub parse: fn(&str) -> Result<(), String>,
    pub choices: fn() -> Vec<clap::builder::PossibleValue>,
    pub delimiter: Option<char>,
    /// The built-in default as typed on a command line, when the key has one.
    pub default: fn() -> Option<String>,
}

impl KeyInfo {
    /// The declared key named `name` (its file name); `None` for an unknown name.
    pub fn get(name: &str) -> Option<&'static KeyInfo> {
        KEYS.iter().find(|k| k.name == name)
    }

    /// Whether `s` passes the key's value check (type, range, syntax), as a flag or env value.
    pub fn check_text(&self, s: &str) -> Result<(), String> {
        (self.parse)(s)?;
        match self.check {
            Some(c) => c(s).map(|_| ()),
            None => Ok(()),
        }
    }
}

/// `None`, or `Some` of the one expression given: optional fields of a key's declaration.
macro_rules! opt {
    () => {
        None
    };
    ($e:expr) => {
        Some($e)
    };
}

/// The display of a key: `Plain` unless declared.
macro_rules! mask {
    () => {
        $crate::secret::Mask::Plain
    };
    ($m:ident) => {
        $crate::secret::Mask::$m
    };
}

/// Declares every configuration key once: a field of [`Layer`] and of [`Resolved`], an entry of
/// [`KEYS`] (from which the command line's flags are built, see [`super::flags`]), the code that
/// reads it from flags, files and the environment, and a constant of [`key`] naming it.
macro_rules! config_keys {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident : $ty:ty = $name:literal {
            $(flag: $flag:literal,)?
            $(short: $short:literal,)?
            $(value_name: $value_name:literal,)?
            $(env: $env:literal,)?
            $(default: $default:expr,)?
            $(unset: $unset:literal,)?
            $(display: $display:ident,)?
            $(check: $check:path,)?
        }
    )*) => {
        /// One layer of configuration: every key, set or not.
        #[derive(Clone, Debug, Default)]
        pub struct Layer {
            $( $(#[doc = $doc])* pub $field: Option<$ty>, )*
        }

        /// The name of every key, as a constant: key sets name their keys through these, so a
        /// key that is not declared is a compile error.
        #[allow(non_upper_case_globals)]
        pub mod key {
            $( pub const $field: &str = $name; )*
        }

        /// Every key, in the order `revalidate config` prints them.
        pub const KEYS: &[$crate::config::layers::KeyInfo] = &[
            $( $crate::config::layers::KeyInfo {
                name: $name,
                env: $crate::config::layers::opt!($($env)?),
                flag: $crate::config::layers::opt!($($flag)?),
                short: $crate::config::layers::opt!($($short)?),
                value_name: $crate::config::layers::opt!($($value_name)?),
                doc: concat!($($doc, "\n"),*),
                unset: $crate::config::layers::opt!($($unset)?),
                display: $crate::config::layers::mask!($($display)?),
                check: $crate::config::layers::opt!($($check)?),
                kind: <$ty as $crate::config::value::KeyValue>::KIND,
                parse: $crate::config::value::check_flag::<$ty>,
                choices: <$ty as $crate::config::value::KeyValue>::choices,
                delimiter: <$ty as $crate::config::value::KeyValue>::DELIMITER,
                default: || {
                    let d: Option<$ty> = $crate::config::layers::opt!($($default)?);
                    d.and_then(|d| $crate::config::value::KeyValue::flag_text(&d))
                },
            }, )*
        ];

        impl Layer {
            /// The built-in defaults.
            pub fn defaults() -> Layer {
                Layer { $( $field: $crate::config::layers::opt!($($default)?), )* }
            }

            /// Every key set in `self`, else in `other`.
            pub fn or(self, other: Layer) -> Layer {
                Layer { $( $field: self.$field.or(other.$field), )* }
            }

            /// Sets `name` from a config-file value; `None` when no such key exists.
            pub(crate) fn set_toml(&mut self, name: &str, v: &toml::Value) -> Option<Result<(), String>> {
                use $crate::config::value::KeyValue;
                match name {
                    $( $name => Some(<$ty as KeyValue>::from_toml(v)
                        .and_then(|x| x.check_items($crate::config::layers::opt!($($check)?)).map(|()| x))
                        .map(|x| self.$field = Some(x))), )*
                    _ => None,
                }
            }

            /// Sets `name` from an environment variable's text.
            pub(crate) fn set_env(&mut self, name: &str, v: &str) -> Option<Result<(), String>> {
                use $crate::config::value::KeyValue;
                match name {
                    $( $name => Some(<$ty as KeyValue>::from_env(v)
                        .and_then(|x| x.check_items($crate::config::layers::opt!($($check)?)).map(|()| x))
                        .map(|x| self.$field = Some(x))), )*
                    _ => None,
                }
            }

            /// Sets `name` from the command line, when given there (clap already checked it).
            pub(crate) fn set_flag(&mut self, name: &str, m: &clap::ArgMatches) -> Result<(), String> {
                use $crate::config::value::KeyValue;
                match name {
                    $( $name => {
                        if let Some(x) = <$ty as KeyValue>::from_matches(m, $name)? {
                            self.$field = Some(x);
                        }
                        Ok(())
                    } )*
                    _ => Err(format!("no such key: {name}")),
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
                        (s.value.show_as($crate::config::layers::mask!($($display)?)), &s.source)
                    }), )*
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use {config_keys, mask, opt};

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
