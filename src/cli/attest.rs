//! `stagegate attest`: sign any predicate about one artifact, as `cosign attest-blob` does — an
//! in-toto Statement v1 (the subject's name and sha256, `predicateType`, the predicate file's
//! JSON as `predicate`) in a DSSE envelope, written as a Sigstore bundle v0.3 with the key's
//! hint. A builder without cosign signs its SLSA provenance with it; `stagegate collect
//! --attestation` and `stagegate verify --bundle` read what it writes.
//!
//! The predicate file is read within the input limits and must be one JSON object; a syntax
//! error names the file, line and column. Nothing is written unless signing succeeded, and the
//! bundle is written atomically (or to standard output).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use miette::Report;
use serde_json::Value;

use crate::attest::statement::{ResourceDescriptor, Statement};
use crate::cli::diagnostic::{chain_report, document_report, evidence_report, limit_report};
use crate::cli::exit::ExitStatus;
use crate::cli::keyless::StatementSigner;
use crate::cli::output::write_atomically;
use crate::evidence::SubjectSpec;
use crate::limits::{check_depth, read_limited};

/// cosign's `--type` shorthands (`cosign attest-blob --type`), and the predicate types they
/// stand for. Anything else must be a URI.
pub const TYPE_SHORTHANDS: &[(&str, &str)] = &[
    ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
    ("spdx", "https://spdx.dev/Document"),
    ("spdxjson", "https://spdx.dev/Document"),
    ("cyclonedx", "https://cyclonedx.org/bom"),
    ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
    ("openvex", "https://openvex.dev/ns"),
    ("custom", "https://cosign.sigstore.dev/attestation/v1"),
];

/// `stagegate attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The predicate: a JSON file holding one object (e.g. a SLSA provenance predicate).
    #[arg(long, value_name = "FILE")]
    pub predicate: PathBuf,
    /// The predicate type: a URI such as `https://slsa.dev/provenance/v1`, or one of cosign's
    /// shorthands (`slsaprovenance1`, `slsaprovenance`, `spdxjson`, `cyclonedx`, `vuln`,
    /// `openvex`, `custom`).
    #[arg(long = "type", value_name = "URI")]
    pub predicate_type: String,
    /// The artifact the statement is about, as `NAME@sha256:HEX` (e.g. an image digest
    /// reference).
    #[arg(
        long,
        value_name = "NAME@sha256:HEX",
        required_unless_present = "subject_file",
        conflicts_with = "subject_file"
    )]
    pub subject: Option<String>,
    /// The artifact the statement is about, as a file: its sha256 is the subject's digest and
    /// its file name the subject's name.
    #[arg(long, value_name = "PATH")]
    pub subject_file: Option<PathBuf>,
    /// The signer's private key (cosign format, or unencrypted PKCS#8); the password comes
    /// from `STAGEGATE_PASSWORD` or `COSIGN_PASSWORD` when it is encrypted.
    #[arg(long, value_name = "FILE", required_unless_present = "keyless")]
    pub key: Option<PathBuf>,
    /// Keyless signing (a build job signing its provenance as its own OIDC identity).
    #[command(flatten)]
    pub keyless: crate::cli::keyless::KeylessArgs,
    /// Where to write the bundle (atomically); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Input limits for the predicate file.
    #[command(flatten)]
    pub limits: crate::cli::args::LimitArgs,
}

/// The predicate type `given` names: a shorthand's URI, or `given` itself when it is a URI
/// (`scheme:` followed by something).
pub fn predicate_type(given: &str) -> Result<String, Report> {
    if let Some((_, uri)) = TYPE_SHORTHANDS.iter().find(|(short, _)| *short == given) {
        return Ok((*uri).to_owned());
    }
    let is_uri = given.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }) && !given.chars().any(char::is_whitespace);
    if is_uri {
        return Ok(given.to_owned());
    }
    let shorthands: Vec<&str> = TYPE_SHORTHANDS.iter().map(|(short, _)| *short).collect();
    Err(miette::miette!(
        help = format!(
            "give a URI such as `https://slsa.dev/provenance/v1`, or one of: {}",
            shorthands.join(", ")
        ),
        "`--type {given}` is neither a predicate type URI nor a known shorthand"
    ))
}

/// Runs `stagegate attest`.
pub fn attest(args: AttestArgs) -> Result<ExitStatus, Report> {
    let predicate_type = predicate_type(&args.predicate_type)?;
    let limits = args.limits.limits();
    let bytes = read_limited(&args.predicate, &limits).map_err(|e| limit_report(&e))?;
    check_depth(&args.predicate, &bytes, &limits).map_err(|e| limit_report(&e))?;
    let predicate =
        crate::document::parse_json(&args.predicate, &bytes).map_err(|e| document_report(&e))?;
    if !predicate.is_object() {
        return Err(miette::miette!(
            help = "an in-toto predicate is a JSON object, e.g. `{\"buildDefinition\": ..., \"runDetails\": ...}` for SLSA v1",
            "`{}` holds a JSON {}, not an object",
            args.predicate.display(),
            json_kind(&predicate)
        ));
    }
    let subject = match (&args.subject, &args.subject_file) {
        (Some(reference), _) => reference.parse::<SubjectSpec>(),
        (None, Some(path)) => Ok(SubjectSpec::File(path.clone())),
        (None, None) => Err(crate::evidence::EvidenceError::MissingSubject),
    }
    .and_then(|spec| spec.resolve())
    .map_err(|e| evidence_report(&e))?;
    let signer = StatementSigner::from_args(args.key.as_deref(), &args.keyless, &[])?;
    let statement: Statement<Value> = Statement::new(
        ResourceDescriptor::sha256(&subject.name, &subject.digest.sha256),
        &predicate_type,
        predicate,
    );
    let mut json = signer.sign(&statement)?;
    if !json.ends_with('\n') {
        json.push('\n');
    }
    match &args.output {
        Some(path) => write_atomically(path, json.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(json.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| chain_report(&e))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass() {
        assert_eq!(
            predicate_type("slsaprovenance1").unwrap(),
            "https://slsa.dev/provenance/v1"
        );
        for uri in [
            "https://slsa.dev/provenance/v1",
            "https://in-toto.io/attestation/test-result/v0.1",
            "urn:example:predicate",
        ] {
            assert_eq!(predicate_type(uri).unwrap(), uri);
        }
    }

    #[test]
    fn fail() {
        for bad in ["provenance", "", "https:", "1http://x", "https://a b"] {
            assert!(predicate_type(bad).is_err(), "{bad}");
        }
    }
}
