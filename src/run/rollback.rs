//! Never backwards (SPEC §7): a source read at a commit strictly older than the one the
//! scope's last apply read from the same source is refused, unless `--allow-rollback`.
//!
//! "Older" is decided by the commit graph where this machine holds the history (a local
//! repository or a CI checkout: the new commit is an ancestor of the applied one), and by
//! the commit times where it does not (a fetched `git::` URL, a shallow clone that lacks
//! the applied commit, or two commits on diverged histories). A revert is a new commit,
//! descending from what was applied: never refused.

use chrono::{DateTime, Utc};
use git2::{Oid, Repository};

use crate::gather::SourceInfo;
use crate::source::Revision;

/// How a source's revision relates to the one the scope last applied from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lineage {
    Same,
    Newer,
    /// Older, and the evidence that decided it.
    Older(Evidence),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// The commit is an ancestor of the applied one.
    Ancestry,
    /// Committed earlier, where the history to compare them is not at hand.
    CommitTime,
}

impl Evidence {
    fn says(self) -> &'static str {
        match self {
            Evidence::Ancestry => "it is an ancestor of the applied commit",
            Evidence::CommitTime => {
                "it was committed earlier (decided by commit time: the history to compare them is not available here)"
            }
        }
    }
}

/// Compares `now` with `applied` (same identity).
pub fn lineage(now: &Revision, applied: &Revision) -> Lineage {
    if now.commit == applied.commit {
        return Lineage::Same;
    }
    if let Some(path) = &now.history
        && let Ok(repo) = Repository::open(path)
        && let (Ok(new), Ok(old)) = (Oid::from_str(&now.commit), Oid::from_str(&applied.commit))
        && repo.find_commit(new).is_ok()
        && repo.find_commit(old).is_ok()
    {
        if repo.graph_descendant_of(old, new).unwrap_or(false) {
            return Lineage::Older(Evidence::Ancestry);
        }
        if repo.graph_descendant_of(new, old).unwrap_or(false) {
            return Lineage::Newer;
        }
        // Diverged histories (a force push, another branch): the commit times decide.
    }
    if now.committed_at < applied.committed_at {
        Lineage::Older(Evidence::CommitTime)
    } else {
        Lineage::Newer
    }
}

/// One message per source that would go backwards; empty when none does.
pub fn backwards(
    sources: &[SourceInfo],
    applied: &[(Revision, DateTime<Utc>)],
    scope: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for source in sources {
        let Some(now) = &source.revision else {
            continue;
        };
        let Some((last, at)) = applied.iter().find(|(r, _)| r.identity == now.identity) else {
            continue;
        };
        if let Lineage::Older(evidence) = lineage(now, last) {
            out.push((
                source.source.clone(),
                format!(
                    "source `{}` is at commit {} ({}), older than commit {} ({}) that scope `{scope}` applied at {}: {}; nothing applied. To undo a change, commit a revert; `--allow-rollback` applies the older commit anyway",
                    source.source,
                    short(&now.commit),
                    now.committed_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    short(&last.commit),
                    last.committed_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    at.format("%Y-%m-%d %H:%M:%S UTC"),
                    evidence.says()
                ),
            ));
        }
    }
    out
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(commit: &str, day: u32) -> Revision {
        Revision {
            identity: "/srv/defs//defs".into(),
            commit: commit.into(),
            committed_at: DateTime::parse_from_rfc3339(&format!("2026-01-{day:02}T00:00:00Z"))
                .unwrap()
                .with_timezone(&Utc),
            dirty: false,
            history: None,
        }
    }

    #[test]
    fn without_history_the_commit_time_decides() {
        let applied = revision("b", 2);
        assert_eq!(lineage(&revision("b", 2), &applied), Lineage::Same);
        assert_eq!(
            lineage(&revision("a", 1), &applied),
            Lineage::Older(Evidence::CommitTime)
        );
        assert_eq!(lineage(&revision("c", 3), &applied), Lineage::Newer);
        // The same second is not strictly older.
        assert_eq!(lineage(&revision("d", 2), &applied), Lineage::Newer);
    }

    #[test]
    fn only_the_same_source_is_compared() {
        let source = |identity: &str, commit: &str, day| SourceInfo {
            source: "defs".into(),
            commit: None,
            resource_version: None,
            revision: Some(Revision {
                identity: identity.into(),
                ..revision(commit, day)
            }),
            files: 1,
        };
        let applied = vec![(revision("b", 2), Utc::now())];
        assert!(backwards(&[source("/other//defs", "a", 1)], &applied, "s").is_empty());
        let refused = backwards(&[source("/srv/defs//defs", "a", 1)], &applied, "s");
        assert_eq!(refused.len(), 1);
        assert!(refused[0].1.contains("commit time"), "{}", refused[0].1);
        assert!(
            refused[0].1.contains("--allow-rollback"),
            "{}",
            refused[0].1
        );
    }
}
