//! The token endpoint (RFC 6749 §3.2, §4, §6; RFC 7523): one POST with the client's
//! authentication, and the grants built on it.
//!
//! INTERFACE PLACEHOLDER: the bodies arrive with the token-endpoint work (issue 3); the
//! signatures are what the login flow builds on.

use crate::error::{Error, Result};
use crate::params::Params;
use crate::secret::Secret;
use crate::token::{ClientContext, Token, TokenResponse};

/// POSTs `fields` (grant_type and the grant's own fields) to the context's token endpoint with
/// the client's authentication, and parses the answer.
pub async fn token_request(
    _ctx: &ClientContext,
    _fields: Vec<(String, Secret)>,
) -> Result<TokenResponse> {
    Err(Error::unsupported("token endpoint not implemented yet"))
}

/// The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5).
pub async fn exchange_code(
    ctx: &ClientContext,
    code: &Secret,
    redirect_uri: &str,
    code_verifier: Option<&Secret>,
) -> Result<TokenResponse> {
    let mut fields = vec![
        ("grant_type".to_owned(), Secret::new("authorization_code")),
        ("code".to_owned(), code.clone()),
        ("redirect_uri".to_owned(), Secret::new(redirect_uri)),
    ];
    if let Some(v) = code_verifier {
        fields.push(("code_verifier".to_owned(), v.clone()));
    }
    token_request(ctx, fields).await
}

/// A new token from the refresh token (RFC 6749 §6), with the context the token carries.
pub async fn refresh(_token: &Token) -> Result<Token> {
    Err(Error::unsupported("refresh not implemented yet"))
}

/// The client credentials grant (RFC 6749 §4.4).
pub async fn client_credentials(_params: &Params) -> Result<Token> {
    Err(Error::unsupported("client credentials not implemented yet"))
}

/// The JWT bearer grant (RFC 7523 §2.1).
pub async fn jwt_bearer(_params: &Params) -> Result<Token> {
    Err(Error::unsupported("JWT bearer grant not implemented yet"))
}
