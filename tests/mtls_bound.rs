//! Certificate-bound tokens (RFC 8705) against oidc-provider behind a real TLS listener that
//! asks for a client certificate (server.mjs `{"mtls":true}`), advertised in discovery as the
//! `mtls_endpoint_aliases` of the back-channel endpoints: with a client certificate, the
//! library sends every back-channel request (PAR, token, userinfo, introspection, revocation)
//! to the aliases, authenticates with the certificate (`tls_client_auth`), and the tokens are
//! bound to it (`cnf.x5t#S256`). Also the fapi2 profile with mutual TLS in place of DPoP.

mod support;

use base64::Engine;
use std::sync::OnceLock;
use support::capi::{self, Code, Login, Opt, Params};
use support::{Provider, REDIRECT_URI, key_path, login_over_http, query_names};

fn provider() -> &'static Provider {
    static P: OnceLock<Provider> = OnceLock::new();
    P.get_or_init(|| Provider::start(r#"{"mtls":true}"#))
}

fn params(p: &Provider) -> Params {
    let params = Params::openid();
    params
        .set(Opt::ClientId, "mtls-app")
        .set(Opt::ConfigurationUrl, &p.issuer)
        .set(Opt::ClientAuth, "tls_client_auth")
        .set(
            Opt::ClientCertificate,
            key_path("client-cert.pem").to_str().unwrap(),
        )
        .set(Opt::CaFile, key_path("test-ca.pem").to_str().unwrap())
        .set(Opt::RedirectUrl, REDIRECT_URI)
        .set(Opt::Scope, "openid offline_access")
        .set(Opt::AdditionalParameters, "prompt=consent");
    params
}

/// base64url(SHA-256(DER)) of the client certificate: what `cnf.x5t#S256` must say.
fn certificate_thumbprint() -> String {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::pem_file_iter(key_path("client-cert.pem"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        der.as_ref(),
    ))
}

#[test]
fn tokens_are_bound_to_the_certificate_through_the_aliases() {
    let p = provider();
    let mtls = format!(
        "https://127.0.0.1:{}",
        p.mtls_port.expect("the TLS listener")
    );
    let params = params(p);
    params
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Scope, "api:read");
    let token = capi::identify(&params).expect("client credentials over mutual TLS");
    let info = capi::introspect(&token).expect("introspection over the alias");
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(
        info["cnf"]["x5t#S256"],
        certificate_thumbprint(),
        "bound to the certificate: {info}"
    );
    // The token remembers the aliases: its refresh and revocation go there too.
    let core = authtoken_core::Token::deserialize(&token.serialize()).unwrap();
    let endpoints = core.context().endpoints();
    assert_eq!(endpoints.token(), Some(format!("{mtls}/token").as_str()));
    assert_eq!(endpoints.userinfo(), Some(format!("{mtls}/me").as_str()));
    assert_eq!(
        endpoints.revocation(),
        Some(format!("{mtls}/token/revocation").as_str())
    );
    let back = capi::Token::deserialize(&token.serialize()).unwrap();
    capi::revoke(&back).expect("revocation over the alias");
    assert_eq!(capi::introspect(&token).unwrap()["active"], false);
}

#[test]
fn a_login_with_a_certificate_refreshes_and_reads_userinfo_through_the_aliases() {
    let p = provider();
    let login = Login::begin(&params(p)).expect("begin");
    let token = login
        .complete(&login_over_http(&login.url()))
        .expect("login");
    assert_eq!(token.token_type(), "Bearer");
    let who = capi::get_user_info(&token).expect("userinfo over the alias, with the certificate");
    assert_eq!(who.subject(), "alice");
    let fresh = capi::refresh(&token).expect("refresh over the alias");
    assert_eq!(
        capi::introspect(&fresh).unwrap()["cnf"]["x5t#S256"],
        certificate_thumbprint()
    );
}

#[test]
fn without_the_certificate_the_plain_endpoints_refuse_the_client() {
    let p = provider();
    let params = params(p);
    params
        .set(Opt::Flow, "client_credentials")
        .set(Opt::Scope, "api:read")
        .reset_option(Opt::ClientCertificate);
    // tls_client_auth without a certificate is the caller's mistake, said before sending.
    let f = capi::identify(&params).expect_err("no certificate");
    assert_eq!(f.code, Code::InvalidArgument, "{f:?}");
    // With client_secret-less 'none' the provider itself refuses this client.
    params.set(Opt::ClientAuth, "none");
    let f = capi::identify(&params).expect_err("not authenticated");
    assert_eq!(f.code, Code::InvalidClient, "{f:?}");
}

#[test]
fn fapi2_with_mutual_tls_in_place_of_dpop() {
    let p = provider();
    let params = params(p);
    params
        .set(Opt::Profile, "fapi2")
        .set(Opt::Dpop, "off")
        .reset_option(Opt::ClientAuth);
    let login = Login::begin(&params).expect("begin (pushed over the alias)");
    let url = login.url();
    assert_eq!(query_names(&url), ["client_id", "request_uri"]);
    let token = login
        .complete(&login_over_http(&url))
        .expect("a fapi2 login bound by mutual TLS");
    assert_eq!(token.token_type(), "Bearer", "certificate-bound, not DPoP");
    assert_eq!(
        capi::introspect(&token).unwrap()["cnf"]["x5t#S256"],
        certificate_thumbprint()
    );
}
