//! `authtoken`: see the library (src/lib.rs) and `authtoken --help`.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    authtoken_cli::main()
}
