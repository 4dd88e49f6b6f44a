//! ID-token validation and identity reading against the real oidc-provider
//! (tests/provider/server.mjs): a real ID token from the code flow (over HTTP, with a nonce) is
//! validated; auth_read_identity returns the profile and email claims from userinfo.

mod support;

use authtoken::identity::*;
use authtoken::last_error::{auth_last_error, auth_last_http_status, auth_last_oauth_error};
use authtoken::params::{
    auth_kind, auth_option, auth_params_free, auth_params_new, auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::token::{auth_import_token, auth_token, auth_token_free};
use authtoken_core::ErrorKind as Code;
use authtoken_core::config::{ClientContext, TransportSettings};
use authtoken_core::config::{Kind, ParamOption, Params};
use authtoken_core::error::ErrorKind;
use authtoken_core::oidc::id_token::{Expectations, validate};
use authtoken_core::secret::Secret;
use authtoken_core::transport::http::{BasicAuth, Request, block_on, send};
use serde_json::Value;
use std::ffi::{CStr, CString, c_char};
use std::ptr::null_mut;
use std::sync::LazyLock;
use support::{CONF_BASIC, CONF_POST, PUBLIC_APP, Provider, REDIRECT_URI, TestClient};

/// One provider for the file (the process ends it when the tests end).
static PROVIDER: LazyLock<Provider> = LazyLock::new(|| Provider::start("{}"));

/// The code flow over HTTP with a nonce, exchanged without the library's grant code: the raw
/// token answer.
fn token_answer(client: &TestClient, scope: &str, nonce: &str) -> Value {
    let p = &*PROVIDER;
    let (verifier, challenge) = support::pkce_pair();
    let mut url = url::Url::parse(&p.authorization_endpoint()).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client.id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", scope)
        .append_pair("state", "s-1")
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let redirect = url::Url::parse(&support::login_over_http(url.as_str())).unwrap();
    let code = redirect
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {redirect}"));
    let mut form = vec![
        ("grant_type".to_owned(), Secret::new("authorization_code")),
        ("code".to_owned(), Secret::new(code)),
        ("redirect_uri".to_owned(), Secret::new(REDIRECT_URI)),
        ("code_verifier".to_owned(), Secret::new(verifier)),
    ];
    let mut request = Request::post_form(&p.token_endpoint(), Vec::new());
    match client.auth {
        "basic" => {
            request.basic = Some(BasicAuth {
                user: client.id.into(),
                password: Secret::new(client.secret.unwrap()),
            })
        }
        "post" => {
            form.push(("client_id".into(), Secret::new(client.id)));
            form.push(("client_secret".into(), Secret::new(client.secret.unwrap())));
        }
        _ => form.push(("client_id".into(), Secret::new(client.id))),
    }
    request.form = Some(form);
    let answer = block_on(send(&TransportSettings::default(), &request)).unwrap();
    assert_eq!(answer.status, 200, "{}", answer.text().unwrap_or(""));
    serde_json::from_slice(&answer.body).unwrap()
}

fn params_of(client: &TestClient) -> Params {
    let mut params = Params::new(Kind::OpenId);
    params.set(ParamOption::ClientId, client.id).unwrap();
    if let Some(secret) = client.secret {
        params.set(ParamOption::ClientSecret, secret).unwrap();
    }
    params.set(ParamOption::ClientAuth, client.auth).unwrap();
    params
        .set(ParamOption::ConfigurationUrl, &PROVIDER.issuer)
        .unwrap();
    params
}

#[test]
fn real_id_token_is_validated() {
    for client in [CONF_POST, CONF_BASIC, PUBLIC_APP] {
        let answer = token_answer(&client, "openid profile email", "nonce-real-1");
        let id_token = answer["id_token"].as_str().expect("an id_token");
        let access_token = answer["access_token"].as_str().unwrap();
        let ctx = ClientContext::from_params(&params_of(&client));
        let claims = block_on(validate(
            &ctx,
            id_token,
            &Expectations {
                nonce: Some("nonce-real-1"),
                access_token: Some(access_token),
                previous_claims: None,
                ..Expectations::default()
            },
        ))
        .unwrap_or_else(|e| panic!("{}: {e:?}", client.id));
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["aud"], client.id);
        assert_eq!(claims["iss"], PROVIDER.issuer.trim_end_matches('/'));
        assert_eq!(claims["nonce"], "nonce-real-1");
        // the same real token with another expected nonce, or for another client, is refused
        let e = block_on(validate(
            &ctx,
            id_token,
            &Expectations {
                nonce: Some("another-nonce"),
                ..Expectations::default()
            },
        ))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::IdToken);
        let other = ClientContext::from_params(&params_of(if client.id == "conf-post" {
            &CONF_BASIC
        } else {
            &CONF_POST
        }));
        let e = block_on(validate(&other, id_token, &Expectations::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::IdToken, "{e:?}");
    }
}

