//! Every configuration key, declared once: its type, its name in files, its environment
//! variable, its flag, its built-in default and how `revalidate config` shows it.
//!
//! Adding a key here is the whole of making it settable from a flag, the environment, a profile
//! and the file; code reads it as a typed field, so a key that is not declared cannot be read.

use std::path::PathBuf;
use std::time::Duration;

use super::layers::config_keys;
use super::value::{
    Choice, Count, Size, Span, Tables, Word, parse_expect_json_syntax, parse_header_syntax,
    parse_regex_syntax, parse_since_syntax,
};

use crate::choices::{
    Encoding, EndpointMethod, IgnorePreset, IpFamily, Mode, QueryStrings, RevalidateMethod,
    RunStep, TransportChoice, Variant, Via,
};

/// Where Redis is when nothing says otherwise (as redis-cli assumes).
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";
/// The channel the pods subscribe to when nothing says otherwise.
pub const DEFAULT_CHANNEL: &str = "revalidate";
/// The app the agent revalidates when nothing says otherwise: Next.js's default port.
pub const DEFAULT_TARGET: &str = "http://127.0.0.1:3000";

config_keys! {
    /// A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000
    pods: Vec<Word> = "pods" {
        flag: "--pod", value_name: "[NAME=]URL", env: "REVALIDATE_PODS", display: Urls,
    }
    /// A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate
    /// pods -o json`; "-" reads stdin
    pods_file: PathBuf = "pods_file" {
        flag: "--pods-file", value_name: "FILE", env: "REVALIDATE_PODS_FILE",
    }
    /// Requests in flight at once, over all pods
    concurrency: Count<1, 4096> = "concurrency" {
        flag: "--concurrency", value_name: "N", env: "REVALIDATE_CONCURRENCY", default: Count(32),
    }
    /// Requests in flight at once to any one pod
    per_pod_concurrency: Count<1, 1024> = "per_pod_concurrency" {
        flag: "--per-pod-concurrency", value_name: "N", env: "REVALIDATE_PER_POD_CONCURRENCY",
        default: Count(4),
    }
    /// Timeout of one request, e.g. 500ms, 10s, 2m
    timeout: Span = "timeout" {
        flag: "--timeout", value_name: "DURATION", env: "REVALIDATE_TIMEOUT",
        default: Span(Duration::from_secs(10)),
    }
    /// Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses)
    retries: Count<0, 20> = "retries" {
        flag: "--retries", value_name: "N", env: "REVALIDATE_RETRIES", default: Count(2),
    }
    /// Deadline for the whole command; unfinished requests are reported as cancelled
    deadline: Span = "deadline" {
        flag: "--deadline", value_name: "DURATION", env: "REVALIDATE_DEADLINE", unset: "none",
    }
    /// Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol's
    /// limit is 50MiB); a larger one ends the command before anything is sent
    sitemap_max_body: Size = "sitemap.max_body" {
        flag: "--sitemap-max-body", value_name: "SIZE", env: "REVALIDATE_SITEMAP_MAX_BODY",
        default: Size(50 << 20),
    }
    /// How each pod is told to revalidate
    mode: Choice<Mode> = "mode" {
        flag: "--mode", env: "REVALIDATE_MODE", default: Choice(Mode::Nextjs),
    }
    /// nextjs mode: request method; HEAD regenerates without sending the page back
    method: Choice<RevalidateMethod> = "method" {
        flag: "--method", default: Choice(RevalidateMethod::Head),
    }
    /// nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)
    only_generated: bool = "only_generated" {
        flag: "--only-generated", default: false,
    }
    /// Do not count gone pages (404: deleted content or unknown route) as failures
    allow_gone: bool = "allow_gone" {
        flag: "--allow-gone", default: false,
    }
    /// nextjs mode: file holding the previewModeId, or the app's .next/prerender-manifest.json (or
    /// the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself
    preview_id_file: PathBuf = "preview_id_file" {
        flag: "--preview-id-file", value_name: "FILE", env: "REVALIDATE_PREVIEW_ID_FILE",
    }
    /// A request header 'Name: value' sent to every pod, in both modes (repeatable); ${ENV_VAR} in
    /// the value is expanded, so secrets stay off the command line and out of every output
    headers: Vec<String> = "headers" {
        flag: "--header", short: 'H', value_name: "'NAME: VALUE'", display: Headers,
        check: parse_header_syntax,
    }
    /// endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a
    /// query value, e.g. '/api/revalidate?path={path}'
    endpoint_template: String = "endpoint.template" {
        flag: "--endpoint", value_name: "TEMPLATE", env: "REVALIDATE_ENDPOINT", display: Template,
    }
    /// The route that revalidates a cache tag on each pod (a route handler calling
    /// revalidateTag); {tag} is replaced by the tag, encoded for where it lands, e.g.
    /// '/api/revalidate-tag?tag={tag}'. Taken in both modes (nextjs mode has no header for tags);
    /// in endpoint mode, --endpoint serves tags too when it holds {tag}
    endpoint_tag_template: String = "endpoint.tag_template" {
        flag: "--tag-endpoint", value_name: "TEMPLATE", env: "REVALIDATE_TAG_ENDPOINT", display: Template,
    }
    /// endpoint mode: request method
    endpoint_method: Choice<EndpointMethod> = "endpoint.method" {
        flag: "--endpoint-method", default: Choice(EndpointMethod::Get),
    }
    /// Headers of endpoint-mode requests only (in addition to `headers`).
    endpoint_headers: Vec<String> = "endpoint.headers" {
        display: Headers, check: parse_header_syntax,
    }
    /// endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR}
    /// expands
    endpoint_body: String = "endpoint.body" {
        flag: "--body", value_name: "TEMPLATE", display: Template,
    }
    /// endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g.
    /// revalidated=true
    endpoint_expect_json: String = "endpoint.expect_json" {
        flag: "--expect-json", value_name: "KEY=VALUE", check: parse_expect_json_syntax,
    }
    /// Replace every match of REGEX with a fixed token before hashing (repeatable)
    verify_ignore: Vec<String> = "verify.ignore" {
        flag: "--ignore", value_name: "REGEX", check: parse_regex_syntax,
    }
    /// Built-in normalisations: timestamps, nonces (repeatable)
    verify_ignore_presets: Vec<Choice<IgnorePreset>> = "verify.ignore_presets" {
        flag: "--ignore-preset", value_name: "PRESET",
    }
    /// Hash only the first capture group of REGEX (e.g. the <main> element)
    verify_select: String = "verify.select" {
        flag: "--select", value_name: "REGEX", check: parse_regex_syntax,
    }
    /// Largest body read from one response; a larger one is an error for that cell
    verify_max_body: Size = "verify.max_body" {
        flag: "--max-body", value_name: "SIZE", default: Size(32 << 20),
    }
    /// Every pod must answer this status, e.g. 404 after a page was deleted
    verify_expect_status: Count<100, 599> = "verify.expect_status" {
        flag: "--expect-status", value_name: "CODE", unset: "200",
    }
    /// Every pod must show this text (e.g. the new title)
    verify_expect_contains: String = "verify.expect_contains" {
        flag: "--expect-contains", value_name: "TEXT",
    }
    /// Every pod's body must match this regular expression
    verify_expect_regex: String = "verify.expect_regex" {
        flag: "--expect-regex", value_name: "REGEX", check: parse_regex_syntax,
    }
    /// Compare with a snapshot written earlier by `verify --save FILE`
    verify_baseline: PathBuf = "verify.baseline" {
        flag: "--baseline", value_name: "FILE",
    }
    /// verify --baseline: every pod must now differ from the baseline (the content changed); run:
    /// a page regenerated unchanged fails the run (exit 4) instead of a warning
    verify_expect_changed: bool = "verify.expect_changed" {
        flag: "--expect-changed", default: false,
    }
    /// Write a snapshot of what every pod serves now, for a later --baseline
    verify_save: PathBuf = "verify.save" {
        flag: "--save", value_name: "FILE",
    }
    /// A request header 'Name: value' sent with every fetch (repeatable); ${ENV_VAR} expands
    verify_headers: Vec<String> = "verify.headers" {
        flag: "--header", short: 'H', value_name: "'NAME: VALUE'", display: Headers,
        check: parse_header_syntax,
    }
    /// Re-check what is not fresh yet, with backoff (250ms to 5s), for up to DURATION
    verify_wait: Span = "verify.wait" {
        flag: "--wait", value_name: "DURATION",
    }
    /// Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp
    /// per generation will look different on every pod
    verify_etag: bool = "verify.etag" {
        flag: "--etag", default: false,
    }
    /// Also fetch each path through this URL (load balancer or CDN), --samples times
    verify_through: String = "verify.through" {
        flag: "--through", value_name: "URL", display: Urls,
    }
    /// Requests per path and per encoding through --through
    verify_samples: Count<1, 10000> = "verify.samples" {
        flag: "--samples", value_name: "N", default: Count(10),
    }
    /// --through: the Accept-Encoding variants to sample, each cached apart by a CDN
    verify_encodings: Vec<Choice<Encoding>> = "verify.encodings" {
        flag: "--encodings", value_name: "ENCODING",
        default: vec![
            Choice(Encoding::Identity),
            Choice(Encoding::Gzip),
            Choice(Encoding::Br),
        ],
    }

    /// What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate)
    /// with it, comma-separated: html (the page itself, always), data (the Pages Router data
    /// JSON), rsc and prefetch (the App Router payloads)
    variants: Vec<Choice<Variant>> = "variants" {
        flag: "--variants", value_name: "VARIANT",
        unset: "every variant each page has, read from the page",
    }

    // run: the whole pipeline (`[run]`).
    /// The steps to run, comma-separated, in this order: revalidate (every pod regenerates each
    /// page), verify (every pod proven fresh against the run's snapshot), cdn (the CDN cleared of
    /// the pages proven fresh), edge (each page and its variants proven fresh through --edge)
    run_steps: Vec<Choice<RunStep>> = "run.steps" {
        flag: "--steps", value_name: "STEP",
        default: vec![
            Choice(RunStep::Revalidate),
            Choice(RunStep::Verify),
            Choice(RunStep::Cdn),
            Choice(RunStep::Edge),
        ],
    }
    /// How the pods are told to revalidate: direct (call every pod), redis (publish on their
    /// channel), both, or auto (Redis when redis.url is set, falling back to direct when Redis is
    /// unreachable or reaches fewer pods than were found)
    run_via: Choice<Via> = "run.via" {
        flag: "--via", value_name: "HOW", env: "REVALIDATE_VIA", default: Choice(Via::Auto),
    }
    /// The site through its CDN (e.g. https://www.example.com): once the CDN is cleared, each
    /// page and every variant a browser fetches is proven fresh there
    run_edge: String = "run.edge" {
        flag: "--edge", value_name: "URL", env: "REVALIDATE_EDGE", display: Urls,
    }
    /// Clear the CDN even of pages not proven fresh on every pod (it may cache their stale copies
    /// again)
    run_force_cdn: bool = "run.force_cdn" {
        flag: "--force-cdn", default: false,
    }
    /// How long to re-check pods (and the edge) not proven fresh yet, with backoff (250ms to 5s)
    run_wait: Span = "run.wait" {
        flag: "--wait", value_name: "DURATION", default: Span(Duration::from_secs(30)),
    }

    // serve ([serve]): the endpoint a CMS button or webhook calls.
    /// The address to listen on, HOST:PORT (0.0.0.0:8787 to take calls from other hosts)
    serve_listen: String = "serve.listen" {
        flag: "--listen", value_name: "ADDR", env: "REVALIDATE_SERVE_LISTEN",
        default: String::from("127.0.0.1:8787"),
    }
    /// A PEM certificate chain: serve HTTPS (with --tls-key)
    serve_tls_cert: PathBuf = "serve.tls_cert" {
        flag: "--tls-cert", value_name: "FILE", env: "REVALIDATE_SERVE_TLS_CERT",
    }
    /// The PEM private key of --tls-cert
    serve_tls_key: PathBuf = "serve.tls_key" {
        flag: "--tls-key", value_name: "FILE", env: "REVALIDATE_SERVE_TLS_KEY",
    }
    /// Runs at once (a path is never in two at once)
    serve_max_runs: Count<1, 64> = "serve.max_runs" {
        flag: "--max-runs", value_name: "N", default: Count(2),
    }
    /// Paths waiting for a run, at most; past it a request is answered 503 with Retry-After
    serve_queue: Count<1, 1000000> = "serve.queue" {
        flag: "--queue", value_name: "N", default: Count(10000),
    }
    /// The longest a request with ?wait=true is held (?timeout= asks for less); then 504, and
    /// the job goes on
    serve_max_wait: Span = "serve.max_wait" {
        flag: "--max-wait", value_name: "DURATION", default: Span(Duration::from_secs(300)),
    }
    /// The largest request body taken; a larger one is answered 413
    serve_max_request: Size = "serve.max_request" {
        flag: "--max-request", value_name: "SIZE", default: Size(1 << 20),
    }
    /// On SIGTERM, how long running jobs may take to finish (new requests get 503; with Redis,
    /// jobs not started stay in the stream for another replica)
    serve_grace: Span = "serve.grace" {
        flag: "--grace", value_name: "DURATION", default: Span(Duration::from_secs(30)),
    }
    /// Finished jobs kept for /api/jobs and the status page
    serve_keep_jobs: Count<1, 100000> = "serve.keep_jobs" {
        flag: "--keep-jobs", value_name: "N", default: Count(200),
    }
    /// With Redis configured (redis.url): the stream accepted jobs are kept in, read by every
    /// replica through one consumer group
    serve_stream: String = "serve.stream" {
        flag: "--jobs-stream", value_name: "KEY", env: "REVALIDATE_SERVE_STREAM",
        default: String::from("revalidate:serve:jobs"),
    }
    /// This replica's name in the consumer group (a pod's name survives its restarts)
    serve_consumer: String = "serve.consumer" {
        flag: "--consumer", value_name: "NAME", env: "REVALIDATE_SERVE_CONSUMER",
        unset: "$HOSTNAME, else the host's name",
    }
    /// A job another replica took and has not touched for this long is claimed (its replica is
    /// taken for dead)
    serve_claim_after: Span = "serve.claim_after" {
        flag: "--claim-after", value_name: "DURATION", default: Span(Duration::from_secs(60)),
    }

    // CI reports ([ci]): the outputs CI systems read, beside stdout's result.
    /// Also write a JUnit XML report to FILE (a test case per path and step), for the test
    /// reports of GitLab, Jenkins, Buildkite and GitHub; a file that cannot be written is exit 1
    /// (unless the run failed otherwise)
    ci_junit: PathBuf = "ci.junit" {
        flag: "--junit", value_name: "FILE", env: "REVALIDATE_JUNIT",
    }
    /// GitHub Actions: append a Markdown summary of the run to $GITHUB_STEP_SUMMARY and print
    /// ::error and ::warning annotations (on stderr) for failed steps and paths
    ci_github: bool = "ci.github" {
        flag: "--github", env: "REVALIDATE_GITHUB", unset: "on when GITHUB_ACTIONS=true",
    }

    // cdn: CloudFront invalidation, HTTP PURGE and Cloudflare (`[cdn]`).
    /// The CloudFront distribution id, e.g. E2QWRUHAPOMQZL
    cdn_distribution: String = "cdn.distribution" {
        flag: "--distribution", value_name: "ID", env: "REVALIDATE_CDN_DISTRIBUTION",
    }
    /// The AWS shared config profile
    cdn_aws_profile: String = "cdn.aws_profile" {
        flag: "--aws-profile", value_name: "NAME", unset: "AWS_PROFILE, else the default chain",
    }
    /// Another CloudFront API endpoint, e.g. an emulator
    cdn_endpoint_url: String = "cdn.endpoint_url" {
        flag: "--endpoint-url", value_name: "URL", env: "AWS_ENDPOINT_URL_CLOUDFRONT",
        display: Urls,
    }
    /// Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id
    /// from every pod's page (--pod, --pods-file) or from --build-id-file
    cdn_next_data: String = "cdn.next_data" {
        flag: "--next-data", value_name: "BUILD_ID|auto",
    }
    /// --next-data auto: read the build id from this file (the app's .next/BUILD_ID)
    cdn_build_id_file: PathBuf = "cdn.build_id_file" {
        flag: "--build-id-file", value_name: "FILE",
    }
    /// Whether the distribution caches on query strings: drop them from the paths, or keep them
    cdn_query_strings: Choice<QueryStrings> = "cdn.query_strings" {
        flag: "--query-strings", value_name: "WHAT", default: Choice(QueryStrings::Drop),
    }
    /// Replace more than N paths under one directory with DIRECTORY/* (deepest first)
    cdn_coalesce: Count<1, 3000> = "cdn.coalesce" {
        flag: "--coalesce", value_name: "N",
    }
    /// At most N wildcard paths in the plan
    cdn_max_wildcards: Count<0, 15> = "cdn.max_wildcards" {
        flag: "--max-wildcards", value_name: "N", default: Count(15),
    }
    /// Paths per CreateInvalidation, at most 3000
    cdn_batch_size: Count<1, 3000> = "cdn.batch_size" {
        flag: "--batch-size", value_name: "N", default: Count(3000),
    }
    /// Free invalidation paths the account has left this month, for the cost estimate
    cdn_free_paths_left: Count<0, 1000000> = "cdn.free_paths_left" {
        flag: "--free-paths-left", value_name: "N", unset: "unknown: every path is counted",
    }
    /// Names this run in every CallerReference: a retry with the same run id gets its invalidations
    /// back instead of paying twice
    cdn_run_id: String = "cdn.run_id" {
        flag: "--run-id", value_name: "ID", env: "REVALIDATE_RUN_ID",
        unset: "the CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run",
    }
    /// Use this CallerReference (suffixed -1, -2, ... when there are several batches)
    cdn_caller_reference: String = "cdn.caller_reference" {
        flag: "--caller-reference", value_name: "REF",
    }
    /// Wait until every invalidation completes (exit 3 at --wait-timeout, naming those in progress)
    cdn_wait: bool = "cdn.wait" {
        flag: "--wait", default: false,
    }
    /// How long to wait on CloudFront (for room under its in-progress limits, through retries,
    /// for completion) or on Cloudflare's 429 Retry-After
    cdn_wait_timeout: Span = "cdn.wait_timeout" {
        flag: "--wait-timeout", value_name: "DURATION", default: Span(Duration::from_secs(20 * 60)),
    }
    /// First interval between polls and retries; each poll waits 10% longer
    cdn_poll_min: Span = "cdn.poll_min" {
        flag: "--poll-min", value_name: "DURATION", default: Span(Duration::from_secs(1)),
    }
    /// Longest interval between polls
    cdn_poll_max: Span = "cdn.poll_max" {
        flag: "--poll-max", value_name: "DURATION", default: Span(Duration::from_secs(10)),
    }
    /// How many invalidations to list
    cdn_list_limit: Count<1, 1000> = "cdn.list_limit" {
        flag: "--limit", value_name: "N", default: Count(20),
    }
    /// A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g.
    /// varnish=http://10.0.0.9:6081
    cdn_purge_urls: Vec<Word> = "cdn.purge_urls" {
        flag: "--purge-url", value_name: "[NAME=]URL", env: "REVALIDATE_PURGE_URLS", display: Urls,
    }
    /// The purge request's method, e.g. BAN
    cdn_purge_method: String = "cdn.purge_method" {
        flag: "--purge-method", value_name: "METHOD", default: "PURGE".to_string(),
    }
    /// A header 'Name: value' of every purge request (repeatable); ${ENV_VAR} expands, e.g.
    /// 'Fastly-Key: ${FASTLY_KEY}'
    cdn_purge_headers: Vec<String> = "cdn.purge_headers" {
        flag: "--purge-header", short: 'H', value_name: "'NAME: VALUE'", display: Headers,
        check: parse_header_syntax,
    }
    /// A Cloudflare zone id to purge by URL; the API token comes from env CLOUDFLARE_API_TOKEN or
    /// --cloudflare-token-file
    cdn_cloudflare_zone: String = "cdn.cloudflare_zone" {
        flag: "--cloudflare-zone", value_name: "ID", env: "CLOUDFLARE_ZONE_ID",
    }
    /// A file holding the Cloudflare API token
    cdn_cloudflare_token_file: PathBuf = "cdn.cloudflare_token_file" {
        flag: "--cloudflare-token-file", value_name: "FILE",
    }
    /// Cloudflare's API base
    cdn_cloudflare_api_url: String = "cdn.cloudflare_api_url" {
        flag: "--cloudflare-api-url", value_name: "URL", env: "REVALIDATE_CLOUDFLARE_API_URL",
        default: "https://api.cloudflare.com/client/v4".to_string(), display: Urls,
    }
    /// URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise
    cdn_cloudflare_batch_size: Count<1, 500> = "cdn.cloudflare_batch_size" {
        flag: "--cloudflare-batch-size", value_name: "N", default: Count(30),
    }
    /// The site's public origin, e.g. https://www.example.com: --sitemap takes the pages on its
    /// host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs
    cdn_site_url: String = "cdn.site_url" {
        flag: "--site-url", value_name: "URL", env: "REVALIDATE_SITE_URL", display: Urls,
    }

    // Kubernetes ([kubernetes]): where a Service's pods are found and how they are reached.
    /// Every pod of this Service (its EndpointSlices), e.g. web
    k8s_service: String = "kubernetes.service" {
        flag: "--k8s-service", value_name: "NAME", env: "REVALIDATE_K8S_SERVICE",
    }
    /// Every Running and Ready pod with these labels, e.g. app=web
    k8s_selector: String = "kubernetes.selector" {
        flag: "--k8s-selector", value_name: "SELECTOR", env: "REVALIDATE_K8S_SELECTOR",
    }
    /// Every A/AAAA address of a headless Service's name, without API access, e.g.
    /// web-headless.web.svc.cluster.local:3000
    k8s_dns: String = "kubernetes.dns" {
        flag: "--dns", value_name: "NAME:PORT", env: "REVALIDATE_DNS",
    }
    /// The namespace
    k8s_namespace: String = "kubernetes.namespace" {
        flag: "--namespace", short: 'n', value_name: "NAMESPACE", env: "REVALIDATE_K8S_NAMESPACE",
        unset: "the kubeconfig context's (the service account's in a pod), else default",
    }
    /// The kubeconfig context
    k8s_context: String = "kubernetes.context" {
        flag: "--context", value_name: "NAME", env: "REVALIDATE_K8S_CONTEXT",
        unset: "its current-context",
    }
    /// The kubeconfig file
    k8s_kubeconfig: PathBuf = "kubernetes.kubeconfig" {
        flag: "--kubeconfig", value_name: "FILE",
        unset: "KUBECONFIG, else ~/.kube/config, else the in-cluster service account",
    }
    /// The pods' port: a Service or container port name (http) or number (3000)
    k8s_port: String = "kubernetes.port" {
        flag: "--port", value_name: "NAME|NUMBER", env: "REVALIDATE_K8S_PORT",
        unset: "the Service's only port",
    }
    /// Which address of a dual-stack pod to call
    k8s_ip_family: Choice<IpFamily> = "kubernetes.ip_family" {
        flag: "--ip-family", value_name: "FAMILY", default: Choice(IpFamily::Auto),
    }
    /// Also call endpoints that are not ready (serving, terminating), marked as such
    k8s_include_not_ready: bool = "kubernetes.include_not_ready" {
        flag: "--include-not-ready", default: false,
    }
    /// How to reach the pods
    k8s_transport: Choice<TransportChoice> = "kubernetes.transport" {
        flag: "--transport", value_name: "HOW", env: "REVALIDATE_TRANSPORT",
        default: Choice(TransportChoice::Auto),
    }
    /// When pods appear during the run, run the step on them too (until none appear)
    k8s_follow_new_pods: bool = "kubernetes.follow_new_pods" {
        flag: "--follow-new-pods", default: false,
    }
    /// List the pods again at the end of runs that last at least DURATION, to report pods that
    /// appeared (they missed the run) or went away
    k8s_recheck_after: Span = "kubernetes.recheck_after" {
        flag: "--recheck-after", value_name: "DURATION", default: Span(Duration::from_secs(1)),
    }

    // Redis: the connection (issue 8), shared by publish, watch and agent.
    /// Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is
    /// better given by env REDIS_PASSWORD or --redis-password-file
    redis_url: String = "redis.url" {
        flag: "--redis-url", value_name: "URL", env: "REDIS_URL",
        default: String::from(DEFAULT_URL), display: Urls,
    }
    /// A file holding the Redis password (env REDIS_PASSWORD holds the password itself)
    redis_password_file: PathBuf = "redis.password_file" {
        flag: "--redis-password-file", value_name: "FILE", env: "REDIS_PASSWORD_FILE",
    }
    /// rediss://: a PEM file of the CA certificates to trust, instead of the system's roots
    redis_ca: PathBuf = "redis.ca" {
        flag: "--redis-ca", value_name: "FILE", env: "REVALIDATE_REDIS_CA",
    }
    /// Connect and response timeout of every Redis connection
    redis_timeout: Span = "redis.timeout" {
        flag: "--redis-timeout", value_name: "DURATION", env: "REVALIDATE_REDIS_TIMEOUT",
        default: Span(Duration::from_secs(5)),
    }
    /// The channel the pods subscribe to: publish sends there, the agent listens there
    redis_channel: String = "redis.channel" {
        flag: "--channel", value_name: "CHANNEL", env: "REVALIDATE_CHANNEL",
        default: String::from(DEFAULT_CHANNEL),
    }
    /// Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON
    redis_message: String = "redis.message" {
        flag: "--message", value_name: "TEMPLATE",
        unset: r#"{"path":"{path}","timestamp":{timestamp},"id":"{id}"}"#,
    }
    /// Fewer receivers than N is under-delivered (exit 3)
    redis_expect_subscribers: Count<0, 1000000> = "redis.expect_subscribers" {
        flag: "--expect-subscribers", value_name: "N",
        unset: "the number of configured pods, else 1",
    }
    /// First ask PUBSUB NUMSUB, and publish nothing when nobody listens (exit 3)
    redis_check: bool = "redis.check" {
        flag: "--check", default: false,
    }
    /// With --check: publish even when nobody listens
    redis_force: bool = "redis.force" {
        flag: "--force", default: false,
    }
    /// Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent
    /// SSUBSCRIBE), reached through the URL's node
    redis_sharded: bool = "redis.sharded" {
        flag: "--sharded", default: false,
    }
    /// Also use the stream <channel>:stream: publish appends every message to it; the agent reads
    /// it (XREAD BLOCK from the last entry handled), so messages published while its connection
    /// was down are handled after reconnecting
    redis_stream: bool = "redis.stream" {
        flag: "--stream", env: "REVALIDATE_STREAM", default: false,
    }
    /// --stream: keep about N entries (XADD MAXLEN ~ N)
    redis_stream_maxlen: Count<1, 100000000> = "redis.stream_maxlen" {
        flag: "--stream-maxlen", value_name: "N", default: Count(10000),
    }
    /// Do not keep the records <channel>:revalidated and <channel>:revalidated-tags (path or
    /// tag -> time of its latest publish), from which agents started later catch up on every
    /// path and tag changed since their build
    redis_no_record: bool = "redis.no_record" {
        flag: "--no-record", env: "REVALIDATE_NO_RECORD", default: false,
    }
    /// Wait for every expected pod's acknowledgement on <channel>:acks (revalidate agent sends
    /// them)
    redis_wait_acks: bool = "redis.wait_acks" {
        flag: "--wait-acks", default: false,
    }
    /// --wait-acks: how long to wait after publishing
    redis_ack_timeout: Span = "redis.ack_timeout" {
        flag: "--ack-timeout", value_name: "DURATION", default: Span(Duration::from_secs(10)),
    }

    // The agent sidecar (issue 8).
    /// The local app to revalidate
    agent_target: String = "agent.target" {
        flag: "--target", value_name: "URL", env: "REVALIDATE_AGENT_TARGET",
        default: String::from(DEFAULT_TARGET), display: Urls,
    }
    /// This pod's name in acknowledgements
    agent_pod_name: String = "agent.pod_name" {
        flag: "--pod-name", value_name: "NAME", env: "POD_NAME", unset: "the hostname",
    }
    /// Serve /healthz (200 only while subscribed) and /metrics on ADDR, e.g. 127.0.0.1:9102
    agent_health_addr: String = "agent.health_addr" {
        flag: "--health-addr", value_name: "ADDR", env: "REVALIDATE_HEALTH_ADDR",
    }
    /// At start, revalidate what was published in the last DURATION (read from <channel>:stream)
    agent_catch_up: Span = "agent.catch_up" {
        flag: "--catch-up", value_name: "DURATION", env: "REVALIDATE_CATCH_UP",
    }
    /// At start, revalidate every path the record <channel>:revalidated (and, with
    /// --tag-endpoint, every tag <channel>:revalidated-tags) says changed since SINCE, before
    /// /healthz turns 200: "build" (the time of the app's build, from --next-dir),
    /// a duration back from now (e.g. 2h), an RFC 3339 time, or "off"
    agent_catch_up_since: String = "agent.catch_up_since" {
        flag: "--catch-up-since", value_name: "SINCE", env: "REVALIDATE_CATCH_UP_SINCE",
        default: String::from("build"), check: parse_since_syntax,
    }
    /// The catch-up from the record: revalidations in flight at once (the pod is not ready yet,
    /// so it takes no traffic meanwhile)
    agent_catch_up_concurrency: Count<1, 1024> = "agent.catch_up_concurrency" {
        flag: "--catch-up-concurrency", value_name: "N", default: Count(8),
    }
    /// The app's .next directory (its BUILD_ID and manifests date the build); unset, the
    /// directory of --preview-id-file
    agent_next_dir: PathBuf = "agent.next_dir" {
        flag: "--next-dir", value_name: "DIR", env: "REVALIDATE_NEXT_DIR",
    }
    /// A message id handled within this window is skipped
    agent_dedupe_window: Span = "agent.dedupe_window" {
        flag: "--dedupe-window", value_name: "DURATION", default: Span(Duration::from_secs(600)),
    }
    /// How often the agent renews its registration on the channel (`revalidate agents` lists
    /// it); it counts as gone after three missed beats
    agent_heartbeat: Span = "agent.heartbeat" {
        flag: "--heartbeat", value_name: "DURATION", env: "REVALIDATE_HEARTBEAT",
        default: Span(Duration::from_secs(5)),
    }
    /// On SIGTERM, how long the revalidations in flight may take to finish; messages not started
    /// are left to the stream
    agent_grace_period: Span = "agent.grace_period" {
        flag: "--grace-period", value_name: "DURATION", env: "REVALIDATE_GRACE_PERIOD",
        default: Span(Duration::from_secs(10)),
    }

    // serve: the endpoint a CMS button or webhook calls (`[serve]`).
    /// A file holding the secret callers of `serve` must present (env REVALIDATE_SERVE_SECRET
    /// holds the secret itself); at least 16 bytes
    serve_secret_file: PathBuf = "serve.secret_file" {
        flag: "--secret-file", value_name: "FILE", env: "REVALIDATE_SERVE_SECRET_FILE",
    }
    /// How a CMS webhook's payload becomes paths: `[[serve.routes]]` tables, each with a name,
    /// conditions on the payload and its headers (`when`) and path templates (`paths`); only in a
    /// config file
    serve_routes: Tables = "serve.routes" {}
}
