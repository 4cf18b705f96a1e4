//! Where the Kubernetes API is and who we are to it, as kube-rs infers it: the user's
//! kubeconfig (`KUBECONFIG`, else `~/.kube/config`: its current context, client
//! certificates, tokens, exec plugins), else the pod's service account
//! (`KUBERNETES_SERVICE_HOST`/`_PORT` and the token, CA and namespace mounted at
//! `/var/run/secrets/kubernetes.io/serviceaccount`).
//!
//! kube reads the service-account mount at that fixed path only; the in-cluster config is
//! built here the way kube builds it (the token file re-read as the kubelet rotates it, the
//! CA file re-read as it is rotated) from a directory that a hidden variable,
//! `ACTIVITY_SYNC_SERVICEACCOUNT_DIR`, can move, so that tests reach this very code with a
//! mount of their own.
//!
//! A `KUBECONFIG` that is set but cannot be loaded is an error, not a reason to try the
//! service account: the operator named the identity to use.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{Config, KubeConfigOptions, KubeconfigError};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Where a pod's service account is mounted.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Moves [`SERVICE_ACCOUNT_DIR`] (tests; not documented for operators).
const SERVICE_ACCOUNT_DIR_ENV: &str = "ACTIVITY_SYNC_SERVICEACCOUNT_DIR";

/// Connecting to the API server (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Waiting for a response, and sending the request.
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// The configuration, and which kind it is (for messages).
pub struct Inferred {
    pub config: Config,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A kubeconfig file (`KUBECONFIG` or `~/.kube/config`).
    Kubeconfig,
    /// The service account mounted in the pod, from this directory.
    ServiceAccount(PathBuf),
}

/// Why no configuration could be made.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot load the kubeconfig `{path}`: {message}")]
    Kubeconfig { path: String, message: String },
    #[error(
        "no Kubernetes configuration: no kubeconfig ({kubeconfig}), and not in a pod with a service account ({in_cluster})"
    )]
    Nothing {
        kubeconfig: String,
        in_cluster: String,
    },
    #[error("the service account mounted at `{dir}`: {message}")]
    ServiceAccount { dir: PathBuf, message: String },
}

/// The configuration to use, with this crate's timeouts.
pub async fn infer() -> Result<Inferred, ConfigError> {
    let mut inferred = match Config::from_kubeconfig(&KubeConfigOptions::default()).await {
        Ok(config) => Inferred {
            config,
            origin: Origin::Kubeconfig,
        },
        Err(kubeconfig) => {
            let message = kubeconfig_message(&kubeconfig);
            if let Some(path) = std::env::var_os("KUBECONFIG").filter(|p| !p.is_empty()) {
                return Err(ConfigError::Kubeconfig {
                    path: path.to_string_lossy().into_owned(),
                    message,
                });
            }
            let dir = service_account_dir();
            match in_cluster(&dir) {
                Ok(Some(config)) => Inferred {
                    config,
                    origin: Origin::ServiceAccount(dir),
                },
                Ok(None) => {
                    return Err(ConfigError::Nothing {
                        kubeconfig: message,
                        in_cluster: "`KUBERNETES_SERVICE_HOST` is not set".into(),
                    });
                }
                Err(message) => return Err(ConfigError::ServiceAccount { dir, message }),
            }
        }
    };
    let config = &mut inferred.config;
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.read_timeout = Some(READ_TIMEOUT);
    config.write_timeout = Some(READ_TIMEOUT);
    Ok(inferred)
}

fn service_account_dir() -> PathBuf {
    std::env::var_os(SERVICE_ACCOUNT_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from(SERVICE_ACCOUNT_DIR), PathBuf::from)
}

/// What went wrong with a kubeconfig, without quoting it: a parse error shows the text
/// around it, and a kubeconfig holds tokens and keys.
fn kubeconfig_message(e: &KubeconfigError) -> String {
    match e {
        KubeconfigError::Parse(_) => "it is not valid kubeconfig YAML".to_string(),
        KubeconfigError::FindPath => "no `KUBECONFIG` and no `~/.kube/config`".to_string(),
        KubeconfigError::ReadConfig(e, path) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("`{}` does not exist", path.display())
        }
        other => other.to_string(),
    }
}

/// The in-cluster configuration from a service-account mount at `dir`; `None` outside a
/// pod (no `KUBERNETES_SERVICE_HOST`).
fn in_cluster(dir: &Path) -> Result<Option<Config>, String> {
    let Some(host) = std::env::var("KUBERNETES_SERVICE_HOST")
        .ok()
        .filter(|h| !h.is_empty())
    else {
        return Ok(None);
    };
    let port = std::env::var("KUBERNETES_SERVICE_PORT")
        .map_err(|_| "`KUBERNETES_SERVICE_HOST` is set but `KUBERNETES_SERVICE_PORT` is not")?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("`KUBERNETES_SERVICE_PORT` is not a port: `{port}`"))?;
    if !dir.is_dir() {
        return Err(
            "no service account is mounted there (`automountServiceAccountToken: false`? a live `configmap:` source needs the token)"
                .to_string(),
        );
    }
    let url = server_url(&host, port);
    let uri = url
        .parse()
        .map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    let ca_path = dir.join("ca.crt");
    let ca =
        std::fs::read(&ca_path).map_err(|e| format!("cannot read `{}`: {e}", ca_path.display()))?;
    let roots = certificates(&ca)
        .map_err(|e| format!("`{}` is not PEM certificates: {e}", ca_path.display()))?;
    let token_path = dir.join("token");
    // kube reads the token for each request (the kubelet rotates it); a missing one should
    // say so now rather than as a failed request.
    std::fs::metadata(&token_path).map_err(|e| {
        format!(
            "cannot read `{}`: {e} (is `automountServiceAccountToken` false, with no projected token?)",
            token_path.display()
        )
    })?;
    let mut config = Config::new(uri);
    if let Ok(namespace) = std::fs::read_to_string(dir.join("namespace")) {
        config.default_namespace = namespace.trim().to_string();
    }
    config.root_cert = Some(roots);
    config.root_cert_file = Some(ca_path);
    config.auth_info.token_file = Some(token_path.to_string_lossy().into_owned());
    Ok(Some(config))
}

/// `https://host:port`, an IPv6 address in brackets.
fn server_url(host: &str, port: u16) -> String {
    let host = match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(ip)) => format!("[{ip}]"),
        _ => host.to_string(),
    };
    format!("https://{host}:{port}")
}

/// The DER certificates of a PEM bundle; at least one.
fn certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .map(|c| c.map(|c| c.to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("no certificate in it".to_string());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        assert_eq!(server_url("10.0.0.1", 443), "https://10.0.0.1:443");
        assert_eq!(server_url("::1", 6443), "https://[::1]:6443");
        assert_eq!(
            server_url("kubernetes.default.svc", 443),
            "https://kubernetes.default.svc:443"
        );
    }

    #[test]
    fn a_bundle_without_certificates_is_refused() {
        assert!(certificates(b"").is_err());
        assert!(
            certificates(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
    }

    #[test]
    fn a_kubeconfig_parse_error_never_quotes_the_file() {
        let kubeconfig = "users:\n- name: u\n  user:\n    token: SECRET-TOKEN\n  : [\n";
        let e = kube::config::Kubeconfig::from_yaml(kubeconfig).unwrap_err();
        let message = kubeconfig_message(&e);
        assert!(!message.contains("SECRET"), "{message}");
    }
}
