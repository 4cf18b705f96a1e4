//! Secrets out of every URL we print, log, store or write to Temporal: the one function.
//!
//! [`redact`] works on any text, not only on a lone URL, because URLs reach us inside other
//! text too: a `git::URL//SUBDIR?ref=REF` source, a `source_path` such as
//! `git::URL@<sha>:defs/a.md`, an error message from libgit2 or a driver that quotes the URL.
//! Every `scheme://` in the text has its userinfo hidden (`user:***@` when it carries a
//! password, `***@` when the user alone is the secret, as in `https://TOKEN@github.com/…`),
//! and every query parameter whose name says it is a credential (`token`, `access_token`,
//! `password`, `key`, `sig`, `secret`, …) has its value hidden. Everything else is kept, so
//! the redacted text still says which host, repository and database it was.

/// Query parameter names (lowercase) whose values are credentials.
const SECRET_PARAMETERS: &[&str] = &[
    "token",
    "access_token",
    "private_token",
    "id_token",
    "refresh_token",
    "auth",
    "authorization",
    "password",
    "passwd",
    "pwd",
    "pass",
    "key",
    "api_key",
    "apikey",
    "sig",
    "signature",
    "secret",
    "client_secret",
    "credential",
    "credentials",
    "sslpassword",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
];

const HIDDEN: &str = "***";

fn is_secret_parameter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_PARAMETERS.contains(&lower.as_str())
        || lower.ends_with("_token")
        || lower.ends_with("_secret")
        || lower.ends_with("_password")
        || lower.ends_with("_key")
}

/// Where a URL's authority ends: at the path, query, fragment or the end of the URL.
fn authority_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || is_quote(c))
        .map_or(text.len(), |i| from + i)
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '`' | '<' | '>')
}

/// `text` with the userinfo of every URL and the value of every credential query parameter
/// replaced by `***`.
pub fn redact(text: &str) -> String {
    hide_parameters(&hide_userinfo(text))
}

fn hide_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let authority = search + found + 3;
        let end = authority_end(text, authority);
        // The next URL may start inside this one's would-be authority (`x://https://…`).
        search = authority;
        let Some(at) = text[authority..end].rfind('@') else {
            continue;
        };
        search = authority + at;
        let userinfo = &text[authority..authority + at];
        if userinfo.is_empty() || userinfo == HIDDEN {
            continue;
        }
        out.push_str(&text[rest..authority]);
        match userinfo.split_once(':') {
            Some((user, password)) if !password.is_empty() && !user.is_empty() => {
                out.push_str(user);
                out.push(':');
                out.push_str(HIDDEN);
            }
            _ => out.push_str(HIDDEN),
        }
        rest = authority + at;
    }
    out.push_str(&text[rest..]);
    out
}

