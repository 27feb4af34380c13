//! `serve`'s command line: its own keys, then the pipeline's (those of `run`).

use clap::Args;

use super::run::PipelineArgs;
use crate::config::flags::Flags;
use crate::config::keys::{Layer, key};
use crate::key_set;

key_set!(
    /// `serve`'s own options.
    ServeKeys,
    None,
    [
        key::serve_listen,
        key::serve_secret_file,
        key::serve_tls_cert,
        key::serve_tls_key,
        key::serve_max_runs,
        key::serve_queue,
        key::serve_max_wait,
        key::serve_max_request,
        key::serve_grace,
        key::serve_keep_jobs,
        key::serve_stream,
        key::serve_consumer,
        key::serve_claim_after,
    ]
);

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub serve: Flags<ServeKeys>,

    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

impl ServeArgs {
    pub fn layer(&self) -> Layer {
        (*self.serve.layer).clone().or(self.pipeline.layer())
    }
}

pub const SERVE_ABOUT: &str = "\
The endpoint a CMS button or webhook calls instead of the app's revalidate route: each request
runs the whole pipeline of `revalidate run` (revalidate every pod, prove every pod fresh, clear
the CDN, prove the edge), and the caller hears the truth.

  POST /revalidate            {\"paths\": [\"/a\"]}, ?path=/a, or a CMS webhook mapped by
                              [[serve.routes]]; ?wait=true answers at the end: 200 when every
                              path is proven fresh, 409 with the report when not, 504 at
                              ?timeout= (at most --max-wait); without wait, 202 and a job id
  GET  /api/jobs, /api/jobs/ID  recent jobs; one job with its runs' reports
  GET  /                      the status page (basic auth: any user, the secret as password)
  GET  /healthz, /readyz, /metrics   probes and Prometheus metrics (no auth)

Auth: env REVALIDATE_SERVE_SECRET (or --secret-file) as `Authorization: Bearer`,
`x-revalidate-secret`, or an HMAC of the body (X-Hub-Signature-256, sanity-webhook-signature).
A path already waiting joins the waiting run; at most --max-runs runs at once; a full queue
answers 503. With redis.url set, accepted jobs are kept in a Redis stream shared by every
replica (a restarted or dead replica's jobs are finished by another). SIGTERM: no new job,
running jobs get --grace to finish.";
