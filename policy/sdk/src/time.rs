//! Timestamps across the boundary, and period arithmetic with chrono.

use crate::types::Timestamp;
use chrono::{DateTime, Duration, FixedOffset, TimeZone};

/// The instant as a chrono time in its own offset (`None` if out of range).
pub fn to_chrono(ts: &Timestamp) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(ts.offset_seconds)?;
    offset.timestamp_opt(ts.seconds, ts.nanos).single()
}

/// Back to the contract's form.
pub fn from_chrono(t: DateTime<FixedOffset>) -> Timestamp {
    Timestamp { seconds: t.timestamp(), nanos: t.timestamp_subsec_nanos(), offset_seconds: t.offset().local_minus_utc() }
}

/// `start` plus `days` calendar days (JST has no daylight saving, so a day is 24 h).
pub fn add_days(start: DateTime<FixedOffset>, days: u32) -> Option<DateTime<FixedOffset>> {
    start.checked_add_signed(Duration::days(i64::from(days)))
}
