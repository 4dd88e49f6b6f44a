//! The binary token format (WLanguage `Serialize(token, buf, psdBinary)`): a small versioned
//! envelope around a postcard record. Layout and rules: docs/token-format.md.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "ATKN"
//! 4       1     format version (2; 1 is still read)
//! 5       1     flags (0; any other value is refused)
//! 6       4     payload length n, u32 little-endian
//! 10      n     payload: TokenRecordV2 (version 1: TokenRecordV1), postcard
//! 10+n    4     CRC-32 (IEEE) of bytes 0..10+n, u32 little-endian
//! ```

use crate::config::{ClientAuth, JwtAlgorithm, Kind, Profile};
use crate::config::{ClientContext, Dpop, Endpoints, JwtSigner, TransportSettings};
use crate::error::{Error, Result};
use crate::jose::KeyPair;
use crate::secret::Secret;
use crate::token::Token;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use zeroize::Zeroize;

pub const MAGIC: [u8; 4] = *b"ATKN";
/// The version written. Every older one is still read.
pub const FORMAT_VERSION: u8 = 2;
const HEADER_LEN: usize = 10;
const TRAILER_LEN: usize = 4;
/// Far above any real token; bounds what a hostile file can make us allocate.
pub const MAX_PAYLOAD: usize = 16 * 1024 * 1024;

/// Version 1 of the record. Field order is the wire order: never reorder, never remove; a new
/// field means version 2 (old versions stay readable).
#[derive(Serialize, Deserialize, Zeroize)]
#[zeroize(drop)]
struct TokenRecordV1 {
    access_token: String,
    token_type: String,
    refresh_token: Option<String>,
    expires_at: i64,
    scope: String,
    id_token: Option<String>,
    id_token_claims: Option<String>,
    server_response: String,
    received_at: i64,
    kind: u8,
    client_id: String,
    client_secret: Option<String>,
    client_auth: u8,
    issuer: Option<String>,
    configuration_url: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    jwks_uri: Option<String>,
    device_authorization_endpoint: Option<String>,
    jwt_private_key: Option<String>,
    jwt_algorithm: u8,
    jwt_key_id: Option<String>,
    jwt_issuer: Option<String>,
    jwt_subject: Option<String>,
    jwt_audience: Option<String>,
    http_timeout_secs: u32,
    clock_skew_secs: u32,
    ca_file: Option<String>,
    proxy: Option<String>,
    client_certificate: Option<String>,
    client_certificate_password: Option<String>,
}

/// Version 2: the fields of version 1, then those of sender-constrained tokens and modern
/// authorization requests. postcard writes a nested struct as its fields in order, so this is
/// the version 1 record followed by the new fields.
#[derive(Serialize, Deserialize, Zeroize)]
#[zeroize(drop)]
struct TokenRecordV2 {
    v1: TokenRecordV1,
    /// PKCS#8 DER of the DPoP key the token is bound to (RFC 9449).
    dpop_key: Option<Vec<u8>>,
    /// 0 default, 1 fapi2.
    profile: u8,
    /// RFC 8707 resource indicators sent with its token requests.
    resource: Vec<String>,
    /// RFC 9396 authorization details asked for (JSON array text).
    requested_authorization_details: Option<String>,
    /// RFC 9396 authorization details granted (JSON array text).
    authorization_details: Option<String>,
    pushed_authorization_endpoint: Option<String>,
    /// RFC 8693 `issued_token_type` of an exchanged token.
    issued_token_type: Option<String>,
}

fn profile_code(p: Profile) -> u8 {
    match p {
        Profile::Default => 0,
        Profile::Fapi2 => 1,
    }
}

fn profile_of(c: u8) -> Result<Profile> {
    match c {
        0 => Ok(Profile::Default),
        1 => Ok(Profile::Fapi2),
        _ => Err(Error::format(format!("unknown profile {c} in the token"))),
    }
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::OAuth2 => 0,
        Kind::OpenId => 1,
        Kind::Jwt => 2,
    }
}

fn kind_of(c: u8) -> Result<Kind> {
    Ok(match c {
        0 => Kind::OAuth2,
        1 => Kind::OpenId,
        2 => Kind::Jwt,
        _ => {
            return Err(Error::format(format!(
                "unknown parameters kind {c} in the token"
            )));
        }
    })
}

