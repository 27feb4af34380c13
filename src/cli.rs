//! The command line, as clap sees it: a plain mirror of the flags.
//!
//! Invariant (ripgrep's rule): populating these structs validates syntax and does nothing else:
//! no network, no file reads, no environment lookups beyond clap's own `env` for the config file
//! and profile. Options that a config file can also set are `Option`s without clap defaults, so
//! [`crate::config`] can tell "given on the command line" from "not given" and apply the
//! precedence flag > env > profile > file > built-in. Their defaults are stated in the help text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::choices::{
    ColorChoice, Encoding, EndpointMethod, IgnorePreset, IpFamily, LogFormat, Mode, OutputFormat,
    RevalidateMethod, TransportChoice,
};
use crate::config::value::{
    parse_duration, parse_expect_json_syntax, parse_header_syntax, parse_regex_syntax, parse_size,
};
use crate::exit;

const ABOUT: &str = "Make Next.js ISR revalidation reach every replica, and prove it.";

const LONG_ABOUT: &str = "\
Make Next.js ISR revalidation reach every replica, and prove it.

On-demand revalidation only refreshes the one pod that handled the call. revalidate calls every
pod directly (Next.js's own x-prerender-revalidate mechanism or your app's revalidate endpoint),
then verifies that every pod serves the same, fresh page.

Secrets (the previewModeId, revalidate secrets) are read from files or environment variables,
never needed on the command line, and never printed.";

fn after_help() -> String {
    format!(
        "{}\nConfiguration: revalidate.toml in the current directory (or --config / REVALIDATE_CONFIG);\n\
         see `revalidate config` for the effective values and where each came from.",
        exit::help_text()
    )
}

#[derive(Debug, Parser)]
#[command(
    name = "revalidate",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = after_help(),
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Configuration file [default: ./revalidate.toml when present]
    #[arg(
        short = 'c',
        long,
        global = true,
        env = "REVALIDATE_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,

    /// Profile of the configuration file to apply over its defaults
    #[arg(
        short = 'p',
        long,
        global = true,
        env = "REVALIDATE_PROFILE",
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// Output format on stdout: a table for people, one JSON document, or one JSON event a line
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,

    /// When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// No progress bar and no table; only errors on stderr (JSON output is unaffected)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print exactly what would be sent (secrets redacted) and send nothing
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Requests in flight at once, over all pods [default: 32]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub concurrency: Option<u32>,

    /// Requests in flight at once to any one pod [default: 4]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub per_pod_concurrency: Option<u32>,

    /// Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: Option<u32>,

    /// Deadline for the whole command; unfinished requests are reported as cancelled [default: none]
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,

    /// Format of the logs on stderr: text for people, json (one object a line) for log pipelines
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = LogFormat::Text,
        env = "REVALIDATE_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: LogFormat,
}

impl Cli {
    /// The lowest level logged without -v: the long-running agent logs every state change and
    /// every message it handles (its log is its output); other commands only warnings.
    pub fn log_floor(&self) -> u8 {
        match self.command {
            Command::Agent(_) => 1,
            _ => 0,
        }
    }

