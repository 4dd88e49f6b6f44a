//! The token endpoint (RFC 6749 §3.2, §4, §6; RFC 7523): one POST with the client's
//! authentication, and the grants built on it.
//!
//! Nothing here retries a request the server may have received: a refresh answered but lost
//! and sent again would present a rotated refresh token twice, which revokes the whole grant.

use crate::config::ClientContext;
use crate::config::ParamOption;
use crate::config::profile::rule;
use crate::config::{Kind, Params, Profile};
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at};
use crate::oauth::assertion;
use crate::oauth::client_auth::post_to;
use crate::oidc::id_token::{self, Expectations};
use crate::provider::discovery;
use crate::secret::Secret;
use crate::token::{Token, TokenResponse, parse_token_answer};
use crate::transport::answer;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// POSTs `fields` (grant_type and the grant's own fields) to the context's token endpoint and
/// parses the answer: the one place every token request of every grant goes through. It adds
/// what the context asks of every token request: the client's authentication, the resource
/// indicators (RFC 8707) and authorization details (RFC 9396) the grant's own fields do not
/// already carry, and a DPoP proof (RFC 9449, with the server's nonce: [`crate::dpop::send`]). The
/// answer names the DPoP key it may be bound to ([`TokenResponse::dpop_key`]).
pub async fn token_request(
    ctx: &ClientContext,
    fields: Vec<(String, Secret)>,
) -> Result<TokenResponse> {
    Ok(token_request_at(ctx, fields).await?.1)
}

/// [`token_request`], also giving the context that was used (`ctx` itself, borrowed, unless
/// the request moved): a token endpoint that answered 404 is looked up again in the
/// provider's documents, and the answer may come from where they now put it ([`post_to`]).
pub async fn token_request_at<'a>(
    ctx: &'a ClientContext,
    mut fields: Vec<(String, Secret)>,
) -> Result<(Cow<'a, ClientContext>, TokenResponse)> {
    if ctx.endpoints.token.is_none() {
        return Err(Error::invalid_argument(format!(
            "no token endpoint: set {token_url} or {configuration_url}",
            token_url = ParamOption::TokenUrl,
            configuration_url = ParamOption::ConfigurationUrl
        )));
    }
    add_grant_fields(ctx, &mut fields);
    let key = ctx.dpop.ready()?;
    let (ctx, response) = post_to(ctx, |e| &mut e.token, fields, key.as_ref()).await?;
    // A success is parsed once, below: parse_token_response also turns an error object sent
    // with status 200 into that error.
    if !response.is_success()
        && let Some(e) = answer::error_of(&response, "token endpoint")
    {
        return Err(e);
    }
    let status = response.status;
    let mut answer = parse_token_answer(response.into_text()?, status)?;
    let other = answer.token_type.clone();
    match (&key, other == "DPoP") {
        (Some(_), true) | (None, false) => {}
        (Some(_), false) => {
            // RFC 9449 §5: the provider did not bind the token.
            if ctx.profile == Profile::Fapi2 {
                return Err(Error::protocol(format!(
                    "profile fapi2: {}: the token endpoint answered a {other} token to a DPoP request",
                    rule::SENDER_CONSTRAINED
                ))
                .with_http_status(status));
            }
            log_at!(
                Level::Warn,
                "the token endpoint answered a {other} token to a DPoP request: kept as a Bearer token, not bound to the key"
            );
        }
        (None, true) => {
            return Err(Error::protocol(
                "the token endpoint answered a DPoP token to a request without a DPoP proof",
            )
            .with_http_status(status));
        }
    }
    answer.dpop_key = key;
    Ok((ctx, answer))
}

/// The fields the context adds to every token request: each `resource` (RFC 8707 §2.2) and the
/// `authorization_details` (RFC 9396 §6), unless the grant set them itself.
fn add_grant_fields(ctx: &ClientContext, fields: &mut Vec<(String, Secret)>) {
    let has = |fields: &[(String, Secret)], name: &str| fields.iter().any(|(k, _)| k == name);
    if !has(fields, "resource") {
        for r in &ctx.resource {
            fields.push(("resource".to_owned(), Secret::new(r.as_str())));
        }
    }
    if let Some(details) = &ctx.authorization_details
        && !has(fields, "authorization_details")
    {
        fields.push((
            "authorization_details".to_owned(),
            Secret::new(details.as_str()),
        ));
    }
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

/// The context with discovery's endpoints filled in when it has a configuration URL and lacks
/// the token endpoint (or, for OpenID, the issuer that ID tokens are checked against); `ctx`
/// itself, borrowed, when it lacks nothing. Discovery is cached, so this costs one fetch per
/// provider and hour.
pub async fn resolved_context(ctx: &ClientContext) -> Result<Cow<'_, ClientContext>> {
    let needs_discovery = ctx.configuration_url.is_some()
        && (ctx.endpoints.token.is_none() || (ctx.kind == Kind::OpenId && ctx.issuer.is_none()));
    if needs_discovery {
        Ok(Cow::Owned(discovery::resolve(ctx).await?.0))
    } else {
        Ok(Cow::Borrowed(ctx))
    }
}

