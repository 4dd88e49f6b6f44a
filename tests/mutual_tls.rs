//! Mutual TLS (RFC 8705): the client certificate, from a PKCS#12 file or a PEM file, really
//! authenticates the client in the TLS handshake (tests/provider/mtls_server.mjs), and the
//! server is trusted through AUTH_OPT_CA_FILE.

mod support;

use support::capi::{self, Code, Opt, Params};
use support::{Provider, key_path};

fn params(server: &Provider) -> Params {
    let p = Params::oauth2();
    p.set(Opt::ClientId, "mtls-app")
        .set(Opt::ClientAuth, "none")
        .set(Opt::Flow, "client_credentials")
        .set(Opt::HttpTimeout, "10")
        .set(Opt::TokenUrl, &format!("{}/token", server.issuer))
        .set(Opt::CaFile, key_path("test-ca.pem").to_str().unwrap());
    p
}

#[test]
fn client_certificate_from_pkcs12_or_pem_authenticates_the_client() {
    let server = Provider::start_script("mtls_server.mjs", "{}");
    assert!(server.issuer.starts_with("https://127.0.0.1:"));

    // Without a certificate the server answers invalid_client.
    let f = capi::identify(&params(&server)).expect_err("no certificate");
    assert_eq!(f.code, Code::InvalidClient, "{f:?}");

    let p = params(&server);
    p.set(
        Opt::ClientCertificate,
        key_path("client-cert.p12").to_str().unwrap(),
    )
    .set(Opt::ClientCertificatePassword, "test-pass");
    let t = capi::identify(&p).unwrap_or_else(|f| panic!("PKCS#12: {f:?}"));
    assert_eq!(t.value(), "mtls-authtoken-test-client");

    let p = params(&server);
    p.set(
        Opt::ClientCertificate,
        key_path("client-cert.pem").to_str().unwrap(),
    );
    let t = capi::identify(&p).unwrap_or_else(|f| panic!("PEM: {f:?}"));
    assert_eq!(t.value(), "mtls-authtoken-test-client");

    // A wrong PKCS#12 password is the caller's mistake, said before anything is sent.
    let p = params(&server);
    p.set(
        Opt::ClientCertificate,
        key_path("client-cert.p12").to_str().unwrap(),
    )
    .set(Opt::ClientCertificatePassword, "wrong");
    let f = capi::identify(&p).expect_err("wrong password");
    assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
}

#[test]
fn a_server_certificate_from_an_untrusted_authority_is_a_network_error() {
    let server = Provider::start_script("mtls_server.mjs", "{}");
    let p = Params::oauth2();
    p.set(Opt::ClientId, "mtls-app")
        .set(Opt::Flow, "client_credentials")
        .set(Opt::TokenUrl, &format!("{}/token", server.issuer));
    let f = capi::identify(&p).expect_err("untrusted server");
    assert_eq!(f.code, Code::Network, "{f:?}");
}
