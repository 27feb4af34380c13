//! Targets: the pods a step talks to, and how each one is reached.
//!
//! A [`Target`] is a name plus a [`Reach`]: a direct base URL (static lists from `--pod`,
//! `--pods-file` or the config, pod IPs from EndpointSlices or DNS), the API server's pods/proxy,
//! or a port-forward, which is why a target carries *how* it is reached and not just a URL.
//! [`discovery`] finds targets ([`kubernetes`], [`dns`]) and notices when they change.
//! Invariant: target names are unique, URLs are http(s) with a host and without credentials,
//! query or fragment, and [`Target::url_for`] is the only place a request URL is built.

pub mod dns;
pub mod kubernetes;

use std::borrow::Cow;
use std::fmt;

use reqwest::Url;

/// One pod (or any single HTTP origin) a step sends requests to.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Target {
    pub name: String,
    pub reach: Reach,
}

/// How requests get to a target.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Reach {
    /// Plain HTTP(S) to the pod's own address; `base` has no trailing slash and may carry a base
    /// path (for apps served under a Next.js `basePath`).
    Direct { base: String },
    /// Through the API server's pods/proxy subresource (RBAC: get pods/proxy). The URL is
    /// relative to the API server: [`crate::transport::Transport::url`] prefixes the cluster.
    #[serde(rename = "apiserver-proxy")]
    ApiServerProxy {
        namespace: String,
        pod: String,
        port: u16,
    },
    /// Through a port-forward to the pod (RBAC: get and create pods/portforward), one WebSocket
    /// per HTTP connection.
    PortForward {
        namespace: String,
        pod: String,
        port: u16,
    },
}

impl Reach {
    /// The transport's name, as `--transport` spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Reach::Direct { .. } => "direct",
            Reach::ApiServerProxy { .. } => "apiserver-proxy",
            Reach::PortForward { .. } => "port-forward",
        }
    }

    /// Whether requests need a Kubernetes client.
    pub fn needs_kubernetes(&self) -> bool {
        !matches!(self, Reach::Direct { .. })
    }
}

/// The API server path of `route` on `pod`'s `port` through pods/proxy. Namespaces and pod names
/// are DNS labels and subdomains, so they need no escaping; `route` is already canonical.
pub fn proxy_path(namespace: &str, pod: &str, port: u16, route: &str) -> String {
    format!("/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy{route}")
}

impl Target {
    /// The URL of `path` (canonical, starting with `/`) on this target: absolute for direct
    /// targets, the API server path for pods/proxy, `port-forward://NS/POD:PORT/path` (what
    /// travels through the forward) for port-forwards.
    pub fn url_for(&self, path: &str) -> String {
        match &self.reach {
            Reach::Direct { base } => format!("{base}{path}"),
            Reach::ApiServerProxy {
                namespace,
                pod,
                port,
            } => proxy_path(namespace, pod, *port, path),
            Reach::PortForward {
                namespace,
                pod,
                port,
            } => format!("port-forward://{namespace}/{pod}:{port}{path}"),
        }
    }

    /// Where the target is, for people (never holds secrets: URLs with credentials are refused).
    pub fn location(&self) -> Cow<'_, str> {
        match &self.reach {
            Reach::Direct { base } => Cow::Borrowed(base),
            Reach::ApiServerProxy {
                namespace,
                pod,
                port,
            } => Cow::Owned(format!("apiserver-proxy {namespace}/{pod}:{port}")),
            Reach::PortForward {
                namespace,
                pod,
                port,
            } => Cow::Owned(format!("port-forward {namespace}/{pod}:{port}")),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.location())
    }
}

/// One refused pod specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTarget {
    pub origin: String,
    pub input: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    #[error("{}", bad_list(.0))]
    Bad(Vec<BadTarget>),
    #[error(
        "no pods given: pass --pod URL (repeatable), --pods-file FILE, or set pods = [...] in the config; or find them with --k8s-service NAME, --k8s-selector SELECTOR or --dns NAME:PORT"
    )]
    None,
    #[error("cannot read the pods file {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// Pods that cannot be used are bad input: exit 2, every bad one listed.
