//! The application: dispatches a parsed command line to its step and turns every ending into an
//! exit [`Code`].
//!
//! Invariants: special modes (help, version, completions, man pages) never touch the config, the
//! network or secrets; set-up failures are usage errors (exit 2) printed once, with their cause
//! chain, through the secret redactor; a step's own outcome decides its code through
//! [`crate::exit::code_for`].

use std::io::Write;
use std::time::{Instant, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::cli::{Cli, Command, GlobalArgs, OutputFormat};
use crate::config::{ConfigError, FlagLayer, Settings};
use crate::exit::Code;
use crate::http::{self, Engine};
use crate::paths::{self, Purpose};
use crate::report::{Reporter, human};
use crate::{fanout, secret, targets, verify};

/// A failure that ends the command before (or instead of) a report.
#[derive(Debug)]
pub struct Fail {
    pub code: Code,
    pub message: String,
}

impl Fail {
    pub fn usage(message: impl Into<String>) -> Fail {
        Fail {
            code: Code::Usage,
            message: message.into(),
        }
    }
}

impl From<ConfigError> for Fail {
    fn from(e: ConfigError) -> Fail {
        Fail::usage(e.0)
    }
}

impl From<paths::PathsError> for Fail {
    fn from(e: paths::PathsError) -> Fail {
        Fail::usage(e.to_string())
    }
}

impl From<targets::TargetsError> for Fail {
    fn from(e: targets::TargetsError) -> Fail {
        Fail::usage(e.to_string())
    }
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Fail {
        Fail {
            code: Code::Unexpected,
            message: format!("{e:#}"),
        }
    }
}

/// Runs a parsed command line to its exit code. Errors are printed here, once.
pub async fn run(cli: Cli) -> Code {
    match dispatch(cli).await {
        Ok(code) => code,
        Err(fail) => {
            let text = secret::redact(&fail.message).into_owned();
            let _ = writeln!(std::io::stderr(), "error: {text}");
            fail.code
        }
    }
}

async fn dispatch(cli: Cli) -> Result<Code, Fail> {
    let global = cli.global;
    match cli.command {
        Command::GenerateDocs(a) => {
            let written = crate::docs::write_all(&a.out_dir)
                .map_err(|e| Fail::from(anyhow::anyhow!("cannot write docs: {e}")))?;
            for w in written {
                println!("{}", a.out_dir.join(w).display());
            }
            Ok(Code::Success)
        }
        Command::Config => config_cmd(&global),
        Command::Fanout(a) => fanout_cmd(&global, a).await,
        Command::Verify(a) => verify_cmd(&global, a).await,
        Command::Demo(a) => crate::demo::command(&global, a).await,
    }
}

fn config_cmd(global: &GlobalArgs) -> Result<Code, Fail> {
    let settings = Settings::load(global, FlagLayer::default().0)?;
    let preview = match std::env::var(fanout::PREVIEW_ID_ENV) {
        Ok(v) if !v.is_empty() => (
            "previewModeId".to_string(),
            "<redacted>".to_string(),
            format!("env {}", fanout::PREVIEW_ID_ENV),
        ),
        _ => (
            "previewModeId".to_string(),
            "(read from preview_id_file when needed)".to_string(),
            String::new(),
        ),
    };
    let mut out = std::io::stdout().lock();
    let text = match global.output {
        OutputFormat::Human => settings.resolved.render(&[preview]),
        OutputFormat::Json | OutputFormat::Ndjson => {
            let mut v = settings.resolved.to_json();
            v["keys"]["previewModeId"] =
                serde_json::json!({"value": preview.1, "source": preview.2});
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
    let _ = out.write_all(secret::redact(&text).as_bytes());
    Ok(Code::Success)
}

/// Says at -v what was resolved: where the config came from and the size of the run.
fn log_plan(settings: &Settings, step: &str, paths: usize, pods: usize) {
    let r = &settings.resolved;
    tracing::info!(
        "config file: {}; profile: {}",
        r.file
            .as_ref()
            .map_or("none".to_string(), |f| f.display().to_string()),
        r.profile.as_deref().unwrap_or("none")
    );
    let l = settings.limits;
    tracing::info!(
        "{step}: {paths} paths x {pods} pods; concurrency {} (per pod {}), timeout {:?}, retries {}, deadline {:?}",
        l.concurrency,
        l.per_pod_concurrency,
        l.timeout,
        l.retries,
        l.deadline
    );
}

/// Reads paths from arguments, stdin and files.
pub fn collect_paths(
    a: &crate::cli::PathArgs,
    purpose: Purpose,
) -> Result<Vec<paths::UrlPath>, Fail> {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    Ok(paths::collect(&a.paths, &a.paths_file, &mut lock, purpose)?)
}

/// Cancels the engine on the first Ctrl-C; a second one exits at once.
pub fn on_ctrl_c(engine: &Engine) {
    let engine = engine.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            engine.interrupt();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(Code::Interrupted.as_u8()));
            }
        }
    });
}

