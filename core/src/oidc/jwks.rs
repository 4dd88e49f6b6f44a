//! The provider's signing keys (JWKS, RFC 7517), fetched from its `jwks_uri` and cached per URL
//! for every caller in the process. A key id the cache does not know makes it fetch again (at
//! most once a minute per URL, so forged `kid`s cannot make us hammer the provider), and a set
//! is fetched again when its `Cache-Control` lifetime is over (within [`POLICY`]), so a
//! provider that rotates its keys keeps working without a restart.

use crate::config::TransportSettings;
use crate::error::{Error, Result};
use crate::log::{Level, log_at, redact_url};
use crate::transport::freshness::Policy;
use crate::transport::http::{self, Request};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// How long a fetched key set is used: a day when the provider says nothing, and never more; at
/// least five minutes whatever it says, since a key id the set lacks makes it fetch again
/// anyway (rate-limited by [`REFETCH_INTERVAL`]), so a shorter life would buy nothing.
pub const POLICY: Policy = Policy {
    default: Duration::from_secs(24 * 3600),
    floor: Duration::from_secs(300),
    ceiling: Duration::from_secs(24 * 3600),
};
/// Least time between two fetches caused by an unknown key id (or no verifying key).
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// What kind of key a JWK is, as far as choosing it for an algorithm goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
}

impl KeyType {
    /// Whether a key of this type can check a signature made with `alg`.
    pub fn fits(self, alg: Algorithm) -> bool {
        use Algorithm::*;
        matches!(
            (self, alg),
            (KeyType::Rsa, RS256 | RS384 | RS512 | PS256 | PS384 | PS512)
                | (KeyType::EcP256, ES256)
                | (KeyType::EcP384, ES384)
                | (KeyType::Ed25519, EdDSA)
        )
    }
}

/// One usable signing key of the set.
#[derive(Clone)]
pub struct Key {
    pub kid: Option<String>,
    /// The JWK's own `alg`, when it names one: the key is used for that algorithm only.
    pub alg: Option<String>,
    pub key_type: KeyType,
    pub decoding_key: DecodingKey,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("key_type", &self.key_type)
            .finish()
    }
}

impl Key {
    /// Whether this key may check a signature made with `alg` (its type fits, and its own
    /// `alg`, if any, is that one).
    pub fn fits(&self, alg: Algorithm) -> bool {
        self.key_type.fits(alg)
            && self
                .alg
                .as_deref()
                .is_none_or(|a| a == super::id_token::alg_name(alg))
    }
}

/// The usable signing keys of a JWKS document.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    pub keys: Vec<Key>,
    /// How many JWKs were skipped (encryption keys, unsupported or malformed ones).
    pub skipped: usize,
}

impl KeySet {
    /// The keys that may check a signature made with `alg` and, when given, key id `kid`.
    pub fn candidates(&self, alg: Algorithm, kid: Option<&str>) -> Vec<&Key> {
        self.keys
            .iter()
            .filter(|k| k.fits(alg) && kid.is_none_or(|kid| k.kid.as_deref() == Some(kid)))
            .collect()
    }
}

/// Reads a JWKS document. Keys for encryption, of an unsupported type or curve, or malformed
/// are skipped (a provider may publish keys we do not need); a document that is not a JSON
/// object with a `keys` array is a protocol error.
pub fn parse(body: &[u8]) -> Result<KeySet> {
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| Error::protocol(format!("the JWKS is not JSON: {e}")))?;
    let Some(list) = doc.get("keys").and_then(Value::as_array) else {
        return Err(Error::protocol(
            "the JWKS is not an object with a \"keys\" array",
        ));
    };
    let mut set = KeySet::default();
    for jwk in list {
        match key_of(jwk) {
            Some(k) => set.keys.push(k),
            None => set.skipped += 1,
        }
    }
    Ok(set)
}

