//! Gives the plain `cargo build` shared library a soname, as cargo-c does on install, so that
//! programs linked against target/*/libauthtoken.so record `libauthtoken.so.0.1`.
fn main() {
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // cargo-c passes its own soname; only add ours for plain cargo builds.
    if std::env::var_os("CARGO_FEATURE_CAPI").is_none()
        && (target_os == "linux" || target_os == "android" || target_os.ends_with("bsd"))
    {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
        let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libauthtoken.so.{major}.{minor}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
