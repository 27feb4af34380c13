//! The kinds of value a configuration key holds, and how each is read from a config file, from an
//! environment variable, and shown by `revalidate config`.
//!
//! Invariant: a value that reaches a [`super::Layer`] already has its key's type and range, so a
//! bad one is refused where it was written (file, profile, environment), naming what is allowed.

use std::path::PathBuf;
use std::time::Duration;

/// What kind of flag a key's value makes on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// `--flag`: sets `true`.
    Switch,
    /// `--flag VALUE`, once.
    Value,
    /// `--flag VALUE`, repeatable (and comma-separated where the items allow).
    List,
}

/// A key's syntax check beyond its type: the text back, or what is wrong with it.
pub type Check = fn(&str) -> Result<String, String>;

/// Checks `s` as a command-line value of a `T` key: the parser behind every key's flag.
pub fn check_flag<T: KeyValue>(s: &str) -> Result<(), String> {
    T::from_flag(s).map(|_| ())
}

/// A value a configuration key can hold.
pub trait KeyValue: Sized + Clone {
    /// The kind of flag it makes.
    const KIND: FlagKind = FlagKind::Value;
    /// For lists: the separator of several items in one flag value.
    const DELIMITER: Option<char> = None;
    /// One value as written after its flag; the error says what is allowed.
    fn from_flag(s: &str) -> Result<Self, String> {
        Self::from_env(s)
    }
    /// The key's value from the command line, when it was given there.
    fn from_matches(m: &clap::ArgMatches, id: &str) -> Result<Option<Self>, String> {
        m.get_one::<String>(id)
            .map(|s| Self::from_flag(s))
            .transpose()
    }
    /// The value as it would be typed after its flag (shown as a flag's default); `None` when
    /// it is not worth showing (a switch's `false`).
    fn flag_text(&self) -> Option<String>;
    /// The names a value may take, for help and completions (choices only).
    fn choices() -> Vec<clap::builder::PossibleValue> {
        Vec::new()
    }
    /// Applies a key's syntax check to each text item of the value.
    fn check_items(&self, check: Option<Check>) -> Result<(), String> {
        let _ = check;
        Ok(())
    }
    /// From a config file; the error says what is allowed.
    fn from_toml(v: &toml::Value) -> Result<Self, String>;
    /// From an environment variable's text; the error says what is allowed.
    fn from_env(s: &str) -> Result<Self, String>;
    /// As `revalidate config` prints it (TOML).
    fn show(&self) -> String;
    /// As shown for a key displayed as `d`: credentials masked where they may appear.
    fn show_as(&self, d: crate::secret::Mask) -> String {
        let _ = d;
        self.show()
    }
}

impl KeyValue for bool {
    const KIND: FlagKind = FlagKind::Switch;
    fn from_matches(m: &clap::ArgMatches, id: &str) -> Result<Option<bool>, String> {
        Ok(m.get_flag(id).then_some(true))
    }
    fn flag_text(&self) -> Option<String> {
        self.then(|| "true".to_string())
    }
    fn from_toml(v: &toml::Value) -> Result<bool, String> {
        v.as_bool().ok_or_else(|| "must be true or false".into())
    }
    fn from_env(s: &str) -> Result<bool, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => Err("must be true or false (or 1/0, yes/no)".into()),
        }
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl KeyValue for String {
    fn flag_text(&self) -> Option<String> {
        Some(self.clone())
    }
    fn check_items(&self, check: Option<Check>) -> Result<(), String> {
        check.map_or(Ok(()), |c| c(self).map(|_| ()))
    }
    fn from_toml(v: &toml::Value) -> Result<String, String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "must be a string".into())
    }
    fn from_env(s: &str) -> Result<String, String> {
        Ok(s.to_string())
    }
    fn show(&self) -> String {
        toml::Value::String(self.clone()).to_string()
    }
    fn show_as(&self, d: crate::secret::Mask) -> String {
        toml::Value::String(crate::secret::show_masked(d, self)).to_string()
    }
}

impl KeyValue for PathBuf {
    fn flag_text(&self) -> Option<String> {
        Some(self.display().to_string())
    }
    fn from_toml(v: &toml::Value) -> Result<PathBuf, String> {
        v.as_str()
            .map(PathBuf::from)
            .ok_or_else(|| "must be a file path (a string)".into())
    }
    fn from_env(s: &str) -> Result<PathBuf, String> {
        Ok(PathBuf::from(s))
    }
    fn show(&self) -> String {
        toml::Value::String(self.display().to_string()).to_string()
    }
}

