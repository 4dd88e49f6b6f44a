//! The hostile side of DPoP, PAR and the fapi2 profile, with the in-process stub and the
//! hostile provider (faults oidc-provider never makes): proofs on the requests of every grant,
//! a provider that ignores DPoP, servers that want a new nonce every time, PAR endpoints that
//! fail, and the answers the fapi2 profile refuses (no `iss`, an RS256 ID token, a Bearer
//! token); and the params the profile refuses before any request.

mod support;

use jsonwebtoken::Algorithm;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::capi::{self, Code, Login, Opt, Params};
use support::hostile_provider::{self as hostile, ACCESS_TOKEN, CLIENT_ID, TestKey};
use support::stub::{Reply, SeenRequest, Stub};
use support::{checked_dpop_proof, key_path, query_names};

const DPOP_ANSWER: &str =
    r#"{"access_token":"AT-1","token_type":"DPoP","expires_in":60,"refresh_token":"RT-1"}"#;

/// The value of header `name` in a request the stub saw.
fn header(r: &SeenRequest, name: &str) -> Option<String> {
    r.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// The form fields of a request body.
fn form(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

/// A stub answering `reply(n, request)` to its n-th request (from 1), recording them.
fn recording_stub(
    reply: impl Fn(usize, &SeenRequest) -> Reply + Send + Sync + 'static,
) -> (Stub, Arc<Mutex<Vec<SeenRequest>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let stub = Stub::start(Arc::new(move |r: &SeenRequest| {
        let mut seen = s.lock().unwrap();
        seen.push(r.clone());
        reply(seen.len(), r)
    }));
    (stub, seen)
}

fn ec_key() -> String {
    key_path("client-ec.pem").to_str().unwrap().to_owned()
}

#[test]
fn every_grant_sends_a_proof_of_its_key_with_each_token_request() {
    let (stub, seen) = recording_stub(|_, r| {
        if r.head.starts_with("POST /device") {
            return Reply::json(
                200,
                r#"{"device_code":"dc","user_code":"U","verification_uri":"https://x/d","expires_in":60,"interval":1}"#,
            );
        }
        Reply::json(200, DPOP_ANSWER)
    });
    let token_url = stub.url("/token");
    let base = |kind: Params| {
        kind.set(Opt::ClientId, "app")
            .set(Opt::TokenUrl, &token_url)
            .set(Opt::Dpop, "on");
        kind
    };
    let client_credentials = base(Params::oauth2());
    client_credentials.set(Opt::Flow, "client_credentials");
    let jwt_bearer = base(Params::jwt());
    jwt_bearer
        .set(Opt::JwtPrivateKey, &ec_key())
        .set(Opt::JwtAlgorithm, "ES256");
    let device = base(Params::oauth2());
    device
        .set(Opt::Flow, "device")
        .set(Opt::DeviceAuthUrl, &stub.url("/device"))
        .accept_device_prompt();

    let a = capi::identify(&client_credentials).expect("client credentials");
    let b = capi::identify(&jwt_bearer).expect("JWT bearer");
    let c = capi::identify(&device).expect("device");
    let d = capi::refresh(&a).expect("refresh");
    let keys: Vec<String> = [&a, &b, &c, &d].iter().map(|t| t.dpop_jkt()).collect();
    assert!(keys.iter().all(|k| k.len() == 43));
    assert_eq!(keys[3], keys[0], "a refresh proves the token's own key");
    assert!(
        keys[0] != keys[1] && keys[1] != keys[2],
        "a fresh key per grant"
    );

    let token_requests: Vec<SeenRequest> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.head.starts_with("POST /token"))
        .cloned()
        .collect();
    assert_eq!(token_requests.len(), 4);
    let mut jtis = Vec::new();
    for (request, jkt) in token_requests.iter().zip(&keys) {
        let proof = header(request, "dpop").expect("a DPoP header on every token request");
        let (h, claims, thumbprint) = checked_dpop_proof(&proof);
        assert_eq!(h["alg"], "ES256");
        assert_eq!(
            &thumbprint, jkt,
            "the proof is of the key the token is bound to"
        );
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], token_url);
        assert!(
            claims.get("ath").is_none(),
            "no access token at the token endpoint"
        );
        jtis.push(claims["jti"].as_str().unwrap().to_owned());
        assert!(header(request, "authorization").is_none());
    }
    jtis.sort();
    jtis.dedup();
    assert_eq!(jtis.len(), 4, "a fresh jti for each proof");
    // Without DPoP, no proof.
    let plain = Params::oauth2();
    plain
        .set(Opt::ClientId, "app")
        .set(Opt::TokenUrl, &token_url)
        .set(Opt::Flow, "client_credentials");
    let before = seen.lock().unwrap().len();
    let f = capi::identify(&plain).expect_err("a DPoP answer to a request without a proof");
    assert_eq!(f.code, Code::Protocol, "{f:?}");
    let last = seen.lock().unwrap()[before].clone();
    assert!(header(&last, "dpop").is_none());
}

