//! Dates in routing lines, closers, stamps and clerical lines.
//!
//! Recognised: `[HHMM] D Month [YYYY]`, `Month D, YYYY`, `D.ROMAN.YYYY`. A four-digit time just
//! before the day (`2035 30 September 1950`) joins the date (`1950-09-30T20:35:00`). A date
//! without a year takes the year of its neighbours (the nearest full date before it, else after).

/// A date found in a string: byte range relative to the string, and its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
    pub time: Option<(u32, u32)>,
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
];

const ROMAN: &[&str] = &[
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// The English name of month `m` (1–12), capitalised: `9` → `September` (the first twelve
/// entries of [`MONTHS`] are the full names in order).
pub(crate) fn month_name(m: usize) -> Option<String> {
    let (name, _) = MONTHS.get(m.checked_sub(1)?).filter(|_| m <= 12)?;
    let mut c = name.chars();
    let first = c.next()?;
    Some(first.to_ascii_uppercase().to_string() + c.as_str())
}

pub(crate) fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    MONTHS.iter().find(|(n, _)| *n == w).map(|&(_, m)| m)
}

/// Words of `s` with their byte ranges; trailing `,` `;` `.` `)` are not part of a word.
fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() || c == '(' {
            if let Some(st) = start.take() {
                out.push((st, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out.into_iter()
        .map(|(a, b)| {
            let w = &s[a..b];
            let t = w.trim_end_matches([',', ';', ')', ':', '!', '”', '"', '’', '»']);
            let t = if t.len() > 1 && t.ends_with('.') && !t[..t.len() - 1].contains('.') {
                &t[..t.len() - 1]
            } else {
                t
            };
            (a, a + t.len())
        })
        .filter(|(a, b)| a < b)
        .collect()
}

fn number(w: &str, max_len: usize) -> Option<u32> {
    if w.is_empty() || w.len() > max_len || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

fn year(w: &str) -> Option<i32> {
    if w.len() == 4 {
        number(w, 4)
            .map(|y| y as i32)
            .filter(|y| (1000..=2999).contains(y))
    } else {
        None
    }
}

/// Days in a month of a year (a leap year when the year is unknown).
pub(crate) fn days_in(month: u32, year: Option<i32>) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
    }
}

fn time(w: &str) -> Option<(u32, u32)> {
    let n = number(w, 4).filter(|_| w.len() == 4)?;
    let (h, m) = (n / 100, n % 100);
    (h < 24 && m < 60).then_some((h, m))
}

/// All dates in `s`, left to right, with impossible days rejected.
pub(crate) fn find(s: &str) -> Vec<Found> {
    let ws = words(s);
    let w = |i: usize| -> &str { ws.get(i).map(|&(a, b)| &s[a..b]).unwrap_or("") };
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        // D Month [YYYY]
        if let (Some(day), Some(m)) = (number(w(i), 2), month(w(i + 1))) {
            let y = year(w(i + 2));
            let last = if y.is_some() { i + 2 } else { i + 1 };
            let t = if i > 0 { time(w(i - 1)) } else { None };
            let start = if t.is_some() { ws[i - 1].0 } else { ws[i].0 };
            if day >= 1 && day <= days_in(m, y) {
                out.push(Found {
                    start,
                    end: ws[last].1,
                    year: y,
                    month: m,
                    day,
                    time: t,
                });
                i = last + 1;
                continue;
            }
        }
        // Month D, YYYY
        if let (Some(m), Some(day), Some(y)) = (month(w(i)), number(w(i + 1), 2), year(w(i + 2))) {
            if day >= 1 && day <= days_in(m, Some(y)) && w(i).len() > 2 {
                out.push(Found {
                    start: ws[i].0,
                    end: ws[i + 2].1,
                    year: Some(y),
                    month: m,
                    day,
                    time: None,
                });
                i += 3;
                continue;
            }
        }
        // D.ROMAN.YYYY, D.M.YYYY, D.M.YY (a two-digit year is read as 19YY)
        let parts: Vec<&str> = w(i).split('.').collect();
        if parts.len() == 3 && parts[1].bytes().all(|b| b.is_ascii_digit()) {
            let y = year(parts[2]).or_else(|| {
                number(parts[2], 2)
                    .filter(|_| parts[2].len() == 2)
                    .map(|y| 1900 + y as i32)
            });
            if let (Some(day), Some(m), Some(y)) = (number(parts[0], 2), number(parts[1], 2), y) {
                if (1..=12).contains(&m) && day >= 1 && day <= days_in(m, Some(y)) {
                    out.push(Found {
                        start: ws[i].0,
                        end: ws[i].1,
                        year: Some(y),
                        month: m,
                        day,
                        time: None,
                    });
                }
            }
        } else if parts.len() == 3 {
            let y = year(parts[2]).or_else(|| {
                number(parts[2], 2)
                    .filter(|_| parts[2].len() == 2)
                    .map(|y| 1900 + y as i32)
            });
            if let (Some(day), Some(m), Some(y)) = (
                number(parts[0], 2),
                ROMAN.iter().position(|r| *r == parts[1]),
                y,
            ) {
                let m = m as u32 + 1;
                if day >= 1 && day <= days_in(m, Some(y)) {
                    out.push(Found {
                        start: ws[i].0,
                        end: ws[i].1,
                        year: Some(y),
                        month: m,
                        day,
                        time: None,
                    });
                }
            }
        }
        i += 1;
    }
    out
}

/// A date range (`from 1 to 5 October 1950`, `30 September–2 October 1950`, `between 1 and
/// 5 October`): the byte range of the dates (without the leading `from`/`between`) and both
/// ends, each completed from the other (a day alone takes the other end's month, a missing
/// year the other end's year).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    pub start: usize,
    pub end: usize,
    pub from: Found,
    pub to: Found,
}

