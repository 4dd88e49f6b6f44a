//! Why a command failed, and its exit status: the number of the core's error kind (the C
//! library's result code), 1 for a usage error.

use authtoken_core::{Error, ErrorKind};
use std::fmt;

/// A failed command: its exit status and what to tell the user (never a secret: the core's
/// messages hold none, and ours name values only when they are not secret).
#[derive(Debug)]
pub struct Failure {
    status: u8,
    message: String,
}

/// Exit status of a usage error (unknown command, option or profile; a bad value). The same
/// number as `InvalidArgument`.
pub const USAGE: u8 = 1;

impl Failure {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Failure {
        Failure {
            status: status_of(kind),
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            status: USAGE,
            message: message.into(),
        }
    }

    pub fn status(&self) -> u8 {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The exit status of an error kind: its number (1…17, 99), which all fit a status byte.
pub fn status_of(kind: ErrorKind) -> u8 {
    u8::try_from(kind.number()).unwrap_or(u8::MAX)
}

/// The core's error with what the server said, when it said something.
impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let mut message = e.message().to_owned();
        let mut said = Vec::new();
        if !e.oauth_error().is_empty() && !message.contains(e.oauth_error()) {
            said.push(format!("OAuth error {}", e.oauth_error()));
        }
        if e.http_status() != 0 {
            said.push(format!("HTTP {}", e.http_status()));
        }
        if !said.is_empty() {
            message = format!("{message} ({})", said.join(", "));
        }
        Failure::new(e.kind(), message)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_exits_with_its_number() {
        for kind in ErrorKind::ALL {
            assert_eq!(
                u32::from(status_of(*kind)),
                kind.number(),
                "{kind:?} must exit with the C result code"
            );
        }
        assert_eq!(status_of(ErrorKind::InvalidArgument), USAGE);
    }

    #[test]
    fn the_server_s_words_are_kept() {
        let e = Error::oauth("invalid_client", Some("client authentication failed"), 401);
        let f = Failure::from(e);
        assert_eq!(f.status(), 8);
        assert_eq!(
            f.message(),
            "the server answered invalid_client: client authentication failed (HTTP 401)"
        );
    }
}
