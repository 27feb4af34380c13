//! The application: dispatches a parsed command line to its steps and turns every ending into an
//! exit [`Code`].
//!
//! The flow is one way: args -> [`Config`] (resolved once) -> each step's plan -> the step, with
//! one [`RunContext`] -> typed outcomes -> the [`Reporter`] -> the exit code. Invariants: special
//! modes (help, version, completions, man pages) never touch the config, the network or secrets;
//! set-up failures are [`Error`]s printed once, with their hint, through the secret redactor;
//! nothing is sent before every input has been checked.

use std::io::Write;

use crate::choices::OutputFormat;
use crate::cli::{Cli, Command, FanoutArgs, GlobalArgs, PathArgs, PodsArgs, VerifyArgs};
use crate::config::{self, Config, Entry, Layer, PodSource};
use crate::context::RunContext;
use crate::discover;
use crate::error::Error;
use crate::exit::Code;
use crate::paths::{self, Purpose, UrlPath};
use crate::report::{Reporter, StepReport};
use crate::targets::Target;
use crate::transport::Transport;
use crate::{fanout, nextjs, secret, targets, verify};

/// Runs a parsed command line to its exit code. Errors are printed here, once.
pub async fn run(cli: Cli) -> Code {
    match dispatch(cli).await {
        Ok(code) => code,
        Err(e) => {
            let text = secret::redact(&e.render()).into_owned();
            let _ = std::io::stderr().write_all(text.as_bytes());
            e.exit_code()
        }
    }
}

async fn dispatch(cli: Cli) -> Result<Code, Error> {
    let global = cli.global;
    match cli.command {
        Command::GenerateDocs(a) => {
            let written = crate::docs::write_all(&a.out_dir).map_err(|e| {
                Error::io(format!("cannot write docs to {}", a.out_dir.display()), e)
            })?;
            for w in written {
                println!("{}", a.out_dir.join(w).display());
            }
            Ok(Code::Success)
        }
        Command::Config => config_cmd(&global),
        Command::Doctor(a) => doctor_cmd(&global, a).await,
        Command::Run(a) => run_cmd(&global, a).await,
        Command::Serve(a) => {
            let config = load_config(&global, a.layer().or(global.layer()))?;
            crate::serve::serve(config, global.dry_run).await
        }
        Command::Fanout(a) => fanout_cmd(&global, a).await,
        Command::Verify(a) => verify_cmd(&global, a).await,
        Command::Pods(a) => pods_cmd(&global, a).await,
        #[cfg(feature = "demo")]
        Command::Demo(a) => crate::demo::command(global.color, a).await,
        Command::Cdn(a) => cdn_cmd(&global, a).await,
        Command::Publish(a) => publish_cmd(&global, a).await,
        Command::Watch(a) => watch_cmd(&global, a).await,
        Command::Agent(a) => agent_cmd(&global, a).await,
        Command::Agents(a) => agents_cmd(&global, a).await,
    }
}

/// Resolves the configuration for a command whose flags are `flags`.
pub fn load_config(global: &GlobalArgs, flags: Layer) -> Result<Config, Error> {
    let c = Config::load(
        global.config.as_deref(),
        global.profile.as_deref(),
        flags,
        &|name| std::env::var(name).ok(),
    )?;
    tracing::info!(
        "config file: {}; profile: {}",
        c.file
            .as_ref()
            .map_or("none".to_string(), |f| f.display().to_string()),
        c.profile.as_deref().unwrap_or("none")
    );
    Ok(c)
}

