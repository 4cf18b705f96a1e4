//! git over SSH, against an OpenSSH `sshd` this test starts on loopback with a host key and
//! authorized keys it makes, serving a bare repository: both URL forms read the definitions
//! at a ref with a deploy key, a passphrase-protected key or the ssh-agent; a wrong key, an
//! unknown host key, a changed host key and a missing repository each fail with their own
//! message, exit 1, and retire nothing.

mod common;

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_tree, fixtures};
use git2::{Repository, Signature};
use serde_json::Value;
use sqlx::Connection;

const PASSPHRASE: &str = "correct horse battery staple";

fn sh(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn keygen(path: &Path, passphrase: &str) {
    sh(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f"])
        .arg(path));
}

fn public(path: &Path) -> String {
    std::fs::read_to_string(path.with_extension("pub")).unwrap()
}

fn commit_all(repo: &Repository, message: &str) -> git2::Oid {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("test", "test@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
}

/// The fixtures at tag `v1`, a commit no ref points at, then `main` with the sweep disabled.
struct Commits {
    v1: git2::Oid,
    middle: git2::Oid,
    main: git2::Oid,
}

fn make_repository(work: &Path, bare: &Path) -> Commits {
    let src = work.join("src");
    let repo = Repository::init(&src).unwrap();
    repo.set_head("refs/heads/main").unwrap();
    copy_tree(&fixtures("valid"), &src.join("activity-definitions"));
    let v1 = commit_all(&repo, "definitions");
    repo.tag_lightweight("v1", &repo.find_object(v1, None).unwrap(), false)
        .unwrap();
    std::fs::write(src.join("README.md"), "# platform\n").unwrap();
    let middle = commit_all(&repo, "readme");
    let sweep = src.join("activity-definitions/consistency-sweep.md");
    let text = std::fs::read_to_string(&sweep).unwrap();
    std::fs::write(&sweep, text.replacen("enabled: true", "enabled: false", 1)).unwrap();
    let main = commit_all(&repo, "pause the sweep");
    sh(Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(&src)
        .arg(bare));
    Commits { v1, middle, main }
}

/// A bare repository whose history cannot be served whole: the first commit's only blob
/// is deleted from it. A shallow fetch of `main` needs none of it; a full fetch fails.
fn make_history_gap(work: &Path, bare: &Path) {
    let src = work.join("gap-src");
    let repo = Repository::init(&src).unwrap();
    repo.set_head("refs/heads/main").unwrap();
    std::fs::write(src.join("old.bin"), "history nobody needs\n").unwrap();
    commit_all(&repo, "old");
    let old_blob = repo
        .head()
        .unwrap()
        .peel_to_tree()
        .unwrap()
        .get_name("old.bin")
        .unwrap()
        .id()
        .to_string();
    std::fs::remove_file(src.join("old.bin")).unwrap();
    let mut index = repo.index().unwrap();
    index.remove_path(Path::new("old.bin")).unwrap();
    index.write().unwrap();
    copy_tree(&fixtures("valid"), &src.join("activity-definitions"));
    commit_all(&repo, "definitions");
    // A local clone keeps the objects loose, so one can be taken out.
    sh(Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(&src)
        .arg(bare));
    std::fs::remove_file(
        bare.join("objects")
            .join(&old_blob[..2])
            .join(&old_blob[2..]),
    )
    .unwrap();
}

/// OpenSSH's sshd on `127.0.0.1:PORT` and on port 22 of another loopback address (the scp
/// form has no port), stopped when dropped.
struct Sshd {
    child: Child,
    port: u16,
    scp_host: String,
}

impl Sshd {
    fn start(dir: &Path, host_key: &Path, authorized: &Path) -> Sshd {
        let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("OpenSSH sshd (Debian `openssh-server`; scripts/test.sh installs it)");
        // sshd insists on its privilege separation directory when started as root.
        std::fs::create_dir_all("/run/sshd").unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Unique per server (tests run in parallel): derived from its free port.
        let scp_host = format!("127.{}.{}.3", port >> 8, port & 0xff);
        let config = dir.join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1:{port}\nListenAddress {scp_host}:22\n\
                 HostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
                 PubkeyAuthentication yes\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 UsePAM no\nStrictModes no\nLogLevel VERBOSE\n",
                host_key.display(),
                authorized.display(),
                dir.join("sshd.pid").display()
            ),
        )
        .unwrap();
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("sshd.log")).unwrap())
            .spawn()
            .unwrap();
        let server = Sshd {
            child,
            port,
            scp_host,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let ip: Ipv4Addr = server.scp_host.parse().unwrap();
        for addr in [
            SocketAddr::from(([127, 0, 0, 1], port)),
            SocketAddr::from((ip, 22)),
        ] {
            while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "sshd does not listen on {addr}: {}",
                    std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        server
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    sshd: Sshd,
    user: String,
    bare: PathBuf,
    commits: Commits,
    db: String,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("activity-sync-ssh-")
            .tempdir()
            .unwrap();
        let p = |f: &str| dir.path().join(f);
        keygen(&p("host_key"), "");
        keygen(&p("other_host_key"), "");
        keygen(&p("deploy_key"), "");
        keygen(&p("pass_key"), PASSPHRASE);
        keygen(&p("stranger_key"), "");
        std::fs::write(
            p("authorized_keys"),
            public(&p("deploy_key")) + &public(&p("pass_key")),
        )
        .unwrap();
        let bare = p("repo.git");
        let commits = make_repository(dir.path(), &bare);
        let sshd = Sshd::start(dir.path(), &p("host_key"), &p("authorized_keys"));
        let host_line = public(&p("host_key"));
        let host_line: Vec<&str> = host_line.split_whitespace().collect();
        let other_line = public(&p("other_host_key"));
        let other_line: Vec<&str> = other_line.split_whitespace().collect();
        let entry = |host: &str, key: &[&str]| format!("{host} {} {}\n", key[0], key[1]);
        let with_port = format!("[127.0.0.1]:{}", sshd.port);
        // The right keys, one plain and one hashed the way `ssh-keygen -H` writes them.
        std::fs::write(
            p("known_hosts"),
            entry("unrelated.example", &other_line)
                + &entry(&with_port, &host_line)
                + &entry(&sshd.scp_host, &host_line),
        )
        .unwrap();
        sh(Command::new("ssh-keygen")
            .args(["-q", "-H", "-f"])
            .arg(p("known_hosts")));
        // The host listed with another key: a changed key, or someone in between.
        std::fs::write(
            p("changed_known_hosts"),
            entry(&with_port, &other_line) + &entry(&sshd.scp_host, &other_line),
        )
        .unwrap();
        std::fs::write(
            p("unknown_known_hosts"),
            entry("unrelated.example", &host_line),
        )
        .unwrap();
        let user = sh(Command::new("id").arg("-un")).trim().to_string();
        let db = format!("sqlite://{}", p("activity-sync.db").display());
        Fixture {
            dir,
            sshd,
            user,
            bare,
            commits,
            db,
        }
    }

    fn path(&self, f: &str) -> PathBuf {
        self.dir.path().join(f)
    }

    fn ssh_url(&self) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}",
            self.user,
            self.sshd.port,
            self.bare.display()
        )
    }

    fn scp_url(&self) -> String {
        format!(
            "{}@{}:{}",
            self.user,
            self.sshd.scp_host,
            self.bare.display()
        )
    }

    /// `apply` of `git::URL//activity-definitions?ref=REF` with the environment given (and
    /// nothing of the machine's own SSH set-up).
    fn apply(&self, url: &str, reference: &str, env: &[(&str, &str)]) -> Run {
        let mut cmd = common::bin();
        cmd.args(["apply", "--schedules=false", "--format", "json", "--source"])
            .arg(format!("git::{url}//activity-definitions?ref={reference}"))
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.db)
            .env("HOME", self.path("home"))
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("ACTIVITY_SYNC_SCOPE")
            .env_remove("ACTIVITY_SYNC_GIT_SSH_KEY")
            .env_remove("ACTIVITY_SYNC_GIT_SSH_KEY_PASSPHRASE")
            .env_remove("ACTIVITY_SYNC_GIT_KNOWN_HOSTS");
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

    fn deploy_key(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "ACTIVITY_SYNC_GIT_SSH_KEY",
                self.path("deploy_key").display().to_string(),
            ),
            (
                "ACTIVITY_SYNC_GIT_KNOWN_HOSTS",
                self.path("known_hosts").display().to_string(),
            ),
        ]
    }

    /// The `sources` of the last `sync_runs` row (with the commit each git source read).
    fn last_run_sources(&self) -> String {
        common::db::block_on(async {
            let mut c = sqlx::SqliteConnection::connect(&self.db).await.unwrap();
            sqlx::query_scalar("SELECT sources FROM sync_runs ORDER BY rowid DESC LIMIT 1")
                .fetch_one(&mut c)
                .await
                .unwrap()
        })
    }

    /// `(key, enabled, retired, source_path)` of every row.
    fn rows(&self) -> Vec<(String, bool, bool, String)> {
        common::db::block_on(async {
            let mut c = sqlx::SqliteConnection::connect(&self.db).await.unwrap();
            sqlx::query_as(
                "SELECT key, enabled, retired_at IS NOT NULL, source_path FROM activity_definitions ORDER BY key",
            )
            .fetch_all(&mut c)
            .await
            .unwrap()
        })
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

    fn ok(&self) -> Value {
        assert_eq!(self.code, 0, "stderr:\n{}", self.stderr);
        self.json()
    }
}

