//! The content codings a client can ask the simulated edge for, each cached apart as a CDN
//! does with its normalised `Accept-Encoding`.
//!
//! The simulator keeps its own type rather than the tool's: a test double that shared the
//! code under test could agree with a bug in it.

/// One `Accept-Encoding` variant of a page. Ordered by preference: identity < gzip < br.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
