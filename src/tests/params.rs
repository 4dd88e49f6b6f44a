//! `auth_params`: new, set (every option, NULL, invalid UTF-8, unknown numbers), free.

use super::*;
use crate::params::{auth_params_cancel, auth_params_free, auth_params_set};
use authtoken_core::{Kind, ParamOption, Params};

const PEM_KEY: &str =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
const PEM_CERT: &str = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
const EC_KEY: &str = include_str!("../../tests/provider/keys/client-ec.pem");

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
            auth_params_new(auth_kind(n), &mut out),
            Code::InvalidArgument
        );
        assert!(out.is_null(), "the out-parameter is NULL on failure");
        assert!(last_error().contains(&n.to_string()), "{}", last_error());
    }
    assert_eq!(
        auth_params_new(auth_kind(0), std::ptr::null_mut()),
        Code::InvalidArgument
    );
    unsafe { auth_params_free(std::ptr::null_mut()) };
}

/// Each option number reaches the core's option of that number: the C handle holds what the
/// core's `Params::set` makes of the same value (the values themselves are the core's tests).
#[test]
fn every_option_reaches_the_core_and_null_puts_back_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let cert_file = dir.path().join("client.pem");
    std::fs::write(&cert_file, PEM_CERT).unwrap();
    let cert_file = cert_file.to_str().unwrap().to_owned();
    let p = new_params(1);
    let mut expected = Params::new(Kind::OpenId);
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
        (29, &cert_file),
        (30, "socks5://127.0.0.1:1080"),
        (31, "0"),
        (32, "on"),
        (33, EC_KEY),
        (34, "on"),
        (35, "https://idp.example/par"),
        (36, "signed"),
        (37, "https://api.example/ urn:example:api"),
        (38, r#"[{"type":"account_information"}]"#),
        (39, "fapi2"),
        (40, "urn:example:loa:1 urn:example:loa:2"),
        (41, "600"),
        (42, "login"),
        (43, "alice@example.com"),
        (44, "urn:ietf:params:oauth:token-type:jwt"),
        (45, "https://api.example billing"),
        (46, "actor-token"),
        (47, "urn:ietf:params:oauth:token-type:id_token"),
        (48, "https://idp.example/bc-authorize"),
        (49, "W4SC-K7Q2"),
        (50, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
    ];
    assert_eq!(
        values.len(),
        ParamOption::ALL.len(),
        "one value per option: add the new option's value here"
    );
    for (opt, value) in &values {
        set_ok(p, *opt, value);
        let option = ParamOption::from_number(*opt).expect("an option of the contract");
        expected.set(option, value).unwrap();
        assert_eq!(snapshot(p), expected, "option {opt} = {value:?}");
    }
    for option in ParamOption::ALL {
        assert_eq!(
            set(p, option.number(), None),
            auth_result::AUTH_OK,
            "reset {option:?}: {}",
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
    let refused: &[(u32, &str, Code)] = &[
        (4, "http://example.com/token", Code::InvalidArgument),
        (4, "not a url", Code::InvalidArgument),
        (4, "https://idp.example/token#frag", Code::InvalidArgument),
        (5, "read\twrite", Code::InvalidArgument),
        (6, "http://example.com/cb", Code::InvalidArgument),
        (7, "id_token", Code::InvalidArgument),
        (8, "state=forged", Code::InvalidArgument),
        (8, "novalue", Code::InvalidArgument),
        (10, "magic", Code::InvalidArgument),
        (11, "0", Code::InvalidArgument),
        (12, "-3", Code::InvalidArgument),
        (12, "99999999999", Code::InvalidArgument),
        (12, "", Code::InvalidArgument),
        (13, "implicit", Code::InvalidArgument),
        (17, "S512", Code::InvalidArgument),
        (21, "", Code::InvalidArgument),
        (21, "/nonexistent/cert.pem", Code::Io),
        (
            23,
            "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----",
            Code::InvalidArgument,
        ),
        (23, "/nonexistent/key.pem", Code::Io),
        (24, "HS256", Code::InvalidArgument),
        (29, "/nonexistent/ca.pem", Code::Io),
        (30, "ftp://proxy", Code::InvalidArgument),
        (31, "x", Code::InvalidArgument),
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
        (13, "ciba"),
        (17, "S256"),
        (18, "<p/>"),
        (49, "W4SC-K7Q2"),
    ] {
        assert_eq!(
            set(p, opt, Some(value)),
            Code::InvalidArgument,
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
    for n in [0, 1000, 65536, u32::MAX] {
        assert_eq!(set(p, n, Some("x")), Code::InvalidArgument);
        assert!(last_error().contains(&n.to_string()), "{}", last_error());
        // NULL is a reset only for options that exist.
        assert_eq!(set(p, n, None), Code::InvalidArgument);
    }
    let bad = unsafe { auth_params_set(p, option(1), NOT_UTF8.as_ptr().cast()) };
    assert_eq!(bad, Code::InvalidArgument);
    assert!(last_error().contains("UTF-8"), "{}", last_error());
    assert_eq!(snapshot(p).client_id(), "kept");

    let v = CString::new("x").unwrap();
    assert_eq!(
        unsafe { auth_params_set(std::ptr::null_mut(), option(1), v.as_ptr()) },
        Code::InvalidArgument
    );
    assert!(last_error().contains("params"), "{}", last_error());
    unsafe { auth_params_free(p) };
}

#[test]
fn cancel_ends_flows_started_before_it_only() {
    let p = new_params(0);
    let before = snapshot(p).cancel_watch();
    assert_eq!(unsafe { auth_params_cancel(p) }, auth_result::AUTH_OK);
    let after = snapshot(p).cancel_watch();
    assert!(before.is_cancelled());
    assert!(!after.is_cancelled());
    assert_eq!(
        unsafe { auth_params_cancel(std::ptr::null()) },
        Code::InvalidArgument
    );
    unsafe { auth_params_free(p) };
}
