//! JWT assertions this library signs (RFC 7523): the client assertion of `private_key_jwt`
//! client authentication (§2.2, §3) and the authorization grant of the JWT bearer grant (§2.1).

use crate::clock::unix_now;
use crate::config::JwtAlgorithm;
use crate::config::JwtSigner;
use crate::config::ParamOption;
use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Lifetime of a client assertion: it is used at once, so a short one limits replay.
pub const CLIENT_ASSERTION_LIFETIME: i64 = 60;
/// Lifetime of a grant assertion (RFC 7523 §3: "limits the time window").
pub const GRANT_ASSERTION_LIFETIME: i64 = 300;
/// Lifetime of a request object (RFC 9101 §10.2: short, used at once).
pub const REQUEST_OBJECT_LIFETIME: i64 = 300;
/// The `typ` of a request object (RFC 9101 §4).
pub const REQUEST_OBJECT_TYPE: &str = "oauth-authz-req+jwt";

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: String,
}

/// The claims an assertion carries besides the times and `jti`.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub audience: &'a str,
}

fn algorithm(a: JwtAlgorithm) -> Algorithm {
    match a {
        JwtAlgorithm::RS256 => Algorithm::RS256,
        JwtAlgorithm::RS384 => Algorithm::RS384,
        JwtAlgorithm::RS512 => Algorithm::RS512,
        JwtAlgorithm::PS256 => Algorithm::PS256,
        JwtAlgorithm::PS384 => Algorithm::PS384,
        JwtAlgorithm::PS512 => Algorithm::PS512,
        JwtAlgorithm::ES256 => Algorithm::ES256,
        JwtAlgorithm::ES384 => Algorithm::ES384,
        JwtAlgorithm::EdDSA => Algorithm::EdDSA,
    }
}

fn encoding_key(signer: &JwtSigner) -> Result<EncodingKey> {
    let pem = signer.private_key_pem.expose().as_bytes();
    let key = match signer.algorithm {
        JwtAlgorithm::RS256
        | JwtAlgorithm::RS384
        | JwtAlgorithm::RS512
        | JwtAlgorithm::PS256
        | JwtAlgorithm::PS384
        | JwtAlgorithm::PS512 => EncodingKey::from_rsa_pem(pem),
        JwtAlgorithm::ES256 | JwtAlgorithm::ES384 => EncodingKey::from_ec_pem(pem),
        JwtAlgorithm::EdDSA => EncodingKey::from_ed_pem(pem),
    };
    key.map_err(|e| {
        Error::invalid_argument(format!(
            "{jwt_private_key}: not a private key for {:?} ({e})",
            signer.algorithm,
            jwt_private_key = ParamOption::JwtPrivateKey
        ))
    })
}

