//! How a stage's Rego is evaluated, as configured (`stages.<name>.rego:`): builtin-error
//! semantics and the custom builtins the policies call. The builtins themselves are
//! `crate::policy::builtins`; this is what the configuration declares.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One custom builtin: a function the policies call that the host supplies.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct CustomBuiltin {
    /// The dotted name the policies call, e.g. `ec.oci.blob`.
    pub name: String,
    /// How many arguments it takes.
    pub arity: u8,
    /// Whether stagegate's own implementation may run (only for builtins it implements:
    /// `ec.purl.parse`, `ec.purl.is_valid`); `false` makes every call an error unless mocked.
    #[serde(default = "yes")]
    pub run: bool,
}

fn yes() -> bool {
    true
}

/// How a stage's (or a test run's) Rego is evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegoOptions {
    /// Whether a builtin error is an evaluation error (`true`: gates, and `stagegate test
    /// --strict-builtin-errors`) or makes the expression undefined (OPA's default).
    pub strict_builtin_errors: bool,
    /// The custom builtins declared (Conforma's set and the config's).
    pub builtins: Vec<CustomBuiltin>,
    /// Whether a declared builtin without an implementation, called unmocked, is undefined
    /// (`stagegate test` without `--strict-builtin-errors`, as Conforma's builtins are when
    /// they cannot reach a registry) rather than an error (always, in a gate).
    pub unmocked_undefined: bool,
    /// Whether conftest's `parse_combined_config_files(paths)` may read files (only in
    /// `stagegate test`: a gate reads nothing but its input).
    pub file_builtins: bool,
}

impl Default for RegoOptions {
    /// Strict builtin errors, Conforma's builtins declared.
    fn default() -> Self {
        RegoOptions {
            strict_builtin_errors: true,
            builtins: default_builtins(),
            unmocked_undefined: false,
            file_builtins: false,
        }
    }
}

/// Conforma's (`ec`) custom builtins, as its CLI declares them.
pub const CONFORMA_BUILTINS: &[(&str, u8)] = &[
    ("ec.oci.blob", 1),
    ("ec.oci.blob_files", 2),
    ("ec.oci.descriptor", 1),
    ("ec.oci.image_files", 2),
    ("ec.oci.image_index", 1),
    ("ec.oci.image_manifest", 1),
    ("ec.oci.image_manifests", 1),
    ("ec.oci.image_referrers", 1),
    ("ec.oci.image_tag_refs", 1),
    ("ec.sigstore.verify_attestation", 2),
    ("ec.sigstore.verify_image", 2),
    ("ec.purl.is_valid", 1),
    ("ec.purl.parse", 1),
];

/// The custom builtins declared by default: Conforma's set.
pub fn default_builtins() -> Vec<CustomBuiltin> {
    CONFORMA_BUILTINS
        .iter()
        .map(|(name, arity)| CustomBuiltin {
            name: (*name).to_owned(),
            arity: *arity,
            run: true,
        })
        .collect()
}

/// Merges declarations over the defaults: a declaration with a default's name replaces it.
pub fn merge_builtins(declared: &[CustomBuiltin]) -> Vec<CustomBuiltin> {
    let mut all: BTreeMap<String, CustomBuiltin> = default_builtins()
        .into_iter()
        .map(|b| (b.name.clone(), b))
        .collect();
    for builtin in declared {
        all.insert(builtin.name.clone(), builtin.clone());
    }
    all.into_values().collect()
}

/// Checks a declaration: a dotted name of identifiers that is not an OPA builtin namespace
/// regorus already implements.
pub fn check_builtin(builtin: &CustomBuiltin) -> Result<(), String> {
    let valid = !builtin.name.is_empty()
        && builtin.name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if !valid {
        return Err(format!(
            "`{}` is not a builtin name (dotted identifiers, e.g. `acme.lookup`)",
            builtin.name
        ));
    }
    Ok(())
}
