//! auth_read_identity / auth_get_user_info through the C API, on tokens made with
//! auth_import_token, against the hostile provider (tests/hostile_provider).

mod support;

use authtoken::identity::*;
use authtoken::last_error::{auth_last_error, auth_last_http_status, auth_last_oauth_error};
use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_free, auth_params_new, auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::token::{auth_import_token, auth_token, auth_token_free};
use authtoken_core::ErrorKind as Code;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::ffi::{CStr, CString, c_char};
use std::ptr::null_mut;
use support::hostile_provider::{ACCESS_TOKEN, CLIENT_ID, Provider, Reply, TestKey};

const OAUTH2: u32 = 0;
const OPENID: u32 = 1;
const OPT_CLIENT_ID: u32 = 1;
const OPT_CONFIGURATION_URL: u32 = 9;
const OPT_USERINFO_URL: u32 = 16;

fn s(p: *const c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

fn last_error() -> String {
    s(auth_last_error())
}

fn params(kind: u32, options: &[(u32, &str)]) -> *mut auth_params {
    let mut p = null_mut();
    assert_eq!(
        auth_params_new(auth_kind(kind), &mut p),
        auth_result::AUTH_OK
    );
    for (opt, value) in options {
        let v = CString::new(*value).unwrap();
        let r = unsafe { auth_params_set(p, auth_option(*opt), v.as_ptr()) };
        assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    }
    p
}

/// An OpenID token for the provider, imported with params, holding `id_token`.
fn imported(
    p: &Provider,
    kind: u32,
    id_token: Option<&str>,
    extra: &[(u32, &str)],
) -> *mut auth_token {
    let mut options = vec![(OPT_CLIENT_ID, CLIENT_ID)];
    if kind == OPENID {
        options.push((OPT_CONFIGURATION_URL, p.issuer.as_str()));
    }
    options.extend_from_slice(extra);
    let params = params(kind, &options);
    let mut answer =
        json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300});
    if let Some(t) = id_token {
        answer["id_token"] = json!(t);
    }
    let json = CString::new(answer.to_string()).unwrap();
    let mut token = null_mut();
    let r = unsafe { auth_import_token(params, json.as_ptr(), &mut token) };
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    unsafe { auth_params_free(params) };
    token
}

fn read_identity(token: *const auth_token) -> (auth_result, *mut auth_identity) {
    let mut out = std::ptr::dangling_mut::<auth_identity>(); // must be overwritten either way
    let r = unsafe { auth_read_identity(token, &mut out) };
    (r, out)
}

fn get_user_info(token: *const auth_token) -> (auth_result, *mut auth_identity) {
    let mut out = std::ptr::dangling_mut::<auth_identity>();
    let r = unsafe { auth_get_user_info(token, &mut out) };
    (r, out)
}

fn claim(id: *const auth_identity, name: &str) -> Option<String> {
    let n = CString::new(name).unwrap();
    let p = unsafe { auth_identity_claim(id, n.as_ptr()) };
    (!p.is_null()).then(|| s(p))
}

fn provider_with_rsa() -> (Provider, TestKey) {
    let p = Provider::start();
    let k = TestKey::rsa(1, Algorithm::RS256, Some("r1"));
    p.set_keys(&[&k]);
    (p, k)
}

fn profile() -> Value {
    json!({
        "sub": "user-1", "email": "ada@example.org", "email_verified": true,
        "given_name": "Ada", "family_name": "Lovelace", "name": "Ada Lovelace",
        "address": {"country": "UK"}, "updated_at": 1700000000
    })
}

