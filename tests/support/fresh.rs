//! The freshness checks of generated files (the header, docs/faults.md): a variable asks them
//! to rewrite the file instead of comparing it, except under `CI=true`, where they always
//! compare (as scripts/api-docs does): CI checks what was committed, it never rewrites it.

/// Whether `var` asks for `file` to be rewritten. Under `CI=true` it never does: the check
/// compares, and says that the variable was ignored.
pub fn rewrite_requested(var: &str, file: &str) -> bool {
    if std::env::var_os(var).is_none() {
        return false;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        eprintln!("{var} is set, but CI=true: {file} is compared, not rewritten");
        return false;
    }
    true
}
