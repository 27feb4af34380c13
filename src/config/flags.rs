//! The command line as the top configuration layer, built from the key declarations: each key
//! that has a flag becomes a clap argument (name, short, value name, help with its default and
//! environment variable, parser, choices) straight from [`super::KEYS`], and reads back into a
//! [`Layer`]. A command names the keys it takes with a [`KeySet`]; nothing maps flags to keys by
//! hand. A flag not given leaves its key unset, so lower layers can set it.

use std::marker::PhantomData;

use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use super::keys::Layer;
use super::layers::KeyInfo;
use super::value::FlagKind;

/// The keys a command (or a group of its options) takes, under one help heading.
pub trait KeySet {
    /// Their names, as [`super::keys::key`] constants, in the order help lists them.
    const KEYS: &'static [&'static str];
    /// The help heading they are listed under (`None`: the command's own options).
    const HEADING: Option<&'static str> = None;
    /// Whether they may be given before or after the subcommand.
    const GLOBAL: bool = false;
}

/// Declares a [`KeySet`]: `key_set!(Name, "Heading", [key::a, key::b])`, with `global` before
/// the heading for options every subcommand takes.
#[macro_export]
macro_rules! key_set {
    ($(#[$m:meta])* $name:ident, global, $heading:expr, [$($k:expr),* $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl $crate::config::flags::KeySet for $name {
            const KEYS: &'static [&'static str] = &[$($k),*];
            const HEADING: Option<&'static str> = $heading;
            const GLOBAL: bool = true;
        }
    };
    ($(#[$m:meta])* $name:ident, $heading:expr, [$($k:expr),* $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl $crate::config::flags::KeySet for $name {
            const KEYS: &'static [&'static str] = &[$($k),*];
            const HEADING: Option<&'static str> = $heading;
        }
    };
}

/// The flags of a [`KeySet`], as clap parses them and as the layer they set.
#[derive(Debug, Clone)]
pub struct Flags<S> {
    /// Boxed: a layer has a field for every key, and a command holds several sets.
    pub layer: Box<Layer>,
    set: PhantomData<S>,
}

impl<S> Default for Flags<S> {
    fn default() -> Self {
        Flags {
            layer: Box::default(),
            set: PhantomData,
        }
    }
}

fn info(name: &str) -> &'static KeyInfo {
    KeyInfo::get(name).unwrap_or_else(|| panic!("key set names an undeclared key {name:?}"))
}

/// The first paragraph of a doc comment, as one line.
fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The help of a key's flag: its doc comment's first paragraph, then its default (or what an
/// unset key means) and its environment variable, in clap's brackets.
pub fn help(k: &KeyInfo) -> String {
    let mut help = first_paragraph(k.doc);
    if let Some(d) = (k.default)().or(k.unset.map(str::to_string)) {
        help.push_str(&format!(" [default: {d}]"));
    }
    if let Some(env) = k.env {
        help.push_str(&format!(" [env: {env}]"));
    }
    help
}

/// The clap argument of one key.
pub fn arg(k: &'static KeyInfo, heading: Option<&'static str>, global: bool) -> Arg {
    let long = k
        .flag
        .and_then(|f| f.strip_prefix("--"))
        .unwrap_or_else(|| panic!("key {} has no flag", k.name));
    let mut a = Arg::new(k.name)
        .long(long)
        .help(help(k))
        .global(global)
        .required(false);
    if k.doc.trim_end().contains("\n\n") {
        let long_help = k.doc.split("\n\n").map(first_paragraph).collect::<Vec<_>>();
        a = a.long_help(format!("{}\n\n{}", help(k), long_help[1..].join("\n\n")));
    }
    if let Some(s) = k.short {
        a = a.short(s);
    }
    if let Some(h) = heading {
        a = a.help_heading(h);
    }
    if k.kind == FlagKind::Switch {
        return a.action(ArgAction::SetTrue);
    }
    let value_name = k
        .value_name
        .map(str::to_string)
        .unwrap_or_else(|| long.replace('-', "_").to_ascii_uppercase());
    a = a.value_name(value_name).action(match k.kind {
        FlagKind::List => ArgAction::Append,
        _ => ArgAction::Set,
    });
    if let Some(d) = k.delimiter {
        a = a.value_delimiter(d);
    }
    let choices = (k.choices)();
    if choices.is_empty() {
        a.value_parser(ValueParser::new(move |s: &str| {
            k.check_text(s).map(|()| s.to_string())
        }))
    } else {
        a.value_parser(PossibleValuesParser::new(choices))
            .ignore_case(true)
    }
}

impl<S: KeySet> Args for Flags<S> {
    /// A command made of several sets (`run` takes the keys of every step) gets each key once,
    /// from the first set naming it, and a short flag only while no other flag has it.
    fn augment_args(cmd: Command) -> Command {
        S::KEYS.iter().fold(cmd, |cmd, name| {
            if cmd.get_arguments().any(|a| a.get_id().as_str() == *name) {
                return cmd;
            }
            let mut a = arg(info(name), S::HEADING, S::GLOBAL);
            if let Some(short) = a.get_short()
                && cmd.get_arguments().any(|b| b.get_short() == Some(short))
            {
                a = a.short(None);
            }
            cmd.arg(a)
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl<S: KeySet> FromArgMatches for Flags<S> {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = Flags::default();
        flags.update_from_arg_matches(m)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        for name in S::KEYS {
            self.layer.set_flag(name, m).map_err(|why| {
                clap::Error::raw(
                    clap::error::ErrorKind::ValueValidation,
                    format!("{}: {why}\n", info(name).flag.unwrap_or(name)),
                )
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::KEYS;

    #[test]
    fn every_flag_help_is_one_line_with_its_default_from_the_declaration() {
        for k in KEYS.iter().filter(|k| k.flag.is_some()) {
            let h = help(k);
            assert!(!h.contains('\n'), "{}: {h}", k.name);
            assert!(!first_paragraph(k.doc).is_empty(), "{} has no help", k.name);
            // The default in help is generated: a doc comment never types one.
            assert!(!k.doc.contains("[default:"), "{} types its default", k.name);
        }
        let timeout = KeyInfo::get("timeout").unwrap();
        assert!(help(timeout).ends_with("[default: 10s] [env: REVALIDATE_TIMEOUT]"));
        let encodings = KeyInfo::get("verify.encodings").unwrap();
        assert!(help(encodings).ends_with("[default: identity,gzip,br]"));
    }
}
