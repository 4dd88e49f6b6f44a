//! The token endpoint's C functions: refresh (`AuthRefreshToken`), token exchange (RFC 8693),
//! revocation (`AuthRevokeToken`), introspection (`AuthIntrospectToken`) and signed JWT
//! assertions.
//! Each blocks the calling thread until the exchange ends (at most `AUTH_OPT_HTTP_TIMEOUT`
//! per request).

use crate::boundary::{guard, guard_out, handle, optional_text, text};
use crate::memory::string_to_c;
use crate::params::auth_params;
use crate::result::auth_result;
use crate::token::auth_token;
use std::ffi::c_char;

/// Refreshes a token with its refresh token (`AuthRefreshToken`, RFC 6749 §6), using only
/// what the token carries (token endpoint or discovery URL, client, authentication), so a
/// token loaded from a file needs no params. `token` is only read and stays valid: with
/// refresh-token rotation its refresh token is spent, so keep the new token (save it before
/// using it). What the answer omits (refresh token, ID token) is kept from `token`.
/// No refresh token, or no token endpoint known: `AUTH_ERROR_NOT_REFRESHABLE`. A rejected
/// refresh token: `AUTH_ERROR_INVALID_GRANT` (sign in again). The request is never retried
/// once the server may have received it.
/// On success `*out_token` owns a new token: free it with `auth_token_free`.
///
/// `token` is NULL or a live `auth_token`; `out_token` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_refresh_token(
    token: *const auth_token,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        let fresh = authtoken_core::refresh(&token.token)?;
        Ok(auth_token::boxed(fresh))
    })
}

/// Exchanges a token for another (RFC 8693 token exchange), as a service does that calls
/// another on a user's behalf: `subject_token` (UTF-8, e.g. the access token the service
/// received) of type `subject_token_type` (a token type URI; NULL:
/// `urn:ietf:params:oauth:token-type:access_token`) is sent to the token endpoint of `params`
/// with their client authentication, and `AUTH_OPT_SCOPE`, `AUTH_OPT_AUDIENCE` (each word one
/// `audience`), `AUTH_OPT_REQUESTED_TOKEN_TYPE`, `AUTH_OPT_ACTOR_TOKEN` and
/// `AUTH_OPT_ACTOR_TOKEN_TYPE` when set. `auth_token_issued_token_type` tells what was issued;
/// the new token carries the client and endpoints of `params`, so it refreshes like any other
/// when the answer has a refresh token. Errors map like every token-endpoint error (a refused
/// subject token: `AUTH_ERROR_INVALID_GRANT`; `auth_last_oauth_error()` names the others, e.g.
/// `invalid_target`). An empty subject token, a subject token type that is not a URI, or an
/// actor token type without an actor token: `AUTH_ERROR_INVALID_ARGUMENT`.
/// On success `*out_token` owns a new token: free it with `auth_token_free`.
///
/// `params` is NULL or a live `auth_params`; `subject_token` is NULL or NUL-terminated;
/// `subject_token_type` is NULL or NUL-terminated; `out_token` is NULL or points to writable
/// storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_exchange_token(
    params: *const auth_params,
    subject_token: *const c_char,
    subject_token_type: *const c_char,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL, and NUL-terminated strings or NULL.
        let params = unsafe { handle(params, "params") }?;
        let subject_token = unsafe { text(subject_token, "subject_token") }?;
        let subject_token_type =
            unsafe { optional_text(subject_token_type, "subject_token_type") }?;
        let token =
            authtoken_core::exchange_token(&params.snapshot(), subject_token, subject_token_type)?;
        Ok(auth_token::boxed(token))
    })
}

/// Revokes a token at the provider (`AuthRevokeToken`, RFC 7009): its refresh token when it
/// has one (which ends the grant at most providers), else its access token. `token` is only
/// read and stays a valid handle (its values no longer work at the provider). A token the
/// provider does not know counts as revoked. No revocation endpoint known (set, or from
/// discovery): `AUTH_ERROR_UNSUPPORTED`.
///
/// `token` is NULL or a live `auth_token`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_revoke_token(token: *const auth_token) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        authtoken_core::revoke(&token.token)
    })
}

/// Asks the provider about the token's access token (`AuthIntrospectToken`, RFC 7662).
/// On success `*out_json` owns the provider's answer, a UTF-8 JSON object with at least
/// `"active"` (e.g. `{"active":true,"sub":"…","exp":…}`): free it with `auth_string_free`.
/// No introspection endpoint known (set, or from discovery): `AUTH_ERROR_UNSUPPORTED`.
///
/// `token` is NULL or a live `auth_token`; `out_json` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_introspect_token(
    token: *const auth_token,
    out_json: *mut *mut c_char,
) -> auth_result {
    guard_out(out_json, || {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        let json = authtoken_core::introspect(&token.token)?;
        Ok(string_to_c(&json))
    })
}

/// Signs a JWT assertion with `AUTH_OPT_JWT_PRIVATE_KEY` (RFC 7523), for hosts that send it
/// themselves: with `AUTH_KIND_JWT` the grant assertion (`iss`/`sub` from
/// `AUTH_OPT_JWT_ISSUER`/`_SUBJECT`, default the client id), otherwise the `private_key_jwt`
/// client assertion (`iss` = `sub` = the client id). `aud` is `AUTH_OPT_JWT_AUDIENCE`, by
/// default the token endpoint (from discovery when not set). It carries a random `jti` and
/// expires soon (60 s for a client assertion, 300 s for a grant).
/// On success `*out_jwt` owns the compact JWT: free it with `auth_string_free`. Keep it
/// secret until used.
///
/// `params` is NULL or a live `auth_params`; `out_jwt` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_create_jwt_assertion(
    params: *const auth_params,
    out_jwt: *mut *mut c_char,
) -> auth_result {
    guard_out(out_jwt, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        let jwt = authtoken_core::create_jwt_assertion(&params.snapshot())?;
        Ok(string_to_c(jwt.expose()))
    })
}
