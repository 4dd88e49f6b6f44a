//! `auth_login` (the two-step login for hosts that receive the redirect themselves) and
//! `auth_logout`.

use crate::boundary::{
    empty_c_str, free_handle, guard, guard_out, guard_value, handle, into_handle, text,
};
use crate::memory::SecretCString;
use crate::params::auth_params;
use crate::result::auth_result;
use crate::token::auth_token;
use authtoken_core::LoginRequest;
use std::ffi::c_char;

/// One authorization request in progress (two-step login). Holds `state`, `nonce` and the
/// PKCE verifier (wiped when freed). Made by `auth_login_begin`, freed by `auth_login_free`.
pub struct auth_login {
    request: LoginRequest,
    url: SecretCString,
}

/// Starts a login: makes `state`, `nonce` (OpenID) and the PKCE verifier, fetches the discovery
/// document for OpenID, and builds the authorization URL for `AUTH_OPT_REDIRECT_URL` (which
/// must be set: any URL the host receives, e.g. a custom scheme or an `https://` page).
/// On success `*out` owns a new `auth_login`: free it with `auth_login_free`.
/// `params` is NULL or a live `auth_params`; `out` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_login_begin(
    params: *const auth_params,
    out: *mut *mut auth_login,
) -> auth_result {
    guard_out(out, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        let request = LoginRequest::start(&params.snapshot())?;
        Ok(into_handle(auth_login {
            url: SecretCString::new(request.url()),
            request,
        }))
    })
}

/// The authorization URL to send the user to. Owned by the login; `""` for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn auth_login_url(login: *const auth_login) -> *const c_char {
    login_url(login)
}

fn login_url(login: *const auth_login) -> *const c_char {
    // SAFETY: the caller passes a live handle or NULL.
    guard_value(empty_c_str(), || {
        unsafe { login.as_ref() }.map(|l| l.url.as_ptr())
    })
}

/// Completes the login with the URL the browser was redirected to (query or fragment as
/// received): checks `state` (missing or wrong: `AUTH_ERROR_STATE_MISMATCH`, nothing is
/// exchanged) and `iss`, maps an `error` (`access_denied`: `AUTH_ERROR_ACCESS_DENIED`, others
/// `AUTH_ERROR_OAUTH`), exchanges the code with the PKCE verifier and, for OpenID, validates
/// the ID token with the nonce. On success `*out_token` owns a new token (`auth_token_free`).
/// The login stays valid; it can be freed at once.
/// `login` is NULL or a live `auth_login`; `redirect_url` is NULL or a NUL-terminated string;
/// `out_token` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_login_complete(
    login: *const auth_login,
    redirect_url: *const c_char,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL, and a C string or NULL.
        let login = unsafe { handle(login, "login") }?;
        let url = unsafe { text(redirect_url, "redirect_url") }?;
        let token = login.request.complete(url)?;
        Ok(auth_token::boxed(token))
    })
}

/// Frees a login (its state, nonce and verifier are wiped). NULL does nothing.
/// `login` is NULL or a handle from `auth_login_begin` not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_login_free(login: *mut auth_login) {
    guard_value((), || {
        // SAFETY: the caller passes a handle from auth_login_begin or NULL, once.
        unsafe { free_handle(login) };
        Some(())
    })
}

/// Ends the user's session at the provider (AuthLogout): opens the end-session endpoint in the
/// system browser with the token's ID token as hint and a `post_logout_redirect_uri` on
/// `http://127.0.0.1:<free port>/`, and waits (up to 300 s) for the browser to come back.
/// No end-session endpoint: `AUTH_ERROR_UNSUPPORTED`. The token stays valid as an object; use
/// `auth_revoke_token` to revoke it. See `auth_logout_with_params` for callbacks, a fixed
/// redirect URL and a timeout.
/// `token` is NULL or a live `auth_token`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_logout(token: *const auth_token) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        authtoken_core::logout(&token.token, None)
    })
}

/// `auth_logout` with the open-URL callback, `AUTH_OPT_REDIRECT_URL` (as the
/// `post_logout_redirect_uri`, which the provider must know), `AUTH_OPT_LOGIN_TIMEOUT` and
/// `auth_params_cancel` of `params`.
/// `params` and `token` are NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_logout_with_params(
    params: *const auth_params,
    token: *const auth_token,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes live handles or NULL.
        let params = unsafe { handle(params, "params") }?;
        let token = unsafe { handle(token, "token") }?;
        authtoken_core::logout(&token.token, Some(&params.snapshot()))
    })
}
