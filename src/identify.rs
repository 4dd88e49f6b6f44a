//! `auth_identify` (`AuthIdentify`) and `auth_verify_authentication`: a token from a sign-in.

use crate::boundary::{guard_out, handle};
use crate::params::auth_params;
use crate::result::auth_result;
use crate::token::auth_token;

/// Obtains a token (`AuthIdentify`): with `AUTH_KIND_JWT` by the JWT bearer grant (RFC 7523,
/// a signed assertion exchanged at the token endpoint); with `AUTH_OPT_FLOW` =
/// `client_credentials` by the client credentials grant; with `AUTH_OPT_FLOW` = `device` by
/// the device flow (RFC 8628, the device-prompt callback shows the code); otherwise through
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
