//! The `revalidate` binary: build the runtime, parse, run, exit with the step's code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    revalidate::install_panic_hook();
    let cli = revalidate::cli::Cli::parse();
    revalidate::install_crypto_provider();
    let display = revalidate::report::Display::resolve(
        cli.global.output,
        cli.global.color,
        cli.global.quiet,
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
        revalidate::report::EnvView::from_env(),
    );
    revalidate::init_logging_as(
        cli.global.verbose.max(cli.log_floor()),
        display.color_stderr,
        cli.global.log_format,
    );
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if !cli.wants_threads() {
        builder.worker_threads(1);
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return revalidate::exit::Code::Unexpected.into();
        }
    };
    let code = runtime.block_on(revalidate::app::run(cli));
    // Requests still in flight after an interrupt must not hold the exit.
    runtime.shutdown_background();
    code.into()
}
