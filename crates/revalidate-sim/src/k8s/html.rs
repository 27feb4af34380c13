//! The HTML and `Location` rewriting kube-apiserver applies to pods/proxy
//! responses (k8s.io/apimachinery `pkg/util/proxy/transport.go`).
//!
//! For a `text/html` response the real proxy runs the body through Go's HTML
//! tokenizer: every start tag is re-serialised (names lower-cased, every
//! attribute double-quoted, valueless attributes given `=""`, values
//! re-escaped) and absolute-path URLs in link attributes get the proxy
//! prefix, so `<script src="/_next/x.js">` from pod `web-0` comes back as
//! `<script src="/api/v1/namespaces/web/pods/web-0:3000/proxy/_next/x.js">`.
//! Invariant: text, comments, end tags and the content of raw-text elements
//! (`<script>`, `<style>`, ...) pass byte for byte; only start tags change.
//! Approximations: only the common named entities (`amp`, `lt`, `gt`,
//! `quot`, `apos`, `nbsp`) and numeric ones are decoded in attribute values.

/// The URL-valued attributes the real proxy rewrites, by tag.
const URL_ATTRS: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("applet", &["codebase"]),
    ("area", &["href"]),
    ("audio", &["src"]),
    ("base", &["href"]),
    ("blockquote", &["cite"]),
    ("body", &["background"]),
    ("button", &["formaction"]),
    ("command", &["icon"]),
    ("del", &["cite"]),
    ("embed", &["src"]),
    ("form", &["action"]),
    ("frame", &["longdesc", "src"]),
    ("head", &["profile"]),
    ("html", &["manifest"]),
    ("iframe", &["longdesc", "src"]),
    ("img", &["longdesc", "src", "usemap"]),
    ("input", &["src", "usemap", "formaction"]),
    ("ins", &["cite"]),
    ("link", &["href"]),
    ("object", &["classid", "codebase", "data", "usemap"]),
    ("q", &["cite"]),
    ("script", &["src"]),
    ("source", &["src"]),
    ("video", &["poster", "src"]),
];

const RAW_TEXT: &[&str] = &[
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
];

/// How URLs of one proxied response are rewritten.
#[derive(Clone, Debug)]
pub(crate) struct Rewriter {
    /// `/api/v1/namespaces/web/pods/web-0:3000/proxy`
    pub(crate) prefix: String,
    /// The pod's `host:port` as dialled.
    pub(crate) pod_host: String,
    /// The `Host` the client sent to the API server.
    pub(crate) request_host: String,
}

