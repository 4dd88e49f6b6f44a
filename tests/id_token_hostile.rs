//! The ID-token validator against a hostile provider (tests/hostile_provider): every check of
//! OpenID Connect Core §3.1.3.7 refuses what it must, the good paths pass, and the key cache
//! follows a key rotation; its callers (the login's code exchange, the refresh, through the C
//! API) give it what they must check.

mod support;

use authtoken_core::config::ClientContext;
use authtoken_core::config::{Kind, ParamOption, Params};
use authtoken_core::error::{ErrorKind, Result};
use authtoken_core::oidc::id_token::{Expectations, validate};
use authtoken_core::transport::http::block_on;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value, json};
use support::capi;
use support::hostile_provider::{
    ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, Provider, Reply, TestKey, now, tampered, unsigned,
};

fn context(p: &Provider, secret: Option<&str>, client_auth: Option<&str>) -> ClientContext {
    let mut params = Params::new(Kind::OpenId);
    params.set(ParamOption::ClientId, CLIENT_ID).unwrap();
    params
        .set(ParamOption::ConfigurationUrl, &p.issuer)
        .unwrap();
    for (option, value) in [
        (ParamOption::ClientSecret, secret),
        (ParamOption::ClientAuth, client_auth),
    ] {
        if let Some(value) = value {
            params.set(option, value).unwrap();
        }
    }
    params.set(ParamOption::ClockSkew, "30").unwrap();
    ClientContext::from_params(&params)
}

fn check(p: &Provider, jwt: &str, nonce: Option<&str>) -> Result<Map<String, Value>> {
    check_with(&context(p, None, None), jwt, nonce)
}

fn check_with(ctx: &ClientContext, jwt: &str, nonce: Option<&str>) -> Result<Map<String, Value>> {
    block_on(validate(
        ctx,
        jwt,
        &Expectations {
            nonce,
            ..Expectations::default()
        },
    ))
}

/// The error kind and message, printed so the report can list each hostile case.
fn refused(case: &str, r: Result<Map<String, Value>>) -> ErrorKind {
    refusal(case, r).0
}

/// The error kind and message of a refusal.
fn refusal(case: &str, r: Result<Map<String, Value>>) -> (ErrorKind, String) {
    let e = r.expect_err(case);
    println!("{case}: {:?}: {}", e.kind(), e.message());
    (e.kind(), e.message().to_owned())
}

fn rsa_provider() -> (Provider, TestKey) {
    let p = Provider::start();
    let k = TestKey::rsa(1, Algorithm::RS256, Some("r1"));
    p.set_keys(&[&k]);
    (p, k)
}

#[test]
fn good_rs256() {
    let (p, k) = rsa_provider();
    let claims = check(&p, &k.sign(&p.claims(Some("n-1"))), Some("n-1")).unwrap();
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["nonce"], "n-1");
}

#[test]
fn good_es256_es384_ps256_eddsa() {
    let p = Provider::start();
    let es256 = TestKey::ec(Algorithm::ES256, Some("e1"));
    let es384 = TestKey::ec(Algorithm::ES384, Some("e2"));
    let ps256 = TestKey::rsa(2, Algorithm::PS256, Some("p1"));
    let ed = TestKey::ed25519(Some("d1"));
    p.set_keys(&[&es256, &es384, &ps256, &ed]);
    for k in [&es256, &es384, &ps256, &ed] {
        let claims = check(&p, &k.sign(&p.claims(None)), None)
            .unwrap_or_else(|e| panic!("{:?}: {e:?}", k.alg));
        assert_eq!(claims["aud"], CLIENT_ID);
    }
    assert_eq!(
        p.jwks_fetches(),
        1,
        "the key set is fetched once and cached"
    );
}

#[test]
fn good_rs384_rs512_ps384_ps512() {
    let p = Provider::start();
    let keys = [
        TestKey::rsa(1, Algorithm::RS384, Some("r384")),
        TestKey::rsa(1, Algorithm::RS512, Some("r512")),
        TestKey::rsa(2, Algorithm::PS384, Some("p384")),
        TestKey::rsa(2, Algorithm::PS512, Some("p512")),
    ];
    p.set_keys(&keys.iter().collect::<Vec<_>>());
    for k in &keys {
        check(&p, &k.sign(&p.claims(None)), None).unwrap_or_else(|e| panic!("{:?}: {e:?}", k.alg));
    }
}

