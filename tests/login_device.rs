//! The device flow's polling rules (RFC 8628 §3.4, §3.5) against a fault-injection stub, for
//! the answers oidc-provider never gives (`slow_down`, `expired_token`, an interval). The
//! flow itself is tested against the real provider in login_browser.rs.

mod support;

use authtoken_core::cancel::Canceller;
use authtoken_core::config::{DevicePrompt, UserAgent};
use authtoken_core::config::{Kind, ParamOption, Params};
use authtoken_core::error::{Error, ErrorKind, Result};
use authtoken_core::login::identify::identify_with;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::stub::{Reply, SeenRequest, Stub};

const DEVICE_ANSWER: &str = r#"{"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"https://idp.example/device","verification_uri_complete":"https://idp.example/device?user_code=WDJB-MJHT","expires_in":600,"interval":1}"#;

/// When each poll came and what it carried.
type Polls = Arc<Mutex<Vec<(Instant, String)>>>;

/// Answers /device with DEVICE_ANSWER and the n-th poll of /token with `polls[n]` (the last
/// one repeated); records when each poll came and what it carried.
fn device_stub(polls: Vec<Reply>) -> (Stub, Polls) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let stub = Stub::start(Arc::new(move |r: &SeenRequest| {
        if r.head.starts_with("POST /device") {
            assert!(r.body.contains("client_id=tv-app"), "{}", r.body);
            return Reply::json(200, DEVICE_ANSWER);
        }
        let mut seen = s.lock().unwrap();
        seen.push((Instant::now(), r.body.clone()));
        polls[(seen.len() - 1).min(polls.len() - 1)].clone()
    }));
    (stub, seen)
}

fn params(stub: &Stub) -> Params {
    let mut p = Params::new(Kind::OAuth2);
    p.set(ParamOption::ClientId, "tv-app").unwrap();
    p.set(ParamOption::Flow, "device").unwrap();
    p.set(ParamOption::DeviceAuthUrl, &stub.url("/device"))
        .unwrap();
    p.set(ParamOption::TokenUrl, &stub.url("/token")).unwrap();
    p.set(ParamOption::LoginTimeout, "30").unwrap();
    p
}

#[derive(Default)]
struct Screen {
    prompts: Mutex<Vec<DevicePrompt>>,
    refuse: bool,
}

impl UserAgent for Screen {
    fn open_url(&self, _: &str) -> Result<()> {
        unreachable!("the device flow opens no browser")
    }
    fn device_prompt(&self, p: &DevicePrompt) -> Result<()> {
        self.prompts.lock().unwrap().push(p.clone());
        if self.refuse {
            return Err(Error::new(ErrorKind::Cancelled, "the host said stop"));
        }
        Ok(())
    }
}

fn error(code: &str) -> Reply {
    Reply::json(400, &format!(r#"{{"error":"{code}"}}"#))
}

#[test]
fn pending_then_slow_down_then_token() {
    let (stub, seen) = device_stub(vec![
        error("authorization_pending"),
        error("slow_down"),
        Reply::json(
            200,
            r#"{"access_token":"device-AT","token_type":"Bearer","expires_in":60}"#,
        ),
    ]);
    let screen = Screen::default();
    let t = identify_with(&params(&stub), &screen, &Canceller::new().watch()).unwrap();
    assert_eq!(t.access_token().expose(), "device-AT");
    let prompt = screen.prompts.lock().unwrap()[0].clone();
    assert_eq!(prompt.user_code, "WDJB-MJHT");
    assert_eq!(prompt.verification_uri, "https://idp.example/device");
    assert_eq!(prompt.expires_in, 600);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[0]
            .1
            .contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")
    );
    assert!(seen[0].1.contains("device_code=dc-1"));
    // slow_down: the interval (1 s) grows by 5 s before the next poll.
    assert!(seen[2].0 - seen[1].0 >= Duration::from_secs(6));
}

#[test]
fn denied_is_access_denied_and_expired_is_timeout() {
    let (stub, _) = device_stub(vec![error("access_denied")]);
    let e = identify_with(
        &params(&stub),
        &Screen::default(),
        &Canceller::new().watch(),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.oauth_error()),
        (ErrorKind::AccessDenied, "access_denied")
    );
    let (stub, _) = device_stub(vec![error("authorization_pending"), error("expired_token")]);
    let e = identify_with(
        &params(&stub),
        &Screen::default(),
        &Canceller::new().watch(),
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.oauth_error()),
        (ErrorKind::Timeout, "expired_token")
    );
    let (stub, _) = device_stub(vec![error("invalid_client")]);
    let e = identify_with(
        &params(&stub),
        &Screen::default(),
        &Canceller::new().watch(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidClient);
}

#[test]
fn login_timeout_bounds_the_polling() {
    let (stub, seen) = device_stub(vec![error("authorization_pending")]);
    let mut p = params(&stub);
    p.set(ParamOption::LoginTimeout, "2").unwrap();
    let e = identify_with(&p, &Screen::default(), &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e:?}");
    assert!(!seen.lock().unwrap().is_empty());
}

#[test]
fn cancel_and_a_refusing_prompt_end_the_flow() {
    let (stub, _) = device_stub(vec![error("authorization_pending")]);
    let canceller = Canceller::new();
    let c = canceller.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        c.cancel();
    });
    let e = identify_with(&params(&stub), &Screen::default(), &canceller.watch()).unwrap_err();
    t.join().unwrap();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e:?}");
    let (stub, seen) = device_stub(vec![error("authorization_pending")]);
    let screen = Screen {
        refuse: true,
        ..Screen::default()
    };
    let e = identify_with(&params(&stub), &screen, &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(
        seen.lock().unwrap().is_empty(),
        "no polling after a refused prompt"
    );
}

#[test]
fn no_device_endpoint_is_unsupported() {
    let mut p = Params::new(Kind::OAuth2);
    p.set(ParamOption::ClientId, "tv-app").unwrap();
    p.set(ParamOption::Flow, "device").unwrap();
    p.set(ParamOption::TokenUrl, "http://127.0.0.1:9/token")
        .unwrap();
    let e = identify_with(&p, &Screen::default(), &Canceller::new().watch()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
}
