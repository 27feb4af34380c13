//! One sitemap document, read as a stream of XML events (quick-xml's pull reader): the root
//! element says whether it is a `<urlset>` or a `<sitemapindex>`, and each `<loc>` of a
//! `<url>` (or `<sitemap>`) is handed to the caller as soon as its end tag is read.
//!
//! Invariants: nothing of the document is kept but the event being read and the `<loc>` being
//! gathered (itself at most [`MAX_LOC_BYTES`]), so memory does not grow with the number of URLs;
//! the bytes read are capped before and after decompression ([`Capped`], at
//! `--sitemap-max-body`); entities in a `<loc>`
//! are decoded (the five XML ones and character references), any other is refused, and no DTD
//! entity is ever expanded.

use std::io::{self, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The most `<url>`s in one sitemap (and `<sitemap>`s in one index): the protocol's 50,000.
pub const MAX_ENTRIES: usize = 50_000;
/// The longest `<loc>` gathered, in bytes; a longer one is reported by its length. The protocol
/// allows 2,048 characters and a path at most [`crate::paths::MAX_LEN`].
pub const MAX_LOC_BYTES: usize = 16 * 1024;

/// What the document is, by its root element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `<urlset>`: pages.
    UrlSet,
    /// `<sitemapindex>`: more sitemaps.
    Index,
}

/// One `<loc>`, numbered from 1 in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub n: usize,
    pub text: LocText,
}

/// A `<loc>`'s text, entities decoded and surrounding whitespace trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocText {
    Text(String),
    /// Longer than [`MAX_LOC_BYTES`]: only its length was counted.
    TooLong(usize),
}

/// Why a document could not be read as a sitemap.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body could not be read: the connection failed, it is too large, bad gzip.
    #[error("{0}")]
    Read(String),
    /// Not well-formed XML.
    #[error("is not XML ({detail}){start}", start = starts_with(.start))]
    NotXml { detail: String, start: String },
    /// XML, but its root is not a sitemap's.
    #[error(
        "is XML but not a sitemap: its root element is <{0}>; a sitemap's is <urlset>, a sitemap index's <sitemapindex>"
    )]
    NotSitemap(String),
    /// More entries than the protocol allows in one file.
    #[error("lists more than {max} {what}; the sitemap protocol allows at most {max} a file", max = thousands(MAX_ENTRIES))]
    TooManyEntries { what: &'static str },
}

fn starts_with(start: &str) -> String {
    if start.is_empty() {
        String::new()
    } else {
        format!("; it starts with {start:?}")
    }
}

/// `50000` as `50,000`.
pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many bytes of a body's start are kept to show in a not-XML error.
const START_SHOWN: usize = 60;

