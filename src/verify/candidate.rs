//! A file that may hold an attestation, and the `predicateType` it claims before any
//! verification: what the promotion chain, revocations, the admission webhook and the CLI
//! hand to the [`super::Verifier`].

use crate::attest::bundle::{BundleContent, SignedDocument};

/// A file that may hold an attestation.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where it came from (a path, for messages and `inputAttestations`).
    pub path: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The `predicateType` a document claims, before any verification: used only to pick which
/// files a check looks at, never to trust one.
pub fn claimed_predicate_type(bytes: &[u8]) -> Option<String> {
    let envelope = match SignedDocument::from_json(bytes).ok()? {
        SignedDocument::Envelope(envelope) => envelope,
        SignedDocument::Bundle(bundle) => match bundle.content {
            BundleContent::Dsse(envelope) => envelope,
            BundleContent::MessageSignature { .. } => return None,
        },
    };
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "predicateType")]
        predicate_type: String,
    }
    serde_json::from_slice::<Head>(&envelope.payload)
        .ok()
        .map(|h| h.predicate_type)
}
