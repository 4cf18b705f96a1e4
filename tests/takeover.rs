//! Taking over from the Python sync (issue 11): a database whose `activity_definitions` table
//! the runtime's own migrations created — UUID rows, an `activity_runs` table with a foreign
//! key to it, an `event_types` table — on real Postgres and real SQLite, through the binary.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::db::{BACKENDS, Backend, TestDb, block_on};
use common::job::parse;
use common::{copy_tree, fixtures};
use serde_json::Value;
use sqlx::Connection;

/// The fixture `consistency-sweep.md` carries this id: the runtime's row for it.
const SWEEP_ID: &str = "7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b";
/// A row created by the runtime's API: no file names it.
const API_ID: &str = "0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a7b";

/// The runtime's own schema (alembic-style), with rows and references.
fn runtime_schema(backend: Backend) -> Vec<String> {
    let (uuid, json, ts, now, boolean) = match backend {
        Backend::Postgres => ("uuid", "jsonb", "timestamptz", "now()", "boolean"),
        Backend::Sqlite => ("TEXT", "TEXT", "TEXT", "CURRENT_TIMESTAMP", "BOOLEAN"),
    };
    vec![
        format!(
            "CREATE TABLE activity_definitions (id {uuid} PRIMARY KEY, name text NOT NULL, \
             description text, enabled {boolean} NOT NULL DEFAULT TRUE, trigger_type text NOT NULL, \
             trigger_config {json} NOT NULL, created_at {ts} NOT NULL DEFAULT {now}, \
             updated_at {ts} NOT NULL DEFAULT {now})"
        ),
        format!(
            "CREATE TABLE activity_runs (id {uuid} PRIMARY KEY, \
             definition_id {uuid} NOT NULL REFERENCES activity_definitions (id), \
             status text NOT NULL, started_at {ts} NOT NULL DEFAULT {now})"
        ),
        format!(
            "CREATE TABLE event_types (name text PRIMARY KEY, description text, schema {json})"
        ),
        format!(
            "INSERT INTO activity_definitions (id, name, description, enabled, trigger_type, trigger_config) VALUES \
             ('{SWEEP_ID}', 'State Hub Consistency Sweep', 'the old sweep', TRUE, 'cron', \
              '{{\"cron\": \"*/15 * * * *\", \"timezone\": \"UTC\", \"misfire_policy\": \"skip\"}}'), \
             ('{API_ID}', 'Made through the API', NULL, TRUE, 'cron', \
              '{{\"cron\": \"0 4 * * *\", \"timezone\": \"UTC\", \"misfire_policy\": \"skip\"}}')"
        ),
        format!(
            "INSERT INTO activity_runs (id, definition_id, status) VALUES \
             ('11111111-1111-4111-8111-111111111111', '{SWEEP_ID}', 'succeeded'), \
             ('22222222-2222-4222-8222-222222222222', '{SWEEP_ID}', 'failed'), \
             ('33333333-3333-4333-8333-333333333333', '{API_ID}', 'succeeded')"
        ),
        "INSERT INTO event_types (name, description) VALUES ('runtime.thing', 'made by the runtime')"
            .to_string(),
    ]
}

