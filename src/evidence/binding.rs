//! Subject binding: whether an input document is about the artifact being promoted.
//!
//! Every reader that can tell what its document is about returns a [`SubjectClaim`]: the
//! digests of what the tool *examined* (Grype's `manifestDigest`, a syft SBOM's container
//! version, a file's digest) and of what it was *pointed at* (Grype's `repoDigests` and a
//! `userInput` pinned by digest, Trivy's `RepoDigests` and `ArtifactName`, a SARIF run's image
//! properties, a JUnit `<property>`). [`bind`] compares the claim with the subject and gives a
//! [`Binding`]; collecting turns all but [`Binding::Bound`] into a [`Problem`] of kind
//! [`SUBJECT_MISMATCH`], [`SUBJECT_PLATFORM_UNVERIFIED`] or [`NO_SUBJECT`].
//!
//! Only manifest (or file) digests are compared, never an image's config digest (Grype's
//! `imageID`, Trivy's `ImageID`): two registries may serve the same config under different
//! manifests, and the promoted digest is always a manifest's (or an index's).
//!
//! Multi-platform images: when the subject is an image index, a scanner pointed at it picks one
//! platform manifest and examines that. Such a claim (subject among the referenced digests,
//! another examined digest) matches when the examined digest is one of the index's platform
//! manifests as the registry lists them ([`CollectRequest::platform_manifests`], filled by
//! `collect --image`). Without the registry's word it is [`Binding::PlatformUnverified`]: the
//! scanner says it resolved the subject, and nothing checked it.
//!
//! [`Problem`]: super::model::Problem
//! [`CollectRequest::platform_manifests`]: super::CollectRequest::platform_manifests

use std::path::Path;

use super::model::Problem;
use crate::digest::sha256_in;

/// The [`Problem::kind`](super::model::Problem::kind) recorded when an input's subject digest
/// disagrees with the subject.
pub const SUBJECT_MISMATCH: &str = "subject-mismatch";

/// The [`Problem::kind`](super::model::Problem::kind) recorded when an input examined a
/// manifest that its tool says belongs to the subject (an index), and no registry listing
/// confirmed it (collect without `--image`).
pub const SUBJECT_PLATFORM_UNVERIFIED: &str = "subject-platform-unverified";

/// The [`Problem::kind`](super::model::Problem::kind) recorded when an input names no digest
/// of what it is about, so it cannot be bound to the subject. Informational: policies that
/// want every scan bound to the subject deny on it.
pub const NO_SUBJECT: &str = "no-subject";

/// What one input document says it is about: lowercase hex sha256 digests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SubjectClaim {
    /// Digests of exactly what was examined: an image manifest, a file.
    pub examined: Vec<String>,
    /// Digests of what the tool was pointed at: for an image, the manifest or the index its
    /// reference resolved to in the registry.
    pub referenced: Vec<String>,
    /// Digests of files a tool analysed, any one of which may be the subject (a SARIF run's
    /// `artifacts[].hashes`): the document is bound when one is the subject, and otherwise
    /// they say nothing about it — a code scanner hashes every source file it read.
    pub candidates: Vec<String>,
}

impl SubjectClaim {
    /// Adds the digest written in `text` (`NAME@sha256:HEX`, `sha256:HEX`, a purl's
    /// `sha256%3AHEX`) to the examined digests.
    pub fn examined_in(&mut self, text: &str) {
        push_unique(&mut self.examined, sha256_in(text));
    }

    /// Adds the digest written in `text` to the referenced digests.
    pub fn referenced_in(&mut self, text: &str) {
        push_unique(&mut self.referenced, sha256_in(text));
    }

    /// Adds a bare lowercase-or-uppercase hex digest to the examined digests.
    pub fn examined_hex(&mut self, hex: &str) {
        let hex = hex.trim().to_ascii_lowercase();
        let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        push_unique(&mut self.examined, valid.then_some(hex));
    }

    /// Adds a bare hex digest to the candidates.
    pub fn candidate_hex(&mut self, hex: &str) {
        let hex = hex.trim().to_ascii_lowercase();
        let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        push_unique(&mut self.candidates, valid.then_some(hex));
    }

