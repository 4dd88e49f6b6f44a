//! ID-token validation (OpenID Connect Core §3.1.3.7, §3.1.3.6, §12.2).
//!
//! INTERFACE PLACEHOLDER: the body arrives with the identity work (issue 5); the signature is
//! what the code exchange, the refresh and the implicit flow call.

use crate::error::{Error, Result};
use crate::token::ClientContext;
use serde_json::{Map, Value};

/// What the caller knows the ID token must say.
#[derive(Debug, Clone, Default)]
pub struct Expectations<'a> {
    /// The nonce sent in the authorization request (None: no nonce was sent, e.g. refresh).
    pub nonce: Option<&'a str>,
    /// The access token issued with it, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// On refresh: the claims of the ID token being replaced (same `iss`, `sub`, `aud`).
    pub previous_claims: Option<&'a Map<String, Value>>,
}

/// Validates `id_token` for the client of `ctx` (issuer, JWKS from the resolved context) and
/// returns its claims. Any failure is `ErrorKind::IdToken` with the reason.
pub async fn validate(
    _ctx: &ClientContext,
    _id_token: &str,
    _expect: &Expectations<'_>,
) -> Result<Map<String, Value>> {
    Err(Error::id_token("ID-token validation not implemented yet"))
}
