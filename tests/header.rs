//! The checked-in header must be what the pinned cbindgen makes from the sources now.
//! `UPDATE_HEADER=1 cargo test --test header` rewrites it (not under `CI=true`).

use std::path::Path;

// The one part of the support library this file needs (the rest starts servers it does not).
#[path = "support/fresh.rs"]
mod fresh;

#[test]
fn checked_in_header_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    // The enumerations, from the core's tables, after the version defines.
    let defines = config.after_includes.take().unwrap_or_default();
    config.after_includes = Some(format!(
        "{defines}\n{}",
        authtoken::names::header_enums().trim_end()
    ));
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).unwrap();
    let path = root.join("include/authtoken.h");
    if fresh::rewrite_requested("UPDATE_HEADER", "include/authtoken.h") {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "include/authtoken.h is stale: run `UPDATE_HEADER=1 cargo test --test header` and commit it"
    );
}
