//! git over SSH: who we are (a deploy key file, else the ssh-agent) and whom we talk to (the
//! host key, checked against a `known_hosts` file; an unknown or changed key is refused).
//!
//! Settings, named after what Flux and Argo CD keep in their repository Secrets
//! (`identity`, `known_hosts`):
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `ACTIVITY_SYNC_GIT_SSH_KEY` | private key file (the `identity`) | the ssh-agent at `SSH_AUTH_SOCK` |
//! | `ACTIVITY_SYNC_GIT_SSH_KEY_PASSPHRASE` | its passphrase, if it has one | none |
//! | `ACTIVITY_SYNC_GIT_KNOWN_HOSTS` | `known_hosts` file | `$HOME/.ssh/known_hosts` |

use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;

use git2::{CertificateCheckStatus, Cred, CredentialType, RemoteCallbacks};

use super::known_hosts::{Fingerprint, KnownHosts, Verdict, host_name, key_type};

pub const KEY_VAR: &str = "ACTIVITY_SYNC_GIT_SSH_KEY";
pub const PASSPHRASE_VAR: &str = "ACTIVITY_SYNC_GIT_SSH_KEY_PASSPHRASE";
pub const KNOWN_HOSTS_VAR: &str = "ACTIVITY_SYNC_GIT_KNOWN_HOSTS";

/// Where an SSH URL points: `ssh://[user@]host[:port]/path` or scp-like `[user@]host:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub user: Option<String>,
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl Target {
    /// `None` when `url` is not an SSH URL.
    pub fn parse(url: &str) -> Option<Target> {
        for scheme in ["ssh://", "ssh+git://", "git+ssh://"] {
            if let Some(rest) = url.strip_prefix(scheme) {
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let (user, hostport) = split_user(authority);
                let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
                    let (host, after) = v6.split_once(']')?;
                    (host, after.strip_prefix(':'))
                } else {
                    match hostport.rsplit_once(':') {
                        Some((h, p)) => (h, Some(p)),
                        None => (hostport, None),
                    }
                };
                let port = match port {
                    Some(p) => p.parse().ok()?,
                    None => 22,
                };
                return Some(Target {
                    user,
                    host: host.to_string(),
                    port,
                    path: format!("/{path}"),
                });
            }
        }
        if url.contains("://") {
            return None;
        }
        // scp-like: a colon before the first slash (git's own rule).
        let colon = url.find(':')?;
        if url[..colon].contains('/') || colon == 0 {
            return None;
        }
        let (user, host) = split_user(&url[..colon]);
        Some(Target {
            user,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port: 22,
            path: url[colon + 1..].to_string(),
        })
    }

    fn user(&self) -> &str {
        self.user.as_deref().unwrap_or("git")
    }
}

fn split_user(authority: &str) -> (Option<String>, &str) {
    match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user.to_string()), host),
        None => (None, authority),
    }
}

/// Who we are to the server.
pub enum Identity {
    /// A private key file and its passphrase (never printed).
    Key {
        path: PathBuf,
        passphrase: Option<String>,
    },
    /// The ssh-agent at `SSH_AUTH_SOCK`.
    Agent,
    None,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Key { path, .. } => write!(f, "the key `{}` ({KEY_VAR})", path.display()),
            Identity::Agent => f.write_str("the keys of the ssh-agent at `SSH_AUTH_SOCK`"),
            Identity::None => f.write_str("no key"),
        }
    }
}

/// The settings of one SSH source, read from the environment.
pub struct Ssh {
    pub target: Target,
    pub identity: Identity,
    pub known_hosts_path: PathBuf,
    known_hosts: Result<KnownHosts, String>,
    state: RefCell<State>,
}

#[derive(Debug, Default)]
struct State {
    key_offers: u32,
    host_key: Option<HostKeyFailure>,
    refused: bool,
}

/// Why the server's host key was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyFailure {
    Unreadable {
        reason: String,
    },
    Unknown {
        key_type: String,
        fingerprint: String,
        other_types: Vec<String>,
    },
    Changed {
        key_type: String,
        fingerprint: String,
        line: usize,
    },
    Revoked {
        fingerprint: String,
        line: usize,
    },
}

