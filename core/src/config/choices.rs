//! The values of the options that take one of a few words, and the kind of parameters.

use crate::enumeration::{choice_enum, numbered_enum};

numbered_enum! {
    /// The family of parameters (WLanguage `OAuth2Parameters`, `OpenIDParameters`,
    /// `JWTParameters`): decides discovery, the `openid` scope, ID-token validation and the
    /// grant a sign-in uses.
    pub enum Kind {
        /// OAuth 2.0 with explicit endpoints.
        OAuth2 = 0, "oauth2";
        /// OpenID Connect: endpoints from discovery, `openid` scope, ID-token validation.
        OpenId = 1, "openid";
        /// RFC 7523 JWT bearer grant (service accounts).
        Jwt = 2, "jwt";
    }
}

choice_enum! {
    /// How the client proves who it is at the token endpoint.
    pub enum ClientAuth {
        /// `client_secret_post`: id and secret in the form body.
        Post = "post" | "client_secret_post";
        /// `client_secret_basic`: HTTP Basic with form-urlencoded id and secret (RFC 6749 §2.3.1).
        Basic = "basic" | "client_secret_basic";
        /// Public client: only `client_id` in the body.
        None = "none";
        /// RFC 7523 §2.2: a JWT signed with the client's private key.
        PrivateKeyJwt = "private_key_jwt";
        /// RFC 8705 §2: the client certificate of the TLS connection (PKI or self-signed; the
        /// client sends the same either way: its id, over TLS with its certificate).
        TlsClientAuth = "tls_client_auth" | "self_signed_tls_client_auth";
    }
}

choice_enum! {
    /// What the authorization endpoint answers with.
    pub enum ResponseType {
        /// The authorization code flow.
        Code = "code";
        /// The implicit flow (the token in the redirect's fragment).
        Token = "token";
    }
}

choice_enum! {
    /// How a sign-in obtains its token.
    pub enum Flow {
        /// The browser and a redirect (RFC 6749 §4.1, with PKCE).
        AuthorizationCode = "authorization_code";
        /// The device flow (RFC 8628): a code typed on another device.
        Device = "device";
        /// No user: the client's own credentials (RFC 6749 §4.4).
        ClientCredentials = "client_credentials";
        /// OpenID CIBA, poll mode: the user approves on their own device while this one polls.
        Ciba = "ciba";
    }
}

choice_enum! {
    /// The PKCE method (RFC 7636).
    pub enum Pkce {
        /// SHA-256 of the verifier.
        S256 = "S256";
        /// The verifier itself.
        Plain = "plain";
        /// No PKCE.
        None = "none";
    }
}

choice_enum! {
    /// The algorithms of the JWTs this library signs.
    pub enum JwtAlgorithm {
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        RS256 = "RS256";
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        RS384 = "RS384";
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        RS512 = "RS512";
        /// RSASSA-PSS with SHA-256.
        PS256 = "PS256";
        /// RSASSA-PSS with SHA-384.
        PS384 = "PS384";
        /// RSASSA-PSS with SHA-512.
        PS512 = "PS512";
        /// ECDSA on P-256 with SHA-256.
        ES256 = "ES256";
        /// ECDSA on P-384 with SHA-384.
        ES384 = "ES384";
        /// Ed25519.
        EdDSA = "EdDSA";
    }
}

/// What the browser shows once the redirect has arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuccessPage {
    /// This HTML page.
    Html(String),
    /// A redirect to this URL.
    RedirectTo(String),
}

choice_enum! {
    /// DPoP (RFC 9449): whether token requests carry proofs and tokens are bound to a key.
    pub enum DpopMode {
        /// Bearer tokens (the default, except under the `fapi2` profile).
        Off = "off";
        /// Proofs on every token request; tokens bound to the key.
        On = "on";
    }
}

choice_enum! {
    /// Pushed authorization requests (RFC 9126).
    pub enum Par {
        /// Push when discovery says the provider requires it, or under the `fapi2` profile.
        Auto = "auto";
        /// Always push; no PAR endpoint known is Unsupported.
        On = "on";
        /// Never push.
        Off = "off";
    }
}

choice_enum! {
    /// Request objects (RFC 9101).
    pub enum RequestObject {
        /// The authorization parameters travel as they are.
        Off = "off";
        /// They travel as a JWT signed with the client's key.
        Signed = "signed";
    }
}

choice_enum! {
    /// A security profile the library applies on top of the options.
    pub enum Profile {
        /// The options as set.
        Default = "default";
        /// The FAPI 2.0 Security Profile (docs/fapi2.md).
        Fapi2 = "fapi2";
    }
}
