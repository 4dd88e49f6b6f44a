//! The authorization request and its completion (RFC 6749 §4.1 and §4.2, RFC 7636, RFC 9207,
//! OpenID Connect Core §3.1.2): `begin` makes the URL with fresh `state`, `nonce` and PKCE
//! values; `complete` checks the redirect the browser came back with and turns it into a
//! token. Both are independent of how the redirect is received (loopback listener, custom
//! scheme, web server).

use crate::clock::unix_now;
use crate::config::ClientContext;
use crate::config::ParamOption;
use crate::config::profile::rule;
use crate::config::{Kind, Par, Params, Profile, RequestObject, ResponseType};
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at, redact_url};
use crate::login::pkce;
use crate::oauth::{assertion, grants, par};
use crate::oidc::id_token::{self, Expectations};
use crate::provider::discovery;
use crate::secret::Secret;
use crate::token::{Token, parse_token_response};
use crate::transport::http;
use serde_json::{Map, Value};
use url::Url;

/// One authorization request in progress: what its completion must check.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    /// Where to send the user.
    pub(crate) url: String,
    /// The `redirect_uri` sent (with the real port when a listener chose it).
    pub(crate) redirect_uri: String,
    pub(crate) response_type: ResponseType,
    state: Secret,
    nonce: Option<Secret>,
    verifier: Option<Secret>,
    /// The issuer the authorization response must name in `iss` (RFC 9207), when the provider
    /// advertises the parameter; otherwise the known issuer, checked only if `iss` is present.
    issuer: Option<String>,
    /// `iss` must be in the answer: the provider advertises it, or the profile requires it.
    iss_required: bool,
    /// The client context with the endpoints discovery filled in.
    context: ClientContext,
    /// OAuth errors that mean "the user is not signed in" (prompt=none): AccessDenied.
    silent: bool,
    /// The `max_age` sent: the ID token's `auth_time` must be at most this old.
    max_age: Option<u64>,
    /// A step-up's `acr_values`: the ID token's `acr` must be one of them (RFC 9470 §3).
    required_acr: Option<String>,
}

/// What `begin` may add for particular flows.
#[derive(Debug, Clone, Default)]
pub struct BeginOptions {
    /// The redirect URI to send instead of the configured one (a listener's real port).
    pub redirect_uri: Option<String>,
    /// `prompt=none` (auth_verify_authentication): no user interaction.
    pub silent: bool,
    /// A step-up that named acr values: the ID token's `acr` must be one of `acr_values`
    /// (otherwise `acr_values` is a request the provider may ignore).
    pub require_acr: bool,
}

/// The authorization-request parameters, in the order they are sent. `dpop_jkt`: the
/// thumbprint of the grant's DPoP key (RFC 9449 §10), which binds the code to it.
fn request_pairs(
    params: &Params,
    redirect_uri: &str,
    state: &Secret,
    nonce: Option<&Secret>,
    pkce: Option<&pkce::PkcePair>,
    silent: bool,
    dpop_jkt: Option<&str>,
) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: &str| q.push((k.to_owned(), v.to_owned()));
    push(
        "response_type",
        match params.response_type {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        },
    );
    push("client_id", &params.client_id);
    push("redirect_uri", redirect_uri);
    let scope = params.effective_scope();
    if !scope.is_empty() {
        push("scope", &scope);
    }
    push("state", state.expose());
    if let Some(n) = nonce {
        push("nonce", n.expose());
    }
    if let Some(p) = pkce {
        push("code_challenge", &p.challenge);
        push("code_challenge_method", p.method);
    }
    if let Some(jkt) = dpop_jkt {
        push("dpop_jkt", jkt);
    }
    // RFC 8707 and RFC 9396: each replaces additional parameters of the same name.
    let replaced = |name: &str| match name {
        "resource" => !params.resource.is_empty(),
        "authorization_details" => params.authorization_details.is_some(),
        _ => false,
    };
    for r in &params.resource {
        push("resource", r);
    }
    if let Some(details) = &params.authorization_details {
        push("authorization_details", details);
    }
    // The options of OpenID Connect Core §3.1.2.1; each replaces an additional parameter of
    // the same name.
    let max_age = params.max_age.map(|s| s.to_string());
    let prompt = if silent {
        Some("none")
    } else {
        params.prompt.as_deref()
    };
    let named = [
        ("acr_values", params.acr_values.as_deref()),
        ("max_age", max_age.as_deref()),
        ("prompt", prompt),
        ("login_hint", params.login_hint.as_deref()),
    ];
    for (k, v) in params.parameters_with(&named) {
        if !replaced(k) {
            push(k, v);
        }
    }
    q
}

