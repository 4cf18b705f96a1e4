//! Live `configmap:NAMESPACE/NAME` sources against a real HTTPS server on loopback that
//! serves the Kubernetes API paths the way an API server does (a ConfigMap with its
//! resourceVersion, and `Status` bodies for 401, 403 and 404), reached through a kubeconfig
//! file (with a token, a client certificate or an exec plugin) and through a directory laid
//! out like a pod's service-account mount. The server checks the bearer token or the client
//! certificate, so a run that sends neither fails.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::{Value, json};

use common::job::parse;
use common::{copy_tree, fixtures};

const TOKEN: &str = "sa-token-3f9c1e7d5b2a4c6e8f0a1b3c5d7e9f11";
const RESOURCE_VERSION: &str = "48213";
const NAMESPACE: &str = "platform";

/// A certificate authority, a server certificate it signed for 127.0.0.1, and a client
/// certificate it signed (a kubeconfig user may log in with either a token or that).
struct Pki {
    ca_pem: String,
    server: rustls::ServerConfig,
    client_cert_pem: String,
    client_key_pem: String,
}

impl Pki {
    fn new() -> Pki {
        let ca = ca();
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        let client_key = KeyPair::generate().unwrap();
        let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
        client
            .distinguished_name
            .push(rcgen::DnType::CommonName, "activity-sync");
        client.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client.signed_by(&client_key, &ca).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.der().clone()).unwrap();
        // A client certificate is optional: without one, the bearer token decides.
        let clients = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .allow_unauthenticated()
        .build()
        .unwrap();
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(clients)
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        Pki {
            ca_pem: ca.pem(),
            server,
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
        }
    }
}

fn ca() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kubernetes test ca");
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A Kubernetes API server on loopback, serving ConfigMaps of namespace `platform`.
struct ApiServer {
    port: u16,
    ca_pem: String,
    client_cert_pem: String,
    client_key_pem: String,
}

impl ApiServer {
    fn start() -> ApiServer {
        let pki = Pki::new();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = Arc::new(pki.server);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = config.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, config);
                });
            }
        });
        ApiServer {
            port,
            ca_pem: pki.ca_pem,
            client_cert_pem: pki.client_cert_pem,
            client_key_pem: pki.client_key_pem,
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

/// One connection: read the request head, answer, close.
fn serve(tcp: TcpStream, config: Arc<rustls::ServerConfig>) -> std::io::Result<()> {
    let connection = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    let mut reader = BufReader::new(&mut tls);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_string());
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("");
    let path = path.split('?').next().unwrap_or("");
    let authenticated = tls.conn.peer_certificates().is_some()
        || authorization.as_deref() == Some(&format!("Bearer {TOKEN}"));
    let (code, body) = route(path, authenticated);
    let reason = match code {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        _ => "Not Found",
    };
    let body = body.to_string();
    write!(
        tls,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    tls.flush()?;
    tls.conn.send_close_notify();
    let _ = tls.conn.complete_io(&mut tls.sock);
    Ok(())
}

fn status(code: u16, reason: &str, message: &str, name: &str) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason,
        "details": {"name": name, "kind": "configmaps"}, "code": code,
    })
}

fn configmap(name: &str, data: Value) -> Value {
    json!({
        "kind": "ConfigMap", "apiVersion": "v1",
        "metadata": {
            "name": name, "namespace": NAMESPACE, "uid": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
            "resourceVersion": RESOURCE_VERSION, "creationTimestamp": "2026-11-22T14:00:00Z",
        },
        "data": data,
    })
}

/// The files of `fixtures/valid` as a ConfigMap's data, keyed as `export configmap` keys them.
fn fixture_data() -> Value {
    let root = fixtures("valid");
    let mut data = serde_json::Map::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&root).unwrap().to_string_lossy();
            let key = activity_sync::render::configmap::key_for(&rel);
            data.insert(key, std::fs::read_to_string(entry.path()).unwrap().into());
        }
    }
    Value::Object(data)
}

