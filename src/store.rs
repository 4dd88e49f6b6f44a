//! `auth_store`: a store of the host's own (a database, a vault, a cache the host already
//! runs), as a versioned struct of callbacks, adapted to the core's `TokenStore`.

use crate::boundary::{guard, guard_out, handle, into_handle};
use crate::params::{UserData, auth_params};
use crate::result::auth_result;
use crate::session::auth_session;
use authtoken_core::Session;
use authtoken_core::error::{Error, Result};
use authtoken_core::session::store::{Lease, Snapshot, TokenStore, Written};
use std::ffi::{c_int, c_void};
use std::sync::Arc;
use std::time::Duration;

/// The version of `auth_store` this library reads (the value of `auth_store.version`).
pub const AUTH_STORE_VERSION: u32 = 1;
/// A store callback's success.
pub const AUTH_STORE_OK: c_int = 0;
/// `write`'s answer when the store no longer holds `expected`: another writer came first.
pub const AUTH_STORE_CONFLICT: c_int = 1;

/// Where `load` puts the stored value, with `auth_store_value_set`. Valid only during the call.
pub struct auth_store_value {
    bytes: Option<Vec<u8>>,
}

/// Reads the stored value: calls `auth_store_value_set(out, bytes, len)` when there is one
/// (the library copies it), nothing when there is none. Returns AUTH_STORE_OK, or any other
/// value for a failure (the session then keeps its current token while it is valid, else
/// fails with AUTH_ERROR_IO).
pub type auth_store_load_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, out: *mut auth_store_value) -> c_int>;

/// Stores `value` (`len` bytes, valid during the call) if the store still holds `expected`
/// (`expected_len` bytes; NULL: that it still holds nothing); else leaves it and returns
/// AUTH_STORE_CONFLICT (the session then loads it and adopts it). AUTH_STORE_OK when stored;
/// any other value is a failure (logged; the session keeps the new token in memory).
pub type auth_store_write_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        value: *const u8,
        len: usize,
        expected: *const u8,
        expected_len: usize,
    ) -> c_int,
>;

/// Removes the stored value (nothing stored is a success). AUTH_STORE_OK, or a failure.
pub type auth_store_remove_fn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> c_int>;

/// Takes the store's lock, waiting for it, for the single flight of refreshes across the
/// processes that share the store; AUTH_STORE_OK when held, anything else is a failure.
pub type auth_store_lock_fn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> c_int>;

/// Releases the lock taken by `lock`; also `release`: called once when the session is freed.
pub type auth_store_unlock_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// A store of the host's own, for `auth_session_new_with_store`: the session keeps its token
/// there as opaque bytes (the serialized token, encrypted when AUTH_OPT_STORE_KEY is set).
/// Set `version` to AUTH_STORE_VERSION: later versions add fields at the end, and the library
/// reads only those of the version given. `load`, `write` and `remove` are required; `lock` and
/// `unlock` are both set or both NULL (NULL: the session's own single flight only, within the
/// process); `release` may be NULL. Calls for one session never overlap; they come from the
/// threads that call the session's functions, with the session's lock held (a callback must not
/// call back into that session).
#[repr(C)]
pub struct auth_store {
    pub version: u32,
    /// Passed back to every callback as is.
    pub user_data: *mut c_void,
    pub load: auth_store_load_fn,
    pub write: auth_store_write_fn,
    pub remove: auth_store_remove_fn,
    pub lock: auth_store_lock_fn,
    pub unlock: auth_store_unlock_fn,
    /// Called once, when the session is freed, e.g. to free `user_data`.
    pub release: auth_store_unlock_fn,
}

type Load = unsafe extern "C" fn(*mut c_void, *mut auth_store_value) -> c_int;
type Write = unsafe extern "C" fn(*mut c_void, *const u8, usize, *const u8, usize) -> c_int;
type Plain = unsafe extern "C" fn(*mut c_void) -> c_int;
type Notice = unsafe extern "C" fn(*mut c_void);

/// The host's store as the core sees it.
struct HostStore {
    user_data: UserData,
    load: Load,
    write: Write,
    remove: Plain,
    lock: Option<(Plain, Notice)>,
    release: Option<Notice>,
}

impl HostStore {
    fn from_c(s: &auth_store) -> Result<HostStore> {
        if s.version != AUTH_STORE_VERSION {
            return Err(Error::invalid_argument(format!(
                "auth_store.version is {}; this library reads version {AUTH_STORE_VERSION}",
                s.version
            )));
        }
        let missing = |what: &str| Error::invalid_argument(format!("auth_store.{what} is NULL"));
        let lock = match (s.lock, s.unlock) {
            (Some(l), Some(u)) => Some((l, u)),
            (None, None) => None,
            _ => {
                return Err(Error::invalid_argument(
                    "auth_store.lock and auth_store.unlock must both be set, or both NULL",
                ));
            }
        };
        Ok(HostStore {
            user_data: UserData(s.user_data),
            load: s.load.ok_or_else(|| missing("load"))?,
            write: s.write.ok_or_else(|| missing("write"))?,
            remove: s.remove.ok_or_else(|| missing("remove"))?,
            lock,
            release: s.release,
        })
    }
}

