use std::process::ExitCode;

use clap::Parser;

use activity_sync::cli::Cli;

/// See Cargo.toml: fewer, faster allocations for the many small JSON values of a big run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // A usage error quotes the argument: a `--source` URL may carry a token.
            eprint!("{}", activity_sync::redact::redact(&e.render().to_string()));
            return ExitCode::from(1);
        }
        Err(e) => {
            let _ = e.print();
            // Usage errors exit 1, never 2: 2 means "changes pending" to CI pipelines.
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    init_tracing(cli.verbose);
    match activity_sync::run(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!(
                "error: {}",
                activity_sync::redact::redact(&format!("{e:#}"))
            );
            ExitCode::from(1)
        }
    }
}

/// A run is a short batch job that allocates many small values in passing: with
/// transparent huge pages, each first touch of the allocator's 2 MiB-aligned regions faulted
/// in and zeroed a whole huge page. Off for this process only (never the system's setting):
/// a no-op plan of 1,000 definitions peaked at 62–73 MB with them and 43–46 MB without, for
/// the same CPU (docs/performance.md). (mimalloc's own `MIMALLOC_ALLOW_THP=0` does the same
/// from the environment, read before `main`.)
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `PR_SET_THP_DISABLE` takes integer arguments only and sets a flag of this
    // process; a kernel without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "activity_sync=debug,info",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
