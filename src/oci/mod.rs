//! Registry I/O: attestations attached to an image as OCI 1.1 referrers.
//!
//! [`Registry`] wraps `oci-client` (rustls, ring) for writes and tag resolution; reads
//! (referrers, manifests, blobs) go through [`fetch`], one round trip each. It resolves a tag to a digest once
//! ([`Registry::resolve`]) so that what is verified and recorded is always a digest; pushes a
//! Sigstore bundle as a referrer of an image manifest ([`Registry::push_bundle`]); and finds
//! the bundles attached to an image ([`Registry::attached`]) for `stagegate verify --image`,
//! the promotion chain, `collect --image` and the admission webhook (`serve`), which all hand
//! them to [`crate::verify`], the one verifier. Nothing here decides trust.
//!
//! What is implemented, per the OCI distribution spec 1.1
//! (<https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md>):
//!
//! - the pushed referrer is an image manifest with `artifactType`
//!   [`manifest::BUNDLE_V03_MEDIA_TYPE`], the empty config descriptor, the bundle as its one layer
//!   and `subject` = the image manifest's descriptor (what cosign 2.x writes);
//! - discovery uses the referrers API (`GET /v2/<name>/referrers/<digest>`); where the
//!   registry answers 404 (Debian's `docker-registry` 2.8, many others) it reads the
//!   referrers tag schema, the index tagged `sha256-<hex>`, and remembers the 404 per registry;
//! - after a push, when the registry does not list the new manifest (no referrers API),
//!   stagegate adds it to the tag-schema index itself (`oci-client` does not write it);
//! - cosign's legacy attestations, the DSSE layers of the `sha256-<hex>.att` tag, are read too.
//!
//! Concurrent pushes to one image on a registry without the referrers API: the tag-schema
//! update is read-modify-write without a lock (the spec offers none), so a pusher re-reads the
//! index after writing it (after a short random wait) and writes its entry again until the
//! index lists it, then checks once more after [`SETTLE`]; it fails after
//! [`TAG_SCHEMA_ATTEMPTS`], and retries registry errors that concurrent writes of the tag
//! cause. The window that remains: a pusher that already saw its entry listed twice and exited
//! can still lose it to another pusher's write based on a read older than that entry, when
//! that write lands later than the settle time (a slow or stalled client). The referrer manifest itself is never lost: `stagegate push` of the
//! same bundle adds the entry back (it is idempotent). What we ignore (and why): pagination of the referrers API (`Link` headers: oci-client reads the
//! first page, ample for the handful of attestations an image carries); blobs larger than
//! [`MAX_BLOB_BYTES`] (no bundle is that large).
//!
//! Plain HTTP is used only for loopback registries (`127.0.0.0/8`, `localhost`, `[::1]`) and
//! for hosts named by `--insecure-registry`.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

pub mod auth;
mod fetch;
pub mod manifest;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};

use self::auth::Credentials;
use self::fetch::{Get, Reader};
use self::manifest::{
    ACCEPTED_MANIFESTS, DOCKER_ATTESTATION_MANIFEST, DOCKER_MANIFEST_LIST,
    DOCKER_REFERENCE_TYPE_ANNOTATION, DSSE_ENVELOPE, Descriptor, EMPTY_CONTENT, EMPTY_MEDIA_TYPE,
    Index, Manifest, OCI_INDEX, OCI_MANIFEST, PREDICATE_TYPE_ANNOTATION, cosign_att_tag,
    declared_media_type, sha256_digest, tag_schema_tag,
};
use crate::digest::Sha256Digest;
use crate::wire::{BUNDLE_MEDIA_TYPE_PREFIX, BUNDLE_V03_MEDIA_TYPE};

/// The largest blob or manifest read from a registry.
pub const MAX_BLOB_BYTES: u64 = 16 * 1024 * 1024;

/// How long a pusher waits, once its entry is listed, before it checks the index a last time.
const SETTLE: Duration = Duration::from_millis(300);

/// How many times the referrer itself (its blobs and manifest) is pushed before a server error
/// is final.
const PUSH_ATTEMPTS: u32 = 5;

/// How many times a push writes the referrers tag-schema index before giving up.
const TAG_SCHEMA_ATTEMPTS: u32 = 12;

/// A random wait after writing the tag-schema index, longer with each attempt (25–100 ms, then
/// up to 400 ms), so concurrent pushers spread out and their writes land before the re-read.
fn jitter(attempt: u32) -> Duration {
    use rand_core::RngCore;
    let base = 25u64.saturating_mul(1u64 << attempt.min(4));
    let spread = u64::from(rand_core::OsRng.next_u32()) % base.saturating_mul(3).max(1);
    Duration::from_millis(base.saturating_add(spread).min(400))
}

