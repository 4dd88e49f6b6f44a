//! Polling the token endpoint while the user approves elsewhere: the device flow (RFC 8628
//! §3.4, §3.5) and CIBA in poll mode (OpenID CIBA §7.3, §11). Both wait `interval` before each
//! request, add 5 s on `slow_down`, stop at the request's lifetime or the login timeout, and
//! end at once when cancelled: every wait and every request races the cancel watch.

use crate::cancel::CancelWatch;
use crate::config::ClientContext;
use crate::error::{Error, ErrorKind, Result};
use crate::log::{Level, log_at};
use crate::oauth::grants;
use crate::secret::Secret;
use crate::token::TokenResponse;
use std::time::Duration;

/// RFC 8628 §3.2 and CIBA §7.3: the interval when the provider gives none.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// RFC 8628 §3.5 and CIBA §11: what `slow_down` adds to the interval.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// The longest interval honoured from an answer.
pub const MAX_INTERVAL: Duration = Duration::from_secs(600);

/// One polling loop.
pub(crate) struct Polling<'a> {
    /// The client and its token endpoint.
    pub ctx: &'a ClientContext,
    /// The grant's fields (grant_type and its code), sent with every request.
    pub fields: Vec<(String, Secret)>,
    /// The first interval.
    pub interval: Duration,
    /// How long the user has: the request's lifetime, bounded by the login timeout.
    pub limit: Duration,
    /// What messages call the login: "device login", "CIBA login".
    pub what: &'static str,
}

impl Polling<'_> {
    /// Polls until the token endpoint answers with a token, or the user refuses
    /// (AccessDenied), the request expires (Timeout: `expired_token`, or the limit), the flow is
    /// cancelled (Cancelled), or the endpoint answers anything else (that error).
    pub async fn until_answered(self, cancel: &CancelWatch) -> Result<TokenResponse> {
        let what = self.what;
        let cancelled = || Error::new(ErrorKind::Cancelled, format!("the {what} was cancelled"));
        let deadline = tokio::time::Instant::now() + self.limit;
        let mut interval = self.interval;
        loop {
            // Never past the deadline: the last wait ends with it.
            let wake = (tokio::time::Instant::now() + interval).min(deadline);
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                _ = cancel.cancelled() => return Err(cancelled()),
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the {what} was not approved within {} s",
                        self.limit.as_secs()
                    ),
                ));
            }
            log_at!(Level::Debug, "{what}: polling the token endpoint");
            let polled = tokio::select! {
                r = grants::token_request(self.ctx, self.fields.clone()) => r,
                _ = cancel.cancelled() => return Err(cancelled()),
            };
            let e = match polled {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            match e.oauth_error() {
                "authorization_pending" => {}
                "slow_down" => {
                    interval = (interval + SLOW_DOWN_STEP).min(MAX_INTERVAL);
                    log_at!(
                        Level::Debug,
                        "{what}: slow_down, polling every {} s",
                        interval.as_secs()
                    );
                }
                "access_denied" => {
                    return Err(Error::new(
                        ErrorKind::AccessDenied,
                        format!("the user refused the {what}"),
                    )
                    .with_oauth_error("access_denied")
                    .with_http_status(e.http_status()));
                }
                "expired_token" => {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!("the {what} request expired before the user approved it"),
                    )
                    .with_oauth_error("expired_token")
                    .with_http_status(e.http_status()));
                }
                // Say which step failed: the poll's own errors name no endpoint.
                _ => return Err(e.context(&format!("{what}: polling the token endpoint"))),
            }
        }
    }
}

/// An interval given by a provider (a number of seconds, or a string of one): at least 1 s,
/// at most [`MAX_INTERVAL`]; absent or unreadable: [`DEFAULT_INTERVAL`].
pub(crate) fn interval_of(value: Option<i64>) -> Duration {
    value
        .filter(|&i| i > 0)
        .map(|i| Duration::from_secs(i as u64).min(MAX_INTERVAL))
        .unwrap_or(DEFAULT_INTERVAL)
}
