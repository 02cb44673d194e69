//! The parts of the OCI image spec that stagegate writes and reads: descriptors, image
//! manifests (artifacts with `artifactType` and `subject`) and image indexes (the referrers
//! list and its tag-schema copy).
//!
//! Spec: <https://github.com/opencontainers/image-spec/blob/v1.1.0/manifest.md> and
//! <https://github.com/opencontainers/image-spec/blob/v1.1.0/image-index.md>. Only the fields
//! we use are modelled; unknown fields of what we read are ignored, as the spec asks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::digest::Sha256Digest;

/// `application/vnd.oci.image.manifest.v1+json`.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// `application/vnd.oci.image.index.v1+json`.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker's image manifest (schema 2), which registries still serve for most images.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker's manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// The empty descriptor's media type (image-spec 1.1 "Guidance for an Empty Descriptor").
pub const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The empty descriptor's content, `{}`.
pub const EMPTY_CONTENT: &[u8] = b"{}";
/// A DSSE envelope: the layers of cosign's legacy `.att` tags.
pub const DSSE_ENVELOPE: &str = "application/vnd.dsse.envelope.v1+json";
/// The annotation cosign sets on a bundle referrer with the statement's predicate type.
pub const PREDICATE_TYPE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";
/// When the referrer was made.
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";
/// The annotation BuildKit sets on the index entries that hold its attestations (with value
/// [`DOCKER_ATTESTATION_MANIFEST`]) rather than a platform's image.
pub const DOCKER_REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
/// See [`DOCKER_REFERENCE_TYPE_ANNOTATION`].
pub const DOCKER_ATTESTATION_MANIFEST: &str = "attestation-manifest";

/// The media types stagegate accepts when it reads a manifest.
pub const ACCEPTED_MANIFESTS: &[&str] = &[
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
];

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the content.
    pub media_type: String,
    /// `sha256:HEX`.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// The artifact type of a manifest listed in a referrers index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    /// The descriptor of `bytes` with `media_type`.
    pub fn of(media_type: &str, bytes: &[u8]) -> Self {
        Descriptor {
            media_type: media_type.to_owned(),
            digest: sha256_digest(bytes),
            size: bytes.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
        }
    }
}

/// An image manifest (also an artifact manifest in the 1.1 sense).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// The manifest's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The artifact's type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// The layers.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// The manifest this one refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An image index: the referrers list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// Always 2.
    pub schema_version: u32,
    /// `application/vnd.oci.image.index.v1+json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The manifests.
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

impl Index {
    /// An empty OCI index.
    pub fn empty() -> Self {
        Index {
            schema_version: 2,
            media_type: Some(OCI_INDEX.to_owned()),
            manifests: Vec::new(),
        }
    }
}

/// `sha256:HEX` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    Sha256Digest::of(bytes).to_string()
}

/// The media type a manifest declares, when it declares one.
pub fn declared_media_type(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        media_type: Option<String>,
    }
    serde_json::from_slice::<Head>(bytes).ok()?.media_type
}

/// The referrers tag-schema tag of a digest: `sha256:HEX` → `sha256-HEX`
/// (distribution-spec 1.1 "Referrers Tag Schema").
pub fn tag_schema_tag(digest: &str) -> String {
    digest.replacen(':', "-", 1)
}

/// cosign's legacy attestation tag: `sha256:HEX` → `sha256-HEX.att`.
pub fn cosign_att_tag(digest: &str) -> String {
    format!("{}.att", tag_schema_tag(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(tag_schema_tag("sha256:ab"), "sha256-ab");
        assert_eq!(cosign_att_tag("sha256:ab"), "sha256-ab.att");
    }

    #[test]
    fn empty_descriptor_is_the_specs() {
        assert_eq!(
            sha256_digest(EMPTY_CONTENT),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
