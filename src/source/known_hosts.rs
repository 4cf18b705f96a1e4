//! OpenSSH `known_hosts`, read to check the host key of a git server: plain and hashed
//! (`|1|salt|hash`) host names, `[host]:port`, `*` / `?` wildcards, `!` negations and
//! `@revoked`. A host that is not listed is refused: never trust on first use.
//!
//! libgit2 checks `~/.ssh/known_hosts` on its own, but only says "valid or not"; this reads
//! the file the operator names and tells an unknown host from a changed key.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Digest;

/// What `known_hosts` says about a key a server presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Listed for this host.
    Known,
    /// No line for this host, or lines only for other key types.
    Unknown { other_types: Vec<String> },
    /// Lines for this host and key type, with another key: the key changed, or someone is
    /// in between.
    Changed { line: usize },
    /// Marked `@revoked`.
    Revoked { line: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Debug, Clone)]
enum Hosts {
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
    Patterns(Vec<String>),
}

#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    marker: Marker,
    hosts: Hosts,
    key_type: String,
    key: Vec<u8>,
}

/// The parsed file; lines it cannot read are skipped, as OpenSSH does.
#[derive(Debug, Clone, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
    /// Lines skipped because they do not parse.
    pub skipped: usize,
}

impl KnownHosts {
    pub fn parse(text: &str) -> KnownHosts {
        let mut out = KnownHosts::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(i + 1, line) {
                Some(entry) => out.entries.push(entry),
                None => out.skipped += 1,
            }
        }
        out
    }

    /// The verdict on `key` (the SSH wire-format public key blob) for `host` on `port`.
    pub fn check(&self, host: &str, port: u16, key: &[u8]) -> Verdict {
        let name = host_name(host, port);
        let key_type = key_type(key).unwrap_or_default();
        if let Some(revoked) = self
            .entries
            .iter()
            .find(|e| e.marker == Marker::Revoked && e.key == key)
        {
            return Verdict::Revoked { line: revoked.line };
        }
        let listed: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.marker == Marker::None && e.hosts.matches(&name))
            .collect();
        if listed.iter().any(|e| e.key == key) {
            return Verdict::Known;
        }
        if let Some(changed) = listed.iter().find(|e| e.key_type == key_type) {
            return Verdict::Changed { line: changed.line };
        }
        let mut other_types: Vec<String> = listed.iter().map(|e| e.key_type.clone()).collect();
        other_types.sort();
        other_types.dedup();
        Verdict::Unknown { other_types }
    }
}

/// How OpenSSH names a host in `known_hosts`: `host`, or `[host]:port` off port 22.
pub fn host_name(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 {
        host
    } else {
        format!("[{host}]:{port}")
    }
}

/// The key type named inside a wire-format key blob (`ssh-ed25519`, `ssh-rsa`, …).
pub fn key_type(blob: &[u8]) -> Option<String> {
    let len = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let name = blob.get(4..4 + len)?;
    String::from_utf8(name.to_vec()).ok()
}

/// `SHA256:…`, as `ssh-keygen -l` prints a key.
pub struct Fingerprint<'a>(pub &'a [u8]);

impl fmt::Display for Fingerprint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digest = sha2::Sha256::digest(self.0);
        write!(f, "SHA256:{}", STANDARD_NO_PAD.encode(digest))
    }
}

fn parse_line(number: usize, line: &str) -> Option<Entry> {
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    let marker = match first {
        "@revoked" => Marker::Revoked,
        "@cert-authority" => Marker::CertAuthority,
        m if m.starts_with('@') => return None,
        _ => Marker::None,
    };
    if marker != Marker::None {
        first = fields.next()?;
    }
    let key_type = fields.next()?.to_string();
    let key = STANDARD.decode(fields.next()?).ok()?;
    if self::key_type(&key).as_deref() != Some(key_type.as_str()) {
        return None;
    }
    let hosts = match first.strip_prefix("|1|") {
        Some(hashed) => {
            let (salt, hash) = hashed.split_once('|')?;
            Hosts::Hashed {
                salt: STANDARD.decode(salt).ok()?,
                hash: STANDARD.decode(hash).ok()?,
            }
        }
        None => Hosts::Patterns(first.split(',').map(str::to_ascii_lowercase).collect()),
    };
    Some(Entry {
        line: number,
        marker,
        hosts,
        key_type,
        key,
    })
}

impl Hosts {
    fn matches(&self, name: &str) -> bool {
        match self {
            Hosts::Hashed { salt, hash } => {
                let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(salt) else {
                    return false;
                };
                mac.update(name.as_bytes());
                mac.verify_slice(hash).is_ok()
            }
            Hosts::Patterns(patterns) => {
                let mut matched = false;
                for pattern in patterns {
                    match pattern.strip_prefix('!') {
                        // A negated match rules the line out, whatever else matches.
                        Some(negated) if glob(negated, name) => return false,
                        Some(_) => {}
                        None => matched |= glob(pattern, name),
                    }
                }
                matched
            }
        }
    }
}

