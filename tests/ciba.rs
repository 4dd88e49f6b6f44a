//! OpenID CIBA in poll mode (`AUTH_OPT_FLOW` = `ciba`) through the C API, against
//! oidc-provider with `features.ciba` (tests/provider/server.mjs implements its hooks; the
//! tests play the user's device through its /test/ciba endpoints), and against the stub for
//! what that provider never answers (`slow_down`, a 500, a request that never ends).

mod support;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::capi::{self, Code, Opt, Params};
use support::stub::{Reply, SeenRequest, Stub};
use support::{CIBA_APP, Provider};

/// The provider of most tests: it adds `interval: 1` to its answers, so that polling is quick.
fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| {
        Provider::start(
            r#"{"ciba":{"interval":1},"acrValues":["urn:test:loa:1","urn:test:loa:2"]}"#,
        )
    })
}

/// oidc-provider as it is: its answers have no interval.
fn provider_without_interval() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start(r#"{"ciba":true}"#))
}

/// CIBA params of `ciba-app` for the user `login`.
fn params(provider: &Provider, login: &str) -> Params {
    let p = Params::openid();
    p.set(Opt::ClientId, CIBA_APP.id)
        .set(Opt::ClientSecret, CIBA_APP.secret.unwrap())
        .set(Opt::ClientAuth, CIBA_APP.auth)
        .set(Opt::ConfigurationUrl, &provider.issuer)
        .set(Opt::Flow, "ciba")
        .set(Opt::LoginHint, &format!("{login}@example.com"))
        .set(Opt::LoginTimeout, "30");
    p
}

/// Runs `auth_identify` on another thread while `user` plays the user's device.
fn identify_while<T: Send>(
    p: &Params,
    user: impl FnOnce() -> T + Send,
) -> (Result<capi::Token, capi::Failure>, T) {
    std::thread::scope(|s| {
        let login = s.spawn(|| capi::identify(p));
        let played = user();
        (login.join().unwrap(), played)
    })
}

/// The request the provider holds for `login`, waited for.
fn pending(provider: &Provider, login: &str) -> serde_json::Value {
    let all = provider.ciba_pending(login, true);
    assert_eq!(all.len(), 1, "one request for {login}: {all:?}");
    all[0].clone()
}

/// The poll log of a request, as the report shows it.
fn print_polls(what: &str, polls: &[serde_json::Value]) {
    eprintln!("{what}: the provider saw {} poll(s):", polls.len());
    for p in polls {
        eprintln!(
            "  at {:>5} ms  HTTP {}  {}",
            p["ms"],
            p["status"],
            p["error"].as_str().unwrap_or("token")
        );
    }
}

#[test]
fn approved_on_the_device_after_two_polls() {
    let p = params(provider(), "alice");
    p.set(Opt::BindingMessage, "W4SC-K7Q2")
        .set(Opt::AcrValues, "urn:test:loa:2")
        .set(Opt::Scope, "email");
    let started = Instant::now();
    let (result, request) = identify_while(&p, || {
        let request = pending(provider(), "alice");
        let id = request["auth_req_id"].as_str().unwrap();
        // The user takes a moment: two polls hear authorization_pending.
        provider().ciba_polls(id, 2);
        provider().ciba_approve(id, None);
        request
    });
    let t = result.unwrap_or_else(|f| panic!("{f:?}"));
    let elapsed = started.elapsed();
    assert_eq!(request["binding_message"], "W4SC-K7Q2");
    assert_eq!(request["acr_values"], "urn:test:loa:2");
    assert_eq!(request["scope"], "openid email");
    let polls = provider().ciba_polls(request["auth_req_id"].as_str().unwrap(), 3);
    print_polls("approved (interval 1 s)", &polls);
    assert_eq!(polls.len(), 3, "{polls:?}");
    assert_eq!(polls[0]["error"], "authorization_pending");
    assert_eq!(polls[1]["error"], "authorization_pending");
    assert_eq!(polls[2]["status"], 200);
    // The interval is honoured before each poll.
    let ms: Vec<i64> = polls.iter().map(|p| p["ms"].as_i64().unwrap()).collect();
    assert!(ms[0] >= 950, "{ms:?}");
    assert!(ms.windows(2).all(|w| w[1] - w[0] >= 950), "{ms:?}");
    assert!(elapsed >= Duration::from_millis(2900), "{elapsed:?}");
    // The ID token was validated: the identity is alice's, at the acr asked for.
    let id = capi::read_identity(&t).unwrap();
    assert_eq!(id.subject(), "alice");
    let claims = capi::jwt_claims(&t.id_token());
    assert_eq!(claims["acr"], "urn:test:loa:2");
    assert!(!t.refresh_token().is_empty());
    let fresh = capi::refresh(&t).unwrap_or_else(|f| panic!("{f:?}"));
    assert!(fresh.is_valid());
}

