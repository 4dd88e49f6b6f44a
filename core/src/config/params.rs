//! What [`Params`] work out from their options: the client authentication in force, the scope
//! sent, and a builder-style setter. The options themselves are the table in `options.rs`.

use super::choices::{ClientAuth, Kind};
use super::options::{ParamOption, Params};
use super::interaction::UserAgent;
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
    pub fn set_user_agent(&mut self, agent: Option<Arc<dyn UserAgent>>) {
        self.interaction.agent = agent;
    }

    /// The host's user agent, if it set one.
    pub fn user_agent(&self) -> Option<&dyn UserAgent> {
        self.interaction.agent.as_deref()
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
    /// `none` without.
    pub fn effective_client_auth(&self) -> ClientAuth {
        self.client_auth.unwrap_or(match &self.client_secret {
            Some(s) if !s.is_empty() => ClientAuth::Post,
            _ => ClientAuth::None,
        })
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
    use crate::error::ErrorKind;

    #[test]
    fn plain_http_only_on_loopback() {
        let mut p = Params::new(Kind::OAuth2);
        assert!(
            p.set(ParamOption::TokenUrl, Some("http://127.0.0.1:8080/token"))
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, Some("http://localhost/token"))
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, Some("http://[::1]:9/token"))
                .is_ok()
        );
        let e = p
            .set(ParamOption::TokenUrl, Some("http://example.com/token"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(
            p.set(ParamOption::TokenUrl, Some("https://example.com/token"))
                .is_ok()
        );
        assert!(
            p.set(ParamOption::TokenUrl, Some("ftp://example.com/token"))
                .is_err()
        );
        assert!(p.set(ParamOption::TokenUrl, Some("not a url")).is_err());
    }

    #[test]
    fn enumerations_refuse_unknown_values_and_null_resets() {
        let mut p = Params::new(Kind::OpenId);
        assert!(p.set(ParamOption::Pkce, Some("S512")).is_err());
        assert!(p.set(ParamOption::Pkce, Some("none")).is_ok());
        assert_eq!(p.pkce, Pkce::None);
        p.set(ParamOption::Pkce, None).unwrap();
        assert_eq!(p.pkce, Pkce::S256);
        assert!(p.set(ParamOption::HttpTimeout, Some("0")).is_err());
        assert!(p.set(ParamOption::HttpTimeout, Some("-3")).is_err());
        assert!(p.set(ParamOption::HttpTimeout, Some("7")).is_ok());
        assert_eq!(p.http_timeout, Duration::from_secs(7));
    }

    #[test]
    fn openid_scope_always_has_openid() {
        let mut p = Params::new(Kind::OpenId);
        assert_eq!(p.effective_scope(), "openid");
        p.set(ParamOption::Scope, Some(" email  profile ")).unwrap();
        assert_eq!(p.effective_scope(), "openid email profile");
        let mut q = Params::new(Kind::OAuth2);
        q.set(ParamOption::Scope, Some("read write")).unwrap();
        assert_eq!(q.effective_scope(), "read write");
    }

    #[test]
    fn additional_parameters_cannot_override_security_parameters() {
        assert_eq!(
            parse_additional_parameters("access_type=offline&prompt=consent").unwrap(),
            vec![
                ("access_type".into(), "offline".into()),
                ("prompt".into(), "consent".into())
            ]
        );
        assert!(parse_additional_parameters("state=x").is_err());
        assert!(parse_additional_parameters("novalue").is_err());
    }

    #[test]
    fn jwt_kind_refuses_interactive_options() {
        let mut p = Params::new(Kind::Jwt);
        assert!(
            p.set(ParamOption::RedirectUrl, Some("http://127.0.0.1:0/"))
                .is_err()
        );
        assert!(p.set(ParamOption::Flow, Some("device")).is_err());
    }

    #[test]
    fn private_key_from_missing_file_is_io() {
        let mut p = Params::new(Kind::Jwt);
        let e = p
            .set(ParamOption::JwtPrivateKey, Some("/nonexistent/key.pem"))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.message().contains("/nonexistent/key.pem"));
    }
}
