//! Durations and RFC 3339 times: the one checked [`Duration`] every flag and config field is
//! parsed into, once, where it is read, and the arithmetic on times that cannot overflow.
//!
//! A duration is written `500ms`, `90s`, `30m`, `24h`, `7d` (a decimal fraction is allowed:
//! `1.5h`), or a bare number of seconds. One rule everywhere (`--timeout`, `--max-age`,
//! `--since`, `trust.max_age`, `waiver_warning_window`, the admission webhook's `max_age` and
//! cache TTLs): a duration is **positive** (`0s` is refused) and at most [`Duration::MAX`]
//! (100 years), so adding it to or subtracting it from any time stagegate handles stays in
//! range. Parsing is exact (integers, no floating point) and never panics.
//!
//! Time arithmetic goes through [`earlier`], [`later`] and [`older_than`], which saturate at
//! the ends of chrono's range instead of panicking.

#![deny(clippy::arithmetic_side_effects)]

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};

/// A checked, positive duration of at most [`Duration::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(std::time::Duration);

/// Why a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a number followed by a unit.
    #[error("`{0}` is not a duration like 90s, 30m, 24h or 7d")]
    Syntax(String),
    /// A unit other than ms, s, m, h or d.
    #[error("`{text}`: unknown unit `{unit}`; use ms, s, m, h or d")]
    Unit {
        /// The duration as written.
        text: String,
        /// The unit found.
        unit: String,
    },
    /// Zero (or a fraction below a nanosecond).
    #[error("`{0}` must be a positive duration")]
    Zero(String),
    /// Longer than [`Duration::MAX`].
    #[error("`{0}` is too long: at most 36500d (100 years)")]
    TooLong(String),
}

/// Nanoseconds per unit.
const UNITS: &[(&str, u128)] = &[
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

impl Duration {
    /// The longest accepted duration: 100 years of 365 days.
    pub const MAX: Duration = Duration(std::time::Duration::from_secs(36_500 * 86_400));

    /// A duration of `seconds` (positive, at most [`Duration::MAX`]) for defaults in code.
    pub const fn from_secs(seconds: u64) -> Duration {
        Duration(std::time::Duration::from_secs(seconds))
    }

    /// Parses `500ms`, `90s`, `30m`, `24h`, `7d`, `1.5h` or a number of seconds.
    pub fn parse(text: &str) -> Result<Duration, DurationError> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let per_unit = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, nanos)| *nanos)
            .ok_or_else(|| DurationError::Unit {
                text: text.to_owned(),
                unit: unit.to_owned(),
            })?;
        let syntax = || DurationError::Syntax(text.to_owned());
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || number.ends_with('.')
        {
            return Err(syntax());
        }
        let too_long = || DurationError::TooLong(text.to_owned());
        let max = Duration::MAX.0.as_nanos();
        // Whole units: any digit string longer than the maximum's is too long, before parsing.
        let whole_value: u128 = if whole.is_empty() {
            0
        } else if whole.trim_start_matches('0').len() > 25 {
            return Err(too_long());
        } else {
            whole.parse().map_err(|_| syntax())?
        };
        let mut nanos = whole_value.checked_mul(per_unit).ok_or_else(too_long)?;
        // The fraction, digit by digit: below a nanosecond, digits no longer count.
        let mut scale = per_unit;
        for digit in fraction.bytes() {
            scale = scale.checked_div(10).unwrap_or(0);
            if scale == 0 {
                break;
            }
            let value = u128::from(digit.saturating_sub(b'0'));
            nanos = value
                .checked_mul(scale)
                .and_then(|part| nanos.checked_add(part))
                .ok_or_else(too_long)?;
        }
        if nanos == 0 {
            return Err(DurationError::Zero(text.to_owned()));
        }
        if nanos > max {
            return Err(too_long());
        }
        let seconds = nanos.checked_div(1_000_000_000).unwrap_or(0);
        let sub = nanos.checked_rem(1_000_000_000).unwrap_or(0);
        let seconds = u64::try_from(seconds).map_err(|_| too_long())?;
        let sub = u32::try_from(sub).map_err(|_| too_long())?;
        Ok(Duration(std::time::Duration::new(seconds, sub)))
    }

    /// As a standard duration.
    pub fn as_std(self) -> std::time::Duration {
        self.0
    }

    /// As a chrono time delta (always in range: [`Duration::MAX`] is far below its limit).
    pub fn as_delta(self) -> TimeDelta {
        TimeDelta::from_std(self.0).unwrap_or(TimeDelta::MAX)
    }
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Duration::parse(text)
    }
}