/// A whole number from `MIN` to `MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count<const MIN: u32, const MAX: u32>(pub u32);

impl<const MIN: u32, const MAX: u32> Count<MIN, MAX> {
    fn allowed() -> String {
        format!("must be a whole number from {MIN} to {MAX}")
    }
    fn check(n: i64) -> Result<Self, String> {
        if (i64::from(MIN)..=i64::from(MAX)).contains(&n) {
            Ok(Count(n as u32))
        } else {
            Err(Self::allowed())
        }
    }
}

impl<const MIN: u32, const MAX: u32> KeyValue for Count<MIN, MAX> {
    fn flag_text(&self) -> Option<String> {
        Some(self.0.to_string())
    }
    fn from_toml(v: &toml::Value) -> Result<Self, String> {
        v.as_integer()
            .ok_or_else(Self::allowed)
            .and_then(Self::check)
    }
    fn from_env(s: &str) -> Result<Self, String> {
        s.trim()
            .parse::<i64>()
            .map_err(|_| Self::allowed())
            .and_then(Self::check)
    }
    fn show(&self) -> String {
        self.0.to_string()
    }
}

/// A duration written with its unit: "500ms", "10s", "2m".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span(pub Duration);

impl KeyValue for Span {
    fn flag_text(&self) -> Option<String> {
        Some(humantime::format_duration(self.0).to_string())
    }
    fn from_toml(v: &toml::Value) -> Result<Span, String> {
        match v.as_str() {
            Some(s) => Span::from_env(s),
            None => Err("must be a duration string such as \"10s\" or \"500ms\"".into()),
        }
    }
    fn from_env(s: &str) -> Result<Span, String> {
        parse_duration(s).map(Span)
    }
    fn show(&self) -> String {
        toml::Value::String(humantime::format_duration(self.0).to_string()).to_string()
    }
}

/// A size in bytes, written "32MiB", "200KB" or as a number of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size(pub u64);

impl KeyValue for Size {
    fn flag_text(&self) -> Option<String> {
        let n = self.0;
        Some(if n.is_multiple_of(1 << 20) {
            format!("{}MiB", n >> 20)
        } else if n.is_multiple_of(1 << 10) {
            format!("{}KiB", n >> 10)
        } else {
            n.to_string()
        })
    }
    fn from_toml(v: &toml::Value) -> Result<Size, String> {
        match v {
            toml::Value::Integer(i) if *i >= 0 => Ok(Size(*i as u64)),
            toml::Value::String(s) => Size::from_env(s),
            _ => Err("must be a size such as \"32MiB\"".into()),
        }
    }
    fn from_env(s: &str) -> Result<Size, String> {
        parse_size(s).map(Size)
    }
    fn show(&self) -> String {
        let n = self.0;
        let text = if n != 0 && n.is_multiple_of(1 << 20) {
            format!("{}MiB", n >> 20)
        } else if n != 0 && n.is_multiple_of(1 << 10) {
            format!("{}KiB", n >> 10)
        } else {
            n.to_string()
        };
        toml::Value::String(text).to_string()
    }
}

/// One of a fixed set of names (any case), as clap lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice<T>(pub T);

fn choice_names<T: clap::ValueEnum>() -> Vec<String> {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|p| p.get_name().to_string())
        .collect()
}

fn parse_choice<T: clap::ValueEnum + Clone>(s: &str) -> Result<T, String> {
    T::from_str(s.trim(), true)
        .map_err(|_| format!("must be one of {}", choice_names::<T>().join(", ")))
}