fn auth_code(a: ClientAuth) -> u8 {
    match a {
        ClientAuth::Post => 0,
        ClientAuth::Basic => 1,
        ClientAuth::None => 2,
        ClientAuth::PrivateKeyJwt => 3,
        ClientAuth::TlsClientAuth => 4,
    }
}

fn auth_of(c: u8) -> Result<ClientAuth> {
    Ok(match c {
        0 => ClientAuth::Post,
        1 => ClientAuth::Basic,
        2 => ClientAuth::None,
        3 => ClientAuth::PrivateKeyJwt,
        4 => ClientAuth::TlsClientAuth,
        _ => {
            return Err(Error::format(format!(
                "unknown client authentication {c} in the token"
            )));
        }
    })
}

const ALGORITHMS: [JwtAlgorithm; 9] = [
    JwtAlgorithm::RS256,
    JwtAlgorithm::RS384,
    JwtAlgorithm::RS512,
    JwtAlgorithm::PS256,
    JwtAlgorithm::PS384,
    JwtAlgorithm::PS512,
    JwtAlgorithm::ES256,
    JwtAlgorithm::ES384,
    JwtAlgorithm::EdDSA,
];

fn alg_code(a: JwtAlgorithm) -> u8 {
    ALGORITHMS.iter().position(|x| *x == a).unwrap_or(0) as u8
}

fn alg_of(c: u8) -> Result<JwtAlgorithm> {
    ALGORITHMS
        .get(c as usize)
        .copied()
        .ok_or_else(|| Error::format(format!("unknown JWT algorithm {c} in the token")))
}

fn expose(s: &Option<Secret>) -> Option<String> {
    s.as_ref().map(|s| s.expose().to_owned())
}

fn record_of(t: &Token) -> TokenRecordV2 {
    let c = &t.context;
    TokenRecordV2 {
        v1: record_v1_of(t),
        dpop_key: c.dpop.key().map(|k| k.pkcs8_der().to_vec()),
        profile: profile_code(c.profile),
        resource: c.resource.clone(),
        requested_authorization_details: c.authorization_details.clone(),
        authorization_details: t.authorization_details.clone(),
        pushed_authorization_endpoint: c.endpoints.pushed_authorization.clone(),
        issued_token_type: t.issued_token_type.clone(),
    }
}

fn record_v1_of(t: &Token) -> TokenRecordV1 {
    let c = &t.context;
    let e = &c.endpoints;
    TokenRecordV1 {
        access_token: t.access_token.expose().to_owned(),
        token_type: t.token_type.clone(),
        refresh_token: expose(&t.refresh_token),
        expires_at: t.expires_at,
        scope: t.scope.clone(),
        id_token: expose(&t.id_token),
        id_token_claims: t.id_token_claims.clone(),
        server_response: t.server_response.expose().to_owned(),
        received_at: t.received_at,
        kind: kind_code(c.kind),
        client_id: c.client_id.clone(),
        client_secret: expose(&c.client_secret),
        client_auth: auth_code(c.client_auth),
        issuer: c.issuer.clone(),
        configuration_url: c.configuration_url.clone(),
        authorization_endpoint: e.authorization.clone(),
        token_endpoint: e.token.clone(),
        revocation_endpoint: e.revocation.clone(),
        introspection_endpoint: e.introspection.clone(),
        userinfo_endpoint: e.userinfo.clone(),
        end_session_endpoint: e.end_session.clone(),
        jwks_uri: e.jwks.clone(),
        device_authorization_endpoint: e.device_authorization.clone(),
        jwt_private_key: c
            .jwt
            .as_ref()
            .map(|j| j.private_key_pem.expose().to_owned()),
        jwt_algorithm: c.jwt.as_ref().map(|j| alg_code(j.algorithm)).unwrap_or(0),
        jwt_key_id: c.jwt.as_ref().and_then(|j| j.key_id.clone()),
        jwt_issuer: c.jwt.as_ref().and_then(|j| j.issuer.clone()),
        jwt_subject: c.jwt.as_ref().and_then(|j| j.subject.clone()),
        jwt_audience: c.jwt.as_ref().and_then(|j| j.audience.clone()),
        http_timeout_secs: c.transport.http_timeout.as_secs().min(u32::MAX as u64) as u32,
        clock_skew_secs: c.clock_skew.as_secs().min(u32::MAX as u64) as u32,
        ca_file: c.transport.ca_file.clone(),
        proxy: c.transport.proxy.clone(),
        client_certificate: c.transport.client_certificate.clone(),
        client_certificate_password: expose(&c.transport.client_certificate_password),
    }
}

