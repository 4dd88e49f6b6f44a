//! The C API of the login: `auth_login_begin/url/complete/free`, `auth_identify` with the
//! open-URL and device-prompt callbacks, `auth_params_cancel`, `auth_verify_authentication`,
//! `auth_logout`. The user is played over plain HTTP through the real provider's pages
//! (tests/support `login_over_http`), which is fast; the browser tests are in login_browser.rs.

mod support;

use authtoken::identify::{auth_identify, auth_verify_authentication};
use authtoken::last_error::{auth_last_error, auth_last_oauth_error};
use authtoken::login::{
    auth_login, auth_login_begin, auth_login_complete, auth_login_free, auth_login_url, auth_logout,
};
use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_cancel, auth_params_free, auth_params_new,
    auth_params_set, auth_params_set_device_prompt, auth_params_set_open_url,
};
use authtoken::result::auth_result;
use authtoken::token::{
    auth_import_token, auth_token, auth_token_free, auth_token_id_token, auth_token_value,
};
use authtoken_core::ErrorKind as Code;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::OnceLock;
use std::time::Duration;
use support::Provider;
use url::Url;

fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start("{}"))
}

fn text(p: *const c_char) -> String {
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn last_error() -> String {
    text(auth_last_error())
}

/// OpenID params for `conf-post` on the test provider, plus `extra` options.
fn params(extra: &[(u32, &str)]) -> *mut auth_params {
    let mut p = std::ptr::null_mut();
    assert_eq!(auth_params_new(auth_kind(1), &mut p), auth_result::AUTH_OK);
    let issuer = provider().issuer.clone();
    let mut all: Vec<(u32, String)> = vec![
        (9, issuer),
        (1, "conf-post".into()),
        (2, "post-secret-123".into()),
        (5, "email".into()),
        (6, "http://127.0.0.1:0/callback".into()),
        (11, "30".into()),
    ];
    all.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    for (opt, v) in all {
        let v = CString::new(v).unwrap();
        let r = unsafe { auth_params_set(p, auth_option(opt), v.as_ptr()) };
        assert_eq!(r, auth_result::AUTH_OK, "option {opt}: {}", last_error());
    }
    p
}

fn param(url: &str, name: &str) -> String {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn begin(p: *const auth_params) -> (*mut auth_login, String) {
    let mut login = std::ptr::null_mut();
    let r = unsafe { auth_login_begin(p, &mut login) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    (login, text(auth_login_url(login)))
}

fn complete(login: *const auth_login, url: &str) -> (auth_result, *mut auth_token) {
    let url = CString::new(url).unwrap();
    let mut token = std::ptr::null_mut();
    let r = unsafe { auth_login_complete(login, url.as_ptr(), &mut token) };
    (r, token)
}

#[test]
fn two_step_login_with_a_custom_scheme_redirect() {
    // A redirect the host receives itself (here: never listened on; the provider accepts any
    // port on 127.0.0.1/callback for native clients).
    let p = params(&[(6, "http://127.0.0.1:9/callback")]);
    let (login, url) = begin(p);
    assert_eq!(param(&url, "redirect_uri"), "http://127.0.0.1:9/callback");
    let back = support::login_over_http(&url);
    assert!(
        back.starts_with("http://127.0.0.1:9/callback?code="),
        "{back}"
    );
    // A forged answer first: wrong state, nothing exchanged, the real code still works after.
    let forged = back.replace(&format!("state={}", param(&back, "state")), "state=forged");
    let (r, t) = complete(login, &forged);
    assert_eq!(r, Code::StateMismatch, "{}", last_error());
    assert!(t.is_null());
    // A mix-up: the provider advertises RFC 9207, so another iss is refused the same way.
    let iss =
        url::form_urlencoded::byte_serialize(provider().issuer.as_bytes()).collect::<String>();
    let (r, _) = complete(login, &back.replace(&iss, "https%3A%2F%2Fevil.example"));
    assert_eq!(r, Code::StateMismatch, "{}", last_error());
    let (r, t) = complete(login, &back);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert!(!text(unsafe { auth_token_value(t) }).is_empty());
    assert!(!text(unsafe { auth_token_id_token(t) }).is_empty());
    unsafe {
        auth_token_free(t);
        auth_login_free(login);
        auth_params_free(p);
    }
}

/// Options 40–43 reach the provider (oidc-provider honours `max_age` and `login_hint`, and
/// answers with `auth_time`), and the ID token's `auth_time` is checked against `max_age`.
#[test]
fn acr_values_max_age_prompt_and_login_hint_reach_the_provider() {
    let p = params(&[
        (40, "urn:example:loa:1  urn:example:loa:2"),
        (41, "600"),
        (42, "login consent"),
        (43, "alice@example.com"),
        (8, "prompt=select_account&ui_locales=fr"),
    ]);
    let (login, url) = begin(p);
    assert_eq!(
        param(&url, "acr_values"),
        "urn:example:loa:1 urn:example:loa:2"
    );
    assert_eq!(param(&url, "max_age"), "600");
    assert_eq!(param(&url, "login_hint"), "alice@example.com");
    // The option replaces the additional parameter of the same name; the others stay.
    let prompts: Vec<String> = Url::parse(&url)
        .unwrap()
        .query_pairs()
        .filter(|(k, _)| k == "prompt")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(prompts, ["login consent"]);
    assert_eq!(param(&url, "ui_locales"), "fr");
    let back = support::login_over_http(&url);
    let (r, t) = complete(login, &back);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    let claims = support::capi::jwt_claims(&text(unsafe { auth_token_id_token(t) }));
    let auth_time = claims["auth_time"]
        .as_i64()
        .expect("auth_time with max_age");
    let now = authtoken_core::clock::unix_now();
    assert!(
        (now - 60..=now + 5).contains(&auth_time),
        "{auth_time} vs {now}"
    );
    unsafe {
        auth_token_free(t);
        auth_login_free(login);
        auth_params_free(p);
    }
    // `none` is the silent sign-in's, and unknown prompts are refused when set.
    let p = params(&[]);
    for bad in ["none", "login none", "sometimes", ""] {
        let v = CString::new(bad).unwrap();
        let r = unsafe { auth_params_set(p, auth_option(42), v.as_ptr()) };
        assert_eq!(r, Code::InvalidArgument, "{bad:?}");
        assert!(last_error().contains("AUTH_OPT_PROMPT"), "{}", last_error());
    }
    for bad in ["-1", "soon", "1.5"] {
        let v = CString::new(bad).unwrap();
        let r = unsafe { auth_params_set(p, auth_option(41), v.as_ptr()) };
        assert_eq!(r, Code::InvalidArgument, "{bad:?}");
    }
    unsafe { auth_params_free(p) };
}

#[test]
fn two_step_login_needs_a_redirect_url_and_maps_errors() {
    let p = params(&[]);
    let none = std::ptr::null();
    let r = unsafe { auth_params_set(p, auth_option(6), none) };
    assert_eq!(r, auth_result::AUTH_OK);
    let mut login = std::ptr::null_mut();
    let r = unsafe { auth_login_begin(p, &mut login) };
    assert_eq!(r, Code::InvalidArgument);
    assert!(login.is_null());
    assert!(last_error().contains("AUTH_OPT_REDIRECT_URL"));
    let p2 = params(&[(6, "com.example.app:/oauth")]);
    let (login, url) = begin(p2);
    let state = param(&url, "state");
    let iss =
        url::form_urlencoded::byte_serialize(provider().issuer.as_bytes()).collect::<String>();
    let (r, _) = complete(
        login,
        &format!("com.example.app:/oauth?error=access_denied&state={state}&iss={iss}"),
    );
    assert_eq!(r, Code::AccessDenied);
    assert_eq!(text(auth_last_oauth_error()), "access_denied");
    let (r, _) = complete(
        login,
        &format!("com.example.app:/oauth?error=server_error&state={state}&iss={iss}"),
    );
    assert_eq!(r, Code::OAuth);
    assert_eq!(text(auth_last_oauth_error()), "server_error");
    let (r, _) = complete(login, "com.example.app:/oauth?code=x");
    assert_eq!(r, Code::StateMismatch);
    let bad = [0xffu8, 0];
    let mut t = std::ptr::null_mut();
    let r = unsafe { auth_login_complete(login, bad.as_ptr().cast(), &mut t) };
    assert_eq!(r, Code::InvalidArgument);
    assert_eq!(text(auth_login_url(std::ptr::null())), "");
    unsafe {
        auth_login_free(login);
        auth_login_free(std::ptr::null_mut());
        auth_params_free(p);
        auth_params_free(p2);
    }
}

/// The open-URL callback of a host whose "browser" is `login_over_http` on another thread,
/// which then follows the redirect to the library's listener.
unsafe extern "C" fn play_user(_: *mut c_void, url: *const c_char) -> c_int {
    let url = text(url);
    std::thread::spawn(move || {
        let back = support::login_over_http(&url);
        let target = Url::parse(&back).unwrap();
        let addr = format!("127.0.0.1:{}", target.port().unwrap());
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        use std::io::{Read, Write};
        let path = &back[back.find("/callback").unwrap()..];
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    });
    0
}

unsafe extern "C" fn refuse(_: *mut c_void, _: *const c_char) -> c_int {
    7
}

#[test]
fn identify_with_the_open_url_callback() {
    let p = params(&[]);
    assert_eq!(
        unsafe { auth_params_set_open_url(p, Some(play_user), std::ptr::null_mut()) },
        auth_result::AUTH_OK
    );
    let mut t = std::ptr::null_mut();
    let r = unsafe { auth_identify(p, &mut t) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert!(!text(unsafe { auth_token_id_token(t) }).is_empty());
    unsafe { auth_token_free(t) };
    // A callback that says no: Cancelled, and nothing listens any more.
    assert_eq!(
        unsafe { auth_params_set_open_url(p, Some(refuse), std::ptr::null_mut()) },
        auth_result::AUTH_OK
    );
    let r = unsafe { auth_identify(p, &mut t) };
    assert_eq!(r, Code::Cancelled);
    assert!(t.is_null());
    unsafe { auth_params_free(p) };
}

unsafe extern "C" fn do_nothing(_: *mut c_void, _: *const c_char) -> c_int {
    0
}

#[test]
fn cancel_from_another_thread_and_https_redirect() {
    let p = params(&[]);
    unsafe { auth_params_set_open_url(p, Some(do_nothing), std::ptr::null_mut()) };
    struct Shared(*mut auth_params);
    unsafe impl Send for Shared {}
    let shared = Shared(p);
    let t = std::thread::spawn(move || {
        let s = shared;
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(unsafe { auth_params_cancel(s.0) }, auth_result::AUTH_OK);
    });
    let mut token = std::ptr::null_mut();
    let r = unsafe { auth_identify(p, &mut token) };
    t.join().unwrap();
    assert_eq!(r, Code::Cancelled, "{}", last_error());
    let https = CString::new("https://app.example/callback").unwrap();
    unsafe { auth_params_set(p, auth_option(6), https.as_ptr()) };
    let r = unsafe { auth_identify(p, &mut token) };
    assert_eq!(r, Code::Redirect, "{}", last_error());
    unsafe { auth_params_free(p) };
}

unsafe extern "C" fn refuse_device(
    user_data: *mut c_void,
    uri: *const c_char,
    code: *const c_char,
    complete: *const c_char,
    expires_in: i64,
) -> c_int {
    let seen = unsafe { &mut *(user_data as *mut Vec<String>) };
    seen.push(text(uri));
    seen.push(text(code));
    seen.push(text(complete));
    seen.push(expires_in.to_string());
    1
}

#[test]
fn device_prompt_callback_receives_the_code_and_can_cancel() {
    let p = params(&[(13, "device")]);
    let mut seen: Vec<String> = Vec::new();
    unsafe {
        auth_params_set_device_prompt(
            p,
            Some(refuse_device),
            (&mut seen as *mut Vec<String>).cast(),
        )
    };
    let mut t = std::ptr::null_mut();
    let r = unsafe { auth_identify(p, &mut t) };
    assert_eq!(r, Code::Cancelled, "{}", last_error());
    assert!(seen[0].starts_with(&provider().issuer), "{seen:?}");
    assert!(!seen[1].is_empty());
    assert!(seen[2].contains(&seen[1]) || seen[2].contains("user_code"));
    assert!(seen[3].parse::<i64>().unwrap() > 0);
    unsafe { auth_params_free(p) };
}

#[test]
fn verify_and_logout_argument_errors() {
    let mut t = std::ptr::null_mut();
    let r = unsafe { auth_verify_authentication(std::ptr::null(), &mut t) };
    assert_eq!(r, Code::InvalidArgument);
    assert_eq!(
        unsafe { auth_logout(std::ptr::null()) },
        Code::InvalidArgument
    );
    // An imported token knows no end-session endpoint.
    let json = CString::new(r#"{"access_token":"x"}"#).unwrap();
    let r = unsafe { auth_import_token(std::ptr::null(), json.as_ptr(), &mut t) };
    assert_eq!(r, auth_result::AUTH_OK);
    assert_eq!(unsafe { auth_logout(t) }, Code::Unsupported);
    unsafe { auth_token_free(t) };
}
