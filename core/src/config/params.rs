//! What [`Params`] work out from their options: the client authentication in force, the scope
//! sent, and a builder-style setter. The options themselves are the table in `options.rs`.

use super::choices::{ClientAuth, DpopMode, Kind, Profile};
use super::interaction::UserAgent;
use super::options::{ParamOption, Params};
use crate::cancel::CancelWatch;
use crate::error::Result;
use std::sync::Arc;

impl Params {
    /// [`Params::set`] for a chain: `Params::new(Kind::OpenId).with(ParamOption::ClientId, "app")?`.
    pub fn with(mut self, option: ParamOption, value: &str) -> Result<Params> {
        self.set(option, value)?;
        Ok(self)
    }

    /// Sets what shows the user URLs and device codes; `None`: the system browser and a
    /// prompt on standard error.
    /// The key that seals what a session stores (`StoreKey`), if one is set.
    pub fn store_key(&self) -> Option<&crate::secret::SecretKey> {
        self.store_key.as_ref()
    }

    pub fn set_user_agent(&mut self, agent: Option<Arc<dyn UserAgent>>) {
        self.interaction.agent = agent;
    }

    /// The host's user agent, if it set one.
    pub fn user_agent(&self) -> Option<&dyn UserAgent> {
        self.interaction.agent.as_deref()
    }

    /// With `true`, a browser sign-in through the system browser (no user agent set) where
    /// none can be opened (no `$BROWSER` and no display, an SSH session without a forwarded
    /// display) takes the device flow when the provider has one, and otherwise shows the URL
    /// (the agent's `notice`) and waits on the loopback listener; a browser that fails to open
    /// also shows the URL and waits. Default `false`: no browser is a `Browser` error (the C
    /// contract). The command line turns it on.
    pub fn set_browser_fallback(&mut self, on: bool) {
        self.interaction.browser_fallback = on;
    }

    /// Whether a browser sign-in falls back (see [`Params::set_browser_fallback`]).
    pub fn browser_fallback(&self) -> bool {
        self.interaction.browser_fallback
    }

    /// Ends the interactive flows running with these parameters or a copy of them, from any
    /// thread: they fail with `Cancelled` and release their listening port. Flows started
    /// later are not affected.
    pub fn cancel(&self) {
        self.interaction.canceller.cancel();
    }

    /// What a flow started now watches to learn that it was cancelled.
    pub fn cancel_watch(&self) -> CancelWatch {
        self.interaction.watch()
    }

    /// The kind of these parameters.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The client identifier.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client authentication in force: the explicit one, else `post` with a secret and
    /// `none` without. Under `fapi2`, which allows only `private_key_jwt` and mutual TLS: the
    /// first when a JWT key is set, else the second when a client certificate is.
    pub fn effective_client_auth(&self) -> ClientAuth {
        if let Some(explicit) = self.client_auth {
            return explicit;
        }
        if self.profile == Profile::Fapi2 {
            return if self.jwt_private_key.is_none() && self.client_certificate.is_some() {
                ClientAuth::TlsClientAuth
            } else {
                ClientAuth::PrivateKeyJwt
            };
        }
        match &self.client_secret {
            Some(s) if !s.is_empty() => ClientAuth::Post,
            _ => ClientAuth::None,
        }
    }

    /// Whether the grants of these parameters use DPoP: as set, else on under `fapi2`.
    pub fn effective_dpop(&self) -> bool {
        match self.dpop {
            Some(mode) => mode == DpopMode::On,
            None => self.profile == Profile::Fapi2,
        }
    }

