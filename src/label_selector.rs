//! Kubernetes label selectors (`app=web`, `tier in (web,api),!canary`), read with the grammar
//! and the rules kube-apiserver applies, so a selector it would refuse is refused here, with the
//! place and the reason, before anything is sent.
//!
//! Invariant: [`LabelSelector::parse`] accepts what the API server's parser accepts:
//! requirements separated by commas, each `key=value`, `key==value`, `key!=value`,
//! `key in (v1,v2)`, `key notin (v1,v2)`, `key`, `!key`, `key>N` or `key<N`, where a key is an
//! optional DNS subdomain and `/` followed by a name of at most 63 letters, digits, `-`, `_` and
//! `.` (starting and ending with a letter or digit), and a value is empty or such a name. Spaces,
//! tabs, CR and LF separate tokens. The one difference: a NUL byte, which the API server takes
//! for a separator, is refused. A leaf: nothing else of this crate is used.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a selector is, for messages.
pub const FORMS: &str = "requirements separated by commas, each key=value, key!=value, key in (v1,v2), key notin (v1,v2), key or !key (e.g. app=web,tier in (frontend,edge))";

/// One requirement's test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `key=value` or `key==value`.
    Equals(String),
    /// `key!=value`: also true when the label is absent.
    NotEquals(String),
    /// `key in (a,b)`.
    In(BTreeSet<String>),
    /// `key notin (a,b)`: also true when the label is absent.
    NotIn(BTreeSet<String>),
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key>N`: the label is a whole number above N.
    GreaterThan(i64),
    /// `key<N`: the label is a whole number below N.
    LessThan(i64),
}

/// One requirement: a label key and its test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
}

/// A parsed label selector; the empty one selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

/// Why a selector does not parse, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    /// 1-based, in characters.
    pub column: usize,
    pub problem: String,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at column {})", self.problem, self.column)
    }
}

impl std::error::Error for SelectorError {}

impl LabelSelector {
    /// Parses a selector as kube-apiserver does.
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let tokens = lex(text);
        Parser {
            text,
            tokens,
            pos: 0,
        }
        .selector()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether a set of labels satisfies every requirement, as the API server decides.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let label = labels.get(&r.key).map(String::as_str);
            let number = || label.and_then(|l| l.parse::<i64>().ok());
            match &r.op {
                Op::Equals(v) => label == Some(v.as_str()),
                Op::NotEquals(v) => label != Some(v.as_str()),
                Op::In(vs) => label.is_some_and(|l| vs.contains(l)),
                Op::NotIn(vs) => !label.is_some_and(|l| vs.contains(l)),
                Op::Exists => label.is_some(),
                Op::DoesNotExist => label.is_none(),
                Op::GreaterThan(n) => number().is_some_and(|l| l > *n),
                Op::LessThan(n) => number().is_some_and(|l| l < *n),
            }
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Bang,
    Equals,
    DoubleEquals,
    NotEquals,
    Greater,
    Less,
    Open,
    Close,
    Comma,
    End,
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(w) => write!(f, "{w:?}"),
            Token::Bang => f.write_str("\"!\""),
            Token::Equals => f.write_str("\"=\""),
            Token::DoubleEquals => f.write_str("\"==\""),
            Token::NotEquals => f.write_str("\"!=\""),
            Token::Greater => f.write_str("\">\""),
            Token::Less => f.write_str("\"<\""),
            Token::Open => f.write_str("\"(\""),
            Token::Close => f.write_str("\")\""),
            Token::Comma => f.write_str("\",\""),
            Token::End => f.write_str("the end"),
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Splits a selector into tokens with their byte offsets: the longest operator (`!=`, `==`)
/// first, and a word runs to the next space or operator character.
fn lex(text: &str) -> Vec<(Token<'_>, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let start = i;
        let Some(&c) = b.get(i) else {
            out.push((Token::End, i));
            return out;
        };
        let next_is_equals = b.get(i + 1) == Some(&b'=');
        let (token, len) = match c {
            b'!' if next_is_equals => (Token::NotEquals, 2),
            b'!' => (Token::Bang, 1),
            b'=' if next_is_equals => (Token::DoubleEquals, 2),
            b'=' => (Token::Equals, 1),
            b'>' => (Token::Greater, 1),
            b'<' => (Token::Less, 1),
            b'(' => (Token::Open, 1),
            b')' => (Token::Close, 1),
            b',' => (Token::Comma, 1),
            _ => {
                let end = b[i..]
                    .iter()
                    .position(|&c| is_space(c) || is_special(c))
                    .map_or(b.len(), |n| i + n);
                // Operator and space characters are ASCII, so `end` is a character boundary.
                (Token::Word(&text[start..end]), end - start)
            }
        };
        out.push((token, start));
        i += len;
    }
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(Token<'a>, usize)>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        self.tokens[self.pos].0
    }

    fn next(&mut self) -> (Token<'a>, usize) {
        let t = self.tokens[self.pos];
        if t.0 != Token::End {
            self.pos += 1;
        }
        t
    }

    fn error(&self, at: usize, problem: String) -> SelectorError {
        SelectorError {
            column: self.text[..at].chars().count() + 1,
            problem,
        }
    }

    fn expected(&self, what: &str, (found, at): (Token<'a>, usize)) -> SelectorError {
        self.error(at, format!("expected {what}, found {found}"))
    }

    fn selector(mut self) -> Result<LabelSelector, SelectorError> {
        let mut requirements = Vec::new();
        if self.peek() == Token::End {
            return Ok(LabelSelector { requirements });
        }
        loop {
            match self.peek() {
                Token::Word(_) | Token::Bang => requirements.push(self.requirement()?),
                _ => {
                    let t = self.next();
                    return Err(self.expected("a label key or \"!\"", t));
                }
            }
            match self.next() {
                (Token::End, _) => return Ok(LabelSelector { requirements }),
                (Token::Comma, _) => {
                    if !matches!(self.peek(), Token::Word(_) | Token::Bang) {
                        let t = self.next();
                        return Err(self.expected("a requirement after \",\"", t));
                    }
                }
                t => return Err(self.expected("\",\" or the end of the selector", t)),
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        let mut t = self.next();
        let negated = t.0 == Token::Bang;
        if negated {
            t = self.next();
        }
        let (Token::Word(key), at) = t else {
            return Err(self.expected("a label key", t));
        };
        check_key(key).map_err(|p| self.error(at, p))?;
        let key = key.to_string();
        if negated {
            return Ok(Requirement {
                key,
                op: Op::DoesNotExist,
            });
        }
        if matches!(self.peek(), Token::End | Token::Comma) {
            return Ok(Requirement {
                key,
                op: Op::Exists,
            });
        }
        let op = match self.next() {
            (Token::Equals | Token::DoubleEquals, _) => Op::Equals(self.exact_value()?.0),
            (Token::NotEquals, _) => Op::NotEquals(self.exact_value()?.0),
            (Token::Greater, _) => Op::GreaterThan(self.number()?),
            (Token::Less, _) => Op::LessThan(self.number()?),
            (Token::Word("in"), _) => Op::In(self.values()?),
            (Token::Word("notin"), _) => Op::NotIn(self.values()?),
            t => {
                return Err(self.expected(
                    &format!(
                        "an operator after the key {key:?} (=, ==, !=, in, notin, > or <) or \",\""
                    ),
                    t,
                ));
            }
        };
        Ok(Requirement { key, op })
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`; nothing before a comma or the end is the
    /// empty value.
    fn exact_value(&mut self) -> Result<(String, usize), SelectorError> {
        if let (Token::End | Token::Comma, at) = self.tokens[self.pos] {
            return Ok((String::new(), at));
        }
        match self.next() {
            (Token::Word(v), at) => {
                check_value(v).map_err(|p| self.error(at, p))?;
                Ok((v.to_string(), at))
            }
            t => Err(self.expected("a label value", t)),
        }
    }

    fn number(&mut self) -> Result<i64, SelectorError> {
        let (v, at) = self.exact_value()?;
        v.parse::<i64>().map_err(|_| {
            self.error(
                at,
                format!("> and < compare whole numbers, but {v:?} is not one"),
            )
        })
    }

    /// `(v1,v2)`. As in kube-apiserver: `()` is the set of the empty value, an empty item
    /// between commas is the empty value, and an even run of commas just before `)` is refused.
    fn values(&mut self) -> Result<BTreeSet<String>, SelectorError> {
        let t = self.next();
        if t.0 != Token::Open {
            return Err(self.expected("\"(\" and a list of values", t));
        }
        let mut set = BTreeSet::new();
        match self.peek() {
            Token::Close => {
                self.next();
                set.insert(String::new());
                return Ok(set);
            }
            Token::Word(_) | Token::Comma => {}
            _ => {
                let t = self.next();
                return Err(self.expected("a value, \",\" or \")\"", t));
            }
        }
        loop {
            match self.next() {
                (Token::Word(v), at) => {
                    check_value(v).map_err(|p| self.error(at, p))?;
                    set.insert(v.to_string());
                    match self.peek() {
                        Token::Comma => {}
                        Token::Close => {
                            self.next();
                            return Ok(set);
                        }
                        _ => {
                            let t = self.next();
                            return Err(
                                self.expected(&format!("\",\" or \")\" after the value {v:?}"), t)
                            );
                        }
                    }
                }
                (Token::Comma, _) => {
                    if set.is_empty() {
                        set.insert(String::new());
                    }
                    match self.peek() {
                        Token::Close => {
                            self.next();
                            set.insert(String::new());
                            return Ok(set);
                        }
                        Token::Comma => {
                            self.next();
                            set.insert(String::new());
                        }
                        _ => {}
                    }
                }
                t => return Err(self.expected("a value or \",\"", t)),
            }
        }
    }
}

