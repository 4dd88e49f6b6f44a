//! Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
//! RFC 7523 §2.2): exactly one mechanism per request, never a Basic header and a body secret
//! together (providers reject that as `invalid_request`).

use crate::config::ClientAuth;
use crate::config::ClientContext;
use crate::config::ParamOption;
use crate::config::profile::rule;
use crate::config::{JwtSigner, Profile};
use crate::dpop;
use crate::error::{Error, Result};
use crate::jose::KeyPair;
use crate::log::{Level, log_at, redact_url};
use crate::oauth::assertion;
use crate::provider::discovery::{self, Slot, same_issuer};
use crate::secret::Secret;
use crate::transport::http::{BasicAuth, Request, Response};
use std::borrow::Cow;

/// POSTs `fields` with the client's authentication to the context's endpoint in `slot`
/// (which the caller has made sure is known), with a DPoP proof made with `dpop_key` when
/// there is one ([`dpop::send`]: the server's nonce, one retry). When it answers 404 and the
/// provider's documents, fetched again, now name another endpoint, the request goes there once
/// more ([`discovery::rediscover`]). Returns the context that was used, with the endpoint that
/// answered (`ctx` itself, borrowed, unless the request moved), and the answer.
pub async fn post_to<'a>(
    ctx: &'a ClientContext,
    slot: Slot,
    fields: Vec<(String, Secret)>,
    dpop_key: Option<&KeyPair>,
) -> Result<(Cow<'a, ClientContext>, Response)> {
    let url = endpoint_in(ctx, slot);
    // Made again for a retry: a client assertion is single-use.
    let response = dpop::send(&ctx.transport, dpop_key, || {
        authenticated_post(ctx, &url, fields.clone())
    })
    .await?;
    if response.status != 404 {
        return Ok((Cow::Borrowed(ctx), response));
    }
    let moved = match discovery::rediscover(ctx, slot, &url).await {
        Ok(Some(moved)) => moved,
        Ok(None) => return Ok((Cow::Borrowed(ctx), response)),
        Err(e) => {
            // The 404 is the answer that matters; why a second look failed is for the log.
            log_at!(
                Level::Warn,
                "after a 404 from {}, discovery failed: {e}",
                redact_url(&url)
            );
            return Ok((Cow::Borrowed(ctx), response));
        }
    };
    let url = endpoint_in(&moved, slot);
    let response = dpop::send(&moved.transport, dpop_key, || {
        authenticated_post(&moved, &url, fields.clone())
    })
    .await?;
    Ok((Cow::Owned(moved), response))
}

/// The URL in the context's endpoint `slot` (`""` if unset). A slot reaches its field only
/// through `&mut`: the endpoints are copied for it, not the whole context.
fn endpoint_in(ctx: &ClientContext, slot: Slot) -> String {
    slot(&mut ctx.endpoints.clone()).take().unwrap_or_default()
}

/// A form POST to `url` with `fields` and the client's authentication added.
///
/// The audience of a `private_key_jwt` assertion: [`assertion_audience`].
pub fn authenticated_post(
    ctx: &ClientContext,
    url: &str,
    mut fields: Vec<(String, Secret)>,
) -> Result<Request> {
    let mut basic = None;
    let field = |name: &str, value: &str| (name.to_owned(), Secret::new(value));
    match ctx.client_auth {
        ClientAuth::Basic => {
            let secret = secret_of(ctx, "basic")?;
            // http.rs form-urlencodes both before base64 (RFC 6749 §2.3.1).
            basic = Some(BasicAuth {
                user: ctx.client_id.clone(),
                password: secret,
            });
        }
        ClientAuth::Post => {
            let secret = secret_of(ctx, "post")?;
            fields.push(field("client_id", &ctx.client_id));
            fields.push(("client_secret".to_owned(), secret));
        }
        ClientAuth::None => {
            if !ctx.client_id.is_empty() {
                fields.push(field("client_id", &ctx.client_id));
            }
        }
        ClientAuth::PrivateKeyJwt => {
            let signer = ctx.jwt.as_ref().ok_or_else(|| {
                Error::invalid_argument(format!(
                    "private_key_jwt client authentication needs {jwt_private_key}",
                    jwt_private_key = ParamOption::JwtPrivateKey
                ))
            })?;
            let default = ctx.endpoints.token.as_deref().unwrap_or(url);
            let audience = assertion_audience(ctx, signer, default)?;
            let assertion = assertion::client_assertion(signer, &ctx.client_id, &audience)?;
            fields.push(field("client_id", &ctx.client_id));
            fields.push(field(
                "client_assertion_type",
                assertion::CLIENT_ASSERTION_TYPE,
            ));
            fields.push(("client_assertion".to_owned(), assertion));
        }
        ClientAuth::TlsClientAuth => {
            // RFC 8705 §2: the certificate of the TLS connection authenticates the client.
            if ctx.transport.client_certificate.is_none() {
                return Err(Error::invalid_argument(format!(
                    "tls_client_auth client authentication needs {client_certificate}",
                    client_certificate = ParamOption::ClientCertificate
                )));
            }
            fields.push(field("client_id", &ctx.client_id));
        }
    }
    let mut request = Request::post_form(url, fields);
    request.basic = basic;
    Ok(request)
}

