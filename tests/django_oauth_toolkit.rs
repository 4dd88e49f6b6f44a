//! The library against a second, independent authorization server: django-oauth-toolkit 3.4
//! (tests/django_provider, support::django). Its OpenID discovery document has no revocation
//! or introspection endpoint; only its RFC 8414 document has them. The user is played over
//! HTTP through Django's login form.

mod support;

use serde_json::Value;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::LazyLock;
use support::capi::{self, Code, Opt, Params, Session, Token};
use support::django::{self, DJ_BASIC, DJ_HS256, DJ_POST, DJ_PUBLIC, DJ_SERVICE, Django};
use support::{TestClient, follow_redirect};

/// One server for the file (the process ends it when the tests end).
static DJANGO: LazyLock<Django> = LazyLock::new(|| Django::start("{}"));

/// The browser at the authorization endpoint: signs in through Django's login form on another
/// thread and delivers the redirect to the library's loopback listener. `user` is NULL (the
/// test user) or a static C string naming another.
unsafe extern "C" fn play_user(user: *mut c_void, url: *const c_char) -> c_int {
    let url = unsafe { CStr::from_ptr(url) }.to_str().unwrap().to_owned();
    let user = if user.is_null() {
        django::USER.to_owned()
    } else {
        unsafe { CStr::from_ptr(user.cast()) }
            .to_str()
            .unwrap()
            .to_owned()
    };
    std::thread::spawn(move || {
        let redirect = django::login_over_http_as(&url, &user);
        let _ = follow_redirect(&redirect);
    });
    0
}

/// The browser at the end-session endpoint (RP-initiated logout).
unsafe extern "C" fn play_logout(_: *mut c_void, url: *const c_char) -> c_int {
    let url = unsafe { CStr::from_ptr(url) }.to_str().unwrap().to_owned();
    std::thread::spawn(move || {
        let back = django::end_session_over_http(&url);
        let _ = follow_redirect(&back);
    });
    0
}

/// OpenID parameters of `client` with discovery only (no endpoint set by hand).
fn params_of(client: &TestClient, issuer: &str) -> Params {
    let p = Params::openid();
    p.set(Opt::ClientId, client.id)
        .set(Opt::ClientAuth, client.auth)
        .set(Opt::ConfigurationUrl, issuer)
        .set(Opt::Scope, "openid profile email")
        .set(Opt::RedirectUrl, "http://127.0.0.1:0/callback")
        .set(Opt::LoginTimeout, "60")
        .set_open_url(Some(play_user), std::ptr::null_mut());
    if let Some(secret) = client.secret {
        p.set(Opt::ClientSecret, secret);
    }
    p
}

fn login(client: &TestClient) -> Token {
    capi::identify(&params_of(client, DJANGO.issuer())).unwrap_or_else(|f| {
        panic!(
            "login as {}: {f:?}\n--- server log (last lines) ---\n{}",
            client.id,
            DJANGO.log_tail()
        )
    })
}

fn get_json(url: &str) -> Value {
    let body = support::follow_redirect(url).unwrap_or_else(|| panic!("GET {url}"));
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}"))
}

/// The premise of this file: revocation and introspection are only in the RFC 8414 document.
#[test]
fn the_openid_document_lacks_revocation_and_introspection() {
    let openid = get_json(&DJANGO.discovery_url());
    assert!(openid.get("revocation_endpoint").is_none(), "{openid}");
    assert!(openid.get("introspection_endpoint").is_none(), "{openid}");
    let oauth = get_json(&DJANGO.rfc8414_url());
    assert_eq!(oauth["revocation_endpoint"], DJANGO.revocation_endpoint());
    assert_eq!(oauth["issuer"], DJANGO.issuer());
}

