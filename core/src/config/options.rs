//! The options of [`Params`], as one table: each row is an option's number (the C contract's
//! `AUTH_OPT_*`), its field, the field's type and default, the function that checks and reads
//! a value, and its documentation. The enum [`ParamOption`], its lookups, the fields of
//! `Params`, `set` and `reset` are generated from it, so an option is one row plus its
//! behaviour.

use super::choices::{
    ClientAuth, DpopMode, Flow, JwtAlgorithm, Kind, Par, Pkce, Profile, RequestObject,
    ResponseType, SuccessPage,
};
use super::interaction::Interaction;
use super::values;
use crate::error::Result;
use crate::jose::KeyPair;
use crate::secret::{Secret, SecretKey};
use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

/// Seconds `identify` waits for the user unless set.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(300);
/// Seconds one HTTP exchange may take unless set.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Leeway of the `exp`/`iat`/`nbf` checks unless set.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(120);

macro_rules! options {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $number:literal => $field:ident: $ty:ty = $default:expr, $parse:path;
    )*) => {
        /// An option of [`Params`]. The numbers are those of the C header (`AUTH_OPT_*`),
        /// fixed forever.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ParamOption {
            $( $(#[doc = $doc])* $variant = $number, )*
        }

        impl ParamOption {
            /// Every option, in the order of the table.
            pub const ALL: &'static [ParamOption] = &[$(ParamOption::$variant),*];

            /// The number of the C contract.
            pub const fn number(self) -> u32 {
                self as u32
            }

            /// The option with this number, if there is one.
            pub const fn from_number(number: u32) -> Option<ParamOption> {
                match number {
                    $($number => Some(ParamOption::$variant),)*
                    _ => None,
                }
            }

            /// The key, the name of the field: `"client_id"` (C: `AUTH_OPT_CLIENT_ID`).
            pub const fn key(self) -> &'static str {
                match self {
                    $(ParamOption::$variant => stringify!($field),)*
                }
            }

            /// The option with this key, if there is one.
            pub fn from_key(key: &str) -> Option<ParamOption> {
                match key {
                    $(stringify!($field) => Some(ParamOption::$variant),)*
                    _ => None,
                }
            }

            /// The documentation of the option (its doc comment).
            pub const fn doc(self) -> &'static str {
                match self {
                    $(ParamOption::$variant => concat!($($doc, "\n"),*),)*
                }
            }
        }

        /// The parameters of a provider and a client (WLanguage `OAuth2Parameters`,
        /// `OpenIDParameters`, `JWTParameters`). Every option is checked when it is set
        /// ([`Params::set`]), so that a flow never starts with a value it cannot use.
        #[derive(Debug, Clone)]
        pub struct Params {
            pub(crate) kind: Kind,
            $( pub(crate) $field: $ty, )*
            pub(crate) interaction: Interaction,
        }

        /// Parameters are equal when their kind and every option are (the host's user agent
        /// and the canceller are not compared).
        impl PartialEq for Params {
            fn eq(&self, other: &Params) -> bool {
                self.kind == other.kind $( && self.$field == other.$field )*
            }
        }

        impl Eq for Params {}

        impl Params {
            /// Parameters of this kind with every option at its default.
            pub fn new(kind: Kind) -> Params {
                Params { kind, $( $field: $default, )* interaction: Interaction::default() }
            }

            /// Sets one option; the value is checked now, and on error nothing changes.
            pub fn set(&mut self, option: ParamOption, value: &str) -> Result<()> {
                match option {
                    $(ParamOption::$variant => self.$field = $parse(self, option, value)?,)*
                }
                Ok(())
            }

            /// Puts one option back to its default.
            pub fn reset(&mut self, option: ParamOption) {
                match option {
                    $(ParamOption::$variant => self.$field = $default,)*
                }
            }
        }
    };
}

