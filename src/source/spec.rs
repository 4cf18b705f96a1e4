//! The `--source` syntax of SPEC §3.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::SourceError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A directory (or a single `.md` file).
    Path(PathBuf),
    /// A `.yaml` / `.yml` file of Kubernetes manifests.
    Manifest(PathBuf),
    /// `git::URL//SUBDIR?ref=REF`.
    Git {
        url: String,
        subdir: Option<String>,
        reference: Option<String>,
    },
    /// `configmap:NAMESPACE/NAME`.
    ConfigMap { namespace: String, name: String },
}

impl FromStr for SourceSpec {
    type Err = SourceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |message: &str| SourceError::Spec {
            spec: crate::redact::redact(s),
            message: message.to_string(),
        };
        if let Some(rest) = s.strip_prefix("git::") {
            let (location, reference) = match rest.rsplit_once("?ref=") {
                Some((loc, r)) if !r.is_empty() => (loc, Some(r.to_string())),
                Some(_) => return Err(bad("`?ref=` needs a branch, tag or commit")),
                None => (rest, None),
            };
            // The subdirectory follows the first `//` that is not the scheme's.
            let after_scheme = location.find("://").map_or(0, |i| i + 3);
            let (url, subdir) = match location[after_scheme..].find("//") {
                Some(i) => {
                    let at = after_scheme + i;
                    let sub = location[at + 2..].trim_matches('/');
                    (&location[..at], (!sub.is_empty()).then(|| sub.to_string()))
                }
                None => (location, None),
            };
            if url.is_empty() {
                return Err(bad("missing repository URL after `git::`"));
            }
            if let Some(sub) = &subdir
                && sub.split('/').any(|c| c == "..")
            {
                return Err(bad("the subdirectory may not contain `..`"));
            }
            return Ok(SourceSpec::Git {
                url: url.to_string(),
                subdir,
                reference,
            });
        }
        if let Some(rest) = s.strip_prefix("configmap:") {
            let (namespace, name) = rest
                .split_once('/')
                .filter(|(ns, n)| !ns.is_empty() && !n.is_empty() && !n.contains('/'))
                .ok_or_else(|| bad("expected `configmap:NAMESPACE/NAME`"))?;
            return Ok(SourceSpec::ConfigMap {
                namespace: namespace.to_string(),
                name: name.to_string(),
            });
        }
        if s.is_empty() {
            return Err(bad("empty source"));
        }
        let path = PathBuf::from(s);
        let lower = s.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Ok(SourceSpec::Manifest(path))
        } else {
            Ok(SourceSpec::Path(path))
        }
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::Path(p) | SourceSpec::Manifest(p) => write!(f, "{}", p.display()),
            SourceSpec::Git {
                url,
                subdir,
                reference,
            } => {
                // The label of the source everywhere (source_path, sync_runs, notes): redacted.
                write!(f, "git::{}", crate::redact::redact(url))?;
                if let Some(sub) = subdir {
                    write!(f, "//{sub}")?;
                }
                if let Some(r) = reference {
                    write!(f, "?ref={r}")?;
                }
                Ok(())
            }
            SourceSpec::ConfigMap { namespace, name } => write!(f, "configmap:{namespace}/{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(url: &str, subdir: Option<&str>, reference: Option<&str>) -> SourceSpec {
        SourceSpec::Git {
            url: url.into(),
            subdir: subdir.map(Into::into),
            reference: reference.map(Into::into),
        }
    }

    #[test]
    fn parses_every_form() {
        let cases = [
            ("defs", SourceSpec::Path("defs".into())),
            ("k8s/cm.yaml", SourceSpec::Manifest("k8s/cm.yaml".into())),
            ("k8s/cm.YML", SourceSpec::Manifest("k8s/cm.YML".into())),
            (
                "git::https://example.com/org/repo.git//activity-definitions?ref=main",
                git(
                    "https://example.com/org/repo.git",
                    Some("activity-definitions"),
                    Some("main"),
                ),
            ),
            (
                "git::file:///tmp/repo//defs/sub?ref=v1.2",
                git("file:///tmp/repo", Some("defs/sub"), Some("v1.2")),
            ),
            ("git::/srv/repo", git("/srv/repo", None, None)),
            ("git::../repo//defs", git("../repo", Some("defs"), None)),
            (
                "configmap:platform/activity-defs",
                SourceSpec::ConfigMap {
                    namespace: "platform".into(),
                    name: "activity-defs".into(),
                },
            ),
        ];
        for (text, expected) in cases {
            let parsed: SourceSpec = text.parse().unwrap();
            assert_eq!(parsed, expected, "{text}");
            assert_eq!(parsed.to_string(), text, "display round-trips");
        }
    }

    #[test]
    fn the_label_is_redacted_the_url_is_not() {
        let text = "git::https://deploy:TOKEN@host/repo.git//defs?ref=main";
        let spec: SourceSpec = text.parse().unwrap();
        assert_eq!(
            spec,
            git(
                "https://deploy:TOKEN@host/repo.git",
                Some("defs"),
                Some("main")
            )
        );
        assert_eq!(
            spec.to_string(),
            "git::https://deploy:***@host/repo.git//defs?ref=main"
        );
        let bad = "git::https://deploy:TOKEN@host/repo.git?ref="
            .parse::<SourceSpec>()
            .unwrap_err();
        assert!(!bad.to_string().contains("TOKEN"), "{bad}");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "git::",
            "git::repo?ref=",
            "configmap:ns",
            "configmap:/x",
            "",
            "git::r//../x",
        ] {
            assert!(bad.parse::<SourceSpec>().is_err(), "{bad}");
        }
    }
}
