//! plan / apply / status against real SQLite and real Postgres, through the binary.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::db::{BACKENDS, Backend, TestDb};
use common::{copy_tree, fixtures};
use serde_json::Value;

/// A working directory with a `defs/` copy of the valid fixtures and a database.
struct Workspace {
    dir: tempfile::TempDir,
    db: TestDb,
}

impl Workspace {
    fn new(backend: Backend) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures("valid"), &dir.path().join("defs"));
        let db = TestDb::new(backend, dir.path());
        Workspace { dir, db }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The binary with the database stages only: these tests are about rows (the schedule
    /// stage has its own tests against a Temporal dev server).
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::bin();
        let mut args = args.to_vec();
        if matches!(args.first(), Some(&"plan") | Some(&"apply")) {
            args.push("--schedules=false");
        }
        cmd.args(&args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.db.url)
            .env_remove("ACTIVITY_SYNC_SCOPE");
        cmd
    }

    /// Runs the binary; returns (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// Runs with `--format json` and parses stdout.
    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let (code, stdout, stderr) = self.run(&all);
        let value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout:\n{stdout}\nstderr:\n{stderr}"));
        (code, value)
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

fn counts(report: &Value, section: &str) -> (u64, u64, u64, u64) {
    let s = &report[section];
    (
        s["created"].as_u64().unwrap(),
        s["updated"].as_u64().unwrap(),
        s["retired"].as_u64().unwrap(),
        s["unchanged"].as_u64().unwrap(),
    )
}

fn row<'a>(
    rows: &'a [(String, bool, bool, String, String)],
    key: &str,
) -> &'a (String, bool, bool, String, String) {
    rows.iter()
        .find(|r| r.0 == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

const SWEEP: &str = "the-custodian.state-hub-consistency-sweep";

#[test]
fn lifecycle_create_noop_update_retire_unretire() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        let (code, first) = ws.json(&["apply", "--source", "defs", "--event-types"]);
        assert_eq!(code, 0, "{backend:?}: {first}");
        assert_eq!(counts(&first, "definitions"), (7, 0, 0, 0), "{backend:?}");
        assert_eq!(counts(&first, "event_types"), (1, 0, 0, 0));
        assert_eq!(first["definitions"]["upserted"], 7);
        let before = ws.db.definitions();
        assert_eq!(before.len(), 7);

        // Second run: everything unchanged, and not one row written.
        let (code, second) = ws.json(&["apply", "--source", "defs", "--event-types"]);
        assert_eq!(code, 0);
        assert_eq!(counts(&second, "definitions"), (0, 0, 0, 7), "{backend:?}");
        assert_eq!(counts(&second, "event_types"), (0, 0, 0, 1));
        assert_eq!(second["changes"], serde_json::json!([]));
        assert_eq!(
            ws.db.definitions(),
            before,
            "{backend:?}: a no-op apply rewrote rows (xmin / updated_at moved)"
        );

        // Edit: an update with a field diff pointing into the file.
        ws.edit("defs/consistency-sweep.md", "*/15 * * * *", "*/20 * * * *");
        let (code, plan_text, _) = ws.run(&["plan", "--source", "defs", "--detailed-exitcode"]);
        assert_eq!(code, 2, "{plan_text}");
        assert!(plan_text.contains(&format!("~ {SWEEP}")), "{plan_text}");
        assert!(
            plan_text.contains("defs/consistency-sweep.md:7"),
            "{plan_text}"
        );
        assert!(
            plan_text.contains("-  \"cron\": \"*/15 * * * *\","),
            "{plan_text}"
        );
        assert!(
            plan_text.contains("+  \"cron\": \"*/20 * * * *\","),
            "{plan_text}"
        );
        assert!(
            plan_text.contains("Plan: 0 to create, 1 to update, 0 to retire; 6 unchanged."),
            "{plan_text}"
        );
        let (code, third) = ws.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0);
        assert_eq!(counts(&third, "definitions"), (0, 1, 0, 6));
        assert_eq!(third["changes"][0]["action"], "update");
        assert!(
            third["changes"][0]["diff"]
                .as_str()
                .unwrap()
                .contains("+  \"cron\": \"*/20 * * * *\"")
        );
        let after = ws.db.definitions();
        assert_ne!(
            row(&after, SWEEP).4,
            row(&before, SWEEP).4,
            "the edited row was written"
        );
        for other in before.iter().filter(|r| r.0 != SWEEP) {
            assert_eq!(
                row(&after, &other.0),
                other,
                "{} should not be written",
                other.0
            );
        }

        // Delete the file: retired, never deleted.
        let saved = std::fs::read_to_string(ws.path("defs/release-freeze.md")).unwrap();
        std::fs::remove_file(ws.path("defs/release-freeze.md")).unwrap();
        let (code, fourth) = ws.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0);
        assert_eq!(counts(&fourth, "definitions"), (0, 0, 1, 6));
        let rows = ws.db.definitions();
        assert_eq!(rows.len(), 7, "retired rows stay");
        let freeze = row(&rows, "platform.release-freeze-announcement");
        assert!(freeze.2 && !freeze.1, "retired and disabled: {freeze:?}");

        // Restore it: un-retired.
        std::fs::write(ws.path("defs/release-freeze.md"), saved).unwrap();
        let (code, fifth) = ws.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0);
        assert_eq!(counts(&fifth, "definitions"), (0, 1, 0, 6));
        assert_eq!(fifth["changes"][0]["action"], "unretire");
        let freeze = row(&ws.db.definitions(), "platform.release-freeze-announcement").clone();
        assert!(
            !freeze.2 && freeze.1,
            "un-retired and enabled again: {freeze:?}"
        );

        // The audit trail.
        let (code, status, _) = ws.run(&["status", "--schedules=false"]);
        assert_eq!(code, 0);
        assert!(
            status.contains("scope default: last successful apply"),
            "{status}"
        );
        assert!(
            status.contains("apply  default       success       +7 ~0 -0 =0"),
            "{status}"
        );
    }
}

