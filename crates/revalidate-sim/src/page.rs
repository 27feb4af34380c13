//! Rendering of the simulated site: Pages Router HTML, `/_next/data` JSON,
//! App Router HTML (13.5 and 16 flavours) and the not-found pages, plus the cache entries
//! that hold them.
//!
//! Invariant: rendering is a pure function of (flavor, page padding, route,
//! post content, generation time, build id). Two pods that regenerate the same
//! post at the same instant, or render a timestamp-free `/plain` page at any
//! instant, produce byte-identical bodies and therefore identical ETags; the
//! only per-generation difference is the `generatedAt` timestamp, exactly as
//! in the reference recordings.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use bytes::Bytes;
use serde::Serialize;

use super::Flavor;
use super::cms::Post;
use super::etag::generate_etag_bytes;

/// The ISR page routes the simulated app defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum PageKind {
    /// `/posts/[slug]`: Pages Router, shows a per-generation timestamp.
    Posts,
    /// `/plain/[slug]`: Pages Router without any timestamp, so fresh copies
    /// are byte-identical across pods.
    Plain,
    /// `/app-posts/[slug]`: App Router page (both flavours).
    AppPosts,
}

impl PageKind {
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            PageKind::Posts => "/posts/",
            PageKind::Plain => "/plain/",
            PageKind::AppPosts => "/app-posts/",
        }
    }

    /// The route pattern as Next names it (`page` in `__NEXT_DATA__`).
    pub(crate) fn pattern(self) -> &'static str {
        match self {
            PageKind::Posts => "/posts/[slug]",
            PageKind::Plain => "/plain/[slug]",
            PageKind::AppPosts => "/app-posts/[slug]",
        }
    }

    pub(crate) fn is_app_router(self) -> bool {
        self == PageKind::AppPosts
    }

    /// The cache tags a page of this route reads its data with: the App Router page reads its
    /// post as `unstable_cache(…, { tags: ['posts', 'post:<slug>'] })` would, so
    /// `revalidateTag` of either regenerates it; Pages Router pages have no tags.
    pub(crate) fn tags(self, slug: &str) -> Vec<String> {
        match self {
            PageKind::AppPosts => vec!["posts".to_owned(), format!("post:{slug}")],
            PageKind::Posts | PageKind::Plain => Vec::new(),
        }
    }

    fn has_timestamp(self) -> bool {
        self != PageKind::Plain
    }

    /// The page routes a build of the given flavour contains.
    pub(crate) fn all(flavor: Flavor) -> &'static [PageKind] {
        match flavor {
            Flavor::Next13 | Flavor::Next16 => {
                &[PageKind::Posts, PageKind::Plain, PageKind::AppPosts]
            }
        }
    }

    /// Maps the first path segment of a Pages Router data route to its page.
    pub(crate) fn from_data_segment(segment: &str) -> Option<PageKind> {
        match segment {
            "posts" => Some(PageKind::Posts),
            "plain" => Some(PageKind::Plain),
            _ => None,
        }
    }

    /// The cache key (and public path) of one page of this route.
    pub(crate) fn path_for(self, slug: &str) -> String {
        format!("{}{}", self.prefix(), slug)
    }
}

