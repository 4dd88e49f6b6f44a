//! Signing a user in: the authorization request and its answer (state, nonce, PKCE), the
//! loopback listener, the browser (and what to do where none can be opened), the device flow,
//! logout, and `identify`, which picks the grant the parameters ask for.

pub mod browser;
pub mod device;
pub mod fallback;
pub mod identify;
pub mod listener;
pub mod logout;
pub mod pkce;
pub mod request;

pub use fallback::{BrowserAvailability, browser_availability};
pub use identify::{identify, verify_authentication};
pub use logout::logout;
pub use request::LoginRequest;