/// oidc-provider's answers carry no interval: CIBA §7.3's 5 s apply.
#[test]
fn without_an_interval_the_first_poll_waits_five_seconds() {
    let provider = provider_without_interval();
    let p = params(provider, "dave");
    let (result, id) = identify_while(&p, || {
        let id = pending(provider, "dave")["auth_req_id"]
            .as_str()
            .unwrap()
            .to_owned();
        provider.ciba_approve(&id, None);
        id
    });
    result.unwrap_or_else(|f| panic!("{f:?}"));
    let polls = provider.ciba_polls(&id, 1);
    print_polls("approved at once (no interval in the answer)", &polls);
    assert_eq!(polls.len(), 1, "{polls:?}");
    assert!(polls[0]["ms"].as_i64().unwrap() >= 4950, "{polls:?}");
}

/// A cancel ends the wait at once, not at the next poll 5 s later.
#[test]
fn cancel_is_prompt() {
    let provider = provider_without_interval();
    let p = params(provider, "erin");
    let (result, (id, cancelled_at)) = identify_while(&p, || {
        let id = pending(provider, "erin")["auth_req_id"]
            .as_str()
            .unwrap()
            .to_owned();
        p.cancel();
        (id, Instant::now())
    });
    let after_cancel = cancelled_at.elapsed();
    eprintln!("cancel (no interval: 5 s): the call returned {after_cancel:?} after the cancel");
    let f = result.unwrap_err();
    assert_eq!(f.code, Code::Cancelled, "{f:?}");
    assert!(after_cancel < Duration::from_secs(1), "{after_cancel:?}");
    assert!(provider.ciba_polls(&id, 0).is_empty());
}

#[test]
fn denied_on_the_device_is_access_denied() {
    let p = params(provider(), "bob");
    let (result, _) = identify_while(&p, || {
        let id = pending(provider(), "bob")["auth_req_id"]
            .as_str()
            .unwrap()
            .to_owned();
        provider().ciba_deny(&id);
    });
    let f = result.unwrap_err();
    assert_eq!(f.code, Code::AccessDenied, "{f:?}");
    assert_eq!(f.oauth_error, "access_denied");
}

#[test]
fn a_user_the_provider_does_not_know_and_requests_that_expire() {
    let p = params(provider(), "unknown-someone");
    let f = capi::identify(&p).unwrap_err();
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "unknown_user_id");
    assert_eq!(f.http_status, 400);
    // The provider keeps the request 2 s (requested_expiry): nobody approves, it expires.
    let p = params(provider(), "carol");
    p.set(Opt::AdditionalParameters, "requested_expiry=2");
    let started = Instant::now();
    let f = capi::identify(&p).unwrap_err();
    assert_eq!(f.code, Code::Timeout, "{f:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // The login timeout bounds the wait too.
    let p = params(provider(), "frank");
    p.set(Opt::LoginTimeout, "1");
    let f = capi::identify(&p).unwrap_err();
    assert_eq!(f.code, Code::Timeout, "{f:?}");
    // No login hint: refused before any request; a wrong secret: InvalidClient.
    let p = params(provider(), "alice");
    p.try_set(Opt::LoginHint, "").unwrap();
    let f = capi::identify(&p).unwrap_err();
    assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
    assert!(f.message.contains("AUTH_OPT_LOGIN_HINT"), "{}", f.message);
    let p = params(provider(), "alice");
    p.set(Opt::ClientSecret, "wrong-secret");
    assert_eq!(capi::identify(&p).unwrap_err().code, Code::InvalidClient);
    // oidc-provider checks the binding message (1 to 20 characters of a small set).
    let p = params(provider(), "alice");
    p.set(Opt::BindingMessage, "far too long a binding message");
    let f = capi::identify(&p).unwrap_err();
    assert_eq!(f.code, Code::OAuth, "{f:?}");
    assert_eq!(f.oauth_error, "invalid_binding_message");
}

// ---------------------------------------------------------------- stub cases

/// When each request came to the stub, and what it carried.
type Seen = Arc<Mutex<Vec<(Instant, SeenRequest)>>>;

/// A stub answering the authentication request with `ack` and the n-th poll with `polls[n]`
/// (the last one repeated); it records when each request came and what it carried.
fn ciba_stub(ack: &str, polls: Vec<Reply>) -> (Stub, Seen) {
    let seen: Seen = Arc::default();
    let s = seen.clone();
    let ack = ack.to_owned();
    let stub = Stub::start(Arc::new(move |r: &SeenRequest| {
        let mut seen = s.lock().unwrap();
        seen.push((Instant::now(), r.clone()));
        if r.head.starts_with("POST /bc") {
            return Reply::json(200, &ack);
        }
        let n = seen
            .iter()
            .filter(|(_, r)| r.head.starts_with("POST /token"))
            .count();
        polls[(n - 1).min(polls.len() - 1)].clone()
    }));
    (stub, seen)
}

