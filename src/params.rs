//! The parameters of a provider and a client (WLanguage `OAuth2Parameters`, `OpenIDParameters`,
//! `JWTParameters`): every option validated when it is set, so that a flow never starts with a
//! value it cannot use.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::url_rules;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// Which family of parameters: decides discovery, `openid` scope, ID-token validation and the
/// grant `identify` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    OAuth2,
    OpenId,
    Jwt,
}

/// The options of the contract, numbered as in the C header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamOption {
    ClientId = 1,
    ClientSecret = 2,
    AuthUrl = 3,
    TokenUrl = 4,
    Scope = 5,
    RedirectUrl = 6,
    ResponseType = 7,
    AdditionalParameters = 8,
    ConfigurationUrl = 9,
    ClientAuth = 10,
    LoginTimeout = 11,
    HttpTimeout = 12,
    Flow = 13,
    DeviceAuthUrl = 14,
    RevocationUrl = 15,
    UserinfoUrl = 16,
    Pkce = 17,
    SuccessPage = 18,
    LogoutUrl = 19,
    IntrospectionUrl = 20,
    ClientCertificate = 21,
    ClientCertificatePassword = 22,
    JwtPrivateKey = 23,
    JwtAlgorithm = 24,
    JwtKeyId = 25,
    JwtIssuer = 26,
    JwtSubject = 27,
    JwtAudience = 28,
    CaFile = 29,
    Proxy = 30,
    ClockSkew = 31,
}

impl ParamOption {
    pub const ALL: [ParamOption; 31] = [
        ParamOption::ClientId,
        ParamOption::ClientSecret,
        ParamOption::AuthUrl,
        ParamOption::TokenUrl,
        ParamOption::Scope,
        ParamOption::RedirectUrl,
        ParamOption::ResponseType,
        ParamOption::AdditionalParameters,
        ParamOption::ConfigurationUrl,
        ParamOption::ClientAuth,
        ParamOption::LoginTimeout,
        ParamOption::HttpTimeout,
        ParamOption::Flow,
        ParamOption::DeviceAuthUrl,
        ParamOption::RevocationUrl,
        ParamOption::UserinfoUrl,
        ParamOption::Pkce,
        ParamOption::SuccessPage,
        ParamOption::LogoutUrl,
        ParamOption::IntrospectionUrl,
        ParamOption::ClientCertificate,
        ParamOption::ClientCertificatePassword,
        ParamOption::JwtPrivateKey,
        ParamOption::JwtAlgorithm,
        ParamOption::JwtKeyId,
        ParamOption::JwtIssuer,
        ParamOption::JwtSubject,
        ParamOption::JwtAudience,
        ParamOption::CaFile,
        ParamOption::Proxy,
        ParamOption::ClockSkew,
    ];

    pub fn from_number(n: u32) -> Option<ParamOption> {
        ParamOption::ALL.iter().copied().find(|o| *o as u32 == n)
    }

