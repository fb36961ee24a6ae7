//! Integration tests: samples (snapshots and round trip), bad inputs, size, and properties.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use teikit_convert::{convert, normalize, to_text, Conversion, Options};

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .expect("samples/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

fn run(input: &str) -> Conversion {
    convert(input.as_bytes(), &Options::default())
}

/// Converts, checks the output is well-formed and that the round trip is exact.
fn round_trip(input: &str) -> String {
    let out = run(input);
    let tei = out
        .tei
        .unwrap_or_else(|| panic!("no TEI for {input:?}: {:?}", out.diagnostics));
    roxmltree::Document::parse(&tei).unwrap_or_else(|e| panic!("not well-formed ({e}):\n{tei}"));
    let back = to_text(&tei).expect("to_text reads convert's output");
    assert_eq!(back, normalize(input), "round trip differs; TEI:\n{tei}");
    tei
}

fn codes(out: &Conversion) -> Vec<&str> {
    out.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn there_are_at_least_six_samples() {
    assert!(samples().len() >= 6, "{:?}", samples());
}

#[test]
fn samples_snapshot_and_round_trip() {
    for path in samples() {
        let input = std::fs::read_to_string(&path).expect("sample is UTF-8");
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = convert(
            input.as_bytes(),
            &Options {
                file_name: Some(format!("{name}.txt")),
                ..Options::default()
            },
        );
        let tei = out.tei.clone().expect("sample converts");
        assert_eq!(to_text(&tei).unwrap(), normalize(&input), "{name}");
        let diags: Vec<String> = out
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {} at {:?}: {}",
                    d.severity,
                    d.code,
                    d.primary_span().map(|s| s.offset),
                    d.message
                )
            })
            .collect();
        insta::assert_snapshot!(
            name.clone(),
            format!("{}\n<!-- diagnostics:\n{}\n-->\n", tei, diags.join("\n"))
        );
    }
}

#[test]
fn empty_and_blank_inputs_are_errors() {
    for input in ["", "   \n\n\t\n"] {
        let out = run(input);
        assert!(out.tei.is_none());
        assert_eq!(codes(&out), ["convert/empty-input"]);
    }
}

#[test]
fn binary_inputs_are_errors() {
    let out = convert(b"CABLE\0\x01\x02", &Options::default());
    assert!(out.tei.is_none());
    assert_eq!(codes(&out), ["convert/binary-input"]);
    assert_eq!(out.diagnostics[0].primary_span().unwrap().offset, 5);
    let out = convert(b"MEMORANDUM\n\n\xc3\x28 text", &Options::default());
    assert!(out.tei.is_none());
    assert_eq!(codes(&out), ["convert/invalid-utf8"]);
    assert_eq!(out.diagnostics[0].primary_span().unwrap().offset, 12);
}

#[test]
fn unclosed_bracket_warns_at_the_opening_bracket() {
    let input = "MEMORANDUM\n\nThe text [handwritten: seen by me\n\nNext paragraph.";
    let out = run(input);
    let d = out
        .diagnostics
        .iter()
        .find(|d| d.code == "convert/unclosed-bracket")
        .expect("warned");
    assert_eq!(d.primary_span().unwrap().offset, input.find('[').unwrap());
    round_trip(input);
}

#[test]
fn page_break_is_joined_and_warned() {
    let input = "MEMORANDUM\n\nThe enemy seized the port and is waging street battles right in\n\nthe city itself.\n";
    let out = run(input);
    let tei = out.tei.clone().unwrap();
    assert!(tei.contains("right in<pb/>the city itself.</p>"), "{tei}");
    assert!(codes(&out).contains(&"convert/page-break"));
    round_trip(input);
}

#[test]
fn dates_take_the_neighbours_year() {
    let tei = round_trip("CABLE Nº 5\n\nfrom HANOI sent at 2035 30 September 1950\n\nreceived at 2332 30 September\n\nText.\n");
    assert!(tei.contains("when=\"1950-09-30T23:32:00\""), "{tei}");
}