impl Rewriter {
    /// The rewritten form of one URL; `None` leaves it as it was (Go's
    /// `url.Parse` failed, or the URL is relative or on another host).
    pub(crate) fn url(&self, raw: &str) -> Option<String> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return None;
        }
        let (rest, fragment) = match raw.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (raw, None),
        };
        let (scheme, rest) = split_scheme(rest)?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (host, raw_path) = match rest.strip_prefix("//") {
            Some(authority) => {
                let end = authority.find('/').unwrap_or(authority.len());
                (&authority[..end], &authority[end..])
            }
            None if scheme.is_some() && !rest.starts_with('/') => return None, // opaque
            None => ("", rest),
        };
        let path = unescape(raw_path)?;
        if scheme.is_none()
            && host.is_empty()
            && path.split('/').next().is_some_and(|s| s.contains(':'))
        {
            return None;
        }
        let different_host = !host.is_empty() && host != self.pod_host && host != self.request_host;
        if different_host || !path.starts_with('/') {
            return None;
        }
        let keep_origin = host == self.request_host;
        let mut out = String::new();
        if keep_origin {
            if let Some(s) = scheme {
                out.push_str(&s.to_ascii_lowercase());
                out.push(':');
            }
            out.push_str("//");
            out.push_str(host);
        }
        if path.starts_with(&self.prefix) {
            out.push_str(&escape_path(&path));
        } else {
            let mut joined = clean(&format!("{}/{path}", self.prefix));
            if path.ends_with('/') {
                joined.push('/');
            }
            out.push_str(&escape_path(&joined));
        }
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
            out.push('#');
            out.push_str(f);
        }
        Some(out)
    }

    /// The body of a `text/html` response, rewritten as the real proxy does.
    pub(crate) fn html(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len() + 256);
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            out.push_str(&rest[..lt]);
            rest = &rest[lt..];
            let after = rest[1..].chars().next();
            let consumed = match after {
                Some(c) if c.is_ascii_alphabetic() => self.start_tag(rest, &mut out),
                Some('!' | '?') | Some('/') => raw_markup(rest, &mut out),
                _ => {
                    out.push('<');
                    1
                }
            };
            rest = &rest[consumed..];
        }
        out.push_str(rest);
        out
    }

    /// Re-serialises one start tag (and passes a raw-text element's content
    /// through); returns the bytes consumed.
    fn start_tag(&self, input: &str, out: &mut String) -> usize {
        let Some(tag) = parse_tag(input) else {
            out.push_str(input);
            return input.len();
        };
        let rewritable = URL_ATTRS
            .iter()
            .find(|(name, _)| *name == tag.name)
            .map_or(&[][..], |(_, attrs)| *attrs);
        out.push('<');
        out.push_str(&tag.name);
        for (key, value) in &tag.attrs {
            let value = if rewritable.contains(&key.as_str()) {
                self.url(value).unwrap_or_else(|| value.clone())
            } else {
                value.clone()
            };
            out.push(' ');
            out.push_str(key);
            out.push_str("=\"");
            escape_into(out, &value);
            out.push('"');
        }
        out.push_str(if tag.self_closing { "/>" } else { ">" });
        let mut consumed = tag.len;
        if RAW_TEXT.contains(&tag.name.as_str()) {
            let content = &input[consumed..];
            let end = if tag.name == "plaintext" {
                content.len()
            } else {
                find_end_tag(content, &tag.name)
            };
            out.push_str(&content[..end]);
            consumed += end;
        }
        consumed
    }
}

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    self_closing: bool,
    len: usize,
}

/// Parses `<name attr=value ...>` the way Go's tokenizer reads a start tag.
fn parse_tag(input: &str) -> Option<Tag> {
    let bytes = input.as_bytes();
    let is_space = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c');
    let mut i = 1;
    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
        i += 1;
    }
    let name = input[1..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        if bytes[i] == b'>' {
            let self_closing = bytes[i - 1] == b'/';
            return Some(Tag {
                name,
                attrs,
                self_closing,
                len: i + 1,
            });
        }
        let key_start = i;
        i += 1; // a leading '=' belongs to the name
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let key = input[key_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < bytes.len() && is_space(bytes[j]) {
            j += 1;
        }
        let mut value = String::new();
        if j < bytes.len() && bytes[j] == b'=' {
            j += 1;
            while j < bytes.len() && is_space(bytes[j]) {
                j += 1;
            }
            match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let close = input[j + 1..].find(char::from(q))? + j + 1;
                    value = unescape_entities(&input[j + 1..close]);
                    j = close + 1;
                }
                _ => {
                    let start = j;
                    while j < bytes.len() && !is_space(bytes[j]) && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = unescape_entities(&input[start..j]);
                }
            }
            i = j;
        }
        attrs.push((key, value));
    }
}

/// Comments, doctypes, end tags: copied up to and including their end.
fn raw_markup(input: &str, out: &mut String) -> usize {
    let end = match input.strip_prefix("<!--") {
        Some(comment) => comment.find("-->").map_or(input.len(), |e| e + 4 + 3),
        None => input.find('>').map_or(input.len(), |e| e + 1),
    };
    out.push_str(&input[..end]);
    end
}

/// Where `</name` (any case, then a space, `/` or `>`) starts in raw text.
fn find_end_tag(content: &str, name: &str) -> usize {
    let lower = content.to_ascii_lowercase();
    let needle = format!("</{name}");
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&needle) {
        let at = from + pos;
        match lower.as_bytes().get(at + needle.len()) {
            None | Some(b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'/' | b'>') => return at,
            _ => from = at + 1,
        }
    }
    content.len()
}

