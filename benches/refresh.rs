//! One refresh through the C API (`auth_refresh_token`) against the in-process stub on
//! loopback, next to a bare reqwest keep-alive POST of the same form to the same stub: the
//! difference is what the library adds (client authentication, parsing, the new token). A
//! third line sends the same POST through the library's own HTTP layer only.
//!
//! Each line is measured in wall time and in the CPU time of the whole process (the client's
//! thread and the stub's), which the other work of a shared machine disturbs far less. Compare
//! the lines of one group with each other (their ratios), never absolute times across runs.

#[path = "support/cpu_time.rs"]
#[macro_use]
mod cpu_time;
#[path = "../tests/support/mod.rs"]
mod support;

use authtoken::params::{
    auth_kind, auth_option, auth_params_free, auth_params_new, auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::token::{auth_import_token, auth_token_free};
use authtoken::token_endpoint::auth_refresh_token;
use authtoken_core::{Kind, ParamOption as Opt};
use criterion::Criterion;
use criterion::measurement::Measurement;
use std::ffi::CString;
use support::stub::{Reply, Stub};

const ANSWER: &str = r#"{"access_token":"new-access-token-0123456789abcdefghijklmnopq","token_type":"Bearer","expires_in":3600,"scope":"api"}"#;
const FORM: &str = "grant_type=refresh_token&refresh_token=old-refresh-token-0123456789abcdefghijklmnopq&client_id=bench-app";

fn set(p: *mut authtoken::params::auth_params, o: Opt, v: &str) {
    let v = CString::new(v).unwrap();
    let r = unsafe { auth_params_set(p, auth_option::from(o), v.as_ptr()) };
    assert_eq!(r, auth_result::AUTH_OK);
}

fn lines<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let stub = Stub::replying(Reply::json(200, ANSWER));
    let url = stub.url("/token");

    let mut params = std::ptr::null_mut();
    assert_eq!(
        auth_params_new(auth_kind::from(Kind::OAuth2), &mut params),
        auth_result::AUTH_OK
    );
    set(params, Opt::ClientId, "bench-app");
    set(params, Opt::TokenUrl, &url);
    let json = CString::new(
        r#"{"access_token":"old","refresh_token":"old-refresh-token-0123456789abcdefghijklmnopq","expires_in":3600}"#,
    )
    .unwrap();
    let mut token = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_import_token(params, json.as_ptr(), &mut token) },
        auth_result::AUTH_OK
    );

    let mut group = c.benchmark_group(group);
    group.bench_function("auth_refresh_token (C API, loopback stub)", |b| {
        b.iter(|| {
            let mut fresh = std::ptr::null_mut();
            let r = unsafe { auth_refresh_token(token, &mut fresh) };
            assert_eq!(r, auth_result::AUTH_OK);
            unsafe { auth_token_free(fresh) };
        })
    });

    // The library's transport alone (this thread's runtime and client):
    // separates the cost of the HTTP layer from client authentication, parsing and the token.
    let transport = authtoken_core::config::TransportSettings::default();
    let request = authtoken_core::transport::http::Request::post_form(
        &url,
        url::form_urlencoded::parse(FORM.as_bytes())
            .map(|(k, v)| {
                (
                    k.into_owned(),
                    authtoken_core::secret::Secret::new(v.into_owned()),
                )
            })
            .collect(),
    );
    group.bench_function(
        "authtoken_core::transport::http::send (library transport only)",
        |b| {
            b.iter(|| {
                let r = authtoken_core::transport::http::block_on_here(
                    authtoken_core::transport::http::send(&transport, &request),
                )
                .unwrap();
                assert_eq!(r.status, 200);
                r
            })
        },
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .build()
        .unwrap();
    group.bench_function("bare reqwest keep-alive POST (same stub)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("accept", "application/json")
                    .body(FORM)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 200);
                r.bytes().await.unwrap()
            })
        })
    });
    group.finish();

    unsafe {
        auth_token_free(token);
        auth_params_free(params);
    }
}

wall_and_cpu_main!(lines, "refresh", "refresh (process CPU time)");
