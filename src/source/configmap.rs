//! A live ConfigMap, `configmap:NAMESPACE/NAME`: one GET through the Kubernetes API with
//! kube-rs (configured as [`kube_config`](super::kube_config) infers it), its definition
//! entries read by the same rule as a manifest's ([`configmap_data`]), its
//! `resourceVersion` recorded with the run like a git commit.
//!
//! Definitions are named `configmap:NS/NAME@<resourceVersion>:<key>`, as a git source
//! names its files `git::URL@<sha>:<path>`. A resourceVersion is opaque (Kubernetes
//! promises no order between two of them), so it says which version was read and nothing
//! about older or newer: "never backwards" does not apply to this source.
//!
//! [`SourceSpec::read`](super::SourceSpec::read) is synchronous and is called both inside
//! the run's tokio runtime and outside any: the request runs on a thread of its own with a
//! current-thread runtime (a runtime inside a runtime panics), bounded as a whole by
//! [`TIMEOUT`] besides the client's connect and read timeouts, and waited for no longer than
//! that (a credential plugin runs as a blocking child process no timer can interrupt), so
//! that a hung API server or exec plugin costs a bounded time.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;

use super::configmap_data::{self, EntryValue};
use super::kube_config::{self, Origin};
use super::{SourceError, SourceRead};

/// The whole read: configuration, connection, request and response.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The Role of `k8s/` that grants the read.
const ROLE: &str = "the Role `activity-sync` of k8s/base/role.yaml";

pub fn read(namespace: &str, name: &str, label: &str) -> Result<SourceRead, SourceError> {
    let fail = |message: String| SourceError::ConfigMap {
        spec: label.to_string(),
        message: crate::redact::redact(&message),
    };
    // A thread of its own, waited for at most a little longer than the runtime's own
    // timeout: a credential plugin that hangs blocks that thread where no timer can end it.
    let (sender, receiver) = std::sync::mpsc::channel();
    let (ns, n) = (namespace.to_string(), name.to_string());
    std::thread::Builder::new()
        .name("configmap-source".into())
        .spawn(move || {
            let fetched = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(async {
                    tokio::time::timeout(TIMEOUT, fetch(&ns, &n))
                        .await
                        .unwrap_or_else(|_| Err(no_answer()))
                }),
                Err(e) => Err(format!("cannot start the async runtime: {e}")),
            };
            let _ = sender.send(fetched);
        })
        .map_err(|e| fail(format!("cannot start a thread: {e}")))?;
    let fetched = match receiver.recv_timeout(TIMEOUT + Duration::from_secs(5)) {
        Ok(fetched) => fetched,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "{} (a credential plugin of the kubeconfig did not return?)",
            no_answer()
        )),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err("the Kubernetes client panicked".to_string())
        }
    };
    let configmap = fetched.map_err(fail)?;
    files(label, &configmap).map_err(fail)
}

fn no_answer() -> String {
    format!(
        "no answer from the Kubernetes API within {} s",
        TIMEOUT.as_secs()
    )
}

/// One GET of the ConfigMap; the error says what to do about it.
async fn fetch(namespace: &str, name: &str) -> Result<ConfigMap, String> {
    let inferred = kube_config::infer().await.map_err(|e| e.to_string())?;
    let server = inferred.config.cluster_url.to_string();
    let server = server.trim_end_matches('/').to_string();
    let identity = match &inferred.origin {
        Origin::Kubeconfig => "the kubeconfig's user".to_string(),
        Origin::ServiceAccount(dir) => format!("the service account (`{}`)", dir.display()),
    };
    tracing::debug!(%server, %namespace, %name, "reading a live ConfigMap");
    let client = kube::Client::try_from(inferred.config)
        .map_err(|e| format!("cannot make a Kubernetes client for `{server}`: {e}"))?;
    let api: Api<ConfigMap> = Api::namespaced(client, namespace);
    api.get(name).await.map_err(|e| {
        explain(
            &e,
            &Request {
                server: &server,
                namespace,
                name,
                identity: &identity,
            },
        )
    })
}

/// What a failed GET was, for its message.
struct Request<'a> {
    server: &'a str,
    namespace: &'a str,
    name: &'a str,
    identity: &'a str,
}