/// Every value the runtime owns, as text: its columns of both tables (with their types), its
/// rows, its foreign keys. Must be the same after migrate, plan and apply --adopt.
fn runtime_state(db: &TestDb) -> Vec<String> {
    let queries: Vec<&str> = match db.backend {
        Backend::Postgres => vec![
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') \
             FROM information_schema.columns WHERE table_schema = 'public' \
             AND (table_name || '.' || column_name) IN (RUNTIME_COLUMNS) \
             ORDER BY 1",
            "SELECT id::text || '|' || name || '|' || coalesce(description, '-') || '|' || enabled::text || '|' || trigger_type || '|' || trigger_config::text || '|' || created_at::text \
             FROM activity_definitions WHERE id::text IN ('7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b', '0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a7b') ORDER BY 1",
            "SELECT id::text || '|' || definition_id::text || '|' || status || '|' || started_at::text FROM activity_runs ORDER BY 1",
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'activity_runs'::regclass ORDER BY 1",
            "SELECT name || '|' || coalesce(description, '-') FROM event_types WHERE name = 'runtime.thing'",
        ],
        Backend::Sqlite => vec![
            "SELECT m.name || '.' || p.name || ' ' || p.type || ' ' || p.\"notnull\" || ' ' || coalesce(p.dflt_value, '') || ' ' || p.pk \
             FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND (m.name || '.' || p.name) IN (RUNTIME_COLUMNS) \
             ORDER BY 1",
            "SELECT id || '|' || name || '|' || coalesce(description, '-') || '|' || enabled || '|' || trigger_type || '|' || trigger_config || '|' || created_at \
             FROM activity_definitions WHERE id IN ('7c4e9a12-8f3b-4d5e-9c6a-1b2d3e4f5a6b', '0b7f3c52-91d4-4a8e-b6f1-2c3d4e5f6a7b') ORDER BY 1",
            "SELECT id || '|' || definition_id || '|' || status || '|' || started_at FROM activity_runs ORDER BY 1",
            "SELECT \"table\" || '.' || \"from\" || ' -> ' || \"to\" FROM pragma_foreign_key_list('activity_runs') ORDER BY 1",
            "SELECT name || '|' || coalesce(description, '-') FROM event_types WHERE name = 'runtime.thing'",
        ],
    };
    let columns = [
        "activity_definitions.id",
        "activity_definitions.name",
        "activity_definitions.description",
        "activity_definitions.enabled",
        "activity_definitions.trigger_type",
        "activity_definitions.trigger_config",
        "activity_definitions.created_at",
        "activity_definitions.updated_at",
        "activity_runs.id",
        "activity_runs.definition_id",
        "activity_runs.status",
        "activity_runs.started_at",
        "event_types.name",
        "event_types.description",
        "event_types.schema",
    ]
    .map(|c| format!("'{c}'"))
    .join(", ");
    let mut state = Vec::new();
    for query in queries {
        let query = query.replace("RUNTIME_COLUMNS", &columns);
        let query = query.as_str();
        state.push(format!("-- {query}"));
        state.extend(strings(db, query));
    }
    state
}

/// One text column of every row a query returns.
fn strings(db: &TestDb, sql: &str) -> Vec<String> {
    block_on(async {
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

/// Runs the runtime's schema script, as its own migrations would have.
fn create_runtime_tables(db: &TestDb) {
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        std::fs::File::create(path).unwrap();
    }
    for statement in runtime_schema(db.backend) {
        db.execute(&statement);
    }
}

/// SQLite checks foreign keys only when asked: every reference still resolves.
fn foreign_keys_hold(db: &TestDb) {
    let broken = match db.backend {
        Backend::Postgres => strings(
            db,
            "SELECT r.id::text FROM activity_runs r LEFT JOIN activity_definitions d ON d.id = r.definition_id WHERE d.id IS NULL",
        ),
        Backend::Sqlite => strings(
            db,
            "SELECT \"table\" || ' ' || rowid FROM pragma_foreign_key_check('activity_runs')",
        ),
    };
    assert!(broken.is_empty(), "dangling references: {broken:?}");
}

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

    /// The database stages only: the schedules have tests of their own below.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = common::bin();
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.db.url)
            .env_remove("ACTIVITY_SYNC_SCOPE");
        cmd
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--source", "defs", "--schedules=false", "--format", "json"]);
        parse(self.command(&all).output().unwrap())
    }
}

fn change<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no change for {id}: {report:#}"))
}

