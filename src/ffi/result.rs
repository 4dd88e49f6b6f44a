//! `auth_result`, the one result enum, and its names.

use crate::error::ErrorKind;
use std::ffi::c_char;

/// The result of every fallible function. `AUTH_OK` is 0; the values are fixed forever.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum auth_result {
    /// Success.
    AUTH_OK = 0,
    /// NULL, invalid UTF-8, malformed URL, or an option that does not fit this kind of params.
    AUTH_ERROR_INVALID_ARGUMENT = 1,
    /// The token has no refresh token, or no token endpoint is known.
    AUTH_ERROR_NOT_REFRESHABLE = 2,
    /// DNS, connection, TLS or transfer failure.
    AUTH_ERROR_NETWORK = 3,
    /// No answer, or no completed login, within the configured time.
    AUTH_ERROR_TIMEOUT = 4,
    /// The answer is not a valid OAuth/OpenID answer (HTML error page, bad JSON, no
    /// access_token, unexpected status).
    AUTH_ERROR_PROTOCOL = 5,
    /// The server answered an OAuth error not listed below (`auth_last_oauth_error()` names it).
    AUTH_ERROR_OAUTH = 6,
    /// The code or refresh token was rejected: the user must sign in again.
    AUTH_ERROR_INVALID_GRANT = 7,
    /// Client authentication failed.
    AUTH_ERROR_INVALID_CLIENT = 8,
    /// The user or the provider refused the authorization.
    AUTH_ERROR_ACCESS_DENIED = 9,
    /// `auth_params_cancel`, or a callback asked to stop.
    AUTH_ERROR_CANCELLED = 10,
    /// The redirect carried a missing or wrong `state` (possible forgery).
    AUTH_ERROR_STATE_MISMATCH = 11,
    /// The ID token failed validation (signature, alg, iss, aud, exp, iat, nonce).
    AUTH_ERROR_ID_TOKEN = 12,
    /// The redirect URL cannot be listened on (port busy, not an http loopback URL).
    AUTH_ERROR_REDIRECT = 13,
    /// No browser could be opened and no open-URL callback is set (the message holds the URL).
    AUTH_ERROR_BROWSER = 14,
    /// Serialized token corrupt, truncated, or of an unknown format version.
    AUTH_ERROR_FORMAT = 15,
    /// A file could not be read or written.
    AUTH_ERROR_IO = 16,
    /// The provider lacks what was asked (no device, revocation or userinfo endpoint...).
    AUTH_ERROR_UNSUPPORTED = 17,
    /// A bug in the library (a caught panic).
    AUTH_ERROR_INTERNAL = 99,
}

/// An `auth_result` as received from C: any integer, read without assuming it is in range.
/// (In the header this is `auth_result`.)
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct auth_result_value(pub u32);

impl From<ErrorKind> for auth_result {
    fn from(kind: ErrorKind) -> auth_result {
        use auth_result::*;
        match kind {
            ErrorKind::InvalidArgument => AUTH_ERROR_INVALID_ARGUMENT,
            ErrorKind::NotRefreshable => AUTH_ERROR_NOT_REFRESHABLE,
            ErrorKind::Network => AUTH_ERROR_NETWORK,
            ErrorKind::Timeout => AUTH_ERROR_TIMEOUT,
            ErrorKind::Protocol => AUTH_ERROR_PROTOCOL,
            ErrorKind::OAuth => AUTH_ERROR_OAUTH,
            ErrorKind::InvalidGrant => AUTH_ERROR_INVALID_GRANT,
            ErrorKind::InvalidClient => AUTH_ERROR_INVALID_CLIENT,
            ErrorKind::AccessDenied => AUTH_ERROR_ACCESS_DENIED,
            ErrorKind::Cancelled => AUTH_ERROR_CANCELLED,
            ErrorKind::StateMismatch => AUTH_ERROR_STATE_MISMATCH,
            ErrorKind::IdToken => AUTH_ERROR_ID_TOKEN,
            ErrorKind::Redirect => AUTH_ERROR_REDIRECT,
            ErrorKind::Browser => AUTH_ERROR_BROWSER,
            ErrorKind::Format => AUTH_ERROR_FORMAT,
            ErrorKind::Io => AUTH_ERROR_IO,
            ErrorKind::Unsupported => AUTH_ERROR_UNSUPPORTED,
            ErrorKind::Internal => AUTH_ERROR_INTERNAL,
        }
    }
}

fn name_of(value: u32) -> &'static [u8] {
    match value {
        0 => b"AUTH_OK\0",
        1 => b"AUTH_ERROR_INVALID_ARGUMENT\0",
        2 => b"AUTH_ERROR_NOT_REFRESHABLE\0",
        3 => b"AUTH_ERROR_NETWORK\0",
        4 => b"AUTH_ERROR_TIMEOUT\0",
        5 => b"AUTH_ERROR_PROTOCOL\0",
        6 => b"AUTH_ERROR_OAUTH\0",
        7 => b"AUTH_ERROR_INVALID_GRANT\0",
        8 => b"AUTH_ERROR_INVALID_CLIENT\0",
        9 => b"AUTH_ERROR_ACCESS_DENIED\0",
        10 => b"AUTH_ERROR_CANCELLED\0",
        11 => b"AUTH_ERROR_STATE_MISMATCH\0",
        12 => b"AUTH_ERROR_ID_TOKEN\0",
        13 => b"AUTH_ERROR_REDIRECT\0",
        14 => b"AUTH_ERROR_BROWSER\0",
        15 => b"AUTH_ERROR_FORMAT\0",
        16 => b"AUTH_ERROR_IO\0",
        17 => b"AUTH_ERROR_UNSUPPORTED\0",
        99 => b"AUTH_ERROR_INTERNAL\0",
        _ => b"AUTH_ERROR_UNKNOWN\0",
    }
}

/// The name of a result code, e.g. `"AUTH_ERROR_INVALID_GRANT"`; `"AUTH_ERROR_UNKNOWN"` for a
/// value that is not a result code. The string is static: never free it. Does not change
/// `auth_last_error()`.
#[unsafe(no_mangle)]
pub extern "C" fn auth_result_name(result: auth_result_value) -> *const c_char {
    name_of(result.0).as_ptr().cast()
}

/// The library version, e.g. `"0.1.0"`. Static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn auth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
