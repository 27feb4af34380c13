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
complete -c revalidate -n "__fish_revalidate_needs_command" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_needs_command" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_needs_command" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_needs_command" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_needs_command" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_needs_command" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "publish" -d 'Publish each path on the pods\' Redis channel and report how many subscribers got it'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "watch" -d 'Subscribe to Redis channels and print every revalidation message as it is published'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "agent" -d 'Run beside the app in every pod: revalidate it on every message and acknowledge'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_needs_command" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed)' -r -F
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
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l only-generated -d 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand fanout" -l allow-gone -d 'Do not count gone pages (404: deleted content or unknown route) as failures'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed)' -r -F
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
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-changed -d 'With --baseline: every pod must now differ from the baseline (the content changed)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l etag -d 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l paths-file -d 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l channel -d 'The channel the pods subscribe to [default: revalidate]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l message -d 'Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l expect-subscribers -d 'Fewer receivers than N is under-delivered (exit 3) [default: the number of configured pods, else 1]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l stream-maxlen -d '--stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l ack-timeout -d '--wait-acks: how long to wait after publishing [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l pod -d 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l pods-file -d 'A file listing pods, one [NAME=]URL a line (# comments allowed)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l check -d 'First ask PUBSUB NUMSUB, and publish nothing when nobody listens (exit 3)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l force -d 'With --check: publish even when nobody listens'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l sharded -d 'Redis Cluster: SPUBLISH to the channel\'s shard (subscribers use SSUBSCRIBE)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l stream -d 'Also append every message to the stream <channel>:stream, for agents that were away'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l wait-acks -d 'Wait for every expected pod\'s acknowledgement on <channel>:acks (revalidate agent sends them)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand publish" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l channel -d 'A channel to subscribe to (repeatable) [default: the configured channel, revalidate]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l pattern -d 'A channel pattern to subscribe to, e.g. \'revalidate*\' (repeatable)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l count -d 'Stop after N messages' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l duration -d 'Stop after DURATION, e.g. 30s' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand watch" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l target -d 'The local app to revalidate [default: http://127.0.0.1:3000]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l pod-name -d 'This pod\'s name in acknowledgements [env: POD_NAME] [default: the hostname]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l channel -d 'The channel to subscribe to [default: revalidate]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l catch-up -d 'At start, revalidate what was published in the last DURATION (read from <channel>:stream)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l health-addr -d 'Serve /healthz (200 only while subscribed) and /metrics on ADDR, e.g. 127.0.0.1:9102' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l dedupe-window -d 'A message id handled within this window is skipped [default: 10m]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l mode -d 'How the app is told to revalidate [default: nextjs]' -r -f -a "nextjs\t'Next.js\'s own mechanism: x-prerender-revalidate with the build\'s previewModeId'
endpoint\t'Your app\'s revalidate route on each pod'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l method -d 'nextjs mode: request method [default: HEAD]' -r -f -a "HEAD\t''
GET\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l preview-id-file -d 'nextjs mode: the app\'s .next/prerender-manifest.json (or a file holding the id); env REVALIDATE_PREVIEW_ID holds the id itself' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l endpoint -d 'endpoint mode: the app\'s revalidate route, e.g. \'/api/revalidate?path={path}\'' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l endpoint-method -d 'endpoint mode: request method [default: GET]' -r -f -a "GET\t''
POST\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s H -l header -d 'A request header \'Name: value\' (repeatable); ${ENV_VAR} in the value is expanded' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l body -d 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped)' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l expect-json -d 'endpoint mode: a JSON field the response must hold, KEY=VALUE' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-url -d 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL] [default: redis://127.0.0.1:6379]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-password-file -d 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself)' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-ca -d 'rediss://: a PEM file of the CA certificates to trust, instead of the system\'s roots' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l redis-timeout -d 'Connect and response timeout of every Redis connection [default: 5s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s c -l config -d 'Configuration file [default: ./revalidate.toml when present]' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s p -l profile -d 'Profile of the configuration file to apply over its defaults' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s o -l output -d 'Output format on stdout: a table for people, one JSON document, or one JSON event a line' -r -f -a "human\t'A table for people'
json\t'One JSON document when the command ends'
ndjson\t'One JSON event a line, as things happen'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l color -d 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l concurrency -d 'Requests in flight at once, over all pods [default: 32]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l per-pod-concurrency -d 'Requests in flight at once to any one pod [default: 4]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l timeout -d 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l retries -d 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l deadline -d 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l stream -d 'Also read <channel>:stream (XREAD BLOCK from the last entry handled), so messages published while the connection was down are handled after reconnecting'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l only-generated -d 'nextjs mode: skip pages the app never generated (x-prerender-revalidate-if-generated: 1)'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l allow-gone -d 'Do not count gone pages (404) as failures'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand agent" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l pods -d 'Number of simulated pods' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l flavor -d 'Which Next.js the simulated pods behave like' -r -f -a "13\t''
16\t''"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l latency -d '--serve: fixed delay of every pod response, e.g. 5ms' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l page-size -d '--serve: pad every page to at least SIZE, e.g. 200KiB' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l extra-pages -d '--serve: pre-render N more pages /posts/p1 .. /posts/pN' -r
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l info-file -d '--serve: write the fleet\'s pod URLs and files as JSON to FILE once it is listening' -r -F
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l redis-url -d 'The Redis part of the story against this Redis (its channel "revalidate" and stream are used) [default: a redis-server started on a free port, when one is on PATH]' -r
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
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand demo" -l serve -d 'Keep the fleet running (until Ctrl-C) and print how to point revalidate at it'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand config" -s V -l version -d 'Print version'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l log-format -d 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines' -r -f -a "text\t'One line of text per event'
json\t'One JSON object per event, for cluster log pipelines'"
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s q -l quiet -d 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s v -l verbose -d 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -l dry-run -d 'Print exactly what would be sent (secrets redacted) and send nothing'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c revalidate -n "__fish_revalidate_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "publish" -d 'Publish each path on the pods\' Redis channel and report how many subscribers got it'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "watch" -d 'Subscribe to Redis channels and print every revalidation message as it is published'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "agent" -d 'Run beside the app in every pod: revalidate it on every message and acknowledge'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "generate-docs" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify publish watch agent demo config generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
