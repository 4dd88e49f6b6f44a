//! Memory the library hands to the caller, and the secret-holding C strings handles keep.

use crate::boundary::guard_value;
use std::ffi::{CString, c_char};
use std::sync::OnceLock;
use zeroize::Zeroize;

/// A C string that is wiped when dropped (it may hold a token).
pub(crate) struct SecretCString(Option<CString>);

impl SecretCString {
    /// `s` with any NUL byte (never sent by a sane server, refused by the parsers) cut there.
    pub(crate) fn new(s: &str) -> SecretCString {
        let bytes = s.as_bytes();
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        SecretCString(Some(CString::new(&bytes[..end]).unwrap_or_default()))
    }
    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.0.as_ref().map(|c| c.as_ptr()).unwrap_or(c"".as_ptr())
    }
}

impl Drop for SecretCString {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.into_bytes_with_nul().as_mut_slice().zeroize();
        }
    }
}

/// A [`SecretCString`] made on the first call that needs it, then kept: a handle's getters
/// take `*const` and may be called from several threads at once, and every call gets the same
/// pointer, valid until the handle is freed (a C string's bytes never move). Wiped on drop
/// like any [`SecretCString`]; never made, nothing to wipe.
#[derive(Default)]
pub(crate) struct LazySecretCString(OnceLock<SecretCString>);

impl LazySecretCString {
    /// The string, made by `make` on the first call (a call racing it waits for it).
    pub(crate) fn get_or_make(&self, make: impl FnOnce() -> SecretCString) -> *const c_char {
        self.0.get_or_init(make).as_ptr()
    }
}

/// A string for the caller to free with `auth_string_free`.
#[allow(dead_code)] // used by the exports that return strings (introspection, assertions)
pub(crate) fn string_to_c(s: &str) -> *mut c_char {
    let bytes = s.as_bytes();
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap_or_default().into_raw()
}

/// A buffer for the caller to free with `auth_bytes_free`.
pub(crate) fn bytes_to_c(bytes: Vec<u8>) -> (*mut u8, usize) {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    (Box::into_raw(boxed).cast::<u8>(), len)
}

/// Frees a string returned by the library (`auth_introspect_token`,
/// `auth_create_jwt_assertion`, ...), wiping it first. NULL does nothing. Call it once per
/// string.
/// `s` is NULL or a string returned by this library and not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_string_free(s: *mut c_char) {
    guard_value((), || {
        if !s.is_null() {
            // SAFETY: per the contract above, `s` came from CString::into_raw.
            unsafe { CString::from_raw(s) }
                .into_bytes_with_nul()
                .as_mut_slice()
                .zeroize();
        }
        Some(())
    })
}

/// Frees a buffer returned by the library (`auth_token_serialize`), wiping it first. `len`
/// must be the length returned with it. NULL does nothing. Call it once per buffer.
/// `buf` is NULL or a buffer returned by this library with length `len` and not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_bytes_free(buf: *mut u8, len: usize) {
    guard_value((), || {
        if !buf.is_null() {
            // SAFETY: per the contract above, `buf`/`len` came from `bytes_to_c`.
            let mut boxed = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(buf, len)) };
            boxed.as_mut().zeroize();
        }
        Some(())
    })
}
