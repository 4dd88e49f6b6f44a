//! `auth_login` (the two-step login for hosts that receive the redirect themselves),
//! `auth_verify_authentication`, `auth_logout`, and the host's callbacks as a [`UserAgent`].

use super::boundary::{
    empty_c_str, free_handle, guard, guard_out, guard_value, handle, into_handle, text,
};
use super::memory::SecretCString;
use super::params::{Callbacks, auth_params};
use super::result::auth_result;
use super::token::auth_token;
use crate::browser::{DevicePrompt, SystemBrowser, UserAgent};
use crate::cancel::CancelWatch;
use crate::error::{Error, ErrorKind, Result};
use crate::http::block_on_here;
use crate::login::{BeginOptions, LoginRequest};
use crate::logout::{LogoutOptions, logout};
use std::ffi::{CString, c_char};

/// The host's callbacks (`auth_params_set_open_url`, `auth_params_set_device_prompt`), with the
/// system browser and a prompt on standard error where none is set.
pub(crate) struct HostAgent(pub(crate) Callbacks);

fn c_string(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::protocol("a URL or code holds a NUL character"))
}

impl UserAgent for HostAgent {
    fn open_url(&self, url: &str) -> Result<()> {
        match self.0.open_url {
            Some((f, user_data)) => {
                let url = c_string(url)?;
                // SAFETY: the host's callback, called as documented, with a string valid
                // during the call.
                let r = unsafe { f(user_data.0, url.as_ptr()) };
                if r != 0 {
                    return Err(Error::new(
                        ErrorKind::Cancelled,
                        format!("the open-URL callback returned {r}: login cancelled"),
                    ));
                }
                Ok(())
            }
            None => SystemBrowser.open_url(url),
        }
    }

    fn device_prompt(&self, p: &DevicePrompt) -> Result<()> {
        match self.0.device_prompt {
            Some((f, user_data)) => {
                let (uri, code, complete) = (
                    c_string(&p.verification_uri)?,
                    c_string(&p.user_code)?,
                    c_string(&p.verification_uri_complete)?,
                );
                // SAFETY: as above.
                let r = unsafe {
                    f(
                        user_data.0,
                        uri.as_ptr(),
                        code.as_ptr(),
                        complete.as_ptr(),
                        p.expires_in,
                    )
                };
                if r != 0 {
                    return Err(Error::new(
                        ErrorKind::Cancelled,
                        format!("the device prompt callback returned {r}: login cancelled"),
                    ));
                }
                Ok(())
            }
            None => SystemBrowser.device_prompt(p),
        }
    }
}

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
/// # Safety
/// `params` is NULL or a live `auth_params`; `out` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_login_begin(
    params: *const auth_params,
    out: *mut *mut auth_login,
) -> auth_result {
    guard_out(out, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?.snapshot();
        let request = block_on_here(crate::login::begin(&params, &BeginOptions::default()))?;
        Ok(into_handle(auth_login {
            url: SecretCString::new(&request.url),
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
/// # Safety
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
        let token = block_on_here(login.request.complete(url))?;
        Ok(auth_token::boxed(token))
    })
}

/// Frees a login (its state, nonce and verifier are wiped). NULL does nothing.
/// # Safety
/// `login` is NULL or a handle from `auth_login_begin` not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_login_free(login: *mut auth_login) {
    guard_value((), || {
        // SAFETY: the caller passes a handle from auth_login_begin or NULL, once.
        unsafe { free_handle(login) };
        Some(())
    })
}

/// Silent login (`prompt=none`, AuthVerifyAuthentication): as `auth_identify` with the
/// browser, but the provider must answer without showing anything. When the user has to sign
/// in or consent, `AUTH_ERROR_ACCESS_DENIED` with `auth_last_oauth_error()` saying
/// `login_required`, `interaction_required` or `consent_required`.
/// On success `*out_token` owns a new token (`auth_token_free`).
/// # Safety
/// `params` is NULL or a live `auth_params`; `out_token` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_verify_authentication(
    params: *const auth_params,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        let agent = HostAgent(params.callbacks());
        let token = crate::identify::verify_authentication(
            &params.snapshot(),
            &agent,
            params.canceller.watch(),
        )?;
        Ok(auth_token::boxed(token))
    })
}

/// Ends the user's session at the provider (AuthLogout): opens the end-session endpoint in the
/// system browser with the token's ID token as hint and a `post_logout_redirect_uri` on
/// `http://127.0.0.1:<free port>/`, and waits (up to 300 s) for the browser to come back.
/// No end-session endpoint: `AUTH_ERROR_UNSUPPORTED`. The token stays valid as an object; use
/// `auth_revoke_token` to revoke it. See `auth_logout_with_params` for callbacks, a fixed
/// redirect URL and a timeout.
/// # Safety
/// `token` is NULL or a live `auth_token`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_logout(token: *const auth_token) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        block_on_here(logout(
            &token.token,
            &LogoutOptions::default(),
            &SystemBrowser,
            &CancelWatch::never(),
        ))
    })
}

/// `auth_logout` with the open-URL callback, `AUTH_OPT_REDIRECT_URL` (as the
/// `post_logout_redirect_uri`, which the provider must know), `AUTH_OPT_LOGIN_TIMEOUT` and
/// `auth_params_cancel` of `params`.
/// # Safety
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
        let settings = params.snapshot();
        let mut options = LogoutOptions {
            timeout: settings.login_timeout,
            ..LogoutOptions::default()
        };
        if let Some(r) = settings.redirect_url {
            options.redirect_url = r;
        }
        block_on_here(logout(
            &token.token,
            &options,
            &HostAgent(params.callbacks()),
            &params.canceller.watch(),
        ))
    })
}
