//! Token files: written atomically (temporary file in the same folder, fsync, rename, fsync of
//! the folder) with mode 0600 from creation, so a crash leaves the old file or the new one,
//! never half of one, and no other user can read it at any moment.

use crate::error::{Error, Result};
use crate::token::Token;
use crate::token::format;
use std::io::{Read, Write};
use std::path::Path;
use zeroize::Zeroize;

/// Writes `bytes` to `path` atomically, mode 0600; creates a missing folder with mode 0700.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if path.file_name().is_none() {
        return Err(Error::invalid_argument(format!(
            "'{shown}' is not a file path"
        )));
    }
    if !dir.exists() {
        create_private_dir(&dir)
            .map_err(|e| Error::io(format!("cannot create the folder of '{shown}': {e}")))?;
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".authtoken-").suffix(".tmp");
    // tempfile creates with 0600 already; saying it keeps that promise if its default changes.
    #[cfg(unix)]
    builder.permissions(private_file_permissions());
    let mut tmp = builder.tempfile_in(&dir).map_err(|e| {
        Error::io(format!(
            "cannot create a temporary file beside '{shown}': {e}"
        ))
    })?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io(format!("cannot write beside '{shown}': {e}")))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(format!("cannot flush beside '{shown}': {e}")))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("cannot replace '{shown}': {}", e.error)))?;
    sync_dir(&dir);
    Ok(())
}

/// Reads a whole file of at most `limit` bytes; a missing file names its path.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let shown = path.display();
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(format!("cannot read '{shown}': {e}")))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("cannot read '{shown}': {e}")))?;
    if bytes.len() as u64 > limit {
        bytes.zeroize();
        return Err(Error::format(format!(
            "'{shown}' is larger than any token file ({limit} bytes)"
        )));
    }
    Ok(bytes)
}

pub fn save(token: &Token, path: &Path) -> Result<()> {
    let mut bytes = format::serialize(token)?;
    let result = write_atomic(path, &bytes);
    bytes.zeroize();
    result
}

pub fn load(path: &Path) -> Result<Token> {
    let mut bytes = read_limited(path, (format::MAX_PAYLOAD + 64) as u64)?;
    let result =
        format::deserialize(&bytes).map_err(|e| e.context(&format!("'{}'", path.display())));
    bytes.zeroize();
    result
}

#[cfg(unix)]
fn private_file_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o600)
}

/// Creates `dir` and its missing parents, mode 0700 (the token's folder, the lock's folder).
#[cfg(unix)]
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // The rename is durable once the folder's entry is on disk.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn missing_file_names_its_path() {
        let e = load(Path::new("/nonexistent/dir/token.bin")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.message().contains("/nonexistent/dir/token.bin"));
    }

    /// A file of `len` zero bytes (sparse: quick to make at any size).
    fn zeros(dir: &Path, len: u64) -> std::path::PathBuf {
        let path = dir.join(format!("zeros-{len}"));
        std::fs::File::create(&path).unwrap().set_len(len).unwrap();
        path
    }

    #[test]
    fn reads_stop_one_byte_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_limited(&zeros(dir.path(), 10), 10).unwrap().len(), 10);
        let e = read_limited(&zeros(dir.path(), 11), 10).unwrap_err();
        assert!(e.message().contains("larger than any token file"), "{e:?}");
        // The largest file a token can make is read and judged by what it holds; a byte more
        // is refused unread.
        let largest = (format::MAX_PAYLOAD + 64) as u64;
        let e = load(&zeros(dir.path(), largest)).unwrap_err();
        assert!(!e.message().contains("larger than"), "{e:?}");
        let e = load(&zeros(dir.path(), largest + 1)).unwrap_err();
        assert!(e.message().contains("larger than any token file"), "{e:?}");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_and_folders_created_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/token.bin");
        write_atomic(&path, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        write_atomic(&path, b"yy").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"yy");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }
}
