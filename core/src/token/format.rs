//! The binary token format (WLanguage `Serialize(token, buf, psdBinary)`): a small versioned
//! envelope around a postcard record. Layout and rules: docs/token-format.md.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "ATKN"
//! 4       1     format version (2; 1 is still read)
//! 5       1     flags (0; any other value is refused)
//! 6       4     payload length n, u32 little-endian
//! 10      n     payload: RecordV2 (version 1: RecordV1), postcard
//! 10+n    4     CRC-32 (IEEE) of bytes 0..10+n, u32 little-endian
//! ```

use crate::config::{ClientAuth, JwtAlgorithm, Kind, Profile};
use crate::config::{ClientContext, Dpop, Endpoints, JwtSigner, TransportSettings};
use crate::error::{Error, Result};
use crate::jose::KeyPair;
use crate::secret::Secret;
use crate::token::Token;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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
///
/// Its strings are borrowed: from the token when writing, from the bytes when reading (postcard
/// reads a string in place). So the secrets are copied once each way, into the output buffer or
/// into the token's own strings, and the record holds nothing that needs wiping.
#[derive(Serialize, Deserialize)]
struct RecordV1<'a> {
    access_token: &'a str,
    token_type: &'a str,
    #[serde(borrow)]
    refresh_token: Option<&'a str>,
    expires_at: i64,
    scope: &'a str,
    #[serde(borrow)]
    id_token: Option<&'a str>,
    #[serde(borrow)]
    id_token_claims: Option<&'a str>,
    server_response: &'a str,
    received_at: i64,
    kind: u8,
    client_id: &'a str,
    #[serde(borrow)]
    client_secret: Option<&'a str>,
    client_auth: u8,
    #[serde(borrow)]
    issuer: Option<&'a str>,
    #[serde(borrow)]
    configuration_url: Option<&'a str>,
    #[serde(borrow)]
    authorization_endpoint: Option<&'a str>,
    #[serde(borrow)]
    token_endpoint: Option<&'a str>,
    #[serde(borrow)]
    revocation_endpoint: Option<&'a str>,
    #[serde(borrow)]
    introspection_endpoint: Option<&'a str>,
    #[serde(borrow)]
    userinfo_endpoint: Option<&'a str>,
    #[serde(borrow)]
    end_session_endpoint: Option<&'a str>,
    #[serde(borrow)]
    jwks_uri: Option<&'a str>,
    #[serde(borrow)]
    device_authorization_endpoint: Option<&'a str>,
    #[serde(borrow)]
    jwt_private_key: Option<&'a str>,
    jwt_algorithm: u8,
    #[serde(borrow)]
    jwt_key_id: Option<&'a str>,
    #[serde(borrow)]
    jwt_issuer: Option<&'a str>,
    #[serde(borrow)]
    jwt_subject: Option<&'a str>,
    #[serde(borrow)]
    jwt_audience: Option<&'a str>,
    http_timeout_secs: u32,
    clock_skew_secs: u32,
    #[serde(borrow)]
    ca_file: Option<&'a str>,
    #[serde(borrow)]
    proxy: Option<&'a str>,
    #[serde(borrow)]
    client_certificate: Option<&'a str>,
    #[serde(borrow)]
    client_certificate_password: Option<&'a str>,
}

/// Version 2: the fields of version 1, then those of sender-constrained tokens and modern
/// authorization requests. postcard writes a nested struct as its fields in order, so this is
/// the version 1 record followed by the new fields.
#[derive(Serialize, Deserialize)]
struct RecordV2<'a> {
    #[serde(borrow)]
    v1: RecordV1<'a>,
    /// PKCS#8 DER of the DPoP key the token is bound to (RFC 9449).
    #[serde(borrow)]
    dpop_key: Option<Der<'a>>,
    /// 0 default, 1 fapi2.
    profile: u8,
    /// RFC 8707 resource indicators sent with its token requests.
    #[serde(borrow)]
    resource: Vec<&'a str>,
    /// RFC 9396 authorization details asked for (JSON array text).
    #[serde(borrow)]
    requested_authorization_details: Option<&'a str>,
    /// RFC 9396 authorization details granted (JSON array text).
    #[serde(borrow)]
    authorization_details: Option<&'a str>,
    #[serde(borrow)]
    pushed_authorization_endpoint: Option<&'a str>,
    /// RFC 8693 `issued_token_type` of an exchanged token.
    #[serde(borrow)]
    issued_token_type: Option<&'a str>,
}

