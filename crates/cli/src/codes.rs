//! Diagnostic codes emitted by the command line itself.

use teikit_diagnostics::{CodeDoc, Severity};

/// An input file could not be read.
pub const UNREADABLE: &str = "io/unreadable";
/// A document's `<?xml-model?>` names a remote schema, which is never downloaded.
pub const REMOTE_SCHEMA: &str = "schema/remote-not-loaded";
/// The schema named by a document cannot be loaded.
pub const SCHEMA_UNLOADABLE: &str = "schema/unloadable";
/// teikit.toml cannot be read or is incorrect.
pub const CONFIG: &str = "config/invalid";
/// An output could not be written.
pub const UNWRITABLE: &str = "io/unwritable";
/// A transcription has both a `.meta.toml` and a `.meta.json` sidecar.
pub const AMBIGUOUS_SIDECAR: &str = "config/ambiguous-sidecar";
/// A transcription's metadata sidecar is incorrect, so it is not converted.
pub const BAD_SIDECAR: &str = "config/bad-sidecar";
/// Manifest entries name no input of the batch.
pub const MANIFEST_UNMATCHED: &str = "config/manifest-unmatched";
/// The TEI reference rules did not run on a streamed document.
pub const RULES_SKIPPED: &str = "validate/rules-skipped";

/// Every code the CLI emits.
pub static CODES: &[CodeDoc] = &[
    CodeDoc {
        code: UNREADABLE,
        severity: Severity::Error,
        summary: "an input file could not be read (exit status 2)",
        example: "teikit validate missing-permissions.xml",
        fix: "check the path and the file's permissions",
    },
    CodeDoc {
        code: REMOTE_SCHEMA,
        severity: Severity::Warning,
        summary: "the document's <?xml-model?> names a schema by URL that no --catalog maps; teikit never uses the network, so the next schema source (teikit.toml, then the built-in teikit-archive) is used",
        example: "<?xml-model href=\"http://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng\"?>",
        fix: "map the URL to a local copy with --catalog FILE, pass --schema, or point href at a local copy",
    },
    CodeDoc {
        code: SCHEMA_UNLOADABLE,
        severity: Severity::Error,
        summary: "the schema named by the document's <?xml-model?> or by teikit.toml cannot be read or is incorrect (exit status 2)",
        example: "<?xml-model href=\"missing.rng\"?>",
        fix: "correct the href or the teikit.toml entry, or check the schema with `teikit schema check`",
    },
    CodeDoc {
        code: CONFIG,
        severity: Severity::Error,
        summary: "teikit.toml cannot be read, is not TOML, or has an unknown key or a value of the wrong type (exit status 2)",
        example: "[validate]\nschemma = \"tei_all\"",
        fix: "correct the key at the reported position; docs/usage.md lists the keys",
    },
    CodeDoc {
        code: UNWRITABLE,
        severity: Severity::Error,
        summary: "a converted document could not be written (exit status 2)",
        example: "teikit convert -O /read-only letters/",
        fix: "choose a writable output folder",
    },
    CodeDoc {
        code: AMBIGUOUS_SIDECAR,
        severity: Severity::Error,
        summary: "a transcription has two metadata sidecars (NAME.meta.toml and NAME.meta.json); it is not converted (exit status 1)",
        example: "letters/a.txt beside letters/a.meta.toml and letters/a.meta.json",
        fix: "keep one of the two sidecars",
    },
    CodeDoc {
        code: BAD_SIDECAR,
        severity: Severity::Error,
        summary: "a transcription's metadata sidecar is not valid TOML/JSON or has an unknown key; the transcription is not converted and the sidecar's own report (convert/metadata) says where (exit status 1)",
        example: "letters/a.meta.toml containing `titel = \"Cable 12\"`",
        fix: "correct the sidecar at the reported position",
    },
    CodeDoc {
        code: MANIFEST_UNMATCHED,
        severity: Severity::Warning,
        summary: "rows of the --manifest name files that are not among the inputs (a misspelt file name leaves its input without metadata)",
        example: "file,title\ncable-12.txt,Cable 12   (with the input named cable-012.txt)",
        fix: "correct the file name in the manifest: the path below the folder given, or the file name",
    },
    CodeDoc {
        code: RULES_SKIPPED,
        severity: Severity::Info,
        summary: "the document was streamed (64 MiB or more, or --stream), so the TEI reference rules of teikit-rules, which need the whole tree, did not run on it; the grammar and IDs were checked",
        example: "teikit validate --stream letter.xml",
        fix: "nothing to fix; pass --no-stream to build the tree and run the rules (memory grows with the file)",
    },
];
