//! The token: what the token endpoint answered with the client context a later refresh needs,
//! its binary format, its file, and its encryption at rest.

pub mod file;
pub mod format;
#[cfg(test)]
mod format_props;
mod model;
pub mod sealed;

pub use model::{Token, TokenResponse, needs_new_login, parse_token_answer, parse_token_response};

use crate::error::Result;
use std::path::Path;

impl Token {
    /// The token in the versioned binary format (docs/token-format.md), with what its refresh
    /// needs (WLanguage `Serialize`).
    pub fn serialize(&self) -> Result<Vec<u8>> {
        format::serialize(self)
    }

    /// A token from its binary format; corrupt, truncated or of an unknown version: Format.
    pub fn deserialize(bytes: &[u8]) -> Result<Token> {
        format::deserialize(bytes)
    }

    /// Writes the token to `path` atomically, mode 0600.
    pub fn save(&self, path: &Path) -> Result<()> {
        file::save(self, path)
    }

    /// Reads a token written by [`Token::save`].
    pub fn load(path: &Path) -> Result<Token> {
        file::load(path)
    }
}
