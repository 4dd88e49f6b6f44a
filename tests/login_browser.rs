//! Interactive logins against a real oidc-provider with a real browser (Debian chromium via
//! playwright-core) playing the user: it fills the provider's login and consent pages and
//! follows the redirect to the library's loopback listener.

mod support;

use authtoken_core::cancel::Canceller;
use authtoken_core::config::{Kind, ParamOption, Params};
use authtoken_core::error::ErrorKind;
use authtoken_core::login::identify::{identify_with, verify_authentication_with};
use std::time::Instant;
use support::browser::{BrowserUser, driver, provider};
use url::Url;

fn param(url: &str, name: &str) -> String {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn openid(client_id: &str) -> Params {
    let mut p = Params::new(Kind::OpenId);
    p.set(ParamOption::ClientId, client_id).unwrap();
    p.set(ParamOption::ConfigurationUrl, &provider().issuer)
        .unwrap();
    p.set(ParamOption::Scope, "email offline_access").unwrap();
    p.set(ParamOption::LoginTimeout, "120").unwrap();
    // The path the test clients register (any port).
    p.set(ParamOption::RedirectUrl, "http://127.0.0.1:0/callback")
        .unwrap();
    p
}

fn conf() -> Params {
    let mut p = openid("conf-post");
    p.set(ParamOption::ClientSecret, "post-secret-123").unwrap();
    p
}

#[test]
fn openid_with_discovery_in_the_browser() {
    let _serial = one_at_a_time();
    let p = conf();
    let user = BrowserUser::new("approve");
    let started = Instant::now();
    let result = identify_with(&p, &user, &Canceller::new().watch());
    let elapsed = started.elapsed();
    let report = user.last_report();
    assert_eq!(report["ok"], true, "{report}");
    let url = user.urls.lock().unwrap()[0].clone();
    assert!(url.starts_with(&format!("{}/auth?", provider().issuer)));
    assert_eq!(param(&url, "scope"), "openid email offline_access");
    assert!(!param(&url, "nonce").is_empty());
    let redirect = param(&url, "redirect_uri");
    assert!(
        report["final"].as_str().unwrap().starts_with(&redirect),
        "the browser came back to the listener: {report}"
    );
    let t = result.unwrap_or_else(|e| panic!("{e:?}"));
    eprintln!("browser login (OpenID, discovery, cold start) took {elapsed:?}");
    assert!(!t.access_token().is_empty());
    assert!(t.refresh_token().is_some());
    assert!(t.id_token().is_some());
    let claims: serde_json::Value = serde_json::from_str(t.id_token_claims().unwrap()).unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["nonce"].as_str().unwrap(), param(&url, "nonce"));
    assert_eq!(
        t.context().endpoints().token(),
        Some(format!("{}/token", provider().issuer).as_str())
    );
    assert!(
        report["text"]
            .as_str()
            .unwrap()
            .contains("close this window")
    );
}

#[test]
fn oauth2_with_explicit_urls_and_pkce_on_a_public_client() {
    let _serial = one_at_a_time();
    let issuer = &provider().issuer;
    let mut p = Params::new(Kind::OAuth2);
    p.set(ParamOption::ClientId, "public-app").unwrap();
    p.set(ParamOption::AuthUrl, &format!("{issuer}/auth"))
        .unwrap();
    p.set(ParamOption::TokenUrl, &format!("{issuer}/token"))
        .unwrap();
    p.set(ParamOption::Scope, "api:read offline_access")
        .unwrap();
    p.set(ParamOption::RedirectUrl, "http://localhost:0/callback")
        .unwrap();
    p.set(ParamOption::LoginTimeout, "120").unwrap();
    let user = BrowserUser::new("approve");
    let result = identify_with(&p, &user, &Canceller::new().watch());
    let report = user.last_report();
    assert_eq!(report["ok"], true, "{report}");
    let url = user.urls.lock().unwrap()[0].clone();
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    assert_eq!(param(&url, "nonce"), "", "no nonce without openid");
    assert!(param(&url, "redirect_uri").starts_with("http://localhost:"));
    let t = result.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!t.access_token().is_empty());
    assert!(t.id_token().is_none(), "no ID token without openid");
    assert!(t.refresh_token().is_some());
}