fn config_cmd(global: &GlobalArgs) -> Result<Code, Error> {
    let c = load_config(global, global.layer())?;
    let preview = match std::env::var(nextjs::PREVIEW_ID_ENV) {
        Ok(v) if !v.is_empty() => Entry {
            key: "previewModeId".into(),
            value: "<redacted>".into(),
            source: format!("env {}", nextjs::PREVIEW_ID_ENV),
        },
        _ => Entry {
            key: "previewModeId".into(),
            value: "(read from preview_id_file when needed)".into(),
            source: String::new(),
        },
    };
    let redis_password = Entry {
        key: "redis password".into(),
        value: match std::env::var(crate::redis::PASSWORD_ENV) {
            Ok(v) if !v.is_empty() => "<redacted>".into(),
            _ => "(from redis.password_file, or the URL, when set)".into(),
        },
        source: match std::env::var(crate::redis::PASSWORD_ENV) {
            Ok(v) if !v.is_empty() => format!("env {}", crate::redis::PASSWORD_ENV),
            _ => String::new(),
        },
    };
    let extra = [preview, redis_password];
    let text = match global.output {
        OutputFormat::Human => crate::report::human::config(&c, &extra),
        OutputFormat::Json | OutputFormat::Ndjson => {
            let mut keys = serde_json::Map::new();
            for e in c.entries().into_iter().chain(extra) {
                keys.insert(
                    e.key,
                    serde_json::json!({"value": e.value, "source": e.source}),
                );
            }
            let v = serde_json::json!({
                "schema_version": crate::report::SCHEMA_VERSION,
                "file": c.file.as_ref().map(|f| f.display().to_string()),
                "profile": c.profile,
                "profiles": c.profiles,
                "keys": keys,
            });
            // NDJSON is one document a line: never pretty-printed.
            let mut s = if global.output == OutputFormat::Ndjson {
                serde_json::to_string(&v)
            } else {
                serde_json::to_string_pretty(&v)
            }
            .expect("json");
            s.push('\n');
            s
        }
    };
    let mut out = crate::report::writer::Out::new(Box::new(std::io::stdout()));
    let _ = out.write_all(text.as_bytes());
    out.finish();
    match out.take_error() {
        Some(e) => Err(Error::io("cannot write to stdout", e)),
        None => Ok(Code::Success),
    }
}

/// Reads paths from arguments, stdin and files, then sitemaps (in that order), and validates
/// them all for `purpose`: canonical, duplicates dropped (the first kept).
pub async fn collect_paths(
    a: &PathArgs,
    purpose: Purpose,
    config: &Config,
    limits: &crate::context::Limits,
) -> Result<Vec<UrlPath>, Error> {
    let mut raw = {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        paths::gather(&a.paths, &a.paths_file, &mut lock)?
    };
    let settings = config.sitemap()?;
    let options = crate::sitemap::Options {
        timeout: limits.timeout,
        retries: limits.retries,
        site_url: settings.site_url,
        max_body: settings.max_body,
    };
    let pages = crate::sitemap::read(&a.sitemaps, &options).await?;
    if raw.is_empty() && pages.is_empty() && !a.sitemaps.is_empty() {
        let named: Vec<String> = a.sitemaps.iter().map(|s| secret::mask_query(s)).collect();
        return Err(crate::sitemap::SitemapError::Empty(named.join(", ")).into());
    }
    raw.extend(pages);
    Ok(paths::validate(raw, purpose)?)
}

fn log_plan(step: &str, paths: usize, pods: usize, l: &crate::context::Limits) {
    tracing::info!(
        "{step}: {paths} paths x {pods} pods; concurrency {} (per pod {}), timeout {}, retries {}, deadline {}",
        l.concurrency,
        l.per_pod_concurrency,
        humantime::format_duration(l.timeout),
        l.retries,
        l.deadline
            .map_or("none".to_string(), |d| humantime::format_duration(d)
                .to_string())
    );
}

fn reporter(global: &GlobalArgs, command: &str) -> Reporter {
    test_panic();
    let mut reporter = Reporter::stdio(
        global.output,
        global.color,
        global.quiet,
        command,
        global.dry_run,
    );
    reporter.verbose = global.verbose;
    reporter
}

/// The CI outputs a command's configuration asks for (GitHub's own variables read here).
fn ci_settings(config: &Config) -> config::CiSettings {
    config.ci(&|name| std::env::var(name).ok())
}

