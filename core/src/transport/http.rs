//! The one HTTP layer. Back-channel calls (refresh, revocation, userinfo…) run on a
//! current-thread tokio runtime owned by the calling thread, with that thread's own reqwest
//! clients: the request, its connection and the answer never leave the caller's thread (a
//! multi-thread runtime would move the connection's I/O to a worker thread and back: twice the
//! latency of the request itself on loopback), and threads share nothing but the TLS
//! configuration (`tls.rs`). Flows whose I/O outlives one call (the login's loopback listener)
//! run on the shared multi-thread runtime instead. No redirects on back-channel requests;
//! answers capped at 1 MiB.

use crate::config::ParamOption;
use crate::config::TransportSettings;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at, redact_url};
use crate::secret::Secret;
use crate::transport::freshness;
use crate::transport::tls::TlsKey;
use std::cell::{Cell, OnceCell, RefCell};
use std::future::Future;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Largest answer body read from any endpoint.
pub const MAX_BODY: usize = 1024 * 1024;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("authtoken-io")
        .enable_all()
        .build()
        .expect("the tokio runtime could not start")
});

/// The shared runtime (started on first use).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    &RUNTIME
}

/// Runs `future` to completion on the shared multi-thread runtime, driven from the caller's
/// thread. For calls that create I/O objects used again by later calls, possibly from other
/// threads (the login's listener). Called from inside a runtime (a host callback that calls
/// back into the library), it runs on a helper thread, since a runtime cannot block inside
/// itself.
pub fn block_on<F: Future + Send>(future: F) -> F::Output
where
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| RUNTIME.block_on(future))
                .join()
                .expect("block_on helper thread")
        })
    } else {
        RUNTIME.block_on(future)
    }
}

/// A thread's own runtime and clients. The clients' pooled connections belong to this
/// runtime, so they are only ever used by it.
struct ThreadIo {
    clients: RefCell<Vec<(ClientKey, reqwest::Client)>>,
    runtime: tokio::runtime::Runtime,
}

thread_local! {
    static THREAD_IO: OnceCell<ThreadIo> = const { OnceCell::new() };
    /// Set while this thread's runtime runs a future: [`client`] then hands out this thread's
    /// clients.
    static ON_THREAD_RUNTIME: Cell<bool> = const { Cell::new(false) };
}

/// Runs a self-contained call (nothing it creates is used after it returns: a request and its
/// answer) to completion on the calling thread's own runtime. Falls back to [`block_on`]
/// inside a runtime, and when the thread is being torn down.
pub fn block_on_here<F: Future + Send>(future: F) -> F::Output
where
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() || ON_THREAD_RUNTIME.with(Cell::get) {
        return block_on(future);
    }
    // A request's future is several KiB (reqwest's included) and each layer below would move
    // it again (the closure, the runtime, its scheduler): boxed, only a pointer moves.
    let future = Box::pin(future);
    let runtime = THREAD_IO.try_with(|io| {
        io.get_or_init(|| ThreadIo {
            clients: RefCell::new(Vec::new()),
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the thread's tokio runtime could not start"),
        });
    });
    if runtime.is_err() {
        return block_on(future);
    }
    struct Running;
    impl Drop for Running {
        fn drop(&mut self) {
            ON_THREAD_RUNTIME.with(|f| f.set(false));
        }
    }
    ON_THREAD_RUNTIME.with(|f| f.set(true));
    let _running = Running;
    THREAD_IO.with(|io| {
        io.get()
            .expect("initialised above")
            .runtime
            .block_on(future)
    })
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct ClientKey {
    tls: TlsKey,
    proxy: Option<String>,
}

impl ClientKey {
    fn of(t: &TransportSettings) -> ClientKey {
        ClientKey {
            tls: TlsKey {
                ca_file: t.ca_file.clone(),
                client_certificate: t.client_certificate.clone(),
                client_certificate_password: t
                    .client_certificate_password
                    .as_ref()
                    .map(|s| s.expose().to_owned()),
            },
            proxy: t.proxy.clone(),
        }
    }

