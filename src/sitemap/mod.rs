//! Paths from sitemaps (`--sitemap URL`): sitemap.xml files and sitemap indexes of the
//! sitemaps.org protocol, plain or gzipped, from a pod, a public URL or a file, followed
//! through indexes and turned into the site's paths.
//!
//! Invariants: every page `<loc>` becomes its path and query, the host stripped, and is then
//! validated by [`crate::paths`] with the paths of the arguments (this module never decides what
//! a valid path is); a `<loc>` must be a full http(s) URL on the sitemap's own host (as named or
//! after redirects) or on the configured site's (`--site-url`), and any other is refused, with
//! every host found, before anything is sent; a sitemap listed by an index is fetched from the
//! index's own origin (so an index a pod serves, naming the public site, is followed on the
//! pod), each sitemap at most once, at most [`MAX_LEVELS`] deep and [`MAX_SITEMAPS`] in all;
//! nothing partial comes out: any sitemap that cannot be read whole ends the command (exit 2);
//! a sitemap URL with a user or password is refused, as a pod's is (it would be shown).

mod fetch;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use reqwest::Url;

use crate::error::Error;
use crate::paths::Origin;
use crate::secret;

pub use parse::{Kind, Loc, LocText, MAX_ENTRIES, ParseError, parse};

/// Levels of sitemaps followed: the one named, an index's sitemaps, and an index of indexes'.
/// The protocol has one level of index; an index at the third level is refused.
pub const MAX_LEVELS: usize = 3;
/// Sitemaps read in all, over every `--sitemap` and the indexes they list.
pub const MAX_SITEMAPS: usize = 1_000;
/// Pages read in all, over every sitemap (before duplicates are dropped).
pub const MAX_PAGES: usize = 500_000;
/// Sitemaps of one index fetched at once.
const FETCH_AT_ONCE: usize = 4;
/// Bad `<loc>`s listed in an error (the rest are counted).
const LISTED: usize = 10;

/// How sitemaps are read.
#[derive(Clone, Debug)]
pub struct Options {
    /// Per request: connecting, the answer's head, each wait for more body.
    pub timeout: Duration,
    /// Retries after a connect error, timeout, 502, 503 or 504.
    pub retries: u32,
    /// The site's public origin (`--site-url`), whose host a `<loc>` may have too.
    pub site_url: Option<String>,
    /// The most bytes of one sitemap, as sent and once decompressed (`--sitemap-max-body`).
    pub max_body: u64,
}

/// Why sitemaps gave no paths: all bad input (exit 2), named by the sitemap's URL as shown.
#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    #[error("--sitemap {0:?}: {1}")]
    BadSource(String, String),
    #[error("--site-url {0:?} {1}")]
    BadSite(String, String),
    #[error("sitemap {sitemap}{by} {error}", by = listed_by(.by))]
    Fetch {
        sitemap: Arc<str>,
        by: Option<String>,
        error: fetch::FetchError,
    },
    #[error("sitemap {sitemap}{by} {error}", by = listed_by(.by))]
    Parse {
        sitemap: Arc<str>,
        by: Option<String>,
        error: ParseError,
    },
    #[error("sitemap {sitemap}{by} {locs}", by = listed_by(.by))]
    BadLocs {
        sitemap: Arc<str>,
        by: Option<String>,
        locs: Box<BadLocs>,
    },
    #[error(
        "sitemap {sitemap}{by} is an index at the {} level; at most {MAX_LEVELS} levels of sitemaps are followed (the protocol has one level of index)",
        ordinal(*.level),
        by = listed_by(.by)
    )]
    TooDeep {
        sitemap: Arc<str>,
        by: Option<String>,
        level: usize,
    },
    #[error(
        "the sitemaps list more than {} sitemaps in all (the last listed by {by}); at most that many are read",
        parse::thousands(MAX_SITEMAPS)
    )]
    TooManySitemaps { by: Arc<str> },
    #[error(
        "the sitemaps list more than {} pages in all (reached in {sitemap}); at most that many are read",
        parse::thousands(MAX_PAGES)
    )]
    TooManyPages { sitemap: Arc<str> },
    #[error("the sitemaps ({0}) list no page, and no other path was given")]
    Empty(String),
}

fn listed_by(by: &Option<String>) -> String {
    by.as_ref()
        .map(|b| format!(" (listed by {b})"))
        .unwrap_or_default()
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}

