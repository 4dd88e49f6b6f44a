//! `auth_token`: the C handle around an immutable [`Token`], with the C strings its getters
//! return (each made on its first call, then kept, so its pointer lives as long as the handle).

use crate::boundary::{
    empty_c_str, free_handle, guard, guard_out, guard_value, handle, into_handle, optional_text,
    text,
};
use crate::memory::{LazySecretCString, SecretCString, bytes_to_c, string_to_c};
use crate::params::auth_params;
use crate::result::auth_result;
use authtoken_core::error::Error;
use authtoken_core::{Secret, Token};
use std::ffi::c_char;
use std::path::Path;

/// An access token with its refresh token, ID token and the context needed to refresh it.
/// Immutable: a refresh makes a new token and leaves this one valid. Freed by `auth_token_free`.
// The C strings are made lazily (not in the header: an implementation choice): most hosts read
// one or two getters of a token (often none of a token they only save or refresh), and copying
// every field, the server's whole answer and the ID token included, cost as much as the rest
// of a refresh's in-memory work.
pub struct auth_token {
    pub(crate) token: Token,
    value: LazySecretCString,
    refresh: LazySecretCString,
    token_type: LazySecretCString,
    scope: LazySecretCString,
    id_token: LazySecretCString,
    server_response: LazySecretCString,
    authorization: LazySecretCString,
    dpop_jkt: LazySecretCString,
    authorization_details: LazySecretCString,
    issued_token_type: LazySecretCString,
}

impl auth_token {
    pub(crate) fn new(token: Token) -> auth_token {
        auth_token {
            token,
            value: LazySecretCString::default(),
            refresh: LazySecretCString::default(),
            token_type: LazySecretCString::default(),
            scope: LazySecretCString::default(),
            id_token: LazySecretCString::default(),
            server_response: LazySecretCString::default(),
            authorization: LazySecretCString::default(),
            dpop_jkt: LazySecretCString::default(),
            authorization_details: LazySecretCString::default(),
            issued_token_type: LazySecretCString::default(),
        }
    }

    /// A new handle for C.
    pub(crate) fn boxed(token: Token) -> *mut auth_token {
        into_handle(auth_token::new(token))
    }
}

/// The text of an optional secret, `""` when absent.
fn or_empty(s: Option<&Secret>) -> &str {
    s.map_or("", Secret::expose)
}

/// Runs a getter: a NULL token gives `""`.
unsafe fn get(
    token: *const auth_token,
    pick: impl FnOnce(&auth_token) -> *const c_char,
) -> *const c_char {
    // SAFETY: the caller passes a live handle or NULL.
    guard_value(empty_c_str(), || unsafe { token.as_ref() }.map(pick))
}

/// The access token (`Value`). Owned by the token; never NULL (`""` for a NULL token).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_value(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.value
                .get_or_make(|| SecretCString::new(t.token.access_token().expose()))
        })
    }
}

/// The refresh token (`Refresh`), `""` if none. Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_refresh_token(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.refresh
                .get_or_make(|| SecretCString::new(or_empty(t.token.refresh_token())))
        })
    }
}

/// When the access token expires (`ExpirationDate`), seconds since the Unix epoch UTC; 0 if
/// the server did not say (and for a NULL token).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_expiration(token: *const auth_token) -> i64 {
    // SAFETY: the caller passes a live handle or NULL.
    guard_value(0, || {
        unsafe { token.as_ref() }.map(|t| t.token.expires_at())
    })
}

/// True when the token has an access token that has not expired (`Valid`); a token with no
/// known expiration counts as valid. False for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_is_valid(token: *const auth_token) -> bool {
    // SAFETY: the caller passes a live handle or NULL.
    guard_value(false, || {
        unsafe { token.as_ref() }.map(|t| t.token.is_valid())
    })
}

/// The token type, e.g. `"Bearer"` (the default when the server sent none). Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_type(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.token_type
                .get_or_make(|| SecretCString::new(t.token.token_type()))
        })
    }
}

/// The granted scope as the server said it, `""` if it did not. Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_scope(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.scope.get_or_make(|| SecretCString::new(t.token.scope()))
        })
    }
}

/// The raw ID token (a JWT), `""` if none. Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_id_token(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.id_token
                .get_or_make(|| SecretCString::new(or_empty(t.token.id_token())))
        })
    }
}

/// The raw body of the last token answer (`ServerResponse`). Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_server_response(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.server_response
                .get_or_make(|| SecretCString::new(t.token.server_response().expose()))
        })
    }
}

/// The value of an `Authorization` header: `"Bearer <value>"`, or `"DPoP <value>"` for a
/// DPoP-bound token (send it with a proof from `auth_token_dpop_proof`). Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_authorization_header(
    token: *const auth_token,
) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.authorization.get_or_make(|| {
                // Through a Secret: the formatted header holds the access token, wiped when dropped.
                SecretCString::new(Secret::new(t.token.authorization_header()).expose())
            })
        })
    }
}

/// The RFC 7638 SHA-256 thumbprint (base64url) of the DPoP key the token is bound to; `""` if
/// it is not DPoP-bound. Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_dpop_jkt(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.dpop_jkt
                .get_or_make(|| SecretCString::new(t.token.dpop_jkt().unwrap_or("")))
        })
    }
}

/// The RFC 9396 authorization details the provider granted, a JSON array; `""` if its answer
/// had none. Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_authorization_details(
    token: *const auth_token,
) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.authorization_details
                .get_or_make(|| SecretCString::new(t.token.authorization_details().unwrap_or("")))
        })
    }
}

