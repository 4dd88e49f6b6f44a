//! The token (WLanguage `AuthToken`): what the token endpoint answered, and the client context a
//! later refresh, revocation or identity read needs, so that a token loaded from a file works
//! with no parameters.

use crate::clock::unix_now;
use crate::config::{ClientContext, Dpop};
use crate::error::{Error, ErrorKind, Result};
use crate::jose::KeyPair;
use crate::secret::Secret;
use crate::transport::answer::{oauth_error_of, parse_fields};
use serde_json::Value;

/// A token as received (WLanguage `AuthToken`). Immutable: its fields are readable only
/// through the methods below, and a refresh makes a new token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub(crate) access_token: Secret,
    pub(crate) token_type: String,
    pub(crate) refresh_token: Option<Secret>,
    /// Seconds since the epoch; 0 when the server gave no lifetime.
    pub(crate) expires_at: i64,
    pub(crate) scope: String,
    pub(crate) id_token: Option<Secret>,
    /// The validated ID-token claims, a JSON object, when an ID token was validated.
    pub(crate) id_token_claims: Option<String>,
    /// The raw body of the last token answer (WLanguage `ServerResponse`).
    pub(crate) server_response: Secret,
    pub(crate) received_at: i64,
    /// The RFC 9396 authorization details granted (a JSON array text), when the answer said.
    pub(crate) authorization_details: Option<String>,
    /// What a token exchange said it issued (RFC 8693 §2.2.1 `issued_token_type`), if it did.
    pub(crate) issued_token_type: Option<String>,
    /// The client and provider; `context.dpop` holds the key a DPoP-bound token is bound to.
    pub(crate) context: ClientContext,
}

impl Token {
    /// A token from a token endpoint's answer given as JSON text (WLanguage
    /// `AuthImportToken`), with the client and provider of `params` so that it can be
    /// refreshed (`None`: it can be used, not refreshed). An error object gives that error;
    /// no `access_token`: Protocol; no `expires_in`: it never expires.
    pub fn import(params: Option<&crate::config::Params>, json: &str) -> Result<Token> {
        let context = params.map_or_else(ClientContext::empty, ClientContext::from_params);
        Ok(Token::from_response(
            parse_token_response(json, 0)?,
            context,
        ))
    }

