//! One module per subcommand: build what the command needs, run it, pick the exit code.

pub mod export;
pub mod migrate;
pub mod status;
pub mod sync;
pub mod validate;
