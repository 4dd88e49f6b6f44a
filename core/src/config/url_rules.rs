//! Which URLs the library talks to: `https://` anywhere, plain `http://` only on loopback
//! (RFC 8252 §7.3, and local test servers), loopback-only redirect listeners.

use crate::error::{Error, Result};
use std::net::IpAddr;
use url::{Host, Url};

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(Host::Ipv4(a)) => IpAddr::V4(a).is_loopback(),
        Some(Host::Ipv6(a)) => IpAddr::V6(a).is_loopback(),
        None => false,
    }
}

/// An endpoint the library sends requests to: https, or http on loopback.
pub fn endpoint_url(name: impl std::fmt::Display, value: &str) -> Result<Url> {
    let url = Url::parse(value)
        .map_err(|e| Error::invalid_argument(format!("{name}: not a URL ({e}): {value}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        "http" => {
            return Err(Error::invalid_argument(format!(
                "{name}: plain http:// is refused except on loopback hosts; use https:// ({value})"
            )));
        }
        other => {
            return Err(Error::invalid_argument(format!(
                "{name}: scheme '{other}' is not http(s): {value}"
            )));
        }
    }
    if url.fragment().is_some() {
        return Err(Error::invalid_argument(format!(
            "{name}: an endpoint URL cannot have a #fragment: {value}"
        )));
    }
    if url.host_str().is_none_or(|h| h.is_empty()) {
        return Err(Error::invalid_argument(format!(
            "{name}: no host in {value}"
        )));
    }
    Ok(url)
}

/// A redirect URL as set: http on loopback (listened on by `auth_identify`), or https (for the
/// two-step login of hosts that receive the redirect themselves), or a private-use scheme
/// (`com.example.app:/cb`, RFC 8252 §7.1) for the same.
pub fn redirect_url(name: impl std::fmt::Display, value: &str) -> Result<Url> {
    let url = Url::parse(value)
        .map_err(|e| Error::invalid_argument(format!("{name}: not a URL ({e}): {value}")))?;
    if url.fragment().is_some() {
        return Err(Error::invalid_argument(format!(
            "{name}: a redirect URL cannot have a #fragment: {value}"
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback_host(&url) => Ok(url),
        "http" => Err(Error::invalid_argument(format!(
            "{name}: an http:// redirect must be on a loopback host (127.0.0.1, [::1], localhost): {value}"
        ))),
        s if s.contains('.') => Ok(url),
        other => Err(Error::invalid_argument(format!(
            "{name}: scheme '{other}' is neither http(s) nor a reverse-domain private-use scheme: {value}"
        ))),
    }
}
