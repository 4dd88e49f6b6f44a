//! Where a session keeps its token: a store holds one opaque value (the serialized token,
//! sealed when a store key is set) and gives the session four operations: load, a conditional
//! write that never replaces a value the writer did not read, a lease around read → refresh →
//! write (single flight across processes, and machines for Redis), and delete.
//!
//! | location | store |
//! |---|---|
//! | a path, or `file:///absolute/path` | [`file::FileStore`]: the token file and its lock file |
//! | `redis://…?key=NAME` / `rediss://…` | [`redis::RedisStore`] |
//! | `keyring:SERVICE/ACCOUNT` | [`keyring::KeyringStore`]: the system's secret store |
//!
//! Hosts bring their own through [`TokenStore`] (the C library adapts a struct of callbacks).

pub mod file;
pub mod keyring;
pub mod redis;

use crate::config::Params;
use crate::error::{Error, Result};
use crate::secret::SecretKey;
use crate::token::{Token, format, sealed};
use std::path::PathBuf;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The stored value as one load saw it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The bytes, `None` when the store holds nothing.
    pub value: Option<Zeroizing<Vec<u8>>>,
    /// A version the store keeps with the value (Redis), 0 for stores that compare contents.
    pub version: u64,
}

impl Snapshot {
    pub fn absent() -> Snapshot {
        Snapshot::default()
    }

    pub fn of(value: Option<Vec<u8>>, version: u64) -> Snapshot {
        Snapshot {
            value: value.map(Zeroizing::new),
            version,
        }
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("bytes", &self.value.as_ref().map(|v| v.len()))
            .field("version", &self.version)
            .finish()
    }
}

/// What a conditional write did.
#[derive(Debug)]
pub enum Written {
    /// The value is stored; this is what the store holds now.
    Stored(Snapshot),
    /// The store no longer holds what the writer read (another writer came first): nothing was
    /// written, and this is what it holds.
    Conflict(Snapshot),
}

/// Held while alive: the store's single-flight lease.
pub type Lease<'a> = Box<dyn Send + 'a>;

/// A place that keeps one session's token. Implementations are thread-safe; a session calls
/// them one at a time.
pub trait TokenStore: Send + Sync {
    /// What the store is, for messages and the log: never a password or a value.
    fn describe(&self) -> String;

    /// The stored value now.
    fn load(&self) -> Result<Snapshot>;

    /// Stores `value` if the store still holds what `read` saw (`read.value == None`: that it
    /// is still empty), else says what it holds. The session calls it with the lease held.
    fn write(&self, value: &[u8], read: &Snapshot) -> Result<Written>;

    /// Removes the value (nothing stored is not an error).
    fn delete(&self) -> Result<()>;

    /// Waits for the lease that makes refreshes single-flight, at most `wait`
    /// (`ErrorKind::Timeout` then); held until the returned guard is dropped.
    fn lease(&self, wait: std::time::Duration) -> Result<Lease<'_>>;
}

/// A store location as given to `Session::open` / `auth_session_new`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Redis(redis::RedisLocation),
    Keyring { service: String, account: String },
}

impl Location {
    /// Reads a store URL or a path (API.md "Where sessions keep their token"): `redis://`,
    /// `rediss://`, `keyring:`, `file:` (absolute), anything else is a file path. A malformed
    /// URL is InvalidArgument, naming what is wrong (never the password).
    pub fn parse(text: &str) -> Result<Location> {
        if text.is_empty() {
            return Err(Error::invalid_argument(
                "the session's path is empty (give none for a session in memory only)",
            ));
        }
        let scheme = text
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        match scheme.as_str() {
            "redis" | "rediss" => redis::RedisLocation::parse(text).map(Location::Redis),
            "keyring" => keyring_location(&text["keyring:".len()..]),
            "file" => file_location(text),
            _ => Ok(Location::File(PathBuf::from(text))),
        }
    }

    /// The store at this location (no I/O yet), with the timeout and CA file of `params`.
    pub fn open(&self, params: &Params) -> Result<Arc<dyn TokenStore>> {
        Ok(match self {
            Location::File(path) => Arc::new(file::FileStore::new(path.clone())),
            Location::Redis(l) => Arc::new(redis::RedisStore::new(l.clone(), params)?),
            Location::Keyring { service, account } => {
                Arc::new(keyring::KeyringStore::new(service, account)?)
            }
        })
    }
}

