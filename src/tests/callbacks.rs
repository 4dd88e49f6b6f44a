//! The host's callbacks: open-URL and device prompt (called through the C layer's user agent,
//! with `user_data` handed back), and the log callback.

use super::*;
use crate::log::auth_set_log_callback;
use crate::params::{auth_params_free, auth_params_set_device_prompt, auth_params_set_open_url};
use crate::session::{auth_session_free, auth_session_new};
use authtoken_core::{DevicePrompt, ErrorKind, UserAgent};
use std::ffi::{c_int, c_void};
use std::sync::Mutex;

/// What the callbacks saw, reached through `user_data`.
#[derive(Default)]
struct Seen {
    calls: Vec<Vec<String>>,
    answer: c_int,
}

unsafe extern "C" fn open_url(user_data: *mut c_void, url: *const c_char) -> c_int {
    let seen = unsafe { &mut *user_data.cast::<Seen>() };
    seen.calls.push(vec![read(url)]);
    seen.answer
}

unsafe extern "C" fn device_prompt(
    user_data: *mut c_void,
    uri: *const c_char,
    code: *const c_char,
    complete: *const c_char,
    expires_in: i64,
) -> c_int {
    let seen = unsafe { &mut *user_data.cast::<Seen>() };
    seen.calls.push(vec![
        read(uri),
        read(code),
        read(complete),
        expires_in.to_string(),
    ]);
    seen.answer
}

#[test]
fn open_url_and_device_prompt_get_their_strings_and_user_data() {
    let p = new_params(0);
    let mut seen = Seen::default();
    let data: *mut c_void = (&raw mut seen).cast();
    unsafe {
        assert_eq!(
            auth_params_set_open_url(p, Some(open_url), data),
            auth_result::AUTH_OK
        );
        assert_eq!(
            auth_params_set_device_prompt(p, Some(device_prompt), data),
            auth_result::AUTH_OK
        );
    }
    let agent = unsafe { &*p }.host_agent();
    agent
        .open_url("https://idp.example/authorize?state=s")
        .unwrap();
    let prompt = DevicePrompt {
        verification_uri: "https://idp.example/device".to_owned(),
        user_code: "ABCD-EFGH".to_owned(),
        verification_uri_complete: String::new(),
        expires_in: 600,
    };
    agent.device_prompt(&prompt).unwrap();
    // Non-zero from the host cancels.
    unsafe { &mut *data.cast::<Seen>() }.answer = 3;
    let e = agent.open_url("https://idp.example/again").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(e.message().contains('3'), "{}", e.message());
    assert_eq!(
        agent.device_prompt(&prompt).unwrap_err().kind(),
        ErrorKind::Cancelled
    );
    // A URL with a NUL cannot be handed to C: refused before the callback.
    assert_eq!(
        agent.open_url("https://x/\0").unwrap_err().kind(),
        ErrorKind::Protocol
    );

    let seen = unsafe { &*data.cast::<Seen>() };
    assert_eq!(
        seen.calls,
        vec![
            vec!["https://idp.example/authorize?state=s".to_owned()],
            vec![
                "https://idp.example/device".to_owned(),
                "ABCD-EFGH".to_owned(),
                String::new(),
                "600".to_owned()
            ],
            vec!["https://idp.example/again".to_owned()],
            vec![
                "https://idp.example/device".to_owned(),
                "ABCD-EFGH".to_owned(),
                String::new(),
                "600".to_owned()
            ],
        ]
    );

    // NULL unsets them.
    unsafe {
        assert_eq!(
            auth_params_set_open_url(p, None, data),
            auth_result::AUTH_OK
        );
        assert_eq!(
            auth_params_set_device_prompt(p, None, std::ptr::null_mut()),
            auth_result::AUTH_OK
        );
    }
    let callbacks = unsafe { &*p }.host_agent();
    assert!(callbacks.open_url.is_none() && callbacks.device_prompt.is_none());
    unsafe {
        assert_eq!(
            auth_params_set_open_url(std::ptr::null_mut(), Some(open_url), data),
            Code::InvalidArgument
        );
        assert_eq!(
            auth_params_set_device_prompt(std::ptr::null_mut(), Some(device_prompt), data),
            Code::InvalidArgument
        );
        auth_params_free(p);
    }
}

type Lines = Mutex<Vec<(c_int, String)>>;

unsafe extern "C" fn log_line(user_data: *mut c_void, level: c_int, message: *const c_char) {
    let lines = unsafe { &*user_data.cast::<Lines>() };
    lines.lock().unwrap().push((level, read(message)));
}

/// Opens a session on a corrupt file: the library says so at warning level and goes on.
fn open_corrupt_session(path: &str) {
    let p = new_params(0);
    let path = CString::new(path).unwrap();
    let mut s = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_session_new(p, path.as_ptr(), &mut s) },
        auth_result::AUTH_OK
    );
    unsafe {
        auth_session_free(s);
        auth_params_free(p);
    }
}

#[test]
fn the_log_callback_hears_wanted_levels_until_unset() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("corrupt-session-for-the-log-test.bin");
    std::fs::write(&file, b"not a token").unwrap();
    let file = file.to_str().unwrap().to_owned();
    let lines: Lines = Mutex::new(Vec::new());
    let data: *mut c_void = (&raw const lines).cast_mut().cast();
    // Other tests may log at the same time: only lines about this file count.
    let ours = || -> Vec<(c_int, String)> {
        lines
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, m)| m.contains(&file))
            .cloned()
            .collect()
    };

    // Unsets the callback even if an assertion fails, before `lines` is dropped.
    struct Unset;
    impl Drop for Unset {
        fn drop(&mut self) {
            auth_set_log_callback(None, std::ptr::null_mut(), 0);
        }
    }
    let _unset = Unset;

    auth_set_log_callback(Some(log_line), data, 2);
    open_corrupt_session(&file);
    let heard = ours();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].0, 2, "a corrupt session file is a warning");
    assert!(heard[0].1.contains("cannot be used"), "{}", heard[0].1);

    auth_set_log_callback(Some(log_line), data, 1);
    open_corrupt_session(&file);
    assert_eq!(ours().len(), 1, "warnings are not wanted at level 1");

    auth_set_log_callback(Some(log_line), data, 99);
    open_corrupt_session(&file);
    assert_eq!(ours().len(), 2, "a level above 4 means everything");

    auth_set_log_callback(Some(log_line), data, 0);
    open_corrupt_session(&file);
    auth_set_log_callback(None, data, 4);
    open_corrupt_session(&file);
    assert_eq!(
        ours().len(),
        2,
        "level 0 and a NULL callback turn logging off"
    );
}
