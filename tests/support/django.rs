//! The second authorization server: django-oauth-toolkit 3.4 (Django 5.2, sqlite) from
//! tests/django_provider, run by its own virtual environment's Python (made by
//! `scripts/setup`) on a free loopback port. Issuer `http://127.0.0.1:PORT/o`; OpenID Connect
//! with RS256 (and HS256 for `dj-hs256`), PKCE required, refresh tokens rotated (reuse revokes
//! the family), RP-initiated logout; its OpenID document has no revocation or introspection
//! endpoint: only its RFC 8414 document (at the origin's root, RFC 8414 §3.1) has them.

use super::{Provider, TestClient, http_client, runtime};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The test users (serve.py's seed command); each one's password is `<name>-password-123`.
/// RP-initiated logout deletes every token of its user: only the test of it uses bob.
pub const USER: &str = "alice";
pub const OTHER_USER: &str = "bob";

/// client_secret_post (the server takes either method from a confidential client).
pub const DJ_POST: TestClient = TestClient {
    id: "dj-post",
    secret: Some("dj-post-secret-123"),
    auth: "post",
};
pub const DJ_BASIC: TestClient = TestClient {
    id: "dj-basic",
    secret: Some("dj-basic-secret-123"),
    auth: "basic",
};
/// A public client (PKCE).
pub const DJ_PUBLIC: TestClient = TestClient {
    id: "dj-public",
    secret: None,
    auth: "none",
};
/// ID tokens signed HS256 with the client secret.
pub const DJ_HS256: TestClient = TestClient {
    id: "dj-hs256",
    secret: Some("dj-hs256-secret-0123456789-abcdefghijklmn"),
    auth: "post",
};
/// client_credentials only.
pub const DJ_SERVICE: TestClient = TestClient {
    id: "dj-service",
    secret: Some("dj-service-secret-123"),
    auth: "basic",
};

/// tests/django_provider.
pub fn project_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django_provider")
}

/// A running django-oauth-toolkit server; dropping it kills the process.
pub struct Django {
    pub server: Provider,
    /// Its sqlite database: a server started again on it keeps its users, clients and grants.
    pub db: PathBuf,
}

impl Django {
    /// Starts a server with the given configuration (a JSON object, see serve.py: `port`,
    /// `db`, `tokenPath`, `accessTTL`; `"{}"` for the defaults) and waits until it listens.
    pub fn start(config_json: &str) -> Django {
        let python = project_dir().join(".venv/bin/python");
        if !python.exists() {
            panic!(
                "django-oauth-toolkit is not installed: run scripts/setup (it makes the virtual \
                 environment {})",
                project_dir().join(".venv").display()
            );
        }
        let mut command = Command::new(python);
        command
            .arg(project_dir().join("serve.py"))
            .arg(config_json)
            .current_dir(project_dir());
        let server = Provider::spawn(command, "django-oauth-toolkit (tests/django_provider)");
        let db = PathBuf::from(server.started["db"].as_str().expect("db"));
        Django { server, db }
    }

    /// The last lines the server wrote to stderr (its request log and errors), for failure
    /// messages.
    pub fn log_tail(&self) -> String {
        let lines = self.server.stderr_lines();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }

    pub fn issuer(&self) -> &str {
        &self.server.issuer
    }
    pub fn port(&self) -> u16 {
        self.server.port
    }
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer())
    }
    pub fn authorization_endpoint(&self) -> String {
        format!("{}/authorize/", self.issuer())
    }
    pub fn token_endpoint(&self) -> String {
        format!("{}/token/", self.issuer())
    }
    pub fn revocation_endpoint(&self) -> String {
        format!("{}/revoke_token/", self.issuer())
    }
    /// Where RFC 8414 §3.1 puts its metadata: the well-known part before the issuer's path.
    pub fn rfc8414_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/.well-known/oauth-authorization-server/o",
            self.port()
        )
    }
}

/// Plays the user through Django's login form (the test user), starting at
/// `authorization_url`, and returns the URL the server finally redirects the browser to
/// (`http://127.0.0.1:PORT/callback?code=…&state=…&iss=…`) without fetching it. Clients skip
/// the consent page (`skip_authorization`).
pub fn login_over_http(authorization_url: &str) -> String {
    login_over_http_as(authorization_url, USER)
}

/// [`login_over_http`] as `user`.
pub fn login_over_http_as(authorization_url: &str, user: &str) -> String {
    runtime().block_on(async {
        let client = http_client(true);
        let start = url::Url::parse(authorization_url).expect("authorization URL");
        let origin = start.origin();
        let mut next = start;
        let mut form: Option<Vec<(String, String)>> = None;
        for _ in 0..8 {
            let request = match form.take() {
                Some(fields) => client.post(next.clone()).form(&fields),
                None => client.get(next.clone()),
            };
            let r = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("login: {next}: {e}"));
            let status = r.status();
            if status.is_redirection() {
                let location = r
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_else(|| panic!("login: {status} without Location from {next}"))
                    .to_owned();
                let target = next.join(&location).expect("Location URL");
                if target.origin() != origin {
                    return target.to_string();
                }
                next = target;
                continue;
            }
            let page = r.text().await.unwrap_or_default();
            assert!(
                status.is_success() && page.contains("name=\"username\""),
                "login: {next} answered {status} without the login form:\n{page}"
            );
            let mut fields = hidden_inputs(&page);
            fields.push(("username".into(), user.into()));
            fields.push(("password".into(), format!("{user}-password-123")));
            form = Some(fields);
        }
        panic!("login: too many steps from {authorization_url}");
    })
}

/// The `name`/`value` pairs of the page's hidden inputs (the CSRF token and `next`).
fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let at = tag.find(&key)? + key.len();
        let end = tag[at..].find('"')?;
        Some(tag[at..at + end].replace("&amp;", "&"))
    };
    page.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            if !tag.contains("type=\"hidden\"") {
                return None;
            }
            Some((attribute(tag, "name")?, attribute(tag, "value")?))
        })
        .collect()
}

/// What the browser does at the end-session endpoint (RP-initiated logout): GETs `url`
/// and the redirects within the server, and returns where it is finally sent (the
/// post-logout redirect) without fetching it.
pub fn end_session_over_http(url: &str) -> String {
    runtime().block_on(async {
        let client = http_client(true);
        let mut next = url::Url::parse(url).expect("end-session URL");
        let origin = next.origin();
        for _ in 0..4 {
            let r = client
                .get(next.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("logout: {next}: {e}"));
            let status = r.status();
            let location = r
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let Some(location) = location else {
                panic!(
                    "logout: {next} answered {status}:\n{}",
                    r.text().await.unwrap_or_default()
                );
            };
            let target = next.join(&location).expect("Location URL");
            if target.origin() != origin {
                return target.to_string();
            }
            next = target;
        }
        panic!("logout: too many steps from {url}");
    })
}