/// A panic on purpose, with the message in env REVALIDATE_TEST_PANIC, for the test of the panic
/// hook (the built binary has no other way to panic on demand). It is reached once a command's
/// inputs are read and its secrets registered, before anything is reported.
fn test_panic() {
    if let Some(message) = std::env::var_os("REVALIDATE_TEST_PANIC") {
        panic!("{}", message.to_string_lossy());
    }
}

/// Paths and pods cannot both be read from stdin.
fn check_stdin(paths: &PathArgs, source: &PodSource) -> Result<(), Error> {
    let pods_from_stdin = matches!(source, PodSource::Static(spec)
        if spec.pods_file.as_deref().is_some_and(|f| f.as_os_str() == "-"));
    if pods_from_stdin && paths.paths.iter().any(|p| p == "-") {
        return Err(Error::usage(
            "paths (-) and pods (--pods-file -) cannot both come from stdin: put the paths in a file (--paths-file FILE) or as arguments",
        ));
    }
    Ok(())
}

/// Tags, paths and pods: only one of them can come from stdin.
fn check_tags_stdin(
    paths: &PathArgs,
    tags: &crate::cli::TagArgs,
    source: Option<&PodSource>,
) -> Result<(), Error> {
    let pods_from_stdin = matches!(source, Some(PodSource::Static(spec))
        if spec.pods_file.as_deref().is_some_and(|f| f.as_os_str() == "-"));
    if tags.from_stdin() && (pods_from_stdin || paths.paths.iter().any(|p| p == "-")) {
        return Err(Error::usage(
            "tags (--tags-file -) and paths or pods cannot all come from stdin: put the tags in a file (--tags-file FILE) or give them with --tag",
        ));
    }
    Ok(())
}

/// Ends a command whose discovery found nothing to call (or was stopped): the discover step is
/// the whole report.
fn nothing_to_call(
    global: &GlobalArgs,
    command: &str,
    ci: &config::CiSettings,
    pods: &discover::Pods,
    ctx: &RunContext,
) -> Option<Result<Code, Error>> {
    let discover::Pods::Discovered(d) = pods else {
        return None;
    };
    if !d.report.pods.is_empty() && d.report.stopped.is_none() {
        return None;
    }
    let mut reporter = reporter(global, command).with_ci(ci.clone());
    discover::discovered(&d.report, &mut reporter);
    Some(reporter.finish(ctx.observed_stop()))
}

async fn fanout_cmd(global: &GlobalArgs, a: FanoutArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let settings = config.fanout()?;
    let source = config.pod_source()?;
    let kubernetes = config.kubernetes()?;
    let ci = ci_settings(&config);
    check_stdin(&a.paths, &source)?;
    check_tags_stdin(&a.paths, &a.tags, Some(&source))?;
    let tags = a.tags.collect()?;
    let paths = if tags.is_empty() || a.paths.given() {
        collect_paths(&a.paths, Purpose::Pod, &config, &limits).await?
    } else {
        Vec::new()
    };
    let ctx = RunContext::new(limits);
    if !global.dry_run {
        ctx.listen_for_signals();
    }
    let pods = discover::find(&ctx, &source, &kubernetes, &limits, false).await?;
    if let Some(ended) = nothing_to_call(global, "fanout", &ci, &pods, &ctx) {
        return ended;
    }
    let plan = fanout::Plan::build(&settings, paths, tags, pods.targets())?;
    log_plan("fanout", plan.paths.len(), plan.targets.len(), &limits);
    let transport = pods.transport(Transport::new(&limits, plan.targets.len())?, &limits);
    let mut reporter = reporter(global, "fanout").with_ci(ci);
    call_pods(
        &ctx,
        &pods,
        &kubernetes,
        (discover::Missed::Revalidation, discover::Again::Newcomers),
        &mut reporter,
        global.dry_run.then(|| fanout::dry_run(&plan, &transport)),
        async |targets: Option<Vec<Target>>, reporter: &mut Reporter| match targets {
            None => {
                fanout::step(&ctx, &transport, &plan, reporter).await;
            }
            Some(targets) => {
                let newcomers = fanout::Plan {
                    targets,
                    ..plan.clone()
                };
                fanout::step(&ctx, &transport, &newcomers, reporter).await;
            }
        },
    )
    .await;
    reporter.finish(ctx.observed_stop())
}

