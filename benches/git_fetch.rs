//! Git source read time against `git clone --depth 1 --branch REF` of the same ref, in the
//! same run: builds a synthetic repository with a long history of large files (five
//! definitions beside them), serves it with `git daemon` over `git://` on loopback, and
//! prints the medians and their ratio (target: within 1.5×). It also prints a full clone
//! for scale: what reading the source cost before the shallow fetch.
//!
//! `cargo bench --bench git_fetch` builds 120 commits of 512 KiB of fresh incompressible
//! data each (a ~60 MB pack) and takes the median of 5 runs. Under `cargo test` (no
//! `--bench` argument) it runs a small smoke pass: it checks the read, prints figures and
//! asserts no timing.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use activity_sync::source::SourceSpec;
use git2::{Repository, Signature};

const DEFINITIONS: usize = 5;

fn definition(i: usize) -> String {
    format!(
        "---\nkey: bench.git-{i}\nname: Git benchmark {i}\ntrigger:\n  type: cron\n  cron: \"{i} * * * *\"\n---\nDefinition {i}.\n"
    )
}

/// Deterministic incompressible bytes (xorshift), so every commit adds its full size.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A bare repository: `commits` commits, each rewriting `assets/blob-{n % 4}.bin` with
/// `blob_size` fresh bytes; `defs/` holds the definitions from the first commit on.
fn build(dir: &Path, commits: usize, blob_size: usize) -> git2::Oid {
    let repo = Repository::init_bare(dir).unwrap();
    let sig = Signature::new(
        "bench",
        "bench@example.com",
        &git2::Time::new(1_700_000_000, 0),
    )
    .unwrap();
    let mut defs = repo.treebuilder(None).unwrap();
    for i in 0..DEFINITIONS {
        let blob = repo.blob(definition(i).as_bytes()).unwrap();
        defs.insert(format!("def-{i}.md"), blob, 0o100644).unwrap();
    }
    let defs = defs.write().unwrap();
    let mut assets = [git2::Oid::zero(); 4];
    let mut parent: Option<git2::Oid> = None;
    for n in 0..commits {
        assets[n % 4] = repo.blob(&noise(n as u64 + 1, blob_size)).unwrap();
        let mut assets_tree = repo.treebuilder(None).unwrap();
        for (i, oid) in assets.iter().enumerate() {
            if !oid.is_zero() {
                assets_tree
                    .insert(format!("blob-{i}.bin"), *oid, 0o100644)
                    .unwrap();
            }
        }
        let assets_tree = assets_tree.write().unwrap();
        let mut root = repo.treebuilder(None).unwrap();
        root.insert("defs", defs, 0o040000).unwrap();
        root.insert("assets", assets_tree, 0o040000).unwrap();
        let tree = repo.find_tree(root.write().unwrap()).unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        parent = Some(
            repo.commit(None, &sig, &sig, &format!("commit {n}"), &tree, &parents)
                .unwrap(),
        );
    }
    let tip = parent.unwrap();
    repo.reference("refs/heads/main", tip, true, "bench")
        .unwrap();
    repo.set_head("refs/heads/main").unwrap();
    // Packed, as a real server keeps it (a clone then reuses deltas, as from GitHub).
    let status = Command::new("git")
        .args(["repack", "-adq"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git repack");
    tip
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(base: &Path) -> (Daemon, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("git")
        .args([
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--listen=127.0.0.1",
        ])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", base.display()))
        .arg(base)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("git daemon");
    let daemon = Daemon(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "git daemon does not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    (daemon, port)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn git_clone(args: &[&str], url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "-q"])
        .args(args)
        .arg(url)
        .arg(dir.path().join("clone"))
        .status()
        .unwrap();
    assert!(status.success(), "git clone {args:?}");
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (commits, blob_size, runs) = if full {
        (120, 512 * 1024, 5)
    } else {
        (8, 16 * 1024, 1)
    };
    let base = tempfile::tempdir().unwrap();
    let repo_dir = base.path().join("repo.git");
    let started = Instant::now();
    let tip = build(&repo_dir, commits, blob_size);
    let pack_bytes: u64 = walkdir::WalkDir::new(repo_dir.join("objects/pack"))
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "git_fetch: {commits} commits of {} KiB, pack {:.1} MB, built in {:.2?}",
        blob_size / 1024,
        pack_bytes as f64 / 1e6,
        started.elapsed()
    );
    let (_daemon, port) = serve(base.path());
    let url = format!("git://127.0.0.1:{port}/repo.git");
    let spec: SourceSpec = format!("git::{url}//defs?ref=main").parse().unwrap();

    let read = || {
        let read = spec.read().expect("git source reads");
        assert_eq!(read.files.len(), DEFINITIONS);
        assert_eq!(read.commit.as_deref(), Some(tip.to_string().as_str()));
    };
    read(); // warm the server's page cache for both sides alike
    let source = time(runs, read);
    let shallow = time(runs, || {
        git_clone(&["--depth", "1", "--branch", "main"], &url)
    });
    let whole = time(runs.min(3), || git_clone(&["--bare"], &url));
    let ratio = source.as_secs_f64() / shallow.as_secs_f64();
    println!(
        "git_fetch: git source read {source:.2?} · git clone --depth 1 --branch main {shallow:.2?} · ratio {ratio:.2}× (target ≤ 1.5×) · full bare clone {whole:.2?} (medians of {runs})"
    );
}
