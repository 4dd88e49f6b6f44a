//! The soak (issue 18): in one process, against the zero-work stub of tests/support on
//! loopback, through the C API:
//!
//! - 1,000,000 refreshes of one token (`auth_refresh_token`, the new token freed each time);
//! - 10,000 sessions, each `auth_session_new` on a token file, `auth_session_token` asking for
//!   more than any token lasts (so a refresh and an atomic rewrite of the file every time),
//!   `auth_session_free`;
//! - 100,000 two-step logins: `auth_login_begin`, then `auth_login_complete` with the redirect
//!   URL a browser would bring back (a code and the authorization URL's `state`), whose code
//!   is exchanged at the stub's token endpoint;
//! - 10,000 short-lived threads, each making one refresh (each thread's runtime, HTTP client
//!   and connection are made and dropped with it).
//!
//! The work runs in 100 rounds, each one hundredth of every kind, interleaved, so that a leak
//! of any kind grows through the whole run. After each round the resident memory (VmRSS of
//! /proc/self/status), the open file descriptors (/proc/self/fd) and the threads
//! (/proc/self/task) are sampled. The first 10 rounds are the warm-up; after them the resident
//! memory must stay within 1 MiB of the sample that ends the warm-up, and the descriptors and
//! threads must not grow. Prints every sample and one verdict line (`soak: PASS …` or
//! `soak: FAIL …`); exits with 1 on a failure.
//!
//! `cargo bench --bench soak` (or `scripts/soak`); `-- --scale 0.1` does a tenth of everything
//! (a quick check of the program itself, not the soak).

#[path = "../tests/support/mod.rs"]
mod support;

use authtoken::login::{auth_login_begin, auth_login_complete, auth_login_free, auth_login_url};
use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_free, auth_params_new, auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::session::{auth_session_free, auth_session_new, auth_session_token};
use authtoken::token::{auth_import_token, auth_token, auth_token_free, auth_token_save};
use authtoken::token_endpoint::auth_refresh_token;
use authtoken_core::{Kind, ParamOption as Opt};
use std::ffi::{CStr, CString};
use std::io::Write;
use std::time::{Duration, Instant};
use support::stub::{Reply, Stub};

/// What the stub answers to every POST (a refresh or a code exchange): a typical token answer.
const ANSWER: &str = r#"{"access_token":"Vx9pQ2mZk4Lr8sT1uY6wE3aB7cD0fG5hJ2kL9nM4pQ1","token_type":"Bearer","expires_in":3600,"refresh_token":"Rt8sT1uY6wE3aB7cD0fG5hJ2kL9nM4pQ1Vx9pQ2mZk4L","scope":"api:read api:write"}"#;
/// Where the "browser" is sent back to: never listened on (the host receives it itself).
const REDIRECT: &str = "http://127.0.0.1:9/callback";

const ROUNDS: usize = 100;
const WARMUP_ROUNDS: usize = 10;
/// The largest growth of the resident memory allowed after the warm-up.
const RSS_LIMIT_KIB: i64 = 1024;
/// Totals over the whole run (before --scale).
const REFRESHES: usize = 1_000_000;
const SESSIONS: usize = 10_000;
const LOGINS: usize = 100_000;
const THREADS: usize = 10_000;

fn ok(r: auth_result, what: &str) {
    if r != auth_result::AUTH_OK {
        let e = unsafe { CStr::from_ptr(authtoken::last_error::auth_last_error()) };
        panic!("{what}: {r:?}: {}", e.to_string_lossy());
    }
}

fn params(options: &[(Opt, &str)]) -> *mut auth_params {
    let mut p = std::ptr::null_mut();
    ok(
        auth_params_new(auth_kind::from(Kind::OAuth2), &mut p),
        "auth_params_new",
    );
    for (o, v) in options {
        let v = CString::new(*v).unwrap();
        ok(
            unsafe { auth_params_set(p, auth_option::from(*o), v.as_ptr()) },
            "auth_params_set",
        );
    }
    p
}

