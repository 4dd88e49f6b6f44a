//! `auth_identify` (`AuthIdentify`) and `auth_verify_authentication`: a token from a sign-in;
//! `auth_step_up`, the sign-in a resource server's challenge asks for, and
//! `auth_parse_challenge`, which reads such challenges.

use crate::boundary::{guard_out, handle, text};
use crate::memory::string_to_c;
use crate::params::auth_params;
use crate::result::auth_result;
use crate::token::auth_token;
use std::ffi::c_char;

/// Obtains a token (`AuthIdentify`): with `AUTH_KIND_JWT` by the JWT bearer grant (RFC 7523,
/// a signed assertion exchanged at the token endpoint); with `AUTH_OPT_FLOW` =
/// `client_credentials` by the client credentials grant; with `AUTH_OPT_FLOW` = `device` by
/// the device flow (RFC 8628, the device-prompt callback shows the code); with
/// `AUTH_OPT_FLOW` = `ciba` by OpenID CIBA in poll mode (the provider asks the user named by
/// `AUTH_OPT_LOGIN_HINT` on their own device, showing `AUTH_OPT_BINDING_MESSAGE`, while this
/// call polls; a refusal is `AUTH_ERROR_ACCESS_DENIED`, an expired request
/// `AUTH_ERROR_TIMEOUT`); otherwise through
/// the browser: the authorization URL goes to the open-URL callback (or `$BROWSER`, or the
/// platform's opener) and a listener on the loopback redirect URL (default
/// `http://127.0.0.1:0/`, a free port) waits for the answer, at most `AUTH_OPT_LOGIN_TIMEOUT`
/// seconds (`AUTH_ERROR_TIMEOUT`). `params` is only read (a snapshot is taken at the start)
/// and may be shared; `auth_params_cancel` on it ends the call with `AUTH_ERROR_CANCELLED`
/// and releases the port. On success `*out_token` owns a new token: free it with
/// `auth_token_free`. `params` is NULL or a live `auth_params`; `out_token` is NULL or points
/// to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identify(
    params: *const auth_params,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        Ok(auth_token::boxed(authtoken_core::identify(
            &params.snapshot(),
        )?))
    })
}

/// Silent login (`prompt=none`, AuthVerifyAuthentication): as `auth_identify` with the
/// browser, but the provider must answer without showing anything. When the user has to sign
/// in or consent, `AUTH_ERROR_ACCESS_DENIED` with `auth_last_oauth_error()` saying
/// `login_required`, `interaction_required` or `consent_required`.
/// On success `*out_token` owns a new token (`auth_token_free`). `params` is NULL or a live
/// `auth_params`; `out_token` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_verify_authentication(
    params: *const auth_params,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        let token = authtoken_core::verify_authentication(&params.snapshot())?;
        Ok(auth_token::boxed(token))
    })
}

/// Signs the user in again as a resource server asks (step-up authentication, RFC 9470):
/// `www_authenticate` is the value of the `WWW-Authenticate` header of its refusal, with a
/// challenge whose `error` is `insufficient_user_authentication`. This is `auth_identify`
/// with the challenge's `acr_values` and `max_age` in place of `AUTH_OPT_ACR_VALUES` and
/// `AUTH_OPT_MAX_AGE` (where the challenge has none, the params' apply), for the
/// `authorization_code` and `ciba` flows. The new ID token must carry an `auth_time` within
/// `max_age` and, when the challenge named acr values, an `acr` among them; else
/// `AUTH_ERROR_ID_TOKEN` (also when the sign-in brought no ID token that could be validated:
/// OAuth2 params need the `openid` scope and `AUTH_OPT_CONFIGURATION_URL`). A value with no
/// such challenge, or params whose flow signs no user
/// in again with these values (`client_credentials`, `device`, the JWT kind):
/// `AUTH_ERROR_INVALID_ARGUMENT`. `params` is only read; `auth_params_cancel` on it ends the
/// call with `AUTH_ERROR_CANCELLED`. On success `*out_token` owns a new token
/// (`auth_token_free`). `params` is NULL or a live `auth_params`; `www_authenticate` is NULL
/// or NUL-terminated; `out_token` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_step_up(
    params: *const auth_params,
    www_authenticate: *const c_char,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL, and a NUL-terminated string or NULL.
        let params = unsafe { handle(params, "params") }?;
        let header = unsafe { text(www_authenticate, "www_authenticate") }?;
        let token = authtoken_core::step_up(&params.snapshot(), header)?;
        Ok(auth_token::boxed(token))
    })
}

/// Parses a `WWW-Authenticate` header value (RFC 9110 §11.6.1) into a JSON array with one
/// object per challenge, in order:
/// `[{"scheme":"Bearer","params":{"error":"insufficient_user_authentication","acr_values":"…"}}]`.
/// Scheme names keep their case; parameter names are lower-cased; every value is a JSON string,
/// unescaped (`max_age=5` gives `"5"`); a challenge without parameters has `"params":{}`; a
/// token68 challenge (`Basic abc==`) has `"token68":"abc=="` instead of `"params"`. Several
/// challenges in one value, quoted strings with escapes and commas inside quotes are read as
/// the RFC says. A value that is not a list of challenges (empty, a parameter repeated in one
/// challenge, an unterminated quote…): `AUTH_ERROR_INVALID_ARGUMENT`, the message saying where.
/// On success `*out_json` owns the UTF-8 JSON text: free it with `auth_string_free`.
/// `www_authenticate` is NULL or NUL-terminated; `out_json` is NULL or points to writable
/// storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_parse_challenge(
    www_authenticate: *const c_char,
    out_json: *mut *mut c_char,
) -> auth_result {
    guard_out(out_json, || {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let header = unsafe { text(www_authenticate, "www_authenticate") }?;
        Ok(string_to_c(&authtoken_core::parse_challenge(header)?))
    })
}
