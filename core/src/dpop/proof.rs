//! The DPoP proof JWT (RFC 9449 §4.2): `typ` `dpop+jwt`, the public key in `jwk`, and the
//! claims `jti`, `htm`, `htu`, `iat`, with `ath` for a resource request and `nonce` when the
//! server gave one.

use crate::clock::unix_now;
use crate::error::{Error, Result};
use crate::jose::KeyPair;
use crate::secret::Secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use url::Url;

/// The `typ` of a DPoP proof.
pub const TYP: &str = "dpop+jwt";

/// `htu` (RFC 9449 §4.2): the request URL without its query and fragment.
pub fn htu(url: &str) -> Result<String> {
    let mut u = Url::parse(url).map_err(|e| {
        Error::invalid_argument(format!("DPoP: '{url}' is not an absolute URL ({e})"))
    })?;
    if !matches!(u.scheme(), "https" | "http") {
        return Err(Error::invalid_argument(format!(
            "DPoP: '{url}' is not an http or https URL"
        )));
    }
    u.set_query(None);
    u.set_fragment(None);
    Ok(u.to_string())
}

/// `ath` (RFC 9449 §4.2): base64url of the SHA-256 of the access token.
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        access_token.as_bytes(),
    ))
}

/// An HTTP method is a token (RFC 9110 §9.1, §5.6.2), compared case-sensitively.
fn check_method(method: &str) -> Result<()> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if method.is_empty() || !method.chars().all(tchar) {
        return Err(Error::invalid_argument(format!(
            "DPoP: '{method}' is not an HTTP method"
        )));
    }
    Ok(())
}

/// A proof for `method` `url`, signed with `key`; `access_token` gives `ath`, `nonce` the
/// server's nonce. Each proof has a fresh `jti` (128 random bits).
pub fn proof(
    key: &KeyPair,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    nonce: Option<&str>,
) -> Result<Secret> {
    check_method(method)?;
    let mut jti = [0u8; 16];
    aws_lc_rs::rand::fill(&mut jti)
        .map_err(|_| Error::internal("the system random generator failed"))?;
    let mut claims = Map::new();
    claims.insert("jti".into(), Value::from(URL_SAFE_NO_PAD.encode(jti)));
    claims.insert("htm".into(), Value::from(method));
    claims.insert("htu".into(), Value::from(htu(url)?));
    claims.insert("iat".into(), Value::from(unix_now()));
    if let Some(token) = access_token {
        claims.insert("ath".into(), Value::from(ath(token)));
    }
    if let Some(n) = nonce {
        claims.insert("nonce".into(), Value::from(n));
    }
    let mut header = Map::new();
    header.insert("typ".into(), Value::from(TYP));
    header.insert("jwk".into(), Value::Object(key.public_jwk().clone()));
    key.sign_compact(header, &Value::Object(claims))
        .map(Secret::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(jwt: &str, i: usize) -> Value {
        let p = jwt.split('.').nth(i).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    }

    #[test]
    fn a_proof_has_the_claims_of_rfc_9449() {
        let key = KeyPair::generate_p256().unwrap();
        let p = proof(
            &key,
            "GET",
            "https://rs.example/api/x?y=1#frag",
            Some("at-123"),
            Some("n-1"),
        )
        .unwrap();
        let (header, claims) = (part(p.expose(), 0), part(p.expose(), 1));
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["kty"], "EC");
        assert!(header["jwk"].get("d").is_none(), "never the private part");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "https://rs.example/api/x");
        assert_eq!(claims["nonce"], "n-1");
        // RFC 9449 §7.1's example: ath of "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".
        assert_eq!(
            ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
        assert_eq!(claims["ath"], ath("at-123"));
        assert!((claims["iat"].as_i64().unwrap() - unix_now()).abs() < 5);
        let again = proof(&key, "GET", "https://rs.example/api/x", None, None).unwrap();
        assert_ne!(part(again.expose(), 1)["jti"], claims["jti"], "a fresh jti");
        assert!(part(again.expose(), 1).get("ath").is_none());
        assert!(part(again.expose(), 1).get("nonce").is_none());
    }

    #[test]
    fn bad_methods_and_urls_are_invalid_arguments() {
        let key = KeyPair::generate_p256().unwrap();
        for (m, u) in [
            ("", "https://x/"),
            ("GE T", "https://x/"),
            ("GET", "/relative"),
            ("GET", "ftp://x/"),
        ] {
            let e = proof(&key, m, u, None, None).unwrap_err();
            assert_eq!(
                e.kind(),
                crate::error::ErrorKind::InvalidArgument,
                "{m} {u}"
            );
        }
    }
}
