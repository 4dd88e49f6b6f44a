//! The token file (the store of version 0.1): written atomically with mode 0600
//! (`token::file`), its lease the advisory lock on `<path>.lock` (`session::file_lock`), so
//! processes of one machine sharing the file refresh one at a time. A write compares the file's
//! contents with what the writer read, under that lock.

use super::{Lease, Snapshot, TokenStore, Written};
use crate::error::{Error, ErrorKind, Result};
use crate::session::file_lock::FileLock;
use crate::token::{file, format};
use std::path::PathBuf;
use std::time::Duration;

pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: PathBuf) -> FileStore {
        FileStore { path }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// Far above any token, sealed or not; bounds what a hostile file makes us read.
const LIMIT: u64 = (format::MAX_PAYLOAD + 256) as u64;

impl TokenStore for FileStore {
    fn describe(&self) -> String {
        format!("'{}'", self.path.display())
    }

    fn load(&self) -> Result<Snapshot> {
        match file::read_limited(&self.path, LIMIT) {
            Ok(bytes) => Ok(Snapshot::of(Some(bytes), 0)),
            Err(e) if e.kind() == ErrorKind::Io && !self.path.exists() => Ok(Snapshot::absent()),
            Err(e) => Err(e),
        }
    }

    fn write(&self, value: &[u8], read: &Snapshot) -> Result<Written> {
        let now = self.load()?;
        if now.value != read.value {
            return Ok(Written::Conflict(now));
        }
        file::write_atomic(&self.path, value)?;
        Ok(Written::Stored(Snapshot::of(Some(value.to_vec()), 0)))
    }

    fn delete(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(format!(
                "cannot delete '{}': {e}",
                self.path.display()
            ))),
        }
    }

    /// The lock file's lock: the OS frees it when its holder dies, so it is waited for without
    /// a bound, as in version 0.1.
    fn lease(&self, _wait: Duration) -> Result<Lease<'_>> {
        Ok(Box::new(FileLock::acquire(&self.path)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a missing file is "no token": a file that cannot be read is an error, never taken
    /// for an empty store (a login would then overwrite what could not be read).
    #[test]
    fn only_a_missing_file_is_absent() {
        let dir = tempfile::tempdir().unwrap();
        let missing = FileStore::new(dir.path().join("missing.bin"));
        assert!(missing.load().unwrap().value.is_none());
        let unreadable = FileStore::new(dir.path().to_path_buf()); // a folder
        assert_eq!(unreadable.load().unwrap_err().kind(), ErrorKind::Io);
    }

    /// The largest sealed token is read (its envelope, 14 bytes, and the seal's header and
    /// tag, 22 + 16, around the largest payload); past the limit, a file is refused unread.
    #[test]
    fn reads_stop_at_the_limit() {
        let largest_sealed = 22 + 14 + format::MAX_PAYLOAD + 16;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        std::fs::write(&path, vec![0u8; largest_sealed]).unwrap();
        let read = FileStore::new(path.clone()).load().unwrap();
        assert_eq!(read.value.unwrap().len(), largest_sealed);
        std::fs::write(&path, vec![0u8; format::MAX_PAYLOAD + 257]).unwrap();
        assert!(FileStore::new(path).load().is_err());
    }
}
