//! Builtins regorus lacks, added through its extension API: declared custom builtins (as
//! Conforma's `ec.*`), real implementations of those that need no network (`ec.purl.*`), and
//! OPA builtins the policy libraries use (`crypto.x509.parse_certificates`).
//!
//! A **custom builtin** is declared with a name and an arity. In a test it is mocked with
//! `with ec.oci.blob as _mock_blob` like any builtin; called unmocked, it is an evaluation error
//! naming it (a gate never quietly reads a missing builtin as undefined). A declared builtin
//! that stagegate implements (`ec.purl.parse`, `ec.purl.is_valid`) runs for real unless it is
//! declared with `run: false`.
//!
//! Conforma's set is declared by default, so its policy library loads unmodified.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use base64::Engine as _;
use regorus::Value;
use serde_json::{Map, Value as Json, json};

pub use crate::config::rego::{
    CONFORMA_BUILTINS, CustomBuiltin, RegoOptions, check_builtin, default_builtins, merge_builtins,
};

/// Adds every declared custom builtin and the OPA builtins stagegate supplies to `engine`.
///
/// A declared builtin without an implementation is an error when called unmocked, or
/// undefined with [`RegoOptions::unmocked_undefined`]. An implemented builtin's error (an
/// invalid purl) is an error with strict builtin errors and undefined without, as OPA's own.
pub(crate) fn add_builtins(
    engine: &mut regorus::Engine,
    options: &RegoOptions,
) -> anyhow::Result<()> {
    type Implementation = fn(&[Value]) -> anyhow::Result<Value>;
    let strict = options.strict_builtin_errors;
    let real = |engine: &mut regorus::Engine, name: String, arity: u8, run: Implementation| {
        engine.add_extension(
            name,
            arity,
            Box::new(move |args: Vec<Value>| match run(&args) {
                Err(_) if !strict => Ok(Value::Undefined),
                other => other,
            }),
        )
    };
    for builtin in &options.builtins {
        let name = builtin.name.clone();
        match (builtin.name.as_str(), builtin.run) {
            ("ec.purl.parse", true) if builtin.arity == 1 => real(engine, name, 1, purl_parse)?,
            ("ec.purl.is_valid", true) if builtin.arity == 1 => {
                real(engine, name, 1, purl_is_valid)?
            }
            _ => {
                let message = format!(
                    "custom builtin `{name}` has no implementation here: a test mocks it with `with {name} as …`"
                );
                let undefined = options.unmocked_undefined;
                engine.add_extension(
                    name,
                    builtin.arity,
                    Box::new(move |_: Vec<Value>| {
                        if undefined {
                            Ok(Value::Undefined)
                        } else {
                            Err(anyhow::anyhow!("{message}"))
                        }
                    }),
                )?
            }
        }
    }
    crate::policy::json_schema::add_match_schema(engine, strict)?;
    if options.file_builtins {
        real(
            engine,
            "parse_combined_config_files".to_owned(),
            1,
            parse_combined_config_files,
        )?;
    }
    real(
        engine,
        "crypto.x509.parse_certificates".to_owned(),
        1,
        parse_certificates,
    )?;
    Ok(())
}

/// conftest's `parse_combined_config_files(paths)`: each JSON or YAML file (every document
/// of a multi-document file) as `{path, contents}`, as `--combine` gives them to policies.
fn parse_combined_config_files(args: &[Value]) -> anyhow::Result<Value> {
    let name = "parse_combined_config_files";
    let paths: Vec<String> = match args.first() {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(path) => Ok(path.to_string()),
                other => Err(anyhow::anyhow!(
                    "{name}: a path must be a string, got {other}"
                )),
            })
            .collect::<anyhow::Result<_>>()?,
        _ => anyhow::bail!("{name}: operand 1 must be an array of paths"),
    };
    let limits = crate::limits::Limits::default();
    let mut out = Vec::new();
    for path in paths {
        let file = std::path::Path::new(&path);
        let bytes = crate::limits::read_limited(file, &limits)?;
        for contents in crate::document::parse_documents(file, &bytes, &limits)? {
            out.push(json!({"path": path, "contents": contents}));
        }
    }
    Ok(Value::from(Json::Array(out)))
}

fn string_arg<'a>(args: &'a [Value], name: &str) -> anyhow::Result<&'a str> {
    match args.first() {
        Some(Value::String(text)) => Ok(text),
        Some(other) => anyhow::bail!("{name}: operand 1 must be a string, got {other}"),
        None => anyhow::bail!("{name}: missing operand"),
    }
}

