//! TLS to Postgres the way libpq does it (SPEC §4): `sslmode`, `sslrootcert`, `sslcert` and
//! `sslkey` from the URL, else `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`, else
//! libpq's files under `~/.postgresql/`, on sqlx's rustls connector (ring, the provider
//! Temporal's client already uses).
//!
//! Why this is not left to sqlx alone: sqlx silently ignores an unknown `PGSSLMODE` (a
//! typo would mean `prefer`, i.e. no verification), treats `allow` as `disable`, does not
//! read `~/.postgresql/root.crt`, does not turn `require` with a CA into `verify-ca`, and
//! without a CA verifies against the system store where libpq refuses. The settings are
//! decided here, the files read here (so a missing one is named), and sqlx is handed the
//! result; its failures are turned back into one sentence naming the host, the CA and why.

use std::fmt;
use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sqlx::postgres::{PgConnectOptions, PgSslMode};

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }

    /// Whether a failed or refused TLS upgrade ends the connection attempt.
    pub fn requires_tls(self) -> bool {
        matches!(
            self,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
        )
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        })
    }
}

/// Where a setting came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Url(&'static str),
    Env(&'static str),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Url(key) => write!(f, "`{key}` in DATABASE_URL"),
            Origin::Env(var) => write!(f, "`{var}`"),
            Origin::Default => f.write_str("libpq's default location"),
        }
    }
}

/// What the server certificate is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM bundle (the platform's CA, mounted from a Secret or ConfigMap).
    File(PathBuf),
    /// `sslrootcert=system`: the operating system's trust store.
    System,
}

impl fmt::Display for RootCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RootCert::File(path) => write!(f, "the CA file `{}`", path.display()),
            RootCert::System => f.write_str("the system trust store (`sslrootcert=system`)"),
        }
    }
}

/// The decided TLS settings of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTls {
    pub mode: SslMode,
    /// The mode as the operator asked for it (`require` with a CA becomes `verify-ca`).
    pub asked: SslMode,
    pub root_cert: Option<RootCert>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(
        "invalid sslmode {value:?} (from {origin}): expected `disable`, `allow`, `prefer`, `require`, `verify-ca` or `verify-full`"
    )]
    Mode { value: String, origin: Origin },
    #[error("cannot read {what} `{}`: {reason}", path.display())]
    Read {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{what} `{}` holds no PEM certificate", path.display())]
    NoCertificate { what: &'static str, path: PathBuf },
    #[error(
        "a client certificate needs both `sslcert` and `sslkey`; only `{given}` is set (from {origin})"
    )]
    HalfClientCert { given: &'static str, origin: Origin },
    #[error(
        "sslmode={mode} needs a CA to verify the server against: set `sslrootcert` (or `PGSSLROOTCERT`) to the CA file, or to `system` for the system trust store; none at `{}`", default.display()
    )]
    NoRootCert { mode: SslMode, default: PathBuf },
    #[error(
        "the server certificate of `{host}` does not verify against {root} (sslmode={mode}): {reason}"
    )]
    Verify {
        host: String,
        root: RootCert,
        mode: SslMode,
        reason: String,
    },
    #[error(
        "the server at `{host}` does not accept TLS, and sslmode={mode} never falls back to plaintext"
    )]
    Refused { host: String, mode: SslMode },
    #[error("the server at `{host}` ended the TLS handshake ({alert}){hint}")]
    Rejected {
        host: String,
        alert: String,
        hint: &'static str,
    },
    #[error(
        "the server at `{host}` accepts only TLS connections and sslmode={mode} is plaintext ({message}): use `sslmode=require`, or `verify-full` with `sslrootcert`"
    )]
    Required {
        host: String,
        mode: SslMode,
        message: String,
    },
    #[error("TLS to `{host}` failed: {reason}")]
    Other { host: String, reason: String },
}

