//! The cdn steps' settings: CloudFront (distribution, credentials, batching, waiting), HTTP
//! purges and Cloudflare.

use super::Config;
use super::Sourced;
use super::defaulted;
use super::value;
use crate::error::ConfigError;
use std::path::PathBuf;
use std::time::Duration;

/// Where the build id of `--next-data` comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextData {
    /// Given as a value.
    BuildId(String),
    /// Read from `build_id_file`, else from the pods' pages.
    Auto,
}

/// How often CloudFront is asked again: polls and retries start at `min` and grow to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Poll {
    pub min: Duration,
    pub max: Duration,
}

/// Cloudflare's purge-by-URL settings.
#[derive(Debug, Clone)]
pub struct CloudflareSettings {
    pub zone: String,
    /// The API token's file; env CLOUDFLARE_API_TOKEN otherwise.
    pub token_file: Option<PathBuf>,
    pub api_url: String,
    pub batch_size: usize,
}

/// Whether a URL carries a user or password (also one written with a raw `/`, `?` or `#`,
/// which a URL parser reads otherwise).
fn has_credentials(url: &str) -> bool {
    crate::secret::mask_userinfo(url) != url
        || reqwest::Url::parse(url)
            .is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
}

/// The cdn commands' settings.
#[derive(Debug, Clone)]
pub struct CdnSettings {
    pub distribution: Option<String>,
    pub aws_profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub next_data: Option<NextData>,
    pub build_id_file: Option<PathBuf>,
    pub query_strings: crate::choices::QueryStrings,
    pub coalesce: Option<usize>,
    pub max_wildcards: usize,
    pub batch_size: usize,
    pub free_paths_left: Option<u64>,
    pub run_id: Option<String>,
    pub caller_reference: Option<String>,
    pub wait: bool,
    /// How long the step may wait on CloudFront: for room under the in-progress limits, through
    /// retries, and for completion.
    pub wait_timeout: Duration,
    pub poll: Poll,
    pub list_limit: usize,
    pub purge_urls: Vec<String>,
    pub purge_method: String,
    /// Header lines of every purge request (`${VAR}` still unexpanded).
    pub purge_headers: Vec<String>,
    pub cloudflare: Option<CloudflareSettings>,
    pub site_url: Option<String>,
    /// The variants to clear with each page; `None`: those each page has, read from the pods.
    pub variants: Option<Vec<crate::nextjs::Variant>>,
}

