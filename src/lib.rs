//! authtoken: OAuth 2.0 and OpenID Connect for native programs.
//!
//! The protocol core is plain Rust (the modules below `ffi`); `ffi` is the thin `extern "C"`
//! layer the header `include/authtoken.h` is generated from. The core never sees a raw pointer
//! and the C layer holds no protocol logic.

pub mod browser;
pub mod cancel;
pub mod client_auth;
pub mod client_certificate;
pub mod device;
pub mod discovery;
pub mod endpoint_answer;
pub mod error;
pub mod file_lock;
pub mod grants;
pub mod http;
pub mod id_token;
pub mod identify;
pub mod identity;
pub mod introspection;
pub mod jwks;
pub mod jwt_assertion;
pub mod listener;
pub mod log;
pub mod login;
pub mod logout;
pub mod params;
pub mod pkce;
pub mod revocation;
pub mod secret;
pub mod session;
pub mod tls;
pub mod token;
pub mod token_file;
pub mod token_format;
pub mod url_rules;

pub mod ffi;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
