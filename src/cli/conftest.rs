//! `stagegate evaluate --policy DIR --input FILE…`: conftest's everyday use, without a
//! `stagegate.yaml`.
//!
//! The policies and `--data` files make one implicit stage, `conftest`. As in `conftest test`,
//! only the rules of package `main` are evaluated unless `--namespace NS…` or
//! `--all-namespaces`; every input file, and every document of a multi-document YAML file,
//! is evaluated on its own, and the findings of all of them make one decision, each naming
//! the file (and, in a multi-document file, the 0-based document index) in its details
//! (`input`, `document`). The decision fails when any document fails. `--combine` gives the
//! policies all inputs at once, as `[{path, contents}, …]`.
//!
//! conftest's `exception` rules are honoured: for each document, `data.<package>.exception`
//! (a set of rule-name lists, `exception contains ["run_as_root"] if …`) excepts the findings
//! of `deny_run_as_root` (and `violation_`/`warn_` of that name; `""` names the bare `deny`)
//! in that package. They are reported like waived findings, with the waiver id
//! `data.<package>.exception`. Rules renamed by METADATA `custom.short_name` cannot be
//! excepted this way.
//!
//! The subject is the inputs themselves: its name lists them and its digest is the sha256 of
//! their bytes in order, so the decision is bound to exactly what was read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use miette::Report;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cli::diagnostic::{document_report, limit_report, policy_report};
use crate::cli::evaluate_args::EvaluateArgs;
use crate::config::stages::ConfigPath;
use crate::decision::{
    AppliedWaiver, Decision, DecisionContext, Finding, SourceLocation, WaivedFinding,
};
use crate::document::parse_documents;
use crate::evidence::{Digest as DigestSet, Subject};
use crate::limits::read_limited;
use crate::policy::builtins::RegoOptions;
use crate::policy::{EvaluationContext, PolicyInput, PolicySet};

/// The implicit stage's name.
pub const STAGE: &str = "conftest";

fn config_path(path: &std::path::Path) -> ConfigPath {
    ConfigPath {
        written: path.display().to_string(),
        resolved: path.to_owned(),
        line: 0,
        column: 0,
    }
}

/// One document to evaluate: the file, its index in the file (when it holds several), and
/// the value.
struct Item {
    file: String,
    document: Option<usize>,
    value: Value,
}

