//! revalidate: make Next.js ISR revalidation reach every replica, and prove it.
//!
//! The library behind the `revalidate` binary. Each step (fanout, verify, discover, cdn,
//! publish, watch, agent) is a module whose `step` function a command, a pipeline and tests call
//! in-process with one [`context::RunContext`] and the command's one [`report::Reporter`];
//! [`app::run`] is the command-line entry. The simulated Next.js fleet that `demo`, the
//! benchmarks and the tests use is its own crate, `revalidate-sim` (the `demo` feature).

pub mod app;
pub mod cdn;
pub mod choices;
pub mod cli;
pub mod config;
pub mod context;
#[cfg(feature = "demo")]
pub mod demo;
pub mod discover;
pub mod docs;
pub mod doctor;
pub mod error;
pub mod exit;
pub mod fanout;
pub mod fsutil;
pub mod label_selector;
pub mod nextjs;
pub mod paths;
pub mod report;
pub mod run;
pub mod secret;
pub mod serve;
pub mod sitemap;
pub mod tags;
pub mod targets;
pub mod transport;
pub mod units;
pub mod verify;

// Redis steps (issue 8).
pub mod agent;
pub mod publish;
pub mod redis;
pub mod roster;
pub mod watch;

/// Installs aws-lc-rs as the process's one rustls crypto provider. reqwest, redis, kube and the
/// AWS SDK all use rustls; with a single provider compiled in and installed first, none of them
/// has to guess (redis and kube panic when they would have to).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Sets up logging on stderr, through the secret redactor. -v info, -vv debug, -vvv trace (of this
/// crate), -vvvv trace of everything.
pub fn init_logging(verbose: u8, ansi: bool) {
    init_logging_as(verbose, ansi, crate::choices::LogFormat::Text);
}

/// [`init_logging`], as text or as one JSON object a line (`--log-format json`, for cluster log
/// pipelines); `verbose` already includes the command's floor ([`cli::Cli::log_floor`]).
pub fn init_logging_as(verbose: u8, ansi: bool, format: crate::choices::LogFormat) {
    use tracing_subscriber::EnvFilter;
    // The redis crate's own warnings (a cluster node it could not reach) repeat what the error
    // says, and aws-config's (no region from the instance metadata service) print the SDK's debug
    // structures: the error and its hint say it in words; -vvvv shows everything.
    let filter = match verbose {
        0 => "warn,redis=error,aws_config=error",
        1 => "warn,redis=error,aws_config=error,revalidate=info",
        2 => "warn,redis=error,aws_config=error,revalidate=debug",
        3 => "warn,redis=error,aws_config=error,revalidate=trace",
        _ => "trace",
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(filter))
        .with_writer(|| secret::RedactingWriter::new(std::io::stderr()))
        .with_target(false);
    let _ = match format {
        crate::choices::LogFormat::Text => builder.with_ansi(ansi).try_init(),
        crate::choices::LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
    };
}

/// Installs a panic hook that prints what std's would (the thread, where, the message, a
/// backtrace when `RUST_BACKTRACE` asks for one), through the secret redactor: a panic message
/// may quote a value, and every line this program writes is redacted.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        use std::io::Write;
        let thread = std::thread::current();
        let backtrace = std::backtrace::Backtrace::capture();
        let text = panic_report(
            thread.name().unwrap_or("<unnamed>"),
            info.location().map(ToString::to_string).as_deref(),
            info.payload_as_str().unwrap_or("Box<dyn Any>"),
            (backtrace.status() == std::backtrace::BacktraceStatus::Captured)
                .then(|| backtrace.to_string())
                .as_deref(),
        );
        let _ = std::io::stderr().write_all(text.as_bytes());
    }));
}

/// The panic hook's text, redacted: std's layout (`thread 'main' panicked at src/x.rs:1:2:`, the
/// message, then the backtrace or the note on how to get one).
pub fn panic_report(
    thread: &str,
    location: Option<&str>,
    message: &str,
    backtrace: Option<&str>,
) -> String {
    let at = location.map(|l| format!(" at {l}")).unwrap_or_default();
    let tail = match backtrace {
        Some(b) => format!("stack backtrace:\n{b}"),
        None => "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
            .to_string(),
    };
    let text = format!("\nthread '{thread}' panicked{at}:\n{message}\n{tail}");
    secret::redact(&text).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_one_crypto_provider_is_installed_and_usable() {
        super::install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        // Panics when no process-wide provider can be determined (e.g. two compiled in, none installed).
        let _ = rustls::ClientConfig::builder();
    }

    #[test]
    fn the_panic_report_is_std_s_layout_redacted() {
        crate::secret::register("Pn3panic-secret-Vq8");
        let text = super::panic_report(
            "tokio-runtime-worker",
            Some("src/x.rs:1:2"),
            "bad value \"pn3PANIC-secret-vq8\" (UG4zcGFuaWMtc2VjcmV0LVZxOA==)",
            None,
        );
        assert_eq!(
            text,
            "\nthread 'tokio-runtime-worker' panicked at src/x.rs:1:2:\nbad value \"<redacted>\" (<redacted>)\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
        );
        let text = super::panic_report("main", None, "m", Some("0: Pn3panic-secret-Vq8\n"));
        assert!(
            text.ends_with("stack backtrace:\n0: <redacted>\n"),
            "{text}"
        );
    }
}