    /// Whether the command's work is CPU-bound enough to use every core: verify decodes and
    /// hashes bodies, and the demo serves a whole simulated fleet. The others wait on the
    /// network, where one worker thread is cheaper (measured: fanout's client CPU and wall
    /// time); the command itself runs on the main thread, so a stdout that blocks never stops
    /// the worker from seeing a signal.
    pub fn wants_threads(&self) -> bool {
        match self.command {
            Command::Verify(_) => true,
            #[cfg(feature = "demo")]
            Command::Demo(_) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Revalidate every path on every pod, directly
    #[command(long_about = FANOUT_ABOUT, after_help = after_help())]
    Fanout(FanoutArgs),

    /// Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh
    #[command(long_about = VERIFY_ABOUT, after_help = after_help())]
    Verify(VerifyArgs),

    /// Publish each path on the pods' Redis channel and report how many subscribers got it
    #[command(long_about = PUBLISH_ABOUT, after_help = after_help())]
    Publish(PublishArgs),

    /// Subscribe to Redis channels and print every revalidation message as it is published
    #[command(long_about = WATCH_ABOUT, after_help = after_help())]
    Watch(WatchArgs),

    /// Run beside the app in every pod: revalidate it on every message and acknowledge
    #[command(long_about = AGENT_ABOUT, after_help = after_help())]
    Agent(AgentArgs),

    /// Run the story on a simulated fleet of Next.js pods: no network, nothing to install
    #[cfg(feature = "demo")]
    #[command(after_help = after_help())]
    Demo(DemoArgs),

    /// Clear the CDN once the pods are fresh: CloudFront invalidation, HTTP PURGE, Cloudflare
    #[command(long_about = CDN_ABOUT, after_help = after_help())]
    Cdn(CdnArgs),

    /// Print the effective configuration, each value with where it came from (secrets redacted)
    #[command(after_help = after_help())]
    Config,

    /// List the pods a step would call: found in Kubernetes (or DNS), with how each is reached
    #[command(long_about = PODS_ABOUT, after_help = after_help())]
    Pods(PodsArgs),

    /// Write shell completions and man pages (for packagers and the repository)
    #[command(hide = true)]
    GenerateDocs(GenerateDocsArgs),
}

const FANOUT_ABOUT: &str = "\
Revalidate every path on every pod, directly.

--mode nextjs (default) sends Next.js's own x-prerender-revalidate header with the build's
previewModeId to each pod; no app code is needed. Outcomes per (path, pod):
  revalidated    200 with x-nextjs-cache: REVALIDATED
  not-generated  404 under --only-generated: the pod never generated the page (not a failure)
  gone           404: the content was deleted or the route does not exist (a failure unless --allow-gone)
  rejected       200 without REVALIDATED: wrong previewModeId, or a proxy stripped the header
  http-error     any other status
  unreachable    connect error, timeout or reset, after retries
  cancelled      not finished before the deadline or Ctrl-C

--mode endpoint calls your app's own revalidate route on each pod (--endpoint TEMPLATE);
success is a 2xx status and, with --expect-json, that JSON field.";

const VERIFY_ABOUT: &str = "\
Fetch every path from every pod and prove that every pod serves the fresh page.

Bodies are hashed (BLAKE3) as they stream in; compressed responses are decoded first so
every pod's hash is of the content. Pages that render a value per generation (timestamps,
nonces) differ across pods: use --ignore-preset timestamps, --ignore REGEX or --select REGEX to
normalise them away. With normalisation on, each body is held in memory up to --max-body, so
memory stays bounded by concurrency x max-body.

Verdicts per path (a wrong \"fresh\" is the worst thing this tool could say, so it needs proof):
  fresh        every pod passes a content check (--expect-contains, --expect-regex,
               --expect-status other than 200, or --baseline with --expect-changed) and the
               pods of each build agree
  converged    every pod of one build serves the same content, but no check proves it is
               the new content: agreement, not proof (exit 0)
  unproven     nothing to compare: pods of several builds and no content check, or one pod
               and no check (exit 4)
  stale        a pod fails a check, or pods of one build disagree (exit 4)
  unreachable  a pod could not be fetched, so nothing is proven (exit 3)

--through URL samples a load balancer or CDN, with every Accept-Encoding variant a CDN
caches apart (--encodings); without pods it needs a content check or a baseline.";

/// Where the pods are.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Pods")]
pub struct TargetArgs {
    /// A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000
    #[arg(long = "pod", value_name = "[NAME=]URL")]
    pub pods: Vec<String>,

    /// A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of
    /// `revalidate pods -o json`; "-" reads stdin
    #[arg(long, value_name = "FILE")]
    pub pods_file: Option<PathBuf>,

    #[command(flatten)]
    pub kubernetes: KubernetesArgs,
}

const PODS_ABOUT: &str = "\
List the pods a step would call, and how each is reached; nothing is sent to them.

With --k8s-service, every endpoint of the Service's EndpointSlices (ready ones, unless
--include-not-ready); with --k8s-selector, the Running and Ready pods with those labels; with
--dns, every address of a headless Service's name. The transport (--transport) is chosen as a
fanout would choose it. `-o json` prints what `--pods-file -` reads, so a runbook can pipe it:
  revalidate pods --k8s-service web -o json | revalidate fanout /blog --pods-file -";

/// Pods found in Kubernetes (or DNS), and how they are reached.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Kubernetes")]
pub struct KubernetesArgs {
    /// Every pod of this Service (its EndpointSlices), e.g. web
    #[arg(long, value_name = "NAME")]
    pub k8s_service: Option<String>,

