//! The `teikit` binary: everything is in the library (`teikit_cli`, src/lib.rs).

fn main() -> std::process::ExitCode {
    teikit_cli::main()
}
