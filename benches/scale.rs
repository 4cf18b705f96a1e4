//! Scale: the whole job at N definitions against its own Temporal dev server and a fresh
//! Postgres database, through the real binary (a child process per step), each figure
//! beside the floor (a bare `temporal schedule list` + one `SELECT`) and the server's
//! ceiling (raw CreateSchedule / UpdateSchedule, 64 in flight) measured in the same run.
//!
//! Steps, for each N and each namespace (with and without the search attributes):
//!
//! 1. `validate` (parse + validate only);
//! 2. the first `apply` into empty state;
//! 3. a no-op `plan` and a no-op `apply`;
//! 4. `apply` after changing 1 % and 10 % of the definitions;
//! 5. the floor and the ceiling.
//!
//! Each: wall time, peak RSS of the child, Temporal RPCs by method (the report's
//! `temporal_calls`) and SQL statements (sqlx's `sqlx::query` events on stderr). Then the
//! first apply at several `--concurrency` values, and Markdown tables.
//!
//! `cargo bench --bench scale` runs N = 1,000 and 10,000 (release). Under `cargo test`
//! (no `--bench` argument) it runs N = 40 end to end against the debug binary and asserts
//! only that the pipeline works (exit codes, counts, and the call checks: one create per
//! schedule, none in a no-op apply, exactly one mutating call per changed schedule), no
//! timing. Knobs (docs/performance.md): `SCALE_N`, `SCALE_ATTRIBUTES`, `SCALE_OTHERS`,
//! `SCALE_RUNS`, `SCALE_CONCURRENCY`, `SCALE_CONCURRENCY_N`, `SCALE_INFLIGHT`,
//! `SCALE_SETTLE_SECONDS`, `ACTIVITY_SYNC_BIN`.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "scale/definitions.rs"]
mod definitions;
#[path = "scale/floor.rs"]
mod floor;
#[path = "scale/measured.rs"]
mod measured;
#[path = "scale/raw_temporal.rs"]
mod raw_temporal;

use std::path::Path;
use std::time::Duration;

use activity_sync::gather::Desired;
use activity_sync::schedule::desired::{DesiredSchedule, WorkflowTarget, desired_schedule};
use activity_sync::source::SourceSpec;
use common::db::{Backend, TestDb};
use common::temporal::{DevServer, temporal_bin};
use definitions::{DefinitionSet, EVENT_TYPES};
use measured::{Measured, Target, mutating, secs};
use raw_temporal::{Burst, Raw};
use serde_json::Value;

const SCOPE: &str = "bench-scale";
/// The scope of the schedules that fill the namespace (`SCALE_OTHERS`).
const OTHERS_SCOPE: &str = "bench-others";
/// The scope of the ceiling's schedules (ids `bench-ceiling-…`: never the scope's).
const CEILING_SCOPE: &str = "bench-ceiling";

struct Knobs {
    full: bool,
    sizes: Vec<usize>,
    attributes: Vec<bool>,
    others: Vec<usize>,
    runs: usize,
    concurrency: Vec<u16>,
    concurrency_n: usize,
    inflight: usize,
    settle: Duration,
}

fn list<T: std::str::FromStr>(name: &str, default: &str) -> Vec<T> {
    let text = std::env::var(name).unwrap_or_else(|_| default.to_string());
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}: `{s}` is not a number"))
        })
        .collect()
}

fn one<T: std::str::FromStr>(name: &str, default: &str) -> T {
    list(name, default)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{name}: one number"))
}

impl Knobs {
    fn from_env(full: bool) -> Knobs {
        let attributes = std::env::var("SCALE_ATTRIBUTES").unwrap_or_else(|_| "yes,no".into());
        let attributes = attributes
            .split(',')
            .map(|a| match a.trim() {
                "yes" | "with" | "true" => true,
                "no" | "without" | "false" => false,
                other => panic!("SCALE_ATTRIBUTES: `{other}` is not yes or no"),
            })
            .collect();
        Knobs {
            full,
            sizes: list("SCALE_N", if full { "1000,10000" } else { "40" }),
            attributes,
            others: list("SCALE_OTHERS", "0"),
            runs: one("SCALE_RUNS", if full { "3" } else { "1" }),
            concurrency: list("SCALE_CONCURRENCY", if full { "4,16,32,64" } else { "16" }),
            concurrency_n: one("SCALE_CONCURRENCY_N", if full { "1000" } else { "40" }),
            inflight: one("SCALE_INFLIGHT", "64"),
            settle: Duration::from_secs(one("SCALE_SETTLE_SECONDS", "120")),
        }
    }
}

