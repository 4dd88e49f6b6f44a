//! The back channel of OAuth 2.0: client authentication and its assertions, the grants at the
//! token endpoint, pushed authorization requests, revocation and introspection.

pub mod assertion;
pub mod client_auth;
pub mod grants;
pub mod introspection;
pub mod par;
pub mod revocation;
pub mod token_exchange;

use crate::config::Params;
use crate::error::Result;
use crate::secret::Secret;
use crate::token::Token;
use crate::transport::http::block_on_here;

/// A new token from the refresh token of `token` (RFC 6749 §6; WLanguage
/// `AuthRefreshToken`), with the client and provider the token carries. What the answer omits
/// (refresh token, ID token) is kept; a new ID token is validated against the old one's
/// `iss`, `sub` and `aud`. `token` stays as it is. Blocks the calling thread.
pub fn refresh(token: &Token) -> Result<Token> {
    block_on_here(grants::refresh(token))
}

/// Exchanges `subject_token` for a new token (RFC 8693 token exchange) at the token endpoint
/// of `params`, with their client authentication, scope, audiences, requested token type and
/// actor token. `subject_token_type` `None`: an access token. Blocks.
pub fn exchange_token(
    params: &Params,
    subject_token: &str,
    subject_token_type: Option<&str>,
) -> Result<Token> {
    block_on_here(token_exchange::exchange(
        params,
        &Secret::new(subject_token),
        subject_token_type,
    ))
}

/// Revokes the token's access token (RFC 7009; WLanguage `AuthRevokeToken`). Blocks.
pub fn revoke(token: &Token) -> Result<()> {
    block_on_here(revocation::revoke(token))
}

/// Revokes the refresh token, then the access token. Blocks.
pub fn revoke_all(token: &Token) -> Result<()> {
    block_on_here(revocation::revoke_all(token))
}

/// The provider's introspection answer about the access token, as JSON text (RFC 7662;
/// WLanguage `AuthIntrospectToken`). Blocks.
pub fn introspect(token: &Token) -> Result<String> {
    block_on_here(introspection::introspect(token))
}

/// A signed JWT assertion as a sign-in would send it: for JWT parameters the grant assertion
/// (RFC 7523 §2.1), otherwise the `private_key_jwt` client assertion (§2.2). Blocks (the
/// default audience, the token endpoint, may need discovery).
pub fn create_jwt_assertion(params: &Params) -> Result<Secret> {
    block_on_here(grants::jwt_assertion_for(params))
}
