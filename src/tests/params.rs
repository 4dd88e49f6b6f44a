//! `auth_params`: new, set (every option, NULL, invalid UTF-8, unknown numbers), free.

use super::*;
use crate::ffi::params::{auth_params_cancel, auth_params_free, auth_params_set};
use crate::params::{
    ClientAuth, Flow, JwtAlgorithm, Kind, Params, Pkce, ResponseType, SuccessPage,
};
use std::time::Duration;

const PEM_KEY: &str =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
const PEM_CERT: &str = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

fn set(p: *mut auth_params, opt: u32, value: Option<&str>) -> auth_result {
    let c = value.map(|v| CString::new(v).unwrap());
    unsafe {
        auth_params_set(
            p,
            option(opt),
            c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
        )
    }
}

fn set_ok(p: *mut auth_params, opt: u32, value: &str) {
    assert_eq!(
        set(p, opt, Some(value)),
        auth_result::AUTH_OK,
        "option {opt} = {value:?}: {}",
        last_error()
    );
    assert_eq!(last_error(), "");
}

fn snapshot(p: *const auth_params) -> Params {
    unsafe { &*p }.snapshot()
}

#[test]
fn new_makes_each_kind_and_refuses_unknown_kinds() {
    for (n, kind) in [(0, Kind::OAuth2), (1, Kind::OpenId), (2, Kind::Jwt)] {
        let p = new_params(n);
        assert_eq!(snapshot(p), Params::new(kind));
        unsafe { auth_params_free(p) };
    }
    for n in [3, 99, u32::MAX] {
        let mut out: *mut auth_params = garbage();
        assert_eq!(
            auth_params_new(auth_kind_value(n), &mut out),
            auth_result::AUTH_ERROR_INVALID_ARGUMENT
        );
        assert!(out.is_null(), "the out-parameter is NULL on failure");
        assert!(last_error().contains(&n.to_string()), "{}", last_error());
    }
    assert_eq!(
        auth_params_new(auth_kind_value(0), std::ptr::null_mut()),
        auth_result::AUTH_ERROR_INVALID_ARGUMENT
    );
    unsafe { auth_params_free(std::ptr::null_mut()) };
}

