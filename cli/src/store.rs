//! The session on the store a command names: the one place that hands `--store` to the core.

use crate::failure::Failure;
use authtoken_core::{ErrorKind, Params, Session};
use std::path::Path;

/// The session of `params` on `store` (`--store`, the profile's `store`, or the default path).
///
/// The core takes a path today. When it takes store URLs (`redis://`, `keyring:`, `file://`:
/// the stores issue), this becomes the one call that passes `store` through, and the guard
/// below goes: until then a URL is refused rather than taken for a relative path.
pub fn open(params: Params, store: &str) -> Result<Session, Failure> {
    if let Some((scheme, _)) = store.split_once(':')
        && matches!(scheme, "redis" | "rediss" | "keyring" | "file")
    {
        return Err(Failure::new(
            ErrorKind::Unsupported,
            format!(
                "--store: this build of authtoken keeps tokens in files only, not in {scheme}: stores"
            ),
        ));
    }
    Ok(Session::new(params, Some(Path::new(store)))?)
}