/// The schedules the definitions under `root` want (as the product computes them).
fn desired(root: &Path) -> Vec<DesiredSchedule> {
    let spec: SourceSpec = root.to_str().unwrap().parse().unwrap();
    let desired = Desired::gather(std::slice::from_ref(&spec));
    assert!(
        desired.catalog.errors.is_empty(),
        "generated definitions are invalid: {:?}",
        &desired.catalog.errors[..1]
    );
    let target = WorkflowTarget::default();
    desired
        .catalog
        .activities
        .values()
        .filter_map(|d| desired_schedule(d, &target))
        .collect()
}

/// The same schedules under other ids and definition ids, `count` of them (cycling).
fn renamed(base: &[DesiredSchedule], count: usize, prefix: &str) -> Vec<DesiredSchedule> {
    (0..count)
        .map(|j| {
            let mut s = base[j % base.len()].clone();
            let id = uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                format!("{prefix}.{j}").as_bytes(),
            );
            s.definition_id = id;
            s.schedule_id = if prefix == CEILING_SCOPE {
                format!("bench-ceiling-{id}")
            } else {
                format!("activity-schedule-{id}")
            };
            s.key = format!("{prefix}.{j}");
            s.shape.workflow_id = format!("activity-{id}");
            s.shape.argument = Value::String(id.to_string()).to_string();
            s.spec_hash = s.shape.hash();
            s
        })
        .collect()
}

fn run_args<'a>(command: &'a str, concurrency: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        command,
        "--source",
        "defs",
        "--scope",
        SCOPE,
        "--format",
        "json",
        "--deadline",
        "60m",
    ];
    if !concurrency.is_empty() {
        args.extend(["--concurrency", concurrency]);
    }
    args.extend(extra);
    args
}

/// The pipeline must work in both modes: a wrong exit code or count stops the bench.
fn expect(step: &str, m: &Measured, code: i32, checks: &[(&str, u64)]) {
    assert_eq!(
        m.code, code,
        "{step}: exit {} (wanted {code}); stderr ends:\n{}\nreport: {}",
        m.code, m.stderr_tail, m.report
    );
    for (pointer, want) in checks {
        let got = m.report.pointer(pointer).and_then(Value::as_u64);
        assert_eq!(
            got,
            Some(*want),
            "{step}: {pointer} is {got:?}, wanted {want}; report: {}",
            m.report
        );
    }
}

fn median(mut runs: Vec<Measured>) -> Measured {
    runs.sort_by_key(|m| m.wall);
    runs.swap_remove(runs.len() / 2)
}

fn median_duration(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn attributes_word(attributes: bool) -> &'static str {
    if attributes { "yes" } else { "no" }
}

fn settle(
    rt: &tokio::runtime::Runtime,
    raw: &Raw,
    knobs: &Knobs,
    want: &[DesiredSchedule],
    attributes: bool,
) {
    match rt.block_on(raw.settle(SCOPE, want, attributes, knobs.settle)) {
        Ok(took) if took > Duration::from_secs(1) => {
            println!("  (the list showed the writes {} later)", secs(took));
            quiet(knobs);
        }
        Ok(_) => quiet(knobs),
        Err(difference) => {
            let message = format!(
                "the list did not show the writes within {} s: {difference}",
                knobs.settle.as_secs()
            );
            assert!(knobs.full, "{message}");
            println!("  warning: {message}; the next step may describe more than it would");
        }
    }
}

/// After the bench's own lists of the whole namespace, a pause in full mode: the dev
/// server rate-limits its persistence, and the next timed step must not pay for the bench's
/// polling (at N = 10,000 a change apply after the settle loop was throttled for seconds).
fn quiet(knobs: &Knobs) {
    if knobs.full {
        std::thread::sleep(Duration::from_secs(3));
    }
}

