//! ID-token validation (OpenID Connect Core §3.1.3.7, §3.1.3.6, §12.2): one validator for every
//! place an ID token arrives (code exchange, refresh, implicit), so the rules live once.
//!
//! The signature is checked first, with an allow-list of algorithms (never `none`), against the
//! provider's published keys (`jwks`) or, for HS256/384/512, the client secret of a
//! confidential client; then the claims, with the configured clock skew.

use crate::clock::unix_now;
use crate::config::ClientContext;
use crate::config::ParamOption;
use crate::config::Profile;
use crate::config::profile::{fapi2_algorithm, rule};
use crate::error::{Error, Result};
use crate::log::{Level, log_at};
use crate::oidc::jwks::{self, KeySet, Need};
use crate::secret::Secret;
use crate::token::Token;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// What the caller knows the ID token must say.
#[derive(Debug, Clone, Default)]
pub struct Expectations<'a> {
    /// The nonce sent in the authorization request (None: no nonce was sent, e.g. refresh).
    pub nonce: Option<&'a str>,
    /// The access token issued with it, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// On refresh: the claims of the ID token being replaced (same `iss`, `sub`, `aud`).
    pub previous_claims: Option<&'a Map<String, Value>>,
    /// The `max_age` sent (Core §3.1.2.1): `auth_time` is then required and at most this
    /// many seconds old, plus the clock skew.
    pub max_age: Option<u64>,
    /// The `acr_values` a step-up asked for (RFC 9470 §3): the `acr` claim must be one of them.
    pub acr_values: Option<&'a str>,
}

/// Validates `id_token` for the client of `ctx` (issuer, JWKS from the resolved context) and
/// returns its claims. A token that fails a check is `ErrorKind::IdToken` with the reason; when
/// the configuration or the keys cannot be fetched, that error keeps its own kind (Network,
/// Timeout, Protocol: docs/faults.md), since the token was not found wrong.
pub async fn validate(
    ctx: &ClientContext,
    id_token: &str,
    expect: &Expectations<'_>,
) -> Result<Map<String, Value>> {
    let ctx = resolved(ctx).await?;
    let issuer = issuer_of(&ctx)?;
    let jws = Jws::parse(id_token)?;
    verify_signature(&ctx, &jws).await?;
    check_claims(&ctx, issuer, &jws, expect, unix_now())?;
    log_at!(Level::Debug, "ID token valid ({})", alg_name(jws.alg));
    Ok(jws.claims)
}

/// For whoever receives a token (code exchange, refresh, implicit): validates its ID token, if
/// it has one, against the token's own context and access token (`at_hash`), and stores the
/// claims in `id_token_claims` (what `auth_read_identity` reads). A token without an ID token
/// is returned as it is.
pub async fn validate_received(
    mut token: Token,
    nonce: Option<&str>,
    previous_claims: Option<&Map<String, Value>>,
) -> Result<Token> {
    let Some(jwt) = token.id_token.clone() else {
        return Ok(token);
    };
    let claims = validate(
        &token.context,
        jwt.expose(),
        &Expectations {
            nonce,
            access_token: Some(token.access_token.expose()),
            previous_claims,
            ..Expectations::default()
        },
    )
    .await?;
    token.id_token_claims = Some(Value::Object(claims).to_string());
    Ok(token)
}

/// Checks a signed JWT answer that is not an ID token (a userinfo answer in
/// `application/jwt`, OpenID Connect Core §5.3.2): signature as for an ID token, `iss` equal to
/// the issuer and `aud` naming the client when present; no time or nonce claims are required.
pub async fn validate_signed_answer(ctx: &ClientContext, jwt: &str) -> Result<Map<String, Value>> {
    let ctx = resolved(ctx).await?;
    let issuer = issuer_of(&ctx)?;
    let jws = Jws::parse(jwt)?;
    verify_signature(&ctx, &jws).await?;
    if let Some(iss) = jws.claims.get("iss") {
        check_issuer(iss, issuer)?;
    }
    if jws.claims.contains_key("aud") {
        check_audience(&jws.claims, &ctx.client_id)?;
    }
    Ok(jws.claims)
}