    /// The C name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ParamOption::ClientId => "AUTH_OPT_CLIENT_ID",
            ParamOption::ClientSecret => "AUTH_OPT_CLIENT_SECRET",
            ParamOption::AuthUrl => "AUTH_OPT_AUTH_URL",
            ParamOption::TokenUrl => "AUTH_OPT_TOKEN_URL",
            ParamOption::Scope => "AUTH_OPT_SCOPE",
            ParamOption::RedirectUrl => "AUTH_OPT_REDIRECT_URL",
            ParamOption::ResponseType => "AUTH_OPT_RESPONSE_TYPE",
            ParamOption::AdditionalParameters => "AUTH_OPT_ADDITIONAL_PARAMETERS",
            ParamOption::ConfigurationUrl => "AUTH_OPT_CONFIGURATION_URL",
            ParamOption::ClientAuth => "AUTH_OPT_CLIENT_AUTH",
            ParamOption::LoginTimeout => "AUTH_OPT_LOGIN_TIMEOUT",
            ParamOption::HttpTimeout => "AUTH_OPT_HTTP_TIMEOUT",
            ParamOption::Flow => "AUTH_OPT_FLOW",
            ParamOption::DeviceAuthUrl => "AUTH_OPT_DEVICE_AUTH_URL",
            ParamOption::RevocationUrl => "AUTH_OPT_REVOCATION_URL",
            ParamOption::UserinfoUrl => "AUTH_OPT_USERINFO_URL",
            ParamOption::Pkce => "AUTH_OPT_PKCE",
            ParamOption::SuccessPage => "AUTH_OPT_SUCCESS_PAGE",
            ParamOption::LogoutUrl => "AUTH_OPT_LOGOUT_URL",
            ParamOption::IntrospectionUrl => "AUTH_OPT_INTROSPECTION_URL",
            ParamOption::ClientCertificate => "AUTH_OPT_CLIENT_CERTIFICATE",
            ParamOption::ClientCertificatePassword => "AUTH_OPT_CLIENT_CERTIFICATE_PASSWORD",
            ParamOption::JwtPrivateKey => "AUTH_OPT_JWT_PRIVATE_KEY",
            ParamOption::JwtAlgorithm => "AUTH_OPT_JWT_ALGORITHM",
            ParamOption::JwtKeyId => "AUTH_OPT_JWT_KEY_ID",
            ParamOption::JwtIssuer => "AUTH_OPT_JWT_ISSUER",
            ParamOption::JwtSubject => "AUTH_OPT_JWT_SUBJECT",
            ParamOption::JwtAudience => "AUTH_OPT_JWT_AUDIENCE",
            ParamOption::CaFile => "AUTH_OPT_CA_FILE",
            ParamOption::Proxy => "AUTH_OPT_PROXY",
            ParamOption::ClockSkew => "AUTH_OPT_CLOCK_SKEW",
        }
    }
}

/// How the client proves who it is at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientAuth {
    /// `client_secret_post`: id and secret in the form body.
    Post,
    /// `client_secret_basic`: HTTP Basic with form-urlencoded id and secret (RFC 6749 §2.3.1).
    Basic,
    /// Public client: only `client_id` in the body.
    None,
    /// RFC 7523 §2.2: a JWT signed with `AUTH_OPT_JWT_PRIVATE_KEY`.
    PrivateKeyJwt,
}

