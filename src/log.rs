//! `auth_set_log_callback`: the host's log sink.

use crate::boundary::guard_value;
use authtoken_core::log::{Level, set_sink, set_thread_sink};
use std::ffi::{CString, c_char, c_int, c_void};

/// Receives log lines: `level` is 1 error, 2 warning, 3 info, 4 debug; `message` is UTF-8,
/// valid only during the call, and never holds a secret (tokens, codes, secrets, verifiers
/// are redacted). Called on the thread that logs, possibly several at once.
pub type auth_log_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: c_int, message: *const c_char)>;

struct UserData(*mut c_void);
// SAFETY: the host gives the pointer to be passed back from any thread (documented).
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    // A method, so closures capture the whole Send wrapper and not its raw field.
    fn get(&self) -> *mut c_void {
        self.0
    }
}

/// The host's callback as the core's sink (a NUL in a message is shown as `\0`) with the most
/// verbose level it wants; `None` (no callback, or `max_level <= 0`) turns logging off.
fn host_sink(
    callback: auth_log_fn,
    user_data: *mut c_void,
    max_level: c_int,
) -> Option<(impl Fn(Level, &str) + Send + Sync + 'static, u8)> {
    let f = callback.filter(|_| max_level > 0)?;
    let data = UserData(user_data);
    let sink = move |level: Level, message: &str| {
        let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
        // SAFETY: the host's callback, called as documented.
        unsafe { f(data.get(), level as c_int, text.as_ptr()) };
    };
    Some((sink, max_level.min(4) as u8))
}

/// Installs the log callback for the whole library, hearing levels up to `max_level`
/// (1 error … 4 debug); `fn == NULL` or `max_level <= 0` turns logging off (the default).
/// `user_data` is passed back as is; it must stay valid until the callback is replaced.
#[unsafe(no_mangle)]
pub extern "C" fn auth_set_log_callback(
    callback: auth_log_fn,
    user_data: *mut c_void,
    max_level: c_int,
) {
    guard_value((), || {
        let (sink, level) = host_sink(callback, user_data, max_level).unzip();
        set_sink(sink.map(|s| Box::new(s) as _), level.unwrap_or(0));
        Some(())
    })
}

/// Installs a log callback for the calling thread only, hearing levels up to `max_level`
/// (1 error ... 4 debug): while it is installed, the messages the library logs on this thread
/// go to it instead of to the callback of `auth_set_log_callback`. It is called on this thread
/// only, during the library call that logs. `fn == NULL` or `max_level <= 0` removes it (this
/// thread's messages go to the process's callback again). For hosts whose callbacks may only
/// run on the thread that made them (a language runtime's worker threads). `user_data` is
/// passed back as is; it must stay valid until the callback is replaced or the thread ends.
#[unsafe(no_mangle)]
pub extern "C" fn auth_set_thread_log_callback(
    callback: auth_log_fn,
    user_data: *mut c_void,
    max_level: c_int,
) {
    guard_value((), || {
        let (sink, level) = host_sink(callback, user_data, max_level).unzip();
        set_thread_sink(sink.map(|s| Box::new(s) as _), level.unwrap_or(0));
        Some(())
    })
}