#[test]
fn consent_refused_is_access_denied() {
    let _serial = one_at_a_time();
    let p = conf();
    let user = BrowserUser::new("deny");
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e:?}");
    assert_eq!(e.oauth_error(), "access_denied");
    let report = user.last_report();
    assert!(report["text"].as_str().unwrap().contains("Sign-in failed"));
}

#[test]
fn provider_error_redirect_is_oauth_with_its_error() {
    let _serial = one_at_a_time();
    // plain PKCE is refused by oidc-provider (only S256): it redirects with invalid_request.
    assert_refused_with_pkce("plain");
}

/// A public client login with `AUTH_OPT_PKCE` = `pkce`, which the provider refuses by
/// redirecting with `invalid_request`: the library reports OAuth with that error.
fn assert_refused_with_pkce(pkce: &str) {
    let mut p = openid("public-app");
    p.set(ParamOption::Pkce, pkce).unwrap();
    let user = BrowserUser::new("approve");
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OAuth, "{e:?}");
    assert_eq!(e.oauth_error(), "invalid_request");
    user.last_report();
}

#[test]
fn implicit_fragment_is_posted_back_by_the_real_browser() {
    let _serial = one_at_a_time();
    // oidc-provider does not offer response_type=token alone, so the browser is sent to the
    // listener with the fragment an implicit provider would send.
    struct Implicit;
    impl authtoken_core::config::UserAgent for Implicit {
        fn open_url(&self, url: &str) -> authtoken_core::error::Result<()> {
            let redirect = param(url, "redirect_uri");
            let state = param(url, "state");
            let target = format!(
                "{redirect}#access_token=implicit-AT&token_type=Bearer&expires_in=120&state={state}"
            );
            std::thread::spawn(move || {
                let r = driver().visit(&target, "visit", None).wait();
                assert_eq!(r["ok"], true, "{r}");
                assert!(
                    r["text"].as_str().unwrap().contains("close this window"),
                    "{r}"
                );
            });
            Ok(())
        }
        fn device_prompt(
            &self,
            _: &authtoken_core::config::DevicePrompt,
        ) -> authtoken_core::error::Result<()> {
            unreachable!()
        }
    }
    let mut p = Params::new(Kind::OAuth2);
    p.set(ParamOption::ClientId, "app").unwrap();
    p.set(ParamOption::AuthUrl, &format!("{}/auth", provider().issuer))
        .unwrap();
    p.set(ParamOption::ResponseType, "token").unwrap();
    p.set(ParamOption::LoginTimeout, "120").unwrap();
    let t = identify_with(&p, &Implicit, &Canceller::new().watch()).unwrap();
    assert_eq!(t.access_token().expose(), "implicit-AT");
}

#[test]
fn silent_login_without_a_session_is_access_denied_login_required() {
    let _serial = one_at_a_time();
    let mut p = openid("web-silent");
    p.set(ParamOption::ClientSecret, "web-secret-0123456789")
        .unwrap();
    p.set(
        ParamOption::RedirectUrl,
        &format!("http://127.0.0.1:{}/silent", provider().silent_port),
    )
    .unwrap();
    let _turn = SILENT_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let user = BrowserUser::new("visit");
    let e = verify_authentication_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e:?}");
    assert_eq!(e.oauth_error(), "login_required");
    let url = user.urls.lock().unwrap()[0].clone();
    assert_eq!(param(&url, "prompt"), "none");
    user.last_report();
}

#[test]
fn silent_login_after_a_login_in_the_same_browser() {
    let _serial = one_at_a_time();
    let mut p = openid("web-silent");
    p.set(ParamOption::ClientSecret, "web-secret-0123456789")
        .unwrap();
    p.set(
        ParamOption::RedirectUrl,
        &format!("http://127.0.0.1:{}/silent", provider().silent_port),
    )
    .unwrap();
    // The fixed port is shared with the test above: take turns.
    let _turn = SILENT_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let first = BrowserUser::new("approve").in_session("silent");
    identify_with(&p, &first, &Canceller::new().watch()).unwrap();
    first.last_report();
    let again = BrowserUser::new("visit").in_session("silent");
    let r = verify_authentication_with(&p, &again, &Canceller::new().watch());
    let report = again.last_report();
    assert_eq!(report["ok"], true, "{report}");
    let t = r.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!t.access_token().is_empty());
    assert!(t.id_token_claims().unwrap().contains("\"alice\""));
}

