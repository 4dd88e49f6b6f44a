//! authtoken-core: OAuth 2.0 and OpenID Connect for native programs, in safe Rust.
//!
//! The protocol core of `authtoken`: the C library (the workspace's root crate) and the
//! `authtoken` command line are thin front ends over it, so C, Rust and the shell run the same
//! code. The folders are layers; a layer uses only the layers below it (tests/layers.rs checks):
//!
//! | layer | what it does |
//! |---|---|
//! | `session` | a token that stays fresh: single-flight refresh, locks, the stored token |
//! | `login` | signing a user in: the authorization request, listener, browser, device flow, CIBA, logout, `identify`, step-up |
//! | `oauth` | the back channel: client authentication, grants, token exchange, revocation, introspection |
//! | `oidc` | the provider's keys, ID-token validation, the identity and userinfo |
//! | `provider` | what a provider says about itself (discovery) |
//! | `token` | the token, its format and its file |
//! | `dpop` | DPoP proofs (RFC 9449) and the servers' nonces, on every request that needs them |
//! | `transport` | runtimes, HTTP, TLS, answers that are errors, `WWW-Authenticate` challenges |
//! | `config` | the parameters and what a token keeps of them |
//! | `jose` | keys the library holds (the DPoP key): PEM, JWK, thumbprint, JWS |
//! | the files at the top | errors, secrets, the clock, the log, cancellation, enumerations |
//!
//! ```no_run
//! use authtoken_core::{Kind, ParamOption, Params, Session};
//!
//! # fn main() -> authtoken_core::Result<()> {
//! let params = Params::new(Kind::OpenId)
//!     .with(ParamOption::ClientId, "my-app")?
//!     .with(ParamOption::ConfigurationUrl, "https://idp.example")?;
//! // The saved token if it is valid for another minute, else a refresh, else a login.
//! let session = Session::new(params, Some("session.token".as_ref()))?;
//! let token = session.token(60)?;
//! println!("{}", token.authorization_header());
//! println!("{}", authtoken_core::read_identity(&token)?.source());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod cancel;
pub mod clock;
mod enumeration;
pub mod error;
pub mod log;
pub mod secret;

pub mod config;
pub mod dpop;
pub mod jose;
pub mod login;
pub mod oauth;
pub mod oidc;
pub mod provider;
pub mod session;
pub mod token;
pub mod transport;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

pub use config::{DevicePrompt, Kind, ParamOption, Params, UserAgent};
pub use error::{Error, ErrorKind, Result};
pub use login::{LoginRequest, identify, logout, step_up, verify_authentication};
pub use oauth::{create_jwt_assertion, exchange_token, introspect, refresh, revoke};
pub use oidc::identity::Identity;
pub use oidc::{read_identity, user_info};
pub use secret::Secret;
pub use session::Session;
pub use token::Token;

/// Parses a `WWW-Authenticate` value (RFC 9110 §11.6.1) into the JSON array of
/// `auth_parse_challenge`: `[{"scheme":"Bearer","params":{"error":"…"}}]`, parameter names
/// lower-cased, values unescaped strings, `"token68"` in place of `"params"` for a token68
/// challenge. Not a challenge list: InvalidArgument.
pub fn parse_challenge(www_authenticate: &str) -> Result<String> {
    transport::challenge::parse(www_authenticate).map(|c| transport::challenge::to_json(&c))
}
