//! The Redis store (`redis://…?key=NAME`, `rediss://…` over TLS): one token shared by every
//! process and machine that names the same key, refreshed by one of them at a time.
//!
//! Keys: `NAME` holds the stored value (the serialized token, sealed with a store key),
//! `NAME:version` a counter bumped by every write and delete, `NAME:lease` the lease; the
//! channel `NAME:lease` hears of every release.
//! - Load: `MGET NAME NAME:version`, one round trip.
//! - Write: a script that stores the value only if the version is still the one the writer
//!   read, else answers what is there now; so a late writer never overwrites a newer token.
//! - Lease: `SET NAME:lease <random holder id> NX PX <lease>`; renewed by a thread of the holder
//!   while its refresh runs; released by a script that deletes it only if it still holds the
//!   holder's id, and publishes the release. A holder that dies frees it when it runs out.
//!   Waiters subscribe to the channel and sleep until a release or the lease's remaining time.
//!
//! Connections are blocking ones (the session's API is blocking, and a refresh runs on the
//! caller's thread), kept in a pool per process and per server, with every operation bounded
//! by the HTTP timeout; one found dead (a server restart) is replaced once, at once.

use super::{Lease, Snapshot, TokenStore, Written};
use crate::config::Params;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at};
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// The lease's lifetime unless the URL says otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(15);
const MAX_LEASE_SECONDS: u64 = 3600;

/// A checked `redis://` / `rediss://` store URL.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisLocation {
    /// What redis-rs connects to: the URL without the store's query (it may hold a password).
    connect_url: String,
    /// The URL without password nor query, for messages.
    shown: String,
    tls: bool,
    key: String,
    lease: Duration,
}

impl std::fmt::Debug for RedisLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLocation")
            .field("server", &self.shown)
            .field("key", &self.key)
            .field("lease", &self.lease)
            .finish()
    }
}

impl RedisLocation {
    /// `redis://[user:password@]host[:port][/db]?key=NAME[&lease=SECONDS]`, or `rediss://…`.
    pub fn parse(text: &str) -> Result<RedisLocation> {
        let bad = |why: String| Error::invalid_argument(format!("Redis store URL: {why}"));
        let mut url = url::Url::parse(text).map_err(|e| bad(format!("{e}")))?;
        let tls = match url.scheme() {
            "redis" => false,
            "rediss" => true,
            other => return Err(bad(format!("the scheme {other} is not redis or rediss"))),
        };
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host".into()));
        }
        if url.port() == Some(0) {
            return Err(bad("port 0".into()));
        }
        if url.fragment().is_some() {
            return Err(bad("a fragment (#…) is not allowed".into()));
        }
        let db = url.path().trim_start_matches('/');
        if !db.is_empty() && db.parse::<u16>().is_err() {
            return Err(bad(format!("the database '{db}' is not a number")));
        }
        let (mut key, mut lease) = (None, None);
        for (name, value) in url.query_pairs() {
            let slot = match name.as_ref() {
                "key" => &mut key,
                "lease" => &mut lease,
                other => {
                    return Err(bad(format!(
                        "unknown parameter '{other}' (known: key, lease)"
                    )));
                }
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(bad(format!("'{name}' is given twice")));
            }
        }
        let key = key
            .filter(|k| !k.is_empty())
            .ok_or_else(|| bad("no key (add ?key=NAME)".into()))?;
        let lease = match lease {
            None => DEFAULT_LEASE,
            Some(s) => match s.parse::<u64>() {
                Ok(n) if (1..=MAX_LEASE_SECONDS).contains(&n) => Duration::from_secs(n),
                _ => {
                    return Err(bad(format!(
                        "lease '{s}' is not a whole number of seconds from 1 to {MAX_LEASE_SECONDS}"
                    )));
                }
            },
        };
        url.set_query(None);
        let connect_url = url.to_string();
        let _ = url.set_password(None);
        let _ = url.set_username("");
        Ok(RedisLocation {
            connect_url,
            shown: url.to_string(),
            tls,
            key,
            lease,
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }
}

/// How to reach one server: the pool's key.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ServerKey {
    connect_url: String,
    ca_file: Option<String>,
}

