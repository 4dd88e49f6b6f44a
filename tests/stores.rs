//! Session stores with real parts: a redis-server of Debian's package started on a free port,
//! the real oidc-provider with refresh-token rotation on and 2 s access tokens, worker
//! processes (this test binary run again). The in-process stub only where a real server cannot
//! be made to misbehave: a token answer that never comes, or comes late.
//!
//! - a fleet: 4 processes in 2 working directories share one token in Redis for 10 s;
//! - a lease holder killed (SIGKILL) in the middle of a slow refresh: another process takes
//!   over when the lease runs out, not before, and the lease was renewed while it ran;
//! - Redis stopped and restarted in the middle of a run;
//! - a token stored by a newer writer is never overwritten;
//! - encryption at rest (option 50) in Redis and in a file; malformed store URLs.

mod support;

use authtoken_core::session::store;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::capi::{Code, Failure, Opt, Params, REFUSED_LOGINS, Session, Token};
use support::redis::RedisServer;
use support::stub::{Reply, Stub};
use support::{PUBLIC_APP, Provider};

const ROTATING_SHORT: &str = r#"{"rotateRefreshToken":true,"accessTokenTTL":2}"#;
/// 32 bytes in base64, and another key.
const STORE_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const OTHER_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA";

/// OAuth2 parameters of the public test client with this token endpoint; logins refused.
fn params(token_url: &str, store_key: Option<&str>) -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, PUBLIC_APP.id)
        .set(Opt::TokenUrl, token_url)
        .set(Opt::AuthUrl, "http://127.0.0.1:9/auth")
        .set(Opt::RedirectUrl, "http://127.0.0.1:0/callback")
        .set(Opt::HttpTimeout, "5")
        .refuse_logins();
    if let Some(k) = store_key {
        p.set(Opt::StoreKey, k);
    }
    p
}

fn core_params(token_url: &str) -> authtoken_core::Params {
    let p = authtoken_core::Params::new(authtoken_core::Kind::OAuth2)
        .with(Opt::ClientId, PUBLIC_APP.id)
        .unwrap()
        .with(Opt::TokenUrl, token_url)
        .unwrap();
    // The provider's revocation endpoint beside its token endpoint (tests/provider).
    match token_url.strip_suffix("/token") {
        Some(base) => p
            .with(Opt::RevocationUrl, &format!("{base}/token/revocation"))
            .unwrap(),
        None => p,
    }
}

/// The bytes a store keeps for the token answer `json` (sealed with `key` when given).
fn stored_bytes(token_url: &str, json: &str, key: Option<&str>) -> Vec<u8> {
    let mut p = core_params(token_url);
    if let Some(k) = key {
        p = p.with(Opt::StoreKey, k).unwrap();
    }
    let t = authtoken_core::Token::import(Some(&p), json).unwrap();
    store::encode(&t, p.store_key()).unwrap().to_vec()
}

/// A first token from the provider (a login played over HTTP), stored in Redis under `key`.
fn seed_from_provider(
    redis: &RedisServer,
    key: &str,
    provider: &Provider,
    store_key: Option<&str>,
) {
    let json = support::first_token_json(provider, &PUBLIC_APP, "openid offline_access");
    redis.set(
        key,
        &stored_bytes(&provider.token_endpoint(), &json, store_key),
    );
}

fn role() -> Option<String> {
    std::env::var("AUTHTOKEN_STORES_WORKER").ok()
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

/// This test binary again, running only `test` in worker mode.
fn worker(test: &str, role: &str, vars: &[(&str, &str)]) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("AUTHTOKEN_STORES_WORKER", role)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        c.env(k, v);
    }
    c
}

// ------------------------------------------------------------------------------------- fleet

const FLEET_SECONDS: u64 = 10;