/// The end of every command that calls pods: the discovery's report, then the dry run or the
/// step (`step(None)`: on the plan's pods), and for discovered pods the membership followed, the
/// step run again on newcomers or on everyone (`step(Some(targets))`).
async fn call_pods(
    ctx: &RunContext,
    pods: &discover::Pods,
    kubernetes: &config::KubernetesSettings,
    (missed, again): (discover::Missed, discover::Again),
    reporter: &mut Reporter,
    dry_run: Option<impl StepReport>,
    mut step: impl AsyncFnMut(Option<Vec<Target>>, &mut Reporter),
) {
    if let discover::Pods::Discovered(d) = pods {
        discover::discovered(&d.report, reporter);
    }
    if let Some(planned) = dry_run {
        reporter.finish_step(&planned);
        return;
    }
    step(None, reporter).await;
    if let discover::Pods::Discovered(d) = pods {
        let rerun = async |targets: Vec<Target>, reporter: &mut Reporter| {
            step(Some(targets), reporter).await;
        };
        discover::follow_membership(ctx, d, kubernetes, missed, again, reporter, rerun).await;
    }
}

async fn verify_cmd(global: &GlobalArgs, a: VerifyArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let mut settings = config.verify()?;
    let source = config.pod_source()?;
    let kubernetes = config.kubernetes()?;
    let ci = ci_settings(&config);
    check_stdin(&a.paths, &source)?;
    let paths = collect_paths(&a.paths, Purpose::Pod, &config, &limits).await?;
    let ctx = RunContext::new(limits);
    if !global.dry_run {
        ctx.listen_for_signals();
    }
    // Through a load balancer alone is a valid check for people without pod access.
    let pods = discover::find(
        &ctx,
        &source,
        &kubernetes,
        &limits,
        settings.through.is_some(),
    )
    .await?;
    if let Some(ended) = nothing_to_call(global, "verify", &ci, &pods, &ctx) {
        return ended;
    }
    let targets = pods.targets();
    let proxied = targets
        .iter()
        .any(|t| matches!(t.reach, targets::Reach::ApiServerProxy { .. }));
    if proxied {
        // pods/proxy writes a per-pod prefix into HTML links: pods compare only without it.
        settings
            .ignore
            .push(discover::PROXY_PREFIX_PATTERN.to_string());
    }
    let mut plan = verify::Plan::build(&settings, paths, targets)?;
    if proxied {
        plan.warnings.push(discover::PROXY_HTML_NOTE.to_string());
    }
    log_plan("verify", plan.paths.len(), plan.targets.len(), &limits);
    let transport = pods.transport(
        Transport::new(
            &limits,
            plan.targets.len() + usize::from(plan.through.is_some()),
        )?,
        &limits,
    );
    let mut reporter = reporter(global, "verify").with_ci(ci);
    call_pods(
        &ctx,
        &pods,
        &kubernetes,
        (discover::Missed::Verification, discover::Again::Everyone),
        &mut reporter,
        global.dry_run.then(|| verify::dry_run(&plan, &transport)),
        async |targets: Option<Vec<Target>>, reporter: &mut Reporter| match targets {
            None => {
                verify::step(&ctx, &transport, &plan, reporter).await;
            }
            Some(targets) => {
                let everyone = verify::Plan {
                    targets,
                    ..plan.clone()
                };
                verify::step(&ctx, &transport, &everyone, reporter).await;
            }
        },
    )
    .await;
    reporter.finish(ctx.observed_stop())
}

