//! The provider calls on tokens that know no endpoint: each fails before any request (the
//! calling thread's runtime is started, nothing is sent), with its code and a NULL
//! out-parameter; a session's logout with nothing to revoke deletes its file and tells the hook.

use super::*;
use crate::identity::{auth_get_user_info, auth_identity, auth_read_identity};
use crate::session::{
    auth_session, auth_session_free, auth_session_logout, auth_session_new,
    auth_session_set_token_changed,
};
use crate::token::{auth_token_free, auth_token_save};
use crate::token_endpoint::{auth_introspect_token, auth_refresh_token, auth_revoke_token};
use std::ffi::c_void;

fn fails_with<T>(expected: Code, f: impl FnOnce(*mut *mut T) -> auth_result) {
    let mut out: *mut T = garbage();
    assert_eq!(f(&mut out), expected, "{}", last_error());
    assert!(out.is_null());
    assert!(!last_error().is_empty());
}

#[test]
fn calls_that_need_an_endpoint_say_which_is_missing() {
    let bare = import(std::ptr::null(), r#"{"access_token":"a"}"#);
    let with_refresh = import(
        std::ptr::null(),
        r#"{"access_token":"a","refresh_token":"r"}"#,
    );
    unsafe {
        fails_with::<auth_token>(Code::NotRefreshable, |o| auth_refresh_token(bare, o));
        assert!(
            last_error().contains("no refresh token"),
            "{}",
            last_error()
        );
        fails_with::<auth_token>(Code::NotRefreshable, |o| {
            auth_refresh_token(with_refresh, o)
        });
        assert!(last_error().contains("token endpoint"), "{}", last_error());
        fails_with::<c_char>(Code::Unsupported, |o| auth_introspect_token(bare, o));
        assert!(last_error().contains("introspection"), "{}", last_error());
        fails_with::<auth_identity>(Code::Unsupported, |o| auth_get_user_info(bare, o));
        fails_with::<auth_identity>(Code::Unsupported, |o| auth_read_identity(bare, o));
        assert_eq!(auth_revoke_token(with_refresh), Code::Unsupported);
        assert!(last_error().contains("revocation"), "{}", last_error());
        auth_token_free(bare);
        auth_token_free(with_refresh);
    }
}

unsafe extern "C" fn token_changed(user_data: *mut c_void, token: *const auth_token) {
    let seen = unsafe { &mut *user_data.cast::<Vec<bool>>() };
    seen.push(token.is_null());
}

#[test]
fn logout_with_nothing_to_revoke_deletes_the_file_and_tells_the_hook() {
    let dir = tempfile::tempdir().unwrap();
    let path = CString::new(dir.path().join("s.bin").to_str().unwrap()).unwrap();
    let t = import(
        std::ptr::null(),
        r#"{"access_token":"a","refresh_token":"r"}"#,
    );
    assert_eq!(
        unsafe { auth_token_save(t, path.as_ptr()) },
        auth_result::AUTH_OK
    );
    unsafe { auth_token_free(t) };
    let params = new_params(0);
    let mut s: *mut auth_session = garbage();
    assert_eq!(
        unsafe { auth_session_new(params, path.as_ptr(), &mut s) },
        auth_result::AUTH_OK
    );
    let mut seen: Vec<bool> = Vec::new();
    let data: *mut c_void = (&raw mut seen).cast();
    unsafe {
        assert_eq!(
            auth_session_set_token_changed(s, Some(token_changed), data),
            auth_result::AUTH_OK
        );
        assert_eq!(
            auth_session_logout(s),
            auth_result::AUTH_OK,
            "{}",
            last_error()
        );
        auth_session_free(s);
        crate::params::auth_params_free(params);
    }
    assert!(
        !std::path::Path::new(path.to_str().unwrap()).exists(),
        "the file is deleted"
    );
    assert_eq!(
        unsafe { &*data.cast::<Vec<bool>>() },
        &vec![true],
        "the hook heard NULL once"
    );
}