impl SitemapError {
    fn hint(&self) -> Option<String> {
        match self {
            SitemapError::BadLocs { locs, .. } if !locs.other_hosts.is_empty() && !locs.site_given => Some(
                "a sitemap a pod serves names the public site: give it with --site-url (or cdn.site_url, REVALIDATE_SITE_URL), e.g. --site-url https://www.example.com, and its pages are taken as this site's"
                    .into(),
            ),
            SitemapError::BadLocs { locs, .. } if !locs.other_hosts.is_empty() => Some(
                "pages of one site are revalidated at a time: check --site-url, or read each site's sitemap in its own command"
                    .into(),
            ),
            SitemapError::Fetch {
                error: fetch::FetchError::Unreachable(_),
                ..
            } => Some("check the URL, and that this machine can reach it (proxies come from HTTPS_PROXY, HTTP_PROXY and NO_PROXY)".into()),
            _ => None,
        }
    }
}

/// Bad input: the command ends before anything is sent (exit 2).
impl From<SitemapError> for Error {
    fn from(e: SitemapError) -> Error {
        // "nothing was sent" ends the first line, before any list of <loc>s.
        let text = e.to_string();
        let message = match text.split_once('\n') {
            Some((first, rest)) => {
                format!("{}; nothing was sent:\n{rest}", first.trim_end_matches(':'))
            }
            None => format!("{text}; nothing was sent"),
        };
        match e.hint() {
            Some(h) => Error::usage_with_hint(message, h),
            None => Error::usage(message),
        }
    }
}

/// The `<loc>`s of one sitemap that cannot be used.
#[derive(Debug, Default)]
pub struct BadLocs {
    /// Not a full http(s) URL: (n, the loc as shown, why), the first [`LISTED`].
    not_urls: Vec<(usize, String, String)>,
    not_url_count: usize,
    /// Locs on other hosts, by host.
    other_hosts: BTreeMap<String, usize>,
    /// The first few of them: (n, the loc as shown).
    other_examples: Vec<(usize, String)>,
    /// The hosts a loc may have.
    allowed: Vec<String>,
    /// Whether `--site-url` named one of them.
    site_given: bool,
}

impl BadLocs {
    fn is_empty(&self) -> bool {
        self.not_url_count == 0 && self.other_hosts.is_empty()
    }
}

impl std::fmt::Display for BadLocs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if self.not_url_count > 0 {
            let mut s = format!(
                "has {} <loc>{} that {} not a full http(s) URL:",
                self.not_url_count,
                plural(self.not_url_count),
                if self.not_url_count == 1 { "is" } else { "are" }
            );
            for (n, loc, why) in &self.not_urls {
                s.push_str(&format!("\n  <loc> {n}: {loc:?}: {why}"));
            }
            if self.not_url_count > self.not_urls.len() {
                s.push_str(&format!(
                    "\n  and {} more",
                    self.not_url_count - self.not_urls.len()
                ));
            }
            parts.push(s);
        }
        if !self.other_hosts.is_empty() {
            let count: usize = self.other_hosts.values().sum();
            let hosts: Vec<String> = self
                .other_hosts
                .iter()
                .map(|(h, n)| format!("{h} ({n})"))
                .collect();
            let mut s = format!(
                "has {count} <loc>{} on another host than {}: {}",
                plural(count),
                match self.allowed.as_slice() {
                    [one] => one.clone(),
                    many => format!("any of {}", many.join(", ")),
                },
                hosts.join(", ")
            );
            for (n, loc) in &self.other_examples {
                s.push_str(&format!("\n  <loc> {n}: {loc:?}"));
            }
            parts.push(s);
        }
        f.write_str(&parts.join("; and it "))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Where a sitemap is.
#[derive(Clone, Debug)]
enum Place {
    Url(Url),
    File(PathBuf),
}

