//! Logging: off unless a sink is installed (the C layer installs the host's callback). Messages
//! are built only when their level is wanted, and never contain secrets: URLs go through
//! [`redact_url`] first.
//!
//! A thread may have a sink of its own ([`set_thread_sink`]): the messages logged on that
//! thread go to it instead of the process's. Language runtimes need this when a callback may
//! only run on the thread that made it (Node's worker threads).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
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

/// What a thread's own sink is given as: it stays on that thread, so it need not be `Send`.
pub type LocalSink = Box<dyn Fn(Level, &str)>;
type ThreadSink = Rc<dyn Fn(Level, &str)>;

thread_local! {
    static THREAD_SINK: RefCell<Option<ThreadSink>> = const { RefCell::new(None) };
    /// The most verbose level the thread's sink wants; 0 with no sink of its own.
    static THREAD_MAX: Cell<u8> = const { Cell::new(0) };
}

/// Installs (or with `None` removes) the calling thread's own sink and the most verbose level
/// it wants: while it is there, what this thread logs goes to it, not to the process's sink.
pub fn set_thread_sink(sink: Option<LocalSink>, max_level: u8) {
    let level = if sink.is_some() {
        max_level.clamp(1, Level::Debug as u8)
    } else {
        0
    };
    let sink: Option<ThreadSink> = sink.map(Rc::from);
    // A thread being torn down has nothing left to log.
    let _ = THREAD_SINK.try_with(|s| *s.borrow_mut() = sink);
    let _ = THREAD_MAX.try_with(|m| m.set(level));
}

/// The calling thread's own sink and its level, if it has one.
fn thread_sink() -> Option<(u8, ThreadSink)> {
    let max = THREAD_MAX.try_with(Cell::get).unwrap_or(0);
    if max == 0 {
        return None;
    }
    THREAD_SINK
        .try_with(|s| s.borrow().clone())
        .ok()
        .flatten()
        .map(|s| (max, s))
}

pub fn enabled(level: Level) -> bool {
    match THREAD_MAX.try_with(Cell::get).unwrap_or(0) {
        0 => (level as u8) <= MAX_LEVEL.load(Ordering::Acquire),
        own => (level as u8) <= own,
    }
}

/// Sends a message built by `make` when `level` is enabled.
pub fn log_with(level: Level, make: impl FnOnce() -> String) {
    if !enabled(level) {
        return;
    }
    if let Some((_, sink)) = thread_sink() {
        // Cloned out of the cell first: the sink may call back into the library.
        sink(level, &make());
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
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_thread_sink_takes_that_threads_messages_only() {
        // On threads of their own: the process's sink is shared by the other tests.
        let heard = Arc::new(Mutex::new(Vec::new()));
        let h = heard.clone();
        std::thread::spawn(move || {
            let h2 = h.clone();
            set_thread_sink(
                Some(Box::new(move |l, m: &str| {
                    h2.lock().unwrap().push((l, m.to_owned()))
                })),
                2,
            );
            assert!(enabled(Level::Warn));
            assert!(!enabled(Level::Info));
            log_with(Level::Warn, || "one".into());
            log_with(Level::Info, || "not wanted".into());
            std::thread::spawn(|| log_with(Level::Warn, || "another thread".into()))
                .join()
                .unwrap();
            set_thread_sink(None, 0);
            log_with(Level::Warn, || "after removal".into());
        })
        .join()
        .unwrap();
        assert_eq!(
            *heard.lock().unwrap(),
            vec![(Level::Warn, "one".to_owned())]
        );
    }

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