/// A token handle the threads may share (tokens are immutable; the C API allows it).
#[derive(Clone, Copy)]
struct Shared(*mut auth_token);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

fn refresh(token: Shared) {
    let mut fresh = std::ptr::null_mut();
    ok(
        unsafe { auth_refresh_token(token.0, &mut fresh) },
        "auth_refresh_token",
    );
    unsafe { auth_token_free(fresh) };
}

/// One session: opened on the token file, asked for a token no answer lasts long enough for
/// (a refresh and a rewrite of the file), freed.
fn session(params: *const auth_params, path: &CStr) {
    let mut s = std::ptr::null_mut();
    ok(
        unsafe { auth_session_new(params, path.as_ptr(), &mut s) },
        "auth_session_new",
    );
    let mut t = std::ptr::null_mut();
    ok(
        unsafe { auth_session_token(s, 7200, &mut t) },
        "auth_session_token",
    );
    unsafe {
        auth_token_free(t);
        auth_session_free(s);
    }
}

/// One two-step login: begin, the redirect a browser would bring back (a code and the
/// authorization URL's state), complete (the code exchanged at the stub), all freed.
fn login(params: *const auth_params, n: usize) {
    let mut l = std::ptr::null_mut();
    ok(
        unsafe { auth_login_begin(params, &mut l) },
        "auth_login_begin",
    );
    let url = unsafe { CStr::from_ptr(auth_login_url(l)) }
        .to_str()
        .unwrap();
    let state = url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state in the authorization URL");
    let back = CString::new(format!(
        "{REDIRECT}?code=soak-code-{n}&state={}",
        url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>()
    ))
    .unwrap();
    let mut t = std::ptr::null_mut();
    ok(
        unsafe { auth_login_complete(l, back.as_ptr(), &mut t) },
        "auth_login_complete",
    );
    unsafe {
        auth_token_free(t);
        auth_login_free(l);
    }
}

/// What is sampled after each round.
#[derive(Clone, Copy)]
struct Sample {
    rss_kib: i64,
    fds: usize,
    threads: usize,
}

fn rss_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn entries(dir: &str) -> usize {
    std::fs::read_dir(dir).expect(dir).count()
}

