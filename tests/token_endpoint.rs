//! The token endpoint against a real oidc-provider, through the C functions: refresh (with
//! and without refresh-token rotation, in a fresh process from serialized bytes), every client
//! authentication method, client credentials, the JWT bearer grant, revocation,
//! introspection and discovery.

mod support;

use authtoken::result::auth_result;
use authtoken_core::config::{Kind, ParamOption};
use authtoken_core::secret::Secret;
use std::process::Command;
use std::sync::LazyLock;
use std::time::Duration;
use support::capi::{self, Code, Opt, Params, Token};
use support::{
    CONF_BASIC, CONF_POST, JWT_SERVICE, PKJWT_EC, PKJWT_RSA, PUBLIC_APP, Provider, SERVICE,
    TestClient, authorization_code, first_token_json, key_path,
};

const SCOPE: &str = "openid profile email offline_access";

/// One provider with the defaults (rotation on) for the tests that do not count requests.
static SHARED: LazyLock<Provider> = LazyLock::new(|| Provider::start("{}"));

/// Params for `client` at `provider` with explicit endpoints.
fn params_for(provider: &Provider, client: &TestClient) -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, client.id)
        .set(Opt::TokenUrl, &provider.token_endpoint())
        .set(Opt::RevocationUrl, &provider.revocation_endpoint())
        .set(Opt::IntrospectionUrl, &provider.introspection_endpoint())
        .set(Opt::ClientAuth, client.auth);
    if let Some(secret) = client.secret {
        p.set(Opt::ClientSecret, secret);
    }
    p
}

/// A first token for `client` (code grant over HTTP), imported with its params.
fn first_token(provider: &Provider, client: &TestClient) -> Token {
    let json = first_token_json(provider, client, SCOPE);
    capi::import(Some(&params_for(provider, client)), &json).expect("import")
}

fn assert_code<T>(r: Result<T, capi::Failure>, code: Code) -> capi::Failure {
    match r {
        Ok(_) => panic!("expected {code:?}, got success"),
        Err(f) => {
            assert_eq!(f.code, code, "{f:?}");
            f
        }
    }
}

