//! Servers that echo back what they receive, in each form a secret can take in an echo, and the
//! check that no form of a secret reaches the output.
//!
//! An [`Echo`] is a plain HTTP/1.1 server on 127.0.0.1:0 (a thread, one request a connection)
//! that records every request and answers what its `answer` function makes of it; it stands in
//! for a pod, a cache, the Cloudflare API or a Kubernetes API server that quotes a request in
//! an error. [`assert_no_leak`] looks for every [`Form`] of a secret, in any letter case.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::{Arc, Mutex};

use base64::Engine as _;

use crate::common::{stderr, stdout};

/// A request as the server read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target, as sent (still percent-encoded).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header's value (names compared without case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server answers.
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<String>) -> Answer {
        Answer {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// A running echo server; it stops with the test process.
pub struct Echo {
    pub url: String,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Echo {
    pub fn start(answer: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Echo {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (log, answer) = (log.clone(), answer.clone());
                std::thread::spawn(move || {
                    let Some(request) = read_request(&stream) else {
                        return;
                    };
                    log.lock().unwrap().push(request.clone());
                    let a = answer(&request);
                    let mut s = stream;
                    let head = format!(
                        "HTTP/1.1 {} Echo\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        a.status,
                        a.content_type,
                        a.body.len()
                    );
                    let _ = s.write_all(head.as_bytes());
                    if request.method != "HEAD" {
                        let _ = s.write_all(a.body.as_bytes());
                    }
                });
            }
        });
        Echo { url, seen }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

pub fn read_request(stream: &std::net::TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        if reader.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
            break;
        }
        if let Some((n, v)) = l.trim_end().split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

/// A form a server may echo a value in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Plain,
    Lower,
    Upper,
    /// Every byte but letters and digits as `%XX`.
    Percent,
    /// Inside a JSON string.
    Json,
    /// `&`, `<`, `>`, `"` and `'` as entities.
    Html,
    /// Lower-case hex of the bytes.
    Hex,
    Base64,
    /// URL-safe base64 without padding.
    Base64Url,
}

pub const FORMS: [Form; 9] = [
    Form::Plain,
    Form::Lower,
    Form::Upper,
    Form::Percent,
    Form::Json,
    Form::Html,
    Form::Hex,
    Form::Base64,
    Form::Base64Url,
];

/// `text` in `form`.
pub fn encode(form: Form, text: &str) -> String {
    match form {
        Form::Plain => text.to_string(),
        Form::Lower => text.to_lowercase(),
        Form::Upper => text.to_uppercase(),
        Form::Percent => {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        }
        Form::Json => serde_json::to_string(text)
            .unwrap()
            .trim_matches('"')
            .to_string(),
        Form::Html => text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;"),
        Form::Hex => text.bytes().map(|b| format!("{b:02x}")).collect(),
        Form::Base64 => base64::engine::general_purpose::STANDARD.encode(text),
        Form::Base64Url => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text),
    }
}

/// The base64 characters that stand for `secret` inside a longer base64 text, at each of the
/// three byte offsets, in both alphabets (computed here independently of the program).
fn base64_insides(secret: &str) -> Vec<String> {
    let mut out = Vec::new();
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::URL_SAFE,
    ] {
        for k in 0..3 {
            let mut bytes = vec![b'.'; k];
            bytes.extend_from_slice(secret.as_bytes());
            let text = engine.encode(&bytes);
            // Characters touching the padding or the bytes before are left out.
            let start = (8 * k).div_ceil(6);
            let end = 8 * (k + secret.len()) / 6;
            out.push(text[start..end].to_string());
        }
    }
    out
}

/// Every form of `secret` this checks for: the [`FORMS`], base64 inside a longer text, and a
/// JSON string quoting a JSON string.
pub fn forms_of(secret: &str) -> Vec<String> {
    let mut forms: Vec<String> = FORMS.iter().map(|f| encode(*f, secret)).collect();
    forms.extend(base64_insides(secret));
    let json = encode(Form::Json, secret);
    forms.push(encode(Form::Json, &json));
    forms
}

/// The forms of `secret` that show in `text`: each form in any letter case, and any run of 4+
/// letters and digits of the secret as it is (sentinels are built from runs found nowhere else).
pub fn leaks(text: &str, secret: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found: Vec<String> = forms_of(secret)
        .into_iter()
        .filter(|f| lower.contains(&f.to_lowercase()))
        .collect();
    found.extend(
        secret
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|run| run.len() >= 4 && text.contains(run))
            .map(str::to_string),
    );
    found
}

/// Fails when any form of any of `secrets` shows on stdout or stderr.
pub fn assert_no_leak(out: &Output, secrets: &[&str], what: &str) {
    let all = format!("{}\n{}", stdout(out), stderr(out));
    for s in secrets {
        let found = leaks(&all, s);
        assert!(found.is_empty(), "{what}: {found:?} shows in:\n{all}");
    }
}

#[test]
fn the_leak_check_finds_every_form_in_any_case() {
    let secret = "Lc5\"leak/ch<k>&'Zp";
    for form in FORMS {
        let shown = encode(form, secret);
        for text in [shown.clone(), shown.to_uppercase(), shown.to_lowercase()] {
            assert!(
                !leaks(&format!("x {text} y"), secret).is_empty(),
                "{form:?}"
            );
        }
    }
    let inside = base64::engine::general_purpose::STANDARD.encode(format!("ab{secret}cd"));
    assert!(!leaks(&inside, secret).is_empty());
    assert!(leaks("nothing <redacted> here", secret).is_empty());
}