/// The audience of a client assertion: the configured one, else `default` (the token
/// endpoint, RFC 7523 §3). Under `fapi2`, the issuer alone (FAPI 2.0 §5.3.3.1-5): the default,
/// and a configured audience must be it.
pub fn assertion_audience(
    ctx: &ClientContext,
    signer: &JwtSigner,
    default: &str,
) -> Result<String> {
    if ctx.profile != Profile::Fapi2 {
        return Ok(signer.audience.as_deref().unwrap_or(default).to_owned());
    }
    let issuer = ctx.issuer.as_deref().ok_or_else(|| {
        Error::invalid_argument(format!(
            "profile fapi2: {}: the issuer is unknown (set {})",
            rule::AUDIENCE,
            ParamOption::ConfigurationUrl
        ))
    })?;
    match signer.audience.as_deref() {
        Some(a) if !same_issuer(a, issuer) => Err(Error::invalid_argument(format!(
            "profile fapi2: {}: {} is '{a}', not the issuer '{issuer}'",
            rule::AUDIENCE,
            ParamOption::JwtAudience
        ))),
        _ => Ok(issuer.to_owned()),
    }
}

fn secret_of(ctx: &ClientContext, method: &str) -> Result<Secret> {
    if ctx.client_id.is_empty() {
        return Err(Error::invalid_argument(format!(
            "client authentication '{method}' needs {client_id}",
            client_id = ParamOption::ClientId
        )));
    }
    match &ctx.client_secret {
        Some(s) if !s.is_empty() => Ok(s.clone()),
        _ => Err(Error::invalid_argument(format!(
            "client authentication '{method}' needs {client_secret}",
            client_secret = ParamOption::ClientSecret
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Kind, Params};

    fn ctx(auth: ClientAuth, secret: Option<&str>) -> ClientContext {
        let mut c = ClientContext::from_params(&Params::new(Kind::OAuth2));
        c.client_id = "app".into();
        c.client_secret = secret.map(Secret::new);
        c.client_auth = auth;
        c
    }

    fn names(r: &Request) -> Vec<String> {
        r.form
            .as_ref()
            .unwrap()
            .iter()
            .map(|(k, _)| k.clone())
            .collect()
    }

    #[test]
    fn basic_never_puts_the_secret_in_the_body() {
        let r =
            authenticated_post(&ctx(ClientAuth::Basic, Some("s")), "https://x/t", vec![]).unwrap();
        assert!(r.basic.is_some());
        assert!(!names(&r).contains(&"client_secret".to_owned()));
    }

    #[test]
    fn post_puts_id_and_secret_in_the_body_and_no_header() {
        let r =
            authenticated_post(&ctx(ClientAuth::Post, Some("s")), "https://x/t", vec![]).unwrap();
        assert!(r.basic.is_none());
        assert_eq!(names(&r), ["client_id", "client_secret"]);
    }

    #[test]
    fn none_sends_only_the_id_and_secret_methods_need_a_secret() {
        let r = authenticated_post(&ctx(ClientAuth::None, None), "https://x/t", vec![]).unwrap();
        assert_eq!(names(&r), ["client_id"]);
        let e =
            authenticated_post(&ctx(ClientAuth::Basic, None), "https://x/t", vec![]).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidArgument);
        for auth in [ClientAuth::Basic, ClientAuth::Post] {
            let e = authenticated_post(&ctx(auth, Some("")), "https://x/t", vec![]).unwrap_err();
            assert_eq!(
                e.kind(),
                crate::error::ErrorKind::InvalidArgument,
                "an empty secret is no secret ({auth:?})"
            );
        }
        let e = authenticated_post(&ctx(ClientAuth::PrivateKeyJwt, None), "https://x/t", vec![])
            .unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidArgument);
    }
}
