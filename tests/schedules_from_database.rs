//! Issue 11, "schedules from the database": `--schedules-from database` reconciles Temporal
//! to the rows of `activity_definitions` (what the Python sync's `sync_schedules` did), for
//! rows the runtime's API writes without a scope (`--scope '*'`) — on real Postgres and
//! SQLite and a Temporal dev server, through the binary.

mod common;

use common::db::{BACKENDS, Backend, TestDb};
use common::job::{Job, parse};
use serde_json::Value;

/// Rows written by the runtime's API (no scope): cron enabled, cron disabled, once, event.
const CRON: &str = "0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a01";
const DISABLED: &str = "0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a02";
const ONCE: &str = "0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a03";
const EVENT: &str = "0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a04";
/// The id of the fixture `consistency-sweep.md`.
const SWEEP: &str = "7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b";
/// A row of scope `other`, with a schedule that scope owns.
const OTHER: &str = "0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a05";

/// An id no row has: an old orphan.
const ORPHAN: &str = "5e1d2c3b-4a59-4687-9a0b-c1d2e3f4a5b6";

/// A schedule as the Python sync wrote it: conventional id, no marker, plain client.
fn old_sync_schedule(job: &Job, definition: &str, cron: &str) {
    let out = job.server.cli(&[
        "schedule",
        "create",
        "--schedule-id",
        &schedule(definition),
        "--cron",
        cron,
        "--workflow-id",
        &format!("activity-{definition}"),
        "--type",
        "RunActivityWorkflow",
        "--task-queue",
        "orchestrator-tq",
        "--input",
        &format!("\"{definition}\""),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn schedule(definition: &str) -> String {
    format!("activity-schedule-{definition}")
}

/// The runtime's table, as its own migrations create it.
fn runtime_table(backend: Backend) -> String {
    let (uuid, json, boolean) = match backend {
        Backend::Postgres => ("uuid", "jsonb", "boolean"),
        Backend::Sqlite => ("TEXT", "TEXT", "BOOLEAN"),
    };
    format!(
        "CREATE TABLE activity_definitions (id {uuid} PRIMARY KEY, name text NOT NULL, \
         description text, enabled {boolean} NOT NULL DEFAULT TRUE, trigger_type text NOT NULL, \
         trigger_config {json} NOT NULL)"
    )
}

/// The API's rows, one statement each.
fn api_rows() -> Vec<String> {
    let row = |id: &str, name: &str, enabled: bool, kind: &str, config: &str| {
        format!(
            "INSERT INTO activity_definitions (id, name, enabled, trigger_type, trigger_config) \
             VALUES ('{id}', '{name}', {enabled}, '{kind}', '{config}')"
        )
    };
    vec![
        row(
            CRON,
            "Nightly report",
            true,
            "cron",
            r#"{"cron": "0 4 * * *", "timezone": "Europe/Berlin", "misfire_policy": "skip"}"#,
        ),
        row(
            DISABLED,
            "Paused digest",
            false,
            "cron",
            r#"{"cron": "30 6 * * 1", "timezone": "UTC"}"#,
        ),
        row(
            ONCE,
            "Launch announcement",
            true,
            "once",
            r#"{"at": "2031-06-01T09:00:00+00:00"}"#,
        ),
        row(
            EVENT,
            "On push",
            true,
            "event",
            r#"{"event_type": "repo.pushed"}"#,
        ),
    ]
}

fn run(job: &Job, db: &TestDb, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    parse(
        job.command(&all)
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap(),
    )
}

/// `plan` / `apply` from the rows of every scope-less row.
fn all_rows(job: &Job, db: &TestDb, command: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec![command, "--schedules-from", "database", "--scope", "*"];
    args.extend(extra);
    run(job, db, &args)
}

fn change<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
}

fn action(report: &Value, id: &str) -> String {
    change(report, id)
        .map(|c| c["action"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "-".into())
}

fn paused(job: &Job, id: &str) -> bool {
    let s = job
        .server
        .describe(id)
        .unwrap_or_else(|| panic!("{id} missing"));
    s["schedule"]["state"]["paused"].as_bool().unwrap_or(false)
}

/// One text column of every row a query returns.
fn strings(db: &TestDb, sql: &str) -> Vec<String> {
    common::db::block_on(async {
        use sqlx::Connection;
        match db.backend {
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
            }
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query_scalar(sql).fetch_all(&mut c).await.unwrap()
            }
        }
    })
}

/// The rows as the runtime sees them: never written by this mode.
fn runtime_rows(db: &TestDb) -> Vec<String> {
    strings(
        db,
        match db.backend {
            Backend::Postgres => {
                "SELECT id::text || '|' || name || '|' || enabled::text || '|' || trigger_type || '|' || trigger_config::text FROM activity_definitions ORDER BY 1"
            }
            Backend::Sqlite => {
                "SELECT id || '|' || name || '|' || enabled || '|' || trigger_type || '|' || trigger_config FROM activity_definitions ORDER BY 1"
            }
        },
    )
}

/// The whole life of the API's rows under `--schedules-from database --scope '*'`: planned
/// and created from the rows (before and after `migrate`), converged on the second run,
/// disabled → paused, deleted / retired / turned event → schedule deleted, an empty table
/// refused; a row of another scope and its schedule never touched; no row ever written.
#[test]
fn the_runtimes_rows_drive_their_schedules() {
    for backend in BACKENDS {
        let job = Job::new(true);
        let db = TestDb::new(backend, job.dir.path());
        if let Some(path) = db.url.strip_prefix("sqlite://") {
            std::fs::File::create(path).unwrap();
        }
        db.execute(&runtime_table(backend));
        for row in api_rows() {
            db.execute(&row);
        }

        // Refused combinations, before anything is read.
        for bad in [
            &["plan", "--schedules-from", "database", "--source", "defs"][..],
            &["plan", "--schedules-from", "database", "--definitions"][..],
            &["plan", "--scope", "*", "--source", "defs"][..],
        ] {
            let out = job
                .command(bad)
                .env("DATABASE_URL", &db.url)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{backend:?} {bad:?}");
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("--"),
                "{backend:?} {bad:?}: says which flag"
            );
        }

        // Before `migrate`: the plan reads the runtime's columns and shows the creates.
        let (code, plan) = all_rows(&job, &db, "plan", &["--detailed-exitcode"]);
        assert_eq!(code, 2, "{backend:?}: {plan:#}");
        for id in [CRON, DISABLED, ONCE] {
            assert_eq!(
                action(&plan, &schedule(id)),
                "create",
                "{backend:?}: {plan:#}"
            );
        }
        assert_eq!(action(&plan, &schedule(EVENT)), "-", "{plan:#}");
        assert_eq!(plan["definitions"]["created"], 0, "{plan:#}");
        assert_eq!(
            plan["sources"][0]["source"],
            "database:activity_definitions"
        );
        let rows_before = runtime_rows(&db);

        let (code, applied) = all_rows(&job, &db, "apply", &[]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["schedules"]["created"], 3, "{applied:#}");
        assert!(!paused(&job, &schedule(CRON)));
        assert!(paused(&job, &schedule(DISABLED)), "a disabled row: paused");
        assert!(!paused(&job, &schedule(ONCE)));
        let cron = job.server.describe(&schedule(CRON)).unwrap();
        assert_eq!(
            cron["schedule"]["action"]["startWorkflow"]["workflowId"],
            format!("activity-{CRON}"),
            "{cron:#}"
        );
        assert_eq!(
            runtime_rows(&db),
            rows_before,
            "{backend:?}: a row was written"
        );

        // A second run has nothing to do.
        let (code, plan) = all_rows(&job, &db, "plan", &["--detailed-exitcode"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");

        // A row of another scope, and its schedule (made by that scope's own run).
        db.execute(&format!(
            "INSERT INTO activity_definitions (id, key, name, enabled, trigger_type, trigger_config, scope) \
             VALUES ('{OTHER}', 'other.hourly', 'Other hourly', TRUE, 'cron', \
             '{{\"cron\": \"0 * * * *\", \"timezone\": \"UTC\"}}', 'other')"
        ));
        let (code, applied) = run(
            &job,
            &db,
            &["apply", "--schedules-from", "database", "--scope", "other"],
        );
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["schedules"]["created"], 1, "{applied:#}");
        // It lists the schedules `*` made as adoptable, never as its own.
        let made = change(&applied, &schedule(CRON)).expect("listed");
        assert_eq!(made["action"], "unmanaged", "{applied:#}");
        assert!(
            made["note"].as_str().unwrap().contains("--scope '*'"),
            "{made:#}"
        );

        // Disabled row → paused; the other scope's row, disabled too, is not ours to pause.
        db.execute(&format!(
            "UPDATE activity_definitions SET enabled = FALSE WHERE id IN ('{CRON}', '{OTHER}')"
        ));
        let (code, applied) = all_rows(&job, &db, "apply", &[]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["schedules"]["paused"], 1, "{applied:#}");
        assert_eq!(action(&applied, &schedule(CRON)), "pause", "{applied:#}");
        assert!(paused(&job, &schedule(CRON)));
        let other = change(&applied, &schedule(OTHER)).expect("listed");
        assert_eq!(other["action"], "unmanaged", "{applied:#}");
        assert!(
            other["note"].as_str().unwrap().contains("scope `other`"),
            "{other:#}"
        );
        assert!(
            !paused(&job, &schedule(OTHER)),
            "another scope's schedule paused"
        );
        db.execute(&format!(
            "UPDATE activity_definitions SET enabled = TRUE WHERE id = '{OTHER}'"
        ));

        // An empty table while the scope owns schedules: nothing deleted.
        db.execute("DELETE FROM activity_definitions WHERE scope IS NULL");
        let (code, refused) = all_rows(&job, &db, "apply", &[]);
        assert_eq!(code, 3, "{backend:?}: {refused:#}");
        assert!(
            refused["refusal"]
                .as_str()
                .is_some_and(|r| r.contains("--allow-empty")),
            "{refused:#}"
        );
        for id in [CRON, DISABLED, ONCE] {
            assert!(job.server.describe(&schedule(id)).is_some(), "{id} deleted");
        }
        for row in api_rows() {
            db.execute(&row);
        }
        db.execute(&format!(
            "UPDATE activity_definitions SET enabled = FALSE WHERE id = '{CRON}'"
        ));
        let (code, plan) = all_rows(&job, &db, "plan", &["--detailed-exitcode"]);
        assert_eq!(code, 0, "{backend:?}: the rows are back: {plan:#}");

        // Deleted, retired, turned event: their schedules go, last, inside --max-delete.
        db.execute(&format!(
            "DELETE FROM activity_definitions WHERE id = '{DISABLED}'"
        ));
        db.execute(&format!(
            "UPDATE activity_definitions SET retired_at = CURRENT_TIMESTAMP WHERE id = '{ONCE}'"
        ));
        db.execute(&format!(
            "UPDATE activity_definitions SET trigger_type = 'event', \
             trigger_config = '{{\"event_type\": \"repo.pushed\"}}' WHERE id = '{CRON}'"
        ));
        let (code, refused) = all_rows(&job, &db, "apply", &["--max-delete", "2"]);
        assert_eq!(code, 3, "{backend:?}: {refused:#}");
        let (code, applied) = all_rows(&job, &db, "apply", &[]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["schedules"]["deleted"], 3, "{applied:#}");
        for id in [CRON, DISABLED, ONCE] {
            assert!(job.server.describe(&schedule(id)).is_none(), "{id} kept");
        }
        assert!(job.server.describe(&schedule(OTHER)).is_some());
        assert!(!paused(&job, &schedule(OTHER)));
        let (code, plan) = all_rows(&job, &db, "plan", &["--detailed-exitcode"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        assert_eq!(
            db.outcomes().last().map(String::as_str),
            Some("success"),
            "{backend:?}: recorded in sync_runs"
        );
    }
}

/// `--scope '*' --adopt` takes over the old sync's schedule of a row with no scope and
/// deletes the one whose row is gone; then the scope that adopts the row from the file
/// `import` wrote takes the schedule over from `*` the same way: the first plan shows only
/// the takeover (same shape), then that scope owns it and `*` lists it as that scope's.
#[test]
fn a_real_scope_adopts_what_the_database_mode_made() {
    let backend = Backend::Sqlite;
    let job = Job::new(true);
    let db = TestDb::new(backend, job.dir.path());
    std::fs::File::create(db.url.strip_prefix("sqlite://").unwrap()).unwrap();
    db.execute(&runtime_table(backend));
    db.execute(&api_rows()[0]);
    db.execute(&api_rows()[1]);
    db.execute(&format!(
        "UPDATE activity_definitions SET description = 'Sends the \"nightly\" report.\nTo ops.' WHERE id = '{CRON}'"
    ));
    // The old sync's schedules: the row's, and one whose row is long gone.
    old_sync_schedule(&job, CRON, "0 4 * * *");
    old_sync_schedule(&job, ORPHAN, "0 5 * * *");
    let (code, plan) = all_rows(&job, &db, "plan", &[]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(action(&plan, &schedule(CRON)), "unmanaged", "{plan:#}");
    assert_eq!(action(&plan, &schedule(ORPHAN)), "unmanaged", "{plan:#}");
    assert_eq!(
        plan["schedules"]["created"], 1,
        "the paused digest's only, no second one next to the old sync's: {plan:#}"
    );
    let (code, applied) = all_rows(&job, &db, "apply", &["--adopt"]);
    assert_eq!(code, 0, "{applied:#}");
    assert_eq!(action(&applied, &schedule(CRON)), "update", "{applied:#}");
    assert_eq!(action(&applied, &schedule(ORPHAN)), "delete", "{applied:#}");
    assert_eq!(
        action(&applied, &schedule(DISABLED)),
        "create",
        "{applied:#}"
    );
    assert!(job.server.describe(&schedule(ORPHAN)).is_none());
    // Taken over: the regular job runs without --adopt.
    common::poll_until("the takeover shows in the list", 20, || {
        all_rows(&job, &db, "plan", &["--detailed-exitcode"]).0 == 0
    });

    let out = job
        .command(&["import", "--out", "imported"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(job.path("imported/nightly-report.md")).unwrap();
    assert!(
        text.contains("description: \"Sends the \\\"nightly\\\" report.\\nTo ops.\"\n"),
        "the runtime's description is carried: {text}"
    );

    let team = |command: &str, extra: &[&str]| {
        let mut args = vec![command, "--source", "imported", "--scope", "team"];
        args.extend(extra);
        run(&job, &db, &args)
    };
    // Without --adopt: left alone, and the plan says what --adopt does.
    let (code, plan) = team("plan", &[]);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(action(&plan, &schedule(CRON)), "unmanaged", "{plan:#}");
    assert_eq!(action(&plan, &schedule(DISABLED)), "unmanaged", "{plan:#}");
    let (code, plan) = team("plan", &["--adopt"]);
    assert_eq!(code, 0, "{plan:#}");
    // The old sync's schedule `*` adopted, and the one `*` created (its memo says `*`).
    for id in [CRON, DISABLED] {
        let row = change(&plan, id).expect("the row");
        assert_eq!(row["action"], "adopt", "{plan:#}");
        if id == CRON {
            // (The digest's row leaves `misfire_policy` out: its file writes the default.)
            assert_eq!(row["diff"], "", "only the takeover: {row:#}");
        }
        let taken = change(&plan, &schedule(id)).expect("the schedule");
        assert_eq!(taken["action"], "update", "{plan:#}");
        assert_eq!(taken["diff"], "", "the same schedule: {taken:#}");
    }
    assert_eq!(
        plan["schedules"]["created"], 0,
        "no second schedule: {plan:#}"
    );
    let (code, applied) = team("apply", &["--adopt"]);
    assert_eq!(code, 0, "{applied:#}");

    // Converged: nothing pending for `team` without --adopt (unchanged schedules are not
    // listed among the changes).
    common::poll_until("the takeover shows", 20, || {
        let (code, plan) = team("plan", &["--detailed-exitcode"]);
        code == 0
            && change(&plan, &schedule(CRON)).is_none()
            && change(&plan, &schedule(DISABLED)).is_none()
    });
    let (code, plan) = all_rows(&job, &db, "plan", &["--detailed-exitcode"]);
    assert_eq!(code, 0, "{plan:#}");
    for id in [CRON, DISABLED] {
        let listed = change(&plan, &schedule(id)).expect("listed");
        assert_eq!(listed["action"], "unmanaged", "{plan:#}");
        assert!(
            listed["note"].as_str().unwrap().contains("scope `team`"),
            "{listed:#}"
        );
    }
    let mut ids = job.schedule_ids();
    ids.sort();
    assert_eq!(ids, [schedule(CRON), schedule(DISABLED)]);
}

/// A runtime table with a `NOT NULL` column activity-sync does not know: an apply that
/// creates rows refuses before writing anything, naming the table, the column and what to
/// do; adopting (updating) a row that exists goes through and keeps the runtime's value;
/// with a default, the creates go through too.
#[test]
fn an_unknown_required_column_is_named_and_nothing_is_written() {
    for backend in BACKENDS {
        let dir = tempfile::tempdir().unwrap();
        common::copy_tree(&common::fixtures("valid"), &dir.path().join("defs"));
        let db = TestDb::new(backend, dir.path());
        if let Some(path) = db.url.strip_prefix("sqlite://") {
            std::fs::File::create(path).unwrap();
        }
        db.execute(&runtime_table(backend));
        db.execute("ALTER TABLE activity_definitions ADD COLUMN owner_team text NOT NULL");
        // The runtime's row of the fixture `consistency-sweep.md`, with its team.
        db.execute(&format!(
            "INSERT INTO activity_definitions (id, name, enabled, trigger_type, trigger_config, owner_team) \
             VALUES ('{SWEEP}', 'Old sweep', TRUE, 'cron', '{{\"cron\": \"*/15 * * * *\"}}', 'ops')"
        ));
        std::fs::create_dir(dir.path().join("sweep")).unwrap();
        std::fs::copy(
            dir.path().join("defs/consistency-sweep.md"),
            dir.path().join("sweep/consistency-sweep.md"),
        )
        .unwrap();
        let apply_from = |source: &str| {
            let mut cmd = common::bin();
            cmd.args([
                "apply",
                "--source",
                source,
                "--adopt",
                "--schedules=false",
                "--format",
                "json",
            ])
            .current_dir(dir.path())
            .env("DATABASE_URL", &db.url)
            .env_remove("ACTIVITY_SYNC_SCOPE");
            parse(cmd.output().unwrap())
        };
        let apply = || apply_from("defs");
        // The plan says so before an apply tries.
        let mut plan = common::bin();
        plan.args([
            "plan",
            "--source",
            "defs",
            "--schedules=false",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .env("DATABASE_URL", &db.url)
        .env_remove("ACTIVITY_SYNC_SCOPE");
        let (code, report) = parse(plan.output().unwrap());
        assert_eq!(code, 1, "{backend:?}: {report:#}");
        assert!(
            report["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("`owner_team`")),
            "{backend:?}: {report:#}"
        );
        let (code, report) = apply();
        assert_eq!(code, 1, "{backend:?}: {report:#}");
        let error = &report["errors"][0];
        assert_eq!(error["stage"], "database", "{report:#}");
        let message = error["message"].as_str().unwrap();
        for part in [
            "`activity_definitions`",
            "`owner_team`",
            "NOT NULL",
            "SET DEFAULT",
            "writes nothing",
        ] {
            assert!(message.contains(part), "{backend:?}: {message}");
        }
        let written = |db: &TestDb| {
            strings(
                db,
                "SELECT key FROM activity_definitions WHERE scope IS NOT NULL ORDER BY key",
            )
        };
        assert!(written(&db).is_empty(), "{backend:?}: rows written");
        assert_eq!(db.outcomes(), ["failed"], "{backend:?}");

        // Adopting the row that exists needs no value for the column: it goes through, and
        // the runtime's value stays.
        let (code, report) = apply_from("sweep");
        assert_eq!(code, 0, "{backend:?}: {report:#}");
        assert_eq!(report["definitions"]["updated"], 1, "{report:#}");
        assert_eq!(
            written(&db),
            ["the-custodian.state-hub-consistency-sweep"],
            "{backend:?}"
        );
        let team = format!("SELECT owner_team FROM activity_definitions WHERE id = '{SWEEP}'");
        assert_eq!(strings(&db, &team), ["ops"], "{backend:?}");

        // With a default the runtime chose, the rows go in.
        let default = match backend {
            Backend::Postgres => {
                "ALTER TABLE activity_definitions ALTER COLUMN owner_team SET DEFAULT 'platform'"
            }
            // SQLite cannot add a default to a column: the runtime would rebuild its table.
            Backend::Sqlite => continue,
        };
        db.execute(default);
        let (code, report) = apply();
        assert_eq!(code, 0, "{backend:?}: {report:#}");
        assert!(written(&db).len() > 1, "{backend:?}: {report:#}");
        assert_eq!(strings(&db, &team), ["ops"], "{backend:?}");
    }
}
