//! The C ABI: opaque handles and functions returning `auth_result`. One module per C type;
//! `boundary` holds the rules every export follows (panic guard, NULL and UTF-8 checks, the
//! per-thread last error). No protocol logic lives here.
#![allow(non_camel_case_types)]
// The safety contract of every export is the C contract stated in its doc comment (pointers
// are NULL or live handles of this library, strings NUL-terminated).
#![allow(clippy::missing_safety_doc)]

pub mod boundary;
pub mod identify;
pub mod identity;
pub mod last_error;
pub mod log;
pub mod login;
pub mod memory;
pub mod params;
pub mod result;
pub mod session;
pub mod token;
pub mod token_endpoint;

#[cfg(test)]
mod tests;
