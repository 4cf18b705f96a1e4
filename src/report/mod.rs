//! The report of a plan or apply run: one value, printed in one place, recorded in one place
//! and mapped to an exit code in one `From` impl — failed, refused and lock-skipped runs
//! included (kube-rs returns an `Action` from a reconcile; this is ours).

mod outcome;
mod published;
#[allow(clippy::module_inception)]
mod report;

pub use outcome::{Mode, Outcome};
pub use published::Published;
pub use report::{MAX_ERRORS, Report};
