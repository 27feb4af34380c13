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
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l expect-changed -d 'With --baseline: every pod must now differ from the baseline (the content changed)'
complete -c revalidate -n "__fish_revalidate_using_subcommand verify" -l etag -d 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod'
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
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config generate-docs help" -f -a "fanout" -d 'Revalidate every path on every pod, directly'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config generate-docs help" -f -a "verify" -d 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config generate-docs help" -f -a "demo" -d 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config generate-docs help" -f -a "config" -d 'Print the effective configuration, each value with where it came from (secrets redacted)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config generate-docs help" -f -a "generate-docs" -d 'Write shell completions and man pages (for packagers and the repository)'
complete -c revalidate -n "__fish_revalidate_using_subcommand help; and not __fish_seen_subcommand_from fanout verify demo config generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
