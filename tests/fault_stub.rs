//! Faults a real server can produce, injected by an in-process stub (tests/support/stub.rs):
//! each refresh ends with its documented code, in bounded time, sent once.

mod support;

use std::time::{Duration, Instant};
use support::capi::{self, Code, Failure, Opt, Params, Token};
use support::stub::{RefusingPort, Reply, Stub};

/// The longest any case may take; the HTTP timeout is 1 s, so this only catches hangs.
const BOUND: Duration = Duration::from_secs(20);

/// A token whose refresh goes to `token_url`, with a 1 s HTTP timeout.
fn token_for(token_url: &str) -> Token {
    let p = Params::oauth2();
    p.set(Opt::ClientId, "app")
        .set(Opt::TokenUrl, token_url)
        .set(Opt::HttpTimeout, "1");
    capi::import(
        Some(&p),
        r#"{"access_token":"old-access","refresh_token":"old-refresh","expires_in":60,"token_type":"Bearer"}"#,
    )
    .expect("import")
}

/// Refreshes against a stub giving `reply`; returns the outcome and the request count.
fn refresh_against(reply: Reply) -> (Result<Token, Failure>, usize) {
    let stub = Stub::replying(reply);
    let token = token_for(&stub.url("/token"));
    let started = Instant::now();
    let result = capi::refresh(&token);
    assert!(started.elapsed() < BOUND, "took {:?}", started.elapsed());
    let requests = stub.requests();
    (result, requests)
}

fn expect_failure(reply: Reply, code: Code) -> Failure {
    let (result, requests) = refresh_against(reply);
    let failure = match result {
        Ok(t) => panic!("expected {code:?}, got a token {:?}", t.value()),
        Err(f) => f,
    };
    assert_eq!(failure.code, code, "{failure:?}");
    eprintln!(
        "{code:?} (HTTP {}, oauth {:?}): {}",
        failure.http_status, failure.oauth_error, failure.message
    );
    // A request the server may have received is never sent twice (a rotated refresh token
    // would be burnt).
    assert_eq!(requests, 1, "the refresh was sent {requests} times");
    failure
}

fn expect_token(reply: Reply) -> Token {
    let (result, requests) = refresh_against(reply);
    assert_eq!(requests, 1);
    result.unwrap_or_else(|f| panic!("expected a token, got {f:?}"))
}

#[test]
fn html_500_is_protocol_with_the_status() {
    let f = expect_failure(
        Reply::Full {
            status: 500,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: b"<html><body><h1>Internal Server Error</h1></body></html>".to_vec(),
        },
        Code::Protocol,
    );
    assert_eq!(f.http_status, 500);
    assert_eq!(f.oauth_error, "");
}

#[test]
fn service_unavailable_with_retry_after_is_protocol_and_says_when() {
    let f = expect_failure(
        Reply::Full {
            status: 503,
            headers: vec![
                ("Content-Type".into(), "text/plain".into()),
                ("Retry-After".into(), "120".into()),
            ],
            body: b"down for maintenance".to_vec(),
        },
        Code::Protocol,
    );
    assert_eq!(f.http_status, 503);
    assert!(f.message.contains("120"), "{}", f.message);
}

#[test]
fn body_cut_in_the_middle_is_network() {
    let f = expect_failure(
        Reply::Truncated {
            declared_length: 400,
            body: br#"{"access_token":"new-acc"#.to_vec(),
        },
        Code::Network,
    );
    assert!(!f.message.is_empty());
}

