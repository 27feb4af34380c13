//! `run`'s command line: the keys of every step it chains, each once (a key two sets name is
//! taken from the first; see [`Flags`]), and its own.

use clap::Args;

use super::{
    AwsKeys, CiKeys, CloudflareKeys, NextDataKeys, PathArgs, PollKeys, PurgeKeys, RedisKeys,
    RevalidationKeys, TagArgs, TargetArgs,
};
use crate::config::flags::Flags;
use crate::config::keys::{Layer, key};
use crate::key_set;

key_set!(
    /// `run`'s own options.
    RunKeys,
    None,
    [
        key::run_steps,
        key::run_via,
        key::run_edge,
        key::run_wait,
        key::verify_expect_changed,
        key::run_force_cdn,
    ]
);
key_set!(
    /// What proves a page fresh, as verify checks it (the baseline is the run's own snapshot).
    RunVerifyKeys,
    Some("Verify"),
    [
        key::verify_expect_contains,
        key::verify_expect_regex,
        key::verify_expect_status,
        key::verify_ignore,
        key::verify_ignore_presets,
        key::verify_select,
        key::verify_max_body,
        key::variants,
        key::verify_samples,
        key::verify_encodings,
    ]
);
key_set!(
    /// How the pods are told through Redis (`--via redis`, `both`, `auto`).
    RunPublishKeys,
    Some("Redis"),
    [
        key::redis_channel,
        key::redis_message,
        key::redis_expect_subscribers,
        key::redis_stream,
        key::redis_stream_maxlen,
        key::redis_no_record,
        key::redis_wait_acks,
        key::redis_ack_timeout,
    ]
);
key_set!(
    /// How the CloudFront invalidation is made (`run` always waits for it).
    RunInvalidateKeys,
    Some("CloudFront"),
    [
        key::cdn_query_strings,
        key::cdn_coalesce,
        key::cdn_max_wildcards,
        key::cdn_batch_size,
        key::cdn_free_paths_left,
        key::cdn_run_id,
        key::cdn_caller_reference,
    ]
);

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub tags: TagArgs,

    /// With --tag: a file of the pages the tags regenerate, one a line, verified (and cleared from
    /// the CDN) but not revalidated by path; --sitemap's pages are taken so too (repeatable)
    #[arg(long, value_name = "FILE")]
    pub verify_paths: Vec<std::path::PathBuf>,

    #[command(flatten)]
    pub pipeline: PipelineArgs,

    #[command(flatten)]
    pub ci: Flags<CiKeys>,
}

impl RunArgs {
    pub fn layer(&self) -> Layer {
        self.pipeline
            .layer()
            .or((*self.ci.layer).clone())
            .or(self.paths.layer())
    }
}

/// The pipeline's settings: `run`'s and each step's it chains, and the targets. `serve` takes
/// the same.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    #[command(flatten)]
    pub run: Flags<RunKeys>,

    #[command(flatten)]
    pub how: Flags<RevalidationKeys>,

    #[command(flatten)]
    pub verify: Flags<RunVerifyKeys>,

    #[command(flatten)]
    pub targets: TargetArgs,

    #[command(flatten)]
    pub redis: Flags<RedisKeys>,

    #[command(flatten)]
    pub publish: Flags<RunPublishKeys>,

    #[command(flatten)]
    pub aws: Flags<AwsKeys>,

    #[command(flatten)]
    pub invalidate: Flags<RunInvalidateKeys>,

    #[command(flatten)]
    pub next_data: Flags<NextDataKeys>,

    #[command(flatten)]
    pub poll: Flags<PollKeys>,

    #[command(flatten)]
    pub purge: Flags<PurgeKeys>,

    #[command(flatten)]
    pub cloudflare: Flags<CloudflareKeys>,
}

impl PipelineArgs {
    pub fn layer(&self) -> Layer {
        [
            &self.how.layer,
            &self.verify.layer,
            &self.redis.layer,
            &self.publish.layer,
            &self.aws.layer,
            &self.invalidate.layer,
            &self.next_data.layer,
            &self.poll.layer,
            &self.purge.layer,
            &self.cloudflare.layer,
        ]
        .into_iter()
        .fold((*self.run.layer).clone(), |l, o| l.or((**o).clone()))
        .or(self.targets.layer())
    }
}

pub const RUN_ABOUT: &str = "\
Revalidate every path on every pod, prove every pod fresh, then clear the CDN and prove the edge
fresh: the whole pipeline, in one process, with one report and one exit code.

Steps (--steps picks a subset; each is the library code of its subcommand):
  discover    the pods: --pod/--pods-file, --k8s-service/--k8s-selector, or --dns
  snapshot    what every pod serves now, kept in memory: the baseline of this run
  revalidate  every pod regenerates each page: directly (fanout), through Redis (publish), or
              both (--via; auto: Redis when redis.url is set, direct when Redis is unreachable
              or reaches fewer pods than were found, and the report says so)
  verify      every pod proven fresh, every variant a browser fetches (--wait, default 30s)
  cdn         the CDN cleared (CloudFront, HTTP PURGE, Cloudflare, as configured) of the pages
              proven fresh on every pod, and only of those: clearing it before every pod is
              fresh would cache a stale copy again (--force-cdn overrides); waits for the
              invalidation
  edge        each page and its variants proven fresh through --edge URL

Evidence: a pod is fresh when its page changed since the run's snapshot, or a content check
holds (--expect-contains, --expect-regex). A page regenerated with the same content is
`unchanged`: a warning and exit 0 (the CMS may not have committed yet), exit 4 with
--expect-changed. Agreement alone is never fresh.";
