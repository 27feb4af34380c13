//! The application: dispatches a parsed command line to its steps and turns every ending into an
//! exit [`Code`].
//!
//! The flow is one way: args -> [`Config`] (resolved once) -> each step's plan -> the step, with
//! one [`RunContext`] -> typed outcomes -> the [`Reporter`] -> the exit code. Invariants: special
//! modes (help, version, completions, man pages) never touch the config, the network or secrets;
//! set-up failures are [`Error`]s printed once, with their hint, through the secret redactor;
//! nothing is sent before every input has been checked.

use std::io::Write;

use crate::cli::{Cli, Command, FanoutArgs, GlobalArgs, PathArgs, VerifyArgs};
use crate::config::{self, Config, Entry, Layer};
use crate::context::RunContext;
use crate::error::Error;
use crate::exit::Code;
use crate::paths::{self, Purpose, UrlPath};
use crate::report::{OutputFormat, Reporter, StepReport};
use crate::transport::Transport;
use crate::{fanout, nextjs, secret, steps, targets, verify};

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
        Command::Fanout(a) => fanout_cmd(&global, a).await,
        Command::Verify(a) => verify_cmd(&global, a).await,
        Command::Demo(a) => crate::demo::command(&global, a).await,
        Command::Publish(a) => publish_cmd(&global, a).await,
        Command::Watch(a) => watch_cmd(&global, a).await,
        Command::Agent(a) => agent_cmd(&global, a).await,
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
    let c = load_config(global, config::flags::global(global))?;
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

/// Reads paths from arguments, stdin and files.
pub fn collect_paths(a: &PathArgs, purpose: Purpose) -> Result<Vec<UrlPath>, Error> {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    Ok(paths::collect(&a.paths, &a.paths_file, &mut lock, purpose)?)
}

fn log_plan(step: &str, paths: usize, pods: usize, l: &config::Limits) {
    tracing::info!(
        "{step}: {paths} paths x {pods} pods; concurrency {} (per pod {}), timeout {:?}, retries {}, deadline {:?}",
        l.concurrency,
        l.per_pod_concurrency,
        l.timeout,
        l.retries,
        l.deadline
    );
}

fn reporter(global: &GlobalArgs, command: &str) -> Reporter {
    Reporter::stdio(
        global.output,
        global.color,
        global.quiet,
        command,
        global.dry_run,
    )
}

async fn fanout_cmd(global: &GlobalArgs, a: FanoutArgs) -> Result<Code, Error> {
    let config = load_config(global, config::flags::fanout(global, &a))?;
    let limits = config.limits()?;
    let settings = config.fanout()?;
    let paths = collect_paths(&a.paths, Purpose::Pod)?;
    let targets = targets::from_spec(&config.targets())?;
    let plan = fanout::Plan::build(&settings, paths, targets)?;
    log_plan("fanout", plan.paths.len(), plan.targets.len(), &limits);
    let transport = Transport::new(&limits, plan.targets.len())?;
    let mut reporter = reporter(global, "fanout");
    let ctx = RunContext::new(limits);
    if global.dry_run {
        reporter.step_finished(StepReport::FanoutDryRun(fanout::dry_run(&plan, &transport)));
    } else {
        ctx.listen_for_signals();
        steps::fanout(&ctx, &transport, &plan, &mut reporter).await;
    }
    reporter.finish(ctx.observed_stop())
}