/// A check line: the smoke run fails on it, the full run only prints it.
fn check(knobs: &Knobs, holds: bool, line: String) {
    println!("  check: {line}{}", if holds { " ✓" } else { " ✗" });
    assert!(knobs.full || holds, "check failed: {line}");
}

/// Creates `others` schedules of another scope (the namespace's other tenants), and waits
/// until the list shows them.
fn fill(
    rt: &tokio::runtime::Runtime,
    knobs: &Knobs,
    raw: &Raw,
    want: &[DesiredSchedule],
    others: usize,
    attributes: bool,
) -> Duration {
    let other = renamed(want, others, OTHERS_SCOPE);
    let burst = rt.block_on(raw.create(OTHERS_SCOPE, &other, attributes, knobs.inflight));
    assert_eq!(
        burst.failed, 0,
        "filling the namespace: {:?}",
        burst.first_error
    );
    rt.block_on(raw.settle_count(others, knobs.settle))
        .unwrap_or_else(|listed| panic!("{listed} of {others} other schedules listed"));
    burst.wall
}

/// The server's pace for these schedules (under other ids): raw CreateSchedule, then
/// UpdateSchedule, then DeleteSchedule of each, `SCALE_INFLIGHT` in flight, on a fresh
/// server (with or without the attributes) first filled with the same `others`.
fn ceiling(
    rt: &tokio::runtime::Runtime,
    knobs: &Knobs,
    want: &[DesiredSchedule],
    others: usize,
    attributes: bool,
) -> (Burst, Burst) {
    let server = DevServer::start(attributes);
    let raw = rt.block_on(Raw::connect(&server.address));
    if others > 0 {
        fill(rt, knobs, &raw, want, others, attributes);
    }
    let ceiling = renamed(want, want.len(), CEILING_SCOPE);
    let create = rt.block_on(raw.create(CEILING_SCOPE, &ceiling, attributes, knobs.inflight));
    let update = rt.block_on(raw.update(CEILING_SCOPE, &ceiling, attributes, knobs.inflight));
    let ids: Vec<String> = ceiling.iter().map(|s| s.schedule_id.clone()).collect();
    let delete = rt.block_on(raw.delete(&ids, knobs.inflight));
    for (name, b) in [
        ("CreateSchedule", &create),
        ("UpdateSchedule", &update),
        ("DeleteSchedule", &delete),
    ] {
        failures(knobs, name, b);
        println!(
            "  ceiling (a fresh server): {} raw {name} calls, {} in flight: {} ({:.0}/s)",
            b.calls,
            knobs.inflight,
            secs(b.wall),
            b.per_second()
        );
    }
    let retried = raw.retried.load(std::sync::atomic::Ordering::Relaxed);
    if retried > 0 {
        println!(
            "  (the server pushed back {retried} times; those calls were tried again after 50 ms)"
        );
    }
    (create, update)
}

/// Calls of a ceiling burst that failed after their retries: the smoke run fails, the full
/// run warns (the figure then covers fewer schedules than it says).
fn failures(knobs: &Knobs, name: &str, b: &Burst) {
    if b.failed > 0 {
        let message = format!(
            "ceiling: {} of {} {name} calls failed, the first with {}",
            b.failed,
            b.calls,
            b.first_error.as_deref().unwrap_or("?")
        );
        assert!(knobs.full, "{message}");
        println!("  warning: {message}");
    }
}

/// One step's figures, for the per-step table.
struct Step {
    name: String,
    m: Measured,
}

struct Variant {
    n: usize,
    schedules: usize,
    attributes: bool,
    others: usize,
    validate: Measured,
    first_apply: Measured,
    noop_plan: Measured,
    noop_apply: Measured,
    changes: Vec<(String, usize, Measured)>,
    floor: floor::Floor,
    create: Burst,
    update: Burst,
    steps: Vec<Step>,
}