fn route(path: &str, authenticated: bool) -> (u16, Value) {
    let name = path.rsplit('/').next().unwrap_or("");
    let ours = path == format!("/api/v1/namespaces/{NAMESPACE}/configmaps/{name}");
    if !authenticated {
        return (401, status(401, "Unauthorized", "Unauthorized", ""));
    }
    match name {
        _ if !ours => (
            404,
            status(
                404,
                "NotFound",
                &format!("configmaps \"{name}\" not found"),
                name,
            ),
        ),
        "defs" => (200, configmap(name, fixture_data())),
        "settings" => (
            200,
            configmap(name, json!({"LOG_LEVEL": "info", "notes.txt": "x"})),
        ),
        "locked" => (
            403,
            status(
                403,
                "Forbidden",
                "configmaps \"locked\" is forbidden: User \"system:serviceaccount:platform:activity-sync\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"platform\"",
                name,
            ),
        ),
        "hang" => {
            std::thread::sleep(Duration::from_secs(120));
            (404, status(404, "NotFound", "late", name))
        }
        _ => (
            404,
            status(
                404,
                "NotFound",
                &format!("configmaps \"{name}\" not found"),
                name,
            ),
        ),
    }
}

/// A working directory: the fixtures, a SQLite database, a home without `~/.kube`.
struct Workspace {
    dir: tempfile::TempDir,
}

/// How the binary finds the API server.
enum Via<'a> {
    /// `KUBECONFIG` naming a file with this server, CA and token.
    Kubeconfig {
        server: &'a str,
        ca_pem: &'a str,
        token: &'a str,
    },
    /// A pod: `KUBERNETES_SERVICE_HOST`/`_PORT` and a service-account mount.
    ServiceAccount { port: u16, ca_pem: &'a str },
    /// A kubeconfig whose user logs in with a client certificate.
    ClientCertificate { server: &'a ApiServer, url: &'a str },
    /// A kubeconfig whose user runs an exec plugin (as cloud providers' kubeconfigs do);
    /// `hang`: one that never returns.
    ExecPlugin {
        server: &'a str,
        ca_pem: &'a str,
        hang: bool,
    },
    /// `KUBERNETES_SERVICE_HOST` set, no service account mounted.
    NoMount { port: u16 },
    /// Neither.
    Nothing,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures("valid"), &dir.path().join("defs"));
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Workspace { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn db_url(&self) -> String {
        format!("sqlite://{}", self.path("activity-sync.db").display())
    }

    fn command(&self, via: &Via, args: &[&str]) -> Command {
        let mut cmd = common::bin();
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", self.db_url())
            .env("HOME", self.path("home"))
            .env_remove("ACTIVITY_SYNC_SCOPE")
            .env_remove("KUBECONFIG")
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env_remove("KUBERNETES_SERVICE_PORT")
            .env_remove("ACTIVITY_SYNC_SERVICEACCOUNT_DIR")
            .env_remove("RUST_LOG");
        match via {
            Via::Kubeconfig {
                server,
                ca_pem,
                token,
            } => {
                let path = self.path("kubeconfig");
                std::fs::write(&path, kubeconfig(server, ca_pem, token)).unwrap();
                cmd.env("KUBECONFIG", path);
            }
            Via::ServiceAccount { port, ca_pem } => {
                let dir = self.path("serviceaccount");
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("token"), TOKEN).unwrap();
                std::fs::write(dir.join("ca.crt"), ca_pem).unwrap();
                std::fs::write(dir.join("namespace"), NAMESPACE).unwrap();
                cmd.env("ACTIVITY_SYNC_SERVICEACCOUNT_DIR", &dir)
                    .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
                    .env("KUBERNETES_SERVICE_PORT", port.to_string());
            }
            Via::ExecPlugin {
                server,
                ca_pem,
                hang,
            } => {
                let plugin = self.path("credential-plugin.sh");
                // A plugin that never returns, holding none of the binary's pipes (its pid
                // written down, so that the test can end it).
                let wait = if *hang {
                    "echo $$ > plugin.pid\nexec sleep 120 </dev/null >/dev/null 2>&1\n"
                } else {
                    ""
                };
                std::fs::write(
                    &plugin,
                    format!(
                        "#!/bin/sh\n{wait}echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{TOKEN}\"}}}}'\n"
                    ),
                )
                .unwrap();
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
                let user = format!(
                    "exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: {}",
                    plugin.display()
                );
                let path = self.path("kubeconfig");
                std::fs::write(&path, kubeconfig_with_user(server, ca_pem, &user)).unwrap();
                cmd.env("KUBECONFIG", path);
            }
            Via::ClientCertificate { server, url } => {
                let b64 = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
                let user = format!(
                    "client-certificate-data: {}\n    client-key-data: {}",
                    b64(&server.client_cert_pem),
                    b64(&server.client_key_pem)
                );
                let path = self.path("kubeconfig");
                std::fs::write(&path, kubeconfig_with_user(url, &server.ca_pem, &user)).unwrap();
                cmd.env("KUBECONFIG", path);
            }
            Via::NoMount { port } => {
                cmd.env(
                    "ACTIVITY_SYNC_SERVICEACCOUNT_DIR",
                    self.path("no-serviceaccount"),
                )
                .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
                .env("KUBERNETES_SERVICE_PORT", port.to_string());
            }
            Via::Nothing => {}
        }
        cmd
    }

    fn output(&self, via: &Via, args: &[&str]) -> Output {
        self.command(via, args).output().unwrap()
    }

    /// `args --format json`: the exit code and the report.
    fn json(&self, via: &Via, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.output(via, &all);
        assert_no_token(&out);
        parse(out)
    }

    /// The `sources` column of every recorded run, oldest first.
    fn recorded_sources(&self) -> Vec<String> {
        common::db::block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&self.db_url())
                .await
                .unwrap();
            sqlx::query_scalar("SELECT sources FROM sync_runs ORDER BY started_at")
                .fetch_all(&mut c)
                .await
                .unwrap()
        })
    }

    /// `(key, enabled, retired)` of every definition row.
    fn rows(&self) -> Vec<(String, bool, bool)> {
        common::db::block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&self.db_url())
                .await
                .unwrap();
            sqlx::query_as(
                "SELECT key, enabled, retired_at IS NOT NULL FROM activity_definitions ORDER BY key",
            )
            .fetch_all(&mut c)
            .await
            .unwrap()
        })
    }
}