#[test]
fn empty_source_retires_nothing_unless_allowed() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        assert_eq!(ws.run(&["apply", "--source", "defs"]).0, 0);
        std::fs::create_dir(ws.path("empty")).unwrap();
        let (code, report) = ws.json(&["apply", "--source", "empty"]);
        assert_eq!(code, 3, "{report}");
        assert_eq!(report["outcome"], "refused");
        assert!(
            report["refusal"]
                .as_str()
                .unwrap()
                .contains("no valid definitions while scope `default` owns 7")
        );
        assert!(ws.db.definitions().iter().all(|r| !r.2), "nothing retired");
        let (code, report) = ws.json(&["apply", "--source", "empty", "--allow-empty"]);
        assert_eq!(code, 0, "{report}");
        assert_eq!(counts(&report, "definitions"), (0, 0, 7, 0));
        assert!(ws.db.definitions().iter().all(|r| r.2), "all retired");
    }
}

#[test]
fn failing_source_applies_the_rest_and_retires_nothing() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        assert_eq!(ws.run(&["apply", "--source", "defs"]).0, 0);
        // Half the definitions move to a second source that then fails (a git ref that is gone).
        std::fs::create_dir(ws.path("more")).unwrap();
        std::fs::write(
            ws.path("more/new.md"),
            "---\nkey: platform.new\nname: New\ntrigger: {type: cron, cron: '5 * * * *'}\n---\n",
        )
        .unwrap();
        std::fs::remove_file(ws.path("defs/triage-daily.md")).unwrap();
        let missing_repo = format!("git::{}//defs?ref=main", ws.path("no-such-repo").display());
        let (code, report) = ws.json(&["apply", "--source", "more", "--source", &missing_repo]);
        assert_eq!(code, 1, "{report}");
        assert_eq!(report["outcome"], "failed");
        assert_eq!(counts(&report, "definitions"), (1, 0, 0, 7), "{report}");
        assert_eq!(report["errors"][0]["stage"], "sources");
        let rows = ws.db.definitions();
        assert!(rows.iter().all(|r| !r.2), "nothing retired: {rows:?}");
        assert!(rows.iter().any(|r| r.0 == "platform.new"));
    }
}

#[test]
fn max_delete_refuses_mass_retirement() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        for i in 0..8 {
            std::fs::write(
                ws.path(&format!("defs/extra-{i}.md")),
                format!("---\nkey: platform.extra-{i}\nname: Extra {i}\ntrigger: {{type: cron, cron: '{i} * * * *'}}\n---\n"),
            )
            .unwrap();
        }
        assert_eq!(ws.run(&["apply", "--source", "defs"]).0, 0);
        std::fs::create_dir(ws.path("few")).unwrap();
        std::fs::rename(
            ws.path("defs/triage-daily.md"),
            ws.path("few/triage-daily.md"),
        )
        .unwrap();
        // 14 of 15 would go: over the default of max(10, 25 % of 15).
        let (code, report) = ws.json(&["apply", "--source", "few"]);
        assert_eq!(code, 3, "{report}");
        assert!(
            report["refusal"]
                .as_str()
                .unwrap()
                .contains("14 definitions to retire or delete exceed the limit of 10"),
            "{report}"
        );
        assert!(ws.db.definitions().iter().all(|r| !r.2));
        let (code, report) = ws.json(&["apply", "--source", "few", "--max-delete", "14"]);
        assert_eq!(code, 0, "{report}");
        // The survivor moved from defs/ to few/: its source path is updated.
        assert_eq!(counts(&report, "definitions"), (0, 1, 14, 0));
    }
}

