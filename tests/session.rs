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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::stub::{RefusingPort, Reply, SeenRequest, Stub};
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

/// Eight threads asking one session for a token valid 1 s more, 100 times each, while tokens
/// live 2 s: each expiry makes one refresh, whose token every waiting thread gets.
fn threads_share_one_refresh_per_expiry(provider: &Provider, session: &Shared, first: String) {
    let seen = Mutex::new(HashSet::from([first]));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
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
    assert_eq!(
        stats["token"].get("authorization_code"),
        None,
        "no login: {stats}"
    );
    // Every refresh made a token some thread got (the one that refreshed): no second request.
    assert_eq!(refreshes, distinct - 1, "{stats}");
    // A token lives 2 s and is refreshed 1 s before it ends: about one refresh a second.
    assert!(
        refreshes as f64 <= elapsed + 1.0,
        "{refreshes} refreshes in {elapsed:.1} s"
    );
    assert!(refreshes >= 1);
}

/// On a token file (the file lock serializes the refreshes across processes).
#[test]
fn threads_share_one_refresh_per_expiry_on_a_file() {
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
    let first = {
        let mut t = std::ptr::null_mut();
        let p = CString::new(path.to_str().unwrap()).unwrap();
        assert_eq!(
            unsafe { auth_token_load(p.as_ptr(), &mut t) },
            auth_result::AUTH_OK
        );
        let v = value(t);
        unsafe { auth_token_free(t) };
        v
    };
    threads_share_one_refresh_per_expiry(&provider, &session, first);
    unsafe { auth_session_free(session.0) };
}

/// In memory only (no file, so no file lock): the session's own lock alone keeps the refreshes
/// one at a time. Without it, two threads would present the same rotated refresh token, the
/// second would get invalid_grant and send the user through a login.
#[test]
fn threads_share_one_refresh_per_expiry_in_memory() {
    let provider = Provider::start(ROTATING_SHORT);
    let params = params_for(&provider.issuer);
    let session = Shared(new_session(&params, None));
    // The first token: a login (the session has nothing else).
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_session_token(session.0, 1, &mut t) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    let first = value(t);
    unsafe { auth_token_free(t) };
    provider.reset_stats();
    threads_share_one_refresh_per_expiry(&provider, &session, first);
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

// The refresh's other outcomes, against a stub token endpoint: the answers a real provider
// gives only in a race (another process rotated the refresh token and saved its token in the
// file between this session's read and its refresh, without the file lock) or when it is down.

/// Counts the logins a session starts (`user_data`: an AtomicUsize) and refuses them.
unsafe extern "C" fn count_login(user_data: *mut c_void, _: *const c_char) -> c_int {
    unsafe { &*(user_data as *const AtomicUsize) }.fetch_add(1, Ordering::SeqCst);
    1
}

/// A session on a token file whose tokens refresh at a stub; its logins are counted, refused.
struct StubSession {
    dir: tempfile::TempDir,
    path: PathBuf,
    params: Params,
    logins: Box<AtomicUsize>,
    session: *mut auth_session,
    _stub: Option<Stub>,
}

impl StubSession {
    /// `first`: the JSON of the token in the file (None: no file); `stub`: the token endpoint,
    /// told the file's path and the folder (for a token another process saves).
    fn new(first: Option<&str>, stub: impl FnOnce(&Path, &Path) -> Option<Stub>) -> StubSession {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.bin");
        let stub = stub(&path, dir.path());
        let mut p = std::ptr::null_mut();
        assert_eq!(auth_params_new(auth_kind(0), &mut p), auth_result::AUTH_OK);
        let params = Params(p);
        set(p, Opt::ClientId, "app");
        set(p, Opt::AuthUrl, "http://127.0.0.1:9/auth");
        if let Some(stub) = &stub {
            set(p, Opt::TokenUrl, &stub.url("/token"));
        }
        set(p, Opt::RedirectUrl, "http://127.0.0.1:0/callback");
        set(p, Opt::HttpTimeout, "2");
        let logins = Box::new(AtomicUsize::new(0));
        let counter = &*logins as *const AtomicUsize as *mut c_void;
        assert_eq!(
            unsafe { auth_params_set_open_url(p, Some(count_login), counter) },
            auth_result::AUTH_OK
        );
        if let Some(json) = first {
            save_token(&params, json, &path);
        }
        let session = new_session(&params, Some(&path));
        StubSession {
            dir,
            path,
            params,
            logins,
            session,
            _stub: stub,
        }
    }

    /// `auth_session_token`: the access token, or the result code.
    fn token(&self, min_valid: i64) -> Result<String, auth_result> {
        let mut t = std::ptr::null_mut();
        match unsafe { auth_session_token(self.session, min_valid, &mut t) } {
            auth_result::AUTH_OK => {
                let v = value(t);
                unsafe { auth_token_free(t) };
                Ok(v)
            }
            code => Err(code),
        }
    }

    fn logins(&self) -> usize {
        self.logins.load(Ordering::SeqCst)
    }
}

impl Drop for StubSession {
    fn drop(&mut self) {
        unsafe { auth_session_free(self.session) };
    }
}

/// Saves the token of `json` (imported with `params`, so refreshable at its token endpoint).
fn save_token(params: &Params, json: &str, path: &Path) {
    let json = CString::new(json).unwrap();
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_import_token(params.0, json.as_ptr(), &mut t) },
        auth_result::AUTH_OK
    );
    let p = CString::new(path.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { auth_token_save(t, p.as_ptr()) },
        auth_result::AUTH_OK
    );
    unsafe { auth_token_free(t) };
}

