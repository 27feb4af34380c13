//! A simulated fleet of Next.js pods with Incremental Static Regeneration
//! semantics, used by the `demo` command, the benchmarks and the integration
//! tests in place of real Node processes.
//!
//! Each pod is a real HTTP/1.1 server on 127.0.0.1 that answers exactly as the
//! recorded Next.js 13.5.11 or 16.4.6 pods do (statuses, `x-nextjs-cache`,
//! `Cache-Control`, ETags, 404 behaviours, `/_next/data`, the App Router's RSC and prefetch
//! payloads with 16's `_rsc` redirects, `/api/revalidate`).
//! The invariant this module keeps is the one that makes cache invalidation
//! hard in production: every pod has its own ISR cache, while the CMS behind
//! them is shared, so a revalidation reaches only the pod it was sent to.
//! Faults can be injected per pod to exercise a tool's error handling.

mod balancer;
mod cloudflare;
mod cloudfront;
mod cms;
mod edge;
mod encoding;
mod etag;
mod fault;
pub mod k8s;
mod page;
mod pod;
mod serve;
mod server;
#[cfg(test)]
mod testkit;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub use balancer::Balancer;
pub use cloudflare::{CloudflareApi, CloudflareOptions, CloudflarePurge, CloudflareRequest};
pub use cloudfront::{
    CallerReferenceConflict, CloudFrontFault, CloudFrontOptions, CloudFrontProxy,
    CloudFrontRequest, Completion, InvalidationStatus, InvalidationView, Moto, MotoError,
    Operation, sdk_client,
};
pub use cms::{Cms, Post};
pub use edge::{CachedObject, Edge, EdgeCache, EdgeCounters, EdgeOptions};
pub use encoding::Encoding;
pub use etag::generate_etag;
pub use fault::Fault;
pub use pod::{CachedPage, Pod};

use pod::Shared;

/// Which Next.js major version the pods imitate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Next.js 13.5.11 (Pages Router only).
    Next13,
    /// Next.js 16.4.6 (Pages Router plus App Router pages).
    #[default]
    Next16,
}

impl Flavor {
    /// The exact Next.js version the recordings were taken from.
    pub fn next_version(self) -> &'static str {
        match self {
            Flavor::Next13 => "13.5.11",
            Flavor::Next16 => "16.4.6",
        }
    }

    /// The fleet name the reference app reported in `/api/pod`.
    pub(crate) fn fleet_name(self) -> &'static str {
        match self {
            Flavor::Next13 => "next13",
            Flavor::Next16 => "latest",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavor::Next13 => "13",
            Flavor::Next16 => "16",
        })
    }
}

/// Error for a flavour string that is neither "13" nor "16".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFlavorError(String);

impl fmt::Display for ParseFlavorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown Next.js flavor {:?} (expected \"13\" or \"16\")",
            self.0
        )
    }
}

impl std::error::Error for ParseFlavorError {}

impl FromStr for Flavor {
    type Err = ParseFlavorError;

    fn from_str(s: &str) -> Result<Flavor, ParseFlavorError> {
        let t = s.trim().to_ascii_lowercase();
        match t.strip_prefix("next").unwrap_or(&t) {
            "13" | "13.5.11" => Ok(Flavor::Next13),
            "16" | "16.4.6" => Ok(Flavor::Next16),
            _ => Err(ParseFlavorError(s.to_owned())),
        }
    }
}

/// How to build and run a fleet.
#[derive(Clone, Debug)]
pub struct FleetOptions {
    /// Number of pods.
    pub pods: usize,
    /// Which Next.js version's wire behaviour to reproduce.
    pub flavor: Flavor,
    /// The build id in pages and `/_next/data` URLs.
    pub build_id: String,
    /// The value `x-prerender-revalidate` must carry.
    pub preview_id: String,
    /// The `x-revalidate-secret` of `/api/revalidate`.
    pub secret: String,
    /// Fixed delay before every pod response, to model network and render time.
    pub latency: Duration,
    /// Extra delay for each regeneration, to model `getStaticProps` cost.
    pub regen_latency: Duration,
    /// Pads every HTML page to at least this many bytes (0: no padding).
    pub page_bytes: usize,
    /// Whether pods gzip responses for clients that accept it.
    pub compress: bool,
    /// Seeds the flaky fault.
    pub seed: u64,
    /// Also pre-render `p1..pN` at build time.
    pub extra_slugs: usize,
    /// Pod `i` listens on `pod_ips[i]` (past the end, and by default, on
    /// 127.0.0.1); pods given an address share the port the OS picks for the
    /// first, as replicas of one Deployment share their container port.
    pub pod_ips: Vec<std::net::IpAddr>,
}

