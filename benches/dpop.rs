//! The cost of DPoP (RFC 9449): a refresh of a DPoP-bound token (a proof signed with its P-256
//! key on the request) next to the same refresh of a Bearer token, both through the C API
//! against the in-process zero-work stub on loopback, and `auth_token_dpop_proof` alone. The
//! issue's target: a proof costs at most 15 % of a loopback refresh.
//!
//! Each line is measured twice: in wall time, and in the CPU time of the whole process (every
//! thread: the library's and the stub's), which a shared, loaded machine disturbs far less.
//! Compare the lines of one group with each other, never across runs.

#[path = "support/cpu_time.rs"]
#[macro_use]
mod cpu_time;
#[path = "../tests/support/mod.rs"]
mod support;

use authtoken::identify::auth_identify;
use authtoken::memory::auth_string_free;
use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_free, auth_params_new, auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::token::{auth_token, auth_token_dpop_proof, auth_token_free};
use authtoken::token_endpoint::auth_refresh_token;
use authtoken_core::{Kind, ParamOption as Opt};
use criterion::Criterion;
use criterion::measurement::Measurement;
use std::ffi::CString;
use support::stub::{Reply, Stub};

/// A token answer with a refresh token, of type `token_type`.
fn answer(token_type: &str) -> String {
    format!(
        r#"{{"access_token":"new-access-token-0123456789abcdefghijklmnopq","token_type":"{token_type}","expires_in":3600,"scope":"api","refresh_token":"old-refresh-token-0123456789abcdefghijklmnopq"}}"#
    )
}

fn set(p: *mut auth_params, o: Opt, v: &str) {
    let v = CString::new(v).unwrap();
    let r = unsafe { auth_params_set(p, auth_option::from(o), v.as_ptr()) };
    assert_eq!(r, auth_result::AUTH_OK);
}

/// A stub answering `token_type` tokens, and a token of it from the client credentials grant
/// (DPoP on or off), which refreshes against the same stub.
struct Fixture {
    _stub: Stub,
    params: *mut auth_params,
    token: *mut auth_token,
}

impl Fixture {
    fn new(token_type: &str, dpop: bool) -> Fixture {
        let stub = Stub::replying(Reply::json(200, &answer(token_type)));
        let mut params = std::ptr::null_mut();
        assert_eq!(
            auth_params_new(auth_kind::from(Kind::OAuth2), &mut params),
            auth_result::AUTH_OK
        );
        set(params, Opt::ClientId, "bench-app");
        set(params, Opt::TokenUrl, &stub.url("/token"));
        set(params, Opt::Flow, "client_credentials");
        if dpop {
            set(params, Opt::Dpop, "on");
        }
        let mut token = std::ptr::null_mut();
        assert_eq!(
            unsafe { auth_identify(params, &mut token) },
            auth_result::AUTH_OK
        );
        Fixture {
            _stub: stub,
            params,
            token,
        }
    }

    fn refresh(&self) {
        let mut fresh = std::ptr::null_mut();
        let r = unsafe { auth_refresh_token(self.token, &mut fresh) };
        assert_eq!(r, auth_result::AUTH_OK);
        unsafe { auth_token_free(fresh) };
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        unsafe {
            auth_token_free(self.token);
            auth_params_free(self.params);
        }
    }
}

fn proof(token: *const auth_token, method: &CString, url: &CString) {
    let mut proof = std::ptr::null_mut();
    let r = unsafe {
        auth_token_dpop_proof(
            token,
            method.as_ptr(),
            url.as_ptr(),
            std::ptr::null(),
            &mut proof,
        )
    };
    assert_eq!(r, auth_result::AUTH_OK);
    unsafe { auth_string_free(proof) };
}

fn lines<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let bearer = Fixture::new("Bearer", false);
    let dpop = Fixture::new("DPoP", true);
    let (method, url) = (
        CString::new("GET").unwrap(),
        CString::new("https://api.example/accounts?page=2").unwrap(),
    );
    let mut g = c.benchmark_group(group);
    g.bench_function("auth_refresh_token, Bearer (baseline)", |b| {
        b.iter(|| bearer.refresh())
    });
    g.bench_function("auth_refresh_token, DPoP-bound (ES256 proof)", |b| {
        b.iter(|| dpop.refresh())
    });
    g.bench_function("auth_token_dpop_proof alone (ES256, ath)", |b| {
        b.iter(|| proof(dpop.token, &method, &url))
    });
    g.finish();
}

wall_and_cpu_main!(lines, "dpop (wall time)", "dpop (process CPU time)");
