//! `doctor`'s command line: the keys of every part `run` uses (so `doctor` checks the setup a
//! `run` with the same flags, env and config would use), and the page to ask the pods for.

use clap::Args;

use super::{CiKeys, PipelineArgs, SiteKeys};
use crate::config::flags::Flags;
use crate::config::keys::Layer;

pub const DOCTOR_ABOUT: &str = "\
Check every configured part of the setup and say OK, WARN or FAIL for each, with a hint.

It takes the flags, env and config of `run` (those that only say what run does, such as --steps
or --wait, are read and not used), and checks what is configured, all at once, with short
timeouts (1.5 s at most, no retry). Its one change: each pod regenerates --path once.

  config         the config file, profile and every setting parse (a FAIL line, exit 2)
  kubernetes     RBAC allows what discovery and the transport need (SelfSubjectAccessReview)
  pods           the pods are found and each answers GET --path (default /)
  build          every pod runs the same build id (the majority's; the odd pods are named)
  revalidation   the previewModeId is accepted: a HEAD of --path with x-prerender-revalidate and
                 x-prerender-revalidate-if-generated: 1 is REVALIDATED on every pod (a cached
                 answer means the id is wrong; the id is never printed); in endpoint mode, the
                 endpoint answers
  cache headers  the page's Cache-Control suits a CDN (s-maxage; private or no-store FAIL), and
                 an App Router page's Vary keeps its RSC payloads apart
  redis          PING, the channel's subscribers (PUBSUB NUMSUB) against the pods
  agents         the agents registered on the channel, live or expired, against the pods
  cloudfront     credentials, GetDistribution and ListInvalidations on the distribution
                 (CreateInvalidation cannot be tried without creating one: said, not checked)
  cloudflare     the token verifies and is active, and the zone is readable

Exit: 0 when nothing FAILs (WARNs do not fail); 3 when a FAIL is in the fleet (pods, build,
previewModeId, subscribers, agents, cache headers); 5 for a service or its credentials
(Redis, AWS, Cloudflare, the Kubernetes API and RBAC); 2 for a configuration error.";

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// The page the pods are asked for (a page every pod has generated: an ISR page)
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub path: String,

    #[command(flatten)]
    pub pipeline: PipelineArgs,

    #[command(flatten)]
    pub site: Flags<SiteKeys>,

    /// A JUnit report (a test case a check) and GitHub Actions' summary and annotations, for
    /// doctor as a CI step
    #[command(flatten)]
    pub ci: Flags<CiKeys>,
}

impl DoctorArgs {
    pub fn layer(&self) -> Layer {
        self.pipeline
            .layer()
            .or((*self.site.layer).clone())
            .or((*self.ci.layer).clone())
    }
}