#[test]
fn a_provider_that_ignores_dpop_gives_a_bearer_token_except_under_fapi2() {
    // The default profile: the answer's token type decides; the token keeps no key.
    let (stub, seen) = recording_stub(|_, _| {
        Reply::json(
            200,
            r#"{"access_token":"AT-B","token_type":"Bearer","expires_in":60,"refresh_token":"RT"}"#,
        )
    });
    let p = Params::oauth2();
    p.set(Opt::ClientId, "app")
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Dpop, "on");
    let t = capi::identify(&p).expect("a Bearer answer is kept");
    assert_eq!(t.token_type(), "Bearer");
    assert_eq!(t.authorization_header(), "Bearer AT-B");
    assert_eq!(t.dpop_jkt(), "");
    assert_eq!(
        t.dpop_proof("GET", "https://rs.example/", None)
            .unwrap_err()
            .code,
        Code::InvalidArgument
    );
    let back = capi::Token::deserialize(&t.serialize()).unwrap();
    assert_eq!(back.dpop_jkt(), "");
    capi::refresh(&t).expect("refresh of the Bearer token");
    let seen = seen.lock().unwrap();
    assert!(
        header(&seen[0], "dpop").is_some(),
        "the grant offered a proof"
    );
    assert!(
        header(&seen[1], "dpop").is_none(),
        "its Bearer token refreshes without one"
    );

    // fapi2: a Bearer answer is a protocol error naming the rule.
    let provider = hostile::Provider::start();
    provider.set_token(hostile::Reply::json(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 60,
    })));
    let p = fapi2_params(&provider.issuer);
    p.set(Opt::Flow, "client_credentials");
    let f = capi::identify(&p).expect_err("Bearer under fapi2");
    assert_eq!(f.code, Code::Protocol, "{f:?}");
    assert!(f.message.contains("§5.3.3.1-1"), "{}", f.message);
    provider.set_token(hostile::Reply::json(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "DPoP", "expires_in": 60,
    })));
    let t = capi::identify(&p).expect("a DPoP answer under fapi2");
    assert_eq!(t.token_type(), "DPoP");
    let state = provider.state.lock().unwrap();
    assert!(
        state
            .token_client_auth
            .iter()
            .all(|a| a == "private_key_jwt")
    );
    assert!(state.token_dpop.iter().all(Option::is_some));
}

/// A server that wants a new nonce with every answer: `use_dpop_nonce` and `DPoP-Nonce: n-<n>`.
fn nonce_loop(n: usize, _: &SeenRequest) -> Reply {
    Reply::json(
        400,
        r#"{"error":"use_dpop_nonce","error_description":"use a nonce"}"#,
    )
    .with_header("DPoP-Nonce", &format!("n-{n}"))
}