impl From<Duration> for std::time::Duration {
    fn from(d: Duration) -> Self {
        d.0
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides it exactly: `7d`, `90m`, `1500ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        for (unit, per) in [
            ("d", 86_400_000_000_000u128),
            ("h", 3_600_000_000_000),
            ("m", 60_000_000_000),
            ("s", 1_000_000_000),
            ("ms", 1_000_000),
        ] {
            if nanos.checked_rem(per) == Some(0) {
                return write!(f, "{}{unit}", nanos.checked_div(per).unwrap_or(0));
            }
        }
        write!(f, "{}ns", nanos)
    }
}

/// A duration read from a config file, with where it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationAt {
    /// The duration.
    pub value: Duration,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// `time - d`, or the earliest representable time when that is out of range.
pub fn earlier(time: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    time.checked_sub_signed(d.as_delta())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `time + d`, or the latest representable time when that is out of range.
pub fn later(time: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    time.checked_add_signed(d.as_delta())
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whether `time` is more than `max` before `now`.
pub fn older_than(time: DateTime<Utc>, now: DateTime<Utc>, max: Duration) -> bool {
    time < earlier(now, max)
}

/// The distance between two times, whichever comes first (saturating).
pub fn distance(a: DateTime<Utc>, b: DateTime<Utc>) -> std::time::Duration {
    let (early, late) = if a <= b { (a, b) } else { (b, a) };
    late.signed_duration_since(early)
        .to_std()
        .unwrap_or(std::time::Duration::MAX)
}

/// A length of time for people: the two largest units, `10d 8h`, `3h 25m`, `42s`.
pub fn human(d: std::time::Duration) -> String {
    let mut left = d.as_secs();
    let mut parts = Vec::new();
    for (unit, per) in [("d", 86_400u64), ("h", 3_600), ("m", 60), ("s", 1)] {
        let count = left.checked_div(per).unwrap_or(0);
        if count > 0 {
            parts.push(format!("{count}{unit}"));
            left = left.checked_rem(per).unwrap_or(0);
        }
        if parts.len() == 2 {
            break;
        }
    }
    if parts.is_empty() {
        return format!("{}ms", d.as_millis());
    }
    parts.join(" ")
}

/// A time that is not RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not an RFC 3339 time ({reason})")]
pub struct TimeError {
    /// The time as written.
    pub text: String,
    /// chrono's reason (part of the message, so not a `source`).
    pub reason: chrono::ParseError,
}

/// Parses an RFC 3339 time (any offset) into UTC: every time stagegate reads goes through
/// here.
pub fn parse_rfc3339(text: &str) -> Result<DateTime<Utc>, TimeError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|reason| TimeError {
            text: text.to_owned(),
            reason,
        })
}

/// RFC 3339 in UTC with a `Z` and whole seconds, as every stagegate document writes times.
pub fn format_rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn ok(text: &str) -> std::time::Duration {
        Duration::parse(text).unwrap().as_std()
    }

    #[test]
    fn pass() {
        assert_eq!(ok("90s"), std::time::Duration::from_secs(90));
        assert_eq!(ok("90"), std::time::Duration::from_secs(90));
        assert_eq!(ok("30m"), std::time::Duration::from_secs(1800));
        assert_eq!(ok("7d"), std::time::Duration::from_secs(604_800));
        assert_eq!(ok("500ms"), std::time::Duration::from_millis(500));
        assert_eq!(ok("1.5h"), std::time::Duration::from_secs(5400));
        assert_eq!(ok(".5s"), std::time::Duration::from_millis(500));
        assert_eq!(ok("1ms"), std::time::Duration::from_millis(1));
        assert_eq!(ok("36500d"), Duration::MAX.as_std());
        assert_eq!(ok("0.0000000015s"), std::time::Duration::from_nanos(1));
        assert_eq!(Duration::parse("7d").unwrap().to_string(), "7d");
        assert_eq!(Duration::parse("1500ms").unwrap().to_string(), "1500ms");
    }

    #[test]
    fn fail() {
        for (text, expected) in [
            ("0s", "positive"),
            ("0", "positive"),
            ("0.0000000001s", "positive"),
            ("7y", "unknown unit"),
            ("", "not a duration"),
            (".", "not a duration"),
            ("1.s", "not a duration"),
            ("1.2.3s", "not a duration"),
            ("-5s", "unknown unit"),
            ("36501d", "too long"),
            ("99999999999999999999d", "too long"),
            ("18446744073709551615s", "too long"),
            (
                "99999999999999999999999999999999999999999999999999999999999999999999d",
                "too long",
            ),
            ("300000000d", "too long"),
        ] {
            let err = Duration::parse(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn arithmetic_saturates() {
        let max = Duration::MAX;
        assert_eq!(
            earlier(DateTime::<Utc>::MIN_UTC, max),
            DateTime::<Utc>::MIN_UTC
        );
        assert_eq!(
            later(DateTime::<Utc>::MAX_UTC, max),
            DateTime::<Utc>::MAX_UTC
        );
        let now = parse_rfc3339("2026-12-07T12:00:00Z").unwrap();
        let day = Duration::parse("1d").unwrap();
        assert!(older_than(
            parse_rfc3339("2026-12-05T12:00:00Z").unwrap(),
            now,
            day
        ));
        assert!(!older_than(
            parse_rfc3339("2026-12-06T13:00:00Z").unwrap(),
            now,
            day
        ));
        assert_eq!(
            distance(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
            distance(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC)
        );
        assert_eq!(format_rfc3339(now), "2026-12-07T12:00:00Z");
        assert_eq!(human(std::time::Duration::from_secs(894_393)), "10d 8h");
        assert_eq!(human(std::time::Duration::from_secs(42)), "42s");
        assert_eq!(human(std::time::Duration::from_millis(3)), "3ms");
    }

    #[test]
    fn rfc3339_reads_any_offset_into_utc() {
        let time = parse_rfc3339("2026-12-07T14:00:00+02:00").unwrap();
        assert_eq!(format_rfc3339(time), "2026-12-07T12:00:00Z");
        let err = parse_rfc3339("2026-12-07").unwrap_err();
        assert_eq!(err.text, "2026-12-07");
        assert!(
            err.to_string()
                .starts_with("`2026-12-07` is not an RFC 3339 time ("),
            "{err}"
        );
    }
}
