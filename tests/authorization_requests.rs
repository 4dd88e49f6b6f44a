//! Modern authorization requests against the real oidc-provider (server.mjs with request
//! objects, rich authorization requests and one resource server): pushed authorization
//! requests (RFC 9126), signed request objects by value and inside the push (RFC 9101), resource
//! indicators (RFC 8707) and authorization details (RFC 9396) on the authorization request, the
//! code exchange, refreshes and the client credentials grant.

mod support;

use std::sync::OnceLock;
use support::capi::{self, Code, Login, Opt, Params, Token};
use support::{
    PKJWT_EC, PUBLIC_APP, Provider, REDIRECT_URI, login_over_http, query_names, query_param,
};

const API: &str = "https://api.example/";
const PAYMENT: &str = r#"[{"type":"payment_initiation","instructedAmount":{"currency":"EUR","amount":"12.00"},"creditorName":"Merchant A"}]"#;

fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| {
        Provider::start(
            r#"{"requestObjects":true,"rar":true,
                "resourceServers":{"https://api.example/":{"scope":"api:read api:write","accessTokenFormat":"jwt"}}}"#,
        )
    })
}

fn params(p: &Provider, client: &str) -> Params {
    let params = Params::openid();
    params
        .set(Opt::ClientId, client)
        .set(Opt::ConfigurationUrl, &p.issuer)
        .set(Opt::RedirectUrl, REDIRECT_URI)
        .set(Opt::Scope, "openid offline_access")
        .set(Opt::AdditionalParameters, "prompt=consent");
    params
}

/// `params` of the private_key_jwt client with the EC key (request objects are signed with it).
fn pkjwt_params(p: &Provider) -> Params {
    let params = self::params(p, PKJWT_EC.id);
    params.ec_client_key();
    params
}

/// Begins, plays the user, completes; also returns the URL the browser was sent to.
fn sign_in(params: &Params) -> Result<(Token, String), capi::Failure> {
    let login = Login::begin(params)?;
    let url = login.url();
    let redirect = login_over_http(&url);
    login.complete(&redirect).map(|t| (t, url))
}

fn authorization_url_origin(url: &str) -> String {
    url.split('?').next().unwrap().to_owned()
}

#[test]
fn a_pushed_request_leaves_only_client_id_and_request_uri_in_the_url() {
    let p = provider();
    let params = params(p, PUBLIC_APP.id);
    params.set(Opt::Par, "on");
    let (token, url) = sign_in(&params).expect("a pushed login");
    assert_eq!(query_names(&url), ["client_id", "request_uri"], "{url}");
    assert_eq!(authorization_url_origin(&url), p.authorization_endpoint());
    assert!(
        query_param(&url, "request_uri")
            .unwrap()
            .starts_with("urn:ietf:params:oauth:request_uri:")
    );
    assert!(!token.id_token().is_empty(), "the ID token was checked");
}

#[test]
fn a_client_that_must_push_fails_unpushed_and_signs_in_pushed() {
    let p = provider();
    let params = params(p, "par-app");
    // This provider's discovery does not require PAR: auto does not push.
    let f = sign_in(&params).expect_err("an unpushed request for a PAR-only client");
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_request");
    params.set(Opt::Par, "on");
    sign_in(&params).expect("pushed");
}

