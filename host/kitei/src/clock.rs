//! Times in questions and answers: RFC 3339, JST where no offset is given.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use kitei_sdk::types::Timestamp;

/// JST (+09:00), the offset of a timestamp written without one and the
/// calendar effective dates are counted in.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| unreachable!("nine hours is a valid offset"))
}

/// Parses RFC 3339; a timestamp without an offset is read as JST.
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .and_then(|n| n.and_local_timezone(jst()).single())
}

/// A time as the contract carries it. A leap second (`23:59:60`, which
/// chrono keeps as `23:59:59` with 10⁹ nanoseconds or more) is carried as
/// the start of the next second, as Unix time counts it: a component
/// computes with nanoseconds since the epoch and so reads it that way, and
/// the same variant linked natively must read the same instant (the fuzzer
/// found a token answer one second apart).
pub(crate) fn to_timestamp(t: DateTime<FixedOffset>) -> Timestamp {
    let (mut seconds, mut nanos) = (t.timestamp(), t.timestamp_subsec_nanos());
    if nanos >= 1_000_000_000 {
        seconds += 1;
        nanos -= 1_000_000_000;
    }
    Timestamp { seconds, nanos, offset_seconds: t.offset().local_minus_utc() }
}

/// The contract's time as a date-time in its own offset.
pub(crate) fn from_timestamp(t: &Timestamp) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(t.offset_seconds)?;
    DateTime::from_timestamp(t.seconds, t.nanos).map(|d| d.with_timezone(&offset))
}

/// Whether a policy can compute with the time (nanoseconds since the epoch in an s64).
pub(crate) fn instant_in_range(t: &Timestamp) -> bool {
    kitei_sdk::model::instant(t).is_some()
}

/// RFC 3339 as answers write it.
pub(crate) fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leap_second_is_carried_as_the_next_second() {
        let leap = to_timestamp(parse_timestamp("2023-12-31T23:59:60.5Z").unwrap());
        let next = to_timestamp(parse_timestamp("2024-01-01T00:00:00.5Z").unwrap());
        assert_eq!((leap.seconds, leap.nanos), (next.seconds, next.nanos));
    }
}
