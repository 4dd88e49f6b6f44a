//! Entry points of the fuzz targets (fuzz/; cargo fuzz builds with `--cfg fuzzing`): every
//! parser that reads outside input, fed raw bytes. Not part of the API.

use crate::config::{Kind, ParamOption, Params};
use crate::login::request::{self as login, BeginOptions, LoginRequest};
use crate::login::{ciba, device, listener, step_up};
use crate::oidc::jwks::{self, KeySet};
use crate::oidc::{id_token, identity};
use crate::provider::discovery;
use crate::token::{format, parse_token_response};
use crate::transport::answer::oauth_error_of;
use crate::transport::challenge;
use crate::transport::http::Response;
use serde_json::{Map, Value};
use std::sync::LazyLock;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
});

fn response(status: u16, data: &[u8], www_authenticate: Option<&str>) -> Response {
    Response {
        status,
        content_type: Some("application/json".to_owned()),
        www_authenticate: www_authenticate.map(str::to_owned),
        retry_after: None,
        max_age: None,
        body: data.to_vec(),
        ..Default::default()
    }
}

/// A token file (`auth_token_deserialize`, `auth_token_load`).
pub fn token_file(data: &[u8]) {
    let _ = format::deserialize(data);
}

/// A token endpoint answer (and `auth_import_token`).
pub fn token_response(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_token_response(text, 200);
    }
}

/// A discovery document.
pub fn discovery_document(data: &[u8]) {
    if let Ok(Value::Object(document)) = serde_json::from_slice::<Value>(data) {
        let _ = discovery::parse(&document, "https://idp.example");
    }
}

/// A JWKS document.
pub fn jwks(data: &[u8]) {
    let _ = jwks::parse(data);
}

static KEYS: LazyLock<KeySet> = LazyLock::new(|| {
    jwks::parse(include_bytes!("../../fuzz/keys.json")).expect("fuzz/keys.json is a key set")
});

/// An ID token: parse, signature against a fixed key set, claims.
pub fn id_token(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        id_token::fuzz_checks(text, &KEYS);
    }
}

/// A userinfo answer: the body (merged with ID-token claims, then read as an identity), and
/// the `WWW-Authenticate` header of a refusal.
pub fn userinfo(data: &[u8]) {
    let answer = response(200, data, None);
    if let Ok(claims) = answer.json_object() {
        let _ = oauth_error_of(&claims, 200);
        let mut id = Map::new();
        id.insert("sub".to_owned(), Value::String("alice".to_owned()));
        for merged in [
            identity::merge_claims(Some(id), Some(claims.clone())),
            identity::merge_claims(None, Some(claims)),
        ]
        .into_iter()
        .flatten()
        {
            let who = identity::Identity {
                claims: merged,
                id_token: None,
            };
            let _ = (
                who.source(),
                who.subject(),
                who.email(),
                who.first_name(),
                who.last_name(),
                who.name(),
            );
            for value in who.claims.values() {
                let _ = identity::claim_text(value);
            }
        }
    }
    let header = String::from_utf8_lossy(data);
    let _ = identity::userinfo_error(
        &response(401, data, Some(&header)),
        "https://idp.example/userinfo",
    );
}

/// The answers that start a polling login: a device authorization answer (RFC 8628 §3.2) and
/// a CIBA authentication answer (CIBA §7.3), each as a success and as an error.
pub fn device_authorization(data: &[u8]) {
    for status in [200, 400] {
        let _ = device::parse_device_authorization(&response(status, data, None));
        let _ = ciba::parse_acknowledgement(&response(status, data, None));
    }
}

static STEP_UP_PARAMS: LazyLock<Params> = LazyLock::new(|| {
    Params::new(Kind::OpenId)
        .with(ParamOption::AcrValues, "urn:loa:1")
        .expect("fuzz params")
});

/// A `WWW-Authenticate` value (`auth_parse_challenge`, `auth_step_up`): the challenges, their
/// JSON (which must be a valid array of as many objects), and what a step-up makes of them.
pub fn challenge(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(challenges) = challenge::parse(text) {
        let json: Value =
            serde_json::from_str(&challenge::to_json(&challenges)).expect("the JSON is valid");
        assert_eq!(
            json.as_array().map(Vec::len),
            Some(challenges.len()),
            "one object per challenge"
        );
        for c in &challenges {
            assert!(!c.scheme.is_empty(), "a challenge has a scheme");
            assert!(
                c.params
                    .iter()
                    .all(|(k, _)| !k.is_empty() && k.to_ascii_lowercase() == *k),
                "parameter names are lower-case"
            );
        }
    }
    let _ = step_up::step_up_params(&STEP_UP_PARAMS, text);
}

/// Bytes sent to the loopback redirect listener.
pub fn listener_request(data: &[u8]) {
    let mut reader = data;
    let _ = RUNTIME.block_on(listener::read_request(&mut reader));
}

static LOGIN: LazyLock<LoginRequest> = LazyLock::new(|| {
    let mut p = Params::new(Kind::OAuth2);
    let set = |p: &mut Params, o, v| p.set(o, v).expect("fuzz params");
    set(&mut p, ParamOption::ClientId, "client");
    set(
        &mut p,
        ParamOption::AuthUrl,
        "https://idp.example/authorize",
    );
    set(&mut p, ParamOption::TokenUrl, "https://idp.example/token");
    set(&mut p, ParamOption::Scope, "openid");
    set(
        &mut p,
        ParamOption::RedirectUrl,
        "http://127.0.0.1:8080/callback",
    );
    RUNTIME
        .block_on(login::begin(&p, &BeginOptions::default()))
        .expect("login request")
});

/// The URL a browser is redirected to (`auth_login_complete` before the code exchange).
pub fn redirect(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = LOGIN.check_response(text);
        let _ = LOGIN.check_response(&format!("http://127.0.0.1:8080/callback?{text}"));
    }
}
