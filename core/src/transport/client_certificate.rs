//! Mutual TLS (RFC 8705): the client certificate chain and private key, from a PEM file or a
//! PKCS#12 file (with `AUTH_OPT_CLIENT_CERTIFICATE_PASSWORD`).

use crate::config::ParamOption;
use crate::error::{Error, Result};
use crate::secret::Secret;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate chain (leaf first) and its private key, ready for rustls. The key is
/// zeroized when dropped (rustls-pki-types).
pub struct ClientIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("chain", &self.chain.len())
            .field("key", &"[redacted]")
            .finish()
    }
}

/// The identity held by the certificate file at `path`.
pub fn identity(path: &str, password: Option<&Secret>) -> Result<ClientIdentity> {
    let bytes = zeroize::Zeroizing::new(std::fs::read(path).map_err(|e| {
        Error::io(format!(
            "{client_certificate}: cannot read '{path}': {e}",
            client_certificate = ParamOption::ClientCertificate
        ))
    })?);
    let identity = if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        from_pem(&bytes)
    } else {
        from_pkcs12(&bytes, password)
    };
    identity.map_err(|e| {
        Error::invalid_argument(format!(
            "{client_certificate}: '{path}': {e}",
            client_certificate = ParamOption::ClientCertificate
        ))
    })
}

fn from_pem(pem: &[u8]) -> std::result::Result<ClientIdentity, String> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| format!("unreadable PEM certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(pem)
        .map_err(|e| format!("no private key in the PEM file ({e})"))?;
    if chain.is_empty() {
        return Err("does not hold a certificate for its private key".into());
    }
    Ok(ClientIdentity { chain, key })
}

fn from_pkcs12(
    der: &[u8],
    password: Option<&Secret>,
) -> std::result::Result<ClientIdentity, String> {
    let password = password.map(Secret::expose).unwrap_or("");
    let store = p12_keystore::KeyStore::from_pkcs12(
        der,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| {
        format!(
            "not a PKCS#12 file, or wrong {client_certificate_password} ({e})",
            client_certificate_password = ParamOption::ClientCertificatePassword
        )
    })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or("the PKCS#12 file holds no private key")?;
    if chain.certs().is_empty() {
        return Err("the PKCS#12 file holds no certificate for its private key".into());
    }
    Ok(ClientIdentity {
        chain: chain
            .certs()
            .iter()
            .map(|c| CertificateDer::from(c.as_der().to_vec()))
            .collect(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::path::Path;

    fn fixture(name: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/provider/keys")
            .join(name)
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn pkcs12_with_its_password_and_pem_give_the_same_identity() {
        let pw = Secret::new("test-pass");
        let from_p12 = identity(&fixture("client-cert.p12"), Some(&pw)).unwrap();
        let from_pem = identity(&fixture("client-cert.pem"), None).unwrap();
        assert!(!from_p12.chain.is_empty());
        assert_eq!(from_p12.chain[0], from_pem.chain[0]);
        assert_eq!(
            from_p12.key.secret_der(),
            from_pem.key.secret_der(),
            "the same key"
        );
        assert!(!format!("{from_pem:?}").contains("BEGIN"));
    }

    #[test]
    fn pkcs12_with_a_wrong_password_is_invalid_argument() {
        let e = identity(&fixture("client-cert.p12"), Some(&Secret::new("nope"))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("password"), "{}", e.message());
        let e = identity("/nonexistent/cert.p12", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }

    #[test]
    fn pem_without_a_key_is_invalid_argument() {
        let e = identity(&fixture("test-ca.pem"), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("private key"), "{}", e.message());
    }
}
