//! Token introspection (RFC 7662): what the provider says about the access token.

use crate::config::ParamOption;
use crate::error::{Error, Result};
use crate::oauth::client_auth::post_to;
use crate::provider::discovery;
use crate::secret::Secret;
use crate::token::Token;
use crate::transport::answer;
use serde_json::Value;

/// Introspects the access token of `token` at the introspection endpoint it knows (set, or
/// from discovery) and returns the answer, a JSON object with at least `active`, as text.
/// No endpoint known is `ErrorKind::Unsupported`.
pub async fn introspect(token: &Token) -> Result<String> {
    let (ctx, _) = discovery::endpoint(
        &token.context,
        |e| &mut e.introspection,
        "introspection endpoint",
        ParamOption::IntrospectionUrl,
    )
    .await
    .map_err(|e| e.context("introspection"))?;
    let fields = vec![
        ("token".to_owned(), token.access_token.clone()),
        ("token_type_hint".to_owned(), Secret::new("access_token")),
    ];
    let (_, response) = post_to(&ctx, |e| &mut e.introspection, fields)
        .await
        .map_err(|e| e.context("introspection"))?;
    if let Some(e) = answer::error_of(&response, "introspection endpoint") {
        return Err(e.context("introspection"));
    }
    let status = response.status;
    let object = response
        .json_object()
        .map_err(|e| e.context("introspection"))?;
    if !matches!(object.get("active"), Some(Value::Bool(_))) {
        return Err(Error::protocol(
            "introspection: the answer has no boolean 'active' (RFC 7662 §2.2)",
        )
        .with_http_status(status));
    }
    Ok(Value::Object(object).to_string())
}