fn choice_name<T: clap::ValueEnum>(t: &T) -> String {
    t.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

fn possible_values<T: clap::ValueEnum>() -> Vec<clap::builder::PossibleValue> {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .collect()
}

impl<T: clap::ValueEnum + Clone> KeyValue for Choice<T> {
    fn flag_text(&self) -> Option<String> {
        Some(choice_name(&self.0))
    }
    fn choices() -> Vec<clap::builder::PossibleValue> {
        possible_values::<T>()
    }
    fn from_toml(v: &toml::Value) -> Result<Self, String> {
        match v.as_str() {
            Some(s) => parse_choice(s).map(Choice),
            None => Err(format!("must be one of {}", choice_names::<T>().join(", "))),
        }
    }
    fn from_env(s: &str) -> Result<Self, String> {
        parse_choice(s).map(Choice)
    }
    fn show(&self) -> String {
        toml::Value::String(choice_name(&self.0)).to_string()
    }
}

/// An item of a list key.
pub trait ListItem: Sized + Clone {
    fn from_text(s: &str) -> Result<Self, String>;
    fn text(&self) -> String;
    /// Environment lists are split on commas (and newlines); spaces split too unless items may
    /// hold them.
    const SPLIT_ON_SPACE: bool;
    /// Several items in one flag value are separated by this (choices: `identity,gzip`).
    const DELIMITER: Option<char> = None;
    /// The names an item may take (choices only).
    fn choices() -> Vec<clap::builder::PossibleValue> {
        Vec::new()
    }
}

impl ListItem for String {
    fn from_text(s: &str) -> Result<String, String> {
        Ok(s.to_string())
    }
    fn text(&self) -> String {
        self.clone()
    }
    const SPLIT_ON_SPACE: bool = false;
}

/// A list item without spaces (pod specifications): environment lists split on spaces too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word(pub String);

impl ListItem for Word {
    fn from_text(s: &str) -> Result<Word, String> {
        Ok(Word(s.to_string()))
    }
    fn text(&self) -> String {
        self.0.clone()
    }
    const SPLIT_ON_SPACE: bool = true;
}

impl<T: clap::ValueEnum + Clone> ListItem for Choice<T> {
    fn from_text(s: &str) -> Result<Self, String> {
        parse_choice(s)
            .map(Choice)
            .map_err(|e| format!("every item {e}"))
    }
    fn text(&self) -> String {
        choice_name(&self.0)
    }
    const SPLIT_ON_SPACE: bool = true;
    const DELIMITER: Option<char> = Some(',');
    fn choices() -> Vec<clap::builder::PossibleValue> {
        possible_values::<T>()
    }
}

impl<T: ListItem> KeyValue for Vec<T> {
    const KIND: FlagKind = FlagKind::List;
    const DELIMITER: Option<char> = T::DELIMITER;
    fn from_flag(s: &str) -> Result<Vec<T>, String> {
        T::from_text(s).map(|t| vec![t])
    }
    fn from_matches(m: &clap::ArgMatches, id: &str) -> Result<Option<Vec<T>>, String> {
        let Some(items) = m.get_many::<String>(id) else {
            return Ok(None);
        };
        let items = items
            .map(|s| T::from_text(s))
            .collect::<Result<Vec<T>, String>>()?;
        Ok((!items.is_empty()).then_some(items))
    }
    fn flag_text(&self) -> Option<String> {
        let sep = T::DELIMITER.map_or(" ".to_string(), String::from);
        Some(
            self.iter()
                .map(ListItem::text)
                .collect::<Vec<_>>()
                .join(&sep),
        )
    }
    fn choices() -> Vec<clap::builder::PossibleValue> {
        T::choices()
    }
    fn check_items(&self, check: Option<Check>) -> Result<(), String> {
        match check {
            Some(c) => self.iter().try_for_each(|i| c(&i.text()).map(|_| ())),
            None => Ok(()),
        }
    }
    fn from_toml(v: &toml::Value) -> Result<Vec<T>, String> {
        let bad = || "must be a list of strings, e.g. [\"a\", \"b\"]".to_string();
        let items = v.as_array().ok_or_else(bad)?;
        items
            .iter()
            .map(|i| i.as_str().ok_or_else(bad).and_then(T::from_text))
            .collect()
    }
    fn from_env(s: &str) -> Result<Vec<T>, String> {
        s.split(|c: char| c == ',' || c == '\n' || (T::SPLIT_ON_SPACE && c == ' '))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(T::from_text)
            .collect()
    }
    fn show(&self) -> String {
        self.show_as(crate::secret::Mask::Plain)
    }
    fn show_as(&self, d: crate::secret::Mask) -> String {
        toml::Value::Array(
            self.iter()
                .map(|i| toml::Value::String(crate::secret::show_masked(d, &i.text())))
                .collect(),
        )
        .to_string()
    }
}

/// An array of tables, written `[[section.key]]` in a config file: structured settings (serve's
/// routes) read whole from one layer and checked by the code that uses them, which knows their
/// fields. Only a config file (or a profile in it) can hold one: no flag, no environment variable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tables(pub Vec<toml::Table>);

impl KeyValue for Tables {
    fn flag_text(&self) -> Option<String> {
        None
    }
    fn from_toml(v: &toml::Value) -> Result<Tables, String> {
        let bad = || {
            "must be an array of tables: [[section.key]] blocks, each with its keys below it"
                .to_string()
        };
        v.as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|t| t.as_table().cloned().ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()
            .map(Tables)
    }
    fn from_env(_: &str) -> Result<Tables, String> {
        Err("can only be set in a config file".into())
    }
    /// The tables by their `name`, not whole: `revalidate config` prints a line a key.
    fn show(&self) -> String {
        let names: Vec<String> = self
            .0
            .iter()
            .map(|t| match t.get("name") {
                Some(n) => n.to_string(),
                None => "(no name)".into(),
            })
            .collect();
        format!(
            "{} table{}{}{}",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" },
            if names.is_empty() { "" } else { ": " },
            names.join(", ")
        )
    }
}

/// Parses "500ms", "10s", "2m", "1h30m"; a bare number is refused because its unit would be a guess.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() || t.bytes().all(|b| b.is_ascii_digit()) && t != "0" {
        return Err(format!(
            "{s:?} is not a duration: give a number with a unit, e.g. 500ms, 10s, 2m, 1h"
        ));
    }
    humantime::parse_duration(t).map_err(|e| {
        format!("{s:?} is not a duration ({e}): give a number with a unit, e.g. 500ms, 10s, 2m, 1h")
    })
}