/// `scheme:` if the URL starts with one (Go's `getScheme`); `None` for a
/// URL Go refuses (a leading colon).
fn split_scheme(s: &str) -> Option<(Option<&str>, &str)> {
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return None,
            ':' => return Some((Some(&s[..i]), &s[i + 1..])),
            _ => return Some((None, s)),
        }
    }
    Some((None, s))
}

/// Percent-decodes a URL path; `None` for a malformed escape.
fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Go's `url.PathEscape`-for-paths (`shouldEscape(c, encodePath)`).
pub(crate) fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Go's `path.Clean`.
pub(crate) fn clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|s| *s != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

fn unescape_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => entity.strip_prefix('#').and_then(|n| {
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)
                }),
            }?;
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// x/net/html's `escape`.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rw() -> Rewriter {
        Rewriter {
            prefix: "/api/v1/namespaces/web/pods/web-0:3000/proxy".into(),
            pod_host: "127.0.0.11:3000".into(),
            request_host: "127.0.0.1:6443".into(),
        }
    }

    #[test]
    fn urls_get_the_proxy_prefix_like_go() {
        let r = rw();
        let p = "/api/v1/namespaces/web/pods/web-0:3000/proxy";
        assert_eq!(
            r.url("/_next/static/a.js?v=1#x").unwrap(),
            format!("{p}/_next/static/a.js?v=1#x")
        );
        assert_eq!(r.url("/").unwrap(), format!("{p}/"));
        assert_eq!(
            r.url("http://127.0.0.11:3000/login").unwrap(),
            format!("{p}/login")
        );
        assert_eq!(
            r.url("http://127.0.0.1:6443/x").unwrap(),
            format!("http://127.0.0.1:6443{p}/x")
        );
        assert_eq!(
            r.url("/posts/caf%C3%A9//x/../y").unwrap(),
            format!("{p}/posts/caf%C3%A9/y")
        );
        assert_eq!(
            r.url(&format!("{p}/already")).unwrap(),
            format!("{p}/already")
        );
        for unchanged in [
            "relative/x",
            "https://cdn.example.com/a.js",
            "mailto:x@y",
            "#top",
            "%zz",
            "",
            "1a:b",
        ] {
            assert_eq!(r.url(unchanged), None, "{unchanged}");
        }
    }

    #[test]
    fn start_tags_are_reserialised_and_raw_text_kept() {
        let html = concat!(
            "<!DOCTYPE html><html lang=en><head><meta charSet=\"utf-8\"/>",
            "<link rel=\"preload\" as=\"script\" fetchPriority=\"low\" href=\"/_next/a.js\"/>",
            "<script src='/_next/b.js' async></script><!-- <a href=\"/c\"> -->",
            "<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"a\":\"<a href='/x'>\"}</script>",
            "</head><body><a href=\"/posts/a?x=1&amp;y=2\" title=\"say &quot;hi&quot;\">A &amp; B</a>",
            "<time dateTime=\"2024\">t</time> 1 < 2</body></html>"
        );
        let p = "/api/v1/namespaces/web/pods/web-0:3000/proxy";
        let expected = format!(
            "{}{}{}{}{}{}",
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>",
            format_args!(
                "<link rel=\"preload\" as=\"script\" fetchpriority=\"low\" href=\"{p}/_next/a.js\"/>"
            ),
            format_args!(
                "<script src=\"{p}/_next/b.js\" async=\"\"></script><!-- <a href=\"/c\"> -->"
            ),
            "<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"a\":\"<a href='/x'>\"}</script>",
            format_args!(
                "</head><body><a href=\"{p}/posts/a?x=1&amp;y=2\" title=\"say &#34;hi&#34;\">A &amp; B</a>"
            ),
            "<time datetime=\"2024\">t</time> 1 < 2</body></html>"
        );
        assert_eq!(rw().html(html), expected);
    }

    #[test]
    fn go_path_helpers() {
        assert_eq!(clean("/a//b/./c/.."), "/a/b");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("a/../../b"), "../b");
        assert_eq!(escape_path("/posts/café a!"), "/posts/caf%C3%A9%20a%21");
        assert_eq!(unescape_entities("&#65;&#x42;&bogus;&"), "AB&bogus;&");
    }
}