#[test]
fn packed_header_line_round_trips() {
    let tei = round_trip("COPY OF AN OUTGOING TELEGRAM      TOP SECRET\n\nText of the telegram.\n");
    assert!(
        tei.contains("<space quantity=\"6\" unit=\"char\"/>"),
        "{tei}"
    );
    assert!(
        tei.contains("<seg type=\"classification\">TOP SECRET</seg>"),
        "{tei}"
    );
}

#[test]
fn odd_layouts_round_trip() {
    for input in [
        "\n\n\nLeading blank lines.\n",
        "\u{feff}CABLE Nº 3\r\n\r\nText of it.\r\n",
        "Page one ends here.\x0c\n\x0c\nPage two.",
        "A\r\nB\r\n\r\nC\r",
        "x",
        "[",
        "]",
        "[[",
        "]]]",
        "[a [b [c",
        "word [?]",
        "[?] word",
        "[sic]",
        "a  [sic]",
        "Com[rade]s",
        "[1] note without marker",
        "text [1]\n\n[1] note\n\n[1] again",
        "“Quoted\n\nstill quoted”",
        "“",
        "DEAR\n\nX",
        "Copies: A (2), B - 3, C",
        "   indented line\n\n\ttabbed line",
        "CABLE Nº 1   SECRET   URGENT",
        "[stamp:]",
        "[stamp]",
        "[handwritten]",
        "[handwritten: [[x]]",
        "[Translator's note-- x]",
        "observe [ponablyusti – SIC] it",
        // Found by fuzzing: an attached SIC after other text of the same node (here inside
        // an unclosed note) moved that text after the sic.
        "[Translator's note: the German originat observe[lobs yudali – SIC] the procedure.",
        "so we observe[ponablyusti – SIC] it",
        "[...] and […] and [....]",
    ] {
        round_trip(input);
    }
}