#[test]
fn good_hs256_with_client_secret_basic_and_post() {
    let p = Provider::start();
    let k = TestKey::secret(Algorithm::HS256, CLIENT_SECRET);
    for auth in ["basic", "post"] {
        let ctx = context(&p, Some(CLIENT_SECRET), Some(auth));
        // The token endpoint authenticates the client the configured way and answers an ID
        // token signed with the secret it checked.
        let id_token = k.sign(&p.claims(Some("n-hs")));
        p.set_token(support::hostile_provider::Reply::json(&json!({
            "access_token": support::hostile_provider::ACCESS_TOKEN, "token_type": "Bearer",
            "expires_in": 300, "id_token": id_token,
        })));
        let mut request = authtoken_core::transport::http::Request::post_form(
            &format!("{}/token", p.issuer),
            vec![(
                "grant_type".into(),
                authtoken_core::secret::Secret::new("authorization_code"),
            )],
        );
        if auth == "basic" {
            request.basic = Some(authtoken_core::transport::http::BasicAuth {
                user: CLIENT_ID.into(),
                password: authtoken_core::secret::Secret::new(CLIENT_SECRET),
            });
        } else {
            request.form.as_mut().unwrap().push((
                "client_secret".into(),
                authtoken_core::secret::Secret::new(CLIENT_SECRET),
            ));
        }
        let answer = block_on(authtoken_core::transport::http::send(
            ctx.transport(),
            &request,
        ))
        .unwrap();
        assert_eq!(answer.status, 200, "{auth}");
        let answer =
            authtoken_core::token::parse_token_response(answer.text().unwrap(), 200).unwrap();
        let claims = block_on(validate(
            &ctx,
            answer.id_token.as_ref().unwrap().expose(),
            &Expectations {
                nonce: Some("n-hs"),
                access_token: Some(answer.access_token.expose()),
                previous_claims: None,
                ..Expectations::default()
            },
        ))
        .unwrap();
        assert_eq!(claims["sub"], "user-1");
    }
    assert_eq!(p.state.lock().unwrap().token_client_auth, ["basic", "post"]);
    // HS384/512 too
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        let k = TestKey::secret(alg, CLIENT_SECRET);
        let ctx = context(&p, Some(CLIENT_SECRET), None);
        check_with(&ctx, &k.sign(&p.claims(None)), None).unwrap();
    }
}

#[test]
fn hs256_refused_for_public_client_and_wrong_secret() {
    let p = Provider::start();
    let k = TestKey::secret(Algorithm::HS256, CLIENT_SECRET);
    let jwt = k.sign(&p.claims(None));
    assert_eq!(
        refused("HS256 for a public client", check(&p, &jwt, None)),
        ErrorKind::IdToken
    );
    let other = TestKey::secret(Algorithm::HS256, "another-secret-of-some-length-0123");
    let ctx = context(&p, Some(CLIENT_SECRET), None);
    assert_eq!(
        refused(
            "HS256 with another secret",
            check_with(&ctx, &other.sign(&p.claims(None)), None)
        ),
        ErrorKind::IdToken
    );
}

