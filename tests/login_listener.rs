//! The loopback listener and the login checks, with the user played over plain HTTP (no
//! provider needed: the answers are error redirects, forgeries and implicit-flow fragments,
//! none of which reach a token endpoint).

use authtoken_core::cancel::Canceller;
use authtoken_core::config::{DevicePrompt, UserAgent};
use authtoken_core::config::{Kind, ParamOption, Params};
use authtoken_core::error::{ErrorKind, Result};
use authtoken_core::login::identify::identify_with;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

// The one part of the support library this file needs (the rest starts servers it does not).
#[path = "support/skip.rs"]
mod skip;

/// One raw HTTP exchange; returns (status, headers+body text).
fn http(addr: &str, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect to the listener");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn get(addr: &str, target: &str) -> (u16, String) {
    http(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// The authorization request's query parameter `name`.
fn param(url: &str, name: &str) -> String {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn host_port(redirect_uri: &str) -> String {
    let u = Url::parse(redirect_uri).unwrap();
    format!("{}:{}", u.host_str().unwrap(), u.port().unwrap())
}

/// What the listener answered to each request: (status, raw answer).
type Answers = Vec<(u16, String)>;

/// Plays the user: on open_url, runs `script(authorization_url)` on another thread, which
/// talks to the listener like a browser would; the reports of what it saw are kept.
struct HttpUser {
    script: fn(&str) -> Vec<(u16, String)>,
    seen: Mutex<Vec<std::thread::JoinHandle<Answers>>>,
    urls: Mutex<Vec<String>>,
}

impl HttpUser {
    fn new(script: fn(&str) -> Vec<(u16, String)>) -> HttpUser {
        HttpUser {
            script,
            seen: Mutex::default(),
            urls: Mutex::default(),
        }
    }
    fn answers(&self) -> Vec<(u16, String)> {
        self.seen
            .lock()
            .unwrap()
            .pop()
            .expect("the user was never sent anywhere")
            .join()
            .unwrap()
    }
}

impl UserAgent for HttpUser {
    fn open_url(&self, url: &str) -> Result<()> {
        self.urls.lock().unwrap().push(url.to_owned());
        let (script, url) = (self.script, url.to_owned());
        self.seen
            .lock()
            .unwrap()
            .push(std::thread::spawn(move || script(&url)));
        Ok(())
    }
    fn device_prompt(&self, _: &DevicePrompt) -> Result<()> {
        unreachable!()
    }
}

fn params() -> Params {
    let mut p = Params::new(Kind::OAuth2);
    p.set(ParamOption::ClientId, "app").unwrap();
    // Never contacted: every answer in this file is settled at the listener.
    p.set(ParamOption::AuthUrl, "http://127.0.0.1:9/authorize")
        .unwrap();
    p.set(ParamOption::TokenUrl, "http://127.0.0.1:9/token")
        .unwrap();
    p.set(ParamOption::LoginTimeout, "20").unwrap();
    p
}

fn redirect_of(url: &str) -> (String, String) {
    let r = param(url, "redirect_uri");
    (host_port(&r), Url::parse(&r).unwrap().path().to_owned())
}

#[test]
fn default_redirect_is_a_free_port_on_127_0_0_1_and_access_denied_maps() {
    let user = HttpUser::new(|url| {
        let (addr, path) = redirect_of(url);
        let state = param(url, "state");
        vec![get(
            &addr,
            &format!("{path}?error=access_denied&error_description=nope&state={state}"),
        )]
    });
    let e = identify_with(&params(), &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e:?}");
    assert_eq!(e.oauth_error(), "access_denied");
    let url = user.urls.lock().unwrap()[0].clone();
    let redirect = Url::parse(&param(&url, "redirect_uri")).unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    assert_ne!(redirect.port(), Some(0));
    assert_eq!(redirect.path(), "/");
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    let answers = user.answers();
    assert_eq!(answers[0].0, 400, "the browser gets an error page");
    assert!(answers[0].1.contains("Sign-in failed"));
}

#[test]
fn forged_state_ends_with_state_mismatch_and_no_exchange() {
    let user = HttpUser::new(|url| {
        let (addr, path) = redirect_of(url);
        vec![get(&addr, &format!("{path}?code=stolen&state=forged"))]
    });
    let e = identify_with(&params(), &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StateMismatch, "{e:?}");
    let answers = user.answers();
    assert_eq!(answers[0].0, 400);
}

#[test]
fn stray_requests_do_not_end_the_login() {
    let mut p = params();
    p.set(ParamOption::RedirectUrl, "http://127.0.0.1:0/callback")
        .unwrap();
    let user = HttpUser::new(|url| {
        let (addr, path) = redirect_of(url);
        assert_eq!(path, "/callback");
        // A slow client that never finishes its request, held open meanwhile.
        let mut slow = TcpStream::connect(&addr).unwrap();
        slow.write_all(b"GET /callback?state=").unwrap();
        let mut out = vec![
            get(&addr, "/favicon.ico"),
            get(&addr, "/callback"),
            get(&addr, "/"),
            http(
                &addr,
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
            ),
            http(&addr, b"DELETE /callback HTTP/1.1\r\n\r\n"),
        ];
        let state = param(url, "state");
        out.push(get(
            &addr,
            &format!("/callback?error=temporarily_unavailable&state={state}"),
        ));
        drop(slow);
        out
    });
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OAuth, "{e:?}");
    assert_eq!(e.oauth_error(), "temporarily_unavailable");
    let statuses: Vec<u16> = user.answers().iter().map(|a| a.0).collect();
    assert_eq!(statuses, vec![404, 400, 404, 400, 405, 400]);
}

#[test]
fn busy_port_fails_at_once_with_redirect() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut p = params();
    p.set(
        ParamOption::RedirectUrl,
        &format!("http://127.0.0.1:{port}/"),
    )
    .unwrap();
    let user = HttpUser::new(|_| unreachable!("no browser for a busy port"));
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Redirect, "{e:?}");
    assert!(user.urls.lock().unwrap().is_empty());
}