/// Bytes on the wire as version 2 first wrote them (a `Vec<u8>`: a varint length, then the
/// bytes), written in one piece and read in place rather than byte by byte.
struct Der<'a>(&'a [u8]);

impl Serialize for Der<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Der<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        <&'a [u8]>::deserialize(d).map(Der)
    }
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

fn expose(s: &Option<Secret>) -> Option<&str> {
    s.as_ref().map(Secret::expose)
}

fn record_of(t: &Token) -> RecordV2<'_> {
    let c = &t.context;
    RecordV2 {
        v1: record_v1_of(t),
        dpop_key: c.dpop.key().map(|k| Der(k.pkcs8_der())),
        profile: profile_code(c.profile),
        resource: c.resource.iter().map(String::as_str).collect(),
        requested_authorization_details: c.authorization_details.as_deref(),
        authorization_details: t.authorization_details.as_deref(),
        pushed_authorization_endpoint: c.endpoints.pushed_authorization.as_deref(),
        issued_token_type: t.issued_token_type.as_deref(),
    }
}

fn record_v1_of(t: &Token) -> RecordV1<'_> {
    let c = &t.context;
    let e = &c.endpoints;
    let jwt = c.jwt.as_ref();
    RecordV1 {
        access_token: t.access_token.expose(),
        token_type: &t.token_type,
        refresh_token: expose(&t.refresh_token),
        expires_at: t.expires_at,
        scope: &t.scope,
        id_token: expose(&t.id_token),
        id_token_claims: t.id_token_claims.as_deref(),
        server_response: t.server_response.expose(),
        received_at: t.received_at,
        kind: kind_code(c.kind),
        client_id: &c.client_id,
        client_secret: expose(&c.client_secret),
        client_auth: auth_code(c.client_auth),
        issuer: c.issuer.as_deref(),
        configuration_url: c.configuration_url.as_deref(),
        authorization_endpoint: e.authorization.as_deref(),
        token_endpoint: e.token.as_deref(),
        revocation_endpoint: e.revocation.as_deref(),
        introspection_endpoint: e.introspection.as_deref(),
        userinfo_endpoint: e.userinfo.as_deref(),
        end_session_endpoint: e.end_session.as_deref(),
        jwks_uri: e.jwks.as_deref(),
        device_authorization_endpoint: e.device_authorization.as_deref(),
        jwt_private_key: jwt.map(|j| j.private_key_pem.expose()),
        jwt_algorithm: jwt.map(|j| alg_code(j.algorithm)).unwrap_or(0),
        jwt_key_id: jwt.and_then(|j| j.key_id.as_deref()),
        jwt_issuer: jwt.and_then(|j| j.issuer.as_deref()),
        jwt_subject: jwt.and_then(|j| j.subject.as_deref()),
        jwt_audience: jwt.and_then(|j| j.audience.as_deref()),
        http_timeout_secs: c.transport.http_timeout.as_secs().min(u32::MAX as u64) as u32,
        clock_skew_secs: c.clock_skew.as_secs().min(u32::MAX as u64) as u32,
        ca_file: c.transport.ca_file.as_deref(),
        proxy: c.transport.proxy.as_deref(),
        client_certificate: c.transport.client_certificate.as_deref(),
        client_certificate_password: expose(&c.transport.client_certificate_password),
    }
}