/// Idle connections of this process, per server.
static POOL: LazyLock<Mutex<HashMap<ServerKey, Vec<redis::Connection>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
/// At most this many idle connections are kept per server.
const POOL_SIZE: usize = 8;

pub struct RedisStore {
    location: RedisLocation,
    server: Arc<Server>,
    keys: Keys,
}

/// One server as this process reaches it: the client, the pool's key, the operation timeout.
struct Server {
    client: redis::Client,
    key: ServerKey,
    timeout: Duration,
    shown: String,
}

#[derive(Clone)]
struct Keys {
    value: String,
    version: String,
    lease: String,
}

static WRITE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local v = tonumber(redis.call('GET', KEYS[2]) or '0')
if v ~= tonumber(ARGV[2]) then
  return {0, redis.call('GET', KEYS[1]) or false, v}
end
v = v + 1
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], v)
return {1, false, v}",
    )
});

static DELETE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
redis.call('DEL', KEYS[1])
return redis.call('INCR', KEYS[2])",
    )
});

static RENEW: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0",
    )
});

static RELEASE: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', KEYS[1], 'released')
  return 1
end
return 0",
    )
});

impl RedisStore {
    /// A store on `location`, its operations bounded by the HTTP timeout of `params`, TLS
    /// trusting `AUTH_OPT_CA_FILE` when set. No I/O yet.
    pub fn new(location: RedisLocation, params: &Params) -> Result<RedisStore> {
        let ca_file = params.ca_file.clone();
        let client = if location.tls {
            // redis-rs builds its TLS configuration with the process's default provider.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            let root_cert = match &ca_file {
                Some(path) => Some(
                    std::fs::read(path)
                        .map_err(|e| Error::io(format!("cannot read the CA file '{path}': {e}")))?,
                ),
                None => None,
            };
            redis::Client::build_with_tls(
                location.connect_url.as_str(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert,
                },
            )
        } else {
            redis::Client::open(location.connect_url.as_str())
        }
        .map_err(|e| Error::invalid_argument(format!("Redis store URL: {e}")))?;
        let key = location.key.clone();
        Ok(RedisStore {
            server: Arc::new(Server {
                client,
                key: ServerKey {
                    connect_url: location.connect_url.clone(),
                    ca_file,
                },
                timeout: params.http_timeout,
                shown: location.shown.clone(),
            }),
            keys: Keys {
                version: format!("{key}:version"),
                lease: format!("{key}:lease"),
                value: key,
            },
            location,
        })
    }

    fn with_connection<T>(
        &self,
        op: impl Fn(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        self.server.with_connection(op)
    }

    fn try_acquire(&self, holder: &str) -> Result<bool> {
        let ms = self.location.lease.as_millis() as u64;
        let answer: Option<String> = self.with_connection(|c| {
            redis::cmd("SET")
                .arg(&self.keys.lease)
                .arg(holder)
                .arg("NX")
                .arg("PX")
                .arg(ms)
                .query(c)
        })?;
        Ok(answer.is_some())
    }

    /// Milliseconds the lease has left (0 when free or gone).
    fn lease_left(&self) -> Result<Duration> {
        let ms: i64 =
            self.with_connection(|c| redis::cmd("PTTL").arg(&self.keys.lease).query(c))?;
        Ok(match ms {
            // No key: free now. No expiry cannot happen with our SET; treat it as a full lease.
            -2 => Duration::ZERO,
            -1 => self.location.lease,
            ms => Duration::from_millis(ms.max(0) as u64),
        })
    }
}

impl TokenStore for RedisStore {
    fn describe(&self) -> String {
        format!("{} key '{}'", self.location.shown, self.location.key)
    }

    fn load(&self) -> Result<Snapshot> {
        let (value, version): (Option<Vec<u8>>, Option<u64>) = self.with_connection(|c| {
            redis::cmd("MGET")
                .arg(&self.keys.value)
                .arg(&self.keys.version)
                .query(c)
        })?;
        Ok(Snapshot::of(value, version.unwrap_or(0)))
    }

