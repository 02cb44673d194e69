//! Local stand-ins for the Sigstore services keyless signing talks to, since the public
//! instance cannot be reached from the tests: test code only, never shipped.
//!
//! - an **OIDC issuer** answering the way GitHub Actions' token endpoint does
//!   (`GET …&audience=sigstore` with `Authorization: bearer …` → `{"value": JWT}`), the JWT
//!   ES256-signed by a test key, with GitHub's claims;
//! - **Fulcio** (`POST /api/v2/signingCert`): checks the JWT's signature, audience and expiry
//!   and the proof of possession, then issues a certificate from a test CA with Fulcio's
//!   extensions (issuer `1.3.6.1.4.1.57264.1.1` and `.1.8`, the GitHub workflow claims) and an
//!   embedded SCT from a test CT log key (RFC 6962 precertificate signature);
//! - **Rekor v1** (`POST /api/v1/log/entries`, kind `dsse` v0.0.1): checks the envelope's
//!   signature with the certificate, appends the canonical body to an RFC 6962 Merkle tree
//!   (seeded with a few other entries, so the inclusion proof is not empty) and answers with
//!   the signed entry timestamp, the inclusion proof and a signed checkpoint;
//! - a **trusted root** (`trusted_root.json`) naming the CA, the CT log and Rekor keys.
//!
//! The three run on one local HTTP listener (`/oidc`, `/fulcio`, `/rekor`), in a thread.
//! [`Fault`] makes one of them misbehave for the fail-closed tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};
use rcgen::SigningKey as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

/// The issuer the test tokens name (GitHub Actions').
pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The workflow the test tokens are for.
pub const WORKFLOW_REF: &str = "acme/app/.github/workflows/release.yml@refs/heads/main";
/// The certificate identity (SAN URI) Fulcio issues for it.
pub const IDENTITY: &str =
    "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main";
/// The commit the tokens name.
pub const SHA: &str = "3f786850e387550fdab836ed7e6dc881de23001b";

/// How a stand-in misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Everything works.
    None,
    /// Fulcio answers HTTP 500.
    FulcioDown,
    /// Fulcio refuses the token (HTTP 401), as for a token it cannot verify.
    FulcioRefuses,
    /// Rekor answers HTTP 500.
    RekorDown,
    /// Rekor signs its entry timestamp with a key the trusted root does not name.
    RekorWrongKey,
    /// The token endpoint answers HTTP 403 (no `id-token: write`).
    TokenForbidden,
}

struct State {
    fault: Fault,
    ca_key: rcgen::KeyPair,
    ca_params: rcgen::CertificateParams,
    ca_der: Vec<u8>,
    ct_key: SigningKey,
    rekor_key: SigningKey,
    wrong_key: SigningKey,
    oidc_key: SigningKey,
    /// Leaf hashes of the log.
    leaves: Vec<[u8; 32]>,
    base: String,
    serial: u64,
}

/// The running stand-ins.
pub struct Standins {
    state: Arc<Mutex<State>>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What `ACTIONS_ID_TOKEN_REQUEST_TOKEN` must be.
    pub request_token: String,
}

