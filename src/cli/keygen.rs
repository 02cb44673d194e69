//! `stagegate keygen`: write a key pair in cosign's formats, `P.key` (encrypted, mode 0600)
//! and `P.pub` (PEM), so `cosign sign --key P.key` and `stagegate verify --key P.pub` both work.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use miette::Report;

use crate::attest::keys::SigningKey;
use crate::cli::exit::ExitStatus;
use crate::cli::output::write_atomically;
use crate::cli::signing::{password, write_private};

/// `stagegate keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write `PREFIX.key` and `PREFIX.pub`.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: PathBuf,
    /// The key's algorithm.
    #[arg(long, value_enum, default_value_t = KeyAlgorithmArg::EcdsaP256)]
    pub algorithm: KeyAlgorithmArg,
    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

/// Key algorithms `keygen` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithmArg {
    /// ECDSA P-256 with SHA-256: cosign's default, understood by every Sigstore verifier.
    EcdsaP256,
    /// Ed25519.
    Ed25519,
}

/// Runs `stagegate keygen`.
pub fn keygen(args: KeygenArgs) -> Result<ExitStatus, Report> {
    let prefix = args.output_key_prefix.display().to_string();
    let private_path = PathBuf::from(format!("{prefix}.key"));
    let public_path = PathBuf::from(format!("{prefix}.pub"));
    if !args.force {
        for path in [&private_path, &public_path] {
            if path.exists() {
                return Err(miette::miette!(
                    help = "pass `--force` to replace it, or choose another `--output-key-prefix`",
                    "`{}` already exists",
                    path.display()
                ));
            }
        }
    }
    let password = password(true)?;
    let key = match args.algorithm {
        KeyAlgorithmArg::EcdsaP256 => SigningKey::generate_p256(),
        KeyAlgorithmArg::Ed25519 => SigningKey::generate_ed25519(),
    };
    let private_pem = key
        .to_encrypted_pem(password.as_bytes())
        .map_err(|e| miette::miette!("cannot encrypt the key: {e}"))?;
    let public = key.public_key();
    write_private(&private_path, private_pem.as_bytes(), true)?;
    write_atomically(&public_path, public.to_pem().as_bytes())?;
    tracing::info!(hint = %public.hint(), "wrote a {} key pair", key.algorithm());
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "Private key written to `{}`\nPublic key written to `{}`",
            private_path.display(),
            public_path.display()
        );
    }
    Ok(ExitStatus::Success)
}