    fn write(&self, value: &[u8], read: &Snapshot) -> Result<Written> {
        let (stored, now, version): (i64, Option<Vec<u8>>, u64) = self.with_connection(|c| {
            WRITE
                .key(&self.keys.value)
                .key(&self.keys.version)
                .arg(value)
                .arg(read.version)
                .invoke(c)
        })?;
        Ok(if stored == 1 {
            Written::Stored(Snapshot::of(Some(value.to_vec()), version))
        } else {
            Written::Conflict(Snapshot::of(now, version))
        })
    }

    fn delete(&self) -> Result<()> {
        let _: i64 = self.with_connection(|c| {
            DELETE
                .key(&self.keys.value)
                .key(&self.keys.version)
                .invoke(c)
        })?;
        Ok(())
    }

    fn lease(&self, wait: Duration) -> Result<Lease<'_>> {
        let holder = random_holder_id()?;
        if self.try_acquire(&holder)? {
            return Ok(Box::new(HeldLease::start(self, holder)));
        }
        // Subscribed before looking again, so that no release is missed; the subscription
        // lives as long as `pubsub` (dropping it unsubscribes).
        let started = Instant::now();
        let mut conn = self.server.connect()?;
        let mut pubsub = conn.as_pubsub();
        pubsub
            .subscribe(&self.keys.lease)
            .map_err(|e| self.server.error(e))?;
        loop {
            if self.try_acquire(&holder)? {
                return Ok(Box::new(HeldLease::start(self, holder)));
            }
            let Some(remaining) = wait.checked_sub(started.elapsed()) else {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the lease of {} was not free within {} s",
                        self.describe(),
                        wait.as_secs()
                    ),
                ));
            };
            let left = self.lease_left()?;
            if left.is_zero() {
                continue;
            }
            // Up to the lease's end (a dead holder), or a release, whichever comes first.
            let nap = (left + Duration::from_millis(5)).min(remaining);
            pubsub
                .set_read_timeout(Some(nap))
                .map_err(|e| self.server.error(e))?;
            match pubsub.get_message() {
                Ok(_) => {}
                Err(e) if e.is_timeout() => {}
                Err(e) => return Err(self.server.error(e)),
            }
        }
    }
}

impl Server {
    fn error(&self, e: redis::RedisError) -> Error {
        let kind = if e.is_io_error()
            || e.is_timeout()
            || e.is_connection_dropped()
            || e.is_connection_refusal()
        {
            ErrorKind::Network
        } else {
            ErrorKind::Io
        };
        Error::new(kind, format!("Redis at {}: {e}", self.shown))
    }

    /// A new connection with the operation timeout set.
    fn connect(&self) -> Result<redis::Connection> {
        let conn = self
            .client
            .get_connection_with_timeout(self.timeout)
            // A TLS handshake that fails, whatever redis-rs calls it, is a network failure.
            .map_err(|e| Error::new(ErrorKind::Network, self.error(e).message().to_owned()))?;
        conn.set_read_timeout(Some(self.timeout))
            .and_then(|()| conn.set_write_timeout(Some(self.timeout)))
            .map_err(|e| self.error(e))?;
        Ok(conn)
    }

    /// Runs `op` on a pooled connection (or a new one); a pooled one found dead (the server
    /// restarted) is replaced once. A connection that failed is dropped, a good one goes back
    /// to the pool.
    fn with_connection<T>(
        &self,
        op: impl Fn(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        let pooled = POOL
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(&self.key)
            .and_then(Vec::pop);
        let (mut conn, was_pooled) = match pooled {
            Some(c) => (c, true),
            None => (self.connect()?, false),
        };
        let result = match op(&mut conn) {
            Err(e) if was_pooled && (e.is_connection_dropped() || e.is_io_error()) => {
                conn = self.connect()?;
                op(&mut conn)
            }
            other => other,
        };
        match result {
            Ok(v) => {
                let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
                let idle = pool.entry(self.key.clone()).or_default();
                if idle.len() < POOL_SIZE {
                    idle.push(conn);
                }
                Ok(v)
            }
            Err(e) => Err(self.error(e)),
        }
    }
}

fn random_holder_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::internal("no random bytes"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A lease held: a thread renews it every third of its lifetime until dropped; dropping it
/// stops the thread and releases the lease (if still ours).
struct HeldLease<'a> {
    store: &'a RedisStore,
    holder: String,
    stop: Option<mpsc::Sender<()>>,
    renewer: Option<std::thread::JoinHandle<()>>,
}

impl<'a> HeldLease<'a> {
    fn start(store: &'a RedisStore, holder: String) -> HeldLease<'a> {
        let (stop, stopped) = mpsc::channel::<()>();
        let renew = Renewer {
            server: store.server.clone(),
            lease_key: store.keys.lease.clone(),
            holder: holder.clone(),
            lease: store.location.lease,
            shown: store.describe(),
        };
        let renewer = std::thread::Builder::new()
            .name("authtoken-lease".into())
            .spawn(move || renew.run(stopped))
            .ok();
        HeldLease {
            store,
            holder,
            stop: Some(stop),
            renewer,
        }
    }
}

impl Drop for HeldLease<'_> {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.renewer.take() {
            let _ = t.join();
        }
        let released: Result<i64> = self.store.with_connection(|c| {
            RELEASE
                .key(&self.store.keys.lease)
                .arg(&self.holder)
                .invoke(c)
        });
        match released {
            Ok(1) => log_at!(Level::Debug, "lease released by {}", self.holder),
            Ok(_) => log_at!(
                Level::Warn,
                "the lease of {} had run out before its release",
                self.store.describe()
            ),
            // It runs out by itself.
            Err(e) => log_at!(Level::Warn, "the lease could not be released: {e}"),
        }
    }
}