fn spki(key: &SigningKey) -> Vec<u8> {
    key.verifying_key()
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn sign_der(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let signature: Signature = key.sign(message);
    signature.to_der().as_bytes().to_vec()
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Standins {
    /// Starts them on a free local port.
    pub fn start() -> Standins {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut ca_params = rcgen::CertificateParams::default();
        ca_params.distinguished_name = rcgen::DistinguishedName::new();
        ca_params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "stagegate.test");
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "stagegate test Fulcio");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(1));
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let now = time::OffsetDateTime::now_utc();
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after = now + time::Duration::days(365);
        let ca_der = ca_params.self_signed(&ca_key).unwrap().der().to_vec();
        let mut entropy = rand_core::OsRng;
        let state = State {
            fault: Fault::None,
            ca_key,
            ca_params,
            ca_der,
            ct_key: SigningKey::random(&mut entropy),
            rekor_key: SigningKey::random(&mut entropy),
            wrong_key: SigningKey::random(&mut entropy),
            oidc_key: SigningKey::random(&mut entropy),
            // Other entries before ours: the inclusion proof has a path.
            leaves: (0u8..5).map(|i| leaf_hash(&[b'x', i])).collect(),
            base: base.clone(),
            serial: 1,
        };
        let state = Arc::new(Mutex::new(state));
        let request_token = format!("request-{}", hex::encode(rand_bytes()));
        let shared = Arc::clone(&state);
        let expected = request_token.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let _ = serve(stream, &shared, &expected);
            }
        });
        Standins {
            state,
            base,
            request_token,
        }
    }

    /// Makes one stand-in misbehave from now on.
    pub fn set_fault(&self, fault: Fault) {
        self.state.lock().unwrap().fault = fault;
    }

    /// Fulcio's URL.
    pub fn fulcio_url(&self) -> String {
        format!("{}/fulcio", self.base)
    }

    /// Rekor's URL.
    pub fn rekor_url(&self) -> String {
        format!("{}/rekor", self.base)
    }

    /// The token endpoint, as `ACTIONS_ID_TOKEN_REQUEST_URL` (with its own query string).
    pub fn token_url(&self) -> String {
        format!("{}/oidc/token?api-version=2.0", self.base)
    }

    /// A token for `workflow_ref` (`OWNER/REPO/PATH@REF`) with audience `sigstore`, signed by
    /// the issuer's key (for `--identity-token` and `SIGSTORE_ID_TOKEN`).
    pub fn token(&self, workflow_ref: &str) -> String {
        let state = self.state.lock().unwrap();
        jwt(&state.oidc_key, workflow_ref, "sigstore", 600)
    }

    /// A token signed by another key than the issuer's: Fulcio must refuse it.
    pub fn forged_token(&self) -> String {
        jwt(
            &SigningKey::random(&mut rand_core::OsRng),
            WORKFLOW_REF,
            "sigstore",
            600,
        )
    }

    /// Writes the trusted root naming the CA, the CT log and Rekor keys to `dir`.
    pub fn write_trusted_root(&self, dir: &Path) -> PathBuf {
        let state = self.state.lock().unwrap();
        let start = rfc3339(chrono::Utc::now() - chrono::Duration::hours(1));
        let log = |key: &SigningKey, url: String| {
            let spki = spki(key);
            json!({
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": STANDARD.encode(&spki),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": start}
                },
                "logId": {"keyId": STANDARD.encode(Sha256::digest(&spki))}
            })
        };
        let root = json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&state.rekor_key, format!("{}/rekor", state.base))],
            "certificateAuthorities": [{
                "subject": {"organization": "stagegate.test", "commonName": "stagegate test Fulcio"},
                "uri": format!("{}/fulcio", state.base),
                "certChain": {"certificates": [{"rawBytes": STANDARD.encode(&state.ca_der)}]},
                "validFor": {"start": start}
            }],
            "ctlogs": [log(&state.ct_key, format!("{}/ct", state.base))],
            "timestampAuthorities": []
        });
        let path = dir.join("trusted_root.json");
        fs_err::write(&path, serde_json::to_string_pretty(&root).unwrap()).unwrap();
        path
    }
}

fn rand_bytes() -> [u8; 16] {
    use rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// An ES256 JWT with GitHub Actions' claims for `workflow_ref`.
fn jwt(key: &SigningKey, workflow_ref: &str, audience: &str, lifetime: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let repository = workflow_ref
        .split('/')
        .take(2)
        .collect::<Vec<_>>()
        .join("/");
    let git_ref = workflow_ref.split_once('@').map_or("", |(_, r)| r);
    let claims = json!({
        "iss": ISSUER,
        "aud": audience,
        "sub": format!("repo:{repository}:ref:{git_ref}"),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "repository": repository,
        "repository_owner": repository.split('/').next().unwrap_or(""),
        "repository_visibility": "public",
        "ref": git_ref,
        "sha": SHA,
        "workflow": "release",
        "workflow_ref": workflow_ref,
        "job_workflow_ref": workflow_ref,
        "event_name": "push",
        "runner_environment": "github-hosted",
        "run_id": "42",
        "run_attempt": "1",
    });
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT","kid":"test"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature: Signature = key.sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

/// The claims of a JWT whose ES256 signature verifies with `key`.
fn verified_claims(token: &str, key: &VerifyingKey) -> Result<Value, String> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT".into());
    };
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| e.to_string())?;
    let signature = Signature::from_slice(&signature).map_err(|e| e.to_string())?;
    key.verify(format!("{header}.{payload}").as_bytes(), &signature)
        .map_err(|_| "the token's signature does not verify".to_owned())?;
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    if claims["aud"] != "sigstore" {
        return Err("audience is not `sigstore`".into());
    }
    if claims["exp"].as_i64().unwrap_or(0) < chrono::Utc::now().timestamp() {
        return Err("the token expired".into());
    }
    Ok(claims)
}

