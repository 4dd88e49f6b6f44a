//! A private signing key: EC P-256 (ES256), EC P-384 (ES384), Ed25519 (EdDSA) or RSA (PS256),
//! the algorithm following from the key. Parsed once; kept as PKCS#8 (wiped when dropped) so
//! that it can be stored with a token and read back.

use crate::error::{Error, Result};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
    KeyPair as _, RSA_PSS_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk, OctetKeyPairParameters, OctetKeyPairType, RSAKeyParameters,
    RSAKeyType, ThumbprintHash,
};
use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject;
use serde_json::{Map, Value, json};
use std::fmt;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The JWS algorithm a key signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// Ed25519.
    EdDSA,
    /// RSASSA-PSS with SHA-256.
    PS256,
}

impl SigningAlgorithm {
    /// The JOSE name (`alg`).
    pub fn name(self) -> &'static str {
        match self {
            SigningAlgorithm::ES256 => "ES256",
            SigningAlgorithm::ES384 => "ES384",
            SigningAlgorithm::EdDSA => "EdDSA",
            SigningAlgorithm::PS256 => "PS256",
        }
    }
}

enum Pair {
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

struct Inner {
    pair: Pair,
    algorithm: SigningAlgorithm,
    /// PKCS#8 v1 DER of the private key.
    pkcs8: Zeroizing<Vec<u8>>,
    /// The public key as a JWK with its required members only (RFC 7638 §3.2).
    public_jwk: Map<String, Value>,
    /// RFC 7638 SHA-256 thumbprint, base64url.
    thumbprint: String,
}

/// A private key and what follows from it. Cheap to clone (shared); equal when the keys are.
#[derive(Clone)]
pub struct KeyPair(Arc<Inner>);

impl KeyPair {
    /// A fresh EC P-256 key (ES256), made by aws-lc-rs.
    pub fn generate_p256() -> Result<KeyPair> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| Error::internal("cannot make an EC P-256 key"))?;
        let pkcs8 = pair
            .to_pkcs8v1()
            .map_err(|_| Error::internal("cannot encode a fresh EC P-256 key"))?;
        KeyPair::from_pkcs8(pkcs8.as_ref())
    }

    /// The key of PEM text: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA
    /// PRIVATE KEY`). The message says what is wrong, never what the text holds.
    pub fn from_pem(pem: &str) -> Result<KeyPair> {
        let der = PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
            Error::invalid_argument(format!("no private key in the PEM text ({e})"))
        })?;
        let pkcs8: Zeroizing<Vec<u8>> = match &der {
            PrivateKeyDer::Pkcs8(k) => Zeroizing::new(k.secret_pkcs8_der().to_vec()),
            PrivateKeyDer::Sec1(k) => {
                let bytes = k.secret_sec1_der();
                let pair =
                    EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes)
                        .or_else(|_| {
                            EcdsaKeyPair::from_private_key_der(
                                &ECDSA_P384_SHA384_FIXED_SIGNING,
                                bytes,
                            )
                        })
                        .map_err(|_| unsupported_key())?;
                let doc = pair.to_pkcs8v1().map_err(|_| unsupported_key())?;
                Zeroizing::new(doc.as_ref().to_vec())
            }
            PrivateKeyDer::Pkcs1(k) => {
                let pair =
                    RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(|_| unsupported_key())?;
                let doc: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
                    pair.as_der().map_err(|_| unsupported_key())?;
                Zeroizing::new(doc.as_ref().to_vec())
            }
            _ => return Err(unsupported_key()),
        };
        KeyPair::from_pkcs8(&pkcs8)
    }

    /// The key of PKCS#8 DER (as [`KeyPair::pkcs8_der`] gives it).
    pub fn from_pkcs8(der: &[u8]) -> Result<KeyPair> {
        let (pair, algorithm) =
            if let Ok(k) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der) {
                (Pair::Ec(k), SigningAlgorithm::ES256)
            } else if let Ok(k) = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, der) {
                (Pair::Ec(k), SigningAlgorithm::ES384)
            } else if let Ok(k) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
                (Pair::Ed(k), SigningAlgorithm::EdDSA)
            } else if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
                (Pair::Rsa(k), SigningAlgorithm::PS256)
            } else {
                return Err(unsupported_key());
            };
        let public_jwk = public_jwk(&pair, algorithm);
        let thumbprint = thumbprint(&public_jwk)?;
        Ok(KeyPair(Arc::new(Inner {
            pair,
            algorithm,
            pkcs8: Zeroizing::new(der.to_vec()),
            public_jwk,
            thumbprint,
        })))
    }

    /// The algorithm the key signs with.
    pub fn algorithm(&self) -> SigningAlgorithm {
        self.0.algorithm
    }

    /// The public key as a JWK object (`kty` and the key's own members).
    pub fn public_jwk(&self) -> &Map<String, Value> {
        &self.0.public_jwk
    }

    /// The RFC 7638 JWK SHA-256 thumbprint, base64url without padding.
    pub fn thumbprint(&self) -> &str {
        &self.0.thumbprint
    }

    /// The private key as PKCS#8 v1 DER: a secret.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.0.pkcs8
    }

    /// A compact JWS (RFC 7515 §7.1) of `claims`, with the protected header `header` plus
    /// `alg`. The signature is aws-lc-rs's.
    pub fn sign_compact(&self, mut header: Map<String, Value>, claims: &Value) -> Result<String> {
        header.insert("alg".into(), Value::from(self.0.algorithm.name()));
        let json = |v: &Value| {
            serde_json::to_vec(v).map_err(|e| Error::internal(format!("cannot encode a JWS: {e}")))
        };
        let mut out = URL_SAFE_NO_PAD.encode(json(&Value::Object(header))?);
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(json(claims)?));
        let signature = self.sign(out.as_bytes())?;
        out.push('.');
        out.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(out)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let failed = || Error::internal("the signature could not be made");
        match &self.0.pair {
            Pair::Ec(k) => k
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| failed()),
            Pair::Ed(k) => Ok(k.sign(message).as_ref().to_vec()),
            Pair::Rsa(k) => {
                let mut signature = vec![0; k.public_modulus_len()];
                k.sign(
                    &RSA_PSS_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|_| failed())?;
                Ok(signature)
            }
        }
    }
}

