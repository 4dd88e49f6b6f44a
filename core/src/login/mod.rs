//! Signing a user in: the authorization request and its answer (state, nonce, PKCE), the
//! loopback listener, the browser (and what to do where none can be opened), the device flow,
//! CIBA (and the polling they share), logout, `identify`, which picks the grant the parameters
//! ask for, and the step-up a resource server can ask for.

pub mod browser;
pub mod ciba;
pub mod device;
pub mod fallback;
pub mod identify;
pub mod listener;
pub mod logout;
pub mod pkce;
pub mod polling;
pub mod request;
pub mod step_up;

pub use fallback::{BrowserAvailability, browser_availability};
pub use identify::{identify, verify_authentication};
pub use logout::logout;
pub use request::LoginRequest;
pub use step_up::step_up;
