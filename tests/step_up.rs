//! Step-up authentication (RFC 9470) and `WWW-Authenticate` challenges through the C API
//! (`auth_step_up`, `auth_parse_challenge`), against oidc-provider configured with `acrValues`
//! (tests/provider/server.mjs gives a login the acr it asked for when it supports it): in the
//! browser (the user played over HTTP by the open-URL callback) and with CIBA.

mod support;

use authtoken::identify::auth_parse_challenge;
use authtoken::params::{auth_params, auth_params_set_open_url};
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::{Mutex, OnceLock};
use support::capi::{self, Code, Opt, Params};
use support::{CIBA_APP, CONF_POST, Provider};
use url::Url;

fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| {
        Provider::start(
            r#"{"acrValues":["urn:test:loa:1","urn:test:loa:2"],"ciba":{"interval":1}}"#,
        )
    })
}

/// The URLs the "browser" was sent to.
type Seen = Mutex<Vec<String>>;

/// The open-URL callback: records the URL, and a thread plays the user (login and consent over
/// HTTP, each time in a fresh browser), then follows the redirect to the library's listener.
unsafe extern "C" fn play_user(data: *mut c_void, url: *const c_char) -> c_int {
    // SAFETY: `data` is the `Seen` of the test, alive while the login runs; `url` is a string.
    let (seen, url) = unsafe {
        (
            &*(data as *const Seen),
            CStr::from_ptr(url).to_string_lossy().into_owned(),
        )
    };
    seen.lock().unwrap().push(url.clone());
    std::thread::spawn(move || {
        let back = support::login_over_http(&url);
        support::follow_redirect(&back);
    });
    0
}

/// OpenID params of `conf-post` in the browser, asking for the lowest acr themselves.
fn browser_params(seen: &Seen) -> Params {
    let p = Params::openid();
    p.set(Opt::ClientId, CONF_POST.id)
        .set(Opt::ClientSecret, CONF_POST.secret.unwrap())
        .set(Opt::ConfigurationUrl, &provider().issuer)
        .set(Opt::RedirectUrl, "http://127.0.0.1:0/callback")
        .set(Opt::LoginTimeout, "30")
        .set(Opt::AcrValues, "urn:test:loa:1")
        .set(Opt::MaxAge, "86400");
    // SAFETY: a live handle; `seen` outlives every login of the test.
    let r = unsafe {
        auth_params_set_open_url(
            p.as_ptr() as *mut auth_params,
            Some(play_user),
            seen as *const Seen as *mut c_void,
        )
    };
    assert_eq!(r, authtoken::result::auth_result::AUTH_OK);
    p
}