impl From<TargetsError> for crate::error::Error {
    fn from(e: TargetsError) -> crate::error::Error {
        crate::error::Error::usage(e.to_string())
    }
}

/// Builds the static targets from the resolved configuration: `pods` and `pods_file` of the
/// highest-precedence layer that sets either (so `--pod` replaces the config's pods).
pub fn from_spec(spec: &crate::config::TargetSpec) -> Result<Vec<Target>, TargetsError> {
    use crate::config::Source;
    let mut specs = Vec::new();
    if let Some(pods) = &spec.pods {
        for (i, p) in pods.value.iter().enumerate() {
            let origin = match &pods.source {
                Source::Flag => format!("--pod #{}", i + 1),
                other => format!("pods[{i}] ({other})"),
            };
            specs.push((origin, p.clone()));
        }
    }
    let mut listed = Vec::new();
    if let Some(file) = &spec.pods_file {
        let stdin = std::io::stdin();
        match read_pods_file(file, &mut stdin.lock())? {
            PodsFile::Lines(lines) => specs.extend(lines),
            PodsFile::Targets(targets) => listed = targets,
        }
    }
    if listed.is_empty() {
        return from_specs(specs);
    }
    // Targets piped from `revalidate pods -o json`, with any --pod added to them.
    let mut all = if specs.is_empty() {
        Vec::new()
    } else {
        from_specs(specs)?
    };
    let mut bad = Vec::new();
    for (origin, t) in listed {
        if all.iter().any(|p| p.name == t.name) {
            bad.push(BadTarget {
                origin,
                input: t.name.clone(),
                reason: format!("the name {:?} is already used", t.name),
            });
        } else {
            all.push(t);
        }
    }
    if bad.is_empty() {
        Ok(all)
    } else {
        Err(TargetsError::Bad(bad))
    }
}

/// What a pods file holds: `[NAME=]URL` lines, or the JSON of `revalidate pods -o json`.
enum PodsFile {
    Lines(Vec<(String, String)>),
    Targets(Vec<(String, Target)>),
}

/// Reads a pods file (`-` is stdin). A file whose first character is `{` or `[` is JSON: the
/// envelope `revalidate pods -o json` prints (its discover step's pods), that step alone, or a
/// list of targets (`{"name": ..., "reach": {...}}`); anything else is one pod a line.
fn read_pods_file(
    file: &std::path::Path,
    stdin: &mut dyn std::io::BufRead,
) -> Result<PodsFile, TargetsError> {
    use std::io::Read;
    let is_stdin = file.as_os_str() == "-";
    let shown = if is_stdin {
        "stdin".to_string()
    } else {
        file.display().to_string()
    };
    let read_err = |source| TargetsError::Read {
        file: shown.clone(),
        source,
    };
    let mut bytes = Vec::new();
    if is_stdin {
        stdin.read_to_end(&mut bytes).map_err(read_err)?;
    } else {
        std::fs::File::open(file)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(read_err)?;
    }
    let text = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(&bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return parse_pods_json(text, &shown).map(PodsFile::Targets);
    }
    let mut lines = Vec::new();
    crate::paths::read_lines(&mut std::io::Cursor::new(&bytes), &mut lines, |line| {
        if is_stdin {
            crate::paths::Origin::Stdin(line)
        } else {
            crate::paths::Origin::File {
                file: file.to_path_buf(),
                line,
            }
        }
    })
    .map_err(read_err)?;
    Ok(PodsFile::Lines(
        lines.into_iter().map(|(o, l)| (o.to_string(), l)).collect(),
    ))
}

