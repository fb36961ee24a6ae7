//! Lexical parsing and value-space comparison of the XSD primitive types: decimals (arbitrary
//! precision), floats, durations, the seven date/time types and binary data.

use std::cmp::Ordering;

// ---------------------------------------------------------------------------------------------
// Decimal

/// An arbitrary-precision decimal: sign, integer digits without leading zeros, fraction
/// digits without trailing zeros. Zero is `{neg: false, int: "", frac: ""}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dec {
    pub neg: bool,
    pub int: String,
    pub frac: String,
}

impl Dec {
    pub fn from_i128(n: i128) -> Dec {
        let int = n.unsigned_abs().to_string();
        Dec {
            neg: n < 0,
            int: if int == "0" { String::new() } else { int },
            frac: String::new(),
        }
    }

    /// Number of significant digits (`totalDigits`); zero has one.
    pub fn total_digits(&self) -> usize {
        (self.int.len() + self.frac.len()).max(1)
    }

    fn cmp_abs(&self, other: &Dec) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Dec) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Dec) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Dec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.neg {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

/// Parses `decimal` (`integer_only`: `integer`) lexical forms.
pub(crate) fn parse_decimal(s: &str, integer_only: bool) -> Result<Dec, String> {
    let what = if integer_only {
        "expected an integer such as 42 or -7"
    } else {
        "expected a decimal number such as 12.50 or -3"
    };
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => {
            if integer_only {
                return Err(format!("{what}; an integer has no decimal point"));
            }
            (i, Some(f))
        }
        None => (rest, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) || (int.is_empty() && frac.unwrap_or("").is_empty())
    {
        return Err(if s.is_empty() {
            format!("{what}, not an empty string")
        } else {
            what.to_string()
        });
    }
    let int = int.trim_start_matches('0').to_string();
    let frac = frac.unwrap_or("").trim_end_matches('0').to_string();
    let zero = int.is_empty() && frac.is_empty();
    Ok(Dec {
        neg: neg && !zero,
        int,
        frac,
    })
}

// ---------------------------------------------------------------------------------------------
// float and double

/// Checks the XSD 1.0 lexical form of `float`/`double` (no `+INF`, no signed `NaN`).
pub(crate) fn check_float_lexical(s: &str) -> Result<(), String> {
    const WHAT: &str = "expected a floating-point number such as 1.5, -2E10, INF, -INF or NaN";
    if matches!(s, "INF" | "-INF" | "NaN") {
        return Ok(());
    }
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return Err(match s {
            "+INF" => format!("{WHAT}; write INF without a sign"),
            "+NaN" | "-NaN" => format!("{WHAT}; NaN takes no sign"),
            _ => WHAT.to_string(),
        });
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return Err(format!("{WHAT}; the exponent needs digits"));
        }
    }
    if i != b.len() {
        return Err(WHAT.to_string());
    }
    Ok(())
}

/// XSD float/double equality: one NaN equal to itself, one zero.
pub(crate) fn float_eq(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

// ---------------------------------------------------------------------------------------------
// Date and time

/// Which of the seven date/time types a value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateKind {
    DateTime,
    Date,
    Time,
    GYear,
    GYearMonth,
    GMonth,
    GMonthDay,
    GDay,
}

impl DateKind {
    fn example(self) -> &'static str {
        match self {
            DateKind::DateTime => "a date and time like 2024-03-15T13:45:00 (yyyy-mm-ddThh:mm:ss)",
            DateKind::Date => "a date like 2024-03-15 (yyyy-mm-dd)",
            DateKind::Time => "a time like 13:45:00 (hh:mm:ss)",
            DateKind::GYear => "a year like 2024 (yyyy)",
            DateKind::GYearMonth => "a year and month like 2024-03 (yyyy-mm)",
            DateKind::GMonth => "a month like --03 (--mm)",
            DateKind::GMonthDay => "a month and day like --03-15 (--mm-dd)",
            DateKind::GDay => "a day of the month like ---15 (---dd)",
        }
    }
}

