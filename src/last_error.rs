//! The per-thread record of the last failure (libgit2 / SQLite style): every function that
//! returns `auth_result` clears it on entry and fills it on failure; the readers below never
//! touch it, so they can be called in any order after a failure.

use crate::result::auth_result;
use authtoken_core::error::Error;
use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int};

struct LastError {
    message: CString,
    oauth_error: CString,
    http_status: c_int,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError {
        message: CString::default(),
        oauth_error: CString::default(),
        http_status: 0,
    });
}

fn c_text(s: &str) -> CString {
    CString::new(s.replace('\0', "\\0")).unwrap_or_default()
}

pub(crate) fn clear() {
    LAST.with(|l| {
        let mut l = l.borrow_mut();
        if !l.message.as_bytes().is_empty()
            || !l.oauth_error.as_bytes().is_empty()
            || l.http_status != 0
        {
            *l = LastError {
                message: CString::default(),
                oauth_error: CString::default(),
                http_status: 0,
            };
        }
    });
}

/// Records `e` for this thread and returns its code.
pub(crate) fn set(e: &Error) -> auth_result {
    LAST.with(|l| {
        *l.borrow_mut() = LastError {
            message: c_text(e.message()),
            oauth_error: c_text(e.oauth_error()),
            http_status: e.http_status() as c_int,
        }
    });
    e.kind().into()
}

/// The message of the last failure on this thread: UTF-8, never NULL, `""` after a success.
/// Owned by the library; valid until the next call into the library on this thread that returns
/// an `auth_result`.
#[unsafe(no_mangle)]
pub extern "C" fn auth_last_error() -> *const c_char {
    LAST.with(|l| l.borrow().message.as_ptr())
}

/// The OAuth `error` field of the server's answer in the last failure on this thread (e.g.
/// `"invalid_grant"`), `""` if none. Same lifetime as `auth_last_error()`.
#[unsafe(no_mangle)]
pub extern "C" fn auth_last_oauth_error() -> *const c_char {
    LAST.with(|l| l.borrow().oauth_error.as_ptr())
}

/// The HTTP status of the answer in the last failure on this thread, 0 if none.
#[unsafe(no_mangle)]
pub extern "C" fn auth_last_http_status() -> c_int {
    LAST.with(|l| l.borrow().http_status)
}