impl Default for FleetOptions {
    fn default() -> FleetOptions {
        FleetOptions {
            pods: 3,
            flavor: Flavor::default(),
            build_id: random_build_id(),
            preview_id: random_hex(32),
            secret: random_hex(24),
            latency: Duration::ZERO,
            regen_latency: Duration::ZERO,
            page_bytes: 0,
            compress: false,
            seed: 0,
            extra_slugs: 0,
            pod_ips: Vec::new(),
        }
    }
}

/// A random 21-character build id over Next's (nanoid) alphabet.
pub fn random_build_id() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::rng();
    (0..21)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// A random lowercase hex string of `len` characters, the shape of Next's
/// `previewModeId`.
pub fn random_hex(len: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

/// A snapshot of one pod's request counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Every request received, faulted or not.
    pub requests: u64,
    /// Requests carrying this pod's valid `x-prerender-revalidate` that were
    /// honoured (not swallowed by `IgnoreRevalidate`).
    pub revalidate_requests: u64,
    /// Pages actually (re)generated: by the header, by the API, or on first
    /// request of a fallback page.
    pub regenerations: u64,
    /// Responses served from the cache (`HIT`).
    pub hits: u64,
    /// Responses generated on first request (`MISS`).
    pub misses: u64,
    /// Calls to `/api/revalidate` (and `/api/revalidate-app`), authorised or not.
    pub api_calls: u64,
    /// Requests whose answer a fault decided (status, flaky failure, reset,
    /// hang, lie, ignored revalidation); mere slowness is not counted.
    pub faulted: u64,
    /// Requests per percent-decoded request path (without the query).
    pub by_path: BTreeMap<String, u64>,
}

/// A running fleet. Dropping it (or calling [`Fleet::shutdown`]) stops every
/// pod and balancer it started.
pub struct Fleet {
    shared: std::sync::Arc<Shared>,
    pods: Vec<Pod>,
    token: CancellationToken,
    build_id: String,
    preview_id: String,
    signing_key: String,
    encryption_key: String,
}

impl fmt::Debug for Fleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fleet")
            .field("flavor", &self.shared.flavor)
            .field("build_id", &self.build_id)
            .field("pods", &self.pods)
            .finish_non_exhaustive()
    }
}

impl Fleet {
    /// Builds the site (pre-rendering `a`, `b`, `c` and `p1..pN` once, so all
    /// pods start byte-identical) and starts one server per pod on 127.0.0.1
    /// with an OS-chosen port.
    pub async fn start(opts: FleetOptions) -> std::io::Result<Fleet> {
        let cms = Cms::seeded(opts.extra_slugs);
        let shared = std::sync::Arc::new(Shared::new(&opts, cms));
        let build = shared.build(&opts.build_id);
        let token = CancellationToken::new();
        // If a later pod fails to start, the earlier ones must not keep running.
        let abort_guard = token.clone().drop_guard();
        let mut pods = Vec::with_capacity(opts.pods);
        let mut shared_port = 0;
        for index in 0..opts.pods {
            let listener = match opts.pod_ips.get(index) {
                Some(&ip) => pod::bind(SocketAddr::new(ip, shared_port))?,
                None => pod::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?,
            };
            if index < opts.pod_ips.len() {
                shared_port = listener.local_addr()?.port();
            }
            let pod = Pod::launch(
                index,
                listener,
                shared.clone(),
                build.clone(),
                &opts.preview_id,
                opts.compress,
                token.clone(),
            )
            .await?;
            pods.push(pod);
        }
        abort_guard.disarm();
        Ok(Fleet {
            shared,
            pods,
            token,
            build_id: opts.build_id,
            preview_id: opts.preview_id,
            signing_key: random_hex(64),
            encryption_key: random_hex(64),
        })
    }

    /// The pods, in order (`pod-1` first); the balancer cycles in this order.
    pub fn pods(&self) -> &[Pod] {
        &self.pods
    }