/// `ec.purl.parse(purl)`: `{type, namespace, name, version, qualifiers: [{key, value}],
/// subpath}` as Conforma's CLI returns it; an invalid purl is an error (undefined unless
/// builtin errors are strict).
fn purl_parse(args: &[Value]) -> anyhow::Result<Value> {
    let text = string_arg(args, "ec.purl.parse")?;
    let purl: packageurl::PackageUrl<'_> = without_empty_subpath(text)
        .parse()
        .map_err(|err| anyhow::anyhow!("ec.purl.parse: `{text}` is not a purl: {err}"))?;
    let mut qualifiers: Vec<(&str, &str)> = purl
        .qualifiers()
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    qualifiers.sort_unstable();
    let value = json!({
        "type": purl.ty(),
        "namespace": purl.namespace().unwrap_or_default(),
        "name": purl.name(),
        "version": purl.version().unwrap_or_default(),
        "qualifiers": qualifiers
            .into_iter()
            .map(|(key, value)| json!({"key": key, "value": value}))
            .collect::<Vec<_>>(),
        "subpath": purl.subpath().unwrap_or_default(),
    });
    Ok(Value::from(value))
}

/// The purl without a subpath that is empty once cleaned (`…@v1.2#`, `…#/`): Conforma's
/// packageurl-go reads it as no subpath, the packageurl crate refuses it.
fn without_empty_subpath(text: &str) -> &str {
    match text.rsplit_once('#') {
        Some((purl, subpath))
            if subpath
                .split('/')
                .all(|segment| matches!(segment, "" | "." | "..")) =>
        {
            purl
        }
        _ => text,
    }
}

/// `ec.purl.is_valid(purl)`: whether the string parses as a purl.
fn purl_is_valid(args: &[Value]) -> anyhow::Result<Value> {
    let valid = match args.first() {
        Some(Value::String(text)) => without_empty_subpath(text)
            .parse::<packageurl::PackageUrl<'_>>()
            .is_ok(),
        _ => false,
    };
    Ok(Value::from(valid))
}

/// `crypto.x509.parse_certificates(certs)`: PEM, or base64 of DER or of PEM, to an array of
/// certificates shaped as OPA (Go's `x509.Certificate` in JSON) shows them: `Subject`,
/// `Issuer`, `SerialNumber`, `NotBefore`, `NotAfter`, `KeyUsage`, `ExtKeyUsage`,
/// `Extensions` [{`Id`, `Critical`, `Value`}], `DNSNames`, `EmailAddresses`, `URIStrings`,
/// `IsCA`, `Raw`, `Version`.
fn parse_certificates(args: &[Value]) -> anyhow::Result<Value> {
    let text = string_arg(args, "crypto.x509.parse_certificates")?;
    let name = "crypto.x509.parse_certificates";
    let ders: Vec<Vec<u8>> = if text.contains("-----BEGIN") {
        pem_blocks(text.as_bytes())?
    } else {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|err| anyhow::anyhow!("{name}: neither PEM nor base64: {err}"))?;
        if decoded.starts_with(b"-----BEGIN") {
            pem_blocks(&decoded)?
        } else {
            split_der(&decoded)?
        }
    };
    let mut out = Vec::with_capacity(ders.len());
    for der in &ders {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|err| anyhow::anyhow!("{name}: not an X.509 certificate: {err}"))?;
        out.push(certificate_json(&cert, der));
    }
    Ok(Value::from(Json::Array(out)))
}

fn pem_blocks(bytes: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut ders = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(bytes) {
        let pem =
            pem.map_err(|err| anyhow::anyhow!("crypto.x509.parse_certificates: bad PEM: {err}"))?;
        if pem.label == "CERTIFICATE" {
            ders.push(pem.contents);
        }
    }
    Ok(ders)
}

/// Splits concatenated DER certificates.
fn split_der(mut bytes: &[u8]) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut ders = Vec::new();
    while !bytes.is_empty() {
        let (rest, _) = x509_parser::parse_x509_certificate(bytes).map_err(|err| {
            anyhow::anyhow!("crypto.x509.parse_certificates: not an X.509 certificate: {err}")
        })?;
        let used = bytes.len() - rest.len();
        ders.push(bytes.get(..used).unwrap_or_default().to_vec());
        bytes = rest;
    }
    Ok(ders)
}

fn name_json(name: &x509_parser::x509::X509Name<'_>) -> Json {
    let strings =
        |iter: &mut dyn Iterator<Item = &x509_parser::x509::AttributeTypeAndValue<'_>>| {
            iter.filter_map(|a| a.as_str().ok().map(|s| Json::from(s.to_owned())))
                .collect::<Vec<_>>()
        };
    let common = name
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .unwrap_or_default();
    json!({
        "CommonName": common,
        "Country": strings(&mut name.iter_country()),
        "Organization": strings(&mut name.iter_organization()),
        "OrganizationalUnit": strings(&mut name.iter_organizational_unit()),
        "Locality": strings(&mut name.iter_locality()),
        "Province": strings(&mut name.iter_state_or_province()),
    })
}

fn rfc3339(time: &x509_parser::time::ASN1Time) -> Json {
    chrono::DateTime::from_timestamp(time.timestamp(), 0).map_or(Json::Null, |t| {
        Json::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    })
}