impl PgTls {
    /// Decides the settings from the URL's query, then the environment, then the files
    /// libpq would look at under `home` (`~/.postgresql/`).
    pub fn resolve(
        url: &str,
        env: impl Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Result<PgTls, TlsError> {
        let query: Vec<(String, String)> = url::Url::parse(url)
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        let setting = |keys: &[&'static str], var: &'static str| {
            keys.iter()
                .find_map(|k| {
                    query
                        .iter()
                        .rev()
                        .find(|(q, _)| q == k)
                        .map(|(_, v)| (v.clone(), Origin::Url(k)))
                })
                .or_else(|| {
                    env(var)
                        .filter(|v| !v.is_empty())
                        .map(|v| (v, Origin::Env(var)))
                })
        };
        let pg_dir = home.map(|h| h.join(".postgresql"));
        let default_file = |name: &str| {
            pg_dir
                .as_ref()
                .map(|d| d.join(name))
                .filter(|p| p.is_file())
                .map(|p| (p.display().to_string(), Origin::Default))
        };

        let asked = match setting(&["sslmode", "ssl-mode"], "PGSSLMODE") {
            None => SslMode::Prefer,
            Some((value, origin)) => {
                SslMode::parse(&value).ok_or(TlsError::Mode { value, origin })?
            }
        };
        if asked == SslMode::Disable {
            return Ok(PgTls {
                mode: asked,
                asked,
                root_cert: None,
                client_cert: None,
                client_key: None,
            });
        }
        let root_cert = setting(&["sslrootcert", "ssl-root-cert", "ssl-ca"], "PGSSLROOTCERT")
            .or_else(|| default_file("root.crt"))
            .map(|(value, _)| {
                if value == "system" {
                    RootCert::System
                } else {
                    RootCert::File(PathBuf::from(value))
                }
            });
        let cert = setting(&["sslcert", "ssl-cert"], "PGSSLCERT");
        let key = setting(&["sslkey", "ssl-key"], "PGSSLKEY");
        // A missing half is looked for where libpq looks (`~/.postgresql/postgresql.*`).
        let (client_cert, client_key) = match (
            cert.or_else(|| default_file("postgresql.crt")),
            key.or_else(|| default_file("postgresql.key")),
        ) {
            (Some((c, _)), Some((k, _))) => (Some(PathBuf::from(c)), Some(PathBuf::from(k))),
            (Some((_, origin)), None) if origin != Origin::Default => {
                return Err(TlsError::HalfClientCert {
                    given: "sslcert",
                    origin,
                });
            }
            (None, Some((_, origin))) if origin != Origin::Default => {
                return Err(TlsError::HalfClientCert {
                    given: "sslkey",
                    origin,
                });
            }
            _ => (None, None),
        };

        // libpq: "if a root CA file exists, sslmode=require behaves like verify-ca".
        let mode = match (asked, &root_cert) {
            (SslMode::Require, Some(RootCert::File(_))) => SslMode::VerifyCa,
            // sqlx has no `allow` (it would mean plaintext only): `prefer` reaches the same
            // servers, trying TLS first.
            (SslMode::Allow, _) => SslMode::Prefer,
            (mode, _) => mode,
        };
        if mode.verifies() && root_cert.is_none() {
            return Err(TlsError::NoRootCert {
                mode,
                default: pg_dir.unwrap_or_default().join("root.crt"),
            });
        }
        Ok(PgTls {
            mode,
            asked,
            root_cert,
            client_cert,
            client_key,
        })
    }

    /// Hands the settings to sqlx, the files read and checked here.
    pub fn apply(&self, options: PgConnectOptions) -> Result<PgConnectOptions, TlsError> {
        let mode = match self.mode {
            SslMode::Disable => return Ok(options.ssl_mode(PgSslMode::Disable)),
            SslMode::Allow | SslMode::Prefer => PgSslMode::Prefer,
            SslMode::Require => PgSslMode::Require,
            SslMode::VerifyCa => PgSslMode::VerifyCa,
            SslMode::VerifyFull => PgSslMode::VerifyFull,
        };
        let mut options = options.ssl_mode(mode);
        // Always set: an empty bundle replaces whatever sqlx read from `PGSSLROOTCERT`. The
        // file is read only where it is used, as libpq does.
        let roots = match &self.root_cert {
            Some(RootCert::File(path)) if self.mode.verifies() => {
                let pem = read("the CA file", path)?;
                if CertificateDer::pem_slice_iter(&pem).next().is_none() {
                    return Err(TlsError::NoCertificate {
                        what: "the CA file",
                        path: path.clone(),
                    });
                }
                pem
            }
            _ => Vec::new(),
        };
        options = options.ssl_root_cert_from_pem(roots);
        if let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) {
            let cert_pem = read("the client certificate", cert)?;
            if CertificateDer::pem_slice_iter(&cert_pem).next().is_none() {
                return Err(TlsError::NoCertificate {
                    what: "the client certificate",
                    path: cert.clone(),
                });
            }
            let key_pem = read("the client key", key)?;
            options = options
                .ssl_client_cert_from_pem(cert_pem)
                .ssl_client_key_from_pem(key_pem);
        }
        Ok(options)
    }

    /// The TLS failure in `error`, in one sentence, if it is one.
    pub fn explain(&self, host: &str, error: &sqlx::Error) -> Option<TlsError> {
        let host = host.to_string();
        match error {
            sqlx::Error::Tls(e) if e.to_string().contains("does not support TLS") => {
                Some(TlsError::Refused {
                    host,
                    mode: self.asked,
                })
            }
            sqlx::Error::Tls(e) => Some(self.explain_rustls(host, e.as_ref())),
            sqlx::Error::Io(io) => io
                .get_ref()
                .filter(|inner| inner.downcast_ref::<rustls::Error>().is_some())
                .map(|inner| self.explain_rustls(host, inner)),
            sqlx::Error::Database(db)
                if self.mode == SslMode::Disable
                    && db.code().as_deref() == Some("28000")
                    && db.message().contains("no encryption") =>
            {
                Some(TlsError::Required {
                    host,
                    mode: self.mode,
                    message: db.message().to_string(),
                })
            }
            _ => None,
        }
    }

    fn explain_rustls(&self, host: String, error: &(dyn std::error::Error + 'static)) -> TlsError {
        let Some(tls) = error.downcast_ref::<rustls::Error>() else {
            return TlsError::Other {
                host,
                reason: error.to_string(),
            };
        };
        match tls {
            rustls::Error::InvalidCertificate(cert) => TlsError::Verify {
                host,
                root: self.root_cert.clone().unwrap_or(RootCert::System),
                mode: self.mode,
                reason: certificate_reason(cert),
            },
            rustls::Error::AlertReceived(alert) => {
                let hint = if self.client_cert.is_some() {
                    ": the server did not accept the client certificate (`sslcert`)"
                } else {
                    ": the server may require a client certificate (`sslcert` and `sslkey`)"
                };
                TlsError::Rejected {
                    host,
                    alert: format!("{alert:?}"),
                    hint,
                }
            }
            other => TlsError::Other {
                host,
                reason: other.to_string(),
            },
        }
    }
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Read {
        what,
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

fn certificate_reason(error: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match error {
        E::UnknownIssuer => "it is not signed by that CA (unknown issuer)".to_string(),
        E::NotValidForName => "it is not valid for that host name".to_string(),
        E::Expired => "it has expired".to_string(),
        E::NotValidYet => "it is not valid yet".to_string(),
        E::BadSignature => "its signature does not verify".to_string(),
        E::Revoked => "it has been revoked".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn resolve(url: &str, vars: &[(&str, &str)]) -> Result<PgTls, TlsError> {
        PgTls::resolve(url, env(vars), None)
    }

    #[test]
    fn prefer_by_default_url_over_env() {
        let tls = resolve("postgres://db/x", &[]).unwrap();
        assert_eq!(tls.mode, SslMode::Prefer);
        assert_eq!(tls.root_cert, None);
        let tls = resolve("postgres://db/x", &[("PGSSLMODE", "require")]).unwrap();
        assert_eq!(tls.mode, SslMode::Require);
        let tls = resolve(
            "postgres://db/x?sslmode=disable",
            &[("PGSSLMODE", "verify-full")],
        )
        .unwrap();
        assert_eq!(tls.mode, SslMode::Disable);
        let tls = resolve(
            "postgres://db/x?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem",
            &[("PGSSLROOTCERT", "/other.pem")],
        )
        .unwrap();
        assert_eq!(tls.root_cert, Some(RootCert::File("/etc/ca.pem".into())));
        assert_eq!(tls.mode, SslMode::VerifyFull);
    }

    #[test]
    fn a_typo_is_an_error_not_prefer() {
        let e = resolve("postgres://db/x", &[("PGSSLMODE", "verify_full")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid sslmode \"verify_full\" (from `PGSSLMODE`): expected `disable`, `allow`, `prefer`, `require`, `verify-ca` or `verify-full`"
        );
        assert!(resolve("postgres://db/x?sslmode=on", &[]).is_err());
    }

    #[test]
    fn libpq_rules() {
        // require with a CA file verifies the chain, as libpq does.
        let tls = resolve("postgres://db/x?sslmode=require&sslrootcert=/ca.pem", &[]).unwrap();
        assert_eq!((tls.asked, tls.mode), (SslMode::Require, SslMode::VerifyCa));
        // ... but not with the system store.
        let tls = resolve("postgres://db/x?sslmode=require&sslrootcert=system", &[]).unwrap();
        assert_eq!(tls.mode, SslMode::Require);
        // A verify mode without any CA is refused instead of trusting the system store.
        let e = resolve("postgres://db/x?sslmode=verify-full", &[]).unwrap_err();
        assert!(matches!(e, TlsError::NoRootCert { .. }), "{e}");
        let tls = resolve(
            "postgres://db/x?sslmode=verify-full",
            &[("PGSSLROOTCERT", "system")],
        )
        .unwrap();
        assert_eq!(tls.root_cert, Some(RootCert::System));
        assert_eq!(
            resolve("postgres://db/x?sslmode=allow", &[]).unwrap().mode,
            SslMode::Prefer
        );
        let e = resolve("postgres://db/x?sslcert=/c.pem", &[]).unwrap_err();
        assert!(matches!(
            e,
            TlsError::HalfClientCert {
                given: "sslcert",
                ..
            }
        ));
        let tls = resolve(
            "postgres://db/x?sslmode=require",
            &[("PGSSLCERT", "/c.pem"), ("PGSSLKEY", "/k.pem")],
        )
        .unwrap();
        assert_eq!(tls.client_cert, Some("/c.pem".into()));
        assert_eq!(tls.client_key, Some("/k.pem".into()));
    }

    #[test]
    fn libpq_default_files() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".postgresql");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("root.crt"), "x").unwrap();
        std::fs::write(dir.join("postgresql.crt"), "x").unwrap();
        std::fs::write(dir.join("postgresql.key"), "x").unwrap();
        let tls = PgTls::resolve(
            "postgres://db/x?sslmode=require",
            env(&[]),
            Some(home.path()),
        )
        .unwrap();
        assert_eq!(tls.mode, SslMode::VerifyCa);
        assert_eq!(tls.root_cert, Some(RootCert::File(dir.join("root.crt"))));
        assert_eq!(tls.client_cert, Some(dir.join("postgresql.crt")));
        assert_eq!(tls.client_key, Some(dir.join("postgresql.key")));
    }

    #[test]
    fn a_ca_file_is_read_only_where_it_is_used() {
        let tls = resolve(
            "postgres://db/x",
            &[("PGSSLROOTCERT", "/nonexistent/ca.pem")],
        )
        .unwrap();
        assert_eq!(tls.mode, SslMode::Prefer);
        assert!(tls.apply(PgConnectOptions::new()).is_ok());
    }

    #[test]
    fn files_are_named_when_missing() {
        let tls = resolve(
            "postgres://db/x?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
            &[],
        )
        .unwrap();
        let e = tls.apply(PgConnectOptions::new()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read the CA file `/nonexistent/ca.pem`"),
            "{e}"
        );
    }
}
