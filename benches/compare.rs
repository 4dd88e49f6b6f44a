//! The Rust side of benches/compare/run (not a criterion bench: the script drives it).
//!
//! - `compare fixture`: starts the zero-work token endpoint (the in-process stub answering
//!   every request with one fixed token answer) and a real oidc-provider with refresh-token
//!   rotation off, obtains a first refresh token over HTTP, prints one JSON line describing
//!   both, and runs until its stdin closes.
//! - `compare measure LABEL TOKEN_URL REFRESH_TOKEN CLIENT_ID SECRET SAMPLES [ISSUER]`: median
//!   time of one refresh through the C API, a bare reqwest keep-alive POST (the floor), and the
//!   `oauth2` crate (async and blocking); with ISSUER also the C API as an OpenID token (which
//!   validates the ID token of each answer). One JSON line per client.
//! - `compare breakdown TOKEN_URL REFRESH_TOKEN CLIENT_ID SECRET SAMPLES`: where the time of
//!   one C API refresh goes: the library's transport alone, entering the thread's runtime,
//!   the bare POST on a multi-thread runtime (the library's design before the per-thread
//!   runtime), and the in-memory token work.
//! - `compare first TOKEN_URL REFRESH_TOKEN CLIENT_ID SECRET`: what the first C API refresh
//!   of a process pays for: starting the thread's runtime, building its HTTP client (and the
//!   shared TLS configuration), the refresh.
//! - `compare floor SECONDS`: the bare reqwest keep-alive POST against an in-process zero-work
//!   stub for about SECONDS: the median over 20 batches of the wall time and of the process's
//!   CPU time (client and stub threads) per POST, one JSON line (scripts/bench-guard's
//!   references).
//! - `compare threads TOKEN_URL REFRESH_TOKEN CLIENT_ID SECRET SECONDS [CLIENT_CPU]`: refreshes
//!   per second through the C API on one shared token, and of the bare POST (one runtime and
//!   connection per thread), with 1, 2, 4 and 8 threads, interleaved point by point; with
//!   CLIENT_CPU every client thread runs on that CPU only (use it with the fixture's
//!   `zero_pinned_token_url`, whose stub runs on `stub_cpu`). Also the process CPU time and
//!   context switches per call of each point.

#[path = "support/cpu_time.rs"]
#[allow(dead_code, unused_macros)] // only its process_cpu_ns here
mod cpu_time;
#[path = "../tests/support/mod.rs"]
mod support;

use authtoken::params::{
    auth_kind, auth_option, auth_params, auth_params_free, auth_params_new, auth_params_set,
};
use authtoken::result::auth_result;
use authtoken::token::{auth_import_token, auth_token, auth_token_free};
use authtoken::token_endpoint::auth_refresh_token;
use authtoken_core::config::{Kind, ParamOption};
use std::ffi::CString;
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use support::stub::{Reply, Stub};

/// What the zero-work endpoint answers to every POST: a typical OAuth token answer.
const ZERO_WORK_ANSWER: &str = r#"{"access_token":"Vx9pQ2mZk4Lr8sT1uY6wE3aB7cD0fG5hJ2kL9nM4pQ1","token_type":"Bearer","expires_in":3600,"refresh_token":"Rt8sT1uY6wE3aB7cD0fG5hJ2kL9nM4pQ1Vx9pQ2mZk4L","scope":"api:read api:write"}"#;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("fixture") => fixture(),
        Some("measure") if args.len() >= 7 => measure(&args[1..]),
        Some("threads") if (6..=7).contains(&args.len()) => threads(&args[1..]),
        Some("breakdown") if args.len() == 6 => breakdown(&args[1..]),
        Some("first") if args.len() == 5 => first(&args[1..]),
        Some("floor") if args.len() == 2 => floor(&args[1]),
        // `cargo bench` with no arguments: nothing to do (the script runs the binary).
        _ => eprintln!(
            "usage: compare fixture | measure LABEL URL RT ID SECRET SAMPLES [ISSUER] | threads URL RT ID SECRET SECONDS"
        ),
    }
}

