//! The provider's metadata beyond the happy path: what the library says when an endpoint is
//! missing given what is set, a logout that could revoke nothing (real oidc-provider with
//! revocation switched off), and the rules of the discovery cache and of the RFC 8414
//! document's issuer (the in-process hostile provider, for answers a real server does not
//! give: another issuer, chosen Cache-Control headers).

mod support;

use authtoken_core::config::TransportSettings;
use authtoken_core::oidc::jwks::{self, Need};
use authtoken_core::provider::discovery;
use authtoken_core::transport::http::block_on;
use serde_json::json;
use std::sync::LazyLock;
use std::time::Duration;
use support::capi::{self, Code, Opt, Params, Session};
use support::hostile_provider::{self as hostile, Reply};
use support::{PUBLIC_APP, Provider};

/// oidc-provider without a revocation endpoint (in either of its documents: it serves its
/// metadata at the RFC 8414 location too).
static NO_REVOCATION: LazyLock<Provider> =
    LazyLock::new(|| Provider::start(r#"{"revocation":false}"#));

fn public_app_with_discovery(issuer: &str) -> Params {
    let p = Params::openid();
    p.set(Opt::ClientId, PUBLIC_APP.id)
        .set(Opt::ClientAuth, PUBLIC_APP.auth)
        .set(Opt::ConfigurationUrl, issuer);
    p
}

fn first_token(provider: &Provider, params: &Params) -> capi::Token {
    let json = support::first_token_json(provider, &PUBLIC_APP, "openid offline_access");
    capi::import(Some(params), &json).unwrap()
}

/// A configuration URL is set: the message names both documents consulted and the option
/// that would set the endpoint anyway (not "set … or AUTH_OPT_CONFIGURATION_URL").
#[test]
fn no_revocation_endpoint_in_either_document_is_named() {
    let p = &*NO_REVOCATION;
    let params = public_app_with_discovery(&p.issuer);
    let token = first_token(p, &params);
    let f = capi::revoke(&token).unwrap_err();
    assert_eq!(f.code, Code::Unsupported, "{f:?}");
    let expected = format!(
        "revocation: the provider's discovery document ({issuer}/.well-known/openid-configuration) \
         and its RFC 8414 document ({issuer}/.well-known/oauth-authorization-server) have no \
         revocation endpoint; set AUTH_OPT_REVOCATION_URL if it has one elsewhere",
        issuer = p.issuer
    );
    assert_eq!(f.message, expected);
}

/// Nothing set that could tell: the message says what to set.
#[test]
fn no_endpoint_and_no_configuration_url_says_what_to_set() {
    let params = Params::oauth2();
    params.set(Opt::ClientId, "c");
    let token = capi::import(Some(&params), r#"{"access_token":"a","refresh_token":"r"}"#).unwrap();
    let f = capi::revoke(&token).unwrap_err();
    assert_eq!(f.code, Code::Unsupported);
    assert_eq!(
        f.message,
        "revocation: no revocation endpoint is known: set AUTH_OPT_REVOCATION_URL or AUTH_OPT_CONFIGURATION_URL"
    );
    let f = capi::introspect(&token).unwrap_err();
    assert_eq!(
        f.message,
        "introspection: no introspection endpoint is known: set AUTH_OPT_INTROSPECTION_URL or AUTH_OPT_CONFIGURATION_URL"
    );
}

/// The session's contract holds (AUTH_OK, the file deleted) but the log says, at warning level,
/// that the grant is still live and why; and it is: its refresh token still works.
#[test]
fn a_logout_that_revokes_nothing_warns_that_the_grant_is_live() {
    let p = &*NO_REVOCATION;
    let params = public_app_with_discovery(&p.issuer);
    let token = first_token(p, &params);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.token");
    capi::save(&token, &file).unwrap();
    let session = Session::new(&params, Some(file.to_str().unwrap())).unwrap();
    let (result, heard) = capi::with_thread_log(|| session.logout());
    result.unwrap();
    assert!(!file.exists());
    let warnings: Vec<&String> = heard
        .iter()
        .filter(|(level, _)| *level == 2)
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning, not one per copy: {heard:?}"
    );
    let w = warnings[0];
    assert!(
        w.contains("the grant is still live at the provider")
            && w.contains("refresh token can still be used")
            && w.contains("have no revocation endpoint"),
        "{w}"
    );
    assert!(!w.contains(&token.refresh_token()), "no secret in the log");
    capi::refresh(&token).expect("the warning told the truth: the grant is live");
}

fn hostile_token(provider: &hostile::Provider) -> capi::Token {
    let params = Params::oauth2();
    params
        .set(Opt::ClientId, hostile::CLIENT_ID)
        .set(Opt::ClientSecret, hostile::CLIENT_SECRET)
        .set(Opt::ConfigurationUrl, &provider.issuer);
    capi::import(Some(&params), r#"{"access_token":"a","refresh_token":"r"}"#).unwrap()
}

/// The RFC 8414 document is held to the same issuer check as the OpenID one.
#[test]
fn an_rfc8414_document_for_another_issuer_is_refused() {
    let provider = hostile::Provider::start();
    provider.set_rfc8414(Some(Reply::json(&json!({
        "issuer": "https://evil.example",
        "revocation_endpoint": format!("{}/revoke", provider.issuer),
    }))));
    let f = capi::revoke(&hostile_token(&provider)).unwrap_err();
    assert_eq!(f.code, Code::Protocol, "{f:?}");
    assert!(
        f.message.contains("RFC 8414 document")
            && f.message.contains("names issuer 'https://evil.example'"),
        "{}",
        f.message
    );
}

/// Both documents are cached together: a second call fetches neither; a provider without an
/// RFC 8414 document is named as such.
#[test]
fn both_documents_are_cached_together() {
    let provider = hostile::Provider::start();
    let token = hostile_token(&provider);
    for _ in 0..2 {
        let f = capi::revoke(&token).unwrap_err();
        assert!(
            f.message
                .contains("the provider publishes no RFC 8414 document"),
            "{}",
            f.message
        );
    }
    assert_eq!(provider.rfc8414_requests(), 1);
}

fn discovered_fresh_for(provider: &hostile::Provider) -> Duration {
    block_on(discovery::discover(
        &provider.issuer,
        &TransportSettings::default(),
    ))
    .unwrap();
    discovery::fresh_for(&provider.issuer).expect("cached")
}

/// Discovery is kept as long as the provider's Cache-Control says, within a minute and a day;
/// an hour when it says nothing; the shorter of the two documents' lifetimes.
#[test]
fn discovery_follows_cache_control_within_floor_and_ceiling() {
    let near = |d: Duration, secs: u64| {
        d <= Duration::from_secs(secs) && d + Duration::from_secs(5) > Duration::from_secs(secs)
    };
    let cases: [(&[(&str, &str)], u64); 5] = [
        (&[], 3600),
        (&[("Cache-Control", "public, max-age=600")], 600),
        (&[("Cache-Control", "max-age=600"), ("Age", "500")], 100),
        (&[("Cache-Control", "no-store")], 60),
        (&[("Cache-Control", "max-age=31536000")], 86400),
    ];
    for (headers, expected) in cases {
        let provider = hostile::Provider::start();
        provider.set_discovery_headers(headers);
        let fresh = discovered_fresh_for(&provider);
        assert!(
            near(fresh, expected),
            "{headers:?}: {fresh:?}, not {expected} s"
        );
    }
    let provider = hostile::Provider::start();
    provider.set_discovery_headers(&[("Cache-Control", "max-age=7200")]);
    let mut reply = Reply::json(&json!({"issuer": provider.issuer}));
    reply.headers = vec![("Cache-Control".into(), "max-age=300".into())];
    provider.set_rfc8414(Some(reply));
    assert!(near(discovered_fresh_for(&provider), 300));
}

/// The provider's keys too: kept as their Cache-Control says, at least five minutes (an
/// unknown key id fetches them again anyway), at most a day.
#[test]
fn jwks_follow_cache_control_within_floor_and_ceiling() {
    let near = |d: Duration, secs: u64| {
        d <= Duration::from_secs(secs) && d + Duration::from_secs(5) > Duration::from_secs(secs)
    };
    let cases: [(&[(&str, &str)], u64); 4] = [
        (&[], 86400),
        (&[("Cache-Control", "max-age=600")], 600),
        (&[("Cache-Control", "no-cache")], 300),
        (&[("Cache-Control", "max-age=31536000")], 86400),
    ];
    for (headers, expected) in cases {
        let provider = hostile::Provider::start();
        provider.set_jwks_headers(headers);
        let url = format!("{}/jwks", provider.issuer);
        block_on(jwks::keys(
            &url,
            &TransportSettings::default(),
            Need::Cached,
        ))
        .unwrap();
        let fresh = jwks::fresh_for(&url).expect("cached");
        assert!(
            near(fresh, expected),
            "{headers:?}: {fresh:?}, not {expected} s"
        );
    }
}