/// A failed GET as an operator reads it: credentials, RBAC, a missing object, a server out
/// of reach or not trusted.
fn explain(e: &kube::Error, r: &Request) -> String {
    let Request {
        server,
        namespace,
        name,
        identity,
    } = r;
    if let kube::Error::Api(status) = e {
        let said = if status.message.is_empty() {
            String::new()
        } else {
            format!(
                " (the server said: {})",
                crate::definition::text::escape_unsafe(&status.message)
            )
        };
        return match status.code {
            401 => format!(
                "the Kubernetes API server `{server}` rejected the credentials of {identity} (401 Unauthorized): the token or client certificate is wrong or expired{said}"
            ),
            403 => format!(
                "{identity} may not read ConfigMap `{name}` (403 Forbidden): it needs RBAC verb `get` on resource `configmaps` named `{name}` in namespace `{namespace}`, which {ROLE} grants when bound to it with `resourceNames: [{name}]`{said}"
            ),
            404 => format!(
                "ConfigMap `{name}` not found in namespace `{namespace}` (404 Not Found: the ConfigMap or the namespace does not exist on `{server}`){said}"
            ),
            code => format!(
                "the Kubernetes API server `{server}` answered {code} {}{said}",
                status.reason
            ),
        };
    }
    let chain = chain(e);
    if let Some(tls) = rustls_error(e) {
        return match tls {
            rustls::Error::InvalidCertificate(why) => format!(
                "the certificate of the Kubernetes API server `{server}` is not trusted ({}): the configuration trusts the CA of the kubeconfig's `certificate-authority-data` (or `certificate-authority`) or of the service account's `ca.crt`",
                certificate_problem(why)
            ),
            other => format!("TLS with the Kubernetes API server `{server}` failed: {other}"),
        };
    }
    let timed_out = chain.contains("timed out") || chain.contains("deadline has elapsed");
    if timed_out {
        return format!("the Kubernetes API server `{server}` did not answer in time: {chain}");
    }
    match e {
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            format!("cannot reach the Kubernetes API server `{server}`: {chain}")
        }
        kube::Error::Auth(_) => {
            format!("cannot get credentials for the Kubernetes API server `{server}`: {chain}")
        }
        kube::Error::SerdeError(_) => {
            format!("the Kubernetes API server `{server}` did not answer with a ConfigMap: {chain}")
        }
        _ => format!("reading from the Kubernetes API server `{server}` failed: {chain}"),
    }
}

/// Why a certificate was refused, in words.
fn certificate_problem(why: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match why {
        E::UnknownIssuer | E::BadSignature => "it is not signed by a trusted CA".to_string(),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "it is not issued for this host".to_string()
        }
        E::Expired | E::ExpiredContext { .. } => "it has expired".to_string(),
        E::NotValidYet | E::NotValidYetContext { .. } => "it is not valid yet".to_string(),
        E::Revoked => "it is revoked".to_string(),
        other => format!("{other:?}"),
    }
}

/// Every message of an error and its sources, outermost first, without repeats (a wrapper
/// often repeats what it wraps).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        // `io::Error::source` skips the error it wraps: look at that one too.
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    parts.join(": ")
}

