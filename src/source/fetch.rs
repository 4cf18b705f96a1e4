//! Fetch what a ref needs, not the repository: the ref is resolved against the remote's
//! advertisement, then only its commit is fetched, shallow (depth 1), into a bare
//! repository in a temporary directory. A full fetch happens only where the server refuses
//! a shallow one, or the ref is an expression the remote cannot resolve (`main~2`, an
//! abbreviated SHA); either is logged.
//!
//! Later work that needs history (is this commit older than the last one applied?) fetches
//! it explicitly; a run never pays for the whole history by default.

use git2::{AutotagOption, Direction, FetchOptions, Oid, RemoteCallbacks, Repository};

use super::ssh::{Ssh, SshError};

/// A bare repository holding the commit a ref names; removed when dropped.
pub struct Fetched {
    pub repo: Repository,
    pub commit: Oid,
    /// Keep it alive until the read is done: dropping it removes the repository.
    pub dir: tempfile::TempDir,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot create a directory to fetch into: {0}")]
    TempDir(std::io::Error),
    #[error(transparent)]
    Ssh(Box<SshError>),
    #[error("clone failed: {0}")]
    Connect(String),
    #[error(
        "cannot resolve ref `{reference}` to a commit: the remote has no branch or tag `{reference}`"
    )]
    NoRef { reference: String },
    #[error("cannot resolve ref `{reference}` to a commit: {message}")]
    Resolve { reference: String, message: String },
    #[error("fetch of `{what}` failed: {message}")]
    Fetch { what: String, message: String },
}

/// What to ask the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Want {
    /// An advertised ref (`refs/heads/main`, `refs/tags/v1`, `HEAD`) and the object it names.
    Ref { name: String, object: Oid },
    /// A full commit SHA no ref points at.
    Commit(Oid),
    /// Something only a full history can resolve.
    Everything,
}

pub fn fetch(url: &str, reference: Option<&str>) -> Result<Fetched, FetchError> {
    let dir = tempfile::Builder::new()
        .prefix("activity-sync-git-")
        .tempdir()
        .map_err(FetchError::TempDir)?;
    let repo = Repository::init_bare(dir.path()).map_err(|e| FetchError::Connect(text(&e)))?;
    let ssh = Ssh::for_url(url);
    let fail = |e: &git2::Error| -> FetchError {
        match ssh.as_ref().and_then(|s| s.explain(e)) {
            Some(ssh) => FetchError::Ssh(Box::new(ssh)),
            None => FetchError::Connect(text(e)),
        }
    };
    let callbacks = || match &ssh {
        Some(ssh) => ssh.callbacks(),
        None => super::git_credentials::callbacks(),
    };
    // libgit2's local transport has no shallow fetch; a local copy is cheap anyway.
    let shallow = !url.starts_with("file://");

    let commit = {
        let mut remote = repo.remote_anonymous(url).map_err(|e| fail(&e))?;
        let mut connection = remote
            .connect_auth(Direction::Fetch, Some(callbacks()), None)
            .map_err(|e| fail(&e))?;
        let heads: Vec<(String, Oid)> = connection
            .list()
            .map_err(|e| fail(&e))?
            .iter()
            .map(|h| (h.name().to_string(), h.oid()))
            .collect();
        let want = resolve_remote(&heads, reference)?;
        let (refspec, object) = match &want {
            Want::Ref { name, object } => (name.clone(), Some(*object)),
            Want::Commit(oid) => (oid.to_string(), Some(*oid)),
            Want::Everything => (String::new(), None),
        };
        let attempt = match object {
            Some(object) => {
                let mut options = FetchOptions::new();
                options
                    .remote_callbacks(callbacks())
                    .download_tags(AutotagOption::None)
                    .update_fetchhead(false);
                if shallow {
                    options.depth(1);
                }
                connection
                    .remote()
                    .download(&[refspec.as_str()], Some(&mut options))
                    .map(|()| object)
            }
            None => Err(git2::Error::from_str("needs the full history")),
        };
        match attempt {
            Ok(object) => Some(object),
            Err(e) if object.is_none() || refused_shallow(&e) => {
                tracing::warn!(
                    url = %crate::redact::redact(url),
                    reference = reference.unwrap_or("HEAD"),
                    reason = %text(&e),
                    "fetching the whole repository: the server or the ref does not allow a shallow fetch of just this commit"
                );
                None
            }
            Err(e) => {
                return Err(match ssh.as_ref().and_then(|s| s.explain(&e)) {
                    Some(ssh) => FetchError::Ssh(Box::new(ssh)),
                    None => FetchError::Fetch {
                        what: refspec,
                        message: text(&e),
                    },
                });
            }
        }
    };
    let commit = match commit {
        Some(object) => repo
            .find_object(object, None)
            .and_then(|o| o.peel_to_commit())
            .map_err(|e| FetchError::Resolve {
                reference: reference.unwrap_or("HEAD").to_string(),
                message: text(&e),
            })?
            .id(),
        None => {
            full_fetch(&repo, url, &callbacks, &fail)?;
            resolve_local(&repo, reference.unwrap_or("HEAD")).map_err(|e| FetchError::Resolve {
                reference: reference.unwrap_or("HEAD").to_string(),
                message: text(&e),
            })?
        }
    };
    Ok(Fetched { repo, commit, dir })
}

