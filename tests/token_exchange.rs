//! Token exchange (RFC 8693) through the C API (`auth_exchange_token`,
//! `auth_token_issued_token_type`) against oidc-provider with the token-exchange grant
//! registered by tests/provider/server.mjs, which verifies the subject and actor tokens it is
//! given; the stub only for an answer a conforming server never sends.

mod support;

use std::sync::{Arc, Mutex, OnceLock};
use support::capi::{self, Code, Opt, Params};
use support::stub::{Reply, SeenRequest, Stub};
use support::{CONF_POST, EXCHANGER, Provider};

const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The tests below read the provider's last exchange and its counters: one at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start(r#"{"tokenExchange":true}"#))
}

/// The access token `login` got from a code grant of `conf-post`.
fn user_access_token(login: &str, scope: &str) -> String {
    let json = support::first_token_json_as(provider(), &CONF_POST, scope, login);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// The exchanger client, its token endpoint set by hand.
fn exchanger() -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, EXCHANGER.id)
        .set(Opt::ClientSecret, EXCHANGER.secret.unwrap())
        .set(Opt::ClientAuth, EXCHANGER.auth)
        .set(Opt::TokenUrl, &provider().token_endpoint())
        .set(Opt::IntrospectionUrl, &provider().introspection_endpoint());
    p
}

#[test]
fn exchange_for_audiences_with_an_actor_then_refresh() {
    let _turn = one_at_a_time();
    let subject = user_access_token("alice", "openid email api:read");
    let actor = user_access_token("bob", "openid");
    // OpenID parameters: the token endpoint comes from discovery.
    let p = Params::openid();
    p.set(Opt::ClientId, EXCHANGER.id)
        .set(Opt::ClientSecret, EXCHANGER.secret.unwrap())
        .set(Opt::ClientAuth, EXCHANGER.auth)
        .set(Opt::ConfigurationUrl, &provider().issuer)
        .set(Opt::Scope, "api:read offline_access")
        .set(Opt::Audience, "https://api.example  billing")
        .set(Opt::RequestedTokenType, ACCESS_TOKEN_TYPE)
        .set(Opt::ActorToken, &actor);
    let t = capi::exchange(&p, &subject, None).unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(t.issued_token_type(), ACCESS_TOKEN_TYPE);
    assert!(!t.value().is_empty() && t.value() != subject);
    assert!(!t.refresh_token().is_empty(), "offline_access gives one");
    assert_eq!(t.scope(), "api:read offline_access");
    assert!(t.is_valid());
    // What the provider's grant received and checked.
    let seen = provider().last_exchange();
    assert_eq!(seen["client"], "exchanger");
    assert_eq!(seen["subject"], "alice");
    assert_eq!(seen["act"]["sub"], "bob");
    assert_eq!(
        seen["audience"],
        serde_json::json!(["https://api.example", "billing"])
    );
    assert_eq!(seen["requested_token_type"], ACCESS_TOKEN_TYPE);
    // The new token is alice's, acted for by bob, for the two audiences.
    let about = capi::introspect(&t).unwrap();
    assert_eq!(about["active"], true, "{about}");
    assert_eq!(about["sub"], "alice");
    assert_eq!(about["client_id"], "exchanger");
    assert_eq!(about["act"]["sub"], "bob", "{about}");
    // It refreshes like any other token, with no params, and keeps what it is.
    let again = capi::Token::deserialize(&t.serialize()).unwrap();
    assert_eq!(again.issued_token_type(), ACCESS_TOKEN_TYPE);
    let fresh = capi::refresh(&again).unwrap_or_else(|f| panic!("{f:?}"));
    assert_ne!(fresh.value(), t.value());
    assert_eq!(fresh.issued_token_type(), ACCESS_TOKEN_TYPE);
    assert_eq!(capi::introspect(&fresh).unwrap()["sub"], "alice");
}