/// The seed example end to end: login (discovery, PKCE, the user over HTTP), save, load,
/// refresh from a deserialized token with no parameters, identity.
#[test]
fn seed_scenario_end_to_end() {
    let token = login(&DJ_POST);
    assert!(token.is_valid());
    assert!(!token.refresh_token().is_empty());
    assert!(!token.id_token().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("AuthSession.bin");
    capi::save(&token, &file).unwrap();
    let loaded = capi::load(&file).unwrap();
    assert_eq!(loaded.value(), token.value());

    // As another process would: from the bytes alone.
    let restored = Token::deserialize(&loaded.serialize()).unwrap();
    let refreshed = capi::refresh(&restored)
        .unwrap_or_else(|f| panic!("refresh: {f:?}\n{}", DJANGO.log_tail()));
    assert_ne!(refreshed.value(), token.value());
    assert_ne!(refreshed.refresh_token(), token.refresh_token(), "rotation");
    capi::save(&refreshed, &file).unwrap();

    let identity = capi::read_identity(&capi::load(&file).unwrap()).unwrap();
    let source = identity.source();
    assert_eq!(source["email"], "alice@example.com", "{source}");
    assert_eq!(source["given_name"], "Alice", "{source}");
    assert!(!identity.subject().is_empty());
}

/// Both client authentication methods, a public client and HS256 ID tokens (signed with the
/// client secret): each signs in, and its identity reads.
#[test]
fn every_client_signs_in_and_reads_its_identity() {
    let mut subjects = Vec::new();
    for client in [&DJ_BASIC, &DJ_PUBLIC, &DJ_HS256] {
        let token = login(client);
        let identity = capi::read_identity(&token)
            .unwrap_or_else(|f| panic!("identity of {}: {f:?}", client.id));
        assert_eq!(identity.source()["email"], "alice@example.com");
        subjects.push(identity.subject());
    }
    assert!(subjects.windows(2).all(|w| w[0] == w[1]), "{subjects:?}");
}

/// Refresh rotates the refresh token; the used one is dead, and presenting it again revokes
/// the whole family (REFRESH_TOKEN_REUSE_PROTECTION), the new one included.
#[test]
fn refresh_rotates_and_reuse_kills_the_family() {
    let first = login(&DJ_PUBLIC);
    let second = capi::refresh(&first).unwrap();
    assert_ne!(second.refresh_token(), first.refresh_token());
    let third = capi::refresh(&second).unwrap();
    assert_ne!(third.refresh_token(), second.refresh_token());
    let reused = capi::refresh(&first).unwrap_err();
    assert_eq!(reused.code, Code::InvalidGrant, "{reused:?}");
    assert_eq!(reused.oauth_error, "invalid_grant");
    let family = capi::refresh(&third).unwrap_err();
    assert_eq!(family.code, Code::InvalidGrant, "{family:?}");
}

/// Revocation and introspection with only a configuration URL: both endpoints come from the
/// RFC 8414 document. After revocation, introspection says inactive and the refresh token is
/// refused.
#[test]
fn revocation_and_introspection_found_through_rfc8414() {
    let token = login(&DJ_POST);
    let before = capi::introspect(&token).unwrap_or_else(|f| panic!("introspect: {f:?}"));
    assert_eq!(before["active"], true, "{before}");
    capi::revoke(&token).unwrap_or_else(|f| panic!("revoke: {f:?}"));
    let after = capi::introspect(&token).unwrap();
    assert_eq!(after["active"], false, "{after}");
    let refused = capi::refresh(&token).unwrap_err();
    assert_eq!(refused.code, Code::InvalidGrant, "{refused:?}");
}

/// A session's logout revokes the grant at the provider (found through RFC 8414): the file is
/// gone, the old refresh token is refused, and no warning was logged.
#[test]
fn session_logout_revokes_the_grant() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.token");
    let params = params_of(&DJ_PUBLIC, DJANGO.issuer());
    let session = Session::new(&params, Some(file.to_str().unwrap())).unwrap();
    let token = session.token(60).unwrap();
    assert!(file.exists());
    let (result, heard) = capi::with_thread_log(|| session.logout());
    result.unwrap();
    assert!(!file.exists());
    assert!(
        heard.iter().all(|(level, _)| *level > 2),
        "a revoking logout warns of nothing: {heard:?}"
    );
    assert!(
        heard
            .iter()
            .any(|(_, m)| m.contains("the grant is revoked at the provider")),
        "{heard:?}"
    );
    let refused = capi::refresh(&token).unwrap_err();
    assert_eq!(refused.code, Code::InvalidGrant, "{refused:?}");
}

/// RP-initiated logout (the end-session endpoint from discovery, the browser sent back to the
/// loopback listener with the state); django-oauth-toolkit then deletes the user's tokens.
#[test]
fn rp_initiated_logout() {
    let params = params_of(&DJ_BASIC, DJANGO.issuer());
    params.set_open_url(Some(play_user), c"bob".as_ptr().cast_mut().cast());
    let token = capi::identify(&params).unwrap();
    assert_eq!(
        capi::read_identity(&token).unwrap().source()["email"],
        "bob@example.com"
    );
    params.set_open_url(Some(play_logout), std::ptr::null_mut());
    capi::logout_with_params(&params, &token).unwrap_or_else(|f| panic!("logout: {f:?}"));
    let refused = capi::refresh(&token).unwrap_err();
    assert_eq!(refused.code, Code::InvalidGrant, "{refused:?}");
}

/// The client credentials grant, the token endpoint from discovery.
#[test]
fn client_credentials() {
    let p = Params::oauth2();
    p.set(Opt::ClientId, DJ_SERVICE.id)
        .set(Opt::ClientSecret, DJ_SERVICE.secret.unwrap())
        .set(Opt::ClientAuth, DJ_SERVICE.auth)
        .set(Opt::ConfigurationUrl, DJANGO.issuer())
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Scope, "api");
    let token = capi::identify(&p).unwrap();
    assert!(token.is_valid());
    assert_eq!(token.scope(), "api");
}

/// A provider restarted at the same address with its token endpoint moved: the refresh of a
/// stored token meets a 404, discovery is fetched again at once (the cached document is still
/// fresh), and the refresh goes to the new endpoint; the new token carries it.
#[test]
fn a_moved_token_endpoint_is_found_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite3");
    let config = serde_json::json!({ "db": db });
    let first = Django::start(&config.to_string());
    let port = first.port();
    let token = capi::identify(&params_of(&DJ_PUBLIC, first.issuer())).unwrap();
    let stored = token.serialize();
    drop(first);

    let moved = serde_json::json!({ "db": db, "port": port, "tokenPath": "token-v2/" });
    let second = Django::start(&moved.to_string());
    let discovered = get_json(&second.discovery_url());
    assert_eq!(
        discovered["token_endpoint"],
        format!("{}/token-v2/", second.issuer())
    );
    let restored = Token::deserialize(&stored).unwrap();
    let (refreshed, heard) = capi::with_thread_log(|| capi::refresh(&restored));
    let refreshed = refreshed.unwrap_or_else(|f| panic!("refresh after the move: {f:?}"));
    assert!(
        heard.iter().any(|(_, m)| m.contains("answered 404")),
        "{heard:?}"
    );
    // The new token knows the new endpoint: its own refresh needs no second look.
    let (again, heard) = capi::with_thread_log(|| capi::refresh(&refreshed));
    again.unwrap();
    assert!(
        !heard.iter().any(|(_, m)| m.contains("answered 404")),
        "{heard:?}"
    );
}