/// The most referrers whose content is fetched for one image.
pub const MAX_REFERRERS: usize = 64;

/// A registry operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The image reference does not parse.
    #[error("`{reference}` is not an image reference")]
    Reference {
        /// As given.
        reference: String,
        /// Why.
        #[source]
        source: oci_client::ParseError,
    },
    /// A digest was required (`IMAGE@sha256:HEX`) and a tag given.
    #[error("`{0}` is not pinned by digest; give `IMAGE@sha256:HEX`")]
    NotPinned(String),
    /// The registry refused or failed a request.
    #[error("registry request for `{reference}` failed")]
    Registry {
        /// The reference involved.
        reference: String,
        /// The client's error.
        #[source]
        source: OciDistributionError,
    },
    /// The registry sent content that does not match its digest or is not what it claims.
    #[error("`{reference}`: {what}")]
    Content {
        /// The reference involved.
        reference: String,
        /// What was wrong.
        what: String,
    },
    /// A blob or manifest larger than [`MAX_BLOB_BYTES`].
    #[error("`{reference}` is {size} bytes, more than the {MAX_BLOB_BYTES} accepted")]
    TooLarge {
        /// The reference involved.
        reference: String,
        /// Its declared size.
        size: u64,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up the registry client")]
    Client(#[source] OciDistributionError),
    /// The registry has no such manifest or blob.
    #[error("`{0}` is not in the registry")]
    NotFound(String),
    /// The HTTP client of the read path could not be built.
    #[error("cannot set up the registry client")]
    ReaderSetup(#[source] Arc<reqwest::Error>),
    /// A read failed on the wire.
    #[error("registry request for `{reference}` failed")]
    Http {
        /// The reference involved.
        reference: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The registry answered a read with an error status.
    #[error("registry request for `{reference}` failed with HTTP {status}")]
    Status {
        /// The reference involved.
        reference: String,
        /// The HTTP status.
        status: u16,
    },
}

/// An image reference whose digest is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// The reference, carrying the digest.
    pub reference: Reference,
    /// `sha256:HEX`.
    pub digest: String,
}

impl Pinned {
    /// `registry/repository@sha256:HEX`.
    pub fn display(&self) -> String {
        format!(
            "{}/{}@{}",
            self.reference.registry(),
            self.reference.repository(),
            self.digest
        )
    }

    /// The lowercase hex of the sha256 digest.
    pub fn hex(&self) -> &str {
        self.digest.strip_prefix("sha256:").unwrap_or(&self.digest)
    }
}

/// Parses an image reference (`HOST/NAME:TAG`, `HOST/NAME@sha256:HEX`, Docker Hub short names).
pub fn parse_reference(text: &str) -> Result<Reference, OciError> {
    text.parse::<Reference>()
        .map_err(|source| OciError::Reference {
            reference: text.to_owned(),
            source,
        })
}

/// Parses `IMAGE@sha256:HEX`; a tag without digest is [`OciError::NotPinned`].
pub fn parse_pinned(text: &str) -> Result<Pinned, OciError> {
    let reference = parse_reference(text)?;
    match reference.digest().and_then(sha256_of_reference) {
        Some(digest) => Ok(Pinned {
            digest: digest.to_string(),
            reference,
        }),
        None => Err(OciError::NotPinned(text.to_owned())),
    }
}

/// The sha256 digest a reference or registry gives as `sha256:HEX`, hex in either case (the
/// OCI distribution spec compares digests case-insensitively), as a lowercase digest.
fn sha256_of_reference(digest: &str) -> Option<Sha256Digest> {
    let hex = digest.strip_prefix("sha256:")?;
    Sha256Digest::from_hex(&hex.to_ascii_lowercase()).ok()
}

/// Whether a registry host (with optional port) is on the loopback interface.
pub fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        registry.rsplit_once(':').map_or(registry, |(h, _)| h)
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An attestation document found attached to an image.
#[derive(Debug, Clone)]
pub struct Attached {
    /// Where it was found: `registry/repo@sha256:<referrer manifest>`, for messages and
    /// `inputAttestations`.
    pub source: String,
    /// The artifact type (or media type) it was listed with.
    pub kind: String,
    /// Its bytes (a Sigstore bundle or a DSSE envelope).
    pub bytes: Vec<u8>,
}

/// What [`Registry::push_bundle`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The referrer manifest's digest.
    pub manifest_digest: String,
    /// How the referrer can be discovered.
    pub discovery: Discovery,
}

/// How a pushed referrer is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// The registry already lists it: its referrers API (or a tag-schema index that held it).
    Listed,
    /// stagegate added it to the `sha256-<hex>` tag-schema index.
    TagSchema,
}

