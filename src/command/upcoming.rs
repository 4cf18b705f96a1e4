//! `activity-sync upcoming`: offline, every fire of the sources' enabled cron and `once`
//! definitions in a window (SPEC §9). No database, no Temporal.

use anyhow::bail;
use chrono::Utc;

use crate::cli::UpcomingArgs;
use crate::error::Exit;
use crate::gather::Desired;
use crate::output::emit;
use crate::render::upcoming;
use crate::schedule::upcoming::Upcoming;

/// The longest window: a year (every daylight-saving change once, and a bounded scan).
const MAX_WITHIN_DAYS: u64 = 366;

pub fn run(args: &UpcomingArgs) -> anyhow::Result<Exit> {
    if args.within.as_secs() > MAX_WITHIN_DAYS * 86_400 {
        bail!("`--within` is at most {MAX_WITHIN_DAYS}d");
    }
    let desired = Desired::gather(&args.sources.sources);
    let from = args.now.unwrap_or_else(Utc::now);
    let to = from + chrono::Duration::from_std(args.within)?;
    let fires = Upcoming::compute(&desired.catalog, from, to);
    emit(&upcoming::render(&fires, &desired, args.format))?;
    Ok(exit_code(&desired, args.strict))
}

/// As `plan`: 1 when a source failed to read; 4 for an invalid definition with `--strict`;
/// else 0 (invalid files are reported and the valid definitions listed).
fn exit_code(desired: &Desired, strict: bool) -> Exit {
    if !desired.failed.is_empty() {
        Exit::Failure
    } else if strict && !desired.catalog.errors.is_empty() {
        Exit::Invalid
    } else {
        Exit::Success
    }
}
