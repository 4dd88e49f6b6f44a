//! OpenID Client-Initiated Backchannel Authentication (CIBA Core 1.0), poll mode: a sign-in
//! without a browser on this side. The client names the user (`login_hint`); the provider asks
//! them on their own device (a phone), showing the `binding_message`; meanwhile the client
//! polls the token endpoint (`urn:openid:params:grant-type:ciba`) as the device flow does.

use crate::cancel::CancelWatch;
use crate::config::ParamOption;
use crate::config::{ClientContext, Kind, Params};
use crate::error::{Error, Result};
use crate::log::{Level, log_at, redact_url};
use crate::login::polling::{Polling, interval_of};
use crate::oauth::client_auth::authenticated_post;
use crate::oidc::id_token::{self, Expectations};
use crate::provider::discovery;
use crate::secret::Secret;
use crate::token::Token;
use crate::transport::answer;
use crate::transport::http;
use serde_json::Value;
use std::time::Duration;

/// CIBA §10.1: the grant type of the token requests.
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// The answer to an authentication request (CIBA §7.3).
#[derive(Debug)]
pub(crate) struct Acknowledgement {
    auth_req_id: Secret,
    /// The request's lifetime; `None`: only the login timeout bounds the wait.
    expires_in: Option<Duration>,
    interval: Duration,
}

pub(crate) fn parse_acknowledgement(resp: &http::Response) -> Result<Acknowledgement> {
    if let Some(e) = answer::error_of(resp, "backchannel authentication endpoint") {
        return Err(e);
    }
    let fields = answer::parse_fields(resp.text()?).map_err(|e| {
        e.with_http_status(resp.status)
            .context("the backchannel authentication answer")
    })?;
    let number = |name: &str| match fields.get(name) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let auth_req_id = match fields.get("auth_req_id") {
        Some(Value::String(s)) if !s.is_empty() && !s.contains('\0') => Secret::new(s.as_str()),
        _ => {
            return Err(Error::protocol(
                "the backchannel authentication answer has no auth_req_id",
            )
            .with_http_status(resp.status));
        }
    };
    Ok(Acknowledgement {
        auth_req_id,
        expires_in: number("expires_in")
            .filter(|&s| s > 0)
            .map(|s| Duration::from_secs(s.min(24 * 3600) as u64)),
        interval: interval_of(number("interval")),
    })
}

/// The parameters of the authentication request (CIBA §7.1), in the order they are sent. The
/// user is named by `login_hint` (option 43), or by a `login_hint_token` or `id_token_hint`
/// among the additional parameters.
pub(crate) fn request_fields(params: &Params) -> Result<Vec<(String, Secret)>> {
    let max_age = params.max_age.map(|s| s.to_string());
    // The options replace an additional parameter of the same name, as in the authorization
    // request. max_age is not a CIBA parameter; it is sent so that a provider that honours it
    // re-authenticates and states `auth_time`, which the ID token is then checked against.
    let named = [
        ("login_hint", params.login_hint.as_deref()),
        ("binding_message", params.binding_message.as_deref()),
        ("acr_values", params.acr_values.as_deref()),
        ("max_age", max_age.as_deref()),
    ];
    let names_user = |k: &str| matches!(k, "login_hint" | "login_hint_token" | "id_token_hint");
    if params.login_hint.is_none()
        && !params
            .additional_parameters
            .iter()
            .any(|(k, _)| names_user(k))
    {
        return Err(Error::invalid_argument(format!(
            "the CIBA flow needs {login_hint}: the user the provider asks to approve",
            login_hint = ParamOption::LoginHint
        )));
    }
    let mut fields = Vec::new();
    let mut push = |k: &str, v: &str| fields.push((k.to_owned(), Secret::new(v)));
    let scope = params.effective_scope();
    if !scope.is_empty() {
        push("scope", &scope);
    }
    for (k, v) in params.parameters_with(&named) {
        push(k, v);
    }
    // MERGE (option 36, AUTH_OPT_REQUEST_OBJECT): with `signed`, these fields travel as one
    // `request` JWT (CIBA §7.1.1: iss = client id, aud = issuer, exp, iat, nbf, jti), signed
    // like the authorization request's request object; client authentication stays outside.
    Ok(fields)
}

/// The backchannel authentication endpoint: the option, else discovery's.
fn endpoint(params: &Params, metadata: Option<&discovery::ProviderMetadata>) -> Result<String> {
    params
        .ciba_url
        .clone()
        .or_else(|| metadata.and_then(|m| m.backchannel_authentication_endpoint.clone()))
        .ok_or_else(|| {
            let what = "backchannel authentication endpoint";
            let ciba_url = ParamOption::CibaUrl;
            // As discovery::endpoint says it: what was consulted, and the option that sets it.
            Error::unsupported(match metadata {
                Some(m) => format!("{}; set {ciba_url} if it has one elsewhere", m.lacks(what)),
                None => format!(
                    "no {what} is known: set {ciba_url} or {configuration_url}",
                    configuration_url = ParamOption::ConfigurationUrl
                ),
            })
        })
}

