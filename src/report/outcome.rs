//! How a run ended, as stored in `sync_runs.outcome` and printed in JSON.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Planned (plan) or written (apply) without error.
    Success,
    /// Refused for safety: nothing written (exit 3).
    Refused,
    /// `--strict` and invalid definitions: nothing written (exit 4).
    Invalid,
    /// Another writer held the scope: nothing written (exit 0, 3 with `--fail-on-lock`).
    LockSkipped,
    /// A source, the database or Temporal failed (exit 1). The report says what was
    /// committed before the failure.
    Failed,
    /// Everything else applied, but definitions, event types or schedules were refused
    /// because another scope or another definition holds what they claim (exit 1).
    Conflict,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Refused => "refused",
            Outcome::Invalid => "invalid",
            Outcome::LockSkipped => "lock_skipped",
            Outcome::Failed => "failed",
            Outcome::Conflict => "conflict",
        }
    }

    /// Whether the plan may be written at all.
    pub fn writes(self) -> bool {
        matches!(self, Outcome::Success | Outcome::Failed | Outcome::Conflict)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Plan,
    Apply,
    /// `diff`: a plan between two sets of sources, offline.
    Diff,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Plan => "plan",
            Mode::Apply => "apply",
            Mode::Diff => "diff",
        }
    }
}
