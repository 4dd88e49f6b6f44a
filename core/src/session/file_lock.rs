//! An advisory lock on a file beside the token file (`<path>.lock`), held around
//! read → refresh → write so that processes sharing a token file refresh one at a time. The OS
//! drops it when the holder's file is closed or the process dies, so a crash never leaves it
//! stuck (flock on Unix, LockFileEx on Windows, through `std::fs::File::lock`).

use crate::error::{Error, Result};
use crate::token::file::create_private_dir;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Held while alive.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// The lock file for a token file.
pub fn lock_path(token_path: &Path) -> PathBuf {
    let mut name = token_path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl FileLock {
    /// Waits for the lock of `token_path`, creating the lock file (mode 0600) and its folder
    /// (0700) when missing.
    pub fn acquire(token_path: &Path) -> Result<FileLock> {
        let path = lock_path(token_path);
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            create_private_dir(dir).map_err(|e| {
                Error::io(format!(
                    "cannot create the folder of '{}': {e}",
                    path.display()
                ))
            })?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(|e| {
            Error::io(format!(
                "cannot open the lock file '{}': {e}",
                path.display()
            ))
        })?;
        file.lock()
            .map_err(|e| Error::io(format!("cannot lock '{}': {e}", path.display())))?;
        Ok(FileLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn excludes_other_holders_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("t.bin");
        let inside = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (token, inside) = (token.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _lock = FileLock::acquire(&token).unwrap();
                        assert_eq!(
                            inside.fetch_add(1, Ordering::SeqCst),
                            0,
                            "two holders at once"
                        );
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    }
}
