//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the browser goes to the
//! provider's end-session endpoint with the ID token as a hint and comes back to a loopback
//! listener, so the caller knows the provider's session has ended.

use super::browser::{SystemBrowser, agent_of};
use crate::cancel::CancelWatch;
use crate::config::ParamOption;
use crate::config::{Params, UserAgent};
use crate::error::{Error, ErrorKind, Result};
use crate::login::listener::{DEFAULT_REDIRECT, ListenOptions, Listener};
use crate::login::pkce;
use crate::provider::discovery;
use crate::token::Token;
use crate::transport::http;
use std::time::Duration;
use url::Url;

/// How the logout runs.
#[derive(Debug, Clone)]
pub struct LogoutOptions {
    /// The loopback URL the provider sends the browser back to (`post_logout_redirect_uri`;
    /// it must be registered with the provider).
    pub redirect_url: String,
    pub timeout: Duration,
}

impl Default for LogoutOptions {
    fn default() -> Self {
        LogoutOptions {
            redirect_url: DEFAULT_REDIRECT.to_owned(),
            timeout: crate::config::DEFAULT_LOGIN_TIMEOUT,
        }
    }
}

impl LogoutOptions {
    /// The options `params` give: their redirect URL (it must be registered with the provider
    /// as a `post_logout_redirect_uri`) and their login timeout.
    pub fn from_params(params: &Params) -> LogoutOptions {
        LogoutOptions {
            redirect_url: params
                .redirect_url
                .clone()
                .unwrap_or_else(|| DEFAULT_REDIRECT.to_owned()),
            timeout: params.login_timeout,
        }
    }
}

/// Ends the user's session at the provider (WLanguage `AuthLogout`): opens the end-session
/// endpoint with the token's ID token as hint and waits for the browser to come back to a
/// loopback listener. With `params`, their user agent, redirect URL, login timeout and
/// canceller are used; without, the system browser, a free port and 300 s. Blocks the calling
/// thread. No end-session endpoint (set or discovered): Unsupported.
pub fn logout(token: &Token, params: Option<&Params>) -> Result<()> {
    match params {
        Some(p) => http::block_on_here(logout_async(
            token,
            &LogoutOptions::from_params(p),
            agent_of(p),
            &p.cancel_watch(),
        )),
        None => http::block_on_here(logout_async(
            token,
            &LogoutOptions::default(),
            &SystemBrowser,
            &CancelWatch::never(),
        )),
    }
}

/// [`logout`] with its parts given separately.
pub async fn logout_async(
    token: &Token,
    options: &LogoutOptions,
    agent: &dyn UserAgent,
    cancel: &CancelWatch,
) -> Result<()> {
    let (_, endpoint) = discovery::endpoint(
        &token.context,
        |e| &mut e.end_session,
        "end-session endpoint",
        ParamOption::LogoutUrl,
    )
    .await?;
    let listener = Listener::bind(&options.redirect_url).await?;
    let state = pkce::random_urlsafe(32)?;
    let mut url = Url::parse(&endpoint)
        .map_err(|e| Error::invalid_argument(format!("end-session endpoint: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        if let Some(id) = &token.id_token {
            q.append_pair("id_token_hint", id.expose());
        }
        if !token.context.client_id.is_empty() {
            q.append_pair("client_id", &token.context.client_id);
        }
        q.append_pair("post_logout_redirect_uri", listener.redirect_uri());
        q.append_pair("state", state.expose());
    }
    agent.open_url(url.as_str())?;
    let state = &state;
    listener
        .serve(
            &ListenOptions {
                success_page: None,
                fragment: false,
                done_title: Some("Signed out"),
            },
            options.timeout,
            cancel,
            |back| async move {
                let back = Url::parse(&back).map_err(|e| Error::protocol(e.to_string()))?;
                match back.query_pairs().find(|(k, _)| k == "state") {
                    Some((_, s)) if state.ct_eq(&s) => Ok(()),
                    _ => Err(Error::new(
                        ErrorKind::StateMismatch,
                        "the logout redirect carries a missing or wrong state (possible forgery)",
                    )),
                }
            },
        )
        .await
}
