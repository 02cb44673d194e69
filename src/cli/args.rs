//! Argument types several commands share (clap): output formats, input limits, durations and
//! times. Raw flags only: commands turn them into settings. Each command defines its own
//! arguments in its own file; this file imports none of them.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, ValueEnum};

use crate::report::OutputFormat;

/// `--format FORMAT` or `--format FORMAT=PATH`, for any command's format enum (`evaluate`'s
/// [`OutputFormat`], `test`'s formats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec<F = OutputFormat> {
    /// The format.
    pub format: F,
    /// Where to write it; standard output when absent.
    pub path: Option<PathBuf>,
}

impl<F: ValueEnum> FromStr for FormatSpec<F> {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, path) = match text.split_once('=') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some(_) => return Err(format!("`{text}`: the path after `=` is empty")),
            None => (text, None),
        };
        let format = F::from_str(name, true).map_err(|_| {
            let names: Vec<String> = F::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
                .collect();
            format!(
                "unknown format `{name}`; expected one of: {}",
                names.join(", ")
            )
        })?;
        Ok(FormatSpec { format, path })
    }
}

/// Limits on untrusted input.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// The largest input file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::limits::Limits::default().max_file_bytes)]
    pub max_input_bytes: u64,
    /// The deepest nesting accepted in a JSON or YAML document.
    #[arg(long, value_name = "LEVELS", default_value_t = crate::limits::Limits::default().max_depth)]
    pub max_depth: usize,
}

impl LimitArgs {
    /// The limits these flags describe.
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_file_bytes: self.max_input_bytes,
            max_depth: self.max_depth,
        }
    }
}

/// Parses a duration flag (`90s`, `30m`, `24h`, `7d`, `500ms`, a number of seconds) with the
/// one rule of [`crate::time::Duration`]: positive, at most 100 years, never a panic.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::time::Duration::parse(text)
        .map(crate::time::Duration::as_std)
        .map_err(|e| e.to_string())
}

/// Parses an RFC 3339 time.
pub fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    crate::time::parse_rfc3339(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("90s"),
            Ok(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_duration("30m"),
            Ok(std::time::Duration::from_secs(1800))
        );
        assert_eq!(
            parse_duration("7d"),
            Ok(std::time::Duration::from_secs(604_800))
        );
        assert!(parse_duration("7y").is_err());
        assert!(parse_duration("0s").is_err());
        // https://github.com/stagegate/stagegate/issues/12 (point 9): no panic on huge values.
        assert!(parse_duration("99999999999999999999d").is_err());
        assert!(parse_duration("18446744073709551615s").is_err());
    }

    #[test]
    fn format_specs() {
        let spec: Result<FormatSpec, _> = "sarif=out.sarif".parse();
        assert_eq!(
            spec,
            Ok(FormatSpec {
                format: OutputFormat::Sarif,
                path: Some(PathBuf::from("out.sarif"))
            })
        );
        assert!("yaml".parse::<FormatSpec>().is_err());
    }
}