fn kubeconfig(server: &str, ca_pem: &str, token: &str) -> String {
    kubeconfig_with_user(server, ca_pem, &format!("token: {token}"))
}

/// A kubeconfig whose current context is `server` as user `user` (the YAML of its fields).
fn kubeconfig_with_user(server: &str, ca_pem: &str, user: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster:\n    server: https://192.0.2.1:6443\n- name: test\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\nusers:\n- name: sync\n  user:\n    {user}\ncontexts:\n- name: other\n  context:\n    cluster: other\n    user: sync\n- name: test\n  context:\n    cluster: test\n    user: sync\n    namespace: {NAMESPACE}\ncurrent-context: test\n"
    )
}

fn assert_no_token(out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(TOKEN), "the token is in {stream}:\n{text}");
        assert!(
            !text.contains(&TOKEN[..12]),
            "part of the token is in {stream}:\n{text}"
        );
    }
}

fn skipped_and_sources(report: &Value) -> (Vec<String>, &Value) {
    let skipped = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    (skipped, &report["sources"])
}

#[test]
fn validate_reads_a_live_configmap_through_a_kubeconfig() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let url = api.url();
    let via = Via::Kubeconfig {
        server: &url,
        ca_pem: &api.ca_pem,
        token: TOKEN,
    };
    let (code, live) = ws.json(&via, &["validate", "--source", "configmap:platform/defs"]);
    assert_eq!(code, 0, "{live}");
    assert_eq!(live["valid"], true, "{live}");
    let (code, local) = ws.json(&via, &["validate", "--source", "defs"]);
    assert_eq!(code, 0, "{local}");
    assert_eq!(
        live["definitions"], local["definitions"],
        "same definitions"
    );
    assert_eq!(live["event_types"], local["event_types"]);
    let (skipped, sources) = skipped_and_sources(&live);
    assert_eq!(
        skipped,
        ["configmap:platform/defs@48213:README.md"],
        "files are named with the resourceVersion"
    );
    assert_eq!(
        sources,
        &json!([{"source": "configmap:platform/defs", "resource_version": RESOURCE_VERSION, "files": 9}])
    );
    // Byte for byte the files of the directory: exported, both give the same ConfigMap.
    let export = |source: &str| {
        let out = ws.output(
            &via,
            &["export", "configmap", "--name", "defs", "--source", source],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_token(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(export("configmap:platform/defs"), export("defs"));
}

#[test]
fn plan_and_apply_through_a_service_account_record_the_resource_version() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let via = Via::ServiceAccount {
        port: api.port,
        ca_pem: &api.ca_pem,
    };
    let source = ["--source", "configmap:platform/defs", "--schedules=false"];
    let (code, plan) = ws.json(&via, &[&["plan"][..], &source].concat());
    assert_eq!(code, 0, "{plan}");
    assert_eq!(plan["sources"][0]["resource_version"], RESOURCE_VERSION);
    assert_eq!(plan["definitions"]["created"], 7, "{plan}");
    let (code, applied) = ws.json(&via, &[&["apply"][..], &source].concat());
    assert_eq!(code, 0, "{applied}");
    assert_eq!(applied["sources"][0]["resource_version"], RESOURCE_VERSION);
    assert_eq!(applied["definitions"]["created"], 7, "{applied}");
    // Read again, nothing to do.
    let (code, again) = ws.json(&via, &[&["apply"][..], &source].concat());
    assert_eq!(code, 0, "{again}");
    assert_eq!(again["definitions"]["unchanged"], 7, "{again}");
    // The text report says which version it read.
    let out = ws.output(&via, &[&["plan"][..], &source].concat());
    assert!(out.status.success());
    assert_no_token(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("configmap:platform/defs@48213"), "{stdout}");
    let out = ws.output(
        &via,
        &[&["plan"][..], &source, &["--format", "markdown"]].concat(),
    );
    assert!(out.status.success());
    let markdown = String::from_utf8_lossy(&out.stdout);
    assert!(
        markdown.contains("`configmap:platform/defs` at `48213`"),
        "{markdown}"
    );
    // Recorded with each run (the first plan found no tables to record in).
    let recorded = ws.recorded_sources();
    assert_eq!(recorded.len(), 4, "two applies and two plans: {recorded:?}");
    for sources in &recorded {
        let sources: Value = serde_json::from_str(sources).unwrap();
        assert_eq!(
            sources[0]["resource_version"], RESOURCE_VERSION,
            "{sources}"
        );
    }
}

/// Every way the read can fail: exit 1, a message that says what to do, and (against a
/// scope that owns rows) nothing retired or changed.
#[test]
fn failures_exit_1_say_what_to_do_and_retire_nothing() {
    let api = ApiServer::start();
    let other = ApiServer::start(); // its CA did not sign `api`'s certificate
    let ws = Workspace::new();
    let url = api.url();
    let good = Via::Kubeconfig {
        server: &url,
        ca_pem: &api.ca_pem,
        token: TOKEN,
    };
    let (code, first) = ws.json(&good, &["apply", "--source", "defs", "--schedules=false"]);
    assert_eq!(code, 0, "{first}");
    let before = ws.rows();
    assert_eq!(before.len(), 7);

    let wrong_token = "not-the-token-5a5a5a5a";
    let unreachable = format!("https://127.0.0.1:{}", common::free_port());
    let cases: Vec<(&str, Via, &str, Vec<&str>)> = vec![
        (
            "401",
            Via::Kubeconfig {
                server: &url,
                ca_pem: &api.ca_pem,
                token: wrong_token,
            },
            "configmap:platform/defs",
            vec!["rejected the credentials", "401 Unauthorized"],
        ),
        (
            "403",
            Via::ServiceAccount {
                port: api.port,
                ca_pem: &api.ca_pem,
            },
            "configmap:platform/locked",
            vec![
                "403 Forbidden",
                "RBAC verb `get` on resource `configmaps` named `locked` in namespace `platform`",
                "k8s/base/role.yaml",
                "system:serviceaccount:platform:activity-sync",
            ],
        ),
        (
            "404",
            good_via(&url, &api.ca_pem),
            "configmap:platform/nope",
            vec!["ConfigMap `nope` not found in namespace `platform`"],
        ),
        (
            "404 namespace",
            good_via(&url, &api.ca_pem),
            "configmap:elsewhere/defs",
            vec!["ConfigMap `defs` not found in namespace `elsewhere`"],
        ),
        (
            "no *.md key",
            good_via(&url, &api.ca_pem),
            "configmap:platform/settings",
            vec!["ConfigMap `settings` holds no `*.md` key (its keys: `LOG_LEVEL`, `notes.txt`)"],
        ),
        (
            "CA mismatch",
            Via::Kubeconfig {
                server: &url,
                ca_pem: &other.ca_pem,
                token: TOKEN,
            },
            "configmap:platform/defs",
            vec![
                "is not trusted (it is not signed by a trusted CA)",
                "certificate-authority-data",
            ],
        ),
        (
            "unreachable",
            good_via(&unreachable, &api.ca_pem),
            "configmap:platform/defs",
            vec!["cannot reach the Kubernetes API server", "refused"],
        ),
        (
            "no service account mounted",
            Via::NoMount { port: api.port },
            "configmap:platform/defs",
            vec![
                "no service account is mounted there",
                "automountServiceAccountToken",
            ],
        ),
        (
            "no configuration",
            Via::Nothing,
            "configmap:platform/defs",
            vec![
                "no Kubernetes configuration",
                "`KUBERNETES_SERVICE_HOST` is not set",
            ],
        ),
    ];
    for (what, via, source, needles) in &cases {
        let (code, report) = ws.json(via, &["plan", "--source", source, "--schedules=false"]);
        assert_eq!(code, 1, "{what}: {report}");
        assert_eq!(report["outcome"], "failed", "{what}: {report}");
        let errors = report["errors"].to_string();
        assert!(
            errors.contains(source),
            "{what}: names the source: {errors}"
        );
        for needle in needles {
            assert!(errors.contains(needle), "{what}: {needle:?} in {errors}");
        }
        assert_eq!(report["definitions"]["retired"], 0, "{what}: {report}");
        assert_eq!(report["definitions"]["updated"], 0, "{what}: {report}");
        // The same message on the text report, the one an operator reads.
        let out = ws.output(via, &["validate", "--source", source]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needles[0]), "{what}: {text}");
        assert_no_token(&out);
    }
    // A failed source beside one that reads: what only the failed one may describe is
    // kept, not retired (the other source alone would retire six rows, under the limit).
    std::fs::create_dir(ws.path("partial")).unwrap();
    std::fs::copy(
        ws.path("defs/report-daily.md"),
        ws.path("partial/report-daily.md"),
    )
    .unwrap();
    let (code, report) = ws.json(
        &good,
        &[
            "apply",
            "--source",
            "partial",
            "--source",
            "configmap:platform/nope",
            "--schedules=false",
        ],
    );
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["definitions"]["retired"], 0, "{report}");
    assert_eq!(ws.rows(), before, "no row retired, disabled or changed");
    // An apply that cannot read its source writes nothing either.
    let (code, report) = ws.json(
        &good,
        &[
            "apply",
            "--source",
            "configmap:platform/nope",
            "--schedules=false",
        ],
    );
    assert_eq!(code, 1, "{report}");
    assert_eq!(ws.rows(), before, "no row retired, disabled or changed");
}