/// Builds a [`Registry`].
#[derive(Debug, Default)]
pub struct RegistryBuilder {
    insecure: Vec<String>,
    credentials: Option<Credentials>,
    timeout: Option<Duration>,
}

impl RegistryBuilder {
    /// Allows plain HTTP to `host` (`HOST[:PORT]`), besides loopback hosts.
    pub fn insecure_registry(mut self, host: impl Into<String>) -> Self {
        self.insecure.push(host.into());
        self
    }

    /// Uses these credentials instead of the environment and Docker config.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// A connect and read timeout for each request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the registry client. Installs ring as rustls's process-wide crypto provider when
    /// none is installed.
    pub fn build(self) -> Registry {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Registry {
            inner: Arc::new(RegistryInner {
                insecure: self.insecure,
                credentials: self.credentials.unwrap_or_else(Credentials::from_env),
                timeout: self.timeout,
                clients: Mutex::new(HashMap::new()),
                reader: Reader::new(self.timeout).map_err(Arc::new),
            }),
        }
    }
}

/// A registry client for every host, cheap to clone.
#[derive(Debug, Clone)]
pub struct Registry {
    inner: Arc<RegistryInner>,
}

struct RegistryInner {
    insecure: Vec<String>,
    credentials: Credentials,
    timeout: Option<Duration>,
    clients: Mutex<HashMap<String, (Client, RegistryAuth)>>,
    reader: Result<Reader, Arc<reqwest::Error>>,
}

