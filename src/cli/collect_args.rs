//! Arguments of `stagegate collect` (and of `stagegate evaluate`, which collects too): the
//! subject and the evidence files, raw as clap parses them. [`CollectArgs::to_request`] turns
//! them into the library's [`CollectRequest`]; formats are detected from content, so no flag
//! names a format.

use std::path::PathBuf;

use clap::Args;

use crate::evidence::{CollectRequest, EvidenceError, SubjectSpec};
use crate::limits::Limits;

/// The subject and the evidence files to collect.
#[derive(Debug, Clone, Default, Args)]
pub struct CollectArgs {
    /// The artifact being promoted, as `NAME@sha256:HEX` (e.g. an image digest reference).
    #[arg(long, value_name = "NAME@sha256:HEX", conflicts_with = "subject_file")]
    pub subject: Option<String>,
    /// The artifact being promoted, as a file: its sha256 is the subject's digest.
    #[arg(long, value_name = "PATH")]
    pub subject_file: Option<PathBuf>,
    /// An SBOM: CycloneDX JSON 1.4–1.7 or SPDX JSON 2.2/2.3. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub sbom: Vec<PathBuf>,
    /// A scan: Grype JSON, Trivy JSON, SARIF 2.1.0, CycloneDX with `vulnerabilities` (VEX
    /// included) or OpenVEX. Repeatable; findings are deduplicated across scans. A scan about
    /// another digest than the subject is recorded as a `subject-mismatch` problem.
    #[arg(long, value_name = "FILE")]
    pub scan: Vec<PathBuf>,
    /// A test report: JUnit XML (Surefire, TestNG, pytest, jest, go-junit-report, nextest).
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub tests: Vec<PathBuf>,
    /// An attestation: a DSSE envelope, an in-toto Statement (JSON or JSON Lines) or a
    /// Sigstore bundle v0.1–v0.3. Repeatable. Signatures are not verified while collecting.
    #[arg(long, value_name = "FILE")]
    pub attestation: Vec<PathBuf>,
    /// An approvals file (YAML or JSON; `apiVersion: stagegate.dev/approvals/v1`). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub approval: Vec<PathBuf>,
    /// The image being promoted, in its registry: the subject (its digest) unless `--subject`
    /// names the same digest, and the attestations attached to it (OCI referrers, cosign
    /// `.att`) that verify against `trust.keys` are collected as sources of kind `registry`.
    /// When the image is an index, a scan of one of the platform manifests it lists is bound
    /// to it. `gate` also adds the attestations to the promotion chain's candidates.
    #[arg(long, value_name = "IMAGE@sha256:HEX", conflicts_with = "subject_file")]
    pub image: Option<String>,
    /// Registry options for `--image`.
    #[command(flatten)]
    pub registry: crate::cli::registry::RegistryArgs,
}

impl CollectArgs {
    /// Whether any evidence file was given (`evaluate` collects only then; `--image` alone
    /// collects too, see `stagegate evaluate`).
    pub fn has_inputs(&self) -> bool {
        !(self.sbom.is_empty()
            && self.scan.is_empty()
            && self.tests.is_empty()
            && self.attestation.is_empty()
            && self.approval.is_empty())
    }

    /// The library request for these arguments.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::MissingSubject`] without `--subject`/`--subject-file`/`--image`, and
    /// [`EvidenceError::InvalidSubject`] when `--subject` is not `NAME@sha256:HEX`.
    pub fn to_request(&self, limits: Limits) -> Result<CollectRequest, EvidenceError> {
        let subject = match (&self.subject, &self.subject_file, &self.image) {
            (Some(reference), _, _) => reference.parse::<SubjectSpec>()?,
            (None, Some(path), _) => SubjectSpec::File(path.clone()),
            (None, None, Some(image)) => image.parse::<SubjectSpec>()?,
            (None, None, None) => return Err(EvidenceError::MissingSubject),
        };
        let mut request = CollectRequest::builder(subject).limits(limits).build();
        request.sboms.clone_from(&self.sbom);
        request.scans.clone_from(&self.scan);
        request.tests.clone_from(&self.tests);
        request.attestations.clone_from(&self.attestation);
        request.approvals.clone_from(&self.approval);
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        collect: CollectArgs,
    }

    fn parse(args: &[&str]) -> Result<CollectArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("stagegate").chain(args.iter().copied()))
            .map(|cli| cli.collect)
    }

    #[test]
    fn pass() {
        let hex = "a".repeat(64);
        let subject = format!("ghcr.io/acme/app@sha256:{hex}");
        let args = parse(&[
            "--subject",
            &subject,
            "--sbom",
            "a.json",
            "--scan",
            "g.json",
            "--scan",
            "t.json",
            "--tests",
            "j.xml",
            "--attestation",
            "p.jsonl",
            "--approval",
            "ok.yaml",
        ])
        .unwrap();
        assert!(args.has_inputs());
        let request = args.to_request(Limits::default()).unwrap();
        assert_eq!(request.scans.len(), 2);
        assert_eq!(request.approvals, [PathBuf::from("ok.yaml")]);
        assert!(
            matches!(request.subject, SubjectSpec::Reference { ref name, .. } if name == "ghcr.io/acme/app")
        );

        let args = parse(&["--subject-file", "app.tar"]).unwrap();
        assert!(!args.has_inputs());
        let request = args.to_request(Limits::default()).unwrap();
        assert_eq!(request.subject, SubjectSpec::File("app.tar".into()));
    }

    #[test]
    fn fail() {
        let hex = "a".repeat(64);
        assert!(
            parse(&[
                "--subject",
                &format!("a@sha256:{hex}"),
                "--subject-file",
                "x"
            ])
            .is_err()
        );
        let args = parse(&["--sbom", "a.json"]).unwrap();
        assert!(matches!(
            args.to_request(Limits::default()),
            Err(EvidenceError::MissingSubject)
        ));
        let args = parse(&["--subject", "app:latest"]).unwrap();
        assert!(matches!(
            args.to_request(Limits::default()),
            Err(EvidenceError::InvalidSubject { .. })
        ));
    }
}
