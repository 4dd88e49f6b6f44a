//! The Secret Service for the keyring tests: a private D-Bus session (`dbus-run-session`) with
//! its own `gnome-keyring-daemon`, unlocked, its keyrings in a temporary folder; never the
//! user's session bus nor their keyring.
//!
//! A test calls [`inside_private_session`] first: in the test process it re-executes that one
//! test of this binary under `dbus-run-session` and checks that it passed (its output is shown,
//! without its closing line, so the total counts the test once); inside, it starts the daemon
//! and the test goes on. A missing program is a failure that says what `scripts/setup`
//! installs, never a skip.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSIDE: &str = "AUTHTOKEN_PRIVATE_DBUS";

/// The keyring daemon of the private session, killed by PID when dropped.
pub struct PrivateKeyring {
    daemon: Child,
    _data: tempfile::TempDir,
}

fn require(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{program} is missing: run scripts/setup (it installs Debian's {package})"
    );
}

/// `None` in the test process (the test ran, and passed, in a private session); `Some` inside
/// that session, with the keyring running and unlocked.
pub fn inside_private_session(test: &str) -> Option<PrivateKeyring> {
    require("dbus-run-session", "dbus");
    require("dbus-send", "dbus");
    require("gnome-keyring-daemon", "gnome-keyring");
    require("secret-tool", "libsecret-tools");
    if std::env::var_os(INSIDE).is_some() {
        return Some(PrivateKeyring::start());
    }
    let out = Command::new("dbus-run-session")
        .arg("--")
        .arg(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .stdin(Stdio::null())
        .output()
        .expect("dbus-run-session runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let shown = |text: &str| {
        text.lines()
            .filter(|l| !l.contains("test result:"))
            .map(|l| format!("  [private session] {l}\n"))
            .collect::<String>()
    };
    eprint!(
        "{}{}",
        shown(&stdout),
        shown(&String::from_utf8_lossy(&out.stderr))
    );
    assert!(
        out.status.success(),
        "the test failed in its private D-Bus session"
    );
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "the test did not run in its private D-Bus session"
    );
    None
}

impl PrivateKeyring {
    fn start() -> PrivateKeyring {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "no private session bus"
        );
        let data = tempfile::tempdir().expect("a folder for the keyrings");
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("XDG_DATA_HOME", data.path())
            .env("HOME", data.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs");
        // The login keyring's password, then end of input: created and unlocked with it.
        let mut stdin = daemon.stdin.take().expect("stdin");
        stdin.write_all(b"authtoken-test").expect("password");
        drop(stdin);
        let started = Instant::now();
        loop {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--dest=org.freedesktop.DBus",
                    "--type=method_call",
                    "--print-reply",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .expect("dbus-send runs");
            if String::from_utf8_lossy(&owned.stdout).contains("boolean true") {
                break;
            }
            if let Ok(Some(status)) = daemon.try_wait() {
                panic!("gnome-keyring-daemon exited at start: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "gnome-keyring-daemon did not take org.freedesktop.secrets"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        PrivateKeyring {
            daemon,
            _data: data,
        }
    }

    /// `secret-tool lookup service SERVICE username ACCOUNT`: the secret, or None.
    pub fn lookup(&self, service: &str, account: &str) -> Option<Vec<u8>> {
        let out = Command::new("secret-tool")
            .args(["lookup", "service", service, "username", account])
            .output()
            .expect("secret-tool runs");
        (out.status.success() && !out.stdout.is_empty()).then_some(out.stdout)
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
