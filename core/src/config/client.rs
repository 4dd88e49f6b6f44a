//! Who the client is and where its provider is: what a token carries so that it can be
//! refreshed, revoked or read without the parameters it was obtained with.

use super::choices::{ClientAuth, JwtAlgorithm, Kind, Profile};
use super::options::Params;
use super::transport::TransportSettings;
use crate::error::Result;
use crate::jose::KeyPair;
use crate::secret::Secret;
use std::time::Duration;

/// The provider's endpoints as known when the token was obtained (set, or from discovery).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    pub(crate) authorization: Option<String>,
    pub(crate) token: Option<String>,
    pub(crate) revocation: Option<String>,
    pub(crate) introspection: Option<String>,
    pub(crate) userinfo: Option<String>,
    pub(crate) end_session: Option<String>,
    pub(crate) jwks: Option<String>,
    pub(crate) device_authorization: Option<String>,
    /// The pushed authorization request endpoint (RFC 9126).
    pub(crate) pushed_authorization: Option<String>,
}

impl Endpoints {
    /// The token endpoint.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
    /// The revocation endpoint (RFC 7009).
    pub fn revocation(&self) -> Option<&str> {
        self.revocation.as_deref()
    }
    /// The introspection endpoint (RFC 7662).
    pub fn introspection(&self) -> Option<&str> {
        self.introspection.as_deref()
    }
    /// The userinfo endpoint.
    pub fn userinfo(&self) -> Option<&str> {
        self.userinfo.as_deref()
    }
    /// The end-session endpoint (RP-initiated logout).
    pub fn end_session(&self) -> Option<&str> {
        self.end_session.as_deref()
    }
    /// The pushed authorization request endpoint (RFC 9126).
    pub fn pushed_authorization(&self) -> Option<&str> {
        self.pushed_authorization.as_deref()
    }
}

/// Whether token requests carry DPoP proofs (RFC 9449), and with which key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Dpop {
    /// No proofs: Bearer tokens.
    #[default]
    Off,
    /// Proofs with a fresh P-256 key, made when the grant starts.
    Fresh,
    /// Proofs with this key: the host's, or the one a token is bound to.
    Key(KeyPair),
}

impl Dpop {
    /// The key, once there is one.
    pub fn key(&self) -> Option<&KeyPair> {
        match self {
            Dpop::Key(k) => Some(k),
            _ => None,
        }
    }

    /// The key to sign with now: the one there is, a fresh one for `Fresh`, none for `Off`.
    pub fn ready(&self) -> Result<Option<KeyPair>> {
        match self {
            Dpop::Off => Ok(None),
            Dpop::Fresh => KeyPair::generate_p256().map(Some),
            Dpop::Key(k) => Ok(Some(k.clone())),
        }
    }
}

/// What signs JWT assertions (RFC 7523), kept so that `private_key_jwt` refreshes work later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSigner {
    pub(crate) private_key_pem: Secret,
    pub(crate) algorithm: JwtAlgorithm,
    pub(crate) key_id: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) subject: Option<String>,
    pub(crate) audience: Option<String>,
}

/// Who the client is and where its provider is: everything a token needs to be refreshed,
/// revoked or read without the original parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientContext {
    pub(crate) kind: Kind,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) client_auth: ClientAuth,
    pub(crate) issuer: Option<String>,
    pub(crate) configuration_url: Option<String>,
    pub(crate) endpoints: Endpoints,
    pub(crate) jwt: Option<JwtSigner>,
    pub(crate) transport: TransportSettings,
    pub(crate) clock_skew: Duration,
    /// DPoP for the grant's token requests and for using its tokens.
    pub(crate) dpop: Dpop,
    pub(crate) profile: Profile,
    /// RFC 8707 resource indicators sent with every token request of the grant.
    pub(crate) resource: Vec<String>,
    /// RFC 9396 authorization details asked for (JSON array text), sent with the token
    /// requests of the grant.
    pub(crate) authorization_details: Option<String>,
}

impl ClientContext {
    /// The context of `params` with the endpoints it sets; discovery fills in the rest.
    pub fn from_params(p: &Params) -> ClientContext {
        ClientContext {
            kind: p.kind,
            client_id: p.client_id.clone(),
            client_secret: p.client_secret.clone(),
            client_auth: p.effective_client_auth(),
            issuer: None,
            configuration_url: p.configuration_url.clone(),
            endpoints: Endpoints {
                authorization: p.auth_url.clone(),
                token: p.token_url.clone(),
                revocation: p.revocation_url.clone(),
                introspection: p.introspection_url.clone(),
                userinfo: p.userinfo_url.clone(),
                end_session: p.logout_url.clone(),
                jwks: None,
                device_authorization: p.device_auth_url.clone(),
                pushed_authorization: p.par_url.clone(),
            },
            jwt: p.jwt_private_key.as_ref().map(|key| JwtSigner {
                private_key_pem: key.clone(),
                algorithm: p.jwt_algorithm,
                key_id: p.jwt_key_id.clone(),
                issuer: p.jwt_issuer.clone(),
                subject: p.jwt_subject.clone(),
                audience: p.jwt_audience.clone(),
            }),
            transport: TransportSettings::from_params(p),
            clock_skew: p.clock_skew,
            dpop: match (p.effective_dpop(), &p.dpop_key) {
                (false, _) => Dpop::Off,
                (true, Some(key)) => Dpop::Key(key.clone()),
                (true, None) => Dpop::Fresh,
            },
            profile: p.profile,
            resource: p.resource.clone(),
            authorization_details: p.authorization_details.clone(),
        }
    }

    /// The context with its DPoP key made, if the grant asks for a fresh one: what a grant
    /// whose key must be known before its first token request (the authorization request's
    /// `dpop_jkt`) starts with.
    pub fn with_dpop_key(mut self) -> Result<ClientContext> {
        if self.dpop == Dpop::Fresh {
            self.dpop = self.dpop.ready()?.map_or(Dpop::Off, Dpop::Key);
        }
        Ok(self)
    }

    /// DPoP for this client's token requests.
    pub fn dpop(&self) -> &Dpop {
        &self.dpop
    }

    /// The security profile in force.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The client identifier.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The provider's issuer, once discovery or an ID token made it known.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The provider's endpoints as known.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// How the client talks to the provider.
    pub fn transport(&self) -> &TransportSettings {
        &self.transport
    }

    /// A context for a token imported without parameters: it can be used, not refreshed.
    pub fn empty() -> ClientContext {
        ClientContext::from_params(&Params::new(Kind::OAuth2))
    }
}
