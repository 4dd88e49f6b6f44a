//! DPoP (RFC 9449): proofs of possession of the key a token is bound to, on every request that
//! needs one, and the servers' nonces. Every token request ([`crate::oauth::grants`]) and every
//! resource request the library makes with a DPoP-bound token (userinfo) goes through
//! [`send`]; hosts get proofs for their own resource calls from [`proof::proof`].

pub mod nonces;
pub mod proof;

use crate::config::TransportSettings;
use crate::error::Result;
use crate::jose::KeyPair;
use crate::log::{Level, log_at, redact_url};
use crate::secret::Secret;
use crate::transport::http::{self, Request, Response};

/// Sends the request `make` makes, with a DPoP proof made with `key` when there is one (none:
/// as it is). The proof carries the latest nonce of the server's origin; a resource request
/// (one with an access token) gets `ath` and the `DPoP` scheme. Every `DPoP-Nonce` answered is
/// remembered; a `use_dpop_nonce` answer that brings one is retried once with it (RFC 9449 §8,
/// §9), with a request made again (a client assertion cannot be sent twice: its `jti` is
/// single-use), and what the retry answers is the answer: a server that wants yet another
/// nonce gets no third request.
pub async fn send(
    transport: &TransportSettings,
    key: Option<&KeyPair>,
    make: impl Fn() -> Result<Request>,
) -> Result<Response> {
    let Some(key) = key else {
        return http::send(transport, &make()?).await;
    };
    let mut nonce = None;
    let mut retried = false;
    loop {
        let mut request = make()?;
        if !retried {
            nonce = nonces::latest(&request.url);
        }
        let method = if request.form.is_some() {
            "POST"
        } else {
            "GET"
        };
        let access_token = request.access_token.as_ref().map(Secret::expose);
        request.dpop = Some(proof::proof(
            key,
            method,
            &request.url,
            access_token,
            nonce.as_deref(),
        )?);
        let response = http::send(transport, &request).await?;
        if let Some(fresh) = &response.dpop_nonce {
            nonces::remember(&request.url, fresh);
        }
        match &response.dpop_nonce {
            Some(fresh) if !retried && asks_for_nonce(&response) => {
                log_at!(
                    Level::Debug,
                    "{}: the server asks for a DPoP nonce; retrying once with it",
                    redact_url(&request.url)
                );
                nonce = Some(fresh.clone());
                retried = true;
            }
            _ => return Ok(response),
        }
    }
}

/// Whether the answer is the `use_dpop_nonce` error: an OAuth error object (token endpoint,
/// RFC 9449 §8) or a `WWW-Authenticate` challenge (resource server, §9).
pub fn asks_for_nonce(response: &Response) -> bool {
    if response.is_success() {
        return false;
    }
    let in_challenge = response.www_authenticate.as_deref().is_some_and(|h| {
        h.contains("error=\"use_dpop_nonce\"") || h.contains("error=use_dpop_nonce")
    });
    in_challenge
        || std::str::from_utf8(&response.body)
            .ok()
            .and_then(|text| crate::transport::answer::parse_fields(text).ok())
            .is_some_and(|fields| {
                fields.get("error").and_then(serde_json::Value::as_str) == Some("use_dpop_nonce")
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_dpop_nonce_is_recognised_in_the_body_and_in_the_challenge() {
        let body = Response {
            status: 400,
            body: br#"{"error":"use_dpop_nonce","error_description":"x"}"#.to_vec(),
            ..Default::default()
        };
        assert!(asks_for_nonce(&body));
        let challenge = Response {
            status: 401,
            www_authenticate: Some(r#"DPoP error="use_dpop_nonce", algs="ES256""#.into()),
            ..Default::default()
        };
        assert!(asks_for_nonce(&challenge));
        let other = Response {
            status: 400,
            body: br#"{"error":"invalid_grant"}"#.to_vec(),
            ..Default::default()
        };
        assert!(!asks_for_nonce(&other));
        let ok = Response {
            status: 200,
            body: br#"{"error":"use_dpop_nonce"}"#.to_vec(),
            ..Default::default()
        };
        assert!(!asks_for_nonce(&ok), "a success is never a nonce request");
    }
}
