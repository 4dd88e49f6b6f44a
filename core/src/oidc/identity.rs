//! Who signed in (WLanguage `OpenIDIdentity`): the validated ID-token claims merged with the
//! userinfo endpoint's answer (OpenID Connect Core §5.3), or the userinfo answer alone.

use crate::config::ClientContext;
use crate::config::ParamOption;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at, redact_url};
use crate::oidc::id_token::{self, Expectations};
use crate::secret::Secret;
use crate::token::Token;
use crate::transport::http::{Request, Response};
use serde_json::{Map, Value};

/// The claims about the user, immutable once read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    /// Every claim, ID token first, userinfo over it.
    pub(crate) claims: Map<String, Value>,
    /// The raw ID token the claims came from, if any.
    pub(crate) id_token: Option<Secret>,
}

impl Identity {
    /// An identity of these claims, e.g. read from a place of the host's own.
    pub fn new(claims: Map<String, Value>, id_token: Option<Secret>) -> Identity {
        Identity { claims, id_token }
    }

    /// Every claim, ID token first, userinfo over it.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The raw ID token the claims came from, if any (`IDToken`).
    pub fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }

    /// `Valid`: the identity holds claims about someone (a read that fails gives no identity).
    pub fn is_valid(&self) -> bool {
        !self.claims.is_empty()
    }

    /// `Source`: all claims as a JSON object text.
    pub fn source(&self) -> String {
        Value::Object(self.claims.clone()).to_string()
    }

    /// A claim in string form: strings as they are, other values as JSON text; None when the
    /// claim is absent or null.
    pub fn claim(&self, name: &str) -> Option<String> {
        claim_text(self.claims.get(name)?)
    }

    pub fn subject(&self) -> Option<String> {
        self.claim("sub")
    }
    pub fn email(&self) -> Option<String> {
        self.claim("email")
    }
    /// `FirstName`: `given_name`.
    pub fn first_name(&self) -> Option<String> {
        self.claim("given_name")
    }
    /// `LastName`: `family_name`.
    pub fn last_name(&self) -> Option<String> {
        self.claim("family_name")
    }
    pub fn name(&self) -> Option<String> {
        self.claim("name")
    }
}

/// The string form of a claim value (None for null).
pub fn claim_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// `OpenIDReadIdentity`: the ID token's claims (validated when the token was received; an ID
/// token imported without its claims is validated now) merged with the userinfo answer when
/// the provider has a userinfo endpoint. The userinfo `sub` must be the ID token's (Core
/// §5.3.4), else `IdToken` and nothing is merged. Without an ID token, userinfo alone; without
/// either, `Unsupported`. An ID token that cannot be verified (OAuth2 parameters with no way
/// to learn the issuer and its keys: kept untrusted by the login) is not used.
pub async fn read_identity(token: &Token) -> Result<Identity> {
    let untrusted = token.id_token_claims.is_none() && unverifiable(&token.context);
    let id_token = token.id_token.as_ref().filter(|_| !untrusted);
    let needs_discovery = token.context.endpoints.userinfo.is_none()
        || (id_token.is_some() && token.id_token_claims.is_none());
    let ctx = context_for(&token.context, needs_discovery).await?;
    let id_claims = match (&token.id_token_claims, id_token) {
        (Some(text), _) => Some(stored_claims(text)?),
        (None, Some(jwt)) => Some(
            id_token::validate(
                &ctx,
                jwt.expose(),
                &Expectations {
                    access_token: Some(token.access_token.expose()),
                    ..Expectations::default()
                },
            )
            .await?,
        ),
        (None, None) => None,
    };
    let id_token = id_claims.as_ref().and(token.id_token.clone());
    let userinfo = match &ctx.endpoints.userinfo {
        Some(url) => Some(fetch_userinfo(&ctx, url, &token.access_token).await?),
        None => None,
    };
    let claims = merge_claims(id_claims, userinfo)?;
    Ok(Identity { claims, id_token })
}