fn query(url: &str, name: &str) -> Option<String> {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

const STEP_UP: &str = r#"Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required""#;

#[test]
fn parse_challenge_gives_the_json_of_the_contract() {
    let json = |h: &str| -> serde_json::Value {
        serde_json::from_str(&capi::parse_challenge(h).unwrap_or_else(|f| panic!("{h}: {f:?}")))
            .unwrap()
    };
    assert_eq!(
        json(&format!("{STEP_UP}, acr_values=\"myACR\", Max_Age=5")),
        serde_json::json!([{"scheme": "Bearer", "params": {
            "realm": "api",
            "error": "insufficient_user_authentication",
            "error_description": "A different authentication level is required",
            "acr_values": "myACR",
            "max_age": "5",
        }}])
    );
    assert_eq!(
        json(
            r#"Newauth realm="apps", type=1, title="Login to \"apps\", now", Basic abc==, Negotiate"#
        ),
        serde_json::json!([
            {"scheme": "Newauth", "params": {"realm": "apps", "type": "1", "title": "Login to \"apps\", now"}},
            {"scheme": "Basic", "token68": "abc=="},
            {"scheme": "Negotiate", "params": {}},
        ])
    );
    for bad in [
        "",
        "realm=x",
        "Bearer realm=\"open",
        "Bearer a=1, A=2",
        "Bearer x y",
    ] {
        let f = capi::parse_challenge(bad).unwrap_err();
        assert_eq!(f.code, Code::InvalidArgument, "{bad:?}");
        assert!(f.message.contains("WWW-Authenticate"), "{}", f.message);
    }
    // NULL and invalid UTF-8.
    let mut out: *mut c_char = std::ptr::dangling_mut();
    assert_eq!(
        unsafe { auth_parse_challenge(std::ptr::null(), &mut out) },
        Code::InvalidArgument
    );
    assert!(out.is_null());
    let bad = [b'B', 0xff, 0];
    assert_eq!(
        unsafe { auth_parse_challenge(bad.as_ptr().cast(), &mut out) },
        Code::InvalidArgument
    );
    assert_eq!(
        unsafe { auth_parse_challenge(c"Basic".as_ptr(), std::ptr::null_mut()) },
        Code::InvalidArgument
    );
}

#[test]
fn step_up_in_the_browser_gets_the_acr_and_the_recent_login_asked_for() {
    let seen = Seen::default();
    let p = browser_params(&seen);
    let header = format!(r#"{STEP_UP}, acr_values="urn:test:loa:2", max_age=60"#);
    let t = capi::step_up(&p, &header).unwrap_or_else(|f| panic!("{f:?}"));
    let url = seen.lock().unwrap()[0].clone();
    // The challenge's values replace the params' own.
    assert_eq!(query(&url, "acr_values").as_deref(), Some("urn:test:loa:2"));
    assert_eq!(query(&url, "max_age").as_deref(), Some("60"));
    let claims = capi::jwt_claims(&t.id_token());
    assert_eq!(claims["acr"], "urn:test:loa:2");
    let auth_time = claims["auth_time"].as_i64().expect("auth_time");
    let now = authtoken_core::clock::unix_now();
    assert!(
        (now - 60..=now + 5).contains(&auth_time),
        "{auth_time} vs {now}"
    );
    assert_eq!(capi::read_identity(&t).unwrap().subject(), "alice");
    // A challenge with only max_age: the params' acr_values are sent, and not required.
    let t = capi::step_up(&p, &format!("{STEP_UP}, max_age=\"0\"")).unwrap();
    let url = seen.lock().unwrap()[1].clone();
    assert_eq!(query(&url, "acr_values").as_deref(), Some("urn:test:loa:1"));
    assert_eq!(query(&url, "max_age").as_deref(), Some("0"));
    assert_eq!(capi::jwt_claims(&t.id_token())["acr"], "urn:test:loa:1");
}

/// The provider supports no `loa:3`: its login is `loa:1`. A plain login takes that (acr_values
/// is a request); a step-up that asked for `loa:3` refuses it.
#[test]
fn a_step_up_the_provider_does_not_meet_is_an_id_token_error() {
    let seen = Seen::default();
    let p = browser_params(&seen);
    p.set(Opt::AcrValues, "urn:test:loa:3");
    let t = capi::identify(&p).unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(capi::jwt_claims(&t.id_token())["acr"], "urn:test:loa:1");
    let f = capi::step_up(
        &p,
        &format!(r#"{STEP_UP}, acr_values="urn:test:loa:3 urn:test:loa:4""#),
    )
    .unwrap_err();
    assert_eq!(f.code, Code::IdToken, "{f:?}");
    assert!(f.message.contains("acr"), "{}", f.message);
}

/// OAuth2 params with endpoints set by hand: the ID token that comes cannot be validated (no
/// issuer, no keys), so nothing shows that the step-up was met.
#[test]
fn a_step_up_without_a_validated_id_token_is_an_id_token_error() {
    let seen = Seen::default();
    let oauth2 = Params::oauth2();
    oauth2
        .set(Opt::ClientId, CONF_POST.id)
        .set(Opt::ClientSecret, CONF_POST.secret.unwrap())
        .set(Opt::AuthUrl, &provider().authorization_endpoint())
        .set(Opt::TokenUrl, &provider().token_endpoint())
        .set(Opt::Scope, "openid")
        .set(Opt::RedirectUrl, "http://127.0.0.1:0/callback")
        .set(Opt::LoginTimeout, "30");
    // SAFETY: a live handle; `seen` outlives the login.
    unsafe {
        auth_params_set_open_url(
            oauth2.as_ptr() as *mut auth_params,
            Some(play_user),
            &seen as *const Seen as *mut c_void,
        )
    };
    let f = capi::step_up(
        &oauth2,
        &format!(r#"{STEP_UP}, acr_values="urn:test:loa:2""#),
    )
    .unwrap_err();
    assert_eq!(f.code, Code::IdToken, "{f:?}");
    assert!(f.message.contains("no ID token"), "{}", f.message);
    assert_eq!(seen.lock().unwrap().len(), 1, "the user did sign in");
}

#[test]
fn challenges_that_ask_for_no_step_up_are_invalid_arguments() {
    let seen = Seen::default();
    let p = browser_params(&seen);
    for header in [
        r#"Bearer error="invalid_token""#,
        "Basic realm=\"x\"",
        "not a challenge, =",
        &format!("{STEP_UP}, max_age=soon"),
    ] {
        let f = capi::step_up(&p, header).unwrap_err();
        assert_eq!(f.code, Code::InvalidArgument, "{header}: {f:?}");
    }
    assert!(seen.lock().unwrap().is_empty(), "nobody was sent anywhere");
    // Params that sign no user in.
    let service = Params::oauth2();
    service
        .set(Opt::ClientId, "service")
        .set(Opt::TokenUrl, &provider().token_endpoint())
        .set(Opt::Flow, "client_credentials");
    let f = capi::step_up(&service, STEP_UP).unwrap_err();
    assert_eq!(f.code, Code::InvalidArgument);
    assert!(f.message.contains("client_credentials"), "{}", f.message);
}

/// A step-up with CIBA: the user approves on their device; the acr is checked the same way.
#[test]
fn step_up_with_ciba() {
    let p = Params::openid();
    p.set(Opt::ClientId, CIBA_APP.id)
        .set(Opt::ClientSecret, CIBA_APP.secret.unwrap())
        .set(Opt::ClientAuth, CIBA_APP.auth)
        .set(Opt::ConfigurationUrl, &provider().issuer)
        .set(Opt::Flow, "ciba")
        .set(Opt::LoginHint, "grace")
        .set(Opt::LoginTimeout, "30");
    let approve = |acr_asked: &str| {
        let pending = provider().ciba_pending("grace", true);
        assert_eq!(pending[0]["acr_values"], acr_asked, "{pending:?}");
        provider().ciba_approve(pending[0]["auth_req_id"].as_str().unwrap(), None);
    };
    let t = std::thread::scope(|s| {
        let login =
            s.spawn(|| capi::step_up(&p, &format!(r#"{STEP_UP}, acr_values="urn:test:loa:2""#)));
        approve("urn:test:loa:2");
        login.join().unwrap()
    });
    let t = t.unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(capi::jwt_claims(&t.id_token())["acr"], "urn:test:loa:2");
    let f = std::thread::scope(|s| {
        let login =
            s.spawn(|| capi::step_up(&p, &format!(r#"{STEP_UP}, acr_values="urn:test:loa:3""#)));
        approve("urn:test:loa:3");
        login.join().unwrap()
    })
    .unwrap_err();
    assert_eq!(f.code, Code::IdToken, "{f:?}");
}