impl Place {
    /// The place of a `--sitemap` value: a URL when it has a scheme, a file otherwise.
    fn of(source: &str) -> Result<Place, SitemapError> {
        let shown = secret::mask_query(source);
        if !source.contains("://") {
            return if source.is_empty() {
                Err(SitemapError::BadSource(
                    shown,
                    "is empty; give a sitemap's http(s) URL or file".into(),
                ))
            } else {
                Ok(Place::File(PathBuf::from(source)))
            };
        }
        let credentials = || {
            SitemapError::BadSource(
                shown.clone(),
                "a user or password in a sitemap URL would be shown in reports and logs; save a sitemap behind authentication to a file and pass --sitemap FILE".into(),
            )
        };
        if secret::mask_userinfo(source) != source {
            return Err(credentials());
        }
        let url = Url::parse(source)
            .map_err(|e| SitemapError::BadSource(shown.clone(), format!("is not a URL ({e})")))?;
        match url.scheme() {
            "http" | "https" if has_credentials(source, &url) => Err(credentials()),
            "http" | "https" => Ok(Place::Url(url)),
            "file" => url
                .to_file_path()
                .map(Place::File)
                .map_err(|()| SitemapError::BadSource(shown, "is not a local file URL".into())),
            other => Err(SitemapError::BadSource(
                shown,
                format!("the {other}: scheme is not read; write an http(s) URL or a file path"),
            )),
        }
    }

    fn key(&self) -> String {
        match self {
            Place::Url(u) => u.to_string(),
            Place::File(p) => format!("file:{}", p.display()),
        }
    }

    fn shown(&self) -> Arc<str> {
        match self {
            Place::Url(u) => secret::mask_query(u.as_str()).into(),
            Place::File(p) => p.display().to_string().into(),
        }
    }
}

/// Whether a URL carries a user or password (also one written with a raw `/`, `?` or `#`, which
/// the URL parser reads otherwise).
fn has_credentials(text: &str, url: &Url) -> bool {
    secret::mask_userinfo(text) != text || !url.username().is_empty() || url.password().is_some()
}

/// The host of the configured site.
fn site_host(site_url: &str) -> Result<String, SitemapError> {
    let shown = secret::mask_userinfo(site_url);
    let bad = |why: String| SitemapError::BadSite(shown.clone(), why);
    let url = Url::parse(site_url).map_err(|e| {
        bad(format!(
            "is not a URL ({e}); write the site's origin, e.g. https://www.example.com"
        ))
    })?;
    match (url.scheme(), url.host_str()) {
        ("http" | "https", Some(h)) => Ok(h.to_ascii_lowercase()),
        _ => Err(bad(
            "must be an http(s) origin with a host, e.g. https://www.example.com".into(),
        )),
    }
}

/// Reads every sitemap of `sources`, in order and each index's sitemaps in its order, and
/// returns the path (and query) of every page with the `<loc>` it came from. Nothing is sent to
/// a pod here; any failure is bad input.
pub async fn read(sources: &[String], opts: &Options) -> Result<Vec<(Origin, String)>, Error> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let site = opts.site_url.as_deref().map(site_host).transpose()?;
    let places = sources
        .iter()
        .map(|s| Place::of(s))
        .collect::<Result<Vec<_>, _>>()?;
    let walk = Walk {
        client: fetch::Client::new(opts.timeout, opts.retries, opts.max_body)?,
        site,
        max_body: opts.max_body,
        seen: Mutex::new(HashSet::new()),
        sitemaps: Mutex::new(0),
        pages: Mutex::new(0),
    };
    let mut out = Vec::new();
    for place in places {
        if !walk.first_time(&place, None) {
            continue;
        }
        let sitemap = Sitemap {
            place,
            by: None,
            level: 1,
        };
        out.extend(walk.read(sitemap).await?);
    }
    Ok(out)
}

/// One sitemap to read: where, who listed it, at which level.
struct Sitemap {
    place: Place,
    /// The index and `<loc>` that listed it, as shown.
    by: Option<String>,
    /// 1 for a sitemap named by `--sitemap`.
    level: usize,
}

struct Walk {
    client: fetch::Client,
    site: Option<String>,
    max_body: u64,
    /// Every sitemap read or scheduled, by URL (file paths apart).
    seen: Mutex<HashSet<String>>,
    sitemaps: Mutex<usize>,
    pages: Mutex<usize>,
}

/// What one sitemap gave.
enum Read {
    Pages(Vec<(Origin, String)>),
    Sitemaps(Vec<Sitemap>),
}

impl Walk {
    /// Whether `place` is new (and now seen); a repeat is said in the log.
    fn first_time(&self, place: &Place, by: Option<&str>) -> bool {
        let new = self.seen.lock().expect("lock").insert(place.key());
        if !new {
            tracing::warn!(
                "sitemap {} is listed again{}; it is read once",
                place.shown(),
                by.map(|b| format!(" (by {b})")).unwrap_or_default()
            );
        }
        new
    }

