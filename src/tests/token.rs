//! `auth_import_token` and every getter of `auth_token`, and the errors an import reports.

use super::*;
use crate::params::{auth_params_free, auth_params_set};
use crate::token::{
    auth_token_authorization_header, auth_token_expiration, auth_token_free, auth_token_id_token,
    auth_token_is_valid, auth_token_refresh_token, auth_token_scope, auth_token_server_response,
    auth_token_type, auth_token_value,
};
use authtoken_core::clock::unix_now;
use authtoken_core::config::ClientContext;
use authtoken_core::{Kind, ParamOption, Params};

const FULL: &str = r#"{"access_token":"AT-1","token_type":"bearer","refresh_token":"RT-1","expires_in":3600,"scope":"openid email","id_token":"h.p.s","extra":"kept in the raw answer"}"#;

fn getters(t: *const auth_token) -> [String; 7] {
    unsafe {
        [
            read(auth_token_value(t)),
            read(auth_token_refresh_token(t)),
            read(auth_token_type(t)),
            read(auth_token_scope(t)),
            read(auth_token_id_token(t)),
            read(auth_token_server_response(t)),
            read(auth_token_authorization_header(t)),
        ]
    }
}

#[test]
fn every_getter_gives_the_imported_value() {
    let before = unix_now();
    let t = import(std::ptr::null(), FULL);
    let after = unix_now();
    assert_eq!(
        getters(t),
        [
            "AT-1",
            "RT-1",
            "Bearer",
            "openid email",
            "h.p.s",
            FULL,
            "Bearer AT-1"
        ]
        .map(str::to_owned)
    );
    let exp = unsafe { auth_token_expiration(t) };
    assert!((before + 3600..=after + 3600).contains(&exp), "{exp}");
    assert!(unsafe { auth_token_is_valid(t) });
    // Getters return the same pointer each time: owned by the token, not made per call.
    assert_eq!(unsafe { auth_token_value(t) }, unsafe {
        auth_token_value(t)
    });
    assert_eq!(last_error(), "");
    unsafe { auth_token_free(t) };
}

