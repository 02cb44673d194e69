//! The gate's rules compiled for regorus's VM (RVM), run on each evaluation.
//!
//! The interpreter walks the AST on every evaluation; the VM runs a program compiled once
//! when the policies are loaded, about three times faster on large evidence (10,000
//! components: 17 ms instead of 49 ms for the starter library's rules). It is used when asked
//! for (`--rego-engine vm`). The interpreter stays the reference: a policy the compiler
//! refuses (a `with` in a rule body, for one) is evaluated by the interpreter, and so is any
//! evaluation the VM fails, so that an error is reported with the interpreter's file, line
//! and column.
//!
//! The VM reads an error inside a rule body as "this body is undefined", as OPA does without
//! `--strict-builtin-errors`: a `deny` rule whose body fails would then not fire, and the
//! gate would pass. For builtins, the most common source of runtime errors, that is put right
//! here: each builtin the program calls is wrapped, and its first error stops the VM (as a
//! limit error, the one kind the VM never swallows); the interpreter then reports it.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::{Program, RegoVM};
use regorus::unstable::{BuiltinFcn, Expr, Ref, Span};

use crate::policy::parallel::evaluate_rules;
use crate::policy::rego_engine::time_limit;

/// A limit on VM instructions per rule that real policies never reach: the time limit is
/// what bounds an evaluation. (The VM's default, 25,000, stops at a few hundred components.)
const MAX_INSTRUCTIONS: usize = 1 << 40;

thread_local! {
    /// `time.now_ns()` as the current evaluation pins it; set on each thread that runs a VM.
    static PINNED_NOW_NS: Cell<Option<i64>> = const { Cell::new(None) };
    /// The builtins the running program calls, by index: what each wrapper calls.
    static BUILTINS: RefCell<Arc<[BuiltinFcn]>> = RefCell::new(Arc::from([]));
    /// The first builtin error of the running rule, which stopped the VM.
    static BUILTIN_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The gate's rules as one compiled program, with the data it runs on.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRules {
    program: Arc<Program>,
    /// The builtins the wrappers in `program` call, by index.
    builtins: Arc<[BuiltinFcn]>,
    data: regorus::Value,
    entry_points: Vec<String>,
}

/// Why the VM gave no answer: the caller then asks the interpreter.
#[derive(Debug)]
pub(crate) enum VmFailure {
    /// The time limit passed.
    Timeout,
    /// Any other error, as the VM phrased it.
    Error(String),
}

impl CompiledRules {
    /// Compiles the rules at `rule_paths` (`data.pkg.rule`). `None` when the compiler refuses
    /// the policies: the interpreter then evaluates them.
    pub(crate) fn compile(engine: &regorus::Engine, rule_paths: &[String]) -> Option<Self> {
        let first = rule_paths.first()?;
        let mut engine = engine.clone();
        let compiled = engine
            .compile_with_entrypoint(&first.as_str().into())
            .map_err(|err| tracing::debug!(%err, "the Rego compiler refused the policies"))
            .ok()?;
        let entry_points: Vec<&str> = rule_paths.iter().map(String::as_str).collect();
        let mut program = Compiler::compile_from_policy(&compiled, &entry_points)
            .map_err(|err| tracing::debug!(%err, "the Rego compiler refused the policies"))
            .ok()?;
        let program_mut = Arc::make_mut(&mut program);
        if program_mut.resolved_builtins.is_empty() {
            program_mut.initialize_resolved_builtins().ok()?;
        }
        let mut builtins = program_mut.resolved_builtins.clone();
        if builtins.len() > CHECKED.len() {
            tracing::debug!(
                count = builtins.len(),
                "too many distinct builtins for the VM's error checks; using the interpreter"
            );
            return None;
        }
        for ((info, original), (resolved, checked)) in program_mut
            .builtin_info_table
            .iter()
            .zip(builtins.iter_mut())
            .zip(program_mut.resolved_builtins.iter_mut().zip(CHECKED))
        {
            if info.name == "time.now_ns" {
                original.0 = pinned_now_ns;
            }
            resolved.0 = checked;
        }
        Some(CompiledRules {
            program,
            builtins: builtins.into(),
            data: engine.get_data(),
            entry_points: rule_paths.to_vec(),
        })
    }