async fn fanout_cmd(global: &GlobalArgs, a: crate::cli::FanoutArgs) -> Result<Code, Fail> {
    let settings = Settings::load(global, fanout::flags(&a).0)?;
    let paths = collect_paths(&a.paths, Purpose::Pod)?;
    let targets = targets::from_config(&settings.resolved)?;
    let plan = fanout::Plan::build(&settings.resolved, paths, targets)?;
    log_plan(&settings, "fanout", plan.paths.len(), plan.targets.len());
    if let fanout::How::Nextjs { preview_id, .. } = &plan.how {
        tracing::info!("previewModeId: {preview_id}");
    }
    let mut reporter = Reporter::new(settings.output, settings.color, settings.quiet);

    if settings.dry_run {
        let d = fanout::dry_run(&plan);
        for r in &d.requests {
            reporter.event(&serde_json::json!({"event": "request", "schema_version": d.schema_version, "request": r}));
        }
        reporter.json(&d);
        reporter.human(&human::fanout_dry_run(&d, &reporter.style()));
        return Ok(Code::Success);
    }

    let engine = Engine::new(
        http::client(&settings.limits, false, plan.targets.len())?,
        settings.limits,
        CancellationToken::new(),
    );
    on_ctrl_c(&engine);
    let report = run_fanout(&plan, &engine, &mut reporter).await;
    reporter.json(&report);
    reporter.human(&human::fanout(&report, &reporter.style()));
    Ok(report.code)
}

/// Runs fanout with events and progress through `reporter`; returns the report (also for `demo`).
pub async fn run_fanout(
    plan: &fanout::Plan,
    engine: &Engine,
    reporter: &mut Reporter,
) -> fanout::Report {
    let started = (SystemTime::now(), Instant::now());
    let n_cells = plan.paths.len() * plan.targets.len();
    reporter.event(&fanout::Event::Start {
        schema_version: crate::report::SCHEMA_VERSION,
        command: "fanout",
        mode: plan.mode(),
        method: plan.method(),
        targets: &plan.targets,
        paths: plan.paths.len(),
        cells: n_cells,
    });
    reporter.start_progress(n_cells as u64, "revalidating");
    let cells = fanout::run(plan, engine, |c| {
        reporter.event(&fanout::Event::Cell {
            schema_version: crate::report::SCHEMA_VERSION,
            cell: c,
        });
        reporter.progress_inc(1);
    })
    .await;
    reporter.finish_progress();
    let report = fanout::report(plan, cells, started, engine.observed_stop());
    reporter.event(&fanout::Event::End {
        schema_version: crate::report::SCHEMA_VERSION,
        totals: &report.totals,
        stopped: report.stopped,
        exit_code: report.exit_code,
    });
    report
}

async fn verify_cmd(global: &GlobalArgs, a: crate::cli::VerifyArgs) -> Result<Code, Fail> {
    let settings = Settings::load(global, verify::flags(&a).0)?;
    let paths = collect_paths(&a.paths, Purpose::Pod)?;
    let plan = verify::Plan::build(&settings.resolved, &a, paths)?;
    log_plan(&settings, "verify", plan.paths.len(), plan.targets.len());
    let mut reporter = Reporter::new(settings.output, settings.color, settings.quiet);

    if settings.dry_run {
        let d = verify::dry_run(&plan);
        reporter.json(&d);
        for r in &d.requests {
            reporter.event(&serde_json::json!({"event": "request", "schema_version": d.schema_version, "request": r}));
        }
        reporter.human(&human::verify_dry_run(&d, &reporter.style()));
        return Ok(Code::Success);
    }

    let engine = Engine::new(
        http::client(
            &settings.limits,
            true,
            plan.targets.len() + usize::from(plan.through.is_some()),
        )?,
        settings.limits,
        CancellationToken::new(),
    );
    on_ctrl_c(&engine);
    let mut report = run_verify(&plan, &engine, &mut reporter).await;
    let mut save_error = None;
    if let Some(file) = &plan.save {
        match verify::Snapshot::from_report(&report).save(file) {
            Ok(()) => report.saved = Some(file.display().to_string()),
            Err(e) => {
                save_error = Some(format!("cannot write the snapshot {}: {e}", file.display()))
            }
        }
    }
    reporter.json(&report);
    reporter.human(&human::verify(&report, &reporter.style()));
    if let Some(e) = save_error {
        return Err(Fail {
            code: Code::Unexpected,
            message: e,
        });
    }
    Ok(report.code)
}

/// Runs verify with events and progress through `reporter`; returns the report (also for `demo`).
pub async fn run_verify(
    plan: &verify::Plan,
    engine: &Engine,
    reporter: &mut Reporter,
) -> verify::Report {
    reporter.event(&verify::Event::Start {
        schema_version: crate::report::SCHEMA_VERSION,
        command: "verify",
        targets: &plan.targets,
        through: plan.through.as_ref().map(|t| t.target.location()),
        paths: plan.paths.len(),
    });
    let per_path = plan.targets.len() + plan.through.as_ref().map_or(0, |t| t.samples as usize);
    reporter.start_progress((plan.paths.len() * per_path) as u64, "fetching");
    let report = verify::run(plan, engine, |p| match p {
        verify::Progress::Fetch(round, f) => {
            reporter.event(&verify::Event::Fetch {
                schema_version: crate::report::SCHEMA_VERSION,
                round,
                fetch: f,
            });
            if round == 1 {
                reporter.progress_inc(1);
            }
        }
        verify::Progress::Round {
            round,
            fresh,
            total,
        } => {
            reporter.event(&verify::Event::Round {
                schema_version: crate::report::SCHEMA_VERSION,
                round,
                fresh,
                paths: total,
            });
            reporter.progress_set(
                fresh as u64,
                total as u64,
                &format!("fresh after round {round}"),
            );
        }
    })
    .await;
    reporter.finish_progress();
    for v in &report.verdicts {
        reporter.event(&verify::Event::Verdict {
            schema_version: crate::report::SCHEMA_VERSION,
            verdict: v,
        });
    }
    reporter.event(&verify::Event::End {
        schema_version: crate::report::SCHEMA_VERSION,
        totals: &report.totals,
        stopped: report.stopped,
        exit_code: report.exit_code,
    });
    report
}