/// The targets of `revalidate pods -o json` output (or of a list of targets). Direct targets
/// are checked like `--pod` URLs; every bad one is listed.
fn parse_pods_json(text: &[u8], shown: &str) -> Result<Vec<(String, Target)>, TargetsError> {
    let bad = |reason: String| {
        TargetsError::Bad(vec![BadTarget {
            origin: shown.to_string(),
            input: "(JSON)".into(),
            reason,
        }])
    };
    let v: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let items = if let Some(steps) = v.get("steps").and_then(|s| s.as_array()) {
        steps
            .iter()
            .find(|s| s["step"] == "discover")
            .and_then(|s| s["pods"].as_array())
            .ok_or_else(|| {
                bad("a JSON envelope without a discover step: pipe the output of `revalidate pods -o json`".into())
            })?
    } else if let Some(pods) = v.get("pods").and_then(|p| p.as_array()) {
        pods
    } else if let Some(list) = v.as_array() {
        list
    } else {
        return Err(bad(
            "JSON that is neither `revalidate pods -o json` output nor a list of targets".into(),
        ));
    };
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let origin = format!("{shown} pods[{i}]");
        let parsed: Result<Target, String> = serde_json::from_value::<Target>(item.clone())
            .map_err(|e| format!("not a target ({e}): each needs a name and a reach"))
            .and_then(|t| match &t.reach {
                // The same rules as a --pod URL.
                Reach::Direct { base } => parse_spec(&format!("{}={base}", t.name)),
                _ if t.name.is_empty() => Err("an empty pod name".into()),
                _ => Ok(t),
            });
        match parsed {
            Ok(t) => out.push((origin, t)),
            Err(reason) => refused.push(BadTarget {
                origin,
                input: item
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("?")
                    .to_string(),
                reason,
            }),
        }
    }
    if !refused.is_empty() {
        return Err(TargetsError::Bad(refused));
    }
    if out.is_empty() {
        return Err(TargetsError::None);
    }
    Ok(out)
}

fn bad_list(bad: &[BadTarget]) -> String {
    let mut s = format!(
        "{} bad pod{}; nothing was sent:",
        bad.len(),
        if bad.len() == 1 { "" } else { "s" }
    );
    for b in bad {
        // A refused URL may hold a password: it is never printed.
        let input = crate::secret::mask_userinfo(&b.input);
        s.push_str(&format!("\n  {}: {input:?}: {}", b.origin, b.reason));
    }
    s
}