/// A random `jti` (128 bits, base64url).
fn random_jti() -> Result<String> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| Error::internal("the system random generator failed"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Signs an assertion valid from now for `lifetime` seconds.
pub fn sign(signer: &JwtSigner, who: Subject<'_>, lifetime: i64) -> Result<Secret> {
    let now = unix_now();
    let claims = Claims {
        iss: who.issuer,
        sub: who.subject,
        aud: who.audience,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        jti: random_jti()?,
    };
    let mut header = Header::new(algorithm(signer.algorithm));
    header.kid = signer.key_id.clone();
    let key = encoding_key(signer)?;
    // A key of the wrong kind for the algorithm (an EC key with RS256, ...) fails here.
    jsonwebtoken::encode(&header, &claims, &key)
        .map(Secret::new)
        .map_err(|e| {
            Error::invalid_argument(format!(
                "{jwt_private_key}: cannot sign with {:?} ({e})",
                signer.algorithm,
                jwt_private_key = ParamOption::JwtPrivateKey
            ))
        })
}

/// A request object (RFC 9101 §4): `claims` (the authorization parameters and the JWT claims)
/// signed with the client's key, `typ` `oauth-authz-req+jwt`.
pub fn request_object(signer: &JwtSigner, claims: &serde_json::Value) -> Result<Secret> {
    let mut header = Header::new(algorithm(signer.algorithm));
    header.typ = Some(REQUEST_OBJECT_TYPE.to_owned());
    header.kid = signer.key_id.clone();
    let key = encoding_key(signer)?;
    jsonwebtoken::encode(&header, claims, &key)
        .map(Secret::new)
        .map_err(|e| {
            Error::invalid_argument(format!(
                "{jwt_private_key}: cannot sign the request object with {:?} ({e})",
                signer.algorithm,
                jwt_private_key = ParamOption::JwtPrivateKey
            ))
        })
}

/// The client assertion of `private_key_jwt` (RFC 7523 §3): `iss` = `sub` = the client id,
/// `aud` = the configured audience or else `default_audience` (the token endpoint).
pub fn client_assertion(
    signer: &JwtSigner,
    client_id: &str,
    default_audience: &str,
) -> Result<Secret> {
    if client_id.is_empty() {
        return Err(Error::invalid_argument(format!(
            "private_key_jwt needs {client_id} (it is the assertion's iss and sub)",
            client_id = ParamOption::ClientId
        )));
    }
    let audience = signer.audience.as_deref().unwrap_or(default_audience);
    sign(
        signer,
        Subject {
            issuer: client_id,
            subject: client_id,
            audience,
        },
        CLIENT_ASSERTION_LIFETIME,
    )
}

/// The authorization grant assertion (RFC 7523 §2.1): `iss` and `sub` as configured, by
/// default the client id; `aud` as configured, by default `default_audience`.
pub fn grant_assertion(
    signer: &JwtSigner,
    client_id: &str,
    default_audience: &str,
) -> Result<Secret> {
    let issuer = signer.issuer.as_deref().unwrap_or(client_id);
    let subject = signer.subject.as_deref().unwrap_or(client_id);
    if issuer.is_empty() || subject.is_empty() {
        return Err(Error::invalid_argument(format!(
            "the JWT assertion needs an issuer and a subject: set {client_id} or {jwt_issuer} and {jwt_subject}",
            client_id = ParamOption::ClientId,
            jwt_issuer = ParamOption::JwtIssuer,
            jwt_subject = ParamOption::JwtSubject
        )));
    }
    let audience = signer.audience.as_deref().unwrap_or(default_audience);
    if audience.is_empty() {
        return Err(Error::invalid_argument(format!(
            "the JWT assertion needs an audience: set {jwt_audience} or the token endpoint",
            jwt_audience = ParamOption::JwtAudience
        )));
    }
    sign(
        signer,
        Subject {
            issuer,
            subject,
            audience,
        },
        GRANT_ASSERTION_LIFETIME,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    // A throwaway P-256 key made for this test only.
    const EC_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPIuIDljFCxmbr0Zs
8v94PoZw9D9Y5Cfwp4Md3i3M3+ShRANCAASMd1XMuH6H6zmHhivfKla8lnSC/Dvn
zId+mjnsdWlaI8t1hna0B3128E7SQpF5/PFksT1Ix/+Dkc3usGJgg12a
-----END PRIVATE KEY-----";
    const EC_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEjHdVzLh+h+s5h4Yr3ypWvJZ0gvw7
58yHfpo57HVpWiPLdYZ2tAd9dvBO0kKRefzxZLE9SMf/g5HN7rBiYINdmg==
-----END PUBLIC KEY-----";

    fn signer(audience: Option<&str>) -> JwtSigner {
        JwtSigner {
            private_key_pem: Secret::new(EC_KEY),
            algorithm: JwtAlgorithm::ES256,
            key_id: Some("k1".into()),
            issuer: Some("someone-else".into()),
            subject: Some("user-1".into()),
            audience: audience.map(str::to_owned),
        }
    }

    fn decode(jwt: &str, aud: &str) -> (jsonwebtoken::Header, serde_json::Value) {
        let mut v = Validation::new(Algorithm::ES256);
        v.set_audience(&[aud]);
        let data = jsonwebtoken::decode::<serde_json::Value>(
            jwt,
            &DecodingKey::from_ec_pem(EC_PUB.as_bytes()).unwrap(),
            &v,
        )
        .unwrap();
        (data.header, data.claims)
    }

    #[test]
    fn client_assertion_is_issued_by_the_client_for_the_token_endpoint() {
        let jwt = client_assertion(&signer(None), "client-1", "https://idp/token").unwrap();
        let (header, claims) = decode(jwt.expose(), "https://idp/token");
        assert_eq!(header.kid.as_deref(), Some("k1"));
        assert_eq!(claims["iss"], "client-1");
        assert_eq!(claims["sub"], "client-1");
        let exp = claims["exp"].as_i64().unwrap();
        assert!(exp - claims["iat"].as_i64().unwrap() == CLIENT_ASSERTION_LIFETIME);
        let other = client_assertion(&signer(None), "client-1", "https://idp/token").unwrap();
        assert_ne!(
            decode(other.expose(), "https://idp/token").1["jti"],
            claims["jti"]
        );
    }

    #[test]
    fn grant_assertion_uses_the_configured_issuer_subject_and_audience() {
        let jwt = grant_assertion(
            &signer(Some("https://aud")),
            "client-1",
            "https://idp/token",
        )
        .unwrap();
        let (_, claims) = decode(jwt.expose(), "https://aud");
        assert_eq!(claims["iss"], "someone-else");
        assert_eq!(claims["sub"], "user-1");
    }

    #[test]
    fn wrong_key_kind_is_invalid_argument() {
        let mut s = signer(None);
        s.algorithm = JwtAlgorithm::RS256;
        let e = client_assertion(&s, "c", "https://idp/token").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(!e.message().contains("PRIVATE KEY-----"));
    }
}