// ---- HTTP --------------------------------------------------------------------------------

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn serve(stream: TcpStream, state: &Mutex<State>, request_token: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("").to_owned();
    let path = words.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let request = Request {
        method,
        path,
        headers,
        body,
    };
    let (status, answer) = {
        let mut state = state.lock().unwrap();
        route(&request, &mut state, request_token)
    };
    let mut stream = stream;
    let reason = if status < 300 { "OK" } else { "Error" };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    )?;
    stream.write_all(answer.as_bytes())?;
    stream.flush()
}

fn route(request: &Request, state: &mut State, request_token: &str) -> (u16, String) {
    let error = |status: u16, message: &str| (status, json!({ "message": message }).to_string());
    match (request.method.as_str(), request.path.split('?').next()) {
        ("GET", Some("/oidc/token")) => {
            if state.fault == Fault::TokenForbidden {
                return error(403, "forbidden");
            }
            let authorized = request
                .headers
                .iter()
                .any(|(n, v)| n == "authorization" && *v == format!("bearer {request_token}"));
            if !authorized {
                return error(401, "bad request token");
            }
            let Some(audience) = request
                .path
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("audience="))
            else {
                return error(400, "no audience");
            };
            if !request.path.contains("api-version=2.0") {
                return error(400, "the request URL's own query string was lost");
            }
            let token = jwt(&state.oidc_key, WORKFLOW_REF, audience, 600);
            (200, json!({ "count": 1, "value": token }).to_string())
        }
        ("POST", Some("/fulcio/api/v2/signingCert")) => match state.fault {
            Fault::FulcioDown => error(500, "internal error"),
            Fault::FulcioRefuses => error(401, "error processing the identity token"),
            _ => match fulcio(request, state) {
                Ok(answer) => (200, answer.to_string()),
                Err(message) => error(401, &message),
            },
        },
        ("POST", Some("/rekor/api/v1/log/entries")) => match state.fault {
            Fault::RekorDown => error(500, "internal error"),
            _ => match rekor(request, state) {
                Ok(answer) => (201, answer.to_string()),
                Err(message) => error(400, &message),
            },
        },
        _ => error(404, "not found"),
    }
}

// ---- Fulcio ------------------------------------------------------------------------------

/// A DER UTF8String (Fulcio's v2 extensions).
fn utf8_string(value: &str) -> Vec<u8> {
    let mut der = vec![0x0c];
    der.extend(der_length(value.len()));
    der.extend(value.as_bytes());
    der
}

fn der_length(length: usize) -> Vec<u8> {
    if length < 0x80 {
        vec![u8::try_from(length).unwrap()]
    } else if length < 0x100 {
        vec![0x81, u8::try_from(length).unwrap()]
    } else {
        let length = u16::try_from(length).unwrap();
        vec![0x82, (length >> 8) as u8, (length & 0xff) as u8]
    }
}