    /// The access token (`Value`).
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }
    /// The token type: `Bearer`, or `DPoP` for a DPoP-bound token.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }
    /// The refresh token, if the provider gave one (`Refresh`).
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }
    /// When the access token expires, in seconds since the Unix epoch; 0 when unknown
    /// (`ExpirationDate`).
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
    /// The scope granted (space-separated).
    pub fn scope(&self) -> &str {
        &self.scope
    }
    /// The raw ID token, if any.
    pub fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }
    /// The validated ID-token claims (a JSON object text), when an ID token was validated.
    pub fn id_token_claims(&self) -> Option<&str> {
        self.id_token_claims.as_deref()
    }
    /// The raw body of the last token answer (`ServerResponse`).
    pub fn server_response(&self) -> &Secret {
        &self.server_response
    }
    /// When the answer was received, in seconds since the Unix epoch.
    pub fn received_at(&self) -> i64 {
        self.received_at
    }
    /// The type of the token a token exchange issued (RFC 8693 §2.2.1), e.g.
    /// `urn:ietf:params:oauth:token-type:access_token`; `None` when the answer named none (every
    /// grant but token exchange).
    pub fn issued_token_type(&self) -> Option<&str> {
        self.issued_token_type.as_deref()
    }
    /// The client and provider the token belongs to.
    pub fn context(&self) -> &ClientContext {
        &self.context
    }

    /// Has an access token that has not expired (`Valid`).
    pub fn is_valid(&self) -> bool {
        self.is_valid_at(unix_now(), 0)
    }

    /// Valid at `now` for at least `margin` more seconds.
    pub fn is_valid_at(&self, now: i64, margin: i64) -> bool {
        !self.access_token.is_empty()
            && (self.expires_at == 0 || self.expires_at > now.saturating_add(margin))
    }

    /// `"<type> <value>"` for the `Authorization` header (RFC 6750 §2.1; `DPoP <value>` for a
    /// DPoP-bound token, RFC 9449 §7.1).
    pub fn authorization_header(&self) -> String {
        format!("{} {}", self.token_type, self.access_token.expose())
    }

    /// The RFC 9396 authorization details granted (a JSON array text), if the provider said.
    pub fn authorization_details(&self) -> Option<&str> {
        self.authorization_details.as_deref()
    }

    /// The DPoP key the token is bound to, if it is DPoP-bound.
    pub fn dpop_key(&self) -> Option<&KeyPair> {
        self.context.dpop.key()
    }

    /// The RFC 7638 SHA-256 thumbprint of the DPoP key (`jkt`), if the token is DPoP-bound.
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_key().map(KeyPair::thumbprint)
    }

    /// A DPoP proof (RFC 9449 §4.2, §7) for the host's own request `method` `url` to a resource
    /// server with this token: `htu` without query and fragment, `ath` of the access token, and
    /// `nonce` when given. A token that is not DPoP-bound is InvalidArgument.
    pub fn dpop_proof(&self, method: &str, url: &str, nonce: Option<&str>) -> Result<Secret> {
        let key = self.dpop_key().ok_or_else(|| {
            Error::invalid_argument(
                "the token is not DPoP-bound (its provider answered a Bearer token, or DPoP was off)",
            )
        })?;
        crate::dpop::proof::proof(key, method, url, Some(self.access_token.expose()), nonce)
    }

    /// The token a refresh answer makes from this one (RFC 6749 §6): what the answer omits
    /// (refresh token, ID token and its claims, scope, authorization details, the issued token
    /// type of an exchanged token) is kept from this token. The answer's token type decides
    /// whether it stays bound to the DPoP key.
    pub fn refreshed(&self, answer: TokenResponse) -> Token {
        self.refreshed_in(answer, self.context.clone())
    }

    /// [`Token::refreshed`], with `context` (this token's, as the refresh resolved it) in
    /// place of a copy of this token's own: a refresh makes one copy of the context, not two.
    /// Its DPoP binding is replaced by the one the answer decides.
    pub fn refreshed_in(&self, answer: TokenResponse, mut context: ClientContext) -> Token {
        let keep_id_token = answer.id_token.is_none();
        context.dpop = answer.binding();
        Token {
            access_token: answer.access_token,
            token_type: answer.token_type,
            refresh_token: answer.refresh_token.or_else(|| self.refresh_token.clone()),
            expires_at: answer.expires_at,
            scope: if answer.scope.is_empty() {
                self.scope.clone()
            } else {
                answer.scope
            },
            id_token: if keep_id_token {
                self.id_token.clone()
            } else {
                answer.id_token
            },
            id_token_claims: if keep_id_token {
                self.id_token_claims.clone()
            } else {
                None
            },
            server_response: answer.raw,
            received_at: answer.received_at,
            authorization_details: answer
                .authorization_details
                .or_else(|| self.authorization_details.clone()),
            issued_token_type: answer
                .issued_token_type
                .or_else(|| self.issued_token_type.clone()),
            context,
        }
    }

    /// The token of a grant's answer, with the context of the grant. It is DPoP-bound to the
    /// key the request was made with when the answer says `token_type` `DPoP`; a provider that
    /// answers `Bearer` did not bind it, and the token keeps no key (RFC 9449 §5).
    pub fn from_response(answer: TokenResponse, mut context: ClientContext) -> Token {
        context.dpop = answer.binding();
        Token {
            access_token: answer.access_token,
            token_type: answer.token_type,
            refresh_token: answer.refresh_token,
            expires_at: answer.expires_at,
            scope: answer.scope,
            id_token: answer.id_token,
            id_token_claims: None,
            server_response: answer.raw,
            received_at: answer.received_at,
            authorization_details: answer.authorization_details,
            issued_token_type: answer.issued_token_type,
            context,
        }
    }
}

/// A successful token answer (RFC 6749 §5.1), parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub token_type: String,
    pub refresh_token: Option<Secret>,
    pub expires_at: i64,
    pub scope: String,
    pub id_token: Option<Secret>,
    pub raw: Secret,
    pub received_at: i64,
    /// RFC 9396 `authorization_details` granted, as compact JSON array text.
    pub authorization_details: Option<String>,
    /// RFC 8693 §2.2.1: what a token exchange issued.
    pub issued_token_type: Option<String>,
    /// The DPoP key the request carried a proof of (set by the token request).
    pub dpop_key: Option<KeyPair>,
}