    /// Runs every rule on `input` on `threads` threads (each with its own VM), returning the
    /// rules' values in the order of the paths given to [`CompiledRules::compile`].
    pub(crate) fn run(
        &self,
        input: &regorus::Value,
        now_ns: i64,
        timeout: Duration,
        threads: usize,
    ) -> Result<Vec<regorus::Value>, VmFailure> {
        let mut workers = Vec::new();
        for _ in 0..threads.clamp(1, self.entry_points.len().max(1)) {
            let mut vm = RegoVM::new();
            vm.load_program(self.program.clone());
            vm.set_data(self.data.clone())
                .map_err(|err| VmFailure::Error(err.to_string()))?;
            vm.set_input(input.clone());
            vm.set_strict_builtin_errors(true);
            vm.set_max_instructions(MAX_INSTRUCTIONS);
            vm.set_execution_timer_config(Some(time_limit(timeout)));
            workers.push(vm);
        }
        evaluate_rules(
            self.entry_points.len(),
            workers,
            |vm, index| {
                PINNED_NOW_NS.with(|now| now.set(Some(now_ns)));
                BUILTINS.with(|builtins| *builtins.borrow_mut() = self.builtins.clone());
                BUILTIN_ERROR.with(|error| error.borrow_mut().take());
                let path = self.entry_points.get(index).map_or("", String::as_str);
                vm.execute_entry_point_by_name(path).map_err(|err| {
                    if let Some(builtin) = BUILTIN_ERROR.with(|error| error.borrow_mut().take()) {
                        return VmFailure::Error(builtin);
                    }
                    let text = err.to_string();
                    if text.contains("exceeded time limit") {
                        VmFailure::Timeout
                    } else {
                        VmFailure::Error(text)
                    }
                })
            },
            VmFailure::Error,
        )
    }
}

/// `time.now_ns()` for the VM: the evaluation's pinned time. (The interpreter pins it with an
/// extension, which the VM does not call.)
fn pinned_now_ns(
    _span: &Span,
    _params: &[Ref<Expr>],
    _args: &[regorus::Value],
    _strict: bool,
) -> anyhow::Result<regorus::Value> {
    PINNED_NOW_NS
        .with(Cell::get)
        .map(regorus::Value::from)
        .ok_or_else(|| anyhow::anyhow!("time.now_ns: no evaluation time is pinned"))
}

/// A builtin as the VM calls it.
type BuiltinFn = fn(&Span, &[Ref<Expr>], &[regorus::Value], bool) -> anyhow::Result<regorus::Value>;

/// One wrapper per builtin index a program may use.
#[rustfmt::skip]
const CHECKED: [BuiltinFn; 128] = [
    checked::<0>, checked::<1>, checked::<2>, checked::<3>, checked::<4>, checked::<5>, checked::<6>, checked::<7>,
    checked::<8>, checked::<9>, checked::<10>, checked::<11>, checked::<12>, checked::<13>, checked::<14>, checked::<15>,
    checked::<16>, checked::<17>, checked::<18>, checked::<19>, checked::<20>, checked::<21>, checked::<22>, checked::<23>,
    checked::<24>, checked::<25>, checked::<26>, checked::<27>, checked::<28>, checked::<29>, checked::<30>, checked::<31>,
    checked::<32>, checked::<33>, checked::<34>, checked::<35>, checked::<36>, checked::<37>, checked::<38>, checked::<39>,
    checked::<40>, checked::<41>, checked::<42>, checked::<43>, checked::<44>, checked::<45>, checked::<46>, checked::<47>,
    checked::<48>, checked::<49>, checked::<50>, checked::<51>, checked::<52>, checked::<53>, checked::<54>, checked::<55>,
    checked::<56>, checked::<57>, checked::<58>, checked::<59>, checked::<60>, checked::<61>, checked::<62>, checked::<63>,
    checked::<64>, checked::<65>, checked::<66>, checked::<67>, checked::<68>, checked::<69>, checked::<70>, checked::<71>,
    checked::<72>, checked::<73>, checked::<74>, checked::<75>, checked::<76>, checked::<77>, checked::<78>, checked::<79>,
    checked::<80>, checked::<81>, checked::<82>, checked::<83>, checked::<84>, checked::<85>, checked::<86>, checked::<87>,
    checked::<88>, checked::<89>, checked::<90>, checked::<91>, checked::<92>, checked::<93>, checked::<94>, checked::<95>,
    checked::<96>, checked::<97>, checked::<98>, checked::<99>, checked::<100>, checked::<101>, checked::<102>, checked::<103>,
    checked::<104>, checked::<105>, checked::<106>, checked::<107>, checked::<108>, checked::<109>, checked::<110>, checked::<111>,
    checked::<112>, checked::<113>, checked::<114>, checked::<115>, checked::<116>, checked::<117>, checked::<118>, checked::<119>,
    checked::<120>, checked::<121>, checked::<122>, checked::<123>, checked::<124>, checked::<125>, checked::<126>, checked::<127>,
];

/// Calls builtin `INDEX` of the running program. Its error is kept for the caller and turned
/// into a limit error, which the VM does not swallow: the rule stops instead of reading the
/// failed call as undefined.
fn checked<const INDEX: usize>(
    span: &Span,
    params: &[Ref<Expr>],
    args: &[regorus::Value],
    strict: bool,
) -> anyhow::Result<regorus::Value> {
    let builtin = BUILTINS.with(|builtins| builtins.borrow().get(INDEX).copied());
    let Some((call, _)) = builtin else {
        return Err(anyhow::anyhow!("builtin {INDEX} is not resolved"));
    };
    call(span, params, args, strict).map_err(|err| {
        if err.downcast_ref::<regorus::LimitError>().is_some() {
            return err;
        }
        BUILTIN_ERROR.with(|error| {
            error.borrow_mut().get_or_insert_with(|| err.to_string());
        });
        anyhow::Error::new(regorus::LimitError::RegexSizeLimitExceeded { limit: 0 })
    })
}
