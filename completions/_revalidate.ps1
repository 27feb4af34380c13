
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'revalidate' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'revalidate'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'revalidate' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Revalidate every path on every pod, directly')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish each path on the pods'' Redis channel and report how many subscribers got it')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Subscribe to Redis channels and print every revalidation message as it is published')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Run beside the app in every pod: revalidate it on every message and acknowledge')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration, each value with where it came from (secrets redacted)')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'revalidate;fanout' {
            [CompletionResult]::new('--paths-file', '--paths-file', [CompletionResultType]::ParameterName, 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'How each pod is told to revalidate [default: nextjs]')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'nextjs mode: request method; HEAD regenerates without sending the page back [default: HEAD]')
            [CompletionResult]::new('--preview-id-file', '--preview-id-file', [CompletionResultType]::ParameterName, 'nextjs mode: file holding the previewModeId, or the app''s .next/prerender-manifest.json (or the app or .next directory); env REVALIDATE_PREVIEW_ID holds the id itself')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'endpoint mode: the route to call on each pod; {path} is replaced by the path, encoded as a query value, e.g. ''/api/revalidate?path={path}''')
            [CompletionResult]::new('--endpoint-method', '--endpoint-method', [CompletionResultType]::ParameterName, 'endpoint mode: request method [default: GET]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header ''Name: value'' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header ''Name: value'' sent to every pod, in both modes (repeatable); ${ENV_VAR} in the value is expanded, so secrets stay off the command line and out of every output')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped), ${ENV_VAR} expands')
            [CompletionResult]::new('--expect-json', '--expect-json', [CompletionResultType]::ParameterName, 'endpoint mode: a JSON field the response must hold, KEY=VALUE with dotted keys, e.g. revalidated=true')
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000')
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('--only-generated', '--only-generated', [CompletionResultType]::ParameterName, 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)')
            [CompletionResult]::new('--allow-gone', '--allow-gone', [CompletionResultType]::ParameterName, 'Do not count gone pages (404: deleted content or unknown route) as failures')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;verify' {
            [CompletionResult]::new('--paths-file', '--paths-file', [CompletionResultType]::ParameterName, 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Replace every match of REGEX with a fixed token before hashing (repeatable)')
            [CompletionResult]::new('--ignore-preset', '--ignore-preset', [CompletionResultType]::ParameterName, 'Built-in normalisations: timestamps, nonces (repeatable)')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Hash only the first capture group of REGEX (e.g. the <main> element)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest body read from one response; a larger one is an error for that cell [default: 32MiB]')
            [CompletionResult]::new('--expect-contains', '--expect-contains', [CompletionResultType]::ParameterName, 'Every pod must show this text (e.g. the new title)')
            [CompletionResult]::new('--expect-regex', '--expect-regex', [CompletionResultType]::ParameterName, 'Every pod''s body must match this regular expression')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'Every pod must answer this status, e.g. 404 after a page was deleted [default: 200]')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Compare with a snapshot written earlier by `verify --save FILE`')
            [CompletionResult]::new('--save', '--save', [CompletionResultType]::ParameterName, 'Write a snapshot of what every pod serves now, for a later --baseline')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Re-check what is not fresh yet, with backoff (250ms to 5s), for up to DURATION')
            [CompletionResult]::new('--through', '--through', [CompletionResultType]::ParameterName, 'Also fetch each path through this URL (load balancer or CDN), --samples times')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'Requests per path and per encoding through --through [default: 10]')
            [CompletionResult]::new('--encodings', '--encodings', [CompletionResultType]::ParameterName, '--through: the Accept-Encoding variants to sample, each cached apart by a CDN [default: identity,gzip,br]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header ''Name: value'' sent with every fetch (repeatable); ${ENV_VAR} expands')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header ''Name: value'' sent with every fetch (repeatable); ${ENV_VAR} expands')
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000')
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('--expect-changed', '--expect-changed', [CompletionResultType]::ParameterName, 'With --baseline: every pod must now differ from the baseline (the content changed)')
            [CompletionResult]::new('--etag', '--etag', [CompletionResultType]::ParameterName, 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;publish' {
            [CompletionResult]::new('--paths-file', '--paths-file', [CompletionResultType]::ParameterName, 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'The channel the pods subscribe to [default: revalidate]')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Message template: {path}, {timestamp} (unix ms) and {id}; JSON-escaped inside JSON [default: {"path":"{path}","timestamp":{timestamp},"id":"{id}"}]')
            [CompletionResult]::new('--expect-subscribers', '--expect-subscribers', [CompletionResultType]::ParameterName, 'Fewer receivers than N is under-delivered (exit 3) [default: the number of configured pods, else 1]')
            [CompletionResult]::new('--stream-maxlen', '--stream-maxlen', [CompletionResultType]::ParameterName, '--stream: keep about N entries (XADD MAXLEN ~ N) [default: 10000]')
            [CompletionResult]::new('--ack-timeout', '--ack-timeout', [CompletionResultType]::ParameterName, '--wait-acks: how long to wait after publishing [default: 10s]')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself)')
            [CompletionResult]::new('--redis-ca', '--redis-ca', [CompletionResultType]::ParameterName, 'rediss://: a PEM file of the CA certificates to trust, instead of the system''s roots')
            [CompletionResult]::new('--redis-timeout', '--redis-timeout', [CompletionResultType]::ParameterName, 'Connect and response timeout of every Redis connection [default: 5s]')
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000')
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'First ask PUBSUB NUMSUB, and publish nothing when nobody listens (exit 3)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --check: publish even when nobody listens')
            [CompletionResult]::new('--sharded', '--sharded', [CompletionResultType]::ParameterName, 'Redis Cluster: SPUBLISH to the channel''s shard (subscribers use SSUBSCRIBE)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Also append every message to the stream <channel>:stream, for agents that were away')
            [CompletionResult]::new('--wait-acks', '--wait-acks', [CompletionResultType]::ParameterName, 'Wait for every expected pod''s acknowledgement on <channel>:acks (revalidate agent sends them)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;watch' {
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'A channel to subscribe to (repeatable) [default: the configured channel, revalidate]')
            [CompletionResult]::new('--pattern', '--pattern', [CompletionResultType]::ParameterName, 'A channel pattern to subscribe to, e.g. ''revalidate*'' (repeatable)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N messages')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after DURATION, e.g. 30s')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself)')
            [CompletionResult]::new('--redis-ca', '--redis-ca', [CompletionResultType]::ParameterName, 'rediss://: a PEM file of the CA certificates to trust, instead of the system''s roots')
            [CompletionResult]::new('--redis-timeout', '--redis-timeout', [CompletionResultType]::ParameterName, 'Connect and response timeout of every Redis connection [default: 5s]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;agent' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The local app to revalidate [default: http://127.0.0.1:3000]')
            [CompletionResult]::new('--pod-name', '--pod-name', [CompletionResultType]::ParameterName, 'This pod''s name in acknowledgements [env: POD_NAME] [default: the hostname]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'The channel to subscribe to [default: revalidate]')
            [CompletionResult]::new('--catch-up', '--catch-up', [CompletionResultType]::ParameterName, 'At start, revalidate what was published in the last DURATION (read from <channel>:stream)')
            [CompletionResult]::new('--health-addr', '--health-addr', [CompletionResultType]::ParameterName, 'Serve /healthz (200 only while subscribed) and /metrics on ADDR, e.g. 127.0.0.1:9102')
            [CompletionResult]::new('--dedupe-window', '--dedupe-window', [CompletionResultType]::ParameterName, 'A message id handled within this window is skipped [default: 10m]')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'How the app is told to revalidate [default: nextjs]')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'nextjs mode: request method [default: HEAD]')
            [CompletionResult]::new('--preview-id-file', '--preview-id-file', [CompletionResultType]::ParameterName, 'nextjs mode: the app''s .next/prerender-manifest.json (or a file holding the id); env REVALIDATE_PREVIEW_ID holds the id itself')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'endpoint mode: the app''s revalidate route, e.g. ''/api/revalidate?path={path}''')
            [CompletionResult]::new('--endpoint-method', '--endpoint-method', [CompletionResultType]::ParameterName, 'endpoint mode: request method [default: GET]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A request header ''Name: value'' (repeatable); ${ENV_VAR} in the value is expanded')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A request header ''Name: value'' (repeatable); ${ENV_VAR} in the value is expanded')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'endpoint mode: JSON body template; {path} becomes the path (JSON-escaped)')
            [CompletionResult]::new('--expect-json', '--expect-json', [CompletionResultType]::ParameterName, 'endpoint mode: a JSON field the response must hold, KEY=VALUE')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'Redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or rediss:// for TLS; a password is better given by env REDIS_PASSWORD or --redis-password-file [env: REDIS_URL] [default: redis://127.0.0.1:6379]')
            [CompletionResult]::new('--redis-password-file', '--redis-password-file', [CompletionResultType]::ParameterName, 'A file holding the Redis password (env REDIS_PASSWORD holds the password itself)')
            [CompletionResult]::new('--redis-ca', '--redis-ca', [CompletionResultType]::ParameterName, 'rediss://: a PEM file of the CA certificates to trust, instead of the system''s roots')
            [CompletionResult]::new('--redis-timeout', '--redis-timeout', [CompletionResultType]::ParameterName, 'Connect and response timeout of every Redis connection [default: 5s]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Also read <channel>:stream (XREAD BLOCK from the last entry handled), so messages published while the connection was down are handled after reconnecting')
            [CompletionResult]::new('--only-generated', '--only-generated', [CompletionResultType]::ParameterName, 'nextjs mode: skip pages the app never generated (x-prerender-revalidate-if-generated: 1)')
            [CompletionResult]::new('--allow-gone', '--allow-gone', [CompletionResultType]::ParameterName, 'Do not count gone pages (404) as failures')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;demo' {
            [CompletionResult]::new('--pods', '--pods', [CompletionResultType]::ParameterName, 'Number of simulated pods')
            [CompletionResult]::new('--flavor', '--flavor', [CompletionResultType]::ParameterName, 'Which Next.js the simulated pods behave like')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, '--serve: fixed delay of every pod response, e.g. 5ms')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, '--serve: pad every page to at least SIZE, e.g. 200KiB')
            [CompletionResult]::new('--extra-pages', '--extra-pages', [CompletionResultType]::ParameterName, '--serve: pre-render N more pages /posts/p1 .. /posts/pN')
            [CompletionResult]::new('--info-file', '--info-file', [CompletionResultType]::ParameterName, '--serve: write the fleet''s pod URLs and files as JSON to FILE once it is listening')
            [CompletionResult]::new('--redis-url', '--redis-url', [CompletionResultType]::ParameterName, 'The Redis part of the story against this Redis (its channel "revalidate" and stream are used) [default: a redis-server started on a free port, when one is on PATH]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('--serve', '--serve', [CompletionResultType]::ParameterName, 'Keep the fleet running (until Ctrl-C) and print how to point revalidate at it')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;config' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;generate-docs' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory receiving completions/ and man/')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./revalidate.toml when present]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the configuration file to apply over its defaults')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format on stdout: a table for people, one JSON document, or one JSON event a line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR and CLICOLOR_FORCE are honoured under auto)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once, over all pods [default: 32]')
            [CompletionResult]::new('--per-pod-concurrency', '--per-pod-concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once to any one pod [default: 4]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one request, e.g. 500ms, 10s, 2m [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a connect error, timeout, reset, 502, 503 or 504 (never other statuses) [default: 2]')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Deadline for the whole command; unfinished requests are reported as cancelled [default: none]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the logs on stderr: text for people, json (one object a line) for log pipelines')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'revalidate;help' {
            [CompletionResult]::new('fanout', 'fanout', [CompletionResultType]::ParameterValue, 'Revalidate every path on every pod, directly')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Fetch every path from every pod (or through a load balancer/CDN) and prove it is fresh')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish each path on the pods'' Redis channel and report how many subscribers got it')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Subscribe to Redis channels and print every revalidation message as it is published')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Run beside the app in every pod: revalidate it on every message and acknowledge')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration, each value with where it came from (secrets redacted)')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write shell completions and man pages (for packagers and the repository)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'revalidate;help;fanout' {
            break
        }
        'revalidate;help;verify' {
            break
        }
        'revalidate;help;publish' {
            break
        }
        'revalidate;help;watch' {
            break
        }
        'revalidate;help;agent' {
            break
        }
        'revalidate;help;demo' {
            break
        }
        'revalidate;help;config' {
            break
        }
        'revalidate;help;generate-docs' {
            break
        }
        'revalidate;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