    /// Reads one sitemap and everything it lists, its pages in document order.
    fn read(&self, sitemap: Sitemap) -> BoxFuture<'_, Result<Vec<(Origin, String)>, SitemapError>> {
        async move {
            match self.read_one(&sitemap).await? {
                Read::Pages(pages) => Ok(pages),
                Read::Sitemaps(children) => {
                    let lists: Vec<Vec<(Origin, String)>> = futures_util::stream::iter(children)
                        .map(|child| self.read(child))
                        .buffered(FETCH_AT_ONCE)
                        .try_collect()
                        .await?;
                    Ok(lists.into_iter().flatten().collect())
                }
            }
        }
        .boxed()
    }

    /// Fetches and parses one sitemap.
    async fn read_one(&self, sitemap: &Sitemap) -> Result<Read, SitemapError> {
        let shown = sitemap.place.shown();
        {
            let mut n = self.sitemaps.lock().expect("lock");
            *n += 1;
            if *n > MAX_SITEMAPS {
                return Err(SitemapError::TooManySitemaps {
                    by: sitemap.by.clone().map_or_else(|| shown.clone(), Into::into),
                });
            }
        }
        tracing::info!("reading sitemap {shown}");
        let fetch_error = |error| SitemapError::Fetch {
            sitemap: shown.clone(),
            by: sitemap.by.clone(),
            error,
        };
        let mut allowed: Vec<String> = Vec::new();
        let mut add = |h: Option<&str>| {
            if let Some(h) = h.map(str::to_ascii_lowercase)
                && !allowed.contains(&h)
            {
                allowed.push(h);
            }
        };
        if let Place::Url(url) = &sitemap.place {
            add(url.host_str());
        }
        add(self.site.as_deref());
        let (collected, parsed) = match &sitemap.place {
            Place::Url(url) => {
                let opened = self.client.open(url).await.map_err(fetch_error)?;
                add(opened.url.host_str());
                // Where an index's sitemaps are fetched from: this sitemap's own origin, after
                // redirects.
                let collector = Collector::new(
                    allowed,
                    self.site.is_some(),
                    Some(opened.url.clone()),
                    self.max_body,
                );
                self.client.read(opened, move |r| collector.run(r)).await
            }
            Place::File(path) => {
                let collector = Collector::new(allowed, self.site.is_some(), None, self.max_body);
                fetch::read_file(path.clone(), move |r| collector.run(r))
                    .await
                    .map_err(fetch_error)?
            }
        };
        let (kind, _) = parsed.map_err(|error| SitemapError::Parse {
            sitemap: shown.clone(),
            by: sitemap.by.clone(),
            error,
        })?;
        if !collected.bad.is_empty() {
            return Err(SitemapError::BadLocs {
                sitemap: shown.clone(),
                by: sitemap.by.clone(),
                locs: Box::new(collected.bad),
            });
        }
        match kind {
            Kind::UrlSet => {
                {
                    let mut n = self.pages.lock().expect("lock");
                    *n += collected.pages.len();
                    if *n > MAX_PAGES {
                        return Err(SitemapError::TooManyPages { sitemap: shown });
                    }
                }
                if collected.pages.is_empty() {
                    tracing::warn!("sitemap {shown} lists no page");
                } else {
                    tracing::info!("sitemap {shown}: {} pages", collected.pages.len());
                }
                Ok(Read::Pages(
                    collected
                        .pages
                        .into_iter()
                        .map(|(loc, path)| {
                            (
                                Origin::Sitemap {
                                    sitemap: shown.clone(),
                                    loc,
                                },
                                path,
                            )
                        })
                        .collect(),
                ))
            }
            Kind::Index => {
                if sitemap.level >= MAX_LEVELS && !collected.sitemaps.is_empty() {
                    return Err(SitemapError::TooDeep {
                        sitemap: shown,
                        by: sitemap.by.clone(),
                        level: sitemap.level,
                    });
                }
                tracing::info!(
                    "sitemap index {shown}: {} sitemaps",
                    collected.sitemaps.len()
                );
                let mut children = Vec::new();
                for (loc, url) in collected.sitemaps {
                    let by = format!("{shown} <loc> {loc}");
                    let place = Place::Url(url);
                    if self.first_time(&place, Some(&by)) {
                        children.push(Sitemap {
                            place,
                            by: Some(by),
                            level: sitemap.level + 1,
                        });
                    }
                }
                Ok(Read::Sitemaps(children))
            }
        }
    }
}

