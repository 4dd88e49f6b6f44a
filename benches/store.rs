//! `auth_session_token` with a valid token, through the C API, kept in a file and in Redis (a
//! real redis-server on loopback, started by tests/support), against reading the token file
//! alone (`auth_token_load`), all measured in the same run:
//! - a new session each time (`auth_session_open`: new + token + free): the store is read once
//!   (the file, or one Redis round trip: `MGET`);
//! - a live session: the common path, the token in memory (no I/O at all);
//! - the same with the value sealed by a store key (AES-256-GCM on each read).

#[path = "../tests/support/mod.rs"]
mod support;

use authtoken::params::{auth_kind, auth_option, auth_params, auth_params_new, auth_params_set};
use authtoken::result::auth_result;
use authtoken::session::{
    auth_session, auth_session_free, auth_session_new, auth_session_open, auth_session_token,
};
use authtoken::token::{auth_token_free, auth_token_load};
use authtoken_core::session::store;
use authtoken_core::{Kind, ParamOption as Opt};
use criterion::{Criterion, criterion_group, criterion_main};
use std::ffi::CString;
use support::redis::RedisServer;

const TOKEN: &str = r#"{"access_token":"bench-access-token-0123456789abcdefghijklmnopq","refresh_token":"bench-refresh-token-0123456789abcdefghijklmn","token_type":"Bearer","expires_in":86400,"scope":"openid profile offline_access"}"#;
const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn params(key: Option<&str>) -> *mut auth_params {
    let mut p = std::ptr::null_mut();
    assert_eq!(
        auth_params_new(auth_kind::from(Kind::OAuth2), &mut p),
        auth_result::AUTH_OK
    );
    let set = |o: Opt, v: &str| {
        let v = CString::new(v).unwrap();
        assert_eq!(
            unsafe { auth_params_set(p, auth_option::from(o), v.as_ptr()) },
            auth_result::AUTH_OK
        );
    };
    set(Opt::ClientId, "bench-app");
    set(Opt::TokenUrl, "http://127.0.0.1:9/token");
    if let Some(k) = key {
        set(Opt::StoreKey, k);
    }
    p
}

fn stored(key: Option<&str>) -> Vec<u8> {
    let mut p = authtoken_core::Params::new(Kind::OAuth2)
        .with(Opt::ClientId, "bench-app")
        .unwrap();
    if let Some(k) = key {
        p = p.with(Opt::StoreKey, k).unwrap();
    }
    let t = authtoken_core::Token::import(Some(&p), TOKEN).unwrap();
    store::encode(&t, p.store_key()).unwrap().to_vec()
}

fn open_once(params: *const auth_params, location: &CString) {
    let mut t = std::ptr::null_mut();
    let r = unsafe { auth_session_open(params, location.as_ptr(), &mut t) };
    assert_eq!(r, auth_result::AUTH_OK);
    unsafe { auth_token_free(t) };
}

fn live(params: *const auth_params, location: &CString) -> *mut auth_session {
    let mut s = std::ptr::null_mut();
    let r = unsafe { auth_session_new(params, location.as_ptr(), &mut s) };
    assert_eq!(r, auth_result::AUTH_OK);
    s
}

fn token_once(session: *mut auth_session) {
    let mut t = std::ptr::null_mut();
    let r = unsafe { auth_session_token(session, 60, &mut t) };
    assert_eq!(r, auth_result::AUTH_OK);
    unsafe { auth_token_free(t) };
}

fn bench(c: &mut Criterion) {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bench.token");
    let sealed_file = dir.path().join("bench-sealed.token");
    std::fs::write(&file, stored(None)).unwrap();
    std::fs::write(&sealed_file, stored(Some(KEY))).unwrap();
    redis.set("bench", &stored(None));
    redis.set("bench-sealed", &stored(Some(KEY)));
    let c_file = CString::new(file.to_str().unwrap()).unwrap();
    let c_sealed_file = CString::new(sealed_file.to_str().unwrap()).unwrap();
    let c_redis = CString::new(redis.url("bench", "")).unwrap();
    let c_sealed_redis = CString::new(redis.url("bench-sealed", "")).unwrap();
    let (plain, sealed) = (params(None), params(Some(KEY)));

    let mut g = c.benchmark_group("session store");
    g.bench_function("baseline: auth_token_load (the file alone)", |b| {
        b.iter(|| {
            let mut t = std::ptr::null_mut();
            assert_eq!(
                unsafe { auth_token_load(c_file.as_ptr(), &mut t) },
                auth_result::AUTH_OK
            );
            unsafe { auth_token_free(t) };
        })
    });
    g.bench_function("auth_session_open, file", |b| {
        b.iter(|| open_once(plain, &c_file))
    });
    g.bench_function("auth_session_open, file, sealed", |b| {
        b.iter(|| open_once(sealed, &c_sealed_file))
    });
    g.bench_function("auth_session_open, Redis (one round trip)", |b| {
        b.iter(|| open_once(plain, &c_redis))
    });
    g.bench_function("auth_session_open, Redis, sealed", |b| {
        b.iter(|| open_once(sealed, &c_sealed_redis))
    });
    let (s_file, s_redis) = (live(plain, &c_file), live(plain, &c_redis));
    g.bench_function("auth_session_token, live session, file (no I/O)", |b| {
        b.iter(|| token_once(s_file))
    });
    g.bench_function(
        "auth_session_token, live session, Redis (no round trip)",
        |b| b.iter(|| token_once(s_redis)),
    );
    g.finish();
    unsafe {
        auth_session_free(s_file);
        auth_session_free(s_redis);
    }
    drop(redis);
}

criterion_group!(benches, bench);
criterion_main!(benches);