    /// Whether the document names no digest of what it is about (candidates aside).
    pub fn is_empty(&self) -> bool {
        self.examined.is_empty() && self.referenced.is_empty()
    }

    /// Every digest named, examined first, for messages.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.examined.is_empty() {
            parts.push(format!(
                "examined sha256:{}",
                self.examined.join(", sha256:")
            ));
        }
        if !self.referenced.is_empty() {
            parts.push(format!(
                "referenced sha256:{}",
                self.referenced.join(", sha256:")
            ));
        }
        parts.join("; ")
    }
}

fn push_unique(list: &mut Vec<String>, digest: Option<String>) {
    if let Some(digest) = digest
        && !list.contains(&digest)
    {
        list.push(digest);
    }
}

/// How a document relates to the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Binding {
    /// It is about the subject (or, for an index, about one of its listed platform manifests).
    Bound,
    /// It examined `examined`, which its tool says the subject resolved to; not confirmed by
    /// the registry.
    PlatformUnverified {
        /// The examined manifest digests.
        examined: Vec<String>,
    },
    /// It names digests, none of them the subject's.
    Mismatch {
        /// What it names, for the message.
        named: String,
        /// Set when the registry was asked: the subject's platform manifests.
        platforms: Option<usize>,
    },
    /// It names no digest.
    NoSubject,
}

/// Binds `claim` to the subject `subject` (lowercase hex). `platform_manifests` is the
/// registry's list of the subject's platform manifests (empty when the subject is a single
/// manifest), or `None` when the registry was not asked.
pub(crate) fn bind(
    claim: &SubjectClaim,
    subject: &str,
    platform_manifests: Option<&[String]>,
) -> Binding {
    let is_subject = |d: &String| d == subject;
    let is_platform = |d: &String| platform_manifests.is_some_and(|p| p.contains(d));
    if claim
        .candidates
        .iter()
        .any(|d| is_subject(d) || is_platform(d))
    {
        return Binding::Bound;
    }
    if claim.is_empty() {
        return Binding::NoSubject;
    }
    let mismatch = || Binding::Mismatch {
        named: claim.describe(),
        platforms: platform_manifests.map(<[String]>::len),
    };
    if claim.examined.is_empty() {
        // Only what the tool was pointed at is known (Trivy): it must be the subject or, as
        // listed by the registry, one of its platform manifests.
        return if claim
            .referenced
            .iter()
            .any(|d| is_subject(d) || is_platform(d))
        {
            Binding::Bound
        } else {
            mismatch()
        };
    }
    if claim
        .examined
        .iter()
        .any(|d| is_subject(d) || is_platform(d))
    {
        return Binding::Bound;
    }
    if claim.referenced.iter().any(is_subject) && platform_manifests.is_none() {
        return Binding::PlatformUnverified {
            examined: claim.examined.clone(),
        };
    }
    mismatch()
}

