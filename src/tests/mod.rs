//! The C functions called from Rust the way a C program calls them: raw pointers, NUL-terminated
//! strings, out-parameters, handles freed by their `*_free`. They need no network, no tokio I/O
//! and no foreign crypto, so that Miri (`scripts/miri`) can check the unsafe code of the C layer
//! for undefined behaviour: ownership handed over and taken back, strings and buffers returned
//! and freed, NULL and invalid UTF-8 refused.

mod callbacks;
mod files;
mod identity;
mod last_error;
mod no_endpoint;
mod null_arguments;
mod params;
mod serialize;
mod strings;
mod token;

use super::last_error::{auth_last_error, auth_last_http_status, auth_last_oauth_error};
use super::params::{auth_kind, auth_option, auth_params, auth_params_new};
use super::result::auth_result;
use super::token::{auth_import_token, auth_token};
pub(super) use authtoken_core::ErrorKind as Code;
use std::ffi::{CStr, CString, c_char};

/// Bytes that are not UTF-8, NUL-terminated.
pub(super) const NOT_UTF8: &[u8] = b"ab\xff\xfecd\0";

/// A borrowed C string as Rust text; panics on NULL (the tests check for NULL first).
pub(super) fn read(ptr: *const c_char) -> String {
    assert!(!ptr.is_null(), "a string getter returned NULL");
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .expect("the library returns UTF-8")
        .to_owned()
}

pub(super) fn last_error() -> String {
    read(auth_last_error())
}

pub(super) fn last_oauth_error() -> String {
    read(auth_last_oauth_error())
}

pub(super) fn last_http_status() -> i32 {
    auth_last_http_status()
}

pub(super) fn option(n: u32) -> auth_option {
    auth_option(n)
}

/// New params of `kind` (0 OAuth2, 1 OpenID, 2 JWT); free with `auth_params_free`.
pub(super) fn new_params(kind: u32) -> *mut auth_params {
    let mut p: *mut auth_params = std::ptr::null_mut();
    assert_eq!(
        auth_params_new(auth_kind(kind), &mut p),
        auth_result::AUTH_OK
    );
    assert!(!p.is_null());
    p
}

/// A token imported from `json` with `params` (may be NULL); free with `auth_token_free`.
pub(super) fn import(params: *const auth_params, json: &str) -> *mut auth_token {
    let json = CString::new(json).unwrap();
    let mut t: *mut auth_token = std::ptr::null_mut();
    let r = unsafe { auth_import_token(params, json.as_ptr(), &mut t) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert!(!t.is_null());
    t
}

/// A pointer that is not NULL and points nowhere: what an uninitialised out-parameter holds.
/// Only ever overwritten, never read or freed.
pub(super) fn garbage<T>() -> *mut T {
    std::ptr::dangling_mut()
}