/// The CPUs the calling thread may run on.
fn affinity() -> libc::cpu_set_t {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the call writes at most its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        let r = libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
        assert_eq!(r, 0, "sched_getaffinity");
        set
    }
}

/// Restricts the calling thread (and the threads it starts from now on) to `set`.
fn set_affinity(set: &libc::cpu_set_t) {
    // SAFETY: a valid cpu_set_t of the size given.
    let r = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), set) };
    assert_eq!(
        r,
        0,
        "sched_setaffinity: {}",
        std::io::Error::last_os_error()
    );
}

/// Restricts the calling thread (and the threads it starts from now on) to CPU `cpu`.
fn pin_to(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET writes within it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    unsafe { libc::CPU_SET(cpu, &mut set) };
    set_affinity(&set);
}

/// The CPU the pinned stub runs on (the clients of `threads` take another one).
const STUB_CPU: usize = 0;

fn fixture() {
    let zero = Stub::replying(Reply::json(200, ZERO_WORK_ANSWER));
    // A second zero-work stub whose thread runs on STUB_CPU only (for `threads`, whose clients
    // run on another CPU): a thread inherits the affinity of the thread that starts it.
    let all = affinity();
    let pinned = if std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
        pin_to(STUB_CPU);
        let stub = Stub::replying(Reply::json(200, ZERO_WORK_ANSWER));
        set_affinity(&all);
        Some(stub)
    } else {
        None
    };
    let provider = support::Provider::start(r#"{"rotateRefreshToken":false}"#);
    let client = support::CONF_POST;
    let first = support::first_token_json(&provider, &client, "openid offline_access");
    let v: serde_json::Value = serde_json::from_str(&first).expect("first token JSON");
    let line = serde_json::json!({
        "zero_token_url": zero.url("/token"),
        "zero_pinned_token_url": pinned.as_ref().map(|s| s.url("/token")),
        "stub_cpu": pinned.as_ref().map(|_| STUB_CPU),
        "issuer": provider.issuer,
        "provider_token_url": provider.token_endpoint(),
        "refresh_token": v["refresh_token"].as_str().expect("a refresh token"),
        "client_id": client.id,
        "client_secret": client.secret.unwrap_or(""),
    });
    println!("{line}");
    std::io::stdout().flush().expect("stdout");
    // Serve until the script closes our stdin.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    let refreshes = provider.refresh_count();
    eprintln!(
        "fixture: zero-work endpoint answered {} requests (pinned one {}), provider {} refreshes",
        zero.requests(),
        pinned.as_ref().map_or(0, |s| s.requests()),
        refreshes
    );
}

/// A token handle shared by threads (the C API allows it: tokens are immutable).
#[derive(Clone, Copy)]
struct SharedToken(*mut auth_token);
unsafe impl Send for SharedToken {}
unsafe impl Sync for SharedToken {}

/// A C API token for `url`: params of `kind`, imported from a token answer holding `rt`.
fn c_token(kind: Kind, url: &str, rt: &str, id: &str, secret: &str) -> SharedToken {
    let set = |p: *mut auth_params, o: ParamOption, v: &str| {
        let v = CString::new(v).unwrap();
        let r = unsafe { auth_params_set(p, auth_option::from(o), v.as_ptr()) };
        assert_eq!(r, auth_result::AUTH_OK, "set {o:?}");
    };
    let mut p = std::ptr::null_mut();
    assert_eq!(
        auth_params_new(auth_kind(if kind == Kind::OpenId { 1 } else { 0 }), &mut p),
        auth_result::AUTH_OK
    );
    match kind {
        Kind::OpenId => set(p, ParamOption::ConfigurationUrl, url),
        _ => set(p, ParamOption::TokenUrl, url),
    }
    set(p, ParamOption::ClientId, id);
    set(p, ParamOption::ClientSecret, secret);
    set(p, ParamOption::ClientAuth, "post");
    let json = CString::new(format!(
        r#"{{"access_token":"first","token_type":"Bearer","expires_in":3600,"refresh_token":"{rt}"}}"#
    ))
    .unwrap();
    let mut t = std::ptr::null_mut();
    assert_eq!(
        unsafe { auth_import_token(p, json.as_ptr(), &mut t) },
        auth_result::AUTH_OK
    );
    unsafe { auth_params_free(p) };
    SharedToken(t)
}

