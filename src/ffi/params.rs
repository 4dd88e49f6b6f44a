//! `auth_params`: the C handle around [`Params`], with the host's callbacks and the canceller.

use super::boundary::{free_handle, guard, guard_out, handle, into_handle, optional_text};
use crate::cancel::Canceller;
use crate::error::Error;
use crate::params::{Kind, ParamOption, Params};
use std::ffi::{c_char, c_int, c_void};
use std::sync::RwLock;

/// The family of parameters (WLanguage `OAuth2Parameters`, `OpenIDParameters`, `JWTParameters`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum auth_kind {
    /// OAuth 2.0 with explicit endpoints.
    AUTH_KIND_OAUTH2 = 0,
    /// OpenID Connect: endpoints from discovery, `openid` scope, ID-token validation.
    AUTH_KIND_OPENID = 1,
    /// RFC 7523 JWT bearer grant (service accounts).
    AUTH_KIND_JWT = 2,
}

/// An `auth_kind` as received from C, read as a plain integer. (In the header: `auth_kind`.)
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct auth_kind_value(pub u32);

/// The options of `auth_params_set`. Values are fixed forever.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum auth_option {
    /// Client identifier (ClientID).
    AUTH_OPT_CLIENT_ID = 1,
    /// Client secret; absent or `""`: public client (ClientSecret).
    AUTH_OPT_CLIENT_SECRET = 2,
    /// Authorization endpoint; OpenID: from discovery unless set (AuthURL).
    AUTH_OPT_AUTH_URL = 3,
    /// Token endpoint; OpenID: from discovery unless set (TokenURL).
    AUTH_OPT_TOKEN_URL = 4,
    /// Space-separated scopes; OpenID always includes `openid` (Scope).
    AUTH_OPT_SCOPE = 5,
    /// Loopback URL listened on, e.g. `http://localhost:3333`; port 0: any free port (RedirectionURL).
    AUTH_OPT_REDIRECT_URL = 6,
    /// `code` (default) or `token` (implicit) (ResponseType).
    AUTH_OPT_RESPONSE_TYPE = 7,
    /// `a=b&c=d`, added to the authorization URL (AdditionalParameters).
    AUTH_OPT_ADDITIONAL_PARAMETERS = 8,
    /// Discovery document URL, or the issuer URL (ConfigurationURL).
    AUTH_OPT_CONFIGURATION_URL = 9,
    /// `post` (default with a secret), `basic`, `none`, `private_key_jwt`.
    AUTH_OPT_CLIENT_AUTH = 10,
    /// Seconds `auth_identify` waits for the user (default 300).
    AUTH_OPT_LOGIN_TIMEOUT = 11,
    /// Seconds for one HTTP exchange (default 30).
    AUTH_OPT_HTTP_TIMEOUT = 12,
    /// `authorization_code` (default), `device`, `client_credentials`.
    AUTH_OPT_FLOW = 13,
    /// Device authorization endpoint (OpenID: from discovery).
    AUTH_OPT_DEVICE_AUTH_URL = 14,
    /// Revocation endpoint (OpenID: from discovery).
    AUTH_OPT_REVOCATION_URL = 15,
    /// Userinfo endpoint (OpenID: from discovery).
    AUTH_OPT_USERINFO_URL = 16,
    /// `S256` (default), `plain`, `none` (PKCE).
    AUTH_OPT_PKCE = 17,
    /// HTML shown in the browser after the redirect, or an `https://` URL to send it to.
    AUTH_OPT_SUCCESS_PAGE = 18,
    /// End-session endpoint (OpenID: from discovery) (LogoutURL).
    AUTH_OPT_LOGOUT_URL = 19,
    /// Introspection endpoint (OpenID: from discovery).
    AUTH_OPT_INTROSPECTION_URL = 20,
    /// Client TLS certificate for mutual TLS: path to a PEM or PKCS#12 file (ClientCertificate).
    AUTH_OPT_CLIENT_CERTIFICATE = 21,
    /// Password of a PKCS#12 file.
    AUTH_OPT_CLIENT_CERTIFICATE_PASSWORD = 22,
    /// PEM private key that signs JWT assertions, or the path of a PEM file (JWTParameters).
    AUTH_OPT_JWT_PRIVATE_KEY = 23,
    /// `RS256` (default), `ES256`, `PS256`, `EdDSA` (also RS384, RS512, PS384, PS512, ES384).
    AUTH_OPT_JWT_ALGORITHM = 24,
    /// `kid` header of JWT assertions.
    AUTH_OPT_JWT_KEY_ID = 25,
    /// `iss` of the assertion (default: the client id).
    AUTH_OPT_JWT_ISSUER = 26,
    /// `sub` of the assertion (default: the client id).
    AUTH_OPT_JWT_SUBJECT = 27,
    /// `aud` of the assertion (default: the token endpoint).
    AUTH_OPT_JWT_AUDIENCE = 28,
    /// Extra trusted root certificates (PEM file); the platform's roots are always trusted.
    AUTH_OPT_CA_FILE = 29,
    /// Proxy URL; default: the usual `HTTPS_PROXY`/`NO_PROXY` variables.
    AUTH_OPT_PROXY = 30,
    /// Seconds of leeway for `exp`/`iat`/`nbf` checks (default 120).
    AUTH_OPT_CLOCK_SKEW = 31,
}

