//! The user's side of an interactive flow, as the host configures it: what shows the user a
//! URL or a device code, and the canceller that ends flows in progress.

use crate::cancel::{CancelWatch, Canceller};
use crate::error::Result;
use std::fmt;
use std::sync::Arc;

/// What the device flow asks the user to do (RFC 8628 §3.3).
#[derive(Debug, Clone)]
pub struct DevicePrompt {
    pub verification_uri: String,
    pub user_code: String,
    /// `""` when the provider gave none.
    pub verification_uri_complete: String,
    pub expires_in: i64,
}

/// The user's side of an interactive flow.
pub trait UserAgent: Send + Sync {
    /// Shows the user `url` (authorization, end-session). An error ends the flow with it
    /// (Cancelled when the host asked to stop, Browser when nothing could show it).
    fn open_url(&self, url: &str) -> Result<()>;
    /// Tells the user where to go and which code to type (device flow).
    fn device_prompt(&self, prompt: &DevicePrompt) -> Result<()>;
    /// Tells the user how the sign-in goes on when it cannot go as asked (no browser: the
    /// device flow, or a URL to open elsewhere). The system browser writes it on standard
    /// error; by default a host's agent ignores it.
    fn notice(&self, message: &str) {
        let _ = message;
    }
}

/// What parameters carry besides their options: the host's user agent (none: the system
/// browser), whether a browser sign-in falls back when no browser can be opened, and the
/// canceller their flows watch. Clones share the canceller, so cancelling reaches the flows of
/// every copy (a session keeps a copy of its parameters).
#[derive(Clone, Default)]
pub(crate) struct Interaction {
    pub(crate) agent: Option<Arc<dyn UserAgent>>,
    pub(crate) browser_fallback: bool,
    pub(crate) canceller: Canceller,
}

impl Interaction {
    pub(crate) fn watch(&self) -> CancelWatch {
        self.canceller.watch()
    }
}

impl fmt::Debug for Interaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interaction")
            .field("agent", &self.agent.as_ref().map(|_| "set by the host"))
            .field("browser_fallback", &self.browser_fallback)
            .finish_non_exhaustive()
    }
}