#[test]
fn a_server_that_asks_for_a_new_nonce_every_time_gets_one_retry_then_the_error() {
    let (stub, seen) = recording_stub(nonce_loop);
    let p = Params::oauth2();
    p.set(Opt::ClientId, "app")
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Dpop, "on");
    let f = capi::identify(&p).expect_err("the nonce never satisfies it");
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "use_dpop_nonce");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one retry, no loop");
    let nonce_of =
        |r: &SeenRequest| checked_dpop_proof(&header(r, "dpop").unwrap()).1["nonce"].clone();
    assert_eq!(nonce_of(&seen[0]), serde_json::Value::Null);
    assert_eq!(
        nonce_of(&seen[1]),
        "n-1",
        "the retry carries the nonce asked for"
    );
    // The next grant starts from the latest nonce the server gave (n-2), and retries once.
    let f = capi::identify(&p).expect_err("again");
    assert_eq!(f.oauth_error, "use_dpop_nonce");
    let count = stub.requests();
    assert_eq!(count, 4);

    // A use_dpop_nonce without a DPoP-Nonce header: nothing to retry with.
    let (stub, _) = recording_stub(|_, _| Reply::json(400, r#"{"error":"use_dpop_nonce"}"#));
    p.set(Opt::TokenUrl, &stub.url("/token"));
    assert_eq!(
        capi::identify(&p).unwrap_err().oauth_error,
        "use_dpop_nonce"
    );
    assert_eq!(stub.requests(), 1);
}

#[test]
fn userinfo_asking_for_a_new_nonce_every_time_gets_one_retry_then_the_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let (stub, seen) = recording_stub(move |_, r| {
        if r.head.starts_with("POST /token") {
            return Reply::json(200, DPOP_ANSWER);
        }
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        Reply::Full {
            status: 401,
            headers: vec![
                (
                    "WWW-Authenticate".into(),
                    r#"DPoP error="use_dpop_nonce", error_description="nonce""#.into(),
                ),
                ("DPoP-Nonce".into(), format!("u-{n}")),
            ],
            body: Vec::new(),
        }
    });
    let p = Params::oauth2();
    p.set(Opt::ClientId, "app")
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::UserinfoUrl, &stub.url("/userinfo"))
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Dpop, "on");
    let token = capi::identify(&p).unwrap();
    let f = capi::get_user_info(&token)
        .err()
        .expect("userinfo never satisfied");
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "use_dpop_nonce");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one retry at userinfo too");
    let seen = seen.lock().unwrap();
    let userinfo: Vec<&SeenRequest> = seen.iter().filter(|r| r.head.starts_with("GET")).collect();
    assert_eq!(
        header(userinfo[0], "authorization").as_deref(),
        Some("DPoP AT-1"),
        "the DPoP scheme"
    );
    let (_, claims, thumbprint) = checked_dpop_proof(&header(userinfo[1], "dpop").unwrap());
    assert_eq!(thumbprint, token.dpop_jkt());
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["nonce"], "u-1");
    assert_eq!(
        claims["ath"],
        authtoken_core::dpop::proof::ath("AT-1"),
        "ath binds the proof to the access token"
    );
}

fn par_params(stub: &Stub) -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, "app")
        .set(Opt::AuthUrl, &stub.url("/auth"))
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::RedirectUrl, "http://127.0.0.1:9/callback")
        .set(Opt::Par, "on")
        .set(Opt::ParUrl, &stub.url("/par"));
    p
}

