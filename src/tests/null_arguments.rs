//! The exports that talk to a provider, called with NULL handles or NULL out-parameters: each
//! refuses before any I/O, sets its out-parameter to NULL, and names what was NULL.

use super::*;
use crate::identify::{auth_identify, auth_verify_authentication};
use crate::identity::{auth_get_user_info, auth_identity, auth_read_identity};
use crate::login::{
    auth_login, auth_login_begin, auth_login_complete, auth_login_free, auth_login_url,
    auth_logout, auth_logout_with_params,
};
use crate::params::auth_params_free;
use crate::session::{
    auth_session, auth_session_logout, auth_session_open, auth_session_set_token_changed,
    auth_session_token,
};
use crate::token::auth_token_free;
use crate::token_endpoint::{
    auth_create_jwt_assertion, auth_introspect_token, auth_refresh_token, auth_revoke_token,
};

/// Calls `f` with a garbage out-parameter: expects INVALID_ARGUMENT naming `what`, and NULL out.
fn refused<T>(what: &str, f: impl FnOnce(*mut *mut T) -> auth_result) {
    let mut out: *mut T = garbage();
    assert_eq!(f(&mut out), Code::InvalidArgument, "{what}");
    assert!(out.is_null(), "{what}: out-parameter set to NULL");
    let message = last_error();
    assert!(message.contains(what), "{what}: {message}");
}

#[test]
fn null_handles_are_refused_before_any_io() {
    let null_p: *const auth_params = std::ptr::null();
    let null_t: *const auth_token = std::ptr::null();
    unsafe {
        refused::<auth_token>("params", |o| auth_identify(null_p, o));
        refused::<auth_token>("params", |o| auth_verify_authentication(null_p, o));
        refused::<auth_token>("token", |o| auth_refresh_token(null_t, o));
        refused::<c_char>("token", |o| auth_introspect_token(null_t, o));
        refused::<c_char>("params", |o| auth_create_jwt_assertion(null_p, o));
        refused::<auth_identity>("token", |o| auth_read_identity(null_t, o));
        refused::<auth_identity>("token", |o| auth_get_user_info(null_t, o));
        refused::<auth_login>("params", |o| auth_login_begin(null_p, o));
        refused::<auth_token>("login", |o| {
            auth_login_complete(std::ptr::null(), c"http://127.0.0.1/cb?code=x".as_ptr(), o)
        });
        refused::<auth_token>("session", |o| {
            auth_session_token(std::ptr::null_mut(), 60, o)
        });
        refused::<auth_token>("params", |o| auth_session_open(null_p, std::ptr::null(), o));

        assert_eq!(auth_revoke_token(null_t), Code::InvalidArgument);
        assert!(last_error().contains("token"));
        assert_eq!(auth_logout(null_t), Code::InvalidArgument);
        assert_eq!(
            auth_logout_with_params(null_p, null_t),
            Code::InvalidArgument
        );
        assert_eq!(
            auth_session_logout(std::ptr::null_mut()),
            Code::InvalidArgument
        );
        assert_eq!(
            auth_session_set_token_changed(
                std::ptr::null_mut::<auth_session>(),
                None,
                std::ptr::null_mut()
            ),
            Code::InvalidArgument
        );
        assert_eq!(read(auth_login_url(std::ptr::null())), "");
        auth_login_free(std::ptr::null_mut());
    }
}

#[test]
fn null_out_parameters_are_refused_before_any_io() {
    let p = new_params(0);
    let t = import(
        std::ptr::null(),
        r#"{"access_token":"a","refresh_token":"r"}"#,
    );
    unsafe {
        let calls: [(&str, auth_result); 9] = [
            ("identify", auth_identify(p, std::ptr::null_mut())),
            (
                "verify",
                auth_verify_authentication(p, std::ptr::null_mut()),
            ),
            ("refresh", auth_refresh_token(t, std::ptr::null_mut())),
            ("introspect", auth_introspect_token(t, std::ptr::null_mut())),
            (
                "assertion",
                auth_create_jwt_assertion(p, std::ptr::null_mut()),
            ),
            ("identity", auth_read_identity(t, std::ptr::null_mut())),
            ("userinfo", auth_get_user_info(t, std::ptr::null_mut())),
            ("login", auth_login_begin(p, std::ptr::null_mut())),
            ("logout", auth_logout_with_params(p, std::ptr::null())),
        ];
        for (name, r) in calls {
            assert_eq!(r, Code::InvalidArgument, "{name}");
        }
        auth_token_free(t);
        auth_params_free(p);
    }
}
