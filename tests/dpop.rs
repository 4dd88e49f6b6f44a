//! DPoP (RFC 9449) against the real oidc-provider with DPoP nonces required (server.mjs
//! `{"dpopNonce":true}`): a login binds the token to the grant's key (`dpop_jkt`), the nonce
//! dance happens at the token and userinfo endpoints, refreshes keep the key — in this process,
//! in a session, and in a fresh process that loads the token file — and the proofs of
//! `auth_token_dpop_proof` open the host's own resource calls.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use support::capi::{self, Code, Login, Opt, Params, Token};
use support::{PUBLIC_APP, Provider, REDIRECT_URI, login_over_http, query_param};

/// One provider for the file (tests that count requests start their own).
fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start(r#"{"dpopNonce":true}"#))
}

fn login_params(p: &Provider) -> Params {
    let params = Params::openid();
    params
        .set(Opt::ClientId, PUBLIC_APP.id)
        .set(Opt::ConfigurationUrl, &p.issuer)
        .set(Opt::RedirectUrl, REDIRECT_URI)
        .set(Opt::Scope, "openid offline_access profile")
        .set(Opt::AdditionalParameters, "prompt=consent")
        .set(Opt::Dpop, "on");
    params
}

/// A DPoP-bound token of "alice" through the two-step login; also returns the login URL.
fn dpop_login(p: &Provider) -> (Token, String) {
    let login = Login::begin(&login_params(p)).expect("login begin");
    let url = login.url();
    let redirect = login_over_http(&url);
    let token = login.complete(&redirect).expect("login complete");
    (token, url)
}

/// The token endpoint answers the provider gave for `grant` as (ok, error) counts.
fn token_counts(p: &Provider, grant: &str) -> (u64, u64) {
    let stats = p.stats();
    let g = &stats["token"][grant];
    (
        g["ok"].as_u64().unwrap_or(0),
        g["error"].as_u64().unwrap_or(0),
    )
}

/// A resource request with `authorization` and `proof` (GET `url`): status, DPoP-Nonce, body.
fn get_with(url: &str, authorization: &str, proof: Option<&str>) -> (u16, Option<String>, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut r = reqwest::Client::new()
            .get(url)
            .header("authorization", authorization);
        if let Some(p) = proof {
            r = r.header("dpop", p);
        }
        let r = r.send().await.expect("resource request");
        let nonce = r
            .headers()
            .get("dpop-nonce")
            .map(|v| v.to_str().unwrap().to_owned());
        (r.status().as_u16(), nonce, r.text().await.unwrap())
    })
}

#[test]
fn a_login_binds_the_token_to_the_key_named_in_the_authorization_request() {
    let p = provider();
    let (token, url) = dpop_login(p);
    assert_eq!(token.token_type(), "DPoP");
    assert_eq!(
        token.authorization_header(),
        format!("DPoP {}", token.value())
    );
    let jkt = token.dpop_jkt();
    assert_eq!(jkt.len(), 43, "a base64url SHA-256 thumbprint");
    assert_eq!(
        query_param(&url, "dpop_jkt").as_deref(),
        Some(jkt.as_str()),
        "the authorization request named the key the token is bound to"
    );
    // The provider bound it: as a Bearer token it opens nothing.
    let (status, _, _) = get_with(
        &p.userinfo_endpoint(),
        &format!("Bearer {}", token.value()),
        None,
    );
    assert_eq!(status, 401, "a DPoP-bound token is no bearer token");
    // userinfo with a proof (ath, and the nonce the provider asks for).
    let who = capi::get_user_info(&token).expect("userinfo with a DPoP proof");
    assert_eq!(who.subject(), "alice");
    // A refresh proves the same key; the provider would refuse another (the refresh token of
    // a public client is bound too).
    let fresh = capi::refresh(&token).expect("refresh with the same key");
    assert_eq!(fresh.token_type(), "DPoP");
    assert_eq!(fresh.dpop_jkt(), jkt);
    assert_ne!(fresh.value(), token.value());
    // Two logins, two keys.
    let (other, _) = dpop_login(p);
    assert_ne!(other.dpop_jkt(), jkt, "a fresh key for each new grant");
}

#[test]
fn the_first_request_to_a_server_is_retried_once_with_the_nonce_it_asks_for() {
    // Its own provider: a new origin, whose nonce nobody in this process knows yet.
    let p = Provider::start(r#"{"dpopNonce":true}"#);
    let params = Params::openid();
    params
        .set(Opt::ClientId, "fapi-app")
        .set(Opt::ConfigurationUrl, &p.issuer)
        .ec_client_key()
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Dpop, "on");
    let token = capi::identify(&params).expect("client credentials with DPoP");
    assert_eq!(token.token_type(), "DPoP");
    assert_eq!(
        token_counts(&p, "client_credentials"),
        (1, 1),
        "one use_dpop_nonce answer, one retry with the nonce"
    );
    // The nonce is remembered for the server: the next grant needs no retry.
    let again = capi::identify(&params).expect("a second grant");
    assert_eq!(token_counts(&p, "client_credentials"), (2, 1));
    assert_ne!(again.dpop_jkt(), token.dpop_jkt());
}