/// `--catch-up-since`: from when the agent catches up on the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// The time of the app's build (the default).
    Build,
    /// No catch-up from the record.
    Off,
    /// This long before the agent starts.
    Ago(Duration),
    /// This moment.
    At(std::time::SystemTime),
}

/// Parses "build", "off", a duration back from now ("2h") or an RFC 3339 time
/// ("2026-12-08T09:00:00Z", "2026-12-08T10:00:00+01:00").
pub fn parse_since(s: &str) -> Result<Since, String> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "build" => return Ok(Since::Build),
        "off" => return Ok(Since::Off),
        _ => {}
    }
    let bad = || {
        format!(
            "{s:?} is not a time to catch up from: give build (the app's build time), off, a duration back from now such as 2h, or an RFC 3339 time such as 2026-12-08T09:00:00Z"
        )
    };
    if t.contains('T') || t.contains('t') || (t.contains('-') && t.contains(':')) {
        return parse_rfc3339(t).map(Since::At).ok_or_else(bad);
    }
    let d = parse_duration(t).map_err(|_| bad())?;
    if d.is_zero() {
        return Err(format!(
            "{s:?}: a catch-up since 0 ago reads nothing; give e.g. 2h, or off"
        ));
    }
    Ok(Since::Ago(d))
}

/// An RFC 3339 time with `Z` or a numeric offset.
fn parse_rfc3339(t: &str) -> Option<std::time::SystemTime> {
    if let Some(base) = t.strip_suffix(['Z', 'z']) {
        return humantime::parse_rfc3339_weak(base).ok();
    }
    let (base, offset) = t.split_at(t.len().checked_sub(6)?);
    let sign = match offset.as_bytes()[0] {
        b'+' => 1i64,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = offset[1..].split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    let local = humantime::parse_rfc3339_weak(base).ok()?;
    let shift = Duration::from_secs((h * 3600 + m * 60) as u64);
    // 10:00+01:00 is 09:00Z.
    if sign > 0 {
        local.checked_sub(shift)
    } else {
        local.checked_add(shift)
    }
}

/// The syntax check of `--catch-up-since`.
pub fn parse_since_syntax(s: &str) -> Result<String, String> {
    parse_since(s).map(|_| s.to_string())
}

/// Parses a size: 1048576, 512KiB, 32MiB, 1GiB, 200KB, 1MB (KB/MB are decimal, KiB/MiB binary).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let bad =
        || format!("{s:?} is not a size: use bytes or a unit, e.g. 512KiB, 32MiB, 1GiB, 200KB");
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    n.checked_mul(mult).ok_or_else(bad)
}

/// Checks 'Name: value' syntax; the value is expanded later, when secrets are read.
pub fn parse_header_syntax(s: &str) -> Result<String, String> {
    let Some((name, _value)) = s.split_once(':') else {
        return Err(format!("{s:?} is not a header: write 'Name: value'"));
    };
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(is_token_char) {
        return Err(format!(
            "{name:?} is not a valid header name: letters, digits and !#$%&'*+-.^_`|~ only"
        ));
    }
    if s.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err("a header must not contain CR, LF or NUL".into());
    }
    Ok(s.to_string())
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Checks KEY=VALUE syntax for --expect-json.
pub fn parse_expect_json_syntax(s: &str) -> Result<String, String> {
    match s.split_once('=') {
        Some((k, _)) if !k.trim().is_empty() => Ok(s.to_string()),
        _ => Err(format!(
            "{s:?} is not KEY=VALUE: e.g. revalidated=true or result.ok=1 (dotted keys reach nested fields)"
        )),
    }
}

