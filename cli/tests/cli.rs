//! The `authtoken` program as a user runs it: the built binary, in a fresh home (its own
//! XDG folders, no display, no SSH variables), against the real oidc-provider. The browser is
//! the project's user-playing script as `$BROWSER` (headless chromium); the device flow is
//! approved or refused over HTTP by the support library.

#[path = "../../tests/support/mod.rs"]
mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;
use support::Provider;

const AUTHTOKEN: &str = env!("CARGO_BIN_EXE_authtoken");

/// How the user is played in a real browser when the program runs `$BROWSER <url>`: the one
/// player of every language's tests, as the system browser's stand-in.
const USER_PLAYER_ARGS: &str = "play --as-browser";

/// What no command of these tests may take longer than (a device login polls every 5 s).
const RUN_TIMEOUT: Duration = Duration::from_secs(90);

/// The provider most tests share.
fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start("{}"))
}

fn browser() -> String {
    format!(
        "node {} {USER_PLAYER_ARGS}",
        support::user_player().display()
    )
}

/// A user's home: the profile and state folders, and the environment every run gets.
struct Home {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

/// What a run printed, and how it ended.
#[derive(Debug)]
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn ok(self) -> Run {
        assert_eq!(self.status, 0, "authtoken failed: {self:#?}");
        self
    }

    #[track_caller]
    fn fails_with(self, status: i32) -> Run {
        assert_eq!(self.status, status, "exit status: {self:#?}");
        assert!(
            self.stdout.is_empty(),
            "a failure printed on stdout: {self:#?}"
        );
        assert!(
            self.stderr.contains("authtoken: ") || self.stderr.contains("error: "),
            "no message on stderr: {self:#?}"
        );
        self
    }