/// The build manifest a build serves at `/_next/static/<build id>/_buildManifest.js`: its
/// `sortedPages` lists the Pages Router's routes, as 13.5.11's webpack writes it (minified, API
/// routes left out) and 16.4.6's Turbopack (indented, API routes in).
pub(crate) fn build_manifest(flavor: Flavor) -> String {
    let pages = [PageKind::Plain, PageKind::Posts];
    match flavor {
        Flavor::Next13 => {
            let mut sorted = vec!["\"/_app\"".to_owned(), "\"/_error\"".to_owned()];
            sorted.extend(pages.iter().map(|k| format!("\"{}\"", k.pattern())));
            format!(
                "self.__BUILD_MANIFEST={{__rewrites:{{afterFiles:[],beforeFiles:[],fallback:[]}},sortedPages:[{}]}},self.__BUILD_MANIFEST_CB&&self.__BUILD_MANIFEST_CB();",
                sorted.join(",")
            )
        }
        Flavor::Next16 => {
            let mut sorted: Vec<String> = ["/_app", "/_error", "/api/pod", "/api/revalidate"]
                .iter()
                .map(|p| format!("    \"{p}\""))
                .collect();
            sorted.extend(pages.iter().map(|k| format!("    \"{}\"", k.pattern())));
            format!(
                "self.__BUILD_MANIFEST = {{\n  \"__rewrites\": {{\n    \"afterFiles\": [],\n    \"beforeFiles\": [],\n    \"fallback\": []\n  }},\n  \"sortedPages\": [\n{}\n  ]\n}};self.__BUILD_MANIFEST_CB && self.__BUILD_MANIFEST_CB()",
                sorted.join(",\n")
            )
        }
    }
}

/// A response body as Next would have it in memory: the bytes, their ETag,
/// and a lazily computed gzip rendition so repeated compressed responses of a
/// cached page cost one compression, not one per request.
#[derive(Debug)]
pub(crate) struct Payload {
    pub(crate) bytes: Bytes,
    pub(crate) etag: String,
    gzip: OnceLock<Bytes>,
}

impl Payload {
    pub(crate) fn new(bytes: impl Into<Bytes>) -> Payload {
        let bytes = bytes.into();
        let etag = generate_etag_bytes(&bytes);
        Payload {
            bytes,
            etag,
            gzip: OnceLock::new(),
        }
    }

    /// The gzip-compressed body (computed once, then shared).
    pub(crate) fn gzipped(&self) -> Bytes {
        self.gzip
            .get_or_init(|| Bytes::from(gzip(&self.bytes)))
            .clone()
    }
}

/// Compresses with zlib's default level, as Node's `compression` middleware does.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3 + 64),
        flate2::Compression::default(),
    );
    enc.write_all(data)
        .and_then(|()| enc.finish())
        .expect("gzip into a Vec cannot fail")
}

/// One page in a pod's ISR cache. The HTML and the `/_next/data` JSON are two
/// views of the same generation, which is why they live in one entry: a
/// revalidation through either URL refreshes both.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) kind: PageKind,
    /// 200 for a rendered post, 404 when `getStaticProps` returned `notFound`.
    pub(crate) status: u16,
    pub(crate) title: Option<String>,
    pub(crate) generated_at: SystemTime,
    pub(crate) html: Arc<Payload>,
    /// The `/_next/data` body; App Router pages have none.
    pub(crate) json: Option<Arc<Payload>>,
    /// The RSC payload (`RSC: 1`; the prefetch of a static page is the same bytes, as measured);
    /// Pages Router pages have none.
    pub(crate) rsc: Option<Arc<Payload>>,
}

/// Renders every body the simulated app serves for one fleet configuration.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub(crate) flavor: Flavor,
    pub(crate) page_bytes: usize,
}