impl Config {
    pub fn cdn(&self) -> Result<CdnSettings, ConfigError> {
        let r = &self.resolved;
        let poll = Poll {
            min: defaulted(&r.cdn_poll_min).0,
            max: defaulted(&r.cdn_poll_max).0,
        };
        if poll.min.is_zero() {
            return Err(self.bad("cdn.poll_min", "give a duration above 0, e.g. 1s"));
        }
        if poll.max < poll.min {
            return Err(self.bad(
                "cdn.poll_max",
                &format!(
                    "must be at least cdn.poll_min ({})",
                    humantime::format_duration(poll.min)
                ),
            ));
        }
        let wait_timeout = defaulted(&r.cdn_wait_timeout).0;
        if wait_timeout.is_zero() {
            return Err(self.bad("cdn.wait_timeout", "give a duration above 0, e.g. 20m"));
        }
        let next_data = match value(&r.cdn_next_data) {
            None => None,
            Some(v) if v.trim().eq_ignore_ascii_case("auto") => Some(NextData::Auto),
            Some(v) => {
                let id = v.trim().to_string();
                if !crate::nextjs::is_build_id(&id) {
                    return Err(self.bad(
                        "cdn.next_data",
                        "must be \"auto\" or a build id (1 to 64 letters, digits, \"_\" or \"-\", as in .next/BUILD_ID)",
                    ));
                }
                Some(NextData::BuildId(id))
            }
        };
        let build_id_file = r.cdn_build_id_file.as_ref().map(Sourced::path);
        if build_id_file.is_some() && next_data != Some(NextData::Auto) {
            return Err(ConfigError(
                "--build-id-file is read by --next-data auto; add --next-data auto (or give the build id itself: --next-data BUILD_ID)".into(),
            ));
        }
        let purge_method = defaulted(&r.cdn_purge_method);
        if purge_method.is_empty()
            || !purge_method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(self.bad(
                "cdn.purge_method",
                "must be an HTTP method name such as PURGE or BAN",
            ));
        }
        // Credentials in these URLs would go out as Basic auth and show in the SDK's logs;
        // refused as in a pod URL (the value shown masked).
        for (key, url, instead) in [
            (
                "cdn.endpoint_url",
                value(&r.cdn_endpoint_url),
                "AWS credentials come from the usual chain (env AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, --aws-profile)",
            ),
            (
                "cdn.cloudflare_api_url",
                value(&r.cdn_cloudflare_api_url),
                "the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file",
            ),
        ] {
            if let Some(url) = url
                && has_credentials(&url)
            {
                return Err(self.bad(
                    key,
                    &format!("credentials in the URL would be sent and printed in logs; {instead}"),
                ));
            }
        }
        let cloudflare = match value(&r.cdn_cloudflare_zone) {
            None => None,
            Some(zone) => {
                let zone = zone.trim().to_string();
                if zone.len() != 32 || !zone.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(self.bad(
                        "cdn.cloudflare_zone",
                        "a Cloudflare zone id is 32 hexadecimal digits (the dashboard's Overview page, \"Zone ID\")",
                    ));
                }
                Some(CloudflareSettings {
                    zone: zone.to_ascii_lowercase(),
                    token_file: r.cdn_cloudflare_token_file.as_ref().map(Sourced::path),
                    api_url: defaulted(&r.cdn_cloudflare_api_url)
                        .trim_end_matches('/')
                        .to_string(),
                    batch_size: defaulted(&r.cdn_cloudflare_batch_size).0 as usize,
                })
            }
        };
        Ok(CdnSettings {
            distribution: value(&r.cdn_distribution)
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
            aws_profile: value(&r.cdn_aws_profile),
            endpoint_url: value(&r.cdn_endpoint_url),
            next_data,
            build_id_file,
            query_strings: defaulted(&r.cdn_query_strings).0,
            coalesce: value(&r.cdn_coalesce).map(|c| c.0 as usize),
            max_wildcards: defaulted(&r.cdn_max_wildcards).0 as usize,
            batch_size: defaulted(&r.cdn_batch_size).0 as usize,
            free_paths_left: value(&r.cdn_free_paths_left).map(|c| u64::from(c.0)),
            run_id: value(&r.cdn_run_id).filter(|v| !v.trim().is_empty()),
            caller_reference: value(&r.cdn_caller_reference).filter(|v| !v.trim().is_empty()),
            wait: defaulted(&r.cdn_wait),
            wait_timeout,
            poll,
            list_limit: defaulted(&r.cdn_list_limit).0 as usize,
            purge_urls: value(&r.cdn_purge_urls)
                .unwrap_or_default()
                .into_iter()
                .map(|w| w.0)
                .collect(),
            purge_method,
            purge_headers: value(&r.cdn_purge_headers).unwrap_or_default(),
            cloudflare,
            site_url: value(&r.cdn_site_url),
            variants: self.variants(),
        })
    }

    /// Where `cdn.distribution` came from, for messages ("--distribution", "env ...", a file).
    pub fn cdn_distribution_source(&self) -> Option<String> {
        self.resolved
            .cdn_distribution
            .as_ref()
            .map(|s| s.source.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Layer;

    fn load(text: &str, profile: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("revalidate.toml");
        std::fs::write(&f, text).unwrap();
        Config::load(Some(&f), profile, Layer::default(), env).unwrap()
    }

    #[test]
    fn defaults_resolve() {
        let c = Config::load(None, None, Layer::default(), &|_| None).unwrap();
        let s = c.cdn().unwrap();
        assert_eq!(s.distribution, None);
        assert_eq!(s.query_strings, crate::choices::QueryStrings::Drop);
        assert_eq!(
            (s.max_wildcards, s.batch_size, s.list_limit),
            (15, 3000, 20)
        );
        assert_eq!(s.wait_timeout, Duration::from_secs(1200));
        assert_eq!(
            s.poll,
            Poll {
                min: Duration::from_secs(1),
                max: Duration::from_secs(10)
            }
        );
        assert_eq!(s.purge_method, "PURGE");
        assert!(s.cloudflare.is_none() && !s.wait && s.next_data.is_none());
    }

    #[test]
    fn every_cdn_setting_can_come_from_a_profile() {
        let c = load(
            r#"
[profiles.prod.cdn]
distribution = "E2QWRUHAPOMQZL"
aws_profile = "publisher"
endpoint_url = "http://127.0.0.1:5000"
next_data = "auto"
build_id_file = ".next/BUILD_ID"
query_strings = "keep"
coalesce = 50
max_wildcards = 10
batch_size = 1000
free_paths_left = 400
run_id = "deploy-9"
caller_reference = "ref-9"
wait = true
wait_timeout = "5m"
poll_min = "500ms"
poll_max = "5s"
list_limit = 7
purge_urls = ["varnish=http://10.0.0.9:6081"]
purge_method = "BAN"
purge_headers = ["Fastly-Key: ${FASTLY_KEY}"]
cloudflare_zone = "023E105F4ECEF8AD9CA31A8372D0C353"
cloudflare_token_file = "cf-token"
cloudflare_api_url = "http://127.0.0.1:9/client/v4/"
cloudflare_batch_size = 500
site_url = "https://www.example.com"
"#,
            Some("prod"),
            &|_| None,
        );
        let s = c.cdn().unwrap();
        let dir = c.file.as_ref().unwrap().parent().unwrap().to_path_buf();
        assert_eq!(s.distribution.as_deref(), Some("E2QWRUHAPOMQZL"));
        assert_eq!(s.aws_profile.as_deref(), Some("publisher"));
        assert_eq!(s.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(s.next_data, Some(NextData::Auto));
        assert_eq!(s.build_id_file, Some(dir.join(".next/BUILD_ID")));
        assert_eq!(s.query_strings, crate::choices::QueryStrings::Keep);
        assert_eq!(
            (s.coalesce, s.max_wildcards, s.batch_size),
            (Some(50), 10, 1000)
        );
        assert_eq!(s.free_paths_left, Some(400));
        assert_eq!(s.run_id.as_deref(), Some("deploy-9"));
        assert_eq!(s.caller_reference.as_deref(), Some("ref-9"));
        assert!(s.wait);
        assert_eq!(s.wait_timeout, Duration::from_secs(300));
        assert_eq!(s.poll.min, Duration::from_millis(500));
        assert_eq!(s.list_limit, 7);
        assert_eq!(s.purge_urls, ["varnish=http://10.0.0.9:6081"]);
        assert_eq!(s.purge_method, "BAN");
        assert_eq!(s.purge_headers, ["Fastly-Key: ${FASTLY_KEY}"]);
        let cf = s.cloudflare.unwrap();
        assert_eq!(cf.zone, "023e105f4ecef8ad9ca31a8372d0c353");
        assert_eq!(cf.token_file, Some(dir.join("cf-token")));
        assert_eq!(cf.api_url, "http://127.0.0.1:9/client/v4");
        assert_eq!(cf.batch_size, 500);
        assert_eq!(s.site_url.as_deref(), Some("https://www.example.com"));
    }

    #[test]
    fn the_environment_sets_what_it_names() {
        let env = |k: &str| match k {
            "REVALIDATE_CDN_DISTRIBUTION" => Some("EENVDIST".to_string()),
            "AWS_ENDPOINT_URL_CLOUDFRONT" => Some("http://127.0.0.1:4566".to_string()),
            "REVALIDATE_RUN_ID" => Some("ci-42".to_string()),
            "CLOUDFLARE_ZONE_ID" => Some("023e105f4ecef8ad9ca31a8372d0c353".to_string()),
            _ => None,
        };
        let c = load(
            "[cdn]
distribution = \"EFILE\"
",
            None,
            &env,
        );
        let s = c.cdn().unwrap();
        assert_eq!(s.distribution.as_deref(), Some("EENVDIST"));
        assert_eq!(
            c.cdn_distribution_source().as_deref(),
            Some("env REVALIDATE_CDN_DISTRIBUTION")
        );
        assert_eq!(s.endpoint_url.as_deref(), Some("http://127.0.0.1:4566"));
        assert_eq!(s.run_id.as_deref(), Some("ci-42"));
        assert!(s.cloudflare.is_some());
    }

    #[test]
    fn bad_values_name_the_key_and_what_is_allowed() {
        for (text, want) in [
            ("[cdn]\nmax_wildcards = 16\n", "from 0 to 15"),
            ("[cdn]\nbatch_size = 3001\n", "from 1 to 3000"),
            (
                "[cdn]\nquery_strings = \"maybe\"\n",
                "must be one of drop, keep",
            ),
            (
                "[cdn]\ndistribtion = \"E1\"\n",
                "did you mean `cdn.distribution`?",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("revalidate.toml");
            std::fs::write(&f, text).unwrap();
            let e = Config::load(Some(&f), None, Layer::default(), &|_| None)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
        for (text, want) in [
            ("[cdn]\npoll_min = \"0s\"\n", "cdn.poll_min = \"0s\""),
            (
                "[cdn]\nnext_data = \"../x\"\n",
                "must be \"auto\" or a build id",
            ),
            (
                "[cdn]\ncloudflare_zone = \"abc\"\n",
                "32 hexadecimal digits",
            ),
            ("[cdn]\npurge_method = \"PUR GE\"\n", "an HTTP method name"),
            ("[cdn]\nwait_timeout = \"0s\"\n", "above 0"),
        ] {
            let c = load(text, None, &|_| None);
            let e = c.cdn().unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
