//! Sessions (the whole WLanguage example in one object): a token that stays fresh, kept in a
//! store (a file, Redis, the system keyring, or the host's own). One refresh at a time per
//! session (threads that wait get its result), and one per store across processes: the store's
//! lease is held around read → refresh → write, the store is read again after taking it and
//! once more on `invalid_grant`, and a write never replaces a token the session did not read
//! (it adopts the newer one instead). A stored value that is not a token (corrupt, another
//! store key) counts as no session and is said in the log.

pub mod file_lock;
pub mod store;

use crate::clock::unix_now;
use crate::config::Params;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at};
use crate::login::identify;
use crate::oauth;
use crate::secret::SecretKey;
use crate::token::Token;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
use store::{Location, Snapshot, TokenStore, Written};

/// Where a token handed out came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The session's current token was still good.
    Current,
    /// Another process (or an earlier run) had stored a better one.
    Store,
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
/// parameters (a copy; cancelling the original still cancels its logins), an optional store,
/// the current token and a hook told of new tokens. Thread-safe.
pub struct Session {
    params: Params,
    store: Option<Arc<dyn TokenStore>>,
    /// Held during a refresh or login: that is what makes them single-flight in the process.
    state: Mutex<State>,
    on_change: RwLock<Option<Arc<TokenChanged>>>,
}

struct State {
    current: Option<Token>,
    /// What the store held when this session last read or wrote it (`None`: unknown). A load
    /// that finds the same has nothing new; a write is conditional on it.
    seen: Option<Snapshot>,
}

impl Session {
    /// A session of `params` on the token file `path` (None: memory only). The file is read
    /// now if it exists; a corrupt or unreadable one counts as no session and is reported in
    /// the log.
    pub fn new(params: Params, path: Option<&Path>) -> Result<Session> {
        match path {
            None => Session::build(params, None),
            Some(p) if p.as_os_str().is_empty() => Err(Error::invalid_argument(
                "the session's path is empty (give none for a session in memory only)",
            )),
            Some(p) => {
                let store = store::file::FileStore::new(p.to_path_buf());
                Session::build(params, Some(Arc::new(store)))
            }
        }
    }

    /// A session of `params` on a store location (None: memory only): a store URL
    /// (`redis://…?key=NAME`, `rediss://…`, `keyring:SERVICE/ACCOUNT`, `file:///path`) or a
    /// file path (API.md, "Where sessions keep their token"). A malformed URL is
    /// InvalidArgument. The store is read now; a failure is logged and the store is read
    /// again when a token is needed.
    pub fn open(params: Params, location: Option<&str>) -> Result<Session> {
        let store = match location {
            None => None,
            Some(l) => Some(Location::parse(l)?.open(&params)?),
        };
        Session::build(params, store)
    }

    /// A session of `params` on a store of the host's own.
    pub fn with_store(params: Params, store: Arc<dyn TokenStore>) -> Result<Session> {
        Session::build(params, Some(store))
    }

