//! Token revocation (RFC 7009): the refresh token when there is one (revoking it ends the
//! grant, and with it the access tokens at most providers), else the access token.

use crate::config::ParamOption;
use crate::error::Result;
use crate::oauth::client_auth::post_to;
use crate::provider::discovery;
use crate::secret::Secret;
use crate::token::Token;
use crate::transport::answer;

/// Revokes `token` at the revocation endpoint it knows (set, or from discovery). No endpoint
/// known is `ErrorKind::Unsupported`. Unknown or already revoked tokens succeed (RFC 7009 §2.2).
pub async fn revoke(token: &Token) -> Result<()> {
    let (ctx, _) = discovery::endpoint(
        &token.context,
        |e| &mut e.revocation,
        "revocation endpoint",
        ParamOption::RevocationUrl,
    )
    .await
    .map_err(|e| e.context("revocation"))?;
    let (value, hint) = match &token.refresh_token {
        Some(r) if !r.is_empty() => (r.clone(), "refresh_token"),
        _ => (token.access_token.clone(), "access_token"),
    };
    let fields = vec![
        ("token".to_owned(), value),
        ("token_type_hint".to_owned(), Secret::new(hint)),
    ];
    let (_, response) = post_to(&ctx, |e| &mut e.revocation, fields)
        .await
        .map_err(|e| e.context("revocation"))?;
    match answer::error_of(&response, "revocation endpoint") {
        Some(e) => Err(e.context("revocation")),
        None => Ok(()),
    }
}

/// Revokes everything of `token` the provider lets revoke: the refresh token (which ends the
/// grant at most providers) and then the access token itself, for those where it does not.
pub async fn revoke_all(token: &Token) -> Result<()> {
    revoke(token).await?;
    if token.refresh_token.as_ref().is_some_and(|r| !r.is_empty()) {
        let mut access_only = token.clone();
        access_only.refresh_token = None;
        revoke(&access_only).await?;
    }
    Ok(())
}