/// The context with the issuer and the JWKS endpoint discovery knows, when they are missing.
async fn resolved(ctx: &ClientContext) -> Result<Cow<'_, ClientContext>> {
    if (ctx.issuer.is_none() || ctx.endpoints.jwks.is_none()) && ctx.configuration_url.is_some() {
        let (c, _) = crate::provider::discovery::resolve(ctx)
            .await
            .map_err(|e| e.context("ID token: cannot read the provider's configuration"))?;
        Ok(Cow::Owned(c))
    } else {
        Ok(Cow::Borrowed(ctx))
    }
}

fn issuer_of(ctx: &ClientContext) -> Result<&str> {
    ctx.issuer.as_deref().ok_or_else(|| {
        Error::id_token(
            format!("ID token: the provider's issuer is unknown (set {configuration_url}), so the token cannot be checked", configuration_url = ParamOption::ConfigurationUrl),
        )
    })
}

/// The JOSE name of an algorithm.
pub(crate) fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
    }
}

/// The algorithms an ID token may be signed with. `none` is never one of them.
fn allowed_alg(name: &str) -> Option<Algorithm> {
    Some(match name {
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        _ => return None,
    })
}

fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// A compact JWS split and decoded; nothing in it is trusted before `verify_signature`.
struct Jws<'a> {
    alg: Algorithm,
    kid: Option<String>,
    signing_input: &'a str,
    signature: &'a str,
    claims: Map<String, Value>,
}

impl<'a> Jws<'a> {
    fn parse(jwt: &'a str) -> Result<Jws<'a>> {
        let jwt = jwt.trim();
        let parts: Vec<&str> = jwt.split('.').collect();
        if parts.len() == 5 {
            return Err(Error::id_token(
                "ID token: encrypted ID tokens (JWE) are not supported",
            ));
        }
        if parts.len() != 3 {
            return Err(Error::id_token(
                "ID token: not a JWT (expected three dot-separated parts)",
            ));
        }
        let header = json_part(parts[0], "header")?;
        let alg = match header.get("alg") {
            Some(Value::String(a)) if a.eq_ignore_ascii_case("none") => {
                return Err(Error::id_token(
                    "ID token: it is not signed (alg \"none\"), which is never accepted",
                ));
            }
            Some(Value::String(a)) => allowed_alg(a).ok_or_else(|| {
                Error::id_token(format!(
                    "ID token: signing algorithm \"{a}\" is not allowed"
                ))
            })?,
            _ => return Err(Error::id_token("ID token: the header has no alg")),
        };
        // RFC 7515 §4.1.11: an extension we do not understand marked critical must be refused.
        if header.contains_key("crit") {
            return Err(Error::id_token(
                "ID token: the header has critical extensions (crit) this library does not understand",
            ));
        }
        let kid = match header.get("kid") {
            None | Some(Value::Null) => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => {
                return Err(Error::id_token(
                    "ID token: the header's kid is not a string",
                ));
            }
        };
        let claims = json_part(parts[1], "payload")?;
        let signing_input = &jwt[..parts[0].len() + 1 + parts[1].len()];
        if parts[2].is_empty() {
            return Err(Error::id_token("ID token: the signature is empty"));
        }
        Ok(Jws {
            alg,
            kid,
            signing_input,
            signature: parts[2],
            claims,
        })
    }

    /// Whether `key` made the signature. Any failure to check counts as "no".
    fn verified_by(&self, key: &DecodingKey) -> bool {
        jsonwebtoken::crypto::verify(self.signature, self.signing_input.as_bytes(), key, self.alg)
            .unwrap_or(false)
    }
}

fn json_part(part: &str, what: &str) -> Result<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| Error::id_token(format!("ID token: the {what} is not base64url")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::id_token(format!(
            "ID token: the {what} is not a JSON object"
        ))),
    }
}