/// The signing key a JWK describes, or None when it is not one we can use.
fn key_of(value: &Value) -> Option<Key> {
    let obj = value.as_object()?;
    // A key published for encryption must not verify signatures (RFC 7517 §4.2).
    if obj.get("use").and_then(Value::as_str) == Some("enc") {
        return None;
    }
    if let Some(ops) = obj.get("key_ops").and_then(Value::as_array)
        && !ops.iter().any(|o| o.as_str() == Some("verify"))
    {
        return None;
    }
    // Symmetric keys never come from a public JWKS (HS* uses the client secret).
    if !matches!(
        obj.get("kty").and_then(Value::as_str),
        Some("RSA" | "EC" | "OKP")
    ) {
        return None;
    }
    let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return None;
    }
    let key_type = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => KeyType::Rsa,
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => KeyType::EcP256,
            EllipticCurve::P384 => KeyType::EcP384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) => match p.curve {
            EllipticCurve::Ed25519 => KeyType::Ed25519,
            _ => return None,
        },
        AlgorithmParameters::OctetKey(_) => return None,
    };
    let decoding_key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(Key {
        kid: obj.get("kid").and_then(Value::as_str).map(str::to_owned),
        alg: obj.get("alg").and_then(Value::as_str).map(str::to_owned),
        key_type,
        decoding_key,
    })
}

struct Entry {
    set: Arc<KeySet>,
    fetched_at: Instant,
    /// How long the set may be used (its `Cache-Control`, within [`POLICY`]).
    lifetime: Duration,
    /// When a fetch was last forced by a key the set lacked.
    forced_at: Option<Instant>,
}

/// Why the keys are wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any keys: the cached set when it is fresh.
    Cached,
    /// The cached set lacked a fitting key: fetch again unless that was done less than
    /// [`REFETCH_INTERVAL`] ago.
    Newer,
}

/// What to do for a request, given the cache entry: pure, so the rules can be tested.
fn must_fetch(
    fetched: Option<(Instant, Duration)>,
    forced_at: Option<Instant>,
    need: Need,
    now: Instant,
) -> bool {
    let Some((fetched_at, lifetime)) = fetched else {
        return true;
    };
    if now.saturating_duration_since(fetched_at) >= lifetime {
        return true;
    }
    match need {
        Need::Cached => false,
        Need::Newer => {
            forced_at.is_none_or(|f| now.saturating_duration_since(f) >= REFETCH_INTERVAL)
        }
    }
}

