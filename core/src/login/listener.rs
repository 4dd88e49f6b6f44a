//! The loopback redirect listener of a native app (RFC 8252 §7.3): listens on the redirect URL
//! (loopback hosts only), answers the browser's redirect with a result page, and ignores
//! everything else that reaches the port (favicon requests, probes, garbage, slow clients)
//! without ending the login. The port is released as soon as the login ends, however it ends.

use crate::cancel::CancelWatch;
use crate::config::ParamOption;
use crate::config::SuccessPage;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use url::{Host, Url};

/// The redirect URL `auth_identify` listens on when none is set: any free port on 127.0.0.1.
pub const DEFAULT_REDIRECT: &str = "http://127.0.0.1:0/";

/// How long one connection may take to send its request (slow clients are dropped).
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long writing a page may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 16 * 1024;
/// Connections handled at once; more are closed at once.
const MAX_CONNECTIONS: usize = 32;

/// What the listener shows and how it reads the answer.
#[derive(Debug, Clone, Default)]
pub struct ListenOptions {
    /// The page after a successful login (default: a page saying the window can be closed).
    pub success_page: Option<SuccessPage>,
    /// Implicit flow: the answer is in the URL fragment, which browsers never send; a small
    /// page posts it back to the same path.
    pub fragment: bool,
    /// Heading of the default pages ("Signed in", "Signed out").
    pub done_title: Option<&'static str>,
}

/// Listening sockets bound for one login.
#[derive(Debug)]
pub struct Listener {
    sockets: Vec<TcpListener>,
    redirect_uri: String,
    authority: String,
    path: String,
}

fn redirect_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Redirect, message)
}

/// Binds `addr`; a busy port or an address the machine lacks is a Redirect error.
fn bind_std(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let l = std::net::TcpListener::bind(addr)?;
    l.set_nonblocking(true)?;
    Ok(l)
}

impl Listener {
    /// Binds the loopback address(es) of `redirect_url`. `localhost` binds both 127.0.0.1 and
    /// ::1 on the same port (browsers resolve it either way); port 0 picks a free port, which
    /// the returned redirect URI carries.
    pub async fn bind(redirect_url: &str) -> Result<Listener> {
        let url = Url::parse(redirect_url).map_err(|e| {
            redirect_error(format!(
                "the redirect URL is not a URL ({e}): {redirect_url}"
            ))
        })?;
        if url.scheme() != "http" {
            return Err(redirect_error(format!(
                "cannot listen on {redirect_url}: the login listens only on http:// loopback URLs (use the two-step login to receive other redirects)"
            )));
        }
        let port = url.port().unwrap_or(80);
        let hosts: Vec<IpAddr> = match url.host() {
            Some(Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
                vec![
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ]
            }
            Some(Host::Ipv4(a)) if a == Ipv4Addr::LOCALHOST => vec![IpAddr::V4(a)],
            Some(Host::Ipv6(a)) if a == Ipv6Addr::LOCALHOST => vec![IpAddr::V6(a)],
            _ => {
                return Err(redirect_error(format!(
                    "cannot listen on {redirect_url}: the host must be localhost, 127.0.0.1 or [::1]"
                )));
            }
        };
        let busy = |addr: SocketAddr, e: std::io::Error| {
            redirect_error(format!("cannot listen on {addr} for the redirect: {e}"))
        };
        // Port 0 with two addresses: the port chosen on the first must be free on the second
        // too; try a few times.
        let mut attempt = 0;
        let std_sockets = loop {
            attempt += 1;
            let first_addr = SocketAddr::new(hosts[0], port);
            let first = bind_std(first_addr).map_err(|e| busy(first_addr, e))?;
            let mut sockets = vec![first];
            let chosen = sockets[0]
                .local_addr()
                .map_err(|e| busy(first_addr, e))?
                .port();
            let mut retry = false;
            for host in &hosts[1..] {
                let addr = SocketAddr::new(*host, chosen);
                match bind_std(addr) {
                    Ok(s) => sockets.push(s),
                    // No IPv6 on this machine: 127.0.0.1 alone serves localhost.
                    Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => {}
                    Err(e)
                        if e.kind() == std::io::ErrorKind::AddrInUse
                            && port == 0
                            && attempt < 5 =>
                    {
                        retry = true;
                    }
                    Err(e) => return Err(busy(addr, e)),
                }
            }
            if !retry {
                break sockets;
            }
        };
        let chosen = std_sockets[0]
            .local_addr()
            .map_err(|e| redirect_error(e.to_string()))?
            .port();
        let mut sockets = Vec::new();
        for s in std_sockets {
            sockets.push(TcpListener::from_std(s).map_err(|e| redirect_error(e.to_string()))?);
        }
        let mut real = url.clone();
        if port == 0 {
            real.set_port(Some(chosen))
                .map_err(|_| redirect_error("cannot set the port of the redirect URL"))?;
        }
        let authority = format!("{}:{chosen}", url.host_str().unwrap_or("127.0.0.1"));
        log_at!(Level::Debug, "listening for the redirect on {real}");
        Ok(Listener {
            sockets,
            redirect_uri: if port == 0 {
                real.to_string()
            } else {
                redirect_url.to_owned()
            },
            authority,
            path: url.path().to_owned(),
        })
    }

