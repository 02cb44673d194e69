//! `stagegate test`: run the Rego `test_*` rules and CEL test cases under the given paths
//! (default: every stage's policy paths in `stagegate.yaml`, else the current directory),
//! report them as text, JSON or JUnit, with coverage; exit 0 (all passed), 1 (a test failed,
//! or coverage is below `--threshold`) or 2 (a test errored, or a file does not load).

use std::path::{Path, PathBuf};

use clap::Args;
use miette::Report;

use crate::cli::args::{FormatSpec, LimitArgs, parse_duration, parse_time};
use crate::cli::diagnostic::{chain_report, document_report, located_report, policy_report};
use crate::cli::exit::ExitStatus;
use crate::cli::output::{plan_outputs, write_rendered};
use crate::config::stages::{CONFIG_FILE_NAME, Config, ConfigPath};
use crate::policy::builtins::{CustomBuiltin, RegoOptions, merge_builtins};
use crate::policy::data::load_data;
use crate::report::testing::{RenderOptions, TestFormat, render};
use crate::testing::{RunOutcome, TestError, TestOptions, discover_tests, run};

/// `stagegate test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rego files, CEL rule or test files, or directories searched recursively [default: the
    /// policy paths of every stage in `stagegate.yaml`, else the current directory].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The stage configuration whose policy paths (and data files) to test when no PATH is
    /// given [default: ./stagegate.yaml when it exists].
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only run tests whose id matches this regular expression: `data.<package>.<rule>` for
    /// Rego, `<test file>#<case name>` for CEL.
    #[arg(long, value_name = "REGEX")]
    pub run: Option<String>,
    /// Output format, repeatable: `text` (default), `json`, `junit`; `FORMAT=PATH` writes
    /// that format to a file (atomically).
    #[arg(long, short, value_name = "FORMAT[=PATH]")]
    pub format: Vec<TestFormatSpec>,
    /// Report coverage: covered and uncovered lines of each Rego policy file, and whether the
    /// tests made each CEL validation true, false, or never ran it.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit 1) when coverage is below this percentage, listing what is uncovered.
    /// Implies `--coverage`.
    #[arg(long, value_name = "PERCENT", value_parser = parse_threshold)]
    pub threshold: Option<f64>,
    /// A JSON or YAML data file merged into Rego's `data`, repeatable (CEL cases give their
    /// own `data`).
    #[arg(long, short, value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// What `time.now_ns()` returns (unless a test mocks it with `with time.now_ns as …`) and
    /// CEL's `now` is (unless a case sets `now`), RFC 3339; default: the current time.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub effective_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Time limit for one test, e.g. `30s`.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Threads running Rego tests [default: the number of CPUs].
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Limits on input size and nesting.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Fail (exit 1) when no test ran, e.g. a `--run` pattern that matches nothing, as
    /// `opa test --fail-on-empty`.
    #[arg(long)]
    pub fail_on_empty: bool,
    /// Make a builtin error (`to_number("x")`, a bad `sprintf` argument) an error of the
    /// test, as `opa test --strict-builtin-errors`. By default, as `opa test`, it makes the
    /// expression undefined: libraries such as Conforma's rely on that.
    #[arg(long)]
    pub strict_builtin_errors: bool,
    /// List every test with its duration (set from the global `-v`).
    #[arg(skip)]
    pub verbose: bool,
}

/// `--format FORMAT` or `--format FORMAT=PATH` for `stagegate test`.
pub type TestFormatSpec = FormatSpec<TestFormat>;

fn parse_threshold(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a percentage between 0 and 100")),
    }
}

/// The settings of one run, resolved from the flags and `stagegate.yaml`.
#[derive(Debug)]
struct TestSettings {
    paths: Vec<PathBuf>,
    base_dir: PathBuf,
    data: Vec<ConfigPath>,
    outputs: Vec<TestFormatSpec>,
    options: TestOptions,
    verbose: bool,
    fail_on_empty: bool,
}

fn config_path_of(path: &Path) -> ConfigPath {
    ConfigPath {
        written: path.display().to_string(),
        resolved: path.to_owned(),
        line: 0,
        column: 0,
    }
}

