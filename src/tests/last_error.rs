//! The per-thread last error across calls, and the static strings (`auth_result_name`,
//! `auth_version`).

use super::*;
use crate::params::{auth_params_free, auth_params_set};
use crate::result::{auth_result_name, auth_result_value, auth_version};
use crate::token::{auth_token_free, auth_token_value};

#[test]
fn the_last_error_lives_until_the_next_call_that_returns_a_result() {
    let mut t: *mut auth_token = garbage();
    let json = c"{\"error\":\"invalid_grant\",\"error_description\":\"code used twice\"}";
    assert_eq!(
        unsafe { auth_import_token(std::ptr::null(), json.as_ptr(), &mut t) },
        Code::InvalidGrant
    );
    let message = auth_last_error();
    assert_eq!(
        read(message),
        "the server answered invalid_grant: code used twice"
    );
    // Readers and getters leave it alone, in any order, as often as asked.
    assert_eq!(last_oauth_error(), "invalid_grant");
    assert_eq!(read(unsafe { auth_token_value(std::ptr::null()) }), "");
    let _ = auth_result_name(auth_result_value(7));
    assert_eq!(auth_last_error(), message);
    assert_eq!(
        read(message),
        "the server answered invalid_grant: code used twice"
    );
    assert_eq!(last_oauth_error(), "invalid_grant");

    // The next failure replaces all three fields.
    let p = new_params(0);
    assert_eq!(
        unsafe { auth_params_set(p, option(99), c"x".as_ptr()) },
        Code::InvalidArgument
    );
    assert!(last_error().contains("99"));
    assert_eq!(last_oauth_error(), "");
    assert_eq!(last_http_status(), 0);

    // A success clears it.
    assert_eq!(
        unsafe { auth_params_set(p, option(1), c"id".as_ptr()) },
        auth_result::AUTH_OK
    );
    assert_eq!(last_error(), "");
    assert_eq!(last_oauth_error(), "");
    unsafe { auth_params_free(p) };
}

#[test]
fn each_thread_has_its_own_last_error() {
    let mut t: *mut auth_token = garbage();
    assert_eq!(
        unsafe { auth_import_token(std::ptr::null(), c"{}".as_ptr(), &mut t) },
        Code::Protocol
    );
    let mine = last_error();
    assert!(mine.contains("access_token"), "{mine}");
    let threads: Vec<_> = (0..3)
        .map(|i| {
            std::thread::spawn(move || {
                assert_eq!(last_error(), "", "a new thread starts with no error");
                let json = CString::new(format!("{{\"error\":\"e{i}\"}}")).unwrap();
                let mut t: *mut auth_token = garbage();
                let r = unsafe { auth_import_token(std::ptr::null(), json.as_ptr(), &mut t) };
                assert_eq!(r, Code::OAuth);
                assert!(t.is_null());
                last_oauth_error()
            })
        })
        .collect();
    let theirs: Vec<String> = threads.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(theirs, ["e0", "e1", "e2"]);
    assert_eq!(last_error(), mine);
    assert_eq!(last_oauth_error(), "");
    // A token made on one thread is used and freed on another (as C hands pointers around).
    struct Handle(*mut auth_token);
    // SAFETY: tokens are immutable and thread-safe (the C contract).
    unsafe impl Send for Handle {}
    impl Handle {
        // A method, so the closure captures the whole Send wrapper and not its raw field.
        fn get(&self) -> *mut auth_token {
            self.0
        }
    }
    let t = Handle(import(std::ptr::null(), r#"{"access_token":"shared"}"#));
    let value = std::thread::spawn(move || {
        let v = read(unsafe { auth_token_value(t.get()) });
        unsafe { auth_token_free(t.get()) };
        v
    })
    .join()
    .unwrap();
    assert_eq!(value, "shared");
}

#[test]
fn result_names_and_version_are_static_strings() {
    let names = [
        (0, "AUTH_OK"),
        (1, "AUTH_ERROR_INVALID_ARGUMENT"),
        (2, "AUTH_ERROR_NOT_REFRESHABLE"),
        (3, "AUTH_ERROR_NETWORK"),
        (4, "AUTH_ERROR_TIMEOUT"),
        (5, "AUTH_ERROR_PROTOCOL"),
        (6, "AUTH_ERROR_OAUTH"),
        (7, "AUTH_ERROR_INVALID_GRANT"),
        (8, "AUTH_ERROR_INVALID_CLIENT"),
        (9, "AUTH_ERROR_ACCESS_DENIED"),
        (10, "AUTH_ERROR_CANCELLED"),
        (11, "AUTH_ERROR_STATE_MISMATCH"),
        (12, "AUTH_ERROR_ID_TOKEN"),
        (13, "AUTH_ERROR_REDIRECT"),
        (14, "AUTH_ERROR_BROWSER"),
        (15, "AUTH_ERROR_FORMAT"),
        (16, "AUTH_ERROR_IO"),
        (17, "AUTH_ERROR_UNSUPPORTED"),
        (99, "AUTH_ERROR_INTERNAL"),
        (18, "AUTH_ERROR_UNKNOWN"),
        (98, "AUTH_ERROR_UNKNOWN"),
        (u32::MAX, "AUTH_ERROR_UNKNOWN"),
    ];
    for (n, name) in names {
        assert_eq!(read(auth_result_name(auth_result_value(n))), name);
    }
    assert_eq!(read(auth_version()), env!("CARGO_PKG_VERSION"));
}
