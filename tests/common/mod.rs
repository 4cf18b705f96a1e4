//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod db;
pub mod http;
pub mod job;
pub mod proxy;
pub mod temporal;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_activity-sync"))
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures(sub: &str) -> PathBuf {
    repo_root().join("fixtures").join(sub)
}

/// Runs the binary in the repository root; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out: Output = bin()
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Copies a directory tree (files only, following nothing special).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Waits until `ready` holds (Temporal's list and search attributes are eventually
/// consistent), polling; panics naming `what` after `seconds`.
pub fn poll_until(what: &str, seconds: u64, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within {seconds} s"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// A port nobody listens on right now, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Peak resident memory of this test process (VmHWM), in KiB: limits are per process, so a
/// test that measures it is alone in its binary.
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}
