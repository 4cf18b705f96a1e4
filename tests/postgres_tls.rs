//! Postgres over TLS, against a server this test starts: `ssl = on`, a `pg_hba.conf` that
//! accepts only `hostssl`, a CA and server certificate made here with the `openssl` CLI,
//! and a role that must present a client certificate. The binary applies and reads back
//! rows with `require`, `verify-full` and a client certificate; a server certificate that
//! does not verify fails once, clearly, with the URL redacted and the JSON report printed.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{copy_tree, fixtures, free_port};
use serde_json::Value;
use sqlx::Connection;

/// The newest Debian PostgreSQL install's `bin/` (initdb, pg_ctl).
fn pg_bin(tool: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql (scripts/ensure-postgres.sh installs them)")
        .map(|e| e.unwrap().path())
        .collect();
    versions.sort_by_key(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.last().unwrap().join("bin").join(tool)
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Runs a command, as `postgres` when we are root (initdb refuses root).
fn run_as_server_user(program: &Path, args: &[&str]) {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?}: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`{name}.pem`, `{name}.key`).
fn make_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// A certificate `{name}.pem` / `{name}.key` for `cn`, signed by `ca`, with `san` if any.
fn make_cert(dir: &Path, ca: &str, name: &str, cn: &str, san: Option<&str>) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            &format!("/CN={cn}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
        ],
    );
    let ext = format!("{name}.ext");
    std::fs::write(
        dir.join(&ext),
        match san {
            Some(san) => format!("subjectAltName={san}\n"),
            None => "basicConstraints=CA:FALSE\n".to_string(),
        },
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// A Postgres server of our own: TLS only, stopped when dropped.
struct TlsPostgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl TlsPostgres {
    fn start() -> TlsPostgres {
        let dir = tempfile::Builder::new()
            .prefix("activity-sync-pgtls-")
            .tempdir()
            .unwrap();
        let certs = dir.path().join("certs");
        std::fs::create_dir_all(&certs).unwrap();
        make_ca(&certs, "ca");
        make_ca(&certs, "other-ca");
        make_cert(
            &certs,
            "ca",
            "server",
            "127.0.0.1",
            Some("IP:127.0.0.1,DNS:localhost"),
        );
        make_cert(&certs, "ca", "client", "certuser", None);
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
        }
        let data = dir.path().join("data");
        run_as_server_user(
            &pg_bin("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let port = free_port();
        let cert = |f: &str| certs.join(f).display().to_string();
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        writeln!(
            conf,
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nssl_ca_file = '{}'\nfsync = off",
            dir.path().display(),
            cert("server.pem"),
            cert("server.key"),
            cert("ca.pem"),
        )
        .unwrap();
        // TLS only: no `host` line, so a plaintext TCP connection has no entry at all.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\n\
             hostssl all certuser 127.0.0.1/32 trust clientcert=verify-full\n\
             hostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let log = dir.path().join("server.log");
        run_as_server_user(
            &pg_bin("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "30",
                "start",
            ],
        );
        let server = TlsPostgres { dir, port };
        let psql = Command::new("psql")
            .args(["-h", server.dir.path().to_str().unwrap(), "-p"])
            .arg(port.to_string())
            .args([
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qtA",
                "-c",
                "CREATE ROLE certuser LOGIN SUPERUSER",
                "-c",
                "CREATE DATABASE certdb OWNER certuser",
            ])
            .output()
            .unwrap();
        assert!(
            psql.status.success(),
            "{}",
            String::from_utf8_lossy(&psql.stderr)
        );
        server
    }

    fn cert(&self, file: &str) -> String {
        self.dir
            .path()
            .join("certs")
            .join(file)
            .display()
            .to_string()
    }

    /// `postgres://…@127.0.0.1:PORT/DB?QUERY`, with a password to prove it stays hidden.
    fn url(&self, user: &str, db: &str, query: &str) -> String {
        let sep = if query.is_empty() { "" } else { "?" };
        format!(
            "postgres://{user}:s3cr3t-pw@127.0.0.1:{}/{db}{sep}{query}",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_bin("pg_ctl"));
            c
        } else {
            Command::new(pg_bin("pg_ctl"))
        };
        let _ = cmd
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }

    /// A failed run: exit 1, the JSON report on stdout with one database error (nothing
    /// written), no password anywhere. Returns that error's message.
    fn database_failure(&self) -> String {
        assert_eq!(
            self.code, 1,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        let report = self.json();
        assert_eq!(report["outcome"], "failed", "{report}");
        assert_eq!(report["definitions"]["created"], 0, "{report}");
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{report}");
        assert_eq!(errors[0]["stage"], "database", "{report}");
        for out in [&self.stdout, &self.stderr] {
            assert!(!out.contains("s3cr3t-pw"), "{out}");
        }
        errors[0]["message"].as_str().unwrap().to_string()
    }
}

fn apply(defs: &Path, url: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = common::bin();
    cmd.args(["apply", "--source"])
        .arg(defs)
        .args(["--schedules=false", "--format", "json"])
        .env("DATABASE_URL", url)
        .env_remove("ACTIVITY_SYNC_SCOPE");
    for var in ["PGSSLMODE", "PGSSLROOTCERT", "PGSSLCERT", "PGSSLKEY"] {
        cmd.env_remove(var);
    }
    // No ~/.postgresql/ of the machine's user leaks into the test.
    let home = tempfile::tempdir().unwrap();
    cmd.env("HOME", home.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn count_rows(url: &str) -> i64 {
    common::db::block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar("SELECT count(*) FROM activity_definitions")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    })
}

#[test]
fn tls_only_postgres() {
    let server = TlsPostgres::start();
    let work = tempfile::tempdir().unwrap();
    let defs = work.path().join("defs");
    copy_tree(&fixtures("valid"), &defs);
    let ca = server.cert("ca.pem");

    // require: encrypted, not verified; the rows are written and read back.
    let require = server.url("postgres", "postgres", "sslmode=require");
    let run = apply(&defs, &require, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["definitions"]["created"], 7);
    assert_eq!(count_rows(&require), 7);

    // verify-full against the CA, by IP and by name: the same rows, nothing to do.
    for host in ["127.0.0.1", "localhost"] {
        let url = server
            .url(
                "postgres",
                "postgres",
                &format!("sslmode=verify-full&sslrootcert={ca}"),
            )
            .replace("127.0.0.1", host);
        let run = apply(&defs, &url, &[]);
        assert_eq!(run.code, 0, "{host}: {}", run.stderr);
        assert_eq!(run.json()["definitions"]["unchanged"], 7, "{host}");
    }

    // The libpq environment variables, and the default mode (prefer: TLS tried first).
    let bare = server.url("postgres", "postgres", "");
    let run = apply(
        &defs,
        &bare,
        &[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", &ca)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = apply(&defs, &bare, &[]);
    assert_eq!(
        run.code, 0,
        "prefer reaches a TLS-only server: {}",
        run.stderr
    );

    // Another CA: one sentence naming the host, the CA file and why; exit 1.
    let other = server.cert("other-ca.pem");
    let expected = format!(
        "the server certificate of `127.0.0.1:{}` does not verify against the CA file `{other}` (sslmode=verify-full): it is not signed by that CA (unknown issuer)",
        server.port
    );
    for (url, env) in [
        (
            server.url(
                "postgres",
                "postgres",
                &format!("sslmode=verify-full&sslrootcert={other}"),
            ),
            vec![],
        ),
        (
            bare.clone(),
            vec![
                ("PGSSLMODE", "verify-full"),
                ("PGSSLROOTCERT", other.as_str()),
            ],
        ),
    ] {
        let run = apply(&defs, &url, &env);
        let message = run.database_failure();
        assert!(message.ends_with(&expected), "{message}");
        assert!(message.contains("postgres:***@127.0.0.1"), "{message}");
        // Once: not repeated in the message, and printed by the report alone.
        assert_eq!(message.matches("unknown issuer").count(), 1, "{message}");
        let everything = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(everything.matches(&expected).count(), 1, "{everything}");
    }
    // `require` with a CA file verifies the chain, as libpq does.
    let run = apply(
        &defs,
        &server.url(
            "postgres",
            "postgres",
            &format!("sslmode=require&sslrootcert={other}"),
        ),
        &[],
    );
    let message = run.database_failure();
    assert!(
        message.contains("(sslmode=verify-ca): it is not signed by that CA"),
        "{message}"
    );

    // Plaintext: the server has no entry for it, and the message says what to set.
    let run = apply(
        &defs,
        &server.url("postgres", "postgres", "sslmode=disable"),
        &[],
    );
    let message = run.database_failure();
    assert!(
        message.contains("accepts only TLS connections and sslmode=disable is plaintext"),
        "{message}"
    );
    // A typo in the mode is an error, never a silent `prefer`.
    let run = apply(&defs, &bare, &[("PGSSLMODE", "verify_full")]);
    let message = run.database_failure();
    assert!(
        message.contains("invalid sslmode \"verify_full\" (from `PGSSLMODE`)"),
        "{message}"
    );

    // A role the server asks a client certificate of.
    let cert_url = |query: &str| server.url("certuser", "certdb", query);
    let run = apply(
        &defs,
        &cert_url(&format!("sslmode=verify-full&sslrootcert={ca}")),
        &[],
    );
    let message = run.database_failure();
    assert!(
        message.contains("connection requires a valid client certificate"),
        "{message}"
    );
    let with_cert = cert_url(&format!(
        "sslmode=verify-full&sslrootcert={ca}&sslcert={}&sslkey={}",
        server.cert("client.pem"),
        server.cert("client.key")
    ));
    let run = apply(&defs, &with_cert, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["definitions"]["created"], 7);
    assert_eq!(count_rows(&with_cert), 7);
    // The same through PGSSLCERT / PGSSLKEY.
    let run = apply(
        &defs,
        &cert_url("sslmode=require"),
        &[
            ("PGSSLCERT", &server.cert("client.pem")),
            ("PGSSLKEY", &server.cert("client.key")),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["definitions"]["unchanged"], 7);
}

/// With `require`, a server that declines TLS is never sent a plaintext startup message
/// (where a password would travel): a listener that answers the SSLRequest with `N` and
/// records what follows.
#[test]
fn require_never_falls_back_to_plaintext() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut after = Vec::new();
        // The pool may retry; every connection must stop after the SSLRequest.
        listener.set_nonblocking(false).unwrap();
        let (mut socket, _) = listener.accept().unwrap();
        let mut request = [0u8; 8];
        socket.read_exact(&mut request).unwrap();
        socket.write_all(b"N").unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        let _ = socket.read_to_end(&mut after);
        (request, after)
    });
    let work = tempfile::tempdir().unwrap();
    let defs = work.path().join("defs");
    copy_tree(&fixtures("valid"), &defs);
    let run = apply(
        &defs,
        &format!("postgres://app:s3cr3t-pw@127.0.0.1:{port}/db?sslmode=require"),
        &[],
    );
    let (request, after) = server.join().unwrap();
    // SSLRequest: length 8, code 80877103.
    assert_eq!(request, [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    assert!(
        after.is_empty(),
        "plaintext sent after a refused TLS upgrade: {after:?}"
    );
    let message = run.database_failure();
    assert!(
        message.contains(&format!(
            "the server at `127.0.0.1:{port}` does not accept TLS, and sslmode=require never falls back to plaintext"
        )),
        "{message}"
    );
}
