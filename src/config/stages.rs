//! The stage configuration, `stagegate.yaml`: which policies and data guard each stage, what
//! evidence a stage requires, and which earlier stages must have passed.
//!
//! Parsed with `serde-saphyr` into span-carrying types, so that every semantic error (an
//! unknown stage in `requires`, a cycle, a missing policy path) points at the file, line and
//! column it comes from, just as a syntax error does. Unknown keys are errors: a typo must
//! never silently drop a policy. The JSON Schema in `schemas/stagegate.schema.json` is
//! generated from these types.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::config::ConfigError;
use crate::config::policy_files::{is_cel_rules, is_rego_test};
use crate::config::rego::{CustomBuiltin, RegoOptions, check_builtin, merge_builtins};
use crate::config::trust::{RawTrust, TrustConfig};
use crate::config::waivers::{
    RawWaiverEntry, RawWaiverEntrySchema, Waiver, WaiverOrigin, check_waiver, read_waiver_file,
};
use crate::document::syntax_message;
use crate::limits::{Limits, read_limited};
use crate::location::Located;
use crate::time::{Duration, DurationAt};

/// The file name looked for in the current directory when `--config` is not given.
pub const CONFIG_FILE_NAME: &str = "stagegate.yaml";

/// Kinds of evidence a stage can require (`require_evidence`).
pub const EVIDENCE_KINDS: &[&str] = &[
    "sbom",
    "vulnerabilities",
    "tests",
    "attestations",
    "provenance",
    "approvals",
];

/// `stagegate.yaml` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
#[schemars(title = "stagegate configuration", extend("$id" = "https://stagegate.dev/schemas/stagegate.schema.json"))]
struct RawConfig {
    /// Schema version of this file; `1` when omitted.
    #[serde(default)]
    version: Option<u32>,
    /// The promotion stages, in promotion order (e.g. dev, staging, prod).
    #[schemars(with = "BTreeMap<String, RawStage>")]
    stages: Spanned<indexmap_free::OrderedStages>,
    /// Keys trusted to sign earlier stages' results and evidence, approvers, and how old a
    /// result may be.
    #[serde(default)]
    trust: Option<RawTrust>,
    /// Waivers: inline, or paths (relative to this file) of YAML waiver files or signed waiver
    /// sets. Each sets matching findings of one rule aside until it expires.
    #[serde(default)]
    #[schemars(with = "Vec<RawWaiverEntrySchema>")]
    waivers: Vec<Spanned<RawWaiverEntry>>,
    /// Warn about waivers that expire sooner than this (`14d` when omitted).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    waiver_warning_window: Option<Spanned<String>>,
}

/// One stage as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawStage {
    /// Rego files or directories (searched recursively for `.rego`, `_test.rego` excluded) and
    /// CEL rule files (`*.cel.yaml`), relative to this file.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    policies: Vec<Spanned<String>>,
    /// JSON or YAML files merged into Rego's `data` and CEL's `data`, relative to this file.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    data: Vec<Spanned<String>>,
    /// Earlier stages whose passing attestation must exist for the same digest.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    requires: Vec<Spanned<String>>,
    /// Evidence kinds that must be present; a missing one is the violation
    /// `stagegate.evidence.<kind>.missing`.
    #[serde(default)]
    #[schemars(with = "Vec<EvidenceKindSchema>")]
    require_evidence: Vec<Spanned<String>>,
    /// Count warnings as failures at this stage (as `--fail-on-warn`).
    #[serde(default)]
    fail_on_warn: bool,
    /// Apply only waivers signed (DSSE) by a `trust.approvers` key whose roles allow waiving.
    #[serde(default)]
    require_signed_waivers: bool,
    /// Human description of the stage.
    #[serde(default)]
    description: Option<String>,
    /// How this stage's Rego is evaluated.
    #[serde(default)]
    rego: Option<RawRego>,
}