/// Signs in with CIBA: sends the authentication request (with the client's authentication),
/// then polls ([`Polling`]) until the user approves (a token, its ID token validated), refuses
/// (AccessDenied), the request expires or the login timeout passes (Timeout), or the flow is
/// cancelled. With `require_acr` (a step-up that named acr values) the ID token's `acr` must
/// be one of `acr_values`; with `max_age` set, its `auth_time` must be recent enough.
pub async fn login(params: &Params, cancel: &CancelWatch, require_acr: bool) -> Result<Token> {
    if params.client_id.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{client_id} is not set: the CIBA flow needs a client id",
            client_id = ParamOption::ClientId
        )));
    }
    let fields = request_fields(params)?;
    let unresolved = ClientContext::from_params(params);
    let (ctx, metadata) = tokio::select! {
        r = discovery::resolve(&unresolved) => r?,
        _ = cancel.cancelled() => return Err(cancelled()),
    };
    let endpoint = endpoint(params, metadata.as_deref())?;
    if ctx.endpoints.token.is_none() {
        return Err(Error::invalid_argument(format!(
            "no token endpoint: set {token_url}, or {configuration_url} for discovery",
            token_url = ParamOption::TokenUrl,
            configuration_url = ParamOption::ConfigurationUrl
        )));
    }
    // CIBA §7.1: the client authenticates as at the token endpoint.
    let request = authenticated_post(&ctx, &endpoint, fields)?;
    let resp = tokio::select! {
        r = http::send(&ctx.transport, &request) => r?,
        _ = cancel.cancelled() => return Err(cancelled()),
    };
    let ack = parse_acknowledgement(&resp).map_err(|e| e.context("CIBA login"))?;
    log_at!(
        Level::Info,
        "CIBA: authentication request accepted by {} (expires in {}, polling every {} s)",
        redact_url(&endpoint),
        ack.expires_in
            .map_or_else(|| "?".to_owned(), |d| format!("{} s", d.as_secs())),
        ack.interval.as_secs()
    );
    let answer = Polling {
        ctx: &ctx,
        fields: vec![
            ("grant_type".to_owned(), Secret::new(CIBA_GRANT)),
            ("auth_req_id".to_owned(), ack.auth_req_id.clone()),
        ],
        interval: ack.interval,
        limit: ack
            .expires_in
            .map_or(params.login_timeout, |d| d.min(params.login_timeout)),
        what: "CIBA login",
    }
    .until_answered(cancel)
    .await?;
    let mut token = Token::from_response(answer, ctx);
    let required_acr = if require_acr {
        params.acr_values.as_deref()
    } else {
        None
    };
    // Without a known issuer (OAuth2 parameters without discovery) an ID token cannot be
    // checked: it is kept untrusted, as after a browser login.
    let verifiable = token.context.kind == Kind::OpenId || token.context.issuer.is_some();
    match token.id_token.clone() {
        Some(id) if verifiable => {
            let claims = id_token::validate(
                &token.context,
                id.expose(),
                &Expectations {
                    access_token: Some(token.access_token.expose()),
                    max_age: params.max_age,
                    acr_values: required_acr,
                    ..Expectations::default()
                },
            )
            .await?;
            token.id_token_claims = Some(Value::Object(claims).to_string());
        }
        // CIBA §10.1.1: the token answer holds an ID token.
        None if token.context.kind == Kind::OpenId => {
            return Err(Error::id_token(
                "the token answer to an OpenID CIBA login has no id_token",
            ));
        }
        _ => {}
    }
    Ok(token)
}

fn cancelled() -> Error {
    Error::new(
        crate::error::ErrorKind::Cancelled,
        "the CIBA login was cancelled",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn resp(status: u16, body: &str) -> http::Response {
        http::Response::json_for_test(status, body)
    }

    #[test]
    fn acknowledgement() {
        let a = parse_acknowledgement(&resp(
            200,
            r#"{"auth_req_id":"r1","expires_in":120,"interval":2}"#,
        ))
        .unwrap();
        assert_eq!(a.auth_req_id.expose(), "r1");
        assert_eq!(a.expires_in, Some(Duration::from_secs(120)));
        assert_eq!(a.interval, Duration::from_secs(2));
        // CIBA §7.3: no interval means 5 s.
        let a =
            parse_acknowledgement(&resp(200, r#"{"auth_req_id":"r1","expires_in":"60"}"#)).unwrap();
        assert_eq!(a.interval, crate::login::polling::DEFAULT_INTERVAL);
        assert_eq!(a.expires_in, Some(Duration::from_secs(60)));
        let e = parse_acknowledgement(&resp(200, r#"{"expires_in":60}"#)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let e = parse_acknowledgement(&resp(
            400,
            r#"{"error":"unknown_user_id","error_description":"could not identify end-user"}"#,
        ))
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.oauth_error(), e.http_status()),
            (ErrorKind::OAuth, "unknown_user_id", 400)
        );
        let e = parse_acknowledgement(&resp(502, "<html>bad gateway</html>")).unwrap_err();
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Protocol, 502));
    }

    #[test]
    fn request_names_the_user_and_the_options_win() {
        let mut p = Params::new(Kind::OpenId);
        p.set(ParamOption::Scope, "email").unwrap();
        let e = request_fields(&p).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        p.set(
            ParamOption::AdditionalParameters,
            "login_hint=old&requested_expiry=120",
        )
        .unwrap();
        assert!(request_fields(&p).is_ok(), "a login_hint among the extras");
        p.set(ParamOption::LoginHint, "alice").unwrap();
        p.set(ParamOption::BindingMessage, "W4SC-K7Q2").unwrap();
        p.set(ParamOption::AcrValues, "urn:loa:2").unwrap();
        p.set(ParamOption::MaxAge, "0").unwrap();
        let f: Vec<(String, String)> = request_fields(&p)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.expose().to_owned()))
            .collect();
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            f,
            pairs(&[
                ("scope", "openid email"),
                ("requested_expiry", "120"),
                ("login_hint", "alice"),
                ("binding_message", "W4SC-K7Q2"),
                ("acr_values", "urn:loa:2"),
                ("max_age", "0"),
            ])
        );
    }
}