impl TokenResponse {
    /// What the token is bound to: the request's DPoP key when the answer is a DPoP token.
    fn binding(&self) -> Dpop {
        match &self.dpop_key {
            Some(key) if self.token_type == "DPoP" => Dpop::Key(key.clone()),
            _ => Dpop::Off,
        }
    }
}

/// Reads a token endpoint answer. Lenient where real providers deviate (`expires_in` as a
/// string, no `token_type`, any case of `bearer`, a form-encoded body, an error object sent
/// with status 200); strict where it protects (no `access_token`, or an error field, is never
/// a token).
pub fn parse_token_response(body: &str, http_status: u16) -> Result<TokenResponse> {
    parse_token_answer(body.to_owned(), http_status)
}

/// [`parse_token_response`] of a body the caller gives up: it becomes the token's raw answer
/// as it is, and the fields' values move out of the parsed answer, without copies.
pub fn parse_token_answer(body: String, http_status: u16) -> Result<TokenResponse> {
    let mut fields = parse_fields(&body).map_err(|e| e.with_http_status(http_status))?;
    if let Some(err) = oauth_error_of(&fields, http_status) {
        return Err(err);
    }
    let received_at = unix_now();
    let access_token = match fields.remove("access_token") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(_) => {
            return Err(protocol(
                http_status,
                "the token answer's access_token is not a non-empty string",
            ));
        }
        None => {
            return Err(protocol(
                http_status,
                "the token answer has no access_token",
            ));
        }
    };
    let token_type = match fields.remove("token_type") {
        None | Some(Value::Null) => "Bearer".to_owned(),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("bearer") || s.trim().is_empty() => {
            "Bearer".to_owned()
        }
        Some(Value::String(s)) if s.eq_ignore_ascii_case("dpop") => "DPoP".to_owned(),
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(protocol(
                http_status,
                "the token answer's token_type is not a string",
            ));
        }
    };
    let expires_at = match fields.get("expires_in") {
        None | Some(Value::Null) => 0,
        Some(v) => {
            let secs = seconds_of(v).ok_or_else(|| {
                protocol(
                    http_status,
                    "the token answer's expires_in is not a number of seconds",
                )
            })?;
            received_at.saturating_add(secs)
        }
    };
    let authorization_details = match fields.get("authorization_details") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Array(_)) => Some(v.to_string()),
        // A form-encoded answer carries it as JSON text.
        Some(Value::String(s)) if s.trim_start().starts_with('[') => {
            match serde_json::from_str::<Value>(s) {
                Ok(v @ Value::Array(_)) => Some(v.to_string()),
                _ => {
                    return Err(protocol(
                        http_status,
                        "the token answer's authorization_details is not a JSON array",
                    ));
                }
            }
        }
        Some(_) => {
            return Err(protocol(
                http_status,
                "the token answer's authorization_details is not a JSON array (RFC 9396 §7)",
            ));
        }
    };
    let mut text = |name: &str| -> Result<Option<String>> {
        match fields.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(protocol(
                http_status,
                &format!("the token answer's {name} is not a string"),
            )),
        }
    };
    let refresh_token = text("refresh_token")?.map(Secret::from);
    let id_token = text("id_token")?.map(Secret::from);
    let scope = text("scope")?.unwrap_or_default();
    let issued_token_type = text("issued_token_type")?;
    for (name, value) in [
        ("access_token", Some(access_token.as_str())),
        ("token_type", Some(token_type.as_str())),
    ] {
        if value.is_some_and(|v| v.contains('\0')) {
            return Err(protocol(
                http_status,
                &format!("the token answer's {name} holds a NUL character"),
            ));
        }
    }
    if refresh_token
        .as_ref()
        .is_some_and(|s| s.expose().contains('\0'))
        || id_token.as_ref().is_some_and(|s| s.expose().contains('\0'))
        || scope.contains('\0')
        || issued_token_type.as_ref().is_some_and(|s| s.contains('\0'))
        || body.contains('\0')
    {
        return Err(protocol(
            http_status,
            "the token answer holds a NUL character",
        ));
    }
    Ok(TokenResponse {
        access_token: Secret::new(access_token),
        token_type,
        refresh_token,
        expires_at,
        scope,
        id_token,
        raw: Secret::from(body),
        received_at,
        authorization_details,
        issued_token_type,
        dpop_key: None,
    })
}

