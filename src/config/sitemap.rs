//! `--sitemap`'s settings: the site whose pages a sitemap may name and the largest sitemap read.

use super::Config;
use super::defaulted;
use super::value;
use crate::error::ConfigError;

/// How sitemaps are read (the timeout and retries are the global limits').
#[derive(Debug, Clone)]
pub struct SitemapSettings {
    /// The site's public origin (`cdn.site_url`), whose host a sitemap's `<loc>`s may have.
    pub site_url: Option<String>,
    /// The most bytes of one sitemap, as sent and once decompressed.
    pub max_body: u64,
}

impl Config {
    pub fn sitemap(&self) -> Result<SitemapSettings, ConfigError> {
        let r = &self.resolved;
        let s = SitemapSettings {
            site_url: value(&r.cdn_site_url).filter(|s| !s.trim().is_empty()),
            max_body: defaulted(&r.sitemap_max_body).0,
        };
        if s.max_body == 0 {
            return Err(self.bad(
                "sitemap.max_body",
                "a sitemap of at most 0 bytes cannot hold a page; give e.g. 50MiB, or leave it unset",
            ));
        }
        Ok(s)
    }
}
