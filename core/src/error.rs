//! The one error type of the protocol core: a kind the C layer maps to a result code, a
//! message for people, and what the server said (OAuth `error`, HTTP status) when it said it.

use crate::enumeration::numbered_enum;
use std::fmt;

numbered_enum! {
    /// What went wrong, at the granularity callers branch on. The numbers are the C result
    /// codes (`auth_result`, where 0 is success), the exit statuses of the command line, and
    /// fixed forever.
    pub enum ErrorKind {
        /// NULL, invalid UTF-8, malformed URL, or an option that does not fit this kind of params.
        InvalidArgument = 1, "invalid_argument";
        /// The token has no refresh token, or no token endpoint is known.
        NotRefreshable = 2, "not_refreshable";
        /// DNS, connection, TLS or transfer failure.
        Network = 3, "network";
        /// No answer, or no completed login, within the configured time.
        Timeout = 4, "timeout";
        /// The answer is not a valid OAuth/OpenID answer (HTML error page, bad JSON, no
        /// access_token, unexpected status).
        Protocol = 5, "protocol";
        /// The server answered an OAuth error not listed below (the OAuth error names it).
        OAuth = 6, "oauth";
        /// The code or refresh token was rejected: the user must sign in again.
        InvalidGrant = 7, "invalid_grant";
        /// Client authentication failed.
        InvalidClient = 8, "invalid_client";
        /// The user or the provider refused the authorization.
        AccessDenied = 9, "access_denied";
        /// The flow was cancelled, or a callback asked to stop.
        Cancelled = 10, "cancelled";
        /// The redirect carried a missing or wrong `state` (possible forgery).
        StateMismatch = 11, "state_mismatch";
        /// The ID token failed validation (signature, alg, iss, aud, exp, iat, nonce).
        IdToken = 12, "id_token";
        /// The redirect URL cannot be listened on (port busy, not an http loopback URL).
        Redirect = 13, "redirect";
        /// No browser could be opened and no open-URL callback is set (the message holds the URL).
        Browser = 14, "browser";
        /// Serialized token corrupt, truncated, or of an unknown format version.
        Format = 15, "format";
        /// A file could not be read or written.
        Io = 16, "io";
        /// The provider lacks what was asked (no device, revocation or userinfo endpoint...).
        Unsupported = 17, "unsupported";
        /// A bug in the library (a caught panic).
        Internal = 99, "internal";
    }
}

impl ErrorKind {
    /// The kind for an OAuth `error` code sent by a server (RFC 6749 §5.2, §4.1.2.1).
    pub fn from_oauth_error(code: &str) -> ErrorKind {
        match code {
            "invalid_grant" => ErrorKind::InvalidGrant,
            "invalid_client" | "unauthorized_client" => ErrorKind::InvalidClient,
            "access_denied" => ErrorKind::AccessDenied,
            _ => ErrorKind::OAuth,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    oauth_error: String,
    http_status: u16,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            oauth_error: String::new(),
            http_status: 0,
        }
    }

    /// An error the server reported with an OAuth `error` field.
    pub fn oauth(code: &str, description: Option<&str>, http_status: u16) -> Error {
        let kind = ErrorKind::from_oauth_error(code);
        let message = match description {
            Some(d) if !d.is_empty() => format!("the server answered {code}: {d}"),
            _ => format!("the server answered {code}"),
        };
        Error {
            kind,
            message,
            oauth_error: code.to_owned(),
            http_status,
        }
    }

    pub fn with_http_status(mut self, status: u16) -> Error {
        self.http_status = status;
        self
    }

    pub fn with_oauth_error(mut self, code: impl Into<String>) -> Error {
        self.oauth_error = code.into();
        self
    }

    /// Puts context in front of the message: "while refreshing: …".
    pub fn context(mut self, what: &str) -> Error {
        self.message = format!("{what}: {}", self.message);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn oauth_error(&self) -> &str {
        &self.oauth_error
    }
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }
    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Protocol, message)
    }
    pub fn format(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Format, message)
    }
    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Io, message)
    }
    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unsupported, message)
    }
    pub fn id_token(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::IdToken, message)
    }
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Internal, message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if !self.oauth_error.is_empty() {
            d.field("oauth_error", &self.oauth_error);
        }
        if self.http_status != 0 {
            d.field("http_status", &self.http_status);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
