//! A directory of `.md` files, or a mounted ConfigMap volume.
//!
//! A ConfigMap volume holds each key three times: `..2026_11_22_…/key` (the real file),
//! `..data` (a symlink to that directory) and `key` (a symlink to `..data/key`). Hidden
//! entries are skipped, so each definition is read once, through its top-level link.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{SourceError, SourceRead, decode, is_hidden, is_markdown};
use crate::definition::{Diagnostic, MAX_FILE_BYTES, SourceFile};

pub fn read(root: &Path) -> Result<SourceRead, SourceError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SourceError::Io { path, source }
    };
    let meta = std::fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SourceError::Missing {
            path: root.to_path_buf(),
        },
        _ => SourceError::Io {
            path: root.to_path_buf(),
            source: e,
        },
    })?;
    let mut read = SourceRead {
        label: String::new(),
        commit: None,
        revision: None,
        resource_version: None,
        files: Vec::new(),
        refused: Vec::new(),
    };
    if meta.is_file() {
        let parent = root.parent().unwrap_or(Path::new("."));
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let canonical_parent = parent.canonicalize().map_err(io(parent))?;
        take(
            &mut read,
            root,
            &name,
            &display(root),
            &canonical_parent,
            &meta,
        )?;
        return Ok(read);
    }
    let canonical_root = root.canonicalize().map_err(io(root))?;
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                // A broken link or a loop: report the file, keep reading the others.
                let path = err.path().map(Path::to_path_buf).unwrap_or_default();
                let rel = relative(root, &path);
                let source_path = display(&path);
                read.refused.push((
                    rel,
                    Diagnostic::file(&source_path, format!("cannot read: {err}")),
                ));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || !is_markdown(&name) {
            continue;
        }
        let path = entry.path();
        let rel = relative(root, path);
        let meta = entry.metadata().map_err(|e| SourceError::Io {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        take(
            &mut read,
            path,
            &rel,
            &display(path),
            &canonical_root,
            &meta,
        )?;
    }
    Ok(read)
}

/// Reads one file into `read`, refusing it when it resolves outside `canonical_root` or is
/// too big.
fn take(
    read: &mut SourceRead,
    path: &Path,
    rel: &str,
    source_path: &str,
    canonical_root: &Path,
    meta: &std::fs::Metadata,
) -> Result<(), SourceError> {
    let refuse = |read: &mut SourceRead, message: String| {
        read.refused
            .push((rel.to_string(), Diagnostic::file(source_path, message)));
    };
    let resolved = match path.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            refuse(read, format!("cannot resolve path: {e}"));
            return Ok(());
        }
    };
    if !resolved.starts_with(canonical_root) {
        // Name the link as written, not where it lands: messages stay the same on every
        // machine and say what to fix.
        let message = match std::fs::read_link(path) {
            Ok(target) => format!(
                "symlink to `{}` resolves outside the source root; refused",
                display(&target)
            ),
            Err(_) => "path resolves outside the source root (through a linked directory); refused"
                .to_string(),
        };
        refuse(read, message);
        return Ok(());
    }
    if meta.len() > MAX_FILE_BYTES {
        read.refused.push((
            rel.to_string(),
            Diagnostic::oversized(source_path, meta.len()),
        ));
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    match decode(bytes, source_path) {
        Ok(text) => read.files.push(SourceFile {
            source_path: source_path.to_string(),
            rel_path: rel.to_string(),
            text,
        }),
        Err(d) => read.refused.push((rel.to_string(), d)),
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    display(&rel)
}

/// Forward slashes on every platform, so paths in plans and rows are stable.
fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