#[test]
fn a_fleet_of_four_processes_refreshes_once_per_expiry() {
    if role().as_deref() == Some("fleet") {
        return fleet_worker();
    }
    let redis = RedisServer::start();
    let provider = Provider::start(ROTATING_SHORT);
    seed_from_provider(&redis, "fleet", &provider, Some(STORE_KEY));
    provider.reset_stats();
    let url = redis.url("fleet", "&lease=5");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let started = Instant::now();
    let children: Vec<_> = (0..4)
        .map(|i| {
            worker(
                "a_fleet_of_four_processes_refreshes_once_per_expiry",
                "fleet",
                &[
                    ("AUTHTOKEN_STORES_URL", &url),
                    ("AUTHTOKEN_STORES_TOKEN_URL", &provider.token_endpoint()),
                ],
            )
            .current_dir(dirs[i % 2].path())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut calls = 0;
    let mut tokens = std::collections::HashSet::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "a worker failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in stdout.lines() {
            // The harness's "test … " may stand before the first line printed.
            if let Some(n) = line.split("fleet-calls ").nth(1) {
                calls += n.trim().parse::<u32>().unwrap();
            }
            if let Some(t) = line.split("fleet-token ").nth(1) {
                tokens.insert(t.trim().to_owned());
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = provider.stats();
    let refreshes = stats["refresh"].as_u64().unwrap();
    // 2 s tokens taken with 1 s to spare: each lives 1 s in the fleet's hands (expiry is counted
    // in whole seconds), so the run holds about FLEET_SECONDS expiries.
    let expiries = FLEET_SECONDS;
    eprintln!(
        "fleet: 4 processes, {calls} calls, {refreshes} refreshes for {expiries} expiries \
         ({} distinct access tokens) in {elapsed:.1} s",
        tokens.len()
    );
    assert_eq!(
        stats["refresh_error"].as_u64(),
        Some(0),
        "no invalid_grant: {stats}"
    );
    assert!(
        refreshes <= expiries + 2 && refreshes + 3 >= expiries,
        "{refreshes} refreshes for {expiries} expiries: {stats}"
    );
    // Every token any worker got was made by one refresh (or is the first one).
    assert!(
        tokens.len() as u64 <= refreshes + 1,
        "{} tokens",
        tokens.len()
    );
    let value = redis.get("fleet").expect("the token stays in Redis");
    assert!(value.starts_with(b"ATKE"), "sealed");
    assert!(
        !value.windows(4).any(|w| w == b"ATKN"),
        "no clear token bytes"
    );
    for t in &tokens {
        assert!(!value.windows(t.len()).any(|w| w == t.as_bytes()));
    }
}

fn fleet_worker() {
    let p = params(&env("AUTHTOKEN_STORES_TOKEN_URL"), Some(STORE_KEY));
    let session = Session::new(&p, Some(&env("AUTHTOKEN_STORES_URL"))).unwrap();
    let until = Instant::now() + Duration::from_secs(FLEET_SECONDS);
    let (mut calls, mut seen) = (0, std::collections::HashSet::new());
    while Instant::now() < until {
        let t = session.token(1).unwrap_or_else(|e| {
            panic!(
                "worker {} after {calls} calls, {:?} before the end: {e:?}",
                std::process::id(),
                until - Instant::now()
            )
        });
        assert!(t.is_valid());
        seen.insert(t.value());
        calls += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(REFUSED_LOGINS.load(Ordering::SeqCst), 0, "no login");
    println!("fleet-calls {calls}");
    for t in seen {
        println!("fleet-token {t}");
    }
}

// ---------------------------------------------------------------------- SIGKILL, takeover

const TAKEOVER_LEASE: u64 = 2;

/// A token endpoint whose first answer never comes; later ones are new tokens.
fn slow_then_quick() -> Stub {
    let n = Arc::new(AtomicUsize::new(0));
    Stub::start(Arc::new(move |_| match n.fetch_add(1, Ordering::SeqCst) {
        0 => Reply::Silent,
        i => Reply::json(
            200,
            &format!(
                r#"{{"access_token":"taken-over-{i}","refresh_token":"rt-{i}","token_type":"Bearer","expires_in":60}}"#
            ),
        ),
    }))
}

#[test]
fn a_killed_lease_holder_is_taken_over_when_its_lease_runs_out() {
    if role().as_deref() == Some("holder") {
        let p = params(&env("AUTHTOKEN_STORES_TOKEN_URL"), None);
        p.set(Opt::HttpTimeout, "60");
        let session = Session::new(&p, Some(&env("AUTHTOKEN_STORES_URL"))).unwrap();
        let _ = session.token(3600); // hangs in the refresh until killed
        panic!("the slow refresh returned");
    }
    let stub = slow_then_quick();
    let redis = RedisServer::start();
    let token_url = stub.url("/token");
    redis.set(
        "kill",
        &stored_bytes(
            &token_url,
            r#"{"access_token":"first","refresh_token":"rt-0","expires_in":60}"#,
            None,
        ),
    );
    let url = redis.url("kill", &format!("&lease={TAKEOVER_LEASE}"));
    let mut holder = worker(
        "a_killed_lease_holder_is_taken_over_when_its_lease_runs_out",
        "holder",
        &[
            ("AUTHTOKEN_STORES_URL", &url),
            ("AUTHTOKEN_STORES_TOKEN_URL", &token_url),
        ],
    )
    .spawn()
    .unwrap();
    let waiting = Instant::now();
    while stub.requests() == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "the holder never refreshed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The refresh outlives the lease: the holder's renewals keep it.
    std::thread::sleep(Duration::from_millis(TAKEOVER_LEASE * 1000 + 700));
    let left: i64 = redis.command(&["PTTL", "kill:lease"]).unwrap()[1..]
        .parse()
        .unwrap();
    assert!(
        left > 0,
        "the lease was renewed during the slow refresh (PTTL {left})"
    );

    holder.kill().unwrap(); // SIGKILL: no release
    let killed = Instant::now();
    holder.wait().unwrap();
    let p = params(&token_url, None);
    let session = Session::new(&p, Some(&url)).unwrap();
    let t = session.token(3600).expect("the takeover refreshes");
    let takeover = killed.elapsed().as_secs_f64();
    eprintln!(
        "takeover: {takeover:.2} s after the SIGKILL (lease {TAKEOVER_LEASE} s, {left} ms left when checked)"
    );
    assert!(t.value().starts_with("taken-over-"), "{}", t.value());
    assert_eq!(
        stub.requests(),
        2,
        "one refresh by the holder, one by the next"
    );
    // Not before the lease ran out (it had at least 2/3 of its life after each renewal)...
    assert!(takeover >= (TAKEOVER_LEASE as f64) / 3.0, "{takeover:.2} s");
    // ...and soon after: woken by its end, not by polling on a long period.
    assert!(takeover <= TAKEOVER_LEASE as f64 + 1.5, "{takeover:.2} s");
}

// -------------------------------------------------------------------- Redis down, restarted

#[test]
fn redis_stopped_and_restarted_in_the_middle_of_a_run() {
    let mut redis = RedisServer::start();
    let provider = Provider::start(ROTATING_SHORT);
    seed_from_provider(&redis, "restart", &provider, None);
    provider.reset_stats();
    let p = params(&provider.token_endpoint(), None);
    p.set(Opt::HttpTimeout, "2");
    let session = Session::new(&p, Some(&redis.url("restart", ""))).unwrap();
    let first = session.token(1).unwrap();

    redis.stop();
    // Down: the current token while it is unexpired, even if it cannot last what is asked.
    let t = session.token(0).unwrap();
    assert_eq!(t.value(), first.value());
    let t = session.token(3600).unwrap();
    assert_eq!(t.value(), first.value());
    // Once it expired: a network error, at once, and no login.
    while first.is_valid() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let asked = Instant::now();
    let e = session.token(1).unwrap_err();
    assert_eq!(e.code, Code::Network, "{e:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    assert!(e.message.contains("Redis"), "{}", e.message);

    // Back (empty, as after a crash): the next call refreshes, and stores the new token.
    redis.restart();
    let t = session.token(1).expect("the next call works again");
    assert_ne!(t.value(), first.value());
    let stored = redis
        .get("restart")
        .expect("the token is written to the new Redis");
    assert_eq!(Token::deserialize(&stored).unwrap().value(), t.value());
    // No login: logins are refused, and every call above succeeded or failed with Network.
    let stats = provider.stats();
    assert_eq!(stats["refresh_error"].as_u64(), Some(0), "{stats}");
}

// ------------------------------------------------------------------ a newer writer's token

#[test]
fn a_token_stored_by_a_newer_writer_is_never_overwritten() {
    // The refresh answers only when the test says so.
    let (got_request, request_seen) = std::sync::mpsc::channel::<()>();
    let (answer, may_answer) = std::sync::mpsc::channel::<()>();
    let got_request = std::sync::Mutex::new(got_request);
    let may_answer = std::sync::Mutex::new(may_answer);
    let stub = Stub::start(Arc::new(move |_| {
        got_request.lock().unwrap().send(()).unwrap();
        may_answer.lock().unwrap().recv().unwrap();
        Reply::json(
            200,
            r#"{"access_token":"late-writer","refresh_token":"rt-late","expires_in":600}"#,
        )
    }));
    let redis = RedisServer::start();
    let token_url = stub.url("/token");
    redis.set(
        "newer",
        &stored_bytes(
            &token_url,
            r#"{"access_token":"old","refresh_token":"rt-old","expires_in":60}"#,
            None,
        ),
    );
    let p = params(&token_url, None);
    let session = Session::new(&p, Some(&redis.url("newer", ""))).unwrap();
    std::thread::scope(|s| {
        let refreshing = s.spawn(|| session.token(3600));
        request_seen.recv_timeout(Duration::from_secs(30)).unwrap();
        // Meanwhile another writer (a process whose lease had run out) stores a newer token.
        let newer = stored_bytes(
            &token_url,
            r#"{"access_token":"newer-writer","refresh_token":"rt-newer","expires_in":600}"#,
            None,
        );
        redis.set("newer", &newer);
        assert_eq!(redis.command(&["INCR", "newer:version"]).unwrap(), ":1");
        answer.send(()).unwrap();
        let t = refreshing.join().unwrap().unwrap();
        assert_eq!(
            t.value(),
            "newer-writer",
            "the late writer adopts the stored token"
        );
        let stored = redis.get("newer").unwrap();
        assert_eq!(stored, newer, "the newer token is still there");
    });
    // The value is the serialized token: readable by auth_token_deserialize.
    assert_eq!(
        Token::deserialize(&redis.get("newer").unwrap())
            .unwrap()
            .value(),
        "newer-writer"
    );
}

// -------------------------------------------------------------- encryption, URLs, rediss

#[test]
fn a_file_store_with_a_key_holds_no_clear_bytes_and_another_key_means_a_login() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sealed.token");
    let token_url = "http://127.0.0.1:9/token";
    std::fs::write(
        &path,
        stored_bytes(
            token_url,
            r#"{"access_token":"sealed-access-token","refresh_token":"sealed-refresh","expires_in":600}"#,
            Some(STORE_KEY),
        ),
    )
    .unwrap();
    let location = format!("file://{}", path.display());
    let session = Session::new(&params(token_url, Some(STORE_KEY)), Some(&location)).unwrap();
    assert_eq!(session.token(60).unwrap().value(), "sealed-access-token");
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"ATKE"));
    for clear in [&b"ATKN"[..], b"sealed-access-token", b"sealed-refresh"] {
        assert!(!bytes.windows(clear.len()).any(|w| w == clear));
    }
    // Another key, or none: no token, so a login (refused here: Cancelled comes from the
    // open-URL callback), and the file is left alone.
    for key in [Some(OTHER_KEY), None] {
        let s = Session::new(&params(token_url, key), Some(path.to_str().unwrap())).unwrap();
        let e = s.token(60).unwrap_err();
        assert_eq!(e.code, Code::Cancelled, "{e:?}");
        assert!(e.message.contains("open-URL callback"), "{}", e.message);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }
}

#[test]
fn store_keys_are_checked_when_set() {
    let p = Params::oauth2();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.txt");
    std::fs::write(&file, format!("  {STORE_KEY}\n")).unwrap();
    for good in [
        STORE_KEY,
        OTHER_KEY,                                     // unpadded
        "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8", // URL-safe
        &format!(" {STORE_KEY}\n"),
        file.to_str().unwrap(),
    ] {
        p.try_set(Opt::StoreKey, good)
            .unwrap_or_else(|e| panic!("{good}: {e:?}"));
    }
    for bad in [
        "",
        "c2hvcnQ=",                                         // 5 bytes
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIz", // 36 bytes
        "/nonexistent/key",
        dir.path().to_str().unwrap(),
    ] {
        let e: Failure = p.try_set(Opt::StoreKey, bad).unwrap_err();
        assert_eq!(e.code, Code::InvalidArgument, "{bad}: {e:?}");
        assert!(e.message.contains("AUTH_OPT_STORE_KEY"), "{}", e.message);
    }
    std::fs::write(&file, "not a key").unwrap();
    let e = p
        .try_set(Opt::StoreKey, file.to_str().unwrap())
        .unwrap_err();
    assert_eq!(e.code, Code::InvalidArgument);
    assert!(
        !e.message.contains("not a key"),
        "the file's text is not shown"
    );
}

#[test]
fn malformed_store_urls_are_invalid_arguments_and_rediss_to_plain_redis_fails_fast() {
    let p = params("http://127.0.0.1:9/token", None);
    for bad in [
        "redis://127.0.0.1:6379/",
        "redis://127.0.0.1:6379/?key=a&nope=1",
        "redis://127.0.0.1:70000/?key=a",
        "redis://127.0.0.1/?key=a&lease=0",
        "redis://127.0.0.1/?key=a&lease=soon",
        "rediss://127.0.0.1/db?key=a",
        "keyring:no-account",
        "file:relative/path",
    ] {
        let e = Session::new(&p, Some(bad))
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"));
        assert_eq!(e.code, Code::InvalidArgument, "{bad}: {e:?}");
    }
    let redis = RedisServer::start();
    p.set(Opt::HttpTimeout, "2");
    let url = format!("rediss://127.0.0.1:{}/?key=tls", redis.port);
    let started = Instant::now();
    let session = Session::new(&p, Some(&url)).unwrap();
    let e = session.token(0).unwrap_err();
    assert_eq!(e.code, Code::Network, "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn logout_revokes_and_deletes_the_redis_key() {
    let redis = RedisServer::start();
    let provider = Provider::start(r#"{"rotateRefreshToken":true}"#);
    seed_from_provider(&redis, "bye", &provider, None);
    let p = params(&provider.token_endpoint(), None);
    p.set(Opt::RevocationUrl, &provider.revocation_endpoint());
    let session = Session::new(&p, Some(&redis.url("bye", ""))).unwrap();
    session.token(60).unwrap();
    provider.reset_stats();
    session.logout().unwrap();
    assert!(redis.get("bye").is_none(), "deleted");
    assert!(provider.stats()["revocation"].as_u64().unwrap() >= 1);
}
