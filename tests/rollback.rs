//! Never backwards (SPEC §7): an apply from a commit older than the one the scope last
//! applied from the same source is refused (exit 3, nothing written), decided by ancestry
//! where the history is at hand and by commit time where it is not (a shallow CI clone);
//! `--allow-rollback` goes ahead; a revert commit is a new commit and applies. "The same
//! source" is recognised across workspaces that check the repository out to other paths.

mod common;

use std::path::Path;
use std::process::Command;

use common::db::{BACKENDS, TestDb};
use common::job::parse;
use serde_json::Value;

fn git(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn definition(enabled: bool) -> String {
    format!(
        "---\nkey: team.nightly\nname: Nightly\nenabled: {enabled}\ntrigger: {{type: cron, cron: '0 3 * * *'}}\n---\n"
    )
}

/// Runs `apply … --schedules=false` in `dir`; returns the exit code and the JSON report.
fn apply(dir: &Path, db: &TestDb, source: &str, extra: &[&str]) -> (i32, Value) {
    let out = common::bin()
        .args([
            "apply",
            "--source",
            source,
            "--schedules=false",
            "--format",
            "json",
        ])
        .args(extra)
        .current_dir(dir)
        .env("DATABASE_URL", &db.url)
        .env_remove("ACTIVITY_SYNC_SCOPE")
        .output()
        .unwrap();
    parse(out)
}

fn enabled(db: &TestDb) -> bool {
    let rows = db.definitions();
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0].1
}

#[test]
fn an_older_commit_is_refused_a_revert_is_not() {
    for backend in BACKENDS {
        let tmp = tempfile::tempdir().unwrap();
        let db = TestDb::new(backend, tmp.path());
        let origin = tmp.path().join("origin");
        std::fs::create_dir_all(origin.join("defs")).unwrap();
        git(
            &origin,
            &["init", "-q", "-b", "main"],
            "2026-01-01T00:00:00Z",
        );
        std::fs::write(origin.join("defs/nightly.md"), definition(true)).unwrap();
        git(&origin, &["add", "."], "2026-01-01T00:00:00Z");
        git(&origin, &["commit", "-qm", "A"], "2026-01-01T00:00:00Z");
        let a = git(&origin, &["rev-parse", "HEAD"], "2026-01-01T00:00:00Z");
        git(&origin, &["branch", "old"], "2026-01-01T00:00:00Z");
        std::fs::write(origin.join("defs/nightly.md"), definition(false)).unwrap();
        git(&origin, &["commit", "-qam", "B"], "2026-01-02T00:00:00Z");
        let b = git(&origin, &["rev-parse", "HEAD"], "2026-01-02T00:00:00Z");
        let at = |sha: &str| format!("git::{}//defs?ref={sha}", origin.display());

        let (code, report) = apply(tmp.path(), &db, &at(&b), &[]);
        assert_eq!(code, 0, "{backend:?}: {report}");
        assert!(!enabled(&db));

        // The parent of what was applied: refused by ancestry, nothing written.
        let (code, refused) = apply(tmp.path(), &db, &at(&a), &[]);
        assert_eq!(code, 3, "{backend:?}: {refused}");
        assert_eq!(refused["outcome"], "refused");
        let errors = refused["errors"].to_string();
        assert!(
            errors.contains("ancestor of the applied commit"),
            "{errors}"
        );
        assert!(
            errors.contains(&a[..12]) && errors.contains(&b[..12]),
            "{errors}"
        );
        assert!(!enabled(&db), "nothing written");
        let plan = common::bin()
            .args(["plan", "--source", &at(&a), "--schedules=false"])
            .current_dir(tmp.path())
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap();
        assert_eq!(plan.status.code(), Some(3), "plan refuses too");

        // `--allow-rollback` goes ahead; then forward again.
        let (code, report) = apply(tmp.path(), &db, &at(&a), &["--allow-rollback"]);
        assert_eq!(code, 0, "{report}");
        assert!(enabled(&db));
        assert_eq!(apply(tmp.path(), &db, &at(&b), &[]).0, 0);
        assert!(!enabled(&db));

        // A CI workspace elsewhere: a shallow clone at A holds no history back to B, so the
        // commit times decide.
        let origin_url = format!("file://{}", origin.display());
        let shallow = tmp.path().join("ws-shallow");
        git(
            tmp.path(),
            &[
                "clone",
                "-q",
                "--depth",
                "1",
                "--branch",
                "old",
                &origin_url,
                shallow.to_str().unwrap(),
            ],
            "2026-01-05T00:00:00Z",
        );
        let dir = shallow.join("defs");
        let (code, refused) = apply(tmp.path(), &db, dir.to_str().unwrap(), &[]);
        assert_eq!(code, 3, "{refused}");
        assert!(
            refused["errors"]
                .to_string()
                .contains("decided by commit time"),
            "{refused}"
        );
        assert!(!enabled(&db), "nothing written");

        // A revert of B, committed after it, in another full clone: applied.
        let full = tmp.path().join("ws-full");
        git(
            tmp.path(),
            &["clone", "-q", &origin_url, full.to_str().unwrap()],
            "2026-01-05T00:00:00Z",
        );
        git(
            &full,
            &["revert", "--no-edit", "HEAD"],
            "2026-01-03T00:00:00Z",
        );
        let dir = full.join("defs");
        let (code, report) = apply(tmp.path(), &db, dir.to_str().unwrap(), &[]);
        assert_eq!(code, 0, "{report}");
        assert!(enabled(&db), "the revert applied");
        let revision = &report["sources"][0]["revision"];
        assert_eq!(
            revision["identity"],
            format!("{}//defs", origin.display()),
            "{report}"
        );
        // The origin at B, which has not seen the revert made in the clone: older by commit
        // time than what was applied, refused.
        let (code, _) = apply(tmp.path(), &db, &at(&b), &[]);
        assert_eq!(code, 3);
    }
}
