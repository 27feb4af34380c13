
use builtin;
use str;

set edit:completion:arg-completer[revalidate] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'revalidate'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'revalidate'= {
            cand -c 'Configuration file [default: ./revalidate.toml when present]'
            cand --config 'Configuration file [default: ./revalidate.toml when present]'
            cand -p 'Profile of the configuration file to apply over its defaults'
            cand --profile 'Profile of the configuration file to apply over its defaults'
            cand -o 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --output 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --color 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)'
            cand --concurrency 'Requests in flight at once, over all pods [default: 32]'
            cand --per-pod-concurrency 'Requests in flight at once to any one pod [default: 4]'
            cand --timeout 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]'
            cand --retries 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]'
            cand --deadline 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]'
            cand -q 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand --quiet 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand -v 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --verbose 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --dry-run 'Print exactly what would be sent (secrets redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand fanout 'Revalidate every path on every pod, directly'
            cand verify 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
            cand demo 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
            cand config 'Print the effective configuration, each value with where it came from (secrets redacted)'
            cand generate-docs 'Write shell completions and man pages (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'revalidate;fanout'= {
            cand --paths-file 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)'
            cand --mode 'How each pod is told to revalidate [default: nextjs]'
            cand --method 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]'
            cand --preview-id-file 'nextjs mode: file holding the previewModeId, or the app''s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself'
            cand --endpoint 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. ''/api/revalidate?path={path}'''
            cand --endpoint-method 'endpoint mode: request method [default: GET]'
            cand -H 'A request header ''Name: value'' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output'
            cand --header 'A request header ''Name: value'' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output'
            cand --body 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands'
            cand --expect-json 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true'
            cand --pod 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000'
            cand --pods-file 'A file listing pods, one [NAME=]URL a line (# comments allowed)'
            cand -c 'Configuration file [default: ./revalidate.toml when present]'
            cand --config 'Configuration file [default: ./revalidate.toml when present]'
            cand -p 'Profile of the configuration file to apply over its defaults'
            cand --profile 'Profile of the configuration file to apply over its defaults'
            cand -o 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --output 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --color 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)'
            cand --concurrency 'Requests in flight at once, over all pods [default: 32]'
            cand --per-pod-concurrency 'Requests in flight at once to any one pod [default: 4]'
            cand --timeout 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]'
            cand --retries 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]'
            cand --deadline 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]'
            cand --only-generated 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)'
            cand --allow-gone 'Do not count gone pages (404: deleted content or unknown route) as failures'
            cand -q 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand --quiet 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand -v 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --verbose 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --dry-run 'Print exactly what would be sent (secrets redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'revalidate;verify'= {
            cand --paths-file 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)'
            cand --ignore 'Replace every match of REGEX with a fixed token before hashing (repeatable)'
            cand --ignore-preset 'Built-in normalisations: timestamps, nonces (repeatable)'
            cand --select 'Hash only the first capture group of REGEX (e.g. the <main> element)'
            cand --max-body 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]'
            cand --expect-contains 'Every pod must show this text (e.g. the new title)'
            cand --expect-regex 'Every pod''s body must match this regular expression'
            cand --expect-status 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]'
            cand --baseline 'Compare with a snapshot written earlier by `verify --save FILE`'
            cand --save 'Write a snapshot of what every pod serves now, for a later --baseline'
            cand --wait 'Re-check what is not fresh yet, with backoff (250ms to 5s), for up to DURATION'
            cand --through 'Also fetch each path through this URL (load balancer or CDN), --samples times'
            cand --samples 'Requests per path and per encoding through --through [default: 10]'
            cand --encodings '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]'
            cand -H 'A request header ''Name: value'' sent with every fetch (repeatable); ${ENV_VAR} expands'
            cand --header 'A request header ''Name: value'' sent with every fetch (repeatable); ${ENV_VAR} expands'
            cand --pod 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000'
            cand --pods-file 'A file listing pods, one [NAME=]URL a line (# comments allowed)'
            cand -c 'Configuration file [default: ./revalidate.toml when present]'
            cand --config 'Configuration file [default: ./revalidate.toml when present]'
            cand -p 'Profile of the configuration file to apply over its defaults'
            cand --profile 'Profile of the configuration file to apply over its defaults'
            cand -o 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --output 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --color 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)'
            cand --concurrency 'Requests in flight at once, over all pods [default: 32]'
            cand --per-pod-concurrency 'Requests in flight at once to any one pod [default: 4]'
            cand --timeout 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]'
            cand --retries 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]'
            cand --deadline 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]'
            cand --expect-changed 'With --baseline: every pod must now differ from the baseline (the content changed)'
            cand --etag 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod'
            cand -q 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand --quiet 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand -v 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --verbose 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --dry-run 'Print exactly what would be sent (secrets redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'revalidate;demo'= {
            cand --pods 'Number of simulated pods'
            cand --flavor 'Which Next.js the simulated pods behave like'
            cand --latency '--serve: fixed delay of every pod response, e.g. 5ms'
            cand --page-size '--serve: pad every page to at least SIZE, e.g. 200KiB'
            cand --extra-pages '--serve: pre-render N more pages /posts/p1 .. /posts/pN'
            cand --info-file '--serve: write the fleet''s pod URLs and files as JSON to FILE once it is listening'
            cand -c 'Configuration file [default: ./revalidate.toml when present]'
            cand --config 'Configuration file [default: ./revalidate.toml when present]'
            cand -p 'Profile of the configuration file to apply over its defaults'
            cand --profile 'Profile of the configuration file to apply over its defaults'
            cand -o 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --output 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --color 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)'
            cand --concurrency 'Requests in flight at once, over all pods [default: 32]'
            cand --per-pod-concurrency 'Requests in flight at once to any one pod [default: 4]'
            cand --timeout 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]'
            cand --retries 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]'
            cand --deadline 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]'
            cand --serve 'Keep the fleet running (until Ctrl-C) and print how to point revalidate at it'
            cand -q 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand --quiet 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand -v 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --verbose 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --dry-run 'Print exactly what would be sent (secrets redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'revalidate;config'= {
            cand -c 'Configuration file [default: ./revalidate.toml when present]'
            cand --config 'Configuration file [default: ./revalidate.toml when present]'
            cand -p 'Profile of the configuration file to apply over its defaults'
            cand --profile 'Profile of the configuration file to apply over its defaults'
            cand -o 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --output 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --color 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)'
            cand --concurrency 'Requests in flight at once, over all pods [default: 32]'
            cand --per-pod-concurrency 'Requests in flight at once to any one pod [default: 4]'
            cand --timeout 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]'
            cand --retries 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]'
            cand --deadline 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]'
            cand -q 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand --quiet 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand -v 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --verbose 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --dry-run 'Print exactly what would be sent (secrets redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'revalidate;generate-docs'= {
            cand --out-dir 'Directory receiving completions/ and man/'
            cand -c 'Configuration file [default: ./revalidate.toml when present]'
            cand --config 'Configuration file [default: ./revalidate.toml when present]'
            cand -p 'Profile of the configuration file to apply over its defaults'
            cand --profile 'Profile of the configuration file to apply over its defaults'
            cand -o 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --output 'Output format on stdout: a table for people, one JSON document, or one JSON event a line'
            cand --color 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)'
            cand --concurrency 'Requests in flight at once, over all pods [default: 32]'
            cand --per-pod-concurrency 'Requests in flight at once to any one pod [default: 4]'
            cand --timeout 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]'
            cand --retries 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]'
            cand --deadline 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]'
            cand -q 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand --quiet 'No progress bar and no table; only errors on stderr (JSON output is unaffected)'
            cand -v 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --verbose 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged'
            cand --dry-run 'Print exactly what would be sent (secrets redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'revalidate;help'= {
            cand fanout 'Revalidate every path on every pod, directly'
            cand verify 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh'
            cand demo 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install'
            cand config 'Print the effective configuration, each value with where it came from (secrets redacted)'
            cand generate-docs 'Write shell completions and man pages (for packagers and the repository)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'revalidate;help;fanout'= {
        }
        &'revalidate;help;verify'= {
        }
        &'revalidate;help;demo'= {
        }
        &'revalidate;help;config'= {
        }
        &'revalidate;help;generate-docs'= {
        }
        &'revalidate;help;help'= {
        }
    ]
    $completions[$command]
}
