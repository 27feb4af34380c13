# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_revalidate_global_optspecs
    string join \n c/config= p/profile= o/output= color= q/quiet v/verbose dry-run concurrency= per-pod-concurrency= timeout= retries= deadline= h/help V/version
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
complete -c revalidate -n "__fish_revalidate_needs_command" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_needs_command" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_needs_command" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_needs_command" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "pods" -d 'List the pods a step would call: found in Kubernetes (or DNS), with how each is reached'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "generate-docs" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l mode -d 'How each pod is told to revalidate [default: nextjs]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l method -d 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l preview-id-file -d 'nextjs mode: file holding the previewModeId, or the app\'s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l endpoint -d 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. \'/api/revalidate?path={path}\'' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s H -l header -d 'A request header \'Name: value\' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l context -d 'The kubeconfig context [default: its current-context]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l transport -d 'How to reach the pods [default: auto]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l ignore -d 'Replace every match of REGEX with a fixed token before hashing (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l ignore-preset -d 'Built-in normalisations: timestamps, nonces (repeatable)' -r -f -a "timestamps\t'ISO 8601 date-times and epoch-millisecond numbers in JSON fields (content date-times, such as an event\'s start, are hidden too: check those with --expect-contains)'
nonces\t'nonce="..." attributes (CSP nonces)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l select -d 'Hash only the first capture group of REGEX (e.g. the <main> element)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l max-body -d 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-contains -d 'Every pod must show this text (e.g. the new title)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-regex -d 'Every pod\'s body must match this regular expression' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-status -d 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l baseline -d 'Compare with a snapshot written earlier by `verify --save FILE`' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l save -d 'Write a snapshot of what every pod serves now, for a later --baseline' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l wait -d 'Re-check what is not fresh yet, with backoff (250ms to 5s), for up to DURATION' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l through -d 'Also fetch each path through this URL (load balancer or CDN), --samples times' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l samples -d 'Requests per path and per encoding through --through [default: 10]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l encodings -d '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]' -r -f -a "identity\t''
gzip\t''
br\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s H -l header -d 'A request header \'Name: value\' sent with every fetch (repeatable); ${ENV_VAR} expands' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l context -d 'The kubeconfig context [default: its current-context]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l transport -d 'How to reach the pods [default: auto]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
direct\t'The pod\'s IP and port: from inside the cluster, or a runner on its network'
apiserver-proxy\t'The API server\'s pods/proxy subresource (RBAC: get pods/proxy)'
port-forward\t'A port-forward per connection (RBAC: get and create pods/portforward)'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l recheck-after -d 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-changed -d 'With --baseline: every pod must now differ from the baseline (the content changed)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l etag -d 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l pods -d 'Number of simulated pods' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l flavor -d 'Which Next.js the simulated pods behave like' -r -f -a "13\t''
16\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l latency -d '--serve: fixed delay of every pod response, e.g. 5ms' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l page-size -d '--serve: pad every page to at least SIZE, e.g. 200KiB' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l extra-pages -d '--serve: pre-render N more pages /posts/p1 .. /posts/pN' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l info-file -d '--serve: write the fleet\'s pod URLs and files as JSON to FILE once it is listening' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l k8s-endpoints -d '--kubernetes: also a Service `scaled` with N endpoints in EndpointSlices of 100, each reaching one of the fleet\'s pods (for discovery at scale)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l serve -d 'Keep the fleet running (until Ctrl-C) and print how to point revalidate at it'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l kubernetes -d '--serve: also run a fake Kubernetes API server describing the fleet (Service web in namespace web; pods/proxy and port-forward included) and write its kubeconfig'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l k8s-service -d 'Every pod of this Service (its EndpointSlices), e.g. web' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l k8s-selector -d 'Every Running and Ready pod with these labels, e.g. app=web' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l dns -d 'Every A/AAAA address of a headless Service\'s name, without API access, e.g. web-headless.web.svc.cluster.local:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s n -l namespace -d 'The namespace [default: the kubeconfig context\'s (the service account\'s in a pod), else default]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l context -d 'The kubeconfig context [default: its current-context]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l kubeconfig -d 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l port -d 'The pods\' port: a Service or container port name (http) or number (3000) [default: the Service\'s only port]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l ip-family -d 'Which address of a dual-stack pod to call [default: auto]' -r -f -a "auto\t'The Service\'s primary family (its first ipFamilies entry), else each pod\'s first address'
ipv4\t'IPv4 where a pod has one'
ipv6\t'IPv6 where a pod has one'"
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l transport -d 'How to reach the pods [default: auto]' -r -f -a "auto\t'Direct inside a cluster, else apiserver-proxy, else port-forward (as RBAC allows)'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l include-not-ready -d 'Also call endpoints that are not ready (serving, terminating), marked as such'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -l follow-new-pods -d 'When pods appear during the run, run the step on them too (until none appear)'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand pods" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "pods" -d 'List the pods a step would call: found in Kubernetes (or DNS), with how each is reached'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "generate-docs" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config pods generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