/// Tokens for range detection: words split at white space, and at dashes between a number
/// and a number or a month (`1–5`, `September–2`); a dash is a token of its own.
fn range_tokens(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (a, b) in words(s) {
        let w = &s[a..b];
        let mut start = 0;
        for (i, c) in w.char_indices() {
            if matches!(c, '–' | '—' | '-') && i > start {
                let left = &w[start..i];
                let right_end = w[i + c.len_utf8()..]
                    .find(['–', '—', '-'])
                    .map_or(w.len(), |k| i + c.len_utf8() + k);
                let right = &w[i + c.len_utf8()..right_end];
                let datey = |x: &str| number(x, 2).is_some() || month(x).is_some();
                if datey(left) && number(right, 2).is_some() {
                    out.push((a + start, a + i));
                    out.push((a + i, a + i + c.len_utf8()));
                    start = i + c.len_utf8();
                }
            }
        }
        out.push((a + start, b));
    }
    out.into_iter().filter(|(a, b)| a < b).collect()
}

/// One end of a range: `[HHMM] D [Month [YYYY]]`.
struct End {
    start: usize,
    end: usize,
    time: Option<(u32, u32)>,
    day: u32,
    month: Option<u32>,
    year: Option<i32>,
}

fn range_end(s: &str, ts: &[(usize, usize)], i: usize) -> Option<(End, usize)> {
    let w = |k: usize| ts.get(k).map(|&(a, b)| &s[a..b]).unwrap_or("");
    let (time, d) = match time(w(i)) {
        Some(t) if number(w(i + 1), 2).is_some() => (Some(t), i + 1),
        _ => (None, i),
    };
    let day = number(w(d), 2).filter(|d| (1..=31).contains(d))?;
    let m = month(w(d + 1)).filter(|_| w(d + 1).len() > 2);
    let y = m.and_then(|_| year(w(d + 2)));
    let last = d + usize::from(m.is_some()) + usize::from(y.is_some());
    Some((
        End {
            start: ts[i].0,
            end: ts[last].1,
            time,
            day,
            month: m,
            year: y,
        },
        last + 1,
    ))
}

