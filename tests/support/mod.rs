//! The one support library of the integration tests, benchmarks included (`mod support;`).
//!
//! - [`Provider`]: a real oidc-provider (tests/provider/server.mjs) on 127.0.0.1, one per
//!   test or per file, killed when dropped.
//! - [`login_over_http`]: plays the user through the provider's login and consent pages over
//!   plain HTTP (tests/support/user.mjs, the player of every language's tests) and returns the
//!   redirect URL the browser would be sent to (not fetched); [`device_login_over_http`]: the
//!   same for a device login's verification URL.
//! - [`authorization_code`] / [`first_token_json`]: a code (PKCE S256) or a first token
//!   obtained without the library, for tests that only need something to refresh.
//!
//! - [`django`]: a real django-oauth-toolkit server (tests/django_provider), the second,
//!   independent authorization server, and its login form played over HTTP.
//! - [`redis`]: a real redis-server on a free loopback port; [`keyring`]: the test inside a
//!   private D-Bus session with gnome-keyring-daemon unlocked.
//! - [`capi`]: safe wrappers over the C functions; [`stub`]: a fault-injection HTTP server;
//!   [`hostile_provider`]: an in-process OpenID provider whose answers each test sets;
//!   [`browser`]: the login tests' provider and real browser (chromium) playing the user;
//!   [`skip`]: a part of a test that cannot run here, reported as a skip; [`fresh`]: when a
//!   freshness check may rewrite its generated file (never under `CI=true`).
//!
//! Needs `npm ci --prefix tests/provider` once.
#![allow(dead_code)]

pub mod browser;
pub mod capi;
pub mod django;
pub mod fresh;
pub mod hostile_provider;
pub mod keyring;
pub mod redis;
pub mod skip;
pub mod stub;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How long the provider may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Timeout of each helper HTTP request.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

/// The test clients registered by server.mjs.
#[derive(Debug, Clone, Copy)]
pub struct TestClient {
    pub id: &'static str,
    pub secret: Option<&'static str>,
    /// The AUTH_OPT_CLIENT_AUTH value it needs.
    pub auth: &'static str,
}

pub const CONF_POST: TestClient = TestClient {
    id: "conf-post",
    secret: Some("post-secret-123"),
    auth: "post",
};
pub const CONF_BASIC: TestClient = TestClient {
    id: "conf-basic",
    secret: Some("basic-secret-123"),
    auth: "basic",
};
pub const PUBLIC_APP: TestClient = TestClient {
    id: "public-app",
    secret: None,
    auth: "none",
};
/// private_key_jwt with tests/provider/keys/client-rsa.pem (kid client-rsa).
pub const PKJWT_RSA: TestClient = TestClient {
    id: "pkjwt-rsa",
    secret: None,
    auth: "private_key_jwt",
};
/// private_key_jwt with tests/provider/keys/client-ec.pem (kid client-ec, ES256).
pub const PKJWT_EC: TestClient = TestClient {
    id: "pkjwt-ec",
    secret: None,
    auth: "private_key_jwt",
};
/// client_credentials only; scopes api:read api:write.
pub const SERVICE: TestClient = TestClient {
    id: "service",
    secret: Some("service-secret-123"),
    auth: "basic",
};
/// RFC 7523 JWT bearer grant only, keys client-rsa and client-ec; no client authentication.
pub const JWT_SERVICE: TestClient = TestClient {
    id: "jwt-service",
    secret: None,
    auth: "none",
};

/// Token exchange (provider config `"tokenExchange"`), client_secret_basic.
pub const EXCHANGER: TestClient = TestClient {
    id: "exchanger",
    secret: Some("exchanger-secret-123"),
    auth: "basic",
};
/// CIBA in poll mode (provider config `"ciba"`), client_secret_basic.
pub const CIBA_APP: TestClient = TestClient {
    id: "ciba-app",
    secret: Some("ciba-secret-123"),
    auth: "basic",
};

/// The redirect URI every interactive test client accepts (any port).
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// The workspace's root. This library is also compiled into the tests of other members of the
/// workspace (cli/), whose CARGO_MANIFEST_DIR is their own folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("tests/support/mod.rs").is_file())
        .expect("the workspace root (with tests/support/) above CARGO_MANIFEST_DIR")
        .to_path_buf()
}

/// tests/provider of the workspace.
pub fn provider_dir() -> PathBuf {
    workspace_root().join("tests/provider")
}

/// The path of a test key in tests/provider/keys.
pub fn key_path(name: &str) -> PathBuf {
    provider_dir().join("keys").join(name)
}

