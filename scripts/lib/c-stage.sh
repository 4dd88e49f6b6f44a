# The one release build of the C library (sourced): `cargo cinstall --release` into the
# staging tree target/c-stage (DESTDIR) with the prefix /usr. scripts/check-install checks that
# install, scripts/release packs it three ways (C tarball, wheel, npm tarball). Always the same
# arguments: cargo-c's build fingerprint includes them, and other ones would build the
# library again (minutes in release).
c_stage="$authtoken_root/target/c-stage"
c_stage_prefix=/usr

# Installs into the stage, afresh; the log in target/c-stage.log. Needs cargo-c.
make_c_stage() {
  rm -rf "$c_stage"
  mkdir -p "$c_stage"
  long_step "cargo cinstall --release (the release build of the library; minutes the first time)" \
    cargo cinstall --release --prefix="$c_stage_prefix" --destdir="$c_stage" \
    --manifest-path "$authtoken_root/Cargo.toml"
}

# The staged library folder (lib/<multiarch> by default) and its real shared library file.
c_stage_libdir() {
  dirname "$(dirname "$(find "$c_stage" -name authtoken.pc -path '*/pkgconfig/*' | head -n1)")"
}
c_stage_library() {
  find "$(c_stage_libdir)" -maxdepth 1 -type f -name 'libauthtoken.so.*' | head -n1
}