#[test]
fn proofs_of_auth_token_dpop_proof_open_the_hosts_own_resource_calls() {
    let p = provider();
    let (token, _) = dpop_login(p);
    let url = p.userinfo_endpoint();
    let header = token.authorization_header();
    // This server wants a nonce: the first proof is answered with one.
    let proof = token.dpop_proof("GET", &url, None).unwrap();
    let (_, claims, thumbprint) = support::checked_dpop_proof(&proof);
    assert_eq!(thumbprint, token.dpop_jkt());
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], url);
    let (status, nonce, body) = get_with(&url, &header, Some(&proof));
    assert_eq!(status, 401, "{body}");
    let nonce = nonce.expect("the server's DPoP-Nonce");
    let proof = token.dpop_proof("GET", &url, Some(&nonce)).unwrap();
    assert_eq!(support::checked_dpop_proof(&proof).1["nonce"], nonce);
    let (status, _, body) = get_with(&url, &header, Some(&proof));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"sub\":\"alice\""), "{body}");
    // A proof for another method or URL, or a replayed one, opens nothing.
    let wrong = token.dpop_proof("POST", &url, Some(&nonce)).unwrap();
    assert_eq!(get_with(&url, &header, Some(&wrong)).0, 401);
    assert_eq!(get_with(&url, &header, Some(&proof)).0, 401, "replayed jti");
    // A token that is not DPoP-bound has no proofs to give.
    let bearer = capi::import(None, r#"{"access_token":"plain"}"#).unwrap();
    assert_eq!(bearer.dpop_jkt(), "");
    let f = bearer.dpop_proof("GET", &url, None).unwrap_err();
    assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
    let f = token.dpop_proof("G E T", &url, None).unwrap_err();
    assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
}

#[test]
fn a_session_keeps_the_key_across_refreshes() {
    let p = provider();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.token");
    let (token, _) = dpop_login(p);
    token.save(&path).unwrap();
    let params = authtoken_core::Params::new(authtoken_core::Kind::OpenId)
        .with(Opt::ClientId, PUBLIC_APP.id)
        .and_then(|q| q.with(Opt::ConfigurationUrl, &p.issuer))
        .and_then(|q| q.with(Opt::Dpop, "on"))
        .unwrap();
    let session = authtoken_core::Session::new(params, Some(&path)).expect("session");
    // Valid for an hour: asking for two forces refreshes.
    for _ in 0..2 {
        let t = session.token(7200).expect("a refreshed token");
        assert_eq!(t.token_type(), "DPoP");
        assert_eq!(t.dpop_jkt(), Some(token.dpop_jkt().as_str()));
    }
    let stored = Token::load(&path).unwrap();
    assert_eq!(
        stored.dpop_jkt(),
        token.dpop_jkt(),
        "the file keeps the key"
    );
    assert_ne!(stored.refresh_token(), token.refresh_token());
}

const CHILD_IN: &str = "AUTHTOKEN_TEST_DPOP_IN";
const CHILD_OUT: &str = "AUTHTOKEN_TEST_DPOP_OUT";

/// The refresh of a token loaded from its file in a process that never saw the login: this
/// test runs itself again as that process (CHILD_IN set), which loads, refreshes, saves.
#[test]
fn a_token_file_refreshes_with_the_same_key_in_a_fresh_process() {
    if let (Ok(input), Ok(output)) = (std::env::var(CHILD_IN), std::env::var(CHILD_OUT)) {
        let loaded = Token::load(Path::new(&input)).expect("load in the fresh process");
        assert_eq!(loaded.token_type(), "DPoP");
        let fresh = capi::refresh(&loaded).expect("refresh in the fresh process");
        assert_eq!(fresh.dpop_jkt(), loaded.dpop_jkt());
        fresh.save(Path::new(&output)).unwrap();
        return;
    }
    let p = provider();
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in.token"), dir.path().join("out.token"));
    let (token, _) = dpop_login(p);
    token.save(&input).unwrap();
    // Its output is captured: its "test result" line is not one of this run's.
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "a_token_file_refreshes_with_the_same_key_in_a_fresh_process",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD_IN, &input)
        .env(CHILD_OUT, &output)
        .output()
        .expect("the test binary runs again");
    assert!(
        child.status.success(),
        "the fresh process failed ({}):\n{}\n{}",
        child.status,
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
    let refreshed = Token::load(&output).expect("the fresh process saved its token");
    assert_eq!(refreshed.token_type(), "DPoP");
    assert_eq!(refreshed.dpop_jkt(), token.dpop_jkt());
    assert_ne!(refreshed.value(), token.value());
    // The rotated refresh token is the one that works now, here as there.
    let again = capi::refresh(&refreshed).expect("refresh of the fresh process's token");
    assert_eq!(again.dpop_jkt(), token.dpop_jkt());
    let f = capi::refresh(&token).expect_err("the first refresh token was rotated");
    assert_eq!(f.code, Code::InvalidGrant, "{f:?}");
}