/// SPEC §4: `migrate` on the runtime's tables adds what activity-sync needs and nothing else;
/// the runtime's rows are unmanaged until `--adopt` takes over the one a file names; no
/// runtime column, row or reference is lost on the way.
#[test]
fn existing_runtime_tables_are_migrated_adopted_and_kept() {
    for backend in BACKENDS {
        let ws = Workspace::new(backend);
        create_runtime_tables(&ws.db);
        let before = runtime_state(&ws.db);

        for _ in 0..2 {
            let out = ws
                .command(&["migrate", "--schedules=false"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{backend:?}: migrate: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(runtime_state(&ws.db), before, "{backend:?}: after migrate");

        // The plan lists the runtime's rows as unmanaged and touches neither.
        let (code, plan) = ws.json(&["plan"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        assert_eq!(plan["definitions"]["unmanaged"], 2, "{backend:?}: {plan:#}");
        assert_eq!(change(&plan, SWEEP_ID)["action"], "unmanaged");
        assert!(
            change(&plan, SWEEP_ID)["note"]
                .as_str()
                .unwrap()
                .contains("--adopt"),
            "{plan:#}"
        );
        assert_eq!(change(&plan, API_ID)["action"], "unmanaged");
        // Applying without --adopt leaves them alone too.
        let (code, applied) = ws.json(&["apply"]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["definitions"]["unmanaged"], 2, "{applied:#}");
        assert_eq!(runtime_state(&ws.db), before, "{backend:?}: after apply");

        // --adopt takes over the row the file names, and only that one.
        let (code, plan) = ws.json(&["plan", "--adopt"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        assert_eq!(change(&plan, SWEEP_ID)["action"], "adopt", "{plan:#}");
        assert_eq!(change(&plan, API_ID)["action"], "unmanaged", "{plan:#}");
        assert_eq!(plan["definitions"]["unmanaged"], 1, "{plan:#}");
        let (code, applied) = ws.json(&["apply", "--adopt"]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["definitions"]["updated"], 1, "{applied:#}");
        let scopes = strings(
            &ws.db,
            "SELECT coalesce(scope, '<null>') || ' ' || coalesce(key, '<null>') || ' ' || name FROM activity_definitions ORDER BY name",
        );
        assert!(
            scopes.contains(&"<null> <null> Made through the API".to_string()),
            "{backend:?}: {scopes:?}"
        );
        assert!(
            scopes.contains(
                &"default the-custodian.state-hub-consistency-sweep State Hub Consistency Sweep"
                    .to_string()
            ),
            "{backend:?}: {scopes:?}"
        );

        // The runtime's columns and references are all still there; the adopted row's
        // runtime columns now say what its file says, the API row's are untouched.
        let after = runtime_state(&ws.db);
        let unchanged = |state: &[String]| -> Vec<String> {
            state
                .iter()
                .filter(|l| !l.starts_with(SWEEP_ID))
                .cloned()
                .collect()
        };
        assert_eq!(unchanged(&after), unchanged(&before), "{backend:?}");
        let runs: Vec<&String> = after
            .iter()
            .filter(|l| l.starts_with("1111") || l.starts_with("2222"))
            .collect();
        assert_eq!(runs.len(), 2, "{backend:?}: {after:#?}");
        foreign_keys_hold(&ws.db);

        // Converged: nothing pending, also with --adopt.
        for extra in [&[][..], &["--adopt"][..]] {
            let mut args = vec!["plan", "--detailed-exitcode"];
            args.extend(extra);
            let (code, plan) = ws.json(&args);
            assert_eq!(code, 0, "{backend:?} {extra:?}: {plan:#}");
        }
        let _ = ws.path("defs");
    }
}

/// The schedule ids the valid fixtures can have (the event-triggered one has none).
fn fixture_schedule_ids() -> Vec<String> {
    let mut ids = vec![format!("activity-schedule-{SWEEP_ID}")];
    for key in [
        "platform.weekly-artifact-cleanup",
        "platform.release-freeze-announcement",
        "the-custodian.inbox-triage-daily",
        "the-custodian.report-daily",
        "the-custodian.report-hourly",
    ] {
        ids.push(format!(
            "activity-schedule-{}",
            activity_sync::definition::id_from_key(key)
        ));
    }
    ids
}

/// Every running (unpaused) schedule of the fixtures has a committed, enabled, live row of
/// the scope; returns how many schedules exist.
fn assert_schedules_follow_rows(job: &common::job::Job, db: &TestDb, what: &str) -> usize {
    let enabled = strings(
        db,
        "SELECT id FROM activity_definitions WHERE enabled AND retired_at IS NULL AND scope = 'default'",
    );
    let mut existing = 0;
    for id in fixture_schedule_ids() {
        let Some(s) = job.server.describe(&id) else {
            continue;
        };
        existing += 1;
        let paused = s["schedule"]["state"]["paused"].as_bool().unwrap_or(false);
        let definition = id.trim_start_matches("activity-schedule-");
        assert!(
            paused || enabled.iter().any(|e| e == definition),
            "{what}: {id} runs without an enabled row (enabled rows: {enabled:?})"
        );
    }
    existing
}

/// Issue 11: a schedule is created or unpaused only for a definition whose row exists and is
/// enabled once the database stage has committed — in every combination of the stage flags —
/// and a plan that holds one back says why.
#[test]
fn no_schedule_runs_without_a_committed_enabled_row_whatever_the_stages() {
    let job = common::job::Job::new(true);
    // The job's own SQLite file.
    let db = TestDb::new(Backend::Sqlite, job.dir.path());
    let flags = |d: bool, s: bool, e: bool| {
        vec![
            format!("--definitions={d}"),
            format!("--schedules={s}"),
            format!("--event-types={e}"),
        ]
    };
    let apply = |extra: &[String]| {
        let mut args = vec!["apply", "--source", "defs"];
        args.extend(extra.iter().map(String::as_str));
        job.json(&args)
    };
    // An empty table: whatever runs without the definitions stage creates nothing.
    for (s, e) in [(true, false), (true, true), (false, false), (false, true)] {
        let what = format!("empty table, definitions off, schedules {s}, event types {e}");
        let (code, report) = apply(&flags(false, s, e));
        assert_eq!(code, 0, "{what}: {report:#}");
        assert_eq!(report["schedules"]["created"], 0, "{what}: {report:#}");
        if s {
            let held: Vec<&Value> = report["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["resource"] == "schedule")
                .collect();
            assert_eq!(held.len(), 6, "{what}: {report:#}");
            for change in held {
                assert_eq!(change["action"], "skip", "{what}: {change:#}");
                assert!(
                    change["note"].as_str().unwrap().contains("no row"),
                    "{what}: {change:#}"
                );
            }
        }
        assert_eq!(assert_schedules_follow_rows(&job, &db, &what), 0, "{what}");
    }
    // Rows committed, then disabled by hand: without the definitions stage their schedules
    // are created paused, never running.
    let (code, report) = apply(&flags(true, false, true));
    assert_eq!(code, 0, "{report:#}");
    db.execute("UPDATE activity_definitions SET enabled = FALSE");
    for e in [false, true] {
        let what = format!("disabled rows, definitions off, event types {e}");
        let (code, report) = apply(&flags(false, true, e));
        assert_eq!(code, 0, "{what}: {report:#}");
        assert_eq!(report["schedules"]["unpaused"], 0, "{what}: {report:#}");
        common::poll_until(&what, 20, || {
            assert_schedules_follow_rows(&job, &db, &what) == 6
        });
    }
    // The definitions stage on: rows are written first, schedules follow them.
    for (s, e) in [(false, false), (true, false), (true, true), (false, true)] {
        let what = format!("definitions on, schedules {s}, event types {e}");
        db.execute("UPDATE activity_definitions SET enabled = FALSE");
        let (code, report) = apply(&flags(true, s, e));
        assert_eq!(code, 0, "{what}: {report:#}");
        assert_schedules_follow_rows(&job, &db, &what);
    }
}

/// A schedule as the Python sync wrote it: conventional id, no marker, plain client.
fn old_sync_schedule(job: &common::job::Job, definition: &str, cron: &str) {
    let id = format!("activity-schedule-{definition}");
    let workflow = format!("activity-{definition}");
    let out = job.server.cli(&[
        "schedule",
        "create",
        "--schedule-id",
        &id,
        "--cron",
        cron,
        "--workflow-id",
        &workflow,
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

/// Runs the job's binary against `db` (not the job's own SQLite file) with `--format json`.
fn run_on(job: &common::job::Job, db: &TestDb, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    parse(
        job.command(&all)
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap(),
    )
}

/// A random id no row has: the definition of an old orphan.
const ORPHAN_ID: &str = "5e1d2c3b-4a59-4687-9a0b-c1d2e3f4a5b6";

/// Issue 11, Done when (without `import`): the runtime-shaped database and the old sync's
/// unmarked schedules; `plan --adopt` shows the takeover, `apply --adopt` adopts the live
/// schedule with its UUID, deletes the old orphan last, leaves the schedule of the runtime's
/// own row alone (its row is live: not an orphan), and the next plan has nothing to do.
#[test]
fn adopt_takes_over_rows_and_schedules_and_deletes_old_orphans() {
    for backend in BACKENDS {
        let job = common::job::Job::new(true);
        let db = TestDb::new(backend, job.dir.path());
        create_runtime_tables(&db);
        let before = runtime_state(&db);
        old_sync_schedule(&job, SWEEP_ID, "*/15 * * * *");
        old_sync_schedule(&job, API_ID, "0 4 * * *");
        old_sync_schedule(&job, ORPHAN_ID, "0 5 * * *");
        let sweep = format!("activity-schedule-{SWEEP_ID}");
        let api = format!("activity-schedule-{API_ID}");
        let orphan = format!("activity-schedule-{ORPHAN_ID}");

        // Without --adopt: nothing of theirs is touched, and the plan says what --adopt does.
        let (code, plan) = run_on(&job, &db, &["plan", "--source", "defs"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        for id in [&sweep, &api, &orphan] {
            assert_eq!(
                change(&plan, id)["action"],
                "unmanaged",
                "{backend:?}: {plan:#}"
            );
        }
        assert_eq!(change(&plan, &sweep)["action"], "unmanaged");
        assert_eq!(change(&plan, SWEEP_ID)["action"], "unmanaged");

        let (code, plan) = run_on(&job, &db, &["plan", "--source", "defs", "--adopt"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        assert_eq!(change(&plan, SWEEP_ID)["action"], "adopt", "{plan:#}");
        assert_eq!(change(&plan, &sweep)["action"], "update", "{plan:#}");
        assert_eq!(change(&plan, &orphan)["action"], "delete", "{plan:#}");
        assert_eq!(change(&plan, &api)["action"], "unmanaged", "{plan:#}");
        assert!(
            change(&plan, &api)["note"]
                .as_str()
                .unwrap()
                .contains("not an orphan"),
            "{plan:#}"
        );
        // The deletion limit counts adopted orphans.
        let (code, refused) = run_on(
            &job,
            &db,
            &["apply", "--source", "defs", "--adopt", "--max-delete", "0"],
        );
        assert_eq!(code, 3, "{backend:?}: {refused:#}");
        assert!(job.server.describe(&orphan).is_some());

        let (code, applied) = run_on(&job, &db, &["apply", "--source", "defs", "--adopt"]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert_eq!(applied["schedules"]["deleted"], 1, "{applied:#}");
        // The counts the old smoke checks read, and the state after the run.
        let s = &applied["schedules"];
        assert_eq!(
            s["upserted"].as_u64().unwrap(),
            s["created"].as_u64().unwrap() + s["updated"].as_u64().unwrap(),
            "{applied:#}"
        );
        assert_eq!(s["updated"], 1, "the adopted sweep: {applied:#}");
        assert_eq!(
            s["active"].as_u64().unwrap() + s["paused_total"].as_u64().unwrap(),
            6,
            "the fixtures' six schedules, managed: {applied:#}"
        );
        assert_eq!(
            s["paused_total"], 2,
            "two disabled definitions: {applied:#}"
        );
        assert!(
            job.server.describe(&orphan).is_none(),
            "{backend:?}: orphan kept"
        );
        let adopted = job.server.describe(&sweep).expect("the sweep's schedule");
        assert_eq!(
            adopted["schedule"]["action"]["startWorkflow"]["workflowId"],
            format!("activity-{SWEEP_ID}"),
            "{adopted:#}"
        );
        assert!(
            job.server.describe(&api).is_some(),
            "{backend:?}: live row's schedule deleted"
        );
        // One schedule per definition: no second one next to the adopted sweep.
        common::poll_until("the list shows the adoption", 20, || {
            let ids = job.schedule_ids();
            ids.iter().filter(|i| i.contains(SWEEP_ID)).count() == 1 && !ids.contains(&orphan)
        });

        for extra in [&[][..], &["--adopt"][..]] {
            let mut args = vec!["plan", "--source", "defs", "--detailed-exitcode"];
            args.extend(extra);
            let (code, plan) = run_on(&job, &db, &args);
            assert_eq!(code, 0, "{backend:?} {extra:?}: {plan:#}");
        }
        let after = runtime_state(&db);
        let not_sweep = |state: &[String]| -> Vec<String> {
            state
                .iter()
                .filter(|l| !l.starts_with(SWEEP_ID))
                .cloned()
                .collect()
        };
        assert_eq!(not_sweep(&after), not_sweep(&before), "{backend:?}");
        foreign_keys_hold(&db);
    }
}

/// The runtime state with each row's `trigger_config` as parsed JSON without `null` members
/// (activity-sync writes absent options as `null`; the text of a JSON column is not
/// compared, its content is).
fn normalized(state: Vec<String>) -> Vec<String> {
    state
        .into_iter()
        .map(|line| {
            let parts: Vec<&str> = line.split('|').collect();
            if parts.len() != 7 {
                return line;
            }
            let Ok(Value::Object(config)) = serde_json::from_str::<Value>(parts[5]) else {
                return line;
            };
            let config: serde_json::Map<String, Value> =
                config.into_iter().filter(|(_, v)| !v.is_null()).collect();
            let mut parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            parts[5] = Value::Object(config).to_string();
            parts.join("|")
        })
        .collect()
}

/// Issue 11, Done when: from the runtime-shaped database and the old sync's unmarked
/// schedules, `import` writes the files, the first `plan --adopt` shows only the takeover
/// (no field of any row changes), `apply --adopt` adopts rows and schedules with their UUIDs
/// and deletes the old orphan, and then `plan --detailed-exitcode` exits 0; no runtime
/// column, row or reference is lost, and no schedule is duplicated.
#[test]
fn import_then_adopt_converges_without_losing_anything() {
    for backend in BACKENDS {
        let job = common::job::Job::new(true);
        let db = TestDb::new(backend, job.dir.path());
        create_runtime_tables(&db);
        let before = normalized(runtime_state(&db));
        old_sync_schedule(&job, SWEEP_ID, "*/15 * * * *");
        old_sync_schedule(&job, API_ID, "0 4 * * *");
        old_sync_schedule(&job, ORPHAN_ID, "0 5 * * *");
        let sweep = format!("activity-schedule-{SWEEP_ID}");
        let api = format!("activity-schedule-{API_ID}");
        let orphan = format!("activity-schedule-{ORPHAN_ID}");

        let out = job
            .command(&["import", "--out", "imported"])
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{backend:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut written: Vec<String> = std::fs::read_dir(job.path("imported"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(
            written,
            ["made-through-the-api.md", "state-hub-consistency-sweep.md"],
            "{backend:?}"
        );
        let text = std::fs::read_to_string(job.path("imported/made-through-the-api.md")).unwrap();
        assert!(text.contains(&format!("id: {API_ID}\n")), "{text}");
        // Never overwrites.
        let again = job
            .command(&["import", "--out", "imported"])
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap();
        assert!(
            !again.status.success(),
            "a second import overwrote the files"
        );

        let (code, plan) = run_on(&job, &db, &["plan", "--source", "imported", "--adopt"]);
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        for id in [SWEEP_ID, API_ID] {
            let c = change(&plan, id);
            assert_eq!(c["action"], "adopt", "{backend:?}: {plan:#}");
            assert_eq!(c["diff"], "", "{backend:?}: only the takeover: {c:#}");
        }
        assert_eq!(plan["definitions"]["created"], 0, "{plan:#}");
        assert_eq!(change(&plan, &sweep)["action"], "update", "{plan:#}");
        assert_eq!(change(&plan, &api)["action"], "update", "{plan:#}");
        assert_eq!(change(&plan, &orphan)["action"], "delete", "{plan:#}");
        assert_eq!(
            plan["schedules"]["created"], 0,
            "no second schedule: {plan:#}"
        );

        let (code, applied) = run_on(&job, &db, &["apply", "--source", "imported", "--adopt"]);
        assert_eq!(code, 0, "{backend:?}: {applied:#}");
        assert!(
            job.server.describe(&orphan).is_none(),
            "{backend:?}: orphan kept"
        );
        for (id, definition) in [(&sweep, SWEEP_ID), (&api, API_ID)] {
            let s = job.server.describe(id).expect("adopted");
            assert_eq!(
                s["schedule"]["action"]["startWorkflow"]["workflowId"],
                format!("activity-{definition}"),
                "{s:#}"
            );
        }
        common::poll_until("the list settles", 20, || {
            let mut ids = job.schedule_ids();
            ids.sort();
            let mut want = vec![sweep.clone(), api.clone()];
            want.sort();
            ids == want
        });
        let (code, plan) = run_on(
            &job,
            &db,
            &["plan", "--source", "imported", "--detailed-exitcode"],
        );
        assert_eq!(code, 0, "{backend:?}: {plan:#}");
        assert_eq!(normalized(runtime_state(&db)), before, "{backend:?}");
        foreign_keys_hold(&db);
    }
}
