//! The revision a source was read at, so that an apply never goes backwards (SPEC §7): the
//! commit of a `git::` source, or of the work tree a directory source lies in, with the
//! identity that says which earlier runs read "the same source".
//!
//! The identity does not depend on where a CI job checked the repository out: it is the
//! repository's remote `origin` URL (credentials redacted, a trailing `.git` or `/` and a
//! `file://` scheme dropped), or its path when it has no remote, then `//` and the folder
//! inside it. The ref is not part of it: applying an older tag of the same folder is going
//! backwards too. Two URL forms of one repository (ssh and https) are two identities.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use git2::{Commit, Repository, StatusOptions};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Which source this is, across runs and workspaces (see the module docs).
    pub identity: String,
    pub commit: String,
    pub committed_at: DateTime<Utc>,
    /// A directory source whose files differ from the commit (uncommitted changes).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dirty: bool,
    /// Where the history to compare commits lives on this machine (a local repository);
    /// `None` for a fetched one (only the ref's commit is fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<PathBuf>,
}

/// `url` (or a path) as an identity: credentials redacted, no `file://`, no trailing `.git`
/// or `/`; then `//folder` when the source is a folder inside the repository.
pub fn identity(url: &str, folder: Option<&str>) -> String {
    let url = crate::redact::redact(url);
    let mut repo = url.strip_prefix("file://").unwrap_or(&url);
    repo = repo.trim_end_matches('/');
    repo = repo.strip_suffix(".git").unwrap_or(repo);
    let folder = folder.map(|f| f.trim_matches('/')).unwrap_or("");
    format!("{repo}//{folder}")
}

/// The repository a local repository calls `origin`, else its path.
fn repository_name(repo: &Repository) -> String {
    repo.find_remote("origin")
        .ok()
        .and_then(|r| r.url().map(str::to_string))
        .unwrap_or_else(|| {
            let path = repo.workdir().unwrap_or_else(|| repo.path());
            path.display().to_string()
        })
}

fn committed_at(commit: &Commit) -> DateTime<Utc> {
    DateTime::from_timestamp(commit.committer().when().seconds(), 0).unwrap_or_default()
}

/// The revision of a `git::` source read at `commit`. `local`: the repository is on this
/// machine (its history can be read later, and its own remote names it).
pub fn of_git(
    repo: &Repository,
    url: &str,
    folder: Option<&str>,
    commit: &Commit,
    local: bool,
) -> Revision {
    let name = if local {
        repository_name(repo)
    } else {
        url.to_string()
    };
    Revision {
        identity: identity(&name, folder),
        commit: commit.id().to_string(),
        committed_at: committed_at(commit),
        dirty: false,
        history: local.then(|| repo.path().to_path_buf()),
    }
}

/// The revision of a directory source that lies in a git work tree (a CI checkout), or
/// `None` (a mounted ConfigMap, a plain folder, a repository without commits).
pub fn of_directory(dir: &Path) -> Option<Revision> {
    // Most directory sources (a mounted ConfigMap, a temporary folder) are in no repository:
    // say so without starting libgit2, whose first use loads the system's certificates.
    if !dir.ancestors().any(looks_like_a_repository) {
        return None;
    }
    let repo = Repository::discover(dir).ok()?;
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let dir = dir.canonicalize().ok()?;
    let folder = dir
        .strip_prefix(&workdir)
        .ok()?
        .to_string_lossy()
        .to_string();
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    let mut options = StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    if !folder.is_empty() {
        options.pathspec(&folder);
    }
    let dirty = repo
        .statuses(Some(&mut options))
        .map(|s| !s.is_empty())
        .unwrap_or(false);
    Some(Revision {
        identity: identity(&repository_name(&repo), Some(&folder)),
        commit: head.id().to_string(),
        committed_at: committed_at(&head),
        dirty,
        history: Some(repo.path().to_path_buf()),
    })
}

/// Whether `dir` is where `Repository::discover` would find a repository: a work tree's
/// `.git` (a folder, or a file of a linked work tree or submodule), or a bare repository.
fn looks_like_a_repository(dir: &Path) -> bool {
    dir.join(".git").exists() || (dir.join("HEAD").is_file() && dir.join("objects").is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_do_not_depend_on_the_checkout() {
        assert_eq!(
            identity(
                "https://deploy:tok@github.com/org/defs.git",
                Some("activity")
            ),
            "https://deploy:***@github.com/org/defs//activity"
        );
        assert_eq!(
            identity("https://github.com/org/defs", Some("/activity/")),
            identity("https://github.com/org/defs.git/", Some("activity"))
        );
        assert_eq!(identity("file:///srv/defs.git", None), "/srv/defs//");
        assert_eq!(
            identity("/srv/defs", None),
            identity("file:///srv/defs", None)
        );
    }
}