/// The TLS error somewhere in the chain, if the failure was one.
fn rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The definition files of a ConfigMap read as `label`, or why it holds none.
fn files(label: &str, configmap: &ConfigMap) -> Result<SourceRead, String> {
    let name = configmap.metadata.name.as_deref().unwrap_or("");
    let version = configmap
        .metadata
        .resource_version
        .clone()
        .filter(|v| !v.is_empty());
    let prefix = match &version {
        Some(v) => format!("{label}@{v}:"),
        None => format!("{label}:"),
    };
    let mut read = SourceRead {
        label: String::new(),
        commit: None,
        revision: None,
        resource_version: version,
        files: Vec::new(),
        refused: Vec::new(),
    };
    let data = configmap.data.iter().flatten();
    let binary = configmap.binary_data.iter().flatten();
    let mut keys: Vec<&str> = data
        .clone()
        .map(|(k, _)| k.as_str())
        .chain(binary.clone().map(|(k, _)| k.as_str()))
        .collect();
    keys.sort_unstable();
    let entries = data
        .map(|(k, v)| (k.as_str(), EntryValue::Text(v)))
        .chain(binary.map(|(k, v)| (k.as_str(), EntryValue::Bytes(v.0.clone()))));
    if configmap_data::take(&mut read, &prefix, entries) == 0 {
        return Err(configmap_data::no_definitions(name, &keys));
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use k8s_openapi::ByteString;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use kube::core::Status;

    use super::*;

    fn configmap(data: &[(&str, &str)], binary: &[(&str, &[u8])]) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some("defs".into()),
                namespace: Some("platform".into()),
                resource_version: Some("48213".into()),
                ..ObjectMeta::default()
            },
            data: (!data.is_empty()).then(|| {
                data.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>()
            }),
            binary_data: (!binary.is_empty()).then(|| {
                binary
                    .iter()
                    .map(|(k, v)| (k.to_string(), ByteString(v.to_vec())))
                    .collect::<BTreeMap<_, _>>()
            }),
            ..ConfigMap::default()
        }
    }

    #[test]
    fn markdown_keys_become_files_named_with_the_resource_version() {
        let cm = configmap(
            &[
                ("sweep.md", "---\nkey: a\n---\n"),
                ("README.MD", "hello"),
                ("settings.env", "X=1"),
            ],
            &[("bin.md", b"from binaryData"), ("bad.md", &[0xff])],
        );
        let read = files("configmap:platform/defs", &cm).unwrap();
        assert_eq!(read.resource_version.as_deref(), Some("48213"));
        let paths: Vec<_> = read.files.iter().map(|f| f.source_path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "configmap:platform/defs@48213:README.MD",
                "configmap:platform/defs@48213:sweep.md",
                "configmap:platform/defs@48213:bin.md",
            ]
        );
        assert_eq!(read.files[1].rel_path, "sweep.md");
        assert_eq!(read.files[2].text, "from binaryData");
        assert_eq!(read.refused.len(), 1);
        assert!(
            read.refused[0]
                .1
                .to_string()
                .starts_with("configmap:platform/defs@48213:bad.md:1:1: file is not valid UTF-8")
        );
    }

    #[test]
    fn a_configmap_without_markdown_keys_names_its_keys() {
        let cm = configmap(&[("LOG_LEVEL", "info")], &[("logo.png", &[1, 2])]);
        assert_eq!(
            files("configmap:platform/defs", &cm).unwrap_err(),
            "ConfigMap `defs` holds no `*.md` key (its keys: `LOG_LEVEL`, `logo.png`)"
        );
        let empty = configmap(&[], &[]);
        assert!(
            files("configmap:platform/defs", &empty)
                .unwrap_err()
                .ends_with("(it has no keys)")
        );
    }

    fn status(code: u16, message: &str) -> kube::Error {
        let mut status = Status::failure(message, "Reason");
        status.code = code;
        kube::Error::Api(Box::new(status))
    }

    const REQUEST: Request<'static> = Request {
        server: "https://10.0.0.1:443",
        namespace: "platform",
        name: "defs",
        identity: "the service account (`/sa`)",
    };

    #[test]
    fn api_errors_say_what_to_do() {
        let e = explain(&status(401, "Unauthorized"), &REQUEST);
        assert!(e.contains("rejected the credentials"), "{e}");
        assert!(e.contains("401 Unauthorized"), "{e}");

        let e = explain(
            &status(
                403,
                "configmaps \"defs\" is forbidden: User \"system:serviceaccount:platform:sync\" cannot get resource \"configmaps\"",
            ),
            &REQUEST,
        );
        for needle in [
            "403 Forbidden",
            "verb `get`",
            "resource `configmaps` named `defs`",
            "namespace `platform`",
            "k8s/base/role.yaml",
            "system:serviceaccount:platform:sync",
        ] {
            assert!(e.contains(needle), "{needle}: {e}");
        }

        let e = explain(&status(404, "configmaps \"defs\" not found"), &REQUEST);
        assert!(
            e.starts_with("ConfigMap `defs` not found in namespace `platform`"),
            "{e}"
        );
        let e = explain(&status(500, "etcd is down"), &REQUEST);
        assert!(e.contains("answered 500 Reason"), "{e}");
    }

    #[test]
    fn a_server_message_cannot_rewrite_the_terminal() {
        let e = explain(&status(403, "no\u{1b}[2Jway"), &REQUEST);
        assert!(!e.contains('\u{1b}'), "{e:?}");
    }
}