fn token_of(r: RecordV2<'_>) -> Result<Token> {
    // The rule of version 1's strings, for the strings version 2 added (C reads them too).
    let optional = [
        r.requested_authorization_details,
        r.authorization_details,
        r.pushed_authorization_endpoint,
        r.issued_token_type,
    ];
    let mut strings = r
        .resource
        .iter()
        .copied()
        .chain(optional.into_iter().flatten());
    if strings.any(|s| s.contains('\0')) {
        return Err(Error::format("the serialized token holds a NUL character"));
    }
    let mut token = token_of_v1(&r.v1)?;
    let c = &mut token.context;
    if let Some(Der(der)) = r.dpop_key {
        let key = KeyPair::from_pkcs8(der)
            .map_err(|_| Error::format("the serialized token's DPoP key is not a usable key"))?;
        c.dpop = Dpop::Key(key);
    }
    c.profile = profile_of(r.profile)?;
    c.resource = r.resource.iter().map(|s| (*s).to_owned()).collect();
    c.authorization_details = owned(r.requested_authorization_details);
    c.endpoints.pushed_authorization = owned(r.pushed_authorization_endpoint);
    token.authorization_details = owned(r.authorization_details);
    token.issued_token_type = owned(r.issued_token_type);
    Ok(token)
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn secret(s: Option<&str>) -> Option<Secret> {
    s.map(Secret::new)
}

fn token_of_v1(r: &RecordV1<'_>) -> Result<Token> {
    if r.access_token.is_empty() {
        return Err(Error::format("the serialized token has no access token"));
    }
    let strings = [
        r.access_token,
        r.token_type,
        r.scope,
        r.server_response,
        r.client_id,
    ];
    if strings.iter().any(|s| s.contains('\0')) {
        return Err(Error::format("the serialized token holds a NUL character"));
    }
    let jwt = match r.jwt_private_key {
        Some(pem) => Some(JwtSigner {
            private_key_pem: Secret::new(pem),
            algorithm: alg_of(r.jwt_algorithm)?,
            key_id: owned(r.jwt_key_id),
            issuer: owned(r.jwt_issuer),
            subject: owned(r.jwt_subject),
            audience: owned(r.jwt_audience),
        }),
        None => None,
    };
    if r.http_timeout_secs == 0 {
        return Err(Error::format(
            "the serialized token has an HTTP timeout of 0",
        ));
    }
    Ok(Token {
        access_token: Secret::new(r.access_token),
        token_type: r.token_type.to_owned(),
        refresh_token: secret(r.refresh_token),
        expires_at: r.expires_at,
        scope: r.scope.to_owned(),
        id_token: secret(r.id_token),
        id_token_claims: owned(r.id_token_claims),
        server_response: Secret::new(r.server_response),
        received_at: r.received_at,
        context: ClientContext {
            kind: kind_of(r.kind)?,
            client_id: r.client_id.to_owned(),
            client_secret: secret(r.client_secret),
            client_auth: auth_of(r.client_auth)?,
            issuer: owned(r.issuer),
            configuration_url: owned(r.configuration_url),
            endpoints: Endpoints {
                authorization: owned(r.authorization_endpoint),
                token: owned(r.token_endpoint),
                revocation: owned(r.revocation_endpoint),
                introspection: owned(r.introspection_endpoint),
                userinfo: owned(r.userinfo_endpoint),
                end_session: owned(r.end_session_endpoint),
                jwks: owned(r.jwks_uri),
                device_authorization: owned(r.device_authorization_endpoint),
                pushed_authorization: None,
            },
            jwt,
            transport: TransportSettings {
                http_timeout: Duration::from_secs(r.http_timeout_secs as u64),
                ca_file: owned(r.ca_file),
                proxy: owned(r.proxy),
                client_certificate: owned(r.client_certificate),
                client_certificate_password: secret(r.client_certificate_password),
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
///
/// Its capacity is its length and it is never grown, so no reallocation leaves a copy of a
/// secret behind, and the C side can hand it out as a boxed slice without moving it.
pub fn serialize(token: &Token) -> Result<Vec<u8>> {
    let record = record_of(token);
    let encoding = |e: postcard::Error| Error::internal(format!("cannot encode the token: {e}"));
    let len = postcard::experimental::serialized_size(&record).map_err(encoding)?;
    if len > MAX_PAYLOAD {
        return Err(Error::format("the token is too large to serialize"));
    }
    let body_end = HEADER_LEN + len;
    let mut out = Vec::with_capacity(body_end + TRAILER_LEN);
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT_VERSION);
    out.push(0);
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.resize(body_end, 0);
    if let Err(e) = postcard::to_slice(&record, &mut out[HEADER_LEN..]) {
        out.zeroize();
        return Err(encoding(e));
    }
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
        1 => token_of_v1(&decode::<RecordV1>(payload)?),
        _ => token_of(decode::<RecordV2>(payload)?),
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
        // Never grown, so no reallocation left a copy of the secrets behind, and handed to C
        // as a boxed slice without a move.
        assert_eq!(b.capacity(), b.len());
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

    /// A file written by the library of format version 2 as it was before its record borrowed
    /// its strings (commit 19b9dd8), with every field set, DPoP key included.
    const VERSION_2_FILE: &[u8] = include_bytes!("../../../tests/data/token-v2.bin");

    #[test]
    fn a_version_2_file_loads_and_is_written_again_byte_for_byte() {
        assert_eq!(VERSION_2_FILE[4], 2, "the committed file is of version 2");
        let t = deserialize(VERSION_2_FILE).unwrap();
        assert_eq!(t.access_token.expose(), "v2-access-token");
        assert_eq!(t.token_type, "DPoP");
        assert_eq!(t.context.kind, Kind::OpenId);
        assert_eq!(t.context.client_auth, ClientAuth::PrivateKeyJwt);
        let jwt = t.context.jwt.as_ref().unwrap();
        assert_eq!(jwt.algorithm, JwtAlgorithm::ES384);
        assert_eq!(jwt.audience.as_deref(), Some("v2-jwt-audience"));
        assert_eq!(
            t.context
                .transport
                .client_certificate_password
                .as_ref()
                .unwrap()
                .expose(),
            "v2-p12-password"
        );
        assert!(t.dpop_key().is_some());
        assert_eq!(t.context.profile, Profile::Fapi2);
        assert_eq!(
            t.context.resource,
            ["https://api.example/", "https://other.example/"]
        );
        assert_eq!(
            t.issued_token_type.as_deref(),
            Some("urn:ietf:params:oauth:token-type:access_token")
        );
        // Every field is written again as it was read: the wire has not moved.
        assert_eq!(serialize(&t).unwrap(), VERSION_2_FILE);
    }

    /// `payload` in an envelope of `version` with a correct checksum, so that only the record's
    /// own rules can refuse it.
    fn envelope(version: u8, payload: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.push(version);
        b.push(0);
        b.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        b.extend_from_slice(payload);
        let crc = crc32fast::hash(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    fn refused(bytes: &[u8], why: &str) {
        let e = deserialize(bytes).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Format, "{why}: {e}");
        assert!(e.message().contains(why), "{why}: {e}");
    }

    #[test]
    fn every_record_rule_is_checked_behind_a_valid_checksum() {
        let t = sample();
        let encode = |r: &RecordV2| postcard::to_stdvec(r).unwrap();
        let good = encode(&record_of(&t));
        assert_eq!(deserialize(&envelope(2, &good)).unwrap(), t);
        type Break = fn(&mut RecordV2);
        let cases: [(Break, &str); 8] = [
            (|r| r.v1.access_token = "", "no access token"),
            (|r| r.v1.client_id = "a\0b", "NUL"),
            (|r| r.v1.kind = 3, "unknown parameters kind 3"),
            (|r| r.v1.client_auth = 5, "unknown client authentication 5"),
            (
                |r| {
                    r.v1.jwt_private_key = Some("pem");
                    r.v1.jwt_algorithm = 9;
                },
                "unknown JWT algorithm 9",
            ),
            (|r| r.v1.http_timeout_secs = 0, "HTTP timeout of 0"),
            (|r| r.profile = 2, "unknown profile 2"),
            (|r| r.dpop_key = Some(Der(b"not a key")), "not a usable key"),
        ];
        for (break_it, why) in cases {
            let mut r = record_of(&t);
            break_it(&mut r);
            refused(&envelope(2, &encode(&r)), why);
        }
        // Bytes that are not UTF-8 where a string is.
        let mut bad = good.clone();
        let at = bad.windows(6).position(|w| w == b"Bearer").unwrap();
        bad[at] = 0xFF;
        refused(&envelope(2, &bad), "malformed");
        // A record cut short, or followed by a byte more.
        refused(&envelope(2, &good[..good.len() - 1]), "malformed");
        refused(&envelope(2, &[&good[..], &[0]].concat()), "trailing bytes");
        // The version decides the record: version 2's read as version 1 leaves its new fields
        // over, version 1's read as version 2 ends too soon.
        refused(&envelope(1, &good), "trailing bytes");
        let v1 = postcard::to_stdvec(&record_v1_of(&t)).unwrap();
        assert_eq!(deserialize(&envelope(1, &v1)).unwrap(), t);
        refused(&envelope(2, &v1), "malformed");
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