fn failed(what: &str, rc: c_int) -> Error {
    Error::io(format!("the host store's {what} callback returned {rc}"))
}

impl TokenStore for HostStore {
    fn describe(&self) -> String {
        "the host's store".to_owned()
    }

    fn load(&self) -> Result<Snapshot> {
        let mut out = auth_store_value { bytes: None };
        // SAFETY: the host's callback, called as documented with a sink valid during the call.
        let rc = unsafe { (self.load)(self.user_data.0, &mut out) };
        if rc != AUTH_STORE_OK {
            return Err(failed("load", rc));
        }
        Ok(Snapshot::of(out.bytes, 0))
    }

    fn write(&self, value: &[u8], read: &Snapshot) -> Result<Written> {
        let (expected, expected_len) = match &read.value {
            Some(v) => (v.as_ptr(), v.len()),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: as above; both buffers live during the call.
        let rc = unsafe {
            (self.write)(
                self.user_data.0,
                value.as_ptr(),
                value.len(),
                expected,
                expected_len,
            )
        };
        match rc {
            AUTH_STORE_OK => Ok(Written::Stored(Snapshot::of(Some(value.to_vec()), 0))),
            AUTH_STORE_CONFLICT => Ok(Written::Conflict(self.load()?)),
            rc => Err(failed("write", rc)),
        }
    }

    fn delete(&self) -> Result<()> {
        // SAFETY: as above.
        match unsafe { (self.remove)(self.user_data.0) } {
            AUTH_STORE_OK => Ok(()),
            rc => Err(failed("remove", rc)),
        }
    }

    fn lease(&self, _wait: Duration) -> Result<Lease<'_>> {
        let Some((lock, unlock)) = self.lock else {
            return Ok(Box::new(()));
        };
        // SAFETY: as above.
        match unsafe { lock(self.user_data.0) } {
            AUTH_STORE_OK => Ok(Box::new(HostLock {
                unlock,
                user_data: self.user_data,
            })),
            rc => Err(failed("lock", rc)),
        }
    }
}

impl Drop for HostStore {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: as above, once, when the session is freed.
            unsafe { release(self.user_data.0) };
        }
    }
}

/// The host's lock, released when dropped.
struct HostLock {
    unlock: Notice,
    user_data: UserData,
}

impl Drop for HostLock {
    fn drop(&mut self) {
        // SAFETY: as above, pairing the lock call that made this guard.
        unsafe { (self.unlock)(self.user_data.0) };
    }
}

/// Gives the stored value to the library from within an `auth_store.load` callback: the
/// `len` bytes at `bytes` are copied (a second call replaces the first). `out` is the pointer
/// the callback received, valid only during that call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_store_value_set(
    out: *mut auth_store_value,
    bytes: *const u8,
    len: usize,
) -> auth_result {
    guard(|| {
        // SAFETY: the caller passes the sink it was given, or NULL.
        let out = unsafe { out.as_mut() }.ok_or_else(|| Error::invalid_argument("out is NULL"))?;
        if bytes.is_null() && len > 0 {
            return Err(Error::invalid_argument("bytes is NULL"));
        }
        out.bytes = Some(if len == 0 {
            Vec::new()
        } else {
            // SAFETY: the caller promises `len` readable bytes at `bytes`, checked non-NULL.
            unsafe { std::slice::from_raw_parts(bytes, len) }.to_vec()
        });
        Ok(())
    })
}

/// Makes a session, like `auth_session_new`, whose token is kept in the host's `store` (the
/// struct is copied; `user_data` must stay valid until the session is freed, when `release` is
/// called). A wrong `version`, or a required callback that is NULL, is
/// AUTH_ERROR_INVALID_ARGUMENT. The store is loaded now. On success `*out` owns a new session:
/// free it with `auth_session_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn auth_session_new_with_store(
    params: *const auth_params,
    store: *const auth_store,
    out: *mut *mut auth_session,
) -> auth_result {
    guard_out(out, || {
        // SAFETY: the caller passes a live handle or NULL, and a store struct or NULL.
        let params = unsafe { handle(params, "params") }?;
        let store = unsafe { handle(store, "store") }?;
        let store = HostStore::from_c(store)?;
        let session = Session::with_store(params.snapshot(), Arc::new(store))?;
        Ok(into_handle(auth_session::new(session)))
    })
}
