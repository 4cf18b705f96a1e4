//! `activity-sync diff` between two git refs of a repository built here with the git CLI,
//! and between a ref and the working tree, offline: with `DATABASE_URL` and
//! `TEMPORAL_ADDRESS` pointing at nothing, it still succeeds and never creates a database.

mod common;

use std::path::Path;
use std::process::Command;

use common::bin;

/// Where next fires are counted from: the week Europe switches to summer time.
const NOW: &str = "2026-03-27T12:00:00Z";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        // Fixed dates: the same commits, so the same SHAs in the snapshot, on every run.
        .env("GIT_AUTHOR_DATE", "2026-03-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-03-01T12:00:00Z")
        .output()
        .expect("git is installed (scripts/ensure-test-tools.sh)");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn cron(key: &str, name: &str, enabled: bool, cron: &str, tz: &str, body: &str) -> String {
    format!(
        "---\nkey: {key}\nname: \"{name}\"\nenabled: {enabled}\ntrigger:\n  type: cron\n  cron: \"{cron}\"\n  timezone: {tz}\n  misfire_policy: catchup_latest\n---\n{body}"
    )
}

fn write(dir: &Path, files: &[(&str, String)]) {
    let defs = dir.join("defs");
    if defs.exists() {
        std::fs::remove_dir_all(&defs).unwrap();
    }
    std::fs::create_dir_all(&defs).unwrap();
    for (name, text) in files {
        std::fs::write(defs.join(name), text).unwrap();
    }
}

/// A body that tries to end the comment's code fence and its `<details>` (`STEP` is what
/// changes, so the rest is the diff's context).
const HOSTILE: &str = "Steps:\n```sh\nSTEP\n```\n</details>\n<img src=x onerror=alert(1)>\n";

/// A repository with tag `v1` and tag `v2`: v2 changes a cron, moves one into a DST gap,
/// disables one, removes one, breaks one, adds one with Markdown and HTML in it, and leaves
/// one alone.
fn fixture_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    let readme = ("README.md", "# Activity definitions\n".to_string());
    let event = (
        "on-push.md",
        "---\nkey: team.on-push\nname: On push\ntrigger:\n  type: event\n  event_type: repo.pushed\n---\nLint on push.\n".to_string(),
    );
    let v1 = [
        readme.clone(),
        event.clone(),
        (
            "sweep.md",
            cron(
                "team.sweep",
                "Sweep",
                true,
                "*/15 * * * *",
                "UTC",
                &HOSTILE.replace("STEP", "run-it"),
            ),
        ),
        (
            "report.md",
            cron(
                "team.report",
                "Report",
                true,
                "0 6 * * *",
                "Europe/Berlin",
                "Report.\n",
            ),
        ),
        (
            "hourly.md",
            cron(
                "team.hourly",
                "Hourly",
                true,
                "0 * * * *",
                "UTC",
                "Hourly.\n",
            ),
        ),
        (
            "gone.md",
            cron("team.gone", "Gone", true, "0 5 * * *", "UTC", "Gone.\n"),
        ),
        (
            "broken.md",
            cron(
                "team.broken",
                "Broken",
                true,
                "0 4 * * *",
                "UTC",
                "Broken.\n",
            ),
        ),
    ];
    write(dir, &v1);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "v1"]);
    git(dir, &["tag", "v1"]);
    let v2 = [
        readme,
        event,
        (
            "sweep.md",
            cron(
                "team.sweep",
                "**Sweep** <b>x</b> [y](http://e.x)",
                true,
                "*/10 * * * *",
                "UTC",
                &HOSTILE.replace("STEP", "run-it --fast"),
            ),
        ),
        (
            "report.md",
            cron(
                "team.report",
                "Report",
                true,
                "30 2 * * *",
                "Europe/Berlin",
                "Report.\n",
            ),
        ),
        (
            "hourly.md",
            cron(
                "team.hourly",
                "Hourly",
                false,
                "0 * * * *",
                "UTC",
                "Hourly.\n",
            ),
        ),
        (
            "broken.md",
            "---\nkey: team.broken\ntrigger: [\n---\n".to_string(),
        ),
        (
            "new.md",
            cron("team.new", "New", true, "0 9 * * 1-5", "UTC", "New.\n"),
        ),
    ];
    write(dir, &v2);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "v2"]);
    git(dir, &["tag", "v2"]);
}

