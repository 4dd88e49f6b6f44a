//! The parameters of a provider and a client, checked when they are set, and what a token
//! keeps of them (the client context, the transport settings).

mod choices;
mod client;
mod interaction;
mod options;
mod params;
pub mod profile;
mod transport;
pub mod url_rules;
mod values;

pub use choices::{
    ClientAuth, DpopMode, Flow, JwtAlgorithm, Kind, Par, Pkce, Profile, RequestObject,
    ResponseType, SuccessPage,
};
pub use client::{ClientContext, Dpop, Endpoints, JwtSigner};
pub use interaction::{DevicePrompt, UserAgent};
pub use options::{
    DEFAULT_CLOCK_SKEW, DEFAULT_HTTP_TIMEOUT, DEFAULT_LOGIN_TIMEOUT, ParamOption, Params,
    set_option_naming,
};
pub use transport::TransportSettings;
pub(crate) use values::check_token_type_uri;
