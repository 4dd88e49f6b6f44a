//! Token files (`auth_token_save` / `auth_token_load`) and sessions on a file, as far as they
//! go without a network: the file's token adopted and handed to the token-changed hook.

use super::*;
use crate::params::auth_params_free;
use crate::session::{
    auth_session, auth_session_free, auth_session_new, auth_session_open,
    auth_session_set_token_changed, auth_session_token,
};
use crate::token::{auth_token_free, auth_token_load, auth_token_save, auth_token_value};
use std::ffi::c_void;

fn c_path(p: &std::path::Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

fn load(path: &CString) -> (auth_result, *mut auth_token) {
    let mut t: *mut auth_token = garbage();
    let r = unsafe { auth_token_load(path.as_ptr(), &mut t) };
    (r, t)
}

#[test]
fn save_then_load_gives_the_same_token_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = c_path(&dir.path().join("new-folder/token.bin"));
    let t = import(
        std::ptr::null(),
        r#"{"access_token":"saved","refresh_token":"r","expires_in":100}"#,
    );
    assert_eq!(
        unsafe { auth_token_save(t, path.as_ptr()) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path.to_str().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (r, back) = load(&path);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert_eq!(unsafe { &(*back).token }, unsafe { &(*t).token });
    assert_eq!(read(unsafe { auth_token_value(back) }), "saved");
    // Saving again replaces the file (and leaves no temporary file behind).
    assert_eq!(
        unsafe { auth_token_save(back, path.as_ptr()) },
        auth_result::AUTH_OK
    );
    let names: Vec<_> = std::fs::read_dir(dir.path().join("new-folder"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("token.bin")]);
    unsafe {
        auth_token_free(t);
        auth_token_free(back);
    }
}

#[test]
fn missing_corrupt_and_bad_paths() {
    let dir = tempfile::tempdir().unwrap();
    let missing = c_path(&dir.path().join("missing.bin"));
    let (r, t) = load(&missing);
    assert_eq!(r, Code::Io);
    assert!(t.is_null());
    assert!(last_error().contains("missing.bin"), "{}", last_error());

    let corrupt = dir.path().join("corrupt.bin");
    std::fs::write(&corrupt, b"ATKN\x01\x00garbage").unwrap();
    let (r, t) = load(&c_path(&corrupt));
    assert_eq!(r, Code::Format);
    assert!(t.is_null());
    assert!(last_error().contains("corrupt.bin"), "{}", last_error());

    let tok = import(std::ptr::null(), r#"{"access_token":"x"}"#);
    unsafe {
        assert_eq!(
            auth_token_save(tok, NOT_UTF8.as_ptr().cast()),
            Code::InvalidArgument
        );
        assert_eq!(
            auth_token_save(tok, std::ptr::null()),
            Code::InvalidArgument
        );
        assert_eq!(
            auth_token_save(std::ptr::null(), missing.as_ptr()),
            Code::InvalidArgument
        );
        // A folder is not a file path.
        let folder = c_path(dir.path());
        assert_ne!(auth_token_save(tok, folder.as_ptr()), auth_result::AUTH_OK);
        auth_token_free(tok);
        let mut out: *mut auth_token = garbage();
        assert_eq!(
            auth_token_load(NOT_UTF8.as_ptr().cast(), &mut out),
            Code::InvalidArgument
        );
        assert!(out.is_null());
        assert_eq!(
            auth_token_load(std::ptr::null(), &mut out),
            Code::InvalidArgument
        );
        assert_eq!(
            auth_token_load(missing.as_ptr(), std::ptr::null_mut()),
            Code::InvalidArgument
        );
    }
    assert!(
        !std::path::Path::new(missing.to_str().unwrap()).exists(),
        "nothing was written"
    );
}

/// The access tokens the hook saw, copied during the call (the pointer dies after it).
unsafe extern "C" fn token_changed(user_data: *mut c_void, token: *const auth_token) {
    let seen = unsafe { &mut *user_data.cast::<Vec<String>>() };
    seen.push(if token.is_null() {
        "NULL".to_owned()
    } else {
        read(unsafe { auth_token_value(token) })
    });
}

fn session_token(s: *mut auth_session, min_valid: i64) -> (auth_result, *mut auth_token) {
    let mut t: *mut auth_token = garbage();
    let r = unsafe { auth_session_token(s, min_valid, &mut t) };
    (r, t)
}

#[test]
fn a_session_adopts_the_token_another_process_saved_and_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = c_path(&dir.path().join("session.bin"));
    let params = new_params(0);
    let mut s: *mut auth_session = garbage();
    assert_eq!(
        unsafe { auth_session_new(params, path.as_ptr(), &mut s) },
        auth_result::AUTH_OK
    );
    // The session has its own copy of the params.
    unsafe { auth_params_free(params) };
    let mut seen: Vec<String> = Vec::new();
    let data: *mut c_void = (&raw mut seen).cast();
    assert_eq!(
        unsafe { auth_session_set_token_changed(s, Some(token_changed), data) },
        auth_result::AUTH_OK
    );

    // "Another process" stores a token in the file.
    let other = import(
        std::ptr::null(),
        r#"{"access_token":"from-file","expires_in":3600}"#,
    );
    assert_eq!(
        unsafe { auth_token_save(other, path.as_ptr()) },
        auth_result::AUTH_OK
    );
    unsafe { auth_token_free(other) };

    let (r, t) = session_token(s, 60);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert_eq!(read(unsafe { auth_token_value(t) }), "from-file");
    unsafe { auth_token_free(t) };
    // Still good: the same token, and no second notice.
    let (r, t) = session_token(s, -5);
    assert_eq!(r, auth_result::AUTH_OK);
    assert_eq!(read(unsafe { auth_token_value(t) }), "from-file");
    unsafe { auth_token_free(t) };
    assert_eq!(
        unsafe { &*data.cast::<Vec<String>>() },
        &vec!["from-file".to_owned()]
    );

    // Unset: later tokens are not reported (and `seen` may go).
    assert_eq!(
        unsafe { auth_session_set_token_changed(s, None, std::ptr::null_mut()) },
        auth_result::AUTH_OK
    );
    unsafe { auth_session_free(s) };

    // The one-shot form reads the file at once.
    let params = new_params(0);
    let mut t: *mut auth_token = garbage();
    assert_eq!(
        unsafe { auth_session_open(params, path.as_ptr(), &mut t) },
        auth_result::AUTH_OK
    );
    assert_eq!(read(unsafe { auth_token_value(t) }), "from-file");
    unsafe {
        auth_token_free(t);
        auth_params_free(params);
    }
}

#[test]
fn session_arguments_are_checked() {
    let params = new_params(0);
    let empty = CString::new("").unwrap();
    unsafe {
        let mut s: *mut auth_session = garbage();
        assert_eq!(
            auth_session_new(params, empty.as_ptr(), &mut s),
            Code::InvalidArgument
        );
        assert!(s.is_null());
        let mut s: *mut auth_session = garbage();
        assert_eq!(
            auth_session_new(params, NOT_UTF8.as_ptr().cast(), &mut s),
            Code::InvalidArgument
        );
        assert!(s.is_null());
        let mut s: *mut auth_session = garbage();
        assert_eq!(
            auth_session_new(std::ptr::null(), std::ptr::null(), &mut s),
            Code::InvalidArgument
        );
        assert!(s.is_null());
        assert_eq!(
            auth_session_new(params, std::ptr::null(), std::ptr::null_mut()),
            Code::InvalidArgument
        );
        let mut t: *mut auth_token = garbage();
        assert_eq!(
            auth_session_open(params, empty.as_ptr(), &mut t),
            Code::InvalidArgument
        );
        assert!(t.is_null());
        assert!(last_error().contains("empty"), "{}", last_error());
        // A session in memory only, never used, freed.
        let mut s: *mut auth_session = garbage();
        assert_eq!(
            auth_session_new(params, std::ptr::null(), &mut s),
            auth_result::AUTH_OK
        );
        assert!(!s.is_null());
        assert_eq!(
            auth_session_token(s, 0, std::ptr::null_mut()),
            Code::InvalidArgument
        );
        auth_session_free(s);
        auth_session_free(std::ptr::null_mut());
        auth_params_free(params);
    }
}