/// The ID token's claims merged with the userinfo answer: the userinfo `sub` must be the ID
/// token's (Core §5.3.4), else `IdToken` and nothing is merged; with neither, `Unsupported`.
pub(crate) fn merge_claims(
    id_claims: Option<Map<String, Value>>,
    userinfo: Option<Map<String, Value>>,
) -> Result<Map<String, Value>> {
    match (id_claims, userinfo) {
        (None, None) => Err(Error::unsupported(
            "no identity to read: the token has no ID token and the provider no userinfo endpoint",
        )),
        (Some(c), None) => Ok(c),
        (None, Some(u)) => Ok(u),
        (Some(mut c), Some(u)) => {
            if u.get("sub").is_none() || u.get("sub") != c.get("sub") {
                let shown = |m: &Map<String, Value>| {
                    m.get("sub")
                        .map(Value::to_string)
                        .unwrap_or_else(|| "(none)".into())
                };
                return Err(Error::id_token(format!(
                    "the userinfo answer is about subject {} but the ID token about {} (Core §5.3.4): not merged",
                    shown(&u),
                    shown(&c)
                )));
            }
            c.extend(u);
            Ok(c)
        }
    }
}

/// Plain OAuth 2.0 parameters without a configuration URL or known issuer: an ID token that
/// comes anyway cannot be checked (no issuer, no keys).
fn unverifiable(ctx: &ClientContext) -> bool {
    ctx.kind == crate::config::Kind::OAuth2
        && ctx.issuer.is_none()
        && ctx.configuration_url.is_none()
}

/// `AuthGetUserInfo`: the userinfo endpoint's answer alone. No userinfo endpoint (set or
/// discovered) is `Unsupported`.
pub async fn user_info(token: &Token) -> Result<Identity> {
    let (ctx, url) = crate::provider::discovery::endpoint(
        &token.context,
        |e| &mut e.userinfo,
        "userinfo endpoint",
        ParamOption::UserinfoUrl,
    )
    .await?;
    Ok(Identity {
        claims: fetch_userinfo(&ctx, &url, &token.access_token).await?,
        id_token: None,
    })
}

/// The context, completed by discovery when something is missing and a configuration URL is
/// known.
async fn context_for(ctx: &ClientContext, missing: bool) -> Result<ClientContext> {
    if missing && ctx.configuration_url.is_some() {
        Ok(crate::provider::discovery::resolve(ctx).await?.0)
    } else {
        Ok(ctx.clone())
    }
}

fn stored_claims(text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Error::format(
            "the token's stored ID-token claims are not a JSON object",
        )),
    }
}

/// GET userinfo with the access token (RFC 6750 §2.1; a DPoP-bound token of `ctx` with a
/// proof, RFC 9449 §7): a JSON object, or a signed JWT (`application/jwt`) checked like an ID
/// token without nonce.
pub async fn fetch_userinfo(
    ctx: &ClientContext,
    url: &str,
    access_token: &Secret,
) -> Result<Map<String, Value>> {
    let request = Request {
        access_token: Some(access_token.clone()),
        ..Request::get(url)
    };
    // A DPoP-bound token goes with a proof (and `ath`), under the DPoP scheme (RFC 9449 §7).
    let response = crate::dpop::send(&ctx.transport, ctx.dpop.key(), || Ok(request.clone()))
        .await
        .map_err(|e| e.context("userinfo"))?;
    if !response.is_success() {
        return Err(userinfo_error(&response, url));
    }
    let is_jwt = response
        .content_type
        .as_deref()
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/jwt"));
    let claims = if is_jwt {
        let jwt = response.text().map_err(|e| e.context("userinfo"))?;
        id_token::validate_signed_answer(ctx, jwt)
            .await
            .map_err(|e| e.context("userinfo (signed answer)"))?
    } else {
        response.json_object().map_err(|e| e.context("userinfo"))?
    };
    if let Some(e) = crate::transport::answer::oauth_error_of(&claims, response.status) {
        return Err(e.context("userinfo"));
    }
    log_at!(
        Level::Debug,
        "userinfo {}: {} claim(s)",
        redact_url(url),
        claims.len()
    );
    Ok(claims)
}