fn resolve(args: TestArgs) -> Result<TestSettings, Report> {
    let limits = args.limits.limits();
    let outputs = plan_outputs(&args.format, TestFormat::Text)?;
    let mut data: Vec<ConfigPath> = args.data.iter().map(|p| config_path_of(p)).collect();
    let mut declared: Vec<CustomBuiltin> = Vec::new();
    let (paths, base_dir) = if args.paths.is_empty() {
        let config_file = args.config.clone().or_else(|| {
            let default = PathBuf::from(CONFIG_FILE_NAME);
            default.exists().then_some(default)
        });
        match config_file {
            Some(file) => {
                let config = Config::load(&file, &limits)
                    .map_err(|e| crate::cli::diagnostic::config_report(&e))?;
                let mut paths: Vec<PathBuf> = Vec::new();
                for stage in &config.stages {
                    for entry in &stage.policies {
                        if !paths.contains(&entry.resolved) {
                            paths.push(entry.resolved.clone());
                        }
                    }
                    declared.extend(stage.rego.builtins.iter().cloned());
                    for entry in &stage.data {
                        if !data.iter().any(|d| d.resolved == entry.resolved) {
                            data.push(entry.clone());
                        }
                    }
                }
                (paths, config.base_dir)
            }
            None => (vec![PathBuf::from(".")], PathBuf::from(".")),
        }
    } else {
        (args.paths.clone(), PathBuf::from("."))
    };
    let filter = args
        .run
        .as_deref()
        .map(TestOptions::filter)
        .transpose()
        .map_err(|e| test_report(&e))?;
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    Ok(TestSettings {
        paths,
        base_dir,
        data,
        outputs,
        verbose: args.verbose,
        fail_on_empty: args.fail_on_empty,
        options: TestOptions {
            filter,
            coverage: args.coverage || args.threshold.is_some(),
            threshold: args.threshold,
            now: args.effective_time,
            timeout: args.timeout,
            jobs,
            data: serde_json::Value::Null,
            limits,
            rego: RegoOptions {
                strict_builtin_errors: args.strict_builtin_errors,
                builtins: merge_builtins(&declared),
                unmocked_undefined: !args.strict_builtin_errors,
                file_builtins: true,
            },
        },
    })
}

/// The report for an error that stops a test run.
fn test_report(err: &TestError) -> Report {
    match err {
        TestError::Policy(err) => policy_report(err),
        TestError::TestFile(located) => located_report("invalid CEL test file", located),
        TestError::Fixture { case, source } => {
            document_report(source).wrap_err(format!("cannot read the fixture of case `{case}`"))
        }
        TestError::MissingPath { path } => miette::miette!(
            help = "give Rego files, CEL rule or test files, or directories",
            "`{}` does not exist",
            path.display()
        ),
        TestError::Filter { .. } => chain_report(err),
    }
}

/// Runs `stagegate test`.
pub fn test(args: TestArgs, color: bool) -> Result<ExitStatus, Report> {
    let mut settings = resolve(args)?;
    let files = discover_tests(&settings.paths, &settings.base_dir).map_err(|e| test_report(&e))?;
    let loaded =
        load_data(&settings.data, &settings.options.limits).map_err(|e| policy_report(&e))?;
    settings.options.data = loaded.value;
    let report = run(&files, &settings.options).map_err(|e| test_report(&e))?;
    let summary = report.summary();
    tracing::info!(
        total = summary.total,
        passed = summary.passed,
        failed = summary.failed,
        errored = summary.errored,
        "ran tests"
    );
    let mut rendered = Vec::new();
    for spec in &settings.outputs {
        let options = RenderOptions {
            color: color && spec.path.is_none(),
            verbose: settings.verbose,
        };
        rendered.push((spec.path.clone(), render(&report, spec.format, &options)));
    }
    write_rendered(&rendered)?;
    if settings.fail_on_empty && summary.total == summary.skipped {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("error: no tests were run (`--fail-on-empty`)");
        }
        return Ok(ExitStatus::PolicyFailure);
    }
    Ok(match report.outcome() {
        RunOutcome::Passed => ExitStatus::Success,
        RunOutcome::Failed => ExitStatus::PolicyFailure,
        RunOutcome::Errored => ExitStatus::Error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_specs() {
        assert_eq!(
            "junit=out.xml".parse::<TestFormatSpec>(),
            Ok(TestFormatSpec {
                format: TestFormat::JUnit,
                path: Some(PathBuf::from("out.xml"))
            })
        );
        assert!("sarif".parse::<TestFormatSpec>().is_err());
    }

    #[test]
    fn thresholds() {
        assert_eq!(parse_threshold("90"), Ok(90.0));
        assert_eq!(parse_threshold("87.5%"), Ok(87.5));
        assert!(parse_threshold("101").is_err());
    }
}
