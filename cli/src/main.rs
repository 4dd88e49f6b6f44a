//! `authtoken`: see the library (src/lib.rs) and `authtoken --help`.

fn main() -> std::process::ExitCode {
    authtoken_cli::main()
}