impl ClientAuth {
    pub fn parse(s: &str) -> Option<ClientAuth> {
        match s.to_ascii_lowercase().as_str() {
            "post" | "client_secret_post" => Some(ClientAuth::Post),
            "basic" | "client_secret_basic" => Some(ClientAuth::Basic),
            "none" => Some(ClientAuth::None),
            "private_key_jwt" => Some(ClientAuth::PrivateKeyJwt),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Post => "post",
            ClientAuth::Basic => "basic",
            ClientAuth::None => "none",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResponseType {
    Code,
    Token,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flow {
    AuthorizationCode,
    Device,
    ClientCredentials,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pkce {
    S256,
    Plain,
    None,
}

/// Algorithms for the JWT assertions this library signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JwtAlgorithm {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

impl JwtAlgorithm {
    pub fn parse(s: &str) -> Option<JwtAlgorithm> {
        Some(match s {
            "RS256" => JwtAlgorithm::RS256,
            "RS384" => JwtAlgorithm::RS384,
            "RS512" => JwtAlgorithm::RS512,
            "PS256" => JwtAlgorithm::PS256,
            "PS384" => JwtAlgorithm::PS384,
            "PS512" => JwtAlgorithm::PS512,
            "ES256" => JwtAlgorithm::ES256,
            "ES384" => JwtAlgorithm::ES384,
            "EdDSA" => JwtAlgorithm::EdDSA,
            _ => return None,
        })
    }
}

/// What the browser shows once the redirect has arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuccessPage {
    Html(String),
    RedirectTo(String),
}

pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(300);
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(120);

/// All the options. Plain data: the C layer wraps it with a lock and the callbacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub kind: Kind,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub scope: String,
    pub redirect_url: Option<String>,
    pub response_type: ResponseType,
    pub additional_parameters: Vec<(String, String)>,
    pub configuration_url: Option<String>,
    /// `None` means the default: `post` with a secret, `none` without.
    pub client_auth: Option<ClientAuth>,
    pub login_timeout: Duration,
    pub http_timeout: Duration,
    pub flow: Flow,
    pub device_auth_url: Option<String>,
    pub revocation_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub pkce: Pkce,
    pub success_page: Option<SuccessPage>,
    pub logout_url: Option<String>,
    pub introspection_url: Option<String>,
    pub client_certificate: Option<String>,
    pub client_certificate_password: Option<Secret>,
    /// PEM text (read from the file when a path was given).
    pub jwt_private_key: Option<Secret>,
    pub jwt_algorithm: JwtAlgorithm,
    pub jwt_key_id: Option<String>,
    pub jwt_issuer: Option<String>,
    pub jwt_subject: Option<String>,
    pub jwt_audience: Option<String>,
    pub ca_file: Option<String>,
    pub proxy: Option<String>,
    pub clock_skew: Duration,
}

impl Params {
    pub fn new(kind: Kind) -> Params {
        Params {
            kind,
            client_id: String::new(),
            client_secret: None,
            auth_url: None,
            token_url: None,
            scope: String::new(),
            redirect_url: None,
            response_type: ResponseType::Code,
            additional_parameters: Vec::new(),
            configuration_url: None,
            client_auth: None,
            login_timeout: DEFAULT_LOGIN_TIMEOUT,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            flow: Flow::AuthorizationCode,
            device_auth_url: None,
            revocation_url: None,
            userinfo_url: None,
            pkce: Pkce::S256,
            success_page: None,
            logout_url: None,
            introspection_url: None,
            client_certificate: None,
            client_certificate_password: None,
            jwt_private_key: None,
            jwt_algorithm: JwtAlgorithm::RS256,
            jwt_key_id: None,
            jwt_issuer: None,
            jwt_subject: None,
            jwt_audience: None,
            ca_file: None,
            proxy: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }

    /// The client authentication in force: the explicit one, else `post` with a secret and
    /// `none` without.
    pub fn effective_client_auth(&self) -> ClientAuth {
        self.client_auth.unwrap_or(match &self.client_secret {
            Some(s) if !s.is_empty() => ClientAuth::Post,
            _ => ClientAuth::None,
        })
    }

    /// The scope sent: OpenID always includes `openid`.
    pub fn effective_scope(&self) -> String {
        if self.kind == Kind::OpenId && !self.scope.split_ascii_whitespace().any(|s| s == "openid")
        {
            if self.scope.trim().is_empty() {
                "openid".to_owned()
            } else {
                format!("openid {}", self.scope.trim())
            }
        } else {
            self.scope
                .split_ascii_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        }
    }

    /// Sets one option; `None` puts back its default. The value is checked now.
    pub fn set(&mut self, option: ParamOption, value: Option<&str>) -> Result<()> {
        let name = option.name();
        let Some(value) = value else {
            self.reset(option);
            return Ok(());
        };
        use ParamOption as O;
        match option {
            O::ClientId => self.client_id = value.to_owned(),
            O::ClientSecret => self.client_secret = (!value.is_empty()).then(|| Secret::new(value)),
            O::AuthUrl => self.auth_url = Some(endpoint(name, value)?),
            O::TokenUrl => self.token_url = Some(endpoint(name, value)?),
            O::Scope => {
                if value.chars().any(|c| c.is_control()) {
                    return Err(Error::invalid_argument(format!(
                        "{name}: a scope cannot hold control characters"
                    )));
                }
                self.scope = value.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
            }
            O::RedirectUrl => {
                self.not_for_jwt(option)?;
                self.redirect_url = Some(url_rules::redirect_url(name, value)?.to_string());
            }
            O::ResponseType => {
                self.not_for_jwt(option)?;
                self.response_type = match value {
                    "code" => ResponseType::Code,
                    "token" => ResponseType::Token,
                    _ => return Err(bad_choice(name, value, "code, token")),
                }
            }
            O::AdditionalParameters => {
                self.additional_parameters = parse_additional_parameters(value)?;
            }
            O::ConfigurationUrl => self.configuration_url = Some(endpoint(name, value)?),
            O::ClientAuth => {
                self.client_auth =
                    Some(ClientAuth::parse(value).ok_or_else(|| {
                        bad_choice(name, value, "post, basic, none, private_key_jwt")
                    })?)
            }
            O::LoginTimeout => self.login_timeout = seconds(name, value, 1)?,
            O::HttpTimeout => self.http_timeout = seconds(name, value, 1)?,
            O::Flow => {
                let flow = match value {
                    "authorization_code" => Flow::AuthorizationCode,
                    "device" => Flow::Device,
                    "client_credentials" => Flow::ClientCredentials,
                    _ => {
                        return Err(bad_choice(
                            name,
                            value,
                            "authorization_code, device, client_credentials",
                        ));
                    }
                };
                if self.kind == Kind::Jwt && flow != Flow::AuthorizationCode {
                    return Err(Error::invalid_argument(format!(
                        "{name}: JWT parameters always use the JWT bearer grant"
                    )));
                }
                self.flow = flow;
            }
            O::DeviceAuthUrl => self.device_auth_url = Some(endpoint(name, value)?),
            O::RevocationUrl => self.revocation_url = Some(endpoint(name, value)?),
            O::UserinfoUrl => self.userinfo_url = Some(endpoint(name, value)?),
            O::Pkce => {
                self.not_for_jwt(option)?;
                self.pkce = match value {
                    "S256" => Pkce::S256,
                    "plain" => Pkce::Plain,
                    "none" => Pkce::None,
                    _ => return Err(bad_choice(name, value, "S256, plain, none")),
                }
            }
            O::SuccessPage => {
                self.not_for_jwt(option)?;
                self.success_page = Some(if value.starts_with("https://") {
                    let url = Url::parse(value).map_err(|e| {
                        Error::invalid_argument(format!("{name}: not a URL ({e}): {value}"))
                    })?;
                    SuccessPage::RedirectTo(url.to_string())
                } else if value.starts_with("http://") {
                    SuccessPage::RedirectTo(endpoint(name, value)?)
                } else {
                    SuccessPage::Html(value.to_owned())
                })
            }
            O::LogoutUrl => self.logout_url = Some(endpoint(name, value)?),
            O::IntrospectionUrl => self.introspection_url = Some(endpoint(name, value)?),
            O::ClientCertificate => self.client_certificate = Some(existing_file(name, value)?),
            O::ClientCertificatePassword => {
                self.client_certificate_password = Some(Secret::new(value))
            }
            O::JwtPrivateKey => self.jwt_private_key = Some(pem_text(name, value)?),
            O::JwtAlgorithm => {
                self.jwt_algorithm = JwtAlgorithm::parse(value).ok_or_else(|| {
                    bad_choice(
                        name,
                        value,
                        "RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA",
                    )
                })?
            }
            O::JwtKeyId => self.jwt_key_id = non_empty(value),
            O::JwtIssuer => self.jwt_issuer = non_empty(value),
            O::JwtSubject => self.jwt_subject = non_empty(value),
            O::JwtAudience => self.jwt_audience = non_empty(value),
            O::CaFile => {
                let path = existing_file(name, value)?;
                let pem = std::fs::read(&path)
                    .map_err(|e| Error::io(format!("{name}: cannot read '{path}': {e}")))?;
                if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
                    return Err(Error::invalid_argument(format!(
                        "{name}: '{path}' holds no PEM certificate"
                    )));
                }
                self.ca_file = Some(path);
            }
            O::Proxy => {
                let url = Url::parse(value).map_err(|e| {
                    Error::invalid_argument(format!("{name}: not a URL ({e}): {value}"))
                })?;
                if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
                    return Err(Error::invalid_argument(format!(
                        "{name}: the proxy scheme must be http, https, socks5 or socks5h: {value}"
                    )));
                }
                self.proxy = Some(value.to_owned());
            }
            O::ClockSkew => self.clock_skew = seconds(name, value, 0)?,
        }
        Ok(())
    }

    fn reset(&mut self, option: ParamOption) {
        let fresh = Params::new(self.kind);
        use ParamOption as O;
        match option {
            O::ClientId => self.client_id = fresh.client_id,
            O::ClientSecret => self.client_secret = None,
            O::AuthUrl => self.auth_url = None,
            O::TokenUrl => self.token_url = None,
            O::Scope => self.scope = fresh.scope,
            O::RedirectUrl => self.redirect_url = None,
            O::ResponseType => self.response_type = fresh.response_type,
            O::AdditionalParameters => self.additional_parameters.clear(),
            O::ConfigurationUrl => self.configuration_url = None,
            O::ClientAuth => self.client_auth = None,
            O::LoginTimeout => self.login_timeout = fresh.login_timeout,
            O::HttpTimeout => self.http_timeout = fresh.http_timeout,
            O::Flow => self.flow = fresh.flow,
            O::DeviceAuthUrl => self.device_auth_url = None,
            O::RevocationUrl => self.revocation_url = None,
            O::UserinfoUrl => self.userinfo_url = None,
            O::Pkce => self.pkce = fresh.pkce,
            O::SuccessPage => self.success_page = None,
            O::LogoutUrl => self.logout_url = None,
            O::IntrospectionUrl => self.introspection_url = None,
            O::ClientCertificate => self.client_certificate = None,
            O::ClientCertificatePassword => self.client_certificate_password = None,
            O::JwtPrivateKey => self.jwt_private_key = None,
            O::JwtAlgorithm => self.jwt_algorithm = fresh.jwt_algorithm,
            O::JwtKeyId => self.jwt_key_id = None,
            O::JwtIssuer => self.jwt_issuer = None,
            O::JwtSubject => self.jwt_subject = None,
            O::JwtAudience => self.jwt_audience = None,
            O::CaFile => self.ca_file = None,
            O::Proxy => self.proxy = None,
            O::ClockSkew => self.clock_skew = fresh.clock_skew,
        }
    }

    fn not_for_jwt(&self, option: ParamOption) -> Result<()> {
        if self.kind == Kind::Jwt {
            return Err(Error::invalid_argument(format!(
                "{}: JWT parameters have no interactive login, so this option does not fit them",
                option.name()
            )));
        }
        Ok(())
    }
}

fn endpoint(name: &str, value: &str) -> Result<String> {
    url_rules::endpoint_url(name, value).map(|u| u.to_string())
}

fn bad_choice(name: &str, value: &str, choices: &str) -> Error {
    Error::invalid_argument(format!("{name}: '{value}' is not one of {choices}"))
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn seconds(name: &str, value: &str, min: u64) -> Result<Duration> {
    let n: u64 = value.trim().parse().map_err(|_| {
        Error::invalid_argument(format!(
            "{name}: '{value}' is not a whole number of seconds"
        ))
    })?;
    if n < min || n > 30 * 24 * 3600 {
        return Err(Error::invalid_argument(format!(
            "{name}: {n} seconds is out of range ({min} to 2592000)"
        )));
    }
    Ok(Duration::from_secs(n))
}

fn existing_file(name: &str, value: &str) -> Result<String> {
    if value.is_empty() {
        return Err(Error::invalid_argument(format!("{name}: empty path")));
    }
    match std::fs::metadata(value) {
        Ok(m) if m.is_file() => Ok(value.to_owned()),
        Ok(_) => Err(Error::io(format!("{name}: '{value}' is not a file"))),
        Err(e) => Err(Error::io(format!("{name}: cannot read '{value}': {e}"))),
    }
}

/// PEM text as given, or the content of the file it names.
fn pem_text(name: &str, value: &str) -> Result<Secret> {
    let text = if value.trim_start().starts_with("-----BEGIN") {
        value.to_owned()
    } else {
        let path = existing_file(name, value)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("{name}: cannot read '{path}': {e}")))?;
        if !text.trim_start().starts_with("-----BEGIN") {
            return Err(Error::invalid_argument(format!(
                "{name}: '{path}' is not a PEM file"
            )));
        }
        text
    };
    if !text.contains("PRIVATE KEY-----") {
        return Err(Error::invalid_argument(format!(
            "{name}: the PEM text holds no private key"
        )));
    }
    Ok(Secret::new(text))
}

/// `a=b&c=d` (percent-encoding allowed) into pairs; the names the library sets itself are
/// refused, so that extra parameters cannot undo PKCE, `state` or the redirect.
pub fn parse_additional_parameters(value: &str) -> Result<Vec<(String, String)>> {
    const RESERVED: &[&str] = &[
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "scope",
    ];
    let mut out = Vec::new();
    for part in value
        .trim_start_matches(['?', '&'])
        .split('&')
        .filter(|p| !p.is_empty())
    {
        if !part.contains('=') {
            return Err(Error::invalid_argument(format!(
                "AUTH_OPT_ADDITIONAL_PARAMETERS: '{part}' is not of the form name=value"
            )));
        }
        let (k, v) = url::form_urlencoded::parse(part.as_bytes())
            .next()
            .ok_or_else(|| Error::invalid_argument("AUTH_OPT_ADDITIONAL_PARAMETERS: empty pair"))?;
        if k.is_empty() {
            return Err(Error::invalid_argument(format!(
                "AUTH_OPT_ADDITIONAL_PARAMETERS: '{part}' has no name"
            )));
        }
        if RESERVED.contains(&k.as_ref()) {
            return Err(Error::invalid_argument(format!(
                "AUTH_OPT_ADDITIONAL_PARAMETERS: '{k}' is set by the library (use AUTH_OPT_SCOPE for scope)"
            )));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn plain_http_only_on_loopback() {
        let mut p = Params::new(Kind::OAuth2);
        assert!(
            p.set(ParamOption::TokenUrl, Some("http://127.0.0.1:8080/token"))
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, Some("http://localhost/token"))
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, Some("http://[::1]:9/token"))
                .is_ok()
        );
        let e = p
            .set(ParamOption::TokenUrl, Some("http://example.com/token"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            p.set(ParamOption::TokenUrl, Some("https://example.com/token"))
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, Some("ftp://example.com/token"))
                .is_err()
        );
        assert!(p.set(ParamOption::TokenUrl, Some("not a url")).is_err());
    }

    #[test]
    fn enumerations_refuse_unknown_values_and_null_resets() {
        let mut p = Params::new(Kind::OpenId);
        assert!(p.set(ParamOption::Pkce, Some("S512")).is_err());
        assert!(p.set(ParamOption::Pkce, Some("none")).is_ok());
        assert_eq!(p.pkce, Pkce::None);
        p.set(ParamOption::Pkce, None).unwrap();
        assert_eq!(p.pkce, Pkce::S256);
        assert!(p.set(ParamOption::HttpTimeout, Some("0")).is_err());
        assert!(p.set(ParamOption::HttpTimeout, Some("-3")).is_err());
        assert!(p.set(ParamOption::HttpTimeout, Some("7")).is_ok());
        assert_eq!(p.http_timeout, Duration::from_secs(7));
    }

    #[test]
    fn openid_scope_always_has_openid() {
        let mut p = Params::new(Kind::OpenId);
        assert_eq!(p.effective_scope(), "openid");
        p.set(ParamOption::Scope, Some(" email  profile ")).unwrap();
        assert_eq!(p.effective_scope(), "openid email profile");
        let mut q = Params::new(Kind::OAuth2);
        q.set(ParamOption::Scope, Some("read write")).unwrap();
        assert_eq!(q.effective_scope(), "read write");
    }

    #[test]
    fn additional_parameters_cannot_override_security_parameters() {
        assert_eq!(
            parse_additional_parameters("access_type=offline&prompt=consent").unwrap(),
            vec![
                ("access_type".into(), "offline".into()),
                ("prompt".into(), "consent".into())
            ]
        );
        assert!(parse_additional_parameters("state=x").is_err());
        assert!(parse_additional_parameters("novalue").is_err());
    }

    #[test]
    fn jwt_kind_refuses_interactive_options() {
        let mut p = Params::new(Kind::Jwt);
        assert!(
            p.set(ParamOption::RedirectUrl, Some("http://127.0.0.1:0/"))
                .is_err()
        );
        assert!(p.set(ParamOption::Flow, Some("device")).is_err());
    }

    #[test]
    fn private_key_from_missing_file_is_io() {
        let mut p = Params::new(Kind::Jwt);
        let e = p
            .set(ParamOption::JwtPrivateKey, Some("/nonexistent/key.pem"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.message().contains("/nonexistent/key.pem"));
    }
}
