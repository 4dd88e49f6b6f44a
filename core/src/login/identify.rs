//! `identify` (WLanguage `AuthIdentify`): a token obtained with the grant the parameters ask
//! for — the JWT bearer grant, client credentials, the device flow, CIBA, or the browser with
//! a loopback listener — and `verify_authentication`, the silent sign-in. Every front end (C,
//! the command line, Rust programs) signs in through these two functions (and `step_up`,
//! which is `identify` with a resource server's demands).

use super::browser::agent_of;
use super::listener::{DEFAULT_REDIRECT, ListenOptions, Listener};
use super::request::{self as login, BeginOptions};
use super::{ciba, device, fallback};
use crate::cancel::CancelWatch;
use crate::config::{Flow, Kind, Params, ResponseType, UserAgent};
use crate::error::{Error, ErrorKind, Result};
use crate::oauth::grants;
use crate::token::Token;
use crate::transport::http;

/// Obtains a token as `params` say: with [`Kind::Jwt`] the JWT bearer grant (RFC 7523), with
/// the `client_credentials` flow the client credentials grant, with the `device` flow the
/// device flow (RFC 8628), with the `ciba` flow OpenID CIBA in poll mode, else through the
/// browser (the user agent of `params`, or the system browser) and a loopback redirect
/// listener. Where no browser can be opened, parameters with [`Params::set_browser_fallback`]
/// take the device flow or show the URL and wait (`fallback.rs`); others fail with `Browser`.
/// Blocks until done, timed out (the login timeout), or cancelled ([`Params::cancel`]).
pub fn identify(params: &Params) -> Result<Token> {
    identify_with(params, agent_of(params), &params.cancel_watch())
}

/// [`identify`] with this user agent and this cancel watch in place of the parameters' own.
pub fn identify_with(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
) -> Result<Token> {
    sign_in(params, agent, cancel, false, false)
}

/// [`identify_with`]; a `step_up` never falls back to the device flow, which cannot send its
/// `acr_values` and `max_age`; with `require_acr` (a step-up that named acr values) the ID
/// token's `acr` must be one of the `acr_values` of `params`.
pub(crate) fn sign_in(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
    step_up: bool,
    require_acr: bool,
) -> Result<Token> {
    http::block_on(async {
        let grant = async {
            match (params.kind, params.flow) {
                (Kind::Jwt, _) => grants::jwt_bearer(params).await,
                (_, Flow::ClientCredentials) => grants::client_credentials(params).await,
                // These watch the cancel themselves, so that the listener answers the browser
                // before the port closes.
                (_, Flow::Device) => device::login(params, agent, cancel).await,
                (_, Flow::Ciba) => ciba::login(params, cancel, require_acr).await,
                // Only the system browser falls back: a host's agent shows URLs its own way.
                (_, Flow::AuthorizationCode)
                    if params.browser_fallback() && params.user_agent().is_none() =>
                {
                    fallback::login(params, agent, cancel, step_up, require_acr).await
                }
                (_, Flow::AuthorizationCode) => {
                    login_in_browser(params, agent, cancel, false, UrlShown::Opened, require_acr)
                        .await
                }
            }
        };
        tokio::select! {
            r = grant => r,
            _ = cancel.cancelled() => Err(cancelled()),
        }
    })
}

/// Silent sign-in (`prompt=none`, OpenID Connect Core §3.1.2.1; WLanguage
/// `AuthVerifyAuthentication`): succeeds only when the provider's session lets it answer
/// without showing anything; `login_required`, `interaction_required`, `consent_required` end
/// as AccessDenied with that OAuth error.
pub fn verify_authentication(params: &Params) -> Result<Token> {
    verify_authentication_with(params, agent_of(params), &params.cancel_watch())
}

/// [`verify_authentication`] with this user agent and this cancel watch.
pub fn verify_authentication_with(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
) -> Result<Token> {
    if params.flow != Flow::AuthorizationCode || params.kind == Kind::Jwt {
        return Err(Error::invalid_argument(
            "a silent sign-in needs the authorization_code flow",
        ));
    }
    http::block_on(login_in_browser(
        params,
        agent,
        cancel,
        true,
        UrlShown::Opened,
        false,
    ))
}

fn cancelled() -> Error {
    Error::new(ErrorKind::Cancelled, "the login was cancelled")
}

/// How the user gets the authorization URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlShown {
    /// The agent opens it; if it cannot, the sign-in fails with its error (no browser:
    /// `Browser`, the URL in the message).
    Opened,
    /// The agent opens it; if it cannot, the URL is shown with the agent's `notice` and the
    /// listener waits for the user to open it elsewhere.
    OpenedElsePrinted,
    /// No browser can be opened here (why): the URL is shown with `notice` and the listener
    /// waits.
    Printed(&'static str),
}

/// Listens on the redirect URL, sends the user to the authorization endpoint, and completes
/// the login with what comes back.
pub(crate) async fn login_in_browser(
    params: &Params,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
    silent: bool,
    shown: UrlShown,
    require_acr: bool,
) -> Result<Token> {
    let redirect = params.redirect_url.as_deref().unwrap_or(DEFAULT_REDIRECT);
    // Bound first: a busy port fails before the user is sent anywhere.
    let listener = Listener::bind(redirect).await?;
    let request = login::begin(
        params,
        &BeginOptions {
            redirect_uri: Some(listener.redirect_uri().to_owned()),
            silent,
            require_acr,
        },
    )
    .await?;
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    let waiting = || {
        format!(
            "waiting up to {} s for the browser to come back to {} (from another machine, \
             forward that port first: ssh -L {port}:127.0.0.1:{port} <this host>)",
            params.login_timeout.as_secs(),
            listener.redirect_uri(),
            port = listener.port(),
        )
    };
    match shown {
        UrlShown::Opened => agent.open_url(&request.url)?,
        UrlShown::OpenedElsePrinted => {
            if let Err(e) = agent.open_url(&request.url) {
                if e.kind() != ErrorKind::Browser {
                    return Err(e);
                }
                // The message holds the URL.
                agent.notice(&format!("{e}\n{}", waiting()));
            }
        }
        UrlShown::Printed(why) => agent.notice(&format!(
            "No browser can be opened here ({why}) and the provider has no device flow. \
             Open this URL in a browser to sign in:\n{}\n{}",
            request.url,
            waiting()
        )),
    }
    let options = ListenOptions {
        success_page: params.success_page.clone(),
        fragment: params.response_type == ResponseType::Token,
        done_title: None,
    };
    let request = &request;
    listener
        .serve(&options, params.login_timeout, cancel, |url| async move {
            request.complete_async(&url).await
        })
        .await
}