fn good_via<'a>(server: &'a str, ca_pem: &'a str) -> Via<'a> {
    Via::Kubeconfig {
        server,
        ca_pem,
        token: TOKEN,
    }
}

#[test]
fn an_exec_plugin_of_the_kubeconfig_supplies_the_token() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let url = api.url();
    let via = Via::ExecPlugin {
        server: &url,
        ca_pem: &api.ca_pem,
        hang: false,
    };
    let (code, report) = ws.json(&via, &["validate", "--source", "configmap:platform/defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["sources"][0]["resource_version"], RESOURCE_VERSION);
    let out = ws.output(
        &via,
        &["validate", "--source", "configmap:platform/defs", "-vv"],
    );
    assert!(out.status.success());
    assert_no_token(&out);
}

#[test]
fn a_client_certificate_of_the_kubeconfig_logs_in() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let url = api.url();
    let via = Via::ClientCertificate {
        server: &api,
        url: &url,
    };
    let (code, report) = ws.json(&via, &["validate", "--source", "configmap:platform/defs"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["sources"][0]["resource_version"], RESOURCE_VERSION);
    // The key never shows.
    let out = ws.output(
        &via,
        &["validate", "--source", "configmap:platform/defs", "-vv"],
    );
    assert!(out.status.success());
    let key_line = api.client_key_pem.lines().nth(1).unwrap();
    for bytes in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(bytes).contains(key_line));
    }
}