    /// Every Running and Ready pod with these labels, e.g. app=web
    #[arg(long, value_name = "SELECTOR")]
    pub k8s_selector: Option<String>,

    /// Every A/AAAA address of a headless Service's name, without API access, e.g.
    /// web-headless.web.svc.cluster.local:3000
    #[arg(long, value_name = "NAME:PORT")]
    pub dns: Option<String>,

    /// The namespace [default: the kubeconfig context's (the service account's in a pod), else default]
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// The kubeconfig context [default: its current-context]
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The pods' port: a Service or container port name (http) or number (3000)
    /// [default: the Service's only port]
    #[arg(long, value_name = "NAME|NUMBER")]
    pub port: Option<String>,

    /// Which address of a dual-stack pod to call [default: auto]
    #[arg(long, value_enum, value_name = "FAMILY")]
    pub ip_family: Option<IpFamily>,

    /// Also call endpoints that are not ready (serving, terminating), marked as such
    #[arg(long)]
    pub include_not_ready: bool,

    /// How to reach the pods [default: auto]
    #[arg(long, value_enum, value_name = "HOW")]
    pub transport: Option<TransportChoice>,

    /// When pods appear during the run, run the step on them too (until none appear)
    #[arg(long)]
    pub follow_new_pods: bool,

    /// List the pods again at the end of runs that last at least DURATION, to report pods that
    /// appeared (they missed the run) or went away [default: 1s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub recheck_after: Option<Duration>,
}

#[derive(Debug, Clone, Args)]
pub struct PodsArgs {
    #[command(flatten)]
    pub targets: TargetArgs,
}

/// Which paths.
#[derive(Debug, Clone, Args)]
pub struct PathArgs {
    /// Paths such as /posts/a (a query string is allowed); "-" reads one path a line from stdin
    #[arg(value_name = "PATHS")]
    pub paths: Vec<String>,

    /// A file of paths, one a line; blank lines and # comments are skipped (repeatable)
    #[arg(long, value_name = "FILE")]
    pub paths_file: Vec<PathBuf>,
}

/// How a pod (fanout: every pod; the agent: its own app) is told to revalidate.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Revalidation")]
pub struct RevalidationArgs {
    /// How each pod is told to revalidate [default: nextjs]
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,

    /// nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]
    #[arg(long, value_enum)]
    pub method: Option<RevalidateMethod>,

    /// nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)
    #[arg(long)]
    pub only_generated: bool,

    /// Do not count gone pages (404: deleted content or unknown route) as failures
    #[arg(long)]
    pub allow_gone: bool,

    /// nextjs mode: file holding the previewModeId, or the app's .next/prerender-manifest.json
    /// (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself
    #[arg(long, value_name = "FILE")]
    pub preview_id_file: Option<PathBuf>,

    /// endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a
    /// query value, e.g. '/api/revalidate?path={path}'
    #[arg(long, value_name = "TEMPLATE")]
    pub endpoint: Option<String>,

    /// endpoint mode: request method [default: GET]
    #[arg(long, value_enum)]
    pub endpoint_method: Option<EndpointMethod>,

    /// A request header 'Name: value' sent to every pod, in both modes (repeatable); ${ENV_VAR}
    /// in the value is expanded, so secrets stay off the command line and out of every output
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'", value_parser = parse_header_syntax)]
    pub headers: Vec<String>,

    /// endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands
    #[arg(long, value_name = "TEMPLATE")]
    pub body: Option<String>,