#[test]
fn rotation_on_gives_a_new_refresh_token_and_reuse_is_invalid_grant() {
    let provider = Provider::start(r#"{"rotateRefreshToken":true}"#);
    let t0 = first_token(&provider, &PUBLIC_APP);
    let t1 = capi::refresh(&t0).expect("first refresh");
    assert_ne!(t1.refresh_token(), t0.refresh_token());
    assert_ne!(t1.value(), t0.value());
    assert!(t1.is_valid());
    // The old token stays a valid handle with its own values.
    assert!(!t0.refresh_token().is_empty());
    let t2 = capi::refresh(&t1).expect("refresh with the rotated refresh token");
    assert_ne!(t2.refresh_token(), t1.refresh_token());
    // Presenting a spent refresh token is reuse: the provider revokes the grant.
    let f = assert_code(capi::refresh(&t0), Code::InvalidGrant);
    assert_eq!(f.oauth_error, "invalid_grant");
    assert_eq!(f.http_status, 400);
    assert_code(capi::refresh(&t2), Code::InvalidGrant);
    let stats = provider.stats();
    assert_eq!(stats["refresh"], 4, "{stats}");
    assert_eq!(stats["refresh_ok"], 2, "{stats}");
}

#[test]
fn rotation_off_keeps_one_usable_refresh_token_and_short_lived_access_tokens_renew() {
    let provider = Provider::start(r#"{"rotateRefreshToken":false,"accessTokenTTL":2}"#);
    let t0 = first_token(&provider, &CONF_POST);
    let now = authtoken_core::clock::unix_now();
    assert!(
        (now..=now + 3).contains(&t0.expiration()),
        "{}",
        t0.expiration()
    );
    let t1 = capi::refresh(&t0).expect("refresh");
    assert_eq!(t1.refresh_token(), t0.refresh_token());
    // Without rotation the same refresh token works again, from either token.
    let t2 = capi::refresh(&t0).expect("refresh again with the same refresh token");
    assert_eq!(t2.refresh_token(), t0.refresh_token());
    // Past its 2 s lifetime the access token is no longer valid; a refresh renews it.
    std::thread::sleep(Duration::from_millis(3100));
    assert!(!t2.is_valid());
    let t3 = capi::refresh(&t2).expect("refresh after expiry");
    assert!(t3.is_valid());
    assert!(t3.expiration() > t2.expiration());
    assert_eq!(provider.refresh_count(), 3);
}

#[test]
fn openid_refresh_carries_a_new_id_token_and_keeps_the_scope() {
    let provider = &*SHARED;
    let t0 = first_token(provider, &PUBLIC_APP);
    assert!(!t0.id_token().is_empty());
    let t1 = capi::refresh(&t0).expect("refresh");
    assert!(!t1.id_token().is_empty());
    assert_eq!(t1.token_type(), "Bearer");
    assert!(
        t1.scope().split(' ').any(|s| s == "email"),
        "{}",
        t1.scope()
    );
}

/// The child process of `refresh_in_a_fresh_process_from_serialized_bytes`: reads a serialized
/// token, refreshes it with nothing else, writes the new token's serialization.
fn child_refreshes_serialized_token(dir: &std::path::Path) {
    let bytes = std::fs::read(dir.join("in.bin")).expect("in.bin");
    let token = Token::deserialize(&bytes).expect("deserialize");
    match capi::refresh(&token) {
        Ok(fresh) => std::fs::write(dir.join("out.bin"), fresh.serialize()).expect("out.bin"),
        Err(f) => std::fs::write(dir.join("error.txt"), format!("{f:?}")).expect("error.txt"),
    }
}

#[test]
fn refresh_in_a_fresh_process_from_serialized_bytes() {
    // This test run again as a child process (not a test of its own, which would show as
    // ignored in every run).
    if let Some(dir) = std::env::var_os("AUTHTOKEN_CHILD_DIR") {
        return child_refreshes_serialized_token(std::path::Path::new(&dir));
    }
    let provider = Provider::start(r#"{"rotateRefreshToken":true}"#);
    for client in [CONF_BASIC, PUBLIC_APP] {
        let t0 = first_token(&provider, &client);
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("in.bin"), t0.serialize()).expect("write");
        let status = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "--exact",
                "refresh_in_a_fresh_process_from_serialized_bytes",
                "--test-threads=1",
            ])
            .env("AUTHTOKEN_CHILD_DIR", dir.path())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("child process");
        assert!(status.success(), "child exited with {status}");
        let error = std::fs::read_to_string(dir.path().join("error.txt")).unwrap_or_default();
        assert_eq!(error, "", "the child's refresh failed");
        let fresh = Token::deserialize(&std::fs::read(dir.path().join("out.bin")).unwrap())
            .expect("child's token");
        assert_ne!(fresh.value(), t0.value());
        assert_ne!(fresh.refresh_token(), t0.refresh_token());
        // The child's token refreshes here too: the rotated refresh token is usable.
        capi::refresh(&fresh).expect("refresh of the child's token");
    }
    assert_eq!(provider.stats()["refresh_ok"], 4);
}

#[test]
fn revoked_refresh_token_is_invalid_grant() {
    let provider = &*SHARED;
    let t0 = first_token(provider, &CONF_BASIC);
    capi::revoke(&t0).expect("revoke");
    let f = assert_code(capi::refresh(&t0), Code::InvalidGrant);
    assert_eq!(f.oauth_error, "invalid_grant");
    // Revoking the refresh token ended the grant: its access token is inactive too.
    let answer = capi::introspect(&t0).expect("introspect");
    assert_eq!(answer["active"], false, "{answer}");
}

