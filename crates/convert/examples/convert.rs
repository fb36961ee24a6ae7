//! Converts a transcription and prints the TEI, the diagnostics and the round-trip verdict.
//! `cargo run -p teikit-convert --example convert -- FILE [PROFILE.toml]`

fn main() {
    let path = std::env::args().nth(1).expect("usage: convert FILE");
    let input = std::fs::read(&path).expect("readable file");
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let out = teikit_convert::convert(
        &input,
        &teikit_convert::Options {
            file_name: name,
            profile: std::env::args().nth(2).map(|p| {
                let text = std::fs::read_to_string(p).expect("readable profile");
                teikit_convert::parse_profile(&text).expect("valid profile")
            }),
            ..Default::default()
        },
    );
    for d in &out.diagnostics {
        eprintln!(
            "{} {} {:?} {}",
            d.severity,
            d.code,
            d.primary_span(),
            d.message
        );
    }
    if let Some(tei) = out.tei {
        println!("{tei}");
        let back = teikit_convert::to_text(&tei).expect("own output reads back");
        let want = teikit_convert::normalize(&String::from_utf8_lossy(&input));
        if back == want {
            eprintln!("round trip: ok");
        } else {
            let at = back
                .bytes()
                .zip(want.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(back.len().min(want.len()));
            eprintln!(
                "round trip: DIFFERS at byte {at}:\n got: {:?}\nwant: {:?}",
                &back[at.saturating_sub(40)..(at + 60).min(back.len())],
                &want[at.saturating_sub(40)..(at + 60).min(want.len())]
            );
        }
    }
}
