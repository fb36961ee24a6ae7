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

fn month(word: &str) -> Option<u32> {
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
}
