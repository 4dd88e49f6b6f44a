//! Sessions (the whole WLanguage example in one object): a token that stays fresh. One
//! refresh at a time per session (threads that wait get its result), one per token file
//! across processes (file lock, re-read after locking, re-read once on `invalid_grant`), the
//! file rewritten atomically, a corrupt file treated as "no session" and said in the log.

use crate::error::{ErrorKind, Result};
use crate::file_lock::FileLock;
use crate::log::{Level, log_at};
use crate::token::{Token, unix_now};
use crate::token_file;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How a session obtains tokens; the C layer builds it from the session's parameters.
pub trait TokenSource: Sync {
    /// A new token from the refresh token of `token`.
    fn refresh(&self, token: &Token) -> Result<Token>;
    /// A new token from a login.
    fn login(&self) -> Result<Token>;
    /// Revokes what can be revoked of `token` (refresh token, access token).
    fn revoke(&self, token: &Token) -> Result<()>;
}

/// Where a token handed out came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The session's current token was still good.
    Current,
    /// Another process (or an earlier run) had stored a better one in the file.
    File,
    Refreshed,
    LoggedIn,
}

impl Origin {
    /// A token the session did not have before: the token-changed hook hears of it.
    pub fn is_new(self) -> bool {
        self != Origin::Current
    }
}

pub struct Session {
    path: Option<PathBuf>,
    /// The current token. Held during a refresh or login: that is what makes them single-flight.
    current: Mutex<Option<Token>>,
}

impl Session {
    /// A session on `path` (None: memory only). The file is read now if it exists; a corrupt or
    /// unreadable one counts as no session and is reported in the log.
    pub fn new(path: Option<&Path>) -> Session {
        let current = path.and_then(read_file);
        Session {
            path: path.map(Path::to_path_buf),
            current: Mutex::new(current),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The current token, whatever its state.
    pub fn current(&self) -> Option<Token> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A token valid for at least `min_valid` seconds if one can be had: the current one, else
    /// one another process stored, else a refresh, else a login. When even a fresh token cannot
    /// last that long it is returned anyway.
    pub fn token(&self, min_valid: i64, source: &dyn TokenSource) -> Result<(Token, Origin)> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = current
            .as_ref()
            .filter(|t| t.is_valid_at(unix_now(), min_valid))
        {
            return Ok((t.clone(), Origin::Current));
        }
        if let Some((t, origin)) = self.refresh_under_file_lock(&mut current, min_valid, source)? {
            return Ok((t, origin));
        }
        // Interactive login: not under the file lock (it may take minutes); another process
        // logging in at the same time only makes a second, equally valid session.
        let t = source.login()?;
        self.store(&t);
        *current = Some(t.clone());
        Ok((t, Origin::LoggedIn))
    }

    /// Steps 2 and 3 of `token`: adopt the file's token or refresh, under the file lock.
    /// `None`: a login is needed.
    fn refresh_under_file_lock(
        &self,
        current: &mut Option<Token>,
        min_valid: i64,
        source: &dyn TokenSource,
    ) -> Result<Option<(Token, Origin)>> {
        let _lock = match &self.path {
            Some(p) => Some(FileLock::acquire(p)?),
            None => None,
        };
        if let Some(from_file) = self.path.as_deref().and_then(read_file)
            && current.as_ref() != Some(&from_file)
        {
            *current = Some(from_file);
            let t = current.as_ref().expect("just set");
            if t.is_valid_at(unix_now(), min_valid) {
                return Ok(Some((t.clone(), Origin::File)));
            }
        }
        let Some(old) = current.clone().filter(|t| t.refresh_token.is_some()) else {
            return Ok(None);
        };
        match source.refresh(&old) {
            Ok(new) => {
                self.store(&new);
                *current = Some(new.clone());
                Ok(Some((new, Origin::Refreshed)))
            }
            Err(e) if e.kind() == ErrorKind::InvalidGrant => {
                // Another process may have rotated the refresh token in between: look once more.
                log_at!(
                    Level::Info,
                    "refresh refused (invalid_grant); reading the token file once more"
                );
                let Some(from_file) = self
                    .path
                    .as_deref()
                    .and_then(read_file)
                    .filter(|t| *t != old)
                else {
                    *current = None;
                    return Ok(None);
                };
                if from_file.is_valid_at(unix_now(), min_valid) || from_file.refresh_token.is_none()
                {
                    *current = Some(from_file.clone());
                    return Ok(Some((from_file, Origin::File)));
                }
                match source.refresh(&from_file) {
                    Ok(new) => {
                        self.store(&new);
                        *current = Some(new.clone());
                        Ok(Some((new, Origin::Refreshed)))
                    }
                    Err(e) if e.kind() == ErrorKind::InvalidGrant => {
                        *current = None;
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) if e.kind() == ErrorKind::NotRefreshable => Ok(None),
            Err(e) => {
                // A network failure is no reason to send the user through a login; a token that
                // is still valid, if only for a moment, is better than an error.
                if old.is_valid() {
                    log_at!(
                        Level::Warn,
                        "refresh failed ({e}); keeping the current token, still valid"
                    );
                    Ok(Some((old, Origin::Current)))
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Writes the token file; a failure is logged, not returned: the caller's token is good
    /// and losing it would be worse than a stale file.
    fn store(&self, token: &Token) {
        if let Some(p) = &self.path
            && let Err(e) = token_file::save(token, p)
        {
            log_at!(Level::Error, "the new token could not be saved: {e}");
        }
    }

    /// Revokes what can be revoked and deletes the file. Revocation failures are logged; the
    /// local session ends in any case.
    pub fn logout(&self, source: &dyn TokenSource) -> Result<()> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let _lock = match &self.path {
            Some(p) => Some(FileLock::acquire(p)?),
            None => None,
        };
        let from_file = self.path.as_deref().and_then(read_file);
        for t in current.iter().chain(from_file.iter()) {
            match source.revoke(t) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::Unsupported => {
                    log_at!(
                        Level::Info,
                        "the provider has no revocation endpoint; the tokens stay valid until they expire"
                    );
                }
                Err(e) => log_at!(Level::Warn, "revocation failed: {e}"),
            }
        }
        *current = None;
        if let Some(p) = &self.path {
            match std::fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(crate::error::Error::io(format!(
                        "cannot delete '{}': {e}",
                        p.display()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// The token in the file; `None` when there is none, and (logged) when it cannot be read.
fn read_file(path: &Path) -> Option<Token> {
    match token_file::load(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == ErrorKind::Io && !path.exists() => None,
        Err(e) => {
            log_at!(
                Level::Warn,
                "the session file cannot be used, a new login will replace it: {e}"
            );
            None
        }
    }
}
