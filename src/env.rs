//! Every environment variable stagegate reads, in one place.

/// Names of the environment variables stagegate reads.
#[derive(Debug)]
pub struct EnvVars;

impl EnvVars {
    /// Disables colour when set to any non-empty value (<https://no-color.org>).
    pub const NO_COLOR: &'static str = "NO_COLOR";
    /// Forces colour on when set to a non-empty value other than `0`.
    pub const CLICOLOR_FORCE: &'static str = "CLICOLOR_FORCE";
    /// A `tracing` filter for log output on stderr (e.g. `stagegate=debug`).
    pub const STAGEGATE_LOG: &'static str = "STAGEGATE_LOG";
    /// The password of the private key `keygen` writes and `gate`/`approve` read (cosign's
    /// encrypted format); read before `COSIGN_PASSWORD`. Without either, stagegate prompts on a
    /// terminal. Never logged.
    pub const STAGEGATE_PASSWORD: &'static str = "STAGEGATE_PASSWORD";
    /// cosign's variable for the same password, honoured so cosign pipelines work unchanged.
    pub const COSIGN_PASSWORD: &'static str = "COSIGN_PASSWORD";
    /// A registry user name for every registry stagegate talks to; read before the Docker
    /// config. Needs `STAGEGATE_REGISTRY_PASSWORD`.
    pub const STAGEGATE_REGISTRY_USERNAME: &'static str = "STAGEGATE_REGISTRY_USERNAME";
    /// The password (or token) for `STAGEGATE_REGISTRY_USERNAME`. Never logged.
    pub const STAGEGATE_REGISTRY_PASSWORD: &'static str = "STAGEGATE_REGISTRY_PASSWORD";
    /// The directory holding Docker's `config.json` (registry credentials); default
    /// `~/.docker`.
    pub const DOCKER_CONFIG: &'static str = "DOCKER_CONFIG";
    /// The home directory, where Docker's `config.json` is looked for (`~/.docker`) when
    /// `DOCKER_CONFIG` is not set.
    pub const HOME: &'static str = "HOME";
    /// Whether library errors capture a backtrace. The binary sets it to `0` when unset, so
    /// that `RUST_BACKTRACE=1` in CI does not slow down loading policies; panics still print
    /// their backtrace as `RUST_BACKTRACE` asks.
    pub const RUST_LIB_BACKTRACE: &'static str = "RUST_LIB_BACKTRACE";
    /// The audit store `gate`, `evaluate --audit` and `audit` use, as `--audit-db`:
    /// `postgres://…` or a SQLite file. May hold a password; never logged.
    pub const STAGEGATE_AUDIT_DB: &'static str = "STAGEGATE_AUDIT_DB";
    /// Seconds each fuzz target runs in `cargo test` (tests only; default 1; CI sets 20). See
    /// `docs/fuzzing.md`.
    pub const STAGEGATE_FUZZ_SECONDS: &'static str = "STAGEGATE_FUZZ_SECONDS";
    /// The seed of the fuzzing run to replay (tests only).
    pub const STAGEGATE_FUZZ_SEED: &'static str = "STAGEGATE_FUZZ_SEED";
    /// A file each fuzz target appends its iteration count to (tests only).
    pub const STAGEGATE_FUZZ_REPORT: &'static str = "STAGEGATE_FUZZ_REPORT";
}