/// Starts an authorization request: checks the profile's rules, resolves the endpoints
/// (discovery for OpenID), makes the random values (and the DPoP key of the grant), and the
/// URL: the parameters themselves, or signed in a request object (RFC 9101), or pushed (RFC
/// 9126) so that the URL carries only `client_id` and `request_uri`.
pub async fn begin(params: &Params, options: &BeginOptions) -> Result<LoginRequest> {
    if params.kind == Kind::Jwt {
        return Err(Error::invalid_argument(
            "JWT parameters have no interactive login (they sign in with the JWT bearer grant)",
        ));
    }
    params.check_profile(true)?;
    if params.request_object == RequestObject::Signed && params.jwt_private_key.is_none() {
        return Err(Error::invalid_argument(format!(
            "{request_object} is signed: set {jwt_private_key} (and {jwt_algorithm}) to sign it",
            request_object = ParamOption::RequestObject,
            jwt_private_key = ParamOption::JwtPrivateKey,
            jwt_algorithm = ParamOption::JwtAlgorithm
        )));
    }
    if params.client_id.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{client_id} is not set: the authorization request needs a client id",
            client_id = ParamOption::ClientId
        )));
    }
    let redirect_uri = match (&options.redirect_uri, &params.redirect_url) {
        (Some(r), _) | (None, Some(r)) => r.clone(),
        (None, None) => {
            return Err(Error::invalid_argument(format!(
                "{redirect_url} is not set: the two-step login needs the URL the host receives the redirect on",
                redirect_url = ParamOption::RedirectUrl
            )));
        }
    };
    let (context, metadata) = discovery::resolve(&ClientContext::from_params(params)).await?;
    // The grant's DPoP key is made now: the authorization request names it (dpop_jkt).
    let context = context.with_dpop_key()?;
    let endpoint = context.endpoints.authorization.clone().ok_or_else(|| {
        Error::invalid_argument(format!(
            "no authorization endpoint: set {auth_url}, or {configuration_url} for discovery",
            auth_url = ParamOption::AuthUrl,
            configuration_url = ParamOption::ConfigurationUrl
        ))
    })?;
    let mut url = Url::parse(&endpoint)
        .map_err(|e| Error::invalid_argument(format!("authorization endpoint: {e}")))?;
    let state = pkce::random_urlsafe(32)?;
    // A nonce only with `openid`: providers refuse it otherwise (oidc-provider: invalid_request).
    let openid = params.effective_scope().split(' ').any(|s| s == "openid");
    let nonce = if openid {
        Some(pkce::random_urlsafe(32)?)
    } else {
        None
    };
    // PKCE protects the code; the implicit flow has none.
    let pair = match params.response_type {
        ResponseType::Code => pkce::new_pair(params.pkce)?,
        ResponseType::Token => None,
    };
    let mut pairs = request_pairs(
        params,
        &redirect_uri,
        &state,
        nonce.as_ref(),
        pair.as_ref(),
        options.silent,
        context.dpop.key().map(|k| k.thumbprint()),
    );
    if params.request_object == RequestObject::Signed {
        pairs = vec![
            ("client_id".to_owned(), params.client_id.clone()),
            ("request".to_owned(), signed_request(&context, &pairs)?),
        ];
    }
    let required_by_provider = metadata
        .as_ref()
        .is_some_and(|m| m.require_pushed_authorization_requests);
    let pushing = match params.par {
        Par::On => true,
        Par::Off => false,
        Par::Auto => required_by_provider || params.profile == Profile::Fapi2,
    };
    if pushing {
        let endpoint = context
            .endpoints
            .pushed_authorization
            .clone()
            .ok_or_else(|| {
                let why = match params.par {
                    Par::On => format!("{} is on", ParamOption::Par),
                    _ if params.profile == Profile::Fapi2 => {
                        format!("profile fapi2: {}", rule::PAR)
                    }
                    _ => "the provider requires pushed authorization requests".to_owned(),
                };
                Error::unsupported(format!(
                    "{why}, but the provider has no pushed authorization request endpoint (set {})",
                    ParamOption::ParUrl
                ))
            })?;
        let pushed = par::push(&context, &endpoint, pairs).await?;
        pairs = vec![
            ("client_id".to_owned(), params.client_id.clone()),
            ("request_uri".to_owned(), pushed.request_uri),
        ];
    }
    url.query_pairs_mut().extend_pairs(pairs);
    let iss_required = params.profile == Profile::Fapi2
        || metadata
            .as_ref()
            .is_some_and(|m| m.authorization_response_iss_parameter_supported);
    log_at!(
        Level::Info,
        "authorization request to {}",
        redact_url(url.as_str())
    );
    Ok(LoginRequest {
        url: url.to_string(),
        redirect_uri,
        response_type: params.response_type,
        state,
        nonce,
        verifier: pair.map(|p| p.verifier),
        issuer: context.issuer.clone(),
        iss_required,
        context,
        silent: options.silent,
        max_age: params.max_age,
        required_acr: params.acr_values.clone().filter(|_| options.require_acr),
    })
}

