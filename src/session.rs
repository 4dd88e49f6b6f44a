//! `auth_session`: a token that stays fresh, with its file and its token-changed hook.

use crate::boundary::{
    free_handle, guard, guard_out, guard_value, handle, into_handle, optional_text,
};
use crate::params::{UserData, auth_params};
use crate::result::auth_result;
use crate::token::auth_token;
use authtoken_core::{Session, Token};
use std::ffi::c_void;
use std::sync::Arc;

/// Called after every new token of a session (login, refresh, or a newer token another process
/// stored), on the thread that obtained it, after the session's locks are released.
/// `token` is valid only during the call (copy what you need, or serialize it); it is NULL
/// after `auth_session_logout`.
pub type auth_token_changed_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, token: *const auth_token)>;

/// A session: the core's [`Session`] with a copy of the parameters, an optional token file and
/// the current token. Made by `auth_session_new`, freed by `auth_session_free`. Thread-safe.
pub struct auth_session {
    session: Session,
}

impl auth_session {
    pub(crate) fn new(session: Session) -> auth_session {
        auth_session { session }
    }
}

/// Calls the host's hook with a token handle valid during the call (NULL after a logout).
fn call_hook(
    f: unsafe extern "C" fn(*mut c_void, *const auth_token),
    data: UserData,
    token: Option<&Token>,
) {
    match token {
        Some(t) => {
            let handle = auth_token::new(t.clone());
            // SAFETY: the host's callback, called as documented; the handle lives during the call.
            unsafe { f(data.0, &handle) };
        }
        // SAFETY: as above.
        None => unsafe { f(data.0, std::ptr::null()) },
    }
}

/// Makes a session with a copy of `params` (later changes to `params` do not reach it, but
/// `auth_params_cancel(params)` still cancels its logins) and the place its token is kept, `path`
/// (UTF-8; NULL: memory only): a file path, or a store URL:
/// `redis://[user:password@]host[:port][/db]?key=NAME[&lease=SECONDS]` (or `rediss://` over
/// TLS), one token shared by every process and machine using that key, refreshed by one at a
/// time under a lease (default 15 s); `keyring:SERVICE/ACCOUNT`, the system's secret store
/// (Secret Service, Keychain, Credential Manager); `file:///absolute/path`, the same as the path.
/// With AUTH_OPT_STORE_KEY set, what is stored is encrypted (AES-256-GCM). A malformed store URL
/// (no key, an unknown parameter, a bad port or lease, a relative file: URL) is
/// AUTH_ERROR_INVALID_ARGUMENT. The store is read now; a token there that cannot be used
/// (corrupt, another key) counts as no session (a login will replace it) and is reported through
/// the log callback, and a store that cannot be reached now is read again when a token is needed.
/// On success `*out` owns a new session: free it with `auth_session_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_new(
    params: *const auth_params,
    path: *const std::ffi::c_char,
    out: *mut *mut auth_session,
) -> auth_result {
    guard_out(out, || {
        // SAFETY: the caller passes a live handle or NULL, and a string or NULL.
        let params = unsafe { handle(params, "params") }?;
        let path = unsafe { optional_text(path, "path") }?;
        let session = Session::open(params.snapshot(), path)?;
        Ok(into_handle(auth_session::new(session)))
    })
}

/// Sets the hook called after every new token; `fn == NULL` unsets it. `user_data` is passed
/// back as is.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_set_token_changed(
    session: *mut auth_session,
    callback: auth_token_changed_fn,
    user_data: *mut c_void,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let session = unsafe { handle(session.cast_const(), "session") }?;
        let data = UserData(user_data);
        session.session.set_token_changed(
            callback.map(|f| Arc::new(move |t: Option<&Token>| call_hook(f, data, t)) as _),
        );
        Ok(())
    })
}

/// A token valid for at least `min_valid_seconds` (negative counts as 0): the current one, else
/// a newer one another process stored, else a refresh, else a login (`auth_identify` with the
/// session's parameters). When even a fresh token cannot last that long it is returned anyway.
/// One refresh at a time per session (threads that wait get its result) and per store across
/// processes (the file's lock, Redis's lease, the keyring's lock file; the store is read again
/// after locking, and once more on `invalid_grant`); a write never replaces a token stored by
/// another writer since the session read it (the session adopts that one); a file is rewritten
/// atomically (mode 0600). A refresh that fails for a network reason while the current token is
/// still valid returns the current token; so does a store that cannot be reached (else
/// AUTH_ERROR_NETWORK for Redis, AUTH_ERROR_IO for a file or the keyring).
/// On success `*out_token` is a new token owned by the caller: free it with `auth_token_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_token(
    session: *mut auth_session,
    min_valid_seconds: i64,
    out_token: *mut *mut auth_token,
) -> auth_result {
    guard_out(out_token, || {
        // SAFETY: the caller passes a live handle or NULL.
        let session = unsafe { handle(session.cast_const(), "session") }?;
        Ok(auth_token::boxed(session.session.token(min_valid_seconds)?))
    })
}

/// Ends the session: revokes its refresh and access tokens at the provider's revocation
/// endpoint (`AUTH_OPT_REVOCATION_URL`, else the one in the provider's discovery document or,
/// when that lacks it, in its RFC 8414 document), forgets the token, deletes the stored one (file,
/// Redis key, keyring item), and calls the hook with NULL. Returns `AUTH_OK` even when nothing could be revoked: the stored
/// token is gone either way. But then the grant is still live at the provider (its refresh
/// token can still be used until it expires), and the log callback hears a warning (level 2)
/// that says so and why: no revocation endpoint in either document, or a revocation that
/// failed. A program that promises its user a sign-out should show that warning. `session` must
/// be a live handle (NULL gives `AUTH_ERROR_INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_logout(session: *mut auth_session) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes a live handle or NULL.
        let session = unsafe { handle(session.cast_const(), "session") }?;
        session.session.logout()
    })
}

/// Frees a session (the stored token stays). NULL does nothing. No call may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_free(session: *mut auth_session) {
    guard_value((), || {
        // SAFETY: the caller passes a handle from auth_session_new or NULL, once.
        unsafe { free_handle(session) };
        Some(())
    })
}

/// One call for the whole refresh-or-login dance: `auth_session_new` + `auth_session_token`
/// with 60 seconds + `auth_session_free`. On success `*out_token` is owned by the caller.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_open(
    params: *const auth_params,
    path: *const std::ffi::c_char,
    out_token: *mut *mut auth_token,
) -> auth_result {
    let mut session: *mut auth_session = std::ptr::null_mut();
    // SAFETY: arguments passed through as the caller gave them.
    let r = unsafe { auth_session_new(params, path, &mut session) };
    if r != auth_result::AUTH_OK {
        if !out_token.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { *out_token = std::ptr::null_mut() };
        }
        return r;
    }
    // SAFETY: `session` was just made; it is freed right after.
    let r = unsafe { auth_session_token(session, 60, out_token) };
    // Freeing does not clear the error of the call above: auth_session_free returns nothing.
    // SAFETY: made above, freed once.
    unsafe { auth_session_free(session) };
    r
}
