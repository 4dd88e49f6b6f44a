//! The `fapi2` profile's rules about the parameters (the FAPI 2.0 Security Profile, final:
//! docs/fapi2.md lists every rule a client can enforce and where it is). These are checked when
//! a flow starts, before any request, and a broken rule is named in the message. The rules
//! about the provider's answers are checked where the answers are read, naming the rule from
//! [`rule`].

use super::choices::{ClientAuth, DpopMode, JwtAlgorithm, Par, Pkce, Profile, ResponseType};
use super::options::{ParamOption, Params};
use crate::error::{Error, Result};
use crate::jose::{KeyPair, SigningAlgorithm};

/// The rules of FAPI 2.0 a message names (section and item of the final specification).
pub mod rule {
    pub const CODE_GRANT: &str = "FAPI 2.0 §5.3.3.2-1 (the authorization code grant)";
    pub const PAR: &str = "FAPI 2.0 §5.3.3.2-2 (pushed authorization requests)";
    pub const PKCE_S256: &str = "FAPI 2.0 §5.3.3.2-3 (PKCE with S256)";
    pub const ISS: &str = "FAPI 2.0 §5.3.3.2-5 (iss in the authorization response, RFC 9207)";
    pub const SENDER_CONSTRAINED: &str =
        "FAPI 2.0 §5.3.3.1-1 (sender-constrained access tokens: DPoP or mutual TLS)";
    pub const CLIENT_AUTH: &str =
        "FAPI 2.0 §5.3.3.1-2 (client authentication by private_key_jwt or mutual TLS)";
    pub const AUDIENCE: &str =
        "FAPI 2.0 §5.3.3.1-5 (the issuer as the sole audience of client assertions)";
    pub const METADATA: &str =
        "FAPI 2.0 §5.3.3.1-9 (endpoints only from the provider's metadata document)";
    pub const ALGORITHMS: &str = "FAPI 2.0 §5.4.1-1 (JWTs signed with PS256, ES256 or EdDSA)";
    pub const RSA_SIZE: &str = "FAPI 2.0 §5.4.1-2 (RSA keys of at least 2048 bits)";
}

fn broken(rule: &str, detail: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!("profile fapi2: {rule}: {detail}"))
}

/// The algorithms FAPI 2.0 allows for JWTs.
pub fn fapi2_algorithm(name: &str) -> bool {
    matches!(name, "PS256" | "ES256" | "EdDSA")
}

impl Params {
    /// Checks the parameters against the rules of their profile that concern them (none for
    /// `default`). `interactive`: the flow sends the user to the authorization endpoint.
    pub fn check_profile(&self, interactive: bool) -> Result<()> {
        if self.profile != Profile::Fapi2 {
            return Ok(());
        }
        if interactive {
            self.check_fapi2_authorization_request()?;
        }
        self.check_fapi2_metadata()?;
        self.check_fapi2_sender_constraint()?;
        self.check_fapi2_client_auth()?;
        self.check_fapi2_keys()
    }

    fn check_fapi2_authorization_request(&self) -> Result<()> {
        if self.response_type != ResponseType::Code {
            return Err(broken(
                rule::CODE_GRANT,
                format!("{} must be code", ParamOption::ResponseType),
            ));
        }
        if self.par == Par::Off {
            return Err(broken(
                rule::PAR,
                format!("{} cannot be off", ParamOption::Par),
            ));
        }
        if self.pkce != Pkce::S256 {
            return Err(broken(
                rule::PKCE_S256,
                format!("{} must be S256", ParamOption::Pkce),
            ));
        }
        Ok(())
    }

