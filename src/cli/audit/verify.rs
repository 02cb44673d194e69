//! `stagegate audit verify`: walk the hash chain, exit 1 at the first broken record.
//!
//! Without `--key` it checks hashes, links and the head: enough to find an accident or an
//! edit by someone who did not re-hash. With `--key PUB` (the gate keys' public halves) it
//! also checks every record's seal and the head's, so an edit, an insertion, a rewound head or
//! an emptied store made without a key is found; records without a seal (`evaluate --audit`)
//! fail the check unless `--allow-unsigned`, and are listed either way. `--checkpoint BUNDLE`
//! (a decision bundle a gate signed, which names the chain head right after its own record)
//! finds a tail deleted after it, even when the whole store was put back from an old copy.

use std::path::PathBuf;

use clap::Args;
use miette::Report;

use super::AuditDbArgs;
use crate::attest::keys::PublicKey;
use crate::attest::vsa::{AuditHead, DECISION_PREDICATE_TYPE};
use crate::audit::{BrokenKind, ChainHead, ChainVerifier, SealVerifier, open, verify_chain_with};
use crate::cli::diagnostic::chain_report;
use crate::cli::exit::ExitStatus;
use crate::cli::signing::load_public_key;
use crate::limits::{Limits, read_limited};
use crate::verify::policy::{Rule, VerificationPolicy};
use crate::verify::{Purpose, Trust, TrustedKey, Verifier, verify_bytes};

/// `stagegate audit verify`.
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// The store.
    #[command(flatten)]
    pub db: AuditDbArgs,
    /// A gate's public key: every record and the chain head must carry a seal that verifies
    /// with one of these keys. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub key: Vec<PathBuf>,
    /// With `--key`: accept records appended without a key (`evaluate --audit`); they are
    /// still listed.
    #[arg(long, requires = "key")]
    pub allow_unsigned: bool,
    /// A decision bundle a gate signed (verified with `--key`): the chain must still reach the
    /// audit head it names, with the same hash. Repeatable.
    #[arg(long, value_name = "BUNDLE", requires = "key")]
    pub checkpoint: Vec<PathBuf>,
}

/// The `--key` keys, by key id.
struct Keys(Vec<PublicKey>);

impl SealVerifier for Keys {
    fn verify(&self, key_id: &str, message: &[u8], signature: &[u8]) -> Option<bool> {
        self.0
            .iter()
            .find(|k| k.hint() == key_id)
            .map(|k| k.verify(message, signature).is_ok())
    }
}

/// Runs `stagegate audit verify`.
#[allow(clippy::print_stderr)]
pub fn verify(args: AuditVerifyArgs) -> Result<ExitStatus, Report> {
    let location = args.db.location()?;
    let keys = Keys(
        args.key
            .iter()
            .map(|path| load_public_key(path))
            .collect::<Result<_, _>>()?,
    );
    let trusted: Vec<TrustedKey> = args
        .key
        .iter()
        .zip(&keys.0)
        .map(|(path, key)| TrustedKey::for_anything(path.display().to_string(), key.clone()))
        .collect();
    let trusted = Verifier::new(&Trust::with_keys(trusted));
    let mut verifier = if args.key.is_empty() {
        ChainVerifier::default()
    } else {
        ChainVerifier::with_keys(&keys, args.allow_unsigned)
    };
    for path in &args.checkpoint {
        verifier.checkpoint(checkpoint(path, &trusted)?);
    }
    let mut store = open(&location).map_err(|e| chain_report(&e))?;
    let result = verify_chain_with(store.as_mut(), verifier).map_err(|e| chain_report(&e))?;
    match result {
        Ok(checked) => {
            let unsigned = checked.unsigned.len();
            if args.key.is_empty() {
                eprintln!("audit chain intact: {} records", checked.count);
            } else if unsigned == 0 {
                eprintln!(
                    "audit chain intact: {} records, every one and the head sealed by a trusted key",
                    checked.count
                );
            } else {
                eprintln!(
                    "audit chain intact: {} records; {unsigned} unsigned (allowed by `--allow-unsigned`): {}",
                    checked.count,
                    list(&checked.unsigned)
                );
            }
            if !args.checkpoint.is_empty() {
                eprintln!("every checkpoint ({}) is reached", args.checkpoint.len());
            }
            Ok(ExitStatus::Success)
        }
        Err(broken) if broken.kind == BrokenKind::Empty => {
            eprintln!("error: the audit store holds no record to verify against `--key`");
            eprintln!();
            eprintln!(
                "hint: its rows were deleted, or `--audit-db` names another store; restore it from a backup"
            );
            Ok(ExitStatus::PolicyFailure)
        }
        Err(broken) => {
            eprintln!("error: audit chain broken at {broken}");
            eprintln!();
            eprintln!(
                "hint: records from {} on cannot be trusted; restore them from a backup",
                broken.seq
            );
            Ok(ExitStatus::PolicyFailure)
        }
    }
}

/// The audit head a signed decision names.
fn checkpoint(path: &std::path::Path, trusted: &Verifier) -> Result<ChainHead, Report> {
    let bytes = read_limited(path, &Limits::default()).map_err(|e| chain_report(&e))?;
    let policy = VerificationPolicy::builder()
        .rule(Rule::PredicateType(DECISION_PREDICATE_TYPE.to_owned()))
        .build()
        .map_err(|e| chain_report(&e))?;
    let verified = verify_bytes(trusted, &bytes, Purpose::Results, None, &policy).map_err(|e| {
        miette::miette!(
            "checkpoint `{}` does not verify with `--key`: {}",
            path.display(),
            crate::errors::error_chain(&e)
        )
    })?;
    let head = verified
        .into_statement()
        .and_then(|s| s.predicate.get("auditHead").cloned())
        .and_then(|h| serde_json::from_value::<AuditHead>(h).ok())
        .ok_or_else(|| {
            miette::miette!(
                help = "a decision a gate signed since audit heads were recorded names one",
                "checkpoint `{}` names no audit head",
                path.display()
            )
        })?;
    Ok(ChainHead {
        seq: head.seq,
        hash: head.hash,
        seal: None,
    })
}

fn list(seqs: &[u64]) -> String {
    let shown: Vec<String> = seqs.iter().take(20).map(u64::to_string).collect();
    let more = seqs.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