fn fulcio(request: &Request, state: &mut State) -> Result<Value, String> {
    let body: Value = serde_json::from_slice(&request.body).map_err(|e| e.to_string())?;
    let token = body["credentials"]["oidcIdentityToken"]
        .as_str()
        .ok_or("no token")?;
    let claims = verified_claims(token, state.oidc_key.verifying_key())?;
    let pem = body["publicKeyRequest"]["publicKey"]["content"]
        .as_str()
        .ok_or("no public key")?;
    let public = VerifyingKey::from_public_key_pem(pem).map_err(|e| e.to_string())?;
    // The proof of possession: the token's subject, signed with the key to certify.
    let proof = STANDARD
        .decode(
            body["publicKeyRequest"]["proofOfPossession"]
                .as_str()
                .ok_or("no proof of possession")?,
        )
        .map_err(|e| e.to_string())?;
    let proof = Signature::from_der(&proof).map_err(|e| e.to_string())?;
    let subject = claims["sub"].as_str().ok_or("no sub")?;
    public
        .verify(subject.as_bytes(), &proof)
        .map_err(|_| "the proof of possession does not verify".to_owned())?;
    let leaf = issue(state, &claims, &public)?;
    let pem = |der: &[u8]| {
        let body = STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    };
    Ok(json!({
        "signedCertificateEmbeddedSct": {
            "chain": {"certificates": [pem(&leaf), pem(&state.ca_der)]}
        }
    }))
}

/// Issues the leaf: rcgen writes its extensions (with a placeholder key), then the requested
/// key goes in, the precertificate is signed by the CT log, the SCT list is added and the CA
/// signs the result.
fn issue(state: &mut State, claims: &Value, public: &VerifyingKey) -> Result<Vec<u8>, String> {
    let claim = |name: &str| claims[name].as_str().unwrap_or("").to_owned();
    let workflow_ref = claim("job_workflow_ref");
    let identity = format!("https://github.com/{workflow_ref}");
    let server = "https://github.com";
    let repository = claim("repository");
    let fulcio_oid = |n: u64| [1, 3, 6, 1, 4, 1, 57264, 1, n];
    let mut extensions = Vec::new();
    // v1: raw strings.
    for (n, value) in [
        (1, ISSUER.to_owned()),
        (2, claim("event_name")),
        (3, claim("sha")),
        (4, claim("workflow")),
        (5, repository.clone()),
        (6, claim("ref")),
    ] {
        extensions.push(rcgen::CustomExtension::from_oid_content(
            &fulcio_oid(n),
            value.into_bytes(),
        ));
    }
    // v2: DER UTF8Strings.
    for (n, value) in [
        (8, ISSUER.to_owned()),
        (9, identity.clone()),
        (10, claim("sha")),
        (11, claim("runner_environment")),
        (12, format!("{server}/{repository}")),
        (13, claim("sha")),
        (14, claim("ref")),
        (18, identity.clone()),
        (19, claim("sha")),
        (20, claim("event_name")),
        (
            21,
            format!("{server}/{repository}/actions/runs/{}", claim("run_id")),
        ),
        (22, claim("repository_visibility")),
    ] {
        extensions.push(rcgen::CustomExtension::from_oid_content(
            &fulcio_oid(n),
            utf8_string(&value),
        ));
    }
    let spki_der = public.to_public_key_der().map_err(|e| e.to_string())?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.subject_alt_names = vec![rcgen::SanType::URI(
        identity.clone().try_into().map_err(|_| "bad SAN")?,
    )];
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::CodeSigning];
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method =
        rcgen::KeyIdMethod::PreSpecified(Sha256::digest(spki_der.as_bytes())[..20].to_vec());
    params.custom_extensions = extensions;
    state.serial += 1;
    params.serial_number = Some(rcgen::SerialNumber::from(
        state.serial.to_be_bytes().to_vec(),
    ));
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::minutes(10);
    let placeholder = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let issuer = rcgen::Issuer::from_params(&state.ca_params, &state.ca_key);
    let draft = params
        .signed_by(&placeholder, &issuer)
        .map_err(|e| e.to_string())?;
    let mut certificate =
        x509_cert::Certificate::from_der(draft.der()).map_err(|e| e.to_string())?;
    certificate.tbs_certificate.subject_public_key_info =
        x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes())
            .map_err(|e| e.to_string())?;
    // The precertificate: this TBS, without the SCT list.
    let precert_tbs = certificate
        .tbs_certificate
        .to_der()
        .map_err(|e| e.to_string())?;
    let ca_spki = x509_cert::Certificate::from_der(&state.ca_der)
        .map_err(|e| e.to_string())?
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    let sct_list = sct_list(
        &state.ct_key,
        &Sha256::digest(&ca_spki).into(),
        &precert_tbs,
    );
    let mut octets = vec![0x04];
    octets.extend(der_length(sct_list.len()));
    octets.extend(&sct_list);
    let mut extensions = certificate
        .tbs_certificate
        .extensions
        .take()
        .unwrap_or_default();
    extensions.push(x509_cert::ext::Extension {
        extn_id: x509_cert::der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2"),
        critical: false,
        extn_value: x509_cert::der::asn1::OctetString::new(octets).map_err(|e| e.to_string())?,
    });
    certificate.tbs_certificate.extensions = Some(extensions);
    let tbs = certificate
        .tbs_certificate
        .to_der()
        .map_err(|e| e.to_string())?;
    let signature = state.ca_key.sign(&tbs).map_err(|e| e.to_string())?;
    certificate.signature =
        x509_cert::der::asn1::BitString::from_bytes(&signature).map_err(|e| e.to_string())?;
    certificate.to_der().map_err(|e| e.to_string())
}