    /// The security profile in force.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The additional parameters (option 8), then the `named` ones that are set, each of which
    /// replaces an additional parameter of the same name: what an authorization or CIBA request
    /// carries after its own fields.
    pub(crate) fn parameters_with<'a>(
        &'a self,
        named: &[(&'a str, Option<&'a str>)],
    ) -> Vec<(&'a str, &'a str)> {
        let set = |k: &str| named.iter().any(|(name, v)| *name == k && v.is_some());
        self.additional_parameters
            .iter()
            .filter(|(k, _)| !set(k))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(named.iter().filter_map(|(k, v)| v.map(|v| (*k, v))))
            .collect()
    }

    /// The scope sent: OpenID always includes `openid`.
    pub fn effective_scope(&self) -> String {
        if self.kind == Kind::OpenId && !self.scope.split_ascii_whitespace().any(|s| s == "openid")
        {
            if self.scope.trim().is_empty() {
                "openid".to_owned()
            } else {
                format!("openid {}", self.scope.trim())
            }
        } else {
            self.scope
                .split_ascii_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Flow, JwtAlgorithm, Pkce, ResponseType, SuccessPage};
    use std::time::Duration;

    const PEM_KEY: &str =
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
    const PEM_CERT: &str = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

    #[test]
    fn every_option_is_stored_and_reset_puts_back_its_default() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("key.pem");
        let cert_file = dir.path().join("client.pem");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&key_file, PEM_KEY).unwrap();
        std::fs::write(&cert_file, PEM_CERT).unwrap();
        std::fs::write(&ca_file, PEM_CERT).unwrap();
        let (key_file, cert_file, ca_file) = (
            key_file.to_str().unwrap().to_owned(),
            cert_file.to_str().unwrap().to_owned(),
            ca_file.to_str().unwrap().to_owned(),
        );

        let mut p = Params::new(Kind::OpenId);
        let values: Vec<(u32, &str)> = vec![
            (1, "my-client"),
            (2, "s3cret"),
            (3, "https://idp.example/authorize"),
            (4, "http://127.0.0.1:8080/token"),
            (5, "  email   profile "),
            (6, "http://localhost:3333/cb"),
            (7, "token"),
            (8, "access_type=offline&prompt=consent"),
            (9, "https://idp.example"),
            (10, "basic"),
            (11, "42"),
            (12, "7"),
            (13, "device"),
            (14, "https://idp.example/device"),
            (15, "https://idp.example/revoke"),
            (16, "https://idp.example/userinfo"),
            (17, "plain"),
            (18, "<p>done</p>"),
            (19, "https://idp.example/logout"),
            (20, "https://idp.example/introspect"),
            (21, &cert_file),
            (22, "p12-password"),
            (23, PEM_KEY),
            (24, "EdDSA"),
            (25, "key-1"),
            (26, "iss-x"),
            (27, "sub-x"),
            (28, "https://idp.example/token"),
            (29, &ca_file),
            (30, "socks5://127.0.0.1:1080"),
            (31, "0"),
        ];
        assert_eq!(values.len(), 31, "one value per option of 0.1");
        for (opt, value) in &values {
            p.set(ParamOption::from_number(*opt).unwrap(), value)
                .unwrap();
        }
        let s = p.clone();
        assert_eq!(s.client_id, "my-client");
        assert_eq!(
            s.client_secret
                .as_ref()
                .map(|x| x.expose().to_owned())
                .as_deref(),
            Some("s3cret")
        );
        assert_eq!(s.auth_url.as_deref(), Some("https://idp.example/authorize"));
        assert_eq!(s.token_url.as_deref(), Some("http://127.0.0.1:8080/token"));
        assert_eq!(s.scope, "email profile");
        assert_eq!(s.effective_scope(), "openid email profile");
        assert_eq!(s.redirect_url.as_deref(), Some("http://localhost:3333/cb"));
        assert_eq!(s.response_type, ResponseType::Token);
        assert_eq!(
            s.additional_parameters,
            vec![
                ("access_type".to_owned(), "offline".to_owned()),
                ("prompt".to_owned(), "consent".to_owned())
            ]
        );
        assert_eq!(s.configuration_url.as_deref(), Some("https://idp.example/"));
        assert_eq!(s.client_auth, Some(ClientAuth::Basic));
        assert_eq!(s.login_timeout, Duration::from_secs(42));
        assert_eq!(s.http_timeout, Duration::from_secs(7));
        assert_eq!(s.flow, Flow::Device);
        assert_eq!(
            s.device_auth_url.as_deref(),
            Some("https://idp.example/device")
        );
        assert_eq!(
            s.revocation_url.as_deref(),
            Some("https://idp.example/revoke")
        );
        assert_eq!(
            s.userinfo_url.as_deref(),
            Some("https://idp.example/userinfo")
        );
        assert_eq!(s.pkce, Pkce::Plain);
        assert_eq!(
            s.success_page,
            Some(SuccessPage::Html("<p>done</p>".to_owned()))
        );
        assert_eq!(s.logout_url.as_deref(), Some("https://idp.example/logout"));
        assert_eq!(
            s.introspection_url.as_deref(),
            Some("https://idp.example/introspect")
        );
        assert_eq!(s.client_certificate.as_deref(), Some(cert_file.as_str()));
        assert_eq!(
            s.client_certificate_password
                .as_ref()
                .map(|x| x.expose().to_owned())
                .as_deref(),
            Some("p12-password")
        );
        assert_eq!(
            s.jwt_private_key
                .as_ref()
                .map(|x| x.expose().to_owned())
                .as_deref(),
            Some(PEM_KEY)
        );
        assert_eq!(s.jwt_algorithm, JwtAlgorithm::EdDSA);
        assert_eq!(s.jwt_key_id.as_deref(), Some("key-1"));
        assert_eq!(s.jwt_issuer.as_deref(), Some("iss-x"));
        assert_eq!(s.jwt_subject.as_deref(), Some("sub-x"));
        assert_eq!(s.jwt_audience.as_deref(), Some("https://idp.example/token"));
        assert_eq!(s.ca_file.as_deref(), Some(ca_file.as_str()));
        assert_eq!(s.proxy.as_deref(), Some("socks5://127.0.0.1:1080"));
        assert_eq!(s.clock_skew, Duration::ZERO);

        // A key given as the path of a PEM file is read now.
        p.set(ParamOption::from_number(23).unwrap(), &key_file)
            .unwrap();
        assert_eq!(
            p.jwt_private_key
                .as_ref()
                .map(|x| x.expose().to_owned())
                .as_deref(),
            Some(PEM_KEY)
        );
        // An https success page is a redirect; an empty secret is a public client.
        p.set(
            ParamOption::from_number(18).unwrap(),
            "https://app.example/done",
        )
        .unwrap();
        assert_eq!(
            p.success_page,
            Some(SuccessPage::RedirectTo(
                "https://app.example/done".to_owned()
            ))
        );
        p.set(ParamOption::from_number(2).unwrap(), "").unwrap();
        assert!(p.client_secret.is_none());

        for option in ParamOption::ALL {
            p.reset(*option);
        }
        assert_eq!(p, Params::new(Kind::OpenId), "NULL puts every default back");
    }

    use crate::error::ErrorKind;

    #[test]
    fn plain_http_only_on_loopback() {
        let mut p = Params::new(Kind::OAuth2);
        assert!(
            p.set(ParamOption::TokenUrl, "http://127.0.0.1:8080/token")
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, "http://localhost/token")
                .is_ok()
        );
        assert!(p.set(ParamOption::TokenUrl, "http://[::1]:9/token").is_ok());
        let e = p
            .set(ParamOption::TokenUrl, "http://example.com/token")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            p.set(ParamOption::TokenUrl, "https://example.com/token")
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, "ftp://example.com/token")
                .is_err()
        );
        assert!(p.set(ParamOption::TokenUrl, "not a url").is_err());
    }

    #[test]
    fn enumerations_refuse_unknown_values_and_null_resets() {
        let mut p = Params::new(Kind::OpenId);
        assert!(p.set(ParamOption::Pkce, "S512").is_err());
        assert!(p.set(ParamOption::Pkce, "none").is_ok());
        assert_eq!(p.pkce, Pkce::None);
        p.reset(ParamOption::Pkce);
        assert_eq!(p.pkce, Pkce::S256);
        assert!(p.set(ParamOption::HttpTimeout, "0").is_err());
        assert!(p.set(ParamOption::HttpTimeout, "-3").is_err());
        assert!(p.set(ParamOption::HttpTimeout, "7").is_ok());
        assert_eq!(p.http_timeout, Duration::from_secs(7));
    }

    #[test]
    fn openid_scope_always_has_openid() {
        let mut p = Params::new(Kind::OpenId);
        assert_eq!(p.effective_scope(), "openid");
        p.set(ParamOption::Scope, " email  profile ").unwrap();
        assert_eq!(p.effective_scope(), "openid email profile");
        let mut q = Params::new(Kind::OAuth2);
        q.set(ParamOption::Scope, "read write").unwrap();
        assert_eq!(q.effective_scope(), "read write");
    }

    #[test]
    fn additional_parameters_cannot_override_security_parameters() {
        let mut p = Params::new(Kind::OAuth2);
        p.set(
            ParamOption::AdditionalParameters,
            "access_type=offline&prompt=consent",
        )
        .unwrap();
        assert_eq!(
            p.additional_parameters,
            vec![
                ("access_type".into(), "offline".into()),
                ("prompt".into(), "consent".into())
            ]
        );
        assert!(p.set(ParamOption::AdditionalParameters, "state=x").is_err());
        assert!(p.set(ParamOption::AdditionalParameters, "novalue").is_err());
    }

    #[test]
    fn jwt_kind_refuses_interactive_options() {
        let mut p = Params::new(Kind::Jwt);
        assert!(
            p.set(ParamOption::RedirectUrl, "http://127.0.0.1:0/")
                .is_err()
        );
        assert!(p.set(ParamOption::Flow, "device").is_err());
    }

    #[test]
    fn options_of_sender_constraints_and_authorization_requests_are_checked_when_set() {
        use crate::config::{DpopMode, Par, Profile, RequestObject};
        let mut p = Params::new(Kind::OpenId);
        let refused = |p: &mut Params, o: ParamOption, v: &str| {
            let e = p.set(o, v).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{o:?} = {v:?}");
            assert!(e.message().contains(o.key()), "{}", e.message());
        };
        p.set(ParamOption::Dpop, "ON").unwrap();
        assert_eq!(p.dpop, Some(DpopMode::On));
        refused(&mut p, ParamOption::Dpop, "yes");
        p.set(
            ParamOption::DpopKey,
            include_str!("../../../tests/provider/keys/client-ec.pem"),
        )
        .unwrap();
        assert!(p.dpop_key.is_some());
        refused(&mut p, ParamOption::DpopKey, PEM_KEY);
        p.set(ParamOption::Par, "on").unwrap();
        assert_eq!(p.par, Par::On);
        refused(&mut p, ParamOption::Par, "always");
        p.set(ParamOption::RequestObject, "signed").unwrap();
        assert_eq!(p.request_object, RequestObject::Signed);
        refused(&mut p, ParamOption::RequestObject, "encrypted");
        p.set(ParamOption::Profile, "fapi2").unwrap();
        assert_eq!(p.profile, Profile::Fapi2);
        refused(&mut p, ParamOption::Profile, "fapi1");

        p.set(
            ParamOption::Resource,
            " https://api.example/  urn:example:api https://api.example/ ",
        )
        .unwrap();
        assert_eq!(p.resource, ["https://api.example/", "urn:example:api"]);
        for bad in [
            "/relative",
            "api.example",
            "https://api.example/#frag",
            "https://x/#",
        ] {
            refused(&mut p, ParamOption::Resource, bad);
        }
        p.set(ParamOption::Resource, "").unwrap();
        assert!(p.resource.is_empty());

        p.set(
            ParamOption::AuthorizationDetails,
            r#" [ {"type": "payment_initiation", "instructedAmount": {"amount": "1"}} ] "#,
        )
        .unwrap();
        assert_eq!(
            p.authorization_details.as_deref(),
            Some(r#"[{"instructedAmount":{"amount":"1"},"type":"payment_initiation"}]"#)
        );
        for bad in [
            "",
            "not json",
            r#"{"type":"a"}"#,
            "[]",
            "[1]",
            r#"[{"type":""}]"#,
            r#"[{"type":5}]"#,
            r#"[{"type":"a"},{"actions":["read"]}]"#,
        ] {
            refused(&mut p, ParamOption::AuthorizationDetails, bad);
        }
        // The options of the authorization request do not fit JWT parameters.
        let mut j = Params::new(Kind::Jwt);
        refused(&mut j, ParamOption::Par, "on");
        refused(&mut j, ParamOption::RequestObject, "signed");
        j.set(ParamOption::Dpop, "on").unwrap();
        j.set(ParamOption::Resource, "https://api.example/")
            .unwrap();
    }

    #[test]
    fn private_key_from_missing_file_is_io() {
        let mut p = Params::new(Kind::Jwt);
        let e = p
            .set(ParamOption::JwtPrivateKey, "/nonexistent/key.pem")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.message().contains("/nonexistent/key.pem"));
    }
}
