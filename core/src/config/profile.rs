//! The `fapi2` profile's rules about the parameters (the FAPI 2.0 Security Profile, final:
//! docs/fapi2.md lists every rule a client can enforce and where it is). These are checked when
//! a flow starts, before any request, and a broken rule is named in the message. The rules
//! about the provider's answers are checked where the answers are read, naming the rule from
//! [`rule`].

use super::choices::{ClientAuth, DpopMode, Par, Pkce, Profile, ResponseType};
use super::options::{ParamOption, Params};
use crate::error::{Error, Result};

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

    /// The algorithms of what the library signs. (Key sizes need no rule of their own:
    /// aws-lc-rs takes no RSA key under 2048 bits, and the EC curves are P-256 and P-384.)
    fn check_fapi2_keys(&self) -> Result<()> {
        let jwt = self
            .jwt_private_key
            .as_ref()
            .map(|_| (ParamOption::JwtAlgorithm, self.jwt_algorithm.as_str()));
        let dpop = self
            .dpop_key
            .as_ref()
            .map(|k| (ParamOption::DpopKey, k.algorithm().name()));
        match [jwt, dpop]
            .into_iter()
            .flatten()
            .find(|(_, alg)| !fapi2_algorithm(alg))
        {
            Some((option, alg)) => Err(broken(
                rule::ALGORITHMS,
                format!("{option} makes {alg} signatures"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Kind;
    use crate::error::ErrorKind;

    const EC_KEY: &str = include_str!("../../../tests/provider/keys/client-ec.pem");
    const RSA_KEY: &str = include_str!("../../../tests/provider/keys/client-rsa.pem");

    /// Parameters that follow every rule: discovery, private_key_jwt with ES256, DPoP.
    fn good() -> Params {
        Params::new(Kind::OpenId)
            .with(ParamOption::ClientId, "fapi-app")
            .and_then(|p| p.with(ParamOption::ConfigurationUrl, "https://idp.example"))
            .and_then(|p| p.with(ParamOption::JwtPrivateKey, EC_KEY))
            .and_then(|p| p.with(ParamOption::JwtAlgorithm, "ES256"))
            .and_then(|p| p.with(ParamOption::Profile, "fapi2"))
            .unwrap()
    }

    /// The rule a broken parameter set names (InvalidArgument, checked before any request).
    fn broken_rule(p: &Params, interactive: bool) -> String {
        let e = p.check_profile(interactive).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e:?}");
        e.message().to_owned()
    }

    #[test]
    fn good_parameters_pass_and_fapi2_defaults_are_its_own() {
        let p = good();
        p.check_profile(true).unwrap();
        assert!(p.effective_dpop(), "DPoP is on under fapi2 unless set off");
        assert_eq!(p.effective_client_auth(), ClientAuth::PrivateKeyJwt);
        let d = Params::new(Kind::OpenId);
        d.check_profile(true).unwrap();
        assert!(!d.effective_dpop());
    }

    #[test]
    fn every_params_rule_is_enforced_and_named() {
        let bad = |o: ParamOption, v: &str| good().with(o, v).unwrap();
        let without = |o: ParamOption| {
            let mut p = good();
            p.reset(o);
            p
        };
        let cases: Vec<(&str, Params, bool)> = vec![
            (
                rule::CODE_GRANT,
                bad(ParamOption::ResponseType, "token"),
                true,
            ),
            (rule::PAR, bad(ParamOption::Par, "off"), true),
            (rule::PKCE_S256, bad(ParamOption::Pkce, "plain"), true),
            (rule::PKCE_S256, bad(ParamOption::Pkce, "none"), true),
            (
                rule::SENDER_CONSTRAINED,
                bad(ParamOption::Dpop, "off"),
                false,
            ),
            (
                rule::CLIENT_AUTH,
                bad(ParamOption::ClientSecret, "s"),
                false,
            ),
            (
                rule::CLIENT_AUTH,
                bad(ParamOption::ClientAuth, "basic"),
                false,
            ),
            (
                rule::CLIENT_AUTH,
                bad(ParamOption::ClientAuth, "none"),
                false,
            ),
            (
                rule::CLIENT_AUTH,
                without(ParamOption::JwtPrivateKey),
                false,
            ),
            (
                rule::ALGORITHMS,
                bad(ParamOption::JwtAlgorithm, "RS256"),
                false,
            ),
            (
                rule::ALGORITHMS,
                bad(ParamOption::JwtAlgorithm, "ES384"),
                false,
            ),
            (
                rule::METADATA,
                without(ParamOption::ConfigurationUrl),
                false,
            ),
            (
                rule::METADATA,
                bad(ParamOption::TokenUrl, "https://idp.example/t"),
                false,
            ),
            (
                rule::METADATA,
                bad(ParamOption::ParUrl, "https://idp.example/par"),
                false,
            ),
        ];
        for (rule, p, interactive) in cases {
            let message = broken_rule(&p, interactive);
            assert!(message.contains(rule), "{message} names {rule}");
            assert!(message.starts_with("profile fapi2: "), "{message}");
            let mut default = p.clone();
            default.reset(ParamOption::Profile);
            default.check_profile(interactive).unwrap();
        }
        // The authorization request's rules concern only flows that send the user there.
        good()
            .with(ParamOption::Pkce, "plain")
            .unwrap()
            .check_profile(false)
            .unwrap();
    }

    #[test]
    fn mutual_tls_satisfies_both_sender_constraint_and_client_authentication() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("c.pem");
        std::fs::write(
            &cert,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let mut p = good().with(ParamOption::Dpop, "off").unwrap();
        p.reset(ParamOption::JwtPrivateKey);
        p.set(ParamOption::ClientCertificate, cert.to_str().unwrap())
            .unwrap();
        p.check_profile(true).unwrap();
        assert_eq!(p.effective_client_auth(), ClientAuth::TlsClientAuth);
    }

    #[test]
    fn keys_the_library_signs_with_follow_the_algorithms_and_sizes() {
        // PS256 with a 2048-bit RSA key is allowed; the key's own algorithm decides for DPoP.
        let p = good()
            .with(ParamOption::JwtPrivateKey, RSA_KEY)
            .and_then(|p| p.with(ParamOption::JwtAlgorithm, "PS256"))
            .and_then(|p| p.with(ParamOption::DpopKey, RSA_KEY))
            .unwrap();
        p.check_profile(true).unwrap();
        let p384 = aws_lc_rs::signature::EcdsaKeyPair::generate(
            &aws_lc_rs::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        )
        .unwrap()
        .to_pkcs8v1()
        .unwrap();
        use base64::Engine;
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(p384.as_ref())
        );
        let p = good().with(ParamOption::DpopKey, &pem).unwrap();
        let message = broken_rule(&p, false);
        assert!(
            message.contains(rule::ALGORITHMS) && message.contains("ES384"),
            "{message}"
        );
        // An RSA key under 2048 bits is refused when set, in every profile.
        let e = Params::new(Kind::OpenId)
            .with(
                ParamOption::DpopKey,
                include_str!("../../../tests/keys/rsa-1024.pem"),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    }
}
