//! The rules every export follows, written once: a panic guard, NULL and UTF-8 checks,
//! out-parameters written only on success (and set to NULL on failure), and the last error.

use crate::last_error;
use crate::result::auth_result;
use authtoken_core::error::{Error, Result};
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Runs the body of a function that returns `auth_result`: clears the last error, catches any
/// panic (`AUTH_ERROR_INTERNAL`), records a failure.
pub(crate) fn guard(body: impl FnOnce() -> Result<()>) -> auth_result {
    crate::names::install();
    last_error::clear();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => auth_result::AUTH_OK,
        Ok(Err(e)) => last_error::set(&e),
        Err(p) => last_error::set(&Error::internal(format!(
            "internal error (please report it): {}",
            panic_message(p.as_ref())
        ))),
    }
}

/// Like [`guard`] for a function with one pointer out-parameter: `*out` is set to the value on
/// success and to NULL on failure (when `out` itself is not NULL).
pub(crate) fn guard_out<T>(out: *mut *mut T, body: impl FnOnce() -> Result<*mut T>) -> auth_result {
    let mut made: *mut T = std::ptr::null_mut();
    let r = guard(|| {
        if out.is_null() {
            return Err(Error::invalid_argument("the out-parameter pointer is NULL"));
        }
        made = body()?;
        Ok(())
    });
    if !out.is_null() {
        // SAFETY: checked non-NULL; the caller promises it points to writable storage.
        unsafe {
            *out = if r == auth_result::AUTH_OK {
                made
            } else {
                std::ptr::null_mut()
            }
        };
    }
    r
}

/// Runs the body of a function that cannot report an error (getters): a panic or a NULL
/// handle gives `fallback`. Does not touch the last error.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> Option<T>) -> T {
    catch_unwind(AssertUnwindSafe(body))
        .ok()
        .flatten()
        .unwrap_or(fallback)
}

/// A shared reference from a handle pointer, or `InvalidArgument` naming the parameter.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    // SAFETY: per the contract above.
    unsafe { ptr.as_ref() }.ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// A `&str` from a NUL-terminated C string, or `InvalidArgument` for NULL or bad UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that lives for `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: per the contract above.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map_err(|e| Error::invalid_argument(format!("{name} is not valid UTF-8 ({e})")))
}

/// Like [`text`] but NULL is `None`.
///
/// # Safety
/// As for [`text`].
pub(crate) unsafe fn optional_text<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        unsafe { text(ptr, name) }.map(Some)
    }
}

/// The pointer to a static empty C string, for getters on a NULL handle.
pub(crate) fn empty_c_str() -> *const c_char {
    c"".as_ptr()
}

/// Hands a boxed handle to C.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back and drops a handle; NULL does nothing.
///
/// # Safety
/// `ptr` is NULL or a handle of type `T` made by [`into_handle`] and not freed before.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: per the contract above.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::last_error::{auth_last_error, auth_last_http_status, auth_last_oauth_error};
    use authtoken_core::ErrorKind as Code;
    use std::ffi::CStr;

    fn last() -> String {
        unsafe { CStr::from_ptr(auth_last_error()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn a_panic_becomes_internal_with_a_message() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = guard(|| panic!("boom"));
        std::panic::set_hook(previous);
        assert_eq!(r, Code::Internal);
        assert!(last().contains("boom"));
    }

    #[test]
    fn failure_then_success_clears_the_last_error() {
        let r = guard(|| Err(Error::oauth("invalid_grant", Some("expired"), 400)));
        assert_eq!(r, Code::InvalidGrant);
        assert!(last().contains("expired"));
        assert_eq!(
            unsafe { CStr::from_ptr(auth_last_oauth_error()) }
                .to_str()
                .unwrap(),
            "invalid_grant"
        );
        assert_eq!(auth_last_http_status(), 400);
        assert_eq!(guard(|| Ok(())), auth_result::AUTH_OK);
        assert_eq!(last(), "");
        assert_eq!(auth_last_http_status(), 0);
    }

    #[test]
    fn out_parameter_is_null_on_failure_and_set_on_success() {
        let mut out: *mut u32 = std::ptr::dangling_mut();
        assert_eq!(
            guard_out(&mut out, || Err(Error::format("x"))),
            Code::Format
        );
        assert!(out.is_null());
        assert_eq!(
            guard_out(&mut out, || Ok(into_handle(7u32))),
            auth_result::AUTH_OK
        );
        assert_eq!(unsafe { *out }, 7);
        unsafe { free_handle(out) };
        assert_eq!(
            guard_out::<u32>(std::ptr::null_mut(), || Ok(std::ptr::null_mut())),
            Code::InvalidArgument
        );
    }

    #[test]
    fn last_error_is_per_thread() {
        let _ = guard(|| Err(Error::io("here")));
        std::thread::spawn(|| assert_eq!(last(), ""))
            .join()
            .unwrap();
        assert_eq!(last(), "here");
    }

    #[test]
    fn text_rejects_null_and_bad_utf8() {
        assert!(unsafe { text(std::ptr::null(), "x") }.is_err());
        let bad = b"\xff\xfe\0";
        assert!(unsafe { text(bad.as_ptr().cast(), "x") }.is_err());
        assert_eq!(unsafe { text(c"ok".as_ptr(), "x") }.unwrap(), "ok");
    }
}
