//! The closed sets of values a setting can take: the choices of the command line, the config
//! file and the environment, shared by the config layer, the command line and the steps that
//! act on them. A leaf: it uses nothing of the program, so every layer may use it.

/// How each pod is told to revalidate.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Next.js's own mechanism: x-prerender-revalidate with the build's previewModeId
    Nextjs,
    /// Your app's revalidate route on each pod
    Endpoint,
}

/// The method of endpoint-mode requests.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum EndpointMethod {
    #[value(name = "GET", alias = "get")]
    Get,
    #[value(name = "POST", alias = "post")]
    Post,
}

/// How a pod is asked to regenerate: HEAD regenerates without sending the page back.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum RevalidateMethod {
    #[value(name = "HEAD", alias = "head")]
    Head,
    #[value(name = "GET", alias = "get")]
    Get,
}

impl RevalidateMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RevalidateMethod::Head => "HEAD",
            RevalidateMethod::Get => "GET",
        }
    }
}

/// Built-in normalisations.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum IgnorePreset {
    /// ISO 8601 date-times and epoch-millisecond numbers in JSON fields (content date-times,
    /// such as an event's start, are hidden too: check those with --expect-contains)
    Timestamps,
    /// nonce="..." attributes (CSP nonces)
    Nonces,
    /// What Next.js renders from the request rather than the content: the `?_rsc=` query an App
    /// Router page's router tree names after a pod regenerated it through an RSC request
    Nextjs,
}

/// A content coding this program asks for, as one Accept-Encoding variant of a page (a CDN
/// caches each apart). Ordered by preference: identity < gzip < br.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Identity,
    Gzip,
    Br,
}

impl Encoding {
    /// The Accept-Encoding header that asks for this variant.
    pub fn accept(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Br => "br",
        }
    }

    /// The variant for a request's `Accept-Encoding` values (`q=0` refuses a coding).
    pub fn negotiate<'a>(accept_encoding: impl IntoIterator<Item = &'a str>) -> Encoding {
        let mut best = Encoding::Identity;
        for value in accept_encoding {
            for part in value.split(',') {
                let mut pieces = part.split(';').map(str::trim);
                let coding = pieces.next().unwrap_or_default().to_ascii_lowercase();
                let refused = pieces.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                let this = match coding.as_str() {
                    "br" => Encoding::Br,
                    "gzip" => Encoding::Gzip,
                    _ => continue,
                };
                if !refused && this > best {
                    best = this;
                }
            }
        }
        best
    }
}

/// Whether the distribution caches on query strings, which decides whether an invalidation path
/// keeps its query string.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum QueryStrings {
    /// The distribution does not cache on query strings: invalidate the path without it
    Drop,
    /// The distribution caches on query strings: invalidate each path with its query string
    Keep,
}

/// Which address family to call a dual-stack pod on.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum IpFamily {
    /// The Service's primary family (its first ipFamilies entry), else each pod's first address
    Auto,
    /// IPv4 where a pod has one
    Ipv4,
    /// IPv6 where a pod has one
    Ipv6,
}

/// How discovered pods are reached, as `--transport` names it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TransportChoice {
    /// Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)
    Auto,
    /// The pod's IP and port: from inside the cluster, or a runner on its network
    Direct,
    /// The API server's pods/proxy subresource (RBAC: get pods/proxy)
    #[value(name = "apiserver-proxy")]
    #[serde(rename = "apiserver-proxy")]
    ApiServerProxy,
    /// A port-forward per connection (RBAC: get and create pods/portforward)
    PortForward,
}

/// A port by name (a Service or container port name) or number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    Name(String),
    Number(u16),
}

impl PortRef {
    /// `http` or `3000`.
    pub fn parse(s: &str) -> Result<PortRef, String> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<u16>() {
                Ok(n) if n > 0 => Ok(PortRef::Number(n)),
                _ => Err("a port number is from 1 to 65535".into()),
            };
        }
        if is_dns_label(s) {
            Ok(PortRef::Name(s.to_string()))
        } else {
            Err("give a port name (lowercase letters, digits and '-', e.g. http) or a number (e.g. 3000)".into())
        }
    }
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Name(n) => f.write_str(n),
            PortRef::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Output format on stdout.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// A table for people
    Human,
    /// One JSON document when the command ends
    Json,
    /// One JSON event a line, as things happen
    Ndjson,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How logs are written on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event
    Text,
    /// One JSON object per event, for cluster log pipelines
    Json,
}

/// A DNS-1123 label (namespaces, Service port names): lowercase letters, digits and `-`, at
/// most 63, starting and ending with a letter or digit.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// What a browser fetches of a page, each cached apart by an edge: the HTML on a first visit,
/// and on a client-side navigation the Pages Router's data JSON or the App Router's RSC payload
/// (and, for a link in view, its prefetch).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// The page itself (always checked: the others are found in it)
    #[default]
    Html,
    /// Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it
    Data,
    /// App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)
    Rsc,
    /// App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)
    Prefetch,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Html,
        Variant::Data,
        Variant::Rsc,
        Variant::Prefetch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Html => "html",
            Variant::Data => "data",
            Variant::Rsc => "rsc",
            Variant::Prefetch => "prefetch",
        }
    }
}

/// A step of `run`, in the order it runs them.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RunStep {
    /// Tell every pod to regenerate each page (as fanout or publish do)
    Revalidate,
    /// Prove every pod fresh (as verify does, against the run's own snapshot)
    Verify,
    /// Clear the CDN of the pages proven fresh (as cdn invalidate and cdn purge do)
    Cdn,
    /// Prove the edge fresh: each page and its variants through --edge
    Edge,
}

impl RunStep {
    pub const ALL: [RunStep; 4] = [
        RunStep::Revalidate,
        RunStep::Verify,
        RunStep::Cdn,
        RunStep::Edge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RunStep::Revalidate => "revalidate",
            RunStep::Verify => "verify",
            RunStep::Cdn => "cdn",
            RunStep::Edge => "edge",
        }
    }
}

/// How `run` tells the pods to revalidate.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// Call every pod directly (fanout)
    Direct,
    /// Publish on the pods' Redis channel (publish: receiver counts, or agents' acknowledgements)
    Redis,
    /// Publish, then call every pod directly too
    Both,
    /// Redis when redis.url is configured, else direct; direct when Redis is unreachable or
    /// reaches fewer pods than were found
    Auto,
}

impl Via {
    pub fn name(self) -> &'static str {
        match self {
            Via::Direct => "direct",
            Via::Redis => "redis",
            Via::Both => "both",
            Via::Auto => "auto",
        }
    }
}
