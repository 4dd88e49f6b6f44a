//! PKCE (RFC 7636) and the other random values of an authorization request (`state`, `nonce`):
//! randomness from aws-lc-rs, never from a hand-rolled generator.

use crate::config::Pkce;
use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `bytes` random bytes as unpadded base64url (43 characters for 32 bytes).
pub fn random_urlsafe(bytes: usize) -> Result<Secret> {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf)
        .map_err(|_| Error::internal("the system random generator failed"))?;
    let s = URL_SAFE_NO_PAD.encode(&buf);
    zeroize::Zeroize::zeroize(&mut buf);
    Ok(Secret::new(s))
}

/// `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
pub fn challenge_s256(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// A code verifier and what the authorization request carries for it.
#[derive(Debug, Clone)]
pub struct PkcePair {
    pub verifier: Secret,
    pub challenge: String,
    /// `S256` or `plain`.
    pub method: &'static str,
}

/// A fresh pair for the configured method; `None` for `AUTH_OPT_PKCE=none`.
pub fn new_pair(method: Pkce) -> Result<Option<PkcePair>> {
    // 32 random bytes: a 43-character verifier, the RFC's minimum length and 256 bits.
    let verifier = random_urlsafe(32)?;
    Ok(match method {
        Pkce::None => None,
        Pkce::S256 => Some(PkcePair {
            challenge: challenge_s256(verifier.expose()),
            verifier,
            method: "S256",
        }),
        Pkce::Plain => Some(PkcePair {
            challenge: verifier.expose().to_owned(),
            verifier,
            method: "plain",
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_unreserved_and_fresh() {
        let a = new_pair(Pkce::S256).unwrap().unwrap();
        let b = new_pair(Pkce::S256).unwrap().unwrap();
        assert_eq!(a.verifier.expose().len(), 43);
        assert!(
            a.verifier
                .expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        assert_eq!(a.challenge, challenge_s256(a.verifier.expose()));
        let p = new_pair(Pkce::Plain).unwrap().unwrap();
        assert_eq!(
            (p.method, p.challenge.as_str()),
            ("plain", p.verifier.expose())
        );
        assert!(new_pair(Pkce::None).unwrap().is_none());
    }
}
