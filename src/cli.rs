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

use crate::choices::{ColorChoice, LogFormat, OutputFormat};
use crate::config::flags::Flags;
use crate::config::keys::{Layer, key};
use crate::config::value::parse_duration;
use crate::exit;
use crate::key_set;

mod cdn;
mod run;
mod serve;
pub use cdn::{
    CdnArgs, CdnCommand, CdnInvalidateArgs, CdnListArgs, CdnPurgeArgs, CdnStatusArgs, CdnWaitArgs,
};
pub use run::{PipelineArgs, RunArgs};

mod doctor;
pub use doctor::DoctorArgs;
pub use serve::ServeArgs;

// The configuration keys each command takes, by group: every flag below is built from its key's
// declaration in config/keys.rs (help, default, environment variable, parser).
key_set!(
    /// Options every subcommand takes.
    GlobalKeys, global, Some("Global options"),
    [key::concurrency, key::per_pod_concurrency, key::timeout, key::retries, key::deadline]
);
key_set!(
    /// The site the paths are on (a sitemap's pages on its host are taken; Cloudflare's purge
    /// by URL uses it too) and the largest sitemap read. With the paths, so every command that
    /// takes paths has them once.
    SiteKeys, None, [key::cdn_site_url, key::sitemap_max_body]
);
key_set!(
    /// Pods listed by hand.
    PodKeys, Some("Pods"), [key::pods, key::pods_file]
);
key_set!(
    /// Pods found in Kubernetes (or DNS), and how they are reached.
    KubernetesKeys,
    Some("Kubernetes"),
    [
        key::k8s_service,
        key::k8s_selector,
        key::k8s_dns,
        key::k8s_namespace,
        key::k8s_context,
        key::k8s_kubeconfig,
        key::k8s_port,
        key::k8s_ip_family,
        key::k8s_include_not_ready,
        key::k8s_transport,
        key::k8s_follow_new_pods,
        key::k8s_recheck_after,
    ]
);
key_set!(
    /// How a pod (fanout: every pod; the agent: its own app) is told to revalidate.
    RevalidationKeys,
    Some("Revalidation"),
    [
        key::mode,
        key::method,
        key::only_generated,
        key::allow_gone,
        key::preview_id_file,
        key::endpoint_template,
        key::endpoint_tag_template,
        key::endpoint_method,
        key::headers,
        key::endpoint_body,
        key::endpoint_expect_json,
    ]
);
key_set!(
    /// verify's own options.
    VerifyKeys,
    None,
    [
        key::verify_ignore,
        key::verify_ignore_presets,
        key::verify_select,
        key::verify_max_body,
        key::verify_expect_contains,
        key::verify_expect_regex,
        key::verify_expect_status,
        key::verify_baseline,
        key::verify_expect_changed,
        key::verify_save,
        key::verify_wait,
        key::verify_through,
        key::verify_samples,
        key::verify_encodings,
        key::variants,
        key::verify_etag,
        key::verify_headers,
    ]
);
key_set!(
    /// The outputs CI systems read (JUnit, GitHub Actions), taken by the commands whose results
    /// are test cases: run, fanout, verify, publish, doctor.
    CiKeys, Some("CI reports"), [key::ci_junit, key::ci_github]
);
key_set!(
    /// Where Redis is and how to reach it.
    RedisKeys,
    Some("Redis"),
    [key::redis_url, key::redis_password_file, key::redis_ca, key::redis_timeout, key::redis_sharded]
);
key_set!(
    /// The channel, for the commands that only read it (agents).
    ChannelKeys,
    None,
    [key::redis_channel]
);
key_set!(
    /// publish's own options.
    PublishKeys,
    None,
    [
        key::redis_channel,
        key::redis_message,
        key::redis_expect_subscribers,
        key::redis_check,
        key::redis_force,
        key::redis_stream,
        key::redis_stream_maxlen,
        key::redis_no_record,
        key::redis_wait_acks,
        key::redis_ack_timeout,
    ]
);
key_set!(
    /// The agent's own options.
    AgentKeys,
    None,
    [
        key::agent_target,
        key::agent_pod_name,
        key::redis_channel,
        key::redis_stream,
        key::agent_catch_up,
        key::agent_catch_up_since,
        key::agent_catch_up_concurrency,
        key::agent_next_dir,
        key::agent_health_addr,
        key::agent_dedupe_window,
        key::agent_grace_period,
        key::agent_heartbeat,
    ]
);
key_set!(
    /// Which CloudFront distribution, through which credentials.
    AwsKeys, Some("CloudFront"), [key::cdn_distribution, key::cdn_aws_profile, key::cdn_endpoint_url]
);
key_set!(
    /// How long and how often to ask CloudFront.
    PollKeys, Some("Waiting"), [key::cdn_wait_timeout, key::cdn_poll_min, key::cdn_poll_max]
);
key_set!(
    /// What a browser fetches of a page besides its HTML.
    NextDataKeys,
    Some("Next.js variants"),
    [key::variants, key::cdn_next_data, key::cdn_build_id_file]
);
key_set!(
    /// `cdn invalidate`'s own options.
    InvalidateKeys,
    None,
    [
        key::cdn_query_strings,
        key::cdn_coalesce,
        key::cdn_max_wildcards,
        key::cdn_batch_size,
        key::cdn_free_paths_left,
        key::cdn_run_id,
        key::cdn_caller_reference,
        key::cdn_wait,
    ]
);
key_set!(
    /// `cdn list`'s own options.
    ListKeys, None, [key::cdn_list_limit]
);
key_set!(
    /// Caches that take HTTP purges.
    PurgeKeys, Some("HTTP purge"), [key::cdn_purge_urls, key::cdn_purge_method, key::cdn_purge_headers]
);
key_set!(
    /// Cloudflare's purge by URL.
    CloudflareKeys,
    Some("Cloudflare"),
    [
        key::cdn_cloudflare_zone,
        key::cdn_cloudflare_token_file,
        key::cdn_cloudflare_api_url,
        key::cdn_cloudflare_batch_size,
        key::cdn_wait_timeout,
    ]
);

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

    /// More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print exactly what would be sent (secrets redacted) and send nothing
    #[arg(long, global = true)]
    pub dry_run: bool,

    #[command(flatten)]
    pub keys: Flags<GlobalKeys>,

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
            Command::Agent(_) | Command::Serve(_) => 1,
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
            Command::Verify(_) | Command::Run(_) | Command::Serve(_) => true,
            #[cfg(feature = "demo")]
            Command::Demo(_) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole pipeline: revalidate every pod, prove it fresh, clear the CDN, prove the edge
    #[command(long_about = run::RUN_ABOUT, after_help = after_help())]
    Run(RunArgs),

    /// The endpoint a CMS button calls: runs the pipeline, answers 200 only when all is fresh
    #[command(long_about = serve::SERVE_ABOUT, after_help = after_help())]
    Serve(ServeArgs),

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

    /// List the agents registered on the channel: live or expired, their build, their last message
    #[command(long_about = AGENTS_ABOUT, after_help = after_help())]
    Agents(AgentsArgs),

    /// Run the story on a simulated fleet of Next.js pods: no network, nothing to install
    #[cfg(feature = "demo")]
    #[command(after_help = after_help())]
    Demo(crate::demo::DemoArgs),

    /// Clear the CDN once the pods are fresh: CloudFront invalidation, HTTP PURGE, Cloudflare
    #[command(long_about = cdn::CDN_ABOUT, after_help = after_help())]
    Cdn(CdnArgs),

    /// Check every configured part (pods, build, previewModeId, Redis, CDN, RBAC): OK, WARN or FAIL
    #[command(long_about = doctor::DOCTOR_ABOUT, after_help = after_help())]
    Doctor(DoctorArgs),

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