impl std::fmt::Debug for RegistryInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryInner")
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// A builder.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The oci-client for `registry`: plain HTTP only for loopback or `--insecure-registry`.
    fn client(&self, reference: &Reference) -> Result<(Client, RegistryAuth), OciError> {
        let registry = reference.resolve_registry().to_owned();
        let mut clients = match self.inner.clients.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(found) = clients.get(&registry) {
            return Ok(found.clone());
        }
        let plain = is_loopback(&registry) || self.inner.insecure.contains(&registry);
        let config = ClientConfig {
            protocol: if plain {
                ClientProtocol::HttpsExcept(vec![registry.clone()])
            } else {
                ClientProtocol::Https
            },
            read_timeout: self.inner.timeout,
            connect_timeout: self.inner.timeout,
            ..ClientConfig::default()
        };
        let client = Client::try_from(config).map_err(OciError::Client)?;
        let auth = self.inner.credentials.for_registry(&registry);
        clients.insert(registry, (client.clone(), auth.clone()));
        Ok((client, auth))
    }

    async fn authed(
        &self,
        reference: &Reference,
        op: RegistryOperation,
    ) -> Result<Client, OciError> {
        let (client, auth) = self.client(reference)?;
        if !matches!(auth, RegistryAuth::Anonymous) {
            client
                .auth(reference, &auth, op)
                .await
                .map_err(|source| registry_error(reference, source))?;
        } else {
            client
                .store_auth_if_needed(reference.resolve_registry(), &auth)
                .await;
        }
        Ok(client)
    }

    /// The digest of `reference`: its own digest when pinned, else the registry's answer for
    /// the tag, asked once.
    pub async fn resolve(&self, reference: &Reference) -> Result<Pinned, OciError> {
        if let Some(digest) = reference.digest() {
            let Some(digest) = sha256_of_reference(digest) else {
                return Err(OciError::NotPinned(reference.whole()));
            };
            return Ok(Pinned {
                reference: reference.clone(),
                digest: digest.to_string(),
            });
        }
        let client = self.authed(reference, RegistryOperation::Pull).await?;
        let (_, auth) = self.client(reference)?;
        let digest = client
            .fetch_manifest_digest(reference, &auth)
            .await
            .map_err(|source| registry_error(reference, source))?;
        if sha256_of_reference(&digest).is_none() {
            return Err(OciError::Content {
                reference: reference.whole(),
                what: format!("the registry answered the digest `{digest}`"),
            });
        }
        Ok(Pinned {
            reference: reference.clone_with_digest(digest.clone()),
            digest,
        })
    }

    /// The reader, the scheme and the credentials for `reference`'s registry.
    fn reader(
        &self,
        reference: &Reference,
    ) -> Result<(&Reader, &'static str, RegistryAuth), OciError> {
        let reader = self
            .inner
            .reader
            .as_ref()
            .map_err(|e| OciError::ReaderSetup(e.clone()))?;
        let (_, auth) = self.client(reference)?;
        let registry = reference.resolve_registry();
        let plain = is_loopback(registry) || self.inner.insecure.iter().any(|h| h == registry);
        Ok((reader, if plain { "http" } else { "https" }, auth))
    }

    /// Reads a manifest by digest or tag (checked against its digest when pinned); `None` when
    /// the registry has no such manifest. Returns the bytes and their digest.
    async fn manifest_if_any(
        &self,
        reference: &Reference,
    ) -> Result<Option<(Vec<u8>, String)>, OciError> {
        let (reader, scheme, auth) = self.reader(reference)?;
        let name = reference
            .digest()
            .or(reference.tag())
            .unwrap_or("latest")
            .to_owned();
        let Some(bytes) = reader
            .get(&Get {
                scheme,
                registry: reference.resolve_registry(),
                repository: reference.repository(),
                path: format!("manifests/{name}"),
                accept: &ACCEPTED_MANIFESTS.join(","),
                auth: &auth,
                what: reference.whole(),
            })
            .await?
        else {
            return Ok(None);
        };
        let actual = sha256_digest(&bytes);
        if reference.digest().is_some_and(|d| d != actual) {
            return Err(OciError::Content {
                reference: reference.whole(),
                what: format!("the manifest's sha256 is `{actual}`"),
            });
        }
        Ok(Some((bytes, actual)))
    }

    /// Whether the registry holds `image`'s manifest: told apart from "no attestations
    /// attached", so a typo in the digest or repository is not reported as an unsigned image.
    pub async fn has_manifest(&self, image: &Pinned) -> Result<bool, OciError> {
        Ok(self.manifest_if_any(&image.reference).await?.is_some())
    }

    /// Reads a manifest by digest or tag (checked against its digest when pinned).
    async fn manifest(&self, reference: &Reference) -> Result<(Vec<u8>, String), OciError> {
        self.manifest_if_any(reference)
            .await?
            .ok_or_else(|| OciError::NotFound(reference.whole()))
    }

    /// Reads a blob, refusing one larger than [`MAX_BLOB_BYTES`] and checking its digest.
    async fn blob(&self, reference: &Reference, layer: &Descriptor) -> Result<Vec<u8>, OciError> {
        let what = format!("{}@{}", reference.repository(), layer.digest);
        if layer.size > MAX_BLOB_BYTES {
            return Err(OciError::TooLarge {
                reference: what,
                size: layer.size,
            });
        }
        let (reader, scheme, auth) = self.reader(reference)?;
        let out = reader
            .get(&Get {
                scheme,
                registry: reference.resolve_registry(),
                repository: reference.repository(),
                path: format!("blobs/{}", layer.digest),
                accept: "*/*",
                auth: &auth,
                what: what.clone(),
            })
            .await?
            .ok_or_else(|| OciError::NotFound(what.clone()))?;
        if sha256_digest(&out) != layer.digest {
            return Err(OciError::Content {
                reference: what,
                what: "the blob does not match its digest".to_owned(),
            });
        }
        Ok(out)
    }

    /// Pushes an image or artifact manifest's blobs and the manifest itself; returns the
    /// manifest's digest. Used to push bundles, and by tests to push an image.
    pub async fn push_manifest(
        &self,
        reference: &Reference,
        blobs: &[&[u8]],
        manifest: &[u8],
        media_type: &str,
    ) -> Result<String, OciError> {
        let client = self.authed(reference, RegistryOperation::Push).await?;
        for blob in blobs {
            let digest = sha256_digest(blob);
            let exists = client
                .blob_exists(reference, &digest)
                .await
                .map_err(|source| registry_error(reference, source))?;
            if !exists {
                client
                    .push_blob(reference, blob.to_vec(), &digest)
                    .await
                    .map_err(|source| registry_error(reference, source))?;
            }
        }
        let content_type = media_type.parse().map_err(|_| OciError::Content {
            reference: reference.whole(),
            what: format!("`{media_type}` is not a valid media type"),
        })?;
        client
            .push_manifest_raw(reference, manifest.to_vec(), content_type)
            .await
            .map_err(|source| registry_error(reference, source))?;
        Ok(sha256_digest(manifest))
    }

    /// Attaches `bundle` to `image` as an OCI 1.1 referrer; where the registry's referrers API
    /// does not list it, adds it to the `sha256-<hex>` tag-schema index.
    pub async fn push_bundle(
        &self,
        image: &Pinned,
        bundle: &[u8],
        predicate_type: Option<&str>,
    ) -> Result<Pushed, OciError> {
        let (subject_bytes, _) = self.manifest(&image.reference).await?;
        let subject = Descriptor::of(
            &declared_media_type(&subject_bytes).unwrap_or_else(|| OCI_MANIFEST.to_owned()),
            &subject_bytes,
        );
        let mut layer = Descriptor::of(BUNDLE_V03_MEDIA_TYPE, bundle);
        // No creation time: the referrer is a function of the bundle and the image, so pushing
        // the same bundle twice is a no-op rather than a second referrer.
        let mut annotations = BTreeMap::new();
        if let Some(predicate_type) = predicate_type {
            annotations.insert(
                PREDICATE_TYPE_ANNOTATION.to_owned(),
                predicate_type.to_owned(),
            );
            layer.annotations.insert(
                PREDICATE_TYPE_ANNOTATION.to_owned(),
                predicate_type.to_owned(),
            );
        }
        let referrer = Manifest {
            schema_version: 2,
            media_type: Some(OCI_MANIFEST.to_owned()),
            artifact_type: Some(BUNDLE_V03_MEDIA_TYPE.to_owned()),
            config: Descriptor::of(EMPTY_MEDIA_TYPE, EMPTY_CONTENT),
            layers: vec![layer],
            subject: Some(subject),
            annotations: annotations.clone(),
        };
        let referrer_bytes = serde_json::to_vec(&referrer).map_err(|e| OciError::Content {
            reference: image.display(),
            what: format!("cannot serialise the referrer: {e}"),
        })?;
        let referrer_digest = sha256_digest(&referrer_bytes);
        let target = image.reference.clone_with_digest(referrer_digest.clone());
        // Content-addressed, so a retry is harmless: concurrent pushers upload the same empty
        // config blob at once, and Debian's `docker-registry` may answer one of them 500.
        let mut attempt: u32 = 0;
        loop {
            match self
                .push_manifest(
                    &target,
                    &[EMPTY_CONTENT, bundle],
                    &referrer_bytes,
                    OCI_MANIFEST,
                )
                .await
            {
                Ok(_) => break,
                Err(err) if transient(&err) && attempt.saturating_add(1) < PUSH_ATTEMPTS => {
                    tracing::debug!(attempt, "pushing the referrer: {err}; trying again");
                    tokio::time::sleep(jitter(attempt)).await;
                    attempt = attempt.saturating_add(1);
                }
                Err(err) => return Err(err),
            }
        }

        let listed = match self.referrers(image).await {
            Ok(referrers) => referrers.iter().any(|d| d.digest == referrer_digest),
            // A tag-schema index being written by another pusher may fail to read: the loop
            // below reads it again.
            Err(err) if transient(&err) => false,
            Err(err) => return Err(err),
        };
        if listed {
            return Ok(Pushed {
                manifest_digest: referrer_digest,
                discovery: Discovery::Listed,
            });
        }
        let tag = Reference::with_tag(
            image.reference.registry().to_owned(),
            image.reference.repository().to_owned(),
            tag_schema_tag(&image.digest),
        );
        let mut entry = Descriptor::of(OCI_MANIFEST, &referrer_bytes);
        entry.artifact_type = Some(BUNDLE_V03_MEDIA_TYPE.to_owned());
        entry.annotations = annotations;
        // Read-modify-write without a lock (the distribution spec has none for tags): another
        // pusher may write an index read before ours landed and so drop our entry. So after
        // each write, wait a moment for such writes to land, re-read, and add the entry again
        // until the index lists it.
        for attempt in 0..TAG_SCHEMA_ATTEMPTS {
            let last = attempt.saturating_add(1) == TAG_SCHEMA_ATTEMPTS;
            match self
                .add_to_tag_schema(&tag, &entry, &referrer_digest, attempt)
                .await
            {
                Ok(true) => {
                    // Listed: once more after the writes of pushers that read the index before
                    // ours had time to land, so that we do not leave on an entry about to go.
                    tokio::time::sleep(SETTLE.saturating_add(jitter(attempt))).await;
                    match self.tag_schema_index(&tag).await {
                        Ok(index)
                            if index.manifests.iter().any(|d| d.digest == referrer_digest) =>
                        {
                            return Ok(Pushed {
                                manifest_digest: referrer_digest,
                                discovery: Discovery::TagSchema,
                            });
                        }
                        Ok(_) => {}
                        Err(err) if transient(&err) && !last => {}
                        Err(err) => return Err(err),
                    }
                }
                Ok(false) => tracing::debug!(
                    attempt,
                    "`{}` lost our referrer to a concurrent push; adding it again",
                    tag.whole()
                ),
                // A registry may fail a read or write of a tag another pusher is writing
                // (Debian's `docker-registry` answers 500): wait and try again.
                Err(err) if transient(&err) && !last => {
                    tracing::debug!(attempt, "`{}`: {err}; trying again", tag.whole());
                    tokio::time::sleep(jitter(attempt)).await;
                }
                Err(err) => return Err(err),
            }
        }
        Err(OciError::Content {
            reference: tag.whole(),
            what: format!(
                "the referrers tag-schema index still does not list {referrer_digest} after {TAG_SCHEMA_ATTEMPTS} attempts (concurrent pushes keep replacing it); the referrer itself was pushed: push again"
            ),
        })
    }

    /// One round of the tag-schema update: adds `entry` to the index unless listed, waits,
    /// re-reads; `true` when the index then lists it.
    async fn add_to_tag_schema(
        &self,
        tag: &Reference,
        entry: &Descriptor,
        referrer_digest: &str,
        attempt: u32,
    ) -> Result<bool, OciError> {
        let mut index = self.tag_schema_index(tag).await?;
        let listed = |index: &Index| index.manifests.iter().any(|d| d.digest == referrer_digest);
        if !listed(&index) {
            index.manifests.push(entry.clone());
            index.media_type = Some(OCI_INDEX.to_owned());
            let bytes = serde_json::to_vec(&index).map_err(|e| OciError::Content {
                reference: tag.whole(),
                what: format!("cannot serialise the index: {e}"),
            })?;
            self.push_manifest(tag, &[], &bytes, OCI_INDEX).await?;
        }
        tokio::time::sleep(jitter(attempt)).await;
        Ok(listed(&self.tag_schema_index(tag).await?))
    }

    /// The referrers tag-schema index (empty when the tag does not exist).
    async fn tag_schema_index(&self, tag: &Reference) -> Result<Index, OciError> {
        match self.manifest_if_any(tag).await? {
            Some((bytes, _)) => {
                serde_json::from_slice::<Index>(&bytes).map_err(|e| OciError::Content {
                    reference: tag.whole(),
                    what: format!("the referrers tag-schema index does not parse: {e}"),
                })
            }
            None => Ok(Index::empty()),
        }
    }

    /// The platform manifests of `image` when it is an image index (OCI index or Docker
    /// manifest list): the `sha256:HEX` digests of its `manifests[]`, without BuildKit's
    /// attestation entries; empty when `image` is a single manifest. One level only: an index
    /// nested in an index is listed as it is, not opened.
    pub async fn platform_manifests(&self, image: &Pinned) -> Result<Vec<String>, OciError> {
        let (bytes, _) = self.manifest(&image.reference).await?;
        platform_manifests_of(&bytes).map_err(|e| OciError::Content {
            reference: image.display(),
            what: format!("the image index does not parse: {e}"),
        })
    }

    /// Every referrer of `image`: the referrers API, or (on its 404, remembered per registry)
    /// the referrers tag-schema index `sha256-<hex>`.
    pub async fn referrers(&self, image: &Pinned) -> Result<Vec<Descriptor>, OciError> {
        let reference = &image.reference;
        let (reader, scheme, auth) = self.reader(reference)?;
        let registry = reference.resolve_registry();
        if !reader.lacks_referrers_api(registry) {
            let listed = reader
                .get(&Get {
                    scheme,
                    registry,
                    repository: reference.repository(),
                    path: format!("referrers/{}", image.digest),
                    accept: OCI_INDEX,
                    auth: &auth,
                    what: format!("{} (referrers)", image.display()),
                })
                .await?;
            match listed {
                Some(bytes) => return parse_index(&bytes, image.display()),
                None => reader.mark_no_referrers_api(registry),
            }
        }
        let tag = Reference::with_tag(
            reference.registry().to_owned(),
            reference.repository().to_owned(),
            tag_schema_tag(&image.digest),
        );
        match self.manifest_if_any(&tag).await? {
            Some((bytes, _)) => parse_index(&bytes, tag.whole()),
            None => Ok(Vec::new()),
        }
    }

    /// The attestations attached to `image`: the layers of each Sigstore-bundle referrer (and
    /// of referrers whose layers are bundles or DSSE envelopes), then the DSSE layers of
    /// cosign's legacy `.att` tag. A referrer that cannot be read is skipped with a warning;
    /// the caller's verification decides, and a skipped document never counts as verified.
    pub async fn attached(&self, image: &Pinned) -> Result<Vec<Attached>, OciError> {
        let mut found = self.referred(image, None).await?;
        found.extend(self.cosign_attestations(image).await?);
        Ok(found)
    }

    /// The attestations attached to `image` as referrers. With `predicate_type`, referrers
    /// whose listing names another predicate type (the annotation
    /// [`PREDICATE_TYPE_ANNOTATION`]) or a non-attestation artifact type are not fetched.
    pub async fn referred(
        &self,
        image: &Pinned,
        predicate_type: Option<&str>,
    ) -> Result<Vec<Attached>, OciError> {
        match predicate_type {
            None => self.referred_any(image, None).await,
            Some(wanted) => self.referred_any(image, Some(&[wanted])).await,
        }
    }

    /// As [`Registry::referred`], for referrers listed with any of `predicate_types` (or
    /// listed without one).
    pub async fn referred_any(
        &self,
        image: &Pinned,
        predicate_types: Option<&[&str]>,
    ) -> Result<Vec<Attached>, OciError> {
        let mut found = Vec::new();
        let referrers = self.referrers(image).await?;
        let wanted = referrers.iter().filter(|d| match predicate_types {
            None => true,
            Some(wanted) => {
                let artifact_ok = d
                    .artifact_type
                    .as_deref()
                    .is_none_or(|t| t.starts_with(BUNDLE_MEDIA_TYPE_PREFIX) || t == DSSE_ENVELOPE);
                let predicate_ok = d
                    .annotations
                    .get(PREDICATE_TYPE_ANNOTATION)
                    .is_none_or(|p| wanted.contains(&p.as_str()));
                artifact_ok && predicate_ok
            }
        });
        for descriptor in wanted.take(MAX_REFERRERS) {
            let reference = image.reference.clone_with_digest(descriptor.digest.clone());
            match self.layers_of(&reference).await {
                Ok(layers) => found.extend(layers),
                Err(err) => tracing::warn!(
                    "skipping referrer `{}`: {}",
                    reference.whole(),
                    crate::errors::error_chain(&err)
                ),
            }
        }
        Ok(found)
    }

    /// The DSSE layers of cosign's legacy `sha256-<hex>.att` tag (none when it is absent).
    pub async fn cosign_attestations(&self, image: &Pinned) -> Result<Vec<Attached>, OciError> {
        let att = Reference::with_tag(
            image.reference.registry().to_owned(),
            image.reference.repository().to_owned(),
            cosign_att_tag(&image.digest),
        );
        match self.layers_of(&att).await {
            Ok(layers) => Ok(layers),
            Err(OciError::NotFound(_)) => Ok(Vec::new()),
            Err(err) => {
                tracing::warn!(
                    "skipping `{}`: {}",
                    att.whole(),
                    crate::errors::error_chain(&err)
                );
                Ok(Vec::new())
            }
        }
    }

    async fn layers_of(&self, reference: &Reference) -> Result<Vec<Attached>, OciError> {
        let (bytes, digest) = self.manifest(reference).await?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| OciError::Content {
            reference: reference.whole(),
            what: format!("not an image manifest: {e}"),
        })?;
        let source = format!(
            "{}/{}@{}",
            reference.registry(),
            reference.repository(),
            digest
        );
        let mut out = Vec::new();
        for layer in &manifest.layers {
            let is_attestation = layer.media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX)
                || layer.media_type == DSSE_ENVELOPE;
            if !is_attestation {
                continue;
            }
            let blob_ref = reference.clone_with_digest(layer.digest.clone());
            let bytes = self.blob(&blob_ref, layer).await?;
            out.push(Attached {
                source: source.clone(),
                kind: manifest
                    .artifact_type
                    .clone()
                    .unwrap_or_else(|| layer.media_type.clone()),
                bytes,
            });
        }
        Ok(out)
    }
}