fn hide_parameters(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (i, c) in text.char_indices() {
        if i < rest || !matches!(c, '?' | '&' | ';') {
            continue;
        }
        let name_start = i + 1;
        let Some(eq) = text[name_start..].find(|c: char| !is_name_char(c)) else {
            break;
        };
        let eq = name_start + eq;
        if eq == name_start || !text[eq..].starts_with('=') {
            continue;
        }
        let value_start = eq + 1;
        // A value ends at the next parameter, fragment or query, or at the `//` of a
        // `git::URL//SUBDIR` source.
        let value_end = text[value_start..]
            .char_indices()
            .find(|&(j, c)| {
                matches!(c, '&' | '#' | '?' | ';')
                    || c.is_whitespace()
                    || is_quote(c)
                    || text[value_start + j..].starts_with("//")
            })
            .map_or(text.len(), |(j, _)| value_start + j);
        let value = &text[value_start..value_end];
        if is_secret_parameter(&text[name_start..eq]) && !value.is_empty() && value != HIDDEN {
            out.push_str(&text[rest..value_start]);
            out.push_str(HIDDEN);
            rest = value_end;
        }
    }
    out.push_str(&text[rest..]);
    out
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

#[cfg(test)]
mod tests {
    use super::redact;
    use proptest::prelude::*;

    #[test]
    fn database_urls() {
        assert_eq!(
            redact("postgres://app:s3cr3t@db:5432/acts"),
            "postgres://app:***@db:5432/acts"
        );
        assert_eq!(
            redact("postgres://app@db/acts?password=s3cr3t&sslmode=require"),
            "postgres://***@db/acts?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://a:b:c@db/x"), "postgres://a:***@db/x");
        assert_eq!(
            redact("postgres://a:p@ss@db/x"),
            "postgres://a:***@db/x",
            "an unescaped @ in a password"
        );
        assert_eq!(
            redact("sqlite://activity-sync.db"),
            "sqlite://activity-sync.db"
        );
        assert_eq!(redact("postgres://db/acts"), "postgres://db/acts");
    }

    #[test]
    fn git_sources_and_source_paths() {
        assert_eq!(
            redact("git::https://deploy:TOKEN@host/repo.git//defs?ref=main"),
            "git::https://deploy:***@host/repo.git//defs?ref=main"
        );
        assert_eq!(
            redact("git::https://ghp_TOKEN@github.com/org/repo.git@3f2a1c9d0e1f:defs/a.md"),
            "git::https://***@github.com/org/repo.git@3f2a1c9d0e1f:defs/a.md"
        );
        assert_eq!(
            redact("git::https://host/r.git?private_token=TOKEN//defs?ref=v1"),
            "git::https://host/r.git?private_token=***//defs?ref=v1"
        );
        assert_eq!(redact("git::/srv/repo//defs"), "git::/srv/repo//defs");
    }

    #[test]
    fn query_tokens() {
        for name in [
            "token",
            "access_token",
            "password",
            "key",
            "sig",
            "X-Amz-Signature",
            "client_secret",
            "api_key",
        ] {
            assert_eq!(
                redact(&format!("https://h/p?a=1&{name}=SECRET&b=2")),
                format!("https://h/p?a=1&{name}=***&b=2")
            );
        }
        // Names that merely contain a secret word are kept: `monkey`, `keyboard`.
        assert_eq!(
            redact("https://h/p?monkey=1&keyboard=2&ref=main"),
            "https://h/p?monkey=1&keyboard=2&ref=main"
        );
    }

    #[test]
    fn urls_inside_messages() {
        assert_eq!(
            redact(
                "git source `https://deploy:TOKEN@h/r.git`: failed to connect to https://deploy:TOKEN@h/r.git/info/refs?service=git-upload-pack"
            ),
            "git source `https://deploy:***@h/r.git`: failed to connect to https://deploy:***@h/r.git/info/refs?service=git-upload-pack"
        );
        assert_eq!(
            redact("mail me@example.com about it"),
            "mail me@example.com about it"
        );
    }

    #[test]
    fn redacting_twice_changes_nothing() {
        let once = redact("git::https://deploy:TOKEN@host/r.git?token=T//d?ref=main");
        assert_eq!(redact(&once), once);
    }

    proptest! {
        /// Whatever surrounds it, a secret in userinfo or in a credential parameter is gone.
        #[test]
        fn secrets_never_survive(
            prefix in "[ a-z`:/]{0,8}",
            user in "[a-z0-9_-]{0,8}",
            secret in "[A-Za-z0-9_~%-]{12,24}",
            host in "[a-z]{1,8}(\\.[a-z]{2,3})?(:[0-9]{2,5})?",
            path in "(/[a-z.]{1,6}){0,3}",
            parameter in prop::sample::select(vec!["token", "access_token", "password", "key", "sig"]),
            in_userinfo in any::<bool>(),
            suffix in "(//defs)?(\\?ref=main)?( and more)?",
        ) {
            let url = if in_userinfo {
                let userinfo = if user.is_empty() { secret.clone() } else { format!("{user}:{secret}") };
                format!("https://{userinfo}@{host}{path}")
            } else {
                format!("https://{host}{path}?{parameter}={secret}")
            };
            let text = format!("{prefix}{url}{suffix}");
            let out = redact(&text);
            prop_assert!(!out.contains(&secret), "{text} → {out}");
            prop_assert!(out.contains(&host), "{text} → {out}");
        }
    }
}
