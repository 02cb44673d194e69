//! Keys for the signing commands (`keygen`, `gate`, `approve`, `verify`): the password (from
//! `STAGEGATE_PASSWORD`, `COSIGN_PASSWORD` or a terminal prompt), reading private and public
//! key files, and writing a private key readable by its owner only.
//!
//! A password or private key only ever lives in [`Zeroizing`] buffers or zeroize-on-drop key
//! types, and no message or log line carries one.

use std::io::IsTerminal;
use std::path::Path;

use miette::Report;
use zeroize::Zeroizing;

use crate::attest::keys::{KeyError, PublicKey, SigningKey};
use crate::cli::diagnostic::chain_report;
use crate::config::trust::TrustConfig;
use crate::env::EnvVars;
use crate::verify::{Trust, TrustedKey};

/// The password: `STAGEGATE_PASSWORD`, else `COSIGN_PASSWORD`, else a prompt on a terminal
/// (twice when `confirm`, for a new key).
pub fn password(confirm: bool) -> Result<Zeroizing<String>, Report> {
    for name in [EnvVars::STAGEGATE_PASSWORD, EnvVars::COSIGN_PASSWORD] {
        if let Ok(value) = std::env::var(name) {
            return Ok(Zeroizing::new(value));
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(miette::miette!(
            help = format!(
                "set `{}` (or `{}`) to the key's password",
                EnvVars::STAGEGATE_PASSWORD,
                EnvVars::COSIGN_PASSWORD
            ),
            "no password: no terminal to prompt on and no password variable set"
        ));
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("Enter password for private key: ")
            .map_err(|e| chain_report(&e))?,
    );
    if confirm {
        let second = Zeroizing::new(
            rpassword::prompt_password("Enter password for private key again: ")
                .map_err(|e| chain_report(&e))?,
        );
        if *first != *second {
            return Err(miette::miette!("the passwords do not match"));
        }
    }
    Ok(first)
}

fn key_report(path: &Path, err: &KeyError) -> Report {
    miette::miette!(
        "cannot load the key `{}`: {}",
        path.display(),
        crate::errors::error_chain(err)
    )
}

/// Reads a key file: a regular file only (a FIFO would block), at most 1 MiB.
fn read_key_file(path: &Path) -> Result<String, Report> {
    let limits = crate::limits::Limits {
        max_file_bytes: 1024 * 1024,
        ..crate::limits::Limits::default()
    };
    let bytes = crate::limits::read_limited(path, &limits)
        .map_err(|e| crate::cli::diagnostic::limit_report(&e))?;
    String::from_utf8(bytes).map_err(|_| {
        miette::miette!(
            "cannot load the key `{}`: it is not UTF-8 text",
            path.display()
        )
    })
}

/// Reads a private key file (cosign's encrypted format, or unencrypted PKCS#8/SEC1); asks for
/// the password only when the file is encrypted.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, Report> {
    let text = Zeroizing::new(read_key_file(path)?);
    let encrypted = text.contains("ENCRYPTED");
    let password = if encrypted {
        password(false)?
    } else {
        Zeroizing::new(String::new())
    };
    SigningKey::from_pem(&text, password.as_bytes()).map_err(|e| key_report(path, &e))
}

/// Reads a public key file (PEM `PUBLIC KEY`).
pub fn load_public_key(path: &Path) -> Result<PublicKey, Report> {
    let text = read_key_file(path)?;
    PublicKey::from_pem(&text).map_err(|e| key_report(path, &e))
}

/// Reads public keys given on the command line as trusted keys named after their files:
/// trusted for anything, since the user named them for exactly this check.
pub fn load_trusted(paths: &[std::path::PathBuf]) -> Result<Vec<TrustedKey>, Report> {
    paths
        .iter()
        .map(|path| {
            Ok(TrustedKey::for_anything(
                path.display().to_string(),
                load_public_key(path)?,
            ))
        })
        .collect()
}

/// Loads the keys and approvers of a `trust:` section.
pub fn load_trust(config: &TrustConfig) -> Result<Trust, Report> {
    Trust::load(config).map_err(|e| chain_report(&e))
}

/// Writes `bytes` to `path` with mode 0600, atomically ([`crate::fs::write_private`]). Refuses to replace a file unless `force`.
pub fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<(), Report> {
    if path.exists() && !force {
        return Err(miette::miette!(
            help = "pass `--force` to replace it",
            "`{}` already exists",
            path.display()
        ));
    }
    crate::fs::write_private(path, bytes).map_err(|e| chain_report(&e))?;
    Ok(())
}
