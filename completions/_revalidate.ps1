
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
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install')
            [CompletionResult]::new('cdn', 'cdn', [CompletionResultType]::ParameterValue, 'Clear the CDN once the pods are fresh: CloudFront invalidation, HTTP PURGE, Cloudflare')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration, each value with where it came from (secrets redacted)')
            [CompletionResult]::new('pods', 'pods', [CompletionResultType]::ParameterValue, 'List the pods a step would call: found in Kubernetes (or DNS), with how each is reached')
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
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin')
            [CompletionResult]::new('--k8s-service', '--k8s-service', [CompletionResultType]::ParameterName, 'Every pod of this Service (its EndpointSlices), e.g. web')
            [CompletionResult]::new('--k8s-selector', '--k8s-selector', [CompletionResultType]::ParameterName, 'Every Running and Ready pod with these labels, e.g. app=web')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Every A/AAAA address of a headless Service''s name, without API access, e.g. web-headless.web.svc.cluster.local:3000')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context [default: its current-context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The pods'' port: a Service or container port name (http) or number (3000) [default: the Service''s only port]')
            [CompletionResult]::new('--ip-family', '--ip-family', [CompletionResultType]::ParameterName, 'Which address of a dual-stack pod to call [default: auto]')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How to reach the pods [default: auto]')
            [CompletionResult]::new('--recheck-after', '--recheck-after', [CompletionResultType]::ParameterName, 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]')
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
            [CompletionResult]::new('--only-generated', '--only-generated', [CompletionResultType]::ParameterName, 'nextjs mode: skip pages a pod never generated (x-prerender-revalidate-if-generated: 1)')
            [CompletionResult]::new('--allow-gone', '--allow-gone', [CompletionResultType]::ParameterName, 'Do not count gone pages (404: deleted content or unknown route) as failures')
            [CompletionResult]::new('--include-not-ready', '--include-not-ready', [CompletionResultType]::ParameterName, 'Also call endpoints that are not ready (serving, terminating), marked as such')
            [CompletionResult]::new('--follow-new-pods', '--follow-new-pods', [CompletionResultType]::ParameterName, 'When pods appear during the run, run the step on them too (until none appear)')
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
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin')
            [CompletionResult]::new('--k8s-service', '--k8s-service', [CompletionResultType]::ParameterName, 'Every pod of this Service (its EndpointSlices), e.g. web')
            [CompletionResult]::new('--k8s-selector', '--k8s-selector', [CompletionResultType]::ParameterName, 'Every Running and Ready pod with these labels, e.g. app=web')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Every A/AAAA address of a headless Service''s name, without API access, e.g. web-headless.web.svc.cluster.local:3000')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context [default: its current-context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The pods'' port: a Service or container port name (http) or number (3000) [default: the Service''s only port]')
            [CompletionResult]::new('--ip-family', '--ip-family', [CompletionResultType]::ParameterName, 'Which address of a dual-stack pod to call [default: auto]')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How to reach the pods [default: auto]')
            [CompletionResult]::new('--recheck-after', '--recheck-after', [CompletionResultType]::ParameterName, 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]')
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
            [CompletionResult]::new('--expect-changed', '--expect-changed', [CompletionResultType]::ParameterName, 'With --baseline: every pod must now differ from the baseline (the content changed)')
            [CompletionResult]::new('--etag', '--etag', [CompletionResultType]::ParameterName, 'Cheap mode: HEAD requests, compare ETags. Cannot normalise: pages that render a timestamp per generation will look different on every pod')
            [CompletionResult]::new('--include-not-ready', '--include-not-ready', [CompletionResultType]::ParameterName, 'Also call endpoints that are not ready (serving, terminating), marked as such')
            [CompletionResult]::new('--follow-new-pods', '--follow-new-pods', [CompletionResultType]::ParameterName, 'When pods appear during the run, run the step on them too (until none appear)')
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
            [CompletionResult]::new('--k8s-endpoints', '--k8s-endpoints', [CompletionResultType]::ParameterName, '--kubernetes: also a Service `scaled` with N endpoints in EndpointSlices of 100, each reaching one of the fleet''s pods (for discovery at scale)')
            [CompletionResult]::new('--invalidation-time', '--invalidation-time', [CompletionResultType]::ParameterName, '--cloudfront: how long each invalidation stays in progress [default: 5s]')
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
            [CompletionResult]::new('--serve', '--serve', [CompletionResultType]::ParameterName, 'Keep the fleet running (until Ctrl-C) and print how to point revalidate at it')
            [CompletionResult]::new('--kubernetes', '--kubernetes', [CompletionResultType]::ParameterName, '--serve: also run a fake Kubernetes API server describing the fleet (Service web in namespace web; pods/proxy and port-forward included) and write its kubeconfig')
            [CompletionResult]::new('--cloudfront', '--cloudfront', [CompletionResultType]::ParameterName, '--serve: also run a CloudFront API (moto_server, PyPI moto[server], behind a proxy that keeps invalidations in progress for --invalidation-time) with one distribution')
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
        'revalidate;cdn' {
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
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No progress bar and no table; only errors on stderr (JSON output is unaffected)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More logs on stderr (-v info, -vv debug, -vvv trace); secrets are never logged')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (secrets redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until CloudFront invalidations complete')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of CloudFront invalidations')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a distribution''s recent invalidations, newest first')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Purge paths from caches that take HTTP purges and from Cloudflare')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'revalidate;cdn;invalidate' {
            [CompletionResult]::new('--paths-file', '--paths-file', [CompletionResultType]::ParameterName, 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)')
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL (env REVALIDATE_CDN_DISTRIBUTION)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Another CloudFront API endpoint, e.g. an emulator (env AWS_ENDPOINT_URL_CLOUDFRONT)')
            [CompletionResult]::new('--query-strings', '--query-strings', [CompletionResultType]::ParameterName, 'Whether the distribution caches on query strings: drop them from the paths, or keep them [default: drop]')
            [CompletionResult]::new('--coalesce', '--coalesce', [CompletionResultType]::ParameterName, 'Replace more than N paths under one directory with DIRECTORY/* (deepest first)')
            [CompletionResult]::new('--max-wildcards', '--max-wildcards', [CompletionResultType]::ParameterName, 'At most N wildcard paths in the plan [default: 15]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Paths per CreateInvalidation, at most 3000 [default: 3000]')
            [CompletionResult]::new('--free-paths-left', '--free-paths-left', [CompletionResultType]::ParameterName, 'Free invalidation paths the account has left this month, for the cost estimate [default: unknown: every path is counted]')
            [CompletionResult]::new('--run-id', '--run-id', [CompletionResultType]::ParameterName, 'Names this run in every CallerReference: a retry with the same run id gets its invalidations back instead of paying twice (env REVALIDATE_RUN_ID) [default: the CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILDKITE_BUILD_ID, BUILD_BUILDID), else new each run]')
            [CompletionResult]::new('--caller-reference', '--caller-reference', [CompletionResultType]::ParameterName, 'Use this CallerReference (suffixed -1, -2, ... when there are several batches)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait on CloudFront: for room under its in-progress limits, through retries, and for completion [default: 20m]')
            [CompletionResult]::new('--poll-min', '--poll-min', [CompletionResultType]::ParameterName, 'First interval between polls and retries; each poll waits 10% longer [default: 1s]')
            [CompletionResult]::new('--poll-max', '--poll-max', [CompletionResultType]::ParameterName, 'Longest interval between polls [default: 10s]')
            [CompletionResult]::new('--next-data', '--next-data', [CompletionResultType]::ParameterName, 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod''s page (--pod, --pods-file) or from --build-id-file')
            [CompletionResult]::new('--build-id-file', '--build-id-file', [CompletionResultType]::ParameterName, '--next-data auto: read the build id from this file (the app''s .next/BUILD_ID)')
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000')
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin')
            [CompletionResult]::new('--k8s-service', '--k8s-service', [CompletionResultType]::ParameterName, 'Every pod of this Service (its EndpointSlices), e.g. web')
            [CompletionResult]::new('--k8s-selector', '--k8s-selector', [CompletionResultType]::ParameterName, 'Every Running and Ready pod with these labels, e.g. app=web')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Every A/AAAA address of a headless Service''s name, without API access, e.g. web-headless.web.svc.cluster.local:3000')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context [default: its current-context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The pods'' port: a Service or container port name (http) or number (3000) [default: the Service''s only port]')
            [CompletionResult]::new('--ip-family', '--ip-family', [CompletionResultType]::ParameterName, 'Which address of a dual-stack pod to call [default: auto]')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How to reach the pods [default: auto]')
            [CompletionResult]::new('--recheck-after', '--recheck-after', [CompletionResultType]::ParameterName, 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]')
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
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until every invalidation completes (exit 3 at --wait-timeout, naming those in progress)')
            [CompletionResult]::new('--include-not-ready', '--include-not-ready', [CompletionResultType]::ParameterName, 'Also call endpoints that are not ready (serving, terminating), marked as such')
            [CompletionResult]::new('--follow-new-pods', '--follow-new-pods', [CompletionResultType]::ParameterName, 'When pods appear during the run, run the step on them too (until none appear)')
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
        'revalidate;cdn;wait' {
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL (env REVALIDATE_CDN_DISTRIBUTION)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Another CloudFront API endpoint, e.g. an emulator (env AWS_ENDPOINT_URL_CLOUDFRONT)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait on CloudFront: for room under its in-progress limits, through retries, and for completion [default: 20m]')
            [CompletionResult]::new('--poll-min', '--poll-min', [CompletionResultType]::ParameterName, 'First interval between polls and retries; each poll waits 10% longer [default: 1s]')
            [CompletionResult]::new('--poll-max', '--poll-max', [CompletionResultType]::ParameterName, 'Longest interval between polls [default: 10s]')
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
        'revalidate;cdn;status' {
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL (env REVALIDATE_CDN_DISTRIBUTION)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Another CloudFront API endpoint, e.g. an emulator (env AWS_ENDPOINT_URL_CLOUDFRONT)')
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
        'revalidate;cdn;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many invalidations to list [default: 20]')
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'The CloudFront distribution id, e.g. E2QWRUHAPOMQZL (env REVALIDATE_CDN_DISTRIBUTION)')
            [CompletionResult]::new('--aws-profile', '--aws-profile', [CompletionResultType]::ParameterName, 'The AWS shared config profile [default: AWS_PROFILE, else the default chain]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Another CloudFront API endpoint, e.g. an emulator (env AWS_ENDPOINT_URL_CLOUDFRONT)')
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
        'revalidate;cdn;purge' {
            [CompletionResult]::new('--paths-file', '--paths-file', [CompletionResultType]::ParameterName, 'A file of paths, one a line; blank lines and # comments are skipped (repeatable)')
            [CompletionResult]::new('--purge-url', '--purge-url', [CompletionResultType]::ParameterName, 'A cache that takes HTTP purges, as URL or NAME=URL (repeatable), e.g. varnish=http://10.0.0.9:6081 (env REVALIDATE_PURGE_URLS)')
            [CompletionResult]::new('--purge-method', '--purge-method', [CompletionResultType]::ParameterName, 'The purge request''s method, e.g. BAN [default: PURGE]')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'A header ''Name: value'' of every purge request (repeatable); ${ENV_VAR} expands, e.g. ''Fastly-Key: ${FASTLY_KEY}''')
            [CompletionResult]::new('--purge-header', '--purge-header', [CompletionResultType]::ParameterName, 'A header ''Name: value'' of every purge request (repeatable); ${ENV_VAR} expands, e.g. ''Fastly-Key: ${FASTLY_KEY}''')
            [CompletionResult]::new('--cloudflare-zone', '--cloudflare-zone', [CompletionResultType]::ParameterName, 'A Cloudflare zone id to purge by URL (env CLOUDFLARE_ZONE_ID); the API token comes from env CLOUDFLARE_API_TOKEN or --cloudflare-token-file')
            [CompletionResult]::new('--cloudflare-token-file', '--cloudflare-token-file', [CompletionResultType]::ParameterName, 'A file holding the Cloudflare API token')
            [CompletionResult]::new('--cloudflare-api-url', '--cloudflare-api-url', [CompletionResultType]::ParameterName, 'Cloudflare''s API base [default: https://api.cloudflare.com/client/v4]')
            [CompletionResult]::new('--cloudflare-batch-size', '--cloudflare-batch-size', [CompletionResultType]::ParameterName, 'URLs per purge call: 30 on Free, Pro and Business plans, 500 on Enterprise [default: 30]')
            [CompletionResult]::new('--site-url', '--site-url', [CompletionResultType]::ParameterName, 'The site''s public origin, e.g. https://www.example.com: Cloudflare purges full URLs (env REVALIDATE_SITE_URL)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for Cloudflare''s 429 Retry-After [default: 20m]')
            [CompletionResult]::new('--next-data', '--next-data', [CompletionResultType]::ParameterName, 'Also clear /_next/data/BUILD_ID/PAGE.json for every page path; "auto" reads the build id from every pod''s page (--pod, --pods-file) or from --build-id-file')
            [CompletionResult]::new('--build-id-file', '--build-id-file', [CompletionResultType]::ParameterName, '--next-data auto: read the build id from this file (the app''s .next/BUILD_ID)')
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000')
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin')
            [CompletionResult]::new('--k8s-service', '--k8s-service', [CompletionResultType]::ParameterName, 'Every pod of this Service (its EndpointSlices), e.g. web')
            [CompletionResult]::new('--k8s-selector', '--k8s-selector', [CompletionResultType]::ParameterName, 'Every Running and Ready pod with these labels, e.g. app=web')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Every A/AAAA address of a headless Service''s name, without API access, e.g. web-headless.web.svc.cluster.local:3000')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context [default: its current-context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The pods'' port: a Service or container port name (http) or number (3000) [default: the Service''s only port]')
            [CompletionResult]::new('--ip-family', '--ip-family', [CompletionResultType]::ParameterName, 'Which address of a dual-stack pod to call [default: auto]')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How to reach the pods [default: auto]')
            [CompletionResult]::new('--recheck-after', '--recheck-after', [CompletionResultType]::ParameterName, 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]')
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
            [CompletionResult]::new('--include-not-ready', '--include-not-ready', [CompletionResultType]::ParameterName, 'Also call endpoints that are not ready (serving, terminating), marked as such')
            [CompletionResult]::new('--follow-new-pods', '--follow-new-pods', [CompletionResultType]::ParameterName, 'When pods appear during the run, run the step on them too (until none appear)')
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
        'revalidate;cdn;help' {
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until CloudFront invalidations complete')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of CloudFront invalidations')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a distribution''s recent invalidations, newest first')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Purge paths from caches that take HTTP purges and from Cloudflare')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'revalidate;cdn;help;invalidate' {
            break
        }
        'revalidate;cdn;help;wait' {
            break
        }
        'revalidate;cdn;help;status' {
            break
        }
        'revalidate;cdn;help;list' {
            break
        }
        'revalidate;cdn;help;purge' {
            break
        }
        'revalidate;cdn;help;help' {
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
        'revalidate;pods' {
            [CompletionResult]::new('--pod', '--pod', [CompletionResultType]::ParameterName, 'A pod to call, as URL or NAME=URL (repeatable), e.g. web-0=http://10.0.0.5:3000')
            [CompletionResult]::new('--pods-file', '--pods-file', [CompletionResultType]::ParameterName, 'A file listing pods, one [NAME=]URL a line (# comments allowed), or the JSON of `revalidate pods -o json`; "-" reads stdin')
            [CompletionResult]::new('--k8s-service', '--k8s-service', [CompletionResultType]::ParameterName, 'Every pod of this Service (its EndpointSlices), e.g. web')
            [CompletionResult]::new('--k8s-selector', '--k8s-selector', [CompletionResultType]::ParameterName, 'Every Running and Ready pod with these labels, e.g. app=web')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Every A/AAAA address of a headless Service''s name, without API access, e.g. web-headless.web.svc.cluster.local:3000')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace [default: the kubeconfig context''s (the service account''s in a pod), else default]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context [default: its current-context]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'The kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else the in-cluster service account]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The pods'' port: a Service or container port name (http) or number (3000) [default: the Service''s only port]')
            [CompletionResult]::new('--ip-family', '--ip-family', [CompletionResultType]::ParameterName, 'Which address of a dual-stack pod to call [default: auto]')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'How to reach the pods [default: auto]')
            [CompletionResult]::new('--recheck-after', '--recheck-after', [CompletionResultType]::ParameterName, 'List the pods again at the end of runs that last at least DURATION, to report pods that appeared (they missed the run) or went away [default: 1s]')
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
            [CompletionResult]::new('--include-not-ready', '--include-not-ready', [CompletionResultType]::ParameterName, 'Also call endpoints that are not ready (serving, terminating), marked as such')
            [CompletionResult]::new('--follow-new-pods', '--follow-new-pods', [CompletionResultType]::ParameterName, 'When pods appear during the run, run the step on them too (until none appear)')
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
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the story on a simulated fleet of Next.js pods: no network, nothing to install')
            [CompletionResult]::new('cdn', 'cdn', [CompletionResultType]::ParameterValue, 'Clear the CDN once the pods are fresh: CloudFront invalidation, HTTP PURGE, Cloudflare')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration, each value with where it came from (secrets redacted)')
            [CompletionResult]::new('pods', 'pods', [CompletionResultType]::ParameterValue, 'List the pods a step would call: found in Kubernetes (or DNS), with how each is reached')
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
        'revalidate;help;demo' {
            break
        }
        'revalidate;help;cdn' {
            [CompletionResult]::new('invalidate', 'invalidate', [CompletionResultType]::ParameterValue, 'Invalidate paths on a CloudFront distribution: batched, idempotent, costed, waited for')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until CloudFront invalidations complete')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of CloudFront invalidations')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a distribution''s recent invalidations, newest first')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Purge paths from caches that take HTTP purges and from Cloudflare')
            break
        }
        'revalidate;help;cdn;invalidate' {
            break
        }
        'revalidate;help;cdn;wait' {
            break
        }
        'revalidate;help;cdn;status' {
            break
        }
        'revalidate;help;cdn;list' {
            break
        }
        'revalidate;help;cdn;purge' {
            break
        }
        'revalidate;help;config' {
            break
        }
        'revalidate;help;pods' {
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