#[test]
fn secret_based_and_public_clients_refresh() {
    let provider = &*SHARED;
    for client in [CONF_POST, CONF_BASIC, PUBLIC_APP] {
        let t0 = first_token(provider, &client);
        let t1 =
            capi::refresh(&t0).unwrap_or_else(|f| panic!("refresh as {} failed: {f:?}", client.id));
        assert!(t1.is_valid(), "{}", client.id);
    }
}

#[test]
fn conf_basic_client_may_post_its_secret_but_never_both() {
    // The provider accepts either for a secret-based client; the library sends exactly one.
    let provider = &*SHARED;
    let t0 = first_token(provider, &CONF_BASIC);
    let as_post = TestClient {
        auth: "post",
        ..CONF_BASIC
    };
    let again = capi::import(
        Some(&params_for(provider, &as_post)),
        &format!(
            r#"{{"access_token":"x","refresh_token":"{}"}}"#,
            t0.refresh_token()
        ),
    )
    .unwrap();
    capi::refresh(&again).expect("refresh with the secret in the body");
}

#[test]
fn wrong_secret_is_invalid_client() {
    let provider = &*SHARED;
    for client in [CONF_POST, CONF_BASIC] {
        let t0 = first_token(provider, &client);
        let wrong = TestClient {
            secret: Some("wrong-secret"),
            ..client
        };
        let t = capi::import(
            Some(&params_for(provider, &wrong)),
            &format!(
                r#"{{"access_token":"x","refresh_token":"{}"}}"#,
                t0.refresh_token()
            ),
        )
        .unwrap();
        let f = assert_code(capi::refresh(&t), Code::InvalidClient);
        assert_eq!(f.oauth_error, "invalid_client", "{}", client.id);
        assert_eq!(f.http_status, 401, "{}", client.id);
        // The right secret still works: nothing was burnt by the failed attempt.
        capi::refresh(&t0).expect("refresh with the right secret");
    }
    let cc = params_for(provider, &SERVICE);
    cc.set(Opt::Flow, "client_credentials")
        .set(Opt::ClientSecret, "wrong-secret");
    assert_code(capi::identify(&cc), Code::InvalidClient);
}

/// Params for a private_key_jwt client with its key.
fn pkjwt_params(
    provider: &Provider,
    client: &TestClient,
    key: &str,
    alg: &str,
    kid: &str,
) -> Params {
    let p = params_for(provider, client);
    p.set(Opt::JwtPrivateKey, key_path(key).to_str().unwrap())
        .set(Opt::JwtAlgorithm, alg)
        .set(Opt::JwtKeyId, kid);
    p
}

#[test]
fn private_key_jwt_authenticates_code_exchange_refresh_and_client_credentials() {
    let provider = &*SHARED;
    for (client, key, alg, kid) in [
        (PKJWT_RSA, "client-rsa.pem", "RS256", "client-rsa"),
        (PKJWT_RSA, "client-rsa.pem", "PS256", "client-rsa"),
        (PKJWT_EC, "client-ec.pem", "ES256", "client-ec"),
    ] {
        // The code exchange through the core (the login flow's call), the rest through C.
        let grant = authorization_code(provider, &client, SCOPE);
        let mut core = authtoken_core::config::Params::new(Kind::OAuth2);
        core.set(ParamOption::ClientId, client.id).unwrap();
        core.set(ParamOption::TokenUrl, &provider.token_endpoint())
            .unwrap();
        core.set(ParamOption::ClientAuth, "private_key_jwt")
            .unwrap();
        core.set(ParamOption::JwtPrivateKey, key_path(key).to_str().unwrap())
            .unwrap();
        core.set(ParamOption::JwtAlgorithm, alg).unwrap();
        core.set(ParamOption::JwtKeyId, kid).unwrap();
        let ctx = authtoken_core::config::ClientContext::from_params(&core);
        let answer = authtoken_core::transport::http::block_on(
            authtoken_core::oauth::grants::exchange_code(
                &ctx,
                &Secret::new(grant.code),
                &grant.redirect_uri,
                Some(&Secret::new(grant.code_verifier)),
            ),
        )
        .unwrap_or_else(|e| panic!("code exchange as {} with {alg}: {e:?}", client.id));
        let p = pkjwt_params(provider, &client, key, alg, kid);
        let t0 = capi::import(Some(&p), answer.raw.expose()).unwrap();
        let t1 = capi::refresh(&t0)
            .unwrap_or_else(|f| panic!("refresh as {} with {alg}: {f:?}", client.id));
        assert!(t1.is_valid());
        // Introspection and revocation authenticate the same way.
        assert_eq!(capi::introspect(&t1).unwrap()["active"], true);
        p.set(Opt::Flow, "client_credentials");
        let cc = capi::identify(&p)
            .unwrap_or_else(|f| panic!("client credentials as {} with {alg}: {f:?}", client.id));
        assert!(cc.is_valid());
        capi::revoke(&t1).expect("revoke");
    }
}