    /// Whether this is the key of `t`, compared in place: the lookup of every request builds
    /// no key (copies of paths, proxy and password) to find its client.
    fn is_for(&self, t: &TransportSettings) -> bool {
        self.tls.ca_file == t.ca_file
            && self.tls.client_certificate == t.client_certificate
            && self.tls.client_certificate_password.as_deref()
                == t.client_certificate_password.as_ref().map(Secret::expose)
            && self.proxy == t.proxy
    }
}

/// The clients shared on the multi-thread runtime, one per transport setting (a handful at
/// most: a linear search beats hashing a key).
static CLIENTS: Mutex<Vec<(ClientKey, reqwest::Client)>> = Mutex::new(Vec::new());

/// The client of `t` in `clients`, made and added on first use.
fn client_in(
    clients: &mut Vec<(ClientKey, reqwest::Client)>,
    t: &TransportSettings,
) -> Result<reqwest::Client> {
    if let Some((_, c)) = clients.iter().find(|(k, _)| k.is_for(t)) {
        return Ok(c.clone());
    }
    let key = ClientKey::of(t);
    let c = build_client(&key)?;
    clients.push((key, c.clone()));
    Ok(c)
}

/// The client for these transport settings: the calling thread's own when it runs on its own
/// runtime ([`block_on_here`]), else the one shared on the multi-thread runtime.
pub fn client(t: &TransportSettings) -> Result<reqwest::Client> {
    if ON_THREAD_RUNTIME.with(Cell::get) {
        let own = THREAD_IO.with(|io| Some(client_in(&mut io.get()?.clients.borrow_mut(), t)));
        if let Some(c) = own {
            return c;
        }
    }
    client_in(&mut CLIENTS.lock().unwrap_or_else(|e| e.into_inner()), t)
}

fn build_client(key: &ClientKey) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        // A back-channel redirect could send credentials elsewhere (SSRF); never follow one.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("authtoken/", env!("CARGO_PKG_VERSION")))
        // Below Node's default keep-alive timeout (5 s: oidc-provider and most Node servers):
        // a connection idle that long may be closed by the server just as it is reused, and
        // the request then fails with "connection closed before message completed" (seen on
        // userinfo after a slow refresh). A new connection after 4 s idle costs little.
        .pool_idle_timeout(Duration::from_secs(4))
        .tcp_nodelay(true)
        .https_only(false)
        .tls_backend_preconfigured(crate::transport::tls::client_config(&key.tls)?);
    if let Some(proxy) = &key.proxy {
        let p = reqwest::Proxy::all(proxy).map_err(|e| {
            Error::invalid_argument(format!("{proxy}: {e}", proxy = ParamOption::Proxy))
        })?;
        b = b.proxy(p);
    }
    b.build().map_err(|e| {
        Error::new(
            ErrorKind::Network,
            format!("cannot set up the HTTP client: {e}"),
        )
    })
}

/// An answer, read whole (at most [`MAX_BODY`] bytes).
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub www_authenticate: Option<String>,
    pub retry_after: Option<String>,
    /// The `DPoP-Nonce` header (RFC 9449 §8): the nonce the server wants in the next proof.
    pub dpop_nonce: Option<String>,
    /// How long the answer may be reused, as its `Cache-Control` and `Age` say (see
    /// [`freshness::max_age`]); `None` when they say nothing.
    pub max_age: Option<Duration>,
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON answer with this status, for the tests of the answers' parsers.
    #[cfg(test)]
    pub(crate) fn json_for_test(status: u16, body: &str) -> Response {
        Response {
            status,
            content_type: Some("application/json".into()),
            www_authenticate: None,
            retry_after: None,
            dpop_nonce: None,
            max_age: None,
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// The body as text; invalid UTF-8 is a protocol error.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| {
            Error::protocol("the answer is not UTF-8 text").with_http_status(self.status)
        })
    }
    /// The body as text, taken out of the answer without a copy; invalid UTF-8 is a protocol
    /// error.
    pub fn into_text(self) -> Result<String> {
        let status = self.status;
        String::from_utf8(self.body)
            .map_err(|_| Error::protocol("the answer is not UTF-8 text").with_http_status(status))
    }
    /// The body as a JSON object.
    pub fn json_object(&self) -> Result<serde_json::Map<String, serde_json::Value>> {
        match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            Ok(_) => Err(Error::protocol("the answer is JSON but not an object")
                .with_http_status(self.status)),
            Err(e) => Err(Error::protocol(format!(
                "the answer (HTTP {}, {}) is not JSON: {e}",
                self.status,
                self.content_type.as_deref().unwrap_or("no content type")
            ))
            .with_http_status(self.status)),
        }
    }
}