/// `revalidate run`: discover, then the pipeline ([`crate::run`]).
async fn run_cmd(global: &GlobalArgs, a: crate::cli::RunArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let source = config.pod_source()?;
    let kubernetes = config.kubernetes()?;
    check_stdin(&a.paths, &source)?;
    check_tags_stdin(&a.paths, &a.tags, Some(&source))?;
    // Settings that need no pods are checked before any discovery (and before sitemaps are read).
    config.run()?;
    let tags = a.tags.collect()?;
    let (paths, by_path) = run_paths(&a, &tags, &config, &limits).await?;
    let ci = ci_settings(&config);
    let ctx = RunContext::new(limits);
    if !global.dry_run {
        ctx.listen_for_signals();
    }
    let pods = discover::find(&ctx, &source, &kubernetes, &limits, false).await?;
    if let Some(ended) = nothing_to_call(global, "run", &ci, &pods, &ctx) {
        return ended;
    }
    let setup = crate::run::Setup::build_tagged(&config, paths, by_path, tags, pods.targets())?;
    log_plan("run", setup.paths.len(), setup.targets.len(), &limits);
    let edge = usize::from(setup.edge.is_some());
    let transport = pods.transport(
        Transport::new(&limits, setup.targets.len() + edge + 1)?,
        &limits,
    );
    let mut reporter = reporter(global, "run").with_ci(ci);
    reporter.brief = global.verbose == 0;
    if let discover::Pods::Discovered(d) = &pods {
        discover::discovered(&d.report, &mut reporter);
    }
    if global.dry_run {
        if let Some(plan) = &setup.fanout {
            reporter.finish_step(&fanout::dry_run(plan, &transport));
        }
        if let Some((plan, redis)) = &setup.publish {
            reporter.finish_step(&crate::publish::dry_run(plan, redis));
        }
        reporter.finish_step(&verify::dry_run(&setup.verify, &transport));
        return reporter.finish(None);
    }
    crate::run::pipeline(&ctx, &transport, &setup, &mut reporter).await;
    reporter.finish(ctx.observed_stop())
}

/// `revalidate doctor`: every configured part checked. Bad flags and a bad `--path` are exit 2
/// as for every command; a configuration that does not load is a FAIL line of the report.
async fn doctor_cmd(global: &GlobalArgs, a: crate::cli::DoctorArgs) -> Result<Code, Error> {
    let path = paths::validate(
        vec![(paths::Origin::Argument(1), a.path.clone())],
        Purpose::Pod,
    )?
    .remove(0);
    if global.dry_run {
        return Err(Error::usage(
            "`revalidate doctor` only reads (its one revalidation request regenerates a page already generated); --dry-run is for commands that change something",
        ));
    }
    let config = load_config(global, a.layer().or(global.layer()));
    let mut reporter = reporter(global, "doctor");
    if let Ok(c) = &config {
        reporter = reporter.with_ci(ci_settings(c));
    }
    let stopped = crate::doctor::step(crate::doctor::Inputs { config, path }, &mut reporter).await;
    reporter.finish(stopped)
}

/// `run`'s paths, and how many of them (the first) are revalidated by path. Without tags, every
/// path given. With tags, the arguments and --paths-file are revalidated by path, and the pages
/// of --verify-paths and --sitemap (the pages the tags regenerate) only verified.
async fn run_paths(
    a: &crate::cli::RunArgs,
    tags: &[crate::tags::Tag],
    config: &Config,
    limits: &crate::context::Limits,
) -> Result<(Vec<UrlPath>, usize), Error> {
    if tags.is_empty() {
        if !a.verify_paths.is_empty() {
            return Err(Error::usage(
                "--verify-paths names the pages cache tags regenerate, and needs --tag; to revalidate and verify paths, give them as arguments or with --paths-file",
            ));
        }
        let paths = collect_paths(&a.paths, Purpose::Pod, config, limits).await?;
        let n = paths.len();
        return Ok((paths, n));
    }
    let own = PathArgs {
        sitemaps: Vec::new(),
        ..a.paths.clone()
    };
    let mut paths = if own.given() {
        collect_paths(&own, Purpose::Pod, config, limits).await?
    } else {
        Vec::new()
    };
    let by_path = paths.len();
    let checked = PathArgs {
        paths: Vec::new(),
        paths_file: a.verify_paths.clone(),
        ..a.paths.clone()
    };
    if checked.given() {
        let mut seen: std::collections::HashSet<UrlPath> = paths.iter().cloned().collect();
        for p in collect_paths(&checked, Purpose::Pod, config, limits).await? {
            if seen.insert(p.clone()) {
                paths.push(p);
            }
        }
    }
    if paths.len() == by_path {
        return Err(Error::usage(crate::run::NO_PAGES_FOR_TAGS));
    }
    Ok((paths, by_path))
}