/// An SSH source failure, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error(
        "cannot read known_hosts `{}` ({KNOWN_HOSTS_VAR}): {reason}; the host key of `{host}` cannot be checked, so the connection is refused", path.display()
    )]
    KnownHostsUnreadable {
        path: PathBuf,
        host: String,
        reason: String,
    },
    #[error(
        "the host key of `{host}` ({key_type} {fingerprint}) is not in known_hosts `{}`{others}; add it (`ssh-keyscan{port_flag} {scan_host}`, then check the fingerprint) or point {KNOWN_HOSTS_VAR} at a file that has it", path.display()
    )]
    UnknownHost {
        host: String,
        key_type: String,
        fingerprint: String,
        others: String,
        path: PathBuf,
        port_flag: String,
        scan_host: String,
    },
    #[error(
        "the host key of `{host}` has CHANGED: the server presented {key_type} {fingerprint}, known_hosts `{}` line {line} lists another; someone may be intercepting the connection, or the server's key was replaced; refused", path.display()
    )]
    ChangedHost {
        host: String,
        key_type: String,
        fingerprint: String,
        path: PathBuf,
        line: usize,
    },
    #[error(
        "the host key of `{host}` ({fingerprint}) is marked @revoked in known_hosts `{}` line {line}; refused", path.display()
    )]
    RevokedHost {
        host: String,
        fingerprint: String,
        path: PathBuf,
        line: usize,
    },
    #[error("the server `{host}` refused {identity} for user `{user}`")]
    KeyRefused {
        host: String,
        identity: String,
        user: String,
    },
    #[error(
        "cannot use the SSH key `{}` ({KEY_VAR}): {reason} (a wrong or missing {PASSPHRASE_VAR}, or a key format libssh2 cannot read)", path.display()
    )]
    KeyUnusable { path: PathBuf, reason: String },
    #[error(
        "no SSH key for `{host}`: set {KEY_VAR} to a private key file (a deploy key), or run an ssh-agent and set SSH_AUTH_SOCK"
    )]
    NoIdentity { host: String },
    #[error(
        "the server `{host}` accepted {identity} but has no repository `{path}` it may read ({reason})"
    )]
    NoRepository {
        host: String,
        identity: String,
        path: String,
        reason: String,
    },
}

