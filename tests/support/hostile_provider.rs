//! A hostile OpenID provider for fault injection: an in-process HTTP/1.1 server on 127.0.0.1
//! serving discovery, JWKS, token and userinfo, each answer set per test (wrong issuer, rotated
//! keys, a userinfo about someone else...). Plus the keys and signing helpers the tests use.
//! Not a real provider: tests of the real flow run against oidc-provider.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const CLIENT_ID: &str = "hostile-client";
pub const CLIENT_SECRET: &str = "a-long-client-secret-for-hs256-0123456789";
pub const ACCESS_TOKEN: &str = "access-token-1";

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A signing key and its public JWK.
#[derive(Clone)]
pub struct TestKey {
    pub alg: Algorithm,
    pub kid: Option<String>,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

impl TestKey {
    /// An RSA key from tests/keys/rsa<n>.pem (n = 1..3).
    pub fn rsa(n: u32, alg: Algorithm, kid: Option<&str>) -> TestKey {
        let pem =
            std::fs::read(super::workspace_root().join(format!("tests/keys/rsa{n}.pem"))).unwrap();
        let encoding = EncodingKey::from_rsa_pem(&pem).unwrap();
        let jwk = serde_json::to_value(
            jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding, alg).unwrap(),
        )
        .unwrap();
        TestKey::with(alg, kid, encoding, jwk)
    }

