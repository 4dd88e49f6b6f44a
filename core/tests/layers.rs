//! The core's folders are layers: a module may use its own layer and the layers below it,
//! never one above. This test reads every `crate::<folder>` path in the sources (comments
//! skipped) and fails on an edge that points up, so the order in `src/lib.rs` stays true.
//! It also prints the edges, for the record.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top to bottom. The files at the top of `src/` (errors, secrets, the clock, the log,
/// cancellation, enumerations) are the bottom layer, `base`.
const LAYERS: &[&str] = &[
    "session",
    "login",
    "oauth",
    "oidc",
    "provider",
    "token",
    "dpop",
    "transport",
    "config",
    "jose",
    "base",
];

const BASE_MODULES: &[&str] = &["cancel", "clock", "enumeration", "error", "log", "secret"];

fn layer_of_module(name: &str) -> Option<&'static str> {
    if BASE_MODULES.contains(&name) {
        return Some("base");
    }
    LAYERS.iter().copied().find(|l| *l == name)
}

fn rank(layer: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == layer)
        .expect("a known layer")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a source file belongs to, by its place under `src/`.
fn layer_of_file(src: &Path, file: &Path) -> Option<&'static str> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first.strip_suffix(".rs") {
        // lib.rs re-exports from every layer; fuzzing.rs is a test entry point.
        Some("lib" | "fuzzing") => None,
        Some(module) => layer_of_module(module),
        None => layer_of_module(first),
    }
}

/// The `crate::<name>` paths of a source, outside comments.
fn used_modules(source: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.insert(name);
            }
            rest = after;
        }
    }
    used
}

#[test]
fn dependencies_between_layers_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges = BTreeSet::new();
    let mut upward = Vec::new();
    for file in &files {
        let Some(from) = layer_of_file(&src, file) else {
            continue;
        };
        let source = std::fs::read_to_string(file).unwrap();
        for module in used_modules(&source) {
            let Some(to) = layer_of_module(&module) else {
                panic!(
                    "{}: crate::{module} is in no layer (add it to LAYERS or BASE_MODULES)",
                    file.display()
                );
            };
            if from == to {
                continue;
            }
            edges.insert((from, to));
            if rank(to) < rank(from) {
                upward.push(format!(
                    "{} ({from}) uses crate::{module} ({to})",
                    file.display()
                ));
            }
        }
    }
    for (from, to) in &edges {
        println!("{from} -> {to}");
    }
    assert!(
        upward.is_empty(),
        "edges that point up:\n{}",
        upward.join("\n")
    );
    assert!(!edges.is_empty(), "the scan found the sources");
}
