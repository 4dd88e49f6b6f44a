//! `auth_identify` (`AuthIdentify`): obtains a token with the grant the params ask for.

use super::boundary::{guard_out, handle};
use super::login::HostAgent;
use super::params::auth_params;
use super::result::auth_result;
use super::token::auth_token;
use crate::error::{Error, ErrorKind, Result};
use crate::grants;
use crate::http::block_on;
use crate::params::{Flow, Kind};
use crate::token::Token;

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
/// `auth_token_free`.
///
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
        Ok(auth_token::boxed(identify(params)?))
    })
}

/// What `auth_identify` does, for the C layer's other users (sessions).
pub(crate) fn identify(params: &auth_params) -> Result<Token> {
    let watch = params.canceller.watch();
    let settings = params.snapshot();
    let agent = HostAgent(params.callbacks());
    block_on(async {
        let grant = async {
            if settings.kind == Kind::Jwt {
                grants::jwt_bearer(&settings).await
            } else if settings.flow == Flow::ClientCredentials {
                grants::client_credentials(&settings).await
            } else {
                // The browser (loopback listener) or the device flow; these watch the
                // cancel themselves so that the listener answers the browser first.
                crate::identify::identify_interactive_async(&settings, &agent, &watch).await
            }
        };
        tokio::select! {
            r = grant => r,
            _ = watch.cancelled() => Err(Error::new(ErrorKind::Cancelled, "cancelled by auth_params_cancel")),
        }
    })
}