#[test]
fn every_option_is_stored_and_null_puts_back_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key.pem");
    let cert_file = dir.path().join("client.pem");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&key_file, PEM_KEY).unwrap();
    std::fs::write(&cert_file, PEM_CERT).unwrap();
    std::fs::write(&ca_file, PEM_CERT).unwrap();
    let (key_file, cert_file, ca_file) = (
        key_file.to_str().unwrap().to_owned(),
        cert_file.to_str().unwrap().to_owned(),
        ca_file.to_str().unwrap().to_owned(),
    );

    let p = new_params(1);
    let values: Vec<(u32, &str)> = vec![
        (1, "my-client"),
        (2, "s3cret"),
        (3, "https://idp.example/authorize"),
        (4, "http://127.0.0.1:8080/token"),
        (5, "  email   profile "),
        (6, "http://localhost:3333/cb"),
        (7, "token"),
        (8, "access_type=offline&prompt=consent"),
        (9, "https://idp.example"),
        (10, "basic"),
        (11, "42"),
        (12, "7"),
        (13, "device"),
        (14, "https://idp.example/device"),
        (15, "https://idp.example/revoke"),
        (16, "https://idp.example/userinfo"),
        (17, "plain"),
        (18, "<p>done</p>"),
        (19, "https://idp.example/logout"),
        (20, "https://idp.example/introspect"),
        (21, &cert_file),
        (22, "p12-password"),
        (23, PEM_KEY),
        (24, "EdDSA"),
        (25, "key-1"),
        (26, "iss-x"),
        (27, "sub-x"),
        (28, "https://idp.example/token"),
        (29, &ca_file),
        (30, "socks5://127.0.0.1:1080"),
        (31, "0"),
    ];
    assert_eq!(values.len(), 31, "one value per option");
    for (opt, value) in &values {
        set_ok(p, *opt, value);
    }
    let s = snapshot(p);
    assert_eq!(s.client_id, "my-client");
    assert_eq!(
        s.client_secret
            .as_ref()
            .map(|x| x.expose().to_owned())
            .as_deref(),
        Some("s3cret")
    );
    assert_eq!(s.auth_url.as_deref(), Some("https://idp.example/authorize"));
    assert_eq!(s.token_url.as_deref(), Some("http://127.0.0.1:8080/token"));
    assert_eq!(s.scope, "email profile");
    assert_eq!(s.effective_scope(), "openid email profile");
    assert_eq!(s.redirect_url.as_deref(), Some("http://localhost:3333/cb"));
    assert_eq!(s.response_type, ResponseType::Token);
    assert_eq!(
        s.additional_parameters,
        vec![
            ("access_type".to_owned(), "offline".to_owned()),
            ("prompt".to_owned(), "consent".to_owned())
        ]
    );
    assert_eq!(s.configuration_url.as_deref(), Some("https://idp.example/"));
    assert_eq!(s.client_auth, Some(ClientAuth::Basic));
    assert_eq!(s.login_timeout, Duration::from_secs(42));
    assert_eq!(s.http_timeout, Duration::from_secs(7));
    assert_eq!(s.flow, Flow::Device);
    assert_eq!(
        s.device_auth_url.as_deref(),
        Some("https://idp.example/device")
    );
    assert_eq!(
        s.revocation_url.as_deref(),
        Some("https://idp.example/revoke")
    );
    assert_eq!(
        s.userinfo_url.as_deref(),
        Some("https://idp.example/userinfo")
    );
    assert_eq!(s.pkce, Pkce::Plain);
    assert_eq!(
        s.success_page,
        Some(SuccessPage::Html("<p>done</p>".to_owned()))
    );
    assert_eq!(s.logout_url.as_deref(), Some("https://idp.example/logout"));
    assert_eq!(
        s.introspection_url.as_deref(),
        Some("https://idp.example/introspect")
    );
    assert_eq!(s.client_certificate.as_deref(), Some(cert_file.as_str()));
    assert_eq!(
        s.client_certificate_password
            .as_ref()
            .map(|x| x.expose().to_owned())
            .as_deref(),
        Some("p12-password")
    );
    assert_eq!(
        s.jwt_private_key
            .as_ref()
            .map(|x| x.expose().to_owned())
            .as_deref(),
        Some(PEM_KEY)
    );
    assert_eq!(s.jwt_algorithm, JwtAlgorithm::EdDSA);
    assert_eq!(s.jwt_key_id.as_deref(), Some("key-1"));
    assert_eq!(s.jwt_issuer.as_deref(), Some("iss-x"));
    assert_eq!(s.jwt_subject.as_deref(), Some("sub-x"));
    assert_eq!(s.jwt_audience.as_deref(), Some("https://idp.example/token"));
    assert_eq!(s.ca_file.as_deref(), Some(ca_file.as_str()));
    assert_eq!(s.proxy.as_deref(), Some("socks5://127.0.0.1:1080"));
    assert_eq!(s.clock_skew, Duration::ZERO);

    // A key given as the path of a PEM file is read now.
    set_ok(p, 23, &key_file);
    assert_eq!(
        snapshot(p)
            .jwt_private_key
            .as_ref()
            .map(|x| x.expose().to_owned())
            .as_deref(),
        Some(PEM_KEY)
    );
    // An https success page is a redirect; an empty secret is a public client.
    set_ok(p, 18, "https://app.example/done");
    assert_eq!(
        snapshot(p).success_page,
        Some(SuccessPage::RedirectTo(
            "https://app.example/done".to_owned()
        ))
    );
    set_ok(p, 2, "");
    assert!(snapshot(p).client_secret.is_none());

    for opt in 1..=31 {
        assert_eq!(
            set(p, opt, None),
            auth_result::AUTH_OK,
            "reset {opt}: {}",
            last_error()
        );
    }
    assert_eq!(
        snapshot(p),
        Params::new(Kind::OpenId),
        "NULL puts every default back"
    );
    unsafe { auth_params_free(p) };
}