#[test]
fn absent_fields_are_empty_strings_and_expiration_zero() {
    let t = import(std::ptr::null(), r#"{"access_token":"only"}"#);
    assert_eq!(
        getters(t),
        [
            "only",
            "",
            "Bearer",
            "",
            "",
            r#"{"access_token":"only"}"#,
            "Bearer only"
        ]
        .map(str::to_owned)
    );
    assert_eq!(unsafe { auth_token_expiration(t) }, 0);
    assert!(unsafe { auth_token_is_valid(t) }, "no expires_in: valid");
    unsafe { auth_token_free(t) };

    // Form-encoded, another token type, already expired.
    let t = import(
        std::ptr::null(),
        "access_token=a%20b&token_type=DPoP&expires_in=-5",
    );
    assert_eq!(read(unsafe { auth_token_value(t) }), "a b");
    assert_eq!(
        read(unsafe { auth_token_authorization_header(t) }),
        "DPoP a b"
    );
    assert!(!unsafe { auth_token_is_valid(t) });
    unsafe { auth_token_free(t) };
}

#[test]
fn a_token_imported_with_params_carries_their_client() {
    let p = new_params(0);
    let mut expected = Params::new(Kind::OAuth2);
    for (opt, v) in [
        (1, "cid"),
        (2, "sec"),
        (4, "https://idp.example/token"),
        (10, "basic"),
    ] {
        let c = CString::new(v).unwrap();
        assert_eq!(
            unsafe { auth_params_set(p, option(opt), c.as_ptr()) },
            auth_result::AUTH_OK
        );
        expected
            .set(ParamOption::from_number(opt).unwrap(), v)
            .unwrap();
    }
    let t = import(p, r#"{"access_token":"x"}"#);
    // The params can go: the token has its own copy.
    unsafe { auth_params_free(p) };
    let context = unsafe { &*t }.token.context();
    assert_eq!(context, &ClientContext::from_params(&expected));
    assert_eq!(context.client_id(), "cid");
    assert_eq!(
        context.endpoints().token(),
        Some("https://idp.example/token")
    );
    unsafe { auth_token_free(t) };
}

fn import_fails(json: &[u8]) -> auth_result {
    let mut t: *mut auth_token = garbage();
    let r = unsafe { auth_import_token(std::ptr::null(), json.as_ptr().cast(), &mut t) };
    assert!(t.is_null(), "the out-parameter is NULL on failure");
    assert_ne!(r, auth_result::AUTH_OK);
    assert!(!last_error().is_empty());
    r
}

#[test]
fn import_errors_have_their_codes() {
    assert_eq!(
        import_fails(b"{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}\0"),
        Code::InvalidGrant
    );
    assert_eq!(last_oauth_error(), "invalid_grant");
    assert!(last_error().contains("expired"), "{}", last_error());
    assert_eq!(
        last_http_status(),
        0,
        "an imported answer has no HTTP status"
    );
    assert_eq!(
        import_fails(b"{\"error\":\"access_denied\"}\0"),
        Code::AccessDenied
    );
    assert_eq!(
        import_fails(b"{\"error\":\"unauthorized_client\"}\0"),
        Code::InvalidClient
    );
    assert_eq!(import_fails(b"{\"error\":\"slow_down\"}\0"), Code::OAuth);
    assert_eq!(last_oauth_error(), "slow_down");
    for bad in [
        &b"\0"[..],
        b"   \0",
        b"{\0",
        b"[1,2]\0",
        b"<html>502</html>\0",
        b"{\"token_type\":\"Bearer\"}\0",
        b"{\"access_token\":\"\"}\0",
        b"{\"access_token\":42}\0",
        b"{\"access_token\":\"a\\u0000b\"}\0",
        b"{\"access_token\":\"a\",\"expires_in\":\"soon\"}\0",
        b"{\"access_token\":\"a\",\"refresh_token\":[]}\0",
    ] {
        assert_eq!(
            import_fails(bad),
            Code::Protocol,
            "{}",
            String::from_utf8_lossy(bad)
        );
        assert_eq!(last_oauth_error(), "");
    }
    assert_eq!(import_fails(NOT_UTF8), Code::InvalidArgument);
    assert!(last_error().contains("UTF-8"), "{}", last_error());
}

#[test]
fn import_refuses_null_json_and_null_out() {
    let mut t: *mut auth_token = garbage();
    assert_eq!(
        unsafe { auth_import_token(std::ptr::null(), std::ptr::null(), &mut t) },
        Code::InvalidArgument
    );
    assert!(t.is_null());
    assert!(last_error().contains("json"), "{}", last_error());
    let json = CString::new(r#"{"access_token":"x"}"#).unwrap();
    assert_eq!(
        unsafe { auth_import_token(std::ptr::null(), json.as_ptr(), std::ptr::null_mut()) },
        Code::InvalidArgument
    );
}

#[test]
fn getters_on_null_give_empty_zero_false() {
    let null: *const auth_token = std::ptr::null();
    assert_eq!(
        getters(null),
        ["", "", "", "", "", "", ""].map(str::to_owned)
    );
    assert_eq!(unsafe { auth_token_expiration(null) }, 0);
    assert!(!unsafe { auth_token_is_valid(null) });
    unsafe { auth_token_free(std::ptr::null_mut()) };
}

#[test]
fn threads_reading_a_fresh_token_at_once_get_the_same_strings() {
    // The strings are made on the first getter call: threads racing to make one must all
    // get the one that stays, or a pointer would die before the handle.
    let t = import(std::ptr::null(), FULL);
    let shared = t as usize;
    let start = std::sync::Barrier::new(8);
    let seen: Vec<[usize; 3]> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let t = shared as *const auth_token;
                    start.wait();
                    unsafe {
                        [
                            auth_token_value(t) as usize,
                            auth_token_server_response(t) as usize,
                            auth_token_authorization_header(t) as usize,
                        ]
                    }
                })
            })
            .collect();
        threads.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(seen.iter().all(|p| *p == seen[0]), "{seen:x?}");
    let [value, response, header] = seen[0].map(|p| read(p as *const c_char));
    assert_eq!(
        [value.as_str(), &response, &header],
        ["AT-1", FULL, "Bearer AT-1"]
    );
    assert_eq!(unsafe { auth_token_value(t) } as usize, seen[0][0]);
    unsafe { auth_token_free(t) };
}