fn token_of(r: &TokenRecordV2) -> Result<Token> {
    // The rule of version 1's strings, for the strings version 2 added (C reads them too).
    let optional = [
        &r.requested_authorization_details,
        &r.authorization_details,
        &r.pushed_authorization_endpoint,
        &r.issued_token_type,
    ];
    let mut strings = r.resource.iter().chain(optional.into_iter().flatten());
    if strings.any(|s| s.contains('\0')) {
        return Err(Error::format("the serialized token holds a NUL character"));
    }
    let mut token = token_of_v1(&r.v1)?;
    let c = &mut token.context;
    if let Some(der) = &r.dpop_key {
        let key = KeyPair::from_pkcs8(der)
            .map_err(|_| Error::format("the serialized token's DPoP key is not a usable key"))?;
        c.dpop = Dpop::Key(key);
    }
    c.profile = profile_of(r.profile)?;
    c.resource = r.resource.clone();
    c.authorization_details = r.requested_authorization_details.clone();
    c.endpoints.pushed_authorization = r.pushed_authorization_endpoint.clone();
    token.authorization_details = r.authorization_details.clone();
    token.issued_token_type = r.issued_token_type.clone();
    Ok(token)
}

fn token_of_v1(r: &TokenRecordV1) -> Result<Token> {
    if r.access_token.is_empty() {
        return Err(Error::format("the serialized token has no access token"));
    }
    let strings = [
        &r.access_token,
        &r.token_type,
        &r.scope,
        &r.server_response,
        &r.client_id,
    ];
    if strings.iter().any(|s| s.contains('\0')) {
        return Err(Error::format("the serialized token holds a NUL character"));
    }
    let secret = |s: &Option<String>| s.as_ref().map(|v| Secret::new(v.as_str()));
    let jwt = match &r.jwt_private_key {
        Some(pem) => Some(JwtSigner {
            private_key_pem: Secret::new(pem.as_str()),
            algorithm: alg_of(r.jwt_algorithm)?,
            key_id: r.jwt_key_id.clone(),
            issuer: r.jwt_issuer.clone(),
            subject: r.jwt_subject.clone(),
            audience: r.jwt_audience.clone(),
        }),
        None => None,
    };
    if r.http_timeout_secs == 0 {
        return Err(Error::format(
            "the serialized token has an HTTP timeout of 0",
        ));
    }
    Ok(Token {
        access_token: Secret::new(r.access_token.as_str()),
        token_type: r.token_type.clone(),
        refresh_token: secret(&r.refresh_token),
        expires_at: r.expires_at,
        scope: r.scope.clone(),
        id_token: secret(&r.id_token),
        id_token_claims: r.id_token_claims.clone(),
        server_response: Secret::new(r.server_response.as_str()),
        received_at: r.received_at,
        context: ClientContext {
            kind: kind_of(r.kind)?,
            client_id: r.client_id.clone(),
            client_secret: secret(&r.client_secret),
            client_auth: auth_of(r.client_auth)?,
            issuer: r.issuer.clone(),
            configuration_url: r.configuration_url.clone(),
            endpoints: Endpoints {
                authorization: r.authorization_endpoint.clone(),
                token: r.token_endpoint.clone(),
                revocation: r.revocation_endpoint.clone(),
                introspection: r.introspection_endpoint.clone(),
                userinfo: r.userinfo_endpoint.clone(),
                end_session: r.end_session_endpoint.clone(),
                jwks: r.jwks_uri.clone(),
                device_authorization: r.device_authorization_endpoint.clone(),
                pushed_authorization: None,
            },
            jwt,
            transport: TransportSettings {
                http_timeout: Duration::from_secs(r.http_timeout_secs as u64),
                ca_file: r.ca_file.clone(),
                proxy: r.proxy.clone(),
                client_certificate: r.client_certificate.clone(),
                client_certificate_password: secret(&r.client_certificate_password),
            },
            clock_skew: Duration::from_secs(r.clock_skew_secs as u64),
            dpop: Dpop::Off,
            profile: Profile::Default,
            resource: Vec::new(),
            authorization_details: None,
        },
        authorization_details: None,
        issued_token_type: None,
    })
}