#[test]
fn auto_pushes_when_discovery_requires_it() {
    let p = Provider::start(r#"{"requirePar":true}"#);
    let params = params(&p, PUBLIC_APP.id);
    let (_, url) = sign_in(&params).expect("auto follows require_pushed_authorization_requests");
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    params.set(Opt::Par, "off");
    let f = sign_in(&params).expect_err("PAR off against a provider that requires it");
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_request");
}

#[test]
fn push_errors_map_like_token_endpoint_errors() {
    let p = provider();
    let params = params(p, PUBLIC_APP.id);
    // The path of a loopback redirect must match (the port need not).
    params
        .set(Opt::Par, "on")
        .set(Opt::RedirectUrl, "http://127.0.0.1:9/not-registered");
    let f = Login::begin(&params)
        .err()
        .expect("an unregistered redirect URI is refused at the push");
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_request");
    assert!(f.message.contains("redirect_uri"), "{}", f.message);
    assert_eq!(f.http_status, 400);
    assert!(
        f.message.contains("pushed authorization request"),
        "{}",
        f.message
    );
}

#[test]
fn a_signed_request_object_by_value_and_inside_the_push() {
    let p = provider();
    let params = pkjwt_params(p);
    params
        .set(Opt::RequestObject, "signed")
        .set(Opt::Par, "off");
    let (token, url) = sign_in(&params).expect("a request object by value");
    assert_eq!(query_names(&url), ["client_id", "request"], "{url}");
    let claims = capi::jwt_claims(&query_param(&url, "request").unwrap());
    assert_eq!(claims["iss"], PKJWT_EC.id);
    assert_eq!(claims["aud"], p.issuer);
    assert_eq!(claims["response_type"], "code");
    assert_eq!(claims["redirect_uri"], REDIRECT_URI);
    assert_eq!(claims["code_challenge_method"], "S256");
    for claim in ["exp", "nbf", "iat", "jti", "state", "nonce"] {
        assert!(claims.get(claim).is_some(), "{claim} in {claims}");
    }
    assert!(!token.value().is_empty());

    params.set(Opt::Par, "on");
    let (_, url) = sign_in(&params).expect("a request object inside the push");
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
}

/// The audience of a resource server's JWT access token.
fn audience(token: &Token) -> serde_json::Value {
    capi::jwt_claims(&token.value())["aud"].clone()
}

#[test]
fn resource_indicators_travel_with_the_code_exchange_and_every_refresh() {
    let p = provider();
    let params = params(p, PUBLIC_APP.id);
    params
        .set(Opt::Scope, "openid offline_access api:read")
        .set(Opt::Resource, API);
    let (token, url) = sign_in(&params).expect("a login for the API");
    assert_eq!(query_param(&url, "resource").as_deref(), Some(API));
    assert_eq!(audience(&token), API, "an access token for the API");
    assert_eq!(token.scope(), "api:read");
    let refreshed = capi::refresh(&token).expect("refresh");
    assert_eq!(
        audience(&refreshed),
        API,
        "the refresh asked for the API again"
    );
    // The same, in a token read back from its bytes.
    let back = Token::deserialize(&refreshed.serialize()).unwrap();
    assert_eq!(audience(&capi::refresh(&back).unwrap()), API);
    // A resource the provider does not know is its invalid_target.
    params.set(Opt::Resource, "https://unknown.example/");
    let f = sign_in(&params).expect_err("an unknown resource");
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_target");
}

#[test]
fn authorization_details_are_asked_for_granted_and_kept_by_refreshes() {
    let p = provider();
    let params = params(p, PUBLIC_APP.id);
    params
        .set(Opt::Resource, API)
        .set(Opt::AuthorizationDetails, PAYMENT);
    let (token, url) = sign_in(&params).expect("a login with authorization details");
    let sent: serde_json::Value =
        serde_json::from_str(&query_param(&url, "authorization_details").unwrap()).unwrap();
    let asked: serde_json::Value = serde_json::from_str(PAYMENT).unwrap();
    assert_eq!(sent, asked);
    let granted: serde_json::Value =
        serde_json::from_str(&token.authorization_details()).expect("granted details");
    assert_eq!(granted, asked);
    let refreshed = capi::refresh(&token).expect("refresh");
    let kept: serde_json::Value = serde_json::from_str(&refreshed.authorization_details()).unwrap();
    assert_eq!(kept, asked);
    // Pushed, the same details travel in the push.
    params.set(Opt::Par, "on");
    let (token, _) = sign_in(&params).expect("pushed with details");
    assert!(!token.authorization_details().is_empty());
    // A detail of a type the provider does not know: its invalid_authorization_details.
    params.set(Opt::AuthorizationDetails, r#"[{"type":"unknown_type"}]"#);
    let f = Login::begin(&params).err().expect("refused at the push");
    assert_eq!(f.oauth_error, "invalid_authorization_details", "{f:?}");
}

#[test]
fn client_credentials_with_a_resource_and_authorization_details() {
    let p = provider();
    let params = Params::openid();
    params
        .set(Opt::ClientId, "fapi-app")
        .set(Opt::ConfigurationUrl, &p.issuer)
        .ec_client_key()
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Dpop, "on")
        .set(Opt::Resource, API)
        .set(
            Opt::AuthorizationDetails,
            r#"[{"type":"account_information"}]"#,
        );
    let token = capi::identify(&params).expect("client credentials");
    assert_eq!(token.token_type(), "DPoP");
    assert_eq!(audience(&token), API);
    let granted: serde_json::Value = serde_json::from_str(&token.authorization_details()).unwrap();
    assert_eq!(granted[0]["type"], "account_information");
}