/// A date/time value; absent fields are filled with a reference (year 1972, January, 1st,
/// midnight) so that values of one type compare on a timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateTime {
    /// Year as written (never 0; -1 is the year before 1).
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Fraction-of-second digits without trailing zeros.
    pub frac: String,
    /// Timezone offset in minutes.
    pub tz: Option<i32>,
    /// A `time`: a time of day, so normalising the timezone wraps around midnight.
    pub time_of_day: bool,
}

/// A point on the timeline: whole seconds plus a fraction (digits, no trailing zeros).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    pub whole: i128,
    pub frac: String,
}

fn is_leap(astronomical_year: i128) -> bool {
    astronomical_year.rem_euclid(4) == 0
        && (astronomical_year.rem_euclid(100) != 0 || astronomical_year.rem_euclid(400) == 0)
}

/// XSD 1.0 years have no year zero: -1 is astronomical year 0 (a leap year).
fn astronomical(year: i64) -> i128 {
    if year < 0 {
        year as i128 + 1
    } else {
        year as i128
    }
}

fn days_in_month(astro_year: i128, month: u8) -> u8 {
    match month {
        2 if is_leap(astro_year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (astronomical year).
fn days_from_civil(y: i128, m: i128, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> &str {
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("")
    }

    fn two(&mut self) -> Option<u8> {
        let d = self.digits();
        if d.len() == 2 {
            d.parse().ok()
        } else {
            None
        }
    }

    fn at_end(&self) -> bool {
        self.pos == self.s.len()
    }
}

impl DateTime {
    pub fn parse(s: &str, kind: DateKind) -> Result<DateTime, String> {
        let bad = || format!("expected {}", kind.example());
        let mut c = Cursor {
            s: s.as_bytes(),
            pos: 0,
        };
        let mut v = DateTime {
            year: 1972,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            frac: String::new(),
            tz: None,
            time_of_day: kind == DateKind::Time,
        };
        let has_year = matches!(
            kind,
            DateKind::DateTime | DateKind::Date | DateKind::GYear | DateKind::GYearMonth
        );
        if has_year {
            let neg = c.eat(b'-');
            let digits = c.digits();
            if digits.len() < 4 {
                return Err(if digits.is_empty() {
                    bad()
                } else {
                    format!("{}; a year needs at least four digits", bad())
                });
            }
            if digits.len() > 4 && digits.starts_with('0') {
                return Err(format!(
                    "year {digits} has more than four digits and a leading zero"
                ));
            }
            let y: i64 = digits
                .parse()
                .map_err(|_| format!("year {digits} is too large"))?;
            if y == 0 {
                return Err(
                    "year 0000 does not exist in XML Schema 1.0 (the year before 0001 is -0001)"
                        .into(),
                );
            }
            v.year = if neg { -y } else { y };
        }
        let has_month = matches!(
            kind,
            DateKind::DateTime
                | DateKind::Date
                | DateKind::GYearMonth
                | DateKind::GMonth
                | DateKind::GMonthDay
        );
        if has_month {
            let ok = if has_year {
                c.eat(b'-')
            } else {
                c.eat(b'-') && c.eat(b'-')
            };
            v.month = match (ok, c.two()) {
                (true, Some(m)) => m,
                _ => return Err(bad()),
            };
            if !(1..=12).contains(&v.month) {
                return Err(format!("month {:02} is out of range (01–12)", v.month));
            }
        }
        let has_day = matches!(
            kind,
            DateKind::DateTime | DateKind::Date | DateKind::GMonthDay | DateKind::GDay
        );
        if has_day {
            let ok = if kind == DateKind::GDay {
                c.eat(b'-') && c.eat(b'-') && c.eat(b'-')
            } else {
                c.eat(b'-')
            };
            v.day = match (ok, c.two()) {
                (true, Some(d)) => d,
                _ => return Err(bad()),
            };
            let max = if has_year {
                days_in_month(astronomical(v.year), v.month)
            } else if kind == DateKind::GDay {
                31
            } else {
                days_in_month(2000, v.month) // any leap year: --02-29 is allowed
            };
            if v.day == 0 || v.day > max {
                return Err(if v.day == 0 || kind == DateKind::GDay {
                    format!("day {:02} is out of range (01–31)", v.day)
                } else if has_year {
                    format!(
                        "day {:02} is out of range for {} {} (it has {max} days)",
                        v.day,
                        MONTHS[v.month as usize - 1],
                        format_year(v.year)
                    )
                } else {
                    format!(
                        "day {:02} is out of range for {} (at most {max})",
                        v.day,
                        MONTHS[v.month as usize - 1]
                    )
                });
            }
        }
        if matches!(kind, DateKind::DateTime | DateKind::Time) {
            if kind == DateKind::DateTime && !c.eat(b'T') {
                return Err(format!(
                    "{}; the date and the time are separated by 'T'",
                    bad()
                ));
            }
            let h = c.two().ok_or_else(bad)?;
            let m = if c.eat(b':') { c.two() } else { None }.ok_or_else(bad)?;
            let sec = if c.eat(b':') { c.two() } else { None }.ok_or_else(bad)?;
            if c.eat(b'.') {
                let f = c.digits();
                if f.is_empty() {
                    return Err(format!(
                        "{}; the decimal point needs digits after it",
                        bad()
                    ));
                }
                v.frac = f.trim_end_matches('0').to_string();
            }
            if m > 59 {
                return Err(format!("minute {m:02} is out of range (00–59)"));
            }
            if sec > 59 {
                return Err(format!("second {sec:02} is out of range (00–59)"));
            }
            if h == 24 {
                if m != 0 || sec != 0 || !v.frac.is_empty() {
                    return Err("hour 24 is only allowed as 24:00:00 (the end of the day)".into());
                }
            } else if h > 23 {
                return Err(format!("hour {h:02} is out of range (00–23, or 24:00:00)"));
            }
            v.hour = h;
            v.minute = m;
            v.second = sec;
        }
        if !c.at_end() {
            if c.eat(b'Z') {
                v.tz = Some(0);
            } else if c.s[c.pos] == b'+' || c.s[c.pos] == b'-' {
                let sign = if c.s[c.pos] == b'-' { -1 } else { 1 };
                c.pos += 1;
                let h = c.two();
                let m = if c.eat(b':') { c.two() } else { None };
                let (Some(h), Some(m)) = (h, m) else {
                    return Err("expected a timezone like Z, +01:00 or -05:30".into());
                };
                if m > 59 {
                    return Err(format!("timezone minute {m:02} is out of range (00–59)"));
                }
                if h > 14 || (h == 14 && m > 0) {
                    let sign = if sign < 0 { '-' } else { '+' };
                    return Err(format!(
                        "timezone {sign}{h:02}:{m:02} is out of range (-14:00 to +14:00)"
                    ));
                }
                v.tz = Some(sign * (h as i32 * 60 + m as i32));
            } else {
                return Err(bad());
            }
            if !c.at_end() {
                return Err(bad());
            }
        }
        if kind == DateKind::Time && v.hour == 24 {
            v.hour = 0; // 24:00:00 and 00:00:00 are the same time of day
        }
        Ok(v)
    }

    /// The instant as if the value were in UTC (timezone ignored).
    fn local(&self) -> Instant {
        let days = if self.time_of_day {
            0
        } else {
            days_from_civil(
                astronomical(self.year),
                self.month as i128,
                self.day as i128,
            )
        };
        Instant {
            whole: days * 86_400
                + self.hour as i128 * 3600
                + self.minute as i128 * 60
                + self.second as i128,
            frac: self.frac.clone(),
        }
    }

    /// The instant normalised to UTC.
    fn utc(&self) -> Instant {
        let mut i = self.local();
        i.whole -= self.tz.unwrap_or(0) as i128 * 60;
        if self.time_of_day {
            i.whole = i.whole.rem_euclid(86_400);
        }
        i
    }

    pub fn same(&self, other: &DateTime) -> bool {
        self.tz.is_some() == other.tz.is_some() && self.utc() == other.utc()
    }

    /// The XSD 1.0 partial order: a value without timezone is somewhere in a 28-hour window.
    pub fn compare(&self, other: &DateTime) -> Option<Ordering> {
        const WINDOW: i128 = 14 * 3600;
        match (self.tz.is_some(), other.tz.is_some()) {
            (true, true) | (false, false) => Some(self.utc().cmp(&other.utc())),
            (true, false) => {
                let p = self.utc();
                let q = other.local();
                let lo = Instant {
                    whole: q.whole - WINDOW,
                    frac: q.frac.clone(),
                };
                let hi = Instant {
                    whole: q.whole + WINDOW,
                    frac: q.frac,
                };
                if p < lo {
                    Some(Ordering::Less)
                } else if p > hi {
                    Some(Ordering::Greater)
                } else {
                    None
                }
            }
            (false, true) => other.compare(self).map(Ordering::reverse),
        }
    }
}

fn format_year(y: i64) -> String {
    if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

// ---------------------------------------------------------------------------------------------
// Duration

/// A duration in XSD 1.0's six-component value space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Duration {
    pub neg: bool,
    pub years: u64,
    pub months: u64,
    pub days: u64,
    pub hours: u64,
    pub minutes: u64,
    pub seconds: u64,
    pub frac: String,
}

impl Duration {
    pub fn parse(s: &str) -> Result<Duration, String> {
        const WHAT: &str = "expected a duration like P1Y2M3DT4H5M6.5S (at least one part; 'T' before hours, minutes and seconds)";
        let mut d = Duration {
            neg: false,
            years: 0,
            months: 0,
            days: 0,
            hours: 0,
            minutes: 0,
            seconds: 0,
            frac: String::new(),
        };
        let mut rest = s;
        if let Some(r) = rest.strip_prefix('-') {
            d.neg = true;
            rest = r;
        }
        rest = rest
            .strip_prefix('P')
            .ok_or_else(|| format!("{WHAT}; a duration starts with 'P'"))?;
        let (date, time) = match rest.split_once('T') {
            Some((a, b)) => {
                if b.is_empty() {
                    return Err(format!(
                        "{WHAT}; 'T' must be followed by hours, minutes or seconds"
                    ));
                }
                (a, Some(b))
            }
            None => (rest, None),
        };
        let mut any = false;
        let mut parse_part = |text: &str, units: &[u8]| -> Result<Vec<(u8, u64, String)>, String> {
            let b = text.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            let mut next_unit = 0;
            while i < b.len() {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let int = &text[start..i];
                let mut frac = String::new();
                if i < b.len() && b[i] == b'.' {
                    i += 1;
                    let fs = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    if fs == i {
                        return Err(format!("{WHAT}; the decimal point needs digits after it"));
                    }
                    frac = text[fs..i].trim_end_matches('0').to_string();
                }
                if int.is_empty() || i >= b.len() {
                    return Err(WHAT.to_string());
                }
                let unit = b[i];
                i += 1;
                let Some(pos) = units[next_unit..].iter().position(|&u| u == unit) else {
                    return Err(if units.contains(&unit) {
                        format!(
                            "{WHAT}; the parts must be in the order {}",
                            String::from_utf8_lossy(units)
                        )
                    } else {
                        WHAT.to_string()
                    });
                };
                next_unit += pos + 1;
                if text[start..i].contains('.') && unit != b'S' {
                    return Err(format!("{WHAT}; only seconds may have a fraction"));
                }
                let n: u64 = int
                    .parse()
                    .map_err(|_| format!("the duration part {int} is too large"))?;
                out.push((unit, n, frac));
                any = true;
            }
            Ok(out)
        };
        if date.contains(['H', 'S']) {
            return Err(format!(
                "{WHAT}; hours, minutes and seconds come after 'T' (PT1H, not P1H)"
            ));
        }
        for (unit, n, _) in parse_part(date, b"YMD")? {
            match unit {
                b'Y' => d.years = n,
                b'M' => d.months = n,
                _ => d.days = n,
            }
        }
        if let Some(time) = time {
            for (unit, n, frac) in parse_part(time, b"HMS")? {
                match unit {
                    b'H' => d.hours = n,
                    b'M' => d.minutes = n,
                    _ => {
                        d.seconds = n;
                        d.frac = frac;
                    }
                }
            }
        }
        if !any {
            return Err(format!("{WHAT}; a duration needs at least one part"));
        }
        if d.is_zero() {
            d.neg = false;
        }
        Ok(d)
    }

    fn is_zero(&self) -> bool {
        self.years == 0
            && self.months == 0
            && self.days == 0
            && self.hours == 0
            && self.minutes == 0
            && self.seconds == 0
            && self.frac.is_empty()
    }

    /// The end instant of this duration added to a reference start (day 1, midnight, UTC).
    fn add_to(&self, year: i128, month: i128) -> Instant {
        let sign: i128 = if self.neg { -1 } else { 1 };
        let total_months = (month - 1) + sign * (self.years as i128 * 12 + self.months as i128);
        let y = year + total_months.div_euclid(12);
        let m = total_months.rem_euclid(12) + 1;
        let days = days_from_civil(y, m, 1) + sign * self.days as i128;
        let secs =
            sign * (self.hours as i128 * 3600 + self.minutes as i128 * 60 + self.seconds as i128);
        let mut whole = days * 86_400 + secs;
        let mut frac = self.frac.clone();
        if self.neg && !frac.is_empty() {
            // -(w + 0.f) = -(w + 1) + (1 - 0.f)
            whole -= 1;
            frac = one_minus(&frac);
        }
        Instant { whole, frac }
    }

    /// The XSD 1.0 order: compare the ends after adding both to four reference dateTimes.
    pub fn compare(&self, other: &Duration) -> Option<Ordering> {
        const REFS: [(i128, i128); 4] = [(1696, 9), (1697, 2), (1903, 3), (1903, 7)];
        let mut result = None;
        for (y, m) in REFS {
            let o = self.add_to(y, m).cmp(&other.add_to(y, m));
            match result {
                None => result = Some(o),
                Some(r) if r != o => return None,
                _ => {}
            }
        }
        // Ends that coincide on every reference date (PT60S, PT1M) do not make the durations
        // equal: XSD 1.0 equality is component-wise, so such a pair is incomparable.
        match result {
            Some(Ordering::Equal) if self != other => None,
            r => r,
        }
    }
}

/// `1 - 0.f` as fraction digits (without trailing zeros); `f` is non-empty, non-zero.
fn one_minus(f: &str) -> String {
    // The last digit is non-zero (no trailing zeros), so no borrow crosses it: every digit
    // but the last becomes 9 - d, the last 10 - d.
    let n = f.len();
    let s: String = f
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let top = if i + 1 == n { 10 } else { 9 };
            (b'0' + (top - (b - b'0'))) as char
        })
        .collect();
    s.trim_end_matches('0').to_string()
}

// ---------------------------------------------------------------------------------------------
// Binary

pub(crate) fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    if let Some(bad) = s.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "{bad:?} is not a hex digit (hexBinary allows only 0-9, a-f and A-F)"
        ));
    }
    if s.len() % 2 != 0 {
        return Err(format!(
            "hexBinary needs an even number of hex digits (two per octet), not {}",
            s.len()
        ));
    }
    let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
    Ok(s.as_bytes()
        .chunks(2)
        .map(|pair| digit(pair[0]) * 16 + digit(pair[1]))
        .collect())
}

