# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_revalidate_global_optspecs
    string join \n c/config= p/profile= o/output= color= q/quiet v/verbose dry-run concurrency= per-pod-concurrency= timeout= retries= deadline= log-format= h/help V/version
end

function __fish_revalidate_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_revalidate_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_revalidate_using_subcommand
    set -l cmd (__fish_revalidate_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c revalidate -n "__fish_revalidate_needs_command" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_needs_command" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_needs_command" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_needs_command" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_needs_command" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_needs_command" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_needs_command" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_needs_command" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "run" -d 'The whole pipeline: revalidate every pod, prove it fresh, clear the CDN, prove the edge'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "serve" -d 'The endpoint a CMS button calls: runs the pipeline, answers 200 only when all is fresh'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "publish" -d 'Publish each path on the pods\' Redis channel and report how many subscribers got it'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "watch" -d 'Subscribe to Redis channels and print every revalidation message as it is published'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "agent" -d 'Run beside the app in every pod: revalidate it on every message and acknowledge'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "agents" -d 'List the agents registered on the channel: live or expired, their build, their last message'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "cdn" -d 'Clear the CDN once the pods are fresh: CloudFront invalidation, HTTP PURGE, Cloudflare'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "doctor" -d 'Check every configured part (pods, build, previewModeId, Redis, CDN, RBAC): OK, WARN or FAIL'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "pods" -d 'List the pods a step would call: found in Kubernetes (or DNS), with how each is reached'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "generate-docs" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l sitemap -d 'A sitemap.xml or sitemap index (gzipped too) whose pages\' paths are taken, from a pod, a public URL or a file (repeatable); <loc>s must be on its host or --site-url\'s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l tag -d 'A cache tag to revalidate (repeatable), through the app\'s tag route (--tag-endpoint, or {tag} in --endpoint); e.g. --tag posts' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l tags-file -d 'A file of cache tags, one a line; blank lines and # comments are skipped; "-" reads stdin (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l verify-paths -d 'With --tag: a file of the pages the tags regenerate, one a line, verified (and cleared from the CDN) but not revalidated by path; --sitemap\'s pages are taken so too (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l steps -d 'The steps to run, comma-separated, in this order: revalidate (every pod regenerates each page), verify (every pod proven fresh against the run\'s snapshot), cdn (the CDN cleared of the pages proven fresh), edge (each page and its variants proven fresh through --edge) [default: revalidate,verify,cdn,edge]' -r -f -a "revalidate\t'Tell every pod to regenerate each page (as fanout or publish do)'
verify\t'Prove every pod fresh (as verify does, against the run\'s own snapshot)'
cdn\t'Clear the CDN of the pages proven fresh (as cdn invalidate and cdn purge do)'
edge\t'Prove the edge fresh: each page and its variants through --edge'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l via -d 'How the pods are told to revalidate: direct (call every pod), redis (publish on their channel), both, or auto (Redis when redis.url is set, falling back to direct when Redis is unreachable or reaches fewer pods than were found) [default: auto] [env: REVALIDATE_VIA]' -r -f -a "direct\t'Call every pod directly (fanout)'
redis\t'Publish on the pods\' Redis channel (publish: receiver counts, or agents\' acknowledgements)'
both\t'Publish, then call every pod directly too'
auto\t'Redis when redis.url is configured, else direct; direct when Redis is unreachable or reaches fewer pods than were found'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l edge -d 'The site through its CDN (e.g. https://www.example.com): once the CDN is cleared, each page and every variant a browser fetches is proven fresh there [env: REVALIDATE_EDGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l wait -d 'How long to re-check pods (and the edge) not proven fresh yet, with backoff (250ms to 5s) [default: 30s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l mode -d 'How each pod is told to revalidate [default: nextjs] [env: REVALIDATE_MODE]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l method -d 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l preview-id-file -d 'nextjs mode: file holding the previewModeId, or the app\'s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself [env: REVALIDATE_PREVIEW_ID_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l endpoint -d 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. \'/api/revalidate?path={path}\' [env: REVALIDATE_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l tag-endpoint -d 'The route that revalidates a cache tag on each pod (a route handler calling revalidateTag); {tag} is replaced by the tag, encoded for where it lands, e.g. \'/api/revalidate-tag?tag={tag}\'. Taken in both modes (nextjs mode has no header for tags); in endpoint mode, --endpoint serves tags too when it holds {tag} [env: REVALIDATE_TAG_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s H -l header -d 'A request header \'Name: value\' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l expect-contains -d 'Every pod must show this text (e.g. the new title)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l expect-regex -d 'Every pod\'s body must match this regular expression' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l expect-status -d 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l ignore -d 'Replace every match of REGEX with a fixed token before hashing (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l ignore-preset -d 'Built-in normalisations: timestamps, nonces (repeatable)' -r -f -a "timestamps\t'ISO 8601 date-times and epoch-millisecond numbers in JSON fields (content date-times, such as an event\'s start, are hidden too: check those with --expect-contains)'
nonces\t'nonce="..." attributes (CSP nonces)'
nextjs\t'What Next.js renders from the request rather than the content: the `?_rsc=` query an App Router page\'s router tree names after a pod regenerated it through an RSC request'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l select -d 'Hash only the first capture group of REGEX (e.g. the <main> element)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l max-body -d 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l variants -d 'What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate) with it, comma-separated: html (the page itself, always), data (the Pages Router data JSON), rsc and prefetch (the App Router payloads) [default: every variant each page has, read from the page]' -r -f -a "html\t'The page itself (always checked: the others are found in it)'
data\t'Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it'
rsc\t'App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)'
prefetch\t'App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l samples -d 'Requests per path and per encoding through --through [default: 10]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l encodings -d '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]' -r -f -a "identity\t''
gzip\t''
br\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l channel -d 'The channel the pods subscribe to: publish sends there, the agent listens there [default: revalidate] [env: REVALIDATE_CHANNEL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l message -d 'Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l expect-subscribers -d 'Fewer receivers than N is under-delivered (exit 3) [default: the number of configured pods, else 1]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l stream-maxlen -d '--stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l ack-timeout -d '--wait-acks: how long to wait after publishing [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l query-strings -d 'Whether the distribution caches on query strings: drop them from the paths, or keep them [default: drop]' -r -f -a "drop\t'The distribution does not cache on query strings: invalidate the path without it'
keep\t'The distribution caches on query strings: invalidate each path with its query string'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l coalesce -d 'Replace more than N paths under one directory with DIRECTORY/* (deepest first)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l max-wildcards -d 'At most N wildcard paths in the plan [default: 15]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l batch-size -d 'Paths per CreateInvalidation, at most 3000 [default: 3000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l free-paths-left -d 'Free invalidation paths the account has left this month, for the cost estimate [default: unknown: every path is counted]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l run-id -d 'Names this run in every CallerReference: a retry with the same run id gets its invalidations back instead of paying twice [default: the CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run] [env: REVALIDATE_RUN_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l caller-reference -d 'Use this CallerReference (suffixed -1, -2, ... when there are several batches)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l next-data -d 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod\'s page (--pod, --pods-file) or from --build-id-file' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l build-id-file -d '--next-data auto: read the build id from this file (the app\'s .next/BUILD_ID)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l wait-timeout -d 'How long to wait on CloudFront (for room under its in-progress limits, through retries, for completion) or on Cloudflare\'s 429 Retry-After [default: 20m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l poll-min -d 'First interval between polls and retries; each poll waits 10% longer [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l poll-max -d 'Longest interval between polls [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l purge-url -d 'A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g. varnish=http://10.0.0.9:6081 [env: REVALIDATE_PURGE_URLS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l purge-method -d 'The purge request\'s method, e.g. BAN [default: PURGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l purge-header -d 'A header \'Name: value\' of every purge request (repeatable); ${ENV_VAR} expands, e.g. \'Fastly-Key: ${FASTLY_KEY}\'' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l cloudflare-zone -d 'A Cloudflare zone id to purge by URL; the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file [env: CLOUDFLARE_ZONE_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l cloudflare-token-file -d 'A file holding the Cloudflare API token' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l cloudflare-api-url -d 'Cloudflare\'s API base [default: https://api.cloudflare.com/client/v4] [env: REVALIDATE_CLOUDFLARE_API_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l cloudflare-batch-size -d 'URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise [default: 30]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l junit -d 'Also write a JUnit XML report to FILE (a test case per path and step), for the test reports of GitLab, Jenkins, Buildkite and GitHub; a file that cannot be written is exit 1 (unless the run failed otherwise) [env: REVALIDATE_JUNIT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l expect-changed -d 'verify --baseline: every pod must now differ from the baseline (the content changed); run: a page regenerated unchanged fails the run (exit 4) instead of a warning'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l force-cdn -d 'Clear the CDN even of pages not proven fresh on every pod (it may cache their stale copies again)'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l stream -d 'Also use the stream <channel>:stream: publish appends every message to it; the agent reads it (XREAD BLOCK from the last entry handled), so messages published while its connection was down are handled after reconnecting [env: REVALIDATE_STREAM]'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l no-record -d 'Do not keep the records <channel>:revalidated and <channel>:revalidated-tags (path or tag -> time of its latest publish), from which agents started later catch up on every path and tag changed since their build [env: REVALIDATE_NO_RECORD]'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l wait-acks -d 'Wait for every expected pod\'s acknowledgement on <channel>:acks (revalidate agent sends them)'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l github -d 'GitHub Actions: append a Markdown summary of the run to $GITHUB_STEP_SUMMARY and print ::error and ::warning annotations (on stderr) for failed steps and paths [default: on when GITHUB_ACTIONS=true] [env: REVALIDATE_GITHUB]'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand run" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l listen -d 'The address to listen on, HOST:PORT (0.0.0.0:8787 to take calls from other hosts) [default: 127.0.0.1:8787] [env: REVALIDATE_SERVE_LISTEN]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l secret-file -d 'A file holding the secret callers of `serve` must present (env REVALIDATE_SERVE_SECRET holds the secret itself); at least 16 bytes [env: REVALIDATE_SERVE_SECRET_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l tls-cert -d 'A PEM certificate chain: serve HTTPS (with --tls-key) [env: REVALIDATE_SERVE_TLS_CERT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l tls-key -d 'The PEM private key of --tls-cert [env: REVALIDATE_SERVE_TLS_KEY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l max-runs -d 'Runs at once (a path is never in two at once) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l queue -d 'Paths waiting for a run, at most; past it a request is answered 503 with Retry-After [default: 10000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l max-wait -d 'The longest a request with ?wait=true is held (?timeout= asks for less); then 504, and the job goes on [default: 5m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l max-request -d 'The largest request body taken; a larger one is answered 413 [default: 1MiB]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l grace -d 'On SIGTERM, how long running jobs may take to finish (new requests get 503; with Redis, jobs not started stay in the stream for another replica) [default: 30s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l keep-jobs -d 'Finished jobs kept for /api/jobs and the status page [default: 200]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l jobs-stream -d 'With Redis configured (redis.url): the stream accepted jobs are kept in, read by every replica through one consumer group [default: revalidate:serve:jobs] [env: REVALIDATE_SERVE_STREAM]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l consumer -d 'This replica\'s name in the consumer group (a pod\'s name survives its restarts) [default: $HOSTNAME, else the host\'s name] [env: REVALIDATE_SERVE_CONSUMER]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l claim-after -d 'A job another replica took and has not touched for this long is claimed (its replica is taken for dead) [default: 1m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l steps -d 'The steps to run, comma-separated, in this order: revalidate (every pod regenerates each page), verify (every pod proven fresh against the run\'s snapshot), cdn (the CDN cleared of the pages proven fresh), edge (each page and its variants proven fresh through --edge) [default: revalidate,verify,cdn,edge]' -r -f -a "revalidate\t'Tell every pod to regenerate each page (as fanout or publish do)'
verify\t'Prove every pod fresh (as verify does, against the run\'s own snapshot)'
cdn\t'Clear the CDN of the pages proven fresh (as cdn invalidate and cdn purge do)'
edge\t'Prove the edge fresh: each page and its variants through --edge'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l via -d 'How the pods are told to revalidate: direct (call every pod), redis (publish on their channel), both, or auto (Redis when redis.url is set, falling back to direct when Redis is unreachable or reaches fewer pods than were found) [default: auto] [env: REVALIDATE_VIA]' -r -f -a "direct\t'Call every pod directly (fanout)'
redis\t'Publish on the pods\' Redis channel (publish: receiver counts, or agents\' acknowledgements)'
both\t'Publish, then call every pod directly too'
auto\t'Redis when redis.url is configured, else direct; direct when Redis is unreachable or reaches fewer pods than were found'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l edge -d 'The site through its CDN (e.g. https://www.example.com): once the CDN is cleared, each page and every variant a browser fetches is proven fresh there [env: REVALIDATE_EDGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l wait -d 'How long to re-check pods (and the edge) not proven fresh yet, with backoff (250ms to 5s) [default: 30s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l mode -d 'How each pod is told to revalidate [default: nextjs] [env: REVALIDATE_MODE]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l method -d 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l preview-id-file -d 'nextjs mode: file holding the previewModeId, or the app\'s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself [env: REVALIDATE_PREVIEW_ID_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l endpoint -d 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. \'/api/revalidate?path={path}\' [env: REVALIDATE_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l tag-endpoint -d 'The route that revalidates a cache tag on each pod (a route handler calling revalidateTag); {tag} is replaced by the tag, encoded for where it lands, e.g. \'/api/revalidate-tag?tag={tag}\'. Taken in both modes (nextjs mode has no header for tags); in endpoint mode, --endpoint serves tags too when it holds {tag} [env: REVALIDATE_TAG_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s H -l header -d 'A request header \'Name: value\' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l expect-contains -d 'Every pod must show this text (e.g. the new title)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l expect-regex -d 'Every pod\'s body must match this regular expression' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l expect-status -d 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l ignore -d 'Replace every match of REGEX with a fixed token before hashing (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l ignore-preset -d 'Built-in normalisations: timestamps, nonces (repeatable)' -r -f -a "timestamps\t'ISO 8601 date-times and epoch-millisecond numbers in JSON fields (content date-times, such as an event\'s start, are hidden too: check those with --expect-contains)'
nonces\t'nonce="..." attributes (CSP nonces)'
nextjs\t'What Next.js renders from the request rather than the content: the `?_rsc=` query an App Router page\'s router tree names after a pod regenerated it through an RSC request'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l select -d 'Hash only the first capture group of REGEX (e.g. the <main> element)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l max-body -d 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l variants -d 'What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate) with it, comma-separated: html (the page itself, always), data (the Pages Router data JSON), rsc and prefetch (the App Router payloads) [default: every variant each page has, read from the page]' -r -f -a "html\t'The page itself (always checked: the others are found in it)'
data\t'Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it'
rsc\t'App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)'
prefetch\t'App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l samples -d 'Requests per path and per encoding through --through [default: 10]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l encodings -d '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]' -r -f -a "identity\t''
gzip\t''
br\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l channel -d 'The channel the pods subscribe to: publish sends there, the agent listens there [default: revalidate] [env: REVALIDATE_CHANNEL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l message -d 'Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l expect-subscribers -d 'Fewer receivers than N is under-delivered (exit 3) [default: the number of configured pods, else 1]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l stream-maxlen -d '--stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l ack-timeout -d '--wait-acks: how long to wait after publishing [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l query-strings -d 'Whether the distribution caches on query strings: drop them from the paths, or keep them [default: drop]' -r -f -a "drop\t'The distribution does not cache on query strings: invalidate the path without it'
keep\t'The distribution caches on query strings: invalidate each path with its query string'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l coalesce -d 'Replace more than N paths under one directory with DIRECTORY/* (deepest first)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l max-wildcards -d 'At most N wildcard paths in the plan [default: 15]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l batch-size -d 'Paths per CreateInvalidation, at most 3000 [default: 3000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l free-paths-left -d 'Free invalidation paths the account has left this month, for the cost estimate [default: unknown: every path is counted]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l run-id -d 'Names this run in every CallerReference: a retry with the same run id gets its invalidations back instead of paying twice [default: the CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run] [env: REVALIDATE_RUN_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l caller-reference -d 'Use this CallerReference (suffixed -1, -2, ... when there are several batches)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l next-data -d 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod\'s page (--pod, --pods-file) or from --build-id-file' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l build-id-file -d '--next-data auto: read the build id from this file (the app\'s .next/BUILD_ID)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l wait-timeout -d 'How long to wait on CloudFront (for room under its in-progress limits, through retries, for completion) or on Cloudflare\'s 429 Retry-After [default: 20m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l poll-min -d 'First interval between polls and retries; each poll waits 10% longer [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l poll-max -d 'Longest interval between polls [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l purge-url -d 'A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g. varnish=http://10.0.0.9:6081 [env: REVALIDATE_PURGE_URLS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l purge-method -d 'The purge request\'s method, e.g. BAN [default: PURGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l purge-header -d 'A header \'Name: value\' of every purge request (repeatable); ${ENV_VAR} expands, e.g. \'Fastly-Key: ${FASTLY_KEY}\'' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l cloudflare-zone -d 'A Cloudflare zone id to purge by URL; the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file [env: CLOUDFLARE_ZONE_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l cloudflare-token-file -d 'A file holding the Cloudflare API token' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l cloudflare-api-url -d 'Cloudflare\'s API base [default: https://api.cloudflare.com/client/v4] [env: REVALIDATE_CLOUDFLARE_API_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l cloudflare-batch-size -d 'URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise [default: 30]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l expect-changed -d 'verify --baseline: every pod must now differ from the baseline (the content changed); run: a page regenerated unchanged fails the run (exit 4) instead of a warning'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l force-cdn -d 'Clear the CDN even of pages not proven fresh on every pod (it may cache their stale copies again)'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l stream -d 'Also use the stream <channel>:stream: publish appends every message to it; the agent reads it (XREAD BLOCK from the last entry handled), so messages published while its connection was down are handled after reconnecting [env: REVALIDATE_STREAM]'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l no-record -d 'Do not keep the records <channel>:revalidated and <channel>:revalidated-tags (path or tag -> time of its latest publish), from which agents started later catch up on every path and tag changed since their build [env: REVALIDATE_NO_RECORD]'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l wait-acks -d 'Wait for every expected pod\'s acknowledgement on <channel>:acks (revalidate agent sends them)'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand serve" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l sitemap -d 'A sitemap.xml or sitemap index (gzipped too) whose pages\' paths are taken, from a pod, a public URL or a file (repeatable); <loc>s must be on its host or --site-url\'s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l tag -d 'A cache tag to revalidate (repeatable), through the app\'s tag route (--tag-endpoint, or {tag} in --endpoint); e.g. --tag posts' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l tags-file -d 'A file of cache tags, one a line; blank lines and # comments are skipped; "-" reads stdin (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l mode -d 'How each pod is told to revalidate [default: nextjs] [env: REVALIDATE_MODE]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l method -d 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l preview-id-file -d 'nextjs mode: file holding the previewModeId, or the app\'s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself [env: REVALIDATE_PREVIEW_ID_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l endpoint -d 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. \'/api/revalidate?path={path}\' [env: REVALIDATE_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l tag-endpoint -d 'The route that revalidates a cache tag on each pod (a route handler calling revalidateTag); {tag} is replaced by the tag, encoded for where it lands, e.g. \'/api/revalidate-tag?tag={tag}\'. Taken in both modes (nextjs mode has no header for tags); in endpoint mode, --endpoint serves tags too when it holds {tag} [env: REVALIDATE_TAG_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s H -l header -d 'A request header \'Name: value\' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l junit -d 'Also write a JUnit XML report to FILE (a test case per path and step), for the test reports of GitLab, Jenkins, Buildkite and GitHub; a file that cannot be written is exit 1 (unless the run failed otherwise) [env: REVALIDATE_JUNIT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l github -d 'GitHub Actions: append a Markdown summary of the run to $GITHUB_STEP_SUMMARY and print ::error and ::warning annotations (on stderr) for failed steps and paths [default: on when GITHUB_ACTIONS=true] [env: REVALIDATE_GITHUB]'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l sitemap -d 'A sitemap.xml or sitemap index (gzipped too) whose pages\' paths are taken, from a pod, a public URL or a file (repeatable); <loc>s must be on its host or --site-url\'s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l ignore -d 'Replace every match of REGEX with a fixed token before hashing (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l ignore-preset -d 'Built-in normalisations: timestamps, nonces (repeatable)' -r -f -a "timestamps\t'ISO 8601 date-times and epoch-millisecond numbers in JSON fields (content date-times, such as an event\'s start, are hidden too: check those with --expect-contains)'
nonces\t'nonce="..." attributes (CSP nonces)'
nextjs\t'What Next.js renders from the request rather than the content: the `?_rsc=` query an App Router page\'s router tree names after a pod regenerated it through an RSC request'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l select -d 'Hash only the first capture group of REGEX (e.g. the <main> element)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l max-body -d 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-contains -d 'Every pod must show this text (e.g. the new title)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-regex -d 'Every pod\'s body must match this regular expression' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-status -d 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l baseline -d 'Compare with a snapshot written earlier by `verify --save FILE`' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l save -d 'Write a snapshot of what every pod serves now, for a later --baseline' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l wait -d 'Re-check what is not fresh yet, with backoff (250ms to 5s), for up to DURATION' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l through -d 'Also fetch each path through this URL (load balancer or CDN), --samples times' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l samples -d 'Requests per path and per encoding through --through [default: 10]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l encodings -d '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]' -r -f -a "identity\t''
gzip\t''
br\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l variants -d 'What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate) with it, comma-separated: html (the page itself, always), data (the Pages Router data JSON), rsc and prefetch (the App Router payloads) [default: every variant each page has, read from the page]' -r -f -a "html\t'The page itself (always checked: the others are found in it)'
data\t'Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it'
rsc\t'App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)'
prefetch\t'App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s H -l header -d 'A request header \'Name: value\' sent with every fetch (repeatable); ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l junit -d 'Also write a JUnit XML report to FILE (a test case per path and step), for the test reports of GitLab, Jenkins, Buildkite and GitHub; a file that cannot be written is exit 1 (unless the run failed otherwise) [env: REVALIDATE_JUNIT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-changed -d 'verify --baseline: every pod must now differ from the baseline (the content changed); run: a page regenerated unchanged fails the run (exit 4) instead of a warning'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l etag -d 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l github -d 'GitHub Actions: append a Markdown summary of the run to $GITHUB_STEP_SUMMARY and print ::error and ::warning annotations (on stderr) for failed steps and paths [default: on when GITHUB_ACTIONS=true] [env: REVALIDATE_GITHUB]'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l sitemap -d 'A sitemap.xml or sitemap index (gzipped too) whose pages\' paths are taken, from a pod, a public URL or a file (repeatable); <loc>s must be on its host or --site-url\'s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l tag -d 'A cache tag to revalidate (repeatable), through the app\'s tag route (--tag-endpoint, or {tag} in --endpoint); e.g. --tag posts' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l tags-file -d 'A file of cache tags, one a line; blank lines and # comments are skipped; "-" reads stdin (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l channel -d 'The channel the pods subscribe to: publish sends there, the agent listens there [default: revalidate] [env: REVALIDATE_CHANNEL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l message -d 'Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l expect-subscribers -d 'Fewer receivers than N is under-delivered (exit 3) [default: the number of configured pods, else 1]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l stream-maxlen -d '--stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l ack-timeout -d '--wait-acks: how long to wait after publishing [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l junit -d 'Also write a JUnit XML report to FILE (a test case per path and step), for the test reports of GitLab, Jenkins, Buildkite and GitHub; a file that cannot be written is exit 1 (unless the run failed otherwise) [env: REVALIDATE_JUNIT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l check -d 'First ask PUBSUB NUMSUB, and publish nothing when nobody listens (exit 3)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l force -d 'With --check: publish even when nobody listens'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l stream -d 'Also use the stream <channel>:stream: publish appends every message to it; the agent reads it (XREAD BLOCK from the last entry handled), so messages published while its connection was down are handled after reconnecting [env: REVALIDATE_STREAM]'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l no-record -d 'Do not keep the records <channel>:revalidated and <channel>:revalidated-tags (path or tag -> time of its latest publish), from which agents started later catch up on every path and tag changed since their build [env: REVALIDATE_NO_RECORD]'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l wait-acks -d 'Wait for every expected pod\'s acknowledgement on <channel>:acks (revalidate agent sends them)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l github -d 'GitHub Actions: append a Markdown summary of the run to $GITHUB_STEP_SUMMARY and print ::error and ::warning annotations (on stderr) for failed steps and paths [default: on when GITHUB_ACTIONS=true] [env: REVALIDATE_GITHUB]'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l channel -d 'A channel to subscribe to (repeatable) [default: the configured channel, revalidate]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l pattern -d 'A channel pattern to subscribe to, e.g. \'revalidate*\' (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l count -d 'Stop after N messages' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l duration -d 'Stop after DURATION, e.g. 30s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l target -d 'The local app to revalidate [default: http://127.0.0.1:3000] [env: REVALIDATE_AGENT_TARGET]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l pod-name -d 'This pod\'s name in acknowledgements [default: the hostname] [env: POD_NAME]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l channel -d 'The channel the pods subscribe to: publish sends there, the agent listens there [default: revalidate] [env: REVALIDATE_CHANNEL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l catch-up -d 'At start, revalidate what was published in the last DURATION (read from <channel>:stream) [env: REVALIDATE_CATCH_UP]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l catch-up-since -d 'At start, revalidate every path the record <channel>:revalidated (and, with --tag-endpoint, every tag <channel>:revalidated-tags) says changed since SINCE, before /healthz turns 200: "build" (the time of the app\'s build, from --next-dir), a duration back from now (e.g. 2h), an RFC 3339 time, or "off" [default: build] [env: REVALIDATE_CATCH_UP_SINCE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l catch-up-concurrency -d 'The catch-up from the record: revalidations in flight at once (the pod is not ready yet, so it takes no traffic meanwhile) [default: 8]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l next-dir -d 'The app\'s .next directory (its BUILD_ID and manifests date the build); unset, the directory of --preview-id-file [env: REVALIDATE_NEXT_DIR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l health-addr -d 'Serve /healthz (200 only while subscribed) and /metrics on ADDR, e.g. 127.0.0.1:9102 [env: REVALIDATE_HEALTH_ADDR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l dedupe-window -d 'A message id handled within this window is skipped [default: 10m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l grace-period -d 'On SIGTERM, how long the revalidations in flight may take to finish; messages not started are left to the stream [default: 10s] [env: REVALIDATE_GRACE_PERIOD]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l heartbeat -d 'How often the agent renews its registration on the channel (`revalidate agents` lists it); it counts as gone after three missed beats [default: 5s] [env: REVALIDATE_HEARTBEAT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l mode -d 'How each pod is told to revalidate [default: nextjs] [env: REVALIDATE_MODE]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l method -d 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l preview-id-file -d 'nextjs mode: file holding the previewModeId, or the app\'s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself [env: REVALIDATE_PREVIEW_ID_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l endpoint -d 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. \'/api/revalidate?path={path}\' [env: REVALIDATE_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l tag-endpoint -d 'The route that revalidates a cache tag on each pod (a route handler calling revalidateTag); {tag} is replaced by the tag, encoded for where it lands, e.g. \'/api/revalidate-tag?tag={tag}\'. Taken in both modes (nextjs mode has no header for tags); in endpoint mode, --endpoint serves tags too when it holds {tag} [env: REVALIDATE_TAG_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s H -l header -d 'A request header \'Name: value\' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l stream -d 'Also use the stream <channel>:stream: publish appends every message to it; the agent reads it (XREAD BLOCK from the last entry handled), so messages published while its connection was down are handled after reconnecting [env: REVALIDATE_STREAM]'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l channel -d 'The channel the pods subscribe to: publish sends there, the agent listens there [default: revalidate] [env: REVALIDATE_CHANNEL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand agents" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l pods -d 'Number of simulated pods' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l flavor -d 'Which Next.js the simulated pods behave like' -r -f -a "13\t''
16\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l latency -d '--serve: fixed delay of every pod response, e.g. 5ms' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l page-size -d '--serve: pad every page to at least SIZE, e.g. 200KiB' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l extra-pages -d '--serve: pre-render N more pages /posts/p1 .. /posts/pN' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l info-file -d '--serve: write the fleet\'s pod URLs and files as JSON to FILE once it is listening' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l k8s-endpoints -d '--kubernetes: also a Service `scaled` with N endpoints in EndpointSlices of 100, each reaching one of the fleet\'s pods (for discovery at scale)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l invalidation-time -d '--cloudfront: how long each invalidation stays in progress [default: 5s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l redis-url -d 'The Redis part of the story against this Redis (its channel "revalidate" and stream are used) [default: a redis-server started on a free port, when one is on PATH]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l serve -d 'Keep the fleet running (until Ctrl-C) and print how to point revalidate at it'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l kubernetes -d '--serve: also run a fake Kubernetes API server describing the fleet (Service web in namespace web; pods/proxy and port-forward included) and write its kubeconfig'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l cloudfront -d '--serve: also run a CloudFront API (moto_server, PyPI moto[server], behind a proxy that keeps invalidations in progress for --invalidation-time) with one distribution'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -f -a "invalidate" -d 'Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -f -a "wait" -d 'Wait until CloudFront invalidations complete'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -f -a "status" -d 'Show the status of CloudFront invalidations'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -f -a "list" -d 'List a distribution\'s recent invalidations, newest first'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -f -a "purge" -d 'Purge paths from caches that take HTTP purges and from Cloudflare'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and not __fish_seen_subcommand_from invalidate wait status list purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l sitemap -d 'A sitemap.xml or sitemap index (gzipped too) whose pages\' paths are taken, from a pod, a public URL or a file (repeatable); <loc>s must be on its host or --site-url\'s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l query-strings -d 'Whether the distribution caches on query strings: drop them from the paths, or keep them [default: drop]' -r -f -a "drop\t'The distribution does not cache on query strings: invalidate the path without it'
keep\t'The distribution caches on query strings: invalidate each path with its query string'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l coalesce -d 'Replace more than N paths under one directory with DIRECTORY/* (deepest first)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l max-wildcards -d 'At most N wildcard paths in the plan [default: 15]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l batch-size -d 'Paths per CreateInvalidation, at most 3000 [default: 3000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l free-paths-left -d 'Free invalidation paths the account has left this month, for the cost estimate [default: unknown: every path is counted]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l run-id -d 'Names this run in every CallerReference: a retry with the same run id gets its invalidations back instead of paying twice [default: the CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run] [env: REVALIDATE_RUN_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l caller-reference -d 'Use this CallerReference (suffixed -1, -2, ... when there are several batches)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l wait-timeout -d 'How long to wait on CloudFront (for room under its in-progress limits, through retries, for completion) or on Cloudflare\'s 429 Retry-After [default: 20m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l poll-min -d 'First interval between polls and retries; each poll waits 10% longer [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l poll-max -d 'Longest interval between polls [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l variants -d 'What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate) with it, comma-separated: html (the page itself, always), data (the Pages Router data JSON), rsc and prefetch (the App Router payloads) [default: every variant each page has, read from the page]' -r -f -a "html\t'The page itself (always checked: the others are found in it)'
data\t'Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it'
rsc\t'App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)'
prefetch\t'App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l next-data -d 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod\'s page (--pod, --pods-file) or from --build-id-file' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l build-id-file -d '--next-data auto: read the build id from this file (the app\'s .next/BUILD_ID)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l wait -d 'Wait until every invalidation completes (exit 3 at --wait-timeout, naming those in progress)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from invalidate" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l wait-timeout -d 'How long to wait on CloudFront (for room under its in-progress limits, through retries, for completion) or on Cloudflare\'s 429 Retry-After [default: 20m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l poll-min -d 'First interval between polls and retries; each poll waits 10% longer [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l poll-max -d 'Longest interval between polls [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from wait" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l limit -d 'How many invalidations to list [default: 20]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l sitemap -d 'A sitemap.xml or sitemap index (gzipped too) whose pages\' paths are taken, from a pod, a public URL or a file (repeatable); <loc>s must be on its host or --site-url\'s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l purge-url -d 'A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g. varnish=http://10.0.0.9:6081 [env: REVALIDATE_PURGE_URLS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l purge-method -d 'The purge request\'s method, e.g. BAN [default: PURGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s H -l purge-header -d 'A header \'Name: value\' of every purge request (repeatable); ${ENV_VAR} expands, e.g. \'Fastly-Key: ${FASTLY_KEY}\'' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l cloudflare-zone -d 'A Cloudflare zone id to purge by URL; the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file [env: CLOUDFLARE_ZONE_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l cloudflare-token-file -d 'A file holding the Cloudflare API token' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l cloudflare-api-url -d 'Cloudflare\'s API base [default: https://api.cloudflare.com/client/v4] [env: REVALIDATE_CLOUDFLARE_API_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l cloudflare-batch-size -d 'URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise [default: 30]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l wait-timeout -d 'How long to wait on CloudFront (for room under its in-progress limits, through retries, for completion) or on Cloudflare\'s 429 Retry-After [default: 20m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l variants -d 'What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate) with it, comma-separated: html (the page itself, always), data (the Pages Router data JSON), rsc and prefetch (the App Router payloads) [default: every variant each page has, read from the page]' -r -f -a "html\t'The page itself (always checked: the others are found in it)'
data\t'Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it'
rsc\t'App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)'
prefetch\t'App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l next-data -d 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod\'s page (--pod, --pods-file) or from --build-id-file' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l build-id-file -d '--next-data auto: read the build id from this file (the app\'s .next/BUILD_ID)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from help" -f -a "invalidate" -d 'Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Wait until CloudFront invalidations complete'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the status of CloudFront invalidations'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from help" -f -a "list" -d 'List a distribution\'s recent invalidations, newest first'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Purge paths from caches that take HTTP purges and from Cloudflare'
complete -c revalidate -n "__fish_revalidate_using_subcommand cdn; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l path -d 'The page the pods are asked for (a page every pod has generated: an ISR page)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l steps -d 'The steps to run, comma-separated, in this order: revalidate (every pod regenerates each page), verify (every pod proven fresh against the run\'s snapshot), cdn (the CDN cleared of the pages proven fresh), edge (each page and its variants proven fresh through --edge) [default: revalidate,verify,cdn,edge]' -r -f -a "revalidate\t'Tell every pod to regenerate each page (as fanout or publish do)'
verify\t'Prove every pod fresh (as verify does, against the run\'s own snapshot)'
cdn\t'Clear the CDN of the pages proven fresh (as cdn invalidate and cdn purge do)'
edge\t'Prove the edge fresh: each page and its variants through --edge'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l via -d 'How the pods are told to revalidate: direct (call every pod), redis (publish on their channel), both, or auto (Redis when redis.url is set, falling back to direct when Redis is unreachable or reaches fewer pods than were found) [default: auto] [env: REVALIDATE_VIA]' -r -f -a "direct\t'Call every pod directly (fanout)'
redis\t'Publish on the pods\' Redis channel (publish: receiver counts, or agents\' acknowledgements)'
both\t'Publish, then call every pod directly too'
auto\t'Redis when redis.url is configured, else direct; direct when Redis is unreachable or reaches fewer pods than were found'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l edge -d 'The site through its CDN (e.g. https://www.example.com): once the CDN is cleared, each page and every variant a browser fetches is proven fresh there [env: REVALIDATE_EDGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l wait -d 'How long to re-check pods (and the edge) not proven fresh yet, with backoff (250ms to 5s) [default: 30s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l mode -d 'How each pod is told to revalidate [default: nextjs] [env: REVALIDATE_MODE]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l method -d 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l preview-id-file -d 'nextjs mode: file holding the previewModeId, or the app\'s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself [env: REVALIDATE_PREVIEW_ID_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l endpoint -d 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. \'/api/revalidate?path={path}\' [env: REVALIDATE_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l tag-endpoint -d 'The route that revalidates a cache tag on each pod (a route handler calling revalidateTag); {tag} is replaced by the tag, encoded for where it lands, e.g. \'/api/revalidate-tag?tag={tag}\'. Taken in both modes (nextjs mode has no header for tags); in endpoint mode, --endpoint serves tags too when it holds {tag} [env: REVALIDATE_TAG_ENDPOINT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s H -l header -d 'A request header \'Name: value\' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l expect-contains -d 'Every pod must show this text (e.g. the new title)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l expect-regex -d 'Every pod\'s body must match this regular expression' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l expect-status -d 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l ignore -d 'Replace every match of REGEX with a fixed token before hashing (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l ignore-preset -d 'Built-in normalisations: timestamps, nonces (repeatable)' -r -f -a "timestamps\t'ISO 8601 date-times and epoch-millisecond numbers in JSON fields (content date-times, such as an event\'s start, are hidden too: check those with --expect-contains)'
nonces\t'nonce="..." attributes (CSP nonces)'
nextjs\t'What Next.js renders from the request rather than the content: the `?_rsc=` query an App Router page\'s router tree names after a pod regenerated it through an RSC request'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l select -d 'Hash only the first capture group of REGEX (e.g. the <main> element)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l max-body -d 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l variants -d 'What a browser fetches of a page to check (verify) or clear (cdn purge, cdn invalidate) with it, comma-separated: html (the page itself, always), data (the Pages Router data JSON), rsc and prefetch (the App Router payloads) [default: every variant each page has, read from the page]' -r -f -a "html\t'The page itself (always checked: the others are found in it)'
data\t'Pages Router: /_next/data/<buildId>/<page>.json, as a client-side navigation fetches it'
rsc\t'App Router: the RSC payload of a navigation (RSC: 1 on ?_rsc)'
prefetch\t'App Router: the prefetch payload of a link in view (RSC: 1, Next-Router-Prefetch: 1)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l samples -d 'Requests per path and per encoding through --through [default: 10]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l encodings -d '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]' -r -f -a "identity\t''
gzip\t''
br\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [default: redis://127.0.0.1:6379] [env: REDIS_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself) [env: REDIS_PASSWORD_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots [env: REVALIDATE_REDIS_CA]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s] [env: REVALIDATE_REDIS_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l channel -d 'The channel the pods subscribe to: publish sends there, the agent listens there [default: revalidate] [env: REVALIDATE_CHANNEL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l message -d 'Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l expect-subscribers -d 'Fewer receivers than N is under-delivered (exit 3) [default: the number of configured pods, else 1]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l stream-maxlen -d '--stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l ack-timeout -d '--wait-acks: how long to wait after publishing [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l distribution -d 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL [env: REVALIDATE_CDN_DISTRIBUTION]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l aws-profile -d 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l endpoint-url -d 'Another CloudFront API endpoint, e.g. an emulator [env: AWS_ENDPOINT_URL_CLOUDFRONT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l query-strings -d 'Whether the distribution caches on query strings: drop them from the paths, or keep them [default: drop]' -r -f -a "drop\t'The distribution does not cache on query strings: invalidate the path without it'
keep\t'The distribution caches on query strings: invalidate each path with its query string'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l coalesce -d 'Replace more than N paths under one directory with DIRECTORY/* (deepest first)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l max-wildcards -d 'At most N wildcard paths in the plan [default: 15]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l batch-size -d 'Paths per CreateInvalidation, at most 3000 [default: 3000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l free-paths-left -d 'Free invalidation paths the account has left this month, for the cost estimate [default: unknown: every path is counted]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l run-id -d 'Names this run in every CallerReference: a retry with the same run id gets its invalidations back instead of paying twice [default: the CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run] [env: REVALIDATE_RUN_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l caller-reference -d 'Use this CallerReference (suffixed -1, -2, ... when there are several batches)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l next-data -d 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod\'s page (--pod, --pods-file) or from --build-id-file' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l build-id-file -d '--next-data auto: read the build id from this file (the app\'s .next/BUILD_ID)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l wait-timeout -d 'How long to wait on CloudFront (for room under its in-progress limits, through retries, for completion) or on Cloudflare\'s 429 Retry-After [default: 20m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l poll-min -d 'First interval between polls and retries; each poll waits 10% longer [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l poll-max -d 'Longest interval between polls [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l purge-url -d 'A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g. varnish=http://10.0.0.9:6081 [env: REVALIDATE_PURGE_URLS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l purge-method -d 'The purge request\'s method, e.g. BAN [default: PURGE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l purge-header -d 'A header \'Name: value\' of every purge request (repeatable); ${ENV_VAR} expands, e.g. \'Fastly-Key: ${FASTLY_KEY}\'' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l cloudflare-zone -d 'A Cloudflare zone id to purge by URL; the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file [env: CLOUDFLARE_ZONE_ID]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l cloudflare-token-file -d 'A file holding the Cloudflare API token' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l cloudflare-api-url -d 'Cloudflare\'s API base [default: https://api.cloudflare.com/client/v4] [env: REVALIDATE_CLOUDFLARE_API_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l cloudflare-batch-size -d 'URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise [default: 30]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l site-url -d 'The site\'s public origin, e.g. https://www.example.com: --sitemap takes the pages on its host (a sitemap a pod serves names the public site), and Cloudflare purges full URLs [env: REVALIDATE_SITE_URL]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l sitemap-max-body -d 'Largest sitemap read by --sitemap, as sent and once gunzipped (the sitemap protocol\'s limit is 50MiB); a larger one ends the command before anything is sent [default: 50MiB] [env: REVALIDATE_SITEMAP_MAX_BODY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l junit -d 'Also write a JUnit XML report to FILE (a test case per path and step), for the test reports of GitLab, Jenkins, Buildkite and GitHub; a file that cannot be written is exit 1 (unless the run failed otherwise) [env: REVALIDATE_JUNIT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l expect-changed -d 'verify --baseline: every pod must now differ from the baseline (the content changed); run: a page regenerated unchanged fails the run (exit 4) instead of a warning'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l force-cdn -d 'Clear the CDN even of pages not proven fresh on every pod (it may cache their stale copies again)'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l sharded -d 'Redis Cluster: the channel is a shard channel (publish uses SPUBLISH, watch and agent SSUBSCRIBE), reached through the URL\'s node'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l stream -d 'Also use the stream <channel>:stream: publish appends every message to it; the agent reads it (XREAD BLOCK from the last entry handled), so messages published while its connection was down are handled after reconnecting [env: REVALIDATE_STREAM]'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l no-record -d 'Do not keep the records <channel>:revalidated and <channel>:revalidated-tags (path or tag -> time of its latest publish), from which agents started later catch up on every path and tag changed since their build [env: REVALIDATE_NO_RECORD]'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l wait-acks -d 'Wait for every expected pod\'s acknowledgement on <channel>:acks (revalidate agent sends them)'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l github -d 'GitHub Actions: append a Markdown summary of the run to $GITHUB_STEP_SUMMARY and print ::error and ::warning annotations (on stderr) for failed steps and paths [default: on when GITHUB_ACTIONS=true] [env: REVALIDATE_GITHUB]'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000 [env: REVALIDATE_PODS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin [env: REVALIDATE_PODS_FILE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web [env: REVALIDATE_K8S_SERVICE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web [env: REVALIDATE_K8S_SELECTOR]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000 [env: REVALIDATE_DNS]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default] [env: REVALIDATE_K8S_NAMESPACE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l context -d 'The kubeconfig context [default: its current-context] [env: REVALIDATE_K8S_CONTEXT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port] [env: REVALIDATE_K8S_PORT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l transport -d 'How to reach the pods [default: auto] [env: REVALIDATE_TRANSPORT]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l out-dir -d 'Directory receiving completions/ and man/' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l concurrency -d 'Requests in flight at once, over all pods [default: 32] [env: REVALIDATE_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4] [env: REVALIDATE_PER_POD_CONCURRENCY]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s] [env: REVALIDATE_TIMEOUT]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2] [env: REVALIDATE_RETRIES]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none] [env: REVALIDATE_DEADLINE]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s v -l verbose -d 'More detail: every path of a failure grouped by cause, and more logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "run" -d 'The whole pipeline: revalidate every pod, prove it fresh, clear the CDN, prove the edge'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "serve" -d 'The endpoint a CMS button calls: runs the pipeline, answers 200 only when all is fresh'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "publish" -d 'Publish each path on the pods\' Redis channel and report how many subscribers got it'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "watch" -d 'Subscribe to Redis channels and print every revalidation message as it is published'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "agent" -d 'Run beside the app in every pod: revalidate it on every message and acknowledge'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "agents" -d 'List the agents registered on the channel: live or expired, their build, their last message'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "cdn" -d 'Clear the CDN once the pods are fresh: CloudFront invalidation, HTTP PURGE, Cloudflare'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "doctor" -d 'Check every configured part (pods, build, previewModeId, Redis, CDN, RBAC): OK, WARN or FAIL'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "pods" -d 'List the pods a step would call: found in Kubernetes (or DNS), with how each is reached'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "generate-docs" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from run serve fanout verify publish watch agent agents demo cdn doctor config pods generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and __fish_seen_subcommand_from cdn" -f -a "invalidate" -d 'Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and __fish_seen_subcommand_from cdn" -f -a "wait" -d 'Wait until CloudFront invalidations complete'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and __fish_seen_subcommand_from cdn" -f -a "status" -d 'Show the status of CloudFront invalidations'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and __fish_seen_subcommand_from cdn" -f -a "list" -d 'List a distribution\'s recent invalidations, newest first'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and __fish_seen_subcommand_from cdn" -f -a "purge" -d 'Purge paths from caches that take HTTP purges and from Cloudflare'