    /// endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys,
    /// e.g. revalidated=true
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_expect_json_syntax)]
    pub expect_json: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct FanoutArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub how: RevalidationArgs,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    /// Replace every match of REGEX with a fixed token before hashing (repeatable)
    #[arg(long, value_name = "REGEX", value_parser = parse_regex_syntax)]
    pub ignore: Vec<String>,

    /// Built-in normalisations: timestamps, nonces (repeatable)
    #[arg(long, value_enum, value_name = "PRESET")]
    pub ignore_preset: Vec<IgnorePreset>,

    /// Hash only the first capture group of REGEX (e.g. the <main> element)
    #[arg(long, value_name = "REGEX", value_parser = parse_regex_syntax)]
    pub select: Option<String>,

    /// Largest body read from one response; a larger one is an error for that cell [default: 32MiB]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_body: Option<u64>,

    /// Every pod must show this text (e.g. the new title)
    #[arg(long, value_name = "TEXT")]
    pub expect_contains: Option<String>,

    /// Every pod's body must match this regular expression
    #[arg(long, value_name = "REGEX", value_parser = parse_regex_syntax)]
    pub expect_regex: Option<String>,

    /// Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]
    #[arg(long, value_name = "CODE", value_parser = clap::value_parser!(u16).range(100..=599))]
    pub expect_status: Option<u16>,

    /// Compare with a snapshot written earlier by `verify --save FILE`
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// With --baseline: every pod must now differ from the baseline (the content changed)
    #[arg(long)]
    pub expect_changed: bool,

    /// Write a snapshot of what every pod serves now, for a later --baseline
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Re-check what is not fresh yet, with backoff (250ms to 5s), for up to DURATION
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait: Option<Duration>,

    /// Also fetch each path through this URL (load balancer or CDN), --samples times
    #[arg(long, value_name = "URL")]
    pub through: Option<String>,

    /// Requests per path and per encoding through --through [default: 10]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub samples: Option<u32>,

    /// --through: the Accept-Encoding variants to sample, each cached apart by a CDN
    /// [default: identity,gzip,br]
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ENCODING")]
    pub encodings: Vec<Encoding>,

    /// Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp
    /// per generation will look different on every pod
    #[arg(long)]
    pub etag: bool,

    /// A request header 'Name: value' sent with every fetch (repeatable); ${ENV_VAR} expands
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'", value_parser = parse_header_syntax)]
    pub headers: Vec<String>,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Number of simulated pods
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(2..=64))]
    pub pods: u32,

    /// Which Next.js the simulated pods behave like
    #[arg(long, default_value = "16", value_parser = ["13", "16"])]
    pub flavor: String,

    /// Keep the fleet running (until Ctrl-C) and print how to point revalidate at it
    #[arg(long)]
    pub serve: bool,

    /// --serve: fixed delay of every pod response, e.g. 5ms
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "serve")]
    pub latency: Option<Duration>,

    /// --serve: pad every page to at least SIZE, e.g. 200KiB
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "serve")]
    pub page_size: Option<u64>,

    /// --serve: pre-render N more pages /posts/p1 .. /posts/pN
    #[arg(long, value_name = "N", default_value_t = 0, requires = "serve")]
    pub extra_pages: u32,

    /// --serve: write the fleet's pod URLs and files as JSON to FILE once it is listening
    #[arg(long, value_name = "FILE", requires = "serve")]
    pub info_file: Option<PathBuf>,

    /// --serve: also run a fake Kubernetes API server describing the fleet (Service web in
    /// namespace web; pods/proxy and port-forward included) and write its kubeconfig
    #[arg(long, requires = "serve")]
    pub kubernetes: bool,

    /// --kubernetes: also a Service `scaled` with N endpoints in EndpointSlices of 100, each
    /// reaching one of the fleet's pods (for discovery at scale)
    #[arg(long, value_name = "N", default_value_t = 0, requires = "kubernetes")]
    pub k8s_endpoints: u32,

    /// --serve: also run a CloudFront API (moto_server, PyPI moto[server], behind a proxy that
    /// keeps invalidations in progress for --invalidation-time) with one distribution
    #[arg(long, requires = "serve")]
    pub cloudfront: bool,

    /// --cloudfront: how long each invalidation stays in progress [default: 5s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "cloudfront")]
    pub invalidation_time: Option<Duration>,

    /// The Redis part of the story against this Redis (its channel "revalidate" and stream are
    /// used) [default: a redis-server started on a free port, when one is on PATH]
    #[arg(long, value_name = "URL", conflicts_with = "serve")]
    pub redis_url: Option<String>,
}

// Redis commands (issue 8): publish, watch, agent.