fn s(p: *const c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

fn import(client: &TestClient, answer: &Value) -> *mut auth_token {
    let mut params = null_mut();
    assert_eq!(
        auth_params_new(auth_kind(1), &mut params),
        auth_result::AUTH_OK
    );
    let set = |opt: u32, v: &str| {
        let v = CString::new(v).unwrap();
        let r = unsafe { auth_params_set(params, auth_option(opt), v.as_ptr()) };
        assert_eq!(r, auth_result::AUTH_OK);
    };
    set(1, client.id);
    if let Some(secret) = client.secret {
        set(2, secret);
    }
    set(9, &PROVIDER.issuer);
    let json = CString::new(answer.to_string()).unwrap();
    let mut token = null_mut();
    let r = unsafe { auth_import_token(params, json.as_ptr(), &mut token) };
    assert_eq!(r, auth_result::AUTH_OK);
    unsafe { auth_params_free(params) };
    token
}

#[test]
fn read_identity_returns_profile_and_email_from_userinfo() {
    let answer = token_answer(&CONF_POST, "openid profile email", "nonce-real-2");
    let token = import(&CONF_POST, &answer);
    let mut id = null_mut();
    let r = unsafe { auth_read_identity(token, &mut id) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
    unsafe {
        assert!(auth_identity_is_valid(id));
        assert_eq!(s(auth_identity_subject(id)), "alice");
        assert_eq!(s(auth_identity_email(id)), "alice@example.com");
        assert_eq!(s(auth_identity_first_name(id)), "Test");
        assert_eq!(s(auth_identity_last_name(id)), "alice");
        assert_eq!(s(auth_identity_name(id)), "Test alice");
        assert_eq!(
            s(auth_identity_id_token(id)),
            answer["id_token"].as_str().unwrap()
        );
        let name = CString::new("email_verified").unwrap();
        assert_eq!(s(auth_identity_claim(id, name.as_ptr())), "true");
        let name = CString::new("nonce").unwrap();
        assert_eq!(s(auth_identity_claim(id, name.as_ptr())), "nonce-real-2");
        let source: Value = serde_json::from_str(&s(auth_identity_source(id))).unwrap();
        assert_eq!(source["aud"], "conf-post");
        assert_eq!(source["email"], "alice@example.com");
        auth_identity_free(id);
    }
    // userinfo alone
    let mut id = null_mut();
    let r = unsafe { auth_get_user_info(token, &mut id) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
    unsafe {
        assert_eq!(s(auth_identity_email(id)), "alice@example.com");
        assert_eq!(s(auth_identity_id_token(id)), "");
        auth_identity_free(id);
        auth_token_free(token);
    }
}

#[test]
fn userinfo_with_a_bad_access_token_is_oauth_invalid_token() {
    let answer = serde_json::json!({"access_token": "not-a-token-the-provider-issued", "token_type": "Bearer"});
    let token = import(&CONF_POST, &answer);
    let mut id = null_mut();
    let r = unsafe { auth_get_user_info(token, &mut id) };
    println!("real userinfo, bad token: {r:?}: {}", s(auth_last_error()));
    assert_eq!(r, Code::OAuth);
    assert!(id.is_null());
    assert_eq!(s(auth_last_oauth_error()), "invalid_token");
    assert_eq!(auth_last_http_status(), 401);
    unsafe { auth_token_free(token) };
}

/// The library's own login (auth_login_begin / auth_login_complete, the user played over HTTP),
/// then auth_read_identity, then a refresh (a new ID token, validated against the first one)
/// and auth_read_identity again.
#[test]
fn library_login_then_read_identity_then_refresh() {
    use authtoken::login::{
        auth_login_begin, auth_login_complete, auth_login_free, auth_login_url,
    };
    use authtoken::token_endpoint::auth_refresh_token;
    let mut params = null_mut();
    assert_eq!(
        auth_params_new(auth_kind(1), &mut params),
        auth_result::AUTH_OK
    );
    for (opt, v) in [
        (1, CONF_POST.id),
        (2, CONF_POST.secret.unwrap()),
        (5, "openid profile email offline_access"),
        (6, REDIRECT_URI),
        (9, PROVIDER.issuer.as_str()),
        (8, "prompt=consent"),
    ] {
        let v = CString::new(v).unwrap();
        let r = unsafe { auth_params_set(params, auth_option(opt), v.as_ptr()) };
        assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
    }
    let mut login = null_mut();
    let r = unsafe { auth_login_begin(params, &mut login) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
    let url = s(auth_login_url(login));
    let redirect = CString::new(support::login_over_http(&url)).unwrap();
    let mut token = null_mut();
    let r = unsafe { auth_login_complete(login, redirect.as_ptr(), &mut token) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
    unsafe {
        auth_login_free(login);
        auth_params_free(params);
    }
    let read = |token: *const auth_token| {
        let mut id = null_mut();
        let r = unsafe { auth_read_identity(token, &mut id) };
        assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
        id
    };
    let id = read(token);
    unsafe {
        assert_eq!(s(auth_identity_subject(id)), "alice");
        assert_eq!(s(auth_identity_email(id)), "alice@example.com");
        assert_eq!(s(auth_identity_name(id)), "Test alice");
        let nonce = CString::new("nonce").unwrap();
        assert!(
            !auth_identity_claim(id, nonce.as_ptr()).is_null(),
            "the login's nonce"
        );
        auth_identity_free(id);
    }
    let mut refreshed = null_mut();
    let r = unsafe { auth_refresh_token(token, &mut refreshed) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", s(auth_last_error()));
    let id = read(refreshed);
    unsafe {
        assert_eq!(s(auth_identity_subject(id)), "alice");
        assert_eq!(s(auth_identity_last_name(id)), "alice");
        auth_identity_free(id);
        auth_token_free(refreshed);
        auth_token_free(token);
    }
}