    fn check_fapi2_metadata(&self) -> Result<()> {
        if self.configuration_url.is_none() {
            return Err(broken(
                rule::METADATA,
                format!("set {}", ParamOption::ConfigurationUrl),
            ));
        }
        let set_by_hand = [
            (ParamOption::AuthUrl, self.auth_url.is_some()),
            (ParamOption::TokenUrl, self.token_url.is_some()),
            (ParamOption::DeviceAuthUrl, self.device_auth_url.is_some()),
            (ParamOption::RevocationUrl, self.revocation_url.is_some()),
            (ParamOption::UserinfoUrl, self.userinfo_url.is_some()),
            (ParamOption::LogoutUrl, self.logout_url.is_some()),
            (
                ParamOption::IntrospectionUrl,
                self.introspection_url.is_some(),
            ),
            (ParamOption::ParUrl, self.par_url.is_some()),
        ];
        match set_by_hand.iter().find(|(_, set)| *set) {
            Some((option, _)) => Err(broken(
                rule::METADATA,
                format!("{option} is set by hand; discovery gives the endpoints"),
            )),
            None => Ok(()),
        }
    }

    fn check_fapi2_sender_constraint(&self) -> Result<()> {
        if self.dpop == Some(DpopMode::Off) && self.client_certificate.is_none() {
            return Err(broken(
                rule::SENDER_CONSTRAINED,
                format!(
                    "{} is off and no {} binds the tokens",
                    ParamOption::Dpop,
                    ParamOption::ClientCertificate
                ),
            ));
        }
        Ok(())
    }

    fn check_fapi2_client_auth(&self) -> Result<()> {
        if self.client_secret.is_some() {
            return Err(broken(
                rule::CLIENT_AUTH,
                format!("{} is refused", ParamOption::ClientSecret),
            ));
        }
        match self.effective_client_auth() {
            ClientAuth::PrivateKeyJwt if self.jwt_private_key.is_none() => Err(broken(
                rule::CLIENT_AUTH,
                format!(
                    "set {} (private_key_jwt) or {} (mutual TLS)",
                    ParamOption::JwtPrivateKey,
                    ParamOption::ClientCertificate
                ),
            )),
            ClientAuth::TlsClientAuth if self.client_certificate.is_none() => Err(broken(
                rule::CLIENT_AUTH,
                format!("mutual TLS needs {}", ParamOption::ClientCertificate),
            )),
            ClientAuth::PrivateKeyJwt | ClientAuth::TlsClientAuth => Ok(()),
            other => Err(broken(
                rule::CLIENT_AUTH,
                format!("{} '{other}' is not allowed", ParamOption::ClientAuth),
            )),
        }
    }

    fn check_fapi2_keys(&self) -> Result<()> {
        if let Some(pem) = &self.jwt_private_key {
            let name = self.jwt_algorithm.as_str();
            if !fapi2_algorithm(name) {
                return Err(broken(
                    rule::ALGORITHMS,
                    format!("{} is {name}", ParamOption::JwtAlgorithm),
                ));
            }
            if self.jwt_algorithm == JwtAlgorithm::PS256 {
                // A key that does not parse fails when it signs, with its own message.
                if let Ok(key) = KeyPair::from_pem(pem.expose()) {
                    check_rsa_size(&key, ParamOption::JwtPrivateKey)?;
                }
            }
        }
        if let Some(key) = &self.dpop_key {
            if !fapi2_algorithm(key.algorithm().name()) {
                return Err(broken(
                    rule::ALGORITHMS,
                    format!(
                        "{} signs with {}",
                        ParamOption::DpopKey,
                        key.algorithm().name()
                    ),
                ));
            }
            if key.algorithm() == SigningAlgorithm::PS256 {
                check_rsa_size(key, ParamOption::DpopKey)?;
            }
        }
        Ok(())
    }
}

fn check_rsa_size(key: &KeyPair, option: ParamOption) -> Result<()> {
    match key.rsa_bits() {
        Some(bits) if bits < 2048 => Err(broken(
            rule::RSA_SIZE,
            format!("{option} is a {bits}-bit RSA key"),
        )),
        _ => Ok(()),
    }
}