/// The request object (RFC 9101 §4) of the authorization parameters `pairs`, signed with the
/// client's JWT key: each parameter a claim (a repeated one an array; `max_age` a number,
/// `authorization_details` its JSON), with `iss` the client id and `aud` the issuer.
fn signed_request(context: &ClientContext, pairs: &[(String, String)]) -> Result<String> {
    let signer = context.jwt.as_ref().ok_or_else(|| {
        Error::invalid_argument(format!(
            "a signed request object needs {}",
            ParamOption::JwtPrivateKey
        ))
    })?;
    let audience = context.issuer.as_deref().ok_or_else(|| {
        Error::invalid_argument(format!(
            "a signed request object's audience is the issuer: set {}",
            ParamOption::ConfigurationUrl
        ))
    })?;
    let mut claims = Map::new();
    for (k, v) in pairs {
        let value = match k.as_str() {
            "max_age" => v
                .parse::<u64>()
                .map_or_else(|_| Value::from(v.as_str()), Value::from),
            "authorization_details" => {
                serde_json::from_str(v).unwrap_or_else(|_| Value::from(v.as_str()))
            }
            _ => Value::from(v.as_str()),
        };
        match claims.get_mut(k) {
            Some(Value::Array(list)) => list.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                claims.insert(k.clone(), value);
            }
        }
    }
    let now = unix_now();
    claims.insert("iss".into(), Value::from(context.client_id.as_str()));
    claims.insert("aud".into(), Value::from(audience));
    claims.insert("iat".into(), Value::from(now));
    claims.insert("nbf".into(), Value::from(now));
    claims.insert(
        "exp".into(),
        Value::from(now + assertion::REQUEST_OBJECT_LIFETIME),
    );
    claims.insert(
        "jti".into(),
        Value::from(pkce::random_urlsafe(16)?.expose()),
    );
    assertion::request_object(signer, &Value::Object(claims)).map(|s| s.expose().to_owned())
}

