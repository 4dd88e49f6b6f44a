//! Pushed authorization requests (RFC 9126): the authorization parameters POSTed to the PAR
//! endpoint with the client's authentication, in exchange for a `request_uri` the browser
//! carries instead of them.

use crate::config::ClientContext;
use crate::error::{Error, Result};
use crate::log::{Level, log_at, redact_url};
use crate::oauth::client_auth::authenticated_post;
use crate::secret::Secret;
use crate::transport::answer;
use crate::transport::http;
use serde_json::Value;

/// What a push gave (RFC 9126 §2.2).
#[derive(Debug, Clone)]
pub struct Pushed {
    /// What the authorization URL carries in place of the parameters.
    pub request_uri: String,
    /// Seconds it stays usable.
    pub expires_in: i64,
}

/// Pushes `parameters` (the authorization request, or `request` holding its request object) to
/// `endpoint`. Errors map as at the token endpoint (an OAuth error object is that error, any
/// other failure status is Protocol); an answer without `request_uri`, or with an `expires_in`
/// that is not a positive number of seconds (already past), is Protocol.
pub async fn push(
    ctx: &ClientContext,
    endpoint: &str,
    parameters: Vec<(String, String)>,
) -> Result<Pushed> {
    let fields = parameters
        .into_iter()
        // client_id is added by the client authentication, once.
        .filter(|(k, _)| k != "client_id")
        .map(|(k, v)| (k, Secret::new(v)))
        .collect();
    let request = authenticated_post(ctx, endpoint, fields)?;
    let response = http::send(&ctx.transport, &request)
        .await
        .map_err(|e| e.context("pushed authorization request"))?;
    const WHAT: &str = "pushed authorization request endpoint";
    if let Some(e) = answer::error_of(&response, WHAT) {
        return Err(e.context("pushed authorization request"));
    }
    let status = response.status;
    let fields = answer::parse_fields(response.text()?).map_err(|e| {
        e.with_http_status(status)
            .context("pushed authorization request")
    })?;
    let protocol = |why: &str| {
        Error::protocol(format!("the {WHAT} answered {why} (RFC 9126 §2.2)"))
            .with_http_status(status)
    };
    let request_uri = match fields.get("request_uri") {
        Some(Value::String(s)) if !s.is_empty() && !s.contains('\0') => s.clone(),
        Some(_) => return Err(protocol("a request_uri that is not a non-empty string")),
        None => return Err(protocol("no request_uri")),
    };
    let expires_in = match fields.get("expires_in") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let expires_in = match expires_in {
        Some(n) if n > 0 => n,
        Some(n) => {
            return Err(protocol(&format!(
                "an expires_in of {n} s: the request_uri is already expired"
            )));
        }
        None => return Err(protocol("no expires_in as a whole number of seconds")),
    };
    log_at!(
        Level::Debug,
        "pushed the authorization request to {} (usable {expires_in} s)",
        redact_url(endpoint)
    );
    Ok(Pushed {
        request_uri,
        expires_in,
    })
}
