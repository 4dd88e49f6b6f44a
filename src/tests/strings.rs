//! Strings handed to the caller (`auth_string_free`) and the secret C strings handles keep.

use crate::memory::{SecretCString, auth_string_free, string_to_c};
use std::ffi::CStr;

#[test]
fn a_returned_string_is_read_then_freed() {
    let s = string_to_c("{\"active\":true}");
    assert_eq!(
        unsafe { CStr::from_ptr(s) }.to_str().unwrap(),
        "{\"active\":true}"
    );
    unsafe { auth_string_free(s) };
    // Text after a NUL cannot reach C: it is cut there.
    let cut = string_to_c("abc\0def");
    assert_eq!(unsafe { CStr::from_ptr(cut) }.to_bytes(), b"abc");
    unsafe { auth_string_free(cut) };
    let empty = string_to_c("");
    assert_eq!(unsafe { CStr::from_ptr(empty) }.to_bytes(), b"");
    unsafe {
        auth_string_free(empty);
        auth_string_free(std::ptr::null_mut());
    }
}

#[test]
fn secret_c_strings_cut_at_nul_and_wipe_on_drop() {
    let s = SecretCString::new("tok\0en");
    assert_eq!(unsafe { CStr::from_ptr(s.as_ptr()) }.to_bytes(), b"tok");
    drop(s);
    let e = SecretCString::new("");
    assert_eq!(unsafe { CStr::from_ptr(e.as_ptr()) }.to_bytes(), b"");
}