/// Where the pods are: listed, or found in Kubernetes (or DNS).
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    #[command(flatten)]
    pub pods: Flags<PodKeys>,

    #[command(flatten)]
    pub kubernetes: Flags<KubernetesKeys>,
}

impl TargetArgs {
    pub fn layer(&self) -> Layer {
        (*self.pods.layer)
            .clone()
            .or((*self.kubernetes.layer).clone())
    }
}

const PODS_ABOUT: &str = "\
List the pods a step would call, and how each is reached; nothing is sent to them.

With --k8s-service, every endpoint of the Service's EndpointSlices (ready ones, unless
--include-not-ready); with --k8s-selector, the Running and Ready pods with those labels; with
--dns, every address of a headless Service's name. The transport (--transport) is chosen as a
fanout would choose it. `-o json` prints what `--pods-file -` reads, so a runbook can pipe it:
  revalidate pods --k8s-service web -o json | revalidate fanout /blog --pods-file -";

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

    /// A sitemap.xml or sitemap index (gzipped too) whose pages' paths are taken, from a pod,
    /// a public URL or a file (repeatable); <loc>s must be on its host or --site-url's
    #[arg(long = "sitemap", value_name = "URL")]
    pub sitemaps: Vec<String>,

    #[command(flatten)]
    pub site: Flags<SiteKeys>,
}

/// Which cache tags (the App Router's `revalidateTag`).
#[derive(Debug, Clone, Default, Args)]
pub struct TagArgs {
    /// A cache tag to revalidate (repeatable), through the app's tag route (--tag-endpoint, or
    /// {tag} in --endpoint); e.g. --tag posts
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// A file of cache tags, one a line; blank lines and # comments are skipped; "-" reads stdin
    /// (repeatable)
    #[arg(long, value_name = "FILE")]
    pub tags_file: Vec<PathBuf>,
}

impl TagArgs {
    /// Whether any tag source was given.
    pub fn given(&self) -> bool {
        !self.tags.is_empty() || !self.tags_file.is_empty()
    }

    /// Reads and checks the tags (stdin for `--tags-file -`).
    pub fn collect(&self) -> Result<Vec<crate::tags::Tag>, crate::tags::TagsError> {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        crate::tags::collect(&self.tags, &self.tags_file, &mut lock)
    }