static SILENT_PORT: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn device_flow_approved_in_the_browser() {
    let _serial = one_at_a_time();
    let mut p = openid("public-app");
    p.set(ParamOption::Flow, "device").unwrap();
    let user = BrowserUser::new("approve");
    let result = identify_with(&p, &user, &Canceller::new().watch());
    let prompt = user.prompts.lock().unwrap()[0].clone();
    assert!(prompt.verification_uri.starts_with(&provider().issuer));
    assert!(!prompt.user_code.is_empty());
    assert!(prompt.expires_in > 0);
    let report = user.last_report();
    assert_eq!(report["ok"], true, "{report}");
    let t = result.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!t.access_token().is_empty());
    assert!(t.id_token_claims().unwrap().contains("\"alice\""));
}

#[test]
fn device_flow_denied_in_the_browser() {
    let _serial = one_at_a_time();
    let mut p = openid("public-app");
    p.set(ParamOption::Flow, "device").unwrap();
    let user = BrowserUser::new("deny");
    let result = identify_with(&p, &user, &Canceller::new().watch());
    let report = user.last_report();
    assert_eq!(report["ok"], true, "{report}");
    let e = result.expect_err("a refused device login gave a token");
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e:?}");
    assert_eq!(e.oauth_error(), "access_denied");
}

#[test]
fn two_browser_logins_at_once() {
    let _serial = one_at_a_time();
    let run = || {
        std::thread::spawn(|| {
            let user = BrowserUser::new("deny");
            let e = identify_with(&conf(), &user, &Canceller::new().watch()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e:?}");
            user.last_report();
            let url = user.urls.lock().unwrap()[0].clone();
            param(&url, "redirect_uri")
        })
    };
    let (a, b) = (run(), run());
    assert_ne!(a.join().unwrap(), b.join().unwrap());
}

