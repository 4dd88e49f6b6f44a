//! OpenID Connect discovery and RFC 8414 metadata: the provider's documents, fetched and cached
//! per URL for as long as their `Cache-Control` allows (within [`POLICY`]), each `issuer`
//! checked against the URL it came from, their endpoints held to the same rules as endpoints
//! that are set by hand.
//!
//! When the OpenID document lacks one of [`SUPPLEMENTED_ENDPOINTS`] (django-oauth-toolkit puts
//! revocation and introspection only in its RFC 8414 document), the RFC 8414 document of the
//! same issuer is fetched too, and every field the OpenID document lacks is taken from it:
//! the merge is by field, so new metadata the library reads merges without a list of its own.

use crate::config::{ClientContext, Endpoints, ParamOption, TransportSettings};
use crate::error::{Error, Result};
use crate::log::{Level, log_at, redact_url};
use crate::transport::freshness::Policy;
use crate::transport::http::{self, Request};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

const OPENID_SUFFIX: &str = "/.well-known/openid-configuration";
const OAUTH_SUFFIX: &str = "/.well-known/oauth-authorization-server";

/// How long fetched documents are reused: an hour when the provider says nothing; never less
/// than a minute (a `no-cache` document would otherwise be fetched before every request);
/// never more than a day (a mistaken `max-age` must not pin endpoints). An endpoint that
/// answers 404 makes the document be fetched again at once (see [`rediscover`]).
pub const POLICY: Policy = Policy {
    default: Duration::from_secs(3600),
    floor: Duration::from_secs(60),
    ceiling: Duration::from_secs(24 * 3600),
};

/// Endpoints the library uses that an OpenID discovery document may leave to the RFC 8414
/// document: when the OpenID document lacks one, the RFC 8414 document is fetched and merged.
pub const SUPPLEMENTED_ENDPOINTS: &[&str] = &[
    "revocation_endpoint",
    "introspection_endpoint",
    "device_authorization_endpoint",
    "pushed_authorization_request_endpoint",
    "backchannel_authentication_endpoint",
    "end_session_endpoint",
];

/// What the search for the RFC 8414 document found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Rfc8414 {
    /// The OpenID document lacked nothing (or the configuration URL is the RFC 8414 document).
    #[default]
    NotConsulted,
    /// Merged: the document's URL.
    Merged(String),
    /// Every URL tried answered 404 (or 410).
    NotFound(Vec<String>),
    /// It could not be read (network, server error, not JSON): the URL and why.
    Unreadable(String, String),
}

/// Where the metadata came from, so that messages can say what was consulted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// The URL of the discovery document (OpenID, or RFC 8414 when configured so).
    pub document: String,
    pub rfc8414: Rfc8414,
}

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
    /// RFC 9126 §5: the pushed authorization request endpoint.
    pub pushed_authorization_request_endpoint: Option<String>,
    /// RFC 9126 §5: the provider takes authorization requests only through PAR.
    pub require_pushed_authorization_requests: bool,
    /// RFC 8705 §5: the endpoints to use with a client certificate, by metadata name
    /// (`token_endpoint`, …), held to the same rules as the endpoints.
    pub mtls_endpoint_aliases: Vec<(String, String)>,
    /// RFC 9449 §5.1: the algorithms the provider accepts for DPoP proofs.
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// RFC 9101 §10.5: the provider takes only signed request objects.
    pub require_signed_request_object: bool,
    /// RFC 9396 §10: the authorization details types the provider knows.
    pub authorization_details_types_supported: Vec<String>,
    /// The whole document (with what the RFC 8414 document added).
    pub raw: Map<String, Value>,
    pub sources: Sources,
}

