//! A git repository at a branch, tag or commit, read through libgit2 without a checkout.
//!
//! A local path is opened in place (nothing is written to it); any URL (including
//! `file://`, `ssh://` and scp-like `git@host:org/repo.git`) is fetched bare into a
//! temporary directory that is removed afterwards: only the commit the ref names, shallow,
//! where the server allows it (see `fetch.rs`; SSH settings in `ssh.rs`).

use std::path::{Component, Path, PathBuf};

use git2::{ObjectType, Repository, Tree};

use super::{SourceError, SourceRead, decode, fetch, is_hidden, is_markdown, revision};
use crate::definition::{Diagnostic, MAX_FILE_BYTES, SourceFile};

const SYMLINK_MODE: i32 = 0o120000;
const MAX_SYMLINK_HOPS: usize = 8;

pub fn read(
    url: &str,
    subdir: Option<&str>,
    reference: Option<&str>,
) -> Result<SourceRead, SourceError> {
    // Messages and labels name the repository without its credentials (the clone uses `url`).
    let fail = |message: String| SourceError::Git {
        url: crate::redact::redact(url),
        message: crate::redact::redact(&message),
    };
    let git = |e: git2::Error| fail(e.message().to_string());
    let local = !url.contains("://") && Path::new(url).exists();
    let reference_shown = reference.unwrap_or("HEAD");
    // A remote is fetched into a temporary directory kept alive until the read is done.
    let (repo, commit, _fetched_dir) = if local {
        let repo = Repository::open(url).map_err(git)?;
        let commit = resolve(&repo, reference_shown)
            .map(|c| c.id())
            .map_err(|e| {
                fail(format!(
                    "cannot resolve ref `{reference_shown}` to a commit: {}",
                    e.message()
                ))
            })?;
        (repo, commit, None)
    } else {
        let fetched = fetch::fetch(url, reference).map_err(|e| fail(e.to_string()))?;
        (fetched.repo, fetched.commit, Some(fetched.dir))
    };
    let commit = repo.find_commit(commit).map_err(git)?;
    let sha = commit.id().to_string();
    let tree = commit.tree().map_err(git)?;
    let root = match subdir {
        None => tree,
        Some(sub) => {
            let entry = tree
                .get_path(Path::new(sub))
                .map_err(|_| fail(format!("no directory `{sub}` at commit {sha}")))?;
            entry
                .to_object(&repo)
                .and_then(|o| o.peel_to_tree())
                .map_err(|_| fail(format!("`{sub}` is not a directory at commit {sha}")))?
        }
    };
    let prefix = subdir.map(|s| format!("{s}/")).unwrap_or_default();
    let mut read = SourceRead {
        label: String::new(),
        commit: Some(sha.clone()),
        revision: Some(revision::of_git(&repo, url, subdir, &commit, local)),
        resource_version: None,
        files: Vec::new(),
        refused: Vec::new(),
    };
    let walker = Walker {
        repo: &repo,
        root: &root,
        source_prefix: format!(
            "git::{}@{}:{prefix}",
            crate::redact::redact(url),
            &sha[..12]
        ),
    };
    walker.walk(&root, Path::new(""), &mut read).map_err(git)?;
    Ok(read)
}

/// A ref of a repository opened in place: a branch, a tag, a remote-tracking branch, then
/// any revision expression.
fn resolve<'r>(repo: &'r Repository, reference: &str) -> Result<git2::Commit<'r>, git2::Error> {
    for name in [
        format!("refs/heads/{reference}"),
        format!("refs/tags/{reference}"),
        format!("refs/remotes/origin/{reference}"),
    ] {
        if let Ok(found) = repo.find_reference(&name) {
            return found.peel_to_commit();
        }
    }
    repo.revparse_single(reference)?.peel_to_commit()
}

struct Walker<'a> {
    repo: &'a Repository,
    root: &'a Tree<'a>,
    source_prefix: String,
}

impl Walker<'_> {
    fn walk(&self, tree: &Tree<'_>, dir: &Path, read: &mut SourceRead) -> Result<(), git2::Error> {
        for entry in tree.iter() {
            let Some(name) = entry.name() else { continue };
            if is_hidden(name) {
                continue;
            }
            let path = dir.join(name);
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    let sub = entry.to_object(self.repo)?.peel_to_tree()?;
                    self.walk(&sub, &path, read)?;
                }
                Some(ObjectType::Blob) if is_markdown(name) => {
                    let rel = path.to_string_lossy().replace('\\', "/");
                    let source_path = format!("{}{rel}", self.source_prefix);
                    match self.content(&entry, &path, &source_path) {
                        Ok(text) => read.files.push(SourceFile {
                            source_path,
                            rel_path: rel,
                            text,
                        }),
                        Err(d) => read.refused.push((rel, d)),
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The text of a blob, following symlinks that stay inside the source root.
    fn content(
        &self,
        entry: &git2::TreeEntry<'_>,
        path: &Path,
        source_path: &str,
    ) -> Result<String, Diagnostic> {
        let git = |e: git2::Error| Diagnostic::file(source_path, e.message().to_string());
        let odb = self.repo.odb().map_err(git)?;
        let mut id = entry.id();
        let mut mode = entry.filemode();
        let mut at = path.to_path_buf();
        for _ in 0..MAX_SYMLINK_HOPS {
            // The size from the object's header, before its content is read: a blob over the
            // limit is never inflated into memory (as a directory source checks the file's
            // metadata first). Links are blobs too, held to the same limit.
            let (size, _) = odb.read_header(id).map_err(git)?;
            if size as u64 > MAX_FILE_BYTES {
                return Err(Diagnostic::oversized(source_path, size as u64));
            }
            let blob = self.repo.find_blob(id).map_err(git)?;
            if mode != SYMLINK_MODE {
                return decode(blob.content().to_vec(), source_path);
            }
            let target = String::from_utf8_lossy(blob.content()).into_owned();
            let resolved = resolve_link(&at, &target).ok_or_else(|| {
                Diagnostic::file(
                    source_path,
                    format!("symlink to `{target}` resolves outside the source root; refused"),
                )
            })?;
            let next = self.root.get_path(&resolved).map_err(|_| {
                Diagnostic::file(source_path, format!("symlink to `{target}` is dangling"))
            })?;
            mode = next.filemode();
            id = next.id();
            at = resolved;
        }
        Err(Diagnostic::file(
            source_path,
            format!("more than {MAX_SYMLINK_HOPS} levels of symlinks"),
        ))
    }
}

/// Where a link at `link` (relative to the root) pointing at `target` lands, if inside.
fn resolve_link(link: &Path, target: &str) -> Option<PathBuf> {
    let target = Path::new(target);
    if target.is_absolute() {
        return None;
    }
    let mut out = PathBuf::new();
    for component in link
        .parent()
        .unwrap_or(Path::new(""))
        .join(target)
        .components()
    {
        match component {
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_and_outside_the_root() {
        assert_eq!(
            resolve_link(Path::new("a/b.md"), "c.md"),
            Some("a/c.md".into())
        );
        assert_eq!(
            resolve_link(Path::new("a/b.md"), "../c.md"),
            Some("c.md".into())
        );
        assert_eq!(resolve_link(Path::new("b.md"), "../c.md"), None);
        assert_eq!(resolve_link(Path::new("a/b.md"), "/etc/passwd"), None);
        assert_eq!(resolve_link(Path::new("a/b.md"), "./../../x"), None);
    }
}
