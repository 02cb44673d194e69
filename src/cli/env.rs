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
}