impl ProviderMetadata {
    /// Why the provider's documents give no `what` (e.g. "revocation endpoint"): the sentence
    /// names each document consulted.
    pub fn lacks(&self, what: &str) -> String {
        let document = redact_url(&self.sources.document);
        match &self.sources.rfc8414 {
            Rfc8414::NotConsulted => {
                format!("the provider's discovery document ({document}) has no {what}")
            }
            Rfc8414::Merged(url) => format!(
                "the provider's discovery document ({document}) and its RFC 8414 document ({}) have no {what}",
                redact_url(url)
            ),
            Rfc8414::NotFound(tried) => format!(
                "the provider's discovery document ({document}) has no {what}, and the provider publishes no RFC 8414 document ({} answered 404)",
                tried
                    .iter()
                    .map(|u| redact_url(u))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Rfc8414::Unreadable(url, why) => format!(
                "the provider's discovery document ({document}) has no {what}, and its RFC 8414 document ({}) could not be read: {why}",
                redact_url(url)
            ),
        }
    }
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

/// Where the RFC 8414 document of `issuer` may be, in the order tried: the well-known URI
/// inserted between the host and the issuer's path (RFC 8414 §3.1), then, for an issuer with a
/// path, appended to it as OpenID discovery does (where many servers put it).
pub fn rfc8414_urls(issuer: &str) -> Vec<String> {
    let issuer = issuer.trim_end_matches('/');
    let Ok(url) = url::Url::parse(issuer) else {
        return vec![format!("{issuer}{OAUTH_SUFFIX}")];
    };
    let path = url.path().trim_end_matches('/');
    let origin = url.origin().ascii_serialization();
    if path.is_empty() {
        vec![format!("{origin}{OAUTH_SUFFIX}")]
    } else {
        vec![
            format!("{origin}{OAUTH_SUFFIX}{path}"),
            format!("{issuer}{OAUTH_SUFFIX}"),
        ]
    }
}

/// Issuers compare exactly, except for one trailing slash (providers differ on it and
/// discovery appends to the issuer either way).
pub fn same_issuer(a: &str, b: &str) -> bool {
    a == b || a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The document's `issuer`, which must be `expected` (OpenID Discovery §4.3, RFC 8414 §3.3).
fn checked_issuer(document: &Map<String, Value>, expected: &str, which: &str) -> Result<String> {
    let issuer = match document.get("issuer") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(Error::protocol(format!("{which} has no issuer"))),
    };
    if !same_issuer(&issuer, expected) {
        return Err(Error::protocol(format!(
            "{which} names issuer '{issuer}' but was fetched for '{expected}' (possible impersonation)"
        )));
    }
    Ok(issuer)
}

/// Reads a discovery document.
pub fn parse(document: &Map<String, Value>, expected_issuer: &str) -> Result<ProviderMetadata> {
    let issuer = checked_issuer(document, expected_issuer, "the discovery document")?;
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
    let flag = |name: &str| document.get(name).and_then(Value::as_bool).unwrap_or(false);
    let mtls_endpoint_aliases = match document.get("mtls_endpoint_aliases") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(aliases)) => {
            let mut out = Vec::new();
            for (name, value) in aliases {
                let url = match value {
                    Value::String(s) => {
                        crate::config::url_rules::endpoint_url(name, s).map_err(|e| {
                            Error::protocol(format!(
                                "the discovery document's mtls_endpoint_aliases: {}",
                                e.message()
                            ))
                        })?
                    }
                    _ => {
                        return Err(Error::protocol(format!(
                            "the discovery document's mtls_endpoint_aliases.{name} is not a string"
                        )));
                    }
                };
                out.push((name.clone(), url.to_string()));
            }
            out
        }
        Some(_) => {
            return Err(Error::protocol(
                "the discovery document's mtls_endpoint_aliases is not an object",
            ));
        }
    };
    Ok(ProviderMetadata {
        pushed_authorization_request_endpoint: endpoint("pushed_authorization_request_endpoint")?,
        require_pushed_authorization_requests: flag("require_pushed_authorization_requests"),
        mtls_endpoint_aliases,
        dpop_signing_alg_values_supported: list("dpop_signing_alg_values_supported"),
        require_signed_request_object: flag("require_signed_request_object"),
        authorization_details_types_supported: list("authorization_details_types_supported"),
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
        sources: Sources::default(),
    })
}

