//! A real `redis-server` (Debian's package) for the store tests: started on a free loopback
//! port with its own configuration and folder (no persistence, no system service), stopped by
//! its PID when dropped. `scripts/setup` installs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// What `scripts/setup` installs; a missing server is a failure, never a skip.
fn binary() -> PathBuf {
    for p in ["/usr/bin/redis-server", "/usr/local/bin/redis-server"] {
        if std::path::Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("redis-server is missing: run scripts/setup (it installs Debian's redis-server)");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl RedisServer {
    pub fn start() -> RedisServer {
        // Another process may take the port between our look and redis's bind: try again.
        for _ in 0..5 {
            let mut server = RedisServer {
                port: free_port(),
                dir: tempfile::tempdir().expect("a folder for redis"),
                child: None,
            };
            if server.spawn() {
                return server;
            }
        }
        panic!("redis-server did not start on a free port (5 tries)");
    }

    /// `redis://127.0.0.1:PORT/?key=KEY` plus `extra` query parameters (e.g. `&lease=2`).
    pub fn url(&self, key: &str, extra: &str) -> String {
        format!("redis://127.0.0.1:{}/?key={key}{extra}", self.port)
    }

    fn spawn(&mut self) -> bool {
        let conf = self.dir.path().join("redis.conf");
        std::fs::write(
            &conf,
            format!(
                "port {}\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\nsave \"\"\n\
                 appendonly no\ndir {}\nlogfile \"\"\nloglevel warning\n",
                self.port,
                self.dir.path().display()
            ),
        )
        .expect("redis.conf");
        let mut child = Command::new(binary())
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("redis-server runs");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = child.try_wait() {
                let mut out = String::new();
                if let Some(mut e) = child.stdout.take() {
                    let _ = e.read_to_string(&mut out);
                }
                eprintln!("redis-server exited at start: {out}");
                return false;
            }
            if self.command(&["PING"]).is_some_and(|r| r == "+PONG") {
                // Drain its output so that a full pipe never blocks it.
                for pipe in [
                    child
                        .stdout
                        .take()
                        .map(|p| Box::new(p) as Box<dyn Read + Send>),
                    child
                        .stderr
                        .take()
                        .map(|p| Box::new(p) as Box<dyn Read + Send>),
                ]
                .into_iter()
                .flatten()
                {
                    std::thread::spawn(move || for _ in BufReader::new(pipe).lines() {});
                }
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Stops the server (SIGKILL by PID): its data is gone, as in a crash.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        let started = Instant::now();
        while !self.spawn() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "redis-server did not restart on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One command in RESP over a fresh connection; the first line of the answer (`+OK`,
    /// `$5`…), or the bulk string's value for `$` answers. None when nothing answers.
    pub fn command(&self, args: &[&str]) -> Option<String> {
        self.command_bytes(args)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    pub fn command_bytes(&self, args: &[&str]) -> Option<Vec<u8>> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.raw(&args)
    }

    /// `SET key value` with binary value.
    pub fn set(&self, key: &str, value: &[u8]) {
        assert_eq!(
            self.raw(&[b"SET", key.as_bytes(), value]).as_deref(),
            Some(&b"+OK"[..])
        );
    }

    /// `GET key`: None when absent.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.raw(&[b"GET", key.as_bytes()]).filter(|v| v != b"$-1")
    }

    fn raw(&self, args: &[&[u8]]) -> Option<Vec<u8>> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut req = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a);
            req.extend_from_slice(b"\r\n");
        }
        s.write_all(&req).ok()?;
        let mut r = BufReader::new(s);
        let mut line = String::new();
        r.read_line(&mut line).ok()?;
        let line = line.trim_end().to_owned();
        if let Some(n) = line.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
            let mut body = vec![0; n + 2];
            r.read_exact(&mut body).ok()?;
            body.truncate(n);
            return Some(body);
        }
        Some(line.into_bytes())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