/// A refused userinfo request. RFC 6750 §3 puts the reason in `WWW-Authenticate`
/// (`error="invalid_token"` for a bad or expired access token). That is reported as
/// `ErrorKind::OAuth` (AUTH_ERROR_OAUTH) with oauth error `invalid_token` and the status, not
/// as `InvalidGrant`: the access token was refused, not the grant, and a refresh may still
/// work, so callers must not be told to sign in again.
pub(crate) fn userinfo_error(response: &Response, url: &str) -> Error {
    let challenge = response
        .www_authenticate
        .as_deref()
        .map(challenge_params)
        .unwrap_or_default();
    let param = |name: &str| {
        challenge
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if let Some(code) = param("error").filter(|c| !c.is_empty()) {
        return Error::new(
            ErrorKind::OAuth,
            format!(
                "userinfo refused the access token: {code}{}",
                param("error_description")
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ),
        )
        .with_oauth_error(code)
        .with_http_status(response.status);
    }
    if let Ok(fields) = response.json_object()
        && let Some(e) = crate::transport::answer::oauth_error_of(&fields, response.status)
    {
        return e.context("userinfo");
    }
    Error::protocol(format!(
        "userinfo at {} answered HTTP {}",
        redact_url(url),
        response.status
    ))
    .with_http_status(response.status)
}

/// The parameters of the challenge of a `WWW-Authenticate` value that states an `error` (else
/// of its first challenge), names lower-cased and values unescaped. A value that is not a
/// challenge list has none (the status and body then tell what happened).
fn challenge_params(header: &str) -> Vec<(String, String)> {
    let Ok(mut challenges) = crate::transport::challenge::parse(header) else {
        return Vec::new();
    };
    let at = challenges
        .iter()
        .position(|c| c.param("error").is_some())
        .unwrap_or(0);
    challenges.swap_remove(at).params
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn challenge_parameters() {
        let p = challenge_params(
            r#"Bearer realm="http://127.0.0.1:3000", error="invalid_token", error_description="invalid token \"provided\"""#,
        );
        assert_eq!(
            p,
            vec![
                ("realm".into(), "http://127.0.0.1:3000".into()),
                ("error".into(), "invalid_token".into()),
                (
                    "error_description".into(),
                    "invalid token \"provided\"".into()
                ),
            ]
        );
        assert_eq!(
            challenge_params("Bearer error=insufficient_scope"),
            vec![("error".into(), "insufficient_scope".into())]
        );
        assert!(challenge_params("Bearer").is_empty());
        assert!(challenge_params("Bearer error=\"unterminated").is_empty());
        // Several challenges: the one that says what went wrong.
        assert_eq!(
            challenge_params(r#"Basic realm="x", DPoP algs="ES256", Bearer Error="invalid_token""#),
            vec![("error".into(), "invalid_token".into())]
        );
    }

    #[test]
    fn userinfo_401_is_oauth_invalid_token() {
        let r = Response {
            status: 401,
            content_type: None,
            www_authenticate: Some(
                r#"Bearer realm="x", error="invalid_token", error_description="invalid token provided""#
                    .into(),
            ),
            retry_after: None,
            max_age: None,
            body: Vec::new(),
            ..Default::default()
        };
        let e = userinfo_error(&r, "https://idp.example/me");
        assert_eq!(e.kind(), ErrorKind::OAuth);
        assert_eq!(e.oauth_error(), "invalid_token");
        assert_eq!(e.http_status(), 401);
        let r = Response {
            status: 500,
            content_type: Some("text/html".into()),
            www_authenticate: None,
            retry_after: None,
            max_age: None,
            body: b"<html>".to_vec(),
            ..Default::default()
        };
        assert_eq!(userinfo_error(&r, "https://x/").kind(), ErrorKind::Protocol);
    }

    #[test]
    fn claim_string_forms() {
        let id = Identity {
            claims: json!({"sub": "u1", "email_verified": true, "n": 3, "address": {"c": "FR"}, "z": null})
                .as_object()
                .unwrap()
                .clone(),
            id_token: None,
        };
        assert_eq!(id.subject().as_deref(), Some("u1"));
        assert_eq!(id.claim("email_verified").as_deref(), Some("true"));
        assert_eq!(id.claim("n").as_deref(), Some("3"));
        assert_eq!(id.claim("address").as_deref(), Some(r#"{"c":"FR"}"#));
        assert_eq!(id.claim("z"), None);
        assert_eq!(id.claim("missing"), None);
        assert!(id.is_valid());
    }
}
