//! The cdn subcommands' command line: invalidate, wait, status, list and purge.

use clap::{Args, Subcommand};

use super::*;

pub(super) const CDN_ABOUT: &str = "\
Clear the CDN once the pods are fresh.

After every pod serves the new page, the CDN still holds the old one until it is invalidated;
invalidated too early, it refetches from a stale pod and caches that again. Run these after
`revalidate verify` proved the pods fresh.

  invalidate  CloudFront: batched within its limits, idempotent, costed before it is sent,
              and with --wait polled until complete (detected within 2s for most)
  wait        wait for invalidations to complete
  status      the status of invalidations
  list        a distribution's recent invalidations
  purge       caches that take HTTP purges (Varnish, nginx, Squid, Fastly) and Cloudflare

CloudFront credentials and region come from aws-config's default chain: environment, shared
profile (--aws-profile), SSO, web identity (EKS IRSA), container and instance metadata.";

#[derive(Debug, Args)]
pub struct CdnArgs {
    #[command(subcommand)]
    pub command: CdnCommand,
}

#[derive(Debug, Subcommand)]
pub enum CdnCommand {
    /// Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for
    #[command(long_about = CDN_INVALIDATE_ABOUT, after_help = after_help())]
    Invalidate(CdnInvalidateArgs),

    /// Wait until CloudFront invalidations complete
    #[command(after_help = after_help())]
    Wait(CdnWaitArgs),

    /// Show the status of CloudFront invalidations
    #[command(after_help = after_help())]
    Status(CdnStatusArgs),

    /// List a distribution's recent invalidations, newest first
    #[command(after_help = after_help())]
    List(CdnListArgs),

    /// Purge paths from caches that take HTTP purges and from Cloudflare
    #[command(long_about = CDN_PURGE_ABOUT, after_help = after_help())]
    Purge(CdnPurgeArgs),
}

const CDN_INVALIDATE_ABOUT: &str = "\
Invalidate paths on a CloudFront distribution.

Paths follow CloudFront's rules (the developer guide's page on invalidating files): they start
with /, are case-sensitive, at most 4,000 characters, take * only as the last character, and
only non-ASCII and RFC 1738 unsafe characters are URL-encoded (~ becomes %7E). Query strings
are dropped unless --query-strings keep (the distribution caches on them).

Before anything is sent, the plan is printed: paths, wildcards, billed paths and the estimated
cost (the first 1,000 paths a month are free per account, then $0.005 a path; a wildcard counts
as one). Duplicates and paths a wildcard covers are dropped; --coalesce N replaces more than N
paths under one directory with DIRECTORY/*. Batches hold at most 3,000 paths and are sent only
when the distribution has room under its in-progress limits (3,000 file paths, 15 wildcards).

Each batch's CallerReference is a hash of the distribution, the run id and its paths: a retried
CI job (same run id) gets its invalidation back instead of paying twice.";

const CDN_PURGE_ABOUT: &str = "\
Purge paths from caches that take HTTP purges (Varnish, nginx or Squid with a purge module,
Fastly's URL purge) and from Cloudflare.

--purge-url URL sends `PURGE <path>` (--purge-method) to that cache for every path, with any
--purge-header such as 'Fastly-Key: ${FASTLY_KEY}'. Outcome per (path, cache): 200 or 204
purged, 404 not-cached (fine), anything else a failure.

--cloudflare-zone ID purges https://SITE/PATH by URL (--site-url), at most 30 URLs a call (the
Free plan's limit; --cloudflare-batch-size), honouring 429 Retry-After. The API token comes from
env CLOUDFLARE_API_TOKEN or --cloudflare-token-file, never the command line.";

#[derive(Debug, Clone, Args)]
pub struct CdnInvalidateArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub aws: Flags<AwsKeys>,

    #[command(flatten)]
    pub keys: Flags<InvalidateKeys>,

    #[command(flatten)]
    pub poll: Flags<PollKeys>,

    #[command(flatten)]
    pub next_data: Flags<NextDataKeys>,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CdnWaitArgs {
    /// Invalidation ids, e.g. I2J0I21PCUYOIK
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub aws: Flags<AwsKeys>,

    #[command(flatten)]
    pub poll: Flags<PollKeys>,
}

#[derive(Debug, Clone, Args)]
pub struct CdnStatusArgs {
    /// Invalidation ids, e.g. I2J0I21PCUYOIK
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub aws: Flags<AwsKeys>,
}

#[derive(Debug, Clone, Args)]
pub struct CdnListArgs {
    #[command(flatten)]
    pub keys: Flags<ListKeys>,

    #[command(flatten)]
    pub aws: Flags<AwsKeys>,
}

#[derive(Debug, Clone, Args)]
pub struct CdnPurgeArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub purge: Flags<PurgeKeys>,

    #[command(flatten)]
    pub cloudflare: Flags<CloudflareKeys>,

    #[command(flatten)]
    pub next_data: Flags<NextDataKeys>,

    #[command(flatten)]
    pub targets: TargetArgs,
}

impl CdnInvalidateArgs {
    pub fn layer(&self) -> Layer {
        [&self.keys.layer, &self.poll.layer, &self.next_data.layer]
            .into_iter()
            .fold((*self.aws.layer).clone(), |l, o| l.or((**o).clone()))
            .or(self.paths.layer())
            .or(self.targets.layer())
    }
}

impl CdnWaitArgs {
    pub fn layer(&self) -> Layer {
        (*self.aws.layer).clone().or((*self.poll.layer).clone())
    }
}

impl CdnStatusArgs {
    pub fn layer(&self) -> Layer {
        (*self.aws.layer).clone()
    }
}

impl CdnListArgs {
    pub fn layer(&self) -> Layer {
        (*self.keys.layer).clone().or((*self.aws.layer).clone())
    }
}

impl CdnPurgeArgs {
    pub fn layer(&self) -> Layer {
        [&self.cloudflare.layer, &self.next_data.layer]
            .into_iter()
            .fold((*self.purge.layer).clone(), |l, o| l.or((**o).clone()))
            .or(self.paths.layer())
            .or(self.targets.layer())
    }
}
