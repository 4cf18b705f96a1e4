//! The same definitions read from a directory, a ConfigMap manifest, a mounted ConfigMap
//! volume and a git ref parse identically; git refs, escapes and failures behave.

mod common;

use std::path::Path;

use activity_sync::definition::Catalog;
use activity_sync::gather::Desired;
use activity_sync::source::SourceSpec;
use common::{copy_tree, fixtures, run};
use git2::{Repository, Signature};

/// Everything a definition means, without where it was read from.
fn meaning(catalog: &Catalog) -> serde_json::Value {
    let activities: Vec<_> = catalog
        .activities
        .values()
        .map(|d| {
            serde_json::json!({
                "id": d.id, "key": d.key, "name": d.name, "enabled": d.enabled,
                "trigger": d.trigger, "spec": d.spec, "body": d.body,
            })
        })
        .collect();
    let event_types: Vec<_> = catalog
        .event_types
        .values()
        .map(|e| serde_json::json!({"name": e.name, "description": e.description, "schema": e.schema, "spec": e.spec, "body": e.body}))
        .collect();
    serde_json::json!({"activities": activities, "event_types": event_types})
}

fn gather(source: &str) -> Desired {
    let spec: SourceSpec = source.parse().unwrap();
    let desired = Desired::gather(&[spec]);
    assert!(desired.failed.is_empty(), "{source}: {:?}", desired.failed);
    assert!(
        desired.catalog.errors.is_empty(),
        "{source}: {:?}",
        desired.catalog.errors
    );
    desired
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

/// A repository whose `main` has the fixtures under `activity-definitions/` at tag `v1`,
/// then one more commit that disables the consistency sweep.
fn fixture_repo(dir: &Path) -> (Repository, git2::Oid, git2::Oid) {
    let repo = Repository::init(dir).unwrap();
    repo.set_head("refs/heads/main").unwrap();
    copy_tree(&fixtures("valid"), &dir.join("activity-definitions"));
    std::fs::write(dir.join("README.md"), "# platform repo\n").unwrap();
    let first = commit_all(&repo, "definitions");
    repo.tag_lightweight("v1", &repo.find_object(first, None).unwrap(), false)
        .unwrap();
    let sweep = dir.join("activity-definitions/consistency-sweep.md");
    let text = std::fs::read_to_string(&sweep).unwrap();
    std::fs::write(&sweep, text.replacen("enabled: true", "enabled: false", 1)).unwrap();
    let second = commit_all(&repo, "pause the sweep");
    (repo, first, second)
}

#[test]
fn every_source_kind_yields_identical_definitions() {
    let tmp = tempfile::tempdir().unwrap();
    let from_dir = gather(fixtures("valid").to_str().unwrap());
    let expected = meaning(&from_dir.catalog);
    assert_eq!(from_dir.catalog.activities.len(), 7);
    assert_eq!(from_dir.catalog.event_types.len(), 1);

    // A ConfigMap manifest, as `export configmap` writes it.
    let (code, manifest, stderr) = run(&[
        "export",
        "configmap",
        "--name",
        "defs",
        "--source",
        "fixtures/valid",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let manifest_path = tmp.path().join("defs.yaml");
    std::fs::write(&manifest_path, &manifest).unwrap();
    let from_manifest = gather(manifest_path.to_str().unwrap());
    assert_eq!(meaning(&from_manifest.catalog), expected);

    // The same ConfigMap mounted as a volume: each key three times behind `..data` links.
    let mount = tmp.path().join("mount");
    let stamp = mount.join("..2026_11_22_14_00_00.123456789");
    std::fs::create_dir_all(&stamp).unwrap();
    for file in &from_dir.files {
        let key = activity_sync::render::configmap::key_for(&file.rel_path);
        std::fs::write(stamp.join(&key), &file.text).unwrap();
        std::os::unix::fs::symlink(Path::new("..data").join(&key), mount.join(&key)).unwrap();
    }
    std::os::unix::fs::symlink("..2026_11_22_14_00_00.123456789", mount.join("..data")).unwrap();
    let from_mount = gather(mount.to_str().unwrap());
    assert_eq!(
        from_mount.files.len(),
        from_dir.files.len(),
        "each key read once"
    );
    assert_eq!(meaning(&from_mount.catalog), expected);

    // A git tag, a commit SHA and a file:// clone.
    let repo_dir = tmp.path().join("repo");
    let (_repo, first, _second) = fixture_repo(&repo_dir);
    let repo = repo_dir.to_str().unwrap();
    for source in [
        format!("git::{repo}//activity-definitions?ref=v1"),
        format!("git::{repo}//activity-definitions?ref={first}"),
        format!("git::file://{repo}//activity-definitions?ref=v1"),
    ] {
        let from_git = gather(&source);
        assert_eq!(meaning(&from_git.catalog), expected, "{source}");
        assert_eq!(
            from_git.sources[0].commit.as_deref(),
            Some(first.to_string().as_str())
        );
    }
}

#[test]
fn git_branch_reads_its_tip_and_records_the_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (_repo, _first, second) = fixture_repo(tmp.path());
    let repo = tmp.path().to_str().unwrap();
    for source in [
        format!("git::{repo}//activity-definitions?ref=main"),
        format!("git::file://{repo}//activity-definitions?ref=main"),
        format!("git::{repo}//activity-definitions"),
    ] {
        let desired = gather(&source);
        assert_eq!(
            desired.sources[0].commit.as_deref(),
            Some(second.to_string().as_str())
        );
        let sweep = desired
            .catalog
            .activities
            .values()
            .find(|d| d.key == "the-custodian.state-hub-consistency-sweep")
            .unwrap();
        assert!(!sweep.enabled, "{source} should read the tip of main");
        let expected_path = format!(
            "git::{}@{}:activity-definitions/consistency-sweep.md",
            source
                .trim_start_matches("git::")
                .split("//activity")
                .next()
                .unwrap(),
            &second.to_string()[..12]
        );
        assert_eq!(sweep.origin.source_path, expected_path);
        assert_eq!(sweep.origin.rel_path, "consistency-sweep.md");
    }
}

#[test]
fn git_failures_fail_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    fixture_repo(tmp.path());
    let repo = tmp.path().to_str().unwrap();
    for (source, needle) in [
        (
            format!("git::{repo}//activity-definitions?ref=nope"),
            "cannot resolve ref `nope`",
        ),
        (
            format!("git::{repo}//missing?ref=main"),
            "no directory `missing`",
        ),
        (
            format!("git::file://{repo}-absent?ref=main"),
            "clone failed",
        ),
    ] {
        let desired = Desired::gather(&[source.parse().unwrap()]);
        assert_eq!(desired.failed.len(), 1, "{source}");
        assert!(
            desired.failed[0].message.contains(needle),
            "{source}: {}",
            desired.failed[0].message
        );
    }
}

#[test]
fn git_symlinks_escaping_the_subdir_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = Repository::init(dir).unwrap();
    std::fs::create_dir_all(dir.join("defs")).unwrap();
    std::fs::write(
        dir.join("outside.md"),
        "---\nkey: outside\nname: O\ntrigger: {type: cron, cron: '0 * * * *'}\n---\n",
    )
    .unwrap();
    std::fs::copy(
        fixtures("valid").join("triage-daily.md"),
        dir.join("defs/triage.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../outside.md", dir.join("defs/escape.md")).unwrap();
    std::os::unix::fs::symlink("triage.md", dir.join("defs/alias.md")).unwrap();
    commit_all(&repo, "links");
    let desired = Desired::gather(&[format!("git::{}//defs", dir.display()).parse().unwrap()]);
    let messages: Vec<String> = desired
        .catalog
        .errors
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(
            "escape.md:1:1: symlink to `../outside.md` resolves outside the source root; refused"
        )),
        "{messages:?}"
    );
    // The link inside the root is followed: it duplicates triage.md, which is reported.
    assert!(
        messages.iter().any(|m| m.contains("duplicate key")),
        "{messages:?}"
    );
    assert!(
        desired
            .catalog
            .protected
            .locations
            .contains("defs/escape.md")
    );
}

