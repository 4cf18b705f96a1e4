//! Exit codes of SPEC §6 (and 5 for `audit`, §8), decided in one place.

use std::process::ExitCode;

/// How a command ended, when it ended without an automation error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success (with `--detailed-exitcode`: no changes).
    Success,
    /// 1: automation error (a source, the database or Temporal failed).
    Failure,
    /// 2: `plan --detailed-exitcode` with changes pending.
    ChangesPending,
    /// 3: refused for safety.
    Refused,
    /// 4: invalid definitions.
    Invalid,
    /// 5: `audit` found a fire that was missed or whose workflow failed.
    FiresMissed,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::ChangesPending => 2,
            Exit::Refused => 3,
            Exit::Invalid => 4,
            Exit::FiresMissed => 5,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}