static CACHE: LazyLock<Mutex<HashMap<String, Entry>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The key set at `url`, and whether it was fetched just now (a fetch forced by `Need::Newer`
/// that the rate limit refused gives the cached set and `false`).
pub async fn keys(
    url: &str,
    transport: &TransportSettings,
    need: Need,
) -> Result<(Arc<KeySet>, bool)> {
    let now = Instant::now();
    {
        let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        let entry = cache.get(url);
        if !must_fetch(
            entry.map(|e| (e.fetched_at, e.lifetime)),
            entry.and_then(|e| e.forced_at),
            need,
            now,
        ) && let Some(e) = entry
        {
            return Ok((e.set.clone(), false));
        }
    }
    if need == Need::Newer {
        // Claim the slot before fetching, so concurrent callers do not all fetch.
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = cache.get_mut(url) {
            e.forced_at = Some(now);
        }
    }
    let (set, max_age) = fetch(url, transport).await?;
    let set = Arc::new(set);
    let lifetime = POLICY.lifetime(max_age);
    log_at!(
        Level::Debug,
        "JWKS {}: {} usable key(s), {} skipped, kept {} s",
        redact_url(url),
        set.keys.len(),
        set.skipped,
        lifetime.as_secs()
    );
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let forced_at = match need {
        Need::Newer => Some(now),
        Need::Cached => cache.get(url).and_then(|e| e.forced_at),
    };
    cache.insert(
        url.to_owned(),
        Entry {
            set: set.clone(),
            fetched_at: Instant::now(),
            lifetime,
            forced_at,
        },
    );
    Ok((set, true))
}

async fn fetch(url: &str, transport: &TransportSettings) -> Result<(KeySet, Option<Duration>)> {
    let response = http::send(transport, &Request::get(url))
        .await
        .map_err(|e| e.context("fetching the provider's keys (JWKS)"))?;
    if !response.is_success() {
        return Err(Error::protocol(format!(
            "the provider's keys (JWKS) at {} answered HTTP {}",
            redact_url(url),
            response.status
        ))
        .with_http_status(response.status));
    }
    let set = parse(&response.body).map_err(|e| e.with_http_status(response.status))?;
    Ok((set, response.max_age))
}

/// How much longer the cached key set at `url` stays fresh; `None` when none is cached or it
/// is stale.
pub fn fresh_for(url: &str) -> Option<Duration> {
    CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(url)
        .and_then(|e| e.lifetime.checked_sub(e.fetched_at.elapsed()))
        .filter(|d| !d.is_zero())
}

/// Forgets every cached key set (tests, and hosts that know the provider changed its keys).
pub fn clear_cache() {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_rules() {
        let now = Instant::now() + Duration::from_secs(3 * 24 * 3600);
        // nothing cached
        assert!(must_fetch(None, None, Need::Cached, now));
        // fresh set
        let day = POLICY.lifetime(None);
        let fresh = Some((now - Duration::from_secs(10), day));
        assert!(!must_fetch(fresh, None, Need::Cached, now));
        // a day old
        let old = Some((now - day, day));
        assert!(must_fetch(old, None, Need::Cached, now));
        // its Cache-Control said ten minutes
        let ten = POLICY.lifetime(Some(Duration::from_secs(600)));
        assert!(!must_fetch(
            Some((now - Duration::from_secs(599), ten)),
            None,
            Need::Cached,
            now
        ));
        assert!(must_fetch(
            Some((now - Duration::from_secs(600), ten)),
            None,
            Need::Cached,
            now
        ));
        // no-cache: five minutes all the same
        assert_eq!(POLICY.lifetime(Some(Duration::ZERO)), POLICY.floor);
        // unknown kid: first forced fetch is allowed, a second within a minute is not
        assert!(must_fetch(fresh, None, Need::Newer, now));
        assert!(!must_fetch(
            fresh,
            Some(now - Duration::from_secs(30)),
            Need::Newer,
            now
        ));
        assert!(must_fetch(
            fresh,
            Some(now - REFETCH_INTERVAL),
            Need::Newer,
            now
        ));
    }

    #[test]
    fn malformed_documents_and_keys() {
        assert_eq!(
            parse(b"<html>").unwrap_err().kind(),
            crate::error::ErrorKind::Protocol
        );
        assert_eq!(
            parse(b"[1,2]").unwrap_err().kind(),
            crate::error::ErrorKind::Protocol
        );
        assert_eq!(
            parse(br#"{"keys": {}}"#).unwrap_err().kind(),
            crate::error::ErrorKind::Protocol
        );
        let set = parse(
            br#"{"keys": [
                1, "x", {}, {"kty": "RSA"}, {"kty": "RSA", "n": "%%%", "e": "AQAB"},
                {"kty": "oct", "k": "c2VjcmV0"},
                {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
                {"kty": "RSA", "use": "enc", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"},
                {"kty": "RSA", "kid": "r1", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(set.keys.len(), 1);
        assert_eq!(set.keys[0].kid.as_deref(), Some("r1"));
        assert_eq!(set.skipped, 8);
        assert_eq!(set.candidates(Algorithm::RS256, None).len(), 1);
        assert_eq!(set.candidates(Algorithm::RS256, Some("r2")).len(), 0);
        assert_eq!(set.candidates(Algorithm::ES256, None).len(), 0);
    }
}
