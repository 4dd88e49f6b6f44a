//! Talking to a provider: the runtimes, HTTP with its limits, TLS and client certificates, and
//! how answers that are not what was asked for become errors.

pub mod answer;
pub mod client_certificate;
pub mod freshness;
pub mod http;
pub mod tls;