impl Site {
    /// Runs "getStaticProps + render" for one page: the post as it is now, or
    /// a cached `notFound` result when the post does not exist. `rsc_query` is the `_rsc` value
    /// of the request that made this generation, when it was an RSC request: an App Router page
    /// then names its URL with that query in its flight data (16: the router tree's
    /// `"b?_rsc="`; 13.5: `initialCanonicalUrl` `"/app-posts/b?_rsc"`), as measured.
    pub(crate) fn render_entry(
        &self,
        kind: PageKind,
        slug: &str,
        post: Option<&Post>,
        at: SystemTime,
        build_id: &str,
        rsc_query: Option<&str>,
    ) -> Entry {
        let Some(post) = post else {
            let path = kind.path_for(slug);
            return Entry {
                kind,
                status: 404,
                title: None,
                generated_at: at,
                html: Arc::new(self.not_found_page(&path, build_id)),
                json: (!kind.is_app_router())
                    .then(|| Arc::new(Payload::new(&br#"{"notFound":true}"#[..]))),
                rsc: Some(Arc::new(Payload::new(
                    self.not_found_flight(&path, build_id),
                ))),
            };
        };
        let stamp = kind.has_timestamp().then(|| iso_millis(at));
        let props = PageProps {
            slug,
            title: &post.title,
            body: &post.body,
            generated_at: stamp.as_deref(),
        };
        let (html, json, rsc) = if kind.is_app_router() {
            let flight = self.app_flight(&props, build_id, rsc_query);
            (
                self.app_page_html(&props, &flight),
                None,
                Some(Arc::new(Payload::new(flight))),
            )
        } else {
            let data = DataJson {
                page_props: &props,
                n_ssg: true,
            };
            let json = serde_json::to_string(&data).expect("page props serialize");
            (
                self.pages_html(kind, &props, build_id),
                Some(Arc::new(Payload::new(json))),
                None,
            )
        };
        Entry {
            kind,
            status: 200,
            title: Some(post.title.clone()),
            generated_at: at,
            html: Arc::new(Payload::new(self.pad(html))),
            json,
            rsc,
        }
    }

    /// The HTML of the not-found page. On 13 it is the Pages Router `/404`
    /// page, identical for every path (the reference shows one ETag for all
    /// 404s); on 16 it is the App Router not-found page, whose flight data
    /// embeds the requested path once.
    pub(crate) fn not_found_page(&self, path: &str, build_id: &str) -> Payload {
        let html = match self.flavor {
            Flavor::Next13 => self.not_found_13(build_id),
            Flavor::Next16 => self.not_found_16(path, build_id),
        };
        Payload::new(self.pad(html))
    }

    fn pages_html(&self, kind: PageKind, props: &PageProps<'_>, build_id: &str) -> String {
        let next_data = NextData {
            props: DataJson {
                page_props: props,
                n_ssg: true,
            },
            page: kind.pattern(),
            query: Query { slug: props.slug },
            build_id,
            is_fallback: false,
            is_experimental_compile: false,
            gsp: true,
            script_loader: &[],
        };
        let next_data =
            html_escape_json(&serde_json::to_string(&next_data).expect("next data serializes"));
        let title = escape_html(props.title);
        let slug = escape_html(props.slug);
        let mut h = String::with_capacity(2048);
        h.push_str("<!DOCTYPE html><html><head><meta charSet=\"utf-8\"/>");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width\"/>");
        h.push_str(&format!("<title>{title}</title>"));
        if self.flavor == Flavor::Next13 {
            h.push_str("<meta name=\"next-head-count\" content=\"3\"/>");
        }
        h.push_str("<noscript data-n-css=\"\"></noscript>");
        self.push_pages_scripts(&mut h, kind, build_id);
        h.push_str("</head><body><div id=\"__next\"><main>");
        h.push_str(&format!("<h1 id=\"title\">{title}</h1>"));
        h.push_str(&format!(
            "<article id=\"body\"><p>{}</p></article>",
            escape_html(props.body)
        ));
        match props.generated_at {
            Some(at) => h.push_str(&format!(
                "<p id=\"meta\">slug <code id=\"slug\">{slug}</code>, generated at<!-- --> \
                 <time id=\"generated-at\" dateTime=\"{at}\">{at}</time></p>"
            )),
            None => h.push_str(&format!(
                "<p id=\"meta\">slug <code id=\"slug\">{slug}</code></p>"
            )),
        }
        h.push_str("<nav><a href=\"/\">Home</a></nav></main></div>");
        h.push_str(&format!(
            "<script id=\"__NEXT_DATA__\" type=\"application/json\">{next_data}</script>"
        ));
        h.push_str("</body></html>");
        h
    }

    /// The script tags of a Pages Router document. Chunk hashes are fixed
    /// because real chunk names depend on code, not on the build id; only the
    /// manifests live under `/_next/static/<buildId>/`.
    fn push_pages_scripts(&self, h: &mut String, kind: PageKind, build_id: &str) {
        let (polyfills, webpack, framework, main, app) = match self.flavor {
            Flavor::Next13 => (
                "polyfills-c67a75d1b6f99dc8",
                "webpack-8fa1640cc84ba8fe",
                "framework-fda0a023b274c574",
                "main-837e4a9b6d0ffbf5",
                "_app-1534f180665c857f",
            ),
            Flavor::Next16 => (
                "polyfills-42372ed130431b0a",
                "webpack-5adb3d8d1ea8a4b8",
                "framework-2d4ba2a6a4a1d6c3",
                "main-a8d4b0c6e2f1f9a7",
                "_app-7d3c1f0e9b8a2c4d",
            ),
        };
        let page_chunk = match kind {
            PageKind::Plain => "plain/%5Bslug%5D-3f5e1c2b9a7d8e60",
            _ => "posts/%5Bslug%5D-9c4b7e2d1a0f3e58",
        };
        h.push_str(&format!(
            "<script defer=\"\" nomodule=\"\" src=\"/_next/static/chunks/{polyfills}.js\"></script>"
        ));
        for chunk in [webpack, framework, main] {
            h.push_str(&format!(
                "<script src=\"/_next/static/chunks/{chunk}.js\" defer=\"\"></script>"
            ));
        }
        for page in [app, page_chunk] {
            h.push_str(&format!(
                "<script src=\"/_next/static/chunks/pages/{page}.js\" defer=\"\"></script>"
            ));
        }
        for manifest in ["_buildManifest", "_ssgManifest"] {
            h.push_str(&format!(
                "<script src=\"/_next/static/{build_id}/{manifest}.js\" defer=\"\"></script>"
            ));
        }
    }

    /// The flight data of an App Router page: its RSC payload, and (escaped) part of its HTML.
    fn app_flight(&self, props: &PageProps<'_>, build_id: &str, rsc_query: Option<&str>) -> String {
        match self.flavor {
            // 16: the root's `b` is the build id; `c` the URL's segments, the last with the
            // query of an RSC request as `URLSearchParams` writes it (`?_rsc` -> `?_rsc=`).
            Flavor::Next16 => {
                let last = match rsc_query {
                    Some(v) => format!("{}?_rsc={v}", props.slug),
                    None => props.slug.to_owned(),
                };
                format!(
                    "0:{}\n1:{}\n",
                    serde_json::to_string(&FlightRoot {
                        b: build_id,
                        p: "",
                        c: ["", "app-posts", &last],
                        i: false,
                    })
                    .expect("flight root serializes"),
                    serde_json::to_string(props).expect("page props serialize"),
                )
            }
            // 13.5: the app router element's props carry `buildId` (measured on 13.5.11), and
            // the canonical URL the request's query as sent (`?_rsc`).
            Flavor::Next13 => {
                let url = match rsc_query {
                    Some("") => format!("/app-posts/{}?_rsc", props.slug),
                    Some(v) => format!("/app-posts/{}?_rsc={v}", props.slug),
                    None => format!("/app-posts/{}", props.slug),
                };
                format!(
                    "1:[[],[\"$\",\"$L2\",null,{}]]\n3:{}\n",
                    serde_json::to_string(&Flight13Root {
                        build_id,
                        asset_prefix: "",
                        initial_canonical_url: &url,
                    })
                    .expect("flight root serializes"),
                    serde_json::to_string(props).expect("page props serialize"),
                )
            }
        }
    }

    /// The RSC payload of the not-found page.
    fn not_found_flight(&self, path: &str, build_id: &str) -> String {
        format!(
            "0:{}\n",
            serde_json::to_string(&NotFoundFlight {
                b: build_id,
                p: "",
                c: path,
                i: false,
                m: "$undefined",
            })
            .expect("flight root serializes")
        )
    }

    fn app_page_html(&self, props: &PageProps<'_>, flight: &str) -> String {
        let flight = html_escape_json(&serde_json::to_string(flight).expect("string serializes"));
        let title = escape_html(props.title);
        let slug = escape_html(props.slug);
        let at = props.generated_at.unwrap_or_default();
        let mut h = String::with_capacity(4096);
        h.push_str(APP_HEAD_START);
        h.push_str(&format!("<title>{title}</title></head><body><main>"));
        h.push_str(&format!("<h1 id=\"title\">{title}</h1>"));
        h.push_str(&format!(
            "<article id=\"body\"><p>{}</p></article>",
            escape_html(props.body)
        ));
        h.push_str(&format!(
            "<p id=\"meta\">slug <code id=\"slug\">{slug}</code>, generated at<!-- --> \
             <time id=\"generated-at\" dateTime=\"{at}\">{at}</time></p></main>"
        ));
        h.push_str("<script>(self.__next_f=self.__next_f||[]).push([0])</script>");
        h.push_str(&format!(
            "<script>self.__next_f.push([1,{flight}])</script>"
        ));
        h.push_str("</body></html>");
        h
    }

    fn not_found_13(&self, build_id: &str) -> String {
        let mut h = String::with_capacity(2400);
        h.push_str("<!DOCTYPE html><html><head><meta charSet=\"utf-8\"/>");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width\"/>");
        h.push_str("<title>404: This page could not be found</title>");
        h.push_str(
            "<meta name=\"next-head-count\" content=\"3\"/><noscript data-n-css=\"\"></noscript>",
        );
        h.push_str(&format!(
            "<script src=\"/_next/static/{build_id}/_buildManifest.js\" defer=\"\"></script>\
             <script src=\"/_next/static/{build_id}/_ssgManifest.js\" defer=\"\"></script>"
        ));
        h.push_str("</head><body><div id=\"__next\">");
        h.push_str(NOT_FOUND_BODY);
        h.push_str("</div><script id=\"__NEXT_DATA__\" type=\"application/json\">");
        h.push_str(&format!(
            "{{\"props\":{{\"pageProps\":{{\"statusCode\":404}}}},\"page\":\"/_error\",\"query\":{{}},\
             \"buildId\":{},\"nextExport\":true,\"isFallback\":false,\"gip\":true,\"scriptLoader\":[]}}",
            html_escape_json(&serde_json::to_string(build_id).expect("string serializes"))
        ));
        h.push_str("</script></body></html>");
        h
    }

    fn not_found_16(&self, path: &str, build_id: &str) -> String {
        let root = NotFoundFlight {
            b: build_id,
            p: "",
            c: path,
            i: false,
            m: "$undefined",
        };
        let flight = format!(
            "0:{}\n",
            serde_json::to_string(&root).expect("flight root serializes")
        );
        let flight = html_escape_json(&serde_json::to_string(&flight).expect("string serializes"));
        let mut h = String::with_capacity(4096);
        h.push_str(APP_HEAD_START);
        h.push_str("<title>404: This page could not be found.</title>");
        h.push_str("<meta name=\"robots\" content=\"noindex\"/></head><body>");
        h.push_str(NOT_FOUND_BODY);
        h.push_str("<script>(self.__next_f=self.__next_f||[]).push([0])</script>");
        h.push_str(&format!(
            "<script>self.__next_f.push([1,{flight}])</script>"
        ));
        h.push_str("</body></html>");
        h
    }

    /// Pads an HTML document to `page_bytes` with deterministic filler so that
    /// benchmarks can use realistic page sizes without breaking the
    /// byte-identical-across-pods property of timestamp-free pages.
    fn pad(&self, mut html: String) -> String {
        const OPEN: &str = "<div id=\"sim-filler\" hidden=\"\">";
        const CLOSE: &str = "</div>";
        const TAIL: &str = "</body></html>";
        if html.len() >= self.page_bytes || !html.ends_with(TAIL) {
            return html;
        }
        let missing = self.page_bytes - html.len();
        let filler_len = missing.saturating_sub(OPEN.len() + CLOSE.len());
        let at = html.len() - TAIL.len();
        let block = format!("{OPEN}{}{CLOSE}", filler(filler_len));
        html.insert_str(at, &block);
        html
    }
}

/// The start of an App Router document (16), shared by pages and not-found.
const APP_HEAD_START: &str = concat!(
    "<!DOCTYPE html><html lang=\"en\"><head><meta charSet=\"utf-8\"/>",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
    "<link rel=\"preload\" as=\"script\" fetchPriority=\"low\" href=\"/_next/static/chunks/webpack-1b6e2f9d0c3a4e57.js\"/>",
    "<script src=\"/_next/static/chunks/4bd1b696-c2f0b2d1e6a93f48.js\" async=\"\"></script>",
    "<script src=\"/_next/static/chunks/684-7a1d5e0c9b3f2468.js\" async=\"\"></script>",
    "<script src=\"/_next/static/chunks/main-app-0e5b8c7d2a1f9346.js\" async=\"\"></script>",
    "<meta name=\"next-size-adjust\" content=\"\"/>",
);

/// The visible part of Next's default 404 page.
const NOT_FOUND_BODY: &str = concat!(
    "<div style=\"font-family:system-ui,&quot;Segoe UI&quot;,Roboto,Helvetica,Arial,sans-serif,",
    "&quot;Apple Color Emoji&quot;,&quot;Segoe UI Emoji&quot;;height:100vh;text-align:center;",
    "display:flex;flex-direction:column;align-items:center;justify-content:center\"><div>",
    "<style>body{color:#000;background:#fff;margin:0}.next-error-h1{border-right:1px solid rgba(0,0,0,.3)}",
    "@media (prefers-color-scheme:dark){body{color:#fff;background:#000}",
    ".next-error-h1{border-right:1px solid rgba(255,255,255,.3)}}</style>",
    "<h1 class=\"next-error-h1\" style=\"display:inline-block;margin:0 20px 0 0;padding:0 23px 0 0;",
    "font-size:24px;font-weight:500;vertical-align:top;line-height:49px\">404</h1>",
    "<div style=\"display:inline-block\"><h2 style=\"font-size:14px;font-weight:400;",
    "line-height:49px;margin:0\">This page could not be found<!-- -->.</h2></div></div></div>",
);

#[derive(Serialize)]
struct PageProps<'a> {
    slug: &'a str,
    title: &'a str,
    body: &'a str,
    #[serde(rename = "generatedAt", skip_serializing_if = "Option::is_none")]
    generated_at: Option<&'a str>,
}

