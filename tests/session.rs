//! Sessions against a real oidc-provider with refresh-token rotation on and short access
//! tokens: one refresh per expiry across threads, processes sharing one file, a process killed
//! in the middle of a save, a corrupt file, the token-changed hook.

mod support;

use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_free, auth_params_new, auth_params_set,
    auth_params_set_open_url,
};
use authtoken::result::auth_result;
use authtoken::session::{
    auth_session, auth_session_free, auth_session_logout, auth_session_new, auth_session_open,
    auth_session_set_token_changed, auth_session_token,
};
use authtoken::token::{
    auth_import_token, auth_token, auth_token_free, auth_token_is_valid, auth_token_load,
    auth_token_save, auth_token_value,
};
use authtoken_core::{ErrorKind as Code, ParamOption as Opt};
use std::collections::HashSet;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::{PUBLIC_APP, Provider};

const ROTATING_SHORT: &str = r#"{"rotateRefreshToken":true,"accessTokenTTL":2}"#;

struct Params(*mut auth_params);
unsafe impl Send for Params {}
unsafe impl Sync for Params {}
impl Drop for Params {
    fn drop(&mut self) {
        unsafe { auth_params_free(self.0) }
    }
}

fn set(p: *mut auth_params, option: Opt, value: &str) {
    let v = CString::new(value).unwrap();
    let r = unsafe { auth_params_set(p, auth_option::from(option), v.as_ptr()) };
    assert_eq!(
        r,
        auth_result::AUTH_OK,
        "set {option:?} = {value}: {}",
        last_error()
    );
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(authtoken::last_error::auth_last_error()) }
        .to_string_lossy()
        .into_owned()
}

/// OAuth2 parameters of the public test client on `issuer`, whose logins are played over HTTP.
fn params_for(issuer: &str) -> Params {
    let mut p = std::ptr::null_mut();
    assert_eq!(auth_params_new(auth_kind(0), &mut p), auth_result::AUTH_OK);
    set(p, Opt::ClientId, PUBLIC_APP.id);
    set(p, Opt::AuthUrl, &format!("{issuer}/auth"));
    set(p, Opt::TokenUrl, &format!("{issuer}/token"));
    set(p, Opt::RevocationUrl, &format!("{issuer}/token/revocation"));
    set(p, Opt::Scope, "openid offline_access");
    set(p, Opt::RedirectUrl, "http://127.0.0.1:0/callback");
    set(p, Opt::AdditionalParameters, "prompt=consent");
    set(p, Opt::LoginTimeout, "30");
    assert_eq!(
        unsafe { auth_params_set_open_url(p, Some(play_user), std::ptr::null_mut()) },
        auth_result::AUTH_OK
    );
    Params(p)
}

static LOGINS: Mutex<u32> = Mutex::new(0);

/// The browser: signs in over HTTP on another thread and delivers the redirect to the listener.
unsafe extern "C" fn play_user(_: *mut c_void, url: *const c_char) -> c_int {
    let url = unsafe { CStr::from_ptr(url) }.to_str().unwrap().to_owned();
    *LOGINS.lock().unwrap() += 1;
    std::thread::spawn(move || {
        let redirect = support::login_over_http(&url);
        let _ = support::follow_redirect(&redirect);
    });
    0
}

/// A login is a test failure where these are installed.
unsafe extern "C" fn refuse_login(_: *mut c_void, _: *const c_char) -> c_int {
    1
}

fn first_token_file(provider: &Provider, params: &Params, path: &Path) {
    let json = CString::new(support::first_token_json(
        provider,
        &PUBLIC_APP,
        "openid offline_access",
    ))
    .unwrap();
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_import_token(params.0, json.as_ptr(), &mut t) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    let p = CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { auth_token_save(t, p.as_ptr()) },
        auth_result::AUTH_OK
    );
    unsafe { auth_token_free(t) };
}

fn new_session(params: &Params, path: Option<&Path>) -> *mut auth_session {
    let p = path.map(|p| CString::new(p.to_str().unwrap()).unwrap());
    let mut s = std::ptr::null_mut();
    let r = unsafe {
        auth_session_new(
            params.0,
            p.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            &mut s,
        )
    };
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    s
}

fn value(t: *const auth_token) -> String {
    unsafe { CStr::from_ptr(auth_token_value(t)) }
        .to_str()
        .unwrap()
        .to_owned()
}

struct Shared(*mut auth_session);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