    /// The content store every pod regenerates from; edit it to make pods stale.
    pub fn cms(&self) -> &Cms {
        &self.shared.cms
    }

    /// The Next.js version the pods imitate.
    pub fn flavor(&self) -> Flavor {
        self.shared.flavor
    }

    /// The build id the fleet was started with (pods may since have moved on
    /// with [`Pod::set_build`]).
    pub fn build_id(&self) -> &str {
        &self.build_id
    }

    /// The preview id the fleet was started with.
    pub fn preview_id(&self) -> &str {
        &self.preview_id
    }

    /// The `x-revalidate-secret` that `/api/revalidate` accepts.
    pub fn secret(&self) -> &str {
        &self.shared.secret
    }

    /// Writes `<dir>/.next/prerender-manifest.json` the way `next build` does,
    /// so a tool can discover the preview id and the pre-rendered routes.
    pub fn write_prerender_manifest(&self, dir: &Path) -> std::io::Result<PathBuf> {
        let manifest = self.prerender_manifest();
        let next_dir = dir.join(".next");
        std::fs::create_dir_all(&next_dir)?;
        let path = next_dir.join("prerender-manifest.json");
        let json = serde_json::to_string(&manifest).map_err(std::io::Error::other)?;
        std::fs::write(&path, json)?;
        Ok(path)
    }

    fn prerender_manifest(&self) -> PrerenderManifest<'_> {
        let flavor = self.shared.flavor;
        let id = &self.build_id;
        let mut routes = BTreeMap::new();
        let mut dynamic_routes = BTreeMap::new();
        for &kind in page::PageKind::all(flavor) {
            let segment = kind.prefix().trim_matches('/');
            let data_route = |slug: &str| {
                if kind.is_app_router() {
                    format!("/{segment}/{slug}.rsc")
                } else {
                    format!("/_next/data/{id}/{segment}/{slug}.json")
                }
            };
            for slug in self.shared.prerendered_slugs() {
                routes.insert(
                    kind.path_for(&slug),
                    ManifestRoute {
                        initial_revalidate_seconds: false,
                        src_route: kind.pattern(),
                        data_route: data_route(&slug),
                    },
                );
            }
            dynamic_routes.insert(
                kind.pattern(),
                ManifestDynamicRoute {
                    route_regex: format!("^/{segment}/([^/]+?)(?:/)?$"),
                    data_route: data_route("[slug]"),
                    fallback: None,
                    data_route_regex: if kind.is_app_router() {
                        format!("^/{segment}/([^/]+?)\\.rsc$")
                    } else {
                        format!("^/_next/data/{id}/{segment}/([^/]+?)\\.json$")
                    },
                },
            );
        }
        PrerenderManifest {
            version: 4,
            routes,
            dynamic_routes,
            not_found_routes: Vec::new(),
            preview: ManifestPreview {
                preview_mode_id: &self.preview_id,
                preview_mode_signing_key: &self.signing_key,
                preview_mode_encryption_key: &self.encryption_key,
            },
        }
    }

    /// Starts a round-robin proxy over all pods (in pod order).
    pub async fn start_balancer(&self) -> std::io::Result<Balancer> {
        let upstreams = self.pods.iter().map(Pod::addr).collect();
        Balancer::start(upstreams, &self.token).await
    }

    /// Stops every pod and balancer and waits until the pods' ports are closed
    /// and their connection tasks have ended.
    pub async fn shutdown(self) {
        self.token.cancel();
        for pod in &self.pods {
            pod.stop().await;
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

#[derive(Serialize)]
struct PrerenderManifest<'a> {
    version: u32,
    routes: BTreeMap<String, ManifestRoute>,
    #[serde(rename = "dynamicRoutes")]
    dynamic_routes: BTreeMap<&'static str, ManifestDynamicRoute>,
    #[serde(rename = "notFoundRoutes")]
    not_found_routes: Vec<String>,
    preview: ManifestPreview<'a>,
}

#[derive(Serialize)]
struct ManifestRoute {
    #[serde(rename = "initialRevalidateSeconds")]
    initial_revalidate_seconds: bool,
    #[serde(rename = "srcRoute")]
    src_route: &'static str,
    #[serde(rename = "dataRoute")]
    data_route: String,
}

#[derive(Serialize)]
struct ManifestDynamicRoute {
    #[serde(rename = "routeRegex")]
    route_regex: String,
    #[serde(rename = "dataRoute")]
    data_route: String,
    /// `null` is how Next records `fallback: 'blocking'`.
    fallback: Option<bool>,
    #[serde(rename = "dataRouteRegex")]
    data_route_regex: String,
}

#[derive(Serialize)]
struct ManifestPreview<'a> {
    #[serde(rename = "previewModeId")]
    preview_mode_id: &'a str,
    #[serde(rename = "previewModeSigningKey")]
    preview_mode_signing_key: &'a str,
    #[serde(rename = "previewModeEncryptionKey")]
    preview_mode_encryption_key: &'a str,
}

