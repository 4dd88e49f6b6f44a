//! `auth_params`: the C handle around the core's [`Params`], and the host's callbacks as the
//! core's [`UserAgent`].

use crate::boundary::{
    free_handle, guard, guard_out, guard_value, handle, into_handle, optional_text,
};
use crate::result::auth_result;
use authtoken_core::error::{Error, ErrorKind, Result};
use authtoken_core::login::browser::SystemBrowser;
use authtoken_core::{DevicePrompt, Kind, ParamOption, Params, UserAgent};
use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::{Arc, RwLock};

/// An `auth_kind` as received from C, read as a plain integer (in the header: the enumeration
/// `auth_kind`, generated from the core's table).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct auth_kind(pub u32);

/// An `auth_option` as received from C, read as a plain integer (in the header: the
/// enumeration `auth_option`, generated from the core's table).
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct auth_option(pub u32);

impl From<ParamOption> for auth_option {
    fn from(option: ParamOption) -> auth_option {
        auth_option(option.number())
    }
}

impl From<Kind> for auth_kind {
    fn from(kind: Kind) -> auth_kind {
        auth_kind(kind.number())
    }
}

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
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);
// SAFETY: the host hands the pointer over to be passed back on the thread running the flow.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

type OpenUrl = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;
type Prompt =
    unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, *const c_char, i64) -> c_int;

/// The host's callbacks: what `auth_params_set_open_url` and `auth_params_set_device_prompt`
/// set, the system browser and a prompt on standard error where none is set.
#[derive(Clone, Copy, Default)]
pub(crate) struct HostAgent {
    pub(crate) open_url: Option<(OpenUrl, UserData)>,
    pub(crate) device_prompt: Option<(Prompt, UserData)>,
}

fn c_string(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::protocol("a URL or code holds a NUL character"))
}

fn stopped_by_host(what: &str, r: c_int) -> Error {
    Error::new(
        ErrorKind::Cancelled,
        format!("the {what} callback returned {r}: login cancelled"),
    )
}

impl UserAgent for HostAgent {
    fn open_url(&self, url: &str) -> Result<()> {
        let Some((f, user_data)) = self.open_url else {
            return SystemBrowser.open_url(url);
        };
        let url = c_string(url)?;
        // SAFETY: the host's callback, called as documented, with a string valid during the call.
        match unsafe { f(user_data.0, url.as_ptr()) } {
            0 => Ok(()),
            r => Err(stopped_by_host("open-URL", r)),
        }
    }

    fn device_prompt(&self, p: &DevicePrompt) -> Result<()> {
        let Some((f, user_data)) = self.device_prompt else {
            return SystemBrowser.device_prompt(p);
        };
        let (uri, code, complete) = (
            c_string(&p.verification_uri)?,
            c_string(&p.user_code)?,
            c_string(&p.verification_uri_complete)?,
        );
        // SAFETY: as above, strings valid during the call.
        let r = unsafe {
            f(
                user_data.0,
                uri.as_ptr(),
                code.as_ptr(),
                complete.as_ptr(),
                p.expires_in,
            )
        };
        match r {
            0 => Ok(()),
            r => Err(stopped_by_host("device prompt", r)),
        }
    }
}

/// Parameters of a provider and a client. Made by `auth_params_new`, freed by
/// `auth_params_free`. Once configured it may be shared by threads.
pub struct auth_params {
    params: RwLock<Params>,
    agent: RwLock<HostAgent>,
}

impl auth_params {
    /// A copy of the parameters, so that a flow is not disturbed by a concurrent
    /// `auth_params_set`. The copy shares the canceller.
    pub(crate) fn snapshot(&self) -> Params {
        self.params
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The host's callbacks as set now.
    #[cfg(test)]
    pub(crate) fn host_agent(&self) -> HostAgent {
        *self.agent.read().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, change: impl FnOnce(&mut Params) -> Result<()>) -> Result<()> {
        let mut params = self.params.write().unwrap_or_else(|e| e.into_inner());
        change(&mut params)
    }

    fn set_agent(&self, change: impl FnOnce(&mut HostAgent)) -> Result<()> {
        let mut agent = self.agent.write().unwrap_or_else(|e| e.into_inner());
        change(&mut agent);
        let agent = *agent;
        self.update(|p| {
            p.set_user_agent(Some(Arc::new(agent)));
            Ok(())
        })
    }
}

/// Makes parameters of the given kind with every option at its default.
/// On success `*out` owns a new `auth_params`: free it with `auth_params_free`.
/// An unknown `kind` is `AUTH_ERROR_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub extern "C" fn auth_params_new(kind: auth_kind, out: *mut *mut auth_params) -> auth_result {
    guard_out(out, || {
        let kind = Kind::from_number(kind.0).ok_or_else(|| {
            Error::invalid_argument(format!(
                "auth_kind {} is not AUTH_KIND_OAUTH2, _OPENID or _JWT",
                kind.0
            ))
        })?;
        Ok(into_handle(auth_params {
            params: RwLock::new(Params::new(kind)),
            agent: RwLock::new(HostAgent::default()),
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
    option: auth_option,
    value: *const c_char,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params.cast_const(), "params") }?;
        let option = ParamOption::from_number(option.0).ok_or_else(|| {
            Error::invalid_argument(format!("auth_option {} is not a known option", option.0))
        })?;
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let value = unsafe { optional_text(value, "value") }?;
        params.update(|p| match value {
            Some(v) => p.set(option, v),
            None => {
                p.reset(option);
                Ok(())
            }
        })
    })
}

/// Sets the callback that shows the user the authorization URL; `fn == NULL` unsets it (the
/// system browser is then used). `user_data` is passed back as is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_set_open_url(
    params: *mut auth_params,
    callback: auth_open_url_fn,
    user_data: *mut c_void,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params.cast_const(), "params") }?;
        params.set_agent(|a| a.open_url = callback.map(|f| (f, UserData(user_data))))
    })
}

/// Sets the device-flow prompt callback; `fn == NULL` unsets it (a line on standard error is
/// then printed). `user_data` is passed back as is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_set_device_prompt(
    params: *mut auth_params,
    callback: auth_device_prompt_fn,
    user_data: *mut c_void,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params.cast_const(), "params") }?;
        params.set_agent(|a| a.device_prompt = callback.map(|f| (f, UserData(user_data))))
    })
}

/// Ends the interactive flows running with these parameters (from any thread), including the
/// logins of sessions made from them: they return `AUTH_ERROR_CANCELLED` and release their
/// listening port. Flows started later are not affected.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_cancel(params: *const auth_params) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { handle(params, "params") }?;
        params
            .params
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .cancel();
        Ok(())
    })
}

/// Frees parameters made by `auth_params_new` (secrets are wiped). NULL does nothing. No flow
/// may be using them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_params_free(params: *mut auth_params) {
    guard_value((), || {
        // SAFETY: the caller passes a handle from auth_params_new or NULL, once.
        unsafe { free_handle(params) };
        Some(())
    })
}