/// A running oidc-provider. Dropping it kills the process.
pub struct Provider {
    pub issuer: String,
    pub port: u16,
    /// The TLS listener of the mutual-TLS aliases (server.mjs with `"mtls": true`).
    pub mtls_port: Option<u16>,
    /// The whole line the server printed when it listened.
    pub started: serde_json::Value,
    child: Child,
    // Held open: the server exits when its stdin closes (also when this process dies).
    _stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Provider {
    /// Starts a provider with the given configuration (a JSON object, see server.mjs: e.g.
    /// `{"rotateRefreshToken":false,"accessTokenTTL":5}`; `"{}"` for the defaults) and waits
    /// until it listens.
    pub fn start(config_json: &str) -> Provider {
        Provider::start_script("server.mjs", config_json)
    }

    /// Starts another server script of tests/provider that follows the same conventions (one
    /// JSON line `{"issuer","port"}` on stdout, dies with its stdin), e.g. `mtls_server.mjs`.
    pub fn start_script(script: &str, config_json: &str) -> Provider {
        let dir = provider_dir();
        if !dir.join("node_modules/oidc-provider").is_dir() {
            panic!(
                "the test provider is not installed: run `npm ci --prefix tests/provider` \
                 (in {})",
                workspace_root().display()
            );
        }
        let mut node = Command::new("node");
        node.arg(dir.join(script))
            .arg(config_json)
            .current_dir(&dir);
        Provider::spawn(node, "`node` (Node.js 20+ is needed)")
    }

    /// Starts a server command that prints ONE JSON line with at least `issuer` and `port` on
    /// stdout when it listens, and exits when its stdin closes.
    pub fn spawn(mut command: Command, what: &str) -> Provider {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr_pipe = child.stderr.take().expect("piped stderr");

        // Drain stderr into memory (a full pipe would block the server).
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        // The first stdout line is the address; the rest is drained.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let first = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "the test provider did not start ({other:?}); its stderr:\n{}",
                    stderr.lock().unwrap_or_else(|e| e.into_inner()).join("\n")
                );
            }
        };
        let v: serde_json::Value = serde_json::from_str(&first)
            .unwrap_or_else(|e| panic!("the provider printed {first:?}, not JSON: {e}"));
        Provider {
            issuer: v["issuer"].as_str().expect("issuer").to_owned(),
            port: v["port"].as_u64().expect("port") as u16,
            mtls_port: v["mtls_port"].as_u64().map(|p| p as u16),
            started: v.clone(),
            child,
            _stdin: stdin,
            stderr,
        }
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer)
    }
    pub fn authorization_endpoint(&self) -> String {
        format!("{}/auth", self.issuer)
    }
    pub fn revocation_endpoint(&self) -> String {
        format!("{}/token/revocation", self.issuer)
    }
    pub fn introspection_endpoint(&self) -> String {
        format!("{}/token/introspection", self.issuer)
    }
    pub fn userinfo_endpoint(&self) -> String {
        format!("{}/me", self.issuer)
    }
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// The provider's counters: `{"token":{"<grant_type>":{"ok":n,"error":n}},"refresh":n,
    /// "refresh_ok":n,"refresh_error":n,"revocation":n,"introspection":n}`.
    pub fn stats(&self) -> serde_json::Value {
        let body = http_get(&format!("{}/test/stats", self.issuer));
        serde_json::from_str(&body).expect("stats JSON")
    }

    /// Number of refresh_token grant requests the provider saw (successful or not).
    pub fn refresh_count(&self) -> u64 {
        self.stats()["refresh"].as_u64().unwrap_or(0)
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&self) {
        http_get(&format!("{}/test/stats?reset=1", self.issuer));
    }

    /// The CIBA requests waiting for the user `account` (config `"ciba"`); with `wait`, blocks
    /// (at most 10 s) until there is one. Each: `{"auth_req_id","account","binding_message",
    /// "acr_values","scope"}`.
    pub fn ciba_pending(&self, account: &str, wait: bool) -> Vec<serde_json::Value> {
        let mut url = url::Url::parse(&format!("{}/test/ciba/pending", self.issuer)).unwrap();
        url.query_pairs_mut().append_pair("account", account);
        if wait {
            url.query_pairs_mut().append_pair("wait", "1");
        }
        let body = http_get(url.as_str());
        serde_json::from_str(&body).expect("pending JSON")
    }

    /// The user approves the CIBA request `auth_req_id` on their device (with `acr`, or the
    /// acr a login would get).
    pub fn ciba_approve(&self, auth_req_id: &str, acr: Option<&str>) {
        let mut url = url::Url::parse(&format!("{}/test/ciba/approve", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("auth_req_id", auth_req_id);
        if let Some(acr) = acr {
            url.query_pairs_mut().append_pair("acr", acr);
        }
        http_post_ok(url.as_str());
    }

    /// The user refuses the CIBA request `auth_req_id`.
    pub fn ciba_deny(&self, auth_req_id: &str) {
        let mut url = url::Url::parse(&format!("{}/test/ciba/deny", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("auth_req_id", auth_req_id);
        http_post_ok(url.as_str());
    }

    /// The CIBA token requests the provider saw for `auth_req_id`:
    /// `{"auth_req_id","ms","status","error"}`, `ms` counted from its answer to the
    /// authentication request; waits (at most 10 s) until there are at least `count`.
    pub fn ciba_polls(&self, auth_req_id: &str, count: usize) -> Vec<serde_json::Value> {
        let mut url = url::Url::parse(&format!("{}/test/ciba/polls", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("auth_req_id", auth_req_id)
            .append_pair("count", &count.to_string());
        let body = http_get(url.as_str());
        serde_json::from_str(&body).expect("polls JSON")
    }

    /// What the last token exchange received and decided (config `"tokenExchange"`).
    pub fn last_exchange(&self) -> serde_json::Value {
        let body = http_get(&format!("{}/test/exchange/last", self.issuer));
        serde_json::from_str(&body).expect("exchange JSON")
    }

    /// What the server wrote to stderr so far (one entry per line).
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let lines = self.stderr_lines();
            let tail = &lines[lines.len().saturating_sub(40)..];
            eprintln!("--- test provider stderr (last lines) ---");
            for l in tail {
                eprintln!("{l}");
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn http_client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .timeout(HTTP_TIMEOUT)
        .build()
        .expect("reqwest client")
}

fn http_get(url: &str) -> String {
    runtime().block_on(async {
        let r = http_client(false)
            .get(url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        r.text().await.expect("body")
    })
}

fn http_post_ok(url: &str) {
    runtime().block_on(async {
        let r = http_client(false)
            .post(url)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let status = r.status();
        let body = r.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST {url}: {status} {body}");
    })
}

/// What a browser does with the final redirect: GETs it (the loopback listener's page), and
/// gives the page, or None when nothing answered.
pub fn follow_redirect(url: &str) -> Option<String> {
    runtime().block_on(async {
        let r = http_client(false).get(url).send().await.ok()?;
        r.text().await.ok()
    })
}

/// Plays the user "alice" through the devInteractions login and consent pages, starting at
/// `authorization_url`, and returns the URL the provider finally redirects the browser to
/// (e.g. `http://127.0.0.1:PORT/callback?code=…&state=…&iss=…`) without fetching it.
pub fn login_over_http(authorization_url: &str) -> String {
    login_over_http_as(authorization_url, "alice")
}

/// [`login_over_http`] with the given login (it becomes the `sub`): tests/support/user.mjs in
/// its HTTP mode, which stops at the redirect out of the provider.
pub fn login_over_http_as(authorization_url: &str, login: &str) -> String {
    let player = user_player();
    let out = Command::new("node")
        .arg(&player)
        .args(["play", "--no-follow", "--print", "url", "--login", login])
        .arg(authorization_url)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}", player.display()));
    assert!(
        out.status.success(),
        "login: the player failed from {authorization_url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// tests/support/user.mjs, the one player of the user.
pub fn user_player() -> PathBuf {
    workspace_root().join("tests/support/user.mjs")
}

/// Plays the user "alice" of a device login over HTTP, from the `verification_uri_complete`
/// the program showed: confirms the code, signs in and consents (`approve`), or refuses
/// (`!approve`). Returns the text of the provider's last page.
pub fn device_login_over_http(verification_uri_complete: &str, approve: bool) -> String {
    let player = user_player();
    let action = if approve { "approve" } else { "deny" };
    let out = Command::new("node")
        .arg(&player)
        .args(["play", "--action", action, "--print", "json"])
        .arg(verification_uri_complete)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}", player.display()));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "device login: the player's report is not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success() && report["ok"] == true,
        "device login from {verification_uri_complete}: {report}"
    );
    report["text"].as_str().unwrap_or_default().to_owned()
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce_pair() -> (String, String) {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("random");
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let verifier = b64.encode(bytes);
    let challenge = b64.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ));
    (verifier, challenge)
}

/// What an authorization gave: the code and what its exchange needs.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub code: String,
    pub code_verifier: String,
    pub redirect_uri: String,
}

/// Signs in "alice" for `client` with `scope` (PKCE S256) over HTTP and returns the code.
pub fn authorization_code(provider: &Provider, client: &TestClient, scope: &str) -> CodeGrant {
    authorization_code_as(provider, client, scope, "alice")
}

/// [`authorization_code`] for the user `login`.
pub fn authorization_code_as(
    provider: &Provider,
    client: &TestClient,
    scope: &str,
    login: &str,
) -> CodeGrant {
    let (verifier, challenge) = pkce_pair();
    let mut url = url::Url::parse(&provider.authorization_endpoint()).expect("auth URL");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client.id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", scope)
        .append_pair("state", "test-state")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        // offline_access is dropped unless consent is asked for (oidc-provider).
        .append_pair("prompt", "consent");
    let redirect = login_over_http_as(url.as_str(), login);
    let redirect = url::Url::parse(&redirect).expect("redirect URL");
    let query: std::collections::HashMap<String, String> =
        redirect.query_pairs().into_owned().collect();
    assert_eq!(
        query.get("state").map(String::as_str),
        Some("test-state"),
        "redirect {redirect}"
    );
    let code = query
        .get("code")
        .unwrap_or_else(|| panic!("no code in the redirect {redirect}"))
        .clone();
    CodeGrant {
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI.to_owned(),
    }
}

/// The raw token endpoint answer (JSON text) of a code grant for `client` (post, basic or
/// none; not private_key_jwt), obtained without the library. With a client allowed the
/// refresh_token grant it holds a `refresh_token`.
pub fn first_token_json(provider: &Provider, client: &TestClient, scope: &str) -> String {
    first_token_json_as(provider, client, scope, "alice")
}

/// [`first_token_json`] for the user `login`.
pub fn first_token_json_as(
    provider: &Provider,
    client: &TestClient,
    scope: &str,
    login: &str,
) -> String {
    let grant = authorization_code_as(provider, client, scope, login);
    let mut fields = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", grant.code),
        ("redirect_uri", grant.redirect_uri),
        ("code_verifier", grant.code_verifier),
    ];
    let http = http_client(false);
    let mut request = http.post(provider.token_endpoint());
    match client.auth {
        "basic" => {
            request = request.basic_auth(client.id, client.secret);
        }
        "post" => {
            fields.push(("client_id", client.id.to_owned()));
            fields.push(("client_secret", client.secret.unwrap_or("").to_owned()));
        }
        "none" => fields.push(("client_id", client.id.to_owned())),
        other => panic!("first_token_json: client auth {other} is not supported here"),
    }
    runtime().block_on(async {
        let r = request
            .header("accept", "application/json")
            .form(&fields)
            .send()
            .await
            .expect("token request");
        let status = r.status();
        let body = r.text().await.expect("token body");
        assert!(status.is_success(), "token endpoint: {status} {body}");
        body
    })
}

/// A DPoP proof (RFC 9449 §4.2) checked as a server would: `typ` `dpop+jwt`, an `alg` that is
/// not `none`, a public `jwk` in the header whose key verifies the signature. Returns the
/// header, the claims and the RFC 7638 thumbprint of the key.
pub fn checked_dpop_proof(proof: &str) -> (serde_json::Value, serde_json::Value, String) {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {proof}");
    let part = |i: usize| -> serde_json::Value {
        serde_json::from_slice(&b64.decode(parts[i]).expect("base64url")).expect("JSON")
    };
    let (header, claims) = (part(0), part(1));
    assert_eq!(header["typ"], "dpop+jwt");
    assert!(
        header["jwk"].get("d").is_none(),
        "no private key in the header"
    );
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(header["jwk"].clone()).expect("a JWK in the header");
    let alg: jsonwebtoken::Algorithm = header["alg"].as_str().unwrap().parse().expect("alg");
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("a usable JWK");
    let message = format!("{}.{}", parts[0], parts[1]);
    assert!(
        jsonwebtoken::crypto::verify(parts[2], message.as_bytes(), &key, alg).unwrap(),
        "the proof's signature verifies with its own jwk"
    );
    let thumbprint = jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256);
    (header, claims, thumbprint)
}

/// The value of query parameter `name` of `url` (the first one).
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The names of the query parameters of `url`, in order.
pub fn query_names(url: &str) -> Vec<String> {
    url::Url::parse(url)
        .map(|u| u.query_pairs().map(|(k, _)| k.into_owned()).collect())
        .unwrap_or_default()
}