/// A new token from the refresh token (RFC 6749 §6), with the context the token carries.
/// What the answer omits (refresh token, ID token) is kept from `token`, which stays valid.
pub async fn refresh(token: &Token) -> Result<Token> {
    if token.refresh_token.as_ref().is_none_or(Secret::is_empty) {
        return Err(Error::new(
            ErrorKind::NotRefreshable,
            "the token has no refresh token",
        ));
    }
    let refresh_token = token.refresh_token.clone().unwrap_or_default();
    let ctx = resolved_context(&token.context)
        .await
        .map_err(|e| e.context("refresh"))?;
    if ctx.endpoints.token.is_none() {
        return Err(Error::new(
            ErrorKind::NotRefreshable,
            format!(
                "no token endpoint is known for this token (it was imported without {token_url} or {configuration_url})",
                token_url = ParamOption::TokenUrl,
                configuration_url = ParamOption::ConfigurationUrl
            ),
        ));
    }
    let fields = vec![
        ("grant_type".to_owned(), Secret::new("refresh_token")),
        ("refresh_token".to_owned(), refresh_token),
    ];
    let (ctx, answer) = token_request_at(&ctx, fields)
        .await
        .map_err(|e| e.context("refresh"))?;
    let received_id_token = answer.id_token.clone();
    // The resolved endpoints (one copy of the context, made here, for the new token), and the
    // binding the answer decides.
    let mut fresh = token.refreshed_in(answer, ctx.into_owned());
    if let (Kind::OpenId, Some(id)) = (fresh.context.kind, received_id_token) {
        let previous: Option<Map<String, Value>> = token
            .id_token_claims
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok());
        let expect = Expectations {
            nonce: None,
            access_token: Some(fresh.access_token.expose()),
            previous_claims: previous.as_ref(),
            ..Expectations::default()
        };
        let claims = id_token::validate(&fresh.context, id.expose(), &expect)
            .await
            .map_err(|e| e.context("refresh"))?;
        fresh.id_token_claims = Some(Value::Object(claims).to_string());
    }
    Ok(fresh)
}

/// The scope sent with a grant that has no user (no automatic `openid`).
pub(crate) fn plain_scope(params: &Params) -> Option<String> {
    let scope = params
        .scope
        .split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!scope.is_empty()).then_some(scope)
}

/// The context of `params` for a grant without a user (its profile's rules checked first),
/// discovered, with a token endpoint.
pub async fn grant_context(params: &Params) -> Result<ClientContext> {
    params.check_profile(false)?;
    let ctx = ClientContext::from_params(params);
    let ctx = if ctx.configuration_url.is_some() {
        discovery::resolve(&ctx).await?.0
    } else {
        ctx
    };
    if ctx.endpoints.token.is_none() {
        return Err(Error::invalid_argument(format!(
            "no token endpoint: set {token_url} or {configuration_url}",
            token_url = ParamOption::TokenUrl,
            configuration_url = ParamOption::ConfigurationUrl
        )));
    }
    ctx.with_dpop_key()
}

/// The client credentials grant (RFC 6749 §4.4).
pub async fn client_credentials(params: &Params) -> Result<Token> {
    let ctx = grant_context(params).await?;
    let mut fields = vec![("grant_type".to_owned(), Secret::new("client_credentials"))];
    if let Some(scope) = plain_scope(params) {
        fields.push(("scope".to_owned(), Secret::new(scope)));
    }
    let answer = token_request(&ctx, fields)
        .await
        .map_err(|e| e.context("client credentials"))?;
    Ok(Token::from_response(answer, ctx))
}

/// The JWT bearer grant (RFC 7523 §2.1).
pub async fn jwt_bearer(params: &Params) -> Result<Token> {
    let ctx = grant_context(params).await?;
    let signer = ctx.jwt.as_ref().ok_or_else(|| {
        Error::invalid_argument(format!(
            "the JWT bearer grant needs {jwt_private_key}",
            jwt_private_key = ParamOption::JwtPrivateKey
        ))
    })?;
    let token_endpoint = ctx.endpoints.token.as_deref().unwrap_or_default();
    let assertion = assertion::grant_assertion(signer, &ctx.client_id, token_endpoint)?;
    let mut fields = vec![
        (
            "grant_type".to_owned(),
            Secret::new(assertion::JWT_BEARER_GRANT),
        ),
        ("assertion".to_owned(), assertion),
    ];
    if let Some(scope) = plain_scope(params) {
        fields.push(("scope".to_owned(), Secret::new(scope)));
    }
    let answer = token_request(&ctx, fields)
        .await
        .map_err(|e| e.context("JWT bearer grant"))?;
    Ok(Token::from_response(answer, ctx))
}

/// A signed assertion as `auth_identify` would send it: for `AUTH_KIND_JWT` the grant
/// assertion (RFC 7523 §2.1), otherwise the `private_key_jwt` client assertion (§2.2). The
/// default audience is the token endpoint, from discovery when it is not set.
pub async fn jwt_assertion_for(params: &Params) -> Result<Secret> {
    let ctx = ClientContext::from_params(params);
    let signer = ctx.jwt.as_ref().ok_or_else(|| {
        Error::invalid_argument(format!(
            "a JWT assertion needs {jwt_private_key}",
            jwt_private_key = ParamOption::JwtPrivateKey
        ))
    })?;
    let ctx = if signer.audience.is_none() || ctx.profile == Profile::Fapi2 {
        grant_context(params).await?
    } else {
        ctx.clone()
    };
    let token_endpoint = ctx.endpoints.token.as_deref().unwrap_or_default();
    if params.kind == Kind::Jwt {
        assertion::grant_assertion(signer, &ctx.client_id, token_endpoint)
    } else {
        let audience = crate::oauth::client_auth::assertion_audience(&ctx, signer, token_endpoint)?;
        assertion::client_assertion(signer, &ctx.client_id, &audience)
    }
}