#[test]
fn https_redirect_is_refused_by_identify() {
    let mut p = params();
    p.set(ParamOption::RedirectUrl, "https://app.example/cb")
        .unwrap();
    let user = HttpUser::new(|_| unreachable!());
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Redirect);
    p.set(ParamOption::RedirectUrl, "com.example.app:/cb")
        .unwrap();
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Redirect);
}

#[test]
fn timeout_releases_the_port() {
    let mut p = params();
    p.set(ParamOption::LoginTimeout, "1").unwrap();
    let user = HttpUser::new(|_| Vec::new());
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e:?}");
    let url = user.urls.lock().unwrap()[0].clone();
    let addr = host_port(&param(&url, "redirect_uri"));
    std::net::TcpListener::bind(&addr).expect("the port is free again at once");
}

#[test]
fn cancel_from_another_thread_releases_the_port() {
    let p = params();
    let canceller = Canceller::new();
    let c = canceller.clone();
    let user = HttpUser::new(|_| Vec::new());
    let e = std::thread::scope(|s| {
        // Cancel once the flow is waiting for the user (whatever the machine's load).
        s.spawn(|| {
            let until = std::time::Instant::now() + Duration::from_secs(20);
            while user.urls.lock().unwrap().is_empty() && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(100));
            c.cancel();
        });
        identify_with(&p, &user, &canceller.watch()).unwrap_err()
    });
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e:?}");
    let url = user.urls.lock().unwrap()[0].clone();
    let addr = host_port(&param(&url, "redirect_uri"));
    std::net::TcpListener::bind(&addr).expect("the port is free again at once");
    // A later login with the same canceller is not affected by that cancel.
    let user = HttpUser::new(|url| {
        let (addr, path) = redirect_of(url);
        let state = param(url, "state");
        vec![get(
            &addr,
            &format!("{path}?error=access_denied&state={state}"),
        )]
    });
    let e = identify_with(&p, &user, &canceller.watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AccessDenied);
}