#[test]
fn logout_comes_back_to_the_listener() {
    let _serial = one_at_a_time();
    use authtoken_core::config::ClientContext;
    use authtoken_core::login::logout::{LogoutOptions, logout_async as logout};
    use authtoken_core::token::{Token, parse_token_response};
    let p = openid("public-app");
    let (ctx, _) = authtoken_core::transport::http::block_on(
        authtoken_core::provider::discovery::resolve(&ClientContext::from_params(&p)),
    )
    .unwrap();
    assert!(ctx.endpoints().end_session().is_some());
    let answer = parse_token_response(r#"{"access_token":"x"}"#, 200).unwrap();
    let token = Token::from_response(answer, ctx);
    let user = BrowserUser::new("approve");
    authtoken_core::transport::http::block_on(logout(
        &token,
        &LogoutOptions {
            redirect_url: "http://127.0.0.1:0/callback".into(),
            timeout: std::time::Duration::from_secs(45),
        },
        &user,
        &Canceller::new().watch(),
    ))
    .unwrap();
    let report = user.last_report();
    assert!(
        report["text"].as_str().unwrap().contains("Signed out"),
        "{report}"
    );
    let url = user.urls.lock().unwrap()[0].clone();
    assert_eq!(param(&url, "client_id"), "public-app");
    // No end-session endpoint: Unsupported.
    let bare = Token::import(None, r#"{"access_token":"x"}"#).unwrap();
    let e = authtoken_core::transport::http::block_on(logout(
        &bare,
        &LogoutOptions::default(),
        &user,
        &Canceller::new().watch(),
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}

#[test]
fn public_client_without_pkce_is_refused_by_the_provider() {
    let _serial = one_at_a_time();
    assert_refused_with_pkce("none");
}

/// One full login in the browser once the provider and the browser are up (run alone with
/// `--nocapture` to read the time: other tests share the two cores).
#[test]
fn browser_login_time() {
    let _serial = one_at_a_time();
    let p = openid("public-app");
    // Warm up: provider, browser, discovery cache.
    let user = BrowserUser::new("approve");
    identify_with(&p, &user, &Canceller::new().watch()).unwrap();
    user.last_report();
    let user = BrowserUser::new("approve");
    let started = Instant::now();
    let t = identify_with(&p, &user, &Canceller::new().watch()).unwrap();
    let elapsed = started.elapsed();
    let report = user.last_report();
    assert!(t.id_token_claims().is_some());
    eprintln!(
        "one full browser login (open URL, login page, consent, redirect, code exchange, ID token): {:.0} ms (browser side {} ms)",
        elapsed.as_secs_f64() * 1000.0,
        report["ms"]
    );
}

#[test]
fn logout_after_a_login_sends_the_id_token_hint() {
    let _serial = one_at_a_time();
    use authtoken_core::login::logout::{LogoutOptions, logout_async as logout};
    let p = openid("public-app");
    let user = BrowserUser::new("approve").in_session("logout");
    let token = identify_with(&p, &user, &Canceller::new().watch()).unwrap();
    user.last_report();
    let out = BrowserUser::new("approve").in_session("logout");
    authtoken_core::transport::http::block_on(logout(
        &token,
        &LogoutOptions {
            redirect_url: "http://localhost:0/callback".into(),
            timeout: std::time::Duration::from_secs(45),
        },
        &out,
        &Canceller::new().watch(),
    ))
    .unwrap();
    let report = out.last_report();
    assert!(
        report["text"].as_str().unwrap().contains("Signed out"),
        "{report}"
    );
    let url = out.urls.lock().unwrap()[0].clone();
    assert_eq!(
        param(&url, "id_token_hint"),
        token.id_token().as_ref().unwrap().expose()
    );
    assert!(param(&url, "post_logout_redirect_uri").starts_with("http://localhost:"));
}

unsafe extern "C" fn browser_callback(
    _: *mut std::ffi::c_void,
    url: *const std::ffi::c_char,
) -> std::ffi::c_int {
    let url = unsafe { std::ffi::CStr::from_ptr(url) }
        .to_string_lossy()
        .into_owned();
    std::thread::spawn(move || {
        let r = driver().visit(&url, "approve", Some("ffi")).wait();
        assert_eq!(r["ok"], true, "{r}");
    });
    0
}

#[test]
fn c_api_identify_then_logout_with_params_in_the_browser() {
    let _serial = one_at_a_time();
    use authtoken::identify::auth_identify;
    use authtoken::last_error::auth_last_error;
    use authtoken::login::auth_logout_with_params;
    use authtoken::params::{
        auth_kind, auth_option, auth_params_free, auth_params_new, auth_params_set,
        auth_params_set_open_url,
    };
    use authtoken::result::auth_result;
    use authtoken::token::{auth_token_free, auth_token_id_token};
    use std::ffi::{CStr, CString};
    let err = || {
        unsafe { CStr::from_ptr(auth_last_error()) }
            .to_string_lossy()
            .into_owned()
    };
    let mut p = std::ptr::null_mut();
    assert_eq!(auth_params_new(auth_kind(1), &mut p), auth_result::AUTH_OK);
    for (opt, v) in [
        (9, provider().issuer.as_str()),
        (1, "public-app"),
        (6, "http://127.0.0.1:0/callback"),
        (11, "45"),
    ] {
        let v = CString::new(v).unwrap();
        assert_eq!(
            unsafe { auth_params_set(p, auth_option(opt), v.as_ptr()) },
            auth_result::AUTH_OK
        );
    }
    unsafe { auth_params_set_open_url(p, Some(browser_callback), std::ptr::null_mut()) };
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_identify(p, &mut t) },
        auth_result::AUTH_OK,
        "{}",
        err()
    );
    let id = unsafe { CStr::from_ptr(auth_token_id_token(t)) };
    assert!(!id.to_bytes().is_empty());
    assert_eq!(
        unsafe { auth_logout_with_params(p, t) },
        auth_result::AUTH_OK,
        "{}",
        err()
    );
    unsafe {
        auth_token_free(t);
        auth_params_free(p);
    }
}

/// The browser tests share one chromium and one provider: one at a time keeps each test's
/// timing its own (run side by side, a device login missed its deadline now and then).
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}
