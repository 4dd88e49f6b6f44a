//! The operating system's secret store (`keyring:SERVICE/ACCOUNT`): the Secret Service on
//! Linux and the BSDs (GNOME Keyring, KWallet, over D-Bus), the Keychain on macOS, the
//! Credential Manager on Windows, through the keyring crates (keyring-core and one store per
//! system). One item per SERVICE/ACCOUNT (Secret Service attributes `service` and `username`),
//! holding the stored value as its secret. The lease is a lock file under the user's runtime
//! directory, so the user's processes refresh one at a time.

use super::{Lease, Snapshot, TokenStore, Written};
use crate::error::{Error, Result};
use crate::session::file_lock::FileLock;
use keyring_core::api::CredentialStore;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct KeyringStore {
    service: String,
    account: String,
    lock_path: PathBuf,
}

/// The system's store, connected on first use and again after a failure (a D-Bus session
/// that came up late, or went away).
static SYSTEM_STORE: Mutex<Option<Arc<CredentialStore>>> = Mutex::new(None);

fn system_store() -> Result<Arc<CredentialStore>> {
    let mut cached = SYSTEM_STORE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = cached.as_ref() {
        return Ok(s.clone());
    }
    let store = connect().map_err(|e| {
        Error::io(format!(
            "the system keyring cannot be reached ({e}){}",
            if cfg!(target_os = "linux") {
                "; a Secret Service (e.g. gnome-keyring-daemon) must run on the session D-Bus"
            } else {
                ""
            }
        ))
    })?;
    *cached = Some(store.clone());
    Ok(store)
}

fn forget_system_store() {
    *SYSTEM_STORE.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(zbus_secret_service_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(target_os = "windows")]
fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(not(any(unix, target_os = "windows")))]
fn connect() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(keyring_core::Error::NotSupportedByStore(
        "no system keyring on this platform".into(),
    ))
}

impl KeyringStore {
    /// The item SERVICE/ACCOUNT; nothing is read yet.
    pub fn new(service: &str, account: &str) -> Result<KeyringStore> {
        Ok(KeyringStore {
            service: service.to_owned(),
            account: account.to_owned(),
            lock_path: lock_path(service, account),
        })
    }

    fn entry(&self) -> Result<keyring_core::Entry> {
        let store = system_store()?;
        keyring_core::Entry::new_in_store(&store, &self.service, &self.account)
            .map_err(|e| self.error(e))
    }

    fn error(&self, e: keyring_core::Error) -> Error {
        if matches!(
            e,
            keyring_core::Error::PlatformFailure(_) | keyring_core::Error::NoStorageAccess(_)
        ) {
            forget_system_store();
        }
        Error::io(format!("keyring item {}: {e}", self.describe()))
    }
}

/// `$XDG_RUNTIME_DIR/authtoken/keyring-<digest of SERVICE/ACCOUNT>` (a `.lock` is added), or
/// a per-user folder in the temporary directory where there is no runtime directory.
fn lock_path(service: &str, account: &str) -> PathBuf {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d).join("authtoken"),
        None => {
            let user = std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "user".into());
            std::env::temp_dir().join(format!("authtoken-{user}"))
        }
    };
    let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    digest.update(service.as_bytes());
    digest.update(b"\0");
    digest.update(account.as_bytes());
    let name: String = digest.finish().as_ref()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    dir.join(format!("keyring-{name}"))
}

impl TokenStore for KeyringStore {
    fn describe(&self) -> String {
        format!("keyring:{}/{}", self.service, self.account)
    }

    fn load(&self) -> Result<Snapshot> {
        match self.entry()?.get_secret() {
            Ok(bytes) => Ok(Snapshot::of(Some(bytes), 0)),
            Err(keyring_core::Error::NoEntry) => Ok(Snapshot::absent()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Compares and writes under the lease (the session holds it when it writes).
    fn write(&self, value: &[u8], read: &Snapshot) -> Result<Written> {
        let now = self.load()?;
        if now.value != read.value {
            return Ok(Written::Conflict(now));
        }
        self.entry()?.set_secret(value).map_err(|e| self.error(e))?;
        Ok(Written::Stored(Snapshot::of(Some(value.to_vec()), 0)))
    }

    fn delete(&self) -> Result<()> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    fn lease(&self, _wait: Duration) -> Result<Lease<'_>> {
        Ok(Box::new(FileLock::acquire(&self.lock_path)?))
    }
}