/// The parameters of an authorization response: the query for the code flow, the fragment for
/// the implicit one (each falling back to the other, as providers also report errors there).
fn response_parameters(url: &Url, response_type: ResponseType) -> Vec<(String, String)> {
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let fragment: Vec<(String, String)> = url
        .fragment()
        .map(|f| {
            url::form_urlencoded::parse(f.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let (first, second) = match response_type {
        ResponseType::Code => (query, fragment),
        ResponseType::Token => (fragment, query),
    };
    let relevant = |v: &[(String, String)]| {
        v.iter()
            .any(|(k, _)| matches!(k.as_str(), "state" | "code" | "error" | "access_token"))
    };
    if relevant(&first) || !relevant(&second) {
        first
    } else {
        second
    }
}

/// Whether the OAuth error of a `prompt=none` answer means the user must sign in (or consent).
fn needs_interaction(code: &str) -> bool {
    matches!(
        code,
        "login_required"
            | "interaction_required"
            | "consent_required"
            | "account_selection_required"
    )
}

impl LoginRequest {
    /// Starts a two-step login for hosts that receive the redirect themselves (custom URL
    /// schemes, web servers): makes `state`, `nonce` (OpenID) and the PKCE verifier, resolves
    /// the endpoints, builds the URL for the redirect URL of `params` (which must be set).
    pub fn start(params: &Params) -> Result<LoginRequest> {
        http::block_on_here(begin(params, &BeginOptions::default()))
    }

    /// Where to send the user.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Completes the login with the URL the browser was redirected to (see
    /// [`LoginRequest::complete_async`]). Blocks the calling thread.
    pub fn complete(&self, redirect_url: &str) -> Result<Token> {
        http::block_on_here(self.complete_async(redirect_url))
    }

    /// The client context (endpoints resolved) the token will carry.
    pub fn context(&self) -> &ClientContext {
        &self.context
    }

    /// Checks an authorization response and returns what it carries, without the code
    /// exchange: `state` (missing or wrong: StateMismatch), `iss` (RFC 9207), an `error`.
    pub fn check_response(&self, redirect_url: &str) -> Result<AuthorizationResponse> {
        let url = Url::parse(redirect_url)
            .map_err(|e| Error::invalid_argument(format!("the redirect URL is not a URL ({e})")))?;
        let fields = response_parameters(&url, self.response_type);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        // state first: an answer that is not for this request is not looked at further, not
        // even its error (it could be a forgery).
        match get("state") {
            None => {
                return Err(Error::new(
                    ErrorKind::StateMismatch,
                    "the redirect carries no state: it is not the answer to this login (possible forgery)",
                ));
            }
            Some(s) if !self.state.ct_eq(s) => {
                return Err(Error::new(
                    ErrorKind::StateMismatch,
                    "the redirect carries a state that is not this login's (possible forgery)",
                ));
            }
            Some(_) => {}
        }
        // RFC 9207: a provider that advertises `iss` must send it, and it must be its own; a
        // different one is a mix-up attack (an answer from another provider), treated like a
        // wrong state.
        match (get("iss"), &self.issuer) {
            (Some(iss), Some(expected)) if !discovery::same_issuer(iss, expected) => {
                return Err(Error::new(
                    ErrorKind::StateMismatch,
                    format!(
                        "the redirect names issuer '{iss}' but this login went to '{expected}' (possible mix-up attack)"
                    ),
                ));
            }
            (None, Some(expected)) if self.iss_required => {
                let why = if self.context.profile == Profile::Fapi2 {
                    format!("profile fapi2 requires it: {}", rule::ISS)
                } else {
                    format!("'{expected}' advertises it (RFC 9207)")
                };
                return Err(Error::new(
                    ErrorKind::StateMismatch,
                    format!("the redirect carries no iss although {why}; possible mix-up attack"),
                ));
            }
            _ => {}
        }
        if let Some(code) = get("error") {
            let description = get("error_description").filter(|d| !d.is_empty());
            let kind = if code == "access_denied" || (self.silent && needs_interaction(code)) {
                ErrorKind::AccessDenied
            } else {
                ErrorKind::OAuth
            };
            let message = match description {
                Some(d) => format!("the authorization server answered {code}: {d}"),
                None => format!("the authorization server answered {code}"),
            };
            return Err(Error::new(kind, message).with_oauth_error(code));
        }
        match self.response_type {
            ResponseType::Code => match get("code") {
                Some(c) if !c.is_empty() => Ok(AuthorizationResponse::Code(Secret::new(c))),
                _ => Err(Error::protocol(
                    "the redirect carries neither a code nor an error",
                )),
            },
            ResponseType::Token => {
                let mut map = Map::new();
                for (k, v) in &fields {
                    if !matches!(k.as_str(), "state" | "iss" | "session_state") {
                        map.insert(k.clone(), Value::String(v.clone()));
                    }
                }
                let json = Value::Object(map).to_string();
                let answer = parse_token_response(&json, 0)?;
                Ok(AuthorizationResponse::Token(Box::new(answer)))
            }
        }
    }

    /// Completes the login from the URL the browser was redirected to: checks it, exchanges
    /// the code (with the PKCE verifier), validates the ID token (with the nonce).
    pub async fn complete_async(&self, redirect_url: &str) -> Result<Token> {
        let answer = match self.check_response(redirect_url)? {
            AuthorizationResponse::Code(code) => grants::exchange_code(
                &self.context,
                &code,
                &self.redirect_uri,
                self.verifier.as_ref(),
            )
            .await
            .map_err(|e| e.context("while exchanging the authorization code"))?,
            AuthorizationResponse::Token(answer) => *answer,
        };
        let mut token = Token::from_response(answer, self.context.clone());
        let openid = self.context.kind == Kind::OpenId && self.nonce.is_some();
        // Plain OAuth 2.0 parameters with no way to learn the issuer and its keys (no
        // configuration URL): an ID token that comes anyway (scope `openid`) cannot be checked,
        // so it is kept as received and never trusted: no claims are stored, and
        // auth_read_identity asks the userinfo endpoint instead.
        let unverifiable = self.context.kind == Kind::OAuth2
            && self.context.issuer.is_none()
            && self.context.configuration_url.is_none();
        match &token.id_token {
            Some(_) if unverifiable => {
                log_at!(
                    Level::Warn,
                    "an ID token arrived for OAuth2 parameters without {configuration_url}: kept unverified, its claims are not used",
                    configuration_url = ParamOption::ConfigurationUrl
                );
            }
            Some(id) => {
                let claims = id_token::validate(
                    &self.context,
                    id.expose(),
                    &Expectations {
                        nonce: self.nonce.as_ref().map(|n| n.expose()),
                        access_token: Some(token.access_token.expose()),
                        max_age: self.max_age,
                        acr_values: self.required_acr.as_deref(),
                        ..Expectations::default()
                    },
                )
                .await?;
                token.id_token_claims = Some(Value::Object(claims).to_string());
            }
            // OpenID Connect Core §3.1.3.3: the code flow always returns an ID token.
            None if openid && self.response_type == ResponseType::Code => {
                return Err(Error::id_token(
                    "the token answer to an OpenID login has no id_token",
                ));
            }
            None => {}
        }
        Ok(token)
    }
}

/// What a checked authorization response carries.
#[derive(Debug)]
pub enum AuthorizationResponse {
    Code(Secret),
    /// The implicit flow: the token itself (from the fragment).
    Token(Box<crate::token::TokenResponse>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ParamOption;

    fn params(kind: Kind) -> Params {
        let mut p = Params::new(kind);
        p.set(ParamOption::ClientId, "app").unwrap();
        p.set(
            ParamOption::AuthUrl,
            "https://idp.example/authorize?tenant=1",
        )
        .unwrap();
        p.set(ParamOption::TokenUrl, "https://idp.example/token")
            .unwrap();
        p.set(ParamOption::RedirectUrl, "http://127.0.0.1:3333/cb")
            .unwrap();
        p
    }

    fn begin_now(p: &Params) -> LoginRequest {
        crate::transport::http::block_on(begin(p, &BeginOptions::default())).unwrap()
    }

    fn query(r: &LoginRequest) -> Vec<(String, String)> {
        Url::parse(&r.url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect()
    }

    fn get<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
        q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn oauth2_url_has_pkce_state_and_no_nonce() {
        let mut p = params(Kind::OAuth2);
        p.set(ParamOption::Scope, "read write").unwrap();
        p.set(
            ParamOption::AdditionalParameters,
            "access_type=offline&prompt=consent",
        )
        .unwrap();
        let r = begin_now(&p);
        assert!(r.url.starts_with("https://idp.example/authorize?tenant=1&"));
        let q = query(&r);
        assert_eq!(get(&q, "response_type"), Some("code"));
        assert_eq!(get(&q, "client_id"), Some("app"));
        assert_eq!(get(&q, "redirect_uri"), Some("http://127.0.0.1:3333/cb"));
        assert_eq!(get(&q, "scope"), Some("read write"));
        assert_eq!(get(&q, "state"), Some(r.state.expose()));
        assert_eq!(get(&q, "nonce"), None, "no nonce without openid");
        assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
        assert_eq!(
            get(&q, "code_challenge"),
            Some(pkce::challenge_s256(r.verifier.as_ref().unwrap().expose()).as_str())
        );
        assert_eq!(get(&q, "access_type"), Some("offline"));
        assert_eq!(get(&q, "prompt"), Some("consent"));
        let again = begin_now(&p);
        assert_ne!(again.state.expose(), r.state.expose());
    }

    #[test]
    fn openid_url_has_openid_scope_and_nonce_and_pkce_none_omits_challenge() {
        let mut p = params(Kind::OpenId);
        p.set(ParamOption::Scope, "email").unwrap();
        p.set(ParamOption::Pkce, "none").unwrap();
        let r = begin_now(&p);
        let q = query(&r);
        assert_eq!(get(&q, "scope"), Some("openid email"));
        assert_eq!(get(&q, "nonce"), Some(r.nonce.as_ref().unwrap().expose()));
        assert_eq!(get(&q, "code_challenge"), None);
        assert!(r.verifier.is_none());
    }

    #[test]
    fn dpop_resource_and_authorization_details_travel_in_the_authorization_request() {
        let mut p = params(Kind::OAuth2);
        p.set(ParamOption::Dpop, "on").unwrap();
        p.set(
            ParamOption::Resource,
            "https://api.example/ https://other.example/",
        )
        .unwrap();
        p.set(
            ParamOption::AuthorizationDetails,
            r#"[{"type":"account_information"}]"#,
        )
        .unwrap();
        p.set(
            ParamOption::AdditionalParameters,
            "resource=https%3A%2F%2Fignored.example%2F&x=1",
        )
        .unwrap();
        let r = begin_now(&p);
        let q = query(&r);
        let key = r
            .context
            .dpop
            .key()
            .expect("the grant's key is made at begin");
        assert_eq!(get(&q, "dpop_jkt"), Some(key.thumbprint()));
        let resources: Vec<&str> = q
            .iter()
            .filter(|(k, _)| k == "resource")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            resources,
            ["https://api.example/", "https://other.example/"]
        );
        assert_eq!(
            get(&q, "authorization_details"),
            Some(r#"[{"type":"account_information"}]"#)
        );
        assert_eq!(get(&q, "x"), Some("1"));
        let again = begin_now(&p);
        assert_ne!(
            again.context.dpop.key().unwrap().thumbprint(),
            key.thumbprint(),
            "a fresh key for each new grant"
        );
        // Without DPoP, no dpop_jkt.
        let r = begin_now(&params(Kind::OAuth2));
        assert_eq!(get(&query(&r), "dpop_jkt"), None);
    }

    #[test]
    fn a_signed_request_object_needs_a_key_and_the_issuer() {
        let mut p = params(Kind::OAuth2);
        p.set(ParamOption::RequestObject, "signed").unwrap();
        let e = crate::transport::http::block_on(begin(&p, &BeginOptions::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("jwt_private_key"), "{}", e.message());
        p.set(
            ParamOption::JwtPrivateKey,
            include_str!("../../../tests/provider/keys/client-ec.pem"),
        )
        .unwrap();
        p.set(ParamOption::JwtAlgorithm, "ES256").unwrap();
        let e = crate::transport::http::block_on(begin(&p, &BeginOptions::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("configuration_url"), "{}", e.message());
    }

    #[test]
    fn par_on_without_an_endpoint_is_unsupported_before_any_request() {
        let mut p = params(Kind::OAuth2);
        p.set(ParamOption::Par, "on").unwrap();
        let e = crate::transport::http::block_on(begin(&p, &BeginOptions::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    }

    #[test]
    fn silent_login_replaces_prompt() {
        let mut p = params(Kind::OAuth2);
        p.set(ParamOption::AdditionalParameters, "prompt=login")
            .unwrap();
        let r = crate::transport::http::block_on(begin(
            &p,
            &BeginOptions {
                silent: true,
                ..Default::default()
            },
        ))
        .unwrap();
        let q = query(&r);
        let prompts: Vec<_> = q.iter().filter(|(k, _)| k == "prompt").collect();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].1, "none");
        let url = format!(
            "http://127.0.0.1:3333/cb?error=login_required&state={}",
            r.state.expose()
        );
        let e = r.check_response(&url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AccessDenied);
        assert_eq!(e.oauth_error(), "login_required");
        // Only the errors that mean "the user must interact" are AccessDenied.
        let url = format!(
            "http://127.0.0.1:3333/cb?error=invalid_scope&state={}",
            r.state.expose()
        );
        let e = r.check_response(&url).unwrap_err();
        assert_eq!(
            (e.kind(), e.oauth_error()),
            (ErrorKind::OAuth, "invalid_scope")
        );
    }

    #[test]
    fn missing_redirect_client_or_endpoint_is_invalid_argument() {
        let mut p = params(Kind::OAuth2);
        p.reset(ParamOption::RedirectUrl);
        let e = crate::transport::http::block_on(begin(&p, &BeginOptions::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let mut p = params(Kind::OAuth2);
        p.reset(ParamOption::AuthUrl);
        let e = crate::transport::http::block_on(begin(&p, &BeginOptions::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let mut p = params(Kind::OAuth2);
        p.reset(ParamOption::ClientId);
        let e = crate::transport::http::block_on(begin(&p, &BeginOptions::default())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn state_is_checked_before_anything_else() {
        let r = begin_now(&params(Kind::OAuth2));
        let s = r.state.expose().to_owned();
        let e = r
            .check_response("http://127.0.0.1:3333/cb?code=abc")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
        let e = r
            .check_response("http://127.0.0.1:3333/cb?code=abc&state=forged")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
        let e = r
            .check_response("http://127.0.0.1:3333/cb?error=access_denied&state=forged")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
        match r
            .check_response(&format!("com.example.app:/cb?code=abc&state={s}"))
            .unwrap()
        {
            AuthorizationResponse::Code(c) => assert_eq!(c.expose(), "abc"),
            other => panic!("{other:?}"),
        }
        let e = r
            .check_response(&format!("http://127.0.0.1:3333/cb?state={s}"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let e = r
            .check_response(&format!("http://127.0.0.1:3333/cb?code=&state={s}"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol, "an empty code is no code");
    }

    #[test]
    fn errors_map_to_kinds_and_keep_the_oauth_error() {
        let r = begin_now(&params(Kind::OAuth2));
        let s = r.state.expose().to_owned();
        let e = r
            .check_response(&format!(
                "https://app.example/cb?error=access_denied&error_description=no+way&state={s}"
            ))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AccessDenied);
        assert_eq!(e.oauth_error(), "access_denied");
        assert!(e.message().contains("no way"));
        let e = r
            .check_response(&format!(
                "http://127.0.0.1/cb?error=invalid_scope&state={s}"
            ))
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.oauth_error()),
            (ErrorKind::OAuth, "invalid_scope")
        );
        let e = r
            .check_response(&format!(
                "http://127.0.0.1/cb?error=login_required&state={s}"
            ))
            .unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::OAuth,
            "login_required is AccessDenied only for prompt=none"
        );
    }

    #[test]
    fn iss_is_checked_when_known() {
        let mut r = begin_now(&params(Kind::OAuth2));
        let s = r.state.expose().to_owned();
        r.issuer = Some("https://idp.example".into());
        r.iss_required = true;
        let e = r
            .check_response(&format!(
                "http://x.localhost/cb?code=c&state={s}&iss=https%3A%2F%2Fevil.example"
            ))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
        let e = r
            .check_response(&format!("http://x.localhost/cb?code=c&state={s}"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
        assert!(
            r.check_response(&format!(
                "http://x.localhost/cb?code=c&state={s}&iss=https%3A%2F%2Fidp.example"
            ))
            .is_ok()
        );
        r.iss_required = false;
        assert!(
            r.check_response(&format!("http://x.localhost/cb?code=c&state={s}"))
                .is_ok()
        );
    }

    #[test]
    fn the_code_flow_reads_the_query_and_falls_back_to_the_fragment() {
        let r = begin_now(&params(Kind::OAuth2));
        let s = r.state.expose().to_owned();
        // Both carry an answer: the query is the code flow's (the fragment is ignored).
        match r
            .check_response(&format!(
                "http://127.0.0.1:3333/cb?code=from-query&state={s}#error=access_denied&state={s}"
            ))
            .unwrap()
        {
            AuthorizationResponse::Code(c) => assert_eq!(c.expose(), "from-query"),
            other => panic!("{other:?}"),
        }
        // Only the fragment carries one (a provider reporting an error there): it is read.
        let e = r
            .check_response(&format!(
                "http://127.0.0.1:3333/cb?unrelated=1#error=access_denied&state={s}"
            ))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AccessDenied);
    }

    #[test]
    fn implicit_token_comes_from_the_fragment() {
        let mut p = params(Kind::OAuth2);
        p.set(ParamOption::ResponseType, "token").unwrap();
        let r = begin_now(&p);
        let q = query(&r);
        assert_eq!(get(&q, "response_type"), Some("token"));
        assert_eq!(get(&q, "code_challenge"), None);
        let s = r.state.expose().to_owned();
        let t = crate::transport::http::block_on(r.complete_async(&format!(
            "http://127.0.0.1:3333/cb#access_token=AT&token_type=bearer&expires_in=60&state={s}"
        )))
        .unwrap();
        assert_eq!(t.access_token.expose(), "AT");
        assert_eq!(t.token_type, "Bearer");
        assert!(t.expires_at > 0);
        let e = crate::transport::http::block_on(
            r.complete_async("http://127.0.0.1:3333/cb#access_token=AT&state=nope"),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
    }
}