options! {
    /// Client identifier (ClientID).
    ClientId = 1 => client_id: String = String::new(), values::text;
    /// Client secret; absent or `""`: public client (ClientSecret).
    ClientSecret = 2 => client_secret: Option<Secret> = None, values::secret_unless_empty;
    /// Authorization endpoint; OpenID: from discovery unless set (AuthURL).
    AuthUrl = 3 => auth_url: Option<String> = None, values::endpoint;
    /// Token endpoint; OpenID: from discovery unless set (TokenURL).
    TokenUrl = 4 => token_url: Option<String> = None, values::endpoint;
    /// Space-separated scopes; OpenID always includes `openid` (Scope).
    Scope = 5 => scope: String = String::new(), values::scope;
    /// Loopback URL listened on, e.g. `http://localhost:3333`; port 0: any free port (RedirectionURL).
    RedirectUrl = 6 => redirect_url: Option<String> = None, values::redirect_url;
    /// `code` (default) or `token` (implicit) (ResponseType).
    ResponseType = 7 => response_type: ResponseType = ResponseType::Code, values::response_type;
    /// `a=b&c=d`, added to the authorization URL (AdditionalParameters).
    AdditionalParameters = 8 => additional_parameters: Vec<(String, String)> = Vec::new(), values::additional_parameters;
    /// Discovery document URL, or the issuer URL (ConfigurationURL).
    ConfigurationUrl = 9 => configuration_url: Option<String> = None, values::endpoint;
    /// `post` (default with a secret), `basic`, `none`, `private_key_jwt`.
    ClientAuth = 10 => client_auth: Option<ClientAuth> = None, values::client_auth;
    /// Seconds `auth_identify` waits for the user (default 300).
    LoginTimeout = 11 => login_timeout: Duration = DEFAULT_LOGIN_TIMEOUT, values::seconds_at_least_one;
    /// Seconds for one HTTP exchange (default 30).
    HttpTimeout = 12 => http_timeout: Duration = DEFAULT_HTTP_TIMEOUT, values::seconds_at_least_one;
    /// `authorization_code` (default), `device`, `client_credentials`, `ciba`.
    Flow = 13 => flow: Flow = Flow::AuthorizationCode, values::flow;
    /// Device authorization endpoint (OpenID: from discovery).
    DeviceAuthUrl = 14 => device_auth_url: Option<String> = None, values::endpoint;
    /// Revocation endpoint (OpenID: from discovery).
    RevocationUrl = 15 => revocation_url: Option<String> = None, values::endpoint;
    /// Userinfo endpoint (OpenID: from discovery).
    UserinfoUrl = 16 => userinfo_url: Option<String> = None, values::endpoint;
    /// `S256` (default), `plain`, `none` (PKCE).
    Pkce = 17 => pkce: Pkce = Pkce::S256, values::pkce;
    /// HTML shown in the browser after the redirect, or an `https://` URL to send it to.
    SuccessPage = 18 => success_page: Option<SuccessPage> = None, values::success_page;
    /// End-session endpoint (OpenID: from discovery) (LogoutURL).
    LogoutUrl = 19 => logout_url: Option<String> = None, values::endpoint;
    /// Introspection endpoint (OpenID: from discovery).
    IntrospectionUrl = 20 => introspection_url: Option<String> = None, values::endpoint;
    /// Client TLS certificate for mutual TLS: path to a PEM or PKCS#12 file (ClientCertificate).
    ClientCertificate = 21 => client_certificate: Option<String> = None, values::existing_file;
    /// Password of a PKCS#12 file.
    ClientCertificatePassword = 22 => client_certificate_password: Option<Secret> = None, values::secret;
    /// PEM private key that signs JWT assertions, or the path of a PEM file (JWTParameters).
    JwtPrivateKey = 23 => jwt_private_key: Option<Secret> = None, values::pem_private_key;
    /// `RS256` (default), `ES256`, `PS256`, `EdDSA` (also RS384, RS512, PS384, PS512, ES384).
    JwtAlgorithm = 24 => jwt_algorithm: JwtAlgorithm = JwtAlgorithm::RS256, values::jwt_algorithm;
    /// `kid` header of JWT assertions.
    JwtKeyId = 25 => jwt_key_id: Option<String> = None, values::text_unless_empty;
    /// `iss` of the assertion (default: the client id).
    JwtIssuer = 26 => jwt_issuer: Option<String> = None, values::text_unless_empty;
    /// `sub` of the assertion (default: the client id).
    JwtSubject = 27 => jwt_subject: Option<String> = None, values::text_unless_empty;
    /// `aud` of the assertion (default: the token endpoint).
    JwtAudience = 28 => jwt_audience: Option<String> = None, values::text_unless_empty;
    /// Extra trusted root certificates (PEM file); the platform's roots are always trusted.
    CaFile = 29 => ca_file: Option<String> = None, values::ca_file;
    /// Proxy URL; default: the usual `HTTPS_PROXY`/`NO_PROXY` variables.
    Proxy = 30 => proxy: Option<String> = None, values::proxy;
    /// Seconds of leeway for `exp`/`iat`/`nbf` checks (default 120).
    ClockSkew = 31 => clock_skew: Duration = DEFAULT_CLOCK_SKEW, values::seconds;
    /// `off` (default) or `on`: DPoP (RFC 9449). Every token request carries a proof, the
    /// authorization request `dpop_jkt`, and tokens are bound to the key (type `DPoP`). On by
    /// default under the `fapi2` profile.
    Dpop = 32 => dpop: Option<DpopMode> = None, values::dpop;
    /// The DPoP private key, PEM text or a path to a PEM file: EC P-256 (ES256), P-384
    /// (ES384), Ed25519 (EdDSA) or RSA (PS256); default: a fresh P-256 key for each new grant.
    DpopKey = 33 => dpop_key: Option<KeyPair> = None, values::dpop_key;
    /// `auto` (default: push when discovery says `require_pushed_authorization_requests`, or
    /// under `fapi2`), `on` (always; no PAR endpoint known: `AUTH_ERROR_UNSUPPORTED`), `off`:
    /// pushed authorization requests (RFC 9126).
    Par = 34 => par: Par = Par::Auto, values::par;
    /// Pushed authorization request endpoint (RFC 9126); from discovery unless set.
    ParUrl = 35 => par_url: Option<String> = None, values::endpoint;
    /// `off` (default) or `signed`: the authorization parameters travel as a JWT (RFC 9101)
    /// signed with the JWT key, algorithm and key id options, inside the push when PAR is used.
    RequestObject = 36 => request_object: RequestObject = RequestObject::Off, values::request_object;
    /// Space-separated absolute URIs without fragment (RFC 8707), each sent as a `resource`
    /// parameter on the authorization request and the token requests.
    Resource = 37 => resource: Vec<String> = Vec::new(), values::resource;
    /// A JSON array of objects each with a string `type` (RFC 9396), sent on the authorization
    /// request and the token requests of the grant.
    AuthorizationDetails = 38 => authorization_details: Option<String> = None, values::authorization_details;
    /// `default` or `fapi2`: the FAPI 2.0 Security Profile (docs/fapi2.md).
    Profile = 39 => profile: Profile = Profile::Default, values::profile;
    /// Space-separated authentication context class references, sent as `acr_values`
    /// (authorization request, CIBA).
    AcrValues = 40 => acr_values: Option<String> = None, values::space_separated;
    /// Seconds (an integer >= 0), sent as `max_age`; the ID token must then carry an
    /// `auth_time` no older than that (plus the clock skew), else `AUTH_ERROR_ID_TOKEN`.
    MaxAge = 41 => max_age: Option<u64> = None, values::max_age;
    /// Sent as `prompt`: `login`, `consent`, `select_account` or `create` (space-separated for
    /// several); `none` is refused (that is `auth_verify_authentication`).
    Prompt = 42 => prompt: Option<String> = None, values::prompt;
    /// Sent as `login_hint` (authorization request, CIBA).
    LoginHint = 43 => login_hint: Option<String> = None, values::login_hint;
    /// Token exchange: `requested_token_type`, a token type URI (RFC 8693 §3), e.g.
    /// `urn:ietf:params:oauth:token-type:access_token`.
    RequestedTokenType = 44 => requested_token_type: Option<String> = None, values::token_type_uri;
    /// Token exchange: space-separated, each sent as an `audience` parameter.
    Audience = 45 => audience: Vec<String> = Vec::new(), values::words;
    /// Token exchange: `actor_token`, the token of the party acting for the subject.
    ActorToken = 46 => actor_token: Option<Secret> = None, values::secret_unless_empty;
    /// Token exchange: `actor_token_type` (default with an actor token: the access-token type
    /// URI `urn:ietf:params:oauth:token-type:access_token`).
    ActorTokenType = 47 => actor_token_type: Option<String> = None, values::token_type_uri;
    /// Backchannel authentication endpoint (OpenID CIBA); from discovery.
    CibaUrl = 48 => ciba_url: Option<String> = None, values::endpoint;
    /// CIBA `binding_message`, shown on the user's device and by the host, so the user can
    /// tell that the two belong together.
    BindingMessage = 49 => binding_message: Option<String> = None, values::binding_message;
    /// 32 bytes in base64 (standard or URL-safe, padded or not), or the path of a file holding
    /// that text, read when set: what a session stores (file, Redis, keyring) is encrypted with
    /// AES-256-GCM and authenticated.
    StoreKey = 50 => store_key: Option<SecretKey> = None, values::store_key;
}

/// How messages name an option: the key unless the front end said otherwise.
static NAMING: OnceLock<fn(ParamOption) -> &'static str> = OnceLock::new();

/// Makes messages name options as the front end's users know them (the C library:
/// `AUTH_OPT_CLIENT_ID`; the command line: its flags). The first call wins; the default is
/// the key (`client_id`).
pub fn set_option_naming(naming: fn(ParamOption) -> &'static str) {
    let _ = NAMING.set(naming);
}

/// The option as messages name it (see [`set_option_naming`]).
impl fmt::Display for ParamOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NAMING.get().map_or(self.key(), |name| name(*self)))
    }
}