#[test]
fn implicit_flow_posts_the_fragment_back_and_shows_the_success_page() {
    let mut p = params();
    p.set(ParamOption::ResponseType, "token").unwrap();
    p.set(
        ParamOption::SuccessPage,
        "<html><body>custom success</body></html>",
    )
    .unwrap();
    let user = HttpUser::new(|url| {
        let (addr, path) = redirect_of(url);
        let state = param(url, "state");
        // What the browser does: load the page (fragment not sent), which posts the fragment.
        let page = get(&addr, &path);
        let fragment = format!("access_token=AT-1&token_type=Bearer&expires_in=300&state={state}");
        let body = format!(
            "fragment={}",
            url::form_urlencoded::byte_serialize(fragment.as_bytes()).collect::<String>()
        );
        let post = http(
            &addr,
            format!(
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
        vec![page, post]
    });
    let t = identify_with(&p, &user, &Canceller::new().watch()).unwrap();
    assert_eq!(t.access_token().expose(), "AT-1");
    assert!(t.expires_at() > 0);
    let url = user.urls.lock().unwrap()[0].clone();
    assert_eq!(param(&url, "response_type"), "token");
    assert_eq!(param(&url, "code_challenge"), "");
    let answers = user.answers();
    assert_eq!(answers[0].0, 200);
    assert!(answers[0].1.contains("location.hash"));
    assert_eq!(answers[1].0, 200);
    assert!(answers[1].1.contains("custom success"));
    assert!(answers[1].1.contains("Referrer-Policy: no-referrer"));
}

#[test]
fn success_page_can_redirect_to_https() {
    let mut p = params();
    p.set(ParamOption::ResponseType, "token").unwrap();
    p.set(ParamOption::SuccessPage, "https://app.example/done")
        .unwrap();
    let user = HttpUser::new(|url| {
        let (addr, path) = redirect_of(url);
        let state = param(url, "state");
        let body = format!("fragment=access_token%3DX%26state%3D{state}");
        vec![http(
            &addr,
            format!(
                "POST {path} HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )]
    });
    identify_with(&p, &user, &Canceller::new().watch()).unwrap();
    let answers = user.answers();
    assert_eq!(answers[0].0, 302);
    assert!(answers[0].1.contains("Location: https://app.example/done"));
}

#[test]
fn two_logins_at_once_on_different_ports() {
    let run = || {
        std::thread::spawn(|| {
            let user = HttpUser::new(|url| {
                std::thread::sleep(Duration::from_millis(200));
                let (addr, path) = redirect_of(url);
                let state = param(url, "state");
                vec![get(
                    &addr,
                    &format!("{path}?error=access_denied&state={state}"),
                )]
            });
            let e = identify_with(&params(), &user, &Canceller::new().watch()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::AccessDenied);
            let url = user.urls.lock().unwrap()[0].clone();
            host_port(&param(&url, "redirect_uri"))
        })
    };
    let (a, b) = (run(), run());
    assert_ne!(a.join().unwrap(), b.join().unwrap());
}

/// Whether this machine has an IPv6 loopback (containers and some CI machines have none).
fn ipv6_loopback() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

#[test]
fn localhost_listens_on_both_loopback_addresses() {
    let mut p = params();
    p.set(ParamOption::RedirectUrl, "http://localhost:0/callback")
        .unwrap();
    let user = HttpUser::new(|url| {
        let r = Url::parse(&param(url, "redirect_uri")).unwrap();
        assert_eq!(r.host_str(), Some("localhost"));
        let port = r.port().unwrap();
        let v4 = get(&format!("127.0.0.1:{port}"), "/favicon.ico");
        // The redirect over ::1, where there is one; else over 127.0.0.1, so the login ends.
        let host = if ipv6_loopback() {
            "[::1]"
        } else {
            "127.0.0.1"
        };
        let state = param(url, "state");
        let redirect = get(
            &format!("{host}:{port}"),
            &format!("/callback?error=access_denied&state={state}"),
        );
        vec![v4, redirect]
    });
    let e = identify_with(&p, &user, &Canceller::new().watch()).unwrap_err();
    let answers = user.answers();
    assert_eq!(answers[0].0, 404, "127.0.0.1 answers");
    assert_eq!(
        e.kind(),
        ErrorKind::AccessDenied,
        "the redirect is answered"
    );
    if !ipv6_loopback() {
        skip::skipped(
            "login_listener::localhost_listens_on_both_loopback_addresses, its ::1 half",
            "no IPv6 loopback on this machine (binding [::1] failed)",
        );
    }
}