#[test]
fn errors_map_like_every_token_endpoint_error() {
    let _turn = one_at_a_time();
    let subject = user_access_token("alice", "openid api:read");
    let p = exchanger();
    // A subject token the provider does not know: the grant is refused.
    let f = capi::exchange(&p, "not-a-token", None).unwrap_err();
    assert_eq!(f.code, Code::InvalidGrant, "{f:?}");
    assert_eq!(
        (f.oauth_error.as_str(), f.http_status),
        ("invalid_grant", 400)
    );
    // An audience the provider does not serve: an OAuth error without a code of its own.
    p.set(Opt::Audience, "https://elsewhere.example");
    let f = capi::exchange(&p, &subject, None).unwrap_err();
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_target");
    p.try_set(Opt::Audience, "").unwrap();
    // More scope than the subject token has.
    p.set(Opt::Scope, "api:write");
    let f = capi::exchange(&p, &subject, None).unwrap_err();
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_scope");
    p.set(Opt::Scope, "api:read");
    // A subject token type the grant does not take.
    let f = capi::exchange(
        &p,
        &subject,
        Some("urn:ietf:params:oauth:token-type:id_token"),
    )
    .unwrap_err();
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_request");
    // The client's authentication is refused.
    p.set(Opt::ClientSecret, "wrong-secret");
    let f = capi::exchange(&p, &subject, None).unwrap_err();
    assert_eq!(f.code, Code::InvalidClient, "{f:?}");
    p.set(Opt::ClientSecret, EXCHANGER.secret.unwrap());
    // Without an audience or an actor the exchange works, and the defaults are sent.
    let t = capi::exchange(&p, &subject, Some(ACCESS_TOKEN_TYPE)).unwrap();
    assert_eq!(t.scope(), "api:read");
    assert_eq!(t.refresh_token(), "");
    // Arguments refused before any request.
    provider().reset_stats();
    for (subject, kind) in [("", None), ("x", Some("not a URI"))] {
        let f = capi::exchange(&p, subject, kind).unwrap_err();
        assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
        assert_eq!(f.http_status, 0);
    }
    p.set(Opt::ActorTokenType, ACCESS_TOKEN_TYPE);
    let f = capi::exchange(&p, &subject, None).unwrap_err();
    assert_eq!(f.code, Code::InvalidArgument);
    assert!(f.message.contains("AUTH_OPT_ACTOR_TOKEN"), "{}", f.message);
    assert_eq!(provider().stats()["token"], serde_json::json!({}));
    // NULL subject token, NULL params.
    let mut out = std::ptr::null_mut();
    let r = unsafe {
        authtoken::token_endpoint::auth_exchange_token(
            p.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            &mut out,
        )
    };
    assert_eq!(r, Code::InvalidArgument);
    assert!(out.is_null());
    let r = unsafe {
        authtoken::token_endpoint::auth_exchange_token(
            std::ptr::null(),
            c"x".as_ptr(),
            std::ptr::null(),
            &mut out,
        )
    };
    assert_eq!(r, Code::InvalidArgument);
}

/// RFC 8693 §2.2.1 requires `issued_token_type`; a server that leaves it out still gives a
/// usable token, whose issued token type is "". The request carries every option.
#[test]
fn an_answer_without_issued_token_type_and_the_fields_sent() {
    let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
    let s = seen.clone();
    let stub = Stub::start(Arc::new(move |r: &SeenRequest| {
        s.lock().unwrap().push(r.clone());
        Reply::json(
            200,
            r#"{"access_token":"exchanged-AT","token_type":"N_A","expires_in":60}"#,
        )
    }));
    let p = Params::oauth2();
    p.set(Opt::ClientId, "svc")
        .set(Opt::ClientSecret, "svc-secret")
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::Audience, "a b")
        .set(
            Opt::RequestedTokenType,
            "urn:ietf:params:oauth:token-type:jwt",
        )
        .set(Opt::ActorToken, "the-actor")
        .set(
            Opt::ActorTokenType,
            "urn:ietf:params:oauth:token-type:id_token",
        )
        .set(Opt::Scope, "read");
    let t = capi::exchange(&p, "the-subject", None).unwrap();
    assert_eq!(t.value(), "exchanged-AT");
    assert_eq!(t.issued_token_type(), "");
    assert_eq!(t.token_type(), "N_A");
    let seen = seen.lock().unwrap();
    let form: Vec<(String, String)> = url::form_urlencoded::parse(seen[0].body.as_bytes())
        .into_owned()
        .collect();
    let expected: Vec<(String, String)> = [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("subject_token", "the-subject"),
        ("subject_token_type", ACCESS_TOKEN_TYPE),
        (
            "requested_token_type",
            "urn:ietf:params:oauth:token-type:jwt",
        ),
        ("audience", "a"),
        ("audience", "b"),
        ("scope", "read"),
        ("actor_token", "the-actor"),
        (
            "actor_token_type",
            "urn:ietf:params:oauth:token-type:id_token",
        ),
        ("client_id", "svc"),
        ("client_secret", "svc-secret"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(form, expected);
}
