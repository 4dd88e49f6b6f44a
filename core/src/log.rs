//! Logging: off unless a sink is installed (the C layer installs the host's callback). Messages
//! are built only when their level is wanted, and never contain secrets: URLs go through
//! [`redact_url`] first.

use std::sync::RwLock;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
}

type Sink = Box<dyn Fn(Level, &str) + Send + Sync>;

static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Installs (or with `None` removes) the sink and the most verbose level it wants.
pub fn set_sink(sink: Option<Sink>, max_level: u8) {
    let mut guard = SINK.write().unwrap_or_else(|e| e.into_inner());
    let level = if sink.is_some() {
        max_level.min(Level::Debug as u8)
    } else {
        0
    };
    *guard = sink;
    MAX_LEVEL.store(level, Ordering::Release);
}

pub fn enabled(level: Level) -> bool {
    (level as u8) <= MAX_LEVEL.load(Ordering::Acquire)
}

/// Sends a message built by `make` when `level` is enabled.
pub fn log_with(level: Level, make: impl FnOnce() -> String) {
    if !enabled(level) {
        return;
    }
    let message = make();
    let guard = SINK.read().unwrap_or_else(|e| e.into_inner());
    if let Some(sink) = guard.as_ref() {
        sink(level, &message);
    }
}

#[allow(unused_macros)]
macro_rules! log_at {
    ($level:expr, $($arg:tt)+) => {
        $crate::log::log_with($level, || format!($($arg)+))
    };
}
#[allow(unused_imports)]
pub(crate) use log_at;

/// Query and fragment parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &[
    "code",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code_verifier",
    "assertion",
    "client_assertion",
    "token",
    "password",
    "id_token_hint",
    "state",
    "nonce",
    "device_code",
    "user_code",
];

/// The URL with the values of secret query parameters and any user:password replaced by
/// `[redacted]`, for log lines.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "[unparsable URL]".to_owned();
    };
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("[redacted]");
        let _ = url.set_password(None);
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if SECRET_PARAMS.contains(&k.as_ref()) {
                    "[redacted]".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    if url.fragment().is_some() {
        url.set_fragment(Some("[redacted]"));
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_urls_are_redacted() {
        let r =
            redact_url("https://u:p@idp.example/cb?code=abc&state=xyz&scope=openid#access_token=t");
        assert!(
            !r.contains("abc") && !r.contains("xyz") && !r.contains(":p@") && !r.contains("=t")
        );
        assert!(r.contains("scope=openid"));
    }
}