/// The [`Problem`] to record for input `source` (a `what`, e.g. `scan`, read from `path`) whose
/// claim is `claim`; `None` when it is bound to `subject`.
pub(crate) fn problem(
    what: &str,
    path: &Path,
    source: usize,
    claim: &SubjectClaim,
    subject: &str,
    platform_manifests: Option<&[String]>,
) -> Option<Problem> {
    let path = path.display();
    let (kind, message) = match bind(claim, subject, platform_manifests) {
        Binding::Bound => return None,
        Binding::Mismatch { named, platforms } => (
            SUBJECT_MISMATCH,
            match platforms {
                Some(n) if n > 0 => format!(
                    "{what} `{path}` is about {named}: neither the subject sha256:{subject} nor one of the {n} platform manifests the registry lists for it"
                ),
                _ => format!("{what} `{path}` is about {named}, not the subject sha256:{subject}"),
            },
        ),
        Binding::PlatformUnverified { examined } => (
            SUBJECT_PLATFORM_UNVERIFIED,
            format!(
                "{what} `{path}` examined sha256:{}, which its tool resolved from the subject sha256:{subject} (a multi-platform index); nothing checked that it is one of the index's platform manifests: collect with `--image` to check it in the registry",
                examined.join(", sha256:")
            ),
        ),
        Binding::NoSubject => (
            NO_SUBJECT,
            format!(
                "{what} `{path}` names no digest of what it is about, so it is not bound to the subject sha256:{subject}"
            ),
        ),
    };
    Some(Problem {
        kind: kind.to_owned(),
        message,
        source: Some(source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(c: char) -> String {
        c.to_string().repeat(64)
    }

    fn claim(examined: &[&str], referenced: &[&str]) -> SubjectClaim {
        SubjectClaim {
            examined: examined.iter().map(|s| (*s).to_owned()).collect(),
            referenced: referenced.iter().map(|s| (*s).to_owned()).collect(),
            candidates: Vec::new(),
        }
    }

    #[test]
    fn pass() {
        let (subject, child) = (hex('a'), hex('b'));
        // The manifest examined is the subject.
        assert_eq!(
            bind(&claim(&[&subject], &[]), &subject, None),
            Binding::Bound
        );
        // Pointed at the subject, examined unknown (Trivy).
        assert_eq!(
            bind(&claim(&[], &[&subject]), &subject, None),
            Binding::Bound
        );
        // An index's platform manifest, confirmed by the registry.
        let platforms = [child.clone()];
        assert_eq!(
            bind(&claim(&[&child], &[&subject]), &subject, Some(&platforms)),
            Binding::Bound
        );
        assert_eq!(
            bind(&claim(&[], &[&child]), &subject, Some(&platforms)),
            Binding::Bound
        );
        // One of the files a SARIF run analysed.
        let analysed = SubjectClaim {
            candidates: vec![hex('d'), subject.clone()],
            ..SubjectClaim::default()
        };
        assert_eq!(bind(&analysed, &subject, None), Binding::Bound);
    }

    #[test]
    fn fail() {
        let (subject, child, other) = (hex('a'), hex('b'), hex('c'));
        assert!(matches!(
            bind(&claim(&[&other], &[&other]), &subject, None),
            Binding::Mismatch {
                platforms: None,
                ..
            }
        ));
        assert!(matches!(
            bind(&claim(&[], &[&other]), &subject, None),
            Binding::Mismatch { .. }
        ));
        // Pointed at the subject index, examined a manifest the registry does not list.
        assert!(matches!(
            bind(
                &claim(&[&other], &[&subject]),
                &subject,
                Some(std::slice::from_ref(&child))
            ),
            Binding::Mismatch {
                platforms: Some(1),
                ..
            }
        ));
        // The subject is a single manifest: nothing else can be examined for it.
        assert!(matches!(
            bind(&claim(&[&child], &[&subject]), &subject, Some(&[])),
            Binding::Mismatch { .. }
        ));
        assert_eq!(
            bind(&SubjectClaim::default(), &subject, None),
            Binding::NoSubject
        );
        // Files a code scanner analysed, none of them the subject: no claim about it.
        let analysed = SubjectClaim {
            candidates: vec![hex('d')],
            ..SubjectClaim::default()
        };
        assert_eq!(bind(&analysed, &subject, None), Binding::NoSubject);
    }

    #[test]
    fn fix() {
        let (subject, child) = (hex('a'), hex('b'));
        // Without the registry, the scanner's own account of the platform is not enough...
        assert_eq!(
            bind(&claim(&[&child], &[&subject]), &subject, None),
            Binding::PlatformUnverified {
                examined: vec![child.clone()]
            }
        );
        // ...and with it, it is checked.
        assert_eq!(
            bind(
                &claim(&[&child], &[&subject]),
                &subject,
                Some(std::slice::from_ref(&child))
            ),
            Binding::Bound
        );
    }

    #[test]
    fn digests_are_read_from_references() {
        let mut claim = SubjectClaim::default();
        claim.examined_in(&format!("sha256:{}", hex('A')));
        claim.examined_in(&format!("sha256:{}", hex('a')));
        claim.referenced_in(&format!("ghcr.io/acme/app@sha256:{}", hex('b')));
        claim.referenced_in("ghcr.io/acme/app:latest");
        claim.examined_hex(&hex('C'));
        claim.examined_hex("not hex");
        assert_eq!(claim.examined, [hex('a'), hex('c')]);
        assert_eq!(claim.referenced, [hex('b')]);
    }
}
