//! Collects evidence through the library API and writes the document, reporting the time
//! each step took on stderr. Stands in for `stagegate collect` in the whole-program benchmark
//! (`bench/collect.sh`) until the CLI command exists.
//!
//! ```sh
//! cargo run --release --example collect -- OUT.json --sbom bom.json --scan grype.json
//! ```

use std::path::PathBuf;
use std::time::Instant;

use stagegate::evidence::{CollectRequest, SubjectSpec, collect};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: collect OUT.json [--KIND FILE]...")?,
    );
    let subject: SubjectSpec = format!("ghcr.io/example/app@sha256:{}", "ab".repeat(32)).parse()?;
    let mut builder = CollectRequest::builder(subject);
    while let Some(flag) = args.next() {
        let path = args.next().ok_or("a flag needs a file")?;
        builder = match flag.as_str() {
            "--sbom" => builder.sbom(path),
            "--scan" => builder.scan(path),
            "--tests" => builder.tests(path),
            "--attestation" => builder.attestation(path),
            "--approval" => builder.approval(path),
            other => return Err(format!("unknown flag {other}").into()),
        };
    }
    let start = Instant::now();
    let evidence = collect(&builder.build()).map_err(|e| format!("{e:#}"))?;
    let collected = start.elapsed();
    // Write beside the target and rename, so a failure leaves no partial file.
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(".".as_ref());
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    evidence.write_json(std::io::BufWriter::new(temp.as_file_mut()))?;
    temp.persist(&out)?;
    let size = fs_err::metadata(&out)?.len();
    let total = start.elapsed();
    eprintln!(
        "components {}, findings {}; collect {:.0} ms, serialise + write {:.0} ms, total {:.0} ms, output {:.1} MB",
        evidence.sbom.as_ref().map_or(0, |s| s.components.len()),
        evidence.vulnerabilities.as_ref().map_or(0, Vec::len),
        collected.as_secs_f64() * 1e3,
        (total - collected).as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        size as f64 / 1e6,
    );
    Ok(())
}