    /// Whether the tags are read from stdin.
    pub fn from_stdin(&self) -> bool {
        self.tags_file.iter().any(|f| f.as_os_str() == "-")
    }
}

#[derive(Debug, Clone, Args)]
pub struct FanoutArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub tags: TagArgs,

    #[command(flatten)]
    pub how: Flags<RevalidationKeys>,

    #[command(flatten)]
    pub targets: TargetArgs,

    #[command(flatten)]
    pub ci: Flags<CiKeys>,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub keys: Flags<VerifyKeys>,

    #[command(flatten)]
    pub targets: TargetArgs,

    #[command(flatten)]
    pub ci: Flags<CiKeys>,
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

#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub paths: PathArgs,

    #[command(flatten)]
    pub tags: TagArgs,

    #[command(flatten)]
    pub keys: Flags<PublishKeys>,

    #[command(flatten)]
    pub redis: Flags<RedisKeys>,

    /// The pods expected to receive and acknowledge, by name (nothing is sent to them)
    #[command(flatten)]
    pub targets: TargetArgs,

    #[command(flatten)]
    pub ci: Flags<CiKeys>,
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
    pub redis: Flags<RedisKeys>,
}

const AGENTS_ABOUT: &str = "\
List the agents registered on the channel, by pod name: who is listening, where PUBSUB NUMSUB
only counts.

Every `revalidate agent` registers beside the channel (the hash {<channel>}:agents and the sorted
set {<channel>}:agents:heartbeats) and renews it every --heartbeat (5s). An agent is live while its
last heartbeat is younger than three beats; one that stopped beating without a clean stop (its
pod killed, the agent stuck or cut off from Redis) is listed as expired for an hour. The table
shows each agent's state, its app's build id, its version, when it started, the last message it
handled and its last heartbeat, and the channel's subscriber count (agents or not).

With pods configured (--pod, --pods-file, --k8s-service, --k8s-selector, --dns), the pods with no
live agent and the live agents that are no configured pod are named.
Exit 0 when every configured pod has a live agent (without pods: when any agent is live), 3
otherwise, 5 when Redis cannot be used.";

#[derive(Debug, Clone, Args)]
pub struct AgentsArgs {
    #[command(flatten)]
    pub keys: Flags<ChannelKeys>,

    #[command(flatten)]
    pub redis: Flags<RedisKeys>,

    /// The pods expected to run an agent, by name (nothing is sent to them)
    #[command(flatten)]
    pub targets: TargetArgs,
}

impl AgentsArgs {
    pub fn layer(&self) -> Layer {
        let own = (*self.keys.layer).clone().or((*self.redis.layer).clone());
        own.or(self.targets.layer())
    }
}

#[derive(Debug, Clone, Args)]
pub struct AgentArgs {
    #[command(flatten)]
    pub keys: Flags<AgentKeys>,

    #[command(flatten)]
    pub how: Flags<RevalidationKeys>,

    #[command(flatten)]
    pub redis: Flags<RedisKeys>,
}

// ---- cdn ----

#[derive(Debug, Clone, Args)]
pub struct GenerateDocsArgs {
    /// Directory receiving completions/ and man/
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
}

/// The configuration keys a command's flags set, over the global options' (see
/// [`crate::config`] for the layers below the command line).
impl GlobalArgs {
    pub fn layer(&self) -> Layer {
        (*self.keys.layer).clone()
    }
}

impl PodsArgs {
    pub fn layer(&self) -> Layer {
        self.targets.layer()
    }
}

impl PathArgs {
    pub fn layer(&self) -> Layer {
        (*self.site.layer).clone()
    }

    /// Whether any source of paths was given.
    pub fn given(&self) -> bool {
        !self.paths.is_empty() || !self.paths_file.is_empty() || !self.sitemaps.is_empty()
    }
}

impl FanoutArgs {
    pub fn layer(&self) -> Layer {
        let own = (*self.how.layer).clone().or(self.paths.layer());
        let own = own.or((*self.ci.layer).clone());
        own.or(self.targets.layer())
    }
}

impl VerifyArgs {
    pub fn layer(&self) -> Layer {
        let own = (*self.keys.layer).clone().or(self.paths.layer());
        let own = own.or((*self.ci.layer).clone());
        own.or(self.targets.layer())
    }
}

impl PublishArgs {
    pub fn layer(&self) -> Layer {
        let own = (*self.keys.layer).clone().or((*self.redis.layer).clone());
        own.or(self.paths.layer())
            .or((*self.ci.layer).clone())
            .or(self.targets.layer())
    }
}

impl WatchArgs {
    pub fn layer(&self) -> Layer {
        (*self.redis.layer).clone()
    }
}

impl AgentArgs {
    pub fn layer(&self) -> Layer {
        let own = (*self.keys.layer).clone().or((*self.how.layer).clone());
        own.or((*self.redis.layer).clone())
    }
}

#[cfg(test)]
mod tests;
