//! authtoken: the C library. OAuth 2.0 and OpenID Connect for native programs, over the safe
//! Rust core `authtoken-core`, which holds every protocol rule; this crate is only the C
//! boundary, generated into `include/authtoken.h` by cbindgen.
//!
//! One module per C type (`params`, `token`, `identity`, `login`, `session`) plus the rules
//! every export follows: `boundary` (panic guard, NULL and UTF-8 checks, out-parameters),
//! `last_error` (per thread), `result`, `memory` (buffers and strings handed to C), `names`
//! (C names and the header's enumerations, from the core's tables) and `log`. Every `unsafe`
//! of the library is here, each with its SAFETY reason.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
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
pub mod names;
pub mod params;
pub mod result;
pub mod session;
pub mod store;
pub mod token;
pub mod token_endpoint;

#[cfg(test)]
mod tests;
