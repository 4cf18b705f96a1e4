//! Sources of desired state (SPEC §3): where definition files are read from.

mod configmap;
mod configmap_data;
mod dir;
mod fetch;
mod git;
mod git_credentials;
mod known_hosts;
mod kube_config;
mod manifest;
mod revision;
mod spec;
mod ssh;

use std::path::PathBuf;

pub use revision::Revision;
pub use spec::SourceSpec;

use crate::definition::{Diagnostic, SourceFile};

/// What one source handed over.
#[derive(Debug, Clone)]
pub struct SourceRead {
    /// The source as the operator wrote it.
    pub label: String,
    /// The commit read, for git sources.
    pub commit: Option<String>,
    /// The revision, for git sources and directories in a git work tree.
    pub revision: Option<Revision>,
    /// The `resourceVersion` of a live ConfigMap.
    pub resource_version: Option<String>,
    /// Every `.md` file, sorted by `rel_path`.
    pub files: Vec<SourceFile>,
    /// Files the source refused to hand over: `(rel_path, why)`.
    pub refused: Vec<(String, Diagnostic)>,
}

/// A whole source failed: nothing it would have said can be trusted.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("source `{path}` does not exist")]
    Missing { path: PathBuf },
    #[error("{path}:{line}:{col}: {message}")]
    Manifest {
        path: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("git source `{url}`: {message}")]
    Git { url: String, message: String },
    #[error("invalid source `{spec}`: {message}")]
    Spec { spec: String, message: String },
    #[error("ConfigMap source `{spec}`: {message}")]
    ConfigMap { spec: String, message: String },
}

impl SourceSpec {
    /// Reads every definition file of the source.
    pub fn read(&self) -> Result<SourceRead, SourceError> {
        let label = self.to_string();
        let mut read = match self {
            SourceSpec::Path(path) => {
                let mut read = dir::read(path)?;
                read.revision = revision::of_directory(path);
                read
            }
            SourceSpec::Manifest(path) => manifest::read(path)?,
            SourceSpec::Git {
                url,
                subdir,
                reference,
            } => git::read(url, subdir.as_deref(), reference.as_deref())?,
            SourceSpec::ConfigMap { namespace, name } => configmap::read(namespace, name, &label)?,
        };
        read.label = label;
        read.files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        Ok(read)
    }
}

/// Whether a path component is hidden (dot file): skipped by every source.
fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

fn is_markdown(name: &str) -> bool {
    name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(".md")
}

/// Text of a file's bytes, or why it is refused.
fn decode(bytes: Vec<u8>, source_path: &str) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::file(
            source_path,
            format!(
                "file is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}
