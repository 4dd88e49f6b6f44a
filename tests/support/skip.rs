//! Skips that show. Rust's test harness has no runtime skip: a test that finds it cannot run
//! (part of) what it checks on this machine calls [`skipped`] and returns. The line goes
//! straight to the process's stderr, past the harness's output capture, so it shows in every
//! run, passing or not, and `scripts/test` counts each `skipped: ` line in its total.

use std::io::Write;

/// Reports that `what` (a test, or the part of one) did not run here, and why.
pub fn skipped(what: &str, why: &str) {
    // One write, starting on a line of its own (the harness may be in the middle of a line of
    // dots), so that the line is whole.
    let line = format!("\nskipped: {what}: {why}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
