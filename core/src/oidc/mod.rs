//! OpenID Connect: the provider's keys, ID-token validation, and the identity (claims merged
//! with the userinfo endpoint's answer).

pub mod id_token;
pub mod identity;
pub mod jwks;

use crate::error::Result;
use crate::token::Token;
use crate::transport::http::block_on_here;
use identity::Identity;

/// Who signed in (WLanguage `OpenIDReadIdentity`): the validated ID-token claims merged with
/// the userinfo endpoint's answer when the provider has one. Blocks the calling thread.
pub fn read_identity(token: &Token) -> Result<Identity> {
    block_on_here(identity::read_identity(token))
}

/// The userinfo endpoint's answer alone (WLanguage `AuthGetUserInfo`). Blocks.
pub fn user_info(token: &Token) -> Result<Identity> {
    block_on_here(identity::user_info(token))
}