/// OpenSSH's pattern match: `*` any run, `?` any one character.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(kind: &str, body: &[u8]) -> Vec<u8> {
        let mut out = (kind.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind.as_bytes());
        out.extend_from_slice(body);
        out
    }

    fn line(hosts: &str, key: &[u8]) -> String {
        format!(
            "{hosts} {} {}",
            key_type(key).unwrap(),
            STANDARD.encode(key)
        )
    }

    fn hashed(name: &str, salt: &[u8]) -> String {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(salt).unwrap();
        mac.update(name.as_bytes());
        format!(
            "|1|{}|{}",
            STANDARD.encode(salt),
            STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn known_unknown_changed_revoked() {
        let ed = blob("ssh-ed25519", b"one");
        let ed2 = blob("ssh-ed25519", b"two");
        let rsa = blob("ssh-rsa", b"three");
        let text = format!(
            "# comment\n\n{}\n{}\n{}\ngarbage line\n@revoked * {} {}\n",
            line("git.example.com,10.0.0.1", &ed),
            line("[git.example.com]:2222", &rsa),
            line("other.example.com", &ed2),
            "ssh-ed25519",
            STANDARD.encode(blob("ssh-ed25519", b"bad")),
        );
        let known = KnownHosts::parse(&text);
        assert_eq!(known.skipped, 1);
        assert_eq!(known.check("git.example.com", 22, &ed), Verdict::Known);
        assert_eq!(known.check("GIT.example.com", 22, &ed), Verdict::Known);
        assert_eq!(known.check("10.0.0.1", 22, &ed), Verdict::Known);
        assert_eq!(
            known.check("git.example.com", 22, &ed2),
            Verdict::Changed { line: 3 }
        );
        // Another port is another host.
        assert_eq!(
            known.check("git.example.com", 2222, &ed),
            Verdict::Unknown {
                other_types: vec!["ssh-rsa".into()]
            }
        );
        assert_eq!(known.check("git.example.com", 2222, &rsa), Verdict::Known);
        assert_eq!(
            known.check("git.example.com", 22, &rsa),
            Verdict::Unknown {
                other_types: vec!["ssh-ed25519".into()]
            }
        );
        assert_eq!(
            known.check("nowhere", 22, &ed),
            Verdict::Unknown {
                other_types: vec![]
            }
        );
        assert_eq!(
            known.check("git.example.com", 22, &blob("ssh-ed25519", b"bad")),
            Verdict::Revoked { line: 7 }
        );
    }

    #[test]
    fn hashed_wildcard_and_negated_hosts() {
        let key = blob("ecdsa-sha2-nistp256", b"k");
        let text = [
            line(&hashed("git.example.com", b"0123456789abcdefghij"), &key),
            line(&hashed("[127.0.0.1]:2222", b"salt-salt-salt-salt!"), &key),
            line("*.corp.example,!evil.corp.example", &key),
            line("build?.example", &key),
        ]
        .join("\n");
        let known = KnownHosts::parse(&text);
        assert_eq!(known.skipped, 0);
        assert_eq!(known.check("git.example.com", 22, &key), Verdict::Known);
        assert_eq!(known.check("127.0.0.1", 2222, &key), Verdict::Known);
        assert_ne!(known.check("127.0.0.1", 22, &key), Verdict::Known);
        assert_eq!(known.check("a.corp.example", 22, &key), Verdict::Known);
        assert_ne!(known.check("evil.corp.example", 22, &key), Verdict::Known);
        assert_eq!(known.check("build1.example", 22, &key), Verdict::Known);
        assert_ne!(known.check("build12.example", 22, &key), Verdict::Known);
    }

    #[test]
    fn fingerprints_read_like_ssh_keygen() {
        // The integration test compares one with `ssh-keygen -l`; here only the shape.
        let key = blob("ssh-ed25519", &[0; 36]);
        let shown = Fingerprint(&key).to_string();
        assert!(
            shown.starts_with("SHA256:") && !shown.ends_with('='),
            "{shown}"
        );
    }

    #[test]
    fn glob_matches_like_openssh() {
        assert!(glob("*", "anything"));
        assert!(glob("a*c", "abbbc"));
        assert!(glob("[*]:2222", "[h]:2222"));
        assert!(!glob("a*c", "abbbd"));
        assert!(glob("?", "x"));
        assert!(!glob("?", ""));
    }
}