/// `revalidate pods`: the pods a step would call, and how each is reached.
async fn pods_cmd(global: &GlobalArgs, a: PodsArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let source = config.pod_source()?;
    let kubernetes = config.kubernetes()?;
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let mut report = match discover::find(&ctx, &source, &kubernetes, &limits, false).await? {
        discover::Pods::Listed { targets, .. } => discover::listed_report(&targets),
        discover::Pods::Discovered(d) => d.report,
    };
    report.table = true;
    let mut reporter = reporter(global, "pods");
    discover::discovered(&report, &mut reporter);
    reporter.finish(ctx.observed_stop())
}

// ---- cdn ----

async fn cdn_cmd(global: &GlobalArgs, a: crate::cli::CdnArgs) -> Result<Code, Error> {
    use crate::cli::CdnCommand;
    match a.command {
        CdnCommand::Invalidate(a) => cdn_invalidate_cmd(global, a).await,
        CdnCommand::Wait(a) => {
            let config = load_config(global, a.layer().or(global.layer()))?;
            let s = config.cdn()?;
            let view = crate::cdn::wait::Query::Wait(&a.ids, s.wait_timeout);
            cdn_status_cmd(global, &config, &s, "cdn wait", &a.ids, view).await
        }
        CdnCommand::Status(a) => {
            let config = load_config(global, a.layer().or(global.layer()))?;
            let s = config.cdn()?;
            let view = crate::cdn::wait::Query::Status(&a.ids);
            cdn_status_cmd(global, &config, &s, "cdn status", &a.ids, view).await
        }
        CdnCommand::List(a) => {
            let config = load_config(global, a.layer().or(global.layer()))?;
            let s = config.cdn()?;
            let view = crate::cdn::wait::Query::List(s.list_limit);
            cdn_status_cmd(global, &config, &s, "cdn list", &[], view).await
        }
        CdnCommand::Purge(a) => cdn_purge_cmd(global, a).await,
    }
}