#[test]
fn the_token_never_shows_even_at_trace_level() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let url = api.url();
    for via in [
        good_via(&url, &api.ca_pem),
        Via::ServiceAccount {
            port: api.port,
            ca_pem: &api.ca_pem,
        },
    ] {
        for source in ["configmap:platform/defs", "configmap:platform/locked"] {
            let out = ws.output(&via, &["validate", "--source", source, "-vv"]);
            assert_no_token(&out);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.is_empty(), "-vv logs something");
        }
    }
}

#[test]
fn a_hung_api_server_costs_a_bounded_time() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let url = api.url();
    let started = Instant::now();
    let (code, report) = ws.json(
        &good_via(&url, &api.ca_pem),
        &["validate", "--source", "configmap:platform/hang"],
    );
    let took = started.elapsed();
    assert_eq!(code, 1, "{report}");
    assert!(
        report["errors"]
            .to_string()
            .contains("did not answer in time"),
        "{report}"
    );
    assert!(took < Duration::from_secs(40), "took {took:?}");
}

#[test]
fn a_hung_credential_plugin_costs_a_bounded_time() {
    let api = ApiServer::start();
    let ws = Workspace::new();
    let url = api.url();
    let started = Instant::now();
    let (code, report) = ws.json(
        &Via::ExecPlugin {
            server: &url,
            ca_pem: &api.ca_pem,
            hang: true,
        },
        &["validate", "--source", "configmap:platform/defs"],
    );
    let took = started.elapsed();
    if let Ok(pid) = std::fs::read_to_string(ws.path("plugin.pid")) {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }
    assert_eq!(code, 1, "{report}");
    assert!(
        report["errors"]
            .to_string()
            .contains("no answer from the Kubernetes API"),
        "{report}"
    );
    assert!(took < Duration::from_secs(50), "took {took:?}");
}

/// The manifest source holds ConfigMaps to the same rule: one without `*.md` keys is an
/// error that names its keys.
#[test]
fn a_manifest_without_markdown_keys_names_its_keys() {
    let ws = Workspace::new();
    let manifest = ws.path("settings.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n",
    )
    .unwrap();
    let out = ws.output(&Via::Nothing, &["validate", "--source", "settings.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ConfigMap `settings` holds no `*.md` key (its keys: `LOG_LEVEL`)"),
        "{stdout}"
    );
}