#[test]
fn private_key_jwt_with_a_key_the_client_did_not_register_is_invalid_client() {
    let provider = &*SHARED;
    let p = pkjwt_params(
        provider,
        &PKJWT_RSA,
        "provider-signing-rsa.pem",
        "RS256",
        "client-rsa",
    );
    p.set(Opt::Flow, "client_credentials");
    let f = assert_code(capi::identify(&p), Code::InvalidClient);
    assert_eq!(f.oauth_error, "invalid_client");
}

#[test]
fn client_credentials_through_auth_identify() {
    let provider = &*SHARED;
    let p = params_for(provider, &SERVICE);
    p.set(Opt::Flow, "client_credentials")
        .set(Opt::Scope, "api:read");
    let t = capi::identify(&p).expect("client credentials");
    assert!(t.is_valid());
    assert_eq!(t.scope(), "api:read");
    assert_eq!(t.refresh_token(), "");
    assert_code(capi::refresh(&t), Code::NotRefreshable);
    let answer = capi::introspect(&t).expect("introspect");
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(answer["client_id"], "service", "{answer}");
    // A scope the client may not have: an OAuth error other than the listed ones.
    p.set(Opt::Scope, "api:read email");
    let f = assert_code(capi::identify(&p), Code::OAuth);
    assert_eq!(f.oauth_error, "invalid_scope");
}

fn jwt_params(provider: &Provider, key: &str, alg: &str, kid: &str) -> Params {
    let p = Params::jwt();
    p.set(Opt::ClientId, JWT_SERVICE.id)
        .set(Opt::TokenUrl, &provider.token_endpoint())
        .set(Opt::IntrospectionUrl, &provider.introspection_endpoint())
        .set(Opt::JwtPrivateKey, key_path(key).to_str().unwrap())
        .set(Opt::JwtAlgorithm, alg)
        .set(Opt::JwtKeyId, kid);
    p
}

#[test]
fn jwt_bearer_grant_through_auth_identify() {
    let provider = &*SHARED;
    for (key, alg, kid) in [
        ("client-rsa.pem", "RS256", "client-rsa"),
        ("client-ec.pem", "ES256", "client-ec"),
    ] {
        let p = jwt_params(provider, key, alg, kid);
        p.set(Opt::Scope, "api:read");
        let t = capi::identify(&p).unwrap_or_else(|f| panic!("JWT bearer with {alg}: {f:?}"));
        assert!(t.is_valid());
        assert_eq!(t.scope(), "api:read");
        let answer = capi::introspect(&t).expect("introspect");
        assert_eq!(answer["active"], true, "{answer}");
        // The subject defaults to the client id.
        assert_eq!(answer["sub"], JWT_SERVICE.id, "{answer}");
        p.set(Opt::JwtSubject, "svc-user-7");
        let t = capi::identify(&p).expect("JWT bearer with a subject");
        assert_eq!(capi::introspect(&t).unwrap()["sub"], "svc-user-7");
    }
    // An assertion signed by a key the client did not register is refused.
    let wrong = jwt_params(provider, "provider-signing-rsa.pem", "RS256", "client-rsa");
    let f = assert_code(capi::identify(&wrong), Code::InvalidGrant);
    assert_eq!(f.oauth_error, "invalid_grant");
    assert_eq!(f.http_status, 400);
}

