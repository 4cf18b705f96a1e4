//! The progress line of a long run: drawn on a terminal (stderr a tty, run here under
//! `script`), never in JSON output, never when stderr is a pipe.

mod common;

use std::process::Command;

use common::job::Job;

/// Forty cron definitions, so that an apply at `--concurrency 1` lasts several redraws.
fn forty(job: &Job) {
    let dir = job.path("many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..40 {
        std::fs::write(
            dir.join(format!("d{i:02}.md")),
            format!(
                "---\nkey: progress.d{i:02}\nname: Progress {i}\ntrigger: {{type: cron, cron: '{i} 3 * * *'}}\n---\n"
            ),
        )
        .unwrap();
    }
}

/// Runs the binary with `args` under `script`, so that its stderr is a terminal; returns
/// what the terminal showed.
fn on_a_terminal(job: &Job, args: &[&str]) -> String {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_activity-sync"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect();
    let out = Command::new("script")
        .args(["-qefc", &quoted.join(" "), "/dev/null"])
        .current_dir(job.path(""))
        .env("DATABASE_URL", job.db_url())
        .env("TEMPORAL_ADDRESS", &job.server.address)
        .env("ACTIVITY_SYNC_TEST_PROGRESS_AFTER_MS", "0")
        .env_remove("ACTIVITY_SYNC_SCOPE")
        .output()
        .expect("script (util-linux) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_long_run_shows_its_progress_on_a_terminal_only() {
    let job = Job::new(true);
    forty(&job);
    let shown = on_a_terminal(
        &job,
        &[
            "apply",
            "--source",
            "many",
            "--concurrency",
            "1",
            "--scope",
            "tty",
        ],
    );
    assert!(
        shown.contains("applying schedule changes: ") && shown.contains("/40"),
        "the terminal showed: {shown:?}"
    );
    // The line is cleared before the report: the summary starts on a clean line.
    assert!(shown.contains("\r\x1b[2K"), "{shown:?}");

    // JSON on a terminal: the report alone, parseable, no progress.
    job.edit("many/d00.md", "'0 3 * * *'", "'1 4 * * *'");
    let json = on_a_terminal(
        &job,
        &[
            "apply",
            "--source",
            "many",
            "--concurrency",
            "1",
            "--scope",
            "tty",
            "--format",
            "json",
        ],
    );
    assert!(!json.contains("schedule changes:"), "{json:?}");
    assert!(!json.contains('\x1b'), "{json:?}");

    // Not a terminal (a pipe, as in CI): nothing drawn.
    for i in 1..40 {
        job.edit(&format!("many/d{i:02}.md"), " 3 * * *'", " 5 * * *'");
    }
    let out = job
        .command(&[
            "apply",
            "--source",
            "many",
            "--concurrency",
            "1",
            "--scope",
            "tty",
        ])
        .env("ACTIVITY_SYNC_TEST_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("schedule changes:"), "{stderr}");
}