    /// The redirect URI to send (with the real port).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.sockets
            .first()
            .and_then(|s| s.local_addr().ok())
            .map(|a| a.port())
            .unwrap_or(0)
    }

    /// Waits for the redirect, hands its full URL to `handle`, shows the result page, and
    /// returns `handle`'s result. Ends with Timeout after `timeout`, Cancelled on `cancel`;
    /// the sockets are closed when this returns.
    pub async fn serve<T, F, Fut>(
        self,
        options: &ListenOptions,
        timeout: Duration,
        cancel: &CancelWatch,
        mut handle: F,
    ) -> Result<T>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let deadline = tokio::time::Instant::now() + timeout;
        let (tx, mut rx) = mpsc::channel::<Callback>(4);
        let mut connections = JoinSet::new();
        let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let shared = Arc::new(Shared {
            path: self.path.clone(),
            authority: self.authority.clone(),
            fragment: options.fragment,
        });
        let first = &self.sockets[0];
        let second = self.sockets.get(1);
        loop {
            let accepted = tokio::select! {
                _ = cancel.cancelled() => {
                    return Err(Error::new(ErrorKind::Cancelled, "the login was cancelled"));
                }
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(Error::new(ErrorKind::Timeout, format!(
                        "no login completed within {} s ({login_timeout})", timeout.as_secs(), login_timeout = ParamOption::LoginTimeout)));
                }
                Some(cb) = rx.recv() => {
                    let result = tokio::select! {
                        r = handle(cb.url) => r,
                        _ = cancel.cancelled() => Err(Error::new(ErrorKind::Cancelled, "the login was cancelled")),
                    };
                    let page = match &result {
                        Ok(_) => success_response(options),
                        Err(e) => error_response(options, e),
                    };
                    write_response(cb.stream, page).await;
                    return result;
                }
                r = first.accept() => r,
                r = async { match second { Some(s) => s.accept().await, None => std::future::pending().await } } => r,
            };
            let Ok((stream, _)) = accepted else { continue };
            let Ok(permit) = limit.clone().try_acquire_owned() else {
                continue; // dropped: too many connections at once
            };
            let (tx, shared) = (tx.clone(), shared.clone());
            connections.spawn(async move {
                handle_connection(stream, &shared, tx).await;
                drop(permit);
            });
            // Reap finished connection tasks so the set does not grow.
            while connections.try_join_next().is_some() {}
        }
    }
}

struct Shared {
    path: String,
    authority: String,
    fragment: bool,
}

/// A request that may be the authorization response, with its connection (answered once the
/// login is complete).
struct Callback {
    url: String,
    stream: TcpStream,
}

/// An HTTP answer.
struct Page {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn html(status: &'static str, body: String) -> Page {
    Page {
        status,
        headers: vec![("Content-Type", "text/html; charset=utf-8".to_owned())],
        body,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn simple_page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}}</style>\
         </head><body><h1>{t}</h1><p>{x}</p></body></html>",
        t = escape(title),
        x = escape(text)
    )
}

fn success_response(options: &ListenOptions) -> Page {
    match &options.success_page {
        Some(SuccessPage::Html(h)) => html("200 OK", h.clone()),
        Some(SuccessPage::RedirectTo(u)) => Page {
            status: "302 Found",
            headers: vec![("Location", u.clone())],
            body: String::new(),
        },
        None => html(
            "200 OK",
            simple_page(
                options.done_title.unwrap_or("Signed in"),
                "You can close this window and return to the application.",
            ),
        ),
    }
}

fn error_response(_options: &ListenOptions, e: &Error) -> Page {
    html(
        "400 Bad Request",
        simple_page(
            "Sign-in failed",
            &format!("{} You can close this window.", e.message()),
        ),
    )
}

/// The page of the implicit flow: posts the fragment back to the same path as a form, so the
/// browser shows the answer to the POST (the result page, or a redirect).
fn fragment_page() -> Page {
    html(
        "200 OK",
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Signing in…</title></head><body>\
         <noscript>JavaScript is needed to finish signing in.</noscript>\
         <form id=\"f\" method=\"post\"><input type=\"hidden\" name=\"fragment\" id=\"v\"></form>\
         <script>\
         var h=location.hash.slice(1);\
         if(h){history.replaceState(null,'',location.pathname);\
         document.getElementById('v').value=h;document.getElementById('f').submit();}\
         else{document.body.appendChild(document.createTextNode('Nothing to sign in with here.'));}\
         </script></body></html>"
            .to_owned(),
    )
}

