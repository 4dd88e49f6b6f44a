//! Talking to a provider: the runtimes, HTTP with its limits, TLS and client certificates, how
//! answers that are not what was asked for become errors, and `WWW-Authenticate` challenges.

pub mod answer;
pub mod challenge;
pub mod client_certificate;
pub mod freshness;
pub mod http;
pub mod tls;