#[test]
fn invalid_file_leaves_its_row_alone() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        assert_eq!(ws.run(&["apply", "--source", "defs"]).0, 0);
        let before = ws.db.definitions();
        ws.edit("defs/consistency-sweep.md", "*/15 * * * *", "*/15 * * *");
        let (code, report) = ws.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0, "{report}");
        assert_eq!(counts(&report, "definitions"), (0, 0, 0, 7));
        assert_eq!(report["definitions"]["invalid"], 1);
        let error = &report["errors"][0];
        // Recorded by its absolute path, whatever the working directory.
        let path = ws.path("defs/consistency-sweep.md").canonicalize().unwrap();
        assert_eq!(error["source_path"], path.display().to_string());
        assert_eq!(error["line"], 9);
        assert_eq!(
            ws.db.definitions(),
            before,
            "the broken file's row is untouched"
        );
        // With --strict an invalid file stops the whole apply.
        let (code, _) = ws.json(&["apply", "--source", "defs", "--strict"]);
        assert_eq!(code, 4);
        assert_eq!(ws.db.definitions(), before);
    }
}

#[test]
fn stale_saved_plan_is_refused() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        assert_eq!(ws.run(&["apply", "--source", "defs"]).0, 0);
        ws.edit("defs/report-daily.md", "0 6 * * *", "0 7 * * *");
        let (code, _, _) = ws.run(&["plan", "--source", "defs", "--out", "plan.json"]);
        assert_eq!(code, 0);
        // Someone else changes the database in between (a hand edit of a column).
        ws.db.execute("UPDATE activity_definitions SET name = 'Edited by hand' WHERE key = 'the-custodian.inbox-triage-daily'");
        let (code, report) = ws.json(&["apply", "plan.json"]);
        assert_eq!(code, 3, "{report}");
        assert_eq!(report["outcome"], "refused");
        assert!(report["errors"].to_string().contains("stale"), "{report}");
        // A fresh plan applies, exactly as saved.
        let (code, _, _) = ws.run(&["plan", "--source", "defs", "--out", "plan.json"]);
        assert_eq!(code, 0);
        let (code, report) = ws.json(&["apply", "plan.json"]);
        assert_eq!(code, 0, "{report}");
        // The edited report, and the hand edit reverted.
        assert_eq!(counts(&report, "definitions"), (0, 2, 0, 5));
        let (_, again) = ws.json(&["plan", "--source", "defs"]);
        assert_eq!(counts(&again, "definitions"), (0, 0, 0, 7));
    }
}

#[test]
fn two_scopes_share_one_database() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        std::fs::create_dir(ws.path("team-b")).unwrap();
        std::fs::write(
            ws.path("team-b/b.md"),
            "---\nkey: team-b.nightly\nname: B nightly\ntrigger: {type: cron, cron: '0 2 * * *'}\n---\n",
        )
        .unwrap();
        assert_eq!(
            ws.run(&["apply", "--source", "defs", "--scope", "custodian"])
                .0,
            0
        );
        let (code, report) = ws.json(&["apply", "--source", "team-b", "--scope", "team-b"]);
        assert_eq!(code, 0, "{report}");
        assert_eq!(
            counts(&report, "definitions"),
            (1, 0, 0, 0),
            "other scopes' rows are not even counted"
        );
        // Each scope retires only its own.
        std::fs::remove_file(ws.path("team-b/b.md")).unwrap();
        std::fs::write(
            ws.path("team-b/c.md"),
            "---\nkey: team-b.c\nname: C\ntrigger: {type: cron, cron: '0 3 * * *'}\n---\n",
        )
        .unwrap();
        let (code, report) = ws.json(&["apply", "--source", "team-b", "--scope", "team-b"]);
        assert_eq!(code, 0);
        assert_eq!(counts(&report, "definitions"), (1, 0, 1, 0));
        let rows = ws.db.definitions();
        assert_eq!(
            rows.iter().filter(|r| r.3 == "custodian" && !r.2).count(),
            7
        );
        // A scope cannot take over another's definition.
        // A conflict is not a success: the run says so and exits 1.
        std::fs::copy(ws.path("defs/triage-daily.md"), ws.path("team-b/triage.md")).unwrap();
        let (code, report) = ws.json(&["apply", "--source", "team-b", "--scope", "team-b"]);
        assert_eq!(code, 1, "{report}");
        assert_eq!(report["outcome"], "conflict");
        assert!(
            report["errors"]
                .to_string()
                .contains("is owned by scope `custodian`"),
            "{report}"
        );
        assert_eq!(
            row(&ws.db.definitions(), "the-custodian.inbox-triage-daily").3,
            "custodian"
        );
    }
}