/// A stage's `rego:` settings as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
struct RawRego {
    /// `false` gives OPA's default semantics: a builtin error (`to_number("x")`) makes the
    /// expression undefined instead of failing the evaluation. The builtin errors stagegate
    /// observes are then counted and the first few reported as warnings. Default `true`.
    #[serde(default)]
    strict_builtin_errors: Option<bool>,
    /// Custom builtins the policies call (beyond Conforma's `ec.*`, declared by default):
    /// `{name, arity, run}`. Tests mock them with `with`; called unmocked in a gate, they are
    /// an evaluation error.
    #[serde(default)]
    #[schemars(with = "Vec<CustomBuiltin>")]
    builtins: Vec<Spanned<CustomBuiltin>>,
}

/// The kinds accepted by `require_evidence`.
#[derive(JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum EvidenceKindSchema {
    Sbom,
    Vulnerabilities,
    Tests,
    Attestations,
    Provenance,
    Approvals,
}

mod indexmap_free {
    //! Stages keep the order they are written in (promotion order) without another map crate.

    use std::fmt;

    use serde::Deserialize;
    use serde::de::{MapAccess, Visitor};
    use serde_saphyr::Spanned;

    use super::RawStage;

    /// Stages in file order, each name with its position.
    #[derive(Debug)]
    pub(super) struct OrderedStages(pub(super) Vec<(Spanned<String>, RawStage)>);

    impl<'de> Deserialize<'de> for OrderedStages {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct StagesVisitor;
            impl<'de> Visitor<'de> for StagesVisitor {
                type Value = OrderedStages;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a map of stage names to stages")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut stages = Vec::new();
                    while let Some((name, stage)) = map.next_entry::<Spanned<String>, RawStage>()? {
                        stages.push((name, stage));
                    }
                    Ok(OrderedStages(stages))
                }
            }
            deserializer.deserialize_map(StagesVisitor)
        }
    }

    /// Stage names in file order, the stages themselves skipped unread.
    #[derive(Debug)]
    pub(super) struct StageNames(pub(super) Vec<String>);

    impl<'de> Deserialize<'de> for StageNames {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct NamesVisitor;
            impl<'de> Visitor<'de> for NamesVisitor {
                type Value = StageNames;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a map of stage names to stages")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut names = Vec::new();
                    while let Some((name, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        names.push(name);
                    }
                    Ok(StageNames(names))
                }
            }
            deserializer.deserialize_map(NamesVisitor)
        }
    }
}

pub use crate::config::ConfigPath;

/// One stage, checked.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The stage name.
    pub name: String,
    /// Policy files and directories.
    pub policies: Vec<ConfigPath>,
    /// Data files.
    pub data: Vec<ConfigPath>,
    /// Earlier stages that must have passed.
    pub requires: Vec<String>,
    /// Evidence kinds that must be present.
    pub require_evidence: Vec<String>,
    /// Whether warnings fail this stage.
    pub fail_on_warn: bool,
    /// Whether only signed waivers apply at this stage.
    pub require_signed_waivers: bool,
    /// Human description.
    pub description: Option<String>,
    /// Builtin-error semantics and the custom builtins declared for this stage's Rego.
    pub rego: RegoOptions,
    line: u32,
    column: u32,
}

/// `stagegate.yaml`, parsed and checked: every stage named in `requires` exists, there is no
/// cycle, every policy and data path exists, and every evidence kind is known.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its directory, against which relative paths resolve.
    pub base_dir: PathBuf,
    /// Stages in the order they are written.
    pub stages: Vec<Stage>,
    /// Trusted keys (with their purposes and stages) and approvers.
    pub trust: TrustConfig,
    /// Unsigned waivers: written inline or in YAML waiver files.
    pub waivers: Vec<Waiver>,
    /// Signed waiver sets (bundles or DSSE envelopes) for the CLI to verify, then read with
    /// [`crate::config::waivers::waivers_from_predicate`].
    pub signed_waiver_files: Vec<ConfigPath>,
    /// `waiver_warning_window`, parsed at load, with its location.
    pub waiver_warning_window: Option<DurationAt>,
    stages_line: u32,
    stages_column: u32,
}