/// The token as bytes. The buffer holds secrets: wipe it when done.
pub fn serialize(token: &Token) -> Result<Vec<u8>> {
    let record = record_of(token);
    let mut payload = postcard::to_stdvec(&record)
        .map_err(|e| Error::internal(format!("cannot encode the token: {e}")))?;
    if payload.len() > MAX_PAYLOAD {
        payload.zeroize();
        return Err(Error::format("the token is too large to serialize"));
    }
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + TRAILER_LEN);
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT_VERSION);
    out.push(0);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&payload);
    payload.zeroize();
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// A token from bytes made by [`serialize`]: anything else, cut or changed is `Format`.
pub fn deserialize(bytes: &[u8]) -> Result<Token> {
    if bytes.len() < HEADER_LEN + TRAILER_LEN {
        return Err(Error::format(format!(
            "not a serialized token: {} bytes is shorter than the {}-byte envelope",
            bytes.len(),
            HEADER_LEN + TRAILER_LEN
        )));
    }
    if bytes[0..4] != MAGIC {
        return Err(Error::format(
            "not a serialized token: the magic bytes are not \"ATKN\"",
        ));
    }
    let version = bytes[4];
    if !(1..=FORMAT_VERSION).contains(&version) {
        return Err(Error::format(format!(
            "serialized token format version {version} is not supported (this library reads versions 1 to {FORMAT_VERSION})"
        )));
    }
    if bytes[5] != 0 {
        return Err(Error::format(format!(
            "serialized token has unknown flags {:#04x}",
            bytes[5]
        )));
    }
    let len = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize;
    if len > MAX_PAYLOAD || HEADER_LEN + len + TRAILER_LEN != bytes.len() {
        return Err(Error::format(format!(
            "serialized token is truncated or has trailing bytes: the envelope announces {len} bytes of payload, {} are there",
            bytes.len().saturating_sub(HEADER_LEN + TRAILER_LEN)
        )));
    }
    let body_end = HEADER_LEN + len;
    let stored = u32::from_le_bytes([
        bytes[body_end],
        bytes[body_end + 1],
        bytes[body_end + 2],
        bytes[body_end + 3],
    ]);
    if crc32fast::hash(&bytes[..body_end]) != stored {
        return Err(Error::format(
            "serialized token is corrupt: checksum mismatch",
        ));
    }
    let payload = &bytes[HEADER_LEN..body_end];
    match version {
        1 => token_of_v1(&decode::<TokenRecordV1>(payload)?),
        _ => token_of(&decode::<TokenRecordV2>(payload)?),
    }
}