/// Builds targets from `[NAME=]URL` specifications, each with a description of where it was
/// written. Every bad one is reported, not only the first.
pub fn from_specs(specs: Vec<(String, String)>) -> Result<Vec<Target>, TargetsError> {
    if specs.is_empty() {
        return Err(TargetsError::None);
    }
    let mut bad = Vec::new();
    let mut out: Vec<Target> = Vec::new();
    for (origin, input) in specs {
        match parse_spec(&input) {
            Ok(t) => {
                if let Some(prev) = out.iter().find(|p| p.name == t.name) {
                    bad.push(BadTarget {
                        origin,
                        input,
                        reason: format!("the name {:?} is already used by {}", t.name, prev),
                    });
                } else if let Some(prev) = out.iter().find(|p| p.reach == t.reach) {
                    bad.push(BadTarget {
                        origin,
                        input,
                        reason: format!("the same URL is already listed as {:?}", prev.name),
                    });
                } else {
                    out.push(t);
                }
            }
            Err(reason) => bad.push(BadTarget {
                origin,
                input,
                reason,
            }),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(TargetsError::Bad(bad))
    }
}

/// Parses `URL` or `NAME=URL`. Without a name, the URL's host:port names the pod.
pub fn parse_spec(input: &str) -> Result<Target, String> {
    let input = input.trim();
    let (name, url) = match input.split_once('=') {
        // An `=` after "://" belongs to the URL (it would be a query, refused below).
        Some((n, u)) if !n.contains("://") => (Some(n.trim()), u.trim()),
        _ => (None, input),
    };
    if let Some(n) = name
        && (n.is_empty() || n.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(format!(
            "{n:?} is not a pod name: non-empty, without spaces or control characters"
        ));
    }
    if !url.contains("://") {
        return Err(format!("{url:?} has no scheme; write http://{url}"));
    }
    let parsed = Url::parse(url).map_err(|e| {
        format!(
            "{:?} is not a URL ({e}); write http://HOST:PORT, e.g. http://10.0.0.5:3000",
            crate::secret::mask_userinfo(url)
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme {:?} is not supported; use http:// or https://",
            parsed.scheme()
        ));
    }
    let Some(host) = parsed.host_str() else {
        return Err("the URL has no host; write http://HOST:PORT".into());
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "credentials in a pod URL would be printed in reports; send them with --header 'Authorization: ${VAR}' instead"
                .into(),
        );
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("a pod URL takes no query or fragment; put those in the paths".into());
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    if port == 0 {
        return Err(
            "port 0 is not a port a pod listens on; give the pod's port, e.g. :3000".into(),
        );
    }
    let authority = match parsed.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let base_path = parsed.path().trim_end_matches('/');
    let base = format!("{}://{authority}{base_path}", parsed.scheme());
    let name = match name {
        Some(n) => n.to_string(),
        None => format!("{host}:{port}"),
    };
    Ok(Target {
        name,
        reach: Reach::Direct { base },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_named_and_unnamed_pods() {
        let t = parse_spec("web-0=http://10.0.0.5:3000").unwrap();
        assert_eq!(t.name, "web-0");
        assert_eq!(t.url_for("/posts/a"), "http://10.0.0.5:3000/posts/a");
        let t = parse_spec("http://127.0.0.1:3001/").unwrap();
        assert_eq!(t.name, "127.0.0.1:3001");
        assert_eq!(t.url_for("/x?y=1"), "http://127.0.0.1:3001/x?y=1");
        let t = parse_spec("https://pod.internal/docs/").unwrap();
        assert_eq!(t.name, "pod.internal:443");
        assert_eq!(t.url_for("/a"), "https://pod.internal/docs/a");
        let t = parse_spec("v6=http://[::1]:3000").unwrap();
        assert_eq!(t.url_for("/a"), "http://[::1]:3000/a");
    }

    #[test]
    fn refuses_bad_urls_with_reasons() {
        for (input, want) in [
            ("10.0.0.5:3000", "has no scheme; write http://10.0.0.5:3000"),
            ("ftp://x/", "scheme \"ftp\""),
            ("http://user:pw@x/", "credentials"),
            ("http://127.0.0.1:0", "port 0"),
            ("http://x/?a=1", "no query"),
            ("http://", "is not a URL"),
            (" =http://x", "not a pod name"),
        ] {
            let e = parse_spec(input).unwrap_err();
            assert!(e.contains(want), "{input}: {e}");
        }
    }

    #[test]
    fn duplicates_are_refused_and_every_bad_one_listed() {
        let specs = vec![
            ("--pod 1".to_string(), "a=http://127.0.0.1:1".to_string()),
            ("--pod 2".into(), "a=http://127.0.0.1:2".into()),
            ("--pod 3".into(), "b=http://127.0.0.1:1".into()),
            ("--pod 4".into(), "nope".into()),
        ];
        let e = from_specs(specs).unwrap_err().to_string();
        assert!(e.starts_with("3 bad pods; nothing was sent:"), "{e}");
        assert!(e.contains("--pod 2") && e.contains("already used"), "{e}");
        assert!(e.contains("--pod 3") && e.contains("same URL"), "{e}");
        assert!(e.contains("--pod 4"), "{e}");
    }

    #[test]
    fn a_refused_url_never_prints_its_password() {
        let e = from_specs(vec![(
            "--pod 1".into(),
            "a=http://admin:hunter2-pw@127.0.0.1:1".into(),
        )])
        .unwrap_err()
        .to_string();
        assert!(!e.contains("hunter2-pw"), "{e}");
        assert!(e.contains("admin:<redacted>@127.0.0.1:1"), "{e}");
    }
}
