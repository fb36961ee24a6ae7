//! ISO 8601 / XSD dates as intervals of milliseconds, for the date-order rule.
//!
//! A value such as `1850` (gYear), `1850-03` (gYearMonth), `1850-03-12` (date) or
//! `1850-03-12T10:00:00` (dateTime) denotes every instant it covers: `1850` is the interval
//! from the first millisecond of 1 January to the last of 31 December. A value without a time
//! zone is taken as local time: two such values are compared as they are (as XSD does), and a
//! value with a zone is only ordered against one without when the order holds for any zone
//! (a 14-hour margin).

/// A closed interval of instants, in milliseconds from 0000-01-01T00:00Z (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interval {
    /// The first instant covered.
    pub(crate) lo: i128,
    /// The last instant covered.
    pub(crate) hi: i128,
    /// Whether the value had a time zone (else `lo`/`hi` are local time read as UTC).
    pub(crate) zoned: bool,
}

impl Interval {
    /// Every instant of `self` is strictly after every instant of `other`.
    pub(crate) fn wholly_after(&self, other: &Interval) -> bool {
        if self.zoned == other.zoned {
            self.lo > other.hi
        } else {
            self.lo > other.hi + ZONE_SLACK
        }
    }
}

const MS_PER_DAY: i128 = 86_400_000;
const ZONE_SLACK: i128 = 14 * 3_600_000;

/// Parses an XSD/ISO date-like value (`gYear`, `gYearMonth`, `date`, `dateTime`), or `None`
/// for anything else (durations, week dates, times alone, invalid days…), which the rule then
/// leaves alone.
pub(crate) fn parse(value: &str) -> Option<Interval> {
    let s = value.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let year_len = s.bytes().take_while(u8::is_ascii_digit).count();
    if year_len < 4 || (year_len > 4 && s.starts_with('0')) || year_len > 9 {
        return None;
    }
    let year: i128 = s[..year_len].parse().ok()?;
    let year = if negative { -year } else { year };
    let mut rest = &s[year_len..];

    let mut month = None;
    let mut day = None;
    if let Some(r) = rest.strip_prefix('-') {
        let (m, r) = two_digits(r)?;
        if !(1..=12).contains(&m) {
            return None;
        }
        month = Some(m);
        rest = r;
        if let Some(r) = rest.strip_prefix('-') {
            let (d, r) = two_digits(r)?;
            if d < 1 || d > days_in_month(year, m) {
                return None;
            }
            day = Some(d);
            rest = r;
        }
    }
    // Time of day, only after a full date.
    let mut time: Option<(i128, i128)> = None; // (start ms in day, length ms)
    if let Some(r) = rest.strip_prefix('T') {
        day?;
        let (h, r) = two_digits(r)?;
        let r = r.strip_prefix(':')?;
        let (mi, r) = two_digits(r)?;
        let r = r.strip_prefix(':')?;
        let (sec, mut r) = two_digits(r)?;
        let mut ms = 0i128;
        let mut len = 1000i128;
        if let Some(f) = r.strip_prefix('.') {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let digits = &f[..n.min(3)];
            let scale = [100, 10, 1];
            for (i, b) in digits.bytes().enumerate() {
                ms += i128::from(b - b'0') * scale[i];
            }
            len = if n >= 3 { 1 } else { scale[n - 1] };
            r = &f[n..];
        }
        let valid = (h < 24 && mi < 60 && sec < 60) || (h == 24 && mi == 0 && sec == 0 && ms == 0);
        if !valid {
            return None;
        }
        time = Some((((h * 60 + mi) * 60 + sec) * 1000 + ms, len));
        rest = r;
    }
    // Time zone.
    let zone: Option<i128> = if rest.is_empty() {
        None
    } else if rest == "Z" {
        Some(0)
    } else {
        let sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let (h, r) = two_digits(&rest[1..])?;
        let r = r.strip_prefix(':')?;
        let (m, r) = two_digits(r)?;
        if !r.is_empty() || h > 14 || m > 59 {
            return None;
        }
        Some(sign * (h * 60 + m) * 60_000)
    };

    let (first_day, days) = match (month, day) {
        (None, _) => (days_from_civil(year, 1, 1), days_in_year(year)),
        (Some(m), None) => (days_from_civil(year, m, 1), days_in_month(year, m)),
        (Some(m), Some(d)) => (days_from_civil(year, m, d), 1),
    };
    let (mut lo, mut hi) = match time {
        None => (first_day * MS_PER_DAY, (first_day + days) * MS_PER_DAY - 1),
        Some((start, len)) => {
            let t = first_day * MS_PER_DAY + start;
            (t, t + len - 1)
        }
    };
    // Local time = UTC + offset, so UTC = local - offset.
    if let Some(offset) = zone {
        lo -= offset;
        hi -= offset;
    }
    Some(Interval {
        lo,
        hi,
        zoned: zone.is_some(),
    })
}