#[test]
fn read_identity_merges_id_token_and_userinfo() {
    let (p, k) = provider_with_rsa();
    p.set_userinfo(Reply::json(&profile()));
    let jwt = k.sign(&p.claims(None));
    let token = imported(&p, OPENID, Some(&jwt), &[]);
    let (r, id) = read_identity(token);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert!(unsafe { auth_identity_is_valid(id) });
    assert_eq!(s(unsafe { auth_identity_subject(id) }), "user-1");
    assert_eq!(s(unsafe { auth_identity_email(id) }), "ada@example.org");
    assert_eq!(s(unsafe { auth_identity_first_name(id) }), "Ada");
    assert_eq!(s(unsafe { auth_identity_last_name(id) }), "Lovelace");
    assert_eq!(s(unsafe { auth_identity_name(id) }), "Ada Lovelace");
    assert_eq!(s(unsafe { auth_identity_id_token(id) }), jwt);
    // any claim by name, in string form; from the ID token too
    assert_eq!(claim(id, "email_verified").as_deref(), Some("true"));
    assert_eq!(claim(id, "updated_at").as_deref(), Some("1700000000"));
    assert_eq!(claim(id, "address").as_deref(), Some(r#"{"country":"UK"}"#));
    assert_eq!(claim(id, "iss").as_deref(), Some(p.issuer.as_str()));
    assert_eq!(claim(id, "aud").as_deref(), Some(CLIENT_ID));
    assert_eq!(claim(id, "phone_number"), None);
    let source: Value = serde_json::from_str(&s(unsafe { auth_identity_source(id) })).unwrap();
    assert_eq!(source["email"], "ada@example.org");
    assert_eq!(source["iss"], p.issuer.as_str());
    assert_eq!(p.state.lock().unwrap().userinfo_requests, 1);
    unsafe {
        auth_identity_free(id);
        auth_token_free(token);
    }
}

#[test]
fn userinfo_sub_that_differs_is_id_token_error() {
    let (p, k) = provider_with_rsa();
    let mut other = profile();
    other["sub"] = json!("user-2");
    p.set_userinfo(Reply::json(&other));
    let token = imported(&p, OPENID, Some(&k.sign(&p.claims(None))), &[]);
    let (r, id) = read_identity(token);
    println!("userinfo sub differs: {r:?}: {}", last_error());
    assert_eq!(r, Code::IdToken);
    assert!(id.is_null());
    // userinfo without sub is not about the ID token's user either
    let mut none = profile();
    none.as_object_mut().unwrap().remove("sub");
    p.set_userinfo(Reply::json(&none));
    let (r, id) = read_identity(token);
    assert_eq!(r, Code::IdToken, "{}", last_error());
    assert!(id.is_null());
    unsafe { auth_token_free(token) };
}

#[test]
fn bad_id_token_on_read_is_id_token_error() {
    let (p, k) = provider_with_rsa();
    let mut c = p.claims(None);
    c["aud"] = json!("someone-else");
    let token = imported(&p, OPENID, Some(&k.sign(&c)), &[]);
    let (r, id) = read_identity(token);
    assert_eq!(r, Code::IdToken);
    assert!(id.is_null());
    assert!(last_error().contains("audience"), "{}", last_error());
    assert_eq!(
        p.state.lock().unwrap().userinfo_requests,
        0,
        "nothing asked after a bad ID token"
    );
    unsafe { auth_token_free(token) };
}

#[test]
fn userinfo_refusing_the_access_token_is_oauth_invalid_token() {
    let (p, k) = provider_with_rsa();
    p.set_userinfo(Reply {
        status: 401,
        content_type: "application/json".into(),
        headers: vec![(
            "WWW-Authenticate".into(),
            format!("Bearer realm=\"{}\", error=\"invalid_token\", error_description=\"invalid token provided\"", p.issuer),
        )],
        body: r#"{"error":"invalid_token","error_description":"invalid token provided"}"#.into(),
    });
    let token = imported(&p, OPENID, Some(&k.sign(&p.claims(None))), &[]);
    for (r, id) in [read_identity(token), get_user_info(token)] {
        println!("userinfo 401: {r:?}: {}", last_error());
        assert_eq!(r, Code::OAuth);
        assert!(id.is_null());
        assert_eq!(s(auth_last_oauth_error()), "invalid_token");
        assert_eq!(auth_last_http_status(), 401);
    }
    unsafe { auth_token_free(token) };
}

#[test]
fn get_user_info_alone() {
    let (p, k) = provider_with_rsa();
    p.set_userinfo(Reply::json(&profile()));
    let token = imported(&p, OPENID, Some(&k.sign(&p.claims(None))), &[]);
    let (r, id) = get_user_info(token);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert_eq!(s(unsafe { auth_identity_email(id) }), "ada@example.org");
    assert_eq!(
        s(unsafe { auth_identity_id_token(id) }),
        "",
        "userinfo alone has no ID token"
    );
    assert_eq!(claim(id, "iss"), None, "no ID-token claims");
    assert_eq!(p.jwks_fetches(), 0, "the ID token is not involved");
    unsafe {
        auth_identity_free(id);
        auth_token_free(token);
    }
}

#[test]
fn plain_oauth2_uses_userinfo_alone_or_is_unsupported() {
    let p = Provider::start();
    p.set_userinfo(Reply::json(&json!({"id": 42, "login": "ada"})));
    let url = format!("{}/userinfo", p.issuer);
    let token = imported(&p, OAUTH2, None, &[(OPT_USERINFO_URL, &url)]);
    let (r, id) = read_identity(token);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert!(unsafe { auth_identity_is_valid(id) });
    assert_eq!(claim(id, "login").as_deref(), Some("ada"));
    assert_eq!(claim(id, "id").as_deref(), Some("42"));
    assert_eq!(s(unsafe { auth_identity_subject(id) }), "");
    unsafe {
        auth_identity_free(id);
        auth_token_free(token);
    }
    let token = imported(&p, OAUTH2, None, &[]);
    for (r, id) in [read_identity(token), get_user_info(token)] {
        println!("no ID token, no userinfo: {r:?}: {}", last_error());
        assert_eq!(r, Code::Unsupported);
        assert!(id.is_null());
    }
    unsafe { auth_token_free(token) };
}

#[test]
fn discovery_issuer_that_differs_is_protocol_error() {
    let (p, k) = provider_with_rsa();
    p.set_discovery_issuer("https://evil.example");
    let token = imported(&p, OPENID, Some(&k.sign(&p.claims(None))), &[]);
    for (r, id) in [read_identity(token), get_user_info(token)] {
        println!("discovery issuer differs: {r:?}: {}", last_error());
        assert_eq!(r, Code::Protocol);
        assert!(id.is_null());
    }
    unsafe { auth_token_free(token) };
}

#[test]
fn userinfo_that_is_not_json_is_protocol_error() {
    let (p, k) = provider_with_rsa();
    p.set_userinfo(Reply {
        status: 200,
        content_type: "text/html".into(),
        headers: Vec::new(),
        body: "<html>login</html>".into(),
    });
    let token = imported(&p, OPENID, Some(&k.sign(&p.claims(None))), &[]);
    let (r, _) = get_user_info(token);
    assert_eq!(r, Code::Protocol);
    p.set_userinfo(Reply {
        status: 500,
        content_type: "text/plain".into(),
        headers: Vec::new(),
        body: "oops".into(),
    });
    let (r, _) = get_user_info(token);
    assert_eq!(r, Code::Protocol);
    assert_eq!(auth_last_http_status(), 500);
    unsafe { auth_token_free(token) };
}

#[test]
fn signed_userinfo_answer() {
    let (p, k) = provider_with_rsa();
    let mut claims = profile();
    claims["iss"] = json!(p.issuer);
    claims["aud"] = json!(CLIENT_ID);
    let jwt_reply = |body: String| Reply {
        status: 200,
        content_type: "application/jwt".into(),
        headers: Vec::new(),
        body,
    };
    p.set_userinfo(jwt_reply(k.sign(&claims)));
    let token = imported(&p, OPENID, Some(&k.sign(&p.claims(None))), &[]);
    let (r, id) = read_identity(token);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert_eq!(s(unsafe { auth_identity_name(id) }), "Ada Lovelace");
    unsafe { auth_identity_free(id) };
    p.set_userinfo(jwt_reply(support::hostile_provider::tampered(
        &k.sign(&claims),
    )));
    let (r, id) = read_identity(token);
    assert_eq!(r, Code::IdToken, "{}", last_error());
    assert!(id.is_null());
    p.set_userinfo(jwt_reply(support::hostile_provider::unsigned(&claims)));
    let (r, _) = read_identity(token);
    assert_eq!(r, Code::IdToken, "{}", last_error());
    unsafe { auth_token_free(token) };
}

#[test]
fn null_arguments_and_getters() {
    let (r, id) = read_identity(std::ptr::null());
    assert_eq!(r, Code::InvalidArgument);
    assert!(id.is_null());
    let (r, id) = get_user_info(std::ptr::null());
    assert_eq!(r, Code::InvalidArgument);
    assert!(id.is_null());
    let p = Provider::start();
    let token = imported(&p, OAUTH2, None, &[]);
    assert_eq!(
        unsafe { auth_read_identity(token, std::ptr::null_mut()) },
        Code::InvalidArgument
    );
    unsafe { auth_token_free(token) };
    let null: *const auth_identity = std::ptr::null();
    assert!(!unsafe { auth_identity_is_valid(null) });
    assert_eq!(s(unsafe { auth_identity_source(null) }), "");
    assert_eq!(s(unsafe { auth_identity_subject(null) }), "");
    assert_eq!(s(unsafe { auth_identity_email(null) }), "");
    assert_eq!(s(unsafe { auth_identity_first_name(null) }), "");
    assert_eq!(s(unsafe { auth_identity_last_name(null) }), "");
    assert_eq!(s(unsafe { auth_identity_name(null) }), "");
    assert_eq!(s(unsafe { auth_identity_id_token(null) }), "");
    assert_eq!(claim(null, "sub"), None);
    assert!(unsafe { auth_identity_claim(null, std::ptr::null()) }.is_null());
    unsafe { auth_identity_free(null_mut()) };
}

#[test]
fn unverifiable_id_token_of_plain_oauth2_is_not_used() {
    // OAuth2 parameters without a configuration URL: no issuer, no keys. The login keeps such an
    // ID token untrusted; reading the identity asks userinfo alone.
    let (p, k) = provider_with_rsa();
    p.set_userinfo(Reply::json(&profile()));
    let mut c = p.claims(None);
    c["sub"] = json!("someone-the-token-claims-to-be");
    let url = format!("{}/userinfo", p.issuer);
    let token = imported(&p, OAUTH2, Some(&k.sign(&c)), &[(OPT_USERINFO_URL, &url)]);
    let (r, id) = read_identity(token);
    assert_eq!(r, auth_result::AUTH_OK, "{}", last_error());
    assert_eq!(s(unsafe { auth_identity_subject(id) }), "user-1");
    assert_eq!(s(unsafe { auth_identity_id_token(id) }), "");
    assert_eq!(claim(id, "iss"), None);
    assert_eq!(p.jwks_fetches(), 0);
    unsafe {
        auth_identity_free(id);
        auth_token_free(token);
    }
    let token = imported(&p, OAUTH2, Some(&k.sign(&c)), &[]);
    let (r, id) = read_identity(token);
    assert_eq!(r, Code::Unsupported, "{}", last_error());
    assert!(id.is_null());
    unsafe { auth_token_free(token) };
}