fn stub_params(stub: &Stub) -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, "kiosk")
        .set(Opt::ClientSecret, "kiosk-secret")
        .set(Opt::ClientAuth, "basic")
        .set(Opt::Flow, "ciba")
        .set(Opt::CibaUrl, &stub.url("/bc"))
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::LoginHint, "alice")
        .set(Opt::LoginTimeout, "30");
    p
}

fn error(code: &str) -> Reply {
    Reply::json(400, &format!(r#"{{"error":"{code}"}}"#))
}

#[test]
fn slow_down_adds_five_seconds_to_the_interval() {
    let (stub, seen) = ciba_stub(
        r#"{"auth_req_id":"req-1","expires_in":120,"interval":1}"#,
        vec![
            error("authorization_pending"),
            error("slow_down"),
            Reply::json(200, r#"{"access_token":"ciba-AT","token_type":"Bearer"}"#),
        ],
    );
    let p = stub_params(&stub);
    p.set(Opt::BindingMessage, "W4SC-K7Q2")
        .set(Opt::Scope, "read");
    let t = capi::identify(&p).unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(t.value(), "ciba-AT");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    let (start, ack) = &seen[0];
    assert!(ack.head.contains("authorization: Basic") || ack.head.contains("Authorization: Basic"));
    let form: Vec<(String, String)> = url::form_urlencoded::parse(ack.body.as_bytes())
        .into_owned()
        .collect();
    let pairs = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        form,
        pairs(&[
            ("scope", "read"),
            ("login_hint", "alice"),
            ("binding_message", "W4SC-K7Q2")
        ])
    );
    assert!(seen[1].1.body.contains("auth_req_id=req-1"));
    assert!(
        seen[1]
            .1
            .body
            .contains("grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba")
    );
    let at: Vec<Duration> = seen[1..].iter().map(|(t, _)| *t - *start).collect();
    eprintln!("slow_down (interval 1 s): polls at {at:?} after the authentication answer");
    assert!(at[0] >= Duration::from_millis(950), "{at:?}");
    assert!(at[1] - at[0] >= Duration::from_millis(950), "{at:?}");
    // slow_down: 1 s + 5 s before the next poll.
    assert!(at[2] - at[1] >= Duration::from_millis(5950), "{at:?}");
}

#[test]
fn a_request_that_never_ends_times_out() {
    let (stub, seen) = ciba_stub(
        r#"{"auth_req_id":"req-2","expires_in":600,"interval":1}"#,
        vec![error("authorization_pending")],
    );
    let p = stub_params(&stub);
    p.set(Opt::LoginTimeout, "3");
    let started = Instant::now();
    let f = capi::identify(&p).unwrap_err();
    assert_eq!(f.code, Code::Timeout, "{f:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(seen.lock().unwrap().len(), 1 + 2, "two polls in 3 s at 1 s");
    // The provider's expired_token ends it the same way.
    let (stub, _) = ciba_stub(
        r#"{"auth_req_id":"req-3","expires_in":600,"interval":1}"#,
        vec![error("authorization_pending"), error("expired_token")],
    );
    let f = capi::identify(&stub_params(&stub)).unwrap_err();
    assert_eq!(f.code, Code::Timeout, "{f:?}");
    assert_eq!(f.oauth_error, "expired_token");
}

#[test]
fn a_server_error_while_polling_ends_the_login() {
    let (stub, seen) = ciba_stub(
        r#"{"auth_req_id":"req-4","expires_in":600,"interval":1}"#,
        vec![
            error("authorization_pending"),
            Reply::Full {
                status: 500,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: b"<html>Internal Server Error</html>".to_vec(),
            },
            error("authorization_pending"),
        ],
    );
    let f = capi::identify(&stub_params(&stub)).unwrap_err();
    assert_eq!(f.code, Code::Protocol, "{f:?}");
    assert_eq!(f.http_status, 500);
    assert!(f.message.contains("CIBA login: polling"), "{}", f.message);
    assert_eq!(seen.lock().unwrap().len(), 3, "no poll after the 500");
    // An authentication answer without auth_req_id.
    let (stub, _) = ciba_stub(
        r#"{"expires_in":600}"#,
        vec![error("authorization_pending")],
    );
    let f = capi::identify(&stub_params(&stub)).unwrap_err();
    assert_eq!(f.code, Code::Protocol, "{f:?}");
    // No endpoint at all: Unsupported.
    let p = Params::oauth2();
    p.set(Opt::ClientId, "kiosk")
        .set(Opt::Flow, "ciba")
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::LoginHint, "alice");
    assert_eq!(capi::identify(&p).unwrap_err().code, Code::Unsupported);
}