const PUBLISH_ABOUT: &str = "\
Publish one message per path on the pods' Redis channel, and report how many subscribers got it.

The default message is {\"path\":\"<path>\",\"timestamp\":<unix ms>,\"id\":\"<unique id>\"}, so a
subscriber doing JSON.parse(message).path works unchanged; --message TEMPLATE sends another format
({path}, {timestamp}, {id}; JSON-escaped inside JSON). Messages are pipelined.

PUBLISH's receiver count is the only delivery signal Redis gives, and it is reported as it is:
  delivered        at least the expected number of subscribers got the message
  under-delivered  fewer did (exit 3): a pod was down, restarting, or its subscriber gave up
  not-sent         nothing was published (--check found no subscriber, or the run stopped)
  failed           Redis failed while publishing (exit 5)
The expected number is --expect-subscribers N, else the number of configured pods, else one.
With --wait-acks, every expected pod must also acknowledge that it revalidated the path (revalidate
agent acknowledges), and no pod may acknowledge a failure: acknowledged, or unacknowledged (exit 3).

Redis Cluster: PUBLISH counts only the subscribers on the node that took it; --sharded uses
SPUBLISH and PUBSUB SHARDNUMSUB, which count the subscribers of the channel's shard (those that
SSUBSCRIBE, as watch --sharded and agent --sharded do).";

