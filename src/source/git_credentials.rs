//! Credentials for git over https that are not in the URL (so no URL carries a token into a
//! label, a log or a row): `ACTIVITY_SYNC_GIT_USERNAME` / `ACTIVITY_SYNC_GIT_PASSWORD` from
//! the environment (a Kubernetes Secret, a CI secret), else git's own credential helper
//! (`credential.helper` in the git configuration, e.g. `store` or a cloud helper).
//!
//! libgit2 calls the callback again after every refused attempt; each source of credentials
//! is offered once, then the fetch fails with a sentence saying where credentials come from.

use git2::{Cred, CredentialType, RemoteCallbacks};

pub const USERNAME_ENV: &str = "ACTIVITY_SYNC_GIT_USERNAME";
pub const PASSWORD_ENV: &str = "ACTIVITY_SYNC_GIT_PASSWORD";
/// The user name sent with a password when neither the URL nor the environment names one
/// (GitHub and GitLab accept any name with a token).
const DEFAULT_USERNAME: &str = "git";

/// Where the next attempt's credentials come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offer {
    Environment,
    Helper,
    Exhausted,
}

/// Callbacks answering https user/password challenges (other kinds are refused here).
pub fn callbacks<'a>() -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    let mut next = Offer::Environment;
    callbacks.credentials(move |url, username_from_url, allowed| {
        https_credentials(&mut next, url, username_from_url, allowed)
    });
    callbacks
}

fn https_credentials(
    next: &mut Offer,
    url: &str,
    username_from_url: Option<&str>,
    allowed: CredentialType,
) -> Result<Cred, git2::Error> {
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        if *next == Offer::Environment {
            *next = Offer::Helper;
            if let Ok(password) = std::env::var(PASSWORD_ENV) {
                let username = std::env::var(USERNAME_ENV)
                    .ok()
                    .or_else(|| username_from_url.map(str::to_string))
                    .unwrap_or_else(|| DEFAULT_USERNAME.to_string());
                return Cred::userpass_plaintext(&username, &password);
            }
        }
        if *next == Offer::Helper {
            *next = Offer::Exhausted;
            if let Ok(config) = git2::Config::open_default()
                && let Ok(cred) = Cred::credential_helper(&config, url, username_from_url)
            {
                return Ok(cred);
            }
        }
    }
    Err(git2::Error::from_str(&format!(
        "authentication to `{}` failed: no (more) credentials to offer; set `{USERNAME_ENV}` and `{PASSWORD_ENV}`, or configure a git credential helper",
        crate::redact::redact(url)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_is_offered_once() {
        let mut next = Offer::Exhausted;
        let e = https_credentials(
            &mut next,
            "https://deploy:TOKEN@h/r.git",
            None,
            CredentialType::USER_PASS_PLAINTEXT,
        )
        .err()
        .unwrap();
        assert!(e.message().contains("ACTIVITY_SYNC_GIT_PASSWORD"), "{e}");
        assert!(!e.message().contains("TOKEN"), "{e}");
        // Other kinds (SSH keys) are not answered here.
        let mut next = Offer::Environment;
        assert!(https_credentials(&mut next, "ssh://h/r", None, CredentialType::SSH_KEY).is_err());
    }
}
