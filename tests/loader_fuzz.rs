//! A bounded fuzz-style test of the definition loader (docs/definitions.md, "How the loader
//! is fuzzed"): arbitrary bytes and mutations of every fixture file (bytes flipped, inserted,
//! deleted, duplicated, spliced from another file, YAML syntax and frontmatter fences
//! sprinkled in, long runs) go through `parse_file` and, in batches, through the catalog's
//! cross-file checks. No input may panic; every refusal names its file and a line and column
//! inside it (or just past its end); memory stays bounded.
//!
//! Deterministic (a fixed seed, so a failure reproduces); `LOADER_FUZZ_CASES=N` and
//! `LOADER_FUZZ_SEED=S` run longer or elsewhere. A nightly toolchain (cargo-fuzz) is not
//! available where this runs, hence a seeded mutator instead of coverage guidance.
//! One test in this binary: peak memory (VmHWM) is per process.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use activity_sync::definition::{Catalog, FileOutcome, SourceFile, parse_file};
use common::{fixtures, peak_rss_kib};

/// Mutated and random files per run by default (about 10 s in a debug build).
const DEFAULT_CASES: usize = 6_000;
/// Files per catalog batch (cross-file checks: duplicate ids, keys, event types).
const BATCH: usize = 40;
/// Largest growth of peak memory allowed over the whole run.
const MAX_GROWTH_KIB: u64 = 128 * 1024;

/// splitmix64: small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces of YAML and of the definition format, the likeliest to reach odd parser states.
const TOKENS: &[&str] = &[
    "---\n",
    "\n---\n",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!str ",
    "!tag ",
    "|\n",
    ">-\n",
    "'",
    "\"",
    "#",
    "\t",
    "  ",
    "\n",
    "\r\n",
    "? ",
    ",",
    "%YAML 1.2\n",
    "<<: *a\n",
    "key: ",
    "id: ",
    "trigger:\n",
    "type: cron\n",
    "cron: '",
    "timezone: ",
    "enabled: no\n",
    "kind: EventType\n",
    "0 * * * *",
    "2026-13-40T25:61:00",
    "\u{feff}",
    "\u{202e}",
    "\u{0}",
    "é",
    "💥",
    "~",
    "null",
    "1e309",
    "-0",
    "0x",
    "\\u",
    "...\n",
];

fn corpus() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for dir in ["valid", "invalid", "upcoming"] {
        let root = fixtures(dir);
        if !root.exists() {
            continue;
        }
        for entry in walk(&root) {
            if entry.extension().is_some_and(|e| e == "md") {
                let bytes = std::fs::read(&entry).unwrap();
                // The oversized fixture is refused before parsing; a slice keeps the run fast.
                files.push(bytes.into_iter().take(16 * 1024).collect());
            }
        }
    }
    assert!(files.len() >= 10, "fixtures found: {}", files.len());
    files
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_symlink() {
            continue;
        } else if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// One to eight mutations of a corpus file, or (one case in eight) random bytes.
fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(8) == 0 {
        let len = rng.below(512);
        return (0..len).map(|_| rng.next() as u8).collect();
    }
    let mut bytes = rng.pick(corpus).clone();
    for _ in 0..=rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(8) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => bytes.insert(at, rng.next() as u8),
            2 if at < bytes.len() => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if at < bytes.len() => {
                let end = (at + rng.below(128)).min(bytes.len());
                let piece: Vec<u8> = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, piece);
            }
            4 => {
                let other = rng.pick(corpus);
                let from = rng.below(other.len());
                let end = (from + rng.below(256)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
            5 => bytes.truncate(at),
            6 => {
                let run = rng.pick(TOKENS).repeat(1 + rng.below(200));
                bytes.splice(at..at, run.into_bytes());
            }
            _ => {
                let token = rng.pick(TOKENS);
                bytes.splice(at..at, token.bytes());
            }
        }
    }
    bytes
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn arbitrary_and_mutated_files_never_panic_the_loader() {
    let cases: usize = env_or("LOADER_FUZZ_CASES", DEFAULT_CASES);
    let seed: u64 = env_or("LOADER_FUZZ_SEED", 0x5eed_ac71_5e7c);
    let corpus = corpus();
    let mut rng = Rng(seed);
    let before = peak_rss_kib();
    let started = Instant::now();
    let (mut parsed, mut invalid, mut skipped) = (0usize, 0usize, 0usize);
    let mut batch = Vec::with_capacity(BATCH);
    for case in 0..cases {
        let bytes = mutate(&mut rng, &corpus);
        // Sources hand over text; bytes that are not UTF-8 are refused there (tested in
        // tests/sources.rs), so the loader sees their lossy text.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let name = format!("fuzz/case-{case}.md");
        let file = SourceFile {
            source_path: name.clone(),
            rel_path: name.clone(),
            text,
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| parse_file(&file)));
        let outcome = outcome.unwrap_or_else(|_| {
            let keep = std::env::temp_dir().join(format!("loader-fuzz-panic-{seed}-{case}.md"));
            std::fs::write(&keep, &bytes).unwrap();
            panic!(
                "case {case} (seed {seed:#x}) panicked the loader; input kept at {}",
                keep.display()
            )
        });
        match outcome {
            FileOutcome::Parsed(_) => parsed += 1,
            FileOutcome::Skipped => skipped += 1,
            FileOutcome::Invalid { errors, .. } => {
                invalid += 1;
                assert!(!errors.is_empty(), "case {case}: invalid without an error");
                let lines = file.text.lines().count().max(1);
                for e in &errors {
                    assert_eq!(e.source_path, name, "case {case}: {e}");
                    assert!(
                        e.line >= 1 && e.line <= lines + 1 && e.col >= 1,
                        "case {case}: {e} points outside a file of {lines} lines"
                    );
                    assert!(!e.message.is_empty(), "case {case}: empty message");
                }
            }
        }
        batch.push(file);
        if batch.len() == BATCH || case + 1 == cases {
            let files = std::mem::take(&mut batch);
            let built = catch_unwind(AssertUnwindSafe(|| Catalog::build(&files, Vec::new())));
            let catalog = built.unwrap_or_else(|_| {
                panic!("the catalog of cases up to {case} (seed {seed:#x}) panicked")
            });
            // Every file is accounted for: a definition, an event type, skipped, or named by an
            // error (its own, or the one of the file it collides with).
            let traced = |path: &str| {
                catalog
                    .activities
                    .values()
                    .any(|a| a.origin.source_path == path)
                    || catalog
                        .event_types
                        .values()
                        .any(|e| e.origin.source_path == path)
                    || catalog.skipped.iter().any(|s| s == path)
                    || catalog
                        .errors
                        .iter()
                        .any(|e| e.source_path == path || e.message.contains(path))
            };
            let accounted = files.iter().filter(|f| traced(&f.source_path)).count();
            if accounted < files.len() {
                let keep = std::env::temp_dir().join(format!("loader-fuzz-batch-{seed}-{case}"));
                std::fs::create_dir_all(&keep).unwrap();
                for (i, f) in files.iter().enumerate() {
                    std::fs::write(keep.join(format!("{i}.md")), &f.text).unwrap();
                }
                panic!(
                    "case {case}: {} files, but {} definitions, {} event types, {} skipped, {} errors; batch kept at {}",
                    files.len(),
                    catalog.activities.len(),
                    catalog.event_types.len(),
                    catalog.skipped.len(),
                    catalog.errors.len(),
                    keep.display()
                );
            }
        }
    }
    let elapsed = started.elapsed();
    let grown = peak_rss_kib().saturating_sub(before);
    println!(
        "{cases} cases (seed {seed:#x}) in {elapsed:?}: {parsed} parsed, {invalid} invalid, \
         {skipped} skipped; peak memory grew by {grown} KiB"
    );
    // The mutations keep enough structure to reach past the YAML parser.
    assert!(
        parsed > 0 && invalid > 0,
        "{parsed} parsed, {invalid} invalid"
    );
    assert!(
        grown < MAX_GROWTH_KIB,
        "peak memory grew by {grown} KiB over {cases} cases"
    );
}