/// Every step for N definitions on a fresh server (with or without the attributes) and a
/// fresh database.
fn variant(
    rt: &tokio::runtime::Runtime,
    knobs: &Knobs,
    n: usize,
    attributes: bool,
    others: usize,
) -> Variant {
    let dir = tempfile::tempdir().unwrap();
    let mut set = DefinitionSet::write(&dir.path().join("defs"), "scale", n);
    let schedules = set.schedules();
    let want = desired(&set.root);
    assert_eq!(want.len(), schedules);
    let server = DevServer::start(attributes);
    let db = TestDb::new(Backend::Postgres, dir.path());
    let target = Target {
        dir: dir.path(),
        database_url: &db.url,
        temporal_address: &server.address,
    };
    let raw = rt.block_on(Raw::connect(&server.address));
    println!(
        "\nscale: N = {n} ({schedules} schedules, {} event definitions, {EVENT_TYPES} event types) · search attributes: {} · namespace holds {} · {}",
        n - schedules,
        attributes_word(attributes),
        schedules + others,
        measured::binary().display()
    );
    let mut steps = Vec::new();
    let mut step = |name: &str, m: &Measured| {
        println!("  {name}: {}", m.summary());
        steps.push(Step {
            name: name.to_string(),
            m: m.clone(),
        });
    };

    if others > 0 {
        let took = fill(rt, knobs, &raw, &want, others, attributes);
        println!(
            "  namespace filled with {others} schedules of scope `{OTHERS_SCOPE}` in {}",
            secs(took)
        );
    }

    // 1. Parse + validate only.
    let validate = measured::run(
        &target,
        &["validate", "--source", "defs", "--format", "json"],
    );
    expect(
        "validate",
        &validate,
        0,
        &[
            ("/definitions/valid", n as u64),
            ("/event_types/valid", EVENT_TYPES as u64),
        ],
    );
    step("validate", &validate);
    // The tables, so that the first apply measures the reconcile into empty tables (the
    // search attributes are left as the variant has them).
    let migrate = measured::run(&target, &["migrate", "--schedules=false"]);
    expect("migrate", &migrate, 0, &[]);
    println!("  (migrate --schedules=false: {})", migrate.summary());

    // 2. The first apply into empty state, with default flags.
    let first_apply = measured::run(&target, &run_args("apply", "", &[]));
    expect(
        "first apply",
        &first_apply,
        0,
        &[
            ("/definitions/created", n as u64),
            ("/schedules/created", schedules as u64),
        ],
    );
    let creates = first_apply.report["temporal_calls"]["create"]
        .as_u64()
        .unwrap_or(0);
    check(
        knobs,
        creates == schedules as u64,
        format!("first apply made {creates} CreateSchedule calls for {schedules} schedules"),
    );
    step("first apply", &first_apply);
    settle(rt, &raw, knobs, &want, attributes);

    // 3. No-op plan (median of the runs, each followed by the floor) and no-op apply.
    let mut plans = Vec::new();
    let mut lists = Vec::new();
    let mut selects = Vec::new();
    let (mut listed, mut rows) = (0, 0);
    let query_scope = attributes.then_some(SCOPE);
    // Plan and floor take turns going first: right after a big write the dev server is
    // still busy and each list is slower than the one before it, which always going first
    // would charge to one side.
    for i in 0..knobs.runs {
        let floor_first = i % 2 == 1;
        let mut early = None;
        if floor_first {
            early = Some((
                floor::list(&temporal_bin(), &server.address, query_scope),
                rt.block_on(floor::select(&db.url, SCOPE)),
            ));
        }
        let plan = measured::run(&target, &run_args("plan", "", &["--detailed-exitcode"]));
        expect(
            "no-op plan",
            &plan,
            0,
            &[("/schedules/unchanged", schedules as u64)],
        );
        assert_eq!(mutating(&plan.report), 0, "a plan made a mutating call");
        plans.push(plan);
        // 5. The floor, in the same run.
        let ((list, count), (select, count_rows)) = early.unwrap_or_else(|| {
            (
                floor::list(&temporal_bin(), &server.address, query_scope),
                rt.block_on(floor::select(&db.url, SCOPE)),
            )
        });
        lists.push(list);
        selects.push(select);
        (listed, rows) = (count, count_rows);
    }
    let noop_plan = median(plans);
    step("no-op plan", &noop_plan);
    let floor = floor::Floor {
        list: median_duration(lists),
        listed,
        select: median_duration(selects),
        rows,
    };
    assert_eq!(
        floor.listed,
        if attributes {
            schedules
        } else {
            schedules + others
        },
        "the floor's list"
    );
    assert_eq!(floor.rows, n, "the floor's SELECT");
    println!(
        "  floor: {} = `temporal schedule list -o json{}` {} ({} schedules) + SELECT {} ({} rows) · no-op plan / floor = {:.2}×{}",
        secs(floor.total()),
        if attributes {
            " --query \"ActivitySyncScope = '…'\""
        } else {
            ""
        },
        secs(floor.list),
        floor.listed,
        secs(floor.select),
        floor.rows,
        ratio(noop_plan.wall, floor.total()),
        if knobs.runs > 1 {
            format!(" (medians of {})", knobs.runs)
        } else {
            String::new()
        }
    );
    let noop_apply = measured::run(&target, &run_args("apply", "", &[]));
    expect(
        "no-op apply",
        &noop_apply,
        0,
        &[("/schedules/unchanged", schedules as u64)],
    );
    check(
        knobs,
        mutating(&noop_apply.report) == 0,
        format!(
            "no-op apply made {} mutating calls (0 wanted): {}",
            mutating(&noop_apply.report),
            noop_apply.report["temporal_calls"]
        ),
    );
    step("no-op apply", &noop_apply);
    println!(
        "  no-op apply / floor = {:.2}×",
        ratio(noop_apply.wall, floor.total())
    );

    // 4. Changes of 1 % and 10 % of the definitions (cron minute, time zone, enabled).
    let mut changes = Vec::new();
    for (label, count, offset) in [("1 %", n / 100, 0), ("10 %", n / 10, 1)] {
        let changed = set.change(count, offset);
        let want = desired(&set.root);
        let m = measured::run(&target, &run_args("apply", "", &[]));
        expect(
            &format!("apply after changing {label}"),
            &m,
            0,
            &[
                ("/definitions/updated", changed as u64),
                ("/schedules/created", 0),
                ("/schedules/deleted", 0),
            ],
        );
        let counts = &m.report["schedules"];
        let touched: u64 = ["updated", "paused", "unpaused"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap_or(0))
            .sum();
        let calls = mutating(&m.report);
        let holds = calls == changed as u64 && touched == changed as u64;
        check(
            knobs,
            holds,
            format!(
                "{changed} definitions changed ({label}) → {calls} mutating calls, {touched} schedules updated / paused / unpaused: exactly one per changed schedule wanted, none for the {} unchanged",
                schedules - changed
            ),
        );
        step(&format!("apply, {label} changed ({changed})"), &m);
        changes.push((label.to_string(), changed, m));
        settle(rt, &raw, knobs, &want, attributes);
    }

    // 5. The ceiling, on a fresh server of the same kind (holding the same other
    // schedules): creates into a namespace like the first apply's, updates of a namespace
    // holding the N schedules like the change applies'.
    drop(raw);
    drop(server);
    let (create, update) = ceiling(rt, knobs, &want, others, attributes);
    println!(
        "  first apply / CreateSchedule ceiling = {:.2}× ({:.0} % of the server's pace) · 10 % change apply: {:.1} ms per changed schedule, UpdateSchedule ceiling {:.1} ms per schedule",
        ratio(first_apply.wall, create.wall),
        100.0 * ratio(create.wall, first_apply.wall),
        changes[1].2.wall.as_secs_f64() * 1000.0 / changes[1].1 as f64,
        update.wall.as_secs_f64() * 1000.0 / update.calls as f64
    );
    Variant {
        n,
        schedules,
        attributes,
        others,
        validate,
        first_apply,
        noop_plan,
        noop_apply,
        changes,
        floor,
        create,
        update,
        steps,
    }
}

