//! What the cdn steps read and check before anything is sent to a CDN: the distribution, the
//! pods whose pages name each page's variants, and from them the invalidation's or the purge's
//! plan. `cdn invalidate`, `cdn purge` and `run` prepare through here.

use crate::config::{self, CdnSettings, Config};
use crate::context::RunContext;
use crate::error::Error;
use crate::paths::UrlPath;
use crate::targets::{self, Target};
use crate::transport::Transport;

/// The distribution every CloudFront command needs, checked before anything is sent.
pub fn distribution(config: &Config, s: &CdnSettings) -> Result<String, Error> {
    let Some(d) = &s.distribution else {
        return Err(Error::usage(
            "no CloudFront distribution: give --distribution ID (or env REVALIDATE_CDN_DISTRIBUTION, or distribution in [cdn] of the config)",
        ));
    };
    if d.len() > 64 || !d.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::usage(format!(
            "cdn.distribution = {d:?} ({}): a CloudFront distribution id is letters and digits, e.g. E2QWRUHAPOMQZL",
            config.cdn_distribution_source().unwrap_or_default()
        )));
    }
    Ok(d.clone())
}

/// The pods whose pages say which variants each page has (and `--next-data auto` reads the build
/// id from): the configured ones, unless nothing needs them (`--variants html`, or `--next-data
/// auto` reading a `--build-id-file` with `--variants data`).
pub fn pods_of(config: &Config, s: &CdnSettings) -> Result<Vec<targets::Target>, Error> {
    let pages_only = s
        .variants
        .as_ref()
        .is_some_and(|v| v.iter().all(|v| *v == crate::nextjs::Variant::Html));
    if pages_only && (s.next_data != Some(config::NextData::Auto) || s.build_id_file.is_some()) {
        return Ok(Vec::new());
    }
    match targets::from_spec(&config.targets()) {
        Ok(t) => Ok(t),
        Err(targets::TargetsError::None) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// An invalidation, planned: its batches and its run id (and where that came from).
pub struct Invalidation {
    pub plan: super::Plan,
    pub run_id: String,
    pub run_id_source: String,
}

/// Plans the invalidation of `paths` on `distribution`: reads the build ids and each page's
/// variants from `pods` (GETs, nothing changed); sends nothing to CloudFront.
pub async fn invalidation(
    s: &CdnSettings,
    distribution: String,
    paths: Vec<UrlPath>,
    pods: &[Target],
    ctx: &RunContext,
    transport: &Transport,
) -> Result<Invalidation, Error> {
    let build_ids = super::build_ids(s, &paths, pods, ctx, transport).await?;
    let found = super::variants::find(s, &paths, pods, &build_ids, ctx, transport).await?;
    let (run_id, run_id_source) = super::run_id(s.run_id.as_deref(), &|k| std::env::var(k).ok());
    let mut plan = super::Plan::build(&super::plan::Input {
        distribution: distribution.clone(),
        paths,
        build_ids,
        variants: found.pages.clone(),
        query_strings: s.query_strings,
        coalesce: s.coalesce,
        max_wildcards: s.max_wildcards,
        batch_size: s.batch_size,
        free_paths_left: s.free_paths_left,
        run_id: run_id.clone(),
        caller_reference: s.caller_reference.clone(),
    })
    .map_err(|e| Error::usage(e.to_string()))?;
    plan.notes.extend(found.warnings);
    tracing::info!(
        "cdn invalidate: {} on {distribution}; run id {run_id} ({run_id_source})",
        plan.summary
    );
    Ok(Invalidation {
        plan,
        run_id,
        run_id_source,
    })
}

/// Plans the HTTP and Cloudflare purges of `paths`: reads each page's variants from `pods`
/// unless a BAN's regular expression covers them; sends nothing to a cache.
pub async fn purge(
    s: &CdnSettings,
    paths: Vec<UrlPath>,
    pods: &[Target],
    ctx: &RunContext,
    transport: &Transport,
) -> Result<super::purge::Plan, Error> {
    let build_ids = super::build_ids(s, &paths, pods, ctx, transport).await?;
    let found = if s.purge_method.eq_ignore_ascii_case("BAN") && s.cloudflare.is_none() {
        // A BAN's URL regular expression covers every variant of a page: nothing to read.
        super::variants::Found::default()
    } else {
        super::variants::find(s, &paths, pods, &build_ids, ctx, transport).await?
    };
    super::purge::Plan::build(
        s,
        paths,
        &found,
        std::env::var(super::cloudflare::TOKEN_ENV).ok(),
    )
}