/// Takes a sitemap's `<loc>`s as the parser hands them out: each page's path, or each listed
/// sitemap's URL on this sitemap's origin; the bad ones set apart.
struct Collector {
    allowed: Vec<String>,
    /// This sitemap's URL, against which a listed sitemap's path is resolved (none for a file).
    base: Option<Url>,
    max_body: u64,
    /// A `<urlset>`'s pages: (n, path and query).
    pages: Vec<(usize, String)>,
    /// A `<sitemapindex>`'s sitemaps: (n, where to fetch it).
    sitemaps: Vec<(usize, Url)>,
    bad: BadLocs,
}

impl Collector {
    fn new(allowed: Vec<String>, site_given: bool, base: Option<Url>, max_body: u64) -> Collector {
        Collector {
            bad: BadLocs {
                allowed: allowed.clone(),
                site_given,
                ..BadLocs::default()
            },
            allowed,
            base,
            max_body,
            pages: Vec::new(),
            sitemaps: Vec::new(),
        }
    }

    /// Parses `r` into this collector; hands both back.
    fn run(mut self, r: &mut dyn std::io::Read) -> (Collector, Result<(Kind, usize), ParseError>) {
        let max = self.max_body;
        let parsed = parse(r, max, &mut |kind, loc| self.take(kind, loc));
        (self, parsed)
    }

    fn take(&mut self, kind: Kind, loc: Loc) {
        let url = match &loc.text {
            LocText::TooLong(len) => Err((
                format!("({len} bytes)"),
                format!("is {len} bytes long; a <loc> is at most 2,048 characters (the protocol)"),
            )),
            LocText::Text(text) => page_url(text)
                .and_then(|u| match kind {
                    Kind::Index if has_credentials(text, &u) => Err(
                        "names a user or password; a sitemap URL with credentials is refused"
                            .to_string(),
                    ),
                    _ => Ok(u),
                })
                .map_err(|why| (shown_loc(text), why)),
        };
        let url = match url {
            Ok(u) => u,
            Err((shown, why)) => {
                self.bad.not_url_count += 1;
                if self.bad.not_urls.len() < LISTED {
                    self.bad.not_urls.push((loc.n, shown, why));
                }
                return;
            }
        };
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if self.allowed.is_empty() {
            // A file names no host: its first page's is the site's.
            self.allowed.push(host.clone());
            self.bad.allowed.push(host.clone());
        }
        if !self.allowed.contains(&host) {
            *self.bad.other_hosts.entry(host).or_default() += 1;
            if self.bad.other_examples.len() < 3 {
                self.bad
                    .other_examples
                    .push((loc.n, shown_loc(url.as_str())));
            }
            return;
        }
        if !self.bad.is_empty() {
            // Only the errors are reported now; keep memory for them.
            return;
        }
        match kind {
            Kind::UrlSet => self.pages.push((loc.n, path_of(&url).replace('*', "%2A"))),
            Kind::Index => {
                let on_base = self.base.as_ref().and_then(|b| b.join(&path_of(&url)).ok());
                self.sitemaps.push((loc.n, on_base.unwrap_or(url)));
            }
        }
    }
}

/// A `<loc>` as shown in a message: credentials masked, cut.
fn shown_loc(text: &str) -> String {
    secret::snippet(&secret::mask_query(text), 120)
}

/// The URL of a `<loc>`: a full http(s) URL, or why not.
fn page_url(text: &str) -> Result<Url, String> {
    if text.is_empty() {
        return Err("is empty".into());
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character U+{:04X}", c as u32));
    }
    let url = Url::parse(text).map_err(|e| {
        if text.starts_with('/') || !text.contains(':') {
            "is not a full URL; a <loc> names the scheme and host too, e.g. https://www.example.com/posts/a".to_string()
        } else {
            format!("is not a URL ({e})")
        }
    })?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        "http" | "https" => Err("has no host".into()),
        other => Err(format!("is a {other}: URL; a <loc> is an http(s) URL")),
    }
}

/// A URL's path and query as they are requested, the host stripped: for a page, what
/// [`crate::paths`] then validates (with `*` written `%2A`: in a sitemap it is a character of a
/// page's URL, never a CDN wildcard).
fn path_of(url: &Url) -> String {
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    path
}
