//! Parse + validate throughput: generates definition files, reads them through a directory
//! source and prints how long gather (read, split, YAML, validate, cross-file checks) takes.
//!
//! `cargo bench --bench parse` runs 10,000 files (target: under 1 s on 2 cores).
//! Under `cargo test` (no `--bench` argument) it runs a 200-file smoke pass.

use std::time::Instant;

use activity_sync::gather::Desired;
use activity_sync::source::SourceSpec;

fn definition(i: usize) -> String {
    let trigger = match i % 4 {
        0 => format!(
            "  type: cron\n  cron: \"{} */2 * * *\"\n  timezone: Europe/Berlin\n  misfire_policy: catchup_latest\n",
            i % 60
        ),
        1 => "  type: cron\n  cron: \"*/15 * * * *\"\n  misfire_policy: skip\n  catchup_window_seconds: 300\n".to_string(),
        2 => "  type: event\n  event_type: repo.pushed\n  filters: {branch: main}\n".to_string(),
        _ => "  type: once\n  at: \"2027-01-01T09:00:00+01:00\"\n".to_string(),
    };
    format!(
        "---\nkey: bench.definition-{i:05}\nname: Benchmark definition {i}\nenabled: {}\ntrigger:\n{trigger}on_failure: log_and_continue\ncontext:\n  - resolver: consistency_sweep_remote_all\n    required: true\n    args: {{ max_seconds: 300, repos: [a, b, c] }}\nreport:\n  sinks: [state-hub-progress]\n---\nReconcile the read model for shard {i}.\n\nCheck every registered repository and report drift.\n",
        !i.is_multiple_of(7)
    )
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let count = if full { 10_000 } else { 200 };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("defs");
    for shard in 0..10 {
        std::fs::create_dir_all(root.join(format!("shard-{shard}"))).unwrap();
    }
    std::fs::create_dir_all(root.join("events")).unwrap();
    std::fs::write(
        root.join("events/repo-pushed.md"),
        "---\nkind: EventType\nname: repo.pushed\n---\n",
    )
    .unwrap();
    let mut bytes = 0;
    for i in 0..count {
        let text = definition(i);
        bytes += text.len();
        std::fs::write(root.join(format!("shard-{}/def-{i:05}.md", i % 10)), text).unwrap();
    }
    let spec: SourceSpec = root.to_str().unwrap().parse().unwrap();
    let mut runs = Vec::new();
    for _ in 0..if full { 5 } else { 1 } {
        let start = Instant::now();
        let desired = Desired::gather(std::slice::from_ref(&spec));
        let elapsed = start.elapsed();
        assert!(
            desired.catalog.errors.is_empty(),
            "{:?}",
            &desired.catalog.errors[..1]
        );
        assert_eq!(desired.catalog.activities.len(), count);
        runs.push(elapsed);
    }
    runs.sort();
    let median = runs[runs.len() / 2];
    println!(
        "parse+validate: {count} files ({:.1} MiB) in {:.3} s median of {} runs (min {:.3} s, max {:.3} s); {:.0} files/s",
        bytes as f64 / (1024.0 * 1024.0),
        median.as_secs_f64(),
        runs.len(),
        runs[0].as_secs_f64(),
        runs[runs.len() - 1].as_secs_f64(),
        count as f64 / median.as_secs_f64()
    );
}
