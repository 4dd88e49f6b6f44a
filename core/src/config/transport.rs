//! How the library reaches a provider: timeouts, trusted roots, proxy, client certificate.
//! Kept with each token, so that a token loaded in another process talks to its provider the
//! same way.

use super::options::{DEFAULT_HTTP_TIMEOUT, Params};
use crate::secret::Secret;
use std::time::Duration;

/// Transport settings kept with a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSettings {
    pub(crate) http_timeout: Duration,
    pub(crate) ca_file: Option<String>,
    pub(crate) proxy: Option<String>,
    pub(crate) client_certificate: Option<String>,
    pub(crate) client_certificate_password: Option<Secret>,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            ca_file: None,
            proxy: None,
            client_certificate: None,
            client_certificate_password: None,
        }
    }
}

impl TransportSettings {
    pub fn from_params(p: &Params) -> TransportSettings {
        TransportSettings {
            http_timeout: p.http_timeout,
            ca_file: p.ca_file.clone(),
            proxy: p.proxy.clone(),
            client_certificate: p.client_certificate.clone(),
            client_certificate_password: p.client_certificate_password.clone(),
        }
    }
}
