//! OpenID Connect discovery (and RFC 8414 metadata): the provider's document, fetched once per
//! URL and cached, its `issuer` checked against the URL it came from, its endpoints held to the
//! same rules as endpoints that are set by hand.

use crate::config::{ClientContext, TransportSettings};
use crate::error::{Error, Result};
use crate::log::{Level, log_at};
use crate::transport::http::{self, Request};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

const OPENID_SUFFIX: &str = "/.well-known/openid-configuration";
const OAUTH_SUFFIX: &str = "/.well-known/oauth-authorization-server";
/// How long a fetched document is trusted before it is fetched again.
pub const CACHE_TTL: Duration = Duration::from_secs(3600);

/// What discovery says about a provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    /// OpenID CIBA: where the client asks for a backchannel authentication.
    pub backchannel_authentication_endpoint: Option<String>,
    /// RFC 9207: the authorization response carries `iss`, and the client must check it.
    pub authorization_response_iss_parameter_supported: bool,
    pub code_challenge_methods_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// The whole document.
    pub raw: Map<String, Value>,
}

/// The document URL for a configuration URL that is either the document or the issuer, and
/// the issuer that document must name.
pub fn document_url_and_issuer(configuration_url: &str) -> (String, String) {
    let trimmed = configuration_url.trim_end_matches('/');
    for suffix in [OPENID_SUFFIX, OAUTH_SUFFIX] {
        if let Some(issuer) = trimmed.strip_suffix(suffix) {
            return (trimmed.to_owned(), issuer.to_owned());
        }
    }
    (
        format!("{trimmed}{OPENID_SUFFIX}"),
        configuration_url.to_owned(),
    )
}

/// Issuers compare exactly, except for one trailing slash (providers differ on it and
/// discovery appends to the issuer either way).
pub fn same_issuer(a: &str, b: &str) -> bool {
    a == b || a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Reads a discovery document.
pub fn parse(document: &Map<String, Value>, expected_issuer: &str) -> Result<ProviderMetadata> {
    let issuer = match document.get("issuer") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(Error::protocol("the discovery document has no issuer")),
    };
    if !same_issuer(&issuer, expected_issuer) {
        return Err(Error::protocol(format!(
            "the discovery document names issuer '{issuer}' but was fetched for '{expected_issuer}' (possible impersonation)"
        )));
    }
    let endpoint = |name: &str| -> Result<Option<String>> {
        match document.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => crate::config::url_rules::endpoint_url(name, s)
                .map(|u| Some(u.to_string()))
                .map_err(|e| Error::protocol(format!("the discovery document's {}", e.message()))),
            Some(_) => Err(Error::protocol(format!(
                "the discovery document's {name} is not a string"
            ))),
        }
    };
    let list = |name: &str| -> Vec<String> {
        document
            .get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(ProviderMetadata {
        authorization_endpoint: endpoint("authorization_endpoint")?,
        token_endpoint: endpoint("token_endpoint")?,
        userinfo_endpoint: endpoint("userinfo_endpoint")?,
        jwks_uri: endpoint("jwks_uri")?,
        revocation_endpoint: endpoint("revocation_endpoint")?,
        introspection_endpoint: endpoint("introspection_endpoint")?,
        end_session_endpoint: endpoint("end_session_endpoint")?,
        device_authorization_endpoint: endpoint("device_authorization_endpoint")?,
        backchannel_authentication_endpoint: endpoint("backchannel_authentication_endpoint")?,
        authorization_response_iss_parameter_supported: document
            .get("authorization_response_iss_parameter_supported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        code_challenge_methods_supported: list("code_challenge_methods_supported"),
        id_token_signing_alg_values_supported: list("id_token_signing_alg_values_supported"),
        token_endpoint_auth_methods_supported: list("token_endpoint_auth_methods_supported"),
        issuer,
        raw: document.clone(),
    })
}

type Cache = HashMap<String, (Arc<ProviderMetadata>, Instant)>;

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The metadata for a configuration URL: from the cache when fresh, else fetched.
pub async fn discover(
    configuration_url: &str,
    transport: &TransportSettings,
) -> Result<Arc<ProviderMetadata>> {
    let (document_url, issuer) = document_url_and_issuer(configuration_url);
    if let Some((m, at)) = CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&document_url)
        && at.elapsed() < CACHE_TTL
    {
        return Ok(m.clone());
    }
    let response = http::send(transport, &Request::get(&document_url))
        .await
        .map_err(|e| e.context("discovery"))?;
    if !response.is_success() {
        return Err(Error::protocol(format!(
            "discovery: {document_url} answered HTTP {}",
            response.status
        ))
        .with_http_status(response.status));
    }
    let document = response.json_object().map_err(|e| e.context("discovery"))?;
    let metadata = Arc::new(parse(&document, &issuer)?);
    log_at!(Level::Info, "discovered provider {}", metadata.issuer);
    CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(document_url, (metadata.clone(), Instant::now()));
    Ok(metadata)
}

/// Forgets every cached document (tests, and hosts that know the provider changed).
pub fn clear_cache() {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// The context with the endpoints discovery knows filled in where none was set, and the
/// issuer. Without a configuration URL the context is returned as it is.
pub async fn resolve(
    context: &ClientContext,
) -> Result<(ClientContext, Option<Arc<ProviderMetadata>>)> {
    let Some(url) = &context.configuration_url else {
        return Ok((context.clone(), None));
    };
    let m = discover(url, &context.transport).await?;
    let mut c = context.clone();
    let e = &mut c.endpoints;
    let fill = |slot: &mut Option<String>, value: &Option<String>| {
        if slot.is_none() {
            slot.clone_from(value);
        }
    };
    fill(&mut e.authorization, &m.authorization_endpoint);
    fill(&mut e.token, &m.token_endpoint);
    fill(&mut e.userinfo, &m.userinfo_endpoint);
    fill(&mut e.jwks, &m.jwks_uri);
    fill(&mut e.revocation, &m.revocation_endpoint);
    fill(&mut e.introspection, &m.introspection_endpoint);
    fill(&mut e.end_session, &m.end_session_endpoint);
    fill(
        &mut e.device_authorization,
        &m.device_authorization_endpoint,
    );
    c.issuer = Some(m.issuer.clone());
    Ok((c, Some(m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn document_or_issuer() {
        assert_eq!(
            document_url_and_issuer("https://idp.example/realms/a"),
            (
                "https://idp.example/realms/a/.well-known/openid-configuration".into(),
                "https://idp.example/realms/a".into()
            )
        );
        assert_eq!(
            document_url_and_issuer("https://idp.example/.well-known/openid-configuration"),
            (
                "https://idp.example/.well-known/openid-configuration".into(),
                "https://idp.example".into()
            )
        );
    }

    #[test]
    fn issuer_must_match_and_endpoints_must_be_safe() {
        let doc =
            json!({"issuer": "https://idp.example", "token_endpoint": "https://idp.example/token"});
        assert!(parse(doc.as_object().unwrap(), "https://idp.example/").is_ok());
        let e = parse(doc.as_object().unwrap(), "https://other.example").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Protocol);
        let doc =
            json!({"issuer": "https://idp.example", "token_endpoint": "http://evil.example/token"});
        assert_eq!(
            parse(doc.as_object().unwrap(), "https://idp.example")
                .unwrap_err()
                .kind(),
            crate::error::ErrorKind::Protocol
        );
    }
}