fn unsupported_key() -> Error {
    Error::invalid_argument(
        "the private key is not an EC P-256 or P-384, Ed25519 or RSA key that can sign",
    )
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn public_jwk(pair: &Pair, algorithm: SigningAlgorithm) -> Map<String, Value> {
    let jwk = match pair {
        Pair::Ec(k) => {
            // The uncompressed point: 0x04, x, y (each half of the rest).
            let point = &k.public_key().as_ref()[1..];
            let (x, y) = point.split_at(point.len() / 2);
            let crv = if algorithm == SigningAlgorithm::ES384 {
                "P-384"
            } else {
                "P-256"
            };
            json!({"kty": "EC", "crv": crv, "x": b64(x), "y": b64(y)})
        }
        Pair::Ed(k) => json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.public_key().as_ref())}),
        Pair::Rsa(k) => {
            let c = RsaPublicKeyComponents::<Vec<u8>>::from(k.public_key());
            json!({"kty": "RSA", "n": b64(&c.n), "e": b64(&c.e)})
        }
    };
    match jwk {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// RFC 7638: jsonwebtoken's thumbprint of the same members.
fn thumbprint(public: &Map<String, Value>) -> Result<String> {
    let text = |name: &str| {
        public
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let algorithm = match public.get("kty").and_then(Value::as_str) {
        Some("EC") => AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
            key_type: EllipticCurveKeyType::EC,
            curve: if text("crv") == "P-384" {
                EllipticCurve::P384
            } else {
                EllipticCurve::P256
            },
            x: text("x"),
            y: text("y"),
        }),
        Some("OKP") => AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
            key_type: OctetKeyPairType::OctetKeyPair,
            curve: EllipticCurve::Ed25519,
            x: text("x"),
        }),
        Some("RSA") => AlgorithmParameters::RSA(RSAKeyParameters {
            key_type: RSAKeyType::RSA,
            n: text("n"),
            e: text("e"),
        }),
        _ => return Err(Error::internal("a public JWK without a known kty")),
    };
    let jwk = Jwk {
        common: CommonParameters::default(),
        algorithm,
    };
    Ok(jwk.thumbprint(ThumbprintHash::SHA256))
}

impl PartialEq for KeyPair {
    fn eq(&self, other: &KeyPair) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.pkcs8[..] == other.0.pkcs8[..]
    }
}

impl Eq for KeyPair {}