/// Reads one sitemap (plain or gzip, told by its first bytes) of at most `max_bytes` (as read
/// and once decompressed) from `raw`, calling `on_loc` for each `<loc>` of the kind the root
/// element announced, in document order. Returns the kind and the number of entries.
pub fn parse(
    raw: impl Read,
    max_bytes: u64,
    on_loc: &mut dyn FnMut(Kind, Loc),
) -> Result<(Kind, usize), ParseError> {
    let body = decoded(raw, max_bytes).map_err(|e| ParseError::Read(e.to_string()))?;
    let mut reader = Reader::from_reader(io::BufReader::new(body));
    let mut buf = Vec::new();
    let mut walk = Walk::default();
    loop {
        buf.clear();
        let event = match reader.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                let position = reader.error_position();
                let start = reader.get_ref().get_ref().start();
                return Err(match e {
                    quick_xml::Error::Io(io) => ParseError::Read(io.to_string()),
                    e => ParseError::NotXml {
                        detail: format!("{e} at byte {position}"),
                        start,
                    },
                });
            }
        };
        let not_xml = |detail: String| ParseError::NotXml {
            detail,
            start: reader.get_ref().get_ref().start(),
        };
        match event {
            Event::Start(e) => walk.open(e.local_name().as_ref())?,
            Event::Empty(e) => {
                walk.open(e.local_name().as_ref())?;
                walk.close(on_loc)?;
            }
            Event::End(_) => walk.close(on_loc)?,
            Event::Text(t) => {
                if walk.depth() == 0 && !t.trim().is_empty() {
                    return Err(not_xml("text outside any element".into()));
                }
                walk.text(&t.xml10_content());
            }
            Event::CData(t) => walk.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match &*r {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(not_xml(format!(
                                "the entity &{other}; is not one of XML's five (&amp; &lt; &gt; &quot; &apos;) nor a character reference"
                            )));
                        }
                    },
                    Err(e) => return Err(not_xml(format!("&{};: {e}", &*r))),
                };
                if walk.depth() == 0 {
                    return Err(not_xml("text outside any element".into()));
                }
                walk.text(c.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => {
                return match walk.kind {
                    Some(kind) if walk.depth() == 0 => Ok((kind, walk.entries)),
                    Some(_) => Err(not_xml("the document ends inside an element".into())),
                    None => Err(not_xml("no element".into())),
                };
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

/// Where the reader is: the open elements' local names, the kind once the root is known, and
/// the `<loc>` being gathered.
#[derive(Default)]
struct Walk {
    open: Vec<String>,
    kind: Option<Kind>,
    /// `<url>`s or `<sitemap>`s seen.
    entries: usize,
    /// `<loc>`s handed out.
    locs: usize,
    loc: Option<Gathered>,
    /// A root element was closed: anything after it is not one document.
    ended: bool,
}

#[derive(Default)]
struct Gathered {
    text: String,
    /// The length, once past [`MAX_LOC_BYTES`] (the text is no longer kept).
    too_long: Option<usize>,
}

impl Walk {
    fn depth(&self) -> usize {
        self.open.len()
    }

    /// The element name an entry of this kind has.
    fn entry_name(&self) -> &'static str {
        match self.kind {
            Some(Kind::Index) => "sitemap",
            _ => "url",
        }
    }

    fn open(&mut self, name: &str) -> Result<(), ParseError> {
        match self.depth() {
            0 => {
                if self.ended {
                    return Err(ParseError::NotXml {
                        detail: format!("a second root element <{name}>"),
                        start: String::new(),
                    });
                }
                self.kind = Some(match name {
                    "urlset" => Kind::UrlSet,
                    "sitemapindex" => Kind::Index,
                    other => return Err(ParseError::NotSitemap(other.to_string())),
                });
            }
            1 if name == self.entry_name() => {
                self.entries += 1;
                if self.entries > MAX_ENTRIES {
                    return Err(ParseError::TooManyEntries {
                        what: match self.kind {
                            Some(Kind::Index) => "sitemaps",
                            _ => "URLs",
                        },
                    });
                }
            }
            2 if name == "loc" && self.open[1] == self.entry_name() => {
                self.loc = Some(Gathered::default());
            }
            _ => {}
        }
        self.open.push(name.to_string());
        Ok(())
    }

    fn text(&mut self, s: &str) {
        // Only the text directly inside the `<loc>` (not in an element nested in it).
        if self.depth() != 3 {
            return;
        }
        let Some(g) = &mut self.loc else { return };
        match &mut g.too_long {
            Some(n) => *n += s.len(),
            None if g.text.len() + s.len() > MAX_LOC_BYTES => {
                g.too_long = Some(g.text.len() + s.len());
                g.text = String::new();
            }
            None => g.text.push_str(s),
        }
    }

    fn close(&mut self, on_loc: &mut dyn FnMut(Kind, Loc)) -> Result<(), ParseError> {
        self.open.pop();
        if self.depth() == 2
            && let Some(g) = self.loc.take()
            && let Some(kind) = self.kind
        {
            self.locs += 1;
            let text = match g.too_long {
                Some(n) => LocText::TooLong(n),
                None => LocText::Text(g.text.trim().to_string()),
            };
            on_loc(kind, Loc { n: self.locs, text });
        }
        if self.depth() == 0 {
            self.ended = true;
        }
        Ok(())
    }
}

/// The body as XML bytes: gunzipped when it starts with gzip's magic bytes (a `.xml.gz` file,
/// `Content-Encoding: gzip`, `application/x-gzip`; twice for a `.xml.gz` file served with
/// `Content-Encoding: gzip`), as it is otherwise; capped at `max` as read and again once
/// decompressed, so a gzip bomb stops at the cap.
fn decoded<'a>(raw: impl Read + 'a, max: u64) -> io::Result<Capped<Box<dyn Read + 'a>>> {
    let mut body: Box<dyn Read + 'a> = Box::new(Capped::new(raw, max, too_large(max)));
    for _ in 0..2 {
        let (head, rest) = peek2(body)?;
        body = if head == [0x1f, 0x8b] {
            Box::new(Gunzip(flate2::read::MultiGzDecoder::new(rest)))
        } else {
            Box::new(rest)
        };
    }
    Ok(Capped::new(
        body,
        max,
        format!(
            "decompresses to more than {} (--sitemap-max-body; a gzip bomb?)",
            size(max)
        ),
    ))
}

/// Why a body over `max` bytes is refused.
pub(crate) fn too_large(max: u64) -> String {
    format!(
        "is larger than {} (--sitemap-max-body; the sitemap protocol allows 50MiB)",
        size(max)
    )
}

/// A size as the flag takes it: `50MiB`, `64KiB`, `1000 bytes`.
pub(crate) fn size(n: u64) -> String {
    if n != 0 && n.is_multiple_of(1 << 20) {
        format!("{}MiB", n >> 20)
    } else if n != 0 && n.is_multiple_of(1 << 10) {
        format!("{}KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// The first two bytes of `r` (fewer at its end), and `r` from its start again.
fn peek2<'a>(mut r: Box<dyn Read + 'a>) -> io::Result<(Vec<u8>, impl Read + 'a)> {
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    let head = head[..got].to_vec();
    Ok((head.clone(), io::Cursor::new(head).chain(r)))
}

/// A reader that fails, with `what` as its message, once more than `max` bytes were read; it
/// keeps the first bytes to show in a not-XML error.
pub struct Capped<R> {
    inner: R,
    read: u64,
    max: u64,
    what: String,
    start: Vec<u8>,
}

impl<R> Capped<R> {
    fn new(inner: R, max: u64, what: String) -> Capped<R> {
        Capped {
            inner,
            read: 0,
            max,
            what,
            start: Vec::new(),
        }
    }

    /// The start of what was read, as text for an error message.
    fn start(&self) -> String {
        let text = String::from_utf8_lossy(&self.start);
        crate::secret::snippet(&text, START_SHOWN)
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(io::Error::other(self.what.clone()));
        }
        let room = START_SHOWN.saturating_sub(self.start.len());
        self.start.extend_from_slice(&buf[..n.min(room)]);
        Ok(n)
    }
}

/// gzip's errors, named as such.
struct Gunzip<R>(R);

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), format!("is not valid gzip ({e})")))
    }
}