/// Invalidation ids are letters and digits; anything else would change the request's route.
fn cdn_ids(ids: &[String]) -> Result<(), Error> {
    let bad: Vec<&String> = ids
        .iter()
        .filter(|i| i.is_empty() || i.len() > 64 || !i.bytes().all(|b| b.is_ascii_alphanumeric()))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "not an invalidation id: {}; ids are letters and digits, e.g. I2J0I21PCUYOIK (`revalidate cdn list` shows them)",
            bad.iter()
                .map(|b| format!("{b:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

async fn cdn_invalidate_cmd(
    global: &GlobalArgs,
    a: crate::cli::CdnInvalidateArgs,
) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let s = config.cdn()?;
    let distribution = crate::cdn::prepare::distribution(&config, &s)?;
    let paths = collect_paths(&a.paths, Purpose::Cdn, &config, &limits).await?;
    let pods = crate::cdn::prepare::pods_of(&config, &s)?;
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let transport = Transport::new(&limits, pods.len().max(1))?;
    let crate::cdn::prepare::Invalidation {
        plan,
        run_id,
        run_id_source,
    } = crate::cdn::prepare::invalidation(&s, distribution.clone(), paths, &pods, &ctx, &transport)
        .await?;
    let run = (run_id.as_str(), run_id_source.as_str());
    if global.dry_run {
        let mut reporter = reporter(global, "cdn invalidate");
        reporter.finish_step(&crate::cdn::invalidate::dry_run(&plan, run));
        return reporter.finish(None);
    }
    let api = crate::cdn::aws::CloudFront::connect(&s, &limits, s.poll.min, &distribution).await?;
    let mut reporter = reporter(global, "cdn invalidate");
    let opts = crate::cdn::invalidate::Options {
        wait: s.wait,
        wait_timeout: s.wait_timeout,
        poll: s.poll,
    };
    crate::cdn::invalidate::step(&ctx, &api, &plan, run, opts, &mut reporter).await?;
    reporter.finish(ctx.observed_stop())
}

async fn cdn_status_cmd(
    global: &GlobalArgs,
    config: &Config,
    s: &config::CdnSettings,
    command: &str,
    ids: &[String],
    view: crate::cdn::wait::Query<'_>,
) -> Result<Code, Error> {
    let limits = config.limits()?;
    let distribution = crate::cdn::prepare::distribution(config, s)?;
    cdn_ids(ids)?;
    if global.dry_run {
        return Err(Error::usage(format!(
            "`revalidate {command}` only reads; --dry-run is for commands that change something"
        )));
    }
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let api = crate::cdn::aws::CloudFront::connect(s, &limits, s.poll.min, &distribution).await?;
    let mut reporter = reporter(global, command);
    crate::cdn::wait::step(&ctx, &api, view, s.poll, &mut reporter).await?;
    reporter.finish(ctx.observed_stop())
}

async fn cdn_purge_cmd(global: &GlobalArgs, a: crate::cli::CdnPurgeArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let s = config.cdn()?;
    let paths = collect_paths(&a.paths, Purpose::Cdn, &config, &limits).await?;
    let pods = crate::cdn::prepare::pods_of(&config, &s)?;
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let transport = Transport::new(&limits, pods.len() + s.purge_urls.len().max(1))?;
    let plan = crate::cdn::prepare::purge(&s, paths, &pods, &ctx, &transport).await?;
    tracing::info!(
        "cdn purge: {} paths x {} caches; concurrency {} (per cache {}), timeout {}, retries {}",
        plan.paths.len(),
        plan.caches().len(),
        limits.concurrency,
        limits.per_pod_concurrency,
        humantime::format_duration(limits.timeout),
        limits.retries
    );
    let mut reporter = reporter(global, "cdn purge");
    if global.dry_run {
        reporter.finish_step(&crate::cdn::purge::dry_run(&plan, &transport));
        return reporter.finish(None);
    }
    let client = reqwest::Client::builder()
        .user_agent(crate::transport::USER_AGENT)
        .build()
        .map_err(|e| Error::unexpected(format!("cannot set up the HTTP client: {e}")))?;
    crate::cdn::purge::step(
        &ctx,
        &transport,
        &client,
        &plan,
        s.wait_timeout,
        s.poll,
        &mut reporter,
    )
    .await?;
    reporter.finish(ctx.observed_stop())
}

// Redis commands (issue 8): publish, watch, agent.

/// The Redis endpoint of a command: checked, password read (exit 2 when bad).
fn redis_of(config: &Config) -> Result<crate::redis::Redis, Error> {
    let settings = config.redis()?;
    let redis = crate::redis::Redis::build(&settings, &|name| std::env::var(name).ok())?;
    tracing::info!(
        "redis: {} (timeout {})",
        redis.shown(),
        humantime::format_duration(redis.timeout())
    );
    Ok(redis)
}

async fn publish_cmd(global: &GlobalArgs, a: crate::cli::PublishArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let settings = config.publish()?;
    check_tags_stdin(&a.paths, &a.tags, config.pod_source().ok().as_ref())?;
    let tags = a.tags.collect()?;
    let paths = if tags.is_empty() || a.paths.given() {
        collect_paths(&a.paths, Purpose::Pod, &config, &limits).await?
    } else {
        Vec::new()
    };
    // The pods are who must receive (and acknowledge), by name; nothing is sent to them.
    let targets = match targets::from_spec(&config.targets()) {
        Ok(t) => t,
        Err(targets::TargetsError::None) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let plan = crate::publish::Plan::build(&settings, paths, tags, &targets)?;
    let redis = redis_of(&config)?;
    let mut reporter = reporter(global, "publish").with_ci(ci_settings(&config));
    if global.dry_run {
        reporter.finish_step(&crate::publish::dry_run(&plan, &redis));
        return reporter.finish(None);
    }
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let connections = crate::publish::Connections::open(&redis, &plan)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    crate::publish::step(&ctx, connections, &plan, &mut reporter).await;
    reporter.finish(ctx.observed_stop())
}

async fn watch_cmd(global: &GlobalArgs, a: crate::cli::WatchArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let redis = redis_of(&config)?;
    let mut topics = crate::redis::subscriber::Topics {
        channels: a.channels.clone(),
        patterns: a.patterns.clone(),
        sharded: redis.sharded(),
    };
    if topics.sharded && !topics.patterns.is_empty() {
        return Err(Error::usage(
            "--pattern cannot be used with --sharded: Redis has no pattern subscription for shard channels; name each --channel",
        ));
    }
    for c in topics.channels.iter().chain(&topics.patterns) {
        crate::redis::check_channel(c)
            .map_err(|why| Error::usage(format!("--channel/--pattern {c:?}: {why}")))?;
    }
    if topics.channels.is_empty() && topics.patterns.is_empty() {
        // The configured channel, and beside it the channel of its cache tags.
        let channel = config.watch_channel()?;
        topics
            .channels
            .push(crate::redis::message::tag_channel(&channel));
        topics.channels.insert(0, channel);
    }
    if a.duration.is_some_and(|d| d.is_zero()) {
        return Err(Error::usage(
            "--duration 0s ends the watch before any message can arrive; give e.g. 30s, or leave it unset to watch until interrupted",
        ));
    }
    let plan = crate::watch::Plan {
        topics,
        count: a.count,
        duration: a.duration,
    };
    let mut reporter = reporter(global, "watch");
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let first = crate::redis::subscriber::connect(&redis, &plan.topics)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    crate::watch::step(&ctx, &redis, first, &plan, &mut reporter).await;
    reporter.finish(ctx.observed_stop())
}

async fn agents_cmd(global: &GlobalArgs, a: crate::cli::AgentsArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let channel = config.watch_channel()?;
    let source = config.pod_source()?;
    let kubernetes = config.kubernetes()?;
    let redis = redis_of(&config)?;
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    // The pods are who should run an agent, by name; nothing is sent to them.
    let pods = discover::find(&ctx, &source, &kubernetes, &limits, true).await?;
    let names: Vec<String> = pods.targets().into_iter().map(|t| t.name).collect();
    let mut reporter = reporter(global, "agents");
    let mut conn = crate::publish::open(&redis)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    let pods = (!names.is_empty()).then_some(names);
    crate::roster::step(&mut conn, &redis, &channel, pods, &mut reporter)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    reporter.finish(ctx.observed_stop())
}

async fn agent_cmd(global: &GlobalArgs, a: crate::cli::AgentArgs) -> Result<Code, Error> {
    let config = load_config(global, a.layer().or(global.layer()))?;
    let limits = config.limits()?;
    let settings = config.agent()?;
    let plan = crate::agent::Plan::build(&settings, &config.fanout()?)?;
    let redis = redis_of(&config)?;
    let transport = Transport::new(&limits, 1)?;
    let health = match &settings.health_addr {
        Some(addr) => Some(crate::agent::health::Listener::bind(addr).await?),
        None => None,
    };
    let mut reporter = reporter(global, "agent");
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    // A rejected password or TLS setup will not fix itself: exit 5 now. An unreachable Redis
    // may come back: the agent keeps trying (and is not ready meanwhile).
    let topics = plan.topics(redis.sharded());
    let first = match crate::redis::subscriber::connect(&redis, &topics).await {
        Ok(s) => Some(s),
        Err(f) if !f.kind.is_transient() => return Err(f.into_error()),
        Err(f) => {
            tracing::warn!("cannot reach Redis yet ({f}); retrying until it answers");
            None
        }
    };
    crate::agent::step(
        &ctx,
        &redis,
        first,
        health,
        &plan,
        &transport,
        &mut reporter,
    )
    .await;
    // SIGTERM is how an agent is told to stop: not a partial run.
    reporter.finish(None)
}
