//! The one error type of the protocol core: a kind the C layer maps to a result code, a
//! message for people, and what the server said (OAuth `error`, HTTP status) when it said it.

use std::fmt;

/// What went wrong, at the granularity callers branch on. Each kind maps to one C result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    NotRefreshable,
    Network,
    Timeout,
    Protocol,
    OAuth,
    InvalidGrant,
    InvalidClient,
    AccessDenied,
    Cancelled,
    StateMismatch,
    IdToken,
    Redirect,
    Browser,
    Format,
    Io,
    Unsupported,
    Internal,
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
