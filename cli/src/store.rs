//! The session on the store a command names: the one place that hands `--store` to the core.

use crate::failure::Failure;
use authtoken_core::{Params, Session};

/// The session of `params` on `store` (`--store`, the profile's `store`, or the default path):
/// a file path or a store URL (`redis://…?key=NAME`, `rediss://…`, `keyring:SERVICE/ACCOUNT`,
/// `file:///path`), which the core parses; a malformed URL is a usage error of the core's.
pub fn open(params: Params, store: &str) -> Result<Session, Failure> {
    Ok(Session::open(params, Some(store))?)
}