    fn build(params: Params, store: Option<Arc<dyn TokenStore>>) -> Result<Session> {
        let session = Session {
            params,
            store,
            state: Mutex::new(State {
                current: None,
                seen: None,
            }),
            on_change: RwLock::new(None),
        };
        if let Some(store) = &session.store {
            let mut st = session.lock_state();
            if let Err(e) = session.sync(&mut st, store.as_ref()) {
                log_at!(
                    Level::Warn,
                    "{} cannot be read now ({e}); it is read again when a token is needed",
                    store.describe()
                );
            }
        }
        Ok(session)
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

    /// Where the token is kept, if anywhere.
    pub fn store(&self) -> Option<&Arc<dyn TokenStore>> {
        self.store.as_ref()
    }

    /// The current token, whatever its state.
    pub fn current(&self) -> Option<Token> {
        self.lock_state().current.clone()
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(&self) -> Option<&SecretKey> {
        self.params.store_key()
    }

    /// How long to wait for a store's lease: its holder refreshes, which may take a few HTTP
    /// exchanges (discovery, keys, the token endpoint).
    fn lease_wait(&self) -> Duration {
        self.params.http_timeout * 4
    }

    /// A token valid for at least `min_valid` seconds (negative counts as 0) if one can be
    /// had: the current one, else one another process stored, else a refresh, else a login
    /// ([`crate::login::identify`] with the session's parameters). When even a fresh token
    /// cannot last that long it is returned anyway. One refresh at a time per session (threads
    /// that wait get its result) and per store across processes. A refresh that fails for a
    /// network reason while the current token is still valid gives the current token; so does
    /// a store that cannot be reached (else its error, e.g. Network for Redis).
    pub fn token(&self, min_valid: i64) -> Result<Token> {
        let (token, origin) = self.token_and_origin(min_valid.max(0))?;
        // After the locks are released: the hook may call back into the session.
        if origin.is_new() {
            self.notify(Some(&token));
        }
        Ok(token)
    }

    fn token_and_origin(&self, min_valid: i64) -> Result<(Token, Origin)> {
        let mut st = self.lock_state();
        if let Some(t) = valid(&st.current, min_valid) {
            return Ok((t, Origin::Current));
        }
        let Some(store) = self.store.clone() else {
            if let Some(found) = self.refresh_current(&mut st, None, min_valid)? {
                return Ok(found);
            }
            return self.log_in(&mut st);
        };
        let store = store.as_ref();
        let before = st.current.clone();
        let origin = |st: &State| {
            if st.current != before {
                Origin::Store
            } else {
                Origin::Current
            }
        };
        // Another process may have done the work already: look before queueing for the lease.
        if let Err(e) = self.sync(&mut st, store) {
            return self.unreachable(&st, store, e, origin(&st));
        }
        if let Some(t) = valid(&st.current, min_valid) {
            return Ok((t, origin(&st)));
        }
        let lease = match store.lease(self.lease_wait()) {
            Ok(l) => l,
            Err(e) => return self.unreachable(&st, store, e, origin(&st)),
        };
        if let Err(e) = self.sync(&mut st, store) {
            return self.unreachable(&st, store, e, origin(&st));
        }
        if let Some(t) = valid(&st.current, min_valid) {
            return Ok((t, origin(&st)));
        }
        // A store found empty (a restarted Redis, a deleted file) gets back the token we hold.
        if let Some(t) = st.current.clone().filter(|t| t.is_valid())
            && st.seen.as_ref().is_some_and(|s| s.value.is_none())
        {
            log_at!(
                Level::Info,
                "{} is empty: writing the session's token back",
                store.describe()
            );
            self.save(&mut st, store, t);
        }
        if let Some(found) = self.refresh_current(&mut st, Some(store), min_valid)? {
            return Ok(found);
        }
        // Interactive login: not under the lease (it may take minutes); another process
        // logging in at the same time only makes a second, equally valid session.
        drop(lease);
        self.log_in(&mut st)
    }

    /// A store that cannot be read or locked: the current token while it is unexpired (even
    /// if it cannot last `min_valid`), else the store's error.
    fn unreachable(
        &self,
        st: &State,
        store: &dyn TokenStore,
        e: Error,
        origin: Origin,
    ) -> Result<(Token, Origin)> {
        match st.current.as_ref().filter(|t| t.is_valid()) {
            Some(t) => {
                log_at!(
                    Level::Warn,
                    "{} cannot be used ({e}); keeping the current token, still valid",
                    store.describe()
                );
                Ok((t.clone(), origin))
            }
            None => Err(e),
        }
    }

    /// Reads the store; a value that changed since the session last saw it is adopted when it
    /// is a token (another writer's, newer than ours), and said in the log when it is not.
    fn sync(&self, st: &mut State, store: &dyn TokenStore) -> Result<()> {
        let snapshot = store.load()?;
        if st.seen.as_ref() == Some(&snapshot) {
            return Ok(());
        }
        if let Some(bytes) = &snapshot.value {
            match store::decode(bytes, self.key()) {
                Ok(t) => st.current = Some(t),
                Err(e) => log_at!(
                    Level::Warn,
                    "the token in {} cannot be used, a new login will replace it: {e}",
                    store.describe()
                ),
            }
        }
        st.seen = Some(snapshot);
        Ok(())
    }

    /// Refreshes the current token (under the store's lease when there is a store). `None`: a
    /// login is needed.
    fn refresh_current(
        &self,
        st: &mut State,
        store: Option<&dyn TokenStore>,
        min_valid: i64,
    ) -> Result<Option<(Token, Origin)>> {
        let Some(old) = st.current.clone().filter(|t| t.refresh_token.is_some()) else {
            return Ok(None);
        };
        match oauth::refresh(&old) {
            Ok(new) => Ok(Some((self.keep(st, store, new), Origin::Refreshed))),
            Err(e) if e.kind() == ErrorKind::InvalidGrant => {
                let Some(store) = store else {
                    st.current = None;
                    return Ok(None);
                };
                // Another process may have rotated the refresh token in between: look once more.
                log_at!(
                    Level::Info,
                    "refresh refused (invalid_grant); reading {} once more",
                    store.describe()
                );
                self.sync(st, store)?;
                let Some(stored) = st.current.clone().filter(|t| *t != old) else {
                    st.current = None;
                    return Ok(None);
                };
                if stored.is_valid_at(unix_now(), min_valid) || stored.refresh_token.is_none() {
                    return Ok(Some((stored, Origin::Store)));
                }
                match oauth::refresh(&stored) {
                    Ok(new) => Ok(Some((self.keep(st, Some(store), new), Origin::Refreshed))),
                    Err(e) if e.kind() == ErrorKind::InvalidGrant => {
                        st.current = None;
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

    /// Logs in, then stores the token under the lease.
    fn log_in(&self, st: &mut State) -> Result<(Token, Origin)> {
        let t = identify(&self.params)?;
        let Some(store) = self.store.clone() else {
            st.current = Some(t.clone());
            return Ok((t, Origin::LoggedIn));
        };
        let t = match store.lease(self.lease_wait()) {
            Ok(_lease) => self.save(st, store.as_ref(), t),
            Err(e) => {
                log_at!(
                    Level::Error,
                    "the new token could not be saved in {}: {e}",
                    store.describe()
                );
                st.current = Some(t.clone());
                t
            }
        };
        Ok((t, Origin::LoggedIn))
    }

    /// Makes `token` current and stores it, if there is a store; gives the token the session
    /// keeps (a newer one another writer stored first, or this one).
    fn keep(&self, st: &mut State, store: Option<&dyn TokenStore>, token: Token) -> Token {
        match store {
            Some(store) => self.save(st, store, token),
            None => {
                st.current = Some(token.clone());
                token
            }
        }
    }

    /// Writes `token` if the store still holds what the session saw; when another writer came
    /// first with a usable token, that one is adopted instead (a late writer never overwrites
    /// a newer token). A failure is logged, not returned: the caller's token is good and losing
    /// it would be worse than a stale store.
    fn save(&self, st: &mut State, store: &dyn TokenStore, token: Token) -> Token {
        match self.try_save(st, store, token.clone()) {
            Ok(kept) => kept,
            Err(e) => {
                log_at!(
                    Level::Error,
                    "the new token could not be saved in {}: {e}",
                    store.describe()
                );
                token
            }
        }
    }

    /// [`Session::save`] that says when the store could not be written (the token stays the
    /// session's current one).
    fn try_save(&self, st: &mut State, store: &dyn TokenStore, token: Token) -> Result<Token> {
        st.current = Some(token.clone());
        let bytes = store::encode(&token, self.key())?;
        // Twice at most: after a conflict with a value that is not a usable token, ours
        // replaces it.
        for _ in 0..2 {
            let read = match st.seen.clone() {
                Some(s) => s,
                None => store.load()?,
            };
            match store.write(&bytes, &read) {
                Ok(Written::Stored(now)) => {
                    st.seen = Some(now);
                    return Ok(token);
                }
                Ok(Written::Conflict(now)) => {
                    let theirs = now
                        .value
                        .as_ref()
                        .and_then(|b| store::decode(b, self.key()).ok())
                        .filter(Token::is_valid);
                    st.seen = Some(now);
                    if let Some(t) = theirs {
                        log_at!(
                            Level::Info,
                            "{} holds a newer token from another writer: adopting it",
                            store.describe()
                        );
                        st.current = Some(t.clone());
                        return Ok(t);
                    }
                }
                Err(e) => {
                    st.seen = None;
                    return Err(e);
                }
            }
        }
        Ok(token)
    }

    /// Signs in now ([`crate::login::identify`] with the session's parameters), whatever is
    /// stored, and stores the new token under the store's lease. Unlike [`Session::token`], a
    /// store that cannot be written is an error: the caller asked for a stored sign-in (the
    /// new token is still the session's current one).
    pub fn login(&self) -> Result<Token> {
        let token = {
            let mut st = self.lock_state();
            let t = identify(&self.params)?;
            match self.store.clone() {
                None => {
                    st.current = Some(t.clone());
                    t
                }
                Some(store) => {
                    st.current = Some(t.clone());
                    let _lease = store.lease(self.lease_wait())?;
                    self.sync(&mut st, store.as_ref())?;
                    // Ours is the newest sign-in: it replaces whatever is stored.
                    self.try_save(&mut st, store.as_ref(), t)?
                }
            }
        };
        self.notify(Some(&token));
        Ok(token)
    }

    /// Refreshes now, however long the current token has left: under the store's lease the
    /// stored token (read again: it is the latest) is refreshed and the new one stored; a store
    /// that cannot be written is an error. Nothing stored, or no refresh token:
    /// `NotRefreshable`; a refused refresh token: `InvalidGrant` (the user must sign in again),
    /// the store left as it is.
    pub fn refresh(&self) -> Result<Token> {
        let token = {
            let mut st = self.lock_state();
            let store = self.store.clone();
            let _lease = match &store {
                Some(s) => Some(s.lease(self.lease_wait())?),
                None => None,
            };
            if let Some(s) = &store {
                self.sync(&mut st, s.as_ref())?;
            }
            let old = st.current.clone().ok_or_else(|| {
                Error::new(
                    ErrorKind::NotRefreshable,
                    "no token to refresh: the session has none (sign in first)",
                )
            })?;
            let new = oauth::refresh(&old)?;
            match &store {
                Some(s) => self.try_save(&mut st, s.as_ref(), new)?,
                None => {
                    st.current = Some(new.clone());
                    new
                }
            }
        };
        self.notify(Some(&token));
        Ok(token)
    }

    /// Ends the session: revokes the refresh and access tokens when the provider has a
    /// revocation endpoint (failures are logged, not returned), forgets the token, deletes the
    /// stored one, and tells the hook (with `None`).
    pub fn logout(&self) -> Result<()> {
        self.logout_locked()?;
        self.notify(None);
        Ok(())
    }

    fn logout_locked(&self) -> Result<()> {
        let mut st = self.lock_state();
        let store = self.store.as_deref();
        let _lease = match store {
            Some(s) => Some(s.lease(self.lease_wait())?),
            None => None,
        };
        let stored = match store.map(|s| (s, s.load())) {
            Some((_, Ok(snapshot))) => snapshot
                .value
                .and_then(|b| store::decode(&b, self.key()).ok()),
            Some((s, Err(e))) => {
                log_at!(Level::Warn, "{} cannot be read: {e}", s.describe());
                None
            }
            None => None,
        };
        let others = stored.iter().filter(|t| Some(*t) != st.current.as_ref());
        for t in st.current.iter().chain(others) {
            match oauth::revoke_all(t) {
                Ok(()) => log_at!(Level::Info, "logout: the grant is revoked at the provider"),
                Err(e) => log_at!(Level::Warn, "{}", still_live(t, &e)),
            }
        }
        st.current = None;
        st.seen = None;
        if let Some(s) = store {
            s.delete()?;
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

/// The token if it is valid for `min_valid` more seconds.
fn valid(token: &Option<Token>, min_valid: i64) -> Option<Token> {
    token
        .as_ref()
        .filter(|t| t.is_valid_at(unix_now(), min_valid))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The warning names what still works: the refresh token when there is one.
    #[test]
    fn a_live_grant_is_named_by_what_still_works() {
        let unsupported = Error::unsupported("no revocation endpoint");
        let with = Token::import(None, r#"{"access_token":"a","refresh_token":"r"}"#).unwrap();
        let without = Token::import(None, r#"{"access_token":"a"}"#).unwrap();
        let said = still_live(&with, &unsupported);
        assert!(said.contains("refresh token can still be used"), "{said}");
        assert!(said.contains("nothing revoked it"), "{said}");
        let said = still_live(
            &without,
            &Error::protocol("the revocation endpoint answered 500"),
        );
        assert!(said.contains("access token stays valid"), "{said}");
        assert!(said.contains("revocation failed"), "{said}");
    }
}