/// An `auth_option` as received from C, read as a plain integer. (In the header: `auth_option`.)
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct auth_option_value(pub u32);

/// Shows the user the authorization URL (UTF-8, valid during the call). Return 0 on success;
/// non-zero cancels the flow (`AUTH_ERROR_CANCELLED`).
pub type auth_open_url_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, url: *const c_char) -> c_int>;

/// Device flow: tells the user where to go and which code to type (strings valid during the
/// call; `verification_uri_complete` is `""` when the provider gave none). Non-zero cancels.
pub type auth_device_prompt_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        verification_uri: *const c_char,
        user_code: *const c_char,
        verification_uri_complete: *const c_char,
        expires_in: i64,
    ) -> c_int,
>;

/// A host pointer passed back to its callback.
#[allow(dead_code)] // read by the interactive flows
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: the host hands the pointer over to be passed back on the thread running the flow.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

#[derive(Clone, Copy, Default)]
pub(crate) struct Callbacks {
    pub(crate) open_url: Option<(
        unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
        UserData,
    )>,
    pub(crate) device_prompt: Option<(
        unsafe extern "C" fn(
            *mut c_void,
            *const c_char,
            *const c_char,
            *const c_char,
            i64,
        ) -> c_int,
        UserData,
    )>,
}

/// Parameters of a provider and a client. Made by `auth_params_new`, freed by
/// `auth_params_free`. Once configured it may be shared by threads.
pub struct auth_params {
    pub(crate) settings: RwLock<Params>,
    pub(crate) callbacks: RwLock<Callbacks>,
    pub(crate) canceller: Canceller,
}

impl auth_params {
    /// A copy of the settings, so that a flow is not disturbed by a concurrent `auth_params_set`.
    pub(crate) fn snapshot(&self) -> Params {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    #[allow(dead_code)] // read by the interactive flows
    pub(crate) fn callbacks(&self) -> Callbacks {
        *self.callbacks.read().unwrap_or_else(|e| e.into_inner())
    }
}

/// Makes parameters of the given kind with every option at its default.
/// On success `*out` owns a new `auth_params`: free it with `auth_params_free`.
/// An unknown `kind` is `AUTH_ERROR_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub extern "C" fn auth_params_new(
    kind: auth_kind_value,
    out: *mut *mut auth_params,
) -> super::result::auth_result {
    guard_out(out, || {
        let kind = match kind.0 {
            0 => Kind::OAuth2,
            1 => Kind::OpenId,
            2 => Kind::Jwt,
            n => {
                return Err(Error::invalid_argument(format!(
                    "auth_kind {n} is not AUTH_KIND_OAUTH2, _OPENID or _JWT"
                )));
            }
        };
        Ok(into_handle(auth_params {
            settings: RwLock::new(Params::new(kind)),
            callbacks: RwLock::new(Callbacks::default()),
            canceller: Canceller::new(),
        }))
    })
}

/// Sets one option from a NUL-terminated UTF-8 string (copied); `value == NULL` puts back the
/// option's default. The value is validated now: a malformed URL, plain `http://` on a host
/// that is not loopback, an unknown enumerated value, or an option that does not fit this
/// kind is `AUTH_ERROR_INVALID_ARGUMENT`; a file that cannot be read is `AUTH_ERROR_IO`.
/// On failure the option keeps its previous value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_set(
    params: *mut auth_params,
    option: auth_option_value,
    value: *const c_char,
) -> super::result::auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params.cast_const(), "params") }?;
        let option = ParamOption::from_number(option.0).ok_or_else(|| {
            Error::invalid_argument(format!("auth_option {} is not a known option", option.0))
        })?;
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let value = unsafe { optional_text(value, "value") }?;
        let mut settings = params.settings.write().unwrap_or_else(|e| e.into_inner());
        let mut updated = settings.clone();
        updated.set(option, value)?;
        *settings = updated;
        Ok(())
    })
}

/// Sets the callback that shows the user the authorization URL; `fn == NULL` unsets it (the
/// system browser is then used). `user_data` is passed back as is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_set_open_url(
    params: *mut auth_params,
    callback: auth_open_url_fn,
    user_data: *mut c_void,
) -> super::result::auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params.cast_const(), "params") }?;
        params
            .callbacks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .open_url = callback.map(|f| (f, UserData(user_data)));
        Ok(())
    })
}

/// Sets the device-flow prompt callback; `fn == NULL` unsets it. `user_data` is passed back.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_set_device_prompt(
    params: *mut auth_params,
    callback: auth_device_prompt_fn,
    user_data: *mut c_void,
) -> super::result::auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params.cast_const(), "params") }?;
        params
            .callbacks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .device_prompt = callback.map(|f| (f, UserData(user_data)));
        Ok(())
    })
}

/// Ends the interactive flows running with these parameters (from any thread): they return
/// `AUTH_ERROR_CANCELLED` and release their listening port. Flows started later are not
/// affected.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_cancel(
    params: *const auth_params,
) -> super::result::auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        params.canceller.cancel();
        Ok(())
    })
}

/// Frees parameters made by `auth_params_new` (secrets are wiped). NULL does nothing. No flow
/// may be using them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_free(params: *mut auth_params) {
    super::boundary::guard_value((), || {
        // SAFETY: the caller passes a handle from auth_params_new or NULL, once.
        unsafe { free_handle(params) };
        Some(())
    })
}
