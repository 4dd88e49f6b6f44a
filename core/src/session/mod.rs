//! Sessions (the whole WLanguage example in one object): a token that stays fresh. One
//! refresh at a time per session (threads that wait get its result), one per token file
//! across processes (file lock, re-read after locking, re-read once on `invalid_grant`), the
//! file rewritten atomically, a corrupt file treated as "no session" and said in the log.

pub mod file_lock;

use crate::clock::unix_now;
use crate::config::Params;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at};
use crate::login::identify;
use crate::oauth;
use crate::session::file_lock::FileLock;
use crate::token::Token;
use crate::token::file;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Where a token handed out came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The session's current token was still good.
    Current,
    /// Another process (or an earlier run) had stored a better one in the file.
    File,
    Refreshed,
    LoggedIn,
}

impl Origin {
    /// A token the session did not have before: the token-changed hook hears of it.
    fn is_new(self) -> bool {
        self != Origin::Current
    }
}

/// Told of every new token of a session (`None` after a logout).
pub type TokenChanged = dyn Fn(Option<&Token>) + Send + Sync;

/// A token that stays fresh (the whole WLanguage refresh-or-login example in one object): its
/// parameters (a copy; cancelling the original still cancels its logins), an optional token
/// file, the current token and a hook told of new tokens. Thread-safe.
pub struct Session {
    params: Params,
    path: Option<PathBuf>,
    /// The current token. Held during a refresh or login: that is what makes them single-flight.
    current: Mutex<Option<Token>>,
    on_change: RwLock<Option<Arc<TokenChanged>>>,
}

impl Session {
    /// A session of `params` on the token file `path` (None: memory only). The file is read
    /// now if it exists; a corrupt or unreadable one counts as no session and is reported in
    /// the log.
    pub fn new(params: Params, path: Option<&Path>) -> Result<Session> {
        if path.is_some_and(|p| p.as_os_str().is_empty()) {
            return Err(Error::invalid_argument(
                "the session's path is empty (give none for a session in memory only)",
            ));
        }
        let current = path.and_then(read_file);
        Ok(Session {
            params,
            path: path.map(Path::to_path_buf),
            current: Mutex::new(current),
            on_change: RwLock::new(None),
        })
    }

    /// Sets the hook told of every new token (login, refresh, or a newer token another process
    /// stored), called on the thread that obtained it after the session's locks are released,
    /// so it may call back into the session; `None` unsets it.
    pub fn set_token_changed(&self, hook: Option<Arc<TokenChanged>>) {
        *self.on_change.write().unwrap_or_else(|e| e.into_inner()) = hook;
    }

    fn notify(&self, token: Option<&Token>) {
        let hook = self
            .on_change
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(hook) = hook {
            hook(token);
        }
    }

