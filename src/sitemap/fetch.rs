//! A sitemap's bytes: over HTTP(S) through reqwest (the client the CDN steps use for public
//! URLs: rustls, the program's user agent, environment proxies), or from a file.
//!
//! Invariants: the body is handed to the parser as it arrives, chunk by chunk through a small
//! bounded channel to a blocking thread, so it is never held whole; more than
//! `--sitemap-max-body` of body is refused, by its Content-Length before reading and by counting
//! while reading; only identity and gzip content encodings are taken (gzip is decoded by the parser,
//! so it is capped there too); redirects are followed (at most [`MAX_REDIRECTS`]); connect errors, timeouts and 502/503/504 are
//! retried as pod requests are, and nothing else is.

use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Url;
use tokio::sync::mpsc;

use super::parse::{size, too_large};

/// Redirects followed for one sitemap (an http → https hop, then a canonical host, …).
pub const MAX_REDIRECTS: usize = 5;

/// How the HTTP requests for sitemaps are made.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    timeout: Duration,
    retries: u32,
    max_bytes: u64,
}

/// Why a sitemap could not be fetched: the words after "sitemap URL ".
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot be reached: {0}")]
    Unreachable(String),
    #[error("answered {0}; a sitemap must answer 2xx")]
    Status(String),
    #[error(
        "is {0} bytes (Content-Length), larger than {max} (--sitemap-max-body; the sitemap protocol allows 50MiB)",
        max = size(*.1)
    )]
    TooLarge(u64, u64),
    #[error(
        "came with Content-Encoding {0:?}; only gzip (or none) is read, and gzip is what revalidate asks for"
    )]
    Encoding(String),
    #[error("cannot be read: {0}")]
    File(String),
}

/// A response whose body is still to be read, and where it came from after redirects.
pub struct Opened {
    pub url: Url,
    response: reqwest::Response,
}

impl Client {
    /// `timeout` bounds connecting, the wait for the response's head and each wait for more of
    /// its body (a large sitemap on a slow link is not cut while it keeps coming).
    /// A body over `max_bytes` is refused.
    pub fn new(
        timeout: Duration,
        retries: u32,
        max_bytes: u64,
    ) -> Result<Client, crate::error::Error> {
        let http = reqwest::Client::builder()
            .user_agent(crate::transport::USER_AGENT)
            .no_gzip()
            .no_brotli()
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .build()
            .map_err(|e| {
                crate::error::Error::unexpected(format!("cannot set up the HTTP client: {e}"))
            })?;
        Ok(Client {
            http,
            timeout,
            retries,
            max_bytes,
        })
    }

    /// Sends the GET for `url` and checks the response's head.
    pub async fn open(&self, url: &Url) -> Result<Opened, FetchError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt > self.retries;
            let sent = self
                .http
                .get(url.clone())
                .header(
                    http::header::ACCEPT,
                    "application/xml, text/xml;q=0.9, */*;q=0.5",
                )
                .header(http::header::ACCEPT_ENCODING, "gzip")
                .send();
            match tokio::time::timeout(self.timeout, sent).await {
                Err(_) if !last => {}
                Err(_) => {
                    return Err(FetchError::Unreachable(format!(
                        "no answer within {}",
                        humantime::format_duration(self.timeout)
                    )));
                }
                Ok(Err(e)) if !last && (e.is_connect() || e.is_timeout()) => {}
                Ok(Err(e)) => {
                    let e = e.without_url();
                    // A connection's failure is said by its innermost cause ("Connection
                    // refused"); others (TLS, a bad redirect) need the whole chain.
                    return Err(FetchError::Unreachable(if e.is_connect() {
                        crate::error::root_cause(&e)
                    } else {
                        crate::error::chain(&e)
                    }));
                }
                Ok(Ok(r)) if !last && crate::transport::retryable_status(r.status().as_u16()) => {}
                Ok(Ok(r)) => return check(r, self.max_bytes),
            }
            tokio::time::sleep(crate::context::BACKOFF.delay(attempt)).await;
        }
    }

    /// Reads an opened body through `read` on a blocking thread, as it arrives.
    pub async fn read<T, F>(&self, opened: Opened, read: F) -> T
    where
        F: FnOnce(&mut dyn Read) -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(4);
        let reader = tokio::task::spawn_blocking(move || {
            let mut chunks = Chunks {
                rx,
                current: Bytes::new(),
            };
            read(&mut chunks)
        });
        let mut response = opened.response;
        let mut total: u64 = 0;
        loop {
            let next = match tokio::time::timeout(self.timeout, response.chunk()).await {
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "the body stalled for {}",
                        humantime::format_duration(self.timeout)
                    ),
                )),
                Ok(Err(e)) => Err(io::Error::other(format!(
                    "the body could not be read: {}",
                    crate::error::chain(&e.without_url())
                ))),
                Ok(Ok(None)) => break,
                Ok(Ok(Some(chunk))) => {
                    total += chunk.len() as u64;
                    if total > self.max_bytes {
                        Err(io::Error::other(too_large(self.max_bytes)))
                    } else {
                        Ok(chunk)
                    }
                }
            };
            let failed = next.is_err();
            // The reader stopped early (it found the document bad): nothing more to read.
            if tx.send(next).await.is_err() || failed {
                break;
            }
        }
        drop(tx);
        reader.await.expect("the sitemap reader does not panic")
    }
}

/// A file's body read through `read` on a blocking thread.
pub async fn read_file<T, F>(path: PathBuf, read: F) -> Result<T, FetchError>
where
    F: FnOnce(&mut dyn Read) -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::open(&path).map_err(|e| FetchError::File(e.to_string()))?;
        Ok(read(&mut file))
    })
    .await
    .expect("the sitemap reader does not panic")
}

fn check(r: reqwest::Response, max_bytes: u64) -> Result<Opened, FetchError> {
    let status = r.status();
    if !status.is_success() {
        return Err(FetchError::Status(
            format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_string(),
        ));
    }
    if let Some(len) = r.content_length()
        && len > max_bytes
    {
        return Err(FetchError::TooLarge(len, max_bytes));
    }
    if let Some(enc) = r.headers().get(http::header::CONTENT_ENCODING) {
        let enc = String::from_utf8_lossy(enc.as_bytes())
            .trim()
            .to_ascii_lowercase();
        if !matches!(enc.as_str(), "" | "identity" | "gzip" | "x-gzip") {
            return Err(FetchError::Encoding(enc));
        }
    }
    Ok(Opened {
        url: r.url().clone(),
        response: r,
    })
}

/// The body's chunks, as a blocking reader on the parser's thread.
struct Chunks {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
