//! A generated TEI document for the micro-benchmarks: repeated, varied letters that are valid
//! against the built-in `teikit-archive` schema (and so against tei_all). Shared by the
//! teikit-xml and teikit-validate benches (`#[path]`-included), so both measure one input.

use std::fmt::Write as _;

const PLACES: [&str; 6] = [
    "Moscow",
    "Beijing",
    "Havana",
    "Budapest",
    "Pyongyang",
    "Prague",
];
const PEOPLE: [&str; 6] = [
    "Shtykov",
    "Zhou Enlai",
    "Castro",
    "Nagy",
    "Kim Il Sung",
    "Molotov",
];

/// A TEI document of at least `min_bytes` bytes; returns it and its number of `<div>`s.
pub fn tei_document(min_bytes: usize) -> (String, usize) {
    let mut doc = String::with_capacity(min_bytes + 4096);
    doc.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" xml:lang=\"en\">\n\
<teiHeader><fileDesc><titleStmt><title>Generated benchmark document</title></titleStmt>\
<publicationStmt><p>Generated for the micro-benchmarks.</p></publicationStmt>\
<sourceDesc><p>Synthetic: repeated letters.</p></sourceDesc></fileDesc></teiHeader>\n\
<text><body>\n",
    );
    let tail = "</body></text>\n</TEI>\n";
    let mut divs = 0usize;
    while doc.len() + tail.len() < min_bytes {
        let i = divs;
        let place = PLACES[i % PLACES.len()];
        let person = PEOPLE[(i / 7) % PEOPLE.len()];
        let day = i % 28 + 1;
        let month = i / 28 % 12 + 1;
        let _ = write!(
            doc,
            "<div type=\"letter\" n=\"{i}\" xml:id=\"d{i}\">\n\
<opener><dateline><placeName>{place}</placeName>, <date when=\"1950-{month:02}-{day:02}\">{day} \
{month} 1950</date></dateline>\n<salute>Dear Comrade <persName>{person}</persName>,</salute></opener>\n\
<p>The delegation arrived in <placeName>{place}</placeName> on the <date when=\"1950-{month:02}-{day:02}\">\
{day}th</date> and was received by <persName ref=\"#d{prev}\">{person}</persName>.<lb/>\
The talks covered <hi rend=\"italic\">trade</hi>, <hi rend=\"underline\">credit</hi> &amp; the \
exchange of specialists<note place=\"bottom\">See the memorandum of the same day.</note>.</p>\n\
<p>Further questions <unclear reason=\"illegible\">were</unclear> deferred; <gap reason=\"illegible\"/> \
the next meeting is planned for <date>spring</date>.<lb/>\
<choice><abbr>Cde.</abbr><expan>Comrade</expan></choice> {person} sends greetings.</p>\n\
<closer><salute>With comradely greetings,</salute> <signed><persName>{person}</persName></signed></closer>\n\
</div>\n",
            // A pointer to an earlier division, so that every reference resolves.
            prev = i.saturating_sub(1)
        );
        divs += 1;
    }
    doc.push_str(tail);
    (doc, divs)
}