fn b64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some((c - b'A') as u32),
        b'a'..=b'z' => Some((c - b'a') as u32 + 26),
        b'0'..=b'9' => Some((c - b'0') as u32 + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes XSD 1.0 `base64Binary` (after whitespace collapsing: single spaces may separate
/// characters).
pub(crate) fn parse_base64(s: &str) -> Result<Vec<u8>, String> {
    if let Some(bad) = s
        .chars()
        .find(|&c| c != ' ' && c != '=' && (!c.is_ascii() || b64_value(c as u8).is_none()))
    {
        return Err(format!(
            "{bad:?} is not a base64 character (A-Z, a-z, 0-9, +, / and = for padding)"
        ));
    }
    let chars: Vec<u8> = s.bytes().filter(|&b| b != b' ').collect();
    if chars.len() % 4 != 0 {
        return Err(format!(
            "base64 needs a multiple of four characters (with = padding), not {}",
            chars.len()
        ));
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len() / 4;
    for (qi, q) in chars.chunks(4).enumerate() {
        let pad = q.iter().rev().take_while(|&&b| b == b'=').count();
        let last = qi + 1 == quads;
        if q[..4 - pad].contains(&b'=') || pad > 2 || (pad > 0 && !last) {
            return Err("'=' may only pad the end of base64 data (at most two)".into());
        }
        let v: Vec<u32> = q[..4 - pad].iter().filter_map(|&b| b64_value(b)).collect();
        let n = v.iter().fold(0u32, |acc, x| (acc << 6) | x) << (6 * pad as u32);
        match pad {
            0 => out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]),
            1 => {
                if v[2] & 0b11 != 0 {
                    return Err(format!(
                        "{:?} cannot come before '=' in base64 (its last two bits must be zero)",
                        q[2] as char
                    ));
                }
                out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
            }
            _ => {
                if v[1] & 0b1111 != 0 {
                    return Err(format!(
                        "{:?} cannot come before '==' in base64 (its last four bits must be zero)",
                        q[1] as char
                    ));
                }
                out.push((n >> 16) as u8);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Dec {
        parse_decimal(s, false).unwrap()
    }

    #[test]
    fn decimals() {
        assert_eq!(dec("1.0"), dec("1"));
        assert_eq!(dec("-0"), dec("+0.000"));
        assert_eq!(dec("007.50").to_string(), "7.5");
        assert!(dec("-1") < dec("0"));
        assert!(dec("-10") < dec("-9.99"));
        assert!(dec("0.5") > dec("0.45"));
        assert!(dec("100") > dec("99.999"));
        assert!(dec("99999999999999999999999999999999") > dec("9999999999999999999999"));
        assert_eq!(dec("123.4500").total_digits(), 5);
        assert_eq!(dec("0").total_digits(), 1);
        for bad in [
            "", ".", "+", "1.2.", "..1", "1 .2", "+-1", "1+", "junk", "1e5",
        ] {
            assert!(parse_decimal(bad, false).is_err(), "{bad}");
        }
        assert!(parse_decimal("1.0", true).is_err());
        assert!(parse_decimal("+0010", true).is_ok());
    }

    #[test]
    fn floats() {
        for ok in [
            "1", "1.", ".1", "-1E4", "1e-5", "INF", "-INF", "NaN", "+1.5",
        ] {
            assert!(check_float_lexical(ok).is_ok(), "{ok}");
        }
        for bad in ["+INF", "-NaN", "+NaN", "1e", ".", "- 1", "inf", "1.0f", ""] {
            assert!(check_float_lexical(bad).is_err(), "{bad}");
        }
        assert!(float_eq(f64::NAN, f64::NAN));
        assert!(float_eq(0.0, -0.0));
    }

    fn dt(s: &str, k: DateKind) -> Result<DateTime, String> {
        DateTime::parse(s, k)
    }

    #[test]
    fn date_ranges_and_leap_years() {
        use DateKind::*;
        assert_eq!(
            dt("1950-16-09", Date).unwrap_err(),
            "month 16 is out of range (01–12)"
        );
        assert!(dt("2000-02-29", Date).is_ok());
        assert!(dt("1900-02-29", Date).is_err());
        assert!(dt("0004-02-29", Date).is_ok());
        assert!(dt("0003-02-29", Date).is_err());
        assert!(dt("-0001-02-29", Date).is_ok());
        assert!(dt("-0257-02-29", Date).is_ok());
        assert!(dt("-0258-02-29", Date).is_err());
        assert!(dt("-0257-02-30", Date)
            .unwrap_err()
            .contains("out of range for February -0257"));
        assert!(dt("0000-01-01", Date).is_err());
        assert!(dt("12345-01-01", Date).is_ok());
        assert!(dt("012345-01-01", Date).is_err());
        assert!(dt("123-01-01", Date).is_err());
        assert!(dt("--02-29", GMonthDay).is_ok());
        assert!(dt("--02-30", GMonthDay).is_err());
        assert!(dt("--04-31", GMonthDay).is_err());
        assert!(dt("---31", GDay).is_ok());
        assert!(dt("---32", GDay).is_err());
        assert!(dt("--12", GMonth).is_ok());
        assert!(dt("---01", GMonth).is_err());
        assert!(dt("--13", GMonth).is_err());
        assert!(dt("1996-00", GYearMonth).is_err());
        assert!(dt("2001-12-1T19:45:00", DateTime).is_err());
    }

    #[test]
    fn times() {
        use DateKind::*;
        assert!(dt("24:00:00", Time).is_ok());
        assert!(dt("24:00:01", Time).is_err());
        assert!(dt("25:00:00", Time).unwrap_err().contains("hour 25"));
        assert!(dt("12:60:00", Time).unwrap_err().contains("minute 60"));
        assert!(dt("12:00:60", Time).unwrap_err().contains("second 60"));
        assert!(dt("12:00:00.", Time).is_err());
        assert!(dt("12:00:00+14:00", Time).is_ok());
        assert!(dt("12:00:00+14:01", Time).is_err());
        assert!(dt("12:00:00+15:00", Time).unwrap_err().contains("+15:00"));
        assert!(dt("12:00", Time).is_err());
        let late = dt("23:30:00Z", Time).unwrap();
        assert!(dt("00:30:00+01:00", Time).unwrap().same(&late));
        assert!(dt("22:30:00-01:00", Time).unwrap().same(&late));
        let midnight = dt("00:00:00", Time).unwrap();
        assert!(dt("24:00:00", Time).unwrap().same(&midnight));
        let a = dt("1999-12-31T24:00:00", DateTime).unwrap();
        let b = dt("2000-01-01T00:00:00", DateTime).unwrap();
        assert!(a.same(&b));
    }

    #[test]
    fn timezone_normalisation_and_order() {
        use DateKind::*;
        let a = dt("2001-12-01T19:45:00Z", DateTime).unwrap();
        let b = dt("2001-12-01T20:45:00+01:00", DateTime).unwrap();
        let c = dt("2001-12-01T19:45:00.000Z", DateTime).unwrap();
        let local = dt("2001-12-01T19:45:00", DateTime).unwrap();
        assert!(a.same(&b) && a.same(&c));
        assert!(!a.same(&local));
        assert_eq!(a.compare(&local), None);
        let early = dt("2001-11-30T00:00:00Z", DateTime).unwrap();
        assert_eq!(early.compare(&local), Some(Ordering::Less));
        assert_eq!(local.compare(&early), Some(Ordering::Greater));
        let y1 = dt("1999+07:00", GYear).unwrap();
        let y2 = dt("2000+07:00", GYear).unwrap();
        assert_eq!(y1.compare(&y2), Some(Ordering::Less));
        let m1 = dt("1996-01Z", GYearMonth).unwrap();
        assert!(m1.same(&dt("1996-01-00:00", GYearMonth).unwrap()));
        assert!(!m1.same(&dt("1996-01+01:00", GYearMonth).unwrap()));
        let neg = dt("-0001-12-31", Date).unwrap();
        let pos = dt("0001-01-01", Date).unwrap();
        assert_eq!(neg.compare(&pos), Some(Ordering::Less));
    }

    fn dur(s: &str) -> Duration {
        Duration::parse(s).unwrap()
    }

    #[test]
    fn durations() {
        for ok in [
            "P1Y",
            "P1Y0M2DT17H5M12S",
            "-P1Y",
            "P60D",
            "PT24H",
            "PT1.2S",
            "P0Y",
        ] {
            assert!(Duration::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "P24h", "P24H", "P1YT", "P", "-P", "PT", "P1M1Y", "PT1.5M", "1Y", "P-1Y", "",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
        assert!(Duration::parse("P1H").unwrap_err().contains("after 'T'"));
        assert!(Duration::parse("1Y")
            .unwrap_err()
            .contains("starts with 'P'"));
        assert_eq!(dur("P1Y"), dur("P001Y0M"));
        assert_eq!(dur("PT1S"), dur("PT1.0S"));
        assert_eq!(dur("P0Y"), dur("-P0Y"));
        assert_ne!(dur("PT60S"), dur("PT1M"));
        let lt = |a: &str, b: &str| dur(a).compare(&dur(b)) == Some(Ordering::Less);
        let inc = |a: &str, b: &str| dur(a).compare(&dur(b)).is_none();
        assert!(lt("PT1M", "PT61S"));
        assert!(lt("P1Y", "P367D"));
        assert!(lt("P27D", "P1M"));
        assert!(lt("P1M", "P32D"));
        assert!(inc("P1Y", "P365D"));
        assert!(inc("P1Y", "P366D"));
        assert!(inc("P30D", "P1M"));
        assert!(lt("-P1D", "PT0S"));
        assert!(lt("-PT1.5S", "-PT1.25S"));
        assert!(inc("PT60S", "PT1M"));
        assert!(inc("P1D", "PT24H"));
        assert_eq!(dur("P1Y").compare(&dur("P0012M0D")), None);
        assert_eq!(dur("P1Y").compare(&dur("P001Y")), Some(Ordering::Equal));
    }

    #[test]
    fn one_minus_fraction() {
        assert_eq!(one_minus("5"), "5");
        assert_eq!(one_minus("25"), "75");
        assert_eq!(one_minus("001"), "999");
    }

    #[test]
    fn binary() {
        assert_eq!(parse_hex("deadBEEF").unwrap(), vec![0xde, 0xad, 0xbe, 0xef]);
        assert!(parse_hex("0").is_err());
        assert!(parse_hex("0G").unwrap_err().contains("'G'"));
        assert!(parse_hex("aaé0").unwrap_err().contains("'é'"));
        assert!(parse_base64("AAé=").unwrap_err().contains("'é'"));
        assert_eq!(parse_base64("BA==").unwrap(), vec![4]);
        assert_eq!(parse_base64("BBA=").unwrap(), vec![4, 16]);
        assert_eq!(
            parse_base64("d e a d").unwrap(),
            parse_base64("dead").unwrap()
        );
        assert_eq!(parse_base64("").unwrap(), Vec::<u8>::new());
        for bad in [
            "====", "BB==", "BBB=", "B===", "B", "AA==AAAA", "A=AA", "AB$=",
        ] {
            assert!(parse_base64(bad).is_err(), "{bad}");
        }
    }
}