fn c_refresh(t: SharedToken) {
    let mut out = std::ptr::null_mut();
    let r = unsafe { auth_refresh_token(t.0, &mut out) };
    assert_eq!(r, auth_result::AUTH_OK, "auth_refresh_token");
    unsafe { auth_token_free(out) };
}

/// The floor: one keep-alive POST with reqwest, body read, nothing parsed.
struct BarePost {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    url: String,
    form: Vec<(&'static str, String)>,
}

impl BarePost {
    fn new(url: &str, refresh_token: &str, id: &str, secret: &str) -> BarePost {
        BarePost {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            url: url.to_owned(),
            form: vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh_token.into()),
                ("client_id", id.into()),
                ("client_secret", secret.into()),
            ],
        }
    }
    fn post(&self) {
        self.rt.block_on(async {
            let r = self
                .client
                .post(&self.url)
                .header("accept", "application/json")
                .form(&self.form)
                .send()
                .await
                .expect("POST");
            assert!(r.status().is_success(), "status {}", r.status());
            r.bytes().await.expect("body");
        })
    }
}

/// Context switches of the whole process so far (all threads, voluntary and not): each
/// hand-over between threads that sleep costs about two.
fn context_switches() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_nvcsw + usage.ru_nivcsw
}

/// Times `samples` calls after a warmup and prints one JSON line with the median.
fn time(label: &str, client: &str, samples: usize, mut call: impl FnMut()) {
    for _ in 0..(samples / 5).clamp(20, 200) {
        call();
    }
    let switches_before = context_switches();
    let mut ns: Vec<u64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            call();
            start.elapsed().as_nanos() as u64
        })
        .collect();
    let switches = (context_switches() - switches_before) as f64 / samples as f64;
    ns.sort_unstable();
    let at = |q: f64| ns[((ns.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    println!(
        "{}",
        serde_json::json!({"target": label, "client": client, "median_us": at(0.5),
            "p10_us": at(0.1), "p90_us": at(0.9), "n": samples,
            "context_switches_per_call": switches})
    );
    std::io::stdout().flush().unwrap();
}

fn measure(a: &[String]) {
    let (label, url, rt, id, secret) = (&a[0], &a[1], &a[2], &a[3], &a[4]);
    let samples: usize = a[5].parse().expect("SAMPLES");
    let issuer = a.get(6);

    let token = c_token(Kind::OAuth2, url, rt, id, secret);
    time(label, "authtoken C API", samples, || c_refresh(token));
    if let Some(issuer) = issuer {
        let oidc = c_token(Kind::OpenId, issuer, rt, id, secret);
        time(
            label,
            "authtoken C API, OpenID (validates each ID token)",
            samples,
            || c_refresh(oidc),
        );
        unsafe { auth_token_free(oidc.0) };
    }

    let bare = BarePost::new(url, rt, id, secret);
    time(label, "bare reqwest keep-alive POST", samples, || {
        bare.post()
    });

    use oauth2::basic::BasicClient;
    use oauth2::{AuthType, ClientId, ClientSecret, RefreshToken, TokenUrl};
    let client = BasicClient::new(ClientId::new(id.clone()))
        .set_client_secret(ClientSecret::new(secret.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::new(url.clone()).expect("token URL"));
    let refresh_token = RefreshToken::new(rt.clone());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let async_http = oauth2::reqwest::Client::builder()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    time(label, "oauth2 5 (reqwest async)", samples, || {
        runtime.block_on(async {
            client
                .exchange_refresh_token(&refresh_token)
                .request_async(&async_http)
                .await
                .expect("oauth2 refresh");
        })
    });
    drop(runtime);

    let blocking_http = oauth2::reqwest::blocking::Client::builder()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    time(label, "oauth2 5 (reqwest blocking)", samples, || {
        client
            .exchange_refresh_token(&refresh_token)
            .request(&blocking_http)
            .expect("oauth2 refresh");
    });
    unsafe { auth_token_free(token.0) };
}

/// CPU time of the whole process so far (user and system, every thread), in seconds.
fn process_cpu_seconds() -> f64 {
    cpu_time::process_cpu_ns() * 1e-9
}

/// One point of the scaling curve: calls per second, and per call the CPU time of this process
/// (the clients only when the stub is in another process) and its context switches.
struct Rate {
    per_second: f64,
    cpu_us_per_call: f64,
    switches_per_call: f64,
}

/// Calls per second of `call` on `n` threads (each gets its index) for `seconds`, after a
/// 300 ms warmup in the same threads (so each thread's runtime and connection are warm).
fn rate(n: usize, seconds: f64, call: impl Fn(usize) + Sync) -> Rate {
    let start = Instant::now();
    let warm = start + Duration::from_millis(300);
    let end = warm + Duration::from_secs_f64(seconds);
    let barrier = std::sync::Barrier::new(n + 1);
    let (count, elapsed, cpu, switches) = std::thread::scope(|s| {
        let (call, barrier) = (&call, &barrier);
        let handles: Vec<_> = (0..n)
            .map(|i| {
                s.spawn(move || {
                    while Instant::now() < warm {
                        call(i);
                    }
                    barrier.wait();
                    let mut count = 0u64;
                    while Instant::now() < end {
                        call(i);
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        // Every thread is warm: the measured window starts here.
        barrier.wait();
        let (t, cpu, switches) = (Instant::now(), process_cpu_seconds(), context_switches());
        let count: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        (
            count.max(1) as f64,
            t.elapsed().as_secs_f64(),
            process_cpu_seconds() - cpu,
            context_switches() - switches,
        )
    });
    Rate {
        per_second: count / elapsed,
        cpu_us_per_call: cpu * 1e6 / count,
        switches_per_call: switches as f64 / count,
    }
}

/// The thread counts of the scaling curve.
const THREAD_COUNTS: [usize; 4] = [1, 2, 4, 8];

fn threads(a: &[String]) {
    let (url, rt, id, secret) = (&a[0], &a[1], &a[2], &a[3]);
    let seconds: f64 = a[4].parse().expect("SECONDS");
    let client_cpu: Option<usize> = a.get(5).map(|c| c.parse().expect("CLIENT_CPU"));
    if let Some(cpu) = client_cpu {
        // Every thread started from now on (the clients, their runtimes) runs on `cpu` only.
        pin_to(cpu);
    }
    let token = c_token(Kind::OAuth2, url, rt, id, secret);
    // The floor: one runtime and connection per thread.
    let max = THREAD_COUNTS[THREAD_COUNTS.len() - 1];
    let posts: Vec<BarePost> = (0..max)
        .map(|_| BarePost::new(url, rt, id, secret))
        .collect();
    let print = |client: &str, n: usize, r: Rate| {
        println!(
            "{}",
            serde_json::json!({"client": client, "threads": n, "per_second": r.per_second,
                "cpu_us_per_call": r.cpu_us_per_call,
                "context_switches_per_call": r.switches_per_call,
                "client_cpu": client_cpu})
        );
        std::io::stdout().flush().unwrap();
    };
    // Point by point, the two clients one after the other: a change of the machine's load
    // reaches both sides of each ratio.
    for n in THREAD_COUNTS {
        print("authtoken C API", n, rate(n, seconds, |_| c_refresh(token)));
        print(
            "bare reqwest keep-alive POST",
            n,
            rate(n, seconds, |i| posts[i].post()),
        );
    }
    unsafe { auth_token_free(token.0) };
}

fn breakdown(a: &[String]) {
    use authtoken_core::config::TransportSettings;
    use authtoken_core::secret::Secret;
    use authtoken_core::transport::http::{Request, block_on_here, send};
    let (url, rt, id, secret) = (&a[0], &a[1], &a[2], &a[3]);
    let samples: usize = a[4].parse().expect("SAMPLES");
    let label = "breakdown";

    let token = c_token(Kind::OAuth2, url, rt, id, secret);
    time(
        label,
        "authtoken C API (auth_refresh_token)",
        samples,
        || c_refresh(token),
    );
    let transport = TransportSettings::default();
    let fields: Vec<(String, Secret)> = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt.as_str()),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), Secret::new(*v)))
    .collect();
    time(
        label,
        "library transport only: block_on_here(http::send(POST))",
        samples,
        || {
            let request = Request::post_form(url, fields.clone());
            let r = block_on_here(send(&transport, &request)).expect("send");
            assert!(r.is_success());
        },
    );
    time(
        label,
        "entering the thread's runtime: block_on_here(async {})",
        samples,
        || block_on_here(async {}),
    );
    let json = CString::new(ZERO_WORK_ANSWER).unwrap();
    time(
        label,
        "in-memory token work: auth_import_token + auth_token_free",
        samples,
        || unsafe {
            let mut t = std::ptr::null_mut();
            assert_eq!(
                auth_import_token(std::ptr::null(), json.as_ptr(), &mut t),
                auth_result::AUTH_OK
            );
            auth_token_free(t);
        },
    );
    let bare = BarePost::new(url, rt, id, secret);
    time(
        label,
        "bare reqwest POST, current-thread runtime (the floor)",
        samples,
        || bare.post(),
    );
    // The same POST driven from the caller's thread while the connection task lives on a
    // 2-worker multi-thread runtime, as in the library.
    let multi = BarePost {
        rt: tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
        ..BarePost::new(url, rt, id, secret)
    };
    time(
        label,
        "bare reqwest POST, 2-worker multi-thread runtime",
        samples,
        || multi.post(),
    );
    unsafe { auth_token_free(token.0) };
}

fn first(a: &[String]) {
    use authtoken_core::config::TransportSettings;
    let (url, rt, id, secret) = (&a[0], &a[1], &a[2], &a[3]);
    let token = c_token(Kind::OAuth2, url, rt, id, secret);
    let t = Instant::now();
    authtoken_core::transport::http::block_on_here(async {});
    let runtime_us = t.elapsed().as_secs_f64() * 1e6;
    let t = Instant::now();
    authtoken_core::transport::http::block_on_here(async {
        authtoken_core::transport::http::client(&TransportSettings::default()).expect("client")
    });
    let client_us = t.elapsed().as_secs_f64() * 1e6;
    let t = Instant::now();
    c_refresh(token);
    let first_us = t.elapsed().as_secs_f64() * 1e6;
    let t = Instant::now();
    c_refresh(token);
    let second_us = t.elapsed().as_secs_f64() * 1e6;
    println!(
        "{}",
        serde_json::json!({"runtime_start_us": runtime_us, "http_client_build_us": client_us,
            "first_refresh_after_those_us": first_us, "second_refresh_us": second_us})
    );
    unsafe { auth_token_free(token.0) };
}

fn floor(seconds: &str) {
    let seconds: f64 = seconds.parse().expect("SECONDS");
    let stub = Stub::replying(Reply::json(200, ZERO_WORK_ANSWER));
    let bare = BarePost::new(&stub.url("/token"), "rt", "id", "secret");
    for _ in 0..200 {
        bare.post();
    }
    // Batches of about seconds / 20 each: per batch the wall and CPU time per POST.
    let t = Instant::now();
    for _ in 0..50 {
        bare.post();
    }
    let per_batch = ((seconds / 20.0) / (t.elapsed().as_secs_f64() / 50.0)).max(20.0) as u32;
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let (t, c) = (Instant::now(), process_cpu_seconds());
        for _ in 0..per_batch {
            bare.post();
        }
        wall.push(t.elapsed().as_secs_f64() * 1e9 / f64::from(per_batch));
        cpu.push((process_cpu_seconds() - c) * 1e9 / f64::from(per_batch));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{}",
        serde_json::json!({"wall_ns_per_post": median(&mut wall),
            "cpu_ns_per_post": median(&mut cpu), "posts_per_batch": per_batch})
    );
}