#[test]
fn threads_share_one_refresh_per_expiry() {
    let provider = Provider::start(ROTATING_SHORT);
    let params = params_for(&provider.issuer);
    unsafe { auth_params_set_open_url(params.0, Some(refuse_login), std::ptr::null_mut()) };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.bin");
    first_token_file(&provider, &params, &path);
    provider.reset_stats();

    let session = Shared(new_session(&params, Some(&path)));
    // The token the file starts with counts as seen: under load it may need a refresh before
    // any thread gets it, and then every token is one a refresh made.
    let seen = Mutex::new(HashSet::from([{
        let mut t = std::ptr::null_mut();
        let p = CString::new(path.to_str().unwrap()).unwrap();
        assert_eq!(
            unsafe { auth_token_load(p.as_ptr(), &mut t) },
            auth_result::AUTH_OK
        );
        let v = value(t);
        unsafe { auth_token_free(t) };
        v
    }]));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let session = &session;
                for _ in 0..100 {
                    let mut t = std::ptr::null_mut();
                    let r = unsafe { auth_session_token(session.0, 1, &mut t) };
                    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
                    assert!(unsafe { auth_token_is_valid(t) });
                    seen.lock().unwrap().insert(value(t));
                    unsafe { auth_token_free(t) };
                    std::thread::sleep(Duration::from_millis(50));
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let stats = provider.stats();
    let refreshes = stats["refresh"].as_u64().unwrap();
    let distinct = seen.lock().unwrap().len() as u64;
    eprintln!(
        "threads: {refreshes} refreshes for {distinct} distinct tokens in {elapsed:.1} s (TTL 2 s, min valid 1 s)"
    );
    assert_eq!(
        stats["refresh_error"].as_u64(),
        Some(0),
        "no invalid_grant: {stats}"
    );
    // Every refresh made a token some thread got (the one that refreshed): no second request.
    assert_eq!(refreshes, distinct - 1, "{stats}");
    // A token lives 2 s and is refreshed 1 s before it ends: about one refresh a second.
    assert!(
        refreshes as f64 <= elapsed + 1.0,
        "{refreshes} refreshes in {elapsed:.1} s"
    );
    assert!(refreshes >= 1);
    unsafe { auth_session_free(session.0) };
}

/// Worker processes (this test binary run again) hammering one file.
#[test]
fn processes_share_one_file_without_losing_the_session() {
    if let Ok(path) = std::env::var("AUTHTOKEN_SESSION_WORKER") {
        return worker(
            Path::new(&path),
            &std::env::var("AUTHTOKEN_SESSION_ISSUER").unwrap(),
        );
    }
    let provider = Provider::start(ROTATING_SHORT);
    let params = params_for(&provider.issuer);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.bin");
    first_token_file(&provider, &params, &path);
    provider.reset_stats();

    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "processes_share_one_file_without_losing_the_session",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("AUTHTOKEN_SESSION_WORKER", &path)
                .env("AUTHTOKEN_SESSION_ISSUER", &provider.issuer)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut tokens = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "worker failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let n = stdout
            .lines()
            .filter_map(|l| l.split("worker-tokens ").nth(1))
            .map(|n| n.trim().parse::<u32>().unwrap())
            .sum::<u32>();
        assert!(n > 0, "the worker ran no loop:\n{stdout}");
        tokens += n;
    }
    let stats = provider.stats();
    eprintln!("processes: 4 workers got {tokens} tokens; provider saw {stats}");
    assert_eq!(
        stats["refresh_error"].as_u64(),
        Some(0),
        "no invalid_grant: {stats}"
    );
    assert!(stats["refresh"].as_u64().unwrap() >= 1);
    let mut t = std::ptr::null_mut();
    let p = CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { auth_token_load(p.as_ptr(), &mut t) },
        auth_result::AUTH_OK,
        "the file is a token"
    );
    unsafe { auth_token_free(t) };
}