/// Holds the scope's write lock from outside, the way a concurrent apply would.
fn hold_lock(db: &TestDb, scope: &str) -> Box<dyn FnOnce()> {
    use sqlx::Connection;
    let url = db.url.clone();
    let backend = db.backend;
    let key = activity_sync::store::lock_key(scope);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        common::db::block_on(async move {
            match backend {
                Backend::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    sqlx::query("SELECT pg_advisory_lock($1)")
                        .bind(key)
                        .execute(&mut c)
                        .await
                        .unwrap();
                    ready_tx.send(()).unwrap();
                    rx.recv().ok();
                    sqlx::query("SELECT pg_advisory_unlock($1)")
                        .bind(key)
                        .execute(&mut c)
                        .await
                        .unwrap();
                }
                Backend::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    sqlx::query("BEGIN IMMEDIATE")
                        .execute(&mut c)
                        .await
                        .unwrap();
                    ready_tx.send(()).unwrap();
                    rx.recv().ok();
                    sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
                }
            }
        })
    });
    ready_rx.recv().unwrap();
    Box::new(move || {
        tx.send(()).unwrap();
        handle.join().unwrap();
    })
}

fn spawn_json(ws: &Workspace, args: &[&str]) -> Child {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    ws.command(&all)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> (i32, Value) {
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}")),
    )
}

#[test]
fn concurrent_applies_one_writes_the_other_skips() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        assert_eq!(ws.run(&["migrate"]).0, 0);
        let release = hold_lock(&ws.db, "default");
        // Two applies at once while a third party holds the lock: the patient one waits and
        // applies, the impatient one skips without writing.
        let patient = spawn_json(&ws, &["apply", "--source", "defs", "--lock-timeout", "20s"]);
        let impatient = finish(spawn_json(
            &ws,
            &["apply", "--source", "defs", "--lock-timeout", "0s"],
        ));
        let failing = finish(spawn_json(
            &ws,
            &["apply", "--source", "defs", "--fail-on-lock"],
        ));
        assert!(
            ws.db.definitions().is_empty(),
            "nothing written while the lock is held"
        );
        release();
        let patient = finish(patient);
        assert_eq!(impatient.0, 0, "{backend:?}: {}", impatient.1);
        assert_eq!(impatient.1["lock_skipped"], true);
        assert_eq!(counts(&impatient.1, "definitions"), (0, 0, 0, 0));
        assert_eq!(failing.0, 3);
        assert_eq!(failing.1["lock_skipped"], true);
        assert_eq!(patient.0, 0, "{}", patient.1);
        assert_eq!(patient.1["lock_skipped"], false);
        assert_eq!(counts(&patient.1, "definitions"), (7, 0, 0, 0));
        assert_eq!(ws.db.definitions().len(), 7);
        let skipped = ws
            .db
            .outcomes()
            .iter()
            .filter(|o| *o == "lock_skipped")
            .count();
        match backend {
            // Lock-skipped runs leave a `sync_runs` row too.
            Backend::Postgres => assert_eq!(skipped, 2),
            // SQLite's lock is the file's one writer: a run that found it held cannot
            // record itself either, and its report says so.
            Backend::Sqlite => {
                assert_eq!(skipped, 0);
                assert!(
                    impatient.1["errors"].to_string().contains("not recorded"),
                    "{}",
                    impatient.1
                );
            }
        }
    }
}