#[test]
fn par_endpoint_faults_map_to_clear_errors() {
    let cases: Vec<(Reply, Code, u16, &str)> = vec![
        (
            Reply::Full {
                status: 500,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: b"<html>down</html>".to_vec(),
            },
            Code::Protocol,
            500,
            "",
        ),
        (
            Reply::json(201, r#"{"expires_in":60}"#),
            Code::Protocol,
            201,
            "",
        ),
        (
            Reply::json(201, r#"{"request_uri":"urn:x","expires_in":0}"#),
            Code::Protocol,
            201,
            "",
        ),
        (
            Reply::json(201, r#"{"request_uri":"urn:x","expires_in":-30}"#),
            Code::Protocol,
            201,
            "",
        ),
        (
            Reply::json(
                400,
                r#"{"error":"invalid_request","error_description":"bad"}"#,
            ),
            Code::OAuth,
            400,
            "invalid_request",
        ),
        (
            Reply::json(401, r#"{"error":"invalid_client"}"#),
            Code::InvalidClient,
            401,
            "invalid_client",
        ),
    ];
    for (reply, code, status, oauth_error) in cases {
        let stub = Stub::replying(reply.clone());
        let f = Login::begin(&par_params(&stub))
            .err()
            .expect("a failed push");
        println!("{reply:?}: {f:?}");
        assert_eq!(f.code, code, "{f:?}");
        assert_eq!(f.http_status, i32::from(status));
        assert_eq!(f.oauth_error, oauth_error);
        assert_eq!(stub.requests(), 1, "a push is not retried");
    }
    // A good push: the URL carries client_id and request_uri; the parameters were pushed.
    let (stub, seen) = recording_stub(|_, _| {
        Reply::json(
            201,
            r#"{"request_uri":"urn:example:pushed","expires_in":90}"#,
        )
    });
    let p = par_params(&stub);
    p.set(Opt::Dpop, "on");
    let login = Login::begin(&p).expect("pushed");
    assert_eq!(query_names(&login.url()), ["client_id", "request_uri"]);
    assert!(login.url().starts_with(&stub.url("/auth?")));
    let pushed = form(&seen.lock().unwrap()[0].body);
    for field in [
        "response_type",
        "redirect_uri",
        "state",
        "code_challenge",
        "dpop_jkt",
        "client_id",
    ] {
        assert!(pushed.contains_key(field), "{field} pushed: {pushed:?}");
    }
}

fn fapi2_params(issuer: &str) -> Params {
    let p = Params::openid();
    p.set(Opt::ClientId, CLIENT_ID)
        .set(Opt::ConfigurationUrl, issuer)
        .set(Opt::RedirectUrl, "http://127.0.0.1:9/callback")
        .set(Opt::JwtPrivateKey, &ec_key())
        .set(Opt::JwtAlgorithm, "ES256")
        .set(Opt::Profile, "fapi2");
    p
}

#[test]
fn fapi2_refuses_an_answer_without_iss_and_an_id_token_signed_rs256() {
    let provider = hostile::Provider::start();
    let rs256 = TestKey::rsa(1, Algorithm::RS256, Some("r1"));
    let ps256 = TestKey::rsa(2, Algorithm::PS256, Some("p1"));
    provider.set_keys(&[&rs256, &ps256]);
    let params = fapi2_params(&provider.issuer);
    // Begins a login and returns it with the state and nonce it pushed.
    let begin = || {
        let login = Login::begin(&params).expect("a fapi2 login begins");
        assert_eq!(query_names(&login.url()), ["client_id", "request_uri"]);
        let pushed = form(provider.state.lock().unwrap().pushed.last().unwrap());
        assert_eq!(pushed["code_challenge_method"], "S256");
        assert!(pushed.contains_key("dpop_jkt"), "DPoP is on under fapi2");
        assert_eq!(
            pushed["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        let assertion = capi::jwt_claims(&pushed["client_assertion"]);
        assert_eq!(
            assertion["aud"], provider.issuer,
            "the issuer as the sole audience"
        );
        (login, pushed["state"].clone(), pushed["nonce"].clone())
    };
    let answer = |key: &TestKey, nonce: &str| {
        hostile::Reply::json(&json!({
            "access_token": ACCESS_TOKEN, "token_type": "DPoP", "expires_in": 60,
            "id_token": key.sign(&provider.claims(Some(nonce))),
        }))
    };
    let iss = url::form_urlencoded::byte_serialize(provider.issuer.as_bytes()).collect::<String>();

    // No iss in the answer: this provider does not advertise RFC 9207, fapi2 requires it.
    let (login, state, _) = begin();
    let f = login
        .complete(&format!("http://127.0.0.1:9/callback?code=c&state={state}"))
        .expect_err("no iss");
    assert_eq!(f.code, Code::StateMismatch, "{f:?}");
    assert!(f.message.contains("§5.3.3.2-5"), "{}", f.message);

    // An ID token signed RS256 (a valid signature, by a published key).
    let (login, state, nonce) = begin();
    provider.set_token(answer(&rs256, &nonce));
    let f = login
        .complete(&format!(
            "http://127.0.0.1:9/callback?code=c&state={state}&iss={iss}"
        ))
        .expect_err("RS256 under fapi2");
    assert_eq!(f.code, Code::IdToken, "{f:?}");
    assert!(
        f.message.contains("§5.4.1-1") && f.message.contains("RS256"),
        "{}",
        f.message
    );

    // PS256 passes, and the token is DPoP-bound.
    let (login, state, nonce) = begin();
    provider.set_token(answer(&ps256, &nonce));
    let t = login
        .complete(&format!(
            "http://127.0.0.1:9/callback?code=c&state={state}&iss={iss}"
        ))
        .expect("PS256, iss, DPoP");
    assert_eq!(t.token_type(), "DPoP");

    // The default profile accepts the RS256 ID token and the missing iss.
    params
        .set(Opt::Profile, "default")
        .set(Opt::ClientAuth, "private_key_jwt");
    let login = Login::begin(&params).unwrap();
    let state = super_state(&login.url());
    let nonce = super_nonce(&login.url());
    provider.set_token(hostile::Reply::json(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 60,
        "id_token": rs256.sign(&provider.claims(Some(&nonce))),
    })));
    login
        .complete(&format!("http://127.0.0.1:9/callback?code=c&state={state}"))
        .expect("the default profile");
}

fn super_state(url: &str) -> String {
    support::query_param(url, "state").unwrap()
}

fn super_nonce(url: &str) -> String {
    support::query_param(url, "nonce").unwrap()
}

#[test]
fn fapi2_params_that_break_a_rule_fail_before_any_request() {
    let (stub, _) = recording_stub(|_, _| Reply::json(500, "{}"));
    let issuer = stub.url("");
    let issuer = issuer.trim_end_matches('/');
    let cases: Vec<(Opt, &str, &str)> = vec![
        (Opt::Par, "off", "§5.3.3.2-2"),
        (Opt::Pkce, "plain", "§5.3.3.2-3"),
        (Opt::ResponseType, "token", "§5.3.3.2-1"),
        (Opt::Dpop, "off", "§5.3.3.1-1"),
        (Opt::ClientSecret, "s3cret", "§5.3.3.1-2"),
        (Opt::ClientAuth, "none", "§5.3.3.1-2"),
        (Opt::JwtAlgorithm, "RS256", "§5.4.1-1"),
        (Opt::TokenUrl, "http://127.0.0.1:9/token", "§5.3.3.1-9"),
    ];
    for (option, value, rule) in cases {
        let p = fapi2_params(issuer);
        p.set(option, value);
        let f = Login::begin(&p).err().expect("refused");
        assert_eq!(f.code, Code::InvalidArgument, "{option:?}: {f:?}");
        assert!(f.message.contains(rule), "{option:?}: {}", f.message);
        if option != Opt::ResponseType && option != Opt::Par && option != Opt::Pkce {
            p.set(Opt::Flow, "client_credentials");
            let f = capi::identify(&p).expect_err("refused");
            assert!(f.message.contains(rule), "{option:?}: {}", f.message);
        }
    }
    assert_eq!(stub.requests(), 0, "not even discovery was asked");
}