#[derive(Serialize)]
struct DataJson<'a> {
    #[serde(rename = "pageProps")]
    page_props: &'a PageProps<'a>,
    #[serde(rename = "__N_SSG")]
    n_ssg: bool,
}

#[derive(Serialize)]
struct Query<'a> {
    slug: &'a str,
}

#[derive(Serialize)]
struct NextData<'a> {
    props: DataJson<'a>,
    page: &'a str,
    query: Query<'a>,
    #[serde(rename = "buildId")]
    build_id: &'a str,
    #[serde(rename = "isFallback")]
    is_fallback: bool,
    #[serde(rename = "isExperimentalCompile")]
    is_experimental_compile: bool,
    gsp: bool,
    #[serde(rename = "scriptLoader")]
    script_loader: &'a [u8],
}

#[derive(Serialize)]
struct FlightRoot<'a> {
    b: &'a str,
    p: &'a str,
    c: [&'a str; 3],
    i: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Flight13Root<'a> {
    build_id: &'a str,
    asset_prefix: &'a str,
    initial_canonical_url: &'a str,
}

#[derive(Serialize)]
struct NotFoundFlight<'a> {
    b: &'a str,
    p: &'a str,
    c: &'a str,
    i: bool,
    m: &'a str,
}

/// Formats a time as JavaScript's `Date#toISOString()` does.
pub(crate) fn iso_millis(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

/// Escapes text the way React does for both text nodes and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Next's `htmlEscapeJsonString`: makes JSON safe to inline in a `<script>`
/// so that content such as `</script>` cannot end the tag early.
pub(crate) fn html_escape_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '&' => out.push_str("\\u0026"),
            '>' => out.push_str("\\u003e"),
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Deterministic, mildly varied ASCII filler of exactly `len` bytes. The words
/// come from a fixed-seed generator so the text neither depends on the pod nor
/// compresses unrealistically well.
fn filler(len: usize) -> String {
    const WORDS: &[&str] = &[
        "lorem",
        "ipsum",
        "dolor",
        "sit",
        "amet",
        "consectetur",
        "adipiscing",
        "elit",
        "sed",
        "do",
        "eiusmod",
        "tempor",
        "incididunt",
        "ut",
        "labore",
        "et",
        "dolore",
        "magna",
        "aliqua",
        "enim",
        "ad",
        "minim",
        "veniam",
        "quis",
        "nostrud",
        "exercitation",
        "ullamco",
        "laboris",
        "nisi",
        "aliquip",
        "ex",
        "ea",
        "commodo",
        "consequat",
    ];
    let mut out = String::with_capacity(len + 16);
    let mut state = 0x5EED_F111_u64;
    while out.len() < len {
        let r = super::fault::splitmix64(&mut state);
        out.push_str(WORDS[(r % WORDS.len() as u64) as usize]);
        if (r >> 32).is_multiple_of(7) {
            out.push_str(&format!(" {}", (r >> 40) % 1000));
        }
        out.push(' ');
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn site(flavor: Flavor, page_bytes: usize) -> Site {
        Site { flavor, page_bytes }
    }

    fn post(title: &str) -> Post {
        Post {
            title: title.to_owned(),
            body: "Body of post A, version 1.".to_owned(),
        }
    }

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    fn text(p: &Payload) -> &str {
        std::str::from_utf8(&p.bytes).unwrap()
    }

    #[test]
    fn posts_page_mirrors_the_reference_structure() {
        let e = site(Flavor::Next13, 0).render_entry(
            PageKind::Posts,
            "a",
            Some(&post("Post A v4 (all pods)")),
            at(1_795_782_064_693),
            "HhAzCDyDcXMoWum8wBQ6K",
            None,
        );
        let html = text(&e.html);
        assert!(html.contains("<title>Post A v4 (all pods)</title>"));
        assert!(html.contains(
            "<p id=\"meta\">slug <code id=\"slug\">a</code>, generated at<!-- --> \
             <time id=\"generated-at\" dateTime=\"2026-11-27T12:21:04.693Z\">2026-11-27T12:21:04.693Z</time>"
        ));
        assert!(html.contains(
            "<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":{\"pageProps\":\
             {\"slug\":\"a\",\"title\":\"Post A v4 (all pods)\",\"body\":\"Body of post A, version 1.\",\
             \"generatedAt\":\"2026-11-27T12:21:04.693Z\"},\"__N_SSG\":true},\"page\":\"/posts/[slug]\",\
             \"query\":{\"slug\":\"a\"},\"buildId\":\"HhAzCDyDcXMoWum8wBQ6K\",\"isFallback\":false,\
             \"isExperimentalCompile\":false,\"gsp\":true,\"scriptLoader\":[]}</script>"
        ));
        assert!(html.contains("/_next/static/HhAzCDyDcXMoWum8wBQ6K/_buildManifest.js"));
        assert_eq!(
            text(e.json.as_ref().unwrap()),
            "{\"pageProps\":{\"slug\":\"a\",\"title\":\"Post A v4 (all pods)\",\"body\":\"Body of post A, \
             version 1.\",\"generatedAt\":\"2026-11-27T12:21:04.693Z\"},\"__N_SSG\":true}"
        );
        assert_eq!(e.status, 200);
        assert_eq!(e.html.etag, generate_etag_bytes(&e.html.bytes));
    }

    #[test]
    fn only_the_timestamp_differs_between_generations() {
        let s = site(Flavor::Next16, 0);
        let p = post("Same");
        let one = s.render_entry(PageKind::Posts, "a", Some(&p), at(1_000), "B", None);
        let two = s.render_entry(PageKind::Posts, "a", Some(&p), at(2_000), "B", None);
        assert_ne!(one.html.etag, two.html.etag);
        let norm = |e: &Entry| {
            text(&e.html)
                .replace(&iso_millis(e.generated_at), "T")
                .to_owned()
        };
        assert_eq!(norm(&one), norm(&two));
        let plain1 = s.render_entry(PageKind::Plain, "a", Some(&p), at(1_000), "B", None);
        let plain2 = s.render_entry(PageKind::Plain, "a", Some(&p), at(2_000), "B", None);
        assert_eq!(plain1.html.bytes, plain2.html.bytes);
        assert!(!text(&plain1.html).contains("generated"));
        assert!(!text(plain1.json.as_ref().unwrap()).contains("generatedAt"));
    }

    #[test]
    fn escapes_html_and_inline_json() {
        let e = site(Flavor::Next13, 0).render_entry(
            PageKind::Posts,
            "x",
            Some(&post("</script><b>\"Tom & 'Jerry'\"")),
            at(0),
            "B",
            None,
        );
        let html = text(&e.html);
        assert!(html.contains(
            "<title>&lt;/script&gt;&lt;b&gt;&quot;Tom &amp; &#x27;Jerry&#x27;&quot;</title>"
        ));
        assert!(html.contains("\\u003c/script\\u003e\\u003cb\\u003e\\\"Tom \\u0026 'Jerry'\\\""));
        assert_eq!(
            html.matches("</script>").count(),
            html.matches("<script").count()
        );
        // The data route is plain JSON.stringify output, not HTML-escaped.
        assert!(text(e.json.as_ref().unwrap()).contains("</script><b>"));
    }

    #[test]
    fn not_found_pages_per_flavour() {
        let s13 = site(Flavor::Next13, 0);
        assert_eq!(
            s13.not_found_page("/posts/c", "B").bytes,
            s13.not_found_page("/nope/nothing", "B").bytes,
            "13 serves one 404 page for every path"
        );
        let s16 = site(Flavor::Next16, 0);
        let short = s16.not_found_page("/posts/c", "B");
        let long = s16.not_found_page("/nope/nothing", "B");
        assert_eq!(
            long.bytes.len() - short.bytes.len(),
            5,
            "16 embeds the path once"
        );
        let gone = s16.render_entry(PageKind::Posts, "c", None, at(0), "B", None);
        assert_eq!(gone.status, 404);
        assert_eq!(gone.title, None);
        assert_eq!(text(gone.json.as_ref().unwrap()), "{\"notFound\":true}");
    }

    #[test]
    fn app_router_page_carries_build_id_in_flight_data() {
        let e = site(Flavor::Next16, 0).render_entry(
            PageKind::AppPosts,
            "a",
            Some(&post("Post A")),
            at(0),
            "BUILD123",
            None,
        );
        let html = text(&e.html);
        assert!(e.json.is_none());
        assert!(html.contains("self.__next_f.push([1,\"0:{\\\"b\\\":\\\"BUILD123\\\""));
        assert!(html.contains("<time id=\"generated-at\" dateTime=\"1970-01-01T00:00:00.000Z\">"));
    }

    #[test]
    fn padding_is_deterministic_and_reaches_the_target() {
        let s = site(Flavor::Next13, 20_000);
        let p = post("Padded");
        let one = s.render_entry(PageKind::Plain, "a", Some(&p), at(1), "B", None);
        let two = s.render_entry(PageKind::Plain, "a", Some(&p), at(2), "B", None);
        assert!(one.html.bytes.len() >= 20_000);
        assert!(one.html.bytes.len() < 20_100);
        assert_eq!(one.html.bytes, two.html.bytes);
        assert!(text(&one.html).ends_with("</div></body></html>"));
        // Small targets never shrink a page.
        let small =
            site(Flavor::Next13, 10).render_entry(PageKind::Plain, "a", Some(&p), at(1), "B", None);
        assert!(!text(&small.html).contains("sim-filler"));
    }

    #[test]
    fn gzip_roundtrips() {
        use std::io::Read;
        let p = Payload::new("hello ".repeat(500));
        let gz = p.gzipped();
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out.as_bytes(), &p.bytes[..]);
        assert!(gz.len() < p.bytes.len());
    }
}
