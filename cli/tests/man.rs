//! The man pages under cli/man/ are generated from the command line's definitions (the same
//! as `--help` and the completions) and checked in, for packagers; this keeps them fresh.
//! `UPDATE_MAN=1 cargo test -p authtoken-cli --test man` rewrites them.

use std::path::Path;

#[test]
fn man_pages_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let pages = authtoken_cli::man::pages();
    if std::env::var_os("UPDATE_MAN").is_some() {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        for (name, roff) in &pages {
            std::fs::write(dir.join(name), roff).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, roff) in &pages {
        if std::fs::read(dir.join(name)).ok().as_deref() != Some(roff.as_slice()) {
            stale.push(name.as_str());
        }
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut expected: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    assert!(
        stale.is_empty() && names == expected,
        "cli/man/ is stale ({stale:?}; files {names:?}, pages {expected:?}): run \
         UPDATE_MAN=1 cargo test -p authtoken-cli --test man"
    );
    let top = &pages.iter().find(|(n, _)| n == "authtoken.1").unwrap().1;
    let top = String::from_utf8_lossy(top);
    for command in [
        "login",
        "token",
        "header",
        "whoami",
        "status",
        "refresh",
        "introspect",
        "logout",
    ] {
        assert!(top.contains(command), "authtoken.1 lists {command}");
    }
}