/// Client authentication with HTTP Basic (RFC 6749 §2.3.1: id and secret form-urlencoded
/// before base64).
#[derive(Debug, Clone)]
pub struct BasicAuth {
    pub user: String,
    pub password: Secret,
}

/// A request: form POST, or GET.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub url: String,
    /// Form fields for a POST; `None` means GET.
    pub form: Option<Vec<(String, Secret)>>,
    /// The access token of a resource request: `Authorization: Bearer <token>`, or `DPoP
    /// <token>` when the request carries a proof (RFC 9449 §7.1).
    pub access_token: Option<Secret>,
    /// The `DPoP` proof header (RFC 9449 §4).
    pub dpop: Option<Secret>,
    pub basic: Option<BasicAuth>,
    /// Extra headers (name, value).
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn get(url: &str) -> Request {
        Request {
            url: url.to_owned(),
            ..Request::default()
        }
    }
    pub fn post_form(url: &str, form: Vec<(String, Secret)>) -> Request {
        Request {
            url: url.to_owned(),
            form: Some(form),
            ..Request::default()
        }
    }
}

/// The form-urlencoded body of `fields`, encoded once into the buffer reqwest takes as the
/// body (no intermediate copy). Like every body handed to reqwest it is not wiped afterwards.
fn form_body(fields: &[(String, Secret)]) -> String {
    // Room for the text and a few escapes: one allocation in the common case.
    let text: usize = fields
        .iter()
        .map(|(k, v)| k.len() + v.expose().len() + 2)
        .sum();
    let mut s = url::form_urlencoded::Serializer::new(String::with_capacity(text + text / 4));
    for (k, v) in fields {
        s.append_pair(k, v.expose());
    }
    s.finish()
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Sends a request and reads the answer. Connection failures before anything was sent are
/// retried once, and so is a GET (idempotent, RFC 9110 §9.2.2) whose connection closed before
/// any answer: a kept-alive connection the server closes at its keep-alive timeout just as it
/// is reused. Nothing else is (a refresh the server may have received must not be sent twice:
/// a rotated refresh token would be burnt).
pub async fn send(transport: &TransportSettings, request: &Request) -> Result<Response> {
    let client = client(transport)?;
    let started = Instant::now();
    let mut attempt = 0;
    let result = loop {
        attempt += 1;
        match send_once(&client, transport.http_timeout, request).await {
            Err(e) if e.retryable && attempt == 1 => {
                log_at!(
                    Level::Debug,
                    "{}: connection failed before sending ({}), retrying once",
                    redact_url(&request.url),
                    e.error
                );
                continue;
            }
            other => break other.map_err(|e| e.error),
        }
    };
    let method = if request.form.is_some() {
        "POST"
    } else {
        "GET"
    };
    match &result {
        Ok(r) => log_at!(
            Level::Debug,
            "{method} {} -> {} ({} bytes, {:.1} ms)",
            redact_url(&request.url),
            r.status,
            r.body.len(),
            started.elapsed().as_secs_f64() * 1000.0
        ),
        Err(e) => log_at!(
            Level::Debug,
            "{method} {} failed after {:.1} ms: {}",
            redact_url(&request.url),
            started.elapsed().as_secs_f64() * 1000.0,
            e
        ),
    }
    result
}

struct SendError {
    error: Error,
    retryable: bool,
}

async fn send_once(
    client: &reqwest::Client,
    timeout: Duration,
    request: &Request,
) -> std::result::Result<Response, SendError> {
    let mut rb = match &request.form {
        Some(fields) => client
            .post(&request.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form_body(fields)),
        None => client.get(&request.url),
    };
    rb = rb
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(timeout);
    if let Some(token) = &request.access_token {
        let scheme = if request.dpop.is_some() {
            "DPoP"
        } else {
            "Bearer"
        };
        rb = rb.header(
            reqwest::header::AUTHORIZATION,
            format!("{scheme} {}", token.expose()),
        );
    }
    if let Some(proof) = &request.dpop {
        rb = rb.header("DPoP", proof.expose());
    }
    if let Some(basic) = &request.basic {
        use base64::Engine;
        let raw = format!(
            "{}:{}",
            form_encode(&basic.user),
            form_encode(basic.password.expose())
        );
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
        );
        rb = rb.header(reqwest::header::AUTHORIZATION, value);
    }
    for (k, v) in &request.headers {
        rb = rb.header(k.as_str(), v.as_str());
    }
    // Redacted only when a message needs it: parsing the URL again costs on every call.
    let url = || redact_url(&request.url);
    let idempotent = request.form.is_none();
    let mut resp = rb.send().await.map_err(|e| SendError {
        retryable: (e.is_connect() || (idempotent && e.is_request())) && !e.is_timeout(),
        error: transport_error(&e, &url()),
    })?;
    let status = resp.status().as_u16();
    let header = |name: reqwest::header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let www_authenticate = header(reqwest::header::WWW_AUTHENTICATE);
    let retry_after = header(reqwest::header::RETRY_AFTER);
    let dpop_nonce = header(reqwest::header::HeaderName::from_static("dpop-nonce"));
    let max_age = freshness::max_age(resp.headers());
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(SendError {
            error: too_large(status, &url()),
            retryable: false,
        });
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(SendError {
                        error: too_large(status, &url()),
                        retryable: false,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => {
                // The server did answer: the transfer broke, it was not unreachable.
                let url = url();
                let error = match transport_error(&e, &url) {
                    t if t.kind() == ErrorKind::Timeout => t,
                    _ => Error::new(
                        ErrorKind::Network,
                        format!(
                            "the answer from {url} (HTTP {status}) broke off after {} bytes: {}",
                            body.len(),
                            error_chain(&e, &url)
                        ),
                    ),
                };
                return Err(SendError {
                    error: error.with_http_status(status),
                    retryable: false,
                });
            }
        }
    }
    Ok(Response {
        status,
        content_type,
        www_authenticate,
        retry_after,
        dpop_nonce,
        max_age,
        body,
    })
}

