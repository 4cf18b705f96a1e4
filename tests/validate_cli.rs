//! `validate` and `export configmap` through the real binary.

mod common;

use common::{fixtures, run};

#[test]
fn valid_fixtures_pass() {
    let (code, stdout, stderr) = run(&["validate", "--source", "fixtures/valid"]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("Valid: 7 activity definitions, 1 event type"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped fixtures/valid/README.md"),
        "{stdout}"
    );
}

#[test]
fn invalid_corpus_reports_every_error_exactly() {
    let (code, stdout, _) = run(&["validate", "--source", "fixtures/invalid"]);
    assert_eq!(code, 4);
    let expected = std::fs::read_to_string(fixtures("invalid").join("expected.txt")).unwrap();
    assert_eq!(stdout, expected);
}

#[test]
fn every_invalid_file_has_exactly_one_diagnostic() {
    let (_, stdout, _) = run(&["validate", "--source", "fixtures/invalid"]);
    let dir = fixtures("invalid");
    let mut broken = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".md") || name == "README.md" || name == "duplicate-id-a.md" {
            continue;
        }
        broken += 1;
        let prefix = format!("fixtures/invalid/{name}:");
        let count = stdout.lines().filter(|l| l.starts_with(&prefix)).count();
        assert_eq!(count, 1, "{name} should yield one diagnostic:\n{stdout}");
    }
    assert!(broken >= 12, "the corpus lost files: {broken}");
}

#[test]
fn json_report() {
    let (code, stdout, _) = run(&[
        "validate",
        "--source",
        "fixtures/invalid",
        "--format",
        "json",
    ]);
    assert_eq!(code, 4);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["mode"], "validate");
    assert_eq!(report["valid"], false);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 15);
    let bad_cron = errors
        .iter()
        .find(|e| e["source_path"] == "fixtures/invalid/bad-cron.md")
        .unwrap();
    assert_eq!(bad_cron["stage"], "definitions");
    assert_eq!(bad_cron["line"], 6);
    assert_eq!(bad_cron["col"], 9);
}

#[test]
fn a_missing_source_is_an_automation_error() {
    let (code, stdout, _) = run(&["validate", "--source", "fixtures/nope"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("error: source `fixtures/nope`: source `fixtures/nope` does not exist"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_do_not_exit_2() {
    let (code, _, stderr) = run(&["validate", "--no-such-flag"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn export_refuses_invalid_sources() {
    let (code, stdout, stderr) = run(&[
        "export",
        "configmap",
        "--name",
        "defs",
        "--source",
        "fixtures/invalid",
    ]);
    assert_eq!(code, 4);
    assert!(stdout.is_empty());
    assert!(stderr.contains("not exporting"), "{stderr}");
}

#[test]
fn export_writes_a_configmap_of_the_definition_files() {
    let (code, stdout, stderr) = run(&[
        "export",
        "configmap",
        "--name",
        "activity-defs",
        "--namespace",
        "platform",
        "--source",
        "fixtures/valid",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: activity-defs\n  namespace: platform\n"
    ));
    assert!(stdout.contains("  events__repo-pushed.md: |"), "{stdout}");
    assert!(
        !stdout.contains("README.md"),
        "pages without frontmatter are not exported"
    );
}
