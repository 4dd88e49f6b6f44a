//! Mutual TLS (RFC 8705): the client certificate from a PEM file (certificate chain and private
//! key) or a PKCS#12 file (converted to PEM: reqwest's rustls backend reads only PEM).

use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::Engine;

/// The reqwest identity for the certificate file at `path`.
pub fn identity(path: &str, password: Option<&Secret>) -> Result<reqwest::Identity> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::io(format!(
            "AUTH_OPT_CLIENT_CERTIFICATE: cannot read '{path}': {e}"
        ))
    })?;
    let pem = if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        Secret::new(String::from_utf8_lossy(&bytes))
    } else {
        pkcs12_to_pem(&bytes, password).map_err(|e| {
            Error::invalid_argument(format!("AUTH_OPT_CLIENT_CERTIFICATE: '{path}': {e}"))
        })?
    };
    reqwest::Identity::from_pem(pem.expose().as_bytes()).map_err(|e| {
        Error::invalid_argument(format!(
            "AUTH_OPT_CLIENT_CERTIFICATE: '{path}' does not hold a certificate and its private key: {e}"
        ))
    })
}

/// The private key (PKCS#8) and certificate chain of a PKCS#12 file as PEM text.
pub fn pkcs12_to_pem(der: &[u8], password: Option<&Secret>) -> Result<Secret> {
    let password = password.map(Secret::expose).unwrap_or("");
    let store = p12_keystore::KeyStore::from_pkcs12(
        der,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| {
        Error::invalid_argument(format!(
            "not a PKCS#12 file, or wrong AUTH_OPT_CLIENT_CERTIFICATE_PASSWORD ({e})"
        ))
    })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| Error::invalid_argument("the PKCS#12 file holds no private key"))?;
    if chain.certs().is_empty() {
        return Err(Error::invalid_argument(
            "the PKCS#12 file holds no certificate for its private key",
        ));
    }
    let mut pem = pem_block("PRIVATE KEY", chain.key().as_der());
    for cert in chain.certs() {
        pem.push_str(&pem_block("CERTIFICATE", cert.as_der()));
    }
    Ok(Secret::new(pem))
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::path::Path;

    fn fixture(name: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/provider/keys")
            .join(name)
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn pkcs12_with_its_password_gives_an_identity() {
        let pw = Secret::new("test-pass");
        let pem = pkcs12_to_pem(
            &std::fs::read(fixture("client-cert.p12")).unwrap(),
            Some(&pw),
        )
        .unwrap();
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.expose().contains("-----BEGIN CERTIFICATE-----\n"));
        identity(&fixture("client-cert.p12"), Some(&pw)).unwrap();
        identity(&fixture("client-cert.pem"), None).unwrap();
    }

    #[test]
    fn pkcs12_with_a_wrong_password_is_invalid_argument() {
        let e = identity(&fixture("client-cert.p12"), Some(&Secret::new("nope"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("PASSWORD"), "{}", e.message());
        let e = identity("/nonexistent/cert.p12", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }
}