/// One case per bracket convention: the transcription and a piece of the expected TEI.
#[test]
fn bracket_conventions() {
    let cases = [
        (
            "with all [our] energy.",
            r#"all <supplied reason="omitted">our</supplied> energy"#,
        ),
        (
            "Com[rade] Kim came.",
            r#"Com<supplied reason="omitted">rade</supplied> Kim"#,
        ),
        (
            "A [stamp: Incoming No 3561/shs of 1 October 1950] B",
            r#"<stamp type="received">Incoming No 3561/shs of <date when="1950-10-01">1 October 1950</date></stamp>"#,
        ),
        (
            "A [Stamp: Outgoing No 5] B",
            r#"<stamp type="sent" n="Stamp: ">Outgoing No 5</stamp>"#,
        ),
        (
            "[handwritten above the form: seen]\n\nMEMORANDUM",
            r##"<note type="handwritten" place="top"><label>handwritten above the form:</label> <add hand="#hand-1" place="top">seen</add></note>"##,
        ),
        (
            "[in the margin: agreed]",
            r#"<note type="handwritten" place="margin">"#,
        ),
        (
            "signed [handwritten signature] here",
            r#"<note type="handwritten">handwritten signature</note>"#,
        ),
        (
            "signed by [illegible signature] today",
            r#"<gap reason="illegible" extent="signature"><desc>illegible signature</desc></gap>"#,
        ),
        (
            "and [[several illegible words]] the",
            r#"<gap reason="illegible" extent="several words" rend="double"><desc>several illegible words</desc></gap>"#,
        ),
        (
            "the city [?] of Seoul",
            r#"the <unclear cert="low">city</unclear> of"#,
        ),
        (
            "the [city?] of Seoul",
            r#"<unclear cert="low" rend="bracketed">city</unclear>"#,
        ),
        ("at lenght [sic] and", r#"at <sic>lenght</sic> and"#),
        ("BEIPING [SIC] and", r#"<sic n="SIC">BEIPING</sic>"#),
        (
            "not observe [ponablyusti – SIC] the",
            r#"<sic rend="noted">observe</sic> <note type="original">ponablyusti – SIC</note>"#,
        ),
        (
            "we did not observe[ponablyusti – SIC] the",
            r#"we did not <sic rend="noted attached">observe</sic><note type="original">ponablyusti – SIC</note> the"#,
        ),
        (
            "the text [Translator's note: in German] here",
            r##"<note type="editorial" resp="#translator"><label>Translator's note:</label> in German</note>"##,
        ),
        (
            "the text [Ed. note: see below] here",
            r##"<note type="editorial" resp="#editor"><label>Ed. note:</label> see below</note>"##,
        ),
        (
            "to FILIPPOV [Stalin] at once",
            r#"FILIPPOV <note type="identification">Stalin</note>"#,
        ),
        (
            "has fallen [otpala] away",
            r#"<note type="original"><foreign xml:lang="ru-Latn">otpala</foreign></note>"#,
        ),
        (
            "as agreed [1].\n\n[1] In May.",
            r##"<ref type="noteAnchor" target="#fn-1">1</ref>"##,
        ),
        (
            "as agreed [1].\n\n[1] In May.",
            r#"<note type="footnote" xml:id="fn-1" n="1">In May.</note>"#,
        ),
        (
            "the page [cut off] here",
            r#"<gap reason="damage"><desc>cut off</desc></gap>"#,
        ),
        (
            "the rest [text missing]",
            r#"<gap reason="damage"><desc>text missing</desc></gap>"#,
        ),
        (
            "we [...] agree",
            r#"<gap reason="omitted"><desc>...</desc></gap>"#,
        ),
        ("we […] agree", r#"<gap reason="omitted"/>"#),
        (
            "end. [page 2] Start",
            r#"<pb n="page 2" rend="bracketed"/>"#,
        ),
        (
            "A [Stamp: Subject to return to the\n8th Directorate within 2 days] B",
            r##"Subject to return to the<lb/><orgName ref="#n-8th-directorate">8th Directorate</orgName>"##,
        ),
        (
            "the [broken bracket",
            r#"<supplied reason="omitted" rend="unclosed">broken bracket</supplied>"#,
        ),
        (
            "This [is a long editorial remark: that the editor added here] ok",
            r#"<note type="editorial">is a long editorial remark"#,
        ),
    ];
    for (input, want) in cases {
        let tei = round_trip(input);
        assert!(tei.contains(want), "{input:?} should give {want}\n{tei}");
    }
}

/// One case per block convention.
#[test]
fn block_conventions() {
    let cases = [
        ("CABLE Nº 600308/sh\n\nText.", r#"<head>CABLE Nº <idno type="cable">600308/sh</idno></head>"#),
        ("MEMORANDUM\n\nText.", r#"<div type="memorandum">"#),
        ("RECORD OF CONVERSATION\n\nText.", r#"<div type="conversation">"#),
        (
            "CABLE\n\nfrom PYONGYANG sent at 2035 30 September 1950\n\nText.",
            r##"<dateline>from <placeName ref="#pyongyang">PYONGYANG</placeName> sent at <date when="1950-09-30T20:35:00">2035 30 September 1950</date></dateline>"##,
        ),
        ("CABLE\n\nby wire\n\nText.", r#"<seg type="transmission">by wire</seg>"#),
        ("CABLE\n\nextremely urgent\n\nText.", r#"<seg type="priority">extremely urgent</seg>"#),
        ("CABLE\n\nTOP SECRET\n\nText.", r#"<seg type="classification">TOP SECRET</seg>"#),
        (
            "CABLE\n\nMoscow\n\nto Cde. GROMYKO\n\nText.",
            "<address>\n            <addrLine><placeName ref=\"#moscow\">Moscow</placeName></addrLine>\n            <addrLine>to <persName ref=\"#gromyko\">Cde. GROMYKO</persName></addrLine>",
        ),
        ("MEMO\n\nSome of the text here.\n\nSHTYKOV", "<closer>\n          <signed><persName ref=\"#shtykov\">SHTYKOV</persName></signed>"),
        ("Dear Sir,\n\nText of it.", "<salute>Dear Sir,</salute>"),
        (
            "To Comrade Stalin\n\nDear Comrade Stalin!\n\nWe write to you today.",
            "<address>\n            <addrLine>To <persName ref=\"#stalin\">Comrade Stalin</persName></addrLine>\n          </address>\n          <salute>",
        ),
        ("Text of the letter.\n\nSincerely,\n\nJOHN SMITH", "<salute>Sincerely,</salute>"),
        ("Text of the letter.\n\nIVANOV\n\n29 September 1950", r#"<dateline><date when="1950-09-29">29 September 1950</date></dateline>"#),
        ("Text.\n\nIVANOV\n\nCopy Nº 1 to Cde. Stalin\n\nCopy № 2 to file", r#"<item n="2">Copy № 2 to file</item>"#),
        ("Text.\n\nIVANOV\n\n12 copies printed", "<div type=\"registration\">\n        <p>12 copies printed</p>"),
        ("Text.\n\nIVANOV\n\nNº 1351", r#"<p>Nº <idno type="registration">1351</idno></p>"#),
        (
            "Text.\n\nIVANOV\n\nSent by Shcherbakova at 0145 1 October 1950",
            "<div type=\"transmission\">\n        <p>Sent by <persName ref=\"#shcherbakova\">Shcherbakova</persName>",
        ),
        (
            "Copies: Stalin (2), Molotov",
            r#"<p>Copies: <list type="distribution"><item n="2">Stalin (2),</item> <item>Molotov</item></list></p>"#,
        ),
        (
            "Pass the following:\n\n“To Cde. MAO.\n\nWe agree.\n\nFILIPPOV”",
            r#"<floatingText type="telegram">"#,
        ),
        ("MEMORANDUM\n\nSubject: the border\n\nText.", r#"<head type="subject">Subject: the border</head>"#),
        ("Text.\n\nSHTYKOV\n\nP.S. And more.", "<postscript><p>P.S. And more.</p></postscript>"),
    ];
    for (input, want) in cases {
        let tei = round_trip(input);
        assert!(tei.contains(want), "{input:?} should give {want}\n{tei}");
    }
}

#[test]
fn a_few_megabytes_convert() {
    let block = "CABLE Nº 600308/sh\n\nfrom PYONGYANG sent at 2035 30 September 1950\n\nThe enemy [illegible] seized the port [stamp: Incoming No 1 of 1 October 1950] and is waging battles right in\n\nthe city of Seoul. Com[rade] X [?] said [sic].\n\nSHTYKOV\n\nCopy Nº 1 to Cde. Stalin\n\n";
    let input = block.repeat(4 * 1024 * 1024 / block.len());
    let out = run(&input);
    let tei = out.tei.expect("converts");
    assert_eq!(to_text(&tei).unwrap(), normalize(&input));
    // One long line and one deep bracket nest must not be quadratic or overflow.
    let long = "word ".repeat(400_000);
    round_trip(&long);
    let deep = "[".repeat(200_000);
    round_trip(&deep);
    // A paragraph continued over many lines (line mode) and over many page breaks.
    let wrapped =
        "the lines of this paragraph never end a sentence and go on and on and\n".repeat(30_000);
    round_trip(&wrapped);
    let paged =
        "the lines of this paragraph never end a sentence and go on and on and\n\n".repeat(30_000);
    round_trip(&paged);
    let open = "[handwritten: a note that is never closed and goes on\n\n".repeat(30_000);
    round_trip(&open);
}

#[test]
fn to_text_rejects_foreign_xml() {
    assert!(to_text("<not-closed>").is_err());
    assert!(to_text("<html/>").is_err());
}

#[test]
fn to_text_refuses_very_deep_xml() {
    let deep = format!(
        r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>{}x{}</p></body></text></TEI>"#,
        "<hi>".repeat(5000),
        "</hi>".repeat(5000)
    );
    let err = to_text(&deep).unwrap_err();
    assert_eq!(err[0].code, "convert/too-deep");
}

#[test]
fn to_text_bounds_hostile_runs() {
    let tei = r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>a</p><space quantity="99999999999999"/><p rend="blank-99999999999999">b</p></body></text></TEI>"#;
    let text = to_text(tei).unwrap();
    assert!(text.len() < 3_000_000);
}

/// Pieces of transcriptions: prose, header lines, brackets of every kind, broken ones.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("CABLE Nº 600308/sh".to_string()),
        Just("MEMORANDUM".to_string()),
        Just("from PYONGYANG sent at 2035 30 September 1950".to_string()),
        Just("received at 2332 30 September".to_string()),
        Just("by wire".to_string()),
        Just("TOP SECRET      URGENT".to_string()),
        Just("Moscow".to_string()),
        Just("to Cde. GROMYKO".to_string()),
        Just("DEAR".to_string()),
        Just("Dear Comrade Stalin!".to_string()),
        Just("Sincerely,".to_string()),
        Just("SHTYKOV".to_string()),
        Just("29 September 1950".to_string()),
        Just("Copy Nº 3 to Cde. Molotov".to_string()),
        Just("12 copies printed".to_string()),
        Just("Sent by Ivanova at 0145 1 October 1950".to_string()),
        Just("Copies: Stalin (2), Molotov".to_string()),
        Just("[1] A footnote.".to_string()),
        Just("“Pass the following".to_string()),
        Just("end of the quote”".to_string()),
        Just("P.S. One more thing.".to_string()),
        "[a-zA-Z ,.]{0,80}",
        "[a-z]{1,8} \\[[a-z ?]{0,12}\\] [a-z]{1,8}",
        "\\[(stamp|handwritten above|Translator's note|illegible|sic|cut off|1|…): [a-z ]{0,20}\\]?",
        "\\[\\[[a-z ]{0,10}\\]?\\]?",
        "[\\[\\]a-z “”\"\t]{0,30}",
        "The (enemy|party) [a-z ]{50,90}",
    ]
}

fn transcription() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(
            (
                piece(),
                prop_oneof!["\n\n", "\n", "\n\n\n", "\r\n\r\n", " \t\n\n", "\n \n"],
            ),
            0..14,
        ),
        any::<bool>(),
    )
        .prop_map(|(parts, lead)| {
            let mut s = String::new();
            if lead {
                s.push('\n');
            }
            for (p, sep) in parts {
                s.push_str(&p);
                s.push_str(&sep);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn round_trip_is_exact(input in transcription()) {
        let out = run(&input);
        match out.tei {
            None => prop_assert!(input.trim().is_empty()),
            Some(tei) => {
                prop_assert!(roxmltree::Document::parse(&tei).is_ok(), "not well-formed:\n{}", tei);
                let back = to_text(&tei).unwrap();
                prop_assert_eq!(back, normalize(&input), "TEI:\n{}", tei);
            }
        }
    }

    #[test]
    fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let out = convert(&bytes, &Options::default());
        if let Some(tei) = out.tei {
            let text = std::str::from_utf8(&bytes).unwrap();
            prop_assert_eq!(to_text(&tei).unwrap(), normalize(text));
        }
    }

    #[test]
    fn never_panics_on_any_text(text in "\\PC{0,200}") {
        let out = run(&text);
        if let Some(tei) = out.tei {
            prop_assert_eq!(to_text(&tei).unwrap(), normalize(&text));
        }
    }
}

/// The example profile changes what is recognised, and the round trip still holds.
#[test]
fn a_profile_adds_words() {
    let profile_text =
        std::fs::read_to_string(samples_dir().join("profile-example.toml")).expect("example");
    let profile = teikit_convert::parse_profile(&profile_text).expect("the example parses");
    let input = "FERNSCHREIBEN Nr. 12\n\nrelayed from BERLIN at 1400 3 May 1950\n\n\
                 Genosse Ulbricht agreed [hw: approved] and the note was registered [cachet: Incoming 3 May 1950]. \
                 Staatssekretär Hager [TrN: the deputy] was absent.\n\n\
                 With socialist greetings,\n\nWINZER\n";
    let plain = run(input).tei.unwrap();
    let with = convert(
        input.as_bytes(),
        &Options {
            profile: Some(profile),
            ..Options::default()
        },
    );
    let tei = with.tei.unwrap();
    for (want, why) in [
        (r#"<div type="telegram">"#, "document type"),
        (r#"<note type="handwritten""#, "bracket keyword hw"),
        (
            r#"<stamp type="received" n="cachet: ">"#,
            "bracket keyword cachet",
        ),
        (r##"resp="#translator""##, "bracket keyword TrN"),
        (">Genosse Ulbricht</persName>", "title"),
        (">Staatssekretär Hager</persName>", "multi-word title"),
        ("<dateline>relayed from", "routing word"),
        (
            "<salute>With socialist greetings,</salute>",
            "closing formula",
        ),
    ] {
        assert!(tei.contains(want), "{why}: {want}\n{tei}");
        assert!(!plain.contains(want), "{why} without the profile: {want}");
    }
    assert_eq!(to_text(&tei).unwrap(), normalize(input));
}

/// `parse_profile` turns an unknown key into a diagnostic with the span of the key.
#[test]
fn profile_errors_point_into_the_toml() {
    let text = "titles = [\"Herr\"]\n[bracket_keyword]\nhw = \"handwritten\"\n";
    let e = teikit_convert::parse_profile(text).unwrap_err();
    let s = e[0].primary_span().expect("a span");
    assert_eq!(&text[s.offset..s.offset + s.len], "bracket_keyword");
}

/// The header title is built from the document's shape: type and number, sender and
/// recipient with their places, and the date; a letter without a type line is a `Letter`.
#[test]
fn titles_from_the_shape() {
    let title = |input: &str| {
        let tei = run(input).tei.unwrap();
        let a = tei.find("<title>").unwrap() + 7;
        let b = tei[a..].find("</title>").unwrap() + a;
        tei[a..b].to_string()
    };
    assert_eq!(
        title("CIPHERED TELEGRAM Nº 12\n\nfrom SOFIA sent at 1200 3 May 1950\n\nMoscow\n\nto Cde. ZORIN\n\nWe report that the harvest is good.\n\nBODROV\n"),
        "Ciphered telegram Nº 12 from Bodrov (Sofia) to Zorin (Moscow), 3 May 1950"
    );
    assert_eq!(
        title("Tirana, 4 May 1951\n\nDear Comrade Hoxha!\n\nWe thank you for the letter and the gifts.\n\nWith communist greetings,\n\nCHUVAKHIN\n"),
        "Letter from Chuvakhin (Tirana) to Hoxha, 4 May 1951"
    );
    assert_eq!(
        title("MEMORANDUM\n\nOn the grain deliveries of the autumn\n\nThe deliveries were late this year in every region.\n"),
        "Memorandum on the grain deliveries of the autumn"
    );
}

/// Found by the `generated` suite: an indented footnote text line lost its indentation and
/// kept its `[n]` marker as a note anchor inside the note, so the round trip wrote `[1][1]`.
#[test]
fn indented_footnote_text_round_trips() {
    for indent in ["  ", "\t", " \t "] {
        for gap in [" ", "", "  "] {
            let input = format!(
                "CABLE Nº 12\n\nThe text of the cable [1].\n\n{indent}[1]{gap}The document was read by Ivanov.\n"
            );
            let tei = round_trip(&input);
            let note = tei
                .lines()
                .find(|l| l.contains("<note type=\"footnote\""))
                .unwrap_or_else(|| panic!("no footnote note:\n{tei}"));
            let rend = format!("indent-{}", indent.chars().count());
            assert!(note.contains(&rend), "{rend}: {note}");
            assert!(!note.contains("noteAnchor"), "{note}");
        }
    }
    // Unindented footnotes carry no indentation mark.
    let tei = round_trip("CABLE Nº 12\n\nThe text [1].\n\n[1] A note.\n");
    let note = tei
        .lines()
        .find(|l| l.contains("<note type=\"footnote\""))
        .unwrap_or_else(|| panic!("no footnote note:\n{tei}"));
    assert!(!note.contains("indent-"), "{note}");
}

/// Found by the `generated` suite: registration lines between a document-type line and the
/// text (at the top or for a document opened after the body) go into the opener as
/// `<seg type="registration">`, the type teikit-archive allows for them there.
#[test]
fn registration_lines_after_a_head_are_opener_segments() {
    for input in [
        "MEMORANDUM\n\nattachment on two sheets\nNº 1351\n\nThe text of the memorandum.\n",
        "CABLE Nº 12\n\nThe text of the cable.\n\nSHTYKOV\n\nMEMORANDUM\n\nattachment on two sheets\nNº 1351\n19 copies printed\n\nSome more text of the memorandum.\n",
    ] {
        let tei = round_trip(input);
        let doc = roxmltree::Document::parse(&tei).unwrap();
        let memo = doc
            .descendants()
            .find(|n| n.has_tag_name("div") && n.attribute("type") == Some("memorandum"))
            .unwrap_or_else(|| panic!("no memorandum div:\n{tei}"));
        let segs: Vec<_> = memo
            .descendants()
            .filter(|n| n.has_tag_name("seg"))
            .map(|n| {
                assert_eq!(n.parent().unwrap().tag_name().name(), "opener", "{tei}");
                n.attribute("type").unwrap_or("")
            })
            .collect();
        assert!(segs.len() >= 2, "{tei}");
        assert!(segs.iter().all(|t| *t == "registration"), "{tei}");
        let schema = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/teikit-archive.rnc"),
        )
        .expect("the archive schema is in the repository");
        let seg_types = schema
            .split("seg.type =")
            .nth(1)
            .and_then(|rest| rest.split("##").next())
            .expect("teikit-archive.rnc defines seg.type");
        assert!(
            seg_types.contains("\"registration\""),
            "teikit-archive must allow the seg type the converter writes: {seg_types}"
        );
    }
}

/// Found by fuzzing: a note anchor on the line after a signature went straight into the
/// div, where TEI does not allow `<ref>`. It joins the closer, or a paragraph elsewhere.
#[test]
fn a_note_anchor_on_its_own_line_is_never_a_child_of_a_div() {
    for (input, parent) in [
        (
            "CABLE No. 1\n\nThe delegation agrees with our proposal and will travel on Monday.\n\nSEMYONOV\n[1]\n\n[1] Read by Stalin.",
            "closer",
        ),
        (
            "CABLE No. 1\n\nThe delegation agrees with our proposal.\n\n[1]\n\nMore text follows here.\n\n[1] Read by Stalin.",
            "p",
        ),
    ] {
        let tei = round_trip(input);
        let doc = roxmltree::Document::parse(&tei).unwrap();
        let anchor = doc
            .descendants()
            .find(|n| n.has_tag_name("ref"))
            .unwrap_or_else(|| panic!("no anchor:\n{tei}"));
        assert_eq!(anchor.parent_element().unwrap().tag_name().name(), parent, "{tei}");
    }
}