    /// stdout as the one line it must be.
    #[track_caller]
    fn line(&self) -> &str {
        let line = self
            .stdout
            .strip_suffix('\n')
            .unwrap_or_else(|| panic!("stdout is not one line: {self:#?}"));
        assert!(!line.contains('\n'), "stdout is not one line: {self:#?}");
        line
    }

    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(self.line()).unwrap_or_else(|e| panic!("not JSON ({e}): {self:#?}"))
    }
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().unwrap();
        let path = |sub: &str| dir.path().join(sub).to_string_lossy().into_owned();
        let env = vec![
            ("PATH".to_owned(), std::env::var("PATH").unwrap_or_default()),
            ("HOME".to_owned(), path("home")),
            ("XDG_CONFIG_HOME".to_owned(), path("config")),
            ("XDG_STATE_HOME".to_owned(), path("state")),
        ];
        let mut home = Home { dir, env };
        if let Ok(chromium) = std::env::var("CHROMIUM") {
            home.set("CHROMIUM", &chromium);
        }
        home
    }

    fn set(&mut self, name: &str, value: &str) -> &mut Home {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    fn unset(&mut self, name: &str) -> &mut Home {
        self.env.retain(|(n, _)| n != name);
        self
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The default store of `profile`.
    fn store(&self, profile: &str) -> PathBuf {
        self.path(&format!("state/authtoken/{profile}.token"))
    }

    /// Writes `$XDG_CONFIG_HOME/authtoken/config.toml`.
    fn profiles(&self, toml: &str) {
        let file = self.path("config/authtoken/config.toml");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, toml).unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(AUTHTOKEN);
        c.args(args)
            .env_clear()
            .envs(self.env.iter().map(|(n, v)| (n, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Runs `authtoken ARGS` to its end (at most RUN_TIMEOUT).
    fn run(&self, args: &[&str]) -> Run {
        let child = self.command(args).spawn().expect("run authtoken");
        finish(child, None)
    }

    /// Starts `authtoken ARGS`, its stderr read line by line while it runs.
    fn start(&self, args: &[&str]) -> Running {
        let mut child = self.command(args).spawn().expect("run authtoken");
        let (tx, rx) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }
}

/// A run in progress.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    /// The first stderr line (from now on) for which `pick` gives something.
    fn wait_for<T>(&mut self, what: &str, pick: impl Fn(&str) -> Option<T>) -> T {
        loop {
            match self.lines.recv_timeout(RUN_TIMEOUT) {
                Ok(line) => {
                    let found = pick(&line);
                    self.seen.push(line);
                    if let Some(found) = found {
                        return found;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("no {what} on stderr; it said:\n{}", self.seen.join("\n"));
                }
            }
        }
    }

    /// The device prompt's verification_uri_complete.
    fn device_url(&mut self) -> String {
        self.wait_for("device prompt", |line| {
            let (_, rest) = line.split_once("(or open ")?;
            Some(rest.strip_suffix(')')?.to_owned())
        })
    }

    fn finish(self) -> Run {
        let Running {
            child, lines, seen, ..
        } = self;
        finish(child, Some((lines, seen)))
    }
}

/// Waits for the child (killing it after RUN_TIMEOUT) and collects its output.
fn finish(mut child: Child, stderr_lines: Option<(Receiver<String>, Vec<String>)>) -> Run {
    let mut stdout = child.stdout.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let err = match stderr_lines {
        None => {
            let mut stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
                s
            })
        }
        Some((lines, mut seen)) => std::thread::spawn(move || {
            seen.extend(lines.iter());
            seen.iter().map(|l| format!("{l}\n")).collect()
        }),
    };
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "authtoken ran longer than {RUN_TIMEOUT:?}; stderr:\n{}",
                err.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        status: status.code().expect("authtoken was killed by a signal"),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// No secret on stderr, ever.
#[track_caller]
fn no_secret_in(runs: &[&Run], secrets: &[&str]) {
    for run in runs {
        for secret in secrets {
            assert!(!run.stderr.contains(secret), "a secret on stderr: {run:#?}");
        }
    }
}

#[cfg(unix)]
#[track_caller]
fn assert_private(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", file.display());
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const CONF_SECRET: &str = "post-secret-123";

/// The test clients accept any loopback port, on this path only.
const INTERACTIVE_REDIRECT: &str = "http://127.0.0.1:0/callback";

/// The interactive client of most tests: conf-post, its secret from the environment.
fn conf_post(home: &mut Home) -> Vec<String> {
    home.set("AUTHTOKEN_CLIENT_SECRET", CONF_SECRET);
    let issuer = &provider().issuer;
    [
        "--issuer",
        issuer,
        "--client-id",
        "conf-post",
        "--scope",
        "openid email profile",
        "--redirect-url",
        INTERACTIVE_REDIRECT,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn with<'a>(command: &'a [&'a str], options: &'a [String]) -> Vec<&'a str> {
    command
        .iter()
        .copied()
        .chain(options.iter().map(String::as_str))
        .collect()
}

#[test]
fn browser_login_then_stored_refreshed_and_revoked() {
    let mut home = Home::new();
    let client = conf_post(&mut home);
    home.set("BROWSER", &browser());
    let store = home.store("default");

    // The first `token` signs in through $BROWSER.
    let first = home.run(&with(&["token"], &client)).ok();
    let t1 = first.line().to_owned();
    assert!(t1.len() >= 20 && !t1.contains(' '), "{first:#?}");
    assert!(
        store.is_file(),
        "the token is stored in {}",
        store.display()
    );
    #[cfg(unix)]
    assert_private(&store);

    // The second prints the same token, with no browser (one that cannot open: any sign-in
    // would fail) and no provider needed.
    home.set("BROWSER", "/bin/false");
    let second = home.run(&with(&["token"], &client)).ok();
    assert_eq!(second.line(), t1);

    let header = home.run(&with(&["header"], &client)).ok();
    assert_eq!(header.line(), format!("Bearer {t1}"));

    let status = home.run(&["status"]).ok().json();
    assert_eq!(status["valid"], true, "{status}");
    assert_eq!(status["has_refresh_token"], true, "{status}");
    assert_eq!(status["token_type"], "Bearer");
    assert!(
        status["scope"].as_str().unwrap().contains("email"),
        "{status}"
    );
    let expires_at = status["expires_at"].as_i64().unwrap();
    assert!(
        expires_at > authtoken_core::clock::unix_now() + 3000,
        "{status}"
    );

    let whoami = home.run(&with(&["whoami"], &client)).ok();
    let claims = whoami.json();
    assert_eq!(claims["sub"], "alice", "{claims}");
    assert_eq!(claims["email"], "alice@example.com", "{claims}");

    // A token that cannot last --min-valid is refreshed (what expiry does to the default 60 s),
    // without a browser, and the new one stored.
    let refreshes = provider().refresh_count();
    let third = home
        .run(&with(&["token", "--min-valid", "7200"], &client))
        .ok();
    let t2 = third.line().to_owned();
    assert_ne!(t2, t1, "a refresh gives a new access token");
    assert_eq!(provider().refresh_count(), refreshes + 1);
    assert_eq!(
        home.run(&["token"]).ok().line(),
        t2,
        "the refreshed token was stored"
    );

    let introspection = home.run(&with(&["introspect"], &client)).ok().json();
    assert_eq!(introspection["active"], true, "{introspection}");
    assert_eq!(introspection["client_id"], "conf-post", "{introspection}");

    // `logout` revokes and removes.
    let revocations = provider().stats()["revocation"].as_u64().unwrap();
    let logout = home.run(&with(&["logout"], &client)).ok();
    assert!(logout.stdout.is_empty());
    assert!(!store.exists(), "the store is deleted");
    assert!(provider().stats()["revocation"].as_u64().unwrap() > revocations);
    assert_eq!(home.run(&["status"]).ok().json()["valid"], false);
    // Revoked at the provider: the old access token is inactive.
    let token = authtoken_core::Token::import(
        Some(
            &authtoken_core::Params::new(authtoken_core::Kind::OpenId)
                .with(
                    authtoken_core::ParamOption::ConfigurationUrl,
                    &provider().issuer,
                )
                .unwrap()
                .with(authtoken_core::ParamOption::ClientId, "conf-post")
                .unwrap()
                .with(authtoken_core::ParamOption::ClientSecret, CONF_SECRET)
                .unwrap(),
        ),
        &serde_json::json!({"access_token": t2, "token_type": "Bearer"}).to_string(),
    )
    .unwrap();
    let answer: Value = serde_json::from_str(&authtoken_core::introspect(&token).unwrap()).unwrap();
    assert_eq!(answer["active"], false, "{answer}");

    no_secret_in(
        &[&first, &second, &header, &whoami, &third, &logout],
        &[&t1, &t2, CONF_SECRET],
    );
}

#[test]
fn device_login_approved_over_http_and_a_stored_token_needs_no_provider() {
    // A provider of its own: this test stops it.
    let own = Provider::start("{}");
    let mut home = Home::new();
    home.set("AUTHTOKEN_CLIENT_SECRET", CONF_SECRET);
    let client = [
        "--issuer",
        own.issuer.as_str(),
        "--client-id",
        "conf-post",
        "--scope",
        "openid email",
    ];
    let mut login = home.start(&[&["login", "--device"][..], &client].concat());
    let url = login.device_url();
    support::device_login_over_http(&url, true);
    let login = login.finish().ok();
    assert!(
        login.stdout.is_empty(),
        "login prints nothing on stdout: {login:#?}"
    );
    assert!(login.stderr.contains("Signed in as alice"), "{login:#?}");
    #[cfg(unix)]
    assert_private(&home.store("default"));

    let token = home.run(&["token"]).ok().line().to_owned();

    // A refresh token used twice (the provider rotates them) is refused: 7, sign in again.
    let before = std::fs::read(home.store("default")).unwrap();
    home.run(&["refresh"]).ok();
    let after_refresh = home.run(&["token"]).ok().line().to_owned();
    assert_ne!(after_refresh, token, "refresh stored a new token");
    std::fs::write(home.store("default"), &before).unwrap();
    home.run(&["refresh"]).fails_with(7);

    // The provider stops: what is stored and valid is still served, without network.
    drop(own);
    assert_eq!(home.run(&["token"]).ok().line(), token);
    assert_eq!(home.run(&["header"]).ok().line(), format!("Bearer {token}"));
    let status = home.run(&["status"]).ok().json();
    assert_eq!(status["valid"], true, "{status}");
    assert_eq!(status["has_refresh_token"], true, "{status}");
    // What needs the provider says so: 3.
    home.run(&["whoami"]).fails_with(3);
    home.run(&["refresh"]).fails_with(3);
}

#[test]
fn no_browser_falls_back_to_the_device_flow() {
    let mut home = Home::new();
    let client = conf_post(&mut home);
    home.unset("BROWSER");
    let mut login = home.start(&with(&["login"], &client));
    let url = login.device_url();
    support::device_login_over_http(&url, true);
    let login = login.finish().ok();
    assert!(
        login
            .stderr
            .contains("No browser can be opened here (no $BROWSER and no display): signing in with the device flow."),
        "{login:#?}"
    );
    assert_eq!(home.run(&["status"]).ok().json()["valid"], true);
}

#[test]
fn no_browser_and_no_device_flow_shows_the_url_and_waits() {
    let mut home = Home::new();
    home.set("AUTHTOKEN_CLIENT_SECRET", CONF_SECRET);
    home.unset("BROWSER");
    let p = provider();
    // OAuth 2.0 endpoints without discovery: no device endpoint is known.
    let (auth, token) = (p.authorization_endpoint(), p.token_endpoint());
    let mut login = home.start(&[
        "login",
        "--auth-url",
        &auth,
        "--token-url",
        &token,
        "--client-id",
        "conf-post",
        "--scope",
        "openid",
        "--redirect-url",
        INTERACTIVE_REDIRECT,
    ]);
    let url = login.wait_for("authorization URL", |line| {
        line.starts_with(&auth).then(|| line.to_owned())
    });
    login.wait_for("port-forwarding hint", |line| {
        line.contains("ssh -L").then_some(())
    });
    // The user opens it elsewhere; the browser comes back to the loopback listener.
    let redirect = support::login_over_http(&url);
    support::follow_redirect(&redirect).expect("the listener answers");
    let login = login.finish().ok();
    assert!(
        login.stderr.contains("no $BROWSER and no display")
            && login.stderr.contains("no device flow"),
        "{login:#?}"
    );
    assert_eq!(home.run(&["status"]).ok().json()["valid"], true);
}

#[test]
fn a_browser_that_fails_to_open_leaves_the_url_on_stderr() {
    let mut home = Home::new();
    let client = conf_post(&mut home);
    home.set("BROWSER", "/bin/false");
    let mut login = home.start(&with(&["login"], &client));
    let url = login.wait_for("authorization URL", |line| {
        let (_, url) = line.split_once("open this URL to sign in: ")?;
        Some(url.to_owned())
    });
    let redirect = support::login_over_http(&url);
    support::follow_redirect(&redirect).expect("the listener answers");
    let login = login.finish().ok();
    assert!(login.stderr.contains("/bin/false"), "{login:#?}");
    assert_eq!(home.run(&["status"]).ok().json()["valid"], true);
}

#[test]
fn a_forged_redirect_is_a_state_mismatch() {
    let mut home = Home::new();
    home.set("AUTHTOKEN_CLIENT_SECRET", CONF_SECRET);
    let p = provider();
    let auth = p.authorization_endpoint();
    let token = p.token_endpoint();
    let mut login = home.start(&[
        "login",
        "--auth-url",
        &auth,
        "--token-url",
        &token,
        "--client-id",
        "conf-post",
        "--redirect-url",
        INTERACTIVE_REDIRECT,
    ]);
    let url = login.wait_for("authorization URL", |line| {
        line.starts_with(&auth).then(|| line.to_owned())
    });
    let redirect_uri = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    // Someone else's answer reaches the listener first.
    support::follow_redirect(&format!("{redirect_uri}?code=forged&state=forged"));
    let forged = login.finish().fails_with(11);
    assert!(
        !home.store("default").exists(),
        "nothing stored: {forged:#?}"
    );
}

/// The service client of server.mjs (client_credentials, basic).
fn service_profiles(home: &Home, extra: &str) {
    home.profiles(&format!(
        "[profile.svc]\nissuer = \"{}\"\nclient_id = \"service\"\nclient_auth = \"basic\"\nflow = \"client_credentials\"\nscope = \"api:read\"\n{extra}",
        provider().issuer
    ));
}

const SERVICE_SECRET: &str = "service-secret-123";

#[test]
fn client_credentials_profile_with_the_secret_from_the_environment() {
    let mut home = Home::new();
    service_profiles(&home, "");
    home.set("AUTHTOKEN_CLIENT_SECRET", SERVICE_SECRET);
    let run = home.run(&["--profile", "svc", "token"]).ok();
    assert!(!run.line().is_empty());
    assert!(
        home.store("svc").is_file(),
        "stored under the profile's name"
    );
    let status = home.run(&["status", "--profile", "svc"]).ok().json();
    assert_eq!(status["scope"], "api:read", "{status}");
    assert_eq!(status["has_refresh_token"], false, "{status}");
    // No refresh token: 2.
    home.run(&["refresh", "--profile", "svc"]).fails_with(2);

    // Precedence: the command line over the environment over the profile (each run on a store
    // of its own, so that each signs in).
    let store = |name: &str| home.path(name).to_string_lossy().into_owned();
    let (a, b, c) = (store("a"), store("b"), store("c"));
    service_profiles(&home, "client_secret = \"wrong-in-file\"\n");
    home.run(&["token", "--profile", "svc", "--store", &a]).ok();
    let wrong = home.run(&[
        "token",
        "--profile",
        "svc",
        "--store",
        &b,
        "--client-secret",
        "wrong-on-the-line",
    ]);
    let wrong = wrong.fails_with(8);
    home.unset("AUTHTOKEN_CLIENT_SECRET");
    let from_file = home.run(&["token", "--profile", "svc", "--store", &c]);
    let from_file = from_file.fails_with(8);
    no_secret_in(
        &[&run, &wrong, &from_file],
        &[SERVICE_SECRET, "wrong-on-the-line", "wrong-in-file"],
    );
}

#[test]
fn exit_statuses() {
    let mut home = Home::new();
    let p = provider();

    // Usage errors: 1.
    home.run(&["frobnicate"]).fails_with(1);
    home.run(&["token", "--no-such-option"]).fails_with(1);
    home.run(&[]).fails_with(1);
    home.run(&["token", "--flow", "sideways"]).fails_with(1);
    service_profiles(&home, "");
    let unknown = home.run(&["--profile", "nope", "token"]).fails_with(1);
    assert!(
        unknown.stderr.contains("no profile 'nope'") && unknown.stderr.contains("svc"),
        "{unknown:#?}"
    );
    home.profiles("[profile.default]\nclient_idd = \"typo\"\n");
    let typo = home.run(&["token"]).fails_with(1);
    assert!(typo.stderr.contains("client_idd"), "{typo:#?}");
    service_profiles(&home, "");
    // The core's checks name the flags.
    let http = home.run(&[
        "token",
        "--issuer",
        "http://idp.example.com",
        "--client-id",
        "x",
    ]);
    let http = http.fails_with(1);
    assert!(http.stderr.contains("--issuer"), "{http:#?}");

    // A profile file named but missing: 16.
    home.run(&["--config", "/nonexistent/authtoken.toml", "status"])
        .fails_with(16);

    // Unreachable issuer: 3.
    let unreachable = format!("http://127.0.0.1:{}", closed_port());
    home.run(&["token", "--issuer", &unreachable, "--client-id", "x"])
        .fails_with(3);

    // An issuer that accepts connections and never answers, with --timeout 1: 4.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    home.run(&[
        "token",
        "--issuer",
        &silent_url,
        "--client-id",
        "x",
        "--timeout",
        "1",
    ])
    .fails_with(4);

    // Not an OpenID issuer (no discovery document there): 5.
    let nothing = format!("{}/nothing-here", p.issuer);
    home.run(&["token", "--issuer", &nothing, "--client-id", "x"])
        .fails_with(5);

    // A scope the client may not have (the provider knows it, the client is not allowed it):
    // invalid_scope, an OAuth error without a code of its own: 6.
    home.set("AUTHTOKEN_CLIENT_SECRET", SERVICE_SECRET);
    let scope = home.run(&["--profile", "svc", "token", "--scope", "email"]);
    assert!(scope.fails_with(6).stderr.contains("invalid_scope"));

    // Wrong secret: 8.
    home.set("AUTHTOKEN_CLIENT_SECRET", "not-the-secret");
    let wrong = home.run(&["--profile", "svc", "token"]).fails_with(8);
    assert!(wrong.stderr.contains("invalid_client"), "{wrong:#?}");
    home.set("AUTHTOKEN_CLIENT_SECRET", SERVICE_SECRET);

    // The redirect port is taken: 13.
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!(
        "http://127.0.0.1:{}/callback",
        busy.local_addr().unwrap().port()
    );
    home.set("BROWSER", "/bin/false");
    home.run(&[
        "login",
        "--issuer",
        &p.issuer,
        "--client-id",
        "public-app",
        "--redirect-url",
        &redirect,
    ])
    .fails_with(13);

    // A token that cannot be stored (the store's folder would be under a file): 16.
    let file = home.path("a-file");
    std::fs::write(&file, "").unwrap();
    let under_file = file.join("x.token");
    let io = home.run(&[
        "--profile",
        "svc",
        "login",
        "--store",
        under_file.to_str().unwrap(),
    ]);
    io.fails_with(16);

    // No device endpoint (OAuth 2.0 without discovery): 17.
    home.run(&[
        "login",
        "--device",
        "--auth-url",
        &p.authorization_endpoint(),
        "--token-url",
        &p.token_endpoint(),
        "--client-id",
        "conf-post",
    ])
    .fails_with(17);

    // Nothing stored: nothing to refresh (2), nothing to introspect (1), nothing to sign out
    // of (fine).
    home.run(&["refresh"]).fails_with(2);
    home.run(&["introspect"]).fails_with(1);
    home.run(&["logout"]).ok();
}

#[test]
fn a_refused_device_login_is_access_denied() {
    let mut home = Home::new();
    let client = conf_post(&mut home);
    let mut login = home.start(&with(&["login", "--device"], &client));
    let url = login.device_url();
    support::device_login_over_http(&url, false);
    let denied = login.finish().fails_with(9);
    assert!(
        !home.store("default").exists(),
        "nothing stored: {denied:#?}"
    );
}

#[test]
fn help_for_every_command_with_an_example_and_completions() {
    let home = Home::new();
    let top = home.run(&["--help"]).ok();
    assert!(top.stdout.contains("Exit status"), "{top:#?}");
    for command in [
        "login",
        "token",
        "header",
        "whoami",
        "status",
        "refresh",
        "introspect",
        "logout",
        "completions",
    ] {
        let help = home.run(&[command, "--help"]).ok();
        assert!(
            help.stdout.contains("Example"),
            "{command} --help has no example: {help:#?}"
        );
        assert!(help.stderr.is_empty());
    }
    for (shell, mark) in [
        ("bash", "complete -F _authtoken"),
        ("zsh", "#compdef authtoken"),
        ("fish", "complete -c authtoken"),
    ] {
        let script = home.run(&["completions", shell]).ok();
        assert!(script.stdout.contains(mark), "{shell}: {script:#?}");
        assert!(script.stdout.contains("min-valid"), "{shell}");
    }
}
