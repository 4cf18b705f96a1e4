//! One run of `plan` or `apply` as a pipeline of values (DESIGN.md):
//!
//! ```text
//! args ──► RunConfig ──► Input ──► Actual ──► Plan ──► Applied ──► Report ──► Exit
//! ```
//!
//! [`RunConfig`] is the last place the command line is seen; [`Input`] is the sources'
//! desired state or a saved plan; the actual state is read once ([`read`]); the pure planner
//! makes the plan; the executor returns what it did; the [`Report`](crate::report::Report)
//! is printed once and recorded once ([`finish`]), whatever happened after the arguments
//! parsed.

mod config;
mod diff;
mod finish;
mod input;
mod pipeline;
mod progress_line;
mod read;
mod rollback;
mod rows;

pub use config::{RunConfig, StageFlags};
pub use diff::{DiffConfig, diff, run as run_diff};
pub use input::Input;
pub use pipeline::run;
pub use rows::{ROWS_SOURCE, desired_from_rows};