/// The platform manifests listed by the manifest `bytes` (see [`Registry::platform_manifests`]):
/// none when it is not an index.
fn platform_manifests_of(bytes: &[u8]) -> Result<Vec<String>, serde_json::Error> {
    let is_index = match declared_media_type(bytes).as_deref() {
        Some(t) => t == OCI_INDEX || t == DOCKER_MANIFEST_LIST,
        // `mediaType` is optional in an OCI index: tell it by its `manifests` array.
        None => serde_json::from_slice::<serde_json::Value>(bytes)
            .is_ok_and(|v| v.get("manifests").is_some() && v.get("config").is_none()),
    };
    if !is_index {
        return Ok(Vec::new());
    }
    let index: Index = serde_json::from_slice(bytes)?;
    Ok(index
        .manifests
        .into_iter()
        .filter(|d| {
            d.annotations
                .get(DOCKER_REFERENCE_TYPE_ANNOTATION)
                .is_none_or(|t| t != DOCKER_ATTESTATION_MANIFEST)
        })
        .filter_map(|d| sha256_of_reference(&d.digest.to_ascii_lowercase()))
        .map(|d| d.to_string())
        .collect())
}

fn parse_index(bytes: &[u8], reference: String) -> Result<Vec<Descriptor>, OciError> {
    serde_json::from_slice::<Index>(bytes)
        .map(|index| index.manifests)
        .map_err(|e| OciError::Content {
            reference,
            what: format!("the referrers index does not parse: {e}"),
        })
}

