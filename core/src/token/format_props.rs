//! Property tests of the binary token format: every token survives a round trip, and no
//! sequence of bytes makes deserialization do anything but succeed or fail with Format.

use super::Token;
use super::format::{deserialize, serialize};
use crate::config::{ClientAuth, ClientContext, Dpop, JwtAlgorithm, JwtSigner, Kind, Profile};
use crate::error::ErrorKind;
use crate::jose::KeyPair;
use crate::secret::Secret;
use proptest::prelude::*;
use std::sync::LazyLock;
use std::time::Duration;

/// One DPoP key for every case (making one per case would only test aws-lc-rs).
static DPOP_KEY: LazyLock<KeyPair> = LazyLock::new(|| KeyPair::generate_p256().unwrap());

fn text() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,40}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn token() -> impl Strategy<Value = Token> {
    (
        (
            "[^\u{0}]{1,60}",
            text(),
            opt_text(),
            any::<i64>(),
            text(),
            opt_text(),
            opt_text(),
            text(),
        ),
        (
            0u8..3,
            text(),
            opt_text(),
            0u8..5,
            opt_text(),
            opt_text(),
            opt_text(),
            opt_text(),
        ),
        (opt_text(), 1u32..100_000, 0u32..10_000, any::<bool>()),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec(text(), 0..3),
            opt_text(),
            opt_text(),
            opt_text(),
            opt_text(),
        ),
    )
        .prop_map(|(a, b, c, d)| {
            let (access, token_type, refresh, expires_at, scope, id_token, claims, raw) = a;
            let (kind, client_id, secret, auth, issuer, token_url, jwks, ca_file) = b;
            let (key, http_timeout, skew, with_jwt) = c;
            let (
                with_dpop,
                fapi2,
                resource,
                asked_details,
                granted_details,
                issued_token_type,
                par_url,
            ) = d;
            let mut context = ClientContext::empty();
            context.kind = [Kind::OAuth2, Kind::OpenId, Kind::Jwt][kind as usize];
            context.client_id = client_id;
            context.client_secret = secret.map(Secret::new);
            context.client_auth = [
                ClientAuth::Post,
                ClientAuth::Basic,
                ClientAuth::None,
                ClientAuth::PrivateKeyJwt,
                ClientAuth::TlsClientAuth,
            ][auth as usize];
            context.issuer = issuer;
            context.endpoints.token = token_url;
            context.endpoints.jwks = jwks;
            context.transport.ca_file = ca_file;
            context.transport.http_timeout = Duration::from_secs(http_timeout as u64);
            context.clock_skew = Duration::from_secs(skew as u64);
            if with_jwt {
                context.jwt = Some(JwtSigner {
                    private_key_pem: Secret::new("-----BEGIN PRIVATE KEY-----"),
                    algorithm: JwtAlgorithm::ES256,
                    key_id: key,
                    issuer: None,
                    subject: Some("svc".into()),
                    audience: None,
                });
            }
            if with_dpop {
                context.dpop = Dpop::Key(DPOP_KEY.clone());
            }
            if fapi2 {
                context.profile = Profile::Fapi2;
            }
            context.resource = resource;
            context.authorization_details = asked_details;
            context.endpoints.pushed_authorization = par_url;
            Token {
                access_token: Secret::new(access),
                token_type,
                refresh_token: refresh.map(Secret::new),
                expires_at,
                scope,
                id_token: id_token.map(Secret::new),
                id_token_claims: claims,
                server_response: Secret::new(raw),
                received_at: expires_at.wrapping_sub(60),
                authorization_details: granted_details,
                issued_token_type,
                context,
            }
        })
}

proptest! {
    #[test]
    fn every_token_round_trips(t in token()) {
        let bytes = serialize(&t).unwrap();
        prop_assert_eq!(bytes.capacity(), bytes.len(), "written at its exact size");
        prop_assert_eq!(deserialize(&bytes).unwrap(), t);
    }

    #[test]
    fn random_bytes_are_refused_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = deserialize(&bytes) {
            prop_assert_eq!(e.kind(), ErrorKind::Format);
        }
    }

    #[test]
    fn random_bytes_after_a_valid_header_are_refused_cleanly(
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut bytes = b"ATKN\x02\x00".to_vec();
        bytes.extend_from_slice(&(body.len() as u32 - 4.min(body.len() as u32)).to_le_bytes());
        bytes.extend_from_slice(&body);
        if let Err(e) = deserialize(&bytes) {
            prop_assert_eq!(e.kind(), ErrorKind::Format);
        }
    }

    #[test]
    fn flipping_any_byte_of_a_valid_token_is_detected(t in token(), index in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = serialize(&t).unwrap();
        let i = index.index(bytes.len());
        bytes[i] ^= 1 << bit;
        prop_assert_eq!(deserialize(&bytes).unwrap_err().kind(), ErrorKind::Format);
    }
}