/// Whether the OpenID document lacks an endpoint that the RFC 8414 document may supply.
pub fn needs_supplement(document: &Map<String, Value>) -> bool {
    SUPPLEMENTED_ENDPOINTS
        .iter()
        .any(|f| matches!(document.get(*f), None | Some(Value::Null)))
}

/// The OpenID document with every field it lacks taken from the RFC 8414 document (whose
/// issuer the caller has checked). What the OpenID document says wins.
pub fn merge(openid: &Map<String, Value>, rfc8414: &Map<String, Value>) -> Map<String, Value> {
    let mut merged = openid.clone();
    for (field, value) in rfc8414 {
        if matches!(merged.get(field), None | Some(Value::Null)) {
            merged.insert(field.clone(), value.clone());
        }
    }
    merged
}

/// A document as fetched: the JSON object and how long the server lets it be reused.
enum Fetched {
    Document(Map<String, Value>, Option<Duration>),
    /// 404 or 410: there is no such document.
    Absent(u16),
}

async fn fetch(url: &str, transport: &TransportSettings) -> Result<Fetched> {
    let response = http::send(transport, &Request::get(url)).await?;
    if matches!(response.status, 404 | 410) {
        return Ok(Fetched::Absent(response.status));
    }
    if !response.is_success() {
        return Err(Error::protocol(format!(
            "{} answered HTTP {}",
            redact_url(url),
            response.status
        ))
        .with_http_status(response.status));
    }
    let document = response.json_object()?;
    Ok(Fetched::Document(document, response.max_age))
}

/// The RFC 8414 document for `issuer`, merged into `openid`; the merged metadata and how long
/// it may be reused.
async fn supplemented(
    openid: Map<String, Value>,
    openid_age: Option<Duration>,
    issuer: &str,
    transport: &TransportSettings,
) -> Result<(Map<String, Value>, Rfc8414, Duration)> {
    let mut lifetime = POLICY.lifetime(openid_age);
    let mut tried = Vec::new();
    for url in rfc8414_urls(issuer) {
        match fetch(&url, transport).await {
            Ok(Fetched::Absent(status)) => {
                log_at!(
                    Level::Debug,
                    "no RFC 8414 document at {} (HTTP {status})",
                    redact_url(&url)
                );
                tried.push(url);
            }
            Ok(Fetched::Document(document, age)) => {
                checked_issuer(
                    &document,
                    issuer,
                    &format!("the RFC 8414 document ({})", redact_url(&url)),
                )?;
                let added: Vec<&str> = document
                    .keys()
                    .filter(|k| matches!(openid.get(*k), None | Some(Value::Null)))
                    .map(String::as_str)
                    .collect();
                log_at!(
                    Level::Debug,
                    "RFC 8414 document {} adds: {}",
                    redact_url(&url),
                    added.join(", ")
                );
                lifetime = lifetime.min(POLICY.lifetime(age));
                return Ok((merge(&openid, &document), Rfc8414::Merged(url), lifetime));
            }
            Err(e) => {
                // The OpenID document is good: work with it, and look again soon.
                log_at!(
                    Level::Warn,
                    "the provider's RFC 8414 document ({}) could not be read: {e}",
                    redact_url(&url)
                );
                let why = e.message().to_owned();
                return Ok((openid, Rfc8414::Unreadable(url, why), POLICY.floor));
            }
        }
    }
    Ok((openid, Rfc8414::NotFound(tried), lifetime))
}