fn env<'a>(
    vars: &'a [(&'static str, String)],
    more: &[(&'static str, &'a str)],
) -> Vec<(&'static str, &'a str)> {
    let mut out: Vec<(&'static str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (k, v) in more {
        out.retain(|(key, _)| key != k);
        out.push((k, v));
    }
    out
}

const SWEEP: &str = "the-custodian.state-hub-consistency-sweep";

fn sweep(rows: &[(String, bool, bool, String)]) -> &(String, bool, bool, String) {
    rows.iter().find(|r| r.0 == SWEEP).unwrap()
}

#[test]
fn definitions_over_ssh() {
    let fx = Fixture::new();
    let key = fx.deploy_key();
    let key_env = env(&key, &[]);

    // ssh:// with a port, at a tag, with a deploy key and a hashed known_hosts.
    let report = fx.apply(&fx.ssh_url(), "v1", &key_env).ok();
    assert_eq!(report["definitions"]["created"], 7);
    let rows = fx.rows();
    assert!(sweep(&rows).1, "v1 has the sweep enabled");
    assert!(
        sweep(&rows)
            .3
            .contains(&format!("@{}:", &fx.commits.v1.to_string()[..12])),
        "{}",
        sweep(&rows).3
    );

    // The scp form (port 22), at a branch: the sweep is disabled at main.
    let report = fx.apply(&fx.scp_url(), "main", &key_env).ok();
    assert_eq!(report["definitions"]["updated"], 1, "{report}");
    let rows = fx.rows();
    assert!(!sweep(&rows).1);
    assert!(sweep(&rows).3.contains(&fx.commits.main.to_string()[..12]));

    // A full SHA: one a ref points at, and one no ref points at (the server does not allow
    // fetching it by SHA, so the whole repository is fetched, and the log says so).
    let run = fx.apply(&fx.ssh_url(), &fx.commits.v1.to_string(), &key_env);
    assert_eq!(run.ok()["definitions"]["updated"], 1);
    assert!(
        !run.stderr.contains("fetching the whole repository"),
        "{}",
        run.stderr
    );
    let run = fx.apply(&fx.ssh_url(), &fx.commits.middle.to_string(), &key_env);
    assert_eq!(run.ok()["definitions"]["unchanged"], 7);
    assert!(
        run.stderr.contains("fetching the whole repository"),
        "{}",
        run.stderr
    );
    assert!(
        fx.last_run_sources()
            .contains(&fx.commits.middle.to_string()),
        "the run records the commit read: {}",
        fx.last_run_sources()
    );

    // Only the ref's commit is fetched: a repository whose old history is unreadable
    // still reads at its tip.
    let gap = fx.path("gap.git");
    make_history_gap(fx.dir.path(), &gap);
    let gap_url = fx.ssh_url().replace("repo.git", "gap.git");
    let run = fx.apply(&gap_url, "main", &key_env);
    assert_eq!(run.code, 0, "a full fetch was attempted: {}", run.stderr);

    // A passphrase-protected key; the default known_hosts under $HOME.
    std::fs::create_dir_all(fx.path("home/.ssh")).unwrap();
    std::fs::copy(fx.path("known_hosts"), fx.path("home/.ssh/known_hosts")).unwrap();
    let pass_key = fx.path("pass_key").display().to_string();
    let run = fx.apply(
        &fx.scp_url(),
        "main",
        &[
            ("ACTIVITY_SYNC_GIT_SSH_KEY", pass_key.as_str()),
            ("ACTIVITY_SYNC_GIT_SSH_KEY_PASSPHRASE", PASSPHRASE),
        ],
    );
    assert_eq!(run.ok()["definitions"]["updated"], 1);
    let run = fx.apply(
        &fx.scp_url(),
        "main",
        &[
            ("ACTIVITY_SYNC_GIT_SSH_KEY", pass_key.as_str()),
            ("ACTIVITY_SYNC_GIT_SSH_KEY_PASSPHRASE", "wrong passphrase"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("cannot use the SSH key `{pass_key}`")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("wrong passphrase") && !run.stdout.contains("wrong passphrase"));

    // The ssh-agent at SSH_AUTH_SOCK, when no key file is named.
    let sock = fx.path("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .args(["-D", "-a"])
        .arg(&sock)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !sock.exists() {
        assert!(Instant::now() < deadline, "ssh-agent did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    sh(Command::new("ssh-add")
        .arg("-q")
        .arg(fx.path("deploy_key"))
        .env("SSH_AUTH_SOCK", &sock));
    let sock_str = sock.display().to_string();
    let run = fx.apply(&fx.ssh_url(), "v1", &[("SSH_AUTH_SOCK", sock_str.as_str())]);
    let _ = agent.kill();
    let _ = agent.wait();
    assert_eq!(run.ok()["definitions"]["updated"], 1);
}

#[test]
fn ssh_failures_say_which_and_retire_nothing() {
    let fx = Fixture::new();
    let key = fx.deploy_key();
    fx.apply(&fx.ssh_url(), "main", &env(&key, &[])).ok();
    let before = fx.rows();
    assert_eq!(before.len(), 7);

    let stranger = fx.path("stranger_key").display().to_string();
    let changed = fx.path("changed_known_hosts").display().to_string();
    let unknown = fx.path("unknown_known_hosts").display().to_string();
    let missing = fx.path("absent_known_hosts").display().to_string();
    let host_port = format!("[127.0.0.1]:{}", fx.sshd.port);
    let fingerprint = sh(Command::new("ssh-keygen")
        .arg("-lf")
        .arg(fx.path("host_key.pub")))
    .split_whitespace()
    .nth(1)
    .unwrap()
    .to_string();
    let user = fx.user.clone();
    let no_repo_url = fx.ssh_url().replace("repo.git", "nope.git");
    // (what, url, environment, the one message it must print)
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, String);
    let cases: Vec<Case> = vec![
        (
            "wrong key",
            fx.ssh_url(),
            env(&key, &[("ACTIVITY_SYNC_GIT_SSH_KEY", &stranger)]),
            format!(
                "the server `{host_port}` refused the key `{stranger}` (ACTIVITY_SYNC_GIT_SSH_KEY) for user `{user}`"
            ),
        ),
        (
            "unknown host key",
            fx.ssh_url(),
            env(&key, &[("ACTIVITY_SYNC_GIT_KNOWN_HOSTS", &unknown)]),
            format!(
                "the host key of `{host_port}` (ssh-ed25519 {fingerprint}) is not in known_hosts `{unknown}`; add it (`ssh-keyscan -p {} 127.0.0.1`",
                fx.sshd.port
            ),
        ),
        (
            "changed host key",
            fx.scp_url(),
            env(&key, &[("ACTIVITY_SYNC_GIT_KNOWN_HOSTS", &changed)]),
            format!(
                "the host key of `{}` has CHANGED: the server presented ssh-ed25519 {fingerprint}, known_hosts `{changed}` line 2 lists another",
                fx.sshd.scp_host
            ),
        ),
        (
            "no known_hosts at all",
            fx.ssh_url(),
            env(&key, &[("ACTIVITY_SYNC_GIT_KNOWN_HOSTS", &missing)]),
            format!("cannot read known_hosts `{missing}` (ACTIVITY_SYNC_GIT_KNOWN_HOSTS)"),
        ),
        (
            "no key and no agent",
            fx.ssh_url(),
            env(&key, &[("ACTIVITY_SYNC_GIT_SSH_KEY", "")]),
            format!(
                "no SSH key for `{host_port}`: set ACTIVITY_SYNC_GIT_SSH_KEY to a private key file"
            ),
        ),
        (
            "missing repository",
            no_repo_url.clone(),
            env(&key, &[]),
            format!(
                "the server `{host_port}` accepted the key `{}` (ACTIVITY_SYNC_GIT_SSH_KEY) but has no repository `{}` it may read",
                fx.path("deploy_key").display(),
                fx.path("nope.git").display()
            ),
        ),
    ];
    for (what, url, vars, expected) in cases {
        let run = fx.apply(&url, "main", &vars);
        assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        assert_eq!(
            run.stderr.matches(&expected).count(),
            1,
            "{what}: expected once:\n{expected}\nstderr:\n{}",
            run.stderr
        );
        let report = run.json();
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{what}: {report}");
        assert_eq!(errors[0]["stage"], "sources", "{what}: {report}");
        let message = errors[0]["message"].as_str().unwrap();
        assert_eq!(message.matches(&expected).count(), 1, "{what}: {message}");
        assert_eq!(report["definitions"]["retired"], 0, "{what}: {report}");
        assert_eq!(fx.rows(), before, "{what}: rows changed");
    }
}
