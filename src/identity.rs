//! `auth_identity`: the C handle around an immutable [`Identity`], with every string its getters
//! return made once (so getters are free, thread-safe, and their pointers live as long as the
//! handle).

use crate::boundary::{
    empty_c_str, free_handle, guard_out, guard_value, handle, into_handle, text,
};
use crate::memory::SecretCString;
use crate::result::auth_result;
use crate::token::auth_token;
use authtoken_core::Identity;
use authtoken_core::oidc::identity::claim_text;
use std::collections::HashMap;
use std::ffi::c_char;

/// The claims about a signed-in user (`OpenIDIdentity`). Immutable. Freed by
/// `auth_identity_free`.
pub struct auth_identity {
    identity: Identity,
    source: SecretCString,
    subject: SecretCString,
    email: SecretCString,
    first_name: SecretCString,
    last_name: SecretCString,
    name: SecretCString,
    id_token: SecretCString,
    claims: HashMap<String, SecretCString>,
}

impl auth_identity {
    pub(crate) fn new(identity: Identity) -> auth_identity {
        let text = |v: Option<String>| SecretCString::new(v.as_deref().unwrap_or(""));
        auth_identity {
            source: SecretCString::new(&identity.source()),
            subject: text(identity.subject()),
            email: text(identity.email()),
            first_name: text(identity.first_name()),
            last_name: text(identity.last_name()),
            name: text(identity.name()),
            id_token: SecretCString::new(identity.id_token().map(|s| s.expose()).unwrap_or("")),
            claims: identity
                .claims()
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), SecretCString::new(&claim_text(v)?))))
                .collect(),
            identity,
        }
    }
}

/// Runs a getter: a NULL identity gives `fallback`.
fn read<T>(
    identity: *const auth_identity,
    fallback: T,
    pick: impl FnOnce(&auth_identity) -> T,
) -> T {
    // SAFETY: the caller passes a live handle or NULL.
    guard_value(fallback, || unsafe { identity.as_ref() }.map(pick))
}

/// Runs a string getter: a NULL identity gives `""`.
fn get(
    identity: *const auth_identity,
    pick: impl FnOnce(&auth_identity) -> *const c_char,
) -> *const c_char {
    read(identity, empty_c_str(), pick)
}

/// Reads who signed in (`OpenIDReadIdentity`): the claims of the token's ID token (validated
/// when it was received) merged with the provider's userinfo answer when it has a userinfo
/// endpoint (one HTTP request with the access token). A userinfo `sub` that differs from the ID
/// token's is `AUTH_ERROR_ID_TOKEN` (nothing merged). Without an ID token, the userinfo answer
/// alone; without either, `AUTH_ERROR_UNSUPPORTED`. A userinfo answer refusing the access token
/// (`401`, `error="invalid_token"`) is `AUTH_ERROR_OAUTH` with `auth_last_oauth_error()` =
/// `"invalid_token"` and the HTTP status: refresh the token, then try again.
/// The token is only read. On success `*out` owns a new identity: free it with
/// `auth_identity_free`.
///
/// `token` is NULL or a live `auth_token`; `out` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_read_identity(
    token: *const auth_token,
    out: *mut *mut auth_identity,
) -> auth_result {
    guard_out(out, || {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        let identity = authtoken_core::read_identity(&token.token)?;
        Ok(into_handle(auth_identity::new(identity)))
    })
}

/// Asks the provider's userinfo endpoint about the token's user (`AuthGetUserInfo`), with no
/// ID token involved. No userinfo endpoint (set or discovered) is `AUTH_ERROR_UNSUPPORTED`;
/// errors as for `auth_read_identity`. The token is only read. On success `*out` owns a new
/// identity: free it with `auth_identity_free`.
///
/// `token` is NULL or a live `auth_token`; `out` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_get_user_info(
    token: *const auth_token,
    out: *mut *mut auth_identity,
) -> auth_result {
    guard_out(out, || {
        // SAFETY: the caller passes a live handle or NULL.
        let token = unsafe { handle(token, "token") }?;
        let identity = authtoken_core::user_info(&token.token)?;
        Ok(into_handle(auth_identity::new(identity)))
    })
}

/// True when the identity holds claims about someone (`Valid`). False for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_is_valid(identity: *const auth_identity) -> bool {
    read(identity, false, |i| i.identity.is_valid())
}

/// Every claim as a JSON object text (`Source`). Owned by the identity; never NULL (`""` for a
/// NULL identity).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_source(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.source.as_ptr())
}

/// The claim called `name` in string form: strings as they are, numbers, booleans, arrays and
/// objects as JSON text. NULL when the claim is absent or null (and for a NULL identity or
/// name). Owned by the identity.
///
/// `identity` is NULL or a live `auth_identity`; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_claim(
    identity: *const auth_identity,
    name: *const c_char,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        // SAFETY: the caller passes a live handle or NULL, and a NUL-terminated string or NULL.
        let identity = unsafe { handle(identity, "identity") }.ok()?;
        let name = unsafe { text(name, "name") }.ok()?;
        identity.claims.get(name).map(|c| c.as_ptr())
    })
}

/// The subject (`sub`), `""` if none. Owned by the identity.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_subject(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.subject.as_ptr())
}

/// The `email` claim, `""` if none. Owned by the identity.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_email(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.email.as_ptr())
}

/// The `given_name` claim (`FirstName`), `""` if none. Owned by the identity.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_first_name(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.first_name.as_ptr())
}

/// The `family_name` claim (`LastName`), `""` if none. Owned by the identity.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_last_name(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.last_name.as_ptr())
}

/// The `name` claim (full name), `""` if none. Owned by the identity.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_name(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.name.as_ptr())
}

/// The raw ID token (a JWT) the claims came from (`IDToken`), `""` if none (e.g. from
/// `auth_get_user_info`). Owned by the identity.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_id_token(identity: *const auth_identity) -> *const c_char {
    get(identity, |i| i.id_token.as_ptr())
}

/// Frees an identity; the strings its getters returned die with it. NULL does nothing.
///
/// `identity` is NULL or an identity made by this library and not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_identity_free(identity: *mut auth_identity) {
    guard_value((), || {
        // SAFETY: the caller passes a handle made by this library or NULL, once.
        unsafe { free_handle(identity) };
        Some(())
    })
}
