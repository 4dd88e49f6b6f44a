//! The fault matrix: every way a server can fail (rows) against every back-channel operation
//! (columns), each through the C API with only the endpoint under test misbehaving. Each cell
//! must end with its documented result code, within the HTTP timeout plus a margin, with a
//! useful last-error message that holds no secret; and the request that reached the faulty
//! endpoint was sent once.
//!
//! The table it measures is docs/faults.md: the test fails when the checked-in file differs;
//! `UPDATE_FAULTS=1 cargo test --test fault_matrix` rewrites it (not under `CI=true`).

mod support;

use authtoken::result::auth_result;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::capi::{self, Code, Failure, Login, Opt, Params};
use support::hostile_provider::TestKey;
use support::stub::{RefusingPort, Reply, SeenRequest, Stub};

/// AUTH_OPT_HTTP_TIMEOUT of every cell, in seconds.
const HTTP_TIMEOUT_SECS: u64 = 2;
const HTTP_TIMEOUT: Duration = Duration::from_secs(HTTP_TIMEOUT_SECS);
/// The polling interval the device authorization answer asks for.
const DEVICE_INTERVAL: Duration = Duration::from_secs(1);
/// What a cell may take beyond its timeouts: only catches hangs (the machine is shared).
const MARGIN: Duration = Duration::from_secs(10);
/// Cells run at the same time (the "no answer" ones each wait for the timeout).
const WORKERS: usize = 8;

const CLIENT_ID: &str = "fault-client";
/// Every secret the library is given holds this marker; no message may show it.
const SECRET_MARK: &str = "DO-NOT-LEAK";
const CLIENT_SECRET: &str = "client-secret-DO-NOT-LEAK";
const ACCESS_TOKEN: &str = "access-token-DO-NOT-LEAK";
const REFRESH_TOKEN: &str = "refresh-token-DO-NOT-LEAK";
const CODE: &str = "authorization-code-DO-NOT-LEAK";
const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// What the healthy token endpoint issues.
const NEW_ACCESS_TOKEN: &str = "new-access-token";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fault {
    None,
    Refused,
    Silent,
    Html500,
    Truncated,
    OversizedLength,
    OversizedChunked,
    MalformedJson,
    WrongType,
    UntrustedTls,
}

impl Fault {
    const ALL: [Fault; 10] = [
        Fault::None,
        Fault::Refused,
        Fault::Silent,
        Fault::Html500,
        Fault::Truncated,
        Fault::OversizedLength,
        Fault::OversizedChunked,
        Fault::MalformedJson,
        Fault::WrongType,
        Fault::UntrustedTls,
    ];