/// Compiling a regex is pure, so it may happen here: a bad pattern is a usage error at once.
pub fn parse_regex_syntax(s: &str) -> Result<String, String> {
    regex::Regex::new(s)
        .map(|_| s.to_string())
        .map_err(|e| format!("{s:?} is not a valid regular expression: {e}"))
}

/// A channel name: what PUBLISH and SUBSCRIBE accept and people can read back.
pub fn check_channel(c: &str) -> Result<(), String> {
    if c.is_empty() {
        return Err("a channel name cannot be empty".into());
    }
    if c.chars().any(char::is_control) {
        return Err("a channel name cannot contain control characters".into());
    }
    if c.len() > 1024 {
        return Err("a channel name of more than 1024 bytes is surely a mistake".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn catch_up_since_takes_build_off_a_duration_or_a_time() {
        use std::time::UNIX_EPOCH;
        assert_eq!(parse_since("build"), Ok(Since::Build));
        assert_eq!(parse_since("OFF"), Ok(Since::Off));
        assert_eq!(parse_since("2h"), Ok(Since::Ago(Duration::from_secs(7200))));
        let at = |s: &str| match parse_since(s) {
            Ok(Since::At(t)) => t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(at("2026-12-08T09:00:00Z"), 1_796_720_400);
        assert_eq!(at("2026-12-08T10:00:00+01:00"), 1_796_720_400);
        assert_eq!(at("2026-12-08T08:30:00-00:30"), 1_796_720_400);
        for bad in [
            "yesterday",
            "0s",
            "2026-13-08T09:00:00Z",
            "2026-12-08T09:00:00+25:00",
            "5",
        ] {
            let e = parse_since(bad).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert!(parse_duration("10").unwrap_err().contains("with a unit"));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("32MiB").unwrap(), 32 << 20);
        assert_eq!(parse_size("200KB").unwrap(), 200_000);
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999GiB").is_err());
    }

    #[test]
    fn headers() {
        assert!(parse_header_syntax("x-revalidate-secret: ${S}").is_ok());
        assert!(parse_header_syntax("no colon").is_err());
        assert!(parse_header_syntax("bad name: v").is_err());
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
    enum Fruit {
        Apple,
        #[value(name = "PEAR")]
        Pear,
    }

    #[test]
    fn counts_check_their_range_from_files_and_env() {
        type C = Count<1, 10>;
        assert_eq!(C::from_toml(&toml::Value::Integer(3)).unwrap(), Count(3));
        assert_eq!(
            C::from_toml(&toml::Value::Integer(0)).unwrap_err(),
            "must be a whole number from 1 to 10"
        );
        assert!(C::from_env("many").is_err());
        assert_eq!(C::from_env(" 7 ").unwrap().show(), "7");
    }

    #[test]
    fn choices_are_case_insensitive_and_list_the_names() {
        assert_eq!(Choice::<Fruit>::from_env("pear").unwrap().0, Fruit::Pear);
        assert_eq!(
            Choice::<Fruit>::from_env("APPLE").unwrap().show(),
            "\"apple\""
        );
        assert_eq!(
            Choice::<Fruit>::from_env("kiwi").unwrap_err(),
            "must be one of apple, PEAR"
        );
        let list = Vec::<Choice<Fruit>>::from_env("apple pear,apple").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list.show(), r#"["apple", "PEAR", "apple"]"#);
    }

    #[test]
    fn spans_and_sizes_read_and_show_with_units() {
        assert_eq!(Span::from_env("1m30s").unwrap().0, Duration::from_secs(90));
        assert_eq!(Span(Duration::from_millis(500)).show(), "\"500ms\"");
        assert!(Span::from_toml(&toml::Value::Integer(3)).is_err());
        assert_eq!(Size::from_env("32MiB").unwrap().show(), "\"32MiB\"");
        assert_eq!(
            Size::from_toml(&toml::Value::Integer(1000)).unwrap().0,
            1000
        );
    }

    #[test]
    fn string_lists_split_on_commas_words_on_spaces_too() {
        let l = Vec::<String>::from_env("x-a: 1 2, x-b: 3\nx-c: 4").unwrap();
        assert_eq!(l, vec!["x-a: 1 2", "x-b: 3", "x-c: 4"]);
        let w = Vec::<Word>::from_env("a=http://x:1 b=http://y:2,c").unwrap();
        let w: Vec<String> = w.into_iter().map(|w| w.0).collect();
        assert_eq!(w, vec!["a=http://x:1", "b=http://y:2", "c"]);
    }
}
