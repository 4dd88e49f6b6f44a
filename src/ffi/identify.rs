//! `auth_identify` (AuthIdentify): the grant the parameters call for.
//!
//! TEMPORARY (login branch): the token-endpoint branch writes this file with the
//! client-credentials and JWT grants; the interactive part is `crate::identify`.

use super::boundary::{guard_out, handle};
use super::login::HostAgent;
use super::params::auth_params;
use super::result::auth_result;
use super::token::auth_token;
use crate::http::block_on;
use crate::params::{Flow, Kind};

/// Obtains a token as the parameters say (AuthIdentify): the browser with a loopback listener
/// (authorization code, default; implicit with `AUTH_OPT_RESPONSE_TYPE=token`), the device
/// flow, client credentials, or the JWT bearer grant (`AUTH_KIND_JWT`). Blocks until done,
/// `AUTH_OPT_LOGIN_TIMEOUT` (`AUTH_ERROR_TIMEOUT`) or `auth_params_cancel`
/// (`AUTH_ERROR_CANCELLED`). On success `*out_token` owns a new token (`auth_token_free`).
/// # Safety
/// `params` is NULL or a live `auth_params`; `out_token` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identify(
    params: *const auth_params,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        let settings = params.snapshot();
        let token = match (settings.kind, settings.flow) {
            (Kind::Jwt, _) => block_on(crate::grants::jwt_bearer(&settings))?,
            (_, Flow::ClientCredentials) => block_on(crate::grants::client_credentials(&settings))?,
            _ => crate::identify::identify_interactive(
                &settings,
                &HostAgent(params.callbacks()),
                params.canceller.watch(),
            )?,
        };
        Ok(auth_token::boxed(token))
    })
}
