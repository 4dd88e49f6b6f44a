//! Cancellation of flows in progress (`auth_params_cancel`): a generation counter, so that a
//! cancel ends the flows running when it is called and not the ones started after it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Notify;

#[derive(Debug, Default)]
struct Inner {
    generation: AtomicU64,
    notify: Notify,
}

/// Owned by a parameters object; cloned into each flow that can be cancelled.
#[derive(Debug, Clone, Default)]
pub struct Canceller(Arc<Inner>);

impl Canceller {
    pub fn new() -> Canceller {
        Canceller::default()
    }

    /// Ends every flow watching now.
    pub fn cancel(&self) {
        self.0.generation.fetch_add(1, Ordering::AcqRel);
        self.0.notify.notify_waiters();
    }

    /// A watch for one flow, started now.
    pub fn watch(&self) -> CancelWatch {
        CancelWatch {
            inner: self.0.clone(),
            start: self.0.generation.load(Ordering::Acquire),
        }
    }
}

/// What a flow holds to learn that it was cancelled.
#[derive(Debug, Clone)]
pub struct CancelWatch {
    inner: Arc<Inner>,
    start: u64,
}

impl CancelWatch {
    /// A watch nobody can cancel.
    pub fn never() -> CancelWatch {
        Canceller::new().watch()
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.generation.load(Ordering::Acquire) != self.start
    }

    /// Completes once the flow is cancelled.
    pub async fn cancelled(&self) {
        loop {
            // Created before the check, so a cancel between the two is not missed.
            let notified = self.inner.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}