#[test]
fn created_jwt_assertion_is_accepted_by_the_provider() {
    let provider = &*SHARED;
    let p = jwt_params(provider, "client-rsa.pem", "RS256", "client-rsa");
    p.set(Opt::JwtSubject, "host-made");
    let jwt = capi::create_jwt_assertion(&p).expect("assertion");
    let claims = capi::jwt_claims(&jwt);
    assert_eq!(claims["iss"], JWT_SERVICE.id);
    assert_eq!(claims["sub"], "host-made");
    assert_eq!(claims["aud"], provider.token_endpoint());
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    // The host sends it itself.
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&client_id={}&assertion={jwt}",
        JWT_SERVICE.id
    );
    let status = authtoken_core::transport::http::block_on(async {
        let r = authtoken_core::transport::http::send(
            &authtoken_core::config::TransportSettings::default(),
            &authtoken_core::transport::http::Request {
                url: provider.token_endpoint(),
                form: Some(
                    url::form_urlencoded::parse(body.as_bytes())
                        .map(|(k, v)| (k.into_owned(), Secret::new(v.into_owned())))
                        .collect(),
                ),
                ..Default::default()
            },
        )
        .await
        .expect("POST");
        r.status
    });
    assert_eq!(status, 200);
    // Without a key there is nothing to sign with.
    let none = Params::jwt();
    none.set(Opt::ClientId, "x")
        .set(Opt::TokenUrl, &provider.token_endpoint());
    assert_code(capi::create_jwt_assertion(&none), Code::InvalidArgument);
}

#[test]
fn revocation_of_an_access_token_and_introspection() {
    let provider = &*SHARED;
    let p = params_for(provider, &SERVICE);
    p.set(Opt::Flow, "client_credentials");
    let t = capi::identify(&p).unwrap();
    assert_eq!(capi::introspect(&t).unwrap()["active"], true);
    capi::revoke(&t).expect("revoke the access token");
    assert_eq!(capi::introspect(&t).unwrap()["active"], false);
    // Revoking again (unknown token) succeeds (RFC 7009 §2.2).
    capi::revoke(&t).expect("revoke again");
}

