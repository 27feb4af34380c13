//! Test helpers shared by the simulation's unit tests: starting small fleets
//! and making raw HTTP requests against them.
//!
//! Invariant: the client here never transforms what a pod sent (no automatic
//! decompression, no redirects followed, no proxy), so assertions see the
//! exact wire bytes and headers.

use bytes::Bytes;
use reqwest::header::HeaderMap;

use super::{Flavor, Fleet, FleetOptions};

/// A 3-pod fleet of the given flavour with default options.
pub(crate) async fn fleet(flavor: Flavor) -> Fleet {
    fleet_with(FleetOptions {
        flavor,
        ..FleetOptions::default()
    })
    .await
}

pub(crate) async fn fleet_with(opts: FleetOptions) -> Fleet {
    Fleet::start(opts).await.expect("fleet starts")
}

/// A client that shows responses exactly as sent.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

/// One fully read response.
#[derive(Debug)]
pub(crate) struct Probe {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Probe {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn cache(&self) -> Option<&str> {
        self.header("x-nextjs-cache")
    }

    pub(crate) fn etag(&self) -> Option<&str> {
        self.header("etag")
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("utf-8 body")
    }

    /// The `generatedAt` of a rendered page, read from its `<time>` element.
    pub(crate) fn generated_at(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("dateTime=\"")? + "dateTime=\"".len();
        let len = text[start..].find('"')?;
        Some(text[start..start + len].to_owned())
    }
}

pub(crate) async fn get(client: &reqwest::Client, url: &str) -> Probe {
    get_with(client, url, &[]).await
}

pub(crate) async fn get_with(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
) -> Probe {
    let mut req = client.get(url);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    Probe {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().await.expect("body reads"),
    }
}

/// Installs aws-lc-rs as the process's rustls provider, as the tool does at start, so the kube
/// client in these tests never has to guess.
pub(crate) fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