/// Shows the algorithm and the thumbprint (public), never the key.
impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("algorithm", &self.0.algorithm)
            .field("thumbprint", &self.0.thumbprint)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7638 §3.1: the example RSA key's thumbprint.
    const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    #[test]
    fn thumbprint_of_the_rfc_7638_example() {
        let mut jwk = Map::new();
        jwk.insert("kty".into(), "RSA".into());
        jwk.insert("n".into(), RFC7638_N.into());
        jwk.insert("e".into(), "AQAB".into());
        assert_eq!(
            thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    fn verify(key: &KeyPair, jws: &str) -> Map<String, Value> {
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let alg = match header["alg"].as_str().unwrap() {
            "ES256" => jsonwebtoken::Algorithm::ES256,
            "ES384" => jsonwebtoken::Algorithm::ES384,
            "EdDSA" => jsonwebtoken::Algorithm::EdDSA,
            "PS256" => jsonwebtoken::Algorithm::PS256,
            other => panic!("{other}"),
        };
        let jwk: Jwk = serde_json::from_value(Value::Object(key.public_jwk().clone())).unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let message = format!("{}.{}", parts[0], parts[1]);
        assert!(
            jsonwebtoken::crypto::verify(parts[2], message.as_bytes(), &decoding, alg).unwrap(),
            "the signature verifies with the public JWK ({alg:?})"
        );
        header.as_object().unwrap().clone()
    }

    #[test]
    fn a_fresh_key_signs_what_its_public_jwk_verifies_and_round_trips_through_pkcs8() {
        let key = KeyPair::generate_p256().unwrap();
        assert_eq!(key.algorithm(), SigningAlgorithm::ES256);
        let mut header = Map::new();
        header.insert("typ".into(), "dpop+jwt".into());
        let jws = key.sign_compact(header, &json!({"a": 1})).unwrap();
        let h = verify(&key, &jws);
        assert_eq!(h["typ"], "dpop+jwt");
        let again = KeyPair::from_pkcs8(key.pkcs8_der()).unwrap();
        assert_eq!(again, key);
        assert_eq!(again.thumbprint(), key.thumbprint());
        assert_ne!(KeyPair::generate_p256().unwrap(), key, "each key is new");
        assert!(!format!("{key:?}").contains("pkcs8"));
    }

    #[test]
    fn every_kind_of_pem_key_is_read_and_signs() {
        for (pem, alg) in [
            (
                include_str!("../../../tests/provider/keys/client-ec.pem"),
                SigningAlgorithm::ES256,
            ),
            (
                include_str!("../../../tests/provider/keys/client-rsa.pem"),
                SigningAlgorithm::PS256,
            ),
        ] {
            let key = KeyPair::from_pem(pem).unwrap();
            assert_eq!(key.algorithm(), alg);
            verify(&key, &key.sign_compact(Map::new(), &json!({})).unwrap());
        }
        let p384 = EcdsaKeyPair::generate(&ECDSA_P384_SHA384_FIXED_SIGNING)
            .unwrap()
            .to_pkcs8v1()
            .unwrap();
        let key = KeyPair::from_pkcs8(p384.as_ref()).unwrap();
        assert_eq!(key.algorithm(), SigningAlgorithm::ES384);
        verify(&key, &key.sign_compact(Map::new(), &json!({})).unwrap());
        let ed = Ed25519KeyPair::generate().unwrap().to_pkcs8v1().unwrap();
        let key = KeyPair::from_pkcs8(ed.as_ref()).unwrap();
        assert_eq!(key.algorithm(), SigningAlgorithm::EdDSA);
        verify(&key, &key.sign_compact(Map::new(), &json!({})).unwrap());
        assert_eq!(key.public_jwk()["kty"], "OKP");
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_refused() {
        // aws-lc-rs takes none (FAPI 2.0 §5.4.1-2 holds in every profile).
        let e = KeyPair::from_pem(include_str!("../../../tests/keys/rsa-1024.pem")).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidArgument);
    }

    #[test]
    fn what_is_not_a_usable_private_key_is_refused_without_echoing_it() {
        for bad in [
            "not pem at all",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
        ] {
            let e = KeyPair::from_pem(bad).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::InvalidArgument, "{bad}");
            assert!(!e.message().contains("AAAA") && !e.message().contains("MC4C"));
        }
    }
}
