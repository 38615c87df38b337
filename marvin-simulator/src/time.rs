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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_cloudstack() {
        let at = time::macros::datetime!(2024-01-01 10:00:00 UTC);
        assert_eq!(format(at), "2024-01-01T10:00:00+0000");
        assert_eq!(parse("2024-01-01T10:00:00+0000"), Some(at));
    }
}