async fn verify_signature(ctx: &ClientContext, jws: &Jws<'_>) -> Result<()> {
    if ctx.profile == Profile::Fapi2 && !fapi2_algorithm(alg_name(jws.alg)) {
        return Err(Error::id_token(format!(
            "ID token: signed with {}: profile fapi2: {}",
            alg_name(jws.alg),
            rule::ALGORITHMS
        )));
    }
    if is_hmac(jws.alg) {
        // Core §10.1: HS* is keyed with the client secret, which only a confidential client has.
        let secret = ctx
            .client_secret
            .as_ref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::id_token(format!(
                    "ID token: signed with {}, which needs a client secret, but this client has none",
                    alg_name(jws.alg)
                ))
            })?;
        return if jws.verified_by(&hmac_key(secret)) {
            Ok(())
        } else {
            Err(Error::id_token(format!(
                "ID token: the {} signature does not verify with the client secret",
                alg_name(jws.alg)
            )))
        };
    }
    let url = ctx.endpoints.jwks.as_deref().ok_or_else(|| {
        Error::id_token(
            "ID token: the provider's key set (jwks_uri) is unknown, so the signature cannot be checked",
        )
    })?;
    let kid = jws.kid.as_deref();
    let (set, fetched) = jwks::keys(url, &ctx.transport, Need::Cached).await?;
    let mut outcome = try_keys(&set, jws);
    // A key we do not know (or, without kid, no key that verifies) may be a key the provider
    // has just rotated in: look again, at most once a minute.
    let look_again = match outcome {
        Outcome::Verified => false,
        Outcome::NoCandidate => true,
        Outcome::NoneVerified(_) => kid.is_none(),
    };
    if look_again && !fetched {
        let (newer, refetched) = jwks::keys(url, &ctx.transport, Need::Newer).await?;
        if refetched {
            outcome = try_keys(&newer, jws);
        }
    }
    let alg = alg_name(jws.alg);
    match outcome {
        Outcome::Verified => Ok(()),
        Outcome::NoCandidate => Err(Error::id_token(match kid {
            Some(k) => format!("ID token: no {alg} key with kid \"{k}\" in the provider's key set"),
            None => format!("ID token: no {alg} key in the provider's key set"),
        })),
        Outcome::NoneVerified(n) => Err(Error::id_token(format!(
            "ID token: the {alg} signature does not verify with {} of the provider's keys",
            if n == 1 { "the matching one" } else { "any" }
        ))),
    }
}

fn hmac_key(secret: &Secret) -> DecodingKey {
    DecodingKey::from_secret(secret.expose().as_bytes())
}

enum Outcome {
    Verified,
    NoCandidate,
    /// How many candidates were tried.
    NoneVerified(usize),
}

/// Tries the keys that fit the header: with a `kid`, those with that id; without, every key of
/// the right type. Several candidates are each tried; only a verified signature is accepted.
fn try_keys(set: &KeySet, jws: &Jws<'_>) -> Outcome {
    let candidates = set.candidates(jws.alg, jws.kid.as_deref());
    if candidates.is_empty() {
        return Outcome::NoCandidate;
    }
    if candidates.iter().any(|k| jws.verified_by(&k.decoding_key)) {
        Outcome::Verified
    } else {
        Outcome::NoneVerified(candidates.len())
    }
}

fn check_claims(
    ctx: &ClientContext,
    issuer: &str,
    jws: &Jws<'_>,
    expect: &Expectations<'_>,
    now: i64,
) -> Result<()> {
    let claims = &jws.claims;
    match claims.get("iss") {
        Some(iss) => check_issuer(iss, issuer)?,
        None => return Err(Error::id_token("ID token: no iss claim")),
    }
    match claims.get("sub") {
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(_) => return Err(Error::id_token("ID token: sub is not a non-empty string")),
        None => return Err(Error::id_token("ID token: no sub claim")),
    }
    check_audience(claims, &ctx.client_id)?;
    let skew = ctx.clock_skew.as_secs().min(i64::MAX as u64) as i64;
    check_times(claims, skew, now)?;
    if let Some(sent) = expect.nonce {
        match claims.get("nonce") {
            Some(Value::String(n)) if Secret::new(sent).ct_eq(n) => {}
            Some(_) => {
                return Err(Error::id_token(
                    "ID token: the nonce differs from the one sent (possible replay)",
                ));
            }
            None => {
                return Err(Error::id_token(
                    "ID token: no nonce claim, but a nonce was sent",
                ));
            }
        }
    }
    if let (Some(hash), Some(access_token)) = (claims.get("at_hash"), expect.access_token) {
        let expected = token_hash(access_token, jws.alg);
        if hash.as_str() != Some(expected.as_str()) {
            return Err(Error::id_token(
                "ID token: at_hash does not match the access token",
            ));
        }
    }
    if let Some(previous) = expect.previous_claims {
        check_same_as_previous(claims, previous)?;
    }
    if let Some(max_age) = expect.max_age {
        check_auth_time(claims, max_age, skew, now)?;
    }
    if let Some(wanted) = expect.acr_values {
        check_acr(claims, wanted)?;
    }
    Ok(())
}

