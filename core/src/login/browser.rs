//! The system browser (`$BROWSER`, then the platform's opener) and a device prompt on standard
//! error: the [`UserAgent`] of parameters that set none.

use crate::config::{DevicePrompt, Params, UserAgent};
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at, redact_url};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The system browser, and a device prompt on standard error.
#[derive(Debug, Clone, Default)]
pub struct SystemBrowser;

impl UserAgent for SystemBrowser {
    fn open_url(&self, url: &str) -> Result<()> {
        open_in_browser(url, std::env::var("BROWSER").ok().as_deref())
    }

    fn device_prompt(&self, p: &DevicePrompt) -> Result<()> {
        let complete = if p.verification_uri_complete.is_empty() {
            String::new()
        } else {
            format!(" (or open {})", p.verification_uri_complete)
        };
        eprintln!(
            "To sign in, open {} and enter the code {}{complete}",
            p.verification_uri, p.user_code
        );
        Ok(())
    }

    fn notice(&self, message: &str) {
        eprintln!("{message}");
    }
}

/// The user agent of `params`: theirs, or the system browser.
pub(crate) fn agent_of(params: &Params) -> &dyn UserAgent {
    params.user_agent().unwrap_or(&SystemBrowser)
}

/// The platform's openers, tried after `$BROWSER`.
fn platform_openers() -> &'static [&'static [&'static str]] {
    if cfg!(target_os = "macos") {
        &[&["open"]]
    } else if cfg!(windows) {
        &[&["cmd", "/C", "start", ""]]
    } else {
        &[&["xdg-open"], &["gio", "open"], &["sensible-browser"]]
    }
}

/// How long a launcher may take to fail before it counts as having opened the browser (a
/// browser started directly by `$BROWSER` runs until closed, so it is never waited for).
const LAUNCH_GRACE: Duration = Duration::from_millis(1500);

/// Runs one opener: started, and not failed within the grace period.
fn try_open(program: &str, args: &[&str], url: &str) -> std::result::Result<(), String> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().map_err(|e| format!("{program}: {e}"))?;
    let started = Instant::now();
    while started.elapsed() < LAUNCH_GRACE {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("{program} exited with {status}")),
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("{program}: {e}")),
        }
    }
    // Still running: a browser, or a launcher waiting on one. Reap it in the background.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// Opens `url` with `$BROWSER` (`browser_var`, a `:`-separated list whose entries may hold
/// `%s`), then the platform's openers. Nothing worked: Browser, with the URL in the message so
/// the user can open it by hand.
pub fn open_in_browser(url: &str, browser_var: Option<&str>) -> Result<()> {
    open_with(url, browser_var, platform_openers())
}

fn open_with(url: &str, browser_var: Option<&str>, openers: &[&[&str]]) -> Result<()> {
    let mut failures = Vec::new();
    for entry in browser_var
        .unwrap_or("")
        .split(':')
        .filter(|s| !s.trim().is_empty())
    {
        let words: Vec<&str> = entry.split_whitespace().collect();
        let (program, rest) = words.split_first().expect("non-empty entry");
        let result = if rest.iter().any(|w| w.contains("%s")) {
            let args: Vec<String> = rest.iter().map(|w| w.replace("%s", url)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // The URL is already among the arguments: run without appending it again.
            try_open_exact(program, &args)
        } else {
            try_open(program, rest, url)
        };
        match result {
            Ok(()) => {
                log_at!(Level::Info, "opened {} with {program}", redact_url(url));
                return Ok(());
            }
            Err(e) => failures.push(e),
        }
    }
    for opener in openers {
        let (program, args) = opener.split_first().expect("non-empty opener");
        match try_open(program, args, url) {
            Ok(()) => {
                log_at!(Level::Info, "opened {} with {program}", redact_url(url));
                return Ok(());
            }
            Err(e) => failures.push(e),
        }
    }
    Err(Error::new(
        ErrorKind::Browser,
        format!(
            "no browser could be opened ({}); open this URL to sign in: {url}",
            failures.join("; ")
        ),
    ))
}

fn try_open_exact(program: &str, args: &[&str]) -> std::result::Result<(), String> {
    // try_open appends the URL; here it is in `args` already, so pass the last one as "url".
    match args.split_last() {
        Some((last, init)) => try_open(program, init, last),
        None => Err(format!("{program}: no arguments")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_browser_gives_browser_error_with_the_url() {
        let url = "http://127.0.0.1:9/authorize?x=1";
        let e = open_with(
            url,
            Some("/bin/false:/nonexistent/browser"),
            &[&["/nonexistent/xdg-open"]],
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Browser);
        assert!(e.message().contains(url), "{}", e.message());
        assert!(e.message().contains("/bin/false"));
    }

    #[test]
    fn browser_variable_is_used_with_and_without_placeholder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("seen");
        let script = dir.path().join("b.sh");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"$1\" > {}\n", out.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let url = "http://127.0.0.1:9/a?b=c";
        open_in_browser(url, Some(&format!("/bin/false:{}", script.display()))).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap().trim(), url);
        std::fs::remove_file(&out).unwrap();
        open_in_browser(url, Some(&format!("{} %s", script.display()))).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap().trim(), url);
    }
}