    /// A fresh P-256 (ES256) or P-384 (ES384) key.
    pub fn ec(alg: Algorithm, kid: Option<&str>) -> TestKey {
        let (signing, crv) = match alg {
            Algorithm::ES256 => (&sig::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
            Algorithm::ES384 => (&sig::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
            _ => panic!("not an EC algorithm"),
        };
        let pkcs8 = sig::EcdsaKeyPair::generate_pkcs8(signing, &SystemRandom::new()).unwrap();
        let pair = sig::EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref(); // 0x04 || x || y
        let half = (point.len() - 1) / 2;
        let jwk = json!({
            "kty": "EC", "crv": crv,
            "x": URL_SAFE_NO_PAD.encode(&point[1..1 + half]),
            "y": URL_SAFE_NO_PAD.encode(&point[1 + half..]),
        });
        TestKey::with(alg, kid, EncodingKey::from_ec_der(pkcs8.as_ref()), jwk)
    }

    /// A fresh Ed25519 (EdDSA) key.
    pub fn ed25519(kid: Option<&str>) -> TestKey {
        let pkcs8 = sig::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = sig::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let jwk = json!({
            "kty": "OKP", "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        });
        TestKey::with(
            Algorithm::EdDSA,
            kid,
            EncodingKey::from_ed_der(pkcs8.as_ref()),
            jwk,
        )
    }

    /// The client secret as an HS256/384/512 key.
    pub fn secret(alg: Algorithm, secret: &str) -> TestKey {
        TestKey {
            alg,
            kid: None,
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            jwk: Value::Null,
        }
    }

    fn with(alg: Algorithm, kid: Option<&str>, encoding: EncodingKey, mut jwk: Value) -> TestKey {
        let o = jwk.as_object_mut().unwrap();
        o.insert("use".into(), json!("sig"));
        o.remove("alg");
        if let Some(k) = kid {
            o.insert("kid".into(), json!(k));
        }
        TestKey {
            alg,
            kid: kid.map(str::to_owned),
            encoding,
            jwk,
        }
    }

    /// A JWT of `claims` signed with this key, its `kid` in the header.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = self.kid.clone();
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    /// Signed with this key but without `kid` in the header.
    pub fn sign_without_kid(&self, claims: &Value) -> String {
        let header = Header::new(self.alg);
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

/// A JWT with `alg: none` and no signature.
pub fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// The JWT with one byte of its signature changed.
pub fn tampered(jwt: &str) -> String {
    let (head, sig) = jwt.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).unwrap();
    bytes[10] ^= 0x01;
    format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(v: &Value) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json".into(),
            headers: Vec::new(),
            body: v.to_string(),
        }
    }
}

/// What the provider answers, set by each test, and what it saw.
#[derive(Debug)]
pub struct State {
    /// The issuer the discovery document names (None: the provider's own URL).
    pub discovery_issuer: Option<String>,
    pub jwks: Value,
    pub jwks_fetches: usize,
    pub userinfo: Reply,
    pub userinfo_requests: usize,
    pub token: Reply,
    /// The client authentication each token request used: "basic", "post", or "none".
    pub token_client_auth: Vec<String>,
    /// Headers added to the discovery document's answer (e.g. Cache-Control).
    pub discovery_headers: Vec<(String, String)>,
    /// Headers added to the JWKS answer.
    pub jwks_headers: Vec<(String, String)>,
    /// The RFC 8414 document (`/.well-known/oauth-authorization-server`); None: 404.
    pub rfc8414: Option<Reply>,
    pub rfc8414_requests: usize,
}

pub struct Provider {
    pub issuer: String,
    pub state: Arc<Mutex<State>>,
}

impl Provider {
    /// Starts a provider on a free loopback port (the thread lives as long as the test
    /// process).
    pub fn start() -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(State {
            discovery_issuer: None,
            jwks: json!({"keys": []}),
            jwks_fetches: 0,
            userinfo: Reply::json(&json!({"sub": "user-1"})),
            userinfo_requests: 0,
            token: Reply::json(&json!({"error": "invalid_grant"})),
            token_client_auth: Vec::new(),
            discovery_headers: Vec::new(),
            jwks_headers: Vec::new(),
            rfc8414: None,
            rfc8414_requests: 0,
        }));
        let (s, base) = (state.clone(), issuer.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (s, base) = (s.clone(), base.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &s, &base);
                });
            }
        });
        Provider { issuer, state }
    }

    pub fn set_keys(&self, keys: &[&TestKey]) {
        self.state.lock().unwrap().jwks =
            json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
    }
    pub fn set_jwks(&self, jwks: Value) {
        self.state.lock().unwrap().jwks = jwks;
    }
    pub fn set_userinfo(&self, reply: Reply) {
        self.state.lock().unwrap().userinfo = reply;
    }
    pub fn set_token(&self, reply: Reply) {
        self.state.lock().unwrap().token = reply;
    }
    pub fn set_discovery_issuer(&self, issuer: &str) {
        self.state.lock().unwrap().discovery_issuer = Some(issuer.to_owned());
    }
    pub fn set_discovery_headers(&self, headers: &[(&str, &str)]) {
        self.state.lock().unwrap().discovery_headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }
    pub fn set_jwks_headers(&self, headers: &[(&str, &str)]) {
        self.state.lock().unwrap().jwks_headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    }
    pub fn set_rfc8414(&self, reply: Option<Reply>) {
        self.state.lock().unwrap().rfc8414 = reply;
    }
    pub fn rfc8414_requests(&self) -> usize {
        self.state.lock().unwrap().rfc8414_requests
    }
    pub fn jwks_fetches(&self) -> usize {
        self.state.lock().unwrap().jwks_fetches
    }

    /// Claims of a good ID token for [`CLIENT_ID`].
    pub fn claims(&self, nonce: Option<&str>) -> Value {
        let mut c = json!({
            "iss": self.issuer, "sub": "user-1", "aud": CLIENT_ID,
            "iat": now(), "exp": now() + 300,
        });
        if let Some(n) = nonce {
            c["nonce"] = json!(n);
        }
        c
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(conn: &TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    reader.read_exact(&mut body)?;
    Ok(Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn serve(mut conn: TcpStream, state: &Mutex<State>, base: &str) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let req = read_request(&conn)?;
    let reply = route(&req, state, base);
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    conn.write_all(reply.body.as_bytes())?;
    conn.flush()
}

fn route(req: &Request, state: &Mutex<State>, base: &str) -> Reply {
    let mut s = state.lock().unwrap();
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/.well-known/openid-configuration") => {
            let mut reply = Reply::json(&json!({
                "issuer": s.discovery_issuer.clone().unwrap_or_else(|| base.to_owned()),
                "authorization_endpoint": format!("{base}/auth"),
                "token_endpoint": format!("{base}/token"),
                "userinfo_endpoint": format!("{base}/userinfo"),
                "jwks_uri": format!("{base}/jwks"),
                "id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256", "EdDSA"],
            }));
            reply.headers = s.discovery_headers.clone();
            reply
        }
        ("GET", "/.well-known/oauth-authorization-server") => {
            s.rfc8414_requests += 1;
            s.rfc8414.clone().unwrap_or(Reply {
                status: 404,
                content_type: "text/plain".into(),
                headers: Vec::new(),
                body: "not found".into(),
            })
        }
        ("GET", "/jwks") => {
            s.jwks_fetches += 1;
            let mut reply = Reply::json(&s.jwks);
            reply.headers = s.jwks_headers.clone();
            reply
        }
        ("GET", "/userinfo") => {
            s.userinfo_requests += 1;
            if req.header("authorization") != Some(&format!("Bearer {ACCESS_TOKEN}")) {
                return Reply {
                    status: 401,
                    content_type: "application/json".into(),
                    headers: vec![(
                        "WWW-Authenticate".into(),
                        format!(
                            "Bearer realm=\"{base}\", error=\"invalid_token\", error_description=\"invalid token provided\""
                        ),
                    )],
                    body:
                        r#"{"error":"invalid_token","error_description":"invalid token provided"}"#
                            .into(),
                };
            }
            s.userinfo.clone()
        }
        ("POST", "/token") => {
            let basic = req
                .header("authorization")
                .and_then(|h| h.strip_prefix("Basic "));
            let form: Vec<(String, String)> = url::form_urlencoded::parse(req.body.as_bytes())
                .into_owned()
                .collect();
            let posted = form
                .iter()
                .find(|(k, _)| k == "client_secret")
                .map(|(_, v)| v.clone());
            let expected_basic = URL_SAFE_NO_PAD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
            let std_basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
            let auth = match (basic, posted) {
                (Some(b), None) if b == std_basic || b == expected_basic => "basic",
                (None, Some(p)) if p == CLIENT_SECRET => "post",
                _ => "bad",
            };
            s.token_client_auth.push(auth.to_owned());
            if auth == "bad" {
                return Reply {
                    status: 401,
                    content_type: "application/json".into(),
                    headers: Vec::new(),
                    body: r#"{"error":"invalid_client"}"#.into(),
                };
            }
            s.token.clone()
        }
        _ => Reply {
            status: 404,
            content_type: "text/html".into(),
            headers: Vec::new(),
            body: "<html>not found</html>".into(),
        },
    }
}