#[test]
fn five_mebibytes_of_json_is_protocol() {
    let mut body = String::from(r#"{"access_token":"a","padding":""#);
    body.push_str(&"x".repeat(5 * 1024 * 1024));
    body.push_str(r#""}"#);
    let f = expect_failure(Reply::json(200, &body), Code::Protocol);
    assert!(f.message.contains("larger"), "{}", f.message);
}

#[test]
fn expires_in_as_a_string_is_accepted() {
    let t = expect_token(Reply::json(
        200,
        r#"{"access_token":"new-access","expires_in":"3600","token_type":"Bearer"}"#,
    ));
    let now = authtoken_core::clock::unix_now();
    assert!((now + 3590..=now + 3610).contains(&t.expiration()));
}

#[test]
fn missing_token_type_means_bearer_and_missing_refresh_token_keeps_the_old_one() {
    let t = expect_token(Reply::json(200, r#"{"access_token":"new-access"}"#));
    assert_eq!(t.token_type(), "Bearer");
    assert_eq!(t.value(), "new-access");
    assert_eq!(t.refresh_token(), "old-refresh");
    assert_eq!(t.expiration(), 0);
}

/// RFC 6749 §6: a refresh answer may omit `refresh_token`, and the old one stays good. The
/// provider of the other tests always sends one, so only a stub can leave it out: the token
/// keeps the old refresh token, and the next refresh sends it and works.
#[test]
fn a_refresh_answer_without_refresh_token_keeps_the_old_one_for_the_next_refresh() {
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = sent.clone();
    let stub = Stub::start(std::sync::Arc::new(
        move |r: &support::stub::SeenRequest| {
            let fields: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(r.body.as_bytes())
                    .into_owned()
                    .collect();
            let refresh_token = fields.get("refresh_token").cloned().unwrap_or_default();
            let mut sent = seen.lock().unwrap();
            sent.push(refresh_token.clone());
            if refresh_token != "old-refresh" {
                return Reply::json(400, r#"{"error":"invalid_grant"}"#);
            }
            Reply::json(
                200,
                &format!(
                    r#"{{"access_token":"access-{}","token_type":"Bearer","expires_in":60}}"#,
                    sent.len()
                ),
            )
        },
    ));
    let first = capi::refresh(&token_for(&stub.url("/token"))).expect("first refresh");
    assert_eq!(first.value(), "access-1");
    assert_eq!(first.refresh_token(), "old-refresh");
    let second = capi::refresh(&first).expect("second refresh, with the kept refresh token");
    assert_eq!(second.value(), "access-2");
    assert_eq!(second.refresh_token(), "old-refresh");
    assert_eq!(*sent.lock().unwrap(), ["old-refresh", "old-refresh"]);
}

#[test]
fn form_encoded_body_is_accepted() {
    let t = expect_token(Reply::Full {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: b"access_token=new-access&token_type=bearer&expires_in=60&refresh_token=new-refresh"
            .to_vec(),
    });
    assert_eq!(t.value(), "new-access");
    assert_eq!(t.refresh_token(), "new-refresh");
    assert_eq!(t.token_type(), "Bearer");
}

#[test]
fn error_object_with_status_200_is_that_error() {
    let f = expect_failure(
        Reply::json(
            200,
            r#"{"error":"invalid_grant","error_description":"expired"}"#,
        ),
        Code::InvalidGrant,
    );
    assert_eq!(f.oauth_error, "invalid_grant");
    assert_eq!(f.http_status, 200);
    let f = expect_failure(
        Reply::json(400, r#"{"error":"temporarily_unavailable"}"#),
        Code::OAuth,
    );
    assert_eq!(f.oauth_error, "temporarily_unavailable");
    assert_eq!(f.http_status, 400);
}

#[test]
fn unauthorized_without_json_but_with_invalid_client_challenge_is_invalid_client() {
    let f = expect_failure(
        Reply::Full {
            status: 401,
            headers: vec![(
                "WWW-Authenticate".into(),
                r#"Basic realm="stub", error="invalid_client""#.into(),
            )],
            body: Vec::new(),
        },
        Code::InvalidClient,
    );
    assert_eq!(f.http_status, 401);
}

#[test]
fn no_answer_is_timeout() {
    let started = Instant::now();
    let f = expect_failure(Reply::Silent, Code::Timeout);
    // AUTH_OPT_HTTP_TIMEOUT is 1 s: it was waited for, not skipped.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(f.message.contains("in time"), "{}", f.message);
}

#[test]
fn connection_closed_without_an_answer_is_network() {
    expect_failure(Reply::Close, Code::Network);
}

#[test]
fn closed_port_is_network() {
    let port = RefusingPort::new();
    let token = token_for(&port.url("/token"));
    let started = Instant::now();
    let f = capi::refresh(&token).expect_err("nothing listens");
    assert_eq!(f.code, Code::Network, "{f:?}");
    assert!(started.elapsed() < BOUND);
}

/// A token that knows its token endpoint refreshes without discovery: its configuration URL
/// being down does not matter (OAuth 2.0 parameters need no issuer).
#[test]
fn a_known_token_endpoint_needs_no_discovery() {
    let stub = Stub::replying(Reply::json(200, r#"{"access_token":"new-access"}"#));
    let discovery = RefusingPort::new();
    let p = Params::oauth2();
    p.set(Opt::ClientId, "app")
        .set(Opt::TokenUrl, &stub.url("/token"))
        .set(Opt::ConfigurationUrl, &discovery.url("/"))
        .set(Opt::HttpTimeout, "1");
    let token = capi::import(
        Some(&p),
        r#"{"access_token":"old-access","refresh_token":"old-refresh","expires_in":60}"#,
    )
    .expect("import");
    let fresh = capi::refresh(&token).expect("a refresh without discovery");
    assert_eq!(fresh.value(), "new-access");
    assert_eq!(stub.requests(), 1);
}

#[test]
fn the_request_is_a_form_post_with_the_refresh_token_and_json_accept() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let sink = seen.clone();
    let stub = Stub::start(std::sync::Arc::new(
        move |r: &support::stub::SeenRequest| {
            *sink.lock().unwrap() = Some(r.clone());
            Reply::json(200, r#"{"access_token":"n"}"#)
        },
    ));
    capi::refresh(&token_for(&stub.url("/token"))).expect("refresh");
    let request = seen.lock().unwrap().clone().expect("a request");
    let head = request.head.to_ascii_lowercase();
    assert!(head.starts_with("post /token http/1.1"), "{head}");
    assert!(head.contains("accept: application/json"), "{head}");
    assert!(
        head.contains("content-type: application/x-www-form-urlencoded"),
        "{head}"
    );
    let fields: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(request.body.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(fields["grant_type"], "refresh_token");
    assert_eq!(fields["refresh_token"], "old-refresh");
    assert_eq!(fields["client_id"], "app");
    assert!(!fields.contains_key("client_secret"));
}
