//! Token exchange (RFC 8693): a service trades the token it received (the subject token) for
//! one it may use further on, for another audience, a narrower scope, or with an actor named.
//! One request to the token endpoint through [`grants::token_request`], so the client's
//! authentication (and DPoP) apply as to every grant.

use crate::config::ParamOption;
use crate::config::check_token_type_uri;
use crate::config::{Kind, Params};
use crate::error::{Error, Result};
use crate::log::{Level, log_at};
use crate::oauth::grants::{self, grant_context, plain_scope};
use crate::oidc::id_token;
use crate::secret::Secret;
use crate::token::Token;

/// RFC 8693 §2.1: the grant type.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
/// RFC 8693 §3: the type of an OAuth access token, the default subject and actor token type.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The form fields of an exchange of `subject_token` (RFC 8693 §2.1), from the options of
/// `params`: requested token type, audiences, scope, actor token and its type.
pub(crate) fn exchange_fields(
    params: &Params,
    subject_token: &Secret,
    subject_token_type: Option<&str>,
) -> Result<Vec<(String, Secret)>> {
    if subject_token.is_empty() {
        return Err(Error::invalid_argument(
            "token exchange: the subject token is empty",
        ));
    }
    let subject_token_type = match subject_token_type {
        Some(t) => check_token_type_uri("token exchange: the subject token type", t)?,
        None => ACCESS_TOKEN_TYPE.to_owned(),
    };
    let field = |name: &str, value: &str| (name.to_owned(), Secret::new(value));
    let mut fields = vec![
        field("grant_type", TOKEN_EXCHANGE_GRANT),
        ("subject_token".to_owned(), subject_token.clone()),
        field("subject_token_type", &subject_token_type),
    ];
    if let Some(t) = &params.requested_token_type {
        fields.push(field("requested_token_type", t));
    }
    for audience in &params.audience {
        fields.push(field("audience", audience));
    }
    if let Some(scope) = plain_scope(params) {
        fields.push(field("scope", &scope));
    }
    match (&params.actor_token, &params.actor_token_type) {
        (Some(actor), kind) => {
            fields.push(("actor_token".to_owned(), actor.clone()));
            fields.push(field(
                "actor_token_type",
                kind.as_deref().unwrap_or(ACCESS_TOKEN_TYPE),
            ));
        }
        // RFC 8693 §2.1: actor_token_type "MUST NOT be included otherwise".
        (None, Some(_)) => {
            return Err(Error::invalid_argument(format!(
                "{actor_token_type} is set but {actor_token} is not",
                actor_token_type = ParamOption::ActorTokenType,
                actor_token = ParamOption::ActorToken
            )));
        }
        (None, None) => {}
    }
    // MERGE (options 37 and 32): the one place where parameters that every grant of the params
    // carries are added to this grant: `resource` (AUTH_OPT_RESOURCE, RFC 8707) goes here.
    // DPoP needs nothing here: the proof is added by grants::token_request.
    Ok(fields)
}

/// Exchanges `subject_token` (of type `subject_token_type`, default an access token) at the
/// token endpoint of `params`, with their client authentication. The new token carries the
/// context of `params`, so it refreshes like any other when the answer has a refresh token.
pub async fn exchange(
    params: &Params,
    subject_token: &Secret,
    subject_token_type: Option<&str>,
) -> Result<Token> {
    let fields = exchange_fields(params, subject_token, subject_token_type)?;
    let ctx = grant_context(params).await?;
    let answer = grants::token_request(&ctx, fields)
        .await
        .map_err(|e| e.context("token exchange"))?;
    match &answer.issued_token_type {
        Some(t) => log_at!(Level::Debug, "token exchange issued a {t}"),
        // RFC 8693 §2.2.1 requires it; the token is usable without it.
        None => log_at!(
            Level::Warn,
            "token exchange: the answer has no issued_token_type"
        ),
    }
    let token = Token::from_response(answer, ctx);
    // An ID token that comes with the answer is checked like every other one; without a known
    // issuer (OAuth2 parameters without discovery) it cannot be, and is kept untrusted.
    if token.context.kind == Kind::OpenId || token.context.issuer.is_some() {
        return id_token::validate_received(token, None, None)
            .await
            .map_err(|e| e.context("token exchange"));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn names_and_values(fields: &[(String, Secret)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| (k.clone(), v.expose().to_owned()))
            .collect()
    }

    #[test]
    fn fields_follow_the_options() {
        let mut p = Params::new(Kind::OAuth2);
        let subject = Secret::new("subject-AT");
        let f = names_and_values(&exchange_fields(&p, &subject, None).unwrap());
        assert_eq!(
            f,
            [
                ("grant_type".into(), TOKEN_EXCHANGE_GRANT.into()),
                ("subject_token".into(), "subject-AT".into()),
                ("subject_token_type".into(), ACCESS_TOKEN_TYPE.into()),
            ]
        );
        p.set(
            ParamOption::RequestedTokenType,
            "urn:ietf:params:oauth:token-type:jwt",
        )
        .unwrap();
        p.set(ParamOption::Audience, " https://api.example  billing ")
            .unwrap();
        p.set(ParamOption::Scope, "read  write").unwrap();
        p.set(ParamOption::ActorToken, "actor-AT").unwrap();
        let f = names_and_values(
            &exchange_fields(
                &p,
                &subject,
                Some("urn:ietf:params:oauth:token-type:id_token"),
            )
            .unwrap(),
        );
        let get = |name: &str| -> Vec<&str> {
            f.iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        assert_eq!(
            get("subject_token_type"),
            ["urn:ietf:params:oauth:token-type:id_token"]
        );
        assert_eq!(
            get("requested_token_type"),
            ["urn:ietf:params:oauth:token-type:jwt"]
        );
        assert_eq!(get("audience"), ["https://api.example", "billing"]);
        assert_eq!(get("scope"), ["read write"]);
        assert_eq!(get("actor_token"), ["actor-AT"]);
        assert_eq!(get("actor_token_type"), [ACCESS_TOKEN_TYPE]);
        p.set(
            ParamOption::ActorTokenType,
            "urn:ietf:params:oauth:token-type:jwt",
        )
        .unwrap();
        let f = names_and_values(&exchange_fields(&p, &subject, None).unwrap());
        assert!(f.contains(&(
            "actor_token_type".into(),
            "urn:ietf:params:oauth:token-type:jwt".into()
        )));
    }

    #[test]
    fn bad_arguments_are_refused_before_any_request() {
        let mut p = Params::new(Kind::OAuth2);
        let e = exchange_fields(&p, &Secret::new(""), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let e = exchange_fields(&p, &Secret::new("t"), Some("access token")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("subject token type"), "{e:?}");
        p.set(
            ParamOption::ActorTokenType,
            "urn:ietf:params:oauth:token-type:jwt",
        )
        .unwrap();
        let e = exchange_fields(&p, &Secret::new("t"), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        for bad in ["not a uri", "relative/path", "a\u{7}b"] {
            assert!(
                p.set(ParamOption::RequestedTokenType, bad).is_err(),
                "{bad}"
            );
        }
    }
}