/// Core §3.1.3.7 rule 11: with `max_age` sent, `auth_time` must be there and recent enough.
fn check_auth_time(claims: &Map<String, Value>, max_age: u64, skew: i64, now: i64) -> Result<()> {
    let auth_time = match claims.get("auth_time") {
        Some(v) => v.as_i64().ok_or_else(|| {
            Error::id_token("ID token: auth_time is not a whole number of seconds")
        })?,
        None => {
            return Err(Error::id_token(
                "ID token: no auth_time, but max_age was sent",
            ));
        }
    };
    let oldest = now
        .saturating_sub(i64::try_from(max_age).unwrap_or(i64::MAX))
        .saturating_sub(skew);
    if auth_time < oldest {
        return Err(Error::id_token(format!(
            "ID token: the user signed in {} s ago, more than max_age ({max_age} s)",
            now.saturating_sub(auth_time)
        )));
    }
    if auth_time > now.saturating_add(skew) {
        return Err(Error::id_token("ID token: auth_time is in the future"));
    }
    Ok(())
}

/// RFC 9470 §3: the authentication must be of one of the classes asked for.
fn check_acr(claims: &Map<String, Value>, wanted: &str) -> Result<()> {
    match claims.get("acr").and_then(Value::as_str) {
        Some(acr) if wanted.split_ascii_whitespace().any(|w| w == acr) => Ok(()),
        Some(acr) => Err(Error::id_token(format!(
            "ID token: acr \"{acr}\" is not one of those asked for ({wanted})"
        ))),
        None => Err(Error::id_token(format!(
            "ID token: no acr claim, but {wanted} was asked for"
        ))),
    }
}

fn check_issuer(iss: &Value, issuer: &str) -> Result<()> {
    match iss {
        Value::String(s) if s == issuer => Ok(()),
        Value::String(s) => Err(Error::id_token(format!(
            "ID token: issuer \"{s}\" is not the provider's issuer \"{issuer}\""
        ))),
        _ => Err(Error::id_token("ID token: iss is not a string")),
    }
}

/// The audiences of `aud` (a string or an array of strings).
fn audiences(claims: &Map<String, Value>) -> Result<Vec<&str>> {
    match claims.get("aud") {
        Some(Value::String(s)) => Ok(vec![s.as_str()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str().ok_or_else(|| {
                    Error::id_token("ID token: aud holds a value that is not a string")
                })
            })
            .collect(),
        Some(_) => Err(Error::id_token("ID token: aud is not a string or an array")),
        None => Err(Error::id_token("ID token: no aud claim")),
    }
}

fn check_audience(claims: &Map<String, Value>, client_id: &str) -> Result<()> {
    let aud = audiences(claims)?;
    if !aud.contains(&client_id) {
        return Err(Error::id_token(format!(
            "ID token: audience {aud:?} does not include this client \"{client_id}\""
        )));
    }
    // Core §3.1.3.7 items 4-5: with several audiences the token must say who it was issued
    // to, and when it says it, that must be us.
    match claims.get("azp") {
        Some(Value::String(azp)) if azp == client_id => Ok(()),
        Some(Value::String(azp)) => Err(Error::id_token(format!(
            "ID token: authorized party (azp) \"{azp}\" is not this client"
        ))),
        Some(_) => Err(Error::id_token("ID token: azp is not a string")),
        None if aud.len() > 1 => Err(Error::id_token(
            "ID token: several audiences but no authorized party (azp)",
        )),
        None => Ok(()),
    }
}

/// A NumericDate claim (seconds, possibly fractional).
fn seconds(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| Error::id_token(format!("ID token: {name} is not a number"))),
        Some(_) => Err(Error::id_token(format!("ID token: {name} is not a number"))),
    }
}

