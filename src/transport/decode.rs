//! Content decoding as bytes stream in: identity, gzip and br, pushed chunk by chunk into any
//! writer (a hasher, a scanner, a buffer), so a body is never held whole just to decode it.
//!
//! Invariant: what reaches the writer is the content, whatever the transfer encoding, so two
//! responses with the same page hash the same whether they came compressed or not; a truncated
//! or corrupt compressed stream is an error, never silently short content.

use std::io::Write;

/// Decodes one response body into `W`.
pub enum Decoder<W: Write> {
    Identity(W),
    Gzip(Box<flate2::write::MultiGzDecoder<W>>),
    Brotli(Box<brotli_decompressor::DecompressorWriter<W>>),
}

impl<W: Write> Decoder<W> {
    /// A decoder for the response's `Content-Encoding`; an encoding this program never asks for
    /// is an error naming it.
    pub fn new(content_encoding: Option<&str>, sink: W) -> Result<Decoder<W>, String> {
        let enc = content_encoding.map(|e| e.trim().to_ascii_lowercase());
        match enc.as_deref() {
            None | Some("") | Some("identity") => Ok(Decoder::Identity(sink)),
            Some("gzip") | Some("x-gzip") => Ok(Decoder::Gzip(Box::new(
                flate2::write::MultiGzDecoder::new(sink),
            ))),
            Some("br") => Ok(Decoder::Brotli(Box::new(
                brotli_decompressor::DecompressorWriter::new(sink, 32 * 1024),
            ))),
            Some(other) => Err(format!(
                "content-encoding {other:?} is not supported (identity, gzip and br are)"
            )),
        }
    }

    /// Feeds one chunk of the encoded body.
    pub fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        match self {
            Decoder::Identity(w) => w.write_all(chunk),
            Decoder::Gzip(d) => d.write_all(chunk),
            Decoder::Brotli(d) => d.write_all(chunk),
        }
    }

    /// Ends the body: a compressed stream that stopped early is an error.
    pub fn finish(self) -> std::io::Result<W> {
        match self {
            Decoder::Identity(w) => Ok(w),
            Decoder::Gzip(d) => d.finish(),
            Decoder::Brotli(d) => d.into_inner().map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the br stream ended before its end marker",
                )
            }),
        }
    }

    /// The writer, for reading what it has seen so far.
    pub fn sink(&self) -> &W {
        match self {
            Decoder::Identity(w) => w,
            Decoder::Gzip(d) => d.get_ref(),
            Decoder::Brotli(d) => d.get_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn brotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            w.write_all(data).unwrap();
        }
        out
    }

    fn decode(enc: Option<&str>, body: &[u8], chunk: usize) -> std::io::Result<Vec<u8>> {
        let mut d = Decoder::new(enc, Vec::new()).unwrap();
        for c in body.chunks(chunk) {
            d.write(c)?;
        }
        d.finish()
    }

    #[test]
    fn every_encoding_gives_the_content_in_any_chunking() {
        let page: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for chunk in [1, 7, 4096, 1 << 20] {
            assert_eq!(decode(None, &page, chunk).unwrap(), page);
            assert_eq!(decode(Some("identity"), &page, chunk).unwrap(), page);
            assert_eq!(decode(Some("gzip"), &gzip(&page), chunk).unwrap(), page);
            assert_eq!(decode(Some("BR"), &brotli(&page), chunk).unwrap(), page);
        }
    }

    #[test]
    fn a_truncated_stream_is_an_error() {
        let page = vec![b'x'; 100_000];
        let gz = gzip(&page);
        assert!(decode(Some("gzip"), &gz[..gz.len() / 2], 512).is_err());
        let br = brotli(
            &(0..100_000u32)
                .flat_map(|i| i.to_le_bytes())
                .collect::<Vec<_>>(),
        );
        assert!(decode(Some("br"), &br[..br.len() / 2], 512).is_err());
    }

    #[test]
    fn unknown_encodings_are_named() {
        let e = Decoder::new(Some("zstd"), Vec::new()).err().unwrap();
        assert!(e.contains("\"zstd\""), "{e}");
    }
}
