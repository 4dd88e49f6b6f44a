//! The interactive sign-in flows behind `auth_identify` and `auth_verify_authentication`:
//! the browser with a loopback listener (authorization code or implicit), or the device flow.
//! The non-interactive grants (client credentials, JWT bearer) are dispatched next to these by
//! the caller.

use crate::browser::UserAgent;
use crate::cancel::CancelWatch;
use crate::device;
use crate::error::{Error, Result};
use crate::http;
use crate::listener::{DEFAULT_REDIRECT, ListenOptions, Listener};
use crate::login::{self, BeginOptions};
use crate::params::{Flow, Kind, Params, ResponseType};
use crate::token::Token;

/// Signs the user in interactively as `params` say: device flow, or the browser with a
/// loopback redirect listener. Blocks until done, timed out (AUTH_OPT_LOGIN_TIMEOUT) or
/// cancelled.
pub fn identify_interactive(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: CancelWatch,
) -> Result<Token> {
    http::block_on(identify_interactive_async(params, agent, &cancel))
}

pub async fn identify_interactive_async(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
) -> Result<Token> {
    match (params.kind, params.flow) {
        (Kind::Jwt, _) | (_, Flow::ClientCredentials) => Err(Error::invalid_argument(
            "these parameters use a non-interactive grant, not an interactive login",
        )),
        (_, Flow::Device) => device::login(params, agent, cancel).await,
        (_, Flow::AuthorizationCode) => login_in_browser(params, agent, cancel, false).await,
    }
}

/// Silent sign-in (`prompt=none`, OpenID Connect Core §3.1.2.1): succeeds only when the
/// provider's session lets it answer without showing anything; `login_required`,
/// `interaction_required`, `consent_required` end as AccessDenied with that OAuth error.
pub fn verify_authentication(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: CancelWatch,
) -> Result<Token> {
    if params.flow != Flow::AuthorizationCode || params.kind == Kind::Jwt {
        return Err(Error::invalid_argument(
            "auth_verify_authentication needs the authorization_code flow",
        ));
    }
    http::block_on(login_in_browser(params, agent, &cancel, true))
}

/// Listens on the redirect URL, sends the user to the authorization endpoint, and completes
/// the login with what comes back.
pub async fn login_in_browser(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
    silent: bool,
) -> Result<Token> {
    let redirect = params.redirect_url.as_deref().unwrap_or(DEFAULT_REDIRECT);
    // Bound first: a busy port fails before the user is sent anywhere.
    let listener = Listener::bind(redirect).await?;
    let request = login::begin(
        params,
        &BeginOptions {
            redirect_uri: Some(listener.redirect_uri().to_owned()),
            silent,
        },
    )
    .await?;
    if cancel.is_cancelled() {
        return Err(Error::new(
            crate::error::ErrorKind::Cancelled,
            "the login was cancelled",
        ));
    }
    agent.open_url(&request.url)?;
    let options = ListenOptions {
        success_page: params.success_page.clone(),
        fragment: params.response_type == ResponseType::Token,
        done_title: None,
    };
    let request = &request;
    listener
        .serve(&options, params.login_timeout, cancel, |url| async move {
            request.complete(&url).await
        })
        .await
}
