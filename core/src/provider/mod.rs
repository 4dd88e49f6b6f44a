//! What a provider says about itself: the discovery document, cached per URL.

pub mod discovery;