async fn write_response(mut stream: TcpStream, page: Page) {
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n",
        page.status,
        page.body.len()
    );
    for (k, v) in &page.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(page.body.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
}

pub(crate) struct Request {
    method: String,
    target: String,
    body: Vec<u8>,
}

/// Reads one request; `None` for garbage, oversize or too slow.
pub(crate) async fn read_request<R: AsyncRead + Unpin>(
    stream: &mut R,
) -> Option<std::result::Result<Request, ()>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return Some(Err(()));
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let Ok(head) = std::str::from_utf8(&buf[..head_end]) else {
        return Some(Err(()));
    };
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next())
    else {
        return Some(Err(()));
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Some(Err(()));
    }
    let mut length = 0usize;
    for line in lines {
        if let Some((k, v)) = line.split_once(':')
            && k.trim().eq_ignore_ascii_case("content-length")
        {
            let Ok(n) = v.trim().parse::<usize>() else {
                return Some(Err(()));
            };
            length = n;
        }
    }
    if length > MAX_BODY {
        return Some(Err(()));
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Ok(Request {
        method: method.to_owned(),
        target: target.to_owned(),
        body,
    }))
}

/// Whether a query looks like an authorization response (and not a probe of the path).
fn is_authorization_response(query: &str) -> bool {
    url::form_urlencoded::parse(query.as_bytes())
        .any(|(k, _)| matches!(k.as_ref(), "state" | "code" | "error"))
}

async fn handle_connection(mut stream: TcpStream, shared: &Shared, tx: mpsc::Sender<Callback>) {
    let request = match tokio::time::timeout(READ_TIMEOUT, read_request(&mut stream)).await {
        Ok(Some(Ok(r))) => r,
        Ok(Some(Err(()))) => {
            write_response(
                stream,
                html("400 Bad Request", simple_page("Bad request", "")),
            )
            .await;
            return;
        }
        // Closed, or too slow: dropped without an answer.
        Ok(None) | Err(_) => return,
    };
    let (path, query) = match request.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (request.target.as_str(), None),
    };
    if path != shared.path {
        write_response(stream, html("404 Not Found", simple_page("Not found", ""))).await;
        return;
    }
    let base = format!("http://{}{}", shared.authority, shared.path);
    let url = match (request.method.as_str(), query) {
        ("GET", Some(q)) if is_authorization_response(q) => format!("{base}?{q}"),
        ("GET", _) if shared.fragment => {
            write_response(stream, fragment_page()).await;
            return;
        }
        ("POST", _) if shared.fragment => {
            let fragment = url::form_urlencoded::parse(&request.body)
                .find(|(k, _)| k == "fragment")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if fragment.is_empty() {
                write_response(
                    stream,
                    html("400 Bad Request", simple_page("Bad request", "")),
                )
                .await;
                return;
            }
            format!("{base}#{fragment}")
        }
        ("GET", _) => {
            write_response(
                stream,
                html(
                    "400 Bad Request",
                    simple_page(
                        "Not an authorization response",
                        "Waiting for the sign-in to finish.",
                    ),
                ),
            )
            .await;
            return;
        }
        _ => {
            write_response(
                stream,
                html(
                    "405 Method Not Allowed",
                    simple_page("Method not allowed", ""),
                ),
            )
            .await;
            return;
        }
    };
    // The login task answers this connection once the login is complete.
    let _ = tx.send(Callback { url, stream }).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(url: &str) -> Result<Listener> {
        crate::transport::http::block_on(Listener::bind(url))
    }

    #[test]
    fn only_http_loopback_hosts() {
        for url in [
            "https://127.0.0.1:0/",
            "http://example.com:0/",
            "http://10.0.0.1:0/",
            "com.example.app:/cb",
        ] {
            assert_eq!(bind(url).unwrap_err().kind(), ErrorKind::Redirect, "{url}");
        }
    }

    #[test]
    fn port_zero_gets_a_real_port_in_the_redirect_uri() {
        let l = bind("http://127.0.0.1:0/cb").unwrap();
        assert_ne!(l.port(), 0);
        assert_eq!(
            l.redirect_uri(),
            format!("http://127.0.0.1:{}/cb", l.port())
        );
        let l = bind("http://localhost:0/").unwrap();
        assert_eq!(l.redirect_uri(), format!("http://localhost:{}/", l.port()));
    }

    #[test]
    fn busy_port_fails_at_once() {
        let l = bind("http://127.0.0.1:0/").unwrap();
        let e = bind(&format!("http://127.0.0.1:{}/", l.port())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Redirect);
    }
}