/// A whole payload as one record: malformed, or with bytes left over, is Format.
fn decode<'a, R: Deserialize<'a>>(payload: &'a [u8]) -> Result<R> {
    let (record, rest): (R, &[u8]) = postcard::take_from_bytes(payload)
        .map_err(|e| Error::format(format!("serialized token payload is malformed: {e}")))?;
    if !rest.is_empty() {
        return Err(Error::format("serialized token payload has trailing bytes"));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientContext;
    use crate::token::parse_token_response;

    fn sample() -> Token {
        let r = parse_token_response(
            r#"{"access_token":"at","refresh_token":"rt","expires_in":60,"token_type":"Bearer","scope":"openid"}"#,
            200,
        )
        .unwrap();
        let mut c = ClientContext::empty();
        c.client_id = "client".into();
        c.client_secret = Some(Secret::new("s3cret"));
        c.endpoints.token = Some("https://idp.example/token".into());
        Token::from_response(r, c)
    }

    #[test]
    fn round_trip() {
        let t = sample();
        let b = serialize(&t).unwrap();
        assert_eq!(&b[..4], b"ATKN");
        assert_eq!(deserialize(&b).unwrap(), t);
    }

    #[test]
    fn every_truncation_and_every_bit_flip_is_a_format_error() {
        let b = serialize(&sample()).unwrap();
        for n in 0..b.len() {
            assert_eq!(
                deserialize(&b[..n]).unwrap_err().kind(),
                crate::error::ErrorKind::Format
            );
        }
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 0x10;
            assert_eq!(
                deserialize(&c).unwrap_err().kind(),
                crate::error::ErrorKind::Format,
                "byte {i}"
            );
        }
    }

    /// A file written by the library of format version 1 (before DPoP), kept as it was written.
    const VERSION_1_FILE: &[u8] = include_bytes!("../../../tests/data/token-v1.bin");

    #[test]
    fn a_version_1_file_still_loads_and_is_written_again_as_version_2() {
        assert_eq!(VERSION_1_FILE[4], 1, "the committed file is of version 1");
        let t = deserialize(VERSION_1_FILE).unwrap();
        assert_eq!(t.access_token.expose(), "v1-access-token");
        assert_eq!(
            t.refresh_token.as_ref().unwrap().expose(),
            "v1-refresh-token"
        );
        assert_eq!(t.scope, "api:read");
        assert_eq!(t.context.client_id, "v1-client");
        assert_eq!(
            t.context.client_secret.as_ref().unwrap().expose(),
            "v1-secret"
        );
        assert_eq!(t.context.client_auth, ClientAuth::Post);
        assert_eq!(
            t.context.endpoints.token.as_deref(),
            Some("https://idp.example/token")
        );
        assert_eq!(t.context.dpop, Dpop::Off);
        assert_eq!(t.context.profile, Profile::Default);
        assert!(t.context.resource.is_empty());
        let again = serialize(&t).unwrap();
        assert_eq!(again[4], FORMAT_VERSION);
        assert_eq!(deserialize(&again).unwrap(), t);
        // A cut or changed version 1 file is refused like any other.
        let mut bad = VERSION_1_FILE.to_vec();
        bad[20] ^= 1;
        assert_eq!(
            deserialize(&bad).unwrap_err().kind(),
            crate::error::ErrorKind::Format
        );
    }

    #[test]
    fn a_nul_in_a_string_of_version_2_is_refused() {
        let nul = "a\0b".to_owned();
        let cases: [fn(&mut Token, String); 4] = [
            |t, v| t.issued_token_type = Some(v),
            |t, v| t.authorization_details = Some(v),
            |t, v| t.context.endpoints.pushed_authorization = Some(v),
            |t, v| t.context.resource = vec![v],
        ];
        for set in cases {
            let mut t = sample();
            set(&mut t, nul.clone());
            let e = deserialize(&serialize(&t).unwrap()).unwrap_err();
            assert_eq!(e.kind(), crate::error::ErrorKind::Format, "{e}");
            assert!(e.message().contains("NUL"), "{e}");
        }
    }

    #[test]
    fn the_dpop_key_and_the_new_fields_survive_a_round_trip() {
        let mut t = sample();
        let key = KeyPair::generate_p256().unwrap();
        t.context.dpop = Dpop::Key(key.clone());
        t.context.profile = Profile::Fapi2;
        t.context.resource = vec!["https://api.example/".into()];
        t.context.authorization_details = Some(r#"[{"type":"a"}]"#.into());
        t.context.endpoints.pushed_authorization = Some("https://idp.example/par".into());
        t.authorization_details = Some(r#"[{"type":"a","x":1}]"#.into());
        t.issued_token_type = Some("urn:ietf:params:oauth:token-type:jwt".into());
        let back = deserialize(&serialize(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.dpop_jkt(), Some(key.thumbprint()));
    }

    /// A version 2 record (with its DPoP key) is what an encrypted store seals: it opens to the
    /// same token, bound to the same key.
    #[test]
    fn a_dpop_bound_token_survives_sealing() {
        let mut t = sample();
        let key = KeyPair::generate_p256().unwrap();
        t.context.dpop = Dpop::Key(key.clone());
        let store_key = crate::secret::SecretKey::new([7; 32]);
        let sealed = crate::token::sealed::seal(&store_key, &serialize(&t).unwrap()).unwrap();
        let back = deserialize(&crate::token::sealed::open(&store_key, &sealed).unwrap()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.dpop_jkt(), Some(key.thumbprint()));
    }

    #[test]
    fn unknown_version_is_named() {
        let mut b = serialize(&sample()).unwrap();
        b[4] = 9;
        assert!(deserialize(&b).unwrap_err().message().contains("version 9"));
    }
}