fn certificate_json(cert: &x509_parser::certificate::X509Certificate<'_>, der: &[u8]) -> Json {
    use x509_parser::extensions::GeneralName;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let key_usage = cert
        .key_usage()
        .ok()
        .flatten()
        .map_or(0, |ku| u64::from(ku.value.flags));
    let mut ext_key_usage = Vec::new();
    if let Ok(Some(eku)) = cert.extended_key_usage() {
        let eku = eku.value;
        for (set, code) in [
            (eku.any, 0),
            (eku.server_auth, 1),
            (eku.client_auth, 2),
            (eku.code_signing, 3),
            (eku.email_protection, 4),
            (eku.time_stamping, 8),
            (eku.ocsp_signing, 9),
        ] {
            if set {
                ext_key_usage.push(code);
            }
        }
    }
    let (mut dns, mut emails, mut uris, mut ips) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for general in &san.value.general_names {
            match general {
                GeneralName::DNSName(s) => dns.push(Json::from(*s)),
                GeneralName::RFC822Name(s) => emails.push(Json::from(*s)),
                GeneralName::URI(s) => uris.push(Json::from(*s)),
                GeneralName::IPAddress(bytes) => ips.push(Json::from(b64(bytes))),
                _ => {}
            }
        }
    }
    let extensions: Vec<Json> = cert
        .extensions()
        .iter()
        .map(|ext| {
            let id: Vec<Json> = ext
                .oid
                .iter()
                .map(|arcs| arcs.map(Json::from).collect())
                .unwrap_or_default();
            json!({"Id": id, "Critical": ext.critical, "Value": b64(ext.value)})
        })
        .collect();
    let (is_ca, constraints_valid) = match cert.basic_constraints() {
        Ok(Some(bc)) => (bc.value.ca, true),
        _ => (false, false),
    };
    let serial: Json = serde_json::from_str(&cert.serial.to_string()).unwrap_or(Json::Null);
    let mut out = Map::new();
    out.insert("Raw".into(), Json::from(b64(der)));
    out.insert("Version".into(), Json::from(cert.version().0 + 1));
    out.insert("SerialNumber".into(), serial);
    out.insert("Subject".into(), name_json(cert.subject()));
    out.insert("Issuer".into(), name_json(cert.issuer()));
    out.insert("NotBefore".into(), rfc3339(&cert.validity().not_before));
    out.insert("NotAfter".into(), rfc3339(&cert.validity().not_after));
    out.insert("KeyUsage".into(), Json::from(key_usage));
    out.insert("ExtKeyUsage".into(), Json::from(ext_key_usage));
    out.insert("Extensions".into(), Json::from(extensions));
    out.insert("DNSNames".into(), Json::from(dns));
    out.insert("EmailAddresses".into(), Json::from(emails));
    out.insert("URIStrings".into(), Json::from(uris));
    out.insert("IPAddresses".into(), Json::from(ips));
    out.insert("IsCA".into(), Json::from(is_ca));
    out.insert(
        "BasicConstraintsValid".into(),
        Json::from(constraints_valid),
    );
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_parse_as_conforma_shows_them() {
        let parsed = purl_parse(&[Value::from(
            "pkg:oci/app@sha256:abc?repository_url=quay.io/org/app&arch=amd64",
        )]);
        let json = parsed.ok().and_then(|v| serde_json::to_value(&v).ok());
        assert_eq!(
            json,
            Some(json!({
                "type": "oci", "namespace": "", "name": "app", "version": "sha256:abc",
                "qualifiers": [{"key": "arch", "value": "amd64"},
                               {"key": "repository_url", "value": "quay.io/org/app"}],
                "subpath": ""
            }))
        );
        assert!(purl_parse(&[Value::from("not a purl")]).is_err());
        // An empty subpath is no subpath, as packageurl-go reads it.
        let empty = purl_parse(&[Value::from("pkg:golang/github.com/h/consul@v1.29.2#")]);
        let empty = empty.ok().and_then(|v| serde_json::to_value(&v).ok());
        assert_eq!(
            empty.as_ref().map(|j| j["subpath"].clone()),
            Some(json!(""))
        );
        assert_eq!(empty.map(|j| j["name"].clone()), Some(json!("consul")));
        assert_eq!(
            purl_is_valid(&[Value::from("pkg:rpm/redhat/bash@5.1")]).ok(),
            Some(Value::from(true))
        );
        assert_eq!(
            purl_is_valid(&[Value::from("bash")]).ok(),
            Some(Value::from(false))
        );
    }

    #[test]
    fn declarations_are_checked_and_merged() {
        let ok = CustomBuiltin {
            name: "acme.lookup".into(),
            arity: 1,
            run: true,
        };
        assert!(check_builtin(&ok).is_ok());
        let bad = CustomBuiltin {
            name: "acme..lookup".into(),
            ..ok.clone()
        };
        assert!(check_builtin(&bad).is_err());
        let merged = merge_builtins(&[ok]);
        assert_eq!(merged.len(), CONFORMA_BUILTINS.len() + 1);
    }
}