#[test]
fn refused_values_leave_the_option_as_it_was() {
    let p = new_params(0);
    set_ok(p, 4, "https://idp.example/token");
    set_ok(p, 12, "9");
    set_ok(p, 17, "none");
    let before = snapshot(p);
    let refused: &[(u32, &str, auth_result)] = &[
        (
            4,
            "http://example.com/token",
            auth_result::AUTH_ERROR_INVALID_ARGUMENT,
        ),
        (4, "not a url", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (
            4,
            "https://idp.example/token#frag",
            auth_result::AUTH_ERROR_INVALID_ARGUMENT,
        ),
        (5, "read\twrite", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (
            6,
            "http://example.com/cb",
            auth_result::AUTH_ERROR_INVALID_ARGUMENT,
        ),
        (7, "id_token", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (8, "state=forged", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (8, "novalue", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (10, "magic", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (11, "0", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (12, "-3", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (12, "99999999999", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (12, "", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (13, "implicit", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (17, "S512", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (21, "", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (21, "/nonexistent/cert.pem", auth_result::AUTH_ERROR_IO),
        (
            23,
            "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----",
            auth_result::AUTH_ERROR_INVALID_ARGUMENT,
        ),
        (23, "/nonexistent/key.pem", auth_result::AUTH_ERROR_IO),
        (24, "HS256", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (29, "/nonexistent/ca.pem", auth_result::AUTH_ERROR_IO),
        (30, "ftp://proxy", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
        (31, "x", auth_result::AUTH_ERROR_INVALID_ARGUMENT),
    ];
    for (opt, value, expected) in refused {
        assert_eq!(
            set(p, *opt, Some(value)),
            *expected,
            "option {opt} = {value:?}"
        );
        assert!(
            !last_error().is_empty(),
            "option {opt}: a failure has a message"
        );
        assert_eq!(last_oauth_error(), "");
        assert_eq!(last_http_status(), 0);
    }
    assert_eq!(snapshot(p), before);
    unsafe { auth_params_free(p) };
}

#[test]
fn jwt_params_refuse_interactive_options() {
    let p = new_params(2);
    for (opt, value) in [
        (6, "http://127.0.0.1:0/"),
        (7, "code"),
        (13, "device"),
        (17, "S256"),
        (18, "<p/>"),
    ] {
        assert_eq!(
            set(p, opt, Some(value)),
            auth_result::AUTH_ERROR_INVALID_ARGUMENT,
            "option {opt}"
        );
        assert!(last_error().contains("JWT"), "{}", last_error());
    }
    assert_eq!(snapshot(p), Params::new(Kind::Jwt));
    unsafe { auth_params_free(p) };
}

#[test]
fn unknown_options_null_params_and_bad_utf8_are_invalid_arguments() {
    let p = new_params(0);
    set_ok(p, 1, "kept");
    for n in [0, 32, 1000, u32::MAX] {
        assert_eq!(
            set(p, n, Some("x")),
            auth_result::AUTH_ERROR_INVALID_ARGUMENT
        );
        assert!(last_error().contains(&n.to_string()), "{}", last_error());
        // NULL is a reset only for options that exist.
        assert_eq!(set(p, n, None), auth_result::AUTH_ERROR_INVALID_ARGUMENT);
    }
    let bad = unsafe { auth_params_set(p, option(1), NOT_UTF8.as_ptr().cast()) };
    assert_eq!(bad, auth_result::AUTH_ERROR_INVALID_ARGUMENT);
    assert!(last_error().contains("UTF-8"), "{}", last_error());
    assert_eq!(snapshot(p).client_id, "kept");

    let v = CString::new("x").unwrap();
    assert_eq!(
        unsafe { auth_params_set(std::ptr::null_mut(), option(1), v.as_ptr()) },
        auth_result::AUTH_ERROR_INVALID_ARGUMENT
    );
    assert!(last_error().contains("params"), "{}", last_error());
    unsafe { auth_params_free(p) };
}

#[test]
fn cancel_ends_flows_started_before_it_only() {
    let p = new_params(0);
    let before = unsafe { &*p }.canceller.watch();
    assert_eq!(unsafe { auth_params_cancel(p) }, auth_result::AUTH_OK);
    let after = unsafe { &*p }.canceller.watch();
    assert!(before.is_cancelled());
    assert!(!after.is_cancelled());
    assert_eq!(
        unsafe { auth_params_cancel(std::ptr::null()) },
        auth_result::AUTH_ERROR_INVALID_ARGUMENT
    );
    unsafe { auth_params_free(p) };
}