#[test]
fn no_revocation_or_introspection_endpoint_is_unsupported() {
    let provider = &*SHARED;
    let p = Params::oauth2();
    p.set(Opt::ClientId, "public-app")
        .set(Opt::TokenUrl, &provider.token_endpoint());
    let t = capi::import(Some(&p), r#"{"access_token":"a","refresh_token":"r"}"#).unwrap();
    assert_code(capi::revoke(&t), Code::Unsupported);
    assert_code(capi::introspect(&t), Code::Unsupported);
}

#[test]
fn not_refreshable_without_refresh_token_or_token_endpoint() {
    let t = capi::import(None, r#"{"access_token":"a","refresh_token":"r"}"#).unwrap();
    let f = assert_code(capi::refresh(&t), Code::NotRefreshable);
    assert!(f.message.contains("token endpoint"), "{}", f.message);
    let p = Params::oauth2();
    p.set(Opt::TokenUrl, "http://127.0.0.1:9/token");
    let t = capi::import(Some(&p), r#"{"access_token":"a"}"#).unwrap();
    let f = assert_code(capi::refresh(&t), Code::NotRefreshable);
    assert!(f.message.contains("refresh token"), "{}", f.message);
    // NULL handles are invalid arguments, never crashes.
    let mut out = std::ptr::null_mut();
    // SAFETY: NULL is what is being tested.
    let r = unsafe { authtoken::token_endpoint::auth_refresh_token(std::ptr::null(), &mut out) };
    assert_eq!(r, Code::InvalidArgument);
    assert!(out.is_null());
}

#[test]
fn discovery_with_the_issuer_and_with_the_document_url() {
    let provider = Provider::start("{}");
    for configuration_url in [provider.issuer.clone(), provider.discovery_url()] {
        let p = Params::openid();
        p.set(Opt::ClientId, PUBLIC_APP.id)
            .set(Opt::ConfigurationUrl, &configuration_url);
        let json = first_token_json(&provider, &PUBLIC_APP, SCOPE);
        let t0 = capi::import(Some(&p), &json).unwrap();
        // Token, revocation and introspection endpoints all come from discovery.
        let t1 =
            capi::refresh(&t0).unwrap_or_else(|f| panic!("refresh via {configuration_url}: {f:?}"));
        // The refreshed ID token was validated (OpenID): the identity reads its subject.
        assert!(!t1.id_token().is_empty());
        assert_eq!(subject_of(&t1), "alice");
        assert_eq!(capi::introspect(&t1).unwrap()["active"], true);
        capi::revoke(&t1).expect("revoke via discovery");
        assert_code(capi::refresh(&t1), Code::InvalidGrant);
    }
    // OAuth 2.0 params with only a discovery URL: the refresh learns the token endpoint there.
    let p = Params::oauth2();
    p.set(Opt::ClientId, PUBLIC_APP.id)
        .set(Opt::ConfigurationUrl, &provider.issuer);
    let json = first_token_json(&provider, &PUBLIC_APP, SCOPE);
    let t0 = capi::import(Some(&p), &json).unwrap();
    assert!(
        capi::refresh(&t0)
            .expect("OAuth 2.0 refresh via discovery")
            .is_valid()
    );
    // Client credentials with OAuth 2.0 params and a discovery URL.
    let p = Params::oauth2();
    p.set(Opt::ClientId, SERVICE.id)
        .set(Opt::ClientSecret, SERVICE.secret.unwrap())
        .set(Opt::ClientAuth, "basic")
        .set(Opt::Flow, "client_credentials")
        .set(Opt::ConfigurationUrl, &provider.issuer);
    assert!(
        capi::identify(&p)
            .expect("client credentials via discovery")
            .is_valid()
    );
}

/// `auth_read_identity(token)` → the subject.
fn subject_of(token: &Token) -> String {
    use authtoken::identity::{auth_identity_free, auth_identity_subject, auth_read_identity};
    let mut identity = std::ptr::null_mut();
    // SAFETY: a live token handle; the identity is freed below.
    let r = unsafe { auth_read_identity(token.as_ptr(), &mut identity) };
    assert_eq!(r, auth_result::AUTH_OK);
    // SAFETY: a live identity; the string is copied before the identity is freed.
    let sub = unsafe { std::ffi::CStr::from_ptr(auth_identity_subject(identity)) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: made by auth_read_identity, freed once.
    unsafe { auth_identity_free(identity) };
    sub
}

#[test]
fn discovery_issuer_mismatch_is_protocol() {
    let provider = &*SHARED;
    // Same server under another name: the document names 127.0.0.1, not localhost.
    let impostor = format!("http://localhost:{}", provider.port);
    let p = Params::openid();
    p.set(Opt::ClientId, PUBLIC_APP.id)
        .set(Opt::ConfigurationUrl, &impostor);
    let t = capi::import(Some(&p), r#"{"access_token":"a","refresh_token":"r"}"#).unwrap();
    let f = assert_code(capi::refresh(&t), Code::Protocol);
    assert!(f.message.contains("issuer"), "{}", f.message);
    p.set(Opt::Flow, "client_credentials");
    assert_code(capi::identify(&p), Code::Protocol);
}
