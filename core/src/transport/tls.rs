//! The TLS configuration of every HTTP client: the platform's roots (rustls-platform-verifier)
//! plus `AUTH_OPT_CA_FILE`, and the `AUTH_OPT_CLIENT_CERTIFICATE`. One configuration per
//! setting is built once and shared by all clients (every thread has its own client). The
//! platform roots are read on the first certificate to verify, not before: reading them takes
//! milliseconds, and a process that only talks plain http to a loopback provider never needs
//! them.

use crate::config::ParamOption;
use crate::error::{Error, Result};
use crate::transport::client_certificate::ClientIdentity;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

/// What a TLS configuration depends on.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TlsKey {
    pub ca_file: Option<String>,
    pub client_certificate: Option<String>,
    pub client_certificate_password: Option<String>,
}

static CONFIGS: LazyLock<Mutex<HashMap<TlsKey, Arc<rustls::ClientConfig>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The shared configuration for these settings (built on first use, files read then).
pub fn client_config(key: &TlsKey) -> Result<rustls::ClientConfig> {
    let mut configs = CONFIGS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = configs.get(key) {
        return Ok(c.as_ref().clone());
    }
    let config = Arc::new(build(key)?);
    configs.insert(key.clone(), config.clone());
    Ok(config.as_ref().clone())
}

fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

fn build(key: &TlsKey) -> Result<rustls::ClientConfig> {
    let provider = provider();
    let extra_roots = match &key.ca_file {
        Some(path) => ca_file(path)?,
        None => Vec::new(),
    };
    let verifier = Arc::new(LazyPlatformVerifier {
        extra_roots,
        provider: provider.clone(),
        loaded: OnceLock::new(),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS versions: {e}")))?
        .dangerous() // only to install the platform verifier, loaded lazily
        .with_custom_certificate_verifier(verifier);
    let mut config = match &key.client_certificate {
        Some(path) => {
            let password = key
                .client_certificate_password
                .as_deref()
                .map(crate::secret::Secret::new);
            let ClientIdentity { chain, key } =
                crate::transport::client_certificate::identity(path, password.as_ref())?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                Error::invalid_argument(format!(
                    "{client_certificate}: '{path}' cannot be used: {e}",
                    client_certificate = ParamOption::ClientCertificate
                ))
            })?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The certificates of a PEM bundle (`AUTH_OPT_CA_FILE`).
fn ca_file(path: &str) -> Result<Vec<CertificateDer<'static>>> {
    let pem = std::fs::read(path).map_err(|e| {
        Error::io(format!(
            "{ca_file}: cannot read '{path}': {e}",
            ca_file = ParamOption::CaFile
        ))
    })?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::invalid_argument(format!(
                "{ca_file}: '{path}' is not a PEM bundle: {e}",
                ca_file = ParamOption::CaFile
            ))
        })?;
    if certs.is_empty() {
        return Err(Error::invalid_argument(format!(
            "{ca_file}: '{path}' holds no PEM certificate",
            ca_file = ParamOption::CaFile
        )));
    }
    Ok(certs)
}

/// rustls-platform-verifier's verifier, created (the system roots read) on first use.
#[derive(Debug)]
struct LazyPlatformVerifier {
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    loaded: OnceLock<std::result::Result<rustls_platform_verifier::Verifier, rustls::Error>>,
}

impl LazyPlatformVerifier {
    fn get(&self) -> std::result::Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.loaded
            .get_or_init(|| {
                rustls_platform_verifier::Verifier::new_with_extra_roots(
                    self.extra_roots.iter().cloned(),
                    self.provider.clone(),
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyPlatformVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.get()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.get()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.get()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // What the platform verifier answers too, without reading the roots.
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_a_configuration_does_not_read_the_system_roots() {
        let key = TlsKey {
            ca_file: None,
            client_certificate: None,
            client_certificate_password: None,
        };
        let config = build(&key).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        let verifier = LazyPlatformVerifier {
            extra_roots: Vec::new(),
            provider: provider(),
            loaded: OnceLock::new(),
        };
        assert!(!verifier.supported_verify_schemes().is_empty());
        assert!(verifier.loaded.get().is_none());
        verifier.get().expect("the system roots load on demand");
        assert!(verifier.loaded.get().is_some());
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = std::env::temp_dir().join(format!("authtoken-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.pem");
        std::fs::write(&path, "no certificate here\n").unwrap();
        let e = ca_file(path.to_str().unwrap()).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidArgument);
        assert!(
            e.message().contains("holds no PEM certificate"),
            "{}",
            e.message()
        );
        let e = ca_file(dir.join("missing.pem").to_str().unwrap()).unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::Io);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
