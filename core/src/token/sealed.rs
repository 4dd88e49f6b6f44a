//! Encryption at rest (`AUTH_OPT_STORE_KEY`): the serialized token sealed with AES-256-GCM
//! (aws-lc-rs), a fresh random nonce per write, the envelope's header as associated data, so
//! that a changed header, a cut or a flipped bit, or another key, fails to open.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "ATKE"
//! 4       1     envelope version (1)
//! 5       1     algorithm (1: AES-256-GCM)
//! 6       4     key id: the first 4 bytes of SHA-256("authtoken store key id" || key), so
//!               that "another key" can be told from "corrupt" in the log
//! 10      12    nonce
//! 22      n+16  the serialized token (docs/token-format.md), encrypted, then the GCM tag
//! ```

use crate::error::{Error, Result};
use crate::secret::SecretKey;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::Zeroizing;

pub const MAGIC: [u8; 4] = *b"ATKE";
const VERSION: u8 = 1;
const AES_256_GCM_ID: u8 = 1;
const HEADER_LEN: usize = 10 + NONCE_LEN;
const TAG_LEN: usize = 16;

/// Whether `bytes` are a sealed envelope (whatever its key).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

fn key_id(key: &SecretKey) -> [u8; 4] {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    ctx.update(b"authtoken store key id");
    ctx.update(key.expose());
    let digest = ctx.finish();
    let mut id = [0u8; 4];
    id.copy_from_slice(&digest.as_ref()[..4]);
    id
}

fn cipher(key: &SecretKey) -> Result<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, key.expose())
        .map(LessSafeKey::new)
        .map_err(|_| Error::internal("the store key cannot be used by AES-256-GCM"))
}

/// `plain` (a serialized token) sealed with `key`.
pub fn seal(key: &SecretKey, plain: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    aws_lc_rs::rand::fill(&mut nonce)
        .map_err(|_| Error::internal("no random bytes for the nonce"))?;
    let mut out = Vec::with_capacity(HEADER_LEN + plain.len() + TAG_LEN);
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    out.push(AES_256_GCM_ID);
    out.extend_from_slice(&key_id(key));
    out.extend_from_slice(&nonce);
    let mut body = Zeroizing::new(plain.to_vec());
    let tag = cipher(key)?
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&out[..HEADER_LEN]),
            body.as_mut_slice(),
        )
        .map_err(|_| Error::internal("the token could not be encrypted"))?;
    out.extend_from_slice(&body);
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// The plain bytes of an envelope made by [`seal`] with the same key; anything else (another
/// key, a change, a cut) is `Format` with a message that says which.
pub fn open(key: &SecretKey, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if sealed.len() < HEADER_LEN + TAG_LEN || !is_sealed(sealed) {
        return Err(Error::format(
            "not an encrypted token: too short or no \"ATKE\" magic",
        ));
    }
    if sealed[4] != VERSION || sealed[5] != AES_256_GCM_ID {
        return Err(Error::format(format!(
            "encrypted token envelope version {} algorithm {} is not supported",
            sealed[4], sealed[5]
        )));
    }
    if sealed[6..10] != key_id(key) {
        return Err(Error::format(
            "the token was encrypted with another store key",
        ));
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&sealed[10..HEADER_LEN]);
    let mut body = Zeroizing::new(sealed[HEADER_LEN..].to_vec());
    let plain_len = cipher(key)?
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(&sealed[..HEADER_LEN]),
            body.as_mut_slice(),
        )
        .map_err(|_| {
            Error::format("the encrypted token does not authenticate: it was changed or cut")
        })?
        .len();
    body.truncate(plain_len);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn key(b: u8) -> SecretKey {
        SecretKey::new([b; 32])
    }

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let plain = b"ATKN a serialized token with its refresh token";
        let a = seal(&key(1), plain).unwrap();
        let b = seal(&key(1), plain).unwrap();
        assert_ne!(a, b, "a fresh nonce per write");
        assert!(!a.windows(8).any(|w| w == &plain[..8]), "no clear bytes");
        assert_eq!(open(&key(1), &a).unwrap().as_slice(), plain);
    }

    #[test]
    fn another_key_every_cut_and_every_flipped_bit_fail() {
        let sealed = seal(&key(1), b"secret token bytes").unwrap();
        let e = open(&key(2), &sealed).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Format);
        assert!(e.message().contains("another store key"), "{e}");
        for n in 0..sealed.len() {
            assert!(open(&key(1), &sealed[..n]).is_err(), "cut at {n}");
        }
        for i in 0..sealed.len() {
            let mut c = sealed.clone();
            c[i] ^= 0x01;
            assert_eq!(
                open(&key(1), &c).unwrap_err().kind(),
                ErrorKind::Format,
                "byte {i}"
            );
        }
    }
}