fn check_times(claims: &Map<String, Value>, skew: i64, now: i64) -> Result<()> {
    let exp = seconds(claims, "exp")?.ok_or_else(|| Error::id_token("ID token: no exp claim"))?;
    if exp.saturating_add(skew) <= now {
        return Err(Error::id_token(format!(
            "ID token: expired {} s ago (exp {exp}, clock skew {skew} s)",
            now - exp
        )));
    }
    let iat = seconds(claims, "iat")?.ok_or_else(|| Error::id_token("ID token: no iat claim"))?;
    if iat > now.saturating_add(skew) {
        return Err(Error::id_token(format!(
            "ID token: issued in the future (iat {iat}, now {now}, clock skew {skew} s)"
        )));
    }
    if let Some(nbf) = seconds(claims, "nbf")?
        && nbf > now.saturating_add(skew)
    {
        return Err(Error::id_token(format!(
            "ID token: not valid before {nbf} (now {now}, clock skew {skew} s)"
        )));
    }
    Ok(())
}

/// `at_hash` / `c_hash` (Core §3.1.3.6): the left half of the hash of the value, base64url,
/// with the hash of the signing algorithm (SHA-512 for EdDSA with Ed25519).
pub fn token_hash(value: &str, alg: Algorithm) -> String {
    use aws_lc_rs::digest;
    let hash = match alg {
        Algorithm::HS256 | Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 => {
            &digest::SHA256
        }
        Algorithm::HS384 | Algorithm::RS384 | Algorithm::PS384 | Algorithm::ES384 => {
            &digest::SHA384
        }
        Algorithm::HS512 | Algorithm::RS512 | Algorithm::PS512 | Algorithm::EdDSA => {
            &digest::SHA512
        }
    };
    let d = digest::digest(hash, value.as_bytes());
    let bytes = d.as_ref();
    URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

/// Core §12.2: a refreshed ID token is about the same person, from the same issuer, for the
/// same client; its nonce, if any, is the original one.
fn check_same_as_previous(
    claims: &Map<String, Value>,
    previous: &Map<String, Value>,
) -> Result<()> {
    for name in ["iss", "sub"] {
        if claims.get(name) != previous.get(name) {
            return Err(Error::id_token(format!(
                "ID token: the refreshed token's {name} differs from the original one's"
            )));
        }
    }
    let mut now_aud = audiences(claims)?;
    let mut before_aud = audiences(previous)?;
    now_aud.sort_unstable();
    now_aud.dedup();
    before_aud.sort_unstable();
    before_aud.dedup();
    if now_aud != before_aud {
        return Err(Error::id_token(
            "ID token: the refreshed token's audience differs from the original one's",
        ));
    }
    if let Some(nonce) = claims.get("nonce")
        && previous.get("nonce") != Some(nonce)
    {
        return Err(Error::id_token(
            "ID token: the refreshed token's nonce differs from the original one's",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn times_with_skew() {
        let c = obj(json!({"exp": 1000, "iat": 900}));
        assert!(check_times(&c, 0, 999).is_ok());
        assert!(check_times(&c, 0, 1000).is_err());
        assert!(check_times(&c, 120, 1100).is_ok());
        assert!(check_times(&c, 120, 1120).is_err());
        // issued this very second, and in the future
        assert!(check_times(&c, 0, 900).is_ok());
        assert!(check_times(&c, 0, 800).is_err());
        assert!(check_times(&c, 120, 800).is_ok());
        let c = obj(json!({"exp": 1000, "iat": 900, "nbf": 950}));
        assert!(check_times(&c, 0, 940).is_err());
        assert!(check_times(&c, 10, 940).is_ok());
        assert!(check_times(&obj(json!({"exp": 1000})), 0, 900).is_err());
        assert!(check_times(&obj(json!({"iat": 1000})), 0, 900).is_err());
        assert!(check_times(&obj(json!({"exp": "1000", "iat": 1})), 0, 900).is_err());
        assert!(check_times(&obj(json!({"exp": 1000.5, "iat": 1})), 0, 900).is_ok());
    }

    #[test]
    fn auth_time_within_max_age_and_skew() {
        let signed_in = |t: i64| obj(json!({"auth_time": t}));
        // max_age 100 s and 10 s of skew at 1000: as old as 110 s is still in time.
        assert!(check_auth_time(&signed_in(890), 100, 10, 1000).is_ok());
        assert!(check_auth_time(&signed_in(889), 100, 10, 1000).is_err());
        // From the future by at most the skew.
        assert!(check_auth_time(&signed_in(1010), 100, 10, 1000).is_ok());
        assert!(check_auth_time(&signed_in(1011), 100, 10, 1000).is_err());
    }

    #[test]
    fn audience_and_azp() {
        assert!(check_audience(&obj(json!({"aud": "me"})), "me").is_ok());
        assert!(check_audience(&obj(json!({"aud": ["me"]})), "me").is_ok());
        assert!(check_audience(&obj(json!({"aud": "you"})), "me").is_err());
        assert!(check_audience(&obj(json!({"aud": ["me", "you"]})), "me").is_err());
        assert!(check_audience(&obj(json!({"aud": ["me", "you"], "azp": "me"})), "me").is_ok());
        assert!(check_audience(&obj(json!({"aud": ["me", "you"], "azp": "you"})), "me").is_err());
        assert!(check_audience(&obj(json!({"aud": "me", "azp": "you"})), "me").is_err());
        assert!(check_audience(&obj(json!({"aud": [1]})), "me").is_err());
        assert!(check_audience(&obj(json!({})), "me").is_err());
    }

    #[test]
    fn refresh_keeps_iss_sub_aud_nonce() {
        let before = obj(json!({"iss": "i", "sub": "s", "aud": "c", "nonce": "n"}));
        let same = obj(json!({"iss": "i", "sub": "s", "aud": ["c"], "nonce": "n"}));
        assert!(check_same_as_previous(&same, &before).is_ok());
        let no_nonce = obj(json!({"iss": "i", "sub": "s", "aud": "c"}));
        assert!(check_same_as_previous(&no_nonce, &before).is_ok());
        for bad in [
            json!({"iss": "j", "sub": "s", "aud": "c"}),
            json!({"iss": "i", "sub": "t", "aud": "c"}),
            json!({"iss": "i", "sub": "s", "aud": ["c", "d"]}),
            json!({"iss": "i", "sub": "s", "aud": "c", "nonce": "m"}),
        ] {
            assert!(check_same_as_previous(&obj(bad), &before).is_err());
        }
    }

    #[test]
    fn at_hash_of_the_spec_example() {
        // OpenID Connect Core A.3 (RS256): access token and its at_hash.
        assert_eq!(
            token_hash(
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y",
                Algorithm::RS256
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn malformed_tokens_are_id_token_errors() {
        let h = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
        for jwt in [
            "".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d.e".to_owned(),
            "!!.!!.!!".to_owned(),
            format!("{}.{}.", h(json!({"alg": "RS256"})), h(json!({}))),
            format!("{}.{}.c2ln", h(json!({"alg": "none"})), h(json!({}))),
            format!("{}.{}.c2ln", h(json!({"alg": "HS1"})), h(json!({}))),
            format!("{}.{}.c2ln", h(json!({"typ": "JWT"})), h(json!({}))),
            format!(
                "{}.{}.c2ln",
                h(json!({"alg": "RS256", "crit": ["x"]})),
                h(json!({}))
            ),
            format!(
                "{}.{}.c2ln",
                h(json!({"alg": "RS256", "kid": 3})),
                h(json!({}))
            ),
            format!("{}.{}.c2ln", h(json!({"alg": "RS256"})), h(json!([1]))),
        ] {
            let e = Jws::parse(&jwt).err().expect(&jwt);
            assert_eq!(e.kind(), crate::error::ErrorKind::IdToken, "{jwt}");
        }
    }
}

/// The parts of ID-token validation that read outside input, for the fuzzer only: the JWS
/// parse, each fitting key of `keys` tried on the signature, and the claim checks (issuer
/// `https://idp.example`, client `client`, nonce `n`, `max_age` 300, acr `urn:loa:2` or
/// `urn:loa:3`, a fixed clock).
#[cfg(fuzzing)]
pub fn fuzz_checks(jwt: &str, keys: &KeySet) {
    let Ok(jws) = Jws::parse(jwt) else { return };
    let _ = try_keys(keys, &jws);
    let mut ctx = ClientContext::empty();
    ctx.client_id = "client".to_owned();
    let expect = Expectations {
        nonce: Some("n"),
        access_token: Some("access"),
        max_age: Some(300),
        acr_values: Some("urn:loa:2 urn:loa:3"),
        ..Expectations::default()
    };
    let _ = check_claims(&ctx, "https://idp.example", &jws, &expect, 1_800_000_000);
}
