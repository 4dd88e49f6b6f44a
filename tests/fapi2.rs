//! The fapi2 profile against oidc-provider with its FAPI 2.0 profile on for the client
//! "fapi-app" (server.mjs `{"fapi":true,"dpopNonce":true}`: PAR required for the client,
//! DPoP-bound tokens, PS256 ID tokens, client assertions whose audience must be the issuer):
//! with nothing but the profile, a client id, the issuer and its key, the library signs in,
//! refreshes and reads the user as the profile asks.

mod support;

use std::sync::OnceLock;
use support::capi::{self, Code, Login, Opt, Params};
use support::{Provider, REDIRECT_URI, login_over_http, query_names};

fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start(r#"{"fapi":true,"dpopNonce":true}"#))
}

/// The profile, the client, the issuer and the client's key: nothing else.
fn params(p: &Provider) -> Params {
    let params = Params::openid();
    params
        .set(Opt::Profile, "fapi2")
        .set(Opt::ClientId, "fapi-app")
        .set(Opt::ConfigurationUrl, &p.issuer)
        .ec_client_key()
        // The profile's own default: private_key_jwt, since a key is set.
        .reset_option(Opt::ClientAuth);
    params
}

fn id_token_alg(jwt: &str) -> String {
    use base64::Engine;
    let header = jwt.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    header["alg"].as_str().unwrap().to_owned()
}

#[test]
fn a_fapi2_login_refresh_and_userinfo() {
    let p = provider();
    let params = params(p);
    params
        .set(Opt::RedirectUrl, REDIRECT_URI)
        .set(Opt::Scope, "openid offline_access")
        .set(Opt::AdditionalParameters, "prompt=consent");
    let login = Login::begin(&params).expect("begin");
    let url = login.url();
    assert_eq!(query_names(&url), ["client_id", "request_uri"], "pushed");
    let token = login
        .complete(&login_over_http(&url))
        .expect("a FAPI 2.0 login");
    assert_eq!(token.token_type(), "DPoP");
    assert_eq!(id_token_alg(&token.id_token()), "PS256");
    let fresh = capi::refresh(&token).expect("refresh (client assertion for the issuer)");
    assert_eq!(fresh.dpop_jkt(), token.dpop_jkt());
    assert_eq!(
        capi::get_user_info(&fresh)
            .expect("userinfo with a proof")
            .subject(),
        "alice"
    );
}

#[test]
fn client_credentials_under_fapi2() {
    let p = provider();
    let params = params(p);
    params.set(Opt::Flow, "client_credentials");
    let token = capi::identify(&params).expect("client credentials");
    assert_eq!(token.token_type(), "DPoP");
    // The assertion the library signs for this client names the issuer alone.
    let assertion = capi::create_jwt_assertion(&params).unwrap();
    assert_eq!(capi::jwt_claims(&assertion)["aud"], p.issuer);
}

#[test]
fn without_the_profile_the_provider_refuses_what_the_profile_would_have_fixed() {
    let p = provider();
    let params = params(p);
    params
        .set(Opt::Profile, "default")
        .set(Opt::ClientAuth, "private_key_jwt")
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Dpop, "on");
    // The default audience of a client assertion is the token endpoint: FAPI 2.0 wants the
    // issuer (§5.3.3.1-5), and oidc-provider under FAPI 2.0 refuses anything else.
    let f = capi::identify(&params).expect_err("the token endpoint as audience");
    assert_eq!(f.code, Code::InvalidClient, "{f:?}");
    params.set(Opt::JwtAudience, &p.issuer);
    capi::identify(&params).expect("with the issuer as audience");
    // Under fapi2, an audience that is not the issuer is refused before the token request.
    params
        .set(Opt::Profile, "fapi2")
        .reset_option(Opt::ClientAuth)
        .reset_option(Opt::Dpop)
        .set(Opt::JwtAudience, &p.token_endpoint());
    let f = capi::identify(&params).expect_err("another audience under fapi2");
    assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
    assert!(f.message.contains("§5.3.3.1-5"), "{}", f.message);
}
