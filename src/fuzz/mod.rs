//! The fuzzing harness: every parser of untrusted input, fed mutated real documents for a
//! bounded time on each `cargo test` run (issue #12).
//!
//! A stable, dependency-free harness rather than `cargo fuzz`: it runs wherever the tests run
//! (stable toolchain, no sanitizer build of the whole dependency graph, which costs more than
//! CI's whole budget on two cores), at the price of coverage guidance. It makes up for that with
//! structure-aware mutations of real documents ([`mutate`]): the shared corpus
//! (`testdata/corpus/`), the rest of `testdata/`, and `testdata/fuzz/seeds/`.
//!
//! Each target ([`targets`]) runs for `STAGEGATE_FUZZ_SECONDS` (default 1 s; CI sets more) and
//! fails its test when an input panics or takes longer than [`SLOW`]: the input is minimised
//! and written to the system temp directory (`stagegate-fuzz/<target>-<hash>`), to be copied
//! into `testdata/fuzz/crashes/`, which every run replays. `STAGEGATE_FUZZ_SEED` replays a run;
//! `STAGEGATE_FUZZ_REPORT` names a file to which each target appends its iterations.

mod mutate;
mod targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An input slower than this fails the target (a hang, for a parser).
const SLOW: Duration = Duration::from_secs(10);

/// Seeds larger than this are skipped: mutating them is slow and adds little.
const MAX_SEED_BYTES: u64 = 512 * 1024;

/// The repository's `testdata/`.
fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// Every file under the given `testdata/` folders (recursively) whose name ends with one of
/// `extensions`, plus the crash regressions of `target`.
fn seeds(target: &str, folders: &[&str], extensions: &[&str]) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    for folder in folders {
        for entry in walkdir::WalkDir::new(testdata().join(folder))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            let small = entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.len() <= MAX_SEED_BYTES);
            if small && extensions.iter().any(|e| name.ends_with(e)) {
                paths.push(entry.into_path());
            }
        }
    }
    let crashes = testdata().join("fuzz/crashes");
    for entry in walkdir::WalkDir::new(crashes)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.file_type().is_file() && name.starts_with(&format!("{target}-")) {
            paths.push(entry.into_path());
        }
    }
    paths
        .into_iter()
        .filter_map(|path| fs_err::read(path).ok())
        .collect()
}

/// The run's time budget per target.
fn budget() -> Duration {
    std::env::var(crate::env::EnvVars::STAGEGATE_FUZZ_SECONDS)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(Duration::from_secs(1), Duration::from_secs_f64)
}

/// Runs `target` on every seed, then on mutations of them until the budget is spent. Panics
/// (failing the test) with the minimised inputs that panicked or hung.
fn fuzz(name: &str, seeds: Vec<Vec<u8>>, target: impl Fn(&[u8])) {
    assert!(!seeds.is_empty(), "{name}: no seeds");
    let seed = std::env::var(crate::env::EnvVars::STAGEGATE_FUZZ_SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let mut rng = mutate::Rng::new(seed ^ mutate::hash(name.as_bytes()));
    let started = Instant::now();
    let budget = budget();
    let mut failures: Vec<String> = Vec::new();
    let mut iterations: u64 = 0;
    let check = |input: &[u8], failures: &mut Vec<String>| {
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| target(input)));
        let slow = start.elapsed() > SLOW;
        if outcome.is_err() || slow {
            let what = if slow { "hung" } else { "panicked" };
            let minimal = if slow {
                input.to_vec()
            } else {
                minimise(input, &|candidate| {
                    catch_unwind(AssertUnwindSafe(|| target(candidate))).is_err()
                })
            };
            let path = save(name, &minimal);
            failures.push(format!(
                "{what}: {} ({} bytes)",
                path.display(),
                minimal.len()
            ));
        }
    };
    for input in &seeds {
        check(input, &mut failures);
        iterations += 1;
    }
    while started.elapsed() < budget && failures.len() < 5 {
        let input = mutate::mutate(&mut rng, &seeds);
        check(&input, &mut failures);
        iterations += 1;
    }
    let line = format!(
        "fuzz {name}: {iterations} inputs in {:.1} s ({} seeds, seed {seed}), {} failure(s)\n",
        started.elapsed().as_secs_f64(),
        seeds.len(),
        failures.len()
    );
    eprint!("{line}");
    if let Ok(report) = std::env::var(crate::env::EnvVars::STAGEGATE_FUZZ_REPORT) {
        use std::io::Write as _;
        if let Ok(mut file) = fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(report)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: replay with STAGEGATE_FUZZ_SEED={seed}; copy the inputs into testdata/fuzz/crashes/:\n{}",
        failures.join("\n")
    );
}

/// Removes chunks of `input` (halves, then quarters, … then single bytes) while it still
/// fails, within a bounded number of attempts.
fn minimise(input: &[u8], fails: &dyn Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut current = input.to_vec();
    let mut chunk = current.len() / 2;
    let mut attempts = 0;
    while chunk > 0 && attempts < 2_000 {
        let mut at = 0;
        while at < current.len() && attempts < 2_000 {
            let end = (at + chunk).min(current.len());
            let mut candidate = current.clone();
            candidate.drain(at..end);
            attempts += 1;
            if fails(&candidate) {
                current = candidate;
            } else {
                at += chunk;
            }
        }
        chunk /= 2;
    }
    current
}

/// Writes a failing input where it can be found, named after its target and hash.
fn save(name: &str, input: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join("stagegate-fuzz");
    let path = dir.join(format!("{name}-{:016x}", mutate::hash(input)));
    let _ = fs_err::create_dir_all(&dir);
    let _ = fs_err::write(&path, input);
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harness itself: a panicking input fails the target, minimised.
    #[test]
    #[should_panic(expected = "panicked")]
    fn a_panicking_input_fails_the_target() {
        fuzz("self_test", vec![b"{\"a\": [1, 2, 3]}".to_vec()], |input| {
            assert!(!input.contains(&b'2'), "boom");
        });
    }

    #[test]
    fn minimising_keeps_what_fails() {
        let minimal = minimise(b"{\"a\": [1, 2, 3]}", &|candidate| {
            candidate.contains(&b'2')
        });
        assert_eq!(minimal, b"2");
    }
}