    fn name(self) -> &'static str {
        match self {
            Fault::None => "none (control)",
            Fault::Refused => "refused connection",
            Fault::Silent => "no answer",
            Fault::Html500 => "500 with HTML",
            Fault::Truncated => "truncated body",
            Fault::OversizedLength => "oversized body (Content-Length)",
            Fault::OversizedChunked => "oversized body (chunked)",
            Fault::MalformedJson => "malformed JSON",
            Fault::WrongType => "HTML instead of JSON",
            Fault::UntrustedTls => "untrusted TLS certificate",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Fault::None => {
                "every endpoint answers correctly (shows that each column's setup works)"
            }
            Fault::Refused => {
                "the endpoint's port on 127.0.0.1 is bound but not listening: the connection is refused"
            }
            Fault::Silent => "the server reads the request and never answers",
            Fault::Html500 => {
                "`500 Internal Server Error`, `Content-Type: text/html`, an HTML error page"
            }
            Fault::Truncated => {
                "`200`, `Content-Type: application/json`, `Content-Length: 4096`, then the start of a JSON object and the connection closes"
            }
            Fault::OversizedLength => {
                "`200`, `application/json`, a JSON object of 1 MiB + 1 KiB (more than `http::MAX_BODY`) announced by `Content-Length`"
            }
            Fault::OversizedChunked => {
                "the same body sent with `Transfer-Encoding: chunked` (no length announced)"
            }
            Fault::MalformedJson => {
                "`200`, `Content-Type: application/json`, a body that is not valid JSON"
            }
            Fault::WrongType => {
                "`200`, `Content-Type: text/html`, an HTML page (a login page, a captive portal)"
            }
            Fault::UntrustedTls => {
                "an `https://127.0.0.1` URL whose server presents a certificate from a CA the library does not trust (the TLS handshake fails); with AUTH_OPT_CA_FILE naming that CA the same cells succeed (checked too)"
            }
        }
    }

    /// What the faulty endpoint answers, for the faults a stub serves.
    fn reply(self) -> Option<Reply> {
        let oversized = || {
            let mut body = String::from(r#"{"padding":""#);
            body.push_str(&"x".repeat(authtoken_core::transport::http::MAX_BODY + 1024));
            body.push_str(r#""}"#);
            body.into_bytes()
        };
        let json_type = || vec![("Content-Type".to_owned(), "application/json".to_owned())];
        let html_type = || vec![("Content-Type".to_owned(), "text/html".to_owned())];
        Some(match self {
            Fault::None | Fault::Refused | Fault::UntrustedTls => return None,
            Fault::Silent => Reply::Silent,
            Fault::Html500 => Reply::Full {
                status: 500,
                headers: html_type(),
                body: b"<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>".to_vec(),
            },
            Fault::Truncated => Reply::Truncated {
                declared_length: 4096,
                body: br#"{"access_token":""#.to_vec(),
            },
            Fault::OversizedLength => Reply::Full {
                status: 200,
                headers: json_type(),
                body: oversized(),
            },
            Fault::OversizedChunked => Reply::Chunked {
                status: 200,
                headers: json_type(),
                body: oversized(),
            },
            Fault::MalformedJson => Reply::Full {
                status: 200,
                headers: json_type(),
                body: br#"{"access_token": "abc", "keys": [}"#.to_vec(),
            },
            Fault::WrongType => Reply::Full {
                status: 200,
                headers: html_type(),
                body: b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method=\"post\"><input name=\"user\"></form></body></html>".to_vec(),
            },
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Refresh,
    CodeExchange,
    Discovery,
    Jwks,
    Userinfo,
    Revocation,
    DevicePolling,
}

impl Op {
    const ALL: [Op; 7] = [
        Op::Refresh,
        Op::CodeExchange,
        Op::Discovery,
        Op::Jwks,
        Op::Userinfo,
        Op::Revocation,
        Op::DevicePolling,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Refresh => "refresh",
            Op::CodeExchange => "code exchange",
            Op::Discovery => "discovery",
            Op::Jwks => "JWKS",
            Op::Userinfo => "userinfo",
            Op::Revocation => "revocation",
            Op::DevicePolling => "device polling",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Op::Refresh => {
                "`auth_refresh_token` of an imported token (OAuth2 params, AUTH_OPT_TOKEN_URL): the token endpoint is faulty"
            }
            Op::CodeExchange => {
                "`auth_login_begin`, then `auth_login_complete` with a redirect carrying the login's `state` and a code: the token endpoint is faulty"
            }
            Op::Discovery => {
                "`auth_login_begin` with OpenID params whose AUTH_OPT_CONFIGURATION_URL is the faulty server: the discovery document is faulty"
            }
            Op::Jwks => {
                "`auth_read_identity` of an imported token holding a signed ID token (OpenID params): discovery answers, its `jwks_uri` is faulty"
            }
            Op::Userinfo => {
                "`auth_get_user_info` (OAuth2 params, AUTH_OPT_USERINFO_URL): the userinfo endpoint is faulty"
            }
            Op::Revocation => {
                "`auth_revoke_token` (OAuth2 params, AUTH_OPT_REVOCATION_URL): the revocation endpoint is faulty"
            }
            Op::DevicePolling => {
                "`auth_identify` with AUTH_OPT_FLOW `device`: the device authorization endpoint answers (interval 1 s), the token endpoint it polls is faulty"
            }
        }
    }

    /// The path (after the cell's prefix) of the endpoint under test.
    fn faulty_path(self) -> &'static str {
        match self {
            Op::Refresh | Op::CodeExchange | Op::DevicePolling => "/token",
            Op::Discovery => DISCOVERY_PATH,
            Op::Jwks => "/jwks",
            Op::Userinfo => "/userinfo",
            Op::Revocation => "/revoke",
        }
    }

    /// The longest the operation may take: its HTTP timeout (and the device flow's wait
    /// before polling) plus the margin.
    fn bound(self) -> Duration {
        let wait = if self == Op::DevicePolling {
            DEVICE_INTERVAL
        } else {
            Duration::ZERO
        };
        HTTP_TIMEOUT + wait + MARGIN
    }
}

const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// The code each cell must end with, per the contract (API.md, result codes): nothing
/// reachable or a broken transfer is NETWORK, no answer in time is TIMEOUT, an answer that is
/// not a valid OAuth/OpenID answer (HTML, bad JSON, unexpected status, too large) is PROTOCOL.
/// Revocation is the exception RFC 7009 §2.2 makes: a 200 says it all and the body is ignored.
fn expected(fault: Fault, op: Op) -> auth_result {
    match fault {
        Fault::None => auth_result::AUTH_OK,
        Fault::Refused | Fault::Truncated | Fault::UntrustedTls => Code::Network.into(),
        Fault::Silent => Code::Timeout.into(),
        Fault::Html500 | Fault::OversizedLength | Fault::OversizedChunked => Code::Protocol.into(),
        Fault::MalformedJson | Fault::WrongType if op == Op::Revocation => auth_result::AUTH_OK,
        Fault::MalformedJson | Fault::WrongType => Code::Protocol.into(),
    }
}

/// Where each endpoint of a cell lives: every path under `prefix` (unique per cell, so the
/// library's discovery and JWKS caches never serve one cell's answer to another) on the
/// healthy stub, except the one under test, which is on `faulty_base`.
struct Urls {
    base: String,
    faulty_base: String,
    prefix: String,
    faulty_path: &'static str,
}

impl Urls {
    fn url(&self, path: &str) -> String {
        let base = if path == self.faulty_path {
            &self.faulty_base
        } else {
            &self.base
        };
        format!("{base}{}{path}", self.prefix)
    }
    /// The issuer: the URL the discovery document is fetched under, without the suffix.
    fn issuer(&self) -> String {
        self.url(DISCOVERY_PATH)
            .strip_suffix(DISCOVERY_PATH)
            .expect("suffix")
            .to_owned()
    }
}

/// What every cell's stubs share: the URLs (known once the stubs run), the signing key, and
/// how many requests reached each path.
struct Routes {
    urls: OnceLock<Urls>,
    fault: Fault,
    key: TestKey,
    hits: Mutex<HashMap<String, usize>>,
}

impl Routes {
    fn answer(&self, request: &SeenRequest) -> Reply {
        let target = request.head.split_whitespace().nth(1).unwrap_or("");
        let path = target.split('?').next().unwrap_or("").to_owned();
        *self.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let Some(urls) = self.urls.get() else {
            return Reply::json(503, r#"{"error":"not ready"}"#);
        };
        let Some(route) = path.strip_prefix(&urls.prefix) else {
            return Reply::json(404, r#"{"error":"unknown prefix"}"#);
        };
        if route == urls.faulty_path
            && let Some(reply) = self.fault.reply()
        {
            return reply;
        }
        match route {
            DISCOVERY_PATH => Reply::json(
                200,
                &json!({
                    "issuer": urls.issuer(),
                    "authorization_endpoint": urls.url("/auth"),
                    "token_endpoint": urls.url("/token"),
                    "jwks_uri": urls.url("/jwks"),
                    "id_token_signing_alg_values_supported": ["RS256"],
                })
                .to_string(),
            ),
            "/jwks" => Reply::json(200, &json!({"keys": [self.key.jwk]}).to_string()),
            "/token" => Reply::json(
                200,
                &json!({"access_token": NEW_ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600})
                    .to_string(),
            ),
            "/device" => Reply::json(
                200,
                &json!({
                    "device_code": "device-code-DO-NOT-LEAK",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": "https://idp.example/device",
                    "interval": DEVICE_INTERVAL.as_secs(),
                    "expires_in": 60,
                })
                .to_string(),
            ),
            "/userinfo" => Reply::json(200, r#"{"sub":"alice"}"#),
            // RFC 7009 §2.2: 200, and the body is ignored.
            "/revoke" => Reply::Full {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            },
            _ => Reply::json(404, r#"{"error":"no such endpoint"}"#),
        }
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// One cell to run: `trust_ca` sets AUTH_OPT_CA_FILE to the test CA (the TLS row's check).
#[derive(Debug, Clone, Copy)]
struct Job {
    fault: Fault,
    op: Op,
    trust_ca: bool,
}

/// What a cell gave.
#[derive(Debug)]
struct Outcome {
    code: auth_result,
    http_status: i32,
    message: String,
    elapsed: Duration,
    /// Requests that reached the endpoint under test.
    faulty_hits: usize,
    /// The URL of the endpoint under test.
    faulty_url: String,
}

fn tests_path(relative: &str) -> String {
    format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// `p` with the client, its secret, the short HTTP timeout, and the test CA when trusted.
fn configured(p: Params, trust_ca: bool) -> Params {
    p.set(Opt::ClientId, CLIENT_ID)
        .set(Opt::ClientSecret, CLIENT_SECRET)
        .set(Opt::HttpTimeout, &HTTP_TIMEOUT_SECS.to_string());
    if trust_ca {
        p.set(Opt::CaFile, &tests_path("tests/provider/keys/test-ca.pem"));
    }
    p
}

fn imported(p: &Params, extra: serde_json::Value) -> capi::Token {
    let mut answer = json!({
        "access_token": ACCESS_TOKEN,
        "refresh_token": REFRESH_TOKEN,
        "token_type": "Bearer",
        "expires_in": 60,
    });
    if let (Some(a), Some(e)) = (answer.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    capi::import(Some(p), &answer.to_string()).expect("import")
}

/// Sets up the operation, then times only its call; on success, checks what came back.
fn operate(op: Op, urls: &Urls, key: &TestKey, trust_ca: bool) -> (Result<(), Failure>, Duration) {
    let timed = |f: &dyn Fn() -> Result<(), Failure>| {
        let started = Instant::now();
        let r = f();
        (r, started.elapsed())
    };
    match op {
        Op::Refresh => {
            let p = configured(Params::oauth2(), trust_ca);
            p.set(Opt::TokenUrl, &urls.url("/token"));
            let token = imported(&p, json!({}));
            timed(&|| {
                let fresh = capi::refresh(&token)?;
                assert_eq!(fresh.value(), NEW_ACCESS_TOKEN);
                Ok(())
            })
        }
        Op::CodeExchange => {
            let p = configured(Params::oauth2(), trust_ca);
            p.set(Opt::AuthUrl, &urls.url("/auth"))
                .set(Opt::TokenUrl, &urls.url("/token"))
                .set(Opt::RedirectUrl, REDIRECT_URI);
            let login = Login::begin(&p).expect("auth_login_begin");
            let state = query_value(&login.url(), "state");
            let redirect = format!("{REDIRECT_URI}?code={CODE}&state={state}");
            timed(&|| {
                let token = login.complete(&redirect)?;
                assert_eq!(token.value(), NEW_ACCESS_TOKEN);
                Ok(())
            })
        }
        Op::Discovery => {
            let p = configured(Params::openid(), trust_ca);
            p.set(Opt::ConfigurationUrl, &urls.issuer())
                .set(Opt::RedirectUrl, REDIRECT_URI);
            timed(&|| {
                let login = Login::begin(&p)?;
                assert!(
                    login.url().starts_with(&urls.url("/auth")),
                    "{}",
                    login.url()
                );
                Ok(())
            })
        }
        Op::Jwks => {
            let p = configured(Params::openid(), trust_ca);
            p.set(Opt::ConfigurationUrl, &urls.issuer());
            let now = authtoken_core::clock::unix_now();
            let id_token = key.sign(&json!({
                "iss": urls.issuer(), "sub": "alice", "aud": CLIENT_ID,
                "iat": now, "exp": now + 600,
            }));
            let token = imported(&p, json!({ "id_token": id_token }));
            timed(&|| {
                let identity = capi::read_identity(&token)?;
                assert_eq!(identity.subject(), "alice");
                Ok(())
            })
        }
        Op::Userinfo => {
            let p = configured(Params::oauth2(), trust_ca);
            p.set(Opt::UserinfoUrl, &urls.url("/userinfo"));
            let token = imported(&p, json!({}));
            timed(&|| {
                let identity = capi::get_user_info(&token)?;
                assert_eq!(identity.subject(), "alice");
                Ok(())
            })
        }
        Op::Revocation => {
            let p = configured(Params::oauth2(), trust_ca);
            p.set(Opt::RevocationUrl, &urls.url("/revoke"));
            let token = imported(&p, json!({}));
            timed(&|| capi::revoke(&token))
        }
        Op::DevicePolling => {
            let p = configured(Params::oauth2(), trust_ca);
            p.set(Opt::Flow, "device")
                .set(Opt::DeviceAuthUrl, &urls.url("/device"))
                .set(Opt::TokenUrl, &urls.url("/token"))
                .set(Opt::LoginTimeout, "30")
                .accept_device_prompt();
            timed(&|| {
                let token = capi::identify(&p)?;
                assert_eq!(token.value(), NEW_ACCESS_TOKEN);
                Ok(())
            })
        }
    }
}

fn query_value(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// Runs one cell: starts its stubs, runs the operation, and keeps the stubs alive (returned)
/// so that no later cell gets their ports while the matrix runs.
fn run(job: Job, key: &TestKey) -> (Outcome, Vec<Box<dyn std::any::Any + Send>>) {
    let Job {
        fault,
        op,
        trust_ca,
    } = job;
    let routes = Arc::new(Routes {
        urls: OnceLock::new(),
        fault,
        key: key.clone(),
        hits: Mutex::new(HashMap::new()),
    });
    let handler = {
        let routes = routes.clone();
        Arc::new(move |r: &SeenRequest| routes.answer(r))
    };
    let healthy = Stub::start(handler.clone());
    let mut keep: Vec<Box<dyn std::any::Any + Send>> = Vec::new();
    let faulty_base = match fault {
        Fault::Refused => {
            let port = RefusingPort::new();
            let base = port.url("");
            keep.push(Box::new(port));
            base
        }
        Fault::UntrustedTls => {
            let tls = Stub::start_tls(
                handler,
                std::path::Path::new(&tests_path("tests/provider/keys/mtls-server.pem")),
            );
            let base = tls.url("");
            keep.push(Box::new(tls));
            base
        }
        _ => healthy.url(""),
    };
    let urls = Urls {
        base: healthy.url(""),
        faulty_base,
        prefix: format!(
            "/f{}-o{}{}",
            fault as usize,
            op as usize,
            if trust_ca { "-ca" } else { "" }
        ),
        faulty_path: op.faulty_path(),
    };
    let faulty_url = urls.url(op.faulty_path());
    let _ = routes.urls.set(urls);
    let urls = routes.urls.get().expect("set");
    let (result, elapsed) = operate(op, urls, key, trust_ca);
    let failure = result.err();
    let outcome = Outcome {
        code: failure.as_ref().map_or(auth_result::AUTH_OK, |f| f.code),
        http_status: failure.as_ref().map_or(0, |f| f.http_status),
        message: failure.map(|f| f.message).unwrap_or_default(),
        elapsed,
        faulty_hits: routes.hits(&format!("{}{}", urls.prefix, op.faulty_path())),
        faulty_url,
    };
    keep.push(Box::new(healthy));
    (outcome, keep)
}

/// What is wrong with a cell's outcome, if anything.
fn problems(job: Job, o: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    let want = if job.trust_ca {
        auth_result::AUTH_OK
    } else {
        expected(job.fault, job.op)
    };
    if o.code != want {
        out.push(format!(
            "ended with {} (HTTP {}), expected {}: {}",
            capi::result_name(o.code),
            o.http_status,
            capi::result_name(want),
            o.message
        ));
    }
    if o.elapsed > job.op.bound() {
        out.push(format!(
            "took {:?}, more than the bound {:?}",
            o.elapsed,
            job.op.bound()
        ));
    }
    if job.fault == Fault::Silent && o.elapsed < HTTP_TIMEOUT {
        out.push(format!(
            "gave up after {:?}, before the {HTTP_TIMEOUT:?} timeout",
            o.elapsed
        ));
    }
    // The faulty endpoint got the request, once (a request the server may have received is
    // never sent again); a refused connection or a failed handshake gets no request at all.
    let hits = match job.fault {
        Fault::Refused => 0,
        Fault::UntrustedTls if !job.trust_ca => 0,
        _ => 1,
    };
    if o.faulty_hits != hits {
        out.push(format!(
            "{} got {} request(s), expected {hits}",
            o.faulty_url, o.faulty_hits
        ));
    }
    if o.message.contains(SECRET_MARK) {
        out.push(format!("the message shows a secret: {}", o.message));
    }
    if o.code != auth_result::AUTH_OK {
        out.extend(message_problem(job, o));
    }
    out
}

/// The message must say what failed: the operation's step or endpoint (the URL too when the
/// transport failed) and the fault.
fn message_problem(job: Job, o: &Outcome) -> Option<String> {
    let m = o.message.to_ascii_lowercase();
    let url = url::Url::parse(&o.faulty_url).expect("URL");
    let host_port = format!("127.0.0.1:{}", url.port().expect("port"));
    let role = match job.op {
        Op::Refresh => "refresh",
        Op::CodeExchange => "authorization code",
        Op::Discovery => "discovery",
        Op::Jwks => "jwks",
        Op::Userinfo => "userinfo",
        Op::Revocation => "revocation",
        Op::DevicePolling => "polling the token endpoint",
    };
    let (detail, with_url) = match job.fault {
        Fault::None => return None,
        Fault::Refused => ("refused", true),
        Fault::Silent => ("in time", true),
        Fault::Html500 => ("500", false),
        Fault::Truncated => ("body", true),
        Fault::OversizedLength | Fault::OversizedChunked => ("larger than", true),
        Fault::MalformedJson | Fault::WrongType => ("json", false),
        Fault::UntrustedTls => ("certificate", true),
    };
    let good = m.contains(role) && m.contains(detail) && (!with_url || m.contains(&host_port));
    (!good).then(|| {
        format!(
            "the message does not say what failed (\"{role}\", \"{detail}\"{}): {}",
            if with_url {
                format!(", {host_port}")
            } else {
                String::new()
            },
            o.message
        )
    })
}

fn cell_text(o: &Outcome) -> String {
    let name = capi::result_name(o.code);
    if o.http_status != 0 {
        format!("{name} (HTTP {})", o.http_status)
    } else {
        name
    }
}

fn table(results: &HashMap<(Fault, Op), Outcome>) -> String {
    let mut s = String::new();
    s.push_str("# Fault matrix\n\n");
    s.push_str(
        "Generated by `tests/fault_matrix.rs`; do not edit. The test fails when this file differs \
         from what it measures; `UPDATE_FAULTS=1 cargo test --test fault_matrix` rewrites it.\n\n",
    );
    s.push_str(&format!(
        "Each cell is the result code of one operation called through the C API when only the \
         endpoint its column names misbehaves as its row says (every other endpoint answers \
         correctly), with `AUTH_OPT_HTTP_TIMEOUT` = {HTTP_TIMEOUT_SECS} s; `auth_last_http_status()` \
         follows in parentheses when it is not 0. The servers are in-process stubs on 127.0.0.1 \
         (tests/support/stub.rs). Every failing cell also has an `auth_last_error()` that \
         names the failing step or endpoint and the fault (and the URL when the transfer failed) \
         and shows no secret (client secret, tokens, code); every cell returns within its \
         timeouts plus {} s; a request that reached the faulty endpoint was sent once.\n\n",
        MARGIN.as_secs()
    ));
    s.push_str("Operations (columns):\n\n");
    for op in Op::ALL {
        s.push_str(&format!("- **{}**: {}.\n", op.name(), op.description()));
    }
    s.push_str("\nFaults (rows):\n\n");
    for f in Fault::ALL {
        s.push_str(&format!("- **{}**: {}.\n", f.name(), f.description()));
    }
    s.push_str(
        "\nRevocation ends with AUTH_OK for a `200` whose body is malformed or HTML: RFC 7009 \
         §2.2 makes the status the whole answer and tells the client to ignore the body.\n\n",
    );
    s.push_str("| fault |");
    for op in Op::ALL {
        s.push_str(&format!(" {} |", op.name()));
    }
    s.push_str("\n|---|");
    for _ in Op::ALL {
        s.push_str("---|");
    }
    s.push('\n');
    for f in Fault::ALL {
        s.push_str(&format!("| {} |", f.name()));
        for op in Op::ALL {
            s.push_str(&format!(" {} |", cell_text(&results[&(f, op)])));
        }
        s.push('\n');
    }
    s
}

#[test]
fn every_fault_against_every_operation() {
    let key = TestKey::rsa(1, jsonwebtoken::Algorithm::RS256, Some("fault-k1"));
    let mut jobs: VecDeque<Job> = VecDeque::new();
    // The slow ones (waiting for the timeout) first.
    let mut faults = Fault::ALL.to_vec();
    faults.sort_by_key(|f| *f != Fault::Silent);
    for fault in faults {
        for op in Op::ALL {
            jobs.push_back(Job {
                fault,
                op,
                trust_ca: false,
            });
        }
    }
    for op in Op::ALL {
        jobs.push_back(Job {
            fault: Fault::UntrustedTls,
            op,
            trust_ca: true,
        });
    }
    let queue = Mutex::new(jobs);
    let results: Mutex<Vec<(Job, Result<Outcome, String>)>> = Mutex::new(Vec::new());
    let stubs: Mutex<Vec<Box<dyn std::any::Any + Send>>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| {
                loop {
                    let Some(job) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    let ran =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(job, &key)));
                    let outcome = match ran {
                        Ok((outcome, keep)) => {
                            stubs.lock().unwrap().extend(keep);
                            Ok(outcome)
                        }
                        Err(panic) => Err(panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "panicked".to_owned())),
                    };
                    results.lock().unwrap().push((job, outcome));
                }
            });
        }
    });
    drop(stubs);

    let mut failures = Vec::new();
    let mut table_cells = HashMap::new();
    for (job, outcome) in results.into_inner().unwrap() {
        let label = format!(
            "{} × {}{}",
            job.fault.name(),
            job.op.name(),
            if job.trust_ca { " (CA trusted)" } else { "" }
        );
        match outcome {
            Err(panic) => failures.push(format!("{label}: panicked: {panic}")),
            Ok(o) => {
                eprintln!(
                    "{label}: {} in {:?}: {}",
                    cell_text(&o),
                    o.elapsed,
                    o.message
                );
                for p in problems(job, &o) {
                    failures.push(format!("{label}: {p}"));
                }
                if !job.trust_ca {
                    table_cells.insert((job.fault, job.op), o);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let fresh = table(&table_cells);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/faults.md");
    if support::fresh::rewrite_requested("UPDATE_FAULTS", "docs/faults.md") {
        std::fs::write(&path, &fresh).expect("write docs/faults.md");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "docs/faults.md is stale: run `UPDATE_FAULTS=1 cargo test --test fault_matrix` and commit it.\nMeasured:\n{fresh}"
    );
}