/// The token the file starts with: valid for 60 s more, refresh token r0.
const T0: &str = r#"{"access_token":"a0","refresh_token":"r0","expires_in":60}"#;

/// A stub token endpoint: `r0` is answered invalid_grant after another process saved `next`
/// in the file (the rotation this session lost); `r1`, the refresh token of `next`, as `r1`
/// says.
fn rotated_elsewhere(next: &'static str, r1: Reply) -> impl FnOnce(&Path, &Path) -> Option<Stub> {
    move |path: &Path, dir: &Path| {
        let (path, staged) = (path.to_owned(), dir.join("staged.bin"));
        let params = Params({
            let mut p = std::ptr::null_mut();
            assert_eq!(auth_params_new(auth_kind(0), &mut p), auth_result::AUTH_OK);
            p
        });
        let stub = Stub::start(Arc::new(move |r: &SeenRequest| {
            if r.body.contains("refresh_token=r0") {
                std::fs::rename(&staged, &path).expect("the other process saves its token");
                Reply::json(400, r#"{"error":"invalid_grant"}"#)
            } else if r.body.contains("refresh_token=r1") {
                r1.clone()
            } else {
                Reply::json(400, r#"{"error":"invalid_grant"}"#)
            }
        }));
        set(params.0, Opt::ClientId, "app");
        set(params.0, Opt::TokenUrl, &stub.url("/token"));
        save_token(&params, next, &dir.join("staged.bin"));
        Some(stub)
    }
}

const A2: &str = r#"{"access_token":"a2","refresh_token":"r2","expires_in":7200}"#;

/// invalid_grant, and the file holds a newer token valid long enough: it is taken as is.
#[test]
fn after_invalid_grant_a_newer_valid_token_in_the_file_is_taken() {
    let next = r#"{"access_token":"a1","refresh_token":"r1","expires_in":7200}"#;
    let s = StubSession::new(Some(T0), rotated_elsewhere(next, Reply::json(200, A2)));
    assert_eq!(s.token(3600), Ok("a1".to_owned()), "{}", last_error());
    assert_eq!(s.logins(), 0);
    assert_eq!(s._stub.as_ref().unwrap().requests(), 1, "no second refresh");
}

/// invalid_grant, and the file holds a newer token that is not valid long enough: it is
/// refreshed, once.
#[test]
fn after_invalid_grant_a_newer_token_in_the_file_is_refreshed() {
    let next = r#"{"access_token":"a1","refresh_token":"r1","expires_in":60}"#;
    let s = StubSession::new(Some(T0), rotated_elsewhere(next, Reply::json(200, A2)));
    assert_eq!(s.token(3600), Ok("a2".to_owned()), "{}", last_error());
    assert_eq!(s.logins(), 0);
    assert_eq!(s._stub.as_ref().unwrap().requests(), 2);
}

/// invalid_grant for the file's newer token too: the session is over, the user logs in.
#[test]
fn after_invalid_grant_twice_the_user_logs_in() {
    let next = r#"{"access_token":"a1","refresh_token":"r1","expires_in":60}"#;
    let refused = Reply::json(400, r#"{"error":"invalid_grant"}"#);
    let s = StubSession::new(Some(T0), rotated_elsewhere(next, refused));
    assert!(s.token(3600).is_err(), "the login is refused here");
    assert_eq!(s.logins(), 1, "a login was started");
}

/// invalid_grant, then the network fails for the file's newer token: that error, no login.
#[test]
fn after_invalid_grant_a_network_failure_is_reported() {
    let next = r#"{"access_token":"a1","refresh_token":"r1","expires_in":60}"#;
    let s = StubSession::new(Some(T0), rotated_elsewhere(next, Reply::Close));
    assert_eq!(s.token(3600), Err(Code::Network.into()), "{}", last_error());
    assert_eq!(s.logins(), 0);
}

/// The network fails while the current token is still valid: it is given, no login.
#[test]
fn a_network_failure_keeps_the_current_token_while_it_is_valid() {
    let s = StubSession::new(Some(T0), |_, _| Some(Stub::replying(Reply::Close)));
    assert_eq!(s.token(3600), Ok("a0".to_owned()), "{}", last_error());
    assert_eq!(s.logins(), 0);
}

/// A token that cannot be refreshed (imported without a token endpoint): a login.
#[test]
fn a_token_that_cannot_be_refreshed_leads_to_a_login() {
    let s = StubSession::new(None, |_, _| None);
    // Saved without parameters: it has a refresh token but no token endpoint.
    let json = CString::new(T0).unwrap();
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_import_token(std::ptr::null(), json.as_ptr(), &mut t) },
        auth_result::AUTH_OK
    );
    let p = CString::new(s.path.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { auth_token_save(t, p.as_ptr()) },
        auth_result::AUTH_OK
    );
    unsafe { auth_token_free(t) };
    assert!(s.token(3600).is_err(), "the login is refused here");
    assert_eq!(s.logins(), 1, "a login was started");
}

/// The lock's folder (and the token's) is made, private, when missing.
#[test]
fn a_session_in_a_missing_folder_makes_it_private() {
    let s = StubSession::new(None, |_, _| None);
    let path = s.dir.path().join("a/b/session.bin");
    let session = new_session(&s.params, Some(&path));
    let mut t = std::ptr::null_mut();
    assert_ne!(
        unsafe { auth_session_token(session, 60, &mut t) },
        auth_result::AUTH_OK,
        "no token: the login is refused here"
    );
    unsafe { auth_session_free(session) };
    assert_eq!(
        s.logins(),
        1,
        "the folder and lock were made, then the login started"
    );
    let folder = path.parent().unwrap();
    assert!(authtoken_core::session::file_lock::lock_path(&path).exists());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(folder).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

/// Logout: a session whose file was never written logs out fine; a file that cannot be
/// deleted is an I/O error.
#[test]
fn logout_without_a_file_succeeds_and_an_undeletable_one_is_an_io_error() {
    let s = StubSession::new(None, |_, _| None);
    assert_eq!(
        unsafe { auth_session_logout(s.session) },
        auth_result::AUTH_OK,
        "{}",
        last_error()
    );
    // A folder where the token file should be: it cannot be removed as a file.
    let folder = s.dir.path().join("folder.bin");
    std::fs::create_dir(&folder).unwrap();
    let session = new_session(&s.params, Some(&folder));
    assert_eq!(
        unsafe { auth_session_logout(session) },
        Code::Io,
        "{}",
        last_error()
    );
    unsafe { auth_session_free(session) };
}

/// The Rust API's view of a session: its store (the file), and the token it holds.
#[test]
fn the_rust_session_reports_its_store_and_current_token() {
    let s = StubSession::new(Some(T0), |_, _| None);
    let session = authtoken_core::Session::new(
        authtoken_core::Params::new(authtoken_core::Kind::OAuth2),
        Some(&s.path),
    )
    .unwrap();
    let store = session.store().expect("a file store");
    assert_eq!(store.describe(), format!("'{}'", s.path.display()));
    let current = session.current().expect("the file's token");
    assert_eq!(current.access_token().expose(), "a0");
}

static LOG: Mutex<Vec<(c_int, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn keep_log(_: *mut c_void, level: c_int, message: *const c_char) {
    let message = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    LOG.lock().unwrap().push((level, message));
}

/// What the log says (each line naming what it is about): a missing token file is no news, a
/// corrupt one is a warning; a provider without revocation endpoint is information.
#[test]
fn the_log_says_what_matters() {
    authtoken::log::auth_set_log_callback(Some(keep_log), std::ptr::null_mut(), 3);
    let lines_about = |what: &str| -> Vec<(c_int, String)> {
        LOG.lock()
            .unwrap()
            .iter()
            .filter(|(_, m)| m.contains(what))
            .cloned()
            .collect()
    };
    let dir = tempfile::tempdir().unwrap();
    let params = StubSession::new(None, |_, _| None);
    let missing = dir.path().join("missing.bin");
    unsafe { auth_session_free(new_session(&params.params, Some(&missing))) };
    assert_eq!(lines_about(missing.to_str().unwrap()), []);
    let corrupt = dir.path().join("corrupt.bin");
    std::fs::write(&corrupt, b"not a token").unwrap();
    unsafe { auth_session_free(new_session(&params.params, Some(&corrupt))) };
    let lines = lines_about(corrupt.to_str().unwrap());
    assert!(
        lines
            .iter()
            .any(|(level, m)| *level == 2 && m.contains("cannot be used")),
        "{lines:?}"
    );
    // Logout revokes the session's token, which has no revocation endpoint, and the file's,
    // whose revocation endpoint does not answer: each a warning that the grant is still live,
    // the second naming the endpoint.
    let s = StubSession::new(Some(T0), |_, _| None);
    let refusing = RefusingPort::new();
    set(s.params.0, Opt::RevocationUrl, &refusing.url("/revoke"));
    save_token(&s.params, T0, &s.path);
    assert_eq!(
        unsafe { auth_session_logout(s.session) },
        auth_result::AUTH_OK
    );
    let lines = lines_about("no revocation endpoint");
    assert!(
        lines
            .iter()
            .any(|(level, m)| *level == 2 && m.contains("still live")),
        "{lines:?}"
    );
    let lines = lines_about(&refusing.url("/revoke"));
    assert!(
        lines
            .iter()
            .any(|(level, m)| *level == 2 && m.contains("revocation failed")),
        "{lines:?}"
    );
}