/// The first apply of `n` definitions at each `--concurrency`, each on a fresh server (with
/// the attributes) and database, against the ceiling on a fresh server of the same kind.
fn concurrency_table(rt: &tokio::runtime::Runtime, knobs: &Knobs) -> (Vec<(u16, Measured)>, Burst) {
    let n = knobs.concurrency_n;
    let dir = tempfile::tempdir().unwrap();
    let set = DefinitionSet::write(&dir.path().join("defs"), "scale", n);
    let schedules = set.schedules();
    println!(
        "\nscale: first apply of N = {n} ({schedules} schedules) by --concurrency, a fresh server and database each"
    );
    let (ceiling, _) = ceiling(rt, knobs, &desired(&set.root), 0, true);
    let mut rows = Vec::new();
    for &c in &knobs.concurrency {
        let server = DevServer::start(true);
        let db = TestDb::new(Backend::Postgres, dir.path());
        let target = Target {
            dir: dir.path(),
            database_url: &db.url,
            temporal_address: &server.address,
        };
        let migrate = measured::run(&target, &["migrate", "--schedules=false"]);
        expect("migrate", &migrate, 0, &[]);
        let concurrency = c.to_string();
        let m = measured::run(&target, &run_args("apply", &concurrency, &[]));
        expect(
            &format!("first apply --concurrency {c}"),
            &m,
            0,
            &[("/schedules/created", schedules as u64)],
        );
        println!("  --concurrency {c}: {}", m.summary());
        rows.push((c, m));
    }
    (rows, ceiling)
}