/// Parses a duration field once, at load, keeping where it was written for later messages.
fn duration_at(
    path: &Path,
    field: &str,
    written: Spanned<String>,
) -> Result<DurationAt, ConfigError> {
    let (line, column) = (
        written.referenced.line() as u32,
        written.referenced.column() as u32,
    );
    let value = Duration::parse(&written.value).map_err(|err| {
        ConfigError::Invalid(Located::new(
            path,
            line,
            column,
            format!("`{field}`: {err}"),
        ))
    })?;
    Ok(DurationAt {
        value,
        line,
        column,
    })
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path, limits: &Limits) -> Result<Config, ConfigError> {
        let bytes = read_limited(path, limits)?;
        let text = String::from_utf8(bytes).map_err(|err| {
            ConfigError::Invalid(Located::at_offset(
                path,
                &[],
                err.utf8_error().valid_up_to(),
                "the file is not valid UTF-8",
            ))
        })?;
        Config::parse(path, &text)
    }

    /// The stage names of the `stagegate.yaml` at `path`, in order, read without loading
    /// anything it points at (policies, keys, waiver files): for commands that only need to
    /// know which stages exist (`approve`, `waiver sign`), and must work while a file the
    /// config names is still being made (the signed waiver set `waiver sign` writes).
    pub fn stage_names(path: &Path, limits: &Limits) -> Result<Vec<String>, ConfigError> {
        #[derive(Deserialize)]
        struct Names {
            stages: indexmap_free::StageNames,
        }
        let bytes = read_limited(path, limits)?;
        let text = String::from_utf8_lossy(&bytes);
        let names: Names = serde_saphyr::from_str(&text).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line() as u32, loc.column() as u32));
            ConfigError::Invalid(Located::new(path, line, column, syntax_message(&err)))
        })?;
        Ok(names.stages.0)
    }

    /// Parses and checks config text read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line() as u32, loc.column() as u32));
            ConfigError::Invalid(Located::new(path, line, column, syntax_message(&err)))
        })?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        if let Some(version) = raw.version.filter(|&v| v != 1) {
            return Err(ConfigError::Invalid(Located::new(
                path,
                1,
                1,
                format!("unsupported config version {version}; this stagegate reads version 1"),
            )));
        }
        let stages_at = &raw.stages.referenced;
        let mut stages = Vec::new();
        let mut pending_requires: Vec<(String, u32, u32)> = Vec::new();
        for (name, raw_stage) in raw.stages.value.0 {
            let at = |spanned_line: u32, spanned_col: u32, message: String| {
                ConfigError::Invalid(Located::new(path, spanned_line, spanned_col, message))
            };
            if stages.iter().any(|s: &Stage| s.name == name.value) {
                return Err(at(
                    name.referenced.line() as u32,
                    name.referenced.column() as u32,
                    format!("stage `{}` is defined twice", name.value),
                ));
            }
            let resolve = |entries: Vec<Spanned<String>>, what: &str| {
                entries
                    .into_iter()
                    .map(|entry| {
                        let resolved = base_dir.join(&entry.value);
                        let (line, column) = (
                            entry.referenced.line() as u32,
                            entry.referenced.column() as u32,
                        );
                        if !resolved.exists() {
                            return Err(at(
                                line,
                                column,
                                format!(
                                    "{what} `{}` does not exist (looked for `{}`)",
                                    entry.value,
                                    resolved.display()
                                ),
                            ));
                        }
                        Ok(ConfigPath {
                            written: entry.value,
                            resolved,
                            line,
                            column,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let policies = resolve(raw_stage.policies, "policy path")?;
            // A policy directory without a policy in it would make a gate that checks
            // nothing and passes everything (conftest refuses it too).
            if let Some(empty) = policies
                .iter()
                .find(|p| p.resolved.is_dir() && !holds_policy(&p.resolved))
            {
                return Err(at(
                    empty.line,
                    empty.column,
                    format!(
                        "policy directory `{}` holds no `.rego` (other than `_test.rego`) or `.cel.yaml` policy",
                        empty.written
                    ),
                ));
            }
            let data = resolve(raw_stage.data, "data file")?;
            let mut require_evidence = Vec::new();
            for kind in raw_stage.require_evidence {
                if !EVIDENCE_KINDS.contains(&kind.value.as_str()) {
                    return Err(at(
                        kind.referenced.line() as u32,
                        kind.referenced.column() as u32,
                        format!(
                            "unknown evidence kind `{}`; expected one of: {}",
                            kind.value,
                            EVIDENCE_KINDS.join(", ")
                        ),
                    ));
                }
                require_evidence.push(kind.value);
            }
            pending_requires.extend(raw_stage.requires.iter().map(|r| {
                (
                    r.value.clone(),
                    r.referenced.line() as u32,
                    r.referenced.column() as u32,
                )
            }));
            let mut rego = RegoOptions::default();
            if let Some(raw_rego) = raw_stage.rego {
                rego.strict_builtin_errors = raw_rego.strict_builtin_errors.unwrap_or(true);
                let mut declared = Vec::new();
                for builtin in raw_rego.builtins {
                    check_builtin(&builtin.value).map_err(|message| {
                        at(
                            builtin.referenced.line() as u32,
                            builtin.referenced.column() as u32,
                            message,
                        )
                    })?;
                    declared.push(builtin.value);
                }
                rego.builtins = merge_builtins(&declared);
            }
            stages.push(Stage {
                name: name.value,
                policies,
                data,
                requires: raw_stage.requires.into_iter().map(|r| r.value).collect(),
                require_evidence,
                fail_on_warn: raw_stage.fail_on_warn,
                require_signed_waivers: raw_stage.require_signed_waivers,
                description: raw_stage.description,
                rego,
                line: name.referenced.line() as u32,
                column: name.referenced.column() as u32,
            });
        }
        for (required, line, column) in pending_requires {
            if !stages.iter().any(|s| s.name == required) {
                let known: Vec<_> = stages.iter().map(|s| s.name.as_str()).collect();
                return Err(ConfigError::Invalid(Located::new(
                    path,
                    line,
                    column,
                    format!(
                        "`requires` names the unknown stage `{required}`; stages are: {}",
                        known.join(", ")
                    ),
                )));
            }
        }
        let stage_names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        let trust = raw
            .trust
            .unwrap_or_default()
            .check(&base_dir, Some(&stage_names))
            .map_err(|e| ConfigError::Invalid(Located::new(path, e.line, e.column, e.message)))?;
        let mut waivers = Vec::new();
        let mut signed_waiver_files = Vec::new();
        for entry in raw.waivers {
            let (line, column) = (
                entry.referenced.line() as u32,
                entry.referenced.column() as u32,
            );
            match entry.value {
                RawWaiverEntry::Inline(raw_waiver) => {
                    let file = path.display().to_string();
                    let origin = WaiverOrigin {
                        path,
                        file: &file,
                        signed_by: None,
                    };
                    waivers.push(check_waiver(
                        *raw_waiver,
                        &origin,
                        &stage_names,
                        (line, column),
                    )?);
                }
                RawWaiverEntry::File(written) => {
                    let resolved = base_dir.join(&written);
                    if !resolved.is_file() {
                        return Err(ConfigError::Invalid(Located::new(
                            path,
                            line,
                            column,
                            format!(
                                "waiver file `{written}` does not exist (looked for `{}`)",
                                resolved.display()
                            ),
                        )));
                    }
                    let bytes = read_limited(&resolved, &Limits::default())?;
                    if is_signed_document(&bytes) {
                        signed_waiver_files.push(ConfigPath {
                            written,
                            resolved,
                            line,
                            column,
                        });
                        continue;
                    }
                    let text = String::from_utf8(bytes).map_err(|err| {
                        ConfigError::Invalid(Located::at_offset(
                            &resolved,
                            &[],
                            err.utf8_error().valid_up_to(),
                            "the file is not valid UTF-8",
                        ))
                    })?;
                    let origin = WaiverOrigin {
                        path: &resolved,
                        file: &written,
                        signed_by: None,
                    };
                    waivers.extend(read_waiver_file(&text, &origin, &stage_names)?);
                }
            }
        }
        let config = Config {
            path: path.to_owned(),
            base_dir,
            trust,
            waivers,
            signed_waiver_files,
            waiver_warning_window: raw
                .waiver_warning_window
                .map(|w| duration_at(path, "waiver_warning_window", w))
                .transpose()?,
            stages,
            stages_line: stages_at.line() as u32,
            stages_column: stages_at.column() as u32,
        };
        config.check_cycles()?;
        Ok(config)
    }

    /// The stage called `name`, or an error pointing at `stages:` listing the known ones.
    pub fn stage(&self, name: &str) -> Result<&Stage, ConfigError> {
        self.stages.iter().find(|s| s.name == name).ok_or_else(|| {
            let known: Vec<_> = self.stages.iter().map(|s| s.name.as_str()).collect();
            ConfigError::Invalid(
                Located::new(
                    &self.path,
                    self.stages_line,
                    self.stages_column,
                    format!("unknown stage `{name}`"),
                )
                .with_help(unknown_stage_help(name, &known)),
            )
        })
    }

    /// Refuses `requires` cycles (prod → staging → prod), naming the stage where one closes.
    fn check_cycles(&self) -> Result<(), ConfigError> {
        fn visit<'a>(
            config: &'a Config,
            stage: &'a Stage,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) -> Result<(), ConfigError> {
            if done.contains(stage.name.as_str()) {
                return Ok(());
            }
            if path.contains(&stage.name.as_str()) {
                let mut cycle = path.clone();
                cycle.push(&stage.name);
                return Err(ConfigError::Invalid(Located::new(
                    &config.path,
                    stage.line,
                    stage.column,
                    format!("`requires` forms a cycle: {}", cycle.join(" → ")),
                )));
            }
            path.push(&stage.name);
            for required in &stage.requires {
                if let Some(next) = config.stages.iter().find(|s| &s.name == required) {
                    visit(config, next, path, done)?;
                }
            }
            path.pop();
            done.insert(&stage.name);
            Ok(())
        }
        let mut done = BTreeSet::new();
        for stage in &self.stages {
            visit(self, stage, &mut Vec::new(), &mut done)?;
        }
        Ok(())
    }
}

/// The help for an unknown stage name: the closest known one, then every known one.
pub fn unknown_stage_help<S: AsRef<str>>(name: &str, known: &[S]) -> String {
    let list = known
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ");
    match closest(name, known.iter().map(AsRef::as_ref)) {
        Some(close) => format!("did you mean `{close}`? stages defined here: {list}"),
        None => format!("stages defined here: {list}"),
    }
}

/// The candidate nearest to `name` (Levenshtein distance, ignoring case), when it is near
/// enough to be a typo: at most 1 edit for short names, 2 from 5 characters, 3 from 9.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match name.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, counting a swap of two neighbouring characters as one edit
/// (`prdo` → `prod`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(cell) = table.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = table.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    let get = |table: &[usize], i: usize, j: usize| {
        table.get(at(i, j)).copied().unwrap_or(usize::MAX / 2)
    };
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let same = a.get(i - 1) == b.get(j - 1);
            let mut best = (get(&table, i - 1, j) + 1)
                .min(get(&table, i, j - 1) + 1)
                .min(get(&table, i - 1, j - 1) + usize::from(!same));
            if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                best = best.min(get(&table, i - 2, j - 2) + 1);
            }
            if let Some(cell) = table.get_mut(at(i, j)) {
                *cell = best;
            }
        }
    }
    get(&table, a.len(), b.len())
}

/// Whether a waiver file is a signed document (a Sigstore bundle or DSSE envelope, JSON)
/// rather than a YAML waiver list.
fn is_signed_document(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|value| {
        ["payloadType", "dsseEnvelope", "mediaType"]
            .iter()
            .any(|key| value.get(*key).is_some())
    })
}

/// Whether a directory holds at least one policy file a gate would evaluate.
fn holds_policy(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .any(|entry| {
            let name = entry.file_name().to_string_lossy();
            (name.ends_with(".rego") && !is_rego_test(&name)) || is_cel_rules(&name)
        })
}

/// The JSON Schema of `stagegate.yaml`, for editors.
pub fn config_schema() -> schemars::Schema {
    schemars::schema_for!(RawConfig)
}
