//! Mutual TLS (RFC 8705): the client certificate from a PEM file (certificate chain and private
//! key) or a PKCS#12 file.

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The reqwest identity for the certificate file at `path`.
pub fn identity(path: &str, password: Option<&Secret>) -> Result<reqwest::Identity> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::io(format!(
            "AUTH_OPT_CLIENT_CERTIFICATE: cannot read '{path}': {e}"
        ))
    })?;
    let pem = if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        bytes
    } else {
        let _ = password;
        return Err(Error::unsupported(format!(
            "AUTH_OPT_CLIENT_CERTIFICATE: '{path}' is not PEM (PKCS#12 arrives with the token-endpoint work)"
        )));
    };
    reqwest::Identity::from_pem(&pem).map_err(|e| {
        Error::invalid_argument(format!(
            "AUTH_OPT_CLIENT_CERTIFICATE: '{path}' does not hold a certificate and its private key: {e}"
        ))
    })
}