#[test]
fn directory_symlink_escaping_the_root_is_refused() {
    let (code, stdout, _) = run(&["validate", "--source", "fixtures/invalid"]);
    assert_eq!(code, 4);
    assert!(
        stdout.contains("fixtures/invalid/escaping-symlink.md:1:1: symlink to `../valid/consistency-sweep.md` resolves outside the source root; refused"),
        "{stdout}"
    );
}

/// A 100 MB `.md` blob in a git source is refused from its object header, as a directory
/// source refuses a large file from its metadata: the same limit and message, the other
/// files still read, and the blob never read into memory (peak RSS measured by
/// `/usr/bin/time -v`, which scripts/ensure-test-tools.sh installs; was ~125 MB, now ~32 MB).
#[test]
fn git_blob_over_the_size_limit_is_refused_before_it_is_read() {
    const BIG: u64 = 100_000_000;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git is installed (scripts/ensure-test-tools.sh)");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::copy(
        fixtures("valid").join("consistency-sweep.md"),
        dir.join("consistency-sweep.md"),
    )
    .unwrap();
    {
        use std::io::Write;
        let mut big = std::io::BufWriter::new(std::fs::File::create(dir.join("big.md")).unwrap());
        big.write_all(
            b"---\nkey: big.one\nname: Big\ntrigger:\n  type: cron\n  cron: \"0 6 * * *\"\n---\n",
        )
        .unwrap();
        let line = [b'a'; 1 << 16];
        for _ in 0..BIG / line.len() as u64 {
            big.write_all(&line).unwrap();
        }
    }
    let size = std::fs::metadata(dir.join("big.md")).unwrap().len();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "a big file"]);
    std::fs::remove_file(dir.join("big.md")).unwrap();

    let source = format!("git::{}?ref=main", dir.display());
    let out = std::process::Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_activity-sync"))
        .args(["validate", "--source", &source, "--format", "json"])
        .output()
        .expect("/usr/bin/time is installed (scripts/ensure-test-tools.sh)");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    assert_eq!(report["definitions"]["valid"], 1, "{report}");
    assert_eq!(report["definitions"]["invalid"], 1, "{report}");
    let error = &report["errors"][0];
    assert!(
        error["source_path"].as_str().unwrap().ends_with(":big.md"),
        "{report}"
    );
    assert_eq!(
        error["message"],
        format!("file is {size} bytes, over the limit of 262144 bytes"),
        "the directory source's message"
    );
    let peak_kib: u64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .unwrap_or_else(|| panic!("no peak RSS from /usr/bin/time: {stderr}"))
        .parse()
        .unwrap();
    println!("peak RSS reading a git source with a {size}-byte blob: {peak_kib} KiB");
    assert!(
        peak_kib < 80 * 1024,
        "peak RSS {peak_kib} KiB: the blob was read into memory"
    );
}