/// Every branch and tag, whole: the fallback where a shallow fetch of the ref is refused.
fn full_fetch<'a>(
    repo: &Repository,
    url: &str,
    callbacks: &dyn Fn() -> RemoteCallbacks<'a>,
    fail: &dyn Fn(&git2::Error) -> FetchError,
) -> Result<(), FetchError> {
    let mut remote = repo.remote_anonymous(url).map_err(|e| fail(&e))?;
    let mut options = FetchOptions::new();
    options
        .remote_callbacks(callbacks())
        .download_tags(AutotagOption::All)
        .update_fetchhead(false);
    remote
        .fetch(
            &[
                "+refs/heads/*:refs/remotes/origin/*",
                "+refs/tags/*:refs/tags/*",
                "+HEAD:refs/remotes/origin/HEAD",
            ],
            Some(&mut options),
            None,
        )
        .map_err(|e| fail(&e))
}

/// Whether `error` is the server (or transport) declining a shallow or by-SHA fetch.
fn refused_shallow(error: &git2::Error) -> bool {
    const GIT_ENOTSUPPORTED: i32 = -39; // the local transport
    let message = error.message();
    error.raw_code() == GIT_ENOTSUPPORTED
        || message.contains("server doesn't support shallow")
        || message.contains("cannot fetch a specific object from the remote repository")
}

/// The ref as the remote advertises it: a branch, then a tag, then a full ref name, then a
/// full commit SHA; names it does not know are an error without fetching anything.
fn resolve_remote(heads: &[(String, Oid)], reference: Option<&str>) -> Result<Want, FetchError> {
    let find = |name: &str| heads.iter().find(|(n, _)| n == name).map(|(_, o)| *o);
    let Some(reference) = reference else {
        return find("HEAD")
            .map(|object| Want::Ref {
                name: "HEAD".into(),
                object,
            })
            .ok_or_else(|| FetchError::NoRef {
                reference: "HEAD".into(),
            });
    };
    for name in [
        format!("refs/heads/{reference}"),
        format!("refs/tags/{reference}"),
        reference.to_string(),
    ] {
        if let Some(object) = find(&name) {
            return Ok(Want::Ref { name, object });
        }
    }
    let hex = !reference.is_empty() && reference.chars().all(|c| c.is_ascii_hexdigit());
    if hex && reference.len() == 40 {
        let oid = Oid::from_str(reference).map_err(|e| FetchError::Resolve {
            reference: reference.into(),
            message: text(&e),
        })?;
        // A commit a ref points at (a peeled tag included) is fetched through that ref,
        // which every server allows.
        return Ok(heads
            .iter()
            .find(|(_, o)| *o == oid)
            .map(|(name, _)| Want::Ref {
                name: name.trim_end_matches("^{}").to_string(),
                object: oid,
            })
            .unwrap_or(Want::Commit(oid)));
    }
    let plain_name = reference
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if plain_name && !hex {
        return Err(FetchError::NoRef {
            reference: reference.into(),
        });
    }
    Ok(Want::Everything)
}

/// After a full fetch: remote-tracking branches, then tags, then any revision expression.
fn resolve_local(repo: &Repository, reference: &str) -> Result<Oid, git2::Error> {
    for name in [
        format!("refs/remotes/origin/{reference}"),
        format!("refs/tags/{reference}"),
    ] {
        if let Ok(found) = repo.find_reference(&name) {
            return Ok(found.peel_to_commit()?.id());
        }
    }
    Ok(repo.revparse_single(reference)?.peel_to_commit()?.id())
}

fn text(error: &git2::Error) -> String {
    error.message().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn refs_resolve_on_the_remote() {
        let heads = vec![
            ("HEAD".to_string(), oid(1)),
            ("refs/heads/main".to_string(), oid(1)),
            ("refs/heads/v1".to_string(), oid(2)),
            ("refs/tags/v1".to_string(), oid(3)),
            ("refs/tags/v1^{}".to_string(), oid(4)),
            ("refs/pull/7/head".to_string(), oid(5)),
        ];
        let want = |r: Option<&str>| resolve_remote(&heads, r).unwrap();
        let by_ref = |name: &str, n| Want::Ref {
            name: name.into(),
            object: oid(n),
        };
        assert_eq!(want(None), by_ref("HEAD", 1));
        assert_eq!(want(Some("main")), by_ref("refs/heads/main", 1));
        // A branch wins over a tag of the same name, as git's own lookup order has it.
        assert_eq!(want(Some("v1")), by_ref("refs/heads/v1", 2));
        assert_eq!(want(Some("refs/tags/v1")), by_ref("refs/tags/v1", 3));
        assert_eq!(
            want(Some("refs/pull/7/head")),
            by_ref("refs/pull/7/head", 5)
        );
        // A SHA that a ref (or a peeled tag) points at goes through that ref.
        assert_eq!(want(Some(&oid(4).to_string())), by_ref("refs/tags/v1", 4));
        assert_eq!(want(Some(&oid(9).to_string())), Want::Commit(oid(9)));
        assert_eq!(want(Some("abc1234")), Want::Everything);
        assert_eq!(want(Some("main~1")), Want::Everything);
        assert!(matches!(
            resolve_remote(&heads, Some("nope")),
            Err(FetchError::NoRef { .. })
        ));
    }
}
