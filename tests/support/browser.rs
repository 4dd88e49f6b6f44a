//! Shared by the login tests: a local oidc-provider (tests/provider/server.mjs) and a real
//! browser playing the user (tests/support/user.mjs in its chromium mode: Debian chromium
//! through playwright-core), both started once per test binary and ended when it exits (their
//! stdin closes).

use super as common;

use authtoken_core::config::{DevicePrompt, UserAgent};
use authtoken_core::error::{Error, ErrorKind, Result};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// tests/support: the player of the user (user.mjs).
pub fn browser_dir() -> PathBuf {
    common::workspace_root().join("tests/support")
}

/// Installs the node modules of tests/provider (oidc-provider, playwright-core) when missing.
fn ensure_node_modules() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = common::provider_dir();
        if !dir.join("node_modules/oidc-provider").exists()
            || !dir.join("node_modules/playwright-core").exists()
        {
            let ok = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&dir)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "npm ci in tests/provider failed");
        }
    });
}

/// A node process we talk to by lines; it exits when its stdin closes.
struct NodeProcess {
    _child: Child,
    stdin: Mutex<ChildStdin>,
}

fn spawn_node(args: &[&str]) -> (NodeProcess, BufReader<std::process::ChildStdout>) {
    ensure_node_modules();
    let mut child = Command::new("node")
        .args(args)
        .current_dir(browser_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start node {args:?}: {e}"));
    let stdin = child.stdin.take().unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    (
        NodeProcess {
            _child: child,
            stdin: Mutex::new(stdin),
        },
        stdout,
    )
}

/// Reads lines until one is a JSON object.
fn first_json(out: &mut BufReader<std::process::ChildStdout>) -> Value {
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).expect("read from node");
        assert!(n > 0, "node exited before it was ready");
        if line.trim_start().starts_with('{') {
            return serde_json::from_str(line.trim()).expect("JSON line");
        }
    }
}

pub struct ProviderInfo {
    pub issuer: String,
    /// The fixed port of the `web-silent` client's redirect URI.
    pub silent_port: u16,
    _provider: common::Provider,
}

/// The shared test provider (tests/provider/server.mjs) with one more client, `web-silent`: a
/// web (not native) client, so a second login in the same browser may be silent, whose
/// redirect URI is on a fixed port.
pub fn provider() -> &'static ProviderInfo {
    static P: OnceLock<ProviderInfo> = OnceLock::new();
    P.get_or_init(|| {
        ensure_node_modules();
        let silent_port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = json!({
            "extraClients": [{
                "client_id": "web-silent",
                "client_secret": "web-secret-0123456789",
                "token_endpoint_auth_method": "client_secret_post",
                "redirect_uris": [format!("http://127.0.0.1:{silent_port}/silent")],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
            }]
        });
        let p = common::Provider::start(&config.to_string());
        ProviderInfo {
            issuer: p.issuer.clone(),
            silent_port,
            _provider: p,
        }
    })
}

type Waiters = Arc<Mutex<HashMap<u64, Sender<Value>>>>;

/// The player in chromium (`user.mjs serve --mode browser`, started on first use).
pub struct Driver {
    process: NodeProcess,
    waiters: Waiters,
    next: Mutex<u64>,
}

pub fn driver() -> &'static Driver {
    static D: OnceLock<Driver> = OnceLock::new();
    D.get_or_init(|| {
        assert!(
            Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some(),
            "the browser tests need Debian chromium: apt-get install -y chromium"
        );
        let (process, mut out) = spawn_node(&["user.mjs", "serve", "--mode", "browser"]);
        let ready = first_json(&mut out);
        assert_eq!(ready["ready"], true);
        let waiters: Waiters = Arc::default();
        let w = waiters.clone();
        std::thread::spawn(move || {
            for line in out.lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if let Some(id) = v["id"].as_u64()
                    && let Some(tx) = w.lock().unwrap().remove(&id)
                {
                    let _ = tx.send(v);
                }
            }
        });
        Driver {
            process,
            waiters,
            next: Mutex::new(0),
        }
    })
}

/// What the browser did for one URL.
pub struct Visit(Receiver<Value>);

impl Visit {
    /// The driver's report: {ok, final, text, ms}.
    pub fn wait(&self) -> Value {
        self.0
            .recv_timeout(Duration::from_secs(60))
            .expect("the browser driver did not finish in 60 s")
    }
}

impl Driver {
    /// Sends the browser to `url`; `action` is approve, deny or visit.
    pub fn visit(&self, url: &str, action: &str, session: Option<&str>) -> Visit {
        let id = {
            let mut n = self.next.lock().unwrap();
            *n += 1;
            *n
        };
        let (tx, rx) = channel();
        self.waiters.lock().unwrap().insert(id, tx);
        let mut cmd = json!({"id": id, "url": url, "action": action});
        if let Some(s) = session {
            cmd["session"] = json!(s);
        }
        let mut stdin = self.process.stdin.lock().unwrap();
        writeln!(stdin, "{cmd}").expect("write to the browser driver");
        stdin.flush().unwrap();
        Visit(rx)
    }
}

/// A user agent that hands every URL to the real browser, and keeps what it saw.
pub struct BrowserUser {
    pub action: &'static str,
    pub session: Option<String>,
    pub visits: Mutex<Vec<Visit>>,
    pub urls: Mutex<Vec<String>>,
    pub prompts: Mutex<Vec<DevicePrompt>>,
}

impl BrowserUser {
    pub fn new(action: &'static str) -> BrowserUser {
        BrowserUser {
            action,
            session: None,
            visits: Mutex::default(),
            urls: Mutex::default(),
            prompts: Mutex::default(),
        }
    }
    pub fn in_session(mut self, name: &str) -> BrowserUser {
        self.session = Some(name.to_owned());
        self
    }
    /// The driver's report of the last visit.
    pub fn last_report(&self) -> Value {
        self.visits
            .lock()
            .unwrap()
            .pop()
            .expect("the browser was never sent anywhere")
            .wait()
    }
}

impl UserAgent for BrowserUser {
    fn open_url(&self, url: &str) -> Result<()> {
        self.urls.lock().unwrap().push(url.to_owned());
        let v = driver().visit(url, self.action, self.session.as_deref());
        self.visits.lock().unwrap().push(v);
        Ok(())
    }
    fn device_prompt(&self, p: &DevicePrompt) -> Result<()> {
        self.prompts.lock().unwrap().push(p.clone());
        if p.verification_uri_complete.is_empty() {
            return Err(Error::new(
                ErrorKind::Internal,
                "no verification_uri_complete",
            ));
        }
        self.open_url(&p.verification_uri_complete)
    }
}
