//! The latest `DPoP-Nonce` of each server (RFC 9449 §8, §9), kept for the process: the one
//! place nonces live. A server is an origin (scheme, host, port), so the token endpoint and the
//! PAR endpoint of a provider share one nonce, and a resource server has its own.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use url::Url;

/// Beyond this many servers the memory starts again (a nonce lost costs one retry).
const MAX_SERVERS: usize = 1024;

static NONCES: LazyLock<Mutex<HashMap<String, String>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The origin of `url` (`https://idp.example:8443`), or None for a URL without one.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The latest nonce the server of `url` sent, if any.
pub fn latest(url: &str) -> Option<String> {
    let origin = origin_of(url)?;
    NONCES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&origin)
        .cloned()
}

/// Remembers `nonce` as the latest of the server of `url`. A nonce is printable ASCII without
/// spaces (RFC 9449 §8.1); anything else is not kept.
pub fn remember(url: &str, nonce: &str) {
    let printable = !nonce.is_empty() && nonce.bytes().all(|b| (0x21..=0x7e).contains(&b));
    let Some(origin) = origin_of(url).filter(|_| printable) else {
        return;
    };
    let mut nonces = NONCES.lock().unwrap_or_else(|e| e.into_inner());
    if nonces.len() >= MAX_SERVERS && !nonces.contains_key(&origin) {
        nonces.clear();
    }
    nonces.insert(origin, nonce.to_owned());
}

/// Forgets every nonce (tests).
pub fn forget_all() {
    NONCES.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_nonce_per_origin() {
        remember("https://nonce-test.example/token", "n1");
        assert_eq!(
            latest("https://nonce-test.example/par?x=1").as_deref(),
            Some("n1"),
            "same origin, other path"
        );
        assert_eq!(latest("https://nonce-test.example:8443/token"), None);
        assert_eq!(latest("http://nonce-test.example/token"), None);
        remember("https://nonce-test.example/token", "n2");
        assert_eq!(
            latest("https://nonce-test.example/token").as_deref(),
            Some("n2")
        );
        remember("https://nonce-test.example/token", "bad nonce");
        assert_eq!(
            latest("https://nonce-test.example/token").as_deref(),
            Some("n2"),
            "a nonce with a space is not a nonce"
        );
    }
}