/// Runs `activity-sync diff` in `cwd` with no database and no Temporal to reach.
fn diff(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = bin()
        .arg("diff")
        .args(args)
        .args(["--now", NOW])
        .current_dir(cwd)
        .env("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:9/none")
        .env("TEMPORAL_ADDRESS", "127.0.0.1:9")
        .env_remove("TEMPORAL_API_KEY")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The only HTML in the comment is its own (the marker, and one `<details>` open and close
/// per diff), every fenced block is closed, and the hostile body sits inside one.
fn assert_structure(md: &str) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut html = Vec::new();
    let (mut open, mut blocks) = (false, Vec::new());
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                open = true;
                blocks.push(String::new());
            }
            Event::End(TagEnd::CodeBlock) => open = false,
            Event::Text(t) if open => blocks.last_mut().unwrap().push_str(&t),
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.trim().to_string()),
            _ => {}
        }
    }
    assert!(!open, "a code block is left open:\n{md}");
    let diffs = md.matches("\n  <details><summary>").count();
    assert_eq!(html.len(), 1 + 2 * diffs, "{html:?}\n{md}");
    assert!(html[0].starts_with("<!-- activity-sync:diff scope=default -->"));
    for pair in html[1..].chunks(2) {
        assert!(pair[0].starts_with("<details><summary>"), "{pair:?}");
        assert_eq!(pair[1], "</details>");
    }
    assert!(
        blocks
            .iter()
            .any(|b| b.contains(" </details>\n") && b.contains(" ```sh\n")),
        "{blocks:#?}"
    );
}

#[test]
fn diff_between_two_git_refs_renders_the_pull_request_comment() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    fixture_repo(&repo);
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let at = |r: &str| format!("git::{}//defs?ref={r}", repo.display());
    let (base, head) = (at("v1"), at("v2"));
    let args = ["--base", &base, "--head", &head, "--format", "markdown"];
    let (code, md, stderr) = diff(&work, &args);
    assert_eq!(code, 0, "{stderr}\n{md}");
    // Nothing was reached, nothing was created.
    assert!(!work.join("activity-sync.db").exists());
    assert!(!stderr.contains("error"), "{stderr}");
    assert_structure(&md);
    let md = md.replace(&repo.display().to_string(), "[repo]");
    insta::assert_snapshot!("diff_git_refs.md", md);

    // Pending changes with `--detailed-exitcode`, as `plan`.
    let (code, _, _) = diff(&work, &[&args[..], &["--detailed-exitcode"]].concat());
    assert_eq!(code, 2);
    // The broken file is invalid: 4 with `--strict`.
    let (code, _, _) = diff(&work, &[&args[..], &["--strict"]].concat());
    assert_eq!(code, 4);

    // JSON: the shape of `plan --format json`, with mode `diff` and the base's sources.
    let (code, json, _) = diff(
        &work,
        &["--base", &base, "--head", &head, "--format", "json"],
    );
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["mode"], "diff");
    assert_eq!(json["base"][0]["source"], base.as_str());
    assert_eq!(json["sources"][0]["source"], head.as_str());
    assert_eq!(json["temporal_calls"], serde_json::Value::Null);
    // The broken file's row is kept: one retirement (the removed file), not two.
    assert_eq!(
        json["definitions"],
        serde_json::json!({"created": 1, "updated": 3, "retired": 1, "unchanged": 2, "upserted": 4, "unmanaged": 0, "invalid": 1})
    );
    assert_eq!(
        json["schedules"],
        serde_json::json!({"created": 1, "updated": 2, "paused": 1, "unpaused": 0, "deleted": 1, "unchanged": 1, "unmanaged": 0, "upserted": 3, "active": 4, "paused_total": 1})
    );
    let broken = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["stage"] == "definitions")
        .expect("the broken file is an error");
    assert!(
        broken["source_path"]
            .as_str()
            .unwrap()
            .ends_with(":defs/broken.md"),
        "{broken}"
    );
    assert!(
        broken["line"].is_number() && broken["col"].is_number(),
        "{broken}"
    );
}

#[test]
fn diff_of_the_working_tree_against_its_own_ref_is_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    fixture_repo(repo);
    // The pull-request setup: the base from git, the head from the checkout.
    let args = [
        "--base",
        "git::.//defs?ref=v2",
        "--head",
        "defs",
        "--detailed-exitcode",
    ];
    let (code, text, stderr) = diff(repo, &args);
    assert_eq!(code, 0, "{stderr}\n{text}");
    assert!(
        text.contains("No changes; 9 unchanged; 1 file invalid."),
        "{text}"
    );
    // Not a retirement, though its file in the checkout is invalid.
    assert!(!text.contains("retire ("), "{text}");

    let report = repo.join("defs/report.md");
    let edited = std::fs::read_to_string(&report)
        .unwrap()
        .replace("30 2 * * *", "45 7 * * *");
    std::fs::write(&report, edited).unwrap();
    let (code, text, _) = diff(repo, &args);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("trigger.cron: 30 2 * * * → 45 7 * * *  defs/report.md:"),
        "{text}"
    );
    assert!(text.contains("Plan: 0 to create, 2 to update"), "{text}");
}

#[test]
fn a_base_that_cannot_be_read_fails_the_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    fixture_repo(repo);
    let (code, json, _) = diff(
        repo,
        &[
            "--base",
            "git::.//defs?ref=nope",
            "--head",
            "defs",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["outcome"], "failed");
    let error = &json["errors"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(error["stage"], "base");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("cannot resolve ref `nope`"),
        "{error}"
    );
}
