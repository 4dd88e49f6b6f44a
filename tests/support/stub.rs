//! A fault-injection HTTP server on 127.0.0.1, in process (raw HTTP/1.1 over a tokio
//! TcpListener on its own thread, optionally behind TLS): answers every request as its
//! [`Reply`] says, including the ways real servers fail. Only for fault injection; the
//! protocol is tested against the real provider.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// How the stub answers a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete answer; the connection stays open for the next request (keep-alive).
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Headers announcing `declared_length` bytes, then only `body`, then the connection closes.
    Truncated {
        declared_length: usize,
        body: Vec<u8>,
    },
    /// Reads the request and never answers (the connection is held until the stub stops).
    Silent,
    /// Reads the request and closes the connection without a byte.
    Close,
    /// A complete answer sent with `Transfer-Encoding: chunked` (no Content-Length), in chunks
    /// of 64 KiB; the connection stays open.
    Chunked {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// What the stub saw of a request.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub head: String,
    pub body: String,
}

type Handler = Arc<dyn Fn(&SeenRequest) -> Reply + Send + Sync>;

/// A running stub; stops when dropped.
pub struct Stub {
    pub port: u16,
    scheme: &'static str,
    requests: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    /// A stub giving the same reply to every request.
    pub fn replying(reply: Reply) -> Stub {
        Stub::start(Arc::new(move |_| reply.clone()))
    }

    pub fn start(handler: Handler) -> Stub {
        Stub::serve(handler, None)
    }

    /// A stub behind TLS (`https://`), presenting the key and certificate of the PEM file
    /// `key_and_certificate` (e.g. tests/provider/keys/mtls-server.pem, signed by the test CA
    /// that nothing trusts unless told to with AUTH_OPT_CA_FILE).
    pub fn start_tls(handler: Handler, key_and_certificate: &Path) -> Stub {
        Stub::serve(handler, Some(tls_acceptor(key_and_certificate)))
    }

    fn serve(handler: Handler, tls: Option<TlsAcceptor>) -> Stub {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let requests = Arc::new(AtomicUsize::new(0));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let counter = requests.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("stub runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("stub bind");
                port_tx
                    .send(listener.local_addr().expect("addr").port())
                    .expect("port");
                let serve = async {
                    loop {
                        let Ok((socket, _)) = listener.accept().await else {
                            continue;
                        };
                        let _ = socket.set_nodelay(true);
                        let (handler, counter) = (handler.clone(), counter.clone());
                        match tls.clone() {
                            None => {
                                tokio::spawn(connection(socket, handler, counter));
                            }
                            Some(acceptor) => {
                                tokio::spawn(async move {
                                    // A client that refuses the certificate ends here.
                                    if let Ok(stream) = acceptor.accept(socket).await {
                                        connection(stream, handler, counter).await;
                                    }
                                });
                            }
                        }
                    }
                };
                tokio::select! {
                    _ = serve => {},
                    _ = stop_rx => {},
                }
            });
            // Dropping the runtime ends the connection tasks (and the Silent ones' sockets).
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("stub started");
        Stub {
            port,
            scheme,
            requests,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT{path}` (`https://` behind TLS).
    pub fn url(&self, path: &str) -> String {
        format!("{}://127.0.0.1:{}{path}", self.scheme, self.port)
    }

    /// Requests received so far (complete heads).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A port on 127.0.0.1 that refuses connections for as long as this value lives: bound (so no
/// other socket of the machine gets it, as could happen to a port bound and released while
/// other stubs start) but not listening.
pub struct RefusingPort {
    pub port: u16,
    _socket: TcpSocket,
}

impl RefusingPort {
    pub fn new() -> RefusingPort {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("address"))
            .expect("bind");
        let port = socket.local_addr().expect("addr").port();
        RefusingPort {
            port,
            _socket: socket,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Default for RefusingPort {
    fn default() -> RefusingPort {
        RefusingPort::new()
    }
}

fn tls_acceptor(key_and_certificate: &Path) -> TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pem = std::fs::read(key_and_certificate)
        .unwrap_or_else(|e| panic!("{}: {e}", key_and_certificate.display()));
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .expect("PEM certificates");
    let key = PrivateKeyDer::from_pem_slice(&pem).expect("PEM private key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(certificates, key)
    .expect("TLS server certificate");
    TlsAcceptor::from(Arc::new(config))
}

/// The status line and the reply's own headers (the caller adds the framing header).
fn status_and_headers(status: u16, headers: &[(String, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head
}

async fn connection<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    handler: Handler,
    counter: Arc<AtomicUsize>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buffer).await else {
            return;
        };
        counter.fetch_add(1, Ordering::SeqCst);
        match handler(&request) {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut head = status_and_headers(status, &headers);
                head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                if socket.write_all(head.as_bytes()).await.is_err()
                    || socket.write_all(&body).await.is_err()
                    || socket.flush().await.is_err()
                {
                    return;
                }
            }
            Reply::Truncated {
                declared_length,
                body,
            } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {declared_length}\r\n\r\n"
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.flush().await;
                return;
            }
            Reply::Silent => {
                std::future::pending::<()>().await;
            }
            Reply::Close => return,
            Reply::Chunked {
                status,
                headers,
                body,
            } => {
                let mut head = status_and_headers(status, &headers);
                head.push_str("Transfer-Encoding: chunked\r\n\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for chunk in body.chunks(64 * 1024) {
                    let size = format!("{:x}\r\n", chunk.len());
                    // A client that stops reading (an answer too large) ends the connection.
                    if socket.write_all(size.as_bytes()).await.is_err()
                        || socket.write_all(chunk).await.is_err()
                        || socket.write_all(b"\r\n").await.is_err()
                    {
                        return;
                    }
                }
                if socket.write_all(b"0\r\n\r\n").await.is_err() || socket.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads one request (head and Content-Length body); `None` when the peer closed.
async fn read_request<S: AsyncRead + Unpin>(
    socket: &mut S,
    buffer: &mut Vec<u8>,
) -> Option<SeenRequest> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
    buffer.drain(..head_end + length);
    Some(SeenRequest { head, body })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
