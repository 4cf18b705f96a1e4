//! Hostile files are refused without large memory or time: the alias bomb would expand to
//! 10^12 nodes, the deep file nests 100,000 levels, the oversized file is never parsed.
//! One test per binary: peak memory (VmHWM) is per process.

mod common;

use std::time::{Duration, Instant};

use activity_sync::definition::{FileOutcome, SourceFile, parse_file};
use common::{fixtures, peak_rss_kib};

fn outcome(name: &str, text: String) -> String {
    match parse_file(&SourceFile {
        source_path: name.into(),
        rel_path: name.into(),
        text,
    }) {
        FileOutcome::Invalid { errors, .. } => errors[0].to_string(),
        other => panic!("{name} was accepted: {other:?}"),
    }
}

#[test]
fn hostile_files_are_refused_cheaply() {
    let mut bomb = String::from(
        "---\nkey: k\nname: n\ntrigger: {type: cron, cron: '0 * * * *'}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("---\n");
    let deep = format!(
        "---\nkey: k\nctx: {}{}\n---\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let oversized = std::fs::read_to_string(fixtures("invalid").join("oversized.md")).unwrap();
    let fixture_bomb = std::fs::read_to_string(fixtures("invalid").join("alias-bomb.md")).unwrap();

    let before = peak_rss_kib();
    let start = Instant::now();
    let results = [
        outcome("bomb.md", bomb),
        outcome("alias-bomb.md", fixture_bomb),
        outcome("deep.md", deep),
        outcome("oversized.md", oversized),
    ];
    let elapsed = start.elapsed();
    let grown = peak_rss_kib().saturating_sub(before);
    println!("refused 4 hostile files in {elapsed:?}; peak memory grew by {grown} KiB");
    assert!(
        results[0].contains("alias expansion limit"),
        "{}",
        results[0]
    );
    assert!(
        results[1].contains("alias expansion limit"),
        "{}",
        results[1]
    );
    assert!(
        results[2].contains("recursion limit exceeded")
            || results[2].contains("nesting deeper than 64"),
        "{}",
        results[2]
    );
    assert!(
        results[3].contains("over the limit of 262144 bytes"),
        "{}",
        results[3]
    );
    // Bounds far above the real figures (a few MiB, milliseconds) and far below what an
    // unbounded expansion would take (it would never finish).
    assert!(grown < 64 * 1024, "peak memory grew by {grown} KiB");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}