/// The sample, once descriptors and threads have settled: a connection the stub has not yet
/// seen closed, or a thread still leaving, is given up to a second; a leak never settles.
fn sample(settled: Option<Sample>) -> Sample {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let s = Sample {
            rss_kib: rss_kib(),
            fds: entries("/proc/self/fd"),
            threads: entries("/proc/self/task"),
        };
        match settled {
            Some(b) if (s.fds > b.fds || s.threads > b.threads) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => return s,
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scale: f64 = args
        .iter()
        .position(|a| a == "--scale")
        .map(|i| args[i + 1].parse().expect("--scale FACTOR"))
        .unwrap_or(1.0);
    let per_round = |total: usize| ((total as f64 * scale) as usize / ROUNDS).max(1);
    let (refreshes, sessions, logins, threads) = (
        per_round(REFRESHES),
        per_round(SESSIONS),
        per_round(LOGINS),
        per_round(THREADS),
    );

    let stub = Stub::replying(Reply::json(200, ANSWER));
    let token_url = stub.url("/token");
    let auth_url = stub.url("/authorize");
    let client = [
        (Opt::TokenUrl, token_url.as_str()),
        (Opt::ClientId, "soak-app"),
        (Opt::ClientSecret, "soak-secret"),
        (Opt::ClientAuth, "post"),
    ];
    let refresh_params = params(&client);
    let json = CString::new(ANSWER).unwrap();
    let mut token = std::ptr::null_mut();
    ok(
        unsafe { auth_import_token(refresh_params, json.as_ptr(), &mut token) },
        "auth_import_token",
    );
    let token = Shared(token);

    let mut with_login = client.to_vec();
    with_login.extend([
        (Opt::AuthUrl, auth_url.as_str()),
        (Opt::RedirectUrl, REDIRECT),
    ]);
    let login_params = params(&with_login);

    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = CString::new(dir.path().join("soak.token").to_str().unwrap()).unwrap();
    ok(
        unsafe { auth_token_save(token.0, file.as_ptr()) },
        "auth_token_save",
    );

    println!(
        "soak: {ROUNDS} rounds of {refreshes} refreshes, {sessions} sessions, {logins} logins \
         and {threads} one-refresh threads (C API, zero-work stub at {token_url}); the first \
         {WARMUP_ROUNDS} rounds are the warm-up"
    );
    println!(
        "{:>5} {:>9} {:>8} {:>8} {:>8} {:>8} {:>10} {:>4} {:>7}",
        "round",
        "refreshes",
        "sessions",
        "logins",
        "threads",
        "seconds",
        "VmRSS KiB",
        "fds",
        "threads"
    );
    let started = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut baseline: Option<Sample> = None;
    let mut login_count = 0;
    for round in 1..=ROUNDS {
        for _ in 0..refreshes {
            refresh(token);
        }
        for _ in 0..sessions {
            session(login_params, &file);
        }
        for _ in 0..logins {
            login(login_params, login_count);
            login_count += 1;
        }
        for _ in 0..threads {
            std::thread::spawn(move || refresh(token))
                .join()
                .expect("a refresh thread");
        }
        let s = sample(baseline);
        println!(
            "{round:>5} {:>9} {:>8} {:>8} {:>8} {:>8.1} {:>10} {:>4} {:>7}{}",
            round * refreshes,
            round * sessions,
            round * logins,
            round * threads,
            started.elapsed().as_secs_f64(),
            s.rss_kib,
            s.fds,
            s.threads,
            if round == WARMUP_ROUNDS {
                "  (end of the warm-up: the baseline)"
            } else {
                ""
            }
        );
        std::io::stdout().flush().unwrap();
        if round == WARMUP_ROUNDS {
            baseline = Some(s);
        } else if round > WARMUP_ROUNDS {
            samples.push(s);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    unsafe {
        auth_token_free(token.0);
        auth_params_free(refresh_params);
        auth_params_free(login_params);
    }
    let requests = stub.requests();
    drop(stub);

    let b = baseline.expect("a baseline");
    let max_rss = samples.iter().map(|s| s.rss_kib).max().unwrap_or(b.rss_kib);
    let last = samples.last().copied().unwrap_or(b);
    let max_fds = samples.iter().map(|s| s.fds).max().unwrap_or(b.fds);
    let max_threads = samples.iter().map(|s| s.threads).max().unwrap_or(b.threads);
    let growth = max_rss - b.rss_kib;
    let mut failures = Vec::new();
    if growth > RSS_LIMIT_KIB {
        failures.push(format!(
            "resident memory grew by {growth} KiB after the warm-up (limit {RSS_LIMIT_KIB} KiB)"
        ));
    }
    if max_fds > b.fds {
        failures.push(format!("open descriptors grew from {} to {max_fds}", b.fds));
    }
    if max_threads > b.threads {
        failures.push(format!("threads grew from {} to {max_threads}", b.threads));
    }
    let summary = format!(
        "VmRSS {} KiB after the warm-up, at most {max_rss} KiB after it (+{growth} KiB, limit \
         +{RSS_LIMIT_KIB}), {} KiB at the end; fds {} → at most {max_fds}; threads {} → at most \
         {max_threads}; {requests} requests answered by the stub; {seconds:.0} s",
        b.rss_kib, last.rss_kib, b.fds, b.threads
    );
    if failures.is_empty() {
        println!("soak: PASS: {summary}");
    } else {
        println!("soak: FAIL: {}; {summary}", failures.join("; "));
        std::process::exit(1);
    }
}