#[test]
fn wrong_audience() {
    let (p, k) = rsa_provider();
    let mut c = p.claims(None);
    c["aud"] = json!("someone-else");
    assert_eq!(
        refused("wrong audience", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    // several audiences: azp must name us
    c["aud"] = json!([CLIENT_ID, "someone-else"]);
    assert_eq!(
        refused("several audiences, no azp", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    c["azp"] = json!("someone-else");
    assert_eq!(
        refused("azp of another client", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    c["azp"] = json!(CLIENT_ID);
    check(&p, &k.sign(&c), None).unwrap();
}

#[test]
fn without_iat() {
    let (p, k) = rsa_provider();
    let mut c = p.claims(None);
    c.as_object_mut().unwrap().remove("iat");
    assert_eq!(
        refused("without iat", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
}

#[test]
fn without_sub() {
    let (p, k) = rsa_provider();
    let mut c = p.claims(None);
    c.as_object_mut().unwrap().remove("sub");
    assert_eq!(
        refused("without sub", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    c["sub"] = json!("");
    assert_eq!(
        refused("empty sub", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
}

#[test]
fn wrong_issuer() {
    let (p, k) = rsa_provider();
    let mut c = p.claims(None);
    c["iss"] = json!("http://127.0.0.1:1");
    let (kind, message) = refusal("wrong issuer", check(&p, &k.sign(&c), None));
    assert_eq!(kind, ErrorKind::IdToken);
    assert!(
        message.contains("http://127.0.0.1:1") && message.contains(&p.issuer),
        "names both issuers: {message}"
    );
    // exact comparison: a trailing slash is another issuer
    c["iss"] = json!(format!("{}/", p.issuer));
    assert_eq!(
        refused("issuer with a trailing slash", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
}

#[test]
fn expired_and_not_yet_valid_with_clock_skew() {
    let (p, k) = rsa_provider();
    let now = now();
    let mut c = p.claims(None);
    c["exp"] = json!(now - 60); // skew is 30 s
    assert_eq!(
        refused("expired", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    c["exp"] = json!(now - 10); // within the skew
    check(&p, &k.sign(&c), None).unwrap();
    let mut c = p.claims(None);
    c["iat"] = json!(now + 600);
    assert_eq!(
        refused("issued in the future", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    let mut c = p.claims(None);
    c["nbf"] = json!(now + 600);
    assert_eq!(
        refused("nbf in the future", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
    let mut c = p.claims(None);
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        refused("without exp", check(&p, &k.sign(&c), None)),
        ErrorKind::IdToken
    );
}

#[test]
fn bad_rs256_signature() {
    let (p, k) = rsa_provider();
    let jwt = tampered(&k.sign(&p.claims(None)));
    let (kind, message) = refusal("bad RS256 signature", check(&p, &jwt, None));
    assert_eq!(kind, ErrorKind::IdToken);
    assert!(message.contains("RS256"), "names the algorithm: {message}");
    // signed by another RSA key claiming the provider's kid
    let impostor = TestKey::rsa(3, Algorithm::RS256, Some("r1"));
    let jwt = impostor.sign(&p.claims(None));
    assert_eq!(
        refused(
            "RS256 by an impostor key with the right kid",
            check(&p, &jwt, None)
        ),
        ErrorKind::IdToken
    );
}

#[test]
fn bad_es256_signature() {
    let p = Provider::start();
    let k = TestKey::ec(Algorithm::ES256, Some("e1"));
    p.set_keys(&[&k]);
    let jwt = tampered(&k.sign(&p.claims(None)));
    assert_eq!(
        refused("bad ES256 signature", check(&p, &jwt, None)),
        ErrorKind::IdToken
    );
}

#[test]
fn alg_confusion_is_refused() {
    // An RS256 key's public JWK used as an HMAC secret must not verify anything.
    let (p, k) = rsa_provider();
    let n = k.jwk["n"].as_str().unwrap().to_owned();
    let forged = TestKey::secret(Algorithm::HS256, &n);
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.kid = Some("r1".into());
    let jwt = jsonwebtoken::encode(&header, &p.claims(None), &forged.encoding).unwrap();
    assert_eq!(
        refused("HS256 forged with the public key", check(&p, &jwt, None)),
        ErrorKind::IdToken
    );
    // An RS256 header over an ES256 key of the same kid
    let ec = TestKey::ec(Algorithm::ES256, Some("r1"));
    p.set_keys(&[&ec]);
    let jwt = k.sign(&p.claims(None));
    let _ = refused(
        "RS256 token, only an EC key with that kid",
        check(&p, &jwt, None),
    );
}

#[test]
fn signed_with_none() {
    let (p, _) = rsa_provider();
    let (kind, message) = refusal("alg none", check(&p, &unsigned(&p.claims(None)), None));
    assert_eq!(kind, ErrorKind::IdToken);
    assert!(message.contains("not signed"), "{message}");
}

#[test]
fn nonce_differs_or_is_missing() {
    let (p, k) = rsa_provider();
    let jwt = k.sign(&p.claims(Some("their-nonce")));
    assert_eq!(
        refused("nonce differs", check(&p, &jwt, Some("our-nonce"))),
        ErrorKind::IdToken
    );
    let jwt = k.sign(&p.claims(None));
    assert_eq!(
        refused("nonce missing", check(&p, &jwt, Some("our-nonce"))),
        ErrorKind::IdToken
    );
}

#[test]
fn at_hash_is_checked_when_present() {
    let (p, k) = rsa_provider();
    let mut c = p.claims(None);
    c["at_hash"] = json!(authtoken_core::oidc::id_token::token_hash(
        "the-access-token",
        Algorithm::RS256
    ));
    let jwt = k.sign(&c);
    let ctx = context(&p, None, None);
    let with_at = |at: &str| {
        block_on(validate(
            &ctx,
            &jwt,
            &Expectations {
                access_token: Some(at),
                ..Expectations::default()
            },
        ))
    };
    with_at("the-access-token").unwrap();
    assert_eq!(
        refused("at_hash mismatch", with_at("another-access-token")),
        ErrorKind::IdToken
    );
}

#[test]
fn no_kid_with_one_key_is_accepted() {
    let p = Provider::start();
    let k = TestKey::rsa(1, Algorithm::RS256, None);
    p.set_keys(&[&k]);
    check(&p, &k.sign_without_kid(&p.claims(None)), None).unwrap();
}

#[test]
fn no_kid_with_several_keys_accepts_only_the_one_that_verifies() {
    let p = Provider::start();
    let a = TestKey::rsa(1, Algorithm::RS256, Some("a"));
    let b = TestKey::rsa(2, Algorithm::RS256, Some("b"));
    let e = TestKey::ec(Algorithm::ES256, Some("e"));
    p.set_keys(&[&a, &b, &e]);
    check(&p, &b.sign_without_kid(&p.claims(None)), None).unwrap();
    check(&p, &a.sign_without_kid(&p.claims(None)), None).unwrap();
    let stranger = TestKey::rsa(3, Algorithm::RS256, None);
    assert_eq!(
        refused(
            "no kid, signed by a key not in the set",
            check(&p, &stranger.sign_without_kid(&p.claims(None)), None)
        ),
        ErrorKind::IdToken
    );
}

#[test]
fn key_rotation_is_followed_and_unknown_kids_are_rate_limited() {
    let p = Provider::start();
    let old = TestKey::rsa(1, Algorithm::RS256, Some("2026-old"));
    p.set_keys(&[&old]);
    check(&p, &old.sign(&p.claims(None)), None).unwrap();
    assert_eq!(p.jwks_fetches(), 1);
    check(&p, &old.sign(&p.claims(None)), None).unwrap();
    assert_eq!(p.jwks_fetches(), 1, "cached");
    // the provider rotates: a token signed by the new key has an unknown kid
    let new = TestKey::rsa(2, Algorithm::RS256, Some("2026-new"));
    p.set_keys(&[&new]);
    check(&p, &new.sign(&p.claims(None)), None).unwrap();
    assert_eq!(p.jwks_fetches(), 2, "fetched again for the unknown kid");
    // a forged unknown kid right after does not make us fetch again (once a minute at most)
    let forged = TestKey::rsa(3, Algorithm::RS256, Some("forged"));
    assert_eq!(
        refused(
            "unknown kid",
            check(&p, &forged.sign(&p.claims(None)), None)
        ),
        ErrorKind::IdToken
    );
    assert_eq!(p.jwks_fetches(), 2, "rate-limited");
    // the old key is gone
    assert_eq!(
        refused(
            "rotated-out key",
            check(&p, &old.sign(&p.claims(None)), None)
        ),
        ErrorKind::IdToken
    );
}

#[test]
fn jwks_hostile_documents() {
    let p = Provider::start();
    let k = TestKey::rsa(1, Algorithm::RS256, Some("r1"));
    p.set_jwks(json!("not an object"));
    assert_eq!(
        refused(
            "JWKS not an object",
            check(&p, &k.sign(&p.claims(None)), None)
        ),
        ErrorKind::Protocol
    );

    let p = Provider::start();
    let mut enc = k.jwk.clone();
    enc["use"] = json!("enc");
    p.set_jwks(
        json!({"keys": [enc, {"kty": "RSA", "kid": "r1", "n": 5}, {"kty": "weird", "kid": "r1"}]}),
    );
    assert_eq!(
        refused(
            "JWKS with only an encryption key",
            check(&p, &k.sign(&p.claims(None)), None)
        ),
        ErrorKind::IdToken
    );
}

#[test]
fn discovery_issuer_differs_from_its_url() {
    let (p, k) = rsa_provider();
    p.set_discovery_issuer("https://evil.example");
    assert_eq!(
        refused(
            "discovery issuer differs",
            check(&p, &k.sign(&p.claims(None)), None)
        ),
        ErrorKind::Protocol
    );
}

#[test]
fn refresh_must_keep_iss_sub_aud_nonce() {
    let (p, k) = rsa_provider();
    let first = check(&p, &k.sign(&p.claims(Some("n-0"))), Some("n-0")).unwrap();
    let ctx = context(&p, None, None);
    let refresh = |claims: &Value| {
        block_on(validate(
            &ctx,
            &k.sign(claims),
            &Expectations {
                previous_claims: Some(&first),
                ..Expectations::default()
            },
        ))
    };
    refresh(&p.claims(Some("n-0"))).unwrap();
    refresh(&p.claims(None)).unwrap();
    let mut c = p.claims(Some("n-0"));
    c["sub"] = json!("user-2");
    assert_eq!(
        refused("refresh with another sub", refresh(&c)),
        ErrorKind::IdToken
    );
    let c = p.claims(Some("n-other"));
    assert_eq!(
        refused("refresh with another nonce", refresh(&c)),
        ErrorKind::IdToken
    );
}

#[test]
fn no_issuer_known_is_refused() {
    let (p, k) = rsa_provider();
    let mut params = Params::new(Kind::OpenId);
    params.set(ParamOption::ClientId, CLIENT_ID).unwrap();
    let ctx = ClientContext::from_params(&params);
    assert_eq!(
        refused(
            "no configuration URL",
            check_with(&ctx, &k.sign(&p.claims(None)), None)
        ),
        ErrorKind::IdToken
    );
}

#[test]
fn validate_received_stores_the_claims_for_read_identity() {
    let (p, k) = rsa_provider();
    let ctx = context(&p, None, None);
    let answer = authtoken_core::token::parse_token_response(
        &json!({"access_token": "at", "expires_in": 60, "id_token": k.sign(&p.claims(Some("n-r")))})
            .to_string(),
        200,
    )
    .unwrap();
    let token = authtoken_core::token::Token::from_response(answer, ctx);
    let token = block_on(authtoken_core::oidc::id_token::validate_received(
        token,
        Some("n-r"),
        None,
    ))
    .unwrap();
    let claims: Value = serde_json::from_str(token.id_token_claims().unwrap()).unwrap();
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["nonce"], "n-r");
    let e = block_on(authtoken_core::oidc::id_token::validate_received(
        token.clone(),
        Some("other"),
        None,
    ))
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IdToken);
    // It checks at_hash against the token's own access token, and the previous claims.
    let mut c = p.claims(Some("n-r"));
    c["at_hash"] = json!(authtoken_core::oidc::id_token::token_hash(
        "another-access-token",
        Algorithm::RS256
    ));
    let answer = authtoken_core::token::parse_token_response(
        &json!({"access_token": "at", "expires_in": 60, "id_token": k.sign(&c)}).to_string(),
        200,
    )
    .unwrap();
    let with_other_at_hash =
        authtoken_core::token::Token::from_response(answer, context(&p, None, None));
    let e = block_on(authtoken_core::oidc::id_token::validate_received(
        with_other_at_hash,
        Some("n-r"),
        None,
    ))
    .unwrap_err();
    assert!(e.message().contains("at_hash"), "{e:?}");
    let mut previous = claims.as_object().unwrap().clone();
    previous.insert("sub".into(), json!("user-2"));
    let e = block_on(authtoken_core::oidc::id_token::validate_received(
        token,
        None,
        Some(&previous),
    ))
    .unwrap_err();
    assert!(e.message().contains("sub"), "{e:?}");
}

fn check_expecting(
    p: &Provider,
    jwt: &str,
    expect: &Expectations<'_>,
) -> Result<Map<String, Value>> {
    block_on(validate(&context(p, None, None), jwt, expect))
}

#[test]
fn auth_time_is_required_and_recent_when_max_age_was_sent() {
    let (p, k) = rsa_provider();
    let max_age = Expectations {
        max_age: Some(300),
        ..Expectations::default()
    };
    let mut claims = p.claims(None);
    claims["auth_time"] = json!(now() - 100);
    check_expecting(&p, &k.sign(&claims), &max_age).expect("signed in 100 s ago");
    // The clock skew (30 s here) is allowed beyond max_age, not more.
    claims["auth_time"] = json!(now() - 320);
    check_expecting(&p, &k.sign(&claims), &max_age).expect("within the skew");
    claims["auth_time"] = json!(now() - 400);
    let old = refused(
        "auth_time older than max_age",
        check_expecting(&p, &k.sign(&claims), &max_age),
    );
    assert_eq!(old, ErrorKind::IdToken);
    claims["auth_time"] = json!("yesterday");
    assert_eq!(
        refused(
            "auth_time not a number",
            check_expecting(&p, &k.sign(&claims), &max_age)
        ),
        ErrorKind::IdToken
    );
    claims["auth_time"] = json!(now() + 3600);
    assert_eq!(
        refused(
            "auth_time in the future",
            check_expecting(&p, &k.sign(&claims), &max_age)
        ),
        ErrorKind::IdToken
    );
    claims.as_object_mut().unwrap().remove("auth_time");
    assert_eq!(
        refused(
            "no auth_time with max_age",
            check_expecting(&p, &k.sign(&claims), &max_age)
        ),
        ErrorKind::IdToken
    );
    // Without max_age, auth_time is not required.
    check(&p, &k.sign(&claims), None).expect("no max_age, no auth_time needed");
}

#[test]
fn acr_must_be_one_of_those_asked_for() {
    let (p, k) = rsa_provider();
    let step_up = Expectations {
        acr_values: Some("urn:loa:2 urn:loa:3"),
        ..Expectations::default()
    };
    let mut claims = p.claims(None);
    claims["acr"] = json!("urn:loa:3");
    check_expecting(&p, &k.sign(&claims), &step_up).expect("acr asked for");
    claims["acr"] = json!("urn:loa:1");
    assert_eq!(
        refused(
            "acr not asked for",
            check_expecting(&p, &k.sign(&claims), &step_up)
        ),
        ErrorKind::IdToken
    );
    claims.as_object_mut().unwrap().remove("acr");
    assert_eq!(
        refused("no acr", check_expecting(&p, &k.sign(&claims), &step_up)),
        ErrorKind::IdToken
    );
}

// The callers of the validator, through the C API: each passes what it knows (the login its
// nonce, a refresh the claims of the token it replaces), so that a check the validator has
// cannot be switched off by its caller.

/// OpenID parameters of the hostile provider's confidential client, for the two-step login.
fn c_params(p: &Provider) -> capi::Params {
    let params = capi::Params::openid();
    params
        .set(capi::Opt::ClientId, CLIENT_ID)
        .set(capi::Opt::ClientSecret, CLIENT_SECRET)
        .set(capi::Opt::ConfigurationUrl, &p.issuer)
        .set(capi::Opt::RedirectUrl, support::REDIRECT_URI)
        .set(capi::Opt::Scope, "offline_access");
    params
}

/// The value of `name` in the query of `url`.
fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// The token endpoint's answer: an access and refresh token and an ID token of `claims`.
fn token_answer(k: &TestKey, claims: &Value) -> Reply {
    Reply::json(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300,
        "refresh_token": "refresh-1", "id_token": k.sign(claims),
    }))
}

/// A two-step login through the C API whose code exchange is answered with
/// `answer(the nonce the login sent)`.
fn c_login_answered(
    p: &Provider,
    params: &capi::Params,
    answer: impl Fn(Option<&str>) -> Reply,
) -> std::result::Result<capi::Token, capi::Failure> {
    let login = capi::Login::begin(params).expect("auth_login_begin");
    let url = login.url();
    let nonce = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "nonce")
        .map(|(_, v)| v.into_owned());
    p.set_token(answer(nonce.as_deref()));
    let state = query_param(&url, "state");
    login.complete(&format!(
        "{}?code=code-1&state={state}",
        support::REDIRECT_URI
    ))
}

/// An OpenID login (discovery) whose code exchange is answered with an ID token of the
/// provider's claims and the nonce `nonce_for(sent nonce)`.
fn c_login(
    p: &Provider,
    k: &TestKey,
    nonce_for: impl Fn(&str) -> String,
) -> std::result::Result<capi::Token, capi::Failure> {
    c_login_answered(p, &c_params(p), |sent| {
        let nonce = nonce_for(sent.expect("an OpenID login sends a nonce"));
        token_answer(k, &p.claims(Some(&nonce)))
    })
}

/// Parameters of `kind` with the provider's endpoints set one by one (no configuration URL,
/// so no issuer is known), scope `openid`.
fn c_params_without_discovery(p: &Provider, kind: capi::Kind) -> capi::Params {
    let params = capi::Params::new(kind);
    params
        .set(capi::Opt::ClientId, CLIENT_ID)
        .set(capi::Opt::ClientSecret, CLIENT_SECRET)
        .set(capi::Opt::AuthUrl, &format!("{}/auth", p.issuer))
        .set(capi::Opt::TokenUrl, &format!("{}/token", p.issuer))
        .set(capi::Opt::UserinfoUrl, &format!("{}/userinfo", p.issuer))
        .set(capi::Opt::RedirectUrl, support::REDIRECT_URI)
        .set(capi::Opt::Scope, "openid");
    params
}

#[test]
fn login_refuses_an_id_token_with_another_nonce() {
    let (p, k) = rsa_provider();
    let token = c_login(&p, &k, str::to_owned).expect("the login with its own nonce");
    assert_eq!(
        capi::jwt_claims(&token.id_token())["sub"],
        "user-1",
        "the ID token the login got"
    );
    let f = c_login(&p, &k, |_| "the-nonce-of-another-login".to_owned())
        .expect_err("an ID token with another login's nonce (a replay)");
    assert_eq!(f.code, capi::Code::IdToken, "{f:?}");
    assert!(f.message.contains("nonce"), "{f:?}");
}

#[test]
fn refresh_refuses_an_id_token_for_another_user() {
    let (p, k) = rsa_provider();
    let token = c_login(&p, &k, str::to_owned).expect("login");
    // A refresh answered with the same user's ID token (no nonce: none is sent on refresh).
    p.set_token(token_answer(&k, &p.claims(None)));
    let refreshed = capi::refresh(&token).expect("a refresh for the same user");
    assert_eq!(refreshed.value(), ACCESS_TOKEN);
    // Core §12.2: the new ID token's iss and sub must be those of the one it replaces.
    let mut other = p.claims(None);
    other["sub"] = json!("user-2");
    p.set_token(token_answer(&k, &other));
    for (what, t) in [("the login's", &token), ("the refreshed", &refreshed)] {
        let f = capi::refresh(t).expect_err("an ID token for another user");
        assert_eq!(
            f.code,
            capi::Code::IdToken,
            "refresh of {what} token: {f:?}"
        );
        assert!(f.message.contains("sub"), "{f:?}");
    }
}

/// An ID token that cannot be checked (no issuer known) is never trusted: OAuth2 parameters
/// keep it as received but take the identity from userinfo; OpenID parameters refuse it.
#[test]
fn an_id_token_that_cannot_be_checked_is_never_trusted() {
    let (p, k) = rsa_provider();
    // Claims that would make someone else of the user, were they read.
    let mallory = |nonce: Option<&str>| {
        let mut c = p.claims(nonce);
        c["sub"] = json!("mallory");
        token_answer(&k, &c)
    };
    let oauth2 = c_params_without_discovery(&p, capi::Kind::OAuth2);
    let token = c_login_answered(&p, &oauth2, mallory).expect("an OAuth2 login");
    assert!(!token.id_token().is_empty(), "the ID token is kept");
    let before = p.state.lock().unwrap().userinfo_requests;
    let me = capi::read_identity(&token).expect("the identity, from userinfo");
    assert_eq!(me.subject(), "user-1", "not the unchecked ID token's sub");
    assert_eq!(p.state.lock().unwrap().userinfo_requests, before + 1);

    let openid = c_params_without_discovery(&p, capi::Kind::OpenId);
    let f = c_login_answered(&p, &openid, mallory).expect_err("an OpenID login");
    assert_eq!(f.code, capi::Code::IdToken, "{f:?}");
    assert!(f.message.contains("issuer"), "{f:?}");
}

/// OpenID Connect Core §3.1.3.3: the code flow of an OpenID login always returns an ID token;
/// OAuth2 parameters that ask for `openid` get one only if the provider sends it.
#[test]
fn an_openid_login_without_id_token_is_refused() {
    let (p, _) = rsa_provider();
    let no_id_token = |_: Option<&str>| {
        Reply::json(&json!({
            "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300,
        }))
    };
    let f = c_login_answered(&p, &c_params(&p), no_id_token).expect_err("OpenID, no id_token");
    assert_eq!(f.code, capi::Code::IdToken, "{f:?}");
    let oauth2 = c_params_without_discovery(&p, capi::Kind::OAuth2);
    let token = c_login_answered(&p, &oauth2, no_id_token).expect("OAuth2 asking for openid");
    assert_eq!(token.value(), ACCESS_TOKEN);
    assert_eq!(token.id_token(), "");
}

/// at_hash (Core §3.1.3.6, §3.1.3.8) binds an ID token to the access token it came with: the
/// login and the refresh each give the validator theirs.
#[test]
fn login_and_refresh_check_at_hash_against_their_access_token() {
    let (p, k) = rsa_provider();
    let with_at_hash = |nonce: Option<&str>, of: &str| {
        let mut c = p.claims(nonce);
        c["at_hash"] = json!(authtoken_core::oidc::id_token::token_hash(
            of,
            Algorithm::RS256
        ));
        token_answer(&k, &c)
    };
    let params = c_params(&p);
    let token = c_login_answered(&p, &params, |n| with_at_hash(n, ACCESS_TOKEN))
        .expect("a login whose at_hash is its access token's");
    let f = c_login_answered(&p, &params, |n| with_at_hash(n, "another-access-token"))
        .expect_err("a login whose at_hash is another access token's");
    assert_eq!(f.code, capi::Code::IdToken, "{f:?}");
    assert!(f.message.contains("at_hash"), "{f:?}");
    p.set_token(with_at_hash(None, ACCESS_TOKEN));
    capi::refresh(&token).expect("a refresh whose at_hash is its access token's");
    p.set_token(with_at_hash(None, "another-access-token"));
    let f = capi::refresh(&token).expect_err("a refresh whose at_hash is another's");
    assert_eq!(f.code, capi::Code::IdToken, "{f:?}");
    assert!(f.message.contains("at_hash"), "{f:?}");
}

/// With AUTH_OPT_MAX_AGE the login's ID token must say when the user signed in (auth_time),
/// and that must be recent enough (Core §3.1.3.7 rule 11).
#[test]
fn a_login_with_max_age_checks_auth_time() {
    let (p, k) = rsa_provider();
    let params = c_params(&p);
    params.set(capi::Opt::MaxAge, "60");
    let (p, k) = (&p, &k);
    let signed_in = |at: Option<i64>| {
        move |nonce: Option<&str>| {
            let mut c = p.claims(nonce);
            if let Some(at) = at {
                c["auth_time"] = json!(at);
            }
            token_answer(k, &c)
        }
    };
    c_login_answered(p, &params, signed_in(Some(now() - 10)))
        .expect("signed in 10 s ago, max_age 60 s");
    for (case, at) in [("an hour ago", Some(now() - 3600)), ("no auth_time", None)] {
        let f = c_login_answered(p, &params, signed_in(at)).expect_err(case);
        assert_eq!(f.code, capi::Code::IdToken, "{case}: {f:?}");
        assert!(
            f.message.contains("auth_time") || f.message.contains("max_age"),
            "{f:?}"
        );
    }
}
