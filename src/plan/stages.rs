//! Which parts of the state a run reconciles.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stages {
    pub definitions: bool,
    pub event_types: bool,
    #[serde(default)]
    pub schedules: bool,
}