fn worker(path: &Path, issuer: &str) {
    let params = params_for(issuer);
    unsafe { auth_params_set_open_url(params.0, Some(refuse_login), std::ptr::null_mut()) };
    let session = new_session(&params, Some(path));
    let p = CString::new(path.to_str().unwrap()).unwrap();
    let until = Instant::now() + Duration::from_secs(5);
    let mut n = 0;
    while Instant::now() < until {
        let mut t = std::ptr::null_mut();
        let r = unsafe { auth_session_token(session, 1, &mut t) };
        assert_eq!(
            r,
            auth_result::AUTH_OK,
            "worker {}: {}",
            std::process::id(),
            last_error()
        );
        assert!(unsafe { auth_token_is_valid(t) });
        unsafe { auth_token_free(t) };
        let mut f = std::ptr::null_mut();
        assert_eq!(
            unsafe { auth_token_load(p.as_ptr(), &mut f) },
            auth_result::AUTH_OK,
            "file readable: {}",
            last_error()
        );
        unsafe { auth_token_free(f) };
        n += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("worker-tokens {n}");
    unsafe { auth_session_free(session) };
}

/// A process killed (SIGKILL) in the middle of saving never leaves a corrupt file.
#[test]
fn a_killed_writer_never_leaves_a_corrupt_file() {
    if let Ok(path) = std::env::var("AUTHTOKEN_SAVE_WORKER") {
        let mut i = 0u64;
        loop {
            let json = CString::new(format!(
                r#"{{"access_token":"{}","refresh_token":"{}","expires_in":60}}"#,
                "a".repeat((i % 5000) as usize + 1),
                i
            ))
            .unwrap();
            let mut t = std::ptr::null_mut();
            unsafe { auth_import_token(std::ptr::null(), json.as_ptr(), &mut t) };
            let p = CString::new(path.as_str()).unwrap();
            assert_eq!(
                unsafe { auth_token_save(t, p.as_ptr()) },
                auth_result::AUTH_OK
            );
            unsafe { auth_token_free(t) };
            i += 1;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.bin");
    let exe = std::env::current_exe().unwrap();
    let p = CString::new(path.to_str().unwrap()).unwrap();
    let mut checked = 0;
    for round in 0..100u64 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "a_killed_writer_never_leaves_a_corrupt_file",
                "--test-threads=1",
            ])
            .env("AUTHTOKEN_SAVE_WORKER", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(5 + (round * 7919) % 40));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if path.exists() {
            let mut t = std::ptr::null_mut();
            assert_eq!(
                unsafe { auth_token_load(p.as_ptr(), &mut t) },
                auth_result::AUTH_OK,
                "round {round}: {}",
                last_error()
            );
            unsafe { auth_token_free(t) };
            checked += 1;
        }
    }
    assert!(
        checked >= 50,
        "the writer rarely got to write ({checked} of 100)"
    );
}

static HOOK_TOKENS: Mutex<Vec<Option<String>>> = Mutex::new(Vec::new());

unsafe extern "C" fn on_changed(_: *mut c_void, t: *const auth_token) {
    HOOK_TOKENS
        .lock()
        .unwrap()
        .push((!t.is_null()).then(|| value(t)));
}

/// A corrupt file means a clean login; the hook hears of every new token once, with it; logout
/// revokes, deletes the file and tells the hook.
#[test]
fn corrupt_file_logs_in_again_and_the_hook_sees_each_new_token() {
    let provider = Provider::start(ROTATING_SHORT);
    let params = params_for(&provider.issuer);
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("corrupt.bin");
    std::fs::write(&path, b"ATKN\x01\x00 this is not a token").unwrap();

    let session = new_session(&params, Some(&path));
    assert_eq!(
        unsafe { auth_session_set_token_changed(session, Some(on_changed), std::ptr::null_mut()) },
        auth_result::AUTH_OK
    );
    let logins_before = *LOGINS.lock().unwrap();
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_session_token(session, 1, &mut t) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    assert_eq!(*LOGINS.lock().unwrap(), logins_before + 1, "one login");
    let first = value(t);
    unsafe { auth_token_free(t) };
    // Still fresh: the same token, no hook call.
    assert_eq!(
        unsafe { auth_session_token(session, 0, &mut t) },
        auth_result::AUTH_OK
    );
    assert_eq!(value(t), first);
    unsafe { auth_token_free(t) };
    // Ask for more than it has left: a refresh.
    assert_eq!(
        unsafe { auth_session_token(session, 100, &mut t) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    let second = value(t);
    assert_ne!(second, first);
    unsafe { auth_token_free(t) };
    assert_eq!(
        *HOOK_TOKENS.lock().unwrap(),
        vec![Some(first), Some(second.clone())]
    );
    // The file now holds the refreshed token.
    let p = CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { auth_token_load(p.as_ptr(), &mut t) },
        auth_result::AUTH_OK
    );
    assert_eq!(value(t), second);
    unsafe { auth_token_free(t) };

    assert_eq!(
        unsafe { auth_session_logout(session) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    assert!(!path.exists());
    assert_eq!(HOOK_TOKENS.lock().unwrap().last(), Some(&None));
    assert!(provider.stats()["revocation"].as_u64().unwrap() >= 1);
    unsafe { auth_session_free(session) };
}

#[test]
fn bad_arguments_are_refused() {
    let mut s = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_session_new(std::ptr::null(), std::ptr::null(), &mut s) },
        Code::InvalidArgument
    );
    assert_eq!(
        unsafe { auth_session_token(std::ptr::null_mut(), 60, &mut std::ptr::null_mut()) },
        Code::InvalidArgument
    );
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_session_open(std::ptr::null(), std::ptr::null(), &mut t) },
        Code::InvalidArgument
    );
    assert!(t.is_null());
    unsafe { auth_session_free(std::ptr::null_mut()) };
}