impl Ssh {
    /// The settings for `url`, or `None` when it is not an SSH URL.
    pub fn for_url(url: &str) -> Option<Ssh> {
        let target = Target::parse(url)?;
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let identity = match var(KEY_VAR) {
            Some(path) => Identity::Key {
                path: PathBuf::from(path),
                passphrase: std::env::var(PASSPHRASE_VAR).ok().filter(|p| !p.is_empty()),
            },
            None if var("SSH_AUTH_SOCK").is_some() => Identity::Agent,
            None => Identity::None,
        };
        let known_hosts_path = var(KNOWN_HOSTS_VAR)
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".ssh/known_hosts")))
            .unwrap_or_else(|| PathBuf::from(".ssh/known_hosts"));
        let known_hosts = std::fs::read_to_string(&known_hosts_path)
            .map(|text| KnownHosts::parse(&text))
            .map_err(|e| e.to_string());
        Some(Ssh {
            target,
            identity,
            known_hosts_path,
            known_hosts,
            state: RefCell::new(State::default()),
        })
    }

    /// Callbacks for one connection: they offer the identity once and check the host key.
    pub fn callbacks(&self) -> RemoteCallbacks<'_> {
        *self.state.borrow_mut() = State::default();
        let mut callbacks = RemoteCallbacks::new();
        callbacks
            .credentials(|_url, user_from_url, allowed| self.credentials(user_from_url, allowed));
        callbacks.certificate_check(|cert, _host| {
            let Some(hostkey) = cert.as_hostkey() else {
                // Not SSH (an HTTPS redirect, say): libgit2's own verdict stands.
                return Ok(CertificateCheckStatus::CertificatePassthrough);
            };
            let key = hostkey.hostkey().unwrap_or_default();
            match self.check_host_key(key) {
                Ok(()) => Ok(CertificateCheckStatus::CertificateOk),
                Err(failure) => {
                    self.state.borrow_mut().host_key = Some(failure);
                    Err(git2::Error::from_str("host key refused"))
                }
            }
        });
        callbacks
    }

    fn credentials(
        &self,
        user_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<Cred, git2::Error> {
        let user = user_from_url.unwrap_or(self.target.user());
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user);
        }
        if !allowed.contains(CredentialType::SSH_KEY) {
            return Err(git2::Error::from_str(
                "the server offers no public key login",
            ));
        }
        let mut state = self.state.borrow_mut();
        state.key_offers += 1;
        if state.key_offers > 1 {
            // libgit2 asks again only after the server said no: never loop.
            state.refused = true;
            return Err(git2::Error::from_str("key refused"));
        }
        match &self.identity {
            Identity::Key { path, passphrase } => {
                Cred::ssh_key(user, None, path, passphrase.as_deref())
            }
            Identity::Agent => Cred::ssh_key_from_agent(user),
            Identity::None => Err(git2::Error::from_str("no SSH key")),
        }
    }

    fn check_host_key(&self, key: &[u8]) -> Result<(), HostKeyFailure> {
        let known = self
            .known_hosts
            .as_ref()
            .map_err(|reason| HostKeyFailure::Unreadable {
                reason: reason.clone(),
            })?;
        let fingerprint = Fingerprint(key).to_string();
        let key_type = key_type(key).unwrap_or_else(|| "unknown".into());
        match known.check(&self.target.host, self.target.port, key) {
            Verdict::Known => Ok(()),
            Verdict::Unknown { other_types } => Err(HostKeyFailure::Unknown {
                key_type,
                fingerprint,
                other_types,
            }),
            Verdict::Changed { line } => Err(HostKeyFailure::Changed {
                key_type,
                fingerprint,
                line,
            }),
            Verdict::Revoked { line } => Err(HostKeyFailure::Revoked { fingerprint, line }),
        }
    }

    /// Whether the server accepted who we are (the transport got past authentication).
    pub fn authenticated(&self) -> bool {
        let state = self.state.borrow();
        state.key_offers == 1 && !state.refused && state.host_key.is_none()
    }

    /// The failure `error` stands for, told from what the callbacks saw, if it is an SSH one.
    pub fn explain(&self, error: &git2::Error) -> Option<SshError> {
        let state = self.state.borrow();
        let host = host_name(&self.target.host, self.target.port);
        let path = self.known_hosts_path.clone();
        if let Some(failure) = &state.host_key {
            return Some(match failure.clone() {
                HostKeyFailure::Unreadable { reason } => {
                    SshError::KnownHostsUnreadable { path, host, reason }
                }
                HostKeyFailure::Unknown {
                    key_type,
                    fingerprint,
                    other_types,
                } => SshError::UnknownHost {
                    others: if other_types.is_empty() {
                        String::new()
                    } else {
                        format!(" (it lists only {} keys for it)", other_types.join(", "))
                    },
                    port_flag: if self.target.port == 22 {
                        String::new()
                    } else {
                        format!(" -p {}", self.target.port)
                    },
                    scan_host: self.target.host.clone(),
                    host,
                    key_type,
                    fingerprint,
                    path,
                },
                HostKeyFailure::Changed {
                    key_type,
                    fingerprint,
                    line,
                } => SshError::ChangedHost {
                    host,
                    key_type,
                    fingerprint,
                    path,
                    line,
                },
                HostKeyFailure::Revoked { fingerprint, line } => SshError::RevokedHost {
                    host,
                    fingerprint,
                    path,
                    line,
                },
            });
        }
        let identity = self.identity.to_string();
        if matches!(self.identity, Identity::None) && state.key_offers > 0 {
            return Some(SshError::NoIdentity { host });
        }
        if state.refused || error.code() == git2::ErrorCode::Auth {
            return Some(SshError::KeyRefused {
                host,
                identity,
                user: self.target.user().to_string(),
            });
        }
        let message = error.message();
        if let Identity::Key { path, .. } = &self.identity
            && state.key_offers == 1
            && error.class() == git2::ErrorClass::Ssh
            && (message.contains("private key") || message.contains("passphrase"))
        {
            return Some(SshError::KeyUnusable {
                path: path.clone(),
                reason: message.to_string(),
            });
        }
        if self.authenticated() {
            return Some(SshError::NoRepository {
                host,
                identity,
                path: self.target.path.clone(),
                reason: error.message().trim().to_string(),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(user: Option<&str>, host: &str, port: u16, path: &str) -> Option<Target> {
        Some(Target {
            user: user.map(Into::into),
            host: host.into(),
            port,
            path: path.into(),
        })
    }

    #[test]
    fn both_url_forms() {
        assert_eq!(
            Target::parse("ssh://git@github.com/org/repo.git"),
            target(Some("git"), "github.com", 22, "/org/repo.git")
        );
        assert_eq!(
            Target::parse("ssh://git@127.0.0.1:2222/srv/repo.git"),
            target(Some("git"), "127.0.0.1", 2222, "/srv/repo.git")
        );
        assert_eq!(
            Target::parse("ssh://[::1]:2222/r"),
            target(None, "::1", 2222, "/r")
        );
        assert_eq!(
            Target::parse("git@github.com:org/repo.git"),
            target(Some("git"), "github.com", 22, "org/repo.git")
        );
        assert_eq!(
            Target::parse("host:/srv/repo.git"),
            target(None, "host", 22, "/srv/repo.git")
        );
        for not_ssh in [
            "https://github.com/org/repo.git",
            "file:///srv/repo",
            "/srv/repo",
            "./a:b",
            "../repo",
        ] {
            assert_eq!(Target::parse(not_ssh), None, "{not_ssh}");
        }
    }
}