/// A DPoP proof (RFC 9449) for the host's own request to a resource server with this token:
/// a JWT signed with the token's DPoP key, with `htm` = `method` (e.g. `"GET"`), `htu` = `url`
/// without its query and fragment, `iat`, a fresh `jti`, `ath` = base64url(SHA-256(access
/// token)) and `nonce` when `nonce` is not NULL (the resource server's `DPoP-Nonce`). Send it
/// as the `DPoP` header beside `Authorization: DPoP <access token>`. A token that is not
/// DPoP-bound, a method that is not an HTTP method or a URL that is not an absolute http(s)
/// URL is `AUTH_ERROR_INVALID_ARGUMENT`.
/// On success `*out_proof` owns the proof: free it with `auth_string_free`.
///
/// `token` is NULL or a live token; `method` and `url` are NUL-terminated strings or NULL;
/// `nonce` is NULL or a NUL-terminated string; `out_proof` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_dpop_proof(
    token: *const auth_token,
    method: *const c_char,
    url: *const c_char,
    nonce: *const c_char,
    out_proof: *mut *mut c_char,
) -> auth_result {
    guard_out(out_proof, || {
        // SAFETY: the caller passes a live handle or NULL, and NUL-terminated strings or NULL.
        let token = unsafe { handle(token, "token") }?;
        let method = unsafe { text(method, "method") }?;
        let url = unsafe { text(url, "url") }?;
        let nonce = unsafe { optional_text(nonce, "nonce") }?;
        let proof = token.token.dpop_proof(method, url, nonce)?;
        Ok(string_to_c(proof.expose()))
    })
}

/// What a token exchange (`auth_exchange_token`, RFC 8693 §2.2.1) issued: a token type URI
/// such as `"urn:ietf:params:oauth:token-type:access_token"`; `""` when the answer named none
/// (every grant but token exchange, and providers that omit it). Kept by refreshes and by
/// serialization. Owned by the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_issued_token_type(token: *const auth_token) -> *const c_char {
    unsafe {
        get(token, |t| {
            t.issued_token_type
                .get_or_make(|| SecretCString::new(t.token.issued_token_type().unwrap_or("")))
        })
    }
}

/// Makes a token from a token endpoint answer obtained some other way (`AuthImportToken`):
/// RFC 6749 §5.1 JSON, or a form-encoded body. `params` may be NULL; when given, the token
/// carries its client and endpoints, so it can be refreshed. An error object
/// (`{"error":"…"}`) gives the code of that error (`invalid_grant` →
/// `AUTH_ERROR_INVALID_GRANT`, …); bad or empty JSON, or no `access_token`, is
/// `AUTH_ERROR_PROTOCOL`. No `expires_in`: expiration 0, and the token counts as valid.
/// On success `*out_token` owns a new token: free it with `auth_token_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_import_token(
    params: *const auth_params,
    json: *const c_char,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let json = unsafe { text(json, "json") }?;
        // SAFETY: the caller passes a live handle or NULL.
        let params = unsafe { params.as_ref() }.map(|p| p.snapshot());
        Ok(auth_token::boxed(Token::import(params.as_ref(), json)?))
    })
}

/// Serializes the token (with its refresh context and secrets) into a new buffer, in the
/// versioned binary format of docs/token-format.md. On success `*out_buf` owns `*out_len`
/// bytes: free them with `auth_bytes_free(buf, len)`. Keep them secret.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_serialize(
    token: *const auth_token,
    out_buf: *mut *mut u8,
    out_len: *mut usize,
) -> auth_result {
    let mut len = 0usize;
    let r = guard_out(out_buf, || {
        if out_len.is_null() {
            return Err(Error::invalid_argument("out_len is NULL"));
        }
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        let (ptr, n) = bytes_to_c(token.token.serialize()?);
        len = n;
        Ok(ptr)
    });
    if !out_len.is_null() && r == auth_result::AUTH_OK {
        // SAFETY: checked non-NULL.
        unsafe { *out_len = len };
    }
    r
}

/// Reads a token from `len` bytes made by `auth_token_serialize` (the bytes are only read).
/// Anything corrupt, truncated or of an unknown format version is `AUTH_ERROR_FORMAT`.
/// On success `*out_token` owns a new token: free it with `auth_token_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_deserialize(
    buf: *const u8,
    len: usize,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        if buf.is_null() {
            return Err(Error::invalid_argument("buf is NULL"));
        }
        // SAFETY: the caller passes `len` readable bytes at `buf`.
        let bytes = unsafe { std::slice::from_raw_parts(buf, len) };
        Ok(auth_token::boxed(Token::deserialize(bytes)?))
    })
}

/// Saves the token to the file at `path` (UTF-8): written to a temporary file in the same
/// folder, flushed, then renamed over `path`, so a crash leaves the old file or the new one;
/// mode 0600 from creation; a missing folder is created with mode 0700.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_save(
    token: *const auth_token,
    path: *const c_char,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL, and a NUL-terminated string or NULL.
        let token = unsafe { handle(token, "token") }?;
        let path = unsafe { text(path, "path") }?;
        token.token.save(Path::new(path))
    })
}

/// Loads a token saved by `auth_token_save`. A missing or unreadable file is `AUTH_ERROR_IO`
/// (the message names the path); a corrupt one is `AUTH_ERROR_FORMAT`.
/// On success `*out_token` owns a new token: free it with `auth_token_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_load(
    path: *const c_char,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let path = unsafe { text(path, "path") }?;
        Ok(auth_token::boxed(Token::load(Path::new(path))?))
    })
}

/// Frees a token (its secrets are wiped). The strings its getters returned die with it.
/// NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_token_free(token: *mut auth_token) {
    guard_value((), || {
        // SAFETY: the caller passes a handle made by this library or NULL, once.
        unsafe { free_handle(token) };
        Some(())
    })
}
