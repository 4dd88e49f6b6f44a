//! The keyring store (`keyring:SERVICE/ACCOUNT`) against a real Secret Service:
//! gnome-keyring-daemon, unlocked, in a private D-Bus session (support::keyring re-executes the
//! test under dbus-run-session), read back with `secret-tool`. Two processes share the item
//! against the real oidc-provider with rotation on and 2 s access tokens: no invalid_grant, one
//! refresh per expiry, the item sealed with the store key.

mod support;

use authtoken_core::session::store;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use support::capi::{Opt, Params, REFUSED_LOGINS, Session};
use support::{PUBLIC_APP, Provider};

const TEST: &str = "the_keyring_keeps_a_sealed_token_shared_by_two_processes";
const LOCATION: &str = "keyring:authtoken-test/alice@example.com";
const STORE_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const SECONDS: u64 = 4;

fn params(token_url: &str) -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, PUBLIC_APP.id)
        .set(Opt::TokenUrl, token_url)
        .set(Opt::StoreKey, STORE_KEY)
        .refuse_logins();
    p
}

#[test]
fn the_keyring_keeps_a_sealed_token_shared_by_two_processes() {
    if let Ok(token_url) = std::env::var("AUTHTOKEN_KEYRING_WORKER") {
        return worker(&token_url);
    }
    let Some(keyring) = support::keyring::inside_private_session(TEST) else {
        return;
    };
    let provider = Provider::start(r#"{"rotateRefreshToken":true,"accessTokenTTL":2}"#);
    let json = support::first_token_json(&provider, &PUBLIC_APP, "openid offline_access");
    let core = authtoken_core::Params::new(authtoken_core::Kind::OAuth2)
        .with(Opt::ClientId, PUBLIC_APP.id)
        .unwrap()
        .with(Opt::TokenUrl, &provider.token_endpoint())
        .unwrap()
        .with(Opt::StoreKey, STORE_KEY)
        .unwrap();
    let first = authtoken_core::Token::import(Some(&core), &json).unwrap();
    // Stored as a session would (under the lease, as the first writer).
    let item = store::Location::parse(LOCATION)
        .unwrap()
        .open(&core)
        .unwrap();
    let bytes = store::encode(&first, core.store_key()).unwrap();
    {
        let _lease = item.lease(Duration::from_secs(5)).unwrap();
        item.write(&bytes, &store::Snapshot::absent()).unwrap();
    }
    assert_eq!(
        keyring
            .lookup("authtoken-test", "alice@example.com")
            .as_deref(),
        Some(&bytes[..]),
        "secret-tool finds the item by its service and account"
    );
    provider.reset_stats();

    let started = Instant::now();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
                .env("AUTHTOKEN_KEYRING_WORKER", provider.token_endpoint())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for w in workers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a worker failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = provider.stats();
    let refreshes = stats["refresh"].as_u64().unwrap();
    eprintln!("keyring: 2 processes, {refreshes} refreshes in {elapsed:.1} s ({SECONDS} s each)");
    assert_eq!(
        stats["refresh_error"].as_u64(),
        Some(0),
        "no invalid_grant: {stats}"
    );
    assert!((SECONDS - 1..=SECONDS + 2).contains(&refreshes), "{stats}");

    let sealed = keyring
        .lookup("authtoken-test", "alice@example.com")
        .expect("the item is there");
    assert!(sealed.starts_with(b"ATKE"), "sealed");
    assert!(
        !sealed.windows(4).any(|w| w == b"ATKN"),
        "no clear token bytes"
    );
    let last = store::decode(&sealed, core.store_key()).unwrap();
    assert_ne!(last.access_token().expose(), first.access_token().expose());

    // Logout deletes the item.
    let p = params(&provider.token_endpoint());
    let session = Session::new(&p, Some(LOCATION)).unwrap();
    session.logout().unwrap();
    assert_eq!(keyring.lookup("authtoken-test", "alice@example.com"), None);
}

fn worker(token_url: &str) {
    let p = params(token_url);
    let session = Session::new(&p, Some(LOCATION)).unwrap();
    let until = Instant::now() + Duration::from_secs(SECONDS);
    while Instant::now() < until {
        let t = session.token(1).unwrap_or_else(|e| panic!("worker: {e:?}"));
        assert!(t.is_valid());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(REFUSED_LOGINS.load(Ordering::SeqCst), 0, "no login");
}