/// An RFC 6962 SCT list holding one SCT over the precertificate `tbs`.
fn sct_list(ct_key: &SigningKey, issuer_key_hash: &[u8; 32], tbs: &[u8]) -> Vec<u8> {
    let timestamp = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap();
    let mut signed = vec![0u8, 0u8]; // v1, certificate_timestamp
    signed.extend(timestamp.to_be_bytes());
    signed.extend(1u16.to_be_bytes()); // precert_entry
    signed.extend(issuer_key_hash);
    let length = u32::try_from(tbs.len()).unwrap().to_be_bytes();
    signed.extend(&length[1..]);
    signed.extend(tbs);
    signed.extend(0u16.to_be_bytes()); // no extensions
    let signature = sign_der(ct_key, &signed);
    let mut sct = vec![0u8]; // v1
    sct.extend(Sha256::digest(spki(ct_key)));
    sct.extend(timestamp.to_be_bytes());
    sct.extend(0u16.to_be_bytes());
    sct.extend([4u8, 3u8]); // sha256, ecdsa
    sct.extend(u16::try_from(signature.len()).unwrap().to_be_bytes());
    sct.extend(signature);
    let mut list = Vec::new();
    list.extend(u16::try_from(sct.len() + 2).unwrap().to_be_bytes());
    list.extend(u16::try_from(sct.len()).unwrap().to_be_bytes());
    list.extend(sct);
    list
}

// ---- Rekor -------------------------------------------------------------------------------

fn leaf_hash(data: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(data);
    hasher.finalize().into()
}

fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 Merkle tree hash.
fn tree_hash(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = split(leaves.len());
    node_hash(&tree_hash(&leaves[..k]), &tree_hash(&leaves[k..]))
}

/// RFC 6962 audit path of leaf `m`.
fn audit_path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut path = audit_path(m, &leaves[..k]);
        path.push(tree_hash(&leaves[k..]));
        path
    } else {
        let mut path = audit_path(m - k, &leaves[k..]);
        path.push(tree_hash(&leaves[..k]));
        path
    }
}

/// JSON with object keys sorted, no white space (what Rekor signs and stores).
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&map[*k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend(payload);
    out
}