/// Whether a failed request may succeed when repeated: a server error, throttling, a dropped
/// connection, or an error envelope (Debian's `docker-registry` answers a tag written
/// concurrently with 500 and `UNKNOWN`).
fn transient(err: &OciError) -> bool {
    match err {
        OciError::Status { status, .. } => *status >= 500 || *status == 429,
        OciError::Http { .. } => true,
        OciError::Registry { source, .. } => match source {
            OciDistributionError::ServerError { code, .. } => *code >= 500 || *code == 429,
            OciDistributionError::RegistryError { envelope, .. } => {
                envelope.errors.iter().any(|e| {
                    matches!(
                        e.code,
                        oci_client::errors::OciErrorCode::Toomanyrequests
                            | oci_client::errors::OciErrorCode::Other(_)
                    )
                })
            }
            OciDistributionError::RequestError(_) => true,
            _ => false,
        },
        _ => false,
    }
}

fn registry_error(reference: &Reference, source: OciDistributionError) -> OciError {
    OciError::Registry {
        reference: reference.whole(),
        source,
    }
}

/// A current-thread Tokio runtime for one CLI command's registry I/O.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("[::1]:5000"));
        assert!(is_loopback("127.1.2.3"));
        assert!(!is_loopback("registry.example:5000"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    #[test]
    fn platform_manifests_of_indexes_only() {
        let (a, b, att) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
        let entry = |hex: &str, extra: &str| {
            format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"sha256:{hex}","size":1{extra}}}"#)
        };
        let buildkit = entry(
            &att,
            r#","annotations":{"vnd.docker.reference.type":"attestation-manifest"}"#,
        );
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{},{},{buildkit}]}}"#,
            entry(&a, r#","platform":{"architecture":"amd64","os":"linux"}"#),
            entry(&b.to_uppercase(), "")
        );
        let listed = platform_manifests_of(index.as_bytes()).unwrap();
        assert_eq!(listed, [format!("sha256:{a}"), format!("sha256:{b}")]);
        // Docker's manifest list, and an OCI index that omits its optional `mediaType`.
        let list = index.replace(OCI_INDEX, DOCKER_MANIFEST_LIST);
        assert_eq!(platform_manifests_of(list.as_bytes()).unwrap().len(), 2);
        let bare = format!(r#"{{"schemaVersion":2,"manifests":[{}]}}"#, entry(&a, ""));
        assert_eq!(platform_manifests_of(bare.as_bytes()).unwrap().len(), 1);
        // An image manifest lists no platform.
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{},"layers":[]}}"#,
            entry(&a, "")
        );
        assert!(
            platform_manifests_of(manifest.as_bytes())
                .unwrap()
                .is_empty()
        );
        // An index that does not parse is an error, not an empty list.
        let broken = format!(r#"{{"mediaType":"{OCI_INDEX}","manifests":[{{"digest":1}}]}}"#);
        assert!(platform_manifests_of(broken.as_bytes()).is_err());
    }

    #[test]
    fn pinned_references() {
        let hex = "a".repeat(64);
        let pinned = parse_pinned(&format!("127.0.0.1:5000/app@sha256:{hex}")).unwrap();
        assert_eq!(pinned.hex(), hex);
        assert_eq!(pinned.display(), format!("127.0.0.1:5000/app@sha256:{hex}"));
        assert!(matches!(
            parse_pinned("127.0.0.1:5000/app:v1"),
            Err(OciError::NotPinned(_))
        ));
    }
}