const WATCH_ABOUT: &str = "\
Subscribe to Redis channels and print every message as it is published: time, channel, path and
id (read from the message's JSON, or the message itself when it is a bare path).

For on-call: is anything being published, and what? Survives a Redis restart, and says when it
lost and regained the connection. --count N and --duration D stop it; so does Ctrl-C (exit 0
without a limit). SIGTERM, how supervisors cancel, exits 143 as for every command.
On a Redis Cluster, --sharded subscribes to shard channels (SSUBSCRIBE), where publish --sharded
sends.";

const AGENT_ABOUT: &str = "\
Run beside the app in every pod, so the app needs no subscriber of its own.

For every message on --channel, the agent revalidates the local app (--target, in nextjs mode with
the build's previewModeId, or endpoint mode, exactly as fanout does), then publishes an
acknowledgement {\"id\",\"path\",\"pod\",\"outcome\",\"ms\"} on <channel>:acks, which
`revalidate publish --wait-acks` collects.

It reconnects with backoff and resubscribes when Redis goes away, logging every change; skips a
message id it handled within --dedupe-window; revalidates at most --per-pod-concurrency paths at
once; and on SIGTERM or Ctrl-C takes no new message, gives the revalidations in flight
--grace-period (10s) to finish whatever is down, leaves the messages not started to the stream
(an agent with --catch-up replays them), says so, and exits 0.

--health-addr serves /healthz (200 only while subscribed: a readiness probe that closes the gap
between the app's port answering and its subscription existing) and /metrics (Prometheus).
--stream reads <channel>:stream (written by publish --stream) from the last entry handled, so a
message published while the connection was down is handled after reconnecting, once.
--catch-up D revalidates, at start, what was published in the last D.
On a Redis Cluster, --sharded subscribes to the shard channel (SSUBSCRIBE) that publish --sharded
sends to; acknowledgements stay on the classic bus, which reaches every node.";

/// Where Redis is and how to reach it.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Redis")]
pub struct RedisArgs {
    /// Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is
    /// better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL]
    /// [default: redis://127.0.0.1:6379]
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,

    /// A file holding the Redis password (env REDIS_PASSWORD holds the password itself)
    #[arg(long, value_name = "FILE")]
    pub redis_password_file: Option<PathBuf>,

    /// rediss://: a PEM file of the CA certificates to trust, instead of the system's roots
    #[arg(long, value_name = "FILE")]
    pub redis_ca: Option<PathBuf>,

    /// Connect and response timeout of every Redis connection [default: 5s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub redis_timeout: Option<Duration>,

    /// Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent
    /// SSUBSCRIBE), reached through the URL's node
    #[arg(long)]
    pub sharded: bool,
}

#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    /// The channel the pods subscribe to [default: revalidate]
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,

    /// Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON
    /// [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]
    #[arg(long, value_name = "TEMPLATE")]
    pub message: Option<String>,

    /// Fewer receivers than N is under-delivered (exit 3) [default: the number of configured
    /// pods, else 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1000000))]
    pub expect_subscribers: Option<u32>,

    /// First ask PUBSUB NUMSUB, and publish nothing when nobody listens (exit 3)
    #[arg(long)]
    pub check: bool,

    /// With --check: publish even when nobody listens
    #[arg(long)]
    pub force: bool,

    /// Also append every message to the stream <channel>:stream, for agents that were away
    #[arg(long)]
    pub stream: bool,

    /// --stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100000000))]
    pub stream_maxlen: Option<u32>,

    /// Wait for every expected pod's acknowledgement on <channel>:acks (revalidate agent sends them)
    #[arg(long)]
    pub wait_acks: bool,

    /// --wait-acks: how long to wait after publishing [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub ack_timeout: Option<Duration>,

    #[command(flatten)]
    pub redis: RedisArgs,

    /// The pods expected to receive and acknowledge, by name (nothing is sent to them)
    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// A channel to subscribe to (repeatable) [default: the configured channel, revalidate]
    #[arg(long = "channel", value_name = "CHANNEL")]
    pub channels: Vec<String>,

    /// A channel pattern to subscribe to, e.g. 'revalidate*' (repeatable)
    #[arg(long = "pattern", value_name = "PATTERN")]
    pub patterns: Vec<String>,

    /// Stop after N messages
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Stop after DURATION, e.g. 30s
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    #[command(flatten)]
    pub redis: RedisArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AgentArgs {
    /// The local app to revalidate [default: http://127.0.0.1:3000]
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,

    /// This pod's name in acknowledgements [env: POD_NAME] [default: the hostname]
    #[arg(long, value_name = "NAME")]
    pub pod_name: Option<String>,

    /// The channel to subscribe to [default: revalidate]
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,

    /// Also read <channel>:stream (XREAD BLOCK from the last entry handled), so messages published
    /// while the connection was down are handled after reconnecting
    #[arg(long)]
    pub stream: bool,

    /// At start, revalidate what was published in the last DURATION (read from <channel>:stream)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub catch_up: Option<Duration>,

    /// Serve /healthz (200 only while subscribed) and /metrics on ADDR, e.g. 127.0.0.1:9102
    #[arg(long, value_name = "ADDR")]
    pub health_addr: Option<String>,

    /// A message id handled within this window is skipped [default: 10m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub dedupe_window: Option<Duration>,

    /// On SIGTERM, how long the revalidations in flight may take to finish; messages not started
    /// are left to the stream [env: REVALIDATE_GRACE_PERIOD] [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub grace_period: Option<Duration>,

    #[command(flatten)]
    pub how: RevalidationArgs,

    #[command(flatten)]
    pub redis: RedisArgs,
}

// ---- cdn ----

const CDN_ABOUT: &str = "\
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

/// Which CloudFront distribution, through which credentials.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "CloudFront")]
pub struct AwsArgs {
    /// The CloudFront distribution id, e.g. E2QWRUHAPOMQZL (env REVALIDATE_CDN_DISTRIBUTION)
    #[arg(long, value_name = "ID")]
    pub distribution: Option<String>,

    /// The AWS shared config profile [default: AWS_PROFILE, else the default chain]
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,

    /// Another CloudFront API endpoint, e.g. an emulator (env AWS_ENDPOINT_URL_CLOUDFRONT)
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// How long and how often to ask CloudFront.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Waiting")]
pub struct PollArgs {
    /// How long to wait on CloudFront: for room under its in-progress limits, through retries,
    /// and for completion [default: 20m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait_timeout: Option<Duration>,

    /// First interval between polls and retries; each poll waits 10% longer [default: 1s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub poll_min: Option<Duration>,

    /// Longest interval between polls [default: 10s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub poll_max: Option<Duration>,
}

/// Pages Router data URLs.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Next.js data URLs")]
pub struct NextDataArgs {
    /// Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id
    /// from every pod's page (--pod, --pods-file) or from --build-id-file
    #[arg(long, value_name = "BUILD_ID|auto")]
    pub next_data: Option<String>,

    /// --next-data auto: read the build id from this file (the app's .next/BUILD_ID)
    #[arg(long, value_name = "FILE")]
    pub build_id_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CdnInvalidateArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// Whether the distribution caches on query strings: drop them from the paths, or keep
    /// them [default: drop]
    #[arg(long, value_enum, value_name = "WHAT")]
    pub query_strings: Option<crate::choices::QueryStrings>,

    /// Replace more than N paths under one directory with DIRECTORY/* (deepest first)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3000))]
    pub coalesce: Option<u32>,

    /// At most N wildcard paths in the plan [default: 15]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=15))]
    pub max_wildcards: Option<u32>,

    /// Paths per CreateInvalidation, at most 3000 [default: 3000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3000))]
    pub batch_size: Option<u32>,

    /// Free invalidation paths the account has left this month, for the cost estimate
    /// [default: unknown: every path is counted]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1000000))]
    pub free_paths_left: Option<u32>,

    /// Names this run in every CallerReference: a retry with the same run id gets its
    /// invalidations back instead of paying twice (env REVALIDATE_RUN_ID) [default: the CI run
    /// id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run]
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,

    /// Use this CallerReference (suffixed -1, -2, ... when there are several batches)
    #[arg(long, value_name = "REF")]
    pub caller_reference: Option<String>,

    /// Wait until every invalidation completes (exit 3 at --wait-timeout, naming those in
    /// progress)
    #[arg(long)]
    pub wait: bool,

    #[command(flatten)]
    pub poll: PollArgs,

    #[command(flatten)]
    pub next_data: NextDataArgs,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CdnWaitArgs {
    /// Invalidation ids, e.g. I2J0I21PCUYOIK
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub aws: AwsArgs,

    #[command(flatten)]
    pub poll: PollArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CdnStatusArgs {
    /// Invalidation ids, e.g. I2J0I21PCUYOIK
    #[arg(value_name = "ID", required = true)]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CdnListArgs {
    /// How many invalidations to list [default: 20]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: Option<u32>,

    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CdnPurgeArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    /// A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g.
    /// varnish=http://10.0.0.9:6081 (env REVALIDATE_PURGE_URLS)
    #[arg(
        long = "purge-url",
        value_name = "[NAME=]URL",
        help_heading = "HTTP purge"
    )]
    pub purge_urls: Vec<String>,

    /// The purge request's method, e.g. BAN [default: PURGE]
    #[arg(long, value_name = "METHOD", help_heading = "HTTP purge")]
    pub purge_method: Option<String>,

    /// A header 'Name: value' of every purge request (repeatable); ${ENV_VAR} expands, e.g.
    /// 'Fastly-Key: ${FASTLY_KEY}'
    #[arg(long = "purge-header", short = 'H', value_name = "'NAME: VALUE'", value_parser = parse_header_syntax, help_heading = "HTTP purge")]
    pub purge_headers: Vec<String>,

    /// A Cloudflare zone id to purge by URL (env CLOUDFLARE_ZONE_ID); the API token comes from
    /// env CLOUDFLARE_API_TOKEN or --cloudflare-token-file
    #[arg(long, value_name = "ID", help_heading = "Cloudflare")]
    pub cloudflare_zone: Option<String>,

    /// A file holding the Cloudflare API token
    #[arg(long, value_name = "FILE", help_heading = "Cloudflare")]
    pub cloudflare_token_file: Option<PathBuf>,

    /// Cloudflare's API base [default: https://api.cloudflare.com/client/v4]
    #[arg(long, value_name = "URL", help_heading = "Cloudflare")]
    pub cloudflare_api_url: Option<String>,

    /// URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise [default: 30]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=500), help_heading = "Cloudflare")]
    pub cloudflare_batch_size: Option<u32>,

    /// The site's public origin, e.g. https://www.example.com: Cloudflare purges full URLs
    /// (env REVALIDATE_SITE_URL)
    #[arg(long, value_name = "URL", help_heading = "Cloudflare")]
    pub site_url: Option<String>,

    /// How long to wait for Cloudflare's 429 Retry-After [default: 20m]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = "Cloudflare")]
    pub wait_timeout: Option<Duration>,

    #[command(flatten)]
    pub next_data: NextDataArgs,

    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Clone, Args)]
pub struct GenerateDocsArgs {
    /// Directory receiving completions/ and man/
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
