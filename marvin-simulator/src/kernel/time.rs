//! Dates as CloudStack writes them: `yyyy-MM-dd'T'HH:mm:ssZ`
//! (`2024-01-01T10:00:00+0000`).

use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

const FORMAT: &[FormatItem<'_>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
);

/// Formats a time in CloudStack's date format.
pub fn format(at: OffsetDateTime) -> String {
    at.format(FORMAT).unwrap_or_default()
}

/// Parses CloudStack's date format.
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, FORMAT).ok()
}

/// Parses a date as clients send it in parameters: `yyyy-MM-dd`,
/// `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-ddTHH:mm:ss` (read as UTC), CloudStack's
/// format (`2024-01-01T10:00:00+0000`) or ISO-8601 (`Z`, `+01:00`).
pub fn parse_param(text: &str) -> Option<OffsetDateTime> {
    const DAY: &[FormatItem<'_>] = format_description!("[year]-[month]-[day]");
    const SPACED: &[FormatItem<'_>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    const NAIVE: &[FormatItem<'_>] =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let text = text.trim();
    if let Some(at) = parse(text) {
        return Some(at);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Some(at);
    }
    for format in [SPACED, NAIVE] {
        if let Ok(at) = time::PrimitiveDateTime::parse(text, format) {
            return Some(at.assume_utc());
        }
    }
    time::Date::parse(text, DAY)
        .ok()
        .map(|day| day.midnight().assume_utc())
}

/// Whether a parameter date was given without a time of day.
pub fn is_date_only(text: &str) -> bool {
    text.trim().len() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_cloudstack() {
        let at = time::macros::datetime!(2024-01-01 10:00:00 UTC);
        assert_eq!(format(at), "2024-01-01T10:00:00+0000");
        assert_eq!(parse("2024-01-01T10:00:00+0000"), Some(at));
    }

    #[test]
    fn parameter_dates_in_every_accepted_form() {
        let at = time::macros::datetime!(2024-01-01 10:00:00 UTC);
        for text in [
            "2024-01-01T10:00:00+0000",
            "2024-01-01T10:00:00Z",
            "2024-01-01T11:00:00+01:00",
            "2024-01-01 10:00:00",
            "2024-01-01T10:00:00",
        ] {
            assert_eq!(parse_param(text), Some(at), "{text}");
        }
        assert_eq!(
            parse_param("2024-01-01"),
            Some(time::macros::datetime!(2024-01-01 0:00 UTC))
        );
        assert!(is_date_only("2024-01-01"));
        for bad in ["", "yesterday", "2024-13-01", "01/02/2024"] {
            assert_eq!(parse_param(bad), None, "{bad}");
        }
    }
}