/// A name of at most 63 characters: letters, digits, `-`, `_`, `.`, starting and ending with a
/// letter or digit (a label key's name part, and a non-empty label value).
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated parts of lowercase letters,
/// digits and `-`, each starting and ending with a letter or digit.
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

const NAME_RULE: &str = "at most 63 letters, digits, \"-\", \"_\" and \".\", starting and ending with a letter or digit";

fn check_key(key: &str) -> Result<(), String> {
    let bad = |why: String| format!("{key:?} is not a label key: {why}");
    let (prefix, name) = match key.split_once('/') {
        None => (None, key),
        Some((_, n)) if n.contains('/') => {
            return Err(bad(
                "a key has at most one \"/\", after its prefix (e.g. app.kubernetes.io/name)"
                    .into(),
            ));
        }
        Some((p, n)) => (Some(p), n),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Err(bad(format!(
            "its prefix {p:?} is not a DNS subdomain (lowercase letters, digits, \"-\" and \".\", at most 253)"
        )));
    }
    if !is_label_name(name) {
        return Err(bad(format!("the name is {NAME_RULE}")));
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_label_name(value) {
        Ok(())
    } else {
        Err(format!(
            "{value:?} is not a label value: a value is empty or {NAME_RULE}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(vs: &[&str]) -> BTreeSet<String> {
        vs.iter().map(|v| v.to_string()).collect()
    }

    fn ops(text: &str) -> Vec<(String, Op)> {
        LabelSelector::parse(text)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .requirements
            .into_iter()
            .map(|r| (r.key, r.op))
            .collect()
    }

    #[test]
    fn every_form_the_api_server_accepts() {
        let r = |k: &str, op: Op| (k.to_string(), op);
        assert_eq!(ops(""), vec![]);
        assert_eq!(ops(" \t\r\n"), vec![]);
        assert_eq!(ops("app=web"), vec![r("app", Op::Equals("web".into()))]);
        assert_eq!(
            ops(" app == web "),
            vec![r("app", Op::Equals("web".into()))]
        );
        assert_eq!(ops("app!="), vec![r("app", Op::NotEquals(String::new()))]);
        assert_eq!(
            ops("app=,tier"),
            vec![r("app", Op::Equals(String::new())), r("tier", Op::Exists)]
        );
        assert_eq!(
            ops("app.kubernetes.io/name in (web, api),!canary"),
            vec![
                r("app.kubernetes.io/name", Op::In(set(&["web", "api"]))),
                r("canary", Op::DoesNotExist)
            ]
        );
        assert_eq!(ops("x notin(a)"), vec![r("x", Op::NotIn(set(&["a"])))]);
        assert_eq!(ops("! x"), vec![r("x", Op::DoesNotExist)]);
        assert_eq!(
            ops("gen>3,gen<10"),
            vec![r("gen", Op::GreaterThan(3)), r("gen", Op::LessThan(10))]
        );
        // "in" and "notin" are keys and values everywhere but the operator's place.
        assert_eq!(ops("in in (notin)"), vec![r("in", Op::In(set(&["notin"])))]);
        assert_eq!(ops("notin"), vec![r("notin", Op::Exists)]);
        // Empty values inside a set, as kube-apiserver reads them.
        for (text, values) in [
            ("x in ()", &[""][..]),
            ("x in (,)", &[""]),
            ("x in (a,)", &["a", ""]),
            ("x in (,a)", &["", "a"]),
            ("x in (a,,b)", &["a", "", "b"]),
            ("x in (a,,,)", &["a", ""]),
            ("x in (,,,)", &[""]),
        ] {
            assert_eq!(ops(text), vec![r("x", Op::In(set(values)))], "{text}");
        }
    }

    fn refused(text: &str) -> String {
        match LabelSelector::parse(text) {
            Ok(s) => panic!("{text:?} was accepted: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn what_the_api_server_refuses_is_refused_with_its_place() {
        for (text, want) in [
            (
                "app=web,,=",
                "expected a requirement after \",\", found \",\" (at column 9)",
            ),
            (
                "app in (a",
                "expected \",\" or \")\" after the value \"a\", found the end (at column 10)",
            ),
            ("!!app", "expected a label key, found \"!\" (at column 2)"),
            (
                "app=web,",
                "expected a requirement after \",\", found the end (at column 9)",
            ),
            (
                ",app",
                "expected a label key or \"!\", found \",\" (at column 1)",
            ),
            (
                "app web",
                "expected an operator after the key \"app\" (=, ==, !=, in, notin, > or <) or \",\", found \"web\" (at column 5)",
            ),
            (
                "app=web x",
                "expected \",\" or the end of the selector, found \"x\" (at column 9)",
            ),
            (
                "app=(web)",
                "expected a label value, found \"(\" (at column 5)",
            ),
            ("x in a", "expected \"(\" and a list of values, found \"a\""),
            ("x in (a b)", "after the value \"a\", found \"b\""),
            ("x in (a,,)", "expected a value or \",\", found \")\""),
            ("x in (,,)", "expected a value or \",\", found \")\""),
            (
                "x in ((a))",
                "expected a value, \",\" or \")\", found \"(\"",
            ),
            (
                "!a=b",
                "expected \",\" or the end of the selector, found \"=\"",
            ),
            ("-x=1", "\"-x\" is not a label key: the name is at most 63"),
            (
                "Example.com/x",
                "\"Example.com/x\" is not a label key: its prefix \"Example.com\" is not a DNS subdomain",
            ),
            ("/x", "its prefix \"\" is not a DNS subdomain"),
            ("a/b/c", "at most one \"/\""),
            ("a/", "the name is at most 63"),
            ("app=web_", "\"web_\" is not a label value"),
            ("app=caf\u{e9}", "\"caf\u{e9}\" is not a label value"),
            ("app=a\0b", "\"a\\0b\" is not a label value"),
            (
                "gen>x",
                "> and < compare whole numbers, but \"x\" is not one",
            ),
            ("gen>", "but \"\" is not one"),
            ("gen>-1", "\"-1\" is not a label value"),
            ("gen>=1", "expected a label value, found \"=\""),
            ("app===web", "expected a label value, found \"=\""),
            ("app=!web", "expected a label value, found \"!\""),
        ] {
            let e = refused(text);
            assert!(e.contains(want), "{text:?}: {e}");
        }
        assert!(refused(&format!("x={}", "v".repeat(64))).contains("is not a label value"));
        assert!(LabelSelector::parse(&format!("x={}", "v".repeat(63))).is_ok());
        assert!(refused(&format!("{}.io/x", "d".repeat(251))).contains("DNS subdomain"));
        assert!(LabelSelector::parse(&format!("{}.io/x", "d".repeat(250))).is_ok());
    }

    #[test]
    fn the_column_counts_characters() {
        let e = LabelSelector::parse("\u{e9}=1,,").unwrap_err();
        assert_eq!(e.column, 1, "{e}");
        let e = LabelSelector::parse("a=\u{e9}\u{e9},,").unwrap_err();
        assert_eq!(e.column, 3, "{e}");
        let e = LabelSelector::parse("a=b,,").unwrap_err();
        assert_eq!(e.column, 5, "{e}");
    }

    #[test]
    fn matching_follows_the_api_server() {
        let labels: BTreeMap<String, String> = [("app", "web"), ("gen", "7")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&labels);
        assert!(m("") && m("app") && m("app=web") && m("app!=api") && m("x!=y"));
        assert!(m("app in (web,api)") && m("app notin (api)") && m("x notin (a)"));
        assert!(m("!x") && m("gen>6") && m("gen<8"));
        assert!(!m("x") && !m("!app") && !m("app=api") && !m("x in (a)"));
        assert!(!m("gen>7") && !m("app>1") && !m("x<1"));
    }

    /// Selectors built from the grammar with keys, values and separators valid and not, then
    /// perhaps bent by one inserted piece, so that most texts are valid or near misses.
    fn selector_text() -> impl Strategy<Value = String> {
        let piece = || {
            prop::sample::select(vec![
                "app", "x", "A1", "a.b", "-", "_", ".", "/", "=", "==", "!=", "!", "in", "notin",
                "(", ")", ",", ",,", " ", "\t", "\n", ">", "<", "1", "-1", "\u{e9}", "\u{a0}",
                "\0",
            ])
        };
        let key = prop_oneof![
            6 => prop::sample::select(vec!["app", "x", "A1", "a.b", "in", "k8s.io/x"]),
            1 => prop::sample::select(vec!["-x", "x-", "Ex.io/x", "/x", "a/b/c", ""]),
        ];
        let value = prop_oneof![
            6 => prop::sample::select(vec!["", "web", "x", "a", "1", "07", " "]),
            1 => prop::sample::select(vec!["-1", "a_", "(", "b c"]),
        ];
        let op = prop::sample::select(vec!["=", "==", "!=", ">", "<", " = ", "=="]);
        let set_op = prop::sample::select(vec![" in ", " notin ", " in", "notin ", " in  "]);
        let requirement = prop_oneof![
            (key.clone(), op, value.clone()).prop_map(|(k, o, v)| format!("{k}{o}{v}")),
            (
                key.clone(),
                set_op,
                prop::collection::vec(prop_oneof![Just(""), value.clone()], 0..5)
            )
                .prop_map(|(k, o, vs)| format!("{k}{o}({})", vs.join(","))),
            key.clone().prop_map(String::from),
            key.prop_map(|k| format!("!{k}")),
        ];
        let sep = prop_oneof![
            6 => prop::sample::select(vec![",", ", ", " ,"]),
            1 => Just(",,"),
        ];
        let built =
            (prop::collection::vec(requirement, 0..4), sep).prop_map(|(rs, sep)| rs.join(sep));
        let bent =
            (built.clone(), any::<prop::sample::Index>(), piece()).prop_map(|(text, at, piece)| {
                let cuts: Vec<usize> = (0..=text.len())
                    .filter(|i| text.is_char_boundary(*i))
                    .collect();
                let at = cuts[at.index(cuts.len())];
                format!("{}{piece}{}", &text[..at], &text[at..])
            });
        let random = prop::collection::vec(piece(), 0..10).prop_map(|ps| ps.concat());
        prop_oneof![3 => built, 3 => bent, 1 => random]
    }

    fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
        let key = prop::sample::select(vec!["app", "web", "x", "A1", "a.b", "k8s.io/x", "in"]);
        let value = prop::sample::select(vec!["", "web", "x", "a", "b", "1", "07", "9"]);
        prop::collection::btree_map(
            key.prop_map(String::from),
            value.prop_map(String::from),
            0..4,
        )
    }

    proptest! {
        /// This parser and the fake API server's (a parser of its own, in the simulator) accept
        /// the same texts, and what they accept selects the same labels.
        #[test]
        fn this_parser_agrees_with_the_fake_api_server(
            text in selector_text(),
            sets in prop::collection::vec(labels(), 4),
        ) {
            let ours = LabelSelector::parse(&text);
            let server = revalidate_sim::k8s::LabelSelector::parse(&text);
            prop_assert_eq!(
                ours.is_ok(), server.is_ok(),
                "{:?}: ours {:?}, the server's {:?}", text, ours, server
            );
            if let (Ok(ours), Ok(server)) = (ours, server) {
                for labels in &sets {
                    let object = serde_json::json!({"metadata": {"labels": labels}});
                    prop_assert_eq!(
                        ours.matches(labels),
                        server.matches(&object),
                        "{:?} on {:?}", text, labels
                    );
                }
            }
        }

        #[test]
        fn any_text_is_refused_or_accepted_without_a_panic(text in any::<String>()) {
            let _ = LabelSelector::parse(&text);
        }

        #[test]
        fn a_refusal_points_inside_the_text(text in "[a-z!=(),<> 0-9/.]{0,24}") {
            if let Err(e) = LabelSelector::parse(&text) {
                prop_assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "{}", e);
            }
        }
    }
}