fn protocol(status: u16, message: &str) -> Error {
    Error::protocol(message).with_http_status(status)
}

/// `expires_in` as an integer, a float, or a string holding either; negative means "already".
fn seconds_of(v: &Value) -> Option<i64> {
    let clamp = |f: f64| {
        if f.is_finite() {
            Some(f.clamp(0.0, i64::MAX as f64 / 2.0) as i64)
        } else {
            None
        }
    };
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.max(0))
            .or_else(|| n.as_f64().and_then(clamp)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .map(|i| i.max(0))
                .or_else(|| s.parse::<f64>().ok().and_then(clamp))
        }
        _ => None,
    }
}

/// Whether an error means the user has to sign in again.
pub fn needs_new_login(e: &Error) -> bool {
    e.kind() == ErrorKind::InvalidGrant
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_where_providers_deviate() {
        let t = parse_token_response(
            r#"{"access_token":"a","expires_in":"3600","token_type":"bearer"}"#,
            200,
        )
        .unwrap();
        assert_eq!(t.token_type, "Bearer");
        assert!(t.expires_at >= unix_now() + 3590);
        let t = parse_token_response(r#"{"access_token":"a","expires_in":59.9}"#, 200).unwrap();
        assert_eq!(t.token_type, "Bearer");
        assert!(t.expires_at >= unix_now() + 58);
        let t = parse_token_response("access_token=abc&scope=repo%20user&token_type=bearer", 200)
            .unwrap();
        assert_eq!(t.access_token.expose(), "abc");
        assert_eq!(t.scope, "repo user");
        let t = parse_token_response(r#"{"access_token":"a"}"#, 200).unwrap();
        assert_eq!(t.expires_at, 0);
    }

    #[test]
    fn strict_where_it_protects() {
        let e = parse_token_response(r#"{"token_type":"Bearer"}"#, 200).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let e = parse_token_response(
            r#"{"error":"invalid_grant","error_description":"nope"}"#,
            200,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidGrant);
        assert_eq!(e.oauth_error(), "invalid_grant");
        assert!(e.message().contains("nope"));
        let e = parse_token_response("<html>500</html>", 500).unwrap_err();
        assert_eq!((e.kind(), e.http_status()), (ErrorKind::Protocol, 500));
        assert_eq!(
            parse_token_response("", 200).unwrap_err().kind(),
            ErrorKind::Protocol
        );
        assert_eq!(
            parse_token_response("[1]", 200).unwrap_err().kind(),
            ErrorKind::Protocol
        );
        assert_eq!(
            parse_token_response(r#"{"access_token":5}"#, 200)
                .unwrap_err()
                .kind(),
            ErrorKind::Protocol
        );
        assert_eq!(
            parse_token_response(r#"{"access_token":"a","expires_in":"soon"}"#, 200)
                .unwrap_err()
                .kind(),
            ErrorKind::Protocol
        );
        assert_eq!(
            parse_token_response("{\"access_token\":\"a\\u0000b\"}", 200)
                .unwrap_err()
                .kind(),
            ErrorKind::Protocol
        );
    }

    #[test]
    fn refresh_keeps_what_the_answer_omits() {
        let first = parse_token_response(
            r#"{"access_token":"a","refresh_token":"r","id_token":"i","scope":"s"}"#,
            200,
        )
        .unwrap();
        let mut t = Token::from_response(first, ClientContext::empty());
        t.id_token_claims = Some("{}".into());
        let second = parse_token_response(r#"{"access_token":"b"}"#, 200).unwrap();
        let t2 = t.refreshed(second);
        assert_eq!(t2.access_token.expose(), "b");
        assert_eq!(t2.refresh_token.as_ref().unwrap().expose(), "r");
        assert_eq!(t2.id_token.as_ref().unwrap().expose(), "i");
        assert_eq!(t2.id_token_claims.as_deref(), Some("{}"));
        assert_eq!(t2.scope, "s");
        assert_eq!(
            t.access_token.expose(),
            "a",
            "the old token stays as it was"
        );
    }
}
