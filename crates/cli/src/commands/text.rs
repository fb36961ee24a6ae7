//! `teikit text FILE.xml`: TEI written by `convert` back to the transcription.

use std::io::{IsTerminal, Write};

use teikit_diagnostics::{FileReport, Format, RenderOptions, Renderer};

use crate::args::TextArgs;
use crate::inputs::{self, Input};
use crate::{write_result, Failure, Status};

pub fn run(args: TextArgs) -> Result<Status, Failure> {
    let input = inputs::expand(std::slice::from_ref(&args.file), &["xml", "tei"])?;
    let [input] = input.as_slice() else {
        return Err(Failure::usage(
            "`teikit text` takes one file (a folder holds several)",
        ));
    };
    let bytes = input.read().map_err(|e| {
        Failure::error(format!(
            "cannot read {}: {}",
            input.display(),
            inputs::io_reason(&e)
        ))
    })?;
    let text = match teikit_xml::decode(&bytes) {
        Ok(t) => t.into_owned(),
        Err(d) => return report(input, bytes, vec![d]),
    };
    match teikit_convert::to_text(&text) {
        Ok(plain) => {
            let mut out = std::io::stdout().lock();
            write_result(out.write_all(plain.as_bytes()).and_then(|()| out.flush()))?;
            Ok(Status::Success)
        }
        Err(diags) => report(input, text.into_bytes(), diags),
    }
}

/// Prints why the file could not be turned back into text (standard error) and fails.
fn report(
    input: &Input,
    source: Vec<u8>,
    diags: Vec<teikit_diagnostics::Diagnostic>,
) -> Result<Status, Failure> {
    let terminal = std::io::stderr().is_terminal();
    let format = if terminal {
        Format::Human
    } else {
        Format::Short
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let options = RenderOptions {
        color: terminal && !no_color,
        summary: false,
        ..RenderOptions::default()
    };
    let report = FileReport::new(input.display(), Some(source.into()), diags);
    let mut err = std::io::stderr().lock();
    let mut renderer = Renderer::new(format, &options);
    write_result(renderer.push(&report, &mut err))?;
    write_result(renderer.finish(&mut err))?;
    Ok(Status::Failure)
}