/// Loads the policies and inputs, evaluates every document, returns one decision.
pub(crate) fn decide(args: &EvaluateArgs) -> Result<Decision, Report> {
    let limits = args.limits.limits();
    if args.input.is_empty() {
        return Err(miette::miette!(
            help = "give the documents to check with `--input FILE` (repeatable)",
            "nothing to evaluate"
        ));
    }
    if args.evidence.is_some() || args.config.is_some() {
        return Err(miette::miette!(
            "`--policy` makes its own stage: give documents with `--input`, not `--evidence` or `--config`"
        ));
    }
    let policies: Vec<ConfigPath> = args
        .conftest
        .policy
        .iter()
        .map(|p| config_path(p))
        .collect();
    let data: Vec<ConfigPath> = args.conftest.data.iter().map(|p| config_path(p)).collect();
    let mut set = PolicySet::load(
        &policies,
        &data,
        &[],
        std::path::Path::new("."),
        &limits,
        &RegoOptions::default(),
    )
    .map_err(|e| policy_report(&e))?;
    set.set_pruning(!args.no_prune);
    if !args.conftest.all_namespaces {
        let namespaces: Vec<String> = if args.conftest.namespace.is_empty() {
            vec!["main".to_owned()]
        } else {
            args.conftest.namespace.clone()
        };
        set.retain_packages(&|package| namespaces.iter().any(|n| n == package));
    }

    let mut digest = Sha256::new();
    let mut items = Vec::new();
    for path in &args.input {
        let bytes = read_limited(path, &limits).map_err(|e| limit_report(&e))?;
        digest.update(&bytes);
        let values = parse_documents(path, &bytes, &limits).map_err(|e| document_report(&e))?;
        let several = values.len() > 1;
        let file = if path == &PathBuf::from("-") {
            "<stdin>".to_owned()
        } else {
            path.display().to_string()
        };
        for (index, value) in values.into_iter().enumerate() {
            items.push(Item {
                file: file.clone(),
                document: several.then_some(index),
                value,
            });
        }
    }
    if args.conftest.combine {
        let combined: Vec<Value> = items
            .iter()
            .map(|item| json!({"path": item.file, "contents": item.value}))
            .collect();
        items = vec![Item {
            file: "<combined>".to_owned(),
            document: None,
            value: Value::Array(combined),
        }];
    }

    let evaluated_at = chrono::Utc::now();
    let now = args.effective_time.unwrap_or(evaluated_at);
    let context = EvaluationContext {
        stage: STAGE.to_owned(),
        now,
        timeout: args.timeout,
        rego_engine: args.rego_engine,
    };
    let mut rules = Vec::new();
    let mut violations = Vec::new();
    let mut warnings = Vec::new();
    let mut excepted = Vec::new();
    for item in items {
        let input = PolicyInput::from_json(item.value);
        let evaluation = set
            .evaluate(&input, &context)
            .map_err(|e| policy_report(&e).wrap_err(format!("evaluating `{}`", item.file)))?;
        let mut exceptions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let packages: BTreeSet<&str> = evaluation
            .rules
            .iter()
            .filter_map(|r| r.id.rsplit_once('.').map(|(package, _)| package))
            .collect();
        for package in packages {
            let path = format!("data.{package}.exception");
            let value = set
                .rego_value(&input, &path, &context)
                .map_err(|e| policy_report(&e))?;
            let names = exceptions.entry(package.to_owned()).or_default();
            collect_names(value.as_ref(), names);
        }
        if rules.is_empty() {
            rules = evaluation.rules;
        }
        let mark = |mut finding: Finding| {
            finding
                .details
                .insert("input".into(), Value::from(item.file.clone()));
            if let Some(index) = item.document {
                finding
                    .details
                    .insert("document".into(), Value::from(index));
            }
            finding
        };
        for (warning, findings) in [(false, evaluation.violations), (true, evaluation.warnings)] {
            for finding in findings.into_iter().map(mark) {
                match exception_for(&finding.rule, &exceptions) {
                    Some(id) => excepted.push(WaivedFinding {
                        finding,
                        warning,
                        waiver: AppliedWaiver {
                            id: id.clone(),
                            reason: "conftest exception rule".to_owned(),
                            ticket: String::new(),
                            approved_by: String::new(),
                            expires: String::new(),
                            source: SourceLocation { file: id, line: 0 },
                            signed_by: None,
                        },
                    }),
                    None if warning => warnings.push(finding),
                    None => violations.push(finding),
                }
            }
        }
    }
    if rules.is_empty() {
        return Err(miette::miette!(
            help = "conftest evaluates package `main` by default: name others with `--namespace` or `--all-namespaces`",
            "the policies hold no rule to evaluate (`deny`, `violation`, `warn`, …) in the selected packages"
        ));
    }
    let hex = hex::encode(digest.finalize());
    let names: Vec<String> = args.input.iter().map(|p| p.display().to_string()).collect();
    Ok(Decision::with_waived(
        DecisionContext {
            stage: STAGE.to_owned(),
            subject: Subject {
                name: names.join(","),
                digest: DigestSet {
                    sha256: hex.clone(),
                    other: Default::default(),
                },
            },
            promotion_id: uuid::Uuid::now_v7().to_string(),
            evaluated_at,
            effective_time: now,
            policy_digest: set.digest().to_owned(),
            evidence_digest: format!("sha256:{hex}"),
            fail_on_warn: args.fail_on_warn,
        },
        rules,
        violations,
        warnings,
        excepted,
    ))
}

/// Every rule name in an `exception` value: a set (or array) of names or of name lists.
fn collect_names(value: Option<&Value>, names: &mut BTreeSet<String>) {
    match value {
        Some(Value::String(name)) => {
            names.insert(name.clone());
        }
        Some(Value::Array(items)) => {
            for item in items {
                collect_names(Some(item), names);
            }
        }
        _ => {}
    }
}

/// The exception (`data.<package>.exception`) that covers a finding of rule `<package>.<name>`.
fn exception_for(rule: &str, exceptions: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    let (package, name) = rule.rsplit_once('.')?;
    let names = exceptions.get(package)?;
    let short = ["deny", "violation", "warn"].iter().find_map(|kind| {
        let rest = name.strip_prefix(kind)?;
        if rest.is_empty() {
            Some("")
        } else {
            rest.strip_prefix('_')
        }
    })?;
    names
        .contains(short)
        .then(|| format!("data.{package}.exception"))
}