/// What the renewing thread needs: it runs beside the refresh, on the pool's connections.
struct Renewer {
    server: Arc<Server>,
    lease_key: String,
    holder: String,
    lease: Duration,
    shown: String,
}

impl Renewer {
    fn run(self, stopped: mpsc::Receiver<()>) {
        while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(self.lease / 3) {
            let renewed: Result<i64> = self.server.with_connection(|c| {
                RENEW
                    .key(&self.lease_key)
                    .arg(&self.holder)
                    .arg(self.lease.as_millis() as u64)
                    .invoke(c)
            });
            match renewed {
                Ok(1) => {}
                Ok(_) => {
                    log_at!(
                        Level::Warn,
                        "the lease of {} was lost during a slow refresh",
                        self.shown
                    );
                    return;
                }
                Err(e) => log_at!(
                    Level::Warn,
                    "the lease of {} could not be renewed: {e}",
                    self.shown
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> ErrorKind {
        RedisLocation::parse(text).unwrap_err().kind()
    }

    #[test]
    fn urls() {
        let l = RedisLocation::parse("redis://u:p%40ss@127.0.0.1:6380/2?key=app:alice&lease=5")
            .unwrap();
        assert_eq!(l.key(), "app:alice");
        assert_eq!(l.lease(), Duration::from_secs(5));
        assert_eq!(l.connect_url, "redis://u:p%40ss@127.0.0.1:6380/2");
        assert_eq!(l.shown, "redis://127.0.0.1:6380/2");
        let shown = format!("{l:?}");
        assert!(!shown.contains("p%40ss"), "no password in Debug: {shown}");
        assert!(
            shown.contains("redis://127.0.0.1:6380/2") && shown.contains("app:alice"),
            "Debug says which server and key: {shown}"
        );
        let l = RedisLocation::parse("rediss://cache.example?key=k").unwrap();
        assert!(l.tls);
        assert_eq!(l.lease, DEFAULT_LEASE);
        for bad in [
            "redis://127.0.0.1:6379",
            "redis://127.0.0.1:6379/?key=",
            "redis://127.0.0.1:6379/?key=a&key=b",
            "redis://127.0.0.1:6379/?key=a&unknown=1",
            "redis://127.0.0.1:99999/?key=a",
            "redis://127.0.0.1:0/?key=a",
            "redis://127.0.0.1/x?key=a",
            "redis://127.0.0.1/?key=a&lease=0",
            "redis://127.0.0.1/?key=a&lease=abc",
            "redis://127.0.0.1/?key=a&lease=99999",
            "redis:///?key=a",
            "redis://127.0.0.1/?key=a#frag",
        ] {
            assert_eq!(kind(bad), ErrorKind::InvalidArgument, "{bad}");
        }
        let e = RedisLocation::parse("redis://u:hunter2@h/?nokey=1").unwrap_err();
        assert!(!e.message().contains("hunter2"), "{e}");
    }
}