async fn verify_cmd(global: &GlobalArgs, a: VerifyArgs) -> Result<Code, Error> {
    let config = load_config(global, config::flags::verify(global, &a))?;
    let limits = config.limits()?;
    let settings = config.verify()?;
    let paths = collect_paths(&a.paths, Purpose::Pod)?;
    let targets = match targets::from_spec(&config.targets()) {
        Ok(t) => t,
        // Through a load balancer alone is a valid check for people without pod access.
        Err(targets::TargetsError::None) if settings.through.is_some() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let plan = verify::Plan::build(&settings, paths, targets)?;
    log_plan("verify", plan.paths.len(), plan.targets.len(), &limits);
    let transport = Transport::new(
        &limits,
        plan.targets.len() + usize::from(plan.through.is_some()),
    )?;
    let mut reporter = reporter(global, "verify");
    let ctx = RunContext::new(limits);
    if global.dry_run {
        reporter.step_finished(StepReport::VerifyDryRun(verify::dry_run(&plan, &transport)));
    } else {
        ctx.listen_for_signals();
        steps::verify(&ctx, &transport, &plan, &mut reporter).await;
    }
    reporter.finish(ctx.observed_stop())
}

// Redis commands (issue 8): publish, watch, agent.

/// The Redis endpoint of a command: checked, password read (exit 2 when bad).
fn redis_of(config: &Config) -> Result<crate::redis::Redis, Error> {
    let settings = config.redis()?;
    let redis = crate::redis::Redis::build(&settings, &|name| std::env::var(name).ok())?;
    tracing::info!("redis: {} (timeout {:?})", redis.shown(), redis.timeout());
    Ok(redis)
}

async fn publish_cmd(global: &GlobalArgs, a: crate::cli::PublishArgs) -> Result<Code, Error> {
    let config = load_config(global, config::flags::publish(global, &a))?;
    let limits = config.limits()?;
    let settings = config.publish()?;
    let paths = collect_paths(&a.paths, Purpose::Pod)?;
    // The pods are who must receive (and acknowledge), by name; nothing is sent to them.
    let targets = match targets::from_spec(&config.targets()) {
        Ok(t) => t,
        Err(targets::TargetsError::None) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let plan = crate::publish::Plan::build(&settings, paths, &targets)?;
    let redis = redis_of(&config)?;
    let mut reporter = reporter(global, "publish");
    if global.dry_run {
        reporter.step_finished(StepReport::PublishDryRun(crate::publish::dry_run(
            &plan, &redis,
        )));
        return reporter.finish(None);
    }
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let connections = crate::publish::Connections::open(&redis, &plan)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    steps::publish(&ctx, connections, &plan, &mut reporter).await;
    reporter.finish(ctx.observed_stop())
}

async fn watch_cmd(global: &GlobalArgs, a: crate::cli::WatchArgs) -> Result<Code, Error> {
    let config = load_config(global, config::flags::watch(global, &a))?;
    let limits = config.limits()?;
    let mut topics = crate::redis::subscriber::Topics {
        channels: a.channels.clone(),
        patterns: a.patterns.clone(),
    };
    for c in topics.channels.iter().chain(&topics.patterns) {
        crate::redis::check_channel(c)
            .map_err(|why| Error::usage(format!("--channel/--pattern {c:?}: {why}")))?;
    }
    if topics.channels.is_empty() && topics.patterns.is_empty() {
        topics.channels.push(config.watch_channel()?);
    }
    let plan = crate::watch::Plan {
        topics,
        count: a.count,
        duration: a.duration,
    };
    let redis = redis_of(&config)?;
    let mut reporter = reporter(global, "watch");
    let ctx = RunContext::new(limits);
    ctx.listen_for_signals();
    let first = crate::redis::subscriber::connect(&redis, &plan.topics)
        .await
        .map_err(crate::redis::Failure::into_error)?;
    steps::watch(&ctx, &redis, first, &plan, &mut reporter).await;
    reporter.finish(ctx.observed_stop())
}

async fn agent_cmd(global: &GlobalArgs, a: crate::cli::AgentArgs) -> Result<Code, Error> {
    let config = load_config(global, config::flags::agent(global, &a))?;
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
    let topics = crate::redis::subscriber::Topics::channel(&plan.channel);
    let first = match crate::redis::subscriber::connect(&redis, &topics).await {
        Ok(s) => Some(s),
        Err(f) if !f.kind.is_transient() => return Err(f.into_error()),
        Err(f) => {
            tracing::warn!("cannot reach Redis yet ({f}); retrying until it answers");
            None
        }
    };
    steps::agent(
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