/// Fetches the documents for `configuration_url` (no cache).
async fn fetch_metadata(
    configuration_url: &str,
    transport: &TransportSettings,
) -> Result<(ProviderMetadata, Duration)> {
    let (document_url, issuer) = document_url_and_issuer(configuration_url);
    let (document, age) = match fetch(&document_url, transport).await {
        Ok(Fetched::Document(d, age)) => (d, age),
        Ok(Fetched::Absent(status)) => {
            return Err(Error::protocol(format!(
                "discovery: {} answered HTTP {status}",
                redact_url(&document_url)
            ))
            .with_http_status(status));
        }
        Err(e) => return Err(e.context("discovery")),
    };
    // Checked before anything else is fetched on its word.
    checked_issuer(&document, &issuer, "the discovery document")?;
    let (document, rfc8414, lifetime) =
        if !document_url.ends_with(OAUTH_SUFFIX) && needs_supplement(&document) {
            supplemented(document, age, &issuer, transport)
                .await
                .map_err(|e| e.context("discovery"))?
        } else {
            (document, Rfc8414::NotConsulted, POLICY.lifetime(age))
        };
    let mut metadata = parse(&document, &issuer)?;
    metadata.sources = Sources {
        document: document_url,
        rfc8414,
    };
    Ok((metadata, lifetime))
}

struct Entry {
    metadata: Arc<ProviderMetadata>,
    fetched_at: Instant,
    lifetime: Duration,
}

static CACHE: LazyLock<Mutex<HashMap<String, Entry>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The metadata for a configuration URL: from the cache while fresh, else fetched.
pub async fn discover(
    configuration_url: &str,
    transport: &TransportSettings,
) -> Result<Arc<ProviderMetadata>> {
    let (document_url, _) = document_url_and_issuer(configuration_url);
    if let Some(e) = CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&document_url)
        && e.fetched_at.elapsed() < e.lifetime
    {
        return Ok(e.metadata.clone());
    }
    fetch_and_cache(configuration_url, transport).await
}

async fn fetch_and_cache(
    configuration_url: &str,
    transport: &TransportSettings,
) -> Result<Arc<ProviderMetadata>> {
    let (metadata, lifetime) = fetch_metadata(configuration_url, transport).await?;
    let metadata = Arc::new(metadata);
    log_at!(
        Level::Info,
        "discovered provider {} (kept {} s)",
        metadata.issuer,
        lifetime.as_secs()
    );
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).insert(
        metadata.sources.document.clone(),
        Entry {
            metadata: metadata.clone(),
            fetched_at: Instant::now(),
            lifetime,
        },
    );
    Ok(metadata)
}

/// How much longer the cached metadata of `configuration_url` stays fresh; `None` when none
/// is cached or it is stale.
pub fn fresh_for(configuration_url: &str) -> Option<Duration> {
    let (document_url, _) = document_url_and_issuer(configuration_url);
    CACHE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&document_url)
        .and_then(|e| e.lifetime.checked_sub(e.fetched_at.elapsed()))
        .filter(|d| !d.is_zero())
}

