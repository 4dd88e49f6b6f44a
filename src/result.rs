//! `auth_result`, the one result type, and its names. Its values are the core's error-kind
//! numbers (and 0 for success); the enumeration in the header is generated from that table.

use authtoken_core::ErrorKind;
use std::ffi::c_char;

/// The result of every fallible function (in the header: `typedef enum auth_result`). Read and
/// written as a plain integer, so that an unknown value from the host is never undefined
/// behaviour.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct auth_result(pub u32);

impl auth_result {
    /// Success.
    pub const AUTH_OK: auth_result = auth_result(0);

    /// The error kind of a failure; `None` for success or an unknown value.
    pub fn kind(self) -> Option<ErrorKind> {
        ErrorKind::from_number(self.0)
    }
}

impl From<ErrorKind> for auth_result {
    fn from(kind: ErrorKind) -> auth_result {
        auth_result(kind.number())
    }
}

/// A result code received from the host (`auth_result_name`), read as a plain integer.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct auth_result_value(pub u32);

/// The name of a result code, e.g. `"AUTH_ERROR_INVALID_GRANT"`; `"AUTH_ERROR_UNKNOWN"` for a
/// value that is not a result code. The string is static: never free it. Does not change
/// `auth_last_error()`.
#[unsafe(no_mangle)]
pub extern "C" fn auth_result_name(result: auth_result_value) -> *const c_char {
    crate::names::result_name(result.0).as_ptr()
}

/// The library version, e.g. `"0.1.0"`. Static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn auth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Lets Rust code (the tests) compare a result with an error kind.
impl PartialEq<ErrorKind> for auth_result {
    fn eq(&self, kind: &ErrorKind) -> bool {
        self.0 == kind.number()
    }
}