#[cfg(test)]
mod tests {
    use super::testkit::{client, fleet, fleet_with, get, get_with};
    use super::*;
    use std::time::Instant;

    #[test]
    fn flavor_parses_and_prints() {
        assert_eq!("13".parse::<Flavor>(), Ok(Flavor::Next13));
        assert_eq!("next16".parse::<Flavor>(), Ok(Flavor::Next16));
        assert_eq!(" 16.4.6 ".parse::<Flavor>(), Ok(Flavor::Next16));
        assert!("15".parse::<Flavor>().is_err());
        assert_eq!(Flavor::Next13.to_string(), "13");
        assert_eq!(Flavor::default(), Flavor::Next16);
    }

    #[test]
    fn default_options_have_next_shaped_ids() {
        let o = FleetOptions::default();
        assert_eq!(o.pods, 3);
        assert_eq!(o.build_id.len(), 21);
        assert!(
            o.build_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        );
        assert_eq!(o.preview_id.len(), 32);
        assert!(
            o.preview_id
                .chars()
                .all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        );
        assert!(!o.secret.is_empty());
        assert_ne!(o.preview_id, FleetOptions::default().preview_id);
    }

    #[tokio::test]
    async fn writes_a_next_shaped_prerender_manifest() {
        let f = fleet(Flavor::Next16).await;
        let dir = std::env::temp_dir().join(format!("sim-manifest-{}", random_hex(12)));
        let path = f.write_prerender_manifest(&dir).unwrap();
        assert_eq!(path, dir.join(".next/prerender-manifest.json"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\"version\":4,\"routes\":{"));
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(m["preview"]["previewModeId"], f.preview_id());
        assert_eq!(
            m["preview"]["previewModeSigningKey"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
        assert_eq!(m["notFoundRoutes"], serde_json::json!([]));
        assert_eq!(m["routes"]["/posts/a"]["srcRoute"], "/posts/[slug]");
        assert_eq!(
            m["routes"]["/posts/a"]["dataRoute"],
            format!("/_next/data/{}/posts/a.json", f.build_id())
        );
        assert_eq!(m["routes"]["/posts/a"]["initialRevalidateSeconds"], false);
        assert!(m["routes"]["/app-posts/c"].is_object());
        assert!(m["routes"]["/posts/d"].is_null());
        assert_eq!(
            m["dynamicRoutes"]["/plain/[slug]"]["fallback"],
            serde_json::Value::Null
        );
        std::fs::remove_dir_all(&dir).unwrap();
        f.shutdown().await;
    }

    #[tokio::test]
    async fn shutdown_closes_every_port() {
        let f = fleet(Flavor::Next13).await;
        let lb = f.start_balancer().await.unwrap();
        let addrs: Vec<SocketAddr> = f.pods().iter().map(Pod::addr).collect();
        let lb_addr = lb.addr();
        f.shutdown().await;
        for addr in addrs {
            let err = tokio::net::TcpStream::connect(addr).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
        }
        // The balancer follows the fleet down; its task notices asynchronously.
        let deadline = Instant::now() + Duration::from_secs(5);
        while tokio::net::TcpStream::connect(lb_addr).await.is_ok() {
            assert!(Instant::now() < deadline, "balancer port still open");
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn dropping_the_fleet_closes_ports() {
        let f = fleet(Flavor::Next16).await;
        let addr = f.pods()[0].addr();
        drop(f);
        let deadline = Instant::now() + Duration::from_secs(5);
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            assert!(Instant::now() < deadline, "pod port still open");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[tokio::test]
    async fn counters_track_what_happened() {
        let f = fleet(Flavor::Next16).await;
        let c = client();
        let pod = &f.pods()[0];
        let url = |p: &str| format!("{}{p}", pod.url());
        get(&c, &url("/posts/a")).await;
        get(&c, &url("/posts/a?x=1")).await;
        get(&c, &url("/posts/d")).await;
        get(&c, &url("/posts/d")).await;
        get_with(
            &c,
            &url("/posts/b"),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        get_with(&c, &url("/posts/b"), &[("x-prerender-revalidate", "wrong")]).await;
        get_with(
            &c,
            &url("/api/revalidate?path=/posts/c"),
            &[("x-revalidate-secret", f.secret())],
        )
        .await;
        let n = pod.counters();
        assert_eq!(n.requests, 7);
        assert_eq!(n.revalidate_requests, 1);
        assert_eq!(n.regenerations, 3, "d generated, b by header, c by API");
        assert_eq!(n.hits, 4);
        assert_eq!(n.misses, 1);
        assert_eq!(n.api_calls, 1);
        assert_eq!(n.faulted, 0);
        assert_eq!(n.by_path.get("/posts/a"), Some(&2));
        assert_eq!(n.by_path.get("/posts/d"), Some(&2));
        assert_eq!(n.by_path.get("/api/revalidate"), Some(&1));
        assert_eq!(f.pods()[1].counters(), Counters::default());
        f.shutdown().await;
    }

    #[tokio::test]
    async fn set_build_rolls_a_pod_to_a_new_build() {
        let f = fleet(Flavor::Next13).await;
        let c = client();
        let (pod, other) = (&f.pods()[0], &f.pods()[1]);
        get(&c, &format!("{}/posts/d", pod.url())).await;
        f.cms().set_title("a", "Post A (build 2)");
        pod.set_build("BUILD2xxxxxxxxxxxxxxx", "feedfacefeedfacefeedfacefeedface");
        assert_eq!(pod.build_id(), "BUILD2xxxxxxxxxxxxxxx");
        let r = get(&c, &format!("{}/posts/a", pod.url())).await;
        assert_eq!(r.cache(), Some("HIT"));
        assert!(r.text().contains("Post A (build 2)"));
        assert!(
            r.text()
                .contains("/_next/static/BUILD2xxxxxxxxxxxxxxx/_buildManifest.js")
        );
        assert_eq!(
            pod.cached_title("/posts/d"),
            None,
            "cache re-seeded from the build"
        );
        // The old preview id is now a wrong id; the new one works.
        let old = get_with(
            &c,
            &format!("{}/posts/a", pod.url()),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        assert_eq!(old.cache(), Some("HIT"));
        let new = get_with(
            &c,
            &format!("{}/posts/a", pod.url()),
            &[("x-prerender-revalidate", "feedfacefeedfacefeedfacefeedface")],
        )
        .await;
        assert_eq!(new.cache(), Some("REVALIDATED"));
        // Data routes follow the pod's build id.
        let data = |id: &str| format!("{}/_next/data/{id}/posts/b.json", pod.url());
        assert_eq!(get(&c, &data(f.build_id())).await.status, 404);
        assert_eq!(get(&c, &data("BUILD2xxxxxxxxxxxxxxx")).await.status, 200);
        // A second pod on the same build gets byte-identical build pages.
        other.set_build("BUILD2xxxxxxxxxxxxxxx", "feedfacefeedfacefeedfacefeedface");
        let b1 = get(&c, &format!("{}/posts/b", pod.url())).await;
        let b2 = get(&c, &format!("{}/posts/b", other.url())).await;
        assert_eq!(b1.body, b2.body);
        assert!(b1.text().contains("BUILD2xxxxxxxxxxxxxxx"));
        f.shutdown().await;
    }

    #[tokio::test]
    async fn extra_slugs_are_prerendered() {
        let f = fleet_with(FleetOptions {
            pods: 2,
            flavor: Flavor::Next13,
            extra_slugs: 25,
            ..FleetOptions::default()
        })
        .await;
        let c = client();
        for pod in f.pods() {
            let r = get(&c, &format!("{}/posts/p25", pod.url())).await;
            assert_eq!((r.status, r.cache()), (200, Some("HIT")));
            assert!(r.text().contains("Post P25 (initial)"));
        }
        assert_eq!(f.cms().title("p26"), None);
        f.shutdown().await;
    }
}