fn rekor(request: &Request, state: &mut State) -> Result<Value, String> {
    let entry: Value = serde_json::from_slice(&request.body).map_err(|e| e.to_string())?;
    if entry["kind"] != "dsse" || entry["apiVersion"] != "0.0.1" {
        return Err("only dsse v0.0.1 entries".into());
    }
    let content = &entry["spec"]["proposedContent"];
    let envelope_text = content["envelope"].as_str().ok_or("no envelope")?;
    let envelope: Value = serde_json::from_str(envelope_text).map_err(|e| e.to_string())?;
    let verifier_b64 = content["verifiers"][0].as_str().ok_or("no verifier")?;
    let verifier_pem = String::from_utf8(STANDARD.decode(verifier_b64).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let certificate_der = pem_body(&verifier_pem)?;
    let certificate =
        x509_cert::Certificate::from_der(&certificate_der).map_err(|e| e.to_string())?;
    let key = VerifyingKey::from_public_key_der(
        &certificate
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let payload = STANDARD
        .decode(envelope["payload"].as_str().ok_or("no payload")?)
        .map_err(|e| e.to_string())?;
    let payload_type = envelope["payloadType"].as_str().ok_or("no payloadType")?;
    let signatures = envelope["signatures"].as_array().ok_or("no signatures")?;
    let [signature] = signatures.as_slice() else {
        return Err("one signature expected".into());
    };
    let sig_b64 = signature["sig"].as_str().ok_or("no sig")?;
    let sig = Signature::from_der(&STANDARD.decode(sig_b64).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    key.verify(&pae(payload_type, &payload), &sig)
        .map_err(|_| "the envelope's signature does not verify with the certificate".to_owned())?;
    let body = canonical(&json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(envelope_text.as_bytes()))},
            "payloadHash": {"algorithm": "sha256", "value": hex::encode(Sha256::digest(&payload))},
            "signatures": [{"signature": sig_b64, "verifier": verifier_b64}]
        }
    }));
    state.leaves.push(leaf_hash(body.as_bytes()));
    let index = state.leaves.len() - 1;
    let size = state.leaves.len();
    let root = tree_hash(&state.leaves);
    let path = audit_path(index, &state.leaves);
    let log_id = hex::encode(Sha256::digest(spki(&state.rekor_key)));
    let integrated_time = chrono::Utc::now().timestamp();
    let body_b64 = STANDARD.encode(&body);
    let set_key = if state.fault == Fault::RekorWrongKey {
        &state.wrong_key
    } else {
        &state.rekor_key
    };
    let set = sign_der(
        set_key,
        canonical(&json!({
            "body": body_b64,
            "integratedTime": integrated_time,
            "logID": log_id,
            "logIndex": index,
        }))
        .as_bytes(),
    );
    let name = format!("{}/rekor", state.base.trim_start_matches("http://"));
    let note = format!(
        "{name} - 2605736670972794746\n{size}\n{}\n",
        STANDARD.encode(root)
    );
    let mut note_signature = Sha256::digest(spki(&state.rekor_key))[..4].to_vec();
    note_signature.extend(sign_der(&state.rekor_key, note.as_bytes()));
    let checkpoint = format!(
        "{note}\n\u{2014} {name} {}\n",
        STANDARD.encode(note_signature)
    );
    let uuid = hex::encode(leaf_hash(body.as_bytes()));
    Ok(json!({
        uuid: {
            "body": body_b64,
            "integratedTime": integrated_time,
            "logID": log_id,
            "logIndex": index,
            "verification": {
                "inclusionProof": {
                    "checkpoint": checkpoint,
                    "hashes": path.iter().map(hex::encode).collect::<Vec<_>>(),
                    "logIndex": index,
                    "rootHash": hex::encode(root),
                    "treeSize": size
                },
                "signedEntryTimestamp": STANDARD.encode(set)
            }
        }
    }))
}

fn pem_body(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    STANDARD.decode(body).map_err(|e| e.to_string())
}

#[test]
fn merkle_paths_verify() {
    // The audit path of every leaf of every tree up to 9 leaves leads to the tree hash.
    for n in 1..=9usize {
        let leaves: Vec<[u8; 32]> = (0..n)
            .map(|i| leaf_hash(&[u8::try_from(i).unwrap()]))
            .collect();
        let root = tree_hash(&leaves);
        for m in 0..n {
            let path = audit_path(m, &leaves);
            // RFC 9162 2.1.3.2.
            let (mut f_n, mut s_n) = (m, n - 1);
            let mut r = leaves[m];
            for p in &path {
                if f_n % 2 == 1 || f_n == s_n {
                    r = node_hash(p, &r);
                    while f_n % 2 == 0 && f_n != 0 {
                        f_n >>= 1;
                        s_n >>= 1;
                    }
                } else {
                    r = node_hash(&r, p);
                }
                f_n >>= 1;
                s_n >>= 1;
            }
            assert_eq!(r, root, "leaf {m} of {n}");
        }
    }
}