fn too_large(status: u16, url: &str) -> Error {
    Error::protocol(format!(
        "the answer from {url} is larger than {MAX_BODY} bytes"
    ))
    .with_http_status(status)
}

/// A reqwest error and its sources, with the redacted URL in place of the one reqwest repeats.
fn error_chain(e: &reqwest::Error, url: &str) -> String {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    detail.replace(e.url().map(|u| u.as_str()).unwrap_or("\u{0}"), url)
}

/// A reqwest failure as our error: timeout, or network (DNS, connection, TLS, transfer).
fn transport_error(e: &reqwest::Error, url: &str) -> Error {
    let detail = error_chain(e, url);
    if e.is_timeout() {
        Error::new(
            ErrorKind::Timeout,
            format!("no answer from {url} in time ({detail})"),
        )
    } else {
        Error::new(ErrorKind::Network, format!("cannot reach {url}: {detail}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The in-place comparison that finds a thread's client must agree with the key the client
    /// was made for, field by field: a field it forgot would hand one setting's client (its
    /// CA file, client certificate or proxy) to a request made with another.
    #[test]
    fn a_client_key_is_for_exactly_the_settings_it_was_made_of() {
        let base = TransportSettings {
            ca_file: Some("/ca.pem".into()),
            proxy: Some("http://proxy:3128".into()),
            client_certificate: Some("/client.p12".into()),
            client_certificate_password: Some(Secret::new("pw")),
            ..TransportSettings::default()
        };
        let key = ClientKey::of(&base);
        assert!(key.is_for(&base));
        let others = [
            TransportSettings {
                ca_file: None,
                ..base.clone()
            },
            TransportSettings {
                proxy: Some("http://other:3128".into()),
                ..base.clone()
            },
            TransportSettings {
                client_certificate: Some("/other.p12".into()),
                ..base.clone()
            },
            TransportSettings {
                client_certificate_password: Some(Secret::new("other")),
                ..base.clone()
            },
            TransportSettings {
                client_certificate_password: None,
                ..base.clone()
            },
        ];
        for (i, other) in others.iter().enumerate() {
            assert!(
                !key.is_for(other),
                "setting {i} found the client of another"
            );
        }
        // The timeout is per request, not per client.
        let slower = TransportSettings {
            http_timeout: Duration::from_secs(99),
            ..base.clone()
        };
        assert!(key.is_for(&slower));
    }

    /// A keep-alive HTTP/1.1 server on loopback answering `{}` to every request; counts the
    /// connections it accepted.
    fn server() -> (String, Arc<AtomicUsize>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut writer = stream;
                    loop {
                        let mut length = 0;
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            let lower = line.to_ascii_lowercase();
                            if let Some(v) = lower.strip_prefix("content-length:") {
                                length = v.trim().parse().unwrap();
                            }
                            if line == "\r\n" {
                                break;
                            }
                        }
                        let mut body = vec![0; length];
                        reader.read_exact(&mut body).unwrap();
                        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                        if writer.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (url, connections)
    }

    #[test]
    fn each_thread_keeps_its_connection_and_drops_it_with_the_thread() {
        let (url, connections) = server();
        for _ in 0..3 {
            let url = url.clone();
            std::thread::spawn(move || {
                let transport = TransportSettings::default();
                for _ in 0..3 {
                    let request = Request::post_form(&url, vec![("a".into(), Secret::new("b"))]);
                    let r = block_on_here(send(&transport, &request)).unwrap();
                    assert_eq!(r.status, 200);
                    assert_eq!(r.body, b"{}");
                }
            })
            .join()
            .expect("the thread and its runtime end cleanly");
        }
        // Three requests per thread on one kept-alive connection each.
        assert_eq!(connections.load(Ordering::SeqCst), 3);
    }

    /// A server whose first connection reads the request and closes without answering (a
    /// kept-alive connection closed by the server as it is reused); the next ones answer.
    fn closing_once_then_answering() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                if n > 0 {
                    let answer =
                        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
                    let _ = stream.write_all(answer.as_bytes());
                }
            }
        });
        url
    }

    #[test]
    fn a_get_is_sent_again_when_its_connection_closes_without_an_answer() {
        let transport = TransportSettings::default();
        let r = block_on_here(send(
            &transport,
            &Request::get(&closing_once_then_answering()),
        ));
        assert_eq!(r.unwrap().status, 200);
        // A POST may have been received: it is not sent again.
        let post = Request::post_form(&closing_once_then_answering(), vec![]);
        let e = block_on_here(send(&transport, &post)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Network, "{e:?}");
    }

    #[test]
    fn inside_a_runtime_the_call_runs_on_the_shared_one() {
        let (url, _) = server();
        let outer = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let r = outer.block_on(async {
            block_on_here(send(&TransportSettings::default(), &Request::get(&url)))
        });
        assert_eq!(r.unwrap().status, 200);
    }
}