    /// The session's parameters.
    pub fn params(&self) -> &Params {
        &self.params
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

    /// A token valid for at least `min_valid` seconds (negative counts as 0) if one can be
    /// had: the current one, else one another process stored, else a refresh, else a login
    /// ([`crate::login::identify`] with the session's parameters). When even a fresh token
    /// cannot last that long it is returned anyway. One refresh at a time per session (threads
    /// that wait get its result) and per file across processes. A refresh that fails for a
    /// network reason while the current token is still valid gives the current token.
    pub fn token(&self, min_valid: i64) -> Result<Token> {
        let (token, origin) = self.token_and_origin(min_valid.max(0))?;
        // After the locks are released: the hook may call back into the session.
        if origin.is_new() {
            self.notify(Some(&token));
        }
        Ok(token)
    }

    fn token_and_origin(&self, min_valid: i64) -> Result<(Token, Origin)> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = current
            .as_ref()
            .filter(|t| t.is_valid_at(unix_now(), min_valid))
        {
            return Ok((t.clone(), Origin::Current));
        }
        if let Some((t, origin)) = self.refresh_under_file_lock(&mut current, min_valid)? {
            return Ok((t, origin));
        }
        // Interactive login: not under the file lock (it may take minutes); another process
        // logging in at the same time only makes a second, equally valid session.
        let t = identify(&self.params)?;
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
        match oauth::refresh(&old) {
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
                match oauth::refresh(&from_file) {
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

    /// Signs in now ([`crate::login::identify`] with the session's parameters), whatever is
    /// stored, and stores the new token. Unlike [`Session::token`], a store that cannot be
    /// written is an error: the caller asked for a stored sign-in (the new token is still the
    /// session's current one).
    pub fn login(&self) -> Result<Token> {
        let token = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            let t = identify(&self.params)?;
            *current = Some(t.clone());
            self.save(&t)?;
            t
        };
        self.notify(Some(&token));
        Ok(token)
    }

    /// Refreshes now, however long the current token has left: under the file lock the stored
    /// token (read again: it is the latest) is refreshed and the new one stored; a store that
    /// cannot be written is an error. Nothing stored, or no refresh token: `NotRefreshable`;
    /// a refused refresh token: `InvalidGrant` (the user must sign in again), the store left
    /// as it is.
    pub fn refresh(&self) -> Result<Token> {
        let token = {
            let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
            let _lock = match &self.path {
                Some(p) => Some(FileLock::acquire(p)?),
                None => None,
            };
            if let Some(from_file) = self.path.as_deref().and_then(read_file) {
                *current = Some(from_file);
            }
            let old = current.clone().ok_or_else(|| {
                Error::new(
                    ErrorKind::NotRefreshable,
                    "no token to refresh: the session has none (sign in first)",
                )
            })?;
            let new = oauth::refresh(&old)?;
            *current = Some(new.clone());
            self.save(&new)?;
            new
        };
        self.notify(Some(&token));
        Ok(token)
    }

    /// Writes the token file, if the session has one.
    fn save(&self, token: &Token) -> Result<()> {
        match &self.path {
            Some(p) => file::save(token, p),
            None => Ok(()),
        }
    }

    /// Writes the token file; a failure is logged, not returned: the caller's token is good
    /// and losing it would be worse than a stale file.
    fn store(&self, token: &Token) {
        if let Err(e) = self.save(token) {
            log_at!(Level::Error, "the new token could not be saved: {e}");
        }
    }

    /// Ends the session: revokes the refresh and access tokens when the provider has a
    /// revocation endpoint (set, in its discovery document or in its RFC 8414 document), forgets
    /// the token, deletes the file, and tells the hook (with `None`). What could not be revoked
    /// is not an error (the stored token is gone either way) but a warning in the log: with no
    /// revocation endpoint, or when revocation fails, the grant stays live at the provider.
    pub fn logout(&self) -> Result<()> {
        self.logout_locked()?;
        self.notify(None);
        Ok(())
    }

    fn logout_locked(&self) -> Result<()> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let _lock = match &self.path {
            Some(p) => Some(FileLock::acquire(p)?),
            None => None,
        };
        let from_file = self
            .path
            .as_deref()
            .and_then(read_file)
            .filter(|f| current.as_ref() != Some(f));
        for t in current.iter().chain(from_file.iter()) {
            match oauth::revoke_all(t) {
                Ok(()) => log_at!(Level::Info, "logout: the grant is revoked at the provider"),
                Err(e) => log_at!(Level::Warn, "{}", still_live(t, &e)),
            }
        }
        *current = None;
        if let Some(p) = &self.path {
            match std::fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::io(format!("cannot delete '{}': {e}", p.display())));
                }
            }
        }
        Ok(())
    }
}

/// The warning of a logout that could not revoke `token`: the user believes the grant is gone,
/// so say plainly that it is not, and why.
fn still_live(token: &Token, why: &Error) -> String {
    let what = if token.refresh_token.as_ref().is_some_and(|r| !r.is_empty()) {
        "its refresh token can still be used until it expires"
    } else {
        "its access token stays valid until it expires"
    };
    let cause = if why.kind() == ErrorKind::Unsupported {
        "nothing revoked it"
    } else {
        "revocation failed"
    };
    format!(
        "logout: the stored token is deleted but the grant is still live at the provider ({what}): {cause}: {why}"
    )
}

/// The token in the file; `None` when there is none, and (logged) when it cannot be read.
fn read_file(path: &Path) -> Option<Token> {
    match file::load(path) {
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
