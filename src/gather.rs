//! Gather: every source → the desired state of the run.

use serde::{Deserialize, Serialize};

use crate::definition::{Catalog, SourceFile};
use crate::source::{Revision, SourceSpec};

/// The desired state, and how reading it went.
#[derive(Debug, Clone)]
pub struct Desired {
    pub catalog: Catalog,
    pub sources: Vec<SourceInfo>,
    /// Sources that failed as a whole: nothing may be retired or deleted on their account.
    pub failed: Vec<SourceFailure>,
    /// Every file read, for `export`.
    pub files: Vec<SourceFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Which revision of which source was read, for "never backwards" (SPEC §7); recorded in
    /// `sync_runs` with the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Revision>,
    /// The `resourceVersion` of a live ConfigMap source: which version of the object was
    /// read (opaque: it orders nothing, so "never backwards" does not apply to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
    pub files: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFailure {
    pub source: String,
    pub message: String,
}

impl Desired {
    /// Reads all sources; a failing source is recorded, the others are still read.
    pub fn gather(specs: &[SourceSpec]) -> Desired {
        let mut files = Vec::new();
        let mut refused = Vec::new();
        let mut sources = Vec::new();
        let mut failed = Vec::new();
        for spec in specs {
            match spec.read() {
                Ok(read) => {
                    tracing::debug!(source = %read.label, files = read.files.len(), "read source");
                    sources.push(SourceInfo {
                        source: read.label,
                        commit: read.commit,
                        revision: read.revision,
                        resource_version: read.resource_version,
                        files: read.files.len(),
                    });
                    files.extend(read.files);
                    refused.extend(read.refused);
                }
                Err(e) => {
                    tracing::error!(source = %spec, error = %e, "source failed");
                    failed.push(SourceFailure {
                        source: spec.to_string(),
                        message: crate::redact::redact(&e.to_string()),
                    });
                }
            }
        }
        let catalog = Catalog::build(&files, refused);
        Desired {
            catalog,
            sources,
            failed,
            files,
        }
    }
}