/// Forgets every cached document (tests, and hosts that know the provider changed).
pub fn clear_cache() {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

impl ProviderMetadata {
    /// The endpoint of metadata name `name` (`token_endpoint`, …) as `value`, or its mutual-TLS
    /// alias (RFC 8705 §5) when the client presents a certificate and the provider has one.
    pub fn endpoint_for(
        &self,
        name: &str,
        value: &Option<String>,
        client_certificate: bool,
    ) -> Option<String> {
        let alias = self
            .mtls_endpoint_aliases
            .iter()
            .find(|(n, _)| client_certificate && n == name)
            .map(|(_, url)| url.clone());
        alias.or_else(|| value.clone())
    }
}

/// One of a context's endpoints, e.g. `|e| &mut e.revocation`.
pub type Slot = fn(&mut Endpoints) -> &mut Option<String>;

/// The context with the endpoints discovery knows filled in where none was set, and the
/// issuer. With a client certificate, the provider's `mtls_endpoint_aliases` (RFC 8705 §5)
/// replace its token, revocation, introspection, userinfo, PAR and device endpoints, so that
/// tokens are bound to the certificate. Without a configuration URL the context is returned as
/// it is.
pub async fn resolve(
    context: &ClientContext,
) -> Result<(ClientContext, Option<Arc<ProviderMetadata>>)> {
    let Some(url) = &context.configuration_url else {
        return Ok((context.clone(), None));
    };
    let m = discover(url, &context.transport).await?;
    Ok((filled(context, &m), Some(m)))
}

fn filled(context: &ClientContext, m: &ProviderMetadata) -> ClientContext {
    let mut c = context.clone();
    let mtls = c.transport.client_certificate.is_some();
    let e = &mut c.endpoints;
    let fill = |slot: &mut Option<String>, name: &str, value: &Option<String>| {
        if slot.is_none() {
            *slot = m.endpoint_for(name, value, mtls);
        }
    };
    // Endpoints the browser visits, and the key set, have no aliases: "" matches none.
    fill(&mut e.authorization, "", &m.authorization_endpoint);
    fill(&mut e.jwks, "", &m.jwks_uri);
    fill(&mut e.end_session, "", &m.end_session_endpoint);
    fill(&mut e.token, "token_endpoint", &m.token_endpoint);
    fill(&mut e.userinfo, "userinfo_endpoint", &m.userinfo_endpoint);
    fill(
        &mut e.revocation,
        "revocation_endpoint",
        &m.revocation_endpoint,
    );
    fill(
        &mut e.introspection,
        "introspection_endpoint",
        &m.introspection_endpoint,
    );
    fill(
        &mut e.device_authorization,
        "device_authorization_endpoint",
        &m.device_authorization_endpoint,
    );
    fill(
        &mut e.pushed_authorization,
        "pushed_authorization_request_endpoint",
        &m.pushed_authorization_request_endpoint,
    );
    c.issuer = Some(m.issuer.clone());
    c
}

/// The context and one of its endpoints: set, else discovered. Neither: `Unsupported`, whose
/// message names what was consulted (the documents, or that nothing could be) and the option
/// that sets it; `what` names the endpoint ("revocation endpoint").
pub async fn endpoint(
    context: &ClientContext,
    slot: Slot,
    what: &str,
    option: ParamOption,
) -> Result<(ClientContext, String)> {
    let mut ctx = context.clone();
    if let Some(url) = slot(&mut ctx.endpoints).clone() {
        return Ok((ctx, url));
    }
    let (mut ctx, metadata) = resolve(&ctx).await?;
    if let Some(url) = slot(&mut ctx.endpoints).clone() {
        return Ok((ctx, url));
    }
    Err(Error::unsupported(match metadata {
        Some(m) => format!("{}; set {option} if it has one elsewhere", m.lacks(what)),
        None => format!(
            "no {what} is known: set {option} or {configuration_url}",
            configuration_url = ParamOption::ConfigurationUrl
        ),
    }))
}

/// After `failed_url`, the context's endpoint in `slot`, answered 404: the provider may have
/// moved it (a restart with other endpoints). Fetches the discovery documents again, at once,
/// and gives the context with that endpoint as they now name it, when it differs; `None`
/// when there is no configuration URL or the documents still name the same endpoint (or
/// none): the 404 stands. A 404 means no such endpoint handled the request, so sending it
/// again elsewhere cannot use a one-time credential twice.
pub async fn rediscover(
    context: &ClientContext,
    slot: Slot,
    failed_url: &str,
) -> Result<Option<ClientContext>> {
    let Some(url) = &context.configuration_url else {
        return Ok(None);
    };
    log_at!(
        Level::Info,
        "{} answered 404: fetching the provider's discovery document again",
        redact_url(failed_url)
    );
    let m = fetch_and_cache(url, &context.transport).await?;
    let mut cleared = context.clone();
    *slot(&mut cleared.endpoints) = None;
    let mut ctx = filled(&cleared, &m);
    match slot(&mut ctx.endpoints).clone() {
        Some(now) if now != failed_url => {
            log_at!(
                Level::Info,
                "the provider moved that endpoint to {}",
                redact_url(&now)
            );
            Ok(Some(ctx))
        }
        _ => Ok(None),
    }
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
    fn rfc8414_locations() {
        assert_eq!(
            rfc8414_urls("https://idp.example"),
            vec!["https://idp.example/.well-known/oauth-authorization-server"]
        );
        assert_eq!(
            rfc8414_urls("https://idp.example/"),
            vec!["https://idp.example/.well-known/oauth-authorization-server"]
        );
        // RFC 8414 §3.1 inserts the well-known part before the issuer's path; the appended
        // form (as OpenID discovery does it) comes second.
        assert_eq!(
            rfc8414_urls("http://127.0.0.1:8000/o/"),
            vec![
                "http://127.0.0.1:8000/.well-known/oauth-authorization-server/o",
                "http://127.0.0.1:8000/o/.well-known/oauth-authorization-server"
            ]
        );
    }

    #[test]
    fn the_rfc8414_document_fills_what_the_openid_one_lacks() {
        let openid = json!({
            "issuer": "https://idp.example/o",
            "token_endpoint": "https://idp.example/o/token/",
            "revocation_endpoint": null,
            "end_session_endpoint": "https://idp.example/o/logout/",
            "scopes_supported": ["openid"]
        });
        let oauth = json!({
            "issuer": "https://idp.example/o",
            "token_endpoint": "https://elsewhere.example/token",
            "revocation_endpoint": "https://idp.example/o/revoke_token/",
            "introspection_endpoint": "https://idp.example/o/introspect/",
            "pushed_authorization_request_endpoint": "https://idp.example/o/par",
            "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.idp.example/o/token/"},
            "scopes_supported": ["api"]
        });
        let openid = openid.as_object().unwrap();
        assert!(needs_supplement(openid));
        let merged = merge(openid, oauth.as_object().unwrap());
        // The OpenID document wins where it says something.
        assert_eq!(merged["token_endpoint"], "https://idp.example/o/token/");
        assert_eq!(merged["scopes_supported"], json!(["openid"]));
        // Everything it lacks (or gives as null) comes from the RFC 8414 document, by field:
        // fields no list here names merge the same way.
        assert_eq!(
            merged["revocation_endpoint"],
            "https://idp.example/o/revoke_token/"
        );
        assert_eq!(
            merged["pushed_authorization_request_endpoint"],
            "https://idp.example/o/par"
        );
        assert!(merged["mtls_endpoint_aliases"].is_object());
        let m = parse(&merged, "https://idp.example/o").unwrap();
        assert_eq!(
            m.revocation_endpoint.as_deref(),
            Some("https://idp.example/o/revoke_token/")
        );
        assert_eq!(
            m.introspection_endpoint.as_deref(),
            Some("https://idp.example/o/introspect/")
        );
        // A document with every supplemented endpoint needs nothing more.
        let full: Map<String, Value> = SUPPLEMENTED_ENDPOINTS
            .iter()
            .map(|f| (f.to_string(), json!("https://idp.example/x")))
            .collect();
        assert!(!needs_supplement(&full));
    }

    #[test]
    fn what_is_missing_names_the_documents_consulted() {
        let mut m = ProviderMetadata {
            sources: Sources {
                document: "http://127.0.0.1:1/o/.well-known/openid-configuration".into(),
                rfc8414: Rfc8414::Merged(
                    "http://127.0.0.1:1/.well-known/oauth-authorization-server/o".into(),
                ),
            },
            ..ProviderMetadata::default()
        };
        assert_eq!(
            m.lacks("revocation endpoint"),
            "the provider's discovery document (http://127.0.0.1:1/o/.well-known/openid-configuration) and its RFC 8414 document (http://127.0.0.1:1/.well-known/oauth-authorization-server/o) have no revocation endpoint"
        );
        m.sources.rfc8414 = Rfc8414::NotFound(vec![
            "http://127.0.0.1:1/.well-known/oauth-authorization-server".into(),
        ]);
        assert!(
            m.lacks("revocation endpoint")
                .contains("has no revocation endpoint, and the provider publishes no RFC 8414 document (http://127.0.0.1:1/.well-known/oauth-authorization-server answered 404)"),
            "{}",
            m.lacks("revocation endpoint")
        );
        m.sources.rfc8414 = Rfc8414::NotConsulted;
        assert!(
            m.lacks("userinfo endpoint")
                .ends_with("has no userinfo endpoint")
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
