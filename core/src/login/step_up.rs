//! Step-up authentication (RFC 9470): a resource server refused the access token with
//! `error="insufficient_user_authentication"`, naming the authentication it wants (`acr_values`)
//! or how recent it must be (`max_age`). The user signs in again with those values in place of
//! the parameters' own, and the new ID token must show that they were met.

use super::browser::agent_of;
use super::identify;
use crate::cancel::CancelWatch;
use crate::config::{Flow, Kind, ParamOption, Params, UserAgent};
use crate::error::{Error, Result};
use crate::token::Token;
use crate::transport::challenge::{self, Challenge};

/// RFC 9470 §3: the error code of a challenge that asks for a step-up.
pub const INSUFFICIENT_USER_AUTHENTICATION: &str = "insufficient_user_authentication";

/// Signs the user in again as the resource server's `WWW-Authenticate` value asks (RFC 9470):
/// [`identify`](super::identify) with the challenge's `acr_values` and `max_age` in place of
/// those of `params` (where the challenge has none, the params' apply). The new ID token must
/// carry an `auth_time` within `max_age` and, when the challenge named acr values, an `acr`
/// among them; else IdToken (also when no ID token could be validated). A value with no `insufficient_user_authentication` challenge, or
/// parameters whose flow signs no user in, is InvalidArgument. Blocks.
pub fn step_up(params: &Params, www_authenticate: &str) -> Result<Token> {
    step_up_with(
        params,
        agent_of(params),
        &params.cancel_watch(),
        www_authenticate,
    )
}

/// [`step_up`] with this user agent and this cancel watch.
pub fn step_up_with(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
    www_authenticate: &str,
) -> Result<Token> {
    let (stepped, require_acr) = step_up_params(params, www_authenticate)?;
    let token = identify::sign_in(&stepped, agent, cancel, true, require_acr)?;
    // The checks live in the ID token's validation: a sign-in that brought no validated ID
    // token (OAuth2 parameters without `openid`, or without discovery) proves nothing.
    if (require_acr || stepped.max_age.is_some()) && token.id_token_claims.is_none() {
        return Err(Error::id_token(format!(
            "the step-up sign-in brought no ID token that could be validated, so its acr and auth_time are unknown (ask for the openid scope, with {configuration_url})",
            configuration_url = ParamOption::ConfigurationUrl
        )));
    }
    Ok(token)
}

/// The parameters of the new sign-in, and whether the challenge named acr values (which the
/// ID token's `acr` must then match).
pub fn step_up_params(params: &Params, www_authenticate: &str) -> Result<(Params, bool)> {
    let challenges = challenge::parse(www_authenticate)?;
    let wanted = challenges
        .iter()
        .find(|c| c.param("error") == Some(INSUFFICIENT_USER_AUTHENTICATION))
        .ok_or_else(|| {
            Error::invalid_argument(format!(
                "the challenge asks for no step-up (no error=\"{INSUFFICIENT_USER_AUTHENTICATION}\")"
            ))
        })?;
    match (params.kind, params.flow) {
        (Kind::Jwt, _) | (_, Flow::ClientCredentials) | (_, Flow::Device) => {
            return Err(Error::invalid_argument(format!(
                "a step-up signs the user in again with acr_values and max_age, which the {} flow cannot send: use authorization_code or ciba ({flow})",
                if params.kind == Kind::Jwt {
                    "JWT bearer"
                } else {
                    params.flow.as_str()
                },
                flow = ParamOption::Flow
            )));
        }
        (_, Flow::AuthorizationCode | Flow::Ciba) => {}
    }
    let mut stepped = params.clone();
    let take = |stepped: &mut Params, name: &str, option: ParamOption, c: &Challenge| match c
        .param(name)
    {
        Some(value) => stepped.set(option, value).map_err(|e| {
            Error::invalid_argument(format!(
                "the challenge's {name} \"{value}\" cannot be used: {}",
                e.message()
            ))
        }),
        None => Ok(()),
    };
    take(&mut stepped, "acr_values", ParamOption::AcrValues, wanted)?;
    take(&mut stepped, "max_age", ParamOption::MaxAge, wanted)?;
    let require_acr = wanted.param("acr_values").is_some() && stepped.acr_values.is_some();
    Ok((stepped, require_acr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn params() -> Params {
        Params::new(Kind::OpenId)
            .with(ParamOption::AcrValues, "urn:loa:1")
            .unwrap()
            .with(ParamOption::MaxAge, "3600")
            .unwrap()
    }

    #[test]
    fn the_challenge_replaces_acr_values_and_max_age() {
        let (p, acr) = step_up_params(
            &params(),
            r#"Bearer realm="api", error="insufficient_user_authentication", acr_values="urn:loa:2 urn:loa:3", max_age=5"#,
        )
        .unwrap();
        assert_eq!(p.acr_values.as_deref(), Some("urn:loa:2 urn:loa:3"));
        assert_eq!(p.max_age, Some(5));
        assert!(acr);
        // Only max_age: the params' acr_values are sent, but not required.
        let (p, acr) = step_up_params(
            &params(),
            r#"Basic realm="x", Bearer error="insufficient_user_authentication", max_age="0""#,
        )
        .unwrap();
        assert_eq!(p.acr_values.as_deref(), Some("urn:loa:1"));
        assert_eq!(p.max_age, Some(0));
        assert!(!acr);
        let (p, acr) = step_up_params(
            &params(),
            r#"DPoP algs="ES256", error="insufficient_user_authentication", acr_values="gold""#,
        )
        .unwrap();
        assert_eq!(
            (p.acr_values.as_deref(), p.max_age, acr),
            (Some("gold"), Some(3600), true)
        );
    }

    #[test]
    fn what_asks_for_no_step_up_is_refused() {
        for header in [
            r#"Bearer error="invalid_token""#,
            r#"Bearer realm="x""#,
            "Basic abc==",
            "not a challenge ===",
            r#"Bearer error="insufficient_user_authentication", max_age=soon"#,
            r#"Bearer error="insufficient_user_authentication", max_age="-1""#,
        ] {
            let e = step_up_params(&params(), header).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{header}");
        }
        let header = r#"Bearer error="insufficient_user_authentication""#;
        let device = params().with(ParamOption::Flow, "device").unwrap();
        let e = step_up_params(&device, header).unwrap_err();
        assert!(e.message().contains("device"), "{e:?}");
        let ciba = params().with(ParamOption::Flow, "ciba").unwrap();
        assert!(step_up_params(&ciba, header).is_ok());
    }
}
