//! The raw command line, as clap parses it. Nothing here is interpreted: each command resolves
//! its arguments into a settled configuration before doing any work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Convert archival transcriptions to TEI P5 and validate TEI against RELAX NG.
#[derive(Debug, Parser)]
#[command(name = "teikit", version = env!("TEIKIT_VERSION"), propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plain transcription(s) -> TEI P5 XML.
    Convert(ConvertArgs),
    /// TEI/XML documents -> diagnostics (well-formedness and RELAX NG).
    Validate(ValidateArgs),
    /// TEI written by `convert` -> the transcription again.
    Text(TextArgs),
    /// RELAX NG schemas.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// What a pre-commit hook runs: validate with teikit.toml.
    Check(CheckArgs),
}

/// Output options shared by the commands that report diagnostics.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format [default: human on a terminal, short otherwise].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
    /// When to colour the human format (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
    /// Print nothing for clean files and no summary (machine formats are unaffected).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    Human,
    Short,
    Json,
    Github,
    Sarif,
    Junit,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files, folders (searched for *.xml and *.tei, honouring .gitignore) or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A RELAX NG schema for every document: a .rng/.rnc path or a name from `teikit schema
    /// list`. Otherwise: the document's <?xml-model href?>, then teikit.toml, then the
    /// built-in teikit-archive.
    #[arg(long, value_name = "SCHEMA")]
    pub schema: Option<String>,
    #[command(flatten)]
    pub options: ValidateOptions,
}

/// Options shared by `validate` and `check`.
#[derive(Debug, Args)]
pub struct ValidateOptions {
    /// An OASIS XML catalog mapping schema URLs to local files (repeatable).
    #[arg(short = 'C', long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// Do not process XInclude (xi:include elements are validated as they are).
    #[arg(long)]
    pub no_xinclude: bool,
    /// Do not run the TEI reference rules (dangling #id pointers, duplicate xml:id, date
    /// order, @hand) after the grammar.
    #[arg(long)]
    pub no_rules: bool,
    /// Do not check ID/IDREF/IDREFS (DTD compatibility), like jing's -i: schemas that are
    /// not ID-compatible (OpenDocument's, for one) then load, and IDs are not checked.
    #[arg(short = 'i', long)]
    pub no_id_check: bool,
    /// Do not use the compiled-schema cache: load every schema from source, write nothing.
    #[arg(long)]
    pub no_cache: bool,
    /// Report at most N diagnostics per file.
    #[arg(long, value_name = "N")]
    pub max_errors: Option<usize>,
    /// Stream every document (quick-xml events straight into the validator: memory bounded
    /// by nesting depth, not file size). By default only files of 64 MiB or more are streamed.
    #[arg(long, conflicts_with = "no_stream")]
    pub stream: bool,
    /// Never stream: build every document's tree (the reference rules then run on all).
    #[arg(long)]
    pub no_stream: bool,
    /// Number of documents checked in parallel [default: number of CPUs].
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Transcriptions: files, folders (searched for *.txt, honouring .gitignore) or `-`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write the TEI to FILE (one input only).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "out_dir"
    )]
    pub output_file: Option<PathBuf>,
    /// Write DIR/<relative path>.xml for each input.
    #[arg(short = 'O', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Convert and report, but write no TEI (what the pre-commit hook and CI run): exit 1 if
    /// a transcription does not convert.
    #[arg(long, conflicts_with_all = ["output_file", "out_dir"])]
    pub check: bool,
    /// `xml:lang` of transliterated original-language words [default: teikit.toml's
    /// `[convert] original-lang`, else ru-Latn].
    #[arg(long, value_name = "LANG")]
    pub original_lang: Option<String>,
    /// An authority file (CSV/TSV: name, type, id[, URI]) whose names are tagged and linked
    /// wherever they occur (repeatable; replaces teikit.toml's `[convert] authority`).
    #[arg(long = "authority", value_name = "FILE")]
    pub authority: Vec<PathBuf>,
    /// A converter profile (TOML) adding or renaming bracket keywords, titles, closing
    /// formulas and routing words [default: teikit.toml's `[convert] profile`].
    #[arg(long, value_name = "FILE.toml")]
    pub profile: Option<PathBuf>,
    /// Metadata for a batch: a CSV or JSON manifest keyed by file name (a NAME.meta.toml or
    /// NAME.meta.json sidecar beside an input takes precedence over its manifest entry).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Write a JSON report of the batch to FILE: per input its output, status and
    /// diagnostic counts, and totals (also written when the batch is interrupted).
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<PathBuf>,
    /// Number of inputs converted in parallel [default: 8 per CPU, at most 64, when writing
    /// files, since each file is synced to disk; else one per CPU].
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TextArgs {
    /// A TEI file written by `teikit convert`, or `-`.
    #[arg(value_name = "FILE.xml")]
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Is this RELAX NG schema correct? (exit 0 correct, 1 incorrect, 2 unreadable)
    Check(SchemaCheckArgs),
    /// List the schemas known by name (built-in, TEIKIT_SCHEMA_PATH, user cache) and the
    /// compiled schemas in the cache.
    List,
    /// Download an official TEI schema (tei_all, tei_lite, ...) into the user schema folder,
    /// so `--schema NAME` and <?xml-model?> URLs of it work offline.
    Fetch(SchemaFetchArgs),
    /// Compile a schema into the compiled-schema cache (what `validate` does on first use)
    /// and show how long loading takes from source and from the cache.
    Compile(SchemaCompileArgs),
}

#[derive(Debug, Args)]
pub struct SchemaFetchArgs {
    /// The schema's name, e.g. tei_all.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Download again even when a schema of that name is already available.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SchemaCompileArgs {
    /// A .rng or .rnc file, or a name from `teikit schema list`.
    #[arg(value_name = "SCHEMA")]
    pub schema: String,
    /// OASIS XML catalogs, as given to `validate` (the entry is per catalog mapping).
    #[arg(short = 'C', long = "catalog", value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// Compile for `validate -i` (no ID/IDREF checks).
    #[arg(short = 'i', long)]
    pub no_id_check: bool,
}

#[derive(Debug, Args)]
pub struct SchemaCheckArgs {
    /// A .rng or .rnc file, or a name from `teikit schema list`.
    #[arg(value_name = "SCHEMA")]
    pub schema: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or folders (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub options: ValidateOptions,
}
