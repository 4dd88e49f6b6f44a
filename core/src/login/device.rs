//! The device authorization grant (RFC 8628): for devices without a browser, or a terminal
//! program. The user signs in on another device with a short code while this one polls.

use crate::cancel::CancelWatch;
use crate::config::ClientContext;
use crate::config::ParamOption;
use crate::config::Params;
use crate::config::{DevicePrompt, UserAgent};
use crate::error::{Error, ErrorKind, Result};
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

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The device authorization answer (RFC 8628 §3.2).
#[derive(Debug)]
pub(crate) struct DeviceAuthorization {
    device_code: Secret,
    prompt: DevicePrompt,
    interval: Duration,
    expires_in: Duration,
}

pub(crate) fn parse_device_authorization(resp: &http::Response) -> Result<DeviceAuthorization> {
    if let Some(e) = answer::error_of(resp, "device authorization endpoint") {
        return Err(e);
    }
    let fields = crate::transport::answer::parse_fields(resp.text()?).map_err(|e| {
        e.with_http_status(resp.status)
            .context("the device authorization answer")
    })?;
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let number = |name: &str| match fields.get(name) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let missing = |name: &str| {
        Error::protocol(format!("the device authorization answer has no {name}"))
            .with_http_status(resp.status)
    };
    let device_code = text("device_code").ok_or_else(|| missing("device_code"))?;
    let user_code = text("user_code").ok_or_else(|| missing("user_code"))?;
    // Google says verification_url.
    let verification_uri = text("verification_uri")
        .or_else(|| text("verification_url"))
        .ok_or_else(|| missing("verification_uri"))?;
    let expires_in = number("expires_in").unwrap_or(1800).clamp(1, 24 * 3600);
    let interval = interval_of(number("interval"));
    Ok(DeviceAuthorization {
        device_code: Secret::new(device_code),
        prompt: DevicePrompt {
            verification_uri: verification_uri.to_owned(),
            user_code: user_code.to_owned(),
            verification_uri_complete: text("verification_uri_complete").unwrap_or("").to_owned(),
            expires_in,
        },
        interval,
        expires_in: Duration::from_secs(expires_in as u64),
    })
}

/// Signs in with the device flow: asks for a code, shows it, polls ([`Polling`]) until the
/// user approves, refuses, or time runs out (the code's lifetime or AUTH_OPT_LOGIN_TIMEOUT, whichever is
/// first), or the flow is cancelled.
pub async fn login(params: &Params, agent: &dyn UserAgent, cancel: &CancelWatch) -> Result<Token> {
    if params.client_id.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{client_id} is not set: the device flow needs a client id",
            client_id = ParamOption::ClientId
        )));
    }
    params.check_profile(false)?;
    let (ctx, endpoint) = discovery::endpoint(
        &ClientContext::from_params(params),
        |e| &mut e.device_authorization,
        "device authorization endpoint",
        ParamOption::DeviceAuthUrl,
    )
    .await?;
    // One DPoP key for every poll of this grant.
    let ctx = ctx.with_dpop_key()?;
    if ctx.endpoints.token.is_none() {
        return Err(Error::invalid_argument(format!(
            "no token endpoint: set {token_url}, or {configuration_url} for discovery",
            token_url = ParamOption::TokenUrl,
            configuration_url = ParamOption::ConfigurationUrl
        )));
    }
    let mut fields = Vec::new();
    let scope = params.effective_scope();
    if !scope.is_empty() {
        fields.push(("scope".to_owned(), Secret::new(scope)));
    }
    for r in &params.resource {
        fields.push(("resource".to_owned(), Secret::new(r.as_str())));
    }
    if let Some(details) = &params.authorization_details {
        fields.push((
            "authorization_details".to_owned(),
            Secret::new(details.as_str()),
        ));
    }
    for (k, v) in &params.additional_parameters {
        fields.push((k.clone(), Secret::new(v.clone())));
    }
    // The same client authentication as at the token endpoint (RFC 8628 §3.1).
    let request = authenticated_post(&ctx, &endpoint, fields)?;
    let resp = tokio::select! {
        r = http::send(&ctx.transport, &request) => r?,
        _ = cancel.cancelled() => return Err(cancelled()),
    };
    let auth = parse_device_authorization(&resp)?;
    agent.device_prompt(&auth.prompt)?;
    let answer = Polling {
        ctx: &ctx,
        fields: vec![
            ("grant_type".to_owned(), Secret::new(DEVICE_CODE_GRANT)),
            ("device_code".to_owned(), auth.device_code.clone()),
        ],
        interval: auth.interval,
        limit: auth.expires_in.min(params.login_timeout),
        what: "device login",
    }
    .until_answered(cancel)
    .await?;
    let mut token = Token::from_response(answer, ctx.clone());
    if let Some(id) = &token.id_token {
        let claims = id_token::validate(
            &ctx,
            id.expose(),
            &Expectations {
                nonce: None,
                access_token: Some(token.access_token.expose()),
                ..Expectations::default()
            },
        )
        .await?;
        token.id_token_claims = Some(Value::Object(claims).to_string());
    }
    Ok(token)
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Cancelled, "the device login was cancelled")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> http::Response {
        http::Response::json_for_test(status, body)
    }

    #[test]
    fn default_interval_is_five_seconds() {
        let a = parse_device_authorization(&resp(
            200,
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://x/device","expires_in":600}"#,
        ))
        .unwrap();
        assert_eq!(a.interval, crate::login::polling::DEFAULT_INTERVAL);
        assert_eq!(a.expires_in, Duration::from_secs(600));
        assert_eq!(a.prompt.verification_uri_complete, "");
        let a = parse_device_authorization(&resp(
            200,
            r#"{"device_code":"d","user_code":"U","verification_url":"https://x/device","interval":"2"}"#,
        ))
        .unwrap();
        assert_eq!(a.interval, Duration::from_secs(2));
    }

    #[test]
    fn errors_and_missing_fields() {
        let e = parse_device_authorization(&resp(400, r#"{"error":"invalid_scope"}"#)).unwrap_err();
        assert_eq!(
            (e.kind(), e.oauth_error()),
            (ErrorKind::OAuth, "invalid_scope")
        );
        let e = parse_device_authorization(&resp(200, r#"{"device_code":"d"}"#)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let e = parse_device_authorization(&resp(500, "<html>oops</html>")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }
}