fn mb(kib: u64) -> String {
    format!("{:.0} MB", kib as f64 * 1024.0 / 1e6)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn tables(build: &str, variants: &[Variant], concurrency: Option<&(Vec<(u16, Measured)>, Burst)>) {
    println!("\n### Scale figures ({build} build; paste into docs/performance.md)\n");
    println!(
        "| build | N | namespace holds | search attributes | validate | first apply | no-op plan | no-op apply | apply, 1 % changed | apply, 10 % changed | floor (list + SELECT) | no-op plan / floor | CreateSchedule ceiling | first apply / ceiling | UpdateSchedule ceiling | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for v in variants {
        let peak = v.steps.iter().map(|s| s.m.peak_rss_kib).max().unwrap_or(0);
        println!(
            "| {build} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} ({}) | {:.2}× | {} | {:.2}× | {} | {} |",
            thousands(v.n),
            thousands(v.schedules + v.others),
            attributes_word(v.attributes),
            secs(v.validate.wall),
            secs(v.first_apply.wall),
            secs(v.noop_plan.wall),
            secs(v.noop_apply.wall),
            secs(v.changes[0].2.wall),
            secs(v.changes[1].2.wall),
            secs(v.floor.total()),
            if v.attributes {
                "scope-filtered list"
            } else {
                "unfiltered list"
            },
            ratio(v.noop_plan.wall, v.floor.total()),
            secs(v.create.wall),
            ratio(v.first_apply.wall, v.create.wall),
            secs(v.update.wall),
            mb(peak)
        );
    }
    println!(
        "\n| N | search attributes | step | wall | peak RSS | Temporal RPCs | SQL statements |"
    );
    println!("|---|---|---|---|---|---|---|");
    for v in variants {
        for s in &v.steps {
            println!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                thousands(v.n),
                attributes_word(v.attributes),
                s.name,
                secs(s.m.wall),
                mb(s.m.peak_rss_kib),
                s.m.calls_text(),
                s.m.sql
            );
        }
    }
    if let Some((rows, ceiling)) = concurrency {
        println!(
            "\n| `--concurrency` | first apply of {} schedules | / CreateSchedule ceiling ({}) |",
            ceiling.calls,
            secs(ceiling.wall)
        );
        println!("|---|---|---|");
        for (c, m) in rows {
            println!(
                "| {c} | {} | {:.2}× |",
                secs(m.wall),
                ratio(m.wall, ceiling.wall)
            );
        }
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let knobs = Knobs::from_env(full);
    let binary = measured::binary();
    let build = if binary.components().any(|c| c.as_os_str() == "release") {
        "release"
    } else {
        "debug"
    };
    println!(
        "scale: {} mode, {build} binary {}",
        if full { "full" } else { "smoke" },
        binary.display()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut variants = Vec::new();
    for &n in &knobs.sizes {
        for &attributes in &knobs.attributes {
            for &others in &knobs.others {
                variants.push(variant(&rt, &knobs, n, attributes, others));
            }
        }
    }
    let concurrency = (!knobs.concurrency.is_empty()).then(|| concurrency_table(&rt, &knobs));
    tables(build, &variants, concurrency.as_ref());
}