#[test]
fn secrets_never_appear_in_output() {
    let ws = Workspace::new(Backend::Postgres);
    // The server trusts local connections, so a password in the URL is accepted and ignored.
    let with_password = ws
        .db
        .url
        .replacen("postgres@", "postgres:hunter2-secret@", 1);
    let out = ws
        .command(&["apply", "--source", "defs"])
        .env("DATABASE_URL", &with_password)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{all}");
    assert!(all.contains("postgres:***@"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    let bad = with_password
        .replace("127.0.0.1", "127.0.0.1:1")
        .replace(":5432", "");
    let out = ws
        .command(&["plan", "--source", "defs"])
        .env("DATABASE_URL", &bad)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
}

#[test]
fn migrate_then_plan_on_an_empty_database() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        // Plan works before any table exists (read-only credentials in CI).
        let (code, report) = ws.json(&["plan", "--source", "defs"]);
        assert_eq!(code, 0, "{report}");
        assert_eq!(counts(&report, "definitions"), (7, 0, 0, 0));
        let (code, stdout, _) = ws.run(&["migrate"]);
        assert_eq!(code, 0);
        assert!(stdout.starts_with("migrations applied to "));
        assert_eq!(ws.run(&["migrate"]).0, 0, "migrate is idempotent");
    }
}

/// A first run that writes nothing (refused: `--strict` and an invalid file) still leaves the
/// tables it migrated under its lock, and its `sync_runs` row.
#[test]
fn a_refused_first_run_keeps_the_tables_and_is_recorded() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        std::fs::write(
            ws.path("defs/bad.md"),
            "---\nkey: bad.one\nname: Bad\ntrigger: {type: cron, cron: 'nope'}\n---\n",
        )
        .unwrap();
        let (code, report) = ws.json(&["apply", "--source", "defs", "--strict"]);
        assert_eq!(code, 4, "{backend:?}: {report}");
        assert!(ws.db.definitions().is_empty(), "{backend:?}");
        assert_eq!(ws.db.outcomes(), ["invalid"], "{backend:?}");
    }
}

/// Rows are written in batches of 500 (`WRITE_BATCH`): a scope of 1,201 definitions is
/// created, a change of some and the retirement of 601 others land in one run, and the files
/// coming back un-retire them — every row as its file says, on both backends.
#[test]
fn batched_writes_of_many_rows_land_exactly() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        let defs = ws.path("defs");
        std::fs::remove_dir_all(&defs).unwrap();
        std::fs::create_dir_all(&defs).unwrap();
        let write = |i: usize, minute: usize| {
            std::fs::write(
                defs.join(format!("d{i:04}.md")),
                format!(
                    "---\nkey: batch.d{i:04}\nname: Batch {i}\nenabled: {}\ntrigger: {{type: cron, cron: '{minute} * * * *'}}\n---\nRow {i}.\n",
                    !i.is_multiple_of(3)
                ),
            )
            .unwrap();
        };
        for i in 0..1201 {
            write(i, i % 60);
        }
        let (code, first) = ws.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0, "{backend:?}: {first}");
        assert_eq!(
            counts(&first, "definitions"),
            (1201, 0, 0, 0),
            "{backend:?}"
        );
        let rows = ws.db.definitions();
        assert_eq!(rows.len(), 1201);
        assert!(rows.iter().all(|r| !r.2), "{backend:?}: none retired");
        assert_eq!(
            rows.iter().filter(|r| r.1).count(),
            (0..1201usize).filter(|i| !i.is_multiple_of(3)).count(),
            "{backend:?}: enabled as the files say"
        );

        for i in 0..600 {
            write(i, (i + 7) % 60);
        }
        for i in 600..1201 {
            std::fs::remove_file(defs.join(format!("d{i:04}.md"))).unwrap();
        }
        let (code, second) = ws.json(&["apply", "--source", "defs", "--max-delete", "1000"]);
        assert_eq!(code, 0, "{backend:?}: {second}");
        assert_eq!(
            counts(&second, "definitions"),
            (0, 600, 601, 0),
            "{backend:?}"
        );
        let rows = ws.db.definitions();
        assert_eq!(rows.iter().filter(|r| r.2).count(), 601, "{backend:?}");
        assert!(
            rows.iter().filter(|r| r.2).all(|r| !r.1),
            "{backend:?}: retired rows are disabled"
        );

        for i in 600..1201 {
            write(i, i % 60);
        }
        let (code, third) = ws.json(&["apply", "--source", "defs"]);
        assert_eq!(code, 0, "{backend:?}: {third}");
        assert_eq!(
            counts(&third, "definitions").1,
            601,
            "{backend:?}: un-retired: {third}"
        );
        assert_eq!(ws.db.definitions().iter().filter(|r| r.2).count(), 0);
        let (code, again) = ws.json(&["plan", "--source", "defs", "--detailed-exitcode"]);
        assert_eq!(code, 0, "{backend:?}: {again}");
    }
}