/// Every date range in `s`, left to right.
pub(crate) fn find_ranges(s: &str) -> Vec<Range> {
    let ts = range_tokens(s);
    let w = |k: usize| ts.get(k).map(|&(a, b)| &s[a..b]).unwrap_or("");
    let mut out = Vec::new();
    let mut i = 0;
    while i < ts.len() {
        let lead = if i > 0 {
            w(i - 1).to_ascii_lowercase()
        } else {
            String::new()
        };
        let Some((a, j)) = range_end(s, &ts, i) else {
            i += 1;
            continue;
        };
        let conn = w(j).to_ascii_lowercase();
        let joined = match conn.as_str() {
            "–" | "—" | "-" => true,
            "to" | "till" | "until" | "through" => lead == "from",
            "and" => lead == "between",
            _ => false,
        };
        let b = if joined {
            range_end(s, &ts, j + 1)
        } else {
            None
        };
        let Some((b, next)) = b else {
            i += 1;
            continue;
        };
        let Some(bm) = b.month else {
            i += 1;
            continue;
        };
        if a.year.is_some() && a.month.is_none() {
            i += 1;
            continue;
        }
        let am = a.month.unwrap_or(bm);
        let ay = match (a.year, b.year) {
            (Some(y), _) => Some(y),
            // `from 30 December to 2 January 1951`
            (None, Some(y)) if am > bm => Some(y - 1),
            (None, y) => y,
        };
        let by = b.year.or(ay);
        let ok = a.day <= days_in(am, ay)
            && b.day <= days_in(bm, by)
            && (ay.is_none() && by.is_none()
                || (ay, am, a.day, a.time) < (by, bm, b.day, b.time.or(Some((24, 0)))))
            // Without years `from 1 November to 30 April` runs into the next year (the
            // caller adds it); the same month backwards is no range.
            && !(ay.is_none() && by.is_none() && am == bm && a.day > b.day);
        if ok {
            out.push(Range {
                start: a.start,
                end: b.end,
                from: Found {
                    start: a.start,
                    end: a.end,
                    year: ay,
                    month: am,
                    day: a.day,
                    time: a.time,
                },
                to: Found {
                    start: b.start,
                    end: b.end,
                    year: by,
                    month: bm,
                    day: b.day,
                    time: b.time,
                },
            });
            i = next;
            continue;
        }
        i += 1;
    }
    out
}