fn keyring_location(rest: &str) -> Result<Location> {
    let bad = |why: &str| {
        Error::invalid_argument(format!(
            "keyring store: {why} (expected keyring:SERVICE/ACCOUNT)"
        ))
    };
    let (service, account) = rest.split_once('/').ok_or_else(|| bad("no '/'"))?;
    if service.is_empty() || account.is_empty() {
        return Err(bad("SERVICE and ACCOUNT must not be empty"));
    }
    if rest.chars().any(char::is_control) {
        return Err(bad("control characters"));
    }
    Ok(Location::Keyring {
        service: service.to_owned(),
        account: account.to_owned(),
    })
}

fn file_location(text: &str) -> Result<Location> {
    let url = url::Url::parse(text)
        .map_err(|e| Error::invalid_argument(format!("file store: not a URL ({e}): {text}")))?;
    if url
        .host_str()
        .is_some_and(|h| !h.is_empty() && h != "localhost")
    {
        return Err(Error::invalid_argument(format!(
            "file store: a file: URL names a local file, not one on '{}'",
            url.host_str().unwrap_or_default()
        )));
    }
    if !text.to_ascii_lowercase().starts_with("file:///") || url.query().is_some() {
        return Err(Error::invalid_argument(format!(
            "file store: '{text}' is not file:///absolute/path"
        )));
    }
    let path = url
        .to_file_path()
        .map_err(|()| Error::invalid_argument(format!("file store: '{text}' is not a path")))?;
    Ok(Location::File(path))
}

/// The bytes a store keeps for `token`: the serialized token, sealed when a key is set.
pub fn encode(token: &Token, key: Option<&SecretKey>) -> Result<Zeroizing<Vec<u8>>> {
    let plain = Zeroizing::new(format::serialize(token)?);
    match key {
        Some(k) => sealed::seal(k, &plain).map(Zeroizing::new),
        None => Ok(plain),
    }
}

/// The token in a stored value. With a key set, only a sealed value that opens with it is a
/// token; without one, a sealed value is refused with a message that says so.
pub fn decode(bytes: &[u8], key: Option<&SecretKey>) -> Result<Token> {
    match (key, sealed::is_sealed(bytes)) {
        (Some(k), true) => format::deserialize(&sealed::open(k, bytes)?),
        (Some(_), false) => Err(Error::format(
            "the stored token is not encrypted although a store key is set",
        )),
        (None, true) => Err(Error::format(
            "the stored token is encrypted and no store key is set",
        )),
        (None, false) => format::deserialize(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn kind(text: &str) -> ErrorKind {
        Location::parse(text).unwrap_err().kind()
    }

    #[test]
    fn a_snapshot_shows_its_size_and_version_never_its_bytes() {
        let shown = format!(
            "{:?}",
            Snapshot::of(Some(b"secret-token-bytes".to_vec()), 7)
        );
        assert!(shown.contains("Some(18)") && shown.contains("7"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn locations() {
        assert_eq!(
            Location::parse("some/file.bin").unwrap(),
            Location::File("some/file.bin".into())
        );
        assert_eq!(
            Location::parse("file:///var/lib/app/t.bin").unwrap(),
            Location::File("/var/lib/app/t.bin".into())
        );
        assert_eq!(
            Location::parse("file:///tmp/a%20b").unwrap(),
            Location::File("/tmp/a b".into())
        );
        assert_eq!(kind("file:relative/t.bin"), ErrorKind::InvalidArgument);
        assert_eq!(kind("file://host/t.bin"), ErrorKind::InvalidArgument);
        // Another machine's file is named as such (not taken for a malformed path).
        let remote = Location::parse("file://host/t.bin").unwrap_err();
        assert!(remote.message().contains("not one on 'host'"), "{remote}");
        assert_eq!(kind(""), ErrorKind::InvalidArgument);
        assert_eq!(
            Location::parse("keyring:my-app/alice@example.com").unwrap(),
            Location::Keyring {
                service: "my-app".into(),
                account: "alice@example.com".into()
            }
        );
        for bad in ["keyring:", "keyring:app", "keyring:/alice", "keyring:app/"] {
            assert_eq!(kind(bad), ErrorKind::InvalidArgument, "{bad}");
        }
    }
}