fn two_digits(s: &str) -> Option<(i128, &str)> {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_digit() && b[1].is_ascii_digit() {
        Some((i128::from((b[0] - b'0') * 10 + (b[1] - b'0')), &s[2..]))
    } else {
        None
    }
}

fn is_leap(year: i128) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_year(year: i128) -> i128 {
    if is_leap(year) {
        366
    } else {
        365
    }
}

fn days_in_month(year: i128, month: i128) -> i128 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 0000-01-01 to the given date (proleptic Gregorian; Howard Hinnant's algorithm).
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_are_intervals() {
        let y = parse("1850").unwrap();
        let m = parse("1850-03").unwrap();
        let d = parse("1850-03-12").unwrap();
        assert!(y.lo <= m.lo && m.hi <= y.hi);
        assert!(m.lo <= d.lo && d.hi <= m.hi);
        assert!(!d.wholly_after(&y) && !y.wholly_after(&d));
        assert!(parse("1851").unwrap().wholly_after(&y));
    }

    #[test]
    fn zones() {
        let a = parse("1850-03-12").unwrap();
        let b = parse("1850-03-13").unwrap();
        assert!(b.wholly_after(&a), "both local: compared as they are");
        let z = parse("1850-03-12T23:00:00Z").unwrap();
        assert!(!b.wholly_after(&z), "one zoned: 14 hours margin");
        assert!(!z.wholly_after(&a) && !a.wholly_after(&z));
        assert!(parse("1850-03-14").unwrap().wholly_after(&z));
        let a = parse("1850-03-12T10:00:00Z").unwrap();
        let b = parse("1850-03-12T10:00:01Z").unwrap();
        assert!(b.wholly_after(&a));
        let c = parse("1850-03-12T11:00:00+01:00").unwrap();
        assert_eq!(c, a);
        assert!(parse("1850-03-15")
            .unwrap()
            .wholly_after(&parse("1850-03-13").unwrap()));
    }

    #[test]
    fn fractions_and_negative_years() {
        let a = parse("2000-01-01T00:00:00.5Z").unwrap();
        assert_eq!(a.hi - a.lo, 99);
        assert!(parse("0001")
            .unwrap()
            .wholly_after(&parse("-0001").unwrap()));
        assert!(parse("12345").is_some());
    }

    #[test]
    fn never_panics_on_prefixes_and_odd_characters() {
        let full = "-12345-06-07T08:09:10.123+05:30";
        for end in 0..=full.len() {
            let prefix = &full[..end];
            let _ = parse(prefix);
            for odd in ["é", "٣", "T", "-", ":", ".", "Z", "+"] {
                let _ = parse(&format!("{prefix}{odd}"));
            }
        }
    }

    #[test]
    fn rejects_what_it_cannot_order() {
        for bad in [
            "",
            "185",
            "1850-13",
            "1850-02-30",
            "1900-02-29",
            "1850-W12",
            "P1Y",
            "10:00:00",
            "1850-03T10:00:00",
            "01850",
            "1850-03-12T25:00:00",
            "1850-03-12+15:00",
            "ca. 1850",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(parse("2000-02-29").is_some());
        assert!(parse("1850-03-12T24:00:00").is_some());
    }
}