/// Calendar-impossible dates (`31 September 1950`, `30 February`): a day of 1–31 with a month
/// name that has fewer days. `find` never returns them.
pub(crate) fn find_impossible(s: &str) -> Vec<(usize, usize)> {
    let ws = words(s);
    let w = |i: usize| -> &str { ws.get(i).map(|&(a, b)| &s[a..b]).unwrap_or("") };
    let mut out = Vec::new();
    for i in 0..ws.len() {
        if let (Some(day), Some(m)) = (number(w(i), 2), month(w(i + 1))) {
            let y = year(w(i + 2));
            if (1..=31).contains(&day) && day > days_in(m, y) && w(i + 1).len() > 2 {
                let last = if y.is_some() { i + 2 } else { i + 1 };
                out.push((ws[i].0, ws[last].1));
            }
        } else if let (Some(m), Some(day), Some(y)) =
            (month(w(i)), number(w(i + 1), 2), year(w(i + 2)))
        {
            if (1..=31).contains(&day) && day > days_in(m, Some(y)) && w(i).len() > 2 {
                out.push((ws[i].0, ws[i + 2].1));
            }
        }
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date (for distances between dates).
pub(crate) fn day_number(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The `@when` value of a date, with `year` standing in when the date has none.
pub(crate) fn when(d: &Found, year: Option<i32>) -> String {
    let y = d.year.or(year);
    match (y, d.time) {
        (Some(y), Some((h, m))) => format!("{y:04}-{:02}-{:02}T{h:02}:{m:02}:00", d.month, d.day),
        (Some(y), None) => format!("{y:04}-{:02}-{:02}", d.month, d.day),
        (None, _) => format!("--{:02}-{:02}", d.month, d.day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str, year: Option<i32>) -> Vec<(String, String)> {
        find(s)
            .iter()
            .map(|d| (s[d.start..d.end].to_string(), when(d, year)))
            .collect()
    }

    #[test]
    fn forms() {
        assert_eq!(
            check("sent at 2035 30 September 1950", None),
            vec![(
                "2035 30 September 1950".into(),
                "1950-09-30T20:35:00".into()
            )]
        );
        assert_eq!(
            check("received at 2332 30 September", Some(1950)),
            vec![("2332 30 September".into(), "1950-09-30T23:32:00".into())]
        );
        assert_eq!(
            check("on September 16, 1950.", None),
            vec![("September 16, 1950".into(), "1950-09-16".into())]
        );
        assert_eq!(
            check("dated 30.IX.1950", None),
            vec![("30.IX.1950".into(), "1950-09-30".into())]
        );
        assert_eq!(
            check("1 October 1950”", None),
            vec![("1 October 1950".into(), "1950-10-01".into())]
        );
        assert_eq!(
            check("30.IX.50", None),
            vec![("30.IX.50".into(), "1950-09-30".into())]
        );
        assert_eq!(
            check("3.10.50", None),
            vec![("3.10.50".into(), "1950-10-03".into())]
        );
        assert_eq!(
            check("1 October", None),
            vec![("1 October".into(), "--10-01".into())]
        );
    }

    #[test]
    fn rejects_impossible() {
        assert!(check("31 February 1950", None).is_empty());
        assert!(check("about 12 may", None).len() == 1);
        assert!(check("29 February 1951", None).is_empty());
        assert_eq!(check("29 February 1952", None).len(), 1);
    }
    fn ranges(s: &str, year: Option<i32>) -> Vec<(String, String, String)> {
        find_ranges(s)
            .iter()
            .map(|r| {
                (
                    s[r.start..r.end].to_string(),
                    when(&r.from, year),
                    when(&r.to, year),
                )
            })
            .collect()
    }

    #[test]
    fn date_ranges() {
        let r = |a: &str, b: &str, c: &str| vec![(a.to_string(), b.to_string(), c.to_string())];
        assert_eq!(
            ranges("held from 1 to 5 October 1950 in", None),
            r("1 to 5 October 1950", "1950-10-01", "1950-10-05")
        );
        assert_eq!(
            ranges("from 30 September to 2 October 1950,", None),
            r("30 September to 2 October 1950", "1950-09-30", "1950-10-02")
        );
        assert_eq!(
            ranges("between 3 and 7 May 1951.", None),
            r("3 and 7 May 1951", "1951-05-03", "1951-05-07")
        );
        assert_eq!(
            ranges("on 1–5 October 1950", None),
            r("1–5 October 1950", "1950-10-01", "1950-10-05")
        );
        assert_eq!(
            ranges("on 30 September–2 October", Some(1950)),
            r("30 September–2 October", "1950-09-30", "1950-10-02")
        );
        assert_eq!(
            ranges("from 30 December to 2 January 1951", None),
            r("30 December to 2 January 1951", "1950-12-30", "1951-01-02")
        );
        assert_eq!(
            ranges("from 1200 1 May to 0900 2 May 1951", None),
            r(
                "1200 1 May to 0900 2 May 1951",
                "1951-05-01T12:00:00",
                "1951-05-02T09:00:00"
            )
        );
        // `to` needs `from`, `and` needs `between`; a reversed range is not one.
        assert!(ranges("we sent 1 to 5 October 1950", None).is_empty());
        assert!(ranges("1 and 5 October 1950", None).is_empty());
        assert!(ranges("from 5 to 1 October 1950", None).is_empty());
        assert!(ranges("from 5 to 1 October", None).is_empty());
        assert_eq!(
            ranges("from 1 November to 30 April", None),
            r("1 November to 30 April", "--11-01", "--04-30")
        );
        assert!(ranges("from 1 to 31 September 1950", None).is_empty());
        assert!(ranges("pages 1-5", None).is_empty());
    }

    #[test]
    fn day_numbers() {
        assert_eq!(day_number(1970, 1, 1), 0);
        assert_eq!(day_number(1950, 10, 1) - day_number(1950, 9, 30), 1);
        assert_eq!(day_number(1952, 3, 1) - day_number(1952, 2, 28), 2);
        assert_eq!(day_number(1951, 1, 1) - day_number(1950, 1, 1), 365);
    }

    #[test]
    fn impossible_dates() {
        let s = "on 31 September 1950 and 30 February and 31 October and September 31, 1950";
        let got: Vec<&str> = find_impossible(s).iter().map(|&(a, b)| &s[a..b]).collect();
        assert_eq!(
            got,
            vec!["31 September 1950", "30 February", "September 31, 1950"]
        );
    }
}
